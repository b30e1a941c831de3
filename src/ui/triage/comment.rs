//! The comment editor: multi-line with word wrap, undo/redo, literal bracketed paste, a live
//! "1,234 / 30,000" count. Esc closes and keeps the draft; ctrl-d asks "Discard comment?".

use super::widgets::{centered, draw_lines, is_ctrl, is_release, modal, row, thousands};
use crate::sync::messages::{Target, WriteOp};
use crate::ui::action::Action;
use crate::ui::keymap::{Context, Keymap, PaneHint};
use crate::ui::overlay::Outcome;
use crate::ui::read_only::READ_ONLY_MESSAGE;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui_textarea::{TextArea, WrapMode};

/// The portal's limit per comment, counted as [`comment_len`] counts.
pub const COMMENT_LIMIT: usize = 30_000;

/// Length as the portal counts it (JavaScript string length: UTF-16 code units).
pub fn comment_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Normalises pasted text for literal insertion: CRLF/CR become LF; other control characters
/// (escape sequences included) are dropped so nothing pasted can act on the terminal.
pub(crate) fn clean_paste(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect()
}

/// A word-wrapping text area with our defaults.
pub(crate) fn new_textarea(initial: &str, placeholder: &str) -> TextArea<'static> {
    let lines: Vec<String> = if initial.is_empty() {
        Vec::new()
    } else {
        initial.split('\n').map(str::to_string).collect()
    };
    let mut ta = TextArea::new(lines);
    ta.set_wrap_mode(WrapMode::WordOrGlyph);
    ta.set_max_histories(200);
    ta.set_cursor_line_style(Style::default());
    ta.set_placeholder_text(placeholder);
    ta
}

/// The text in a text area, lines joined with `\n`.
pub(crate) fn textarea_text(ta: &TextArea<'_>) -> String {
    ta.lines().join("\n")
}

/// Feeds one key to a text area, with ctrl-z undo and ctrl-y redo on top of its defaults
/// (ctrl-u undo, ctrl-r redo).
pub(crate) fn textarea_key(ta: &mut TextArea<'_>, key: KeyEvent) {
    if is_ctrl(&key, 'z') {
        ta.undo();
    } else if is_ctrl(&key, 'y') {
        ta.redo();
    } else {
        ta.input(key);
    }
}

/// Why a comment cannot be sent, if it cannot.
pub(crate) fn comment_problem(text: &str) -> Option<String> {
    let n = comment_len(text);
    if text.trim().is_empty() {
        Some("comment is empty".into())
    } else if n > COMMENT_LIMIT {
        Some(format!(
            "comment is too long: {} / {} characters",
            thousands(n),
            thousands(COMMENT_LIMIT)
        ))
    } else {
        None
    }
}

/// Writes a comment on an incident or an alert.
pub struct CommentEditor {
    target: Target,
    ta: TextArea<'static>,
    initial: String,
    confirm_discard: bool,
    discarded: bool,
    message: Option<String>,
    read_only: bool,
}

impl CommentEditor {
    /// An empty editor for `target`.
    pub fn new(target: Target) -> Self {
        Self::with_draft(target, "")
    }

    /// An editor holding a saved draft (not dirty until edited).
    pub fn with_draft(target: Target, draft: &str) -> Self {
        CommentEditor {
            target,
            ta: new_textarea(draft, "Write a comment…"),
            initial: draft.to_string(),
            confirm_discard: false,
            discarded: false,
            message: None,
            read_only: false,
        }
    }

    /// Refuses to submit (read-only mode).
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The current text.
    pub fn text(&self) -> String {
        textarea_text(&self.ta)
    }

    /// True when the text differs from what the editor opened with.
    pub fn is_dirty(&self) -> bool {
        self.text() != self.initial
    }

    /// Length as counted against [`COMMENT_LIMIT`].
    pub fn len(&self) -> usize {
        comment_len(&self.text())
    }

    /// True when there is no text at all.
    pub fn is_empty(&self) -> bool {
        self.ta.is_empty()
    }

    /// The last refusal or notice shown in the editor.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// True once the analyst confirmed "Discard comment?" (the host drops the draft).
    pub fn is_discarded(&self) -> bool {
        self.discarded
    }

    /// True while "Discard comment? y/n" is shown.
    pub fn is_confirming_discard(&self) -> bool {
        self.confirm_discard
    }

    /// A key with the default bindings.
    pub fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        self.handle_key_in(key, Keymap::defaults())
    }

    /// A key: command keys resolved through `keymap` (context [`Context::Comment`]), every
    /// other key edits the text.
    pub fn handle_key_in(&mut self, key: KeyEvent, keymap: &Keymap) -> Outcome {
        if is_release(&key) {
            return Outcome::Stay;
        }
        let action = keymap.lookup(Context::Comment, &key);
        if self.confirm_discard {
            match action {
                Some(Action::Yes) => {
                    self.discarded = true;
                    return Outcome::Close;
                }
                Some(Action::No) | Some(Action::Back) => self.confirm_discard = false,
                _ => {}
            }
            return Outcome::Stay;
        }
        if action == Some(Action::Send) {
            return self.submit();
        }
        if action == Some(Action::Back) {
            // Closing keeps the text: the host saves it as a draft.
            return Outcome::Close;
        }
        if action == Some(Action::Discard) {
            if self.is_empty() {
                self.discarded = true;
                return Outcome::Close;
            }
            self.confirm_discard = true;
            return Outcome::Stay;
        }
        self.message = None;
        textarea_key(&mut self.ta, key);
        Outcome::Stay
    }

    /// Inserts pasted text literally (never interpreted as keys).
    pub fn handle_paste(&mut self, text: &str) {
        if self.confirm_discard {
            return;
        }
        self.message = None;
        self.ta.insert_str(clean_paste(text));
    }

    fn submit(&mut self) -> Outcome {
        if self.read_only {
            self.message = Some(READ_ONLY_MESSAGE.into());
            return Outcome::Stay;
        }
        let text = self.text();
        if let Some(p) = comment_problem(&text) {
            self.message = Some(p);
            return Outcome::Stay;
        }
        let text = text.trim_end().to_string();
        let op = match &self.target {
            Target::Incident(id) => WriteOp::CommentIncident {
                incident_id: id.clone(),
                text,
            },
            Target::Alert(id) => WriteOp::CommentAlert {
                alert_id: id.clone(),
                text,
            },
        };
        Outcome::Submit(vec![op])
    }

    /// The hints with the default bindings.
    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        self.hint_table().iter().map(|(_, k, d)| (*k, *d)).collect()
    }

    /// The hints with the keys `keymap` binds.
    pub fn hints_in(&self, keymap: &Keymap) -> Vec<(String, &'static str)> {
        keymap.pane_hints(Context::Comment, self.hint_table())
    }

    fn hint_table(&self) -> &'static [PaneHint] {
        use Action as A;
        if self.confirm_discard {
            return &[
                (&[A::Yes], "y", "discard"),
                (&[A::No, A::Back], "n/Esc", "keep editing"),
            ];
        }
        &[
            (&[A::Send], "^S", "send"),
            (&[A::Back], "Esc", "close (keeps draft)"),
            (&[A::Discard], "^D", "discard"),
            (&[], "^Z/^Y", "undo/redo"),
        ]
    }

    /// Draws the editor centred in `area`, with the default bindings in its hints.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        self.render_in(f, area, theme, Keymap::defaults())
    }

    /// Draws the editor centred in `area`, its hints naming the keys `keymap` binds.
    pub fn render_in(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        let rect = centered(area, 76, 20);
        let title = format!("Comment on {}", self.target);
        let hints = self.hints_in(keymap);
        let hints: Vec<(&str, &str)> = hints.iter().map(|(k, d)| (k.as_str(), *d)).collect();
        let inner = modal(f, rect, &title, &hints, theme);
        if inner.height < 3 {
            return;
        }
        let ta_area = Rect {
            height: inner.height - 2,
            ..inner
        };
        f.render_widget(&self.ta, ta_area);
        let status_area = Rect {
            y: inner.y + inner.height - 2,
            height: 2,
            ..inner
        };
        let n = self.len();
        let count = format!("{} / {}", thousands(n), thousands(COMMENT_LIMIT));
        let count_style = if n > COMMENT_LIMIT {
            theme.error
        } else {
            theme.muted
        };
        let width = inner.width as usize;
        let pad = width.saturating_sub(count.chars().count());
        let msg_line = if self.confirm_discard {
            row(&[("Discard comment? y/n", theme.warning)], width)
        } else if let Some(m) = &self.message {
            row(&[(m.as_str(), theme.error)], width)
        } else {
            row(&[("", theme.text)], width)
        };
        draw_lines(
            f,
            status_area,
            vec![
                row(
                    &[(&" ".repeat(pad), theme.text), (&count, count_style)],
                    width,
                ),
                msg_line,
            ],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paste_cleaning_keeps_text_and_drops_escapes() {
        assert_eq!(clean_paste("q\r\nx\ty"), "q\nx\ty");
        assert_eq!(clean_paste("a\x1b[2Jb\rc"), "a[2Jb\nc");
    }

    #[test]
    fn length_counts_utf16_units() {
        assert_eq!(comment_len("abc"), 3);
        assert_eq!(comment_len("é"), 1);
        assert_eq!(comment_len("😀"), 2);
    }

    #[test]
    fn problems_for_blank_and_long_text() {
        assert!(comment_problem("  \n ").is_some());
        assert!(comment_problem(&"x".repeat(COMMENT_LIMIT)).is_none());
        assert_eq!(
            comment_problem(&"x".repeat(COMMENT_LIMIT + 1)).as_deref(),
            Some("comment is too long: 30,001 / 30,000 characters")
        );
    }
}
