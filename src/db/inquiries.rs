//! Ask Defender Experts inquiries: `inquiries(id, body)`, `body` the inquiry as JSON with its
//! per-channel delivery state (`deliveries`), so `json_extract` reads it from `sqlite3`.

use super::rows::{self, Table};
use super::{Db, DbError};

const TABLE: Table = Table {
    name: "inquiries",
    key: "id",
    value: "body",
};

/// Every row, in id order: `(id, body JSON)`.
pub fn load(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    rows::load(db, &TABLE)
}

/// Writes `upserts` and removes `deletes` in one transaction (all or nothing).
pub fn apply(db: &Db, upserts: &[(String, String)], deletes: &[String]) -> Result<(), DbError> {
    rows::apply(db, &TABLE, upserts, deletes)
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
