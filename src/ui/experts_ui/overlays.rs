//! The Defender Experts screens as [`Overlay`]s. They get a centred area with a margin
//! ([`large_area`]) rather than centring themselves like the triage panes.

use super::{AskExpertsPane, InquiriesList, NotificationView};
use crate::ui::keymap::Keymap;
use crate::ui::overlay::{Outcome, Overlay, OverlayCtx, large_area};
use crate::ui::theme::Theme;
use crate::ui::triage::overlays::any_impls;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::any::Any;

impl Overlay for AskExpertsPane {
    fn name(&self) -> &'static str {
        "Ask Defender Experts"
    }
    /// The key's outcome, then those queued behind it (`Close` after the `SaveDraft` of Esc).
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome {
        let first = self.handle_key_in(key, cx.now, cx.keymap);
        let mut rest = Vec::new();
        while let Some(f) = self.take_followup() {
            rest.push(f);
        }
        if rest.is_empty() {
            return first;
        }
        rest.insert(0, first);
        Outcome::Many(rest)
    }
    fn handle_paste(&mut self, text: &str) {
        AskExpertsPane::handle_paste(self, text)
    }
    fn area(&self, _screen: Rect, body: Rect) -> Rect {
        large_area(body)
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
    /// Not counted: the compose pane's draft is saved (autosave, quit) instead of lost.
    fn is_dirty(&self) -> bool {
        false
    }
    any_impls!();
}

impl Overlay for InquiriesList {
    fn name(&self) -> &'static str {
        "Inquiries"
    }
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome {
        self.handle_key_in(key, cx.now, cx.keymap)
    }
    fn area(&self, _screen: Rect, body: Rect) -> Rect {
        large_area(body)
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        self.render_in(f, area, theme, keymap)
    }
    fn hints(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        self.hints_in(keymap)
    }
    any_impls!();
}

impl Overlay for NotificationView {
    fn name(&self) -> &'static str {
        "Defender Experts notification"
    }
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome {
        self.handle_key_in(key, cx.now, cx.keymap)
    }
    fn area(&self, _screen: Rect, body: Rect) -> Rect {
        large_area(body)
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        self.render_in(f, area, theme, keymap)
    }
    fn hints(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        self.hints_in(keymap)
    }
    any_impls!();
}
