//! Unit tests of the keymap: key forms, lookup, overrides, help.
use super::*;

fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn parses_the_key_forms() {
    assert_eq!(KeySpec::parse("j").unwrap().code, KeyCode::Char('j'));
    assert_eq!(KeySpec::parse("G").unwrap().code, KeyCode::Char('G'));
    let c = KeySpec::parse("ctrl-D").unwrap();
    assert_eq!(
        (c.code, c.mods),
        (KeyCode::Char('d'), KeyModifiers::CONTROL)
    );
    assert_eq!(KeySpec::parse("PgDn").unwrap().code, KeyCode::PageDown);
    assert_eq!(KeySpec::parse("shift-tab").unwrap().code, KeyCode::BackTab);
    assert_eq!(KeySpec::parse("space").unwrap().code, KeyCode::Char(' '));
    assert_eq!(KeySpec::parse("f5").unwrap().code, KeyCode::F(5));
    assert_eq!(KeySpec::parse("-").unwrap().code, KeyCode::Char('-'));
    for bad in ["", "ctrl-", "jj", "f13", "hyper-x"] {
        assert!(KeySpec::parse(bad).is_err(), "{bad:?} should fail");
    }
    assert_eq!(KeySpec::parse("ctrl-d").unwrap().display(), "ctrl-d");
    assert_eq!(KeySpec::parse("pagedown").unwrap().display(), "pgdn");
}

#[test]
fn shifted_letters_and_ctrl_match_events() {
    let km = Keymap::default();
    assert_eq!(
        km.lookup(Context::Queue, &ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
        Some(Action::Bottom)
    );
    assert_eq!(
        km.lookup(
            Context::Queue,
            &ev(KeyCode::Char('d'), KeyModifiers::CONTROL)
        ),
        Some(Action::HalfPageDown)
    );
    assert_eq!(
        km.lookup(Context::Queue, &ev(KeyCode::Char('j'), KeyModifiers::NONE)),
        Some(Action::MoveDown)
    );
    assert_eq!(
        km.lookup(Context::Queue, &ev(KeyCode::Char('?'), KeyModifiers::SHIFT)),
        Some(Action::Help)
    );
    // Alt-j is not j.
    assert_eq!(
        km.lookup(Context::Queue, &ev(KeyCode::Char('j'), KeyModifiers::ALT)),
        None
    );
    // Screen bindings: / filters in the queue only.
    assert_eq!(
        km.lookup(
            Context::Incident,
            &ev(KeyCode::Char('/'), KeyModifiers::NONE)
        ),
        None
    );
    assert_eq!(
        km.lookup(Context::Incident, &ev(KeyCode::Tab, KeyModifiers::NONE)),
        Some(Action::NextSection)
    );
}

#[test]
fn every_action_has_a_plain_key_somewhere() {
    let km = Keymap::default();
    for a in Action::ALL {
        assert!(
            km.bindings()
                .iter()
                .any(|b| b.action == *a && b.key.is_plain()),
            "{} has no plain key",
            a.name()
        );
    }
}

#[test]
fn no_key_is_bound_twice_in_one_context() {
    let km = Keymap::default();
    for (i, a) in km.bindings().iter().enumerate() {
        for b in &km.bindings()[i + 1..] {
            assert!(
                !(a.context == b.context && a.key == b.key),
                "{:?} bound twice",
                a.key.display()
            );
        }
    }
}

#[test]
fn overrides_replace_keys_and_steal_them_from_other_actions() {
    let mut o = BTreeMap::new();
    o.insert("move_down".to_string(), vec!["n".to_string()]);
    o.insert("queue.sort_next".to_string(), vec!["j".to_string()]);
    let km = Keymap::with_overrides(&o).unwrap();
    let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
    let n = ev(KeyCode::Char('n'), KeyModifiers::NONE);
    assert_eq!(km.lookup(Context::Queue, &n), Some(Action::MoveDown));
    assert_eq!(km.lookup(Context::Queue, &j), Some(Action::SortNext));
    // Elsewhere j is now unbound (move_down moved to n) and o no longer sorts in the queue.
    assert_eq!(km.lookup(Context::Incident, &j), None);
    assert_eq!(
        km.lookup(Context::Queue, &ev(KeyCode::Char('o'), KeyModifiers::NONE)),
        None
    );
    assert_eq!(
        km.keys_for(Context::Queue, Action::MoveDown),
        vec!["n".to_string()]
    );
}

#[test]
fn override_errors_name_the_problem() {
    let mut o = BTreeMap::new();
    o.insert("fly".to_string(), vec!["f".to_string()]);
    assert!(Keymap::with_overrides(&o).unwrap_err().0.contains("fly"));
    let mut o = BTreeMap::new();
    o.insert("quit".to_string(), vec!["ctrl-".to_string()]);
    assert!(Keymap::with_overrides(&o).is_err());
    let mut o = BTreeMap::new();
    o.insert("nowhere.quit".to_string(), vec!["Q".to_string()]);
    assert!(
        Keymap::with_overrides(&o)
            .unwrap_err()
            .0
            .contains("nowhere")
    );
    let mut o = BTreeMap::new();
    o.insert("quit".to_string(), vec![]);
    let km = Keymap::with_overrides(&o).unwrap();
    assert!(km.keys_for(Context::Queue, Action::Quit).is_empty());
}

#[test]
fn help_lists_screen_and_global_keys_without_shadowed_ones() {
    let km = Keymap::default();
    let help = km.help(Context::Queue);
    let get = |a: Action| help.iter().find(|(x, _)| *x == a).map(|(_, k)| k.clone());
    assert_eq!(get(Action::Filter), Some(vec!["/".to_string()]));
    assert_eq!(
        get(Action::MoveDown),
        Some(vec!["j".to_string(), "down".to_string()])
    );
    assert_eq!(get(Action::NextSection), None);
    let inc = km.help(Context::Incident);
    assert!(inc.iter().any(|(a, _)| *a == Action::NextSection));
    assert!(!inc.iter().any(|(a, _)| *a == Action::Filter));
    // Left/Right move between pages everywhere (Tab moves between sections).
    let inc_open = km.keys_for(Context::Incident, Action::Open);
    assert!(inc_open.contains(&"enter".to_string()));
    assert!(inc_open.contains(&"right".to_string()));
    assert!(!km.hints(Context::Queue).is_empty());
}

#[test]
fn ctrl_z_suspends_on_every_screen_and_is_in_the_help() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let km = Keymap::default();
    let ctrl_z = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL);
    for c in [
        Context::Queue,
        Context::Incident,
        Context::Alert,
        Context::Evidence,
    ] {
        assert_eq!(km.lookup(c, &ctrl_z), Some(Action::Suspend), "{c:?}");
        let help = km.help(c);
        assert!(
            help.iter()
                .any(|(a, k)| *a == Action::Suspend && k == &["ctrl-z".to_string()]),
            "{c:?}"
        );
    }
}
