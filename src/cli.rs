//! Command-line interface (clap derive). No argument ever takes a secret: secrets come from
//! the environment or from files named in the configuration.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

mod since;
pub use since::{Since, parse_interval};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config::{
    ColorMode, UiSettings, canonical_severity, canonical_status, is_valid_theme_name,
};

const LONG_ABOUT: &str = "\
vigil is a keyboard-driven terminal console for Microsoft Defender XDR incidents, built for SOC \
analysts on jump hosts and on-call responders over SSH: fast on slow links, works in tmux and \
with 16 or 256 colours, no mouse or browser needed.

Without a subcommand vigil opens the console for the selected profile. It loads incidents and \
their alerts from Microsoft Graph, keeps them fresh with delta polling, and lets you triage, \
assign, classify, comment and ask Defender Experts without leaving the terminal.

Try it with no tenant and no credentials:  vigil --demo";

/// The `--help` epilogue; its simulator example uses the simulator's own demo credentials,
/// so it works exactly as printed.
fn after_help() -> String {
    use crate::sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID};
    format!(
        "\
Examples:
  vigil --demo                       Open the console against the built-in simulated tenant
  vigil login --profile contoso      Sign in with a device code (auth = \"device-code\")
  vigil --profile contoso            Open the console for a configured tenant
  vigil --demo export --since 7d --severity high > demo.ndjson
  vigil sim --listen 127.0.0.1:8787 --seed 42 &      # prints the demo credentials below
  VIGIL_GRAPH_URL=http://127.0.0.1:8787 VIGIL_LOGIN_URL=http://127.0.0.1:8787 \\
    VIGIL_TENANT_ID={DEMO_TENANT_ID} \\
    VIGIL_CLIENT_ID={DEMO_CLIENT_ID} VIGIL_CLIENT_SECRET={DEMO_CLIENT_SECRET} \\
    vigil export --since 7d --severity high > incidents.ndjson
  vigil completions bash > ~/.local/share/bash-completion/completions/vigil
{AFTER_HELP_TAIL}"
    )
}

const AFTER_HELP_TAIL: &str = "
Configuration:
  ~/.config/vigil/config.toml (XDG_CONFIG_HOME), or --config FILE / VIGIL_CONFIG.
  `vigil config-path` prints every file and directory vigil uses.
  Environment overrides: VIGIL_TENANT_ID, VIGIL_CLIENT_ID, VIGIL_GRAPH_URL, VIGIL_LOGIN_URL.

Secrets:
  vigil never takes a secret on the command line (it would leak into shell history and `ps`).
  A client secret is read from VIGIL_CLIENT_SECRET, or from the variable named by the profile's
  client_secret_env, or from the file named by client_secret_file (mode 0600; refused when
  others can read it). Certificate auth uses certificate_file (PEM or DER) and private_key_file
  (mode 0600; may be left out when the certificate file also holds the key); the pair is
  checked at start. Device-code tokens are cached with mode 0600 in the state directory.";

/// Top-level command line. Console-only flags (`--demo`, `--theme`, …) are not global, so
/// `vigil sim --help` lists only what applies to the simulator; `--profile`, `--config` and
/// `--demo` are also accepted after `login` and `export` (see [`Cli::resolved`]).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "vigil",
    version,
    about = "Terminal incident console for Microsoft Defender XDR",
    long_about = LONG_ABOUT,
    after_help = after_help(),
    propagate_version = true
)]
pub struct Cli {
    /// Run against the built-in simulated tenant (no credentials, nothing leaves 127.0.0.1).
    #[arg(long)]
    pub demo: bool,

    /// Configuration profile to use ([profiles.NAME]); default: `default_profile` in the file.
    #[arg(long, short = 'p', value_name = "NAME", env = "VIGIL_PROFILE")]
    pub profile: Option<String>,

    /// Configuration file [default: $XDG_CONFIG_HOME/vigil/config.toml].
    #[arg(long, value_name = "FILE", env = "VIGIL_CONFIG")]
    pub config: Option<PathBuf>,

    /// Never change anything in the tenant (no assign, classify, comment or status change).
    #[arg(long)]
    pub read_only: bool,

    /// Start with an empty queue, not the incidents in the local database (which is still
    /// written), and load everything fresh from Graph.
    #[arg(long)]
    pub no_cache: bool,

    /// Colour depth; `auto` detects from the terminal.
    #[arg(long, value_name = "WHEN")]
    pub color: Option<ColorMode>,

    /// Draw with plain ASCII only (for terminals and fonts without box-drawing characters).
    #[arg(long)]
    pub ascii: bool,

    /// Colour theme (see `vigil themes`).
    #[arg(long, value_name = "NAME", value_parser = parse_theme)]
    pub theme: Option<String>,

    /// Diagnostic log level [default: VIGIL_LOG, else info]. Logs go to a file, never the screen.
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<LogLevel>,

    /// Write the diagnostic log to this file instead of the daily files in the state directory.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,

    /// Ring the terminal bell when a new high-severity incident arrives.
    #[arg(long)]
    pub bell: bool,

    /// What to do; without a subcommand the console opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Parses the process arguments and applies [`Cli::resolved`].
    pub fn parse_args() -> Cli {
        Cli::parse().resolved()
    }

    /// Moves `--demo`, `--profile` and `--config` given after `login` or `export` to the top
    /// level, where the rest of vigil reads them (a value after the subcommand wins).
    pub fn resolved(mut self) -> Cli {
        let session = match &self.command {
            Some(Command::Login(s)) => Some(s.clone()),
            Some(Command::Export(a)) => Some(a.session.clone()),
            _ => None,
        };
        if let Some(s) = session {
            self.demo |= s.demo;
            if s.profile.is_some() {
                self.profile = s.profile;
            }
            if s.config.is_some() {
                self.config = s.config;
            }
        }
        self
    }
}

/// Which tenant a headless command talks to (`login`, `export`); the same flags are accepted
/// before the subcommand.
#[derive(Debug, Clone, Default, Args)]
pub struct SessionArgs {
    /// Use the built-in simulated tenant (no credentials, nothing leaves 127.0.0.1).
    #[arg(long)]
    pub demo: bool,

    /// Configuration profile to use ([profiles.NAME]); default: `default_profile` in the file.
    #[arg(long, short = 'p', value_name = "NAME", env = "VIGIL_PROFILE")]
    pub profile: Option<String>,

    /// Configuration file [default: $XDG_CONFIG_HOME/vigil/config.toml].
    #[arg(long, value_name = "FILE", env = "VIGIL_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Sign in with a device code for the selected profile and cache the token (mode 0600).
    #[command(
        long_about = "Sign in with a device code for the selected profile.\n\n\
        vigil prints a code and a URL; open the URL on any device, enter the code and sign in. \
        The refresh token is cached with mode 0600 in the profile's state directory, so later \
        runs start without prompting. The profile must use auth = \"device-code\" and its app \
        registration must allow public client flows."
    )]
    Login(SessionArgs),

    /// Run the simulated Defender XDR tenant alone (Graph + token endpoints on loopback).
    Sim(SimArgs),

    /// Write incidents with their alerts as NDJSON (one incident per line), for SIEM pipelines;
    /// `--follow` keeps writing each change.
    Export(ExportArgs),

    /// List the available colour themes.
    Themes,

    /// Print a shell completion script to stdout.
    Completions {
        /// Target shell.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff) to stdout.
    Man,

    /// Print the configuration file and the state, data, cache and log directories in use.
    ConfigPath,
}

/// `vigil sim` options.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Address to listen on (keep it on loopback).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,

    /// Number of incidents to generate.
    #[arg(long, value_name = "N", default_value_t = 300)]
    pub incidents: usize,

    /// Random seed; the same seed gives the same tenant.
    #[arg(long, value_name = "S", default_value_t = 7)]
    pub seed: u64,

    /// Fault injection, e.g. `429=0.05,retry-after=2,500=0.01,latency=200ms,expand-500=25` (terms: 429, retry-after, 500, 503, latency, stall, malformed, truncate, bad-record, unknown-enum, unknown-evidence, expire-tokens, expand-500, 429-burst).
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,

    /// Do not generate live activity (new incidents, updates) while running.
    #[arg(long)]
    pub no_live: bool,

    /// Seconds between simulated activity events.
    #[arg(long, value_name = "SECS")]
    pub activity_every: Option<u64>,
}

/// `vigil export` options.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The tenant to export from.
    #[command(flatten)]
    pub session: SessionArgs,

    /// Only incidents updated since then: an age (`30m`, `24h`, `7d`, `2w`), a date
    /// (`2026-11-01`, midnight UTC) or a time (`2026-11-01T08:00:00-08:00`,
    /// `"2026-11-01 08:00"`); a time without an offset is UTC.
    #[arg(long, value_name = "DURATION_OR_DATE")]
    pub since: Option<Since>,

    /// Comma-separated statuses: active, inProgress, resolved, redirected, awaitingAction.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_status)]
    pub status: Vec<String>,

    /// Comma-separated severities: high, medium, low, informational, unknown.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_severity)]
    pub severity: Vec<String>,

    /// Do not fetch and embed each incident's alerts.
    #[arg(long)]
    pub no_alerts: bool,

    /// Write to this file instead of stdout (with --follow: appended, created 0600, reopened
    /// on SIGHUP for logrotate).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Keep going: after the first pull, poll by lastUpdateDateTime and write each record again
    /// whenever it changes (a SIEM feed; see the README for the delivery guarantee).
    #[arg(long)]
    pub follow: bool,

    /// With --follow: where to remember what was written, so a restart continues there
    /// (written 0600 after the lines it covers are flushed).
    #[arg(long, value_name = "FILE", requires = "follow")]
    pub checkpoint: Option<PathBuf>,

    /// With --follow: time between polls (1s to 1d).
    #[arg(long, value_name = "PERIOD", default_value = "60s", value_parser = parse_interval, requires = "follow")]
    pub interval: std::time::Duration,

    /// With --follow: one line per alert (alerts_v2) instead of per incident; --status does
    /// not apply to alerts.
    #[arg(long, requires = "follow", conflicts_with = "status")]
    pub alerts: bool,

    /// With --follow: progress and health messages on stderr as text lines, or one JSON object
    /// per line.
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// `--log-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per message.
    Text,
    /// One JSON object per line (`ts`, `level`, `event`, fields).
    Json,
}

/// `--log-level` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// Normal operation (default).
    Info,
    /// Requests and state changes.
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    /// The `tracing` filter directive (`error`, `warn`, …), for [`crate::logging::init`].
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

fn parse_status(s: &str) -> Result<String, String> {
    canonical_status(s).map(str::to_owned).ok_or_else(|| {
        format!(
            "unknown status {s:?}; expected one of: {}",
            crate::config::INCIDENT_STATUSES.join(", ")
        )
    })
}

fn parse_severity(s: &str) -> Result<String, String> {
    canonical_severity(s).map(str::to_owned).ok_or_else(|| {
        format!(
            "unknown severity {s:?}; expected one of: {}",
            crate::config::SEVERITIES.join(", ")
        )
    })
}

fn parse_theme(s: &str) -> Result<String, String> {
    if is_valid_theme_name(s) {
        Ok(s.to_owned())
    } else {
        Err("theme names use letters, digits, '-' and '_' only".to_owned())
    }
}

/// The clap command, for completion scripts and the man page.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Writes the completion script for `shell`.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    let mut cmd = command();
    clap_complete::generate(shell, &mut cmd, "vigil", out);
}

/// Writes the man page (roff).
pub fn write_man(out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(command()).render(out)
}

impl UiSettings {
    /// Applies the command-line overrides (`--theme`, `--color`, `--ascii`, `--bell`).
    pub fn apply_cli(&mut self, cli: &Cli) {
        if let Some(theme) = &cli.theme {
            self.theme.clone_from(theme);
        }
        if let Some(color) = cli.color {
            self.color = color;
        }
        self.ascii |= cli.ascii;
        self.bell |= cli.bell;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }
}
