//! The background sync engine: talks to Graph through a [`GraphApi`] (the real
//! `graph::Client` or a fake), never touches the screen, and exchanges owned [`Command`]s and
//! [`Update`]s with the UI over channels.

pub mod api;
pub mod base;
pub mod engine;
mod hunt;
mod internal;
pub mod lazy;
pub mod lister;
pub mod messages;
pub mod outbox;
mod persist;
mod reads;
mod routed;
mod unknown_enums;
pub mod writer;

pub use api::GraphApi;
pub use base::IncidentBase;
pub use engine::{EngineConfig, EngineHandle, spawn};
pub use messages::*;
pub use routed::{ConsoleEvent, Routed, StoreUpdate};
