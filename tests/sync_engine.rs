//! Sync engine and export against an in-memory fake Graph: paging, the `$expand` fallback
//! ladder, delta polling, refresh coalescing, writes through the durable outbox, exactly-once
//! comments, and the export.

use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedReceiver;
use vigil::export::{ExportOptions, ExportProgress, run_export};
use vigil::graph::error::{ErrorKind, GraphError};
use vigil::graph::model::{
    Classification, Determination, Incident, IncidentPatch, IncidentStatus, Timestamp,
};
use vigil::sync::{
    AlertsMode, Command, EngineConfig, EngineHandle, GraphApi, IncidentBase, Phase, Target, Update,
    UpsertSource, WriteOp, spawn,
};

// ---------------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum PostMode {
    #[default]
    Normal,
    /// Record the comment, then fail as a timeout (the client never saw the answer).
    RecordThenTimeout,
    /// Record the comment, then never answer.
    RecordThenHang,
    /// Never answer and never record.
    HangBeforeRecord,
}

#[derive(Clone, Debug)]
struct Req {
    method: &'static str,
    url: String,
    body: Option<Value>,
}

#[derive(Default)]
struct State {
    incidents: Vec<Value>,
    alerts: Vec<Value>,
    log: Vec<Req>,
    /// Expanded listing requests with `$top` above this fail with 500 ...
    expand_fail_top_gt: Option<u32>,
    /// ... from this offset on.
    expand_fail_from_skip: usize,
    opaque_links: bool,
    offline: bool,
    beta_missing: bool,
    patch_error: Option<(u16, String)>,
    post_mode: PostMode,
    gate_listings: bool,
    /// (outbox path, text that must be in it when a write arrives) and what was found.
    outbox_probe: Option<(PathBuf, String)>,
    probe_results: Vec<bool>,
    /// Runs once when the next write (PATCH or comment POST) arrives.
    on_write: Option<Box<dyn FnOnce() + Send>>,
}

struct Fake {
    state: Mutex<State>,
    requests: AtomicU64,
    gate: Semaphore,
}

const BASE: &str = "https://graph.fake";

fn gerr(kind: ErrorKind, status: Option<u16>, code: &str, message: &str) -> GraphError {
    GraphError {
        kind,
        status,
        code: code.into(),
        message: message.into(),
        request_id: Some("req-fake-42".into()),
        date: None,
    }
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(Timestamp::parse)
}

fn eval_atom(inc: &Value, atom: &str) -> bool {
    let mut parts = atom.trim().splitn(3, ' ');
    let (prop, op, val) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    match op {
        "eq" => inc[prop].as_str() == Some(val.trim_matches('\'')),
        "ge" => ts(&inc[prop]) >= Timestamp::parse(val),
        other => panic!("fake does not support {other}"),
    }
}

fn num_id(v: &Value) -> u32 {
    v["id"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn matches_filter(inc: &Value, filter: &str) -> bool {
    filter.split(" and ").all(|clause| {
        let c = clause.trim().trim_start_matches('(').trim_end_matches(')');
        c.split(" or ").any(|a| eval_atom(inc, a))
    })
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl Fake {
    fn new(n: usize, alerts_per: usize) -> std::sync::Arc<Fake> {
        let base = Timestamp::now().plus_seconds(-3600);
        let mut s = State::default();
        for i in 1..=n {
            let t = base.plus_seconds(-(i as i64) * 60).to_graph();
            s.incidents.push(json!({
                "id": i.to_string(), "status": "active",
                "severity": if i % 2 == 0 { "high" } else { "medium" },
                "displayName": format!("Incident {i}"), "createdDateTime": t, "lastUpdateDateTime": t,
                "customTags": [], "comments": [], "assignedTo": null
            }));
            for j in 0..alerts_per {
                s.alerts.push(json!({
                    "id": format!("da{i}_{j}"), "incidentId": i.to_string(), "title": format!("Alert {j}"),
                    "status": "new", "severity": "high", "comments": [], "evidence": []
                }));
            }
        }
        std::sync::Arc::new(Fake {
            state: Mutex::new(s),
            requests: AtomicU64::new(0),
            gate: Semaphore::new(0),
        })
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    fn log(&self) -> Vec<Req> {
        self.with(|s| s.log.clone())
    }

    fn count(&self, method: &str, needle: &str) -> usize {
        self.log()
            .iter()
            .filter(|r| r.method == method && r.url.contains(needle))
            .count()
    }

    fn incident(&self, id: &str) -> Value {
        self.with(|s| s.incidents.iter().find(|i| i["id"] == id).cloned().unwrap())
    }

    fn set_incident(&self, id: &str, f: impl FnOnce(&mut Value)) {
        self.with(|s| f(s.incidents.iter_mut().find(|i| i["id"] == id).unwrap()))
    }

    fn with_alerts(s: &State, inc: &Value) -> Value {
        let mut v = inc.clone();
        let alerts: Vec<Value> = s
            .alerts
            .iter()
            .filter(|a| a["incidentId"] == inc["id"])
            .cloned()
            .collect();
        v["alerts"] = Value::Array(alerts);
        v
    }

    fn probe(&self) {
        if let Some(f) = self.with(|s| s.on_write.take()) {
            f();
        }
        self.with(|s| {
            if let Some((path, needle)) = &s.outbox_probe {
                let found = std::fs::read_to_string(path)
                    .map(|t| t.contains(needle.as_str()))
                    .unwrap_or(false);
                s.probe_results.push(found);
            }
        });
    }

    async fn handle(
        &self,
        method: &'static str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Value, GraphError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let offline = self.with(|s| {
            s.log.push(Req {
                method,
                url: url.to_string(),
                body: body.cloned(),
            });
            s.offline
        });
        if offline {
            return Err(gerr(
                ErrorKind::Network,
                None,
                "Network",
                "connection refused",
            ));
        }
        let full = if url.starts_with("http") {
            url.to_string()
        } else {
            format!("{BASE}{url}")
        };
        let parsed = url::Url::parse(&full).unwrap();
        let path: Vec<String> = parsed
            .path_segments()
            .unwrap()
            .map(str::to_string)
            .collect();
        let q: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let param = |name: &str| q.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let segs: Vec<&str> = path.iter().map(String::as_str).collect();
        match (method, segs.as_slice()) {
            ("GET", ["v1.0", "security", "incidents"]) => {
                if self.with(|s| s.gate_listings) {
                    self.gate.acquire().await.unwrap().forget();
                }
                self.list(
                    param("$filter"),
                    param("$expand"),
                    param("$top"),
                    param("$skip"),
                    param("$skiptoken"),
                )
            }
            ("GET", [version, "security", "incidents", id]) => self.with(|s| {
                if *version == "beta" && s.beta_missing {
                    return Err(gerr(
                        ErrorKind::NotFound,
                        Some(404),
                        "ResourceNotFound",
                        "beta not here",
                    ));
                }
                let inc = s.incidents.iter().find(|i| i["id"] == *id).cloned();
                let Some(inc) = inc else {
                    return Err(gerr(
                        ErrorKind::NotFound,
                        Some(404),
                        "NotFound",
                        "no such incident",
                    ));
                };
                let mut v = if param("$expand").is_some() {
                    Fake::with_alerts(s, &inc)
                } else {
                    inc
                };
                if *version == "beta" {
                    v["recommendedActions"] = json!("Isolate the device");
                }
                Ok(v)
            }),
            ("GET", ["v1.0", "security", "alerts_v2", id]) => self.with(|s| {
                s.alerts
                    .iter()
                    .find(|a| a["id"] == *id)
                    .cloned()
                    .ok_or_else(|| {
                        gerr(ErrorKind::NotFound, Some(404), "NotFound", "no such alert")
                    })
            }),
            ("PATCH", ["v1.0", "security", kind @ ("incidents" | "alerts_v2"), id]) => {
                self.probe();
                if let Some((status, msg)) = self.with(|s| s.patch_error.clone()) {
                    return Err(gerr(
                        ErrorKind::Http,
                        Some(status),
                        "InvalidRequestBody",
                        &msg,
                    ));
                }
                self.with(|s| {
                    let list = if *kind == "incidents" {
                        &mut s.incidents
                    } else {
                        &mut s.alerts
                    };
                    let item = list.iter_mut().find(|i| i["id"] == *id).unwrap();
                    for (k, v) in body.unwrap().as_object().unwrap() {
                        item[k] = v.clone();
                    }
                    item["lastUpdateDateTime"] = json!(Timestamp::now().to_graph());
                    item["lastModifiedBy"] = json!("API-App:vigil");
                    Ok(item.clone())
                })
            }
            (
                "POST",
                [
                    "v1.0",
                    "security",
                    kind @ ("incidents" | "alerts_v2"),
                    id,
                    "comments",
                ],
            ) => {
                self.probe();
                let mode = self.with(|s| s.post_mode);
                if mode == PostMode::HangBeforeRecord {
                    std::future::pending::<()>().await;
                }
                let comments = self.with(|s| {
                    let list = if *kind == "incidents" {
                        &mut s.incidents
                    } else {
                        &mut s.alerts
                    };
                    let item = list.iter_mut().find(|i| i["id"] == *id).unwrap();
                    let text = body.unwrap()["comment"].clone();
                    item["comments"].as_array_mut().unwrap().push(json!({
                        "comment": text, "createdByDisplayName": "analyst@contoso.com",
                        "createdDateTime": Timestamp::now().to_graph()
                    }));
                    item["comments"].clone()
                });
                match mode {
                    PostMode::RecordThenTimeout => Err(gerr(
                        ErrorKind::Timeout,
                        None,
                        "Timeout",
                        "no answer in 30 s",
                    )),
                    PostMode::RecordThenHang => std::future::pending().await,
                    _ => Ok(json!({ "value": comments })),
                }
            }
            other => panic!("fake: unexpected request {other:?} {url}"),
        }
    }

    fn list(
        &self,
        filter: Option<String>,
        expand: Option<String>,
        top: Option<String>,
        skip: Option<String>,
        token: Option<String>,
    ) -> Result<Value, GraphError> {
        let (filter, expand, top, skip) = match token {
            Some(t) => {
                let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(t)
                    .unwrap();
                let v: Value = serde_json::from_slice(&raw).unwrap();
                (
                    v["filter"].as_str().map(str::to_string),
                    v["expand"].as_str().map(str::to_string),
                    v["top"].as_u64().unwrap() as usize,
                    v["skip"].as_u64().unwrap() as usize,
                )
            }
            None => (
                filter,
                expand,
                top.map_or(50, |t| t.parse().unwrap()),
                skip.map_or(0, |s| s.parse().unwrap()),
            ),
        };
        self.with(|s| {
            let expanded = expand.as_deref() == Some("alerts");
            if expanded
                && s.expand_fail_top_gt.is_some_and(|lim| top as u32 > lim)
                && skip >= s.expand_fail_from_skip
            {
                return Err(gerr(
                    ErrorKind::Http,
                    Some(500),
                    "InternalServerError",
                    "expand failed",
                ));
            }
            let mut items: Vec<&Value> = s
                .incidents
                .iter()
                .filter(|i| filter.as_deref().is_none_or(|f| matches_filter(i, f)))
                .collect();
            items.sort_by(|a, b| {
                ts(&b["lastUpdateDateTime"])
                    .cmp(&ts(&a["lastUpdateDateTime"]))
                    .then(num_id(a).cmp(&num_id(b)))
            });
            let total = items.len();
            let value: Vec<Value> = items
                .into_iter()
                .skip(skip)
                .take(top)
                .map(|i| {
                    if expanded {
                        Fake::with_alerts(s, i)
                    } else {
                        i.clone()
                    }
                })
                .collect();
            let mut out = json!({ "value": value });
            if skip + top < total {
                let next = skip + top;
                let link = if s.opaque_links {
                    let state =
                        json!({"filter": filter, "expand": expand, "top": top, "skip": next});
                    let tok =
                        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(state.to_string());
                    format!("{BASE}/v1.0/security/incidents?$skiptoken={tok}")
                } else {
                    let mut p = Vec::new();
                    if let Some(f) = &filter {
                        p.push(format!("$filter={}", enc(f)));
                    }
                    if let Some(e) = &expand {
                        p.push(format!("$expand={e}"));
                    }
                    p.push(format!("$top={top}"));
                    p.push(format!("$skip={next}"));
                    format!("{BASE}/v1.0/security/incidents?{}", p.join("&"))
                };
                out["@odata.nextLink"] = json!(link);
            }
            Ok(out)
        })
    }
}

impl GraphApi for Fake {
    async fn get_json(&self, path_or_url: &str) -> Result<Value, GraphError> {
        self.handle("GET", path_or_url, None).await
    }
    async fn patch_json(&self, path: &str, body: &Value) -> Result<Value, GraphError> {
        self.handle("PATCH", path, Some(body)).await
    }
    async fn post_json(&self, path: &str, body: &Value) -> Result<Value, GraphError> {
        self.handle("POST", path, Some(body)).await
    }
    fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

struct Rx {
    rx: UnboundedReceiver<Update>,
    seen: Vec<Update>,
}

impl Rx {
    async fn until(&mut self, mut pred: impl FnMut(&Update) -> bool) -> Update {
        let fut = async {
            loop {
                let u = self.rx.recv().await.expect("engine stopped");
                self.seen.push(u.clone());
                if pred(&u) {
                    return u;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), fut)
            .await
            .expect("timed out waiting for an update")
    }

    /// Everything that arrives within `d`.
    async fn drain_for(&mut self, d: Duration) {
        let _ = tokio::time::timeout(d, async {
            while let Some(u) = self.rx.recv().await {
                self.seen.push(u);
            }
        })
        .await;
    }

    fn incidents(&self, source: UpsertSource) -> Vec<vigil::graph::model::Incident> {
        self.seen
            .iter()
            .filter_map(|u| match u {
                Update::Incidents { items, source: s } if *s == source => Some(items.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }
}

fn cfg(outbox: Option<&Path>) -> EngineConfig {
    EngineConfig {
        poll_interval: Duration::from_secs(3600),
        outbox_path: outbox.map(Path::to_path_buf),
        ..EngineConfig::default()
    }
}

fn start(
    fake: &std::sync::Arc<Fake>,
    cfg: EngineConfig,
) -> (
    tokio::sync::mpsc::UnboundedSender<Command>,
    Rx,
    tokio::task::JoinHandle<()>,
) {
    let EngineHandle {
        commands,
        updates,
        task,
    } = spawn(fake.clone(), cfg);
    (
        commands,
        Rx {
            rx: updates,
            seen: Vec::new(),
        },
        task,
    )
}

fn is_load_complete(u: &Update) -> bool {
    matches!(u, Update::LoadComplete { .. })
}

fn filter_time(url: &str) -> Timestamp {
    let parsed = url::Url::parse(&format!("{BASE}{url}")).unwrap();
    let f = parsed
        .query_pairs()
        .find(|(k, _)| k == "$filter")
        .unwrap()
        .1
        .into_owned();
    let t = f.split(" ge ").nth(1).unwrap().split(' ').next().unwrap();
    Timestamp::parse(t).unwrap()
}

fn unique_ids(items: &[vigil::graph::model::Incident]) -> HashSet<String> {
    items.iter().map(|i| i.id.clone()).collect()
}

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn initial_load_follows_next_links_with_one_request_per_page() {
    let fake = Fake::new(237, 2);
    let (_tx, mut rx, _task) = start(&fake, cfg(None));
    let done = rx.until(is_load_complete).await;
    let Update::LoadComplete {
        total,
        requests,
        watermark,
        ..
    } = done
    else {
        unreachable!()
    };
    assert_eq!(total, 237);
    assert_eq!(requests, 5);
    assert_eq!(fake.requests(), 5, "5 pages of 50, no extra requests");
    let items = rx.incidents(UpsertSource::Initial);
    assert_eq!(items.len(), 237);
    assert_eq!(unique_ids(&items).len(), 237);
    assert!(
        items
            .iter()
            .all(|i| i.alerts.as_ref().is_some_and(|a| a.len() == 2))
    );
    assert_eq!(watermark, ts(&fake.incident("1")["lastUpdateDateTime"]));

    let log = fake.log();
    let first = &log[0].url;
    assert!(
        first.starts_with("/v1.0/security/incidents?$filter=lastUpdateDateTime%20ge%20"),
        "{first}"
    );
    assert!(first.contains("&$expand=alerts&$top=50"));
    let window_start = filter_time(first);
    let expected = Timestamp::now().plus_seconds(-30 * 86_400);
    assert!((window_start.as_second() - expected.as_second()).abs() < 60);
    assert!(
        log[1..].iter().all(|r| r.url.starts_with(BASE)),
        "next pages are the nextLinks verbatim"
    );
    assert!(log[4].url.ends_with("$skip=200"));

    let Update::Status(s) = rx
        .until(|u| matches!(u, Update::Status(s) if s.phase == Phase::Idle))
        .await
    else {
        unreachable!()
    };
    assert_eq!(
        (s.pages, s.items, s.requests, s.phase),
        (5, 237, 5, Phase::Idle)
    );
}

#[tokio::test]
async fn pages_are_stored_and_a_restart_resumes_from_the_stored_watermark() {
    use vigil::db::{Db, incidents, watermark};
    let fake = Fake::new(60, 1);
    let db = Db::open_in_memory().unwrap();
    let with_db = |from_db: bool| EngineConfig {
        db: Some(db.clone()),
        start_from_db: from_db,
        ..cfg(None)
    };
    let (tx, mut rx, task) = start(&fake, with_db(false));
    let Update::LoadComplete {
        watermark: Some(w), ..
    } = rx.until(is_load_complete).await
    else {
        panic!("no watermark")
    };
    // Every page was on disk before the UI heard of it, alerts and watermark too.
    assert_eq!(incidents::count(&db).unwrap(), 60);
    assert_eq!(incidents::load_alerts(&db, "7").unwrap().unwrap().len(), 1);
    assert_eq!(watermark::load(&db).unwrap().unwrap().at, w);
    tx.send(Command::Shutdown).unwrap();
    let _ = task.await;

    // A restart: the stored incidents reach the UI with their alerts, and the first listing is
    // a delta poll from the stored watermark (minus the overlap), not a full load.
    let before = fake.log().len();
    let (_tx, mut rx, _task) = start(&fake, with_db(true));
    // In either order: the replay runs beside the poll.
    let (mut alerts, mut delta) = (false, false);
    rx.until(|u| {
        alerts |= matches!(u, Update::Incidents { items, source: UpsertSource::Initial }
            if items.iter().any(|i| i.id == "1" && i.alerts.as_ref().is_some_and(|a| a.len() == 1)));
        delta |= matches!(
            u,
            Update::Incidents {
                source: UpsertSource::Delta,
                ..
            }
        );
        alerts && delta
    })
    .await;
    let first = fake.log()[before].url.clone();
    assert_eq!(filter_time(&first), w.plus_seconds(-300), "{first}");
    assert_eq!(
        rx.incidents(UpsertSource::Initial).len(),
        60,
        "every stored incident"
    );
    assert_eq!(fake.log().len() - before, 1, "one delta page, no full load");
    assert!(!rx.seen.iter().any(is_load_complete));
}

#[tokio::test]
async fn status_and_severity_filters_go_to_the_server() {
    let fake = Fake::new(20, 0);
    let mut c = cfg(None);
    c.statuses = Some(vec!["Active".into()]);
    c.severities = Some(vec!["high".into(), "medium".into()]);
    let (_tx, mut rx, _task) = start(&fake, c);
    rx.until(is_load_complete).await;
    let url = &fake.log()[0].url;
    let parsed = url::Url::parse(&format!("{BASE}{url}")).unwrap();
    let f = parsed
        .query_pairs()
        .find(|(k, _)| k == "$filter")
        .unwrap()
        .1
        .into_owned();
    assert!(
        f.ends_with(" and status eq 'active' and (severity eq 'high' or severity eq 'medium')"),
        "{f}"
    );
}

#[tokio::test]
async fn expand_500_falls_back_to_small_pages() {
    let fake = Fake::new(45, 1);
    fake.with(|s| s.expand_fail_top_gt = Some(10));
    let (_tx, mut rx, _task) = start(&fake, cfg(None));
    rx.until(is_load_complete).await;
    let items = rx.incidents(UpsertSource::Initial);
    assert_eq!(unique_ids(&items).len(), 45);
    assert_eq!(items.len(), 45);
    assert!(
        items
            .iter()
            .all(|i| i.alerts.as_ref().is_some_and(|a| a.len() == 1))
    );
    assert_eq!(
        fake.requests(),
        1 + 5,
        "one failed page, then 5 pages of 10"
    );
    assert!(
        rx.seen
            .iter()
            .any(|u| matches!(u, Update::Status(s) if s.alerts_mode == AlertsMode::SmallPages))
    );
}

#[tokio::test]
async fn expand_500_midway_resumes_at_the_same_position() {
    let fake = Fake::new(237, 1);
    fake.with(|s| {
        s.expand_fail_top_gt = Some(10);
        s.expand_fail_from_skip = 100;
    });
    let (_tx, mut rx, _task) = start(&fake, cfg(None));
    rx.until(is_load_complete).await;
    let items = rx.incidents(UpsertSource::Initial);
    assert_eq!(items.len(), 237, "nothing duplicated");
    assert_eq!(unique_ids(&items).len(), 237, "nothing missing");
    let log = fake.log();
    assert!(
        log[3].url.contains("$top=10&$skip=100"),
        "retried at skip=100: {}",
        log[3].url
    );
    assert_eq!(fake.requests(), 2 + 1 + 14);
}

#[tokio::test]
async fn expand_500_twice_goes_lazy_and_alerts_still_arrive() {
    let fake = Fake::new(30, 2);
    fake.with(|s| s.expand_fail_top_gt = Some(0));
    let (tx, mut rx, _task) = start(&fake, cfg(None));
    rx.until(is_load_complete).await;
    let items = rx.incidents(UpsertSource::Initial);
    assert_eq!(unique_ids(&items).len(), 30);
    assert!(items.iter().all(|i| i.alerts.is_none()));
    let mut got = HashSet::new();
    while got.len() < 30 {
        if let Update::Alerts {
            incident_id,
            alerts,
        } = rx.until(|u| matches!(u, Update::Alerts { .. })).await
        {
            assert_eq!(alerts.len(), 2);
            got.insert(incident_id);
        }
    }
    assert!(
        rx.seen
            .iter()
            .any(|u| matches!(u, Update::Status(s) if s.alerts_mode == AlertsMode::Lazy))
    );
    let per_incident: Vec<String> = fake
        .log()
        .iter()
        .filter(|r| r.url.contains("/incidents/") && r.url.ends_with("?$expand=alerts"))
        .map(|r| r.url.clone())
        .collect();
    let mut firsts = per_incident[..2].to_vec();
    firsts.sort();
    assert_eq!(
        firsts,
        vec![
            "/v1.0/security/incidents/1?$expand=alerts",
            "/v1.0/security/incidents/2?$expand=alerts"
        ],
        "newest first"
    );
    // Later polls stay lazy: no more expanded listings.
    tx.send(Command::Refresh { full: false }).unwrap();
    rx.until(|u| {
        matches!(
            u,
            Update::Incidents {
                source: UpsertSource::Delta,
                ..
            }
        )
    })
    .await;
    let last_listing = fake
        .log()
        .into_iter()
        .rev()
        .find(|r| r.url.contains("incidents?"))
        .unwrap();
    assert!(
        !last_listing.url.contains("$expand"),
        "{}",
        last_listing.url
    );
    // On demand too.
    let before = fake.count("GET", "/incidents/7?$expand=alerts");
    assert_eq!(before, 1, "loaded once in the background");
    tx.send(Command::LoadAlerts {
        incident_id: "7".into(),
    })
    .unwrap();
    rx.until(|u| matches!(u, Update::Alerts { incident_id, .. } if incident_id == "7"))
        .await;
    assert_eq!(fake.count("GET", "/incidents/7?$expand=alerts"), 2);
}

#[tokio::test]
async fn opaque_links_restart_and_deduplicate() {
    let fake = Fake::new(120, 1);
    fake.with(|s| {
        s.opaque_links = true;
        s.expand_fail_top_gt = Some(0);
        s.expand_fail_from_skip = 50;
    });
    let (_tx, mut rx, _task) = start(&fake, cfg(None));
    rx.until(is_load_complete).await;
    let items = rx.incidents(UpsertSource::Initial);
    assert_eq!(
        items.len(),
        120,
        "restarts must not deliver an incident twice"
    );
    assert_eq!(unique_ids(&items).len(), 120);
    assert!(
        rx.seen
            .iter()
            .any(|u| matches!(u, Update::Status(s) if s.alerts_mode == AlertsMode::Lazy))
    );
}

// ---------------------------------------------------------------------------------------------
// Delta polling
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn delta_catches_changes_and_late_reopens_with_a_monotonic_watermark() {
    let fake = Fake::new(5, 0);
    fake.set_incident("5", |i| i["status"] = json!("resolved"));
    let (tx, mut rx, _task) = start(&fake, cfg(None));
    let Update::LoadComplete {
        watermark: Some(w), ..
    } = rx.until(is_load_complete).await
    else {
        panic!()
    };

    let now = Timestamp::now();
    fake.set_incident("3", |i| {
        i["status"] = json!("resolved");
        i["lastUpdateDateTime"] = json!(now.to_graph());
    });
    // Reopened by automation, written with a time before the watermark but within the overlap.
    fake.set_incident("5", |i| {
        i["status"] = json!("active");
        i["lastUpdateDateTime"] = json!(w.plus_seconds(-120).to_graph());
    });
    // Too old to be caught.
    fake.set_incident("4", |i| {
        i["status"] = json!("resolved");
        i["lastUpdateDateTime"] = json!(w.plus_seconds(-1200).to_graph());
    });
    tx.send(Command::Refresh { full: false }).unwrap();
    rx.until(|u| {
        matches!(
            u,
            Update::Incidents {
                source: UpsertSource::Delta,
                ..
            }
        )
    })
    .await;
    let delta = rx.incidents(UpsertSource::Delta);
    let by_id = |id: &str| delta.iter().find(|i| i.id == id).cloned();
    assert_eq!(by_id("3").unwrap().status, IncidentStatus::Resolved);
    assert_eq!(by_id("5").unwrap().status, IncidentStatus::Active);
    assert!(by_id("4").is_none());

    let deltas = |fake: &Fake| -> Vec<Timestamp> {
        fake.log()
            .iter()
            .skip(1)
            .filter(|r| r.url.contains("incidents?"))
            .map(|r| filter_time(&r.url))
            .collect()
    };
    assert_eq!(deltas(&fake)[0], w.plus_seconds(-300));

    // The second poll starts from the newest change; a third poll that sees only older
    // timestamps must not move it back.
    for _ in 0..2 {
        let n = rx.seen.len();
        tx.send(Command::Refresh { full: false }).unwrap();
        rx.until(|u| {
            matches!(
                u,
                Update::Incidents {
                    source: UpsertSource::Delta,
                    ..
                }
            )
        })
        .await;
        assert!(rx.seen.len() > n);
    }
    let d = deltas(&fake);
    assert_eq!(d.len(), 3);
    assert!(d[1] > d[0]);
    assert_eq!(d[2], d[1]);
    assert_eq!(
        d[1],
        Timestamp::parse(fake.incident("3")["lastUpdateDateTime"].as_str().unwrap())
            .unwrap()
            .plus_seconds(-300)
    );
}

#[tokio::test]
async fn refreshes_while_a_poll_runs_coalesce_into_one_more() {
    let fake = Fake::new(3, 0);
    let (tx, mut rx, _task) = start(&fake, cfg(None));
    rx.until(is_load_complete).await;
    fake.with(|s| s.gate_listings = true);
    tx.send(Command::Refresh { full: false }).unwrap();
    for _ in 0..3 {
        tx.send(Command::Refresh { full: false }).unwrap();
    }
    // A probe handled after the refreshes proves the engine has seen them.
    tx.send(Command::LoadIncident {
        incident_id: "1".into(),
        beta: false,
    })
    .unwrap();
    rx.until(|u| {
        matches!(
            u,
            Update::Incidents {
                source: UpsertSource::Single,
                ..
            }
        )
    })
    .await;
    assert_eq!(
        fake.count("GET", "incidents?"),
        2,
        "one initial listing and one delta in flight"
    );
    fake.gate.add_permits(100);
    for _ in 0..2 {
        rx.until(|u| {
            matches!(
                u,
                Update::Incidents {
                    source: UpsertSource::Delta,
                    ..
                }
            )
        })
        .await;
    }
    rx.until(|u| matches!(u, Update::Status(s) if !s.in_flight))
        .await;
    rx.drain_for(Duration::from_millis(300)).await;
    assert_eq!(
        fake.count("GET", "incidents?"),
        3,
        "exactly one extra delta run"
    );
}

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

fn outbox_entries(path: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn patch_sends_exactly_the_changed_properties_after_persisting() {
    let dir = tempfile::tempdir().unwrap();
    let ob = dir.path().join("state/outbox.json");
    let fake = Fake::new(3, 0);
    fake.with(|s| s.outbox_probe = Some((ob.clone(), "\"incident_id\": \"3\"".into())));
    let (tx, mut rx, _task) = start(&fake, cfg(Some(&ob)));
    rx.until(is_load_complete).await;
    let patch = IncidentPatch {
        classification: Some(Classification::parse("TruePositive")),
        determination: Some(Determination::parse("compromisedUser")),
        assigned_to: Some(None),
        ..Default::default()
    };
    let write = WriteOp::PatchIncident {
        incident_id: "3".into(),
        patch,
        base_last_update: None,
        force: false,
        base: None,
    };
    tx.send(Command::Write {
        op: 7,
        write: write.clone(),
    })
    .unwrap();
    let queued = rx.until(|u| matches!(u, Update::WriteQueued { .. })).await;
    assert_eq!(queued, Update::WriteQueued { op: 7, write });
    let Update::IncidentWritten { op, incident } = rx
        .until(|u| matches!(u, Update::IncidentWritten { .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(op, 7);
    assert_eq!(
        incident.determination,
        Some(Determination::CompromisedAccount)
    );
    let patches: Vec<Req> = fake
        .log()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].url, "/v1.0/security/incidents/3");
    assert_eq!(
        patches[0].body.as_ref().unwrap(),
        &json!({"assignedTo": null, "classification": "truePositive", "determination": "compromisedAccount"})
    );
    assert_eq!(
        fake.with(|s| s.probe_results.clone()),
        vec![true],
        "the outbox held the op when the request arrived"
    );
    rx.until(|u| matches!(u, Update::Status(s) if s.outbox_pending == 0))
        .await;
    assert!(outbox_entries(&ob).is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&ob).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test]
async fn alert_patch_goes_to_alerts_v2() {
    let fake = Fake::new(2, 1);
    let (tx, mut rx, _task) = start(&fake, cfg(None));
    rx.until(is_load_complete).await;
    let patch = vigil::graph::model::AlertPatch {
        status: Some(vigil::graph::model::AlertStatus::InProgress),
        ..Default::default()
    };
    tx.send(Command::Write {
        op: 1,
        write: WriteOp::PatchAlert {
            alert_id: "da2_0".into(),
            patch,
        },
    })
    .unwrap();
    let Update::AlertWritten { alert, .. } =
        rx.until(|u| matches!(u, Update::AlertWritten { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(alert.id, "da2_0");
    let p = fake
        .log()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(p.url, "/v1.0/security/alerts_v2/da2_0");
    assert_eq!(p.body.unwrap(), json!({"status": "inProgress"}));
}

/// A patch of incident `id` based on the version the fake holds now (what the analyst sees).
fn seen_write(fake: &Fake, id: &str, patch: IncidentPatch) -> WriteOp {
    let seen: Incident = serde_json::from_value(fake.incident(id)).unwrap();
    WriteOp::PatchIncident {
        incident_id: id.into(),
        base: Some(Box::new(IncidentBase::capture(&patch, &seen))),
        patch,
        base_last_update: seen.last_update_date_time,
        force: false,
    }
}

/// A colleague changes incident `id` in the portal.
fn colleague(fake: &Fake, id: &str, field: &str, value: Value) {
    fake.set_incident(id, |i| {
        i[field] = value;
        i["lastModifiedBy"] = json!("bob@contoso.com");
        i["lastUpdateDateTime"] = json!(Timestamp::now().to_graph());
    });
}

fn assign_to(who: &str) -> IncidentPatch {
    IncidentPatch {
        assigned_to: Some(Some(who.into())),
        ..Default::default()
    }
}

#[tokio::test]
async fn conflict_is_kept_in_the_outbox_and_overwrite_sends_the_same_entry() {
    let dir = tempfile::tempdir().unwrap();
    let ob = dir.path().join("outbox.json");
    let fake = Fake::new(3, 0);
    let (tx, mut rx, _task) = start(&fake, cfg(Some(&ob)));
    rx.until(is_load_complete).await;
    let patch = IncidentPatch {
        status: Some(IncidentStatus::Resolved),
        assigned_to: Some(Some("alice@contoso.com".into())),
        ..Default::default()
    };
    let write = seen_write(&fake, "2", patch);
    colleague(&fake, "2", "assignedTo", json!("bob@contoso.com"));
    tx.send(Command::Write { op: 3, write }).unwrap();
    let Update::Conflict {
        op,
        server,
        changed_fields,
    } = rx.until(|u| matches!(u, Update::Conflict { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(op, 3);
    assert_eq!(server.assigned_to.as_deref(), Some("bob@contoso.com"));
    assert_eq!(
        changed_fields,
        vec!["assignedTo".to_string(), "lastModifiedBy".into()],
        "status was not touched by anyone else"
    );
    assert_eq!(fake.count("PATCH", ""), 0);
    let entries = outbox_entries(&ob);
    assert_eq!(entries.len(), 1, "a conflict never removes the entry");
    assert_eq!(entries[0]["op"], 3);
    assert_eq!(
        entries[0]["conflict"]["server"]["assignedTo"],
        "bob@contoso.com"
    );

    // The analyst overwrites: the same op is sent, with force, and then leaves the outbox.
    tx.send(Command::Overwrite { op: 3 }).unwrap();
    let Update::IncidentWritten { incident, .. } = rx
        .until(|u| matches!(u, Update::IncidentWritten { op: 3, .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(incident.assigned_to.as_deref(), Some("alice@contoso.com"));
    assert_eq!(fake.count("PATCH", ""), 1);
    rx.until(|u| matches!(u, Update::Status(s) if s.outbox_pending == 0 && s.outbox_failed == 0))
        .await;
    assert!(outbox_entries(&ob).is_empty());
}

#[tokio::test]
async fn comment_then_status_change_is_no_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let ob = dir.path().join("outbox.json");
    let fake = Fake::new(3, 0);
    let (tx, mut rx, _task) = start(&fake, cfg(Some(&ob)));
    rx.until(is_load_complete).await;
    let write = seen_write(
        &fake,
        "2",
        IncidentPatch {
            status: Some(IncidentStatus::Resolved),
            ..Default::default()
        },
    );
    // The analyst's comment moves lastUpdateDateTime, as Defender does.
    tx.send(Command::Write {
        op: 1,
        write: WriteOp::CommentIncident {
            incident_id: "2".into(),
            text: "looked at it".into(),
        },
    })
    .unwrap();
    rx.until(|u| matches!(u, Update::CommentsWritten { op: 1, .. }))
        .await;
    fake.set_incident("2", |i| {
        i["lastUpdateDateTime"] = json!(Timestamp::now().to_graph())
    });
    tx.send(Command::Write { op: 2, write }).unwrap();
    let u = rx
        .until(|u| {
            matches!(
                u,
                Update::IncidentWritten { op: 2, .. } | Update::Conflict { op: 2, .. }
            )
        })
        .await;
    assert!(matches!(u, Update::IncidentWritten { .. }), "{u:?}");
    assert_eq!(fake.incident("2")["status"], "resolved");
}

#[tokio::test]
async fn a_queued_assignment_survives_a_restart_and_a_colleagues_severity_change() {
    let dir = tempfile::tempdir().unwrap();
    let ob = dir.path().join("outbox.json");
    let fake = Fake::new(3, 0);
    let (tx, mut rx, task) = start(&fake, cfg(Some(&ob)));
    rx.until(is_load_complete).await;
    let write = seen_write(&fake, "2", assign_to("alice@contoso.com"));
    fake.with(|s| s.offline = true);
    tx.send(Command::Write { op: 5, write }).unwrap();
    rx.until(|u| {
        matches!(
            u,
            Update::WriteFailed {
                op: 5,
                retryable: true,
                ..
            }
        )
    })
    .await;
    // kill -9, a colleague raises the severity, restart.
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    drop((tx, rx));
    assert_eq!(outbox_entries(&ob).len(), 1);
    colleague(&fake, "2", "severity", json!("low"));
    fake.with(|s| s.offline = false);

    let (_tx, mut rx, _task) = start(&fake, cfg(Some(&ob)));
    rx.until(|u| matches!(u, Update::WriteQueued { op: 5, .. }))
        .await;
    let u = rx
        .until(|u| {
            matches!(
                u,
                Update::IncidentWritten { op: 5, .. } | Update::Conflict { op: 5, .. }
            )
        })
        .await;
    assert!(matches!(u, Update::IncidentWritten { .. }), "{u:?}");
    let now = fake.incident("2");
    assert_eq!(now["assignedTo"], "alice@contoso.com");
    assert_eq!(now["severity"], "low", "the colleague's change is kept");
    let patches: Vec<Req> = fake
        .log()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1);
    assert_eq!(
        patches[0].body.as_ref().unwrap(),
        &json!({"assignedTo": "alice@contoso.com"})
    );
    rx.until(|u| matches!(u, Update::Status(s) if s.outbox_pending == 0 && s.outbox_failed == 0))
        .await;
    assert!(outbox_entries(&ob).is_empty());
}

#[tokio::test]
async fn a_colleague_taking_the_incident_is_a_conflict_shown_again_after_a_restart() {
    conflict_shown_again_after_a_restart(false).await;
}

#[tokio::test]
async fn with_the_database_a_conflict_is_shown_again_after_a_restart() {
    conflict_shown_again_after_a_restart(true).await;
}

async fn conflict_shown_again_after_a_restart(database: bool) {
    let dir = tempfile::tempdir().unwrap();
    let ob = Kept::in_dir(dir.path(), database);
    let fake = Fake::new(3, 0);
    let (tx, mut rx, task) = start(&fake, ob.cfg());
    rx.until(is_load_complete).await;
    let write = seen_write(&fake, "1", assign_to("alice@contoso.com"));
    colleague(&fake, "1", "assignedTo", json!("bob@contoso.com"));
    tx.send(Command::Write {
        op: 8,
        write: write.clone(),
    })
    .unwrap();
    rx.until(|u| matches!(u, Update::Conflict { op: 8, .. }))
        .await;
    // kill -9 while the dialog is on screen.
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    drop((tx, rx));
    assert_eq!(ob.entries().len(), 1, "still in the outbox");

    let (tx, mut rx, _task) = start(&fake, ob.cfg());
    let queued = rx
        .until(|u| matches!(u, Update::WriteQueued { op: 8, .. }))
        .await;
    assert_eq!(queued, Update::WriteQueued { op: 8, write });
    let Update::Conflict {
        server,
        changed_fields,
        ..
    } = rx
        .until(|u| matches!(u, Update::Conflict { op: 8, .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(server.assigned_to.as_deref(), Some("bob@contoso.com"));
    assert_eq!(changed_fields[0], "assignedTo");
    rx.until(is_load_complete).await;
    assert_eq!(
        fake.count("PATCH", ""),
        0,
        "a write in conflict is not resent"
    );

    // The analyst keeps the colleague's version.
    tx.send(Command::Discard { op: 8 }).unwrap();
    rx.until(|u| {
        matches!(
            u,
            Update::WriteFailed {
                op: 8,
                retryable: false,
                ..
            }
        )
    })
    .await;
    assert!(ob.entries().is_empty());
    assert_eq!(fake.count("PATCH", ""), 0);
    assert_eq!(fake.incident("1")["assignedTo"], "bob@contoso.com");
}

#[tokio::test]
async fn a_write_that_cannot_be_saved_is_refused_and_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let ob = state.join("outbox.json");
    let fake = Fake::new(3, 0);
    let (tx, mut rx, _task) = start(&fake, cfg(Some(&ob)));
    rx.until(is_load_complete).await;
    // The state directory cannot be created any more (a file is in the way; root ignores
    // permission bits, not this).
    std::fs::write(&state, b"not a directory").unwrap();
    let write = seen_write(&fake, "2", assign_to("alice@contoso.com"));
    tx.send(Command::Write {
        op: 4,
        write: write.clone(),
    })
    .unwrap();
    let Update::WriteFailed { message, .. } = rx
        .until(|u| {
            matches!(
                u,
                Update::WriteFailed { op: 4, .. } | Update::WriteQueued { op: 4, .. }
            )
        })
        .await
    else {
        panic!("the write was queued without being saved")
    };
    assert!(
        message.contains("could not save the outbox") && message.contains("not sent"),
        "{message}"
    );
    // Nothing goes out while the disk refuses; once it is fine, re-doing it works.
    tx.send(Command::Refresh { full: false }).unwrap();
    rx.until(|u| matches!(u, Update::Status(s) if !s.in_flight))
        .await;
    assert_eq!(fake.count("PATCH", ""), 0);
    assert_eq!(fake.count("GET", "/incidents/2"), 0);
    std::fs::remove_file(&state).unwrap();
    tx.send(Command::Write { op: 6, write }).unwrap();
    rx.until(|u| matches!(u, Update::IncidentWritten { op: 6, .. }))
        .await;
    assert_eq!(fake.count("PATCH", ""), 1);
}

#[tokio::test]
async fn an_outbox_that_cannot_be_saved_after_the_answer_is_said_after_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let ob = state.join("outbox.json");
    let fake = Fake::new(3, 0);
    let (tx, mut rx, _task) = start(&fake, cfg(Some(&ob)));
    rx.until(is_load_complete).await;
    // An earlier comment failed offline and waits in the outbox.
    fake.with(|s| s.offline = true);
    tx.send(Command::Write {
        op: 4,
        write: WriteOp::CommentIncident {
            incident_id: "1".into(),
            text: "later".into(),
        },
    })
    .unwrap();
    rx.until(|u| matches!(u, Update::WriteFailed { op: 4, .. }))
        .await;
    fake.with(|s| s.offline = false);
    // The disk goes away while the PATCH is on the wire.
    let gone = state.clone();
    fake.with(|s| {
        s.on_write = Some(Box::new(move || {
            std::fs::remove_dir_all(&gone).unwrap();
            std::fs::write(&gone, b"not a directory").unwrap();
        }))
    });
    let write = seen_write(&fake, "2", assign_to("alice@contoso.com"));
    tx.send(Command::Write { op: 3, write }).unwrap();
    rx.until(
        |u| matches!(u, Update::Error { message } if message.contains("could not save the outbox")),
    )
    .await;
    let written = rx
        .seen
        .iter()
        .position(|u| matches!(u, Update::IncidentWritten { op: 3, .. }));
    let error = rx.seen.iter().position(
        |u| matches!(u, Update::Error { message } if message.contains("could not save the outbox")),
    );
    assert!(
        written.is_some() && written < error,
        "the outcome first, so its notice does not hide the error"
    );
}

#[tokio::test]
async fn rejected_write_fails_with_the_service_message() {
    let dir = tempfile::tempdir().unwrap();
    let ob = dir.path().join("outbox.json");
    let fake = Fake::new(1, 0);
    fake.with(|s| s.patch_error = Some((400, "Request body is incorrect".into())));
    let (tx, mut rx, _task) = start(&fake, cfg(Some(&ob)));
    rx.until(is_load_complete).await;
    let patch = IncidentPatch {
        classification: Some(Classification::parse("benignPositive")),
        ..Default::default()
    };
    tx.send(Command::Write {
        op: 9,
        write: WriteOp::PatchIncident {
            incident_id: "1".into(),
            patch,
            base_last_update: None,
            force: false,
            base: None,
        },
    })
    .unwrap();
    let Update::WriteFailed {
        op,
        target,
        message,
        retryable,
    } = rx.until(|u| matches!(u, Update::WriteFailed { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (op, target, retryable),
        (9, Target::Incident("1".into()), false)
    );
    assert!(
        message.contains("Request body is incorrect") && message.contains("req-fake-42"),
        "{message}"
    );
    rx.until(|u| matches!(u, Update::Status(s) if s.outbox_pending == 0 && s.outbox_failed == 0))
        .await;
    assert!(outbox_entries(&ob).is_empty());
}

#[tokio::test]
async fn unknown_outcome_comment_is_not_posted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let ob = dir.path().join("outbox.json");
    let fake = Fake::new(2, 0);
    fake.with(|s| s.post_mode = PostMode::RecordThenTimeout);
    let (tx, mut rx, _task) = start(&fake, cfg(Some(&ob)));
    rx.until(is_load_complete).await;
    let write = WriteOp::CommentIncident {
        incident_id: "2".into(),
        text: "contained, see ticket 1234".into(),
    };
    tx.send(Command::Write { op: 11, write }).unwrap();
    let failed = rx.until(|u| matches!(u, Update::WriteFailed { .. })).await;
    assert!(matches!(
        failed,
        Update::WriteFailed {
            op: 11,
            retryable: true,
            ..
        }
    ));
    rx.until(|u| matches!(u, Update::Status(s) if s.outbox_failed == 1))
        .await;
    assert_eq!(outbox_entries(&ob).len(), 1, "kept for a retry");

    fake.with(|s| s.post_mode = PostMode::Normal);
    tx.send(Command::RetryFailed).unwrap();
    let Update::CommentsWritten {
        op,
        target,
        comments,
    } = rx
        .until(|u| matches!(u, Update::CommentsWritten { .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!((op, target), (11, Target::Incident("2".into())));
    assert_eq!(
        comments
            .iter()
            .filter(|c| c.comment == "contained, see ticket 1234")
            .count(),
        1
    );
    assert_eq!(fake.count("POST", ""), 1, "never re-posted");
    assert_eq!(fake.incident("2")["comments"].as_array().unwrap().len(), 1);
    let posts = fake.log().into_iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(posts.url, "/v1.0/security/incidents/2/comments");
    assert_eq!(
        posts.body.unwrap(),
        json!({"@odata.type": "microsoft.graph.security.alertComment", "comment": "contained, see ticket 1234"})
    );
}

/// Where a test keeps its outbox: the old JSON file, or the profile's database.
enum Kept {
    File(std::path::PathBuf),
    Db(vigil::db::Db),
}

impl Kept {
    fn in_dir(dir: &Path, database: bool) -> Kept {
        if database {
            Kept::Db(vigil::db::Db::open(dir).unwrap().db)
        } else {
            Kept::File(dir.join("outbox.json"))
        }
    }

    fn cfg(&self) -> EngineConfig {
        match self {
            Kept::File(p) => cfg(Some(p)),
            Kept::Db(db) => EngineConfig {
                db: Some(db.clone()),
                ..cfg(None)
            },
        }
    }

    fn entries(&self) -> Vec<Value> {
        match self {
            Kept::File(p) => outbox_entries(p),
            Kept::Db(db) => vigil::db::outbox::load(db)
                .unwrap()
                .iter()
                .map(|(_, e)| serde_json::from_str(e).unwrap())
                .collect(),
        }
    }
}

async fn kill_and_restart(post_mode: PostMode) -> (std::sync::Arc<Fake>, Rx) {
    kill_and_restart_kept(post_mode, false).await
}

async fn kill_and_restart_kept(post_mode: PostMode, database: bool) -> (std::sync::Arc<Fake>, Rx) {
    let dir = tempfile::tempdir().unwrap();
    let ob = Kept::in_dir(dir.path(), database);
    let fake = Fake::new(2, 1);
    fake.with(|s| s.post_mode = post_mode);
    let (tx, mut rx, task) = start(&fake, ob.cfg());
    rx.until(is_load_complete).await;
    let write = WriteOp::CommentAlert {
        alert_id: "da1_0".into(),
        text: "escalated".into(),
    };
    tx.send(Command::Write { op: 21, write }).unwrap();
    rx.until(|u| matches!(u, Update::WriteQueued { .. })).await;
    tokio::time::timeout(Duration::from_secs(10), async {
        while fake.count("POST", "") == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    // Kill the engine mid-request.
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    drop((tx, rx));
    assert_eq!(ob.entries().len(), 1);

    fake.with(|s| s.post_mode = PostMode::Normal);
    let (_tx2, mut rx2, _task2) = start(&fake, ob.cfg());
    rx2.until(|u| matches!(u, Update::WriteQueued { op: 21, .. }))
        .await;
    let Update::CommentsWritten {
        comments, target, ..
    } = rx2
        .until(|u| matches!(u, Update::CommentsWritten { op: 21, .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(target, Target::Alert("da1_0".into()));
    assert_eq!(
        comments.iter().filter(|c| c.comment == "escalated").count(),
        1
    );
    rx2.until(|u| matches!(u, Update::Status(s) if s.outbox_pending == 0))
        .await;
    assert!(ob.entries().is_empty());
    let alert = fake.with(|s| {
        s.alerts
            .iter()
            .find(|a| a["id"] == "da1_0")
            .cloned()
            .unwrap()
    });
    assert_eq!(
        alert["comments"].as_array().unwrap().len(),
        1,
        "applied exactly once"
    );
    drop(dir);
    (fake, rx2)
}

#[tokio::test]
async fn restart_after_a_landed_comment_does_not_repost() {
    let (fake, _rx) = kill_and_restart(PostMode::RecordThenHang).await;
    assert_eq!(fake.count("POST", ""), 1);
    assert_eq!(
        fake.count("GET", "/alerts_v2/da1_0"),
        1,
        "checked before deciding"
    );
}

#[tokio::test]
async fn restart_after_a_lost_comment_posts_it_once() {
    let (fake, _rx) = kill_and_restart(PostMode::HangBeforeRecord).await;
    assert_eq!(fake.count("POST", ""), 2, "the lost attempt and the replay");
}

#[tokio::test]
async fn with_the_database_a_landed_comment_is_not_reposted_after_a_restart() {
    let (fake, _rx) = kill_and_restart_kept(PostMode::RecordThenHang, true).await;
    assert_eq!(fake.count("POST", ""), 1);
    assert_eq!(
        fake.count("GET", "/alerts_v2/da1_0"),
        1,
        "checked before deciding"
    );
}

#[tokio::test]
async fn with_the_database_a_lost_comment_is_posted_once_after_a_restart() {
    let (fake, _rx) = kill_and_restart_kept(PostMode::HangBeforeRecord, true).await;
    assert_eq!(fake.count("POST", ""), 2, "the lost attempt and the replay");
}

#[tokio::test]
async fn corrupt_outbox_is_moved_aside_and_writes_continue() {
    let dir = tempfile::tempdir().unwrap();
    let ob = dir.path().join("outbox.json");
    std::fs::write(&ob, b"{\"version\":1,\"entries\":[{\"op\":").unwrap();
    let fake = Fake::new(1, 0);
    let (tx, mut rx, _task) = start(&fake, cfg(Some(&ob)));
    let Update::Error { message } = rx.until(|u| matches!(u, Update::Error { .. })).await else {
        unreachable!()
    };
    assert!(
        message.contains("unreadable") && message.contains("corrupt"),
        "{message}"
    );
    let aside: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        std::fs::read(&aside[0]).unwrap(),
        b"{\"version\":1,\"entries\":[{\"op\":"
    );
    rx.until(is_load_complete).await;
    tx.send(Command::Write {
        op: 1,
        write: WriteOp::CommentIncident {
            incident_id: "1".into(),
            text: "x".into(),
        },
    })
    .unwrap();
    rx.until(|u| matches!(u, Update::CommentsWritten { .. }))
        .await;
    rx.until(|u| matches!(u, Update::Status(s) if s.outbox_pending == 0))
        .await;
    assert!(outbox_entries(&ob).is_empty());
}

/// An outbox that cannot be read says nothing about which writes settled: the engine does not
/// report the (empty) set of ops it holds, so no delivery is taken for settled and sent again.
#[tokio::test]
async fn an_unreadable_outbox_reports_no_loaded_ops() {
    let dir = tempfile::tempdir().unwrap();
    let ob = dir.path().join("outbox.json");
    // A directory where the file should be: reading it fails, it cannot be moved aside.
    std::fs::create_dir(&ob).unwrap();
    let fake = Fake::new(1, 0);
    let (_tx, mut rx, _task) = start(&fake, cfg(Some(&ob)));
    rx.until(is_load_complete).await;
    assert!(
        !rx.seen
            .iter()
            .any(|u| matches!(u, Update::OutboxLoaded { .. })),
        "{:?}",
        rx.seen
    );
    // A readable one does report them.
    let dir = tempfile::tempdir().unwrap();
    let (_tx, mut rx, _task) = start(&fake, cfg(Some(&dir.path().join("outbox.json"))));
    rx.until(|u| matches!(u, Update::OutboxLoaded { .. })).await;
}

#[tokio::test]
async fn read_only_refuses_writes_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ob = dir.path().join("outbox.json");
    let fake = Fake::new(1, 0);
    let mut c = cfg(Some(&ob));
    c.read_only = true;
    let (tx, mut rx, _task) = start(&fake, c);
    rx.until(is_load_complete).await;
    tx.send(Command::Write {
        op: 5,
        write: WriteOp::CommentIncident {
            incident_id: "1".into(),
            text: "x".into(),
        },
    })
    .unwrap();
    let Update::WriteFailed {
        message, retryable, ..
    } = rx.until(|u| matches!(u, Update::WriteFailed { .. })).await
    else {
        unreachable!()
    };
    assert!(message.starts_with("read-only mode:"));
    assert!(!retryable);
    rx.drain_for(Duration::from_millis(100)).await;
    assert!(
        !rx.seen
            .iter()
            .any(|u| matches!(u, Update::WriteQueued { .. }))
    );
    assert_eq!(fake.count("POST", ""), 0);
    assert!(!ob.exists());
}

#[tokio::test]
async fn a_write_the_database_refuses_is_refused_and_not_sent() {
    let db = vigil::db::Db::open_in_memory().unwrap();
    let fake = Fake::new(3, 0);
    let (tx, mut rx, _task) = start(
        &fake,
        EngineConfig {
            db: Some(db.clone()),
            ..cfg(None)
        },
    );
    rx.until(is_load_complete).await;
    // The database refuses every new outbox row (as a full disk would).
    db.with(|c| {
        c.execute_batch(
            "CREATE TRIGGER full BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
    })
    .unwrap();
    let write = seen_write(&fake, "2", assign_to("alice@contoso.com"));
    tx.send(Command::Write {
        op: 4,
        write: write.clone(),
    })
    .unwrap();
    let Update::WriteFailed { message, .. } = rx
        .until(|u| {
            matches!(
                u,
                Update::WriteFailed { op: 4, .. } | Update::WriteQueued { op: 4, .. }
            )
        })
        .await
    else {
        panic!("the write was queued without being saved")
    };
    assert!(
        message.contains("could not save the outbox") && message.contains("not sent"),
        "{message}"
    );
    assert_eq!(fake.count("PATCH", ""), 0);
    // Once the database takes rows again, re-doing it works.
    db.with(|c| c.execute_batch("DROP TRIGGER full;")).unwrap();
    tx.send(Command::Write { op: 6, write }).unwrap();
    rx.until(|u| matches!(u, Update::IncidentWritten { op: 6, .. }))
        .await;
    assert_eq!(fake.count("PATCH", ""), 1);
    rx.until(|u| matches!(u, Update::Status(s) if s.outbox_pending == 0))
        .await;
    assert!(vigil::db::outbox::load(&db).unwrap().is_empty(), "settled");
}

#[tokio::test]
async fn read_only_with_the_database_keeps_its_queued_writes_untouched_and_says_so() {
    let db = vigil::db::Db::open_in_memory().unwrap();
    let queued = serde_json::json!({
        "op": 4, "write": {"CommentIncident": {"incident_id": "1", "text": "later"}},
        "queued_at": "2026-01-01T00:00:00Z"
    })
    .to_string();
    vigil::db::outbox::apply(&db, &[(4, queued.clone())], &[]).unwrap();
    let fake = Fake::new(1, 0);
    let (tx, mut rx, _task) = start(
        &fake,
        EngineConfig {
            read_only: true,
            db: Some(db.clone()),
            ..cfg(None)
        },
    );
    let Update::Error { message } = rx.until(|u| matches!(u, Update::Error { .. })).await else {
        unreachable!()
    };
    assert!(
        message.contains("read-only mode: 1 writes queued"),
        "{message}"
    );
    rx.until(is_load_complete).await;
    tx.send(Command::Write {
        op: 5,
        write: WriteOp::CommentIncident {
            incident_id: "1".into(),
            text: "x".into(),
        },
    })
    .unwrap();
    rx.until(|u| matches!(u, Update::WriteFailed { op: 5, .. }))
        .await;
    assert_eq!(fake.count("POST", ""), 0, "nothing replayed, nothing sent");
    assert_eq!(vigil::db::outbox::load(&db).unwrap(), vec![(4, queued)]);
}

// ---------------------------------------------------------------------------------------------
// Offline, single reads, shutdown
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn offline_reports_once_recovers_and_replays_failed_writes() {
    let fake = Fake::new(4, 0);
    fake.with(|s| s.offline = true);
    let (tx, mut rx, _task) = start(&fake, cfg(None));
    let Update::Error { message } = rx.until(|u| matches!(u, Update::Error { .. })).await else {
        unreachable!()
    };
    assert!(
        message.contains("offline") && message.contains("connection refused"),
        "{message}"
    );
    rx.until(|u| matches!(u, Update::Status(s) if s.phase == Phase::Offline))
        .await;
    tx.send(Command::Write {
        op: 2,
        write: WriteOp::CommentIncident {
            incident_id: "4".into(),
            text: "later".into(),
        },
    })
    .unwrap();
    rx.until(|u| {
        matches!(
            u,
            Update::WriteFailed {
                op: 2,
                retryable: true,
                ..
            }
        )
    })
    .await;
    tx.send(Command::Refresh { full: false }).unwrap();
    rx.until(|u| matches!(u, Update::Status(s) if !s.in_flight))
        .await;
    let errors = rx
        .seen
        .iter()
        .filter(|u| matches!(u, Update::Error { .. }))
        .count();
    assert_eq!(errors, 1, "one error per failure streak");

    fake.with(|s| s.offline = false);
    tx.send(Command::Refresh { full: false }).unwrap();
    rx.until(is_load_complete).await;
    rx.until(|u| matches!(u, Update::CommentsWritten { op: 2, .. }))
        .await;
    assert_eq!(fake.incident("4")["comments"].as_array().unwrap().len(), 1);
    rx.until(|u| matches!(u, Update::Status(s) if s.phase == Phase::Idle && s.outbox_failed == 0 && s.outbox_pending == 0)).await;
}

#[tokio::test]
async fn beta_read_falls_back_to_v1_when_refused() {
    let fake = Fake::new(2, 1);
    let (tx, mut rx, _task) = start(&fake, cfg(None));
    rx.until(is_load_complete).await;
    tx.send(Command::LoadIncident {
        incident_id: "1".into(),
        beta: true,
    })
    .unwrap();
    let Update::Incidents { items, .. } = rx
        .until(|u| {
            matches!(
                u,
                Update::Incidents {
                    source: UpsertSource::Single,
                    ..
                }
            )
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(
        items[0].recommended_actions.as_deref(),
        Some("Isolate the device")
    );
    assert_eq!(items[0].alerts.as_ref().map(Vec::len), Some(1));

    fake.with(|s| s.beta_missing = true);
    tx.send(Command::LoadIncident {
        incident_id: "2".into(),
        beta: true,
    })
    .unwrap();
    let Update::Incidents { items, .. } = rx
        .until(|u| {
            matches!(
                u,
                Update::Incidents {
                    source: UpsertSource::Single,
                    ..
                }
            )
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(items[0].id, "2");
    assert!(items[0].recommended_actions.is_none());
    rx.until(|u| matches!(u, Update::Status(s) if s.last_error.as_deref().is_some_and(|e| e.contains("beta")))).await;
    assert!(
        !rx.seen.iter().any(|u| matches!(u, Update::Error { .. })),
        "degrades quietly"
    );
    let beta_calls = fake.count("GET", "/beta/");
    tx.send(Command::LoadIncident {
        incident_id: "2".into(),
        beta: true,
    })
    .unwrap();
    rx.until(|u| {
        matches!(
            u,
            Update::Incidents {
                source: UpsertSource::Single,
                ..
            }
        )
    })
    .await;
    assert_eq!(
        fake.count("GET", "/beta/"),
        beta_calls,
        "beta not retried once refused"
    );
}

#[tokio::test]
async fn shutdown_ends_the_task() {
    let fake = Fake::new(1, 0);
    let (tx, mut rx, task) = start(&fake, cfg(None));
    rx.until(is_load_complete).await;
    tx.send(Command::Shutdown).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn export_writes_one_line_per_incident_with_alerts() {
    let fake = Fake::new(73, 3);
    let broken = json!({"id": {"broken": true}, "lastUpdateDateTime": Timestamp::now().to_graph()});
    fake.with(|s| s.incidents.push(broken.clone()));
    let mut out = Vec::new();
    let mut events = Vec::new();
    let opts = ExportOptions {
        include_alerts: true,
        ..Default::default()
    };
    let summary = run_export(fake.clone(), opts, &mut out, &mut |p| events.push(p))
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 74, "the unreadable record is a record too");
    assert_eq!(
        lines.iter().filter(|l| l["id"]["broken"] == true).count(),
        1,
        "written as received: {text}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["alerts"].as_array().is_some_and(|a| a.len() == 3))
            .count(),
        73
    );
    assert_eq!(summary.incidents, 74);
    assert_eq!(summary.alerts, 219);
    assert!(summary.is_complete(), "{summary:?}");
    assert_eq!(summary.requests, 2);
    assert!(
        events
            .iter()
            .all(|e| !matches!(e, ExportProgress::MissingAlerts(_)))
    );
}

/// An incident as a newer Graph might send it: a property vigil does not model, timestamps
/// with fewer fraction digits than vigil writes, and alerts with their `@odata.type`.
fn unmodelled_incident(id: &str) -> (Value, Vec<Value>) {
    let t = Timestamp::now().plus_seconds(-30).to_graph();
    let short = format!("{}Z", &t[..19]);
    let incident = json!({
        "lastUpdateDateTime": short,
        "id": id,
        "severity": "high",
        "status": "active",
        "vendorExtension": {"score": 7, "labels": ["x", "y"], "nothing": null},
        "createdDateTime": "2026-12-06T03:00:16Z",
        "comments": [],
    });
    let alerts = vec![json!({
        "@odata.type": "#microsoft.graph.security.alert",
        "id": format!("ua{id}"),
        "incidentId": id,
        "createdDateTime": "2026-12-06T03:00:16.5Z",
        "severity": "high",
        "newAlertProperty": [1, 2, 3],
    })];
    (incident, alerts)
}

#[tokio::test]
async fn export_writes_each_record_exactly_as_received() {
    for lazy in [false, true] {
        let fake = Fake::new(3, 1);
        let (incident, alerts) = unmodelled_incident("900");
        fake.with(|s| {
            s.incidents.push(incident.clone());
            s.alerts.extend(alerts.clone());
            if lazy {
                s.expand_fail_top_gt = Some(0);
            }
        });
        let mut expected = incident.clone();
        expected["alerts"] = Value::Array(alerts.clone());
        let expected = serde_json::to_string(&expected).unwrap();
        let mut out = Vec::new();
        let opts = ExportOptions {
            include_alerts: true,
            ..Default::default()
        };
        run_export(fake.clone(), opts, &mut out, &mut |_| {})
            .await
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let line = text
            .lines()
            .find(|l| l.contains("vendorExtension"))
            .unwrap_or_else(|| panic!("lazy={lazy}: the unmodelled property is kept: {text}"));
        assert_eq!(
            line, expected,
            "lazy={lazy}: verbatim, in the order received"
        );
        assert!(line.contains(r#""createdDateTime":"2026-12-06T03:00:16Z""#));
        assert!(line.contains(r##""@odata.type":"#microsoft.graph.security.alert""##));
        assert!(
            !line.contains("customTags"),
            "nothing Graph did not send is added: {line}"
        );
    }
}

#[tokio::test]
async fn export_names_incidents_whose_alerts_could_not_be_loaded() {
    let fake = Fake::new(4, 1);
    fake.with(|s| {
        // A numeric id: listed, but the per-incident read answers 404.
        s.incidents
            .push(json!({"id": 999, "lastUpdateDateTime": Timestamp::now().to_graph()}));
        s.expand_fail_top_gt = Some(0);
    });
    let mut out = Vec::new();
    let mut events = Vec::new();
    let opts = ExportOptions {
        include_alerts: true,
        ..Default::default()
    };
    let summary = run_export(fake.clone(), opts, &mut out, &mut |p| events.push(p))
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text.lines().count(),
        5,
        "the record is still written: {text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with(r#"{"id":999,"#) && !l.contains("alerts"))
    );
    assert!(!summary.is_complete());
    let ids: Vec<&str> = summary.incomplete.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, vec!["999"]);
    assert!(
        summary
            .incomplete_report()
            .unwrap()
            .contains("1 incident(s)"),
        "{summary:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ExportProgress::MissingAlerts(m) if m.id == "999"))
    );
}

#[tokio::test]
async fn export_falls_back_to_lazy_alerts_and_filters_server_side() {
    let fake = Fake::new(12, 2);
    fake.with(|s| s.expand_fail_top_gt = Some(0));
    let mut out = Vec::new();
    let since = Timestamp::now().plus_seconds(-3600 - 6 * 60 - 30);
    let opts = ExportOptions {
        since: Some(since),
        severities: vec!["High".into()],
        include_alerts: true,
        ..Default::default()
    };
    let summary = run_export(fake.clone(), opts, &mut out, &mut |_| {})
        .await
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Incidents 1..6 are within 6.5 minutes of the base; the even ones are high.
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["2", "4", "6"]);
    assert!(
        lines
            .iter()
            .all(|l| l["alerts"].as_array().is_some_and(|a| a.len() == 2))
    );
    assert_eq!(
        summary.requests,
        3 + 3,
        "two failed expanded tries, one lazy page, three per-incident reads"
    );
    let url = &fake.log()[0].url;
    assert!(url.contains("severity%20eq%20'high'"), "{url}");

    let mut no_alerts = Vec::new();
    let opts = ExportOptions {
        include_alerts: false,
        ..Default::default()
    };
    run_export(fake.clone(), opts, &mut no_alerts, &mut |_| {})
        .await
        .unwrap();
    let first: Value = serde_json::from_str(
        String::from_utf8(no_alerts)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(first.get("alerts").is_none());
}

#[tokio::test]
async fn polls_on_its_own_every_interval() {
    let fake = Fake::new(2, 0);
    let mut c = cfg(None);
    c.poll_interval = Duration::from_millis(100);
    let (_tx, mut rx, _task) = start(&fake, c);
    rx.until(is_load_complete).await;
    for _ in 0..2 {
        rx.until(|u| {
            matches!(
                u,
                Update::Incidents {
                    source: UpsertSource::Delta,
                    ..
                }
            )
        })
        .await;
    }
    assert!(fake.count("GET", "incidents?") >= 3);
}

#[tokio::test]
async fn bad_records_are_reported_and_the_rest_of_the_page_kept() {
    let fake = Fake::new(3, 0);
    fake.with(|s| {
        s.incidents
            .push(json!({"id": ["nope"], "lastUpdateDateTime": Timestamp::now().to_graph()}))
    });
    let (_tx, mut rx, _task) = start(&fake, cfg(None));
    let Update::LoadComplete { total, .. } = rx.until(is_load_complete).await else {
        unreachable!()
    };
    assert_eq!(total, 3);
    let bad: Vec<_> = rx
        .seen
        .iter()
        .filter_map(|u| match u {
            Update::BadRecords { context, records } => Some((context.clone(), records.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].0, "incidents page 1");
    assert_eq!(bad[0].1[0].raw["id"], json!(["nope"]));
}
