//! Response bodies parsed with a nesting cap. serde_json refuses a document nested deeper than
//! 128 levels outright, so one absurdly nested record (e.g. in an alert's `additionalData`)
//! would make its whole page, and every later page of a listing, unreadable. Here a subtree
//! inside more than [`MAX_DEPTH`] containers is skipped without recursion and replaced by
//! [`CUT`].

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// Values inside more containers than this are cut (below serde_json's own limit of 128).
pub const MAX_DEPTH: usize = 100;
/// What a cut subtree becomes.
pub const CUT: &str = "[nested too deep: cut]";

/// Like `serde_json::from_slice::<Value>`, but subtrees beyond [`MAX_DEPTH`] become [`CUT`].
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = Capped(0).deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

struct Capped(usize);

impl<'de> DeserializeSeed<'de> for Capped {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.0 > MAX_DEPTH {
            // serde_json skips ignored values iteratively, whatever their depth.
            d.deserialize_ignored_any(IgnoredAny)?;
            return Ok(Value::String(CUT.into()));
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Capped {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Capped(self.0 + 1))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(Capped(self.0 + 1))?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn same_as_serde_json_within_the_cap() {
        let text = r#"{"a":[1,-2,3.5,"x\u0000",null,true,{"b":{}}],"c":18446744073709551615}"#;
        assert_eq!(
            from_slice(text.as_bytes()).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        let ok = nested(MAX_DEPTH);
        assert_eq!(
            from_slice(ok.as_bytes()).unwrap(),
            serde_json::from_str::<Value>(&ok).unwrap()
        );
    }

    #[test]
    fn deeper_subtrees_are_cut_not_fatal() {
        let text = format!(r#"{{"keep":1,"deep":{},"after":2}}"#, nested(10_000));
        assert!(serde_json::from_str::<Value>(&text).is_err());
        let v = from_slice(text.as_bytes()).unwrap();
        assert_eq!(
            (v["keep"].clone(), v["after"].clone()),
            (1.into(), 2.into())
        );
        let mut d = &v["deep"];
        let mut levels = 0;
        while let Some(inner) = d.get(0) {
            d = inner;
            levels += 1;
        }
        assert_eq!(levels, MAX_DEPTH);
        assert_eq!(d, &Value::String(CUT.into()));
    }

    #[test]
    fn syntax_errors_still_fail() {
        assert!(from_slice(b"{\"a\":").is_err());
        assert!(from_slice(b"[1] x").is_err());
        assert!(from_slice(&format!("{}1", "[".repeat(10_000)).into_bytes()).is_err());
    }
}
