//! The host side of the overlays: opening and filling the full-screen ones (help `?`, notice
//! history `N`; `ui/overlay_screens.rs` draws them and takes their keys) and what a pane's
//! [`Outcome`] means for the console (`overlay_done`, `apply_outcome`).

use super::{App, Effect, Level};
use crate::ui::experts_ui::NotificationView;
use crate::ui::overlay::{Outcome, Overlay, Tone};
use crate::ui::overlay_screens::{ScrollKind, ScrollView};
use crate::ui::sanitize::sanitize_spans;
use crate::ui::views::help;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

impl App {
    /// Opens the help over the page and any pane (`?`, F1, `:help`).
    pub(super) fn open_help(&mut self) {
        self.screen = Some(Box::new(ScrollView::new(
            ScrollKind::Help,
            self.context(),
            0,
        )));
    }

    /// Opens the notice history, scrolled to the newest line (`N`).
    pub(super) fn open_notices(&mut self) {
        let scroll = self.notice_history.len().saturating_sub(1);
        self.screen = Some(Box::new(ScrollView::new(
            ScrollKind::Notices,
            self.context(),
            scroll,
        )));
    }

    /// True while the full-screen list of this kind is open.
    pub(super) fn screen_is(&self, kind: ScrollKind) -> bool {
        self.screen
            .as_ref()
            .and_then(|s| s.downcast_ref::<ScrollView>())
            .is_some_and(|v| v.kind() == kind)
    }

    /// Brings the open help or notice history up to date before a draw (new notices, the pane
    /// beneath).
    pub(super) fn refresh_screen(&mut self) {
        let kind = match self
            .screen
            .as_ref()
            .and_then(|s| s.downcast_ref::<ScrollView>())
        {
            Some(v) => v.kind(),
            None => return,
        };
        let (lines, title) = match kind {
            ScrollKind::Help => self.help_content(),
            ScrollKind::Notices => (
                self.notice_lines(),
                format!("Notices this session ({})", self.notice_history.len()),
            ),
        };
        if let Some(v) = self
            .screen
            .as_mut()
            .and_then(|s| s.downcast_mut::<ScrollView>())
        {
            v.set_content(title, lines);
        }
    }

    /// After the full-screen overlay (taken out of its slot) answered a key.
    pub(super) fn screen_done(&mut self, top: Box<dyn Overlay>, outcome: Outcome) -> Vec<Effect> {
        if !outcome.closes() {
            self.screen = Some(top);
        }
        outcome
            .flatten()
            .into_iter()
            .flat_map(|o| self.apply_outcome(o))
            .collect()
    }

    /// The help overlay's lines: the open pane's keys first, then the screen's.
    fn help_content(&self) -> (Vec<Line<'static>>, String) {
        let ctx = self.context();
        let mut lines = Vec::new();
        let mut title = format!("Keys: {}", ctx.name());
        if let Some(m) = self.modals.last() {
            title = format!("Keys: {}", m.name());
            let hints = m.hints(&self.keymap);
            let w = hints
                .iter()
                .map(|(k, _)| k.width())
                .max()
                .unwrap_or(0)
                .min(24);
            for (k, d) in hints {
                lines.push(Line::from(vec![
                    Span::styled(format!("{k:<w$}"), self.theme.key_hint),
                    Span::raw("  "),
                    Span::styled(d.to_string(), self.theme.text),
                ]));
            }
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                format!("Under the pane ({}), after it closes:", ctx.name()),
                self.theme.muted,
            )));
        }
        lines.extend(help::help_lines(&self.keymap, ctx, &self.theme));
        (lines, title)
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
            Outcome::Quit => {
                self.flush_drafts();
                vec![Effect::Quit]
            }
            experts => self.experts_outcome(experts),
        }
    }
}
