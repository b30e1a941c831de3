//! A type-ahead list picker: typing filters (case-insensitive, prefix matches first, then
//! substring), arrows move, Enter picks, Esc cancels.

use super::widgets::{centered, draw_lines, modal, row, scroll_start, typed_char};
use crate::ui::action::Action;
use crate::ui::keymap::{Context, Keymap, PaneHint};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

/// One row of a picker.
#[derive(Clone, Debug)]
pub(crate) struct Choice<T> {
    /// What is shown.
    pub label: String,
    /// What typing matches against.
    pub key: String,
    /// `None` = shown but not choosable.
    pub value: Option<T>,
    /// Right-hand note (e.g. "set by Defender Experts", "current").
    pub note: Option<String>,
    /// Shown only while the filter is empty (actions like "Unassign").
    pub pinned: bool,
}

impl<T> Choice<T> {
    pub fn new(label: impl Into<String>, value: T) -> Self {
        let label = label.into();
        Choice {
            key: label.clone(),
            label,
            value: Some(value),
            note: None,
            pinned: false,
        }
    }

    pub fn disabled(label: impl Into<String>, note: impl Into<String>) -> Self {
        let label = label.into();
        Choice {
            key: label.clone(),
            label,
            value: None,
            note: Some(note.into()),
            pinned: false,
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn pinned(mut self) -> Self {
        self.pinned = true;
        self
    }
}

/// What a key did to the picker.
#[derive(Debug, PartialEq)]
pub(crate) enum PickerEvent<T> {
    None,
    Picked(T),
    Cancel,
    /// Backspace on an empty filter (used to go up a level).
    Back,
}

/// The hints of an open picker (context [`Context::Picker`]).
pub(crate) const PICKER_HINTS: &[PaneHint] = &[
    (&[], "type", "filter"),
    (&[Action::MoveUp, Action::MoveDown], "↑/↓", "move"),
    (&[Action::Open], "Enter", "choose"),
    (&[Action::Back], "Esc", "back"),
];

/// Makes a free-text choice from the typed filter (e.g. "Assign to "bob"").
pub(crate) type FreeText<T> = fn(&str) -> Choice<T>;

#[derive(Clone, Debug)]
pub(crate) struct Picker<T> {
    pub title: String,
    choices: Vec<Choice<T>>,
    filter: String,
    cursor: usize,
    free_text: Option<FreeText<T>>,
}

impl<T: Clone> Picker<T> {
    pub fn new(title: impl Into<String>, choices: Vec<Choice<T>>) -> Self {
        Picker {
            title: title.into(),
            choices,
            filter: String::new(),
            cursor: 0,
            free_text: None,
        }
    }

    /// Offers the typed text itself when nothing matches it exactly.
    pub fn with_free_text(mut self, f: FreeText<T>) -> Self {
        self.free_text = Some(f);
        self
    }

    /// Puts the cursor on the first choice whose value satisfies `pred`.
    pub fn select_where(mut self, pred: impl Fn(&T) -> bool) -> Self {
        if let Some(i) = self
            .visible()
            .iter()
            .position(|c| c.value.as_ref().is_some_and(&pred))
        {
            self.cursor = i;
        }
        self
    }

    /// The rows currently shown, in order.
    pub fn visible(&self) -> Vec<Choice<T>> {
        let f = self.filter.trim().to_lowercase();
        if f.is_empty() {
            return self.choices.clone();
        }
        let unpinned = || self.choices.iter().filter(|c| !c.pinned);
        let mut out: Vec<Choice<T>> = unpinned()
            .filter(|c| c.key.to_lowercase().starts_with(&f))
            .cloned()
            .collect();
        out.extend(
            unpinned()
                .filter(|c| {
                    let k = c.key.to_lowercase();
                    !k.starts_with(&f) && k.contains(&f)
                })
                .cloned(),
        );
        if let Some(make) = self.free_text
            && !self
                .choices
                .iter()
                .any(|c| c.key.trim().to_lowercase() == f)
        {
            out.push(make(self.filter.trim()));
        }
        out
    }

    /// A key with the default bindings.
    #[cfg(test)]
    pub fn handle_key(&mut self, key: KeyEvent) -> PickerEvent<T> {
        self.handle_key_in(key, Keymap::defaults())
    }

    /// A key: command keys resolved through `keymap` (context [`Context::Picker`]), Backspace
    /// and typed characters edit the filter.
    pub fn handle_key_in(&mut self, key: KeyEvent, keymap: &Keymap) -> PickerEvent<T> {
        let len = self.visible().len();
        match keymap.lookup(Context::Picker, &key) {
            Some(Action::Back) => return PickerEvent::Cancel,
            Some(Action::Open) => {
                return self
                    .visible()
                    .get(self.cursor)
                    .and_then(|c| c.value.clone())
                    .map_or(PickerEvent::None, PickerEvent::Picked);
            }
            Some(Action::MoveUp) => self.cursor = self.cursor.saturating_sub(1),
            Some(Action::MoveDown) => {
                if self.cursor + 1 < len {
                    self.cursor += 1;
                }
            }
            Some(Action::PageUp) => self.cursor = self.cursor.saturating_sub(8),
            Some(Action::PageDown) => self.cursor = (self.cursor + 8).min(len.saturating_sub(1)),
            Some(Action::Top) => self.cursor = 0,
            Some(Action::Bottom) => self.cursor = len.saturating_sub(1),
            _ if key.code == KeyCode::Backspace => {
                if self.filter.pop().is_none() {
                    return PickerEvent::Back;
                }
                self.cursor = 0;
            }
            _ => {
                if let Some(c) = typed_char(&key) {
                    self.push_str(&c.to_string());
                }
            }
        }
        PickerEvent::None
    }

    /// Adds text to the filter (typing or paste; control characters dropped).
    pub fn push_str(&mut self, s: &str) {
        self.filter
            .extend(s.chars().filter(|c| !c.is_control()).take(200));
        self.cursor = 0;
    }

    /// Draws the picker as a box over the lower part of `area`.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let items = self.visible();
        let h = (items.len() as u16 + 3).clamp(5, area.height.saturating_sub(2).max(5));
        let w = area.width.saturating_sub(6).clamp(20, 60);
        let rect = centered(area, w, h);
        let inner = modal(f, rect, &self.title, &[], theme);
        if inner.height == 0 {
            return;
        }
        let width = inner.width as usize;
        let mut lines = vec![row(
            &[
                ("filter: ", theme.muted),
                (&self.filter, theme.text),
                ("▏", theme.key_hint),
            ],
            width,
        )];
        let list_h = inner.height.saturating_sub(1) as usize;
        let start = scroll_start(self.cursor, list_h, items.len());
        if items.is_empty() {
            lines.push(row(&[("  (no match)", theme.muted)], width));
        }
        for (i, c) in items.iter().enumerate().skip(start).take(list_h) {
            let selected = i == self.cursor;
            let base = if c.value.is_none() {
                theme.muted
            } else {
                theme.text
            };
            let style = if selected {
                base.patch(theme.selection)
            } else {
                base
            };
            let mut pieces = vec![(if selected { "› " } else { "  " }, style)];
            pieces.push((c.label.as_str(), style));
            let note;
            if let Some(n) = &c.note {
                note = format!("  {n}");
                pieces.push((note.as_str(), theme.muted));
            }
            lines.push(row(&pieces, width));
        }
        draw_lines(f, inner, lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn names(p: &Picker<String>) -> Vec<String> {
        p.visible().into_iter().map(|c| c.label).collect()
    }

    #[test]
    fn prefix_matches_come_before_substring_matches() {
        let mut p = Picker::new(
            "Owner",
            ["zbob@x", "Bob@x", "alice@x"]
                .iter()
                .map(|s| Choice::new(*s, s.to_string()))
                .collect(),
        );
        p.push_str("BO");
        assert_eq!(names(&p), vec!["Bob@x", "zbob@x"]);
    }

    #[test]
    fn free_text_offered_only_without_exact_match() {
        let mut p = Picker::new("Owner", vec![Choice::new("bob", "bob".to_string())])
            .with_free_text(|s| Choice::new(format!("use {s}"), s.to_string()));
        p.push_str("bo");
        assert_eq!(names(&p), vec!["bob", "use bo"]);
        p.push_str("b");
        assert_eq!(names(&p), vec!["bob"]);
    }

    #[test]
    fn disabled_rows_cannot_be_picked_and_pinned_rows_hide_when_filtering() {
        let mut p: Picker<String> = Picker::new(
            "S",
            vec![
                Choice::disabled("Awaiting", "set elsewhere"),
                Choice::new("Unassign", "u".to_string()).pinned(),
                Choice::new("Active", "a".to_string()),
            ],
        );
        assert_eq!(p.handle_key(key(KeyCode::Enter)), PickerEvent::None);
        p.push_str("a");
        assert_eq!(names(&p), vec!["Awaiting", "Active"]);
        assert_eq!(p.handle_key(key(KeyCode::Enter)), PickerEvent::None);
        p.handle_key(key(KeyCode::Down));
        assert_eq!(
            p.handle_key(key(KeyCode::Enter)),
            PickerEvent::Picked("a".to_string())
        );
        p.handle_key(key(KeyCode::Backspace));
        assert_eq!(p.handle_key(key(KeyCode::Backspace)), PickerEvent::Back);
    }
}

/// What the two-level classification picker yields.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ClassPick {
    /// "Not set": classification and determination both `unknown`.
    NotSet,
    /// A first-level choice: open its determinations.
    Class(crate::graph::model::Classification),
    /// The final choice.
    Det(
        crate::graph::model::Classification,
        crate::graph::model::Determination,
    ),
}

/// First level: "Not set" and the choosable classifications.
pub(crate) fn class_picker(
    current: Option<&crate::graph::model::Classification>,
) -> Picker<ClassPick> {
    use crate::graph::model::Classification;
    let mut choices = vec![Choice::new("Not set", ClassPick::NotSet)];
    for c in Classification::CHOOSABLE {
        choices.push(Choice::new(c.label(), ClassPick::Class(c.clone())).note("›"));
    }
    Picker::new("Classification", choices).select_where(|p| match (p, current) {
        (ClassPick::Class(c), Some(cur)) => c == cur,
        _ => false,
    })
}

/// Second level: exactly the portal's determinations for `class`.
pub(crate) fn determination_picker(
    class: &crate::graph::model::Classification,
    current: Option<&crate::graph::model::Determination>,
) -> Picker<ClassPick> {
    let choices = class
        .determinations()
        .iter()
        .map(|d| Choice::new(d.label(), ClassPick::Det(class.clone(), d.clone())))
        .collect();
    Picker::new(format!("Classification › {}", class.label()), choices)
        .select_where(|p| matches!((p, current), (ClassPick::Det(_, d), Some(cur)) if d == cur))
}

/// Owner picker: assign to me, unassign, then teammates and owners seen (deduplicated, ignoring
/// case), with free text for anyone else.
pub(crate) fn owner_picker(
    me: Option<&str>,
    teammates: &[String],
    owners: &[String],
) -> Picker<Option<String>> {
    let mut choices = Vec::new();
    if let Some(me) = me.filter(|m| !m.trim().is_empty()) {
        choices.push(Choice::new(format!("Assign to me ({me})"), Some(me.to_string())).pinned());
    }
    choices.push(Choice::new("Unassign", None).pinned());
    let mut seen: Vec<String> = Vec::new();
    for (names, note) in [(teammates, "teammate"), (owners, "")] {
        let mut sorted: Vec<&String> = names.iter().collect();
        sorted.sort_by_key(|s| s.to_lowercase());
        for n in sorted {
            let n = n.trim();
            if n.is_empty() || seen.iter().any(|s| s.eq_ignore_ascii_case(n)) {
                continue;
            }
            seen.push(n.to_string());
            let c = Choice::new(n, Some(n.to_string()));
            choices.push(if note.is_empty() { c } else { c.note(note) });
        }
    }
    Picker::new("Assign to", choices)
        .with_free_text(|s| Choice::new(format!("Assign to \"{s}\""), Some(s.to_string())))
}
