//! The in-memory model, owned by the UI task (no locks). Applies [`Update`]s idempotently,
//! keeps incidents and alerts by id with indexes for sorting and filtering, tracks new/changed
//! rows and optimistic (pending) writes, and answers view queries for drawing.
//!
//! Incidents live in a vector indexed by id (never removed); alerts live in a table by alert id
//! with a per-incident list kept in chronological order, each held compressed and unpacked only
//! while the console reads it (see `packed`). Each incident's lowercase search text and sort
//! keys are computed when it changes and kept in two contiguous vectors, so a view over 100,000
//! incidents is one linear scan plus a sort, and the store holds less than the JSON it came from.

mod alerts;
mod arena;
mod entry;
mod grow;
mod packed;
pub mod query;
mod sort;
mod table;
mod writes;

use crate::graph::model::{Alert, Comment, Incident, ServiceSource, Severity, Timestamp};
use crate::sync::{OpId, Target, Update, UpsertSource, WriteOp};
pub use query::{Query, QueryError};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicUsize;

/// Unpacked alerts kept for reading before [`Store::apply`] drops them all.
pub const UNPACKED_LIMIT: usize = 2_000;

/// Who "me" is, for `owner:me` and "assigned to you" notices. UPNs compare case-insensitively.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    pub aliases: Vec<String>,
}

impl Identity {
    /// An identity with these aliases (UPNs, display names).
    pub fn new<S: Into<String>>(aliases: impl IntoIterator<Item = S>) -> Self {
        Identity {
            aliases: aliases.into_iter().map(Into::into).collect(),
        }
    }

    /// True when `name` is one of the aliases (case-insensitive, surrounding space ignored).
    pub fn is_me(&self, name: &str) -> bool {
        let name = name.trim();
        !name.is_empty() && self.aliases.iter().any(|a| query::eq_ci(a.trim(), name))
    }
}

/// Highlight state of a row until the analyst has seen it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RowMark {
    #[default]
    Seen,
    New,
    Changed,
}

/// A write shown optimistically until the service answers.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingWrite {
    pub op: OpId,
    pub write: WriteOp,
}

/// A write waiting for the analyst's decision on a conflict.
#[derive(Clone, Debug, PartialEq)]
pub struct ConflictWrite {
    pub op: OpId,
    pub write: WriteOp,
    /// Graph names of the properties someone else changed.
    pub fields: Vec<String>,
}

/// One incident as the UI sees it. Build one outside a [`Store`] with [`IncidentEntry::new`].
#[derive(Clone, Debug)]
pub struct IncidentEntry {
    /// What to display: the server version with pending writes applied. Its `alerts` field is
    /// always `None`: read alerts with [`Store::alerts`].
    pub incident: Incident,
    /// The last version the server sent, held apart only while pending patches make it differ
    /// from `incident` (one copy otherwise). Read it with [`server`](Self::server).
    server: Option<Box<Incident>>,
    pub mark: RowMark,
    pub pending: Vec<PendingWrite>,
    /// Writes someone else's change put in conflict: kept (not displayed) until the analyst
    /// overwrites or discards them.
    pub conflicts: Vec<ConflictWrite>,
    /// The last rollback message for this incident, until it is seen.
    pub rollback: Option<String>,
    /// Whether the alert list is known (expanded or lazily loaded).
    pub alerts_loaded: bool,
    /// Number of alerts (0 when not loaded).
    pub alert_count: usize,
    /// Distinct service sources of its alerts.
    pub sources: Vec<ServiceSource>,
    /// Defender Experts notification (system tag, title prefix or an experts alert).
    pub experts: bool,
    /// Search text and sort keys of an entry outside a store ([`IncidentEntry::new`]); a store
    /// keeps them in its own compact vectors instead.
    derived: Option<Box<entry::Derived>>,
}

/// Sortable columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortKey {
    Id,
    Severity,
    Status,
    Title,
    AssignedTo,
    Classification,
    Alerts,
    Sources,
    Tags,
    Priority,
    #[default]
    LastUpdate,
    Created,
}

/// Sort order of a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            key: SortKey::LastUpdate,
            descending: true,
        }
    }
}

/// Counts for the header line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub open: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub informational: usize,
    /// Defender Experts notifications that are open.
    pub experts: usize,
    /// Incidents with status awaitingAction.
    pub awaiting_customer: usize,
    pub unseen: usize,
    pub pending_writes: usize,
}

/// Something the analyst should be told about (notification line / bell).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    NewHighSeverity {
        id: String,
        title: String,
    },
    NewExpertsNotification {
        id: String,
        title: String,
    },
    AssignedToMe {
        id: String,
        title: String,
    },
    WriteConfirmed {
        op: OpId,
        target: Target,
    },
    WriteRolledBack {
        op: OpId,
        target: Target,
        message: String,
    },
    Conflict {
        op: OpId,
        incident_id: String,
        fields: Vec<String>,
    },
}

/// What one `apply` changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pub inserted: usize,
    pub updated: usize,
    pub notices: Vec<Notice>,
    /// True when anything visible may have changed (the UI marks itself dirty).
    pub dirty: bool,
}

/// The in-memory model.
#[derive(Default)]
pub struct Store {
    identity: Identity,
    /// Incidents in arrival order; never removed.
    entries: Vec<IncidentEntry>,
    /// Incident id → position in `entries`.
    index: HashMap<String, usize>,
    /// Compact filter/sort facts, parallel to `entries`.
    facts: Vec<entry::Facts>,
    /// Haystacks, parallel to `entries`, in one contiguous buffer.
    arena: arena::Arena,
    /// Alert id → server version (packed), owner and optimistic display.
    alerts: table::Table<alerts::AlertSlot>,
    /// How many alerts were unpacked for reading since [`forget_unpacked`](Self::forget_unpacked)
    /// (an upper bound: refreshes drop some without counting down).
    unpacked: AtomicUsize,
    /// Incident id → its alert ids, oldest first. Present once the alert set is known.
    by_incident: HashMap<Box<str>, Box<[Box<str>]>>,
    /// Pending writes on alerts, by alert id (the alert may not be loaded yet).
    alert_pending: HashMap<String, Vec<PendingWrite>>,
    /// Pending incident writes whose incident is not loaded yet (outbox replay at start).
    waiting: HashMap<String, Vec<PendingWrite>>,
    /// Every pending op and what it targets.
    pending_ops: HashMap<OpId, Target>,
    /// The last outcome reported per op, so a repeated outcome notifies once.
    settled: HashMap<OpId, writes::Outcome>,
    /// Ops in conflict → their incident id.
    conflict_ops: HashMap<OpId, String>,
}

impl Store {
    /// An empty store for this identity.
    pub fn new(identity: Identity) -> Self {
        Store {
            identity,
            ..Default::default()
        }
    }

    /// Applies one update idempotently (the same update twice changes nothing the second time).
    /// `Status`, `BadRecords`, `LoadComplete` and `Error` carry nothing for the store and return
    /// empty [`Changes`]; the UI handles them itself.
    pub fn apply(&mut self, update: Update) -> Changes {
        if *self.unpacked.get_mut() > UNPACKED_LIMIT {
            self.forget_unpacked();
        }
        let mut ch = Changes::default();
        match update {
            Update::Incidents { items, source } => {
                for inc in items {
                    self.upsert(inc, source, &mut ch);
                }
            }
            Update::Alerts {
                incident_id,
                alerts,
            } => self.replace_alerts(&incident_id, alerts, &mut ch),
            Update::WriteQueued { op, write } => ch.dirty = self.begin(op, write),
            Update::IncidentWritten { op, incident } => {
                self.incident_written(op, incident, &mut ch)
            }
            Update::AlertWritten { op, alert } => self.alert_written(op, alert, &mut ch),
            Update::CommentsWritten {
                op,
                target,
                comments,
            } => self.comments_written(op, target, comments, &mut ch),
            Update::WriteFailed {
                op,
                target,
                message,
                ..
            } => self.write_failed(op, target, message, &mut ch),
            Update::Conflict {
                op,
                server,
                changed_fields,
            } => self.conflict(op, server, changed_fields, &mut ch),
            Update::Status(_)
            | Update::BadRecords { .. }
            | Update::LoadComplete { .. }
            | Update::Error { .. }
            | Update::MailSent { .. }
            | Update::MailPending { .. }
            | Update::OutboxLoaded { .. }
            | Update::Tasks { .. }
            | Update::TaskUpdated { .. }
            | Update::HuntResult { .. }
            | Update::HuntFailed { .. } => {}
        }
        ch
    }

    /// Drops every unpacked alert copy (they are unpacked again when next read). [`apply`]
    /// does this by itself once more than [`UNPACKED_LIMIT`] alerts were read.
    ///
    /// [`apply`]: Self::apply
    pub fn forget_unpacked(&mut self) {
        for slot in self.alerts.values_mut() {
            slot.forget();
        }
        *self.unpacked.get_mut() = 0;
    }

    /// Number of incidents.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One incident.
    pub fn incident(&self, id: &str) -> Option<&IncidentEntry> {
        self.index.get(id).map(|&i| &self.entries[i])
    }

    /// Every incident, in arrival order (unfiltered, unsorted).
    pub fn entries(&self) -> impl Iterator<Item = &IncidentEntry> {
        self.entries.iter()
    }

    /// The alerts of an incident, oldest first (chronological by first activity / creation),
    /// with pending alert writes applied.
    pub fn alerts(&self, incident_id: &str) -> Vec<&Alert> {
        self.by_incident
            .get(incident_id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|a| self.alerts.get(a))
                    .map(|s| s.shown(&self.unpacked))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One alert by id, with pending alert writes applied.
    pub fn alert(&self, alert_id: &str) -> Option<&Alert> {
        self.alerts.get(alert_id).map(|s| s.shown(&self.unpacked))
    }

    /// Ids of the incidents matching `query`, sorted. O(n) over incidents; the UI renders only
    /// the visible slice.
    pub fn view(&self, query: &Query, sort: Sort) -> Vec<String> {
        self.view_at(query, sort, Timestamp::now())
    }

    /// [`view`](Self::view) with an explicit "now" for `age:`/`created:` terms.
    pub fn view_at(&self, query: &Query, sort: Sort, now: Timestamp) -> Vec<String> {
        let ctx = query::Ctx::new(&self.identity, now);
        let mut hits: Vec<usize> = (0..self.entries.len())
            .filter(|&i| query.matches_row(&self.row(i), &ctx))
            .collect();
        sort::sort_rows(self, &mut hits, sort);
        hits.into_iter()
            .map(|i| self.entries[i].server().id.clone())
            .collect()
    }

    /// Whether the incident `id` matches `query` at `now` (one row of [`view_at`](Self::view_at),
    /// unsorted). False for an unknown id.
    pub fn matches_at(&self, id: &str, query: &Query, now: Timestamp) -> bool {
        let ctx = query::Ctx::new(&self.identity, now);
        self.index
            .get(id)
            .is_some_and(|&i| query.matches_row(&self.row(i), &ctx))
    }

    /// The lowercase text bare words of a filter are matched against (empty for an unknown id).
    pub fn search_text(&self, id: &str) -> &str {
        self.index.get(id).map_or("", |&i| self.arena.get(i))
    }

    /// Entry `i` as a filter row over the compact facts and the arena.
    fn row(&self, i: usize) -> entry::Row<'_> {
        entry::Row {
            entry: &self.entries[i],
            facts: &self.facts[i],
            hay: entry::Hay::Arena(&self.arena, i),
        }
    }

    /// Header counts.
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            total: self.entries.len(),
            pending_writes: self.pending_ops.len(),
            ..Counts::default()
        };
        for e in &self.entries {
            let i = &e.incident;
            if e.mark != RowMark::Seen {
                c.unseen += 1;
            }
            if i.status == crate::graph::model::IncidentStatus::AwaitingAction {
                c.awaiting_customer += 1;
            }
            if !i.is_known_open() {
                continue;
            }
            c.open += 1;
            match i.severity {
                Severity::High => c.high += 1,
                Severity::Medium => c.medium += 1,
                Severity::Low => c.low += 1,
                Severity::Informational => c.informational += 1,
                _ => {}
            }
            if e.experts {
                c.experts += 1;
            }
        }
        c
    }

    /// Clears the new/changed highlight of one row (and its rollback message).
    pub fn mark_seen(&mut self, id: &str) {
        if let Some(&i) = self.index.get(id) {
            let e = &mut self.entries[i];
            e.mark = RowMark::Seen;
            e.rollback = None;
        }
    }

    /// Clears every highlight and rollback message.
    pub fn mark_all_seen(&mut self) {
        for e in &mut self.entries {
            e.mark = RowMark::Seen;
            e.rollback = None;
        }
    }

    /// Shows a write optimistically (pending) before it is sent. Beginning the same op twice
    /// does nothing the second time.
    pub fn begin_write(&mut self, op: OpId, write: WriteOp) {
        self.begin(op, write);
    }

    /// Owners seen in the tenant (for type-ahead), sorted, de-duplicated case-insensitively.
    pub fn owners(&self) -> Vec<String> {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for e in &self.entries {
            for o in [&e.incident.assigned_to, &e.server().assigned_to]
                .into_iter()
                .flatten()
            {
                let o = o.trim();
                if !o.is_empty() {
                    seen.entry(query::lower(o)).or_insert_with(|| o.to_string());
                }
            }
        }
        seen.into_values().collect()
    }

    /// Custom tags in use (for type-ahead), sorted, de-duplicated case-insensitively.
    pub fn tags(&self) -> Vec<String> {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for e in &self.entries {
            for t in &e.incident.custom_tags {
                let t = t.trim();
                if !t.is_empty() {
                    seen.entry(query::lower(t)).or_insert_with(|| t.to_string());
                }
            }
        }
        seen.into_values().collect()
    }

    /// The identity used for `owner:me`.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Replaces the identity (after sign-in reveals the UPN).
    pub fn set_identity(&mut self, identity: Identity) {
        self.identity = identity;
    }

    /// Ids of the Defender Experts notifications, most recently updated first.
    pub fn experts_ids(&self) -> Vec<String> {
        let mut hits: Vec<usize> = (0..self.entries.len())
            .filter(|&i| self.facts[i].experts)
            .collect();
        sort::sort_rows(self, &mut hits, Sort::default());
        hits.into_iter()
            .map(|i| self.entries[i].server().id.clone())
            .collect()
    }

    /// The comments the service has recorded on an incident or alert (pending ones excluded).
    pub fn comments(&self, target: &Target) -> Vec<Comment> {
        match target {
            Target::Incident(id) => self.incident(id).map(|e| e.server().comments.clone()),
            Target::Alert(id) => self.alerts.get(id).map(|s| s.server_owned().comments),
        }
        .unwrap_or_default()
    }

    /// Server versions of every incident, with their alerts when known (for the on-disk cache).
    pub fn snapshot(&self) -> Vec<Incident> {
        self.entries
            .iter()
            .map(|e| {
                let mut inc = e.server().clone();
                inc.alerts = self.by_incident.get(inc.id.as_str()).map(|ids| {
                    ids.iter()
                        .filter_map(|a| self.alerts.get(a))
                        .map(|s| s.server_owned())
                        .collect()
                });
                inc
            })
            .collect()
    }

    /// Loads a cached snapshot like an initial load; every row it touches is marked seen.
    pub fn load_snapshot(&mut self, incidents: Vec<Incident>) -> Changes {
        let ids: Vec<String> = incidents.iter().map(|i| i.id.clone()).collect();
        let ch = self.apply(Update::Incidents {
            items: incidents,
            source: UpsertSource::Initial,
        });
        for id in ids {
            if let Some(&i) = self.index.get(&id) {
                self.entries[i].mark = RowMark::Seen;
            }
        }
        ch
    }

    /// Inserts or replaces one incident from the service.
    fn upsert(&mut self, mut inc: Incident, source: UpsertSource, ch: &mut Changes) {
        let alerts = inc.alerts.take();
        let id = inc.id.clone();
        let notify = source != UpsertSource::Initial;
        let Some(&idx) = self.index.get(&id) else {
            let mut e = IncidentEntry::blank(inc);
            e.mark = if notify { RowMark::New } else { RowMark::Seen };
            e.pending = self.waiting.remove(&id).unwrap_or_default();
            let idx = self.entries.len();
            grow::reserve(&mut self.entries, 1);
            self.entries.push(e);
            self.index.insert(id.clone(), idx);
            let others = alerts.map(|a| self.set_alerts(&id, a)).unwrap_or_default();
            self.refresh(idx);
            self.refresh_ids(&others);
            if notify {
                self.new_incident_notices(idx, ch);
            }
            ch.inserted += 1;
            ch.dirty = true;
            return;
        };
        keep_beta_fields(self.entries[idx].server(), &mut inc);
        let incident_changed = *self.entries[idx].server() != inc;
        let alerts = alerts.and_then(|a| self.changed_alerts(&id, a, incident_changed));
        if !incident_changed && alerts.is_none() {
            return;
        }
        let before = &self.entries[idx];
        let (old_server_owner, old_shown_owner, old_experts) = (
            before.server().assigned_to.clone(),
            before.incident.assigned_to.clone(),
            before.experts,
        );
        self.entries[idx].set_server(inc);
        let others = alerts.map(|a| self.set_alerts(&id, a)).unwrap_or_default();
        self.refresh(idx);
        self.refresh_ids(&others);
        ch.updated += 1;
        ch.dirty = true;
        if !notify {
            return;
        }
        let e = &mut self.entries[idx];
        if e.mark != RowMark::New {
            e.mark = RowMark::Changed;
        }
        let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => query::eq_ci(a.trim(), b.trim()),
            (None, None) => true,
            _ => false,
        };
        let new_owner = &e.server().assigned_to;
        let mine = new_owner.as_deref().is_some_and(|o| self.identity.is_me(o));
        if mine && !same(new_owner, &old_server_owner) && !same(new_owner, &old_shown_owner) {
            ch.notices.push(Notice::AssignedToMe {
                id: id.clone(),
                title: e.incident.title().into(),
            });
        }
        if e.experts && !old_experts {
            ch.notices.push(Notice::NewExpertsNotification {
                id,
                title: e.incident.title().into(),
            });
        }
    }

    /// Notices for an incident first seen in a delta or single read.
    fn new_incident_notices(&self, idx: usize, ch: &mut Changes) {
        let e = &self.entries[idx];
        let (id, title) = (e.server().id.clone(), e.incident.title().to_string());
        if e.server().severity == Severity::High {
            ch.notices.push(Notice::NewHighSeverity {
                id: id.clone(),
                title: title.clone(),
            });
        }
        if e.experts {
            ch.notices.push(Notice::NewExpertsNotification {
                id: id.clone(),
                title: title.clone(),
            });
        }
        if e.server()
            .assigned_to
            .as_deref()
            .is_some_and(|o| self.identity.is_me(o))
        {
            ch.notices.push(Notice::AssignedToMe { id, title });
        }
    }

    /// Replaces the server version of an incident without highlighting it (write outcomes).
    /// Inserts it (seen) when unknown. Always recomputes the display. Returns whether the
    /// server content changed.
    fn put_server(&mut self, mut inc: Incident) -> bool {
        let alerts = inc.alerts.take();
        let id = inc.id.clone();
        let (idx, changed) = match self.index.get(&id) {
            Some(&idx) => {
                keep_beta_fields(self.entries[idx].server(), &mut inc);
                let changed = *self.entries[idx].server() != inc;
                self.entries[idx].set_server(inc);
                (idx, changed)
            }
            None => {
                let mut e = IncidentEntry::blank(inc);
                e.pending = self.waiting.remove(&id).unwrap_or_default();
                grow::reserve(&mut self.entries, 1);
                self.entries.push(e);
                self.index.insert(id.clone(), self.entries.len() - 1);
                (self.entries.len() - 1, true)
            }
        };
        let alerts = alerts.and_then(|a| self.changed_alerts(&id, a, true));
        let alerts_changed = alerts.is_some();
        let others = alerts.map(|a| self.set_alerts(&id, a)).unwrap_or_default();
        self.refresh(idx);
        self.refresh_ids(&others);
        changed || alerts_changed
    }

    /// Recomputes the display version and derived data of one entry, and its copies in the
    /// facts vector and the text arena (the entry keeps no haystack of its own). Drops the
    /// unpacked copies of its alerts.
    fn refresh(&mut self, idx: usize) {
        let Store {
            entries,
            alerts,
            by_incident,
            facts,
            arena,
            ..
        } = self;
        let e = &mut entries[idx];
        let ids = by_incident.get(e.incident.id.as_str());
        let derived = match ids {
            Some(ids) => {
                let list: Vec<_> = ids
                    .iter()
                    .filter_map(|a| alerts.get(a))
                    .map(|s| s.peek())
                    .collect();
                let refs: Vec<&Alert> = list.iter().map(|a| &**a).collect();
                e.rebuild(Some(&refs))
            }
            None => e.rebuild(None),
        };
        for id in ids.into_iter().flatten() {
            if let Some(slot) = alerts.get_mut(id) {
                slot.forget();
            }
        }
        if facts.len() <= idx {
            grow::reserve(facts, idx + 1 - facts.len());
            facts.resize(idx + 1, entry::Facts::default());
        }
        facts[idx] = derived.facts;
        arena.set(idx, &derived.haystack);
    }

    /// [`refresh`](Self::refresh) by incident id, for each id that is loaded.
    fn refresh_ids(&mut self, ids: &[String]) {
        for id in ids {
            if let Some(&i) = self.index.get(id) {
                self.refresh(i);
            }
        }
    }
}

/// Properties only a beta read brings (the Defender Experts recommendations and hunting
/// queries): a v1.0 record of the same incident (every poll) lacks them, which says nothing
/// about them, so the ones held are kept.
fn keep_beta_fields(held: &Incident, incoming: &mut Incident) {
    if incoming.recommended_actions.is_none() {
        incoming.recommended_actions = held.recommended_actions.clone();
    }
    if incoming.recommended_hunting_queries.is_none() {
        incoming.recommended_hunting_queries = held.recommended_hunting_queries.clone();
    }
}
