//! The filter language: free text plus `key:value` terms (`sev:high status:active owner:me
//! owner:none tag:"Defender Experts" source:office365 class:tp age:<24h experts:yes`).
//!
//! API CONTRACT (bodies are being implemented; signatures are fixed).

#![allow(unused_variables)]

/// A parse error with the byte offset of the offending term, shown inline under the filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at {}: {}", self.offset + 1, self.message)
    }
}

/// A parsed query. `Query::default()` matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    // private fields: implementation detail
}

impl Query {
    /// Parses the filter text.
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        todo!()
    }

    /// The portal's default queue: status active or in progress (and awaiting action),
    /// severity high, medium or low.
    pub fn portal_default() -> Query {
        todo!()
    }

    /// This query AND another (a saved view narrowed by a typed filter).
    pub fn and(self, other: Query) -> Query {
        todo!()
    }
}
