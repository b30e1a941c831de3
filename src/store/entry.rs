//! Per-entry derived data: the display version (server + pending patches), alert-derived
//! columns (count, sources, Defender Experts flag), the lowercase search haystack and a compact
//! [`Facts`] record (codes, times, flags) that filters and sorts read without touching the large
//! incident structs.

use super::arena::Arena;
use super::{IncidentEntry, RowMark};
use crate::graph::model::{
    Alert, Classification, Determination, Incident, IncidentStatus, ServiceSource, Timestamp,
};
use crate::sync::WriteOp;

/// Search text and compact facts of one entry.
#[derive(Clone, Debug, Default)]
pub(super) struct Derived {
    /// Lowercase title, owner, tags, id and evidence entities, separated by newlines.
    pub(super) haystack: String,
    pub(super) facts: Facts,
}

/// What filters and sorts need, in a small `Copy` record.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Facts {
    pub(super) num_id: Option<u64>,
    /// Nanoseconds since the epoch (saturating).
    pub(super) updated: Option<i64>,
    pub(super) created: Option<i64>,
    pub(super) priority: Option<i64>,
    pub(super) alert_count: u32,
    /// Bit i set when `ServiceSource::KNOWN[i]` is among the sources.
    pub(super) sources: u32,
    /// Byte ranges of the title, owner and tags inside the haystack.
    pub(super) title: (u32, u32),
    pub(super) owner: (u32, u32),
    pub(super) tags: (u32, u32),
    /// `Severity::rank`.
    pub(super) sev: u8,
    /// Position in `IncidentStatus::KNOWN`, 255 for unknown values.
    pub(super) status: u8,
    /// 0 = not set, else 1 + position in `KNOWN` (255 unknown).
    pub(super) class: u8,
    pub(super) det: u8,
    pub(super) experts: bool,
    pub(super) has_owner: bool,
}

/// Position of `v` in `known` (255 when absent).
pub(super) fn code<T: PartialEq>(known: &[T], v: &T) -> u8 {
    known
        .iter()
        .position(|k| k == v)
        .map_or(u8::MAX, |p| p.min(254) as u8)
}

/// 0 for not set (or the schema's `unknown`), else 1 + position.
pub(super) fn opt_code<T: PartialEq>(known: &[T], v: &Option<T>, unknown: &T) -> u8 {
    match v {
        Some(x) if x != unknown => code(known, x).saturating_add(1),
        _ => 0,
    }
}

/// `IncidentStatus` code.
pub(super) fn status_code(s: &IncidentStatus) -> u8 {
    code(IncidentStatus::KNOWN, s)
}

/// Bit for a service source (0 when it has none).
pub(super) fn source_bit(s: &ServiceSource) -> u32 {
    match code(ServiceSource::KNOWN, s) {
        c if c < 32 => 1 << c,
        _ => 0,
    }
}

fn nanos(t: Option<Timestamp>) -> Option<i64> {
    t.map(|t| i64::try_from(t.0.as_nanosecond()).unwrap_or(i64::MAX))
}

/// One row as filters see it: the entry (for rarely used fields), its facts and haystack.
pub(super) struct Row<'a> {
    pub(super) entry: &'a IncidentEntry,
    pub(super) facts: &'a Facts,
    pub(super) hay: Hay<'a>,
}

/// Where a row's search text is. Looked up only when a filter term reads it: touching the text
/// of every row costs a cache miss per row even for filters on facts alone.
#[derive(Clone, Copy)]
pub(super) enum Hay<'a> {
    Text(&'a str),
    Arena(&'a Arena, usize),
}

impl<'a> Row<'a> {
    /// The lowercase search text.
    pub(super) fn hay(&self) -> &'a str {
        match self.hay {
            Hay::Text(t) => t,
            Hay::Arena(a, i) => a.get(i),
        }
    }
    fn part(&self, r: (u32, u32)) -> &'a str {
        self.hay().get(r.0 as usize..r.1 as usize).unwrap_or("")
    }
    pub(super) fn title(&self) -> &'a str {
        self.part(self.facts.title)
    }
    pub(super) fn owner(&self) -> &'a str {
        self.part(self.facts.owner)
    }
    /// Lowercase tags joined by newlines.
    pub(super) fn tags(&self) -> &'a str {
        self.part(self.facts.tags)
    }
}

impl IncidentEntry {
    /// An entry for one incident outside a store (seen, nothing pending). When
    /// `incident.alerts` is `Some`, they feed the alert count, sources, experts flag and search
    /// text; the stored incident keeps `alerts: None` as in a store.
    pub fn new(mut incident: Incident) -> Self {
        let alerts = incident.alerts.take();
        let mut e = IncidentEntry::blank(incident);
        let derived = match alerts {
            Some(a) => e.rebuild(Some(&a.iter().collect::<Vec<_>>())),
            None => e.rebuild(None),
        };
        e.derived = Some(Box::new(derived));
        e
    }

    /// This entry as a filter row (empty facts and text inside a store, which keeps them).
    pub(super) fn row(&self) -> Row<'_> {
        static NONE: Facts = Facts {
            num_id: None,
            updated: None,
            created: None,
            priority: None,
            alert_count: 0,
            sources: 0,
            title: (0, 0),
            owner: (0, 0),
            tags: (0, 0),
            sev: 0,
            status: 0,
            class: 0,
            det: 0,
            experts: false,
            has_owner: false,
        };
        match &self.derived {
            Some(d) => Row {
                entry: self,
                facts: &d.facts,
                hay: Hay::Text(&d.haystack),
            },
            None => Row {
                entry: self,
                facts: &NONE,
                hay: Hay::Text(""),
            },
        }
    }

    /// The last version the server sent (`alerts` is `None` here too).
    pub fn server(&self) -> &Incident {
        self.server.as_deref().unwrap_or(&self.incident)
    }

    /// The server version, to update in place; call [`rebuild`](Self::rebuild) after.
    pub(super) fn server_mut(&mut self) -> &mut Incident {
        match &mut self.server {
            Some(s) => s,
            None => &mut self.incident,
        }
    }

    /// Replaces the server version; call [`rebuild`](Self::rebuild) after.
    pub(super) fn set_server(&mut self, inc: Incident) {
        *self.server_mut() = inc;
    }

    /// An entry holding `server` only; call [`rebuild`](Self::rebuild) before use.
    pub(super) fn blank(server: Incident) -> Self {
        IncidentEntry {
            incident: server,
            server: None,
            mark: RowMark::Seen,
            pending: Vec::new(),
            conflicts: Vec::new(),
            rollback: None,
            alerts_loaded: false,
            alert_count: 0,
            sources: Vec::new(),
            experts: false,
            derived: None,
        }
    }

    /// Recomputes the display version and every derived field, and returns the search text and
    /// facts (the caller keeps them). `alerts` is the complete alert list (as displayed) when
    /// known.
    pub(super) fn rebuild(&mut self, alerts: Option<&[&Alert]>) -> Derived {
        // One copy while nothing is pending; the server version is kept apart only while
        // patches make the display differ from it.
        let patches = self.pending.iter().filter_map(|p| match &p.write {
            WriteOp::PatchIncident { patch, .. } => Some(patch),
            _ => None,
        });
        if patches.clone().next().is_some() {
            let server = match self.server.take() {
                Some(s) => s,
                None => Box::new(self.incident.clone()),
            };
            let mut shown = (*server).clone();
            for patch in patches {
                patch.apply_to(&mut shown);
            }
            self.incident = shown;
            self.server = Some(server);
        } else if let Some(server) = self.server.take() {
            self.incident = *server;
        }
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
        self.derive(list)
    }

    fn derive(&self, alerts: &[&Alert]) -> Derived {
        let i = &self.incident;
        let mut entities: Vec<String> = alerts
            .iter()
            .flat_map(|a| a.evidence.iter())
            .flat_map(|ev| ev.entities())
            .map(|(_, v)| v)
            .collect();
        entities.sort_unstable();
        entities.dedup();
        let mut hay =
            String::with_capacity(96 + entities.iter().map(|s| s.len() + 1).sum::<usize>());
        let add = |hay: &mut String, s: &str| -> (u32, u32) {
            let start = hay.len();
            hay.extend(s.chars().flat_map(char::to_lowercase));
            let end = hay.len();
            hay.push('\n');
            (start as u32, end as u32)
        };
        let title = add(&mut hay, i.title());
        let owner = add(&mut hay, i.assigned_to.as_deref().unwrap_or(""));
        let tags_start = hay.len() as u32;
        let mut tags_end = tags_start;
        for t in i.custom_tags.iter().chain(&i.system_tags) {
            tags_end = add(&mut hay, t).1;
        }
        for s in std::iter::once(&i.id).chain(&entities) {
            add(&mut hay, s);
        }
        let facts = Facts {
            num_id: i.id.parse().ok(),
            updated: nanos(i.last_update_date_time),
            created: nanos(i.created_date_time),
            priority: i.priority_score,
            alert_count: self.alert_count.min(u32::MAX as usize) as u32,
            sources: self.sources.iter().fold(0, |m, s| m | source_bit(s)),
            title,
            owner,
            tags: (tags_start, tags_end),
            sev: i.severity.rank(),
            status: status_code(&i.status),
            class: opt_code(
                Classification::KNOWN,
                &i.classification,
                &Classification::Unknown,
            ),
            det: opt_code(
                Determination::KNOWN,
                &i.determination,
                &Determination::Unknown,
            ),
            experts: self.experts,
            has_owner: i
                .assigned_to
                .as_deref()
                .is_some_and(|o| !o.trim().is_empty()),
        };
        Derived {
            haystack: hay,
            facts,
        }
    }
}
