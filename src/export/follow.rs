//! `vigil export --follow`: a first full pull, then polls by `lastUpdateDateTime` from
//! `watermark - overlap` (the console's delta approach), writing one line per record each time
//! its `lastUpdateDateTime` changes and never twice for the same (`id`, `lastUpdateDateTime`)
//! pair known to the checkpoint. The checkpoint is saved after each page's lines are flushed,
//! so a crash re-emits at most the lines written after the last save (at-least-once at the
//! edge). The watermark only moves when a poll completed, so a poll broken off half-way is
//! repeated from the same point. Transient failures back off and continue; an auth failure
//! that will not heal ends the follow with an error.

use super::checkpoint::Checkpoint;
use super::record;
use super::{ExportOptions, list_query, start_mode};
use crate::graph::error::{ErrorKind, GraphError};
use crate::graph::model::{Timestamp, split_verbatim_page};
use crate::graph::resources::{self, encode};
use crate::sync::api::{GraphApi, local_error};
use crate::sync::lister::{Lister, filter_clauses};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Longest wait between attempts after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// What to follow.
#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// Filters and alerts of the first pull (statuses and severities apply to every poll).
    pub export: ExportOptions,
    /// Follow alerts (`alerts_v2`) instead of incidents.
    pub alerts_feed: bool,
    /// Time between polls.
    pub interval: Duration,
    /// How far before the watermark each poll starts.
    pub overlap: Duration,
    /// Where the checkpoint is kept (`None`: in memory only).
    pub checkpoint: Option<PathBuf>,
}

/// Where the lines go. `maintain` runs before each poll writes (a file reopens itself there
/// after SIGHUP).
pub trait FollowOutput: Write {
    /// Housekeeping between polls.
    fn maintain(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> FollowOutput for io::LineWriter<W> {}

/// Health and progress, for one-line messages on stderr.
#[derive(Clone, Debug, PartialEq)]
pub enum FollowEvent {
    /// Following started (`resumed`: from a checkpoint's watermark).
    Started {
        resumed: bool,
        watermark: Option<String>,
    },
    /// A poll completed (`skipped`: records without an id or a readable
    /// `lastUpdateDateTime`, which cannot be followed).
    Polled {
        written: usize,
        seen: usize,
        skipped: usize,
        watermark: Option<String>,
    },
    /// A poll failed; the next attempt is in `retry_in`.
    Retrying {
        error: String,
        retry_in: Duration,
        failures: u32,
    },
    /// The checkpoint could not be saved (the next save retries; lines may repeat after a crash).
    CheckpointNotSaved { error: String },
}

/// Why a follow ended.
#[derive(Debug, PartialEq)]
pub enum FollowEnd {
    /// The reader closed the pipe: a quiet end.
    OutputClosed,
    /// `stop` resolved.
    Stopped,
}

/// Follows until `stop` resolves, the output is closed, or a failure that will not heal.
/// `cp` is the state to start from (a loaded checkpoint, or the default for a first run).
pub async fn run_follow<A: GraphApi>(
    api: Arc<A>,
    opts: FollowOptions,
    mut cp: Checkpoint,
    out: &mut dyn FollowOutput,
    events: &mut dyn FnMut(FollowEvent),
    stop: impl std::future::Future<Output = ()>,
) -> Result<FollowEnd, GraphError> {
    tokio::pin!(stop);
    events(FollowEvent::Started {
        resumed: cp.watermark.is_some(),
        watermark: cp.watermark.clone(),
    });
    let mut failures = 0u32;
    loop {
        // A stop during a poll ends it at once: what was written but not yet checkpointed is
        // written again by the next run (at least once), never lost.
        let polled = tokio::select! {
            () = &mut stop => {
                let _ = out.flush();
                return Ok(FollowEnd::Stopped);
            }
            polled = poll_once(&*api, &opts, &mut cp, out, events) => polled,
        };
        let wait = match polled {
            Ok(Some(end)) => return Ok(end),
            Ok(None) => {
                failures = 0;
                opts.interval
            }
            Err(e) if is_lasting(&e) => return Err(e),
            Err(e) => {
                failures += 1;
                let retry_in = backoff(&*api, opts.interval, failures);
                events(FollowEvent::Retrying {
                    error: e.to_string(),
                    retry_in,
                    failures,
                });
                retry_in
            }
        };
        tokio::select! {
            () = &mut stop => return Ok(FollowEnd::Stopped),
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// One complete poll. `Ok(Some(_))` when the output was closed.
async fn poll_once<A: GraphApi>(
    api: &A,
    opts: &FollowOptions,
    cp: &mut Checkpoint,
    out: &mut dyn FollowOutput,
    events: &mut dyn FnMut(FollowEvent),
) -> Result<Option<FollowEnd>, GraphError> {
    out.maintain().map_err(output_error)?;
    let overlap = i64::try_from(opts.overlap.as_secs()).unwrap_or(i64::MAX);
    let since = match cp.watermark() {
        Some(w) => Some(w.plus_seconds(-overlap)),
        None => opts.export.since,
    };
    let started = Timestamp::now();
    let mut pages = Pages::new(opts, since);
    let (mut written, mut seen, mut skipped) = (0usize, 0usize, 0usize);
    let mut newest = None::<Timestamp>;
    while let Some(records) = pages.next(api).await? {
        for raw in records {
            seen += 1;
            let head = Head::read(&raw);
            newest = newest.max(head.last_update.as_deref().and_then(Timestamp::parse));
            // Without an id and a readable time a record cannot be deduplicated: it would be
            // written again at every poll, so it is counted and left out.
            let (Some(id), Some(lu)) = (
                head.id,
                head.last_update.filter(|lu| Timestamp::parse(lu).is_some()),
            ) else {
                skipped += 1;
                continue;
            };
            if !cp.is_new(&id, &lu) {
                continue;
            }
            let include_alerts = opts.export.include_alerts && !opts.alerts_feed;
            let filled = record::with_alerts(api, raw, include_alerts).await?;
            match filled.write_line(out) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                    return Ok(Some(FollowEnd::OutputClosed));
                }
                Err(e) => return Err(output_error(e)),
            }
            cp.note(&id, &lu);
            written += 1;
        }
        match out.flush() {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                return Ok(Some(FollowEnd::OutputClosed));
            }
            Err(e) => return Err(output_error(e)),
        }
        save(opts, cp, events);
    }
    // A first poll over an empty window starts the watermark at the time it began.
    let mark = newest.or(if cp.watermark.is_none() {
        Some(started)
    } else {
        None
    });
    cp.advance(mark, overlap);
    save(opts, cp, events);
    events(FollowEvent::Polled {
        written,
        seen,
        skipped,
        watermark: cp.watermark.clone(),
    });
    Ok(None)
}

fn save(opts: &FollowOptions, cp: &Checkpoint, events: &mut dyn FnMut(FollowEvent)) {
    if let Some(path) = &opts.checkpoint
        && let Err(e) = cp.save(path)
    {
        events(FollowEvent::CheckpointNotSaved {
            error: format!("{}: {e}", path.display()),
        });
    }
}

/// The pages of one poll: incidents through the shared lister (with its `$expand` fallback),
/// or alerts from `alerts_v2`.
enum Pages {
    Incidents(Lister),
    Alerts(Option<String>),
}

impl Pages {
    fn new(opts: &FollowOptions, since: Option<Timestamp>) -> Pages {
        let export = ExportOptions {
            since,
            ..opts.export.clone()
        };
        if opts.alerts_feed {
            // Alert statuses are not incident statuses: only the severities apply.
            let filters = filter_clauses("lastUpdateDateTime", since, &[], &export.severities);
            let mut url = format!(
                "{}?$top={}",
                resources::ALERTS,
                export.page_size.unwrap_or(50).clamp(1, 1000)
            );
            if !filters.is_empty() {
                url.push_str("&$filter=");
                url.push_str(&encode(&filters.join(" and ")));
            }
            Pages::Alerts(Some(url))
        } else {
            Pages::Incidents(Lister::new(list_query(&export), start_mode(&export)))
        }
    }

    async fn next<A: GraphApi>(
        &mut self,
        api: &A,
    ) -> Result<Option<Vec<Box<RawValue>>>, GraphError> {
        match self {
            Pages::Incidents(lister) => lister.next_verbatim_page(api).await,
            Pages::Alerts(next) => {
                let Some(url) = next.take() else {
                    return Ok(None);
                };
                let body = api.get_raw(&url).await?;
                let page = split_verbatim_page(&body)
                    .map_err(|e| local_error(ErrorKind::Decode, "BadPage", e))?;
                *next = page.next_link.filter(|n| *n != url);
                Ok(Some(page.records))
            }
        }
    }
}

/// The two properties the follow needs from a record.
#[derive(Debug, Default, PartialEq)]
struct Head {
    id: Option<String>,
    last_update: Option<String>,
}

impl Head {
    fn read(raw: &RawValue) -> Head {
        #[derive(Deserialize)]
        struct H {
            #[serde(default)]
            id: Option<serde_json::Value>,
            #[serde(default, rename = "lastUpdateDateTime")]
            last_update: Option<serde_json::Value>,
        }
        let Ok(h) = serde_json::from_str::<H>(raw.get()) else {
            return Head::default();
        };
        Head {
            id: h.id.and_then(|v| match v {
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
            last_update: h.last_update.and_then(|v| v.as_str().map(str::to_owned)),
        }
    }
}

/// True for failures that waiting will not cure: credentials or consent refused by Entra ID,
/// a 401 after a fresh token, a 403, a local configuration or output error.
pub fn is_lasting(e: &GraphError) -> bool {
    match e.kind {
        ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::Config => true,
        ErrorKind::Auth => e
            .status
            .is_none_or(|s| (400..500).contains(&s) && s != 408 && s != 429),
        _ => false,
    }
}

/// The wait after `failures` failures in a row: the throttle's end when the client is waiting
/// one out, otherwise doubling from the interval up to [`MAX_BACKOFF`] (or the interval).
fn backoff<A: GraphApi>(api: &A, interval: Duration, failures: u32) -> Duration {
    if let Some(until) = api.throttled_until() {
        let left = until.as_second() - Timestamp::now().as_second();
        if left > 0 {
            return Duration::from_secs(u64::try_from(left).unwrap_or(1)).min(MAX_BACKOFF);
        }
    }
    interval
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(MAX_BACKOFF.max(interval))
}

fn output_error(e: io::Error) -> GraphError {
    GraphError {
        kind: ErrorKind::Config,
        status: None,
        code: "OutputError".into(),
        message: format!("cannot write the export: {e}"),
        request_id: None,
        date: None,
    }
}

#[cfg(test)]
mod tests;
