//! The modal layer hosted by the app: one enum over every pane that can open above a page
//! (triage panes, dialogs, Defender Experts screens). A modal gets keys and pastes before the
//! page, draws over it and supplies the status bar's key hints. What a modal's outcome means
//! for the app (writes, deliveries, drafts) is decided in `app`; this module only dispatches
//! drawing, hints and the "unsaved?" question.

use super::experts_ui::{AskExpertsPane, InquiriesList, NotificationView};
use super::hunt::HuntScreen;
use super::theme::Theme;
use super::triage::{AlertManagePane, BulkResults, CommentEditor, ConfirmDialog, ManagePane};
use crate::sync::{OpId, WriteOp};
use ratatui::Frame;
use ratatui::layout::Rect;

/// Why a [`ConfirmDialog`] is open, so the app knows what "yes" does.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfirmPurpose {
    /// The incident changed on the server: "yes" re-sends `write` with `force: true`
    /// (replacing op `op` in any open bulk result list).
    Conflict { op: OpId, write: WriteOp },
}

/// A pane open above the page.
#[allow(clippy::large_enum_variant)] // at most a handful open at once
pub enum Modal {
    Manage(ManagePane),
    AlertManage(AlertManagePane),
    Comment(CommentEditor),
    Bulk(BulkResults),
    Confirm(ConfirmDialog, ConfirmPurpose),
    /// "What will change, per incident — apply?": yes sends the writes, no sends nothing.
    ConfirmWrites(ConfirmDialog, Vec<WriteOp>),
    Ask(AskExpertsPane),
    Inquiries(InquiriesList),
    Notification(NotificationView),
    Hunt(Box<HuntScreen>),
}

impl Modal {
    /// A short name for the help overlay's title.
    pub fn name(&self) -> &'static str {
        match self {
            Modal::Manage(_) => "Manage incident",
            Modal::AlertManage(_) => "Manage alert",
            Modal::Comment(_) => "Comment",
            Modal::Bulk(_) => "Bulk results",
            Modal::Confirm(..) | Modal::ConfirmWrites(..) => "Confirm",
            Modal::Ask(_) => "Ask Defender Experts",
            Modal::Inquiries(_) => "Inquiries",
            Modal::Notification(_) => "Defender Experts notification",
            Modal::Hunt(_) => "Advanced hunting",
        }
    }

    /// The pane's key hints: (key, action).
    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        match self {
            Modal::Manage(p) => p.hints(),
            Modal::AlertManage(p) => p.hints(),
            Modal::Comment(p) => p.hints(),
            Modal::Bulk(p) => p.hints(),
            Modal::Confirm(d, _) | Modal::ConfirmWrites(d, _) => d.hints(),
            Modal::Ask(p) => p.hints(),
            Modal::Inquiries(p) => p.hints(),
            Modal::Notification(p) => p.hints(),
            Modal::Hunt(p) => p.hints(),
        }
    }

    /// True when printable keys are text for the pane (so `?` cannot open the help; F1 can).
    pub fn takes_text(&self) -> bool {
        matches!(
            self,
            Modal::Manage(_)
                | Modal::AlertManage(_)
                | Modal::Comment(_)
                | Modal::Ask(_)
                | Modal::Hunt(_)
        )
    }

    /// True when closing now would lose something the analyst typed or chose. The compose
    /// pane is not counted: its draft is saved instead.
    pub fn is_dirty(&self) -> bool {
        match self {
            Modal::Manage(p) => p.is_dirty(),
            Modal::AlertManage(p) => p.is_dirty(),
            Modal::Comment(p) => p.is_dirty(),
            _ => false,
        }
    }

    /// Inserts pasted text literally into the pane.
    pub fn handle_paste(&mut self, text: &str) {
        match self {
            Modal::Manage(p) => p.handle_paste(text),
            Modal::AlertManage(p) => p.handle_paste(text),
            Modal::Comment(p) => p.handle_paste(text),
            Modal::Bulk(p) => p.handle_paste(text),
            Modal::Confirm(..) | Modal::ConfirmWrites(..) => {}
            Modal::Ask(p) => p.handle_paste(text),
            Modal::Inquiries(p) => p.handle_paste(text),
            Modal::Notification(p) => p.handle_paste(text),
            Modal::Hunt(p) => p.handle_paste(text),
        }
    }

    /// Draws the pane over `area` (the page body). Triage panes centre themselves; the
    /// Defender Experts screens get a centred area with a margin.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        match self {
            Modal::Manage(p) => p.render(f, area, theme),
            Modal::AlertManage(p) => p.render(f, area, theme),
            Modal::Comment(p) => p.render(f, area, theme),
            Modal::Bulk(p) => p.render(f, area, theme),
            Modal::Confirm(d, _) | Modal::ConfirmWrites(d, _) => d.render(f, area, theme),
            Modal::Ask(p) => p.render(f, large_area(area), theme),
            Modal::Inquiries(p) => p.render(f, large_area(area), theme),
            Modal::Notification(p) => p.render(f, large_area(area), theme),
            Modal::Hunt(p) => p.render(f, area, theme),
        }
    }
}

/// A centred rectangle for full-size panes: a small margin on big terminals, the whole area on
/// small ones (80x24 keeps every row).
pub fn large_area(area: Rect) -> Rect {
    let width = if area.width > 84 {
        (area.width - 4).min(120)
    } else {
        area.width
    };
    let height = if area.height > 26 {
        (area.height - 2).min(48)
    } else {
        area.height
    };
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_area_keeps_small_screens_and_centres_big_ones() {
        let small = Rect::new(0, 0, 80, 22);
        assert_eq!(large_area(small), small);
        let big = Rect::new(0, 0, 200, 60);
        let r = large_area(big);
        assert_eq!((r.width, r.height), (120, 48));
        assert_eq!((r.x, r.y), (40, 6));
    }
}
