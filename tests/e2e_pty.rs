//! End to end: the real `vigil` binary in a pseudo-terminal against the embedded simulated
//! tenant (`--demo`): open the queue, filter, open an incident, open an alert, quit; the
//! terminal must be restored (alternate screen left, no window title set).

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Screen {
    parser: Arc<Mutex<vt100::Parser<TitleWatch>>>,
}

#[derive(Default)]
struct TitleWatch {
    title_set: bool,
}

impl vt100::Callbacks for TitleWatch {
    fn set_window_title(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.title_set = true;
    }
}

impl Screen {
    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        self.wait_until(&format!("{needle:?}"), timeout, |t| t.contains(needle))
    }

    /// Waits until the screen satisfies `done` (checked as output arrives, every 50 ms), or
    /// panics after `timeout` naming `what` and showing the screen.
    fn wait_until(&self, what: &str, timeout: Duration, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let t = self.text();
            if done(&t) {
                return t;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what}; screen was:\n{t}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The first line of the screen (the header or the breadcrumb).
fn top_line(t: &str) -> &str {
    t.lines().next().unwrap_or("")
}

#[test]
fn demo_queue_filter_incident_alert_quit_restores_terminal() {
    let home = tempfile::tempdir().unwrap();
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 160,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_vigil"));
    cmd.args(["--demo", "--no-cache"]);
    cmd.env("TERM", "xterm-256color");
    cmd.env("HOME", home.path());
    for v in [
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
    ] {
        cmd.env(v, home.path().join(v.to_lowercase()));
    }
    cmd.env_remove("TMUX");
    cmd.env_remove("VIGIL_CONFIG");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);

    let parser = Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(
        std::num::NonZeroU16::new(40).unwrap(),
        std::num::NonZeroU16::new(160).unwrap(),
        0,
        TitleWatch::default(),
    )));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let p2 = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            p2.lock().unwrap().process(&buf[..n]);
        }
    });
    let mut w = pair.master.take_writer().unwrap();
    let screen = Screen {
        parser: parser.clone(),
    };
    let long = Duration::from_secs(30);

    // The queue paints and the initial load completes.
    screen.wait_for("shown ·", long);
    screen.wait_for("refreshed", long);
    assert!(parser.lock().unwrap().screen().alternate_screen());

    // Filter to Defender Experts notifications. The filter line echoes the words as they are
    // typed; only the applied filter is named in the header.
    w.write_all(b"/Defender Experts").unwrap();
    screen.wait_for("/Defender Experts", long);
    w.write_all(b"\r").unwrap();
    screen.wait_until("the header to name the applied filter", long, |t| {
        top_line(t).contains("filter: Defender Experts")
    });

    // Open the selected incident: only its page has the "Queue › Incident" breadcrumb.
    w.write_all(b"\r").unwrap();
    let page = screen.wait_until("the incident page", long, |t| {
        top_line(t).starts_with("Queue › Incident ")
    });
    assert!(page.contains("Title:"), "the page opens on its overview");
    // Its alerts section: the overview's fields give way to the alert rows (first activity,
    // severity, status, source, title), one per line under the section bar.
    w.write_all(b"\t").unwrap();
    screen.wait_until("the alerts section", long, |t| {
        let first_row = t.lines().nth(3).unwrap_or("");
        !t.contains("Title:") && first_row.starts_with("20") && first_row.contains(':')
    });
    // Open the first alert: only the alert page has the "› Alert" breadcrumb.
    w.write_all(b"\r").unwrap();
    screen.wait_until("the alert page", long, |t| {
        top_line(t).starts_with("Queue › Incident ") && top_line(t).contains(" › Alert ")
    });

    // Back out to the incident, then to the queue, and quit.
    w.write_all(b"\x1b").unwrap();
    screen.wait_until("the incident page again", long, |t| {
        top_line(t).starts_with("Queue › Incident ") && !top_line(t).contains("› Alert")
    });
    w.write_all(b"\x1b").unwrap();
    screen.wait_until("the queue again", long, |t| {
        top_line(t).contains(" shown ·")
    });
    w.write_all(b"q").unwrap();
    // A confirmation may be asked when something is pending; answer yes.
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if screen.text().contains("Quit?") {
            w.write_all(b"y").unwrap();
            break;
        }
        if start.elapsed() > long {
            let _ = child.kill();
            panic!("vigil neither quit nor asked; screen:\n{}", screen.text());
        }
        std::thread::sleep(Duration::from_millis(50));
    }

    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > long {
            let _ = child.kill();
            panic!("vigil did not exit; screen:\n{}", screen.text());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    // The reader thread may still be applying the last bytes vigil wrote: wait for them.
    let start = Instant::now();
    while parser.lock().unwrap().screen().alternate_screen() && start.elapsed() < long {
        std::thread::sleep(Duration::from_millis(50));
    }
    let p = parser.lock().unwrap();
    assert!(!p.screen().alternate_screen(), "alternate screen not left");
    assert!(
        !p.callbacks().title_set,
        "the window title must never be set"
    );
}
