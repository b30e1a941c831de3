//! Comment drafts: `comment_drafts(target, text, saved_at)`, `target` `incident:<id>` or
//! `alert:<id>`, `saved_at` RFC 3339 (UTC).

use super::{Db, DbError};
use rusqlite::{OptionalExtension, params};

/// The key a target's draft is stored under.
pub fn key(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

/// Saves (replaces) the draft for `target`.
pub fn save(db: &Db, target: &str, text: &str) -> Result<(), DbError> {
    let at = crate::graph::model::Timestamp::now().to_string();
    db.with(|conn| {
        conn.execute(
            "INSERT OR REPLACE INTO comment_drafts(target, text, saved_at) VALUES (?1, ?2, ?3)",
            params![target, text, at],
        )
        .map(|_| ())
    })
}

/// The draft for `target`.
pub fn get(db: &Db, target: &str) -> Result<Option<String>, DbError> {
    db.with(|conn| {
        conn.query_row(
            "SELECT text FROM comment_drafts WHERE target = ?1",
            params![target],
            |r| r.get(0),
        )
        .optional()
    })
}

/// Deletes the draft for `target` (absent is not an error).
pub fn delete(db: &Db, target: &str) -> Result<(), DbError> {
    db.with(|conn| {
        conn.execute(
            "DELETE FROM comment_drafts WHERE target = ?1",
            params![target],
        )
        .map(|_| ())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_get_delete() {
        let db = Db::open_in_memory().unwrap();
        let k = key("incident", "7");
        assert_eq!(get(&db, &k).unwrap(), None);
        save(&db, &k, "draft").unwrap();
        save(&db, &k, "draft 2").unwrap();
        assert_eq!(get(&db, &k).unwrap().as_deref(), Some("draft 2"));
        delete(&db, &k).unwrap();
        assert_eq!(get(&db, &k).unwrap(), None);
    }
}
