//! Graph HTTP layer against a tiny axum server on 127.0.0.1 (no network beyond loopback).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::BoxFuture;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{Value, json};
use vigil::graph::auth::{AuthConfig, Authenticator, Credential, DevicePrompt};
use vigil::graph::client::{Client, ClientConfig, ClientEvent};
use vigil::graph::error::ErrorKind;

const TENANT: &str = "contoso-tenant";
const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";
const SCOPE: &str = "https://graph.microsoft.com/.default";

/// One request the fake Graph saw.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    /// Path and query exactly as received.
    uri: String,
    headers: HeaderMap,
    body: String,
    at: Instant,
}

impl Seen {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// Token-service requests: (path, form, arrival time).
type TokenLog = Arc<Mutex<Vec<(String, HashMap<String, String>, Instant)>>>;
type GraphScript = Arc<dyn Fn(Seen, usize) -> BoxFuture<'static, Response> + Send + Sync>;
type TokenScript = Arc<dyn Fn(&HashMap<String, String>, usize) -> Response + Send + Sync>;

#[derive(Clone)]
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    token_forms: TokenLog,
}

impl Server {
    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    fn token_hits(&self) -> usize {
        self.token_forms
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _, _)| p.ends_with("/token"))
            .count()
    }
    fn token_forms(&self) -> Vec<HashMap<String, String>> {
        self.token_forms
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _, _)| p.ends_with("/token"))
            .map(|(_, f, _)| f.clone())
            .collect()
    }
}

fn json_response(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn raw_response(status: u16, headers: &[(&'static str, &str)], body: &str) -> Response {
    let mut b = Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// Default token endpoint: client credentials / refresh succeed with `tok-N`.
fn default_tokens() -> TokenScript {
    Arc::new(|_form, n| {
        json_response(
            200,
            json!({"token_type": "Bearer", "expires_in": 3599, "access_token": format!("tok-{n}")}),
        )
    })
}

fn graph(f: impl Fn(Seen, usize) -> Response + Send + Sync + 'static) -> GraphScript {
    let f = Arc::new(f);
    Arc::new(move |s, n| {
        let f = f.clone();
        Box::pin(async move { f(s, n) })
    })
}

async fn start(graph_script: GraphScript, token_script: TokenScript, device: Value) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let token_forms: TokenLog = Arc::default();
    let (seen2, forms2) = (seen.clone(), token_forms.clone());
    let app = Router::new().fallback(move |req: Request| {
        let (seen, forms, graph_script, token_script, device) = (
            seen2.clone(),
            forms2.clone(),
            graph_script.clone(),
            token_script.clone(),
            device.clone(),
        );
        async move {
            let method = req.method().to_string();
            let uri = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            let headers = req.headers().clone();
            let bytes = axum::body::to_bytes(req.into_body(), usize::MAX)
                .await
                .unwrap();
            let body = String::from_utf8_lossy(&bytes).into_owned();
            let path = uri.split('?').next().unwrap_or("").to_string();
            if path.starts_with(&format!("/{TENANT}/oauth2/v2.0/")) {
                let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
                    .into_owned()
                    .collect();
                let n = {
                    let mut f = forms.lock().unwrap();
                    f.push((path.clone(), form.clone(), Instant::now()));
                    f.iter().filter(|(p, _, _)| p.ends_with("/token")).count()
                };
                if path.ends_with("/devicecode") {
                    return json_response(200, device);
                }
                return token_script(&form, n);
            }
            let s = Seen {
                method,
                uri,
                headers,
                body,
                at: Instant::now(),
            };
            let n = {
                let mut v = seen.lock().unwrap();
                v.push(s.clone());
                v.len()
            };
            graph_script(s, n).await
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        addr,
        seen,
        token_forms,
    }
}

async fn start_graph(script: GraphScript) -> Server {
    start(script, default_tokens(), Value::Null).await
}

fn auth_config(server: &Server, credential: Credential) -> AuthConfig {
    AuthConfig {
        login_url: url::Url::parse(&server.base()).unwrap(),
        tenant_id: TENANT.into(),
        client_id: CLIENT_ID.into(),
        scope: SCOPE.into(),
        credential,
        cache_path: None,
    }
}

fn secret() -> Credential {
    Credential::ClientSecret(SecretString::from("s3cr3t value&=+"))
}

fn client_config(server: &Server) -> ClientConfig {
    ClientConfig {
        graph_url: url::Url::parse(&server.base()).unwrap(),
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        max_retries: 5,
        budget_per_minute: 0,
        max_backoff: Duration::from_millis(40),
    }
}

fn client_with(server: &Server, cfg: ClientConfig) -> Client {
    let auth = Arc::new(Authenticator::new(
        auth_config(server, secret()),
        cfg.http_client().unwrap(),
    ));
    Client::new(cfg, auth).unwrap()
}

fn client(server: &Server) -> Client {
    client_with(server, client_config(server))
}

fn drain(rx: &mut tokio::sync::broadcast::Receiver<ClientEvent>) -> Vec<ClientEvent> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

// ---------------------------------------------------------------- paging

#[tokio::test]
async fn paging_requests_next_link_verbatim_with_headers_on_every_page() {
    let base: Arc<Mutex<String>> = Arc::default();
    let b2 = base.clone();
    let server = start_graph(graph(move |s, _| {
        let base = b2.lock().unwrap().clone();
        match s.uri.as_str() {
            "/v1.0/security/incidents?$top=2" => json_response(
                200,
                json!({"value": [{"id": "1"}, {"id": "2"}],
                       "@odata.nextLink": format!("{base}/v1.0/security/incidents?$top=2&$skiptoken=a%2Bb%3D%3D")}),
            ),
            "/v1.0/security/incidents?$top=2&$skiptoken=a%2Bb%3D%3D" => json_response(
                200,
                json!({"value": [], "@odata.nextLink": format!("{base}/v1.0/security/incidents?$top=2&$skip=4")}),
            ),
            "/v1.0/security/incidents?$top=2&$skip=4" => json_response(200, json!({"value": [{"id": "5"}]})),
            other => json_response(404, json!({"error": {"code": "NotFound", "message": other}})),
        }
    }))
    .await;
    *base.lock().unwrap() = server.base();
    let c = client(&server);

    let mut ids = Vec::new();
    let mut next = Some("/v1.0/security/incidents?$top=2".to_string());
    while let Some(link) = next {
        let page = c.get_json(&link).await.unwrap();
        ids.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_string()),
        );
        next = page["@odata.nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(ids, ["1", "2", "5"]);
    let seen = server.seen();
    assert_eq!(
        seen.iter().map(|s| s.uri.as_str()).collect::<Vec<_>>(),
        [
            "/v1.0/security/incidents?$top=2",
            "/v1.0/security/incidents?$top=2&$skiptoken=a%2Bb%3D%3D",
            "/v1.0/security/incidents?$top=2&$skip=4"
        ]
    );
    let mut request_ids = std::collections::HashSet::new();
    for s in &seen {
        assert_eq!(s.method, "GET");
        assert_eq!(s.header("authorization").as_deref(), Some("Bearer tok-1"));
        assert_eq!(
            s.header("prefer").as_deref(),
            Some("include-unknown-enum-members")
        );
        assert_eq!(s.header("accept").as_deref(), Some("application/json"));
        assert!(s.header("user-agent").unwrap().starts_with("vigil/"));
        let id = s.header("client-request-id").unwrap();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        request_ids.insert(id);
    }
    assert_eq!(
        request_ids.len(),
        3,
        "client-request-id must be unique per request"
    );
    assert_eq!(server.token_hits(), 1, "token is cached across pages");
    let stats = c.stats();
    assert_eq!(stats.requests, 3);
    assert!(stats.bytes_received > 0);
}

#[tokio::test]
async fn foreign_origin_next_link_is_refused_without_sending() {
    let server = start_graph(graph(|_, _| json_response(200, json!({})))).await;
    let c = client(&server);
    let other_port = format!(
        "http://127.0.0.1:{}/v1.0/x",
        server.addr.port().wrapping_add(1).max(1)
    );
    for link in [
        "https://evil.example/v1.0/security/incidents?$skip=2",
        "http://127.0.0.2:1/v1.0/x",
        other_port.as_str(),
        &format!("https://{}/v1.0/x", server.addr),
    ] {
        let e = c.get_json(link).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config, "{link}: {e}");
    }
    assert!(c.get_json("v1.0/no-leading-slash").await.is_err());
    assert!(server.seen().is_empty());
    assert_eq!(
        server.token_hits(),
        0,
        "no token is even fetched for a refused URL"
    );
}

#[tokio::test]
async fn plain_http_to_remote_hosts_is_refused() {
    let server = start_graph(graph(|_, _| json_response(200, json!({})))).await;
    let mut cfg = client_config(&server);
    cfg.graph_url = url::Url::parse("http://graph.microsoft.com").unwrap();
    let auth = Arc::new(Authenticator::new(
        auth_config(&server, secret()),
        reqwest::Client::new(),
    ));
    let e = Client::new(cfg.clone(), auth).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config);
    assert!(e.message.contains("loopback"), "{e}");

    cfg.graph_url = url::Url::parse("https://graph.microsoft.com").unwrap();
    let mut acfg = auth_config(&server, secret());
    acfg.login_url = url::Url::parse("http://login.microsoftonline.com").unwrap();
    let auth = Authenticator::new(acfg, reqwest::Client::new());
    assert_eq!(auth.token().await.unwrap_err().kind, ErrorKind::Config);
}

// ---------------------------------------------------------------- throttling and retries

#[tokio::test]
async fn retry_after_429_is_honoured() {
    let server = start_graph(graph(|_, n| {
        if n == 1 {
            raw_response(
                429,
                &[("Retry-After", "1"), ("content-type", "application/json")],
                r#"{"error":{"code":"TooManyRequests","message":"Please retry again later.","innerError":{"date":"2020-08-18T12:51:51","request-id":"94fb3b52"}}}"#,
            )
        } else {
            json_response(200, json!({"value": []}))
        }
    }))
    .await;
    let c = client(&server);
    let mut rx = c.subscribe();
    let t0 = Instant::now();
    c.get_json("/v1.0/security/incidents").await.unwrap();
    assert!(
        t0.elapsed() >= Duration::from_secs(1),
        "retried after {:?}",
        t0.elapsed()
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen[1].at.duration_since(seen[0].at) >= Duration::from_secs(1));
    let events = drain(&mut rx);
    assert!(
        events.contains(&ClientEvent::Throttled {
            status: 429,
            wait: Duration::from_secs(1)
        }),
        "{events:?}"
    );
    let s = c.stats();
    assert_eq!((s.requests, s.retries, s.throttled), (2, 1, 1));
}

#[tokio::test]
async fn retry_after_on_503_with_fraction() {
    let server = start_graph(graph(|_, n| match n {
        1 => raw_response(503, &[("Retry-After", "0.6")], ""),
        _ => json_response(200, json!({"ok": true})),
    }))
    .await;
    let c = client(&server);
    let v = c.get_json("/v1.0/security/alerts_v2").await.unwrap();
    assert_eq!(v["ok"], true);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].at.duration_since(seen[0].at);
    assert!(gap >= Duration::from_millis(600), "gap {gap:?}");
    assert_eq!(c.stats().throttled, 1);
}

#[tokio::test]
async fn throttling_without_header_backs_off_and_gives_up_after_max_retries() {
    let server = start_graph(graph(|_, _| {
        json_response(
            429,
            json!({"error": {"code": "TooManyRequests", "message": "slow down"}}),
        )
    }))
    .await;
    let mut cfg = client_config(&server);
    cfg.max_retries = 2;
    let c = client_with(&server, cfg);
    let e = c.get_json("/v1.0/x").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert_eq!(e.status, Some(429));
    assert_eq!(server.seen().len(), 3);
    assert_eq!(c.stats().retries, 2);
}

#[tokio::test]
async fn server_errors_back_off_then_succeed() {
    let server = start_graph(graph(|_, n| match n {
        1 => json_response(
            500,
            json!({"error": {"code": "UnknownError", "message": ""}}),
        ),
        2 => raw_response(502, &[], "<html><title>Bad Gateway</title></html>"),
        3 => raw_response(504, &[], ""),
        _ => json_response(200, json!({"id": "7"})),
    }))
    .await;
    let c = client(&server);
    let mut rx = c.subscribe();
    let v = c.get_json("/v1.0/security/incidents/7").await.unwrap();
    assert_eq!(v["id"], "7");
    assert_eq!(server.seen().len(), 4);
    let retries: Vec<u32> = drain(&mut rx)
        .into_iter()
        .filter_map(|e| match e {
            ClientEvent::Retrying { attempt, wait, .. } => {
                assert!(
                    wait <= Duration::from_millis(40),
                    "wait {wait:?} above max_backoff"
                );
                Some(attempt)
            }
            _ => None,
        })
        .collect();
    assert_eq!(retries, [1, 2, 3]);
}

#[tokio::test]
async fn persistent_server_error_is_surfaced_after_max_retries() {
    let server = start_graph(graph(|_, _| {
        raw_response(
            500,
            &[("request-id", "rid-9")],
            r#"{"error":{"code":"UnknownError","message":"boom"}}"#,
        )
    }))
    .await;
    let mut cfg = client_config(&server);
    cfg.max_retries = 1;
    let c = client_with(&server, cfg);
    let e = c.get_json("/v1.0/x").await.unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Http, Some(500)));
    assert_eq!(e.request_id.as_deref(), Some("rid-9"));
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn connection_refused_is_retried_then_network_error() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let token_server = start_graph(graph(|_, _| json_response(200, json!({})))).await;
    let mut cfg = client_config(&token_server);
    cfg.graph_url = url::Url::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    cfg.max_retries = 2;
    let c = client_with(&token_server, cfg);
    let e = c.get_json("/v1.0/x").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network, "{e}");
    assert_eq!(c.stats().requests, 3);
}

#[tokio::test]
async fn truncated_body_on_get_is_retried_and_reported_as_decode_on_post() {
    let server = start_graph(graph(|s, n| {
        if (s.method == "GET" && n == 1) || s.method == "POST" {
            raw_response(
                200,
                &[("content-type", "application/json")],
                r#"{"value":[{"id":"1"#,
            )
        } else {
            json_response(200, json!({"value": [{"id": "1"}]}))
        }
    }))
    .await;
    let c = client(&server);
    let v = c.get_json("/v1.0/x").await.unwrap();
    assert_eq!(v["value"][0]["id"], "1");
    assert_eq!(c.stats().retries, 1);

    let e = c.post_json("/v1.0/y", &json!({})).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(
        e.message.contains("{\"value\""),
        "excerpt missing: {}",
        e.message
    );
    assert_eq!(
        server.seen().iter().filter(|s| s.method == "POST").count(),
        1
    );
}

// ---------------------------------------------------------------- 401 handling

#[tokio::test]
async fn unauthorized_reacquires_token_exactly_once_and_retries() {
    let server = start_graph(graph(|s, _| {
        if s.header("authorization").as_deref() == Some("Bearer tok-2") {
            json_response(200, json!({"value": []}))
        } else {
            json_response(401, json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired."}}))
        }
    }))
    .await;
    let c = client(&server);
    c.get_json("/v1.0/security/incidents").await.unwrap();
    assert_eq!(server.token_hits(), 2);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].header("authorization").as_deref(),
        Some("Bearer tok-1")
    );
    assert_eq!(
        seen[1].header("authorization").as_deref(),
        Some("Bearer tok-2")
    );
}

#[tokio::test]
async fn second_unauthorized_is_surfaced() {
    let server = start_graph(graph(|_, _| {
        json_response(
            401,
            json!({"error": {"code": "InvalidAuthenticationToken", "message": "nope"}}),
        )
    }))
    .await;
    let c = client(&server);
    let e = c.get_json("/v1.0/security/incidents").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(e.status, Some(401));
    assert!(e.code_is("invalidAuthenticationToken"));
    assert_eq!(server.token_hits(), 2, "exactly one re-acquisition");
    assert_eq!(server.seen().len(), 2);
}

// ---------------------------------------------------------------- mutations

#[tokio::test]
async fn post_timeout_is_unknown_outcome_and_not_retried() {
    let script: GraphScript = Arc::new(|_s, _n| {
        Box::pin(async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            json_response(201, json!({}))
        })
    });
    let server = start_graph(script).await;
    let mut cfg = client_config(&server);
    cfg.timeout = Duration::from_millis(300);
    let c = client_with(&server, cfg);
    // Fetch the token first so the short timeout only applies to the POST itself.
    c.authenticator().token().await.unwrap();
    let e = c
        .post_json(
            "/v1.0/security/incidents/1/comments",
            &json!({"comment": "hi"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{e}");
    // The client retries inside the call, which has returned: whatever reached the server by
    // now is all it will send. Wait for the request the server was still answering to be
    // recorded, then count.
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.seen().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the POST never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "POST must not be retried");
    assert_eq!(seen[0].method, "POST");
    assert_eq!(
        serde_json::from_str::<Value>(&seen[0].body).unwrap(),
        json!({"comment": "hi"})
    );
    assert_eq!(
        seen[0].header("content-type").as_deref(),
        Some("application/json")
    );
}

#[tokio::test]
async fn post_gateway_timeout_is_unknown_outcome_but_429_is_retried() {
    let server = start_graph(graph(|s, n| match (s.uri.as_str(), n) {
        ("/v1.0/a", 1) => raw_response(429, &[("Retry-After", "0")], ""),
        ("/v1.0/a", _) => raw_response(204, &[], ""),
        _ => raw_response(504, &[], ""),
    }))
    .await;
    let c = client(&server);
    assert_eq!(
        c.post_json("/v1.0/a", &json!({"x": 1})).await.unwrap(),
        Value::Null
    );
    assert_eq!(server.seen().len(), 2);
    let e = c.post_json("/v1.0/b", &json!({})).await.unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::UnknownOutcome, Some(504)));
    assert_eq!(server.seen().len(), 3, "504 on POST must not be retried");
}

#[tokio::test]
async fn patch_is_retried_like_get() {
    let server = start_graph(graph(|s, n| {
        assert_eq!(s.method, "PATCH");
        if n == 1 {
            raw_response(503, &[], "")
        } else {
            json_response(200, json!({"status": "resolved"}))
        }
    }))
    .await;
    let c = client(&server);
    let v = c
        .patch_json("/v1.0/security/incidents/1", &json!({"status": "resolved"}))
        .await
        .unwrap();
    assert_eq!(v["status"], "resolved");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, seen[1].body);
    assert_eq!(
        seen[1].header("prefer").as_deref(),
        Some("include-unknown-enum-members")
    );
}

// ---------------------------------------------------------------- budget

/// The budget is shared by clones: with a bucket of one token refilled once a minute, the first
/// request (clone a) takes it, so the second (clone b) is told to wait most of a minute instead
/// of going out. No clock is read: the test waits for the announced wait, then stops.
#[tokio::test]
async fn budget_makes_requests_wait_across_clones() {
    let server = start_graph(graph(|_, _| json_response(200, json!({})))).await;
    let mut cfg = client_config(&server);
    cfg.budget_per_minute = 1; // a bucket of one, refilled once a minute
    let a = client_with(&server, cfg);
    let b = a.clone();
    let mut rx = a.subscribe();
    a.authenticator().token().await.unwrap();
    a.get_json("/v1.0/x").await.unwrap();
    assert!(
        drain(&mut rx)
            .iter()
            .all(|e| !matches!(e, ClientEvent::BudgetWait { .. })),
        "the first request had its token"
    );
    let second = tokio::spawn(async move { b.get_json("/v1.0/x").await });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let wait = loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(ClientEvent::BudgetWait { wait })) => break wait,
            Ok(Ok(_)) => {}
            other => panic!("clone b was never held back by the shared budget: {other:?}"),
        }
    };
    assert!(wait > Duration::from_secs(50), "waits {wait:?}");
    second.abort();
    assert_eq!(server.seen().len(), 1, "the second request did not go out");
    assert_eq!(a.stats().requests, 1, "stats are shared by clones");
}

// ---------------------------------------------------------------- error bodies through the client

#[tokio::test]
async fn error_bodies_are_parsed_leniently() {
    let server = start_graph(graph(|s, _| match s.uri.as_str() {
        "/pascal" => json_response(
            400,
            json!({"error": {"code": "BadRequest", "message": "Request body is incorrect",
                   "innerError": {"date": "2023-01-20T11:29:01", "request-id": "94fb-1", "client-request-id": "c"}}}),
        ),
        "/html" => raw_response(403, &[("content-type", "text/html"), ("request-id", "hdr-2")], "<html><head><title>Forbidden</title></head></html>"),
        "/empty" => raw_response(404, &[("client-request-id", "cr-3")], ""),
        _ => raw_response(418, &[], "short and \u{1b}[31mstout"),
    }))
    .await;
    let c = client(&server);
    let e = c.get_json("/pascal").await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str(), e.date.as_deref()),
        (ErrorKind::Http, "BadRequest", Some("2023-01-20T11:29:01"))
    );
    assert!(e.code_is("badRequest"));
    assert_eq!(
        e.to_string(),
        "HTTP 400 BadRequest: Request body is incorrect (request-id 94fb-1)"
    );

    let e = c.get_json("/html").await.unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str(), e.request_id.as_deref()),
        (ErrorKind::Forbidden, "Forbidden", Some("hdr-2"))
    );

    let e = c.get_json("/empty").await.unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str(), e.request_id.as_deref()),
        (ErrorKind::NotFound, "Not Found", Some("cr-3"))
    );

    let e = c.get_json("/teapot").await.unwrap_err();
    assert_eq!(e.status, Some(418));
    assert!(
        e.message.contains('\u{1b}'),
        "server text is kept verbatim for the UI to sanitise"
    );
}

// ---------------------------------------------------------------- auth flows

#[tokio::test]
async fn client_secret_flow_posts_the_documented_form() {
    let server = start_graph(graph(|_, _| json_response(200, json!({})))).await;
    let auth = Authenticator::new(auth_config(&server, secret()), reqwest::Client::new());
    let t = auth.token().await.unwrap();
    assert_eq!(t.expose_secret(), "tok-1");
    assert_eq!(
        auth.token().await.unwrap().expose_secret(),
        "tok-1",
        "cached"
    );
    let forms = server.token_forms();
    assert_eq!(forms.len(), 1);
    let f = &forms[0];
    assert_eq!(
        f.get("grant_type").map(String::as_str),
        Some("client_credentials")
    );
    assert_eq!(f.get("client_id").map(String::as_str), Some(CLIENT_ID));
    assert_eq!(f.get("scope").map(String::as_str), Some(SCOPE));
    assert_eq!(
        f.get("client_secret").map(String::as_str),
        Some("s3cr3t value&=+")
    );
    assert_eq!(f.len(), 4);
}

#[tokio::test]
async fn token_endpoint_errors_become_auth_errors_with_aadsts_text() {
    let tokens: TokenScript = Arc::new(|_, _| {
        json_response(
            400,
            json!({"error": "invalid_scope",
            "error_description": "AADSTS70011: The provided value for the input parameter 'scope' is not valid.",
            "error_codes": [70011], "trace_id": "tr-1", "correlation_id": "co-1"}),
        )
    });
    let server = start(
        graph(|_, _| json_response(200, json!({}))),
        tokens,
        Value::Null,
    )
    .await;
    let c = client(&server);
    let e = c.get_json("/v1.0/x").await.unwrap_err();
    assert_eq!(
        (e.kind, e.status, e.code.as_str()),
        (ErrorKind::Auth, Some(400), "invalid_scope")
    );
    assert!(e.message.starts_with("AADSTS70011"), "{}", e.message);
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn short_lived_tokens_are_renewed_before_expiry() {
    let tokens: TokenScript = Arc::new(|_, n| {
        json_response(
            200,
            json!({"access_token": format!("tok-{n}"), "expires_in": "1"}),
        )
    });
    let server = start(
        graph(|_, _| json_response(200, json!({}))),
        tokens,
        Value::Null,
    )
    .await;
    let auth = Authenticator::new(auth_config(&server, secret()), reqwest::Client::new());
    assert_eq!(auth.token().await.unwrap().expose_secret(), "tok-1");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(auth.token().await.unwrap().expose_secret(), "tok-2");
}

#[tokio::test]
async fn concurrent_token_requests_share_one_acquisition() {
    let server = start_graph(graph(|_, _| json_response(200, json!({})))).await;
    let auth = Arc::new(Authenticator::new(
        auth_config(&server, secret()),
        reqwest::Client::new(),
    ));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn({
                let a = auth.clone();
                async move { a.token().await.unwrap().expose_secret().to_string() }
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), "tok-1");
    }
    assert_eq!(server.token_hits(), 1);
}

#[cfg(unix)]
#[tokio::test]
async fn token_cache_is_private_and_reused_across_instances() {
    use std::os::unix::fs::PermissionsExt as _;
    let server = start_graph(graph(|_, _| json_response(200, json!({})))).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/vigil/tokens.json");
    let mut cfg = auth_config(&server, secret());
    cfg.cache_path = Some(path.clone());

    let first = Authenticator::new(cfg.clone(), reqwest::Client::new());
    assert_eq!(first.token().await.unwrap().expose_secret(), "tok-1");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("s3cr3t"),
        "the client secret is never cached"
    );

    let second = Authenticator::new(cfg.clone(), reqwest::Client::new());
    assert_eq!(second.token().await.unwrap().expose_secret(), "tok-1");
    assert_eq!(server.token_hits(), 1, "second instance reused the cache");

    // A cache for another client id is not used.
    let mut other = cfg.clone();
    other.client_id = "someone-else".into();
    let third = Authenticator::new(other, reqwest::Client::new());
    assert_eq!(third.token().await.unwrap().expose_secret(), "tok-2");

    // Corrupt cache: ignored, replaced.
    std::fs::write(&path, b"{\"tenant_id\": 5").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let fourth = Authenticator::new(cfg.clone(), reqwest::Client::new());
    assert_eq!(fourth.token().await.unwrap().expose_secret(), "tok-3");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let cached: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(cached["access_token"], "tok-3");

    // invalidate() drops the cached access token on disk too.
    fourth.invalidate().await;
    let fifth = Authenticator::new(cfg, reqwest::Client::new());
    assert_eq!(fifth.token().await.unwrap().expose_secret(), "tok-4");
}

#[tokio::test]
async fn certificate_assertion_verifies_with_the_public_key() {
    use aws_lc_rs::signature::{RSA_PSS_2048_8192_SHA256, UnparsedPublicKey};
    use vigil::graph::certificate::CertificateKey;

    let key_pem = include_str!("fixtures/test_key_pkcs8.pem");
    let cert_pem = include_str!("fixtures/test_cert.pem");
    let thumb_hex = include_str!("fixtures/test_cert.sha256").trim();
    let server = start_graph(graph(|_, _| json_response(200, json!({})))).await;
    let cert = CertificateKey::from_files(
        cert_pem.as_bytes(),
        "cert.pem",
        key_pem.as_bytes(),
        "key.pem",
    )
    .unwrap();
    let cred = Credential::Certificate(cert.clone());
    assert!(!format!("{cred:?}").contains("PRIVATE"));
    let auth = Authenticator::new(auth_config(&server, cred), reqwest::Client::new());
    auth.token().await.unwrap();
    let forms = server.token_forms();
    let f = &forms[0];
    assert_eq!(f["grant_type"], "client_credentials");
    assert_eq!(
        f["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert!(!f.contains_key("client_secret"));
    let jwt = &f["client_assertion"];
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(header["alg"], "PS256");
    assert_eq!(header["typ"], "JWT");
    let thumb: Vec<u8> = (0..thumb_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&thumb_hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(header["x5t#S256"], URL_SAFE_NO_PAD.encode(thumb));
    assert_eq!(
        claims["aud"],
        format!("{}/{TENANT}/oauth2/v2.0/token", server.base())
    );
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    assert!(uuid::Uuid::parse_str(claims["jti"].as_str().unwrap()).is_ok());
    let (nbf, iat, exp) = (
        claims["nbf"].as_i64().unwrap(),
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - nbf, 600);
    assert_eq!(iat, nbf);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - nbf).abs() < 60);

    // Verified with the public key of the certificate's pair, independently of the signer.
    let verifier = UnparsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, cert.public_key_der());
    let signed = format!("{}.{}", parts[0], parts[1]);
    let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    verifier
        .verify(signed.as_bytes(), &sig)
        .expect("signature verifies");
    // And the check can fail: a tampered claim set does not verify.
    let tampered = format!(
        "{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(b"{\"aud\":\"x\"}")
    );
    assert!(verifier.verify(tampered.as_bytes(), &sig).is_err());
}

// ---------------------------------------------------------------- device code

fn device_start() -> Value {
    json!({"device_code": "DEV-123", "user_code": "ABCD-EFGH", "verification_uri": "https://microsoft.com/devicelogin",
           "expires_in": 100, "interval": 1, "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate."})
}

fn oauth_error(code: &str) -> Response {
    json_response(
        400,
        json!({"error": code, "error_description": format!("AADSTS00000: {code}"), "error_codes": [0]}),
    )
}

const UNIT: Duration = Duration::from_millis(20);

fn device_auth(server: &Server, cache: Option<std::path::PathBuf>) -> Authenticator {
    let mut cfg = auth_config(server, Credential::DeviceCode);
    cfg.cache_path = cache;
    Authenticator::new(cfg, reqwest::Client::new()).with_poll_unit(UNIT)
}

#[tokio::test]
async fn device_code_pending_then_slow_down_then_success_then_refresh() {
    let tokens: TokenScript = Arc::new(|form, n| {
        match (form.get("grant_type").map(String::as_str), n) {
            (Some("urn:ietf:params:oauth:grant-type:device_code"), 1) => {
                oauth_error("authorization_pending")
            }
            (Some("urn:ietf:params:oauth:grant-type:device_code"), 2) => oauth_error("slow_down"),
            (Some("urn:ietf:params:oauth:grant-type:device_code"), _) => json_response(
                200,
                json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "user-at-1", "refresh_token": "rt-1", "scope": "x"}),
            ),
            (Some("refresh_token"), _) => json_response(
                200,
                json!({"token_type": "Bearer", "expires_in": 3599, "access_token": format!("user-at-{n}"), "refresh_token": format!("rt-{n}")}),
            ),
            _ => oauth_error("unsupported_grant_type"),
        }
    });
    let server = start(
        graph(|_, _| json_response(200, json!({}))),
        tokens,
        device_start(),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("tokens.json");
    let auth = device_auth(&server, Some(cache.clone()));

    let mut prompted: Option<DevicePrompt> = None;
    auth.device_code_login(|p| prompted = Some(p.clone()))
        .await
        .unwrap();
    let p = prompted.expect("prompt shown");
    assert_eq!(
        (
            p.user_code.as_str(),
            p.verification_uri.as_str(),
            p.interval,
            p.expires_in
        ),
        ("ABCD-EFGH", "https://microsoft.com/devicelogin", 1, 100)
    );
    assert!(p.message.contains("ABCD-EFGH"));

    let all = server.token_forms.lock().unwrap().clone();
    let (dc_path, dc_form, _) = &all[0];
    assert!(dc_path.ends_with("/devicecode"));
    assert_eq!(dc_form["client_id"], CLIENT_ID);
    assert!(
        dc_form["scope"].split(' ').any(|s| s == "offline_access"),
        "{}",
        dc_form["scope"]
    );
    let polls: Vec<_> = all
        .iter()
        .filter(|(p, _, _)| p.ends_with("/token"))
        .collect();
    assert_eq!(polls.len(), 3);
    for (_, f, _) in &polls {
        assert_eq!(f["device_code"], "DEV-123");
        assert!(!f.contains_key("client_secret"));
    }
    let gap_after_pending = polls[1].2.duration_since(polls[0].2);
    let gap_after_slow_down = polls[2].2.duration_since(polls[1].2);
    assert!(gap_after_pending >= UNIT, "{gap_after_pending:?}");
    assert!(
        gap_after_slow_down >= UNIT * 6,
        "slow_down must add 5 intervals: {gap_after_slow_down:?}"
    );

    assert_eq!(auth.token().await.unwrap().expose_secret(), "user-at-1");
    assert_eq!(
        server.token_hits(),
        3,
        "token() used the device-code result"
    );

    // After a 401 the refresh token (not a secret) renews the access token.
    auth.invalidate().await;
    assert_eq!(auth.token().await.unwrap().expose_secret(), "user-at-4");
    let forms = server.token_forms();
    let refresh = forms.last().unwrap();
    assert_eq!(refresh["grant_type"], "refresh_token");
    assert_eq!(refresh["refresh_token"], "rt-1");
    assert!(!refresh.contains_key("client_secret") && !refresh.contains_key("client_assertion"));

    // A new process reuses the cached access token, then the cached refresh token.
    let later = device_auth(&server, Some(cache.clone()));
    assert_eq!(later.token().await.unwrap().expose_secret(), "user-at-4");
    assert_eq!(server.token_hits(), 4);
    auth.invalidate().await;
    let cached: Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_eq!(cached["refresh_token"], "rt-4");
    assert!(
        cached["access_token"].is_null(),
        "invalidate() clears the cached access token"
    );
    let third = device_auth(&server, Some(cache));
    assert_eq!(third.token().await.unwrap().expose_secret(), "user-at-5");
    assert_eq!(
        server.token_forms().last().unwrap()["refresh_token"],
        "rt-4"
    );
}

#[tokio::test]
async fn device_code_declined_and_expired_stop_with_clear_errors() {
    for (code, needle) in [
        ("authorization_declined", "declined"),
        ("expired_token", "expired"),
        ("bad_verification_code", "not recognised"),
    ] {
        let code_owned = code.to_string();
        let tokens: TokenScript = Arc::new(move |_, n| {
            if n == 1 {
                oauth_error("authorization_pending")
            } else {
                oauth_error(&code_owned)
            }
        });
        let server = start(
            graph(|_, _| json_response(200, json!({}))),
            tokens,
            device_start(),
        )
        .await;
        let auth = device_auth(&server, None);
        let e = auth.device_code_login(|_| {}).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(e.code, code);
        assert!(e.message.contains(needle), "{code}: {}", e.message);
        assert_eq!(server.token_hits(), 2, "{code}: polling stops");
        assert!(auth.token().await.is_err(), "not signed in after {code}");
    }
}

#[tokio::test]
async fn device_code_on_confidential_app_explains_public_client_flows() {
    let tokens: TokenScript = Arc::new(|_, _| {
        json_response(
            401,
            json!({"error": "invalid_client",
            "error_description": "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            "error_codes": [7000218]}),
        )
    });
    let server = start(
        graph(|_, _| json_response(200, json!({}))),
        tokens,
        device_start(),
    )
    .await;
    let auth = device_auth(&server, None);
    let e = auth.device_code_login(|_| {}).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(
        e.message.contains("Allow public client flows"),
        "{}",
        e.message
    );
    assert_eq!(server.token_hits(), 1);
}

#[tokio::test]
async fn device_code_without_login_is_an_auth_error() {
    let server = start_graph(graph(|_, _| json_response(200, json!({})))).await;
    let c = Client::new(client_config(&server), Arc::new(device_auth(&server, None))).unwrap();
    let e = c.get_json("/v1.0/me").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert!(server.seen().is_empty() && server.token_hits() == 0);
}
