//! Configuration, paths, CLI and logging: integration tests. The environment is always a fake
//! map passed explicitly; the process environment is never read or changed.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use clap::Parser;
use secrecy::ExposeSecret;
use vigil::cli::{Cli, Command, LogLevel, Since};
use vigil::config::{
    self, AuthKind, Cloud, ColorMode, ConfigError, DateFormat, ExpertsChannel, SecretSource,
    StringOrVec,
};
use vigil::paths::{self, Paths};

const EXAMPLE: &str = include_str!("../examples/config.toml");

struct FakeEnv(HashMap<String, String>);

impl FakeEnv {
    fn new(pairs: &[(&str, &str)]) -> Self {
        Self(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
    fn get(&self, k: &str) -> Option<String> {
        self.0.get(k).cloned()
    }
}

/// A temp HOME with paths resolved from it (no XDG variables).
fn temp_home() -> (tempfile::TempDir, FakeEnv, Paths) {
    let dir = tempfile::tempdir().unwrap();
    let env = FakeEnv::new(&[("HOME", dir.path().to_str().unwrap())]);
    let paths = paths::resolve(&|k| env.get(k), None).unwrap();
    (dir, env, paths)
}

fn write_config(paths: &Paths, text: &str) {
    fs::create_dir_all(&paths.config_dir).unwrap();
    fs::write(&paths.config_file, text).unwrap();
}

fn parse_err(text: &str) -> ConfigError {
    config::parse(text, Path::new("/home/a/.config/vigil/config.toml")).unwrap_err()
}

// ---------------------------------------------------------------- config file

#[test]
fn sentinel_workspace_is_optional_and_complete_when_given() {
    let p = |t: &str| config::parse(t, Path::new("c.toml"));
    assert_eq!(p("").unwrap().sentinel, None);
    let cfg =
        p("[sentinel]\nsubscription_id = \"s\"\nresource_group = \"rg\"\nworkspace = \"law\"\n")
            .unwrap();
    let sn = cfg.sentinel.unwrap();
    assert_eq!(
        (
            sn.subscription_id.as_str(),
            sn.resource_group.as_str(),
            sn.workspace.as_str()
        ),
        ("s", "rg", "law")
    );
    assert!(p("[sentinel]\nworkspace = \"law\"\n").is_err());
}

#[test]
fn experts_allowance_is_monthly_by_default_and_quarterly_on_request() {
    let p = |t: &str| config::parse(t, Path::new("c.toml")).unwrap().experts;
    assert_eq!(
        p("").effective_allowance(),
        (10, config::AllowancePeriod::Month)
    );
    assert_eq!(
        p("[experts]\nallowance = 4\n").effective_allowance(),
        (4, config::AllowancePeriod::Month)
    );
    assert_eq!(
        p("[experts]\nallowance = 30\nallowance_period = \"quarter\"\n").effective_allowance(),
        (30, config::AllowancePeriod::Quarter)
    );
    // The older spelling still means "per quarter".
    assert_eq!(
        p("[experts]\nquarterly_allowance = 12\n").effective_allowance(),
        (12, config::AllowancePeriod::Quarter)
    );
    assert!(
        parse_err("[experts]\nallowance_period = \"week\"\n")
            .to_string()
            .contains("allowance_period")
    );
    assert!(
        parse_err("[experts]\nallowance = 0\n")
            .to_string()
            .contains("allowance")
    );
}

#[test]
fn full_example_parses() {
    let cfg = config::parse(EXAMPLE, Path::new("examples/config.toml")).unwrap();
    assert_eq!(cfg.default_profile.as_deref(), Some("contoso"));
    assert_eq!(cfg.ui.color, ColorMode::Auto);
    assert_eq!(cfg.ui.date_format, DateFormat::Relative);
    assert_eq!(
        cfg.ui.keymap.get("refresh"),
        Some(&StringOrVec::Many(vec!["r".into(), "ctrl-r".into()]))
    );
    assert_eq!(cfg.sync.default_statuses, vec!["active", "inProgress"]);
    assert!(cfg.user.is_me("ME@contoso.com"));
    assert_eq!(cfg.views["mine"].query, "sev:high status:active owner:me");
    assert_eq!(cfg.experts.channels.len(), 3);
    assert!(cfg.experts.channels.contains(&ExpertsChannel::Email));
    assert_eq!(cfg.experts.mailbox.as_deref(), Some("me"));
    assert_eq!(cfg.profiles.len(), 4);
    let gov = &cfg.profiles["fabrikam-gov"];
    assert_eq!(gov.cloud, Some(Cloud::UsGov));
    assert_eq!(gov.auth, Some(AuthKind::Certificate));
    assert!(gov.read_only);
    assert_eq!(cfg.effective_sync(Some("contoso")).poll_interval_secs, 30);
    assert_eq!(cfg.effective_sync(Some("oncall")).poll_interval_secs, 60);
}

#[test]
fn every_example_profile_resolves() {
    let (_dir, env, paths) = temp_home();
    write_config(&paths, EXAMPLE);
    let cfg = config::load(&paths, &|k| env.get(k)).unwrap().unwrap();
    for name in cfg.profiles.keys() {
        let p = config::resolve_profile(Some(&cfg), Some(name), &|k| env.get(k)).unwrap();
        assert_eq!(&p.name, name);
    }
    // Tilde paths were expanded against HOME at load time.
    let (cert, key) = config::resolve_profile(Some(&cfg), Some("fabrikam-gov"), &|k| env.get(k))
        .unwrap()
        .cert
        .unwrap();
    assert!(cert.starts_with(_dir.path()), "{}", cert.display());
    assert!(key.ends_with("fabrikam.key.pem"));
}

#[test]
fn missing_file_is_none() {
    let (_dir, env, paths) = temp_home();
    assert!(config::load(&paths, &|k| env.get(k)).unwrap().is_none());
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let (_dir, env, paths) = temp_home();
    write_config(
        &paths,
        "default_profile = \"c\"\n\n[ui]\ntheme = \"default\"\ncolour = \"256\"\n",
    );
    let err = config::load(&paths, &|k| env.get(k)).unwrap_err();
    let msg = err.to_string();
    let file = paths.config_file.display().to_string();
    assert!(msg.starts_with(&format!("{file}:5:")), "{msg}");
    assert!(msg.contains(": ui.colour: "), "{msg}");
    assert!(msg.contains("unknown field"), "{msg}");
}

#[test]
fn unknown_key_in_profile_is_caught() {
    let err = parse_err("[profiles.contoso]\ntenant_id = \"t\"\nclient_secret = \"oops\"\n");
    let msg = err.to_string();
    assert!(
        msg.contains(":3:") && msg.contains(": profiles.contoso.client_secret: "),
        "{msg}"
    );
    // The value of the mistaken secret key is not echoed.
    assert!(!msg.contains("oops"), "{msg}");
}

#[test]
fn bad_enum_value_names_file_line_and_key() {
    let text = "# comment\n[profiles.contoso]\ntenant_id = \"t\"\nclient_id = \"c\"\n\nauth = \"secret\"\n";
    let err = parse_err(text);
    let ConfigError::Parse {
        path,
        location,
        key,
        message,
    } = &err
    else {
        panic!("expected a parse error, got {err:?}");
    };
    assert_eq!(path, &PathBuf::from("/home/a/.config/vigil/config.toml"));
    assert_eq!(location.map(|l| l.0), Some(6));
    assert_eq!(key, "profiles.contoso.auth");
    assert!(
        message.contains("secret") && message.contains("device-code"),
        "{message}"
    );
    let shown = err.to_string();
    assert!(
        shown.starts_with("/home/a/.config/vigil/config.toml:6:"),
        "{shown}"
    );
    assert!(shown.contains("profiles.contoso.auth: "), "{shown}");
}

#[test]
fn syntax_error_has_line() {
    let err = parse_err("[ui]\ntheme = \"default\"\nbell = tru\n");
    let ConfigError::Parse { location, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(location.map(|l| l.0), Some(3), "{err}");
}

#[test]
fn out_of_range_and_bad_list_values_are_located() {
    let err = parse_err("[sync]\n\npage_size = 0\n");
    let s = err.to_string();
    assert!(s.contains(":3:") && s.contains("sync.page_size"), "{s}");

    let err = parse_err("[sync]\ndefault_statuses = [\"active\", \"closed\"]\n");
    let s = err.to_string();
    assert!(
        s.contains(":2:") && s.contains("sync.default_statuses") && s.contains("closed"),
        "{s}"
    );
}

#[test]
fn the_request_timeout_is_read_and_bounded() {
    let cfg = config::parse("[sync]\nrequest_timeout_secs = 2\n", Path::new("c.toml")).unwrap();
    assert_eq!(cfg.sync.request_timeout_secs, 2);
    let cfg = config::parse("", Path::new("c.toml")).unwrap();
    assert_eq!(cfg.sync.request_timeout_secs, 30);
    let err = parse_err("[sync]\nrequest_timeout_secs = 0\n");
    let s = err.to_string();
    assert!(
        s.contains(":2:") && s.contains("sync.request_timeout_secs"),
        "{s}"
    );
}

#[test]
fn keymap_values_are_strings_or_lists() {
    let cfg = config::parse(
        "[ui]\nkeymap = { quit = \"q\", move_up = [\"k\", \"up\"] }\n",
        Path::new("c.toml"),
    )
    .unwrap();
    assert_eq!(cfg.ui.keymap["quit"].to_vec(), vec!["q"]);
    assert_eq!(cfg.ui.keymap["move_up"].to_vec(), vec!["k", "up"]);
    let err = parse_err("[ui]\nkeymap = { quit = 3 }\n");
    let s = err.to_string();
    assert!(
        s.contains(":2:") && s.contains("ui.keymap.quit") && s.contains("a string or a list"),
        "{s}"
    );
}

#[test]
fn unknown_keymap_actions_and_unparseable_keys_name_file_line_and_key() {
    for (text, line, key, needle) in [
        (
            "[ui.keymap]\nrefresh = \"r\"\nquitt = \"Q\"\n",
            3,
            "ui.keymap.quitt",
            "quitt",
        ),
        (
            "[ui]\nbell = true\nkeymap = { quit = \"ctrl-alt-shift-zz\" }\n",
            3,
            "ui.keymap.quit",
            "ctrl-alt-shift-zz",
        ),
        (
            "[ui.keymap]\n\"nowhere.quit\" = \"Q\"\n",
            2,
            "ui.keymap.nowhere.quit",
            "nowhere",
        ),
    ] {
        let err = parse_err(text);
        let ConfigError::Parse {
            location,
            key: k,
            message,
            ..
        } = &err
        else {
            panic!("expected a located error for {text:?}, got {err:?}");
        };
        assert_eq!(location.map(|l| l.0), Some(line), "{err}");
        assert_eq!(k, key, "{err}");
        assert!(message.contains(needle), "{err}");
        assert!(err.to_string().contains("config.toml:"), "{err}");
    }
}

#[test]
fn saved_views_with_invalid_or_empty_queries_name_file_line_and_key() {
    for (text, line) in [
        (
            "[views.mine]\nquery = \"owner:me\"\n\n[views.bad]\nquery = \"sev:hig\"\n",
            5,
        ),
        ("[views.late]\n\nquery = \"age:<24x\"\n", 3),
        ("[views.empty]\nquery = \"  \"\n", 2),
    ] {
        let err = parse_err(text);
        let ConfigError::Parse { location, key, .. } = &err else {
            panic!("expected a located error for {text:?}, got {err:?}");
        };
        assert_eq!(location.map(|l| l.0), Some(line), "{err}");
        assert!(
            key.starts_with("views.") && key.ends_with(".query"),
            "{err}"
        );
    }
    let ok = config::parse(
        "[views.mine]\nquery = \"sev:high owner:me -tag:noise\"\n",
        Path::new("c.toml"),
    );
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn statuses_are_canonicalised() {
    let cfg = config::parse(
        "[sync]\ndefault_statuses = [\"INPROGRESS\", \"awaitingaction\"]\n",
        Path::new("c.toml"),
    )
    .unwrap();
    assert_eq!(
        cfg.sync.default_statuses,
        vec!["inProgress", "awaitingAction"]
    );
}

#[test]
fn secret_pasted_into_env_name_is_rejected_without_echo() {
    let err = parse_err("[profiles.a]\nclient_secret_env = \"Xy7~q.Ab-cD\"\n");
    let s = err.to_string();
    assert!(s.contains("profiles.a.client_secret_env"), "{s}");
    assert!(!s.contains("Xy7~q"), "{s}");
}

#[test]
fn email_channel_requires_address() {
    let err = parse_err("[experts]\nchannels = [\"email\"]\n");
    assert!(err.to_string().contains("experts.email_to"), "{err}");
}

// ---------------------------------------------------------------- profiles & clouds

fn profile_from(text: &str, env: &FakeEnv) -> Result<config::ResolvedProfile, ConfigError> {
    let cfg = config::parse(text, Path::new("/c/config.toml"))?;
    config::resolve_profile(Some(&cfg), None, &|k| env.get(k))
}

#[test]
fn each_cloud_has_its_hosts() {
    let env = FakeEnv::new(&[]);
    let cases = [
        (
            "global",
            Cloud::Global,
            "https://graph.microsoft.com/",
            "https://login.microsoftonline.com/",
            "https://security.microsoft.com",
        ),
        (
            "usgov",
            Cloud::UsGov,
            "https://graph.microsoft.us/",
            "https://login.microsoftonline.us/",
            "https://security.microsoft.us",
        ),
        (
            "usgov-dod",
            Cloud::UsGovDod,
            "https://dod-graph.microsoft.us/",
            "https://login.microsoftonline.us/",
            "https://security.apps.mil",
        ),
    ];
    for (name, cloud, graph, login, portal) in cases {
        let text = format!(
            "[profiles.x]\ntenant_id = \"t\"\nclient_id = \"c\"\nauth = \"client-secret\"\n\
             client_secret_env = \"S\"\ncloud = \"{name}\"\n"
        );
        let p = profile_from(&text, &env).unwrap();
        assert_eq!(p.cloud, cloud);
        assert_eq!(p.graph_url.as_str(), graph);
        assert_eq!(p.login_url.as_str(), login);
        assert_eq!(config::portal_base(p.cloud), portal);
        assert_eq!(p.scope, format!("{}.default", graph));
    }
}

#[test]
fn device_code_scope_adds_offline_access() {
    let env = FakeEnv::new(&[]);
    let p = profile_from(
        "[profiles.x]\ntenant_id = \"t\"\nclient_id = \"c\"\nauth = \"device-code\"\ncloud = \"usgov-dod\"\n",
        &env,
    )
    .unwrap();
    assert_eq!(
        p.scope,
        "https://dod-graph.microsoft.us/.default offline_access"
    );
}

#[test]
fn auth_kind_is_inferred() {
    let env = FakeEnv::new(&[]);
    let base = "[profiles.x]\ntenant_id = \"t\"\nclient_id = \"c\"\n";
    let p = profile_from(&format!("{base}client_secret_file = \"/s\"\n"), &env).unwrap();
    assert_eq!(p.auth, AuthKind::ClientSecret);
    assert_eq!(p.secret_source, Some(SecretSource::File("/s".into())));
    let p = profile_from(
        &format!("{base}certificate_file = \"/c.pem\"\nprivate_key_file = \"/k.pem\"\n"),
        &env,
    )
    .unwrap();
    assert_eq!(p.auth, AuthKind::Certificate);
    let p = profile_from(base, &env).unwrap();
    assert_eq!(p.auth, AuthKind::DeviceCode);
}

#[test]
fn incomplete_profiles_are_explained() {
    let env = FakeEnv::new(&[]);
    let err = profile_from(
        "[profiles.x]\ntenant_id = \"t\"\nclient_id = \"c\"\nauth = \"client-secret\"\n",
        &env,
    )
    .unwrap_err();
    let s = err.to_string();
    assert!(
        s.contains("profiles.x.auth") && s.contains("VIGIL_CLIENT_SECRET"),
        "{s}"
    );
    let err = profile_from("[profiles.x]\nclient_id = \"c\"\n", &env).unwrap_err();
    assert!(err.to_string().contains("profiles.x.tenant_id"), "{err}");
    // A key without a certificate is incomplete; a certificate file alone may hold the key too.
    let err = profile_from(
        "[profiles.x]\ntenant_id = \"t\"\nclient_id = \"c\"\nprivate_key_file = \"/k\"\n",
        &env,
    )
    .unwrap_err();
    assert!(err.to_string().contains("certificate_file"), "{err}");
    let p = profile_from(
        "[profiles.x]\ntenant_id = \"t\"\nclient_id = \"c\"\ncertificate_file = \"/c\"\n",
        &env,
    )
    .unwrap();
    assert_eq!(p.cert, Some(("/c".into(), "/c".into())));
}

#[test]
fn env_overrides_win_over_file() {
    let env = FakeEnv::new(&[
        ("VIGIL_TENANT_ID", "env-tenant"),
        ("VIGIL_CLIENT_ID", "env-client"),
        ("VIGIL_GRAPH_URL", "http://127.0.0.1:9999"),
        ("VIGIL_LOGIN_URL", "http://localhost:9998/login"),
        ("VIGIL_CLIENT_SECRET", "from-env"),
    ]);
    let p = profile_from(
        "[profiles.x]\ntenant_id = \"file-tenant\"\nclient_id = \"file-client\"\n\
         client_secret_file = \"/s\"\ngraph_url = \"https://graph.example.com\"\n",
        &env,
    )
    .unwrap();
    assert_eq!(p.name, "x");
    assert_eq!(p.tenant_id, "env-tenant");
    assert_eq!(p.client_id, "env-client");
    assert_eq!(p.graph_url.as_str(), "http://127.0.0.1:9999/");
    assert_eq!(p.login_url.as_str(), "http://localhost:9998/login/");
    assert_eq!(
        p.secret_source,
        Some(SecretSource::Env("VIGIL_CLIENT_SECRET".into()))
    );
    assert_eq!(
        p.scope, "https://graph.microsoft.com/.default",
        "VIGIL_GRAPH_URL does not change the resource the token is for"
    );
}

#[test]
fn scope_follows_the_cloud_not_graph_url_and_the_scope_key_overrides_it() {
    let env = FakeEnv::new(&[]);
    let base = "[profiles.x]\ntenant_id = \"t\"\nclient_id = \"c\"\nclient_secret_env = \"S\"\n";
    let cases = [
        ("global", "https://graph.microsoft.com/.default"),
        ("usgov", "https://graph.microsoft.us/.default"),
        ("usgov-dod", "https://dod-graph.microsoft.us/.default"),
    ];
    for (cloud, scope) in cases {
        let p = profile_from(
            &format!(
                "{base}cloud = \"{cloud}\"\ngraph_url = \"https://proxy.example.net/graph\"\n"
            ),
            &env,
        )
        .unwrap();
        assert_eq!(p.graph_url.as_str(), "https://proxy.example.net/graph/");
        assert_eq!(p.scope, scope, "{cloud}");
    }
    let p = profile_from(
        &format!(
            "{base}graph_url = \"http://127.0.0.1:8787\"\nscope = \"api://custom/.default\"\n"
        ),
        &env,
    )
    .unwrap();
    assert_eq!(p.scope, "api://custom/.default");
    let p = profile_from(
        "[profiles.x]\ntenant_id = \"t\"\nclient_id = \"c\"\nauth = \"device-code\"\n\
         scope = \"https://graph.microsoft.us/.default\"\n",
        &env,
    )
    .unwrap();
    assert_eq!(
        p.scope,
        "https://graph.microsoft.us/.default offline_access"
    );
    let err = profile_from(&format!("{base}scope = \"  \"\n"), &env).unwrap_err();
    assert!(err.to_string().contains("profiles.x.scope"), "{err}");
}

#[test]
fn profile_from_env_only() {
    let env = FakeEnv::new(&[
        ("HOME", "/home/a"),
        ("VIGIL_TENANT_ID", "contoso.onmicrosoft.com"),
        ("VIGIL_CLIENT_ID", "11111111-1111-1111-1111-111111111111"),
        ("VIGIL_CLIENT_SECRET", "s"),
    ]);
    let p = config::resolve_profile(None, None, &|k| env.get(k)).unwrap();
    assert_eq!(p.name, "default");
    assert_eq!(p.tenant_id, "contoso.onmicrosoft.com");
    assert_eq!(p.auth, AuthKind::ClientSecret);
    assert_eq!(p.cloud, Cloud::Global);
    assert_eq!(p.graph_url.as_str(), "https://graph.microsoft.com/");
    // Named but absent from (missing) file: still env-only, with that name.
    let p = config::resolve_profile(None, Some("ci"), &|k| env.get(k)).unwrap();
    assert_eq!(p.name, "ci");
    // Half-configured environment is an error naming the missing variable.
    let env = FakeEnv::new(&[("HOME", "/home/a"), ("VIGIL_TENANT_ID", "t")]);
    let err = config::resolve_profile(None, None, &|k| env.get(k)).unwrap_err();
    assert!(err.to_string().contains("VIGIL_CLIENT_ID"), "{err}");
}

#[test]
fn http_graph_url_only_for_loopback() {
    let env = FakeEnv::new(&[]);
    let base = "[profiles.x]\ntenant_id = \"t\"\nclient_id = \"c\"\n";
    let err = profile_from(
        &format!("{base}graph_url = \"http://graph.example.com\"\n"),
        &env,
    )
    .unwrap_err();
    let s = err.to_string();
    assert!(
        s.contains(":4:") && s.contains("profiles.x.graph_url") && s.contains("loopback"),
        "{s}"
    );
    let p = profile_from(
        &format!("{base}graph_url = \"http://127.0.0.1:8787\"\n"),
        &env,
    )
    .unwrap();
    assert_eq!(p.graph_url.as_str(), "http://127.0.0.1:8787/");

    let env = FakeEnv::new(&[("VIGIL_GRAPH_URL", "http://10.1.2.3")]);
    let err = profile_from(base, &env).unwrap_err();
    assert!(err.to_string().contains("VIGIL_GRAPH_URL"), "{err}");
    let env = FakeEnv::new(&[("VIGIL_LOGIN_URL", "http://login.example.com")]);
    let err = profile_from(base, &env).unwrap_err();
    assert!(err.to_string().contains("VIGIL_LOGIN_URL"), "{err}");
}

#[test]
fn profile_selection() {
    let env = FakeEnv::new(&[]);
    let two = "[profiles.a]\ntenant_id = \"ta\"\nclient_id = \"c\"\n\
               [profiles.b]\ntenant_id = \"tb\"\nclient_id = \"c\"\n";
    let cfg = config::parse(two, Path::new("/c.toml")).unwrap();
    let err = config::resolve_profile(Some(&cfg), None, &|k| env.get(k)).unwrap_err();
    assert!(err.to_string().contains("--profile"), "{err}");
    let p = config::resolve_profile(Some(&cfg), Some("b"), &|k| env.get(k)).unwrap();
    assert_eq!(p.tenant_id, "tb");
    let err = config::resolve_profile(Some(&cfg), Some("zz"), &|k| env.get(k)).unwrap_err();
    assert!(
        matches!(&err, ConfigError::UnknownProfile { available, .. } if available.len() == 2),
        "{err:?}"
    );
    let cfg = config::parse(&format!("default_profile = \"b\"\n{two}"), Path::new("/c")).unwrap();
    let p = config::resolve_profile(Some(&cfg), None, &|k| env.get(k)).unwrap();
    assert_eq!(p.name, "b");
}

#[test]
fn not_configured_message_guides_the_user() {
    let env = FakeEnv::new(&[("HOME", "/home/a")]);
    let err = config::resolve_profile(None, None, &|k| env.get(k)).unwrap_err();
    assert!(matches!(err, ConfigError::NotConfigured { .. }), "{err:?}");
    let s = err.to_string();
    assert!(s.contains("vigil --demo"), "{s}");
    assert!(s.contains("/home/a/.config/vigil/config.toml"), "{s}");
    assert!(s.contains("[profiles."), "{s}");
    // An existing file without profiles and no env is also "not configured".
    let cfg = config::parse("[ui]\nbell = true\n", Path::new("/c")).unwrap();
    let err = config::resolve_profile(Some(&cfg), None, &|k| env.get(k)).unwrap_err();
    assert!(matches!(err, ConfigError::NotConfigured { .. }), "{err:?}");
}

#[test]
fn debug_output_has_no_secret() {
    let env = FakeEnv::new(&[
        ("VIGIL_TENANT_ID", "t"),
        ("VIGIL_CLIENT_ID", "c"),
        ("VIGIL_CLIENT_SECRET", "SUPER-SECRET-VALUE"),
    ]);
    let p = config::resolve_profile(None, None, &|k| env.get(k)).unwrap();
    assert!(!format!("{p:?}").contains("SUPER-SECRET-VALUE"));
    let secret = config::read_secret(p.secret_source.as_ref().unwrap(), &|k| env.get(k)).unwrap();
    assert_eq!(secret.expose_secret(), "SUPER-SECRET-VALUE");
    assert!(!format!("{secret:?}").contains("SUPER-SECRET-VALUE"));
}

// ---------------------------------------------------------------- secrets

#[test]
fn secret_from_env() {
    let env = FakeEnv::new(&[("MY_SECRET", "abc~def\n")]);
    let s = config::read_secret(&SecretSource::Env("MY_SECRET".into()), &|k| env.get(k)).unwrap();
    assert_eq!(s.expose_secret(), "abc~def");
    let err = config::read_secret(&SecretSource::Env("NOPE".into()), &|k| env.get(k)).unwrap_err();
    assert!(err.to_string().contains("NOPE"), "{err}");
}

#[test]
fn secret_from_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    paths::write_private_atomic(&path, b"file-secret\r\n").unwrap();
    let env = FakeEnv::new(&[]);
    let s = config::read_secret(&SecretSource::File(path.clone()), &|k| env.get(k)).unwrap();
    assert_eq!(s.expose_secret(), "file-secret");

    fs::write(&path, "\n").unwrap();
    let err = config::read_secret(&SecretSource::File(path.clone()), &|k| env.get(k)).unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");

    let missing = dir.path().join("missing");
    let err = config::read_secret(&SecretSource::File(missing), &|k| env.get(k)).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

#[cfg(unix)]
#[test]
fn world_readable_secret_file_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    fs::write(&path, "loose\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let env = FakeEnv::new(&[]);
    let err = config::read_secret(&SecretSource::File(path.clone()), &|k| env.get(k))
        .unwrap_err()
        .to_string();
    assert!(err.contains("644"), "{err}");
    assert!(
        err.contains(&format!("chmod 600 {}", path.display())),
        "{err}"
    );
    assert!(
        !err.contains("loose\n") && !err.contains(": loose"),
        "{err}"
    );
}

// ---------------------------------------------------------------- paths

#[test]
fn xdg_defaults_from_home() {
    let env = FakeEnv::new(&[("HOME", "/home/a")]);
    let p = paths::resolve(&|k| env.get(k), None).unwrap();
    assert_eq!(p.config_dir, PathBuf::from("/home/a/.config/vigil"));
    assert_eq!(
        p.config_file,
        PathBuf::from("/home/a/.config/vigil/config.toml")
    );
    assert_eq!(p.state_dir, PathBuf::from("/home/a/.local/state/vigil"));
    assert_eq!(p.data_dir, PathBuf::from("/home/a/.local/share/vigil"));
    assert_eq!(p.cache_dir, PathBuf::from("/home/a/.cache/vigil"));
    assert_eq!(p.log_dir, PathBuf::from("/home/a/.local/state/vigil/logs"));
    assert_eq!(p.themes_dir, PathBuf::from("/home/a/.config/vigil/themes"));
}

#[test]
fn xdg_variables_win_and_relative_ones_are_ignored() {
    let env = FakeEnv::new(&[
        ("HOME", "/home/a"),
        ("XDG_CONFIG_HOME", "/x/conf"),
        ("XDG_STATE_HOME", "/x/state"),
        ("XDG_DATA_HOME", "/x/data"),
        ("XDG_CACHE_HOME", "relative/cache"),
    ]);
    let p = paths::resolve(&|k| env.get(k), None).unwrap();
    assert_eq!(p.config_file, PathBuf::from("/x/conf/vigil/config.toml"));
    assert_eq!(p.state_dir, PathBuf::from("/x/state/vigil"));
    assert_eq!(p.log_dir, PathBuf::from("/x/state/vigil/logs"));
    assert_eq!(p.data_dir, PathBuf::from("/x/data/vigil"));
    assert_eq!(p.cache_dir, PathBuf::from("/home/a/.cache/vigil"));
}

#[test]
fn config_file_override_order() {
    let env = FakeEnv::new(&[("HOME", "/home/a"), ("VIGIL_CONFIG", "/etc/vigil.toml")]);
    let p = paths::resolve(&|k| env.get(k), None).unwrap();
    assert_eq!(p.config_file, PathBuf::from("/etc/vigil.toml"));
    let p = paths::resolve(&|k| env.get(k), Some(Path::new("/cli.toml"))).unwrap();
    assert_eq!(p.config_file, PathBuf::from("/cli.toml"));
}

#[test]
fn no_home_is_an_error() {
    let env = FakeEnv::new(&[("XDG_CONFIG_HOME", "/x")]);
    let err = paths::resolve(&|k| env.get(k), None).unwrap_err();
    assert!(matches!(err, ConfigError::NoHome { .. }), "{err:?}");
    assert!(err.to_string().contains("HOME"), "{err}");
}

#[test]
fn profile_state_dirs_are_separate_and_contained() {
    let env = FakeEnv::new(&[("HOME", "/home/a")]);
    let p = paths::resolve(&|k| env.get(k), None).unwrap();
    let a = p.profile_state_dir("contoso");
    assert_eq!(
        a,
        PathBuf::from("/home/a/.local/state/vigil/profiles/contoso")
    );
    let evil = p.profile_state_dir("../../etc");
    assert_eq!(evil.parent(), Some(p.state_dir.join("profiles").as_path()));
    assert_ne!(p.profile_state_dir("a/b"), p.profile_state_dir("a_b"));
}

#[cfg(unix)]
#[test]
fn write_private_atomic_gives_0600_and_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("state/profiles/x/token.json");
    paths::write_private_atomic(&target, b"one").unwrap();
    paths::write_private_atomic(&target, b"two").unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"two");
    let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let parent_mode = fs::metadata(target.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(parent_mode, 0o700);
    // A pre-existing world-readable file is replaced by a private one.
    let loose = dir.path().join("loose.json");
    fs::write(&loose, b"old").unwrap();
    fs::set_permissions(&loose, fs::Permissions::from_mode(0o644)).unwrap();
    paths::write_private_atomic(&loose, b"new").unwrap();
    assert_eq!(
        fs::metadata(&loose).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // No temporary files are left behind.
    let leftovers: Vec<_> = fs::read_dir(target.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn ensure_private_dir_tightens_existing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    fs::create_dir(&d).unwrap();
    fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
    paths::ensure_private_dir(&d).unwrap();
    assert_eq!(
        fs::metadata(&d).unwrap().permissions().mode() & 0o777,
        0o700
    );
}

// ---------------------------------------------------------------- CLI

fn parse(args: &[&str]) -> Cli {
    let mut v = vec!["vigil"];
    v.extend_from_slice(args);
    Cli::try_parse_from(v).unwrap()
}

#[test]
fn no_subcommand_is_console_with_globals() {
    let cli = parse(&[
        "--demo",
        "--profile",
        "contoso",
        "--read-only",
        "--no-cache",
        "--color",
        "256",
        "--ascii",
        "--theme",
        "solarized",
        "--log-level",
        "debug",
        "--log-file",
        "/tmp/v.log",
        "--bell",
        "--config",
        "/c.toml",
    ]);
    assert!(cli.command.is_none());
    assert!(cli.demo && cli.read_only && cli.no_cache && cli.ascii && cli.bell);
    assert_eq!(cli.profile.as_deref(), Some("contoso"));
    assert_eq!(cli.color, Some(ColorMode::Ansi256));
    assert_eq!(cli.theme.as_deref(), Some("solarized"));
    assert_eq!(cli.log_level, Some(LogLevel::Debug));
    assert_eq!(cli.log_file, Some(PathBuf::from("/tmp/v.log")));
    assert_eq!(cli.config, Some(PathBuf::from("/c.toml")));

    let mut ui = config::UiSettings::default();
    ui.apply_cli(&cli);
    assert_eq!(ui.theme, "solarized");
    assert_eq!(ui.color, ColorMode::Ansi256);
    assert!(ui.ascii && ui.bell);
}

#[test]
fn login_and_simple_subcommands() {
    assert!(matches!(
        parse(&["login", "--profile", "x"]).command,
        Some(Command::Login(_))
    ));
    assert!(matches!(parse(&["themes"]).command, Some(Command::Themes)));
    assert!(matches!(parse(&["man"]).command, Some(Command::Man)));
    assert!(matches!(
        parse(&["config-path"]).command,
        Some(Command::ConfigPath)
    ));
    for sh in ["bash", "zsh", "fish", "elvish", "powershell"] {
        assert!(matches!(
            parse(&["completions", sh]).command,
            Some(Command::Completions { .. })
        ));
    }
    assert!(Cli::try_parse_from(["vigil", "completions", "tcsh"]).is_err());
}

#[test]
fn sim_defaults_and_flags() {
    let Some(Command::Sim(a)) = parse(&["sim"]).command else {
        panic!()
    };
    assert_eq!(a.listen.to_string(), "127.0.0.1:8787");
    assert_eq!((a.incidents, a.seed), (300, 7));
    assert!(!a.no_live && a.faults.is_none() && a.activity_every.is_none());
    let Some(Command::Sim(a)) = parse(&[
        "sim",
        "--listen",
        "127.0.0.1:0",
        "--incidents",
        "5000",
        "--seed",
        "42",
        "--faults",
        "429:0.1",
        "--no-live",
        "--activity-every",
        "3",
    ])
    .command
    else {
        panic!()
    };
    assert_eq!(a.listen.port(), 0);
    assert_eq!((a.incidents, a.seed), (5000, 42));
    assert_eq!(a.faults.as_deref(), Some("429:0.1"));
    assert!(a.no_live);
    assert_eq!(a.activity_every, Some(3));
}

#[test]
fn export_flags() {
    let Some(Command::Export(a)) = parse(&[
        "export",
        "--since",
        "7d",
        "--status",
        "active,INPROGRESS",
        "--severity",
        "high",
        "--no-alerts",
        "--output",
        "out.ndjson",
    ])
    .command
    else {
        panic!()
    };
    assert_eq!(
        a.since,
        Some(Since::Ago(std::time::Duration::from_secs(7 * 86_400)))
    );
    assert_eq!(a.status, vec!["active", "inProgress"]);
    assert_eq!(a.severity, vec!["high"]);
    assert!(a.no_alerts);
    assert_eq!(a.output, Some(PathBuf::from("out.ndjson")));

    let Some(Command::Export(a)) = parse(&["export", "--since", "2026-11-01"]).command else {
        panic!()
    };
    assert!(matches!(a.since, Some(Since::Date(_))));
    assert!(a.output.is_none() && a.status.is_empty());
    assert!(Cli::try_parse_from(["vigil", "export", "--status", "closed"]).is_err());
    assert!(Cli::try_parse_from(["vigil", "export", "--since", "soon"]).is_err());
}

#[test]
fn sim_help_lists_only_simulator_options() {
    let mut cmd = vigil::cli::command();
    cmd.build();
    let sim = cmd
        .find_subcommand_mut("sim")
        .expect("sim subcommand")
        .render_long_help()
        .to_string();
    for console_only in [
        "--demo",
        "--theme",
        "--bell",
        "--read-only",
        "--color",
        "--ascii",
        "--no-cache",
        "--profile",
        "--config",
    ] {
        assert!(
            !sim.contains(console_only),
            "sim --help lists {console_only}:\n{sim}"
        );
    }
    for own in ["--listen", "--seed", "--faults", "--log-level"] {
        assert!(sim.contains(own), "sim --help lacks {own}:\n{sim}");
    }
}

#[test]
fn session_flags_work_before_and_after_login_and_export() {
    let resolved = |args: &[&str]| {
        let mut v = vec!["vigil"];
        v.extend_from_slice(args);
        Cli::try_parse_from(v).unwrap().resolved()
    };
    let cli = resolved(&["--demo", "export", "--since", "7d"]);
    assert!(cli.demo && matches!(cli.command, Some(Command::Export(_))));
    let cli = resolved(&["--profile", "contoso", "export", "--since", "7d"]);
    assert_eq!(cli.profile.as_deref(), Some("contoso"));
    let cli = resolved(&["export", "--profile", "contoso", "--config", "/c.toml"]);
    assert_eq!(cli.profile.as_deref(), Some("contoso"));
    assert_eq!(cli.config, Some(PathBuf::from("/c.toml")));
    let cli = resolved(&["login", "--profile", "oncall"]);
    assert_eq!(cli.profile.as_deref(), Some("oncall"));
    let cli = resolved(&["export", "--demo"]);
    assert!(cli.demo);
    // Console-only flags belong to the console.
    assert!(Cli::try_parse_from(["vigil", "sim", "--demo"]).is_err());
    assert!(Cli::try_parse_from(["vigil", "sim", "--theme", "dark"]).is_err());
}

#[test]
fn invalid_values_are_rejected() {
    assert!(Cli::try_parse_from(["vigil", "--color", "8"]).is_err());
    assert!(Cli::try_parse_from(["vigil", "--theme", "../x"]).is_err());
    assert!(Cli::try_parse_from(["vigil", "--log-level", "loud"]).is_err());
    assert!(Cli::try_parse_from(["vigil", "--client-secret", "x"]).is_err());
}

#[test]
fn help_renders_with_examples_and_secret_guidance() {
    let mut cmd = vigil::cli::command();
    let help = cmd.render_long_help().to_string();
    for needle in [
        "vigil --demo",
        "vigil login",
        "vigil sim",
        "export",
        "VIGIL_CLIENT_SECRET",
        "client_secret_file",
        "--read-only",
        "--log-file",
    ] {
        assert!(help.contains(needle), "help lacks {needle:?}:\n{help}");
    }
    for sub in ["sim", "export", "login", "completions"] {
        let mut cmd = vigil::cli::command();
        let sc = cmd.find_subcommand_mut(sub).unwrap();
        let h = sc.render_long_help().to_string();
        assert!(h.len() > 40, "{sub}: {h}");
    }
}

#[test]
fn every_argument_is_documented() {
    fn walk(cmd: &clap::Command, path: &str) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            assert!(arg.get_help().is_some(), "{path} {id} has no help");
        }
        for sc in cmd.get_subcommands() {
            assert!(
                sc.get_about().is_some(),
                "{path} {} has no about",
                sc.get_name()
            );
            walk(sc, &format!("{path} {}", sc.get_name()));
        }
    }
    walk(&vigil::cli::command(), "vigil");
}

#[test]
fn no_argument_takes_a_secret() {
    fn walk(cmd: &clap::Command, found: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let mut names = vec![arg.get_id().to_string()];
            names.extend(arg.get_long().map(str::to_owned));
            names.extend(
                arg.get_all_aliases()
                    .unwrap_or_default()
                    .into_iter()
                    .map(str::to_owned),
            );
            names.extend(arg.get_env().map(|e| e.to_string_lossy().into_owned()));
            for n in names {
                let l = n.to_ascii_lowercase();
                if ["secret", "token", "password", "passwd", "credential"]
                    .iter()
                    .any(|w| l.contains(w))
                {
                    found.push(format!("{} {n}", cmd.get_name()));
                }
            }
        }
        for sc in cmd.get_subcommands() {
            walk(sc, found);
        }
    }
    let cmd = vigil::cli::command();
    let mut found = Vec::new();
    walk(&cmd, &mut found);
    assert!(found.is_empty(), "secret-taking arguments: {found:?}");
    // The walk does see arguments (guards against walking an empty tree).
    assert!(cmd.get_arguments().count() > 5);
}

#[test]
fn man_and_completions_render() {
    let mut man = Vec::new();
    vigil::cli::write_man(&mut man).unwrap();
    let man = String::from_utf8(man).unwrap();
    assert!(man.contains(".TH") && man.contains("demo"), "{man}");
    let mut comp = Vec::new();
    vigil::cli::write_completions(clap_complete::Shell::Bash, &mut comp);
    let comp = String::from_utf8(comp).unwrap();
    assert!(comp.contains("config-path"), "{comp}");
}

// ---------------------------------------------------------------- logging

#[cfg(unix)]
#[test]
fn logging_goes_to_private_daily_file() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, _env, paths) = temp_home();
    let guard = vigil::logging::init(&paths, Some("info"), None).unwrap();
    tracing::info!(title = "evil\u{1b}[2J", "hello from the test");
    drop(guard);
    let entries: Vec<_> = fs::read_dir(&paths.log_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let text = fs::read_to_string(&entries[0]).unwrap();
    assert!(text.contains("hello from the test"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert_eq!(
        fs::metadata(&entries[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        fs::metadata(&paths.log_dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
}
