//! Values by string id in one dense vector, with a map from id to position. A hash map of whole
//! values leaves up to half of its buckets empty, each as large as a value; here the empty
//! buckets only hold an id pointer and a position, and the values themselves sit packed.

use super::grow;
use std::collections::HashMap;

/// A map from id to `T`, for many small values.
pub(super) struct Table<T> {
    slots: Vec<Option<T>>,
    /// Positions of removed values, reused first.
    free: Vec<u32>,
    index: HashMap<Box<str>, u32>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            slots: Vec::new(),
            free: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Table<T> {
    pub(super) fn get(&self, id: &str) -> Option<&T> {
        let &i = self.index.get(id)?;
        self.slots.get(i as usize)?.as_ref()
    }

    pub(super) fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let &i = self.index.get(id)?;
        self.slots.get_mut(i as usize)?.as_mut()
    }

    /// Inserts or replaces the value of `id`; returns the value it replaced.
    pub(super) fn insert(&mut self, id: &str, value: T) -> Option<T> {
        if let Some(&i) = self.index.get(id)
            && let Some(slot) = self.slots.get_mut(i as usize)
        {
            return slot.replace(value);
        }
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(value);
                i
            }
            None => {
                grow::reserve(&mut self.slots, 1);
                self.slots.push(Some(value));
                u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
            }
        };
        self.index.insert(id.into(), i);
        None
    }

    pub(super) fn remove(&mut self, id: &str) -> Option<T> {
        let i = self.index.remove(id)?;
        let old = self.slots.get_mut(i as usize)?.take();
        self.free.push(i);
        old
    }

    pub(super) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.slots.iter_mut().flatten()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.index.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_replaces_removes_and_reuses_positions() {
        let mut t: Table<String> = Table::default();
        assert_eq!(t.insert("a", "1".into()), None);
        assert_eq!(t.insert("b", "2".into()), None);
        assert_eq!(t.insert("a", "3".into()), Some("1".into()));
        assert_eq!(
            (t.get("a").cloned(), t.get("b").cloned()),
            (Some("3".into()), Some("2".into()))
        );
        assert_eq!(t.remove("a"), Some("3".into()));
        assert_eq!(t.get("a"), None);
        assert_eq!(t.remove("a"), None);
        assert_eq!(t.len(), 1);
        t.insert("c", "4".into());
        assert_eq!(t.slots.len(), 2, "the freed position is reused");
        if let Some(v) = t.get_mut("c") {
            v.push('!');
        }
        let mut all: Vec<String> = t.values_mut().map(|v| v.clone()).collect();
        all.sort();
        assert_eq!(all, ["2", "4!"]);
    }
}
