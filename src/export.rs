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

/// Parses `--since`: a relative age (`30m`, `24h`, `7d`, `2w`), a date (`2026-11-01`, midnight
/// UTC) or an RFC 3339 timestamp.
pub fn parse_since(s: &str, now: Timestamp) -> Result<Timestamp, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty --since value".into());
    }
    let unit = t.chars().last().map(|c| c.to_ascii_lowercase());
    let number = &t[..t.len() - unit.map_or(0, char::len_utf8)];
    if let Some(per) = match unit {
        Some('s') => Some(1u64),
        Some('m') => Some(60),
        Some('h') => Some(3_600),
        Some('d') => Some(86_400),
        Some('w') => Some(604_800),
        _ => None,
    } && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
    {
        let secs = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(per))
            .and_then(|n| i64::try_from(n).ok())
            .filter(|n| *n <= 100 * 366 * 86_400)
            .ok_or_else(|| format!("--since {t:?} is too far back"))?;
        return Ok(now.plus_seconds(-secs));
    }
    if let Ok(date) = t.parse::<jiff::civil::Date>()
        && t.len() == 10
    {
        return date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| Timestamp(z.timestamp()))
            .map_err(|e| format!("--since {t:?}: {e}"));
    }
    if (t.contains('T') || t.contains('t'))
        && let Some(ts) = Timestamp::parse(t)
    {
        return Ok(ts);
    }
    Err(format!(
        "--since {:?}: expected an age like 7d, 24h, 30m, 2w, a date like 2026-11-01 or an RFC 3339 time",
        clean(t)
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse("2026-11-15T12:00:00Z").unwrap()
    }

    #[test]
    fn relative_ages() {
        assert_eq!(
            parse_since("7d", now()).unwrap(),
            Timestamp::parse("2026-11-08T12:00:00Z").unwrap()
        );
        assert_eq!(
            parse_since("24h", now()).unwrap(),
            Timestamp::parse("2026-11-14T12:00:00Z").unwrap()
        );
        assert_eq!(
            parse_since("30m", now()).unwrap(),
            Timestamp::parse("2026-11-15T11:30:00Z").unwrap()
        );
        assert_eq!(
            parse_since(" 2w ", now()).unwrap(),
            Timestamp::parse("2026-11-01T12:00:00Z").unwrap()
        );
    }

    #[test]
    fn dates_and_timestamps() {
        assert_eq!(
            parse_since("2026-11-01", now()).unwrap(),
            Timestamp::parse("2026-11-01T00:00:00Z").unwrap()
        );
        assert_eq!(
            parse_since("2026-11-01T08:30:00+02:00", now()).unwrap(),
            Timestamp::parse("2026-11-01T06:30:00Z").unwrap()
        );
        assert_eq!(
            parse_since("2026-11-01T08:30:00.1234567Z", now())
                .unwrap()
                .0
                .subsec_nanosecond(),
            123_456_700
        );
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "d",
            "7x",
            "-7d",
            "7.5d",
            "yesterday",
            "2026-13-01",
            "99999999999999999999d",
            "7d\u{1b}",
        ] {
            assert!(
                parse_since(bad, now()).is_err(),
                "{bad:?} should be rejected"
            );
        }
        let msg = parse_since("\u{1b}[2J", now()).unwrap_err();
        assert!(!msg.contains('\u{1b}'));
    }
}
