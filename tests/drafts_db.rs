//! With the profile's database configured, the console keeps comment drafts, Ask Defender
//! Experts drafts and inquiries in it (not in files): written as they change, restored by a
//! new session on the same database, removed once sent. Drives `App` over the fixture store.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};
use vigil::db::Db;
use vigil::experts::Channel;
use vigil::sync::{Command, WriteOp};
use vigil::ui::app::{App, AppConfig, Effect, ExpertsConfig};
use vigil::ui::experts_ui::AskExpertsPane;
use vigil::ui::fixture;
use vigil::ui::triage::CommentEditor;

fn app_with(config: AppConfig) -> App {
    let mut app = App::new(fixture::store(false), config, fixture::now());
    let mut t = Terminal::new(TestBackend::new(120, 36)).unwrap();
    t.draw(|f| app.render(f)).unwrap();
    app
}

fn key(app: &mut App, code: KeyCode, m: KeyModifiers) -> Vec<Effect> {
    app.handle_key(KeyEvent::new(code, m))
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

/// A config on `db`, with drafts and inquiry paths set too: the database must win over them.
fn cfg(db: &Db, dir: &std::path::Path) -> AppConfig {
    AppConfig {
        experts: ExpertsConfig {
            channels: vec![Channel::IncidentComment],
            drafts_dir: Some(dir.join("drafts")),
            inquiries_path: Some(dir.join("inquiries.json")),
            ..ExpertsConfig::default()
        },
        db: Some(db.clone()),
        ..AppConfig::default()
    }
}

fn rows(db: &Db, sql: &str) -> Vec<String> {
    db.with(|c| {
        let mut s = c.prepare(sql)?;
        let r = s.query_map([], |r| r.get::<_, String>(0))?;
        r.collect()
    })
    .unwrap()
}

#[test]
fn a_comment_draft_is_kept_in_the_database_and_restored_then_removed_on_submit() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap().db;
    let mut a = app_with(cfg(&db, dir.path()));
    key(&mut a, KeyCode::Char('m'), KeyModifiers::NONE);
    assert!(a.modal_as::<CommentEditor>().is_some());
    typed(&mut a, "Isolating the host now");
    a.tick_with(fixture::now(), Instant::now() + Duration::from_secs(2));
    assert_eq!(
        rows(&db, "SELECT text FROM comment_drafts"),
        vec!["Isolating the host now".to_string()]
    );
    assert!(!dir.path().join("drafts").exists(), "no draft files");
    drop(a);

    let mut b = app_with(cfg(&db, dir.path()));
    key(&mut b, KeyCode::Char('m'), KeyModifiers::NONE);
    match b.modal_as::<CommentEditor>() {
        Some(p) => assert_eq!(p.text(), "Isolating the host now"),
        None => panic!(
            "comment editor expected, got {:?}",
            b.modal().map(|m| m.name())
        ),
    }
    let effects = key(&mut b, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::SendCommand(Command::Write { write: WriteOp::CommentIncident { text, .. }, .. })
            if text == "Isolating the host now"
    )));
    assert!(rows(&db, "SELECT text FROM comment_drafts").is_empty());
}

#[test]
fn an_ask_draft_autosaves_to_the_database_and_a_sent_inquiry_is_stored_there() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap().db;
    let mut a = app_with(cfg(&db, dir.path()));
    key(&mut a, KeyCode::Char('e'), KeyModifiers::NONE);
    assert!(a.modal_as::<AskExpertsPane>().is_some());
    typed(&mut a, "Is this benign?");
    assert!(
        rows(&db, "SELECT body FROM inquiry_drafts").is_empty(),
        "not before 1 s"
    );
    a.tick_with(fixture::now(), Instant::now() + Duration::from_millis(1100));
    let drafts = rows(&db, "SELECT body FROM inquiry_drafts");
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].contains("Is this benign?"), "{}", drafts[0]);
    drop(a);

    // A new session restores the draft, sends it, and the inquiry lands in the database.
    let mut b = app_with(cfg(&db, dir.path()));
    key(&mut b, KeyCode::Char('e'), KeyModifiers::NONE);
    match b.modal_as::<AskExpertsPane>() {
        Some(p) => assert_eq!(p.body_text(), "Is this benign?"),
        None => panic!("ask pane expected"),
    }
    key(&mut b, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let effects = key(&mut b, KeyCode::Char('y'), KeyModifiers::NONE);
    let sent = effects.iter().any(|e| {
        matches!(
            e,
            Effect::SendCommand(Command::Write {
                write: WriteOp::CommentIncident { .. },
                ..
            })
        )
    });
    assert!(sent, "the comment channel queued its write");
    let inquiries = rows(&db, "SELECT body FROM inquiries");
    assert_eq!(inquiries.len(), 1);
    assert!(inquiries[0].contains("Is this benign?"));
    assert!(
        !dir.path().join("inquiries.json").exists(),
        "no inquiry file"
    );
    assert!(
        rows(&db, "SELECT body FROM inquiry_drafts").is_empty(),
        "the sent draft is gone"
    );
}
