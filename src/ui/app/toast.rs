//! The toast: the transient message on the line above the status bar ("Copied incident 12
//! (OSC 52)", "Loaded 412 incidents in 1.3s", errors). It goes away after [`TOAST_SECS`]
//! ([`ERROR_SECS`] for errors). Not to be confused with a store *notice* (`app/notices.rs`,
//! kept in the history) or a *Defender Experts notification* (`experts_ui/notification/`).

use super::App;
use crate::graph::model::Timestamp;

/// Severity of a toast (and of a notice in the history).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// The message on the toast line.
#[derive(Clone, Debug)]
pub(super) struct Toast {
    /// Raw (possibly untrusted) text, sanitised when drawn.
    pub(super) text: String,
    pub(super) level: Level,
    pub(super) at: Timestamp,
}

/// How long a toast stays, in seconds.
const TOAST_SECS: i64 = 10;
/// How long an error toast stays, in seconds.
const ERROR_SECS: i64 = 30;

impl Toast {
    /// True once the toast has been shown long enough at `now`.
    pub(super) fn expired(&self, now: Timestamp) -> bool {
        let ttl = if self.level == Level::Error {
            ERROR_SECS
        } else {
            TOAST_SECS
        };
        now.as_second() - self.at.as_second() >= ttl
    }
}

impl App {
    /// Shows a message on the toast line.
    pub fn show_toast(&mut self, level: Level, text: impl Into<String>) {
        self.toast = Some(Toast {
            text: text.into(),
            level,
            at: self.now,
        });
        self.dirty = true;
    }

    /// The former name of [`show_toast`](Self::show_toast), still called by the triage and
    /// comment-draft code; new code calls `show_toast`.
    pub(crate) fn notify(&mut self, level: Level, text: impl Into<String>) {
        self.show_toast(level, text);
    }

    /// The toast line's text, if any.
    pub fn toast(&self) -> Option<&str> {
        self.toast.as_ref().map(|n| n.text.as_str())
    }

    /// Reports the outcome of an [`Effect::Copy`](super::Effect::Copy): `Ok(method)`
    /// ("OSC 52") or `Err(reason)`.
    pub fn report_copy(&mut self, what: &str, result: Result<String, String>) {
        let instruction = self.portal_copied(result.is_ok());
        match (result, instruction) {
            (Ok(method), Some(i)) => {
                self.show_toast(Level::Info, format!("Copied {what} ({method}). {i}"))
            }
            (Ok(method), None) => self.show_toast(Level::Info, format!("Copied {what} ({method})")),
            (Err(e), Some(i)) => self.show_toast(
                Level::Error,
                format!("Copy failed: {e}. {i} (type the inquiry there)"),
            ),
            (Err(e), None) => self.show_toast(Level::Error, format!("Copy failed: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_stay_longer_than_other_toasts() {
        let at = Timestamp::parse("2026-01-01T00:00:00Z").expect("a valid time");
        let later = |s: i64| at.plus_seconds(s);
        let info = Toast {
            text: "x".into(),
            level: Level::Info,
            at,
        };
        let error = Toast {
            level: Level::Error,
            ..info.clone()
        };
        assert!(!info.expired(later(9)));
        assert!(info.expired(later(10)));
        assert!(!error.expired(later(29)));
        assert!(error.expired(later(30)));
    }
}
