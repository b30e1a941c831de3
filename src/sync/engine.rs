//! PLACEHOLDER until the syncer branch lands (same public API).

use super::{Command, Update};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Engine settings.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub window_days: u32,
    pub page_size: u32,
    pub small_page_size: u32,
    pub poll_interval: Duration,
    pub overlap: Duration,
    pub statuses: Option<Vec<String>>,
    pub severities: Option<Vec<String>>,
    pub beta_for_experts: bool,
    pub outbox_path: Option<PathBuf>,
    pub read_only: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            window_days: 30,
            page_size: 50,
            small_page_size: 10,
            poll_interval: Duration::from_secs(60),
            overlap: Duration::from_secs(300),
            statuses: None,
            severities: None,
            beta_for_experts: true,
            outbox_path: None,
            read_only: false,
        }
    }
}

/// Starts the engine task.
pub fn spawn<A: Send + Sync + 'static>(
    _api: Arc<A>,
    _cfg: EngineConfig,
) -> (
    mpsc::UnboundedSender<Command>,
    mpsc::UnboundedReceiver<Update>,
    JoinHandle<()>,
) {
    let (tx, _rx) = mpsc::unbounded_channel();
    let (_utx, urx) = mpsc::unbounded_channel();
    (tx, urx, tokio::spawn(async {}))
}
