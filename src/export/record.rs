//! One exported record: the incident exactly as Graph sent it, with its alerts as Graph sent
//! them (inside it with `$expand=alerts`, or fetched and inserted under `alerts` after a
//! fallback to lazy listing).

use crate::graph::error::{ErrorKind, GraphError};
use crate::graph::model::record_id;
use crate::sync::api::{GraphApi, is_rejection};
use crate::sync::lister::get_incident_alerts_raw;
use serde_json::Value;

/// A record ready to be written, and what could not be added to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Filled {
    /// The incident as received (plus `alerts` when they were loaded separately).
    pub record: Value,
    /// Set when the record goes out without its alerts.
    pub missing: Option<MissingAlerts>,
}

/// An incident written without its alerts, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct MissingAlerts {
    /// The incident id, or a placeholder when the record has no readable id.
    pub id: String,
    /// Why the alerts could not be loaded.
    pub why: String,
}

/// Completes `record` with its alerts when they are wanted and not already inside it. A
/// refusal from the service (4xx) or an answer without alerts leaves the record without them
/// (reported in `missing`); other failures (network, 5xx after retries) end the export.
pub async fn with_alerts<A: GraphApi>(
    api: &A,
    mut record: Value,
    include_alerts: bool,
) -> Result<Filled, GraphError> {
    if !include_alerts || has_alerts(&record) {
        return Ok(Filled {
            record,
            missing: None,
        });
    }
    let Some(id) = record_id(&record) else {
        let missing = MissingAlerts {
            id: "(record without a readable id)".into(),
            why: "no id to load its alerts with".into(),
        };
        return Ok(Filled {
            record,
            missing: Some(missing),
        });
    };
    let missing = match get_incident_alerts_raw(api, &id).await {
        Ok(alerts) => {
            insert_alerts(&mut record, alerts);
            None
        }
        Err(e) if is_rejection(&e) || e.kind == ErrorKind::Decode => Some(MissingAlerts {
            id,
            why: e.to_string(),
        }),
        Err(e) => return Err(e),
    };
    Ok(Filled { record, missing })
}

/// The number of alerts inside a record.
pub fn alert_count(record: &Value) -> usize {
    record
        .get("alerts")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

fn has_alerts(record: &Value) -> bool {
    matches!(record.get("alerts"), Some(Value::Array(_)))
}

/// Puts the alerts under `alerts` (after the properties received, or in place of a `null`).
fn insert_alerts(record: &mut Value, alerts: Vec<Value>) {
    if let Value::Object(m) = record {
        m.insert("alerts".into(), Value::Array(alerts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn alerts_go_after_the_received_properties() {
        let mut r = json!({"id": "1", "zeta": 1, "alpha": 2});
        insert_alerts(&mut r, vec![json!({"id": "a"})]);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"id":"1","zeta":1,"alpha":2,"alerts":[{"id":"a"}]}"#
        );
        assert_eq!(alert_count(&r), 1);
        assert!(has_alerts(&r));
        assert!(!has_alerts(&json!({"alerts": null})));
    }
}
