//! Defender Experts screens: the "Ask Defender Experts" compose pane ([`AskExpertsPane`]), the
//! list of drafts and sent inquiries ([`InquiriesList`]) and the notification / managed-response
//! view ([`NotificationView`]).
//!
//! The components know nothing about the app: the host feeds them keys, pastes and the current
//! time and acts on the [`ExpertsOutcome`] each key returns (and on any
//! [`take_followup`](ExpertsComponent::take_followup) outcomes queued behind it). Delivery of a
//! sent inquiry is planned by the pure [`plan_delivery`].

mod ask;
mod common;
mod delivery;
mod inquiries;
mod notification;

pub use ask::{AskExpertsPane, Focus, reply_addresses};
pub use common::looks_like_email;
pub use delivery::{Delivery, plan_delivery};
pub use inquiries::InquiriesList;
pub use notification::{BETA_MISSING, NotificationView};

use crate::experts::{Draft, Inquiry, TaskStatus};
use crate::graph::model::Timestamp;
use crate::ui::theme::Theme;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

/// What the host should do after a key.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpertsOutcome {
    /// Nothing for the host; redraw.
    Continue,
    /// Close the component.
    Close,
    /// Store and deliver this inquiry (channels chosen, every delivery `Queued`); then delete
    /// the draft with the same topic key and close the pane.
    Send(Inquiry),
    /// Copy `text` (already made safe) to the clipboard; `what` names it for the status line.
    CopyToClipboard { text: String, what: String },
    /// Persist this draft (`DraftStore::save`).
    SaveDraft(Draft),
    /// Re-queue the failed deliveries of the inquiry with this id and deliver them again.
    Retry(String),
    /// Open the compose pane on this draft.
    OpenDraft(Draft),
    /// Delete the draft with this key (the analyst confirmed).
    DeleteDraft(String),
    /// PATCH the managed-response task's status.
    TaskUpdate { task_id: String, status: TaskStatus },
    /// Run the task's one-click response action (the analyst confirmed).
    TaskExecute { task_id: String },
    /// Re-read the incident with the beta Defender Experts fields.
    LoadBeta { incident_id: String },
}

/// The interface every Defender Experts component offers, for hosts that keep them boxed.
pub trait ExpertsComponent {
    /// Handles one key event at wall-clock time `now`.
    fn handle_key(&mut self, key: KeyEvent, now: Timestamp) -> ExpertsOutcome;
    /// Inserts bracketed-paste text literally (no key bindings apply).
    fn handle_paste(&mut self, text: &str);
    /// Draws into `area`.
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme);
    /// Key hints for the status bar: (key, action).
    fn hints(&self) -> Vec<(&'static str, &'static str)>;
    /// An outcome queued behind the last one returned (e.g. `Close` after `SaveDraft`); call
    /// until `None` after every `handle_key`.
    fn take_followup(&mut self) -> Option<ExpertsOutcome> {
        None
    }
}

macro_rules! component {
    ($ty:ty, $follow:expr) => {
        impl ExpertsComponent for $ty {
            fn handle_key(&mut self, key: KeyEvent, now: Timestamp) -> ExpertsOutcome {
                <$ty>::handle_key(self, key, now)
            }
            fn handle_paste(&mut self, text: &str) {
                <$ty>::handle_paste(self, text)
            }
            fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
                <$ty>::render(self, f, area, theme)
            }
            fn hints(&self) -> Vec<(&'static str, &'static str)> {
                <$ty>::hints(self)
            }
            fn take_followup(&mut self) -> Option<ExpertsOutcome> {
                let f: fn(&mut $ty) -> Option<ExpertsOutcome> = $follow;
                f(self)
            }
        }
    };
}

component!(AskExpertsPane, AskExpertsPane::take_followup);
component!(InquiriesList, |_| None);
component!(NotificationView, |_| None);
