//! PLACEHOLDER until the syncer branch lands (same public API).

use crate::graph::error::GraphError;
use crate::graph::model::Timestamp;
use std::sync::Arc;

/// What to export.
pub struct ExportOptions {
    pub since: Option<Timestamp>,
    pub statuses: Vec<String>,
    pub severities: Vec<String>,
    pub include_alerts: bool,
}

/// Progress line.
pub struct ExportProgress(pub String);
impl std::fmt::Display for ExportProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Summary line.
pub struct ExportSummary(pub String);
impl std::fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs the export.
pub async fn run_export<A, W: std::io::Write>(
    _api: Arc<A>,
    _opts: ExportOptions,
    _out: &mut W,
    _progress: &mut dyn FnMut(ExportProgress),
) -> Result<ExportSummary, GraphError> {
    Ok(ExportSummary(String::new()))
}
