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
