//! "Every key does exactly what it says": bulk and take-over confirmations, what `r` and
//! `:retry` report, the `E` toggle, invalid filters, the help overlay swallowing keys, quick
//! keys that pick then apply, notices announced together with a history, rows that hold still
//! under the cursor, comment drafts kept on Esc and quoted tags.
//! Drives `App` over the fixture store (no terminal, no engine).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigil::graph::model::Incident;
use vigil::store::{Identity, Store};
use vigil::sync::{Command, SyncStatus, Update, UpsertSource, WriteOp};
use vigil::ui::action::Action;
use vigil::ui::app::{App, AppConfig, Effect, ExpertsConfig};
use vigil::ui::experts_ui::NotificationView;
use vigil::ui::fixture;
use vigil::ui::keymap::{Context, Keymap};
use vigil::ui::triage::CommentEditor;

fn app_over(store: Store, config: AppConfig) -> App {
    let mut app = App::new(store, config, fixture::now());
    draw(&mut app, 120, 30);
    app
}

fn app() -> App {
    app_over(fixture::store(false), AppConfig::default())
}

fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.render(f)).unwrap();
    t
}

fn screen(app: &mut App) -> String {
    format!("{}", draw(app, 120, 30).backend())
}

fn ev(k: &str) -> KeyEvent {
    let plain = |c| KeyEvent::new(c, KeyModifiers::NONE);
    match k {
        "enter" => plain(KeyCode::Enter),
        "esc" => plain(KeyCode::Esc),
        "right" => plain(KeyCode::Right),
        "left" => plain(KeyCode::Left),
        "ctrl-s" => KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
        "ctrl-d" => KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL),
        "space" => plain(KeyCode::Char(' ')),
        s if s.chars().count() == 1 => {
            let c = s.chars().next().unwrap();
            let m = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            KeyEvent::new(KeyCode::Char(c), m)
        }
        other => panic!("unknown key {other}"),
    }
}

fn key(app: &mut App, k: &str) -> Vec<Effect> {
    app.handle_key(ev(k))
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn writes(effects: &[Effect]) -> Vec<WriteOp> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SendCommand(Command::Write { write, .. }) => Some(write.clone()),
            _ => None,
        })
        .collect()
}

/// Moves the queue selection onto incident `id`.
fn select(app: &mut App, id: &str) {
    key(app, "g");
    let idx = app.view_ids().iter().position(|i| i == id).unwrap();
    for _ in 0..idx {
        key(app, "j");
    }
    assert_eq!(app.selected_id(), Some(id));
}

fn incident(id: &str, title: &str, minutes_ago: i64, extra: serde_json::Value) -> Incident {
    let mut doc = serde_json::json!({
        "id": id, "status": "active", "severity": "high", "displayName": title,
        "createdDateTime": fixture::now().plus_seconds(-minutes_ago * 60).to_graph(),
        "lastUpdateDateTime": fixture::now().plus_seconds(-minutes_ago * 60).to_graph(),
    });
    if let (Some(d), Some(e)) = (doc.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(doc).unwrap()
}

// ----- 12.1 bulk and take-over confirmations -----

#[test]
fn bulk_assign_shows_old_and_new_owner_per_incident_and_asks_first() {
    let mut a = app();
    // Default view: 101 (mine), 102 (bob), 105 (Defender Experts), 104 (nobody).
    for id in ["101", "102", "105"] {
        select(&mut a, id);
        key(&mut a, "space");
    }
    let fx = key(&mut a, "a");
    assert!(writes(&fx).is_empty(), "nothing is sent before the answer");
    assert!(a.modal().is_some(), "a confirmation is open");
    let s = screen(&mut a);
    assert!(
        s.contains("#102 owner bob@contoso.com → analyst@contoso.com"),
        "{s}"
    );
    assert!(
        s.contains("#105 owner Defender Experts → analyst@contoso.com"),
        "{s}"
    );
    let fx = key(&mut a, "y");
    let ids: Vec<String> = writes(&fx).iter().map(|w| w.target().to_string()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
}

#[test]
fn bulk_assign_answered_no_sends_nothing() {
    let mut a = app();
    for id in ["102", "104"] {
        select(&mut a, id);
        key(&mut a, "space");
    }
    assert!(writes(&key(&mut a, "a")).is_empty());
    assert!(writes(&key(&mut a, "n")).is_empty());
    assert!(a.modal().is_none());
    assert!(a.store().incident("102").unwrap().pending.is_empty());
}

#[test]
fn taking_over_a_colleagues_incident_asks_but_an_unassigned_one_does_not() {
    let mut a = app();
    select(&mut a, "102");
    assert!(writes(&key(&mut a, "a")).is_empty());
    let s = screen(&mut a);
    assert!(s.contains("Take over #102 from bob@contoso.com?"), "{s}");
    assert_eq!(writes(&key(&mut a, "y")).len(), 1);

    let mut a = app();
    select(&mut a, "104");
    assert_eq!(
        writes(&key(&mut a, "a")).len(),
        1,
        "unassigned: applied at once"
    );
}

#[test]
fn a_comment_for_several_incidents_asks_first() {
    let mut a = app();
    for id in ["101", "102"] {
        select(&mut a, id);
        key(&mut a, "space");
    }
    key(&mut a, "m");
    typed(&mut a, "Same phish");
    let fx = key(&mut a, "ctrl-s");
    assert!(
        writes(&fx).is_empty(),
        "asks before commenting on two incidents"
    );
    let s = screen(&mut a);
    assert!(s.contains("#101") && s.contains("#102"), "{s}");
    assert_eq!(writes(&key(&mut a, "y")).len(), 2);
}

// ----- 12.4 r and :retry -----

#[test]
fn refresh_and_retry_say_what_they_did() {
    let mut a = app();
    key(&mut a, "r");
    assert!(a.toast().unwrap_or("").starts_with("Refreshing"));

    key(&mut a, ":");
    typed(&mut a, "retry");
    let fx = key(&mut a, "enter");
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(a.toast(), Some("Nothing to retry"));

    a.apply_update(Update::Status(SyncStatus {
        outbox_failed: 2,
        ..SyncStatus::default()
    }));
    key(&mut a, ":");
    typed(&mut a, "retry");
    let fx = key(&mut a, "enter");
    assert_eq!(fx, vec![Effect::SendCommand(Command::RetryFailed)]);
    assert_eq!(a.toast(), Some("Retrying 2 failed writes"));
}

// ----- 12.6 E toggles, n from the Experts list -----

#[test]
fn experts_key_toggles_back_to_the_previous_view_and_filter() {
    let mut a = app();
    key(&mut a, "/");
    typed(&mut a, "sev:high");
    key(&mut a, "enter");
    let before = a.view_ids().to_vec();
    key(&mut a, "E");
    assert_ne!(a.view_ids(), before.as_slice());
    key(&mut a, "E");
    assert_eq!(a.filter_text(), "sev:high");
    assert_eq!(a.view_ids(), before.as_slice());

    key(&mut a, "E");
    key(&mut a, "esc");
    assert_eq!(a.filter_text(), "sev:high");
    assert_eq!(a.view_ids(), before.as_slice());
}

#[test]
fn n_in_the_experts_list_opens_the_notification_view() {
    let mut a = app();
    key(&mut a, "E");
    assert!(a.view_ids().contains(&"104".to_string()));
    select(&mut a, "104");
    key(&mut a, "n");
    assert!(a.modal_as::<NotificationView>().is_some());
}

// ----- 12.7 invalid filter -----

#[test]
fn an_invalid_filter_points_at_the_value_and_keeps_the_last_valid_rows() {
    let mut a = app();
    let before = a.view_ids().to_vec();
    key(&mut a, "/");
    typed(&mut a, "sev:hig");
    assert_eq!(a.input_error().map(|e| e.offset), Some(4));
    assert_eq!(
        a.view_ids(),
        before.as_slice(),
        "not the rows of the prefix 'sev'"
    );
    let s = screen(&mut a);
    assert!(
        s.contains("showing results of the last valid filter"),
        "{s}"
    );
    let lines: Vec<&str> = s.lines().collect();
    let input = lines.iter().position(|l| l.contains("/sev:hig")).unwrap();
    let input_col = lines[input].find("/sev").unwrap();
    let caret = lines[input + 1].find('^').unwrap();
    assert_eq!(caret, input_col + 1 + 4, "caret under 'hig'");

    key(&mut a, "esc");
    key(&mut a, "/");
    typed(&mut a, "age:<24x");
    assert_eq!(a.input_error().map(|e| e.offset), Some(4));
}

// ----- 12.12 help -----

#[test]
fn help_closes_only_on_esc_question_mark_or_q_and_swallows_other_keys() {
    let mut a = app();
    let sort = a.sort();
    key(&mut a, "?");
    for k in ["o", "enter", "E", "/", "a"] {
        let fx = key(&mut a, k);
        assert!(a.help_open(), "{k} closed the help");
        assert!(fx.is_empty(), "{k} acted under the help: {fx:?}");
    }
    assert_eq!(a.sort(), sort);
    assert_eq!(a.depth(), 0);
    assert!(a.input_text().is_none());
    for close in ["esc", "?", "q"] {
        if !a.help_open() {
            key(&mut a, "?");
        }
        let fx = key(&mut a, close);
        assert!(!a.help_open(), "{close} should close the help");
        assert!(fx.is_empty(), "{close} only closes: {fx:?}");
    }
}

// ----- 12.13 quick keys and arrows -----

#[test]
fn quick_tags_pick_then_apply_like_status() {
    let mut a = app();
    select(&mut a, "104");
    key(&mut a, "t");
    typed(&mut a, "Phish");
    key(&mut a, "enter");
    let fx = key(&mut a, "esc");
    let w = writes(&fx);
    assert_eq!(w.len(), 1, "tags applied when the picker is done");
    match &w[0] {
        WriteOp::PatchIncident { patch, .. } => {
            assert_eq!(patch.custom_tags, Some(vec!["Phish".to_string()]))
        }
        other => panic!("{other:?}"),
    }
    assert!(a.modal().is_none());
}

#[test]
fn left_and_right_both_move_between_pages() {
    let km = Keymap::default();
    for ctx in [Context::Queue, Context::Incident, Context::Alert] {
        assert_eq!(km.lookup(ctx, &ev("right")), Some(Action::Open), "{ctx:?}");
        assert_eq!(km.lookup(ctx, &ev("left")), Some(Action::Back), "{ctx:?}");
    }
    let mut a = app();
    key(&mut a, "right");
    assert_eq!(a.depth(), 1);
    key(&mut a, "left");
    assert_eq!(a.depth(), 0);
}

// ----- 12.14 identity -----

#[test]
fn unknown_identity_says_how_to_fix_it() {
    let mut s = Store::new(Identity::default());
    s.apply(Update::Incidents {
        items: fixture::incidents(),
        source: UpsertSource::Initial,
    });
    let mut a = app_over(s, AppConfig::default());
    key(&mut a, "a");
    let n = a.toast().unwrap_or("");
    assert!(n.contains("[user] aliases"), "{n}");
    assert!(n.contains("config"), "{n}");
}

// ----- 17.10 notices -----

#[test]
fn several_notices_in_one_poll_are_all_announced_and_kept_in_a_history() {
    let mut a = app();
    a.apply_update(Update::Incidents {
        items: vec![
            incident("201", "First high", 1, serde_json::json!({})),
            incident("202", "Second high", 1, serde_json::json!({})),
            incident("203", "Third high", 1, serde_json::json!({})),
        ],
        source: UpsertSource::Delta,
    });
    let n = a.toast().unwrap_or("").to_string();
    assert!(n.contains("3 new High incidents"), "{n}");
    for id in ["#201", "#202", "#203"] {
        assert!(n.contains(id), "{id} missing from {n}");
    }
    a.apply_update(Update::Incidents {
        items: vec![
            incident(
                "301",
                "Mine one",
                1,
                serde_json::json!({"severity": "low", "assignedTo": fixture::ME}),
            ),
            incident(
                "302",
                "Mine two",
                1,
                serde_json::json!({"severity": "low", "assignedTo": fixture::ME}),
            ),
        ],
        source: UpsertSource::Delta,
    });
    let n = a.toast().unwrap_or("").to_string();
    assert!(n.contains("#301") && n.contains("#302"), "{n}");

    key(&mut a, "N");
    let s = screen(&mut a);
    for t in [
        "First high",
        "Second high",
        "Third high",
        "Mine one",
        "Mine two",
    ] {
        assert!(s.contains(t), "{t} missing from the notice history:\n{s}");
    }
    assert!(a.notices_open());
    key(&mut a, "esc");
    assert!(!a.notices_open());
}

// ----- 17.11 rows hold still under the cursor -----

#[test]
fn the_selected_row_does_not_move_when_its_incident_changes_until_the_next_key() {
    let mut a = app();
    select(&mut a, "104");
    let idx = a.selected_index();
    assert!(idx > 0);
    let mut inc = a.store().incident("104").unwrap().server().clone();
    inc.last_update_date_time = Some(fixture::now());
    a.apply_update(Update::Incidents {
        items: vec![inc],
        source: UpsertSource::Delta,
    });
    assert_eq!(a.selected_index(), idx, "the row stays under the cursor");
    assert_eq!(a.selected_id(), Some("104"));
    assert_eq!(a.view_ids()[idx], "104");
    let n = a.toast().unwrap_or("");
    assert!(n.contains("list order changed"), "{n}");
    // The next move settles the list: 104 is now first, and the cursor moves on from its row.
    key(&mut a, "k");
    assert_eq!(a.view_ids()[0], "104");
    assert_eq!(a.selected_index(), idx - 1);
}

// ----- 17.13 comment drafts kept on Esc -----

#[test]
fn esc_in_the_comment_editor_keeps_the_draft_and_ctrl_d_discards_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = || AppConfig {
        experts: ExpertsConfig {
            drafts_dir: Some(dir.path().to_path_buf()),
            ..ExpertsConfig::default()
        },
        ..AppConfig::default()
    };
    let mut a = app_over(fixture::store(false), cfg());
    key(&mut a, "m");
    typed(&mut a, "half a thought");
    key(&mut a, "esc");
    assert!(a.modal().is_none(), "Esc closes at once");
    let draft = dir.path().join("comments").join("incident-101.txt");
    assert_eq!(std::fs::read_to_string(&draft).unwrap(), "half a thought");

    key(&mut a, "m");
    match a.modal_as::<CommentEditor>() {
        Some(p) => assert_eq!(p.text(), "half a thought"),
        _ => panic!("comment editor expected"),
    }
    assert!(screen(&mut a).contains("discard"));
    key(&mut a, "ctrl-d");
    assert!(screen(&mut a).contains("Discard comment? y/n"));
    key(&mut a, "y");
    assert!(a.modal().is_none());
    assert!(!draft.exists());
}

// ----- 17.15 small ones -----

#[test]
fn a_tag_with_a_comma_does_not_read_as_two_tags() {
    let mut a = app();
    let mut inc = a.store().incident("101").unwrap().server().clone();
    inc.custom_tags = vec!["Finance,EMEA".into(), "VIP".into()];
    a.apply_update(Update::Incidents {
        items: vec![inc],
        source: UpsertSource::Single,
    });
    select(&mut a, "101");
    key(&mut a, "enter");
    let s = screen(&mut a);
    assert!(s.contains("\"Finance,EMEA\", VIP"), "{s}");
}
