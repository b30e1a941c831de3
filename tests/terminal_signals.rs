//! The real `vigil` binary in a pseudo-terminal (`--demo`, isolated HOME/XDG dirs) under
//! signals: SIGTERM and SIGHUP end it cleanly with the terminal restored, after SIGHUP the
//! local database holds the incidents, a SIGKILLed session restarts from that database, and the
//! terminal modes (`stty -a`) are identical before and after a session ended by SIGTERM, SIGINT
//! or SIGQUIT (sent by `kill`; in raw mode Ctrl-C is a key), after which the database holds the
//! incidents too. The old snapshot files are never written.

mod support;

use portable_pty::CommandBuilder;
use std::path::{Path, PathBuf};
use support::pty::{Pty, children, kill};

/// Snapshot cache files anywhere under `dir`.
fn snapshots(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("snapshot-") && n.ends_with(".json"))
            {
                out.push(p);
            }
        }
    }
    out
}

/// Incidents in the local database under `dir` (0 without one); run after vigil exited.
fn stored_incidents(dir: &Path) -> usize {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if e.file_name() == vigil::db::FILE_NAME {
                let opened = vigil::db::Db::open(&d).unwrap();
                return vigil::db::incidents::count(&opened.db).unwrap();
            }
        }
    }
    0
}

#[test]
fn sigterm_exits_cleanly_and_leaves_the_alternate_screen() {
    let home = tempfile::tempdir().unwrap();
    let mut p = Pty::vigil(home.path(), &["--demo", "--no-cache"]);
    p.wait_for("shown ·");
    assert!(p.alternate_screen());
    kill("-TERM", p.pid());
    let status = p.wait_exit();
    assert!(status.success(), "SIGTERM is a normal exit: {status:?}");
    assert!(!p.alternate_screen(), "alternate screen left");
    assert!(
        snapshots(home.path()).is_empty(),
        "--no-cache writes no snapshot"
    );
}

#[test]
fn sighup_saves_state_and_a_killed_session_restarts_from_the_cache() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("xdg_state_home");

    // (b) SIGHUP: exits, the incidents are in the database, the terminal is restored.
    let mut p = Pty::vigil(home.path(), &["--demo"]);
    p.wait_for("refreshed");
    kill("-HUP", p.pid());
    let status = p.wait_exit();
    assert!(
        status.success(),
        "SIGHUP ends the session normally: {status:?}"
    );
    assert!(!p.alternate_screen(), "alternate screen left");
    assert!(snapshots(&state).is_empty(), "no old snapshot file");
    let n = stored_incidents(&state);
    assert!(n > 10, "the database holds the incidents ({n})");

    // (c) A session started from that database is SIGKILLed (nothing saved, nothing restored) ...
    let mut p = Pty::vigil(home.path(), &["--demo"]);
    p.wait_for("stored incidents");
    kill("-KILL", p.pid());
    let status = p.wait_exit();
    assert!(!status.success(), "SIGKILL is not a clean exit");

    // ... and the next start still comes up from the database and syncs.
    let mut p = Pty::vigil(home.path(), &["--demo"]);
    p.wait_for("stored incidents");
    p.wait_for("refreshed");
    kill("-TERM", p.pid());
    assert!(p.wait_exit().success());
    assert!(!p.alternate_screen());
}

#[test]
fn terminal_modes_are_identical_before_and_after_a_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let script = format!(
        "stty -a > before; '{}' --demo --no-cache; rc=$?; stty -a > after; echo done-$rc",
        env!("CARGO_BIN_EXE_vigil")
    );
    let mut cmd = CommandBuilder::new("sh");
    cmd.args(["-c", &script]);
    let mut p = Pty::spawn(cmd, home.path());
    p.wait_for("shown ·");
    let shell = p.pid();
    let vigil = children(shell);
    assert_eq!(vigil.len(), 1, "the shell runs vigil: {vigil:?}");
    kill("-TERM", vigil[0]);
    assert!(p.wait_exit().success());
    assert!(p.text().contains("done-0"), "vigil exited 0:\n{}", p.text());
    let before = std::fs::read_to_string(home.path().join("before")).unwrap();
    let after = std::fs::read_to_string(home.path().join("after")).unwrap();
    assert!(before.contains("icanon"), "stty output: {before}");
    assert_eq!(before, after, "terminal modes changed by the session");
}

/// `kill -INT` and `kill -QUIT` end the console as SIGTERM does: exit 0, the alternate screen
/// left, the terminal modes as before, the incidents in the database.
#[test]
fn sigint_and_sigquit_restore_the_terminal_and_save_like_sigterm() {
    for sig in ["-INT", "-QUIT"] {
        let home = tempfile::tempdir().unwrap();
        let script = format!(
            "stty -a > before; '{}' --demo; rc=$?; stty -a > after; echo done-$rc",
            env!("CARGO_BIN_EXE_vigil")
        );
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", &script]);
        let mut p = Pty::spawn(cmd, home.path());
        p.wait_for("refreshed");
        assert!(p.alternate_screen());
        let vigil = children(p.pid());
        assert_eq!(vigil.len(), 1, "the shell runs vigil: {vigil:?}");
        kill(sig, vigil[0]);
        assert!(p.wait_exit().success());
        assert!(
            p.text().contains("done-0"),
            "kill {sig}: vigil exited 0:\n{}",
            p.text()
        );
        assert!(!p.alternate_screen(), "kill {sig}: alternate screen left");
        let before = std::fs::read_to_string(home.path().join("before")).unwrap();
        let after = std::fs::read_to_string(home.path().join("after")).unwrap();
        assert!(before.contains("icanon"), "stty output: {before}");
        assert_eq!(before, after, "kill {sig}: terminal modes changed");
        let n = stored_incidents(&home.path().join("xdg_state_home"));
        assert!(n > 10, "kill {sig}: the database holds the incidents ({n})");
    }
}
