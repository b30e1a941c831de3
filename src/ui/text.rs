//! PLACEHOLDER (replaced by the `uikit` branch): display-width helpers.

use std::borrow::Cow;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Terminal columns `s` occupies.
pub fn display_width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// Cuts `s` to at most `width` columns, ending with `…` when cut.
pub fn truncate_to_width(s: &str, width: usize) -> Cow<'_, str> {
    if display_width(s) <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut w = 0;
    for g in s.graphemes(true) {
        let gw = g.width();
        if w + gw > width - 1 {
            break;
        }
        out.push_str(g);
        w += gw;
    }
    out.push('…');
    Cow::Owned(out)
}

/// Truncates, then pads with spaces to exactly `width` columns.
pub fn pad_to_width(s: &str, width: usize) -> Cow<'_, str> {
    let t = truncate_to_width(s, width);
    let w = display_width(&t);
    if w >= width {
        return t;
    }
    Cow::Owned(format!("{}{}", t, " ".repeat(width - w)))
}
