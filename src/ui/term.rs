//! The terminal guard: raw mode, alternate screen, bracketed paste, and a restore that always
//! runs (Drop, panic hook, signal paths). Frames go through a 64 KiB buffer and are wrapped in
//! synchronized output (DEC mode 2026), so each frame leaves in one `write`.
//!
//! Output to the real terminal goes through [`FrameWriter::stdout`], which discards bytes once
//! [`restore`] has run: a frame half-written when a panic struck can never land on the
//! normal screen after the terminal was restored.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicU8, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode,
    enable_raw_mode,
};
use crossterm::{cursor, execute, queue};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::layout::Rect;
use ratatui::prelude::Frame;

use super::size_cap::SizeCap;

/// Begin synchronized update (DEC mode 2026).
pub const BSU: &[u8] = b"\x1b[?2026h";
/// End synchronized update.
pub const ESU: &[u8] = b"\x1b[?2026l";

/// Size of the frame buffer.
pub const FRAME_BUFFER: usize = 64 * 1024;

const RAW: u8 = 1;
const ALT: u8 = 2;
const PASTE: u8 = 4;
const MOUSE: u8 = 8;
const CURSOR_HIDDEN: u8 = 16;

/// What the guard has switched on; [`restore`] undoes exactly these.
static STATE: AtomicU8 = AtomicU8::new(0);

/// The terminal type the UI draws on (its size capped, see [`SizeCap`]).
pub type Tui = Terminal<SizeCap<CrosstermBackend<FrameWriter<Stdout>>>>;

/// Options for [`TerminalGuard::enter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalOptions {
    /// Capture the mouse (off by default: it breaks text selection over SSH).
    pub mouse: bool,
    /// Bracketed paste, so a large paste never fires hotkeys (on by default).
    pub bracketed_paste: bool,
}

impl Default for TerminalOptions {
    fn default() -> Self {
        TerminalOptions {
            mouse: false,
            bracketed_paste: true,
        }
    }
}

/// Buffered terminal writer: 64 KiB buffer, and (when gated) output dropped while no
/// [`TerminalGuard`] is active.
///
/// It recognises the synchronized-update sequences when each arrives as one `write` (as
/// [`draw_synchronized`] and crossterm's commands do): after [`BSU`] flushes are held, and
/// [`ESU`] releases them, so a whole frame leaves in a single `write` to the terminal.
pub struct FrameWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
    hold: bool,
    gated: bool,
}

impl FrameWriter<Stdout> {
    /// The gated writer to the real terminal.
    pub fn stdout() -> Self {
        FrameWriter::gated(io::stdout())
    }
}

impl<W: Write> FrameWriter<W> {
    /// An ungated writer (for tests and benchmarks).
    pub fn new(inner: W) -> Self {
        FrameWriter {
            inner,
            buf: Vec::with_capacity(FRAME_BUFFER),
            hold: false,
            gated: false,
        }
    }

    /// A writer that discards output whenever the terminal is not in TUI mode.
    pub fn gated(inner: W) -> Self {
        FrameWriter {
            inner,
            buf: Vec::with_capacity(FRAME_BUFFER),
            hold: false,
            gated: true,
        }
    }

    /// The wrapped writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The wrapped writer, mutably (bytes still buffered are not flushed).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// Bytes waiting in the buffer.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// While held, `flush` keeps bytes buffered (the buffer grows past 64 KiB if needed).
    pub fn set_hold(&mut self, hold: bool) {
        self.hold = hold;
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if self.gated && STATE.load(Ordering::SeqCst) == 0 {
            self.buf.clear();
            return Ok(());
        }
        if super::sgr16::enabled() {
            super::sgr16::downgrade(&mut self.buf);
        }
        let r = self.inner.write_all(&self.buf);
        self.buf.clear();
        r
    }
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data == BSU {
            self.hold = true;
        } else if data == ESU {
            self.hold = false;
        }
        self.buf.extend_from_slice(data);
        if !self.hold && self.buf.len() >= FRAME_BUFFER {
            self.flush_buf()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.hold {
            return Ok(());
        }
        self.flush_buf()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for FrameWriter<W> {
    fn drop(&mut self) {
        self.hold = false;
        let _ = self.flush();
    }
}

/// Counts bytes and `write` calls passing through, for benchmarks.
#[derive(Debug, Default)]
pub struct CountingWriter<W> {
    inner: W,
    bytes: u64,
    writes: u64,
}

impl<W: Write> CountingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        CountingWriter {
            inner,
            bytes: 0,
            writes: 0,
        }
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// `write` calls so far.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    /// Sets both counters to zero.
    pub fn reset(&mut self) {
        self.bytes = 0;
        self.writes = 0;
    }

    /// The wrapped writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Unwraps.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        self.writes += 1;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Owns the terminal while the TUI runs; dropping it restores the terminal.
pub struct TerminalGuard {
    terminal: Tui,
    options: TerminalOptions,
}

impl TerminalGuard {
    /// Enters raw mode, the alternate screen and bracketed paste (and mouse capture if asked),
    /// hides the cursor and builds the [`Tui`]. On failure everything is undone.
    pub fn enter(options: TerminalOptions) -> io::Result<TerminalGuard> {
        switch_on(options).inspect_err(|_| restore())?;
        let backend = SizeCap::new(CrosstermBackend::new(FrameWriter::stdout()));
        let terminal = Terminal::new(backend).inspect_err(|_| restore())?;
        Ok(TerminalGuard { terminal, options })
    }

    /// The terminal to draw on (use [`draw_synchronized`]).
    pub fn terminal(&mut self) -> &mut Tui {
        &mut self.terminal
    }

    /// Gives the terminal back to the shell (before running `$EDITOR`, or on Ctrl-Z).
    pub fn suspend(&mut self) {
        let _ = Write::flush(self.terminal.backend_mut());
        restore();
    }

    /// Takes the terminal again after [`suspend`](Self::suspend) and forces a full repaint.
    pub fn resume(&mut self) -> io::Result<()> {
        switch_on(self.options).inspect_err(|_| restore())?;
        repaint_all(&mut self.terminal)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = Write::flush(self.terminal.backend_mut());
        restore();
    }
}

fn switch_on(options: TerminalOptions) -> io::Result<()> {
    let mut out = io::stdout();
    enable_raw_mode()?;
    STATE.fetch_or(RAW, Ordering::SeqCst);
    execute!(out, EnterAlternateScreen)?;
    STATE.fetch_or(ALT, Ordering::SeqCst);
    if options.bracketed_paste {
        execute!(out, EnableBracketedPaste)?;
        STATE.fetch_or(PASTE, Ordering::SeqCst);
    }
    if options.mouse {
        execute!(out, EnableMouseCapture)?;
        STATE.fetch_or(MOUSE, Ordering::SeqCst);
    }
    execute!(out, cursor::Hide)?;
    STATE.fetch_or(CURSOR_HIDDEN, Ordering::SeqCst);
    Ok(())
}

/// Writes the sequences that undo `state` (everything but raw mode).
fn write_restore(out: &mut impl Write, state: u8) {
    // A frame interrupted mid-way may have left synchronized output on.
    let _ = queue!(out, EndSynchronizedUpdate);
    if state & MOUSE != 0 {
        let _ = queue!(out, DisableMouseCapture);
    }
    if state & PASTE != 0 {
        let _ = queue!(out, DisableBracketedPaste);
    }
    if state & ALT != 0 {
        let _ = queue!(out, LeaveAlternateScreen);
    }
    if state & CURSOR_HIDDEN != 0 {
        let _ = queue!(out, cursor::Show);
    }
    let _ = out.flush();
}

/// Restores the terminal: leaves the alternate screen, turns off bracketed paste and mouse
/// capture, shows the cursor, leaves raw mode. Idempotent (only undoes what is on), ignores
/// write errors (the pty may be gone after SIGHUP); safe to call from a panic hook or a signal
/// handler task.
pub fn restore() {
    let state = STATE.swap(0, Ordering::SeqCst);
    if state == 0 {
        return;
    }
    write_restore(&mut io::stdout(), state);
    if state & RAW != 0 {
        let _ = disable_raw_mode();
    }
}

/// True while the terminal is in TUI mode.
pub fn is_active() -> bool {
    STATE.load(Ordering::SeqCst) != 0
}

/// Installs a panic hook that restores the terminal, then runs the previous hook (so the
/// panic message prints on the normal screen).
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Clears the screen and forgets what was drawn, so the next frame sends every cell.
///
/// Unlike `Terminal::clear` it never asks the terminal for the cursor position: that answer
/// arrives on the input the event stream is reading, so the query would time out and fail.
pub fn repaint_all<B: Backend>(t: &mut Terminal<B>) -> Result<(), B::Error> {
    let size = t.size()?;
    t.resize(Rect::new(0, 0, size.width, size.height))
}

/// Draws one frame wrapped in synchronized output: BSU, the diff, cursor, ESU, then a single
/// flush (with a [`FrameWriter`], one `write`). ESU is written even when drawing fails.
pub fn draw_synchronized<B: Backend<Error = io::Error> + Write>(
    t: &mut Terminal<B>,
    f: impl FnOnce(&mut Frame),
) -> io::Result<()> {
    let drawn = t
        .backend_mut()
        .write_all(BSU)
        .and_then(|()| t.draw(f).map(|_| ()));
    let backend = t.backend_mut();
    let end = backend.write_all(ESU).and_then(|()| Write::flush(backend));
    drawn.and(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::widgets::Paragraph;
    use ratatui::{TerminalOptions as RatOptions, Viewport};

    use std::cell::RefCell;
    use std::rc::Rc;

    /// A counting sink the test can read while the terminal owns the writer.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<CountingWriter<Vec<u8>>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    type TestTui = Terminal<CrosstermBackend<FrameWriter<Shared>>>;

    fn test_tui(w: u16, h: u16, sink: &Shared) -> TestTui {
        let backend = CrosstermBackend::new(FrameWriter::new(sink.clone()));
        let viewport = Viewport::Fixed(Rect::new(0, 0, w, h));
        Terminal::with_options(backend, RatOptions { viewport }).unwrap()
    }

    #[test]
    fn one_write_per_frame_wrapped_in_bsu_esu() {
        let sink = Shared::default();
        let mut t = test_tui(40, 5, &sink);
        let draw = |f: &mut Frame| {
            f.render_widget(Paragraph::new("incident-1\nincident-2"), f.area());
        };
        draw_synchronized(&mut t, draw).unwrap();
        {
            let o = sink.0.borrow();
            assert_eq!(o.writes(), 1);
            let bytes = String::from_utf8_lossy(o.get_ref()).into_owned();
            assert!(bytes.starts_with("\x1b[?2026h"), "{bytes:?}");
            assert!(bytes.ends_with("\x1b[?2026l"), "{bytes:?}");
            assert!(bytes.contains("incident-2"));
            assert_eq!(o.bytes() as usize, o.get_ref().len());
        }
        // An identical frame is tiny and is still one write.
        let before = sink.0.borrow().bytes();
        draw_synchronized(&mut t, draw).unwrap();
        let o = sink.0.borrow();
        assert_eq!(o.writes(), 2);
        assert!(o.bytes() - before < 64, "{} bytes", o.bytes() - before);
    }

    #[test]
    fn plain_draw_without_frame_writer_still_gets_esu() {
        let sink = Shared::default();
        let backend = CrosstermBackend::new(sink.clone());
        let viewport = Viewport::Fixed(Rect::new(0, 0, 10, 2));
        let mut t = Terminal::with_options(backend, RatOptions { viewport }).unwrap();
        draw_synchronized(&mut t, |f| f.render_widget(Paragraph::new("x"), f.area())).unwrap();
        let out = sink.0.borrow();
        let bytes = out.get_ref().as_slice();
        assert!(
            bytes.starts_with(BSU),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
        assert!(bytes.ends_with(ESU), "{:?}", String::from_utf8_lossy(bytes));
        let text = String::from_utf8_lossy(bytes);
        assert!(text.contains('x'), "the frame itself is written: {text:?}");
        // Exactly one BSU and one ESU: the frame is bracketed once.
        assert_eq!(text.matches("\x1b[?2026h").count(), 1, "{text:?}");
        assert_eq!(text.matches("\x1b[?2026l").count(), 1, "{text:?}");
    }

    #[test]
    fn hold_defers_flush_and_large_output_spills_when_not_held() {
        let mut w = FrameWriter::new(CountingWriter::new(Vec::new()));
        w.set_hold(true);
        w.write_all(&[b'x'; FRAME_BUFFER * 2]).unwrap();
        w.flush().unwrap();
        assert_eq!(w.get_ref().writes(), 0);
        w.set_hold(false);
        w.flush().unwrap();
        assert_eq!(w.get_ref().writes(), 1);
        assert_eq!(w.get_ref().bytes(), (FRAME_BUFFER * 2) as u64);
        w.write_all(&[b'y'; FRAME_BUFFER]).unwrap();
        assert_eq!(
            w.get_ref().writes(),
            2,
            "a full buffer spills without flush"
        );
    }

    #[test]
    fn gated_writer_drops_output_when_inactive() {
        // No guard is active in unit tests, so a gated writer must discard.
        assert!(!is_active());
        let mut w = FrameWriter::gated(CountingWriter::new(Vec::new()));
        w.write_all(b"\x1b[?2026hframe").unwrap();
        w.flush().unwrap();
        assert_eq!(w.get_ref().bytes(), 0);
        assert_eq!(w.buffered(), 0);
    }

    #[test]
    fn restore_sequences_follow_state() {
        let mut all = Vec::new();
        write_restore(&mut all, RAW | ALT | PASTE | MOUSE | CURSOR_HIDDEN);
        let all = String::from_utf8(all).unwrap();
        for seq in [
            "\x1b[?2026l",
            "\x1b[?2004l",
            "\x1b[?1049l",
            "\x1b[?25h",
            "\x1b[?1000l",
        ] {
            assert!(all.contains(seq), "missing {seq:?} in {all:?}");
        }
        let mut some = Vec::new();
        write_restore(&mut some, RAW | ALT);
        let some = String::from_utf8(some).unwrap();
        assert!(some.contains("\x1b[?1049l"));
        assert!(
            !some.contains("\x1b[?1000l") && !some.contains("\x1b[?2004l"),
            "{some:?}"
        );
    }

    #[test]
    fn counting_writer_counts() {
        let mut c = CountingWriter::new(Vec::new());
        c.write_all(b"abc").unwrap();
        c.write_all(b"de").unwrap();
        assert_eq!((c.bytes(), c.writes()), (5, 2));
        c.reset();
        assert_eq!((c.bytes(), c.writes()), (0, 0));
        assert_eq!(c.into_inner(), b"abcde");
    }

    /// Child half of `panic_in_a_pty_restores_the_terminal`; only runs inside that PTY.
    #[test]
    #[ignore = "run by panic_in_a_pty_restores_the_terminal"]
    fn pty_child() {
        install_panic_hook();
        let mut guard = TerminalGuard::enter(TerminalOptions::default()).unwrap();
        draw_synchronized(guard.terminal(), |f| {
            f.render_widget(Paragraph::new("VIGIL-FRAME"), f.area());
        })
        .unwrap();
        panic!("boom-marker");
    }

    #[test]
    fn panic_in_a_pty_restores_the_terminal() {
        use portable_pty::{CommandBuilder, PtySize, native_pty_system};
        use std::io::Read;
        use std::time::Duration;

        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 12,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(std::env::current_exe().unwrap());
        cmd.args([
            "--exact",
            "ui::term::tests::pty_child",
            "--ignored",
            "--nocapture",
        ]);
        cmd.args(["--test-threads=1"]);
        cmd.env("TERM", "xterm-256color");
        cmd.env("RUST_BACKTRACE", "0");
        let mut child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut all = Vec::new();
            let mut chunk = [0u8; 4096];
            // EIO once the child is gone ends the loop.
            while let Ok(n) = reader.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                all.extend_from_slice(&chunk[..n]);
            }
            let _ = tx.send(all);
        });
        let status = child.wait().unwrap();
        drop(pair.master);
        let bytes = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!status.success(), "the child must have panicked");
        assert!(text.contains("VIGIL-FRAME"), "frame never drawn: {text:?}");
        let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
        let mut parser = vt100::Parser::new(nz(12), nz(80), 1000);
        parser.process(&bytes);
        let screen = parser.screen();
        assert!(!screen.alternate_screen(), "still on the alternate screen");
        assert!(!screen.hide_cursor(), "cursor left hidden");
        assert!(!screen.bracketed_paste(), "bracketed paste left on");
        // The panic report is on the normal screen (possibly scrolled into the scrollback).
        let mut seen = screen.contents();
        parser.screen_mut().set_scrollback(1000);
        seen.push_str(&parser.screen().contents());
        assert!(seen.contains("boom-marker"), "{text:?}");
        // The panic report comes after the terminal was restored.
        let leave = text.find("\x1b[?1049l").unwrap();
        assert!(text[leave..].contains("boom-marker"));
    }
}
