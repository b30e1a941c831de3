//! Sorting view rows by a column; ties are broken by id, highest first. Numeric columns sort
//! on precomputed `(key, id)` pairs from the compact facts; text columns compare arena slices.

use super::entry::Facts;
use super::{Sort, SortKey, Store};
use crate::graph::model::{Classification, IncidentStatus};
use std::cmp::Ordering;

/// Sorts entry positions by `sort`, ties broken by id descending (numerically when both ids
/// are numbers).
pub(super) fn sort_rows(store: &Store, rows: &mut Vec<usize>, sort: Sort) {
    let tie = |a: usize, b: usize| cmp_id(store, b, a);
    let dir = |o: Ordering| if sort.descending { o.reverse() } else { o };
    if sort.key == SortKey::Id {
        rows.sort_unstable_by(|&a, &b| dir(cmp_id(store, a, b)));
        return;
    }
    if let Some(key) = numeric_key(sort.key) {
        let mut keyed: Vec<(i64, usize)> =
            rows.iter().map(|&i| (key(&store.facts[i]), i)).collect();
        keyed.sort_unstable_by(|a, b| dir(a.0.cmp(&b.0)).then_with(|| tie(a.1, b.1)));
        rows.clear();
        rows.extend(keyed.into_iter().map(|(_, i)| i));
        return;
    }
    rows.sort_unstable_by(|&a, &b| {
        dir(compare_text(store, a, b, sort.key)).then_with(|| tie(a, b))
    });
}

/// Total order on ids: numeric ids numerically and before any non-numeric id.
fn cmp_id(store: &Store, a: usize, b: usize) -> Ordering {
    match (store.facts[a].num_id, store.facts[b].num_id) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => store.entries[a]
            .incident
            .id
            .cmp(&store.entries[b].incident.id),
    }
}

/// Workflow order of statuses: active, in progress, awaiting, resolved, redirected, others.
fn status_rank(code: u8) -> i64 {
    let order = [
        IncidentStatus::Active,
        IncidentStatus::InProgress,
        IncidentStatus::AwaitingAction,
        IncidentStatus::Resolved,
        IncidentStatus::Redirected,
    ];
    IncidentStatus::KNOWN
        .get(usize::from(code))
        .and_then(|s| order.iter().position(|o| o == s))
        .map_or(order.len() as i64, |p| p as i64)
}

/// The integer key of a numeric column (missing values lowest).
fn numeric_key(key: SortKey) -> Option<fn(&Facts) -> i64> {
    Some(match key {
        SortKey::Severity => |f| i64::from(f.sev),
        SortKey::Status => |f| status_rank(f.status),
        SortKey::Alerts => |f| i64::from(f.alert_count),
        SortKey::Priority => |f| f.priority.unwrap_or(i64::MIN),
        SortKey::LastUpdate => |f| f.updated.unwrap_or(i64::MIN),
        SortKey::Created => |f| f.created.unwrap_or(i64::MIN),
        SortKey::Id
        | SortKey::Title
        | SortKey::AssignedTo
        | SortKey::Classification
        | SortKey::Sources
        | SortKey::Tags => {
            return None;
        }
    })
}

fn class_label(c: &Option<Classification>) -> Option<&str> {
    c.as_ref()
        .filter(|c| **c != Classification::Unknown)
        .map(|c| c.label())
}

/// Ascending comparison of a text column.
fn compare_text(store: &Store, a: usize, b: usize, key: SortKey) -> Ordering {
    let (ra, rb) = (store.row(a), store.row(b));
    let (x, y) = (&store.entries[a], &store.entries[b]);
    match key {
        SortKey::Title => ra.title().cmp(rb.title()),
        SortKey::AssignedTo => ra.owner().cmp(rb.owner()),
        SortKey::Tags => ra.tags().cmp(rb.tags()),
        SortKey::Classification => {
            class_label(&x.incident.classification).cmp(&class_label(&y.incident.classification))
        }
        SortKey::Sources => x
            .sources
            .iter()
            .map(|s| s.label())
            .cmp(y.sources.iter().map(|s| s.label())),
        _ => Ordering::Equal,
    }
}
