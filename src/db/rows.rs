//! Tables of one key and one JSON text per row (`outbox`, `inquiries`): every row in key
//! order, and many rows changed in one transaction.

use super::{Db, DbError};
use rusqlite::types::{FromSql, ToSql};

/// A key → text table's names (fixed in the schema, never from input).
pub(super) struct Table {
    pub name: &'static str,
    pub key: &'static str,
    pub value: &'static str,
}

/// Every row, in key order: `(key, value)`.
pub(super) fn load<K: FromSql>(db: &Db, t: &Table) -> Result<Vec<(K, String)>, DbError> {
    let sql = format!(
        "SELECT {}, {} FROM {} ORDER BY {}",
        t.key, t.value, t.name, t.key
    );
    db.with(|conn| {
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    })
}

/// Writes `upserts` and removes `deletes` in one transaction (all or nothing).
pub(super) fn apply<K: ToSql>(
    db: &Db,
    t: &Table,
    upserts: &[(K, String)],
    deletes: &[K],
) -> Result<(), DbError> {
    if upserts.is_empty() && deletes.is_empty() {
        return Ok(());
    }
    let delete = format!("DELETE FROM {} WHERE {} = ?1", t.name, t.key);
    let put = format!(
        "INSERT OR REPLACE INTO {}({}, {}) VALUES (?1, ?2)",
        t.name, t.key, t.value
    );
    db.with(|conn| {
        let tx = conn.transaction()?;
        {
            let mut del = tx.prepare_cached(&delete)?;
            for key in deletes {
                del.execute([key])?;
            }
            let mut put = tx.prepare_cached(&put)?;
            for (key, value) in upserts {
                put.execute(rusqlite::params![key, value])?;
            }
        }
        tx.commit()
    })
}
