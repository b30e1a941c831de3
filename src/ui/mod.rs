//! The terminal console: app state and page stack, keymap, one renderer per resource, and the
//! event loop. Drawing happens only here; untrusted text goes through [`sanitize`] first.

pub mod action;
pub mod app;
pub mod clipboard;
pub mod coalesce;
pub mod color;
pub mod experts_ui;
#[cfg(any(test, feature = "fixture"))]
pub mod fixture;
pub mod hunt;
pub mod keymap;
pub mod overlay;
pub mod overlay_screens;
pub mod pages;
pub mod read_only;
pub mod readable;
pub mod run;
pub mod sanitize;
pub mod sgr16;
pub mod size_cap;
pub mod svg;
pub mod term;
pub mod text;
pub mod theme;
pub mod triage;
pub mod views;

pub use action::Action;
pub use app::{App, Effect};
pub use keymap::{Context, Keymap};
pub use run::{RunContext, run};
