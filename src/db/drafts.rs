//! Ask Defender Experts drafts: `inquiry_drafts(id, body)`, `id` the draft's key (e.g.
//! `incident:123`), `body` the draft as JSON.

use super::{Db, DbError};
use rusqlite::{OptionalExtension, params};

/// Saves (replaces) one draft.
pub fn save(db: &Db, key: &str, body: &str) -> Result<(), DbError> {
    db.with(|conn| {
        conn.execute(
            "INSERT OR REPLACE INTO inquiry_drafts(id, body) VALUES (?1, ?2)",
            params![key, body],
        )
        .map(|_| ())
    })
}

/// The draft stored under `key`.
pub fn get(db: &Db, key: &str) -> Result<Option<String>, DbError> {
    db.with(|conn| {
        conn.query_row(
            "SELECT body FROM inquiry_drafts WHERE id = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()
    })
}

/// Every draft: `(key, body)`.
pub fn load(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    db.with(|conn| {
        let mut stmt = conn.prepare("SELECT id, body FROM inquiry_drafts ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    })
}

/// Deletes the draft under `key` (absent is not an error).
pub fn delete(db: &Db, key: &str) -> Result<(), DbError> {
    db.with(|conn| {
        conn.execute("DELETE FROM inquiry_drafts WHERE id = ?1", params![key])
            .map(|_| ())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_get_list_delete() {
        let db = Db::open_in_memory().unwrap();
        save(&db, "incident:1", "a").unwrap();
        save(&db, "incident:1", "b").unwrap();
        save(&db, "alert:x", "c").unwrap();
        assert_eq!(get(&db, "incident:1").unwrap().as_deref(), Some("b"));
        assert_eq!(load(&db).unwrap().len(), 2);
        delete(&db, "incident:1").unwrap();
        delete(&db, "incident:1").unwrap();
        assert_eq!(get(&db, "incident:1").unwrap(), None);
    }
}
