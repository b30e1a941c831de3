//! Property tests for the one sanitiser (`vigil::ui::sanitize`).

use proptest::prelude::*;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use unicode_width::UnicodeWidthStr;
use vigil::ui::sanitize::{
    is_hidden, sanitize, sanitize_lines, sanitize_multiline, sanitize_spans, sanitize_truncated,
};

const BASE: Style = Style::new();
const MARKER: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);

/// Independent oracle: characters that must never reach the output as themselves.
fn forbidden(c: char) -> bool {
    let u = c as u32;
    c.is_control()
        || matches!(
            u,
            0x202A..=0x202E | 0x2066..=0x2069 | 0x200E | 0x200F | 0x061C // bidi
                | 0x200B | 0x200C | 0x2060..=0x2064 | 0xFEFF | 0x00AD | 0x180E // zero width
                | 0x2028 | 0x2029 | 0xE0000..=0xE007F | 0xE0100..=0xE01EF
        )
}

/// A ZWJ may stay only inside an emoji sequence: both neighbours visible, non-ASCII.
fn zwj_ok(prev: Option<char>, next: Option<char>) -> bool {
    let visible =
        |c: Option<char>| c.is_some_and(|c| !c.is_ascii() && !forbidden(c) && c != '\u{200D}');
    visible(prev) && visible(next)
}

fn check_clean(out: &str) -> Result<(), TestCaseError> {
    let chars: Vec<char> = out.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        prop_assert!(!forbidden(c), "forbidden {:?} in {:?}", c, out);
        if c == '\u{200D}' {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            prop_assert!(
                zwj_ok(prev, chars.get(i + 1).copied()),
                "stray ZWJ in {:?}",
                out
            );
        }
    }
    Ok(())
}

/// Strings rich in hostile characters, mixed with ordinary text, emoji and Korean.
fn hostile_string() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => proptest::char::range(' ', '~'),
        2 => proptest::char::range('\0', '\u{1f}'),
        1 => proptest::char::range('\u{7f}', '\u{9f}'),
        1 => proptest::sample::select(vec![
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{200B}', '\u{200C}',
            '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{2028}', '\u{2029}', '\u{FE0F}',
            '\u{FE0E}', '\u{E0041}', '\u{E0100}', '\u{3164}', '\u{034F}',
        ]),
        1 => proptest::sample::select(vec![
            '👨', '👩', '👧', '💻', '❤', '🏳', '🌈', '\u{1F3FD}', '한', '국', 'é', '\u{0301}',
            '\u{0338}', '<', '=', 'ﾞ', '\t', '\n', '\r',
        ]),
        1 => any::<char>(),
    ];
    proptest::collection::vec(ch, 0..80).prop_map(|v| v.into_iter().collect())
}

fn joined(spans: &[Span<'_>]) -> String {
    spans.iter().map(|s| s.content.as_ref()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn plain_output_is_clean(s in hostile_string()) {
        check_clean(&sanitize(&s))?;
        check_clean(&sanitize_truncated(&s, 20))?;
        for line in sanitize_multiline(&s).split('\n') {
            check_clean(line)?;
        }
    }

    #[test]
    fn arbitrary_unicode_is_clean(s in any::<String>()) {
        check_clean(&sanitize(&s))?;
        check_clean(&joined(&sanitize_spans(&s, BASE, MARKER)))?;
    }

    #[test]
    fn idempotent(s in hostile_string()) {
        let once = sanitize(&s).into_owned();
        let twice = sanitize(&once);
        prop_assert!(matches!(twice, std::borrow::Cow::Borrowed(_)), "{:?}", once);
        prop_assert_eq!(twice.as_ref(), once.as_str());
    }

    #[test]
    fn display_is_clean_and_faithful(s in hostile_string()) {
        let spans = sanitize_spans(&s, BASE, MARKER);
        check_clean(&joined(&spans))?;
        // Every marker is visible.
        for m in spans.iter().filter(|s| s.style == MARKER) {
            prop_assert!(m.content.width() >= 1, "invisible marker {:?}", m.content);
        }
        // Kept text is exactly the input minus what was marked, with TAB as spaces.
        let kept: String = spans.iter().filter(|s| s.style == BASE).map(|s| s.content.as_ref()).collect();
        let markers = spans.iter().filter(|s| s.style == MARKER).count();
        let forbidden_in = s.chars().filter(|&c| forbidden(c) && c != '\t').count();
        prop_assert!(markers >= forbidden_in, "{} markers for {} hidden", markers, forbidden_in);
        // Context-dependent characters (ZWJ, variation selectors) and the sanitiser's wider
        // hidden set may be marked too; with those removed from both sides, kept text must
        // equal the input with TAB as spaces: nothing else is dropped or altered.
        let strip = |t: &str| -> String {
            t.chars()
                .filter(|&c| c != '\u{200D}' && !('\u{FE00}'..='\u{FE0F}').contains(&c) && !is_hidden(c))
                .collect()
        };
        prop_assert_eq!(strip(&kept), strip(&s.replace('\t', "    ")));
    }

    #[test]
    fn display_width_is_sum_of_parts(s in hostile_string()) {
        // Deterministic width: the line is as wide as its kept text plus its markers.
        let spans = sanitize_spans(&s, BASE, MARKER);
        let total: usize = spans.iter().map(|s| s.content.width()).sum();
        prop_assert_eq!(joined(&spans).width(), total);
        let markers: usize = spans.iter().filter(|s| s.style == MARKER).count();
        prop_assert!(total >= markers);
    }

    #[test]
    fn lines_have_no_newlines(s in hostile_string(), max in 1usize..5) {
        let lines = sanitize_lines(&s, BASE, MARKER, max);
        prop_assert!(lines.len() <= max + 1);
        for line in &lines {
            check_clean(&joined(&line.spans))?;
        }
    }
}

#[test]
fn megabyte_of_hostile_input() {
    let unit = "evil \x1b]0;pwned\x07 \u{202E}exe.txt ad\u{200B}min \u{9b}31m 한국어 👩‍💻\t\r\n";
    let mut s = String::new();
    while s.len() < 1 << 20 {
        s.push_str(unit);
    }
    let plain = sanitize(&s);
    check_clean(&plain).unwrap();
    assert!(plain.contains("<U+202E>exe.txt"));
    let t = sanitize_truncated(&s, 1000);
    // At most 1000 input characters are processed; each expands to at most 10 output chars.
    assert!(t.chars().count() <= 10 * 1000 + 30, "{}", t.chars().count());
    let rest = s.chars().count() - 1000;
    assert!(t.ends_with(&format!("…(+{rest} chars)")));
    let lines = sanitize_lines(&s, BASE, MARKER, 50);
    assert_eq!(lines.len(), 51);
    let spans = sanitize_spans(&s, BASE, MARKER);
    assert!(joined(&spans).ends_with("chars)"));
    check_clean(&joined(&spans)).unwrap();
}
