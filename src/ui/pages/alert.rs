//! The alert page: a header, section tabs (details, evidence, process tree, comments…) and the
//! section's document; Enter on an evidence row opens the evidence page.

use super::{DocCursor, EvidencePage, Page, PageCtx, missing, next_section};
use crate::store::Store;
use crate::sync::WriteOp;
use crate::ui::views::alert::{self, AlertData, AlertSection};
use crate::ui::views::doc::Doc;
use ratatui::text::Line;

/// An open alert of an incident: which section is shown and where its cursor is.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertPage {
    pub incident_id: String,
    pub alert_id: String,
    pub section: AlertSection,
    pub cursor: DocCursor,
}

impl AlertPage {
    /// The open section's document (comments still being sent are shown as pending).
    pub fn doc(&self, ctx: &PageCtx, width: usize) -> Option<Doc> {
        let a = ctx.store.alert(&self.alert_id)?;
        let pending = pending_comments(ctx.store, &self.alert_id);
        let refs: Vec<&str> = pending.iter().map(|s| s.as_str()).collect();
        let d = AlertData {
            alert: a,
            pending_comments: &refs,
            pending: false,
            now: ctx.now,
        };
        Some(alert::section_doc(
            self.section,
            &d,
            ctx.theme,
            ctx.sym,
            width,
        ))
    }

    /// The header and tab lines.
    pub fn header(&self, ctx: &PageCtx) -> Vec<Line<'static>> {
        match ctx.store.alert(&self.alert_id) {
            Some(a) => vec![
                alert::header(a, ctx.theme),
                alert::tabs(self.section, ctx.theme),
            ],
            None => vec![missing("This alert", ctx.theme)],
        }
    }

    /// Enter: the selected evidence item, on the evidence section.
    pub fn open(&self, ctx: &PageCtx) -> Option<Page> {
        if self.section != AlertSection::Evidence {
            return None;
        }
        ctx.store
            .alert(&self.alert_id)
            .is_some_and(|a| self.cursor.item < a.evidence.len())
            .then(|| Page::Evidence(EvidencePage::new(&self.alert_id, self.cursor.item)))
    }

    /// Tab / Shift-Tab: the next or previous section, from its top.
    pub fn switch_section(&mut self, step: isize) {
        self.section = next_section(AlertSection::ALL, self.section, step);
        self.cursor = DocCursor::default();
    }
}

/// Comments on `alert_id` written this session and not confirmed yet.
fn pending_comments(store: &Store, alert_id: &str) -> Vec<String> {
    let Some(inc) = store.alert(alert_id).and_then(|a| a.incident_id.clone()) else {
        return Vec::new();
    };
    store
        .incident(&inc)
        .map(|e| {
            e.pending
                .iter()
                .filter_map(|p| match &p.write {
                    WriteOp::CommentAlert { alert_id: a, text } if a == alert_id => {
                        Some(text.clone())
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}
