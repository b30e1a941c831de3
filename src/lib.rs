//! vigil: a terminal incident console for Microsoft Defender XDR.
//!
//! Layers (see docs/architecture.md): `graph` speaks HTTP to Microsoft Graph, `sync` runs the
//! background engine, `store` is the in-memory model owned by the UI, `ui` draws, `sim` is the
//! embedded simulated tenant, `experts` holds Ask Defender Experts logic, `export` is the
//! headless export.

pub mod child_process;
pub mod cli;
pub mod config;
pub mod db;
pub mod experts;
pub mod export;
pub mod follow_main;
pub mod graph;
pub mod logging;
pub mod paths;
pub mod sim;
pub mod start;
pub mod store;
pub mod sync;
pub mod ui;
