//! The queue's header line. What explains the rows comes first and always shows (view,
//! filter, sort, selection); counts follow while they fit the width.

use super::Symbols;
use super::queue::sort_name;
use crate::store::{Counts, Sort};
use crate::ui::sanitize::sanitize;
use crate::ui::text::{display_width, truncate_with};
use crate::ui::theme::Theme;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// What the header line says.
pub struct QueueSummary<'a> {
    /// Active view name (`default`, `experts`, a saved view).
    pub view: &'a str,
    /// Rows in the list.
    pub shown: usize,
    pub counts: &'a Counts,
    pub sort: Sort,
    /// The applied filter (empty when none, or while it is being typed on the input line).
    pub filter: &'a str,
    /// Multi-selected rows.
    pub selected: usize,
}

/// One part of the line: its text, its style and how much it matters (0 = always shown).
struct Part {
    spans: Vec<Span<'static>>,
    rank: u8,
}

impl Part {
    fn width(&self) -> usize {
        self.spans.iter().map(|s| display_width(&s.content)).sum()
    }
}

/// The header line for `width` columns.
pub fn summary_line(s: &QueueSummary, width: u16, theme: &Theme, sym: Symbols) -> Line<'static> {
    let sep = || Span::styled(" · ", theme.muted);
    let one = |text: String, style: Style, rank: u8| Part {
        spans: vec![sep(), Span::styled(text, style)],
        rank,
    };
    let mut parts = vec![Part {
        spans: vec![Span::styled(
            format!("[{}]", sanitize(s.view)),
            theme.key_hint,
        )],
        rank: 0,
    }];
    let filter_at = parts.len();
    if !s.filter.is_empty() {
        parts.push(Part {
            spans: vec![
                sep(),
                Span::styled("filter: ", theme.muted),
                Span::styled(sanitize(s.filter).into_owned(), theme.key_hint),
            ],
            rank: 0,
        });
    }
    parts.push(one(
        format!(
            "sort {}{}",
            sort_name(s.sort.key),
            sym.sort(s.sort.descending)
        ),
        theme.muted,
        0,
    ));
    if s.selected > 0 {
        parts.push(one(format!("{} selected", s.selected), theme.title, 0));
    }
    parts.push(one(format!("{} shown", s.shown), theme.text, 1));
    let c = s.counts;
    parts.push(Part {
        spans: vec![
            sep(),
            Span::styled(format!("High {}", c.high), theme.sev_high),
            Span::raw(" "),
            Span::styled(format!("Med {}", c.medium), theme.sev_medium),
            Span::raw(" "),
            Span::styled(format!("Low {}", c.low), theme.sev_low),
        ],
        rank: 2,
    });
    if c.experts > 0 || c.awaiting_customer > 0 {
        parts.push(one(
            format!("DEX {} ({} awaiting)", c.experts, c.awaiting_customer),
            theme.experts,
            3,
        ));
    }
    parts.push(one(format!("{} open", c.open), theme.text, 4));
    if c.unseen > 0 {
        parts.push(one(format!("{} new/changed", c.unseen), theme.row_new, 5));
    }

    let width = usize::from(width);
    let essential: usize = parts.iter().filter(|p| p.rank == 0).map(Part::width).sum();
    if essential > width && filter_at < parts.len() && !s.filter.is_empty() {
        // Only a long filter can overflow the essentials: shorten it, keep the sort visible.
        let over = essential - width;
        let filter = &mut parts[filter_at];
        if let Some(text) = filter.spans.last_mut() {
            let keep = display_width(&text.content).saturating_sub(over);
            text.content = truncate_with(&text.content, keep, sym.ellipsis())
                .into_owned()
                .into();
        }
    }
    let mut used: usize = parts.iter().filter(|p| p.rank == 0).map(Part::width).sum();
    let mut shown: Vec<bool> = parts.iter().map(|p| p.rank == 0).collect();
    let mut by_rank: Vec<usize> = (0..parts.len()).filter(|i| parts[*i].rank > 0).collect();
    by_rank.sort_by_key(|i| parts[*i].rank);
    for i in by_rank {
        let w = parts[i].width();
        if used + w <= width {
            used += w;
            shown[i] = true;
        }
    }
    let spans: Vec<Span<'static>> = parts
        .into_iter()
        .zip(shown)
        .filter(|(_, on)| *on)
        .flat_map(|(p, _)| p.spans)
        .collect();
    Line::from(spans)
}
