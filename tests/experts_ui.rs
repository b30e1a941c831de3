//! Tests for the Defender Experts UI components (src/ui/experts_ui): the compose pane, the
//! inquiries list, the notification view and delivery planning. Snapshots render on a
//! `TestBackend` at 100x30 and 80x24.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use std::time::{Duration, Instant};
use vigil::experts::{
    Channel, DeliveryStatus, Draft, IncidentTask, Inquiry, InquiryTopic, MAX_COMMENT_CHARS,
    TaskStatus, TemplateVars, build_context, vars_from,
};
use vigil::graph::model::{Alert, Incident, Timestamp};
use vigil::sync::messages::WriteOp;
use vigil::ui::experts_ui::{
    AskExpertsPane, Delivery, Focus, InquiriesList, NotificationView, plan_delivery,
};
use vigil::ui::keymap::Keymap;
use vigil::ui::overlay::{Outcome, Overlay};
use vigil::ui::theme::Theme;

// ---------- fixtures ----------

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn now() -> Timestamp {
    ts("2026-01-23T09:30:00Z")
}

const KQL1: &str = "DeviceProcessEvents\n| where DeviceName == \"wks-042\"\n| where ProcessCommandLine has_any (\"-enc\", \"-EncodedCommand\")\n| project Timestamp, DeviceName, AccountName, ProcessCommandLine";
const KQL2: &str =
    "DeviceNetworkEvents | where RemoteUrl has \"evil.example\" | summarize count() by DeviceName";

fn incident(beta: bool) -> Incident {
    let mut v = json!({
        "id": "29", "status": "awaitingAction", "severity": "high",
        "displayName": "Defender Experts: Suspicious PowerShell on wks-042",
        "description": "Defender Experts observed an encoded PowerShell command on wks-042 that downloaded a second-stage payload from a known command-and-control domain. The activity matches a Raspberry Robin infection chain.",
        "summary": "Defender Experts has identified malicious activity.",
        "incidentWebUrl": "https://security.microsoft.com/incident2/29/overview?tid=t-1",
        "assignedTo": "Customer", "systemTags": ["Defender Experts"],
        "createdDateTime": "2026-01-22T12:09:23Z", "lastUpdateDateTime": "2026-01-23T08:00:00Z"
    });
    if beta {
        v["recommendedActions"] = json!(
            "Isolate wks-042, reset the password of CONTOSO\\kai and block evil.example at the proxy."
        );
        v["recommendedHuntingQueries"] =
            json!([{ "kqlText": KQL1 }, { "kqlText": "  " }, { "kqlText": KQL2 }]);
    }
    serde_json::from_value(v).unwrap()
}

fn alerts() -> Vec<Alert> {
    let a1: Alert = serde_json::from_value(json!({
        "id": "da1", "incidentId": "29", "title": "Suspicious PowerShell command line",
        "severity": "high", "status": "new", "detectionSource": "microsoftThreatExperts",
        "threatDisplayName": "Raspberry Robin", "mitreTechniques": ["T1059.001"],
        "firstActivityDateTime": "2026-01-22T10:00:00Z", "lastActivityDateTime": "2026-01-22T11:30:00Z",
        "evidence": [
            { "@odata.type": "#microsoft.graph.security.deviceEvidence", "deviceDnsName": "wks-042.contoso.com",
              "mdeDeviceId": "73e7e2de709dff64ef64b1d0c30e67fab63279db" },
            { "@odata.type": "#microsoft.graph.security.processEvidence", "processId": 4780,
              "processCommandLine": "powershell.exe -enc SQBFAFgA",
              "imageFile": { "fileName": "powershell.exe" },
              "userAccount": { "accountName": "kai", "domainName": "CONTOSO" } }
        ]
    }))
    .unwrap();
    vec![a1]
}

fn tasks() -> Vec<IncidentTask> {
    vec![
        IncidentTask::from_value(json!({
            "id": "213213", "incident": { "id": "29" }, "status": "open",
            "displayName": "Isolate device wks-042",
            "description": "This action will isolate device wks-042 from the network.",
            "actionType": "isolateDevice", "actionStatus": "notStarted"
        }))
        .unwrap(),
        IncidentTask::from_value(json!({
            "id": "213214", "incident": { "id": "29" }, "status": "open",
            "displayName": "Reset the password of kai",
            "actionType": "forceUserPasswordReset", "actionStatus": "notStarted"
        }))
        .unwrap(),
    ]
}

fn topic() -> InquiryTopic {
    InquiryTopic::from_incident(&incident(false))
}

fn vars() -> TemplateVars {
    vars_from(&topic(), Some(&incident(false)), &alerts())
}

fn pane_with(restored: Option<Draft>, vars: TemplateVars) -> AskExpertsPane {
    let inc = incident(false);
    let t = topic();
    AskExpertsPane::new(
        t.clone(),
        build_context(&t, Some(&inc), &alerts()),
        restored,
        vec!["soc@contoso.com".into()],
        vec![Channel::Email, Channel::IncidentComment, Channel::Portal],
        "3 of 10 inquiries used this quarter".into(),
        "https://security.microsoft.com/incident2/29/overview?tid=t-1".into(),
        vars,
    )
}

fn pane() -> AskExpertsPane {
    pane_with(None, vars())
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

fn type_text(p: &mut AskExpertsPane, s: &str) {
    for c in s.chars() {
        let o = p.handle_key(ch(c), now());
        assert_eq!(o, Outcome::Stay);
    }
}

/// ctrl-s, which asks, then `y`.
fn confirm_send(p: &mut AskExpertsPane) -> Outcome {
    assert_eq!(p.handle_key(ctrl('s'), now()), Outcome::Stay);
    assert!(p.confirming_send(), "{:?}", p.message());
    p.handle_key(ch('y'), now())
}

fn render(c: &dyn Overlay, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| c.render(f, f.area(), &Theme::default(), &Keymap::default()))
        .unwrap();
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn inquiry(channels: &[Channel]) -> Inquiry {
    let mut i = Inquiry::new(
        topic(),
        "Can you confirm whether wks-042.contoso.com is compromised?\n\n--- Context ---\nTopic: Incident 29".into(),
        vec!["soc@contoso.com".into()],
        channels,
        ts("2026-01-23T09:00:00Z"),
    );
    i.id = "0b6f6f2e-1111-4222-8333-444455556666".into();
    i
}

// ---------- compose pane ----------

#[test]
fn template_insertion_fills_the_device_from_evidence() {
    let mut p = pane();
    type_text(&mut p, "Thanks!");
    assert_eq!(p.handle_key(ctrl('t'), now()), Outcome::Stay);
    assert!(p.chooser_open());
    // Group 2 ("Possible device compromise") starts after the questions of group 1.
    for _ in 0..vigil::experts::templates::templates()[0].templates.len() {
        p.handle_key(key(KeyCode::Down), now());
    }
    p.handle_key(key(KeyCode::Enter), now());
    assert!(!p.chooser_open());
    let body = p.body_text();
    assert!(
        body.starts_with("Can you help confirm whether wks-042.contoso.com is compromised given"),
        "{body}"
    );
    assert!(body.ends_with("\n\nThanks!"), "{body}");
    assert!(!body.contains("<device?>"));
    // Undo (ctrl-z) removes the insertion, redo (ctrl-y) restores it.
    p.handle_key(ctrl('z'), now());
    assert_eq!(p.body_text(), "Thanks!");
    p.handle_key(ctrl('y'), now());
    assert_eq!(p.body_text(), body);
}

#[test]
fn paste_inserts_literally_and_neutralises_controls() {
    let mut p = pane();
    p.handle_paste("first line\r\nsecond ctrl-s <device?>\nthird");
    assert_eq!(p.body_text(), "first line\nsecond ctrl-s <device?>\nthird");
    p.handle_paste(" \u{1b}[2J");
    assert!(!p.body_text().contains('\u{1b}'));
    assert!(p.body_text().contains("[2J"));
    assert_eq!(p.body_chars(), p.body_text().chars().count());
    // In the reply field newlines become separators.
    p.handle_key(key(KeyCode::Tab), now());
    p.handle_key(key(KeyCode::Tab), now());
    assert_eq!(p.focus(), Focus::ReplyTo);
    p.handle_paste("\nkai@contoso.com\n");
    assert_eq!(p.reply_to_text(), "soc@contoso.com, kai@contoso.com");
}

#[test]
fn ctrl_s_with_an_empty_body_is_refused() {
    let mut p = pane();
    type_text(&mut p, "   ");
    for _ in 0..2 {
        assert_eq!(p.handle_key(ctrl('s'), now()), Outcome::Stay);
        assert!(p.message().unwrap().contains("empty"), "{:?}", p.message());
    }
}

#[test]
fn unfilled_placeholder_needs_a_second_ctrl_s() {
    let mut p = pane_with(None, TemplateVars::default());
    p.handle_key(ctrl('t'), now());
    p.handle_key(key(KeyCode::Enter), now());
    assert!(
        p.body_text().contains("<alert_title?>"),
        "{}",
        p.body_text()
    );
    assert_eq!(p.handle_key(ctrl('s'), now()), Outcome::Stay);
    assert!(p.message().unwrap().contains("<alert_title?>"));
    // An edit in between cancels the pending confirmation.
    type_text(&mut p, "!");
    assert_eq!(p.handle_key(ctrl('s'), now()), Outcome::Stay);
    match confirm_send(&mut p) {
        Outcome::Send(inq) => assert!(inq.body.contains("<device?>")),
        other => panic!("expected Send, got {other:?}"),
    }
}

#[test]
fn send_uses_the_chosen_channels_and_the_context_block() {
    let mut p = pane();
    type_text(&mut p, "Is wks-042 still infected?");
    // Context: append a note.
    p.handle_key(key(KeyCode::Tab), now());
    p.handle_key(ctrl('e'), now());
    p.handle_paste("\nAnalyst note: reimaged on Friday.");
    // Channels: switch off the middle one (incident comment).
    p.handle_key(key(KeyCode::Tab), now());
    p.handle_key(key(KeyCode::Tab), now());
    assert_eq!(p.focus(), Focus::Channels);
    p.handle_key(key(KeyCode::Right), now());
    p.handle_key(ch(' '), now());
    assert_eq!(p.selected_channels(), vec![Channel::Email, Channel::Portal]);
    let inq = match confirm_send(&mut p) {
        Outcome::Send(inq) => inq,
        other => panic!("expected Send, got {other:?}"),
    };
    assert_eq!(
        inq.deliveries,
        vec![
            (Channel::Email, DeliveryStatus::Queued),
            (Channel::Portal, DeliveryStatus::Queued)
        ]
    );
    assert!(
        inq.body
            .starts_with("Is wks-042 still infected?\n\n--- Context (generated by vigil")
    );
    assert!(inq.body.contains("wks-042.contoso.com"));
    assert!(inq.body.contains("Analyst note: reimaged on Friday."));
    assert_eq!(inq.reply_to, vec!["soc@contoso.com"]);
    assert_eq!(inq.topic, topic());
    assert_eq!(inq.created, now());
    // After sending nothing else is saved or sent.
    assert_eq!(p.handle_key(ctrl('s'), now()), Outcome::Stay);
    assert!(
        p.autosave_due(Instant::now() + Duration::from_secs(5))
            .is_none()
    );
}

#[test]
fn invalid_reply_address_or_no_channel_blocks_sending() {
    let mut p = pane();
    type_text(&mut p, "Question");
    p.handle_key(key(KeyCode::Tab), now());
    p.handle_key(key(KeyCode::Tab), now());
    type_text(&mut p, ", not-an-address");
    assert_eq!(p.handle_key(ctrl('s'), now()), Outcome::Stay);
    assert!(p.message().unwrap().contains("not-an-address"));
    for _ in 0..16 {
        p.handle_key(key(KeyCode::Backspace), now());
    }
    for c in [Channel::Email, Channel::IncidentComment, Channel::Portal] {
        p.set_channel_enabled(c, false);
    }
    assert_eq!(p.handle_key(ctrl('s'), now()), Outcome::Stay);
    assert!(p.message().unwrap().contains("channel"));
    p.set_channel_enabled(Channel::Portal, true);
    assert!(matches!(confirm_send(&mut p), Outcome::Send(_)));
}

#[test]
fn autosave_waits_a_second_after_the_first_edit() {
    let mut p = pane();
    let t0 = Instant::now();
    assert!(p.autosave_due(t0).is_none(), "nothing edited yet");
    type_text(&mut p, "Hel");
    assert!(p.is_dirty());
    assert!(p.autosave_due(t0).is_none());
    assert!(p.autosave_due(t0 + Duration::from_millis(900)).is_none());
    let d = p
        .autosave_due(t0 + Duration::from_millis(1000))
        .expect("due after 1 s");
    assert!(d.body.starts_with("Hel\n\n--- Context"));
    assert_eq!(d.key, "incident:29");
    assert_eq!(d.updated, now());
    assert!(!p.is_dirty());
    assert!(p.autosave_due(t0 + Duration::from_millis(1500)).is_none());
    type_text(&mut p, "lo");
    assert!(p.autosave_due(t0 + Duration::from_millis(1600)).is_none());
    let d2 = p.autosave_due(t0 + Duration::from_millis(2000)).unwrap();
    assert!(d2.body.starts_with("Hello"));
    // A failed write is retried a second later.
    p.autosave_failed(t0 + Duration::from_millis(2000));
    assert!(p.autosave_due(t0 + Duration::from_millis(2500)).is_none());
    assert!(p.autosave_due(t0 + Duration::from_millis(3000)).is_some());
}

#[test]
fn esc_saves_the_draft_then_closes() {
    let mut p = pane();
    type_text(&mut p, "half a question");
    let out = p.handle_key(key(KeyCode::Esc), now());
    match out {
        Outcome::SaveDraft(d) => {
            assert!(d.body.starts_with("half a question"));
            assert_eq!(d.reply_to, vec!["soc@contoso.com"]);
        }
        other => panic!("expected SaveDraft, got {other:?}"),
    }
    assert_eq!(p.take_followup(), Some(Outcome::Close));
    assert_eq!(p.take_followup(), None);
    // An untouched pane just closes.
    let mut q = pane();
    assert_eq!(q.handle_key(key(KeyCode::Esc), now()), Outcome::Close);
    assert_eq!(q.take_followup(), None);
}

#[test]
fn restored_draft_splits_question_and_context() {
    let mut p = pane();
    type_text(&mut p, "Restored question");
    let saved = p.draft(ts("2026-01-23T09:00:00Z"));
    let r = pane_with(Some(saved.clone()), vars());
    assert_eq!(r.body_text(), "Restored question");
    assert!(
        r.context_text()
            .starts_with("--- Context (generated by vigil")
    );
    assert_eq!(r.draft(ts("2026-01-23T09:00:00Z")), saved);
    assert!(r.message().unwrap().contains("Draft restored"));
}

#[test]
fn key_releases_are_ignored() {
    let mut p = pane();
    let mut k = ch('a');
    k.kind = KeyEventKind::Release;
    p.handle_key(k, now());
    assert_eq!(p.body_text(), "");
}

// ---------- delivery planning ----------

#[test]
fn plan_delivery_for_each_channel() {
    let inq = inquiry(&[Channel::Email, Channel::IncidentComment, Channel::Portal]);
    let link = "https://security.microsoft.com/incident2/29/overview?tid=t-1";
    let plan = plan_delivery(&inq, None, "me", Some("experts@contoso.com"), link);
    assert_eq!(plan.len(), 3);
    match &plan[0] {
        Delivery::Email(mail) => {
            let (path, body) = (mail.path(), mail.body());
            assert_eq!(path, "/v1.0/me/sendMail");
            assert_eq!(
                body["message"]["toRecipients"][0]["emailAddress"]["address"],
                "experts@contoso.com"
            );
            assert_eq!(
                body["message"]["replyTo"][0]["emailAddress"]["address"],
                "soc@contoso.com"
            );
            assert!(
                body["message"]["body"]["content"]
                    .as_str()
                    .unwrap()
                    .contains("is compromised?")
            );
        }
        other => panic!("{other:?}"),
    }
    match &plan[1] {
        Delivery::Comment(WriteOp::CommentIncident { incident_id, text }) => {
            assert_eq!(incident_id, "29");
            assert!(text.contains("is compromised?"));
            assert!(text.chars().count() <= MAX_COMMENT_CHARS);
        }
        other => panic!("{other:?}"),
    }
    match &plan[2] {
        Delivery::Portal {
            clipboard,
            instruction,
        } => {
            assert!(
                clipboard.contains("Can you confirm whether wks-042.contoso.com is compromised?")
            );
            assert!(instruction.contains(link));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        plan.iter().map(Delivery::channel).collect::<Vec<_>>(),
        vec![Channel::Email, Channel::IncidentComment, Channel::Portal]
    );
    // A shared mailbox goes to /users/{upn}/sendMail.
    let shared = plan_delivery(
        &inq,
        None,
        "soc@contoso.com",
        Some("experts@contoso.com"),
        link,
    );
    assert!(
        matches!(&shared[0], Delivery::Email(mail) if mail.path() == "/v1.0/users/soc%40contoso.com/sendMail")
    );
}

#[test]
fn plan_delivery_caps_long_comments_and_reports_missing_config() {
    let mut inq = inquiry(&[Channel::Email, Channel::IncidentComment]);
    inq.body = "x".repeat(50_000);
    let plan = plan_delivery(
        &inq,
        Some("29"),
        "me",
        None,
        "https://security.microsoft.com/",
    );
    match &plan[0] {
        Delivery::Failed { channel, reason } => {
            assert_eq!(*channel, Channel::Email);
            assert!(reason.contains("address"));
        }
        other => panic!("{other:?}"),
    }
    match &plan[1] {
        Delivery::Comment(WriteOp::CommentIncident { text, .. }) => {
            assert!(text.chars().count() <= MAX_COMMENT_CHARS)
        }
        other => panic!("{other:?}"),
    }
    // A device topic has no incident to comment on; sent deliveries are not planned again.
    let mut dev = Inquiry::new(
        InquiryTopic::Device {
            name: "wks-042".into(),
            mde_device_id: None,
            url: None,
        },
        "q".into(),
        vec![],
        &[Channel::IncidentComment, Channel::Portal],
        now(),
    );
    dev.deliveries[1].1 = DeliveryStatus::Sent { at: now() };
    let plan = plan_delivery(&dev, None, "me", Some("a@b.co"), "https://x.example/");
    assert_eq!(plan.len(), 1);
    assert!(matches!(
        &plan[0],
        Delivery::Failed {
            channel: Channel::IncidentComment,
            ..
        }
    ));
}

// ---------- inquiries list ----------

fn list() -> InquiriesList {
    let draft = Draft::new(
        topic(),
        "Is this a true positive?".into(),
        vec![],
        ts("2026-01-23T08:00:00Z"),
    );
    let mut failed = inquiry(&[Channel::Email, Channel::IncidentComment]);
    failed.deliveries[0].1 = DeliveryStatus::Sent {
        at: ts("2026-01-23T09:01:00Z"),
    };
    failed.deliveries[1].1 = DeliveryStatus::Failed {
        reason: "403 Forbidden: missing SecurityIncident.ReadWrite.All".into(),
        at: ts("2026-01-23T09:01:00Z"),
    };
    let mut queued = inquiry(&[Channel::Portal]);
    queued.id = "9c1c0000-aaaa-4bbb-8ccc-ddddeeeeffff".into();
    queued.created = ts("2026-01-22T15:00:00Z");
    InquiriesList::new(vec![draft], vec![queued, failed])
}

#[test]
fn inquiries_list_reopens_retries_and_deletes_with_confirmation() {
    let mut l = list();
    assert_eq!(l.len(), 3);
    match l.handle_key(key(KeyCode::Enter), now()) {
        Outcome::OpenDraft(d) => assert_eq!(d.key, "incident:29"),
        other => panic!("{other:?}"),
    }
    // R on a draft does nothing.
    assert_eq!(l.handle_key(ch('R'), now()), Outcome::Stay);
    l.handle_key(key(KeyCode::Down), now());
    assert_eq!(
        l.handle_key(ch('R'), now()),
        Outcome::Retry("0b6f6f2e-1111-4222-8333-444455556666".into())
    );
    // The queued inquiry has nothing to retry.
    l.handle_key(key(KeyCode::Down), now());
    assert_eq!(l.handle_key(ch('R'), now()), Outcome::Stay);
    // Delete: first refused without confirmation, then confirmed.
    l.handle_key(key(KeyCode::Home), now());
    assert_eq!(l.handle_key(ch('d'), now()), Outcome::Stay);
    assert!(l.confirming_delete());
    assert_eq!(l.handle_key(ch('n'), now()), Outcome::Stay);
    assert_eq!(l.len(), 3);
    l.handle_key(ch('d'), now());
    assert_eq!(
        l.handle_key(ch('y'), now()),
        Outcome::DeleteDraft("incident:29".into())
    );
    assert_eq!(l.len(), 2);
    assert_eq!(l.handle_key(key(KeyCode::Esc), now()), Outcome::Close);
}

// ---------- notification view ----------

#[test]
fn notification_with_and_without_beta_fields() {
    let v1 = NotificationView::new(&incident(false), vec![]);
    let text = render(&v1, 100, 30);
    assert!(text.contains("Beta fields unavailable — showing v1.0 data"));
    assert!(text.contains("Awaiting customer action"));
    assert!(text.contains("Owner: Customer"));
    assert!(text.contains("Not available in v1.0 data."));
    assert!(!text.contains("Query 1"));
    let mut v1 = v1;
    assert_eq!(
        v1.handle_key(ch('b'), now()),
        Outcome::LoadBeta {
            incident_id: "29".into()
        }
    );

    let beta = NotificationView::new(&incident(true), tasks());
    let text = render(&beta, 100, 30);
    assert!(!text.contains("Beta fields unavailable"));
    assert!(text.contains("Isolate wks-042, reset the password"));
    assert!(text.contains("Advanced hunting queries (2)"));
    assert!(text.contains("Query 1"));
    assert!(text.contains("| where DeviceName == \"wks-042\""));
    assert_eq!(beta.details().hunting_queries.len(), 2);
}

#[test]
fn owner_defender_experts_is_labelled() {
    let mut inc = incident(true);
    inc.assigned_to = Some("Defender Experts".into());
    inc.status = vigil::graph::model::IncidentStatus::InProgress;
    let text = render(&NotificationView::new(&inc, vec![]), 100, 30);
    assert!(text.contains("Owner: Defender Experts"));
    assert!(text.contains("In progress"));
    assert!(!text.contains("Awaiting customer action"));
}

#[test]
fn hunting_query_copy_is_the_exact_kql() {
    let mut v = NotificationView::new(&incident(true), vec![]);
    assert_eq!(
        v.handle_key(ch('y'), now()),
        Outcome::CopyToClipboard {
            text: KQL1.into(),
            what: "hunting query 1".into()
        }
    );
    assert_eq!(v.handle_key(ch('c'), now()), Outcome::Stay);
    assert_eq!(
        v.handle_key(ch('2'), now()),
        Outcome::CopyToClipboard {
            text: KQL2.into(),
            what: "hunting query 2".into()
        }
    );
    // c + a number without a query copies nothing.
    v.handle_key(ch('c'), now());
    assert_eq!(v.handle_key(ch('7'), now()), Outcome::Stay);
    // A query carrying terminal controls is copied with them made visible.
    let mut inc = incident(true);
    inc.recommended_hunting_queries = Some(vec![vigil::graph::model::HuntingQuery {
        kql_text: "T | where x == \"\u{1b}]52;c;AAAA\u{7}\"".into(),
    }]);
    let mut bad = NotificationView::new(&inc, vec![]);
    match bad.handle_key(ch('y'), now()) {
        Outcome::CopyToClipboard { text, .. } => {
            assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'));
            assert!(text.contains("<U+001B>"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn tasks_section_hidden_when_there_are_no_tasks() {
    let without = render(&NotificationView::new(&incident(true), vec![]), 100, 30);
    assert!(!without.contains("Managed response tasks"));
    let mut with = NotificationView::new(&incident(true), tasks());
    with.select_task(0);
    let text = render(&with, 100, 30);
    assert!(text.contains("Managed response tasks (2)"), "{text}");
    assert!(text.contains("Isolate device wks-042"));
}

#[test]
fn task_updates_and_execute_needs_confirmation() {
    let mut v = NotificationView::new(&incident(true), tasks());
    // x with a query selected is not a task update.
    assert_eq!(v.handle_key(ch('x'), now()), Outcome::Stay);
    assert!(v.select_task(0));
    assert_eq!(
        v.handle_key(ch('x'), now()),
        Outcome::TaskUpdate {
            task_id: "213213".into(),
            status: TaskStatus::Completed
        }
    );
    assert_eq!(
        v.handle_key(ch('n'), now()),
        Outcome::TaskUpdate {
            task_id: "213213".into(),
            status: TaskStatus::NotRelevant
        }
    );
    // ! asks first; anything but y cancels.
    assert_eq!(v.handle_key(ch('!'), now()), Outcome::Stay);
    assert!(v.confirming_execute());
    let text = render(&v, 80, 24);
    assert!(text.contains("Response action"), "{text}");
    assert!(text.contains("does not run response actions"), "{text}");
    assert_eq!(v.handle_key(ch('n'), now()), Outcome::Stay);
    assert!(!v.confirming_execute());
    v.handle_key(ch('!'), now());
    assert_eq!(
        v.handle_key(ch('y'), now()),
        Outcome::TaskExecute {
            task_id: "213213".into()
        }
    );
    // A manual (non-executable) task cannot be run.
    v.handle_key(key(KeyCode::Down), now());
    assert_eq!(v.handle_key(ch('!'), now()), Outcome::Stay);
    assert!(!v.confirming_execute());
    assert_eq!(v.handle_key(ch('y'), now()), Outcome::Stay);
}

// ---------- snapshots ----------

fn snapshot_pane() -> AskExpertsPane {
    let mut p = pane();
    p.handle_key(ctrl('t'), now());
    // The first question of group 2 ("Possible device compromise").
    for _ in 0..vigil::experts::templates::templates()[0].templates.len() {
        p.handle_key(key(KeyCode::Down), now());
    }
    p.handle_key(key(KeyCode::Enter), now());
    p
}

#[test]
fn snapshots_at_100x30() {
    let p = snapshot_pane();
    insta::assert_snapshot!("ask_100x30", render(&p, 100, 30));
    let mut chooser = pane();
    chooser.handle_key(ctrl('t'), now());
    insta::assert_snapshot!("ask_templates_100x30", render(&chooser, 100, 30));
    let mut l = list();
    l.handle_key(key(KeyCode::Down), now());
    insta::assert_snapshot!("inquiries_100x30", render(&l, 100, 30));
    let mut n = NotificationView::new(&incident(true), tasks());
    n.select_task(0);
    insta::assert_snapshot!("notification_beta_100x30", render(&n, 100, 30));
    let v1 = NotificationView::new(&incident(false), vec![]);
    insta::assert_snapshot!("notification_v1_100x30", render(&v1, 100, 30));
}

#[test]
fn snapshots_at_80x24() {
    let p = snapshot_pane();
    insta::assert_snapshot!("ask_80x24", render(&p, 80, 24));
    let l = list();
    insta::assert_snapshot!("inquiries_80x24", render(&l, 80, 24));
    let n = NotificationView::new(&incident(true), tasks());
    insta::assert_snapshot!("notification_beta_80x24", render(&n, 80, 24));
    let mut t = NotificationView::new(&incident(true), tasks());
    t.select_task(0);
    t.handle_key(ch('!'), now());
    insta::assert_snapshot!("notification_confirm_80x24", render(&t, 80, 24));
}

/// Issue 11.3: `R` retries failed channels only. A delivery still in the outbox is not sent
/// again (the message says so); an email whose outcome is unknown is re-sent only on a second
/// `R`, after the list told the analyst to check Sent Items.
#[test]
fn retry_skips_outbox_deliveries_and_confirms_unknown_mail() {
    let mut pending = inquiry(&[Channel::Email, Channel::IncidentComment]);
    pending.deliveries = vec![
        (
            Channel::Email,
            DeliveryStatus::Pending {
                op: 5,
                note: Some("503".into()),
            },
        ),
        (Channel::IncidentComment, DeliveryStatus::Sent { at: now() }),
    ];
    let mut l = InquiriesList::new(vec![], vec![pending]);
    assert_eq!(l.handle_key(ch('R'), now()), Outcome::Stay);
    assert!(
        l.message().unwrap().contains("still in the outbox"),
        "{:?}",
        l.message()
    );
    assert!(render(&l, 100, 30).contains("email: pending in the outbox, last error: 503"));

    let mut unknown = inquiry(&[Channel::Email]);
    unknown.deliveries = vec![(
        Channel::Email,
        DeliveryStatus::Failed {
            reason: format!("{} (403)", vigil::sync::writer::MAIL_OUTCOME_UNKNOWN),
            at: now(),
        },
    )];
    let id = unknown.id.clone();
    let mut l = InquiriesList::new(vec![], vec![unknown.clone()]);
    assert_eq!(l.handle_key(ch('R'), now()), Outcome::Stay);
    assert!(
        l.message().unwrap().contains("Sent Items"),
        "{:?}",
        l.message()
    );
    // The host's refresh between the two presses keeps the question.
    l.set_data(vec![], vec![unknown]);
    assert_eq!(l.handle_key(ch('R'), now()), Outcome::Retry(id));
}
