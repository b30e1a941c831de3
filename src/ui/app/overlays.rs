//! Keys and lines of the full-screen overlays: the help (`?`) and the notice history (`N`);
//! what a pane's [`Outcome`] means for the console (`overlay_done`).
//! Both close on Esc, `q` or their own key and swallow every other key, so nothing acts on the
//! page beneath while they are open.

use super::{App, Effect, FullScreen, Level};
use crate::ui::action::Action;
use crate::ui::experts_ui::NotificationView;
use crate::ui::overlay::{Outcome, Overlay, Tone};
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
    ) -> FullScreen {
        self.dirty = true;
        let same = |scroll: usize| match opened_by {
            Action::Notices => FullScreen::Notices { scroll },
            _ => FullScreen::Help { scroll },
        };
        let action = self.keymap.lookup(self.context(), &key);
        let closes = matches!(
            key.code,
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?')
        ) || action == Some(opened_by);
        if closes {
            return FullScreen::None;
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

impl App {
    /// After the top pane (taken off the stack) answered a key: puts it back unless the
    /// outcome closes it, then carries the outcome out.
    pub(super) fn overlay_done(&mut self, top: Box<dyn Overlay>, outcome: Outcome) -> Vec<Effect> {
        if !outcome.closes() {
            self.modals.push(top);
        } else if top.is::<NotificationView>() {
            self.experts.notification_for = None;
        }
        let mut effects = Vec::new();
        for o in outcome.flatten() {
            effects.extend(self.apply_outcome(o));
        }
        self.refresh_experts_modals();
        effects
    }

    /// What one outcome of a pane means for the console: writes, drafts, messages, effects.
    fn apply_outcome(&mut self, o: Outcome) -> Vec<Effect> {
        match o {
            Outcome::Stay | Outcome::Close | Outcome::Yes | Outcome::No | Outcome::Many(_) => {
                Vec::new()
            }
            Outcome::Submit(ops) => self.submit_writes(ops),
            Outcome::SubmitComment { target, text, ops } => self.submit_comment(target, text, ops),
            Outcome::CloseComment { target, draft } => {
                match draft {
                    Some(text) => {
                        self.keep_comment_draft(&target, &text);
                        self.notify(Level::Info, "Comment draft kept: m reopens it");
                    }
                    None => self.drop_comment_draft(&target),
                }
                Vec::new()
            }
            Outcome::DropCommentDraft(target) => {
                self.drop_comment_draft(&target);
                Vec::new()
            }
            Outcome::RetryWrites(failed) => self.retry_bulk_writes(failed),
            Outcome::Notify(tone, text) => {
                let level = match tone {
                    Tone::Info => Level::Info,
                    Tone::Warn => Level::Warn,
                };
                self.notify(level, text);
                Vec::new()
            }
            Outcome::Effects(effects) => effects,
            experts => self.experts_outcome(experts),
        }
    }
}
