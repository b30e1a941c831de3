//! Local text hygiene for inquiry text. The UI has its own sanitiser for the screen; this text
//! also goes into emails, incident comments and the clipboard, so invisible and
//! terminal-controlling characters are made visible as `<U+XXXX>` here.

/// Longest single evidence value kept in a context block (characters).
pub const MAX_VALUE_CHARS: usize = 300;

/// True for characters that must not travel invisibly: C0 and C1 controls, DEL, bidi
/// embeddings/overrides/isolates and marks, zero-width and other invisible format characters,
/// and the Unicode line/paragraph separators.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{ad}' | '\u{61c}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// Single-line scrub: every unsafe character (newlines and tabs included) becomes `<U+XXXX>`.
pub fn scrub(s: &str) -> String {
    scrub_with(s, |_| false)
}

/// Multi-line scrub for free text (inquiry bodies): keeps `\n` and `\t`, turns `\r\n` and a lone
/// `\r` into `\n`, and makes every other unsafe character visible.
pub fn scrub_multiline(s: &str) -> String {
    let normalised = s.replace("\r\n", "\n").replace('\r', "\n");
    scrub_with(&normalised, |c| c == '\n' || c == '\t')
}

fn scrub_with(s: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe_char(c) && !keep(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Cuts `s` to at most `max` characters, appending a visible marker that says how much was cut.
pub fn truncate(s: &str, max: usize) -> String {
    let total = s.chars().count();
    if total <= max {
        return s.to_string();
    }
    let kept: String = s.chars().take(max).collect();
    format!("{kept} …[truncated, {} more chars]", total - max)
}

/// Truncates to [`MAX_VALUE_CHARS`] then scrubs: the form every untrusted value takes in a
/// context block.
pub fn clean_value(s: &str) -> String {
    scrub(&truncate(s.trim(), MAX_VALUE_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_controls_visible() {
        assert_eq!(scrub("a\u{1b}[31mb"), "a<U+001B>[31mb");
        assert_eq!(
            scrub("x\u{202e}y\u{200b}z\u{9b}"),
            "x<U+202E>y<U+200B>z<U+009B>"
        );
        assert_eq!(scrub("l1\nl2"), "l1<U+000A>l2");
        assert_eq!(
            scrub_multiline("l1\r\nl2\rl3\t\u{7}"),
            "l1\nl2\nl3\t<U+0007>"
        );
        assert_eq!(scrub("plain ünïcode 漢字"), "plain ünïcode 漢字");
    }

    #[test]
    fn truncation_marks_the_cut() {
        let long = "é".repeat(310);
        let t = truncate(&long, 300);
        assert!(t.starts_with(&"é".repeat(300)));
        assert!(t.ends_with("…[truncated, 10 more chars]"));
        assert_eq!(truncate("short", 300), "short");
    }
}
