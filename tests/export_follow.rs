//! `vigil export --follow` as a SIEM feed: the real binary against the simulated tenant while
//! the tenant changes, throttles (429 bursts), fails (503), stalls, is restarted on the same
//! port, and while vigil itself is killed with SIGKILL and restarted from its checkpoint.
//! Every version of every incident the tenant had is in the output at least once, and a
//! (`id`, `lastUpdateDateTime`) pair appears twice only when it was written after the last
//! checkpoint before the SIGKILL.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use vigil::sim::{self, FaultSpec, SimConfig, SimHandle};

/// Every wait in this test is bounded by this.
const WAIT: Duration = Duration::from_secs(40);

type Pair = (String, String);

fn sim_cfg() -> SimConfig {
    SimConfig {
        incidents: 40,
        live: false,
        max_page: 100,
        ..SimConfig::default()
    }
}

/// A home whose profile `sim` signs in to `base` with short request timeouts.
fn home_for(base: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/vigil");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[sync]\npage_size = 100\nbudget_per_minute = 10000\nrequest_timeout_secs = 2\n\n\
             [profiles.sim]\ntenant_id = \"{}\"\nclient_id = \"{}\"\nauth = \"client-secret\"\n\
             client_secret_env = \"VIGIL_TEST_SECRET\"\ngraph_url = \"{base}\"\nlogin_url = \"{base}\"\n",
            sim::DEMO_TENANT_ID,
            sim::DEMO_CLIENT_ID,
        ),
    )
    .unwrap();
    home
}

struct Feed {
    home: tempfile::TempDir,
    out: PathBuf,
    checkpoint: PathBuf,
    child: Option<Child>,
    runs: u32,
}

impl Feed {
    fn new(home: tempfile::TempDir) -> Feed {
        let out = home.path().join("feed/incidents.ndjson");
        let checkpoint = home.path().join("feed/follow.checkpoint");
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        Feed {
            home,
            out,
            checkpoint,
            child: None,
            runs: 0,
        }
    }

    fn start(&mut self) {
        self.start_with(&[]);
    }

    fn start_with(&mut self, extra: &[&str]) {
        self.runs += 1;
        let h = self.home.path();
        let stderr = std::fs::File::create(h.join(format!("stderr.{}", self.runs))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join("config"))
            .env("XDG_STATE_HOME", h.join("state"))
            .env("XDG_DATA_HOME", h.join("data"))
            .env("XDG_CACHE_HOME", h.join("cache"))
            .env("VIGIL_TEST_SECRET", sim::DEMO_CLIENT_SECRET)
            .args(["--profile", "sim", "export", "--follow", "--no-alerts"])
            .args(["--interval", "1s", "--log-format", "json"])
            .args(extra)
            .arg("--checkpoint")
            .arg(&self.checkpoint)
            .arg("-o")
            .arg(&self.out)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    /// SIGKILL, then what the output and the checkpoint held at that moment.
    fn kill(&mut self) -> (Vec<Pair>, BTreeMap<String, String>) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        let cp: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&self.checkpoint).unwrap()).unwrap();
        let written = cp["written"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        (self.lines(), written)
    }

    fn lines(&self) -> Vec<Pair> {
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        // A SIGKILL can leave no partial line: each line is written whole, but keep only
        // complete lines to be sure.
        text.split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["id"].as_str().unwrap().to_string(),
                    v["lastUpdateDateTime"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn stderr(&self) -> String {
        (1..=self.runs)
            .map(|n| {
                std::fs::read_to_string(self.home.path().join(format!("stderr.{n}")))
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Waits until every pair of `expected` is in the output.
    fn until_caught_up(&self, what: &str, expected: &BTreeSet<Pair>) {
        self.until(what, || {
            let have: BTreeSet<Pair> = self.lines().into_iter().collect();
            expected.is_subset(&have)
        });
    }

    fn until(&self, what: &str, mut cond: impl FnMut() -> bool) {
        let deadline = Instant::now() + WAIT;
        while !cond() {
            if Instant::now() > deadline {
                let have: BTreeSet<Pair> = self.lines().into_iter().collect();
                panic!(
                    "timed out waiting for {what}; {} lines; stderr:\n{}\nlines: {have:?}",
                    have.len(),
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The tenant's versions, tracked: everything it held at the start, and every version a change
/// made afterwards (`base` is what the current tenant held when it started).
struct Tracker {
    expected: BTreeSet<Pair>,
    base: BTreeSet<Pair>,
}

impl Tracker {
    fn new(sim: &SimHandle) -> Tracker {
        let base: BTreeSet<Pair> = sim.incident_versions().into_iter().collect();
        Tracker {
            expected: base.clone(),
            base,
        }
    }

    /// A tenant regenerated on restart: its history is not a change.
    fn restarted(&mut self, sim: &SimHandle) {
        self.base = sim.incident_versions().into_iter().collect();
    }

    fn tick(&mut self, sim: &SimHandle, n: usize) {
        for _ in 0..n {
            sim.tick_activity();
            for p in sim.incident_versions() {
                if !self.base.contains(&p) {
                    self.expected.insert(p);
                }
            }
        }
    }
}

fn set_faults(sim: &SimHandle, spec: &str) {
    sim.set_faults(FaultSpec::parse(spec).unwrap());
}

#[test]
fn the_follow_feed_misses_nothing_and_repeats_only_after_a_sigkill() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(sim::start(sim_cfg(), ([127, 0, 0, 1], 0).into()))
        .unwrap();
    let addr: SocketAddr = sim.addr;
    let mut feed = Feed::new(home_for(&sim.base_url()));
    let mut track = Tracker::new(&sim);

    feed.start();
    feed.until_caught_up("the first full pull", &track.expected);
    track.tick(&sim, 3);
    feed.until_caught_up("changes", &track.expected);

    set_faults(&sim, "429-burst=8,retry-after=1");
    track.tick(&sim, 2);
    feed.until_caught_up("changes through a 429 burst", &track.expected);

    set_faults(&sim, "503=0.6");
    track.tick(&sim, 2);
    feed.until_caught_up("changes through 503s", &track.expected);

    set_faults(&sim, "stall=1");
    track.tick(&sim, 2);
    feed.until("a stalled poll to be reported", || {
        feed.stderr().contains("\"event\":\"retrying\"") && sim.stats().faults_injected > 0
    });
    set_faults(&sim, "");
    feed.until_caught_up("changes after a stall", &track.expected);

    rt.block_on(sim.shutdown());
    let failures_before = feed.stderr().matches("\"event\":\"retrying\"").count();
    feed.until("the outage to be reported", || {
        feed.stderr().matches("\"event\":\"retrying\"").count() > failures_before
    });
    let sim = rt.block_on(sim::start(sim_cfg(), addr)).unwrap();
    track.restarted(&sim);
    track.tick(&sim, 3);
    feed.until_caught_up("changes on the restarted tenant", &track.expected);

    track.tick(&sim, 2);
    let (at_kill, checkpointed) = feed.kill();
    let unsaved: BTreeSet<Pair> = at_kill
        .into_iter()
        .filter(|(id, lu)| checkpointed.get(id) != Some(lu))
        .collect();
    track.tick(&sim, 2);
    feed.start();
    track.tick(&sim, 2);
    feed.until_caught_up("changes after vigil was killed", &track.expected);

    let lines = feed.lines();
    let mut count: BTreeMap<&Pair, usize> = BTreeMap::new();
    for p in &lines {
        *count.entry(p).or_default() += 1;
    }
    let repeated: Vec<&Pair> = count
        .iter()
        .filter(|(p, n)| **n > 1 && !unsaved.contains(**p))
        .map(|(p, _)| *p)
        .collect();
    assert!(
        repeated.is_empty(),
        "written twice though checkpointed: {repeated:?}"
    );
    assert!(
        count.values().all(|n| *n <= 2),
        "a pair at most twice (one SIGKILL)"
    );
    for file in [&feed.out, &feed.checkpoint] {
        let mode = std::fs::metadata(file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", file.display());
    }
    assert!(Path::new(&feed.checkpoint).exists());
    rt.block_on(sim.shutdown());
}

/// `--alerts` follows `alerts_v2`: every alert version is written, each once; after SIGHUP
/// (logrotate moved the file away) the lines go to a new file at the same path.
#[test]
fn the_alerts_feed_follows_alerts_v2_and_sighup_reopens_the_output() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(sim::start(sim_cfg(), ([127, 0, 0, 1], 0).into()))
        .unwrap();
    let mut feed = Feed::new(home_for(&sim.base_url()));
    feed.out = feed.home.path().join("feed/alerts.ndjson");
    let mut expected: BTreeSet<Pair> = sim.alert_versions().into_iter().collect();
    feed.start_with(&["--alerts"]);
    feed.until_caught_up("every alert", &expected);

    let rotated = feed.home.path().join("feed/alerts.ndjson.1");
    std::fs::rename(&feed.out, &rotated).unwrap();
    let pid = feed.child.as_ref().unwrap().id().to_string();
    let hup = Command::new("kill").args(["-HUP", &pid]).status().unwrap();
    assert!(hup.success());
    let mut changed = BTreeSet::new();
    feed.until("a new alert version in the reopened file", || {
        sim.tick_activity();
        for p in sim.alert_versions() {
            if expected.insert(p.clone()) {
                changed.insert(p);
            }
        }
        let have: BTreeSet<Pair> = feed.lines().into_iter().collect();
        !changed.is_empty() && changed.is_subset(&have)
    });
    let before: Vec<String> = std::fs::read_to_string(&rotated)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let mut all: Vec<Pair> = before
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["lastUpdateDateTime"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    all.extend(feed.lines());
    let unique: BTreeSet<&Pair> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "no alert version written twice");
    assert!(expected.iter().all(|p| unique.contains(p)), "none missed");
    let mode = std::fs::metadata(&feed.out).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    rt.block_on(sim.shutdown());
}

/// A wrong client secret (AADSTS7000215) will not heal by waiting: the follow exits 1 and
/// says why; a corrupt checkpoint stops it before anything is written.
#[test]
fn a_bad_secret_or_a_corrupt_checkpoint_ends_the_follow_with_a_clear_message() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(sim::start(sim_cfg(), ([127, 0, 0, 1], 0).into()))
        .unwrap();
    let feed = Feed::new(home_for(&sim.base_url()));
    let run = |feed: &Feed, secret: &str| {
        let h = feed.home.path();
        let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join("config"))
            .env("XDG_STATE_HOME", h.join("state"))
            .env("XDG_DATA_HOME", h.join("data"))
            .env("XDG_CACHE_HOME", h.join("cache"))
            .env("VIGIL_TEST_SECRET", secret)
            .args(["--profile", "sim", "export", "--follow", "--interval", "1s"])
            .arg("--checkpoint")
            .arg(&feed.checkpoint)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = run(&feed, "not-the-secret");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("AADSTS7000215") && stderr.contains("will not heal"),
        "{stderr}"
    );

    std::fs::write(&feed.checkpoint, "{\"watermark\":").unwrap();
    let (code, stdout, stderr) = run(&feed, sim::DEMO_CLIENT_SECRET);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("follow.checkpoint") && stderr.contains("remove it"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&feed.checkpoint).unwrap(),
        "{\"watermark\":",
        "left as it was"
    );
    rt.block_on(sim.shutdown());
}
