//! Fault injection: the real sync engine and the real Graph client against the in-process
//! simulated tenant while it throttles, fails, stalls, corrupts bodies and records, expires
//! tokens, or is killed and restarted on the same port. In every case the engine keeps running
//! and says what is happening, a write queued during the fault survives in the outbox file and
//! lands once the fault stops, and the store built from the updates converges to the server.

use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use url::Url;
use vigil::graph::auth::{AuthConfig, Authenticator, Credential};
use vigil::graph::client::{Client, ClientConfig};
use vigil::graph::model::{Incident, IncidentPatch, Severity, parse_page};
use vigil::sim::{self, FaultSpec, SimConfig, SimHandle};
use vigil::store::{Identity, Store};
use vigil::sync::{Command, EngineConfig, EngineHandle, Phase, SyncStatus, Update, WriteOp, spawn};

/// Every wait in these tests is bounded by this.
const WAIT: Duration = Duration::from_secs(15);
const ASSIGNEE: &str = "resilience@contoso.com";

fn sim_cfg(incidents: usize, faults: &str) -> SimConfig {
    SimConfig {
        incidents,
        live: false,
        faults: FaultSpec::parse(faults).unwrap(),
        max_page: 100,
        ..SimConfig::default()
    }
}

/// A client like `connect::demo` builds, with a short whole-request timeout, few retries and a
/// short backoff so a test sees the engine's own handling within seconds.
fn client_for(base: &str, timeout: Duration, max_retries: u32) -> Client {
    let base = Url::parse(base).unwrap();
    let cfg = ClientConfig {
        graph_url: base.clone(),
        timeout,
        connect_timeout: Duration::from_secs(1),
        max_retries,
        budget_per_minute: 0,
        max_backoff: Duration::from_millis(200),
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

fn engine_cfg(outbox: PathBuf, page_size: u32) -> EngineConfig {
    EngineConfig {
        window_days: 3650,
        page_size,
        small_page_size: 5,
        poll_interval: Duration::from_millis(300),
        outbox_path: Some(outbox),
        ..EngineConfig::default()
    }
}

/// What the server holds for one incident (the fields a write or a poll can change).
type Row = (String, Severity, Option<String>, Option<String>);

fn row(i: &Incident) -> Row {
    (
        i.status.as_str().to_string(),
        i.severity.clone(),
        i.assigned_to.clone(),
        i.last_update_date_time.map(|t| t.to_graph()),
    )
}

/// A direct, fault-free listing of every incident (call after the faults are cleared).
async fn server_view(sim: &SimHandle) -> BTreeMap<String, Row> {
    let client = client_for(&sim.base_url(), Duration::from_secs(10), 3);
    let mut next = Some("/v1.0/security/incidents?$top=100".to_string());
    let mut out = BTreeMap::new();
    while let Some(url) = next {
        let page = parse_page::<Incident>(client.get_json(&url).await.unwrap()).unwrap();
        assert!(
            page.bad.is_empty(),
            "faults must be off for the reference listing"
        );
        for i in page.items {
            out.insert(i.id.clone(), row(&i));
        }
        next = page.next_link;
    }
    out
}

/// Ops in the outbox file on disk.
fn outbox_ops(path: &Path) -> Vec<u64> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["op"].as_u64().unwrap())
        .collect()
}

/// The engine under test, the store it feeds and a log of what it reported.
struct Rig {
    engine: EngineHandle,
    store: Store,
    outbox: PathBuf,
    status: SyncStatus,
    statuses: Vec<SyncStatus>,
    errors: Vec<String>,
    bad_records: usize,
    written: Vec<u64>,
    retryable_failures: Vec<(u64, String)>,
    load_complete: Vec<usize>,
    _dir: tempfile::TempDir,
}

impl Rig {
    fn start(client: Client, page_size: u32) -> Rig {
        Rig::start_polling(client, page_size, Duration::from_millis(300))
    }

    /// As [`Rig::start`], polling every `poll`.
    fn start_polling(client: Client, page_size: u32, poll: Duration) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("outbox.json");
        let cfg = EngineConfig {
            poll_interval: poll,
            ..engine_cfg(outbox.clone(), page_size)
        };
        let engine = spawn(Arc::new(client), cfg);
        Rig {
            engine,
            store: Store::new(Identity::new([ASSIGNEE])),
            outbox,
            status: SyncStatus::default(),
            statuses: Vec::new(),
            errors: Vec::new(),
            bad_records: 0,
            written: Vec::new(),
            retryable_failures: Vec::new(),
            load_complete: Vec::new(),
            _dir: dir,
        }
    }

    fn record(&mut self, u: &Update) {
        match u {
            Update::Status(s) => {
                self.status = s.clone();
                self.statuses.push(s.clone());
            }
            Update::Error { message } => self.errors.push(message.clone()),
            Update::BadRecords { records, .. } => self.bad_records += records.len(),
            Update::IncidentWritten { op, .. } => self.written.push(*op),
            Update::WriteFailed {
                op,
                message,
                retryable,
                ..
            } => {
                assert!(
                    *retryable,
                    "a fault must never make a write fail for good: {message}"
                );
                self.retryable_failures.push((*op, message.clone()));
            }
            Update::LoadComplete { total, .. } => self.load_complete.push(*total),
            _ => {}
        }
    }

    /// Applies updates until `done` holds; panics with what was seen after [`WAIT`]. `done` is
    /// also re-checked every 50 ms without an update, since it may look at files the engine
    /// writes after its last update (the outbox).
    async fn until(&mut self, what: &str, mut done: impl FnMut(&Rig) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "timed out waiting for {what}; status {:?}; errors {:?}",
                    self.status, self.errors
                );
            }
            let tick = left.min(Duration::from_millis(50));
            match tokio::time::timeout(tick, self.engine.updates.recv()).await {
                Ok(Some(u)) => {
                    self.record(&u);
                    self.store.apply(u);
                }
                Ok(None) => panic!("the engine stopped while waiting for {what}"),
                Err(_) => {}
            }
        }
    }

    fn send(&self, c: Command) {
        self.engine.commands.send(c).unwrap();
    }

    /// Queues an assignment of incident `id` and waits until it is durable (or already done).
    async fn write(&mut self, op: u64, id: &str) {
        self.send(Command::Write {
            op,
            write: WriteOp::PatchIncident {
                incident_id: id.to_string(),
                patch: IncidentPatch {
                    assigned_to: Some(Some(ASSIGNEE.into())),
                    ..Default::default()
                },
                base_last_update: None,
                force: false,
                base: None,
            },
        });
        // The engine saves the write before sending it; a write the service answers at once
        // may leave the file again before the file is looked at, so its outcome counts too.
        let path = self.outbox.clone();
        self.until("the write to reach the outbox file", |r| {
            outbox_ops(&path).contains(&op)
                || r.written.contains(&op)
                || r.retryable_failures.iter().any(|f| f.0 == op)
        })
        .await;
    }

    fn view(&self) -> BTreeMap<String, Row> {
        self.store
            .entries()
            .map(|e| (e.server().id.clone(), row(e.server())))
            .collect()
    }

    /// The engine is still alive and the store equals the server, the write included.
    async fn converged(&mut self, sim: &SimHandle, op: u64, id: &str) {
        self.converged_with(sim, op, id, true).await;
    }

    /// As [`Rig::converged`]; `times: false` ignores `lastUpdateDateTime` (a restarted
    /// simulator regenerates its tenant relative to a later "now").
    async fn converged_with(&mut self, sim: &SimHandle, op: u64, id: &str, times: bool) {
        let strip = |mut m: BTreeMap<String, Row>| {
            if !times {
                m.values_mut().for_each(|r| r.3 = None);
            }
            m
        };
        let expected = strip(server_view(sim).await);
        assert_eq!(
            expected.get(id).and_then(|r| r.2.as_deref()),
            Some(ASSIGNEE),
            "the write queued during the fault reached the service"
        );
        self.until("the store to converge to the server", |r| {
            r.written.contains(&op) && strip(r.view()) == expected
        })
        .await;
        let path = self.outbox.clone();
        self.until("the outbox file to be empty", |_| {
            outbox_ops(&path).is_empty()
        })
        .await;
        assert!(!self.engine.task.is_finished(), "the engine keeps running");
    }

    /// Failed writes wait for "retry failed" (or a reconnection): ask, as the analyst would.
    async fn retry_failed_until_written(&mut self, op: u64) {
        let deadline = Instant::now() + WAIT;
        while !self.written.contains(&op) {
            assert!(
                Instant::now() < deadline,
                "write {op} never landed: {:?}",
                self.status
            );
            if self.status.outbox_failed > 0 {
                self.send(Command::RetryFailed);
            }
            let t = Instant::now() + Duration::from_millis(500);
            while Instant::now() < t && !self.written.contains(&op) {
                if let Ok(Some(u)) = tokio::time::timeout_at(t, self.engine.updates.recv()).await {
                    self.record(&u);
                    self.store.apply(u);
                }
            }
        }
    }
}

async fn demo(
    incidents: usize,
    faults: &str,
    timeout: Duration,
    retries: u32,
) -> (SimHandle, Client) {
    let sim = sim::start(sim_cfg(incidents, faults), ([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let client = client_for(&sim.base_url(), timeout, retries);
    (sim, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttle_storm_with_retry_after_is_reported_and_converges() {
    let (sim, client) = demo(60, "429=1,retry-after=0.3", Duration::from_secs(5), 2).await;
    let mut rig = Rig::start(client, 20);
    rig.write(1, "1001").await;
    rig.until("the throttling to be reported", |r| {
        r.errors
            .iter()
            .any(|e| e.contains("429") || e.to_lowercase().contains("throttl"))
            && !r.retryable_failures.is_empty()
    })
    .await;
    assert!(rig.store.is_empty(), "nothing got through the storm");
    assert!(sim.stats().throttled >= 3, "the client waited and retried");
    assert_eq!(outbox_ops(&rig.outbox), vec![1], "the write is kept");
    sim.set_faults(FaultSpec::default());
    rig.retry_failed_until_written(1).await;
    rig.converged(&sim, 1, "1001").await;
    // The next successful poll clears the error from the status bar.
    rig.until("the error to clear", |r| {
        r.statuses.last().is_some_and(|s| s.last_error.is_none())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_bursts_degrade_and_recover() {
    let (sim, client) = demo(
        60,
        "503=0.5,500=1,retry-after=0.2",
        Duration::from_secs(5),
        1,
    )
    .await;
    let mut rig = Rig::start(client, 20);
    rig.write(7, "1010").await;
    rig.until("the 5xx failures to be reported", |r| {
        r.errors
            .iter()
            .any(|e| e.contains("500") || e.contains("503"))
            && !r.retryable_failures.is_empty()
    })
    .await;
    assert!(rig.store.is_empty());
    assert!(sim.stats().faults_injected >= 4);
    assert_eq!(outbox_ops(&rig.outbox), vec![7]);
    sim.set_faults(FaultSpec::default());
    rig.retry_failed_until_written(7).await;
    rig.converged(&sim, 7, "1010").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_time_out_go_offline_and_recover() {
    // Every Graph answer hangs for 60 s; the client gives up after 2 s (one retry).
    let (sim, client) = demo(40, "stall=1", Duration::from_secs(2), 1).await;
    let mut rig = Rig::start(client, 20);
    rig.write(3, "1002").await;
    rig.until("the engine to report being offline", |r| {
        r.status.phase == Phase::Offline && r.errors.iter().any(|e| e.starts_with("offline"))
    })
    .await;
    assert!(rig.store.is_empty());
    assert_eq!(outbox_ops(&rig.outbox), vec![3], "the write is kept");
    sim.set_faults(FaultSpec::default());
    // No analyst action: reconnection re-sends failed writes by itself.
    rig.until("the write to land after reconnection", |r| {
        r.written.contains(&3)
    })
    .await;
    rig.converged(&sim, 3, "1002").await;
    assert_ne!(rig.status.phase, Phase::Offline);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_then_truncated_bodies_are_reported_and_recovered() {
    let (sim, client) = demo(40, "malformed=1", Duration::from_secs(5), 1).await;
    let mut rig = Rig::start(client, 20);
    rig.write(4, "1003").await;
    rig.until("the malformed bodies to be reported", |r| {
        r.errors.iter().any(|e| e.contains("invalid JSON"))
    })
    .await;
    assert!(rig.store.is_empty());
    sim.set_faults(FaultSpec::parse("truncate=1").unwrap());
    let before = rig.errors.len();
    rig.until("the truncated bodies to be reported", |r| {
        r.errors.len() > before
    })
    .await;
    assert!(rig.store.is_empty());
    assert_eq!(outbox_ops(&rig.outbox), vec![4], "the write is kept");
    sim.set_faults(FaultSpec::default());
    rig.retry_failed_until_written(4).await;
    rig.converged(&sim, 4, "1003").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_invalid_record_per_page_keeps_the_rest_of_the_page() {
    let (sim, client) = demo(100, "bad-record=1", Duration::from_secs(5), 1).await;
    let mut rig = Rig::start(client, 10);
    rig.until("the initial load", |r| !r.load_complete.is_empty())
        .await;
    let loaded = rig.load_complete[0];
    assert!(rig.bad_records >= 1, "the fault plants unparseable records");
    assert_eq!(
        loaded + rig.bad_records,
        100,
        "every record is either loaded or reported as bad; none silently dropped"
    );
    assert!(rig.store.len() >= loaded);
    rig.write(5, "1004").await;
    rig.until("the write", |r| r.written.contains(&5)).await;
    sim.set_faults(FaultSpec::default());
    // No full refresh: after a successful poll the engine re-reads each record that was
    // unparseable in the listing on its own, so the store converges.
    rig.converged(&sim, 5, "1004").await;
    assert_eq!(rig.store.len(), 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expiring_mid_sync_are_reacquired_transparently() {
    let (sim, client) = demo(40, "", Duration::from_secs(5), 1).await;
    let mut rig = Rig::start(client, 20);
    rig.until("the initial load", |r| !r.load_complete.is_empty())
        .await;
    let tokens = sim.stats().token_requests;
    sim.set_faults(FaultSpec::parse("expire-tokens=400ms").unwrap());
    // Other analysts keep working, so delta polls have something to bring.
    tokio::time::sleep(Duration::from_millis(600)).await;
    sim.tick_activity();
    rig.write(6, "1005").await;
    rig.until("the write", |r| r.written.contains(&6)).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    rig.until("another delta poll", |r| r.status.phase == Phase::Idle)
        .await;
    assert!(
        sim.stats().token_requests > tokens,
        "expired tokens were re-acquired"
    );
    assert!(
        rig.errors.is_empty(),
        "re-authentication is invisible: {:?}",
        rig.errors
    );
    sim.set_faults(FaultSpec::default());
    rig.converged(&sim, 6, "1005").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_restarted_on_the_same_port_gets_the_pending_write() {
    let (sim, client) = demo(40, "", Duration::from_secs(2), 1).await;
    let addr: SocketAddr = sim.addr;
    let mut rig = Rig::start(client, 20);
    rig.until("the initial load", |r| !r.load_complete.is_empty())
        .await;
    sim.shutdown().await;
    rig.write(8, "1006").await;
    rig.until("the engine to report being offline", |r| {
        r.status.phase == Phase::Offline && r.retryable_failures.iter().any(|f| f.0 == 8)
    })
    .await;
    assert_eq!(outbox_ops(&rig.outbox), vec![8], "the write is kept");
    assert_eq!(rig.store.len(), 40, "the data already loaded stays");
    let sim = sim::start(sim_cfg(40, ""), addr).await.unwrap();
    assert_eq!(sim.addr, addr);
    rig.until("the write to land on the restarted tenant", |r| {
        r.written.contains(&8)
    })
    .await;
    rig.converged_with(&sim, 8, "1006", false).await;
    assert!(
        sim.stats().token_requests >= 1,
        "the old tenant's token was refused and a new one acquired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_failed_by_server_errors_are_resent_by_themselves_once_polls_succeed() {
    let (sim, client) = demo(
        60,
        "503=0.5,500=1,retry-after=0.2",
        Duration::from_secs(5),
        1,
    )
    .await;
    let mut rig = Rig::start(client, 20);
    rig.write(8, "1011").await;
    rig.until("the write to fail retryably", |r| {
        !r.retryable_failures.is_empty()
    })
    .await;
    assert_eq!(outbox_ops(&rig.outbox), vec![8], "the failed write is kept");
    sim.set_faults(FaultSpec::default());
    // No "retry failed" from the analyst: the next successful poll re-sends it.
    rig.until("the write to land without a manual retry", |r| {
        r.written.contains(&8)
    })
    .await;
    rig.converged(&sim, 8, "1011").await;
}

/// How many incidents a listing shows as open (active, in progress or awaiting action).
fn open_on_server(view: &BTreeMap<String, Row>) -> usize {
    view.values()
        .filter(|r| matches!(r.0.as_str(), "active" | "inProgress" | "awaitingAction"))
        .count()
}

/// Records that carried an enum member newer than the client knows keep their
/// `lastUpdateDateTime`, so no delta poll lists them again: the engine re-reads them by
/// itself once polls succeed, and the header counts follow the server again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_enum_values_converge_by_themselves_once_the_fault_stops() {
    let (sim, client) = demo(100, "unknown-enum=0.5", Duration::from_secs(5), 1).await;
    let mut rig = Rig::start(client, 20);
    rig.until("the initial load", |r| !r.load_complete.is_empty())
        .await;
    let unknown = |r: &Rig| {
        r.store
            .entries()
            .filter(|e| !e.server().status.is_known())
            .count()
    };
    assert!(unknown(&rig) > 0, "the fault planted unknown statuses");
    sim.set_faults(FaultSpec::default());
    let expected = server_view(&sim).await;
    rig.until("the store to converge to the server", |r| {
        r.view() == expected
    })
    .await;
    assert_eq!(unknown(&rig), 0);
    assert_eq!(rig.store.counts().open, open_on_server(&expected));
}

/// `r` (a refresh) re-reads the incidents still holding unknown enum values, without waiting
/// for the next poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rereads_incidents_holding_unknown_enum_values() {
    let (sim, client) = demo(60, "unknown-enum=0.5", Duration::from_secs(5), 1).await;
    // No poll during the test: only the refresh can repair the store.
    let mut rig = Rig::start_polling(client, 20, Duration::from_secs(3600));
    rig.until("the initial load", |r| !r.load_complete.is_empty())
        .await;
    assert!(
        rig.store.entries().any(|e| !e.server().status.is_known()),
        "the fault planted unknown statuses"
    );
    sim.set_faults(FaultSpec::default());
    let expected = server_view(&sim).await;
    rig.send(Command::Refresh { full: false });
    rig.until("the refresh to repair the store", |r| r.view() == expected)
        .await;
    assert_eq!(rig.store.counts().open, open_on_server(&expected));
}
