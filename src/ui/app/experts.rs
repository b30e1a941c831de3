//! Hosting the Defender Experts screens: the compose pane (drafts restored and autosaved), the
//! inquiries list and the notification view (beta fields and managed-response tasks requested
//! from the engine). Delivering what they send is `app/deliveries.rs`.

use super::{App, Effect, Level};
use crate::experts::{
    Channel, Draft, IncidentTask, InquiryTopic, TaskStatus, build_context, vars_from,
};
use crate::graph::model::{Alert, Incident, Timestamp};
use crate::sync::Command;
use crate::ui::experts_ui::{AskExpertsPane, InquiriesList, NotificationView};
use crate::ui::overlay::Outcome;
use crate::ui::pages::Page;
use std::time::Instant;

impl App {
    /// The incident, its alerts and the topic the compose pane would be about on this screen.
    fn ask_subject(&self) -> Option<(InquiryTopic, Option<Incident>, Vec<Alert>)> {
        let incident_data = |id: &str| {
            let inc = self.store.incident(id).map(|e| e.incident.clone());
            let alerts: Vec<Alert> = self.store.alerts(id).into_iter().cloned().collect();
            (inc, alerts)
        };
        match self.pages.last() {
            None => {
                let id = self.queue.selected_id.clone()?;
                let (inc, alerts) = incident_data(&id);
                let topic = InquiryTopic::from_incident(inc.as_ref()?);
                Some((topic, inc, alerts))
            }
            Some(Page::Incident(p)) => {
                let (inc, alerts) = incident_data(&p.id);
                let topic = InquiryTopic::from_incident(inc.as_ref()?);
                Some((topic, inc, alerts))
            }
            Some(Page::Alert(p)) => {
                let alert = self.store.alert(&p.alert_id)?;
                let topic = InquiryTopic::from_alert(alert);
                let (inc, alerts) = match &alert.incident_id {
                    Some(i) => incident_data(i),
                    None => (None, vec![alert.clone()]),
                };
                Some((topic, inc, alerts))
            }
            Some(Page::Evidence(p)) => {
                let alert = self.store.alert(&p.alert_id)?;
                let topic = alert
                    .evidence
                    .get(p.index)
                    .and_then(InquiryTopic::from_evidence)
                    .unwrap_or_else(|| InquiryTopic::from_alert(alert));
                let (inc, alerts) = match &alert.incident_id {
                    Some(i) => incident_data(i),
                    None => (None, vec![alert.clone()]),
                };
                Some((topic, inc, alerts))
            }
        }
    }

    /// `e`: opens the compose pane for what is on screen, restoring its draft.
    pub(super) fn open_ask(&mut self) -> Vec<Effect> {
        let Some((topic, incident, alerts)) = self.ask_subject() else {
            self.show_toast(
                Level::Warn,
                "Nothing selected to ask Defender Experts about",
            );
            return Vec::new();
        };
        let restored = self.experts.load_draft(&topic.key());
        self.open_ask_on(topic, incident, alerts, restored);
        Vec::new()
    }

    fn open_ask_on(
        &mut self,
        topic: InquiryTopic,
        incident: Option<Incident>,
        alerts: Vec<Alert>,
        restored: Option<Draft>,
    ) {
        let cfg = &self.experts.cfg;
        let context = build_context(&topic, incident.as_ref(), &alerts);
        let vars = vars_from(&topic, incident.as_ref(), &alerts);
        let link = topic.portal_link(&cfg.portal_base, cfg.tenant_id.as_deref());
        // Read-only: only the portal hand-off (nothing is written or sent from here).
        let channels: Vec<Channel> = cfg
            .channels
            .iter()
            .copied()
            .filter(|c| !self.read_only || *c == Channel::Portal)
            .collect();
        let pane = AskExpertsPane::new(
            topic,
            context,
            restored,
            cfg.reply_to.clone(),
            channels,
            self.experts.credit_summary(self.now),
            link,
            vars,
        )
        .with_send_summary(cfg.email_to.clone(), self.experts.credits_left(self.now))
        .with_keys(&self.keymap);
        if let Some(inc) = &incident {
            self.experts
                .incident_of
                .insert(pane.topic().key(), inc.id.clone());
        }
        self.modals.push(Box::new(pane));
        self.dirty = true;
    }

    /// `H` / `:hunt`: the advanced hunting screen, with starting points from the open incident.
    pub(super) fn open_hunt(&mut self) -> Vec<Effect> {
        let screen =
            crate::ui::hunt::open(&self.store, self.open_incident(), self.hunt_history.clone());
        self.modals.push(screen);
        self.dirty = true;
        Vec::new()
    }

    /// `I`: the drafts and sent inquiries.
    pub(super) fn open_inquiries(&mut self) -> Vec<Effect> {
        let list = InquiriesList::new(self.experts.drafts(), self.experts.inquiries());
        self.modals.push(Box::new(list));
        Vec::new()
    }

    /// `n` on a Defender Experts incident: the notification view; asks the engine for the beta
    /// fields and the managed-response tasks.
    pub(super) fn open_notification(&mut self) -> Vec<Effect> {
        // The open incident, or on the queue (the Experts list) the selected row.
        let id = self.open_incident().or(self.queue.selected_id.as_deref());
        let Some(id) = id.map(str::to_string) else {
            return Vec::new();
        };
        let Some(entry) = self.store.incident(&id) else {
            return Vec::new();
        };
        if !entry.experts {
            self.show_toast(
                Level::Info,
                format!("Incident {id} is not a Defender Experts notification"),
            );
            return Vec::new();
        }
        let tasks = self.experts.tasks.get(&id).cloned().unwrap_or_default();
        let view = NotificationView::new(&entry.incident, tasks);
        self.experts.notification_for = Some(id.clone());
        self.modals.push(Box::new(view));
        vec![
            Effect::SendCommand(Command::LoadIncident {
                incident_id: id.clone(),
                beta: true,
            }),
            Effect::SendCommand(Command::LoadTasks { incident_id: id }),
        ]
    }

    pub(super) fn experts_outcome(&mut self, o: Outcome) -> Vec<Effect> {
        match o {
            Outcome::Send(inq) => self.send_inquiry(inq),
            Outcome::CopyToClipboard { text, what } => vec![Effect::Copy {
                text: crate::ui::sanitize::sanitize_multiline(&text).into_owned(),
                what,
            }],
            Outcome::SaveDraft(d) => {
                if let Err(e) = self.experts.save_draft(&d) {
                    self.show_toast(Level::Error, format!("Could not save the draft: {e}"));
                } else {
                    self.show_toast(Level::Info, "Draft saved");
                }
                Vec::new()
            }
            Outcome::Retry(id) => self.retry_inquiry(&id),
            Outcome::OpenDraft(d) => {
                let (incident, alerts) = match &d.topic {
                    InquiryTopic::Incident { id, .. } => (
                        self.store.incident(id).map(|e| e.incident.clone()),
                        self.store.alerts(id).into_iter().cloned().collect(),
                    ),
                    _ => (None, Vec::new()),
                };
                self.open_ask_on(d.topic.clone(), incident, alerts, Some(d));
                Vec::new()
            }
            Outcome::DeleteDraft(key) => {
                if let Err(e) = self.experts.delete_draft(&key) {
                    self.show_toast(Level::Error, format!("Could not delete the draft: {e}"));
                }
                Vec::new()
            }
            Outcome::TaskUpdate { task_id, status } => self.update_task(task_id, status),
            Outcome::TaskExecute { .. } => self.copy_incident_portal_link(),
            Outcome::LoadBeta { incident_id } => {
                vec![Effect::SendCommand(Command::LoadIncident {
                    incident_id,
                    beta: true,
                })]
            }
            // The rest are not Defender Experts requests (see `apply_outcome`).
            _ => Vec::new(),
        }
    }

    /// `!` then `y` in the notification view: vigil does not run response actions, so it
    /// copies the incident's portal link (as the confirmation said) for the analyst to run it
    /// there.
    fn copy_incident_portal_link(&mut self) -> Vec<Effect> {
        let Some(id) = self.experts.notification_for.clone() else {
            return Vec::new();
        };
        let Some(entry) = self.store.incident(&id) else {
            return Vec::new();
        };
        let cfg = &self.experts.cfg;
        let link = InquiryTopic::from_incident(&entry.incident)
            .portal_link(&cfg.portal_base, cfg.tenant_id.as_deref());
        vec![Effect::Copy {
            text: crate::ui::sanitize::sanitize(&link).into_owned(),
            what: format!("portal link of incident {id} (run the action there)"),
        }]
    }

    fn update_task(&mut self, task_id: String, status: TaskStatus) -> Vec<Effect> {
        if self.read_only {
            self.show_toast(Level::Warn, "Read-only profile: changes are disabled");
            return Vec::new();
        }
        let Some(incident_id) = self.experts.notification_for.clone() else {
            return Vec::new();
        };
        let op = self.alloc_op();
        self.show_toast(Level::Info, "Updating the task…");
        vec![Effect::SendCommand(Command::UpdateTask {
            op,
            incident_id,
            task_id,
            status,
        })]
    }

    /// The engine's answer to [`Command::UpdateTask`]: reports it and, on success, asks for the
    /// incident's tasks again.
    pub fn task_updated(&mut self, incident_id: &str, result: Result<(), String>) -> Vec<Effect> {
        match result {
            Ok(()) => {
                self.show_toast(Level::Info, "Task updated");
                vec![Effect::SendCommand(Command::LoadTasks {
                    incident_id: incident_id.to_string(),
                })]
            }
            Err(e) => {
                self.show_toast(Level::Error, format!("Task update failed: {e}"));
                Vec::new()
            }
        }
    }

    /// Managed-response tasks of an incident from the engine.
    pub fn tasks_loaded(&mut self, incident_id: &str, tasks: Vec<IncidentTask>) {
        self.experts.tasks.insert(incident_id.to_string(), tasks);
        self.refresh_experts_modals();
        self.dirty = true;
    }

    /// Brings open Defender Experts screens up to date with the store and the inquiry store.
    pub(super) fn refresh_experts_modals(&mut self) {
        let notif = self.experts.notification_for.clone();
        let needs_lists = self.modals.iter().any(|m| m.is::<InquiriesList>());
        let (drafts, inquiries) = if needs_lists {
            (self.experts.drafts(), self.experts.inquiries())
        } else {
            (Vec::new(), Vec::new())
        };
        for m in &mut self.modals {
            if let Some(l) = m.downcast_mut::<InquiriesList>() {
                l.set_data(drafts.clone(), inquiries.clone());
            } else if let Some(v) = m.downcast_mut::<NotificationView>()
                && let Some(id) = &notif
            {
                if let Some(e) = self.store.incident(id) {
                    v.set_incident(&e.incident);
                }
                if let Some(t) = self.experts.tasks.get(id) {
                    v.set_tasks(t.clone());
                }
            }
        }
    }

    /// Autosaves every open compose pane whose draft is due at `at`. Returns true when a draft
    /// was written.
    pub fn autosave(&mut self, at: Instant) -> bool {
        let comments = self.save_comment_drafts(Some(at));
        let mut due = Vec::new();
        for (i, m) in self.modals.iter_mut().enumerate() {
            if let Some(p) = m.downcast_mut::<AskExpertsPane>()
                && let Some(d) = p.autosave_due(at)
            {
                due.push((i, d));
            }
        }
        let mut saved = false;
        for (i, d) in due {
            match self.experts.save_draft(&d) {
                Ok(()) => saved = true,
                Err(e) => {
                    if let Some(p) = self
                        .modals
                        .get_mut(i)
                        .and_then(|m| m.downcast_mut::<AskExpertsPane>())
                    {
                        p.autosave_failed(at);
                    }
                    self.show_toast(Level::Error, format!("Draft autosave failed: {e}"));
                }
            }
        }
        saved || comments
    }

    /// Saves the draft of every open compose pane with unsaved edits (quit, hang-up, SIGTERM).
    pub fn flush_drafts(&mut self) {
        self.save_comment_drafts(None);
        let now = Timestamp::now().max(self.now);
        let drafts: Vec<Draft> = self
            .modals
            .iter()
            .filter_map(|m| m.downcast_ref::<AskExpertsPane>())
            .filter(|p| p.is_dirty())
            .map(|p| p.draft(now))
            .collect();
        for d in drafts {
            if let Err(e) = self.experts.save_draft(&d) {
                tracing::warn!(error = %e, "could not save a draft on exit");
            }
        }
    }
}
