//! Headless export (`vigil export`): incidents (with their alerts) as NDJSON, one incident per
//! line, using the same listing and `$expand` fallback as the sync engine.
//!
//! Each line is the incident exactly as Graph sent it: every property, in the order received,
//! values verbatim, including records vigil's own model cannot read (a SIEM wants what Graph
//! sent). `since` filters on `lastUpdateDateTime` (incidents changed since then, which is what a
//! periodic SIEM pull wants); statuses and severities are server-side filters on documented
//! properties.

mod append;
mod checkpoint;
mod follow;
mod follow_log;
mod output;
mod progress;
mod record;

pub use append::AppendFile;
pub use checkpoint::{Checkpoint, CheckpointError};
pub use follow::{FollowEnd, FollowEvent, FollowOptions, FollowOutput, is_lasting, run_follow};
pub use follow_log::{end_line, follow_line};
pub use output::AtomicOutput;
pub use progress::{ExportProgress, ExportSummary};
pub use record::{Filled, MissingAlerts};

use crate::graph::error::{ErrorKind, GraphError};
use crate::graph::model::Timestamp;
use crate::sync::api::GraphApi;
use crate::sync::lister::{ListQuery, Lister, filter_clauses};
use crate::sync::messages::AlertsMode;
use futures::StreamExt;
use serde_json::value::RawValue;
use std::sync::Arc;
use std::time::Instant;

/// `$top` for export listings (and after an expanded page failed).
const PAGE_SIZE: u32 = 50;
const SMALL_PAGE_SIZE: u32 = 10;
/// Incidents whose alerts are loaded at the same time (lazy mode).
const ALERT_READS_IN_FLIGHT: usize = 2;

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

/// Lists the matching incidents and writes one JSON object per line to `out`. Records go out
/// as received; an incident whose alerts could not be loaded is written without them and
/// listed in [`ExportSummary::incomplete`]. A listing failure, or an output failure (a
/// `GraphError` with kind `Config` and code `OutputError`), ends the export with an error.
pub async fn run_export<A: GraphApi, W: std::io::Write>(
    api: Arc<A>,
    opts: ExportOptions,
    out: &mut W,
    progress: &mut dyn FnMut(ExportProgress),
) -> Result<ExportSummary, GraphError> {
    let clock = Instant::now();
    let requests_before = api.requests();
    let mut lister = Lister::new(list_query(&opts), start_mode(&opts));
    let mut mode = lister.mode();
    let mut summary = ExportSummary::default();
    let mut pages = 0u32;
    loop {
        let page = lister.next_verbatim_page(&*api).await;
        if lister.mode() != mode {
            mode = lister.mode();
            progress(ExportProgress::Mode(mode));
        }
        let Some(records) = page? else { break };
        pages += 1;
        write_page(
            &*api,
            records,
            opts.include_alerts,
            out,
            &mut summary,
            progress,
        )
        .await?;
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

/// The listing `opts` asks for.
fn list_query(opts: &ExportOptions) -> ListQuery {
    ListQuery {
        filters: filter_clauses(
            "lastUpdateDateTime",
            opts.since,
            &opts.statuses,
            &opts.severities,
        ),
        page_size: opts.page_size.unwrap_or(PAGE_SIZE).clamp(1, 1000),
        small_page_size: SMALL_PAGE_SIZE,
    }
}

/// Expanded when alerts are wanted, otherwise a plain listing.
fn start_mode(opts: &ExportOptions) -> AlertsMode {
    if opts.include_alerts {
        AlertsMode::Expanded
    } else {
        AlertsMode::Lazy
    }
}

/// Writes one page's records (each completed with its alerts when wanted), in page order.
async fn write_page<A: GraphApi, W: std::io::Write>(
    api: &A,
    records: Vec<Box<RawValue>>,
    include_alerts: bool,
    out: &mut W,
    summary: &mut ExportSummary,
    progress: &mut dyn FnMut(ExportProgress),
) -> Result<(), GraphError> {
    let mut filled = futures::stream::iter(records)
        .map(|record| record::with_alerts(api, record, include_alerts))
        .buffered(ALERT_READS_IN_FLIGHT);
    while let Some(item) = filled.next().await {
        let mut record = item?;
        if let Some(m) = record.missing.take() {
            progress(ExportProgress::MissingAlerts(m.clone()));
            summary.incomplete.push(m);
        }
        summary.alerts += record.alert_count;
        summary.incidents += 1;
        record.write_line(out).map_err(output_error)?;
    }
    Ok(())
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
