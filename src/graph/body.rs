//! How the client decodes a successful response body: into values (what the console reads),
//! or validated but kept as the exact text received (what the export writes).

use serde_json::Value;
use serde_json::value::RawValue;

/// Turns a success body into `T`; an empty (whitespace-only) body is JSON `null`.
pub type Decode<T> = fn(&[u8]) -> Result<T, String>;

/// Parsed into values (subtrees deeper than [`super::json_depth`] allows are cut).
pub fn values(bytes: &[u8]) -> Result<Value, String> {
    if is_empty(bytes) {
        return Ok(Value::Null);
    }
    super::json_depth::from_slice(bytes).map_err(|e| e.to_string())
}

/// Checked to be one JSON value and kept byte for byte.
pub fn verbatim(bytes: &[u8]) -> Result<Box<RawValue>, String> {
    if is_empty(bytes) {
        return RawValue::from_string("null".into()).map_err(|e| e.to_string());
    }
    serde_json::from_slice::<&RawValue>(bytes)
        .map(RawValue::to_owned)
        .map_err(|e| e.to_string())
}

fn is_empty(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_keeps_the_bytes_and_values_parse() {
        let body = br#" {"b":1.50,"a":"\u00e9\/","t":"2026-12-06T03:00:16Z"} "#;
        assert_eq!(
            verbatim(body).unwrap().get(),
            r#"{"b":1.50,"a":"\u00e9\/","t":"2026-12-06T03:00:16Z"}"#
        );
        assert_eq!(values(body).unwrap()["a"], "é/");
        assert_eq!(verbatim(b" \n").unwrap().get(), "null");
        assert_eq!(values(b"").unwrap(), Value::Null);
        assert!(verbatim(b"{\"a\":").is_err());
        assert!(verbatim(b"{} {}").is_err());
    }
}
