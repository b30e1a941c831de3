//! One page of a Graph collection, parsed record by record so that one bad record never drops
//! the page (an unknown enum value in one record once failed whole pages in generated SDKs).

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A record that failed to parse, kept raw and reported.
#[derive(Clone, Debug, PartialEq)]
pub struct BadRecord {
    /// Position in the page.
    pub index: usize,
    /// The record's `id`, when it had a readable one.
    pub id: Option<String>,
    /// Why it failed.
    pub error: String,
    /// The record as received.
    pub raw: Value,
}

/// A parsed page.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub bad: Vec<BadRecord>,
    /// `@odata.nextLink`, to be requested verbatim.
    pub next_link: Option<String>,
    /// `@odata.count` when `$count=true` was asked.
    pub count: Option<u64>,
}

/// A page's records as received, before any parsing into the model.
#[derive(Clone, Debug, PartialEq)]
pub struct PageRecords {
    /// The `value` array, each record verbatim (key order as received).
    pub records: Vec<Value>,
    /// `@odata.nextLink`, to be requested verbatim.
    pub next_link: Option<String>,
    /// `@odata.count` when `$count=true` was asked.
    pub count: Option<u64>,
}

/// Splits `{"value":[...], "@odata.nextLink": ...}` into its records. Errors only when the
/// envelope itself is wrong (no `value` array).
pub fn split_page(body: Value) -> Result<PageRecords, String> {
    let Value::Object(mut obj) = body else {
        return Err("response is not a JSON object".into());
    };
    let next_link = obj
        .get("@odata.nextLink")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let count = obj.get("@odata.count").and_then(|v| v.as_u64());
    let Some(Value::Array(records)) = obj.remove("value") else {
        return Err("response has no \"value\" array".into());
    };
    Ok(PageRecords {
        records,
        next_link,
        count,
    })
}

/// Parses records one by one: those that do not fit `T` are kept raw as [`BadRecord`]s.
pub fn parse_records<T: DeserializeOwned>(records: Vec<Value>) -> (Vec<T>, Vec<BadRecord>) {
    let mut items = Vec::with_capacity(records.len());
    let mut bad = Vec::new();
    for (index, raw) in records.into_iter().enumerate() {
        match T::deserialize(&raw) {
            Ok(item) => items.push(item),
            Err(e) => bad.push(BadRecord {
                index,
                id: record_id(&raw),
                error: e.to_string(),
                raw,
            }),
        }
    }
    (items, bad)
}

/// A record's `id` when it is a string (or a number, written as the service sent it).
pub fn record_id(record: &Value) -> Option<String> {
    match record.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses `{"value":[...], "@odata.nextLink": ...}`. Errors only when the envelope itself is
/// wrong (no `value` array).
pub fn parse_page<T: DeserializeOwned>(body: Value) -> Result<Page<T>, String> {
    let raw = split_page(body)?;
    let (items, bad) = parse_records(raw.records);
    Ok(Page {
        items,
        bad,
        next_link: raw.next_link,
        count: raw.count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::Incident;

    #[test]
    fn one_bad_record_is_kept_and_the_rest_parse() {
        let body = serde_json::json!({
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/security/incidents?$skip=2",
            "@odata.count": 3,
            "value": [
                {"id": "1", "status": "active", "severity": "high"},
                {"id": {"oops": true}, "status": "active"},
                {"id": "3", "status": "NewStatus", "severity": "Low", "createdDateTime": "2026-02-25T16:29:33.1Z"}
            ]
        });
        let page: Page<Incident> = parse_page(body).unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.bad.len(), 1);
        assert_eq!(page.bad[0].index, 1);
        assert!(page.bad[0].raw.get("id").is_some());
        assert_eq!(page.count, Some(3));
        assert!(page.next_link.unwrap().ends_with("$skip=2"));
        assert_eq!(page.items[1].status.as_str(), "NewStatus");
    }

    #[test]
    fn envelope_errors_are_reported() {
        assert!(parse_page::<Incident>(serde_json::json!([1, 2])).is_err());
        assert!(parse_page::<Incident>(serde_json::json!({"values": []})).is_err());
    }
}
