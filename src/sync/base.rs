//! The base of an incident patch: the values of the fields it sets as the analyst saw them,
//! and the field-by-field conflict rule that compares base, target and server.

use crate::graph::model::{Incident, IncidentPatch, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The displayed values (Graph property name → JSON value) of exactly the fields a patch
/// sets, captured when the analyst made the change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncidentBase(BTreeMap<String, Value>);

impl IncidentBase {
    /// The values `seen` (the displayed version, own pending writes included) holds for the
    /// fields `patch` sets.
    pub fn capture(patch: &IncidentPatch, seen: &Incident) -> Self {
        let seen = properties(seen);
        let values = patch_properties(patch)
            .into_iter()
            .map(|(name, _)| {
                let v = normalized(&name, seen.get(&name).cloned().unwrap_or(Value::Null));
                (name, v)
            })
            .collect();
        IncidentBase(values)
    }

    /// The Graph names of the captured properties, sorted.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The value the analyst saw for one property, if captured.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

/// What to do with a queued patch given the server's current version.
#[derive(Clone, Debug, PartialEq)]
pub enum Review {
    /// Someone else changed these properties since the base: ask the analyst.
    Conflict(Vec<String>),
    /// The server already holds every target value: nothing to send.
    AlreadyApplied,
    /// Send this body (only the properties that still differ from the server).
    Send(Value),
}

/// The field-by-field rule. A property conflicts only when the server's value differs from
/// both the target and the base. Without a base for a property (outbox entries written by
/// older versions), it conflicts when the server changed after `base_last_update` and its
/// value differs from the target.
pub fn review(
    patch: &IncidentPatch,
    base: Option<&IncidentBase>,
    base_last_update: Option<Timestamp>,
    server: &Incident,
) -> Review {
    let changed_since = match (base_last_update, server.last_update_date_time) {
        (Some(seen), Some(now)) => now > seen,
        _ => false,
    };
    let current = properties(server);
    let mut conflicts = Vec::new();
    let mut body = Map::new();
    for (name, target) in patch_properties(patch) {
        let now = normalized(&name, current.get(&name).cloned().unwrap_or(Value::Null));
        if now == normalized(&name, target.clone()) {
            continue;
        }
        let someone_else = match base.and_then(|b| b.get(&name)) {
            Some(seen) => now != normalized(&name, seen.clone()),
            None => changed_since,
        };
        if someone_else {
            conflicts.push(name.clone());
        }
        // Sent as the analyst wrote it (tag order included).
        body.insert(name, target);
    }
    if !conflicts.is_empty() {
        return Review::Conflict(conflicts);
    }
    if body.is_empty() {
        return Review::AlreadyApplied;
    }
    // Classification and determination are one choice for the service: send them together.
    let full = patch_properties(patch);
    for pair in [["classification", "determination"]] {
        if pair.iter().any(|n| body.contains_key(*n)) {
            for n in pair {
                if let Some(v) = full.get(n) {
                    body.insert(n.to_string(), v.clone());
                }
            }
        }
    }
    Review::Send(Value::Object(body))
}

fn properties(incident: &Incident) -> Map<String, Value> {
    match serde_json::to_value(incident) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

fn patch_properties(patch: &IncidentPatch) -> Map<String, Value> {
    match patch.to_body() {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Tags compare as sets; an owner (a UPN) compares without regard to case, as the service may
/// store it in another case than the analyst typed it.
fn normalized(name: &str, v: Value) -> Value {
    match (name, v) {
        ("customTags", Value::Array(mut a)) => {
            a.sort_by_key(|x| x.to_string());
            a.dedup();
            Value::Array(a)
        }
        ("assignedTo", Value::String(s)) => Value::String(s.to_lowercase()),
        (_, v) => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::{IncidentStatus, Severity};

    fn incident(status: IncidentStatus, owner: Option<&str>, at: &str) -> Incident {
        Incident {
            id: "1".into(),
            status,
            severity: Severity::Medium,
            assigned_to: owner.map(String::from),
            custom_tags: vec!["b".into(), "a".into()],
            last_update_date_time: Timestamp::parse(at),
            ..Default::default()
        }
    }

    fn assign(to: &str) -> IncidentPatch {
        IncidentPatch {
            assigned_to: Some(Some(to.into())),
            ..Default::default()
        }
    }

    #[test]
    fn base_holds_only_the_fields_the_patch_sets() {
        let seen = incident(IncidentStatus::Active, None, "2026-01-01T00:00:00Z");
        let base = IncidentBase::capture(&assign("me@x"), &seen);
        assert_eq!(base.get("assignedTo"), Some(&Value::Null));
        assert_eq!(base.get("status"), None);
        assert_eq!(base.0.len(), 1);
    }

    #[test]
    fn an_owner_stored_in_another_case_is_the_same_owner() {
        let seen = incident(
            IncidentStatus::Active,
            Some("Bob@X"),
            "2026-01-01T00:00:00Z",
        );
        let patch = assign("me@x");
        let base = IncidentBase::capture(&patch, &seen);
        // Our own earlier attempt landed, stored as ME@X: nothing to send, no conflict.
        let landed = incident(IncidentStatus::Active, Some("ME@X"), "2026-01-02T00:00:00Z");
        assert_eq!(
            review(&patch, Some(&base), seen.last_update_date_time, &landed),
            Review::AlreadyApplied
        );
        // The owner we saw, in another case, is no colleague's change.
        let recased = incident(
            IncidentStatus::Active,
            Some("bob@x"),
            "2026-01-02T00:00:00Z",
        );
        assert_eq!(
            review(&patch, Some(&base), seen.last_update_date_time, &recased),
            Review::Send(serde_json::json!({"assignedTo": "me@x"}))
        );
    }

    #[test]
    fn an_unrelated_change_is_no_conflict() {
        let seen = incident(IncidentStatus::Active, None, "2026-01-01T00:00:00Z");
        let patch = assign("me@x");
        let base = IncidentBase::capture(&patch, &seen);
        let mut server = incident(IncidentStatus::Active, None, "2026-01-02T00:00:00Z");
        server.severity = Severity::High;
        assert_eq!(
            review(&patch, Some(&base), seen.last_update_date_time, &server),
            Review::Send(serde_json::json!({"assignedTo": "me@x"}))
        );
    }

    #[test]
    fn a_colleague_changing_the_same_field_conflicts() {
        let seen = incident(IncidentStatus::Active, None, "2026-01-01T00:00:00Z");
        let patch = assign("me@x");
        let base = IncidentBase::capture(&patch, &seen);
        let server = incident(
            IncidentStatus::Active,
            Some("bob@x"),
            "2026-01-02T00:00:00Z",
        );
        assert_eq!(
            review(&patch, Some(&base), seen.last_update_date_time, &server),
            Review::Conflict(vec!["assignedTo".into()])
        );
    }

    #[test]
    fn server_equal_to_target_is_already_applied_and_tags_compare_as_sets() {
        let seen = incident(IncidentStatus::Active, None, "2026-01-01T00:00:00Z");
        let patch = IncidentPatch {
            custom_tags: Some(vec!["a".into(), "b".into()]),
            ..Default::default()
        };
        let base = IncidentBase::capture(&patch, &seen);
        assert_eq!(
            review(&patch, Some(&base), None, &seen),
            Review::AlreadyApplied
        );
    }

    #[test]
    fn tags_are_sent_in_the_analysts_order() {
        let seen = incident(IncidentStatus::Active, None, "2026-01-01T00:00:00Z");
        let patch = IncidentPatch {
            custom_tags: Some(vec!["z".into(), "a".into()]),
            ..Default::default()
        };
        let base = IncidentBase::capture(&patch, &seen);
        assert_eq!(
            review(&patch, Some(&base), None, &seen),
            Review::Send(serde_json::json!({"customTags": ["z", "a"]}))
        );
    }

    #[test]
    fn without_a_base_a_newer_server_value_conflicts_as_before() {
        let seen_at = Timestamp::parse("2026-01-01T00:00:00Z");
        let patch = IncidentPatch {
            status: Some(IncidentStatus::Resolved),
            ..Default::default()
        };
        let same_time = incident(IncidentStatus::Active, None, "2026-01-01T00:00:00Z");
        assert!(matches!(
            review(&patch, None, seen_at, &same_time),
            Review::Send(_)
        ));
        let newer = incident(IncidentStatus::Active, None, "2026-01-02T00:00:00Z");
        assert_eq!(
            review(&patch, None, seen_at, &newer),
            Review::Conflict(vec!["status".into()])
        );
    }
}
