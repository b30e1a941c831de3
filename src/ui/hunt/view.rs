//! Drawing the hunting screen: the editor, the limits line, then the result table, the row
//! view or the starting points. Every string from the service goes through `ui::sanitize`.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::screen::{Focus, HuntScreen, Note};
use super::table::{cell_text, scroll_start};
use crate::graph::hunting::{CALLS_PER_MINUTE, DATA_DAYS, MAX_ROWS};
use crate::ui::sanitize::{sanitize, sanitize_multiline};
use crate::ui::text::truncate_to_width;
use crate::ui::theme::Theme;

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

fn thousands(n: usize) -> String {
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

fn line(f: &mut Frame, area: Rect, y: u16, spans: Vec<Span<'static>>) {
    if y < area.y + area.height {
        f.render_widget(Line::from(spans), Rect::new(area.x, y, area.width, 1));
    }
}

impl HuntScreen {
    /// Draws the screen over `area`.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        self.render_at(f, area, theme, Instant::now());
    }

    /// [`render`](Self::render) with the clock given (the spinner and calls left).
    pub fn render_at(&self, f: &mut Frame, area: Rect, theme: &Theme, now: Instant) {
        f.render_widget(Clear, area);
        let hints = self
            .hints()
            .iter()
            .map(|(k, d)| format!("{k} {d}"))
            .collect::<Vec<_>>()
            .join(" · ");
        let inner_w = area.width.saturating_sub(4) as usize;
        let block = Block::bordered()
            .border_style(theme.border_focus)
            .title(Line::from(Span::styled(" Advanced hunting ", theme.title)))
            .title_bottom(Line::from(Span::styled(
                format!(" {} ", truncate_to_width(&hints, inner_w.saturating_sub(2))),
                theme.key_hint,
            )));
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height < 4 || inner.width < 10 {
            return;
        }
        let lines = u16::try_from(self.editor.lines().len()).unwrap_or(u16::MAX);
        let editor_h = lines
            .saturating_add(1)
            .clamp(3, (inner.height / 3).clamp(3, 12));
        let editor_area = Rect::new(inner.x, inner.y, inner.width, editor_h);
        let edit_block = Block::new().borders(Borders::LEFT).border_style(
            if self.focus == Focus::Editor && self.picker.is_none() {
                theme.border_focus
            } else {
                theme.border
            },
        );
        let ta = edit_block.inner(editor_area);
        f.render_widget(edit_block, editor_area);
        f.render_widget(&self.editor, ta);

        let status_y = inner.y + editor_h;
        line(f, inner, status_y, self.limits_line(theme, now));
        line(f, inner, status_y + 1, self.note_line(theme));
        let body = Rect::new(
            inner.x,
            status_y + 2,
            inner.width,
            inner.height.saturating_sub(editor_h + 2),
        );
        if let Some(i) = self.picker {
            self.render_picker(f, body, theme, i);
        } else if let (Some(scroll), Some(t)) = (self.detail, self.results.as_ref()) {
            self.render_row(f, body, theme, t, scroll);
        } else if let Some(t) = &self.results {
            t.render(body, f.buffer_mut(), theme, self.focus == Focus::Results);
        } else {
            line(
                f,
                body,
                body.y,
                vec![Span::styled(
                    "Write a query and press ctrl-s. Starting points (ctrl-t):",
                    theme.muted,
                )],
            );
            for (i, s) in self.starters.iter().enumerate() {
                let y = body.y + 1 + i as u16;
                if y >= body.y + body.height {
                    break;
                }
                let text = format!("  {}", sanitize(&s.label));
                let text = truncate_to_width(&text, body.width as usize).into_owned();
                line(f, body, y, vec![Span::styled(text, theme.text)]);
            }
        }
        if let Some(cmd) = &self.command {
            let y = inner.y + inner.height - 1;
            f.render_widget(Clear, Rect::new(inner.x, y, inner.width, 1));
            line(
                f,
                inner,
                y,
                vec![Span::styled(format!(":{}", sanitize(cmd)), theme.text)],
            );
        }
    }

    fn limits_line(&self, theme: &Theme, now: Instant) -> Vec<Span<'static>> {
        let mut s = Vec::new();
        if let Some(r) = &self.running {
            let el = now.saturating_duration_since(r.started);
            let frame = SPINNER[(el.as_millis() / 150) as usize % SPINNER.len()];
            s.push(Span::styled(
                format!("{frame} running {} s (Esc cancels) · ", el.as_secs()),
                theme.warning,
            ));
        }
        let rows = self
            .results
            .as_ref()
            .map(|t| thousands(t.result.rows.len()))
            .unwrap_or_else(|| "–".into());
        s.push(Span::styled(
            format!(
                "rows {rows} / {} · data: last {DATA_DAYS} days · calls left this minute: {}/{CALLS_PER_MINUTE}",
                thousands(MAX_ROWS),
                self.calls_left_at(now)
            ),
            theme.muted,
        ));
        s
    }

    fn note_line(&self, theme: &Theme) -> Vec<Span<'static>> {
        match &self.note {
            None => Vec::new(),
            Some(Note::Info(m)) => vec![Span::styled(sanitize(m).into_owned(), theme.ok)],
            Some(Note::Error(m)) => vec![Span::styled(sanitize(m).into_owned(), theme.error)],
            Some(Note::Throttled(m)) => vec![
                Span::styled("429 ", theme.error),
                Span::styled(sanitize(m).into_owned(), theme.warning),
            ],
        }
    }

    fn render_picker(&self, f: &mut Frame, area: Rect, theme: &Theme, cursor: usize) {
        if area.height == 0 {
            return;
        }
        line(
            f,
            area,
            area.y,
            vec![Span::styled("Starting points", theme.header)],
        );
        let h = area.height.saturating_sub(1) as usize;
        let top = scroll_start(cursor, h, self.starters.len());
        for (i, s) in self.starters.iter().enumerate().skip(top).take(h) {
            let style = if i == cursor {
                theme.selection
            } else {
                theme.text
            };
            let first = s.query.lines().next().unwrap_or("");
            let text = format!("{}  — {}", sanitize(&s.label), sanitize(first));
            let text = truncate_to_width(&text, area.width as usize).into_owned();
            let y = area.y + 1 + (i - top) as u16;
            f.buffer_mut()
                .set_style(Rect::new(area.x, y, area.width, 1), style);
            line(f, area, y, vec![Span::styled(text, style)]);
        }
    }

    fn render_row(
        &self,
        f: &mut Frame,
        area: Rect,
        theme: &Theme,
        t: &super::table::ResultTable,
        scroll: u16,
    ) {
        let Some(row) = t.result.rows.get(t.row) else {
            return;
        };
        let mut lines = vec![Line::from(Span::styled(
            format!("Row {} of {}", t.row + 1, thousands(t.result.rows.len())),
            theme.header,
        ))];
        for (c, v) in t.result.columns.iter().zip(row) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} ({}): ", sanitize(&c.name), sanitize(&c.type_name)),
                    theme.muted,
                ),
                Span::styled(
                    sanitize_multiline(&cell_text(v)).into_owned(),
                    Style::default(),
                ),
            ]));
        }
        f.render_widget(
            Paragraph::new(lines)
                .style(theme.text)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            area,
        );
    }
}
