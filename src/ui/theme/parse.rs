//! Reading a theme file: the TOML text to token styles, with the line and key of any error
//! (the format is described in `ui/theme.rs`).

use super::{Theme, ThemeError, is_valid_name};
use ratatui::style::{Color, Modifier, Style};
use std::str::FromStr;
use toml::de::{DeTable, DeValue};

/// A token's colours for 16-colour terminals, when the theme chooses them (`fg16`, `bg16`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Ansi16Choice {
    pub(super) fg: Option<Color>,
    pub(super) bg: Option<Color>,
}

/// A parsed theme file before inheritance.
pub(super) struct ThemeFile {
    pub(super) inherits: Option<String>,
    pub(super) tokens: Vec<(String, Style, Ansi16Choice)>,
}

pub(super) fn err(
    path: String,
    line: Option<usize>,
    key: Option<String>,
    message: String,
) -> ThemeError {
    ThemeError {
        path,
        line,
        key,
        message,
    }
}

pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses one theme file; errors name the file, line and key.
pub(super) fn parse_theme(text: &str, label: &str) -> Result<ThemeFile, ThemeError> {
    let doc = DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        err(
            label.to_string(),
            line,
            None,
            e.message().trim().to_string(),
        )
    })?;
    let mut file = ThemeFile {
        inherits: None,
        tokens: Vec::new(),
    };
    for (key, value) in doc.get_ref().iter() {
        let k: &str = key.get_ref();
        let line = Some(line_of(text, key.span().start));
        let fail = |key: String, message: String| err(label.to_string(), line, Some(key), message);
        match k {
            "inherits" => match value.get_ref().as_str() {
                Some(p) if is_valid_name(p) => file.inherits = Some(p.to_string()),
                _ => return Err(fail(k.into(), "expected a theme name".into())),
            },
            "description" => {
                if !value.get_ref().is_str() {
                    return Err(fail(k.into(), "expected a string".into()));
                }
            }
            token if Theme::TOKENS.contains(&token) => {
                let (style, choice) =
                    parse_style(value.get_ref(), token).map_err(|(key, message)| {
                        let line = key_line(text, value, &key).or(line);
                        err(label.to_string(), line, Some(key), message)
                    })?;
                file.tokens.push((token.to_string(), style, choice));
            }
            other => {
                return Err(fail(
                    other.into(),
                    "unknown token (see `Theme::TOKENS` in the docs)".into(),
                ));
            }
        }
    }
    Ok(file)
}

/// Line of `token.field` inside a token's table, for precise error messages.
pub(super) fn key_line(text: &str, value: &toml::Spanned<DeValue<'_>>, key: &str) -> Option<usize> {
    let field = key.split_once('.')?.1;
    let table = value.get_ref().as_table()?;
    table
        .iter()
        .find(|(k, _)| k.get_ref() == field)
        .map(|(_, v)| line_of(text, v.span().start))
}

pub(super) fn parse_style(
    value: &DeValue<'_>,
    token: &str,
) -> Result<(Style, Ansi16Choice), (String, String)> {
    let mut choice = Ansi16Choice::default();
    if value.is_str() || value.is_integer() {
        let fg = parse_color(value).map_err(|m| (token.to_string(), m))?;
        return Ok((Style::new().fg(fg), choice));
    }
    let Some(table) = value.as_table() else {
        return Err((
            token.to_string(),
            "expected a table like { fg = \"red\" }".into(),
        ));
    };
    let mut style = Style::new();
    for (k, v) in table.iter() {
        let field: &str = k.get_ref();
        let key = format!("{token}.{field}");
        let v = v.get_ref();
        match field {
            "fg" => style = style.fg(parse_color(v).map_err(|m| (key.clone(), m))?),
            "bg" => style = style.bg(parse_color(v).map_err(|m| (key.clone(), m))?),
            "fg16" => choice.fg = Some(parse_ansi16(v).map_err(|m| (key.clone(), m))?),
            "bg16" => choice.bg = Some(parse_ansi16(v).map_err(|m| (key.clone(), m))?),
            flag => {
                let modifier = match flag {
                    "bold" => Modifier::BOLD,
                    "dim" => Modifier::DIM,
                    "italic" => Modifier::ITALIC,
                    "underline" | "underlined" => Modifier::UNDERLINED,
                    "reverse" | "reversed" => Modifier::REVERSED,
                    "crossed_out" | "strikethrough" => Modifier::CROSSED_OUT,
                    _ => {
                        return Err((
                            key,
                            "unknown field (expected fg, bg, fg16, bg16, bold, dim, italic, \
                             underline, reverse, crossed_out)"
                                .into(),
                        ));
                    }
                };
                match v.as_bool() {
                    Some(true) => style = style.add_modifier(modifier),
                    Some(false) => {}
                    None => return Err((key, "expected true or false".into())),
                }
            }
        }
    }
    Ok((style, choice))
}

/// One of the 16 ANSI colours (a name or `"0"`–`"15"`), for `fg16` / `bg16`.
pub(super) fn parse_ansi16(v: &DeValue<'_>) -> Result<Color, String> {
    let c = parse_color(v)?;
    let index = match c {
        Color::Indexed(i) => Some(i),
        named => crate::ui::color::ansi16_index(named),
    };
    index
        .and_then(crate::ui::color::ansi16_color)
        .ok_or_else(|| "expected one of the 16 ANSI colours (a name or \"0\"-\"15\")".into())
}

pub(super) fn parse_color(v: &DeValue<'_>) -> Result<Color, String> {
    if let Some(i) = v.as_integer() {
        return i
            .as_str()
            .parse::<u8>()
            .map(Color::Indexed)
            .map_err(|_| format!("colour index {} is not in 0..=255", i.as_str()));
    }
    let Some(s) = v.as_str() else {
        return Err("expected a colour string".into());
    };
    Color::from_str(s.trim()).map_err(|_| {
        format!("unknown colour {s:?} (use a name, \"0\"-\"255\", \"#rrggbb\" or \"reset\")")
    })
}
