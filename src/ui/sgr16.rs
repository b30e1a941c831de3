//! 16-colour output. crossterm writes every colour in 256-colour form (`38;5;9`), which a
//! 16-colour terminal may ignore or misread; with 16 colours vigil rewrites those to the
//! basic SGR codes (30–37 / 90–97 foreground, 40–47 / 100–107 background) before a frame
//! leaves for the terminal.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns the rewrite on for this process (the console does when the depth is 16 colours).
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether frames are rewritten.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Rewrites, in place, every SGR sequence's `38;5;N` / `48;5;N` with N < 16 to the basic
/// code; everything else (other parameters, other sequences, text) is kept byte for byte.
pub fn downgrade(buf: &mut Vec<u8>) {
    if !buf.windows(3).any(|w| w == b";5;") {
        return;
    }
    let mut out = Vec::with_capacity(buf.len());
    let mut i = 0;
    while i < buf.len() {
        if buf[i] == 0x1b && buf.get(i + 1) == Some(&b'[') {
            let params_start = i + 2;
            let len = buf[params_start..]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b';'));
            if let Some(len) = len
                && buf[params_start + len] == b'm'
            {
                let params = &buf[params_start..params_start + len];
                out.extend_from_slice(b"\x1b[");
                out.extend_from_slice(&rewrite_params(params));
                out.push(b'm');
                i = params_start + len + 1;
                continue;
            }
        }
        out.push(buf[i]);
        i += 1;
    }
    *buf = out;
}

fn rewrite_params(params: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(params) else {
        return params.to_vec();
    };
    let parts: Vec<&str> = text.split(';').collect();
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    let mut k = 0;
    while k < parts.len() {
        let index = parts.get(k + 2).and_then(|n| n.parse::<u8>().ok());
        match (parts[k], parts.get(k + 1), index) {
            ("38", Some(&"5"), Some(n)) if n < 16 => {
                out.push(basic(n, 30, 90));
                k += 3;
            }
            ("48", Some(&"5"), Some(n)) if n < 16 => {
                out.push(basic(n, 40, 100));
                k += 3;
            }
            (p, _, _) => {
                out.push(p.to_string());
                k += 1;
            }
        }
    }
    out.join(";").into_bytes()
}

/// `normal + n` for colours 0–7, `bright + n - 8` for 8–15.
fn basic(n: u8, normal: u8, bright: u8) -> String {
    if n < 8 {
        (normal + n).to_string()
    } else {
        (bright + n - 8).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::CrosstermBackend;
    use ratatui::style::{Color, Style};
    use ratatui::text::Span;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What crossterm writes for a frame with these colours.
    fn crossterm_frame(fg: Color, bg: Color) -> Vec<u8> {
        let sink = Sink::default();
        let mut t = Terminal::new(CrosstermBackend::new(sink.clone())).unwrap();
        t.draw(|f| {
            f.render_widget(Span::styled("ab", Style::new().fg(fg).bg(bg)), f.area());
        })
        .unwrap();
        sink.0.lock().unwrap().clone()
    }

    #[test]
    fn sixteen_colours_leave_as_basic_sgr_codes() {
        let mut frame = crossterm_frame(Color::LightRed, Color::DarkGray);
        downgrade(&mut frame);
        let s = String::from_utf8_lossy(&frame);
        assert!(!s.contains("38;5;") && !s.contains("48;5;"), "{s:?}");
        // Light red is SGR 91, a dark grey background SGR 100.
        assert!(s.contains("\x1b[91;100m"), "{s:?}");
        let mut frame = crossterm_frame(Color::Blue, Color::Gray);
        downgrade(&mut frame);
        let s = String::from_utf8_lossy(&frame);
        assert!(s.contains("\x1b[34;47m"), "{s:?}");
    }

    #[test]
    fn other_sequences_and_text_are_kept() {
        let mut b = b"x\x1b[1;38;5;196;48;5;3mtext;5;\x1b[2J\x1b[38;2;1;2;3m".to_vec();
        downgrade(&mut b);
        assert_eq!(
            b,
            b"x\x1b[1;38;5;196;43mtext;5;\x1b[2J\x1b[38;2;1;2;3m".to_vec()
        );
    }
}
