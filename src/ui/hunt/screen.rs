//! The advanced hunting screen: a KQL editor above a result table. Keys, the query's life
//! (run, cancel, answer), history recall, starting points, the row view and `:export`.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;

use super::export;
use super::history::History;
use super::starters::Starter;
use super::table::{ResultTable, cell_text};
use crate::graph::hunting::CALLS_PER_MINUTE;
use crate::sync::{Command, Update};
use crate::ui::app::Effect;
use crate::ui::sanitize::sanitize;
use crate::ui::triage::comment::{clean_paste, new_textarea, textarea_key, textarea_text};

/// Which part has the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Editor,
    Results,
}

/// A query sent and not answered yet.
#[derive(Clone, Debug)]
pub struct Running {
    pub id: u64,
    pub started: Instant,
}

/// A line under the editor: what happened last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    Info(String),
    Error(String),
    /// A 429: the service's message.
    Throttled(String),
}

/// The advanced hunting screen.
pub struct HuntScreen {
    pub(super) editor: TextArea<'static>,
    pub(super) focus: Focus,
    history: History,
    /// Position while recalling history (index into its entries).
    recall: Option<usize>,
    pub(super) starters: Vec<Starter>,
    /// The starting-point list is open, with this one selected.
    pub(super) picker: Option<usize>,
    pub(super) results: Option<ResultTable>,
    /// The row view is open, scrolled this far.
    pub(super) detail: Option<u16>,
    /// The `:` line of the result page.
    pub(super) command: Option<String>,
    pub(super) running: Option<Running>,
    next_id: u64,
    /// When each query of the last minute was sent.
    calls: VecDeque<Instant>,
    pub(super) note: Option<Note>,
    /// The query whose rows are shown.
    pub(super) shown_query: Option<String>,
}

/// Ids of the screens' queries; distinct across screens so a late answer never lands in a
/// newer screen.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(key.code, KeyCode::Char(k) if k.eq_ignore_ascii_case(&c))
}

/// `~/x` → `$HOME/x`.
fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(p),
    }
}

impl HuntScreen {
    /// A screen with the history at `history` (`None`: not kept) and these starting points.
    pub fn new(history: Option<PathBuf>, starters: Vec<Starter>) -> HuntScreen {
        let history = History::load(history);
        let initial = history.entries().last().cloned().unwrap_or_default();
        HuntScreen {
            editor: new_textarea(
                &initial,
                "KQL, e.g. AlertInfo | where Timestamp > ago(7d) | take 50",
            ),
            focus: Focus::Editor,
            history,
            recall: None,
            picker: None,
            starters,
            results: None,
            detail: None,
            command: None,
            running: None,
            next_id: 0,
            calls: VecDeque::new(),
            note: None,
            shown_query: None,
        }
    }

    /// The editor's text.
    pub fn query(&self) -> String {
        textarea_text(&self.editor)
    }

    /// Replaces the editor's text.
    pub fn set_query(&mut self, text: &str) {
        self.editor = new_textarea(text, "");
        self.editor
            .move_cursor(ratatui_textarea::CursorMove::Bottom);
        self.editor.move_cursor(ratatui_textarea::CursorMove::End);
    }

    /// Calls left this minute (as this screen counts them) at `now`.
    pub fn calls_left(&mut self, now: Instant) -> usize {
        while self
            .calls
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            self.calls.pop_front();
        }
        CALLS_PER_MINUTE.saturating_sub(self.calls.len())
    }

    /// Calls left without forgetting old ones (for drawing).
    pub(super) fn calls_left_at(&self, now: Instant) -> usize {
        let recent = self
            .calls
            .iter()
            .filter(|t| now.duration_since(**t) < Duration::from_secs(60))
            .count();
        CALLS_PER_MINUTE.saturating_sub(recent)
    }

    /// True while a query runs (the spinner turns).
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// The result shown, if any.
    pub fn results(&self) -> Option<&ResultTable> {
        self.results.as_ref()
    }

    /// The last note (error, 429 message, export outcome).
    pub fn note(&self) -> Option<&Note> {
        self.note.as_ref()
    }

    /// Takes an engine update meant for this screen; `true` when it was.
    pub fn apply(&mut self, update: &Update) -> bool {
        let (id, mine) = match update {
            Update::HuntResult { id, .. } | Update::HuntFailed { id, .. } => {
                (*id, self.running.as_ref().is_some_and(|r| r.id == *id))
            }
            _ => return false,
        };
        if !mine {
            return id == self.next_id;
        }
        self.running = None;
        match update {
            Update::HuntResult { result, .. } => {
                let n = result.rows.len();
                self.note = Some(if result.truncated {
                    Note::Error(format!(
                        "{n} rows shown: the answer held more than the 100,000-row limit"
                    ))
                } else {
                    Note::Info(format!("{n} rows returned"))
                });
                self.results = Some(ResultTable::new(result.clone()));
                self.detail = None;
                self.focus = Focus::Results;
            }
            Update::HuntFailed {
                message, throttled, ..
            } => {
                self.note = Some(if *throttled {
                    Note::Throttled(message.clone())
                } else {
                    Note::Error(message.clone())
                });
            }
            _ => {}
        }
        true
    }

    /// Handles a key: whether the screen stays open, and what to do.
    pub fn handle_key(&mut self, key: KeyEvent) -> (bool, Vec<Effect>) {
        if key.kind == KeyEventKind::Release {
            return (true, Vec::new());
        }
        if ctrl(&key, 's') {
            return (true, self.run());
        }
        if let Some(cmd) = self.command.as_mut() {
            match key.code {
                KeyCode::Esc => self.command = None,
                KeyCode::Enter => {
                    let text = cmd.clone();
                    self.command = None;
                    self.run_command(&text);
                }
                KeyCode::Backspace => {
                    cmd.pop();
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => cmd.push(c),
                _ => {}
            }
            return (true, Vec::new());
        }
        if key.code == KeyCode::Esc {
            return self.escape();
        }
        if let Some(i) = self.picker {
            let n = self.starters.len();
            match key.code {
                KeyCode::Up | KeyCode::Char('k') => self.picker = Some(i.saturating_sub(1)),
                KeyCode::Down | KeyCode::Char('j') => {
                    self.picker = Some((i + 1).min(n.saturating_sub(1)))
                }
                KeyCode::Enter => {
                    if let Some(s) = self.starters.get(i) {
                        let q = s.query.clone();
                        self.set_query(&q);
                    }
                    self.picker = None;
                    self.focus = Focus::Editor;
                }
                _ => {}
            }
            return (true, Vec::new());
        }
        if ctrl(&key, 't') {
            self.picker = (!self.starters.is_empty()).then_some(0);
            return (true, Vec::new());
        }
        if ctrl(&key, 'p') || ctrl(&key, 'n') {
            self.recall(ctrl(&key, 'p'));
            return (true, Vec::new());
        }
        if key.code == KeyCode::Tab || key.code == KeyCode::BackTab {
            self.focus = match self.focus {
                Focus::Editor if self.results.is_some() => Focus::Results,
                _ => Focus::Editor,
            };
            return (true, Vec::new());
        }
        match self.focus {
            Focus::Editor => {
                self.recall = None;
                textarea_key(&mut self.editor, key);
                (true, Vec::new())
            }
            Focus::Results => self.results_key(key),
        }
    }

    /// Inserts pasted text literally (the `:` line or the editor).
    pub fn handle_paste(&mut self, text: &str) {
        let clean = clean_paste(text);
        if let Some(cmd) = self.command.as_mut() {
            cmd.push_str(&clean.replace('\n', " "));
        } else if self.focus == Focus::Editor && self.picker.is_none() {
            self.editor.insert_str(clean);
        }
    }

    fn escape(&mut self) -> (bool, Vec<Effect>) {
        if self.detail.take().is_some() || self.picker.take().is_some() {
            return (true, Vec::new());
        }
        if self.running.take().is_some() {
            self.note = Some(Note::Info("query cancelled".into()));
            return (true, vec![Effect::SendCommand(Command::CancelHunt)]);
        }
        if self.focus == Focus::Results {
            self.focus = Focus::Editor;
            return (true, Vec::new());
        }
        (false, Vec::new())
    }

    fn recall(&mut self, older: bool) {
        let n = self.history.entries().len();
        if n == 0 {
            return;
        }
        let i = match (self.recall, older) {
            (None, true) => n - 1,
            (None, false) => return,
            (Some(i), true) => i.saturating_sub(1),
            (Some(i), false) if i + 1 < n => i + 1,
            (Some(_), false) => return,
        };
        let q = self.history.entries()[i].clone();
        self.set_query(&q);
        self.recall = Some(i);
        self.focus = Focus::Editor;
    }

    fn run(&mut self) -> Vec<Effect> {
        let query = self.query();
        if query.trim().is_empty() {
            self.note = Some(Note::Error("the query is empty".into()));
            return Vec::new();
        }
        let now = Instant::now();
        if self.calls_left(now) == 0 {
            let wait = self
                .calls
                .front()
                .map(|t| 60u64.saturating_sub(now.duration_since(*t).as_secs()))
                .unwrap_or(60);
            self.note = Some(Note::Throttled(format!(
                "{CALLS_PER_MINUTE} calls a minute: wait {wait} s"
            )));
            return Vec::new();
        }
        let mut effects = Vec::new();
        if self.running.is_some() {
            effects.push(Effect::SendCommand(Command::CancelHunt));
        }
        self.next_id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.running = Some(Running {
            id: self.next_id,
            started: now,
        });
        self.calls.push_back(now);
        self.note = self.history.push(&query).err().map(Note::Error);
        self.recall = None;
        self.shown_query = Some(query.clone());
        effects.push(Effect::SendCommand(Command::Hunt {
            id: self.next_id,
            query,
        }));
        effects
    }

    fn results_key(&mut self, key: KeyEvent) -> (bool, Vec<Effect>) {
        let Some(t) = self.results.as_mut() else {
            return (true, Vec::new());
        };
        if let Some(scroll) = self.detail.as_mut() {
            match key.code {
                KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
                KeyCode::Enter | KeyCode::Char('q') => self.detail = None,
                _ => {}
            }
            return (true, Vec::new());
        }
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => t.move_rows(-1),
            KeyCode::Down | KeyCode::Char('j') => t.move_rows(1),
            KeyCode::PageUp => t.page(-1),
            KeyCode::PageDown | KeyCode::Char(' ') => t.page(1),
            KeyCode::Home | KeyCode::Char('g') => t.jump(false),
            KeyCode::End | KeyCode::Char('G') => t.jump(true),
            KeyCode::Left | KeyCode::Char('h') => t.move_cols(-1),
            KeyCode::Right | KeyCode::Char('l') => t.move_cols(1),
            KeyCode::Enter if !t.result.rows.is_empty() => self.detail = Some(0),
            KeyCode::Char(':') => self.command = Some(String::new()),
            KeyCode::Char('q') => return self.close(),
            KeyCode::Char('y') => {
                let Some(v) = t.cell() else {
                    return (true, Vec::new());
                };
                let name = t
                    .result
                    .columns
                    .get(t.col)
                    .map(|c| sanitize(&c.name).into_owned())
                    .unwrap_or_default();
                let text = sanitize(&cell_text(v)).into_owned();
                return (
                    true,
                    vec![Effect::Copy {
                        text,
                        what: format!("{name} of row {}", t.row + 1),
                    }],
                );
            }
            _ => {}
        }
        (true, Vec::new())
    }

    fn close(&mut self) -> (bool, Vec<Effect>) {
        let effects = if self.running.take().is_some() {
            vec![Effect::SendCommand(Command::CancelHunt)]
        } else {
            Vec::new()
        };
        (false, effects)
    }

    fn run_command(&mut self, text: &str) {
        let text = text.trim();
        let (cmd, arg) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        match cmd {
            "export" | "w" => {
                let arg = arg.trim();
                let Some(t) = self.results.as_ref() else {
                    self.note = Some(Note::Error("nothing to export: run a query first".into()));
                    return;
                };
                if arg.is_empty() {
                    self.note = Some(Note::Error("usage: :export FILE.csv|FILE.ndjson".into()));
                    return;
                }
                let path = expand_home(arg);
                self.note = Some(match export::write(&t.result, &path) {
                    Ok(n) => Note::Info(format!(
                        "{n} rows written to {}",
                        sanitize(&path.display().to_string())
                    )),
                    Err(e) => Note::Error(sanitize(&e).into_owned()),
                });
            }
            "" => {}
            other => {
                self.note = Some(Note::Error(format!(
                    "unknown command :{} (try :export FILE)",
                    sanitize(other)
                )))
            }
        }
    }

    /// Key hints for the status bar.
    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        if self.command.is_some() {
            return vec![("Enter", "run"), ("Esc", "cancel")];
        }
        if self.picker.is_some() {
            return vec![("↑↓", "choose"), ("Enter", "use"), ("Esc", "close")];
        }
        if self.detail.is_some() {
            return vec![("↑↓", "scroll"), ("Esc", "back")];
        }
        let mut h = vec![("^S", "run")];
        if self.running.is_some() {
            h.push(("Esc", "cancel query"));
        }
        match self.focus {
            Focus::Editor => {
                h.extend([("^P/^N", "history"), ("^T", "starting points")]);
                if self.results.is_some() {
                    h.push(("Tab", "results"));
                }
                if self.running.is_none() {
                    h.push(("Esc", "close"));
                }
            }
            Focus::Results => h.extend([
                ("←→", "columns"),
                ("Enter", "row"),
                ("y", "copy cell"),
                (":export", "FILE"),
                ("Tab", "editor"),
            ]),
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    fn ctrl_s(s: &mut HuntScreen) -> Vec<Effect> {
        s.handle_key(key(KeyCode::Char('s'), KeyModifiers::CONTROL))
            .1
    }

    #[test]
    fn the_46th_query_in_a_minute_is_not_sent() {
        let mut s = HuntScreen::new(None, Vec::new());
        s.set_query("AlertInfo | take 1");
        for _ in 0..CALLS_PER_MINUTE {
            let fx = ctrl_s(&mut s);
            assert!(
                fx.iter()
                    .any(|e| matches!(e, Effect::SendCommand(Command::Hunt { .. })))
            );
        }
        assert_eq!(s.calls_left(Instant::now()), 0);
        assert!(ctrl_s(&mut s).is_empty());
        assert!(matches!(s.note(), Some(Note::Throttled(m)) if m.contains("45 calls a minute")));
    }

    #[test]
    fn ctrl_p_and_ctrl_n_walk_the_history() {
        let mut s = HuntScreen::new(None, Vec::new());
        for q in ["A | take 1", "B | take 2"] {
            s.set_query(q);
            ctrl_s(&mut s);
        }
        s.set_query("");
        let p = key(KeyCode::Char('p'), KeyModifiers::CONTROL);
        let n = key(KeyCode::Char('n'), KeyModifiers::CONTROL);
        s.handle_key(p);
        assert_eq!(s.query(), "B | take 2");
        s.handle_key(p);
        assert_eq!(s.query(), "A | take 1");
        s.handle_key(n);
        assert_eq!(s.query(), "B | take 2");
    }

    #[test]
    fn a_newer_query_cancels_the_running_one_and_old_answers_are_dropped() {
        let mut s = HuntScreen::new(None, Vec::new());
        s.set_query("A");
        ctrl_s(&mut s);
        let first = s.running.as_ref().map(|r| r.id).unwrap();
        let fx = ctrl_s(&mut s);
        assert_eq!(fx[0], Effect::SendCommand(Command::CancelHunt));
        let late = Update::HuntFailed {
            id: first,
            message: "late".into(),
            throttled: false,
        };
        assert!(!s.apply(&late));
        assert!(s.is_running());
    }
}
