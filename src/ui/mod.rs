//! TODO
// Placeholder declarations for the `uikit` kit modules this branch compiles against; on merge keep
// uikit's list and the `experts_ui` line.
pub mod experts_ui;
pub mod sanitize;
pub mod text;
pub mod theme;
