//! The one-time import of the snapshot files older vigils wrote at quit
//! (`snapshot-<profile>.json` and its small `head-<profile>.json`): their incidents, alerts and
//! watermark go into the database, the import is recorded in `migrated`, and both files are
//! deleted. A corrupt, foreign or old-format file is deleted with a log line, never a crash.

use super::{Db, DbError, incidents};
use crate::graph::model::{Incident, Timestamp};
use rusqlite::OptionalExtension;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The `migrated.what` of this import.
pub const WHAT: &str = "snapshot";
/// The last snapshot layout vigil wrote.
const FORMAT_VERSION: u32 = 1;
const MAGIC: &str = "vigil-snapshot";

/// The snapshot file's contents (the parts the import needs).
#[derive(Debug, Deserialize)]
pub struct Snapshot {
    pub saved_at: Timestamp,
    /// Profile (or "demo") the data belongs to; another profile's snapshot is not imported.
    pub profile: String,
    pub watermark: Option<Timestamp>,
    pub incidents: Vec<Incident>,
}

#[derive(Deserialize)]
struct Envelope {
    format: String,
    version: u32,
    snapshot: Snapshot,
}

/// Where older vigils kept the snapshot of `profile`.
pub fn path_for(state_dir: &Path, profile: &str) -> PathBuf {
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    state_dir.join(format!("snapshot-{safe}.json"))
}

/// The head file beside a snapshot (`snapshot-X.json` → `head-X.json`).
pub fn head_path(full: &Path) -> PathBuf {
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let head = match name.strip_prefix("snapshot-") {
        Some(rest) => format!("head-{rest}"),
        None => format!("head-{name}"),
    };
    full.with_file_name(head)
}

/// Reads a snapshot file of `profile`; `Err` says why it is not usable.
pub fn read(path: &Path, profile: &str) -> Result<Snapshot, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("unreadable: {e}"))?;
    let env: Envelope = serde_json::from_slice(&bytes).map_err(|e| format!("corrupt: {e}"))?;
    if env.format != MAGIC {
        return Err(format!("not a {MAGIC} file ({:?})", env.format));
    }
    if env.version != FORMAT_VERSION {
        return Err(format!("old format version {}", env.version));
    }
    if env.snapshot.profile != profile {
        return Err(format!("belongs to profile {:?}", env.snapshot.profile));
    }
    Ok(env.snapshot)
}

/// Imports the snapshot of `profile` in `state_dir` once. Returns a line for the analyst when
/// something was imported or discarded; `Ok(None)` when there was nothing to do.
pub fn import_once(db: &Db, state_dir: &Path, profile: &str) -> Result<Option<String>, DbError> {
    let done: Option<String> = db.with(|c| {
        c.query_row("SELECT at FROM migrated WHERE what = ?1", [WHAT], |r| {
            r.get(0)
        })
        .optional()
    })?;
    let full = path_for(state_dir, profile);
    let head = head_path(&full);
    if done.is_some() {
        // Left by an older vigil run after the import: never read again.
        remove_files(&full, &head);
        return Ok(None);
    }
    let message = if full.exists() {
        match read(&full, profile) {
            Ok(snap) => {
                let n = snap.incidents.len();
                // Pages of 500 keep each transaction (and the memory it needs) small.
                for page in snap.incidents.chunks(500) {
                    incidents::write_incidents(db, page)?;
                }
                if let Some(w) = snap.watermark {
                    // Saved at the snapshot's time, so a stale one means a full load.
                    db.with(|c| {
                        c.execute(
                            "INSERT OR REPLACE INTO meta(key, value) VALUES
                                 ('watermark', ?1), ('watermark_saved_at', ?2)",
                            [w.to_graph(), snap.saved_at.to_graph()],
                        )
                    })?;
                }
                Some(format!(
                    "Imported {n} incidents from the old snapshot cache into the local database"
                ))
            }
            Err(why) => {
                tracing::warn!(path = %full.display(), reason = %why, "old snapshot not imported");
                Some(format!("Discarded the old snapshot cache ({why})"))
            }
        }
    } else {
        None
    };
    db.with(|c| {
        c.execute(
            "INSERT OR REPLACE INTO migrated(what, at) VALUES (?1, ?2)",
            [WHAT, &Timestamp::now().to_graph()],
        )
    })?;
    remove_files(&full, &head);
    Ok(message)
}

fn remove_files(full: &Path, head: &Path) {
    for p in [full, head] {
        if p.exists()
            && let Err(e) = std::fs::remove_file(p)
        {
            tracing::warn!(path = %p.display(), error = %e, "could not delete an old snapshot file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::watermark;

    fn write_snapshot(dir: &Path, profile: &str) -> PathBuf {
        let full = path_for(dir, "contoso/prod");
        let body = serde_json::json!({
            "format": "vigil-snapshot", "version": 1,
            "snapshot": {
                "saved_at": "2026-11-20T11:00:00Z", "profile": profile,
                "watermark": "2026-11-20T10:00:00.1234567Z",
                "incidents": [{
                    "id": "42", "status": "active", "severity": "high", "displayName": "t",
                    "lastUpdateDateTime": "2026-11-20T10:00:00.1234567Z",
                    "alerts": [{"id": "a1", "title": "x", "evidence": [
                        {"@odata.type": "#microsoft.graph.security.futureEvidence", "z": 1}]}]
                }]
            }
        });
        std::fs::write(&full, serde_json::to_vec(&body).unwrap()).unwrap();
        std::fs::write(head_path(&full), b"{}").unwrap();
        full
    }

    #[test]
    fn a_snapshot_is_imported_once_then_its_files_are_gone() {
        let dir = tempfile::tempdir().unwrap();
        let full = write_snapshot(dir.path(), "contoso/prod");
        assert!(
            full.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .contains("contoso_prod")
        );
        let db = Db::open_in_memory().unwrap();
        let said = import_once(&db, dir.path(), "contoso/prod")
            .unwrap()
            .unwrap();
        assert!(said.contains("Imported 1 incidents"), "{said}");
        assert!(!full.exists() && !head_path(&full).exists());
        let rows = incidents::load_incidents(&db).unwrap();
        assert_eq!(rows[0].id, "42");
        let alerts = incidents::load_alerts(&db, "42").unwrap().unwrap();
        assert_eq!(alerts[0].evidence[0].raw()["z"], 1);
        let w = watermark::load(&db).unwrap().unwrap();
        assert_eq!(
            w.at,
            Timestamp::parse("2026-11-20T10:00:00.1234567Z").unwrap()
        );
        assert_eq!(
            w.saved_at,
            Timestamp::parse("2026-11-20T11:00:00Z").unwrap()
        );

        // A file an older vigil wrote again later is deleted, not imported.
        write_snapshot(dir.path(), "contoso/prod");
        incidents::prune_before(&db, Timestamp::now()).unwrap();
        assert_eq!(import_once(&db, dir.path(), "contoso/prod").unwrap(), None);
        assert!(!full.exists());
        assert_eq!(incidents::count(&db).unwrap(), 0);
    }

    #[test]
    fn corrupt_old_and_foreign_snapshots_are_discarded_not_imported() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in_memory().unwrap();
        assert_eq!(
            import_once(&db, dir.path(), "p").unwrap(),
            None,
            "nothing there"
        );

        let full = write_snapshot(dir.path(), "someone-else");
        let p = path_for(dir.path(), "p");
        std::fs::rename(&full, &p).unwrap();
        db.with(|c| c.execute("DELETE FROM migrated", [])).unwrap();
        let said = import_once(&db, dir.path(), "p").unwrap().unwrap();
        assert!(said.contains("profile"), "{said}");
        assert!(!p.exists());
        assert_eq!(incidents::count(&db).unwrap(), 0);

        for (body, why) in [
            (&b"{\"format\": \"vigil-snap"[..], "corrupt"),
            (
                &br#"{"format":"vigil-snapshot","version":0,"snapshot":{"saved_at":"2026-11-20T11:00:00Z","profile":"p","watermark":null,"incidents":[]}}"#[..],
                "old format",
            ),
        ] {
            db.with(|c| c.execute("DELETE FROM migrated", [])).unwrap();
            std::fs::write(&p, body).unwrap();
            let said = import_once(&db, dir.path(), "p").unwrap().unwrap();
            assert!(said.contains(why), "{said}");
            assert!(!p.exists());
        }
    }
}
