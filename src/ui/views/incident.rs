//! The incident page: a header, section tabs (Overview, Alerts, Evidence, Comments, Recommended
//! actions) and one scrollable document per section.

use super::doc::Doc;
use super::queue::classification_text;
use super::{Symbols, absolute, sev_style, status_style, when};
use crate::graph::model::{Alert, Evidence, IncidentStatus, Timestamp};
use crate::store::IncidentEntry;
use crate::sync::WriteOp;
use crate::ui::sanitize::sanitize_spans;
use crate::ui::theme::Theme;
use ratatui::text::{Line, Span};
use std::collections::BTreeSet;

/// Sections of the incident page, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    Overview,
    Alerts,
    Evidence,
    Comments,
    Actions,
}

impl Section {
    /// Tab order.
    pub const ALL: &'static [Section] = &[
        Section::Overview,
        Section::Alerts,
        Section::Evidence,
        Section::Comments,
        Section::Actions,
    ];

    /// Tab label.
    pub fn label(self) -> &'static str {
        match self {
            Section::Overview => "Overview",
            Section::Alerts => "Alerts",
            Section::Evidence => "Evidence",
            Section::Comments => "Comments",
            Section::Actions => "Recommended actions",
        }
    }
}

/// What the incident page shows.
pub struct IncidentData<'a> {
    pub entry: &'a IncidentEntry,
    /// Chronological.
    pub alerts: &'a [&'a Alert],
    pub now: Timestamp,
}

/// One evidence item as listed on the incident page: where it lives and how many alerts share
/// it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceRef {
    pub alert_id: String,
    pub index: usize,
    pub type_label: String,
    /// Number of alerts carrying the same entity.
    pub count: usize,
}

const TYPE_ORDER: &[&str] = &[
    "device",
    "user",
    "mailbox",
    "ip",
    "url",
    "file",
    "process",
    "cloudApplication",
];

fn type_rank(t: &str) -> (usize, String) {
    (
        TYPE_ORDER
            .iter()
            .position(|x| *x == t)
            .unwrap_or(TYPE_ORDER.len()),
        t.to_string(),
    )
}

/// Evidence across all alerts, de-duplicated by (type, summary), grouped by type in a fixed
/// order (device, user, mailbox, IP, URL, file, process, app, then the rest by name).
pub fn evidence_items(alerts: &[&Alert]) -> Vec<EvidenceRef> {
    let mut out: Vec<EvidenceRef> = Vec::new();
    let mut seen: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    for a in alerts {
        for (i, ev) in a.evidence.iter().enumerate() {
            let t = ev.type_label().to_string();
            match seen.get(&(t.clone(), ev.summary())) {
                Some(&k) => out[k].count += 1,
                None => {
                    seen.insert((t.clone(), ev.summary()), out.len());
                    out.push(EvidenceRef {
                        alert_id: a.id.clone(),
                        index: i,
                        type_label: t,
                        count: 1,
                    });
                }
            }
        }
    }
    // Stable: first-seen order within a type.
    out.sort_by_key(|r| type_rank(&r.type_label));
    out
}

/// The tab bar.
pub fn tabs(active: Section, theme: &Theme) -> Line<'static> {
    let mut s = Vec::new();
    for (i, sec) in Section::ALL.iter().enumerate() {
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

/// The header line: `#id  High  Active  title`.
pub fn header(entry: &IncidentEntry, theme: &Theme) -> Line<'static> {
    let i = &entry.incident;
    let mut s = vec![Span::styled("Incident #", theme.title)];
    s.extend(sanitize_spans(&i.id, theme.title, theme.marker));
    s.push(Span::raw("  "));
    s.push(Span::styled(
        super::clean(i.severity.label()),
        sev_style(theme, &i.severity),
    ));
    s.push(Span::raw("  "));
    s.push(Span::styled(
        super::clean(i.status.label()),
        status_style(theme, &i.status),
    ));
    if entry.experts {
        s.push(Span::styled("  [Defender Experts]", theme.experts));
    }
    if super::sentinel::incident_from_sentinel(entry) {
        s.push(Span::styled(super::sentinel::HEADER_MARKER, theme.muted));
    }
    s.push(Span::raw("  "));
    s.extend(sanitize_spans(i.title(), theme.title, theme.marker));
    Line::from(s)
}

/// The document of one section.
pub fn section_doc(
    section: Section,
    d: &IncidentData,
    theme: &Theme,
    sym: Symbols,
    width: usize,
) -> Doc {
    match section {
        Section::Overview => overview(d, theme, width),
        Section::Alerts => alerts(d, theme, sym),
        Section::Evidence => evidence(d, theme),
        Section::Comments => comments(d, theme, width),
        Section::Actions => actions(d, theme, width),
    }
}

fn loading(d: &IncidentData, doc: &mut Doc, theme: &Theme) -> bool {
    if d.entry.alerts_loaded {
        return false;
    }
    doc.push(Line::from(Span::styled("loading alerts…", theme.pending)));
    true
}

/// Tags as one line, a tag holding a comma quoted (see [`crate::ui::text::tag_list`]).
fn tags_or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        crate::ui::text::tag_list(v)
    }
}

fn list_or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

fn overview(d: &IncidentData, theme: &Theme, width: usize) -> Doc {
    let i = &d.entry.incident;
    let mut doc = Doc::new();
    doc.field("Title", i.title(), theme.title, theme);
    doc.field_spans(
        "Severity",
        vec![Span::styled(
            super::clean(i.severity.label()),
            sev_style(theme, &i.severity),
        )],
        theme,
    );
    let mut status = vec![Span::styled(
        super::clean(i.status.label()),
        status_style(theme, &i.status),
    )];
    if let (IncidentStatus::Redirected, Some(t)) = (&i.status, &i.redirect_incident_id) {
        status.push(Span::styled(" → merged into #", theme.muted));
        status.extend(sanitize_spans(t, theme.text, theme.marker));
    }
    doc.field_spans("Status", status, theme);
    doc.field(
        "Assigned to",
        i.assigned_to.as_deref().unwrap_or("-"),
        theme.text,
        theme,
    );
    doc.field(
        "Classification",
        &classification_text(d.entry).unwrap_or_else(|| "Not set".into()),
        theme.text,
        theme,
    );
    doc.field(
        "Custom tags",
        &tags_or_dash(&i.custom_tags),
        theme.text,
        theme,
    );
    doc.field(
        "System tags",
        &tags_or_dash(&i.system_tags),
        theme.experts,
        theme,
    );
    super::sentinel::overview_fields(
        &mut doc,
        d.entry,
        d.alerts,
        super::sentinel::workspace(),
        theme,
    );
    doc.field(
        "Priority score",
        &i.priority_score
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into()),
        theme.text,
        theme,
    );
    doc.field(
        "Created",
        &when(d.now, i.created_date_time),
        theme.text,
        theme,
    );
    doc.field(
        "Last update",
        &when(d.now, i.last_update_date_time),
        theme.text,
        theme,
    );
    if let Some(m) = &i.last_modified_by {
        doc.field("Last modified by", m, theme.muted, theme);
    }
    if !d.entry.pending.is_empty() {
        let fields: Vec<String> = d
            .entry
            .pending
            .iter()
            .map(|p| pending_label(&p.write))
            .collect();
        doc.field("Pending", &fields.join(", "), theme.pending, theme);
    }
    if !d.entry.conflicts.is_empty() {
        let fields: Vec<String> = d
            .entry
            .conflicts
            .iter()
            .map(|c| pending_label(&c.write))
            .collect();
        doc.field(
            "In conflict",
            &format!("{} (:retry to decide)", fields.join(", ")),
            theme.error,
            theme,
        );
    }
    if let Some(r) = &d.entry.rollback {
        doc.field("Rolled back", r, theme.error, theme);
    }
    if let Some(r) = i.resolving_comment.as_deref().filter(|s| !s.is_empty()) {
        doc.field("Resolution", r, theme.text, theme);
    }
    doc.field(
        "Portal",
        i.incident_web_url.as_deref().unwrap_or("-"),
        theme.key_hint,
        theme,
    );
    doc.blank();
    doc.heading("Activity and scope (from alerts)", theme);
    if !loading(d, &mut doc, theme) {
        let first = d
            .alerts
            .iter()
            .filter_map(|a| a.first_activity_date_time.or(a.created_date_time))
            .min();
        let last = d
            .alerts
            .iter()
            .filter_map(|a| a.last_activity_date_time.or(a.last_update_date_time))
            .max();
        doc.field("First activity", &when(d.now, first), theme.text, theme);
        doc.field("Last activity", &when(d.now, last), theme.text, theme);
        doc.field("Alerts", &d.alerts.len().to_string(), theme.text, theme);
        let sources: BTreeSet<String> = d
            .alerts
            .iter()
            .map(|a| super::clean(a.service_source.label()))
            .collect();
        let detections: BTreeSet<String> = d
            .alerts
            .iter()
            .map(|a| super::clean(a.detection_source.label()))
            .collect();
        doc.field(
            "Service sources",
            &list_or_dash(&sources.into_iter().collect::<Vec<_>>()),
            theme.text,
            theme,
        );
        doc.field(
            "Detection sources",
            &list_or_dash(&detections.into_iter().collect::<Vec<_>>()),
            theme.text,
            theme,
        );
        let mut cats: BTreeSet<String> = BTreeSet::new();
        let mut mitre: BTreeSet<String> = BTreeSet::new();
        for a in d.alerts {
            cats.extend(a.all_categories().into_iter().map(str::to_string));
            mitre.extend(a.mitre_techniques.iter().cloned());
        }
        doc.field(
            "Categories",
            &list_or_dash(&cats.into_iter().collect::<Vec<_>>()),
            theme.text,
            theme,
        );
        doc.field(
            "MITRE techniques",
            &list_or_dash(&mitre.into_iter().collect::<Vec<_>>()),
            theme.text,
            theme,
        );
        doc.field(
            "Scope",
            &scope_text(scope_counts(d.alerts)),
            theme.text,
            theme,
        );
    }
    for (label, text) in [("Summary", &i.summary), ("Description", &i.description)] {
        if let Some(t) = text.as_deref().filter(|s| !s.trim().is_empty()) {
            doc.blank();
            doc.heading(label, theme);
            doc.prose(t, 2, width, theme.text, theme);
        }
    }
    doc
}

/// Devices, users, mailboxes, IPs and files among the alerts' evidence, counted exactly as
/// the Evidence section groups them (one per distinct evidence item of that type).
pub fn scope_counts(alerts: &[&Alert]) -> [usize; 5] {
    let items = evidence_items(alerts);
    SCOPE_KINDS.map(|(kind, _, _)| items.iter().filter(|r| r.type_label == kind).count())
}

/// Evidence types counted in the overview's scope line: (type, singular, plural).
const SCOPE_KINDS: [(&str, &str, &str); 5] = [
    ("device", "device", "devices"),
    ("user", "user", "users"),
    ("mailbox", "mailbox", "mailboxes"),
    ("ip", "IP", "IPs"),
    ("file", "file", "files"),
];

/// "1 device · 2 users · 0 mailboxes · 1 IP · 3 files".
fn scope_text(counts: [usize; 5]) -> String {
    SCOPE_KINDS
        .iter()
        .zip(counts)
        .map(|((_, one, many), n)| super::count_noun(n, one, many))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn pending_label(w: &WriteOp) -> String {
    match w {
        WriteOp::PatchIncident { patch, .. } => patch.fields().join("/"),
        WriteOp::PatchAlert { .. } => "alert change".into(),
        WriteOp::CommentIncident { .. } | WriteOp::CommentAlert { .. } => "comment".into(),
        WriteOp::SendMail { .. } => "inquiry mail".into(),
    }
}

fn alerts(d: &IncidentData, theme: &Theme, sym: Symbols) -> Doc {
    let mut doc = Doc::new();
    if loading(d, &mut doc, theme) {
        return doc;
    }
    if d.alerts.is_empty() {
        doc.push(Line::from(Span::styled("No alerts.", theme.muted)));
        return doc;
    }
    for a in d.alerts {
        let t = a
            .first_activity_date_time
            .or(a.created_date_time)
            .map(absolute)
            .unwrap_or_else(|| "-".repeat(16));
        let mut s = vec![Span::styled(format!("{t}  "), theme.muted)];
        s.extend(super::fit_plain(
            a.severity.label(),
            6,
            sev_style(theme, &a.severity),
            sym,
        ));
        s.push(Span::raw(" "));
        s.extend(super::fit_plain(a.status.label(), 11, theme.text, sym));
        s.push(Span::raw(" "));
        s.extend(super::fit_plain(
            a.service_source.label(),
            12,
            theme.muted,
            sym,
        ));
        s.push(Span::raw(" "));
        if a.is_experts() {
            s.push(Span::styled("[DEX] ", theme.experts));
        }
        s.extend(sanitize_spans(a.title(), theme.text, theme.marker));
        doc.push_item(Line::from(s));
    }
    doc
}

fn evidence_line(ev: &Evidence, count: usize, theme: &Theme) -> Line<'static> {
    let verdict_style = match ev.verdict.as_str() {
        "malicious" => theme.sev_high,
        "suspicious" => theme.sev_medium,
        _ => theme.muted,
    };
    let mut s = vec![
        Span::raw("  "),
        Span::styled(
            format!("{:<16} ", super::clean(ev.verdict.label())),
            verdict_style,
        ),
        Span::styled(
            format!("{:<20} ", super::clean(ev.remediation_status.label())),
            theme.muted,
        ),
    ];
    s.extend(sanitize_spans(&ev.summary(), theme.text, theme.marker));
    if count > 1 {
        s.push(Span::styled(format!("  ({count} alerts)"), theme.muted));
    }
    Line::from(s)
}

fn evidence(d: &IncidentData, theme: &Theme) -> Doc {
    let mut doc = Doc::new();
    if loading(d, &mut doc, theme) {
        return doc;
    }
    let items = evidence_items(d.alerts);
    if items.is_empty() {
        doc.push(Line::from(Span::styled(
            "No evidence in the alerts.",
            theme.muted,
        )));
        return doc;
    }
    let mut current = String::new();
    for r in &items {
        if r.type_label != current {
            current = r.type_label.clone();
            let n = items.iter().filter(|x| x.type_label == current).count();
            let mut h = sanitize_spans(&current, theme.title, theme.marker);
            h.push(Span::styled(format!(" ({n})"), theme.muted));
            doc.push(Line::from(h));
        }
        let ev = d
            .alerts
            .iter()
            .find(|a| a.id == r.alert_id)
            .and_then(|a| a.evidence.get(r.index));
        if let Some(ev) = ev {
            doc.push_item(evidence_line(ev, r.count, theme));
        }
    }
    doc
}

/// Comment list shared by the incident and alert pages: server comments, then pending ones.
pub fn comments_doc(
    comments: &[crate::graph::model::Comment],
    pending: &[&str],
    now: Timestamp,
    theme: &Theme,
    width: usize,
) -> Doc {
    let mut doc = Doc::new();
    if comments.is_empty() && pending.is_empty() {
        doc.push(Line::from(Span::styled("No comments.", theme.muted)));
    }
    for c in comments {
        let mut head = sanitize_spans(
            c.created_by_display_name.as_deref().unwrap_or("(unknown)"),
            theme.title,
            theme.marker,
        );
        let t = c
            .created_date_time
            .map(|t| when(now, Some(t)))
            .unwrap_or_default();
        head.push(Span::styled(format!("  {t}"), theme.muted));
        doc.push(Line::from(head));
        doc.prose(&c.comment, 2, width, theme.text, theme);
        doc.blank();
    }
    for p in pending {
        doc.push(Line::from(Span::styled("(pending) you", theme.pending)));
        doc.prose(p, 2, width, theme.pending, theme);
        doc.blank();
    }
    doc
}

fn comments(d: &IncidentData, theme: &Theme, width: usize) -> Doc {
    let pending: Vec<&str> = d
        .entry
        .pending
        .iter()
        .filter_map(|p| match &p.write {
            WriteOp::CommentIncident { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    comments_doc(&d.entry.incident.comments, &pending, d.now, theme, width)
}

fn actions(d: &IncidentData, theme: &Theme, width: usize) -> Doc {
    let mut doc = Doc::new();
    let i = &d.entry.incident;
    if let Some(r) = i
        .recommended_actions
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        doc.heading("Defender Experts recommendations", theme);
        doc.prose(r, 2, width, theme.text, theme);
        doc.blank();
    }
    if let Some(qs) = i
        .recommended_hunting_queries
        .as_ref()
        .filter(|q| !q.is_empty())
    {
        doc.heading("Recommended hunting queries", theme);
        for q in qs {
            doc.prose(&q.kql_text, 2, width, theme.key_hint, theme);
            doc.blank();
        }
    }
    if loading(d, &mut doc, theme) {
        return doc;
    }
    let mut any = false;
    for a in d.alerts {
        if let Some(r) = a
            .recommended_actions
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            any = true;
            doc.push(Line::from(sanitize_spans(
                a.title(),
                theme.title,
                theme.marker,
            )));
            doc.prose(r, 2, width, theme.text, theme);
            doc.blank();
        }
    }
    if !any && doc.is_empty() {
        doc.push(Line::from(Span::styled(
            "No recommended actions in the alerts.",
            theme.muted,
        )));
    }
    doc
}
