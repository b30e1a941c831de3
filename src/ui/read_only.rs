//! The words for a refused change in read-only mode, shared by every pane that can write.

/// Shown whenever a change is attempted in read-only mode.
pub const READ_ONLY_MESSAGE: &str =
    "read-only mode: changes are disabled (--read-only or profile read_only)";
