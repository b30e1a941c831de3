//! The input line under the page: the queue's `/` filter (re-run on every keystroke, the
//! error shown under it) and the `:` command line (run on Enter by `app/commands.rs`).

use super::{App, Effect};
use crate::store::{Query, QueryError};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug)]
pub(super) enum InputKind {
    Filter {
        prev_text: String,
        prev_query: Query,
    },
    Command,
}

#[derive(Clone, Debug)]
pub(super) struct Input {
    pub(super) kind: InputKind,
    pub(super) text: String,
    pub(super) error: Option<QueryError>,
}

impl App {
    pub(super) fn input_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.dirty = true;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let Some(input) = self.input.as_mut() else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                if let InputKind::Filter {
                    prev_text,
                    prev_query,
                } = &input.kind
                {
                    self.queue.filter_text = prev_text.clone();
                    self.queue.filter = prev_query.clone();
                    self.queue.stale = true;
                }
                self.queue.filter_fallback = false;
                self.input = None;
            }
            KeyCode::Enter => {
                let text = input.text.clone();
                match input.kind {
                    InputKind::Filter { .. } => {
                        if input.error.is_none() {
                            self.input = None;
                        }
                    }
                    InputKind::Command => {
                        self.input = None;
                        return self.run_command(&text);
                    }
                }
            }
            KeyCode::Char('c') if ctrl => {
                return self.request_quit(true);
            }
            KeyCode::Char('u') if ctrl => {
                input.text.clear();
                self.input_changed();
            }
            KeyCode::Char('w') if ctrl => {
                let t = input.text.trim_end().to_string();
                let cut = t.rfind(' ').map(|i| i + 1).unwrap_or(0);
                input.text.truncate(cut);
                self.input_changed();
            }
            KeyCode::Backspace => {
                if input.text.pop().is_none() && matches!(input.kind, InputKind::Command) {
                    self.input = None;
                } else {
                    self.input_changed();
                }
            }
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                input.text.push(c);
                self.input_changed();
            }
            _ => {}
        }
        Vec::new()
    }

    /// Re-runs the filter after each keystroke (incremental results).
    pub(super) fn input_changed(&mut self) {
        let Some(input) = self.input.as_mut() else {
            return;
        };
        if !matches!(input.kind, InputKind::Filter { .. }) {
            return;
        }
        let q = &mut self.queue;
        match Query::parse(&input.text) {
            Ok(query) => {
                input.error = None;
                q.filter = query;
                q.filter_text = input.text.clone();
                q.filter_fallback = false;
            }
            Err(e) => {
                // Not the rows of a valid prefix: those of the filter in effect before.
                input.error = Some(e);
                if let InputKind::Filter {
                    prev_text,
                    prev_query,
                } = &input.kind
                {
                    q.filter = prev_query.clone();
                    q.filter_text = prev_text.clone();
                }
                q.filter_fallback = true;
            }
        }
        q.stale = true;
        q.top_if_missing = true;
        q.order_held = false;
    }

    pub(super) fn open_input(&mut self, kind: InputKind) {
        let text = match kind {
            InputKind::Filter { .. } => self.queue.filter_text.clone(),
            InputKind::Command => String::new(),
        };
        self.input = Some(Input {
            kind,
            text,
            error: None,
        });
    }
}
