//! `App`, the console's router. It holds the page stack (the queue at the bottom, then
//! incident, alert and evidence pages from `ui/pages/`), the panes above them (`modals`) and
//! the full-screen overlay; it sends a key to the overlay, else the top pane, else the input
//! line, else the keymap's action to the page it belongs to; it applies store updates
//! (`app/updates.rs`) and turns what the pages and panes ask for into [`Effect`]s for the event
//! loop. Logic is split from IO: [`App::handle_key`], [`App::apply_update`] and [`App::tick`]
//! change state and return effects; [`App::render`] draws (`app/frame.rs`). Tests drive these
//! directly.

mod accessors;
mod commands;
mod comment_drafts;
mod config;
mod confirm_writes;
mod copy;
mod deliveries;
mod experts;
mod experts_host;
mod frame;
mod input_line;
mod notices;
mod overlays;
mod toast;
mod updates;
mod writes;

pub use config::{AppConfig, Effect};
pub use deliveries::ExpertsConfig;
pub use notices::NoticeRecord;
pub use toast::Level;

use super::action::Action;
use super::keymap::{Context, Keymap};
use super::overlay::{Overlay, OverlayCtx};
use super::overlay_screens::ScrollView;
use super::pages::queue::Refresh;
use super::pages::{IncidentPage, Page, PageCtx, PageOutcome, QueuePage, Viewport};
use super::theme::Theme;
use super::triage::Field;
use super::views::Symbols;
use crate::graph::model::Timestamp;
use crate::store::{Counts, Store};
use crate::sync::{Command, OpId, SyncStatus, WriteOp};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use input_line::{Input, InputKind};
use ratatui::buffer::Buffer;
use std::collections::{HashMap, HashSet};
use std::time::Instant;
use toast::Toast;

/// The console's state.
pub struct App {
    /// The profile's database (`None`: nothing kept between runs).
    db: Option<crate::db::Db>,
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
    /// The bottom page: the incident list.
    queue: QueuePage,
    counts: Counts,
    counts_stale: bool,
    /// Pages drilled into above the queue, bottom first.
    pages: Vec<Page>,
    /// The full-screen overlay (help, notices, quit confirmation), above the panes.
    screen: Option<Box<dyn Overlay>>,
    input: Option<Input>,
    /// The transient message on the toast line.
    toast: Option<Toast>,
    /// Every notice announced this session (the `notices` key shows them).
    notice_history: Vec<NoticeRecord>,
    spinner: usize,
    dirty: bool,
    next_op: OpId,
    /// Panes open above the page, bottom first; the last one gets the keys.
    modals: Vec<Box<dyn Overlay>>,
    /// Writes sent this session and not settled yet (for conflicts).
    writes: HashMap<OpId, WriteOp>,
    /// Writes whose last attempt failed in a way the engine retries by itself: the outbox still
    /// holds them, so "retry failed" must not send a second copy.
    in_outbox: HashSet<OpId>,
    /// Ask Defender Experts storage and deliveries.
    experts: deliveries::ExpertsHost,
    /// Teammates offered by the owner type-ahead.
    teammates: Vec<String>,
    /// The advanced hunting history file (under the profile's state directory).
    hunt_history: Option<std::path::PathBuf>,
    /// Where comment drafts are kept (`None`: not persisted).
    comment_dir: Option<std::path::PathBuf>,
    /// The last text saved per comment draft (saves only on change).
    comment_saved: HashMap<crate::sync::Target, String>,
    /// When a comment draft was last written (saves are at most a second apart while typing).
    comment_saved_at: Option<Instant>,
    /// Size of the page's list or document area at the last render (for paging, wrapping).
    view: Viewport,
    last_frame: Option<Buffer>,
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
            db,
        } = config;
        let comment_dir = experts.drafts_dir.as_ref().map(|d| d.join("comments"));
        let hunt_history = (experts.drafts_dir.as_ref())
            .and_then(|d| d.parent())
            .map(crate::ui::hunt::history_path);
        let (experts, experts_notices) = deliveries::ExpertsHost::new(experts, db.as_ref());
        let seed = (now.0.as_microsecond().max(0) as u64).max(1);
        let mut app = App {
            db,
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
            queue: QueuePage::default(),
            counts: Counts::default(),
            counts_stale: true,
            pages: Vec::new(),
            screen: None,
            input: None,
            toast: None,
            notice_history: Vec::new(),
            spinner: 0,
            dirty: true,
            next_op: seed,
            modals: Vec::new(),
            writes: HashMap::new(),
            in_outbox: HashSet::new(),
            experts,
            teammates,
            hunt_history,
            comment_dir,
            comment_saved: HashMap::new(),
            comment_saved_at: None,
            view: Viewport {
                rows: 20,
                width: 80,
            },
            last_frame: None,
        };
        app.ensure_view();
        for n in experts_notices {
            app.show_toast(Level::Warn, n);
        }
        app
    }

    /// Brings the counts and the queue's rows up to date with the store.
    fn ensure_view(&mut self) {
        if self.counts_stale || self.queue.stale {
            self.counts = self.store.counts();
            self.counts_stale = false;
        }
        match self.queue.refresh(&self.store) {
            Refresh::Unchanged => {}
            Refresh::Changed => self.dirty = true,
            Refresh::Held => {
                self.show_toast(Level::Info, super::pages::queue::ORDER_HELD);
            }
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
        if self.screen.is_none()
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
        let effects = if self.screen.is_some() || !self.modals.is_empty() {
            if ctrl_c && self.screen.as_ref().is_some_and(|s| s.is::<ScrollView>()) {
                self.screen = None;
                self.request_quit(false)
            } else if ctrl_c && self.screen.is_none() {
                self.request_quit(self.input.is_some())
            } else {
                self.modal_key(key)
            }
        } else if self.input.is_some() {
            self.input_key(key)
        } else {
            match self.keymap.lookup(self.context(), &key) {
                Some(a) => {
                    self.dirty = true;
                    self.perform(a)
                }
                None => Vec::new(),
            }
        };
        self.autosave(Instant::now());
        self.ensure_view();
        effects
    }

    /// A key for the pane on top: the help key (F1, or `?` where the pane takes no text)
    /// opens the help; everything else goes to the pane.
    fn modal_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.dirty = true;
        // The full-screen overlay first, else the top pane.
        let (mut top, full) = match self.screen.take() {
            Some(s) => (s, true),
            None => match self.modals.pop() {
                Some(m) => (m, false),
                None => return Vec::new(),
            },
        };
        let is_help = !full
            && self.keymap.lookup(Context::Global, &key) == Some(Action::Help)
            && (!top.takes_text() || !matches!(key.code, KeyCode::Char(_)));
        if is_help {
            self.modals.push(top);
            self.open_help();
            return Vec::new();
        }
        let cx = OverlayCtx {
            store: &self.store,
            keymap: &self.keymap,
            now: self.now,
            read_only: self.read_only,
        };
        let outcome = top.handle_key(key, &cx);
        if full {
            return self.screen_done(top, outcome);
        }
        let effects = self.overlay_done(top, outcome);
        self.queue.stale = true;
        self.counts_stale = true;
        effects
    }

    // ----- actions -----

    /// Carries out an action the keymap resolved: the console's own actions here, the page's
    /// (movement, sections, Enter, sort, select) on the page it belongs to.
    fn perform(&mut self, action: Action) -> Vec<Effect> {
        // Read-only: the full manage pane still opens (read-only) to show the fields.
        if action.is_write() && self.read_only && action != Action::Manage {
            self.show_toast(Level::Warn, "Read-only profile: changes are disabled");
            return Vec::new();
        }
        match action {
            Action::Quit => self.request_quit(false),
            Action::Help => {
                self.open_help();
                Vec::new()
            }
            Action::Redraw => vec![Effect::ClearScreen],
            Action::Suspend => {
                // Drafts first: a stopped console may be killed from the shell.
                self.flush_drafts();
                vec![Effect::Suspend]
            }
            Action::Refresh => self.refresh(),
            Action::Notices => {
                self.open_notices();
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
                if self.pages.is_empty() && self.queue.leaves_experts_list_on_back() {
                    self.toggle_experts_view();
                } else if self.pages.pop().is_none() {
                    self.queue.clear_filter();
                }
                Vec::new()
            }
            Action::Copy | Action::CopyUrl => self.copy(action == Action::CopyUrl),
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
            Action::Hunt => self.open_hunt(),
            Action::ExpertsNotification => self.open_notification(),
            Action::SortNext | Action::SortPrev | Action::SortReverse | Action::ToggleSelect => {
                self.queue_action(action)
            }
            Action::Open if self.pages.is_empty() => match self.queue.selected_id.clone() {
                Some(id) => self.open_incident_page(&id),
                None => Vec::new(),
            },
            Action::Open
            | Action::NextSection
            | Action::PrevSection
            | Action::MoveUp
            | Action::MoveDown
            | Action::PageUp
            | Action::PageDown
            | Action::HalfPageUp
            | Action::HalfPageDown
            | Action::Top
            | Action::Bottom => self.page_action(action),
            // Pane actions: bound only in pane contexts, handled by the pane.
            Action::Yes
            | Action::No
            | Action::RetryFailed
            | Action::DeleteDraft
            | Action::CopyNth
            | Action::TaskCompleted
            | Action::TaskNotRelevant
            | Action::RunTask
            | Action::LoadBeta
            | Action::Send
            | Action::Discard
            | Action::Save
            | Action::NextField
            | Action::PrevField
            | Action::Reset
            | Action::Templates => Vec::new(),
        }
    }

    /// A page action for the top page, or the queue when no page is open.
    fn page_action(&mut self, action: Action) -> Vec<Effect> {
        let view = self.view;
        let ctx = PageCtx {
            store: &self.store,
            theme: &self.theme,
            sym: self.sym,
            now: self.now,
        };
        match self.pages.last_mut() {
            Some(page) => {
                if let PageOutcome::Open(next) = page.perform(action, &ctx, view) {
                    self.pages.push(next);
                }
                Vec::new()
            }
            None => {
                // Held rows take their new order on the first move, from the cursor's row.
                if self.queue.release_order(true) {
                    self.ensure_view();
                }
                self.queue_action(action)
            }
        }
    }

    /// An action carried out by the queue page (whatever page is on top, as the keymap
    /// allows: sort, select, move).
    fn queue_action(&mut self, action: Action) -> Vec<Effect> {
        if self.queue.perform(action, &mut self.store, self.view.rows) {
            self.counts_stale = true;
        }
        Vec::new()
    }

    /// `r`: a delta sync, and the open incident's alerts again.
    fn refresh(&mut self) -> Vec<Effect> {
        if self.queue.release_order(false) {
            self.ensure_view();
        }
        let mut e = vec![Effect::SendCommand(Command::Refresh { full: false })];
        match self.open_incident().map(str::to_string) {
            Some(id) => {
                self.show_toast(
                    Level::Info,
                    format!("Refreshing the queue and incident {id}'s alerts…"),
                );
                e.push(Effect::SendCommand(Command::LoadAlerts { incident_id: id }));
            }
            None => self.show_toast(Level::Info, "Refreshing the queue…"),
        }
        e
    }

    /// `E`: the Defender Experts list, or back to the view it was opened from.
    fn toggle_experts_view(&mut self) {
        self.queue.toggle_experts_view(&self.saved_views);
        self.pages.clear();
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
        self.pages.push(Page::Incident(IncidentPage::new(id)));
        self.dirty = true;
        effects
    }
}

#[cfg(test)]
mod tests;
