//! Store behaviour: idempotent updates, highlights, notices, Defender Experts detection,
//! optimistic writes and their outcomes, lazy alerts, views and sorting.

use vigil::graph::model::{
    Alert, AlertPatch, AlertStatus, Classification, Comment, DetectionSource, Evidence, Incident,
    IncidentPatch, IncidentStatus, ServiceSource, Severity, Timestamp,
};
use vigil::store::{Identity, Notice, PendingWrite, Query, RowMark, Sort, SortKey, Store};
use vigil::sync::{Target, Update, UpsertSource, WriteOp};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn inc(id: &str) -> Incident {
    Incident {
        id: id.into(),
        display_name: Some(format!("Incident {id}")),
        severity: Severity::Medium,
        status: IncidentStatus::Active,
        last_update_date_time: Some(ts("2026-01-01T00:00:00Z")),
        created_date_time: Some(ts("2025-12-31T00:00:00Z")),
        ..Default::default()
    }
}

fn alert(id: &str, src: ServiceSource, first: &str) -> Alert {
    Alert {
        id: id.into(),
        title: Some(format!("Alert {id}")),
        service_source: src,
        first_activity_date_time: Some(ts(first)),
        ..Default::default()
    }
}

fn incidents(items: Vec<Incident>, source: UpsertSource) -> Update {
    Update::Incidents { items, source }
}

fn me() -> Identity {
    Identity::new(["Analyst@Contoso.com", "analyst"])
}

fn loaded(items: Vec<Incident>) -> Store {
    let mut s = Store::new(me());
    s.apply(incidents(items, UpsertSource::Initial));
    s
}

fn patch_status(op: u64, id: &str, status: IncidentStatus) -> (u64, WriteOp) {
    (
        op,
        WriteOp::PatchIncident {
            incident_id: id.into(),
            patch: IncidentPatch {
                status: Some(status),
                ..Default::default()
            },
            base_last_update: None,
            force: false,
            base: None,
        },
    )
}

#[test]
fn applying_the_same_update_twice_changes_nothing_the_second_time() {
    let mut s = Store::new(me());
    let mut high = inc("1");
    high.severity = Severity::High;
    high.alerts = Some(vec![alert(
        "a1",
        ServiceSource::MicrosoftDefenderForEndpoint,
        "2026-01-01T00:00:00Z",
    )]);
    let u = incidents(vec![high, inc("2")], UpsertSource::Delta);
    let first = s.apply(u.clone());
    assert_eq!(first.inserted, 2);
    assert!(first.dirty);
    assert!(!first.notices.is_empty());
    let second = s.apply(u);
    assert_eq!(
        (second.inserted, second.updated, second.dirty),
        (0, 0, false)
    );
    assert!(second.notices.is_empty());

    let a = Update::Alerts {
        incident_id: "2".into(),
        alerts: vec![alert(
            "b1",
            ServiceSource::MicrosoftSentinel,
            "2026-01-01T00:00:00Z",
        )],
    };
    assert!(s.apply(a.clone()).dirty);
    assert!(!s.apply(a).dirty);
}

#[test]
fn initial_rows_are_seen_delta_rows_are_new_or_changed() {
    let mut s = loaded(vec![inc("1"), inc("2")]);
    assert!(s.incident("1").is_some_and(|e| e.mark == RowMark::Seen));

    let mut changed = inc("1");
    changed.last_update_date_time = Some(ts("2026-01-02T00:00:00Z"));
    let ch = s.apply(incidents(
        vec![changed.clone(), inc("2"), inc("3")],
        UpsertSource::Delta,
    ));
    assert_eq!((ch.inserted, ch.updated), (1, 1));
    assert_eq!(s.incident("1").unwrap().mark, RowMark::Changed);
    assert_eq!(
        s.incident("2").unwrap().mark,
        RowMark::Seen,
        "identical content is no change"
    );
    assert_eq!(s.incident("3").unwrap().mark, RowMark::New);

    // A new row that changes again stays New.
    let mut three = inc("3");
    three.assigned_to = Some("bob".into());
    s.apply(incidents(vec![three], UpsertSource::Delta));
    assert_eq!(s.incident("3").unwrap().mark, RowMark::New);
    assert_eq!(s.counts().unseen, 2);

    s.mark_seen("1");
    assert_eq!(s.incident("1").unwrap().mark, RowMark::Seen);
    // Single: changed only when content differs.
    s.apply(incidents(vec![changed.clone()], UpsertSource::Single));
    assert_eq!(s.incident("1").unwrap().mark, RowMark::Seen);
    changed.severity = Severity::High;
    s.apply(incidents(vec![changed], UpsertSource::Single));
    assert_eq!(s.incident("1").unwrap().mark, RowMark::Changed);

    // Initial never highlights.
    let mut two = inc("2");
    two.severity = Severity::Low;
    let ch = s.apply(incidents(vec![two], UpsertSource::Initial));
    assert!(ch.dirty && ch.notices.is_empty());
    assert_eq!(s.incident("2").unwrap().mark, RowMark::Seen);
    assert_eq!(s.incident("2").unwrap().incident.severity, Severity::Low);
}

#[test]
fn notices_for_new_high_severity_experts_and_assignment() {
    let mut s = loaded(vec![inc("1")]);
    let mut high = inc("2");
    high.severity = Severity::High;
    let mut den = inc("3");
    den.display_name = Some("Defender Experts: suspicious activity".into());
    let ch = s.apply(incidents(vec![high, den], UpsertSource::Delta));
    assert!(ch.notices.contains(&Notice::NewHighSeverity {
        id: "2".into(),
        title: "Incident 2".into()
    }));
    assert!(
        ch.notices
            .iter()
            .any(|n| matches!(n, Notice::NewExpertsNotification { id, .. } if id == "3"))
    );
    assert_eq!(ch.notices.len(), 2);

    // Assigned to me: case-insensitive alias match, once.
    let mut mine = inc("1");
    mine.assigned_to = Some("ANALYST@contoso.COM".into());
    let ch = s.apply(incidents(vec![mine.clone()], UpsertSource::Delta));
    assert_eq!(
        ch.notices,
        vec![Notice::AssignedToMe {
            id: "1".into(),
            title: "Incident 1".into()
        }]
    );
    mine.last_update_date_time = Some(ts("2026-02-01T00:00:00Z"));
    assert!(
        s.apply(incidents(vec![mine], UpsertSource::Delta))
            .notices
            .is_empty()
    );

    // Someone else: no notice.
    let mut theirs = inc("2");
    theirs.severity = Severity::High;
    theirs.assigned_to = Some("bob@contoso.com".into());
    assert!(
        s.apply(incidents(vec![theirs], UpsertSource::Delta))
            .notices
            .is_empty()
    );

    // The initial load never notifies.
    let mut t = Store::new(me());
    let mut h = inc("9");
    h.severity = Severity::High;
    h.assigned_to = Some("analyst".into());
    assert!(
        t.apply(incidents(vec![h], UpsertSource::Initial))
            .notices
            .is_empty()
    );
}

#[test]
fn no_assigned_to_me_notice_for_my_own_write() {
    let mut s = loaded(vec![inc("1")]);
    s.begin_write(
        5,
        WriteOp::PatchIncident {
            incident_id: "1".into(),
            patch: IncidentPatch {
                assigned_to: Some(Some("analyst@contoso.com".into())),
                ..Default::default()
            },
            base_last_update: None,
            force: false,
            base: None,
        },
    );
    // The poll sees the assignment before the write's confirmation arrives.
    let mut server = inc("1");
    server.assigned_to = Some("analyst@contoso.com".into());
    let ch = s.apply(incidents(vec![server.clone()], UpsertSource::Delta));
    assert!(
        !ch.notices
            .iter()
            .any(|n| matches!(n, Notice::AssignedToMe { .. }))
    );
    let ch = s.apply(Update::IncidentWritten {
        op: 5,
        incident: server,
    });
    assert_eq!(
        ch.notices,
        vec![Notice::WriteConfirmed {
            op: 5,
            target: Target::Incident("1".into())
        }]
    );
}

#[test]
fn experts_detection_by_each_marker() {
    let mut tagged = inc("1");
    tagged.system_tags = vec!["defender EXPERTS".into()];
    let mut titled = inc("2");
    titled.display_name =
        Some("Defender Experts: Test Notification from Microsoft Defender Experts".into());
    let mut by_alert = inc("3");
    by_alert.alerts = Some(vec![Alert {
        id: "x".into(),
        detection_source: DetectionSource::MicrosoftThreatExperts,
        ..Default::default()
    }]);
    let plain = inc("4");
    let s = loaded(vec![tagged, titled, by_alert, plain]);
    let flags: Vec<bool> = ["1", "2", "3", "4"]
        .iter()
        .map(|id| s.incident(id).unwrap().experts)
        .collect();
    assert_eq!(flags, [true, true, true, false]);
    assert_eq!(s.experts_ids(), vec!["3", "2", "1"]);
    assert_eq!(s.counts().experts, 3);
}

#[test]
fn experts_flag_follows_alert_changes() {
    let mut s = Store::new(me());
    s.apply(incidents(vec![inc("1")], UpsertSource::Delta));
    assert!(!s.incident("1").unwrap().experts);
    let den = Alert {
        id: "d".into(),
        detection_source: DetectionSource::MicrosoftThreatExperts,
        ..Default::default()
    };
    let ch = s.apply(Update::Alerts {
        incident_id: "1".into(),
        alerts: vec![den],
    });
    assert!(s.incident("1").unwrap().experts);
    assert!(
        ch.notices
            .iter()
            .any(|n| matches!(n, Notice::NewExpertsNotification { id, .. } if id == "1"))
    );
    s.apply(Update::Alerts {
        incident_id: "1".into(),
        alerts: vec![],
    });
    assert!(!s.incident("1").unwrap().experts);
}

#[test]
fn optimistic_write_then_confirmation_shows_the_server_version() {
    let mut s = loaded(vec![inc("1")]);
    let (op, w) = patch_status(1, "1", IncidentStatus::Resolved);
    s.begin_write(op, w.clone());
    let e = s.incident("1").unwrap();
    assert_eq!(e.incident.status, IncidentStatus::Resolved);
    assert_eq!(e.server().status, IncidentStatus::Active);
    assert_eq!(
        e.pending,
        vec![PendingWrite {
            op,
            write: w.clone()
        }]
    );
    assert_eq!(s.counts().pending_writes, 1);
    assert_eq!(s.counts().open, 0);
    // WriteQueued after begin_write adds nothing.
    assert!(!s.apply(Update::WriteQueued { op, write: w }).dirty);

    let mut server = inc("1");
    server.status = IncidentStatus::Resolved;
    server.last_modified_by = Some("API-App:vigil".into());
    let ch = s.apply(Update::IncidentWritten {
        op,
        incident: server.clone(),
    });
    assert_eq!(
        ch.notices,
        vec![Notice::WriteConfirmed {
            op,
            target: Target::Incident("1".into())
        }]
    );
    let e = s.incident("1").unwrap();
    assert!(e.pending.is_empty());
    assert_eq!(
        e.incident.last_modified_by.as_deref(),
        Some("API-App:vigil")
    );
    assert_eq!(*e.server(), server);
    assert_eq!(s.counts().pending_writes, 0);
    let again = s.apply(Update::IncidentWritten {
        op,
        incident: server,
    });
    assert!(!again.dirty && again.notices.is_empty());
}

#[test]
fn failed_write_rolls_back_with_its_message() {
    let mut s = loaded(vec![inc("1")]);
    let (op, w) = patch_status(2, "1", IncidentStatus::Resolved);
    s.begin_write(op, w);
    let ch = s.apply(Update::WriteFailed {
        op,
        target: Target::Incident("1".into()),
        message: "403 Forbidden: missing SecurityIncident.ReadWrite.All".into(),
        retryable: false,
    });
    assert_eq!(
        ch.notices,
        vec![Notice::WriteRolledBack {
            op,
            target: Target::Incident("1".into()),
            message: "403 Forbidden: missing SecurityIncident.ReadWrite.All".into()
        }]
    );
    let e = s.incident("1").unwrap();
    assert_eq!(e.incident.status, IncidentStatus::Active);
    assert!(e.pending.is_empty());
    assert_eq!(
        e.rollback.as_deref(),
        Some("403 Forbidden: missing SecurityIncident.ReadWrite.All")
    );
    s.mark_seen("1");
    assert_eq!(s.incident("1").unwrap().rollback, None);
}

#[test]
fn conflict_keeps_the_server_version() {
    let mut s = loaded(vec![inc("1")]);
    let (op, w) = patch_status(3, "1", IncidentStatus::Resolved);
    s.begin_write(op, w);
    let mut server = inc("1");
    server.assigned_to = Some("bob".into());
    server.last_update_date_time = Some(ts("2026-01-05T00:00:00Z"));
    let ch = s.apply(Update::Conflict {
        op,
        server: server.clone(),
        changed_fields: vec!["assignedTo".into()],
    });
    assert_eq!(
        ch.notices,
        vec![Notice::Conflict {
            op,
            incident_id: "1".into(),
            fields: vec!["assignedTo".into()]
        }]
    );
    let e = s.incident("1").unwrap();
    assert_eq!(e.incident, server);
    assert!(e.pending.is_empty());
    assert_eq!(s.counts().pending_writes, 0);
}

#[test]
fn pending_overlays_survive_a_poll_upsert() {
    let mut s = loaded(vec![inc("1")]);
    let (op, w) = patch_status(4, "1", IncidentStatus::InProgress);
    s.begin_write(op, w);
    let mut polled = inc("1");
    polled.display_name = Some("Renamed by the service".into());
    polled.custom_tags = vec!["VIP".into()];
    s.apply(incidents(vec![polled], UpsertSource::Delta));
    let e = s.incident("1").unwrap();
    assert_eq!(e.incident.status, IncidentStatus::InProgress);
    assert_eq!(e.incident.title(), "Renamed by the service");
    assert_eq!(e.server().status, IncidentStatus::Active);
    assert_eq!(e.pending.len(), 1);
    // The typed filter sees the displayed (optimistic) values.
    assert_eq!(
        s.view(
            &Query::parse("status:inprogress tag:vip renamed").unwrap(),
            Sort::default()
        ),
        vec!["1"]
    );
}

#[test]
fn outbox_replay_before_the_incident_is_loaded() {
    let mut s = Store::new(me());
    let (op, w) = patch_status(9, "1", IncidentStatus::Resolved);
    assert!(s.apply(Update::WriteQueued { op, write: w }).dirty);
    assert!(s.is_pending(op));
    s.apply(incidents(vec![inc("1")], UpsertSource::Initial));
    let e = s.incident("1").unwrap();
    assert_eq!(e.incident.status, IncidentStatus::Resolved);
    assert_eq!(e.pending.len(), 1);
}

#[test]
fn lazy_alerts_update_sources_counts_and_order() {
    let mut s = loaded(vec![inc("1")]);
    let e = s.incident("1").unwrap();
    assert!(!e.alerts_loaded);
    assert_eq!((e.alert_count, e.sources.len()), (0, 0));

    let alerts = vec![
        alert(
            "late",
            ServiceSource::MicrosoftDefenderForOffice365,
            "2026-01-03T00:00:00Z",
        ),
        alert(
            "early",
            ServiceSource::MicrosoftDefenderForEndpoint,
            "2026-01-01T00:00:00Z",
        ),
        alert(
            "mid",
            ServiceSource::MicrosoftDefenderForEndpoint,
            "2026-01-02T00:00:00Z",
        ),
    ];
    let ch = s.apply(Update::Alerts {
        incident_id: "1".into(),
        alerts,
    });
    assert!(ch.dirty);
    let e = s.incident("1").unwrap();
    assert!(e.alerts_loaded);
    assert_eq!(e.alert_count, 3);
    assert_eq!(
        e.sources,
        vec![
            ServiceSource::MicrosoftDefenderForEndpoint,
            ServiceSource::MicrosoftDefenderForOffice365
        ]
    );
    let order: Vec<&str> = s.alerts("1").iter().map(|a| a.id.as_str()).collect();
    assert_eq!(order, ["early", "mid", "late"]);
    assert_eq!(
        s.view(&Query::parse("source:office365").unwrap(), Sort::default()),
        vec!["1"]
    );

    // An incident upsert without alerts keeps them.
    let mut newer = inc("1");
    newer.severity = Severity::High;
    s.apply(incidents(vec![newer], UpsertSource::Delta));
    assert_eq!(s.incident("1").unwrap().alert_count, 3);
    assert!(s.alert("mid").is_some());

    // An upsert with alerts replaces the complete set.
    let mut with = inc("1");
    with.severity = Severity::High;
    with.alerts = Some(vec![alert(
        "only",
        ServiceSource::MicrosoftSentinel,
        "2026-01-04T00:00:00Z",
    )]);
    s.apply(incidents(vec![with], UpsertSource::Delta));
    assert_eq!(s.incident("1").unwrap().alert_count, 1);
    assert!(s.alert("mid").is_none());
    assert_eq!(
        s.incident("1").unwrap().sources,
        vec![ServiceSource::MicrosoftSentinel]
    );
}

#[test]
fn alert_writes_overlay_confirm_and_roll_back() {
    let mut i = inc("1");
    i.alerts = Some(vec![alert(
        "a",
        ServiceSource::MicrosoftDefenderForEndpoint,
        "2026-01-01T00:00:00Z",
    )]);
    let mut s = loaded(vec![i]);
    let write = WriteOp::PatchAlert {
        alert_id: "a".into(),
        patch: AlertPatch {
            status: Some(AlertStatus::Resolved),
            ..Default::default()
        },
    };
    s.begin_write(10, write.clone());
    assert!(s.alert_pending("a"));
    assert_eq!(s.alert("a").unwrap().status, AlertStatus::Resolved);
    assert_eq!(s.alerts("1")[0].status, AlertStatus::Resolved);
    assert_eq!(s.alert_server("a").unwrap().status, AlertStatus::Unknown);

    let ch = s.apply(Update::WriteFailed {
        op: 10,
        target: Target::Alert("a".into()),
        message: "400 Bad Request".into(),
        retryable: false,
    });
    assert_eq!(ch.notices.len(), 1);
    assert!(!s.alert_pending("a"));
    assert_eq!(s.alert("a").unwrap().status, AlertStatus::Unknown);
    assert_eq!(
        s.incident("1").unwrap().rollback.as_deref(),
        Some("400 Bad Request")
    );

    s.begin_write(11, write);
    let mut confirmed = alert(
        "a",
        ServiceSource::MicrosoftDefenderForEndpoint,
        "2026-01-01T00:00:00Z",
    );
    confirmed.status = AlertStatus::Resolved;
    confirmed.classification = Some(Classification::FalsePositive);
    let ch = s.apply(Update::AlertWritten {
        op: 11,
        alert: confirmed,
    });
    assert_eq!(
        ch.notices,
        vec![Notice::WriteConfirmed {
            op: 11,
            target: Target::Alert("a".into())
        }]
    );
    assert!(!s.alert_pending("a"));
    assert_eq!(
        s.alert("a").unwrap().classification,
        Some(Classification::FalsePositive)
    );
}

#[test]
fn comments_are_pending_until_written() {
    let mut s = loaded(vec![inc("1")]);
    let target = Target::Incident("1".into());
    s.begin_write(
        20,
        WriteOp::CommentIncident {
            incident_id: "1".into(),
            text: "isolating host".into(),
        },
    );
    assert_eq!(s.pending_comments(&target), vec!["isolating host"]);
    assert!(s.comments(&target).is_empty());
    let comments = vec![Comment {
        comment: "isolating host".into(),
        ..Default::default()
    }];
    let ch = s.apply(Update::CommentsWritten {
        op: 20,
        target: target.clone(),
        comments: comments.clone(),
    });
    assert!(ch.dirty);
    assert!(s.pending_comments(&target).is_empty());
    assert_eq!(s.comments(&target), comments);
    assert_eq!(s.incident("1").unwrap().incident.comments, comments);
}

#[test]
fn counts_cover_open_severity_experts_awaiting_unseen_pending() {
    let mut a = inc("1");
    a.severity = Severity::High;
    let mut b = inc("2");
    b.severity = Severity::Informational;
    b.status = IncidentStatus::AwaitingAction;
    b.system_tags = vec!["Defender Experts".into()];
    let mut c = inc("3");
    c.status = IncidentStatus::Resolved;
    c.severity = Severity::High;
    let mut d = inc("4");
    d.severity = Severity::Low;
    d.status = IncidentStatus::Redirected;
    let mut s = loaded(vec![a, b, c, d]);
    s.apply(incidents(vec![inc("5")], UpsertSource::Delta));
    let (op, w) = patch_status(1, "5", IncidentStatus::InProgress);
    s.begin_write(op, w);
    let c = s.counts();
    assert_eq!((c.total, c.open), (5, 3));
    assert_eq!((c.high, c.medium, c.low, c.informational), (1, 1, 0, 1));
    assert_eq!(
        (c.experts, c.awaiting_customer, c.unseen, c.pending_writes),
        (1, 1, 1, 1)
    );
}

#[test]
fn view_filters_with_owner_me_and_evidence_text() {
    let mut a = inc("1");
    a.assigned_to = Some("analyst@CONTOSO.com".into());
    let mut b = inc("2");
    b.assigned_to = Some("ANALYST".into());
    let mut c = inc("3");
    c.assigned_to = Some("bob".into());
    c.alerts = Some(vec![Alert {
        id: "c1".into(),
        evidence: vec![
            Evidence::from_value(serde_json::json!({
                "@odata.type": "#microsoft.graph.security.processEvidence",
                "processCommandLine": "cmd.exe /c whoami /priv",
                "imageFile": {"fileName": "cmd.exe", "sha1": "DEADBEEF99"}})),
            Evidence::from_value(serde_json::json!({
                "@odata.type": "#microsoft.graph.security.userEvidence",
                "userAccount": {"userPrincipalName": "victim@contoso.com"}})),
            Evidence::from_value(serde_json::json!({
                "@odata.type": "#microsoft.graph.security.urlEvidence", "url": "https://evil.example/x"})),
            Evidence::from_value(serde_json::json!({
                "@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": "203.0.113.9"})),
        ],
        ..Default::default()
    }]);
    let s = loaded(vec![a, b, c, inc("4")]);
    let ids = |q: &str| {
        let mut v = s.view(&Query::parse(q).unwrap(), Sort::default());
        v.sort();
        v
    };
    assert_eq!(ids("owner:me"), ["1", "2"]);
    assert_eq!(ids("-owner:me"), ["3", "4"]);
    assert_eq!(ids("owner:none"), ["4"]);
    for needle in [
        "\"whoami /priv\"",
        "deadbeef99",
        "victim@",
        "\"https://evil.example\"",
        "203.0.113",
    ] {
        assert_eq!(ids(needle), ["3"], "{needle}");
    }
    assert!(ids("nothing-like-this").is_empty());
}

#[test]
fn view_with_age_uses_the_injected_now() {
    let mut old = inc("1");
    old.last_update_date_time = Some(ts("2026-01-01T00:00:00Z"));
    let mut fresh = inc("2");
    fresh.last_update_date_time = Some(ts("2026-01-09T23:00:00Z"));
    let s = loaded(vec![old, fresh]);
    let now = ts("2026-01-10T00:00:00Z");
    assert_eq!(
        s.view_at(&Query::parse("age:<24h").unwrap(), Sort::default(), now),
        vec!["2"]
    );
    assert_eq!(
        s.view_at(&Query::parse("age:>7d").unwrap(), Sort::default(), now),
        vec!["1"]
    );
}

fn sorted(s: &Store, key: SortKey, descending: bool) -> Vec<String> {
    s.view(&Query::default(), Sort { key, descending })
}

#[test]
fn sorts_by_every_key_with_numeric_id_ties() {
    // Ids chosen so string order differs from numeric order.
    let mut a = inc("9");
    a.severity = Severity::High;
    a.status = IncidentStatus::Resolved;
    a.display_name = Some("beta".into());
    a.assigned_to = Some("Carol".into());
    a.classification = Some(Classification::TruePositive);
    a.custom_tags = vec!["b".into()];
    a.priority_score = Some(10);
    a.last_update_date_time = Some(ts("2026-01-03T00:00:00Z"));
    a.created_date_time = Some(ts("2025-01-01T00:00:00Z"));
    a.alerts = Some(vec![
        alert(
            "a1",
            ServiceSource::MicrosoftSentinel,
            "2026-01-01T00:00:00Z",
        ),
        alert(
            "a2",
            ServiceSource::MicrosoftSentinel,
            "2026-01-01T00:00:00Z",
        ),
    ]);
    let mut b = inc("10");
    b.severity = Severity::Low;
    b.status = IncidentStatus::InProgress;
    b.display_name = Some("Alpha".into());
    b.assigned_to = Some("alice".into());
    b.classification = Some(Classification::FalsePositive);
    b.custom_tags = vec!["a".into()];
    b.priority_score = Some(99);
    b.last_update_date_time = Some(ts("2026-01-01T00:00:00Z"));
    b.created_date_time = Some(ts("2025-06-01T00:00:00Z"));
    b.alerts = Some(vec![alert(
        "b1",
        ServiceSource::MicrosoftDefenderForEndpoint,
        "2026-01-01T00:00:00Z",
    )]);
    let mut c = inc("100");
    c.severity = Severity::Medium;
    c.status = IncidentStatus::Active;
    c.display_name = Some("gamma".into());
    c.assigned_to = Some("bob".into());
    c.classification = None;
    c.custom_tags = vec!["c".into()];
    c.priority_score = None;
    c.last_update_date_time = Some(ts("2026-01-02T00:00:00Z"));
    c.created_date_time = Some(ts("2025-03-01T00:00:00Z"));
    let s = loaded(vec![a, b, c]);

    let cases: [(SortKey, [&str; 3]); 12] = [
        (SortKey::Id, ["9", "10", "100"]),
        (SortKey::Severity, ["10", "100", "9"]),
        (SortKey::Status, ["100", "10", "9"]),
        (SortKey::Title, ["10", "9", "100"]),
        (SortKey::AssignedTo, ["10", "100", "9"]),
        (SortKey::Classification, ["100", "10", "9"]),
        (SortKey::Alerts, ["100", "10", "9"]),
        (SortKey::Sources, ["100", "10", "9"]),
        (SortKey::Tags, ["10", "9", "100"]),
        (SortKey::Priority, ["100", "9", "10"]),
        (SortKey::LastUpdate, ["10", "100", "9"]),
        (SortKey::Created, ["9", "100", "10"]),
    ];
    for (key, asc) in cases {
        assert_eq!(sorted(&s, key, false), asc, "{key:?} ascending");
        let mut desc = asc.to_vec();
        desc.reverse();
        assert_eq!(sorted(&s, key, true), desc, "{key:?} descending");
    }
}

#[test]
fn ties_break_by_id_descending_numerically() {
    let s = loaded(vec![inc("9"), inc("100"), inc("10")]);
    assert_eq!(sorted(&s, SortKey::Severity, true), ["100", "10", "9"]);
    assert_eq!(sorted(&s, SortKey::Severity, false), ["100", "10", "9"]);
}

#[test]
fn snapshot_round_trips_with_alerts() {
    let mut with = inc("1");
    with.alerts = Some(vec![alert(
        "a",
        ServiceSource::MicrosoftDefenderForEndpoint,
        "2026-01-01T00:00:00Z",
    )]);
    let mut s = Store::new(me());
    s.apply(incidents(vec![with, inc("2")], UpsertSource::Delta));
    let (op, w) = patch_status(1, "2", IncidentStatus::Resolved);
    s.begin_write(op, w);
    let snap = s.snapshot();
    assert_eq!(snap.len(), 2);
    assert_eq!(snap[0].alerts.as_ref().map(Vec::len), Some(1));
    assert!(snap[1].alerts.is_none());
    assert_eq!(
        snap[1].status,
        IncidentStatus::Active,
        "snapshot holds server versions"
    );

    let mut t = Store::new(me());
    t.load_snapshot(snap.clone());
    assert_eq!(t.snapshot(), snap);
    assert!(t.entries().all(|e| e.mark == RowMark::Seen));
    assert_eq!(t.incident("1").unwrap().alert_count, 1);
}

#[test]
fn owners_and_tags_are_deduplicated_case_insensitively() {
    let mut a = inc("1");
    a.assigned_to = Some("Bob@contoso.com".into());
    a.custom_tags = vec!["VIP".into(), "phish".into()];
    let mut b = inc("2");
    b.assigned_to = Some("bob@CONTOSO.com".into());
    b.custom_tags = vec!["vip".into()];
    let mut c = inc("3");
    c.assigned_to = Some("alice".into());
    let s = loaded(vec![a, b, c]);
    assert_eq!(s.owners(), ["alice", "Bob@contoso.com"]);
    assert_eq!(s.tags(), ["phish", "VIP"]);
}

#[test]
fn identity_can_be_replaced() {
    let mut mine = inc("1");
    mine.assigned_to = Some("new-upn@contoso.com".into());
    let mut s = loaded(vec![mine]);
    let q = Query::parse("owner:me").unwrap();
    assert!(s.view(&q, Sort::default()).is_empty());
    s.set_identity(Identity::new(["NEW-UPN@contoso.com"]));
    assert_eq!(s.identity().aliases, ["NEW-UPN@contoso.com"]);
    assert_eq!(s.view(&q, Sort::default()), ["1"]);
}

#[test]
fn view_over_100k_incidents() {
    let items: Vec<Incident> = (0..100_000u32)
        .map(|n| {
            let mut i = inc(&n.to_string());
            i.severity = [
                Severity::High,
                Severity::Medium,
                Severity::Low,
                Severity::Informational,
            ][n as usize % 4]
                .clone();
            i.display_name = Some(format!("Incident on host-{n}"));
            i
        })
        .collect();
    let s = loaded(items);
    assert_eq!(s.len(), 100_000);
    let high = s.view(&Query::parse("sev:high").unwrap(), Sort::default());
    assert_eq!(high.len(), 25_000);
    let one = s.view(&Query::parse("host-99999").unwrap(), Sort::default());
    assert_eq!(one, ["99999"]);
    let all = s.view(
        &Query::default(),
        Sort {
            key: SortKey::Id,
            descending: true,
        },
    );
    assert_eq!(all.len(), 100_000);
    assert_eq!(all[0], "99999");
}

#[test]
fn fast_view_agrees_with_entry_matching_after_churn() {
    let now = ts("2026-01-10T00:00:00Z");
    let mut s = Store::new(me());
    let make = |n: u32, v: u32| {
        let mut i = inc(&n.to_string());
        i.severity = [Severity::High, Severity::Low, Severity::Medium][(n % 3) as usize].clone();
        i.assigned_to = (!n.is_multiple_of(4)).then(|| format!("user{}", (n + v) % 5));
        i.custom_tags = vec![format!("tag{}", (n * 7 + v) % 6)];
        i.display_name = Some(format!("title {} v{v}", n * 13 % 17));
        i.priority_score = Some(i64::from((n * 31 + v) % 100));
        i.last_update_date_time =
            Some(ts("2026-01-01T00:00:00Z").plus_seconds(i64::from(n * 3600 + v)));
        i.alerts = (n.is_multiple_of(2)).then(|| {
            vec![alert(
                &format!("a{n}"),
                ServiceSource::MicrosoftDefenderForEndpoint,
                "2026-01-01T00:00:00Z",
            )]
        });
        i
    };
    s.apply(incidents(
        (0..300).map(|n| make(n, 0)).collect(),
        UpsertSource::Initial,
    ));
    for v in 1..4 {
        s.apply(incidents(
            (0..300)
                .step_by(v as usize + 1)
                .map(|n| make(n, v))
                .collect(),
            UpsertSource::Delta,
        ));
        let (op, w) = patch_status(
            u64::from(v),
            &(v * 10).to_string(),
            IncidentStatus::Resolved,
        );
        s.begin_write(op, w);
    }
    s.apply(Update::WriteFailed {
        op: 2,
        target: Target::Incident("20".into()),
        message: "no".into(),
        retryable: false,
    });
    for text in [
        "sev:high",
        "owner:user1",
        "owner:me",
        "tag:tag3",
        "title v2",
        "-st:open",
        "prio:>50 sev:low,medium",
        "age:<100h",
        "new:yes",
        "source:endpoint",
        "owner:none",
        "id:42",
        "\"title 1\"",
    ] {
        let q = Query::parse(text).unwrap();
        let mut fast = s.view_at(&q, Sort::default(), now);
        let mut slow: Vec<String> = s
            .entries()
            .filter(|e| s.matches_at(&e.server().id, &q, now))
            .map(|e| e.server().id.clone())
            .collect();
        assert!(
            !slow.is_empty() || text == "owner:me",
            "{text} should match something"
        );
        fast.sort();
        slow.sort();
        assert_eq!(fast, slow, "{text}");
    }
}

/// Alerts are held packed and unpacked for reading; reading thousands (more than the store
/// keeps unpacked), updating in between and reading again always gives the alerts as sent,
/// with pending writes still overlaid and the search text still covering their evidence.
#[test]
fn alerts_read_back_exactly_across_unpack_and_forget_cycles() {
    let evidence = |n: usize| {
        Evidence::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.security.deviceEvidence",
            "deviceDnsName": format!("host-{n}.contoso.com"),
            "verdict": "suspicious",
            "somethingNew": {"depth": [n, "\u{1b}[2J"]}
        }))
    };
    let items: Vec<Incident> = (0..1_000)
        .map(|n| Incident {
            alerts: Some(
                (0..3)
                    .map(|k| Alert {
                        comments: vec![Comment {
                            comment: format!("note {n}/{k}"),
                            ..Default::default()
                        }],
                        evidence: vec![evidence(n * 3 + k)],
                        ..alert(
                            &format!("da{n}_{k}"),
                            ServiceSource::MicrosoftDefenderForEndpoint,
                            "2026-01-01T00:00:00Z",
                        )
                    })
                    .collect(),
            ),
            ..inc(&n.to_string())
        })
        .collect();
    let mut s = loaded(items.clone());
    let check = |s: &Store| {
        for i in &items {
            let want: Vec<&Alert> = i.alerts.iter().flatten().collect();
            assert_eq!(s.alerts(&i.id), want, "alerts of {}", i.id);
        }
    };
    check(&s);
    // Over the unpacked limit: the next update drops the copies; reads unpack again.
    s.apply(incidents(vec![inc("5000")], UpsertSource::Delta));
    check(&s);
    s.forget_unpacked();
    check(&s);
    assert_eq!(
        s.alert("da7_2")
            .map(|a| a.evidence[0].raw_json().to_string()),
        Some(
            items[7].alerts.as_ref().unwrap()[2].evidence[0]
                .raw_json()
                .to_string()
        )
    );
    assert!(s.search_text("7").contains("host-23.contoso.com"));
    assert_eq!(
        s.comments(&Target::Alert("da9_1".into()))[0].comment,
        "note 9/1"
    );
    // A pending write is overlaid on the unpacked server version and survives a forget.
    s.apply(Update::WriteQueued {
        op: 1,
        write: WriteOp::PatchAlert {
            alert_id: "da3_0".into(),
            patch: AlertPatch {
                status: Some(AlertStatus::Resolved),
                ..Default::default()
            },
        },
    });
    s.forget_unpacked();
    assert_eq!(
        s.alert("da3_0").map(|a| a.status.clone()),
        Some(AlertStatus::Resolved)
    );
    assert_eq!(
        s.alert_server("da3_0").map(|a| a.status.clone()),
        Some(AlertStatus::default())
    );
    // The same incidents again change nothing; a changed alert is seen as changed.
    let ch = s.apply(incidents(items.clone(), UpsertSource::Delta));
    assert_eq!((ch.inserted, ch.updated), (0, 0));
    let mut changed = items[11].clone();
    changed.alerts.as_mut().unwrap()[1].evidence = vec![evidence(99_999)];
    let ch = s.apply(incidents(vec![changed.clone()], UpsertSource::Delta));
    assert_eq!(ch.updated, 1);
    assert_eq!(
        s.alerts("11")[1].evidence,
        changed.alerts.unwrap()[1].evidence
    );
    assert!(s.search_text("11").contains("host-99999.contoso.com"));
}

#[test]
fn counts_do_not_take_an_unknown_status_for_open() {
    let mut odd = inc("1");
    odd.status = IncidentStatus::Other("underReview".into());
    odd.severity = Severity::High;
    let mut hidden = inc("2");
    hidden.status = IncidentStatus::UnknownFutureValue;
    hidden.severity = Severity::High;
    let mut waiting = inc("3");
    waiting.status = IncidentStatus::AwaitingAction;
    let mut done = inc("4");
    done.status = IncidentStatus::Resolved;
    let s = loaded(vec![odd, hidden, waiting, done, inc("5")]);
    let c = s.counts();
    assert_eq!((c.total, c.open, c.high, c.medium), (5, 2, 0, 2));
}

/// The Defender Experts recommendations and hunting queries come only from a beta read; the v1.0
/// record every poll brings lacks them, and must not wipe them while the analyst reads them.
#[test]
fn a_poll_keeps_the_beta_only_experts_fields() {
    let mut beta = inc("7");
    beta.recommended_actions = Some("Isolate the device".into());
    beta.recommended_hunting_queries = Some(Vec::new());
    let mut s = loaded(vec![inc("7")]);
    s.apply(incidents(vec![beta], UpsertSource::Single));
    let mut polled = inc("7");
    polled.severity = Severity::High;
    s.apply(incidents(vec![polled], UpsertSource::Delta));
    let e = s.incident("7").unwrap();
    assert_eq!(
        e.incident.severity,
        Severity::High,
        "the poll's change is taken"
    );
    assert_eq!(
        e.incident.recommended_actions.as_deref(),
        Some("Isolate the device")
    );
    assert!(e.incident.recommended_hunting_queries.is_some());
}
