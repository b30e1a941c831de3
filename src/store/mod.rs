//! The in-memory model, owned by the UI task (no locks). Applies [`Update`]s idempotently,
//! keeps incidents and alerts by id with indexes for sorting and filtering, tracks new/changed
//! rows and optimistic (pending) writes, and answers view queries for drawing.
//!
//! API CONTRACT (bodies are being implemented; signatures are fixed).

#![allow(unused_variables)]

pub mod query;

use crate::graph::model::{Alert, Incident, ServiceSource};
use crate::sync::{OpId, Target, Update, WriteOp};
pub use query::{Query, QueryError};

/// Who "me" is, for `owner:me` and "assigned to you" notices. UPNs compare case-insensitively.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    pub aliases: Vec<String>,
}

/// Highlight state of a row until the analyst has seen it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RowMark {
    #[default]
    Seen,
    New,
    Changed,
}

/// A write shown optimistically until the service answers.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingWrite {
    pub op: OpId,
    pub write: WriteOp,
}

/// One incident as the UI sees it.
#[derive(Clone, Debug)]
pub struct IncidentEntry {
    /// What to display: the server version with pending writes applied.
    pub incident: Incident,
    /// The last version the server sent.
    pub server: Incident,
    pub mark: RowMark,
    pub pending: Vec<PendingWrite>,
    /// The last rollback message for this incident, until it is seen.
    pub rollback: Option<String>,
    /// Whether the alert list is known (expanded or lazily loaded).
    pub alerts_loaded: bool,
    /// Number of alerts (0 when not loaded).
    pub alert_count: usize,
    /// Distinct service sources of its alerts.
    pub sources: Vec<ServiceSource>,
    /// Defender Experts notification (system tag, title prefix or an experts alert).
    pub experts: bool,
}

/// Sortable columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortKey {
    Id,
    Severity,
    Status,
    Title,
    AssignedTo,
    Classification,
    Alerts,
    Sources,
    Tags,
    Priority,
    #[default]
    LastUpdate,
    Created,
}

/// Sort order of a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort { key: SortKey::LastUpdate, descending: true }
    }
}

/// Counts for the header line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub open: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub informational: usize,
    /// Defender Experts notifications that are open.
    pub experts: usize,
    /// Incidents with status awaitingAction.
    pub awaiting_customer: usize,
    pub unseen: usize,
    pub pending_writes: usize,
}

/// Something the analyst should be told about (notification line / bell).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    NewHighSeverity { id: String, title: String },
    NewExpertsNotification { id: String, title: String },
    AssignedToMe { id: String, title: String },
    WriteConfirmed { op: OpId, target: Target },
    WriteRolledBack { op: OpId, target: Target, message: String },
    Conflict { op: OpId, incident_id: String, fields: Vec<String> },
}

/// What one `apply` changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pub inserted: usize,
    pub updated: usize,
    pub notices: Vec<Notice>,
    /// True when anything visible may have changed (the UI marks itself dirty).
    pub dirty: bool,
}

/// The in-memory model.
#[derive(Default)]
pub struct Store {
    // private fields: implementation detail
}

impl Store {
    /// An empty store for this identity.
    pub fn new(identity: Identity) -> Self {
        todo!()
    }

    /// Applies one update idempotently (the same update twice changes nothing the second time).
    pub fn apply(&mut self, update: Update) -> Changes {
        todo!()
    }

    /// Number of incidents.
    pub fn len(&self) -> usize {
        todo!()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One incident.
    pub fn incident(&self, id: &str) -> Option<&IncidentEntry> {
        todo!()
    }

    /// The alerts of an incident, oldest first (chronological by first activity / creation).
    pub fn alerts(&self, incident_id: &str) -> Vec<&Alert> {
        todo!()
    }

    /// One alert by id.
    pub fn alert(&self, alert_id: &str) -> Option<&Alert> {
        todo!()
    }

    /// Ids of the incidents matching `query`, sorted. O(n) over incidents; the UI renders only
    /// the visible slice.
    pub fn view(&self, query: &Query, sort: Sort) -> Vec<String> {
        todo!()
    }

    /// Header counts.
    pub fn counts(&self) -> Counts {
        todo!()
    }

    /// Clears the new/changed highlight of one row.
    pub fn mark_seen(&mut self, id: &str) {
        todo!()
    }

    /// Shows a write optimistically (pending) before it is sent.
    pub fn begin_write(&mut self, op: OpId, write: WriteOp) {
        todo!()
    }

    /// Owners seen in the tenant (for type-ahead), sorted, de-duplicated case-insensitively.
    pub fn owners(&self) -> Vec<String> {
        todo!()
    }

    /// Custom tags in use (for type-ahead), sorted.
    pub fn tags(&self) -> Vec<String> {
        todo!()
    }

    /// The identity used for `owner:me`.
    pub fn identity(&self) -> &Identity {
        todo!()
    }
}
