//! Writes what the engine reads into the profile's database before the UI hears of it, so an
//! incident on screen is an incident on disk: one transaction per listing page, per single
//! read and per incident's alerts. A failed write is logged and the sync goes on (the data is
//! still shown; it is only not kept).

use crate::db::{Db, incidents};
use crate::graph::model::{Alert, Incident};

/// Stores a page (or a single read) of incidents with the alerts they carry.
pub(crate) fn store_incidents(db: Option<&Db>, items: &[Incident]) {
    if let Some(db) = db
        && let Err(e) = incidents::write_incidents(db, items)
    {
        tracing::warn!(error = %e, n = items.len(), "could not store incidents");
    }
}

/// Stores the alerts of one incident (replacing those stored).
pub(crate) fn store_alerts(db: Option<&Db>, incident_id: &str, alerts: &[Alert]) {
    if let Some(db) = db
        && let Err(e) = incidents::write_alerts(db, incident_id, alerts)
    {
        tracing::warn!(error = %e, %incident_id, "could not store alerts");
    }
}

/// The alerts stored for an incident, when they ever were.
pub(crate) fn stored_alerts(db: Option<&Db>, incident_id: &str) -> Option<Vec<Alert>> {
    let db = db?;
    match incidents::load_alerts(db, incident_id) {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, %incident_id, "could not read stored alerts");
            None
        }
    }
}

/// Incidents read in one hold of the connection (the UI, which shares it, waits at most
/// that long).
const REPLAY_CHUNK: usize = 200;

/// Sends every stored incident with its stored alerts to the UI, most recently updated first
/// (the first screens were painted from the database with rows only), so the queue is
/// complete, with its alert columns and alert filters, soon after start. Each chunk is read and
/// sent while the connection is held: a newer copy the engine writes meanwhile is sent after
/// it, so the newer one wins.
pub(crate) fn replay_stored(db: &Db, ui: &tokio::sync::mpsc::UnboundedSender<super::Update>) {
    let ids = match incidents::ids_by_update(db) {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(error = %e, "could not list stored incidents");
            return;
        }
    };
    for chunk in ids.chunks(REPLAY_CHUNK) {
        let sent = db.with(|c| {
            let mut items = Vec::with_capacity(chunk.len());
            for id in chunk {
                if let Some(mut inc) = incidents::read_incident(c, id)? {
                    inc.alerts = incidents::read_alerts(c, id)?;
                    items.push(inc);
                }
            }
            let update = super::Update::Incidents {
                items,
                source: super::UpsertSource::Initial,
            };
            Ok(ui.send(update).is_ok())
        });
        match sent {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not read stored incidents");
                return;
            }
        }
    }
}
