//! Headless export (`vigil export`): incidents (with their alerts) as NDJSON, one incident per
//! line, using the same listing and `$expand` fallback as the sync engine.
//!
//! `since` filters on `lastUpdateDateTime` (incidents changed since then, which is what a
//! periodic SIEM pull wants); statuses and severities are server-side filters on documented
//! properties. Records that fail to parse never reach the output: they are counted and
//! reported through `progress`.

use crate::graph::error::{ErrorKind, GraphError};
use crate::graph::model::{Incident, Timestamp};
use crate::sync::api::{GraphApi, is_rejection};
use crate::sync::lister::{ListQuery, Lister, filter_clauses, get_incident_alerts};
use crate::sync::messages::AlertsMode;
use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `$top` for export listings (and after an expanded page failed).
const PAGE_SIZE: u32 = 50;
const SMALL_PAGE_SIZE: u32 = 10;

/// What to export.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportOptions {
    /// Only incidents updated at or after this time.
    pub since: Option<Timestamp>,
    /// Only these statuses (schema names, case-insensitive); empty: all.
    pub statuses: Vec<String>,
    /// Only these severities; empty: all.
    pub severities: Vec<String>,
    /// Include each incident's alerts (expanded, or loaded per incident after a fallback).
    pub include_alerts: bool,
    /// `$top` per page (`None`: 50, as the console).
    pub page_size: Option<u32>,
}

/// Progress for the caller to show on stderr. Strings are already free of control characters.
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
    /// Records of a page failed to parse and were left out.
    BadRecords {
        page: u32,
        count: usize,
        ids: Vec<String>,
    },
    /// Something degraded but the export goes on.
    Note(String),
}

/// What an export did.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportSummary {
    pub incidents: usize,
    pub alerts: usize,
    pub requests: u64,
    pub bad_records: usize,
    pub elapsed: Duration,
}

/// Lists the matching incidents and writes one JSON object per line to `out`. An output
/// failure (e.g. a closed pipe) is returned as a `GraphError` with kind `Config` and code
/// `OutputError`.
pub async fn run_export<A: GraphApi, W: std::io::Write>(
    api: Arc<A>,
    opts: ExportOptions,
    out: &mut W,
    progress: &mut dyn FnMut(ExportProgress),
) -> Result<ExportSummary, GraphError> {
    let clock = Instant::now();
    let requests_before = api.requests();
    let query = ListQuery {
        filters: filter_clauses(
            "lastUpdateDateTime",
            opts.since,
            &opts.statuses,
            &opts.severities,
        ),
        page_size: opts.page_size.unwrap_or(PAGE_SIZE).clamp(1, 1000),
        small_page_size: SMALL_PAGE_SIZE,
    };
    let start_mode = if opts.include_alerts {
        AlertsMode::Expanded
    } else {
        AlertsMode::Lazy
    };
    let mut lister = Lister::new(query, start_mode);
    let mut mode = start_mode;
    let mut summary = ExportSummary {
        incidents: 0,
        alerts: 0,
        requests: 0,
        bad_records: 0,
        elapsed: Duration::ZERO,
    };
    let mut pages = 0u32;
    loop {
        let page = lister.next_page(&*api).await;
        if lister.mode() != mode {
            mode = lister.mode();
            progress(ExportProgress::Mode(mode));
        }
        let Some(page) = page? else { break };
        pages += 1;
        if !page.bad.is_empty() {
            summary.bad_records += page.bad.len();
            let ids = page
                .bad
                .iter()
                .map(|b| clean(b.id.as_deref().unwrap_or("?")))
                .collect();
            progress(ExportProgress::BadRecords {
                page: pages,
                count: page.bad.len(),
                ids,
            });
        }
        let api_ref = &*api;
        let include = opts.include_alerts;
        let mut filled = futures::stream::iter(page.items)
            .map(|mut incident: Incident| async move {
                if include && incident.alerts.is_none() {
                    match get_incident_alerts(api_ref, &incident.id).await {
                        Ok(alerts) => incident.alerts = Some(alerts),
                        Err(e) if is_rejection(&e) => {
                            let note = clean(&format!(
                                "alerts of incident {} unavailable: {e}",
                                incident.id
                            ));
                            return Ok((incident, Some(note)));
                        }
                        Err(e) => return Err(e),
                    }
                }
                Ok((incident, None))
            })
            .buffered(2);
        while let Some(item) = filled.next().await {
            let (incident, note) = item?;
            if let Some(n) = note {
                progress(ExportProgress::Note(n));
            }
            summary.alerts += incident.alerts.as_ref().map_or(0, Vec::len);
            summary.incidents += 1;
            write_line(out, &incident)?;
        }
        out.flush().map_err(output_error)?;
        progress(ExportProgress::Page {
            pages,
            incidents: summary.incidents,
            requests: api.requests().saturating_sub(requests_before),
        });
    }
    summary.requests = api.requests().saturating_sub(requests_before);
    summary.elapsed = clock.elapsed();
    Ok(summary)
}

fn write_line<W: std::io::Write>(out: &mut W, incident: &Incident) -> Result<(), GraphError> {
    let line = serde_json::to_vec(incident).map_err(|e| GraphError {
        kind: ErrorKind::Decode,
        status: None,
        code: "Serialize".into(),
        message: e.to_string(),
        request_id: None,
        date: None,
    })?;
    out.write_all(&line).map_err(output_error)?;
    out.write_all(b"\n").map_err(output_error)
}

fn output_error(e: std::io::Error) -> GraphError {
    GraphError {
        kind: ErrorKind::Config,
        status: None,
        code: "OutputError".into(),
        message: format!("cannot write the export: {e}"),
        request_id: None,
        date: None,
    }
}

/// Replaces control characters (terminal escapes) and caps the length, for progress text.
fn clean(s: &str) -> String {
    s.chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

impl std::fmt::Display for ExportProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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
            ExportProgress::BadRecords { page, count, ids } => write!(
                f,
                "export: page {page}: {count} record(s) could not be parsed and were left out: {}",
                ids.join(", ")
            ),
            ExportProgress::Note(n) => write!(f, "export: {n}"),
        }
    }
}

impl std::fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "export: done: {} incidents, {} alerts, {} requests, {} bad records, {:.1}s",
            self.incidents,
            self.alerts,
            self.requests,
            self.bad_records,
            self.elapsed.as_secs_f64()
        )
    }
}
