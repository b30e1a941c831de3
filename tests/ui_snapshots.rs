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

/// The screen's rows as a terminal shows them: a wide character once, the column it hides
/// skipped.
fn rows(t: &Terminal<TestBackend>) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let mut s = String::new();
            let mut hidden = 0;
            for x in 0..buf.area.width {
                if hidden > 0 {
                    hidden -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                s.push_str(sym);
                hidden = sym.width().saturating_sub(1);
            }
            s
        })
        .collect()
}

fn shift(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT));
}

#[test]
fn at_80_columns_the_header_always_says_view_filter_and_sort() {
    let mut a = app(true);
    draw(&mut a, 80, 24);
    keys(&mut a, &[KeyCode::Char('/')]);
    chars(&mut a, "sev:high");
    keys(&mut a, &[KeyCode::Enter]);
    let top = rows(&draw(&mut a, 80, 24))[0].clone();
    for needle in ["[default]", "sev:high", "sort updated"] {
        assert!(top.contains(needle), "header lacks {needle:?}: {top:?}");
    }

    let mut a = app(true);
    draw(&mut a, 80, 24);
    shift(&mut a, 'E');
    let top = rows(&draw(&mut a, 80, 24))[0].clone();
    assert!(
        top.contains("[experts]") && top.contains("sort "),
        "{top:?}"
    );

    // Tags is not a column at 80: the header still names the sort.
    keys(&mut a, &[KeyCode::Char(':')]);
    chars(&mut a, "sort tags");
    keys(&mut a, &[KeyCode::Enter]);
    let screen = rows(&draw(&mut a, 80, 24));
    assert!(!screen[1].contains("Tags"), "{:?}", screen[1]);
    assert!(screen[0].contains("sort tags"), "{:?}", screen[0]);
}

#[test]
fn overlays_over_wide_characters_keep_their_borders() {
    // The test backend keeps what a terminal would show: a cell hidden by a wide character
    // before it is never drawn. Every row of the help box must show its left border.
    let mut checked = 0;
    for w in 60..=220u16 {
        let mut a = app(false);
        keys(&mut a, &[KeyCode::Char('?')]);
        let t = draw(&mut a, w, 40);
        let buf = t.backend().buffer();
        // The box's bottom and right edges hold no wide characters: find it from them.
        let find = |glyph: &str| {
            (0..buf.area.height).find_map(|y| {
                (0..buf.area.width)
                    .find(|x| buf[(*x, y)].symbol() == glyph)
                    .map(|x| (x, y))
            })
        };
        let (Some((x0, y1)), Some((x1, _))) = (find("└"), find("┘")) else {
            continue;
        };
        let Some(y0) = (0..y1).rev().find(|y| buf[(x1, *y)].symbol() == "┐") else {
            continue;
        };
        for y in y0..=y1 {
            checked += 1;
            let want = if y == y0 {
                "┌"
            } else if y == y1 {
                "└"
            } else {
                "│"
            };
            assert_eq!(
                buf[(x0, y)].symbol(),
                want,
                "at {w} columns the help box lost its left border on row {y}:\n{}",
                rows(&t)[y as usize]
            );
        }
    }
    assert!(checked > 0, "the help box was never found");
}

#[test]
fn scope_counts_agree_with_the_evidence_groups_and_read_as_words() {
    let mut a = app(false);
    draw(&mut a, 120, 34);
    keys(&mut a, &[KeyCode::Enter]);
    let overview = rows(&draw(&mut a, 120, 34));
    let scope = overview
        .iter()
        .find_map(|l| l.strip_prefix("Scope:"))
        .expect("the overview has a scope line")
        .to_string();
    let parts: Vec<&str> = scope.split('·').map(str::trim).collect();
    keys(&mut a, &[KeyCode::Tab, KeyCode::Tab]);
    let evidence = rows(&draw(&mut a, 120, 60));
    assert!(
        evidence.iter().any(|l| l.starts_with("device (")),
        "the Evidence section is open: {evidence:#?}"
    );
    for (kind, one, many) in [
        ("device", "device", "devices"),
        ("user", "user", "users"),
        ("mailbox", "mailbox", "mailboxes"),
        ("ip", "IP", "IPs"),
        ("file", "file", "files"),
    ] {
        let n = evidence
            .iter()
            .find_map(|l| {
                l.trim_end()
                    .strip_prefix(&format!("{kind} ("))?
                    .strip_suffix(')')?
                    .parse::<usize>()
                    .ok()
            })
            .unwrap_or(0);
        let want = format!("{n} {}", if n == 1 { one } else { many });
        assert!(
            parts.contains(&want.as_str()),
            "scope says {scope:?}, Evidence lists {kind} ({n})"
        );
    }
}
