//! Triage that writes back (issue 4), end to end: the real sync engine and the real Graph client
//! against the embedded simulated tenant over loopback. Every assertion is made on what the
//! simulator received or now holds (its PATCH log, its counters, its incidents).

use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;
use vigil::graph::auth::{AuthConfig, Authenticator, Credential};
use vigil::graph::client::{Client, ClientConfig, ClientEvent};
use vigil::graph::model::{
    Classification, Determination, Incident, IncidentPatch, IncidentStatus, Severity, Timestamp,
};
use vigil::graph::resources::{MailMessage, Mailbox, SendMail};
use vigil::sim::{self, FaultSpec, SimConfig, SimHandle};
use vigil::store::{Identity, Store};
use vigil::sync::{self, Command, EngineConfig, EngineHandle, IncidentBase, OpId, Update, WriteOp};

// ----- helpers -----

async fn start_sim(incidents: usize) -> SimHandle {
    sim::start(
        SimConfig {
            incidents,
            live: false,
            ..SimConfig::default()
        },
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .unwrap()
}

/// A client signed in to `sim` with the demo app credentials (each call is an independent
/// client: its own token, budget and counters).
fn client(sim: &SimHandle, timeout: Duration, budget_per_minute: u32) -> Client {
    let base = Url::parse(&sim.base_url()).unwrap();
    let cfg = ClientConfig {
        graph_url: base.clone(),
        timeout,
        budget_per_minute,
        ..ClientConfig::default()
    };
    let auth = Arc::new(Authenticator::new(
        AuthConfig {
            login_url: base.clone(),
            tenant_id: sim::DEMO_TENANT_ID.into(),
            client_id: sim::DEMO_CLIENT_ID.into(),
            scope: format!("{base}.default"),
            credential: Credential::ClientSecret(sim::DEMO_CLIENT_SECRET.to_string().into()),
            cache_path: None,
        },
        cfg.http_client().unwrap(),
    ));
    Client::new(cfg, auth).unwrap()
}

fn fast_client(sim: &SimHandle) -> Client {
    client(sim, Duration::from_secs(10), 0)
}

fn engine(c: &Client, cfg: EngineConfig) -> EngineHandle {
    sync::spawn(Arc::new(c.clone()), cfg)
}

/// One line per update (incident pages are summarised) for failure messages.
fn brief(u: &Update) -> String {
    match u {
        Update::Incidents { items, source } => format!("Incidents({} {source:?})", items.len()),
        Update::Status(s) => format!("Status({:?})", s.phase),
        Update::IncidentWritten { op, incident } => {
            format!("IncidentWritten(op {op}, {})", incident.id)
        }
        Update::WriteFailed {
            op,
            message,
            retryable,
            ..
        } => format!("WriteFailed(op {op}, retryable {retryable}: {message})"),
        Update::Conflict {
            op, changed_fields, ..
        } => format!("Conflict(op {op}, {changed_fields:?})"),
        Update::CommentsWritten { op, comments, .. } => {
            format!("CommentsWritten(op {op}, {} comments)", comments.len())
        }
        other => {
            let s = format!("{other:?}");
            s.chars().take(160).collect()
        }
    }
}

/// Receives updates until `done` says so; panics (listing what came) after `within`.
async fn pump(
    h: &mut EngineHandle,
    within: Duration,
    mut done: impl FnMut(&[Update]) -> bool,
) -> Vec<Update> {
    let deadline = tokio::time::Instant::now() + within;
    let mut seen = Vec::new();
    while !done(&seen) {
        match tokio::time::timeout_at(deadline, h.updates.recv()).await {
            Ok(Some(u)) => seen.push(u),
            Ok(None) => panic!("the engine stopped; saw {:#?}", briefs(&seen)),
            Err(_) => panic!("timed out; saw {:#?}", briefs(&seen)),
        }
    }
    seen
}

fn briefs(seen: &[Update]) -> Vec<String> {
    seen.iter().map(brief).collect()
}

fn load_done(seen: &[Update]) -> bool {
    seen.iter()
        .any(|u| matches!(u, Update::LoadComplete { .. }))
}

/// The final outcome of `op`, if it came: written, failed, conflict or comments written.
fn outcome(seen: &[Update], op: OpId) -> Option<&Update> {
    seen.iter().find(|u| match u {
        Update::IncidentWritten { op: o, .. }
        | Update::WriteFailed { op: o, .. }
        | Update::Conflict { op: o, .. }
        | Update::CommentsWritten { op: o, .. } => *o == op,
        _ => false,
    })
}

async fn get_incident(c: &Client, id: &str) -> Map<String, Value> {
    match c
        .get_json(&format!("/v1.0/security/incidents/{id}"))
        .await
        .unwrap()
    {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn incident_path(id: &str) -> String {
    format!("/v1.0/security/incidents/{id}")
}

/// PATCH bodies the simulator accepted for `path`.
fn patches_to(sim: &SimHandle, path: &str) -> Vec<Value> {
    sim.patch_log()
        .into_iter()
        .filter(|(p, _)| p == path)
        .map(|(_, b)| b)
        .collect()
}

fn last_update(m: &Map<String, Value>) -> Option<Timestamp> {
    Timestamp::parse(m["lastUpdateDateTime"].as_str().unwrap())
}

fn patch_write(id: &str, patch: IncidentPatch, base: Option<Timestamp>, force: bool) -> WriteOp {
    WriteOp::PatchIncident {
        incident_id: id.to_string(),
        patch,
        base_last_update: base,
        force,
        base: None,
    }
}

/// Ids of incidents (from a v1.0 listing) whose status is `status`.
async fn ids_with_status(c: &Client, status: &str) -> Vec<String> {
    let v = c
        .get_json(&format!(
            "/v1.0/security/incidents?$filter=status%20eq%20'{status}'&$top=100"
        ))
        .await
        .unwrap();
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

// ----- tests -----

/// Each writable field, one PATCH at a time: the simulator receives exactly the changed
/// properties with schema enum names, the incident holds the new values, and nothing else
/// about it changed (except the service-maintained lastUpdateDateTime / lastModifiedBy).
#[tokio::test]
async fn each_writable_field_patches_exactly_that_property() {
    let sim = start_sim(40).await;
    let c = fast_client(&sim);
    let mut h = engine(&c, EngineConfig::default());
    pump(&mut h, Duration::from_secs(10), load_done).await;

    let id = ids_with_status(&c, "active").await.remove(0);
    let start = get_incident(&c, &id).await;
    let new_severity = match start["severity"].as_str().unwrap() {
        "low" => (Severity::High, "high"),
        _ => (Severity::Low, "low"),
    };
    let cases: Vec<(&str, IncidentPatch, Value)> = vec![
        (
            "status",
            IncidentPatch {
                status: Some(IncidentStatus::InProgress),
                ..Default::default()
            },
            json!({"status": "inProgress"}),
        ),
        (
            "assign",
            IncidentPatch {
                assigned_to: Some(Some("e2e.analyst@contoso.com".into())),
                ..Default::default()
            },
            json!({"assignedTo": "e2e.analyst@contoso.com"}),
        ),
        (
            "unassign",
            IncidentPatch {
                assigned_to: Some(None),
                ..Default::default()
            },
            json!({"assignedTo": null}),
        ),
        (
            "classification and determination",
            IncidentPatch {
                classification: Some(Classification::TruePositive),
                determination: Some(Determination::MultiStagedAttack),
                ..Default::default()
            },
            json!({"classification": "truePositive", "determination": "multiStagedAttack"}),
        ),
        (
            "severity",
            IncidentPatch {
                severity: Some(new_severity.0),
                ..Default::default()
            },
            json!({"severity": new_severity.1}),
        ),
        (
            "custom tags",
            IncidentPatch {
                custom_tags: Some(vec!["e2e".into(), "Needs review".into()]),
                ..Default::default()
            },
            json!({"customTags": ["e2e", "Needs review"]}),
        ),
        (
            "resolving comment",
            IncidentPatch {
                resolving_comment: Some("Closed by the e2e test".into()),
                ..Default::default()
            },
            json!({"resolvingComment": "Closed by the e2e test"}),
        ),
    ];
    let path = incident_path(&id);
    let ignored = ["lastUpdateDateTime", "lastModifiedBy", "@odata.context"];
    for (n, (field, patch, body)) in cases.into_iter().enumerate() {
        let before = get_incident(&c, &id).await;
        let op = 100 + n as OpId;
        h.commands
            .send(Command::Write {
                op,
                write: patch_write(&id, patch, last_update(&before), false),
            })
            .unwrap();
        let seen = pump(&mut h, Duration::from_secs(10), |s| {
            outcome(s, op).is_some()
        })
        .await;
        let Some(Update::IncidentWritten { incident, .. }) = outcome(&seen, op) else {
            panic!("{field}: {:?}", outcome(&seen, op).map(brief));
        };
        assert_eq!(incident.id, id);

        let sent = patches_to(&sim, &path);
        assert_eq!(sent.len(), n + 1, "{field}: one PATCH per change");
        assert_eq!(
            sent[n], body,
            "{field}: the exact body the simulator received"
        );

        let after = get_incident(&c, &id).await;
        for (k, v) in body.as_object().unwrap() {
            assert_eq!(&after[k], v, "{field}: {k} not applied");
        }
        let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for k in keys {
            if ignored.contains(&k.as_str()) || body.get(k.as_str()).is_some() {
                continue;
            }
            assert_eq!(before.get(k), after.get(k), "{field}: {k} changed too");
        }
        assert!(
            last_update(&after) > last_update(&before),
            "{field}: lastUpdateDateTime moves"
        );
        assert_eq!(
            after["lastModifiedBy"],
            json!(format!("API-App:{}", sim::DEMO_CLIENT_ID))
        );
    }
    // Across all cases only these properties ever differ from the start.
    let end = get_incident(&c, &id).await;
    for (k, v) in &start {
        if ignored.contains(&k.as_str())
            || [
                "status",
                "assignedTo",
                "classification",
                "determination",
                "severity",
                "customTags",
                "resolvingComment",
            ]
            .contains(&k.as_str())
        {
            continue;
        }
        assert_eq!(Some(v), end.get(k), "{k} changed");
    }
    assert_eq!(end["assignedTo"], Value::Null, "unassigned at the end");
    h.task.abort();
    sim.shutdown().await;
}

/// 50 writes under 429s and 503s: every op settles exactly once (written or failed), every
/// incident is PATCHed at most once (exactly once when written), and the requests never exceed
/// the client's token-bucket budget.
#[tokio::test]
async fn bulk_of_50_under_throttling_settles_each_item_once_within_budget() {
    const PER_MINUTE: u32 = 360;
    let sim = start_sim(60).await;
    let c = client(&sim, Duration::from_secs(10), PER_MINUTE);
    let times: Arc<Mutex<Vec<(Instant, bool)>>> = Arc::default();
    let mut events = c.subscribe();
    let rec = times.clone();
    let watcher = tokio::spawn(async move {
        while let Ok(ev) = events.recv().await {
            let budget_wait = matches!(ev, ClientEvent::BudgetWait { .. });
            if matches!(ev, ClientEvent::Request { .. }) || budget_wait {
                rec.lock().unwrap().push((Instant::now(), budget_wait));
            }
        }
    });
    let mut h = engine(&c, EngineConfig::default());
    pump(&mut h, Duration::from_secs(10), load_done).await;
    sim.set_faults(FaultSpec::parse("429=0.3,retry-after=0.2,503=0.1").unwrap());

    let ids: Vec<String> = (0..50).map(|i| (1000 + i).to_string()).collect();
    let ops: Vec<OpId> = (1..=50).collect();
    for (op, id) in ops.iter().zip(&ids) {
        let patch = IncidentPatch {
            assigned_to: Some(Some("bulk@contoso.com".into())),
            ..Default::default()
        };
        h.commands
            .send(Command::Write {
                op: *op,
                write: patch_write(id, patch, None, false),
            })
            .unwrap();
    }
    let seen = pump(&mut h, Duration::from_secs(19), |s| {
        ops.iter().all(|op| outcome(s, *op).is_some())
    })
    .await;
    sim.set_faults(FaultSpec::default());
    // Nothing more arrives for these ops (no duplicate outcomes, no late re-sends).
    let mut late = Vec::new();
    while let Ok(Some(u)) = tokio::time::timeout(Duration::from_millis(500), h.updates.recv()).await
    {
        late.push(u);
    }
    watcher.abort();

    let mut written = 0;
    for (op, id) in ops.iter().zip(&ids) {
        let outcomes: Vec<&Update> = seen
            .iter()
            .chain(&late)
            .filter(|u| {
                matches!(u, Update::IncidentWritten { op: o, .. } | Update::WriteFailed { op: o, .. } if o == op)
            })
            .collect();
        assert_eq!(outcomes.len(), 1, "op {op}: {:?}", outcomes);
        let patched = patches_to(&sim, &incident_path(id));
        match outcomes[0] {
            Update::IncidentWritten { incident, .. } => {
                written += 1;
                assert_eq!(incident.id, *id);
                assert_eq!(incident.assigned_to.as_deref(), Some("bulk@contoso.com"));
                assert_eq!(patched, vec![json!({"assignedTo": "bulk@contoso.com"})]);
            }
            Update::WriteFailed { retryable, .. } => {
                assert!(retryable, "only throttling/5xx can fail here");
                assert!(patched.is_empty(), "a failed item was not applied");
            }
            _ => unreachable!(),
        }
    }
    assert!(
        written >= 45,
        "retries carry almost everything: {written}/50"
    );
    let stats = sim.stats();
    assert!(stats.throttled > 0, "the fault was active: {stats:?}");

    // Token bucket: capacity PER_MINUTE/12, refill PER_MINUTE/60 per second. No window of
    // requests may exceed what the bucket allows (one request of slack for timer rounding).
    let log = times.lock().unwrap().clone();
    let reqs: Vec<Instant> = log.iter().filter(|(_, w)| !w).map(|(t, _)| *t).collect();
    let capacity = f64::from(PER_MINUTE.div_ceil(12));
    let rate = f64::from(PER_MINUTE) / 60.0;
    assert!(
        reqs.len() as f64 > capacity,
        "the burst was exceeded, so pacing mattered"
    );
    for i in 0..reqs.len() {
        for j in i..reqs.len() {
            let n = (j - i + 1) as f64;
            let allowed = capacity + rate * (reqs[j] - reqs[i]).as_secs_f64() + 1.0;
            assert!(
                n <= allowed,
                "{n} requests in {:?} exceed the budget ({allowed:.1})",
                reqs[j] - reqs[i]
            );
        }
    }
    assert!(
        log.iter().any(|(_, w)| *w),
        "the client waited for its budget at least once"
    );
    h.task.abort();
    sim.shutdown().await;
}

/// A write queued while the service hangs, then the process dies: a new engine on the same
/// outbox applies it exactly once.
#[tokio::test]
async fn a_pending_change_survives_a_kill_and_is_applied_exactly_once() {
    let sim = start_sim(30).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox.json");
    let cfg = EngineConfig {
        outbox_path: Some(outbox.clone()),
        ..EngineConfig::default()
    };
    let id = "1007";
    let path = incident_path(id);
    let c1 = fast_client(&sim);
    let mut h1 = engine(&c1, cfg.clone());
    pump(&mut h1, Duration::from_secs(10), load_done).await;

    sim.set_faults(FaultSpec {
        stall: 1.0,
        ..FaultSpec::default()
    });
    let op = 4242;
    let patch = IncidentPatch {
        custom_tags: Some(vec!["survived-kill".into()]),
        ..Default::default()
    };
    h1.commands
        .send(Command::Write {
            op,
            write: patch_write(id, patch, None, false),
        })
        .unwrap();
    pump(&mut h1, Duration::from_secs(5), |s| {
        s.iter()
            .any(|u| matches!(u, Update::WriteQueued { op: o, .. } if *o == op))
    })
    .await;
    // The PATCH is on the wire, hanging in the simulator.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !sim
        .stats()
        .by_route
        .contains_key("PATCH /v1.0/security/incidents/{id}")
    {
        assert!(Instant::now() < deadline, "the PATCH never went out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let on_disk = std::fs::read_to_string(&outbox).unwrap();
    assert!(on_disk.contains("survived-kill"), "durable before sending");

    // Kill: the engine and everything it started stop mid-request.
    h1.task.abort();
    let _ = h1.task.await;
    assert!(
        patches_to(&sim, &path).is_empty(),
        "nothing was applied yet"
    );

    sim.set_faults(FaultSpec::default());
    let c2 = fast_client(&sim);
    let mut h2 = engine(&c2, cfg);
    let seen = pump(&mut h2, Duration::from_secs(10), |s| {
        outcome(s, op).is_some() && load_done(s)
    })
    .await;
    assert!(
        seen.iter()
            .any(|u| matches!(u, Update::WriteQueued { op: o, .. } if *o == op)),
        "replayed from the outbox"
    );
    assert!(
        matches!(outcome(&seen, op), Some(Update::IncidentWritten { .. })),
        "{:?}",
        briefs(&seen)
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        patches_to(&sim, &path),
        vec![json!({"customTags": ["survived-kill"]})],
        "applied exactly once"
    );
    assert_eq!(
        get_incident(&c2, id).await["customTags"],
        json!(["survived-kill"])
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&outbox).unwrap()).unwrap();
    assert_eq!(file["entries"], json!([]), "the outbox is empty again");
    h2.task.abort();
    sim.shutdown().await;
}

/// A patch of incident `id` based on what `c` reads now (what the analyst sees).
async fn based_write(c: &Client, id: &str, patch: IncidentPatch) -> WriteOp {
    let seen: Incident = serde_json::from_value(Value::Object(get_incident(c, id).await)).unwrap();
    WriteOp::PatchIncident {
        incident_id: id.to_string(),
        base: Some(Box::new(IncidentBase::capture(&patch, &seen))),
        patch,
        base_last_update: seen.last_update_date_time,
        force: false,
    }
}

/// Issue 11 item 1: an assignment queued while the service hangs, then `kill -9`, then a
/// colleague changes the severity in the portal: the restarted engine applies the assignment
/// (an unrelated field is no conflict) and keeps the colleague's change.
#[tokio::test]
async fn a_queued_assignment_survives_a_kill_and_a_colleagues_severity_change() {
    let sim = start_sim(30).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox.json");
    let cfg = EngineConfig {
        outbox_path: Some(outbox.clone()),
        ..EngineConfig::default()
    };
    let id = "1007";
    let path = incident_path(id);
    let c1 = fast_client(&sim);
    let mut h1 = engine(&c1, cfg.clone());
    pump(&mut h1, Duration::from_secs(10), load_done).await;
    let patch = IncidentPatch {
        assigned_to: Some(Some("me@contoso.com".into())),
        ..Default::default()
    };
    let write = based_write(&c1, id, patch).await;
    sim.set_faults(FaultSpec {
        stall: 1.0,
        ..FaultSpec::default()
    });
    let op = 77;
    h1.commands.send(Command::Write { op, write }).unwrap();
    pump(&mut h1, Duration::from_secs(5), |s| {
        s.iter()
            .any(|u| matches!(u, Update::WriteQueued { op: o, .. } if *o == op))
    })
    .await;
    h1.task.abort();
    let _ = h1.task.await;
    sim.set_faults(FaultSpec::default());

    let portal = fast_client(&sim);
    portal
        .patch_json(&path, &json!({"severity": "low"}))
        .await
        .unwrap();

    let c2 = fast_client(&sim);
    let mut h2 = engine(&c2, cfg);
    let seen = pump(&mut h2, Duration::from_secs(10), |s| {
        outcome(s, op).is_some() && load_done(s)
    })
    .await;
    assert!(
        matches!(outcome(&seen, op), Some(Update::IncidentWritten { .. })),
        "{:?}",
        briefs(&seen)
    );
    assert_eq!(
        patches_to(&sim, &path),
        vec![
            json!({"severity": "low"}),
            json!({"assignedTo": "me@contoso.com"})
        ]
    );
    let now = get_incident(&portal, id).await;
    assert_eq!(now["assignedTo"], json!("me@contoso.com"));
    assert_eq!(now["severity"], json!("low"));
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&outbox).unwrap()).unwrap();
    assert_eq!(file["entries"], json!([]), "the outbox is empty again");
    h2.task.abort();
    sim.shutdown().await;
}

fn copies(inc: &Map<String, Value>, text: &str) -> usize {
    inc["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["comment"] == json!(text))
        .count()
}

/// A comment POST that outlives the client timeout is reported as retryable, and retrying it
/// never produces a second copy.
#[tokio::test]
async fn a_timed_out_comment_is_not_duplicated() {
    let sim = start_sim(20).await;
    let c = client(&sim, Duration::from_millis(700), 0);
    let mut h = engine(&c, EngineConfig::default());
    pump(&mut h, Duration::from_secs(10), load_done).await;
    let id = "1003";
    let text = "e2e: checked the sign-in logs (timeout case)";
    sim.set_faults(FaultSpec {
        latency: Duration::from_millis(1500),
        ..FaultSpec::default()
    });
    let op = 77;
    h.commands
        .send(Command::Write {
            op,
            write: WriteOp::CommentIncident {
                incident_id: id.into(),
                text: text.into(),
            },
        })
        .unwrap();
    let seen = pump(&mut h, Duration::from_secs(10), |s| {
        outcome(s, op).is_some()
    })
    .await;
    match outcome(&seen, op) {
        Some(Update::WriteFailed { retryable, .. }) => assert!(retryable),
        other => panic!("the first attempt must time out: {:?}", other.map(brief)),
    }
    // Let a request the simulator was still working on finish, then heal and retry.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    sim.set_faults(FaultSpec::default());
    h.commands.send(Command::RetryFailed).unwrap();
    let seen = pump(&mut h, Duration::from_secs(10), |s| {
        s.iter()
            .any(|u| matches!(u, Update::CommentsWritten { op: o, .. } if *o == op))
    })
    .await;
    let Some(Update::CommentsWritten { comments, .. }) = seen
        .iter()
        .find(|u| matches!(u, Update::CommentsWritten { op: o, .. } if *o == op))
    else {
        unreachable!()
    };
    assert_eq!(comments.iter().filter(|c| c.comment == text).count(), 1);
    let inc = get_incident(&fast_client(&sim), id).await;
    assert_eq!(copies(&inc, text), 1, "exactly one copy on the incident");
    assert_eq!(sim.stats().comments_posted, 1);
    h.task.abort();
    sim.shutdown().await;
}

/// The answer to a comment POST is lost after the service recorded it: the retry looks first
/// and does not post again.
#[tokio::test]
async fn a_comment_whose_answer_was_lost_is_found_not_reposted() {
    let sim = start_sim(20).await;
    let c = fast_client(&sim);
    let mut h = engine(&c, EngineConfig::default());
    pump(&mut h, Duration::from_secs(10), load_done).await;
    let id = "1004";
    let text = "e2e: answer lost on the way back";
    sim.set_faults(FaultSpec {
        truncate: 1.0,
        ..FaultSpec::default()
    });
    let op = 78;
    h.commands
        .send(Command::Write {
            op,
            write: WriteOp::CommentIncident {
                incident_id: id.into(),
                text: text.into(),
            },
        })
        .unwrap();
    let seen = pump(&mut h, Duration::from_secs(10), |s| {
        outcome(s, op).is_some()
    })
    .await;
    assert!(
        matches!(
            outcome(&seen, op),
            Some(Update::WriteFailed {
                retryable: true,
                ..
            })
        ),
        "{:?}",
        outcome(&seen, op).map(brief)
    );
    assert_eq!(sim.stats().comments_posted, 1, "the service recorded it");
    sim.set_faults(FaultSpec::default());
    h.commands.send(Command::RetryFailed).unwrap();
    pump(&mut h, Duration::from_secs(10), |s| {
        s.iter()
            .any(|u| matches!(u, Update::CommentsWritten { op: o, .. } if *o == op))
    })
    .await;
    let stats = sim.stats();
    assert_eq!(stats.comments_posted, 1, "not posted again");
    assert_eq!(
        stats
            .by_route
            .get("POST /v1.0/security/incidents/{id}/comments"),
        Some(&1)
    );
    let inc = get_incident(&c, id).await;
    assert_eq!(copies(&inc, text), 1);
    h.task.abort();
    sim.shutdown().await;
}

/// The service normalises what it stores (line endings, trailing blanks) and the answer to the
/// POST is lost: the retry still recognises its comment and does not post a second copy.
#[tokio::test]
async fn a_comment_the_service_normalised_is_found_not_reposted() {
    let sim = start_sim(20).await;
    let c = fast_client(&sim);
    let mut h = engine(&c, EngineConfig::default());
    pump(&mut h, Duration::from_secs(10), load_done).await;
    let id = "1005";
    let text = "Checked the host  \r\nNo lateral movement\t\r\n\r\n";
    let stored = "Checked the host\nNo lateral movement";
    sim.set_faults(FaultSpec {
        truncate: 1.0,
        normalize_comments: true,
        ..FaultSpec::default()
    });
    let op = 79;
    h.commands
        .send(Command::Write {
            op,
            write: WriteOp::CommentIncident {
                incident_id: id.into(),
                text: text.into(),
            },
        })
        .unwrap();
    let seen = pump(&mut h, Duration::from_secs(10), |s| {
        outcome(s, op).is_some()
    })
    .await;
    assert!(
        matches!(
            outcome(&seen, op),
            Some(Update::WriteFailed {
                retryable: true,
                ..
            })
        ),
        "{:?}",
        outcome(&seen, op).map(brief)
    );
    assert_eq!(sim.stats().comments_posted, 1, "the service recorded it");
    sim.set_faults(FaultSpec {
        normalize_comments: true,
        ..FaultSpec::default()
    });
    h.commands.send(Command::RetryFailed).unwrap();
    pump(&mut h, Duration::from_secs(10), |s| {
        s.iter()
            .any(|u| matches!(u, Update::CommentsWritten { op: o, .. } if *o == op))
    })
    .await;
    assert_eq!(sim.stats().comments_posted, 1, "not posted again");
    let inc = get_incident(&c, id).await;
    assert_eq!(copies(&inc, stored), 1, "one normalised copy");
    h.task.abort();
    sim.shutdown().await;
}

/// Another analyst changed the incident after we read it: the engine reports a conflict and
/// sends nothing; confirming (force) applies the change.
#[tokio::test]
async fn a_conflicting_server_change_is_detected_then_force_applies() {
    let sim = start_sim(20).await;
    let c = fast_client(&sim);
    let portal = fast_client(&sim);
    let mut h = engine(&c, EngineConfig::default());
    pump(&mut h, Duration::from_secs(10), load_done).await;
    let id = "1002";
    let path = incident_path(id);
    let seen_by_us = get_incident(&c, id).await;
    let base = last_update(&seen_by_us);

    // The other analyst takes it.
    portal
        .patch_json(&path, &json!({"assignedTo": "colleague@contoso.com"}))
        .await
        .unwrap();
    assert_eq!(patches_to(&sim, &path).len(), 1);

    let patch = IncidentPatch {
        assigned_to: Some(Some("me@contoso.com".into())),
        ..Default::default()
    };
    h.commands
        .send(Command::Write {
            op: 1,
            write: patch_write(id, patch.clone(), base, false),
        })
        .unwrap();
    let seen = pump(&mut h, Duration::from_secs(10), |s| outcome(s, 1).is_some()).await;
    match outcome(&seen, 1) {
        Some(Update::Conflict {
            server,
            changed_fields,
            ..
        }) => {
            assert!(changed_fields.contains(&"assignedTo".to_string()));
            assert_eq!(server.assigned_to.as_deref(), Some("colleague@contoso.com"));
        }
        other => panic!("conflict expected: {:?}", other.map(brief)),
    }
    assert_eq!(
        patches_to(&sim, &path).len(),
        1,
        "nothing was PATCHed by the engine"
    );
    assert_eq!(
        get_incident(&c, id).await["assignedTo"],
        json!("colleague@contoso.com")
    );

    h.commands
        .send(Command::Write {
            op: 2,
            write: patch_write(id, patch, base, true),
        })
        .unwrap();
    let seen = pump(&mut h, Duration::from_secs(10), |s| outcome(s, 2).is_some()).await;
    assert!(matches!(
        outcome(&seen, 2),
        Some(Update::IncidentWritten { .. })
    ));
    let sent = patches_to(&sim, &path);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1], json!({"assignedTo": "me@contoso.com"}));
    assert_eq!(
        get_incident(&portal, id).await["assignedTo"],
        json!("me@contoso.com")
    );
    h.task.abort();
    sim.shutdown().await;
}

/// Read-only mode refuses writes, mail and task updates locally: not one write request
/// reaches the simulator and the outbox is never created.
#[tokio::test]
async fn read_only_refuses_and_sends_nothing() {
    let sim = start_sim(20).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox.json");
    let c = fast_client(&sim);
    let mut h = engine(
        &c,
        EngineConfig {
            read_only: true,
            outbox_path: Some(outbox.clone()),
            ..EngineConfig::default()
        },
    );
    let patch = IncidentPatch {
        status: Some(IncidentStatus::Resolved),
        ..Default::default()
    };
    h.commands
        .send(Command::Write {
            op: 1,
            write: patch_write("1001", patch, None, true),
        })
        .unwrap();
    h.commands
        .send(Command::Write {
            op: 2,
            write: WriteOp::CommentIncident {
                incident_id: "1001".into(),
                text: "should not be posted".into(),
            },
        })
        .unwrap();
    h.commands
        .send(Command::SendMail {
            op: 3,
            inquiry_id: "inq".into(),
            mail: SendMail {
                mailbox: Mailbox::User(sim::DELEGATED_USER.to_string()),
                message: MailMessage::text("x", "x", &["a@contoso.com"]),
                save_to_sent_items: false,
            },
        })
        .unwrap();
    let seen = pump(&mut h, Duration::from_secs(10), |s| {
        load_done(s)
            && outcome(s, 1).is_some()
            && outcome(s, 2).is_some()
            && s.iter().any(|u| matches!(u, Update::MailSent { .. }))
    })
    .await;
    for op in [1, 2] {
        match outcome(&seen, op) {
            Some(Update::WriteFailed {
                retryable, message, ..
            }) => {
                assert!(!retryable);
                assert!(message.contains("read-only"), "{message}");
            }
            other => panic!("op {op}: {:?}", other.map(brief)),
        }
    }
    assert!(seen.iter().any(|u| matches!(
        u,
        Update::MailSent { result: Err(e), .. } if e.contains("read-only")
    )));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stats = sim.stats();
    assert!(
        stats
            .by_route
            .keys()
            .all(|k| k.starts_with("GET ") || k.contains("oauth2")),
        "only reads reached the simulator: {:?}",
        stats.by_route
    );
    assert!(stats.by_route.keys().any(|k| k.starts_with("GET ")));
    assert_eq!(stats.patches, 0);
    assert_eq!(stats.comments_posted, 0);
    assert!(sim.patch_log().is_empty());
    assert!(sim.sent_mail().is_empty());
    assert!(!outbox.exists(), "read-only never creates the outbox");
    h.task.abort();
    sim.shutdown().await;
}

/// Both directions: the portal (a second client) sees what the engine wrote, and the engine's
/// store picks up what the portal changed at its next poll.
#[tokio::test]
async fn changes_sync_both_ways() {
    let poll = Duration::from_millis(500);
    let sim = start_sim(30).await;
    let c = fast_client(&sim);
    let portal = fast_client(&sim);
    let mut h = engine(
        &c,
        EngineConfig {
            poll_interval: poll,
            ..EngineConfig::default()
        },
    );
    let mut store = Store::new(Identity::new(Vec::<String>::new()));
    for u in pump(&mut h, Duration::from_secs(10), load_done).await {
        store.apply(u);
    }
    let ours = "1005";
    let theirs = store
        .entries()
        .map(|e| e.incident.id.clone())
        .find(|i| i != ours)
        .expect("the engine loaded incidents");
    let theirs = theirs.as_str();

    // Engine → service → portal.
    let patch = IncidentPatch {
        assigned_to: Some(Some("engine.side@contoso.com".into())),
        ..Default::default()
    };
    h.commands
        .send(Command::Write {
            op: 9,
            write: patch_write(ours, patch, None, false),
        })
        .unwrap();
    for u in pump(&mut h, Duration::from_secs(10), |s| outcome(s, 9).is_some()).await {
        store.apply(u);
    }
    assert_eq!(
        get_incident(&portal, ours).await["assignedTo"],
        json!("engine.side@contoso.com")
    );

    // Portal → service → engine store.
    portal
        .patch_json(
            &incident_path(theirs),
            &json!({"customTags": ["from-portal"]}),
        )
        .await
        .unwrap();
    // Arrives by polling alone (no refresh is asked for); how soon is a performance figure,
    // measured against its target in benches/e2e.rs.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let has = store
            .incident(theirs)
            .is_some_and(|e| e.incident.custom_tags == vec!["from-portal".to_string()]);
        if has {
            break;
        }
        match tokio::time::timeout_at(deadline, h.updates.recv()).await {
            Ok(Some(u)) => {
                store.apply(u);
            }
            other => panic!("the portal's change never arrived: {other:?}"),
        }
    }
    h.task.abort();
    sim.shutdown().await;
}
