//! The compose pane's keys: command keys from the keymap (contexts [`Context::Ask`] and
//! [`Context::Templates`]), every other key is text for the focused field.

use super::{AskExpertsPane, Focus, MsgKind, template_items};
use crate::graph::model::Timestamp;
use crate::ui::action::Action;
use crate::ui::experts_ui::common::{is_ctrl, is_press};
use crate::ui::keymap::{Context, Keymap};
use crate::ui::overlay::Outcome;
use crossterm::event::{KeyCode, KeyEvent};

impl AskExpertsPane {
    /// Handles one key with the default bindings.
    pub fn handle_key(&mut self, key: KeyEvent, now: Timestamp) -> Outcome {
        self.handle_key_in(key, now, Keymap::defaults())
    }

    /// Handles one key: command keys resolved through `keymap` (contexts [`Context::Ask`] and,
    /// while the chooser is open, [`Context::Templates`]); other keys are text for the
    /// focused field. See [`hints_in`](Self::hints_in) for the bindings.
    pub fn handle_key_in(&mut self, key: KeyEvent, now: Timestamp, keymap: &Keymap) -> Outcome {
        if !is_press(&key) {
            return Outcome::Stay;
        }
        if self.chooser.is_some() {
            return self.chooser_key(key, now, keymap);
        }
        let action = keymap.lookup(Context::Ask, &key);
        if self.confirm_final {
            return self.final_confirm_key(action, now, keymap);
        }
        if action == Some(Action::Send) {
            return self.try_send(now, keymap);
        }
        // Any other key cancels a pending "send anyway".
        if self.confirm_send {
            self.confirm_send = false;
            self.message = None;
        }
        match action {
            Some(Action::Templates) => {
                self.chooser = Some(0);
                self.chooser_scroll.set(0);
                return Outcome::Stay;
            }
            Some(Action::Back) => return self.close(now),
            Some(Action::NextField) => {
                self.set_focus(self.focus.step(true));
                return Outcome::Stay;
            }
            Some(Action::PrevField) => {
                self.set_focus(self.focus.step(false));
                return Outcome::Stay;
            }
            _ => {}
        }
        if self.sent {
            return Outcome::Stay;
        }
        if is_ctrl(&key, 'z') || is_ctrl(&key, 'y') {
            let undo = is_ctrl(&key, 'z');
            let changed = self
                .focused_textarea()
                .is_some_and(|t| if undo { t.undo() } else { t.redo() });
            if changed {
                self.edited(Some(now));
            }
            return Outcome::Stay;
        }
        match self.focus {
            Focus::Channels => self.channel_key(action),
            Focus::ReplyTo if key.code == KeyCode::Enter => {
                self.set_focus(Focus::Channels);
            }
            _ => {
                if matches!(key.code, KeyCode::Char(c) if c.is_control()) {
                    return Outcome::Stay;
                }
                let changed = self.focused_textarea().is_some_and(|t| t.input(key));
                if changed {
                    self.edited(Some(now));
                }
            }
        }
        Outcome::Stay
    }

    fn channel_key(&mut self, action: Option<Action>) {
        let n = self.channels.len();
        if n == 0 {
            return;
        }
        match action {
            Some(Action::MoveUp) => {
                self.channel_cursor = (self.channel_cursor + n - 1) % n;
            }
            Some(Action::MoveDown) => {
                self.channel_cursor = (self.channel_cursor + 1) % n;
            }
            Some(Action::ToggleSelect) => {
                let i = self.channel_cursor.min(n - 1);
                self.channels[i].1 = !self.channels[i].1;
            }
            _ => {}
        }
    }

    fn chooser_key(&mut self, key: KeyEvent, now: Timestamp, keymap: &Keymap) -> Outcome {
        let items = template_items();
        let n = items.len();
        let sel = self.chooser.unwrap_or(0).min(n.saturating_sub(1));
        match keymap.lookup(Context::Templates, &key) {
            Some(Action::Back) => self.chooser = None,
            Some(Action::MoveUp) => self.chooser = Some(sel.saturating_sub(1)),
            Some(Action::MoveDown) => self.chooser = Some((sel + 1).min(n.saturating_sub(1))),
            Some(Action::Top) => self.chooser = Some(0),
            Some(Action::Bottom) => self.chooser = Some(n.saturating_sub(1)),
            Some(Action::PageUp) => self.chooser = Some(sel.saturating_sub(5)),
            Some(Action::PageDown) => self.chooser = Some((sel + 5).min(n.saturating_sub(1))),
            Some(Action::Open) => {
                self.chooser = None;
                if let Some((_, t)) = items.get(sel) {
                    self.insert_template(t, now);
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// A key while the send confirmation is shown: yes (`y`) sends, no (`n`) or back (Esc)
    /// go back to the editor (nothing lost), anything else is ignored.
    fn final_confirm_key(
        &mut self,
        action: Option<Action>,
        now: Timestamp,
        keymap: &Keymap,
    ) -> Outcome {
        if action == Some(Action::Yes) {
            return self.try_send(now, keymap);
        }
        if matches!(action, Some(Action::No | Action::Back)) {
            self.confirm_final = false;
            self.say(MsgKind::Info, "Not sent; back to the editor.");
        }
        Outcome::Stay
    }
}
