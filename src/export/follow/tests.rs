//! The follow loop against an in-memory tenant driven by a script: one step per listing.

use super::*;
use crate::graph::error::GraphError;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Notify;

/// What happens at one listing request.
enum Step {
    /// Set these incidents' `lastUpdateDateTime`, then answer.
    Touch(Vec<(&'static str, &'static str)>),
    /// Answer with this error.
    Fail(GraphError),
}

struct Tenant {
    incidents: Mutex<BTreeMap<String, String>>,
    script: Mutex<VecDeque<Step>>,
    done: Notify,
    requests: AtomicU64,
}

impl Tenant {
    fn new(initial: &[(&str, &str)], script: Vec<Step>) -> Arc<Tenant> {
        Arc::new(Tenant {
            incidents: Mutex::new(
                initial
                    .iter()
                    .map(|(i, l)| (i.to_string(), l.to_string()))
                    .collect(),
            ),
            script: Mutex::new(script.into()),
            done: Notify::new(),
            requests: AtomicU64::new(0),
        })
    }
}

/// The `ge` bound of a `lastUpdateDateTime` filter in `url`.
fn since_of(url: &str) -> Option<Timestamp> {
    let rest = url.split("lastUpdateDateTime%20ge%20").nth(1)?;
    let end = rest.find(['%', '&']).unwrap_or(rest.len());
    Timestamp::parse(&rest[..end])
}

impl GraphApi for Tenant {
    async fn get_json(&self, url: &str) -> Result<Value, GraphError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let step = self.script.lock().unwrap().pop_front();
        match step {
            Some(Step::Fail(e)) => return Err(e),
            Some(Step::Touch(changes)) => {
                let mut inc = self.incidents.lock().unwrap();
                for (id, lu) in changes {
                    inc.insert(id.into(), lu.into());
                }
            }
            None => self.done.notify_one(),
        }
        let since = since_of(url);
        let value: Vec<Value> = self
            .incidents
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, lu)| since.is_none_or(|s| Timestamp::parse(lu).is_none_or(|t| t >= s)))
            .map(|(id, lu)| json!({"id": id, "title": "t", "lastUpdateDateTime": lu}))
            .collect();
        Ok(json!({ "value": value }))
    }
    async fn patch_json(&self, _: &str, _: &Value) -> Result<Value, GraphError> {
        unreachable!("the follow never writes")
    }
    async fn post_json(&self, _: &str, _: &Value) -> Result<Value, GraphError> {
        unreachable!("the follow never writes")
    }
    fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

fn opts(checkpoint: Option<PathBuf>) -> FollowOptions {
    FollowOptions {
        export: ExportOptions::default(),
        alerts_feed: false,
        interval: Duration::from_millis(1),
        overlap: Duration::from_secs(300),
        checkpoint,
    }
}

struct Run {
    end: Result<FollowEnd, GraphError>,
    lines: Vec<(String, String)>,
    events: Vec<FollowEvent>,
}

/// Follows `tenant` from `cp` until its script is used up.
async fn follow(tenant: &Arc<Tenant>, opts: FollowOptions, cp: Checkpoint) -> Run {
    let mut out = io::LineWriter::new(Vec::new());
    let mut events = Vec::new();
    let t = tenant.clone();
    let end = run_follow(
        tenant.clone(),
        opts,
        cp,
        &mut out,
        &mut |e| events.push(e),
        async move { t.done.notified().await },
    )
    .await;
    let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
    let lines = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["lastUpdateDateTime"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    Run { end, lines, events }
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const T0: &str = "2026-11-01T08:00:00.0000000Z";
const T1: &str = "2026-11-01T08:01:00.0000000Z";
const T2: &str = "2026-11-01T08:02:00.0000000Z";

#[tokio::test]
async fn each_change_is_written_once_and_the_overlap_is_not_repeated() {
    let tenant = Tenant::new(
        &[("1", T0), ("2", T0)],
        vec![
            Step::Touch(vec![]),
            Step::Touch(vec![("1", T1)]),
            Step::Touch(vec![]),
            Step::Touch(vec![("3", T2), ("2", T2)]),
        ],
    );
    let run = follow(&tenant, opts(None), Checkpoint::default()).await;
    assert_eq!(run.end.unwrap(), FollowEnd::Stopped);
    assert_eq!(
        run.lines,
        pairs(&[("1", T0), ("2", T0), ("1", T1), ("2", T2), ("3", T2)])
    );
}

#[tokio::test]
async fn a_restart_from_the_checkpoint_writes_only_what_changed_since() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cp.json");
    let tenant = Tenant::new(&[("1", T0), ("2", T0)], vec![Step::Touch(vec![])]);
    let first = follow(&tenant, opts(Some(path.clone())), Checkpoint::default()).await;
    assert_eq!(first.lines, pairs(&[("1", T0), ("2", T0)]));
    let cp = Checkpoint::load(&path).unwrap().unwrap();
    assert_eq!(cp.watermark.as_deref(), Some(T0));
    tenant
        .script
        .lock()
        .unwrap()
        .push_back(Step::Touch(vec![("2", T1)]));
    let second = follow(&tenant, opts(Some(path.clone())), cp).await;
    assert_eq!(second.lines, pairs(&[("2", T1)]));
    assert!(
        matches!(second.events[0], FollowEvent::Started { resumed: true, .. }),
        "{:?}",
        second.events
    );
}

#[tokio::test]
async fn transient_failures_back_off_and_the_follow_goes_on() {
    let mut throttled = GraphError::new(ErrorKind::Throttled, "too many requests");
    throttled.status = Some(429);
    let mut unavailable = GraphError::new(ErrorKind::Http, "unavailable");
    unavailable.status = Some(503);
    let mut token_5xx = GraphError::new(ErrorKind::Auth, "token service down");
    token_5xx.status = Some(503);
    let tenant = Tenant::new(
        &[("1", T0)],
        vec![
            Step::Fail(GraphError::new(ErrorKind::Network, "connection refused")),
            Step::Fail(throttled),
            Step::Touch(vec![]),
            Step::Fail(unavailable),
            Step::Fail(GraphError::new(ErrorKind::Timeout, "stalled")),
            Step::Fail(token_5xx),
            Step::Touch(vec![("1", T1)]),
        ],
    );
    let run = follow(&tenant, opts(None), Checkpoint::default()).await;
    assert_eq!(run.end.unwrap(), FollowEnd::Stopped);
    assert_eq!(run.lines, pairs(&[("1", T0), ("1", T1)]));
    let retries = run
        .events
        .iter()
        .filter(|e| matches!(e, FollowEvent::Retrying { .. }))
        .count();
    assert_eq!(retries, 5, "{:?}", run.events);
}

#[tokio::test]
async fn an_auth_failure_that_will_not_heal_ends_the_follow() {
    let mut bad_secret = GraphError::new(ErrorKind::Auth, "AADSTS7000215: Invalid client secret");
    bad_secret.status = Some(401);
    let mut no_consent = GraphError::new(ErrorKind::Auth, "AADSTS65001: consent");
    no_consent.status = Some(400);
    let mut unauthorized = GraphError::new(ErrorKind::Unauthorized, "401 after a new token");
    unauthorized.status = Some(401);
    for e in [bad_secret, no_consent, unauthorized] {
        let tenant = Tenant::new(&[("1", T0)], vec![Step::Touch(vec![]), Step::Fail(e)]);
        let run = follow(&tenant, opts(None), Checkpoint::default()).await;
        assert!(run.end.is_err(), "{:?}", run.end);
        assert_eq!(run.lines, pairs(&[("1", T0)]));
    }
}

/// A writer whose reader went away.
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }
    fn flush(&mut self) -> io::Result<()> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

#[tokio::test]
async fn a_closed_pipe_ends_the_follow_quietly() {
    let tenant = Tenant::new(&[("1", T0)], vec![Step::Touch(vec![])]);
    let mut out = io::LineWriter::new(ClosedPipe);
    let end = run_follow(
        tenant.clone(),
        opts(None),
        Checkpoint::default(),
        &mut out,
        &mut |_| {},
        std::future::pending(),
    )
    .await;
    assert_eq!(end.unwrap(), FollowEnd::OutputClosed);
}

/// A tenant that never answers.
struct Silent;

impl GraphApi for Silent {
    async fn get_json(&self, _: &str) -> Result<Value, GraphError> {
        std::future::pending().await
    }
    async fn patch_json(&self, _: &str, _: &Value) -> Result<Value, GraphError> {
        unreachable!("the follow never writes")
    }
    async fn post_json(&self, _: &str, _: &Value) -> Result<Value, GraphError> {
        unreachable!("the follow never writes")
    }
    fn requests(&self) -> u64 {
        0
    }
}

#[tokio::test]
async fn a_stop_ends_a_poll_that_hangs() {
    let mut out = io::LineWriter::new(Vec::new());
    let end = run_follow(
        Arc::new(Silent),
        opts(None),
        Checkpoint::default(),
        &mut out,
        &mut |_| {},
        async {},
    )
    .await;
    assert_eq!(end.unwrap(), FollowEnd::Stopped);
}

#[tokio::test]
async fn a_record_without_a_readable_time_is_counted_not_written_at_every_poll() {
    let tenant = Tenant::new(
        &[("1", T0), ("2", "yesterday")],
        vec![
            Step::Touch(vec![]),
            Step::Touch(vec![]),
            Step::Touch(vec![]),
        ],
    );
    let run = follow(&tenant, opts(None), Checkpoint::default()).await;
    assert_eq!(run.lines, pairs(&[("1", T0)]));
    assert!(
        run.events
            .iter()
            .any(|e| matches!(e, FollowEvent::Polled { skipped: 1, .. })),
        "{:?}",
        run.events
    );
}
