//! Starting questions for Ask Defender Experts, grouped under the four headings the service's
//! documentation uses for sample questions, covering every intent of those samples in vigil's
//! own words (see [`DOCUMENTED_INTENTS`]). Templates use `{name}` variables; [`fill`] substitutes scrubbed
//! values and renders missing ones as `<name?>` placeholders the analyst must edit before
//! sending ([`unfilled_placeholders`] finds them).

use super::context::{InquiryTopic, activity_range, effective_alerts, key_evidence};
use super::scrub::{clean_value, truncate};
use crate::graph::model::{Alert, Incident};

/// One starting question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Template {
    /// Stable id (`alert.explain`, …) for keymaps and tests.
    pub id: &'static str,
    /// Text with `{variable}` slots.
    pub text: &'static str,
}

/// A heading with its questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemplateGroup {
    pub title: &'static str,
    pub templates: &'static [Template],
}

/// The variable names templates may use.
pub const VARIABLES: &[&str] = &[
    "incident_id",
    "incident_title",
    "alert_id",
    "alert_title",
    "device",
    "user",
    "file",
    "sha256",
    "threat",
    "evidence",
    "command_line",
    "mitre",
    "first_activity",
    "time_range",
];

static GROUPS: &[TemplateGroup] = &[
    TemplateGroup {
        title: "Alert information",
        templates: &[
            Template {
                id: "alert.explain",
                text: "We saw the alert '{alert_title}' on {device}. Can you help explain what it means and whether it is a true positive?",
            },
            Template {
                id: "alert.trigger",
                text: "The alert '{alert_title}' was raised on {device} (activity {time_range}). What activity triggered it, and what should we look at to investigate it further?",
            },
            Template {
                id: "alert.expected",
                text: "We keep seeing the alert '{alert_title}'. Could this be expected activity in our environment, and how can we tell it apart from a real attack?",
            },
            Template {
                id: "alert.lolbin",
                text: "We got a new kind of alert, '{alert_title}', on {device}: a built-in system binary used in an unusual way (living off the land). What does this detection look for, and how do we rule out misuse?",
            },
            Template {
                id: "alert.different",
                text: "Two attacks that looked alike to us raised different alerts; one was '{alert_title}' on {device}. Why does similar activity lead to different detections?",
            },
            Template {
                id: "alert.failed_signins",
                text: "The device {device}, used by our high-profile account {user}, shows an unusual number of failed sign-ins. Is someone going after that account, and what should we do?",
            },
            Template {
                id: "alert.system_utility",
                text: "The alert '{alert_title}' reports suspicious behaviour by a system utility on {device}. Can you give us more context on what the utility did and why it was flagged?",
            },
            Template {
                id: "alert.mail_rule",
                text: "The alert '{alert_title}' points to a mail forwarding or redirect rule for {user}. We believe the rule is legitimate; does anything about it look malicious to you?",
            },
            Template {
                id: "alert.unknown_process",
                text: "An unknown process ({command_line}) was observed on many devices, {device} among them. Is it malicious, and how should we handle the other devices?",
            },
        ],
    },
    TemplateGroup {
        title: "Possible device compromise",
        templates: &[
            Template {
                id: "device.compromised",
                text: "Can you help confirm whether {device} is compromised given {evidence}?",
            },
            Template {
                id: "device.user",
                text: "We see suspicious activity on {device} involving the account {user}. Can you help investigate it and recommend containment steps?",
            },
            Template {
                id: "device.process",
                text: "Can you help us understand this process activity on {device}: {command_line}? Is it malicious, and what did it do?",
            },
            Template {
                id: "device.earlier",
                text: "The activity on {device} ({evidence}) resembles an earlier detection in our environment. Can you help us validate whether the device is compromised and whether the two are related?",
            },
        ],
    },
    TemplateGroup {
        title: "Threat intelligence details",
        templates: &[
            Template {
                id: "ti.threat",
                text: "What do you know about {threat}? It was detected in the alert '{alert_title}'.",
            },
            Template {
                id: "ti.file",
                text: "What do you know about the file {file} ({sha256})? Is it associated with a known threat actor or campaign?",
            },
            Template {
                id: "ti.techniques",
                text: "Can you share threat intelligence on the techniques {mitre} seen in incident {incident_id}, and whether they match a known campaign?",
            },
            Template {
                id: "ti.phish_doc",
                text: "A document delivered by phishing led to the alert '{alert_title}' and the detection {threat}. Can you share details on this malware family and a link where we can read more?",
            },
            Template {
                id: "ti.actor_blog",
                text: "A recent blog post describes an actor targeting organisations in our industry with techniques such as {mitre}. How are we protected against this actor, and what should we check?",
            },
            Template {
                id: "ti.campaign_targeted",
                text: "Was the phishing campaign behind incident {incident_id} aimed at us specifically, or at organisations in our sector in general?",
            },
        ],
    },
    TemplateGroup {
        title: "Defender Experts for Hunting alert communications",
        templates: &[
            Template {
                id: "den.details",
                text: "Can you give more details on the notification '{incident_title}' and the recommended next steps?",
            },
            Template {
                id: "den.scope",
                text: "We received the notification '{incident_title}' (incident {incident_id}). Can you explain why it was raised and which devices and accounts are affected?",
            },
            Template {
                id: "den.followup",
                text: "We have taken the recommended actions for '{incident_title}'. Can you confirm whether anything else is needed on our side?",
            },
            Template {
                id: "den.ir_help",
                text: "Can your incident response team help us handle the notification '{incident_title}' (incident {incident_id})?",
            },
            Template {
                id: "den.no_ir",
                text: "We have no incident response team of our own. After the notification '{incident_title}', how do we contain the threat on {device}?",
            },
            Template {
                id: "den.ir_data",
                text: "Our incident response team is taking over '{incident_title}' (incident {incident_id}). Which data and evidence should we hand them?",
            },
        ],
    },
];

/// The template of each intent in the documented sample questions, by group: (group title,
/// template id). Pinned by tests so none goes missing.
pub const DOCUMENTED_INTENTS: &[(&str, &str)] = &[
    // A new alert type on a living-off-the-land binary.
    ("Alert information", "alert.lolbin"),
    // Why two similar attacks raised different alerts.
    ("Alert information", "alert.different"),
    // Anomalous failed sign-ins on a high-profile user's device.
    ("Alert information", "alert.failed_signins"),
    // Context on "suspicious behaviour by a system utility".
    ("Alert information", "alert.system_utility"),
    // A forwarding/redirect rule believed benign.
    ("Alert information", "alert.mail_rule"),
    // "Unknown process observed" on many devices.
    ("Alert information", "alert.unknown_process"),
    // Validating a possible compromise that resembles an earlier detection.
    ("Possible device compromise", "device.earlier"),
    // Malware family details and a link after a phishing-delivered document.
    ("Threat intelligence details", "ti.phish_doc"),
    // Protection against an actor from a blog post targeting our industry.
    ("Threat intelligence details", "ti.actor_blog"),
    // Whether a phishing campaign targeted us specifically or our vertical.
    ("Threat intelligence details", "ti.campaign_targeted"),
    // Your incident response team helping with a notification.
    (
        "Defender Experts for Hunting alert communications",
        "den.ir_help",
    ),
    // No IR team: how to contain.
    (
        "Defender Experts for Hunting alert communications",
        "den.no_ir",
    ),
    // What data to pass to our IR team.
    (
        "Defender Experts for Hunting alert communications",
        "den.ir_data",
    ),
];

/// The four template groups.
pub fn templates() -> &'static [TemplateGroup] {
    GROUPS
}

/// Finds a template by id.
pub fn template(id: &str) -> Option<&'static Template> {
    GROUPS.iter().flat_map(|g| g.templates).find(|t| t.id == id)
}

/// Values for template variables (raw; [`fill`] truncates and scrubs them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateVars {
    pub incident_id: Option<String>,
    pub incident_title: Option<String>,
    pub alert_id: Option<String>,
    pub alert_title: Option<String>,
    pub device: Option<String>,
    pub user: Option<String>,
    pub file: Option<String>,
    pub sha256: Option<String>,
    pub threat: Option<String>,
    /// A short description of the key evidence ("the file x.exe (SHA256 …) and …").
    pub evidence: Option<String>,
    pub command_line: Option<String>,
    pub mitre: Option<String>,
    pub first_activity: Option<String>,
    pub time_range: Option<String>,
}

impl TemplateVars {
    /// The value of a variable, `None` when unknown or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        let v = match name {
            "incident_id" => &self.incident_id,
            "incident_title" => &self.incident_title,
            "alert_id" => &self.alert_id,
            "alert_title" => &self.alert_title,
            "device" => &self.device,
            "user" => &self.user,
            "file" => &self.file,
            "sha256" => &self.sha256,
            "threat" => &self.threat,
            "evidence" => &self.evidence,
            "command_line" => &self.command_line,
            "mitre" => &self.mitre,
            "first_activity" => &self.first_activity,
            "time_range" => &self.time_range,
            _ => return None,
        };
        v.as_deref().filter(|s| !s.trim().is_empty())
    }
}

/// Derives variables from the topic, the incident and its alerts. The topic wins (an alert
/// topic sets `alert_title`, a device topic `device`, a file topic `file`/`sha256`); the rest
/// comes from the incident and the alerts' evidence.
pub fn vars_from(
    topic: &InquiryTopic,
    incident: Option<&Incident>,
    alerts: &[Alert],
) -> TemplateVars {
    let alerts = effective_alerts(incident, alerts);
    let k = key_evidence(alerts);
    let mut v = TemplateVars {
        incident_id: incident.map(|i| i.id.clone()),
        incident_title: incident.and_then(|i| i.display_name.clone()),
        ..Default::default()
    };
    let topic_alert = match topic {
        InquiryTopic::Alert { id, .. } => alerts.iter().find(|a| &a.id == id),
        _ => None,
    };
    let main_alert = topic_alert
        .or_else(|| alerts.iter().find(|a| super::detect::is_experts_alert(a)))
        .or_else(|| alerts.first());
    v.alert_id = main_alert.map(|a| a.id.clone());
    v.alert_title = main_alert.and_then(|a| a.title.clone());
    v.device = k.devices.first().map(|d| d.0.clone());
    v.user = k.users.first().cloned();
    let first_file = k.files.iter().find(|f| f.1.is_some()).or(k.files.first());
    v.file = first_file.and_then(|f| f.0.clone());
    v.sha256 = first_file.and_then(|f| f.1.clone());
    v.threat = main_alert
        .and_then(|a| {
            a.threat_display_name
                .clone()
                .or_else(|| a.threat_family_name.clone())
        })
        .or_else(|| k.threats.first().cloned());
    v.command_line = k.command_lines.first().cloned();
    if !k.mitre.is_empty() {
        v.mitre = Some(
            k.mitre
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    match topic {
        InquiryTopic::Incident { id, title, .. } => {
            v.incident_id = Some(id.clone());
            v.incident_title = v.incident_title.take().or_else(|| Some(title.clone()));
        }
        InquiryTopic::Alert { id, title, .. } => {
            v.alert_id = Some(id.clone());
            v.alert_title = Some(title.clone());
        }
        InquiryTopic::Device { name, .. } => v.device = Some(name.clone()),
        InquiryTopic::User { name } => v.user = Some(name.clone()),
        InquiryTopic::File { name, sha256, .. } => {
            v.file = name.clone().or(v.file.take());
            v.sha256 = sha256.clone().or(v.sha256.take());
        }
        InquiryTopic::Other { .. } => {}
    }
    // A title-less incident has a placeholder title, which must not count as known.
    if let Some(i) = incident.filter(|i| i.display_name.is_none())
        && v.incident_title.as_deref() == Some(i.title())
    {
        v.incident_title = None;
    }
    v.evidence = evidence_phrase(&k);
    if let Some((f, l)) = activity_range(incident, alerts) {
        v.first_activity = Some(f.to_string());
        v.time_range = Some(if f == l {
            f.to_string()
        } else {
            format!("{f} to {l}")
        });
    }
    v
}

/// "the file x.exe (SHA256 …), the command line `…` and activity by …", from the alerts'
/// evidence only (never from the topic), short values only.
fn evidence_phrase(k: &super::context::KeyEvidence) -> Option<String> {
    let short = |s: &str| truncate(s.trim(), 120);
    let mut parts = Vec::new();
    if let Some(f) = k
        .files
        .iter()
        .find(|f| f.1.is_some() || f.2.is_some())
        .or(k.files.first())
    {
        let name =
            f.0.as_deref()
                .map(short)
                .unwrap_or_else(|| "(unnamed)".into());
        match f
            .1
            .as_deref()
            .map(|h| ("SHA256", h))
            .or(f.2.as_deref().map(|h| ("SHA1", h)))
        {
            Some((alg, h)) => parts.push(format!("the file {name} ({alg} {})", short(h))),
            None => parts.push(format!("the file {name}")),
        }
    }
    if let Some(c) = k.command_lines.first() {
        parts.push(format!("the command line `{}`", short(c)));
    }
    if let Some(u) = k.users.first() {
        parts.push(format!("activity by {}", short(u)));
    }
    if let Some(ip) = k.ips.first() {
        parts.push(format!("connections involving {}", short(ip)));
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        n => {
            let last = parts.remove(n - 1);
            Some(format!("{} and {last}", parts.join(", ")))
        }
    }
}

/// Renders a template: known variables are truncated (~300 chars) and scrubbed; unknown or
/// missing ones become `<name?>`.
pub fn fill(template: &Template, vars: &TemplateVars) -> String {
    let text = template.text;
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_var_name(&after[..close]) => {
                let name = &after[..close];
                match vars.get(name) {
                    Some(val) => out.push_str(&clean_value(val)),
                    None => out.push_str(&format!("<{name}?>")),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders (`<device?>` → `device`) still present in `text`, in order, without
/// duplicates. The UI warns before sending when this is not empty.
pub fn unfilled_placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        if let Some(end) = after.find("?>") {
            let name = &after[..end];
            if is_var_name(name) {
                if !found.iter().any(|f| f == name) {
                    found.push(name.to_string());
                }
                rest = &after[end + 2..];
                continue;
            }
        }
        rest = after;
    }
    found
}

fn is_var_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_has_three_templates_using_known_variables() {
        assert_eq!(templates().len(), 4);
        for g in templates() {
            assert!(g.templates.len() >= 3, "{}", g.title);
            for t in g.templates {
                let blank = fill(t, &TemplateVars::default());
                let missing = unfilled_placeholders(&blank);
                assert!(!missing.is_empty(), "{}", t.id);
                for m in missing {
                    assert!(VARIABLES.contains(&m.as_str()), "{} uses unknown {m}", t.id);
                }
            }
        }
    }

    #[test]
    fn every_documented_intent_has_a_template_in_its_group_that_renders() {
        assert_eq!(DOCUMENTED_INTENTS.len(), 13);
        let vars = TemplateVars {
            incident_id: Some("29".into()),
            incident_title: Some("Defender Experts: PowerShell".into()),
            alert_title: Some("Suspicious PowerShell".into()),
            device: Some("wks-042".into()),
            user: Some("kai@contoso.com".into()),
            threat: Some("Raspberry Robin".into()),
            evidence: Some("the file a.exe".into()),
            command_line: Some("powershell -enc".into()),
            mitre: Some("T1059".into()),
            ..Default::default()
        };
        for (group, id) in DOCUMENTED_INTENTS {
            let g = templates()
                .iter()
                .find(|g| g.title == *group)
                .unwrap_or_else(|| panic!("no group {group}"));
            let t = g
                .templates
                .iter()
                .find(|t| t.id == *id)
                .unwrap_or_else(|| panic!("{id} is not in {group}"));
            assert_eq!(template(id), Some(t));
            let text = fill(t, &vars);
            assert!(unfilled_placeholders(&text).is_empty(), "{id}: {text}");
            assert!(text.ends_with('?'), "{id} asks a question: {text}");
        }
        // Ids are unique across groups.
        let mut ids: Vec<&str> = templates()
            .iter()
            .flat_map(|g| g.templates.iter().map(|t| t.id))
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    #[test]
    fn fill_substitutes_and_marks_missing() {
        let t = Template {
            id: "x",
            text: "On {device} saw {sha256} {not a var} {unknown_var}",
        };
        let vars = TemplateVars {
            device: Some("pc\u{1b}1".into()),
            ..Default::default()
        };
        let s = fill(&t, &vars);
        assert_eq!(s, "On pc<U+001B>1 saw <sha256?> {not a var} <unknown_var?>");
        assert_eq!(unfilled_placeholders(&s), vec!["sha256", "unknown_var"]);
        assert!(unfilled_placeholders("a <b> c <Device?> d <? >").is_empty());
    }
}
