//! Defender Experts screens: the "Ask Defender Experts" compose pane ([`AskExpertsPane`]), the
//! list of drafts and sent inquiries ([`InquiriesList`]) and the notification / managed-response
//! view ([`NotificationView`]).
//!
//! The components know nothing about the app: each is an [`Overlay`] (`overlays.rs`); the host
//! feeds it keys and pastes and acts on the [`Outcome`](crate::ui::overlay::Outcome) each key
//! returns. Delivery of a sent inquiry is planned by the pure [`plan_delivery`].

mod ask;
mod common;
mod delivery;
mod inquiries;
mod notification;
mod overlays;

pub use ask::{AskExpertsPane, Focus, reply_addresses};
pub use common::looks_like_email;
pub use delivery::{Delivery, plan_delivery};
pub use inquiries::InquiriesList;
pub use notification::{BETA_MISSING, NotificationView};

#[cfg(doc)]
use crate::ui::overlay::Overlay;
