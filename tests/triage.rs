//! Triage components driven by keystrokes, as the app will drive them.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use vigil::graph::model::{
    Alert, AlertStatus, Classification, Incident, IncidentPatch, IncidentStatus, Severity,
    Timestamp,
};
use vigil::sync::messages::{Target, WriteOp};
use vigil::ui::overlay::Outcome;
use vigil::ui::theme::Theme;
use vigil::ui::triage::*;

fn k(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}
fn ch(c: char) -> KeyEvent {
    k(KeyCode::Char(c))
}
fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn incident(id: &str, tags: &[&str]) -> Incident {
    Incident {
        id: id.into(),
        display_name: Some(format!("Suspicious sign-in {id}")),
        status: IncidentStatus::Active,
        severity: Severity::High,
        assigned_to: Some("alice@contoso.com".into()),
        custom_tags: tags.iter().map(|s| s.to_string()).collect(),
        last_update_date_time: Timestamp::parse("2026-03-01T10:00:00Z"),
        ..Default::default()
    }
}

fn pane(targets: Vec<Incident>) -> ManagePane {
    ManagePane::new(
        targets,
        vec!["alice@contoso.com".into(), "bob@contoso.com".into()],
        vec!["Phish".into(), "Demo".into(), "Old".into()],
        Some("me@contoso.com".into()),
        vec!["carol@contoso.com".into()],
    )
}

fn keys(p: &mut ManagePane, ks: &[KeyEvent]) -> Outcome {
    let mut last = Outcome::Stay;
    for key in ks {
        last = p.handle_key(*key);
    }
    last
}

fn typed(p: &mut ManagePane, s: &str) {
    for c in s.chars() {
        assert_eq!(p.handle_key(ch(c)), Outcome::Stay);
    }
}

/// The bodies of submitted incident patches, by incident id.
fn bodies(out: &Outcome) -> Vec<(String, serde_json::Value)> {
    let Outcome::Submit(ops) = out else {
        panic!("expected Submit, got {out:?}");
    };
    ops.iter()
        .map(|op| match op {
            WriteOp::PatchIncident {
                incident_id,
                patch,
                force,
                base_last_update,
                base,
            } => {
                assert!(!force);
                assert!(base_last_update.is_some());
                let body = patch.to_body();
                let mut sets: Vec<&str> = body
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                sets.sort_unstable();
                let seen: Vec<&str> = base.as_ref().expect("a base").fields().collect();
                assert_eq!(
                    seen, sets,
                    "the base holds exactly the fields the patch sets"
                );
                (incident_id.clone(), body)
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

fn focus(p: &mut ManagePane, f: Field) {
    for _ in 0..10 {
        if p.focus() == f {
            return;
        }
        p.handle_key(k(KeyCode::Tab));
    }
    panic!("field {f:?} not reachable");
}

fn screen(draw: impl FnOnce(&mut ratatui::Frame)) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(draw).unwrap();
    t
}

fn screen_text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

// ---- per-field bodies ----

#[test]
fn status_in_progress_submits_directly_with_only_status() {
    let mut p = pane(vec![incident("1", &[])]);
    assert!(!p.is_dirty());
    let out = keys(
        &mut p,
        &[
            k(KeyCode::Enter),
            k(KeyCode::Down),
            k(KeyCode::Enter),
            ctrl('s'),
        ],
    );
    assert_eq!(
        bodies(&out),
        vec![("1".into(), json!({"status": "inProgress"}))]
    );
}

#[test]
fn classify_true_positive_phishing_sends_schema_names_after_confirmation() {
    let mut p = pane(vec![incident("1", &[])]);
    focus(&mut p, Field::Classification);
    keys(
        &mut p,
        &[k(KeyCode::Enter), k(KeyCode::Down), k(KeyCode::Enter)],
    );
    let rows = p.picker_rows().unwrap();
    assert_eq!(rows[2], "Phishing");
    keys(
        &mut p,
        &[k(KeyCode::Down), k(KeyCode::Down), k(KeyCode::Enter)],
    );
    assert_eq!(p.handle_key(ctrl('s')), Outcome::Stay);
    let lines = p
        .confirmation()
        .expect("classification change is confirmed");
    assert_eq!(
        lines[0],
        "#1 classification: Not set → True positive / Phishing"
    );
    let out = p.handle_key(ch('y'));
    assert_eq!(
        bodies(&out),
        vec![(
            "1".into(),
            json!({"classification": "truePositive", "determination": "phishing"})
        )]
    );
}

#[test]
fn typing_filters_the_classification_picker() {
    let mut p = pane(vec![incident("1", &[])]);
    focus(&mut p, Field::Classification);
    p.handle_key(k(KeyCode::Enter));
    typed(&mut p, "false");
    assert_eq!(p.picker_rows().unwrap(), vec!["False positive"]);
    p.handle_key(k(KeyCode::Enter));
    typed(&mut p, "not e");
    assert_eq!(
        p.picker_rows().unwrap(),
        vec!["Not enough data to validate"]
    );
    p.handle_key(k(KeyCode::Enter));
    p.handle_key(ctrl('s'));
    let out = p.handle_key(k(KeyCode::Enter));
    assert_eq!(
        bodies(&out)[0].1,
        json!({"classification": "falsePositive", "determination": "notEnoughDataToValidate"})
    );
}

#[test]
fn unassign_sends_null_and_is_confirmed() {
    let mut p = pane(vec![incident("1", &[])]);
    focus(&mut p, Field::Owner);
    p.handle_key(k(KeyCode::Enter));
    let rows = p.picker_rows().unwrap();
    assert_eq!(rows[0], "Assign to me (me@contoso.com)");
    assert_eq!(rows[1], "Unassign");
    keys(&mut p, &[k(KeyCode::Down), k(KeyCode::Enter), ctrl('s')]);
    assert!(p.confirmation().is_some());
    let out = p.handle_key(ch('y'));
    assert_eq!(
        bodies(&out),
        vec![("1".into(), json!({"assignedTo": null}))]
    );
}

#[test]
fn owner_type_ahead_and_free_text() {
    let mut p = pane(vec![incident("1", &[])]);
    focus(&mut p, Field::Owner);
    p.handle_key(k(KeyCode::Enter));
    typed(&mut p, "BO");
    assert_eq!(
        p.picker_rows().unwrap(),
        vec!["bob@contoso.com", "Assign to \"BO\""]
    );
    typed(&mut p, "x");
    assert_eq!(p.picker_rows().unwrap(), vec!["Assign to \"BOx\""]);
    let out = keys(&mut p, &[k(KeyCode::Enter), ctrl('s')]);
    assert_eq!(bodies(&out)[0].1, json!({"assignedTo": "BOx"}));
}

#[test]
fn single_assign_is_not_confirmed() {
    let mut p = pane(vec![incident("1", &[])]);
    focus(&mut p, Field::Owner);
    let out = keys(&mut p, &[k(KeyCode::Enter), k(KeyCode::Enter), ctrl('s')]);
    assert_eq!(bodies(&out)[0].1, json!({"assignedTo": "me@contoso.com"}));
}

#[test]
fn resolve_prompts_for_a_comment_and_sends_it() {
    let mut p = pane(vec![incident("1", &[])]);
    p.handle_key(k(KeyCode::Enter));
    typed(&mut p, "res");
    p.handle_key(k(KeyCode::Enter));
    assert_eq!(p.focus(), Field::Comment, "resolving moves to the comment");
    typed(&mut p, "benign test");
    assert!(p.is_dirty());
    assert_eq!(p.handle_key(ctrl('s')), Outcome::Stay);
    let lines = p.confirmation().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("status: Active → Resolved"))
    );
    let out = p.handle_key(ch('y'));
    assert_eq!(
        bodies(&out)[0].1,
        json!({"status": "resolved", "resolvingComment": "benign test"})
    );
}

#[test]
fn resolve_without_comment_is_allowed() {
    let mut p = pane(vec![incident("1", &[])]);
    keys(&mut p, &[k(KeyCode::Enter), k(KeyCode::Up), k(KeyCode::Up)]);
    typed(&mut p, "resolved");
    p.handle_key(k(KeyCode::Enter));
    p.handle_key(ctrl('s'));
    let out = p.handle_key(ch('y'));
    assert_eq!(bodies(&out)[0].1, json!({"status": "resolved"}));
}

#[test]
fn severity_change_only_sends_severity() {
    let mut p = pane(vec![incident("1", &[])]);
    focus(&mut p, Field::Severity);
    p.handle_key(k(KeyCode::Enter));
    typed(&mut p, "low");
    let out = keys(&mut p, &[k(KeyCode::Enter), ctrl('s')]);
    assert_eq!(bodies(&out), vec![("1".into(), json!({"severity": "low"}))]);
}

#[test]
fn choosing_the_current_value_sends_nothing() {
    let mut p = pane(vec![incident("1", &[])]);
    // Status picker opens on the current value (Active).
    let out = keys(&mut p, &[k(KeyCode::Enter), k(KeyCode::Enter), ctrl('s')]);
    assert_eq!(out, Outcome::Stay);
    assert_eq!(p.message(), Some("nothing to change"));
    assert!(!p.is_dirty());
    assert!(p.planned_ops().is_empty());
}

#[test]
fn tags_add_with_type_ahead_and_create_new() {
    let mut p = pane(vec![incident("1", &["Demo"])]);
    focus(&mut p, Field::Tags);
    p.handle_key(k(KeyCode::Enter));
    typed(&mut p, "phi");
    p.handle_key(k(KeyCode::Enter)); // Phish (in use elsewhere)
    typed(&mut p, "brand-new");
    let rows = p.picker_rows().unwrap();
    assert!(
        rows.iter().any(|r| r == "Create new \"brand-new\""),
        "{rows:?}"
    );
    p.handle_key(k(KeyCode::Enter));
    p.handle_key(k(KeyCode::Esc));
    let out = p.handle_key(ctrl('s'));
    assert_eq!(
        bodies(&out)[0].1,
        json!({"customTags": ["Demo", "Phish", "brand-new"]})
    );
}

#[test]
fn tag_removal_is_confirmed() {
    let mut p = pane(vec![incident("1", &["Demo", "Old"])]);
    focus(&mut p, Field::Tags);
    keys(
        &mut p,
        &[
            k(KeyCode::Enter),
            k(KeyCode::Down),
            k(KeyCode::Enter),
            k(KeyCode::Esc),
        ],
    );
    assert_eq!(p.handle_key(ctrl('s')), Outcome::Stay);
    assert_eq!(p.confirmation().unwrap()[0], "#1 tags: -Old");
    // n goes back to the form; nothing sent.
    assert_eq!(p.handle_key(ch('n')), Outcome::Stay);
    assert!(p.confirmation().is_none());
    p.handle_key(ctrl('s'));
    let out = p.handle_key(ch('y'));
    assert_eq!(bodies(&out)[0].1, json!({"customTags": ["Demo"]}));
}

// ---- bulk ----

#[test]
fn bulk_tags_apply_per_incident_and_are_confirmed() {
    let mut p = pane(vec![
        incident("1", &["Demo", "Old"]),
        incident("2", &["Old"]),
        incident("3", &["Phish"]),
    ]);
    focus(&mut p, Field::Tags);
    p.handle_key(k(KeyCode::Enter));
    // Remove Old (on 2 of 3), add Phish (on 1 of 3) to all, create Triage.
    let rows = p.picker_rows().unwrap();
    assert_eq!(rows, vec!["Demo (1/3)", "Old (2/3)", "Phish (1/3)"]);
    // A partial tag cycles keep → add to all → remove from all.
    keys(&mut p, &[k(KeyCode::Down), k(KeyCode::Enter)]);
    assert_eq!(p.edits().tags_add, vec!["Old".to_string()]);
    p.handle_key(k(KeyCode::Enter));
    assert!(p.edits().tags_add.is_empty());
    assert_eq!(p.edits().tags_remove, vec!["Old".to_string()]);
    keys(&mut p, &[k(KeyCode::Down), k(KeyCode::Enter)]);
    typed(&mut p, "Triage");
    p.handle_key(k(KeyCode::Enter));
    p.handle_key(k(KeyCode::Esc));
    assert_eq!(p.handle_key(ctrl('s')), Outcome::Stay);
    let lines = p.confirmation().expect("bulk is always confirmed").to_vec();
    assert_eq!(lines[0], "#1 tags: +Phish +Triage -Old");
    assert_eq!(lines[1], "#2 tags: +Phish +Triage -Old");
    assert_eq!(lines[2], "#3 tags: +Triage");
    let out = p.handle_key(ch('y'));
    assert_eq!(
        bodies(&out),
        vec![
            (
                "1".into(),
                json!({"customTags": ["Demo", "Phish", "Triage"]})
            ),
            ("2".into(), json!({"customTags": ["Phish", "Triage"]})),
            ("3".into(), json!({"customTags": ["Phish", "Triage"]})),
        ]
    );
}

#[test]
fn bulk_assign_is_confirmed_and_skips_incidents_already_assigned() {
    let mut a = incident("1", &[]);
    a.assigned_to = Some("me@contoso.com".into());
    let mut p = pane(vec![a, incident("2", &[])]);
    focus(&mut p, Field::Owner);
    keys(&mut p, &[k(KeyCode::Enter), k(KeyCode::Enter), ctrl('s')]);
    let lines = p.confirmation().unwrap().to_vec();
    assert_eq!(lines[0], "#2 owner: alice@contoso.com → me@contoso.com");
    assert!(lines.contains(&"unchanged: #1".to_string()));
    let out = p.handle_key(k(KeyCode::Enter));
    assert_eq!(
        bodies(&out),
        vec![("2".into(), json!({"assignedTo": "me@contoso.com"}))]
    );
}

// ---- pickers ----

#[test]
fn two_level_picker_offers_exactly_the_portal_determinations() {
    for (i, class) in Classification::CHOOSABLE.iter().enumerate() {
        let mut p = pane(vec![incident("1", &[])]);
        focus(&mut p, Field::Classification);
        p.handle_key(k(KeyCode::Enter));
        let top = p.picker_rows().unwrap();
        assert_eq!(
            top,
            vec![
                "Not set",
                "True positive",
                "Informational, expected activity",
                "False positive"
            ]
        );
        for _ in 0..=i {
            p.handle_key(k(KeyCode::Down));
        }
        p.handle_key(k(KeyCode::Enter));
        let want: Vec<String> = class
            .determinations()
            .iter()
            .map(|d| d.label().to_string())
            .collect();
        assert!(!want.is_empty());
        assert_eq!(p.picker_rows().unwrap(), want, "{class:?}");
        // Esc goes back to the first level, not out of the pane.
        assert_eq!(p.handle_key(k(KeyCode::Esc)), Outcome::Stay);
        assert_eq!(p.picker_rows().unwrap(), top);
    }
}

#[test]
fn not_set_clears_classification() {
    let mut i = incident("1", &[]);
    i.classification = Some(Classification::TruePositive);
    i.determination = Some(vigil::graph::model::Determination::Malware);
    let mut p = pane(vec![i]);
    focus(&mut p, Field::Classification);
    keys(
        &mut p,
        &[
            k(KeyCode::Enter),
            k(KeyCode::Home),
            k(KeyCode::Enter),
            ctrl('s'),
        ],
    );
    let out = p.handle_key(ch('y'));
    assert_eq!(
        bodies(&out)[0].1,
        json!({"classification": "unknown", "determination": "unknown"})
    );
}

#[test]
fn awaiting_action_is_shown_but_not_choosable() {
    let mut i = incident("1", &[]);
    i.status = IncidentStatus::AwaitingAction;
    let mut p = pane(vec![i]);
    p.handle_key(k(KeyCode::Enter));
    let rows = p.picker_rows().unwrap();
    assert_eq!(
        rows,
        vec![
            "Active",
            "In progress",
            "Resolved",
            "Awaiting action",
            "Redirected"
        ]
    );
    typed(&mut p, "await");
    assert_eq!(p.picker_rows().unwrap(), vec!["Awaiting action"]);
    // Enter on the disabled row does nothing: the picker stays open, no edit.
    assert_eq!(p.handle_key(k(KeyCode::Enter)), Outcome::Stay);
    assert!(p.picker_rows().is_some());
    assert_eq!(p.edits().status, None);
    let t = screen(|f| p.render(f, f.area(), &Theme::default()));
    assert!(screen_text(&t).contains("set by Defender Experts"));
}

#[test]
fn redirected_incident_status_is_read_only() {
    let mut i = incident("1", &[]);
    i.status = IncidentStatus::Redirected;
    i.redirect_incident_id = Some("77".into());
    let mut p = pane(vec![i]);
    p.handle_key(k(KeyCode::Enter));
    assert!(p.picker_rows().is_none());
    assert_eq!(p.message(), Some("status is read-only: merged into #77"));
}

// ---- quick actions ----

#[test]
fn assign_to_me_skips_incidents_already_mine() {
    let mut mine = incident("1", &[]);
    mine.assigned_to = Some("ME@contoso.com".into());
    let ops = assign_to_me(&[mine, incident("2", &[])], "me@contoso.com");
    assert_eq!(ops.len(), 1);
    match &ops[0] {
        WriteOp::PatchIncident {
            incident_id, patch, ..
        } => {
            assert_eq!(incident_id, "2");
            assert_eq!(patch.to_body(), json!({"assignedTo": "me@contoso.com"}));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn quick_status_picks_and_submits_and_esc_closes() {
    let mut p = status_picker(vec![incident("1", &[])]);
    assert!(p.picker_rows().is_some(), "picker is open at once");
    let out = keys(&mut p, &[k(KeyCode::Down), k(KeyCode::Enter)]);
    assert_eq!(bodies(&out)[0].1, json!({"status": "inProgress"}));

    let mut p = classify_picker(vec![incident("1", &[])]);
    assert_eq!(p.handle_key(k(KeyCode::Esc)), Outcome::Close);
}

#[test]
fn quick_tags_opens_the_tag_editor() {
    let mut p = tags_picker(vec![incident("1", &["Demo"])], vec!["Phish".into()]);
    assert_eq!(p.picker_rows().unwrap(), vec!["Demo"]);
    assert_eq!(p.handle_key(k(KeyCode::Esc)), Outcome::Close);
}

// ---- read-only ----

#[test]
fn read_only_refuses_changes_and_submit() {
    let mut p = ManagePane::new_read_only(
        vec![incident("1", &[])],
        vec![],
        vec![],
        Some("me@contoso.com".into()),
        vec![],
    );
    p.handle_key(k(KeyCode::Enter));
    assert!(p.picker_rows().is_none());
    assert_eq!(p.message(), Some(READ_ONLY_MESSAGE));
    assert_eq!(p.handle_key(ctrl('s')), Outcome::Stay);
    assert_eq!(
        p.message(),
        Some("read-only mode: changes are disabled (--read-only or profile read_only)")
    );
    let t = screen(|f| p.render(f, f.area(), &Theme::default()));
    let text = screen_text(&t);
    assert!(text.contains("READ-ONLY"));
    assert!(text.contains("Status"), "fields stay visible");

    let mut c = CommentEditor::new(Target::Incident("1".into())).read_only(true);
    c.handle_paste("hello");
    assert_eq!(c.handle_key(ctrl('s')), Outcome::Stay);
    assert_eq!(c.message(), Some(READ_ONLY_MESSAGE));
}

// ---- comment editor ----

#[test]
fn comment_limit_is_enforced() {
    let mut c = CommentEditor::new(Target::Incident("9".into()));
    c.handle_paste(&"x".repeat(COMMENT_LIMIT + 1));
    assert_eq!(c.handle_key(ctrl('s')), Outcome::Stay);
    assert_eq!(
        c.message(),
        Some("comment is too long: 30,001 / 30,000 characters")
    );
    let t = screen(|f| c.render(f, f.area(), &Theme::default()));
    assert!(screen_text(&t).contains("30,001 / 30,000"));
    c.handle_key(k(KeyCode::Backspace));
    assert_eq!(c.len(), COMMENT_LIMIT);
    match c.handle_key(ctrl('s')) {
        Outcome::Submit(ops) => match &ops[..] {
            [WriteOp::CommentIncident { incident_id, text }] => {
                assert_eq!(incident_id, "9");
                assert_eq!(text.len(), COMMENT_LIMIT);
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn blank_comment_is_refused() {
    let mut c = CommentEditor::new(Target::Alert("a1".into()));
    c.handle_paste("  \n\t ");
    assert_eq!(c.handle_key(ctrl('s')), Outcome::Stay);
    assert_eq!(c.message(), Some("comment is empty"));
}

#[test]
fn paste_is_literal_text_not_keys() {
    let mut c = CommentEditor::new(Target::Alert("a1".into()));
    c.handle_paste("q\n");
    assert_eq!(c.text(), "q\n");
    assert!(c.is_dirty());
    // A pasted Esc sequence does not close the editor either.
    c.handle_paste("\x1b:wq\r\n");
    assert_eq!(c.text(), "q\n:wq\n");
    for ch_ in "ok".chars() {
        c.handle_key(ch(ch_));
    }
    match c.handle_key(ctrl('s')) {
        Outcome::Submit(ops) => assert_eq!(
            ops,
            vec![WriteOp::CommentAlert {
                alert_id: "a1".into(),
                text: "q\n:wq\nok".into()
            }]
        ),
        other => panic!("{other:?}"),
    }

    // In the manage pane a pasted "q\n" goes into the picker filter; nothing closes or submits.
    let mut p = pane(vec![incident("1", &[])]);
    p.handle_key(k(KeyCode::Enter));
    p.handle_paste("q\n");
    assert_eq!(p.picker_rows().unwrap(), Vec::<String>::new());
    assert!(p.planned_ops().is_empty());
}

#[test]
fn esc_closes_and_keeps_the_text_ctrl_d_asks_to_discard() {
    let mut c = CommentEditor::new(Target::Incident("1".into()));
    c.handle_key(ch('h'));
    assert_eq!(c.handle_key(k(KeyCode::Esc)), Outcome::Close);
    assert!(!c.is_discarded(), "Esc keeps the draft");
    assert_eq!(c.text(), "h");
    let mut c = CommentEditor::new(Target::Incident("1".into()));
    c.handle_key(ch('h'));
    assert_eq!(c.handle_key(ctrl('d')), Outcome::Stay);
    assert!(c.is_confirming_discard());
    let t = screen(|f| c.render(f, f.area(), &Theme::default()));
    assert!(screen_text(&t).contains("Discard comment? y/n"));
    assert_eq!(c.handle_key(ch('n')), Outcome::Stay);
    assert!(!c.is_confirming_discard());
    assert_eq!(c.text(), "h", "n keeps the text");
    c.handle_key(ctrl('d'));
    assert_eq!(c.handle_key(ch('y')), Outcome::Close);
    assert!(c.is_discarded());
}

#[test]
fn draft_is_not_dirty_until_edited_and_undo_works() {
    let mut c = CommentEditor::with_draft(Target::Incident("1".into()), "draft");
    assert!(!c.is_dirty());
    assert_eq!(c.handle_key(k(KeyCode::Esc)), Outcome::Close);
    let mut c = CommentEditor::new(Target::Incident("1".into()));
    c.handle_key(ch('a'));
    c.handle_key(ch('b'));
    c.handle_key(ctrl('z'));
    assert_eq!(c.text(), "a");
    c.handle_key(ctrl('y'));
    assert_eq!(c.text(), "ab");
}

// ---- alert pane ----

#[test]
fn alert_pane_resolves_with_comment() {
    let alert = Alert {
        id: "da1".into(),
        title: Some("Malware detected".into()),
        status: AlertStatus::New,
        ..Default::default()
    };
    let mut p = AlertManagePane::new(alert, vec![], Some("me@contoso.com".into()), vec![]);
    p.handle_key(k(KeyCode::Enter));
    assert_eq!(
        p.picker_rows().unwrap(),
        vec!["New", "In progress", "Resolved"]
    );
    for key in [k(KeyCode::Down), k(KeyCode::Down), k(KeyCode::Enter)] {
        p.handle_key(key);
    }
    // Status → Owner → Classification → Comment.
    for _ in 0..3 {
        p.handle_key(k(KeyCode::Tab));
    }
    p.handle_key(k(KeyCode::Enter));
    p.handle_paste("contained");
    p.handle_key(ctrl('s'));
    assert!(p.confirmation().is_some(), "resolving is confirmed");
    match p.handle_key(ch('y')) {
        Outcome::Submit(ops) => {
            assert_eq!(ops.len(), 2);
            match &ops[0] {
                WriteOp::PatchAlert { alert_id, patch } => {
                    assert_eq!(alert_id, "da1");
                    assert_eq!(patch.to_body(), json!({"status": "resolved"}));
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(
                ops[1],
                WriteOp::CommentAlert {
                    alert_id: "da1".into(),
                    text: "contained".into()
                }
            );
        }
        other => panic!("{other:?}"),
    }
}

// ---- bulk results ----

fn patch_op(id: &str) -> WriteOp {
    WriteOp::PatchIncident {
        incident_id: id.into(),
        patch: IncidentPatch {
            status: Some(IncidentStatus::Resolved),
            ..Default::default()
        },
        base_last_update: None,
        force: false,
        base: None,
    }
}

#[test]
fn bulk_results_count_and_retry_only_failed() {
    let writes: Vec<(u64, WriteOp)> = (1..=4).map(|i| (i, patch_op(&i.to_string()))).collect();
    let mut b = BulkResults::from_writes(writes, |_| "status: Active → Resolved".into());
    assert_eq!(b.summary(), "0 done, 0 failed, 4 pending");
    b.record(1, ItemResult::Done);
    b.record(2, ItemResult::Failed("403 Forbidden".into()));
    b.record(3, ItemResult::Done);
    b.record(99, ItemResult::Done); // unknown op: ignored
    assert_eq!(b.counts(), (2, 1, 1));
    assert_eq!(b.summary(), "2 done, 1 failed, 1 pending");
    assert!(!b.is_finished());
    let out = b.handle_key(ch('R'));
    assert_eq!(out, Outcome::Submit(vec![patch_op("2")]));
    b.rebind(2, 12);
    assert_eq!(b.counts(), (2, 0, 2));
    b.record(12, ItemResult::Done);
    b.record(4, ItemResult::Done);
    assert!(b.is_finished());
    assert_eq!(b.handle_key(ch('R')), Outcome::Stay);
    assert_eq!(b.message(), Some("no failed writes to retry"));
    assert_eq!(b.handle_key(k(KeyCode::Esc)), Outcome::Close);
}

// ---- conflict ----

#[test]
fn conflict_dialog_shows_server_change_and_asks_to_overwrite() {
    let mut server = incident("5", &[]);
    server.status = IncidentStatus::Resolved;
    server.last_modified_by = Some("portal:jordan@contoso.com".into());
    let local = IncidentPatch {
        assigned_to: Some(Some("me@contoso.com".into())),
        ..Default::default()
    };
    let mut d = conflict_dialog(&local, &server, &["status".into()]);
    assert!(
        d.lines()
            .iter()
            .any(|l| l == "  status is now Resolved by portal:jordan@contoso.com")
    );
    assert_eq!(d.handle_key(ch('y')), Outcome::Yes);
    assert_eq!(d.handle_key(k(KeyCode::Esc)), Outcome::No);
}

// ---- rendering ----

#[test]
fn untrusted_text_is_sanitised_on_screen() {
    let mut i = incident("1", &["evil\x1b]52;c;aGk=\x07"]);
    i.display_name = Some("Title \x1b[2J with escape".into());
    i.assigned_to = Some("bob\u{202E}moc.osotnoc".into());
    let p = pane(vec![i]);
    let t = screen(|f| p.render(f, f.area(), &Theme::default()));
    let text = screen_text(&t);
    assert!(!text.contains('\x1b'));
    assert!(!text.contains('\u{202E}'));
    assert!(text.contains("\\x1b[2J"));
}

#[test]
fn snapshot_manage_pane_with_edits() {
    let mut i = incident("123", &["Demo", "Old"]);
    i.display_name = Some(
        "Multi-stage incident involving Execution & Command and control on one endpoint".into(),
    );
    let mut p = pane(vec![i]);
    focus(&mut p, Field::Severity);
    p.handle_key(k(KeyCode::Enter));
    typed(&mut p, "med");
    p.handle_key(k(KeyCode::Enter));
    p.handle_key(k(KeyCode::Tab));
    let t = screen(|f| p.render(f, f.area(), &Theme::default()));
    insta::assert_snapshot!("manage_pane", t.backend());
}

#[test]
fn snapshot_bulk_confirmation() {
    let mut p = pane(vec![
        incident("101", &["Demo"]),
        incident("102", &[]),
        incident("103", &["Phish"]),
    ]);
    p.handle_key(k(KeyCode::Enter));
    typed(&mut p, "res");
    p.handle_key(k(KeyCode::Enter));
    typed(&mut p, "false alarm");
    p.handle_key(ctrl('s'));
    assert!(p.confirmation().is_some());
    let t = screen(|f| p.render(f, f.area(), &Theme::default()));
    insta::assert_snapshot!("bulk_confirmation", t.backend());
}

#[test]
fn snapshot_bulk_results() {
    let writes: Vec<(u64, WriteOp)> = (1..=30)
        .map(|i| (i, patch_op(&(1000 + i).to_string())))
        .collect();
    let mut b = BulkResults::from_writes(writes, |_| "status: Active → Resolved".into());
    for i in 1..=12 {
        b.record(i, ItemResult::Done);
    }
    b.record(
        13,
        ItemResult::Failed("InvalidRequestBody: Request body is incorrect".into()),
    );
    let t = screen(|f| b.render(f, f.area(), &Theme::default()));
    let text = screen_text(&t);
    assert!(text.contains("12 done, 1 failed, 17 pending"));
    insta::assert_snapshot!("bulk_results", t.backend());
}

#[test]
fn snapshot_resolving_with_comment_fits_80x24() {
    let mut p = pane(vec![incident("123", &["Demo"])]);
    p.handle_key(k(KeyCode::Enter));
    typed(&mut p, "res");
    p.handle_key(k(KeyCode::Enter));
    typed(
        &mut p,
        "Confirmed benign: scheduled pen test by the red team, ticket SEC-4411.",
    );
    let t = screen(|f| p.render(f, f.area(), &Theme::default()));
    let text = screen_text(&t);
    assert!(text.contains("Active → Resolved"));
    assert!(text.contains("[ Save ]"), "the whole pane fits:\n{text}");
    insta::assert_snapshot!("manage_pane_resolving", t.backend());
}
