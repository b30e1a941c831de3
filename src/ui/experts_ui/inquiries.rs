//! Drafts and sent inquiries with their per-channel delivery state.

use super::common::{clip, clip_span, is_press, scroll_to, wrapped_lines};
use crate::experts::{Channel, DeliveryStatus, Draft, Inquiry};
use crate::graph::model::Timestamp;
use crate::sync::writer::MAIL_OUTCOME_UNKNOWN;
use crate::ui::action::Action;
use crate::ui::keymap::{Context, Keymap, PaneHint};
use crate::ui::overlay::Outcome;
use crate::ui::theme::Theme;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use std::cell::Cell;

#[derive(Clone, Debug)]
enum Row {
    Draft(Draft),
    Inquiry(Inquiry),
}

/// The list's hints (the key line under it leaves out the first).
const LIST_HINTS: &[PaneHint] = &[
    (&[Action::MoveUp, Action::MoveDown], "↑/↓", "select"),
    (&[Action::Open], "enter", "open draft"),
    (&[Action::RetryFailed], "R", "retry failed"),
    (&[Action::DeleteDraft], "d", "delete draft"),
    (&[Action::Back], "esc", "close"),
];

/// The hints while "delete this draft?" is asked.
const CONFIRM_HINTS: &[PaneHint] = &[
    (&[Action::Yes], "y", "delete draft"),
    (&[], "any key", "keep"),
];

/// The list: drafts first (newest first), then inquiries (newest first).
#[derive(Debug)]
pub struct InquiriesList {
    rows: Vec<Row>,
    selected: usize,
    /// Draft key waiting for the delete confirmation.
    confirm_delete: Option<String>,
    /// Inquiry whose mail of unknown outcome is re-sent on a second `R`.
    confirm_resend: Option<String>,
    message: Option<String>,
    scroll: Cell<usize>,
}

/// `2026-01-22 10:05` (UTC).
fn short_time(t: &Timestamp) -> String {
    t.0.strftime("%Y-%m-%d %H:%M").to_string()
}

fn channel_name(c: Channel) -> &'static str {
    match c {
        Channel::Email => "email",
        Channel::IncidentComment => "comment",
        Channel::Portal => "portal",
    }
}

fn has_failed(inq: &Inquiry) -> bool {
    inq.deliveries
        .iter()
        .any(|(_, s)| matches!(s, DeliveryStatus::Failed { .. }))
}

fn pending_in_outbox(inq: &Inquiry) -> usize {
    inq.deliveries
        .iter()
        .filter(|(_, s)| s.outbox_op().is_some())
        .count()
}

/// A failed mail whose outcome is unknown (it may be in Sent Items): re-sent only when the
/// analyst confirms.
fn outcome_unknown(inq: &Inquiry) -> bool {
    inq.deliveries.iter().any(|(_, s)| {
        matches!(s, DeliveryStatus::Failed { reason, .. } if reason.contains(MAIL_OUTCOME_UNKNOWN))
    })
}

/// The overall state label of an inquiry and its style.
fn overall(inq: &Inquiry, theme: &Theme) -> (&'static str, Style) {
    let all_sent = !inq.deliveries.is_empty()
        && inq
            .deliveries
            .iter()
            .all(|(_, s)| matches!(s, DeliveryStatus::Sent { .. }));
    if has_failed(inq) {
        ("FAILED", theme.error)
    } else if all_sent {
        ("SENT  ", theme.ok)
    } else if inq.deliveries.iter().any(|(_, s)| {
        matches!(
            s,
            DeliveryStatus::Queued | DeliveryStatus::Draft | DeliveryStatus::Pending { .. }
        )
    }) {
        ("QUEUED", theme.pending)
    } else {
        ("—     ", theme.muted)
    }
}

/// `email: sent 2026-01-22 10:05`, `comment: failed (reason)`, `portal: queued`.
fn delivery_text(c: Channel, s: &DeliveryStatus) -> String {
    match s {
        DeliveryStatus::Draft => format!("{}: draft", channel_name(c)),
        DeliveryStatus::Queued => format!("{}: queued", channel_name(c)),
        DeliveryStatus::Pending { note: None, .. } => format!("{}: sending", channel_name(c)),
        DeliveryStatus::Pending { note: Some(n), .. } => {
            format!(
                "{}: pending in the outbox, last error: {n}",
                channel_name(c)
            )
        }
        DeliveryStatus::Sent { at } => format!("{}: sent {}", channel_name(c), short_time(at)),
        DeliveryStatus::Failed { reason, .. } => {
            format!("{}: failed ({})", channel_name(c), reason)
        }
    }
}

impl InquiriesList {
    /// A list of `drafts` (as from `DraftStore::list`) and `inquiries` (`InquiryStore::list`).
    pub fn new(drafts: Vec<Draft>, inquiries: Vec<Inquiry>) -> InquiriesList {
        let mut l = InquiriesList {
            rows: Vec::new(),
            selected: 0,
            confirm_delete: None,
            confirm_resend: None,
            message: None,
            scroll: Cell::new(0),
        };
        l.set_data(drafts, inquiries);
        l
    }

    /// Replaces the content, keeping the selected draft or inquiry where it still exists.
    pub fn set_data(&mut self, mut drafts: Vec<Draft>, mut inquiries: Vec<Inquiry>) {
        let key = self.selected_key();
        drafts.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.key.cmp(&b.key)));
        inquiries.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        self.rows = drafts
            .into_iter()
            .map(Row::Draft)
            .chain(inquiries.into_iter().map(Row::Inquiry))
            .collect();
        let found = key.and_then(|k| self.rows.iter().position(|r| row_key(r) == k));
        self.selected = found.unwrap_or(self.selected.min(self.rows.len().saturating_sub(1)));
        // A pending "delete this draft?" survives a refresh while the draft still exists.
        let still_there = |k: &String| {
            self.rows
                .iter()
                .any(|r| matches!(r, Row::Draft(d) if &d.key == k))
        };
        if !self.confirm_delete.as_ref().is_some_and(still_there) {
            self.confirm_delete = None;
        }
    }

    fn selected_key(&self) -> Option<String> {
        self.rows.get(self.selected).map(row_key)
    }

    /// Number of rows (drafts + inquiries).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no drafts and no inquiries.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Index of the selected row.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// True while a draft deletion waits for `y`.
    pub fn confirming_delete(&self) -> bool {
        self.confirm_delete.is_some()
    }

    /// The status line text, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Pastes are ignored.
    pub fn handle_paste(&mut self, _text: &str) {}

    /// Handles one key with the default bindings.
    pub fn handle_key(&mut self, key: KeyEvent, now: Timestamp) -> Outcome {
        self.handle_key_in(key, now, Keymap::defaults())
    }

    /// Handles one key, resolved through `keymap` (context [`Context::Inquiries`]).
    pub fn handle_key_in(&mut self, key: KeyEvent, _now: Timestamp, keymap: &Keymap) -> Outcome {
        if !is_press(&key) {
            return Outcome::Stay;
        }
        let action = keymap.lookup(Context::Inquiries, &key);
        if action != Some(Action::RetryFailed) {
            self.confirm_resend = None;
        }
        if let Some(k) = self.confirm_delete.take() {
            if action == Some(Action::Yes) {
                self.rows
                    .retain(|r| !matches!(r, Row::Draft(d) if d.key == k));
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
                self.message = Some("Draft deleted.".into());
                return Outcome::DeleteDraft(k);
            }
            self.message = Some("Draft kept.".into());
            return Outcome::Stay;
        }
        let n = self.rows.len();
        let Some(action) = action else {
            return Outcome::Stay;
        };
        match action {
            Action::Back => return Outcome::Close,
            Action::MoveDown => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::MoveUp => self.selected = self.selected.saturating_sub(1),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = n.saturating_sub(1),
            Action::PageDown => self.selected = (self.selected + 5).min(n.saturating_sub(1)),
            Action::PageUp => self.selected = self.selected.saturating_sub(5),
            Action::Open => match self.rows.get(self.selected) {
                Some(Row::Draft(d)) => return Outcome::OpenDraft(d.clone()),
                Some(Row::Inquiry(_)) => {
                    self.message =
                        Some("Sent inquiries cannot be edited; R retries failed deliveries.".into())
                }
                None => {}
            },
            Action::RetryFailed => match self.rows.get(self.selected) {
                Some(Row::Inquiry(i))
                    if outcome_unknown(i)
                        && self.confirm_resend.as_deref() != Some(i.id.as_str()) =>
                {
                    self.confirm_resend = Some(i.id.clone());
                    self.message = Some(
                        "The email may have gone out: check Sent Items first. Press R again to re-send it anyway."
                            .into(),
                    );
                }
                Some(Row::Inquiry(i)) if has_failed(i) => {
                    self.confirm_resend = None;
                    self.message = Some("Retrying the failed deliveries…".into());
                    return Outcome::Retry(i.id.clone());
                }
                Some(Row::Inquiry(i)) => {
                    let n = pending_in_outbox(i);
                    self.message = Some(if n > 0 {
                        format!(
                            "Nothing failed: {n} {} still in the outbox (retried on reconnection; :retry forces it); nothing re-sent.",
                            if n == 1 {
                                "delivery is"
                            } else {
                                "deliveries are"
                            }
                        )
                    } else {
                        "Nothing failed for this inquiry; nothing re-sent.".into()
                    })
                }
                _ => self.message = Some("Select a sent inquiry with failed deliveries.".into()),
            },
            Action::DeleteDraft => match self.rows.get(self.selected) {
                Some(Row::Draft(d)) => {
                    self.confirm_delete = Some(d.key.clone());
                    self.message = None;
                }
                Some(Row::Inquiry(_)) => {
                    self.message = Some("Only drafts can be deleted.".into());
                }
                None => {}
            },
            _ => {}
        }
        Outcome::Stay
    }

    /// Key hints for the current state, with the default bindings.
    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        self.hint_table().iter().map(|(_, k, d)| (*k, *d)).collect()
    }

    /// Key hints for the current state, naming the keys `keymap` binds.
    pub fn hints_in(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        keymap.pane_hints(Context::Inquiries, self.hint_table())
    }

    fn hint_table(&self) -> &'static [PaneHint] {
        if self.confirm_delete.is_some() {
            return CONFIRM_HINTS;
        }
        LIST_HINTS
    }

    /// Draws the list with the default bindings in its key line.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        self.render_in(f, area, theme, Keymap::defaults())
    }

    /// Draws the list; its key line names the keys `keymap` binds.
    pub fn render_in(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        f.render_widget(Clear, area);
        let drafts = self
            .rows
            .iter()
            .filter(|r| matches!(r, Row::Draft(_)))
            .count();
        let sent = self.rows.len() - drafts;
        let title = format!(
            " Ask Defender Experts · {drafts} draft{} · {sent} {} ",
            if drafts == 1 { "" } else { "s" },
            if sent == 1 { "inquiry" } else { "inquiries" }
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus)
            .title(Span::styled(title, theme.experts));
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.width < 10 || inner.height < 3 {
            return;
        }
        let w = inner.width as usize;
        let detail_h = if inner.height >= 14 { 6 } else { 0 };
        let parts = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(detail_h),
            Constraint::Length(1),
        ])
        .split(inner);

        if self.rows.is_empty() {
            f.render_widget(
                Paragraph::new(Line::from(clip_span(
                    "No drafts or inquiries yet. Ask Defender Experts from an incident, alert or device.",
                    w,
                    theme.muted,
                ))),
                parts[0],
            );
        } else {
            let list_h = parts[0].height as usize;
            let top = scroll_to(self.scroll.get(), self.selected * 2, 2, list_h);
            self.scroll.set(top);
            let mut lines: Vec<Line> = Vec::new();
            for (i, r) in self.rows.iter().enumerate() {
                lines.extend(self.row_lines(r, i == self.selected, w, theme));
            }
            let shown: Vec<Line> = lines.into_iter().skip(top).take(list_h).collect();
            f.render_widget(Paragraph::new(shown), parts[0]);
        }

        if detail_h > 0
            && let Some(r) = self.rows.get(self.selected)
        {
            let mut d = vec![Line::from(Span::styled("─".repeat(w), theme.border))];
            d.extend(self.details(r, w, theme));
            d.truncate(detail_h as usize);
            f.render_widget(Paragraph::new(d), parts[1]);
        }

        let status = match (&self.confirm_delete, &self.message) {
            (Some(k), _) => clip_span(
                &format!(
                    "Delete the draft {k}? {}: delete · any other key: keep",
                    keymap
                        .pane_hints(Context::Inquiries, &CONFIRM_HINTS[..1])
                        .into_iter()
                        .map(|(k, _)| k)
                        .collect::<String>()
                ),
                w,
                theme.warning,
            ),
            (None, Some(m)) => clip_span(m, w, theme.ok),
            (None, None) => clip_span(
                &keymap
                    .pane_hints(Context::Inquiries, &LIST_HINTS[1..])
                    .into_iter()
                    .map(|(k, d)| format!("{k} {d}"))
                    .collect::<Vec<_>>()
                    .join(" · "),
                w,
                theme.key_hint,
            ),
        };
        f.render_widget(Paragraph::new(Line::from(status)), parts[2]);
    }

    fn row_lines(&self, r: &Row, selected: bool, w: usize, theme: &Theme) -> Vec<Line<'static>> {
        let mark = if selected { "▶ " } else { "  " };
        let sel = |s: Style| if selected { theme.selection } else { s };
        match r {
            Row::Draft(d) => {
                let head = format!("{} ", short_time(&d.updated));
                let first = d
                    .body
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("(empty)");
                vec![
                    Line::from(vec![
                        Span::styled(mark, sel(theme.text)),
                        Span::styled("DRAFT  ", sel(theme.pending)),
                        Span::styled(head, sel(theme.muted)),
                        clip_span(&d.topic.label(), w.saturating_sub(26), sel(theme.text)),
                    ]),
                    Line::from(clip_span(&format!("         {first}"), w, theme.muted)),
                ]
            }
            Row::Inquiry(inq) => {
                let (label, style) = overall(inq, theme);
                let statuses: Vec<String> = inq
                    .deliveries
                    .iter()
                    .map(|(c, s)| delivery_text(*c, s))
                    .collect();
                let mut spans = vec![Span::raw("         ")];
                let mut left = w.saturating_sub(9);
                for (i, ((_, s), text)) in inq.deliveries.iter().zip(&statuses).enumerate() {
                    if left < 2 {
                        break;
                    }
                    if i > 0 {
                        spans.push(Span::styled(" · ", theme.muted));
                        left = left.saturating_sub(3);
                    }
                    let st = match s {
                        DeliveryStatus::Sent { .. } => theme.ok,
                        DeliveryStatus::Failed { .. } => theme.error,
                        _ => theme.pending,
                    };
                    let t = clip(text, left);
                    left = left.saturating_sub(crate::ui::text::display_width(&t));
                    spans.push(Span::styled(t, st));
                }
                vec![
                    Line::from(vec![
                        Span::styled(mark, sel(theme.text)),
                        Span::styled(format!("{label} "), sel(style)),
                        Span::styled(format!("{} ", short_time(&inq.created)), sel(theme.muted)),
                        clip_span(&inq.topic.label(), w.saturating_sub(26), sel(theme.text)),
                    ]),
                    Line::from(spans),
                ]
            }
        }
    }

    fn details(&self, r: &Row, w: usize, theme: &Theme) -> Vec<Line<'static>> {
        match r {
            Row::Draft(d) => {
                let mut out = vec![Line::from(clip_span(
                    &format!("Draft {} · saved {}", d.key, d.updated),
                    w,
                    theme.header,
                ))];
                out.extend(wrapped_lines(&d.body, w, 0, theme.text));
                out
            }
            Row::Inquiry(inq) => {
                let mut out = vec![Line::from(clip_span(
                    &format!("Inquiry {} · created {}", inq.id, inq.created),
                    w,
                    theme.header,
                ))];
                for (c, s) in &inq.deliveries {
                    let (text, style) = match s {
                        DeliveryStatus::Failed { reason, at } => (
                            format!(
                                "{} failed at {}: {}",
                                channel_name(*c),
                                short_time(at),
                                reason
                            ),
                            theme.error,
                        ),
                        other => (delivery_text(*c, other), theme.text),
                    };
                    out.extend(wrapped_lines(&text, w, 0, style));
                }
                if !inq.reply_to.is_empty() {
                    out.push(Line::from(clip_span(
                        &format!("Reply to: {}", inq.reply_to.join(", ")),
                        w,
                        theme.muted,
                    )));
                }
                out
            }
        }
    }
}

fn row_key(r: &Row) -> String {
    match r {
        Row::Draft(d) => format!("d:{}", d.key),
        Row::Inquiry(i) => format!("i:{}", i.id),
    }
}
