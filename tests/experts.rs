//! Integration tests for the Defender Experts core (src/experts).

use serde_json::json;
use std::time::{Duration, Instant};
use vigil::experts::drafts::{Autosave, Draft, DraftStore};
use vigil::experts::outbox::{Channel, DeliveryStatus, Inquiry, InquiryStore};
use vigil::experts::templates::{self, TemplateVars};
use vigil::experts::*;
use vigil::graph::model::{Alert, Incident, Timestamp};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn incident(v: serde_json::Value) -> Incident {
    serde_json::from_value(v).unwrap()
}

fn alert(v: serde_json::Value) -> Alert {
    serde_json::from_value(v).unwrap()
}

const SHA256: &str = "8963a19fb992ad9a76576c5638fd68292cffb9aaac29eb8285f9abf6196a7dec";
const SHA1: &str = "5f1e8acedc065031aad553b710838eb366cfee9a";

/// An incident with two alerts carrying device, file, process, user, IP and URL evidence.
fn scenario(command_line: &str) -> (Incident, Vec<Alert>) {
    let inc = incident(json!({
        "id": "29", "status": "awaitingAction", "severity": "high",
        "displayName": "Defender Experts: Suspicious PowerShell on wks-042",
        "incidentWebUrl": "https://security.microsoft.com/incident2/29/overview?tid=t-1",
        "assignedTo": "Customer", "systemTags": ["Defender Experts"],
        "createdDateTime": "2026-01-22T12:09:23Z", "lastUpdateDateTime": "2026-01-23T08:00:00Z"
    }));
    let a1 = alert(json!({
        "id": "da1", "incidentId": "29", "title": "Suspicious PowerShell command line",
        "severity": "high", "status": "new", "detectionSource": "microsoftThreatExperts",
        "alertWebUrl": "https://security.microsoft.com/alerts/da1?tid=t-1",
        "threatDisplayName": "Raspberry Robin", "mitreTechniques": ["T1059.001", "T1027"],
        "firstActivityDateTime": "2026-01-22T10:00:00Z", "lastActivityDateTime": "2026-01-22T11:30:00Z",
        "evidence": [
            { "@odata.type": "#microsoft.graph.security.deviceEvidence", "deviceDnsName": "wks-042.contoso.com",
              "mdeDeviceId": "73e7e2de709dff64ef64b1d0c30e67fab63279db", "ipInterfaces": ["10.1.2.3"] },
            { "@odata.type": "#microsoft.graph.security.fileEvidence",
              "fileDetails": { "fileName": "payload.dll", "sha256": SHA256, "sha1": SHA1 } },
            { "@odata.type": "#microsoft.graph.security.processEvidence", "processId": 4780,
              "processCommandLine": command_line,
              "imageFile": { "fileName": "powershell.exe", "sha1": "aaaa1111" },
              "userAccount": { "accountName": "kai", "domainName": "CONTOSO" } }
        ]
    }));
    let a2 = alert(json!({
        "id": "da2", "incidentId": "29", "title": "Connection to a known C2 URL",
        "severity": "medium", "status": "inProgress", "detectionSource": "microsoftDefenderForEndpoint",
        "firstActivityDateTime": "2026-01-22T09:15:00Z", "lastActivityDateTime": "2026-01-22T12:45:00Z",
        "evidence": [
            { "@odata.type": "#microsoft.graph.security.urlEvidence", "url": "http://evil.example/c2" },
            { "@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": "203.0.113.9" },
            { "@odata.type": "#microsoft.graph.security.deviceEvidence", "hostName": "wks-042.CONTOSO.com" }
        ]
    }));
    (inc, vec![a1, a2])
}

// ---------- detection ----------

#[test]
fn each_detection_marker_alone_and_none() {
    let plain = incident(
        json!({"id": "1", "displayName": "Multi-stage incident", "systemTags": ["Other"]}),
    );
    let plain_alert = alert(json!({"id": "a", "detectionSource": "antivirus"}));
    assert!(!is_experts_notification(
        &plain,
        std::slice::from_ref(&plain_alert)
    ));
    assert!(!is_experts_notification(&plain, &[]));

    let tagged =
        incident(json!({"id": "2", "displayName": "x", "systemTags": ["defender experts"]}));
    assert!(is_experts_notification(&tagged, &[]));

    let titled =
        incident(json!({"id": "3", "displayName": "  Defender Experts: Test Notification"}));
    assert!(is_experts_notification(&titled, &[]));
    let not_prefix = incident(json!({"id": "3b", "displayName": "About Defender Experts"}));
    assert!(!is_experts_notification(&not_prefix, &[]));

    let mte = alert(json!({"id": "b", "detectionSource": "microsoftThreatExperts"}));
    assert!(is_experts_notification(&plain, &[plain_alert.clone(), mte]));
    let future = alert(json!({"id": "c", "detectionSource": "microsoftThreatExpertsNext"}));
    assert!(is_experts_notification(&plain, &[future]));

    // Alerts expanded on the incident count too.
    let expanded = incident(json!({"id": "4", "displayName": "x",
        "alerts": [{"id": "d", "detectionSource": "MicrosoftThreatExperts"}]}));
    assert!(is_experts_notification(&expanded, &[]));
}

#[test]
fn awaiting_customer_and_owners() {
    let (inc, _) = scenario("x");
    assert!(is_awaiting_customer(&inc));
    assert_eq!(owner_kind(inc.assigned_to.as_deref()), OwnerKind::Customer);
    let active = incident(json!({"id": "5", "status": "active", "assignedTo": "Defender Experts"}));
    assert!(!is_awaiting_customer(&active));
    assert_eq!(
        owner_kind(active.assigned_to.as_deref()),
        OwnerKind::DefenderExperts
    );
    assert_eq!(
        owner_kind(Some("soc@contoso.com")),
        OwnerKind::Person("soc@contoso.com".into())
    );
    assert_eq!(owner_kind(None), OwnerKind::Unassigned);
}

#[test]
fn experts_details_with_and_without_beta_fields() {
    let beta = incident(json!({
        "id": "9", "description": "Executive summary", "summary": "Defender Experts has identified malicious activity.",
        "recommendedActions": "Isolate wks-042 and reset kai's password.",
        "recommendedHuntingQueries": [{"kqlText": "DeviceProcessEvents | take 10"}, {"kqlText": "  "}, {"kqlText": null}]
    }));
    let d = ExpertsDetails::from_incident(&beta);
    assert!(d.beta_available);
    assert_eq!(
        d.recommendations.as_deref(),
        Some("Isolate wks-042 and reset kai's password.")
    );
    assert_eq!(
        d.hunting_queries,
        vec!["DeviceProcessEvents | take 10".to_string()]
    );
    assert_eq!(d.description.as_deref(), Some("Executive summary"));

    let v1 = incident(json!({"id": "9", "description": "Executive summary", "summary": ""}));
    let d = ExpertsDetails::from_incident(&v1);
    assert!(!d.beta_available);
    assert_eq!(d.recommendations, None);
    assert!(d.hunting_queries.is_empty());
    assert_eq!(d.summary, None);
    assert_eq!(d.description.as_deref(), Some("Executive summary"));
    assert!(!d.is_empty());
    assert!(ExpertsDetails::from_incident(&incident(json!({"id": "1"}))).is_empty());
}

// ---------- templates ----------

#[test]
fn templates_fill_from_real_context() {
    let (inc, alerts) = scenario("powershell.exe -enc SQBFAFgA");
    let topic = InquiryTopic::from_incident(&inc);
    let vars = vars_from(&topic, Some(&inc), &alerts);
    assert_eq!(vars.device.as_deref(), Some("wks-042.contoso.com"));
    assert_eq!(vars.sha256.as_deref(), Some(SHA256));
    assert_eq!(
        vars.alert_title.as_deref(),
        Some("Suspicious PowerShell command line")
    );

    let compromise = templates::template("device.compromised").unwrap();
    let text = fill(compromise, &vars);
    assert!(text.contains("wks-042.contoso.com"), "{text}");
    assert!(text.contains(SHA256), "{text}");
    assert!(text.contains("powershell.exe -enc SQBFAFgA"), "{text}");
    assert!(unfilled_placeholders(&text).is_empty(), "{text}");

    let ti = fill(templates::template("ti.file").unwrap(), &vars);
    assert!(ti.contains("payload.dll") && ti.contains(SHA256), "{ti}");
    let den = fill(templates::template("den.details").unwrap(), &vars);
    assert!(
        den.contains("Defender Experts: Suspicious PowerShell on wks-042"),
        "{den}"
    );

    // Every template is fully fillable from this scenario.
    for g in templates() {
        for t in g.templates {
            let s = fill(t, &vars);
            assert!(unfilled_placeholders(&s).is_empty(), "{}: {s}", t.id);
        }
    }
}

#[test]
fn topic_overrides_and_missing_placeholders() {
    let (inc, alerts) = scenario("x");
    let dev = InquiryTopic::Device {
        name: "srv-db-01".into(),
        mde_device_id: None,
        url: None,
    };
    let vars = vars_from(&dev, Some(&inc), &alerts);
    assert_eq!(vars.device.as_deref(), Some("srv-db-01"));

    // A user topic with no incident and no alerts: device and evidence are unknown.
    let user = InquiryTopic::User {
        name: "kai@contoso.com".into(),
    };
    let vars = vars_from(&user, None, &[]);
    let text = fill(templates::template("device.compromised").unwrap(), &vars);
    assert_eq!(
        text,
        "Can you help confirm whether <device?> is compromised given <evidence?>?"
    );
    assert_eq!(
        unfilled_placeholders(&text),
        vec!["device".to_string(), "evidence".to_string()]
    );
    // Once the analyst edits the placeholders away, nothing is reported.
    let edited = text
        .replace("<device?>", "srv-1")
        .replace("<evidence?>", "the logs");
    assert!(unfilled_placeholders(&edited).is_empty());

    let empty = TemplateVars::default();
    let den = fill(templates::template("den.details").unwrap(), &empty);
    assert!(unfilled_placeholders(&den).contains(&"incident_title".to_string()));
}

// ---------- context block ----------

#[test]
fn context_block_has_key_evidence_and_scrubs() {
    let long_tail = "A".repeat(400);
    let cmd = format!("cmd.exe /c echo \u{1b}[2J pwned \u{202e}fdp.exe {long_tail}");
    let (mut inc, alerts) = scenario(&cmd);
    inc.display_name = Some("Defender Experts: bad\u{1b}]52;c;AAAA\u{7}title".into());
    let topic = InquiryTopic::from_incident(&inc);
    let text = build_context(&topic, Some(&inc), &alerts);

    for needle in [
        "Incident: 29",
        "Severity: High",
        "Status: Awaiting action",
        "wks-042.contoso.com (mdeDeviceId 73e7e2de709dff64ef64b1d0c30e67fab63279db)",
        "CONTOSO\\kai",
        SHA256,
        SHA1,
        "powershell.exe",
        "10.1.2.3",
        "203.0.113.9",
        "http://evil.example/c2",
        "T1059.001, T1027",
        "Raspberry Robin",
        "Activity: 2026-01-22 09:15:00 UTC to 2026-01-22 12:45:00 UTC",
        "Link: https://security.microsoft.com/incident2/29/overview?tid=t-1",
        "da1",
        "Connection to a known C2 URL",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    // The device seen twice (different case) is listed once.
    assert_eq!(
        text.matches("wks-042.contoso.com").count() + text.matches("wks-042.CONTOSO.com").count(),
        1
    );
    // Controls and bidi overrides are visible, never raw.
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
    assert!(
        text.contains("<U+001B>[2J")
            && text.contains("<U+202E>fdp.exe")
            && text.contains("<U+0007>")
    );
    // The long command line is truncated with a marker.
    assert!(text.contains("…[truncated,"));
    assert!(!text.contains(&long_tail));
    // Only \n separates lines: every line is free of other control characters.
    assert!(text.chars().all(|c| c == '\n' || !c.is_control()));
}

#[test]
fn context_for_alert_topic_without_incident_uses_alert_link() {
    let (_, alerts) = scenario("x");
    let topic = InquiryTopic::from_alert(&alerts[0]);
    let text = build_context(&topic, None, &alerts[..1]);
    assert!(
        text.contains("Topic: Alert da1: Suspicious PowerShell command line"),
        "{text}"
    );
    assert!(
        text.contains("Link: https://security.microsoft.com/alerts/da1?tid=t-1"),
        "{text}"
    );
    assert!(!text.contains("Incident:"));
    assert_eq!(
        topic.portal_link(DEFAULT_PORTAL, Some("other")),
        "https://security.microsoft.com/alerts/da1?tid=t-1"
    );
}

// ---------- drafts ----------

fn draft(key_topic: InquiryTopic, body: &str, updated: &str) -> Draft {
    Draft::new(
        key_topic,
        body.into(),
        vec!["soc@contoso.com".into()],
        ts(updated),
    )
}

#[test]
fn draft_round_trip_permissions_and_corruption() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state/drafts");
    let store = DraftStore::open(&dir).unwrap();
    let (inc, alerts) = scenario("x");
    let d1 = draft(
        InquiryTopic::from_incident(&inc),
        "first body",
        "2026-01-01T00:00:00Z",
    );
    let d2 = draft(
        InquiryTopic::from_alert(&alerts[0]),
        "second ⟨body⟩\nline 2",
        "2026-02-01T00:00:00Z",
    );
    let d3 = draft(
        InquiryTopic::Other {
            label: "../../etc/passwd".into(),
        },
        "third",
        "2025-12-01T00:00:00Z",
    );
    for d in [&d1, &d2, &d3] {
        store.save(d).unwrap();
    }
    assert_eq!(d1.key, "incident:29");
    assert_eq!(store.load("incident:29").unwrap(), d1);
    assert_eq!(store.load("other:../../etc/passwd").unwrap(), d3);
    assert!(store.load("incident:30").is_none());
    // The odd key stayed inside the directory.
    assert!(store.path_for("other:../../etc/passwd").starts_with(&dir));

    // Overwrite keeps one file per key.
    let mut d1b = d1.clone();
    d1b.body = "first body, edited".into();
    d1b.updated = ts("2026-03-01T00:00:00Z");
    store.save(&d1b).unwrap();

    let keys: Vec<String> = store.list().into_iter().map(|d| d.key).collect();
    assert_eq!(
        keys,
        vec![
            "incident:29".to_string(),
            "alert:da1".into(),
            "other:../../etc/passwd".into()
        ]
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.path_for("incident:29"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(dmode, 0o700);
    }
    // No temp files left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| n.ends_with(".json")), "{names:?}");

    // A corrupt draft is skipped, moved aside and reported.
    std::fs::write(dir.join("broken.json"), b"{ not json").unwrap();
    let (drafts, errors) = store.list_with_errors();
    assert_eq!(drafts.len(), 3);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].path.ends_with("broken.json"));
    assert!(
        errors[0].reason.contains("not a draft"),
        "{}",
        errors[0].reason
    );
    let moved = errors[0].moved_to.clone().unwrap();
    assert!(moved.exists() && !dir.join("broken.json").exists());
    assert!(store.list_with_errors().1.is_empty());

    store.delete("alert:da1").unwrap();
    store.delete("alert:da1").unwrap();
    assert!(store.load("alert:da1").is_none());
    assert_eq!(store.list().len(), 2);
}

#[test]
fn autosave_timing() {
    let t0 = Instant::now();
    let s = |ms: u64| t0 + Duration::from_millis(ms);
    let mut a = Autosave::default();
    assert!(!a.should_save(s(5_000)), "clean: nothing to save");
    assert_eq!(a.due_in(s(0)), None);

    a.note_edit(s(0));
    assert!(a.is_dirty());
    assert!(!a.should_save(s(400)));
    assert_eq!(a.due_in(s(400)), Some(Duration::from_millis(600)));
    a.note_edit(s(800));
    assert!(a.should_save(s(1_000)), "continuous typing saves after 1 s");
    a.saved(s(1_000));
    assert!(!a.is_dirty());
    assert!(!a.should_save(s(1_500)));

    a.note_edit(s(1_200));
    assert!(
        !a.should_save(s(1_900)),
        "less than 1 s since the last save"
    );
    assert!(a.should_save(s(2_000)));

    // A failed save keeps the edits dirty and retries one interval later.
    a.save_failed(s(2_000));
    assert!(a.is_dirty());
    assert!(!a.should_save(s(2_500)));
    assert!(a.should_save(s(3_000)));

    // On-demand save happens at once, even right after a save.
    a.saved(s(3_000));
    a.note_edit(s(3_050));
    a.request_save();
    assert!(a.should_save(s(3_060)));
    assert_eq!(a.due_in(s(3_060)), Some(Duration::ZERO));
    a.saved(s(3_060));
    a.request_save();
    assert!(
        !a.should_save(s(3_070)),
        "nothing unsaved: no save even on demand"
    );
}

// ---------- outbox ----------

#[test]
fn inquiry_lifecycle_add_pending_failed_retry_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("experts/inquiries.json");
    let (inc, _) = scenario("x");
    let mut store = InquiryStore::open(&path).unwrap();
    assert!(store.list().is_empty());

    let inq = Inquiry::new(
        InquiryTopic::from_incident(&inc),
        "Please look at wks-042.".into(),
        vec![" soc@contoso.com ".into(), "".into()],
        &[Channel::Email, Channel::IncidentComment, Channel::Email],
        ts("2026-03-31T23:00:00Z"),
    );
    assert_eq!(inq.reply_to, vec!["soc@contoso.com".to_string()]);
    assert_eq!(inq.deliveries.len(), 2);
    let id = inq.id.clone();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    store.add(inq).unwrap();
    assert_eq!(
        store.pending(),
        vec![
            (id.clone(), Channel::Email),
            (id.clone(), Channel::IncidentComment)
        ]
    );

    let fail = DeliveryStatus::Failed {
        reason: "403 Forbidden".into(),
        at: ts("2026-03-31T23:01:00Z"),
    };
    assert!(
        store
            .update_delivery(&id, Channel::Email, fail.clone())
            .unwrap()
    );
    let sent = DeliveryStatus::Sent {
        at: ts("2026-03-31T23:02:00Z"),
    };
    assert!(
        store
            .update_delivery(&id, Channel::IncidentComment, sent)
            .unwrap()
    );
    assert_eq!(
        store.pending(),
        vec![(id.clone(), Channel::Email)],
        "failed stays pending"
    );
    assert!(
        !store
            .update_delivery("nope", Channel::Email, DeliveryStatus::Queued)
            .unwrap()
    );

    // Survives a reopen, file is private.
    drop(store);
    let mut store = InquiryStore::open(&path).unwrap();
    assert_eq!(store.get(&id).unwrap().status(Channel::Email), Some(&fail));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    assert_eq!(store.retry_failed().unwrap(), 1);
    assert_eq!(
        store.get(&id).unwrap().status(Channel::Email),
        Some(&DeliveryStatus::Queued)
    );
    assert_eq!(store.retry_failed().unwrap(), 0);
    store
        .update_delivery(
            &id,
            Channel::Email,
            DeliveryStatus::Sent {
                at: ts("2026-04-01T00:05:00Z"),
            },
        )
        .unwrap();
    assert!(store.pending().is_empty());

    // The credit was used when the first channel delivered (Q1), not at the later email (Q2).
    assert_eq!(store.sent_this_quarter(ts("2026-02-01T00:00:00Z")), 1);
    assert_eq!(store.sent_this_quarter(ts("2026-04-01T00:00:00Z")), 0);
}

#[test]
fn quarter_counting_across_a_boundary() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = InquiryStore::open(tmp.path().join("inq.json")).unwrap();
    let topic = InquiryTopic::Other {
        label: "general".into(),
    };
    let add_sent = |store: &mut InquiryStore, at: &str| {
        let inq = Inquiry::new(
            topic.clone(),
            "q".into(),
            vec![],
            &[Channel::Portal],
            ts(at),
        );
        let id = inq.id.clone();
        store.add(inq).unwrap();
        store
            .update_delivery(&id, Channel::Portal, DeliveryStatus::Sent { at: ts(at) })
            .unwrap();
    };
    add_sent(&mut store, "2026-03-31T23:59:59Z");
    add_sent(&mut store, "2026-03-15T10:00:00Z");
    add_sent(&mut store, "2026-04-01T00:00:00Z");
    // Queued and failed inquiries use no credit.
    store
        .add(Inquiry::new(
            topic.clone(),
            "q".into(),
            vec![],
            &[Channel::Email],
            ts("2026-04-02T00:00:00Z"),
        ))
        .unwrap();

    assert_eq!(store.sent_this_quarter(ts("2026-03-01T00:00:00Z")), 2);
    assert_eq!(store.sent_this_quarter(ts("2026-06-30T23:59:59Z")), 1);
    assert_eq!(store.sent_in_quarter((2025, 4)), 0);

    let q2 = credit_status(10, true, &store, ts("2026-05-01T00:00:00Z"));
    assert_eq!(q2.quarter, (2026, 2));
    assert_eq!(q2.allowance, 18);
    assert_eq!(q2.used, 1);
    assert_eq!(q2.remaining, 17);
    assert_eq!(q2.summary(), "1 of 18 inquiries used this quarter");
    let no_roll = credit_status(10, false, &store, ts("2026-05-01T00:00:00Z"));
    assert_eq!((no_roll.allowance, no_roll.remaining), (10, 9));
    assert_eq!(store.list().len(), 4);
}

#[test]
fn corrupt_inquiry_file_is_moved_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("inq.json");
    std::fs::write(&path, b"[1,2").unwrap();
    let store = InquiryStore::open(&path).unwrap();
    assert!(store.list().is_empty());
    assert!(store.recovered().unwrap().contains("moved"));
    assert!(tmp.path().join("inq.json.corrupt").exists());
}

#[test]
fn email_request_shape() {
    let (inc, _) = scenario("x");
    let inq = Inquiry::new(
        InquiryTopic::from_incident(&inc),
        "Body line 1\r\nline 2 \u{1b}[31m".into(),
        vec!["soc@contoso.com".into(), "lead@contoso.com".into()],
        &[Channel::Email],
        ts("2026-01-23T09:00:00Z"),
    );
    let mail = email_request(&inq, "me", "experts@example.com");
    let (path, body) = (mail.path(), mail.body());
    assert_eq!(path, "/v1.0/me/sendMail");
    let msg = &body["message"];
    assert_eq!(body["saveToSentItems"], json!(true));
    // The inquiry id in the subject and a header make the mail findable in Sent Items.
    assert_eq!(
        msg["subject"],
        json!(format!(
            "[Ask Defender Experts] Incident 29: Defender Experts: Suspicious PowerShell on wks-042 [inquiry {}]",
            inq.id
        ))
    );
    assert_eq!(
        msg["internetMessageHeaders"],
        json!([{"name": "x-vigil-inquiry", "value": inq.id}])
    );
    assert_eq!(msg["body"]["contentType"], json!("Text"));
    let content = msg["body"]["content"].as_str().unwrap();
    assert!(
        content.starts_with("Body line 1\nline 2 <U+001B>[31m"),
        "{content}"
    );
    assert!(content.contains(&inq.id));
    assert_eq!(
        msg["toRecipients"],
        json!([{"emailAddress": {"address": "experts@example.com"}}])
    );
    assert_eq!(
        msg["replyTo"],
        json!([{"emailAddress": {"address": "soc@contoso.com"}}, {"emailAddress": {"address": "lead@contoso.com"}}])
    );
    let path = email_request(&inq, "soc mailbox@contoso.com", "experts@example.com").path();
    assert_eq!(path, "/v1.0/users/soc%20mailbox%40contoso.com/sendMail");

    let no_reply = Inquiry::new(
        InquiryTopic::Other { label: "x".into() },
        "b".into(),
        vec![],
        &[],
        ts("2026-01-01T00:00:00Z"),
    );
    let body = email_request(&no_reply, "ME", "e@x").body();
    assert!(body["message"].get("replyTo").is_none());
}

#[test]
fn comment_text_is_marked_and_capped() {
    let topic = InquiryTopic::Incident {
        id: "29".into(),
        title: "t".into(),
        url: None,
    };
    let short = Inquiry::new(
        topic.clone(),
        "short question".into(),
        vec![],
        &[Channel::IncidentComment],
        ts("2026-01-01T00:00:00Z"),
    );
    let c = comment_text(&short);
    assert!(
        c.starts_with("Ask Defender Experts inquiry (vigil):\n"),
        "{c}"
    );
    assert!(c.contains("Topic: Incident 29: t") && c.ends_with("short question"));

    let long = Inquiry::new(
        topic,
        "é".repeat(40_000),
        vec![],
        &[Channel::IncidentComment],
        ts("2026-01-01T00:00:00Z"),
    );
    let c = comment_text(&long);
    assert_eq!(c.chars().count(), MAX_COMMENT_CHARS);
    assert!(c.ends_with("[truncated by vigil]"));
    assert!(c.starts_with(COMMENT_MARKER));
}

#[test]
fn portal_handoff_text() {
    let (inc, _) = scenario("x");
    let topic = InquiryTopic::from_incident(&inc);
    let link = topic.portal_link(DEFAULT_PORTAL, None);
    let inq = Inquiry::new(
        topic,
        "Is wks-042 compromised?\u{202e}".into(),
        vec!["soc@contoso.com".into()],
        &[Channel::Portal],
        ts("2026-01-01T00:00:00Z"),
    );
    let h = portal_handoff(&inq, &link);
    let first = h.lines().next().unwrap();
    assert!(
        first.contains(&link) && first.contains("Ask Defender Experts"),
        "{first}"
    );
    assert!(h.contains(&format!("Inquiry topic: {link}")));
    assert!(h.contains("Is wks-042 compromised?<U+202E>"));
    assert!(h.contains("soc@contoso.com"));
    assert!(!h.contains('\u{202e}'));
}

#[test]
fn channels_parse_from_config() {
    assert_eq!(Channel::parse("email"), Some(Channel::Email));
    assert_eq!(Channel::parse(" Comment "), Some(Channel::IncidentComment));
    assert_eq!(Channel::parse("portal"), Some(Channel::Portal));
    assert_eq!(Channel::parse("teams"), None);
    let (ok, bad) = Channel::parse_list("email, portal,email,fax");
    assert_eq!(ok, vec![Channel::Email, Channel::Portal]);
    assert_eq!(bad, vec!["fax".to_string()]);
    assert_eq!(
        serde_json::to_value(Channel::IncidentComment).unwrap(),
        json!("comment")
    );
}

#[test]
fn tasks_paths_for_the_sync_layer() {
    assert_eq!(
        vigil::graph::resources::incident_tasks("29"),
        "/beta/security/incidentTasks?$filter=incidentId%20eq%20'29'"
    );
    assert_eq!(
        vigil::graph::resources::incident_task("213213"),
        "/beta/security/incidentTasks/213213"
    );
    assert_eq!(
        vigil::graph::resources::task_status_body(TaskStatus::Completed.as_str()),
        json!({"status": "completed"})
    );
}
