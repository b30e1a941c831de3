//! `vigil`: the command-line entry point. Parses flags, loads configuration, and dispatches to
//! the console, `login`, `sim`, `export` and the small helper subcommands.

use clap::Parser;
use std::process::ExitCode;
use vigil::cli::Cli;
use vigil::ui::sanitize::sanitize;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match vigil::app_main::run(cli) {
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
            // Errors can carry server text: sanitise before it reaches the terminal.
            let mut msg = format!("{e:#}");
            if msg.is_empty() {
                msg = "unknown error".into();
            }
            eprintln!("vigil: {}", sanitize(&msg));
            ExitCode::from(1)
        }
    }
}
