//! PLACEHOLDER (replaced by the `uikit` branch): semantic styles.

use ratatui::style::{Color, Modifier, Style};

/// Semantic styles for every element the UI draws.
#[derive(Clone, Debug)]
pub struct Theme {
    pub sev_high: Style,
    pub sev_medium: Style,
    pub sev_low: Style,
    pub sev_info: Style,
    pub status_active: Style,
    pub status_in_progress: Style,
    pub status_resolved: Style,
    pub status_awaiting: Style,
    pub status_redirected: Style,
    pub selection: Style,
    pub row_new: Style,
    pub row_changed: Style,
    pub pending: Style,
    pub error: Style,
    pub warning: Style,
    pub ok: Style,
    pub muted: Style,
    pub border: Style,
    pub border_focus: Style,
    pub title: Style,
    pub header: Style,
    pub tab_active: Style,
    pub tab_inactive: Style,
    pub marker: Style,
    pub experts: Style,
    pub key_hint: Style,
    pub status_bar: Style,
    pub notification: Style,
    pub text: Style,
}

impl Default for Theme {
    fn default() -> Self {
        let s = Style::default();
        Theme {
            sev_high: s.fg(Color::Red).add_modifier(Modifier::BOLD),
            sev_medium: s.fg(Color::Yellow),
            sev_low: s.fg(Color::Cyan),
            sev_info: s.fg(Color::DarkGray),
            status_active: s,
            status_in_progress: s.fg(Color::Blue),
            status_resolved: s.fg(Color::DarkGray),
            status_awaiting: s.fg(Color::Magenta),
            status_redirected: s.fg(Color::DarkGray),
            selection: s.add_modifier(Modifier::REVERSED),
            row_new: s.add_modifier(Modifier::BOLD),
            row_changed: s.add_modifier(Modifier::ITALIC),
            pending: s.fg(Color::Yellow).add_modifier(Modifier::ITALIC),
            error: s.fg(Color::Red),
            warning: s.fg(Color::Yellow),
            ok: s.fg(Color::Green),
            muted: s.fg(Color::DarkGray),
            border: s.fg(Color::DarkGray),
            border_focus: s.fg(Color::White),
            title: s.add_modifier(Modifier::BOLD),
            header: s.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            tab_active: s.add_modifier(Modifier::REVERSED),
            tab_inactive: s,
            marker: s.fg(Color::Magenta),
            experts: s.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            key_hint: s.fg(Color::Cyan),
            status_bar: s,
            notification: s.add_modifier(Modifier::BOLD),
            text: s,
        }
    }
}
