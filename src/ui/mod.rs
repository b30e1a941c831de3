//! Terminal user interface.

pub mod clipboard;
pub mod color;
pub mod experts_ui;
pub mod sanitize;
pub mod svg;
pub mod term;
pub mod text;
pub mod theme;
