//! The Defender Experts list: the queue's `experts` view, opened with `E` from any view and
//! left with `E` or Esc, back to the view and filter it was opened from.

use super::QueuePage;
use crate::store::Query;

/// A queue view and filter to come back to.
#[derive(Clone, Debug)]
pub struct SavedQueueView {
    view_name: String,
    base: Query,
    filter_text: String,
    filter: Query,
}

impl QueuePage {
    /// True while the queue shows the Defender Experts list.
    pub fn in_experts_list(&self) -> bool {
        self.view_name.eq_ignore_ascii_case("experts")
    }

    /// `E`: the Defender Experts list, or back to the view and filter it was opened from.
    pub fn toggle_experts_view(&mut self, saved: &[(String, String)]) {
        if self.in_experts_list() {
            match self.before_experts.take() {
                Some(v) => self.restore_view(v),
                // A built-in view name always parses.
                None => drop(self.set_view("default", saved)),
            }
            return;
        }
        let before = SavedQueueView {
            view_name: self.view_name.clone(),
            base: self.base.clone(),
            filter_text: std::mem::take(&mut self.filter_text),
            filter: std::mem::take(&mut self.filter),
        };
        drop(self.set_view("experts", saved));
        self.before_experts = Some(before);
    }

    /// Esc on the Defender Experts list opened with `E`: back where it came from.
    pub fn leaves_experts_list_on_back(&self) -> bool {
        self.before_experts.is_some() && self.in_experts_list()
    }

    fn restore_view(&mut self, v: SavedQueueView) {
        self.view_name = v.view_name;
        self.base = v.base;
        self.filter_text = v.filter_text;
        self.filter = v.filter;
        self.stale = true;
        self.top_if_missing = true;
        self.order_held = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_twice_comes_back_to_the_view_and_filter_it_left() {
        let mut q = QueuePage::default();
        q.set_view("all", &[]).ok();
        q.filter_text = "sev:high".into();
        q.toggle_experts_view(&[]);
        assert!(q.in_experts_list());
        assert!(q.filter_text.is_empty());
        assert!(q.leaves_experts_list_on_back());
        q.toggle_experts_view(&[]);
        assert_eq!(q.view_name, "all");
        assert_eq!(q.filter_text, "sev:high");
        assert!(!q.leaves_experts_list_on_back());
    }
}
