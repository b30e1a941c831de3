//! HTTP plumbing shared by the simulator's routes: request ids, Graph-shaped errors and JSON
//! responses, and the outermost middleware (ids + statistics).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::state::{Shared, lock};

/// Content type Graph uses for JSON payloads.
pub const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// Ids of the current request (echoed in headers and error bodies).
#[derive(Clone, Debug)]
pub struct ReqIds {
    pub request_id: String,
    pub client_request_id: String,
}

/// `innerError.date` format: no fraction, no zone (as Graph writes it).
pub fn zoneless_now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// A JSON response with Graph's content type.
pub fn json_response(status: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, ODATA_JSON)], body).into_response()
}

/// A Graph error body: `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`.
pub fn graph_error(status: StatusCode, code: &str, message: &str, ids: &ReqIds) -> Response {
    json_response(status, &graph_error_body(code, message, ids))
}

/// The JSON of a Graph error.
pub fn graph_error_body(code: &str, message: &str, ids: &ReqIds) -> Value {
    json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": zoneless_now(),
                "request-id": ids.request_id,
                "client-request-id": ids.client_request_id,
            }
        }
    })
}

/// 400 BadRequest.
pub fn bad_request(message: &str, ids: &ReqIds) -> Response {
    graph_error(StatusCode::BAD_REQUEST, "BadRequest", message, ids)
}

/// 400 InvalidRequestBody.
pub fn invalid_body(message: &str, ids: &ReqIds) -> Response {
    graph_error(StatusCode::BAD_REQUEST, "InvalidRequestBody", message, ids)
}

/// 404 NotFound.
pub fn not_found(what: &str, ids: &ReqIds) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("{what} was not found."),
        ids,
    )
}

/// Outermost middleware: assigns request ids, counts the request, sets id headers.
pub async fn ids_and_stats(
    State(shared): State<Arc<Shared>>,
    mut req: Request,
    next: Next,
) -> Response {
    let client_request_id = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|s| s.len() <= 100)
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let ids = ReqIds {
        request_id: uuid::Uuid::new_v4().to_string(),
        client_request_id,
    };
    let path = req.uri().path().to_string();
    if !path.starts_with("/_sim") {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|| "(unmatched)".into());
        let mut st = lock(&shared.stats);
        st.requests += 1;
        *st.by_route
            .entry(format!("{} {route}", req.method()))
            .or_insert(0) += 1;
    }
    req.extensions_mut().insert(ids.clone());
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (name, val) in [
        ("request-id", ids.request_id.as_str()),
        ("client-request-id", ids.client_request_id.as_str()),
    ] {
        if let Ok(v) = HeaderValue::from_str(val) {
            h.insert(HeaderName::from_static(name), v);
        }
    }
    h.insert(
        HeaderName::from_static("x-ms-ags-diagnostic"),
        HeaderValue::from_static(
            "{\"ServerInfo\":{\"DataCenter\":\"Loopback\",\"Slice\":\"E\",\"Ring\":\"5\",\"ScaleUnit\":\"000\",\"RoleInstance\":\"VIGIL-SIM\"}}",
        ),
    );
    resp
}

/// Host-derived base URL of the current request (`http://host:port`), falling back to `dflt`.
pub fn base_of(req_headers: &axum::http::HeaderMap, dflt: &str) -> String {
    req_headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .map(|h| format!("http://{h}"))
        .unwrap_or_else(|| dflt.to_string())
}

/// Empty body helper.
pub fn empty(status: StatusCode) -> Response {
    (status, Body::empty()).into_response()
}
