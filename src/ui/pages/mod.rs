//! The pages of the console, bottom to top: the queue (and the Defender Experts list, a view of
//! it), then an incident, an alert and an evidence item drilled into with Enter. Each page owns
//! its state, carries out the actions the keymap resolves for its context and draws itself;
//! `App` (`ui/app.rs`) routes keys, store updates and effects between them.

pub mod alert;
pub mod evidence;
pub mod experts_list;
pub mod incident;
pub mod queue;

pub use alert::AlertPage;
pub use evidence::EvidencePage;
pub use incident::IncidentPage;
pub use queue::QueuePage;

use crate::graph::model::Timestamp;
use crate::store::Store;
use crate::sync::Target;
use crate::ui::action::Action;
use crate::ui::keymap::Context;
use crate::ui::sanitize::sanitize_spans;
use crate::ui::theme::Theme;
use crate::ui::views::Symbols;
use crate::ui::views::doc::{self, Doc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// What a page reads to draw itself or act on a key (read-only).
#[derive(Clone, Copy)]
pub struct PageCtx<'a> {
    pub store: &'a Store,
    pub theme: &'a Theme,
    pub sym: Symbols,
    pub now: Timestamp,
}

/// The size of the page's scrollable area at the last render (movement pages by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewport {
    /// Rows of the list or document area.
    pub rows: usize,
    /// Width of the document area (for wrapping).
    pub width: usize,
}

/// A page above the queue.
#[derive(Clone, Debug, PartialEq)]
pub enum Page {
    Incident(IncidentPage),
    Alert(AlertPage),
    Evidence(EvidencePage),
}

/// What a page asks of the router after an action.
#[derive(Clone, Debug, PartialEq)]
pub enum PageOutcome {
    /// Nothing more to do.
    Done,
    /// Open this page above the current one.
    Open(Page),
}

/// What `y` / `Y` copy on a page: an incident or an alert, by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Incident(String),
    Alert(String),
}

impl Page {
    /// The keymap context of the page.
    pub fn context(&self) -> Context {
        match self {
            Page::Incident(_) => Context::Incident,
            Page::Alert(_) => Context::Alert,
            Page::Evidence(_) => Context::Evidence,
        }
    }

    /// The page's breadcrumb label (untrusted ids: sanitised when drawn).
    pub fn label(&self) -> String {
        match self {
            Page::Incident(p) => format!("Incident {}", p.id),
            Page::Alert(p) => format!("Alert {}", p.alert_id),
            Page::Evidence(p) => format!("Evidence {}", p.index + 1),
        }
    }

    /// The incident the page shows (an alert page: its incident; evidence: none).
    pub fn incident_id(&self) -> Option<&str> {
        match self {
            Page::Incident(p) => Some(&p.id),
            Page::Alert(p) => Some(&p.incident_id),
            Page::Evidence(_) => None,
        }
    }

    /// The alert the page shows, if any.
    pub fn alert_id(&self) -> Option<&str> {
        match self {
            Page::Incident(_) => None,
            Page::Alert(p) => Some(&p.alert_id),
            Page::Evidence(p) => Some(&p.alert_id),
        }
    }

    /// What manage-type actions apply to on this page.
    pub fn target(&self) -> Target {
        match self {
            Page::Incident(p) => Target::Incident(p.id.clone()),
            Page::Alert(p) => Target::Alert(p.alert_id.clone()),
            Page::Evidence(p) => Target::Alert(p.alert_id.clone()),
        }
    }

    /// What `y` / `Y` copy on this page.
    pub fn subject(&self) -> Subject {
        match self {
            Page::Incident(p) => Subject::Incident(p.id.clone()),
            Page::Alert(p) => Subject::Alert(p.alert_id.clone()),
            Page::Evidence(p) => Subject::Alert(p.alert_id.clone()),
        }
    }

    /// The page's document at `width` (None when its record is not in the store).
    pub fn doc(&self, ctx: &PageCtx, width: usize) -> Option<Doc> {
        match self {
            Page::Incident(p) => p.doc(ctx, width),
            Page::Alert(p) => p.doc(ctx, width),
            Page::Evidence(p) => p.doc(ctx),
        }
    }

    /// Carries out a page action (movement, sections, Enter); other actions are the router's.
    pub fn perform(&mut self, action: Action, ctx: &PageCtx, view: Viewport) -> PageOutcome {
        match action {
            Action::Open => match self {
                Page::Incident(p) => p.open(ctx),
                Page::Alert(p) => p.open(ctx),
                Page::Evidence(_) => None,
            }
            .map_or(PageOutcome::Done, PageOutcome::Open),
            Action::NextSection => {
                self.switch_section(1);
                PageOutcome::Done
            }
            Action::PrevSection => {
                self.switch_section(-1);
                PageOutcome::Done
            }
            _ => {
                if let Some(delta) = movement(action, view.rows) {
                    self.nav(delta, ctx, view);
                }
                PageOutcome::Done
            }
        }
    }

    fn switch_section(&mut self, step: isize) {
        match self {
            Page::Incident(p) => p.switch_section(step),
            Page::Alert(p) => p.switch_section(step),
            Page::Evidence(_) => {}
        }
    }

    /// Moves the cursor (or the scroll, on a document without items) by `delta`.
    fn nav(&mut self, delta: isize, ctx: &PageCtx, view: Viewport) {
        let Some(d) = self.doc(ctx, view.width) else {
            return;
        };
        let rows = view.rows.max(1);
        match self {
            Page::Incident(IncidentPage { cursor, .. }) | Page::Alert(AlertPage { cursor, .. }) => {
                cursor.nav(&d, delta, rows)
            }
            Page::Evidence(p) => p.scroll = step(p.scroll, delta, d.len().saturating_sub(rows)),
        }
    }

    /// Draws the breadcrumb, the page's header and its document into `body`; returns the size
    /// of the document area (for paging and wrapping).
    pub fn render(
        &mut self,
        ctx: &PageCtx,
        breadcrumb: &Line,
        body: Rect,
        buf: &mut Buffer,
    ) -> Viewport {
        let mut y = body.y;
        let bottom = body.y + body.height;
        let mut line = |l: &Line, buf: &mut Buffer| {
            if y < bottom {
                crate::ui::text::set_line_cut(buf, body.x, y, l, body.width);
                y += 1;
            }
        };
        line(breadcrumb, buf);
        let header = match self {
            Page::Incident(p) => p.header(ctx),
            Page::Alert(p) => p.header(ctx),
            Page::Evidence(p) => p.header(ctx),
        };
        for l in &header {
            line(l, buf);
        }
        let area = Rect {
            x: body.x,
            y,
            width: body.width,
            height: bottom.saturating_sub(y),
        };
        let view = Viewport {
            rows: (area.height as usize).max(1),
            width: (area.width as usize).max(20),
        };
        let Some(d) = self.doc(ctx, view.width) else {
            return view;
        };
        let rows = area.height as usize;
        let (cursor, scroll) = match self {
            Page::Incident(IncidentPage { cursor, .. }) | Page::Alert(AlertPage { cursor, .. }) => {
                cursor.clamp(&d, rows)
            }
            Page::Evidence(p) => {
                p.scroll = doc::clamp_scroll(&d, rows, p.scroll, None);
                (None, p.scroll)
            }
        };
        doc::render_doc(buf, area, &d, scroll, cursor, ctx.theme.selection);
        view
    }
}

/// The breadcrumb over a page: `Queue › Incident 12 › Alert da…`.
pub fn breadcrumb(pages: &[Page], theme: &Theme) -> Line<'static> {
    let mut s = vec![Span::styled("Queue".to_string(), theme.muted)];
    for p in pages {
        s.push(Span::styled(" › ", theme.muted));
        s.extend(sanitize_spans(&p.label(), theme.muted, theme.marker));
    }
    Line::from(s)
}

/// The line shown instead of a header when the page's record is not in the store.
fn missing(what: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(
        format!("{what} is not in the store (yet)."),
        theme.muted,
    ))
}

/// How far a movement action moves, `rows` being the height of the list or document.
pub fn movement(action: Action, rows: usize) -> Option<isize> {
    let rows = rows.max(1) as isize;
    Some(match action {
        Action::MoveUp => -1,
        Action::MoveDown => 1,
        Action::PageUp => -rows,
        Action::PageDown => rows,
        Action::HalfPageUp => -((rows / 2).max(1)),
        Action::HalfPageDown => (rows / 2).max(1),
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return None,
    })
}

/// `v + delta`, kept within `0..=max`.
fn step(v: usize, delta: isize, max: usize) -> usize {
    (v as isize + delta).clamp(0, max as isize) as usize
}

/// The selected item and scroll position of a document page with sections (incident, alert).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DocCursor {
    /// The selected item of the section.
    pub item: usize,
    /// The first line shown.
    pub scroll: usize,
}

impl DocCursor {
    /// Moves the selected item (or, without items, the scroll) by `delta`.
    fn nav(&mut self, d: &Doc, delta: isize, rows: usize) {
        if d.items.is_empty() {
            self.scroll = step(self.scroll, delta, d.len().saturating_sub(rows));
        } else {
            self.item = step(self.item, delta, d.items.len() - 1);
            self.scroll = doc::clamp_scroll(d, rows, self.scroll, Some(self.item));
        }
    }

    /// Keeps the selected item within the document and in view; returns (item, scroll).
    fn clamp(&mut self, d: &Doc, rows: usize) -> (Option<usize>, usize) {
        if !d.items.is_empty() {
            self.item = self.item.min(d.items.len() - 1);
        }
        let c = if d.items.is_empty() {
            None
        } else {
            Some(self.item)
        };
        self.scroll = doc::clamp_scroll(d, rows, self.scroll, c);
        (c, self.scroll)
    }
}

/// The section `step` places after `cur` in `all`, wrapping around.
fn next_section<T: Copy + PartialEq>(all: &[T], cur: T, step: isize) -> T {
    let n = all.len() as isize;
    let i = all.iter().position(|s| *s == cur).unwrap_or(0) as isize;
    all[((i + step).rem_euclid(n)) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn movement_pages_by_the_viewport_and_ignores_other_actions() {
        assert_eq!(movement(Action::MoveDown, 20), Some(1));
        assert_eq!(movement(Action::PageUp, 20), Some(-20));
        assert_eq!(movement(Action::HalfPageDown, 1), Some(1));
        assert_eq!(movement(Action::PageDown, 0), Some(1));
        assert_eq!(movement(Action::Open, 20), None);
    }

    #[test]
    fn a_cursor_stays_on_an_item_and_scrolls_documents_without_items() {
        let mut d = Doc::new();
        for _ in 0..10 {
            d.push_item(Line::from("x"));
        }
        let mut c = DocCursor::default();
        c.nav(&d, 100, 4);
        assert_eq!(c.item, 9);
        assert!(c.scroll <= 9 && c.scroll + 4 > 9, "item in view: {c:?}");
        c.nav(&d, -100, 4);
        assert_eq!((c.item, c.scroll), (0, 0));
        let mut plain = Doc::new();
        for _ in 0..10 {
            plain.push(Line::from("x"));
        }
        let mut c = DocCursor::default();
        c.nav(&plain, 100, 4);
        assert_eq!((c.item, c.scroll), (0, 6));
    }

    #[test]
    fn sections_wrap_both_ways() {
        assert_eq!(next_section(&[1, 2, 3], 3, 1), 1);
        assert_eq!(next_section(&[1, 2, 3], 1, -1), 3);
    }
}
