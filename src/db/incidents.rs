//! Incidents and alerts in the database: written as they arrive (one transaction per listing
//! page or alert read), read back at start and when an incident is opened.
//!
//! Each record is the JSON of the lenient model (which keeps unknown members and evidence
//! verbatim), encoded as [`codec`](super::codec) says (the `codec` column holds its number). A
//! few plain columns (`status`, `severity`, `title`, …) are there for `sqlite3` reporting.

use super::codec::{Codec, decode, encode};
use super::{Db, DbError};
use crate::graph::model::{Alert, Incident, Timestamp};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

fn to_sql_err(e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// Upserts one incident (without its alerts) in `tx`; when the listing carried its alerts,
/// they replace the stored ones.
fn put_incident(tx: &Transaction<'_>, inc: &Incident) -> rusqlite::Result<()> {
    let alerts_known = inc.alerts.is_some();
    let json = {
        let bare = Incident {
            alerts: None,
            ..inc.clone()
        };
        serde_json::to_vec(&bare).map_err(to_sql_err)?
    };
    let (blob, codec) = encode(&json);
    // An incident listed without alerts keeps the alerts stored earlier.
    tx.prepare_cached(
        "INSERT INTO incidents(id, last_update, status, severity, title, assigned_to, created,
             alerts_known, codec, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(id) DO UPDATE SET last_update = ?2, status = ?3, severity = ?4,
             title = ?5, assigned_to = ?6, created = ?7,
             alerts_known = max(alerts_known, ?8), codec = ?9, json = ?10",
    )?
    .execute(params![
        inc.id,
        inc.last_update_date_time.map(|t| t.to_graph()),
        inc.status.as_str(),
        inc.severity.as_str(),
        inc.display_name,
        inc.assigned_to,
        inc.created_date_time.map(|t| t.to_graph()),
        alerts_known,
        codec.column(),
        blob,
    ])?;
    if let Some(alerts) = &inc.alerts {
        put_alerts(tx, &inc.id, alerts)?;
    }
    Ok(())
}

/// Replaces the alerts stored for `incident_id`.
fn put_alerts(tx: &Transaction<'_>, incident_id: &str, alerts: &[Alert]) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM alerts WHERE incident_id = ?1")?
        .execute([incident_id])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO alerts(id, incident_id, title, severity, status, codec, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for a in alerts {
        let json = serde_json::to_vec(a).map_err(to_sql_err)?;
        let (blob, codec) = encode(&json);
        insert.execute(params![
            a.id,
            incident_id,
            a.title,
            a.severity.as_str(),
            a.status.as_str(),
            codec.column(),
            blob
        ])?;
    }
    tx.prepare_cached("UPDATE incidents SET alerts_known = 1 WHERE id = ?1")?
        .execute([incident_id])?;
    Ok(())
}

/// Writes one page of incidents (with the alerts they carry) in one transaction.
pub fn write_incidents(db: &Db, items: &[Incident]) -> Result<(), DbError> {
    if items.is_empty() {
        return Ok(());
    }
    db.with(|c| {
        let tx = c.transaction()?;
        for inc in items {
            put_incident(&tx, inc)?;
        }
        tx.commit()
    })
}

/// Replaces the alerts of one incident in one transaction.
pub fn write_alerts(db: &Db, incident_id: &str, alerts: &[Alert]) -> Result<(), DbError> {
    db.with(|c| {
        let tx = c.transaction()?;
        put_alerts(&tx, incident_id, alerts)?;
        tx.commit()
    })
}

/// Every stored incident, without alerts (the queue's rows). A record that no longer parses
/// is skipped with a log line.
pub fn load_incidents(db: &Db) -> Result<Vec<Incident>, DbError> {
    db.with(|c| read_incidents(c, "SELECT id, codec, json FROM incidents", []))
}

/// The `limit` most recently updated incidents, without alerts (the first screens).
pub fn load_recent(db: &Db, limit: usize) -> Result<Vec<Incident>, DbError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db.with(|c| {
        read_incidents(
            c,
            "SELECT id, codec, json FROM incidents ORDER BY last_update DESC LIMIT ?1",
            [limit],
        )
    })
}

/// One stored incident without alerts, on a connection already held.
pub fn read_incident(c: &Connection, id: &str) -> rusqlite::Result<Option<Incident>> {
    Ok(read_incidents(
        c,
        "SELECT id, codec, json FROM incidents WHERE id = ?1",
        [id],
    )?
    .pop())
}

fn read_incidents<P: rusqlite::Params>(
    c: &Connection,
    sql: &str,
    params: P,
) -> rusqlite::Result<Vec<Incident>> {
    let mut st = c.prepare_cached(sql)?;
    let mut rows = st.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let codec = Codec::from_column(r.get(1)?);
        let blob: Vec<u8> = r.get(2)?;
        match codec
            .and_then(|c| decode(&blob, c))
            .and_then(|j| serde_json::from_slice::<Incident>(&j).ok())
        {
            Some(inc) => out.push(inc),
            None => tracing::warn!(%id, "stored incident unreadable; skipped"),
        }
    }
    Ok(out)
}

/// The stored alerts of an incident, or `None` when they were never stored.
pub fn load_alerts(db: &Db, incident_id: &str) -> Result<Option<Vec<Alert>>, DbError> {
    db.with(|c| read_alerts(c, incident_id))
}

/// [`load_alerts`] on a connection already held (see [`Db::with`]).
pub fn read_alerts(c: &Connection, incident_id: &str) -> rusqlite::Result<Option<Vec<Alert>>> {
    let known: Option<bool> = c
        .prepare_cached("SELECT alerts_known FROM incidents WHERE id = ?1")?
        .query_row([incident_id], |r| r.get(0))
        .optional()?;
    if known != Some(true) {
        return Ok(None);
    }
    // Rowid order is the order the service listed them in (they are inserted in that order).
    let mut st =
        c.prepare_cached("SELECT codec, json FROM alerts WHERE incident_id = ?1 ORDER BY rowid")?;
    let mut rows = st.query([incident_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let codec = Codec::from_column(r.get(0)?);
        let blob: Vec<u8> = r.get(1)?;
        if let Some(a) = codec
            .and_then(|c| decode(&blob, c))
            .and_then(|j| serde_json::from_slice::<Alert>(&j).ok())
        {
            out.push(a);
        }
    }
    Ok(Some(out))
}

/// Forgets incidents (and their alerts) last updated before `before`: a full load has just
/// listed everything newer.
pub fn prune_before(db: &Db, before: Timestamp) -> Result<usize, DbError> {
    db.with(|c| {
        let tx = c.transaction()?;
        let cut = before.to_graph();
        tx.execute(
            "DELETE FROM alerts WHERE incident_id IN
                 (SELECT id FROM incidents WHERE last_update < ?1)",
            [&cut],
        )?;
        let n = tx.execute("DELETE FROM incidents WHERE last_update < ?1", [&cut])?;
        tx.commit()?;
        Ok(n)
    })
}

/// Ids of every stored incident, most recently updated first.
pub fn ids_by_update(db: &Db) -> Result<Vec<String>, DbError> {
    db.with(|c| {
        let mut st = c.prepare("SELECT id FROM incidents ORDER BY last_update DESC")?;
        let ids = st.query_map([], |r| r.get(0))?;
        ids.collect()
    })
}

/// Number of stored incidents.
pub fn count(db: &Db) -> Result<usize, DbError> {
    let n: i64 = db.with(|c| c.query_row("SELECT count(*) FROM incidents", [], |r| r.get(0)))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests;
