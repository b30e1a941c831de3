//! Configuration: the TOML file (`config.toml`), its sections with defaults, and profile
//! resolution with `VIGIL_*` environment overrides.
//!
//! Typical use (in `main`):
//! ```no_run
//! # fn main() -> Result<(), vigil::config::ConfigError> {
//! let env = |k: &str| std::env::var(k).ok();
//! let paths = vigil::paths::resolve(&env, None)?;
//! let cfg = vigil::config::load(&paths, &env)?;
//! let profile = vigil::config::resolve_profile(cfg.as_ref(), None, &env)?;
//! let sync = cfg.unwrap_or_default().effective_sync(Some(&profile.name));
//! # let _ = sync; Ok(()) }
//! ```

mod checks;
mod error;
mod private_file;
mod profile;
mod secret;
mod settings;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use error::ConfigError;
pub use private_file::read_private_file;
pub use profile::{
    AuthKind, Cloud, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_GRAPH_URL, ENV_LOGIN_URL, ENV_TENANT_ID,
    ProfileConfig, ResolvedProfile, SecretSource, portal_base, resolve_profile, validate_endpoint,
};
pub use secret::read_secret;
pub use settings::{
    AllowancePeriod, ColorMode, DateFormat, ExpertsChannel, ExpertsSettings, INCIDENT_STATUSES,
    SEVERITIES, SentinelSettings, StringOrVec, SyncSettings, UiSettings, UserSettings, ViewConfig,
    canonical_severity, canonical_status, is_valid_theme_name,
};

use crate::paths::Paths;

/// The whole configuration file. Unknown keys anywhere are errors (typos are caught).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Profile used when `--profile` is not given.
    #[serde(default)]
    pub default_profile: Option<String>,
    /// `[ui]`.
    #[serde(default)]
    pub ui: UiSettings,
    /// `[sync]`.
    #[serde(default)]
    pub sync: SyncSettings,
    /// `[user]`.
    #[serde(default)]
    pub user: UserSettings,
    /// `[views.NAME]` saved views.
    #[serde(default)]
    pub views: BTreeMap<String, ViewConfig>,
    /// `[experts]`.
    #[serde(default)]
    pub experts: ExpertsSettings,
    /// `[sentinel]` (optional).
    #[serde(default)]
    pub sentinel: Option<SentinelSettings>,
    /// `[profiles.NAME]`.
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// The file this was loaded from (not part of the TOML).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

impl Config {
    /// UI settings from the file (defaults for anything unset). Apply CLI flags with
    /// [`UiSettings::apply_cli`].
    pub fn effective_ui(&self) -> UiSettings {
        self.ui.clone()
    }

    /// Sync settings, with the named profile's `poll_interval_secs` override applied.
    pub fn effective_sync(&self, profile: Option<&str>) -> SyncSettings {
        let mut s = self.sync.clone();
        if let Some(p) = profile.and_then(|n| self.profiles.get(n))
            && let Some(secs) = p.poll_interval_secs
        {
            s.poll_interval_secs = secs;
        }
        s
    }

    /// `[user]` settings.
    pub fn effective_user(&self) -> UserSettings {
        self.user.clone()
    }

    /// `[experts]` settings.
    pub fn effective_experts(&self) -> ExpertsSettings {
        self.experts.clone()
    }
}

/// Loads `paths.config_file`. `Ok(None)` if the file does not exist; an unreadable or invalid
/// file is an error naming the file, line:column and key. Relative and `~/` paths inside
/// profiles are made absolute (relative to the file's directory; `~` from `HOME` in `env`).
pub fn load(
    paths: &Paths,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Config>, ConfigError> {
    let path = &paths.config_file;
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError::Io {
                path: path.clone(),
                source: e,
            });
        }
    };
    let mut cfg = parse(&text, path)?;
    let base = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let home = env("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    for p in cfg.profiles.values_mut() {
        for f in [
            &mut p.client_secret_file,
            &mut p.certificate_file,
            &mut p.private_key_file,
        ] {
            if let Some(v) = f.take() {
                *f = Some(absolutize(&v, &base, home.as_deref()));
            }
        }
    }
    Ok(Some(cfg))
}

/// Parses configuration text; `path` is used for error messages and [`Config::source`].
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let de = toml::Deserializer::parse(text).map_err(|e| parse_error(path, text, &e, ""))?;
    let mut cfg: Config = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = key_path(e.path());
        parse_error(path, text, e.inner(), &key)
    })?;
    cfg.source = Some(path.to_path_buf());
    checks::validate(&cfg, text, path)?;
    Ok(cfg)
}

/// Dotted key path from serde_path_to_error, `""` at the root.
fn key_path(p: &serde_path_to_error::Path) -> String {
    let s = p.to_string();
    if s == "." { String::new() } else { s }
}

fn parse_error(path: &Path, text: &str, e: &toml::de::Error, key: &str) -> ConfigError {
    let message = e.message().trim().to_owned();
    let mut key = key.to_owned();
    // For unknown keys the path stops at the parent table; name the offending key too.
    if let Some(field) = unknown_field_name(&message)
        && key.rsplit('.').next() != Some(field)
    {
        key = if key.is_empty() {
            field.to_owned()
        } else {
            format!("{key}.{field}")
        };
    }
    ConfigError::Parse {
        path: path.to_path_buf(),
        location: e.span().map(|s| line_col(text, s.start)),
        key,
        message,
    }
}

fn unknown_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn absolutize(p: &Path, base: &Path, home: Option<&Path>) -> PathBuf {
    if let (Ok(rest), Some(home)) = (p.strip_prefix("~"), home) {
        return home.join(rest);
    }
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let t = "a = 1\nbé = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        // 'é' is two bytes: offset of " = 2" is 9, column 3 in characters.
        assert_eq!(line_col(t, 9), (2, 3));
    }

    #[test]
    fn absolutize_handles_tilde_and_relative() {
        let base = Path::new("/etc/vigil");
        let home = Some(Path::new("/home/a"));
        assert_eq!(
            absolutize(Path::new("~/s.txt"), base, home),
            PathBuf::from("/home/a/s.txt")
        );
        assert_eq!(
            absolutize(Path::new("s.txt"), base, home),
            PathBuf::from("/etc/vigil/s.txt")
        );
        assert_eq!(
            absolutize(Path::new("/x/s.txt"), base, home),
            PathBuf::from("/x/s.txt")
        );
    }

    #[test]
    fn empty_file_is_all_defaults() {
        let cfg = parse("", Path::new("c.toml")).unwrap();
        assert_eq!(cfg.sync, SyncSettings::default());
        assert_eq!(cfg.ui, UiSettings::default());
        assert!(cfg.profiles.is_empty());
    }

    #[test]
    fn profile_poll_override_applies_only_to_that_profile() {
        let cfg = parse(
            "[sync]\npoll_interval_secs = 90\n[profiles.a]\npoll_interval_secs = 15\n[profiles.b]\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(cfg.effective_sync(Some("a")).poll_interval_secs, 15);
        assert_eq!(cfg.effective_sync(Some("b")).poll_interval_secs, 90);
        assert_eq!(cfg.effective_sync(None).poll_interval_secs, 90);
    }
}
