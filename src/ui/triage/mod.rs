//! Triage components: the manage-incident pane (single and bulk), the alert manage pane, the
//! comment editor, confirmations and bulk results. Every component is self-contained: it takes
//! keys and paste, draws a centred modal, and hands back an
//! [`Outcome`](crate::ui::overlay::Outcome); it knows nothing of the app that hosts it. Each is
//! an [`Overlay`](crate::ui::overlay::Overlay) (`overlays.rs`).

pub mod alert_manage;
pub mod bulk;
pub mod changes;
pub mod comment;
pub mod confirm;
pub mod manage;
pub(crate) mod overlays;
mod picker;
pub mod quick;
mod tags;
mod widgets;

pub use crate::ui::read_only::READ_ONLY_MESSAGE;
pub use alert_manage::{AlertField, AlertManagePane};
pub use bulk::{BulkResults, ItemResult};
pub use changes::{Edits, describe_changes, is_destructive, patch_for, summary_line};
pub use comment::{COMMENT_LIMIT, CommentEditor};
pub use confirm::{ConfirmDialog, conflict_dialog};
pub use manage::{Field, ManagePane};
pub use overlays::{ConflictConfirm, WritesConfirm};
pub use quick::{assign_to_me, classify_picker, status_picker, tags_picker};
