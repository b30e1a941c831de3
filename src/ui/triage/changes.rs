//! The pure part of the manage pane: from what the analyst asked for ([`Edits`]) to one minimal
//! [`IncidentPatch`] per incident, and human descriptions of those patches.

use crate::graph::model::{Classification, Determination, Incident, IncidentPatch, IncidentStatus};

/// What the analyst asked for; `None`/empty means "leave as it is". For a multi-selection the
/// same edits are applied to every incident relative to that incident's own values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edits {
    pub status: Option<IncidentStatus>,
    /// `Some(None)` unassigns.
    pub owner: Option<Option<String>>,
    /// `(Unknown, Unknown)` is "Not set".
    pub classification: Option<(Classification, Determination)>,
    pub severity: Option<crate::graph::model::Severity>,
    /// Tags to add (skipped where an incident already has them, ignoring case).
    pub tags_add: Vec<String>,
    /// Tags to remove (exact names).
    pub tags_remove: Vec<String>,
    /// Resolving comment; sent only when the status edit is Resolved and it is not blank.
    pub resolving_comment: String,
}

impl Edits {
    /// True when nothing was asked for.
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.owner.is_none()
            && self.classification.is_none()
            && self.severity.is_none()
            && self.tags_add.is_empty()
            && self.tags_remove.is_empty()
    }
}

fn norm_owner(o: Option<&str>) -> Option<&str> {
    o.map(str::trim).filter(|s| !s.is_empty())
}

fn class_of(i: &Incident) -> Classification {
    i.classification.clone().unwrap_or(Classification::Unknown)
}

fn det_of(i: &Incident) -> Determination {
    i.determination.clone().unwrap_or(Determination::Unknown)
}

/// The tags `inc` would have after the edits.
pub fn tags_after(inc: &Incident, e: &Edits) -> Vec<String> {
    let mut out: Vec<String> = inc
        .custom_tags
        .iter()
        .filter(|t| !e.tags_remove.contains(t))
        .cloned()
        .collect();
    for add in &e.tags_add {
        let add = add.trim();
        if !add.is_empty() && !out.iter().any(|t| t.eq_ignore_ascii_case(add)) {
            out.push(add.to_string());
        }
    }
    out
}

/// The minimal patch for one incident: only properties whose value would change. Status and the
/// resolving comment are never sent for a redirected (merged) incident.
pub fn patch_for(inc: &Incident, e: &Edits) -> IncidentPatch {
    let mut p = IncidentPatch::default();
    let redirected = inc.status == IncidentStatus::Redirected;
    if let Some(s) = &e.status
        && !redirected
        && &inc.status != s
    {
        p.status = Some(s.clone());
    }
    if let Some(new) = &e.owner {
        let cur = norm_owner(inc.assigned_to.as_deref());
        let new = norm_owner(new.as_deref());
        let same = match (cur, new) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            p.assigned_to = Some(new.map(str::to_string));
        }
    }
    if let Some((c, d)) = &e.classification {
        if &class_of(inc) != c {
            p.classification = Some(c.clone());
        }
        if &det_of(inc) != d {
            p.determination = Some(d.clone());
        }
    }
    if let Some(s) = &e.severity
        && &inc.severity != s
    {
        p.severity = Some(s.clone());
    }
    let tags = tags_after(inc, e);
    if tags != inc.custom_tags {
        p.custom_tags = Some(tags);
    }
    let comment = e.resolving_comment.trim();
    if e.status == Some(IncidentStatus::Resolved)
        && !redirected
        && !comment.is_empty()
        && inc.resolving_comment.as_deref().map(str::trim) != Some(comment)
    {
        p.resolving_comment = Some(comment.to_string());
    }
    p
}

/// True when the patch resolves, unassigns, removes a tag or changes the classification: these
/// always go through a confirmation.
pub fn is_destructive(inc: &Incident, p: &IncidentPatch) -> bool {
    p.status == Some(IncidentStatus::Resolved)
        || p.assigned_to == Some(None)
        || p.classification.is_some()
        || p.determination.is_some()
        || p.custom_tags
            .as_ref()
            .is_some_and(|new| inc.custom_tags.iter().any(|t| !new.contains(t)))
}

/// "True positive / Phishing", "Not set", "False positive".
pub fn classification_label(c: &Classification, d: &Determination) -> String {
    if *c == Classification::Unknown {
        return "Not set".into();
    }
    if *d == Determination::Unknown {
        c.label().to_string()
    } else {
        format!("{} / {}", c.label(), d.label())
    }
}

/// Display form of an owner.
pub fn owner_label(o: Option<&str>) -> String {
    match norm_owner(o) {
        Some(s) => s.to_string(),
        None => "(unassigned)".into(),
    }
}

fn shorten(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut t: String = flat.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// One fragment per changed property: `"status: Active → Resolved"`. Values are raw (untrusted):
/// sanitise before display.
pub fn describe_changes(inc: &Incident, p: &IncidentPatch) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = &p.status {
        out.push(format!("status: {} → {}", inc.status.label(), s.label()));
    }
    if let Some(o) = &p.assigned_to {
        out.push(format!(
            "owner: {} → {}",
            owner_label(inc.assigned_to.as_deref()),
            owner_label(o.as_deref())
        ));
    }
    if p.classification.is_some() || p.determination.is_some() {
        let (c0, d0) = (class_of(inc), det_of(inc));
        let c1 = p.classification.clone().unwrap_or_else(|| c0.clone());
        let d1 = p.determination.clone().unwrap_or_else(|| d0.clone());
        out.push(format!(
            "classification: {} → {}",
            classification_label(&c0, &d0),
            classification_label(&c1, &d1)
        ));
    }
    if let Some(s) = &p.severity {
        out.push(format!(
            "severity: {} → {}",
            inc.severity.label(),
            s.label()
        ));
    }
    if let Some(new) = &p.custom_tags {
        let mut parts: Vec<String> = new
            .iter()
            .filter(|t| !inc.custom_tags.contains(t))
            .map(|t| format!("+{}", crate::ui::text::tag_label(t)))
            .collect();
        parts.extend(
            inc.custom_tags
                .iter()
                .filter(|t| !new.contains(t))
                .map(|t| format!("-{}", crate::ui::text::tag_label(t))),
        );
        out.push(format!("tags: {}", parts.join(" ")));
    }
    if let Some(c) = &p.resolving_comment {
        out.push(format!("resolving comment: \"{}\"", shorten(c, 40)));
    }
    for (name, v) in [
        ("name", &p.display_name),
        ("description", &p.description),
        ("summary", &p.summary),
    ] {
        if let Some(v) = v {
            out.push(format!("{name}: \"{}\"", shorten(v, 40)));
        }
    }
    out
}

/// `"#123 status: Active → Resolved; classification: Not set → True positive / Phishing"`.
pub fn summary_line(inc: &Incident, p: &IncidentPatch) -> String {
    format!("#{} {}", inc.id, describe_changes(inc, p).join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::Severity;

    fn inc(tags: &[&str]) -> Incident {
        Incident {
            id: "7".into(),
            status: IncidentStatus::Active,
            severity: Severity::High,
            assigned_to: Some("Alice@contoso.com".into()),
            custom_tags: tags.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn same_owner_ignoring_case_is_not_a_change() {
        let e = Edits {
            owner: Some(Some("alice@CONTOSO.com".into())),
            ..Default::default()
        };
        assert!(patch_for(&inc(&[]), &e).is_empty());
    }

    #[test]
    fn tags_add_skips_existing_case_insensitively() {
        let e = Edits {
            tags_add: vec!["demo".into(), "New".into()],
            tags_remove: vec!["Old".into()],
            ..Default::default()
        };
        assert_eq!(tags_after(&inc(&["Demo", "Old"]), &e), vec!["Demo", "New"]);
    }

    #[test]
    fn redirected_incident_keeps_its_status() {
        let mut i = inc(&[]);
        i.status = IncidentStatus::Redirected;
        let e = Edits {
            status: Some(IncidentStatus::Resolved),
            resolving_comment: "done".into(),
            ..Default::default()
        };
        assert!(patch_for(&i, &e).is_empty());
    }

    #[test]
    fn describes_classification_and_tags() {
        let i = inc(&["Old"]);
        let e = Edits {
            classification: Some((Classification::TruePositive, Determination::Phishing)),
            tags_add: vec!["X".into()],
            tags_remove: vec!["Old".into()],
            ..Default::default()
        };
        let p = patch_for(&i, &e);
        assert_eq!(
            summary_line(&i, &p),
            "#7 classification: Not set → True positive / Phishing; tags: +X -Old"
        );
        assert!(is_destructive(&i, &p));
    }
}
