//! Messages inside the engine: what its sub-tasks (listing runs, single reads) report to its
//! main loop. Kept apart from `engine.rs` so `reads.rs`, `lazy.rs` and `writer.rs` do not import
//! the engine itself.

use super::messages::AlertsMode;
use crate::graph::error::GraphError;
use crate::graph::model::Timestamp;
use std::time::Duration;

/// Events from the engine's own sub-tasks to its main loop.
#[derive(Debug)]
pub(crate) enum Internal {
    /// A request got an answer from the service.
    RequestOk,
    /// A request failed for network reasons.
    NetFailure(GraphError),
    OutboxCounts {
        pending: usize,
        failed: usize,
    },
    Progress {
        pages: u32,
        items: usize,
    },
    Mode(AlertsMode),
    RunDone {
        kind: RunKind,
        result: Result<RunStats, GraphError>,
    },
    /// A status-bar note (a degraded feature), not an error.
    Note(String),
    /// A listing page: incidents holding enum members this build does not know, and the rest.
    EnumsListed {
        unknown: Vec<String>,
        clean: Vec<String>,
    },
    /// A single read of an incident came back, holding unknown enum members or not.
    EnumsReread {
        id: String,
        unknown: bool,
    },
    /// Records a listing could not parse: their ids, and how many had no readable id.
    BadIds {
        ids: Vec<String>,
        unidentified: usize,
    },
}

/// Which listing run: the first full listing or a delta poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunKind {
    Initial,
    Delta,
}

/// What a finished listing run counted.
#[derive(Debug)]
pub(crate) struct RunStats {
    pub total: usize,
    pub max_update: Option<Timestamp>,
    pub started: Timestamp,
    pub elapsed: Duration,
    pub requests: u64,
}
