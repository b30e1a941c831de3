//! The alert drill-down: every field worth reading, the evidence list (Enter opens an item), a
//! reconstructed process tree and the comments.

use super::doc::Doc;
use super::incident::comments_doc;
use super::{Symbols, process_tree, sev_style, when};
use crate::graph::model::{Alert, Evidence, Timestamp};
use crate::ui::sanitize::sanitize_spans;
use crate::ui::theme::Theme;
use ratatui::text::{Line, Span};

/// Sections of the alert page, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlertSection {
    Details,
    Evidence,
    ProcessTree,
    Comments,
}

impl AlertSection {
    /// Tab order.
    pub const ALL: &'static [AlertSection] = &[
        AlertSection::Details,
        AlertSection::Evidence,
        AlertSection::ProcessTree,
        AlertSection::Comments,
    ];

    /// Tab label.
    pub fn label(self) -> &'static str {
        match self {
            AlertSection::Details => "Details",
            AlertSection::Evidence => "Evidence",
            AlertSection::ProcessTree => "Process tree",
            AlertSection::Comments => "Comments",
        }
    }
}

/// The tab bar.
pub fn tabs(active: AlertSection, theme: &Theme) -> Line<'static> {
    let mut s = Vec::new();
    for (i, sec) in AlertSection::ALL.iter().enumerate() {
        if i > 0 {
            s.push(Span::styled(" ", theme.muted));
        }
        let st = if *sec == active {
            theme.tab_active
        } else {
            theme.tab_inactive
        };
        s.push(Span::styled(format!(" {} ", sec.label()), st));
    }
    Line::from(s)
}

/// The header line: `Alert <id>  High  New  title`.
pub fn header(a: &Alert, theme: &Theme) -> Line<'static> {
    let mut s = vec![Span::styled("Alert ", theme.title)];
    s.extend(sanitize_spans(&a.id, theme.muted, theme.marker));
    s.push(Span::raw("  "));
    s.push(Span::styled(
        super::clean(a.severity.label()),
        sev_style(theme, &a.severity),
    ));
    s.push(Span::raw("  "));
    s.push(Span::styled(super::clean(a.status.label()), theme.text));
    if a.is_experts() {
        s.push(Span::styled("  [Defender Experts]", theme.experts));
    }
    if a.is_sentinel() {
        s.push(Span::styled(super::sentinel::HEADER_MARKER, theme.muted));
    }
    s.push(Span::raw("  "));
    s.extend(sanitize_spans(a.title(), theme.title, theme.marker));
    Line::from(s)
}

/// What the alert page shows.
pub struct AlertData<'a> {
    pub alert: &'a Alert,
    /// Comments written but not yet confirmed.
    pub pending_comments: &'a [&'a str],
    /// Whether alert writes are pending.
    pub pending: bool,
    pub now: Timestamp,
}

/// The document of one section.
pub fn section_doc(
    section: AlertSection,
    d: &AlertData,
    theme: &Theme,
    sym: Symbols,
    width: usize,
) -> Doc {
    match section {
        AlertSection::Details => details(d, theme, width),
        AlertSection::Evidence => evidence_list(d.alert, theme),
        AlertSection::ProcessTree => tree(d.alert, theme, sym),
        AlertSection::Comments => {
            comments_doc(&d.alert.comments, d.pending_comments, d.now, theme, width)
        }
    }
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().filter(|s| !s.is_empty()).unwrap_or("-")
}

fn details(d: &AlertData, theme: &Theme, width: usize) -> Doc {
    let a = d.alert;
    let mut doc = Doc::new();
    doc.field("Title", a.title(), theme.title, theme);
    doc.field("Alert id", &a.id, theme.text, theme);
    doc.field_spans(
        "Severity",
        vec![Span::styled(
            super::clean(a.severity.label()),
            sev_style(theme, &a.severity),
        )],
        theme,
    );
    doc.field("Status", a.status.label(), theme.text, theme);
    if d.pending {
        doc.field(
            "Pending",
            "a change to this alert is being saved",
            theme.pending,
            theme,
        );
    }
    doc.field(
        "Classification",
        a.classification
            .as_ref()
            .map(|c| c.label())
            .unwrap_or("Not set"),
        theme.text,
        theme,
    );
    doc.field(
        "Determination",
        a.determination
            .as_ref()
            .map(|c| c.label())
            .unwrap_or("Not set"),
        theme.text,
        theme,
    );
    doc.field("Assigned to", opt(&a.assigned_to), theme.text, theme);
    doc.field(
        "Service source",
        a.service_source.label(),
        theme.text,
        theme,
    );
    doc.field(
        "Detection source",
        a.detection_source.label(),
        theme.text,
        theme,
    );
    doc.field("Product", opt(&a.product_name), theme.text, theme);
    doc.field("Detector id", opt(&a.detector_id), theme.muted, theme);
    let categories = a.all_categories();
    doc.field(
        if categories.len() > 1 {
            "Categories"
        } else {
            "Category"
        },
        &if categories.is_empty() {
            "-".to_string()
        } else {
            categories.join(", ")
        },
        theme.text,
        theme,
    );
    doc.field(
        "MITRE techniques",
        &if a.mitre_techniques.is_empty() {
            "-".into()
        } else {
            a.mitre_techniques.join(", ")
        },
        theme.text,
        theme,
    );
    doc.field("Actor", opt(&a.actor_display_name), theme.text, theme);
    doc.field("Threat", opt(&a.threat_display_name), theme.text, theme);
    doc.field(
        "Threat family",
        opt(&a.threat_family_name),
        theme.text,
        theme,
    );
    doc.field(
        "Investigation",
        a.investigation_state
            .as_ref()
            .map(|s| s.label())
            .unwrap_or("-"),
        theme.text,
        theme,
    );
    doc.field(
        "Created",
        &when(d.now, a.created_date_time),
        theme.text,
        theme,
    );
    doc.field(
        "First activity",
        &when(d.now, a.first_activity_date_time),
        theme.text,
        theme,
    );
    doc.field(
        "Last activity",
        &when(d.now, a.last_activity_date_time),
        theme.text,
        theme,
    );
    doc.field(
        "Last update",
        &when(d.now, a.last_update_date_time),
        theme.text,
        theme,
    );
    if a.resolved_date_time.is_some() {
        doc.field(
            "Resolved",
            &when(d.now, a.resolved_date_time),
            theme.text,
            theme,
        );
    }
    if !a.system_tags.is_empty() {
        doc.field(
            "System tags",
            &crate::ui::text::tag_list(&a.system_tags),
            theme.experts,
            theme,
        );
    }
    doc.field("Incident", opt(&a.incident_id), theme.text, theme);
    doc.field(
        super::sentinel::provider_alert_id_label(a),
        opt(&a.provider_alert_id),
        theme.muted,
        theme,
    );
    doc.field("Alert policy", opt(&a.alert_policy_id), theme.muted, theme);
    doc.field("Portal", opt(&a.alert_web_url), theme.key_hint, theme);
    doc.field(
        "Evidence items",
        &a.evidence.len().to_string(),
        theme.text,
        theme,
    );
    for (label, text) in [
        ("Description", &a.description),
        ("Recommended actions", &a.recommended_actions),
    ] {
        if let Some(t) = text.as_deref().filter(|s| !s.trim().is_empty()) {
            doc.blank();
            doc.heading(label, theme);
            doc.prose(t, 2, width, theme.text, theme);
        }
    }
    for (label, v) in [
        ("Custom details", &a.custom_details),
        ("Additional data", &a.additional_data),
    ] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_null()) {
            doc.blank();
            doc.heading(label, theme);
            super::evidence::json_tree(&mut doc, v, None, 2, theme);
        }
    }
    doc
}

/// One evidence list line (type, verdict, remediation, roles, summary).
pub fn evidence_line(ev: &Evidence, theme: &Theme) -> Line<'static> {
    let verdict_style = match ev.verdict.as_str() {
        "malicious" => theme.sev_high,
        "suspicious" => theme.sev_medium,
        _ => theme.muted,
    };
    let mut s = sanitize_spans(
        &format!("{:<18} ", ev.type_label()),
        theme.title,
        theme.marker,
    );
    s.push(Span::styled(
        format!("{:<16} ", super::clean(ev.verdict.label())),
        verdict_style,
    ));
    s.push(Span::styled(
        format!("{:<20} ", super::clean(ev.remediation_status.label())),
        theme.muted,
    ));
    s.extend(sanitize_spans(&ev.summary(), theme.text, theme.marker));
    if !ev.roles.is_empty() {
        let r: Vec<&str> = ev.roles.iter().map(|r| r.label()).collect();
        s.push(Span::styled(
            format!("  [{}]", super::clean(&r.join(", "))),
            theme.muted,
        ));
    }
    Line::from(s)
}

fn evidence_list(a: &Alert, theme: &Theme) -> Doc {
    let mut doc = Doc::new();
    if a.evidence.is_empty() {
        doc.push(Line::from(Span::styled("No evidence.", theme.muted)));
    }
    for ev in &a.evidence {
        doc.push_item(evidence_line(ev, theme));
    }
    doc
}

fn tree(a: &Alert, theme: &Theme, sym: Symbols) -> Doc {
    let mut doc = Doc::new();
    doc.push(Line::from(Span::styled(process_tree::LABEL, theme.muted)));
    doc.blank();
    let refs: Vec<&Evidence> = a.evidence.iter().collect();
    let rows = process_tree::build(&refs);
    if rows.is_empty() {
        doc.push(Line::from(Span::styled(
            "No process evidence in this alert.",
            theme.muted,
        )));
    }
    for l in process_tree::lines(&rows, theme, sym) {
        doc.push(l);
    }
    doc
}
