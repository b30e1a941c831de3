//! A Defender Experts notification shown the way the portal does: title, executive summary,
//! recommendations, numbered advanced hunting queries (copyable), and the managed-response
//! tasks with their actions.

use super::ExpertsOutcome;
use super::common::{centered, clip, clip_span, is_press, plain_char, scroll_to, wrapped_lines};
use crate::experts::scrub::{is_unsafe_char, scrub_multiline};
use crate::experts::{
    ExpertsDetails, IncidentTask, OwnerKind, TaskState, TaskStatus, is_awaiting_customer,
    owner_kind,
};
use crate::graph::model::{Incident, IncidentStatus, Severity, Timestamp};
use crate::ui::text::pad_to_width;
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
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
        self.tasks = tasks;
        self.confirm_execute = None;
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

    fn copy_query(&mut self, i: usize) -> ExpertsOutcome {
        let Some(kql) = self.details.hunting_queries.get(i) else {
            return ExpertsOutcome::Continue;
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
        ExpertsOutcome::CopyToClipboard {
            text,
            what: format!("hunting query {}", i + 1),
        }
    }

    /// Handles one key. See [`hints`](Self::hints) for the bindings.
    pub fn handle_key(&mut self, key: KeyEvent, _now: Timestamp) -> ExpertsOutcome {
        if !is_press(&key) {
            return ExpertsOutcome::Continue;
        }
        if let Some(i) = self.confirm_execute.take() {
            if plain_char(&key) == Some('y')
                && let Some(t) = self.tasks.get(i)
            {
                self.message = Some((
                    MsgKind::Info,
                    format!("Running \"{}\"…", t.action_type.label()),
                ));
                return ExpertsOutcome::TaskExecute {
                    task_id: t.id.clone(),
                };
            }
            self.message = Some((MsgKind::Info, "Response action not run.".into()));
            return ExpertsOutcome::Continue;
        }
        if std::mem::take(&mut self.pending_copy) {
            let q = self.details.hunting_queries.len();
            return match plain_char(&key).and_then(|c| c.to_digit(10)) {
                Some(d) if d >= 1 && (d as usize) <= q => self.copy_query(d as usize - 1),
                _ => {
                    self.message = None;
                    ExpertsOutcome::Continue
                }
            };
        }
        let n = self.item_count();
        let page = self.last_height.get().saturating_sub(1).max(1);
        match (key.code, plain_char(&key)) {
            (KeyCode::Esc, _) | (_, Some('q')) => return ExpertsOutcome::Close,
            (KeyCode::Down, _) | (_, Some('j')) => {
                if n > 0 {
                    self.selected = Some(self.selected.map_or(0, |s| (s + 1).min(n - 1)));
                    self.follow.set(true);
                } else {
                    self.scroll.set(self.scroll.get() + 1);
                }
            }
            (KeyCode::Up, _) | (_, Some('k')) => {
                if n > 0 {
                    self.selected = Some(self.selected.map_or(0, |s| s.saturating_sub(1)));
                    self.follow.set(true);
                } else {
                    self.scroll.set(self.scroll.get().saturating_sub(1));
                }
            }
            (KeyCode::PageDown, _) | (_, Some(' ')) => {
                self.scroll.set(self.scroll.get() + page);
                self.follow.set(false);
            }
            (KeyCode::PageUp, _) => {
                self.scroll.set(self.scroll.get().saturating_sub(page));
                self.follow.set(false);
            }
            (KeyCode::Home, _) | (_, Some('g')) => {
                self.scroll.set(0);
                self.follow.set(false);
            }
            (KeyCode::End, _) | (_, Some('G')) => {
                self.scroll.set(usize::MAX / 2);
                self.follow.set(false);
            }
            (_, Some('y')) => match self.selection() {
                Some(Sel::Query(i)) => return self.copy_query(i),
                _ => self.warn("Select a hunting query to copy (↑/↓), or press c and its number."),
            },
            (_, Some('c')) => {
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
            (_, Some(ch @ ('x' | 'n'))) => match self.selection() {
                Some(Sel::Task(i)) => {
                    let status = if ch == 'x' {
                        TaskStatus::Completed
                    } else {
                        TaskStatus::NotRelevant
                    };
                    let task_id = self.tasks[i].id.clone();
                    self.message = Some((
                        MsgKind::Info,
                        format!(
                            "Marking the task {}…",
                            if ch == 'x' {
                                "completed"
                            } else {
                                "not relevant"
                            }
                        ),
                    ));
                    return ExpertsOutcome::TaskUpdate { task_id, status };
                }
                _ => self.warn("Select a managed-response task first (↑/↓)."),
            },
            (_, Some('!')) => match self.selection() {
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
            (_, Some('b')) if !self.details.beta_available => {
                return ExpertsOutcome::LoadBeta {
                    incident_id: self.incident_id.clone(),
                };
            }
            _ => {}
        }
        ExpertsOutcome::Continue
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.message = Some((MsgKind::Warning, text.into()));
    }

    /// Key hints for the current state.
    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        if self.confirm_execute.is_some() {
            return vec![("y", "run the action"), ("any key", "cancel")];
        }
        if self.pending_copy {
            return vec![("1–9", "copy query"), ("any key", "cancel")];
        }
        let mut h = vec![("↑/↓", "select"), ("pgup/pgdn", "scroll")];
        if !self.details.hunting_queries.is_empty() {
            h.push(("y", "copy query"));
            h.push(("c+n", "copy query n"));
        }
        if !self.tasks.is_empty() {
            h.push(("x", "task completed"));
            h.push(("n", "not relevant"));
            h.push(("!", "run action"));
        }
        if !self.details.beta_available {
            h.push(("b", "load beta fields"));
        }
        h.push(("esc", "close"));
        h
    }

    /// Draws the view.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        f.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus)
            .title(Span::styled(
                " Defender Experts notification ",
                theme.experts,
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.width < 10 || inner.height < 3 {
            return;
        }
        let w = inner.width as usize;
        let doc_h = inner.height.saturating_sub(1) as usize;
        let (lines, sel_span) = self.document(w, theme);
        let max_top = lines.len().saturating_sub(doc_h);
        let mut top = self.scroll.get().min(max_top);
        if self.follow.get()
            && let Some((row, len)) = sel_span
        {
            top = scroll_to(top, row, len.min(doc_h), doc_h).min(max_top);
        }
        self.scroll.set(top);
        self.follow.set(false);
        self.last_height.set(doc_h);
        let shown: Vec<Line> = lines.into_iter().skip(top).take(doc_h).collect();
        let doc_area = Rect {
            height: doc_h as u16,
            ..inner
        };
        f.render_widget(Paragraph::new(shown), doc_area);

        let status_area = Rect {
            y: inner.y + doc_h as u16,
            height: 1,
            ..inner
        };
        let status = match &self.message {
            Some((MsgKind::Info, m)) => clip_span(m, w, theme.ok),
            Some((MsgKind::Warning, m)) => clip_span(m, w, theme.warning),
            None => clip_span(
                &self
                    .hints()
                    .iter()
                    .map(|(k, a)| format!("{k} {a}"))
                    .collect::<Vec<_>>()
                    .join(" · "),
                w,
                theme.key_hint,
            ),
        };
        f.render_widget(Paragraph::new(Line::from(status)), status_area);

        if let Some(i) = self.confirm_execute
            && let Some(t) = self.tasks.get(i)
        {
            self.render_confirm(f, inner, theme, t);
        }
    }

    fn render_confirm(&self, f: &mut Frame, area: Rect, theme: &Theme, t: &IncidentTask) {
        let bw = area.width.min(64);
        let text = format!(
            "Run the response action \"{}\" for the task \"{}\"? It acts on your tenant now.",
            t.action_type.label(),
            t.title()
        );
        let mut body = wrapped_lines(&text, bw.saturating_sub(2) as usize, 0, theme.text);
        body.push(Line::from(""));
        body.push(Line::from(vec![
            Span::styled("y", theme.key_hint),
            Span::styled(" run · ", theme.text),
            Span::styled("any other key", theme.key_hint),
            Span::styled(" cancel", theme.text),
        ]));
        let r = centered(area, bw, body.len() as u16 + 2);
        f.render_widget(Clear, r);
        f.render_widget(
            Paragraph::new(body).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.error)
                    .title(Span::styled(" Confirm response action ", theme.error)),
            ),
            r,
        );
    }

    /// The document lines for width `w`, and the (row, height) of the selected item.
    fn document(&self, w: usize, theme: &Theme) -> (Vec<Line<'static>>, Option<(usize, usize)>) {
        let mut out: Vec<Line<'static>> = Vec::new();
        let mut sel_span = None;
        let d = &self.details;

        out.extend(wrapped_lines(&self.title, w, 0, theme.experts));
        let sev_style = match self.severity {
            Severity::High => theme.sev_high,
            Severity::Medium => theme.sev_medium,
            Severity::Low => theme.sev_low,
            _ => theme.sev_info,
        };
        let (status_text, status_style) = if self.awaiting {
            (
                "Awaiting customer action".to_string(),
                theme.status_awaiting,
            )
        } else {
            let style = match self.status {
                IncidentStatus::InProgress => theme.status_in_progress,
                IncidentStatus::Resolved => theme.status_resolved,
                IncidentStatus::Redirected => theme.status_redirected,
                _ => theme.status_active,
            };
            (self.status.label().to_string(), style)
        };
        let (owner_text, owner_style) = match &self.owner {
            OwnerKind::DefenderExperts => ("Defender Experts".to_string(), theme.experts),
            OwnerKind::Customer => (
                "Customer".to_string(),
                theme.experts.add_modifier(Modifier::REVERSED),
            ),
            OwnerKind::Person(p) => (clip(p, 30), theme.text),
            OwnerKind::Unassigned => ("Unassigned".to_string(), theme.muted),
        };
        let facts = vec![
            Span::styled(
                format!("Incident {}", clip(&self.incident_id, 20)),
                theme.muted,
            ),
            Span::styled(" · ", theme.muted),
            Span::styled(clip(self.severity.label(), 12), sev_style),
            Span::styled(" · ", theme.muted),
            Span::styled(clip(&status_text, 28), status_style),
            Span::styled(" · Owner: ", theme.muted),
            Span::styled(owner_text, owner_style),
        ];
        out.push(clip_line(facts, w));
        if !d.beta_available {
            out.push(Line::from(vec![
                clip_span(BETA_MISSING, w, theme.warning),
                clip_span(
                    " (b: load)",
                    w.saturating_sub(BETA_MISSING.chars().count()),
                    theme.muted,
                ),
            ]));
        }

        section(&mut out, "Executive summary", theme);
        match d.description.as_deref().or(d.summary.as_deref()) {
            Some(text) => out.extend(wrapped_lines(text, w, 2, theme.text)),
            None => out.push(muted(w, "No executive summary.", theme)),
        }
        if let (Some(desc), Some(sum)) = (&d.description, &d.summary)
            && desc.trim() != sum.trim()
        {
            section(&mut out, "Summary", theme);
            out.extend(wrapped_lines(sum, w, 2, theme.text));
        }

        section(&mut out, "Recommendations", theme);
        match &d.recommendations {
            Some(text) => out.extend(wrapped_lines(text, w, 2, theme.text)),
            None if d.beta_available => out.push(muted(w, "None.", theme)),
            None => out.push(muted(w, "Not available in v1.0 data.", theme)),
        }

        section(
            &mut out,
            &format!("Advanced hunting queries ({})", d.hunting_queries.len()),
            theme,
        );
        if d.hunting_queries.is_empty() {
            out.push(muted(
                w,
                if d.beta_available {
                    "None."
                } else {
                    "Not available in v1.0 data."
                },
                theme,
            ));
        }
        let sel = self.selection();
        for (i, q) in d.hunting_queries.iter().enumerate() {
            let selected = sel == Some(Sel::Query(i));
            let start = out.len();
            let (mark, style) = if selected {
                ("▶ ", theme.selection)
            } else {
                ("  ", theme.header)
            };
            out.push(Line::from(vec![
                Span::styled(mark, style),
                clip_span(&format!("Query {}", i + 1), w.saturating_sub(2), style),
            ]));
            out.extend(wrapped_lines(q, w, 4, theme.text));
            if selected {
                sel_span = Some((start, out.len() - start));
            }
        }

        if !self.tasks.is_empty() {
            section(
                &mut out,
                &format!("Managed response tasks ({})", self.tasks.len()),
                theme,
            );
            out.push(task_header(w, theme));
            for (i, t) in self.tasks.iter().enumerate() {
                let selected = sel == Some(Sel::Task(i));
                let start = out.len();
                out.push(task_row(t, selected, w, theme));
                if selected && let Some(desc) = t.description.as_deref() {
                    out.extend(wrapped_lines(desc, w, 6, theme.muted));
                }
                if selected {
                    sel_span = Some((start, out.len() - start));
                }
            }
        }
        (out, sel_span)
    }
}

fn section(out: &mut Vec<Line<'static>>, title: &str, theme: &Theme) {
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(title.to_string(), theme.header)));
}

fn muted(w: usize, text: &str, theme: &Theme) -> Line<'static> {
    Line::from(clip_span(&format!("  {text}"), w, theme.muted))
}

/// Cuts a line of spans to `w` columns (later spans are shortened or dropped).
fn clip_line(spans: Vec<Span<'static>>, w: usize) -> Line<'static> {
    let mut left = w;
    let mut out = Vec::new();
    for s in spans {
        if left == 0 {
            break;
        }
        let text = clip(&s.content, left);
        left = left.saturating_sub(crate::ui::text::display_width(&text));
        out.push(Span::styled(text, s.style));
    }
    Line::from(out)
}

const ACTION: usize = 22;
const ASTATUS: usize = 13;
const STATE: usize = 12;

fn title_width(w: usize) -> usize {
    w.saturating_sub(2 + 2 + ACTION + ASTATUS + STATE + 3)
        .max(8)
}

fn cell(s: &str, width: usize) -> String {
    pad_to_width(&clip(s, width), width).into_owned()
}

/// The column headings of the task rows (`!` marks actions vigil can run).
fn task_header(w: usize, theme: &Theme) -> Line<'static> {
    let text = format!(
        "  ! {} {} {} {}",
        cell("Task", title_width(w)),
        cell("Action", ACTION),
        cell("Action status", ASTATUS),
        cell("Status", STATE)
    );
    Line::from(clip_span(&text, w, theme.muted))
}

/// One task as a fixed-column row: marker, runnable flag, title, action, action status, state.
fn task_row(t: &IncidentTask, selected: bool, w: usize, theme: &Theme) -> Line<'static> {
    let title_w = title_width(w);
    let base = if selected {
        theme.selection
    } else {
        theme.text
    };
    let state_style = match t.status {
        TaskState::Completed => theme.ok,
        TaskState::Failed => theme.error,
        TaskState::NotRelevant => theme.muted,
        _ => theme.pending,
    };
    let spans = vec![
        Span::styled(if selected { "▶ " } else { "  " }, base),
        Span::styled(
            if t.action_type.is_executable() {
                "! "
            } else {
                "  "
            },
            theme.warning,
        ),
        Span::styled(cell(t.title(), title_w), base),
        Span::styled(" ", base),
        Span::styled(cell(t.action_type.label(), ACTION), base),
        Span::styled(" ", base),
        Span::styled(cell(t.action_status.label(), ASTATUS), base),
        Span::styled(" ", base),
        Span::styled(
            cell(t.status.label(), STATE),
            if selected { base } else { state_style },
        ),
    ];
    clip_line(spans, w)
}
