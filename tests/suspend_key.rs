//! Ctrl-Z on a screen asks the event loop to suspend (drop to the shell); inside an editor it
//! stays the editor's undo. Drives `App` directly (no terminal).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigil::ui::app::{App, AppConfig, Effect};
use vigil::ui::fixture;

fn app() -> App {
    let mut app = App::new(fixture::store(false), AppConfig::default(), fixture::now());
    let mut t = Terminal::new(TestBackend::new(120, 30)).unwrap();
    t.draw(|f| app.render(f)).unwrap();
    app
}

fn press(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    app.handle_key(KeyEvent::new(code, mods))
}

#[test]
fn ctrl_z_on_the_queue_and_incident_page_suspends() {
    let mut a = app();
    let fx = press(&mut a, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(fx, vec![Effect::Suspend]);
    press(&mut a, KeyCode::Enter, KeyModifiers::NONE);
    let fx = press(&mut a, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(fx, vec![Effect::Suspend]);
}

#[test]
fn ctrl_z_in_the_comment_editor_is_undo_not_suspend() {
    let mut a = app();
    press(&mut a, KeyCode::Char('m'), KeyModifiers::NONE);
    assert!(a.modal().is_some(), "m opens the comment editor");
    for c in "note".chars() {
        press(&mut a, KeyCode::Char(c), KeyModifiers::NONE);
    }
    let fx = press(&mut a, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert!(!fx.contains(&Effect::Suspend), "{fx:?}");
    assert!(a.modal().is_some(), "the editor stays open");
}
