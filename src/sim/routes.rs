//! Simulated Graph security routes: incidents, alerts_v2, incidentTasks (beta).

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::graph_mw::G;
use super::http::{
    ReqIds, bad_request, base_of, graph_error, invalid_body, json_response, not_found,
};
use super::model::{
    ALERT_STATUS, CLASSIFICATION, Comment, DETERMINATION, EnumTable, INCIDENT_STATUS, Incident,
    SERVICE_SOURCE, SEVERITY, TASK_ACTION_STATUS, TASK_ACTION_TYPE, TASK_STATUS, Task, Ts, canon,
};
use super::odata::{
    Field, Filterable, Kind, ListQuery, Schema, apply_select, next_link, parse_list,
};
use super::render::{self, Ctx};
use super::state::{Identity, lock};

const INCIDENT_PROPS: &[&str] = &[
    "id",
    "tenantId",
    "status",
    "incidentWebUrl",
    "redirectIncidentId",
    "displayName",
    "createdDateTime",
    "lastUpdateDateTime",
    "assignedTo",
    "classification",
    "determination",
    "severity",
    "customTags",
    "systemTags",
    "description",
    "lastModifiedBy",
    "resolvingComment",
    "summary",
    "priorityScore",
    "comments",
    "alerts",
    "recommendedActions",
    "recommendedHuntingQueries",
];

/// `$filter` schema of incidents: the properties Graph documents as filterable.
pub const INCIDENT_SCHEMA: Schema = Schema {
    entity: "microsoft.graph.security.incident",
    filterable: &[
        ("assignedTo", Kind::Str),
        ("classification", Kind::Enum(CLASSIFICATION)),
        ("createdDateTime", Kind::Time),
        ("determination", Kind::Enum(DETERMINATION)),
        ("lastUpdateDateTime", Kind::Time),
        ("severity", Kind::Enum(SEVERITY)),
        ("status", Kind::Enum(INCIDENT_STATUS)),
    ],
    known: INCIDENT_PROPS,
};

/// `$filter` schema of alerts_v2: the properties Graph documents as filterable.
pub const ALERT_SCHEMA: Schema = Schema {
    entity: "microsoft.graph.security.alert",
    filterable: &[
        ("assignedTo", Kind::Str),
        ("classification", Kind::Enum(CLASSIFICATION)),
        ("determination", Kind::Enum(DETERMINATION)),
        ("createdDateTime", Kind::Time),
        ("lastUpdateDateTime", Kind::Time),
        ("severity", Kind::Enum(SEVERITY)),
        ("serviceSource", Kind::Enum(SERVICE_SOURCE)),
        ("status", Kind::Enum(ALERT_STATUS)),
    ],
    known: &[
        "id",
        "title",
        "description",
        "incidentId",
        "detectionSource",
        "investigationState",
        "category",
        "mitreTechniques",
        "evidence",
        "productName",
        "providerAlertId",
        "tenantId",
        "firstActivityDateTime",
        "lastActivityDateTime",
        "resolvedDateTime",
        "systemTags",
        "comments",
        "categories",
        "productName",
        "detectorId",
        "recommendedActions",
        "actorDisplayName",
        "threatDisplayName",
        "threatFamilyName",
        "alertWebUrl",
        "incidentWebUrl",
        "alertPolicyId",
        "customDetails",
        "additionalData",
    ],
};

const TASK_SCHEMA: Schema = Schema {
    entity: "microsoft.graph.security.incidentTask",
    filterable: &[
        ("incidentId", Kind::Str),
        ("status", Kind::Enum(TASK_STATUS)),
        ("actionType", Kind::Enum(TASK_ACTION_TYPE)),
        ("actionStatus", Kind::Enum(TASK_ACTION_STATUS)),
        ("createdDateTime", Kind::Time),
        ("lastUpdateDateTime", Kind::Time),
        ("lastModifiedDateTime", Kind::Time),
    ],
    known: &[
        "id",
        "displayName",
        "description",
        "source",
        "createdByDisplayName",
        "lastModifiedByDisplayName",
        "responseAction",
        "incident",
    ],
};

impl Filterable for Incident {
    fn field(&self, p: &str) -> Field<'_> {
        match p {
            "assignedTo" => Field::Str(self.assigned_to.as_deref()),
            "classification" => Field::Str(self.classification),
            "determination" => Field::Str(self.determination),
            "severity" => Field::Str(Some(self.severity)),
            "status" => Field::Str(Some(self.status)),
            "createdDateTime" => Field::Time(self.created.t),
            _ => Field::Time(self.last_update.t),
        }
    }
}

struct AlertRef<'a>(&'a super::model::Alert);
impl Filterable for AlertRef<'_> {
    fn field(&self, p: &str) -> Field<'_> {
        let a = self.0;
        match p {
            "assignedTo" => Field::Str(a.assigned_to.as_deref()),
            "classification" => Field::Str(a.classification),
            "determination" => Field::Str(a.determination),
            "severity" => Field::Str(Some(a.severity)),
            "serviceSource" => Field::Str(Some(a.service_source)),
            "status" => Field::Str(Some(a.status)),
            "createdDateTime" => Field::Time(a.created.t),
            _ => Field::Time(a.last_update.t),
        }
    }
}

struct TaskF<'a>(String, &'a Task);
impl Filterable for TaskF<'_> {
    fn field(&self, p: &str) -> Field<'_> {
        match p {
            "incidentId" => Field::Str(Some(&self.0)),
            "status" => Field::Str(Some(self.1.status)),
            "actionType" => Field::Str(Some(self.1.action_type)),
            "actionStatus" => Field::Str(Some(self.1.action_status)),
            "createdDateTime" => Field::Time(self.1.created.t),
            _ => Field::Time(self.1.last_modified.t),
        }
    }
}

fn wants_unknown(h: &HeaderMap) -> bool {
    h.get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.to_ascii_lowercase()
                .contains("include-unknown-enum-members")
        })
}

fn ctx(g: &G, h: &HeaderMap) -> Ctx {
    let (seed, p, unknown_evidence) = {
        let mut f = lock(&g.shared.faults);
        let seed: u64 = f.rng.random();
        (seed, f.spec.unknown_enum, f.spec.unknown_evidence)
    };
    Ctx {
        base: base_of(h, &g.shared.base_url()),
        ver: g.ver,
        tenant_id: g.shared.cfg.tenant_id.clone(),
        include_unknown: wants_unknown(h),
        unknown_p: p,
        unknown_evidence,
        rng: ChaCha8Rng::seed_from_u64(seed),
        injected: 0,
    }
}

fn finish(g: &G, ctx: &Ctx) {
    if ctx.injected > 0 {
        lock(&g.shared.stats).faults_injected += ctx.injected;
    }
}

fn page_size(g: &G, q: &ListQuery) -> usize {
    let max = g.shared.cfg.max_page.max(1);
    q.top.unwrap_or(max).min(max)
}

/// Assembles a list response; applies the `bad-record` fault.
fn list_body(
    g: &G,
    ctx: &mut Ctx,
    what: &str,
    path: &str,
    q: &ListQuery,
    total: usize,
    mut items: Vec<Value>,
) -> Value {
    let top = page_size(g, q);
    if let Some(sel) = &q.select {
        for v in &mut items {
            apply_select(v, sel, q.expand.then_some("alerts"));
        }
    }
    let bad = {
        let mut f = lock(&g.shared.faults);
        let p = f.spec.bad_record;
        f.roll(p)
    };
    if bad && !items.is_empty() {
        let i = ctx.rng.random_range(0..items.len());
        render::corrupt(&mut items[i], &mut ctx.rng);
        ctx.injected += 1;
    }
    let mut m = Map::new();
    m.insert("@odata.context".into(), json!(ctx.context(what)));
    if q.count {
        m.insert("@odata.count".into(), json!(total));
    }
    let shown = items.len();
    m.insert("value".into(), Value::Array(items));
    if top > 0 && q.skip + shown < total {
        m.insert(
            "@odata.nextLink".into(),
            json!(next_link(&ctx.base, path, &q.pairs, q.skip + top)),
        );
    }
    Value::Object(m)
}

/// `GET /security/incidents`.
pub async fn list_incidents(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = match parse_list(
        raw.as_deref(),
        &INCIDENT_SCHEMA,
        Some("alerts"),
        &["lastUpdateDateTime", "createdDateTime"],
    ) {
        Ok(q) => q,
        Err(e) => return bad_request(&e, &ids),
    };
    let top = page_size(&g, &q);
    let expand_limit = lock(&g.shared.faults).spec.expand_500;
    if q.expand && expand_limit.is_some_and(|n| top > n) {
        lock(&g.shared.stats).faults_injected += 1;
        return graph_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "An internal server error occurred.",
            &ids,
        );
    }
    let mut ctx = ctx(&g, &headers);
    let (total, items) = {
        let t = lock(&g.shared.tenant);
        let mut idx: Vec<usize> = (0..t.incidents.len())
            .filter(|&i| q.filter.as_ref().is_none_or(|f| f.eval(&t.incidents[i])))
            .collect();
        let (prop, desc) = q.order.unwrap_or(("lastUpdateDateTime", true));
        let key = |i: &usize| {
            let inc = &t.incidents[*i];
            (
                if prop == "createdDateTime" {
                    inc.created
                } else {
                    inc.last_update
                },
                inc.id,
            )
        };
        if desc {
            idx.sort_unstable_by_key(|i| std::cmp::Reverse(key(i)));
        } else {
            idx.sort_unstable_by_key(key);
        }
        let total = idx.len();
        let items: Vec<Value> = idx
            .iter()
            .skip(q.skip)
            .take(top)
            .map(|&i| render::incident(&t.incidents[i], &mut ctx, q.expand))
            .collect();
        (total, items)
    };
    let what = if q.expand {
        "security/incidents(alerts())"
    } else {
        "security/incidents"
    };
    let body = list_body(&g, &mut ctx, what, uri.path(), &q, total, items);
    finish(&g, &ctx);
    json_response(StatusCode::OK, &body)
}

/// `GET /security/incidents/$count`: the number of incidents matching `$filter`, as plain text.
pub async fn count_incidents(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = match parse_list(raw.as_deref(), &INCIDENT_SCHEMA, None, &[]) {
        Ok(q) => q,
        Err(e) => return bad_request(&e, &ids),
    };
    let n = {
        let t = lock(&g.shared.tenant);
        t.incidents
            .iter()
            .filter(|i| q.filter.as_ref().is_none_or(|f| f.eval(*i)))
            .count()
    };
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/plain; charset=utf-8")
        .body(n.to_string().into())
        .unwrap_or_else(|_| Response::new(n.to_string().into()))
}

/// `GET /security/incidents/{id}`.
pub async fn get_incident(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = match parse_list(raw.as_deref(), &INCIDENT_SCHEMA, Some("alerts"), &[]) {
        Ok(q) => q,
        Err(e) => return bad_request(&e, &ids),
    };
    let mut ctx = ctx(&g, &headers);
    let v = {
        let t = lock(&g.shared.tenant);
        let Some(i) = t.index_of(&id) else {
            return not_found(&format!("Incident '{id}'"), &ids);
        };
        let mut v = render::incident(&t.incidents[i], &mut ctx, q.expand);
        if let Some(sel) = &q.select {
            apply_select(&mut v, sel, q.expand.then_some("alerts"));
        }
        v
    };
    finish(&g, &ctx);
    json_response(
        StatusCode::OK,
        &with_context(v, ctx.context("security/incidents/$entity")),
    )
}

/// `GET /security/incidents/{id}/alerts`.
pub async fn incident_alerts(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut ctx = ctx(&g, &headers);
    let items = {
        let t = lock(&g.shared.tenant);
        let Some(i) = t.index_of(&id) else {
            return not_found(&format!("Incident '{id}'"), &ids);
        };
        let inc = &t.incidents[i];
        let cast = super::evidence::Cast::of(inc);
        inc.alerts
            .iter()
            .map(|a| render::alert_with(inc, &cast, a, &mut ctx))
            .collect::<Vec<_>>()
    };
    finish(&g, &ctx);
    let body = json!({ "@odata.context": ctx.context(&format!("security/incidents('{id}')/alerts")), "value": items });
    json_response(StatusCode::OK, &body)
}

fn with_context(v: Value, context: String) -> Value {
    let Value::Object(m) = v else { return v };
    let mut out = Map::new();
    out.insert("@odata.context".into(), json!(context));
    out.extend(m);
    Value::Object(out)
}

fn parse_body(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("Request body is incorrect: a JSON object is expected.".into()),
        Err(e) => Err(format!("Request body is incorrect: {e}")),
    }
}

fn enum_value(
    table: EnumTable,
    v: &Value,
    prop: &str,
    allowed: Option<&[&str]>,
) -> Result<&'static str, String> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("Request body is incorrect: '{prop}' must be a string."))?;
    match canon(table, s) {
        Some(c) if c != "unknownFutureValue" && allowed.is_none_or(|a| a.contains(&c)) => Ok(c),
        _ => Err(format!(
            "Request body is incorrect: the value '{s}' is not valid for '{prop}'."
        )),
    }
}

fn opt_string(v: &Value, prop: &str) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(format!(
            "Request body is incorrect: '{prop}' must be a string or null."
        )),
    }
}

fn author(id: &Identity) -> String {
    if id.delegated {
        id.name.clone()
    } else {
        id.modified_by()
    }
}

/// `PATCH /security/incidents/{id}`.
pub async fn patch_incident(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Extension(who): Extension<Identity>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let m = match parse_body(&body) {
        Ok(m) => m,
        Err(e) => return invalid_body(&e, &ids),
    };
    #[derive(Default)]
    struct Ch {
        assigned: Option<Option<String>>,
        class: Option<&'static str>,
        det: Option<&'static str>,
        status: Option<&'static str>,
        sev: Option<&'static str>,
        tags: Option<Vec<String>>,
        desc: Option<Option<String>>,
        name: Option<String>,
        summary: Option<Option<String>>,
        resolving: Option<Option<String>>,
    }
    let mut ch = Ch::default();
    for (k, v) in &m {
        let r: Result<(), String> = (|| {
            match k.as_str() {
                "@odata.type" => {}
                "assignedTo" => {
                    ch.assigned = Some(opt_string(v, k)?.filter(|s| !s.trim().is_empty()))
                }
                "classification" => ch.class = Some(enum_value(CLASSIFICATION, v, k, None)?),
                "determination" => ch.det = Some(enum_value(DETERMINATION, v, k, None)?),
                "severity" => ch.sev = Some(enum_value(SEVERITY, v, k, None)?),
                "status" => {
                    if v.as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case("awaitingAction"))
                    {
                        return Err("Request body is incorrect: only Microsoft Defender Experts can set the status 'awaitingAction'.".into());
                    }
                    ch.status = Some(enum_value(
                        INCIDENT_STATUS,
                        v,
                        k,
                        Some(&["active", "inProgress", "resolved"]),
                    )?)
                }
                "customTags" => {
                    let arr = v.as_array().ok_or(
                        "Request body is incorrect: 'customTags' must be an array of strings.",
                    )?;
                    let mut tags = Vec::new();
                    for t in arr {
                        let s = t.as_str().ok_or(
                            "Request body is incorrect: 'customTags' must be an array of strings.",
                        )?;
                        if s.trim().is_empty() {
                            return Err("Request body is incorrect: tags must not be empty.".into());
                        }
                        if !tags.iter().any(|x: &String| x == s) {
                            tags.push(s.to_string());
                        }
                    }
                    ch.tags = Some(tags);
                }
                "description" => ch.desc = Some(opt_string(v, k)?),
                "summary" => ch.summary = Some(opt_string(v, k)?),
                "resolvingComment" => ch.resolving = Some(opt_string(v, k)?),
                "displayName" => {
                    match v.as_str() {
                        Some(s) if !s.trim().is_empty() => ch.name = Some(s.to_string()),
                        _ => return Err(
                            "Request body is incorrect: 'displayName' must be a non-empty string."
                                .into(),
                        ),
                    }
                }
                other if INCIDENT_PROPS.contains(&other) => {
                    return Err(format!(
                        "Request body is incorrect: the property '{other}' is read-only."
                    ));
                }
                other => {
                    return Err(format!(
                        "Request body is incorrect: the property '{other}' does not exist on type 'microsoft.graph.security.incident'."
                    ));
                }
            }
            Ok(())
        })();
        if let Err(e) = r {
            return invalid_body(&e, &ids);
        }
    }
    let mut ctx = ctx(&g, &headers);
    let v = {
        let mut t = lock(&g.shared.tenant);
        let Some(i) = t.index_of(&id) else {
            return not_found(&format!("Incident '{id}'"), &ids);
        };
        let now = Ts::now();
        let inc = &mut t.incidents[i];
        if let Some(a) = ch.assigned {
            for al in inc.alerts.iter_mut() {
                al.assigned_to.clone_from(&a);
            }
            inc.assigned_to = a;
        }
        if let Some(c) = ch.class {
            inc.classification = Some(c);
        }
        if let Some(d) = ch.det {
            inc.determination = Some(d);
        }
        if let Some(s) = ch.sev {
            inc.severity = s;
        }
        if let Some(tags) = ch.tags {
            inc.custom_tags = tags;
        }
        if let Some(d) = ch.desc {
            inc.description = d;
        }
        if let Some(s) = ch.summary {
            inc.summary = s;
        }
        if let Some(r) = ch.resolving {
            inc.resolving_comment = r;
        }
        if let Some(n) = ch.name {
            inc.display_name = n;
        }
        if let Some(s) = ch.status {
            if s == "resolved" && inc.status != "resolved" {
                for al in inc.alerts.iter_mut() {
                    al.status = "resolved";
                    al.resolved = Some(now);
                    al.last_update = now;
                    al.classification = inc.classification;
                    al.determination = inc.determination;
                }
            }
            inc.status = s;
        }
        if !m.keys().all(|k| k == "@odata.type") {
            inc.last_update = now;
            inc.last_modified_by = Some(who.modified_by());
        }
        render::incident(inc, &mut ctx, false)
    };
    lock(&g.shared.stats).patches += 1;
    g.shared
        .record_patch(format!("/{}/security/incidents/{id}", g.ver.seg()), &body);
    finish(&g, &ctx);
    json_response(
        StatusCode::OK,
        &with_context(v, ctx.context("security/incidents/$entity")),
    )
}

/// Why a comment POST is refused.
enum CommentRejected {
    /// JSON that is not an object (an array): Graph answers `BadRequest` "Empty Payload".
    EmptyPayload,
    /// Anything else: `InvalidRequestBody` with this message.
    Invalid(String),
}

impl CommentRejected {
    /// The 400 Graph answers.
    fn response(self, ids: &ReqIds) -> Response {
        match self {
            CommentRejected::EmptyPayload => {
                bad_request("Empty Payload. JSON content expected.", ids)
            }
            CommentRejected::Invalid(e) => invalid_body(&e, ids),
        }
    }
}

/// The text of a comment POST.
fn comment_text(body: &[u8]) -> Result<String, CommentRejected> {
    if matches!(serde_json::from_slice::<Value>(body), Ok(v) if !v.is_object()) {
        return Err(CommentRejected::EmptyPayload);
    }
    let m = parse_body(body).map_err(CommentRejected::Invalid)?;
    match m.get("comment").and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
        _ => Err(CommentRejected::Invalid(
            "Request body is incorrect: 'comment' must be a non-empty string.".into(),
        )),
    }
}

/// `POST /security/incidents/{id}/comments`.
pub async fn post_incident_comment(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Extension(who): Extension<Identity>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = match comment_text(&body) {
        Ok(t) if lock(&g.shared.faults).spec.normalize_comments => {
            super::faults::normalize_comment(&t)
        }
        Ok(t) => t,
        Err(r) => return r.response(&ids),
    };
    let list = {
        let mut t = lock(&g.shared.tenant);
        let Some(i) = t.index_of(&id) else {
            return not_found(&format!("Incident '{id}'"), &ids);
        };
        let inc = &mut t.incidents[i];
        let now = Ts::now();
        inc.comments.push(Comment {
            comment: text,
            by: author(&who),
            at: now,
        });
        inc.last_update = now;
        render::comments(&inc.comments)
    };
    comments_posted(&g, &headers, "incidents", &id, list)
}

/// `GET /security/alerts_v2`.
pub async fn list_alerts(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = match parse_list(
        raw.as_deref(),
        &ALERT_SCHEMA,
        None,
        &["createdDateTime", "lastUpdateDateTime"],
    ) {
        Ok(q) => q,
        Err(e) => return bad_request(&e, &ids),
    };
    let top = page_size(&g, &q);
    let mut ctx = ctx(&g, &headers);
    let (total, items) = {
        let t = lock(&g.shared.tenant);
        let mut idx: Vec<(usize, usize)> = Vec::new();
        for (i, inc) in t.incidents.iter().enumerate() {
            for (j, a) in inc.alerts.iter().enumerate() {
                if q.filter.as_ref().is_none_or(|f| f.eval(&AlertRef(a))) {
                    idx.push((i, j));
                }
            }
        }
        let (prop, desc) = q.order.unwrap_or(("createdDateTime", true));
        let key = |&(i, j): &(usize, usize)| {
            let a = &t.incidents[i].alerts[j];
            (
                if prop == "lastUpdateDateTime" {
                    a.last_update
                } else {
                    a.created
                },
                i,
                j,
            )
        };
        if desc {
            idx.sort_unstable_by_key(|x| std::cmp::Reverse(key(x)));
        } else {
            idx.sort_unstable_by_key(key);
        }
        let total = idx.len();
        let items: Vec<Value> = idx
            .iter()
            .skip(q.skip)
            .take(top)
            .map(|&(i, j)| render::alert(&t.incidents[i], &t.incidents[i].alerts[j], &mut ctx))
            .collect();
        (total, items)
    };
    let body = list_body(
        &g,
        &mut ctx,
        "security/alerts_v2",
        uri.path(),
        &q,
        total,
        items,
    );
    finish(&g, &ctx);
    json_response(StatusCode::OK, &body)
}

/// `GET /security/alerts_v2/{id}`.
pub async fn get_alert(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut ctx = ctx(&g, &headers);
    let v = {
        let t = lock(&g.shared.tenant);
        let Some(&(i, j)) = t.alert_idx.get(&id) else {
            return not_found(&format!("Alert '{id}'"), &ids);
        };
        render::alert(&t.incidents[i], &t.incidents[i].alerts[j], &mut ctx)
    };
    finish(&g, &ctx);
    json_response(
        StatusCode::OK,
        &with_context(v, ctx.context("security/alerts_v2/$entity")),
    )
}

/// `PATCH /security/alerts_v2/{id}`.
pub async fn patch_alert(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Extension(who): Extension<Identity>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let m = match parse_body(&body) {
        Ok(m) => m,
        Err(e) => return invalid_body(&e, &ids),
    };
    let mut status = None;
    let mut class = None;
    let mut det = None;
    let mut assigned: Option<Option<String>> = None;
    let mut details: Option<Vec<(String, String)>> = None;
    for (k, v) in &m {
        let r: Result<(), String> = (|| {
            match k.as_str() {
                "@odata.type" => {}
                "status" => {
                    status = Some(enum_value(
                        ALERT_STATUS,
                        v,
                        k,
                        Some(&["new", "inProgress", "resolved"]),
                    )?)
                }
                "classification" => class = Some(enum_value(CLASSIFICATION, v, k, None)?),
                "determination" => det = Some(enum_value(DETERMINATION, v, k, None)?),
                "assignedTo" => assigned = Some(opt_string(v, k)?.filter(|s| !s.trim().is_empty())),
                "customDetails" => {
                    let o = v
                        .as_object()
                        .ok_or("Request body is incorrect: 'customDetails' must be an object.")?;
                    let mut d = Vec::new();
                    for (dk, dv) in o {
                        let s = dv.as_str().ok_or(
                            "Request body is incorrect: customDetails values must be strings.",
                        )?;
                        d.push((dk.clone(), s.to_string()));
                    }
                    details = Some(d);
                }
                other => {
                    return Err(format!(
                        "Request body is incorrect: the property '{other}' cannot be updated."
                    ));
                }
            }
            Ok(())
        })();
        if let Err(e) = r {
            return invalid_body(&e, &ids);
        }
    }
    let mut ctx = ctx(&g, &headers);
    let v = {
        let mut t = lock(&g.shared.tenant);
        let Some(&(i, j)) = t.alert_idx.get(&id) else {
            return not_found(&format!("Alert '{id}'"), &ids);
        };
        let now = Ts::now();
        let inc = &mut t.incidents[i];
        let a = &mut inc.alerts[j];
        if let Some(s) = status {
            a.resolved = if s == "resolved" { Some(now) } else { None };
            a.status = s;
        }
        if let Some(c) = class {
            a.classification = Some(c);
        }
        if let Some(d) = det {
            a.determination = Some(d);
        }
        if let Some(x) = assigned {
            a.assigned_to = x;
        }
        if let Some(d) = details {
            a.custom_details = d;
        }
        a.last_update = now;
        inc.last_update = now;
        inc.last_modified_by = Some(who.modified_by());
        render::alert(&t.incidents[i], &t.incidents[i].alerts[j], &mut ctx)
    };
    lock(&g.shared.stats).patches += 1;
    g.shared
        .record_patch(format!("/{}/security/alerts_v2/{id}", g.ver.seg()), &body);
    finish(&g, &ctx);
    json_response(
        StatusCode::OK,
        &with_context(v, ctx.context("security/alerts_v2/$entity")),
    )
}

/// `POST /security/alerts_v2/{id}/comments`.
pub async fn post_alert_comment(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Extension(who): Extension<Identity>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = match comment_text(&body) {
        Ok(t) if lock(&g.shared.faults).spec.normalize_comments => {
            super::faults::normalize_comment(&t)
        }
        Ok(t) => t,
        Err(r) => return r.response(&ids),
    };
    let list = {
        let mut t = lock(&g.shared.tenant);
        let Some(&(i, j)) = t.alert_idx.get(&id) else {
            return not_found(&format!("Alert '{id}'"), &ids);
        };
        let now = Ts::now();
        let inc = &mut t.incidents[i];
        inc.last_update = now;
        let a = &mut inc.alerts[j];
        a.comments.push(Comment {
            comment: text,
            by: author(&who),
            at: now,
        });
        a.last_update = now;
        render::comments(&a.comments)
    };
    comments_posted(&g, &headers, "alerts_v2", &id, list)
}

/// The answer to a comment POST: the full comment list, not just the new one (as Graph
/// answers), counted.
fn comments_posted(
    g: &G,
    headers: &HeaderMap,
    collection: &str,
    id: &str,
    list: Vec<Value>,
) -> Response {
    lock(&g.shared.stats).comments_posted += 1;
    let base = base_of(headers, &g.shared.base_url());
    let body = json!({
        "@odata.context": format!(
            "{base}/{}/$metadata#security/{collection}('{id}')/comments",
            g.ver.seg()
        ),
        "value": list,
    });
    json_response(StatusCode::OK, &body)
}

/// `GET /beta/security/incidentTasks`.
pub async fn list_tasks(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = match parse_list(
        raw.as_deref(),
        &TASK_SCHEMA,
        Some("incident"),
        &["lastUpdateDateTime", "createdDateTime"],
    ) {
        Ok(q) => q,
        Err(e) => return bad_request(&e, &ids),
    };
    let mut ctx = ctx(&g, &headers);
    let top = q.top.unwrap_or(500).min(500);
    let (total, items) = {
        let t = lock(&g.shared.tenant);
        let mut matched: Vec<&Task> = t
            .tasks
            .iter()
            .filter(|k| {
                q.filter
                    .as_ref()
                    .is_none_or(|f| f.eval(&TaskF(k.incident_id.to_string(), k)))
            })
            .collect();
        let desc = q.order.is_some_and(|o| o.1);
        matched.sort_by_key(|k| k.last_modified);
        if desc {
            matched.reverse();
        }
        let total = matched.len();
        let items: Vec<Value> = matched
            .iter()
            .skip(q.skip)
            .take(top)
            .map(|k| {
                let mut v = render::task(k, q.expand);
                if let Some(sel) = &q.select {
                    apply_select(&mut v, sel, q.expand.then_some("incident"));
                }
                v
            })
            .collect();
        (total, items)
    };
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        json!(ctx.context("security/incidentTasks")),
    );
    if q.count {
        m.insert("@odata.count".into(), json!(total));
    }
    let shown = items.len();
    m.insert("value".into(), Value::Array(items));
    if top > 0 && q.skip + shown < total {
        m.insert(
            "@odata.nextLink".into(),
            json!(next_link(&ctx.base, uri.path(), &q.pairs, q.skip + top)),
        );
    }
    ctx.injected = 0;
    json_response(StatusCode::OK, &Value::Object(m))
}

/// `GET /beta/security/incidentTasks/{id}`.
pub async fn get_task(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = match parse_list(raw.as_deref(), &TASK_SCHEMA, Some("incident"), &[]) {
        Ok(q) => q,
        Err(e) => return bad_request(&e, &ids),
    };
    let c = ctx(&g, &headers);
    let t = lock(&g.shared.tenant);
    match t.tasks.iter().find(|k| k.id.eq_ignore_ascii_case(&id)) {
        Some(k) => {
            let mut v = render::task(k, q.expand);
            if let Some(sel) = &q.select {
                apply_select(&mut v, sel, q.expand.then_some("incident"));
            }
            json_response(
                StatusCode::OK,
                &with_context(v, c.context("security/incidentTasks/$entity")),
            )
        }
        None => not_found(&format!("Incident task '{id}'"), &ids),
    }
}

/// `PATCH /beta/security/incidentTasks/{id}`.
pub async fn patch_task(
    State(g): State<G>,
    Extension(ids): Extension<ReqIds>,
    Extension(who): Extension<Identity>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let m = match parse_body(&body) {
        Ok(m) => m,
        Err(e) => return invalid_body(&e, &ids),
    };
    let mut status = None;
    let mut action_status = None;
    for (k, v) in &m {
        let r = match k.as_str() {
            "@odata.type" => Ok(()),
            "status" => enum_value(TASK_STATUS, v, k, None).map(|s| status = Some(s)),
            "actionStatus" => {
                enum_value(TASK_ACTION_STATUS, v, k, None).map(|s| action_status = Some(s))
            }
            other => Err(format!(
                "Request body is incorrect: the property '{other}' cannot be updated; only 'status' is writable."
            )),
        };
        if let Err(e) = r {
            return invalid_body(&e, &ids);
        }
    }
    let c = ctx(&g, &headers);
    let v = {
        let mut t = lock(&g.shared.tenant);
        let Some(pos) = t.tasks.iter().position(|k| k.id.eq_ignore_ascii_case(&id)) else {
            return not_found(&format!("Incident task '{id}'"), &ids);
        };
        let now = Ts::now();
        let k = &mut t.tasks[pos];
        if let Some(s) = status {
            k.status = s;
        }
        if let Some(s) = action_status {
            k.action_status = s;
        }
        k.last_modified = now;
        k.last_modified_by = author(&who);
        let v = render::task(k, false);
        let inc_id = k.incident_id.to_string();
        if let Some(i) = t.index_of(&inc_id) {
            t.incidents[i].last_update = now;
        }
        v
    };
    lock(&g.shared.stats).patches += 1;
    g.shared.record_patch(
        format!("/{}/security/incidentTasks/{id}", g.ver.seg()),
        &body,
    );
    json_response(
        StatusCode::OK,
        &with_context(v, c.context("security/incidentTasks/$entity")),
    )
}
