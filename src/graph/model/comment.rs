//! `microsoft.graph.security.alertComment`: a comment on an incident or alert.

use super::lenient::null_string;
use super::time::{Timestamp, lenient_opt};
use serde::{Deserialize, Serialize};

/// A comment on an incident or alert (`alertComment`). Accepts the legacy
/// `createdBy`/`createdTime` names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// The comment text (untrusted).
    #[serde(default, deserialize_with = "null_string")]
    pub comment: String,
    /// Author as the service reports it.
    #[serde(default, alias = "createdBy")]
    pub created_by_display_name: Option<String>,
    /// When it was written.
    #[serde(default, alias = "createdTime", deserialize_with = "lenient_opt")]
    pub created_date_time: Option<Timestamp>,
}
