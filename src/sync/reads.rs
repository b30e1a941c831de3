//! The engine's read sub-tasks: one listing run (initial load or delta poll) and single
//! incident reads with the beta fallback.

use super::api::{GraphApi, is_network, is_rejection};
use super::internal::{Internal, RunKind, RunStats};
use super::lazy::LazyItem;
use super::lister::{Lister, get_incident};
use super::messages::{Update, UpsertSource};
use super::persist::store_incidents;
use crate::db::Db;
use crate::graph::error::GraphError;
use crate::graph::model::Timestamp;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

/// One listing (initial load or delta poll), page by page.
pub(crate) async fn run_listing<A: GraphApi>(
    api: Arc<A>,
    kind: RunKind,
    mut lister: Lister,
    ui: UnboundedSender<Update>,
    internal: UnboundedSender<Internal>,
    loader: UnboundedSender<Vec<LazyItem>>,
    db: Option<Db>,
) {
    let started = Timestamp::now();
    let clock = Instant::now();
    let requests_before = api.requests();
    let source = if kind == RunKind::Initial {
        UpsertSource::Initial
    } else {
        UpsertSource::Delta
    };
    let mut mode = lister.mode();
    let (mut pages, mut total, mut max_update) = (0u32, 0usize, None::<Timestamp>);
    let result = loop {
        let page = lister.next_page(&*api).await;
        if lister.mode() != mode {
            mode = lister.mode();
            let _ = internal.send(Internal::Mode(mode));
        }
        match page {
            Ok(Some(page)) => {
                let _ = internal.send(Internal::RequestOk);
                pages += 1;
                total += page.items.len();
                max_update = page
                    .items
                    .iter()
                    .filter_map(|i| i.last_update_date_time)
                    .max()
                    .max(max_update);
                if !page.bad.is_empty() {
                    let ids: Vec<String> = page.bad.iter().filter_map(|b| b.id.clone()).collect();
                    let unidentified = page.bad.len() - ids.len();
                    let _ = internal.send(Internal::BadIds { ids, unidentified });
                    let context = format!("incidents page {pages}");
                    let _ = ui.send(Update::BadRecords {
                        context,
                        records: page.bad,
                    });
                }
                let (unknown, clean): (Vec<_>, Vec<_>) =
                    page.items.iter().partition(|i| i.holds_unknown_enum());
                let _ = internal.send(Internal::EnumsListed {
                    unknown: unknown.into_iter().map(|i| i.id.clone()).collect(),
                    clean: clean.into_iter().map(|i| i.id.clone()).collect(),
                });
                let lazy: Vec<LazyItem> = page
                    .items
                    .iter()
                    .filter(|i| i.alerts.is_none())
                    .map(LazyItem::of)
                    .collect();
                if !page.items.is_empty() {
                    // On disk before on screen: one transaction per page.
                    store_incidents(db.as_ref(), &page.items);
                    let _ = ui.send(Update::Incidents {
                        items: page.items,
                        source,
                    });
                }
                if !lazy.is_empty() {
                    let _ = loader.send(lazy);
                }
                let _ = internal.send(Internal::Progress {
                    pages,
                    items: total,
                });
            }
            Ok(None) => {
                break Ok(RunStats {
                    total,
                    max_update,
                    started,
                    elapsed: clock.elapsed(),
                    requests: api.requests().saturating_sub(requests_before),
                });
            }
            Err(e) => break Err(e),
        }
    };
    let _ = internal.send(Internal::RunDone { kind, result });
}

/// Reports a failed on-demand read.
pub(crate) fn report_load_error(
    ui: &UnboundedSender<Update>,
    internal: &UnboundedSender<Internal>,
    what: String,
    e: GraphError,
) {
    let _ = ui.send(Update::Error {
        message: format!("could not load the {what}: {e}"),
    });
    let health = if is_network(&e) {
        Internal::NetFailure(e)
    } else {
        Internal::RequestOk
    };
    let _ = internal.send(health);
}

/// `LoadIncident`: beta first when asked (Defender Experts fields), v1.0 when beta is refused.
pub(crate) async fn load_incident<A: GraphApi>(
    api: Arc<A>,
    id: String,
    beta: bool,
    beta_unavailable: Arc<AtomicBool>,
    ui: UnboundedSender<Update>,
    internal: UnboundedSender<Internal>,
    db: Option<Db>,
) {
    if beta && !beta_unavailable.load(Ordering::Relaxed) {
        match get_incident(&*api, &id, true, true).await {
            Ok(incident) => {
                let _ = internal.send(Internal::RequestOk);
                reread(&internal, &incident);
                store_incidents(db.as_ref(), std::slice::from_ref(&incident));
                let _ = ui.send(Update::Incidents {
                    items: vec![incident],
                    source: UpsertSource::Single,
                });
                return;
            }
            Err(e) if is_rejection(&e) => {
                beta_unavailable.store(true, Ordering::Relaxed);
                let note = format!(
                    "Defender Experts fields unavailable (beta API: {e}); showing v1.0 data"
                );
                let _ = internal.send(Internal::Note(note));
            }
            Err(e) => return report_load_error(&ui, &internal, format!("incident {id}"), e),
        }
    }
    match get_incident(&*api, &id, false, true).await {
        Ok(incident) => {
            let _ = internal.send(Internal::RequestOk);
            reread(&internal, &incident);
            store_incidents(db.as_ref(), std::slice::from_ref(&incident));
            let _ = ui.send(Update::Incidents {
                items: vec![incident],
                source: UpsertSource::Single,
            });
        }
        Err(e) => report_load_error(&ui, &internal, format!("incident {id}"), e),
    }
}

/// Tells the engine whether a single read still holds unknown enum members.
fn reread(internal: &UnboundedSender<Internal>, incident: &crate::graph::model::Incident) {
    let _ = internal.send(Internal::EnumsReread {
        id: incident.id.clone(),
        unknown: incident.holds_unknown_enum(),
    });
}
