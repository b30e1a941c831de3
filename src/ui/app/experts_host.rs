//! Where Ask Defender Experts keeps its drafts and sent inquiries (on disk, or in memory when
//! no directory is configured or it is unusable), and which outbox ops this session put
//! deliveries on.

use crate::experts::{
    Channel, DeliveryStatus, Draft, DraftStore, IncidentTask, Inquiry, InquiryStore, credits,
};
use crate::graph::model::Timestamp;
use crate::sync::OpId;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

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
    /// Inquiries allowed per [`ExpertsConfig::allowance_period`].
    pub allowance: u32,
    /// Whether the allowance is counted per month (the default) or per quarter.
    pub allowance_period: crate::experts::AllowancePeriod,
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
            allowance_period: crate::experts::AllowancePeriod::default(),
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
    pub(super) cfg: ExpertsConfig,
    drafts: Drafts,
    inquiries: Inquiries,
    /// Outbox ops this session put deliveries on (not orphans of an earlier run, even before
    /// the engine reported what its outbox held).
    pub(super) session_ops: HashSet<OpId>,
    /// Inquiries sent in this session (their deliveries are under way, never orphans).
    pub(super) session_inquiries: HashSet<String>,
    /// Inquiry id → the incident its comment channel writes to.
    pub(super) incident_of: HashMap<String, String>,
    /// Incident of the open notification view.
    pub(super) notification_for: Option<String>,
    /// Managed-response tasks per incident, as last loaded.
    pub(super) tasks: HashMap<String, Vec<IncidentTask>>,
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
            (Some(db), _) => Self::inquiries_from(
                InquiryStore::open_db(db.clone()),
                "Inquiries could not be read from the local database",
                &mut notices,
            ),
            (None, Some(path)) => Self::inquiries_from(
                InquiryStore::open(path),
                "Inquiry file unusable",
                &mut notices,
            ),
            (None, None) => Inquiries::Memory(Vec::new()),
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

    /// The opened inquiry store (saying what it recovered), or memory with `unusable` and the
    /// reason as a notice.
    fn inquiries_from(
        opened: std::io::Result<InquiryStore>,
        unusable: &str,
        notices: &mut Vec<String>,
    ) -> Inquiries {
        match opened {
            Ok(s) => {
                if let Some(r) = s.recovered() {
                    notices.push(format!("Inquiries: {r}"));
                }
                Inquiries::Disk(s)
            }
            Err(e) => {
                notices.push(format!(
                    "{unusable} ({e}); inquiries are kept in memory only"
                ));
                Inquiries::Memory(Vec::new())
            }
        }
    }

    pub(super) fn load_draft(&self, key: &str) -> Option<Draft> {
        match &self.drafts {
            Drafts::Disk(s) => s.load(key),
            Drafts::Memory(m) => m.get(key).cloned(),
        }
    }

    pub(super) fn save_draft(&mut self, d: &Draft) -> std::io::Result<()> {
        match &mut self.drafts {
            Drafts::Disk(s) => s.save(d),
            Drafts::Memory(m) => {
                m.insert(d.key.clone(), d.clone());
                Ok(())
            }
        }
    }

    pub(super) fn delete_draft(&mut self, key: &str) -> std::io::Result<()> {
        match &mut self.drafts {
            Drafts::Disk(s) => s.delete(key),
            Drafts::Memory(m) => {
                m.remove(key);
                Ok(())
            }
        }
    }

    pub(super) fn drafts(&self) -> Vec<Draft> {
        match &self.drafts {
            Drafts::Disk(s) => s.list(),
            Drafts::Memory(m) => m.values().cloned().collect(),
        }
    }

    pub(super) fn inquiries(&self) -> Vec<Inquiry> {
        match &self.inquiries {
            Inquiries::Disk(s) => s.list(),
            Inquiries::Memory(v) => v.clone(),
        }
    }

    pub(super) fn inquiry(&self, id: &str) -> Option<Inquiry> {
        match &self.inquiries {
            Inquiries::Disk(s) => s.get(id).cloned(),
            Inquiries::Memory(v) => v.iter().find(|i| i.id == id).cloned(),
        }
    }

    pub(super) fn add_inquiry(&mut self, inq: Inquiry) -> std::io::Result<()> {
        match &mut self.inquiries {
            Inquiries::Disk(s) => s.add(inq),
            Inquiries::Memory(v) => {
                v.retain(|i| i.id != inq.id);
                v.push(inq);
                Ok(())
            }
        }
    }

    pub(super) fn set_delivery(
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

    /// Credit use in the current month (or quarter), with its reset date.
    fn period_credits(&self, now: Timestamp) -> credits::PeriodCredits {
        let all = self.inquiries();
        credits::period_credits(
            self.cfg.allowance,
            self.cfg.allowance_period,
            now,
            all.iter().filter_map(Inquiry::first_sent),
        )
    }

    /// "3 of 10 inquiries used this month · resets 1 Apr 2026".
    pub(super) fn credit_summary(&self, now: Timestamp) -> String {
        self.period_credits(now).summary()
    }

    /// "7 of 10 inquiries left this month (resets 1 Apr 2026)".
    pub(super) fn credits_left(&self, now: Timestamp) -> String {
        self.period_credits(now).left()
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
