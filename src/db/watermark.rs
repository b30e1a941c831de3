//! The sync watermark (the newest `lastUpdateDateTime` a completed listing saw) and when it
//! was written, in the `meta` table.

use super::{Db, DbError};
use crate::graph::model::Timestamp;
use rusqlite::OptionalExtension;

const KEY: &str = "watermark";
const SAVED_AT: &str = "watermark_saved_at";

/// The stored watermark and when it was saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watermark {
    pub at: Timestamp,
    pub saved_at: Timestamp,
}

/// Stores `at` as the watermark, saved now.
pub fn save(db: &Db, at: Timestamp) -> Result<(), DbError> {
    db.with(|c| {
        let tx = c.transaction()?;
        let mut put =
            tx.prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?;
        put.execute([KEY, &at.to_graph()])?;
        put.execute([SAVED_AT, &Timestamp::now().to_graph()])?;
        drop(put);
        tx.commit()
    })
}

/// The stored watermark, if a listing ever completed (an unreadable value counts as none).
pub fn load(db: &Db) -> Result<Option<Watermark>, DbError> {
    db.with(|c| {
        let get = |k: &str| -> rusqlite::Result<Option<Timestamp>> {
            let v: Option<String> = c
                .query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
                .optional()?;
            Ok(v.and_then(|v| Timestamp::parse(&v)))
        };
        Ok(match (get(KEY)?, get(SAVED_AT)?) {
            (Some(at), Some(saved_at)) => Some(Watermark { at, saved_at }),
            _ => None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_absent() {
        let db = Db::open_in_memory().unwrap();
        assert_eq!(load(&db).unwrap(), None);
        let t = Timestamp::parse("2026-11-20T10:00:00.1234567Z").unwrap();
        save(&db, t).unwrap();
        let w = load(&db).unwrap().unwrap();
        assert_eq!(w.at, t);
        assert!(Timestamp::now().as_second() - w.saved_at.as_second() < 60);
    }
}
