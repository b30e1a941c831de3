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
                crate::start::console::human_age(age)
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
    let Ok(Ok(snap)) = tokio::task::spawn_blocking(move || cache::load(&full_path, &profile)).await
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
                    && e.server().last_update_date_time <= i.last_update_date_time
            }
        })
        .collect();
    if !missing.is_empty() {
        store.load_snapshot(missing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Identity;

    fn inc(id: &str, updated: &str, title: &str, alerts: bool) -> Incident {
        serde_json::from_value(serde_json::json!({
            "id": id, "status": "active", "severity": "high", "displayName": title,
            "lastUpdateDateTime": updated,
            "alerts": if alerts { serde_json::json!([{"id": format!("a{id}"), "title": "x"}]) }
                      else { serde_json::Value::Null }
        }))
        .unwrap()
    }

    /// Full snapshot of incidents 1..=3 (with alerts) and its head on disk.
    fn write_cache(dir: &Path) -> PathBuf {
        let full = cache::path_for(dir, "p");
        let snap = Snapshot {
            saved_at: Timestamp::now(),
            profile: "p".into(),
            watermark: None,
            incidents: ["1", "2", "3"]
                .iter()
                .map(|id| inc(id, "2026-01-01T00:00:00Z", "cached", true))
                .collect(),
        };
        cache::save(&full, &snap).unwrap();
        cache::save_head(
            &cache::head_path(&full),
            &cache::head_of(&snap, &["1".into()]),
        )
        .unwrap();
        full
    }

    fn title(store: &Store, id: &str) -> String {
        store.incident(id).unwrap().incident.title().to_string()
    }

    #[tokio::test]
    async fn paints_from_the_head_then_applies_the_full_snapshot_without_overwriting_the_engine() {
        let dir = tempfile::tempdir().unwrap();
        let full = write_cache(dir.path());
        let mut store = Store::new(Identity::new(["me"]));
        let start = load_cache(&mut store, &full, "p");
        // First paint: every incident, alerts only for the first screen, notice shown.
        assert_eq!(store.len(), 3);
        assert!(store.incident("1").unwrap().alerts_loaded);
        assert!(!store.incident("3").unwrap().alerts_loaded);
        assert!(start.notices[0].contains("Showing 3 cached incidents"));
        assert!(start.full.is_some());

        // The engine already sent a newer incident 2 before the snapshot is merged.
        let (etx, erx) = mpsc::unbounded_channel();
        etx.send(Update::Incidents {
            items: vec![inc("2", "2026-02-01T00:00:00Z", "live", false)],
            source: UpsertSource::Initial,
        })
        .unwrap();
        let (mut rx, state) = merge(erx, start.full, start.head_versions);
        drop(etx);
        while let Some(u) = rx.recv().await {
            store.apply(u);
        }
        assert_eq!(title(&store, "2"), "live");
        assert!(!store.incident("2").unwrap().alerts_loaded);
        assert!(
            store.incident("3").unwrap().alerts_loaded,
            "full snapshot applied"
        );
        let s = state.lock().unwrap();
        assert!(s.complete);
        assert!(!s.with_alerts.contains(&"2".to_string()));
        assert!(s.with_alerts.contains(&"3".to_string()));
    }

    #[tokio::test]
    async fn an_engine_update_after_the_snapshot_still_wins() {
        let dir = tempfile::tempdir().unwrap();
        let full = write_cache(dir.path());
        let mut store = Store::new(Identity::new(["me"]));
        let start = load_cache(&mut store, &full, "p");
        let (etx, erx) = mpsc::unbounded_channel();
        let (mut rx, _state) = merge(erx, start.full, start.head_versions);
        // Wait for the snapshot to come through, then the engine speaks.
        let first = rx.recv().await.unwrap();
        assert!(matches!(&first, Update::Incidents { items, .. } if items.len() == 3));
        store.apply(first);
        etx.send(Update::Incidents {
            items: vec![inc("3", "2026-02-01T00:00:00Z", "live", false)],
            source: UpsertSource::Initial,
        })
        .unwrap();
        drop(etx);
        while let Some(u) = rx.recv().await {
            store.apply(u);
        }
        assert_eq!(title(&store, "3"), "live");
    }

    #[tokio::test]
    async fn quitting_before_the_snapshot_is_applied_keeps_the_full_cache() {
        let dir = tempfile::tempdir().unwrap();
        let full = write_cache(dir.path());
        let mut store = Store::new(Identity::new(["me"]));
        let start = load_cache(&mut store, &full, "p");
        let (_etx, erx) = mpsc::unbounded_channel();
        let (rx, state) = merge(erx, start.full, start.head_versions);
        drop(rx); // the UI quit without applying anything
        assert!(!store.incident("3").unwrap().alerts_loaded);
        complete_before_save(&mut store, &state, full.clone(), "p").await;
        assert!(store.incident("2").unwrap().alerts_loaded);
        assert!(store.incident("3").unwrap().alerts_loaded);
        assert_eq!(store.snapshot().len(), 3);
    }

    #[tokio::test]
    async fn a_head_without_a_full_file_still_paints() {
        let dir = tempfile::tempdir().unwrap();
        let full = write_cache(dir.path());
        std::fs::remove_file(&full).unwrap();
        let mut store = Store::new(Identity::new(["me"]));
        let start = load_cache(&mut store, &full, "p");
        assert_eq!(store.len(), 3);
        assert!(start.full.is_none());
    }
}
