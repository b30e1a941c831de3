//! Pages and records kept exactly as Graph sent them (what the export writes): the `value`
//! array split into records without parsing them into the model, and the little the export
//! needs to know about each record.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::fmt;

/// A page whose records are the exact text received.
#[derive(Debug)]
pub struct VerbatimPage {
    /// The `value` array's records, byte for byte.
    pub records: Vec<Box<RawValue>>,
    /// `@odata.nextLink`, to be requested verbatim.
    pub next_link: Option<String>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    value: Option<Vec<&'a RawValue>>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<Value>,
}

/// Splits `{"value":[...], "@odata.nextLink": ...}`. Errors only when the envelope itself is
/// wrong (not an object, or no `value` array).
pub fn split_verbatim_page(body: &RawValue) -> Result<VerbatimPage, String> {
    if !body.get().starts_with('{') {
        return Err("response is not a JSON object".into());
    }
    let envelope: Envelope =
        serde_json::from_str(body.get()).map_err(|e| format!("bad response envelope: {e}"))?;
    let Some(records) = envelope.value else {
        return Err("response has no \"value\" array".into());
    };
    Ok(VerbatimPage {
        records: records.into_iter().map(RawValue::to_owned).collect(),
        next_link: envelope
            .next_link
            .and_then(|v| v.as_str().map(str::to_string)),
    })
}

/// What the export needs to know about a record: its id and whether (and how many) alerts it
/// carries. Reading it skips over everything else.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordHead {
    /// `id` when it is a string or a number; `None` otherwise or when the record is not an
    /// object.
    pub id: Option<String>,
    /// `None` without an `alerts` property; the number of alerts when it is an array (0 for
    /// any other value).
    pub alerts: Option<usize>,
}

impl RecordHead {
    /// Reads the head of one record (a record that is not a readable object has none).
    pub fn read(record: &RawValue) -> RecordHead {
        if !record.get().starts_with('{') {
            return RecordHead::default();
        }
        match serde_json::from_str::<Head>(record.get()) {
            Ok(h) => RecordHead {
                id: h.id.and_then(|v| match v {
                    Value::String(s) => Some(s),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                }),
                alerts: h.alerts.map(|AlertCount(n)| n),
            },
            Err(_) => RecordHead::default(),
        }
    }
}

impl RecordHead {
    /// The number of elements of a JSON array (0 for anything else), elements skipped.
    pub fn count_array(value: &RawValue) -> usize {
        serde_json::from_str::<AlertCount>(value.get()).map_or(0, |AlertCount(n)| n)
    }
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    alerts: Option<AlertCount>,
}

/// `Some` for any value, `null` included (a missing property stays `None` by default).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<AlertCount>, D::Error> {
    AlertCount::deserialize(d).map(Some)
}

/// The length of an array (its elements skipped, not parsed), 0 for any other value.
struct AlertCount(usize);

impl<'de> Deserialize<'de> for AlertCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Count;
        impl<'de> Visitor<'de> for Count {
            type Value = AlertCount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AlertCount, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(AlertCount(n))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<AlertCount, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(AlertCount(0))
            }
            fn visit_bool<E>(self, _: bool) -> Result<AlertCount, E> {
                Ok(AlertCount(0))
            }
            fn visit_i64<E>(self, _: i64) -> Result<AlertCount, E> {
                Ok(AlertCount(0))
            }
            fn visit_u64<E>(self, _: u64) -> Result<AlertCount, E> {
                Ok(AlertCount(0))
            }
            fn visit_f64<E>(self, _: f64) -> Result<AlertCount, E> {
                Ok(AlertCount(0))
            }
            fn visit_str<E>(self, _: &str) -> Result<AlertCount, E> {
                Ok(AlertCount(0))
            }
            fn visit_unit<E>(self) -> Result<AlertCount, E> {
                Ok(AlertCount(0))
            }
            fn visit_none<E>(self) -> Result<AlertCount, E> {
                Ok(AlertCount(0))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<AlertCount, D::Error> {
                d.deserialize_any(Count)
            }
        }
        d.deserialize_any(Count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_string()).unwrap()
    }

    #[test]
    fn splits_records_byte_for_byte() {
        let body = raw(
            r#"{"@odata.context":"x","value":[{"id":"1","n":1.50,"s":"\u00e9"}, {"id":{"bad":1}} ,7],"@odata.nextLink":"https://g/next"}"#,
        );
        let page = split_verbatim_page(&body).unwrap();
        let texts: Vec<&str> = page.records.iter().map(|r| r.get()).collect();
        assert_eq!(
            texts,
            vec![
                r#"{"id":"1","n":1.50,"s":"\u00e9"}"#,
                r#"{"id":{"bad":1}}"#,
                "7"
            ]
        );
        assert_eq!(page.next_link.as_deref(), Some("https://g/next"));
        assert!(split_verbatim_page(&raw("[1]")).is_err());
        assert!(split_verbatim_page(&raw(r#"{"values":[]}"#)).is_err());
    }

    #[test]
    fn reads_id_and_alert_count() {
        let h = RecordHead::read(&raw(
            r#"{"x":{"deep":[1]},"id":"42","alerts":[{"a":1},{}]}"#,
        ));
        assert_eq!(h.id.as_deref(), Some("42"));
        assert_eq!(h.alerts, Some(2));
        assert_eq!(
            RecordHead::read(&raw(r#"{"id":7}"#)).id.as_deref(),
            Some("7")
        );
        assert_eq!(RecordHead::read(&raw(r#"{"id":7}"#)).alerts, None);
        assert_eq!(RecordHead::read(&raw(r#"{"alerts":null}"#)).alerts, Some(0));
        assert_eq!(RecordHead::read(&raw(r#"{"id":{"v":1}}"#)).id, None);
        assert_eq!(
            RecordHead::read(&raw(r#"["7",[1]]"#)),
            RecordHead::default()
        );
    }
}
