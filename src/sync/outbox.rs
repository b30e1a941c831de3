//! The persisted outbox of writes not yet confirmed by the service. Every change is written
//! durably (temp file + fsync + rename, mode 0600) before the request goes out, so a crash
//! never loses an analyst's change and a restart replays it.

use super::messages::{OpId, WriteOp};
use crate::graph::model::{Incident, Timestamp};
use serde::{Deserialize, Serialize};
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

#[derive(Serialize, Deserialize)]
struct OutboxFile {
    version: u32,
    entries: Vec<OutboxEntry>,
}

/// The in-memory outbox and where it is persisted (`None`: not durable).
#[derive(Debug, Default)]
pub struct Outbox {
    path: Option<PathBuf>,
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

    /// An outbox whose file cannot be used: it refuses to persist (see [`persist`]).
    fn unusable(reason: String) -> Self {
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
/// so that snapshots reach the disk in order.
pub async fn persist(outbox: &Outbox) -> std::io::Result<()> {
    if let Some(reason) = &outbox.unusable
        && !outbox.entries.is_empty()
    {
        return Err(std::io::Error::other(reason.clone()));
    }
    let Some((path, bytes)) = outbox.snapshot() else {
        return Ok(());
    };
    tokio::task::spawn_blocking(move || write_atomic(&path, &bytes))
        .await
        .map_err(std::io::Error::other)?
}

fn corrupt_name(path: &Path) -> PathBuf {
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
        assert!(persist(&ob).await.is_ok(), "nothing to lose yet");
        ob.push(comment(1));
        assert!(persist(&ob).await.is_err());
    }
}
