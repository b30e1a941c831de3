//! Advanced hunting: `POST /v1.0/security/runHuntingQuery` (permission
//! `ThreatHunting.Read.All`). Typed request and response: columns with the types the service
//! names in `schema`, rows as JSON values in column order. Server text is kept verbatim; the
//! UI sanitises it.

use std::time::Duration;

use serde_json::{Value, json};

use super::error::{ErrorKind, GraphError};

/// The endpoint (v1.0).
pub const PATH: &str = "/v1.0/security/runHuntingQuery";
/// How long one query may run before the service (and vigil) gives up.
pub const TIMEOUT: Duration = Duration::from_secs(200);
/// Most rows one query returns.
pub const MAX_ROWS: usize = 100_000;
/// Calls allowed per minute.
pub const CALLS_PER_MINUTE: usize = 45;
/// Days of data a query can reach.
pub const DATA_DAYS: u32 = 30;

/// A column's type as `schema` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnType {
    DateTime,
    String,
    /// `Int32`, `Int64`, `Long`.
    Integer,
    /// `Double`, `Real`, `Decimal`.
    Number,
    Boolean,
    Guid,
    /// `Object`, `Dynamic`, or any other name (kept).
    Other(String),
}

impl ColumnType {
    /// Reads a `schema` type name.
    pub fn parse(s: &str) -> ColumnType {
        match s.to_ascii_lowercase().as_str() {
            "datetime" => ColumnType::DateTime,
            "string" => ColumnType::String,
            "int32" | "int64" | "int" | "long" => ColumnType::Integer,
            "double" | "real" | "decimal" => ColumnType::Number,
            "boolean" | "bool" => ColumnType::Boolean,
            "guid" => ColumnType::Guid,
            _ => ColumnType::Other(s.to_string()),
        }
    }

    /// Numbers are right-aligned in tables.
    pub fn is_numeric(&self) -> bool {
        matches!(self, ColumnType::Integer | ColumnType::Number)
    }
}

/// One result column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnType,
    /// The type name as the service wrote it.
    pub type_name: String,
}

/// A query's answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HuntResult {
    pub columns: Vec<Column>,
    /// Rows in column order (`Null` for a missing cell).
    pub rows: Vec<Vec<Value>>,
    /// More rows arrived than [`MAX_ROWS`]; the rest were dropped.
    pub truncated: bool,
}

/// The request body.
pub fn request_body(query: &str) -> Value {
    json!({ "Query": query })
}

fn decode_error(message: impl Into<String>) -> GraphError {
    GraphError::new(ErrorKind::Decode, message).with_code("BadHuntingResponse")
}

/// Reads a `huntingQueryResults` body. Lenient: a missing `schema` is taken from the first
/// row's keys; cells of columns the schema does not name are dropped.
pub fn parse_response(v: &Value) -> Result<HuntResult, GraphError> {
    let results = match v.get("results") {
        Some(Value::Array(r)) => r.as_slice(),
        None | Some(Value::Null) => &[],
        Some(_) => return Err(decode_error("'results' is not an array")),
    };
    let mut columns: Vec<Column> = match v.get("schema") {
        Some(Value::Array(s)) => s
            .iter()
            .filter_map(|c| {
                let name = c.get("name").or_else(|| c.get("Name"))?.as_str()?;
                let ty = c
                    .get("type")
                    .or_else(|| c.get("Type"))
                    .and_then(Value::as_str)
                    .unwrap_or("Object");
                Some(Column {
                    name: name.to_string(),
                    kind: ColumnType::parse(ty),
                    type_name: ty.to_string(),
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    if columns.is_empty()
        && let Some(Value::Object(first)) = results.first()
    {
        columns = first
            .keys()
            .map(|k| Column {
                name: k.clone(),
                kind: ColumnType::Other("Object".into()),
                type_name: "Object".into(),
            })
            .collect();
    }
    let truncated = results.len() > MAX_ROWS;
    let rows = results
        .iter()
        .take(MAX_ROWS)
        .map(|r| {
            columns
                .iter()
                .map(|c| r.get(&c.name).cloned().unwrap_or(Value::Null))
                .collect()
        })
        .collect();
    Ok(HuntResult {
        columns,
        rows,
        truncated,
    })
}

/// What the analyst is told when a query fails: the service's own message, with what kind of
/// failure it was.
pub fn failure_message(e: &GraphError) -> String {
    let msg = if e.message.is_empty() {
        e.to_string()
    } else {
        e.message.clone()
    };
    match e.kind {
        ErrorKind::Throttled => format!("throttled (429): {msg}"),
        ErrorKind::Timeout => format!(
            "the query did not finish within {} s: {msg}",
            TIMEOUT.as_secs()
        ),
        ErrorKind::Forbidden => {
            format!("forbidden: {msg} (advanced hunting needs ThreatHunting.Read.All)")
        }
        _ => match e.status {
            Some(s) => format!("HTTP {s}: {msg}"),
            None => msg,
        },
    }
}

/// Runs one query through the Graph client (never retried; see `Client::post_json_once`).
pub async fn run(client: &super::client::Client, query: &str) -> Result<HuntResult, GraphError> {
    let v = client
        .post_json_once(PATH, &request_body(query), TIMEOUT)
        .await?;
    parse_response(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_schema_and_rows_in_column_order() {
        let v = json!({
            "@odata.context": "x",
            "schema": [
                {"name": "Timestamp", "type": "DateTime"},
                {"name": "DeviceName", "type": "String"},
                {"name": "count_", "type": "Int64"}
            ],
            "results": [
                {"count_": 3, "DeviceName": "pc1", "Timestamp": "2026-12-01T00:00:00Z"},
                {"DeviceName": "pc2", "Extra": 1}
            ]
        });
        let r = parse_response(&v).unwrap();
        assert_eq!(r.columns.len(), 3);
        assert_eq!(r.columns[0].kind, ColumnType::DateTime);
        assert!(r.columns[2].kind.is_numeric());
        assert_eq!(
            r.rows[0],
            vec![json!("2026-12-01T00:00:00Z"), json!("pc1"), json!(3)]
        );
        assert_eq!(r.rows[1], vec![Value::Null, json!("pc2"), Value::Null]);
        assert!(!r.truncated);
    }

    #[test]
    fn missing_schema_comes_from_the_first_row_and_bad_results_fail() {
        let r = parse_response(&json!({"results": [{"A": 1, "B": "x"}]})).unwrap();
        assert_eq!(
            r.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["A", "B"]
        );
        assert!(parse_response(&json!({"results": 5})).is_err());
        assert!(parse_response(&json!({})).unwrap().rows.is_empty());
    }

    #[test]
    fn failure_messages_keep_the_service_text() {
        let e = GraphError::new(ErrorKind::Throttled, "CPU quota exceeded").with_status(429);
        assert_eq!(failure_message(&e), "throttled (429): CPU quota exceeded");
        let e =
            GraphError::new(ErrorKind::Http, "operator 'join' is not supported").with_status(400);
        assert!(failure_message(&e).contains("'join'"));
        let e = GraphError::new(ErrorKind::Timeout, "no answer within 200 s");
        assert!(failure_message(&e).contains("200 s"));
    }
}
