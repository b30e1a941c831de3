//! Small drawing and key helpers shared by the triage panes.

use crate::ui::sanitize::sanitize;
use crate::ui::text::{display_width, truncate_to_width};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};

/// A rectangle of at most `w`×`h` centred in `area` (clamped to `area`).
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

/// Clears `rect` and draws a bordered modal frame; returns the inner area.
pub(crate) fn modal(
    f: &mut Frame,
    rect: Rect,
    title: &str,
    hints: &[(&str, &str)],
    theme: &Theme,
) -> Rect {
    f.render_widget(Clear, rect);
    let inner_w = rect.width.saturating_sub(4) as usize;
    let title = fit(title, inner_w);
    let mut block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Line::from(Span::styled(format!(" {title} "), theme.title)));
    if !hints.is_empty() {
        let text = hints
            .iter()
            .map(|(k, d)| format!("{k} {d}"))
            .collect::<Vec<_>>()
            .join(" · ");
        block = block.title_bottom(Line::from(Span::styled(
            format!(" {} ", truncate_to_width(&text, inner_w.saturating_sub(2))),
            theme.key_hint,
        )));
    }
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    inner
}

/// Sanitises untrusted text and cuts it to `width` columns with an ellipsis.
pub(crate) fn fit(s: &str, width: usize) -> String {
    truncate_to_width(&sanitize(s), width).into_owned()
}

/// A one-row line made of (text, style) pieces, each sanitised, cut to `width` overall.
pub(crate) fn row(pieces: &[(&str, Style)], width: usize) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (text, style) in pieces {
        if used >= width {
            break;
        }
        let clean = sanitize(text);
        let cut = truncate_to_width(&clean, width - used).into_owned();
        used += display_width(&cut);
        spans.push(Span::styled(cut, *style));
    }
    Line::from(spans)
}

/// Draws `lines` into `area` one per row (no wrapping).
pub(crate) fn draw_lines(f: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    for (i, line) in lines.into_iter().enumerate() {
        if i as u16 >= area.height {
            break;
        }
        let r = Rect {
            x: area.x,
            y: area.y + i as u16,
            width: area.width,
            height: 1,
        };
        f.render_widget(line, r);
    }
}

/// Draws a form's inline comment editor, four rows high, indented under its label at `row`
/// inside `inner` (when it fits), with a left border marking focus.
pub(crate) fn draw_inline_editor(
    f: &mut Frame,
    inner: Rect,
    row: Option<u16>,
    focused: bool,
    editor: &ratatui_textarea::TextArea<'static>,
    theme: &Theme,
) {
    let Some(r) = row.filter(|r| r + 4 <= inner.height) else {
        return;
    };
    let area = Rect {
        x: inner.x + 4,
        y: inner.y + r,
        width: inner.width.saturating_sub(6),
        height: 4,
    };
    let style = if focused {
        theme.border_focus
    } else {
        theme.border
    };
    let block = Block::new()
        .borders(ratatui::widgets::Borders::LEFT)
        .border_style(style);
    let text_area = block.inner(area);
    f.render_widget(block, area);
    f.render_widget(editor, text_area);
}

/// First visible index so that `cursor` stays inside a window of `height` rows.
pub(crate) fn scroll_start(cursor: usize, height: usize, len: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    let start = if cursor >= height {
        cursor + 1 - height
    } else {
        0
    };
    start.min(len - height)
}

/// `1234567` → `"1,234,567"`.
pub(crate) fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// True for key releases (ignored everywhere).
pub(crate) fn is_release(key: &KeyEvent) -> bool {
    key.kind == KeyEventKind::Release
}

/// True for ctrl+`c` (any case).
pub(crate) fn is_ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(key.code, KeyCode::Char(k) if k.eq_ignore_ascii_case(&c))
}

/// A printable character typed without ctrl/alt.
pub(crate) fn typed_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(30000), "30,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn scroll_keeps_cursor_visible() {
        assert_eq!(scroll_start(0, 5, 20), 0);
        assert_eq!(scroll_start(4, 5, 20), 0);
        assert_eq!(scroll_start(5, 5, 20), 1);
        assert_eq!(scroll_start(19, 5, 20), 15);
        assert_eq!(scroll_start(3, 5, 3), 0);
    }

    #[test]
    fn centered_clamps_to_area() {
        let a = Rect::new(0, 0, 80, 24);
        assert_eq!(centered(a, 60, 10), Rect::new(10, 7, 60, 10));
        assert_eq!(centered(a, 100, 30), a);
    }

    #[test]
    fn fit_sanitises_and_truncates() {
        assert_eq!(fit("a\x1b[31mb", 40), "a\\x1b[31mb");
        assert_eq!(fit("abcdef", 4), "abc…");
    }
}
