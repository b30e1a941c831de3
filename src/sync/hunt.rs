//! Runs one advanced hunting query for the engine, off its main loop (polling goes on), and
//! reports the answer or the service's message. Aborting the task drops the request.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::api::GraphApi;
use super::messages::Update;
use crate::graph::error::ErrorKind;
use crate::graph::hunting;

/// Runs query `id` and sends `Update::HuntResult` or `Update::HuntFailed`.
pub(crate) async fn run<A: GraphApi>(
    api: Arc<A>,
    ui: UnboundedSender<Update>,
    id: u64,
    query: String,
) {
    let body = hunting::request_body(&query);
    let answer = api
        .post_json_once(hunting::PATH, &body, hunting::TIMEOUT)
        .await
        .and_then(|v| hunting::parse_response(&v));
    let update = match answer {
        Ok(result) => Update::HuntResult { id, result },
        Err(e) => Update::HuntFailed {
            id,
            message: hunting::failure_message(&e),
            throttled: e.kind == ErrorKind::Throttled,
        },
    };
    let _ = ui.send(update);
}
