//! An Ask Defender Experts draft survives the console being killed: the real `vigil --demo`
//! binary in a pseudo-terminal with isolated HOME/XDG directories. (a) After an idle pause the
//! autosaved draft is on disk, survives SIGKILL and is restored when the same incident's Ask
//! pane is reopened in a new process; (b) text typed just before SIGHUP is flushed to disk.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::pty::Pty;

/// Every draft JSON under `root` (recursively, in a `drafts` directory).
fn drafts(root: &Path) -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json")
                && p.parent()
                    .and_then(|d| d.file_name())
                    .is_some_and(|n| n == "drafts")
                && let Ok(text) = std::fs::read_to_string(&p)
                && let Ok(v) = serde_json::from_str::<Value>(&text)
            {
                out.push((p, v));
            }
        }
    }
    out
}

/// The draft whose body contains `needle`, waiting up to `within` for it to be written.
fn draft_with(root: &Path, needle: &str, within: Duration) -> Option<(PathBuf, Value)> {
    let start = Instant::now();
    loop {
        let found = drafts(root)
            .into_iter()
            .find(|(_, v)| v["body"].as_str().is_some_and(|b| b.contains(needle)));
        if found.is_some() || start.elapsed() > within {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Opens the Ask pane on the first Defender Experts incident of the queue.
fn open_ask_on_first_den(c: &mut Pty) {
    c.wait_for("refreshed");
    c.send("/Defender Experts");
    c.wait_for("/Defender Experts");
    c.send("\r");
    c.wait_for("filter: Defender Experts");
    c.send("e");
    c.wait_for("Ask Defender Experts");
}

#[test]
fn draft_survives_sigkill_and_sighup() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("xdg_state_home");
    let first = "Is the beacon on this host related to the earlier phishing wave";

    // (a) Autosave, then SIGKILL: nothing gets a chance to flush, the disk must already have it.
    let mut c = Pty::vigil(home.path(), &["--demo", "--no-cache"]);
    open_ask_on_first_den(&mut c);
    c.send(first);
    c.wait_for(first);
    let (path, draft) = draft_with(&state, first, Duration::from_secs(6))
        .expect("the draft is autosaved after an idle pause");
    let key = draft["key"].as_str().unwrap().to_string();
    let id = key
        .strip_prefix("incident:")
        .unwrap_or_else(|| panic!("an incident draft: {key}"))
        .to_string();
    c.signal("-KILL");
    c.wait_exit();
    let after_kill: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(after_kill["body"], draft["body"], "intact after SIGKILL");

    // A new process restores it on the same incident.
    let mut c = Pty::vigil(home.path(), &["--demo", "--no-cache"]);
    c.wait_for("refreshed");
    c.send(format!("/id:{id}"));
    c.wait_for(&format!("/id:{id}"));
    c.send("\r");
    c.wait_for(&format!("filter: id:{id}"));
    c.send("e");
    c.wait_for("Ask Defender Experts");
    c.wait_for(first);

    // (b) Type more and hang up at once (well before the autosave delay): SIGHUP flushes it.
    let more = "ZZ added right before the hangup";
    c.send(more);
    c.wait_for(more);
    let on_disk: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        !on_disk["body"].as_str().unwrap().contains(more),
        "not autosaved yet, so only the hang-up can write it"
    );
    c.signal("-HUP");
    c.wait_exit();
    let flushed: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let body = flushed["body"].as_str().unwrap();
    assert!(body.contains(more), "{body}");
    assert!(body.contains(first), "{body}");
    assert_eq!(flushed["key"], Value::String(key));
}
