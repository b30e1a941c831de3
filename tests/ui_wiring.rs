//! The console hosting its panes: triage keys → panes → `Command::Write`s with optimistic
//! display, bulk results and retry, conflicts, Ask Defender Experts (drafts, delivery per
//! channel) and read-only mode. Drives `App` over the fixture store (no terminal, no engine).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use std::time::{Duration, Instant};
use vigil::experts::tasks::IncidentTask;
use vigil::experts::{Channel, DeliveryStatus, DraftStore, InquiryStore};
use vigil::graph::model::IncidentStatus;
use vigil::sync::{Command, OpId, Target, Update, WriteOp};
use vigil::ui::app::{App, AppConfig, Effect, ExpertsConfig};
use vigil::ui::experts_ui::{AskExpertsPane, InquiriesList, NotificationView};
use vigil::ui::fixture;
use vigil::ui::triage::{
    AlertManagePane, BulkResults, CommentEditor, ConflictConfirm, ManagePane, WritesConfirm,
};

fn app_with(config: AppConfig) -> App {
    let mut app = App::new(fixture::store(false), config, fixture::now());
    draw(&mut app);
    app
}

fn app() -> App {
    app_with(AppConfig::default())
}

fn draw(app: &mut App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(120, 36)).unwrap();
    t.draw(|f| app.render(f)).unwrap();
    t
}

fn screen(app: &mut App) -> String {
    format!("{}", draw(app).backend())
}

fn ev(k: &str) -> KeyEvent {
    match k {
        "enter" => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        "esc" => KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
        "tab" => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
        "f1" => KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE),
        "ctrl-s" => KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
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
    }
}

fn key(app: &mut App, k: &str) -> Vec<Effect> {
    app.handle_key(ev(k))
}

fn typed(app: &mut App, s: &str) -> Vec<Effect> {
    s.chars()
        .flat_map(|c| app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)))
        .collect()
}

/// The writes among the effects, in order.
fn writes(fx: &[Effect]) -> Vec<(OpId, WriteOp)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::SendCommand(Command::Write { op, write }) => Some((*op, write.clone())),
            _ => None,
        })
        .collect()
}

fn select(app: &mut App, id: &str) {
    let idx = app.view_ids().iter().position(|i| i == id).unwrap();
    key(app, "g");
    for _ in 0..idx {
        key(app, "j");
    }
    assert_eq!(app.selected_id(), Some(id));
}

fn bulk_counts(app: &App) -> (usize, usize, usize) {
    app.modals()
        .iter()
        .find_map(|m| m.downcast_ref::<BulkResults>().map(BulkResults::counts))
        .expect("bulk results open")
}

/// `s` → Resolved → resolving comment → confirm: one PatchIncident with exactly the status and
/// the comment; returns (op, write).
fn resolve_101(a: &mut App) -> (OpId, WriteOp) {
    select(a, "101");
    assert!(key(a, "s").is_empty());
    assert!(a.modal_as::<ManagePane>().is_some());
    typed(a, "res");
    key(a, "enter");
    typed(a, "benign test");
    assert!(key(a, "ctrl-s").is_empty(), "resolving asks first");
    let fx = key(a, "y");
    let w = writes(&fx);
    assert_eq!(w.len(), 1, "{fx:?}");
    w.into_iter().next().unwrap()
}

#[test]
fn status_resolve_with_comment_sends_exactly_that_and_shows_pending() {
    let mut a = app();
    let (_, write) = resolve_101(&mut a);
    match &write {
        WriteOp::PatchIncident {
            incident_id,
            patch,
            force,
            ..
        } => {
            assert_eq!(incident_id, "101");
            assert!(!force);
            assert_eq!(
                patch.to_body(),
                json!({"status": "resolved", "resolvingComment": "benign test"})
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(a.modal().is_none(), "the pane closed");
    let e = a.store().incident("101").unwrap();
    assert_eq!(e.pending.len(), 1);
    assert_eq!(e.incident.status, IncidentStatus::Resolved, "optimistic");
    assert!(screen(&mut a).contains("1 pending"));
}

#[test]
fn a_failed_write_rolls_back_and_notifies() {
    let mut a = app();
    let (op, _) = resolve_101(&mut a);
    a.apply_update(Update::WriteFailed {
        op,
        target: Target::Incident("101".into()),
        message: "403 Forbidden".into(),
        retryable: false,
    });
    let e = a.store().incident("101").unwrap();
    assert!(e.pending.is_empty());
    assert_eq!(e.incident.status, IncidentStatus::Active);
    let n = a.toast().unwrap();
    assert!(n.contains("Rolled back") && n.contains("403"), "{n}");
}

#[test]
fn bulk_assign_opens_results_records_outcomes_and_retries_failures() {
    let mut a = app();
    // The first row (101) is already mine; select the three below it.
    let ids: Vec<String> = a.view_ids()[1..4].to_vec();
    select(&mut a, &ids[0]);
    for _ in 0..3 {
        key(&mut a, " ");
    }
    assert!(screen(&mut a).contains("3 selected"));
    // Bulk assign shows the owner changes and asks first.
    assert!(writes(&key(&mut a, "a")).is_empty());
    let fx = key(&mut a, "y");
    let w = writes(&fx);
    assert_eq!(w.len(), 3, "{fx:?}");
    let mut targets: Vec<String> = w
        .iter()
        .map(|(_, w)| match w.target() {
            Target::Incident(i) => i,
            Target::Alert(i) => i,
        })
        .collect();
    targets.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(targets, want);
    assert!(a.modal_as::<BulkResults>().is_some());
    assert_eq!(bulk_counts(&a), (0, 0, 3));
    for (_, write) in &w {
        let Target::Incident(id) = write.target() else {
            unreachable!()
        };
        assert_eq!(a.store().incident(&id).unwrap().pending.len(), 1);
    }
    // One confirmed, one refused.
    let (op0, w0) = &w[0];
    let Target::Incident(id0) = w0.target() else {
        unreachable!()
    };
    let mut server = a.store().incident(&id0).unwrap().server().clone();
    server.assigned_to = Some(fixture::ME.into());
    a.apply_update(Update::IncidentWritten {
        op: *op0,
        incident: server,
    });
    let (op1, w1) = &w[1];
    a.apply_update(Update::WriteFailed {
        op: *op1,
        target: w1.target(),
        message: "refused".into(),
        retryable: false,
    });
    // The third failed in a way the engine retries: its entry stays in the outbox.
    let (op2, w2) = &w[2];
    a.apply_update(Update::WriteFailed {
        op: *op2,
        target: w2.target(),
        message: "throttled".into(),
        retryable: true,
    });
    assert_eq!(bulk_counts(&a), (1, 2, 0));
    assert!(screen(&mut a).contains("1 done, 2 failed"));
    // R re-sends the refused one under a new op id, and has the engine retry the throttled
    // one's own entry: never a second copy of a write the outbox still holds.
    let fx = key(&mut a, "R");
    let retried = writes(&fx);
    assert_eq!(retried.len(), 1, "{fx:?}");
    assert_eq!(&retried[0].1, w1);
    assert_ne!(retried[0].0, *op1);
    assert!(
        fx.contains(&Effect::SendCommand(Command::RetryFailed)),
        "{fx:?}"
    );
    assert_eq!(bulk_counts(&a), (1, 1, 1));
    // The retry's outcome lands on the row.
    a.apply_update(Update::WriteFailed {
        op: retried[0].0,
        target: w1.target(),
        message: "still refused".into(),
        retryable: false,
    });
    assert_eq!(bulk_counts(&a), (1, 2, 0));
    key(&mut a, "esc");
    assert!(a.modal().is_none());
}

#[test]
fn bulk_retry_never_copies_a_write_in_conflict() {
    let mut a = app();
    let ids: Vec<String> = a.view_ids()[1..3].to_vec();
    select(&mut a, &ids[0]);
    key(&mut a, " ");
    key(&mut a, " ");
    assert!(
        writes(&key(&mut a, "a")).is_empty(),
        "bulk assign asks first"
    );
    let w = writes(&key(&mut a, "y"));
    assert_eq!(w.len(), 2);
    let (op0, w0) = &w[0];
    let Target::Incident(id0) = w0.target() else {
        unreachable!()
    };
    let server = a.store().incident(&id0).unwrap().server().clone();
    a.apply_update(Update::Conflict {
        op: *op0,
        server,
        changed_fields: vec!["assignedTo".into()],
    });
    assert!(a.modal_as::<ConflictConfirm>().is_some());
    key(&mut a, "esc");
    assert!(a.modal_as::<BulkResults>().is_some());
    assert!(
        writes(&key(&mut a, "R")).is_empty(),
        "the write in conflict waits for its dialog"
    );
}

#[test]
fn a_conflict_opens_the_dialog_and_yes_overwrites_the_same_write() {
    let mut a = app();
    select(&mut a, "102");
    key(&mut a, "a"); // take over from bob?
    let fx = key(&mut a, "y");
    let (op, write) = writes(&fx).remove(0);
    let WriteOp::PatchIncident { base, .. } = &write else {
        panic!("{write:?}")
    };
    assert!(base.is_some(), "the write remembers what the analyst saw");
    let mut server = a.store().incident("102").unwrap().server().clone();
    server.status = IncidentStatus::Resolved;
    server.last_modified_by = Some("jordan@contoso.com".into());
    server.last_update_date_time = Some(fixture::now());
    a.apply_update(Update::Conflict {
        op,
        server: server.clone(),
        changed_fields: vec!["status".into()],
    });
    match a.modal_as::<ConflictConfirm>().map(|c| &c.dialog) {
        Some(d) => {
            assert!(
                d.lines()
                    .iter()
                    .any(|l| l.contains("status is now Resolved by jordan@contoso.com")),
                "{:?}",
                d.lines()
            );
        }
        _ => panic!("conflict dialog expected"),
    }
    assert_eq!(a.store().conflicts().len(), 1, "kept as a conflict");
    let fx = key(&mut a, "y");
    assert!(writes(&fx).is_empty(), "no second write: {fx:?}");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::SendCommand(Command::Overwrite { op: o }) if *o == op)),
        "{fx:?}"
    );
    assert!(a.modal().is_none());
}

#[test]
fn a_declined_conflict_discards_and_esc_keeps_it_for_retry() {
    let mut a = app();
    select(&mut a, "102");
    key(&mut a, "a"); // take over from bob?
    let (op, _) = writes(&key(&mut a, "y")).remove(0);
    let server = a.store().incident("102").unwrap().server().clone();
    a.apply_update(Update::Conflict {
        op,
        server,
        changed_fields: vec!["assignedTo".into()],
    });
    assert!(a.modal_as::<ConflictConfirm>().is_some());
    // Esc: decide later; nothing is sent and the write stays in conflict.
    assert!(key(&mut a, "esc").is_empty());
    assert!(a.modal().is_none());
    assert!(screen(&mut a).contains(":retry"));
    assert_eq!(a.store().conflicts().len(), 1);
    // `:retry` shows the dialog again.
    key(&mut a, ":");
    typed(&mut a, "retry");
    key(&mut a, "enter");
    assert!(a.modal_as::<ConflictConfirm>().is_some());
    assert!(
        a.toast()
            .is_some_and(|n| n.contains("1 write waits for your decision")),
        "{:?}",
        a.toast()
    );
    let fx = key(&mut a, "n");
    assert!(writes(&fx).is_empty());
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::SendCommand(Command::Discard { op: o }) if *o == op)),
        "{fx:?}"
    );
    assert!(a.modal().is_none());
    // The engine confirms the discard.
    a.apply_update(Update::WriteFailed {
        op,
        target: Target::Incident("102".into()),
        message: "discarded: the server's version was kept".into(),
        retryable: false,
    });
    assert!(a.store().conflicts().is_empty());
    assert!(a.store().incident("102").unwrap().pending.is_empty());
}

#[test]
fn a_conflict_replayed_after_a_restart_shows_the_dialog() {
    let mut a = app();
    let server = a.store().incident("102").unwrap().server().clone();
    let write = WriteOp::PatchIncident {
        incident_id: "102".into(),
        patch: vigil::graph::model::IncidentPatch {
            assigned_to: Some(Some("me@contoso.com".into())),
            ..Default::default()
        },
        base_last_update: server.last_update_date_time,
        force: false,
        base: None,
    };
    // What the engine sends at start for an outbox entry in conflict.
    a.apply_update(Update::WriteQueued {
        op: 900,
        write: write.clone(),
    });
    a.apply_update(Update::Conflict {
        op: 900,
        server,
        changed_fields: vec!["assignedTo".into()],
    });
    match a.modal_as::<ConflictConfirm>().map(|c| (c.op(), c.write())) {
        Some((op, w)) => {
            assert_eq!(op, 900);
            assert_eq!(w, &write);
        }
        _ => panic!("conflict dialog expected"),
    }
    let row = a.store().incident("102").unwrap();
    assert_eq!(
        row.conflicts.len(),
        1,
        "the row shows the write in conflict"
    );
}

#[test]
fn comment_from_the_incident_page_and_the_alert_page() {
    let mut a = app();
    select(&mut a, "101");
    key(&mut a, "enter");
    key(&mut a, "m");
    assert!(a.modal_as::<CommentEditor>().is_some());
    a.handle_paste("pasted\ntext");
    let fx = key(&mut a, "ctrl-s");
    assert_eq!(
        writes(&fx)[0].1,
        WriteOp::CommentIncident {
            incident_id: "101".into(),
            text: "pasted\ntext".into()
        }
    );
    // Alert page: m comments on the alert, M opens the alert pane.
    key(&mut a, "tab");
    key(&mut a, "enter");
    let alert = a.open_alert().unwrap().to_string();
    key(&mut a, "m");
    typed(&mut a, "on the alert");
    let fx = key(&mut a, "ctrl-s");
    assert_eq!(
        writes(&fx)[0].1,
        WriteOp::CommentAlert {
            alert_id: alert,
            text: "on the alert".into()
        }
    );
    key(&mut a, "M");
    assert!(a.modal_as::<AlertManagePane>().is_some());
}

#[test]
fn modal_hints_show_in_the_status_bar_and_in_help() {
    let mut a = app();
    key(&mut a, "M");
    let s = screen(&mut a);
    assert!(s.contains("^S save"), "{s}");
    // `?` is text-safe only outside editors; F1 always opens the help.
    key(&mut a, "f1");
    assert!(a.help_open());
    let s = screen(&mut a);
    assert!(s.contains("Keys: Manage incident"), "{s}");
    key(&mut a, "esc");
    assert!(!a.help_open());
    assert!(a.modal_as::<ManagePane>().is_some());
}

#[test]
fn quitting_with_an_unsaved_pane_asks() {
    let mut a = app();
    key(&mut a, "m");
    typed(&mut a, "half a comment");
    assert!(key(&mut a, "ctrl-c").is_empty());
    assert!(a.confirm_open());
    assert!(key(&mut a, "n").is_empty());
    assert!(a.modal_as::<CommentEditor>().is_some(), "still there");
}

fn experts_config(dir: &std::path::Path, channels: Vec<Channel>) -> AppConfig {
    AppConfig {
        experts: ExpertsConfig {
            channels,
            email_to: Some("experts@contoso.com".into()),
            reply_to: vec!["soc@contoso.com".into()],
            drafts_dir: Some(dir.join("drafts")),
            inquiries_path: Some(dir.join("inquiries.json")),
            allowance_period: vigil::experts::AllowancePeriod::Quarter,
            ..ExpertsConfig::default()
        },
        ..AppConfig::default()
    }
}

#[test]
fn ask_pane_opens_with_the_topic_link_and_autosaves_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app_with(experts_config(dir.path(), vec![Channel::Portal]));
    select(&mut a, "101");
    assert!(key(&mut a, "e").is_empty());
    match a.modal_as::<AskExpertsPane>() {
        Some(p) => {
            assert_eq!(p.topic().key(), "incident:101");
            assert!(
                p.context_text()
                    .contains("Link: https://security.microsoft.com/incidents/101?tid=t1"),
                "{}",
                p.context_text()
            );
        }
        _ => panic!("ask pane expected"),
    }
    typed(&mut a, "Is this benign?");
    let drafts = DraftStore::open(dir.path().join("drafts")).unwrap();
    assert!(
        drafts.load("incident:101").is_none(),
        "not saved before 1 s"
    );
    assert!(a.tick_with(fixture::now(), Instant::now() + Duration::from_millis(1100)));
    let d = drafts.load("incident:101").expect("draft saved");
    assert!(d.body.starts_with("Is this benign?"), "{}", d.body);
    // Closing and reopening restores it.
    key(&mut a, "esc");
    assert!(a.modal().is_none());
    key(&mut a, "e");
    match a.modal_as::<AskExpertsPane>() {
        Some(p) => assert_eq!(p.body_text(), "Is this benign?"),
        _ => panic!("ask pane expected"),
    }
}

#[test]
fn ask_from_the_evidence_detail_uses_the_evidence_topic() {
    let mut a = app();
    select(&mut a, "101");
    key(&mut a, "enter");
    // Evidence section, first item (the device).
    key(&mut a, "tab");
    key(&mut a, "tab");
    key(&mut a, "enter");
    assert_eq!(a.context(), vigil::ui::keymap::Context::Evidence);
    key(&mut a, "e");
    match a.modal_as::<AskExpertsPane>() {
        Some(p) => assert!(p.topic().key().starts_with("device:"), "{:?}", p.topic()),
        _ => panic!("ask pane expected"),
    }
}

#[test]
fn sending_through_the_portal_copies_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app_with(experts_config(dir.path(), vec![Channel::Portal]));
    select(&mut a, "101");
    key(&mut a, "e");
    typed(&mut a, "Please confirm");
    a.tick_with(fixture::now(), Instant::now() + Duration::from_secs(2));
    key(&mut a, "ctrl-s");
    let fx = key(&mut a, "y");
    let copy = fx
        .iter()
        .find_map(|e| match e {
            Effect::Copy { text, what } => Some((text.clone(), what.clone())),
            _ => None,
        })
        .expect("copy effect");
    assert_eq!(copy.1, "Ask Defender Experts inquiry");
    assert!(copy.0.contains("Please confirm"));
    assert!(
        copy.0
            .contains("https://security.microsoft.com/incidents/101?tid=t1")
    );
    assert!(a.modal().is_none(), "the pane closed");
    let drafts = DraftStore::open(dir.path().join("drafts")).unwrap();
    assert!(drafts.load("incident:101").is_none(), "the draft is gone");
    a.report_copy(&copy.1, Ok("OSC 52".into()));
    assert!(a.toast().unwrap().contains("Ask Defender Experts"));
    let store = InquiryStore::open(dir.path().join("inquiries.json")).unwrap();
    let inq = &store.list()[0];
    assert!(matches!(
        inq.status(Channel::Portal),
        Some(DeliveryStatus::Sent { .. })
    ));
}

#[test]
fn sending_by_email_asks_the_engine_for_send_mail() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app_with(experts_config(
        dir.path(),
        vec![Channel::Email, Channel::IncidentComment],
    ));
    select(&mut a, "101");
    key(&mut a, "e");
    typed(&mut a, "Scope?");
    key(&mut a, "ctrl-s");
    let fx = key(&mut a, "y");
    let (op, inquiry_id, path, body) = fx
        .iter()
        .find_map(|e| match e {
            Effect::SendCommand(Command::Write {
                op,
                write: WriteOp::SendMail { inquiry_id, mail },
            }) => Some((*op, inquiry_id.clone(), mail.path(), mail.body())),
            _ => None,
        })
        .expect("SendMail");
    assert_eq!(path, "/v1.0/me/sendMail");
    assert_eq!(
        body["message"]["toRecipients"][0]["emailAddress"]["address"],
        json!("experts@contoso.com")
    );
    assert_eq!(
        body["message"]["replyTo"][0]["emailAddress"]["address"],
        json!("soc@contoso.com")
    );
    assert_eq!(body["saveToSentItems"], json!(true));
    assert!(
        body["message"]["body"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Scope?")
    );
    // The comment channel is an ordinary write on the incident.
    let w: Vec<_> = writes(&fx)
        .into_iter()
        .filter(|(_, w)| w.mail_inquiry().is_none())
        .collect();
    assert_eq!(w.len(), 1);
    assert!(
        matches!(&w[0].1, WriteOp::CommentIncident { incident_id, .. } if incident_id == "101")
    );
    // Outcomes land in the inquiry store.
    a.mail_sent(op, &inquiry_id, Ok(()));
    a.apply_update(Update::WriteFailed {
        op: w[0].0,
        target: Target::Incident("101".into()),
        message: "403".into(),
        retryable: false,
    });
    let store = InquiryStore::open(dir.path().join("inquiries.json")).unwrap();
    let inq = store.get(&inquiry_id).unwrap();
    assert!(matches!(
        inq.status(Channel::Email),
        Some(DeliveryStatus::Sent { .. })
    ));
    assert!(matches!(
        inq.status(Channel::IncidentComment),
        Some(DeliveryStatus::Failed { .. })
    ));
    // The inquiries list retries the failed channel: a new comment write.
    key(&mut a, "I");
    assert!(a.modal_as::<InquiriesList>().is_some());
    let fx = key(&mut a, "R");
    let w = writes(&fx);
    assert_eq!(w.len(), 1, "{fx:?}");
    assert!(matches!(&w[0].1, WriteOp::CommentIncident { .. }));
}

#[test]
fn experts_incident_notification_loads_beta_fields_and_tasks() {
    let mut a = app();
    key(&mut a, ":");
    typed(&mut a, "view all");
    key(&mut a, "enter");
    select(&mut a, "104");
    key(&mut a, "enter");
    let s = screen(&mut a);
    assert!(s.contains("n notification"), "{s}");
    let fx = key(&mut a, "n");
    assert!(fx.contains(&Effect::SendCommand(Command::LoadIncident {
        incident_id: "104".into(),
        beta: true
    })));
    assert!(fx.contains(&Effect::SendCommand(Command::LoadTasks {
        incident_id: "104".into()
    })));
    assert!(a.modal_as::<NotificationView>().is_some());
    a.tasks_loaded(
        "104",
        vec![
            IncidentTask::from_value(
                json!({"id": "t1", "displayName": "Isolate device", "status": "active"}),
            )
            .unwrap(),
        ],
    );
    let s = screen(&mut a);
    assert!(s.contains("Isolate device"), "{s}");
    // Not on an ordinary incident.
    key(&mut a, "esc");
    key(&mut a, "esc");
    select(&mut a, "101");
    key(&mut a, "enter");
    assert!(key(&mut a, "n").is_empty());
    assert!(a.modal().is_none());
}

#[test]
fn read_only_refuses_every_write_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = experts_config(dir.path(), vec![Channel::Email, Channel::Portal]);
    config.read_only = true;
    let mut a = app_with(config);
    select(&mut a, "102");
    for page in ["queue", "incident"] {
        if page == "incident" {
            key(&mut a, "enter");
        }
        for k in ["a", "s", "c", "t", "m"] {
            assert!(key(&mut a, k).is_empty(), "{page} {k}");
            assert!(a.modal().is_none(), "{page} {k} opened a pane");
            assert!(a.toast().unwrap().contains("Read-only"));
        }
        // The full pane opens read-only: nothing can be submitted.
        key(&mut a, "M");
        assert!(a.modal_as::<ManagePane>().is_some_and(|p| p.is_read_only()));
        for k in ["enter", "enter", "ctrl-s", "y", "esc"] {
            assert!(writes(&key(&mut a, k)).is_empty());
        }
        assert!(a.modal().is_none());
    }
    // Ask Defender Experts offers only the portal hand-off.
    key(&mut a, "e");
    match a.modal_as::<AskExpertsPane>() {
        Some(p) => assert_eq!(p.selected_channels(), vec![Channel::Portal]),
        _ => panic!("ask pane expected"),
    }
    assert_eq!(a.store().incident("102").unwrap().pending.len(), 0);
}

#[test]
fn an_unsent_comment_survives_on_disk_and_is_restored() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = || AppConfig {
        experts: ExpertsConfig {
            drafts_dir: Some(dir.path().to_path_buf()),
            ..ExpertsConfig::default()
        },
        ..AppConfig::default()
    };
    let mut a = app_with(cfg());
    key(&mut a, "m");
    assert!(a.modal_as::<CommentEditor>().is_some());
    for c in "Isolating the host now".chars() {
        a.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    match a.modal_as::<CommentEditor>() {
        Some(p) => assert_eq!(p.text(), "Isolating the host now"),
        _ => panic!("comment editor closed while typing"),
    }
    a.tick_with(fixture::now(), Instant::now() + Duration::from_secs(2));
    let files: Vec<_> = std::fs::read_dir(dir.path().join("comments"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(
        std::fs::read_to_string(&files[0]).unwrap(),
        "Isolating the host now"
    );
    drop(a);

    // A new session (after a crash or SIGHUP) restores it in the editor for the same row.
    let mut b = app_with(cfg());
    key(&mut b, "m");
    match b.modal_as::<CommentEditor>() {
        Some(p) => assert_eq!(p.text(), "Isolating the host now"),
        None => panic!(
            "comment editor expected, got {:?}",
            b.modal().map(|m| m.name())
        ),
    }
    // Submitting hands the text to the outbox and removes the draft file.
    let effects = key(&mut b, "ctrl-s");
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::SendCommand(Command::Write { write: WriteOp::CommentIncident { text, .. }, .. })
            if text == "Isolating the host now"
    )));
    assert!(!files[0].exists(), "draft removed after submit");
}

#[test]
fn ascii_mode_draws_every_screen_and_pane_without_drawing_glyphs() {
    let mut a = app_with(AppConfig {
        ascii: true,
        ..AppConfig::default()
    });
    let check = |a: &mut App, what: &str| {
        let t = draw(a);
        let buf = t.backend().buffer();
        for cell in buf.content.iter() {
            for c in cell.symbol().chars() {
                assert!(
                    vigil::ui::text::ascii_glyph(c).is_none(),
                    "{what}: drawing glyph {c:?} in ASCII mode"
                );
            }
        }
        let text = format!("{}", t.backend());
        assert!(text.contains('+') || text.contains('|') || text.contains('-'));
    };
    check(&mut a, "queue");
    key(&mut a, "M");
    assert!(a.modal_as::<ManagePane>().is_some());
    check(&mut a, "manage pane");
    key(&mut a, "esc");
    key(&mut a, "enter");
    check(&mut a, "incident page");
    key(&mut a, "e");
    check(&mut a, "ask pane");
}

/// Issue 12.2: `d` on a draft in `I` asks, and `y` deletes it (the file is gone), although the
/// list is refreshed after every key.
#[test]
fn d_on_a_draft_in_the_inquiries_list_asks_then_deletes_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app_with(experts_config(dir.path(), vec![Channel::Portal]));
    select(&mut a, "101");
    key(&mut a, "e");
    typed(&mut a, "Is this benign?");
    key(&mut a, "esc");
    let drafts = DraftStore::open(dir.path().join("drafts")).unwrap();
    assert!(
        drafts.load("incident:101").is_some(),
        "draft saved on close"
    );
    key(&mut a, "I");
    key(&mut a, "g");
    key(&mut a, "d");
    match a.modal_as::<InquiriesList>() {
        Some(l) => assert!(l.confirming_delete(), "d asks first"),
        _ => panic!("inquiries list expected"),
    }
    key(&mut a, "y");
    assert!(drafts.load("incident:101").is_none(), "y deleted the draft");
    match a.modal_as::<InquiriesList>() {
        Some(l) => assert!(l.is_empty(), "the list no longer shows it"),
        _ => panic!("inquiries list expected"),
    }
}

/// Issue 12.2: `!` on a task asks, saying what will happen (vigil copies the portal link; it
/// does not run the action), and `y` does exactly that.
#[test]
fn bang_on_a_task_asks_then_copies_the_portal_link() {
    let mut a = app();
    key(&mut a, ":");
    typed(&mut a, "view all");
    key(&mut a, "enter");
    select(&mut a, "104");
    key(&mut a, "enter");
    key(&mut a, "n");
    a.tasks_loaded(
        "104",
        vec![
            IncidentTask::from_value(
                json!({"id": "t1", "displayName": "Isolate device", "status": "active",
                    "actionType": "isolateDevice", "actionStatus": "notStarted"}),
            )
            .unwrap(),
        ],
    );
    key(&mut a, "j");
    assert!(
        key(&mut a, "!").is_empty(),
        "nothing happens before the answer"
    );
    match a.modal_as::<NotificationView>() {
        Some(v) => assert!(v.confirming_execute(), "! asks first"),
        _ => panic!("notification view expected"),
    }
    let s = screen(&mut a);
    assert!(s.contains("does not run response actions"), "{s}");
    assert!(s.contains("portal link"), "{s}");
    let fx = key(&mut a, "y");
    let link = fx
        .iter()
        .find_map(|e| match e {
            Effect::Copy { text, .. } => Some(text.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("y copies the portal link: {fx:?}"));
    assert!(
        link.starts_with("https://security.microsoft.com/"),
        "{link}"
    );
    assert!(link.contains("104"), "{link}");
}

/// Issue 12.3: ctrl-s asks first, naming the channels (with the experts' address) and the
/// allowance left; `n` returns to the editor with the text intact; `y` sends.
#[test]
fn sending_an_inquiry_confirms_first_naming_channels_and_allowance() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app_with(experts_config(
        dir.path(),
        vec![Channel::Email, Channel::IncidentComment, Channel::Portal],
    ));
    select(&mut a, "101");
    key(&mut a, "e");
    typed(&mut a, "Scope?");
    let fx = key(&mut a, "ctrl-s");
    assert!(fx.is_empty(), "nothing is sent before the answer: {fx:?}");
    let s = screen(&mut a);
    assert!(
        s.contains("via email (experts@contoso.com), incident comment, portal hand-off?"),
        "{s}"
    );
    assert!(s.contains("10 of 10 inquiries left this quarter"), "{s}");
    assert!(key(&mut a, "n").is_empty());
    match a.modal_as::<AskExpertsPane>() {
        Some(p) => {
            assert!(!p.confirming_send());
            assert_eq!(p.body_text(), "Scope?", "the text is intact");
        }
        _ => panic!("back in the editor"),
    }
    key(&mut a, "ctrl-s");
    key(&mut a, "esc");
    assert!(
        a.modal_as::<AskExpertsPane>()
            .is_some_and(|p| !p.confirming_send()),
        "esc also returns to the editor"
    );
    key(&mut a, "ctrl-s");
    let fx = key(&mut a, "y");
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::SendCommand(Command::Write {
                write: WriteOp::SendMail { .. },
                ..
            })
        )),
        "{fx:?}"
    );
    assert!(a.modal().is_none(), "sent and closed");
}

#[test]
fn bulk_results_name_each_incident_once() {
    let mut a = app();
    let ids: Vec<String> = a.view_ids()[1..4].to_vec();
    select(&mut a, &ids[0]);
    for _ in 0..3 {
        key(&mut a, " ");
    }
    let mut fx = key(&mut a, "a");
    if writes(&fx).is_empty() {
        // Where bulk assign asks first, say yes.
        fx = key(&mut a, "y");
    }
    assert_eq!(writes(&fx).len(), 3, "{fx:?}");
    let s = screen(&mut a);
    for id in &ids {
        let tag = format!("#{id}");
        let line = s
            .lines()
            .find(|l| l.contains(&tag))
            .unwrap_or_else(|| panic!("no result row for {id}:\n{s}"));
        assert_eq!(line.matches(&tag).count(), 1, "{line}");
    }
}

/// An inquiry that cannot be recorded (the inquiries file cannot be written) is not sent: its
/// deliveries could be neither followed nor resumed. The draft stays for another try.
#[test]
fn an_inquiry_that_cannot_be_stored_is_not_sent_and_its_draft_stays() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = experts_config(dir.path(), vec![Channel::Email, Channel::IncidentComment]);
    let store = dir.path().join("state");
    cfg.experts.inquiries_path = Some(store.join("inquiries.json"));
    let mut a = app_with(cfg);
    // The inquiries file opened fine; now its directory is gone and a file stands there.
    let _ = std::fs::remove_dir_all(&store);
    std::fs::write(&store, b"a file").unwrap();
    select(&mut a, "101");
    key(&mut a, "e");
    typed(&mut a, "Is this lateral movement?");
    key(&mut a, "ctrl-s");
    let fx = key(&mut a, "y");
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::SendCommand(Command::Write { .. }))),
        "nothing is sent: {fx:?}"
    );
    assert!(
        a.toast()
            .is_some_and(|n| n.contains("not sent") && n.contains("draft is kept")),
        "{:?}",
        a.toast()
    );
    let drafts = DraftStore::open(dir.path().join("drafts")).unwrap();
    assert!(
        drafts
            .list()
            .iter()
            .any(|d| d.body.contains("lateral movement")),
        "the draft is kept"
    );
}

/// Op ids of writes an earlier run left in the outbox are never handed out again.
#[test]
fn op_ids_continue_after_the_highest_one_in_the_outbox() {
    let mut a = app();
    let earlier: OpId = 9_000_000_000_000_000;
    a.apply_update(Update::OutboxLoaded {
        ops: vec![5, earlier],
    });
    let ids: Vec<String> = a.view_ids().to_vec();
    let id = ids
        .into_iter()
        .find(|id| {
            a.store()
                .incident(id)
                .is_some_and(|e| e.incident.assigned_to.is_none())
        })
        .unwrap();
    select(&mut a, &id);
    let fx = key(&mut a, "a");
    let w = writes(&fx);
    assert_eq!(w.len(), 1, "{fx:?}");
    assert!(
        w[0].0 > earlier,
        "op {} reuses an earlier run's id space",
        w[0].0
    );
}

#[test]
fn a_remapped_pane_key_works_and_the_hints_name_it() {
    let mut overrides = std::collections::BTreeMap::new();
    overrides.insert("confirm.yes".to_string(), vec!["o".to_string()]);
    overrides.insert("bulk.retry_failed".to_string(), vec!["x".to_string()]);
    let keymap = vigil::ui::keymap::Keymap::with_overrides(&overrides).expect("valid overrides");
    let mut a = app_with(AppConfig {
        keymap,
        ..AppConfig::default()
    });
    let ids: Vec<String> = a.view_ids()[1..4].to_vec();
    select(&mut a, &ids[0]);
    for _ in 0..3 {
        key(&mut a, " ");
    }
    // Bulk assign asks first; the dialog and the status bar name the remapped key.
    assert!(writes(&key(&mut a, "a")).is_empty());
    let s = screen(&mut a);
    assert!(s.contains("o yes"), "{s}");
    assert!(!s.contains("y/Enter yes"), "{s}");
    assert!(
        writes(&key(&mut a, "y")).is_empty(),
        "y no longer answers yes"
    );
    assert!(a.modal_as::<WritesConfirm>().is_some(), "still asking");
    let w = writes(&key(&mut a, "o"));
    assert_eq!(w.len(), 3);
    // One write fails: the results say x retries it, R no longer does, x does.
    let (op0, w0) = &w[0];
    a.apply_update(Update::WriteFailed {
        op: *op0,
        target: w0.target(),
        message: "refused".into(),
        retryable: false,
    });
    let s = screen(&mut a);
    assert!(s.contains("x retry failed"), "{s}");
    assert!(
        writes(&key(&mut a, "R")).is_empty(),
        "R is not bound any more"
    );
    let retried = writes(&key(&mut a, "x"));
    assert_eq!(retried.len(), 1);
    assert_eq!(&retried[0].1, w0);
}

#[test]
fn a_store_update_keeps_an_open_confirmation() {
    let mut a = app();
    let ids: Vec<String> = a.view_ids()[1..4].to_vec();
    select(&mut a, &ids[0]);
    for _ in 0..3 {
        key(&mut a, " ");
    }
    assert!(writes(&key(&mut a, "a")).is_empty());
    assert!(a.modal_as::<WritesConfirm>().is_some());
    // A poll brings a newer version of one of the incidents, and a write settles.
    let mut changed = a.store().incident(&ids[0]).unwrap().server().clone();
    changed.display_name = Some("Renamed on the server".into());
    a.apply_update(Update::Incidents {
        items: vec![changed],
        source: vigil::sync::UpsertSource::Delta,
    });
    draw(&mut a);
    // The question is still open, with what it was about, and "yes" still sends all three.
    let c = a
        .modal_as::<WritesConfirm>()
        .expect("the confirmation survived the update");
    assert_eq!(c.ops().len(), 3);
    assert_eq!(writes(&key(&mut a, "y")).len(), 3);
}

#[test]
fn remapped_manage_and_ask_keys_work_and_the_hints_name_them() {
    let ctrl = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    let mut overrides = std::collections::BTreeMap::new();
    overrides.insert("manage.save".to_string(), vec!["ctrl-w".to_string()]);
    overrides.insert("ask.send".to_string(), vec!["ctrl-g".to_string()]);
    overrides.insert("ask.templates".to_string(), vec!["ctrl-o".to_string()]);
    let keymap = vigil::ui::keymap::Keymap::with_overrides(&overrides).expect("valid overrides");
    let dir = tempfile::tempdir().unwrap();
    let mut a = app_with(AppConfig {
        keymap,
        ..experts_config(dir.path(), vec![Channel::Portal])
    });
    select(&mut a, "101");
    // Manage: the hints name ctrl-w; ctrl-s no longer saves, ctrl-w does.
    key(&mut a, "M");
    let s = screen(&mut a);
    assert!(s.contains("ctrl-w save"), "{s}");
    assert!(!s.contains("^S save"), "{s}");
    key(&mut a, "enter");
    a.handle_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    key(&mut a, "enter");
    assert!(
        writes(&key(&mut a, "ctrl-s")).is_empty(),
        "ctrl-s is unbound"
    );
    assert!(a.modal_as::<ManagePane>().is_some(), "still open");
    let w = writes(&a.handle_key(ctrl('w')));
    assert_eq!(w.len(), 1, "ctrl-w saves");
    match &w[0].1 {
        WriteOp::PatchIncident { patch, .. } => {
            assert_eq!(patch.status, Some(IncidentStatus::InProgress))
        }
        other => panic!("unexpected write {other:?}"),
    }
    // Ask: templates on ctrl-o, send on ctrl-g, and the pane's key line says so.
    key(&mut a, "e");
    let s = screen(&mut a);
    assert!(s.contains("ctrl-g send"), "{s}");
    assert!(s.contains("ctrl-o templates"), "{s}");
    assert!(!s.contains("ctrl-s send"), "{s}");
    a.handle_key(ctrl('t'));
    assert!(
        !a.modal_as::<AskExpertsPane>().unwrap().chooser_open(),
        "ctrl-t is unbound"
    );
    a.handle_key(ctrl('o'));
    assert!(a.modal_as::<AskExpertsPane>().unwrap().chooser_open());
    key(&mut a, "esc");
    assert!(!a.modal_as::<AskExpertsPane>().unwrap().chooser_open());
    typed(&mut a, "Please confirm");
    key(&mut a, "ctrl-s");
    assert!(!a.modal_as::<AskExpertsPane>().unwrap().confirming_send());
    a.handle_key(ctrl('g'));
    assert!(a.modal_as::<AskExpertsPane>().unwrap().confirming_send());
    let fx = key(&mut a, "y");
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Copy { .. })),
        "sent: {fx:?}"
    );
}
