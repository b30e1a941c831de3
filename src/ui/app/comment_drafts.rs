//! Comment drafts: the text of an open comment editor is saved at most a second after each
//! change and on quit/SIGHUP/SIGTERM, restored when the editor is reopened for the same
//! incident or alert, kept when the editor is closed with Esc, and removed once the comment
//! is submitted or explicitly discarded. Kept in the profile's database (`comment_drafts`)
//! when there is one, else in 0600 files under the drafts directory.

use super::App;
use crate::sync::Target;
use crate::ui::triage::CommentEditor;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// File name for a target's draft (ids are sanitised to a safe file name).
fn file_name(t: &Target) -> String {
    let (kind, id) = match t {
        Target::Incident(id) => ("incident", id),
        Target::Alert(id) => ("alert", id),
    };
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{kind}-{safe}.txt")
}

/// The database key for a target's draft.
fn db_key(t: &Target) -> String {
    match t {
        Target::Incident(id) => crate::db::comment_drafts::key("incident", id),
        Target::Alert(id) => crate::db::comment_drafts::key("alert", id),
    }
}

impl App {
    fn comment_draft_path(&self, t: &Target) -> Option<PathBuf> {
        self.comment_dir.as_ref().map(|d| d.join(file_name(t)))
    }

    /// Writes a target's draft to the database, or its file without one.
    fn write_comment_draft(
        &self,
        t: &Target,
        path: Option<PathBuf>,
        text: &str,
    ) -> Result<(), String> {
        if let Some(db) = self.db() {
            return crate::db::comment_drafts::save(db, &db_key(t), text)
                .map_err(|e| e.to_string());
        }
        match path {
            Some(path) => crate::paths::write_private_atomic(&path, text.as_bytes())
                .map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }

    /// True when drafts outlive the session (a database or a drafts directory).
    fn comment_drafts_kept(&self) -> bool {
        self.db().is_some() || self.comment_dir.is_some()
    }

    /// The saved draft for a target, if any.
    pub(super) fn load_comment_draft(&self, t: &Target) -> Option<String> {
        if let Some(db) = self.db() {
            return crate::db::comment_drafts::get(db, &db_key(t))
                .ok()
                .flatten()
                .filter(|s| !s.trim().is_empty());
        }
        let text = match self.comment_draft_path(t) {
            Some(path) => std::fs::read_to_string(path).ok(),
            // Not persisted: drafts live as long as the session.
            None => self.comment_saved.get(t).cloned(),
        };
        text.filter(|s| !s.trim().is_empty())
    }

    /// Saves the text of every open comment editor whose text changed since the last save, at
    /// most once a second while typing (`at`), or at once when `at` is `None` (quit, signals).
    /// Returns true when something was written.
    pub(super) fn save_comment_drafts(&mut self, at: Option<Instant>) -> bool {
        if let (Some(now), Some(last)) = (at, self.comment_saved_at)
            && now.duration_since(last) < Duration::from_secs(1)
        {
            return false;
        }
        let pending: Vec<(Target, String)> = self
            .modals
            .iter()
            .filter_map(|m| m.downcast_ref::<CommentEditor>())
            .filter(|p| p.is_dirty())
            .map(|p| (p.target().clone(), p.text()))
            .filter(|(t, text)| self.comment_saved.get(t) != Some(text))
            .collect();
        let mut saved = false;
        if !self.comment_drafts_kept() {
            return false;
        }
        for (t, text) in pending {
            let path = self.comment_draft_path(&t);
            match self.write_comment_draft(&t, path, &text) {
                Ok(()) => {
                    self.comment_saved.insert(t, text);
                    self.comment_saved_at = Some(at.unwrap_or_else(Instant::now));
                    saved = true;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not save a comment draft");
                    self.notify(super::Level::Error, format!("Comment draft not saved: {e}"));
                }
            }
        }
        saved
    }

    /// Writes a closed editor's text as the target's draft now (Esc keeps drafts).
    pub(super) fn keep_comment_draft(&mut self, t: &Target, text: &str) {
        if !self.comment_drafts_kept() {
            self.comment_saved.insert(t.clone(), text.to_string());
            return;
        }
        let path = self.comment_draft_path(t);
        let on_disk = match (self.db(), &path) {
            (Some(db), _) => crate::db::comment_drafts::get(db, &db_key(t))
                .ok()
                .flatten()
                .is_some(),
            (None, Some(p)) => p.exists(),
            (None, None) => false,
        };
        if self.comment_saved.get(t).map(String::as_str) == Some(text) && on_disk {
            return;
        }
        match self.write_comment_draft(t, path, text) {
            Ok(()) => {
                self.comment_saved.insert(t.clone(), text.to_string());
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not save a comment draft");
                self.notify(super::Level::Error, format!("Comment draft not saved: {e}"));
            }
        }
    }

    /// Forgets a target's draft (submitted or discarded).
    pub(super) fn drop_comment_draft(&mut self, t: &Target) {
        self.comment_saved.remove(t);
        if let Some(db) = self.db() {
            if let Err(e) = crate::db::comment_drafts::delete(db, &db_key(t)) {
                tracing::warn!(error = %e, "could not remove a comment draft");
            }
        } else if let Some(path) = self.comment_draft_path(t) {
            let _ = std::fs::remove_file(path);
        }
    }
}
