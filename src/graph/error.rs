//! The one error type of the Graph layer and a lenient parser for Graph error bodies.
//!
//! Server-provided text (codes, messages) is kept verbatim here; the UI sanitises it
//! before display, and [`log_safe`] strips control characters before anything reaches logs.

use std::fmt;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// Longest server message kept in a [`GraphError`] (characters).
const MAX_MESSAGE_CHARS: usize = 2000;

/// Broad class of a Graph failure, for callers that branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Any other non-success HTTP status.
    Http,
    /// 429 (or throttling retries exhausted).
    Throttled,
    /// 401 after one re-authentication.
    Unauthorized,
    /// 403: missing permission, role or licence.
    Forbidden,
    /// 404.
    NotFound,
    /// Connection failed or dropped.
    Network,
    /// The request timed out (safe cases only; see `UnknownOutcome`).
    Timeout,
    /// A non-idempotent request was sent but no answer arrived: it may or may not have applied.
    UnknownOutcome,
    /// A success body could not be decoded.
    Decode,
    /// The client-side request budget refused the request.
    Budget,
    /// Token acquisition failed (Entra ID error, AADSTS code in the message).
    Auth,
    /// Invalid configuration (bad URL, plain http to a remote host, foreign nextLink).
    Config,
}

impl ErrorKind {
    /// Kind implied by an HTTP status code.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            429 => Self::Throttled,
            _ => Self::Http,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Http => "HTTP error",
            Self::Throttled => "throttled",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not found",
            Self::Network => "network error",
            Self::Timeout => "timeout",
            Self::UnknownOutcome => "unknown outcome",
            Self::Decode => "decode error",
            Self::Budget => "request budget",
            Self::Auth => "authentication failed",
            Self::Config => "configuration error",
        }
    }
}

/// A failed Graph (or token endpoint) call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    /// Broad class.
    pub kind: ErrorKind,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// Graph `error.code` (PascalCase or camelCase; compare with [`GraphError::code_is`]).
    pub code: String,
    /// Human text (server text kept verbatim, unsanitised).
    pub message: String,
    /// `request-id` from the body's `innerError` or the response headers.
    pub request_id: Option<String>,
    /// `innerError.date` as sent (often without a time zone) or the `Date` header.
    pub date: Option<String>,
}

impl GraphError {
    /// An error with no HTTP response behind it.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            status: None,
            code: String::new(),
            message: message.into(),
            request_id: None,
            date: None,
        }
    }

    /// Sets `code` (builder style).
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = code.into();
        self
    }

    /// Sets `status` (builder style).
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Case-insensitive comparison of `code` (`TooManyRequests` == `tooManyRequests`).
    pub fn code_is(&self, code: &str) -> bool {
        self.code.eq_ignore_ascii_case(code)
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "HTTP {status}")?,
            None => f.write_str(self.kind.label())?,
        }
        if !self.code.is_empty() {
            write!(f, " {}", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request-id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for GraphError {}

/// Parses a non-success Graph response into a [`GraphError`]. Never panics.
///
/// Accepts `{"error":{"code","message","innerError"|"innererror":{...}}}` (nested inner errors,
/// any code casing, zone-less dates), OAuth-style `{"error":"x","error_description":"y"}`,
/// HTML pages and empty bodies. Falls back to the `request-id` / `client-request-id` headers.
pub fn parse_error_body(status: u16, headers: &HeaderMap, body: &[u8]) -> GraphError {
    let mut err =
        GraphError::new(ErrorKind::from_status(status), String::new()).with_status(status);
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => fill_from_json(&mut err, &json),
        Err(_) => err.message = text_excerpt(body),
    }
    if err.code.is_empty() {
        err.code = reason_code(status);
    }
    if err.message.is_empty() {
        err.message = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no error details")
            .to_string();
    }
    if err.request_id.is_none() {
        err.request_id =
            header_str(headers, "request-id").or_else(|| header_str(headers, "client-request-id"));
    }
    if err.date.is_none() {
        err.date = header_str(headers, "date");
    }
    err
}

fn fill_from_json(err: &mut GraphError, json: &Value) {
    let Some(error) = get_ci(json, "error") else {
        // Some gateways answer with a bare {"code","message"} object.
        err.code = str_field(json, "code").unwrap_or_default();
        err.message = str_field(json, "message").map(truncate).unwrap_or_default();
        return;
    };
    match error {
        Value::String(code) => {
            // OAuth / Entra style.
            err.code = code.clone();
            err.message = str_field(json, "error_description")
                .map(truncate)
                .unwrap_or_default();
            err.request_id = str_field(json, "trace_id");
            err.date = str_field(json, "timestamp");
        }
        Value::Object(_) => {
            err.code = str_field(error, "code").unwrap_or_default();
            err.message = str_field(error, "message")
                .map(truncate)
                .unwrap_or_default();
            let mut inner = get_ci(error, "innerError");
            for _ in 0..8 {
                let Some(cur) = inner else { break };
                if err.request_id.is_none() {
                    err.request_id =
                        str_field(cur, "request-id").or_else(|| str_field(cur, "requestId"));
                }
                if err.date.is_none() {
                    err.date = str_field(cur, "date");
                }
                inner = get_ci(cur, "innerError");
            }
        }
        _ => {}
    }
}

/// Object member lookup, exact name first, then case-insensitive.
fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let obj = v.as_object()?;
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// String member (numbers are stringified; other types ignored).
fn str_field(v: &Value, key: &str) -> Option<String> {
    match get_ci(v, key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `BadGateway` style code from the status reason phrase.
fn reason_code(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| r.chars().filter(|c| c.is_ascii_alphanumeric()).collect())
        .unwrap_or_default()
}

/// A short, single-line excerpt of a non-JSON body (the `<title>` of an HTML page if any).
fn text_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with('<') {
        if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>"))
            && let Some(title) = text.get(start + "<title>".len()..end)
            && !title.trim().is_empty()
        {
            return truncate(collapse_ws(title.trim()));
        }
        return "non-JSON (HTML) error body".to_string();
    }
    excerpt(text, 200)
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(s: String) -> String {
    if s.chars().count() <= MAX_MESSAGE_CHARS {
        s
    } else {
        let mut t: String = s.chars().take(MAX_MESSAGE_CHARS).collect();
        t.push('…');
        t
    }
}

/// First `max` characters of `s` on one line, with `…` when cut.
pub(crate) fn excerpt(s: &str, max: usize) -> String {
    let one_line = collapse_ws(s);
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut t: String = one_line.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Removes control characters (C0, DEL, C1) and bidi overrides so server text is safe in logs.
pub fn log_safe(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !c.is_control() && !matches!(*c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .take(MAX_MESSAGE_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn graph_sample_429_body() {
        let body = br#"{"error":{"code":"TooManyRequests","innerError":{"code":"429","date":"2020-08-18T12:51:51","message":"Please retry after","request-id":"94fb3b52-452a-4535-a601-69e0a90e3aa2","status":"429"},"message":"Please retry again later."}}"#;
        let e = parse_error_body(429, &HeaderMap::new(), body);
        assert_eq!(e.kind, ErrorKind::Throttled);
        assert_eq!(e.code, "TooManyRequests");
        assert!(e.code_is("tooManyRequests"));
        assert_eq!(e.message, "Please retry again later.");
        assert_eq!(
            e.request_id.as_deref(),
            Some("94fb3b52-452a-4535-a601-69e0a90e3aa2")
        );
        assert_eq!(e.date.as_deref(), Some("2020-08-18T12:51:51"));
        assert_eq!(
            e.to_string(),
            "HTTP 429 TooManyRequests: Please retry again later. (request-id 94fb3b52-452a-4535-a601-69e0a90e3aa2)"
        );
    }

    #[test]
    fn lowercase_innererror_and_nested() {
        let body = br#"{"error":{"code":"badRequest","message":"m","innererror":{"innerError":{"request-id":"deep","date":"2023-01-20T11:29:01"}}}}"#;
        let e = parse_error_body(400, &HeaderMap::new(), body);
        assert_eq!(e.request_id.as_deref(), Some("deep"));
        assert_eq!(e.date.as_deref(), Some("2023-01-20T11:29:01"));
        assert_eq!(e.kind, ErrorKind::Http);
    }

    #[test]
    fn oauth_style_body() {
        let body = br#"{"error":"invalid_scope","error_description":"AADSTS70011: bad scope","error_codes":[70011],"trace_id":"t1"}"#;
        let e = parse_error_body(400, &HeaderMap::new(), body);
        assert_eq!(e.code, "invalid_scope");
        assert_eq!(e.message, "AADSTS70011: bad scope");
        assert_eq!(e.request_id.as_deref(), Some("t1"));
    }

    #[test]
    fn html_body_uses_title_and_header_request_id() {
        let body = b"<!DOCTYPE html><html><head><title>502 Bad\n Gateway</title></head><body>x</body></html>";
        let e = parse_error_body(502, &headers(&[("request-id", "hdr-id")]), body);
        assert_eq!(e.message, "502 Bad Gateway");
        assert_eq!(e.code, "BadGateway");
        assert_eq!(e.request_id.as_deref(), Some("hdr-id"));
    }

    #[test]
    fn empty_body_falls_back_to_reason_and_client_request_id() {
        let e = parse_error_body(503, &headers(&[("client-request-id", "cid")]), b"");
        assert_eq!(e.message, "Service Unavailable");
        assert_eq!(e.code, "ServiceUnavailable");
        assert_eq!(e.request_id.as_deref(), Some("cid"));
    }

    #[test]
    fn odd_shapes_never_panic() {
        for body in [
            &b"null"[..],
            b"[]",
            b"{\"error\":null}",
            b"{\"error\":{\"code\":5,\"message\":[1]}}",
            b"\xff\xfe\x00garbage",
            b"<html><title>",
            b"<html></title><title>",
        ] {
            let e = parse_error_body(500, &HeaderMap::new(), body);
            assert_eq!(e.status, Some(500));
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn log_safe_strips_controls() {
        assert_eq!(log_safe("a\x1b[31mb\nc\u{202E}d\u{85}"), "a[31mbcd");
    }

    #[test]
    fn display_without_status() {
        let e = GraphError::new(ErrorKind::Network, "connection refused");
        assert_eq!(e.to_string(), "network error: connection refused");
    }
}
