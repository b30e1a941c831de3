//! Every incident synced before a SIGKILL is shown again, proven on the real binary: `vigil`
//! runs in a pseudo-terminal on a configured profile against the in-process simulated tenant
//! (small pages, so the initial load takes many of them, and polls every 5 s), and is
//! killed with SIGKILL at a random moment. The database is then read: every incident it holds
//! was synced before the kill. vigil is started again with the network down (the profile
//! points at a closed port) and must show exactly that many incidents, before any request.
//!
//! `KILL_DB_SEED` and `KILL_DB_ROUNDS` reproduce or lengthen a run (the seed is printed).

mod support;

use portable_pty::CommandBuilder;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::pty::Pty;
use vigil::sim::{self, SimConfig};

const SECRET_VAR: &str = "VIGIL_KILL_DB_TEST_SECRET";
const WAIT: Duration = Duration::from_secs(30);

/// Points the profile at `graph` (the simulator, or a closed port for "network down").
fn write_config(home: &Path, graph: &str) {
    let dir = home.join("xdg_config_home/vigil");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            r#"default_profile = "kill"

[sync]
poll_interval_secs = 5
window_days = 3650
page_size = 10

[user]
aliases = ["analyst@contoso.com"]

[profiles.kill]
tenant_id = "{tenant}"
client_id = "{client}"
auth = "client-secret"
client_secret_env = "{SECRET_VAR}"
graph_url = "{graph}"
login_url = "{graph}"
"#,
            tenant = sim::DEMO_TENANT_ID,
            client = sim::DEMO_CLIENT_ID,
        ),
    )
    .unwrap();
}

fn spawn(home: &Path) -> Pty {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_vigil"));
    cmd.args(["--profile", "kill"]);
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
    Pty::spawn(cmd, home)
}

fn kill9(pty: &mut Pty) {
    pty.signal("-KILL");
    pty.wait_exit();
}

/// The profile's state directory (the one holding `vigil.db`).
fn state_dir(home: &Path) -> Option<PathBuf> {
    let mut stack = vec![home.join("xdg_state_home")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if e.file_name() == vigil::db::FILE_NAME {
                return Some(dir);
            }
        }
    }
    None
}

/// The ids the database holds after the kill (opening it recovers the WAL, as vigil does).
fn stored_ids(home: &Path) -> Vec<String> {
    let Some(dir) = state_dir(home) else {
        return Vec::new();
    };
    let opened = vigil::db::Db::open(&dir).unwrap();
    assert!(
        opened.warning.is_none(),
        "database damaged by a kill: {:?}",
        opened.warning
    );
    let mut ids: Vec<String> = vigil::db::incidents::load_incidents(&opened.db)
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn sigkill_during_load_and_polls_loses_no_synced_incident() {
    let seed: u64 = std::env::var("KILL_DB_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    let rounds: usize = std::env::var("KILL_DB_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    eprintln!("kill_db: KILL_DB_SEED={seed} KILL_DB_ROUNDS={rounds}");
    let mut rng = StdRng::seed_from_u64(seed);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(sim::start(
            SimConfig {
                incidents: 400,
                live: true,
                ..SimConfig::default()
            },
            ([127, 0, 0, 1], 0).into(),
        ))
        .unwrap();
    let online = format!("http://{}", sim.addr);
    // Nothing listens on port 9 of loopback (discard): every request is refused at once.
    let offline = "http://127.0.0.1:9";
    let home = tempfile::tempdir().unwrap();

    let mut seen_before = 0;
    for round in 0..rounds {
        write_config(home.path(), &online);
        let mut c = spawn(home.path());
        // Anywhere from before the first page to well into the polls.
        let wait = Duration::from_millis(rng.random_range(200..6000));
        std::thread::sleep(wait);
        if std::env::var_os("KILL_DB_DEBUG").is_some() {
            eprintln!("kill_db: screen before the kill:\n{}", c.text());
        }
        kill9(&mut c);
        let ids = stored_ids(home.path());
        eprintln!(
            "kill_db: round {round}: killed after {wait:?}; {} stored",
            ids.len()
        );
        assert!(
            ids.len() >= seen_before,
            "stored incidents were lost by a kill"
        );
        seen_before = ids.len();

        write_config(home.path(), offline);
        let mut c = spawn(home.path());
        if !ids.is_empty() {
            // Show everything (the `all` view), and count.
            let want = format!("{} shown", ids.len());
            c.wait_until("the queue", |p| {
                p.text()
                    .lines()
                    .last()
                    .is_some_and(|l| l.contains("space select"))
            });
            c.send(":view all\r");
            let screen = c.screen_within(WAIT, |t| t.contains(&want));
            assert!(
                screen.is_some(),
                "round {round}: {} incidents in the database, offline restart shows:\n{}",
                ids.len(),
                c.text()
            );
            // And one of them by id.
            let id = &ids[rng.random_range(0..ids.len())];
            c.send(format!("/\x15id:{id}\r"));
            let one = c.screen_within(WAIT, |t| t.contains("1 shown") && t.contains(id.as_str()));
            assert!(
                one.is_some(),
                "round {round}: incident {id} not shown:\n{}",
                c.text()
            );
        }
        kill9(&mut c);
    }
    assert!(seen_before > 0, "no round got as far as a stored page");
    rt.block_on(sim.shutdown());
}
