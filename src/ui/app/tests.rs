//! The router: a key goes to the overlay, else the top pane, else the input line, else the
//! page the keymap's action belongs to.

use super::*;
use crate::ui::fixture;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

fn app() -> App {
    let mut app = App::new(fixture::store(false), AppConfig::default(), fixture::now());
    let mut buf = Buffer::empty(Rect::new(0, 0, 120, 30));
    app.render_buffer(buf.area, &mut buf);
    app
}

fn press(app: &mut App, c: char) -> Vec<Effect> {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn enter(app: &mut App) -> Vec<Effect> {
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}

#[test]
fn movement_goes_to_the_queue_without_a_page_and_to_the_page_with_one() {
    let mut app = app();
    press(&mut app, 'j');
    assert_eq!(app.selected_index(), 1, "j moves the queue's selection");
    enter(&mut app);
    assert_eq!(app.context(), Context::Incident);
    let Some(Page::Incident(before)) = app.pages.last().cloned() else {
        panic!("an incident page is open");
    };
    press(&mut app, ']');
    press(&mut app, 'j');
    assert_eq!(
        app.selected_index(),
        1,
        "the queue under the page did not move"
    );
    let Some(Page::Incident(after)) = app.pages.last() else {
        panic!("still on the incident page");
    };
    assert_ne!(
        after.section, before.section,
        "] switched the page's section"
    );
}

#[test]
fn sort_keys_reach_the_queue_and_enter_opens_a_page_above_it() {
    let mut app = app();
    let sort = app.sort();
    press(&mut app, 'o');
    assert_ne!(app.sort(), sort);
    let id = app.selected_id().map(str::to_string);
    enter(&mut app);
    assert_eq!(app.depth(), 1);
    assert_eq!(app.open_incident().map(str::to_string), id);
}

#[test]
fn the_help_overlay_takes_keys_before_the_page() {
    let mut app = app();
    press(&mut app, '?');
    assert!(app.help_open());
    press(&mut app, 'j');
    assert_eq!(
        app.selected_index(),
        0,
        "j scrolled the help, not the queue"
    );
}

#[test]
fn a_toast_is_what_show_toast_set() {
    let mut app = app();
    app.show_toast(Level::Warn, "careful");
    assert_eq!(app.toast(), Some("careful"));
}
