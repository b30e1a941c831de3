//! App state and the page stack (Queue → Incident → Alert → Evidence). Logic is split from IO:
//! [`App::handle_key`], [`App::apply_update`] and [`App::tick`] change state and return
//! [`Effect`]s for the event loop to carry out; [`App::render`] draws. Tests drive these
//! directly.

mod comment_drafts;
mod confirm_writes;
mod experts;
mod notices;
mod overlays;
mod queue_views;
mod writes;

pub use experts::ExpertsConfig;
pub use notices::NoticeRecord;

use super::action::Action;
use super::keymap::{Context, Keymap};
use super::modal::Modal;
use super::sanitize::{sanitize, sanitize_spans};
use super::theme::Theme;
use super::triage::Field;
use super::views::alert::{self, AlertData, AlertSection};
use super::views::doc::{self, Doc};
use super::views::incident::{self, IncidentData, Section};
use super::views::queue::{self, QueueRows, SORT_CYCLE};
use super::views::queue_summary::{self, QueueSummary};
use super::views::status_bar::{self, StatusData};
use super::views::{Symbols, evidence, help};
use crate::graph::model::Timestamp;
use crate::store::{Counts, IncidentEntry, Query, QueryError, Sort, Store};
use crate::sync::{Command, OpId, Phase, SyncStatus, Target, Update, WriteOp};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};
use std::collections::HashMap;
use std::collections::HashSet;
use std::time::Instant;
use unicode_width::UnicodeWidthStr;

/// Something the event loop must do for the app.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Effect {
    /// Send a command to the sync engine.
    SendCommand(Command),
    /// Copy already-sanitised `text` to the clipboard; `what` names it for the message
    /// ("incident 123 URL"). Report the outcome with [`App::report_copy`].
    Copy { text: String, what: String },
    /// Ring the terminal bell (only produced when the bell is enabled).
    Bell,
    /// Leave the console.
    Quit,
    /// Clear the screen and repaint everything (the redraw key).
    ClearScreen,
    /// Give the terminal back to the shell and stop (Ctrl-Z); repaint everything on `fg`.
    Suspend,
}

/// Settings the app is built with.
#[derive(Clone, Debug)]
pub struct AppConfig {
    pub theme: Theme,
    pub keymap: Keymap,
    pub profile_label: String,
    pub read_only: bool,
    /// Ring the bell on important notices.
    pub bell: bool,
    /// Named saved views: (name, filter text).
    pub saved_views: Vec<(String, String)>,
    /// ASCII glyphs only.
    pub ascii: bool,
    /// Ask Defender Experts channels, addresses and storage.
    pub experts: ExpertsConfig,
    /// Teammates offered when assigning (`[user] teammates`).
    pub teammates: Vec<String>,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            theme: Theme::default(),
            keymap: Keymap::default(),
            profile_label: "default".into(),
            read_only: false,
            bell: false,
            saved_views: Vec::new(),
            ascii: false,
            experts: ExpertsConfig::default(),
            teammates: Vec::new(),
        }
    }
}

/// A page above the queue.
#[derive(Clone, Debug, PartialEq)]
enum Page {
    Incident {
        id: String,
        section: Section,
        cursor: usize,
        scroll: usize,
    },
    Alert {
        incident_id: String,
        alert_id: String,
        section: AlertSection,
        cursor: usize,
        scroll: usize,
    },
    Evidence {
        alert_id: String,
        index: usize,
        scroll: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum Overlay {
    None,
    Help {
        scroll: usize,
    },
    /// The notice history (newest last).
    Notices {
        scroll: usize,
    },
    ConfirmQuit {
        message: String,
    },
}

#[derive(Clone, Debug)]
enum InputKind {
    Filter {
        prev_text: String,
        prev_query: Query,
    },
    Command,
}

#[derive(Clone, Debug)]
struct Input {
    kind: InputKind,
    text: String,
    error: Option<QueryError>,
}

/// Severity of a notification line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Clone, Debug)]
struct Notification {
    /// Raw (possibly untrusted) text, sanitised when drawn.
    text: String,
    level: Level,
    at: Timestamp,
}

struct QueueState {
    view_name: String,
    base: Query,
    filter_text: String,
    filter: Query,
    sort: Sort,
    ids: Vec<String>,
    selected: usize,
    selected_id: Option<String>,
    offset: usize,
    stale: bool,
    /// On the next recompute, go to the top if the selected id is gone (filter/view changes).
    top_if_missing: bool,
    marked: HashSet<String>,
    /// The view and filter `E` left, restored by `E` again or `Esc`.
    before_experts: Option<queue_views::SavedQueueView>,
    /// The selected incident itself changed in the last update: if the sort moves it, hold the
    /// rows still instead of following it.
    hold_if_moved: bool,
    /// The rows are held in their old order under the cursor until the next move or refresh.
    order_held: bool,
    /// On the next recompute keep the selected index (the cursor's row), not the incident.
    keep_index: bool,
    /// The typed filter is invalid: the rows are those of the filter in effect before it.
    filter_fallback: bool,
}

/// How long a notification stays, in seconds.
const NOTICE_SECS: i64 = 10;
const ERROR_SECS: i64 = 30;

/// The console's state.
pub struct App {
    store: Store,
    theme: Theme,
    keymap: Keymap,
    sym: Symbols,
    profile_label: String,
    read_only: bool,
    bell: bool,
    saved_views: Vec<(String, String)>,
    now: Timestamp,
    sync: SyncStatus,
    queue: QueueState,
    counts: Counts,
    counts_stale: bool,
    pages: Vec<Page>,
    overlay: Overlay,
    input: Option<Input>,
    notification: Option<Notification>,
    /// Every notice announced this session (the `notices` key shows them).
    notice_history: Vec<NoticeRecord>,
    spinner: usize,
    dirty: bool,
    next_op: OpId,
    /// Panes open above the page, bottom first; the last one gets the keys.
    modals: Vec<Modal>,
    /// Writes sent this session and not settled yet (for conflicts).
    writes: HashMap<OpId, WriteOp>,
    /// Writes whose last attempt failed in a way the engine retries by itself: the outbox still
    /// holds them, so "retry failed" must not send a second copy.
    in_outbox: HashSet<OpId>,
    /// Ask Defender Experts storage and deliveries.
    experts: experts::ExpertsHost,
    /// Teammates offered by the owner type-ahead.
    teammates: Vec<String>,
    /// Where comment drafts are kept (`None`: not persisted).
    comment_dir: Option<std::path::PathBuf>,
    /// The last text saved per comment draft (saves only on change).
    comment_saved: HashMap<crate::sync::Target, String>,
    /// When a comment draft was last written (saves are at most a second apart while typing).
    comment_saved_at: Option<Instant>,
    /// Rows of the list or document area at the last render (for paging).
    page_rows: usize,
    /// Width of the document area at the last render (for wrapping).
    page_width: usize,
    last_frame: Option<Buffer>,
    /// Where advanced hunting keeps its query history (`None`: not kept).
    hunt_history: Option<std::path::PathBuf>,
}

impl App {
    /// A console over `store`, showing the portal's default queue; `now` is the clock used for
    /// relative times until [`App::tick`] or [`App::set_now`] moves it.
    pub fn new(store: Store, config: AppConfig, now: Timestamp) -> App {
        let AppConfig {
            theme,
            keymap,
            profile_label,
            read_only,
            bell,
            saved_views,
            ascii,
            experts,
            teammates,
        } = config;
        let comment_dir = experts.drafts_dir.as_ref().map(|d| d.join("comments"));
        let hunt_history = (experts.drafts_dir.as_ref())
            .and_then(|d| d.parent())
            .map(crate::ui::hunt::history_path);
        let (experts, experts_notices) = experts::ExpertsHost::new(experts);
        let seed = (now.0.as_microsecond().max(0) as u64).max(1);
        let mut app = App {
            store,
            theme,
            keymap,
            sym: Symbols { ascii },
            profile_label,
            read_only,
            bell,
            saved_views,
            now,
            sync: SyncStatus::default(),
            queue: QueueState {
                view_name: "default".into(),
                base: Query::portal_default(),
                filter_text: String::new(),
                filter: Query::default(),
                sort: Sort::default(),
                ids: Vec::new(),
                selected: 0,
                selected_id: None,
                offset: 0,
                stale: true,
                top_if_missing: false,
                marked: HashSet::new(),
                before_experts: None,
                hold_if_moved: false,
                order_held: false,
                keep_index: false,
                filter_fallback: false,
            },
            counts: Counts::default(),
            counts_stale: true,
            pages: Vec::new(),
            overlay: Overlay::None,
            input: None,
            notification: None,
            notice_history: Vec::new(),
            spinner: 0,
            dirty: true,
            next_op: seed,
            modals: Vec::new(),
            writes: HashMap::new(),
            in_outbox: HashSet::new(),
            experts,
            teammates,
            comment_dir,
            comment_saved: HashMap::new(),
            comment_saved_at: None,
            page_rows: 20,
            page_width: 80,
            last_frame: None,
            hunt_history,
        };
        app.ensure_view();
        for n in experts_notices {
            app.notify(Level::Warn, n);
        }
        app
    }

    // ----- accessors (for the loop and tests) -----

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Consumes the app, giving back the store (saved as the snapshot cache on exit).
    pub fn into_store(self) -> Store {
        self.store
    }

    /// Mutable store access (tests, start-up).
    pub fn store_mut(&mut self) -> &mut Store {
        self.queue.stale = true;
        self.counts_stale = true;
        &mut self.store
    }

    /// Sets the clock used for relative times (tests inject a fixed "now").
    pub fn set_now(&mut self, now: Timestamp) {
        self.now = now;
    }

    /// True when something changed since the last draw.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Returns the dirty flag and clears it.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::replace(&mut self.dirty, false)
    }

    /// Marks the screen for a redraw.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// The queue's ids in view order (recomputed if stale).
    pub fn view_ids(&mut self) -> &[String] {
        self.ensure_view();
        &self.queue.ids
    }

    /// The selected incident id in the queue.
    pub fn selected_id(&self) -> Option<&str> {
        self.queue.selected_id.as_deref()
    }

    /// The selected index in the queue.
    pub fn selected_index(&self) -> usize {
        self.queue.selected
    }

    /// The current sort.
    pub fn sort(&self) -> Sort {
        self.queue.sort
    }

    /// The filter text in effect.
    pub fn filter_text(&self) -> &str {
        &self.queue.filter_text
    }

    /// The text of the open input line, if any.
    pub fn input_text(&self) -> Option<&str> {
        self.input.as_ref().map(|i| i.text.as_str())
    }

    /// The inline query error of the open filter, if any.
    pub fn input_error(&self) -> Option<&QueryError> {
        self.input.as_ref().and_then(|i| i.error.as_ref())
    }

    /// The screen the keys apply to.
    pub fn context(&self) -> Context {
        match self.pages.last() {
            None => Context::Queue,
            Some(Page::Incident { .. }) => Context::Incident,
            Some(Page::Alert { .. }) => Context::Alert,
            Some(Page::Evidence { .. }) => Context::Evidence,
        }
    }

    /// Number of pages above the queue.
    pub fn depth(&self) -> usize {
        self.pages.len()
    }

    /// The incident shown by the top page, if any.
    pub fn open_incident(&self) -> Option<&str> {
        self.pages.iter().rev().find_map(|p| match p {
            Page::Incident { id, .. } => Some(id.as_str()),
            Page::Alert { incident_id, .. } => Some(incident_id.as_str()),
            Page::Evidence { .. } => None,
        })
    }

    /// The alert shown by the top page, if any.
    pub fn open_alert(&self) -> Option<&str> {
        match self.pages.last() {
            Some(Page::Alert { alert_id, .. }) | Some(Page::Evidence { alert_id, .. }) => {
                Some(alert_id)
            }
            _ => None,
        }
    }

    /// True while the help overlay is open.
    pub fn help_open(&self) -> bool {
        matches!(self.overlay, Overlay::Help { .. })
    }

    /// True while the notice history is open.
    pub fn notices_open(&self) -> bool {
        matches!(self.overlay, Overlay::Notices { .. })
    }

    /// True while the queue's rows are held in their old order under the cursor.
    pub fn order_held(&self) -> bool {
        self.queue.order_held
    }

    /// True when the open filter is invalid and the rows are those of the last valid filter.
    pub fn filter_fallback(&self) -> bool {
        self.queue.filter_fallback
    }

    /// True while the quit confirmation is open.
    pub fn confirm_open(&self) -> bool {
        matches!(self.overlay, Overlay::ConfirmQuit { .. })
    }

    /// The pane on top of the modal stack, if any.
    pub fn modal(&self) -> Option<&Modal> {
        self.modals.last()
    }

    /// Every open pane, bottom first.
    pub fn modals(&self) -> &[Modal] {
        &self.modals
    }

    /// The notification line's text, if any.
    pub fn notification(&self) -> Option<&str> {
        self.notification.as_ref().map(|n| n.text.as_str())
    }

    /// Sync state as last reported.
    pub fn sync_status(&self) -> &SyncStatus {
        &self.sync
    }

    // ----- notifications -----

    /// Shows a message on the notification line.
    pub fn notify(&mut self, level: Level, text: impl Into<String>) {
        self.notification = Some(Notification {
            text: text.into(),
            level,
            at: self.now,
        });
        self.dirty = true;
    }

    /// Reports the outcome of an [`Effect::Copy`]: `Ok(method)` ("OSC 52") or `Err(reason)`.
    pub fn report_copy(&mut self, what: &str, result: Result<String, String>) {
        let instruction = self.portal_copied(result.is_ok());
        match (result, instruction) {
            (Ok(method), Some(i)) => {
                self.notify(Level::Info, format!("Copied {what} ({method}). {i}"))
            }
            (Ok(method), None) => self.notify(Level::Info, format!("Copied {what} ({method})")),
            (Err(e), Some(i)) => self.notify(
                Level::Error,
                format!("Copy failed: {e}. {i} (type the inquiry there)"),
            ),
            (Err(e), None) => self.notify(Level::Error, format!("Copy failed: {e}")),
        }
    }

    // ----- time -----

    /// Advances the clock (1 Hz). Returns true (and marks dirty) only when something visible
    /// changed: the spinner, an expired notification, or a relative time on screen.
    pub fn tick(&mut self, now: Timestamp) -> bool {
        self.tick_with(now, Instant::now())
    }

    /// [`tick`](Self::tick) with the monotonic clock given (drafts autosave against it).
    pub fn tick_with(&mut self, now: Timestamp, instant: Instant) -> bool {
        self.now = now;
        let mut changed = self.autosave(instant);
        if self.sync.in_flight {
            self.spinner = self.spinner.wrapping_add(1);
            changed = true;
        }
        changed |= crate::ui::hunt::animating(&self.modals);
        if let Some(n) = &self.notification {
            let ttl = if n.level == Level::Error {
                ERROR_SECS
            } else {
                NOTICE_SECS
            };
            if now.as_second() - n.at.as_second() >= ttl {
                self.notification = None;
                changed = true;
            }
        }
        if !changed && let Some(last) = self.last_frame.take() {
            let mut scratch = Buffer::empty(last.area);
            self.render_base(last.area, &mut scratch);
            changed = scratch != last;
            self.last_frame = Some(last);
        }
        if changed {
            self.dirty = true;
        }
        changed
    }

    // ----- updates from the engine -----

    /// Applies one update from the sync engine. Returns [`Effect::Bell`] for important notices
    /// when the bell is enabled.
    pub fn apply_update(&mut self, update: Update) -> Vec<Effect> {
        let mut effects = Vec::new();
        match update {
            Update::Status(s) => {
                if s != self.sync {
                    self.sync = s;
                    self.dirty = true;
                }
            }
            Update::Error { message } => {
                self.remember(Level::Error, message.clone());
                self.notify(Level::Error, message);
            }
            Update::MailSent {
                op,
                inquiry_id,
                result,
            } => self.mail_sent(op, &inquiry_id, result),
            Update::Tasks { incident_id, tasks } => self.tasks_loaded(&incident_id, tasks),
            u @ (Update::HuntResult { .. } | Update::HuntFailed { .. }) => {
                crate::ui::hunt::route_update(&mut self.modals, &u);
                self.dirty = true;
            }
            Update::TaskUpdated {
                incident_id,
                result,
                ..
            } => {
                let more = self.task_updated(&incident_id, result.map(|_| ()));
                effects.extend(more);
                self.dirty = true;
            }
            Update::BadRecords { context, records } => self.notify(
                Level::Warn,
                format!(
                    "{} record(s) could not be read ({context}); kept raw",
                    records.len()
                ),
            ),
            Update::LoadComplete { total, elapsed, .. } => {
                self.queue.stale = true;
                self.counts_stale = true;
                // Routine news never hides a warning still on screen (a corrupt outbox at
                // start, an expired sign-in…).
                if self
                    .notification
                    .as_ref()
                    .is_none_or(|n| n.level == Level::Info)
                {
                    self.notify(
                        Level::Info,
                        format!("Loaded {total} incidents in {:.1}s", elapsed.as_secs_f64()),
                    );
                }
            }
            Update::OutboxLoaded { ops } => {
                // Op ids of an earlier run must never be handed out again.
                if let Some(max) = ops.iter().max() {
                    self.next_op = self.next_op.max(max.saturating_add(1));
                }
                effects.extend(self.resume_deliveries(&ops));
            }
            Update::MailPending { op, message, .. } => {
                self.delivery_op_outcome(op, experts::DeliveryOutcome::Retrying(message))
            }
            other => {
                self.note_outbox_state(&other);
                let delivery = Self::comment_delivery_of(&other);
                let conflict = self.conflict_write(&other);
                let outcome = writes::WriteOutcome::of(&other);
                let conflict_update = conflict.as_ref().map(|_| other.clone());
                let selected_before = self.selected_incident_snapshot();
                let ch = self.store.apply(other);
                if ch.dirty || ch.inserted > 0 || ch.updated > 0 || !ch.notices.is_empty() {
                    self.queue.stale = true;
                    self.counts_stale = true;
                    self.dirty = true;
                }
                if selected_before.is_some() && selected_before != self.selected_incident_snapshot()
                {
                    self.queue.hold_if_moved = true;
                }
                let ring = self.announce(ch.notices);
                if ring && self.bell {
                    effects.push(Effect::Bell);
                }
                if let Some(o) = outcome {
                    let c = conflict
                        .zip(conflict_update.as_ref())
                        .map(|((op, w), u)| (op, w, u));
                    self.write_settled(o, c);
                }
                if let Some((op, d)) = delivery {
                    self.delivery_op_outcome(op, d);
                }
                self.refresh_experts_modals();
            }
        }
        effects
    }

    /// Remembers which writes failed but stay in the outbox (see `in_outbox`).
    fn note_outbox_state(&mut self, update: &Update) {
        match update {
            Update::WriteFailed {
                op,
                retryable: true,
                ..
            } => {
                self.in_outbox.insert(*op);
            }
            Update::WriteFailed { op, .. }
            | Update::IncidentWritten { op, .. }
            | Update::AlertWritten { op, .. }
            | Update::CommentsWritten { op, .. }
            | Update::Conflict { op, .. } => {
                self.in_outbox.remove(op);
            }
            _ => {}
        }
    }

    /// The selected incident as the store shows it (to tell whether an update changed it).
    fn selected_incident_snapshot(&self) -> Option<crate::graph::model::Incident> {
        let id = self.queue.selected_id.as_deref()?;
        self.store.incident(id).map(|e| e.incident.clone())
    }

    // ----- view maintenance -----

    fn ensure_view(&mut self) {
        if self.counts_stale || self.queue.stale {
            self.counts = self.store.counts();
            self.counts_stale = false;
        }
        if !self.queue.stale || self.queue.order_held {
            return;
        }
        let q = &mut self.queue;
        q.stale = false;
        let query = q.base.clone().and(q.filter.clone());
        let old_sel = q.selected;
        let old_screen_row = q.selected.saturating_sub(q.offset);
        let ids = self.store.view(&query, q.sort);
        let found = q
            .selected_id
            .as_ref()
            .and_then(|id| ids.iter().position(|x| x == id));
        let hold = std::mem::take(&mut q.hold_if_moved);
        if hold
            && found.is_some_and(|i| i != old_sel)
            && q.ids.get(old_sel) == q.selected_id.as_ref()
        {
            // The selected incident changed and the sort moved it: keep the rows still under
            // the cursor until the next move or refresh.
            q.order_held = true;
            q.stale = true;
            self.notify(
                Level::Info,
                "The list order changed — rows move on your next key (j/k) or refresh",
            );
            return;
        }
        q.ids = ids;
        let keep_index = std::mem::take(&mut q.keep_index);
        q.selected = match found {
            _ if keep_index => old_sel.min(q.ids.len().saturating_sub(1)),
            Some(i) => i,
            None if q.top_if_missing => 0,
            None => old_sel.min(q.ids.len().saturating_sub(1)),
        };
        q.top_if_missing = false;
        q.selected_id = q.ids.get(q.selected).cloned();
        // Keep the selected row on the same screen line when possible.
        q.offset = q.selected.saturating_sub(old_screen_row);
        self.dirty = true;
    }

    fn select(&mut self, index: usize) {
        let q = &mut self.queue;
        if q.ids.is_empty() {
            q.selected = 0;
            q.selected_id = None;
            return;
        }
        q.selected = index.min(q.ids.len() - 1);
        q.selected_id = q.ids.get(q.selected).cloned();
        if let Some(id) = q.selected_id.clone()
            && self
                .store
                .incident(&id)
                .is_some_and(|e| e.mark != crate::store::RowMark::Seen)
        {
            self.store.mark_seen(&id);
            self.counts_stale = true;
        }
    }

    fn alloc_op(&mut self) -> OpId {
        let op = self.next_op;
        self.next_op = self.next_op.wrapping_add(1);
        op
    }

    // ----- keys -----

    /// Handles a pasted string: appended to the open input line (controls removed), else ignored.
    pub fn handle_paste(&mut self, text: &str) -> Vec<Effect> {
        if self.overlay == Overlay::None
            && let Some(m) = self.modals.last_mut()
        {
            m.handle_paste(text);
            self.dirty = true;
            self.autosave(Instant::now());
            return Vec::new();
        }
        if let Some(input) = &mut self.input {
            let clean: String = text.chars().filter(|c| !c.is_control()).collect();
            input.text.push_str(&clean);
            self.input_changed();
            self.dirty = true;
        }
        Vec::new()
    }

    /// Handles one key press: the quit confirmation and help overlay first, then the open
    /// pane (modal), then the input line, then the keymap.
    pub fn handle_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.ensure_view();
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        let effects = match self.overlay.clone() {
            Overlay::Help { .. } | Overlay::Notices { .. } if ctrl_c => {
                self.overlay = Overlay::None;
                self.request_quit(false)
            }
            Overlay::Help { scroll } => {
                self.overlay = self.overlay_key(key, scroll, Action::Help);
                Vec::new()
            }
            Overlay::Notices { scroll } => {
                self.overlay = self.overlay_key(key, scroll, Action::Notices);
                Vec::new()
            }
            Overlay::ConfirmQuit { .. } => {
                self.dirty = true;
                self.overlay = Overlay::None;
                match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                        self.flush_drafts();
                        vec![Effect::Quit]
                    }
                    _ => Vec::new(),
                }
            }
            Overlay::None if !self.modals.is_empty() => {
                if ctrl_c {
                    self.request_quit(self.input.is_some())
                } else {
                    self.modal_key(key)
                }
            }
            Overlay::None if self.input.is_some() => self.input_key(key),
            Overlay::None => match self.keymap.lookup(self.context(), &key) {
                Some(a) => {
                    self.dirty = true;
                    self.perform(a)
                }
                None => Vec::new(),
            },
        };
        self.autosave(Instant::now());
        self.ensure_view();
        effects
    }

    /// A key for the pane on top: the help key (F1, or `?` where the pane takes no text)
    /// opens the help; everything else goes to the pane.
    fn modal_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.dirty = true;
        let Some(modal) = self.modals.pop() else {
            return Vec::new();
        };
        let is_help = self.keymap.lookup(Context::Global, &key) == Some(Action::Help)
            && (!modal.takes_text() || !matches!(key.code, KeyCode::Char(_)));
        if is_help {
            self.modals.push(modal);
            self.overlay = Overlay::Help { scroll: 0 };
            return Vec::new();
        }
        let effects = match modal {
            Modal::Ask(_) | Modal::Inquiries(_) | Modal::Notification(_) => {
                self.experts_modal_key(modal, key)
            }
            Modal::Hunt(mut h) => {
                let (open, effects) = h.handle_key(key);
                if open {
                    self.modals.push(Modal::Hunt(h));
                }
                effects
            }
            other => self.triage_modal_key(other, key),
        };
        self.queue.stale = true;
        self.counts_stale = true;
        effects
    }

    fn input_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.dirty = true;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let Some(input) = self.input.as_mut() else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                if let InputKind::Filter {
                    prev_text,
                    prev_query,
                } = &input.kind
                {
                    self.queue.filter_text = prev_text.clone();
                    self.queue.filter = prev_query.clone();
                    self.queue.stale = true;
                }
                self.queue.filter_fallback = false;
                self.input = None;
            }
            KeyCode::Enter => {
                let text = input.text.clone();
                match input.kind {
                    InputKind::Filter { .. } => {
                        if input.error.is_none() {
                            self.input = None;
                        }
                    }
                    InputKind::Command => {
                        self.input = None;
                        return self.run_command(&text);
                    }
                }
            }
            KeyCode::Char('c') if ctrl => {
                return self.request_quit(true);
            }
            KeyCode::Char('u') if ctrl => {
                input.text.clear();
                self.input_changed();
            }
            KeyCode::Char('w') if ctrl => {
                let t = input.text.trim_end().to_string();
                let cut = t.rfind(' ').map(|i| i + 1).unwrap_or(0);
                input.text.truncate(cut);
                self.input_changed();
            }
            KeyCode::Backspace => {
                if input.text.pop().is_none() && matches!(input.kind, InputKind::Command) {
                    self.input = None;
                } else {
                    self.input_changed();
                }
            }
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                input.text.push(c);
                self.input_changed();
            }
            _ => {}
        }
        Vec::new()
    }

    /// Re-runs the filter after each keystroke (incremental results).
    fn input_changed(&mut self) {
        let Some(input) = self.input.as_mut() else {
            return;
        };
        if !matches!(input.kind, InputKind::Filter { .. }) {
            return;
        }
        let q = &mut self.queue;
        match Query::parse(&input.text) {
            Ok(query) => {
                input.error = None;
                q.filter = query;
                q.filter_text = input.text.clone();
                q.filter_fallback = false;
            }
            Err(e) => {
                // Not the rows of a valid prefix: those of the filter in effect before.
                input.error = Some(e);
                if let InputKind::Filter {
                    prev_text,
                    prev_query,
                } = &input.kind
                {
                    q.filter = prev_query.clone();
                    q.filter_text = prev_text.clone();
                }
                q.filter_fallback = true;
            }
        }
        q.stale = true;
        q.top_if_missing = true;
        q.order_held = false;
    }

    fn open_input(&mut self, kind: InputKind) {
        let text = match kind {
            InputKind::Filter { .. } => self.queue.filter_text.clone(),
            InputKind::Command => String::new(),
        };
        self.input = Some(Input {
            kind,
            text,
            error: None,
        });
    }

    fn request_quit(&mut self, editor_open: bool) -> Vec<Effect> {
        let pending = self
            .store
            .counts()
            .pending_writes
            .max(self.sync.outbox_pending);
        let mut why = Vec::new();
        if pending > 0 {
            why.push(format!("{pending} write(s) not yet confirmed"));
        }
        if editor_open {
            why.push("an input line is open".to_string());
        }
        if self.modals.iter().any(Modal::is_dirty) {
            why.push("a pane has unsaved changes".to_string());
        }
        if why.is_empty() {
            self.flush_drafts();
            vec![Effect::Quit]
        } else {
            self.input = None;
            self.overlay = Overlay::ConfirmQuit {
                message: format!("{}. Quit anyway? (y/n)", why.join("; ")),
            };
            self.dirty = true;
            Vec::new()
        }
    }

    fn run_command(&mut self, text: &str) -> Vec<Effect> {
        let mut words = text.split_whitespace();
        let cmd = words.next().unwrap_or("");
        let args: Vec<&str> = words.collect();
        match cmd {
            "" => Vec::new(),
            "q" | "quit" => self.request_quit(false),
            "q!" | "quit!" => {
                self.flush_drafts();
                vec![Effect::Quit]
            }
            "help" | "h" => {
                self.overlay = Overlay::Help { scroll: 0 };
                Vec::new()
            }
            "view" | "v" => {
                let name = args.join(" ");
                self.set_view(&name);
                Vec::new()
            }
            "sort" | "s" => {
                match args.first().and_then(|a| queue::parse_sort_name(a)) {
                    Some(k) => {
                        let desc = match args.get(1).map(|s| s.to_ascii_lowercase()) {
                            Some(d) if d == "asc" => false,
                            Some(d) if d == "desc" => true,
                            _ => queue::default_descending(k),
                        };
                        self.set_sort(Sort {
                            key: k,
                            descending: desc,
                        });
                    }
                    None => {
                        let names: Vec<&str> =
                            SORT_CYCLE.iter().map(|k| queue::sort_name(*k)).collect();
                        self.notify(
                            Level::Error,
                            format!(
                                "Usage: :sort COLUMN [asc|desc]; columns: {}",
                                names.join(" ")
                            ),
                        );
                    }
                }
                Vec::new()
            }
            "refresh" => vec![Effect::SendCommand(Command::Refresh {
                full: args.first() == Some(&"full"),
            })],
            "retry" => self.retry_and_review_conflicts(),
            "hunt" => self.perform(Action::Hunt),
            other => {
                self.notify(
                    Level::Error,
                    format!(
                        "Unknown command :{other} (try :view, :sort, :refresh, :retry, :hunt, :q)"
                    ),
                );
                Vec::new()
            }
        }
    }

    /// Switches the queue's base view: `default`, `all`, `experts`, or a saved view by name.
    fn set_view(&mut self, name: &str) {
        let name = name.trim();
        let builtin = match name.to_ascii_lowercase().as_str() {
            "" | "default" => Some(Ok(Query::portal_default())),
            "all" => Some(Ok(Query::default())),
            "experts" | "dex" => Some(Query::parse("experts:yes")),
            _ => None,
        };
        let parsed = builtin.or_else(|| {
            self.saved_views
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, q)| Query::parse(q))
        });
        match parsed {
            Some(Ok(q)) => {
                self.queue.order_held = false;
                self.queue.before_experts = None;
                self.queue.base = q;
                self.queue.view_name = if name.is_empty() {
                    "default".into()
                } else {
                    name.to_string()
                };
                self.queue.stale = true;
                self.queue.top_if_missing = true;
                self.pages.clear();
            }
            Some(Err(e)) => self.notify(Level::Error, format!("View {name}: {e}")),
            None => {
                let mut names: Vec<String> = vec!["default".into(), "all".into(), "experts".into()];
                names.extend(self.saved_views.iter().map(|(n, _)| n.clone()));
                self.notify(
                    Level::Error,
                    format!("Unknown view {name:?}; views: {}", names.join(", ")),
                );
            }
        }
    }

    fn set_sort(&mut self, sort: Sort) {
        self.queue.sort = sort;
        self.queue.stale = true;
        self.queue.order_held = false;
    }

    fn cycle_sort(&mut self, step: isize) {
        let pos = SORT_CYCLE
            .iter()
            .position(|k| *k == self.queue.sort.key)
            .unwrap_or(0) as isize;
        let n = SORT_CYCLE.len() as isize;
        let key = SORT_CYCLE[((pos + step).rem_euclid(n)) as usize];
        self.set_sort(Sort {
            key,
            descending: queue::default_descending(key),
        });
    }

    // ----- actions -----

    fn perform(&mut self, action: Action) -> Vec<Effect> {
        // Read-only: the full manage pane still opens (read-only) to show the fields.
        if action.is_write() && self.read_only && action != Action::Manage {
            self.notify(Level::Warn, "Read-only profile: changes are disabled");
            return Vec::new();
        }
        match action {
            Action::Quit => self.request_quit(false),
            Action::Help => {
                self.overlay = Overlay::Help { scroll: 0 };
                Vec::new()
            }
            Action::Redraw => vec![Effect::ClearScreen],
            Action::Suspend => {
                // Drafts first: a stopped console may be killed from the shell.
                self.flush_drafts();
                vec![Effect::Suspend]
            }
            Action::Refresh => {
                self.settle_order(false);
                let mut e = vec![Effect::SendCommand(Command::Refresh { full: false })];
                match self.open_incident().map(str::to_string) {
                    Some(id) => {
                        self.notify(
                            Level::Info,
                            format!("Refreshing the queue and incident {id}'s alerts…"),
                        );
                        e.push(Effect::SendCommand(Command::LoadAlerts { incident_id: id }));
                    }
                    None => self.notify(Level::Info, "Refreshing the queue…"),
                }
                e
            }
            Action::Notices => {
                self.overlay = Overlay::Notices {
                    scroll: self.notice_history.len().saturating_sub(1),
                };
                Vec::new()
            }
            Action::Command => {
                self.open_input(InputKind::Command);
                Vec::new()
            }
            Action::Filter => {
                if self.pages.is_empty() {
                    let kind = InputKind::Filter {
                        prev_text: self.queue.filter_text.clone(),
                        prev_query: self.queue.filter.clone(),
                    };
                    self.open_input(kind);
                }
                Vec::new()
            }
            Action::Back => {
                if self.pages.is_empty()
                    && self.queue.before_experts.is_some()
                    && self.queue.view_name.eq_ignore_ascii_case("experts")
                {
                    self.toggle_experts_view();
                } else if self.pages.pop().is_none() && !self.queue.filter_text.is_empty() {
                    self.queue.filter_text.clear();
                    self.queue.filter = Query::default();
                    self.queue.stale = true;
                }
                Vec::new()
            }
            Action::Copy | Action::CopyUrl => self.copy(action == Action::CopyUrl),
            Action::SortNext => {
                self.cycle_sort(1);
                Vec::new()
            }
            Action::SortPrev => {
                self.cycle_sort(-1);
                Vec::new()
            }
            Action::SortReverse => {
                let s = self.queue.sort;
                self.set_sort(Sort {
                    key: s.key,
                    descending: !s.descending,
                });
                Vec::new()
            }
            Action::ToggleSelect => {
                if let Some(id) = self.queue.selected_id.clone() {
                    if !self.queue.marked.remove(&id) {
                        self.queue.marked.insert(id);
                    }
                    self.move_by(1);
                }
                Vec::new()
            }
            Action::ExpertsView => {
                self.toggle_experts_view();
                Vec::new()
            }
            Action::AssignToMe => self.assign_to_me(),
            Action::Status => self.open_manage(Some(Field::Status)),
            Action::Classify => self.open_manage(Some(Field::Classification)),
            Action::Tags => self.open_manage(Some(Field::Tags)),
            Action::Manage => self.open_manage(None),
            Action::Comment => self.open_comment(),
            Action::AskExperts => self.open_ask(),
            Action::Inquiries => self.open_inquiries(),
            Action::ExpertsNotification => self.open_notification(),
            Action::Hunt => {
                let m = crate::ui::hunt::open(
                    &self.store,
                    self.open_incident(),
                    self.hunt_history.clone(),
                );
                self.modals.push(m);
                Vec::new()
            }
            Action::Open => self.open(),
            Action::NextSection => {
                self.switch_section(1);
                Vec::new()
            }
            Action::PrevSection => {
                self.switch_section(-1);
                Vec::new()
            }
            Action::MoveUp
            | Action::MoveDown
            | Action::PageUp
            | Action::PageDown
            | Action::HalfPageUp
            | Action::HalfPageDown
            | Action::Top
            | Action::Bottom
                if self.queue.order_held && self.pages.is_empty() =>
            {
                self.settle_order(true);
                self.perform(action)
            }
            Action::MoveUp => self.nav(-1),
            Action::MoveDown => self.nav(1),
            Action::PageUp => self.nav(-(self.page_rows.max(1) as isize)),
            Action::PageDown => self.nav(self.page_rows.max(1) as isize),
            Action::HalfPageUp => self.nav(-((self.page_rows / 2).max(1) as isize)),
            Action::HalfPageDown => self.nav((self.page_rows / 2).max(1) as isize),
            Action::Top => self.nav(isize::MIN / 2),
            Action::Bottom => self.nav(isize::MAX / 2),
        }
    }

    /// What a manage-type action applies to: the multi-selection, the selected row, or the
    /// open incident/alert.
    fn targets(&self) -> Vec<Target> {
        match self.pages.last() {
            None => {
                if !self.queue.marked.is_empty() {
                    let mut v: Vec<&String> = self.queue.marked.iter().collect();
                    v.sort();
                    v.into_iter()
                        .map(|id| Target::Incident(id.clone()))
                        .collect()
                } else {
                    self.queue
                        .selected_id
                        .iter()
                        .map(|id| Target::Incident(id.clone()))
                        .collect()
                }
            }
            Some(Page::Incident { id, .. }) => vec![Target::Incident(id.clone())],
            Some(Page::Alert { alert_id, .. }) | Some(Page::Evidence { alert_id, .. }) => {
                vec![Target::Alert(alert_id.clone())]
            }
        }
    }

    fn copy(&mut self, url: bool) -> Vec<Effect> {
        let (text, what) = match self.pages.last() {
            None | Some(Page::Incident { .. }) => {
                let id = match self.pages.last() {
                    Some(Page::Incident { id, .. }) => Some(id.clone()),
                    _ => self.queue.selected_id.clone(),
                };
                let Some(id) = id else { return Vec::new() };
                if url {
                    let u = self
                        .store
                        .incident(&id)
                        .and_then(|e| e.incident.incident_web_url.clone());
                    (u, format!("incident {id} URL"))
                } else {
                    (Some(id.clone()), format!("incident {id}"))
                }
            }
            Some(Page::Alert { alert_id, .. }) | Some(Page::Evidence { alert_id, .. }) => {
                let alert_id = alert_id.clone();
                if url {
                    let u = self
                        .store
                        .alert(&alert_id)
                        .and_then(|a| a.alert_web_url.clone());
                    (u, format!("alert {alert_id} URL"))
                } else {
                    (Some(alert_id.clone()), format!("alert {alert_id}"))
                }
            }
        };
        let what = sanitize(&what).into_owned();
        match text {
            Some(t) if !t.is_empty() => vec![Effect::Copy {
                text: sanitize(&t).into_owned(),
                what,
            }],
            _ => {
                self.notify(
                    Level::Warn,
                    format!("No portal URL for {}", what.trim_end_matches(" URL")),
                );
                Vec::new()
            }
        }
    }

    fn open(&mut self) -> Vec<Effect> {
        match self.pages.last().cloned() {
            None => {
                let Some(id) = self.queue.selected_id.clone() else {
                    return Vec::new();
                };
                self.open_incident_page(&id)
            }
            Some(Page::Incident {
                id,
                section,
                cursor,
                ..
            }) => {
                let alerts = self.store.alerts(&id);
                match section {
                    Section::Alerts => {
                        if let Some(a) = alerts.get(cursor) {
                            let alert_id = a.id.clone();
                            self.pages.push(Page::Alert {
                                incident_id: id,
                                alert_id,
                                section: AlertSection::Details,
                                cursor: 0,
                                scroll: 0,
                            });
                        }
                    }
                    Section::Evidence => {
                        if let Some(r) = incident::evidence_items(&alerts).get(cursor) {
                            let page = Page::Evidence {
                                alert_id: r.alert_id.clone(),
                                index: r.index,
                                scroll: 0,
                            };
                            self.pages.push(page);
                        }
                    }
                    _ => {}
                }
                Vec::new()
            }
            Some(Page::Alert {
                alert_id,
                section: AlertSection::Evidence,
                cursor,
                ..
            }) => {
                if self
                    .store
                    .alert(&alert_id)
                    .is_some_and(|a| cursor < a.evidence.len())
                {
                    self.pages.push(Page::Evidence {
                        alert_id,
                        index: cursor,
                        scroll: 0,
                    });
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Opens an incident page (marks the row seen, asks for alerts when they are not loaded).
    pub fn open_incident_page(&mut self, id: &str) -> Vec<Effect> {
        let Some(entry) = self.store.incident(id) else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        if !entry.alerts_loaded {
            effects.push(Effect::SendCommand(Command::LoadAlerts {
                incident_id: id.to_string(),
            }));
        }
        if entry.experts && entry.incident.recommended_actions.is_none() {
            effects.push(Effect::SendCommand(Command::LoadIncident {
                incident_id: id.to_string(),
                beta: true,
            }));
        }
        self.store.mark_seen(id);
        self.counts_stale = true;
        self.pages.push(Page::Incident {
            id: id.to_string(),
            section: Section::Overview,
            cursor: 0,
            scroll: 0,
        });
        self.dirty = true;
        effects
    }

    fn switch_section(&mut self, step: isize) {
        fn next<T: Copy + PartialEq>(all: &[T], cur: T, step: isize) -> T {
            let n = all.len() as isize;
            let i = all.iter().position(|s| *s == cur).unwrap_or(0) as isize;
            all[((i + step).rem_euclid(n)) as usize]
        }
        match self.pages.last_mut() {
            Some(Page::Incident {
                section,
                cursor,
                scroll,
                ..
            }) => {
                *section = next(Section::ALL, *section, step);
                *cursor = 0;
                *scroll = 0;
            }
            Some(Page::Alert {
                section,
                cursor,
                scroll,
                ..
            }) => {
                *section = next(AlertSection::ALL, *section, step);
                *cursor = 0;
                *scroll = 0;
            }
            _ => {}
        }
    }

    /// Moves the selection (queue) or the cursor / scroll (pages) by `delta`.
    fn nav(&mut self, delta: isize) -> Vec<Effect> {
        if self.pages.is_empty() {
            self.move_by(delta);
            return Vec::new();
        }
        let Some(d) = self.current_doc() else {
            return Vec::new();
        };
        let rows = self.page_rows.max(1);
        let apply = |v: usize, max: usize| -> usize {
            let n = v as isize + delta;
            n.clamp(0, max as isize) as usize
        };
        match self.pages.last_mut() {
            Some(Page::Incident { cursor, scroll, .. })
            | Some(Page::Alert { cursor, scroll, .. }) => {
                if d.items.is_empty() {
                    *scroll = apply(*scroll, d.len().saturating_sub(rows));
                } else {
                    *cursor = apply(*cursor, d.items.len() - 1);
                    *scroll = doc::clamp_scroll(&d, rows, *scroll, Some(*cursor));
                }
            }
            Some(Page::Evidence { scroll, .. }) => {
                *scroll = apply(*scroll, d.len().saturating_sub(rows));
            }
            None => {}
        }
        Vec::new()
    }

    fn move_by(&mut self, delta: isize) {
        let len = self.queue.ids.len();
        if len == 0 {
            return;
        }
        let n = (self.queue.selected as isize)
            .saturating_add(delta)
            .clamp(0, len as isize - 1) as usize;
        self.select(n);
    }

    /// The document of the top page at the last rendered width.
    fn current_doc(&self) -> Option<Doc> {
        let width = self.page_width;
        match self.pages.last()? {
            Page::Incident { id, section, .. } => {
                let entry = self.store.incident(id)?;
                let alerts = self.store.alerts(id);
                let d = IncidentData {
                    entry,
                    alerts: &alerts,
                    now: self.now,
                };
                Some(incident::section_doc(
                    *section,
                    &d,
                    &self.theme,
                    self.sym,
                    width,
                ))
            }
            Page::Alert {
                alert_id, section, ..
            } => {
                let a = self.store.alert(alert_id)?;
                let pending = self.alert_pending_comments(alert_id);
                let refs: Vec<&str> = pending.iter().map(|s| s.as_str()).collect();
                let d = AlertData {
                    alert: a,
                    pending_comments: &refs,
                    pending: false,
                    now: self.now,
                };
                Some(alert::section_doc(
                    *section,
                    &d,
                    &self.theme,
                    self.sym,
                    width,
                ))
            }
            Page::Evidence {
                alert_id, index, ..
            } => {
                let ev = self.store.alert(alert_id)?.evidence.get(*index)?;
                Some(evidence::detail_doc(ev, self.now, &self.theme))
            }
        }
    }

    fn alert_pending_comments(&self, alert_id: &str) -> Vec<String> {
        let Some(inc) = self
            .store
            .alert(alert_id)
            .and_then(|a| a.incident_id.clone())
        else {
            return Vec::new();
        };
        self.store
            .incident(&inc)
            .map(|e| {
                e.pending
                    .iter()
                    .filter_map(|p| match &p.write {
                        WriteOp::CommentAlert { alert_id: a, text } if a == alert_id => {
                            Some(text.clone())
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    // ----- drawing -----

    /// Draws the whole screen.
    pub fn render(&mut self, frame: &mut Frame) {
        let area = frame.area();
        let (cursor, body) = self.render_base(area, frame.buffer_mut());
        self.last_frame = Some(frame.buffer_mut().clone());
        if area.width > 0 && area.height > 0 {
            for m in &self.modals {
                m.render(frame, body, &self.theme);
            }
            self.render_overlays(area, frame.buffer_mut());
            crate::ui::text::mend_covered_wide_chars(frame.buffer_mut());
        }
        if self.sym.ascii {
            crate::ui::text::asciify(frame.buffer_mut());
        }
        if let Some(p) = cursor
            && self.modals.is_empty()
        {
            frame.set_cursor_position(p);
        }
    }

    /// Draws the page and the overlays (help, quit confirmation) into a buffer, without the
    /// panes (they need a frame); returns where the text cursor goes (input line), if anywhere.
    pub fn render_buffer(&mut self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        let (cursor, _) = self.render_base(area, buf);
        if area.width > 0 && area.height > 0 {
            self.render_overlays(area, buf);
            crate::ui::text::mend_covered_wide_chars(buf);
        }
        if self.sym.ascii {
            crate::ui::text::asciify(buf);
        }
        cursor
    }

    /// The status bar's key hints: the open pane's, else the screen's.
    fn current_hints(&self) -> Vec<(String, &'static str)> {
        if let Some(m) = self.modals.last() {
            return m
                .hints()
                .into_iter()
                .map(|(k, d)| (k.to_string(), d))
                .collect();
        }
        let ctx = self.context();
        let mut hints = self.keymap.hints(ctx);
        if ctx == Context::Incident {
            let experts = self
                .open_incident()
                .and_then(|id| self.store.incident(id))
                .is_some_and(|e| e.experts);
            if !experts {
                hints.retain(|(_, label)| *label != "notification");
            }
        }
        hints
    }

    /// Draws the page, the notification, input and status lines; returns the input cursor and
    /// the page body (where panes draw).
    fn render_base(&mut self, area: Rect, buf: &mut Buffer) -> (Option<Position>, Rect) {
        self.ensure_view();
        if area.height == 0 || area.width == 0 {
            return (None, area);
        }
        let mut bottom: Vec<Line<'static>> = Vec::new();
        let mut cursor_line: Option<(usize, u16)> = None;
        if let Some(n) = &self.notification {
            let st = match n.level {
                Level::Info => self.theme.notification,
                Level::Warn => self.theme.warning,
                Level::Error => self.theme.error,
            };
            bottom.push(Line::from(sanitize_spans(&n.text, st, self.theme.marker)));
        }
        if let Some(input) = &self.input {
            let prompt = match input.kind {
                InputKind::Filter { .. } => "/",
                InputKind::Command => ":",
            };
            let mut s = vec![Span::styled(prompt.to_string(), self.theme.key_hint)];
            s.extend(sanitize_spans(
                &input.text,
                self.theme.text,
                self.theme.marker,
            ));
            let w: usize = s.iter().map(|x| x.content.width()).sum();
            cursor_line = Some((bottom.len(), w as u16));
            bottom.push(Line::from(s));
            if let Some(e) = &input.error {
                let before = input
                    .text
                    .get(..e.offset.min(input.text.len()))
                    .unwrap_or("");
                let col = sanitize(before).width() + 1;
                let mut l = vec![
                    Span::raw(" ".repeat(col)),
                    Span::styled("^ ", self.theme.error),
                ];
                l.extend(sanitize_spans(
                    &e.message,
                    self.theme.error,
                    self.theme.marker,
                ));
                bottom.push(Line::from(l));
                if self.queue.filter_fallback {
                    let last = match self.queue.filter_text.as_str() {
                        "" => "(no filter)",
                        t => t,
                    };
                    let mut l = vec![Span::styled(
                        "  showing results of the last valid filter: ",
                        self.theme.warning,
                    )];
                    l.extend(sanitize_spans(last, self.theme.key_hint, self.theme.marker));
                    bottom.push(Line::from(l));
                }
            }
        }
        let counts_pending = self.counts.pending_writes;
        let status = status_bar::status_line(
            &StatusData {
                sync: &self.sync,
                profile: &self.profile_label,
                read_only: self.read_only,
                now: self.now,
                spinner_frame: self.spinner,
                pending_writes: counts_pending,
            },
            &self.theme,
            self.sym,
        );
        bottom.push(status);
        bottom.push(status_bar::hints_line(&self.current_hints(), &self.theme));
        let bottom_h = (bottom.len() as u16).min(area.height);
        let body = Rect {
            x: area.x,
            y: area.y,
            width: area.width,
            height: area.height - bottom_h,
        };
        let first_bottom = area.y + body.height;
        for (i, l) in bottom.iter().take(bottom_h as usize).enumerate() {
            buf.set_line(area.x, first_bottom + i as u16, l, area.width);
        }
        match self.pages.last().cloned() {
            None => self.render_queue(body, buf),
            Some(page) => self.render_page(page, body, buf),
        }
        let cursor = cursor_line.map(|(row, col)| Position {
            x: area.x + col.min(area.width - 1),
            y: first_bottom + row as u16,
        });
        (cursor, body)
    }

    /// The help overlay's lines: the open pane's keys first, then the screen's.
    fn help_content(&self) -> (Vec<Line<'static>>, String) {
        let ctx = self.context();
        let mut lines = Vec::new();
        let mut title = format!("Keys: {}", ctx.name());
        if let Some(m) = self.modals.last() {
            title = format!("Keys: {}", m.name());
            let hints = m.hints();
            let w = hints
                .iter()
                .map(|(k, _)| k.width())
                .max()
                .unwrap_or(0)
                .min(24);
            for (k, d) in hints {
                lines.push(Line::from(vec![
                    Span::styled(format!("{k:<w$}"), self.theme.key_hint),
                    Span::raw("  "),
                    Span::styled(d.to_string(), self.theme.text),
                ]));
            }
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                format!("Under the pane ({}), after it closes:", ctx.name()),
                self.theme.muted,
            )));
        }
        lines.extend(help::help_lines(&self.keymap, ctx, &self.theme));
        (lines, title)
    }

    fn render_overlays(&self, area: Rect, buf: &mut Buffer) {
        match &self.overlay {
            Overlay::Help { scroll } => {
                let (lines, title) = self.help_content();
                help::render(buf, area, &lines, &title, *scroll, &self.theme);
            }
            Overlay::Notices { scroll } => {
                let lines = self.notice_lines();
                let title = format!("Notices this session ({})", self.notice_history.len());
                let rows = area.height.saturating_sub(2) as usize;
                let top = scroll.saturating_sub(rows.saturating_sub(1));
                help::render(buf, area, &lines, &title, top, &self.theme);
            }
            Overlay::ConfirmQuit { message } => {
                let w = (message.width() as u16 + 4).min(area.width);
                let rect = Rect {
                    x: area.x + (area.width - w) / 2,
                    y: area.y + area.height / 2,
                    width: w,
                    height: 3.min(area.height),
                };
                Clear.render(rect, buf);
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_style(self.theme.warning);
                let inner = block.inner(rect);
                block.render(rect, buf);
                buf.set_line(
                    inner.x + 1,
                    inner.y,
                    &Line::from(Span::styled(message.clone(), self.theme.warning)),
                    inner.width,
                );
            }
            Overlay::None => {}
        }
    }

    fn render_queue(&mut self, body: Rect, buf: &mut Buffer) {
        if body.height == 0 {
            return;
        }
        // While the filter is being typed the input line shows it.
        let filter = if self.input.is_none() {
            self.queue.filter_text.as_str()
        } else {
            ""
        };
        let summary = queue_summary::summary_line(
            &QueueSummary {
                view: &self.queue.view_name,
                shown: self.queue.ids.len(),
                counts: &self.counts,
                sort: self.queue.sort,
                filter,
                selected: self.queue.marked.len(),
            },
            body.width,
            &self.theme,
            self.sym,
        );
        buf.set_line(body.x, body.y, &summary, body.width);
        let table = Rect {
            x: body.x,
            y: body.y + 1,
            width: body.width,
            height: body.height - 1,
        };
        let rows = table.height.saturating_sub(1) as usize;
        self.page_rows = rows.max(1);
        let q = &mut self.queue;
        if rows > 0 {
            if q.selected < q.offset {
                q.offset = q.selected;
            } else if q.selected >= q.offset + rows {
                q.offset = q.selected + 1 - rows;
            }
            q.offset = q.offset.min(q.ids.len().saturating_sub(rows));
        }
        if q.ids.is_empty() {
            let msg = if self.store.is_empty()
                && matches!(self.sync.phase, Phase::Starting | Phase::InitialLoad)
            {
                "Loading incidents…"
            } else {
                "No incidents match this view (:view all shows everything)"
            };
            queue::render_table(
                buf,
                Rect { height: 1, ..table },
                &QueueRows {
                    rows: &[],
                    first_index: 0,
                    selected: None,
                    marked: &q.marked,
                    sort: q.sort,
                    now: self.now,
                },
                &self.theme,
                self.sym,
            );
            if table.height > 1 {
                buf.set_line(
                    table.x + 2,
                    table.y + 1,
                    &Line::from(Span::styled(msg, self.theme.muted)),
                    table.width,
                );
            }
            return;
        }
        let end = (q.offset + rows).min(q.ids.len());
        let visible: Vec<&IncidentEntry> = q.ids[q.offset..end]
            .iter()
            .filter_map(|id| self.store.incident(id))
            .collect();
        let data = QueueRows {
            rows: &visible,
            first_index: q.offset,
            selected: Some(q.selected),
            marked: &q.marked,
            sort: q.sort,
            now: self.now,
        };
        queue::render_table(buf, table, &data, &self.theme, self.sym);
    }

    fn breadcrumb(&self) -> Line<'static> {
        let mut s = vec![Span::styled("Queue".to_string(), self.theme.muted)];
        for p in &self.pages {
            s.push(Span::styled(" › ", self.theme.muted));
            let label = match p {
                Page::Incident { id, .. } => format!("Incident {id}"),
                Page::Alert { alert_id, .. } => format!("Alert {alert_id}"),
                Page::Evidence { index, .. } => format!("Evidence {}", index + 1),
            };
            s.extend(sanitize_spans(&label, self.theme.muted, self.theme.marker));
        }
        Line::from(s)
    }

    fn render_page(&mut self, page: Page, body: Rect, buf: &mut Buffer) {
        let mut y = body.y;
        let bottom = body.y + body.height;
        let mut line = |l: &Line, buf: &mut Buffer| {
            if y < bottom {
                buf.set_line(body.x, y, l, body.width);
                y += 1;
            }
        };
        line(&self.breadcrumb(), buf);
        let missing = |what: &str| {
            Line::from(Span::styled(
                format!("{what} is not in the store (yet)."),
                self.theme.muted,
            ))
        };
        match &page {
            Page::Incident { id, section, .. } => match self.store.incident(id) {
                Some(e) => {
                    line(&incident::header(e, &self.theme), buf);
                    line(&incident::tabs(*section, &self.theme), buf);
                }
                None => line(&missing("This incident"), buf),
            },
            Page::Alert {
                alert_id, section, ..
            } => match self.store.alert(alert_id) {
                Some(a) => {
                    line(&alert::header(a, &self.theme), buf);
                    line(&alert::tabs(*section, &self.theme), buf);
                }
                None => line(&missing("This alert"), buf),
            },
            Page::Evidence {
                alert_id, index, ..
            } => {
                match self
                    .store
                    .alert(alert_id)
                    .and_then(|a| a.evidence.get(*index))
                {
                    Some(ev) => line(&evidence::header(ev, alert_id, &self.theme), buf),
                    None => line(&missing("This evidence item"), buf),
                }
            }
        }
        let area = Rect {
            x: body.x,
            y,
            width: body.width,
            height: bottom.saturating_sub(y),
        };
        self.page_rows = (area.height as usize).max(1);
        self.page_width = (area.width as usize).max(20);
        let Some(d) = self.current_doc() else { return };
        let rows = area.height as usize;
        let (cursor, scroll) = match self.pages.last_mut() {
            Some(Page::Incident { cursor, scroll, .. })
            | Some(Page::Alert { cursor, scroll, .. }) => {
                if !d.items.is_empty() {
                    *cursor = (*cursor).min(d.items.len() - 1);
                }
                let c = if d.items.is_empty() {
                    None
                } else {
                    Some(*cursor)
                };
                *scroll = doc::clamp_scroll(&d, rows, *scroll, c);
                (c, *scroll)
            }
            Some(Page::Evidence { scroll, .. }) => {
                *scroll = doc::clamp_scroll(&d, rows, *scroll, None);
                (None, *scroll)
            }
            None => (None, 0),
        };
        doc::render_doc(buf, area, &d, scroll, cursor, self.theme.selection);
    }
}

impl App {
    /// The theme in use.
    pub fn theme(&self) -> &Theme {
        &self.theme
    }
}
