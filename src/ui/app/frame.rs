//! Drawing the whole screen: the page (the queue, or the top of the page stack), the toast,
//! input and status lines under it, the hint line, then the panes and the overlays on top.

use super::input_line::InputKind;
use super::{App, Level};
use crate::sync::Phase;
use crate::ui::keymap::Context;
use crate::ui::pages::queue::QueueFrame;
use crate::ui::pages::{self, PageCtx};
use crate::ui::sanitize::{sanitize, sanitize_spans};
use crate::ui::views::status_bar::{self, StatusData};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

use unicode_width::UnicodeWidthStr;

impl App {
    /// Draws the whole screen.
    pub fn render(&mut self, frame: &mut Frame) {
        let area = frame.area();
        let (cursor, body) = self.render_base(area, frame.buffer_mut());
        self.last_frame = Some(frame.buffer_mut().clone());
        if area.width > 0 && area.height > 0 {
            self.refresh_screen();
            for m in self.modals.iter().chain(&self.screen) {
                m.render(frame, m.area(area, body), &self.theme, &self.keymap);
            }
            crate::ui::text::mend_covered_wide_chars(frame.buffer_mut());
        }
        if self.sym.ascii {
            crate::ui::text::asciify(frame.buffer_mut());
        }
        if let Some(p) = cursor
            && self.modals.is_empty()
        {
            frame.set_cursor_position(p);
        }
    }

    /// Draws the page into a buffer, without the panes and full-screen overlays (they need a
    /// frame); returns where the text cursor goes (input line), if anywhere.
    pub fn render_buffer(&mut self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        let (cursor, _) = self.render_base(area, buf);
        if area.width > 0 && area.height > 0 {
            crate::ui::text::mend_covered_wide_chars(buf);
        }
        if self.sym.ascii {
            crate::ui::text::asciify(buf);
        }
        cursor
    }

    /// The status bar's key hints: the open pane's, else the screen's.
    fn current_hints(&self) -> Vec<(String, &'static str)> {
        if let Some(m) = self.modals.last() {
            return m.hints(&self.keymap);
        }
        let ctx = self.context();
        let mut hints = self.keymap.hints(ctx);
        if ctx == Context::Incident {
            let experts = self
                .open_incident()
                .and_then(|id| self.store.incident(id))
                .is_some_and(|e| e.experts);
            if !experts {
                hints.retain(|(_, label)| *label != "notification");
            }
        }
        hints
    }

    /// The toast and input lines, and the row/column of the input cursor among them.
    fn message_lines(&self) -> (Vec<Line<'static>>, Option<(usize, u16)>) {
        let mut lines: Vec<Line<'static>> = Vec::new();
        let mut cursor_line = None;
        if let Some(n) = &self.toast {
            let st = match n.level {
                Level::Info => self.theme.notification,
                Level::Warn => self.theme.warning,
                Level::Error => self.theme.error,
            };
            lines.push(Line::from(sanitize_spans(&n.text, st, self.theme.marker)));
        }
        let Some(input) = &self.input else {
            return (lines, cursor_line);
        };
        let prompt = match input.kind {
            InputKind::Filter { .. } => "/",
            InputKind::Command => ":",
        };
        let mut s = vec![Span::styled(prompt.to_string(), self.theme.key_hint)];
        s.extend(sanitize_spans(
            &input.text,
            self.theme.text,
            self.theme.marker,
        ));
        let w: usize = s.iter().map(|x| x.content.width()).sum();
        cursor_line = Some((lines.len(), w as u16));
        lines.push(Line::from(s));
        if let Some(e) = &input.error {
            let before = input
                .text
                .get(..e.offset.min(input.text.len()))
                .unwrap_or("");
            let col = sanitize(before).width() + 1;
            let mut l = vec![
                Span::raw(" ".repeat(col)),
                Span::styled("^ ", self.theme.error),
            ];
            l.extend(sanitize_spans(
                &e.message,
                self.theme.error,
                self.theme.marker,
            ));
            lines.push(Line::from(l));
            if self.queue.filter_fallback {
                let last = match self.queue.filter_text.as_str() {
                    "" => "(no filter)",
                    t => t,
                };
                let mut l = vec![Span::styled(
                    "  showing results of the last valid filter: ",
                    self.theme.warning,
                )];
                l.extend(sanitize_spans(last, self.theme.key_hint, self.theme.marker));
                lines.push(Line::from(l));
            }
        }
        (lines, cursor_line)
    }

    /// Draws the page, the toast, input and status lines; returns the input cursor and the
    /// page body (where panes draw).
    pub(super) fn render_base(&mut self, area: Rect, buf: &mut Buffer) -> (Option<Position>, Rect) {
        self.ensure_view();
        if area.height == 0 || area.width == 0 {
            return (None, area);
        }
        let (mut bottom, cursor_line) = self.message_lines();
        let status = status_bar::status_line(
            &StatusData {
                sync: &self.sync,
                profile: &self.profile_label,
                read_only: self.read_only,
                now: self.now,
                spinner_frame: self.spinner,
                pending_writes: self.counts.pending_writes,
            },
            &self.theme,
            self.sym,
        );
        bottom.push(status);
        bottom.push(status_bar::hints_line(&self.current_hints(), &self.theme));
        let bottom_h = (bottom.len() as u16).min(area.height);
        let body = Rect {
            x: area.x,
            y: area.y,
            width: area.width,
            height: area.height - bottom_h,
        };
        let first_bottom = area.y + body.height;
        for (i, l) in bottom.iter().take(bottom_h as usize).enumerate() {
            crate::ui::text::set_line_cut(buf, area.x, first_bottom + i as u16, l, area.width);
        }
        self.render_page(body, buf);
        let cursor = cursor_line.map(|(row, col)| Position {
            x: area.x + col.min(area.width - 1),
            y: first_bottom + row as u16,
        });
        (cursor, body)
    }

    /// Draws the top page (the queue when none is open) and remembers its viewport.
    fn render_page(&mut self, body: Rect, buf: &mut Buffer) {
        let ctx = PageCtx {
            store: &self.store,
            theme: &self.theme,
            sym: self.sym,
            now: self.now,
        };
        if self.pages.is_empty() {
            if body.height == 0 {
                return;
            }
            let frame = QueueFrame {
                counts: &self.counts,
                typing_filter: self.input.is_some(),
                loading: self.store.is_empty()
                    && matches!(self.sync.phase, Phase::Starting | Phase::InitialLoad),
            };
            let rows = self.queue.render(&ctx, &frame, body, buf);
            self.view.rows = rows.max(1);
            return;
        }
        let crumb = pages::breadcrumb(&self.pages, &self.theme);
        let Some(top) = self.pages.last_mut() else {
            return;
        };
        self.view = top.render(&ctx, &crumb, body, buf);
    }
}
