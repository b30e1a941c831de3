//! Queue view switching that remembers where it came from (`E` and back), and letting rows
//! that were held still under the cursor take their new order.

use super::App;
use crate::store::Query;

/// A queue view and filter to come back to.
#[derive(Clone, Debug)]
pub(super) struct SavedQueueView {
    view_name: String,
    base: Query,
    filter_text: String,
    filter: Query,
}

impl App {
    /// `E`: the Defender Experts list, or back to the view and filter it was opened from.
    pub(super) fn toggle_experts_view(&mut self) {
        if self.queue.view_name.eq_ignore_ascii_case("experts") {
            match self.queue.before_experts.take() {
                Some(v) => self.restore_view(v),
                None => self.set_view("default"),
            }
            return;
        }
        let saved = SavedQueueView {
            view_name: self.queue.view_name.clone(),
            base: self.queue.base.clone(),
            filter_text: std::mem::take(&mut self.queue.filter_text),
            filter: std::mem::take(&mut self.queue.filter),
        };
        self.set_view("experts");
        self.queue.before_experts = Some(saved);
    }

    fn restore_view(&mut self, v: SavedQueueView) {
        let q = &mut self.queue;
        q.view_name = v.view_name;
        q.base = v.base;
        q.filter_text = v.filter_text;
        q.filter = v.filter;
        q.stale = true;
        q.top_if_missing = true;
        q.order_held = false;
        self.pages.clear();
    }

    /// Lets held rows take their new order: keeping the cursor's row for a move, following the
    /// selected incident for a refresh.
    pub(super) fn settle_order(&mut self, keep_row: bool) {
        if self.queue.order_held {
            self.queue.order_held = false;
            self.queue.stale = true;
            self.queue.keep_index = keep_row;
            self.ensure_view();
        }
    }
}
