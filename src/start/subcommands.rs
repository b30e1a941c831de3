//! What `vigil` does for each subcommand (kept in the library so it is testable; `main.rs`
//! only parses flags and prints the final error).

use crate::cli::{Cli, Command, ExportArgs, SimArgs};
use crate::config::Config;
use crate::paths::Paths;
use crate::sim::{FaultSpec, SimConfig};
use crate::start::launch::{self, Session};
use anyhow::Context as _;
use std::process::ExitCode;
use std::time::Duration;

/// Runs the parsed command line to completion.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Commands that need neither configuration nor logging.
    match &cli.command {
        Some(Command::Completions { shell }) => {
            crate::cli::write_completions(*shell, &mut std::io::stdout());
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Man) => {
            crate::cli::write_man(&mut std::io::stdout())?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let paths = crate::paths::from_process_env(cli.config.as_deref())?;
    let _log_guard = crate::logging::init(
        &paths,
        cli.log_level.map(|l| l.as_str()),
        cli.log_file.as_deref(),
    )?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "vigil starting");
    let must_exist = cli.config.is_some() && !matches!(cli.command, Some(Command::ConfigPath));
    let cfg = match launch::load_config(&paths, must_exist) {
        Ok(cfg) => cfg,
        Err(e) => {
            // A configuration the analyst has to fix: a usage error, said before anything runs.
            eprintln!(
                "vigil: {}",
                crate::ui::sanitize::sanitize_multiline(&e.to_string())
            );
            return Ok(ExitCode::from(2));
        }
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;

    match cli.command.clone() {
        Some(Command::ConfigPath) => {
            for (what, p) in paths.describe() {
                println!("{what:<12} {}", p.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Themes) => {
            for (name, source) in crate::ui::theme::list_themes(Some(&paths.themes_dir)) {
                println!("{name:<16} {source:?}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Sim(args)) => runtime.block_on(run_sim(args)),
        Some(Command::Login(_)) => runtime.block_on(login(&cli, &paths, cfg.as_ref())),
        Some(Command::Export(args)) => runtime.block_on(export(&cli, &paths, cfg.as_ref(), args)),
        Some(Command::Completions { .. }) | Some(Command::Man) => Ok(ExitCode::SUCCESS),
        None => {
            if !cli.demo
                && let Err(e) = crate::config::resolve_profile(
                    cfg.as_ref(),
                    cli.profile.as_deref(),
                    &launch::process_env,
                )
            {
                eprintln!("vigil: {e}");
                return Ok(ExitCode::from(2));
            }
            if let Err(e) = launch::check_theme(&cli, &paths, cfg.as_ref()) {
                eprintln!("vigil: {}", crate::ui::sanitize::sanitize(&e.to_string()));
                return Ok(ExitCode::from(2));
            }
            runtime.block_on(crate::start::console::run(&cli, &paths, cfg.as_ref()))
        }
    }
}

async fn run_sim(args: SimArgs) -> anyhow::Result<ExitCode> {
    let faults = match &args.faults {
        Some(spec) => FaultSpec::parse(spec).map_err(|e| anyhow::anyhow!("--faults: {e}"))?,
        None => FaultSpec::default(),
    };
    let mut cfg = SimConfig {
        incidents: args.incidents,
        seed: args.seed,
        faults,
        live: !args.no_live,
        ..SimConfig::default()
    };
    if let Some(secs) = args.activity_every {
        cfg.activity_every = Duration::from_secs(secs.max(1));
    }
    if !args.listen.ip().is_loopback() {
        anyhow::bail!(
            "refusing to listen on {}: the simulator serves loopback only (127.0.0.1 / ::1)",
            args.listen
        );
    }
    crate::sim::run_standalone(cfg, args.listen).await?;
    Ok(ExitCode::SUCCESS)
}

async fn login(cli: &Cli, paths: &Paths, cfg: Option<&Config>) -> anyhow::Result<ExitCode> {
    if cli.demo {
        anyhow::bail!("--demo needs no sign-in; run `vigil --demo`");
    }
    let profile =
        crate::config::resolve_profile(cfg, cli.profile.as_deref(), &launch::process_env)?;
    if profile.auth != crate::config::AuthKind::DeviceCode {
        anyhow::bail!(
            "profile {:?} uses {} sign-in; `vigil login` is for auth = \"device-code\" profiles",
            profile.name,
            profile.auth.as_str()
        );
    }
    let session: Session = launch::open(cli, paths, cfg).await?;
    let auth = session.client.authenticator().clone();
    auth.device_code_login(|p| {
        // The prompt comes from the sign-in service: sanitise it like any external text.
        eprintln!(
            "To sign in, open {} and enter the code {}",
            crate::ui::sanitize::sanitize(&p.verification_uri),
            crate::ui::sanitize::sanitize(&p.user_code)
        );
        eprintln!("{}", p.waiting_text());
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "Signed in. The token is cached in {}",
        session.state_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

async fn export(
    cli: &Cli,
    paths: &Paths,
    cfg: Option<&Config>,
    args: ExportArgs,
) -> anyhow::Result<ExitCode> {
    crate::start::console::export(cli, paths, cfg, args).await
}
