//! A corrupt outbox at start reaches the analyst: the console's notification line says so
//! after the initial load, and the log has a warning. Its own test binary, so no other test
//! meets the log callsite first without a subscriber.

use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigil::graph::error::GraphError;
use vigil::sync::{EngineConfig, EngineHandle, GraphApi, Update, spawn};
use vigil::ui::app::{App, AppConfig};
use vigil::ui::fixture;

/// A tenant with no incidents.
struct EmptyTenant;

impl GraphApi for EmptyTenant {
    async fn get_json(&self, _path_or_url: &str) -> Result<Value, GraphError> {
        Ok(json!({ "value": [] }))
    }
    async fn patch_json(&self, _path: &str, _body: &Value) -> Result<Value, GraphError> {
        Ok(json!({}))
    }
    async fn post_json(&self, _path: &str, _body: &Value) -> Result<Value, GraphError> {
        Ok(json!({}))
    }
    fn requests(&self) -> u64 {
        0
    }
}

/// A log sink for `tracing`.
#[derive(Clone, Default)]
struct LogBuf(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_corrupt_outbox_is_said_on_screen_and_in_the_log() {
    let log = LogBuf::default();
    let sink = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _log = tracing::subscriber::set_default(subscriber);
    let dir = tempfile::tempdir().unwrap();
    let ob = dir.path().join("outbox.json");
    std::fs::write(&ob, b"{\"version\":1,\"entries\":[{\"op\":").unwrap();
    let EngineHandle {
        commands: _commands,
        mut updates,
        task: _task,
    } = spawn(
        Arc::new(EmptyTenant),
        EngineConfig {
            poll_interval: Duration::from_secs(3600),
            outbox_path: Some(ob),
            ..EngineConfig::default()
        },
    );
    let mut app = App::new(fixture::store(false), AppConfig::default(), fixture::now());
    // The console applies everything the engine says at start, up to the end of the load.
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(u) = updates.recv().await {
            let done = matches!(u, Update::LoadComplete { .. });
            app.apply_update(u);
            if done {
                break;
            }
        }
    })
    .await
    .expect("the initial load ends");
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 30)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    let screen = format!("{}", term.backend());
    assert!(
        screen.contains("the outbox") && screen.contains("was unreadable"),
        "{screen}"
    );
    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("WARN") && log.contains(".corrupt-"), "{log}");
}
