//! TODO
pub mod sanitize;
pub mod text;
pub mod theme;
pub mod triage;
