//! Microsoft Defender Experts: notification detection (DENs), managed-response tasks, and the
//! non-UI core of the "Ask Defender Experts" compose pane.
//!
//! **There is no public API to submit an Ask Defender Experts inquiry** (none in Graph v1.0 or
//! beta, nor in the Defender APIs): the portal form (and email replies) are the only documented
//! channel. vigil therefore composes the inquiry locally ([`templates`], [`context`], autosaved
//! [`drafts`]) and delivers it through channels it *can* use ([`outbox::Channel`]):
//!
//! * `email`: Graph `POST /v1.0/me/sendMail` (or `/users/{upn}/sendMail`) to a configured
//!   experts address ([`outbox::email_request`]);
//! * `comment`: a marked comment on the incident through `WriteOp::CommentIncident`
//!   ([`outbox::comment_text`]);
//! * `portal`: the full text copied to the clipboard (OSC 52) plus the portal deep link, for the
//!   analyst to paste into the portal form ([`outbox::portal_handoff`]).
//!
//! Inquiries and their per-channel delivery state persist in an [`outbox::InquiryStore`];
//! [`credits`] counts them against the quarterly allowance. Nothing here draws or does HTTP:
//! request paths and bodies are returned as values for the sync layer to send.

pub mod context;
pub mod credits;
pub mod detect;
pub mod drafts;
pub(crate) mod fsutil;
pub mod outbox;
pub mod scrub;
pub mod tasks;
pub mod templates;

pub use context::{
    DEFAULT_PORTAL, InquiryTopic, KeyEvidence, activity_range, build_context, key_evidence,
};
pub use credits::{
    AllowancePeriod, CreditStatus, DEFAULT_QUARTERLY_CREDITS, MAX_CREDITS_PER_QUARTER,
    PeriodCredits, Quarter, allowance, credit_status, period_bounds, period_credits, quarter_of,
    remaining, reset_label,
};
pub use detect::{
    ExpertsDetails, OwnerKind, is_awaiting_customer, is_experts_alert, is_experts_notification,
    owner_kind,
};
pub use drafts::{Autosave, Draft, DraftError, DraftStore};
pub use outbox::{
    COMMENT_MARKER, Channel, DeliveryStatus, Inquiry, InquiryStore, MAX_COMMENT_CHARS,
    comment_text, email_request, portal_handoff, portal_instruction,
};
pub use scrub::{scrub, scrub_multiline};
pub use tasks::{ActionStatus, ActionType, IncidentTask, TaskSource, TaskState, TaskStatus};
pub use templates::{
    Template, TemplateGroup, TemplateVars, fill, templates, unfilled_placeholders, vars_from,
};
