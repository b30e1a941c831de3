//! Sent and queued Ask Defender Experts inquiries, and the payloads of the three delivery
//! channels vigil uses instead of the (non-existent) submission API: email through Graph
//! `sendMail`, an incident comment, and a portal hand-off (clipboard + deep link).

use super::context::InquiryTopic;
use super::drafts::Draft;
use super::fsutil::{ensure_private_dir, quarantine, read_limited, write_atomic};
use super::scrub::{scrub, scrub_multiline, truncate};
use crate::graph::model::Timestamp;
use crate::graph::resources::{MailMessage, Mailbox, MessageHeader, Recipient, SendMail};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};

/// Longest incident comment vigil sends (characters).
pub const MAX_COMMENT_CHARS: usize = 30_000;
/// First line of every inquiry posted as an incident comment.
pub const COMMENT_MARKER: &str = "Ask Defender Experts inquiry (vigil):";
/// Subject prefix of inquiry emails.
pub const SUBJECT_PREFIX: &str = "[Ask Defender Experts]";
/// Internet message header naming the inquiry a mail carries.
pub const INQUIRY_HEADER: &str = "x-vigil-inquiry";
/// Largest inquiry file read back.
const MAX_STORE_BYTES: u64 = 64 * 1024 * 1024;

/// How an inquiry reaches the experts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// Mail through Graph `sendMail` from the analyst's (or a shared) mailbox.
    #[serde(rename = "email")]
    Email,
    /// A comment on the incident (`WriteOp::CommentIncident`).
    #[serde(rename = "comment")]
    IncidentComment,
    /// Copy to clipboard and open the portal's Ask Defender Experts form.
    #[serde(rename = "portal")]
    Portal,
}

impl Channel {
    /// All channels.
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::IncidentComment, Channel::Portal];

    /// Parses a config string: `email`, `comment` (also `incident-comment`, `incident_comment`),
    /// `portal`; case-insensitive.
    pub fn parse(s: &str) -> Option<Channel> {
        match s.trim().to_ascii_lowercase().as_str() {
            "email" | "mail" => Some(Channel::Email),
            "comment" | "incident-comment" | "incident_comment" | "incidentcomment" => {
                Some(Channel::IncidentComment)
            }
            "portal" => Some(Channel::Portal),
            _ => None,
        }
    }

    /// Parses a comma-separated list, returning the channels and the entries it did not know.
    pub fn parse_list(s: &str) -> (Vec<Channel>, Vec<String>) {
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match Channel::parse(part) {
                Some(c) if !ok.contains(&c) => ok.push(c),
                Some(_) => {}
                None => bad.push(part.to_string()),
            }
        }
        (ok, bad)
    }

    /// The config string.
    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::IncidentComment => "comment",
            Channel::Portal => "portal",
        }
    }
}

/// Where one channel's delivery stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum DeliveryStatus {
    Draft,
    /// Chosen, not yet handed to the outbox.
    Queued,
    /// Carried by the outbox write `op` (recorded before the write is sent): the channel's
    /// state is that write's state. `note` is the last retryable failure while it waits to be
    /// sent again.
    Pending {
        op: crate::sync::OpId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    Sent {
        at: Timestamp,
    },
    Failed {
        reason: String,
        at: Timestamp,
    },
}

impl DeliveryStatus {
    /// Queued or failed: needs a new delivery (a channel carried by an outbox write does not).
    pub fn is_pending(&self) -> bool {
        matches!(self, DeliveryStatus::Queued | DeliveryStatus::Failed { .. })
    }

    /// The outbox write carrying this delivery, while it is pending there.
    pub fn outbox_op(&self) -> Option<crate::sync::OpId> {
        match self {
            DeliveryStatus::Pending { op, .. } => Some(*op),
            _ => None,
        }
    }
}

/// One inquiry and its per-channel delivery state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inquiry {
    /// UUID v4.
    pub id: String,
    pub topic: InquiryTopic,
    pub body: String,
    pub reply_to: Vec<String>,
    pub created: Timestamp,
    pub deliveries: Vec<(Channel, DeliveryStatus)>,
    /// The incident the comment channel writes to (kept so a delivery can resume after a
    /// restart even when the topic is an alert or an entity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
}

impl Inquiry {
    /// A new inquiry queued on `channels` (duplicates dropped).
    pub fn new(
        topic: InquiryTopic,
        body: String,
        reply_to: Vec<String>,
        channels: &[Channel],
        now: Timestamp,
    ) -> Inquiry {
        let mut deliveries: Vec<(Channel, DeliveryStatus)> = Vec::new();
        for c in channels {
            if !deliveries.iter().any(|(d, _)| d == c) {
                deliveries.push((*c, DeliveryStatus::Queued));
            }
        }
        Inquiry {
            id: uuid::Uuid::new_v4().to_string(),
            topic,
            body,
            reply_to: reply_to
                .into_iter()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect(),
            created: now,
            deliveries,
            incident_id: None,
        }
    }

    /// An inquiry from a draft.
    pub fn from_draft(d: &Draft, channels: &[Channel], now: Timestamp) -> Inquiry {
        Inquiry::new(
            d.topic.clone(),
            d.body.clone(),
            d.reply_to.clone(),
            channels,
            now,
        )
    }

    /// The status of one channel.
    pub fn status(&self, channel: Channel) -> Option<&DeliveryStatus> {
        self.deliveries
            .iter()
            .find(|(c, _)| *c == channel)
            .map(|(_, s)| s)
    }

    /// When the inquiry first reached the experts on any channel (this is what uses a credit).
    pub fn first_sent(&self) -> Option<Timestamp> {
        self.deliveries
            .iter()
            .filter_map(|(_, s)| match s {
                DeliveryStatus::Sent { at } => Some(*at),
                _ => None,
            })
            .min()
    }
}

/// The old `inquiries.json` format (still read by the migration into the database).
#[derive(Serialize, Deserialize)]
pub(crate) struct StoreFile {
    pub(crate) version: u32,
    pub(crate) inquiries: Vec<Inquiry>,
}

/// The persisted list of inquiries: rows of the profile's database (`inquiries` table), or
/// one JSON file (atomic 0600 writes) without a database. One vigil process owns it; every
/// change is written (one transaction) before it is visible in memory.
#[derive(Debug)]
pub struct InquiryStore {
    /// The JSON file, or the database file when `db` is set.
    path: PathBuf,
    db: Option<crate::db::Db>,
    inquiries: Vec<Inquiry>,
    recovered: Option<String>,
}

impl InquiryStore {
    /// Opens the store at `path` (parent created 0700). A missing file is an empty store; an
    /// unreadable one is moved aside to `*.corrupt` and reported by [`recovered`](Self::recovered).
    pub fn open(path: impl Into<PathBuf>) -> io::Result<InquiryStore> {
        let path = path.into();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            ensure_private_dir(parent)?;
        }
        let mut store = InquiryStore {
            path,
            db: None,
            inquiries: Vec::new(),
            recovered: None,
        };
        match read_limited(&store.path, MAX_STORE_BYTES) {
            Ok(bytes) => match serde_json::from_slice::<StoreFile>(&bytes) {
                Ok(f) => store.inquiries = f.inquiries,
                Err(e) => {
                    let moved = quarantine(&store.path)?;
                    store.recovered = Some(format!(
                        "unreadable inquiry file moved to {}: {e}",
                        moved.display()
                    ));
                }
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                let moved = quarantine(&store.path)?;
                store.recovered = Some(format!("inquiry file moved to {}: {e}", moved.display()));
            }
            Err(e) => return Err(e),
        }
        Ok(store)
    }

    /// Opens the store kept in the database. A row that cannot be read is left in the table
    /// untouched and reported by [`recovered`](Self::recovered).
    pub fn open_db(db: crate::db::Db) -> io::Result<InquiryStore> {
        let rows = crate::db::inquiries::load(&db).map_err(io::Error::other)?;
        let mut inquiries = Vec::with_capacity(rows.len());
        let mut broken = Vec::new();
        for (id, body) in rows {
            match serde_json::from_str::<Inquiry>(&body) {
                Ok(i) if i.id == id => inquiries.push(i),
                Ok(_) => broken.push(format!("{id} (its id does not match)")),
                Err(e) => broken.push(format!("{id} ({e})")),
            }
        }
        let recovered = (!broken.is_empty()).then(|| {
            format!(
                "{} inquiries in the local database could not be read and are left there untouched: {}",
                broken.len(),
                broken.join(", ")
            )
        });
        Ok(InquiryStore {
            path: db.path().map(Path::to_path_buf).unwrap_or_default(),
            db: Some(db),
            inquiries,
            recovered,
        })
    }

    /// The file (the database file when kept in the database).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Set when the file was unreadable at open and moved aside.
    pub fn recovered(&self) -> Option<&str> {
        self.recovered.as_deref()
    }

    fn commit(&mut self, next: Vec<Inquiry>) -> io::Result<()> {
        if let Some(db) = &self.db {
            let mut upserts = Vec::new();
            for i in &next {
                if self.get(&i.id) != Some(i) {
                    let body = serde_json::to_string(i).map_err(io::Error::other)?;
                    upserts.push((i.id.clone(), body));
                }
            }
            let deletes: Vec<String> = self
                .inquiries
                .iter()
                .filter(|old| !next.iter().any(|i| i.id == old.id))
                .map(|old| old.id.clone())
                .collect();
            crate::db::inquiries::apply(db, &upserts, &deletes).map_err(io::Error::other)?;
            self.inquiries = next;
            return Ok(());
        }
        let file = StoreFile {
            version: 1,
            inquiries: next,
        };
        let json = serde_json::to_vec_pretty(&file).map_err(io::Error::other)?;
        write_atomic(&self.path, &json)?;
        self.inquiries = file.inquiries;
        Ok(())
    }

    /// Adds (or replaces, by id) an inquiry.
    pub fn add(&mut self, inquiry: Inquiry) -> io::Result<()> {
        let mut next = self.inquiries.clone();
        next.retain(|i| i.id != inquiry.id);
        next.push(inquiry);
        self.commit(next)
    }

    /// Sets one channel's status (adding the channel if the inquiry did not use it yet).
    /// `Ok(false)` when there is no inquiry with that id.
    pub fn update_delivery(
        &mut self,
        id: &str,
        channel: Channel,
        status: DeliveryStatus,
    ) -> io::Result<bool> {
        let mut next = self.inquiries.clone();
        let Some(inq) = next.iter_mut().find(|i| i.id == id) else {
            return Ok(false);
        };
        match inq.deliveries.iter_mut().find(|(c, _)| *c == channel) {
            Some(slot) => slot.1 = status,
            None => inq.deliveries.push((channel, status)),
        }
        self.commit(next)?;
        Ok(true)
    }

    /// Re-queues every failed delivery; returns how many.
    pub fn retry_failed(&mut self) -> io::Result<usize> {
        let mut next = self.inquiries.clone();
        let mut n = 0;
        for (_, s) in next.iter_mut().flat_map(|i| i.deliveries.iter_mut()) {
            if matches!(s, DeliveryStatus::Failed { .. }) {
                *s = DeliveryStatus::Queued;
                n += 1;
            }
        }
        if n > 0 {
            self.commit(next)?;
        }
        Ok(n)
    }

    /// Removes an inquiry; `Ok(false)` when absent.
    pub fn remove(&mut self, id: &str) -> io::Result<bool> {
        let mut next = self.inquiries.clone();
        let before = next.len();
        next.retain(|i| i.id != id);
        if next.len() == before {
            return Ok(false);
        }
        self.commit(next)?;
        Ok(true)
    }

    /// The inquiry and channel whose delivery the outbox write `op` carries.
    pub fn delivery_of_op(&self, op: crate::sync::OpId) -> Option<(String, Channel)> {
        delivery_of_op(&self.inquiries, op)
    }

    /// One inquiry.
    pub fn get(&self, id: &str) -> Option<&Inquiry> {
        self.inquiries.iter().find(|i| i.id == id)
    }

    /// All inquiries, newest first.
    pub fn list(&self) -> Vec<Inquiry> {
        let mut v = self.inquiries.clone();
        v.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        v
    }

    /// `(inquiry id, channel)` for every queued or failed delivery, oldest inquiry first.
    pub fn pending(&self) -> Vec<(String, Channel)> {
        let mut v: Vec<&Inquiry> = self.inquiries.iter().collect();
        v.sort_by_key(|i| i.created);
        v.into_iter()
            .flat_map(|i| {
                i.deliveries
                    .iter()
                    .filter(|(_, s)| s.is_pending())
                    .map(move |(c, _)| (i.id.clone(), *c))
            })
            .collect()
    }

    /// Inquiries first sent in the calendar quarter `(year, q)` (UTC).
    pub fn sent_in_quarter(&self, quarter: (i16, u8)) -> usize {
        self.inquiries
            .iter()
            .filter_map(Inquiry::first_sent)
            .filter(|t| super::credits::quarter_of(*t) == quarter)
            .count()
    }

    /// Inquiries first sent in the quarter containing `now`: the credits used.
    pub fn sent_this_quarter(&self, now: Timestamp) -> usize {
        self.sent_in_quarter(super::credits::quarter_of(now))
    }
}

/// The inquiry and channel among `inquiries` whose delivery the outbox write `op` carries.
pub fn delivery_of_op(inquiries: &[Inquiry], op: crate::sync::OpId) -> Option<(String, Channel)> {
    inquiries.iter().find_map(|i| {
        i.deliveries
            .iter()
            .find(|(_, s)| s.outbox_op() == Some(op))
            .map(|(c, _)| (i.id.clone(), *c))
    })
}

fn header_lines(inq: &Inquiry) -> String {
    let mut s = format!(
        "Topic: {}\nInquiry id: {}\n",
        inq.topic.label(),
        scrub(&inq.id)
    );
    if !inq.reply_to.is_empty() {
        let r: Vec<String> = inq.reply_to.iter().map(|r| scrub(r)).collect();
        s.push_str(&format!("Reply to: {}\n", r.join(", ")));
    }
    s
}

/// The Graph `sendMail` request for an inquiry: path `/v1.0/me/sendMail` when `mailbox` is
/// `me`, else `/v1.0/users/{mailbox}/sendMail`; a plain-text message to `to` with the inquiry's
/// reply-to addresses, saved to Sent Items. The subject ends with `[inquiry <id>]` and the
/// [`INQUIRY_HEADER`] header names the inquiry, so the mail can be found again.
pub fn email_request(inq: &Inquiry, mailbox: &str, to: &str) -> SendMail {
    // The inquiry id makes the mail findable in Sent Items (sendMail returns no message id).
    let id_tag = format!(" [inquiry {}]", scrub(&inq.id));
    let subject = format!(
        "{}{id_tag}",
        truncate(
            &format!("{SUBJECT_PREFIX} {}", inq.topic.label()),
            250usize.saturating_sub(id_tag.chars().count())
        )
    );
    let content = format!(
        "{}\n\n-- \n{}Sent with vigil (Ask Defender Experts has no public API; this mail is the channel).\n",
        scrub_multiline(inq.body.trim_end()),
        header_lines(inq)
    );
    let addr = |a: &str| Recipient::new(scrub(a.trim()));
    let to = scrub(to.trim());
    let mut message = MailMessage::text(subject, content, &[to.as_str()]);
    message.reply_to = inq.reply_to.iter().map(|r| addr(r)).collect();
    message.internet_message_headers = vec![MessageHeader {
        name: INQUIRY_HEADER.to_string(),
        value: scrub(&inq.id),
    }];
    SendMail {
        mailbox: Mailbox::parse(mailbox),
        message,
        save_to_sent_items: true,
    }
}

/// The incident comment text for an inquiry (for `WriteOp::CommentIncident`): the marker line,
/// topic, id, reply-to and body, scrubbed and capped at [`MAX_COMMENT_CHARS`] characters.
pub fn comment_text(inq: &Inquiry) -> String {
    let full = format!(
        "{COMMENT_MARKER}\n{}\n{}",
        header_lines(inq),
        scrub_multiline(inq.body.trim_end())
    );
    const CUT: &str = "\n…[truncated by vigil]";
    if full.chars().count() <= MAX_COMMENT_CHARS {
        return full;
    }
    let keep = MAX_COMMENT_CHARS - CUT.chars().count();
    let mut s: String = full.chars().take(keep).collect();
    s.push_str(CUT);
    s
}

/// The instruction shown with a portal hand-off.
pub fn portal_instruction(portal_link: &str) -> String {
    format!(
        "Open {} and choose \"Ask Defender Experts\" from the actions (⋯) menu, then paste the text below.",
        scrub(portal_link.trim())
    )
}

/// The portal hand-off text (copied via OSC 52): an instruction line, a separator, then the
/// inquiry as it should be pasted (topic link, body, reply-to addresses). Scrubbed.
pub fn portal_handoff(inq: &Inquiry, portal_link: &str) -> String {
    let mut s = portal_instruction(portal_link);
    s.push_str("\n-----\n");
    s.push_str(&format!("Inquiry topic: {}\n\n", scrub(portal_link.trim())));
    s.push_str(&scrub_multiline(inq.body.trim_end()));
    s.push('\n');
    if !inq.reply_to.is_empty() {
        let r: Vec<String> = inq.reply_to.iter().map(|r| scrub(r)).collect();
        s.push_str(&format!("\nEmail for correspondence: {}\n", r.join(", ")));
    }
    s
}

#[cfg(test)]
mod db_tests {
    use super::*;

    fn inquiry(body: &str) -> Inquiry {
        Inquiry::new(
            InquiryTopic::Other { label: "x".into() },
            body.into(),
            vec![],
            &[Channel::Email, Channel::IncidentComment],
            Timestamp::now(),
        )
    }

    #[test]
    fn each_change_is_a_row_change_and_a_reopen_sees_it() {
        let db = crate::db::Db::open_in_memory().unwrap();
        let mut s = InquiryStore::open_db(db.clone()).unwrap();
        let (a, b) = (inquiry("a"), inquiry("b"));
        s.add(a.clone()).unwrap();
        s.add(b.clone()).unwrap();
        assert!(
            s.update_delivery(
                &a.id,
                Channel::Email,
                DeliveryStatus::Pending { op: 5, note: None }
            )
            .unwrap()
        );
        assert!(s.remove(&b.id).unwrap());
        let back = InquiryStore::open_db(db.clone()).unwrap();
        assert!(back.recovered().is_none());
        assert_eq!(back.list().len(), 1);
        assert_eq!(back.delivery_of_op(5), Some((a.id.clone(), Channel::Email)));
        assert_eq!(
            back.pending(),
            vec![(a.id.clone(), Channel::IncidentComment)]
        );
    }

    #[test]
    fn an_unreadable_row_is_reported_and_left_alone() {
        let db = crate::db::Db::open_in_memory().unwrap();
        crate::db::inquiries::apply(&db, &[("bad".into(), "{not json".into())], &[]).unwrap();
        let mut s = InquiryStore::open_db(db.clone()).unwrap();
        assert!(s.recovered().unwrap().contains("bad"));
        s.add(inquiry("c")).unwrap();
        assert_eq!(
            crate::db::inquiries::load(&db).unwrap().len(),
            2,
            "the bad row kept"
        );
    }
}
