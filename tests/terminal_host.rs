//! The terminal as a host resource: the real `vigil --demo` binary in a pseudo-terminal with
//! isolated HOME/XDG directories. A huge window (as an SSH client may announce) is drawn
//! capped and keeps the process's peak memory bounded; a resize is redrawn at the new size;
//! Ctrl-Z gives the terminal back to a job-control shell and `fg` brings the console back
//! fully redrawn. Every check waits for a condition (screen content, process state) with a
//! generous deadline.

mod support;

use portable_pty::CommandBuilder;
use support::pty::{Pty, children, kill, proc_state, status_kb};

/// The queue's key hints: the last row of the drawn area.
const HINTS: &str = "? help  q quit";
/// The peak resident memory allowed at any window size (issue 11 item 8).
const MAX_PEAK_KB: u64 = 300 * 1024;

fn assert_alive_and_bounded(p: &Pty, when: &str) {
    let pid = p.pid();
    assert!(
        matches!(proc_state(pid), Some(s) if s != 'Z'),
        "vigil died {when}"
    );
    let peak = status_kb(pid, "VmHWM");
    assert!(
        peak <= MAX_PEAK_KB,
        "peak RSS {peak} kB {when} (limit {MAX_PEAK_KB} kB)"
    );
}

#[test]
fn a_huge_window_is_drawn_capped_and_peak_memory_stays_bounded() {
    let home = tempfile::tempdir().unwrap();
    let mut p = Pty::vigil(home.path(), &["--demo", "--no-cache"]);
    p.wait_for(HINTS);

    // 3000x3000: the console draws 1000x500 (the model holds just that area), the key hints
    // land on row 500, and the process keeps running within the memory bound.
    p.resize(3000, 3000, 500, 1000);
    p.wait_until("the key hints on row 500", |p| {
        assert_alive_and_bounded(p, "while redrawing at 3000x3000");
        p.rows().get(499).is_some_and(|r| r.contains(HINTS))
    });
    assert_alive_and_bounded(&p, "at 3000x3000");

    // 9999x9999: still drawing (the help opens) and still bounded.
    p.resize(9999, 9999, 500, 1000);
    p.send(b"?");
    p.wait_for("Keys: queue");
    assert_alive_and_bounded(&p, "at 9999x9999");

    kill("-TERM", p.pid());
    assert!(p.wait_exit().success());
}

#[test]
fn a_resize_is_redrawn_at_the_new_size() {
    let home = tempfile::tempdir().unwrap();
    let mut p = Pty::vigil(home.path(), &["--demo", "--no-cache"]);
    p.wait_until("the key hints on the last row", |p| {
        p.rows().last().is_some_and(|r| r.contains(HINTS))
    });

    // Larger: the hints move to the new last row and the old last row is overdrawn.
    p.resize(50, 200, 50, 200);
    p.wait_until("the key hints on row 50", |p| {
        p.rows().get(49).is_some_and(|r| r.contains(HINTS))
    });
    p.wait_until("the old layout gone", |p| {
        let rows = p.rows();
        rows.iter().filter(|r| r.contains(HINTS)).count() == 1
            && rows[0].contains("shown ·")
            && rows[1].contains("Updated")
    });

    // Smaller: the same at 20x90.
    p.resize(20, 90, 20, 90);
    p.wait_until("the key hints on row 20", |p| {
        let rows = p.rows();
        rows.get(19).is_some_and(|r| r.contains("help"))
            && rows.iter().filter(|r| r.contains("help")).count() == 1
            && rows[0].contains("shown ·")
    });

    // Ctrl-L (redraw) repaints without asking the terminal anything, and keys still work.
    p.send([0x0c]);
    p.send(b"?");
    p.wait_for("Keys: queue");

    kill("-TERM", p.pid());
    assert!(p.wait_exit().success());
    assert!(!p.alternate_screen());
}

#[test]
fn ctrl_z_gives_the_terminal_back_and_fg_brings_the_console_back_redrawn() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    // A job-control shell, as an analyst's: vigil runs in its own process group, Ctrl-Z
    // stops it, the shell gets the terminal back, `fg` continues it.
    let script = format!(
        "set -m; stty -a > before; '{}' --demo --no-cache; echo stopped-$?; \
         stty -a > during; read line; fg; echo done-$?; stty -a > after",
        env!("CARGO_BIN_EXE_vigil")
    );
    let mut cmd = CommandBuilder::new("bash");
    cmd.args(["--norc", "--noprofile", "-c", &script]);
    let mut p = Pty::spawn(cmd, dir);
    p.wait_for(HINTS);
    assert!(p.alternate_screen());
    let vigil = children(p.pid());
    assert_eq!(vigil.len(), 1, "the shell runs vigil: {vigil:?}");
    let vigil = vigil[0];

    p.send([0x1a]);
    p.wait_until("vigil stopped", |_| proc_state(vigil) == Some('T'));
    // 128 + SIGTSTP: the shell saw the job stop.
    p.wait_for("stopped-148");
    assert!(
        !p.alternate_screen(),
        "the shell is back on the main screen"
    );
    let before = std::fs::read_to_string(dir.join("before")).unwrap();
    assert!(before.contains("icanon"), "stty output: {before}");
    p.wait_until("the terminal modes restored while stopped", |_| {
        std::fs::read_to_string(dir.join("during")).is_ok_and(|d| d == before)
    });

    // `fg`: SIGCONT, and the console repaints the (cleared) alternate screen completely.
    p.send(b"\n");
    p.wait_until(
        "vigil running again",
        |_| matches!(proc_state(vigil), Some(s) if s != 'T'),
    );
    p.wait_until("the console redrawn", |p| {
        let rows = p.rows();
        p.alternate_screen()
            && rows[0].contains("shown ·")
            && rows.last().is_some_and(|r| r.contains(HINTS))
    });
    // And it takes keys again (raw mode: `?` arrives without Enter).
    p.send(b"?");
    p.wait_for("Keys: queue");

    kill("-TERM", vigil);
    p.wait_for("done-0");
    assert!(p.wait_exit().success());
    let after = std::fs::read_to_string(dir.join("after")).unwrap();
    assert_eq!(before, after, "terminal modes changed by the session");
}
