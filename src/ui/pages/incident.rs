//! The incident page: a header, section tabs (overview, alerts, evidence, comments…) and the
//! section's document; Enter on an alert or evidence row opens that page.

use super::{AlertPage, DocCursor, EvidencePage, Page, PageCtx, missing, next_section};
use crate::ui::views::alert::AlertSection;
use crate::ui::views::doc::Doc;
use crate::ui::views::incident::{self, IncidentData, Section};
use ratatui::text::Line;

/// An open incident: which section is shown and where its cursor is.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentPage {
    pub id: String,
    pub section: Section,
    pub cursor: DocCursor,
}

impl IncidentPage {
    /// The incident `id` at its overview.
    pub fn new(id: &str) -> IncidentPage {
        IncidentPage {
            id: id.to_string(),
            section: Section::Overview,
            cursor: DocCursor::default(),
        }
    }

    /// The open section's document.
    pub fn doc(&self, ctx: &PageCtx, width: usize) -> Option<Doc> {
        let entry = ctx.store.incident(&self.id)?;
        let alerts = ctx.store.alerts(&self.id);
        let d = IncidentData {
            entry,
            alerts: &alerts,
            now: ctx.now,
        };
        Some(incident::section_doc(
            self.section,
            &d,
            ctx.theme,
            ctx.sym,
            width,
        ))
    }

    /// The header and tab lines.
    pub fn header(&self, ctx: &PageCtx) -> Vec<Line<'static>> {
        match ctx.store.incident(&self.id) {
            Some(e) => vec![
                incident::header(e, ctx.theme),
                incident::tabs(self.section, ctx.theme),
            ],
            None => vec![missing("This incident", ctx.theme)],
        }
    }

    /// Enter: the selected alert or evidence item, on those sections.
    pub fn open(&self, ctx: &PageCtx) -> Option<Page> {
        let alerts = ctx.store.alerts(&self.id);
        match self.section {
            Section::Alerts => alerts.get(self.cursor.item).map(|a| {
                Page::Alert(AlertPage {
                    incident_id: self.id.clone(),
                    alert_id: a.id.clone(),
                    section: AlertSection::Details,
                    cursor: DocCursor::default(),
                })
            }),
            Section::Evidence => incident::evidence_items(&alerts)
                .get(self.cursor.item)
                .map(|r| Page::Evidence(EvidencePage::new(&r.alert_id, r.index))),
            _ => None,
        }
    }

    /// Tab / Shift-Tab: the next or previous section, from its top.
    pub fn switch_section(&mut self, step: isize) {
        self.section = next_section(Section::ALL, self.section, step);
        self.cursor = DocCursor::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixture;
    use crate::ui::theme::Theme;
    use crate::ui::views::Symbols;

    #[test]
    fn enter_on_the_alerts_section_opens_the_selected_alert() {
        let store = fixture::store(false);
        let theme = Theme::default();
        let ctx = PageCtx {
            store: &store,
            theme: &theme,
            sym: Symbols { ascii: false },
            now: fixture::now(),
        };
        let id = fixture::incidents()
            .into_iter()
            .find(|i| !store.alerts(&i.id).is_empty())
            .map(|i| i.id)
            .expect("an incident with alerts");
        let mut page = IncidentPage::new(&id);
        assert_eq!(page.open(&ctx), None, "the overview opens nothing");
        while page.section != Section::Alerts {
            page.switch_section(1);
        }
        match page.open(&ctx) {
            Some(Page::Alert(a)) => {
                assert_eq!(a.incident_id, id);
                assert_eq!(a.alert_id, store.alerts(&id)[0].id);
            }
            other => panic!("expected an alert page, got {other:?}"),
        }
    }
}
