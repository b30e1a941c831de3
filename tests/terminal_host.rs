//! The terminal as a host resource: the real `vigil --demo` binary in a pseudo-terminal with
//! isolated HOME/XDG directories. A huge window (as an SSH client may announce) is drawn
//! capped and keeps the process's peak memory bounded; a resize is redrawn at the new size;
//! Ctrl-Z gives the terminal back to a job-control shell and `fg` brings the console back
//! fully redrawn. Every check waits for a condition (screen content, process state) with a
//! generous deadline.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const ROWS: u16 = 40;
const COLS: u16 = 160;
const LONG: Duration = Duration::from_secs(60);
/// The queue's key hints: the last row of the drawn area.
const HINTS: &str = "? help  q quit";
/// The peak resident memory allowed at any window size (issue 11 item 8).
const MAX_PEAK_KB: u64 = 300 * 1024;

/// A program running in a pty, its screen parsed by vt100.
struct Pty {
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    reader: Option<JoinHandle<()>>,
}

impl Pty {
    fn spawn(mut cmd: CommandBuilder, home: &Path) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        for v in [
            "XDG_CONFIG_HOME",
            "XDG_STATE_HOME",
            "XDG_DATA_HOME",
            "XDG_CACHE_HOME",
        ] {
            cmd.env(v, home.join(v.to_lowercase()));
        }
        cmd.env_remove("TMUX");
        cmd.env_remove("VIGIL_CONFIG");
        cmd.cwd(home);
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(ROWS).unwrap(),
            NonZeroU16::new(COLS).unwrap(),
            0,
        )));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let p2 = parser.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            // EIO once every slave end is closed ends the loop.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p2.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Pty {
            child,
            parser,
            writer,
            master: pair.master,
            reader: Some(reader),
        }
    }

    fn vigil(home: &Path) -> Pty {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_vigil"));
        cmd.args(["--demo", "--no-cache"]);
        Pty::spawn(cmd, home)
    }

    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Each visible row's text.
    fn rows(&self) -> Vec<String> {
        let p = self.parser.lock().unwrap();
        let (_, cols) = p.screen().size();
        p.screen().rows(0, cols.get()).collect()
    }

    fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    /// Waits until `cond` holds, or fails with `what` and the screen.
    fn wait_until(&self, what: &str, mut cond: impl FnMut(&Pty) -> bool) {
        let start = Instant::now();
        while !cond(self) {
            if start.elapsed() > LONG {
                panic!("timed out waiting for {what}; screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, needle: &str) {
        self.wait_until(needle, |p| p.text().contains(needle));
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Resizes the pty (the child gets SIGWINCH) and the screen model to `rows` x `cols`.
    fn resize(&self, rows: u16, cols: u16, model_rows: u16, model_cols: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        self.parser.lock().unwrap().set_size(
            NonZeroU16::new(model_rows).unwrap(),
            NonZeroU16::new(model_cols).unwrap(),
        );
    }

    fn pid(&self) -> u32 {
        self.child.process_id().unwrap()
    }

    /// Waits for the child to exit and the reader to take in its last bytes.
    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > LONG {
                let _ = self.child.kill();
                panic!("did not exit; screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if let Some(reader) = self.reader.take() {
            while !reader.is_finished() {
                assert!(start.elapsed() < LONG, "the pty never closed");
                std::thread::sleep(Duration::from_millis(20));
            }
            reader.join().unwrap();
        }
        status
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
        }
    }
}

fn kill(sig: &str, pid: u32) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} {pid}");
}

/// A field of /proc/PID/status in kB (`VmHWM`, `VmRSS`).
fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {status}"))
}

/// The state letter of /proc/PID/stat (`R`, `S`, `T` stopped…), if the process exists.
fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .next()?
        .chars()
        .next()
}

/// Direct children of `pid` (from /proc).
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(child) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(child);
        }
    }
    out
}

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
    let mut p = Pty::vigil(home.path());
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
    let mut p = Pty::vigil(home.path());
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
    p.send(&[0x0c]);
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

    p.send(&[0x1a]);
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
