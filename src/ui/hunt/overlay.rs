//! The hunting screen as an [`Overlay`]: it takes the whole body, keeps typed text, and
//! turns its own (open, effects) answer into the one outcome type.

use super::HuntScreen;
use crate::ui::keymap::Keymap;
use crate::ui::overlay::{Outcome, Overlay, OverlayCtx, owned_hints};
use crate::ui::theme::Theme;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::any::Any;

impl Overlay for HuntScreen {
    fn name(&self) -> &'static str {
        "Advanced hunting"
    }

    fn handle_key(&mut self, key: KeyEvent, _cx: &OverlayCtx) -> Outcome {
        let (open, effects) = HuntScreen::handle_key(self, key);
        match (open, effects.is_empty()) {
            (true, true) => Outcome::Stay,
            (true, false) => Outcome::Effects(effects),
            (false, true) => Outcome::Close,
            (false, false) => Outcome::Many(vec![Outcome::Effects(effects), Outcome::Close]),
        }
    }

    fn handle_paste(&mut self, text: &str) {
        HuntScreen::handle_paste(self, text);
    }

    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, _keymap: &Keymap) {
        HuntScreen::render(self, f, area, theme);
    }

    fn hints(&self, _keymap: &Keymap) -> Vec<(String, &'static str)> {
        owned_hints(HuntScreen::hints(self))
    }

    fn takes_text(&self) -> bool {
        true
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
