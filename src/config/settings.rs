//! The non-profile sections of the configuration file (`[ui]`, `[sync]`, `[user]`, `[experts]`,
//! `[views.NAME]`), each with its defaults. They deserialize directly from TOML, so the values
//! here are always "effective": whatever the file leaves out takes the `Default`.

use std::collections::BTreeMap;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

/// Incident status wire values accepted in filters (Graph `incidentStatus`).
pub const INCIDENT_STATUSES: &[&str] = &[
    "active",
    "resolved",
    "inProgress",
    "redirected",
    "awaitingAction",
];

/// Severity wire values accepted in filters (Graph `alertSeverity`).
pub const SEVERITIES: &[&str] = &["unknown", "informational", "low", "medium", "high"];

/// Canonical Graph spelling of an incident status, matched case-insensitively
/// (`inprogress` → `inProgress`); `None` if it is not a status.
pub fn canonical_status(s: &str) -> Option<&'static str> {
    INCIDENT_STATUSES
        .iter()
        .copied()
        .find(|c| c.eq_ignore_ascii_case(s.trim()))
}

/// Canonical Graph spelling of a severity, matched case-insensitively; `None` if unknown.
pub fn canonical_severity(s: &str) -> Option<&'static str> {
    SEVERITIES
        .iter()
        .copied()
        .find(|c| c.eq_ignore_ascii_case(s.trim()))
}

/// True if `name` is usable as a theme name (and therefore as a file stem): ASCII letters,
/// digits, `-` and `_`, 1–64 characters.
pub fn is_valid_theme_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// How many colours the UI may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
pub enum ColorMode {
    /// Detect from the terminal (`COLORTERM`, `TERM`, `NO_COLOR`).
    #[default]
    #[serde(rename = "auto")]
    #[value(name = "auto")]
    Auto,
    /// No colour at all (attributes such as bold and reverse only).
    #[serde(rename = "never")]
    #[value(name = "never")]
    Never,
    /// The 16 basic ANSI colours.
    #[serde(rename = "16")]
    #[value(name = "16")]
    Ansi16,
    /// The xterm 256-colour palette.
    #[serde(rename = "256")]
    #[value(name = "256")]
    Ansi256,
    /// 24-bit colour.
    #[serde(rename = "truecolor")]
    #[value(name = "truecolor")]
    TrueColor,
}

/// How timestamps are shown in lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateFormat {
    /// "5m ago", "3d ago".
    #[default]
    Relative,
    /// Absolute time in the local time zone.
    #[serde(alias = "absolute")]
    Local,
    /// Absolute time in UTC.
    Utc,
}

/// One key string or several (`quit = "q"` or `quit = ["q", "ctrl-c"]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum StringOrVec {
    /// A single value.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

impl StringOrVec {
    /// The values as a slice-like vector of `&str`.
    pub fn to_vec(&self) -> Vec<&str> {
        match self {
            StringOrVec::One(s) => vec![s.as_str()],
            StringOrVec::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

impl<'de> Deserialize<'de> for StringOrVec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StringOrVec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<StringOrVec, E> {
                Ok(StringOrVec::One(v.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<StringOrVec, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(StringOrVec::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// `[ui]`: presentation settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiSettings {
    /// Theme name (built-in or a file `NAME.toml` in the themes directory).
    #[serde(deserialize_with = "de_theme")]
    pub theme: String,
    /// Colour depth.
    pub color: ColorMode,
    /// Draw with ASCII only (no box-drawing or symbols).
    pub ascii: bool,
    /// Ring the terminal bell on new high-severity incidents.
    pub bell: bool,
    /// How timestamps are shown.
    pub date_format: DateFormat,
    /// Key overrides: action name → key string(s). Interpreted by the UI's keymap.
    pub keymap: BTreeMap<String, StringOrVec>,
}

impl Default for UiSettings {
    fn default() -> Self {
        Self {
            theme: "default".to_owned(),
            color: ColorMode::Auto,
            ascii: false,
            bell: false,
            date_format: DateFormat::Relative,
            keymap: BTreeMap::new(),
        }
    }
}

/// `[sync]`: how incidents are fetched and refreshed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncSettings {
    /// How many days of incidents (by last update) to load at start-up (1–3650).
    #[serde(deserialize_with = "de_window_days")]
    pub window_days: u32,
    /// Seconds between delta polls (5–86400).
    #[serde(deserialize_with = "de_poll_interval")]
    pub poll_interval_secs: u64,
    /// Seconds of overlap between polls to catch late writes (0–86400).
    #[serde(deserialize_with = "de_overlap")]
    pub overlap_secs: u64,
    /// `$top` page size for list requests (1–1000).
    #[serde(deserialize_with = "de_page_size")]
    pub page_size: u32,
    /// Maximum Graph requests per minute this client allows itself (1–10000).
    #[serde(deserialize_with = "de_budget")]
    pub budget_per_minute: u32,
    /// Seconds a whole Graph request may take before it counts as failed (1–600).
    #[serde(deserialize_with = "de_request_timeout")]
    pub request_timeout_secs: u64,
    /// Statuses shown by default (Graph spelling, e.g. `inProgress`).
    #[serde(deserialize_with = "de_statuses")]
    pub default_statuses: Vec<String>,
    /// Severities shown by default.
    #[serde(deserialize_with = "de_severities")]
    pub default_severities: Vec<String>,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            window_days: 30,
            poll_interval_secs: 60,
            overlap_secs: 300,
            page_size: 50,
            budget_per_minute: 120,
            request_timeout_secs: 30,
            default_statuses: vec!["active".to_owned(), "inProgress".to_owned()],
            default_severities: vec!["high".to_owned(), "medium".to_owned(), "low".to_owned()],
        }
    }
}

/// `[user]`: who "me" is, for `owner:me` filters and highlighting.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserSettings {
    /// UPNs / e-mail addresses that mean "me" (compared case-insensitively).
    pub aliases: Vec<String>,
    /// Teammates offered when assigning incidents.
    pub teammates: Vec<String>,
    /// Name shown in comments and drafts.
    pub display_name: Option<String>,
}

impl UserSettings {
    /// True if `who` (an assignee UPN) is one of my aliases, ignoring ASCII case and spaces.
    pub fn is_me(&self, who: &str) -> bool {
        let who = who.trim();
        !who.is_empty()
            && self
                .aliases
                .iter()
                .any(|a| a.trim().eq_ignore_ascii_case(who))
    }
}

/// A delivery channel for "Ask Defender Experts" inquiries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpertsChannel {
    /// Prepare the inquiry and open/copy the portal link.
    Portal,
    /// Post the inquiry as an incident comment.
    Comment,
    /// Send it by e-mail through Graph `sendMail`.
    Email,
}

/// `[experts]`: Ask Defender Experts settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExpertsSettings {
    /// Channels offered, in order.
    pub channels: Vec<ExpertsChannel>,
    /// Recipient address for the e-mail channel.
    pub email_to: Option<String>,
    /// Reply-to addresses for the e-mail channel.
    pub reply_to: Vec<String>,
    /// Experts on Demand inquiries allowed per `allowance_period` by the contract (used for
    /// the counter; 1–1000).
    #[serde(deserialize_with = "de_allowance")]
    pub allowance: u32,
    /// `month` (the default) or `quarter`: the period the allowance is counted over.
    pub allowance_period: Option<AllowancePeriod>,
    /// Older spelling: an allowance per quarter. Used only when neither `allowance` nor
    /// `allowance_period` is set.
    pub quarterly_allowance: Option<u32>,
    /// Mailbox (user id or UPN, or `me` for delegated sign-in) used for `sendMail`.
    pub mailbox: Option<String>,
}

impl Default for ExpertsSettings {
    fn default() -> Self {
        Self {
            channels: vec![ExpertsChannel::Portal, ExpertsChannel::Comment],
            email_to: None,
            reply_to: Vec::new(),
            allowance: 10,
            allowance_period: None,
            quarterly_allowance: None,
            mailbox: None,
        }
    }
}

/// The period the Experts on Demand allowance is counted over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllowancePeriod {
    /// Per calendar month (the default).
    #[default]
    Month,
    /// Per calendar quarter.
    Quarter,
}

impl ExpertsSettings {
    /// The allowance and its period, honouring the older `quarterly_allowance` spelling.
    pub fn effective_allowance(&self) -> (u32, AllowancePeriod) {
        match (self.allowance_period, self.quarterly_allowance) {
            (None, Some(q)) if self.allowance == Self::default().allowance => {
                (q, AllowancePeriod::Quarter)
            }
            (period, _) => (self.allowance, period.unwrap_or_default()),
        }
    }
}

/// `[sentinel]`: the Microsoft Sentinel workspace the tenant's incidents are connected to
/// (optional; with it the incident page links Sentinel incidents to the workspace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentinelSettings {
    /// Azure subscription id of the workspace.
    pub subscription_id: String,
    /// Resource group of the workspace.
    pub resource_group: String,
    /// Log Analytics workspace name.
    pub workspace: String,
}

/// `[views.NAME]`: a named saved view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewConfig {
    /// Filter query in the store's query language, e.g. `sev:high status:active owner:me`.
    pub query: String,
}

macro_rules! bounded {
    ($name:ident, $ty:ty, $min:expr, $max:expr) => {
        fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
            let v = <$ty>::deserialize(d)?;
            check_range(v, $min, $max).map_err(D::Error::custom)
        }
    };
}

/// Checks `min <= v <= max`, with a message fit for the user.
pub(crate) fn check_range<T: PartialOrd + std::fmt::Display>(
    v: T,
    min: T,
    max: T,
) -> Result<T, String> {
    if v < min || v > max {
        Err(format!("{v} is out of range (allowed: {min} to {max})"))
    } else {
        Ok(v)
    }
}

bounded!(de_allowance, u32, 1, 1000);
bounded!(de_window_days, u32, 1, 3650);
bounded!(de_poll_interval, u64, 5, 86_400);
bounded!(de_overlap, u64, 0, 86_400);
bounded!(de_page_size, u32, 1, 1000);
bounded!(de_budget, u32, 1, 10_000);
bounded!(de_request_timeout, u64, 1, 600);

/// Optional poll interval (profile override), same bounds as `[sync] poll_interval_secs`.
pub(crate) fn de_opt_poll_interval<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<u64>, D::Error> {
    de_poll_interval(d).map(Some)
}

fn de_theme<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if is_valid_theme_name(&s) {
        Ok(s)
    } else {
        Err(D::Error::custom(format!(
            "invalid theme name {s:?}: use letters, digits, '-' and '_' only"
        )))
    }
}

fn canonical_list<'de, D: Deserializer<'de>>(
    d: D,
    what: &str,
    allowed: &[&str],
    canon: fn(&str) -> Option<&'static str>,
) -> Result<Vec<String>, D::Error> {
    let raw = Vec::<String>::deserialize(d)?;
    raw.iter()
        .map(|s| {
            canon(s).map(str::to_owned).ok_or_else(|| {
                D::Error::custom(format!(
                    "unknown {what} {s:?}, expected one of: {}",
                    allowed.join(", ")
                ))
            })
        })
        .collect()
}

fn de_statuses<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    canonical_list(d, "status", INCIDENT_STATUSES, canonical_status)
}

fn de_severities<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    canonical_list(d, "severity", SEVERITIES, canonical_severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names_are_case_insensitive() {
        assert_eq!(canonical_status("INPROGRESS"), Some("inProgress"));
        assert_eq!(canonical_status("closed"), None);
        assert_eq!(canonical_severity(" High "), Some("high"));
        assert_eq!(canonical_severity("critical"), None);
    }

    #[test]
    fn theme_names_reject_paths() {
        assert!(is_valid_theme_name("solarized-dark_2"));
        assert!(!is_valid_theme_name("../etc/passwd"));
        assert!(!is_valid_theme_name(""));
    }

    #[test]
    fn is_me_ignores_case() {
        let u = UserSettings {
            aliases: vec!["Me@Contoso.com".into()],
            ..Default::default()
        };
        assert!(u.is_me("me@contoso.COM"));
        assert!(!u.is_me("ana@contoso.com"));
        assert!(!u.is_me(""));
    }

    #[test]
    fn string_or_vec_flattens() {
        assert_eq!(StringOrVec::One("q".into()).to_vec(), vec!["q"]);
        assert_eq!(
            StringOrVec::Many(vec!["q".into(), "ctrl-c".into()]).to_vec(),
            vec!["q", "ctrl-c"]
        );
    }
}
