//! The Ask Defender Experts inquiry topic and the editable plain-text context block
//! (as in the portal, the topic is pre-filled with a link to the incident, alert or device).

use super::scrub::clean_value;
use crate::graph::model::evidence::EvidenceKind;
use crate::graph::model::{Alert, Evidence, Incident, Timestamp};
use crate::graph::resources::encode_strict as encode;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The public Defender portal.
pub const DEFAULT_PORTAL: &str = "https://security.microsoft.com";

/// What an inquiry is about. Values are untrusted service text, stored raw; use
/// [`InquiryTopic::label`] for a scrubbed one-line form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum InquiryTopic {
    Incident {
        id: String,
        title: String,
        url: Option<String>,
    },
    Alert {
        id: String,
        title: String,
        url: Option<String>,
    },
    Device {
        name: String,
        mde_device_id: Option<String>,
        url: Option<String>,
    },
    User {
        name: String,
    },
    File {
        name: Option<String>,
        sha256: Option<String>,
        sha1: Option<String>,
    },
    Other {
        label: String,
    },
}

impl InquiryTopic {
    /// Topic for an incident (keeps its `incidentWebUrl`).
    pub fn from_incident(i: &Incident) -> InquiryTopic {
        InquiryTopic::Incident {
            id: i.id.clone(),
            title: i.title().to_string(),
            url: i.incident_web_url.clone(),
        }
    }

    /// Topic for an alert (keeps its `alertWebUrl`).
    pub fn from_alert(a: &Alert) -> InquiryTopic {
        InquiryTopic::Alert {
            id: a.id.clone(),
            title: a.title().to_string(),
            url: a.alert_web_url.clone(),
        }
    }

    /// Topic for a device, user or file evidence item; `None` for other kinds.
    pub fn from_evidence(e: &Evidence) -> Option<InquiryTopic> {
        match &e.kind {
            EvidenceKind::Device {
                device_dns_name,
                host_name,
                mde_device_id,
                ..
            } => {
                let name = device_dns_name.clone().or_else(|| host_name.clone())?;
                Some(InquiryTopic::Device {
                    name,
                    mde_device_id: mde_device_id.clone(),
                    url: None,
                })
            }
            EvidenceKind::User { account } => {
                account.best_name().map(|name| InquiryTopic::User { name })
            }
            EvidenceKind::File { details, .. } => Some(InquiryTopic::File {
                name: details.file_name.clone(),
                sha256: details.sha256.clone(),
                sha1: details.sha1.clone(),
            }),
            EvidenceKind::Process { image, .. }
                if image.sha256.is_some() || image.sha1.is_some() =>
            {
                Some(InquiryTopic::File {
                    name: image.file_name.clone(),
                    sha256: image.sha256.clone(),
                    sha1: image.sha1.clone(),
                })
            }
            _ => None,
        }
    }

    /// Stable key for drafts: `incident:29`, `alert:da63…`, `device:host`, `user:…`,
    /// `file:<hash or name>`, `other:…` (raw values; the draft store encodes file names).
    pub fn key(&self) -> String {
        match self {
            InquiryTopic::Incident { id, .. } => format!("incident:{id}"),
            InquiryTopic::Alert { id, .. } => format!("alert:{id}"),
            InquiryTopic::Device {
                name,
                mde_device_id,
                ..
            } => {
                format!("device:{}", mde_device_id.as_deref().unwrap_or(name))
            }
            InquiryTopic::User { name } => format!("user:{}", name.to_lowercase()),
            InquiryTopic::File { name, sha256, sha1 } => format!(
                "file:{}",
                sha256
                    .as_deref()
                    .or(sha1.as_deref())
                    .or(name.as_deref())
                    .unwrap_or("?")
                    .to_lowercase()
            ),
            InquiryTopic::Other { label } => format!("other:{label}"),
        }
    }

    /// One scrubbed line: `Incident 29: title`, `Device host`, `File x.exe (SHA256 …)`.
    pub fn label(&self) -> String {
        match self {
            InquiryTopic::Incident { id, title, .. } => {
                format!("Incident {}: {}", clean_value(id), clean_value(title))
            }
            InquiryTopic::Alert { id, title, .. } => {
                format!("Alert {}: {}", clean_value(id), clean_value(title))
            }
            InquiryTopic::Device { name, .. } => format!("Device {}", clean_value(name)),
            InquiryTopic::User { name } => format!("User {}", clean_value(name)),
            InquiryTopic::File { name, sha256, sha1 } => {
                let mut s = format!(
                    "File {}",
                    clean_value(name.as_deref().unwrap_or("(unnamed)"))
                );
                if let Some(h) = sha256.as_deref().or(sha1.as_deref()) {
                    s.push_str(&format!(
                        " ({} {})",
                        if sha256.is_some() { "SHA256" } else { "SHA1" },
                        clean_value(h)
                    ));
                }
                s
            }
            InquiryTopic::Other { label } => clean_value(label),
        }
    }

    /// The portal page the inquiry is about: the payload's `incidentWebUrl`/`alertWebUrl` when it
    /// is a plain `https://` URL, else a link built on `portal_base` (incident
    /// `/incident2/{id}/overview`, alert `/alerts/{id}`, device `/machines/{mdeDeviceId}`); the
    /// portal home for users, files and other topics. `tenant` adds `tid=` unless present.
    pub fn portal_link(&self, portal_base: &str, tenant: Option<&str>) -> String {
        let base = portal_base.trim().trim_end_matches('/');
        let base = if base.is_empty() {
            DEFAULT_PORTAL
        } else {
            base
        };
        let link = match self {
            InquiryTopic::Incident { id, url, .. } => safe_url(url.as_deref())
                .unwrap_or_else(|| format!("{base}/incident2/{}/overview", encode(id))),
            InquiryTopic::Alert { id, url, .. } => {
                safe_url(url.as_deref()).unwrap_or_else(|| format!("{base}/alerts/{}", encode(id)))
            }
            InquiryTopic::Device {
                mde_device_id, url, ..
            } => safe_url(url.as_deref()).unwrap_or_else(|| {
                match mde_device_id.as_deref().filter(|m| !m.trim().is_empty()) {
                    Some(m) => format!("{base}/machines/{}", encode(m.trim())),
                    None => format!("{base}/machines"),
                }
            }),
            _ => format!("{base}/"),
        };
        match tenant.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) if !link.contains("tid=") => {
                let sep = if link.contains('?') { '&' } else { '?' };
                format!("{link}{sep}tid={}", encode(t))
            }
            _ => link,
        }
    }

    /// The payload URL carried by the topic, if any (raw, untrusted).
    fn url(&self) -> Option<&str> {
        match self {
            InquiryTopic::Incident { url, .. }
            | InquiryTopic::Alert { url, .. }
            | InquiryTopic::Device { url, .. } => url.as_deref(),
            _ => None,
        }
    }
}

/// Accepts a service-supplied link only when it is a short printable-ASCII `https://` URL.
fn safe_url(url: Option<&str>) -> Option<String> {
    let u = url?.trim();
    let ok = u.len() > "https://".len()
        && u.len() <= 2048
        && u.get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        && u.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'<' | b'>' | b'`' | b'\\'));
    ok.then(|| u.to_string())
}

/// The evidence worth quoting to the experts, deduplicated, in first-seen order. Values are raw
/// (untrusted); [`build_context`] scrubs and truncates them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyEvidence {
    /// Device names with their `mdeDeviceId` when known.
    pub devices: Vec<(String, Option<String>)>,
    pub users: Vec<String>,
    /// (file name, sha256, sha1) from file evidence and process images.
    pub files: Vec<(Option<String>, Option<String>, Option<String>)>,
    pub command_lines: Vec<String>,
    pub ips: Vec<String>,
    pub urls: Vec<String>,
    pub mitre: Vec<String>,
    /// Threat, family and actor names from the alerts.
    pub threats: Vec<String>,
    /// (sender address, subject) of analysed email messages.
    pub emails: Vec<(Option<String>, Option<String>)>,
}

impl KeyEvidence {
    /// First SHA256 seen, else first SHA1.
    pub fn first_hash(&self) -> Option<&str> {
        self.files
            .iter()
            .find_map(|f| f.1.as_deref())
            .or_else(|| self.files.iter().find_map(|f| f.2.as_deref()))
    }
}

/// Collects key evidence from alerts (their evidence, MITRE techniques and threat names).
pub fn key_evidence(alerts: &[Alert]) -> KeyEvidence {
    let mut k = KeyEvidence::default();
    let mut seen: HashSet<(u8, String)> = HashSet::new();
    let mut fresh =
        |cat: u8, v: &str| !v.trim().is_empty() && seen.insert((cat, v.trim().to_lowercase()));
    for a in alerts {
        for t in [
            &a.threat_display_name,
            &a.threat_family_name,
            &a.actor_display_name,
        ]
        .into_iter()
        .flatten()
        {
            if fresh(7, t) {
                k.threats.push(t.clone());
            }
        }
        for t in &a.mitre_techniques {
            if fresh(6, t) {
                k.mitre.push(t.clone());
            }
        }
        for e in &a.evidence {
            match &e.kind {
                EvidenceKind::Device {
                    device_dns_name,
                    host_name,
                    mde_device_id,
                    ip_interfaces,
                    logged_on_users,
                    ..
                } => {
                    if let Some(n) = device_dns_name
                        .as_ref()
                        .or(host_name.as_ref())
                        .filter(|n| fresh(0, n))
                    {
                        k.devices.push((n.clone(), mde_device_id.clone()));
                    }
                    for ip in ip_interfaces {
                        if fresh(4, ip) {
                            k.ips.push(ip.clone());
                        }
                    }
                    for u in logged_on_users {
                        if fresh(1, u) {
                            k.users.push(u.clone());
                        }
                    }
                }
                EvidenceKind::File { details, .. } => push_file(
                    &mut k,
                    &mut fresh,
                    &details.file_name,
                    &details.sha256,
                    &details.sha1,
                ),
                EvidenceKind::Process {
                    command_line,
                    image,
                    user,
                    ..
                } => {
                    if let Some(c) = command_line.as_ref().filter(|c| fresh(3, c)) {
                        k.command_lines.push(c.clone());
                    }
                    push_file(
                        &mut k,
                        &mut fresh,
                        &image.file_name,
                        &image.sha256,
                        &image.sha1,
                    );
                    if let Some(n) = user
                        .as_ref()
                        .and_then(|u| u.best_name())
                        .filter(|n| fresh(1, n))
                    {
                        k.users.push(n);
                    }
                }
                EvidenceKind::User { account } => {
                    if let Some(n) = account.best_name().filter(|n| fresh(1, n)) {
                        k.users.push(n);
                    }
                }
                EvidenceKind::Mailbox {
                    primary_address,
                    upn,
                    ..
                } => {
                    if let Some(n) = primary_address
                        .as_ref()
                        .or(upn.as_ref())
                        .filter(|n| fresh(1, n))
                    {
                        k.users.push(n.clone());
                    }
                }
                EvidenceKind::Ip {
                    address: Some(ip), ..
                } if fresh(4, ip) => k.ips.push(ip.clone()),
                EvidenceKind::Url { url: Some(u) } if fresh(5, u) => k.urls.push(u.clone()),
                EvidenceKind::AnalyzedMessage {
                    urls,
                    sender,
                    subject,
                    ..
                } => {
                    let key = format!(
                        "{}\u{0}{}",
                        sender.as_deref().unwrap_or(""),
                        subject.as_deref().unwrap_or("")
                    );
                    if fresh(8, &key) {
                        k.emails.push((sender.clone(), subject.clone()));
                    }
                    for u in urls {
                        if fresh(5, u) {
                            k.urls.push(u.clone());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    k
}

fn push_file(
    k: &mut KeyEvidence,
    fresh: &mut impl FnMut(u8, &str) -> bool,
    name: &Option<String>,
    sha256: &Option<String>,
    sha1: &Option<String>,
) {
    // A file is new only when none of its hashes (or, without hashes, its name) was seen.
    let ids: Vec<&str> = [sha256, sha1]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|h| !h.trim().is_empty())
        .collect();
    let ids = if ids.is_empty() {
        name.as_deref().into_iter().collect()
    } else {
        ids
    };
    let new: Vec<bool> = ids.iter().map(|id| fresh(2, id)).collect();
    if !new.is_empty() && new.iter().all(|b| *b) {
        k.files.push((name.clone(), sha256.clone(), sha1.clone()));
    }
}

/// The alerts to use: `alerts` when given, else the incident's expanded alerts.
pub(crate) fn effective_alerts<'a>(
    incident: Option<&'a Incident>,
    alerts: &'a [Alert],
) -> &'a [Alert] {
    if alerts.is_empty() {
        incident.and_then(|i| i.alerts.as_deref()).unwrap_or(&[])
    } else {
        alerts
    }
}

/// Earliest first activity and latest last activity over the alerts (falling back to alert and
/// incident creation/update times).
pub fn activity_range(
    incident: Option<&Incident>,
    alerts: &[Alert],
) -> Option<(Timestamp, Timestamp)> {
    let alerts = effective_alerts(incident, alerts);
    let firsts = alerts
        .iter()
        .filter_map(|a| a.first_activity_date_time.or(a.created_date_time));
    let lasts = alerts
        .iter()
        .filter_map(|a| a.last_activity_date_time.or(a.last_update_date_time));
    let first = firsts
        .min()
        .or_else(|| incident.and_then(|i| i.created_date_time));
    let last = lasts
        .max()
        .or_else(|| incident.and_then(|i| i.last_update_date_time));
    match (first, last) {
        (Some(f), Some(l)) => Some((f.min(l), f.max(l))),
        (Some(x), None) | (None, Some(x)) => Some((x, x)),
        (None, None) => None,
    }
}

/// At most this many values per evidence category (the rest are counted).
const MAX_PER_CATEGORY: usize = 10;
/// At most this many command lines.
const MAX_COMMAND_LINES: usize = 5;

/// Builds the editable plain-text context block for an inquiry: topic and link, incident ids,
/// title, severity, status, owner, classification, the alerts, the activity time range, and key
/// evidence (devices, users, files and hashes, command lines, IPs, URLs, MITRE techniques,
/// threats). Every untrusted value is truncated to ~300 characters with a marker and scrubbed
/// (controls, bidi and zero-width characters shown as `<U+XXXX>`).
pub fn build_context(
    topic: &InquiryTopic,
    incident: Option<&Incident>,
    alerts: &[Alert],
) -> String {
    let v = clean_value;
    let alerts = effective_alerts(incident, alerts);
    let mut out = String::from("--- Context (generated by vigil; edit as needed) ---\n");
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("Topic: {}", topic.label()));
    if let Some(u) = safe_url(topic.url())
        .or_else(|| safe_url(incident.and_then(|i| i.incident_web_url.as_deref())))
    {
        line(format!("Link: {u}"));
    }
    if let Some(i) = incident {
        line(format!("Incident: {} \"{}\"", v(&i.id), v(i.title())));
        let mut facts = vec![
            format!("Severity: {}", v(i.severity.label())),
            format!("Status: {}", v(i.status.label())),
        ];
        facts.push(format!(
            "Assigned to: {}",
            i.assigned_to
                .as_deref()
                .map(v)
                .unwrap_or_else(|| "unassigned".into())
        ));
        if let Some(c) = &i.classification {
            let d = i
                .determination
                .as_ref()
                .map(|d| format!(" / {}", v(d.label())))
                .unwrap_or_default();
            facts.push(format!("Classification: {}{d}", v(c.label())));
        }
        line(format!("  {}", facts.join(" | ")));
        if let Some(t) = i.created_date_time {
            let upd = i
                .last_update_date_time
                .map(|u| format!(" | Last updated: {u}"))
                .unwrap_or_default();
            line(format!("  Created: {t}{upd}"));
        }
        if !i.system_tags.is_empty() || !i.custom_tags.is_empty() {
            let tags: Vec<String> = i
                .system_tags
                .iter()
                .chain(&i.custom_tags)
                .map(|t| v(t))
                .collect();
            line(format!("  Tags: {}", tags.join(", ")));
        }
    }
    if !alerts.is_empty() {
        line(format!("Alerts ({}):", alerts.len()));
        for a in alerts.iter().take(MAX_PER_CATEGORY) {
            line(format!(
                "  - [{}] \"{}\" (id {}, {}, {})",
                v(a.severity.label()),
                v(a.title()),
                v(&a.id),
                v(a.detection_source.label()),
                v(a.status.label())
            ));
        }
        if alerts.len() > MAX_PER_CATEGORY {
            line(format!(
                "  (+{} more alerts)",
                alerts.len() - MAX_PER_CATEGORY
            ));
        }
    }
    if let Some((f, l)) = activity_range(incident, alerts) {
        line(format!("Activity: {f} to {l}"));
    }
    let k = key_evidence(alerts);
    let mut ev: Vec<String> = Vec::new();
    let join = |items: Vec<String>| {
        let n = items.len();
        let mut s: Vec<String> = items.into_iter().take(MAX_PER_CATEGORY).collect();
        if n > MAX_PER_CATEGORY {
            s.push(format!("(+{} more)", n - MAX_PER_CATEGORY));
        }
        s.join(", ")
    };
    let mut cat = |name: &str, items: Vec<String>| {
        if !items.is_empty() {
            ev.push(format!("  {name}: {}", join(items)));
        }
    };
    cat(
        "Devices",
        k.devices
            .iter()
            .map(|(n, m)| match m {
                Some(m) => format!("{} (mdeDeviceId {})", v(n), v(m)),
                None => v(n),
            })
            .collect(),
    );
    cat("Users", k.users.iter().map(|u| v(u)).collect());
    cat(
        "Files",
        k.files
            .iter()
            .map(|(n, s256, s1)| {
                let mut s = v(n.as_deref().unwrap_or("(unnamed)"));
                if let Some(h) = s256 {
                    s.push_str(&format!(" SHA256 {}", v(h)));
                }
                if let Some(h) = s1 {
                    s.push_str(&format!(" SHA1 {}", v(h)));
                }
                s
            })
            .collect(),
    );
    cat(
        "Emails",
        k.emails
            .iter()
            .map(|(from, subject)| {
                format!(
                    "\"{}\" from {}",
                    v(subject.as_deref().unwrap_or("")),
                    v(from.as_deref().unwrap_or("?"))
                )
            })
            .collect(),
    );
    cat("IPs", k.ips.iter().map(|x| v(x)).collect());
    cat("URLs", k.urls.iter().map(|x| v(x)).collect());
    cat("MITRE techniques", k.mitre.iter().map(|x| v(x)).collect());
    cat("Threats", k.threats.iter().map(|x| v(x)).collect());
    if !k.command_lines.is_empty() {
        ev.push("  Command lines:".into());
        for c in k.command_lines.iter().take(MAX_COMMAND_LINES) {
            ev.push(format!("    - {}", v(c)));
        }
        if k.command_lines.len() > MAX_COMMAND_LINES {
            ev.push(format!(
                "    (+{} more)",
                k.command_lines.len() - MAX_COMMAND_LINES
            ));
        }
    }
    if !ev.is_empty() {
        line("Key evidence:".into());
        for e in ev {
            line(e);
        }
    }
    out.push_str("--- End of context ---\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_links() {
        let inc = InquiryTopic::Incident {
            id: "29".into(),
            title: "t".into(),
            url: Some("https://security.microsoft.com/incident2/29/overview?tid=abc".into()),
        };
        assert_eq!(
            inc.portal_link(DEFAULT_PORTAL, Some("zzz")),
            "https://security.microsoft.com/incident2/29/overview?tid=abc"
        );
        let bad = InquiryTopic::Incident {
            id: "29".into(),
            title: "t".into(),
            url: Some("javascript:alert(1)".into()),
        };
        assert_eq!(
            bad.portal_link("https://security.microsoft.com/", Some("t1")),
            "https://security.microsoft.com/incident2/29/overview?tid=t1"
        );
        let dev = InquiryTopic::Device {
            name: "h".into(),
            mde_device_id: Some("abc123".into()),
            url: None,
        };
        assert_eq!(
            dev.portal_link(DEFAULT_PORTAL, None),
            "https://security.microsoft.com/machines/abc123"
        );
        let al = InquiryTopic::Alert {
            id: "da6_-9".into(),
            title: "x".into(),
            url: Some("https://x/\u{1b}".into()),
        };
        assert_eq!(
            al.portal_link(DEFAULT_PORTAL, None),
            "https://security.microsoft.com/alerts/da6_-9"
        );
        let user = InquiryTopic::User { name: "kai".into() };
        assert_eq!(
            user.portal_link(DEFAULT_PORTAL, Some("t")),
            "https://security.microsoft.com/?tid=t"
        );
    }

    #[test]
    fn keys_are_stable() {
        let f = InquiryTopic::File {
            name: Some("a.exe".into()),
            sha256: Some("ABC".into()),
            sha1: None,
        };
        assert_eq!(f.key(), "file:abc");
        assert_eq!(
            InquiryTopic::User {
                name: "Kai@X".into()
            }
            .key(),
            "user:kai@x"
        );
    }
    #[test]
    fn context_names_email_senders_and_subjects() {
        let msg = Evidence::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.security.analyzedMessageEvidence",
            "subject": "Overdue invoice #7",
            "p1Sender": {"emailAddress": "billing@invoice-portal.biz"},
            "p2Sender": {"emailAddress": "ceo@lookalike.example"},
        }));
        let alert = Alert {
            id: "a1".into(),
            evidence: vec![msg],
            ..Default::default()
        };
        let topic = InquiryTopic::from_alert(&alert);
        let text = build_context(&topic, None, std::slice::from_ref(&alert));
        assert!(
            text.contains("Emails: \"Overdue invoice #7\" from billing@invoice-portal.biz"),
            "{text}"
        );
    }
}
