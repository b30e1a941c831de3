//! The queue page: the incident list of a view (`default`, `all`, `experts` or a saved view),
//! narrowed by the `/` filter, in a chosen sort, with the selection and the multi-selection.
//! Rows the analyst is looking at are held still when an update would move them (see
//! [`QueuePage::refresh`]).

use super::experts_list::SavedQueueView;
use super::{PageCtx, movement};
use crate::store::{Counts, IncidentEntry, Query, RowMark, Sort, Store};
use crate::sync::Target;
use crate::ui::action::Action;
use crate::ui::views::queue::{self, QueueRows, SORT_CYCLE};
use crate::ui::views::queue_summary::{self, QueueSummary};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use std::collections::HashSet;

/// The toast shown when the rows are held still under the cursor.
pub const ORDER_HELD: &str = "The list order changed — rows move on your next key (j/k) or refresh";

/// The queue's state: its view, filter and sort, the rows in view order and the selection.
pub struct QueuePage {
    pub(crate) view_name: String,
    pub(crate) base: Query,
    pub(crate) filter_text: String,
    pub(crate) filter: Query,
    pub(crate) sort: Sort,
    pub(crate) ids: Vec<String>,
    pub(crate) selected: usize,
    pub(crate) selected_id: Option<String>,
    pub(crate) offset: usize,
    pub(crate) stale: bool,
    /// On the next recompute, go to the top if the selected id is gone (filter/view changes).
    pub(crate) top_if_missing: bool,
    pub(crate) marked: HashSet<String>,
    /// The view and filter `E` left, restored by `E` again or `Esc`.
    pub(crate) before_experts: Option<SavedQueueView>,
    /// The selected incident itself changed in the last update: if the sort moves it, hold the
    /// rows still instead of following it.
    pub(crate) hold_if_moved: bool,
    /// The rows are held in their old order under the cursor until the next move or refresh.
    pub(crate) order_held: bool,
    /// On the next recompute keep the selected index (the cursor's row), not the incident.
    pub(crate) keep_index: bool,
    /// The typed filter is invalid: the rows are those of the filter in effect before it.
    pub(crate) filter_fallback: bool,
}

/// What [`QueuePage::refresh`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refresh {
    /// The rows were up to date (or are held).
    Unchanged,
    /// The rows were recomputed.
    Changed,
    /// The selected incident moved: the rows are now held still under the cursor.
    Held,
}

/// What the queue shows besides its rows.
pub struct QueueFrame<'a> {
    pub counts: &'a Counts,
    /// The input line shows the filter being typed (the summary leaves it out).
    pub typing_filter: bool,
    /// The first load is still running (an empty list says "Loading…").
    pub loading: bool,
}

impl Default for QueuePage {
    fn default() -> Self {
        QueuePage {
            view_name: "default".into(),
            base: Query::portal_default(),
            filter_text: String::new(),
            filter: Query::default(),
            sort: Sort::default(),
            ids: Vec::new(),
            selected: 0,
            selected_id: None,
            offset: 0,
            stale: true,
            top_if_missing: false,
            marked: HashSet::new(),
            before_experts: None,
            hold_if_moved: false,
            order_held: false,
            keep_index: false,
            filter_fallback: false,
        }
    }
}

impl QueuePage {
    /// Recomputes the rows if they are stale and not held, keeping the selected incident (or
    /// row) on the same screen line when possible.
    pub fn refresh(&mut self, store: &Store) -> Refresh {
        if !self.stale || self.order_held {
            return Refresh::Unchanged;
        }
        self.stale = false;
        let query = self.base.clone().and(self.filter.clone());
        let old_sel = self.selected;
        let old_screen_row = self.selected.saturating_sub(self.offset);
        let ids = store.view(&query, self.sort);
        let found = self
            .selected_id
            .as_ref()
            .and_then(|id| ids.iter().position(|x| x == id));
        let hold = std::mem::take(&mut self.hold_if_moved);
        if hold
            && found.is_some_and(|i| i != old_sel)
            && self.ids.get(old_sel) == self.selected_id.as_ref()
        {
            // The selected incident changed and the sort moved it: keep the rows still under
            // the cursor until the next move or refresh.
            self.order_held = true;
            self.stale = true;
            return Refresh::Held;
        }
        self.ids = ids;
        let keep_index = std::mem::take(&mut self.keep_index);
        self.selected = match found {
            _ if keep_index => old_sel.min(self.ids.len().saturating_sub(1)),
            Some(i) => i,
            None if self.top_if_missing => 0,
            None => old_sel.min(self.ids.len().saturating_sub(1)),
        };
        self.top_if_missing = false;
        self.selected_id = self.ids.get(self.selected).cloned();
        // Keep the selected row on the same screen line when possible.
        self.offset = self.selected.saturating_sub(old_screen_row);
        Refresh::Changed
    }

    /// Selects row `index` (clamped) and marks it seen; true when a mark changed.
    pub fn select(&mut self, index: usize, store: &mut Store) -> bool {
        if self.ids.is_empty() {
            self.selected = 0;
            self.selected_id = None;
            return false;
        }
        self.selected = index.min(self.ids.len() - 1);
        self.selected_id = self.ids.get(self.selected).cloned();
        match self.selected_id.as_deref() {
            Some(id) if store.incident(id).is_some_and(|e| e.mark != RowMark::Seen) => {
                store.mark_seen(id);
                true
            }
            _ => false,
        }
    }

    /// Moves the selection by `delta` rows; true when a seen mark changed.
    pub fn move_by(&mut self, delta: isize, store: &mut Store) -> bool {
        let len = self.ids.len();
        if len == 0 {
            return false;
        }
        let n = (self.selected as isize)
            .saturating_add(delta)
            .clamp(0, len as isize - 1) as usize;
        self.select(n, store)
    }

    /// Carries out a queue action (movement, sort, select); true when a seen mark changed.
    /// Other actions are the router's.
    pub fn perform(&mut self, action: Action, store: &mut Store, rows: usize) -> bool {
        match action {
            Action::SortNext => self.cycle_sort(1),
            Action::SortPrev => self.cycle_sort(-1),
            Action::SortReverse => self.set_sort(Sort {
                key: self.sort.key,
                descending: !self.sort.descending,
            }),
            Action::ToggleSelect => {
                if let Some(id) = self.selected_id.clone() {
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    return self.move_by(1, store);
                }
            }
            _ => {
                if let Some(delta) = movement(action, rows) {
                    return self.move_by(delta, store);
                }
            }
        }
        false
    }

    /// Sets the sort (the rows take their new order).
    pub fn set_sort(&mut self, sort: Sort) {
        self.sort = sort;
        self.stale = true;
        self.order_held = false;
    }

    fn cycle_sort(&mut self, step: isize) {
        let pos = SORT_CYCLE
            .iter()
            .position(|k| *k == self.sort.key)
            .unwrap_or(0) as isize;
        let n = SORT_CYCLE.len() as isize;
        let key = SORT_CYCLE[((pos + step).rem_euclid(n)) as usize];
        self.set_sort(Sort {
            key,
            descending: queue::default_descending(key),
        });
    }

    /// Switches the base view: `default`, `all`, `experts`, or one of `saved` by name. `Err`
    /// carries the message to show.
    pub fn set_view(&mut self, name: &str, saved: &[(String, String)]) -> Result<(), String> {
        let name = name.trim();
        let builtin = match name.to_ascii_lowercase().as_str() {
            "" | "default" => Some(Ok(Query::portal_default())),
            "all" => Some(Ok(Query::default())),
            "experts" | "dex" => Some(Query::parse("experts:yes")),
            _ => None,
        };
        let parsed = builtin.or_else(|| {
            saved
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, q)| Query::parse(q))
        });
        match parsed {
            Some(Ok(q)) => {
                self.order_held = false;
                self.before_experts = None;
                self.base = q;
                self.view_name = if name.is_empty() {
                    "default".into()
                } else {
                    name.to_string()
                };
                self.stale = true;
                self.top_if_missing = true;
                Ok(())
            }
            Some(Err(e)) => Err(format!("View {name}: {e}")),
            None => {
                let mut names: Vec<String> = vec!["default".into(), "all".into(), "experts".into()];
                names.extend(saved.iter().map(|(n, _)| n.clone()));
                Err(format!(
                    "Unknown view {name:?}; views: {}",
                    names.join(", ")
                ))
            }
        }
    }

    /// Esc on the queue: clears the filter; false when there was none.
    pub fn clear_filter(&mut self) -> bool {
        if self.filter_text.is_empty() {
            return false;
        }
        self.filter_text.clear();
        self.filter = Query::default();
        self.stale = true;
        true
    }

    /// Lets held rows take their new order on the next refresh: keeping the cursor's row for
    /// a move, following the selected incident for a refresh. False when none were held.
    pub fn release_order(&mut self, keep_row: bool) -> bool {
        if !self.order_held {
            return false;
        }
        self.order_held = false;
        self.stale = true;
        self.keep_index = keep_row;
        true
    }

    /// What a manage-type action applies to: the multi-selection, else the selected row.
    pub fn targets(&self) -> Vec<Target> {
        if !self.marked.is_empty() {
            let mut v: Vec<&String> = self.marked.iter().collect();
            v.sort();
            v.into_iter()
                .map(|id| Target::Incident(id.clone()))
                .collect()
        } else {
            self.selected_id
                .iter()
                .map(|id| Target::Incident(id.clone()))
                .collect()
        }
    }

    /// Draws the summary line and the visible rows into `body`; returns the rows of the table.
    pub fn render(&mut self, ctx: &PageCtx, f: &QueueFrame, body: Rect, buf: &mut Buffer) -> usize {
        if body.height == 0 {
            return 0;
        }
        let (theme, sym) = (ctx.theme, ctx.sym);
        // While the filter is being typed the input line shows it.
        let filter = if f.typing_filter {
            ""
        } else {
            self.filter_text.as_str()
        };
        let summary = queue_summary::summary_line(
            &QueueSummary {
                view: &self.view_name,
                shown: self.ids.len(),
                counts: f.counts,
                sort: self.sort,
                filter,
                selected: self.marked.len(),
            },
            body.width,
            theme,
            sym,
        );
        crate::ui::text::set_line_cut(buf, body.x, body.y, &summary, body.width);
        let table = Rect {
            x: body.x,
            y: body.y + 1,
            width: body.width,
            height: body.height - 1,
        };
        let rows = table.height.saturating_sub(1) as usize;
        if rows > 0 {
            if self.selected < self.offset {
                self.offset = self.selected;
            } else if self.selected >= self.offset + rows {
                self.offset = self.selected + 1 - rows;
            }
            self.offset = self.offset.min(self.ids.len().saturating_sub(rows));
        }
        if self.ids.is_empty() {
            let msg = if f.loading {
                "Loading incidents…"
            } else {
                "No incidents match this view (:view all shows everything)"
            };
            queue::render_table(
                buf,
                Rect { height: 1, ..table },
                &QueueRows {
                    rows: &[],
                    first_index: 0,
                    selected: None,
                    marked: &self.marked,
                    sort: self.sort,
                    now: ctx.now,
                },
                theme,
                sym,
            );
            if table.height > 1 {
                buf.set_line(
                    table.x + 2,
                    table.y + 1,
                    &Line::from(Span::styled(msg, theme.muted)),
                    table.width,
                );
            }
            return rows;
        }
        let end = (self.offset + rows).min(self.ids.len());
        let visible: Vec<&IncidentEntry> = self.ids[self.offset..end]
            .iter()
            .filter_map(|id| ctx.store.incident(id))
            .collect();
        let data = QueueRows {
            rows: &visible,
            first_index: self.offset,
            selected: Some(self.selected),
            marked: &self.marked,
            sort: self.sort,
            now: ctx.now,
        };
        queue::render_table(buf, table, &data, theme, sym);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixture;

    #[test]
    fn refresh_keeps_the_selected_incident_and_unknown_views_are_refused() {
        let mut store = fixture::store(false);
        let mut q = QueuePage::default();
        q.set_view("all", &[]).ok();
        assert_eq!(q.refresh(&store), Refresh::Changed);
        assert!(q.ids.len() > 2);
        q.select(2, &mut store);
        let id = q.selected_id.clone();
        q.set_sort(Sort {
            key: q.sort.key,
            descending: !q.sort.descending,
        });
        assert_eq!(q.refresh(&store), Refresh::Changed);
        assert_eq!(q.selected_id, id, "the selection follows the incident");
        assert_eq!(q.refresh(&store), Refresh::Unchanged, "nothing stale");
        assert!(q.set_view("nonsense", &[]).is_err());
    }

    #[test]
    fn toggle_select_marks_the_row_and_moves_down() {
        let mut store = fixture::store(false);
        let mut q = QueuePage::default();
        q.set_view("all", &[]).ok();
        q.refresh(&store);
        q.select(0, &mut store);
        let first = q.selected_id.clone().expect("a row");
        q.perform(Action::ToggleSelect, &mut store, 10);
        assert!(q.marked.contains(&first));
        assert_eq!(q.selected, 1);
        assert_eq!(q.targets().len(), 1, "the marked row, not the cursor's");
    }
}
