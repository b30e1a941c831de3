//! `microsoft.graph.security.incident`.

use super::alert::Alert;
use super::comment::Comment;
use super::enums::{Classification, Determination, IncidentStatus, Severity};
use super::lenient::{double_option, id_string, null_string, null_vec, opt_enum};
use super::time::{Timestamp, strict_opt};
use serde::{Deserialize, Serialize};

/// A Defender Experts advanced hunting query (beta `recommendedHuntingQueries`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct HuntingQuery {
    /// The KQL text.
    #[serde(default, deserialize_with = "null_string")]
    pub kql_text: String,
}

/// A Defender XDR incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    /// Numeric-looking string id.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub status: IncidentStatus,
    #[serde(default)]
    pub severity: Severity,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub assigned_to: Option<String>,
    #[serde(default, deserialize_with = "opt_enum")]
    pub classification: Option<Classification>,
    #[serde(default, deserialize_with = "opt_enum")]
    pub determination: Option<Determination>,
    /// Analyst tags; the 2022 samples call them `tags`.
    #[serde(default, alias = "tags", deserialize_with = "null_vec")]
    pub custom_tags: Vec<String>,
    #[serde(default, deserialize_with = "null_vec")]
    pub system_tags: Vec<String>,
    #[serde(default, deserialize_with = "strict_opt")]
    pub created_date_time: Option<Timestamp>,
    #[serde(default, deserialize_with = "strict_opt")]
    pub last_update_date_time: Option<Timestamp>,
    #[serde(default)]
    pub incident_web_url: Option<String>,
    #[serde(default)]
    pub redirect_incident_id: Option<String>,
    #[serde(default)]
    pub last_modified_by: Option<String>,
    #[serde(default)]
    pub resolving_comment: Option<String>,
    /// 0–100, `None` when the feature is off or pending.
    #[serde(default)]
    pub priority_score: Option<i64>,
    #[serde(default, deserialize_with = "null_vec")]
    pub comments: Vec<Comment>,
    /// Present with `$expand=alerts`; `None` when the alerts were not expanded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Vec<Alert>>,
    /// Beta only (Defender Experts): recommendation summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_actions: Option<String>,
    /// Beta only (Defender Experts): advanced hunting queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_hunting_queries: Option<Vec<HuntingQuery>>,
}

impl Incident {
    /// The title, or a placeholder when the service sent none.
    pub fn title(&self) -> &str {
        self.display_name
            .as_deref()
            .unwrap_or("(untitled incident)")
    }

    /// Defender Experts notification markers: the "Defender Experts" system tag or the title
    /// prefix. (The alert-side marker, `detectionSource = microsoftThreatExperts`, is checked by
    /// the store, which sees alerts.)
    pub fn is_experts_notification(&self) -> bool {
        self.system_tags
            .iter()
            .any(|t| t.eq_ignore_ascii_case("Defender Experts"))
            || self.display_name.as_deref().is_some_and(|t| {
                t.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("defender experts")
            })
    }

    /// True when this incident is open for the analyst (not resolved and not merged away).
    pub fn is_open(&self) -> bool {
        !matches!(
            self.status,
            IncidentStatus::Resolved | IncidentStatus::Redirected
        )
    }

    /// True when the status says open (active, in progress, awaiting action). An unknown status
    /// is neither open nor closed, so counts leave it out.
    pub fn is_known_open(&self) -> bool {
        matches!(
            self.status,
            IncidentStatus::Active | IncidentStatus::InProgress | IncidentStatus::AwaitingAction
        )
    }

    /// True when the record holds an enum member this build does not know (or
    /// `unknownFutureValue`) in the incident or its alerts: the engine re-reads such a record,
    /// since its `lastUpdateDateTime` does not change when the service starts sending a known one.
    pub fn holds_unknown_enum(&self) -> bool {
        let unknown_incident = !self.status.is_known()
            || self.status == IncidentStatus::UnknownFutureValue
            || !self.severity.is_known()
            || self.severity == Severity::UnknownFutureValue
            || self
                .classification
                .as_ref()
                .is_some_and(|c| !c.is_known() || *c == Classification::UnknownFutureValue)
            || self
                .determination
                .as_ref()
                .is_some_and(|d| !d.is_known() || *d == Determination::UnknownFutureValue);
        unknown_incident || self.alerts.iter().flatten().any(Alert::holds_unknown_enum)
    }
}

/// The properties of an incident a PATCH may change. Only `Some` fields are sent; the outer
/// `Option` of `assigned_to` distinguishes "leave" (`None`) from "clear" (`Some(None)`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<IncidentStatus>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub assigned_to: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub determination: Option<Determination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolving_comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl IncidentPatch {
    /// True when nothing would be sent.
    pub fn is_empty(&self) -> bool {
        self == &IncidentPatch::default()
    }

    /// The JSON body: exactly the changed properties, with schema enum names.
    pub fn to_body(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Applies the patch to a local copy (optimistic display).
    pub fn apply_to(&self, i: &mut Incident) {
        if let Some(v) = &self.status {
            i.status = v.clone();
        }
        if let Some(v) = &self.assigned_to {
            i.assigned_to = v.clone();
        }
        if let Some(v) = &self.classification {
            i.classification = Some(v.clone());
        }
        if let Some(v) = &self.determination {
            i.determination = Some(v.clone());
        }
        if let Some(v) = &self.severity {
            i.severity = v.clone();
        }
        if let Some(v) = &self.custom_tags {
            i.custom_tags = v.clone();
        }
        if let Some(v) = &self.resolving_comment {
            i.resolving_comment = Some(v.clone());
        }
        if let Some(v) = &self.display_name {
            i.display_name = Some(v.clone());
        }
        if let Some(v) = &self.description {
            i.description = Some(v.clone());
        }
        if let Some(v) = &self.summary {
            i.summary = Some(v.clone());
        }
    }

    /// Names of the properties this patch changes (for confirmations and conflict checks).
    pub fn fields(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        macro_rules! push {
            ($($field:ident => $name:literal),*) => { $( if self.$field.is_some() { f.push($name); } )* };
        }
        push!(status => "status", assigned_to => "assignedTo", classification => "classification",
              determination => "determination", severity => "severity", custom_tags => "customTags",
              resolving_comment => "resolvingComment", display_name => "displayName",
              description => "description", summary => "summary");
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_2026: &str = r#"{
        "id": "29", "tenantId": "cfcdbe43-297b-4c6b-ac7e-8d7f6befb514", "status": "active",
        "incidentWebUrl": "https://security.microsoft.com/incident2/29/overview?tid=cfcdbe43",
        "redirectIncidentId": null,
        "displayName": "Multi-stage incident involving Execution & Command and control on one endpoint",
        "createdDateTime": "2026-01-22T12:09:23.1433333Z", "lastUpdateDateTime": "2026-02-25T16:29:33.1Z",
        "assignedTo": "admin@contoso.com", "classification": "truePositive", "determination": "multiStagedAttack",
        "severity": "high", "customTags": ["Demo"], "systemTags": [], "description": "Raspberry Robin",
        "lastModifiedBy": "API-App:admin@contoso.com", "resolvingComment": null,
        "summary": "Defender Experts has identified malicious activity.", "priorityScore": 100, "comments": []
    }"#;

    const DOC_2022: &str = r##"{
        "@odata.type": "#microsoft.graph.security.incident", "id": "2972395",
        "displayName": "Multi-stage incident", "createdDateTime": "2021-08-13T08:43:35.5533333Z",
        "lastUpdateDateTime": "2021-09-30T09:35:45.1133333Z", "assignedTo": "KaiC@contoso.onmicrosoft.com",
        "classification": "TruePositive", "determination": "MultiStagedAttack", "status": "Active",
        "severity": "Medium", "tags": ["Demo"],
        "comments": [ { "comment": "Demo incident", "createdBy": "DavidS@contoso.onmicrosoft.com", "createdTime": "2021-09-30T12:07:37.2756993Z" } ],
        "systemTags": ["Defender Experts"], "priorityScore": null
    }"##;

    #[test]
    fn parses_the_2026_docs_sample() {
        let i: Incident = serde_json::from_str(DOC_2026).unwrap();
        assert_eq!(i.id, "29");
        assert_eq!(i.severity, Severity::High);
        assert_eq!(i.classification, Some(Classification::TruePositive));
        assert_eq!(i.priority_score, Some(100));
        assert!(i.alerts.is_none());
        assert!(!i.is_experts_notification());
    }

    #[test]
    fn parses_the_legacy_2022_shapes() {
        let i: Incident = serde_json::from_str(DOC_2022).unwrap();
        assert_eq!(i.status, IncidentStatus::Active);
        assert_eq!(i.determination, Some(Determination::MultiStagedAttack));
        assert_eq!(i.custom_tags, vec!["Demo".to_string()]);
        assert_eq!(
            i.comments[0].created_by_display_name.as_deref(),
            Some("DavidS@contoso.onmicrosoft.com")
        );
        assert!(i.comments[0].created_date_time.is_some());
        assert_eq!(i.priority_score, None);
        assert!(i.is_experts_notification());
    }

    #[test]
    fn patch_body_is_exactly_the_changed_fields() {
        let p = IncidentPatch {
            classification: Some(Classification::parse("TruePositive")),
            determination: Some(Determination::parse("compromisedUser")),
            ..Default::default()
        };
        assert_eq!(
            p.to_body(),
            serde_json::json!({"classification": "truePositive", "determination": "compromisedAccount"})
        );
        let clear = IncidentPatch {
            assigned_to: Some(None),
            ..Default::default()
        };
        assert_eq!(clear.to_body(), serde_json::json!({"assignedTo": null}));
        assert!(IncidentPatch::default().is_empty());
        assert_eq!(clear.fields(), vec!["assignedTo"]);
    }

    #[test]
    fn title_prefix_marks_experts_notification() {
        let i = Incident {
            id: "1".into(),
            display_name: Some("Defender Experts: Test Notification".into()),
            ..Default::default()
        };
        assert!(i.is_experts_notification());
    }
}
