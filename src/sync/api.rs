//! The narrow view of Microsoft Graph the sync engine and the export need, so they can run
//! against the real [`crate::graph::client::Client`] or an in-memory fake.

use crate::graph::error::{ErrorKind, GraphError};
use crate::graph::model::Timestamp;
use serde_json::Value;
use serde_json::value::RawValue;
use std::future::Future;

/// JSON requests to Graph. Implementations handle auth, throttling, retries and the budget;
/// an `Err` here is final for this attempt.
pub trait GraphApi: Send + Sync + 'static {
    /// GET a relative path (`/v1.0/security/incidents?...`, joined to the base URL) or an
    /// absolute `@odata.nextLink`, requested verbatim.
    fn get_json(&self, path_or_url: &str)
    -> impl Future<Output = Result<Value, GraphError>> + Send;
    /// GET like [`GraphApi::get_json`], the body kept exactly as received (what the export
    /// writes). The default re-serialises `get_json`'s value, for fakes that hold values.
    fn get_raw(
        &self,
        path_or_url: &str,
    ) -> impl Future<Output = Result<Box<RawValue>, GraphError>> + Send {
        let value = self.get_json(path_or_url);
        async move {
            let value = value.await?;
            serde_json::value::to_raw_value(&value)
                .map_err(|e| local_error(ErrorKind::Decode, "BadBody", e.to_string()))
        }
    }
    /// PATCH a relative path with a JSON body; returns the response body.
    fn patch_json(
        &self,
        path: &str,
        body: &Value,
    ) -> impl Future<Output = Result<Value, GraphError>> + Send;
    /// POST a relative path with a JSON body; returns the response body.
    fn post_json(
        &self,
        path: &str,
        body: &Value,
    ) -> impl Future<Output = Result<Value, GraphError>> + Send;
    /// POST once, allowed to run for `limit`, never retried (advanced hunting). The default
    /// is `post_json`, for fakes.
    fn post_json_once(
        &self,
        path: &str,
        body: &Value,
        limit: std::time::Duration,
    ) -> impl Future<Output = Result<Value, GraphError>> + Send {
        let _ = limit;
        self.post_json(path, body)
    }
    /// Requests sent so far (every attempt counts).
    fn requests(&self) -> u64;
    /// When the client is waiting out a throttle, until when (optional hook).
    fn throttled_until(&self) -> Option<Timestamp> {
        None
    }
}

/// True when the request did not get a usable answer because of the network (the engine goes
/// offline and retries later).
pub fn is_network(e: &GraphError) -> bool {
    matches!(
        e.kind,
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::UnknownOutcome
    )
}

/// True for an HTTP 5xx (after the client's own retries).
pub fn is_server_error(e: &GraphError) -> bool {
    e.status.is_some_and(|s| s >= 500)
}

/// True for a 4xx other than 408/429: the service looked at the request and refused it.
pub fn is_rejection(e: &GraphError) -> bool {
    e.status
        .is_some_and(|s| (400..500).contains(&s) && s != 408 && s != 429)
}

/// A write that failed this way may be sent again later (it stays in the outbox).
pub fn is_retryable_write(e: &GraphError) -> bool {
    match e.kind {
        ErrorKind::Network
        | ErrorKind::Timeout
        | ErrorKind::UnknownOutcome
        | ErrorKind::Throttled
        | ErrorKind::Budget
        | ErrorKind::Auth
        | ErrorKind::Decode => true,
        _ => e.status.is_some_and(|s| s >= 500 || s == 429 || s == 408),
    }
}

/// A local error in the [`GraphError`] shape (bad response envelope and the like).
pub(crate) fn local_error(kind: ErrorKind, code: &str, message: impl Into<String>) -> GraphError {
    GraphError {
        kind,
        status: None,
        code: code.to_string(),
        message: message.into(),
        request_id: None,
        date: None,
    }
}

impl GraphApi for crate::graph::client::Client {
    fn get_json(
        &self,
        path_or_url: &str,
    ) -> impl Future<Output = Result<Value, GraphError>> + Send {
        crate::graph::client::Client::get_json(self, path_or_url)
    }

    fn get_raw(
        &self,
        path_or_url: &str,
    ) -> impl Future<Output = Result<Box<RawValue>, GraphError>> + Send {
        crate::graph::client::Client::get_raw(self, path_or_url)
    }

    fn patch_json(
        &self,
        path: &str,
        body: &Value,
    ) -> impl Future<Output = Result<Value, GraphError>> + Send {
        crate::graph::client::Client::patch_json(self, path, body)
    }

    fn post_json(
        &self,
        path: &str,
        body: &Value,
    ) -> impl Future<Output = Result<Value, GraphError>> + Send {
        crate::graph::client::Client::post_json(self, path, body)
    }

    fn post_json_once(
        &self,
        path: &str,
        body: &Value,
        limit: std::time::Duration,
    ) -> impl Future<Output = Result<Value, GraphError>> + Send {
        crate::graph::client::Client::post_json_once(self, path, body, limit)
    }

    fn requests(&self) -> u64 {
        self.stats().requests
    }

    fn throttled_until(&self) -> Option<Timestamp> {
        crate::graph::client::Client::throttled_until(self).map(Timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(kind: ErrorKind, status: Option<u16>) -> GraphError {
        GraphError {
            status,
            ..local_error(kind, "x", "y")
        }
    }

    #[test]
    fn classifies_errors() {
        assert!(is_network(&err(ErrorKind::Timeout, None)));
        assert!(!is_network(&err(ErrorKind::Http, Some(500))));
        assert!(is_server_error(&err(ErrorKind::Http, Some(503))));
        assert!(is_rejection(&err(ErrorKind::Http, Some(400))));
        assert!(!is_rejection(&err(ErrorKind::Throttled, Some(429))));
        assert!(is_retryable_write(&err(ErrorKind::Http, Some(502))));
        assert!(!is_retryable_write(&err(ErrorKind::Http, Some(400))));
        assert!(!is_retryable_write(&err(ErrorKind::Forbidden, Some(403))));
    }
}
