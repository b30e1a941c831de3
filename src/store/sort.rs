//! Sorting view rows by a column; ties are broken by id, highest first.

use super::{IncidentEntry, Sort, SortKey};
use crate::graph::model::{Classification, IncidentStatus};
use std::cmp::Ordering;

/// Sorts `rows` by `sort`, ties broken by id descending (numerically when both ids are numbers).
pub(super) fn sort_entries(rows: &mut [&IncidentEntry], sort: Sort) {
    rows.sort_unstable_by(|a, b| {
        let o = compare(a, b, sort.key);
        let o = if sort.descending { o.reverse() } else { o };
        o.then_with(|| cmp_id(b, a))
    });
}

/// Total order on ids: numeric ids numerically and before any non-numeric id.
pub(super) fn cmp_id(a: &IncidentEntry, b: &IncidentEntry) -> Ordering {
    match (a.derived.num_id, b.derived.num_id) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.server.id.cmp(&b.server.id),
    }
}

/// Workflow order of statuses: active, in progress, awaiting, resolved, redirected, others.
fn status_rank(s: &IncidentStatus) -> u8 {
    match s {
        IncidentStatus::Active => 0,
        IncidentStatus::InProgress => 1,
        IncidentStatus::AwaitingAction => 2,
        IncidentStatus::Resolved => 3,
        IncidentStatus::Redirected => 4,
        _ => 5,
    }
}

fn class_label(c: &Option<Classification>) -> Option<&str> {
    c.as_ref()
        .filter(|c| **c != Classification::Unknown)
        .map(|c| c.label())
}

/// Ascending comparison of one column.
fn compare(a: &IncidentEntry, b: &IncidentEntry, key: SortKey) -> Ordering {
    let (x, y) = (&a.incident, &b.incident);
    match key {
        SortKey::Id => cmp_id(a, b),
        SortKey::Severity => x.severity.rank().cmp(&y.severity.rank()),
        SortKey::Status => status_rank(&x.status).cmp(&status_rank(&y.status)),
        SortKey::Title => a.derived.title_lc.cmp(&b.derived.title_lc),
        SortKey::AssignedTo => a.derived.owner_lc.cmp(&b.derived.owner_lc),
        SortKey::Classification => {
            class_label(&x.classification).cmp(&class_label(&y.classification))
        }
        SortKey::Alerts => a.alert_count.cmp(&b.alert_count),
        SortKey::Sources => a
            .sources
            .iter()
            .map(|s| s.label())
            .cmp(b.sources.iter().map(|s| s.label())),
        SortKey::Tags => a.derived.tags_lc.cmp(&b.derived.tags_lc),
        SortKey::Priority => x.priority_score.cmp(&y.priority_score),
        SortKey::LastUpdate => x.last_update_date_time.cmp(&y.last_update_date_time),
        SortKey::Created => x.created_date_time.cmp(&y.created_date_time),
    }
}
