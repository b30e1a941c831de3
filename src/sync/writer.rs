//! Sends queued writes one at a time, in order, and reports each outcome. Handles the
//! optimistic-concurrency check for incident patches and exactly-once comments.

use super::api::{GraphApi, is_network, is_retryable_write, is_server_error, local_error};
use super::base::{Review, review};
use super::internal::Internal;
use super::messages::{Target, Update, WriteOp};
use super::outbox::{Outbox, OutboxEntry, persist};
use crate::graph::error::{ErrorKind, GraphError};
use crate::graph::model::{Alert, Comment, Incident, IncidentPatch};
use crate::graph::resources::{self, SendMail};
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::{Mutex, Notify, mpsc::UnboundedSender};

/// How far the service clock may lag ours when matching a comment to its queue time.
const COMMENT_SKEW_SECS: i64 = 600;

/// Result of one attempt.
enum Outcome {
    /// Confirmed (or found already applied): report and drop from the outbox.
    Done(Box<Update>),
    /// Refused for good: drop and report `WriteFailed{retryable: false}`.
    Rejected(String),
    /// Someone else changed what the write sets: keep it in conflict for the analyst.
    Conflict {
        server: Box<Incident>,
        changed_fields: Vec<String>,
    },
    /// Keep as failed; `net` makes the engine go offline.
    Retry {
        message: String,
        net: Option<GraphError>,
        uncertain: bool,
    },
}

fn failure(e: GraphError) -> Outcome {
    if is_retryable_write(&e) {
        let net = is_network(&e).then(|| e.clone());
        Outcome::Retry {
            message: e.to_string(),
            net,
            uncertain: false,
        }
    } else {
        Outcome::Rejected(e.to_string())
    }
}

fn decode<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> Result<T, GraphError> {
    serde_json::from_value(v)
        .map_err(|e| local_error(ErrorKind::Decode, "BadResponse", format!("{what}: {e}")))
}

/// The outbox sender task.
pub(crate) struct Writer<A> {
    pub api: Arc<A>,
    pub outbox: Arc<Mutex<Outbox>>,
    pub notify: Arc<Notify>,
    pub ui: UnboundedSender<Update>,
    pub internal: UnboundedSender<Internal>,
}

impl<A: GraphApi> Writer<A> {
    /// Runs until aborted: sends the oldest pending entry, waits for a notification when idle.
    pub async fn run(self) {
        loop {
            let next = self.outbox.lock().await.begin_next();
            let Some(entry) = next else {
                self.notify.notified().await;
                continue;
            };
            let outcome = self.process(&entry).await;
            self.finish(&entry, outcome).await;
        }
    }

    async fn finish(&self, entry: &OutboxEntry, outcome: Outcome) {
        let mut ob = self.outbox.lock().await;
        match &outcome {
            Outcome::Done(_) | Outcome::Rejected(_) => {
                ob.remove(entry.op);
            }
            Outcome::Conflict {
                server,
                changed_fields,
            } => ob.mark_conflict(entry.op, (**server).clone(), changed_fields.clone()),
            Outcome::Retry {
                message, uncertain, ..
            } => ob.mark_failed(entry.op, message.clone(), *uncertain),
        }
        let saved = persist(&mut ob).await;
        let (pending, failed) = ob.counts();
        drop(ob);
        let target = entry.write.target();
        let target_name = target.to_string();
        let mail = entry.write.mail_inquiry().map(str::to_string);
        let health = match (outcome, mail) {
            (Outcome::Done(update), _) => {
                let _ = self.ui.send(*update);
                Internal::RequestOk
            }
            (Outcome::Rejected(message), Some(inquiry_id)) => {
                let _ = self.ui.send(Update::MailSent {
                    op: entry.op,
                    inquiry_id,
                    result: Err(message),
                });
                Internal::RequestOk
            }
            (Outcome::Retry { message, net, .. }, Some(inquiry_id)) => {
                let _ = self.ui.send(Update::MailPending {
                    op: entry.op,
                    inquiry_id,
                    message,
                });
                match net {
                    Some(e) => Internal::NetFailure(e),
                    None => Internal::RequestOk,
                }
            }
            (outcome, _) => self.report_record_outcome(entry, target, outcome),
        };
        // Said after the outcome, so the outcome's notice does not hide it.
        if let Err(e) = saved {
            // The file still holds the entry as it was: after a restart it is checked or sent
            // again (a patch sets the same values; a comment or a mail is looked for first).
            let message = format!(
                "could not save the outbox ({e}); after a restart vigil may check or send the change to {target_name} again (a comment is never posted twice)"
            );
            tracing::error!(%message, "outbox not saved after a write outcome");
            let _ = self.ui.send(Update::Error { message });
        }
        let _ = self.internal.send(health);
        let _ = self
            .internal
            .send(Internal::OutboxCounts { pending, failed });
    }

    /// Reports the outcome of a write on a record (not a mail) and what it says about the
    /// connection.
    fn report_record_outcome(
        &self,
        entry: &OutboxEntry,
        target: super::messages::Target,
        outcome: Outcome,
    ) -> Internal {
        match outcome {
            Outcome::Done(update) => {
                let _ = self.ui.send(*update);
                Internal::RequestOk
            }
            Outcome::Conflict {
                server,
                changed_fields,
            } => {
                let _ = self.ui.send(Update::Conflict {
                    op: entry.op,
                    server: *server,
                    changed_fields,
                });
                Internal::RequestOk
            }
            Outcome::Rejected(message) => {
                let _ = self.ui.send(Update::WriteFailed {
                    op: entry.op,
                    target,
                    message,
                    retryable: false,
                });
                Internal::RequestOk
            }
            Outcome::Retry { message, net, .. } => {
                let _ = self.ui.send(Update::WriteFailed {
                    op: entry.op,
                    target,
                    message,
                    retryable: true,
                });
                match net {
                    Some(e) => Internal::NetFailure(e),
                    None => Internal::RequestOk,
                }
            }
        }
    }

    async fn process(&self, entry: &OutboxEntry) -> Outcome {
        let op = entry.op;
        match &entry.write {
            WriteOp::PatchIncident {
                incident_id,
                patch,
                base_last_update,
                force,
                base,
            } => {
                if patch.is_empty() {
                    return Outcome::Rejected("nothing to change".into());
                }
                let path = resources::incident(incident_id, false);
                let mut body = patch.to_body();
                if !force && (base.is_some() || base_last_update.is_some()) {
                    let server: Incident = match self.get(&path, "incident").await {
                        Ok(i) => i,
                        Err(e) => return failure(e),
                    };
                    match review(patch, base.as_deref(), *base_last_update, &server) {
                        Review::Send(changed) => body = changed,
                        Review::AlreadyApplied => {
                            // Our own earlier attempt, or a colleague made the same change.
                            return Outcome::Done(Box::new(Update::IncidentWritten {
                                op,
                                incident: server,
                            }));
                        }
                        Review::Conflict(fields) => return conflict(fields, server),
                    }
                }
                match self.api.patch_json(&path, &body).await {
                    Ok(v) => match decode::<Incident>(v, "incident") {
                        Ok(incident) => {
                            Outcome::Done(Box::new(Update::IncidentWritten { op, incident }))
                        }
                        // Applied, but the answer is unreadable: re-read it.
                        Err(_) => match self.get::<Incident>(&path, "incident").await {
                            Ok(incident) => {
                                Outcome::Done(Box::new(Update::IncidentWritten { op, incident }))
                            }
                            Err(e) => failure(e),
                        },
                    },
                    Err(e) if e.status == Some(412) => {
                        match self.get::<Incident>(&path, "incident").await {
                            Ok(server) => {
                                match review(patch, base.as_deref(), *base_last_update, &server) {
                                    Review::AlreadyApplied => {
                                        Outcome::Done(Box::new(Update::IncidentWritten {
                                            op,
                                            incident: server,
                                        }))
                                    }
                                    Review::Conflict(fields) => conflict(fields, server),
                                    // The service refused on a precondition we cannot see:
                                    // let the analyst decide rather than loop.
                                    Review::Send(_) => {
                                        let fields = patch_names(patch);
                                        conflict(fields, server)
                                    }
                                }
                            }
                            Err(e) => failure(e),
                        }
                    }
                    Err(e) => failure(e),
                }
            }
            WriteOp::PatchAlert { alert_id, patch } => {
                if patch.is_empty() {
                    return Outcome::Rejected("nothing to change".into());
                }
                let path = resources::alert(alert_id);
                match self.api.patch_json(&path, &patch.to_body()).await {
                    Ok(v) => match decode::<Alert>(v, "alert") {
                        Ok(alert) => Outcome::Done(Box::new(Update::AlertWritten { op, alert })),
                        Err(_) => match self.get::<Alert>(&path, "alert").await {
                            Ok(alert) => {
                                Outcome::Done(Box::new(Update::AlertWritten { op, alert }))
                            }
                            Err(e) => failure(e),
                        },
                    },
                    Err(e) => failure(e),
                }
            }
            WriteOp::CommentIncident { text, .. } | WriteOp::CommentAlert { text, .. } => {
                self.comment(entry, text).await
            }
            WriteOp::SendMail { inquiry_id, mail } => self.send_mail(entry, inquiry_id, mail).await,
        }
    }

    /// Sends an inquiry mail exactly once: sendMail is not idempotent and returns no message
    /// id, so when an earlier attempt may have gone out, the mailbox's Sent Items are searched
    /// for its subject (which carries the inquiry id) first. When that check is impossible the
    /// mail is not sent again: the analyst is told to look in Sent Items.
    async fn send_mail(&self, entry: &OutboxEntry, inquiry_id: &str, mail: &SendMail) -> Outcome {
        let sent = || {
            Outcome::Done(Box::new(Update::MailSent {
                op: entry.op,
                inquiry_id: inquiry_id.to_string(),
                result: Ok(()),
            }))
        };
        if entry.uncertain {
            match self.mail_in_sent_items(mail).await {
                Ok(true) => return sent(),
                Ok(false) => {}
                Err(e) if is_retryable_write(&e) => {
                    return Outcome::Retry {
                        message: format!("checking Sent Items: {e}"),
                        net: is_network(&e).then(|| e.clone()),
                        uncertain: true,
                    };
                }
                Err(e) => {
                    return Outcome::Rejected(format!(
                        "{MAIL_OUTCOME_UNKNOWN} (Sent Items could not be searched: {e})"
                    ));
                }
            }
        }
        match self.api.post_json(&mail.path(), &mail.body()).await {
            Ok(_) => sent(),
            Err(e)
                if matches!(
                    e.kind,
                    ErrorKind::UnknownOutcome | ErrorKind::Timeout | ErrorKind::Decode
                ) || is_server_error(&e) =>
            {
                // It may have gone out: never re-send without looking in Sent Items.
                Outcome::Retry {
                    message: e.to_string(),
                    net: is_network(&e).then(|| e.clone()),
                    uncertain: true,
                }
            }
            Err(e) => failure(e),
        }
    }

    /// Whether a mail with this request's subject is in the sending mailbox's Sent Items.
    async fn mail_in_sent_items(&self, mail: &SendMail) -> Result<bool, GraphError> {
        let subject = mail.message.subject.as_str();
        let v = self.api.get_json(&mail.sent_items_search()).await?;
        Ok(v.get("value")
            .and_then(Value::as_array)
            .is_some_and(|items| {
                items
                    .iter()
                    .any(|m| m.get("subject").and_then(Value::as_str) == Some(subject))
            }))
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        what: &str,
    ) -> Result<T, GraphError> {
        decode(self.api.get_json(path).await?, what)
    }

    /// The target's current comments.
    async fn target_comments(&self, target: &Target) -> Result<Vec<Comment>, GraphError> {
        Ok(match target {
            Target::Incident(id) => {
                self.get::<Incident>(&resources::incident(id, false), "incident")
                    .await?
                    .comments
            }
            Target::Alert(id) => {
                self.get::<Alert>(&resources::alert(id), "alert")
                    .await?
                    .comments
            }
        })
    }

    /// Posts a comment exactly once: when an earlier attempt may have landed, look first.
    async fn comment(&self, entry: &OutboxEntry, text: &str) -> Outcome {
        let target = entry.write.target();
        let op = entry.op;
        if entry.uncertain {
            match self.target_comments(&target).await {
                Ok(comments) => {
                    let since = entry.queued_at.plus_seconds(-COMMENT_SKEW_SECS);
                    let landed = comments.iter().any(|c| {
                        same_comment(&c.comment, text)
                            && c.created_date_time.is_none_or(|t| t >= since)
                    });
                    if landed {
                        return Outcome::Done(Box::new(Update::CommentsWritten {
                            op,
                            target,
                            comments,
                        }));
                    }
                }
                Err(e) => {
                    return match failure(e) {
                        Outcome::Retry { message, net, .. } => Outcome::Retry {
                            message,
                            net,
                            uncertain: true,
                        },
                        other => other,
                    };
                }
            }
        }
        let path = match &target {
            Target::Incident(id) => resources::incident_comments(id),
            Target::Alert(id) => resources::alert_comments(id),
        };
        let body = resources::comment_body(text);
        match self.api.post_json(&path, &body).await {
            Ok(v) => match parse_comments(&v) {
                Some(comments) => Outcome::Done(Box::new(Update::CommentsWritten {
                    op,
                    target,
                    comments,
                })),
                None => match self.target_comments(&target).await {
                    Ok(comments) => Outcome::Done(Box::new(Update::CommentsWritten {
                        op,
                        target,
                        comments,
                    })),
                    Err(e) => Outcome::Retry {
                        message: e.to_string(),
                        net: is_network(&e).then_some(e),
                        uncertain: true,
                    },
                },
            },
            Err(e)
                if matches!(
                    e.kind,
                    ErrorKind::UnknownOutcome | ErrorKind::Timeout | ErrorKind::Decode
                ) || is_server_error(&e) =>
            {
                // It may have been recorded: never re-post without looking.
                let message = e.to_string();
                Outcome::Retry {
                    message,
                    net: is_network(&e).then_some(e),
                    uncertain: true,
                }
            }
            Err(e) => failure(e),
        }
    }
}

/// What an inquiry mail whose outcome cannot be established says.
pub const MAIL_OUTCOME_UNKNOWN: &str = "outcome unknown — check Sent Items before re-sending";

/// A conflict on `fields`, naming who changed the incident when the server says.
fn conflict(mut changed_fields: Vec<String>, server: Incident) -> Outcome {
    if server.last_modified_by.is_some() {
        changed_fields.push("lastModifiedBy".to_string());
    }
    Outcome::Conflict {
        server: Box::new(server),
        changed_fields,
    }
}

/// The Graph names of the properties a patch sets.
fn patch_names(patch: &IncidentPatch) -> Vec<String> {
    match patch.to_body() {
        Value::Object(m) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Whether a comment the service holds is the one vigil posted. The service may normalise what
/// it stores (line endings, trailing, repeated or edge blanks, even line breaks into spaces), so
/// both are compared word by word; the same words in the same order within the queue-time window
/// on the same record are the same comment.
fn same_comment(stored: &str, posted: &str) -> bool {
    stored.split_whitespace().eq(posted.split_whitespace())
}

/// `{"value": [comment, ...]}` → comments (unreadable items skipped); `None` without `value`.
fn parse_comments(v: &Value) -> Option<Vec<Comment>> {
    let items = v.get("value")?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|c| serde_json::from_value(c.clone()).ok())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_comment_is_recognised_after_the_service_normalised_its_blanks() {
        let posted = "Checked host  WS-01\r\n\r\nNo lateral movement \t\r\n";
        for stored in [
            posted,
            "Checked host WS-01\n\nNo lateral movement",
            "Checked host  WS-01\nNo lateral movement\n",
            "  Checked host WS-01\r\rNo lateral movement  ",
            "Checked host WS-01 No lateral movement",
        ] {
            assert!(same_comment(stored, posted), "{stored:?}");
        }
        for other in [
            "Checked host WS-02\nNo lateral movement",
            "Checked host WS-01\nNo lateral movement found",
            "",
        ] {
            assert!(!same_comment(other, posted), "{other:?}");
        }
    }

    #[test]
    fn parses_comment_lists() {
        let v = json!({"value": [{"comment": "a", "createdByDisplayName": "x"}, 5]});
        assert_eq!(parse_comments(&v).unwrap().len(), 1);
        assert!(parse_comments(&json!({})).is_none());
    }
}
