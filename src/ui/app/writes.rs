//! Writes from the triage panes: opening the panes for the current targets, submitting their
//! `WriteOp`s (optimistic display + `Command::Write`), bulk result tracking and retry, and the
//! conflict dialog (overwrite, discard, or decide later with `:retry`).

use super::{App, Effect, Level};
use crate::graph::model::Incident;
use crate::sync::{Command, OpId, StoreUpdate, Target, WriteOp};
use crate::ui::overlay::Overlay;
use crate::ui::pages::Page;
use crate::ui::triage::{
    AlertManagePane, BulkResults, CommentEditor, ConflictConfirm, Field, ItemResult, ManagePane,
    READ_ONLY_MESSAGE, conflict_dialog, describe_changes,
};

/// How a write ended, as far as result lists and deliveries care.
pub(super) struct WriteOutcome {
    pub op: OpId,
    pub result: ItemResult,
}

impl WriteOutcome {
    /// The outcome an update reports for a write, if it is one.
    pub(super) fn of(update: &StoreUpdate) -> Option<WriteOutcome> {
        let (op, result) = match update {
            StoreUpdate::IncidentWritten { op, .. }
            | StoreUpdate::AlertWritten { op, .. }
            | StoreUpdate::CommentsWritten { op, .. } => (*op, ItemResult::Done),
            StoreUpdate::WriteFailed { op, message, .. } => {
                (*op, ItemResult::Failed(message.clone()))
            }
            StoreUpdate::Conflict {
                op, changed_fields, ..
            } => (
                *op,
                ItemResult::Failed(format!(
                    "changed on the server ({}); not sent",
                    changed_fields.join(", ")
                )),
            ),
            _ => return None,
        };
        Some(WriteOutcome { op, result })
    }
}

impl App {
    /// What a manage-type action applies to: the multi-selection or the selected row on the
    /// queue, else the open incident or alert.
    fn targets(&self) -> Vec<Target> {
        match self.pages.last() {
            None => self.queue.targets(),
            Some(page) => vec![page.target()],
        }
    }

    /// The incidents the manage actions apply to (display versions).
    fn target_incidents(&self) -> Vec<Incident> {
        self.targets()
            .into_iter()
            .filter_map(|t| match t {
                Target::Incident(id) => self.store.incident(&id).map(|e| e.incident.clone()),
                Target::Alert(_) => None,
            })
            .collect()
    }

    fn me(&self) -> Option<String> {
        self.store.identity().aliases.first().cloned()
    }

    /// `s`, `c`, `t`, `M` on the queue or an incident: the manage pane (quick picker or full).
    pub(super) fn open_manage(&mut self, field: Option<Field>) -> Vec<Effect> {
        if matches!(self.pages.last(), Some(Page::Alert(_) | Page::Evidence(_))) {
            return self.open_alert_manage();
        }
        let targets = self.target_incidents();
        if targets.is_empty() {
            return Vec::new();
        }
        let owners = self.store.owners();
        let tags = self.store.tags();
        let me = self.me();
        let pane = match field {
            Some(f) => ManagePane::focused(targets, owners, tags, me, self.teammates.clone(), f),
            None => ManagePane::new(targets, owners, tags, me, self.teammates.clone()),
        };
        let pane = pane.read_only(self.read_only);
        if self.read_only {
            self.show_toast(Level::Warn, READ_ONLY_MESSAGE);
        }
        self.modals.push(Box::new(pane));
        Vec::new()
    }

    /// `M` on the alert page: the alert manage pane.
    fn open_alert_manage(&mut self) -> Vec<Effect> {
        let Some(alert) = self.open_alert().and_then(|a| self.store.alert(a)).cloned() else {
            return Vec::new();
        };
        let pane = AlertManagePane::new(
            alert,
            self.store.owners(),
            self.me(),
            self.teammates.clone(),
        )
        .read_only(self.read_only);
        if self.read_only {
            self.show_toast(Level::Warn, READ_ONLY_MESSAGE);
        }
        self.modals.push(Box::new(pane));
        Vec::new()
    }

    /// `m`: the comment editor for the incident (queue row / incident page) or the alert.
    pub(super) fn open_comment(&mut self) -> Vec<Effect> {
        let Some(first) = self.targets().into_iter().next() else {
            return Vec::new();
        };
        let editor = match self.load_comment_draft(&first) {
            Some(text) => {
                self.show_toast(Level::Info, "Restored your unsent comment draft");
                CommentEditor::with_draft(first, &text)
            }
            None => CommentEditor::new(first),
        }
        .read_only(self.read_only);
        self.modals.push(Box::new(editor));
        Vec::new()
    }

    /// `a`: assign the targets to the analyst.
    pub(super) fn assign_to_me(&mut self) -> Vec<Effect> {
        let Some(me) = self.me() else {
            self.show_toast(Level::Warn, super::confirm_writes::IDENTITY_UNKNOWN);
            return Vec::new();
        };
        let targets = self.target_incidents();
        let ops = crate::ui::triage::assign_to_me(&targets, &me);
        if ops.is_empty() {
            self.show_toast(Level::Info, "Already assigned to you");
            return Vec::new();
        }
        if let Some(dialog) = super::confirm_writes::assign_dialog(&targets, &ops, &me) {
            self.ask_before_writing(dialog, ops);
            return Vec::new();
        }
        let n = ops.len();
        let effects = self.submit_writes(ops);
        if n == 1 {
            self.show_toast(Level::Info, format!("Assigning {n} incident(s) to {me}…"));
        }
        effects
    }

    /// Sends one write: optimistic display, remembered for conflicts, `Command::Write`.
    pub(super) fn send_write(&mut self, op: OpId, write: WriteOp) -> Effect {
        self.store.begin_write(op, write.clone());
        self.writes.insert(op, write.clone());
        self.queue.stale = true;
        self.counts_stale = true;
        self.dirty = true;
        Effect::SendCommand(Command::Write { op, write })
    }

    /// Submits a pane's writes. Writes touching more than one target open the bulk results.
    pub(super) fn submit_writes(&mut self, ops: Vec<WriteOp>) -> Vec<Effect> {
        if ops.is_empty() {
            return Vec::new();
        }
        if self.read_only {
            self.show_toast(Level::Warn, "Read-only profile: changes are disabled");
            return Vec::new();
        }
        let first = ops[0].target();
        let distinct: std::collections::HashSet<Target> = ops.iter().map(WriteOp::target).collect();
        let paired: Vec<(OpId, WriteOp)> = ops.into_iter().map(|w| (self.alloc_op(), w)).collect();
        if distinct.len() > 1 {
            // Describe against the versions on screen, before the optimistic overlay.
            let store = &self.store;
            let bulk = BulkResults::from_writes(paired.clone(), |w| describe(store, w));
            self.modals.push(Box::new(bulk));
            self.queue.marked.clear();
        } else {
            self.show_toast(Level::Info, format!("Saving {first}…"));
        }
        paired
            .into_iter()
            .map(|(op, w)| self.send_write(op, w))
            .collect()
    }

    /// The comment editor's submit: widened to the queue's selection, asked first when it
    /// goes to more than one incident (the draft is kept until then), else sent.
    pub(super) fn submit_comment(
        &mut self,
        target: Target,
        text: String,
        ops: Vec<WriteOp>,
    ) -> Vec<Effect> {
        let ops = self.comment_for_selection(ops);
        if ops.len() > 1 {
            // Kept until the analyst says yes (dropped then, see confirm_writes).
            self.keep_comment_draft(&target, &text);
            let store = &self.store;
            let dialog = super::confirm_writes::comment_dialog(&ops, |id| {
                store
                    .incident(id)
                    .map(|e| e.incident.title().to_string())
                    .unwrap_or_default()
            });
            self.ask_before_writing(dialog, ops);
            return Vec::new();
        }
        // The outbox holds the comment from here on.
        self.drop_comment_draft(&target);
        self.submit_writes(ops)
    }

    /// `R` in the bulk results: sends the failed writes again. Writes in conflict are still
    /// in the outbox: they wait for the analyst's decision in their dialog, never for a second
    /// copy. Writes that failed in a retryable way are still there too: the engine sends that
    /// same entry again (a comment is looked for first), never a copy.
    pub(super) fn retry_bulk_writes(&mut self, failed: Vec<(OpId, WriteOp)>) -> Vec<Effect> {
        let in_conflict: Vec<OpId> = self.store.conflicts().iter().map(|c| c.op).collect();
        let mut effects = Vec::new();
        let mut retried_in_outbox = false;
        for (old, w) in failed.into_iter().filter(|(o, _)| !in_conflict.contains(o)) {
            if self.in_outbox.contains(&old) {
                retried_in_outbox = true;
                continue;
            }
            let op = self.alloc_op();
            if let Some(b) = self
                .modals
                .last_mut()
                .and_then(|m| m.downcast_mut::<BulkResults>())
            {
                b.rebind(old, op);
            }
            effects.push(self.send_write(op, w));
        }
        if retried_in_outbox {
            effects.push(Effect::SendCommand(Command::RetryFailed));
        }
        effects
    }

    /// A comment written from the queue with a multi-selection goes to every selected incident.
    fn comment_for_selection(&self, ops: Vec<WriteOp>) -> Vec<WriteOp> {
        let [WriteOp::CommentIncident { text, .. }] = ops.as_slice() else {
            return ops;
        };
        if !self.pages.is_empty() || self.queue.marked.len() < 2 {
            return ops;
        }
        self.targets()
            .into_iter()
            .filter_map(|t| match t {
                Target::Incident(incident_id) => Some(WriteOp::CommentIncident {
                    incident_id,
                    text: text.clone(),
                }),
                Target::Alert(_) => None,
            })
            .collect()
    }

    /// `:retry`: retries failed writes and shows again the dialog of each write in conflict.
    pub(super) fn retry_and_review_conflicts(&mut self) -> Vec<Effect> {
        let open: Vec<OpId> = self
            .modals
            .iter()
            .filter_map(|m| m.downcast_ref::<ConflictConfirm>().map(ConflictConfirm::op))
            .collect();
        let dialogs: Vec<Box<dyn Overlay>> = self
            .store
            .conflicts()
            .into_iter()
            .filter(|c| !open.contains(&c.op))
            .filter_map(|c| {
                let WriteOp::PatchIncident {
                    incident_id, patch, ..
                } = &c.write
                else {
                    return None;
                };
                let server = self.store.incident(incident_id)?.server();
                let dialog = conflict_dialog(patch, server, &c.fields);
                Some(
                    Box::new(ConflictConfirm::new(dialog, c.op, c.write.clone()))
                        as Box<dyn Overlay>,
                )
            })
            .collect();
        let conflicts = self.store.conflicts().len();
        // The engine counts writes in conflict among the failed ones.
        let failed = self.sync.outbox_failed.saturating_sub(conflicts);
        self.modals.extend(dialogs);
        let mut said = Vec::new();
        if failed > 0 {
            let writes = if failed == 1 { "write" } else { "writes" };
            said.push(format!("Retrying {failed} failed {writes}"));
        }
        if conflicts > 0 {
            let verb = if conflicts == 1 {
                "write waits"
            } else {
                "writes wait"
            };
            said.push(format!(
                "{conflicts} {verb} for your decision on a conflict"
            ));
        }
        if said.is_empty() {
            self.show_toast(Level::Info, "Nothing to retry");
            return Vec::new();
        }
        self.show_toast(Level::Info, said.join("; "));
        if failed > 0 {
            vec![Effect::SendCommand(Command::RetryFailed)]
        } else {
            Vec::new()
        }
    }

    /// Before the store applies `update`: the local write a conflict is about.
    pub(super) fn conflict_write(&self, update: &StoreUpdate) -> Option<(OpId, WriteOp)> {
        let StoreUpdate::Conflict { op, .. } = update else {
            return None;
        };
        // Writes replayed from the outbox after a restart are known only to the store.
        let w = self
            .writes
            .get(op)
            .cloned()
            .or_else(|| self.store.pending_write(*op))?;
        Some((*op, w))
    }

    /// After the store applied a write outcome: result lists, deliveries, conflict dialog.
    pub(super) fn write_settled(
        &mut self,
        outcome: WriteOutcome,
        conflict: Option<(OpId, WriteOp, &StoreUpdate)>,
    ) {
        self.writes.remove(&outcome.op);
        for m in &mut self.modals {
            if let Some(b) = m.downcast_mut::<BulkResults>() {
                b.record(outcome.op, outcome.result.clone());
            }
        }
        if matches!(outcome.result, ItemResult::Pending) {
            return;
        }
        if let Some((
            op,
            write,
            StoreUpdate::Conflict {
                server,
                changed_fields,
                ..
            },
        )) = conflict
            && let WriteOp::PatchIncident { patch, .. } = &write
        {
            let dialog = conflict_dialog(patch, server, changed_fields);
            self.modals
                .push(Box::new(ConflictConfirm::new(dialog, op, write)));
        }
    }
}

/// One line for a bulk result row, after the `#id` the row already shows.
fn describe(store: &crate::store::Store, w: &WriteOp) -> String {
    match w {
        WriteOp::PatchIncident {
            incident_id, patch, ..
        } => match store.incident(incident_id) {
            Some(e) => describe_changes(&e.incident, patch).join("; "),
            None => "changes".into(),
        },
        WriteOp::PatchAlert { .. } => "alert changes".into(),
        WriteOp::CommentIncident { text, .. } => format!("comment: {}", first_line(text)),
        WriteOp::CommentAlert { text, .. } => format!("alert comment: {}", first_line(text)),
        WriteOp::SendMail { .. } => "inquiry mail".into(),
    }
}

fn first_line(s: &str) -> String {
    let l = s.lines().next().unwrap_or("");
    let mut out: String = l.chars().take(40).collect();
    if l.chars().count() > 40 || s.lines().nth(1).is_some() {
        out.push('…');
    }
    out
}
