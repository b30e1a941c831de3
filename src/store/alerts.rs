//! Alert storage: server versions by alert id, the owning incident, optimistic overlays, and
//! per-incident lists in chronological order.

use super::packed::Packed;
use super::{Changes, Notice, PendingWrite, RowMark, Store};
use crate::graph::model::{Alert, Timestamp};
use crate::sync::WriteOp;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One stored alert.
pub(super) struct AlertSlot {
    /// The last version the server sent, compressed (see [`Packed`]).
    packed: Packed,
    /// The incident whose alert list holds it.
    pub(super) incident: Box<str>,
    /// The server version with pending patches applied, when there are any.
    pub(super) display: Option<Box<Alert>>,
    /// The server version unpacked, while the console reads it (dropped on the next refresh
    /// of its incident, or by [`Store::forget_unpacked`]).
    unpacked: OnceLock<Box<Alert>>,
}

impl AlertSlot {
    /// A slot holding `alert` packed, and also unpacked until its incident is next refreshed
    /// (the refresh that follows an insert reads it without unpacking).
    fn new(alert: Alert, incident: &str, display: Option<Box<Alert>>) -> Self {
        AlertSlot {
            packed: Packed::pack(&alert),
            incident: incident.into(),
            display,
            unpacked: OnceLock::from(Box::new(alert)),
        }
    }

    /// The server version, unpacked once and kept while the console reads it; `count` tallies
    /// unpacked alerts so the store can drop them when there are many.
    pub(super) fn server(&self, count: &AtomicUsize) -> &Alert {
        self.unpacked.get_or_init(|| {
            count.fetch_add(1, Ordering::Relaxed);
            Box::new(self.packed.unpack())
        })
    }

    /// An owned copy of the server version (nothing kept unpacked).
    pub(super) fn server_owned(&self) -> Alert {
        match self.unpacked.get() {
            Some(a) => Alert::clone(a),
            None => self.packed.unpack(),
        }
    }

    /// What to display.
    pub(super) fn shown(&self, count: &AtomicUsize) -> &Alert {
        match &self.display {
            Some(d) => d,
            None => self.server(count),
        }
    }

    /// What to display, without keeping an unpacked copy.
    pub(super) fn peek(&self) -> Cow<'_, Alert> {
        match (&self.display, self.unpacked.get()) {
            (Some(d), _) | (None, Some(d)) => Cow::Borrowed(&**d),
            (None, None) => Cow::Owned(self.packed.unpack()),
        }
    }

    /// Whether the server version is exactly `alert`.
    pub(super) fn holds(&self, alert: &Alert) -> bool {
        match self.unpacked.get() {
            Some(a) => **a == *alert,
            None => self.packed.holds(alert),
        }
    }

    /// Replaces the server version.
    pub(super) fn set_server(&mut self, alert: Alert) {
        self.packed = Packed::pack(&alert);
        self.unpacked = OnceLock::from(Box::new(alert));
    }

    /// Drops the unpacked copy.
    pub(super) fn forget(&mut self) {
        self.unpacked.take();
    }
}

/// Chronological key: first activity, else creation; undated alerts last; then id.
fn chrono_key(a: &Alert) -> (bool, Option<Timestamp>, &str) {
    let t = a.first_activity_date_time.or(a.created_date_time);
    (t.is_none(), t, a.id.as_str())
}

/// The display version of the server alert with the alert patches among `pending` (`server`
/// is only called when there are some).
fn overlay(
    server: impl FnOnce() -> Alert,
    pending: Option<&Vec<PendingWrite>>,
) -> Option<Box<Alert>> {
    let patches: Vec<_> = pending
        .into_iter()
        .flatten()
        .filter_map(|p| match &p.write {
            WriteOp::PatchAlert { patch, .. } => Some(patch),
            _ => None,
        })
        .collect();
    if patches.is_empty() {
        return None;
    }
    let mut shown = Box::new(server());
    for p in patches {
        p.apply_to(&mut shown);
    }
    Some(shown)
}

impl Store {
    /// Whether `alerts` differs from the stored complete set of `incident_id` (an unknown set
    /// always differs).
    pub(super) fn alerts_differ(&self, incident_id: &str, alerts: &[Alert]) -> bool {
        let Some(ids) = self.by_incident.get(incident_id) else {
            return true;
        };
        ids.len() != alerts.len()
            || alerts.iter().any(|a| {
                self.alerts
                    .get(&a.id)
                    .is_none_or(|s| &*s.incident != incident_id || !s.holds(a))
            })
    }

    /// `alerts` when they differ from the stored set of `incident_id`, else `None`. When they
    /// are the same and `refresh_follows`, they become the unpacked copies, so that refresh
    /// reads them without unpacking (it drops them again).
    pub(super) fn changed_alerts(
        &mut self,
        incident_id: &str,
        alerts: Vec<Alert>,
        refresh_follows: bool,
    ) -> Option<Vec<Alert>> {
        if self.alerts_differ(incident_id, &alerts) {
            return Some(alerts);
        }
        if !refresh_follows {
            return None;
        }
        for a in alerts {
            if let Some(slot) = self.alerts.get_mut(&a.id)
                && slot.unpacked.get().is_none()
            {
                let _ = slot.unpacked.set(Box::new(a));
            }
        }
        None
    }

    /// Makes `alerts` the complete alert set of `incident_id`. Returns the other incidents that
    /// lost an alert to it (they need a refresh).
    pub(super) fn set_alerts(&mut self, incident_id: &str, mut alerts: Vec<Alert>) -> Vec<String> {
        alerts.sort_by(|a, b| chrono_key(a).cmp(&chrono_key(b)));
        alerts.dedup_by(|a, b| a.id == b.id);
        let new_ids: HashSet<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
        if let Some(old) = self.by_incident.get(incident_id) {
            for gone in old.iter().filter(|id| !new_ids.contains(&***id)) {
                if self
                    .alerts
                    .get(gone)
                    .is_some_and(|s| &*s.incident == incident_id)
                {
                    self.alerts.remove(gone);
                }
            }
        }
        let mut others = Vec::new();
        let ids: Box<[Box<str>]> = alerts.iter().map(|a| a.id.as_str().into()).collect();
        for a in alerts {
            let display = overlay(|| a.clone(), self.alert_pending.get(&a.id));
            let id = a.id.clone();
            let slot = AlertSlot::new(a, incident_id, display);
            if let Some(prev) = self.alerts.insert(&id, slot)
                && &*prev.incident != incident_id
            {
                if let Some(list) = self.by_incident.get_mut(&*prev.incident) {
                    *list = list.iter().filter(|x| ***x != *id).cloned().collect();
                }
                others.push(prev.incident.into());
            }
        }
        self.by_incident.insert(incident_id.into(), ids);
        others
    }

    /// Recomputes one alert's display version and its incident's derived data.
    pub(super) fn refresh_alert(&mut self, alert_id: &str) {
        let Some(slot) = self.alerts.get_mut(alert_id) else {
            return;
        };
        slot.display = overlay(|| slot.server_owned(), self.alert_pending.get(alert_id));
        let owner = slot.incident.to_string();
        self.refresh_ids(&[owner]);
    }

    /// The incident that holds an alert.
    pub(super) fn alert_owner(&self, alert_id: &str) -> Option<String> {
        self.alerts.get(alert_id).map(|s| s.incident.to_string())
    }

    /// `Update::Alerts`: the complete alert list of one incident (lazy loading, drill-down).
    pub(super) fn replace_alerts(
        &mut self,
        incident_id: &str,
        alerts: Vec<Alert>,
        ch: &mut Changes,
    ) {
        if !self.alerts_differ(incident_id, &alerts) {
            return;
        }
        let idx = self.index.get(incident_id).copied();
        let was_experts = idx.is_some_and(|i| self.entries[i].experts);
        let others = self.set_alerts(incident_id, alerts);
        self.refresh_ids(&others);
        ch.dirty = true;
        let Some(i) = idx else { return };
        self.refresh(i);
        ch.updated += 1;
        let e = &self.entries[i];
        if e.experts && !was_experts && e.mark == RowMark::New {
            ch.notices.push(Notice::NewExpertsNotification {
                id: e.server().id.clone(),
                title: e.incident.title().to_string(),
            });
        }
    }

    /// True when a write on this alert is pending.
    pub fn alert_pending(&self, alert_id: &str) -> bool {
        self.alert_pending
            .get(alert_id)
            .is_some_and(|l| !l.is_empty())
    }

    /// The pending writes on one alert, oldest first.
    pub fn alert_pending_writes(&self, alert_id: &str) -> &[PendingWrite] {
        self.alert_pending
            .get(alert_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The server version of an alert (without pending writes).
    pub fn alert_server(&self, alert_id: &str) -> Option<&Alert> {
        self.alerts.get(alert_id).map(|s| s.server(&self.unpacked))
    }
}
