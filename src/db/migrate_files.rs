//! The one-time import of the files vigil kept before the database: `outbox.json`,
//! `inquiries.json`, `drafts/*.json` (Ask Defender Experts drafts) and `drafts/comments/*.txt`
//! (comment drafts) under the profile's state directory. Everything found is imported in one
//! transaction, recorded in `migrated(what, at)`, then each file is renamed `<name>.migrated`
//! (never deleted) and no longer read or written. A corrupt file is reported and moved aside
//! (`outbox.json.corrupt-<unix seconds>`, `<name>.corrupt`), as before.

use super::{Db, DbError};
use crate::experts::Draft;
use crate::experts::outbox::{Inquiry, StoreFile};
use crate::sync::outbox::{OutboxEntry, OutboxFile};
use rusqlite::{OptionalExtension, params};
use std::path::{Path, PathBuf};

/// What one start's import found and did, for the analyst.
#[derive(Debug, Default)]
pub struct Migration {
    /// Writes imported into the outbox.
    pub outbox: usize,
    pub inquiries: usize,
    pub drafts: usize,
    pub comment_drafts: usize,
    /// Problems and notes for the analyst. They hold file names and parser messages: pass
    /// them through `ui::sanitize` before showing them.
    pub notices: Vec<String>,
}

/// One old file read and ready to import.
struct Found {
    /// The `migrated.what` key: the path relative to the state directory.
    what: String,
    path: PathBuf,
    rows: Rows,
}

enum Rows {
    Outbox(Vec<OutboxEntry>),
    Inquiries(Vec<Inquiry>),
    Draft(Box<Draft>),
    Comment { target: String, text: String },
}

/// Imports the old files under `state_dir` into `db` (see the module doc). Errors are those of
/// the database; problems with single files are notices.
pub fn migrate(db: &Db, state_dir: &Path) -> Result<Migration, DbError> {
    let mut out = Migration::default();
    let mut found = Vec::new();
    read_outbox(state_dir, &mut found, &mut out.notices);
    read_inquiries(state_dir, &mut found, &mut out.notices);
    read_drafts(state_dir, &mut found, &mut out.notices);
    read_comment_drafts(state_dir, &mut found);
    if found.is_empty() {
        return Ok(out);
    }
    let at = crate::graph::model::Timestamp::now().to_string();
    // Files recorded as imported by an earlier start (the rename did not happen, or an older
    // vigil wrote them again): moved aside, not imported twice.
    let mut again = Vec::new();
    db.with(|conn| {
        let tx = conn.transaction()?;
        for f in &found {
            let done: Option<String> = tx
                .query_row(
                    "SELECT at FROM migrated WHERE what = ?1",
                    params![f.what],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(when) = done {
                again.push((f.what.clone(), when));
                continue;
            }
            match &f.rows {
                Rows::Outbox(entries) => {
                    let mut next: i64 =
                        tx.query_row("SELECT COALESCE(MAX(op), 0) FROM outbox", [], |r| r.get(0))?;
                    for e in entries {
                        let mut e = e.clone();
                        let taken = i64::try_from(e.op).map_or(Ok(true), |op| {
                            tx.query_row(
                                "SELECT COUNT(*) FROM outbox WHERE op = ?1",
                                params![op],
                                |r| r.get::<_, i64>(0),
                            )
                            .map(|n| n > 0)
                        })?;
                        if taken {
                            // The database already holds that op id: keep both writes.
                            next += 1;
                            e.op = next as u64;
                        }
                        let json = serde_json::to_string(&e)
                            .map_err(|err| rusqlite::Error::ToSqlConversionFailure(err.into()))?;
                        let op = i64::try_from(e.op)
                            .map_err(|err| rusqlite::Error::ToSqlConversionFailure(err.into()))?;
                        tx.execute(
                            "INSERT INTO outbox(op, entry) VALUES (?1, ?2)",
                            params![op, json],
                        )?;
                        next = next.max(op);
                        out.outbox += 1;
                    }
                }
                Rows::Inquiries(list) => {
                    for i in list {
                        let json = serde_json::to_string(i)
                            .map_err(|err| rusqlite::Error::ToSqlConversionFailure(err.into()))?;
                        out.inquiries += tx.execute(
                            "INSERT OR IGNORE INTO inquiries(id, body) VALUES (?1, ?2)",
                            params![i.id, json],
                        )?;
                    }
                }
                Rows::Draft(d) => {
                    let json = serde_json::to_string(d)
                        .map_err(|err| rusqlite::Error::ToSqlConversionFailure(err.into()))?;
                    out.drafts += tx.execute(
                        "INSERT OR IGNORE INTO inquiry_drafts(id, body) VALUES (?1, ?2)",
                        params![d.key, json],
                    )?;
                }
                Rows::Comment { target, text } => {
                    out.comment_drafts += tx.execute(
                        "INSERT OR IGNORE INTO comment_drafts(target, text, saved_at) \
                         VALUES (?1, ?2, ?3)",
                        params![target, text, at],
                    )?;
                }
            }
            tx.execute(
                "INSERT INTO migrated(what, at) VALUES (?1, ?2)",
                params![f.what, at],
            )?;
        }
        tx.commit()
    })?;
    for (what, when) in again {
        out.notices.push(format!(
            "{what} was already imported into the local database on {when}; it is moved aside \
             (.migrated) without being imported again"
        ));
    }
    for f in &found {
        let aside = free_name(&f.path, "migrated");
        if let Err(e) = std::fs::rename(&f.path, &aside) {
            out.notices.push(format!(
                "{} was imported into the local database but could not be renamed ({e}); it is \
                 no longer used",
                f.path.display()
            ));
        }
    }
    let total = out.outbox + out.inquiries + out.drafts + out.comment_drafts;
    if total > 0 {
        tracing::info!(
            outbox = out.outbox,
            inquiries = out.inquiries,
            drafts = out.drafts,
            comment_drafts = out.comment_drafts,
            "old state files imported into the database"
        );
    }
    Ok(out)
}

/// `<path>.<suffix>`, or `<path>.<suffix>-<n>` when taken.
fn free_name(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut target = path.with_file_name(format!("{name}.{suffix}"));
    let mut n = 1;
    while target.exists() {
        target = path.with_file_name(format!("{name}.{suffix}-{n}"));
        n += 1;
    }
    target
}

fn read_outbox(dir: &Path, found: &mut Vec<Found>, notices: &mut Vec<String>) {
    let path = dir.join("outbox.json");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
        Err(e) => {
            notices.push(format!(
                "cannot read the old outbox {} ({e}); it is left in place and imported once \
                 readable",
                path.display()
            ));
            return;
        }
    };
    match serde_json::from_slice::<OutboxFile>(&bytes) {
        Ok(file) => found.push(Found {
            what: "outbox.json".into(),
            path,
            rows: Rows::Outbox(file.entries),
        }),
        Err(parse) => {
            let aside = crate::sync::outbox::corrupt_name(&path);
            notices.push(match std::fs::rename(&path, &aside) {
                Ok(()) => format!(
                    "the old outbox {} was unreadable ({parse}); it was moved to {}",
                    path.display(),
                    aside.display()
                ),
                Err(e) => format!(
                    "the old outbox {} is unreadable ({parse}) and could not be moved aside ({e})",
                    path.display()
                ),
            });
        }
    }
}

fn read_inquiries(dir: &Path, found: &mut Vec<Found>, notices: &mut Vec<String>) {
    let path = dir.join("inquiries.json");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
        Err(e) => {
            notices.push(format!(
                "cannot read the old inquiry file {} ({e}); it is left in place",
                path.display()
            ));
            return;
        }
    };
    match serde_json::from_slice::<StoreFile>(&bytes) {
        Ok(file) => found.push(Found {
            what: "inquiries.json".into(),
            path,
            rows: Rows::Inquiries(file.inquiries),
        }),
        Err(e) => notices.push(match crate::experts::fsutil::quarantine(&path) {
            Ok(moved) => format!("unreadable inquiry file moved to {}: {e}", moved.display()),
            Err(m) => format!(
                "unreadable inquiry file {} ({e}) could not be moved aside: {m}",
                path.display()
            ),
        }),
    }
}

/// Regular files in `dir` whose name ends with `.{ext}` and does not start with a dot.
fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == ext)
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    v.sort();
    v
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

fn read_drafts(dir: &Path, found: &mut Vec<Found>, notices: &mut Vec<String>) {
    for path in files_with(&dir.join("drafts"), "json") {
        match crate::experts::drafts::read_draft(&path) {
            Ok(d) => found.push(Found {
                what: relative(dir, &path),
                path,
                rows: Rows::Draft(Box::new(d)),
            }),
            Err(reason) => notices.push(match crate::experts::fsutil::quarantine(&path) {
                Ok(moved) => format!(
                    "unreadable draft {} moved to {}: {reason}",
                    path.display(),
                    moved.display()
                ),
                Err(e) => format!(
                    "unreadable draft {} ({reason}) could not be moved aside: {e}",
                    path.display()
                ),
            }),
        }
    }
}

/// Comment drafts were files `incident-<id>.txt` / `alert-<id>.txt` (characters outside
/// `[A-Za-z0-9_-]` in the id written as `_`; ids vigil sees do not hold them).
fn read_comment_drafts(dir: &Path, found: &mut Vec<Found>) {
    for path in files_with(&dir.join("drafts").join("comments"), "txt") {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let target = if let Some(id) = stem.strip_prefix("incident-") {
            super::comment_drafts::key("incident", id)
        } else if let Some(id) = stem.strip_prefix("alert-") {
            super::comment_drafts::key("alert", id)
        } else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        found.push(Found {
            what: relative(dir, &path),
            path,
            rows: Rows::Comment { target, text },
        });
    }
}

#[cfg(test)]
#[path = "migrate_files_tests.rs"]
mod tests;
