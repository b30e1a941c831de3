//! What the app is built with ([`AppConfig`]) and what it asks the event loop to do
//! ([`Effect`]).

use super::ExpertsConfig;
use crate::sync::Command;
use crate::ui::keymap::Keymap;
use crate::ui::theme::Theme;

/// Something the event loop must do for the app.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Effect {
    /// Send a command to the sync engine.
    SendCommand(Command),
    /// Copy already-sanitised `text` to the clipboard; `what` names it for the message
    /// ("incident 123 URL"). Report the outcome with [`App::report_copy`](super::App::report_copy).
    Copy { text: String, what: String },
    /// Ring the terminal bell (only produced when the bell is enabled).
    Bell,
    /// Leave the console.
    Quit,
    /// Clear the screen and repaint everything (the redraw key).
    ClearScreen,
    /// Give the terminal back to the shell and stop (Ctrl-Z); repaint everything on `fg`.
    Suspend,
}

/// Settings the app is built with.
#[derive(Clone, Debug)]
pub struct AppConfig {
    pub theme: Theme,
    pub keymap: Keymap,
    pub profile_label: String,
    pub read_only: bool,
    /// Ring the bell on important notices.
    pub bell: bool,
    /// Named saved views: (name, filter text).
    pub saved_views: Vec<(String, String)>,
    /// ASCII glyphs only.
    pub ascii: bool,
    /// Ask Defender Experts channels, addresses and storage.
    pub experts: ExpertsConfig,
    /// Teammates offered when assigning (`[user] teammates`).
    pub teammates: Vec<String>,
    /// The profile's database (`None`: nothing kept between runs).
    pub db: Option<crate::db::Db>,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            theme: Theme::default(),
            keymap: Keymap::default(),
            profile_label: "default".into(),
            read_only: false,
            bell: false,
            saved_views: Vec::new(),
            ascii: false,
            experts: ExpertsConfig::default(),
            teammates: Vec::new(),
            db: None,
        }
    }
}
