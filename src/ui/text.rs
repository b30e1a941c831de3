//! Width-aware text helpers and the glyph sets (Unicode or ASCII) used for drawing.
//!
//! Widths are terminal columns. Truncation works on grapheme clusters, so it never splits a
//! wide character (Korean, CJK), a combining sequence or an emoji ZWJ sequence. Pass text
//! through [`crate::ui::sanitize`] first; these helpers assume it holds no controls.

use std::borrow::Cow;

use ratatui::symbols::border;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The ellipsis appended by [`truncate_to_width`].
pub const ELLIPSIS: &str = "…";

/// Display width of `s` in terminal columns.
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Width as ratatui lays it out: the sum of grapheme widths (never less than [`display_width`]).
fn layout_width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// Cuts `s` to at most `width` columns, ending in `…` when something was cut. Borrowed when
/// `s` already fits.
pub fn truncate_to_width(s: &str, width: usize) -> Cow<'_, str> {
    truncate_with(s, width, ELLIPSIS)
}

/// [`truncate_to_width`] with a chosen ellipsis (for example [`Glyphs::ellipsis`] in ASCII
/// mode). When even the ellipsis does not fit, the result is cut without one.
pub fn truncate_with<'a>(s: &'a str, width: usize, ellipsis: &str) -> Cow<'a, str> {
    if layout_width(s) <= width {
        return Cow::Borrowed(s);
    }
    let ell_w = display_width(ellipsis);
    let (budget, ellipsis) = if ell_w <= width {
        (width - ell_w, ellipsis)
    } else {
        (width, "")
    };
    let mut used = 0;
    let mut end = 0;
    for (i, g) in s.grapheme_indices(true) {
        let w = UnicodeWidthStr::width(g);
        if used + w > budget {
            break;
        }
        used += w;
        end = i + g.len();
    }
    let mut out = String::with_capacity(end + ellipsis.len());
    out.push_str(&s[..end]);
    out.push_str(ellipsis);
    Cow::Owned(out)
}

/// Truncates (with `…`) and pads with spaces on the right to exactly `width` columns.
pub fn pad_to_width(s: &str, width: usize) -> Cow<'_, str> {
    pad(s, width, false)
}

/// Like [`pad_to_width`] but right-aligned (spaces on the left), for numbers and counts.
pub fn pad_left_to_width(s: &str, width: usize) -> Cow<'_, str> {
    pad(s, width, true)
}

fn pad(s: &str, width: usize, left: bool) -> Cow<'_, str> {
    let cut = truncate_to_width(s, width);
    let w = layout_width(&cut);
    if w >= width {
        return cut;
    }
    let fill = " ".repeat(width - w);
    Cow::Owned(if left {
        fill + &cut
    } else {
        cut.into_owned() + &fill
    })
}

/// Whether to draw with ASCII only: true when `flag` is set, when `TERM` names a terminal
/// without reliable Unicode (`linux`, `vt100`, `vt102`, `vt220`, `vt52`, `dumb`, `ansi`), or
/// when the effective locale (`LC_ALL`, `LC_CTYPE`, `LANG`) names a non-UTF-8 codeset.
pub fn ascii_mode(flag: bool, env: &dyn Fn(&str) -> Option<String>) -> bool {
    if flag {
        return true;
    }
    let term = env("TERM").unwrap_or_default();
    if matches!(
        term.as_str(),
        "linux" | "vt100" | "vt102" | "vt220" | "vt52" | "dumb" | "ansi"
    ) {
        return true;
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| env(k).filter(|v| !v.is_empty()));
    match locale {
        Some(l) => {
            let l = l.to_ascii_lowercase();
            // "C" and "POSIX" are left alone: over SSH they usually mean "not forwarded".
            match l.split_once('.') {
                Some((_, codeset)) => {
                    let codeset = codeset.split('@').next().unwrap_or("");
                    codeset != "utf-8" && codeset != "utf8"
                }
                None => false,
            }
        }
        None => false,
    }
}

/// Characters used for drawing, in a Unicode and an ASCII variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyphs {
    /// Block borders.
    pub border: border::Set<'static>,
    /// Marker in front of the selected row.
    pub selected: &'static str,
    /// Blank of the same width as `selected`, for other rows.
    pub unselected: &'static str,
    /// Ellipsis for truncated text.
    pub ellipsis: &'static str,
    /// Arrows.
    pub up: &'static str,
    /// Arrow down.
    pub down: &'static str,
    /// Arrow left.
    pub left: &'static str,
    /// Arrow right.
    pub right: &'static str,
    /// Sort indicator, ascending.
    pub sort_asc: &'static str,
    /// Sort indicator, descending.
    pub sort_desc: &'static str,
    /// Tree: child that has later siblings.
    pub tree_branch: &'static str,
    /// Tree: last child.
    pub tree_last: &'static str,
    /// Tree: continuation of a parent's line.
    pub tree_pipe: &'static str,
    /// Tree: indentation under a last child.
    pub tree_space: &'static str,
    /// Separator between status-bar items and columns.
    pub separator: &'static str,
    /// Bullet for lists.
    pub bullet: &'static str,
    /// Marker for new or unread rows.
    pub new_item: &'static str,
    /// Marker for a confirmed action.
    pub check: &'static str,
    /// Marker for a failed action.
    pub cross: &'static str,
    /// Spinner frames for background activity.
    pub spinner: &'static [&'static str],
}

impl Glyphs {
    /// Unicode box drawing and symbols.
    pub const UNICODE: Glyphs = Glyphs {
        border: border::ROUNDED,
        selected: "▶ ",
        unselected: "  ",
        ellipsis: "…",
        up: "↑",
        down: "↓",
        left: "←",
        right: "→",
        sort_asc: "▲",
        sort_desc: "▼",
        tree_branch: "├─ ",
        tree_last: "└─ ",
        tree_pipe: "│  ",
        tree_space: "   ",
        separator: "│",
        bullet: "•",
        new_item: "●",
        check: "✓",
        cross: "✗",
        spinner: &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"],
    };

    /// Plain ASCII for consoles and fonts without box drawing.
    pub const ASCII: Glyphs = Glyphs {
        border: border::Set {
            top_left: "+",
            top_right: "+",
            bottom_left: "+",
            bottom_right: "+",
            vertical_left: "|",
            vertical_right: "|",
            horizontal_top: "-",
            horizontal_bottom: "-",
        },
        selected: "> ",
        unselected: "  ",
        ellipsis: "...",
        up: "^",
        down: "v",
        left: "<",
        right: ">",
        sort_asc: "^",
        sort_desc: "v",
        tree_branch: "|- ",
        tree_last: "\\- ",
        tree_pipe: "|  ",
        tree_space: "   ",
        separator: "|",
        bullet: "*",
        new_item: "*",
        check: "+",
        cross: "x",
        spinner: &["|", "/", "-", "\\"],
    };

    /// The set for the given mode (see [`ascii_mode`]).
    pub fn new(ascii: bool) -> Glyphs {
        if ascii {
            Glyphs::ASCII
        } else {
            Glyphs::UNICODE
        }
    }
}

/// The ASCII stand-in for a drawing glyph, or `None` to keep the character.
pub fn ascii_glyph(c: char) -> Option<char> {
    Some(match c {
        '─' | '━' | '═' | '╌' | '╍' | '┄' | '┅' | '┈' | '┉' | '—' | '–' | '‐' => {
            '-'
        }
        '│' | '┃' | '║' | '╎' | '╏' | '┆' | '┇' | '┊' | '┋' => '|',
        '\u{250C}'..='\u{254B}' | '\u{2552}'..='\u{256C}' | '╭' | '╮' | '╯' | '╰' => '+',
        '·' | '•' | '∙' => '.',
        '…' => '~',
        '›' | '▶' | '▸' | '→' | '⟩' | '»' => '>',
        '‹' | '◀' | '◂' | '←' | '⟨' | '«' => '<',
        '▲' | '△' | '↑' | '▴' => '^',
        '▼' | '▽' | '↓' | '▾' => 'v',
        '●' | '◆' | '◇' | '○' | '★' | '✱' => '*',
        '✓' | '✔' => '+',
        '✗' | '✘' | '×' => 'x',
        '█' | '▌' | '▐' | '▀' | '▄' => '#',
        '░' | '▒' | '▓' => ':',
        '\u{2400}'..='\u{2426}' => '^',
        _ => return None,
    })
}

/// Replaces drawing glyphs in a rendered buffer with ASCII (`--ascii`, `TERM=linux`/`vt100`),
/// so borders and markers of every screen and pane come out in plain ASCII.
pub fn asciify(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        let mut chars = cell.symbol().chars();
        if let (Some(c), None) = (chars.next(), chars.next())
            && let Some(a) = ascii_glyph(c)
        {
            cell.set_char(a);
        }
    }
}

/// A tag as shown in a comma-separated list: quoted when it holds a comma or a quote, or
/// starts or ends with a space, so `Finance,EMEA` cannot read as two tags.
pub fn tag_label(tag: &str) -> Cow<'_, str> {
    let ambiguous = tag.contains([',', '"']) || tag.starts_with(' ') || tag.ends_with(' ');
    if ambiguous {
        Cow::Owned(format!("\"{}\"", tag.replace('"', "\\\"")))
    } else {
        Cow::Borrowed(tag)
    }
}

/// Tags joined for display with [`tag_label`] (`"Finance,EMEA", VIP`).
pub fn tag_list(tags: &[String]) -> String {
    tags.iter()
        .map(|t| tag_label(t))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Blanks every wide character whose second column was drawn over (by a pane's or overlay's
/// border, say). A terminal draws the wide character over both columns and never shows what
/// lies in the second, so the border would look shifted or cut; a blank keeps it in place.
pub fn mend_covered_wide_chars(buf: &mut ratatui::buffer::Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right().saturating_sub(1) {
            let wide = display_width(buf[(x, y)].symbol()) > 1;
            if wide && buf[(x + 1, y)].symbol() != " " {
                buf[(x, y)].set_symbol(" ");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_holding_a_comma_is_quoted_in_lists() {
        let tags = vec![
            "Finance,EMEA".to_string(),
            "VIP".to_string(),
            "say \"hi\"".to_string(),
        ];
        assert_eq!(tag_list(&tags), "\"Finance,EMEA\", VIP, \"say \\\"hi\\\"\"");
        assert_eq!(tag_label("plain"), "plain");
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn widths() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("한국어"), 6);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(display_width("👩‍💻"), 2);
    }

    #[test]
    fn fits_is_borrowed() {
        assert!(matches!(truncate_to_width("한국", 4), Cow::Borrowed(_)));
        assert!(matches!(truncate_to_width("", 0), Cow::Borrowed(_)));
    }

    #[test]
    fn korean_never_split() {
        assert_eq!(truncate_to_width("한국어", 5), "한국…");
        assert_eq!(truncate_to_width("한국어", 4), "한…");
        assert_eq!(truncate_to_width("한국어", 1), "…");
        assert_eq!(pad_to_width("한국어", 4), "한… ");
        assert_eq!(display_width(&pad_to_width("한국어", 4)), 4);
    }

    #[test]
    fn emoji_zwj_and_combining_stay_whole() {
        let family = "👨‍👩‍👧";
        let s = format!("{family}{family}x");
        assert_eq!(truncate_to_width(&s, 4), format!("{family}…"));
        assert_eq!(
            truncate_to_width("e\u{301}e\u{301}e\u{301}", 2),
            "e\u{301}…"
        );
        // Output is always a prefix of whole graphemes plus the ellipsis.
        let t = truncate_to_width("ab👩‍💻cd", 3);
        assert_eq!(t, "ab…");
    }

    #[test]
    fn zero_width_and_ascii_ellipsis() {
        assert_eq!(truncate_to_width("abc", 0), "");
        assert_eq!(truncate_with("abcdef", 5, "..."), "ab...");
        assert_eq!(truncate_with("abcdef", 2, "..."), "ab");
    }

    #[test]
    fn padding() {
        assert_eq!(pad_to_width("ab", 4), "ab  ");
        assert_eq!(pad_left_to_width("42", 4), "  42");
        assert_eq!(pad_to_width("abcdef", 4), "abc…");
        assert_eq!(pad_to_width("한", 3), "한 ");
    }

    #[test]
    fn result_never_exceeds_width() {
        let samples = [
            "한국어 텍스트",
            "👨‍👩‍👧👨‍👩‍👧",
            "abc",
            "e\u{301}\u{302}x",
            "ｗｉｄｅ",
        ];
        for s in samples {
            for w in 0..12 {
                let t = truncate_to_width(s, w);
                assert!(display_width(&t) <= w, "{s:?} at {w}: {t:?}");
                assert_eq!(display_width(&pad_to_width(s, w)), w, "{s:?} at {w}");
            }
        }
    }

    #[test]
    fn ascii_mode_detection() {
        assert!(ascii_mode(true, &env_of(&[("TERM", "xterm-256color")])));
        assert!(!ascii_mode(false, &env_of(&[("TERM", "xterm-256color")])));
        assert!(ascii_mode(false, &env_of(&[("TERM", "linux")])));
        assert!(ascii_mode(false, &env_of(&[("TERM", "vt100")])));
        assert!(ascii_mode(
            false,
            &env_of(&[("TERM", "xterm"), ("LANG", "en_US.ISO-8859-1")])
        ));
        assert!(!ascii_mode(
            false,
            &env_of(&[("TERM", "xterm"), ("LANG", "en_US.UTF-8")])
        ));
        // LC_ALL wins over LANG.
        assert!(ascii_mode(
            false,
            &env_of(&[
                ("TERM", "xterm"),
                ("LC_ALL", "de_DE.ISO-8859-15"),
                ("LANG", "en_US.UTF-8")
            ])
        ));
        assert!(!ascii_mode(
            false,
            &env_of(&[("TERM", "xterm"), ("LANG", "C")])
        ));
    }

    #[test]
    fn glyph_sets_are_ascii_or_same_width() {
        let a = Glyphs::ASCII;
        for s in [
            a.selected,
            a.ellipsis,
            a.tree_branch,
            a.tree_last,
            a.border.top_left,
        ] {
            assert!(s.is_ascii(), "{s:?}");
        }
        let u = Glyphs::UNICODE;
        for (x, y) in [
            (u.selected, a.selected),
            (u.tree_branch, a.tree_branch),
            (u.tree_last, a.tree_last),
            (u.tree_pipe, a.tree_pipe),
            (u.separator, a.separator),
        ] {
            assert_eq!(display_width(x), display_width(y), "{x:?} vs {y:?}");
        }
        assert_eq!(Glyphs::new(true), a);
    }
}

/// Draws `line` at (`x`, `y`) in at most `width` columns like [`Buffer::set_line`], and marks
/// a cut: when the line is wider than `width`, its last visible column shows `…`, so a cut
/// hash or command line never looks whole.
pub fn set_line_cut(
    buf: &mut ratatui::buffer::Buffer,
    x: u16,
    y: u16,
    line: &ratatui::text::Line<'_>,
    width: u16,
) {
    buf.set_line(x, y, line, width);
    if width == 0 || line.width() <= width as usize {
        return;
    }
    let last = x + width - 1;
    if last > x
        && let Some(prev) = buf.cell_mut((last - 1, y))
        && UnicodeWidthStr::width(prev.symbol()) > 1
    {
        // A wide character would overlap the mark: blank it instead of drawing half of it.
        prev.set_symbol(" ");
    }
    if let Some(cell) = buf.cell_mut((last, y)) {
        cell.set_symbol(ELLIPSIS);
    }
}

#[cfg(test)]
mod cut_tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::text::Line;

    fn row(buf: &Buffer, w: u16) -> String {
        (0..w).map(|x| buf[(x, 0)].symbol().to_string()).collect()
    }

    #[test]
    fn a_cut_line_ends_in_an_ellipsis_and_a_fitting_one_does_not() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 1));
        set_line_cut(&mut buf, 0, 0, &Line::from("c2fdc18caf5824ec"), 8);
        assert_eq!(row(&buf, 8), "c2fdc18…");
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 1));
        set_line_cut(&mut buf, 0, 0, &Line::from("12345678"), 8);
        assert_eq!(row(&buf, 8), "12345678");
    }

    #[test]
    fn a_wide_character_under_the_mark_is_blanked_not_halved() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        set_line_cut(&mut buf, 0, 0, &Line::from("abcd漢字xyz"), 6);
        let s = row(&buf, 6);
        assert!(s.ends_with('…'), "{s:?}");
        assert!(!s.contains('漢') || s.starts_with("abcd漢"), "{s:?}");
    }
}
