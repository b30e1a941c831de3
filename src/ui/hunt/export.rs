//! `:export FILE` for hunting results: NDJSON (`.ndjson`, `.json`: one object per row, column
//! names as keys, values as the service sent them) or CSV (`.csv`, RFC 4180 quoting, a
//! header row). Written 0600 and atomically. The values are written as received: this is a
//! file for other tools, not the terminal.

use std::path::Path;

use serde_json::{Map, Value};

use crate::graph::hunting::HuntResult;

/// The formats `:export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
}

impl Format {
    /// The format a file name asks for (by extension), if any.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "ndjson" | "json" | "jsonl" => Some(Format::Ndjson),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The file's bytes in `format`.
pub fn render(result: &HuntResult, format: Format) -> Vec<u8> {
    let mut out = String::new();
    match format {
        Format::Ndjson => {
            for row in &result.rows {
                let m: Map<String, Value> = result
                    .columns
                    .iter()
                    .map(|c| c.name.clone())
                    .zip(row.iter().cloned())
                    .collect();
                out.push_str(&Value::Object(m).to_string());
                out.push('\n');
            }
        }
        Format::Csv => {
            let header: Vec<String> = result.columns.iter().map(|c| csv_field(&c.name)).collect();
            out.push_str(&header.join(","));
            out.push_str("\r\n");
            for row in &result.rows {
                let cells: Vec<String> = row.iter().map(|v| csv_field(&cell_text(v))).collect();
                out.push_str(&cells.join(","));
                out.push_str("\r\n");
            }
        }
    }
    out.into_bytes()
}

/// Writes `result` to `path` (format from the extension); the number of rows written.
pub fn write(result: &HuntResult, path: &Path) -> Result<usize, String> {
    let Some(format) = Format::of(path) else {
        return Err("name the file .csv, .ndjson or .json".into());
    };
    crate::paths::write_private_atomic(path, &render(result, format))
        .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    Ok(result.rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::hunting::{Column, ColumnType};
    use serde_json::json;

    fn sample() -> HuntResult {
        HuntResult {
            columns: vec![
                Column {
                    name: "Subject".into(),
                    kind: ColumnType::String,
                    type_name: "String".into(),
                },
                Column {
                    name: "count_".into(),
                    kind: ColumnType::Integer,
                    type_name: "Int64".into(),
                },
            ],
            rows: vec![
                vec![json!("Invoice, \"urgent\""), json!(3)],
                vec![Value::Null, json!(1)],
            ],
            truncated: false,
        }
    }

    #[test]
    fn csv_quotes_and_ndjson_keeps_values() {
        let csv = String::from_utf8(render(&sample(), Format::Csv)).unwrap();
        assert_eq!(
            csv,
            "Subject,count_\r\n\"Invoice, \"\"urgent\"\"\",3\r\n,1\r\n"
        );
        let nd = String::from_utf8(render(&sample(), Format::Ndjson)).unwrap();
        let lines: Vec<Value> = nd
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines[0],
            json!({"Subject": "Invoice, \"urgent\"", "count_": 3})
        );
        assert_eq!(lines[1], json!({"Subject": null, "count_": 1}));
    }

    #[test]
    fn writes_private_files_and_refuses_unknown_extensions() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write(&sample(), &dir.path().join("x.txt")).is_err());
        let p = dir.path().join("rows.csv");
        assert_eq!(write(&sample(), &p), Ok(2));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
