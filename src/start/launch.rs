//! Start-up: from parsed flags and configuration to a signed-in client for a real profile or
//! the embedded demo tenant. Shared by the console, `vigil export` and `vigil login`.

use crate::cli::Cli;
use crate::config::{self, AuthKind, Config, ConfigError, ResolvedProfile};
use crate::graph::auth::Credential;
use crate::graph::certificate::CertificateKey;
use crate::graph::client::Client;
use crate::paths::Paths;
use crate::sim::{SimConfig, SimHandle};
use crate::start::connect::{self, ConnectSpec};
use crate::ui::color::ColorDepth;
use crate::ui::theme::{self, ThemeError};
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The process environment as a lookup function (injectable everywhere else).
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// A tenant connection ready for the sync engine.
pub struct Session {
    pub client: Client,
    /// Shown in the status bar: profile name and tenant.
    pub label: String,
    /// Profile key for per-profile state (snapshot cache, outbox, drafts).
    pub profile_key: String,
    pub read_only: bool,
    /// Per-profile state directory (0700).
    pub state_dir: PathBuf,
    /// The running simulated tenant in demo mode (kept alive for the session).
    pub demo: Option<SimHandle>,
    /// Portal base for links (`https://security.microsoft.com`, …).
    pub portal_base: String,
    pub tenant_id: String,
}

/// Loads the configuration file. A missing file is fine unless `must_exist` (the analyst named
/// it with `--config` or `VIGIL_CONFIG`).
pub fn load_config(paths: &Paths, must_exist: bool) -> Result<Option<Config>, ConfigError> {
    match config::load(paths, &process_env)? {
        None if must_exist => Err(ConfigError::Io {
            path: paths.config_file.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such configuration file (named by --config or VIGIL_CONFIG)",
            ),
        }),
        cfg => Ok(cfg),
    }
}

/// Loads the theme the console would use (`--theme`, else `[ui] theme`), so an unknown or
/// broken theme is an error before the screen takes over.
pub fn check_theme(cli: &Cli, paths: &Paths, cfg: Option<&Config>) -> Result<(), ThemeError> {
    let mut ui = cfg.map(Config::effective_ui).unwrap_or_default();
    ui.apply_cli(cli);
    match theme::load_theme(&ui.theme, Some(&paths.themes_dir), ColorDepth::TrueColor) {
        (_, Some(e)) => Err(e),
        (_, None) => Ok(()),
    }
}

/// Opens the session the flags ask for: `--demo` or a configured profile.
pub async fn open(cli: &Cli, paths: &Paths, cfg: Option<&Config>) -> anyhow::Result<Session> {
    if cli.demo {
        return open_demo(cli, paths, cfg).await;
    }
    let profile = config::resolve_profile(cfg, cli.profile.as_deref(), &process_env)?;
    open_profile(cli, paths, cfg, &profile)
}

async fn open_demo(cli: &Cli, paths: &Paths, cfg: Option<&Config>) -> anyhow::Result<Session> {
    let sim_cfg = SimConfig {
        live: true,
        activity_every: Duration::from_secs(20),
        ..SimConfig::default()
    };
    let demo = connect::demo(sim_cfg)
        .await
        .context("starting the simulated tenant")?;
    let state_dir = paths.profile_state_dir("demo");
    crate::paths::ensure_private_dir(&state_dir)
        .with_context(|| format!("creating {}", state_dir.display()))?;
    let read_only = cli.read_only;
    let _ = cfg;
    Ok(Session {
        client: demo.client,
        label: format!("demo · simulated tenant {}", demo.sim.base_url()),
        profile_key: "demo".into(),
        read_only,
        state_dir,
        portal_base: "https://security.microsoft.com".into(),
        tenant_id: demo.tenant_id,
        demo: Some(demo.sim),
    })
}

fn open_profile(
    cli: &Cli,
    paths: &Paths,
    cfg: Option<&Config>,
    profile: &ResolvedProfile,
) -> anyhow::Result<Session> {
    let state_dir = paths.profile_state_dir(&profile.name);
    crate::paths::ensure_private_dir(&state_dir)
        .with_context(|| format!("creating {}", state_dir.display()))?;
    // The file may name a secret variable that VIGIL_CLIENT_SECRET overrides: withhold it too.
    if let Some(name) = cfg
        .and_then(|c| c.profiles.get(&profile.name))
        .and_then(|p| p.client_secret_env.as_deref())
    {
        crate::child_process::withhold_variable(name);
    }
    let credential = credential_for(profile)?;
    let sync = cfg.map(|c| c.effective_sync(Some(&profile.name)));
    let budget = sync.as_ref().map_or(120, |s| s.budget_per_minute);
    let timeout = sync.map(|s| std::time::Duration::from_secs(s.request_timeout_secs));
    let client = connect::client_with_timeout(
        ConnectSpec {
            graph_url: profile.graph_url.clone(),
            login_url: profile.login_url.clone(),
            tenant_id: profile.tenant_id.clone(),
            client_id: profile.client_id.clone(),
            scope: profile.scope.clone(),
            credential,
            token_cache: Some(state_dir.join("tokens.json")),
            budget_per_minute: budget,
        },
        timeout,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Session {
        client,
        label: format!("{} · tenant {}", profile.name, profile.tenant_id),
        profile_key: profile.name.clone(),
        read_only: cli.read_only || profile.read_only,
        state_dir,
        demo: None,
        portal_base: config::portal_base(profile.cloud).to_string(),
        tenant_id: profile.tenant_id.clone(),
    })
}

/// Checks before the screen takes over that a device-code profile has signed in, so the
/// analyst gets a plain instruction instead of a status-bar error.
pub async fn preflight(session: &Session) -> anyhow::Result<()> {
    let auth = session.client.authenticator();
    if matches!(auth.config().credential, Credential::DeviceCode)
        && let Err(e) = auth.token().await
    {
        anyhow::bail!(
            "not signed in to profile {:?} ({e}). Run `vigil login --profile {}` first.",
            session.profile_key,
            session.profile_key
        );
    }
    Ok(())
}

/// Largest certificate or key file accepted; anything bigger is certainly the wrong file.
const MAX_CERTIFICATE_FILE: u64 = 1 << 20;

/// Reads and checks the certificate credential: the key file (which may be the certificate
/// file) must be private to the user, and the key must belong to the certificate.
fn read_certificate(cert: &Path, key: &Path) -> anyhow::Result<CertificateKey> {
    let fail = |message: String| anyhow::anyhow!("certificate sign-in: {message}");
    let key_bytes = config::read_private_file(key, MAX_CERTIFICATE_FILE)
        .map_err(|e| fail(format!("private key file {}: {e}", key.display())))?;
    let cert_bytes = if cert == key {
        key_bytes.clone()
    } else {
        read_limited(cert, MAX_CERTIFICATE_FILE)
            .map_err(|e| fail(format!("certificate file {}: {e}", cert.display())))?
    };
    CertificateKey::from_files(
        &cert_bytes,
        &cert.display().to_string(),
        &key_bytes,
        &key.display().to_string(),
    )
    .map_err(fail)
}

fn read_limited(path: &Path, max_len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max_len)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The credential a profile signs in with; secrets come from env or files, never argv.
pub fn credential_for(profile: &ResolvedProfile) -> anyhow::Result<Credential> {
    Ok(match profile.auth {
        AuthKind::ClientSecret => {
            let src = profile.secret_source.as_ref().ok_or_else(|| {
                anyhow::anyhow!(
                    "profile {:?} uses client-secret but names no client_secret_env or \
                     client_secret_file (or set VIGIL_CLIENT_SECRET)",
                    profile.name
                )
            })?;
            if let config::SecretSource::Env(name) = src {
                crate::child_process::withhold_variable(name);
            }
            Credential::ClientSecret(config::read_secret(src, &process_env)?)
        }
        AuthKind::Certificate => {
            let (cert, key) = profile.cert.as_ref().ok_or_else(|| {
                anyhow::anyhow!(
                    "profile {:?} uses certificate but lacks certificate_file",
                    profile.name
                )
            })?;
            Credential::Certificate(read_certificate(cert, key)?)
        }
        AuthKind::DeviceCode => Credential::DeviceCode,
    })
}
