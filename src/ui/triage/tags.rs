//! The custom-tag editor: the tags the selected incidents carry (toggle removal) plus type-ahead
//! over tags in use elsewhere, with "create new" when nothing matches.

use super::widgets::{centered, draw_lines, modal, row, scroll_start, typed_char};
use crate::ui::action::Action;
use crate::ui::keymap::{Context, Keymap, PaneHint};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

/// One row of the editor.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TagRow {
    /// A tag some of the targets carry: (name, how many targets carry it).
    Current(String, usize),
    /// A tag used elsewhere, or queued to be added.
    Suggested(String),
    /// Create a tag nobody uses yet.
    New(String),
}

/// The key line drawn in the editor (context [`Context::Tags`]).
const DRAWN_HINTS: &[PaneHint] = &[
    (&[Action::Open], "Enter", "toggles"),
    (&[], "type", "to find or create"),
    (&[Action::Back], "Esc", "done"),
];

/// The hints of the tag editor in the status bar (context [`Context::Tags`]).
pub(crate) const TAG_HINTS: &[PaneHint] = &[
    (&[], "type", "find/create"),
    (&[Action::Open], "Enter", "toggle"),
    (&[Action::MoveUp, Action::MoveDown], "↑/↓", "move"),
];

/// Result of a key in the tag editor.
#[derive(Debug, PartialEq)]
pub(crate) enum TagEvent {
    None,
    Close,
}

#[derive(Clone, Debug)]
pub(crate) struct TagEditor {
    /// Union of the targets' tags with counts, in first-seen order.
    current: Vec<(String, usize)>,
    targets: usize,
    in_use: Vec<String>,
    input: String,
    cursor: usize,
}

impl TagEditor {
    pub fn new(target_tags: &[&[String]], in_use: &[String]) -> Self {
        let mut current: Vec<(String, usize)> = Vec::new();
        for tags in target_tags {
            for t in tags.iter() {
                match current.iter_mut().find(|(n, _)| n == t) {
                    Some((_, c)) => *c += 1,
                    None => current.push((t.clone(), 1)),
                }
            }
        }
        let mut in_use: Vec<String> = in_use.to_vec();
        in_use.sort_by_key(|a| a.to_lowercase());
        in_use.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        TagEditor {
            current,
            targets: target_tags.len(),
            in_use,
            input: String::new(),
            cursor: 0,
        }
    }

    /// Rows shown for the current input, given the pending adds.
    pub fn rows(&self, adds: &[String]) -> Vec<TagRow> {
        let f = self.input.trim().to_lowercase();
        let matches = |s: &str| f.is_empty() || s.to_lowercase().contains(&f);
        let mut rows: Vec<TagRow> = self
            .current
            .iter()
            .filter(|(n, _)| matches(n))
            .map(|(n, c)| TagRow::Current(n.clone(), *c))
            .collect();
        let known = |s: &str| self.current.iter().any(|(n, _)| n.eq_ignore_ascii_case(s));
        let mut suggested: Vec<String> = adds.iter().filter(|a| !known(a)).cloned().collect();
        if !f.is_empty() {
            for t in &self.in_use {
                if matches(t) && !known(t) && !suggested.iter().any(|s| s.eq_ignore_ascii_case(t)) {
                    suggested.push(t.clone());
                }
            }
        }
        // Prefix matches first.
        suggested.sort_by_key(|s| !s.to_lowercase().starts_with(&f));
        rows.extend(
            suggested
                .into_iter()
                .filter(|s| matches(s))
                .map(TagRow::Suggested),
        );
        let exact = |s: &str| s.trim().to_lowercase() == f;
        if !f.is_empty()
            && !self.current.iter().any(|(n, _)| exact(n))
            && !self.in_use.iter().any(|t| exact(t))
            && !adds.iter().any(|t| exact(t))
        {
            rows.push(TagRow::New(self.input.trim().to_string()));
        }
        rows
    }

    /// Plain labels of the rows (for hosts and tests): `Demo (2/3)`, `Phish`, `Create new "x"`.
    pub fn labels(&self, adds: &[String]) -> Vec<String> {
        self.rows(adds)
            .into_iter()
            .map(|r| match r {
                TagRow::Current(n, c) if self.targets > 1 => format!("{n} ({c}/{})", self.targets),
                TagRow::Current(n, _) | TagRow::Suggested(n) => n,
                TagRow::New(n) => format!("Create new \"{n}\""),
            })
            .collect()
    }

    /// A key: command keys resolved through `keymap` (context [`Context::Tags`]), Backspace
    /// and typed characters edit the input.
    pub fn handle_key(
        &mut self,
        key: KeyEvent,
        keymap: &Keymap,
        adds: &mut Vec<String>,
        removes: &mut Vec<String>,
    ) -> TagEvent {
        let len = self.rows(adds).len();
        match keymap.lookup(Context::Tags, &key) {
            Some(Action::Back) => return TagEvent::Close,
            Some(Action::MoveUp) => self.cursor = self.cursor.saturating_sub(1),
            Some(Action::MoveDown) => {
                if self.cursor + 1 < len {
                    self.cursor += 1;
                }
            }
            Some(Action::Open) => {
                if let Some(r) = self.rows(adds).get(self.cursor).cloned() {
                    toggle(&r, self.targets, adds, removes);
                    if !self.input.is_empty() {
                        self.input.clear();
                        self.cursor = 0;
                    }
                }
            }
            _ if key.code == KeyCode::Backspace => {
                self.input.pop();
                self.cursor = 0;
            }
            _ => {
                if let Some(c) = typed_char(&key) {
                    self.push_str(&c.to_string());
                }
            }
        }
        let len = self.rows(adds).len();
        self.cursor = self.cursor.min(len.saturating_sub(1));
        TagEvent::None
    }

    pub fn push_str(&mut self, s: &str) {
        self.input
            .extend(s.chars().filter(|c| !c.is_control()).take(200));
        self.cursor = 0;
    }

    /// Draws the editor over `area`; its key line names the keys `keymap` binds.
    pub fn render(
        &self,
        f: &mut Frame,
        area: Rect,
        theme: &Theme,
        keymap: &Keymap,
        adds: &[String],
        removes: &[String],
    ) {
        let rows = self.rows(adds);
        let h = (rows.len() as u16 + 4).clamp(6, area.height.saturating_sub(2).max(6));
        let w = area.width.saturating_sub(6).clamp(20, 60);
        let rect = centered(area, w, h);
        let inner = modal(f, rect, "Custom tags", &[], theme);
        let width = inner.width as usize;
        let key_line = keymap.pane_line(Context::Tags, DRAWN_HINTS);
        let mut lines = vec![
            row(
                &[
                    ("tag: ", theme.muted),
                    (&self.input, theme.text),
                    ("▏", theme.key_hint),
                ],
                width,
            ),
            row(&[(key_line.as_str(), theme.muted)], width),
        ];
        let list_h = inner.height.saturating_sub(2) as usize;
        if rows.is_empty() {
            lines.push(row(&[("  (no tags)", theme.muted)], width));
        }
        let start = scroll_start(self.cursor, list_h, rows.len());
        for (i, r) in rows.iter().enumerate().skip(start).take(list_h) {
            let sel = i == self.cursor;
            let pick = |s: ratatui::style::Style| if sel { s.patch(theme.selection) } else { s };
            let (mark, name, note, style) = match r {
                TagRow::Current(n, c) => {
                    let removed = removes.contains(n);
                    let count = if self.targets > 1 {
                        format!("  on {c}/{}", self.targets)
                    } else {
                        String::new()
                    };
                    if adds.contains(n) {
                        ("[+] ", n.clone(), format!("{count}  add to all"), theme.ok)
                    } else if removed {
                        ("[-] ", n.clone(), format!("{count}  remove"), theme.error)
                    } else {
                        ("[x] ", n.clone(), count, theme.text)
                    }
                }
                TagRow::Suggested(n) => {
                    if adds.contains(n) {
                        ("[+] ", n.clone(), "  add".to_string(), theme.ok)
                    } else {
                        ("[ ] ", n.clone(), String::new(), theme.text)
                    }
                }
                TagRow::New(n) => (
                    "[ ] ",
                    format!("Create new \"{n}\""),
                    String::new(),
                    theme.text,
                ),
            };
            lines.push(row(
                &[
                    (if sel { "› " } else { "  " }, pick(style)),
                    (mark, pick(style)),
                    (&name, pick(style)),
                    (&note, theme.muted),
                ],
                width,
            ));
        }
        draw_lines(f, inner, lines);
    }
}

/// Current tags carried by every target toggle keep ↔ remove; tags carried by only some cycle
/// keep → add to all → remove from all → keep. Other rows toggle add.
fn toggle(r: &TagRow, targets: usize, adds: &mut Vec<String>, removes: &mut Vec<String>) {
    match r {
        TagRow::Current(n, c) => {
            let added = adds.iter().position(|x| x == n);
            let removed = removes.iter().position(|x| x == n);
            match (added, removed) {
                (Some(i), _) => {
                    adds.remove(i);
                    removes.push(n.clone());
                }
                (None, Some(i)) => {
                    removes.remove(i);
                }
                (None, None) if *c < targets => adds.push(n.clone()),
                (None, None) => removes.push(n.clone()),
            }
        }
        TagRow::Suggested(n) | TagRow::New(n) => {
            if let Some(i) = adds.iter().position(|x| x == n) {
                adds.remove(i);
            } else {
                adds.push(n.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_merge_current_tags_suggestions_and_create_new() {
        let a = vec!["Demo".to_string(), "Old".to_string()];
        let b = vec!["Demo".to_string()];
        let in_use = vec![
            "Phish".to_string(),
            "phase2".to_string(),
            "Demo".to_string(),
        ];
        let mut ed = TagEditor::new(&[&a, &b], &in_use);
        assert_eq!(
            ed.rows(&[]),
            vec![
                TagRow::Current("Demo".into(), 2),
                TagRow::Current("Old".into(), 1)
            ]
        );
        ed.push_str("ph");
        assert_eq!(
            ed.rows(&[]),
            vec![
                TagRow::Suggested("phase2".into()),
                TagRow::Suggested("Phish".into()),
                TagRow::New("ph".into())
            ]
        );
        ed.push_str("ish");
        assert_eq!(ed.rows(&[]), vec![TagRow::Suggested("Phish".into())]);
    }
}
