//! One exported record: the incident as the exact text Graph sent, with its alerts as Graph
//! sent them (inside it with `$expand=alerts`, or fetched and added under `alerts` after a
//! fallback to lazy listing).

use crate::graph::error::{ErrorKind, GraphError};
use crate::graph::model::RecordHead;
use crate::sync::api::{GraphApi, is_rejection};
use crate::sync::lister::get_incident_alerts_verbatim;
use serde_json::value::RawValue;
use std::io::{self, Write};

/// A record ready to be written, and what could not be added to it.
#[derive(Debug)]
pub struct Filled {
    /// The incident as received.
    pub record: Box<RawValue>,
    /// Its alerts as received, when they were loaded separately (added under `alerts`).
    pub alerts: Option<Box<RawValue>>,
    /// How many alerts the written line carries.
    pub alert_count: usize,
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

/// Completes `record` with its alerts when they are wanted and it has no `alerts` property. A
/// refusal from the service (4xx) or an answer without alerts leaves the record without them
/// (reported in `missing`); other failures (network, 5xx after retries) end the export.
pub async fn with_alerts<A: GraphApi>(
    api: &A,
    record: Box<RawValue>,
    include_alerts: bool,
) -> Result<Filled, GraphError> {
    let head = RecordHead::read(&record);
    let mut filled = Filled {
        record,
        alerts: None,
        alert_count: head.alerts.unwrap_or(0),
        missing: None,
    };
    if !include_alerts || head.alerts.is_some() {
        return Ok(filled);
    }
    let Some(id) = head.id.filter(|_| is_object(&filled.record)) else {
        filled.missing = Some(MissingAlerts {
            id: "(record without a readable id)".into(),
            why: "no id to load its alerts with".into(),
        });
        return Ok(filled);
    };
    match get_incident_alerts_verbatim(api, &id).await {
        Ok(alerts) => {
            filled.alert_count = RecordHead::count_array(&alerts);
            filled.alerts = Some(alerts);
        }
        Err(e) if is_rejection(&e) || e.kind == ErrorKind::Decode => {
            filled.missing = Some(MissingAlerts {
                id,
                why: e.to_string(),
            });
        }
        Err(e) => return Err(e),
    }
    Ok(filled)
}

impl Filled {
    /// Writes the record and a newline; separately loaded alerts go in as its last property.
    pub fn write_line<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        let text = self.record.get();
        match (&self.alerts, text.strip_suffix('}')) {
            (Some(alerts), Some(open)) => {
                out.write_all(open.as_bytes())?;
                let empty = open.trim_end() == "{";
                out.write_all(if empty {
                    b"\"alerts\":"
                } else {
                    b",\"alerts\":"
                })?;
                out.write_all(alerts.get().as_bytes())?;
                out.write_all(b"}\n")
            }
            _ => {
                out.write_all(text.as_bytes())?;
                out.write_all(b"\n")
            }
        }
    }
}

fn is_object(record: &RawValue) -> bool {
    record.get().starts_with('{') && record.get().ends_with('}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_string()).unwrap()
    }

    fn line(record: &str, alerts: Option<&str>) -> String {
        let filled = Filled {
            record: raw(record),
            alerts: alerts.map(raw),
            alert_count: 0,
            missing: None,
        };
        let mut out = Vec::new();
        filled.write_line(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn alerts_go_after_the_received_properties() {
        assert_eq!(
            line(
                r#"{"id":"1","zeta":1.50,"alpha":"\u00e9"}"#,
                Some(r#"[{"id":"a"}]"#)
            ),
            "{\"id\":\"1\",\"zeta\":1.50,\"alpha\":\"\\u00e9\",\"alerts\":[{\"id\":\"a\"}]}\n"
        );
        assert_eq!(line("{ }", Some("[]")), "{ \"alerts\":[]}\n");
        assert_eq!(line(r#"{"id":"1"}"#, None), "{\"id\":\"1\"}\n");
        for written in [
            line(r#"{"id":"1","x":[{}]}"#, Some("[1,2]")),
            line("{ }", Some("[]")),
        ] {
            assert!(serde_json::from_str::<serde_json::Value>(written.trim_end()).is_ok());
        }
    }
}
