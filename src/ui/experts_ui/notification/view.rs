//! Drawing of the notification view: the document and the confirmation box.

use super::{BETA_MISSING, MsgKind, NotificationView, Sel};
use crate::experts::{IncidentTask, OwnerKind, TaskState};
use crate::graph::model::{IncidentStatus, Severity};
use crate::ui::experts_ui::common::{centered, clip, clip_span, scroll_to, wrapped_lines};
use crate::ui::keymap::Keymap;
use crate::ui::text::pad_to_width;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

impl NotificationView {
    /// Draws the view with the default bindings in its key line.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        self.render_in(f, area, theme, Keymap::defaults())
    }

    /// Draws the view; its key line names the keys `keymap` binds.
    pub fn render_in(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
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
                    .hints_in(keymap)
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
        let text = execute_prompt(t);
        let mut body = wrapped_lines(&text, bw.saturating_sub(2) as usize, 0, theme.text);
        body.push(Line::from(""));
        body.push(Line::from(vec![
            Span::styled("y", theme.key_hint),
            Span::styled(" copy the portal link · ", theme.text),
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
                    .title(Span::styled(" Response action ", theme.error)),
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

/// What `y` does for a task's response action, as the confirmation says it: vigil does not run
/// response actions itself; it copies the incident's portal link so the action is run there.
pub(super) fn execute_prompt(t: &IncidentTask) -> String {
    format!(
        "vigil does not run response actions itself. Copy this incident's portal link to run \"{}\" for the task \"{}\" in the Defender portal?",
        t.action_type.label(),
        t.title()
    )
}
