//! Semantic theme tokens (atuin "meanings"), themes as TOML data.
//!
//! A theme file maps token names to styles:
//!
//! ```toml
//! description = "optional, shown by `vigil themes`"
//! inherits = "default"            # optional; "default" when absent
//! sev_high = { fg = "red", bold = true }
//! selection = { fg = "231", bg = "#005f87" }
//! muted = "244"                   # shorthand for { fg = "244" }
//! ```
//!
//! Colours: a name (`red`, `light-red`, `dark-gray`, `white`…), an xterm index `"0"`–`"255"`
//! (or a bare integer), `"#rrggbb"`, or `"reset"`. `fg16` / `bg16` name the colour to use in
//! 16-colour mode instead of the nearest one (`sev_medium = { fg = "166", fg16 = "yellow" }`).
//! Flags: `bold`, `dim`, `italic`, `underline`, `reverse`, `crossed_out`. A token in a theme replaces the inherited token
//! entirely. `inherits` naming the theme itself means the built-in theme of that name, so a
//! user file `dark.toml` with `inherits = "dark"` tweaks the shipped dark theme.
//!
//! Built-in themes are embedded in the binary; a user theme directory overrides or extends
//! them by file name (`NAME.toml`). Colours are reduced to the terminal's [`ColorDepth`] when
//! the theme is built; without colour every theme draws with the `mono` theme's attributes,
//! which tell the tokens apart by bold, underline, reverse and dim alone.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use ratatui::style::Style;

use super::color::{ColorDepth, style_for_depth};

mod parse;

use parse::{Ansi16Choice, err, parse_theme};

macro_rules! tokens {
    ($( $(#[doc = $doc:literal])* $name:ident ),* $(,)?) => {
        /// A resolved theme: one [`Style`] per semantic token.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Theme {
            /// The theme's name (file stem).
            pub name: String,
            $( $(#[doc = $doc])* pub $name: Style, )*
            /// `fg16` / `bg16` choices by token, applied when the theme is built for 16 colours.
            ansi16: BTreeMap<String, Ansi16Choice>,
        }

        impl Theme {
            /// Every token name, in declaration order.
            pub const TOKENS: &'static [&'static str] = &[$(stringify!($name)),*];

            /// The style of a token by name.
            pub fn get(&self, token: &str) -> Option<Style> {
                match token {
                    $( stringify!($name) => Some(self.$name), )*
                    _ => None,
                }
            }

            fn slot(&mut self, token: &str) -> Option<&mut Style> {
                match token {
                    $( stringify!($name) => Some(&mut self.$name), )*
                    _ => None,
                }
            }

            fn map_styles(&mut self, f: impl Fn(&str, Style) -> Style) {
                $( self.$name = f(stringify!($name), self.$name); )*
            }

            /// A theme with every token unstyled.
            pub fn blank(name: &str) -> Theme {
                Theme {
                    name: name.to_string(),
                    $( $name: Style::new(), )*
                    ansi16: BTreeMap::new(),
                }
            }
        }
    };
}

tokens! {
    /// Default body text.
    text,
    /// Secondary information: ids, timestamps, placeholders, empty states.
    muted,
    /// Block and pane titles.
    title,
    /// Table header row.
    header,
    /// Borders of unfocused blocks.
    border,
    /// Border of the focused block.
    border_focus,
    /// Selected row in the focused list.
    selection,
    /// Selected row in a list without focus.
    selection_unfocused,
    /// Rows that arrived since the analyst last looked.
    row_new,
    /// Rows changed by the last sync.
    row_changed,
    /// Local changes not yet confirmed by the service (outbox).
    pending,
    /// Error text.
    error,
    /// Warning text.
    warning,
    /// Success and confirmation text.
    ok,
    /// Neutral informational text.
    info,
    /// Severity high.
    sev_high,
    /// Severity medium.
    sev_medium,
    /// Severity low.
    sev_low,
    /// Severity informational.
    sev_info,
    /// Severity unknown or unset.
    sev_unknown,
    /// Incident or alert status active (new).
    status_active,
    /// Status in progress.
    status_in_progress,
    /// Status resolved.
    status_resolved,
    /// Status awaiting action.
    status_awaiting,
    /// Status redirected (merged into another incident).
    status_redirected,
    /// Items assigned to the signed-in analyst.
    assigned_me,
    /// Items assigned to nobody.
    unassigned,
    /// Incident tags and labels.
    tag,
    /// URLs and portal links.
    link,
    /// Text matching the current filter or search.
    search_match,
    /// Text input fields.
    input,
    /// The active tab.
    tab_active,
    /// Inactive tabs.
    tab_inactive,
    /// Visible markers for sanitised hidden characters (`␛`, `⟨RLO⟩`).
    marker,
    /// Defender Experts content and actions.
    experts,
    /// Key names in hints and help (`q`, `Enter`).
    key_hint,
    /// The status bar.
    status_bar,
    /// Toasts, the transient messages ("Copied … via OSC 52"); the name is kept for theme files.
    notification,
    /// Error toasts.
    notification_error,
    /// Body of modal dialogs and pop-ups.
    popup,
}

/// Built-in themes, embedded so the binary works without the files.
const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// Where a theme comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Shipped with vigil.
    Builtin,
    /// A user file with a new name.
    User(PathBuf),
    /// A user file replacing the built-in theme of the same name.
    UserOverride(PathBuf),
}

/// A theme that could not be loaded; the caller got the `default` theme instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ThemeError {
    /// File path, or `<builtin>/NAME.toml`.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The key at fault (`sev_high.fg`), when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ThemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "theme {}", self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Names of the built-in themes.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(n, _)| *n)
}

/// True for names usable as a theme (ASCII letters, digits, `-`, `_`; 1–64 chars), which
/// keeps lookups inside the theme directory.
pub fn is_valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Every available theme: built-ins, then user files (`NAME.toml` in `user_dir`), sorted by
/// name. A user file with a built-in name is reported as [`Source::UserOverride`].
pub fn list_themes(user_dir: Option<&Path>) -> Vec<(String, Source)> {
    let mut out: BTreeMap<String, Source> = builtin_names()
        .map(|n| (n.to_string(), Source::Builtin))
        .collect();
    if let Some(dir) = user_dir
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") || !path.is_file() {
                continue;
            }
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if !is_valid_name(stem) {
                continue;
            }
            let source = if out.contains_key(stem) {
                Source::UserOverride(path.clone())
            } else {
                Source::User(path.clone())
            };
            out.insert(stem.to_string(), source);
        }
    }
    out.into_iter().collect()
}

/// Loads theme `name` (user directory first, then built-ins), resolves `inherits` and reduces
/// colours to `depth`. On any problem returns the built-in `default` theme and the error.
pub fn load_theme(
    name: &str,
    user_dir: Option<&Path>,
    depth: ColorDepth,
) -> (Theme, Option<ThemeError>) {
    let (mut theme, err) = match resolve(name, user_dir, true, &mut Vec::new()) {
        Ok(theme) => (theme, None),
        Err(e) => (builtin_default(), Some(e)),
    };
    if depth == ColorDepth::None {
        // Colour themes tell tokens apart by colour; without it, mono's attributes do.
        let shown_name = std::mem::take(&mut theme.name);
        theme = resolve("mono", None, false, &mut Vec::new()).unwrap_or(theme);
        theme.name = shown_name;
    }
    let choices = std::mem::take(&mut theme.ansi16);
    theme.map_styles(|token, s| {
        let mut s = s;
        if depth == ColorDepth::Ansi16
            && let Some(c) = choices.get(token)
        {
            s.fg = c.fg.or(s.fg);
            s.bg = c.bg.or(s.bg);
        }
        style_for_depth(s, depth)
    });
    (theme, err)
}

impl Default for Theme {
    /// The shipped `default` theme at full colour (callers downsample with `load_theme`).
    fn default() -> Self {
        builtin_default()
    }
}

/// The built-in `default` theme at full colour depth.
pub fn builtin_default() -> Theme {
    resolve("default", None, false, &mut Vec::new()).unwrap_or_else(|_| Theme::blank("default"))
}

fn resolve(
    name: &str,
    user_dir: Option<&Path>,
    allow_user: bool,
    chain: &mut Vec<String>,
) -> Result<Theme, ThemeError> {
    let label_builtin = format!("<builtin>/{name}.toml");
    if !is_valid_name(name) {
        return Err(err(
            label_builtin,
            None,
            None,
            format!("invalid theme name {name:?}"),
        ));
    }
    let key = format!("{}{name}", if allow_user { "" } else { "builtin:" });
    if chain.contains(&key) {
        return Err(err(
            label_builtin,
            None,
            Some("inherits".into()),
            format!("inheritance cycle: {} -> {name}", chain.join(" -> ")),
        ));
    }
    chain.push(key);

    let user_file = if allow_user {
        user_dir.map(|d| d.join(format!("{name}.toml")))
    } else {
        None
    };
    let (text, label, is_user) = match user_file.filter(|p| p.is_file()) {
        Some(path) => {
            let label = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| err(label.clone(), None, None, format!("cannot read: {e}")))?;
            (text, label, true)
        }
        None => match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => ((*text).to_string(), label_builtin, false),
            None => {
                let known: Vec<String> =
                    list_themes(user_dir).into_iter().map(|(n, _)| n).collect();
                return Err(err(
                    label_builtin,
                    None,
                    None,
                    format!("unknown theme {name:?} (themes: {})", known.join(", ")),
                ));
            }
        },
    };

    let file = parse_theme(&text, &label)?;
    let mut theme = match file.inherits.as_deref() {
        // Inheriting from yourself means the built-in of that name.
        Some(parent) if parent == name => resolve(parent, user_dir, false, chain)?,
        Some(parent) => resolve(parent, user_dir, true, chain)?,
        None if name == "default" && is_user => resolve("default", None, false, chain)?,
        None if name == "default" => Theme::blank("default"),
        None => resolve("default", user_dir, true, chain)?,
    };
    for (token, style, choice) in file.tokens {
        if let Some(slot) = theme.slot(&token) {
            *slot = style;
            if choice == Ansi16Choice::default() {
                theme.ansi16.remove(&token);
            } else {
                theme.ansi16.insert(token, choice);
            }
        }
    }
    theme.name = name.to_string();
    Ok(theme)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};
    use std::fs;

    fn write(dir: &Path, name: &str, text: &str) {
        fs::write(dir.join(format!("{name}.toml")), text).unwrap();
    }

    #[test]
    fn every_builtin_parses_and_resolves() {
        for name in builtin_names() {
            for depth in [
                ColorDepth::None,
                ColorDepth::Ansi16,
                ColorDepth::Ansi256,
                ColorDepth::TrueColor,
            ] {
                let (theme, e) = load_theme(name, None, depth);
                assert!(e.is_none(), "{name}: {e:?}");
                assert_eq!(theme.name, name);
            }
        }
    }

    #[test]
    fn default_defines_every_token() {
        let (_, text) = BUILTIN[0];
        let file = parse_theme(text, "default").unwrap();
        for token in Theme::TOKENS {
            assert!(
                file.tokens.iter().any(|(t, _, _)| t == token),
                "default lacks {token}"
            );
        }
    }

    #[test]
    fn default_is_ansi_and_indexed_only() {
        let theme = builtin_default();
        for token in Theme::TOKENS {
            let s = theme.get(token).unwrap();
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Rgb(..)), "{token} uses RGB");
            }
        }
    }

    #[test]
    fn mono_has_no_colours_and_distinct_severities() {
        let (theme, e) = load_theme("mono", None, ColorDepth::TrueColor);
        assert!(e.is_none());
        for token in Theme::TOKENS {
            let s = theme.get(token).unwrap();
            assert_eq!((s.fg, s.bg), (None, None), "mono {token} has colour");
        }
        assert_ne!(theme.sev_high, theme.sev_low);
        assert_ne!(theme.selection, theme.text);
    }

    #[test]
    fn colorblind_severity_not_by_colour_alone() {
        let (theme, _) = load_theme("colorblind", None, ColorDepth::TrueColor);
        let mods = |s: Style| s.add_modifier;
        assert_ne!(mods(theme.sev_high), Modifier::empty());
        assert_ne!(mods(theme.sev_high), mods(theme.sev_medium));
        assert_ne!(mods(theme.sev_medium), mods(theme.sev_low));
    }

    #[test]
    fn depth_applied_when_building() {
        let (theme, _) = load_theme("colorblind", None, ColorDepth::Ansi256);
        for token in Theme::TOKENS {
            let s = theme.get(token).unwrap();
            assert!(!matches!(s.fg, Some(Color::Rgb(..))), "{token}");
        }
        let (none, _) = load_theme("default", None, ColorDepth::None);
        assert_eq!(none.sev_high.fg, None);
        assert!(none.sev_high.add_modifier.contains(Modifier::BOLD));
        assert!(none.selection.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn broken_file_names_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "broken",
            "inherits = \"dark\"\n\nsev_high = { fg = \"redd\", bold = true }\n",
        );
        let (theme, e) = load_theme("broken", Some(dir.path()), ColorDepth::TrueColor);
        let e = e.unwrap();
        assert_eq!(theme.name, "default");
        assert_eq!(e.line, Some(3));
        assert_eq!(e.key.as_deref(), Some("sev_high.fg"));
        assert!(e.path.ends_with("broken.toml"), "{}", e.path);
        let shown = e.to_string();
        assert!(
            shown.contains("broken.toml:3") && shown.contains("sev_high.fg"),
            "{shown}"
        );
    }

    #[test]
    fn multi_line_table_error_points_at_field() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "t",
            "[selection]\nfg = \"red\"\nbold = \"yes\"\n",
        );
        let (_, e) = load_theme("t", Some(dir.path()), ColorDepth::TrueColor);
        let e = e.unwrap();
        assert_eq!(
            (e.line, e.key.as_deref()),
            (Some(3), Some("selection.bold"))
        );
    }

    #[test]
    fn syntax_error_and_unknown_token() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "syntax", "ok = { fg = \"green\" }\nmuted = {\n");
        let (_, e) = load_theme("syntax", Some(dir.path()), ColorDepth::TrueColor);
        assert!(e.unwrap().line.is_some());
        write(dir.path(), "typo", "ok = \"green\"\nsev_hihg = \"red\"\n");
        let (_, e) = load_theme("typo", Some(dir.path()), ColorDepth::TrueColor);
        let e = e.unwrap();
        assert_eq!((e.line, e.key.as_deref()), (Some(2), Some("sev_hihg")));
    }

    #[test]
    fn user_theme_extends_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "mine",
            "inherits = \"light\"\nsev_high = { fg = \"#ff0000\", underline = true }\n",
        );
        let (mine, e) = load_theme("mine", Some(dir.path()), ColorDepth::TrueColor);
        assert!(e.is_none(), "{e:?}");
        let (light, _) = load_theme("light", None, ColorDepth::TrueColor);
        assert_eq!(
            mine.sev_high,
            Style::new()
                .fg(Color::Rgb(255, 0, 0))
                .add_modifier(Modifier::UNDERLINED)
        );
        assert_eq!(mine.selection, light.selection);

        // A user "dark" that inherits "dark" tweaks the built-in dark.
        write(dir.path(), "dark", "inherits = \"dark\"\nmuted = 240\n");
        let (dark, e) = load_theme("dark", Some(dir.path()), ColorDepth::TrueColor);
        let (builtin_dark, _) = load_theme("dark", None, ColorDepth::TrueColor);
        assert!(e.is_none(), "{e:?}");
        assert_eq!(dark.muted, Style::new().fg(Color::Indexed(240)));
        assert_eq!(dark.sev_high, builtin_dark.sev_high);

        let listed = list_themes(Some(dir.path()));
        assert!(listed.contains(&("mine".into(), Source::User(dir.path().join("mine.toml")))));
        assert!(listed.contains(&(
            "dark".into(),
            Source::UserOverride(dir.path().join("dark.toml"))
        )));
        assert!(listed.contains(&("mono".into(), Source::Builtin)));
    }

    #[test]
    fn cycles_unknown_and_bad_names_fall_back() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a", "inherits = \"b\"\n");
        write(dir.path(), "b", "inherits = \"a\"\n");
        let (t, e) = load_theme("a", Some(dir.path()), ColorDepth::Ansi256);
        assert_eq!(t.name, "default");
        assert!(e.unwrap().message.contains("cycle"));
        let (_, e) = load_theme("nope", Some(dir.path()), ColorDepth::Ansi256);
        assert!(e.unwrap().message.contains("unknown theme"));
        let (_, e) = load_theme("../etc/passwd", Some(dir.path()), ColorDepth::Ansi256);
        assert!(e.unwrap().message.contains("invalid theme name"));
    }
}
