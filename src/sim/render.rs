//! Renders tenant data as Microsoft Graph JSON (v1.0 or beta), honouring
//! `Prefer: include-unknown-enum-members` and the `unknown-enum` fault.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::evidence::{Cast, evidence};
use super::model::{
    Alert, Comment, DETECTION_SOURCE_GATED, INCIDENT_STATUS, Incident, SERVICE_SOURCE, Task, gated,
};

/// API version of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ver {
    V1,
    Beta,
}

impl Ver {
    /// Path segment.
    pub fn seg(self) -> &'static str {
        match self {
            Ver::V1 => "v1.0",
            Ver::Beta => "beta",
        }
    }
}

/// Per-request rendering context.
pub struct Ctx {
    pub base: String,
    pub ver: Ver,
    pub tenant_id: String,
    pub include_unknown: bool,
    pub unknown_p: f64,
    /// The `unknown-evidence` fault's probability.
    pub unknown_evidence: f64,
    pub rng: ChaCha8Rng,
    pub injected: u64,
}

impl Ctx {
    /// `@odata.context` for `what` (e.g. `security/incidents`).
    pub fn context(&self, what: &str) -> String {
        format!("{}/{}/$metadata#{what}", self.base, self.ver.seg())
    }

    fn unknown_roll(&mut self) -> bool {
        if self.unknown_p > 0.0 && self.rng.random::<f64>() < self.unknown_p {
            self.injected += 1;
            true
        } else {
            false
        }
    }

    fn future(&self, newer: &str) -> String {
        if self.include_unknown {
            newer.to_string()
        } else {
            "unknownFutureValue".to_string()
        }
    }

    fn gate(&self, hidden: bool, v: &str) -> String {
        if hidden && !self.include_unknown {
            "unknownFutureValue".into()
        } else {
            v.into()
        }
    }
}

fn opt_str(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| Value::String(s.clone()))
}

/// `alertComment` list.
pub fn comments(cs: &[Comment]) -> Vec<Value> {
    cs.iter()
        .map(|c| {
            json!({
                "comment": c.comment,
                "createdByDisplayName": c.by,
                "createdDateTime": c.at.render(),
            })
        })
        .collect()
}

/// One incident.
pub fn incident(inc: &Incident, ctx: &mut Ctx, expand_alerts: bool) -> Value {
    let mut status = ctx.gate(gated(INCIDENT_STATUS, inc.status), inc.status);
    if ctx.unknown_roll() {
        status = ctx.future("underReview");
    }
    let mut m = Map::new();
    let id = inc.id.to_string();
    m.insert("id".into(), json!(id));
    m.insert("tenantId".into(), json!(ctx.tenant_id));
    m.insert("status".into(), json!(status));
    m.insert(
        "incidentWebUrl".into(),
        json!(format!(
            "https://security.microsoft.com/incidents/{id}?tid={}",
            ctx.tenant_id
        )),
    );
    m.insert(
        "redirectIncidentId".into(),
        opt_str(&inc.redirect_incident_id),
    );
    m.insert("displayName".into(), json!(inc.display_name));
    m.insert("createdDateTime".into(), json!(inc.created.render()));
    m.insert("lastUpdateDateTime".into(), json!(inc.last_update.render()));
    m.insert("assignedTo".into(), opt_str(&inc.assigned_to));
    m.insert("classification".into(), json!(inc.classification));
    m.insert("determination".into(), json!(inc.determination));
    m.insert("severity".into(), json!(inc.severity));
    m.insert("customTags".into(), json!(inc.custom_tags));
    m.insert("systemTags".into(), json!(inc.system_tags));
    m.insert("description".into(), opt_str(&inc.description));
    m.insert("lastModifiedBy".into(), opt_str(&inc.last_modified_by));
    m.insert("resolvingComment".into(), opt_str(&inc.resolving_comment));
    m.insert("summary".into(), opt_str(&inc.summary));
    m.insert("priorityScore".into(), json!(inc.priority_score));
    m.insert("comments".into(), Value::Array(comments(&inc.comments)));
    if ctx.ver == Ver::Beta {
        match &inc.den {
            Some(d) => {
                m.insert("recommendedActions".into(), json!(d.recommended_actions));
                let qs: Vec<Value> = d
                    .hunting_queries
                    .iter()
                    .map(|q| json!({ "kqlText": q }))
                    .collect();
                m.insert("recommendedHuntingQueries".into(), Value::Array(qs));
            }
            None => {
                m.insert("recommendedActions".into(), Value::Null);
                m.insert("recommendedHuntingQueries".into(), json!([]));
            }
        }
    }
    if expand_alerts {
        let cast = Cast::of(inc);
        let alerts: Vec<Value> = inc
            .alerts
            .iter()
            .map(|a| alert_with(inc, &cast, a, ctx))
            .collect();
        m.insert("alerts".into(), Value::Array(alerts));
    }
    Value::Object(m)
}

/// One alert (computes the incident's cast; use [`alert_with`] in loops).
pub fn alert(inc: &Incident, a: &Alert, ctx: &mut Ctx) -> Value {
    let cast = Cast::of(inc);
    alert_with(inc, &cast, a, ctx)
}

/// One alert with a precomputed cast.
pub fn alert_with(inc: &Incident, cast: &Cast, a: &Alert, ctx: &mut Ctx) -> Value {
    let tid = ctx.tenant_id.clone();
    let service = ctx.gate(gated(SERVICE_SOURCE, a.service_source), a.service_source);
    let mut detection = ctx.gate(
        DETECTION_SOURCE_GATED.contains(&a.detection_source),
        a.detection_source,
    );
    let future = ctx.unknown_evidence > 0.0
        && (a.future_evidence || stable_fraction(a.evidence_seed) < ctx.unknown_evidence);
    let mut ev = evidence(cast, a, ctx.include_unknown, future);
    if ctx.unknown_roll() {
        detection = ctx.future("microsoftDefenderForQuantum");
        if let Some(Value::Object(first)) = ev.first_mut() {
            first.insert("verdict".into(), json!(ctx.future("5")));
        }
    }
    let custom: Map<String, Value> = a
        .custom_details
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({
        "@odata.type": "#microsoft.graph.security.alert",
        "id": a.id,
        "providerAlertId": a.id,
        "incidentId": inc.id.to_string(),
        "status": a.status,
        "severity": a.severity,
        "classification": a.classification,
        "determination": a.determination,
        "serviceSource": service,
        "detectionSource": detection,
        "productName": a.product_name,
        "detectorId": a.detector_id,
        "tenantId": tid,
        "title": a.title,
        "description": a.description,
        "recommendedActions": a.recommended_actions,
        "category": a.category,
        "categories": [a.category],
        "investigationState": investigation_state(a),
        "assignedTo": a.assigned_to,
        "alertWebUrl": format!("https://security.microsoft.com/alerts/{}?tid={tid}", a.id),
        "incidentWebUrl": format!("https://security.microsoft.com/incidents/{}?tid={tid}", inc.id),
        "actorDisplayName": a.actor_display_name,
        "threatDisplayName": a.threat_display_name,
        "threatFamilyName": a.threat_family_name,
        "mitreTechniques": a.mitre,
        "createdDateTime": a.created.render(),
        "lastUpdateDateTime": a.last_update.render(),
        "resolvedDateTime": a.resolved.map(|t| t.render()),
        "firstActivityDateTime": a.first_activity.render(),
        "lastActivityDateTime": a.last_activity.render(),
        "alertPolicyId": null,
        "comments": comments(&a.comments),
        "evidence": ev,
        "systemTags": a.system_tags,
        "customDetails": custom,
        "additionalData": {},
    })
}

/// The automated investigation state of an alert, derived from its status and seed.
fn investigation_state(a: &Alert) -> &'static str {
    const OPEN: &[&str] = &[
        "running",
        "pendingApproval",
        "queued",
        "partiallyInvestigated",
        "unsupportedAlertType",
        "preexistingAlert",
    ];
    const CLOSED: &[&str] = &["successfullyRemediated", "benign", "terminatedByUser"];
    let table = if a.status == "resolved" { CLOSED } else { OPEN };
    table[(a.evidence_seed % table.len() as u64) as usize]
}

/// A number in `0.0..1.0` fixed by `seed`, so a per-record fault draw is the same on every request.
fn stable_fraction(seed: u64) -> f64 {
    (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64
}

/// One managed-response task (beta `incidentTask`). `incidentId` is a filter, not a property:
/// the incident comes only with `$expand=incident`.
pub fn task(t: &Task, expand_incident: bool) -> Value {
    let mut v = json!({
        "@odata.type": "#microsoft.graph.security.incidentTask",
        "id": t.id,
        "status": t.status,
        "source": t.source,
        "displayName": t.display_name,
        "description": t.description,
        "createdDateTime": t.created.render(),
        "createdByDisplayName": t.created_by,
        "lastModifiedDateTime": t.last_modified.render(),
        "lastModifiedByDisplayName": t.last_modified_by,
        "actionStatus": t.action_status,
        "actionType": t.action_type,
        "responseAction": response_action(t.action_type),
    });
    if expand_incident && let Value::Object(m) = &mut v {
        m.insert(
            "incident".into(),
            json!({ "@odata.type": "#microsoft.graph.security.incident", "id": t.incident_id.to_string() }),
        );
    }
    v
}

/// The parameters of a task's response action (null for a text task).
fn response_action(action_type: &str) -> Value {
    match action_type {
        "isolateDevice" => json!({ "isolationType": "full" }),
        "restrictAppExecution" | "unRestrictAppExecution" | "unIsolateDevice" => json!({}),
        "runAntiVirusScan" => json!({ "scanType": "full" }),
        "collectInvestigationPackage" | "stopAndQuarantineFile" | "submitIocRule" => json!({}),
        "text" => Value::Null,
        _ => json!({}),
    }
}

/// Replaces one field of a rendered record with a value of the wrong type (`bad-record` fault).
pub fn corrupt(v: &mut Value, rng: &mut ChaCha8Rng) {
    let Value::Object(m) = v else { return };
    match rng.random_range(0..4) {
        0 => {
            m.insert("severity".into(), json!(3));
        }
        1 => {
            let id = m.get("id").cloned().unwrap_or(Value::Null);
            m.insert("id".into(), json!({ "value": id }));
        }
        2 => {
            m.insert("createdDateTime".into(), json!("yesterday at noon"));
        }
        _ => {
            m.insert("status".into(), Value::Null);
            m.insert("lastUpdateDateTime".into(), json!(20260101));
        }
    }
}
