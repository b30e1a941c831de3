//! The triage panes as [`Overlay`]s, and the two confirmations that carry what "yes" does:
//! [`ConflictConfirm`] (a write the server refused as a conflict) and [`WritesConfirm`]
//! (writes held until the analyst agrees).

use super::{AlertManagePane, BulkResults, CommentEditor, ConfirmDialog, ManagePane};
use crate::sync::{Command, OpId, WriteOp};
use crate::ui::action::Action;
use crate::ui::app::Effect;
use crate::ui::keymap::{Context, Keymap};
use crate::ui::overlay::{Outcome, Overlay, OverlayCtx, Tone};
use crate::ui::theme::Theme;
use crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use std::any::Any;

/// The `as_any` pair every overlay repeats.
macro_rules! any_impls {
    () => {
        fn as_any(&self) -> &dyn Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    };
}
pub(crate) use any_impls;

impl Overlay for ManagePane {
    fn name(&self) -> &'static str {
        "Manage incident"
    }
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome {
        self.handle_key_in(key, cx.keymap)
    }
    fn handle_paste(&mut self, text: &str) {
        ManagePane::handle_paste(self, text)
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        self.render_in(f, area, theme, keymap)
    }
    fn hints(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        self.hints_in(keymap)
    }
    fn takes_text(&self) -> bool {
        true
    }
    fn is_dirty(&self) -> bool {
        ManagePane::is_dirty(self)
    }
    any_impls!();
}

impl Overlay for AlertManagePane {
    fn name(&self) -> &'static str {
        "Manage alert"
    }
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome {
        self.handle_key_in(key, cx.keymap)
    }
    fn handle_paste(&mut self, text: &str) {
        AlertManagePane::handle_paste(self, text)
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        self.render_in(f, area, theme, keymap)
    }
    fn hints(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        self.hints_in(keymap)
    }
    fn takes_text(&self) -> bool {
        true
    }
    fn is_dirty(&self) -> bool {
        AlertManagePane::is_dirty(self)
    }
    any_impls!();
}

impl Overlay for CommentEditor {
    fn name(&self) -> &'static str {
        "Comment"
    }
    /// Closing keeps the text as a draft (Esc); only an explicit discard, or no text, drops it.
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome {
        match self.handle_key_in(key, cx.keymap) {
            Outcome::Close => {
                let text = self.text();
                let draft = (!self.is_discarded() && !text.trim().is_empty()).then_some(text);
                Outcome::CloseComment {
                    target: self.target().clone(),
                    draft,
                }
            }
            Outcome::Submit(ops) => Outcome::SubmitComment {
                target: self.target().clone(),
                text: self.text(),
                ops,
            },
            other => other,
        }
    }
    fn handle_paste(&mut self, text: &str) {
        CommentEditor::handle_paste(self, text)
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        self.render_in(f, area, theme, keymap)
    }
    fn hints(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        self.hints_in(keymap)
    }
    fn takes_text(&self) -> bool {
        true
    }
    fn is_dirty(&self) -> bool {
        CommentEditor::is_dirty(self)
    }
    any_impls!();
}

impl Overlay for BulkResults {
    fn name(&self) -> &'static str {
        "Bulk results"
    }
    /// `R` asks the host to send the failed writes again; the list stays open to show them.
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome {
        match self.handle_key_in(key, cx.keymap) {
            Outcome::Submit(_) => Outcome::RetryWrites(self.failed_writes()),
            other => other,
        }
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        self.render_in(f, area, theme, keymap)
    }
    fn hints(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        self.hints_in(keymap)
    }
    any_impls!();
}

/// The conflict dialog of one write: `y` overwrite, `n` discard, `Esc` decide later (the
/// write stays in conflict in the outbox; `:retry` shows the dialog again).
pub struct ConflictConfirm {
    pub dialog: ConfirmDialog,
    op: OpId,
    write: WriteOp,
}

impl ConflictConfirm {
    /// The dialog for write `op` (`write` is what the analyst sent).
    pub fn new(dialog: ConfirmDialog, op: OpId, write: WriteOp) -> Self {
        ConflictConfirm { dialog, op, write }
    }
    /// The outbox entry the dialog decides.
    pub fn op(&self) -> OpId {
        self.op
    }
    /// The write in conflict.
    pub fn write(&self) -> &WriteOp {
        &self.write
    }
}

impl Overlay for ConflictConfirm {
    fn name(&self) -> &'static str {
        "Confirm"
    }
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome {
        let (op, target) = (self.op, self.write.target());
        let later = cx.keymap.lookup(Context::Confirm, &key) == Some(Action::Back);
        if later && key.kind != KeyEventKind::Release {
            return Outcome::Many(vec![
                Outcome::Notify(
                    Tone::Warn,
                    format!("Your change to {target} waits in conflict: :retry to decide"),
                ),
                Outcome::Close,
            ]);
        }
        let (tone, said, command) = match self.dialog.handle_key_in(key, cx.keymap) {
            Outcome::Yes if cx.read_only => (
                Tone::Warn,
                "Read-only profile: changes are disabled".to_string(),
                None,
            ),
            Outcome::Yes => (
                Tone::Info,
                format!("Overwriting the server's values of {target}…"),
                Some(Command::Overwrite { op }),
            ),
            Outcome::No => (
                Tone::Info,
                format!("Kept the server's version of {target}"),
                Some(Command::Discard { op }),
            ),
            other => return other,
        };
        let mut all = vec![Outcome::Notify(tone, said)];
        if let Some(c) = command {
            all.push(Outcome::Effects(vec![Effect::SendCommand(c)]));
        }
        all.push(Outcome::Close);
        Outcome::Many(all)
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        self.dialog.render_in(f, area, theme, keymap)
    }
    fn hints(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        self.dialog.hints_in(keymap)
    }
    any_impls!();
}

/// "What will change — apply?": yes sends the writes, no sends nothing.
pub struct WritesConfirm {
    pub dialog: ConfirmDialog,
    ops: Vec<WriteOp>,
}

impl WritesConfirm {
    /// Asks before sending `ops`.
    pub fn new(dialog: ConfirmDialog, ops: Vec<WriteOp>) -> Self {
        WritesConfirm { dialog, ops }
    }
    /// The writes "yes" sends.
    pub fn ops(&self) -> &[WriteOp] {
        &self.ops
    }
}

impl Overlay for WritesConfirm {
    fn name(&self) -> &'static str {
        "Confirm"
    }
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome {
        match self.dialog.handle_key_in(key, cx.keymap) {
            Outcome::Yes => {
                // A comment's draft is dropped once the outbox holds it.
                let mut all: Vec<Outcome> = self
                    .ops
                    .iter()
                    .filter(|op| matches!(op, WriteOp::CommentIncident { .. }))
                    .map(|op| Outcome::DropCommentDraft(op.target()))
                    .collect();
                all.push(Outcome::Submit(std::mem::take(&mut self.ops)));
                Outcome::Many(all)
            }
            Outcome::No => Outcome::Many(vec![
                Outcome::Notify(Tone::Info, "Nothing was changed".into()),
                Outcome::Close,
            ]),
            other => other,
        }
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        self.dialog.render_in(f, area, theme, keymap)
    }
    fn hints(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        self.dialog.hints_in(keymap)
    }
    any_impls!();
}
