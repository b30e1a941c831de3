//! One SQLite database per profile (`<profile state dir>/vigil.db`): everything vigil keeps
//! between runs. Opened once per process and shared behind a mutex by the engine task and the
//! UI task.
//!
//! Locking: WAL with `locking_mode=EXCLUSIVE`, set before the first WAL access, so SQLite
//! never uses the shared-memory index (the state directory may be on NFS) and a second vigil
//! on the same profile cannot open the file: it gets [`DbError::InUse`].

pub mod codec;
pub mod comment_drafts;
pub mod drafts;
pub mod incidents;
pub mod inquiries;
pub mod migrate_files;
pub mod outbox;
mod rows;
pub mod schema;
pub mod snapshot_import;
pub mod watermark;

use rusqlite::Connection;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The database file's name inside a profile's state directory.
pub const FILE_NAME: &str = "vigil.db";

/// A shared handle on the profile's database.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    path: Option<PathBuf>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

/// Two handles are equal when they share one connection.
impl PartialEq for Db {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.conn, &other.conn)
    }
}

/// An opened database and what the analyst should be told about it.
#[derive(Debug)]
pub struct Opened {
    pub db: Db,
    /// Set when a damaged or newer file was moved aside and a new one started.
    pub warning: Option<String>,
}

/// Why the database could not be used.
#[derive(Debug)]
pub enum DbError {
    /// Another vigil holds this profile's database.
    InUse {
        path: PathBuf,
    },
    Sqlite(rusqlite::Error),
    Io(std::io::Error),
    /// The mutex was poisoned by a panic while a statement ran.
    Poisoned,
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::InUse { path } => write!(
                f,
                "another vigil is using this profile's database ({}); quit it first, or start \
                 this one with another --profile",
                path.display()
            ),
            DbError::Sqlite(e) => write!(f, "local database: {e}"),
            DbError::Io(e) => write!(f, "local database: {e}"),
            DbError::Poisoned => write!(f, "local database: an earlier operation panicked"),
        }
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        if is_busy(&e) {
            // Without a path the caller fills it in; see `open`.
            return DbError::InUse {
                path: PathBuf::new(),
            };
        }
        DbError::Sqlite(e)
    }
}

impl From<std::io::Error> for DbError {
    fn from(e: std::io::Error) -> Self {
        DbError::Io(e)
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl Db {
    /// Opens (creating and migrating) the database in `dir`, made 0700; the file is 0600.
    /// A damaged file, or one written by a newer vigil, is moved aside
    /// (`vigil.db.damaged-<unix time>`) and a new one started; `Opened::warning` says so.
    pub fn open(dir: &Path) -> Result<Opened, DbError> {
        crate::paths::ensure_private_dir(dir)?;
        let path = dir.join(FILE_NAME);
        match Self::open_file(&path) {
            Ok(db) => Ok(Opened { db, warning: None }),
            Err(DbError::InUse { .. }) => Err(DbError::InUse { path }),
            Err(e) => {
                let aside = dir.join(format!(
                    "{FILE_NAME}.damaged-{}",
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0)
                ));
                tracing::warn!(error = %e, aside = %aside.display(), "database moved aside");
                std::fs::rename(&path, &aside)?;
                for suffix in ["-wal", "-journal"] {
                    let side = dir.join(format!("{FILE_NAME}{suffix}"));
                    if side.exists() {
                        let _ = std::fs::rename(
                            &side,
                            PathBuf::from(format!("{}{suffix}", aside.display())),
                        );
                    }
                }
                let db = Self::open_file(&path).map_err(|e| match e {
                    DbError::InUse { .. } => DbError::InUse { path: path.clone() },
                    e => e,
                })?;
                Ok(Opened {
                    db,
                    warning: Some(format!(
                        "The local database could not be used ({e}); it was moved to {} and \
                         a new one started.",
                        aside.display()
                    )),
                })
            }
        }
    }

    fn open_file(path: &Path) -> Result<Db, DbError> {
        if !path.exists() {
            // Create it 0600 before SQLite does (SQLite would use the umask).
            crate::paths::create_private_file(path)?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_millis(200))?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "database journal mode is not WAL");
        }
        // Take the exclusive lock now, so a second vigil is told at once.
        conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;")?;
        prepare(&mut conn)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
            path: Some(path.to_path_buf()),
        })
    }

    /// An in-memory database with the same schema (tests).
    pub fn open_in_memory() -> Result<Db, DbError> {
        let mut conn = Connection::open_in_memory()?;
        prepare(&mut conn)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
            path: None,
        })
    }

    /// Runs `f` with the connection; a transaction is up to `f` (`conn.transaction()`).
    pub fn with<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<R>,
    ) -> Result<R, DbError> {
        let mut guard = self.conn.lock().map_err(|_| DbError::Poisoned)?;
        f(&mut guard).map_err(DbError::from)
    }

    /// The file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

/// Pragmas and migrations. A file from a newer vigil is an error (moved aside by `open`).
fn prepare(conn: &mut Connection) -> Result<(), DbError> {
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let current = schema::current_version();
    if version > current {
        return Err(DbError::Io(std::io::Error::other(format!(
            "schema version {version} is newer than this vigil's {current}"
        ))));
    }
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    // A quick structural check: a damaged file fails here, not later mid-session.
    let ok: String = conn.pragma_query_value(None, "quick_check", |r| r.get(0))?;
    if ok != "ok" {
        return Err(DbError::Io(std::io::Error::other(format!(
            "integrity check failed: {ok}"
        ))));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
