//! When a theme is readable: which tokens are drawn over which backgrounds, and the test
//! that every shipped theme keeps them apart at every colour depth.
//!
//! "Distinguishable" means, with colour: after reduction to the depth, foreground and
//! background are different colours with a WCAG contrast ratio of at least
//! [`MIN_CONTRAST`] (the xterm palette stands in for the 16 ANSI colours); without colour:
//! text is the terminal's own colours (readable by definition), and a highlight must keep an
//! attribute (reverse, bold, …) so it still stands out; only a plain surface such as a
//! pop-up body may go plain.

use ratatui::style::Color;

use super::color::{ColorDepth, color_to_rgb};
use super::theme::Theme;
use super::views::status_bar;

/// WCAG's minimum for large or bold text; everything vigil draws over a background is a
/// short label, often bold.
pub const MIN_CONTRAST: f64 = 3.0;

/// Tokens that only fill an area (no highlight meaning): plain without colour is fine.
const SURFACES: &[&str] = &["popup"];

/// WCAG relative luminance of an sRGB colour.
pub fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG contrast ratio, 1.0 (same luminance) to 21.0 (black on white).
pub fn contrast_ratio(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `(foreground token, background token)` pairs drawn together: every token with its own
/// background, and every token the status line draws over the status bar's background.
pub fn pairs_drawn_together(full_colour: &Theme) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Theme::TOKENS
        .iter()
        .filter(|t| full_colour.get(t).is_some_and(|s| s.bg.is_some()))
        .map(|t| (*t, *t))
        .collect();
    out.extend(status_bar::ON_BAR.iter().map(|t| (*t, "status_bar")));
    out
}

/// Why `fg_token` over `bg_token` is unreadable in `theme` (built for `depth`), if it is.
/// Where no background colour is drawn (no colour, or a theme without colours such as
/// `mono`), the no-colour rule applies.
pub fn pair_problem(
    theme: &Theme,
    depth: ColorDepth,
    fg_token: &str,
    bg_token: &str,
) -> Option<String> {
    let (fg_style, bg_style) = (theme.get(fg_token)?, theme.get(bg_token)?);
    // A span without a foreground of its own takes the background token's.
    let fg = fg_style.fg.or(bg_style.fg).unwrap_or(Color::Reset);
    let bg = bg_style.bg.unwrap_or(Color::Reset);
    if depth == ColorDepth::None || bg == Color::Reset {
        // No background colour is drawn: the text is in the terminal's own colours.
        let plain = bg_style.add_modifier.is_empty() && !SURFACES.contains(&bg_token);
        return plain.then(|| format!("{bg_token} is indistinguishable without colour"));
    }
    let (Some(f), Some(b)) = (color_to_rgb(fg), color_to_rgb(bg)) else {
        return Some(format!(
            "{fg_token} ({fg:?}) over {bg_token} ({bg:?}) relies on the terminal's default colours"
        ));
    };
    let ratio = contrast_ratio(f, b);
    (fg == bg || ratio < MIN_CONTRAST).then(|| {
        format!(
            "{fg_token} ({fg:?}) over {bg_token} ({bg:?}): contrast {ratio:.2} < {MIN_CONTRAST}"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::color::ansi16_index;
    use crate::ui::theme::{builtin_names, load_theme};
    use ratatui::style::Style;

    const DEPTHS: [ColorDepth; 4] = [
        ColorDepth::Ansi16,
        ColorDepth::Ansi256,
        ColorDepth::TrueColor,
        ColorDepth::None,
    ];

    #[test]
    fn contrast_ratio_matches_wcag() {
        assert!((contrast_ratio((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 0.01);
        assert!((contrast_ratio((119, 119, 119), (255, 255, 255)) - 4.48).abs() < 0.01);
        assert_eq!(contrast_ratio((9, 9, 9), (9, 9, 9)), 1.0);
    }

    #[test]
    fn every_shipped_theme_keeps_every_pair_drawn_together_readable_at_every_depth() {
        let mut problems = Vec::new();
        for name in builtin_names() {
            let (full, _) = load_theme(name, None, ColorDepth::TrueColor);
            for depth in DEPTHS {
                let (theme, e) = load_theme(name, None, depth);
                assert!(e.is_none(), "{name}: {e:?}");
                for (fg, bg) in pairs_drawn_together(&full) {
                    if let Some(p) = pair_problem(&theme, depth, fg, bg) {
                        problems.push(format!("{name} at {depth:?}: {p}"));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "unreadable:\n{}", problems.join("\n"));
    }

    #[test]
    fn severities_high_medium_and_low_differ_at_every_depth() {
        for name in builtin_names() {
            for depth in DEPTHS {
                let (t, _) = load_theme(name, None, depth);
                // What the eye gets: the colour (as RGB) and the attributes.
                let look = |s: Style| {
                    (
                        s.fg.and_then(color_to_rgb),
                        s.bg.and_then(color_to_rgb),
                        s.add_modifier,
                    )
                };
                let (h, m, l) = (look(t.sev_high), look(t.sev_medium), look(t.sev_low));
                assert!(
                    h != m && m != l && h != l,
                    "{name} at {depth:?}: high {h:?}, medium {m:?}, low {l:?}"
                );
                let coloured = t.sev_high.fg.is_some() || t.sev_medium.fg.is_some();
                if coloured {
                    assert_ne!(
                        t.sev_high.fg, t.sev_medium.fg,
                        "{name} at {depth:?}: high and medium share a colour"
                    );
                }
            }
        }
    }

    #[test]
    fn sixteen_colour_themes_use_only_the_sixteen_ansi_colours() {
        for name in builtin_names() {
            let (t, _) = load_theme(name, None, ColorDepth::Ansi16);
            for token in Theme::TOKENS {
                let s = t.get(token).unwrap_or_default();
                for c in [s.fg, s.bg].into_iter().flatten() {
                    assert!(
                        c == Color::Reset || ansi16_index(c).is_some(),
                        "{name}.{token} uses {c:?} in 16-colour mode"
                    );
                }
            }
        }
    }
}
