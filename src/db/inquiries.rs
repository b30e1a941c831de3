//! Ask Defender Experts inquiries: `inquiries(id, body)`, `body` the inquiry as JSON with its
//! per-channel delivery state (`deliveries`), so `json_extract` reads it from `sqlite3`.

use super::{Db, DbError};
use rusqlite::params;

/// Every row: `(id, body)`.
pub fn load(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    db.with(|conn| {
        let mut stmt = conn.prepare("SELECT id, body FROM inquiries ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    })
}

/// Writes `upserts` and removes `deletes` in one transaction (all or nothing).
pub fn apply(db: &Db, upserts: &[(String, String)], deletes: &[String]) -> Result<(), DbError> {
    if upserts.is_empty() && deletes.is_empty() {
        return Ok(());
    }
    db.with(|conn| {
        let tx = conn.transaction()?;
        {
            let mut del = tx.prepare_cached("DELETE FROM inquiries WHERE id = ?1")?;
            for id in deletes {
                del.execute(params![id])?;
            }
            let mut put =
                tx.prepare_cached("INSERT OR REPLACE INTO inquiries(id, body) VALUES (?1, ?2)")?;
            for (id, body) in upserts {
                put.execute(params![id, body])?;
            }
        }
        tx.commit()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upserts_and_deletes_together() {
        let db = Db::open_in_memory().unwrap();
        apply(
            &db,
            &[("a".into(), "1".into()), ("b".into(), "2".into())],
            &[],
        )
        .unwrap();
        apply(&db, &[("a".into(), "3".into())], &["b".into()]).unwrap();
        assert_eq!(load(&db).unwrap(), vec![("a".into(), "3".into())]);
    }
}
