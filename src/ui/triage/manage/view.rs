//! How the manage pane looks: its key hints, the field values and the drawing.

use super::*;
use crate::ui::triage::picker::PICKER_HINTS;
use crate::ui::triage::tags::TAG_HINTS;

/// The hints of a manage pane's comment field: save (context [`Context::Manage`]), next
/// field and `done` (context [`Context::ManageNote`]), undo/redo.
pub(in crate::ui::triage) fn note_hints(
    keymap: &Keymap,
    done: &'static str,
) -> Vec<(String, &'static str)> {
    use Action as A;
    let mut h = keymap.pane_hints(Context::Manage, &[(&[A::Save], "^S", "save")]);
    h.extend(keymap.pane_hints(
        Context::ManageNote,
        &[
            (&[A::NextField], "Tab", "next field"),
            (&[A::Back], "Esc", done),
        ],
    ));
    h
}

impl ManagePane {
    /// Key hints for the current mode, with the default bindings.
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        self.hints_in(Keymap::defaults())
    }

    /// Key hints for the current mode, naming the keys `keymap` binds.
    pub fn hints_in(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        use Action as A;
        let done = if self.quick { "apply" } else { "done" };
        match &self.mode {
            Mode::Form => keymap.pane_hints(
                Context::Manage,
                &[
                    (&[A::NextField, A::PrevField], "Tab/j/k", "move"),
                    (&[A::Open], "Enter", "change"),
                    (&[A::Reset], "Del", "reset"),
                    (&[A::Save], "^S", "save"),
                    (&[A::Back], "Esc", "close"),
                ],
            ),
            Mode::Comment => {
                let mut h = note_hints(keymap, done);
                h.push(("^Z/^Y".to_string(), "undo/redo"));
                h
            }
            Mode::Tags(_) => {
                let mut h = keymap.pane_hints(Context::Tags, TAG_HINTS);
                h.extend(keymap.pane_hints(Context::Tags, &[(&[A::Back], "Esc", done)]));
                h
            }
            Mode::Confirm(d, _) => d.hints_in(keymap),
            _ => keymap.pane_hints(Context::Picker, PICKER_HINTS),
        }
    }

    fn common<T: PartialEq + Clone>(&self, f: impl Fn(&Incident) -> T) -> Option<T> {
        let first = f(self.targets.first()?);
        self.targets.iter().all(|t| f(t) == first).then_some(first)
    }

    fn value_status(&self) -> (String, Option<String>) {
        let cur = match self.common(|t| t.status.clone()) {
            Some(IncidentStatus::Redirected) => format!(
                "{} ({})",
                IncidentStatus::Redirected.label(),
                redirect_note(&self.targets[0])
            ),
            Some(IncidentStatus::AwaitingAction) => format!(
                "{} (set by Defender Experts)",
                IncidentStatus::AwaitingAction.label()
            ),
            Some(s) => s.label().to_string(),
            None => "(mixed)".into(),
        };
        (
            cur,
            self.edits.status.as_ref().map(|s| s.label().to_string()),
        )
    }

    fn value_owner(&self) -> (String, Option<String>) {
        let cur = self
            .common(|t| owner_label(t.assigned_to.as_deref()).to_lowercase())
            .map(|_| owner_label(self.targets[0].assigned_to.as_deref()))
            .unwrap_or_else(|| "(mixed)".into());
        (
            cur,
            self.edits.owner.as_ref().map(|o| owner_label(o.as_deref())),
        )
    }

    fn value_class(&self) -> (String, Option<String>) {
        let cur = self
            .common(|t| {
                classification_label(
                    t.classification
                        .as_ref()
                        .unwrap_or(&Classification::Unknown),
                    t.determination.as_ref().unwrap_or(&Determination::Unknown),
                )
            })
            .unwrap_or_else(|| "(mixed)".into());
        (
            cur,
            self.edits
                .classification
                .as_ref()
                .map(|(c, d)| classification_label(c, d)),
        )
    }

    fn value_severity(&self) -> (String, Option<String>) {
        let cur = self
            .common(|t| t.severity.label().to_string())
            .unwrap_or_else(|| "(mixed)".into());
        (
            cur,
            self.edits.severity.as_ref().map(|s| s.label().to_string()),
        )
    }

    /// Tag tokens with their style: kept, removed (-), added (+).
    fn tag_tokens(&self, theme: &Theme) -> Vec<(String, Style)> {
        let n = self.targets.len();
        let mut seen: Vec<(String, usize)> = Vec::new();
        for t in &self.targets {
            for tag in &t.custom_tags {
                match seen.iter_mut().find(|(s, _)| s == tag) {
                    Some((_, c)) => *c += 1,
                    None => seen.push((tag.clone(), 1)),
                }
            }
        }
        let mut out: Vec<(String, Style)> = seen
            .into_iter()
            .map(|(tag, c)| {
                let count = if n > 1 && c < n {
                    format!(" ({c}/{n})")
                } else {
                    String::new()
                };
                let label = crate::ui::text::tag_label(&tag);
                if self.edits.tags_add.contains(&tag) {
                    (format!("+{label}{count}"), theme.ok)
                } else if self.edits.tags_remove.contains(&tag) {
                    (format!("-{label}{count}"), theme.error)
                } else {
                    (format!("{label}{count}"), theme.text)
                }
            })
            .collect();
        out.extend(
            self.edits
                .tags_add
                .iter()
                .filter(|a| !self.targets.iter().any(|t| t.custom_tags.contains(a)))
                .map(|a| (format!("+{}", crate::ui::text::tag_label(a)), theme.ok)),
        );
        if out.is_empty() {
            out.push(("(none)".into(), theme.muted));
        }
        out
    }

    /// Draws the pane centred in `area` (the confirmation and pickers on top), with the
    /// default bindings in its hints.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        self.render_in(f, area, theme, Keymap::defaults())
    }

    /// Draws the pane centred in `area`, its hints naming the keys `keymap` binds.
    pub fn render_in(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        if let Mode::Confirm(d, _) = &self.mode {
            d.render_in(f, area, theme, keymap);
            return;
        }
        let show_comment = self.fields().contains(&Field::Comment);
        let body_h: u16 = if show_comment { 16 } else { 11 };
        let rect = centered(area, 76, body_h + 2);
        let title = if self.targets.len() == 1 {
            format!("Manage incident #{}", self.targets[0].id)
        } else {
            format!("Manage {} incidents", self.targets.len())
        };
        let hints = self.hints_in(keymap);
        let hints: Vec<(&str, &str)> = hints.iter().map(|(k, d)| (k.as_str(), *d)).collect();
        let inner = modal(f, rect, &title, &hints, theme);
        if inner.height == 0 {
            return;
        }
        let width = inner.width as usize;
        let mut lines = Vec::new();
        let header = if self.targets.len() == 1 {
            format!("#{} {}", self.targets[0].id, self.targets[0].title())
        } else {
            let ids: Vec<String> = self.targets.iter().map(|t| format!("#{}", t.id)).collect();
            format!("{} incidents: {}", self.targets.len(), ids.join(", "))
        };
        lines.push(row(&[(header.as_str(), theme.header)], width));
        if self.read_only {
            lines.push(row(
                &[("READ-ONLY: changes are disabled", theme.warning)],
                width,
            ));
        } else {
            lines.push(row(&[("", theme.text)], width));
        }
        let mut comment_row = None;
        for field in self.fields() {
            let focused = field == self.focus && !matches!(self.mode, Mode::Confirm(..));
            let label_style = if focused {
                theme.selection
            } else {
                theme.muted
            };
            let marker = if focused { "› " } else { "  " };
            let (label, value): (&str, Option<(String, Option<String>)>) = match field {
                Field::Status => ("Status", Some(self.value_status())),
                Field::Owner => ("Owner", Some(self.value_owner())),
                Field::Classification => ("Classification", Some(self.value_class())),
                Field::Severity => ("Severity", Some(self.value_severity())),
                Field::Tags => ("Tags", None),
                Field::Comment => ("Resolving note", None),
                Field::Save => ("", None),
            };
            match (field, value) {
                (Field::Save, _) => {
                    lines.push(row(&[("", theme.text)], width));
                    let style = if focused {
                        theme.selection
                    } else {
                        theme.key_hint
                    };
                    lines.push(row(&[(marker, style), ("[ Save ]", style)], width));
                }
                (Field::Tags, _) => {
                    let toks = self.tag_tokens(theme);
                    let mut pieces: Vec<(&str, Style)> =
                        vec![(marker, label_style), ("Tags            ", label_style)];
                    for (i, (t, s)) in toks.iter().enumerate() {
                        if i > 0 {
                            pieces.push((", ", theme.muted));
                        }
                        pieces.push((t.as_str(), *s));
                    }
                    lines.push(row(&pieces, width));
                }
                (Field::Comment, _) => {
                    lines.push(row(
                        &[
                            (marker, label_style),
                            ("Resolving note  ", label_style),
                            ("optional, shown in the activity log", theme.muted),
                        ],
                        width,
                    ));
                    comment_row = Some(lines.len() as u16);
                    for _ in 0..4 {
                        lines.push(row(&[("", theme.text)], width));
                    }
                }
                (_, Some((cur, new))) => {
                    let padded = format!("{label:<16}");
                    let mut pieces: Vec<(&str, Style)> =
                        vec![(marker, label_style), (&padded, label_style)];
                    match &new {
                        Some(n) => {
                            pieces.push((cur.as_str(), theme.muted));
                            pieces.push((" → ", theme.muted));
                            pieces.push((n.as_str(), theme.pending));
                        }
                        None => pieces.push((cur.as_str(), theme.text)),
                    }
                    lines.push(row(&pieces, width));
                }
                _ => {}
            }
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
            Mode::Severity(p) => p.render(f, rect, theme),
            Mode::Tags(t) => t.render(
                f,
                rect,
                theme,
                keymap,
                &self.edits.tags_add,
                &self.edits.tags_remove,
            ),
            Mode::Form | Mode::Comment | Mode::Confirm(..) => {}
        }
    }
}
