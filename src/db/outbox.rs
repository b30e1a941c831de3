//! The triage outbox's table: `outbox(op, entry)`, one row per queued write, `entry` the
//! write as JSON (the same shape `outbox.json` held). Rows are changed only through
//! [`apply`], one transaction per change of the in-memory outbox, so an entry is committed
//! before its request goes out and settled in one transaction once the server answered.

use super::rows::{self, Table};
use super::{Db, DbError};

const TABLE: Table = Table {
    name: "outbox",
    key: "op",
    value: "entry",
};

/// Every row, in op order: `(op, entry JSON)`.
pub fn load(db: &Db) -> Result<Vec<(i64, String)>, DbError> {
    rows::load(db, &TABLE)
}

/// Writes `upserts` and removes `deletes` in one transaction (all or nothing).
pub fn apply(db: &Db, upserts: &[(i64, String)], deletes: &[i64]) -> Result<(), DbError> {
    rows::apply(db, &TABLE, upserts, deletes)
}

/// How many rows the table holds.
pub fn count(db: &Db) -> Result<usize, DbError> {
    db.with(|conn| {
        conn.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as usize)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_is_all_or_nothing_and_ordered() {
        let db = Db::open_in_memory().unwrap();
        apply(&db, &[(3, "c".into()), (1, "a".into())], &[]).unwrap();
        assert_eq!(load(&db).unwrap(), vec![(1, "a".into()), (3, "c".into())]);
        apply(&db, &[(1, "a2".into())], &[3]).unwrap();
        assert_eq!(load(&db).unwrap(), vec![(1, "a2".into())]);
        assert_eq!(count(&db).unwrap(), 1);
        // A failing statement rolls the whole change back.
        db.with(|c| c.execute_batch("CREATE TRIGGER no_op_9 BEFORE INSERT ON outbox WHEN NEW.op = 9 BEGIN SELECT RAISE(ABORT, 'no'); END;"))
            .unwrap();
        assert!(apply(&db, &[(9, "x".into())], &[1]).is_err());
        assert_eq!(load(&db).unwrap(), vec![(1, "a2".into())]);
    }
}
