//! The result table: typed columns, a row and a column cursor, only the visible rows and
//! columns drawn, horizontal scrolling that keeps the cursor column in view. Every cell goes
//! through `ui::sanitize`.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use serde_json::Value;

use crate::graph::hunting::HuntResult;
use crate::ui::sanitize::{sanitize, sanitize_truncated};
use crate::ui::text::{display_width, pad_left_to_width, pad_to_width, truncate_to_width};
use crate::ui::theme::Theme;

/// Widest a column is drawn (its cells are cut with an ellipsis).
const MAX_COL: usize = 48;
/// Rows sampled to size the columns.
const SAMPLE: usize = 500;
/// Characters of a cell looked at when drawing it.
const CELL_CHARS: usize = 400;

/// First visible index so that `cursor` stays inside a window of `height` rows.
pub fn scroll_start(cursor: usize, height: usize, len: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    (cursor + 1).saturating_sub(height).min(len - height)
}

/// A cell as text: strings as they are, `null` empty, anything else as JSON.
pub fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A result with its cursor and scroll state.
#[derive(Debug)]
pub struct ResultTable {
    pub result: HuntResult,
    widths: Vec<usize>,
    /// Selected row.
    pub row: usize,
    /// Selected column.
    pub col: usize,
    /// First column drawn.
    left: usize,
    /// Width and body height at the last draw (for paging and horizontal scrolling).
    last_width: Cell<usize>,
    last_height: Cell<usize>,
}

impl ResultTable {
    /// Wraps a result; the columns are sized from its first rows.
    pub fn new(result: HuntResult) -> ResultTable {
        let widths = result
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let cells = result
                    .rows
                    .iter()
                    .take(SAMPLE)
                    .map(|r| display_width(&sanitize_truncated(&cell_text(&r[i]), MAX_COL)))
                    .max()
                    .unwrap_or(0);
                display_width(&sanitize(&c.name))
                    .max(cells)
                    .clamp(3, MAX_COL)
            })
            .collect();
        ResultTable {
            result,
            widths,
            row: 0,
            col: 0,
            left: 0,
            last_width: Cell::new(80),
            last_height: Cell::new(10),
        }
    }

    /// The selected cell's value.
    pub fn cell(&self) -> Option<&Value> {
        self.result.rows.get(self.row)?.get(self.col)
    }

    /// Rows down (negative: up), clamped.
    pub fn move_rows(&mut self, delta: isize) {
        let n = self.result.rows.len();
        if n == 0 {
            return;
        }
        self.row = self.row.saturating_add_signed(delta).min(n - 1);
    }

    /// One page of rows down (negative: up).
    pub fn page(&mut self, dir: isize) {
        let h = self.last_height.get().max(1) as isize;
        self.move_rows(dir * h);
    }

    /// To the first (`false`) or last (`true`) row.
    pub fn jump(&mut self, end: bool) {
        self.row = if end {
            self.result.rows.len().saturating_sub(1)
        } else {
            0
        };
    }

    /// Columns right (negative: left), scrolling so the selected column is in view.
    pub fn move_cols(&mut self, delta: isize) {
        let n = self.result.columns.len();
        if n == 0 {
            return;
        }
        self.col = self.col.saturating_add_signed(delta).min(n - 1);
        self.keep_col_visible();
    }

    fn keep_col_visible(&mut self) {
        if self.col < self.left {
            self.left = self.col;
        }
        let width = self.last_width.get();
        while self.left < self.col && self.span(self.left, self.col) > width {
            self.left += 1;
        }
    }

    /// Width of columns `from..=to` with their separators.
    fn span(&self, from: usize, to: usize) -> usize {
        self.widths[from..=to].iter().map(|w| w + 1).sum::<usize>()
    }

    /// The first column drawn.
    pub fn left(&self) -> usize {
        self.left
    }

    /// Draws the header and the visible rows into `area`.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
        let width = area.width as usize;
        self.last_width.set(width);
        if area.height == 0 || width == 0 {
            return;
        }
        let body = area.height.saturating_sub(1) as usize;
        self.last_height.set(body.max(1));
        // Columns that fit from `left`.
        let mut cols = Vec::new();
        let mut used = 0;
        for i in self.left..self.result.columns.len() {
            if used >= width {
                break;
            }
            cols.push(i);
            used += self.widths[i] + 1;
        }
        let header: Vec<Span> = cols
            .iter()
            .map(|&i| {
                let c = &self.result.columns[i];
                let name = truncate_to_width(&sanitize(&c.name), self.widths[i]).into_owned();
                let text = if c.kind.is_numeric() {
                    pad_left_to_width(&name, self.widths[i]).into_owned()
                } else {
                    pad_to_width(&name, self.widths[i]).into_owned()
                };
                Span::styled(format!("{text} "), theme.header)
            })
            .collect();
        buf.set_line(area.x, area.y, &Line::from(header), area.width);
        let n = self.result.rows.len();
        let top = scroll_start(self.row, body, n);
        for (line, r) in (top..n).take(body).enumerate() {
            let row = &self.result.rows[r];
            let selected = r == self.row;
            let base = if selected && focused {
                theme.selection
            } else if selected {
                theme.selection_unfocused
            } else {
                theme.text
            };
            let spans: Vec<Span> = cols
                .iter()
                .map(|&i| {
                    let raw = cell_text(&row[i]);
                    let clean = sanitize_truncated(&raw, CELL_CHARS);
                    let cut = truncate_to_width(&clean, self.widths[i]);
                    let text = if self.result.columns[i].kind.is_numeric() {
                        pad_left_to_width(&cut, self.widths[i]).into_owned()
                    } else {
                        pad_to_width(&cut, self.widths[i]).into_owned()
                    };
                    let style = if selected && i == self.col {
                        base.add_modifier(Modifier::REVERSED | Modifier::BOLD)
                    } else {
                        base
                    };
                    Span::styled(format!("{text} "), style)
                })
                .collect();
            let y = area.y + 1 + line as u16;
            buf.set_style(Rect::new(area.x, y, area.width, 1), base);
            buf.set_line(area.x, y, &Line::from(spans), area.width);
        }
        if n == 0 {
            buf.set_line(
                area.x,
                area.y + 1,
                &Line::from(Span::styled("(no rows)", theme.muted)),
                area.width,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::hunting::{Column, ColumnType};
    use serde_json::json;

    fn table(cols: usize, rows: usize) -> ResultTable {
        ResultTable::new(HuntResult {
            columns: (0..cols)
                .map(|i| Column {
                    name: format!("Column{i}"),
                    kind: ColumnType::String,
                    type_name: "String".into(),
                })
                .collect(),
            rows: (0..rows)
                .map(|r| {
                    (0..cols)
                        .map(|c| json!(format!("r{r}c{c}-value")))
                        .collect()
                })
                .collect(),
            truncated: false,
        })
    }

    #[test]
    fn horizontal_scroll_keeps_the_cursor_column_in_view() {
        let mut t = table(10, 3);
        t.last_width.set(30);
        t.move_cols(1);
        assert_eq!((t.col, t.left()), (1, 0));
        t.move_cols(5);
        assert_eq!(t.col, 6);
        assert!(t.left() > 0 && t.span(t.left(), t.col) <= 30);
        t.move_cols(-6);
        assert_eq!((t.col, t.left()), (0, 0));
        t.move_cols(100);
        assert_eq!(t.col, 9);
    }

    #[test]
    fn draws_only_visible_rows_and_sanitises_cells() {
        let mut t = table(2, 1000);
        t.result.rows[0][0] = json!("evil\u{1b}]0;title\u{7}");
        let area = Rect::new(0, 0, 40, 6);
        let mut buf = Buffer::empty(area);
        t.render(area, &mut buf, &Theme::default(), true);
        let text: String = (0..6)
            .map(|y| {
                (0..40)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect();
        assert!(text.contains("Column0"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("r4c0") && !text.contains("r5c0"), "{text}");
        t.jump(true);
        let mut buf = Buffer::empty(area);
        t.render(area, &mut buf, &Theme::default(), true);
        let last: String = (0..40).map(|x| buf[(x, 5)].symbol().to_string()).collect();
        assert!(last.contains("r999c0"), "{last}");
    }
}
