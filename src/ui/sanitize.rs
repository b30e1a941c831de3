//! PLACEHOLDER (replaced by the `uikit` branch): the one sanitiser for untrusted text.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::borrow::Cow;

fn marker(c: char) -> Option<String> {
    if c == '\t' {
        return Some("    ".into());
    }
    if c.is_control() {
        return Some(format!("\\x{:02x}", c as u32));
    }
    let cp = c as u32;
    if matches!(cp, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF) {
        return Some(format!("<U+{cp:04X}>"));
    }
    None
}

/// Replaces control and invisible format characters with visible markers.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| marker(c).is_some()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match marker(c) {
            Some(m) => out.push_str(&m),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Sanitised spans: plain text in `base`, markers in `marker`.
pub fn sanitize_spans(s: &str, base: Style, marker_style: Style) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        match marker(c) {
            Some(m) if c != '\t' => {
                if !cur.is_empty() {
                    spans.push(Span::styled(std::mem::take(&mut cur), base));
                }
                spans.push(Span::styled(m, marker_style));
            }
            Some(m) => cur.push_str(&m),
            None => cur.push(c),
        }
    }
    if !cur.is_empty() {
        spans.push(Span::styled(cur, base));
    }
    spans
}

/// Sanitised lines (split on `\n`, `\r\n`), at most `max_lines`.
pub fn sanitize_lines(s: &str, base: Style, marker_style: Style, max_lines: usize) -> Vec<Line<'static>> {
    s.split('\n')
        .take(max_lines)
        .map(|l| Line::from(sanitize_spans(l.strip_suffix('\r').unwrap_or(l), base, marker_style)))
        .collect()
}
