//! `vigil`: the command-line entry point. Parses flags, loads configuration, and dispatches to
//! the console, `login`, `sim`, `export` and the small helper subcommands.

use std::process::ExitCode;
use vigil::cli::Cli;
use vigil::ui::sanitize::{sanitize, sanitize_multiline};

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    match vigil::start::run(cli) {
        Ok(code) => code,
        Err(e)
            if e.chain()
                .filter_map(|c| c.downcast_ref::<std::io::Error>())
                .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            // `vigil man | head`: the reader went away; nothing to report.
            ExitCode::SUCCESS
        }
        Err(e) => {
            // Errors can carry server text: sanitise before it reaches the terminal. Only
            // configuration errors (vigil's own text, e.g. the "not configured yet" guide)
            // keep their line breaks.
            let mut msg = format!("{e:#}");
            if msg.is_empty() {
                msg = "unknown error".into();
            }
            let own_text = e.chain().any(|c| c.is::<vigil::config::ConfigError>());
            let shown = if own_text {
                sanitize_multiline(&msg)
            } else {
                sanitize(&msg)
            };
            eprintln!("vigil: {shown}");
            ExitCode::from(1)
        }
    }
}
