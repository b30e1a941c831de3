//! The `vigil` binary's entry points: no configuration, help, secrets refused on the command
//! line, a broken config file, and `vigil export` of 10,000 incidents from the simulated tenant
//! with exactly the requests the page size needs.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn vigil(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"));
    c
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn without_configuration_it_explains_demo_and_exits_non_zero() {
    let home = tempfile::tempdir().unwrap();
    let out = vigil(home.path()).output().unwrap();
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains("--demo"), "stderr: {err}");
    assert!(
        err.contains("config.toml"),
        "stderr names the config file: {err}"
    );
}

#[test]
fn help_lists_every_entry_point() {
    let home = tempfile::tempdir().unwrap();
    let out = vigil(home.path()).arg("--help").output().unwrap();
    let (o, _) = text(&out);
    assert!(out.status.success());
    for needle in [
        "--demo",
        "--profile",
        "--read-only",
        "login",
        "sim",
        "export",
        "themes",
        "completions",
    ] {
        assert!(o.contains(needle), "--help lacks {needle}:\n{o}");
    }
}

#[test]
fn secrets_are_not_accepted_as_arguments() {
    let home = tempfile::tempdir().unwrap();
    for flag in ["--client-secret", "--secret", "--token", "--password"] {
        let out = vigil(home.path()).args([flag, "hunter2"]).output().unwrap();
        assert!(!out.status.success(), "{flag} must be refused");
        let (_, err) = text(&out);
        assert!(err.contains("unexpected argument"), "{flag}: {err}");
    }
}

#[test]
fn a_broken_config_file_names_file_line_and_key() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/vigil");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "[profiles.contoso]\ntenant_id = \"t\"\nclient_id = \"c\"\nauth = \"secret\"\n",
    )
    .unwrap();
    let out = vigil(home.path()).output().unwrap();
    let (_, err) = text(&out);
    assert!(!out.status.success());
    assert!(err.contains("config.toml:4"), "file and line: {err}");
    assert!(err.contains("profiles.contoso.auth"), "key: {err}");
}

/// A simulated tenant on 127.0.0.1 (a random port), with the runtime that serves it.
fn start_sim(incidents: usize, faults: &str) -> (tokio::runtime::Runtime, vigil::sim::SimHandle) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(vigil::sim::start(
            vigil::sim::SimConfig {
                incidents,
                live: false,
                max_page: 100,
                faults: vigil::sim::FaultSpec::parse(faults).unwrap(),
                ..Default::default()
            },
            ([127, 0, 0, 1], 0).into(),
        ))
        .unwrap();
    (rt, sim)
}

/// A home whose configuration has a profile `sim` signing in to `sim` with the secret in
/// `VIGIL_TEST_SECRET`.
fn home_for(sim: &vigil::sim::SimHandle) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/vigil");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[sync]\npage_size = 100\nbudget_per_minute = 10000\n\n[profiles.sim]\n\
             tenant_id = \"{}\"\nclient_id = \"{}\"\nauth = \"client-secret\"\n\
             client_secret_env = \"VIGIL_TEST_SECRET\"\ngraph_url = \"{}\"\nlogin_url = \"{}\"\n",
            vigil::sim::DEMO_TENANT_ID,
            vigil::sim::DEMO_CLIENT_ID,
            sim.base_url(),
            sim.base_url()
        ),
    )
    .unwrap();
    home
}

#[test]
fn export_of_ten_thousand_incidents_uses_exactly_the_pages_needed() {
    let (rt, sim) = start_sim(10_000, "");
    let home = home_for(&sim);
    let out = vigil(home.path())
        .env("VIGIL_TEST_SECRET", vigil::sim::DEMO_CLIENT_SECRET)
        .args(["export", "--since", "3650d"])
        .output()
        .unwrap();
    let (o, err) = text(&out);
    assert!(out.status.success(), "export failed: {err}");
    let lines: Vec<&str> = o.lines().collect();
    assert_eq!(lines.len(), 10_000, "stderr: {err}");
    let mut ids = std::collections::HashSet::new();
    let mut alerts = 0;
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(ids.insert(v["id"].as_str().unwrap().to_string()));
        alerts += v["alerts"].as_array().expect("alerts embedded").len();
    }
    assert!(alerts >= 10_000, "every incident has alerts ({alerts})");
    let stats = sim.stats();
    assert_eq!(
        stats.by_route.get("GET /v1.0/security/incidents"),
        Some(&100),
        "10,000 incidents at 100 a page need 100 requests: {stats:?}"
    );
    assert_eq!(stats.requests, 100 + stats.token_requests, "{stats:?}");
    rt.block_on(sim.shutdown());
}

#[test]
fn a_device_code_profile_without_sign_in_says_to_run_login() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/vigil");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "[profiles.oncall]\ntenant_id = \"contoso.onmicrosoft.com\"\nclient_id = \"c\"\n\
         auth = \"device-code\"\ngraph_url = \"http://127.0.0.1:9\"\nlogin_url = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    let out = vigil(home.path()).output().unwrap();
    let (_, err) = text(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("vigil login --profile oncall"),
        "stderr: {err}"
    );
}

#[test]
fn login_runs_the_device_code_flow_and_caches_the_token_privately() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(vigil::sim::start(
            vigil::sim::SimConfig {
                incidents: 3,
                live: false,
                auto_approve_device_code: true,
                ..Default::default()
            },
            ([127, 0, 0, 1], 0).into(),
        ))
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/vigil");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.oncall]\ntenant_id = \"{}\"\nclient_id = \"{}\"\nauth = \"device-code\"\n\
             graph_url = \"{}\"\nlogin_url = \"{}\"\n",
            vigil::sim::DEMO_TENANT_ID,
            vigil::sim::DEMO_CLIENT_ID,
            sim.base_url(),
            sim.base_url()
        ),
    )
    .unwrap();
    let out = vigil(home.path()).arg("login").output().unwrap();
    let (_, err) = text(&out);
    assert!(out.status.success(), "login failed: {err}");
    assert!(
        err.contains("enter the code"),
        "the code and URL are shown: {err}"
    );
    assert!(
        err.contains(&sim.base_url()),
        "verification URL shown: {err}"
    );
    // The refresh token is cached with mode 0600 in the profile's state directory.
    let mut caches = Vec::new();
    for e in walk(&home.path().join("state")) {
        if e.file_name().and_then(|n| n.to_str()) == Some("tokens.json") {
            caches.push(e);
        }
    }
    assert_eq!(caches.len(), 1, "one token cache");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&caches[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let cached = std::fs::read_to_string(&caches[0]).unwrap();
    assert!(cached.contains("refresh"), "a refresh token is cached");
    rt.block_on(sim.shutdown());
}

fn walk(p: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let path = e.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn export_refuses_a_since_it_cannot_read_with_exit_2() {
    let home = tempfile::tempdir().unwrap();
    for bad in ["2026-12-06T03", "yesterday", "2026-12-06T03:00-0800"] {
        let out = vigil(home.path())
            .args(["--demo", "export", "--since", bad])
            .output()
            .unwrap();
        let (o, err) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(o.is_empty(), "{bad}: nothing exported: {o}");
        assert!(
            err.contains("--since") && err.contains("7d") && err.contains("no offset means UTC"),
            "{bad}: the error names the accepted forms: {err}"
        );
    }
}

#[test]
fn export_help_says_a_time_without_offset_is_utc() {
    let home = tempfile::tempdir().unwrap();
    let out = vigil(home.path())
        .args(["export", "--help"])
        .output()
        .unwrap();
    let (o, _) = text(&out);
    assert!(out.status.success());
    assert!(o.contains("without an offset is UTC"), "{o}");
}

#[test]
fn export_warns_when_since_is_in_the_future() {
    let home = tempfile::tempdir().unwrap();
    let out = vigil(home.path())
        .args([
            "--demo",
            "export",
            "--no-alerts",
            "--since",
            "2099-01-01T00:00+01:00",
        ])
        .output()
        .unwrap();
    let (o, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(o.is_empty(), "nothing changed after 2099: {o}");
    assert!(
        err.contains("2098-12-31T23:00:00Z is in the future"),
        "warns with the instant it read: {err}"
    );
}

/// `vigil --profile sim export ARGS` against `sim`, with the secret it accepts.
fn export(home: &Path, args: &[&str]) -> Output {
    vigil(home)
        .env("VIGIL_TEST_SECRET", vigil::sim::DEMO_CLIENT_SECRET)
        .arg("export")
        .args(args)
        .output()
        .unwrap()
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn export_writes_unreadable_records_as_received_and_exits_zero() {
    // One unreadable record in each page of 100.
    let (_rt, sim) = start_sim(200, "bad-record=1");
    let home = home_for(&sim);
    let out = export(home.path(), &["--since", "3650d"]);
    let (o, err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "stderr: {err}");
    let lines: Vec<serde_json::Value> = o
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 200, "every record is exported; stderr: {err}");
    assert!(sim.stats().faults_injected >= 2, "{:?}", sim.stats());
    // Faithful: alerts keep their @odata.type, timestamps keep the precision Graph sent.
    let alerts: Vec<&serde_json::Value> = lines
        .iter()
        .flat_map(|l| l["alerts"].as_array().into_iter().flatten())
        .collect();
    assert!(!alerts.is_empty());
    assert!(
        alerts
            .iter()
            .all(|a| a["@odata.type"] == "#microsoft.graph.security.alert")
    );
    let short = lines
        .iter()
        .filter_map(|l| l["createdDateTime"].as_str())
        .filter(|t| t.len() < "2026-01-01T00:00:00.0000000Z".len())
        .count();
    assert!(
        short > 0,
        "some timestamps have fewer than 7 fraction digits"
    );
}

#[test]
fn export_to_a_file_replaces_it_whole_and_private() {
    let (_rt, sim) = start_sim(120, "");
    let home = home_for(&sim);
    let dir = home.path().join("out");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("incidents.ndjson");
    std::fs::write(&file, "previous\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = export(home.path(), &["--no-alerts", "-o", file.to_str().unwrap()]);
    let (o, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(o.is_empty(), "nothing on stdout: {o}");
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 120);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "created 0600");
    assert_eq!(
        file_names(&dir),
        vec!["incidents.ndjson"],
        "no temporary left"
    );
}

#[test]
fn a_failed_export_leaves_the_previous_file_untouched() {
    let (_rt, sim) = start_sim(120, "");
    let home = home_for(&sim);
    let dir = home.path().join("out");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("incidents.ndjson");
    std::fs::write(&file, "{\"id\":\"good\"}\n").unwrap();
    let out = vigil(home.path())
        .env("VIGIL_TEST_SECRET", "not-the-secret")
        .args(["export", "-o", file.to_str().unwrap()])
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("left unchanged"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"id\":\"good\"}\n"
    );
    assert_eq!(
        file_names(&dir),
        vec!["incidents.ndjson"],
        "no temporary left"
    );
}

/// A home with `config/vigil/config.toml` holding `text`.
fn home_with_config(text: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/vigil");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
    home
}

#[test]
fn not_configured_guide_has_real_line_breaks_for_export_and_login() {
    let home = tempfile::tempdir().unwrap();
    for cmd in ["export", "login"] {
        let out = vigil(home.path())
            .arg(cmd)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let (_, err) = text(&out);
        assert!(!out.status.success(), "{cmd}: {err}");
        assert!(err.contains("not configured yet"), "{cmd}: {err}");
        assert!(!err.contains("\\n"), "{cmd} prints a literal \\n: {err}");
        assert!(
            err.lines().any(|l| l.trim() == "[profiles.contoso]"),
            "{cmd}: the example is on its own lines: {err}"
        );
    }
}

#[test]
fn keymap_mistakes_stop_the_console_before_it_starts() {
    let home = home_with_config("[ui.keymap]\nrefresh = \"r\"\nquitt = \"Q\"\n");
    let out = vigil(home.path())
        .arg("--demo")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains("config.toml:3"), "file and line: {err}");
    assert!(err.contains("ui.keymap.quitt"), "key: {err}");
}

#[test]
fn unknown_or_broken_themes_stop_the_console_before_it_starts() {
    let home = tempfile::tempdir().unwrap();
    let out = vigil(home.path())
        .args(["--demo", "--theme", "nosuch"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains("unknown theme \"nosuch\""), "{err}");

    let themes = home.path().join("config/vigil/themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::fs::write(
        themes.join("broken.toml"),
        "inherits = \"dark\"\n\nsev_high = { fg = \"redd\" }\n",
    )
    .unwrap();
    let out = vigil(home.path())
        .args(["--demo", "--theme", "broken"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        err.contains("broken.toml:3") && err.contains("sev_high.fg"),
        "file, line and key: {err}"
    );
}

#[test]
fn a_missing_config_file_named_on_the_command_line_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nowhere/vigil.toml");
    let out = vigil(home.path())
        .arg("--config")
        .arg(&missing)
        .arg("--demo")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");
}

/// `VAR=value` from the help text's simulator example.
fn help_env(help: &str, var: &str) -> String {
    let key = format!("{var}=");
    help.split_whitespace()
        .find_map(|w| w.strip_prefix(&key))
        .unwrap_or_else(|| panic!("--help example lacks {var}:\n{help}"))
        .to_string()
}

#[test]
fn the_help_simulator_example_works_as_printed() {
    let home = tempfile::tempdir().unwrap();
    let help = text(&vigil(home.path()).arg("--help").output().unwrap()).0;
    let printed_url = help_env(&help, "VIGIL_GRAPH_URL");
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The simulator as `vigil sim` starts it (its defaults), on a free port instead of 8787.
    let sim = rt
        .block_on(vigil::sim::start(
            vigil::sim::SimConfig {
                live: false,
                ..Default::default()
            },
            ([127, 0, 0, 1], 0).into(),
        ))
        .unwrap();
    let base = sim.base_url().to_string();
    let base = base.trim_end_matches('/');
    assert_eq!(printed_url, "http://127.0.0.1:8787", "{help}");
    let out = vigil(home.path())
        .env("VIGIL_GRAPH_URL", base)
        .env("VIGIL_LOGIN_URL", base)
        .env("VIGIL_TENANT_ID", help_env(&help, "VIGIL_TENANT_ID"))
        .env("VIGIL_CLIENT_ID", help_env(&help, "VIGIL_CLIENT_ID"))
        .env(
            "VIGIL_CLIENT_SECRET",
            help_env(&help, "VIGIL_CLIENT_SECRET"),
        )
        .args(["export", "--since", "7d", "--severity", "high"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let (o, err) = text(&out);
    assert!(out.status.success(), "the printed example fails: {err}");
    assert!(o.lines().count() > 0, "no incidents exported: {err}");
    rt.block_on(sim.shutdown());
}

#[test]
fn sim_help_shows_no_console_flags() {
    let home = tempfile::tempdir().unwrap();
    let out = vigil(home.path()).args(["sim", "--help"]).output().unwrap();
    let (o, _) = text(&out);
    assert!(out.status.success());
    for flag in ["--demo", "--theme", "--bell", "--read-only", "--color"] {
        assert!(!o.contains(flag), "sim --help lists {flag}:\n{o}");
    }
}
