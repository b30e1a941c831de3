//! Delivering Ask Defender Experts inquiries: each chosen channel (email, incident comment,
//! portal hand-off) planned, recorded in the inquiry store with the outbox op that carries it,
//! sent, and settled when the engine reports the op's outcome; after a restart, deliveries the
//! outbox no longer holds are resumed. No drawing here: the screens are in `app/experts.rs`.

use super::{App, Effect, Level};
use crate::experts::{Channel, DeliveryStatus, Draft, Inquiry, InquiryTopic};
use crate::sync::{Command, OpId, StoreUpdate, WriteOp};
use crate::ui::experts_ui::{Delivery, plan_delivery};

pub use super::experts_host::ExpertsConfig;
pub(super) use super::experts_host::ExpertsHost;

impl App {
    /// Stores a sent inquiry, deletes its draft and delivers it on every chosen channel.
    pub(super) fn send_inquiry(&mut self, mut inq: Inquiry) -> Vec<Effect> {
        if let Some(inc) = self.experts.incident_of.get(&inq.topic.key()).cloned() {
            inq.incident_id.get_or_insert(inc);
        }
        self.experts.session_inquiries.insert(inq.id.clone());
        if let Err(e) = self.experts.add_inquiry(inq.clone()) {
            // Unrecorded, its deliveries could not be followed or resumed: send nothing and
            // keep the text as the topic's draft.
            let draft = Draft::new(
                inq.topic.clone(),
                inq.body.clone(),
                inq.reply_to.clone(),
                self.now,
            );
            let kept = match self.experts.save_draft(&draft) {
                Ok(()) => "your draft is kept".to_string(),
                Err(d) => format!("and the draft could not be saved either ({d})"),
            };
            self.show_toast(
                Level::Error,
                format!("Could not store the inquiry ({e}): not sent, {kept}; free space and send it again"),
            );
            return Vec::new();
        }
        if let Err(e) = self.experts.delete_draft(&inq.topic.key()) {
            tracing::warn!(error = %e, "could not delete a sent draft");
        }
        self.deliver(&inq)
    }

    /// Re-queues the failed deliveries of one inquiry and delivers them again.
    /// Re-delivers the failed channels of one inquiry (never delivered ones, never ones still
    /// pending in the outbox) and says what it did.
    pub(super) fn retry_inquiry(&mut self, id: &str) -> Vec<Effect> {
        let Some(inq) = self.experts.inquiry(id) else {
            return Vec::new();
        };
        let failed: Vec<Channel> = inq
            .deliveries
            .iter()
            .filter(|(_, s)| matches!(s, DeliveryStatus::Failed { .. }))
            .map(|(c, _)| *c)
            .collect();
        let in_outbox = inq
            .deliveries
            .iter()
            .filter(|(_, s)| s.outbox_op().is_some())
            .count();
        let effects = self.deliver_channels(&inq, &failed);
        let names: Vec<&str> = failed.iter().map(|c| c.as_str()).collect();
        let mut msg = if names.is_empty() {
            "Nothing failed; nothing re-sent".to_string()
        } else {
            format!("Retrying the failed {}", names.join(", "))
        };
        if in_outbox > 0 {
            msg.push_str(&format!(
                "; {in_outbox} still in the outbox (retried on reconnection; :retry forces it)"
            ));
        }
        self.show_toast(Level::Info, msg);
        effects
    }

    /// Performs the planned delivery of every queued or failed channel of `inq`.
    pub(super) fn deliver(&mut self, inq: &Inquiry) -> Vec<Effect> {
        let channels: Vec<Channel> = inq
            .deliveries
            .iter()
            .filter(|(_, s)| s.is_pending())
            .map(|(c, _)| *c)
            .collect();
        self.deliver_channels(inq, &channels)
    }

    /// The incident an inquiry's comment channel writes to.
    pub(super) fn comment_incident(&self, inq: &Inquiry) -> Option<String> {
        inq.incident_id
            .clone()
            .or_else(|| self.experts.incident_of.get(&inq.topic.key()).cloned())
            .or_else(|| match &inq.topic {
                InquiryTopic::Alert { id, .. } => self.store.alert(id)?.incident_id.clone(),
                _ => None,
            })
    }

    /// The delivery work for `channels` of `inq`.
    pub(super) fn plan_channels(&self, inq: &Inquiry, channels: &[Channel]) -> Vec<Delivery> {
        let cfg = &self.experts.cfg;
        let link = inq
            .topic
            .portal_link(&cfg.portal_base, cfg.tenant_id.as_deref());
        let incident = self.comment_incident(inq);
        let mut only = inq.clone();
        only.deliveries = channels
            .iter()
            .map(|c| (*c, DeliveryStatus::Queued))
            .collect();
        plan_delivery(
            &only,
            incident.as_deref(),
            &cfg.mailbox,
            cfg.email_to.as_deref(),
            &link,
        )
    }

    /// Delivers `channels` of `inq`. Email and comment ride the durable outbox: the write's op
    /// is recorded in the inquiry (persisted) before the write goes out, so the channel's state
    /// follows the outbox across restarts. `recovered` (after a crash) makes the engine look
    /// for an earlier copy (incident comments, Sent Items) before sending.
    pub(super) fn deliver_channels_with(
        &mut self,
        inq: &Inquiry,
        channels: &[Channel],
        recovered: bool,
    ) -> Vec<Effect> {
        let plan = self.plan_channels(inq, channels);
        let mut effects = Vec::new();
        let mut done: Vec<&str> = Vec::new();
        for d in plan {
            let channel = d.channel();
            let refused = self.read_only && channel != Channel::Portal;
            let write = match d {
                _ if refused => {
                    self.delivery_result(
                        &inq.id,
                        channel,
                        Err("read-only profile: not sent".into()),
                    );
                    continue;
                }
                Delivery::Email(mail) => WriteOp::SendMail {
                    inquiry_id: inq.id.clone(),
                    mail,
                },
                Delivery::Comment(write) => write,
                Delivery::Portal {
                    clipboard,
                    instruction,
                } => {
                    self.experts.portal_copy = Some((inq.id.clone(), instruction));
                    effects.push(Effect::Copy {
                        text: clipboard,
                        what: "Ask Defender Experts inquiry".into(),
                    });
                    done.push("portal hand-off");
                    continue;
                }
                Delivery::Failed { channel, reason } => {
                    self.delivery_result(&inq.id, channel, Err(reason));
                    continue;
                }
            };
            let op = self.alloc_op();
            self.experts.session_ops.insert(op);
            let carried = DeliveryStatus::Pending { op, note: None };
            if let Err(e) = self.experts.set_delivery(&inq.id, channel, carried) {
                // Without the op on disk the outcome could not be matched after a crash.
                self.show_toast(
                    Level::Error,
                    format!(
                        "Not sent ({}): could not record the delivery: {e}",
                        channel.as_str()
                    ),
                );
                continue;
            }
            let is_mail = write.mail_inquiry().is_some();
            if !is_mail {
                self.store.begin_write(op, write.clone());
                self.writes.insert(op, write.clone());
                self.queue.stale = true;
                self.dirty = true;
            }
            let command = if recovered {
                Command::Requeue {
                    op,
                    write,
                    queued_at: inq.created,
                }
            } else {
                Command::Write { op, write }
            };
            effects.push(Effect::SendCommand(command));
            done.push(if is_mail { "email" } else { "incident comment" });
        }
        if !done.is_empty() && self.experts.portal_copy.is_none() && !recovered {
            self.show_toast(Level::Info, format!("Inquiry queued: {}", done.join(", ")));
        }
        self.refresh_experts_modals();
        effects
    }

    pub(super) fn deliver_channels(&mut self, inq: &Inquiry, channels: &[Channel]) -> Vec<Effect> {
        self.deliver_channels_with(inq, channels, false)
    }

    /// After the engine loaded the outbox (`ops`): a delivery recorded as carried by an op the
    /// outbox no longer holds settled unseen (killed between the outbox and the inquiry file),
    /// and one still `Queued` may have been sent by an earlier run; both are queued again as
    /// recovered writes, which look for the earlier copy first, so each ends exactly once. An
    /// interrupted portal hand-off is marked failed (`R` copies it again).
    pub(super) fn resume_deliveries(&mut self, ops: &[OpId]) -> Vec<Effect> {
        if self.read_only {
            return Vec::new();
        }
        let mut effects = Vec::new();
        let earlier: Vec<Inquiry> = self
            .experts
            .inquiries()
            .into_iter()
            .filter(|i| !self.experts.session_inquiries.contains(&i.id))
            .collect();
        for inq in earlier {
            let mut resume = Vec::new();
            for (c, s) in &inq.deliveries {
                let orphaned = s.outbox_op().is_some_and(|op| {
                    !ops.contains(&op) && !self.experts.session_ops.contains(&op)
                });
                let queued = matches!(s, DeliveryStatus::Queued);
                match c {
                    Channel::Portal if queued => {
                        self.delivery_result(
                            &inq.id,
                            *c,
                            Err("the portal hand-off was interrupted; R copies it again".into()),
                        );
                    }
                    Channel::Portal => {}
                    _ if orphaned || queued => resume.push(*c),
                    _ => {}
                }
            }
            if !resume.is_empty() {
                tracing::info!(inquiry = %inq.id, channels = resume.len(), "resuming inquiry deliveries");
                effects.extend(self.deliver_channels_with(&inq, &resume, true));
            }
        }
        effects
    }

    /// Records a channel's outcome in the inquiry store (and tells the analyst about failures).
    pub(super) fn delivery_result(
        &mut self,
        inquiry_id: &str,
        channel: Channel,
        result: Result<(), String>,
    ) {
        let at = self.now;
        let status = match &result {
            Ok(()) => DeliveryStatus::Sent { at },
            Err(reason) => DeliveryStatus::Failed {
                reason: reason.clone(),
                at,
            },
        };
        if let Err(e) = self.experts.set_delivery(inquiry_id, channel, status) {
            self.show_toast(Level::Error, format!("Could not update the inquiry: {e}"));
        }
        match result {
            Ok(()) => self.show_toast(
                Level::Info,
                format!("Ask Defender Experts: {} delivered", channel.as_str()),
            ),
            Err(reason) => self.show_toast(
                Level::Error,
                format!(
                    "Ask Defender Experts: {} failed: {reason} (I lists inquiries; R retries)",
                    channel.as_str()
                ),
            ),
        }
        self.refresh_experts_modals();
    }

    /// The outcome of a mail write (the `MailSent` update), matched to its inquiry through the
    /// op recorded in the inquiry.
    pub fn mail_sent(&mut self, op: OpId, _inquiry_id: &str, result: Result<(), String>) {
        self.delivery_op_outcome(op, DeliveryOutcome::Settled(result));
    }

    /// Settles or annotates the inquiry delivery carried by outbox write `op`, if it is one.
    pub(super) fn delivery_op_outcome(&mut self, op: OpId, outcome: DeliveryOutcome) {
        let Some((id, channel)) = self.experts.delivery_of_op(op) else {
            return;
        };
        match outcome {
            DeliveryOutcome::Settled(result) => self.delivery_result(&id, channel, result),
            DeliveryOutcome::Retrying(note) => {
                let status = DeliveryStatus::Pending {
                    op,
                    note: Some(note),
                };
                if let Err(e) = self.experts.set_delivery(&id, channel, status) {
                    self.show_toast(Level::Error, format!("Could not update the inquiry: {e}"));
                }
                self.refresh_experts_modals();
            }
        }
    }

    /// Reports the portal hand-off copy: the delivery is sent when the text reached the
    /// clipboard. Returns the instruction to show after the copy message.
    pub(super) fn portal_copied(&mut self, ok: bool) -> Option<String> {
        let (id, instruction) = self.experts.portal_copy.take()?;
        let at = self.now;
        let status = if ok {
            DeliveryStatus::Sent { at }
        } else {
            DeliveryStatus::Failed {
                reason: "the clipboard copy failed".into(),
                at,
            }
        };
        if let Err(e) = self.experts.set_delivery(&id, Channel::Portal, status) {
            tracing::warn!(error = %e, "could not update the inquiry");
        }
        self.refresh_experts_modals();
        Some(instruction)
    }

    /// Before the store applies `update`: what it means for an inquiry delivery carried by a
    /// comment write (a retryable failure leaves the write in the outbox: still pending).
    pub(super) fn comment_delivery_of(update: &StoreUpdate) -> Option<(OpId, DeliveryOutcome)> {
        match update {
            StoreUpdate::CommentsWritten { op, .. } => {
                Some((*op, DeliveryOutcome::Settled(Ok(()))))
            }
            StoreUpdate::WriteFailed {
                op,
                message,
                retryable,
                ..
            } => Some((
                *op,
                if *retryable {
                    DeliveryOutcome::Retrying(message.clone())
                } else {
                    DeliveryOutcome::Settled(Err(message.clone()))
                },
            )),
            _ => None,
        }
    }
}

/// What happened to an outbox write carrying an inquiry delivery.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum DeliveryOutcome {
    /// Delivered (`Ok`) or failed for good.
    Settled(Result<(), String>),
    /// Failed in a retryable way; the write stays in the outbox.
    Retrying(String),
}
