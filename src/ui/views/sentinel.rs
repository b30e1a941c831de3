//! Microsoft Sentinel, visibly: which incidents and alerts came from Sentinel (the `[SEN]`
//! queue marker, `[Sentinel]` on the incident and alert headers) and, with the optional
//! `[sentinel]` workspace setting, the link to the Sentinel workspace on the incident page, so
//! an analyst sees that a change made here reaches Sentinel through the bi-directional
//! connector.

use super::doc::Doc;
use crate::graph::model::{Alert, ServiceSource};
use crate::store::IncidentEntry;
use crate::ui::theme::Theme;
use std::sync::OnceLock;

/// The queue row's marker before the title.
pub const ROW_MARKER: &str = "[SEN] ";
/// The incident and alert headers' marker.
pub const HEADER_MARKER: &str = "  [Sentinel]";

/// The Sentinel workspace the tenant's Defender XDR incidents are connected to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentinelWorkspace {
    /// Azure subscription id.
    pub subscription_id: String,
    /// Resource group of the Log Analytics workspace.
    pub resource_group: String,
    /// Log Analytics workspace name (the ARM resource name).
    pub workspace: String,
}

impl SentinelWorkspace {
    /// The workspace in the Azure portal (Microsoft Sentinel opens from it).
    pub fn link(&self) -> String {
        let seg = crate::graph::resources::encode_strict;
        format!(
            "https://portal.azure.com/#resource/subscriptions/{}/resourceGroups/{}/providers/Microsoft.OperationalInsights/workspaces/{}",
            seg(&self.subscription_id),
            seg(&self.resource_group),
            seg(&self.workspace)
        )
    }
}

static WORKSPACE: OnceLock<SentinelWorkspace> = OnceLock::new();

/// Sets the workspace for this process (start-up, from `[sentinel]`); later calls are ignored.
pub fn configure(ws: SentinelWorkspace) {
    let _ = WORKSPACE.set(ws);
}

/// The configured workspace, if any.
pub fn workspace() -> Option<&'static SentinelWorkspace> {
    WORKSPACE.get()
}

/// Whether the incident holds alerts from Sentinel (by the service sources of its alerts).
pub fn incident_from_sentinel(e: &IncidentEntry) -> bool {
    e.sources.contains(&ServiceSource::MicrosoftSentinel)
}

/// The incident page's Sentinel fields: where the incident came from and, with a workspace,
/// its link. Nothing when no alert came from Sentinel.
pub fn overview_fields(
    doc: &mut Doc,
    e: &IncidentEntry,
    alerts: &[&Alert],
    ws: Option<&SentinelWorkspace>,
    theme: &Theme,
) {
    let from_alerts = alerts.iter().filter(|a| a.is_sentinel()).count();
    if from_alerts == 0 && !incident_from_sentinel(e) {
        return;
    }
    doc.field(
        "Sentinel",
        &format!(
            "{from_alerts} alert(s) from Microsoft Sentinel; changes made here reach Sentinel \
             through the bi-directional connector"
        ),
        theme.text,
        theme,
    );
    if let Some(ws) = ws {
        doc.field("Sentinel workspace", &ws.link(), theme.key_hint, theme);
        doc.field(
            "Find it there by",
            &format!("provider incident id {}", e.incident.id),
            theme.muted,
            theme,
        );
    }
}

/// The label of `providerAlertId` on the alert page: Sentinel's own alert id for its alerts.
pub fn provider_alert_id_label(a: &Alert) -> &'static str {
    if a.is_sentinel() {
        "Sentinel alert id"
    } else {
        "Provider alert id"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::Incident;
    use crate::store::{Identity, Store};
    use crate::sync::{Update, UpsertSource};
    use serde_json::json;

    fn ws() -> SentinelWorkspace {
        SentinelWorkspace {
            subscription_id: "00000000-1111-2222-3333-444444444444".into(),
            resource_group: "rg soc".into(),
            workspace: "law-sentinel".into(),
        }
    }

    fn store_with(source: &str) -> Store {
        let inc: Incident = serde_json::from_value(json!({
            "id": "7", "displayName": "x", "status": "active", "severity": "high",
            "lastUpdateDateTime": "2026-03-01T10:00:00Z",
            "alerts": [{"id": "a1", "serviceSource": source, "providerAlertId": "p-1"}]
        }))
        .unwrap();
        let mut s = Store::new(Identity::new(["me@contoso.com"]));
        s.apply(Update::Incidents {
            items: vec![inc],
            source: UpsertSource::Initial,
        });
        s
    }

    fn text(doc: &Doc) -> String {
        doc.lines
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_link_names_the_workspace_with_encoded_segments() {
        assert_eq!(
            ws().link(),
            "https://portal.azure.com/#resource/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg%20soc/providers/Microsoft.OperationalInsights/workspaces/law-sentinel"
        );
    }

    #[test]
    fn sentinel_incidents_are_marked_and_linked_others_are_not() {
        let theme = Theme::default();
        let s = store_with("microsoftSentinel");
        let e = s.incident("7").unwrap();
        let alerts = s.alerts("7");
        assert!(incident_from_sentinel(e));
        assert!(alerts[0].is_sentinel());
        assert_eq!(provider_alert_id_label(alerts[0]), "Sentinel alert id");
        let mut doc = Doc::new();
        overview_fields(&mut doc, e, &alerts, None, &theme);
        let t = text(&doc);
        assert!(t.contains("1 alert(s) from Microsoft Sentinel"), "{t}");
        assert!(!t.contains("portal.azure.com"), "{t}");
        let mut doc = Doc::new();
        overview_fields(&mut doc, e, &alerts, Some(&ws()), &theme);
        let t = text(&doc);
        assert!(t.contains("workspaces/law-sentinel"), "{t}");
        assert!(t.contains("provider incident id 7"), "{t}");

        let s = store_with("microsoftDefenderForEndpoint");
        let e = s.incident("7").unwrap();
        let alerts = s.alerts("7");
        assert!(!incident_from_sentinel(e));
        assert_eq!(provider_alert_id_label(alerts[0]), "Provider alert id");
        let mut doc = Doc::new();
        overview_fields(&mut doc, e, &alerts, Some(&ws()), &theme);
        assert!(doc.is_empty());
    }
}
