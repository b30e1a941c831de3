//! Query history, newest last, kept in the profile's state directory (`hunt_history.json`,
//! 0600, written atomically). A corrupt or missing file is an empty history.

use std::path::PathBuf;

/// Most queries kept.
pub const MAX_ENTRIES: usize = 100;
/// Largest history file read (bytes).
const MAX_FILE: u64 = 4 << 20;

/// The queries run before, oldest first.
#[derive(Clone, Debug, Default)]
pub struct History {
    path: Option<PathBuf>,
    entries: Vec<String>,
}

impl History {
    /// Loads the history at `path` (`None`: kept in memory only).
    pub fn load(path: Option<PathBuf>) -> History {
        let entries = path
            .as_ref()
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() <= MAX_FILE))
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice::<Vec<String>>(&b).ok())
            .unwrap_or_default();
        History { path, entries }
    }

    /// The queries, oldest first.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Records `query` as the newest (an earlier copy moves up) and saves; the error text when
    /// the file could not be written.
    pub fn push(&mut self, query: &str) -> Result<(), String> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(());
        }
        self.entries.retain(|e| e != q);
        self.entries.push(q.to_string());
        if self.entries.len() > MAX_ENTRIES {
            let cut = self.entries.len() - MAX_ENTRIES;
            self.entries.drain(..cut);
        }
        let Some(path) = &self.path else {
            return Ok(());
        };
        let bytes = serde_json::to_vec_pretty(&self.entries).map_err(|e| e.to_string())?;
        crate::paths::write_private_atomic(path, &bytes)
            .map_err(|e| format!("could not save the hunting history: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_dedupe_cap_and_survive_a_reload_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("hunt_history.json");
        let mut h = History::load(Some(path.clone()));
        assert!(h.entries().is_empty());
        h.push("AlertInfo | take 1").unwrap();
        h.push("EmailEvents").unwrap();
        h.push("AlertInfo | take 1").unwrap();
        h.push("   ").unwrap();
        assert_eq!(h.entries(), ["EmailEvents", "AlertInfo | take 1"]);
        let again = History::load(Some(path.clone()));
        assert_eq!(again.entries(), h.entries());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        for i in 0..MAX_ENTRIES + 5 {
            h.push(&format!("T | take {i}")).unwrap();
        }
        assert_eq!(h.entries().len(), MAX_ENTRIES);
        std::fs::write(&path, b"not json").unwrap();
        assert!(History::load(Some(path)).entries().is_empty());
    }
}
