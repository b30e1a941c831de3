//! Everything that speaks HTTP to Microsoft Graph.

pub mod auth;
pub mod client;
pub mod error;
pub mod model;
