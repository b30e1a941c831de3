//! Serde models for the Microsoft Graph security API: incidents, alerts, comments and evidence.
//!
//! Parsing is deliberately lenient, because Graph's payloads drift from its documentation:
//! enums keep unknown values as raw strings, timestamps accept 0–7+ fractional digits and
//! missing zones, evidence of unknown `@odata.type` keeps its common fields and raw JSON, and
//! one bad record never drops a page (see [`page::parse_page`]).

pub mod alert;
pub mod comment;
pub mod enums;
pub mod evidence;
pub mod incident;
mod lenient;
pub mod page;
pub mod time;
pub mod verbatim;

pub use alert::{Alert, AlertPatch};
pub use comment::Comment;
pub use enums::*;
pub use evidence::{Evidence, EvidenceKind};
pub use incident::{HuntingQuery, Incident, IncidentPatch};
pub use page::{BadRecord, Page, PageRecords, parse_page, parse_records, record_id, split_page};
pub use time::Timestamp;
pub use verbatim::{RecordHead, VerbatimPage, split_verbatim_page};
