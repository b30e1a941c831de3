//! The comment editor: multi-line with word wrap, undo/redo, literal bracketed paste, a live
//! "1,234 / 30,000" count. Esc closes and keeps the draft; ctrl-d asks "Discard comment?".

use super::PaneOutcome;
use super::widgets::{centered, draw_lines, is_ctrl, is_release, modal, row, thousands};
use crate::sync::messages::{Target, WriteOp};
use crate::ui::read_only::READ_ONLY_MESSAGE;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
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

    pub fn handle_key(&mut self, key: KeyEvent) -> PaneOutcome {
        if is_release(&key) {
            return PaneOutcome::Continue;
        }
        if self.confirm_discard {
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    self.discarded = true;
                    return PaneOutcome::Close;
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    self.confirm_discard = false
                }
                _ => {}
            }
            return PaneOutcome::Continue;
        }
        if is_ctrl(&key, 's') {
            return self.submit();
        }
        if key.code == KeyCode::Esc {
            // Closing keeps the text: the host saves it as a draft.
            return PaneOutcome::Close;
        }
        if is_ctrl(&key, 'd') {
            if self.is_empty() {
                self.discarded = true;
                return PaneOutcome::Close;
            }
            self.confirm_discard = true;
            return PaneOutcome::Continue;
        }
        self.message = None;
        textarea_key(&mut self.ta, key);
        PaneOutcome::Continue
    }

    /// Inserts pasted text literally (never interpreted as keys).
    pub fn handle_paste(&mut self, text: &str) {
        if self.confirm_discard {
            return;
        }
        self.message = None;
        self.ta.insert_str(clean_paste(text));
    }

    fn submit(&mut self) -> PaneOutcome {
        if self.read_only {
            self.message = Some(READ_ONLY_MESSAGE.into());
            return PaneOutcome::Continue;
        }
        let text = self.text();
        if let Some(p) = comment_problem(&text) {
            self.message = Some(p);
            return PaneOutcome::Continue;
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
        PaneOutcome::Submit(vec![op])
    }

    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        if self.confirm_discard {
            return vec![("y", "discard"), ("n/Esc", "keep editing")];
        }
        vec![
            ("^S", "send"),
            ("Esc", "close (keeps draft)"),
            ("^D", "discard"),
            ("^Z/^Y", "undo/redo"),
        ]
    }

    /// Draws the editor centred in `area`.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let rect = centered(area, 76, 20);
        let title = format!("Comment on {}", self.target);
        let inner = modal(f, rect, &title, &self.hints(), theme);
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
