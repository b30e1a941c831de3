//! The event loop: keys, engine updates, signals and one 1 Hz timer in a `select!`; draws only
//! when dirty, after every event already typed is handled (see [`super::coalesce`]), at most
//! one frame per 16 ms, inside synchronized output. Idle costs zero bytes.

use super::app::{App, AppConfig, Effect, ExpertsConfig};
use super::coalesce::{FRAME, Frames, drain_ready};
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
use std::ops::ControlFlow;
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
    /// The profile's database (`None`: nothing kept between runs).
    pub db: Option<crate::db::Db>,
}

enum Exit {
    Normal,
    Hangup,
}

/// What the loop does after handling input.
enum Flow {
    Continue,
    Quit,
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
        db,
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
        db,
    };
    let mut app = App::new(store, config, Timestamp::now());
    for n in notices {
        app.show_toast(super::app::Level::Info, n);
    }

    term::install_panic_hook();
    let mut guard = TerminalGuard::enter(term::TerminalOptions::default())?;
    let mut events = EventStream::new();
    let mut hup = signal(SignalKind::hangup())?;
    let mut term_sig = signal(SignalKind::terminate())?;
    // Sent by `kill`: in raw mode Ctrl-C and Ctrl-\ arrive as keys, not as these signals.
    let mut int_sig = signal(SignalKind::interrupt())?;
    let mut quit_sig = signal(SignalKind::quit())?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut frames = Frames::default();

    let exit = loop {
        // Draw when dirty, no more than one frame per FRAME.
        frames.draw_if_due(Instant::now(), &mut app, guard.terminal())?;
        let frame_wait = frames.next_due(app.is_dirty(), Instant::now());
        let mut flow = Flow::Continue;
        tokio::select! {
            first = events.next() => {
                // Everything already typed is handled before the next frame, unless that takes
                // longer than a frame interval: then a frame is drawn and the rest follows.
                let turn_ends = Instant::now() + FRAME;
                let drained = drain_ready(first, &mut events, |ev| {
                    flow = handle_event(&mut app, &mut guard, &commands, &mut frames, ev);
                    if matches!(flow, Flow::Continue) && Instant::now() < turn_ends {
                        ControlFlow::Continue(())
                    } else {
                        ControlFlow::Break(())
                    }
                })
                .await;
                if drained.ended && matches!(flow, Flow::Continue) {
                    app.flush_drafts();
                    flow = Flow::Hangup;
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
                    if carry_out(&mut app, &mut guard, &commands, effects, &mut frames) {
                        flow = Flow::Quit;
                    }
                }
                None => {
                    app.show_toast(super::app::Level::Error, "The sync engine stopped");
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
                flow = Flow::Hangup;
            }
            _ = term_sig.recv() => {
                app.flush_drafts();
                flow = Flow::Quit;
            }
            _ = int_sig.recv() => {
                app.flush_drafts();
                flow = Flow::Quit;
            }
            _ = quit_sig.recv() => {
                app.flush_drafts();
                flow = Flow::Quit;
            }
            _ = async {
                match frame_wait {
                    Some(t) => tokio::time::sleep_until(t).await,
                    None => std::future::pending::<()>().await,
                }
            } => {}
        }
        match flow {
            Flow::Continue => {}
            Flow::Quit => break Exit::Normal,
            Flow::Hangup => break Exit::Hangup,
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

/// One terminal event.
fn handle_event(
    app: &mut App,
    guard: &mut TerminalGuard,
    commands: &mpsc::UnboundedSender<Command>,
    frames: &mut Frames,
    ev: std::io::Result<Event>,
) -> Flow {
    let effects = match ev {
        Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => app.handle_key(k),
        Ok(Event::Paste(p)) => app.handle_paste(&p),
        Ok(Event::Resize(_, _)) => {
            app.mark_dirty();
            Vec::new()
        }
        Ok(_) => Vec::new(),
        Err(_) => {
            app.flush_drafts();
            return Flow::Hangup;
        }
    };
    if carry_out(app, guard, commands, effects, frames) {
        Flow::Quit
    } else {
        Flow::Continue
    }
}

/// Carries out effects; returns true to quit.
fn carry_out(
    app: &mut App,
    guard: &mut TerminalGuard,
    commands: &mpsc::UnboundedSender<Command>,
    effects: Vec<Effect>,
    frames: &mut Frames,
) -> bool {
    let mut quit = false;
    for e in effects {
        match e {
            Effect::SendCommand(c) => {
                if commands.send(c).is_err() {
                    app.show_toast(super::app::Level::Error, "The sync engine is not running");
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
                frames.clear_next();
                app.mark_dirty();
            }
            Effect::Suspend => {
                if !suspend(guard) {
                    quit = true;
                }
                app.mark_dirty();
            }
        }
    }
    quit
}

/// Ctrl-Z: gives the terminal back to the shell, stops until `fg` (SIGCONT), then takes the
/// terminal again for a full repaint. False if the terminal cannot be taken back.
fn suspend(guard: &mut TerminalGuard) -> bool {
    guard.suspend();
    // Without job control (an orphaned process group) the kernel discards the signal and the
    // console simply comes back.
    if let Err(e) = signal_hook::low_level::raise(signal_hook::consts::SIGTSTP) {
        tracing::warn!(error = %e, "could not stop for Ctrl-Z");
    }
    match guard.resume() {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "could not take the terminal back after Ctrl-Z");
            false
        }
    }
}
