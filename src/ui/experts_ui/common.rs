//! Small drawing and input helpers shared by the Defender Experts components.

use crate::ui::sanitize::sanitize;
use crate::ui::text::{display_width, truncate_to_width};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// True for key presses and repeats (releases are ignored everywhere).
pub(crate) fn is_press(key: &KeyEvent) -> bool {
    key.kind != KeyEventKind::Release
}

/// True for ctrl + `c` (either case, no alt).
pub(crate) fn is_ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
        && !key.modifiers.contains(KeyModifiers::ALT)
        && matches!(key.code, KeyCode::Char(k) if k.eq_ignore_ascii_case(&c))
}

/// The plain character of a key without ctrl/alt, if any.
pub(crate) fn plain_char(key: &KeyEvent) -> Option<char> {
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
    }
    match key.code {
        KeyCode::Char(c) => Some(c),
        _ => None,
    }
}

/// One sanitised line cut to `width` columns (with `…`).
pub(crate) fn clip(s: &str, width: usize) -> String {
    truncate_to_width(&sanitize(s), width).into_owned()
}

/// A single sanitised, width-clipped span.
pub(crate) fn clip_span(s: &str, width: usize, style: Style) -> Span<'static> {
    Span::styled(clip(s, width), style)
}

/// Sanitises `s` and word-wraps every logical line to `width` columns (long words are broken).
/// Empty input lines are kept as empty rows.
pub(crate) fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    for logical in s.split('\n') {
        let clean = sanitize(logical.strip_suffix('\r').unwrap_or(logical)).into_owned();
        wrap_line(&clean, width, &mut rows);
    }
    rows
}

fn wrap_line(line: &str, width: usize, rows: &mut Vec<String>) {
    if display_width(line) <= width {
        rows.push(line.trim_end().to_string());
        return;
    }
    let mut cur = String::new();
    let mut cur_w = 0usize;
    for word in line.split_word_bounds() {
        let w = UnicodeWidthStr::width(word);
        if cur_w + w <= width {
            cur.push_str(word);
            cur_w += w;
            continue;
        }
        if word.trim().is_empty() {
            // Break at the space: it is dropped.
            rows.push(std::mem::take(&mut cur).trim_end().to_string());
            cur_w = 0;
            continue;
        }
        if !cur.trim().is_empty() {
            rows.push(std::mem::take(&mut cur).trim_end().to_string());
            cur_w = 0;
        } else {
            cur.clear();
            cur_w = 0;
        }
        // Hard-break words wider than a row.
        for g in word.graphemes(true) {
            let gw = UnicodeWidthStr::width(g);
            if cur_w + gw > width && !cur.is_empty() {
                rows.push(std::mem::take(&mut cur));
                cur_w = 0;
            }
            cur.push_str(g);
            cur_w += gw;
        }
    }
    if !cur.is_empty() || rows.is_empty() {
        rows.push(cur.trim_end().to_string());
    }
}

/// [`wrap`] as styled lines, each indented by `indent` spaces.
pub(crate) fn wrapped_lines(
    s: &str,
    width: usize,
    indent: usize,
    style: Style,
) -> Vec<Line<'static>> {
    let pad = " ".repeat(indent);
    wrap(s, width.saturating_sub(indent))
        .into_iter()
        .map(|r| Line::from(Span::styled(format!("{pad}{r}"), style)))
        .collect()
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The first row to show so that `selected..selected+len` is visible in `height` rows, staying
/// as close as possible to `previous`.
pub(crate) fn scroll_to(previous: usize, selected: usize, len: usize, height: usize) -> usize {
    let height = height.max(1);
    if selected < previous {
        selected
    } else if selected + len > previous + height {
        (selected + len).saturating_sub(height).min(selected)
    } else {
        previous
    }
}

/// Loose email check: one `@`, a non-empty local part, a dotted domain, no spaces or angle
/// brackets, at most 254 characters.
pub fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_and_breaks_long_ones() {
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("x\n\ny", 10), vec!["x", "", "y"]);
        for row in wrap("the quick brown fox jumps over the lazy dog", 9) {
            assert!(display_width(&row) <= 9, "{row:?}");
        }
        assert!(
            wrap("a\u{1b}[2Jb", 40)
                .iter()
                .all(|r| !r.contains('\u{1b}'))
        );
    }

    #[test]
    fn email_check_is_loose_but_not_empty() {
        assert!(looks_like_email("soc@contoso.com"));
        assert!(looks_like_email(" kai.o+x@sub.contoso.co.uk "));
        for bad in [
            "",
            "soc",
            "soc@",
            "@x.com",
            "a@b",
            "a b@x.com",
            "a@x.com>",
            "a@@x.com",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn scroll_keeps_selection_visible() {
        assert_eq!(scroll_to(0, 3, 1, 5), 0);
        assert_eq!(scroll_to(0, 7, 1, 5), 3);
        assert_eq!(scroll_to(6, 2, 1, 5), 2);
        assert_eq!(scroll_to(0, 4, 2, 5), 1);
    }
}
