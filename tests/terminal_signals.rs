//! The real `vigil` binary in a pseudo-terminal (`--demo`, isolated HOME/XDG dirs) under
//! signals: SIGTERM and SIGHUP end it cleanly with the terminal restored, SIGHUP still saves
//! the snapshot cache, a SIGKILLed session restarts from that cache, and the terminal modes
//! (`stty -a`) are identical before and after a session ended by SIGTERM.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROWS: u16 = 40;
const COLS: u16 = 160;
const LONG: Duration = Duration::from_secs(40);

/// A program running in a pty, its screen parsed by vt100.
struct Pty {
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    /// Set when the reader thread has taken in everything the terminal side wrote.
    drained: Arc<std::sync::atomic::AtomicBool>,
    _master: Box<dyn MasterPty + Send>,
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
            std::num::NonZeroU16::new(ROWS).unwrap(),
            std::num::NonZeroU16::new(COLS).unwrap(),
            0,
        )));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let p2 = parser.clone();
        let drained = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let d2 = drained.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p2.lock().unwrap().process(&buf[..n]);
            }
            d2.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        Pty {
            child,
            parser,
            drained,
            _master: pair.master,
        }
    }

    /// `vigil --demo [extra]` directly in the pty.
    fn vigil(home: &Path, extra: &[&str]) -> Pty {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_vigil"));
        cmd.arg("--demo");
        cmd.args(extra);
        Pty::spawn(cmd, home)
    }

    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    fn wait_for(&self, needle: &str) {
        let start = Instant::now();
        while !self.text().contains(needle) {
            if start.elapsed() > LONG {
                panic!("timed out waiting for {needle:?}; screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn pid(&self) -> u32 {
        self.child.process_id().unwrap()
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                // The reader thread ends once it has taken in the last bytes (end of file or
                // EIO when the terminal side is closed): wait for that, not for a fixed time.
                while !self.drained.load(std::sync::atomic::Ordering::SeqCst) {
                    if start.elapsed() > LONG {
                        panic!("the terminal output never ended; screen:\n{}", self.text());
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                return s;
            }
            if start.elapsed() > LONG {
                let _ = self.child.kill();
                panic!("did not exit; screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
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
        // pid (comm) state ppid ...; comm may contain spaces, so split after the last ')'.
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

#[test]
fn sigterm_exits_cleanly_and_leaves_the_alternate_screen() {
    let home = tempfile::tempdir().unwrap();
    let mut p = Pty::vigil(home.path(), &["--no-cache"]);
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

    // (b) SIGHUP: exits, the snapshot is saved, the terminal is restored.
    let mut p = Pty::vigil(home.path(), &[]);
    p.wait_for("refreshed");
    kill("-HUP", p.pid());
    let status = p.wait_exit();
    assert!(
        status.success(),
        "SIGHUP ends the session normally: {status:?}"
    );
    assert!(!p.alternate_screen(), "alternate screen left");
    let saved = snapshots(&state);
    assert_eq!(saved.len(), 1, "one snapshot under XDG_STATE_HOME");
    let size = std::fs::metadata(&saved[0]).unwrap().len();
    assert!(
        size > 1000,
        "the snapshot holds the incidents ({size} bytes)"
    );

    // (c) A session started from that cache is SIGKILLed (nothing saved, nothing restored) ...
    let mut p = Pty::vigil(home.path(), &[]);
    p.wait_for("cached incidents");
    kill("-KILL", p.pid());
    let status = p.wait_exit();
    assert!(!status.success(), "SIGKILL is not a clean exit");

    // ... and the next start still comes up from the cache and syncs.
    let mut p = Pty::vigil(home.path(), &[]);
    p.wait_for("cached incidents");
    p.wait_for("refreshed");
    kill("-TERM", p.pid());
    assert!(p.wait_exit().success());
    assert!(!p.alternate_screen());
}

#[test]
fn terminal_modes_are_identical_before_and_after_a_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let script = format!(
        "stty -a > before; '{}' --demo --no-cache; stty -a > after; echo done-$?",
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
