//! The Graph HTTP client: auth headers, retries, throttling, request budget, statistics.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::Method;
use reqwest::header::ACCEPT;
use secrecy::ExposeSecret as _;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::sync::broadcast;
use url::Url;

use super::auth::{Authenticator, read_limited};
use super::backoff::{backoff, retry_after};
use super::body::{self, Decode};
use super::budget::Budget;
use super::endpoint::{append_path, check_base_url, is_loopback};
use super::error::{ErrorKind, GraphError, excerpt, log_safe, parse_error_body};

/// Largest response body read (bytes); bigger bodies fail to decode.
const MAX_BODY: usize = 64 << 20;
/// A `Retry-After` longer than this is not waited out; the throttle error is returned instead.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(900);
const PREFER: &str = "include-unknown-enum-members";

/// Client settings.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// e.g. `https://graph.microsoft.com` (http only for loopback hosts).
    pub graph_url: Url,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// TCP/TLS connect timeout.
    pub connect_timeout: Duration,
    /// Retries after the first attempt (throttling, 5xx, network, truncated bodies).
    pub max_retries: u32,
    /// Client-side budget in requests per minute (0 = unlimited).
    pub budget_per_minute: u32,
    /// Cap of the exponential backoff (a server `Retry-After` is always honoured in full).
    pub max_backoff: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            graph_url: Url::parse("https://graph.microsoft.com").unwrap_or_else(|_| unreachable!()),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 5,
            budget_per_minute: 120,
            max_backoff: Duration::from_secs(60),
        }
    }
}

impl ClientConfig {
    /// Checks `graph_url` (https, or http on loopback).
    pub fn validate(&self) -> Result<(), GraphError> {
        check_base_url(&self.graph_url, "graph_url")
    }

    /// A reqwest client with vigil's settings (rustls, gzip, timeouts, user agent, no redirects);
    /// also suitable for [`Authenticator::new`].
    pub fn http_client(&self) -> Result<reqwest::Client, GraphError> {
        let mut b = reqwest::Client::builder()
            .tls_backend_rustls()
            .gzip(true)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("vigil/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none());
        if is_loopback(&self.graph_url) {
            b = b.no_proxy();
        }
        b.build().map_err(|e| {
            GraphError::new(ErrorKind::Config, format!("cannot build HTTP client: {e}"))
        })
    }
}

/// Observable client activity (for a status line or debug pane). Paths are server data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientEvent {
    /// A request is being sent (`path` includes the query).
    Request { method: String, path: String },
    /// 429/503 received; the client waits `wait` before retrying.
    Throttled { status: u16, wait: Duration },
    /// A retry is scheduled.
    Retrying {
        attempt: u32,
        wait: Duration,
        reason: String,
    },
    /// The client-side budget is empty; waiting `wait`.
    BudgetWait { wait: Duration },
}

/// Counters since the client was created (shared by clones).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent (including retries).
    pub requests: u64,
    /// Retries scheduled.
    pub retries: u64,
    /// 429/503 answers.
    pub throttled: u64,
    /// Response body bytes received.
    pub bytes_received: u64,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    bytes_received: AtomicU64,
    /// Unix milliseconds until which the last Retry-After/backoff wait runs (0 = none).
    throttled_until_ms: std::sync::atomic::AtomicI64,
}

struct Inner {
    cfg: ClientConfig,
    http: reqwest::Client,
    auth: Arc<Authenticator>,
    events: broadcast::Sender<ClientEvent>,
    budget: Budget,
    counters: Counters,
}

/// Microsoft Graph client; cheap to clone (all clones share budget, stats and events).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("graph_url", &self.inner.cfg.graph_url.as_str())
            .finish_non_exhaustive()
    }
}

/// What to do after one attempt.
enum Step<T> {
    Done(Result<T, GraphError>),
    Retry {
        wait: Duration,
        reason: String,
        err: GraphError,
    },
}

impl Client {
    /// Validates the configuration and builds the HTTP stack.
    pub fn new(cfg: ClientConfig, auth: Arc<Authenticator>) -> Result<Self, GraphError> {
        cfg.validate()?;
        let http = cfg.http_client()?;
        let (events, _) = broadcast::channel(256);
        let budget = Budget::new(cfg.budget_per_minute);
        Ok(Self {
            inner: Arc::new(Inner {
                cfg,
                http,
                auth,
                events,
                budget,
                counters: Counters::default(),
            }),
        })
    }

    /// Subscribes to [`ClientEvent`]s (lagging receivers lose old events).
    pub fn subscribe(&self) -> broadcast::Receiver<ClientEvent> {
        self.inner.events.subscribe()
    }

    /// Snapshot of the counters.
    pub fn stats(&self) -> ClientStats {
        let c = &self.inner.counters;
        ClientStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
            bytes_received: c.bytes_received.load(Ordering::Relaxed),
        }
    }

    /// When the client is waiting out a 429/503, until when (`None` once that time passed).
    pub fn throttled_until(&self) -> Option<jiff::Timestamp> {
        let ms = self
            .inner
            .counters
            .throttled_until_ms
            .load(Ordering::Relaxed);
        let t = jiff::Timestamp::from_millisecond(ms).ok()?;
        (ms > 0 && t > jiff::Timestamp::now()).then_some(t)
    }

    /// The configured Graph base URL.
    pub fn graph_url(&self) -> &Url {
        &self.inner.cfg.graph_url
    }

    /// The authenticator behind this client.
    pub fn authenticator(&self) -> &Arc<Authenticator> {
        &self.inner.auth
    }

    /// GET a relative path (`/v1.0/security/incidents?$top=50`) or an absolute URL with the same
    /// origin as `graph_url` (an `@odata.nextLink`, requested verbatim).
    pub async fn get_json(&self, path_or_url: &str) -> Result<Value, GraphError> {
        let url = self.resolve(path_or_url)?;
        self.execute(Method::GET, url, None, body::values).await
    }

    /// GET like [`Client::get_json`], the body checked to be JSON and kept exactly as received
    /// (what the export writes).
    pub async fn get_raw(&self, path_or_url: &str) -> Result<Box<RawValue>, GraphError> {
        let url = self.resolve(path_or_url)?;
        self.execute(Method::GET, url, None, body::verbatim).await
    }

    /// PATCH a relative path with a JSON body (retried like GET). An empty answer is `Value::Null`.
    pub async fn patch_json(&self, path: &str, body: &Value) -> Result<Value, GraphError> {
        let url = self.resolve(path)?;
        self.execute(Method::PATCH, url, Some(body), body::values)
            .await
    }

    /// POST a relative path with a JSON body. Not retried once it may have reached the server:
    /// a lost answer gives `ErrorKind::UnknownOutcome`. An empty answer is `Value::Null`.
    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Value, GraphError> {
        let url = self.resolve(path)?;
        self.execute(Method::POST, url, Some(body), body::values)
            .await
    }

    /// POST once, allowed to run for `limit` (instead of the client's whole-request timeout):
    /// never retried, so a throttle or a server error comes back at once with the service's
    /// message; re-authenticated once on 401. For long read-only calls (advanced hunting).
    pub async fn post_json_once(
        &self,
        path: &str,
        body: &Value,
        limit: Duration,
    ) -> Result<Value, GraphError> {
        let url = self.resolve(path)?;
        let path = url.path().to_string();
        let mut reauthenticated = false;
        loop {
            self.wait_for_budget().await;
            let token = self.inner.auth.token().await?;
            let attempt = self.attempt(
                &Method::POST,
                &url,
                &path,
                Some(body),
                &token,
                0,
                body::values,
                Some(limit + Duration::from_secs(5)),
            );
            let step = tokio::time::timeout(limit, attempt).await.map_err(|_| {
                GraphError::new(
                    ErrorKind::Timeout,
                    format!("no answer within {} s", limit.as_secs()),
                )
            })?;
            match step {
                Step::Done(Err(e)) if e.kind == ErrorKind::Unauthorized && !reauthenticated => {
                    reauthenticated = true;
                    self.inner.auth.invalidate_if_current(&token).await;
                }
                Step::Done(result) => return result,
                Step::Retry { err, .. } => return Err(err),
            }
        }
    }

    fn resolve(&self, path_or_url: &str) -> Result<Url, GraphError> {
        let base = &self.inner.cfg.graph_url;
        let lower = path_or_url
            .get(..8)
            .unwrap_or(path_or_url)
            .to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            let url = Url::parse(path_or_url).map_err(|e| {
                GraphError::new(ErrorKind::Config, format!("invalid URL from server: {e}"))
            })?;
            if url.origin() != base.origin() {
                return Err(GraphError::new(
                    ErrorKind::Config,
                    format!(
                        "refusing to send credentials to {} (not the configured Graph origin {})",
                        log_safe(&url.origin().ascii_serialization()),
                        base.origin().ascii_serialization()
                    ),
                ));
            }
            return Ok(url);
        }
        append_path(base, path_or_url)
    }

    async fn execute<T>(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        decode: Decode<T>,
    ) -> Result<T, GraphError> {
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let max = self.inner.cfg.max_retries;
        let mut retries = 0u32;
        let mut reauthenticated = false;
        loop {
            self.wait_for_budget().await;
            let token = self.inner.auth.token().await?;
            let step = self
                .attempt(&method, &url, &path, body, &token, retries, decode, None)
                .await;
            let (wait, reason, err) = match step {
                Step::Done(Err(e)) if e.kind == ErrorKind::Unauthorized && !reauthenticated => {
                    reauthenticated = true;
                    tracing::debug!(path = %log_safe(&path), "401: re-acquiring the token once");
                    self.inner.auth.invalidate_if_current(&token).await;
                    continue;
                }
                Step::Done(result) => return result,
                Step::Retry { wait, reason, err } => (wait, reason, err),
            };
            if retries >= max || wait > MAX_RETRY_AFTER {
                return Err(err);
            }
            retries += 1;
            self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
            self.emit(ClientEvent::Retrying {
                attempt: retries,
                wait,
                reason: reason.clone(),
            });
            tracing::debug!(method = %method, path = %log_safe(&path), attempt = retries, wait_ms = wait.as_millis() as u64, reason = %reason, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    async fn wait_for_budget(&self) {
        let wait = self.inner.budget.reserve();
        if !wait.is_zero() {
            self.emit(ClientEvent::BudgetWait { wait });
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP exchange, classified.
    #[allow(clippy::too_many_arguments)]
    async fn attempt<T>(
        &self,
        method: &Method,
        url: &Url,
        path: &str,
        body: Option<&Value>,
        token: &secrecy::SecretString,
        retries: u32,
        decode: Decode<T>,
        timeout: Option<Duration>,
    ) -> Step<T> {
        let idempotent = *method != Method::POST;
        let cap = self.inner.cfg.max_backoff;
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut req = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(token.expose_secret())
            .header("Prefer", PREFER)
            .header(ACCEPT, "application/json")
            .header("client-request-id", client_request_id.as_str());
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(t) = timeout {
            req = req.timeout(t);
        }
        self.emit(ClientEvent::Request {
            method: method.to_string(),
            path: path.to_string(),
        });
        self.inner.counters.requests.fetch_add(1, Ordering::Relaxed);

        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return self.transport_failure(&e, idempotent, retries, path),
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = match read_limited(resp, MAX_BODY + 1).await {
            Ok(b) => b,
            Err(e) => return self.transport_failure(&e, idempotent, retries, path),
        };
        self.inner
            .counters
            .bytes_received
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let request_id = headers
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        tracing::debug!(method = %method, path = %log_safe(path), status, request_id = %log_safe(request_id), client_request_id = %client_request_id, "graph response");

        if (200..300).contains(&status) {
            return match decode(&bytes) {
                Ok(v) if bytes.len() <= MAX_BODY => Step::Done(Ok(v)),
                other => {
                    let why = match other {
                        Err(e) => e,
                        Ok(_) => format!("body larger than {MAX_BODY} bytes"),
                    };
                    let mut err = GraphError::new(
                        ErrorKind::Decode,
                        format!(
                            "invalid JSON from Graph ({why}): {}",
                            excerpt(
                                &String::from_utf8_lossy(&bytes[..bytes.len().min(400)]),
                                120
                            )
                        ),
                    )
                    .with_status(status);
                    err.request_id = (!request_id.is_empty()).then(|| request_id.to_string());
                    if *method == Method::GET {
                        Step::Retry {
                            wait: backoff(retries, cap),
                            reason: "malformed response body".into(),
                            err,
                        }
                    } else {
                        Step::Done(Err(err))
                    }
                }
            };
        }

        let err = parse_error_body(status, &headers, &bytes);
        tracing::debug!(status, code = %log_safe(&err.code), message = %log_safe(&err.message), "graph error");
        match status {
            429 | 503 => {
                self.inner
                    .counters
                    .throttled
                    .fetch_add(1, Ordering::Relaxed);
                let wait = retry_after(&headers).unwrap_or_else(|| backoff(retries, cap));
                let until = jiff::Timestamp::now().as_millisecond()
                    + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
                self.inner
                    .counters
                    .throttled_until_ms
                    .store(until, Ordering::Relaxed);
                self.emit(ClientEvent::Throttled { status, wait });
                Step::Retry {
                    wait,
                    reason: format!("HTTP {status}"),
                    err,
                }
            }
            500 | 502 | 504 if idempotent => Step::Retry {
                wait: backoff(retries, cap),
                reason: format!("HTTP {status}"),
                err,
            },
            502 | 504 => {
                let mut err = err;
                err.kind = ErrorKind::UnknownOutcome;
                err.message = format!(
                    "the server may or may not have applied this change: {}",
                    err.message
                );
                Step::Done(Err(err))
            }
            _ => Step::Done(Err(err)),
        }
    }

    /// No (complete) answer: connect failures are always retryable; after sending, only
    /// idempotent requests are retried and a POST becomes `UnknownOutcome`.
    fn transport_failure<T>(
        &self,
        e: &reqwest::Error,
        idempotent: bool,
        retries: u32,
        path: &str,
    ) -> Step<T> {
        let cap = self.inner.cfg.max_backoff;
        tracing::debug!(path = %log_safe(path), error = %log_safe(&e.to_string()), "graph request failed");
        if e.is_connect() {
            let err = GraphError::new(ErrorKind::Network, format!("cannot connect to Graph: {e}"));
            return Step::Retry {
                wait: backoff(retries, cap),
                reason: "connection failed".into(),
                err,
            };
        }
        let kind = if e.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Network
        };
        if !idempotent {
            let what = if kind == ErrorKind::Timeout {
                "timed out"
            } else {
                "lost its connection"
            };
            return Step::Done(Err(GraphError::new(
                ErrorKind::UnknownOutcome,
                format!(
                    "the request {what} after it was sent; it may or may not have been applied: {e}"
                ),
            )));
        }
        let reason = if kind == ErrorKind::Timeout {
            "timeout"
        } else {
            "connection error"
        };
        Step::Retry {
            wait: backoff(retries, cap),
            reason: reason.into(),
            err: GraphError::new(kind, e.to_string()),
        }
    }

    fn emit(&self, ev: ClientEvent) {
        let _ = self.inner.events.send(ev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_values() {
        let c = ClientConfig::default();
        assert_eq!(c.timeout, Duration::from_secs(30));
        assert_eq!(c.connect_timeout, Duration::from_secs(10));
        assert_eq!(c.max_retries, 5);
        assert_eq!(c.budget_per_minute, 120);
        assert_eq!(c.max_backoff, Duration::from_secs(60));
        assert!(c.validate().is_ok());
    }

    #[test]
    fn shareable_across_tasks() {
        fn is<T: Send + Sync + 'static>() {}
        is::<Client>();
        is::<Authenticator>();
    }
}
