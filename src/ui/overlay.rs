//! Everything drawn on top of a page — triage panes, pickers, the comment editor, confirmations,
//! bulk results, the Defender Experts screens — speaks one protocol: the [`Overlay`] trait.
//! An overlay takes a key or a paste against a read-only [`OverlayCtx`] and answers with one
//! [`Outcome`]; it draws itself, gives its key hints and says whether it holds unsaved text.
//! What an outcome means for the console (writes, deliveries, drafts) is decided by the host
//! (`App::modal_key` in `ui/app.rs`, `App::apply_outcome` in `ui/app/overlays.rs`).

use crate::experts::{Draft, Inquiry, TaskStatus};
use crate::graph::model::Timestamp;
use crate::store::Store;
use crate::sync::{Target, WriteOp};
use crate::ui::app::Effect;
use crate::ui::keymap::Keymap;
use crate::ui::theme::Theme;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::any::Any;

/// What an overlay may read while it handles a key: nothing it could change.
pub struct OverlayCtx<'a> {
    /// The local model (incidents, alerts, owners, tags).
    pub store: &'a Store,
    /// The key bindings, panes' contexts included (`[ui] keymap` overrides applied).
    pub keymap: &'a Keymap,
    /// Wall-clock time of the key.
    pub now: Timestamp,
    /// True for a read-only profile (nothing is written).
    pub read_only: bool,
}

/// How serious a message an overlay asks the host to show is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warn,
}

/// What an overlay wants the host to do after a key: the one answer type of every overlay.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Keep the overlay open; nothing for the host (redraw).
    Stay,
    /// Close the overlay without doing anything.
    Close,
    /// Close the overlay and queue these writes (in order).
    Submit(Vec<WriteOp>),
    /// "Yes" to a question (a [`ConfirmDialog`](crate::ui::triage::ConfirmDialog) answer).
    Yes,
    /// "No" to a question.
    No,
    /// Close the comment editor and queue its comment `ops` (the host may widen it to the
    /// queue's selection and ask first, keeping `text` as `target`'s draft meanwhile).
    SubmitComment {
        target: Target,
        text: String,
        ops: Vec<WriteOp>,
    },
    /// Close the comment editor; keep `text` as the target's draft, or drop the draft (`None`).
    CloseComment {
        target: Target,
        draft: Option<String>,
    },
    /// Drop the comment draft of this target (its comment is in the outbox now).
    DropCommentDraft(Target),
    /// Send again these failed writes of the bulk results (the overlay stays open).
    RetryWrites(Vec<(crate::sync::OpId, WriteOp)>),
    /// Show a message on the status line.
    Notify(Tone, String),
    /// Carry out these effects.
    Effects(Vec<Effect>),
    /// Store and deliver this inquiry (channels chosen, every delivery `Queued`); then delete
    /// the draft with the same topic key and close the pane.
    Send(Inquiry),
    /// Copy `text` (made safe by the host) to the clipboard; `what` names it for the status line.
    CopyToClipboard { text: String, what: String },
    /// Persist this draft (`DraftStore::save`).
    SaveDraft(Draft),
    /// Re-queue the failed deliveries of the inquiry with this id and deliver them again.
    Retry(String),
    /// Open the compose pane on this draft.
    OpenDraft(Draft),
    /// Delete the draft with this key (the analyst confirmed).
    DeleteDraft(String),
    /// PATCH the managed-response task's status.
    TaskUpdate { task_id: String, status: TaskStatus },
    /// Run the task's one-click response action (the analyst confirmed).
    TaskExecute { task_id: String },
    /// Re-read the incident with the beta Defender Experts fields.
    LoadBeta { incident_id: String },
    /// Save every draft and quit the console.
    Quit,
    /// Several of the above, in order.
    Many(Vec<Outcome>),
}

impl Outcome {
    /// True when the overlay that answered this is done (the host drops it).
    pub fn closes(&self) -> bool {
        match self {
            Outcome::Close
            | Outcome::Submit(_)
            | Outcome::SubmitComment { .. }
            | Outcome::CloseComment { .. }
            | Outcome::Send(_)
            | Outcome::Quit => true,
            Outcome::Many(all) => all.iter().any(Outcome::closes),
            _ => false,
        }
    }

    /// The outcomes in order, with `Many` flattened.
    pub fn flatten(self) -> Vec<Outcome> {
        match self {
            Outcome::Many(all) => all.into_iter().flat_map(Outcome::flatten).collect(),
            other => vec![other],
        }
    }
}

/// One thing drawn on top of a page. Implemented by every pane and dialog; the host keeps them
/// on one stack (`Vec<Box<dyn Overlay>>`), gives keys to the top one and draws them bottom first.
pub trait Overlay: Any {
    /// A short name for the help overlay's title.
    fn name(&self) -> &'static str;
    /// Handles one key press.
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome;
    /// Inserts bracketed-paste text literally (no key bindings apply). Ignored by default.
    fn handle_paste(&mut self, _text: &str) {}
    /// Where the overlay draws, given the whole screen and the page body: the body by default
    /// (triage panes centre themselves in it); a full-size pane returns [`large_area`] of it.
    fn area(&self, _screen: Rect, body: Rect) -> Rect {
        body
    }
    /// Draws into `area` (what [`Overlay::area`] returned); key hints drawn in the pane name
    /// the keys `keymap` binds.
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap);
    /// Key hints for the status bar and the help: (key, action), keys as `keymap` binds them.
    fn hints(&self, keymap: &Keymap) -> Vec<(String, &'static str)>;
    /// True when printable keys are text for the overlay (so `?` cannot open the help; F1 can).
    fn takes_text(&self) -> bool {
        false
    }
    /// True when closing now would lose something the analyst typed or chose.
    fn is_dirty(&self) -> bool {
        false
    }
    /// For hosts and tests that need the concrete type.
    fn as_any(&self) -> &dyn Any;
    /// For hosts and tests that need the concrete type.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl dyn Overlay {
    /// The overlay as `T`, if it is one.
    pub fn downcast_ref<T: Overlay>(&self) -> Option<&T> {
        self.as_any().downcast_ref::<T>()
    }

    /// The overlay as `T`, if it is one.
    pub fn downcast_mut<T: Overlay>(&mut self) -> Option<&mut T> {
        self.as_any_mut().downcast_mut::<T>()
    }

    /// True when the overlay is a `T`.
    pub fn is<T: Overlay>(&self) -> bool {
        self.as_any().is::<T>()
    }
}

/// Turns fixed hints into the owned form [`Overlay::hints`] returns.
pub fn owned_hints(h: Vec<(&'static str, &'static str)>) -> Vec<(String, &'static str)> {
    h.into_iter().map(|(k, d)| (k.to_string(), d)).collect()
}

/// A centred rectangle for full-size panes: a small margin on big terminals, the whole area on
/// small ones (80x24 keeps every row).
pub fn large_area(area: Rect) -> Rect {
    let width = if area.width > 84 {
        (area.width - 4).min(120)
    } else {
        area.width
    };
    let height = if area.height > 26 {
        (area.height - 2).min(48)
    } else {
        area.height
    };
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_area_keeps_small_screens_and_centres_big_ones() {
        let small = Rect::new(0, 0, 80, 22);
        assert_eq!(large_area(small), small);
        let big = Rect::new(0, 0, 200, 60);
        let r = large_area(big);
        assert_eq!((r.width, r.height), (120, 48));
        assert_eq!((r.x, r.y), (40, 6));
    }

    #[test]
    fn many_closes_when_one_part_closes_and_flattens_in_order() {
        let o = Outcome::Many(vec![
            Outcome::Notify(Tone::Info, "a".into()),
            Outcome::Many(vec![Outcome::Close]),
        ]);
        assert!(o.closes());
        assert_eq!(
            o.flatten(),
            vec![Outcome::Notify(Tone::Info, "a".into()), Outcome::Close]
        );
        assert!(!Outcome::RetryWrites(Vec::new()).closes());
        assert!(!Outcome::Stay.closes());
    }
}
