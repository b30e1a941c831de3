//! Optimistic writes: pending overlays and the outcomes the engine reports (confirmed,
//! comments recorded, failed → rolled back, conflict).

use super::{Changes, ConflictWrite, Notice, PendingWrite, Store};
use crate::graph::model::{Alert, Comment, Incident};
use crate::sync::{OpId, Target, WriteOp};

/// How a write ended, remembered so a repeated report notifies only once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Confirmed,
    Failed,
    Conflict,
}

impl Store {
    /// Starts showing a write as pending. Returns false when the op is already pending.
    pub(super) fn begin(&mut self, op: OpId, write: WriteOp) -> bool {
        if self.pending_ops.contains_key(&op) {
            return false;
        }
        // The analyst chose to overwrite: the write in conflict is pending again.
        self.take_conflict(op);
        self.settled.remove(&op);
        let target = write.target();
        self.pending_ops.insert(op, target.clone());
        let pw = PendingWrite { op, write };
        match target {
            Target::Incident(id) => match self.index.get(&id) {
                Some(&i) => {
                    self.entries[i].pending.push(pw);
                    self.refresh(i);
                }
                None => self.waiting.entry(id).or_default().push(pw),
            },
            Target::Alert(id) => {
                self.alert_pending.entry(id.clone()).or_default().push(pw);
                self.refresh_alert(&id);
            }
        }
        true
    }

    /// Removes a pending op from wherever it is held (no refresh). Returns its target.
    fn take_pending(&mut self, op: OpId) -> Option<Target> {
        let target = self.pending_ops.remove(&op)?;
        match &target {
            Target::Incident(id) => {
                if let Some(&i) = self.index.get(id) {
                    self.entries[i].pending.retain(|p| p.op != op);
                } else if let Some(list) = self.waiting.get_mut(id) {
                    list.retain(|p| p.op != op);
                    if list.is_empty() {
                        self.waiting.remove(id);
                    }
                }
            }
            Target::Alert(id) => {
                if let Some(list) = self.alert_pending.get_mut(id) {
                    list.retain(|p| p.op != op);
                    if list.is_empty() {
                        self.alert_pending.remove(id);
                    }
                }
            }
        }
        Some(target)
    }

    /// Ends an op with `outcome`. True when this is news (the op was pending, or this outcome
    /// was not the last one reported for it), i.e. when the analyst should be told.
    fn settle(&mut self, op: OpId, outcome: Outcome) -> bool {
        let was_pending = self.take_pending(op).is_some() | self.take_conflict(op).is_some();
        let repeated = self.settled.insert(op, outcome) == Some(outcome);
        was_pending || !repeated
    }

    /// Recomputes what a target displays (after its pending list changed).
    fn refresh_target(&mut self, target: &Target) {
        match target {
            Target::Incident(id) => self.refresh_ids(std::slice::from_ref(id)),
            Target::Alert(id) => self.refresh_alert(id),
        }
    }

    /// The incident a target belongs to.
    fn target_incident(&self, target: &Target) -> Option<String> {
        match target {
            Target::Incident(id) => Some(id.clone()),
            Target::Alert(id) => self.alert_owner(id),
        }
    }

    pub(super) fn incident_written(&mut self, op: OpId, incident: Incident, ch: &mut Changes) {
        let target = Target::Incident(incident.id.clone());
        let news = self.settle(op, Outcome::Confirmed);
        let changed = self.put_server(incident);
        if news {
            ch.notices.push(Notice::WriteConfirmed { op, target });
        }
        ch.dirty |= news || changed;
        if changed {
            ch.updated += 1;
        }
    }

    pub(super) fn alert_written(&mut self, op: OpId, alert: Alert, ch: &mut Changes) {
        let id = alert.id.clone();
        let news = self.settle(op, Outcome::Confirmed);
        let mut changed = false;
        if let Some(slot) = self.alerts.get_mut(&id) {
            changed = !slot.holds(&alert);
            slot.set_server(alert);
        } else if let Some(owner) = alert.incident_id.clone()
            && let Some(list) = self.by_incident.get(owner.as_str())
        {
            // A new alert of an incident whose set is known: add it to that set.
            let mut all: Vec<Alert> = list
                .iter()
                .filter_map(|a| self.alerts.get(a))
                .map(|s| s.server_owned())
                .collect();
            all.push(alert);
            let others = self.set_alerts(&owner, all);
            self.refresh_ids(&others);
            changed = true;
        }
        self.refresh_alert(&id);
        if news {
            ch.notices.push(Notice::WriteConfirmed {
                op,
                target: Target::Alert(id),
            });
        }
        ch.dirty |= news || changed;
    }

    pub(super) fn comments_written(
        &mut self,
        op: OpId,
        target: Target,
        comments: Vec<Comment>,
        ch: &mut Changes,
    ) {
        let news = self.settle(op, Outcome::Confirmed);
        let mut changed = false;
        match &target {
            Target::Incident(id) => {
                if let Some(&i) = self.index.get(id) {
                    let server = self.entries[i].server_mut();
                    changed = server.comments != comments;
                    server.comments = comments;
                }
            }
            Target::Alert(id) => {
                if let Some(slot) = self.alerts.get_mut(id) {
                    let mut server = slot.server_owned();
                    changed = server.comments != comments;
                    server.comments = comments;
                    slot.set_server(server);
                }
            }
        }
        self.refresh_target(&target);
        if news {
            ch.notices.push(Notice::WriteConfirmed { op, target });
        }
        ch.dirty |= news || changed;
    }

    pub(super) fn write_failed(
        &mut self,
        op: OpId,
        target: Target,
        message: String,
        ch: &mut Changes,
    ) {
        if !self.settle(op, Outcome::Failed) {
            return;
        }
        self.refresh_target(&target);
        if let Some(id) = self.target_incident(&target)
            && let Some(&i) = self.index.get(&id)
        {
            self.entries[i].rollback = Some(message.clone());
        }
        ch.notices.push(Notice::WriteRolledBack {
            op,
            target,
            message,
        });
        ch.dirty = true;
    }

    /// Removes `op` from the writes in conflict (no refresh); returns it.
    fn take_conflict(&mut self, op: OpId) -> Option<ConflictWrite> {
        let id = self.conflict_ops.remove(&op)?;
        let &i = self.index.get(&id)?;
        let list = &mut self.entries[i].conflicts;
        let at = list.iter().position(|c| c.op == op)?;
        let taken = list.remove(at);
        self.refresh(i);
        Some(taken)
    }

    /// Someone else changed what `op` sets: the server's version is shown and the write is
    /// kept apart, in conflict, until the analyst decides.
    pub(super) fn conflict(
        &mut self,
        op: OpId,
        server: Incident,
        fields: Vec<String>,
        ch: &mut Changes,
    ) {
        let incident_id = server.id.clone();
        // A conflict replayed after a restart carries the server's version of back then:
        // never let it replace a newer one.
        let older = self
            .incident(&incident_id)
            .is_some_and(|e| e.server().last_update_date_time > server.last_update_date_time);
        let changed = !older && self.put_server(server);
        let write = self.pending_write(op);
        let news = self.settle(op, Outcome::Conflict);
        if let (Some(write), Some(&i)) = (write, self.index.get(&incident_id)) {
            self.entries[i].conflicts.push(ConflictWrite {
                op,
                write,
                fields: fields.clone(),
            });
            self.conflict_ops.insert(op, incident_id.clone());
            self.refresh(i);
        }
        if news {
            ch.notices.push(Notice::Conflict {
                op,
                incident_id,
                fields,
            });
        }
        ch.dirty |= news || changed;
    }

    /// The write `op` while it is pending or in conflict.
    pub fn pending_write(&self, op: OpId) -> Option<WriteOp> {
        let list: &[PendingWrite] = match self.pending_ops.get(&op)? {
            Target::Incident(id) => match self.index.get(id) {
                Some(&i) => &self.entries[i].pending,
                None => self.waiting.get(id).map(Vec::as_slice).unwrap_or(&[]),
            },
            Target::Alert(id) => self.alert_pending_writes(id),
        };
        list.iter().find(|p| p.op == op).map(|p| p.write.clone())
    }

    /// Every write waiting for the analyst's decision on a conflict, oldest op first.
    pub fn conflicts(&self) -> Vec<&ConflictWrite> {
        let mut out: Vec<&ConflictWrite> = self
            .conflict_ops
            .iter()
            .filter_map(|(op, id)| {
                let e = self.incident(id)?;
                e.conflicts.iter().find(|c| c.op == *op)
            })
            .collect();
        out.sort_by_key(|c| c.op);
        out
    }

    /// The texts of comments still being sent to a target, oldest first.
    pub fn pending_comments(&self, target: &Target) -> Vec<&str> {
        let list: &[PendingWrite] = match target {
            Target::Incident(id) => match self.index.get(id) {
                Some(&i) => &self.entries[i].pending,
                None => self.waiting.get(id).map(Vec::as_slice).unwrap_or(&[]),
            },
            Target::Alert(id) => self.alert_pending_writes(id),
        };
        list.iter()
            .filter_map(|p| match &p.write {
                WriteOp::CommentIncident { text, .. } | WriteOp::CommentAlert { text, .. } => {
                    Some(text.as_str())
                }
                _ => None,
            })
            .collect()
    }

    /// True when `op` is shown as pending.
    pub fn is_pending(&self, op: OpId) -> bool {
        self.pending_ops.contains_key(&op)
    }
}
