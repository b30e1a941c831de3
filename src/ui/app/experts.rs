//! Hosting the Defender Experts screens: the compose pane (drafts restored and autosaved,
//! inquiries stored and delivered per channel), the inquiries list and the notification view
//! (beta fields and managed-response tasks requested from the engine).

use super::{App, Effect, Level, Page};
use crate::experts::{
    Channel, DeliveryStatus, Draft, DraftStore, IncidentTask, Inquiry, InquiryStore, InquiryTopic,
    TaskStatus, build_context, credits, vars_from,
};
use crate::graph::model::{Alert, Incident, Timestamp};
use crate::sync::{Command, OpId, Update, WriteOp};
use crate::ui::experts_ui::{
    AskExpertsPane, Delivery, ExpertsComponent, ExpertsOutcome, InquiriesList, NotificationView,
    plan_delivery,
};
use crate::ui::modal::Modal;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

/// Ask Defender Experts settings the console needs (from the `[experts]` config section).
#[derive(Clone, Debug, PartialEq)]
pub struct ExpertsConfig {
    /// Delivery channels offered, in order.
    pub channels: Vec<Channel>,
    /// The experts' address for the email channel.
    pub email_to: Option<String>,
    /// Default reply-to addresses.
    pub reply_to: Vec<String>,
    /// `me` or the UPN of the mailbox `sendMail` uses.
    pub mailbox: String,
    /// Inquiries allowed per quarter.
    pub allowance: u32,
    /// Portal base URL for links (`https://security.microsoft.com`).
    pub portal_base: String,
    /// Tenant id added to portal links as `tid=`.
    pub tenant_id: Option<String>,
    /// Drafts directory; `None` keeps drafts in memory only.
    pub drafts_dir: Option<PathBuf>,
    /// The inquiries file; `None` keeps inquiries in memory only.
    pub inquiries_path: Option<PathBuf>,
}

impl Default for ExpertsConfig {
    fn default() -> Self {
        ExpertsConfig {
            channels: vec![Channel::Portal, Channel::IncidentComment],
            email_to: None,
            reply_to: Vec::new(),
            mailbox: "me".into(),
            allowance: crate::experts::DEFAULT_QUARTERLY_CREDITS,
            portal_base: crate::experts::DEFAULT_PORTAL.into(),
            tenant_id: None,
            drafts_dir: None,
            inquiries_path: None,
        }
    }
}

enum Drafts {
    Disk(DraftStore),
    Memory(BTreeMap<String, Draft>),
}

enum Inquiries {
    Disk(InquiryStore),
    Memory(Vec<Inquiry>),
}

/// Draft and inquiry storage plus in-flight delivery bookkeeping.
pub(super) struct ExpertsHost {
    cfg: ExpertsConfig,
    drafts: Drafts,
    inquiries: Inquiries,
    /// Outbox ops this session put deliveries on (not orphans of an earlier run, even before
    /// the engine reported what its outbox held).
    session_ops: HashSet<OpId>,
    /// Inquiries sent in this session (their deliveries are under way, never orphans).
    session_inquiries: HashSet<String>,
    /// Inquiry id → the incident its comment channel writes to.
    incident_of: HashMap<String, String>,
    /// Incident of the open notification view.
    notification_for: Option<String>,
    /// Managed-response tasks per incident, as last loaded.
    tasks: HashMap<String, Vec<IncidentTask>>,
    /// Inquiry whose portal hand-off text is being copied, and the instruction to show.
    pub(super) portal_copy: Option<(String, String)>,
}

impl ExpertsHost {
    /// Opens the configured stores (the database's when `db` is set); problems fall back to
    /// memory and are returned as notices.
    pub(super) fn new(
        cfg: ExpertsConfig,
        db: Option<&crate::db::Db>,
    ) -> (ExpertsHost, Vec<String>) {
        let mut notices = Vec::new();
        let drafts = match (db, &cfg.drafts_dir) {
            (Some(db), _) => Drafts::Disk(DraftStore::open_db(db.clone())),
            (None, dir) => Self::open_draft_dir(dir.as_ref(), &mut notices),
        };
        let inquiries = match (db, &cfg.inquiries_path) {
            (Some(db), _) => match InquiryStore::open_db(db.clone()) {
                Ok(s) => {
                    if let Some(r) = s.recovered() {
                        notices.push(format!("Inquiries: {r}"));
                    }
                    Inquiries::Disk(s)
                }
                Err(e) => {
                    notices.push(format!(
                        "Inquiries could not be read from the local database ({e}); inquiries are kept in memory only"
                    ));
                    Inquiries::Memory(Vec::new())
                }
            },
            (None, path) => Self::open_inquiry_file(path.as_ref(), &mut notices),
        };
        let host = ExpertsHost {
            cfg,
            drafts,
            inquiries,
            session_ops: HashSet::new(),
            session_inquiries: HashSet::new(),
            incident_of: HashMap::new(),
            notification_for: None,
            tasks: HashMap::new(),
            portal_copy: None,
        };
        (host, notices)
    }

    fn open_draft_dir(dir: Option<&PathBuf>, notices: &mut Vec<String>) -> Drafts {
        match dir {
            Some(dir) => match DraftStore::open(dir) {
                Ok(s) => Drafts::Disk(s),
                Err(e) => {
                    notices.push(format!(
                        "Drafts directory unusable ({e}); drafts are kept in memory only"
                    ));
                    Drafts::Memory(BTreeMap::new())
                }
            },
            None => Drafts::Memory(BTreeMap::new()),
        }
    }

    fn open_inquiry_file(path: Option<&PathBuf>, notices: &mut Vec<String>) -> Inquiries {
        match path {
            Some(path) => match InquiryStore::open(path) {
                Ok(s) => {
                    if let Some(r) = s.recovered() {
                        notices.push(format!("Inquiries: {r}"));
                    }
                    Inquiries::Disk(s)
                }
                Err(e) => {
                    notices.push(format!(
                        "Inquiry file unusable ({e}); inquiries are kept in memory only"
                    ));
                    Inquiries::Memory(Vec::new())
                }
            },
            None => Inquiries::Memory(Vec::new()),
        }
    }

    fn load_draft(&self, key: &str) -> Option<Draft> {
        match &self.drafts {
            Drafts::Disk(s) => s.load(key),
            Drafts::Memory(m) => m.get(key).cloned(),
        }
    }

    fn save_draft(&mut self, d: &Draft) -> std::io::Result<()> {
        match &mut self.drafts {
            Drafts::Disk(s) => s.save(d),
            Drafts::Memory(m) => {
                m.insert(d.key.clone(), d.clone());
                Ok(())
            }
        }
    }

    fn delete_draft(&mut self, key: &str) -> std::io::Result<()> {
        match &mut self.drafts {
            Drafts::Disk(s) => s.delete(key),
            Drafts::Memory(m) => {
                m.remove(key);
                Ok(())
            }
        }
    }

    fn drafts(&self) -> Vec<Draft> {
        match &self.drafts {
            Drafts::Disk(s) => s.list(),
            Drafts::Memory(m) => m.values().cloned().collect(),
        }
    }

    fn inquiries(&self) -> Vec<Inquiry> {
        match &self.inquiries {
            Inquiries::Disk(s) => s.list(),
            Inquiries::Memory(v) => v.clone(),
        }
    }

    fn inquiry(&self, id: &str) -> Option<Inquiry> {
        match &self.inquiries {
            Inquiries::Disk(s) => s.get(id).cloned(),
            Inquiries::Memory(v) => v.iter().find(|i| i.id == id).cloned(),
        }
    }

    fn add_inquiry(&mut self, inq: Inquiry) -> std::io::Result<()> {
        match &mut self.inquiries {
            Inquiries::Disk(s) => s.add(inq),
            Inquiries::Memory(v) => {
                v.retain(|i| i.id != inq.id);
                v.push(inq);
                Ok(())
            }
        }
    }

    fn set_delivery(
        &mut self,
        id: &str,
        channel: Channel,
        status: DeliveryStatus,
    ) -> std::io::Result<()> {
        match &mut self.inquiries {
            Inquiries::Disk(s) => match s.update_delivery(id, channel, status)? {
                true => Ok(()),
                false => Err(std::io::Error::other(format!(
                    "inquiry {id} is not in the inquiries file"
                ))),
            },
            Inquiries::Memory(v) => {
                if let Some(inq) = v.iter_mut().find(|i| i.id == id) {
                    match inq.deliveries.iter_mut().find(|(c, _)| *c == channel) {
                        Some(slot) => slot.1 = status,
                        None => inq.deliveries.push((channel, status)),
                    }
                }
                Ok(())
            }
        }
    }

    /// "3 of 10 inquiries used this quarter".
    fn credit_summary(&self, now: Timestamp) -> String {
        let all = self.inquiries();
        credits::credit_status_from(self.cfg.allowance, false, credits::quarter_of(now), |q| {
            all.iter()
                .filter_map(Inquiry::first_sent)
                .filter(|t| credits::quarter_of(*t) == q)
                .count()
        })
        .summary()
    }

    /// "7 of 10 inquiries left this quarter".
    fn credits_left(&self, now: Timestamp) -> String {
        let all = self.inquiries();
        let st =
            credits::credit_status_from(self.cfg.allowance, false, credits::quarter_of(now), |q| {
                all.iter()
                    .filter_map(Inquiry::first_sent)
                    .filter(|t| credits::quarter_of(*t) == q)
                    .count()
            });
        format!(
            "{} of {} inquiries left this quarter",
            st.remaining, st.allowance
        )
    }

    /// The inquiry and channel whose delivery the outbox write `op` carries (read from the
    /// persisted inquiries, so it holds across restarts).
    pub(super) fn delivery_of_op(&self, op: OpId) -> Option<(String, Channel)> {
        match &self.inquiries {
            Inquiries::Disk(s) => s.delivery_of_op(op),
            Inquiries::Memory(v) => crate::experts::outbox::delivery_of_op(v, op),
        }
    }
}

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
            Some(Page::Incident { id, .. }) => {
                let (inc, alerts) = incident_data(id);
                let topic = InquiryTopic::from_incident(inc.as_ref()?);
                Some((topic, inc, alerts))
            }
            Some(Page::Alert { alert_id, .. }) => {
                let alert = self.store.alert(alert_id)?;
                let topic = InquiryTopic::from_alert(alert);
                let (inc, alerts) = match &alert.incident_id {
                    Some(i) => incident_data(i),
                    None => (None, vec![alert.clone()]),
                };
                Some((topic, inc, alerts))
            }
            Some(Page::Evidence {
                alert_id, index, ..
            }) => {
                let alert = self.store.alert(alert_id)?;
                let topic = alert
                    .evidence
                    .get(*index)
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
            self.notify(
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
        .with_send_summary(cfg.email_to.clone(), self.experts.credits_left(self.now));
        if let Some(inc) = &incident {
            self.experts
                .incident_of
                .insert(pane.topic().key(), inc.id.clone());
        }
        self.modals.push(Modal::Ask(pane));
        self.dirty = true;
    }

    /// `I`: the drafts and sent inquiries.
    pub(super) fn open_inquiries(&mut self) -> Vec<Effect> {
        let list = InquiriesList::new(self.experts.drafts(), self.experts.inquiries());
        self.modals.push(Modal::Inquiries(list));
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
            self.notify(
                Level::Info,
                format!("Incident {id} is not a Defender Experts notification"),
            );
            return Vec::new();
        }
        let tasks = self.experts.tasks.get(&id).cloned().unwrap_or_default();
        let view = NotificationView::new(&entry.incident, tasks);
        self.experts.notification_for = Some(id.clone());
        self.modals.push(Modal::Notification(view));
        vec![
            Effect::SendCommand(Command::LoadIncident {
                incident_id: id.clone(),
                beta: true,
            }),
            Effect::SendCommand(Command::LoadTasks { incident_id: id }),
        ]
    }

    /// Handles a key for a Defender Experts modal already taken off the stack; puts it back
    /// unless it closed.
    pub(super) fn experts_modal_key(
        &mut self,
        mut modal: Modal,
        key: crossterm::event::KeyEvent,
    ) -> Vec<Effect> {
        let now = self.now;
        let comp: &mut dyn ExpertsComponent = match &mut modal {
            Modal::Ask(p) => p,
            Modal::Inquiries(p) => p,
            Modal::Notification(p) => p,
            _ => {
                self.modals.push(modal);
                return Vec::new();
            }
        };
        let mut outcomes = vec![comp.handle_key(key, now)];
        while let Some(f) = comp.take_followup() {
            outcomes.push(f);
        }
        let closed = outcomes
            .iter()
            .any(|o| matches!(o, ExpertsOutcome::Close | ExpertsOutcome::Send(_)));
        if closed {
            if matches!(modal, Modal::Notification(_)) {
                self.experts.notification_for = None;
            }
        } else {
            self.modals.push(modal);
        }
        let mut effects = Vec::new();
        for o in outcomes {
            effects.extend(self.experts_outcome(o));
        }
        self.refresh_experts_modals();
        effects
    }

    fn experts_outcome(&mut self, o: ExpertsOutcome) -> Vec<Effect> {
        match o {
            ExpertsOutcome::Continue | ExpertsOutcome::Close => Vec::new(),
            ExpertsOutcome::Send(inq) => self.send_inquiry(inq),
            ExpertsOutcome::CopyToClipboard { text, what } => vec![Effect::Copy {
                text: crate::ui::sanitize::sanitize_multiline(&text).into_owned(),
                what,
            }],
            ExpertsOutcome::SaveDraft(d) => {
                if let Err(e) = self.experts.save_draft(&d) {
                    self.notify(Level::Error, format!("Could not save the draft: {e}"));
                } else {
                    self.notify(Level::Info, "Draft saved");
                }
                Vec::new()
            }
            ExpertsOutcome::Retry(id) => self.retry_inquiry(&id),
            ExpertsOutcome::OpenDraft(d) => {
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
            ExpertsOutcome::DeleteDraft(key) => {
                if let Err(e) = self.experts.delete_draft(&key) {
                    self.notify(Level::Error, format!("Could not delete the draft: {e}"));
                }
                Vec::new()
            }
            ExpertsOutcome::TaskUpdate { task_id, status } => self.update_task(task_id, status),
            ExpertsOutcome::TaskExecute { .. } => self.copy_incident_portal_link(),
            ExpertsOutcome::LoadBeta { incident_id } => {
                vec![Effect::SendCommand(Command::LoadIncident {
                    incident_id,
                    beta: true,
                })]
            }
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
            self.notify(Level::Warn, "Read-only profile: changes are disabled");
            return Vec::new();
        }
        let Some(incident_id) = self.experts.notification_for.clone() else {
            return Vec::new();
        };
        let op = self.alloc_op();
        self.notify(Level::Info, "Updating the task…");
        vec![Effect::SendCommand(Command::UpdateTask {
            op,
            incident_id,
            task_id,
            body: crate::experts::tasks::status_body(status),
        })]
    }

    /// Stores a sent inquiry, deletes its draft and delivers it on every chosen channel.
    fn send_inquiry(&mut self, mut inq: Inquiry) -> Vec<Effect> {
        if let Some(inc) = self.experts.incident_of.get(&inq.topic.key()).cloned() {
            inq.incident_id.get_or_insert(inc);
        }
        self.experts.session_inquiries.insert(inq.id.clone());
        if let Err(e) = self.experts.add_inquiry(inq.clone()) {
            // Unrecorded, its deliveries could not be followed or resumed: send nothing and
            // keep the text as the topic's draft.
            let draft = Draft::new(
                inq.topic.clone(),
                inq.body.clone(),
                inq.reply_to.clone(),
                self.now,
            );
            let kept = match self.experts.save_draft(&draft) {
                Ok(()) => "your draft is kept".to_string(),
                Err(d) => format!("and the draft could not be saved either ({d})"),
            };
            self.notify(
                Level::Error,
                format!("Could not store the inquiry ({e}): not sent, {kept}; free space and send it again"),
            );
            return Vec::new();
        }
        if let Err(e) = self.experts.delete_draft(&inq.topic.key()) {
            tracing::warn!(error = %e, "could not delete a sent draft");
        }
        self.deliver(&inq)
    }

    /// Re-queues the failed deliveries of one inquiry and delivers them again.
    /// Re-delivers the failed channels of one inquiry (never delivered ones, never ones still
    /// pending in the outbox) and says what it did.
    fn retry_inquiry(&mut self, id: &str) -> Vec<Effect> {
        let Some(inq) = self.experts.inquiry(id) else {
            return Vec::new();
        };
        let failed: Vec<Channel> = inq
            .deliveries
            .iter()
            .filter(|(_, s)| matches!(s, DeliveryStatus::Failed { .. }))
            .map(|(c, _)| *c)
            .collect();
        let in_outbox = inq
            .deliveries
            .iter()
            .filter(|(_, s)| s.outbox_op().is_some())
            .count();
        let effects = self.deliver_channels(&inq, &failed);
        let names: Vec<&str> = failed.iter().map(|c| c.as_str()).collect();
        let mut msg = if names.is_empty() {
            "Nothing failed; nothing re-sent".to_string()
        } else {
            format!("Retrying the failed {}", names.join(", "))
        };
        if in_outbox > 0 {
            msg.push_str(&format!(
                "; {in_outbox} still in the outbox (retried on reconnection; :retry forces it)"
            ));
        }
        self.notify(Level::Info, msg);
        effects
    }

    /// Performs the planned delivery of every queued or failed channel of `inq`.
    fn deliver(&mut self, inq: &Inquiry) -> Vec<Effect> {
        let channels: Vec<Channel> = inq
            .deliveries
            .iter()
            .filter(|(_, s)| s.is_pending())
            .map(|(c, _)| *c)
            .collect();
        self.deliver_channels(inq, &channels)
    }

    /// The incident an inquiry's comment channel writes to.
    fn comment_incident(&self, inq: &Inquiry) -> Option<String> {
        inq.incident_id
            .clone()
            .or_else(|| self.experts.incident_of.get(&inq.topic.key()).cloned())
            .or_else(|| match &inq.topic {
                InquiryTopic::Alert { id, .. } => self.store.alert(id)?.incident_id.clone(),
                _ => None,
            })
    }

    /// The delivery work for `channels` of `inq`.
    fn plan_channels(&self, inq: &Inquiry, channels: &[Channel]) -> Vec<Delivery> {
        let cfg = &self.experts.cfg;
        let link = inq
            .topic
            .portal_link(&cfg.portal_base, cfg.tenant_id.as_deref());
        let incident = self.comment_incident(inq);
        let mut only = inq.clone();
        only.deliveries = channels
            .iter()
            .map(|c| (*c, DeliveryStatus::Queued))
            .collect();
        plan_delivery(
            &only,
            incident.as_deref(),
            &cfg.mailbox,
            cfg.email_to.as_deref(),
            &link,
        )
    }

    /// Delivers `channels` of `inq`. Email and comment ride the durable outbox: the write's op
    /// is recorded in the inquiry (persisted) before the write goes out, so the channel's state
    /// follows the outbox across restarts. `recovered` (after a crash) makes the engine look
    /// for an earlier copy (incident comments, Sent Items) before sending.
    fn deliver_channels_with(
        &mut self,
        inq: &Inquiry,
        channels: &[Channel],
        recovered: bool,
    ) -> Vec<Effect> {
        let plan = self.plan_channels(inq, channels);
        let mut effects = Vec::new();
        let mut done: Vec<&str> = Vec::new();
        for d in plan {
            let channel = d.channel();
            let refused = self.read_only && channel != Channel::Portal;
            let write = match d {
                _ if refused => {
                    self.delivery_result(
                        &inq.id,
                        channel,
                        Err("read-only profile: not sent".into()),
                    );
                    continue;
                }
                Delivery::Email { path, body } => WriteOp::SendMail {
                    inquiry_id: inq.id.clone(),
                    path,
                    body,
                },
                Delivery::Comment(write) => write,
                Delivery::Portal {
                    clipboard,
                    instruction,
                } => {
                    self.experts.portal_copy = Some((inq.id.clone(), instruction));
                    effects.push(Effect::Copy {
                        text: clipboard,
                        what: "Ask Defender Experts inquiry".into(),
                    });
                    done.push("portal hand-off");
                    continue;
                }
                Delivery::Failed { channel, reason } => {
                    self.delivery_result(&inq.id, channel, Err(reason));
                    continue;
                }
            };
            let op = self.alloc_op();
            self.experts.session_ops.insert(op);
            let carried = DeliveryStatus::Pending { op, note: None };
            if let Err(e) = self.experts.set_delivery(&inq.id, channel, carried) {
                // Without the op on disk the outcome could not be matched after a crash.
                self.notify(
                    Level::Error,
                    format!(
                        "Not sent ({}): could not record the delivery: {e}",
                        channel.as_str()
                    ),
                );
                continue;
            }
            let is_mail = write.mail_inquiry().is_some();
            if !is_mail {
                self.store.begin_write(op, write.clone());
                self.writes.insert(op, write.clone());
                self.queue.stale = true;
                self.dirty = true;
            }
            let command = if recovered {
                Command::Requeue {
                    op,
                    write,
                    queued_at: inq.created,
                }
            } else {
                Command::Write { op, write }
            };
            effects.push(Effect::SendCommand(command));
            done.push(if is_mail { "email" } else { "incident comment" });
        }
        if !done.is_empty() && self.experts.portal_copy.is_none() && !recovered {
            self.notify(Level::Info, format!("Inquiry queued: {}", done.join(", ")));
        }
        self.refresh_experts_modals();
        effects
    }

    fn deliver_channels(&mut self, inq: &Inquiry, channels: &[Channel]) -> Vec<Effect> {
        self.deliver_channels_with(inq, channels, false)
    }

    /// After the engine loaded the outbox (`ops`): a delivery recorded as carried by an op the
    /// outbox no longer holds settled unseen (killed between the outbox and the inquiry file),
    /// and one still `Queued` may have been sent by an earlier run; both are queued again as
    /// recovered writes, which look for the earlier copy first, so each ends exactly once. An
    /// interrupted portal hand-off is marked failed (`R` copies it again).
    pub(super) fn resume_deliveries(&mut self, ops: &[OpId]) -> Vec<Effect> {
        if self.read_only {
            return Vec::new();
        }
        let mut effects = Vec::new();
        let earlier: Vec<Inquiry> = self
            .experts
            .inquiries()
            .into_iter()
            .filter(|i| !self.experts.session_inquiries.contains(&i.id))
            .collect();
        for inq in earlier {
            let mut resume = Vec::new();
            for (c, s) in &inq.deliveries {
                let orphaned = s.outbox_op().is_some_and(|op| {
                    !ops.contains(&op) && !self.experts.session_ops.contains(&op)
                });
                let queued = matches!(s, DeliveryStatus::Queued);
                match c {
                    Channel::Portal if queued => {
                        self.delivery_result(
                            &inq.id,
                            *c,
                            Err("the portal hand-off was interrupted; R copies it again".into()),
                        );
                    }
                    Channel::Portal => {}
                    _ if orphaned || queued => resume.push(*c),
                    _ => {}
                }
            }
            if !resume.is_empty() {
                tracing::info!(inquiry = %inq.id, channels = resume.len(), "resuming inquiry deliveries");
                effects.extend(self.deliver_channels_with(&inq, &resume, true));
            }
        }
        effects
    }

    /// Records a channel's outcome in the inquiry store (and tells the analyst about failures).
    pub(super) fn delivery_result(
        &mut self,
        inquiry_id: &str,
        channel: Channel,
        result: Result<(), String>,
    ) {
        let at = self.now;
        let status = match &result {
            Ok(()) => DeliveryStatus::Sent { at },
            Err(reason) => DeliveryStatus::Failed {
                reason: reason.clone(),
                at,
            },
        };
        if let Err(e) = self.experts.set_delivery(inquiry_id, channel, status) {
            self.notify(Level::Error, format!("Could not update the inquiry: {e}"));
        }
        match result {
            Ok(()) => self.notify(
                Level::Info,
                format!("Ask Defender Experts: {} delivered", channel.as_str()),
            ),
            Err(reason) => self.notify(
                Level::Error,
                format!(
                    "Ask Defender Experts: {} failed: {reason} (I lists inquiries; R retries)",
                    channel.as_str()
                ),
            ),
        }
        self.refresh_experts_modals();
    }

    /// The outcome of a mail write (the `MailSent` update), matched to its inquiry through the
    /// op recorded in the inquiry.
    pub fn mail_sent(&mut self, op: OpId, _inquiry_id: &str, result: Result<(), String>) {
        self.delivery_op_outcome(op, DeliveryOutcome::Settled(result));
    }

    /// Settles or annotates the inquiry delivery carried by outbox write `op`, if it is one.
    pub(super) fn delivery_op_outcome(&mut self, op: OpId, outcome: DeliveryOutcome) {
        let Some((id, channel)) = self.experts.delivery_of_op(op) else {
            return;
        };
        match outcome {
            DeliveryOutcome::Settled(result) => self.delivery_result(&id, channel, result),
            DeliveryOutcome::Retrying(note) => {
                let status = DeliveryStatus::Pending {
                    op,
                    note: Some(note),
                };
                if let Err(e) = self.experts.set_delivery(&id, channel, status) {
                    self.notify(Level::Error, format!("Could not update the inquiry: {e}"));
                }
                self.refresh_experts_modals();
            }
        }
    }

    /// The engine's answer to [`Command::UpdateTask`]: reports it and, on success, asks for the
    /// incident's tasks again.
    pub fn task_updated(&mut self, incident_id: &str, result: Result<(), String>) -> Vec<Effect> {
        match result {
            Ok(()) => {
                self.notify(Level::Info, "Task updated");
                vec![Effect::SendCommand(Command::LoadTasks {
                    incident_id: incident_id.to_string(),
                })]
            }
            Err(e) => {
                self.notify(Level::Error, format!("Task update failed: {e}"));
                Vec::new()
            }
        }
    }

    /// Managed-response tasks of an incident (raw `incidentTask` records) from the engine.
    pub fn tasks_loaded(&mut self, incident_id: &str, tasks: Vec<serde_json::Value>) {
        let tasks: Vec<IncidentTask> = tasks
            .into_iter()
            .filter_map(|t| IncidentTask::from_value(t).ok())
            .collect();
        self.experts.tasks.insert(incident_id.to_string(), tasks);
        self.refresh_experts_modals();
        self.dirty = true;
    }

    /// Brings open Defender Experts screens up to date with the store and the inquiry store.
    pub(super) fn refresh_experts_modals(&mut self) {
        let notif = self.experts.notification_for.clone();
        let needs_lists = self.modals.iter().any(|m| matches!(m, Modal::Inquiries(_)));
        let (drafts, inquiries) = if needs_lists {
            (self.experts.drafts(), self.experts.inquiries())
        } else {
            (Vec::new(), Vec::new())
        };
        for m in &mut self.modals {
            match m {
                Modal::Inquiries(l) => l.set_data(drafts.clone(), inquiries.clone()),
                Modal::Notification(v) => {
                    if let Some(id) = &notif {
                        if let Some(e) = self.store.incident(id) {
                            v.set_incident(&e.incident);
                        }
                        if let Some(t) = self.experts.tasks.get(id) {
                            v.set_tasks(t.clone());
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Autosaves every open compose pane whose draft is due at `at`. Returns true when a draft
    /// was written.
    pub fn autosave(&mut self, at: Instant) -> bool {
        let comments = self.save_comment_drafts(Some(at));
        let mut due = Vec::new();
        for (i, m) in self.modals.iter_mut().enumerate() {
            if let Modal::Ask(p) = m
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
                    if let Some(Modal::Ask(p)) = self.modals.get_mut(i) {
                        p.autosave_failed(at);
                    }
                    self.notify(Level::Error, format!("Draft autosave failed: {e}"));
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
            .filter_map(|m| match m {
                Modal::Ask(p) if p.is_dirty() => Some(p.draft(now)),
                _ => None,
            })
            .collect();
        for d in drafts {
            if let Err(e) = self.experts.save_draft(&d) {
                tracing::warn!(error = %e, "could not save a draft on exit");
            }
        }
    }

    /// Reports the portal hand-off copy: the delivery is sent when the text reached the
    /// clipboard. Returns the instruction to show after the copy message.
    pub(super) fn portal_copied(&mut self, ok: bool) -> Option<String> {
        let (id, instruction) = self.experts.portal_copy.take()?;
        let at = self.now;
        let status = if ok {
            DeliveryStatus::Sent { at }
        } else {
            DeliveryStatus::Failed {
                reason: "the clipboard copy failed".into(),
                at,
            }
        };
        if let Err(e) = self.experts.set_delivery(&id, Channel::Portal, status) {
            tracing::warn!(error = %e, "could not update the inquiry");
        }
        self.refresh_experts_modals();
        Some(instruction)
    }

    /// Before the store applies `update`: what it means for an inquiry delivery carried by a
    /// comment write (a retryable failure leaves the write in the outbox: still pending).
    pub(super) fn comment_delivery_of(update: &Update) -> Option<(OpId, DeliveryOutcome)> {
        match update {
            Update::CommentsWritten { op, .. } => Some((*op, DeliveryOutcome::Settled(Ok(())))),
            Update::WriteFailed {
                op,
                message,
                retryable,
                ..
            } => Some((
                *op,
                if *retryable {
                    DeliveryOutcome::Retrying(message.clone())
                } else {
                    DeliveryOutcome::Settled(Err(message.clone()))
                },
            )),
            _ => None,
        }
    }
}

/// What happened to an outbox write carrying an inquiry delivery.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum DeliveryOutcome {
    /// Delivered (`Ok`) or failed for good.
    Settled(Result<(), String>),
    /// Failed in a retryable way; the write stays in the outbox.
    Retrying(String),
}
