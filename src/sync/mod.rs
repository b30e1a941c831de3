//! The background sync engine: talks to Graph through `graph::Client`, never touches the
//! screen, and exchanges owned [`Command`]s and [`Update`]s with the UI over channels.

pub mod engine;
pub mod messages;

pub use messages::*;
