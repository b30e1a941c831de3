//! What the sync engine reports, applied: store updates go to `Store::apply` and then to the
//! queue, the notices, the write bookkeeping and the Defender Experts deliveries; console
//! events (sync status, errors, load progress, mail and task results) are handled here. Also
//! the 1 Hz clock.

use super::deliveries::DeliveryOutcome;
use super::{App, Effect, Level, writes};
use crate::graph::model::Timestamp;
use crate::sync::{ConsoleEvent, Routed, StoreUpdate, Update};
use ratatui::buffer::Buffer;
use std::time::Instant;

impl App {
    /// Applies one update from the sync engine. Returns [`Effect::Bell`] for important notices
    /// when the bell is enabled.
    pub fn apply_update(&mut self, update: Update) -> Vec<Effect> {
        match update.route() {
            Routed::Store(u) => self.apply_store_update(u),
            Routed::Console(e) => self.console_event(e),
        }
    }

    /// News from the engine that leaves the store alone.
    fn console_event(&mut self, event: ConsoleEvent) -> Vec<Effect> {
        let mut effects = Vec::new();
        match event {
            ConsoleEvent::Status(s) => {
                if s != self.sync {
                    self.sync = s;
                    self.dirty = true;
                }
            }
            ConsoleEvent::Error { message } => {
                self.remember(Level::Error, message.clone());
                self.show_toast(Level::Error, message);
            }
            ConsoleEvent::MailSent {
                op,
                inquiry_id,
                result,
            } => self.mail_sent(op, &inquiry_id, result),
            ConsoleEvent::Tasks { incident_id, tasks } => self.tasks_loaded(&incident_id, tasks),
            ConsoleEvent::Hunt(u) => {
                crate::ui::hunt::route_update(&mut self.modals, &u);
                self.dirty = true;
            }
            ConsoleEvent::TaskUpdated {
                incident_id,
                result,
                ..
            } => {
                let more = self.task_updated(&incident_id, result.map(|_| ()));
                effects.extend(more);
                self.dirty = true;
            }
            ConsoleEvent::BadRecords { context, records } => self.show_toast(
                Level::Warn,
                format!(
                    "{} record(s) could not be read ({context}); kept raw",
                    records.len()
                ),
            ),
            ConsoleEvent::LoadComplete { total, elapsed, .. } => {
                self.queue.stale = true;
                self.counts_stale = true;
                // Routine news never hides a warning still on screen (a corrupt outbox at
                // start, an expired sign-in…).
                if self.toast.as_ref().is_none_or(|n| n.level == Level::Info) {
                    self.show_toast(
                        Level::Info,
                        format!("Loaded {total} incidents in {:.1}s", elapsed.as_secs_f64()),
                    );
                }
            }
            ConsoleEvent::OutboxLoaded { ops } => {
                // Op ids of an earlier run must never be handed out again.
                if let Some(max) = ops.iter().max() {
                    self.next_op = self.next_op.max(max.saturating_add(1));
                }
                effects.extend(self.resume_deliveries(&ops));
            }
            ConsoleEvent::MailPending { op, message, .. } => {
                self.delivery_op_outcome(op, DeliveryOutcome::Retrying(message))
            }
        }
        effects
    }

    /// An update of the store's model: applied, then the queue, notices, write results and
    /// deliveries follow it.
    fn apply_store_update(&mut self, update: StoreUpdate) -> Vec<Effect> {
        let mut effects = Vec::new();
        self.note_outbox_state(&update);
        let delivery = Self::comment_delivery_of(&update);
        let conflict = self.conflict_write(&update);
        let outcome = writes::WriteOutcome::of(&update);
        let conflict_update = conflict.as_ref().map(|_| update.clone());
        let selected_before = self.selected_incident_snapshot();
        let ch = self.store.apply_store(update);
        if ch.dirty || ch.inserted > 0 || ch.updated > 0 || !ch.notices.is_empty() {
            self.queue.stale = true;
            self.counts_stale = true;
            self.dirty = true;
        }
        if selected_before.is_some() && selected_before != self.selected_incident_snapshot() {
            self.queue.hold_if_moved = true;
        }
        let ring = self.announce(ch.notices);
        if ring && self.bell {
            effects.push(Effect::Bell);
        }
        if let Some(o) = outcome {
            let c = conflict
                .zip(conflict_update.as_ref())
                .map(|((op, w), u)| (op, w, u));
            self.write_settled(o, c);
        }
        if let Some((op, d)) = delivery {
            self.delivery_op_outcome(op, d);
        }
        self.refresh_experts_modals();
        effects
    }

    /// Remembers which writes failed but stay in the outbox (see `in_outbox`).
    fn note_outbox_state(&mut self, update: &StoreUpdate) {
        match update {
            StoreUpdate::WriteFailed {
                op,
                retryable: true,
                ..
            } => {
                self.in_outbox.insert(*op);
            }
            StoreUpdate::WriteFailed { op, .. }
            | StoreUpdate::IncidentWritten { op, .. }
            | StoreUpdate::AlertWritten { op, .. }
            | StoreUpdate::CommentsWritten { op, .. }
            | StoreUpdate::Conflict { op, .. } => {
                self.in_outbox.remove(op);
            }
            _ => {}
        }
    }

    /// The selected incident as the store shows it (to tell whether an update changed it).
    fn selected_incident_snapshot(&self) -> Option<crate::graph::model::Incident> {
        let id = self.queue.selected_id.as_deref()?;
        self.store.incident(id).map(|e| e.incident.clone())
    }

    // ----- time -----

    /// Advances the clock (1 Hz). Returns true (and marks dirty) only when something visible
    /// changed: the spinner, an expired toast, or a relative time on screen.
    pub fn tick(&mut self, now: Timestamp) -> bool {
        self.tick_with(now, Instant::now())
    }

    /// [`tick`](Self::tick) with the monotonic clock given (drafts autosave against it).
    pub fn tick_with(&mut self, now: Timestamp, instant: Instant) -> bool {
        self.now = now;
        let mut changed = self.autosave(instant);
        if self.sync.in_flight {
            self.spinner = self.spinner.wrapping_add(1);
            changed = true;
        }
        changed |= crate::ui::hunt::animating(&self.modals);
        if self.toast.as_ref().is_some_and(|t| t.expired(now)) {
            self.toast = None;
            changed = true;
        }
        if !changed && let Some(last) = self.last_frame.take() {
            let mut scratch = Buffer::empty(last.area);
            self.render_base(last.area, &mut scratch);
            changed = scratch != last;
            self.last_frame = Some(last);
        }
        if changed {
            self.dirty = true;
        }
        changed
    }
}
