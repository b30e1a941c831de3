//! The one sanitiser for untrusted text (titles, command lines, user names, comments).
//!
//! Every string that comes from outside the process goes through this module before it reaches
//! the terminal, a log line, an export or the clipboard. Hidden characters are never dropped
//! silently: they become visible escapes so an analyst can see obfuscation.
//!
//! What counts as hidden (see [`is_hidden`]):
//! * controls: C0, DEL and C1 (including the one-byte CSI U+009B), so also ESC, CR and LF;
//! * bidi controls: U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C;
//! * invisible format characters (general category Cf), e.g. U+200B–U+200D, U+2060–U+2064,
//!   U+FEFF, U+00AD, the tag characters U+E0000–U+E007F;
//! * line and paragraph separators U+2028/U+2029, Hangul fillers, the combining grapheme
//!   joiner, Mongolian variation selectors, the variation selectors supplement
//!   (U+E0100–U+E01EF, used to smuggle data) and noncharacters.
//!
//! Two exceptions keep ordinary emoji intact: a ZERO WIDTH JOINER between two emoji (an emoji
//! ZWJ sequence such as 👩‍💻) and a single variation selector U+FE00–U+FE0F directly after a
//! visible character (as in ❤️) are kept.
//!
//! TAB always becomes four spaces, in every form.
//!
//! Forms:
//! * [`sanitize`]: plain single-line text for clipboard, logs and exports. Controls become
//!   `\x1b`, `\n`, `\r`; other hidden characters become `<U+202E>`.
//! * [`sanitize_multiline`]: the same but keeps line feeds (CR LF becomes LF).
//! * [`sanitize_spans`] / [`sanitize_lines`]: display form. Markers (`␛`, `␇`, `␤`, `⟨RLO⟩`,
//!   `⟨ZWSP⟩`, `⟨U+E0041⟩`…) are separate spans in the theme's marker style.
//! * [`sanitize_truncated`]: plain form with a bound on the work done.

use std::borrow::Cow;
use std::fmt::Write as _;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// What a TAB becomes in every form.
pub const TAB_REPLACEMENT: &str = "    ";

/// Display forms stop after this many input characters per line and append `…(+N chars)`.
pub const DISPLAY_CHAR_CAP: usize = 16_384;

const ZWJ: char = '\u{200D}';

/// True for characters this module never lets through as themselves (context-free part).
///
/// ZWJ and U+FE00–U+FE0F are context dependent and not reported here; see the module docs.
pub fn is_hidden(c: char) -> bool {
    let u = c as u32;
    if c.is_control() {
        return true;
    }
    matches!(
        u,
        0x00AD
            | 0x034F
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200C
            | 0x200E..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFDD0..=0xFDEF
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    ) || (u & 0xFFFE) == 0xFFFE
}

/// Variation selectors FE00–FE0F (kept only directly after a visible character).
fn is_vs(c: char) -> bool {
    ('\u{FE00}'..='\u{FE0F}').contains(&c)
}

/// Rough Extended_Pictographic test, enough to recognise emoji ZWJ sequences.
fn is_pictographic(c: char) -> bool {
    matches!(
        c as u32,
        0x00A9
            | 0x00AE
            | 0x203C
            | 0x2049
            | 0x2122
            | 0x2139
            | 0x2190..=0x21FF
            | 0x2300..=0x23FF
            | 0x24C2
            | 0x25A0..=0x27BF
            | 0x2900..=0x297F
            | 0x2B00..=0x2BFF
            | 0x3030
            | 0x303D
            | 0x3297
            | 0x3299
            | 0x1F000..=0x1FAFF
    )
}

/// Characters after which a ZWJ may continue an emoji sequence.
fn continues_emoji(c: char) -> bool {
    is_pictographic(c) || c == '\u{FE0F}' || ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Keep,
    Tab,
    Hide,
}

fn classify(c: char, prev: Option<char>, next: Option<char>) -> Class {
    if (' '..='~').contains(&c) {
        return Class::Keep;
    }
    if c == '\t' {
        return Class::Tab;
    }
    if is_hidden(c) {
        return Class::Hide;
    }
    if c == ZWJ {
        let ok = prev.is_some_and(continues_emoji) && next.is_some_and(is_pictographic);
        return if ok { Class::Keep } else { Class::Hide };
    }
    if is_vs(c) {
        let ok = prev.is_some_and(|p| {
            !(p.is_whitespace()
                || is_hidden(p)
                || p == ZWJ
                || is_vs(p)
                || ('\u{E0100}'..='\u{E01EF}').contains(&p))
        });
        return if ok { Class::Keep } else { Class::Hide };
    }
    Class::Keep
}

/// One piece of sanitised input.
enum Tok<'a> {
    /// A run of characters kept as they are.
    Text(&'a str),
    /// A TAB.
    Tab,
    /// A hidden character that must be shown as a marker.
    Hidden(char),
}

/// Splits input into kept runs, tabs and hidden characters, in linear time.
struct Tokens<'a> {
    s: &'a str,
    pos: usize,
    prev: Option<char>,
}

impl<'a> Tokens<'a> {
    fn new(s: &'a str) -> Self {
        Tokens {
            s,
            pos: 0,
            prev: None,
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Tok<'a>;

    fn next(&mut self) -> Option<Tok<'a>> {
        let rest = &self.s[self.pos..];
        let mut it = rest.char_indices().peekable();
        let mut end = 0;
        while let Some((i, c)) = it.next() {
            let next = it.peek().map(|&(_, n)| n);
            match classify(c, self.prev, next) {
                Class::Keep => {
                    self.prev = Some(c);
                    end = i + c.len_utf8();
                }
                class => {
                    if end > 0 {
                        // Emit the run first; this character is classified again next time
                        // with the same neighbours.
                        break;
                    }
                    // A marked character is no base: a ZWJ or variation selector after it
                    // must be marked too (`\u{FE0F}\u{200D}👨` keeps no stray joiner).
                    self.prev = None;
                    self.pos += c.len_utf8();
                    return Some(if class == Class::Tab {
                        Tok::Tab
                    } else {
                        Tok::Hidden(c)
                    });
                }
            }
        }
        if end == 0 {
            return None;
        }
        self.pos += end;
        Some(Tok::Text(&rest[..end]))
    }
}

/// True when `s` contains nothing the sanitiser would change.
fn is_clean(s: &str) -> bool {
    matches!(Tokens::new(s).next(), Some(Tok::Text(t)) if t.len() == s.len()) || s.is_empty()
}

/// Plain escape for a hidden character: `\x1b`, `\n`, `\r`, `\x9b`, `<U+202E>`.
fn push_plain_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x100 && c.is_control() => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        }
    }
}

/// Short names for well-known invisible characters, used by the display markers.
fn marker_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{0085}' => "NEL",
        '\u{0090}' => "DCS",
        '\u{009B}' => "CSI",
        '\u{009C}' => "ST",
        '\u{009D}' => "OSC",
        '\u{00AD}' => "SHY",
        '\u{034F}' => "CGJ",
        '\u{061C}' => "ALM",
        '\u{180E}' => "MVS",
        '\u{200B}' => "ZWSP",
        '\u{200C}' => "ZWNJ",
        '\u{200D}' => "ZWJ",
        '\u{200E}' => "LRM",
        '\u{200F}' => "RLM",
        '\u{2028}' => "LS",
        '\u{2029}' => "PS",
        '\u{202A}' => "LRE",
        '\u{202B}' => "RLE",
        '\u{202C}' => "PDF",
        '\u{202D}' => "LRO",
        '\u{202E}' => "RLO",
        '\u{2060}' => "WJ",
        '\u{2066}' => "LRI",
        '\u{2067}' => "RLI",
        '\u{2068}' => "FSI",
        '\u{2069}' => "PDI",
        '\u{FEFF}' => "BOM",
        _ => return None,
    })
}

/// The display marker for a hidden character: a control picture (`␛`, `␀`, `␍`, `␡`; `␤` for
/// LF) for C0 and DEL, otherwise `⟨NAME⟩` or `⟨U+XXXX⟩`.
pub fn display_marker(c: char) -> String {
    let u = c as u32;
    if c == '\n' {
        return "\u{2424}".to_string();
    }
    if u < 0x20 {
        // U+2400..U+241F are the control pictures for C0, in order.
        if let Some(p) = char::from_u32(0x2400 + u) {
            return p.to_string();
        }
    }
    if u == 0x7F {
        return "\u{2421}".to_string();
    }
    match marker_name(c) {
        Some(name) => format!("⟨{name}⟩"),
        None => format!("⟨U+{u:04X}⟩"),
    }
}

/// Plain single-line form: hidden characters become `\x1b`, `\n`, `\r` or `<U+202E>`, TAB
/// becomes four spaces. Borrowed when nothing changed.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if is_clean(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    plain_into(&mut out, s);
    Cow::Owned(out)
}

fn plain_into(out: &mut String, s: &str) {
    for tok in Tokens::new(s) {
        match tok {
            Tok::Text(t) => out.push_str(t),
            Tok::Tab => out.push_str(TAB_REPLACEMENT),
            Tok::Hidden(c) => push_plain_escape(out, c),
        }
    }
}

/// Plain form that keeps line breaks: LF and CR LF become LF, everything else as [`sanitize`].
pub fn sanitize_multiline(s: &str) -> Cow<'_, str> {
    if !s.contains('\n') {
        return sanitize(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        plain_into(&mut out, line);
    }
    if out == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(out)
    }
}

/// Plain form of at most `max_chars` input characters; when more remain, appends
/// `…(+N chars)`. Work is linear in the input and the output is bounded.
pub fn sanitize_truncated(s: &str, max_chars: usize) -> Cow<'_, str> {
    match split_at_chars(s, max_chars) {
        None => sanitize(s),
        Some((head, rest)) => {
            let mut out = sanitize(head).into_owned();
            let _ = write!(out, "…(+{} chars)", rest.chars().count());
            Cow::Owned(out)
        }
    }
}

/// Splits after `n` characters, or `None` when `s` has at most `n` characters.
fn split_at_chars(s: &str, n: usize) -> Option<(&str, &str)> {
    let (i, _) = s.char_indices().nth(n)?;
    Some(s.split_at(i))
}

/// Appends the display spans for one line (no line splitting) to `spans`.
fn push_spans(spans: &mut Vec<Span<'static>>, s: &str, base: Style, marker: Style) {
    let (head, rest) = split_at_chars(s, DISPLAY_CHAR_CAP).unwrap_or((s, ""));
    let mut text = String::new();
    let flush = |text: &mut String, spans: &mut Vec<Span<'static>>| {
        if !text.is_empty() {
            spans.push(Span::styled(std::mem::take(text), base));
        }
    };
    for tok in Tokens::new(head) {
        match tok {
            Tok::Text(t) => text.push_str(t),
            Tok::Tab => text.push_str(TAB_REPLACEMENT),
            Tok::Hidden(c) => {
                flush(&mut text, spans);
                spans.push(Span::styled(display_marker(c), marker));
            }
        }
    }
    flush(&mut text, spans);
    if !rest.is_empty() {
        spans.push(Span::styled(
            format!("…(+{} chars)", rest.chars().count()),
            marker,
        ));
    }
}

/// Display form of a single line: kept text in `base`, each hidden character as its own span
/// in `marker` style (`\n` shows as `␤`). Input beyond [`DISPLAY_CHAR_CAP`] characters is
/// summarised as `…(+N chars)`.
pub fn sanitize_spans(s: &str, base: Style, marker: Style) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    push_spans(&mut spans, s, base, marker);
    spans
}

/// [`sanitize_spans`] as a [`Line`].
pub fn sanitize_line(s: &str, base: Style, marker: Style) -> Line<'static> {
    Line::from(sanitize_spans(s, base, marker))
}

/// Display form of multi-line text: splits on `\n` (a `\r` stays visible as `␍`), at most
/// `max_lines` lines; when more remain, a last line `…(+N lines)` in `marker` style is added.
pub fn sanitize_lines(s: &str, base: Style, marker: Style, max_lines: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut parts = s.split('\n');
    for part in parts.by_ref().take(max_lines) {
        let mut spans = Vec::new();
        push_spans(&mut spans, part, base, marker);
        lines.push(Line::from(spans));
    }
    let more = parts.count();
    if more > 0 {
        lines.push(Line::from(Span::styled(
            format!("…(+{more} lines)"),
            marker,
        )));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};

    fn marker() -> Style {
        Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    fn joined(spans: &[Span<'_>]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn clean_text_is_borrowed() {
        for s in [
            "",
            "hello world",
            "한국어 텍스트",
            "👩‍💻 at work",
            "❤️ ok",
            "é",
        ] {
            assert!(matches!(sanitize(s), Cow::Borrowed(_)), "{s:?}");
        }
    }

    #[test]
    fn osc_title_injection_is_escaped() {
        let s = "evil \x1b]0;pwned\x07 \x1b[31mred";
        assert_eq!(sanitize(s), "evil \\x1b]0;pwned\\x07 \\x1b[31mred");
        let spans = sanitize_spans(s, Style::new(), marker());
        assert_eq!(joined(&spans), "evil ␛]0;pwned␇ ␛[31mred");
        let markers: Vec<_> = spans.iter().filter(|s| s.style == marker()).collect();
        assert_eq!(markers.len(), 3);
    }

    #[test]
    fn bidi_override_is_visible() {
        let s = "invoice\u{202E}exe.txt";
        assert_eq!(sanitize(s), "invoice<U+202E>exe.txt");
        let spans = sanitize_spans(s, Style::new(), marker());
        assert_eq!(joined(&spans), "invoice⟨RLO⟩exe.txt");
        assert_eq!(spans[1].style, marker());
    }

    #[test]
    fn zero_width_user_names() {
        let s = "ad\u{200B}min\u{200D}\u{FEFF}";
        assert_eq!(sanitize(s), "ad<U+200B>min<U+200D><U+FEFF>");
        let spans = sanitize_spans(s, Style::new(), marker());
        assert_eq!(joined(&spans), "ad⟨ZWSP⟩min⟨ZWJ⟩⟨BOM⟩");
    }

    #[test]
    fn nul_del_and_c1_csi() {
        assert_eq!(sanitize("a\0b\x7fc\u{9b}31m"), "a\\x00b\\x7fc\\x9b31m");
        let spans = sanitize_spans("a\0b\x7fc\u{9b}31m", Style::new(), marker());
        assert_eq!(joined(&spans), "a␀b␡c⟨CSI⟩31m");
    }

    #[test]
    fn tabs_and_newlines() {
        assert_eq!(sanitize("a\tb\r\nc"), "a    b\\r\\nc");
        let spans = sanitize_spans("a\tb\nc", Style::new(), marker());
        assert_eq!(joined(&spans), "a    b␤c");
        assert_eq!(sanitize_multiline("a\r\nb\n\x1bc"), "a\nb\n\\x1bc");
        assert!(matches!(sanitize_multiline("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn emoji_sequences_survive_but_stray_joiners_do_not() {
        assert_eq!(sanitize("👨‍👩‍👧"), "👨‍👩‍👧");
        assert_eq!(sanitize("🏳️‍🌈"), "🏳️‍🌈");
        assert_eq!(sanitize("a\u{200D}👩"), "a<U+200D>👩");
        assert_eq!(sanitize("\u{FE0F}x"), "<U+FE0F>x");
        // A joiner after a marked selector has no emoji base: it is marked too.
        assert_eq!(sanitize("\u{FE0F}\u{200D}👨"), "<U+FE0F><U+200D>👨");
        assert_eq!(sanitize("x\u{FE0F}\u{FE0F}"), "x\u{FE0F}<U+FE0F>");
        // Data smuggled in the variation selectors supplement is shown.
        assert_eq!(sanitize("a\u{E0100}"), "a<U+E0100>");
    }

    #[test]
    fn lines_split_and_cap() {
        let lines = sanitize_lines("one\r\ntwo\nthree\nfour", Style::new(), marker(), 2);
        assert_eq!(lines.len(), 3);
        assert_eq!(joined(&lines[0].spans), "one␍");
        assert_eq!(joined(&lines[1].spans), "two");
        assert_eq!(joined(&lines[2].spans), "…(+2 lines)");
    }

    #[test]
    fn truncated_reports_remaining_chars() {
        assert_eq!(sanitize_truncated("abcdef", 4), "abcd…(+2 chars)");
        assert_eq!(sanitize_truncated("ab\x1b", 4), "ab\\x1b");
        assert_eq!(sanitize_truncated("한국어", 1), "한…(+2 chars)");
    }

    #[test]
    fn display_cap_applies() {
        let s = "x".repeat(DISPLAY_CHAR_CAP + 5);
        let spans = sanitize_spans(&s, Style::new(), marker());
        assert_eq!(
            spans.last().map(|s| s.content.as_ref()),
            Some("…(+5 chars)")
        );
    }
}
