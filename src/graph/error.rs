//! Graph errors (CONTRACT PLACEHOLDER: the graph branch replaces this file with the full
//! implementation; the fields and variants below are fixed).

/// What went wrong, coarsely, so callers can decide to retry, re-auth, or give up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Http,
    Throttled,
    Unauthorized,
    Forbidden,
    NotFound,
    Network,
    Timeout,
    /// A non-idempotent request (POST) may or may not have been applied.
    UnknownOutcome,
    Decode,
    Budget,
    Auth,
    Config,
}

/// An error from Graph or from getting there, with the service's request-id when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphError {
    pub kind: ErrorKind,
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    pub date: Option<String>,
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(s) => write!(f, "HTTP {s} {}: {}", self.code, self.message)?,
            None => write!(f, "{}: {}", self.code, self.message)?,
        }
        if let Some(r) = &self.request_id {
            write!(f, " (request-id {r})")?;
        }
        Ok(())
    }
}

impl std::error::Error for GraphError {}
