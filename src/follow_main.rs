//! `vigil export --follow`: signs in, loads the checkpoint, opens the output (stdout
//! line-buffered, or FILE appended and reopened on SIGHUP), and follows until SIGINT/SIGTERM,
//! a closed pipe, or a failure that will not heal.

use crate::cli::{Cli, ExportArgs, LogFormat};
use crate::config::Config;
use crate::export::{
    AppendFile, Checkpoint, ExportOptions, FollowEnd, FollowOptions, FollowOutput, end_line,
    follow_line, run_follow,
};
use crate::graph::model::Timestamp;
use crate::paths::Paths;
use crate::start::launch;
use anyhow::Context;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Runs the follow; exit 0 when stopped by a signal or a closed pipe.
pub async fn export_follow(
    cli: &Cli,
    paths: &Paths,
    cfg: Option<&Config>,
    args: ExportArgs,
) -> anyhow::Result<ExitCode> {
    let json = args.log_format == LogFormat::Json;
    let now = jiff::Timestamp::now();
    if let Some(warning) = args.since.and_then(|s| s.future_warning(now)) {
        eprintln!("{}", end_line(&warning, false, json));
    }
    let checkpoint = match &args.checkpoint {
        Some(path) => Checkpoint::load(path)?.unwrap_or_default(),
        None => Checkpoint::default(),
    };
    let session = launch::open(cli, paths, cfg).await?;
    let sync = cfg.map(|c| c.effective_sync(Some(&session.profile_key)));
    let opts = FollowOptions {
        export: ExportOptions {
            since: args.since.map(|s| Timestamp(s.cutoff(now))),
            statuses: args.status.clone(),
            severities: args.severity.clone(),
            include_alerts: !args.no_alerts,
            page_size: sync.as_ref().map(|s| s.page_size),
        },
        alerts_feed: args.alerts,
        interval: args.interval,
        overlap: Duration::from_secs(sync.as_ref().map_or(300, |s| s.overlap_secs)),
        checkpoint: args.checkpoint.clone(),
    };
    let mut out: Box<dyn FollowOutput> = match &args.output {
        Some(path) => {
            let reopen = Arc::new(AtomicBool::new(false));
            signal_hook::flag::register(signal_hook::consts::SIGHUP, reopen.clone())
                .context("installing the SIGHUP handler")?;
            Box::new(
                AppendFile::open(path, reopen)
                    .with_context(|| format!("opening {} for appending", path.display()))?,
            )
        }
        None => Box::new(std::io::LineWriter::new(std::io::stdout())),
    };
    let api = Arc::new(session.client.clone());
    let mut events = |e| eprintln!("{}", follow_line(&e, json));
    let result = run_follow(api, opts, checkpoint, &mut *out, &mut events, stop_signal()).await;
    if let Some(sim) = session.demo {
        sim.shutdown().await;
    }
    match result {
        Ok(FollowEnd::Stopped) => {
            eprintln!("{}", end_line("stopped by a signal", false, json));
            Ok(ExitCode::SUCCESS)
        }
        Ok(FollowEnd::OutputClosed) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!(
                "{}",
                end_line(
                    &format!("stopped: {e} (this will not heal by waiting; fix and restart)"),
                    true,
                    json
                )
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}
