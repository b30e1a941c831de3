//! The `:` commands (`:view`, `:sort`, `:refresh`, `:retry`, `:help`, `:q`) and quitting,
//! which asks first when writes are unconfirmed or text is unsaved.

use super::{App, Effect, Level};
use crate::store::Sort;
use crate::sync::Command;
use crate::ui::overlay_screens::QuitConfirm;
use crate::ui::views::queue::{self, SORT_CYCLE};

impl App {
    /// Quits, or asks first when writes are unconfirmed, an input line is open
    /// (`editor_open`) or a pane holds unsaved text.
    pub(super) fn request_quit(&mut self, editor_open: bool) -> Vec<Effect> {
        let pending = self
            .store
            .counts()
            .pending_writes
            .max(self.sync.outbox_pending);
        let mut why = Vec::new();
        if pending > 0 {
            why.push(format!("{pending} write(s) not yet confirmed"));
        }
        if editor_open {
            why.push("an input line is open".to_string());
        }
        if self.modals.iter().any(|m| m.is_dirty()) {
            why.push("a pane has unsaved changes".to_string());
        }
        if why.is_empty() {
            self.flush_drafts();
            vec![Effect::Quit]
        } else {
            self.input = None;
            self.screen = Some(Box::new(QuitConfirm::new(format!(
                "{}. Quit anyway? (y/n)",
                why.join("; ")
            ))));
            self.dirty = true;
            Vec::new()
        }
    }

    pub(super) fn run_command(&mut self, text: &str) -> Vec<Effect> {
        let mut words = text.split_whitespace();
        let cmd = words.next().unwrap_or("");
        let args: Vec<&str> = words.collect();
        match cmd {
            "" => Vec::new(),
            "q" | "quit" => self.request_quit(false),
            "q!" | "quit!" => {
                self.flush_drafts();
                vec![Effect::Quit]
            }
            "help" | "h" => {
                self.open_help();
                Vec::new()
            }
            "view" | "v" => {
                let name = args.join(" ");
                match self.queue.set_view(&name, &self.saved_views) {
                    Ok(()) => self.pages.clear(),
                    Err(message) => self.show_toast(Level::Error, message),
                }
                Vec::new()
            }
            "sort" | "s" => {
                match args.first().and_then(|a| queue::parse_sort_name(a)) {
                    Some(k) => {
                        let desc = match args.get(1).map(|s| s.to_ascii_lowercase()) {
                            Some(d) if d == "asc" => false,
                            Some(d) if d == "desc" => true,
                            _ => queue::default_descending(k),
                        };
                        self.queue.set_sort(Sort {
                            key: k,
                            descending: desc,
                        });
                    }
                    None => {
                        let names: Vec<&str> =
                            SORT_CYCLE.iter().map(|k| queue::sort_name(*k)).collect();
                        self.show_toast(
                            Level::Error,
                            format!(
                                "Usage: :sort COLUMN [asc|desc]; columns: {}",
                                names.join(" ")
                            ),
                        );
                    }
                }
                Vec::new()
            }
            "refresh" => vec![Effect::SendCommand(Command::Refresh {
                full: args.first() == Some(&"full"),
            })],
            "retry" => self.retry_and_review_conflicts(),
            "hunt" => self.open_hunt(),
            other => {
                self.show_toast(
                    Level::Error,
                    format!(
                        "Unknown command :{other} (try :view, :sort, :refresh, :retry, :hunt, :q)"
                    ),
                );
                Vec::new()
            }
        }
    }
}
