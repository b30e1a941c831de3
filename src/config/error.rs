//! The one error type of configuration loading, path resolution and profile resolution.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while finding, reading or interpreting configuration.
///
/// `Display` is written for the terminal user: it names the file, the line/column and the key
/// path where that is known, and never contains a secret value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Neither `HOME` nor the needed `XDG_*` variable is set (or they are not absolute paths).
    #[error("cannot locate the {what} directory: set HOME (or {var}) to an absolute path")]
    NoHome {
        /// Which directory could not be located (`config`, `state`, …).
        what: &'static str,
        /// The XDG variable that would have located it.
        var: &'static str,
    },
    /// Reading a file failed (other than "not found" for the optional config file).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The configuration file is not valid TOML or does not match the schema.
    #[error("{}", fmt_parse(path, *location, key, message))]
    Parse {
        /// The configuration file.
        path: PathBuf,
        /// 1-based line and column of the offending text, when known.
        location: Option<(usize, usize)>,
        /// Dotted key path such as `profiles.contoso.auth` (empty for syntax errors at the root).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A value is well-formed TOML but not acceptable (or an environment override is invalid).
    #[error("{origin}: {key}: {message}")]
    Invalid {
        /// Where the value came from: a file path or `environment variable NAME`.
        origin: String,
        /// Dotted key path (or the variable name).
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// `--profile NAME` (or `default_profile`) names a profile the file does not define.
    #[error("{}", fmt_unknown_profile(name, available))]
    UnknownProfile {
        /// The requested profile.
        name: String,
        /// Profiles that the configuration does define.
        available: Vec<String>,
    },
    /// A client secret could not be obtained from its source.
    #[error("client secret from {source_desc}: {message}")]
    Secret {
        /// `environment variable NAME` or `file PATH`.
        source_desc: String,
        /// What is wrong (never the secret itself).
        message: String,
    },
    /// There is no configuration file and no `VIGIL_*` environment configuration.
    #[error("{}", fmt_not_configured(config_file))]
    NotConfigured {
        /// Where vigil looked for the configuration file.
        config_file: PathBuf,
    },
}

fn fmt_parse(
    path: &std::path::Path,
    location: Option<(usize, usize)>,
    key: &str,
    message: &str,
) -> String {
    let mut out = path.display().to_string();
    if let Some((line, col)) = location {
        out.push_str(&format!(":{line}:{col}"));
    }
    out.push_str(": ");
    if !key.is_empty() {
        out.push_str(key);
        out.push_str(": ");
    }
    out.push_str(message);
    out
}

fn fmt_unknown_profile(name: &str, available: &[String]) -> String {
    if available.is_empty() {
        format!("unknown profile {name:?}: the configuration defines no [profiles.*] tables")
    } else {
        format!(
            "unknown profile {name:?}; configured profiles: {}",
            available.join(", ")
        )
    }
}

fn fmt_not_configured(config_file: &std::path::Path) -> String {
    struct Msg<'a>(&'a std::path::Path);
    impl fmt::Display for Msg<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            writeln!(f, "vigil is not configured yet.")?;
            writeln!(f)?;
            writeln!(
                f,
                "To try it without a tenant, run the built-in simulator:  vigil --demo"
            )?;
            writeln!(f)?;
            writeln!(
                f,
                "To connect to Microsoft Defender XDR, create {} with for example:",
                self.0.display()
            )?;
            writeln!(f)?;
            writeln!(f, "    default_profile = \"contoso\"")?;
            writeln!(f)?;
            writeln!(f, "    [profiles.contoso]")?;
            writeln!(
                f,
                "    tenant_id = \"00000000-0000-0000-0000-000000000000\""
            )?;
            writeln!(
                f,
                "    client_id = \"11111111-1111-1111-1111-111111111111\""
            )?;
            writeln!(
                f,
                "    auth = \"device-code\"        # then run: vigil login"
            )?;
            writeln!(f)?;
            writeln!(
                f,
                "or set VIGIL_TENANT_ID and VIGIL_CLIENT_ID (and VIGIL_CLIENT_SECRET for app-only access)."
            )?;
            write!(f, "`vigil config-path` shows every path vigil uses.")
        }
    }
    Msg(config_file).to_string()
}
