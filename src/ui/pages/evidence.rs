//! The evidence page: one evidence item of an alert, its fields and raw properties as a
//! scrollable document.

use super::{PageCtx, missing};
use crate::ui::views::doc::Doc;
use crate::ui::views::evidence;
use ratatui::text::Line;

/// One evidence item (`index` in the alert's list) and how far it is scrolled.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidencePage {
    pub alert_id: String,
    pub index: usize,
    pub scroll: usize,
}

impl EvidencePage {
    /// Evidence item `index` of `alert_id`, from the top.
    pub fn new(alert_id: &str, index: usize) -> EvidencePage {
        EvidencePage {
            alert_id: alert_id.to_string(),
            index,
            scroll: 0,
        }
    }

    /// The item's document.
    pub fn doc(&self, ctx: &PageCtx) -> Option<Doc> {
        let ev = ctx.store.alert(&self.alert_id)?.evidence.get(self.index)?;
        Some(evidence::detail_doc(ev, ctx.now, ctx.theme))
    }

    /// The header line.
    pub fn header(&self, ctx: &PageCtx) -> Vec<Line<'static>> {
        match ctx
            .store
            .alert(&self.alert_id)
            .and_then(|a| a.evidence.get(self.index))
        {
            Some(ev) => vec![evidence::header(ev, &self.alert_id, ctx.theme)],
            None => vec![missing("This evidence item", ctx.theme)],
        }
    }
}
