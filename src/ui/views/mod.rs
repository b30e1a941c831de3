//! One renderer per resource (queue, incident, alert, evidence) plus the help overlay and the
//! status bar. Renderers take plain data so they can be tested without a Store; every untrusted
//! string goes through [`crate::ui::sanitize`] before it becomes a span.

pub mod alert;
pub mod doc;
pub mod evidence;
pub mod help;
pub mod incident;
pub mod process_tree;
pub mod queue;
pub mod queue_summary;
pub mod sentinel;
pub mod status_bar;

use crate::graph::model::{IncidentStatus, Severity, Timestamp};
use crate::ui::sanitize::sanitize_spans;
use crate::ui::theme::Theme;
use ratatui::style::Style;
use ratatui::text::Span;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Box-drawing and marker glyphs, with an ASCII fallback for fonts that lack them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Symbols {
    pub ascii: bool,
}

impl Symbols {
    /// `…` or `~`.
    pub fn ellipsis(&self) -> &'static str {
        if self.ascii { "~" } else { "…" }
    }
    /// Arrow used for redirected incidents.
    pub fn arrow(&self) -> &'static str {
        if self.ascii { "->" } else { "→" }
    }
    /// Sort direction indicator.
    pub fn sort(&self, descending: bool) -> &'static str {
        match (self.ascii, descending) {
            (true, true) => "v",
            (true, false) => "^",
            (false, true) => "▼",
            (false, false) => "▲",
        }
    }
    /// Tree guides: (branch, last branch, vertical, blank).
    pub fn tree(&self) -> (&'static str, &'static str, &'static str, &'static str) {
        if self.ascii {
            ("|- ", "`- ", "|  ", "   ")
        } else {
            ("├─ ", "└─ ", "│  ", "   ")
        }
    }
    /// Spinner frames (one cell each).
    pub fn spinner(&self, frame: usize) -> &'static str {
        const U: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
        const A: [&str; 4] = ["|", "/", "-", "\\"];
        if self.ascii {
            A[frame % A.len()]
        } else {
            U[frame % U.len()]
        }
    }
    /// Row marks: new, changed, multi-selected.
    pub fn marks(&self) -> (&'static str, &'static str, &'static str) {
        if self.ascii {
            ("*", "~", "+")
        } else {
            ("●", "◆", "✓")
        }
    }
}

/// "1 device", "2 devices", "0 devices".
pub fn count_noun<N>(n: N, singular: &str, plural: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    let word = if n == N::from(1) { singular } else { plural };
    format!("{n} {word}")
}

/// Display width of one grapheme as ratatui counts it.
fn gwidth(g: &str) -> usize {
    g.width()
}

/// Fits styled spans into exactly `width` columns: cut with an ellipsis when too long (never
/// splitting a wide character), padded with spaces in `pad` style when short.
pub fn fit_spans(
    spans: Vec<Span<'static>>,
    width: usize,
    pad: Style,
    sym: Symbols,
) -> Vec<Span<'static>> {
    let total: usize = spans
        .iter()
        .map(|s| s.content.graphemes(true).map(gwidth).sum::<usize>())
        .sum();
    let mut out = Vec::with_capacity(spans.len() + 1);
    if total <= width {
        out.extend(spans);
        if total < width {
            out.push(Span::styled(" ".repeat(width - total), pad));
        }
        return out;
    }
    let ell = sym.ellipsis();
    let budget = width.saturating_sub(1);
    let mut used = 0;
    let mut last_style = pad;
    'outer: for s in spans {
        let mut cut = String::new();
        for g in s.content.graphemes(true) {
            let w = gwidth(g);
            if used + w > budget {
                if !cut.is_empty() {
                    out.push(Span::styled(cut, s.style));
                }
                last_style = s.style;
                break 'outer;
            }
            cut.push_str(g);
            used += w;
        }
        last_style = s.style;
        if !cut.is_empty() {
            out.push(Span::styled(cut, s.style));
        }
    }
    if width > 0 {
        if used < budget {
            out.push(Span::styled(" ".repeat(budget - used), pad));
        }
        out.push(Span::styled(ell, last_style));
    }
    out
}

/// Fits one untrusted string (sanitised) into `width` columns.
pub fn fit_text(
    s: &str,
    width: usize,
    style: Style,
    theme: &Theme,
    sym: Symbols,
) -> Vec<Span<'static>> {
    fit_spans(sanitize_spans(s, style, theme.marker), width, style, sym)
}

/// Fits short text (labels, numbers; enum labels may carry unknown wire values, so it is
/// sanitised too) into `width` columns.
pub fn fit_plain(s: &str, width: usize, style: Style, sym: Symbols) -> Vec<Span<'static>> {
    fit_spans(vec![Span::styled(clean(s), style)], width, style, sym)
}

/// Sanitised owned copy of a short string (enum labels can be unknown wire values).
pub fn clean(s: &str) -> String {
    crate::ui::sanitize::sanitize(s).into_owned()
}

/// Right-aligns trusted text in `width` columns.
pub fn right_plain(s: &str, width: usize, style: Style, sym: Symbols) -> Vec<Span<'static>> {
    let w = s.width();
    if w >= width {
        return fit_plain(s, width, style, sym);
    }
    vec![Span::styled(
        format!("{}{}", " ".repeat(width - w), clean(s)),
        style,
    )]
}

/// "5m ago", "3h ago", "2d ago"; "just now" under 10 s; "in 5m" for future times.
pub fn relative(now: Timestamp, t: Timestamp) -> String {
    let d = now.as_second() - t.as_second();
    let (a, future) = if d < 0 { (-d, true) } else { (d, false) };
    if a < 10 {
        return "just now".into();
    }
    let s = if a < 60 {
        format!("{a}s")
    } else if a < 3600 {
        format!("{}m", a / 60)
    } else if a < 86_400 {
        format!("{}h", a / 3600)
    } else if a < 86_400 * 60 {
        format!("{}d", a / 86_400)
    } else if a < 86_400 * 730 {
        format!("{}mo", a / (86_400 * 30))
    } else {
        format!("{}y", a / (86_400 * 365))
    };
    if future {
        format!("in {s}")
    } else {
        format!("{s} ago")
    }
}

/// `2026-01-22 12:09` (UTC).
pub fn absolute(t: Timestamp) -> String {
    t.0.strftime("%Y-%m-%d %H:%M").to_string()
}

/// Relative plus absolute: `5m ago (2026-01-22 12:09 UTC)`.
pub fn when(now: Timestamp, t: Option<Timestamp>) -> String {
    match t {
        Some(t) => format!("{} ({} UTC)", relative(now, t), absolute(t)),
        None => "-".into(),
    }
}

/// Style of a severity value.
pub fn sev_style(theme: &Theme, s: &Severity) -> Style {
    match s {
        Severity::High => theme.sev_high,
        Severity::Medium => theme.sev_medium,
        Severity::Low => theme.sev_low,
        _ => theme.sev_info,
    }
}

/// Style of an incident status.
pub fn status_style(theme: &Theme, s: &IncidentStatus) -> Style {
    match s {
        IncidentStatus::Active => theme.status_active,
        IncidentStatus::InProgress => theme.status_in_progress,
        IncidentStatus::Resolved => theme.status_resolved,
        IncidentStatus::AwaitingAction => theme.status_awaiting,
        IncidentStatus::Redirected => theme.status_redirected,
        _ => theme.text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn width_of(spans: &[Span]) -> usize {
        spans.iter().map(|s| s.content.width()).sum()
    }

    fn text_of(spans: &[Span]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn fit_keeps_exact_width_with_wide_characters() {
        let sym = Symbols { ascii: false };
        for w in 0..12 {
            let out = fit_spans(
                vec![Span::raw("한국어 제목 테스트")],
                w,
                Style::default(),
                sym,
            );
            assert_eq!(width_of(&out), w, "width {w}: {:?}", text_of(&out));
        }
        let out = fit_spans(vec![Span::raw("한국어")], 4, Style::default(), sym);
        // "한" (2) + pad to 3 + "…"
        assert_eq!(text_of(&out), "한 …");
        let out = fit_spans(
            vec![Span::raw("ab"), Span::raw("cd")],
            6,
            Style::default(),
            sym,
        );
        assert_eq!(text_of(&out), "abcd  ");
        let out = fit_spans(
            vec![Span::raw("ab"), Span::raw("cdef")],
            4,
            Style::default(),
            sym,
        );
        assert_eq!(text_of(&out), "abc…");
    }

    #[test]
    fn relative_times() {
        let now = Timestamp::parse("2026-03-01T12:00:00Z").unwrap();
        assert_eq!(relative(now, now.plus_seconds(-5)), "just now");
        assert_eq!(relative(now, now.plus_seconds(-45)), "45s ago");
        assert_eq!(relative(now, now.plus_seconds(-300)), "5m ago");
        assert_eq!(relative(now, now.plus_seconds(-3 * 3600)), "3h ago");
        assert_eq!(relative(now, now.plus_seconds(-2 * 86_400)), "2d ago");
        assert_eq!(relative(now, now.plus_seconds(90)), "in 1m");
        assert_eq!(absolute(now), "2026-03-01 12:00");
    }
}
