//! The manage-incident pane (the portal's status, owner, classification, tags and comment pane)
//! for one incident or a multi-selection.

use super::changes::{
    Edits, classification_label, describe_changes, is_destructive, owner_label, patch_for,
};
use super::comment::{clean_paste, comment_problem, new_textarea, textarea_key, textarea_text};
use super::confirm::ConfirmDialog;
use super::picker::{
    Choice, ClassPick, Picker, PickerEvent, class_picker, determination_picker, owner_picker,
};
use super::tags::{TagEditor, TagEvent};
use super::widgets::{centered, draw_inline_editor, draw_lines, is_release, modal, row};
use crate::graph::model::{Classification, Determination, Incident, IncidentStatus, Severity};
use crate::sync::IncidentBase;
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

mod view;
pub(super) use view::note_hints;

/// A row of the manage pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Status,
    Owner,
    /// Classification and determination (two-level picker).
    Classification,
    Severity,
    Tags,
    /// Resolving comment; present only while the status edit is Resolved.
    Comment,
    /// The Save button.
    Save,
}

enum Mode {
    Form,
    Status(Picker<IncidentStatus>),
    Owner(Picker<Option<String>>),
    Class(Picker<ClassPick>, Option<Classification>),
    Severity(Picker<Severity>),
    Tags(Box<TagEditor>),
    Comment,
    Confirm(Box<ConfirmDialog>, Vec<WriteOp>),
}

/// Edits status, owner, classification, severity, tags and the resolving comment of one or
/// more incidents; submits one minimal `PatchIncident` per incident that changes.
pub struct ManagePane {
    targets: Vec<Incident>,
    owners: Vec<String>,
    tags_in_use: Vec<String>,
    me: Option<String>,
    teammates: Vec<String>,
    edits: Edits,
    comment: TextArea<'static>,
    focus: Field,
    mode: Mode,
    read_only: bool,
    quick: bool,
    message: Option<String>,
}

impl ManagePane {
    /// A pane for `targets` (the versions on screen). `owners` are owners seen in the store,
    /// `tags_in_use` the custom tags seen, `me` the analyst's first alias.
    pub fn new(
        targets: Vec<Incident>,
        owners: Vec<String>,
        tags_in_use: Vec<String>,
        me: Option<String>,
        teammates: Vec<String>,
    ) -> Self {
        ManagePane {
            targets,
            owners,
            tags_in_use,
            me,
            teammates,
            edits: Edits::default(),
            comment: new_textarea("", "Resolving comment (optional)…"),
            focus: Field::Status,
            mode: Mode::Form,
            read_only: false,
            quick: false,
            message: None,
        }
    }

    /// Same as [`new`](Self::new) but every change is refused with [`READ_ONLY_MESSAGE`].
    pub fn new_read_only(
        targets: Vec<Incident>,
        owners: Vec<String>,
        tags_in_use: Vec<String>,
        me: Option<String>,
        teammates: Vec<String>,
    ) -> Self {
        Self::new(targets, owners, tags_in_use, me, teammates).read_only(true)
    }

    /// Sets read-only mode.
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// A quick-action pane: `field`'s picker is open at once; picking a value submits (through
    /// the confirmation when needed), Esc in the picker closes the pane. Resolving moves to the
    /// resolving comment first.
    pub fn focused(
        targets: Vec<Incident>,
        owners: Vec<String>,
        tags_in_use: Vec<String>,
        me: Option<String>,
        teammates: Vec<String>,
        field: Field,
    ) -> Self {
        let mut p = Self::new(targets, owners, tags_in_use, me, teammates);
        p.quick = true;
        p.focus = field;
        p.open(field);
        p
    }

    /// The incidents being managed.
    pub fn targets(&self) -> &[Incident] {
        &self.targets
    }

    /// What the analyst asked for so far (with the resolving comment typed).
    pub fn edits(&self) -> Edits {
        let mut e = self.edits.clone();
        e.resolving_comment = textarea_text(&self.comment);
        e
    }

    /// True when something was changed (the host may ask before discarding).
    pub fn is_dirty(&self) -> bool {
        !self.edits.is_empty() || !self.comment.is_empty()
    }

    /// The focused field.
    pub fn focus(&self) -> Field {
        self.focus
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The last notice or refusal (read-only, nothing to change, comment too long…).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The lines of the confirmation step while it is shown.
    pub fn confirmation(&self) -> Option<&[String]> {
        match &self.mode {
            Mode::Confirm(d, _) => Some(d.lines()),
            _ => None,
        }
    }

    /// Labels of the rows of the open picker (status, owner, classification, severity or tags).
    pub fn picker_rows(&self) -> Option<Vec<String>> {
        fn labels<T: Clone>(p: &Picker<T>) -> Vec<String> {
            p.visible().into_iter().map(|c| c.label).collect()
        }
        match &self.mode {
            Mode::Status(p) => Some(labels(p)),
            Mode::Owner(p) => Some(labels(p)),
            Mode::Class(p, _) => Some(labels(p)),
            Mode::Severity(p) => Some(labels(p)),
            Mode::Tags(t) => Some(t.labels(&self.edits.tags_add)),
            _ => None,
        }
    }

    /// The writes Save would produce now: one per incident whose patch is non-empty.
    pub fn planned_ops(&self) -> Vec<WriteOp> {
        let e = self.edits();
        self.targets
            .iter()
            .filter_map(|t| {
                let patch = patch_for(t, &e);
                (!patch.is_empty()).then(|| WriteOp::PatchIncident {
                    incident_id: t.id.clone(),
                    base: Some(Box::new(IncidentBase::capture(&patch, t))),
                    patch,
                    base_last_update: t.last_update_date_time,
                    force: false,
                })
            })
            .collect()
    }

    fn fields(&self) -> Vec<Field> {
        let mut f = vec![
            Field::Status,
            Field::Owner,
            Field::Classification,
            Field::Severity,
            Field::Tags,
        ];
        if self.edits.status == Some(IncidentStatus::Resolved) {
            f.push(Field::Comment);
        }
        f.push(Field::Save);
        f
    }

    fn move_focus(&mut self, delta: isize) {
        let fields = self.fields();
        let i = fields.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = fields.len() as isize;
        self.focus = fields[((i + delta).rem_euclid(n)) as usize];
    }

    fn all_redirected(&self) -> bool {
        !self.targets.is_empty()
            && self
                .targets
                .iter()
                .all(|t| t.status == IncidentStatus::Redirected)
    }

    fn open(&mut self, field: Field) {
        if self.read_only && field != Field::Save {
            self.message = Some(READ_ONLY_MESSAGE.into());
            return;
        }
        self.message = None;
        let single = (self.targets.len() == 1).then(|| &self.targets[0]);
        self.mode = match field {
            Field::Status => {
                if self.all_redirected() {
                    self.message = Some(format!(
                        "status is read-only: {}",
                        redirect_note(&self.targets[0])
                    ));
                    return;
                }
                let mut choices: Vec<Choice<IncidentStatus>> = [
                    IncidentStatus::Active,
                    IncidentStatus::InProgress,
                    IncidentStatus::Resolved,
                ]
                .into_iter()
                .map(|s| {
                    let c = Choice::new(s.label(), s.clone());
                    if single.is_some_and(|t| t.status == s) {
                        c.note("current")
                    } else {
                        c
                    }
                })
                .collect();
                choices.push(Choice::disabled(
                    IncidentStatus::AwaitingAction.label(),
                    "set by Defender Experts",
                ));
                choices.push(Choice::disabled(
                    IncidentStatus::Redirected.label(),
                    "set when merged",
                ));
                let want = self
                    .edits
                    .status
                    .clone()
                    .or_else(|| single.map(|t| t.status.clone()));
                Mode::Status(
                    Picker::new("Status", choices).select_where(|s| Some(s) == want.as_ref()),
                )
            }
            Field::Owner => Mode::Owner(owner_picker(
                self.me.as_deref(),
                &self.teammates,
                &self.owners,
            )),
            Field::Classification => {
                let cur = self
                    .edits
                    .classification
                    .as_ref()
                    .map(|(c, _)| c.clone())
                    .or_else(|| single.and_then(|t| t.classification.clone()));
                Mode::Class(class_picker(cur.as_ref()), None)
            }
            Field::Severity => {
                let want = self
                    .edits
                    .severity
                    .clone()
                    .or_else(|| single.map(|t| t.severity.clone()));
                let choices = [
                    Severity::High,
                    Severity::Medium,
                    Severity::Low,
                    Severity::Informational,
                ]
                .into_iter()
                .map(|s| Choice::new(s.label().to_string(), s.clone()))
                .collect();
                Mode::Severity(
                    Picker::new("Severity", choices).select_where(|s| Some(s) == want.as_ref()),
                )
            }
            Field::Tags => {
                let lists: Vec<&[String]> = self
                    .targets
                    .iter()
                    .map(|t| t.custom_tags.as_slice())
                    .collect();
                Mode::Tags(Box::new(TagEditor::new(&lists, &self.tags_in_use)))
            }
            Field::Comment => Mode::Comment,
            Field::Save => return,
        };
    }

    /// True when some target's patch would carry a change for this single edit.
    fn changes_anything(&self, e: &Edits) -> bool {
        self.targets.iter().any(|t| !patch_for(t, e).is_empty())
    }

    fn after_pick(&mut self) -> Outcome {
        self.mode = Mode::Form;
        if self.edits.status == Some(IncidentStatus::Resolved) && self.focus == Field::Status {
            self.focus = Field::Comment;
            self.mode = Mode::Comment;
            return Outcome::Stay;
        }
        if self.quick {
            return self.submit();
        }
        Outcome::Stay
    }

    /// Esc in the tag editor: in quick mode (`t`) the toggled tags are applied, like a pick in
    /// the `s` and `c` pickers (same confirmation rule); in the full pane it returns to the form.
    fn tags_done(&mut self) -> Outcome {
        self.mode = Mode::Form;
        if !self.quick {
            return Outcome::Stay;
        }
        if self.edits.is_empty() {
            return Outcome::Close;
        }
        self.submit()
    }

    fn cancel_picker(&mut self) -> Outcome {
        self.mode = Mode::Form;
        if self.quick && self.edits.is_empty() {
            return Outcome::Close;
        }
        Outcome::Stay
    }

    /// Handles one key with the default bindings.
    pub fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        self.handle_key_in(key, Keymap::defaults())
    }

    /// Handles one key: command keys resolved through `keymap` (contexts
    /// [`Context::Manage`], [`Context::ManageNote`], [`Context::Picker`], [`Context::Tags`]
    /// and the confirmation's), other keys are text for the comment or a filter.
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
            Mode::Form => self.form_key(form_action),
            Mode::Confirm(mut d, ops) => match d.handle_key_in(key, keymap) {
                Outcome::Yes => Outcome::Submit(ops),
                Outcome::No => Outcome::Stay,
                _ => {
                    self.mode = Mode::Confirm(d, ops);
                    Outcome::Stay
                }
            },
            Mode::Comment => {
                match keymap.lookup(Context::ManageNote, &key) {
                    // Quick mode (`s` → Resolved): done with the note means apply.
                    Some(Action::Back) if self.quick => return self.submit(),
                    Some(Action::Back) => {}
                    Some(Action::NextField) => self.move_focus(1),
                    Some(Action::PrevField) => self.move_focus(-1),
                    _ => {
                        textarea_key(&mut self.comment, key);
                        self.mode = Mode::Comment;
                    }
                }
                Outcome::Stay
            }
            Mode::Status(mut p) => match p.handle_key_in(key, keymap) {
                PickerEvent::Picked(s) => {
                    let e = Edits {
                        status: Some(s.clone()),
                        ..Default::default()
                    };
                    self.edits.status = self.changes_anything(&e).then_some(s);
                    self.after_pick()
                }
                PickerEvent::Cancel => self.cancel_picker(),
                _ => {
                    self.mode = Mode::Status(p);
                    Outcome::Stay
                }
            },
            Mode::Owner(mut p) => match p.handle_key_in(key, keymap) {
                PickerEvent::Picked(o) => {
                    let e = Edits {
                        owner: Some(o.clone()),
                        ..Default::default()
                    };
                    self.edits.owner = self.changes_anything(&e).then_some(o);
                    self.after_pick()
                }
                PickerEvent::Cancel => self.cancel_picker(),
                _ => {
                    self.mode = Mode::Owner(p);
                    Outcome::Stay
                }
            },
            Mode::Severity(mut p) => match p.handle_key_in(key, keymap) {
                PickerEvent::Picked(s) => {
                    let e = Edits {
                        severity: Some(s.clone()),
                        ..Default::default()
                    };
                    self.edits.severity = self.changes_anything(&e).then_some(s);
                    self.after_pick()
                }
                PickerEvent::Cancel => self.cancel_picker(),
                _ => {
                    self.mode = Mode::Severity(p);
                    Outcome::Stay
                }
            },
            Mode::Class(mut p, level) => match (p.handle_key_in(key, keymap), level) {
                (PickerEvent::Picked(ClassPick::Class(c)), _) => {
                    let cur_det = self
                        .edits
                        .classification
                        .as_ref()
                        .map(|(_, d)| d.clone())
                        .or_else(|| {
                            (self.targets.len() == 1)
                                .then(|| self.targets[0].determination.clone())
                                .flatten()
                        });
                    self.mode = Mode::Class(determination_picker(&c, cur_det.as_ref()), Some(c));
                    Outcome::Stay
                }
                (PickerEvent::Picked(pick), _) => {
                    let v = match pick {
                        ClassPick::Det(c, d) => (c, d),
                        _ => (Classification::Unknown, Determination::Unknown),
                    };
                    let e = Edits {
                        classification: Some(v.clone()),
                        ..Default::default()
                    };
                    self.edits.classification = self.changes_anything(&e).then_some(v);
                    self.after_pick()
                }
                (PickerEvent::Cancel | PickerEvent::Back, Some(c)) => {
                    self.mode = Mode::Class(class_picker(Some(&c)), None);
                    Outcome::Stay
                }
                (PickerEvent::Cancel, None) => self.cancel_picker(),
                (_, level) => {
                    self.mode = Mode::Class(p, level);
                    Outcome::Stay
                }
            },
            Mode::Tags(mut t) => {
                let (adds, removes) = (&mut self.edits.tags_add, &mut self.edits.tags_remove);
                match t.handle_key(key, keymap, adds, removes) {
                    TagEvent::Close => return self.tags_done(),
                    TagEvent::None => self.mode = Mode::Tags(t),
                }
                Outcome::Stay
            }
        }
    }

    fn form_key(&mut self, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::Back) => return Outcome::Close,
            Some(Action::NextField) => self.move_focus(1),
            Some(Action::PrevField) => self.move_focus(-1),
            Some(Action::Open) => {
                if self.focus == Field::Save {
                    return self.submit();
                }
                self.open(self.focus);
            }
            Some(Action::Reset) => self.reset(self.focus),
            _ => {}
        }
        Outcome::Stay
    }

    /// Drops the edit of one field.
    fn reset(&mut self, field: Field) {
        match field {
            Field::Status => self.edits.status = None,
            Field::Owner => self.edits.owner = None,
            Field::Classification => self.edits.classification = None,
            Field::Severity => self.edits.severity = None,
            Field::Tags => {
                self.edits.tags_add.clear();
                self.edits.tags_remove.clear();
            }
            Field::Comment => self.comment = new_textarea("", "Resolving comment (optional)…"),
            Field::Save => {}
        }
        if !self.fields().contains(&self.focus) {
            self.focus = Field::Status;
        }
    }

    /// Inserts pasted text literally into the comment or the open picker's filter.
    pub fn handle_paste(&mut self, text: &str) {
        let first_line = text.lines().next().unwrap_or("");
        match &mut self.mode {
            Mode::Comment => {
                self.comment.insert_str(clean_paste(text));
            }
            Mode::Form if self.focus == Field::Comment && !self.read_only => {
                self.mode = Mode::Comment;
                self.comment.insert_str(clean_paste(text));
            }
            Mode::Status(p) => p.push_str(first_line),
            Mode::Owner(p) => p.push_str(first_line),
            Mode::Severity(p) => p.push_str(first_line),
            Mode::Class(p, _) => p.push_str(first_line),
            Mode::Tags(t) => t.push_str(first_line),
            _ => {}
        }
    }

    fn submit(&mut self) -> Outcome {
        if self.read_only {
            self.message = Some(READ_ONLY_MESSAGE.into());
            return Outcome::Stay;
        }
        let comment = textarea_text(&self.comment);
        if self.edits.status == Some(IncidentStatus::Resolved)
            && !comment.trim().is_empty()
            && let Some(p) = comment_problem(&comment)
        {
            self.message = Some(p.replace("comment", "resolving comment"));
            return Outcome::Stay;
        }
        let ops = self.planned_ops();
        if ops.is_empty() {
            self.message = Some("nothing to change".into());
            return Outcome::Stay;
        }
        let destructive = ops.iter().any(|op| match op {
            WriteOp::PatchIncident {
                incident_id, patch, ..
            } => self
                .targets
                .iter()
                .find(|t| &t.id == incident_id)
                .is_some_and(|t| is_destructive(t, patch)),
            _ => false,
        });
        if self.targets.len() > 1 || destructive {
            let dialog = self.confirmation_dialog(&ops);
            self.mode = Mode::Confirm(Box::new(dialog), ops);
            return Outcome::Stay;
        }
        Outcome::Submit(ops)
    }

    fn confirmation_dialog(&self, ops: &[WriteOp]) -> ConfirmDialog {
        let mut lines = Vec::new();
        let mut resolves = false;
        for op in ops {
            let WriteOp::PatchIncident {
                incident_id, patch, ..
            } = op
            else {
                continue;
            };
            let Some(t) = self.targets.iter().find(|t| &t.id == incident_id) else {
                continue;
            };
            resolves |= patch.status == Some(IncidentStatus::Resolved);
            let prefix = format!("#{} ", t.id);
            let indent = " ".repeat(prefix.chars().count());
            for (i, d) in describe_changes(t, patch).into_iter().enumerate() {
                lines.push(format!("{}{d}", if i == 0 { &prefix } else { &indent }));
            }
        }
        let unchanged: Vec<String> = self
            .targets
            .iter()
            .filter(|t| {
                !ops.iter()
                    .any(|o| matches!(o, WriteOp::PatchIncident { incident_id, .. } if incident_id == &t.id))
            })
            .map(|t| format!("#{}", t.id))
            .collect();
        if !unchanged.is_empty() {
            lines.push(format!("unchanged: {}", unchanged.join(", ")));
        }
        if resolves {
            lines.push("Resolving an incident also resolves its active alerts.".into());
        }
        let title = if self.targets.len() == 1 {
            format!("Confirm changes to incident #{}", self.targets[0].id)
        } else {
            format!(
                "Confirm changes to {} of {} incidents",
                ops.len(),
                self.targets.len()
            )
        };
        ConfirmDialog::new(title, lines).with_prompt("Apply these changes? y/n")
    }
}

fn redirect_note(t: &Incident) -> String {
    match t.redirect_incident_id.as_deref() {
        Some(id) if !id.is_empty() => format!("merged into #{id}"),
        _ => "merged into another incident".into(),
    }
}
