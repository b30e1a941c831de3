//! Colour depth detection (`--color`, `NO_COLOR`, `COLORTERM`, `TERM`) and downsampling.
//!
//! ratatui does not downsample `Color::Rgb`, so themes are reduced to the detected depth when
//! they are built: RGB → nearest xterm-256 → nearest ANSI-16, and with [`ColorDepth::None`]
//! colours are stripped while modifiers (bold, reverse, underline) stay.

use ratatui::style::{Color, Modifier, Style};

/// How many colours the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColorDepth {
    /// No colours: modifiers only (`NO_COLOR`, `TERM=dumb`, `--color=never`).
    None,
    /// The 16 ANSI colours.
    Ansi16,
    /// The xterm 256-colour palette.
    Ansi256,
    /// 24-bit RGB.
    TrueColor,
}

/// Parses a `--color` value: `auto` → `Ok(None)`; `never`/`none`, `16`, `256`,
/// `truecolor`/`24bit` → `Ok(Some(depth))`.
pub fn parse_color_flag(flag: &str) -> Result<Option<ColorDepth>, String> {
    match flag.trim().to_ascii_lowercase().as_str() {
        "auto" | "" => Ok(None),
        "never" | "none" | "no" | "off" => Ok(Some(ColorDepth::None)),
        "16" | "ansi" | "ansi16" => Ok(Some(ColorDepth::Ansi16)),
        "256" | "ansi256" => Ok(Some(ColorDepth::Ansi256)),
        "truecolor" | "24bit" | "rgb" => Ok(Some(ColorDepth::TrueColor)),
        other => Err(format!(
            "unknown colour mode {other:?} (expected auto, never, 16, 256 or truecolor)"
        )),
    }
}

/// Detects the colour depth. Order: `flag` (auto|never|16|256|truecolor; unknown values act
/// as auto), `NO_COLOR` (non-empty) → none, `FORCE_COLOR` (0–3), `TERM=dumb` → none,
/// `COLORTERM=truecolor|24bit` → RGB, `TERM` ending in `-direct` or containing `truecolor` →
/// RGB, `TERM` containing `256color` → 256, otherwise 16. Over SSH usually only `TERM` arrives.
pub fn detect_color_depth(flag: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> ColorDepth {
    if let Some(Ok(Some(depth))) = flag.map(parse_color_flag) {
        return depth;
    }
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return ColorDepth::None;
    }
    if let Some(force) = env("FORCE_COLOR") {
        match force.trim() {
            "0" | "false" => return ColorDepth::None,
            "2" => return ColorDepth::Ansi256,
            "3" => return ColorDepth::TrueColor,
            "" | "1" | "true" => return ColorDepth::Ansi16.max(detect_from_term(env)),
            _ => {}
        }
    }
    let term = env("TERM").unwrap_or_default();
    if term == "dumb" {
        return ColorDepth::None;
    }
    detect_from_term(env)
}

fn detect_from_term(env: &dyn Fn(&str) -> Option<String>) -> ColorDepth {
    let colorterm = env("COLORTERM").unwrap_or_default().to_ascii_lowercase();
    if colorterm == "truecolor" || colorterm == "24bit" {
        return ColorDepth::TrueColor;
    }
    let term = env("TERM").unwrap_or_default().to_ascii_lowercase();
    if term.ends_with("-direct") || term.contains("truecolor") || term.contains("24bit") {
        return ColorDepth::TrueColor;
    }
    if term.contains("256color") {
        return ColorDepth::Ansi256;
    }
    ColorDepth::Ansi16
}

/// The xterm default RGB values of the 16 ANSI colours, indexed 0–15.
pub const ANSI16_RGB: [(u8, u8, u8); 16] = [
    (0x00, 0x00, 0x00),
    (0xcd, 0x00, 0x00),
    (0x00, 0xcd, 0x00),
    (0xcd, 0xcd, 0x00),
    (0x00, 0x00, 0xee),
    (0xcd, 0x00, 0xcd),
    (0x00, 0xcd, 0xcd),
    (0xe5, 0xe5, 0xe5),
    (0x7f, 0x7f, 0x7f),
    (0xff, 0x00, 0x00),
    (0x00, 0xff, 0x00),
    (0xff, 0xff, 0x00),
    (0x5c, 0x5c, 0xff),
    (0xff, 0x00, 0xff),
    (0x00, 0xff, 0xff),
    (0xff, 0xff, 0xff),
];

const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The ratatui named colour for ANSI index 0–15 (`None` above 15).
pub fn ansi16_color(index: u8) -> Option<Color> {
    Some(match index {
        0 => Color::Black,
        1 => Color::Red,
        2 => Color::Green,
        3 => Color::Yellow,
        4 => Color::Blue,
        5 => Color::Magenta,
        6 => Color::Cyan,
        7 => Color::Gray,
        8 => Color::DarkGray,
        9 => Color::LightRed,
        10 => Color::LightGreen,
        11 => Color::LightYellow,
        12 => Color::LightBlue,
        13 => Color::LightMagenta,
        14 => Color::LightCyan,
        15 => Color::White,
        _ => return None,
    })
}

/// ANSI index 0–15 of a named colour (`None` for `Reset`, `Indexed` and `Rgb`).
pub fn ansi16_index(color: Color) -> Option<u8> {
    Some(match color {
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
        _ => return None,
    })
}

/// RGB of an xterm-256 palette entry (0–15 use [`ANSI16_RGB`]).
pub fn indexed_to_rgb(index: u8) -> (u8, u8, u8) {
    match index {
        0..=15 => ANSI16_RGB[index as usize],
        16..=231 => {
            let i = index - 16;
            (
                CUBE[(i / 36) as usize],
                CUBE[(i / 6 % 6) as usize],
                CUBE[(i % 6) as usize],
            )
        }
        _ => {
            let v = 8 + 10 * (index - 232);
            (v, v, v)
        }
    }
}

/// RGB of any colour except `Reset` (using the xterm defaults for the ANSI colours).
pub fn color_to_rgb(color: Color) -> Option<(u8, u8, u8)> {
    match color {
        Color::Reset => None,
        Color::Rgb(r, g, b) => Some((r, g, b)),
        Color::Indexed(i) => Some(indexed_to_rgb(i)),
        named => ansi16_index(named).map(|i| ANSI16_RGB[i as usize]),
    }
}

fn dist2(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2) as u32;
    // Weighted towards green, where the eye is most sensitive.
    2 * d(a.0, b.0) + 4 * d(a.1, b.1) + 3 * d(a.2, b.2)
}

fn cube_level(v: u8) -> usize {
    // Index of the nearest of 0, 95, 135, 175, 215, 255.
    if v < 48 {
        0
    } else if v < 115 {
        1
    } else {
        ((usize::from(v) - 35) / 40).min(5)
    }
}

/// Nearest entry 16–255 of the xterm-256 palette (the colour cube or the grey ramp).
pub fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    let (ri, gi, bi) = (cube_level(r), cube_level(g), cube_level(b));
    let cube_idx = 16 + 36 * ri + 6 * gi + bi;
    let cube_rgb = (CUBE[ri], CUBE[gi], CUBE[bi]);
    let avg = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_i = if avg < 8 {
        0
    } else {
        ((avg - 8 + 5) / 10).min(23)
    };
    let grey_v = (8 + 10 * grey_i) as u8;
    let grey_idx = 232 + grey_i as usize;
    let target = (r, g, b);
    if dist2(target, (grey_v, grey_v, grey_v)) < dist2(target, cube_rgb) {
        grey_idx as u8
    } else {
        cube_idx as u8
    }
}

/// Nearest of the 16 ANSI colours to an RGB value.
pub fn rgb_to_ansi16(r: u8, g: u8, b: u8) -> Color {
    let target = (r, g, b);
    let mut best = 0u8;
    for (i, rgb) in ANSI16_RGB.iter().enumerate().skip(1) {
        if dist2(target, *rgb) < dist2(target, ANSI16_RGB[best as usize]) {
            best = i as u8;
        }
    }
    ansi16_color(best).unwrap_or(Color::Reset)
}

/// Reduces one colour to what `depth` can show; `None` means "no colour".
pub fn downsample(color: Color, depth: ColorDepth) -> Option<Color> {
    match (depth, color) {
        (ColorDepth::None, _) => None,
        (_, Color::Reset) => Some(Color::Reset),
        (ColorDepth::TrueColor, c) => Some(c),
        (ColorDepth::Ansi256, Color::Rgb(r, g, b)) => Some(Color::Indexed(rgb_to_256(r, g, b))),
        (ColorDepth::Ansi256, c) => Some(c),
        (ColorDepth::Ansi16, Color::Indexed(i)) => match ansi16_color(i) {
            Some(c) => Some(c),
            None => {
                let (r, g, b) = indexed_to_rgb(i);
                Some(rgb_to_ansi16(r, g, b))
            }
        },
        (ColorDepth::Ansi16, Color::Rgb(r, g, b)) => {
            let (r, g, b) = indexed_to_rgb(rgb_to_256(r, g, b));
            Some(rgb_to_ansi16(r, g, b))
        }
        (ColorDepth::Ansi16, c) => Some(c),
    }
}

/// Reduces a style's colours to `depth`. With [`ColorDepth::None`] colours are removed and a
/// style that relied on a background colour gets `REVERSED`, so highlights stay visible.
pub fn style_for_depth(style: Style, depth: ColorDepth) -> Style {
    let mut out = style;
    out.fg = style.fg.and_then(|c| downsample(c, depth));
    out.bg = style.bg.and_then(|c| downsample(c, depth));
    out.underline_color = style.underline_color.and_then(|c| downsample(c, depth));
    if depth == ColorDepth::None
        && style.bg.is_some_and(|c| c != Color::Reset)
        && !style.add_modifier.contains(Modifier::REVERSED)
        && !style.sub_modifier.contains(Modifier::REVERSED)
    {
        out = out.add_modifier(Modifier::REVERSED);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn detection_matrix() {
        use ColorDepth as D;
        type Case<'a> = (Option<&'a str>, &'a [(&'a str, &'a str)], ColorDepth);
        let cases: &[Case<'_>] = &[
            (None, &[], D::Ansi16),
            (None, &[("TERM", "xterm")], D::Ansi16),
            (None, &[("TERM", "xterm-256color")], D::Ansi256),
            (None, &[("TERM", "screen-256color")], D::Ansi256),
            (
                None,
                &[("TERM", "tmux-256color"), ("COLORTERM", "truecolor")],
                D::TrueColor,
            ),
            (
                None,
                &[("TERM", "xterm"), ("COLORTERM", "24bit")],
                D::TrueColor,
            ),
            (None, &[("TERM", "xterm-direct")], D::TrueColor),
            (None, &[("TERM", "dumb")], D::None),
            (
                None,
                &[("TERM", "xterm-256color"), ("NO_COLOR", "1")],
                D::None,
            ),
            (
                None,
                &[("TERM", "xterm-256color"), ("NO_COLOR", "")],
                D::Ansi256,
            ),
            (None, &[("TERM", "dumb"), ("FORCE_COLOR", "2")], D::Ansi256),
            (
                None,
                &[("TERM", "xterm-256color"), ("FORCE_COLOR", "0")],
                D::None,
            ),
            (
                None,
                &[("TERM", "xterm-256color"), ("FORCE_COLOR", "1")],
                D::Ansi256,
            ),
            (Some("never"), &[("TERM", "xterm-256color")], D::None),
            (Some("16"), &[("COLORTERM", "truecolor")], D::Ansi16),
            (Some("256"), &[("NO_COLOR", "1")], D::Ansi256),
            (Some("truecolor"), &[("TERM", "dumb")], D::TrueColor),
            (Some("auto"), &[("TERM", "xterm-256color")], D::Ansi256),
            (Some("bogus"), &[("TERM", "xterm-256color")], D::Ansi256),
        ];
        for (flag, env, want) in cases {
            let got = detect_color_depth(*flag, &env_of(env));
            assert_eq!(got, *want, "flag {flag:?} env {env:?}");
        }
    }

    #[test]
    fn flag_parsing() {
        assert_eq!(parse_color_flag("auto"), Ok(None));
        assert_eq!(parse_color_flag("NEVER"), Ok(Some(ColorDepth::None)));
        assert!(parse_color_flag("purple").is_err());
    }

    #[test]
    fn rgb_to_256_known_values() {
        assert_eq!(rgb_to_256(0xff, 0x87, 0x00), 208);
        assert_eq!(rgb_to_256(0xff, 0x00, 0x00), 196);
        assert_eq!(rgb_to_256(0x00, 0x5f, 0x87), 24);
        assert_eq!(rgb_to_256(0, 0, 0), 16);
        assert_eq!(rgb_to_256(255, 255, 255), 231);
        assert_eq!(rgb_to_256(0x80, 0x80, 0x80), 244);
        assert_eq!(rgb_to_256(0x12, 0x12, 0x12), 233);
        // Slightly off-grid values snap to the nearest cube entry.
        assert_eq!(rgb_to_256(0xfa, 0x85, 0x05), 208);
    }

    #[test]
    fn palette_round_trip() {
        for i in 16..=255u8 {
            let (r, g, b) = indexed_to_rgb(i);
            let j = rgb_to_256(r, g, b);
            assert_eq!(indexed_to_rgb(j), (r, g, b), "index {i} -> {j}");
        }
    }

    #[test]
    fn to_ansi16_known_values() {
        assert_eq!(rgb_to_ansi16(0xff, 0x00, 0x00), Color::LightRed);
        assert_eq!(rgb_to_ansi16(0xcc, 0x00, 0x00), Color::Red);
        assert_eq!(rgb_to_ansi16(0, 0, 0), Color::Black);
        assert_eq!(rgb_to_ansi16(0xff, 0xff, 0xff), Color::White);
        assert_eq!(rgb_to_ansi16(0x80, 0x80, 0x80), Color::DarkGray);
        assert_eq!(
            downsample(Color::Indexed(196), ColorDepth::Ansi16),
            Some(Color::LightRed)
        );
        assert_eq!(
            downsample(Color::Indexed(4), ColorDepth::Ansi16),
            Some(Color::Blue)
        );
        assert_eq!(
            downsample(Color::Rgb(0, 0, 0xee), ColorDepth::Ansi16),
            Some(Color::Blue)
        );
        assert_eq!(
            downsample(Color::Indexed(244), ColorDepth::Ansi16),
            Some(Color::DarkGray)
        );
    }

    #[test]
    fn downsample_by_depth() {
        let c = Color::Rgb(0xff, 0x87, 0x00);
        assert_eq!(downsample(c, ColorDepth::TrueColor), Some(c));
        assert_eq!(
            downsample(c, ColorDepth::Ansi256),
            Some(Color::Indexed(208))
        );
        assert_eq!(downsample(c, ColorDepth::None), None);
        assert_eq!(
            downsample(Color::Reset, ColorDepth::Ansi16),
            Some(Color::Reset)
        );
        assert_eq!(
            downsample(Color::Red, ColorDepth::Ansi256),
            Some(Color::Red)
        );
    }

    #[test]
    fn no_colour_keeps_modifiers_and_reverses_highlights() {
        let s = Style::new()
            .fg(Color::Red)
            .bg(Color::Blue)
            .add_modifier(Modifier::BOLD);
        let out = style_for_depth(s, ColorDepth::None);
        assert_eq!(out.fg, None);
        assert_eq!(out.bg, None);
        assert!(
            out.add_modifier
                .contains(Modifier::BOLD | Modifier::REVERSED)
        );
        let plain = style_for_depth(Style::new().fg(Color::Red), ColorDepth::None);
        assert!(!plain.add_modifier.contains(Modifier::REVERSED));
    }
}
