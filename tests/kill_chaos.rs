//! Nothing lost, nothing doubled, proven on the real binary: `vigil` runs in a pseudo-terminal
//! on a configured profile against the in-process simulated tenant, reached through a proxy the
//! test cuts, restores and flaps. In each round the analyst assigns incidents, comments and sends
//! Ask Defender Experts inquiries (comment + e-mail channels), and the process is killed with
//! SIGKILL at a random moment (while typing, right after sending, while the network is down or
//! flapping). After every kill the profile's database is read (read-only; vigil holds it
//! exclusively while it runs): whatever it holds is durable and must reach Defender, and every
//! draft it held after an earlier kill must still be there, unchanged. Runs with the network up
//! (killed once the console shows nothing pending) must then drain everything, and the
//! simulator must hold each durable write exactly once, and nothing twice.
//!
//! `CHAOS_SEED` and `CHAOS_ROUNDS` reproduce or lengthen a run (the seed is printed).

mod support;

use portable_pty::CommandBuilder;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};
use support::pty::Pty;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use vigil::sim::{self, SimConfig, SimHandle};

const ALIAS: &str = "chaos.analyst@contoso.com";
const COLLEAGUE: &str = "colleague@contoso.com";
const SECRET_VAR: &str = "VIGIL_CHAOS_TEST_SECRET";
/// Every wait on the console is bounded by this.
const WAIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// The network between vigil and the tenant.

const UP: u8 = 0;
const DOWN: u8 = 1;
const FLAPPING: u8 = 2;

/// A TCP proxy on loopback that forwards to the simulator while "up", refuses and cuts every
/// connection while "down", and alternates between the two every few hundred ms while
/// "flapping".
struct Proxy {
    addr: std::net::SocketAddr,
    mode: Arc<AtomicU8>,
    /// Bumped to cut every open connection.
    cut: Arc<watch::Sender<u64>>,
}

impl Proxy {
    async fn start(target: std::net::SocketAddr, seed: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mode = Arc::new(AtomicU8::new(UP));
        let flap_up = Arc::new(AtomicBool::new(true));
        let (cut, cut_rx) = watch::channel(0u64);
        let cut = Arc::new(cut);
        {
            let (mode, flap_up, cut) = (mode.clone(), flap_up.clone(), cut.clone());
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(seed ^ 0xF1A9);
                loop {
                    tokio::time::sleep(Duration::from_millis(rng.random_range(150..700))).await;
                    if mode.load(Ordering::SeqCst) == FLAPPING {
                        let now_up = !flap_up.load(Ordering::SeqCst);
                        flap_up.store(now_up, Ordering::SeqCst);
                        if !now_up {
                            cut.send_modify(|g| *g += 1);
                        }
                    }
                }
            });
        }
        {
            let mode = mode.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((client, _)) = listener.accept().await else {
                        continue;
                    };
                    let open = match mode.load(Ordering::SeqCst) {
                        UP => true,
                        DOWN => false,
                        _ => flap_up.load(Ordering::SeqCst),
                    };
                    if !open {
                        drop(client);
                        continue;
                    }
                    let mut cut_rx = cut_rx.clone();
                    cut_rx.mark_unchanged();
                    tokio::spawn(async move {
                        let Ok(server) = TcpStream::connect(target).await else {
                            return;
                        };
                        let (mut client, mut server) = (client, server);
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            _ = cut_rx.changed() => {}
                        }
                    });
                }
            });
        }
        Proxy { addr, mode, cut }
    }

    fn set(&self, m: u8) {
        self.mode.store(m, Ordering::SeqCst);
        if m != UP {
            self.cut.send_modify(|g| *g += 1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The console.

/// The console under test, on the configured profile.
struct Console {
    pty: Pty,
}

impl Console {
    fn spawn(home: &Path) -> Console {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_vigil"));
        cmd.args(["--profile", "chaos"]);
        cmd.env(SECRET_VAR, sim::DEMO_CLIENT_SECRET);
        for v in [
            "VIGIL_CLIENT_SECRET",
            "VIGIL_TENANT_ID",
            "VIGIL_CLIENT_ID",
            "VIGIL_GRAPH_URL",
            "VIGIL_LOGIN_URL",
        ] {
            cmd.env_remove(v);
        }
        Console {
            pty: Pty::spawn(cmd, home),
        }
    }

    fn text(&self) -> String {
        self.pty.text()
    }

    /// Waits until `cond` holds for the screen; `None` after [`WAIT`].
    fn wait_until(&self, cond: impl Fn(&str) -> bool) -> Option<String> {
        self.pty.screen_within(WAIT, cond)
    }

    fn wait_for(&self, needle: &str) -> String {
        self.pty.wait_for(needle)
    }

    fn send(&mut self, s: &str) {
        self.pty.send(s);
    }

    fn kill9(&mut self) {
        self.pty.signal("-KILL");
        self.pty.wait_exit();
    }

    /// Whether the queue is on screen with nothing open over it (its own key hints show).
    fn at_queue(t: &str) -> bool {
        t.lines().last().is_some_and(|l| l.contains("space select"))
    }

    /// Closes whatever an interrupted action left open (editors keep their drafts on Esc).
    fn back_to_queue(&mut self) -> bool {
        for _ in 0..6 {
            if Self::at_queue(&self.text()) {
                return true;
            }
            self.send("\x1b");
            std::thread::sleep(Duration::from_millis(250));
        }
        Self::at_queue(&self.text())
    }

    /// Shows the single incident `id` in the queue, with the filter line closed.
    fn filter_to(&mut self, id: &str) -> bool {
        if !self.back_to_queue() {
            return false;
        }
        self.send("/\x15");
        self.send(&format!("id:{id}\r"));
        let applied = format!("filter: id:{id} ");
        self.wait_until(|t| t.contains(&applied) && t.contains("1 shown") && Self::at_queue(t))
            .is_some()
    }
}

// ---------------------------------------------------------------------------------------------
// What the analyst did, and what the disk and the tenant hold.

#[derive(Debug, Clone)]
enum Act {
    Assign(String),
    Comment(String, String),
    Inquiry(String, String),
}

/// Every `vigil.db` under `state` (one per profile).
fn databases(state: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![state.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if e.file_name() == "vigil.db" {
                out.push(p);
            }
        }
    }
    out
}

/// The text of every row `sql` selects, from every profile database, read with a read-only
/// connection. Only while vigil is not running: it holds its database exclusively.
fn db_text(state: &Path, sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    for path in databases(state) {
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap_or_else(|e| panic!("open {} read-only: {e}", path.display()));
        let mut stmt = conn
            .prepare(sql)
            .unwrap_or_else(|e| panic!("{sql} on {}: {e}", path.display()));
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap_or_else(|e| panic!("{sql} on {}: {e}", path.display()));
        out.extend(rows.map(|r| r.unwrap()));
    }
    out
}

/// Outbox entries (as JSON text) the database holds.
fn outbox_entries(state: &Path) -> Vec<String> {
    db_text(state, "SELECT entry FROM outbox ORDER BY op")
}

/// Whether an outbox entry (as JSON text) waits for the analyst's decision on a conflict.
fn in_conflict(entry: &str) -> bool {
    serde_json::from_str::<Value>(entry).is_ok_and(|e| !e["conflict"].is_null())
}

/// Inquiry records the database holds.
fn inquiries(state: &Path) -> Vec<Value> {
    db_text(state, "SELECT body FROM inquiries")
        .iter()
        .filter_map(|t| serde_json::from_str::<Value>(t).ok())
        .collect()
}

/// Every draft the database holds (Ask Defender Experts and comment drafts), by key.
fn drafts(state: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for body in db_text(state, "SELECT body FROM inquiry_drafts") {
        let v: Value = serde_json::from_str(&body).unwrap();
        out.insert(
            format!("ask {}", v["key"].as_str().unwrap_or_default()),
            v["body"].as_str().unwrap_or_default().to_string(),
        );
    }
    for row in db_text(state, "SELECT json_array(target, text) FROM comment_drafts") {
        let v: Value = serde_json::from_str(&row).unwrap();
        out.insert(
            format!("comment {}", v[0].as_str().unwrap_or_default()),
            v[1].as_str().unwrap_or_default().to_string(),
        );
    }
    out
}

/// A bearer token for the simulator's Graph API (the test's own app, not vigil's session).
async fn bearer(http: &reqwest::Client, sim: &SimHandle) -> String {
    let token: Value = http
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            sim.base_url(),
            sim::DEMO_TENANT_ID
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sim::DEMO_CLIENT_ID),
            ("client_secret", sim::DEMO_CLIENT_SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_string()
}

/// The simulator's view of one incident (read straight from its Graph API).
async fn server_incident(sim: &SimHandle, id: &str) -> Value {
    let http = reqwest::Client::new();
    let bearer = bearer(&http, sim).await;
    http.get(format!("{}/v1.0/security/incidents/{id}", sim.base_url()))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A colleague changes incident `id` in the portal (straight to the tenant, not through vigil).
async fn colleague_patch(sim: &SimHandle, id: &str, body: Value) {
    let http = reqwest::Client::new();
    let bearer = bearer(&http, sim).await;
    let status = http
        .patch(format!("{}/v1.0/security/incidents/{id}", sim.base_url()))
        .bearer_auth(bearer)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "colleague PATCH {id}: {status}");
}

fn write_config(home: &Path, proxy: &std::net::SocketAddr) {
    let dir = home.join("xdg_config_home/vigil");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("http://{proxy}");
    std::fs::write(
        dir.join("config.toml"),
        format!(
            r#"default_profile = "chaos"

[sync]
poll_interval_secs = 5
window_days = 3650

[user]
aliases = ["{ALIAS}"]

[experts]
channels = ["comment", "email"]
email_to = "experts@example.com"
mailbox = "{ALIAS}"

[profiles.chaos]
tenant_id = "{tenant}"
client_id = "{client}"
auth = "client-secret"
client_secret_env = "{SECRET_VAR}"
graph_url = "{url}"
login_url = "{url}"
"#,
            tenant = sim::DEMO_TENANT_ID,
            client = sim::DEMO_CLIENT_ID,
        ),
    )
    .unwrap();
}

/// Unassigned incidents the default queue shows (active or in progress; high, medium, low).
async fn candidates(sim: &SimHandle, incidents: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..u32::try_from(incidents).unwrap() {
        let id = (1000 + n).to_string();
        let v = server_incident(sim, &id).await;
        if v.get("id").is_none() {
            continue;
        }
        let open = matches!(v["status"].as_str(), Some("active" | "inProgress"));
        let sev = matches!(v["severity"].as_str(), Some("high" | "medium" | "low"));
        if open && sev && v["assignedTo"].is_null() {
            ids.push(id);
        }
    }
    ids
}

/// Performs `act` on the console; returns false when the screen it needs did not come up.
fn perform(c: &mut Console, act: &Act, rng: &mut StdRng) -> bool {
    let id = match act {
        Act::Assign(id) | Act::Comment(id, _) | Act::Inquiry(id, _) => id,
    };
    if !c.filter_to(id) {
        return false;
    }
    match act {
        Act::Assign(_) => c.send("a"),
        Act::Comment(_, token) => {
            c.send("m");
            if c.wait_until(|t| t.contains("/ 30,000")).is_none() {
                return false;
            }
            c.send(&format!("chaos comment {token} "));
            // Sometimes the kill lands before the send key.
            if rng.random_bool(0.85) {
                c.send("\x13");
            }
        }
        Act::Inquiry(_, token) => {
            c.send("e");
            if c.wait_until(|t| t.contains("Ask Defender Experts"))
                .is_none()
            {
                return false;
            }
            c.send(&format!("chaos question {token} "));
            if rng.random_bool(0.85) {
                c.send("\x13");
                // A confirmation before sending, where the console asks for one.
                if c.wait_until(|t| t.contains("y send")).is_some() {
                    c.send("y");
                }
            }
        }
    }
    true
}

/// The delivery state of `channel` in an inquiry record, lower-cased (`sent`, `queued`,
/// `failed`, …; empty when absent).
fn channel_state(record: &Value, channel: &str) -> String {
    record["deliveries"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d[0].as_str() == Some(channel))
        .map(|d| match &d[1] {
            Value::String(s) => s.to_lowercase(),
            Value::Object(o) => match o.get("state") {
                Some(Value::String(s)) => s.to_lowercase(),
                _ => o.keys().next().cloned().unwrap_or_default().to_lowercase(),
            },
            other => other.to_string().to_lowercase(),
        })
        .unwrap_or_default()
}

fn count_in(haystacks: &[String], token: &str) -> usize {
    haystacks.iter().filter(|h| h.contains(token)).count()
}

#[test]
fn sigkill_at_random_moments_loses_nothing_durable_and_doubles_nothing() {
    let seed: u64 = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    let rounds: usize = std::env::var("CHAOS_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    eprintln!("kill_chaos: CHAOS_SEED={seed} CHAOS_ROUNDS={rounds}");
    // About one in six is open and unassigned; each action takes one of them.
    let incidents = (rounds * 30).max(300);
    let mut rng = StdRng::seed_from_u64(seed);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(sim::start(
            SimConfig {
                incidents,
                live: false,
                ..SimConfig::default()
            },
            ([127, 0, 0, 1], 0).into(),
        ))
        .unwrap();
    let proxy = rt.block_on(async { Proxy::start(sim.addr, seed).await });
    let mut home = tempfile::tempdir().unwrap();
    if std::env::var_os("CHAOS_KEEP").is_some() {
        eprintln!("kill_chaos: state kept in {}", home.path().display());
        home.disable_cleanup(true);
    }
    write_config(home.path(), &proxy.addr);
    let state: PathBuf = home.path().join("xdg_state_home");

    let mut pool = rt.block_on(candidates(&sim, incidents));
    assert!(
        pool.len() >= 3 * rounds,
        "enough unassigned open incidents: {} for {rounds} rounds",
        pool.len()
    );
    // Each incident is the target of one action only, so their outcomes are told apart.
    let mut take = |rng: &mut StdRng| pool.swap_remove(rng.random_range(0..pool.len()));

    let mut acts: Vec<Act> = Vec::new();
    let mut durable: BTreeSet<usize> = BTreeSet::new();
    // What a colleague did meanwhile to the incident of a queued assignment.
    let mut colleague: BTreeMap<usize, &str> = BTreeMap::new();
    // The drafts the database held after the last kill.
    let mut kept_drafts: BTreeMap<String, String> = BTreeMap::new();
    // Every draft found intact after a later kill.
    let mut drafts_checked: BTreeSet<String> = BTreeSet::new();
    for round in 0..rounds {
        proxy.set(UP);
        let mut c = Console::spawn(home.path());
        c.wait_for("refreshed");
        let mode = [UP, DOWN, FLAPPING][rng.random_range(0..3)];
        proxy.set(mode);
        for k in 0..rng.random_range(1..=3) {
            let token = format!("CHX{seed:x}R{round:03}K{k}Z");
            let act = match rng.random_range(0..3) {
                0 => Act::Assign(take(&mut rng)),
                1 => Act::Comment(take(&mut rng), token),
                _ => Act::Inquiry(take(&mut rng), token),
            };
            let done = perform(&mut c, &act, &mut rng);
            if std::env::var_os("CHAOS_DEBUG").is_some() {
                eprintln!("kill_chaos: round {round} {act:?} performed: {done}");
            }
            acts.push(act);
            if !done {
                break;
            }
            // Sometimes kill at once, sometimes while the write is under way.
            if rng.random_bool(0.3) {
                break;
            }
            std::thread::sleep(Duration::from_millis(rng.random_range(0..400)));
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(0..1500)));
        if std::env::var_os("CHAOS_DEBUG").is_some() {
            eprintln!(
                "kill_chaos: round {round} screen before the kill:\n{}",
                c.text()
            );
        }
        c.kill9();
        // Durable: what the database holds after the kill (it cannot be read while vigil runs).
        let mut seen = outbox_entries(&state);
        seen.extend(inquiries(&state).iter().map(Value::to_string));
        // Every draft saved before an earlier kill is still there, unchanged.
        let now_drafts = drafts(&state);
        for (key, body) in &kept_drafts {
            assert_eq!(
                now_drafts.get(key),
                Some(body),
                "round {round}: the draft {key} was lost or changed by a kill and restart"
            );
            drafts_checked.insert(key.clone());
        }
        kept_drafts = now_drafts;
        for (i, a) in acts.iter().enumerate() {
            let on_disk = match a {
                Act::Assign(id) => seen
                    .iter()
                    .any(|e| e.contains(ALIAS) && e.contains(&format!("\"{id}\""))),
                Act::Comment(_, t) | Act::Inquiry(_, t) => {
                    seen.iter().any(|e| e.contains(t.as_str()))
                }
            };
            if on_disk {
                durable.insert(i);
            }
        }
        // While vigil is down, a colleague works on incidents whose assignment is still queued:
        // a change to another field must not stop it; taking the incident is a conflict that
        // waits for the analyst.
        let queued = outbox_entries(&state);
        for (i, a) in acts.iter().enumerate() {
            let Act::Assign(id) = a else { continue };
            let in_outbox = queued
                .iter()
                .any(|e| e.contains(ALIAS) && e.contains(&format!("\"{id}\"")));
            if !in_outbox || colleague.contains_key(&i) {
                continue;
            }
            let server = rt.block_on(server_incident(&sim, id));
            if !server["assignedTo"].is_null() {
                continue;
            }
            let (what, body) = if rng.random_bool(0.6) {
                ("severity", serde_json::json!({"severity": "low"}))
            } else {
                ("taken", serde_json::json!({"assignedTo": COLLEAGUE}))
            };
            rt.block_on(colleague_patch(&sim, id, body));
            colleague.insert(i, what);
        }
    }

    // The network is back: one more run drains everything. The database is read between
    // runs: wait until the console shows nothing pending, kill it, look; run again if needed.
    proxy.set(UP);
    let start = Instant::now();
    let screen = loop {
        let mut c = Console::spawn(home.path());
        c.wait_for("refreshed");
        let nothing_pending = |t: &str| !t.contains(" pending");
        c.wait_until(nothing_pending);
        let t = c.text();
        // Writes in conflict count as failed too; keys typed into the conflict dialog would
        // answer it, so retry only from the bare queue.
        if t.contains(" failed") && !t.contains("Conflict") && Console::at_queue(&t) {
            c.send(":retry\r");
            std::thread::sleep(Duration::from_millis(500));
            c.wait_until(nothing_pending);
        }
        std::thread::sleep(Duration::from_millis(500));
        let screen = c.text();
        c.kill9();
        let left = outbox_entries(&state);
        let undelivered: Vec<Value> = inquiries(&state)
            .into_iter()
            .filter(|q| {
                ["comment", "email"].iter().any(|c| {
                    let st = channel_state(q, c);
                    st == "queued" || st.contains("pending") || st.contains("sending")
                })
            })
            .collect();
        // A write in conflict stays in the outbox until the analyst decides; the console must
        // be showing it.
        let waiting: Vec<&String> = left.iter().filter(|e| !in_conflict(e)).collect();
        let conflicts_shown = left.len() == waiting.len() || screen.contains("Conflict");
        if waiting.is_empty() && undelivered.is_empty() && conflicts_shown {
            break screen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the outbox never drained with the network up:\n{left:#?}\n{undelivered:#?}\nscreen:\n{screen}"
        );
    };
    let after = drafts(&state);
    for (key, body) in &kept_drafts {
        assert_eq!(after.get(key), Some(body), "the draft {key} was lost");
        drafts_checked.insert(key.clone());
    }

    // What the tenant holds.
    let mail: Vec<String> = sim.sent_mail().iter().map(Value::to_string).collect();
    let patches = sim.patch_log();
    let mut report = BTreeMap::new();
    for (i, a) in acts.iter().enumerate() {
        let is_durable = durable.contains(&i);
        match a {
            Act::Assign(id) => {
                let server = rt.block_on(server_incident(&sim, id));
                let assigned = server["assignedTo"].as_str() == Some(ALIAS);
                let sent = patches
                    .iter()
                    .filter(|(p, b)| {
                        p.ends_with(&format!("/{id}")) && b.to_string().contains(ALIAS)
                    })
                    .count();
                report.insert(
                    i,
                    format!(
                        "assign {id}: durable {is_durable}, assigned {assigned}, PATCHes {sent}, colleague {:?}",
                        colleague.get(&i)
                    ),
                );
                let left_in_conflict = outbox_entries(&state).iter().any(|e| {
                    in_conflict(e) && e.contains(ALIAS) && e.contains(&format!("\"{id}\""))
                });
                match colleague.get(&i) {
                    Some(&"taken") => {
                        assert_eq!(
                            server["assignedTo"].as_str(),
                            Some(COLLEAGUE),
                            "{id}: the colleague's assignment was overwritten without asking"
                        );
                        assert!(
                            left_in_conflict && screen.contains("Conflict"),
                            "{id}: the queued assignment must wait, visibly, in conflict; screen:\n{screen}"
                        );
                    }
                    _ if is_durable => assert!(
                        assigned,
                        "durable assignment of {id} was lost (colleague: {:?}); screen:\n{screen}",
                        colleague.get(&i)
                    ),
                    _ => {}
                }
                assert!(sent <= 1, "assignment of {id} sent {sent} times");
            }
            Act::Comment(id, token) => {
                let server = rt.block_on(server_incident(&sim, id));
                let comments: Vec<String> = server["comments"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c["comment"].as_str().unwrap_or("").to_string())
                    .collect();
                let n = count_in(&comments, token);
                report.insert(
                    i,
                    format!("comment {token} on {id}: durable {is_durable}, posted {n}"),
                );
                assert!(n <= 1, "comment {token} posted {n} times");
                if is_durable {
                    assert_eq!(n, 1, "durable comment {token} was lost");
                }
            }
            Act::Inquiry(id, token) => {
                let server = rt.block_on(server_incident(&sim, id));
                let comments: Vec<String> = server["comments"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c["comment"].as_str().unwrap_or("").to_string())
                    .collect();
                let posted = count_in(&comments, token);
                let mailed = count_in(&mail, token);
                report.insert(
                    i,
                    format!("inquiry {token} on {id}: durable {is_durable}, comment {posted}, mail {mailed}"),
                );
                assert!(posted <= 1, "inquiry {token} commented {posted} times");
                assert!(mailed <= 1, "inquiry {token} mailed {mailed} times");
                let record = inquiries(&state)
                    .into_iter()
                    .find(|q| q.to_string().contains(token.as_str()));
                if let Some(record) = &record {
                    for (channel, n) in [("comment", posted), ("email", mailed)] {
                        let st = channel_state(record, channel);
                        let sent = st == "sent";
                        if sent != (n == 1) {
                            let mut found = Vec::new();
                            for k in 1000..1300u32 {
                                let v = rt.block_on(server_incident(&sim, &k.to_string()));
                                if v["comments"].to_string().contains(token.as_str()) {
                                    found.push(k);
                                }
                            }
                            eprintln!(
                                "kill_chaos: {token} is in the comments of {found:?}; mail {mailed}"
                            );
                        }
                        assert!(
                            sent == (n == 1),
                            "inquiry {token}: the {channel} channel says {st} but the tenant has it {n} times"
                        );
                        assert!(
                            sent || st.contains("fail") || st.contains("unknown"),
                            "inquiry {token}: the {channel} channel is neither delivered nor visibly failed: {st}"
                        );
                    }
                } else {
                    assert!(
                        !is_durable,
                        "durable inquiry {token} vanished from the database"
                    );
                }
            }
        }
    }
    for line in report.values() {
        eprintln!("kill_chaos: {line}");
    }
    eprintln!(
        "kill_chaos: {} of {} writes durable; {} drafts found intact after a later kill",
        durable.len(),
        acts.len(),
        drafts_checked.len()
    );
    assert!(
        durable.len() >= acts.len() / 3,
        "too few writes became durable to prove anything ({} of {})",
        durable.len(),
        acts.len()
    );
    rt.block_on(sim.shutdown());
}
