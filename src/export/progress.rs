//! What the export tells its caller while it runs and when it is done (shown on stderr).

use super::record::MissingAlerts;
use crate::sync::messages::AlertsMode;
use std::fmt;
use std::time::Duration;

/// Progress for the caller to show on stderr (after sanitising: ids and service messages are
/// external data).
#[derive(Clone, Debug, PartialEq)]
pub enum ExportProgress {
    /// A page was written.
    Page {
        pages: u32,
        incidents: usize,
        requests: u64,
    },
    /// The alerts mode moved down the fallback ladder.
    Mode(AlertsMode),
    /// An incident was written without its alerts.
    MissingAlerts(MissingAlerts),
}

/// What an export did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportSummary {
    /// Records written.
    pub incidents: usize,
    /// Alerts inside the records written.
    pub alerts: usize,
    /// Requests sent.
    pub requests: u64,
    /// Incidents written without their alerts: the export is incomplete.
    pub incomplete: Vec<MissingAlerts>,
    pub elapsed: Duration,
}

impl ExportSummary {
    /// True when everything asked for was written.
    pub fn is_complete(&self) -> bool {
        self.incomplete.is_empty()
    }

    /// What is missing, for stderr: the count and the ids.
    pub fn incomplete_report(&self) -> Option<String> {
        if self.is_complete() {
            return None;
        }
        let ids: Vec<&str> = self.incomplete.iter().map(|m| m.id.as_str()).collect();
        Some(format!(
            "export: incomplete: {} incident(s) written without their alerts: {}",
            ids.len(),
            ids.join(", ")
        ))
    }
}

impl fmt::Display for ExportProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportProgress::Page {
                pages,
                incidents,
                requests,
            } => write!(
                f,
                "export: page {pages}, {incidents} incidents, {requests} requests"
            ),
            ExportProgress::Mode(m) => write!(f, "export: alerts mode now {m:?} (service errors)"),
            ExportProgress::MissingAlerts(m) => write!(
                f,
                "export: incident {} written without its alerts: {}",
                m.id, m.why
            ),
        }
    }
}

impl fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "export: done: {} incidents, {} alerts, {} requests, {} incomplete, {:.1}s",
            self.incidents,
            self.alerts,
            self.requests,
            self.incomplete.len(),
            self.elapsed.as_secs_f64()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_incomplete_report_names_count_and_ids() {
        let mut s = ExportSummary::default();
        assert!(s.is_complete() && s.incomplete_report().is_none());
        s.incomplete = ["7", "9"]
            .map(|id| MissingAlerts {
                id: id.into(),
                why: "403".into(),
            })
            .to_vec();
        assert_eq!(
            s.incomplete_report().unwrap(),
            "export: incomplete: 2 incident(s) written without their alerts: 7, 9"
        );
    }
}
