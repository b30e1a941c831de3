//! Locally persisted inquiry drafts (rows of the profile's database; without one, one JSON
//! file per topic key, atomic 0600 writes in a 0700 directory) and the pure autosave timing
//! logic the compose pane drives.

use super::context::InquiryTopic;
use super::fsutil::{ensure_private_dir, quarantine, read_limited, write_atomic};
use crate::graph::model::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Largest draft file read back (bigger files are treated as corrupt).
const MAX_DRAFT_BYTES: u64 = 4 * 1024 * 1024;

/// An unsent inquiry being composed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Identifies the draft; usually [`InquiryTopic::key`] (e.g. `incident:123`).
    pub key: String,
    pub topic: InquiryTopic,
    pub body: String,
    /// Addresses the experts should reply to.
    pub reply_to: Vec<String>,
    pub updated: Timestamp,
}

impl Draft {
    /// A draft keyed by its topic.
    pub fn new(
        topic: InquiryTopic,
        body: String,
        reply_to: Vec<String>,
        updated: Timestamp,
    ) -> Draft {
        Draft {
            key: topic.key(),
            topic,
            body,
            reply_to,
            updated,
        }
    }
}

/// A draft file that could not be read; it was moved aside (when possible).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftError {
    /// Where the file was (`moved_to` says where it is now).
    pub path: PathBuf,
    pub moved_to: Option<PathBuf>,
    pub reason: String,
}

/// Where drafts are kept: the profile's database (`inquiry_drafts` table), or a directory of
/// JSON files without a database.
#[derive(Clone, Debug)]
pub struct DraftStore {
    /// The directory, or the database file when `db` is set.
    dir: PathBuf,
    db: Option<crate::db::Db>,
}

impl DraftStore {
    /// Opens (creating, mode 0700) the drafts directory.
    pub fn open(dir: impl Into<PathBuf>) -> io::Result<DraftStore> {
        let dir = dir.into();
        ensure_private_dir(&dir)?;
        Ok(DraftStore { dir, db: None })
    }

    /// Drafts kept in the database.
    pub fn open_db(db: crate::db::Db) -> DraftStore {
        DraftStore {
            dir: db.path().map(Path::to_path_buf).unwrap_or_default(),
            db: Some(db),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a key is stored in: the key with every byte outside `[A-Za-z0-9_-]`
    /// percent-encoded, or a SHA-256 of it when that would be too long.
    pub fn path_for(&self, key: &str) -> PathBuf {
        let mut name = String::with_capacity(key.len());
        for b in key.bytes() {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                name.push(b as char);
            } else {
                name.push_str(&format!("%{b:02X}"));
            }
        }
        if name.is_empty() || name.len() > 180 {
            let digest = Sha256::digest(key.as_bytes());
            name = format!(
                "h-{}",
                digest
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            );
        }
        self.dir.join(format!("{name}.json"))
    }

    /// Saves (replaces) a draft atomically with mode 0600.
    pub fn save(&self, draft: &Draft) -> io::Result<()> {
        if let Some(db) = &self.db {
            let json = serde_json::to_string(draft).map_err(io::Error::other)?;
            return crate::db::drafts::save(db, &draft.key, &json).map_err(io::Error::other);
        }
        let json = serde_json::to_vec_pretty(draft).map_err(io::Error::other)?;
        write_atomic(&self.path_for(&draft.key), &json)
    }

    /// The draft for `key`; `None` when absent or unreadable.
    pub fn load(&self, key: &str) -> Option<Draft> {
        if let Some(db) = &self.db {
            let body = crate::db::drafts::get(db, key).ok()??;
            return serde_json::from_str::<Draft>(&body)
                .ok()
                .filter(|d| d.key == key);
        }
        read_draft(&self.path_for(key))
            .ok()
            .filter(|d| d.key == key)
    }

    /// All readable drafts, newest first.
    pub fn list(&self) -> Vec<Draft> {
        self.list_with_errors().0
    }

    /// All readable drafts (newest first) and the files that were not: each unreadable file is
    /// renamed to `*.json.corrupt` so it is skipped next time, and reported with the reason.
    pub fn list_with_errors(&self) -> (Vec<Draft>, Vec<DraftError>) {
        let mut drafts = Vec::new();
        let mut errors = Vec::new();
        if let Some(db) = &self.db {
            // An unreadable row is left in the table untouched (reported, never deleted).
            match crate::db::drafts::load(db) {
                Ok(rows) => {
                    for (key, body) in rows {
                        match serde_json::from_str::<Draft>(&body) {
                            Ok(d) if d.key == key => drafts.push(d),
                            Ok(_) => errors.push(DraftError {
                                path: PathBuf::from(key),
                                moved_to: None,
                                reason: "its key does not match".into(),
                            }),
                            Err(e) => errors.push(DraftError {
                                path: PathBuf::from(key),
                                moved_to: None,
                                reason: format!("not a draft: {e}"),
                            }),
                        }
                    }
                }
                Err(e) => errors.push(DraftError {
                    path: self.dir.clone(),
                    moved_to: None,
                    reason: e.to_string(),
                }),
            }
            drafts.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.key.cmp(&b.key)));
            return (drafts, errors);
        }
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return (drafts, errors);
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_draft = path.extension().is_some_and(|e| e == "json")
                && !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !is_draft || !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            match read_draft(&path) {
                Ok(d) => drafts.push(d),
                Err(reason) => {
                    let moved_to = quarantine(&path).ok();
                    errors.push(DraftError {
                        path,
                        moved_to,
                        reason,
                    });
                }
            }
        }
        drafts.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.key.cmp(&b.key)));
        (drafts, errors)
    }

    /// Deletes the draft for `key` (absent is not an error).
    pub fn delete(&self, key: &str) -> io::Result<()> {
        if let Some(db) = &self.db {
            return crate::db::drafts::delete(db, key).map_err(io::Error::other);
        }
        match std::fs::remove_file(self.path_for(key)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Reads one old-format draft file (also used by the migration into the database).
pub(crate) fn read_draft(path: &Path) -> Result<Draft, String> {
    let bytes = read_limited(path, MAX_DRAFT_BYTES).map_err(|e| e.to_string())?;
    serde_json::from_slice::<Draft>(&bytes).map_err(|e| format!("not a draft: {e}"))
}

/// Autosave timing for the compose pane: save when dirty and at least `interval` (1 s) has
/// passed since the last save (or since the first unsaved edit), or at once when a save was
/// requested (leaving the pane, switching topic). Pure logic; the caller passes `now`.
#[derive(Clone, Debug)]
pub struct Autosave {
    interval: Duration,
    dirty_since: Option<Instant>,
    last_save: Option<Instant>,
    requested: bool,
}

impl Default for Autosave {
    fn default() -> Self {
        Autosave::new(Duration::from_secs(1))
    }
}

impl Autosave {
    /// A timer saving at most every `interval` while typing.
    pub fn new(interval: Duration) -> Autosave {
        Autosave {
            interval,
            dirty_since: None,
            last_save: None,
            requested: false,
        }
    }

    /// Records an edit at `now`.
    pub fn note_edit(&mut self, now: Instant) {
        if self.dirty_since.is_none() {
            self.dirty_since = Some(now);
        }
    }

    /// Asks for a save at the next [`should_save`](Self::should_save) (if anything is unsaved).
    pub fn request_save(&mut self) {
        self.requested = true;
    }

    /// True when there are unsaved edits.
    pub fn is_dirty(&self) -> bool {
        self.dirty_since.is_some()
    }

    /// True when the caller should save now: unsaved edits and either a requested save or at
    /// least `interval` since the last save (since the first edit when never saved).
    pub fn should_save(&self, now: Instant) -> bool {
        match self.dirty_since {
            None => false,
            Some(_) if self.requested => true,
            Some(since) => {
                now.saturating_duration_since(self.last_save.unwrap_or(since)) >= self.interval
            }
        }
    }

    /// How long until a save is due (`None` when clean; zero when due now). For the UI timer.
    pub fn due_in(&self, now: Instant) -> Option<Duration> {
        let since = self.dirty_since?;
        if self.requested {
            return Some(Duration::ZERO);
        }
        let reference = self.last_save.unwrap_or(since);
        Some((reference + self.interval).saturating_duration_since(now))
    }

    /// Marks a successful save at `now`: clean until the next edit.
    pub fn saved(&mut self, now: Instant) {
        self.dirty_since = None;
        self.requested = false;
        self.last_save = Some(now);
    }

    /// Marks a failed save at `now`: still dirty, retried after `interval`.
    pub fn save_failed(&mut self, now: Instant) {
        self.requested = false;
        self.last_save = Some(now);
    }
}
