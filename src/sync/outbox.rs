//! The persisted outbox of writes not yet confirmed by the service. Every change is written
//! durably before the request goes out, so a crash never loses an analyst's change and a
//! restart replays it: in the profile's database (`outbox` table, one transaction per change,
//! `synchronous=FULL`) when one is configured, else in a JSON file (temp file + fsync +
//! rename, mode 0600).

use super::messages::{OpId, WriteOp};
use crate::db::Db;
use crate::graph::model::{Incident, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One queued write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub op: OpId,
    pub write: WriteOp,
    /// When the analyst queued it (comment de-duplication compares against this).
    pub queued_at: Timestamp,
    /// The last attempt failed in a retryable way; waits for reconnection or "retry failed".
    #[serde(default)]
    pub failed: bool,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub last_error: Option<String>,
    /// A comment may already have been recorded (unknown outcome, or replayed after a
    /// restart): check the target before posting again.
    #[serde(default)]
    pub uncertain: bool,
    /// Someone else changed what this write sets: it is not sent until the analyst
    /// overwrites or discards it.
    #[serde(default)]
    pub conflict: Option<ConflictState>,
}

/// A write's conflict as detected, kept with the entry so a restart shows it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConflictState {
    /// The server's version when the conflict was found (alerts left out).
    pub server: Incident,
    /// Graph names of the properties someone else changed.
    pub changed_fields: Vec<String>,
    pub detected_at: Timestamp,
}

impl OutboxEntry {
    /// A fresh entry queued now.
    pub fn new(op: OpId, write: WriteOp) -> Self {
        OutboxEntry {
            op,
            write,
            queued_at: Timestamp::now(),
            failed: false,
            attempts: 0,
            last_error: None,
            uncertain: false,
            conflict: None,
        }
    }

    /// A write that may have been applied by an earlier run (its outcome is unknown), queued
    /// at `queued_at`: the target is checked before it is sent again.
    pub fn recovered(op: OpId, write: WriteOp, queued_at: Timestamp) -> Self {
        OutboxEntry {
            uncertain: true,
            queued_at,
            ..OutboxEntry::new(op, write)
        }
    }

    /// Comments and mail are not idempotent: after a restart they are checked before resending.
    fn checks_before_resend(&self) -> bool {
        matches!(
            self.write,
            WriteOp::CommentIncident { .. }
                | WriteOp::CommentAlert { .. }
                | WriteOp::SendMail { .. }
        )
    }
}

/// The old `outbox.json` format (still read by the migration into the database).
#[derive(Serialize, Deserialize)]
pub(crate) struct OutboxFile {
    pub(crate) version: u32,
    pub(crate) entries: Vec<OutboxEntry>,
}

/// The in-memory outbox and where it is persisted (no file and no database: not durable).
#[derive(Debug, Default)]
pub struct Outbox {
    path: Option<PathBuf>,
    /// The database holding the entries (takes precedence over `path`).
    db: Option<Db>,
    /// Each entry's JSON as the database last committed it, so a persist writes only changes.
    saved: HashMap<OpId, String>,
    entries: Vec<OutboxEntry>,
    in_flight: Option<OpId>,
    /// Why the configured file cannot be used: every persist fails with this, so no write is
    /// sent without being durable.
    unusable: Option<String>,
}

impl Outbox {
    /// An outbox that is never written to disk.
    pub fn in_memory() -> Self {
        Outbox::default()
    }

    /// Loads the outbox at `path`. A missing file is an empty outbox. A corrupt file is renamed
    /// aside (`<name>.corrupt-<unix seconds>`) and an explanation returned; an unreadable one
    /// is left alone and the outbox stays in memory only. Loaded entries are all pending again,
    /// and loaded comments and mails are marked uncertain (the previous run may have sent them).
    pub fn load(path: PathBuf) -> (Self, Option<String>) {
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (
                    Outbox {
                        path: Some(path),
                        ..Default::default()
                    },
                    None,
                );
            }
            Err(e) => {
                let msg = format!(
                    "cannot read the outbox {}: {e}; changes are refused until it is readable",
                    path.display()
                );
                return (Outbox::unusable(msg.clone()), Some(msg));
            }
        };
        match serde_json::from_slice::<OutboxFile>(&text) {
            Ok(file) => {
                let entries = file
                    .entries
                    .into_iter()
                    .map(|mut e| {
                        e.failed = false;
                        e.uncertain |= e.checks_before_resend();
                        e
                    })
                    .collect();
                (
                    Outbox {
                        path: Some(path),
                        db: None,
                        saved: HashMap::new(),
                        entries,
                        in_flight: None,
                        unusable: None,
                    },
                    None,
                )
            }
            Err(parse) => {
                let aside = corrupt_name(&path);
                match std::fs::rename(&path, &aside) {
                    Ok(()) => {
                        let msg = format!(
                            "the outbox {} was unreadable ({parse}); it was moved to {} and a new one started",
                            path.display(),
                            aside.display()
                        );
                        (
                            Outbox {
                                path: Some(path),
                                ..Default::default()
                            },
                            Some(msg),
                        )
                    }
                    Err(e) => {
                        let msg = format!(
                            "the outbox {} is unreadable ({parse}) and could not be moved aside ({e}); \
                             it is left untouched and changes are refused until it is fixed",
                            path.display()
                        );
                        (Outbox::unusable(msg.clone()), Some(msg))
                    }
                }
            }
        }
    }

    /// Loads the outbox from the database's `outbox` table. Loaded entries are all pending
    /// again, and comments and mails are marked uncertain (the previous run may have sent
    /// them). A row that cannot be read is left in the table untouched and reported; an
    /// unreadable table makes the outbox refuse writes, as an unreadable file does.
    pub fn load_db(db: Db) -> (Self, Option<String>) {
        let rows = match crate::db::outbox::load(&db) {
            Ok(rows) => rows,
            Err(e) => {
                let msg = format!(
                    "cannot read the outbox in the local database: {e}; changes are refused until it is readable"
                );
                return (Outbox::unusable(msg.clone()), Some(msg));
            }
        };
        let mut entries = Vec::new();
        let mut saved = HashMap::new();
        let mut broken = Vec::new();
        for (op, text) in rows {
            match serde_json::from_str::<OutboxEntry>(&text) {
                Ok(mut e) if u64::try_from(op).ok() == Some(e.op) => {
                    saved.insert(e.op, text);
                    e.failed = false;
                    e.uncertain |= e.checks_before_resend();
                    entries.push(e);
                }
                Ok(_) => broken.push(format!("{op} (its op id does not match)")),
                Err(err) => broken.push(format!("{op} ({err})")),
            }
        }
        let warning = (!broken.is_empty()).then(|| {
            format!(
                "{} outbox entries in the local database could not be read and are left there untouched: {}",
                broken.len(),
                broken.join(", ")
            )
        });
        (
            Outbox {
                db: Some(db),
                saved,
                entries,
                ..Default::default()
            },
            warning,
        )
    }

    /// An outbox whose file cannot be used: it refuses to persist (see [`persist`]).
    pub(crate) fn unusable(reason: String) -> Self {
        Outbox {
            unusable: Some(reason),
            ..Default::default()
        }
    }

    /// False when the file could not be read: the entries are then not what is on disk.
    pub fn is_usable(&self) -> bool {
        self.unusable.is_none()
    }

    /// Every entry, in queue order.
    pub fn entries(&self) -> &[OutboxEntry] {
        &self.entries
    }

    /// Appends an entry; false (and nothing changes) when its op id is already queued.
    pub fn push(&mut self, entry: OutboxEntry) -> bool {
        if self.entries.iter().any(|e| e.op == entry.op) {
            return false;
        }
        self.entries.push(entry);
        true
    }

    /// The oldest pending entry, marked in flight (one at a time).
    pub fn begin_next(&mut self) -> Option<OutboxEntry> {
        if self.in_flight.is_some() {
            return None;
        }
        let e = self
            .entries
            .iter_mut()
            .find(|e| !e.failed && e.conflict.is_none())?;
        e.attempts += 1;
        self.in_flight = Some(e.op);
        Some(e.clone())
    }

    /// Removes `op` (confirmed, refused for good, or discarded by the analyst) and returns it.
    pub fn remove(&mut self, op: OpId) -> Option<OutboxEntry> {
        if self.in_flight == Some(op) {
            self.in_flight = None;
        }
        let at = self.entries.iter().position(|e| e.op == op)?;
        Some(self.entries.remove(at))
    }

    /// Puts `op` in conflict: kept, not sent again until [`Outbox::overwrite`] or a discard.
    pub fn mark_conflict(&mut self, op: OpId, mut server: Incident, changed_fields: Vec<String>) {
        server.alerts = None;
        if let Some(e) = self.entries.iter_mut().find(|e| e.op == op) {
            e.conflict = Some(ConflictState {
                server,
                changed_fields,
                detected_at: Timestamp::now(),
            });
            e.failed = false;
        }
        if self.in_flight == Some(op) {
            self.in_flight = None;
        }
    }

    /// The analyst chose to overwrite: the entry in conflict is made pending again with
    /// `force`, in place. Returns the updated entry; `None` when `op` is not in conflict.
    pub fn overwrite(&mut self, op: OpId) -> Option<OutboxEntry> {
        let e = self
            .entries
            .iter_mut()
            .find(|e| e.op == op && e.conflict.is_some())?;
        e.conflict = None;
        e.failed = false;
        if let WriteOp::PatchIncident { force, .. } = &mut e.write {
            *force = true;
        }
        Some(e.clone())
    }

    /// Entries waiting for the analyst's decision on a conflict.
    pub fn conflicts(&self) -> impl Iterator<Item = &OutboxEntry> {
        self.entries.iter().filter(|e| e.conflict.is_some())
    }

    /// Keeps `op` as failed (retryable).
    pub fn mark_failed(&mut self, op: OpId, message: String, uncertain: bool) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.op == op) {
            e.failed = true;
            e.last_error = Some(message);
            e.uncertain |= uncertain;
        }
        if self.in_flight == Some(op) {
            self.in_flight = None;
        }
    }

    /// Makes every failed entry pending again and returns them.
    pub fn retry_failed(&mut self) -> Vec<OutboxEntry> {
        self.retry_failed_below(u32::MAX)
    }

    /// Like [`Outbox::retry_failed`], for entries tried fewer than `max_attempts` times (the
    /// engine's automatic retries; past that only the analyst's "retry failed" sends them).
    pub fn retry_failed_below(&mut self, max_attempts: u32) -> Vec<OutboxEntry> {
        let mut out = Vec::new();
        for e in self
            .entries
            .iter_mut()
            .filter(|e| e.failed && e.conflict.is_none() && e.attempts < max_attempts)
        {
            e.failed = false;
            out.push(e.clone());
        }
        out
    }

    /// (pending including in flight, failed or in conflict).
    pub fn counts(&self) -> (usize, usize) {
        let failed = self
            .entries
            .iter()
            .filter(|e| e.failed || e.conflict.is_some())
            .count();
        (self.entries.len() - failed, failed)
    }

    /// The bytes to persist and where, or `None` when not durable. An outbox that was never
    /// used and has no file is not created.
    pub fn snapshot(&self) -> Option<(PathBuf, Vec<u8>)> {
        let path = self.path.clone()?;
        if self.entries.is_empty() && !path.exists() {
            return None;
        }
        let file = OutboxFile {
            version: 1,
            entries: self.entries.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&file).ok()?;
        Some((path, bytes))
    }
}

/// Writes the outbox durably (off the async threads). Call it while holding the outbox lock
/// so that changes reach the disk in order. With a database, the entries that changed since
/// the last persist are written and the ones gone are deleted, in one transaction.
pub async fn persist(outbox: &mut Outbox) -> std::io::Result<()> {
    if let Some(reason) = &outbox.unusable
        && !outbox.entries.is_empty()
    {
        return Err(std::io::Error::other(reason.clone()));
    }
    if let Some(db) = outbox.db.clone() {
        let mut next = HashMap::with_capacity(outbox.entries.len());
        let mut upserts = Vec::new();
        for e in &outbox.entries {
            let json = serde_json::to_string(e).map_err(std::io::Error::other)?;
            if outbox.saved.get(&e.op) != Some(&json) {
                upserts.push((op_key(e.op)?, json.clone()));
            }
            next.insert(e.op, json);
        }
        let deletes = outbox
            .saved
            .keys()
            .filter(|op| !next.contains_key(op))
            .map(|op| op_key(*op))
            .collect::<std::io::Result<Vec<_>>>()?;
        tokio::task::spawn_blocking(move || crate::db::outbox::apply(&db, &upserts, &deletes))
            .await
            .map_err(std::io::Error::other)?
            .map_err(std::io::Error::other)?;
        outbox.saved = next;
        return Ok(());
    }
    let Some((path, bytes)) = outbox.snapshot() else {
        return Ok(());
    };
    tokio::task::spawn_blocking(move || write_atomic(&path, &bytes))
        .await
        .map_err(std::io::Error::other)?
}

/// An op id as the database's integer key.
fn op_key(op: OpId) -> std::io::Result<i64> {
    i64::try_from(op).map_err(|_| std::io::Error::other(format!("operation id {op} is too large")))
}

/// The name a corrupt file is moved to: `<name>.corrupt-<unix seconds>`.
pub(crate) fn corrupt_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "outbox".into());
    path.with_file_name(format!("{name}.corrupt-{}", Timestamp::now().as_second()))
}

/// Replaces `path` atomically and durably: write a temp file (mode 0600), fsync, rename,
/// fsync the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(&dir)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "outbox".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            // Directory fsync makes the rename durable; not every filesystem supports it.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(op: OpId) -> OutboxEntry {
        OutboxEntry::new(
            op,
            WriteOp::CommentIncident {
                incident_id: "1".into(),
                text: "hi".into(),
            },
        )
    }

    #[test]
    fn persists_and_reloads_with_comments_uncertain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/outbox.json");
        let (mut ob, warn) = Outbox::load(path.clone());
        assert!(warn.is_none());
        assert!(ob.snapshot().is_none(), "an unused outbox creates no file");
        assert!(ob.push(comment(1)));
        assert!(!ob.push(comment(1)));
        ob.push(comment(2));
        ob.mark_failed(2, "boom".into(), false);
        let (p, bytes) = ob.snapshot().unwrap();
        write_atomic(&p, &bytes).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (back, warn) = Outbox::load(path);
        assert!(warn.is_none());
        assert_eq!(back.entries().len(), 2);
        assert!(back.entries().iter().all(|e| e.uncertain && !e.failed));
        assert_eq!(back.counts(), (2, 0));
    }

    #[test]
    fn mail_reloads_uncertain_and_recovered_entries_keep_their_queue_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.json");
        let (mut ob, _) = Outbox::load(path.clone());
        let mail = WriteOp::SendMail {
            inquiry_id: "i".into(),
            mail: crate::graph::resources::SendMail {
                mailbox: crate::graph::resources::Mailbox::Me,
                message: crate::graph::resources::MailMessage::text("s", "t", &[]),
                save_to_sent_items: true,
            },
        };
        ob.push(OutboxEntry::new(1, mail.clone()));
        let at = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let rec = OutboxEntry::recovered(2, mail, at);
        assert!(rec.uncertain);
        assert_eq!(rec.queued_at, at);
        let (p, bytes) = ob.snapshot().unwrap();
        write_atomic(&p, &bytes).unwrap();
        let (back, _) = Outbox::load(path);
        assert!(back.entries()[0].uncertain, "a mail may have gone out");
    }

    #[test]
    fn corrupt_file_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.json");
        std::fs::write(&path, b"{not json").unwrap();
        let (ob, warn) = Outbox::load(path.clone());
        assert!(warn.unwrap().contains("moved to"));
        assert!(ob.entries().is_empty());
        assert!(!path.exists());
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(aside.len(), 1);
        assert!(
            aside[0]
                .to_string_lossy()
                .starts_with("outbox.json.corrupt-")
        );
    }

    #[test]
    fn one_in_flight_at_a_time_in_order() {
        let mut ob = Outbox::in_memory();
        ob.push(comment(5));
        ob.push(comment(3));
        assert_eq!(ob.begin_next().unwrap().op, 5);
        assert!(ob.begin_next().is_none());
        ob.mark_failed(5, "x".into(), true);
        assert_eq!(ob.begin_next().unwrap().op, 3);
        ob.remove(3);
        assert_eq!(ob.counts(), (0, 1));
        let retried = ob.retry_failed();
        assert_eq!(retried.len(), 1);
        assert!(retried[0].uncertain);
        assert_eq!(ob.counts(), (1, 0));
    }

    fn assign(op: OpId) -> OutboxEntry {
        OutboxEntry::new(
            op,
            WriteOp::PatchIncident {
                incident_id: "7".into(),
                patch: crate::graph::model::IncidentPatch {
                    assigned_to: Some(Some("me@x".into())),
                    ..Default::default()
                },
                base_last_update: None,
                force: false,
                base: None,
            },
        )
    }

    #[test]
    fn a_conflict_is_kept_on_disk_not_sent_and_overwritten_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.json");
        let (mut ob, _) = Outbox::load(path.clone());
        ob.push(assign(1));
        ob.push(comment(2));
        assert_eq!(ob.begin_next().unwrap().op, 1);
        let server = Incident {
            id: "7".into(),
            assigned_to: Some("bob@x".into()),
            ..Default::default()
        };
        ob.mark_conflict(1, server, vec!["assignedTo".into()]);
        assert_eq!(ob.begin_next().unwrap().op, 2, "the conflict is skipped");
        ob.mark_failed(2, "x".into(), true);
        assert_eq!(
            ob.retry_failed().len(),
            1,
            "only the failed comment is retried"
        );
        let (p, bytes) = ob.snapshot().unwrap();
        write_atomic(&p, &bytes).unwrap();

        let (mut back, _) = Outbox::load(path);
        assert_eq!(back.conflicts().count(), 1);
        assert_eq!(back.counts(), (1, 1));
        let e = back.overwrite(1).unwrap();
        assert!(matches!(
            e.write,
            WriteOp::PatchIncident { force: true, .. }
        ));
        assert!(e.conflict.is_none());
        assert!(back.overwrite(1).is_none(), "no longer in conflict");
        assert_eq!(back.entries().len(), 2, "updated in place, not re-queued");
        assert_eq!(back.begin_next().unwrap().op, 1);
    }

    #[test]
    fn entries_from_before_bases_and_conflicts_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.json");
        let old = r#"{"version": 1, "entries": [{"op": 4, "write": {"PatchIncident": {
            "incident_id": "9", "patch": {"status": "resolved"},
            "base_last_update": "2026-01-01T00:00:00Z", "force": false}},
            "queued_at": "2026-01-01T00:00:01Z"}]}"#;
        std::fs::write(&path, old).unwrap();
        let (ob, warn) = Outbox::load(path);
        assert!(warn.is_none(), "{warn:?}");
        let e = &ob.entries()[0];
        assert!(e.conflict.is_none());
        assert!(matches!(
            &e.write,
            WriteOp::PatchIncident {
                base: None,
                base_last_update: Some(_),
                ..
            }
        ));
    }

    #[tokio::test]
    async fn an_unreadable_outbox_refuses_to_hold_writes_in_memory_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state");
        std::fs::write(&file, b"a file where the state directory should be").unwrap();
        let (mut ob, warn) = Outbox::load(file.join("outbox.json"));
        assert!(warn.unwrap().contains("refused"));
        assert!(persist(&mut ob).await.is_ok(), "nothing to lose yet");
        ob.push(comment(1));
        assert!(persist(&mut ob).await.is_err());
    }

    fn file_db(dir: &Path) -> Db {
        Db::open(dir).unwrap().db
    }

    #[tokio::test]
    async fn the_database_outbox_reloads_with_comments_uncertain_and_conflicts_kept() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut ob, warn) = Outbox::load_db(file_db(dir.path()));
            assert!(warn.is_none());
            ob.push(assign(1));
            ob.push(comment(2));
            ob.push(comment(3));
            persist(&mut ob).await.unwrap();
            assert_eq!(ob.begin_next().unwrap().op, 1);
            ob.mark_conflict(
                1,
                Incident {
                    id: "7".into(),
                    ..Default::default()
                },
                vec!["assignedTo".into()],
            );
            ob.mark_failed(2, "boom".into(), false);
            ob.remove(3);
            persist(&mut ob).await.unwrap();
        }
        let (mut back, warn) = Outbox::load_db(file_db(dir.path()));
        assert!(warn.is_none(), "{warn:?}");
        let ops: Vec<OpId> = back.entries().iter().map(|e| e.op).collect();
        assert_eq!(ops, vec![1, 2], "the settled write is gone");
        assert_eq!(back.conflicts().count(), 1);
        assert!(back.entries()[1].uncertain && !back.entries()[1].failed);
        assert_eq!(back.entries()[1].last_error.as_deref(), Some("boom"));
        assert_eq!(back.counts(), (1, 1));
        assert!(back.overwrite(1).is_some());
        back.remove(2);
        persist(&mut back).await.unwrap();
        let rows = crate::db::outbox::load(back.db.as_ref().unwrap()).unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].1.contains("\"force\":true"), "{}", rows[0].1);
    }

    #[tokio::test]
    async fn a_write_the_database_cannot_hold_is_refused_and_nothing_half_written() {
        let db = Db::open_in_memory().unwrap();
        let (mut ob, _) = Outbox::load_db(db.clone());
        ob.push(comment(1));
        persist(&mut ob).await.unwrap();
        db.with(|c| c.execute_batch("CREATE TRIGGER full BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;"))
            .unwrap();
        ob.remove(1);
        ob.push(comment(2));
        let err = persist(&mut ob).await.unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        // The delete of 1 rolled back with the refused insert of 2.
        let rows = crate::db::outbox::load(&db).unwrap();
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1]);
    }

    #[tokio::test]
    async fn a_persist_writes_only_what_changed() {
        let db = Db::open_in_memory().unwrap();
        let (mut ob, _) = Outbox::load_db(db.clone());
        ob.push(comment(1));
        ob.push(comment(2));
        persist(&mut ob).await.unwrap();
        let before: i64 = db
            .with(|c| c.query_row("SELECT total_changes()", [], |r| r.get(0)))
            .unwrap();
        ob.mark_failed(2, "x".into(), true);
        persist(&mut ob).await.unwrap();
        let after: i64 = db
            .with(|c| c.query_row("SELECT total_changes()", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(after - before, 1, "one row rewritten");
    }
}
