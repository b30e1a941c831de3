//! The database schema as an ordered list of migrations; `PRAGMA user_version` says how many
//! have run. A migration is never edited once released: add a new one at the end.

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: everything vigil keeps between runs.
    r#"
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE incidents(id TEXT PRIMARY KEY, last_update TEXT, status TEXT, severity TEXT,
        title TEXT, assigned_to TEXT, created TEXT, alerts_known INTEGER NOT NULL DEFAULT 0,
        lz4 INTEGER NOT NULL DEFAULT 0, json BLOB NOT NULL);
    CREATE INDEX incidents_by_update ON incidents(last_update);
    CREATE TABLE alerts(id TEXT PRIMARY KEY, incident_id TEXT, title TEXT, severity TEXT,
        status TEXT, lz4 INTEGER NOT NULL DEFAULT 0, json BLOB NOT NULL);
    CREATE INDEX alerts_by_incident ON alerts(incident_id);
    CREATE TABLE outbox(op INTEGER PRIMARY KEY, entry TEXT NOT NULL);
    CREATE TABLE inquiry_drafts(id TEXT PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE inquiries(id TEXT PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE comment_drafts(target TEXT PRIMARY KEY, text TEXT NOT NULL, saved_at TEXT);
    CREATE TABLE migrated(what TEXT PRIMARY KEY, at TEXT NOT NULL);
    "#,
    // 2: the `lz4` flag became a codec number (0 plain, 1 LZ4, 2 zstd with the schema
    // dictionary: `db::codec`); its old values keep their meaning.
    r#"
    ALTER TABLE incidents RENAME COLUMN lz4 TO codec;
    ALTER TABLE alerts RENAME COLUMN lz4 TO codec;
    "#,
];

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}
