//! Key handling on App state: movement, drill-down, filters, sorting, live updates, quitting,
//! copying. Drives `App` directly (no terminal).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigil::graph::model::IncidentStatus;
use vigil::store::{RowMark, Sort, SortKey};
use vigil::sync::{Command, Update, UpsertSource, WriteOp};
use vigil::ui::app::{App, AppConfig, Effect};
use vigil::ui::fixture;
use vigil::ui::keymap::Context;
use vigil::ui::triage::ManagePane;

fn app_with(config: AppConfig, delta: bool) -> App {
    let mut app = App::new(fixture::store(delta), config, fixture::now());
    draw(&mut app);
    app
}

fn app() -> App {
    app_with(AppConfig::default(), false)
}

fn draw(app: &mut App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(120, 30)).unwrap();
    t.draw(|f| app.render(f)).unwrap();
    t
}

fn key(app: &mut App, k: &str) -> Vec<Effect> {
    let ev = match k {
        "enter" => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        "esc" => KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
        "tab" => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
        "down" => KeyEvent::new(KeyCode::Down, KeyModifiers::NONE),
        "pgdn" => KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
        "backspace" => KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
        "ctrl-d" => KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL),
        "ctrl-c" => KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
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
    };
    app.handle_key(ev)
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn expected_default_view(app: &App) -> Vec<String> {
    // The portal default: active / in progress / awaiting, High-Medium-Low, newest update first.
    let mut v: Vec<(String, i64)> = app
        .store()
        .view(&vigil::store::Query::default(), Sort::default())
        .into_iter()
        .filter_map(|id| {
            let e = app.store().incident(&id)?;
            let i = &e.incident;
            let open = matches!(
                i.status,
                IncidentStatus::Active
                    | IncidentStatus::InProgress
                    | IncidentStatus::AwaitingAction
            );
            let sev = i.severity.rank() >= 2;
            (open && sev).then(|| {
                (
                    id.clone(),
                    i.last_update_date_time.map(|t| t.as_second()).unwrap_or(0),
                )
            })
        })
        .collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.1));
    v.into_iter().map(|(id, _)| id).collect()
}

#[test]
fn default_view_is_the_portal_queue_newest_first() {
    let mut a = app();
    let want = expected_default_view(&a);
    assert!(!want.is_empty());
    assert!(!want.contains(&"106".to_string()), "informational hidden");
    assert!(!want.contains(&"103".to_string()), "redirected hidden");
    assert_eq!(a.view_ids(), want.as_slice());
    assert_eq!(a.selected_id(), Some(want[0].as_str()));
}

#[test]
fn movement_keys() {
    let mut a = app();
    let ids = a.view_ids().to_vec();
    key(&mut a, "j");
    assert_eq!(a.selected_id(), Some(ids[1].as_str()));
    key(&mut a, "down");
    assert_eq!(a.selected_index(), 2);
    key(&mut a, "k");
    assert_eq!(a.selected_index(), 1);
    key(&mut a, "G");
    assert_eq!(a.selected_index(), ids.len() - 1);
    key(&mut a, "j");
    assert_eq!(a.selected_index(), ids.len() - 1, "clamped at the end");
    key(&mut a, "g");
    assert_eq!(a.selected_index(), 0);
    key(&mut a, "ctrl-d");
    assert_eq!(
        a.selected_index(),
        ids.len() - 1,
        "half page clamps on a short list"
    );
    key(&mut a, "g");
    key(&mut a, "pgdn");
    assert_eq!(a.selected_index(), ids.len() - 1);
}

#[test]
fn open_drill_down_and_back() {
    let mut a = app();
    let first = a.selected_id().unwrap().to_string();
    assert_eq!(first, "101");
    let fx = key(&mut a, "enter");
    assert!(fx.is_empty(), "alerts already loaded: {fx:?}");
    assert_eq!(a.context(), Context::Incident);
    assert_eq!(a.open_incident(), Some("101"));
    key(&mut a, "tab"); // Alerts
    draw(&mut a);
    key(&mut a, "enter");
    assert_eq!(a.context(), Context::Alert);
    let first_alert = a.store().alerts("101")[0].id.clone();
    assert_eq!(a.open_alert(), Some(first_alert.as_str()));
    key(&mut a, "tab"); // Evidence
    key(&mut a, "j");
    key(&mut a, "enter");
    assert_eq!(a.context(), Context::Evidence);
    let fx = key(&mut a, "y");
    assert_eq!(
        fx,
        vec![Effect::Copy {
            text: first_alert.clone(),
            what: format!("alert {first_alert}")
        }]
    );
    key(&mut a, "esc");
    key(&mut a, "esc");
    key(&mut a, "esc");
    assert_eq!(a.context(), Context::Queue);
    assert_eq!(a.depth(), 0);
}

#[test]
fn opening_an_incident_without_alerts_asks_for_them() {
    let mut a = app();
    // 105 has no alerts in the fixture (not expanded).
    let idx = a.view_ids().iter().position(|i| i == "105").unwrap();
    for _ in 0..idx {
        key(&mut a, "j");
    }
    let fx = key(&mut a, "enter");
    assert!(
        fx.contains(&Effect::SendCommand(Command::LoadAlerts {
            incident_id: "105".into()
        })),
        "{fx:?}"
    );
    let t = draw(&mut a);
    key(&mut a, "tab");
    let t2 = draw(&mut a);
    let _ = t;
    assert!(format!("{}", t2.backend()).contains("loading alerts"));
}

#[test]
fn filter_is_incremental_and_esc_restores() {
    let mut a = app();
    let all = a.view_ids().to_vec();
    key(&mut a, "/");
    typed(&mut a, "sev:high");
    // Results follow each keystroke, before Enter.
    assert_eq!(a.input_text(), Some("sev:high"));
    assert_eq!(a.input_error(), None);
    let high = a.view_ids().to_vec();
    assert!(!high.is_empty() && high.len() < all.len());
    for id in &high {
        assert_eq!(a.store().incident(id).unwrap().incident.severity.rank(), 4);
    }
    key(&mut a, "esc");
    assert_eq!(a.input_text(), None);
    assert_eq!(a.filter_text(), "");
    assert_eq!(a.view_ids(), all.as_slice());
    // Enter keeps it.
    key(&mut a, "/");
    typed(&mut a, "sev:high");
    key(&mut a, "enter");
    assert_eq!(a.input_text(), None);
    assert_eq!(a.filter_text(), "sev:high");
    assert_eq!(a.view_ids(), high.as_slice());
    // Esc in the queue clears a kept filter.
    key(&mut a, "esc");
    assert_eq!(a.view_ids(), all.as_slice());
}

#[test]
fn filter_errors_are_reported_with_an_offset_and_block_enter() {
    let mut a = app();
    key(&mut a, "/");
    typed(&mut a, "sev:high bogus:1");
    let err = a
        .input_error()
        .cloned()
        .expect("an error for an unknown key");
    assert!(err.offset >= 9, "{err:?}");
    key(&mut a, "enter");
    assert!(
        a.input_text().is_some(),
        "enter does not accept an erroneous filter"
    );
    key(&mut a, "backspace");
    key(&mut a, "backspace");
    key(&mut a, "backspace");
    key(&mut a, "backspace");
    key(&mut a, "backspace");
    key(&mut a, "backspace");
    key(&mut a, "backspace");
    assert_eq!(a.input_error(), None, "text now {:?}", a.input_text());
}

#[test]
fn paste_goes_into_the_filter_without_controls() {
    let mut a = app();
    key(&mut a, "/");
    a.handle_paste("sev:high\u{1b}[31m\n");
    assert!(!a.input_text().unwrap().chars().any(|c| c.is_control()));
}

#[test]
fn selection_stays_on_the_same_incident_across_updates() {
    let mut a = app();
    let idx = a.view_ids().iter().position(|i| i == "104").unwrap();
    for _ in 0..idx {
        key(&mut a, "j");
    }
    assert_eq!(a.selected_id(), Some("104"));
    // A new incident arrives at the top and 102 moves up: 104 must stay selected.
    a.apply_update(Update::Incidents {
        items: fixture::delta(),
        source: UpsertSource::Delta,
    });
    assert_eq!(a.selected_id(), Some("104"));
    let now_idx = a.view_ids().iter().position(|i| i == "104").unwrap();
    assert_eq!(a.selected_index(), now_idx);
    assert_eq!(now_idx, idx + 1);
}

#[test]
fn a_vanished_selection_keeps_its_index() {
    let mut a = app();
    key(&mut a, "j");
    let idx = a.selected_index();
    let gone = a.selected_id().unwrap().to_string();
    let mut inc = a.store().incident(&gone).unwrap().server().clone();
    inc.status = IncidentStatus::Resolved;
    inc.last_update_date_time = Some(fixture::now());
    a.apply_update(Update::Incidents {
        items: vec![inc],
        source: UpsertSource::Delta,
    });
    assert!(!a.view_ids().contains(&gone));
    assert_eq!(a.selected_index(), idx);
    assert_ne!(a.selected_id(), Some(gone.as_str()));
}

#[test]
fn sorting_cycles_and_reverses_and_keeps_the_selection() {
    let mut a = app();
    key(&mut a, "j");
    let sel = a.selected_id().unwrap().to_string();
    key(&mut a, "o");
    assert_eq!(
        a.sort(),
        Sort {
            key: SortKey::Severity,
            descending: true
        }
    );
    assert_eq!(a.selected_id(), Some(sel.as_str()));
    let ranks: Vec<u8> = a
        .view_ids()
        .to_vec()
        .iter()
        .map(|id| a.store().incident(id).unwrap().incident.severity.rank())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    key(&mut a, "O");
    assert_eq!(
        a.sort(),
        Sort {
            key: SortKey::Severity,
            descending: false
        }
    );
    let ranks: Vec<u8> = a
        .view_ids()
        .to_vec()
        .iter()
        .map(|id| a.store().incident(id).unwrap().incident.severity.rank())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    key(&mut a, "<");
    assert_eq!(a.sort().key, SortKey::LastUpdate);
    key(&mut a, ":");
    typed(&mut a, "sort prio asc");
    key(&mut a, "enter");
    assert_eq!(
        a.sort(),
        Sort {
            key: SortKey::Priority,
            descending: false
        }
    );
}

#[test]
fn quit_asks_when_writes_are_pending() {
    let mut a = app();
    assert_eq!(key(&mut a, "q"), vec![Effect::Quit]);
    // Select 102 (assigned to bob) and assign it to me: a pending write.
    let idx = a.view_ids().iter().position(|i| i == "102").unwrap();
    for _ in 0..idx {
        key(&mut a, "j");
    }
    // Taking it over from bob asks first.
    assert!(key(&mut a, "a").is_empty());
    let fx = key(&mut a, "y");
    assert_eq!(fx.len(), 1);
    match &fx[0] {
        Effect::SendCommand(Command::Write {
            write: WriteOp::PatchIncident {
                incident_id, patch, ..
            },
            ..
        }) => {
            assert_eq!(incident_id, "102");
            assert_eq!(patch.assigned_to, Some(Some(fixture::ME.to_string())));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        a.store()
            .incident("102")
            .unwrap()
            .incident
            .assigned_to
            .as_deref(),
        Some(fixture::ME)
    );
    assert!(key(&mut a, "q").is_empty());
    assert!(a.confirm_open());
    assert!(key(&mut a, "n").is_empty());
    assert!(!a.confirm_open());
    key(&mut a, "q");
    assert_eq!(key(&mut a, "y"), vec![Effect::Quit]);
}

#[test]
fn quit_with_an_open_input_line_asks_too() {
    let mut a = app();
    key(&mut a, "/");
    typed(&mut a, "q");
    assert_eq!(a.input_text(), Some("q"), "q is text in the filter line");
    assert!(key(&mut a, "ctrl-c").is_empty());
    assert!(a.confirm_open());
}

#[test]
fn copy_id_and_url_sanitised() {
    let mut a = app();
    assert_eq!(
        key(&mut a, "y"),
        vec![Effect::Copy {
            text: "101".into(),
            what: "incident 101".into()
        }]
    );
    assert_eq!(
        key(&mut a, "Y"),
        vec![Effect::Copy {
            text: "https://security.microsoft.com/incidents/101?tid=t1".into(),
            what: "incident 101 URL".into()
        }]
    );
    a.report_copy("incident 101 URL", Ok("OSC 52".into()));
    assert_eq!(a.toast(), Some("Copied incident 101 URL (OSC 52)"));
    let idx = a.view_ids().iter().position(|i| i == "102").unwrap();
    for _ in 0..idx {
        key(&mut a, "j");
    }
    match key(&mut a, "Y").as_slice() {
        [Effect::Copy { text, .. }] => {
            assert!(text.starts_with("https://security.microsoft.com/incidents/102"));
            assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn bell_only_when_enabled() {
    let mut quiet = app();
    let fx = quiet.apply_update(Update::Incidents {
        items: fixture::delta(),
        source: UpsertSource::Delta,
    });
    assert!(!fx.contains(&Effect::Bell));
    assert!(quiet.toast().unwrap().contains("107"));
    let mut loud = app_with(
        AppConfig {
            bell: true,
            ..AppConfig::default()
        },
        false,
    );
    let fx = loud.apply_update(Update::Incidents {
        items: fixture::delta(),
        source: UpsertSource::Delta,
    });
    assert_eq!(fx, vec![Effect::Bell]);
}

#[test]
fn read_only_refuses_writes() {
    let mut a = app_with(
        AppConfig {
            read_only: true,
            ..AppConfig::default()
        },
        false,
    );
    assert!(key(&mut a, "a").is_empty());
    assert!(key(&mut a, "s").is_empty());
    assert!(a.toast().unwrap().contains("Read-only"));
    assert_eq!(a.store().incident("101").unwrap().pending.len(), 0);
}

#[test]
fn manage_actions_open_a_pane_over_the_multi_selection() {
    let mut a = app();
    key(&mut a, " ");
    key(&mut a, " ");
    let fx = key(&mut a, "s");
    assert!(fx.is_empty(), "opening a picker sends nothing: {fx:?}");
    let ids = a.view_ids().to_vec();
    match a.modal_as::<ManagePane>() {
        Some(p) => {
            let targets: Vec<&str> = p.targets().iter().map(|i| i.id.as_str()).collect();
            assert_eq!(targets.len(), 2);
            for t in targets {
                assert!(
                    ids[..2].iter().any(|i| i == t),
                    "{t} not among the selected"
                );
            }
            assert!(p.picker_rows().is_some(), "the status picker is open");
        }
        _ => panic!("the manage pane should be open"),
    }
    // Esc closes the quick picker without writing anything.
    assert!(key(&mut a, "esc").is_empty());
    assert!(a.modal().is_none());
}

#[test]
fn views_and_commands() {
    let config = AppConfig {
        saved_views: vec![("mine".into(), "owner:me".into())],
        ..AppConfig::default()
    };
    let mut a = app_with(config, false);
    key(&mut a, ":");
    typed(&mut a, "view mine");
    key(&mut a, "enter");
    let ids = a.view_ids().to_vec();
    assert_eq!(ids, vec!["101".to_string()]);
    key(&mut a, ":");
    typed(&mut a, "view all");
    key(&mut a, "enter");
    assert_eq!(a.view_ids().len(), a.store().len());
    key(&mut a, ":");
    typed(&mut a, "view nope");
    key(&mut a, "enter");
    assert!(a.toast().unwrap().contains("Unknown view"));
    key(&mut a, "E");
    let experts = a.view_ids().to_vec();
    assert!(experts.contains(&"104".to_string()));
    key(&mut a, ":");
    typed(&mut a, "q");
    assert_eq!(key(&mut a, "enter"), vec![Effect::Quit]);
}

#[test]
fn selecting_a_row_clears_its_highlight() {
    let mut a = app_with(AppConfig::default(), true);
    assert_eq!(a.store().incident("107").unwrap().mark, RowMark::New);
    let idx = a.view_ids().iter().position(|i| i == "107").unwrap();
    assert_eq!(idx, 0);
    let idx102 = a.view_ids().iter().position(|i| i == "102").unwrap();
    assert_eq!(a.store().incident("102").unwrap().mark, RowMark::Changed);
    for _ in 0..idx102 {
        key(&mut a, "j");
    }
    assert_eq!(a.store().incident("102").unwrap().mark, RowMark::Seen);
    key(&mut a, "g");
    key(&mut a, "enter");
    assert_eq!(a.store().incident("107").unwrap().mark, RowMark::Seen);
}

#[test]
fn help_opens_and_closes() {
    let mut a = app();
    key(&mut a, "?");
    assert!(a.help_open());
    key(&mut a, "j");
    assert!(a.help_open(), "j scrolls the help");
    key(&mut a, "esc");
    assert!(!a.help_open());
}

#[test]
fn idle_ticks_do_not_redraw_but_time_changes_do() {
    let mut a = app();
    a.take_dirty();
    // Same second: nothing visible changes.
    assert!(!a.tick(fixture::now()));
    assert!(!a.is_dirty());
    // Two hours later every relative time changes.
    let later = fixture::now().plus_seconds(7200);
    assert!(a.tick(later));
    assert!(a.is_dirty());
}

#[test]
fn refresh_sends_a_command() {
    let mut a = app();
    assert_eq!(
        key(&mut a, "r"),
        vec![Effect::SendCommand(Command::Refresh { full: false })]
    );
}
