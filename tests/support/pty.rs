//! A program in a pseudo-terminal with isolated HOME/XDG directories, its screen parsed by
//! vt100, and the /proc and signal helpers the terminal tests check it with. Every wait is for
//! a condition with a generous deadline, never a fixed sleep.
#![allow(dead_code)] // each test binary uses its own part

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The window a test starts with.
pub const ROWS: u16 = 40;
pub const COLS: u16 = 160;
/// The deadline of every wait.
pub const LONG: Duration = Duration::from_secs(60);

/// A program running in a pty.
pub struct Pty {
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    reader: Option<JoinHandle<()>>,
}

impl Pty {
    /// Starts `cmd` at [`ROWS`] x [`COLS`] with `TERM=xterm-256color`, `HOME` and every XDG
    /// directory under `home`, in `home`, outside tmux and without `VIGIL_CONFIG`.
    pub fn spawn(mut cmd: CommandBuilder, home: &Path) -> Pty {
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
            // EIO once every slave end is closed (the child and its children are gone).
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

    /// The `vigil` binary under test with `args`.
    pub fn vigil(home: &Path, args: &[&str]) -> Pty {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_vigil"));
        cmd.args(args);
        Pty::spawn(cmd, home)
    }

    pub fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Each visible row's text.
    pub fn rows(&self) -> Vec<String> {
        let p = self.parser.lock().unwrap();
        let (_, cols) = p.screen().size();
        p.screen().rows(0, cols.get()).collect()
    }

    pub fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    /// Waits until `cond` holds, or fails with `what` and the screen.
    pub fn wait_until(&self, what: &str, mut cond: impl FnMut(&Pty) -> bool) {
        let start = Instant::now();
        while !cond(self) {
            if start.elapsed() > LONG {
                panic!("timed out waiting for {what}; screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The screen once it shows `needle`, or a failure with the screen.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |p| p.text().contains(needle));
        self.text()
    }

    /// The screen once `cond` holds for it within `within`; `None` after that.
    pub fn screen_within(&self, within: Duration, cond: impl Fn(&str) -> bool) -> Option<String> {
        let start = Instant::now();
        loop {
            let t = self.text();
            if cond(&t) {
                return Some(t);
            }
            if start.elapsed() > within {
                return None;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Types `bytes`. A program that already exited has closed the pty: nothing is sent then,
    /// and the waits that follow say what did not happen.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        let _ = self.writer.write_all(bytes.as_ref());
        let _ = self.writer.flush();
    }

    /// Resizes the pty (the child gets SIGWINCH) and the screen model.
    pub fn resize(&self, rows: u16, cols: u16, model_rows: u16, model_cols: u16) {
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

    pub fn pid(&self) -> u32 {
        self.child.process_id().unwrap()
    }

    /// Sends `sig` (`-KILL`, `-TERM`…) to the program.
    pub fn signal(&self, sig: &str) {
        kill(sig, self.pid());
    }

    /// Waits for the program to exit and the reader to take in its last bytes.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > LONG {
                let _ = self.child.kill();
                panic!("did not exit; screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(20));
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
            let _ = self.child.wait();
        }
    }
}

/// `kill SIG PID`, which must succeed.
pub fn kill(sig: &str, pid: u32) {
    let ok = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} {pid}");
}

/// A field of /proc/PID/status in kB (`VmHWM`, `VmRSS`).
pub fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {status}"))
}

/// The state letter of /proc/PID/stat (`R`, `S`, `T` stopped…), if the process exists.
pub fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .next()?
        .chars()
        .next()
}

/// Direct children of `pid` (from /proc).
pub fn children(pid: u32) -> Vec<u32> {
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
