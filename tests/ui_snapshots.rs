//! Snapshots of every screen: text (TestBackend Display) and, for the queue, the styled buffer
//! (`{:?}`), so colour regressions fail too. Data: `vigil::ui::fixture` with a fixed "now".

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigil::ui::app::{App, AppConfig};
use vigil::ui::fixture;

fn app(delta: bool) -> App {
    App::new(fixture::store(delta), AppConfig::default(), fixture::now())
}

fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.render(f)).unwrap();
    t
}

fn keys(app: &mut App, ks: &[KeyCode]) {
    for k in ks {
        app.handle_key(KeyEvent::new(*k, KeyModifiers::NONE));
    }
}

fn chars(app: &mut App, s: &str) {
    for c in s.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn no_controls(t: &Terminal<TestBackend>) {
    for cell in t.backend().buffer().content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || c == '\u{202e}'),
            "control in {:?}",
            cell.symbol()
        );
    }
}

#[test]
fn queue_wide_with_new_changed_hostile_and_korean_rows() {
    let mut a = app(true);
    let t = draw(&mut a, 180, 14);
    no_controls(&t);
    insta::assert_snapshot!("queue_wide", t.backend());
    insta::assert_snapshot!("queue_wide_styles", format!("{:?}", t.backend().buffer()));
}

#[test]
fn queue_at_80x24() {
    let mut a = app(true);
    let t = draw(&mut a, 80, 24);
    no_controls(&t);
    insta::assert_snapshot!("queue_80x24", t.backend());
}

#[test]
fn queue_all_shows_the_redirected_row() {
    let mut a = app(false);
    keys(&mut a, &[KeyCode::Char(':')]);
    chars(&mut a, "view all");
    keys(&mut a, &[KeyCode::Enter]);
    let t = draw(&mut a, 140, 14);
    insta::assert_snapshot!("queue_all", t.backend());
}

#[test]
fn incident_page_sections() {
    let mut a = app(false);
    draw(&mut a, 120, 34);
    keys(&mut a, &[KeyCode::Enter]);
    for name in ["overview", "alerts", "evidence", "comments", "actions"] {
        let t = draw(&mut a, 120, 34);
        no_controls(&t);
        insta::assert_snapshot!(format!("incident_{name}"), t.backend());
        keys(&mut a, &[KeyCode::Tab]);
    }
}

#[test]
fn alert_page_details_and_process_tree() {
    let mut a = app(false);
    draw(&mut a, 120, 40);
    // Alerts are chronological: the PowerShell alert (with process evidence) is the second.
    keys(
        &mut a,
        &[KeyCode::Enter, KeyCode::Tab, KeyCode::Down, KeyCode::Enter],
    );
    let t = draw(&mut a, 120, 40);
    insta::assert_snapshot!("alert_details", t.backend());
    keys(&mut a, &[KeyCode::Tab]);
    let t = draw(&mut a, 120, 20);
    insta::assert_snapshot!("alert_evidence", t.backend());
    keys(&mut a, &[KeyCode::Tab]);
    let t = draw(&mut a, 120, 20);
    no_controls(&t);
    insta::assert_snapshot!("alert_process_tree", t.backend());
}

#[test]
fn evidence_detail_of_an_unknown_type() {
    let mut a = app(false);
    draw(&mut a, 100, 30);
    keys(
        &mut a,
        &[
            KeyCode::Enter,
            KeyCode::Tab,
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::Tab,
        ],
    );
    // The unknown-type item is the last evidence item of the first alert.
    keys(&mut a, &[KeyCode::End, KeyCode::Enter]);
    let t = draw(&mut a, 100, 30);
    no_controls(&t);
    insta::assert_snapshot!("evidence_unknown", t.backend());
}

#[test]
fn help_overlay() {
    let mut a = app(false);
    keys(&mut a, &[KeyCode::Char('?')]);
    let t = draw(&mut a, 100, 44);
    insta::assert_snapshot!("help_queue", t.backend());
}

#[test]
fn filter_with_an_error() {
    let mut a = app(false);
    keys(&mut a, &[KeyCode::Char('/')]);
    chars(&mut a, "sev:high bogus:1");
    let t = draw(&mut a, 100, 16);
    insta::assert_snapshot!("filter_error", t.backend());
}
