//! Incident listing shared by the engine and the export: builds the query, follows
//! `@odata.nextLink` verbatim, and walks the `$expand=alerts` fallback ladder (big tenants
//! answer 500 to `$expand=alerts`): a 5xx on an expanded page retries the same position with a
//! smaller `$top`, and a second 5xx drops `$expand` (alerts are then loaded per incident).

use super::api::{GraphApi, is_server_error, local_error};
use super::messages::AlertsMode;
use crate::graph::error::{ErrorKind, GraphError};
use crate::graph::model::{
    Alert, BadRecord, Incident, IncidentStatus, RecordHead, Severity, Timestamp, parse_records,
    record_id, split_page, split_verbatim_page,
};
use crate::graph::resources::{self, encode};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::HashSet;
use std::future::Future;

/// What to list: `$filter` clauses (joined with `and`) and page sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct ListQuery {
    /// OData filter clauses, unencoded (e.g. `lastUpdateDateTime ge 2026-…Z`).
    pub filters: Vec<String>,
    /// `$top` in the normal and the expanded mode.
    pub page_size: u32,
    /// `$top` after an expanded page failed with a 5xx.
    pub small_page_size: u32,
}

impl ListQuery {
    /// The first URL of the listing in `mode`.
    pub fn url(&self, mode: AlertsMode) -> String {
        let mut url = format!("{}?", resources::INCIDENTS);
        let mut params = Vec::new();
        if !self.filters.is_empty() {
            params.push(format!("$filter={}", encode(&self.filters.join(" and "))));
        }
        if mode != AlertsMode::Lazy {
            params.push("$expand=alerts".to_string());
        }
        params.push(format!("$top={}", self.top(mode)));
        url.push_str(&params.join("&"));
        url
    }

    fn top(&self, mode: AlertsMode) -> u32 {
        match mode {
            AlertsMode::SmallPages => self.small_page_size.max(1),
            _ => self.page_size.max(1),
        }
    }
}

/// Filter clauses on documented properties: `{since_field} ge {since}`, any of `statuses`,
/// any of `severities` (values normalised to schema names).
pub fn filter_clauses(
    since_field: &str,
    since: Option<Timestamp>,
    statuses: &[String],
    severities: &[String],
) -> Vec<String> {
    let mut clauses = Vec::new();
    if let Some(t) = since {
        clauses.push(format!("{since_field} ge {}", t.to_graph()));
    }
    let any_of = |prop: &str, values: Vec<String>| -> Option<String> {
        let parts: Vec<String> = values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| format!("{prop} eq '{}'", v.replace('\'', "''")))
            .collect();
        match parts.len() {
            0 => None,
            1 => parts.into_iter().next(),
            _ => Some(format!("({})", parts.join(" or "))),
        }
    };
    let statuses = statuses
        .iter()
        .map(|s| IncidentStatus::parse(s).as_str().to_string())
        .collect();
    let severities = severities
        .iter()
        .map(|s| Severity::parse(s).as_str().to_string())
        .collect();
    clauses.extend(any_of("status", statuses));
    clauses.extend(any_of("severity", severities));
    clauses
}

/// One page as the lister hands it out.
#[derive(Clone, Debug, PartialEq)]
pub struct ListedPage {
    pub items: Vec<Incident>,
    pub bad: Vec<BadRecord>,
}

/// A paged walk over `/security/incidents` with the expand fallback ladder.
#[derive(Debug)]
pub struct Lister {
    query: ListQuery,
    mode: AlertsMode,
    next: Option<String>,
    first: String,
    seen: HashSet<String>,
    restarted: bool,
}

impl Lister {
    /// Starts a listing in `mode` (`Lazy` lists without `$expand`).
    pub fn new(query: ListQuery, mode: AlertsMode) -> Self {
        let first = query.url(mode);
        Lister {
            query,
            mode,
            next: Some(first.clone()),
            first,
            seen: HashSet::new(),
            restarted: false,
        }
    }

    /// The alerts mode now in use (it only moves down the ladder).
    pub fn mode(&self) -> AlertsMode {
        self.mode
    }

    /// Fetches the next page parsed into the model; `Ok(None)` when the listing is complete.
    pub async fn next_page<A: GraphApi>(
        &mut self,
        api: &A,
    ) -> Result<Option<ListedPage>, GraphError> {
        let Some(records) = self.next_records::<A, Values>(api).await? else {
            return Ok(None);
        };
        let (items, bad) = parse_records::<Incident>(records);
        Ok(Some(ListedPage { items, bad }))
    }

    /// Fetches the next page's records as the exact text received (what the export writes);
    /// `Ok(None)` when the listing is complete.
    pub async fn next_verbatim_page<A: GraphApi>(
        &mut self,
        api: &A,
    ) -> Result<Option<Vec<Box<RawValue>>>, GraphError> {
        self.next_records::<A, Verbatim>(api).await
    }

    /// The next page's records in format `F`, walking the fallback ladder on 5xx. After a
    /// restart, records already handed out are left out by id.
    async fn next_records<A: GraphApi, F: PageFormat>(
        &mut self,
        api: &A,
    ) -> Result<Option<Vec<F::Record>>, GraphError> {
        loop {
            let Some(url) = self.next.clone() else {
                return Ok(None);
            };
            match F::get(api, &url).await {
                Ok((records, next_link)) => {
                    // A link pointing at itself would loop forever.
                    self.next = next_link.filter(|n| *n != url);
                    let mut records = records;
                    if self.restarted {
                        records.retain(|r| F::id(r).is_none_or(|id| !self.seen.contains(&id)));
                    }
                    self.seen.extend(records.iter().filter_map(F::id));
                    return Ok(Some(records));
                }
                Err(e) if is_server_error(&e) && self.mode != AlertsMode::Lazy => {
                    self.mode = match self.mode {
                        AlertsMode::Expanded => AlertsMode::SmallPages,
                        _ => AlertsMode::Lazy,
                    };
                    self.next = Some(self.resume_url(&url));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The same position in the new mode: rewrite `$top`/`$expand` of a `$skip`-style link,
    /// otherwise restart the listing (de-duplicating by id).
    fn resume_url(&mut self, url: &str) -> String {
        if url == self.first {
            self.first = self.query.url(self.mode);
            return self.first.clone();
        }
        let opaque = has_param(url, "$skiptoken") || !has_param(url, "$skip");
        if opaque {
            self.restarted = true;
            self.first = self.query.url(self.mode);
            return self.first.clone();
        }
        let top = self.query.top(self.mode).to_string();
        let mut out = set_param(url, "$top", Some(&top));
        if self.mode == AlertsMode::Lazy {
            out = set_param(&out, "$expand", None);
        }
        out
    }
}

/// How a listing's pages are read: their records and `@odata.nextLink`.
trait PageFormat {
    type Record: Send;
    fn get<A: GraphApi>(
        api: &A,
        url: &str,
    ) -> impl Future<Output = Result<(Vec<Self::Record>, Option<String>), GraphError>> + Send;
    fn id(record: &Self::Record) -> Option<String>;
}

/// Records as values, to be parsed into the model.
struct Values;

impl PageFormat for Values {
    type Record = Value;

    async fn get<A: GraphApi>(
        api: &A,
        url: &str,
    ) -> Result<(Vec<Value>, Option<String>), GraphError> {
        let page = split_page(api.get_json(url).await?)
            .map_err(|e| local_error(ErrorKind::Decode, "BadPage", e))?;
        Ok((page.records, page.next_link))
    }

    fn id(record: &Value) -> Option<String> {
        record_id(record)
    }
}

/// Records as the exact text received.
struct Verbatim;

impl PageFormat for Verbatim {
    type Record = Box<RawValue>;

    async fn get<A: GraphApi>(
        api: &A,
        url: &str,
    ) -> Result<(Vec<Box<RawValue>>, Option<String>), GraphError> {
        let page = split_verbatim_page(&api.get_raw(url).await?)
            .map_err(|e| local_error(ErrorKind::Decode, "BadPage", e))?;
        Ok((page.records, page.next_link))
    }

    fn id(record: &Box<RawValue>) -> Option<String> {
        RecordHead::read(record).id
    }
}

/// Splits `url` into (before `?`, query pairs as written).
fn split_query(url: &str) -> (&str, Vec<&str>) {
    match url.split_once('?') {
        Some((base, q)) => (base, q.split('&').filter(|p| !p.is_empty()).collect()),
        None => (url, Vec::new()),
    }
}

/// The key of a `key=value` pair with `%24` decoded, for case-insensitive comparison.
fn pair_key(pair: &str) -> String {
    let key = pair.split('=').next().unwrap_or("");
    key.replace("%24", "$").to_ascii_lowercase()
}

fn has_param(url: &str, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    split_query(url).1.iter().any(|p| pair_key(p) == name)
}

/// Sets (or with `None` removes) one query parameter, keeping every other byte verbatim.
fn set_param(url: &str, name: &str, value: Option<&str>) -> String {
    let (base, pairs) = split_query(url);
    let lname = name.to_ascii_lowercase();
    let mut out: Vec<String> = Vec::with_capacity(pairs.len() + 1);
    let mut replaced = false;
    for p in pairs {
        if pair_key(p) == lname {
            if let Some(v) = value
                && !replaced
            {
                let key = p.split('=').next().unwrap_or(name);
                out.push(format!("{key}={v}"));
                replaced = true;
            }
        } else {
            out.push(p.to_string());
        }
    }
    if let (Some(v), false) = (value, replaced) {
        out.push(format!("{name}={v}"));
    }
    if out.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", out.join("&"))
    }
}

/// Reads one incident (`$expand=alerts` when `expand`; a 5xx on the expanded read retries once
/// without expansion).
pub async fn get_incident<A: GraphApi>(
    api: &A,
    id: &str,
    beta: bool,
    expand: bool,
) -> Result<Incident, GraphError> {
    let path = resources::incident(id, beta);
    let body = if expand {
        let expanded = if beta {
            format!("{path}?$expand=alerts")
        } else {
            resources::incident_with_alerts(id)
        };
        match api.get_json(&expanded).await {
            Err(e) if is_server_error(&e) => api.get_json(&path).await?,
            other => other?,
        }
    } else {
        api.get_json(&path).await?
    };
    serde_json::from_value(body)
        .map_err(|e| local_error(ErrorKind::Decode, "BadIncident", e.to_string()))
}

/// The complete alert list of one incident (lazy mode): `GET /incidents/{id}?$expand=alerts`.
pub async fn get_incident_alerts<A: GraphApi>(api: &A, id: &str) -> Result<Vec<Alert>, GraphError> {
    let body = api.get_json(&resources::incident_with_alerts(id)).await?;
    let incident: Incident = serde_json::from_value(body)
        .map_err(|e| local_error(ErrorKind::Decode, "BadIncident", e.to_string()))?;
    Ok(incident.alerts.unwrap_or_default())
}

/// The alerts of one incident as the exact text received: the `alerts` array of
/// `GET /incidents/{id}?$expand=alerts`. A response without that array is a `Decode` error.
pub async fn get_incident_alerts_verbatim<A: GraphApi>(
    api: &A,
    id: &str,
) -> Result<Box<RawValue>, GraphError> {
    #[derive(serde::Deserialize)]
    struct WithAlerts<'a> {
        #[serde(borrow, default)]
        alerts: Option<&'a RawValue>,
    }
    let body = api.get_raw(&resources::incident_with_alerts(id)).await?;
    let alerts = body
        .get()
        .starts_with('{')
        .then(|| serde_json::from_str::<WithAlerts>(body.get()).ok())
        .flatten()
        .and_then(|w| w.alerts)
        .filter(|a| a.get().starts_with('['));
    alerts.map(RawValue::to_owned).ok_or_else(|| {
        local_error(
            ErrorKind::Decode,
            "NoAlerts",
            "the incident came back without an alerts array",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q() -> ListQuery {
        ListQuery {
            filters: vec!["lastUpdateDateTime ge 2026-01-01T00:00:00.0000000Z".into()],
            page_size: 50,
            small_page_size: 10,
        }
    }

    #[test]
    fn builds_first_urls_per_mode() {
        assert_eq!(
            q().url(AlertsMode::Expanded),
            "/v1.0/security/incidents?$filter=lastUpdateDateTime%20ge%202026-01-01T00:00:00.0000000Z&$expand=alerts&$top=50"
        );
        assert!(
            q().url(AlertsMode::SmallPages)
                .ends_with("$expand=alerts&$top=10")
        );
        let lazy = q().url(AlertsMode::Lazy);
        assert!(!lazy.contains("$expand") && lazy.ends_with("$top=50"));
    }

    #[test]
    fn filter_clauses_normalise_and_group() {
        let c = filter_clauses(
            "createdDateTime",
            None,
            &["Active".into(), "inProgress".into()],
            &["HIGH".into()],
        );
        assert_eq!(
            c,
            vec![
                "(status eq 'active' or status eq 'inProgress')".to_string(),
                "severity eq 'high'".into()
            ]
        );
        let c = filter_clauses("x", None, &["o'neil".into()], &[]);
        assert_eq!(c, vec!["status eq 'o''neil'".to_string()]);
    }

    #[test]
    fn rewrites_top_and_expand_keeping_the_rest() {
        let u =
            "https://g/v1.0/security/incidents?$filter=a%20ge%20b&$expand=alerts&$top=50&$skip=100";
        assert_eq!(
            set_param(u, "$top", Some("10")),
            "https://g/v1.0/security/incidents?$filter=a%20ge%20b&$expand=alerts&$top=10&$skip=100"
        );
        assert_eq!(
            set_param(u, "$expand", None),
            "https://g/v1.0/security/incidents?$filter=a%20ge%20b&$top=50&$skip=100"
        );
        assert!(has_param("x?%24skip=5", "$skip"));
        assert!(!has_param("x?$skiptoken=5", "$skip"));
        assert_eq!(set_param("x", "$top", Some("3")), "x?$top=3");
    }

    #[test]
    fn resume_rewrites_skip_links_and_restarts_opaque_ones() {
        let mut l = Lister::new(q(), AlertsMode::Expanded);
        l.mode = AlertsMode::SmallPages;
        let r = l.resume_url("https://g/x?$expand=alerts&$top=50&$skip=50");
        assert_eq!(r, "https://g/x?$expand=alerts&$top=10&$skip=50");
        assert!(!l.restarted);
        l.mode = AlertsMode::Lazy;
        let r = l.resume_url("https://g/x?$expand=alerts&$top=50&$skiptoken=abc");
        assert_eq!(r, q().url(AlertsMode::Lazy));
        assert!(l.restarted);
    }
}
