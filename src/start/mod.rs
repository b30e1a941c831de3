//! Start-up: from parsed flags to a running console, export or simulator.
//!
//! `subcommands.rs` runs each subcommand; `launch.rs` turns flags and configuration into a
//! signed-in [`launch::Session`]; `connect.rs` builds the client for a profile or the embedded
//! demo tenant; `console.rs` runs the engine and the UI (and the export); `from_db.rs` paints
//! the first screen from the profile's database; `me.rs` says who "me" is.

pub mod connect;
pub mod console;
pub mod from_db;
pub mod launch;
pub mod me;
pub mod subcommands;

pub use subcommands::run;
