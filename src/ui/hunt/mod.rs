//! Advanced hunting (`H`, `:hunt`): a KQL editor and a result table over Graph
//! `runHuntingQuery`. Self-contained: the app opens it as a modal ([`open`]), hands it keys
//! and pastes, and passes it the engine's hunting answers ([`route_update`]).

pub mod export;
pub mod history;
pub mod screen;
pub mod starters;
pub mod table;
mod view;

pub use screen::{Focus, HuntScreen, Note};

use std::path::{Path, PathBuf};

use crate::store::Store;
use crate::sync::Update;
use crate::ui::modal::Modal;

/// The history file under a profile's state directory.
pub fn history_path(state_dir: &Path) -> PathBuf {
    state_dir.join("hunt_history.json")
}

/// The screen as a modal, with starting points from `incident` (the open one, if any).
pub fn open(store: &Store, incident: Option<&str>, history: Option<PathBuf>) -> Modal {
    let entry = incident.and_then(|id| store.incident(id));
    let alerts = incident.map(|id| store.alerts(id)).unwrap_or_default();
    let starters = starters::for_incident(entry.map(|e| &e.incident), &alerts);
    Modal::Hunt(Box::new(HuntScreen::new(history, starters)))
}

/// Hands a hunting answer to the open hunting screen (if any).
pub fn route_update(modals: &mut [Modal], update: &Update) {
    for m in modals {
        if let Modal::Hunt(h) = m
            && h.apply(update)
        {
            return;
        }
    }
}

/// True while a hunting screen shows a running query (its spinner needs frames).
pub fn animating(modals: &[Modal]) -> bool {
    modals
        .iter()
        .any(|m| matches!(m, Modal::Hunt(h) if h.is_running()))
}
