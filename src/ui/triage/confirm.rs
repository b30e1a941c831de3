//! A generic yes/no dialog with a scrollable list of (sanitised) lines, and the conflict dialog
//! shown when an incident changed on the server since the analyst saw it. Keys come from the
//! keymap's `confirm` context.

use super::changes::{classification_label, owner_label};
use super::widgets::{centered, draw_lines, is_release, modal, row};
use crate::graph::model::{Classification, Determination, Incident, IncidentPatch};
use crate::ui::action::Action;
use crate::ui::keymap::{Context, Keymap, PaneHint};
use crate::ui::overlay::Outcome;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

/// Yes/no question: `y`/Enter = yes, `n`/Esc = no; j/k/arrows/PgUp/PgDn scroll.
#[derive(Clone, Debug)]
pub struct ConfirmDialog {
    title: String,
    lines: Vec<String>,
    prompt: String,
    scroll: usize,
    /// Key hints replacing the generic yes/no ones.
    hints: Option<&'static [PaneHint]>,
}

impl ConfirmDialog {
    /// A dialog; `lines` may hold untrusted text (sanitised when drawn).
    pub fn new(title: impl Into<String>, lines: Vec<String>) -> Self {
        ConfirmDialog {
            title: title.into(),
            lines,
            prompt: "Continue? y/n".into(),
            scroll: 0,
            hints: None,
        }
    }

    /// Replaces the question shown under the lines.
    pub fn with_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = prompt.into();
        self
    }

    /// Replaces the key hints (when the answers mean more than yes and no).
    pub fn with_hints(mut self, hints: &'static [PaneHint]) -> Self {
        self.hints = Some(hints);
        self
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// The body lines (raw, as given).
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// A key with the default bindings.
    pub fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        self.handle_key_in(key, Keymap::defaults())
    }

    /// A key, resolved through `keymap` (context [`Context::Confirm`]): yes, no (or Esc),
    /// scrolling.
    pub fn handle_key_in(&mut self, key: KeyEvent, keymap: &Keymap) -> Outcome {
        if is_release(&key) {
            return Outcome::Stay;
        }
        let max = self.lines.len().saturating_sub(1);
        match keymap.lookup(Context::Confirm, &key) {
            Some(Action::Yes) => return Outcome::Yes,
            Some(Action::No) | Some(Action::Back) => return Outcome::No,
            Some(Action::MoveDown) => self.scroll = (self.scroll + 1).min(max),
            Some(Action::MoveUp) => self.scroll = self.scroll.saturating_sub(1),
            Some(Action::PageDown) => self.scroll = (self.scroll + 10).min(max),
            Some(Action::PageUp) => self.scroll = self.scroll.saturating_sub(10),
            _ => {}
        }
        Outcome::Stay
    }

    /// The hints with the default bindings.
    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        self.hint_table().iter().map(|(_, k, d)| (*k, *d)).collect()
    }

    /// The hints with the keys `keymap` binds.
    pub fn hints_in(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        keymap.pane_hints(Context::Confirm, self.hint_table())
    }

    fn hint_table(&self) -> &'static [PaneHint] {
        const YES_NO: &[PaneHint] = &[
            (&[Action::Yes], "y/Enter", "yes"),
            (&[Action::No, Action::Back], "n/Esc", "no"),
            (&[Action::MoveDown, Action::MoveUp], "j/k", "scroll"),
        ];
        self.hints.unwrap_or(YES_NO)
    }

    /// Draws the dialog centred in `area`, with the default bindings in its hints.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        self.render_in(f, area, theme, Keymap::defaults())
    }

    /// Draws the dialog centred in `area`, its hints naming the keys `keymap` binds.
    pub fn render_in(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        let body = self.lines.len() as u16;
        let rect = centered(area, 76, body + 4);
        let hints = self.hints_in(keymap);
        let hints: Vec<(&str, &str)> = hints.iter().map(|(k, d)| (k.as_str(), *d)).collect();
        let inner = modal(f, rect, &self.title, &hints, theme);
        if inner.height == 0 {
            return;
        }
        let width = inner.width as usize;
        let list_h = inner.height.saturating_sub(2) as usize;
        let start = self
            .scroll
            .min(self.lines.len().saturating_sub(list_h.max(1)));
        let mut lines: Vec<_> = self
            .lines
            .iter()
            .skip(start)
            .take(list_h)
            .map(|l| row(&[(l.as_str(), theme.text)], width))
            .collect();
        let hidden = self.lines.len().saturating_sub(start + list_h);
        while lines.len() < list_h {
            lines.push(row(&[("", theme.text)], width));
        }
        let more = if hidden > 0 {
            format!("  ({hidden} more, j/k to scroll)")
        } else {
            String::new()
        };
        lines.push(row(&[("", theme.text)], width));
        lines.push(row(
            &[(&self.prompt, theme.warning), (&more, theme.muted)],
            width,
        ));
        draw_lines(f, inner, lines);
    }
}

fn server_value(field: &str, s: &Incident) -> String {
    match field {
        "status" => s.status.label().to_string(),
        "assignedTo" => owner_label(s.assigned_to.as_deref()),
        "classification" | "determination" => classification_label(
            s.classification
                .as_ref()
                .unwrap_or(&Classification::Unknown),
            s.determination.as_ref().unwrap_or(&Determination::Unknown),
        ),
        "severity" => s.severity.label().to_string(),
        "customTags" | "tags" => {
            if s.custom_tags.is_empty() {
                "(none)".into()
            } else {
                crate::ui::text::tag_list(&s.custom_tags)
            }
        }
        "resolvingComment" => s.resolving_comment.clone().unwrap_or_default(),
        "displayName" => s.title().to_string(),
        _ => "changed".into(),
    }
}

fn field_name(field: &str) -> &str {
    match field {
        "assignedTo" => "owner",
        "determination" => "classification",
        "customTags" | "tags" => "tags",
        "resolvingComment" => "resolving comment",
        "displayName" => "name",
        other => other,
    }
}

/// "Changed on the server" dialog: what the server now says for each changed field, what the
/// analyst wanted, and "Overwrite?". On yes the host re-sends the write with `force: true`,
/// on no it discards it; Esc leaves it in conflict (`:retry` shows the dialog again).
pub fn conflict_dialog(
    local: &IncidentPatch,
    server: &Incident,
    changed_fields: &[String],
) -> ConfirmDialog {
    let by = server
        .last_modified_by
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| format!(" by {s}"))
        .unwrap_or_default();
    let mut lines = vec![format!(
        "#{} {} changed on the server since you opened it:",
        server.id,
        server.title()
    )];
    let mut seen: Vec<&str> = Vec::new();
    for f in changed_fields {
        let name = field_name(f);
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        let verb = if name == "tags" { "are" } else { "is" };
        lines.push(format!(
            "  {name} {verb} now {}{by}",
            server_value(f, server)
        ));
    }
    if changed_fields.is_empty() {
        lines.push(format!("  (no field details){by}"));
    }
    lines.push(String::new());
    lines.push("Your change:".into());
    // Describe the local patch against the server's version.
    for d in super::changes::describe_changes(server, local) {
        lines.push(format!("  {d}"));
    }
    ConfirmDialog::new("Conflict: incident changed on the server", lines)
        .with_prompt("Overwrite the server's values with yours? y yes · n discard yours · Esc later (:retry)")
        .with_hints(&[
            (&[Action::Yes], "y/Enter", "overwrite"),
            (&[Action::No], "n", "discard mine"),
            (&[Action::Back], "Esc", "later (:retry)"),
            (&[Action::MoveDown, Action::MoveUp], "j/k", "scroll"),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::IncidentStatus;
    use ratatui::crossterm::event::KeyCode;
    use ratatui::crossterm::event::KeyModifiers;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn keys_map_to_answers() {
        let mut d = ConfirmDialog::new("t", vec!["a".into(), "b".into()]);
        assert_eq!(d.handle_key(k(KeyCode::Char('j'))), Outcome::Stay);
        assert_eq!(d.handle_key(k(KeyCode::Char('y'))), Outcome::Yes);
        assert_eq!(d.handle_key(k(KeyCode::Enter)), Outcome::Yes);
        assert_eq!(d.handle_key(k(KeyCode::Char('n'))), Outcome::No);
        assert_eq!(d.handle_key(k(KeyCode::Esc)), Outcome::No);
        assert_eq!(d.handle_key(k(KeyCode::Char('q'))), Outcome::Stay);
    }

    #[test]
    fn conflict_names_the_server_change_and_the_author() {
        let server = Incident {
            id: "42".into(),
            display_name: Some("Phish".into()),
            status: IncidentStatus::Resolved,
            last_modified_by: Some("portal:jordan@contoso.com".into()),
            ..Default::default()
        };
        let local = IncidentPatch {
            status: Some(IncidentStatus::InProgress),
            ..Default::default()
        };
        let d = conflict_dialog(&local, &server, &["status".to_string()]);
        assert!(
            d.lines()
                .contains(&"  status is now Resolved by portal:jordan@contoso.com".to_string())
        );
        assert!(
            d.lines()
                .contains(&"  status: Resolved → In progress".to_string())
        );
    }
}
