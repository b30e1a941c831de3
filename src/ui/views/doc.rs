//! A scrollable document of lines with optional selectable items: the building block of the
//! incident, alert and evidence pages. Only the visible lines are drawn.

use crate::ui::sanitize::{sanitize_lines, sanitize_spans};
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Width of the label column in `field` lines.
pub const LABEL_WIDTH: usize = 18;

/// Lines plus the line index of each selectable item.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub lines: Vec<Line<'static>>,
    /// Line index of each selectable item, in order.
    pub items: Vec<usize>,
}

impl Doc {
    /// An empty document.
    pub fn new() -> Self {
        Doc::default()
    }

    /// Appends a line.
    pub fn push(&mut self, line: Line<'static>) {
        self.lines.push(line);
    }

    /// Appends a selectable line.
    pub fn push_item(&mut self, line: Line<'static>) {
        self.items.push(self.lines.len());
        self.lines.push(line);
    }

    /// An empty line.
    pub fn blank(&mut self) {
        self.lines.push(Line::default());
    }

    /// A section heading (trusted text).
    pub fn heading(&mut self, text: &str, theme: &Theme) {
        self.lines
            .push(Line::from(Span::styled(text.to_string(), theme.title)));
    }

    /// `label: value` with an untrusted value (sanitised).
    pub fn field(&mut self, label: &str, value: &str, style: Style, theme: &Theme) {
        let mut spans = vec![label_span(label, theme)];
        spans.extend(sanitize_spans(value, style, theme.marker));
        self.lines.push(Line::from(spans));
    }

    /// `label: value` with pre-built (already sanitised) spans.
    pub fn field_spans(&mut self, label: &str, value: Vec<Span<'static>>, theme: &Theme) {
        let mut spans = vec![label_span(label, theme)];
        spans.extend(value);
        self.lines.push(Line::from(spans));
    }

    /// Multi-line untrusted prose, sanitised and wrapped to `width` columns (indented by
    /// `indent` spaces), at most `max_lines` source lines.
    pub fn prose(&mut self, text: &str, indent: usize, width: usize, style: Style, theme: &Theme) {
        let avail = width.saturating_sub(indent).max(10);
        for line in sanitize_lines(text, style, theme.marker, 500) {
            for mut w in wrap_line(line, avail) {
                if indent > 0 {
                    w.spans.insert(0, Span::raw(" ".repeat(indent)));
                }
                self.lines.push(w);
            }
        }
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when there are no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

fn label_span(label: &str, theme: &Theme) -> Span<'static> {
    let w = label.width();
    let pad = LABEL_WIDTH.saturating_sub(w + 1);
    Span::styled(format!("{label}:{}", " ".repeat(pad.max(1))), theme.muted)
}

/// Splits a line into lines of at most `width` columns, breaking between words (spaces at a
/// break are dropped); a word wider than a line is broken between characters, and wide
/// characters are never split.
pub fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let cells: Vec<(&str, Style)> = line
        .spans
        .iter()
        .flat_map(|s| s.content.graphemes(true).map(move |g| (g, s.style)))
        .collect();
    let mut rows: Vec<Vec<(&str, Style)>> = Vec::new();
    let mut cur: Vec<(&str, Style)> = Vec::new();
    let mut used = 0usize;
    let mut i = 0;
    while i < cells.len() {
        let space = cells[i].0 == " ";
        let end = cells[i..]
            .iter()
            .position(|(g, _)| (*g == " ") != space)
            .map_or(cells.len(), |n| i + n);
        let run = &cells[i..end];
        let run_width: usize = run.iter().map(|(g, _)| g.width()).sum();
        if used + run_width <= width {
            cur.extend_from_slice(run);
            used += run_width;
        } else if space {
            // The break replaces the spaces.
            end_row(&mut rows, &mut cur);
            used = 0;
        } else {
            if used > 0 && run_width <= width {
                end_row(&mut rows, &mut cur);
                used = 0;
            }
            for &(g, st) in run {
                let w = g.width();
                if used + w > width && used > 0 {
                    end_row(&mut rows, &mut cur);
                    used = 0;
                }
                cur.push((g, st));
                used += w;
            }
        }
        i = end;
    }
    rows.push(cur);
    rows.into_iter()
        .map(|r| Line::from(merge_spans(&r)))
        .collect()
}

/// Closes the current row at a break, without the spaces before the break.
fn end_row<'a>(rows: &mut Vec<Vec<(&'a str, Style)>>, cur: &mut Vec<(&'a str, Style)>) {
    while cur.last().is_some_and(|(g, _)| *g == " ") {
        cur.pop();
    }
    rows.push(std::mem::take(cur));
}

/// Graphemes back into spans, one per run of the same style.
fn merge_spans(cells: &[(&str, Style)]) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    for (g, st) in cells {
        match out.last_mut() {
            Some(last) if last.style == *st => last.content.to_mut().push_str(g),
            _ => out.push(Span::styled(g.to_string(), *st)),
        }
    }
    out
}

/// Scroll position for a document view: keeps the cursor's line visible and the offset in range.
pub fn clamp_scroll(doc: &Doc, height: usize, scroll: usize, cursor: Option<usize>) -> usize {
    let max = doc.lines.len().saturating_sub(height);
    let mut s = scroll.min(max);
    if let Some(line) = cursor.and_then(|c| doc.items.get(c)).copied() {
        if line < s {
            s = line;
        } else if height > 0 && line >= s + height {
            s = line + 1 - height;
        }
    }
    s
}

/// Draws the visible part of a document; the cursor's item line gets `selection`.
pub fn render_doc(
    buf: &mut Buffer,
    area: Rect,
    doc: &Doc,
    scroll: usize,
    cursor: Option<usize>,
    selection: Style,
) {
    let sel_line = cursor.and_then(|c| doc.items.get(c)).copied();
    for (row, idx) in (scroll..doc.lines.len())
        .take(area.height as usize)
        .enumerate()
    {
        let y = area.y + row as u16;
        let line_area = Rect {
            x: area.x,
            y,
            width: area.width,
            height: 1,
        };
        if Some(idx) == sel_line {
            buf.set_style(line_area, selection);
        }
        crate::ui::text::set_line_cut(buf, area.x, y, &doc.lines[idx], area.width);
        if Some(idx) == sel_line {
            buf.set_style(line_area, selection);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn wraps_without_splitting_wide_characters() {
        let lines = wrap_line(Line::from(vec![Span::raw("ab"), Span::raw("한국어")]), 5);
        let t: Vec<String> = lines.iter().map(text).collect();
        assert_eq!(t, vec!["ab한", "국어"]);
        assert_eq!(wrap_line(Line::from("abc"), 10).len(), 1);
    }

    #[test]
    fn wraps_between_words_not_inside_them() {
        let t: Vec<String> = wrap_line(Line::from("Microsoft Defender for Servers"), 12)
            .iter()
            .map(text)
            .collect();
        assert_eq!(t, vec!["Microsoft", "Defender for", "Servers"]);
        let t: Vec<String> = wrap_line(
            Line::from(vec![Span::raw("a server "), Span::raw("rebooted")]),
            10,
        )
        .iter()
        .map(text)
        .collect();
        assert_eq!(t, vec!["a server", "rebooted"]);
        // A word longer than the line still breaks, and leading indentation stays.
        let t: Vec<String> = wrap_line(Line::from("  abcdefghij"), 6)
            .iter()
            .map(text)
            .collect();
        assert_eq!(t, vec!["  abcd", "efghij"]);
    }

    #[test]
    fn scroll_follows_the_cursor() {
        let mut d = Doc::new();
        for i in 0..50 {
            d.push_item(Line::from(format!("{i}")));
        }
        assert_eq!(clamp_scroll(&d, 10, 0, Some(25)), 16);
        assert_eq!(clamp_scroll(&d, 10, 30, Some(5)), 5);
        assert_eq!(clamp_scroll(&d, 10, 99, None), 40);
    }
}
