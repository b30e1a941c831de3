//! The `--follow` checkpoint: the watermark of the last complete poll and the records already
//! written at or after `watermark - overlap` (id → `lastUpdateDateTime` as received), so a
//! record seen again in the overlap is not written again, across restarts too.
//!
//! Saved as JSON (0600, temporary file + fsync + rename) after the lines it covers were
//! flushed. A file that cannot be read or parsed is an error: vigil never starts over silently
//! (that would re-emit the whole window); the operator fixes or removes the file.

use crate::graph::model::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// The format written by this version.
const FORMAT: u32 = 1;

/// Where a follow stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// File format version.
    #[serde(default = "format")]
    pub format: u32,
    /// The newest `lastUpdateDateTime` of the last complete poll (Graph form); `None` before
    /// the first poll completed.
    pub watermark: Option<String>,
    /// Records written at or after `watermark - overlap`: id → `lastUpdateDateTime` as written.
    pub written: BTreeMap<String, String>,
}

fn format() -> u32 {
    FORMAT
}

impl Default for Checkpoint {
    fn default() -> Self {
        Checkpoint {
            format: FORMAT,
            watermark: None,
            written: BTreeMap::new(),
        }
    }
}

/// Why a checkpoint file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error(
        "checkpoint {path}: cannot read it: {source}; fix or remove it (removing it starts over with a full pull)"
    )]
    Read { path: String, source: io::Error },
    #[error(
        "checkpoint {path} is not a vigil checkpoint ({why}); fix or remove it (removing it starts over with a full pull)"
    )]
    Corrupt { path: String, why: String },
}

impl Checkpoint {
    /// Loads `path`; `Ok(None)` when it does not exist yet.
    pub fn load(path: &Path) -> Result<Option<Checkpoint>, CheckpointError> {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(CheckpointError::Read {
                    path: shown,
                    source,
                });
            }
        };
        let cp: Checkpoint = serde_json::from_str(&text).map_err(|e| CheckpointError::Corrupt {
            path: shown.clone(),
            why: e.to_string(),
        })?;
        if cp.format != FORMAT {
            return Err(CheckpointError::Corrupt {
                path: shown,
                why: format!("format {} (this vigil writes {FORMAT})", cp.format),
            });
        }
        if let Some(w) = &cp.watermark
            && Timestamp::parse(w).is_none()
        {
            return Err(CheckpointError::Corrupt {
                path: shown,
                why: format!("unreadable watermark {w:?}"),
            });
        }
        Ok(Some(cp))
    }

    /// Writes the checkpoint atomically (0600; the directory is created 0700 if missing).
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let bytes = serde_json::to_vec(self).map_err(io::Error::other)?;
        crate::paths::write_private_atomic(path, &bytes)
    }

    /// The watermark, parsed.
    pub fn watermark(&self) -> Option<Timestamp> {
        self.watermark.as_deref().and_then(Timestamp::parse)
    }

    /// True when the record `id` at `last_update` has not been written yet.
    pub fn is_new(&self, id: &str, last_update: &str) -> bool {
        self.written.get(id).is_none_or(|w| w != last_update)
    }

    /// Notes that `id` at `last_update` was written.
    pub fn note(&mut self, id: &str, last_update: &str) {
        self.written.insert(id.to_owned(), last_update.to_owned());
    }

    /// Moves the watermark to `to` (never backwards) and drops the entries older than
    /// `to - overlap_secs`, which no later poll can return again.
    pub fn advance(&mut self, to: Option<Timestamp>, overlap_secs: i64) {
        let current = self.watermark();
        let Some(w) = current.max(to) else { return };
        if Some(w) != current {
            self.watermark = Some(w.to_graph());
        }
        let floor = w.plus_seconds(-overlap_secs);
        self.written
            .retain(|_, lu| Timestamp::parse(lu).is_some_and(|t| t >= floor));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn a_saved_checkpoint_loads_back_the_same_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/follow.checkpoint");
        let mut cp = Checkpoint::default();
        cp.note("7", "2026-11-01T08:00:00.1234567Z");
        cp.advance(Some(ts("2026-11-01T08:00:00.1234567Z")), 300);
        cp.save(&path).unwrap();
        let back = Checkpoint::load(&path).unwrap().unwrap();
        assert_eq!(back, cp);
        assert_eq!(
            back.watermark(),
            Some(ts("2026-11-01T08:00:00.1234567Z")),
            "{back:?}"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dir_mode & 0o777, 0o700);
    }

    #[test]
    fn a_missing_checkpoint_is_a_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            Checkpoint::load(&dir.path().join("none"))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_corrupt_checkpoint_is_an_error_naming_the_file_not_a_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.json");
        for bad in [
            "{\"watermark\":\"2026-11-0",
            "[]",
            "{\"format\":1,\"watermark\":\"yesterday\",\"written\":{}}",
            "{\"format\":9,\"watermark\":null,\"written\":{}}",
        ] {
            std::fs::write(&path, bad).unwrap();
            let e = Checkpoint::load(&path).unwrap_err().to_string();
            assert!(
                e.contains("cp.json") && e.contains("remove it"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn a_record_is_new_until_written_with_that_last_update() {
        let mut cp = Checkpoint::default();
        assert!(cp.is_new("1", "2026-11-01T08:00:00Z"));
        cp.note("1", "2026-11-01T08:00:00Z");
        assert!(!cp.is_new("1", "2026-11-01T08:00:00Z"), "seen again");
        assert!(cp.is_new("1", "2026-11-01T08:05:00Z"), "changed");
        assert!(cp.is_new("2", "2026-11-01T08:00:00Z"), "another id");
    }

    #[test]
    fn advancing_keeps_only_the_overlap_window_and_never_goes_back() {
        let mut cp = Checkpoint::default();
        cp.note("old", "2026-11-01T07:00:00Z");
        cp.note("edge", "2026-11-01T07:55:00Z");
        cp.note("new", "2026-11-01T08:00:00Z");
        cp.note("junk", "not a time");
        cp.advance(Some(ts("2026-11-01T08:00:00Z")), 300);
        let kept: Vec<&str> = cp.written.keys().map(String::as_str).collect();
        assert_eq!(kept, vec!["edge", "new"]);
        cp.advance(Some(ts("2026-11-01T07:00:00Z")), 300);
        assert_eq!(cp.watermark(), Some(ts("2026-11-01T08:00:00Z")));
        cp.advance(None, 300);
        assert_eq!(cp.watermark(), Some(ts("2026-11-01T08:00:00Z")));
    }
}
