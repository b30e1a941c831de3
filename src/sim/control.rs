//! `/_sim/` control and debug endpoints, so a second process can drive a running simulator.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::faults::FaultSpec;
use super::state::{Shared, lock};
use super::{auth, live};

/// `GET /_sim/stats`.
pub async fn stats(State(s): State<Arc<Shared>>) -> Response {
    let st = lock(&s.stats).clone();
    let faults = lock(&s.faults).spec.to_string();
    let (n, rounds, tasks) = {
        let t = lock(&s.tenant);
        (t.incidents.len(), t.rounds, t.tasks.len())
    };
    Json(json!({
        "requests": st.requests,
        "by_route": st.by_route,
        "patches": st.patches,
        "comments_posted": st.comments_posted,
        "throttled": st.throttled,
        "faults_injected": st.faults_injected,
        "token_requests": st.token_requests,
        "incidents": n,
        "tasks": tasks,
        "activity_rounds": rounds,
        "faults": faults,
        "mail_sent": lock(&s.mail).len(),
    }))
    .into_response()
}

/// `GET /_sim/mail`.
pub async fn mail(State(s): State<Arc<Shared>>) -> Response {
    Json(json!(lock(&s.mail).clone())).into_response()
}

/// `POST /_sim/tick`.
pub async fn tick(State(s): State<Arc<Shared>>) -> Response {
    let mut t = lock(&s.tenant);
    live::tick(&mut t);
    Json(json!({ "activity_rounds": t.rounds, "incidents": t.incidents.len() })).into_response()
}

/// `POST /_sim/approve?user_code=ABCD-EFGH`.
pub async fn approve(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let code = q.get("user_code").map(String::as_str).unwrap_or("");
    let ok = auth::approve(&s, code);
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    (status, Json(json!({ "approved": ok }))).into_response()
}

/// `POST /_sim/faults` with the spec as the body.
pub async fn set_faults(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec = String::from_utf8_lossy(&body);
    match FaultSpec::parse(&spec) {
        Ok(f) => {
            let mut st = lock(&s.faults);
            st.burst_left = f.burst_429;
            st.spec = f;
            (StatusCode::OK, st.spec.to_string()).into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, e).into_response(),
    }
}

const PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>vigil simulated sign-in</title></head>\
<body style=\"font-family:sans-serif;max-width:32em;margin:4em auto\"><h1>Simulated device sign-in</h1>\
<p>Enter the code shown by vigil to sign in as <b>demo.analyst@contoso.com</b>.</p>\
<form method=\"post\" action=\"/_sim/device\"><input name=\"user_code\" autofocus placeholder=\"ABCD-EFGH\">\
<button type=\"submit\">Sign in</button></form>{msg}</body></html>";

/// `GET /_sim/device`: the verification page.
pub async fn device_page() -> Response {
    Html(PAGE.replace("{msg}", "")).into_response()
}

/// `POST /_sim/device`: form submit from the verification page.
pub async fn device_submit(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let code = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "user_code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let msg = if auth::approve(&s, &code) {
        "<p>Signed in. You can return to the terminal.</p>"
    } else {
        "<p>That code was not recognised or has expired.</p>"
    };
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(PAGE.replace("{msg}", msg)),
    )
        .into_response()
}
