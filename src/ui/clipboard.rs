//! PLACEHOLDER (replaced by the `uikit` branch): copy to the clipboard.

use std::fmt;

/// How a copy reached the clipboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyMethod {
    Osc52,
}

impl fmt::Display for CopyMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OSC 52")
    }
}

/// Copies `text` (already sanitised by the caller).
pub fn copy(text: &str) -> Result<CopyMethod, String> {
    use crossterm::clipboard::CopyToClipboard;
    use std::io::Write;
    let mut out = std::io::stdout();
    crossterm::execute!(out, CopyToClipboard::to_clipboard_from(text)).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    Ok(CopyMethod::Osc52)
}
