//! Read access to the console's state, for the event loop and tests.

use super::App;
use crate::store::{QueryError, Sort, Store};
use crate::sync::SyncStatus;
use crate::ui::keymap::Context;
use crate::ui::overlay::Overlay;
use crate::ui::overlay_screens::{QuitConfirm, ScrollKind};
use crate::ui::theme::Theme;

impl App {
    /// The profile's database, when there is one.
    pub fn db(&self) -> Option<&crate::db::Db> {
        self.db.as_ref()
    }

    /// The model the console draws.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Consumes the app, giving back the store (saved as the snapshot cache on exit).
    pub fn into_store(self) -> Store {
        self.store
    }

    /// Mutable store access (tests, start-up).
    pub fn store_mut(&mut self) -> &mut Store {
        self.queue.stale = true;
        self.counts_stale = true;
        &mut self.store
    }

    /// Sets the clock used for relative times (tests inject a fixed "now").
    pub fn set_now(&mut self, now: crate::graph::model::Timestamp) {
        self.now = now;
    }

    /// True when something changed since the last draw.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Returns the dirty flag and clears it.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::replace(&mut self.dirty, false)
    }

    /// Marks the screen for a redraw.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// The queue's ids in view order (recomputed if stale).
    pub fn view_ids(&mut self) -> &[String] {
        self.ensure_view();
        &self.queue.ids
    }

    /// The selected incident id in the queue.
    pub fn selected_id(&self) -> Option<&str> {
        self.queue.selected_id.as_deref()
    }

    /// The selected index in the queue.
    pub fn selected_index(&self) -> usize {
        self.queue.selected
    }

    /// The current sort.
    pub fn sort(&self) -> Sort {
        self.queue.sort
    }

    /// The filter text in effect.
    pub fn filter_text(&self) -> &str {
        &self.queue.filter_text
    }

    /// The text of the open input line, if any.
    pub fn input_text(&self) -> Option<&str> {
        self.input.as_ref().map(|i| i.text.as_str())
    }

    /// The inline query error of the open filter, if any.
    pub fn input_error(&self) -> Option<&QueryError> {
        self.input.as_ref().and_then(|i| i.error.as_ref())
    }

    /// The screen the keys apply to.
    pub fn context(&self) -> Context {
        self.pages.last().map_or(Context::Queue, |p| p.context())
    }

    /// Number of pages above the queue.
    pub fn depth(&self) -> usize {
        self.pages.len()
    }

    /// The incident shown by the top page, if any.
    pub fn open_incident(&self) -> Option<&str> {
        self.pages.iter().rev().find_map(|p| p.incident_id())
    }

    /// The alert shown by the top page, if any.
    pub fn open_alert(&self) -> Option<&str> {
        self.pages.last().and_then(|p| p.alert_id())
    }

    /// True while the help overlay is open.
    pub fn help_open(&self) -> bool {
        self.screen_is(ScrollKind::Help)
    }

    /// True while the notice history is open.
    pub fn notices_open(&self) -> bool {
        self.screen_is(ScrollKind::Notices)
    }

    /// True while the queue's rows are held in their old order under the cursor.
    pub fn order_held(&self) -> bool {
        self.queue.order_held
    }

    /// True when the open filter is invalid and the rows are those of the last valid filter.
    pub fn filter_fallback(&self) -> bool {
        self.queue.filter_fallback
    }

    /// True while the quit confirmation is open.
    pub fn confirm_open(&self) -> bool {
        self.screen.as_ref().is_some_and(|s| s.is::<QuitConfirm>())
    }

    /// The pane on top of the overlay stack, if any.
    pub fn modal(&self) -> Option<&dyn Overlay> {
        self.modals.last().map(|m| &**m)
    }

    /// The pane on top of the overlay stack if it is a `T` (`app.modal_as::<ManagePane>()`).
    pub fn modal_as<T: Overlay>(&self) -> Option<&T> {
        self.modal().and_then(|m| m.downcast_ref::<T>())
    }

    /// Every open pane, bottom first.
    pub fn modals(&self) -> &[Box<dyn Overlay>] {
        &self.modals
    }

    /// Sync state as last reported.
    pub fn sync_status(&self) -> &SyncStatus {
        &self.sync
    }

    /// The theme in use.
    pub fn theme(&self) -> &Theme {
        &self.theme
    }
}
