//! The alert manage pane (drill-down): status, owner, classification + determination and a
//! comment → `PatchAlert` (+ `CommentAlert`).

use super::changes::{classification_label, owner_label};
use super::comment::{clean_paste, comment_problem, new_textarea, textarea_key, textarea_text};
use super::confirm::ConfirmDialog;
use super::picker::{
    Choice, ClassPick, Picker, PickerEvent, class_picker, determination_picker, owner_picker,
};
use super::widgets::{centered, draw_inline_editor, draw_lines, is_release, modal, row};
use crate::graph::model::{Alert, AlertPatch, AlertStatus, Classification, Determination};
use crate::sync::messages::WriteOp;
use crate::ui::action::Action;
use crate::ui::keymap::{Context, Keymap};
use crate::ui::overlay::Outcome;
use crate::ui::read_only::READ_ONLY_MESSAGE;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui_textarea::TextArea;

/// A row of the alert pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertField {
    Status,
    Owner,
    Classification,
    Comment,
    Save,
}

const FIELDS: [AlertField; 5] = [
    AlertField::Status,
    AlertField::Owner,
    AlertField::Classification,
    AlertField::Comment,
    AlertField::Save,
];

enum Mode {
    Form,
    Status(Picker<AlertStatus>),
    Owner(Picker<Option<String>>),
    Class(Picker<ClassPick>, Option<Classification>),
    Comment,
    Confirm(Box<ConfirmDialog>, Vec<WriteOp>),
}

/// Manages one alert.
pub struct AlertManagePane {
    alert: Alert,
    owners: Vec<String>,
    me: Option<String>,
    teammates: Vec<String>,
    status: Option<AlertStatus>,
    owner: Option<Option<String>>,
    classification: Option<(Classification, Determination)>,
    comment: TextArea<'static>,
    focus: AlertField,
    mode: Mode,
    read_only: bool,
    message: Option<String>,
}

impl AlertManagePane {
    /// A pane for `alert` (the version on screen).
    pub fn new(
        alert: Alert,
        owners: Vec<String>,
        me: Option<String>,
        teammates: Vec<String>,
    ) -> Self {
        AlertManagePane {
            alert,
            owners,
            me,
            teammates,
            status: None,
            owner: None,
            classification: None,
            comment: new_textarea("", "Comment (optional)…"),
            focus: AlertField::Status,
            mode: Mode::Form,
            read_only: false,
            message: None,
        }
    }

    /// Sets read-only mode (every change refused with [`READ_ONLY_MESSAGE`]).
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    pub fn alert(&self) -> &Alert {
        &self.alert
    }

    pub fn focus(&self) -> AlertField {
        self.focus
    }

    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// True when something was changed or typed.
    pub fn is_dirty(&self) -> bool {
        self.status.is_some()
            || self.owner.is_some()
            || self.classification.is_some()
            || !self.comment.is_empty()
    }

    /// The typed comment.
    pub fn comment_text(&self) -> String {
        textarea_text(&self.comment)
    }

    /// The lines of the confirmation step while it is shown.
    pub fn confirmation(&self) -> Option<&[String]> {
        match &self.mode {
            Mode::Confirm(d, _) => Some(d.lines()),
            _ => None,
        }
    }

    /// Labels of the rows of the open picker.
    pub fn picker_rows(&self) -> Option<Vec<String>> {
        fn labels<T: Clone>(p: &Picker<T>) -> Vec<String> {
            p.visible().into_iter().map(|c| c.label).collect()
        }
        match &self.mode {
            Mode::Status(p) => Some(labels(p)),
            Mode::Owner(p) => Some(labels(p)),
            Mode::Class(p, _) => Some(labels(p)),
            _ => None,
        }
    }

    /// The minimal patch: only properties that differ from the alert's values.
    pub fn patch(&self) -> AlertPatch {
        let a = &self.alert;
        let mut p = AlertPatch::default();
        if let Some(s) = &self.status
            && s != &a.status
        {
            p.status = Some(s.clone());
        }
        if let Some(o) = &self.owner {
            let cur = a
                .assigned_to
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty());
            let new = o.as_deref().map(str::trim).filter(|s| !s.is_empty());
            let same = match (cur, new) {
                (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
                (None, None) => true,
                _ => false,
            };
            if !same {
                p.assigned_to = Some(new.map(str::to_string));
            }
        }
        if let Some((c, d)) = &self.classification {
            if a.classification
                .as_ref()
                .unwrap_or(&Classification::Unknown)
                != c
            {
                p.classification = Some(c.clone());
            }
            if a.determination.as_ref().unwrap_or(&Determination::Unknown) != d {
                p.determination = Some(d.clone());
            }
        }
        p
    }

    /// The writes Save would produce now.
    pub fn planned_ops(&self) -> Vec<WriteOp> {
        let mut ops = Vec::new();
        let patch = self.patch();
        if !patch.is_empty() {
            ops.push(WriteOp::PatchAlert {
                alert_id: self.alert.id.clone(),
                patch,
            });
        }
        let text = self.comment_text();
        if !text.trim().is_empty() {
            ops.push(WriteOp::CommentAlert {
                alert_id: self.alert.id.clone(),
                text: text.trim_end().to_string(),
            });
        }
        ops
    }

    fn describe(&self, p: &AlertPatch) -> Vec<String> {
        let a = &self.alert;
        let mut out = Vec::new();
        if let Some(s) = &p.status {
            out.push(format!("status: {} → {}", a.status.label(), s.label()));
        }
        if let Some(o) = &p.assigned_to {
            out.push(format!(
                "owner: {} → {}",
                owner_label(a.assigned_to.as_deref()),
                owner_label(o.as_deref())
            ));
        }
        if p.classification.is_some() || p.determination.is_some() {
            let c0 = a.classification.clone().unwrap_or(Classification::Unknown);
            let d0 = a.determination.clone().unwrap_or(Determination::Unknown);
            let c1 = p.classification.clone().unwrap_or_else(|| c0.clone());
            let d1 = p.determination.clone().unwrap_or_else(|| d0.clone());
            out.push(format!(
                "classification: {} → {}",
                classification_label(&c0, &d0),
                classification_label(&c1, &d1)
            ));
        }
        out
    }

    fn submit(&mut self) -> Outcome {
        if self.read_only {
            self.message = Some(READ_ONLY_MESSAGE.into());
            return Outcome::Stay;
        }
        let text = self.comment_text();
        if !text.trim().is_empty()
            && let Some(p) = comment_problem(&text)
        {
            self.message = Some(p);
            return Outcome::Stay;
        }
        let ops = self.planned_ops();
        if ops.is_empty() {
            self.message = Some("nothing to change".into());
            return Outcome::Stay;
        }
        let p = self.patch();
        let destructive = p.status == Some(AlertStatus::Resolved)
            || p.assigned_to == Some(None)
            || p.classification.is_some()
            || p.determination.is_some();
        if !destructive {
            return Outcome::Submit(ops);
        }
        let mut lines: Vec<String> = self
            .describe(&p)
            .into_iter()
            .map(|d| format!("alert {}: {d}", self.alert.id))
            .collect();
        if !text.trim().is_empty() {
            lines.push(format!(
                "comment: {} characters",
                super::comment::comment_len(text.trim_end())
            ));
        }
        let d = ConfirmDialog::new(format!("Confirm changes to alert {}", self.alert.id), lines)
            .with_prompt("Apply these changes? y/n");
        self.mode = Mode::Confirm(Box::new(d), ops);
        Outcome::Stay
    }

    fn open(&mut self, field: AlertField) {
        if self.read_only {
            self.message = Some(READ_ONLY_MESSAGE.into());
            return;
        }
        self.message = None;
        let a = &self.alert;
        self.mode = match field {
            AlertField::Status => {
                let want = self.status.clone().unwrap_or_else(|| a.status.clone());
                let choices = [
                    AlertStatus::New,
                    AlertStatus::InProgress,
                    AlertStatus::Resolved,
                ]
                .into_iter()
                .map(|s| {
                    let c = Choice::new(s.label(), s.clone());
                    if s == a.status { c.note("current") } else { c }
                })
                .collect();
                Mode::Status(Picker::new("Alert status", choices).select_where(|s| *s == want))
            }
            AlertField::Owner => Mode::Owner(owner_picker(
                self.me.as_deref(),
                &self.teammates,
                &self.owners,
            )),
            AlertField::Classification => {
                let cur = self
                    .classification
                    .as_ref()
                    .map(|(c, _)| c.clone())
                    .or_else(|| a.classification.clone());
                Mode::Class(class_picker(cur.as_ref()), None)
            }
            AlertField::Comment => Mode::Comment,
            AlertField::Save => return,
        };
    }

    fn move_focus(&mut self, delta: isize) {
        let i = FIELDS.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        self.focus = FIELDS[((i + delta).rem_euclid(FIELDS.len() as isize)) as usize];
    }

    /// Handles one key with the default bindings.
    pub fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        self.handle_key_in(key, Keymap::defaults())
    }

    /// Handles one key: command keys resolved through `keymap` (contexts
    /// [`Context::Manage`], [`Context::ManageNote`], [`Context::Picker`] and the
    /// confirmation's), other keys are text for the comment or a filter.
    pub fn handle_key_in(&mut self, key: KeyEvent, keymap: &Keymap) -> Outcome {
        if is_release(&key) {
            return Outcome::Stay;
        }
        let form_action = keymap.lookup(Context::Manage, &key);
        if form_action == Some(Action::Save) && !matches!(self.mode, Mode::Confirm(..)) {
            self.mode = Mode::Form;
            return self.submit();
        }
        let mode = std::mem::replace(&mut self.mode, Mode::Form);
        match mode {
            Mode::Form => match form_action {
                Some(Action::Back) => return Outcome::Close,
                Some(Action::NextField) => self.move_focus(1),
                Some(Action::PrevField) => self.move_focus(-1),
                Some(Action::Open) => {
                    if self.focus == AlertField::Save {
                        return self.submit();
                    }
                    self.open(self.focus);
                }
                Some(Action::Reset) => match self.focus {
                    AlertField::Status => self.status = None,
                    AlertField::Owner => self.owner = None,
                    AlertField::Classification => self.classification = None,
                    AlertField::Comment => self.comment = new_textarea("", "Comment (optional)…"),
                    AlertField::Save => {}
                },
                _ => {}
            },
            Mode::Confirm(mut d, ops) => match d.handle_key_in(key, keymap) {
                Outcome::Yes => return Outcome::Submit(ops),
                Outcome::No => {}
                _ => self.mode = Mode::Confirm(d, ops),
            },
            Mode::Comment => match keymap.lookup(Context::ManageNote, &key) {
                Some(Action::Back) => {}
                Some(Action::NextField) => self.move_focus(1),
                Some(Action::PrevField) => self.move_focus(-1),
                _ => {
                    textarea_key(&mut self.comment, key);
                    self.mode = Mode::Comment;
                }
            },
            Mode::Status(mut p) => match p.handle_key_in(key, keymap) {
                PickerEvent::Picked(s) => self.status = (s != self.alert.status).then_some(s),
                PickerEvent::Cancel => {}
                _ => self.mode = Mode::Status(p),
            },
            Mode::Owner(mut p) => match p.handle_key_in(key, keymap) {
                PickerEvent::Picked(o) => {
                    self.owner = Some(o);
                    if self.patch().assigned_to.is_none() {
                        self.owner = None;
                    }
                }
                PickerEvent::Cancel => {}
                _ => self.mode = Mode::Owner(p),
            },
            Mode::Class(mut p, level) => match (p.handle_key_in(key, keymap), level) {
                (PickerEvent::Picked(ClassPick::Class(c)), _) => {
                    let cur = self
                        .classification
                        .as_ref()
                        .map(|(_, d)| d.clone())
                        .or_else(|| self.alert.determination.clone());
                    self.mode = Mode::Class(determination_picker(&c, cur.as_ref()), Some(c));
                }
                (PickerEvent::Picked(pick), _) => {
                    self.classification = Some(match pick {
                        ClassPick::Det(c, d) => (c, d),
                        _ => (Classification::Unknown, Determination::Unknown),
                    });
                    let p = self.patch();
                    if p.classification.is_none() && p.determination.is_none() {
                        self.classification = None;
                    }
                }
                (PickerEvent::Cancel | PickerEvent::Back, Some(c)) => {
                    self.mode = Mode::Class(class_picker(Some(&c)), None)
                }
                (PickerEvent::Cancel, None) => {}
                (_, level) => self.mode = Mode::Class(p, level),
            },
        }
        Outcome::Stay
    }

    /// Inserts pasted text literally into the comment or the open picker's filter.
    pub fn handle_paste(&mut self, text: &str) {
        let first = text.lines().next().unwrap_or("");
        match &mut self.mode {
            Mode::Comment => {
                self.comment.insert_str(clean_paste(text));
            }
            Mode::Form if self.focus == AlertField::Comment && !self.read_only => {
                self.mode = Mode::Comment;
                self.comment.insert_str(clean_paste(text));
            }
            Mode::Status(p) => p.push_str(first),
            Mode::Owner(p) => p.push_str(first),
            Mode::Class(p, _) => p.push_str(first),
            _ => {}
        }
    }

    /// Key hints for the current mode, with the default bindings.
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        self.hints_in(Keymap::defaults())
    }

    /// Key hints for the current mode, naming the keys `keymap` binds.
    pub fn hints_in(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        use Action as A;
        match &self.mode {
            Mode::Form => keymap.pane_hints(
                Context::Manage,
                &[
                    (&[A::NextField, A::PrevField], "Tab/j/k", "move"),
                    (&[A::Open], "Enter", "change"),
                    (&[A::Save], "^S", "save"),
                    (&[A::Back], "Esc", "close"),
                ],
            ),
            Mode::Comment => super::manage::note_hints(keymap, "done"),
            Mode::Confirm(d, _) => d.hints_in(keymap),
            _ => keymap.pane_hints(
                Context::Picker,
                &[
                    (&[], "type", "filter"),
                    (&[A::Open], "Enter", "choose"),
                    (&[A::Back], "Esc", "back"),
                ],
            ),
        }
    }

    /// Draws the pane centred in `area`, with the default bindings in its hints.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        self.render_in(f, area, theme, Keymap::defaults())
    }

    /// Draws the pane centred in `area`, its hints naming the keys `keymap` binds.
    pub fn render_in(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        if let Mode::Confirm(d, _) = &self.mode {
            d.render_in(f, area, theme, keymap);
            return;
        }
        let rect = centered(area, 76, 17);
        let title = format!("Manage alert {}", self.alert.id);
        let hints = self.hints_in(keymap);
        let hints: Vec<(&str, &str)> = hints.iter().map(|(k, d)| (k.as_str(), *d)).collect();
        let inner = modal(f, rect, &title, &hints, theme);
        if inner.height == 0 {
            return;
        }
        let width = inner.width as usize;
        let a = &self.alert;
        let mut lines = vec![row(&[(a.title(), theme.header)], width)];
        lines.push(if self.read_only {
            row(&[("READ-ONLY: changes are disabled", theme.warning)], width)
        } else {
            row(&[("", theme.text)], width)
        });
        let mut comment_row = None;
        for field in FIELDS {
            let focused = field == self.focus && !matches!(self.mode, Mode::Confirm(..));
            let ls = if focused {
                theme.selection
            } else {
                theme.muted
            };
            let marker = if focused { "› " } else { "  " };
            let (label, cur, new): (&str, String, Option<String>) = match field {
                AlertField::Status => (
                    "Status",
                    a.status.label().to_string(),
                    self.status.as_ref().map(|s| s.label().to_string()),
                ),
                AlertField::Owner => (
                    "Owner",
                    owner_label(a.assigned_to.as_deref()),
                    self.owner.as_ref().map(|o| owner_label(o.as_deref())),
                ),
                AlertField::Classification => (
                    "Classification",
                    classification_label(
                        a.classification
                            .as_ref()
                            .unwrap_or(&Classification::Unknown),
                        a.determination.as_ref().unwrap_or(&Determination::Unknown),
                    ),
                    self.classification
                        .as_ref()
                        .map(|(c, d)| classification_label(c, d)),
                ),
                AlertField::Comment => {
                    lines.push(row(&[(marker, ls), ("Comment", ls)], width));
                    comment_row = Some(lines.len() as u16);
                    for _ in 0..4 {
                        lines.push(row(&[("", theme.text)], width));
                    }
                    continue;
                }
                AlertField::Save => {
                    lines.push(row(&[("", theme.text)], width));
                    let s = if focused {
                        theme.selection
                    } else {
                        theme.key_hint
                    };
                    lines.push(row(&[(marker, s), ("[ Save ]", s)], width));
                    continue;
                }
            };
            let padded = format!("{label:<16}");
            let mut pieces: Vec<(&str, Style)> = vec![(marker, ls), (&padded, ls)];
            match &new {
                Some(n) => {
                    pieces.push((&cur, theme.muted));
                    pieces.push((" → ", theme.muted));
                    pieces.push((n, theme.pending));
                }
                None => pieces.push((&cur, theme.text)),
            }
            lines.push(row(&pieces, width));
        }
        lines.push(row(&[("", theme.text)], width));
        if let Some(m) = &self.message {
            lines.push(row(&[(m.as_str(), theme.error)], width));
        }
        draw_lines(f, inner, lines);
        draw_inline_editor(
            f,
            inner,
            comment_row,
            matches!(self.mode, Mode::Comment),
            &self.comment,
            theme,
        );
        match &self.mode {
            Mode::Status(p) => p.render(f, rect, theme),
            Mode::Owner(p) => p.render(f, rect, theme),
            Mode::Class(p, _) => p.render(f, rect, theme),
            Mode::Form | Mode::Comment | Mode::Confirm(..) => {}
        }
    }
}
