//! Advanced hunting (`H`, `:hunt`): a KQL editor and a result table over Graph
//! `runHuntingQuery`. Self-contained: the app opens it as an overlay ([`open`]), hands it keys
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
use crate::ui::overlay::Overlay;

mod overlay;

/// The history file under a profile's state directory.
pub fn history_path(state_dir: &Path) -> PathBuf {
    state_dir.join("hunt_history.json")
}

/// The screen as a modal, with starting points from `incident` (the open one, if any).
pub fn open(store: &Store, incident: Option<&str>, history: Option<PathBuf>) -> Box<dyn Overlay> {
    let entry = incident.and_then(|id| store.incident(id));
    let alerts = incident.map(|id| store.alerts(id)).unwrap_or_default();
    let starters = starters::for_incident(entry.map(|e| &e.incident), &alerts);
    Box::new(HuntScreen::new(history, starters))
}

/// Hands a hunting answer to the open hunting screen (if any).
pub fn route_update(modals: &mut [Box<dyn Overlay>], update: &Update) {
    for m in modals {
        if let Some(h) = m.downcast_mut::<HuntScreen>()
            && h.apply(update)
        {
            return;
        }
    }
}

/// True while a hunting screen shows a running query (its spinner needs frames).
pub fn animating(modals: &[Box<dyn Overlay>]) -> bool {
    modals.iter().any(|m| {
        m.downcast_ref::<HuntScreen>()
            .is_some_and(HuntScreen::is_running)
    })
}
