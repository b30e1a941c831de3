//! The interactive console and the headless export: both open a [`Session`], run the sync
//! engine on it, and (for the console) hand the engine's channels to the UI.

use crate::cli::{Cli, ExportArgs};
use crate::config::Config;
use crate::graph::model::Timestamp;
use crate::paths::Paths;
use crate::start::launch::{self, Session};
use crate::store::{Identity, Store};
use crate::sync::engine::{self, EngineConfig};
use crate::ui::keymap::Keymap;
use crate::ui::{color, theme};
use anyhow::Context as _;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Runs the console until the analyst quits.
pub async fn run(cli: &Cli, paths: &Paths, cfg: Option<&Config>) -> anyhow::Result<ExitCode> {
    let session = launch::open(cli, paths, cfg).await?;
    launch::preflight(&session).await?;
    let mut notices = Vec::new();

    let mut ui = cfg.map(|c| c.effective_ui()).unwrap_or_default();
    ui.apply_cli(cli);
    let color_flag = match ui.color {
        crate::config::ColorMode::Auto => "auto",
        crate::config::ColorMode::Never => "never",
        crate::config::ColorMode::Ansi16 => "16",
        crate::config::ColorMode::Ansi256 => "256",
        crate::config::ColorMode::TrueColor => "truecolor",
    };
    let depth = color::detect_color_depth(Some(color_flag), &launch::process_env);
    crate::ui::sgr16::set_enabled(depth == color::ColorDepth::Ansi16);
    let (theme, theme_err) = theme::load_theme(&ui.theme, Some(&paths.themes_dir), depth);
    if let Some(e) = theme_err {
        tracing::warn!(error = %e, "theme fell back to default");
        notices.push(format!("Theme error, using default: {e}"));
    }
    let overrides: BTreeMap<String, Vec<String>> = ui
        .keymap
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.to_vec().into_iter().map(str::to_string).collect(),
            )
        })
        .collect();
    let keymap = match Keymap::with_overrides(&overrides) {
        Ok(k) => k,
        Err(e) => {
            notices.push(format!("Keymap error, using the default keys: {e}"));
            Keymap::default()
        }
    };
    let ascii = crate::ui::text::ascii_mode(ui.ascii, &launch::process_env);

    let user = cfg.map(|c| c.effective_user()).unwrap_or_default();
    let aliases =
        crate::start::me::identity_aliases(&session.client, &user.aliases, session.demo.is_some())
            .await;
    let mut store = Store::new(Identity::new(aliases));

    // The profile's database: one writer per profile (a second vigil is refused here).
    let db = match crate::db::Db::open(&session.state_dir) {
        Ok(opened) => {
            notices.extend(opened.warning);
            opened.db
        }
        Err(e) => anyhow::bail!("{e}"),
    };
    // Once: the outbox, inquiry and draft files of earlier versions move into the database.
    match crate::db::migrate_files::migrate(&db, &session.state_dir) {
        Ok(m) => notices.extend(
            m.notices
                .iter()
                .map(|n| crate::ui::sanitize::sanitize(n).into_owned()),
        ),
        Err(e) => notices.push(format!(
            "The outbox, inquiry and draft files of an earlier vigil could not be imported \
             ({e}); they are left in place."
        )),
    }
    // Instant start: the queue as the database holds it, before any network request.
    if !cli.no_cache {
        notices.extend(crate::start::from_db::paint_from_db(
            &mut store,
            &db,
            &session.state_dir,
            &session.profile_key,
        ));
    }

    let sync = cfg
        .map(|c| c.effective_sync(Some(&session.profile_key)))
        .unwrap_or_default();
    let engine_cfg = EngineConfig {
        window_days: sync.window_days,
        page_size: sync.page_size,
        poll_interval: Duration::from_secs(if session.demo.is_some() {
            10
        } else {
            sync.poll_interval_secs
        }),
        overlap: Duration::from_secs(sync.overlap_secs),
        read_only: session.read_only,
        db: Some(db.clone()),
        start_from_db: !cli.no_cache,
        ..EngineConfig::default()
    };
    let engine::EngineHandle {
        commands,
        updates,
        task: engine_task,
    } = engine::spawn(Arc::new(session.client.clone()), engine_cfg);

    let saved_views = cfg
        .map(|c| {
            c.views
                .iter()
                .map(|(k, v)| (k.clone(), v.query.clone()))
                .collect()
        })
        .unwrap_or_default();
    if let Some(sn) = cfg.and_then(|c| c.sentinel.as_ref()) {
        crate::ui::views::sentinel::configure(crate::ui::views::sentinel::SentinelWorkspace {
            subscription_id: sn.subscription_id.clone(),
            resource_group: sn.resource_group.clone(),
            workspace: sn.workspace.clone(),
        });
    }
    let ctx = crate::ui::RunContext {
        store,
        commands,
        updates,
        theme,
        keymap,
        profile_label: session.label.clone(),
        read_only: session.read_only,
        bell: ui.bell,
        saved_views,
        ascii,
        notices,
        experts: experts_config(cfg, &session),
        teammates: user.teammates.clone(),
        db: Some(db),
    };
    // Everything synced is already in the database: quitting writes nothing more.
    let _store = crate::ui::run(ctx).await?;
    // The engine got Shutdown from the UI; give it a moment to persist the outbox.
    let _ = tokio::time::timeout(Duration::from_secs(3), engine_task).await;
    if let Some(sim) = session.demo {
        sim.shutdown().await;
    }
    Ok(ExitCode::SUCCESS)
}

/// Ask Defender Experts settings for the UI: `[experts]` from the config, drafts and the
/// inquiry outbox under the profile's state directory. The demo offers every channel and
/// sends mail from the simulated tenant's analyst mailbox (the simulator records it).
fn experts_config(cfg: Option<&Config>, session: &Session) -> crate::ui::app::ExpertsConfig {
    use crate::config::ExpertsChannel;
    use crate::experts::outbox::Channel;
    let settings = cfg.map(|c| c.effective_experts()).unwrap_or_default();
    let mut channels: Vec<Channel> = settings
        .channels
        .iter()
        .map(|c| match c {
            ExpertsChannel::Portal => Channel::Portal,
            ExpertsChannel::Comment => Channel::IncidentComment,
            ExpertsChannel::Email => Channel::Email,
        })
        .collect();
    let mut email_to = settings.email_to.clone();
    let mut mailbox = settings.mailbox.clone().unwrap_or_else(|| "me".into());
    if session.demo.is_some() && cfg.is_none() {
        channels = vec![Channel::Portal, Channel::IncidentComment, Channel::Email];
        email_to = Some("defender-experts@contoso.com".into());
        mailbox = crate::sim::DELEGATED_USER.into();
    }
    let (allowance, period) = settings.effective_allowance();
    crate::ui::app::ExpertsConfig {
        channels,
        email_to,
        reply_to: settings.reply_to.clone(),
        mailbox,
        allowance,
        allowance_period: match period {
            crate::config::AllowancePeriod::Month => crate::experts::AllowancePeriod::Month,
            crate::config::AllowancePeriod::Quarter => crate::experts::AllowancePeriod::Quarter,
        },
        portal_base: session.portal_base.clone(),
        tenant_id: Some(session.tenant_id.clone()),
        drafts_dir: Some(session.state_dir.join("drafts")),
        inquiries_path: Some(session.state_dir.join("inquiries.json")),
    }
}

/// "3m", "2h", "5d".
pub fn human_age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// `vigil export`: the same engine code headless, NDJSON to stdout or a file.
pub async fn export(
    cli: &Cli,
    paths: &Paths,
    cfg: Option<&Config>,
    args: ExportArgs,
) -> anyhow::Result<ExitCode> {
    if args.follow {
        return crate::follow_main::export_follow(cli, paths, cfg, args).await;
    }
    let now = jiff::Timestamp::now();
    if let Some(warning) = args.since.and_then(|s| s.future_warning(now)) {
        eprintln!("{warning}");
    }
    let session = launch::open(cli, paths, cfg).await?;
    let opts = crate::export::ExportOptions {
        since: args.since.map(|s| Timestamp(s.cutoff(now))),
        statuses: args.status.clone(),
        severities: args.severity.clone(),
        include_alerts: !args.no_alerts,
        page_size: cfg.map(|c| c.effective_sync(Some(&session.profile_key)).page_size),
    };
    let api = Arc::new(session.client.clone());
    let mut progress = |p: crate::export::ExportProgress| say(&p.to_string());
    let result = match &args.output {
        Some(path) => export_to_file(api, opts, path, &mut progress).await,
        None => export_to_stdout(api, opts, &mut progress).await,
    };
    if let Some(sim) = session.demo {
        sim.shutdown().await;
    }
    let summary = result?;
    say(&summary.to_string());
    match summary.incomplete_report() {
        None => Ok(ExitCode::SUCCESS),
        Some(report) => {
            say(&report);
            if let Some(path) = &args.output {
                say(&format!("export: {} left unchanged", path.display()));
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

/// One line on stderr, sanitised (ids and service messages are external data).
fn say(line: &str) {
    eprintln!("{}", crate::ui::sanitize::sanitize(line));
}

/// Exports to stdout; lines already written stay written whatever happens next.
async fn export_to_stdout<A: crate::sync::GraphApi>(
    api: Arc<A>,
    opts: crate::export::ExportOptions,
    progress: &mut dyn FnMut(crate::export::ExportProgress),
) -> anyhow::Result<crate::export::ExportSummary> {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let summary = crate::export::run_export(api, opts, &mut w, progress).await;
    std::io::Write::flush(&mut w)?;
    summary.map_err(|e| anyhow::anyhow!("export failed: {e}"))
}

/// Exports to `path` atomically: the file is replaced only when everything was exported.
async fn export_to_file<A: crate::sync::GraphApi>(
    api: Arc<A>,
    opts: crate::export::ExportOptions,
    path: &std::path::Path,
    progress: &mut dyn FnMut(crate::export::ExportProgress),
) -> anyhow::Result<crate::export::ExportSummary> {
    let mut file = crate::export::AtomicOutput::create(path)
        .with_context(|| format!("creating a temporary file beside {}", path.display()))?;
    let summary = crate::export::run_export(api, opts, file.writer(), progress)
        .await
        .map_err(|e| anyhow::anyhow!("export failed: {e}; {} left unchanged", path.display()))?;
    if summary.is_complete() {
        file.commit()
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(summary)
}
