//! Turns a sent inquiry into the concrete work per channel (pure; the app performs it).

use super::common::looks_like_email;
use crate::experts::{
    Channel, Inquiry, InquiryTopic, comment_text, email_request, portal_handoff, portal_instruction,
};
use crate::graph::resources::SendMail;
use crate::sync::messages::WriteOp;

/// One channel's delivery work.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // a handful per inquiry
pub enum Delivery {
    /// Send this mail (Graph `sendMail`).
    Email(SendMail),
    /// Queue this `WriteOp::CommentIncident`.
    Comment(WriteOp),
    /// Copy `clipboard` (OSC 52) and show `instruction`.
    Portal {
        clipboard: String,
        instruction: String,
    },
    /// The channel cannot be delivered as configured; record
    /// `DeliveryStatus::Failed { reason }` for it.
    Failed { channel: Channel, reason: String },
}

impl Delivery {
    /// The channel this work belongs to.
    pub fn channel(&self) -> Channel {
        match self {
            Delivery::Email(_) => Channel::Email,
            Delivery::Comment(_) => Channel::IncidentComment,
            Delivery::Portal { .. } => Channel::Portal,
            Delivery::Failed { channel, .. } => *channel,
        }
    }
}

/// Plans the pending (queued or failed) deliveries of `inq`, in the inquiry's channel order.
/// `incident_id` is the incident to comment on (the topic's incident when `None`); `mailbox` is
/// `me` or the sending UPN; `email_to` the configured experts address; `portal_link` the topic's
/// portal page. Missing configuration yields [`Delivery::Failed`] with the reason, never a panic.
pub fn plan_delivery(
    inq: &Inquiry,
    incident_id: Option<&str>,
    mailbox: &str,
    email_to: Option<&str>,
    portal_link: &str,
) -> Vec<Delivery> {
    inq.deliveries
        .iter()
        .filter(|(_, s)| s.is_pending())
        .map(|(c, _)| plan_one(*c, inq, incident_id, mailbox, email_to, portal_link))
        .collect()
}

fn plan_one(
    channel: Channel,
    inq: &Inquiry,
    incident_id: Option<&str>,
    mailbox: &str,
    email_to: Option<&str>,
    portal_link: &str,
) -> Delivery {
    let failed = |reason: &str| Delivery::Failed {
        channel,
        reason: reason.to_string(),
    };
    match channel {
        Channel::Email => match email_to.map(str::trim).filter(|t| !t.is_empty()) {
            None => failed(
                "email channel: no experts address configured (set experts.email_to in the config)",
            ),
            Some(to) if !looks_like_email(to) => {
                failed("email channel: the configured experts address is not an email address")
            }
            Some(to) => Delivery::Email(email_request(inq, mailbox, to)),
        },
        Channel::IncidentComment => {
            let topic_incident = match &inq.topic {
                InquiryTopic::Incident { id, .. } => Some(id.as_str()),
                _ => None,
            };
            match incident_id
                .or(topic_incident)
                .map(str::trim)
                .filter(|i| !i.is_empty())
            {
                Some(id) => Delivery::Comment(WriteOp::CommentIncident {
                    incident_id: id.to_string(),
                    text: comment_text(inq),
                }),
                None => failed(
                    "incident comment channel: this inquiry is not about an incident, so there is nothing to comment on",
                ),
            }
        }
        Channel::Portal => {
            if portal_link.trim().is_empty() {
                failed("portal hand-off: no portal link for this topic")
            } else {
                Delivery::Portal {
                    clipboard: portal_handoff(inq, portal_link),
                    instruction: portal_instruction(portal_link),
                }
            }
        }
    }
}
