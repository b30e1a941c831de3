//! The status bar (sync state, profile, read-only badge) and the key-hint line.

use super::{Symbols, relative};
use crate::graph::model::Timestamp;
use crate::sync::{AlertsMode, Phase, SyncStatus};
use crate::ui::sanitize::sanitize_spans;
use crate::ui::theme::Theme;
use ratatui::text::{Line, Span};

/// Everything the status line shows.
pub struct StatusData<'a> {
    pub sync: &'a SyncStatus,
    pub profile: &'a str,
    pub read_only: bool,
    pub now: Timestamp,
    pub spinner_frame: usize,
    /// Writes pending in the store (optimistic, not yet confirmed).
    pub pending_writes: usize,
}

/// Tokens the status line draws over the status bar's background (see
/// [`crate::ui::readable`]); [`status_line`] uses no others except `marker`, which brings its
/// own background.
pub const ON_BAR: &[&str] = &[
    "status_bar",
    "title",
    "text",
    "muted",
    "key_hint",
    "ok",
    "warning",
    "error",
    "pending",
];

/// The phase as a word.
pub fn phase_label(p: Phase) -> &'static str {
    match p {
        Phase::Starting => "starting",
        Phase::InitialLoad => "loading",
        Phase::Idle => "live",
        Phase::Polling => "polling",
        Phase::Offline => "offline",
    }
}

/// The sync status line.
pub fn status_line(d: &StatusData, theme: &Theme, sym: Symbols) -> Line<'static> {
    let s = d.sync;
    let mut out = Vec::new();
    out.extend(sanitize_spans(d.profile, theme.title, theme.marker));
    if d.read_only {
        out.push(Span::raw(" "));
        out.push(Span::styled("[READ-ONLY]", theme.warning));
    }
    out.push(Span::styled(" │ ", theme.muted));
    // The spinner is one cell: only that cell changes between ticks.
    let spin = if s.in_flight {
        sym.spinner(d.spinner_frame)
    } else {
        " "
    };
    out.push(Span::styled(spin.to_string(), theme.key_hint));
    out.push(Span::raw(" "));
    let phase_style = match s.phase {
        Phase::Offline => theme.error,
        Phase::Idle => theme.ok,
        _ => theme.text,
    };
    out.push(Span::styled(phase_label(s.phase).to_string(), phase_style));
    if s.phase == Phase::InitialLoad {
        out.push(Span::styled(
            format!(
                " {}, {}",
                super::count_noun(s.pages, "page", "pages"),
                super::count_noun(s.items, "item", "items")
            ),
            theme.muted,
        ));
    }
    if let Some(t) = s.last_refresh {
        out.push(Span::styled(
            format!(" · refreshed {}", relative(d.now, t)),
            theme.muted,
        ));
    }
    if let Some(t) = s.throttled_until.filter(|t| *t > d.now) {
        out.push(Span::styled(
            format!(" · throttled {}", relative(d.now, t)),
            theme.warning,
        ));
    }
    if s.alerts_mode != AlertsMode::Expanded {
        out.push(Span::styled(" · alerts on demand", theme.muted));
    }
    let pending = s.outbox_pending.max(d.pending_writes);
    if pending > 0 {
        out.push(Span::styled(format!(" · {pending} pending"), theme.pending));
    }
    if s.outbox_failed > 0 {
        out.push(Span::styled(
            format!(" · {} failed", s.outbox_failed),
            theme.error,
        ));
    }
    if let Some(e) = &s.last_error {
        out.push(Span::styled(" · ", theme.muted));
        out.extend(sanitize_spans(e, theme.error, theme.marker));
    }
    Line::from(out).style(theme.status_bar)
}

/// The key-hint line: `enter open  / filter  ? help`.
pub fn hints_line(hints: &[(String, &'static str)], theme: &Theme) -> Line<'static> {
    let mut out = Vec::new();
    for (i, (k, label)) in hints.iter().enumerate() {
        if i > 0 {
            out.push(Span::raw("  "));
        }
        out.push(Span::styled(k.clone(), theme.key_hint));
        out.push(Span::styled(format!(" {label}"), theme.muted));
    }
    Line::from(out)
}
