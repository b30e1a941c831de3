//! Instant start: before any network request the most recently updated incidents are read
//! from the profile's database (rows only, [`FIRST_ROWS`] of them) and marked seen; the engine
//! then sends the rest, with every incident's alerts, in chunks (`sync::persist`), and resumes
//! from the stored watermark. The first start after an upgrade imports the old snapshot file
//! once (`db::snapshot_import`).

use crate::db::{Db, incidents, snapshot_import, watermark};
use crate::graph::model::Timestamp;
use crate::store::Store;
use std::path::Path;

/// Rows read before the first frame (a few screens of the default, most-recent-first view).
pub const FIRST_ROWS: usize = 500;

/// Fills `store` from `db` (importing an old snapshot first, once); returns notices for the
/// analyst. Nothing here fails the start: a problem becomes a notice.
pub fn paint_from_db(store: &mut Store, db: &Db, state_dir: &Path, profile: &str) -> Vec<String> {
    let mut notices = Vec::new();
    match snapshot_import::import_once(db, state_dir, profile) {
        Ok(Some(line)) => notices.push(line),
        Ok(None) => {}
        Err(e) => notices.push(format!("Could not import the old snapshot cache: {e}")),
    }
    let rows = match incidents::load_recent(db, FIRST_ROWS) {
        Ok(rows) => rows,
        Err(e) => {
            notices.push(format!(
                "Could not read incidents from the local database: {e}"
            ));
            return notices;
        }
    };
    if rows.is_empty() {
        return notices;
    }
    store.load_snapshot(rows);
    let n = incidents::count(db).unwrap_or(0);
    let age = match watermark::load(db) {
        Ok(Some(w)) => format!(
            " synced {} ago",
            crate::start::console::human_age(Timestamp::now().as_second() - w.saved_at.as_second())
        ),
        _ => String::new(),
    };
    notices.push(format!("Showing {n} stored incidents{age}; syncing…"));
    notices
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::Incident;
    use crate::store::Identity;

    fn inc(id: &str, alerts: bool) -> Incident {
        serde_json::from_value(serde_json::json!({
            "id": id, "status": "active", "severity": "high", "displayName": "cached",
            "lastUpdateDateTime": "2026-01-01T00:00:00Z",
            "alerts": if alerts { serde_json::json!([{"id": format!("a{id}"), "title": "x"}]) }
                      else { serde_json::Value::Null }
        }))
        .unwrap()
    }

    #[test]
    fn the_queue_is_painted_from_the_database_without_alerts() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in_memory().unwrap();
        incidents::write_incidents(&db, &[inc("1", true), inc("2", false), inc("3", true)])
            .unwrap();
        watermark::save(&db, Timestamp::now()).unwrap();
        let mut store = Store::new(Identity::new(["me"]));
        let notices = paint_from_db(&mut store, &db, dir.path(), "p");
        assert_eq!(store.len(), 3);
        assert!(
            !store.incident("1").unwrap().alerts_loaded,
            "alerts stay on disk"
        );
        assert!(
            notices[0].contains("Showing 3 stored incidents synced"),
            "{notices:?}"
        );
    }

    #[test]
    fn an_empty_database_paints_nothing_and_says_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in_memory().unwrap();
        let mut store = Store::new(Identity::new(["me"]));
        assert!(paint_from_db(&mut store, &db, dir.path(), "p").is_empty());
        assert!(store.is_empty());
    }
}
