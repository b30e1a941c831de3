//! Defender Experts markers (system tag, title prefix, alert detection source): which incidents are
//! Defender Experts notifications (DENs), which wait for the customer, who owns them, and the
//! DEN text fields (with the beta-only ones degrading to "not available").

use crate::graph::model::{Alert, Incident, IncidentStatus};

/// The system tag and title prefix Microsoft uses for Defender Experts notifications.
pub const EXPERTS_TAG: &str = "Defender Experts";

/// True when the incident is a Defender Experts notification: the system tag
/// "Defender Experts", a title starting with "Defender Experts", or any alert (from `alerts` or
/// the incident's own expanded alerts) whose `detectionSource` starts with
/// `microsoftThreatExperts` or that carries the system tag. All comparisons ignore ASCII case.
pub fn is_experts_notification(incident: &Incident, alerts: &[Alert]) -> bool {
    let tagged = incident
        .system_tags
        .iter()
        .any(|t| t.trim().eq_ignore_ascii_case(EXPERTS_TAG));
    let titled = incident
        .display_name
        .as_deref()
        .is_some_and(|t| starts_with_ci(t.trim_start(), EXPERTS_TAG));
    let own = incident.alerts.as_deref().unwrap_or(&[]);
    tagged || titled || alerts.iter().chain(own).any(is_experts_alert)
}

/// Alert-side marker: `detectionSource` is (or starts with) `microsoftThreatExperts`, or the
/// alert carries the "Defender Experts" system tag.
pub fn is_experts_alert(alert: &Alert) -> bool {
    starts_with_ci(
        alert.detection_source.as_str().trim(),
        "microsoftThreatExperts",
    ) || alert
        .system_tags
        .iter()
        .any(|t| t.trim().eq_ignore_ascii_case(EXPERTS_TAG))
}

/// True when Defender Experts set the incident to "Awaiting customer action"
/// (`awaitingAction`, which is Prefer-gated and hidden as `unknownFutureValue` without it).
pub fn is_awaiting_customer(incident: &Incident) -> bool {
    match &incident.status {
        IncidentStatus::AwaitingAction => true,
        IncidentStatus::Other(s) => s.trim().eq_ignore_ascii_case("awaitingAction"),
        _ => false,
    }
}

/// Who owns an incident in the Defender Experts managed-response lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OwnerKind {
    /// Assigned to "Defender Experts" (the experts are working on it).
    DefenderExperts,
    /// Assigned to "Customer" (handed back to the customer's team).
    Customer,
    /// Assigned to a named person (the value as sent; untrusted text).
    Person(String),
    /// Not assigned (absent, null or blank).
    Unassigned,
}

/// Classifies an `assignedTo` value. "Defender Experts" (also "Microsoft Defender Experts") and
/// "Customer" are matched case-insensitively after trimming.
pub fn owner_kind(assigned_to: Option<&str>) -> OwnerKind {
    let Some(v) = assigned_to.map(str::trim).filter(|s| !s.is_empty()) else {
        return OwnerKind::Unassigned;
    };
    if v.eq_ignore_ascii_case(EXPERTS_TAG) || v.eq_ignore_ascii_case("Microsoft Defender Experts") {
        OwnerKind::DefenderExperts
    } else if v.eq_ignore_ascii_case("Customer") {
        OwnerKind::Customer
    } else {
        OwnerKind::Person(v.to_string())
    }
}

/// The DEN text fields of an incident. All values are untrusted service text.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ExpertsDetails {
    /// `summary` (v1.0).
    pub summary: Option<String>,
    /// `description`: the DEN executive summary (v1.0).
    pub description: Option<String>,
    /// Beta `recommendedActions`: the recommendation summary.
    pub recommendations: Option<String>,
    /// Beta `recommendedHuntingQueries[].kqlText`, blank entries dropped.
    pub hunting_queries: Vec<String>,
    /// True when the incident carried at least one beta field (it was read from
    /// `/beta/security/incidents`). A beta read where both fields are `null` also reads as
    /// `false`, because serde cannot tell `null` from absent; the UI then offers "load beta".
    pub beta_available: bool,
}

impl ExpertsDetails {
    /// Extracts the DEN fields. Missing or blank values become `None`; no beta fields means
    /// `recommendations == None`, no queries and `beta_available == false`.
    pub fn from_incident(incident: &Incident) -> ExpertsDetails {
        ExpertsDetails {
            summary: non_blank(incident.summary.as_deref()),
            description: non_blank(incident.description.as_deref()),
            recommendations: non_blank(incident.recommended_actions.as_deref()),
            hunting_queries: incident
                .recommended_hunting_queries
                .as_deref()
                .unwrap_or(&[])
                .iter()
                .filter(|q| !q.kql_text.trim().is_empty())
                .map(|q| q.kql_text.clone())
                .collect(),
            beta_available: incident.recommended_actions.is_some()
                || incident.recommended_hunting_queries.is_some(),
        }
    }

    /// True when there is nothing to show at all.
    pub fn is_empty(&self) -> bool {
        self.summary.is_none()
            && self.description.is_none()
            && self.recommendations.is_none()
            && self.hunting_queries.is_empty()
    }
}

fn non_blank(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty()).map(str::to_string)
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_match_is_case_insensitive_and_char_safe() {
        assert!(starts_with_ci("defender EXPERTS: x", "Defender Experts"));
        assert!(!starts_with_ci("Defender", "Defender Experts"));
        assert!(!starts_with_ci("Defender Expert\u{e9}", "Defender Experts"));
        assert!(!starts_with_ci("ééééééééééééééééé", "Defender Experts"));
    }

    #[test]
    fn owner_kinds() {
        assert_eq!(
            owner_kind(Some(" defender experts ")),
            OwnerKind::DefenderExperts
        );
        assert_eq!(owner_kind(Some("CUSTOMER")), OwnerKind::Customer);
        assert_eq!(owner_kind(Some("  ")), OwnerKind::Unassigned);
        assert_eq!(owner_kind(None), OwnerKind::Unassigned);
        assert_eq!(
            owner_kind(Some("kai@contoso.com")),
            OwnerKind::Person("kai@contoso.com".into())
        );
    }
}
