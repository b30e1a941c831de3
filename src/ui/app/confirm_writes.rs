//! Asking before writes the analyst may not expect: assigning several incidents to yourself,
//! taking an incident over from a colleague, one comment for several incidents. The dialog
//! lists what changes per incident (old owner → new owner); "yes" sends the writes.

use super::App;
use crate::graph::model::Incident;
use crate::sync::WriteOp;
use crate::ui::triage::changes::owner_label;
use crate::ui::triage::{ConfirmDialog, WritesConfirm};

/// How to fix an unknown identity (shown when "me" is needed and not known).
pub(super) const IDENTITY_UNKNOWN: &str = "Your identity is not known yet, so vigil cannot assign to you: \
     add your sign-in name to the config file, [user] aliases = [\"you@contoso.com\"] \
     (`vigil config-path` shows where the file is)";

/// The assign-to-me dialog when it needs one: several incidents change owner, or the one that
/// changes is someone else's. `None`: apply at once (one unassigned incident).
pub(super) fn assign_dialog(
    targets: &[Incident],
    ops: &[WriteOp],
    me: &str,
) -> Option<ConfirmDialog> {
    let changing: Vec<&Incident> = ops
        .iter()
        .filter_map(|op| match op {
            WriteOp::PatchIncident { incident_id, .. } => {
                targets.iter().find(|t| &t.id == incident_id)
            }
            _ => None,
        })
        .collect();
    let owned_by_other = |t: &Incident| {
        t.assigned_to
            .as_deref()
            .is_some_and(|o| !o.trim().is_empty())
    };
    if let [single] = changing.as_slice() {
        if !owned_by_other(single) {
            return None;
        }
        let from = owner_label(single.assigned_to.as_deref());
        let lines = vec![
            format!("#{} {}", single.id, single.title()),
            format!("  owner: {from} → {me}"),
        ];
        return Some(
            ConfirmDialog::new(format!("Take over incident #{}", single.id), lines)
                .with_prompt(format!("Take over #{} from {from}? y/n", single.id)),
        );
    }
    let mut lines: Vec<String> = changing
        .iter()
        .map(|t| {
            format!(
                "#{} owner {} → {me} · {}",
                t.id,
                owner_label(t.assigned_to.as_deref()),
                t.title()
            )
        })
        .collect();
    let mine: Vec<String> = targets
        .iter()
        .filter(|t| !changing.iter().any(|c| c.id == t.id))
        .map(|t| format!("#{}", t.id))
        .collect();
    if !mine.is_empty() {
        lines.push(format!("already yours: {}", mine.join(", ")));
    }
    Some(
        ConfirmDialog::new(format!("Assign {} incidents to you", changing.len()), lines)
            .with_prompt("Assign these incidents to you? y/n"),
    )
}

/// The dialog for one comment going to several incidents.
pub(super) fn comment_dialog(ops: &[WriteOp], title_of: impl Fn(&str) -> String) -> ConfirmDialog {
    let mut lines = Vec::new();
    let mut text = String::new();
    for op in ops {
        if let WriteOp::CommentIncident {
            incident_id,
            text: t,
        } = op
        {
            lines.push(format!("#{incident_id} {}", title_of(incident_id)));
            text = t.clone();
        }
    }
    let first = text.lines().next().unwrap_or("").to_string();
    lines.push(String::new());
    lines.push(format!("comment: {first}"));
    ConfirmDialog::new(format!("Comment on {} incidents", ops.len()), lines)
        .with_prompt("Add this comment to every incident listed? y/n")
}

impl App {
    /// Opens a confirmation that sends `ops` on "yes".
    pub(super) fn ask_before_writing(&mut self, dialog: ConfirmDialog, ops: Vec<WriteOp>) {
        self.modals.push(Box::new(WritesConfirm::new(dialog, ops)));
        self.dirty = true;
    }
}
