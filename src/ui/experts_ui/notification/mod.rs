//! A Defender Experts notification shown the way the portal does: title, executive summary,
//! recommendations, numbered advanced hunting queries (copyable), and the managed-response
//! tasks with their actions.

mod view;

use super::common::{clip, is_press, plain_char};
use crate::experts::scrub::{is_unsafe_char, scrub_multiline};
use crate::experts::{
    ExpertsDetails, IncidentTask, OwnerKind, TaskStatus, is_awaiting_customer, owner_kind,
};
use crate::graph::model::{Incident, IncidentStatus, Severity, Timestamp};
use crate::ui::action::Action;
use crate::ui::keymap::{Context, Keymap, PaneHint};
use crate::ui::overlay::Outcome;
use crossterm::event::KeyEvent;
use std::cell::Cell;

/// The line shown when the incident was read without the beta fields.
pub const BETA_MISSING: &str = "Beta fields unavailable — showing v1.0 data";

/// What the selection points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sel {
    Query(usize),
    Task(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MsgKind {
    Info,
    Warning,
}

/// The notification view. Built from an incident and its managed-response tasks.
#[derive(Debug)]
pub struct NotificationView {
    incident_id: String,
    title: String,
    severity: Severity,
    status: IncidentStatus,
    awaiting: bool,
    owner: OwnerKind,
    details: ExpertsDetails,
    tasks: Vec<IncidentTask>,
    /// Index over queries then tasks.
    selected: Option<usize>,
    pending_copy: bool,
    confirm_execute: Option<usize>,
    message: Option<(MsgKind, String)>,
    scroll: Cell<usize>,
    follow: Cell<bool>,
    last_height: Cell<usize>,
}

impl NotificationView {
    /// A view of `incident` (its DEN fields via [`ExpertsDetails::from_incident`]) and `tasks`.
    pub fn new(incident: &Incident, tasks: Vec<IncidentTask>) -> NotificationView {
        let mut v = NotificationView {
            incident_id: String::new(),
            title: String::new(),
            severity: Severity::Unknown,
            status: IncidentStatus::Active,
            awaiting: false,
            owner: OwnerKind::Unassigned,
            details: ExpertsDetails::default(),
            tasks: Vec::new(),
            selected: None,
            pending_copy: false,
            confirm_execute: None,
            message: None,
            scroll: Cell::new(0),
            follow: Cell::new(false),
            last_height: Cell::new(10),
        };
        v.set_incident(incident);
        v.set_tasks(tasks);
        v
    }

    /// Replaces the incident (e.g. after the beta fields were loaded), keeping the selection
    /// where possible.
    pub fn set_incident(&mut self, incident: &Incident) {
        self.incident_id = incident.id.clone();
        self.title = incident.title().to_string();
        self.severity = incident.severity.clone();
        self.status = incident.status.clone();
        self.awaiting = is_awaiting_customer(incident);
        self.owner = owner_kind(incident.assigned_to.as_deref());
        let old = self.selection();
        self.details = ExpertsDetails::from_incident(incident);
        self.reselect(old);
    }

    /// Replaces the tasks, keeping the selected task (by id) where possible.
    pub fn set_tasks(&mut self, tasks: Vec<IncidentTask>) {
        let old_task = match self.selection() {
            Some(Sel::Task(i)) => self.tasks.get(i).map(|t| t.id.clone()),
            _ => None,
        };
        let old = self.selection();
        let confirming = self
            .confirm_execute
            .and_then(|i| self.tasks.get(i))
            .map(|t| t.id.clone());
        self.tasks = tasks;
        // A pending confirmation survives a refresh while its task is still listed.
        self.confirm_execute = confirming.and_then(|id| self.tasks.iter().position(|t| t.id == id));
        match old_task.and_then(|id| self.tasks.iter().position(|t| t.id == id)) {
            Some(i) => self.selected = Some(self.details.hunting_queries.len() + i),
            None => self.reselect(old),
        }
    }

    fn reselect(&mut self, old: Option<Sel>) {
        let n = self.item_count();
        self.selected = match (old, n) {
            (_, 0) => None,
            (Some(Sel::Query(i)), _) if i < self.details.hunting_queries.len() => Some(i),
            (Some(_), n) => Some(self.selected.unwrap_or(0).min(n - 1)),
            (None, _) => Some(0),
        };
    }

    fn item_count(&self) -> usize {
        self.details.hunting_queries.len() + self.tasks.len()
    }

    fn selection(&self) -> Option<Sel> {
        let q = self.details.hunting_queries.len();
        let i = self.selected?;
        if i < q {
            Some(Sel::Query(i))
        } else if i - q < self.tasks.len() {
            Some(Sel::Task(i - q))
        } else {
            None
        }
    }

    /// The DEN fields shown.
    pub fn details(&self) -> &ExpertsDetails {
        &self.details
    }

    /// Selects hunting query `n` (0-based); false when there is no such query.
    pub fn select_query(&mut self, n: usize) -> bool {
        if n < self.details.hunting_queries.len() {
            self.selected = Some(n);
            self.follow.set(true);
            true
        } else {
            false
        }
    }

    /// Selects task `n` (0-based, in the order given); false when there is no such task.
    pub fn select_task(&mut self, n: usize) -> bool {
        if n < self.tasks.len() {
            self.selected = Some(self.details.hunting_queries.len() + n);
            self.follow.set(true);
            true
        } else {
            false
        }
    }

    /// True while a response action waits for the analyst's confirmation.
    pub fn confirming_execute(&self) -> bool {
        self.confirm_execute.is_some()
    }

    /// The status line text, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_ref().map(|(_, m)| m.as_str())
    }

    /// Pastes are ignored (nothing to edit).
    pub fn handle_paste(&mut self, _text: &str) {}

    fn copy_query(&mut self, i: usize) -> Outcome {
        let Some(kql) = self.details.hunting_queries.get(i) else {
            return Outcome::Stay;
        };
        // Ordinary KQL is copied byte for byte; invisible or terminal-controlling characters
        // (which no real query needs) are made visible first.
        let text = if kql
            .chars()
            .any(|c| is_unsafe_char(c) && !matches!(c, '\n' | '\t' | '\r'))
        {
            scrub_multiline(kql)
        } else {
            kql.clone()
        };
        self.selected = Some(i);
        self.message = Some((MsgKind::Info, format!("Copied hunting query {}.", i + 1)));
        Outcome::CopyToClipboard {
            text,
            what: format!("hunting query {}", i + 1),
        }
    }

    /// Handles one key with the default bindings.
    pub fn handle_key(&mut self, key: KeyEvent, now: Timestamp) -> Outcome {
        self.handle_key_in(key, now, Keymap::defaults())
    }

    /// Handles one key, resolved through `keymap` (context [`Context::Notification`]); the
    /// digit after "copy query n" is read as typed.
    pub fn handle_key_in(&mut self, key: KeyEvent, _now: Timestamp, keymap: &Keymap) -> Outcome {
        if !is_press(&key) {
            return Outcome::Stay;
        }
        let action = keymap.lookup(Context::Notification, &key);
        if let Some(i) = self.confirm_execute.take() {
            if action == Some(Action::Copy)
                && let Some(t) = self.tasks.get(i)
            {
                self.message = Some((
                    MsgKind::Info,
                    format!(
                        "Portal link copied: run \"{}\" in the Defender portal.",
                        t.action_type.label()
                    ),
                ));
                return Outcome::TaskExecute {
                    task_id: t.id.clone(),
                };
            }
            self.message = Some((MsgKind::Info, "Cancelled: nothing copied.".into()));
            return Outcome::Stay;
        }
        if std::mem::take(&mut self.pending_copy) {
            let q = self.details.hunting_queries.len();
            return match plain_char(&key).and_then(|c| c.to_digit(10)) {
                Some(d) if d >= 1 && (d as usize) <= q => self.copy_query(d as usize - 1),
                _ => {
                    self.message = None;
                    Outcome::Stay
                }
            };
        }
        let n = self.item_count();
        let page = self.last_height.get().saturating_sub(1).max(1);
        let Some(action) = action else {
            return Outcome::Stay;
        };
        match action {
            Action::Back => return Outcome::Close,
            Action::MoveDown => {
                if n > 0 {
                    self.selected = Some(self.selected.map_or(0, |s| (s + 1).min(n - 1)));
                    self.follow.set(true);
                } else {
                    self.scroll.set(self.scroll.get() + 1);
                }
            }
            Action::MoveUp => {
                if n > 0 {
                    self.selected = Some(self.selected.map_or(0, |s| s.saturating_sub(1)));
                    self.follow.set(true);
                } else {
                    self.scroll.set(self.scroll.get().saturating_sub(1));
                }
            }
            Action::PageDown => {
                self.scroll.set(self.scroll.get() + page);
                self.follow.set(false);
            }
            Action::PageUp => {
                self.scroll.set(self.scroll.get().saturating_sub(page));
                self.follow.set(false);
            }
            Action::Top => {
                self.scroll.set(0);
                self.follow.set(false);
            }
            Action::Bottom => {
                self.scroll.set(usize::MAX / 2);
                self.follow.set(false);
            }
            Action::Copy => match self.selection() {
                Some(Sel::Query(i)) => return self.copy_query(i),
                _ => self.warn("Select a hunting query to copy (↑/↓), or press c and its number."),
            },
            Action::CopyNth => {
                if self.details.hunting_queries.is_empty() {
                    self.warn("There are no hunting queries to copy.");
                } else {
                    self.pending_copy = true;
                    self.message = Some((
                        MsgKind::Info,
                        format!(
                            "Copy which query? 1–{}",
                            self.details.hunting_queries.len().min(9)
                        ),
                    ));
                }
            }
            Action::TaskCompleted | Action::TaskNotRelevant => match self.selection() {
                Some(Sel::Task(i)) => {
                    let done = action == Action::TaskCompleted;
                    let status = if done {
                        TaskStatus::Completed
                    } else {
                        TaskStatus::NotRelevant
                    };
                    let task_id = self.tasks[i].id.clone();
                    self.message = Some((
                        MsgKind::Info,
                        format!(
                            "Marking the task {}…",
                            if done { "completed" } else { "not relevant" }
                        ),
                    ));
                    return Outcome::TaskUpdate { task_id, status };
                }
                _ => self.warn("Select a managed-response task first (↑/↓)."),
            },
            Action::RunTask => match self.selection() {
                Some(Sel::Task(i)) if self.tasks[i].action_type.is_executable() => {
                    self.confirm_execute = Some(i);
                    self.message = None;
                }
                Some(Sel::Task(i)) => {
                    let label = clip(self.tasks[i].action_type.label(), 40);
                    self.warn(format!(
                        "\"{label}\" cannot be run from vigil; do it, then press x to mark it completed."
                    ));
                }
                _ => self.warn("Select a managed-response task first (↑/↓)."),
            },
            Action::LoadBeta if !self.details.beta_available => {
                return Outcome::LoadBeta {
                    incident_id: self.incident_id.clone(),
                };
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.message = Some((MsgKind::Warning, text.into()));
    }

    /// Key hints for the current state, with the default bindings.
    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        self.hint_table()
            .into_iter()
            .map(|(_, k, d)| (k, d))
            .collect()
    }

    /// Key hints for the current state, naming the keys `keymap` binds.
    pub fn hints_in(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        keymap.pane_hints(Context::Notification, &self.hint_table())
    }

    fn hint_table(&self) -> Vec<PaneHint> {
        use Action as A;
        if self.confirm_execute.is_some() {
            return vec![
                (&[A::Copy], "y", "copy portal link"),
                (&[], "any key", "cancel"),
            ];
        }
        if self.pending_copy {
            return vec![(&[], "1–9", "copy query"), (&[], "any key", "cancel")];
        }
        let mut h: Vec<PaneHint> = vec![
            (&[A::MoveUp, A::MoveDown], "↑/↓", "select"),
            (&[A::PageUp, A::PageDown], "pgup/pgdn", "scroll"),
        ];
        if !self.details.hunting_queries.is_empty() {
            h.push((&[A::Copy], "y", "copy query"));
            h.push((&[A::CopyNth], "c+n", "copy query n"));
        }
        if !self.tasks.is_empty() {
            h.push((&[A::TaskCompleted], "x", "task completed"));
            h.push((&[A::TaskNotRelevant], "n", "not relevant"));
            h.push((&[A::RunTask], "!", "action in portal"));
        }
        if !self.details.beta_available {
            h.push((&[A::LoadBeta], "b", "load beta fields"));
        }
        h.push((&[A::Back], "esc", "close"));
        h
    }
}
