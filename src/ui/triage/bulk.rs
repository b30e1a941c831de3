//! Per-item results of a bulk run: "12 done, 1 failed, 37 pending", with retry of the failures.

use super::widgets::{centered, draw_lines, is_release, modal, row, scroll_start};
use crate::sync::messages::{OpId, WriteOp};
use crate::ui::action::Action;
use crate::ui::keymap::{Context, Keymap, PaneHint};
use crate::ui::overlay::Outcome;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

/// The state of one write of the run.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemResult {
    Pending,
    Done,
    /// The service refused it (message as reported).
    Failed(String),
}

#[derive(Clone, Debug)]
struct Item {
    op: OpId,
    incident_id: String,
    description: String,
    write: Option<WriteOp>,
    result: ItemResult,
}

/// The result list. `R` re-submits the failed writes, Esc/q closes.
#[derive(Clone, Debug)]
pub struct BulkResults {
    items: Vec<Item>,
    cursor: usize,
    message: Option<String>,
}

impl BulkResults {
    /// One row per `(op, incident id, description)`, all pending. Retrying needs the writes:
    /// see [`with_writes`](Self::with_writes) / [`from_writes`](Self::from_writes).
    pub fn new(items: Vec<(OpId, String, String)>) -> Self {
        BulkResults {
            items: items
                .into_iter()
                .map(|(op, incident_id, description)| Item {
                    op,
                    incident_id,
                    description,
                    write: None,
                    result: ItemResult::Pending,
                })
                .collect(),
            cursor: 0,
            message: None,
        }
    }

    /// Attaches the original writes (by op id) so failures can be re-sent.
    pub fn with_writes(mut self, writes: Vec<(OpId, WriteOp)>) -> Self {
        for (op, w) in writes {
            if let Some(it) = self.items.iter_mut().find(|i| i.op == op) {
                it.write = Some(w);
            }
        }
        self
    }

    /// Rows built from the writes themselves (description from `describe`).
    pub fn from_writes(
        writes: Vec<(OpId, WriteOp)>,
        describe: impl Fn(&WriteOp) -> String,
    ) -> Self {
        let items = writes
            .iter()
            .map(|(op, w)| {
                let id = match w.target() {
                    crate::sync::messages::Target::Incident(i)
                    | crate::sync::messages::Target::Alert(i) => i,
                };
                (*op, id, describe(w))
            })
            .collect();
        Self::new(items).with_writes(writes)
    }

    /// Records the outcome of one write (unknown ops are ignored).
    pub fn record(&mut self, op: OpId, result: ItemResult) {
        if let Some(it) = self.items.iter_mut().find(|i| i.op == op) {
            it.result = result;
        }
    }

    /// After a retry the host queues the re-sent writes under new op ids: map old → new so
    /// later [`record`](Self::record) calls land on the right rows. The row becomes pending.
    pub fn rebind(&mut self, old: OpId, new: OpId) {
        if let Some(it) = self.items.iter_mut().find(|i| i.op == old) {
            it.op = new;
            it.result = ItemResult::Pending;
        }
    }

    /// `(done, failed, pending)`.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for it in &self.items {
            match it.result {
                ItemResult::Done => c.0 += 1,
                ItemResult::Failed(_) => c.1 += 1,
                ItemResult::Pending => c.2 += 1,
            }
        }
        c
    }

    /// "12 done, 1 failed, 37 pending".
    pub fn summary(&self) -> String {
        let (d, f, p) = self.counts();
        format!("{d} done, {f} failed, {p} pending")
    }

    /// True when nothing is pending.
    pub fn is_finished(&self) -> bool {
        self.counts().2 == 0
    }

    /// Op ids and writes of the failed rows that can be re-sent, in row order (the order of
    /// the `Submit` that `R` produces).
    pub fn failed_writes(&self) -> Vec<(OpId, WriteOp)> {
        self.items
            .iter()
            .filter(|i| matches!(i.result, ItemResult::Failed(_)))
            .filter_map(|i| i.write.clone().map(|w| (i.op, w)))
            .collect()
    }

    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// A key with the default bindings.
    pub fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        self.handle_key_in(key, Keymap::defaults())
    }

    /// A key, resolved through `keymap` (context [`Context::Bulk`]).
    pub fn handle_key_in(&mut self, key: KeyEvent, keymap: &Keymap) -> Outcome {
        if is_release(&key) {
            return Outcome::Stay;
        }
        let len = self.items.len();
        match keymap.lookup(Context::Bulk, &key) {
            Some(Action::Back) => return Outcome::Close,
            Some(Action::RetryFailed) => {
                let ops: Vec<WriteOp> = self.failed_writes().into_iter().map(|(_, w)| w).collect();
                if ops.is_empty() {
                    self.message = Some("no failed writes to retry".into());
                    return Outcome::Stay;
                }
                self.message = None;
                return Outcome::Submit(ops);
            }
            Some(Action::MoveDown) if self.cursor + 1 < len => self.cursor += 1,
            Some(Action::MoveUp) => self.cursor = self.cursor.saturating_sub(1),
            Some(Action::PageDown) => self.cursor = (self.cursor + 10).min(len.saturating_sub(1)),
            Some(Action::PageUp) => self.cursor = self.cursor.saturating_sub(10),
            Some(Action::Top) => self.cursor = 0,
            Some(Action::Bottom) => self.cursor = len.saturating_sub(1),
            _ => {}
        }
        Outcome::Stay
    }

    /// Nothing to paste into.
    pub fn handle_paste(&mut self, _text: &str) {}

    /// The hints with the default bindings.
    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        self.hint_table()
            .into_iter()
            .map(|(_, k, d)| (k, d))
            .collect()
    }

    /// The hints with the keys `keymap` binds.
    pub fn hints_in(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        keymap.pane_hints(Context::Bulk, &self.hint_table())
    }

    fn hint_table(&self) -> Vec<PaneHint> {
        let mut h: Vec<PaneHint> = vec![(&[Action::MoveDown, Action::MoveUp], "j/k", "scroll")];
        if self.counts().1 > 0 {
            h.push((&[Action::RetryFailed], "R", "retry failed"));
        }
        h.push((&[Action::Back], "Esc", "close"));
        h
    }

    /// Draws the list centred in `area`, with the default bindings in its hints.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        self.render_in(f, area, theme, Keymap::defaults())
    }

    /// Draws the list centred in `area`, its hints naming the keys `keymap` binds.
    pub fn render_in(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        let rect = centered(area, 76, self.items.len() as u16 + 5);
        let title = format!("Bulk update: {}", self.summary());
        let hints = self.hints_in(keymap);
        let hints: Vec<(&str, &str)> = hints.iter().map(|(k, d)| (k.as_str(), *d)).collect();
        let inner = modal(f, rect, &title, &hints, theme);
        if inner.height == 0 {
            return;
        }
        let width = inner.width as usize;
        let list_h = inner.height.saturating_sub(2) as usize;
        let start = scroll_start(self.cursor, list_h, self.items.len());
        let mut lines = Vec::new();
        for (i, it) in self.items.iter().enumerate().skip(start).take(list_h) {
            let (mark, style, err) = match &it.result {
                ItemResult::Done => ("✓ ", theme.ok, String::new()),
                ItemResult::Failed(m) => ("✗ ", theme.error, format!(" — {m}")),
                ItemResult::Pending => ("○ ", theme.pending, String::new()),
            };
            let sel = if i == self.cursor { "› " } else { "  " };
            let id = format!("#{} ", it.incident_id);
            lines.push(row(
                &[
                    (sel, theme.text),
                    (mark, style),
                    (&id, theme.text),
                    (&it.description, theme.text),
                    (&err, theme.error),
                ],
                width,
            ));
        }
        while lines.len() < list_h {
            lines.push(row(&[("", theme.text)], width));
        }
        lines.push(row(&[("", theme.text)], width));
        let footer = match &self.message {
            Some(m) => row(&[(m.as_str(), theme.warning)], width),
            None => row(&[(self.summary().as_str(), theme.muted)], width),
        };
        lines.push(footer);
        draw_lines(f, inner, lines);
    }
}
