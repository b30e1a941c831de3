//! Simulated advanced hunting: `POST /security/runHuntingQuery` over tables derived from the
//! simulated tenant, for a documented KQL subset (`parse.rs`), with the service's limits:
//! 30 days of data, 100,000 rows, 45 calls a minute, and the CPU-quota 429 as a fault.

mod eval;
mod parse;
mod tables;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::graph_mw::G;
use super::http::{ReqIds, bad_request, base_of, graph_error, json_response};
use super::state::lock;

/// Most rows one query returns.
pub const MAX_ROWS: usize = 100_000;
/// Calls allowed per minute (per simulator).
pub const CALLS_PER_MINUTE: usize = 45;
/// The data window, in seconds (30 days).
pub const WINDOW_SECS: i64 = 30 * 86_400;

/// The message of the CPU-quota 429 (`hunt-cpu-quota` fault).
pub const CPU_QUOTA_MESSAGE: &str = "Advanced hunting CPU quota exceeded: your organization used \
     its allocated resources for this 15-minute window. Try again later, or make the query \
     lighter (filter early, project fewer columns).";

/// Recent call instants per simulator (keyed by its address), for the per-minute limit.
static CALLS: LazyLock<Mutex<HashMap<SocketAddr, VecDeque<Instant>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Counts a call; `Err(wait)` when the minute's allowance is used.
fn admit(addr: SocketAddr, now: Instant) -> Result<(), Duration> {
    let mut all = lock(&CALLS);
    let q = all.entry(addr).or_default();
    while q
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
    {
        q.pop_front();
    }
    if q.len() >= CALLS_PER_MINUTE {
        let oldest = q.front().copied().unwrap_or(now);
        return Err(Duration::from_secs(60).saturating_sub(now.duration_since(oldest)));
    }
    q.push_back(now);
    Ok(())
}

fn too_many(message: &str, wait: Duration, ids: &ReqIds) -> Response {
    let mut r = graph_error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        message,
        ids,
    );
    let secs = wait.as_secs().max(1).to_string();
    if let Ok(v) = HeaderValue::from_str(&secs) {
        r.headers_mut().insert("Retry-After", v);
    }
    r
}

/// Seconds in an ISO 8601 duration of the forms `PnD`, `PTnH`, `PTnM`, `PTnS`, `PnDTnH`.
fn iso_duration(s: &str) -> Option<i64> {
    let rest = s.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut secs = 0i64;
    if !days.is_empty() {
        secs += days.strip_suffix('D')?.parse::<i64>().ok()? * 86_400;
    }
    let mut num = String::new();
    for c in time.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = num.parse().ok()?;
        num.clear();
        secs += n * match c {
            'H' => 3_600,
            'M' => 60,
            'S' => 1,
            _ => return None,
        };
    }
    (num.is_empty() && secs > 0).then_some(secs)
}

/// The window a request asks for: its `Timespan`, at most 30 days (the default).
fn window(body: &Map<String, Value>) -> Result<i64, String> {
    match body.get("Timespan") {
        None | Some(Value::Null) => Ok(WINDOW_SECS),
        Some(Value::String(s)) => iso_duration(s)
            .map(|w| w.min(WINDOW_SECS))
            .ok_or_else(|| format!("Timespan '{s}' is not an ISO 8601 duration such as P7D")),
        Some(_) => Err("Timespan must be a string".into()),
    }
}

/// Runs `query` over the tenant: the answer's `schema` and `results`, or the error message.
fn answer(g: &G, query: &str, window: i64) -> Result<(Value, Value), String> {
    let q = parse::parse(query).map_err(|e| format!("Query could not be parsed: {e}"))?;
    let now = jiff::Timestamp::now().as_second();
    let table = {
        let t = lock(&g.shared.tenant);
        tables::build(&q.table, &t.incidents, now - window)
    }
    .ok_or_else(|| format!("Failed to resolve table expression named '{}'", q.table))?;
    let mut out = eval::run(&q, table, now)?;
    out.rows.truncate(MAX_ROWS);
    let schema: Vec<Value> = out
        .columns
        .iter()
        .map(|(n, t)| json!({"name": n, "type": t}))
        .collect();
    let results: Vec<Value> = out
        .rows
        .into_iter()
        .map(|r| {
            let m: Map<String, Value> = out.columns.iter().map(|(n, _)| n.clone()).zip(r).collect();
            Value::Object(m)
        })
        .collect();
    Ok((Value::Array(schema), Value::Array(results)))
}

/// `POST /security/runHuntingQuery`.
pub async fn run_hunting_query(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(wait) = admit(g.shared.addr, Instant::now()) {
        return too_many(
            &format!(
                "Rate limit of {CALLS_PER_MINUTE} advanced hunting calls per minute exceeded. \
                 Try again in {} seconds.",
                wait.as_secs().max(1)
            ),
            wait,
            &ids,
        );
    }
    let quota = {
        let mut f = lock(&g.shared.faults);
        let hit = f.spec.hunt_cpu_quota > 0;
        if hit {
            f.spec.hunt_cpu_quota -= 1;
        }
        hit
    };
    if quota {
        return too_many(CPU_QUOTA_MESSAGE, Duration::from_secs(900), &ids);
    }
    let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("The request body must be a JSON object with a Query.", &ids);
    };
    let Some(query) = req.get("Query").and_then(Value::as_str) else {
        return bad_request("The request body must include a Query string.", &ids);
    };
    let window = match window(&req) {
        Ok(w) => w,
        Err(e) => return bad_request(&e, &ids),
    };
    match answer(&g, query, window) {
        Ok((schema, results)) => {
            let base = base_of(&headers, &g.shared.base_url());
            json_response(
                StatusCode::OK,
                &json!({
                    "@odata.context": format!(
                        "{base}/{}/$metadata#microsoft.graph.security.huntingQueryResults",
                        g.ver.seg()
                    ),
                    "schema": schema,
                    "results": results,
                }),
            )
        }
        Err(e) => bad_request(&e, &ids),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_den_queries_on_tables_the_simulator_has_run() {
        let now = jiff::Timestamp::now().as_second();
        let t = super::super::state::Tenant::new(7, 60, now);
        let mut ran = 0;
        for q in super::super::pools::DEN_QUERIES {
            let name = q.split_whitespace().next().unwrap_or("");
            let Some(table) = tables::build(name, &t.incidents, now - WINDOW_SECS) else {
                continue;
            };
            let q = parse::parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
            eval::run(&q, table, now).unwrap();
            ran += 1;
        }
        assert!(ran >= 2, "{ran}");
    }

    #[test]
    fn per_minute_limit_admits_45_then_names_the_wait() {
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..CALLS_PER_MINUTE {
            assert!(admit(addr, t0).is_ok());
        }
        let wait = admit(addr, t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(admit(addr, t0 + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn timespans_are_iso_durations_capped_at_30_days() {
        assert_eq!(iso_duration("P7D"), Some(7 * 86_400));
        assert_eq!(iso_duration("PT12H"), Some(12 * 3_600));
        assert_eq!(iso_duration("P1DT1H30M"), Some(86_400 + 5_400));
        assert_eq!(iso_duration("7d"), None);
        let body = |v: Value| v.as_object().cloned().unwrap();
        assert_eq!(window(&body(json!({"Timespan": "P90D"}))), Ok(WINDOW_SECS));
        assert_eq!(window(&body(json!({}))), Ok(WINDOW_SECS));
        assert!(window(&body(json!({"Timespan": "soon"}))).is_err());
    }
}
