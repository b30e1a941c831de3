//! Drawing and key hints of the compose pane.

use super::{AskExpertsPane, Focus, MsgKind, channel_label, reply_addresses, template_items};
use crate::experts::{fill, templates};
use crate::ui::action::Action;
use crate::ui::experts_ui::common::{centered, clip, clip_span, scroll_to, wrap};
use crate::ui::keymap::{Context, Keymap, PaneHint};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui_textarea::TextArea;

/// The answers to "send to Defender Experts…?" (context [`Context::Ask`]).
const CONFIRM_HINTS: &[PaneHint] = &[
    (&[Action::Yes], "y", "send"),
    (&[Action::No, Action::Back], "n/esc", "back to the editor"),
];

/// The key line drawn under the fields while there is no message (context [`Context::Ask`]).
const DRAWN_HINTS: &[PaneHint] = &[
    (&[Action::Send], "ctrl-s", "send"),
    (&[Action::Templates], "ctrl-t", "templates"),
    (&[Action::NextField], "tab", "next field"),
    (&[Action::Back], "esc", "close (draft kept)"),
];

/// The keys in the template chooser's title (context [`Context::Templates`]).
const CHOOSER_HINTS: &[PaneHint] = &[
    (&[Action::Open], "enter", "inserts at the top"),
    (&[Action::Back], "esc", "back"),
];

impl AskExpertsPane {
    /// Key hints for the current state, with the default bindings.
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        self.hints_in(Keymap::defaults())
    }

    /// Key hints for the current state, naming the keys `keymap` binds.
    pub fn hints_in(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        use Action as A;
        if self.chooser.is_some() {
            return keymap.pane_hints(
                Context::Templates,
                &[
                    (&[A::MoveUp, A::MoveDown], "↑/↓", "choose"),
                    (&[A::Open], "enter", "insert"),
                    (&[A::Back], "esc", "back"),
                ],
            );
        }
        if self.confirm_final {
            return keymap.pane_hints(Context::Ask, CONFIRM_HINTS);
        }
        let send = if self.confirm_send {
            "send anyway"
        } else {
            "send"
        };
        let mut h = keymap.pane_hints(
            Context::Ask,
            &[
                (&[A::Send], "ctrl-s", send),
                (&[A::Templates], "ctrl-t", "templates"),
                (&[A::NextField], "tab", "next field"),
            ],
        );
        h.extend(match self.focus {
            Focus::Channels => keymap.pane_hints(
                Context::Ask,
                &[(&[A::ToggleSelect], "space", "toggle channel")],
            ),
            _ => vec![("ctrl-z/ctrl-y".to_string(), "undo/redo")],
        });
        h.extend(keymap.pane_hints(Context::Ask, &[(&[A::Back], "esc", "close (draft kept)")]));
        h
    }

    /// Draws the pane with the default bindings in its key lines.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        self.render_in(f, area, theme, Keymap::defaults())
    }

    /// Draws the pane, its key lines naming the keys `keymap` binds.
    pub fn render_in(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        f.render_widget(Clear, area);
        let outer = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus)
            .title(Span::styled(" Ask Defender Experts ", theme.experts));
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        if inner.width < 10 || inner.height < 8 {
            f.render_widget(Paragraph::new("(too small)").style(theme.muted), inner);
            return;
        }
        let w = inner.width as usize;
        let rows = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .split(inner);

        let label = self.topic.label();
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("Topic: ", theme.header),
                clip_span(&label, w.saturating_sub(7), theme.title),
            ])),
            rows[0],
        );
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("Link:  ", theme.muted),
                clip_span(&self.portal_link, w.saturating_sub(7), theme.muted),
            ])),
            rows[1],
        );

        let total = self.composed_text().chars().count();
        let body_title = format!(
            " Question · {} chars · {} with context ",
            self.body_chars(),
            total
        );
        self.render_editor(f, rows[2], theme, &self.body, Focus::Body, &body_title);
        self.render_editor(
            f,
            rows[3],
            theme,
            &self.context,
            Focus::Context,
            " Context (sent with the question; editable) ",
        );
        self.render_reply(f, rows[4], theme);
        self.render_channels(f, rows[5], theme);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("Credits:  ", theme.header),
                clip_span(&self.credit_summary, w.saturating_sub(10), theme.muted),
            ])),
            rows[6],
        );
        let msg = match &self.message {
            Some((kind, m)) => {
                let style = match kind {
                    MsgKind::Info => theme.ok,
                    MsgKind::Warning => theme.warning,
                    MsgKind::Error => theme.error,
                };
                Line::from(clip_span(m, w, style))
            }
            None => Line::from(clip_span(
                &keymap.pane_line(Context::Ask, DRAWN_HINTS),
                w,
                theme.key_hint,
            )),
        };
        f.render_widget(Paragraph::new(msg), rows[7]);

        if self.confirm_final
            && let Some((_, question)) = &self.message
        {
            self.render_send_confirm(f, inner, theme, question, keymap);
        }
        if let Some(sel) = self.chooser {
            let r = rows[2].union(rows[3]);
            self.render_chooser(f, r, theme, sel, keymap);
        }
    }

    fn render_send_confirm(
        &self,
        f: &mut Frame,
        area: Rect,
        theme: &Theme,
        question: &str,
        keymap: &Keymap,
    ) {
        let bw = area.width.min(70);
        let mut body: Vec<Line> = wrap(question, bw.saturating_sub(2) as usize)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.text)))
            .collect();
        body.push(Line::from(""));
        let mut keys = Vec::new();
        for (i, (k, what)) in keymap
            .pane_hints(Context::Ask, CONFIRM_HINTS)
            .into_iter()
            .enumerate()
        {
            let sep = if i + 1 < CONFIRM_HINTS.len() {
                " · "
            } else {
                ""
            };
            keys.push(Span::styled(k, theme.key_hint));
            keys.push(Span::styled(format!(" {what}{sep}"), theme.text));
        }
        body.push(Line::from(keys));
        let r = centered(area, bw, body.len() as u16 + 2);
        f.render_widget(Clear, r);
        f.render_widget(
            Paragraph::new(body).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.warning)
                    .title(Span::styled(" Send inquiry ", theme.warning)),
            ),
            r,
        );
    }

    fn render_editor(
        &self,
        f: &mut Frame,
        area: Rect,
        theme: &Theme,
        t: &TextArea<'static>,
        which: Focus,
        title: &str,
    ) {
        let focused = self.focus == which && self.chooser.is_none();
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if focused {
                theme.border_focus
            } else {
                theme.border
            })
            .title(Span::styled(
                clip(title, area.width.saturating_sub(2) as usize),
                if focused { theme.title } else { theme.muted },
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(t, inner);
    }

    fn render_reply(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let (ok, bad) = reply_addresses(&self.reply_to_text());
        let status = if !bad.is_empty() {
            Span::styled(format!(" ✗ {} invalid", bad.len()), theme.error)
        } else if ok.is_empty() {
            Span::styled(" (none)", theme.muted)
        } else {
            Span::styled(" ✓", theme.ok)
        };
        let status_w = status.width() as u16;
        let cols = Layout::horizontal([
            Constraint::Length(10),
            Constraint::Fill(1),
            Constraint::Length(status_w),
        ])
        .split(area);
        let focused = self.focus == Focus::ReplyTo && self.chooser.is_none();
        f.render_widget(
            Paragraph::new(Span::styled(
                "Reply to: ",
                if focused {
                    theme.border_focus.add_modifier(Modifier::BOLD)
                } else {
                    theme.header
                },
            )),
            cols[0],
        );
        f.render_widget(&self.reply, cols[1]);
        f.render_widget(Paragraph::new(status), cols[2]);
    }

    fn render_channels(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let focused = self.focus == Focus::Channels && self.chooser.is_none();
        let mut spans = vec![Span::styled(
            "Channels: ",
            if focused {
                theme.border_focus.add_modifier(Modifier::BOLD)
            } else {
                theme.header
            },
        )];
        if self.channels.is_empty() {
            spans.push(Span::styled(
                "none configured (set experts.channels)",
                theme.warning,
            ));
        }
        for (i, (c, on)) in self.channels.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("  "));
            }
            let text = format!("[{}] {}", if *on { 'x' } else { ' ' }, channel_label(*c));
            let style = if focused && i == self.channel_cursor {
                theme.selection
            } else if *on {
                theme.text
            } else {
                theme.muted
            };
            spans.push(Span::styled(text, style));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn render_chooser(
        &self,
        f: &mut Frame,
        area: Rect,
        theme: &Theme,
        sel: usize,
        keymap: &Keymap,
    ) {
        let area = centered(area, area.width, area.height);
        f.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus)
            .title(Span::styled(
                format!(
                    " Templates · {} ",
                    keymap.pane_line(Context::Templates, CHOOSER_HINTS)
                ),
                theme.title,
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height == 0 {
            return;
        }
        let w = inner.width as usize;
        let items = template_items();
        let filled: Vec<String> = items.iter().map(|(_, t)| fill(t, &self.vars)).collect();
        let mut lines: Vec<Line> = Vec::new();
        let mut sel_row = 0usize;
        let mut last_group = usize::MAX;
        for (i, (g, _)) in items.iter().enumerate() {
            if *g != last_group {
                last_group = *g;
                let title = templates().get(*g).map(|g| g.title).unwrap_or("");
                lines.push(Line::from(clip_span(title, w, theme.header)));
            }
            if i == sel {
                sel_row = lines.len();
            }
            let (mark, style) = if i == sel {
                ("▶ ", theme.selection)
            } else {
                ("  ", theme.text)
            };
            lines.push(Line::from(vec![
                Span::styled(mark, style),
                clip_span(&filled[i], w.saturating_sub(2), style),
            ]));
        }
        let preview_h = if inner.height >= 10 { 4 } else { 0 };
        let parts =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(preview_h)]).split(inner);
        let list_h = parts[0].height as usize;
        let top = scroll_to(self.chooser_scroll.get(), sel_row, 1, list_h);
        // Show the group heading with the first item of a group when scrolling up.
        let top = if top == sel_row && sel_row > 0 && lines.len() > list_h {
            top.saturating_sub(1)
        } else {
            top
        };
        self.chooser_scroll.set(top);
        let shown: Vec<Line> = lines.into_iter().skip(top).take(list_h).collect();
        f.render_widget(Paragraph::new(shown), parts[0]);
        if preview_h > 0
            && let Some(text) = filled.get(sel)
        {
            let mut pv = vec![Line::from(Span::styled("─".repeat(w), theme.border))];
            pv.extend(
                wrap(text, w)
                    .into_iter()
                    .take(preview_h as usize - 1)
                    .map(|r| Line::from(Span::styled(r, theme.text))),
            );
            f.render_widget(Paragraph::new(pv), parts[1]);
        }
    }
}
