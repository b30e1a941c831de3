//! The event loop: keys, engine updates, signals and one 1 Hz timer in a `select!`; draws only
//! when dirty, at most one frame per 16 ms, inside synchronized output. Idle costs zero bytes.

use super::app::{App, AppConfig, Effect, ExpertsConfig};
use super::keymap::Keymap;
use super::term::{self, TerminalGuard};
use super::theme::Theme;
use super::{clipboard, sanitize};
use crate::graph::model::Timestamp;
use crate::store::Store;
use crate::sync::{Command, Update};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use std::io::Write;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

/// Everything the console needs to run.
pub struct RunContext {
    pub store: Store,
    pub commands: mpsc::UnboundedSender<Command>,
    pub updates: mpsc::UnboundedReceiver<Update>,
    pub theme: Theme,
    pub keymap: Keymap,
    pub profile_label: String,
    pub read_only: bool,
    pub bell: bool,
    pub saved_views: Vec<(String, String)>,
    pub ascii: bool,
    /// Messages to show once the console is up (cache age, theme errors…).
    pub notices: Vec<String>,
    /// Ask Defender Experts channels, addresses and storage paths.
    pub experts: ExpertsConfig,
    /// Teammates offered when assigning.
    pub teammates: Vec<String>,
}

/// Minimum spacing between frames.
const FRAME: Duration = Duration::from_millis(16);

enum Exit {
    Normal,
    Hangup,
}

/// Runs the console until the analyst quits, the terminal goes away or a signal arrives.
pub async fn run(ctx: RunContext) -> anyhow::Result<Store> {
    let RunContext {
        store,
        commands,
        mut updates,
        theme,
        keymap,
        profile_label,
        read_only,
        bell,
        saved_views,
        ascii,
        notices,
        experts,
        teammates,
    } = ctx;
    let config = AppConfig {
        theme,
        keymap,
        profile_label,
        read_only,
        bell,
        saved_views,
        ascii,
        experts,
        teammates,
    };
    let mut app = App::new(store, config, Timestamp::now());
    for n in notices {
        app.notify(super::app::Level::Info, n);
    }

    term::install_panic_hook();
    let mut guard = TerminalGuard::enter(term::TerminalOptions::default())?;
    let mut events = EventStream::new();
    let mut hup = signal(SignalKind::hangup())?;
    let mut term_sig = signal(SignalKind::terminate())?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_draw: Option<Instant> = None;
    let mut clear_next = false;

    let exit = loop {
        // Draw when dirty, no more than one frame per FRAME.
        if app.is_dirty() {
            let due = last_draw.map(|t| t + FRAME).unwrap_or_else(Instant::now);
            if Instant::now() >= due {
                app.take_dirty();
                if std::mem::take(&mut clear_next) {
                    guard.terminal().clear()?;
                }
                term::draw_synchronized(guard.terminal(), |f| app.render(f))?;
                last_draw = Some(Instant::now());
            }
        }
        let frame_wait = match (app.is_dirty(), last_draw) {
            (true, Some(t)) => Some(t + FRAME),
            (true, None) => Some(Instant::now()),
            _ => None,
        };
        let mut quit = false;
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => {
                    let effects = app.handle_key(k);
                    quit = carry_out(&mut app, &mut guard, &commands, effects, &mut clear_next);
                }
                Some(Ok(Event::Paste(p))) => {
                    let effects = app.handle_paste(&p);
                    quit = carry_out(&mut app, &mut guard, &commands, effects, &mut clear_next);
                }
                Some(Ok(Event::Resize(_, _))) => app.mark_dirty(),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    app.flush_drafts();
                    break Exit::Hangup;
                }
            },
            first = updates.recv() => match first {
                Some(u) => {
                    let mut effects = app.apply_update(u);
                    while let Ok(u) = updates.try_recv() {
                        effects.extend(app.apply_update(u));
                    }
                    // One bell per batch.
                    let mut rang = false;
                    effects.retain(|e| !matches!(e, Effect::Bell) || !std::mem::replace(&mut rang, true));
                    quit = carry_out(&mut app, &mut guard, &commands, effects, &mut clear_next);
                }
                None => {
                    app.notify(super::app::Level::Error, "The sync engine stopped");
                    // Keep the console usable with what is loaded; never poll a closed channel.
                    updates = mpsc::unbounded_channel().1;
                }
            },
            _ = tick.tick() => {
                app.tick(Timestamp::now());
            },
            _ = hup.recv() => {
                // Drafts first: the terminal may be gone, the disk is not.
                app.flush_drafts();
                break Exit::Hangup;
            }
            _ = term_sig.recv() => {
                app.flush_drafts();
                break Exit::Normal;
            }
            _ = async {
                match frame_wait {
                    Some(t) => tokio::time::sleep_until(t).await,
                    None => std::future::pending::<()>().await,
                }
            } => {}
        }
        if quit {
            break Exit::Normal;
        }
    };
    let _ = commands.send(Command::Shutdown);
    match exit {
        Exit::Normal => {
            drop(guard);
        }
        Exit::Hangup => {
            // The pty is probably gone: restoring may fail; ignore write errors.
            std::mem::forget(guard);
            term::restore();
        }
    }
    Ok(app.into_store())
}

/// Carries out effects; returns true to quit.
fn carry_out(
    app: &mut App,
    guard: &mut TerminalGuard,
    commands: &mpsc::UnboundedSender<Command>,
    effects: Vec<Effect>,
    clear_next: &mut bool,
) -> bool {
    let mut quit = false;
    for e in effects {
        match e {
            Effect::SendCommand(c) => {
                if commands.send(c).is_err() {
                    app.notify(super::app::Level::Error, "The sync engine is not running");
                }
            }
            Effect::Copy { text, what } => {
                let env = |k: &str| std::env::var(k).ok();
                let w = guard.terminal().backend_mut();
                let result = clipboard::copy(&sanitize::sanitize_multiline(&text), &env, None, w)
                    .map(|m| m.to_string());
                let _ = w.flush();
                app.report_copy(&what, result);
            }
            Effect::Bell => {
                // Written through the backend only when the bell is enabled (the app emits
                // Bell only then).
                let w = guard.terminal().backend_mut();
                let _ = w.write_all(b"\x07");
                let _ = w.flush();
            }
            Effect::Quit => quit = true,
            Effect::ClearScreen => {
                *clear_next = true;
                app.mark_dirty();
            }
        }
    }
    quit
}
