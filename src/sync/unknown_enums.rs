//! Incidents whose record held an enum member this build does not know. Their
//! `lastUpdateDateTime` does not change when the service starts sending a known member again,
//! so no delta poll lists them: the engine re-reads them one by one after successful polls
//! (spaced out, a bounded number of times) and on every refresh the analyst asks for.

use std::collections::HashMap;

/// Re-reads of one incident before it waits for the next refresh or listing.
const MAX_REREADS: u32 = 6;
/// At most this many incidents are re-read after one poll.
const BATCH: usize = 20;
/// At most this many after a refresh the analyst asked for.
const REFRESH_BATCH: usize = 200;
/// The longest gap between two re-reads of one incident, in polls.
const MAX_SPACING: u64 = 16;

#[derive(Clone, Copy, Debug)]
struct Rereads {
    tries: u32,
    /// The poll number from which the next re-read is due.
    due: u64,
}

/// The incidents held with unknown enum values and when each is re-read next.
#[derive(Debug, Default)]
pub(crate) struct UnknownEnums {
    held: HashMap<String, Rereads>,
    polls: u64,
    /// A refresh was asked for: the next re-reads take the larger batch.
    refresh: bool,
}

impl UnknownEnums {
    /// A listing carried these incidents: `unknown` held unknown values (re-read from the next
    /// poll on, with a fresh allowance), `clean` did not (nothing more to do for them).
    pub(crate) fn listed(&mut self, unknown: Vec<String>, clean: Vec<String>) {
        for id in clean {
            self.held.remove(&id);
        }
        for id in unknown {
            self.held.insert(id, self.fresh());
        }
    }

    /// A single read of `id` came back, holding unknown values or not.
    pub(crate) fn reread(&mut self, id: String, unknown: bool) {
        if unknown {
            let fresh = self.fresh();
            self.held.entry(id).or_insert(fresh);
        } else {
            self.held.remove(&id);
        }
    }

    /// The analyst asked for a refresh: every held incident is due again after it.
    pub(crate) fn rearm(&mut self) {
        for r in self.held.values_mut() {
            *r = Rereads { tries: 0, due: 0 };
        }
        self.refresh = true;
    }

    /// A poll succeeded: the incidents to re-read now (each counted as tried).
    pub(crate) fn due_after_poll(&mut self) -> Vec<String> {
        self.polls += 1;
        let polls = self.polls;
        let mut due: Vec<String> = self
            .held
            .iter()
            .filter(|(_, r)| r.tries < MAX_REREADS && r.due <= polls)
            .map(|(id, _)| id.clone())
            .collect();
        due.sort_unstable();
        due.truncate(if std::mem::take(&mut self.refresh) {
            REFRESH_BATCH
        } else {
            BATCH
        });
        for id in &due {
            if let Some(r) = self.held.get_mut(id) {
                r.tries += 1;
                r.due = polls + (1u64 << r.tries.min(8)).min(MAX_SPACING);
            }
        }
        due
    }

    /// How many incidents are held with unknown values.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.held.len()
    }

    fn fresh(&self) -> Rereads {
        Rereads {
            tries: 0,
            due: self.polls + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{i:03}")).collect()
    }

    #[test]
    fn rereads_are_batched_spaced_bounded_and_rearmed_by_a_refresh() {
        let mut u = UnknownEnums::default();
        u.listed(ids(25), Vec::new());
        assert_eq!(u.due_after_poll().len(), BATCH);
        assert_eq!(u.due_after_poll(), ["020", "021", "022", "023", "024"]);
        // Polls until every allowance is spent: re-reads get rarer, then stop.
        let mut reads = BATCH + 5;
        for _ in 0..200 {
            reads += u.due_after_poll().len();
        }
        assert_eq!(reads, 25 * MAX_REREADS as usize);
        assert!(u.due_after_poll().is_empty());
        u.rearm();
        assert_eq!(u.due_after_poll().len(), 25, "a refresh re-reads them all");
        assert!(u.due_after_poll().is_empty());
    }

    #[test]
    fn a_clean_read_or_listing_settles_an_incident() {
        let mut u = UnknownEnums::default();
        u.listed(ids(3), Vec::new());
        u.reread("000".into(), false);
        u.listed(Vec::new(), vec!["001".into()]);
        u.reread("002".into(), true);
        assert_eq!(u.len(), 1);
        assert_eq!(u.due_after_poll(), ["002"]);
    }
}
