//! The `?` overlay: every key of the current screen, generated from the keymap.

use crate::ui::keymap::{Context, Keymap};
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

/// Help lines for a screen: `keys  description`, plus the input-line keys for the queue.
pub fn help_lines(keymap: &Keymap, context: Context, theme: &Theme) -> Vec<Line<'static>> {
    let entries = keymap.help(context);
    let key_w = entries
        .iter()
        .map(|(_, k)| k.join(" ").chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let mut out: Vec<Line<'static>> = entries
        .into_iter()
        .map(|(a, keys)| {
            let k = keys.join(" ");
            Line::from(vec![
                Span::styled(format!("{k:<key_w$}"), theme.key_hint),
                Span::raw("  "),
                Span::styled(a.description().to_string(), theme.text),
            ])
        })
        .collect();
    if context == Context::Queue {
        out.push(Line::default());
        out.push(Line::from(Span::styled(
            "In the filter line: Enter keeps, Esc restores, ctrl-u clears",
            theme.muted,
        )));
        out.push(Line::from(Span::styled(
            "Filter terms: sev:high status:active owner:me owner:none tag:X source:endpoint class:tp age:<24h experts:yes",
            theme.muted,
        )));
    }
    out
}

/// Draws the overlay centred in `area`, scrolled by `scroll` lines.
pub fn render(
    buf: &mut Buffer,
    area: Rect,
    lines: &[Line<'static>],
    title: &str,
    scroll: usize,
    theme: &Theme,
) {
    let w = lines.iter().map(|l| l.width()).max().unwrap_or(20).max(30) as u16 + 4;
    let h = lines.len() as u16 + 2;
    let width = w.min(area.width);
    let height = h.min(area.height);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(Span::styled(format!(" {title} — Esc closes "), theme.title));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let max = lines.len().saturating_sub(inner.height as usize);
    for (row, line) in lines
        .iter()
        .skip(scroll.min(max))
        .take(inner.height as usize)
        .enumerate()
    {
        crate::ui::text::set_line_cut(
            buf,
            inner.x + 1,
            inner.y + row as u16,
            line,
            inner.width.saturating_sub(1),
        );
    }
}
