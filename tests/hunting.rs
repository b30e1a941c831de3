//! Advanced hunting end to end over loopback HTTP: the production Graph client and the engine
//! against the simulator's `runHuntingQuery` — results with typed columns, the KQL subset, the
//! service's error shape for the rest, the per-minute limit, the CPU-quota 429, cancelling.

use std::sync::Arc;
use std::time::Duration;

use vigil::connect;
use vigil::graph::error::ErrorKind;
use vigil::graph::hunting::{self, ColumnType};
use vigil::sim::{FaultSpec, SimConfig};
use vigil::sync::{Command, EngineConfig, Update};

fn cfg(faults: &str) -> SimConfig {
    SimConfig {
        incidents: 80,
        live: false,
        faults: FaultSpec::parse(faults).unwrap(),
        ..SimConfig::default()
    }
}

fn col<'a>(r: &'a hunting::HuntResult, name: &str) -> usize {
    r.columns
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", r.columns))
}

#[tokio::test]
async fn every_documented_table_answers_with_typed_columns() {
    let demo = connect::demo(cfg("")).await.unwrap();
    for (table, must) in [
        ("AlertInfo", ["AlertId", "Title", "Severity"]),
        ("AlertEvidence", ["AlertId", "EntityType", "DeviceName"]),
        (
            "DeviceProcessEvents",
            ["DeviceName", "FileName", "ProcessCommandLine"],
        ),
        (
            "DeviceNetworkEvents",
            ["DeviceName", "RemoteIP", "RemoteUrl"],
        ),
        (
            "EmailEvents",
            ["SenderFromAddress", "RecipientEmailAddress", "Subject"],
        ),
        (
            "IdentityLogonEvents",
            ["AccountName", "ActionType", "IPAddress"],
        ),
    ] {
        let r = hunting::run(&demo.client, &format!("{table} | take 5"))
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        assert_eq!(r.columns[0].name, "Timestamp", "{table}");
        assert_eq!(r.columns[0].kind, ColumnType::DateTime, "{table}");
        for m in must {
            col(&r, m);
        }
        assert!(
            !r.rows.is_empty() && r.rows.len() <= 5,
            "{table}: {}",
            r.rows.len()
        );
    }
}

#[tokio::test]
async fn the_kql_subset_filters_projects_counts_and_orders() {
    let demo = connect::demo(cfg("")).await.unwrap();
    let all = hunting::run(&demo.client, "AlertInfo").await.unwrap();
    let sev = col(&all, "Severity");
    let high = all.rows.iter().filter(|r| r[sev] == "High").count();
    assert!(high > 0);

    let r = hunting::run(
        &demo.client,
        "AlertInfo | where Severity == \"High\" and Timestamp > ago(30d) | project AlertId, Severity",
    )
    .await
    .unwrap();
    assert_eq!(r.columns.len(), 2);
    assert_eq!(r.rows.len(), high);

    let r = hunting::run(
        &demo.client,
        "AlertInfo | summarize count() by Severity | order by count_ desc",
    )
    .await
    .unwrap();
    assert_eq!(r.columns[1].name, "count_");
    assert!(r.columns[1].kind.is_numeric());
    let counts: Vec<u64> = r.rows.iter().map(|x| x[1].as_u64().unwrap()).collect();
    assert_eq!(counts.iter().sum::<u64>() as usize, all.rows.len());
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");

    let r = hunting::run(
        &demo.client,
        "AlertEvidence | where EntityType in (\"Machine\", \"User\") | limit 3",
    )
    .await
    .unwrap();
    let et = col(&r, "EntityType");
    assert!(r.rows.iter().all(|x| x[et] == "Machine" || x[et] == "User"));
    assert_eq!(r.rows.len(), 3);
}

#[tokio::test]
async fn unsupported_kql_gets_graphs_bad_request_naming_it() {
    let demo = connect::demo(cfg("")).await.unwrap();
    for (q, needle) in [
        ("AlertInfo | join (AlertEvidence) on AlertId", "'join'"),
        ("NoSuchTable | take 1", "'NoSuchTable'"),
        ("AlertInfo | project Nope", "'Nope'"),
    ] {
        let e = hunting::run(&demo.client, q).await.unwrap_err();
        assert_eq!(e.status, Some(400), "{q}");
        assert!(e.code_is("BadRequest"), "{q}: {}", e.code);
        assert!(e.message.contains(needle), "{q}: {}", e.message);
        assert!(hunting::failure_message(&e).contains(needle));
    }
}

#[tokio::test]
async fn the_46th_call_in_a_minute_is_refused_and_not_retried() {
    let demo = connect::demo(cfg("")).await.unwrap();
    for _ in 0..hunting::CALLS_PER_MINUTE {
        hunting::run(&demo.client, "AlertInfo | take 1")
            .await
            .unwrap();
    }
    let e = hunting::run(&demo.client, "AlertInfo | take 1")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert!(e.message.contains("45"), "{}", e.message);
    assert_eq!(
        demo.sim
            .stats()
            .by_route
            .get("POST /v1.0/security/runHuntingQuery"),
        Some(&46),
        "the refused call is not retried"
    );
}

#[tokio::test]
async fn the_cpu_quota_429_comes_back_with_its_message() {
    let demo = connect::demo(cfg("hunt-cpu-quota=1")).await.unwrap();
    let e = hunting::run(&demo.client, "AlertInfo").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert!(e.message.contains("CPU quota"), "{}", e.message);
    assert!(hunting::failure_message(&e).starts_with("throttled (429): "));
    assert!(
        hunting::run(&demo.client, "AlertInfo | take 1")
            .await
            .is_ok()
    );
}

async fn next_hunt_update(
    updates: &mut tokio::sync::mpsc::UnboundedReceiver<Update>,
    within: Duration,
) -> Option<Update> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, updates.recv()).await {
            Ok(Some(u @ (Update::HuntResult { .. } | Update::HuntFailed { .. }))) => {
                return Some(u);
            }
            Ok(Some(_)) => continue,
            _ => return None,
        }
    }
}

#[tokio::test]
async fn the_engine_runs_a_hunt_beside_polling_and_cancel_drops_it() {
    let demo = connect::demo(cfg("")).await.unwrap();
    let mut h = vigil::sync::spawn(Arc::new(demo.client.clone()), EngineConfig::default());
    h.commands
        .send(Command::Hunt {
            id: 1,
            query: "EmailEvents | project SenderFromAddress, Subject | take 4".into(),
        })
        .unwrap();
    match next_hunt_update(&mut h.updates, Duration::from_secs(20)).await {
        Some(Update::HuntResult { id, result }) => {
            assert_eq!(id, 1);
            assert_eq!(result.columns.len(), 2);
            assert_eq!(result.rows.len(), 4);
            assert!(
                result
                    .rows
                    .iter()
                    .all(|r| r[0].as_str().is_some_and(|s| s.contains('@')))
            );
        }
        other => panic!("{other:?}"),
    }
    h.commands
        .send(Command::Hunt {
            id: 2,
            query: "AlertInfo | where".into(),
        })
        .unwrap();
    match next_hunt_update(&mut h.updates, Duration::from_secs(20)).await {
        Some(Update::HuntFailed {
            id: 2,
            message,
            throttled: false,
        }) => {
            assert!(message.contains("HTTP 400"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A slow answer, cancelled: nothing comes back for it.
    demo.sim.set_faults(FaultSpec {
        latency: Duration::from_millis(1500),
        ..FaultSpec::default()
    });
    h.commands
        .send(Command::Hunt {
            id: 3,
            query: "AlertInfo | take 1".into(),
        })
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    h.commands.send(Command::CancelHunt).unwrap();
    assert_eq!(
        next_hunt_update(&mut h.updates, Duration::from_secs(3)).await,
        None
    );
    let _ = h.commands.send(Command::Shutdown);
}
