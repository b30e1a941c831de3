//! Everything that speaks HTTP to Microsoft Graph.

pub mod assertion;
pub mod auth;
pub mod backoff;
pub mod body;
pub mod budget;
pub mod certificate;
pub mod client;
pub mod endpoint;
pub mod error;
pub mod hunting;
pub mod json_depth;
pub mod model;
pub mod resources;
pub mod token_cache;
