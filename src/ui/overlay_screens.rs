//! The full-screen overlays: the help (`?`), the notice history (`N`) and the quit
//! confirmation. They are [`Overlay`]s like the panes; the host keeps the one open in its own
//! slot above the pane stack (it takes keys first and is drawn last, over the whole screen).

use crate::ui::action::Action;
use crate::ui::keymap::{Context, Keymap};
use crate::ui::overlay::{Outcome, Overlay, OverlayCtx, owned_hints};
use crate::ui::theme::Theme;
use crate::ui::triage::overlays::any_impls;
use crate::ui::views::help;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};
use std::any::Any;
use unicode_width::UnicodeWidthStr;

/// Which list a [`ScrollView`] shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScrollKind {
    /// The keys of the open pane and the screen (`?`, F1, `:help`).
    Help,
    /// Everything announced this session, newest last (`N`).
    Notices,
}

/// A scrollable full-screen list (help or notice history). It closes on Esc, `q`, `?` or the
/// key that opened it, scrolls on the movement keys and swallows every other key, so nothing
/// acts on the page beneath. Its lines are set by the host before each draw.
pub struct ScrollView {
    kind: ScrollKind,
    /// The page's keymap context (movement keys are looked up there).
    context: Context,
    scroll: usize,
    title: String,
    lines: Vec<Line<'static>>,
}

impl ScrollView {
    /// A list for the page in `context`, scrolled to `scroll`.
    pub fn new(kind: ScrollKind, context: Context, scroll: usize) -> Self {
        ScrollView {
            kind,
            context,
            scroll,
            title: String::new(),
            lines: Vec::new(),
        }
    }

    pub fn kind(&self) -> ScrollKind {
        self.kind
    }

    /// Replaces what the list shows.
    pub fn set_content(&mut self, title: String, lines: Vec<Line<'static>>) {
        self.title = title;
        self.lines = lines;
    }

    fn opened_by(&self) -> Action {
        match self.kind {
            ScrollKind::Help => Action::Help,
            ScrollKind::Notices => Action::Notices,
        }
    }
}

impl Overlay for ScrollView {
    fn name(&self) -> &'static str {
        match self.kind {
            ScrollKind::Help => "Help",
            ScrollKind::Notices => "Notices",
        }
    }
    fn handle_key(&mut self, key: KeyEvent, cx: &OverlayCtx) -> Outcome {
        let action = cx.keymap.lookup(self.context, &key);
        let closes = matches!(
            key.code,
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?')
        ) || action == Some(self.opened_by());
        if closes {
            return Outcome::Close;
        }
        let s = self.scroll;
        self.scroll = match action {
            Some(Action::MoveDown) => s + 1,
            Some(Action::MoveUp) => s.saturating_sub(1),
            Some(Action::PageDown) | Some(Action::HalfPageDown) => s + 10,
            Some(Action::PageUp) | Some(Action::HalfPageUp) => s.saturating_sub(10),
            Some(Action::Top) => 0,
            _ => s,
        };
        Outcome::Stay
    }
    fn area(&self, screen: Rect, _body: Rect) -> Rect {
        screen
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, _keymap: &Keymap) {
        // The notice history keeps its newest line in view.
        let top = match self.kind {
            ScrollKind::Help => self.scroll,
            ScrollKind::Notices => {
                let rows = area.height.saturating_sub(2) as usize;
                self.scroll.saturating_sub(rows.saturating_sub(1))
            }
        };
        help::render(f.buffer_mut(), area, &self.lines, &self.title, top, theme);
    }
    fn hints(&self, _keymap: &Keymap) -> Vec<(String, &'static str)> {
        owned_hints(vec![("Esc/q", "close"), ("j/k", "scroll")])
    }
    any_impls!();
}

/// "N write(s) not yet confirmed. Quit anyway? (y/n)": `y`/Enter quits (drafts saved first),
/// any other key closes it.
pub struct QuitConfirm {
    message: String,
}

impl QuitConfirm {
    /// The question, ending in "Quit anyway? (y/n)".
    pub fn new(message: String) -> Self {
        QuitConfirm { message }
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl Overlay for QuitConfirm {
    fn name(&self) -> &'static str {
        "Quit"
    }
    fn handle_key(&mut self, key: KeyEvent, _cx: &OverlayCtx) -> Outcome {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => Outcome::Quit,
            _ => Outcome::Close,
        }
    }
    fn area(&self, screen: Rect, _body: Rect) -> Rect {
        screen
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, _keymap: &Keymap) {
        let w = (self.message.width() as u16 + 4).min(area.width);
        let rect = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + area.height / 2,
            width: w,
            height: 3.min(area.height),
        };
        f.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.warning);
        let inner = block.inner(rect);
        f.render_widget(block, rect);
        f.buffer_mut().set_line(
            inner.x + 1,
            inner.y,
            &Line::from(Span::styled(self.message.clone(), theme.warning)),
            inner.width,
        );
    }
    fn hints(&self, _keymap: &Keymap) -> Vec<(String, &'static str)> {
        owned_hints(vec![("y/Enter", "quit"), ("any other key", "stay")])
    }
    any_impls!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::Timestamp;
    use crate::store::Store;
    use crossterm::event::KeyModifiers;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn help_scrolls_on_movement_keys_and_closes_on_its_own_key() {
        let store = Store::default();
        let keymap = Keymap::default();
        let cx = OverlayCtx {
            store: &store,
            keymap: &keymap,
            now: Timestamp::now(),
            read_only: false,
        };
        let mut v = ScrollView::new(ScrollKind::Help, Context::Queue, 0);
        assert_eq!(v.handle_key(k(KeyCode::Char('j')), &cx), Outcome::Stay);
        assert_eq!(v.scroll, 1);
        assert_eq!(v.handle_key(k(KeyCode::Char('x')), &cx), Outcome::Stay);
        assert_eq!(v.scroll, 1);
        assert_eq!(v.handle_key(k(KeyCode::Char('?')), &cx), Outcome::Close);
        let mut q = QuitConfirm::new("Quit anyway? (y/n)".into());
        assert_eq!(q.handle_key(k(KeyCode::Char('y')), &cx), Outcome::Quit);
        assert_eq!(q.handle_key(k(KeyCode::Char('n')), &cx), Outcome::Close);
    }
}
