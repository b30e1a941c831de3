//! The incident queue: a table of the visible rows only (the caller slices the id list to the
//! viewport), columns dropped by priority on narrow terminals, wide characters aligned.

use super::{
    Symbols, fit_plain, fit_spans, fit_text, relative, right_plain, sev_style, status_style,
};
use crate::graph::model::{Classification, IncidentStatus, Timestamp};
use crate::store::{IncidentEntry, RowMark, Sort, SortKey};
use crate::ui::sanitize::sanitize_spans;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::collections::HashSet;

/// A queue column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Mark,
    Id,
    Severity,
    Status,
    Title,
    AssignedTo,
    Classification,
    Alerts,
    Sources,
    Tags,
    Priority,
    Updated,
    UpdatedAbs,
}

/// Left-to-right order on screen.
const SCREEN_ORDER: &[Column] = &[
    Column::Mark,
    Column::Id,
    Column::Severity,
    Column::Status,
    Column::Title,
    Column::AssignedTo,
    Column::Classification,
    Column::Alerts,
    Column::Sources,
    Column::Tags,
    Column::Priority,
    Column::Updated,
    Column::UpdatedAbs,
];

/// Optional columns in the order they are kept as the terminal gets narrower.
const KEEP_ORDER: &[Column] = &[
    Column::Updated,
    Column::Status,
    Column::AssignedTo,
    Column::Classification,
    Column::Alerts,
    Column::Priority,
    Column::Tags,
    Column::Sources,
    Column::UpdatedAbs,
];

/// The title column never gets narrower than this while optional columns are shown.
pub const MIN_TITLE: usize = 20;

/// The title's share of the width (in fifths) that optional columns may not take: the title
/// is what an analyst reads, so it wins over owners, tags and sources.
const TITLE_FIFTHS: usize = 2;

/// The narrowest the title may get in a table `width` columns wide before optional columns
/// are dropped.
pub fn min_title(width: usize) -> usize {
    MIN_TITLE.max(width * TITLE_FIFTHS / 5)
}

impl Column {
    /// Header text.
    pub fn header(self) -> &'static str {
        match self {
            Column::Mark => "",
            Column::Id => "ID",
            Column::Severity => "Sev",
            Column::Status => "Status",
            Column::Title => "Title",
            Column::AssignedTo => "Assigned to",
            Column::Classification => "Classification",
            Column::Alerts => "Alerts",
            Column::Sources => "Sources",
            Column::Tags => "Tags",
            Column::Priority => "Prio",
            Column::Updated => "Updated",
            Column::UpdatedAbs => "Last update (UTC)",
        }
    }

    /// Fixed width (the title takes what is left).
    pub fn width(self) -> usize {
        match self {
            Column::Mark => 1,
            Column::Id => 7,
            Column::Severity => 6,
            Column::Status => 12,
            Column::Title => MIN_TITLE,
            Column::AssignedTo => 16,
            Column::Classification => 18,
            Column::Alerts => 6,
            Column::Sources => 14,
            Column::Tags => 18,
            Column::Priority => 4,
            Column::Updated => 9,
            Column::UpdatedAbs => 17,
        }
    }

    /// The sort key of this column.
    pub fn sort_key(self) -> Option<SortKey> {
        Some(match self {
            Column::Id => SortKey::Id,
            Column::Severity => SortKey::Severity,
            Column::Status => SortKey::Status,
            Column::Title => SortKey::Title,
            Column::AssignedTo => SortKey::AssignedTo,
            Column::Classification => SortKey::Classification,
            Column::Alerts => SortKey::Alerts,
            Column::Sources => SortKey::Sources,
            Column::Tags => SortKey::Tags,
            Column::Priority => SortKey::Priority,
            Column::Updated | Column::UpdatedAbs => SortKey::LastUpdate,
            Column::Mark => return None,
        })
    }
}

/// Which columns fit in `width` terminal columns, with their widths (one space between columns).
/// ID, severity and title always show; optional columns are added in priority order while the
/// title keeps at least [`min_title`] columns, and the title takes whatever is left.
pub fn layout_columns(width: u16) -> Vec<(Column, usize)> {
    let width = width as usize;
    let mut chosen: Vec<Column> = vec![Column::Mark, Column::Id, Column::Severity, Column::Title];
    let used = |cols: &[Column]| -> usize {
        cols.iter()
            .filter(|c| **c != Column::Title)
            .map(|c| c.width() + 1)
            .sum::<usize>()
    };
    for c in KEEP_ORDER {
        let mut trial = chosen.clone();
        trial.push(*c);
        if used(&trial) + min_title(width) <= width {
            chosen = trial;
        } else {
            break;
        }
    }
    let title = width.saturating_sub(used(&chosen)).max(1);
    SCREEN_ORDER
        .iter()
        .filter(|c| chosen.contains(c))
        .map(|c| {
            (
                *c,
                if *c == Column::Title {
                    title
                } else {
                    c.width()
                },
            )
        })
        .collect()
}

/// The cycle of sort keys for `o` / `<` / `>`.
pub const SORT_CYCLE: &[SortKey] = &[
    SortKey::LastUpdate,
    SortKey::Severity,
    SortKey::Priority,
    SortKey::Id,
    SortKey::Status,
    SortKey::Title,
    SortKey::AssignedTo,
    SortKey::Classification,
    SortKey::Alerts,
    SortKey::Sources,
    SortKey::Tags,
    SortKey::Created,
];

/// The natural direction of a sort key (newest, most severe, most alerts first).
pub fn default_descending(k: SortKey) -> bool {
    matches!(
        k,
        SortKey::LastUpdate
            | SortKey::Created
            | SortKey::Severity
            | SortKey::Priority
            | SortKey::Alerts
            | SortKey::Id
    )
}

/// Name used by `:sort NAME` and the header.
pub fn sort_name(k: SortKey) -> &'static str {
    match k {
        SortKey::Id => "id",
        SortKey::Severity => "severity",
        SortKey::Status => "status",
        SortKey::Title => "title",
        SortKey::AssignedTo => "owner",
        SortKey::Classification => "classification",
        SortKey::Alerts => "alerts",
        SortKey::Sources => "sources",
        SortKey::Tags => "tags",
        SortKey::Priority => "priority",
        SortKey::LastUpdate => "updated",
        SortKey::Created => "created",
    }
}

/// Parses a `:sort` column name (prefixes accepted: `sev`, `prio`).
pub fn parse_sort_name(s: &str) -> Option<SortKey> {
    let s = s.trim().to_ascii_lowercase();
    if s.is_empty() {
        return None;
    }
    let alias = match s.as_str() {
        "assigned" | "assignedto" | "assignee" => Some(SortKey::AssignedTo),
        "last" | "lastupdate" | "update" => Some(SortKey::LastUpdate),
        "class" => Some(SortKey::Classification),
        _ => None,
    };
    alias.or_else(|| {
        SORT_CYCLE
            .iter()
            .copied()
            .find(|k| sort_name(*k).starts_with(&s))
    })
}

/// Short classification / determination text: `TP · Malware`.
pub fn classification_text(e: &IncidentEntry) -> Option<String> {
    let c = e
        .incident
        .classification
        .as_ref()
        .filter(|c| !matches!(c, Classification::Unknown))?;
    let short = match c {
        Classification::TruePositive => "TP",
        Classification::FalsePositive => "FP",
        Classification::InformationalExpectedActivity => "BP",
        other => other.label(),
    };
    match e
        .incident
        .determination
        .as_ref()
        .filter(|d| d.is_known() && d.as_str() != "unknown")
    {
        Some(d) => Some(format!("{short} · {}", d.label())),
        None => Some(short.to_string()),
    }
}

/// The data one frame of the table needs.
pub struct QueueRows<'a> {
    /// The visible rows only.
    pub rows: &'a [&'a IncidentEntry],
    /// Index of `rows[0]` in the whole view.
    pub first_index: usize,
    /// Selected index in the whole view.
    pub selected: Option<usize>,
    /// Multi-selected ids.
    pub marked: &'a HashSet<String>,
    pub sort: Sort,
    pub now: Timestamp,
}

/// Draws the column header and the visible rows into `area`.
pub fn render_table(buf: &mut Buffer, area: Rect, data: &QueueRows, theme: &Theme, sym: Symbols) {
    if area.height == 0 {
        return;
    }
    let cols = layout_columns(area.width);
    let mut header = Vec::new();
    for (c, w) in &cols {
        let mut h = c.header().to_string();
        if c.sort_key() == Some(data.sort.key) && *c != Column::UpdatedAbs {
            h.push_str(sym.sort(data.sort.descending));
        }
        header.extend(fit_plain(&h, *w, theme.header, sym));
        header.push(Span::styled(" ", theme.header));
    }
    buf.set_line(area.x, area.y, &Line::from(header), area.width);
    for (i, e) in data
        .rows
        .iter()
        .enumerate()
        .take(area.height.saturating_sub(1) as usize)
    {
        let y = area.y + 1 + i as u16;
        let idx = data.first_index + i;
        let selected = data.selected == Some(idx);
        let row_style = if selected {
            theme.selection
        } else {
            match e.mark {
                RowMark::New => theme.row_new,
                RowMark::Changed => theme.row_changed,
                RowMark::Seen => Style::default(),
            }
        };
        let rect = Rect {
            x: area.x,
            y,
            width: area.width,
            height: 1,
        };
        buf.set_style(rect, row_style);
        let line = Line::from(row_spans(e, &cols, data, theme, sym));
        buf.set_line(area.x, y, &line, area.width);
        if selected {
            buf.set_style(rect, theme.selection);
        }
    }
}

fn row_spans(
    e: &IncidentEntry,
    cols: &[(Column, usize)],
    data: &QueueRows,
    theme: &Theme,
    sym: Symbols,
) -> Vec<Span<'static>> {
    let inc = &e.incident;
    let mut out = Vec::new();
    let none = || "-".to_string();
    for (c, w) in cols {
        let w = *w;
        let cell: Vec<Span<'static>> = match c {
            Column::Mark => {
                let (new, changed, sel) = sym.marks();
                let (m, st) = if data.marked.contains(&inc.id) {
                    (sel, theme.title)
                } else if !e.conflicts.is_empty() {
                    ("?", theme.error)
                } else if !e.pending.is_empty() {
                    (if sym.ascii { "w" } else { "✎" }, theme.pending)
                } else if e.rollback.is_some() {
                    ("!", theme.error)
                } else {
                    match e.mark {
                        RowMark::New => (new, theme.row_new),
                        RowMark::Changed => (changed, theme.row_changed),
                        RowMark::Seen => (" ", theme.text),
                    }
                };
                fit_plain(m, w, st, sym)
            }
            Column::Id => fit_text(&inc.id, w, theme.text, theme, sym),
            Column::Severity => fit_plain(
                inc.severity.label(),
                w,
                sev_style(theme, &inc.severity),
                sym,
            ),
            Column::Status => match (&inc.status, &inc.redirect_incident_id) {
                (IncidentStatus::Redirected, Some(t)) => {
                    let mut s = vec![Span::styled(
                        format!("{} #", sym.arrow()),
                        theme.status_redirected,
                    )];
                    s.extend(sanitize_spans(t, theme.status_redirected, theme.marker));
                    fit_spans(s, w, theme.text, sym)
                }
                (st, _) => fit_plain(st.label(), w, status_style(theme, st), sym),
            },
            Column::Title => {
                let mut s = Vec::new();
                if e.experts {
                    s.push(Span::styled("[DEX] ", theme.experts));
                }
                if super::sentinel::incident_from_sentinel(e) {
                    s.push(Span::styled(super::sentinel::ROW_MARKER, theme.muted));
                }
                s.extend(sanitize_spans(inc.title(), theme.text, theme.marker));
                fit_spans(s, w, theme.text, sym)
            }
            Column::AssignedTo => match inc.assigned_to.as_deref().filter(|s| !s.is_empty()) {
                Some(a) => fit_text(a, w, theme.text, theme, sym),
                None => fit_plain(&none(), w, theme.muted, sym),
            },
            Column::Classification => match classification_text(e) {
                Some(t) => fit_plain(&t, w, theme.text, sym),
                None => fit_plain(&none(), w, theme.muted, sym),
            },
            Column::Alerts => {
                let t = if e.alerts_loaded {
                    e.alert_count.to_string()
                } else {
                    "?".into()
                };
                right_plain(&t, w, theme.text, sym)
            }
            Column::Sources => {
                let t: Vec<&str> = e.sources.iter().map(|s| s.label()).collect();
                if t.is_empty() {
                    fit_plain(&none(), w, theme.muted, sym)
                } else {
                    fit_plain(&t.join(", "), w, theme.text, sym)
                }
            }
            Column::Tags => {
                let mut s: Vec<Span<'static>> = Vec::new();
                for (i, t) in inc
                    .custom_tags
                    .iter()
                    .chain(inc.system_tags.iter())
                    .enumerate()
                {
                    if i > 0 {
                        s.push(Span::styled(", ", theme.muted));
                    }
                    let system = i >= inc.custom_tags.len();
                    let st = if system { theme.experts } else { theme.text };
                    s.extend(sanitize_spans(
                        &crate::ui::text::tag_label(t),
                        st,
                        theme.marker,
                    ));
                }
                if s.is_empty() {
                    fit_plain(&none(), w, theme.muted, sym)
                } else {
                    fit_spans(s, w, theme.text, sym)
                }
            }
            Column::Priority => match inc.priority_score {
                Some(p) => {
                    let st = if p > 85 {
                        theme.sev_high
                    } else if p >= 15 {
                        theme.sev_medium
                    } else {
                        theme.muted
                    };
                    right_plain(&p.to_string(), w, st, sym)
                }
                None => right_plain("-", w, theme.muted, sym),
            },
            Column::Updated => match inc.last_update_date_time {
                Some(t) => fit_plain(&relative(data.now, t), w, theme.muted, sym),
                None => fit_plain(&none(), w, theme.muted, sym),
            },
            Column::UpdatedAbs => match inc.last_update_date_time {
                Some(t) => fit_plain(&super::absolute(t), w, theme.muted, sym),
                None => fit_plain(&none(), w, theme.muted, sym),
            },
        };
        out.extend(cell);
        out.push(Span::raw(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(w: u16) -> Vec<Column> {
        layout_columns(w).into_iter().map(|(c, _)| c).collect()
    }

    #[test]
    fn columns_drop_by_priority_at_80() {
        let cols = layout_columns(80);
        let total: usize = cols.iter().map(|(_, w)| w + 1).sum();
        assert!(total <= 81, "{cols:?}");
        let n = names(80);
        assert_eq!(
            n,
            vec![
                Column::Mark,
                Column::Id,
                Column::Severity,
                Column::Status,
                Column::Title,
                Column::Updated
            ]
        );
        let title = cols.iter().find(|(c, _)| *c == Column::Title).unwrap().1;
        assert!(title >= MIN_TITLE);
    }

    #[test]
    fn wide_terminals_show_everything_and_tiny_ones_keep_the_essentials() {
        let n = names(240);
        assert!(
            n.contains(&Column::UpdatedAbs)
                && n.contains(&Column::Sources)
                && n.contains(&Column::Tags)
        );
        let n = names(30);
        assert_eq!(
            n,
            vec![Column::Mark, Column::Id, Column::Severity, Column::Title]
        );
        for w in [20u16, 40, 60, 100, 120, 160, 200] {
            let total: usize = layout_columns(w).iter().map(|(_, cw)| cw + 1).sum();
            assert!(total <= w as usize + 1 || w < 40, "width {w}: {total}");
        }
    }

    #[test]
    fn the_title_gets_the_width_before_owners_tags_and_sources() {
        let title = |w: u16| {
            layout_columns(w)
                .into_iter()
                .find(|(c, _)| *c == Column::Title)
                .map_or(0, |(_, tw)| tw)
        };
        // At 80 columns the owner column would leave the title 23 columns: it goes first.
        assert!(!names(80).contains(&Column::AssignedTo));
        assert!(!names(80).contains(&Column::Tags));
        assert!(title(80) >= 32, "title {} at 80", title(80));
        for w in [80u16, 100, 120, 160, 200, 240] {
            assert!(
                title(w) >= usize::from(w) * 2 / 5,
                "at {w} columns the title is only {} wide",
                title(w)
            );
        }
        // Wide terminals give the spare width to the title, not to a 20-column cell.
        assert!(
            title(160) >= 64 && title(200) >= 80,
            "{} {}",
            title(160),
            title(200)
        );
        assert!(names(160).contains(&Column::AssignedTo));
    }

    #[test]
    fn sort_names_parse() {
        assert_eq!(parse_sort_name("sev"), Some(SortKey::Severity));
        assert_eq!(parse_sort_name("prio"), Some(SortKey::Priority));
        assert_eq!(parse_sort_name("owner"), Some(SortKey::AssignedTo));
        assert_eq!(parse_sort_name("updated"), Some(SortKey::LastUpdate));
        assert_eq!(parse_sort_name("zzz"), None);
        for k in SORT_CYCLE {
            assert_eq!(parse_sort_name(sort_name(*k)), Some(*k));
        }
    }
}
