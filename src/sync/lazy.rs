//! Background alert loading for [`AlertsMode::Lazy`](super::messages::AlertsMode::Lazy):
//! per-incident `GET /incidents/{id}?$expand=alerts`, newest incidents first, at most two at
//! a time.

use super::api::{GraphApi, is_network};
use super::internal::Internal;
use super::lister::get_incident_alerts;
use super::messages::Update;
use crate::graph::model::{Incident, Timestamp};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

/// Requests in flight at once.
const CONCURRENCY: usize = 2;

/// An incident waiting for its alerts, ordered newest first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LazyItem {
    /// Creation time (newest loads first), falling back to the last update.
    pub created: Option<Timestamp>,
    pub id: String,
}

impl LazyItem {
    /// The queue key of an incident.
    pub fn of(i: &Incident) -> Self {
        LazyItem {
            created: i.created_date_time.or(i.last_update_date_time),
            id: i.id.clone(),
        }
    }
}

/// Runs until the sender side closes and the queue drains (or the task is aborted).
pub(crate) async fn run<A: GraphApi>(
    api: Arc<A>,
    mut rx: UnboundedReceiver<Vec<LazyItem>>,
    ui: UnboundedSender<Update>,
    internal: UnboundedSender<Internal>,
    db: Option<crate::db::Db>,
) {
    let mut heap: BinaryHeap<LazyItem> = BinaryHeap::new();
    let mut queued: HashSet<String> = HashSet::new();
    let mut in_flight = FuturesUnordered::new();
    let mut pause: Option<tokio::time::Instant> = None;
    let mut backoff = Duration::from_secs(5);
    let mut open = true;
    loop {
        if pause.is_none_or(|p| p <= tokio::time::Instant::now()) {
            pause = None;
            while in_flight.len() < CONCURRENCY {
                let Some(item) = heap.pop() else { break };
                queued.remove(&item.id);
                let api = api.clone();
                in_flight.push(async move {
                    let res = get_incident_alerts(&*api, &item.id).await;
                    (item, res)
                });
            }
        }
        if !open && in_flight.is_empty() && heap.is_empty() {
            return;
        }
        let sleep_until =
            pause.unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            batch = rx.recv(), if open => match batch {
                Some(items) => {
                    for item in items {
                        if queued.insert(item.id.clone()) {
                            heap.push(item);
                        }
                    }
                }
                None => open = false,
            },
            Some((item, res)) = in_flight.next(), if !in_flight.is_empty() => match res {
                Ok(alerts) => {
                    backoff = Duration::from_secs(5);
                    let _ = internal.send(Internal::RequestOk);
                    super::persist::store_alerts(db.as_ref(), &item.id, &alerts);
                    let _ = ui.send(Update::Alerts { incident_id: item.id, alerts });
                }
                Err(e) if is_network(&e) => {
                    // Keep it and wait before trying more.
                    if queued.insert(item.id.clone()) {
                        heap.push(item);
                    }
                    pause = Some(tokio::time::Instant::now() + backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(120));
                    let _ = internal.send(Internal::NetFailure(e));
                }
                Err(e) => {
                    let _ = ui.send(Update::Error { message: format!("could not load the alerts of incident {}: {e}", item.id) });
                }
            },
            _ = tokio::time::sleep_until(sleep_until), if pause.is_some() => {}
        }
    }
}
