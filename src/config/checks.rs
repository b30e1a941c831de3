//! Checks of a parsed configuration that serde cannot express: cross-field rules, key names
//! in `[ui] keymap` and the queries of saved views. Errors name the file, line and key.

use std::collections::BTreeMap;
use std::path::Path;

use toml::de::DeTable;

use super::{Config, ConfigError, ExpertsChannel, line_col};
use crate::store::Query;
use crate::ui::keymap::Keymap;

/// Runs every check; `text` is the file's content, for line numbers.
pub(super) fn validate(cfg: &Config, text: &str, path: &Path) -> Result<(), ConfigError> {
    let doc = DeTable::parse(text).ok();
    let located = |keys: &[&str], message: String| ConfigError::Parse {
        path: path.to_path_buf(),
        location: doc
            .as_ref()
            .and_then(|d| locate(d.get_ref(), keys))
            .map(|offset| line_col(text, offset)),
        key: keys.join("."),
        message,
    };
    if cfg.experts.channels.contains(&ExpertsChannel::Email) && cfg.experts.email_to.is_none() {
        return Err(ConfigError::Invalid {
            origin: path.display().to_string(),
            key: "experts.email_to".into(),
            message: "the \"email\" channel needs email_to (the Defender Experts address)".into(),
        });
    }
    for (action, keys) in &cfg.ui.keymap {
        let one = BTreeMap::from([(
            action.clone(),
            keys.to_vec().into_iter().map(str::to_owned).collect(),
        )]);
        if let Err(e) = Keymap::with_overrides(&one) {
            return Err(located(&["ui", "keymap", action], e.0));
        }
    }
    for (name, view) in &cfg.views {
        if view.query.trim().is_empty() {
            return Err(located(
                &["views", name, "query"],
                "must not be empty".into(),
            ));
        }
        if let Err(e) = Query::parse(&view.query) {
            return Err(located(
                &["views", name, "query"],
                format!("invalid query {:?} {e}", view.query),
            ));
        }
    }
    Ok(())
}

/// Byte offset of the value at the dotted path `keys`.
fn locate(table: &DeTable<'_>, keys: &[&str]) -> Option<usize> {
    let (last, parents) = keys.split_last()?;
    let mut table = table;
    for k in parents {
        let (_, v) = table.iter().find(|(key, _)| {
            let key: &str = key.get_ref();
            key == *k
        })?;
        table = v.get_ref().as_table()?;
    }
    table
        .iter()
        .find(|(key, _)| {
            let key: &str = key.get_ref();
            key == *last
        })
        .map(|(_, value)| value.span().start)
}
