//! `microsoft.graph.security.alert` (alerts_v2): properties, comments and the writable fields.

use super::comment::Comment;
use super::enums::{
    AlertStatus, Classification, DetectionSource, Determination, InvestigationState, ServiceSource,
    Severity,
};
use super::evidence::Evidence;
use super::lenient::{id_string, null_vec, opt_enum};
use super::time::{Timestamp, lenient_opt};
use serde::{Deserialize, Serialize};

/// A Defender XDR alert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub incident_id: Option<String>,
    #[serde(default)]
    pub provider_alert_id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub recommended_actions: Option<String>,
    #[serde(default)]
    pub status: AlertStatus,
    #[serde(default)]
    pub severity: Severity,
    #[serde(default, deserialize_with = "opt_enum")]
    pub classification: Option<Classification>,
    #[serde(default, deserialize_with = "opt_enum")]
    pub determination: Option<Determination>,
    #[serde(default)]
    pub service_source: ServiceSource,
    #[serde(default)]
    pub detection_source: DetectionSource,
    #[serde(default)]
    pub detector_id: Option<String>,
    #[serde(default)]
    pub product_name: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "null_vec")]
    pub categories: Vec<String>,
    #[serde(default, deserialize_with = "null_vec")]
    pub mitre_techniques: Vec<String>,
    #[serde(default)]
    pub assigned_to: Option<String>,
    #[serde(default)]
    pub actor_display_name: Option<String>,
    #[serde(default)]
    pub threat_display_name: Option<String>,
    #[serde(default)]
    pub threat_family_name: Option<String>,
    #[serde(default)]
    pub alert_web_url: Option<String>,
    #[serde(default)]
    pub incident_web_url: Option<String>,
    #[serde(default)]
    pub alert_policy_id: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default, deserialize_with = "opt_enum")]
    pub investigation_state: Option<InvestigationState>,
    #[serde(default, deserialize_with = "lenient_opt")]
    pub created_date_time: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient_opt")]
    pub last_update_date_time: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient_opt")]
    pub resolved_date_time: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient_opt")]
    pub first_activity_date_time: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient_opt")]
    pub last_activity_date_time: Option<Timestamp>,
    #[serde(default, deserialize_with = "null_vec")]
    pub system_tags: Vec<String>,
    #[serde(default, deserialize_with = "null_vec")]
    pub comments: Vec<Comment>,
    #[serde(default, deserialize_with = "null_vec")]
    pub evidence: Vec<Evidence>,
    /// Open-type extras (custom details, dynamic content) kept verbatim (boxed: usually absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Box<serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_details: Option<Box<serde_json::Value>>,
}

impl Alert {
    /// True when status, severity, service or detection source is an enum member this build
    /// does not know (or `unknownFutureValue`).
    pub fn holds_unknown_enum(&self) -> bool {
        !self.status.is_known()
            || self.status == AlertStatus::UnknownFutureValue
            || !self.severity.is_known()
            || self.severity == Severity::UnknownFutureValue
            || !self.service_source.is_known()
            || self.service_source == ServiceSource::UnknownFutureValue
            || !self.detection_source.is_known()
            || self.detection_source == DetectionSource::UnknownFutureValue
    }

    /// The alert's categories: `categories` (the schema's), then the deprecated `category` when
    /// it adds one; duplicates (case-insensitive) and blanks are left out.
    pub fn all_categories(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in self.categories.iter().chain(&self.category) {
            let c = c.trim();
            if !c.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(c)) {
                out.push(c);
            }
        }
        out
    }

    /// The title, or a placeholder.
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or("(untitled alert)")
    }

    /// Raised by Microsoft Sentinel (`serviceSource` or `detectionSource` `microsoftSentinel`);
    /// its `providerAlertId` is then the Sentinel alert's id.
    pub fn is_sentinel(&self) -> bool {
        self.service_source == ServiceSource::MicrosoftSentinel
            || self.detection_source == DetectionSource::MicrosoftSentinel
    }

    /// Defender Experts marker on the alert side: `detectionSource = microsoftThreatExperts`.
    pub fn is_experts(&self) -> bool {
        self.detection_source == DetectionSource::MicrosoftThreatExperts
            || self
                .detection_source
                .as_str()
                .starts_with("microsoftThreatExperts")
            || self
                .system_tags
                .iter()
                .any(|t| t.eq_ignore_ascii_case("Defender Experts"))
    }
}

/// The writable properties of an alert (PATCH `alerts_v2/{id}`). Only `Some` fields are sent.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<AlertStatus>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::lenient::double_option"
    )]
    pub assigned_to: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub determination: Option<Determination>,
}

impl AlertPatch {
    /// True when nothing would be sent.
    pub fn is_empty(&self) -> bool {
        self == &AlertPatch::default()
    }

    /// The JSON body: exactly the changed properties.
    pub fn to_body(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Applies the patch to a local copy (optimistic display).
    pub fn apply_to(&self, a: &mut Alert) {
        if let Some(v) = &self.status {
            a.status = v.clone();
        }
        if let Some(v) = &self.assigned_to {
            a.assigned_to = v.clone();
        }
        if let Some(v) = &self.classification {
            a.classification = Some(v.clone());
        }
        if let Some(v) = &self.determination {
            a.determination = Some(v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_docs_sample_with_evidence() {
        let json = include_str!("../../../tests/fixtures/alert_docs_sample.json");
        let a: Alert = serde_json::from_str(json).unwrap();
        assert_eq!(a.id, "da637551227677560813_-961444813");
        assert_eq!(a.detection_source, DetectionSource::Antivirus);
        assert_eq!(a.evidence.len(), 5);
        assert_eq!(a.mitre_techniques, vec!["T1564.001".to_string()]);
        assert!(a.is_experts());
        assert!(a.first_activity_date_time.is_some());
    }

    #[test]
    fn alert_patch_body() {
        let p = AlertPatch {
            status: Some(AlertStatus::InProgress),
            assigned_to: Some(Some("secAdmin@contoso.com".into())),
            ..Default::default()
        };
        assert_eq!(
            p.to_body(),
            serde_json::json!({"status": "inProgress", "assignedTo": "secAdmin@contoso.com"})
        );
    }

    #[test]
    fn categories_come_from_both_the_schema_list_and_the_deprecated_field() {
        let read = |v: serde_json::Value| serde_json::from_value::<Alert>(v).unwrap();
        let both = read(serde_json::json!({
            "id": "a", "category": "Execution", "categories": ["Execution", "Persistence"],
            "investigationState": "pendingApproval",
        }));
        assert_eq!(both.all_categories(), ["Execution", "Persistence"]);
        assert_eq!(
            both.investigation_state,
            Some(crate::graph::model::InvestigationState::PendingApproval)
        );
        let old = read(serde_json::json!({ "id": "b", "category": "Execution" }));
        assert_eq!(old.all_categories(), ["Execution"]);
        let new = read(serde_json::json!({ "id": "c", "categories": ["Impact", "impact", " "] }));
        assert_eq!(new.all_categories(), ["Impact"]);
    }
}
