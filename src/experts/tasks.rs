//! Defender Experts managed-response tasks: beta `/security/incidentTasks`, filtered by
//! `incidentId` (there is no v1.0 resource). Parsing is lenient: unknown enum values are kept
//! verbatim, odd timestamps become `None`, and the whole record stays in [`IncidentTask::raw`].

use crate::graph::model::{Page, Timestamp, parse_page};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

macro_rules! task_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal, $label:literal;)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $($variant,)*
            /// Absent, or a value this build does not know (kept verbatim).
            #[default]
            Unknown,
            Other(String),
        }

        impl $name {
            /// Parses case-insensitively; unknown values are kept.
            pub fn parse(s: &str) -> Self {
                let t = s.trim();
                $(if t.eq_ignore_ascii_case($wire) { return $name::$variant; })*
                if t.is_empty() { $name::Unknown } else { $name::Other(t.to_string()) }
            }

            /// The wire value ("" when absent).
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown => "",
                    $name::Other(s) => s,
                }
            }

            /// A short human label (unknown values shown raw; untrusted).
            pub fn label(&self) -> &str {
                match self {
                    $($name::$variant => $label,)*
                    $name::Unknown => "unknown",
                    $name::Other(s) => s,
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(match Value::deserialize(d)? {
                    Value::String(s) => $name::parse(&s),
                    Value::Null => $name::Unknown,
                    other => $name::Other(other.to_string()),
                })
            }
        }
    };
}

task_enum! {
    /// `incidentTaskActionType`: what the task asks for.
    ActionType {
        Text = "text", "Manual task";
        IsolateDevice = "isolateDevice", "Isolate device";
        StopAndQuarantineFile = "stopAndQuarantineFile", "Stop and quarantine file";
        RunAntiVirusScan = "runAntiVirusScan", "Run antivirus scan";
        CollectInvestigationPackage = "collectInvestigationPackage", "Collect investigation package";
        RestrictAppExecution = "restrictAppExecution", "Restrict app execution";
        SubmitIocRule = "submitIocRule", "Submit IOC rule";
        ForceUserPasswordReset = "forceUserPasswordReset", "Force password reset";
        DisableUser = "disableUser", "Disable user";
        MarkUserAsCompromised = "markUserAsCompromised", "Mark user as compromised";
        RequireSignIn = "requireSignIn", "Require sign-in";
        HardDeleteEmail = "hardDeleteEmail", "Hard delete email";
        SoftDeleteEmail = "softDeleteEmail", "Soft delete email";
        UnIsolateDevice = "unIsolateDevice", "Release from isolation";
        UnRestrictAppExecution = "unRestrictAppExecution", "Remove app restriction";
        EnableUser = "enableUser", "Enable user";
    }
}

impl ActionType {
    /// True for the action types Graph's `executeResponseAction` supports.
    pub fn is_executable(&self) -> bool {
        matches!(
            self,
            ActionType::CollectInvestigationPackage
                | ActionType::IsolateDevice
                | ActionType::UnRestrictAppExecution
                | ActionType::UnIsolateDevice
                | ActionType::RestrictAppExecution
                | ActionType::RunAntiVirusScan
                | ActionType::StopAndQuarantineFile
                | ActionType::SubmitIocRule
        )
    }
}

task_enum! {
    /// `incidentTaskActionStatus`: execution state of the action.
    ActionStatus {
        NotStarted = "notStarted", "Not started";
        InProgress = "inProgress", "In progress";
        PartiallyCompleted = "partiallyCompleted", "Partially completed";
        Completed = "completed", "Completed";
        Failed = "failed", "Failed";
    }
}

task_enum! {
    /// `incidentTaskStatus`: the task's own state (the only writable property).
    TaskState {
        Open = "open", "Open";
        InProgress = "inProgress", "In progress";
        Completed = "completed", "Completed";
        Failed = "failed", "Failed";
        NotRelevant = "notRelevant", "Not relevant";
    }
}

impl TaskState {
    /// True while the task still needs attention (open or in progress, or unknown).
    pub fn is_pending(&self) -> bool {
        !matches!(
            self,
            TaskState::Completed | TaskState::NotRelevant | TaskState::Failed
        )
    }
}

task_enum! {
    /// `incidentTaskSource` (the docs sample sends the non-member `defenderExpertsXDR`).
    TaskSource {
        GuidedResponse = "defenderExpertsGuidedResponse", "Guided response";
        ManagedResponse = "defenderExpertsManagedResponse", "Managed response";
    }
}

/// The statuses an analyst may set ("I've completed this action" / "Skip").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    Completed,
    NotRelevant,
}

impl TaskStatus {
    /// The wire value.
    pub fn as_str(&self) -> &'static str {
        match self {
            TaskStatus::Completed => "completed",
            TaskStatus::NotRelevant => "notRelevant",
        }
    }
}

/// One managed-response task of an incident.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct IncidentTask {
    pub id: String,
    /// From `incident.id` (docs shape) or a flat `incidentId`.
    pub incident_id: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub status: TaskState,
    pub source: TaskSource,
    pub action_type: ActionType,
    pub action_status: ActionStatus,
    pub created_by: Option<String>,
    pub created: Option<Timestamp>,
    pub last_modified_by: Option<String>,
    pub last_modified: Option<Timestamp>,
    /// The record as received (includes `responseAction`).
    pub raw: Value,
}

impl IncidentTask {
    /// Builds a task from a JSON object. Fails only when there is no usable `id`.
    pub fn from_value(raw: Value) -> Result<IncidentTask, String> {
        let id = match raw.get("id") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err("incident task without a usable id".into()),
        };
        let s = |k: &str| match raw.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let ts = |k: &str| {
            raw.get(k)
                .and_then(Value::as_str)
                .and_then(Timestamp::parse)
        };
        let e = |k: &str| raw.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let incident_id = match raw.get("incident").and_then(|i| i.get("id")) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => s("incidentId"),
        };
        Ok(IncidentTask {
            id,
            incident_id,
            display_name: s("displayName"),
            description: s("description"),
            status: TaskState::parse(&e("status")),
            source: TaskSource::parse(&e("source")),
            action_type: ActionType::parse(&e("actionType")),
            action_status: ActionStatus::parse(&e("actionStatus")),
            created_by: s("createdByDisplayName"),
            created: ts("createdDateTime"),
            last_modified_by: s("lastModifiedByDisplayName"),
            last_modified: ts("lastModifiedDateTime").or_else(|| ts("lastUpdateDateTime")),
            raw,
        })
    }

    /// The title, or the action label when the service sent none.
    pub fn title(&self) -> &str {
        self.display_name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| self.action_type.label())
    }
}

impl<'de> Deserialize<'de> for IncidentTask {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IncidentTask::from_value(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl Serialize for IncidentTask {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

/// Parses one page of `incidentTasks`; records without an id are reported in `bad`.
pub fn parse_tasks(body: Value) -> Result<Page<IncidentTask>, String> {
    parse_page(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_PAGE: &str = r##"{
      "@odata.type": "collection(#microsoft.graph.security.incidentTask)",
      "value": [
        {
          "@odata.type": "#microsoft.graph.security.incidentTask",
          "id": "213213",
          "incident": { "@odata.type": "#microsoft.graph.security.incident", "id": "123" },
          "status": "open", "source": "defenderExpertsXDR",
          "displayName": "Isolate device testmachine20",
          "description": "This action will isolate device testmachine20 from the network.",
          "createdDateTime": "2023-06-26T19:07:39.7433333Z", "createdByDisplayName": "Defender Experts",
          "lastModifiedDateTime": "2023-06-27T10:49:33.98Z", "lastModifiedByDisplayName": "bealfasi",
          "actionType": "isolateDevice", "actionStatus": "notStarted",
          "responseAction": { "isolationType": "full" }
        },
        { "id": "7", "incidentId": 123, "status": "archived", "actionType": "wipeDevice",
          "actionStatus": null, "createdDateTime": "not a date" },
        { "displayName": "no id" }
      ]
    }"##;

    #[test]
    fn parses_docs_sample_and_keeps_unknown_values() {
        let page = parse_tasks(serde_json::from_str(DOC_PAGE).unwrap()).unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.bad.len(), 1);
        let t = &page.items[0];
        assert_eq!(t.incident_id.as_deref(), Some("123"));
        assert_eq!(t.action_type, ActionType::IsolateDevice);
        assert!(t.action_type.is_executable());
        assert_eq!(t.action_status, ActionStatus::NotStarted);
        assert_eq!(t.status, TaskState::Open);
        assert_eq!(t.source, TaskSource::Other("defenderExpertsXDR".into()));
        assert!(t.created.is_some() && t.last_modified.is_some());
        assert_eq!(t.raw["responseAction"]["isolationType"], "full");
        let u = &page.items[1];
        assert_eq!(u.incident_id.as_deref(), Some("123"));
        assert_eq!(u.status, TaskState::Other("archived".into()));
        assert_eq!(u.action_type.as_str(), "wipeDevice");
        assert_eq!(u.action_status, ActionStatus::Unknown);
        assert!(u.created.is_none());
        assert_eq!(u.title(), "wipeDevice");
    }
}
