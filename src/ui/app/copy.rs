//! `y` / `Y`: copying the id or the portal URL of what is on screen (the selected incident
//! on the queue, else the page's incident or alert).

use super::{App, Effect, Level};
use crate::ui::pages::Subject;
use crate::ui::sanitize::sanitize;

impl App {
    /// What `y` / `Y` copy on this screen.
    fn copy_subject(&self) -> Option<Subject> {
        match self.pages.last() {
            Some(p) => Some(p.subject()),
            None => self.queue.selected_id.clone().map(Subject::Incident),
        }
    }

    /// The copy effect for the id (`url` false) or the portal URL of what is on screen.
    pub(super) fn copy(&mut self, url: bool) -> Vec<Effect> {
        let Some(subject) = self.copy_subject() else {
            return Vec::new();
        };
        let (text, what) = match subject {
            Subject::Incident(id) if url => {
                let u = self
                    .store
                    .incident(&id)
                    .and_then(|e| e.incident.incident_web_url.clone());
                (u, format!("incident {id} URL"))
            }
            Subject::Incident(id) => (Some(id.clone()), format!("incident {id}")),
            Subject::Alert(id) if url => {
                let u = self.store.alert(&id).and_then(|a| a.alert_web_url.clone());
                (u, format!("alert {id} URL"))
            }
            Subject::Alert(id) => (Some(id.clone()), format!("alert {id}")),
        };
        let what = sanitize(&what).into_owned();
        match text {
            Some(t) if !t.is_empty() => vec![Effect::Copy {
                text: sanitize(&t).into_owned(),
                what,
            }],
            _ => {
                self.show_toast(
                    Level::Warn,
                    format!("No portal URL for {}", what.trim_end_matches(" URL")),
                );
                Vec::new()
            }
        }
    }
}
