//! Middleware for the simulated Graph routes: fault injection, then bearer-token checks.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use futures::{StreamExt, stream};

use super::auth::{BearerError, check_bearer};
use super::http::{ReqIds, graph_error, graph_error_body, json_response};
use super::render::Ver;
use super::state::{Shared, lock};

/// State of a versioned Graph router.
#[derive(Clone)]
pub struct G {
    pub shared: Arc<Shared>,
    pub ver: Ver,
}

enum Pre {
    None,
    Throttle,
    Unavailable,
    Internal,
}

#[derive(Default)]
struct Post {
    malformed: bool,
    truncate: bool,
}

/// Applies faults and authentication to every Graph request.
pub async fn graph_mw(State(g): State<G>, mut req: Request, next: Next) -> Response {
    let ids = req
        .extensions()
        .get::<ReqIds>()
        .cloned()
        .unwrap_or_else(|| ReqIds {
            request_id: String::new(),
            client_request_id: String::new(),
        });
    let shared = &g.shared;
    let (pre, post, latency, stall, retry_after) = {
        let mut f = lock(&shared.faults);
        let pre = if f.burst_left > 0 {
            f.burst_left -= 1;
            Pre::Throttle
        } else {
            let (p429, p503, p500) = (f.spec.p429, f.spec.p503, f.spec.p500);
            if f.roll(p429) {
                Pre::Throttle
            } else if f.roll(p503) {
                Pre::Unavailable
            } else if f.roll(p500) {
                Pre::Internal
            } else {
                Pre::None
            }
        };
        let (pm, pt, ps) = (f.spec.malformed, f.spec.truncate, f.spec.stall);
        let post = Post {
            malformed: f.roll(pm),
            truncate: f.roll(pt),
        };
        let stall = f.roll(ps);
        (
            pre,
            post,
            f.spec.latency,
            stall,
            f.spec.retry_after_header(),
        )
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if stall {
        lock(&shared.stats).faults_injected += 1;
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    match pre {
        Pre::None => {}
        Pre::Throttle => {
            {
                let mut st = lock(&shared.stats);
                st.throttled += 1;
                st.faults_injected += 1;
            }
            let body = serde_json::json!({
                "error": {
                    "code": "TooManyRequests",
                    "message": "Please retry again later.",
                    "innerError": {
                        "code": "429",
                        "date": super::http::zoneless_now(),
                        "message": "Please retry after",
                        "request-id": ids.request_id,
                        "client-request-id": ids.client_request_id,
                        "status": "429",
                    }
                }
            });
            let mut r = json_response(StatusCode::TOO_MANY_REQUESTS, &body);
            if let Ok(v) = HeaderValue::from_str(&retry_after) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return r;
        }
        Pre::Unavailable => {
            lock(&shared.stats).faults_injected += 1;
            let mut r = graph_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The service is temporarily unavailable. Please retry later.",
                &ids,
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return r;
        }
        Pre::Internal => {
            lock(&shared.stats).faults_injected += 1;
            return graph_error(StatusCode::INTERNAL_SERVER_ERROR, "UnknownError", "", &ids);
        }
    }
    match check_bearer(shared, req.headers()) {
        Ok(identity) => {
            req.extensions_mut().insert(identity);
        }
        Err(e) => {
            let msg = match e {
                BearerError::Missing => "Access token is empty.",
                BearerError::Invalid => "Access token validation failure. Invalid audience.",
                BearerError::Expired => "Lifetime validation failed, the token is expired.",
            };
            let mut r = json_response(
                StatusCode::UNAUTHORIZED,
                &graph_error_body("InvalidAuthenticationToken", msg, &ids),
            );
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                ),
            );
            return r;
        }
    }
    let resp = next.run(req).await;
    if !(post.malformed || post.truncate) || !resp.status().is_success() {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if bytes.is_empty() {
        return Response::from_parts(parts, Body::from(bytes));
    }
    lock(&shared.stats).faults_injected += 1;
    parts.headers.remove(header::CONTENT_LENGTH);
    if post.malformed {
        let cut = bytes.len() / 2;
        let mut v = bytes[..cut].to_vec();
        v.extend_from_slice(b"\",,}<html><body>upstream error</body></html>");
        return Response::from_parts(parts, Body::from(v));
    }
    // Truncate: send part of the body, then abort the stream so the client sees a cut-off body.
    let part = Bytes::copy_from_slice(&bytes[..bytes.len() * 2 / 3]);
    let first = stream::once(async move { Ok::<Bytes, std::io::Error>(part) });
    let fail = stream::once(async {
        // Let the head and the first part reach the client before the connection dies.
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated truncation",
        ))
    });
    Response::from_parts(parts, Body::from_stream(first.chain(fail)))
}
