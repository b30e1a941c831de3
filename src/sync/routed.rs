//! An [`Update`] sorted by who handles it, so the enum is matched in one place
//! ([`Update::route`]): changes to the store's model ([`StoreUpdate`], applied by
//! `Store::apply_store`) and news for the console itself ([`ConsoleEvent`], handled by the UI's
//! `App::apply_update`).

use super::messages::{OpId, SyncStatus, Target, Update, UpsertSource, WriteOp};
use crate::graph::model::{Alert, BadRecord, Comment, Incident, Timestamp};
use std::time::Duration;

/// An update for one side or the other.
#[allow(clippy::large_enum_variant)] // as `Update`
#[derive(Clone, Debug, PartialEq)]
pub enum Routed {
    Store(StoreUpdate),
    Console(ConsoleEvent),
}

/// What changes the store's model (the same-named [`Update`] variants).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum StoreUpdate {
    Incidents {
        items: Vec<Incident>,
        source: UpsertSource,
    },
    Alerts {
        incident_id: String,
        alerts: Vec<Alert>,
    },
    WriteQueued {
        op: OpId,
        write: WriteOp,
    },
    IncidentWritten {
        op: OpId,
        incident: Incident,
    },
    AlertWritten {
        op: OpId,
        alert: Alert,
    },
    CommentsWritten {
        op: OpId,
        target: Target,
        comments: Vec<Comment>,
    },
    WriteFailed {
        op: OpId,
        target: Target,
        message: String,
        retryable: bool,
    },
    Conflict {
        op: OpId,
        server: Incident,
        changed_fields: Vec<String>,
    },
}

/// News for the console that leaves the store's model alone (the same-named [`Update`]
/// variants).
#[derive(Clone, Debug, PartialEq)]
pub enum ConsoleEvent {
    Status(SyncStatus),
    BadRecords {
        context: String,
        records: Vec<BadRecord>,
    },
    LoadComplete {
        total: usize,
        requests: u64,
        elapsed: Duration,
        watermark: Option<Timestamp>,
    },
    Error {
        message: String,
    },
    OutboxLoaded {
        ops: Vec<OpId>,
    },
    MailPending {
        op: OpId,
        inquiry_id: String,
        message: String,
    },
    MailSent {
        op: OpId,
        inquiry_id: String,
        result: Result<(), String>,
    },
    Tasks {
        incident_id: String,
        tasks: Vec<crate::experts::IncidentTask>,
    },
    TaskUpdated {
        op: OpId,
        incident_id: String,
        task_id: String,
        result: Result<serde_json::Value, String>,
    },
    /// An advanced hunting answer (`HuntResult` / `HuntFailed`), for the hunting screen.
    Hunt(Box<Update>),
}

impl Update {
    /// Sorts the update for the store or the console (the one match on `Update`).
    pub fn route(self) -> Routed {
        use ConsoleEvent as C;
        use StoreUpdate as S;
        let s = match self {
            Update::Incidents { items, source } => S::Incidents { items, source },
            Update::Alerts {
                incident_id,
                alerts,
            } => S::Alerts {
                incident_id,
                alerts,
            },
            Update::WriteQueued { op, write } => S::WriteQueued { op, write },
            Update::IncidentWritten { op, incident } => S::IncidentWritten { op, incident },
            Update::AlertWritten { op, alert } => S::AlertWritten { op, alert },
            Update::CommentsWritten {
                op,
                target,
                comments,
            } => S::CommentsWritten {
                op,
                target,
                comments,
            },
            Update::WriteFailed {
                op,
                target,
                message,
                retryable,
            } => S::WriteFailed {
                op,
                target,
                message,
                retryable,
            },
            Update::Conflict {
                op,
                server,
                changed_fields,
            } => S::Conflict {
                op,
                server,
                changed_fields,
            },
            Update::Status(s) => return Routed::Console(C::Status(s)),
            Update::BadRecords { context, records } => {
                return Routed::Console(C::BadRecords { context, records });
            }
            Update::LoadComplete {
                total,
                requests,
                elapsed,
                watermark,
            } => {
                return Routed::Console(C::LoadComplete {
                    total,
                    requests,
                    elapsed,
                    watermark,
                });
            }
            Update::Error { message } => return Routed::Console(C::Error { message }),
            Update::OutboxLoaded { ops } => return Routed::Console(C::OutboxLoaded { ops }),
            Update::MailPending {
                op,
                inquiry_id,
                message,
            } => {
                return Routed::Console(C::MailPending {
                    op,
                    inquiry_id,
                    message,
                });
            }
            Update::MailSent {
                op,
                inquiry_id,
                result,
            } => {
                return Routed::Console(C::MailSent {
                    op,
                    inquiry_id,
                    result,
                });
            }
            Update::Tasks { incident_id, tasks } => {
                return Routed::Console(C::Tasks { incident_id, tasks });
            }
            u @ (Update::HuntResult { .. } | Update::HuntFailed { .. }) => {
                return Routed::Console(C::Hunt(Box::new(u)));
            }
            Update::TaskUpdated {
                op,
                incident_id,
                task_id,
                result,
            } => {
                return Routed::Console(C::TaskUpdated {
                    op,
                    incident_id,
                    task_id,
                    result,
                });
            }
        };
        Routed::Store(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_changes_go_to_the_store_and_news_to_the_console() {
        let write = Update::WriteFailed {
            op: 7,
            target: Target::Incident("1".into()),
            message: "no".into(),
            retryable: true,
        };
        assert!(matches!(
            write.route(),
            Routed::Store(StoreUpdate::WriteFailed { op: 7, .. })
        ));
        let news = Update::Error {
            message: "x".into(),
        };
        assert!(matches!(
            news.route(),
            Routed::Console(ConsoleEvent::Error { .. })
        ));
    }
}
