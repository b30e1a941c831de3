//! End to end on a configured profile: the real `vigil` binary in a pseudo-terminal, signed in
//! with a client secret from an environment variable to a separate `vigil sim` process (the
//! URL and credentials it prints), with a short poll interval and `[experts] channels =
//! ["comment"]` from config.toml. Nothing here runs `--demo`.

mod support;

use portable_pty::CommandBuilder;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::pty::Pty;

/// Every wait is bounded by this.
const LONG: Duration = Duration::from_secs(40);
/// The variable the profile names in `client_secret_env`.
const SECRET_ENV: &str = "VIGIL_PTY_PROFILE_SECRET";

/// A `vigil sim` child process and what it printed about itself.
struct Sim {
    child: Child,
    base: String,
    tenant: String,
    client_id: String,
    secret: String,
}

impl Sim {
    fn start() -> Sim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args([
                "sim",
                "--listen",
                "127.0.0.1:0",
                "--incidents",
                "60",
                "--no-live",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let (mut base, mut tenant, mut client_id, mut secret) = (None, None, None, None);
        while base.is_none() || tenant.is_none() || client_id.is_none() || secret.is_none() {
            let line = lines
                .next()
                .expect("vigil sim stopped before printing its credentials")
                .unwrap();
            for word in line.split_whitespace() {
                if let Some(v) = word.strip_prefix("VIGIL_GRAPH_URL=") {
                    base = Some(v.to_string());
                } else if let Some(v) = word.strip_prefix("VIGIL_TENANT_ID=") {
                    tenant = Some(v.to_string());
                } else if let Some(v) = word.strip_prefix("VIGIL_CLIENT_ID=") {
                    client_id = Some(v.to_string());
                }
            }
            if line.contains("client secret:")
                && let Some(s) = line.split('\'').nth(1)
            {
                secret = Some(s.to_string());
            }
        }
        // Keep draining stderr so the simulator never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Sim {
            child,
            base: base.unwrap(),
            tenant: tenant.unwrap(),
            client_id: client_id.unwrap(),
            secret: secret.unwrap(),
        }
    }

    /// Runs one Graph request as a colleague would (their own app sign-in).
    fn graph(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let http = reqwest::Client::new();
            let token: Value = http
                .post(format!("{}/{}/oauth2/v2.0/token", self.base, self.tenant))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", self.client_id.as_str()),
                    ("client_secret", self.secret.as_str()),
                    ("scope", "https://graph.microsoft.com/.default"),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let mut req = http
                .request(method, format!("{}{path}", self.base))
                .bearer_auth(token["access_token"].as_str().unwrap());
            if let Some(b) = body {
                req = req.json(&b);
            }
            let r = req.send().await.unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json().await.unwrap()
        })
    }

    /// The comments of incident `id` on the service.
    fn comments(&self, id: &str) -> Vec<String> {
        let v = self.graph(
            reqwest::Method::GET,
            &format!("/v1.0/security/incidents/{id}"),
            None,
        );
        v["comments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["comment"].as_str().map(str::to_string))
            .collect()
    }

    /// Waits until a comment of incident `id` contains `text`.
    fn wait_for_comment(&self, id: &str, text: &str) -> String {
        let start = Instant::now();
        loop {
            if let Some(c) = self.comments(id).into_iter().find(|c| c.contains(text)) {
                return c;
            }
            assert!(
                start.elapsed() < LONG,
                "no comment with {text:?} on incident {id}: {:?}",
                self.comments(id)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The config.toml of the profile under test.
fn write_config(home: &Path, sim: &Sim) {
    let dir = home.join("xdg_config_home").join("vigil");
    std::fs::create_dir_all(&dir).unwrap();
    let toml = format!(
        r#"default_profile = "lab"

[user]
aliases = ["pty.analyst@contoso.com"]

[experts]
channels = ["comment"]

[profiles.lab]
tenant_id = "{tenant}"
client_id = "{client}"
auth = "client-secret"
client_secret_env = "{SECRET_ENV}"
graph_url = "{base}"
login_url = "{base}"
poll_interval_secs = 5
"#,
        tenant = sim.tenant,
        client = sim.client_id,
        base = sim.base,
    );
    std::fs::write(dir.join("config.toml"), toml).unwrap();
}

/// `vigil` on the configured profile in a pseudo-terminal.
/// The console under test, on the configured profile.
struct Console {
    pty: Pty,
}

impl Console {
    fn spawn(home: &Path, sim: &Sim) -> Console {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_vigil"));
        cmd.arg("--no-cache");
        cmd.env_remove("VIGIL_CLIENT_SECRET");
        cmd.env(SECRET_ENV, &sim.secret);
        Console {
            pty: Pty::spawn(cmd, home),
        }
    }

    fn text(&self) -> String {
        self.pty.text()
    }

    fn send(&mut self, keys: &str) {
        self.pty.send(keys);
    }

    fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        self.pty.wait_until(what, |p| done(&p.text()));
        self.pty.text()
    }

    /// Waits for the queue of the configured profile to be loaded; returns the screen.
    fn wait_for_queue(&self, sim: &Sim) -> String {
        let tenant = format!("tenant {}", sim.tenant);
        self.wait_until("the queue loaded from the simulator", |t| {
            t.contains(" shown ·") && t.contains("refreshed") && t.contains(&tenant)
        })
    }
}

/// Incident ids of the queue rows on screen, top to bottom.
fn row_ids(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip(2)
        .filter_map(|l| {
            let id = l.trim_start_matches(['◆', ' ']).split_whitespace().next()?;
            (id.len() >= 4 && id.chars().all(|c| c.is_ascii_digit())).then(|| id.to_string())
        })
        .collect()
}

#[test]
fn configured_profile_loads_the_queue_and_polls_in_a_colleagues_change() {
    let sim = Sim::start();
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &sim);
    let console = Console::spawn(home.path(), &sim);
    let screen = console.wait_for_queue(&sim);
    let ids = row_ids(&screen);
    assert!(ids.len() >= 5, "the queue shows incidents: {screen}");
    // A colleague assigns an incident shown low in the queue to themselves, in their portal.
    let theirs = ids[ids.len() - 1].clone();
    let colleague = "zed@contoso.com";
    assert!(!screen.contains(colleague));
    sim.graph(
        reqwest::Method::PATCH,
        &format!("/v1.0/security/incidents/{theirs}"),
        Some(json!({ "assignedTo": colleague })),
    );
    // No key is pressed: the next poll (every 5 s here) brings the change to the screen.
    console.wait_until("the colleague's change after a poll", |t| {
        t.lines()
            .any(|l| l.contains(&format!(" {theirs} ")) && l.contains(colleague))
    });
}

#[test]
fn a_comment_and_an_inquiry_sent_through_the_ui_arrive_in_the_simulator() {
    let sim = Sim::start();
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &sim);
    let mut console = Console::spawn(home.path(), &sim);
    let screen = console.wait_for_queue(&sim);
    // The selection starts on the first row.
    let id = row_ids(&screen)
        .first()
        .cloned()
        .expect("a row in the queue");

    // A comment from the queue (`m`, type, ctrl-s).
    let note = "Checked with the PTY profile test, note 4711";
    console.send("m");
    console.wait_until("the comment editor", |t| {
        t.contains(&format!("Comment on incident {id}"))
    });
    console.send(note);
    console.wait_until("the typed comment", |t| t.contains(note));
    console.send("\x13");
    sim.wait_for_comment(&id, note);

    // An inquiry through the one configured channel: an incident comment.
    let question = "Is the PTY profile question 9090 related to the phishing wave";
    console.send("e");
    let pane = console.wait_until("the Ask Defender Experts pane", |t| {
        t.contains("Ask Defender Experts") && t.contains("Channels:")
    });
    let channels = pane
        .lines()
        .find(|l| l.contains("Channels:"))
        .unwrap_or_default();
    assert!(channels.contains("incident comment"), "{pane}");
    assert!(
        !channels.contains("email") && !channels.contains("portal"),
        "only the configured channel: {channels}"
    );
    console.send(question);
    console.wait_until("the typed question", |t| t.contains("9090"));
    console.send("\x13");
    // Sending may ask first (naming the channels); answer yes.
    let start = Instant::now();
    loop {
        let t = console.text();
        if t.contains("comment delivered") {
            break;
        }
        if t.contains("y/n") {
            console.send("y");
        }
        assert!(
            start.elapsed() < LONG,
            "the inquiry was not delivered:\n{t}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let posted = sim.wait_for_comment(&id, "9090");
    assert!(posted.contains(question), "{posted}");
}
