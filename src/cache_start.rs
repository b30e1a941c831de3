//! Instant start from the snapshot cache: paint from the small head synchronously, load the
//! full snapshot on a blocking thread and merge it into the engine's update stream, so the
//! engine's live data always wins over the older cache.

use crate::cache::{self, LoadError, Snapshot};
use crate::graph::model::{Incident, Timestamp};
use crate::store::Store;
use crate::sync::{Update, UpsertSource};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::task::JoinHandle;

/// Rows of the default view whose alerts the head keeps (two screens).
pub const HEAD_ALERT_ROWS: usize = 100;
/// Incidents per `Update` when the full snapshot is handed to the UI (keeps frames flowing).
const CHUNK: usize = 500;

/// The full snapshot being loaded on a blocking thread.
pub type FullLoad = JoinHandle<Result<Snapshot, LoadError>>;

/// What [`load_cache`] started.
pub struct CacheStart {
    /// Messages for the console (cache age, discarded files).
    pub notices: Vec<String>,
    /// The full snapshot loading in the background, when there is one on disk.
    pub full: Option<FullLoad>,
    /// `lastUpdateDateTime` of every incident painted from the head.
    pub head_versions: HashMap<String, Option<Timestamp>>,
}

/// Loads the head into `store` (fast) and starts loading the full snapshot at `full_path` on a
/// blocking thread. Must run inside a tokio runtime.
pub fn load_cache(store: &mut Store, full_path: &Path, profile: &str) -> CacheStart {
    let mut start = CacheStart {
        notices: Vec::new(),
        full: None,
        head_versions: HashMap::new(),
    };
    let head_path = cache::head_path(full_path);
    match cache::load_head(&head_path, profile) {
        Ok(head) => {
            let age = Timestamp::now().as_second() - head.saved_at.as_second();
            let n = head.incidents.len();
            start.head_versions = head
                .incidents
                .iter()
                .map(|i| (i.id.clone(), i.last_update_date_time))
                .collect();
            store.load_snapshot(head.incidents);
            start.notices.push(format!(
                "Showing {n} cached incidents from {} ago; syncing…",
                crate::console::human_age(age)
            ));
        }
        Err(LoadError::Missing) => {}
        Err(LoadError::Discarded(why)) => {
            start
                .notices
                .push(format!("Discarded the snapshot cache head ({why})"));
        }
    }
    if full_path.exists() {
        if start.head_versions.is_empty() {
            start
                .notices
                .push("Loading cached incidents in the background; syncing…".into());
        }
        let (path, profile) = (full_path.to_path_buf(), profile.to_string());
        start.full = Some(tokio::task::spawn_blocking(move || {
            cache::load(&path, &profile)
        }));
    }
    start
}

/// How far the full snapshot got towards the UI.
#[derive(Debug, Default)]
pub struct Forwarded {
    /// The full load finished and every chunk of it was handed to the UI channel.
    pub complete: bool,
    /// Ids handed over with their alerts (to check at exit that the UI applied them).
    pub with_alerts: Vec<String>,
}

/// Merges the engine's updates and the full snapshot into one stream for the UI. Incidents the
/// engine has already sent, and head incidents newer than their cached copy, are left out of
/// the snapshot; anything the engine sends later is applied after it, so live data wins.
pub fn merge(
    mut engine: UnboundedReceiver<Update>,
    full: Option<FullLoad>,
    head_versions: HashMap<String, Option<Timestamp>>,
) -> (UnboundedReceiver<Update>, Arc<Mutex<Forwarded>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let state = Arc::new(Mutex::new(Forwarded {
        complete: full.is_none(),
        with_alerts: Vec::new(),
    }));
    let shared = state.clone();
    tokio::spawn(async move {
        let mut seen: HashSet<String> = HashSet::new();
        let mut full = full;
        let mut engine_open = true;
        while engine_open || full.is_some() {
            tokio::select! {
                biased;
                u = engine.recv(), if engine_open => match u {
                    Some(u) => {
                        note_ids(&u, &mut seen);
                        if tx.send(u).is_err() {
                            return;
                        }
                    }
                    None => engine_open = false,
                },
                r = async {
                    match full.as_mut() {
                        Some(h) => h.await,
                        None => std::future::pending().await,
                    }
                }, if full.is_some() => {
                    full = None;
                    let items = match r {
                        Ok(Ok(snap)) => fresh(snap.incidents, &seen, &head_versions),
                        Ok(Err(LoadError::Missing)) => Vec::new(),
                        Ok(Err(LoadError::Discarded(why))) => {
                            let message = format!("Discarded the snapshot cache ({why})");
                            let _ = tx.send(Update::Error { message });
                            Vec::new()
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "snapshot cache loader failed");
                            Vec::new()
                        }
                    };
                    let mut sent = Vec::new();
                    let mut items = items.into_iter().peekable();
                    while items.peek().is_some() {
                        let chunk: Vec<Incident> = items.by_ref().take(CHUNK).collect();
                        sent.extend(chunk.iter().filter(|i| i.alerts.is_some()).map(|i| i.id.clone()));
                        let update = Update::Incidents { items: chunk, source: UpsertSource::Initial };
                        if tx.send(update).is_err() {
                            return;
                        }
                    }
                    if let Ok(mut s) = shared.lock() {
                        s.with_alerts = sent;
                        s.complete = true;
                    }
                }
            }
        }
    });
    (rx, state)
}

/// Cached incidents the engine has not sent and the head does not hold in a newer version.
fn fresh(
    incidents: Vec<Incident>,
    seen: &HashSet<String>,
    head: &HashMap<String, Option<Timestamp>>,
) -> Vec<Incident> {
    incidents
        .into_iter()
        .filter(|i| !seen.contains(&i.id))
        .filter(|i| match head.get(&i.id) {
            Some(h) => *h <= i.last_update_date_time,
            None => true,
        })
        .collect()
}

/// Records the incident ids an engine update carries.
fn note_ids(u: &Update, seen: &mut HashSet<String>) {
    match u {
        Update::Incidents { items, .. } => seen.extend(items.iter().map(|i| i.id.clone())),
        Update::Alerts { incident_id, .. } => {
            seen.insert(incident_id.clone());
        }
        Update::IncidentWritten { incident, .. } => {
            seen.insert(incident.id.clone());
        }
        Update::Conflict { server, .. } => {
            seen.insert(server.id.clone());
        }
        _ => {}
    }
}

/// Before saving at exit: when the UI quit before it applied the whole full snapshot, adds
/// from the file on disk what the store is missing, so saving never loses the full cache.
pub async fn complete_before_save(
    store: &mut Store,
    state: &Mutex<Forwarded>,
    full_path: PathBuf,
    profile: &str,
) {
    let applied = state.lock().ok().is_some_and(|s| {
        s.complete
            && s.with_alerts
                .iter()
                .all(|id| store.incident(id).is_some_and(|e| e.alerts_loaded))
    });
    if applied {
        return;
    }
    let profile = profile.to_string();
    let Ok(Ok(snap)) =
        tokio::task::spawn_blocking(move || cache::load(&full_path, &profile)).await
    else {
        return;
    };
    let missing: Vec<Incident> = snap
        .incidents
        .into_iter()
        .filter(|i| match store.incident(&i.id) {
            None => true,
            Some(e) => {
                !e.alerts_loaded
                    && i.alerts.is_some()
                    && e.server.last_update_date_time <= i.last_update_date_time
            }
        })
        .collect();
    if !missing.is_empty() {
        store.load_snapshot(missing);
    }
}
