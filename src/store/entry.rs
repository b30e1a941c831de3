//! Per-entry derived data: the display version (server + pending patches), alert-derived
//! columns (count, sources, Defender Experts flag) and the lowercase search haystack and sort
//! keys, all recomputed whenever the entry or its alerts change.

use super::query::lower;
use super::{IncidentEntry, RowMark};
use crate::graph::model::{Alert, Incident};
use crate::sync::WriteOp;

/// Search text and sort keys of one entry.
#[derive(Clone, Debug, Default)]
pub(super) struct Derived {
    /// Lowercase id, title, owner, tags and evidence entities, separated by newlines.
    pub(super) haystack: String,
    pub(super) title_lc: String,
    pub(super) owner_lc: String,
    /// Lowercase custom then system tags.
    pub(super) tags_lc: Vec<String>,
    /// The id as a number, when it is one.
    pub(super) num_id: Option<u64>,
}

impl IncidentEntry {
    /// An entry for one incident outside a store (seen, nothing pending). When
    /// `incident.alerts` is `Some`, they feed the alert count, sources, experts flag and search
    /// text; the stored incident keeps `alerts: None` as in a store.
    pub fn new(mut incident: Incident) -> Self {
        let alerts = incident.alerts.take();
        let mut e = IncidentEntry::blank(incident);
        match alerts {
            Some(a) => e.rebuild(Some(&a.iter().collect::<Vec<_>>())),
            None => e.rebuild(None),
        }
        e
    }

    /// The lowercase text bare words are matched against.
    pub fn search_text(&self) -> &str {
        &self.derived.haystack
    }

    /// An entry holding `server` only; call [`rebuild`](Self::rebuild) before use.
    pub(super) fn blank(server: Incident) -> Self {
        IncidentEntry {
            incident: Incident::default(),
            server,
            mark: RowMark::Seen,
            pending: Vec::new(),
            rollback: None,
            alerts_loaded: false,
            alert_count: 0,
            sources: Vec::new(),
            experts: false,
            derived: Derived::default(),
        }
    }

    /// Recomputes the display version and every derived field. `alerts` is the complete alert
    /// list (as displayed) when known.
    pub(super) fn rebuild(&mut self, alerts: Option<&[&Alert]>) {
        let mut shown = self.server.clone();
        for p in &self.pending {
            if let WriteOp::PatchIncident { patch, .. } = &p.write {
                patch.apply_to(&mut shown);
            }
        }
        self.incident = shown;
        let list = alerts.unwrap_or(&[]);
        self.alerts_loaded = alerts.is_some();
        self.alert_count = list.len();
        self.sources.clear();
        for a in list {
            if !self.sources.contains(&a.service_source) {
                self.sources.push(a.service_source.clone());
            }
        }
        self.experts =
            self.incident.is_experts_notification() || list.iter().any(|a| a.is_experts());
        self.derived = derive(&self.incident, list);
    }
}

fn derive(i: &Incident, alerts: &[&Alert]) -> Derived {
    let tags_lc: Vec<String> = i
        .custom_tags
        .iter()
        .chain(&i.system_tags)
        .map(|t| lower(t))
        .collect();
    let title_lc = lower(i.title());
    let owner_lc = i.assigned_to.as_deref().map(lower).unwrap_or_default();
    let mut entities: Vec<String> = alerts
        .iter()
        .flat_map(|a| a.evidence.iter())
        .flat_map(|ev| ev.entities())
        .map(|(_, v)| v)
        .collect();
    entities.sort_unstable();
    entities.dedup();
    let mut hay = String::with_capacity(64 + entities.iter().map(|s| s.len() + 1).sum::<usize>());
    for s in [title_lc.as_str(), owner_lc.as_str()]
        .into_iter()
        .chain(tags_lc.iter().map(String::as_str))
    {
        hay.push_str(s);
        hay.push('\n');
    }
    for s in std::iter::once(&i.id).chain(&entities) {
        hay.extend(s.chars().flat_map(char::to_lowercase));
        hay.push('\n');
    }
    Derived {
        haystack: hay,
        title_lc,
        owner_lc,
        tags_lc,
        num_id: i.id.parse().ok(),
    }
}
