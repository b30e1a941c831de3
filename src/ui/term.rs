//! PLACEHOLDER (replaced by the `uikit` branch): terminal guard and synchronized drawing.

use crossterm::{execute, queue, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, BufWriter, Stdout, Write};

/// The terminal type the console draws on: a 64 KiB buffered stdout.
pub type Tui = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Raw mode + alternate screen for as long as it lives.
pub struct TerminalGuard {
    pub terminal: Tui,
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen.
    pub fn enter() -> io::Result<TerminalGuard> {
        terminal::enable_raw_mode()?;
        let mut out = BufWriter::with_capacity(64 * 1024, io::stdout());
        execute!(out, terminal::EnterAlternateScreen)?;
        let terminal = Terminal::new(CrosstermBackend::new(out))?;
        Ok(TerminalGuard { terminal })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Leaves the alternate screen and raw mode (errors ignored by callers on SIGHUP).
pub fn restore() -> io::Result<()> {
    let mut out = io::stdout();
    let _ = execute!(out, terminal::LeaveAlternateScreen, crossterm::cursor::Show);
    terminal::disable_raw_mode()
}

/// Restores the terminal before the previous panic hook prints.
pub fn install_panic_hook() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = restore();
        prev(info);
    }));
}

/// Draws one frame wrapped in synchronized output (DEC 2026).
pub fn draw_synchronized<F>(tui: &mut Tui, render: F) -> io::Result<()>
where
    F: FnOnce(&mut ratatui::Frame),
{
    queue!(tui.backend_mut(), terminal::BeginSynchronizedUpdate)?;
    let res = tui.draw(render).map(|_| ());
    let end = execute!(tui.backend_mut(), terminal::EndSynchronizedUpdate);
    tui.backend_mut().flush()?;
    res.and(end)
}
