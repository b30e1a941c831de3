//! Keys and lines of the full-screen overlays: the help (`?`) and the notice history (`N`).
//! Both close on Esc, `q` or their own key and swallow every other key, so nothing acts on the
//! page beneath while they are open.

use super::{App, Level, Overlay};
use crate::ui::action::Action;
use crate::ui::sanitize::sanitize_spans;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::text::{Line, Span};

impl App {
    /// A key for the help or notice overlay (`opened_by` is the action that opened it): it
    /// closes on Esc, `q` or its own key (`?` for help), scrolls on the movement keys and
    /// ignores every other key, so nothing acts on the page beneath. Returns the new overlay.
    pub(super) fn overlay_key(
        &mut self,
        key: KeyEvent,
        scroll: usize,
        opened_by: Action,
    ) -> Overlay {
        self.dirty = true;
        let same = |scroll: usize| match opened_by {
            Action::Notices => Overlay::Notices { scroll },
            _ => Overlay::Help { scroll },
        };
        let action = self.keymap.lookup(self.context(), &key);
        let closes = matches!(
            key.code,
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?')
        ) || action == Some(opened_by);
        if closes {
            return Overlay::None;
        }
        match action {
            Some(Action::MoveDown) => same(scroll + 1),
            Some(Action::MoveUp) => same(scroll.saturating_sub(1)),
            Some(Action::PageDown) | Some(Action::HalfPageDown) => same(scroll + 10),
            Some(Action::PageUp) | Some(Action::HalfPageUp) => same(scroll.saturating_sub(10)),
            Some(Action::Top) => same(0),
            _ => same(scroll),
        }
    }

    /// The notice history as overlay lines: time, then the (sanitised) text.
    pub(super) fn notice_lines(&self) -> Vec<Line<'static>> {
        if self.notice_history.is_empty() {
            return vec![Line::from(Span::styled(
                "No notices yet this session",
                self.theme.muted,
            ))];
        }
        self.notice_history
            .iter()
            .map(|n| {
                let st = match n.level {
                    Level::Info => self.theme.text,
                    Level::Warn => self.theme.warning,
                    Level::Error => self.theme.error,
                };
                let mut spans = vec![Span::styled(
                    format!("{:>8}  ", crate::ui::views::relative(self.now, n.at)),
                    self.theme.muted,
                )];
                spans.extend(sanitize_spans(&n.text, st, self.theme.marker));
                Line::from(spans)
            })
            .collect()
    }
}
