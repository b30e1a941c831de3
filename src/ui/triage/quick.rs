//! Quick actions bound to single keys in the queue: assign to me (`a`), status (`s`),
//! classify (`c`) and tags (`t`).

use super::manage::{Field, ManagePane};
use crate::graph::model::{Incident, IncidentPatch};
use crate::sync::IncidentBase;
use crate::sync::messages::WriteOp;

/// One `PatchIncident` per target not already assigned to `me` (compared ignoring case).
pub fn assign_to_me(targets: &[Incident], me: &str) -> Vec<WriteOp> {
    let me = me.trim();
    if me.is_empty() {
        return Vec::new();
    }
    targets
        .iter()
        .filter(|t| {
            !t.assigned_to
                .as_deref()
                .is_some_and(|a| a.trim().eq_ignore_ascii_case(me))
        })
        .map(|t| {
            let patch = IncidentPatch {
                assigned_to: Some(Some(me.to_string())),
                ..Default::default()
            };
            WriteOp::PatchIncident {
                incident_id: t.id.clone(),
                base: Some(Box::new(IncidentBase::capture(&patch, t))),
                patch,
                base_last_update: t.last_update_date_time,
                force: false,
            }
        })
        .collect()
}

/// The manage pane with the status picker open (quick mode).
pub fn status_picker(targets: Vec<Incident>) -> ManagePane {
    ManagePane::focused(targets, vec![], vec![], None, vec![], Field::Status)
}

/// The manage pane with the classification picker open (quick mode).
pub fn classify_picker(targets: Vec<Incident>) -> ManagePane {
    ManagePane::focused(targets, vec![], vec![], None, vec![], Field::Classification)
}

/// The manage pane with the tag editor open (quick mode).
pub fn tags_picker(targets: Vec<Incident>, tags_in_use: Vec<String>) -> ManagePane {
    ManagePane::focused(targets, vec![], tags_in_use, None, vec![], Field::Tags)
}
