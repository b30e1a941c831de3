//! The sync engine task: initial load, delta polling by `lastUpdateDateTime` watermark,
//! on-demand reads, and the outbox of writes. It owns no screen; it talks to the UI only
//! through [`Command`]s and [`Update`]s.
//!
//! Window choice: the initial load asks for incidents with `lastUpdateDateTime ge now - window`
//! (the portal's queue shows incidents *updated* in the period, so an old incident that was
//! just reopened is included). Delta polls ask for `lastUpdateDateTime ge watermark - overlap`
//! without the status/severity filters, so an incident leaving the configured statuses is
//! still seen changing.

use super::api::{GraphApi, is_network};
use super::internal::{Internal, RunKind, RunStats};
use super::lazy::{self, LazyItem};
use super::lister::{ListQuery, Lister, filter_clauses, get_incident_alerts};
use super::messages::{AlertsMode, Command, OpId, Phase, SyncStatus, Update, WriteOp};
use super::outbox::{Outbox, OutboxEntry, persist};
use super::persist::{store_alerts, stored_alerts};
use super::reads::{load_incident, report_load_error, run_listing};
use super::unknown_enums::UnknownEnums;
use super::writer::Writer;
use crate::experts::tasks::IncidentTask;
use crate::graph::error::GraphError;
use crate::graph::model::Timestamp;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::sync::{Mutex, Notify};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

/// Attempts after which a failed write waits for the analyst's "retry failed".
const AUTO_RETRY_ATTEMPTS: u32 = 5;

/// First wait before retrying while offline (doubles up to the poll interval).
const OFFLINE_BACKOFF: Duration = Duration::from_secs(5);

/// Engine settings.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineConfig {
    /// Initial load covers incidents updated in the last `window_days` days.
    pub window_days: u32,
    /// `$top` for listings.
    pub page_size: u32,
    /// `$top` after an expanded page failed with a 5xx.
    pub small_page_size: u32,
    /// Delta poll period.
    pub poll_interval: Duration,
    /// How far before the watermark each delta poll starts (late writes, reopened incidents).
    pub overlap: Duration,
    /// Server-side status filter for the initial load (schema names).
    pub statuses: Option<Vec<String>>,
    /// Server-side severity filter for the initial load.
    pub severities: Option<Vec<String>>,
    /// Allow `/beta` reads for Defender Experts fields (`LoadIncident{beta: true}`); when
    /// false every read uses v1.0.
    pub beta_for_experts: bool,
    /// Where the outbox lives when `db` is `None`; both `None` keeps queued writes in memory
    /// only.
    pub outbox_path: Option<PathBuf>,
    /// Refuse every write.
    pub read_only: bool,
    /// The profile's database (`None`: nothing kept between runs, e.g. tests and export).
    pub db: Option<crate::db::Db>,
    /// The UI was painted from `db`: at start, send it every stored incident with its alerts
    /// and resume from the stored watermark (when false, a full load as on a first start).
    pub start_from_db: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            window_days: 30,
            page_size: 50,
            small_page_size: 10,
            poll_interval: Duration::from_secs(60),
            overlap: Duration::from_secs(300),
            statuses: None,
            severities: None,
            beta_for_experts: true,
            outbox_path: None,
            db: None,
            start_from_db: false,
            read_only: false,
        }
    }
}

/// The running engine: send [`Command`]s, receive [`Update`]s. Aborting `task` stops the engine
/// and everything it started (the outbox on disk stays as it was).
pub struct EngineHandle {
    pub commands: UnboundedSender<Command>,
    pub updates: UnboundedReceiver<Update>,
    pub task: JoinHandle<()>,
}

/// Starts the engine on the current tokio runtime. It begins with the outbox replay and the
/// initial load.
pub fn spawn<A: GraphApi>(api: Arc<A>, cfg: EngineConfig) -> EngineHandle {
    let (commands, cmd_rx) = mpsc::unbounded_channel();
    let (ui, updates) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(api, cfg, cmd_rx, ui));
    EngineHandle {
        commands,
        updates,
        task,
    }
}

struct Engine<A> {
    api: Arc<A>,
    cfg: EngineConfig,
    ui: UnboundedSender<Update>,
    internal: UnboundedSender<Internal>,
    loader: UnboundedSender<Vec<LazyItem>>,
    outbox: Arc<Mutex<Outbox>>,
    notify: Arc<Notify>,
    beta_unavailable: Arc<AtomicBool>,
    status: SyncStatus,
    last_sent: Option<SyncStatus>,
    watermark: Option<Timestamp>,
    mode: AlertsMode,
    initial_done: bool,
    running: Option<RunKind>,
    /// A refresh asked for while a run was going (`true`: a full one).
    pending: Option<bool>,
    next_poll: Instant,
    backoff: Duration,
    offline: bool,
    last_error: Option<String>,
    /// Incidents whose record failed to parse in a listing, with the re-reads tried so far:
    /// each is re-read on its own after a successful poll (a few times), so a record that was
    /// bad only in transit converges without a full refresh.
    bad_ids: std::collections::HashMap<String, u32>,
    /// Records without a readable id were bad: one full reload repairs them once a poll comes
    /// back clean (at most every [`REPAIR_SPACING`]).
    unidentified_bad: bool,
    /// The current run met bad records.
    bad_in_run: bool,
    last_repair: Option<Instant>,
    /// Incidents held with unknown enum members, re-read until they converge.
    unknown_enums: UnknownEnums,
    /// The running advanced hunting query (aborting it drops the request).
    hunt: Option<tokio::task::AbortHandle>,
}

/// Minimum time between two repair reloads.
const REPAIR_SPACING: Duration = Duration::from_secs(600);

/// Re-reads of one bad record before giving up until the next full refresh.
const BAD_RECORD_REREADS: u32 = 3;
/// At most this many bad records are re-read after one poll.
const BAD_RECORD_BATCH: usize = 20;

async fn run<A: GraphApi>(
    api: Arc<A>,
    cfg: EngineConfig,
    mut cmd_rx: UnboundedReceiver<Command>,
    ui: UnboundedSender<Update>,
) {
    let (internal, mut internal_rx) = mpsc::unbounded_channel();
    let (loader, loader_rx) = mpsc::unbounded_channel();
    let mut tasks = JoinSet::new();

    let (outbox, warning) = open_outbox(&cfg).await;
    let outbox = Arc::new(Mutex::new(outbox));
    let notify = Arc::new(Notify::new());
    tasks.spawn(
        Writer {
            api: api.clone(),
            outbox: outbox.clone(),
            notify: notify.clone(),
            ui: ui.clone(),
            internal: internal.clone(),
        }
        .run(),
    );
    tasks.spawn(lazy::run(
        api.clone(),
        loader_rx,
        ui.clone(),
        internal.clone(),
        cfg.db.clone(),
    ));

    let poll = cfg.poll_interval;
    let mut engine = Engine {
        api,
        cfg,
        ui,
        internal,
        loader,
        outbox,
        notify,
        beta_unavailable: Arc::new(AtomicBool::new(false)),
        status: SyncStatus::default(),
        last_sent: None,
        watermark: None,
        mode: AlertsMode::Expanded,
        initial_done: false,
        running: None,
        pending: None,
        next_poll: Instant::now() + poll,
        backoff: OFFLINE_BACKOFF,
        offline: false,
        last_error: None,
        bad_ids: std::collections::HashMap::new(),
        unidentified_bad: false,
        bad_in_run: false,
        last_repair: None,
        unknown_enums: UnknownEnums::default(),
        hunt: None,
    };
    if let Some(message) = warning {
        tracing::warn!(%message, "outbox");
        engine.send(Update::Error { message });
    }
    if let (true, Some(db)) = (engine.cfg.start_from_db, engine.cfg.db.clone()) {
        let ui = engine.ui.clone();
        tasks.spawn(async move {
            let replay =
                tokio::task::spawn_blocking(move || super::persist::replay_stored(&db, &ui));
            let _ = replay.await;
        });
    }
    engine.replay_outbox().await;
    // Resume from the stored watermark (a delta poll) when it is recent enough; else load.
    let first = if engine.resume_from_db() {
        RunKind::Delta
    } else {
        RunKind::Initial
    };
    engine.start_run(first, &mut tasks);
    // While work is in flight, refresh the status once a second so throttling waits (which
    // happen inside the client) show in the status bar as they happen.
    let mut status_tick = tokio::time::interval(Duration::from_secs(1));
    status_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    loop {
        let can_poll = engine.running.is_none();
        let busy = !tasks.is_empty();
        tokio::select! {
            _ = status_tick.tick(), if busy => engine.emit_status(),
            cmd = cmd_rx.recv() => match cmd {
                None | Some(Command::Shutdown) => {
                    engine.shutdown().await;
                    tasks.shutdown().await;
                    return;
                }
                Some(c) => engine.command(c, &mut tasks).await,
            },
            Some(ev) = internal_rx.recv() => engine.internal_event(ev, &mut tasks).await,
            _ = tokio::time::sleep_until(engine.next_poll), if can_poll => {
                let kind = if engine.initial_done { RunKind::Delta } else { RunKind::Initial };
                engine.start_run(kind, &mut tasks);
            }
            Some(res) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(e) = res && e.is_panic() {
                    engine.send(Update::Error { message: format!("internal error in the sync engine: {e}") });
                }
            }
        }
    }
}

/// Loads the configured outbox (off the async threads): the database's when one is
/// configured, else the file at `outbox_path`; read-only mode never changes it.
async fn open_outbox(cfg: &EngineConfig) -> (Outbox, Option<String>) {
    if let Some(db) = cfg.db.clone() {
        if cfg.read_only {
            let held = tokio::task::spawn_blocking(move || crate::db::outbox::count(&db))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(0);
            let note = (held > 0).then(|| {
                format!(
                    "read-only mode: {held} writes queued in the local database are kept for a read-write session"
                )
            });
            return (Outbox::in_memory(), note);
        }
        return match tokio::task::spawn_blocking(move || Outbox::load_db(db)).await {
            Ok(loaded) => loaded,
            Err(e) => {
                let msg = format!("could not open the outbox: {e}; changes are refused");
                (Outbox::unusable(msg.clone()), Some(msg))
            }
        };
    }
    let Some(path) = cfg.outbox_path.clone() else {
        return (Outbox::in_memory(), None);
    };
    if cfg.read_only {
        let note = path.exists().then(|| {
            format!(
                "read-only mode: writes queued in {} are kept for a read-write session",
                path.display()
            )
        });
        return (Outbox::in_memory(), note);
    }
    match tokio::task::spawn_blocking(move || Outbox::load(path)).await {
        Ok(loaded) => loaded,
        Err(e) => (
            Outbox::in_memory(),
            Some(format!("could not open the outbox: {e}")),
        ),
    }
}

impl<A: GraphApi> Engine<A> {
    fn send(&self, u: Update) {
        let _ = self.ui.send(u);
    }

    /// Sends the status when it changed.
    fn emit_status(&mut self) {
        self.status.requests = self.api.requests();
        self.status.throttled_until = self.api.throttled_until();
        if self.last_sent.as_ref() != Some(&self.status) {
            self.last_sent = Some(self.status.clone());
            self.send(Update::Status(self.status.clone()));
        }
    }

    fn busy_phase(&self) -> Phase {
        match self.running {
            Some(RunKind::Initial) => Phase::InitialLoad,
            Some(RunKind::Delta) => Phase::Polling,
            None => Phase::Idle,
        }
    }

    /// Reports an error once until it changes or a run succeeds.
    fn report_error(&mut self, message: String) {
        self.status.last_error = Some(message.clone());
        if self.last_error.as_ref() != Some(&message) {
            self.last_error = Some(message.clone());
            self.send(Update::Error { message });
        }
    }

    async fn replay_outbox(&mut self) {
        let ob = self.outbox.lock().await;
        let entries: Vec<OutboxEntry> = ob.entries().to_vec();
        let (pending, failed) = ob.counts();
        let usable = ob.is_usable();
        drop(ob);
        let ops = entries.iter().map(|e| e.op).collect();
        for e in entries {
            let conflict = e.conflict;
            self.announce_queued(e.op, e.write);
            // A conflict found before the restart still waits for the analyst.
            if let Some(c) = conflict {
                self.send(Update::Conflict {
                    op: e.op,
                    server: c.server,
                    changed_fields: c.changed_fields,
                });
            }
        }
        // An outbox that could not be read says nothing about which deliveries settled.
        if usable {
            self.send(Update::OutboxLoaded { ops });
        }
        self.status.outbox_pending = pending;
        self.status.outbox_failed = failed;
        self.notify.notify_one();
    }

    /// Makes failed writes pending again (reconnection, "retry failed").
    async fn retry_failed(&mut self) {
        self.retry_failed_below(u32::MAX).await;
    }

    /// Makes failed writes tried fewer than `max_attempts` times pending again.
    async fn retry_failed_below(&mut self, max_attempts: u32) {
        let mut ob = self.outbox.lock().await;
        let retried = ob.retry_failed_below(max_attempts);
        if retried.is_empty() {
            return;
        }
        let saved = persist(&mut ob).await;
        let (pending, failed) = ob.counts();
        drop(ob);
        if let Err(e) = saved {
            self.send(Update::Error {
                message: format!("could not save the outbox: {e}"),
            });
        }
        for e in retried {
            self.announce_queued(e.op, e.write);
        }
        self.status.outbox_pending = pending;
        self.status.outbox_failed = failed;
        self.notify.notify_one();
        self.emit_status();
    }

    /// Tells the UI a write is queued. Mail changes no record, so it is not announced to the
    /// store; its outcome arrives as `MailSent` / `MailPending`.
    fn announce_queued(&self, op: OpId, write: WriteOp) {
        if write.mail_inquiry().is_none() {
            self.send(Update::WriteQueued { op, write });
        }
    }

    /// Makes a write durable in the outbox, then lets the writer send it. `recovered` (the
    /// analyst's original queue time) marks a write an earlier run may have applied.
    async fn queue_write(&mut self, op: OpId, write: WriteOp, recovered: Option<Timestamp>) {
        let target = write.target();
        let refuse = |engine: &Self, message: String| match write.mail_inquiry() {
            Some(inquiry_id) => engine.send(Update::MailSent {
                op,
                inquiry_id: inquiry_id.to_string(),
                result: Err(message),
            }),
            None => engine.send(Update::WriteFailed {
                op,
                target: target.clone(),
                message,
                retryable: false,
            }),
        };
        if self.cfg.read_only {
            let message = if write.mail_inquiry().is_some() {
                "read-only mode: sending mail is disabled".to_string()
            } else {
                "read-only mode: writes are disabled for this session".to_string()
            };
            refuse(self, message);
            return;
        }
        let entry = match recovered {
            Some(at) => OutboxEntry::recovered(op, write.clone(), at),
            None => OutboxEntry::new(op, write.clone()),
        };
        let mut ob = self.outbox.lock().await;
        if !ob.push(entry) {
            drop(ob);
            refuse(self, format!("operation {op} is already queued"));
            return;
        }
        if let Err(e) = persist(&mut ob).await {
            // Not durable, so not sent: a crash would lose it without a word.
            ob.remove(op);
            let (pending, failed) = ob.counts();
            drop(ob);
            let message = format!(
                "could not save the outbox ({e}): the change was not saved, so not sent; make it again once the disk is fine"
            );
            tracing::error!(%message, op, "write refused");
            // Refused for good: the outbox no longer holds it, so nothing is left to retry.
            refuse(self, message);
            self.status.outbox_pending = pending;
            self.status.outbox_failed = failed;
            self.emit_status();
            return;
        }
        let (pending, failed) = ob.counts();
        drop(ob);
        self.announce_queued(op, write);
        self.notify.notify_one();
        self.status.outbox_pending = pending;
        self.status.outbox_failed = failed;
        self.emit_status();
    }

    /// The analyst overwrites the server's values: the entry in conflict is sent with `force`.
    async fn overwrite(&mut self, op: OpId) {
        let mut ob = self.outbox.lock().await;
        let Some(entry) = ob.overwrite(op) else {
            drop(ob);
            self.send(Update::Error {
                message: format!("operation {op} is not waiting for a decision"),
            });
            return;
        };
        // Not saving the decision loses nothing: after a crash the conflict is shown again.
        let saved = persist(&mut ob).await;
        let (pending, failed) = ob.counts();
        drop(ob);
        if let Err(e) = saved {
            tracing::warn!(error = %e, op, "outbox not saved after an overwrite decision");
        }
        self.send(Update::WriteQueued {
            op,
            write: entry.write,
        });
        self.status.outbox_pending = pending;
        self.status.outbox_failed = failed;
        self.notify.notify_one();
        self.emit_status();
    }

    /// The analyst keeps the server's values: the entry leaves the outbox unsent.
    async fn discard(&mut self, op: OpId) {
        let mut ob = self.outbox.lock().await;
        let Some(entry) = ob.remove(op) else {
            drop(ob);
            return;
        };
        let saved = persist(&mut ob).await;
        let (pending, failed) = ob.counts();
        drop(ob);
        let mut message = "discarded: the server's version was kept".to_string();
        if let Err(e) = saved {
            message = format!(
                "{message}, but the outbox could not be saved ({e}): the change may be offered again after a restart"
            );
            tracing::error!(%message, op, "outbox not saved after a discard");
        }
        self.send(Update::WriteFailed {
            op,
            target: entry.write.target(),
            message,
            retryable: false,
        });
        self.status.outbox_pending = pending;
        self.status.outbox_failed = failed;
        self.emit_status();
    }

    async fn shutdown(&mut self) {
        let mut ob = self.outbox.lock().await;
        if let Err(e) = persist(&mut ob).await {
            drop(ob);
            self.send(Update::Error {
                message: format!("could not save the outbox: {e}"),
            });
        }
    }

    /// Takes the stored watermark when it is newer than the load window's start (so a delta
    /// poll covers everything missed since): the rows are already on screen from the database.
    fn resume_from_db(&mut self) -> bool {
        let Some(db) = self.cfg.db.as_ref().filter(|_| self.cfg.start_from_db) else {
            return false;
        };
        let stored = match crate::db::watermark::load(db) {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the stored watermark");
                None
            }
        };
        let window = i64::from(self.cfg.window_days) * 86_400;
        let oldest = Timestamp::now().plus_seconds(-window);
        match stored {
            Some(w) if w.saved_at > oldest && w.at > oldest => {
                self.watermark = Some(w.at);
                self.initial_done = true;
                true
            }
            _ => false,
        }
    }

    fn save_watermark(&self) {
        if let (Some(db), Some(w)) = (&self.cfg.db, self.watermark)
            && let Err(e) = crate::db::watermark::save(db, w)
        {
            tracing::warn!(error = %e, "could not store the watermark");
        }
    }

    /// After a full load that started at `started`, forgets stored incidents older than the
    /// window (the load listed everything newer).
    fn prune_stored(&self, started: Timestamp) {
        let window = i64::from(self.cfg.window_days) * 86_400;
        if let Some(db) = &self.cfg.db
            && let Err(e) = crate::db::incidents::prune_before(db, started.plus_seconds(-window))
        {
            tracing::warn!(error = %e, "could not prune stored incidents");
        }
    }

    fn start_run(&mut self, kind: RunKind, tasks: &mut JoinSet<()>) {
        let since_initial =
            Timestamp::now().plus_seconds(-(i64::from(self.cfg.window_days) * 86_400));
        let filters = match (kind, self.watermark) {
            (RunKind::Delta, Some(w)) => {
                let overlap = i64::try_from(self.cfg.overlap.as_secs()).unwrap_or(i64::MAX);
                filter_clauses(
                    "lastUpdateDateTime",
                    Some(w.plus_seconds(-overlap)),
                    &[],
                    &[],
                )
            }
            _ => filter_clauses(
                "lastUpdateDateTime",
                Some(since_initial),
                self.cfg.statuses.as_deref().unwrap_or(&[]),
                self.cfg.severities.as_deref().unwrap_or(&[]),
            ),
        };
        let query = ListQuery {
            filters,
            page_size: self.cfg.page_size,
            small_page_size: self.cfg.small_page_size,
        };
        self.running = Some(kind);
        self.status.in_flight = true;
        self.status.pages = 0;
        self.status.items = 0;
        if !self.offline {
            self.status.phase = self.busy_phase();
        }
        tasks.spawn(run_listing(
            self.api.clone(),
            kind,
            Lister::new(query, self.mode),
            self.ui.clone(),
            self.internal.clone(),
            self.loader.clone(),
            self.cfg.db.clone(),
        ));
        self.emit_status();
    }

    async fn command(&mut self, c: Command, tasks: &mut JoinSet<()>) {
        match c {
            Command::Refresh { full } => {
                // Records held with unknown enum members are re-read after this refresh.
                self.unknown_enums.rearm();
                if self.running.is_some() {
                    self.pending = Some(self.pending.unwrap_or(false) || full);
                } else {
                    let kind = if full || !self.initial_done {
                        RunKind::Initial
                    } else {
                        RunKind::Delta
                    };
                    self.start_run(kind, tasks);
                }
            }
            Command::LoadAlerts { incident_id } => {
                // What the database holds first (well under a frame), then the service's.
                if let Some(alerts) = stored_alerts(self.cfg.db.as_ref(), &incident_id) {
                    self.send(Update::Alerts {
                        incident_id: incident_id.clone(),
                        alerts,
                    });
                }
                let (api, ui, internal) =
                    (self.api.clone(), self.ui.clone(), self.internal.clone());
                let db = self.cfg.db.clone();
                tasks.spawn(async move {
                    match get_incident_alerts(&*api, &incident_id).await {
                        Ok(alerts) => {
                            let _ = internal.send(Internal::RequestOk);
                            store_alerts(db.as_ref(), &incident_id, &alerts);
                            let _ = ui.send(Update::Alerts {
                                incident_id,
                                alerts,
                            });
                        }
                        Err(e) => report_load_error(
                            &ui,
                            &internal,
                            format!("alerts of incident {incident_id}"),
                            e,
                        ),
                    }
                });
            }
            Command::SendMail {
                op,
                inquiry_id,
                mail,
            } => {
                // Mail rides the durable outbox like every other write.
                let write = WriteOp::SendMail { inquiry_id, mail };
                self.queue_write(op, write, None).await;
            }
            Command::LoadTasks { incident_id } => {
                // incidentTasks exists only in beta: with beta reads disabled there are none.
                if !self.cfg.beta_for_experts {
                    self.send(Update::Tasks {
                        incident_id,
                        tasks: Vec::new(),
                    });
                    return;
                }
                let (api, ui) = (self.api.clone(), self.ui.clone());
                tasks.spawn(async move {
                    let path = crate::graph::resources::incident_tasks(&incident_id);
                    let tasks = match api.get_json(&path).await {
                        // A record without a usable id is skipped.
                        Ok(v) => v
                            .get("value")
                            .and_then(|x| x.as_array())
                            .into_iter()
                            .flatten()
                            .filter_map(|t| IncidentTask::from_value(t.clone()).ok())
                            .collect(),
                        // Tenants without managed response (or without the beta API) have
                        // no tasks: the section stays hidden.
                        Err(e) => {
                            tracing::debug!(error = %e, "incident tasks unavailable");
                            Vec::new()
                        }
                    };
                    let _ = ui.send(Update::Tasks { incident_id, tasks });
                });
            }
            Command::UpdateTask {
                op,
                incident_id,
                task_id,
                status,
            } => {
                if self.cfg.read_only {
                    self.send(Update::TaskUpdated {
                        op,
                        incident_id,
                        task_id,
                        result: Err("read-only mode: task updates are disabled".into()),
                    });
                    return;
                }
                let (api, ui) = (self.api.clone(), self.ui.clone());
                tasks.spawn(async move {
                    let path = crate::graph::resources::incident_task(&task_id);
                    let result = api
                        .patch_json(
                            &path,
                            &crate::graph::resources::task_status_body(status.as_str()),
                        )
                        .await
                        .map_err(|e| e.to_string());
                    let _ = ui.send(Update::TaskUpdated {
                        op,
                        incident_id,
                        task_id,
                        result,
                    });
                });
            }
            Command::LoadIncident { incident_id, beta } => {
                let beta = beta && self.cfg.beta_for_experts;
                tasks.spawn(load_incident(
                    self.api.clone(),
                    incident_id,
                    beta,
                    self.beta_unavailable.clone(),
                    self.ui.clone(),
                    self.internal.clone(),
                    self.cfg.db.clone(),
                ));
            }
            Command::Write { op, write } => self.queue_write(op, write, None).await,
            Command::Requeue {
                op,
                write,
                queued_at,
            } => self.queue_write(op, write, Some(queued_at)).await,
            Command::Overwrite { op } => self.overwrite(op).await,
            Command::Discard { op } => self.discard(op).await,
            Command::RetryFailed => self.retry_failed().await,
            Command::Hunt { id, query } => {
                if let Some(h) = self.hunt.take() {
                    h.abort();
                }
                let (api, ui) = (self.api.clone(), self.ui.clone());
                self.hunt = Some(tasks.spawn(super::hunt::run(api, ui, id, query)));
            }
            Command::CancelHunt => {
                if let Some(h) = self.hunt.take() {
                    h.abort();
                }
            }
            Command::Shutdown => {}
        }
    }

    async fn internal_event(&mut self, ev: Internal, tasks: &mut JoinSet<()>) {
        match ev {
            Internal::RequestOk => {
                if self.offline {
                    self.offline = false;
                    self.status.phase = self.busy_phase();
                    self.status.last_error = None;
                    self.backoff = OFFLINE_BACKOFF;
                    self.emit_status();
                    self.retry_failed().await;
                }
            }
            Internal::NetFailure(e) => self.net_failure(e),
            Internal::OutboxCounts { pending, failed } => {
                self.status.outbox_pending = pending;
                self.status.outbox_failed = failed;
            }
            Internal::Progress { pages, items } => {
                self.status.pages = pages;
                self.status.items = items;
            }
            Internal::Mode(m) => {
                self.mode = m;
                self.status.alerts_mode = m;
            }
            Internal::Note(n) => self.status.last_error = Some(n),
            Internal::EnumsListed { unknown, clean } => self.unknown_enums.listed(unknown, clean),
            Internal::EnumsReread { id, unknown } => self.unknown_enums.reread(id, unknown),
            Internal::BadIds { ids, unidentified } => {
                self.bad_in_run = true;
                self.unidentified_bad |= unidentified > 0;
                for id in ids {
                    self.bad_ids.entry(id).or_insert(0);
                }
            }
            Internal::RunDone { kind, result } => {
                let ok = result.is_ok();
                self.run_done(kind, result, tasks);
                // The service answers again (a poll succeeded): writes that failed for a
                // transient reason (throttling, 5xx) are sent again by themselves, a bounded
                // number of times, one poll interval apart.
                if ok && !self.cfg.read_only {
                    self.retry_failed_below(AUTO_RETRY_ATTEMPTS).await;
                }
                if ok {
                    self.reread_bad_records(tasks);
                    self.reread_unknown_enums(tasks);
                    self.repair_if_clean(tasks);
                }
                self.bad_in_run = false;
            }
        }
        self.emit_status();
    }

    /// After a clean poll, reloads everything once if records without a readable id were bad
    /// earlier (they cannot be re-read one by one).
    fn repair_if_clean(&mut self, tasks: &mut JoinSet<()>) {
        let spaced = self
            .last_repair
            .is_none_or(|t| t.elapsed() >= REPAIR_SPACING);
        if self.unidentified_bad && !self.bad_in_run && spaced && self.running.is_none() {
            self.unidentified_bad = false;
            self.last_repair = Some(Instant::now());
            self.start_run(RunKind::Initial, tasks);
        }
    }

    /// Re-reads, one request each, incidents whose record was unparseable in a listing.
    fn reread_bad_records(&mut self, tasks: &mut JoinSet<()>) {
        let due: Vec<String> = self
            .bad_ids
            .iter()
            .filter(|(_, tries)| **tries < BAD_RECORD_REREADS)
            .map(|(id, _)| id.clone())
            .take(BAD_RECORD_BATCH)
            .collect();
        for id in due {
            if let Some(tries) = self.bad_ids.get_mut(&id) {
                *tries += 1;
            }
            tasks.spawn(load_incident(
                self.api.clone(),
                id,
                false,
                self.beta_unavailable.clone(),
                self.ui.clone(),
                self.internal.clone(),
                self.cfg.db.clone(),
            ));
        }
        self.bad_ids.retain(|_, tries| *tries < BAD_RECORD_REREADS);
    }

    /// Re-reads, one request each, incidents held with unknown enum members that are due.
    fn reread_unknown_enums(&mut self, tasks: &mut JoinSet<()>) {
        for id in self.unknown_enums.due_after_poll() {
            tasks.spawn(load_incident(
                self.api.clone(),
                id,
                false,
                self.beta_unavailable.clone(),
                self.ui.clone(),
                self.internal.clone(),
                self.cfg.db.clone(),
            ));
        }
    }

    fn net_failure(&mut self, e: GraphError) {
        if !self.offline {
            self.offline = true;
            self.status.phase = Phase::Offline;
            let message = format!("offline: {e}");
            self.status.last_error = Some(message.clone());
            self.send(Update::Error { message });
        }
        if self.running.is_none() {
            self.next_poll = self.next_poll.min(Instant::now() + self.backoff);
        }
    }

    fn run_done(
        &mut self,
        kind: RunKind,
        result: Result<RunStats, GraphError>,
        tasks: &mut JoinSet<()>,
    ) {
        self.running = None;
        self.status.in_flight = false;
        match result {
            Ok(stats) => {
                let seen = stats.max_update.or(if self.watermark.is_none() {
                    Some(stats.started)
                } else {
                    None
                });
                self.watermark = self.watermark.max(seen);
                self.save_watermark();
                if kind == RunKind::Initial {
                    self.initial_done = true;
                    self.prune_stored(stats.started);
                    self.send(Update::LoadComplete {
                        total: stats.total,
                        requests: stats.requests,
                        elapsed: stats.elapsed,
                        watermark: self.watermark,
                    });
                }
                self.status.last_refresh = Some(Timestamp::now());
                self.last_error = None;
                if !self.offline {
                    self.status.phase = Phase::Idle;
                    self.status.last_error = None;
                }
                self.next_poll = Instant::now() + self.cfg.poll_interval;
                self.backoff = OFFLINE_BACKOFF;
            }
            Err(e) if is_network(&e) => {
                self.net_failure(e);
                self.next_poll = Instant::now() + self.backoff;
                self.backoff = (self.backoff * 2).min(self.cfg.poll_interval.max(OFFLINE_BACKOFF));
            }
            Err(e) => {
                let what = if kind == RunKind::Initial {
                    "loading incidents"
                } else {
                    "polling for changes"
                };
                self.report_error(format!("{what} failed: {e}"));
                if !self.offline {
                    self.status.phase = Phase::Idle;
                }
                self.next_poll = Instant::now() + self.cfg.poll_interval;
            }
        }
        if let Some(full) = self.pending.take() {
            let kind = if full || !self.initial_done {
                RunKind::Initial
            } else {
                RunKind::Delta
            };
            self.start_run(kind, tasks);
        }
    }
}
