//! Evidence detail: the common fields, then every field of the raw JSON as an indented
//! key: value tree, so unknown and new evidence types are readable too.

use super::doc::Doc;
use super::when;
use crate::graph::model::{Evidence, Timestamp};
use crate::ui::sanitize::sanitize_spans;
use crate::ui::theme::Theme;
use ratatui::text::{Line, Span};
use serde_json::Value;

/// Nesting deeper than this is shown as `…`.
const MAX_DEPTH: usize = 24;

/// The header line: `Evidence: process  (alert <id>)`.
pub fn header(ev: &Evidence, alert_id: &str, theme: &Theme) -> Line<'static> {
    let mut s = vec![Span::styled("Evidence: ", theme.title)];
    s.extend(sanitize_spans(ev.type_label(), theme.title, theme.marker));
    if !ev.is_known_type() {
        s.push(Span::styled(
            "  (type unknown to this version: shown generically)",
            theme.warning,
        ));
    }
    s.push(Span::styled("  alert ", theme.muted));
    s.extend(sanitize_spans(alert_id, theme.muted, theme.marker));
    Line::from(s)
}

/// The detail document.
pub fn detail_doc(ev: &Evidence, now: Timestamp, theme: &Theme) -> Doc {
    let mut doc = Doc::new();
    doc.field("Type", &ev.odata_type, theme.title, theme);
    doc.field("Summary", &ev.summary(), theme.text, theme);
    doc.field("Verdict", ev.verdict.label(), theme.text, theme);
    doc.field(
        "Remediation",
        ev.remediation_status.label(),
        theme.text,
        theme,
    );
    if let Some(d) = &ev.remediation_status_details {
        doc.field("Remediation info", d, theme.text, theme);
    }
    if !ev.roles.is_empty() {
        let r: Vec<&str> = ev.roles.iter().map(|r| r.label()).collect();
        doc.field("Roles", &r.join(", "), theme.text, theme);
    }
    if !ev.detailed_roles.is_empty() {
        doc.field(
            "Detailed roles",
            &ev.detailed_roles.join(", "),
            theme.text,
            theme,
        );
    }
    if !ev.tags.is_empty() {
        doc.field("Tags", &ev.tags.join(", "), theme.text, theme);
    }
    doc.field("Created", &when(now, ev.created), theme.text, theme);
    doc.blank();
    doc.heading("All fields", theme);
    json_tree(&mut doc, &ev.raw(), None, 2, theme);
    doc
}

/// Appends `value` as an indented tree: scalars as `key: value`, objects and arrays as a `key:`
/// line followed by their members (array items as `[i]`). Keys and values are sanitised.
pub fn json_tree(doc: &mut Doc, value: &Value, key: Option<&str>, indent: usize, theme: &Theme) {
    walk(doc, value, key, indent, 0, theme);
}

fn walk(
    doc: &mut Doc,
    value: &Value,
    key: Option<&str>,
    indent: usize,
    depth: usize,
    theme: &Theme,
) {
    let mut head = vec![Span::raw(" ".repeat(indent))];
    if let Some(k) = key {
        head.extend(sanitize_spans(k, theme.muted, theme.marker));
        head.push(Span::styled(": ", theme.muted));
    }
    if depth >= MAX_DEPTH {
        head.push(Span::styled("…", theme.muted));
        doc.push(Line::from(head));
        return;
    }
    match value {
        Value::Object(map) if !map.is_empty() => {
            if key.is_some() {
                doc.push(Line::from(head));
            }
            let child = if key.is_some() { indent + 2 } else { indent };
            for (k, v) in map {
                walk(doc, v, Some(k), child, depth + 1, theme);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            doc.push(Line::from(head));
            for (i, v) in items.iter().enumerate() {
                walk(
                    doc,
                    v,
                    Some(&format!("[{i}]")),
                    indent + 2,
                    depth + 1,
                    theme,
                );
            }
        }
        Value::Object(_) => {
            head.push(Span::styled("{}", theme.muted));
            doc.push(Line::from(head));
        }
        Value::Array(_) => {
            head.push(Span::styled("[]", theme.muted));
            doc.push(Line::from(head));
        }
        Value::Null => {
            head.push(Span::styled("null", theme.muted));
            doc.push(Line::from(head));
        }
        Value::String(s) => {
            // Multi-line strings continue on indented lines.
            let mut lines = s.split('\n');
            head.extend(sanitize_spans(
                lines.next().unwrap_or(""),
                theme.text,
                theme.marker,
            ));
            doc.push(Line::from(head));
            for l in lines {
                let mut cont = vec![Span::raw(" ".repeat(indent + 4))];
                cont.extend(sanitize_spans(l, theme.text, theme.marker));
                doc.push(Line::from(cont));
            }
        }
        other => {
            head.push(Span::styled(other.to_string(), theme.text));
            doc.push(Line::from(head));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn texts(doc: &Doc) -> Vec<String> {
        doc.lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn renders_nested_objects_and_arrays_indented() {
        let mut doc = Doc::new();
        let v = json!({"a": 1, "b": {"c": "x", "d": [1, {"e": null}]}, "f": [], "g": {}});
        json_tree(&mut doc, &v, None, 0, &Theme::default());
        assert_eq!(
            texts(&doc),
            vec![
                "a: 1",
                "b: ",
                "  c: x",
                "  d: ",
                "    [0]: 1",
                "    [1]: ",
                "      e: null",
                "f: []",
                "g: {}"
            ]
        );
    }

    #[test]
    fn untrusted_keys_and_values_never_carry_escape_characters() {
        let mut doc = Doc::new();
        let v = json!({"k\u{1b}[31m": "v\u{1b}]0;pwned\u{7}"});
        json_tree(&mut doc, &v, None, 0, &Theme::default());
        for t in texts(&doc) {
            assert!(!t.chars().any(|c| c.is_control()), "{t:?}");
        }
    }

    #[test]
    fn deep_nesting_is_cut() {
        let mut v = json!(1);
        for _ in 0..100 {
            v = json!({ "n": v });
        }
        let mut doc = Doc::new();
        json_tree(&mut doc, &v, None, 0, &Theme::default());
        assert!(doc.len() <= MAX_DEPTH + 1);
    }
}
