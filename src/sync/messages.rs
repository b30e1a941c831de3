//! The contract between the UI and the sync engine: [`Command`] goes down, [`Update`] comes up.

use super::base::IncidentBase;
use crate::experts::tasks::{IncidentTask, TaskStatus};
use crate::graph::model::{
    Alert, AlertPatch, BadRecord, Comment, Incident, IncidentPatch, Timestamp,
};
use crate::graph::resources::SendMail;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Identifies one write operation end to end (UI → outbox → Graph → UI).
pub type OpId = u64;

/// What a write or a comment is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    Incident(String),
    Alert(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Incident(id) => write!(f, "incident {id}"),
            Target::Alert(id) => write!(f, "alert {id}"),
        }
    }
}

/// A change the analyst asked for. Persisted in the outbox before it is sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WriteOp {
    PatchIncident {
        incident_id: String,
        patch: IncidentPatch,
        /// `lastUpdateDateTime` the analyst saw; a newer server value is a conflict.
        base_last_update: Option<Timestamp>,
        /// Apply even if the server changed since (the analyst confirmed the conflict).
        force: bool,
        /// The values the analyst saw for the fields `patch` sets; `None` in outbox entries
        /// written before bases existed (they fall back to `base_last_update`).
        #[serde(default)]
        base: Option<Box<IncidentBase>>,
    },
    PatchAlert {
        alert_id: String,
        patch: AlertPatch,
    },
    CommentIncident {
        incident_id: String,
        text: String,
    },
    CommentAlert {
        alert_id: String,
        text: String,
    },
    /// An Ask Defender Experts inquiry mail through Graph `sendMail` (kept on disk in its wire
    /// shape, `path` and `body`). Not idempotent: an attempt
    /// whose outcome is unknown is looked for in the mailbox's Sent Items (by `subject`, which
    /// carries the inquiry id) before it is sent again. Its outcomes come back as
    /// [`Update::MailSent`] / [`Update::MailPending`], never as record updates.
    SendMail {
        inquiry_id: String,
        #[serde(flatten)]
        mail: SendMail,
    },
}

impl WriteOp {
    /// What the operation changes.
    pub fn target(&self) -> Target {
        match self {
            WriteOp::PatchIncident { incident_id, .. }
            | WriteOp::CommentIncident { incident_id, .. } => Target::Incident(incident_id.clone()),
            WriteOp::PatchAlert { alert_id, .. } | WriteOp::CommentAlert { alert_id, .. } => {
                Target::Alert(alert_id.clone())
            }
            // A mail changes no record: it is named by its inquiry (and never reaches the store).
            WriteOp::SendMail { inquiry_id, .. } => Target::Incident(format!("mail:{inquiry_id}")),
        }
    }

    /// The inquiry a mail write delivers, if this is one.
    pub fn mail_inquiry(&self) -> Option<&str> {
        match self {
            WriteOp::SendMail { inquiry_id, .. } => Some(inquiry_id),
            _ => None,
        }
    }
}

/// UI → engine.
#[allow(clippy::large_enum_variant)] // a handful per keystroke at most
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Poll now (coalesced with a refresh already running). `full` re-runs the initial load.
    Refresh { full: bool },
    /// Load (or reload) the alerts of one incident (lazy alert loading, drill-down freshness).
    LoadAlerts { incident_id: String },
    /// Re-read one incident; `beta` also fetches the Defender Experts beta fields.
    LoadIncident { incident_id: String, beta: bool },
    /// Queue a write: the engine writes it to the outbox, sends it and reports the outcome.
    Write { op: OpId, write: WriteOp },
    /// Queue a write that may already have been applied (its earlier attempt was lost with a
    /// crash): like `Write`, but the target is checked first (comments on the incident, mail in
    /// Sent Items) and a match since `queued_at` counts as done.
    Requeue {
        op: OpId,
        write: WriteOp,
        queued_at: Timestamp,
    },
    /// Retry every failed write still in the outbox.
    RetryFailed,
    /// The analyst chose to overwrite the server's values: the write in conflict is sent
    /// again with `force` (the same outbox entry, updated in place).
    Overwrite { op: OpId },
    /// The analyst kept the server's values: the write leaves the outbox unsent.
    Discard { op: OpId },
    /// Send an e-mail through Graph `sendMail` (Ask Defender Experts email channel).
    SendMail {
        op: OpId,
        inquiry_id: String,
        mail: SendMail,
    },
    /// Load the managed-response tasks of an incident (beta `incidentTasks`).
    LoadTasks { incident_id: String },
    /// Set the status of one managed-response task (PATCH, beta).
    UpdateTask {
        op: OpId,
        incident_id: String,
        task_id: String,
        status: TaskStatus,
    },
    /// Run an advanced hunting query (`id` names its answer); a newer one replaces it.
    Hunt { id: u64, query: String },
    /// Drop the running hunting query, if any.
    CancelHunt,
    /// Stop the engine (flushes the outbox state first).
    Shutdown,
}

/// How alerts are being fetched: the fallback ladder for big tenants, where `$expand=alerts`
/// answers 500 (smaller pages, then alerts loaded per incident).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AlertsMode {
    /// `$expand=alerts` with the normal page size.
    #[default]
    Expanded,
    /// `$expand=alerts` with a smaller `$top` after a 5xx.
    SmallPages,
    /// No expansion; alerts loaded per incident on demand.
    Lazy,
}

/// Coarse engine state for the status bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Starting,
    InitialLoad,
    Idle,
    Polling,
    /// The last request failed for network reasons; the engine keeps retrying.
    Offline,
}

/// Progress and health, sent whenever it changes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SyncStatus {
    pub phase: Phase,
    pub pages: u32,
    pub items: usize,
    pub requests: u64,
    pub in_flight: bool,
    pub throttled_until: Option<Timestamp>,
    pub last_refresh: Option<Timestamp>,
    pub last_error: Option<String>,
    pub alerts_mode: AlertsMode,
    /// Writes in the outbox not yet confirmed by the service.
    pub outbox_pending: usize,
    /// Writes that failed and wait for "retry failed".
    pub outbox_failed: usize,
}

/// Why an upsert happened (lets the store decide what counts as "new" for highlighting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpsertSource {
    /// Part of the initial load: nothing is highlighted.
    Initial,
    /// A delta poll: unseen ids are new, changed ones are changed.
    Delta,
    /// A single re-read (drill-down, beta fetch, conflict check).
    Single,
}

/// Engine → UI. Owned values; the UI applies them to its Store.
#[allow(clippy::large_enum_variant)] // status updates are rare; pages dominate
#[derive(Clone, Debug, PartialEq)]
pub enum Update {
    Status(SyncStatus),
    /// Incidents to insert or replace (their `alerts`, when `Some`, are the complete set).
    Incidents {
        items: Vec<Incident>,
        source: UpsertSource,
    },
    /// The complete alert list of one incident.
    Alerts {
        incident_id: String,
        alerts: Vec<Alert>,
    },
    /// Records that failed to parse, kept raw.
    BadRecords {
        context: String,
        records: Vec<BadRecord>,
    },
    /// The initial load finished.
    LoadComplete {
        total: usize,
        requests: u64,
        elapsed: Duration,
        watermark: Option<Timestamp>,
    },
    /// A write reached the outbox (durable) and will be sent.
    WriteQueued {
        op: OpId,
        write: WriteOp,
    },
    /// The service accepted a patch; the server's version replaces the optimistic one.
    IncidentWritten {
        op: OpId,
        incident: Incident,
    },
    AlertWritten {
        op: OpId,
        alert: Alert,
    },
    /// A comment was recorded; the full comment list as the service returned it.
    CommentsWritten {
        op: OpId,
        target: Target,
        comments: Vec<Comment>,
    },
    /// The service refused the write (or it failed for good); roll back and show `message`.
    WriteFailed {
        op: OpId,
        target: Target,
        message: String,
        retryable: bool,
    },
    /// Someone else changed fields this write sets since the analyst saw them: nothing was
    /// sent, and the write stays in the outbox until the analyst overwrites or discards it.
    Conflict {
        op: OpId,
        server: Incident,
        changed_fields: Vec<String>,
    },
    /// A non-fatal error worth showing (with the request-id when there is one).
    Error {
        message: String,
    },
    /// The outbox holds these ops after loading (sent once, at start, after the replay): a
    /// delivery recorded as carried by an op that is not among them has settled unseen.
    OutboxLoaded {
        ops: Vec<OpId>,
    },
    /// A mail write failed in a retryable way and stays in the outbox (sent again on
    /// reconnection or "retry failed"; checked in Sent Items first when it may have gone out).
    MailPending {
        op: OpId,
        inquiry_id: String,
        message: String,
    },
    /// Outcome of [`Command::SendMail`] or of a [`WriteOp::SendMail`] write.
    MailSent {
        op: OpId,
        inquiry_id: String,
        result: Result<(), String>,
    },
    /// The managed-response tasks of an incident (records without a usable id skipped; empty
    /// when none or when the tenant has no tasks API).
    Tasks {
        incident_id: String,
        tasks: Vec<IncidentTask>,
    },
    /// Outcome of [`Command::UpdateTask`].
    TaskUpdated {
        op: OpId,
        incident_id: String,
        task_id: String,
        result: Result<serde_json::Value, String>,
    },
    /// The answer to `Command::Hunt { id, .. }`.
    HuntResult {
        id: u64,
        result: crate::graph::hunting::HuntResult,
    },
    /// `Command::Hunt { id, .. }` failed; `message` is the service's, `throttled` for a 429.
    HuntFailed {
        id: u64,
        message: String,
        throttled: bool,
    },
}
