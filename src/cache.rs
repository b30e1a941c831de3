//! The on-disk snapshot of the last sync (incidents with alerts and the watermark), so the
//! console paints immediately on start and syncs in the background (issue: instant start).
//!
//! Two files per profile: the full snapshot (every incident with alerts and evidence; large,
//! loaded in the background) and a small *head* (every incident without alerts, except the
//! first screens of the default view, which keep theirs) that is loaded synchronously so the
//! first frame is faithful and quick.
//!
//! Both are versioned, written atomically (temp file + fsync + rename) with mode 0600. A corrupt,
//! foreign or old-format file is discarded with a log line, never a crash.

use crate::graph::model::{Incident, Timestamp};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};

/// Bumped whenever the layout changes; older files are discarded.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &str = "vigil-snapshot";
const HEAD_MAGIC: &str = "vigil-snapshot-head";

/// What is stored.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Snapshot {
    pub saved_at: Timestamp,
    /// Profile (or "demo") the data belongs to; a snapshot of another profile is never shown.
    pub profile: String,
    pub watermark: Option<Timestamp>,
    pub incidents: Vec<Incident>,
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    format: String,
    version: u32,
    snapshot: T,
}

/// Why a snapshot was not loaded.
#[derive(Debug, PartialEq)]
pub enum LoadError {
    /// No file: the first start.
    Missing,
    /// The file exists but is not usable; it has been removed.
    Discarded(String),
}

/// Location of the snapshot for a profile inside the state directory.
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

/// Location of the head file next to the full snapshot at `full` (`snapshot-X.json` →
/// `head-X.json`).
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

/// The head of `snapshot`: every incident, without alerts except those whose id is in
/// `with_alerts` (the first screens of the default view).
pub fn head_of(snapshot: &Snapshot, with_alerts: &[String]) -> Snapshot {
    let keep: std::collections::HashSet<&str> = with_alerts.iter().map(String::as_str).collect();
    let incidents = snapshot
        .incidents
        .iter()
        .map(|i| {
            if keep.contains(i.id.as_str()) {
                i.clone()
            } else {
                Incident {
                    alerts: None,
                    ..i.clone()
                }
            }
        })
        .collect();
    Snapshot {
        saved_at: snapshot.saved_at,
        profile: snapshot.profile.clone(),
        watermark: snapshot.watermark,
        incidents,
    }
}

/// Writes the snapshot atomically with mode 0600.
pub fn save(path: &Path, snapshot: &Snapshot) -> io::Result<()> {
    save_as(path, snapshot, MAGIC)
}

/// Writes a head (see [`head_of`]) atomically with mode 0600.
pub fn save_head(path: &Path, head: &Snapshot) -> io::Result<()> {
    save_as(path, head, HEAD_MAGIC)
}

fn save_as(path: &Path, snapshot: &Snapshot, magic: &str) -> io::Result<()> {
    let env = Envelope {
        format: magic.to_string(),
        version: FORMAT_VERSION,
        snapshot,
    };
    let bytes = serde_json::to_vec(&env).map_err(io::Error::other)?;
    crate::paths::write_private_atomic(path, &bytes)
}

/// Loads a snapshot for `profile`. Anything unusable is deleted and reported as `Discarded`.
pub fn load(path: &Path, profile: &str) -> Result<Snapshot, LoadError> {
    load_as(path, profile, MAGIC)
}

/// Loads a head for `profile`, like [`load`].
pub fn load_head(path: &Path, profile: &str) -> Result<Snapshot, LoadError> {
    load_as(path, profile, HEAD_MAGIC)
}

fn load_as(path: &Path, profile: &str, magic: &str) -> Result<Snapshot, LoadError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(LoadError::Missing),
        Err(e) => return Err(discard(path, format!("unreadable: {e}"))),
    };
    #[derive(Deserialize)]
    struct Header {
        format: String,
        version: u32,
    }
    // One parse of the whole file in the common case; the header alone is read only to say
    // why a file that does not parse as the current format was discarded.
    let parsed: Result<Envelope<Snapshot>, _> = serde_json::from_slice(&bytes);
    let header = match &parsed {
        Ok(env) => Header {
            format: env.format.clone(),
            version: env.version,
        },
        Err(e) => match serde_json::from_slice::<Header>(&bytes) {
            Ok(h) => h,
            Err(_) => return Err(discard(path, format!("corrupt: {e}"))),
        },
    };
    if header.format != magic {
        return Err(discard(
            path,
            format!("not a {magic} file ({:?})", header.format),
        ));
    }
    if header.version != FORMAT_VERSION {
        return Err(discard(
            path,
            format!(
                "old format version {} (current {FORMAT_VERSION})",
                header.version
            ),
        ));
    }
    let env = match parsed {
        Ok(e) => e,
        Err(e) => return Err(discard(path, format!("corrupt: {e}"))),
    };
    if env.snapshot.profile != profile {
        return Err(discard(
            path,
            format!("belongs to profile {:?}", env.snapshot.profile),
        ));
    }
    Ok(env.snapshot)
}

fn discard(path: &Path, why: String) -> LoadError {
    tracing::warn!(path = %path.display(), reason = %why, "discarding snapshot cache");
    let _ = std::fs::remove_file(path);
    LoadError::Discarded(why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn snap(profile: &str) -> Snapshot {
        let inc: Incident = serde_json::from_value(serde_json::json!({
            "id": "42", "status": "active", "severity": "high", "displayName": "t",
            "lastUpdateDateTime": "2026-11-20T10:00:00.1234567Z",
            "alerts": [{"id": "a1", "title": "x", "evidence": [
                {"@odata.type": "#microsoft.graph.security.futureEvidence", "z": 1}]}]
        }))
        .unwrap();
        Snapshot {
            saved_at: Timestamp::parse("2026-11-20T11:00:00Z").unwrap(),
            profile: profile.into(),
            watermark: inc.last_update_date_time,
            incidents: vec![inc],
        }
    }

    #[test]
    fn round_trip_is_private_and_faithful() {
        let dir = tempfile::tempdir().unwrap();
        let p = path_for(dir.path(), "contoso/prod");
        assert!(
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .contains("contoso_prod")
        );
        let s = snap("contoso/prod");
        save(&p, &s).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = load(&p, "contoso/prod").unwrap();
        assert_eq!(back, s);
        assert_eq!(
            back.incidents[0].alerts.as_ref().unwrap()[0].evidence[0].raw()["z"],
            1
        );
    }

    #[test]
    fn corrupt_old_and_foreign_files_are_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        assert_eq!(load(&p, "x"), Err(LoadError::Missing));

        std::fs::write(&p, b"{\"format\": \"vigil-snap").unwrap();
        assert!(matches!(load(&p, "x"), Err(LoadError::Discarded(m)) if m.starts_with("corrupt")));
        assert!(!p.exists());

        std::fs::write(
            &p,
            br#"{"format":"vigil-snapshot","version":0,"snapshot":{}}"#,
        )
        .unwrap();
        assert!(matches!(load(&p, "x"), Err(LoadError::Discarded(m)) if m.contains("old format")));

        save(&p, &snap("a")).unwrap();
        assert!(matches!(load(&p, "b"), Err(LoadError::Discarded(m)) if m.contains("profile")));
    }

    #[test]
    fn head_round_trip_keeps_alerts_only_for_the_first_screen() {
        let dir = tempfile::tempdir().unwrap();
        let full = path_for(dir.path(), "p");
        let hp = head_path(&full);
        assert_eq!(hp, dir.path().join("head-p.json"));
        let mut s = snap("p");
        let mut other = s.incidents[0].clone();
        other.id = "43".into();
        s.incidents.push(other);
        let head = head_of(&s, &["43".to_string()]);
        save_head(&hp, &head).unwrap();
        let mode = std::fs::metadata(&hp).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // Head without the full file.
        assert!(!full.exists());
        let back = load_head(&hp, "p").unwrap();
        assert_eq!(back, head);
        assert_eq!(back.incidents.len(), 2);
        assert!(back.incidents[0].alerts.is_none());
        assert_eq!(back.incidents[1].alerts.as_ref().unwrap().len(), 1);
        assert_eq!(load(&full, "p"), Err(LoadError::Missing));
    }

    #[test]
    fn corrupt_or_swapped_head_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let full = path_for(dir.path(), "p");
        let hp = head_path(&full);
        std::fs::write(&hp, b"{\"format\": \"vigil-snapshot-he").unwrap();
        assert!(
            matches!(load_head(&hp, "p"), Err(LoadError::Discarded(m)) if m.starts_with("corrupt"))
        );
        assert!(!hp.exists());
        // A full snapshot where the head should be is not taken for a head (and vice versa).
        save(&hp, &snap("p")).unwrap();
        assert!(
            matches!(load_head(&hp, "p"), Err(LoadError::Discarded(m)) if m.contains("vigil-snapshot-head"))
        );
        save_head(&full, &snap("p")).unwrap();
        assert!(matches!(load(&full, "p"), Err(LoadError::Discarded(_))));
        save_head(&hp, &snap("q")).unwrap();
        assert!(
            matches!(load_head(&hp, "p"), Err(LoadError::Discarded(m)) if m.contains("profile"))
        );
    }
}
