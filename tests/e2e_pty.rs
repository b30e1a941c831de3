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
        let start = Instant::now();
        loop {
            let t = self.text();
            if t.contains(needle) {
                return t;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {needle:?}; screen was:\n{t}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
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

    // Filter to Defender Experts notifications, then clear.
    w.write_all(b"/Defender Experts").unwrap();
    screen.wait_for("Defender Experts", long);
    w.write_all(b"\r").unwrap();
    std::thread::sleep(Duration::from_millis(300));

    // Open the selected incident, then its alerts section, then an alert.
    w.write_all(b"\r").unwrap();
    screen.wait_for("Overview", long);
    w.write_all(b"\t").unwrap();
    screen.wait_for("Alerts", long);
    w.write_all(b"\r").unwrap();
    screen.wait_for("Evidence", long);

    // Back out and quit.
    w.write_all(b"\x1b").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    w.write_all(b"\x1b").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    w.write_all(b"q").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // A confirmation may be asked when something is pending; answer yes.
    if screen.text().contains("Quit?") {
        w.write_all(b"y").unwrap();
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
    std::thread::sleep(Duration::from_millis(200));
    assert!(status.success(), "exit status {status:?}");
    let p = parser.lock().unwrap();
    assert!(!p.screen().alternate_screen(), "alternate screen not left");
    assert!(
        !p.callbacks().title_set,
        "the window title must never be set"
    );
}
