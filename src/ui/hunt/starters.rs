//! Starting points for a hunt: the hunting queries a Defender Experts notification recommends,
//! queries built from the open incident's evidence (devices, accounts, addresses, senders,
//! files, URLs), and a few general ones. Values from the service are sanitised and quoted.

use crate::experts::detect::ExpertsDetails;
use crate::graph::model::{Alert, EvidenceKind, Incident};
use crate::ui::sanitize::sanitize;

/// One starting point: what it is, and the query it puts in the editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Starter {
    pub label: String,
    pub query: String,
}

/// A KQL string literal holding `s` (sanitised: no control or hidden characters).
pub fn kql_string(s: &str) -> String {
    let clean = sanitize(s);
    format!("\"{}\"", clean.replace('\\', "\\\\").replace('"', "\\\""))
}

fn push(out: &mut Vec<Starter>, label: String, query: String) {
    if !out.iter().any(|s| s.query == query) {
        out.push(Starter { label, query });
    }
}

/// Queries that make sense without an incident.
pub fn general() -> Vec<Starter> {
    [
        (
            "Alerts of the last 7 days by severity",
            "AlertInfo\n| where Timestamp > ago(7d)\n| summarize count() by Severity\n| order by count_ desc",
        ),
        (
            "Encoded PowerShell",
            "DeviceProcessEvents\n| where Timestamp > ago(7d) and FileName in (\"powershell.exe\", \"pwsh.exe\") and ProcessCommandLine has \"-enc\"\n| project Timestamp, DeviceName, AccountName, ProcessCommandLine\n| take 100",
        ),
        (
            "Failed sign-ins by account",
            "IdentityLogonEvents\n| where ActionType == \"LogonFailed\"\n| summarize count() by AccountUpn\n| order by count_ desc",
        ),
        (
            "Phish delivered to inboxes",
            "EmailEvents\n| where ThreatTypes has \"Phish\" and DeliveryAction == \"Delivered\"\n| project Timestamp, SenderFromAddress, RecipientEmailAddress, Subject\n| take 100",
        ),
    ]
    .into_iter()
    .map(|(l, q)| Starter {
        label: l.into(),
        query: q.into(),
    })
    .collect()
}

/// Starting points for `incident` (with its `alerts`), then the general ones.
pub fn for_incident(incident: Option<&Incident>, alerts: &[&Alert]) -> Vec<Starter> {
    let mut out = Vec::new();
    if let Some(inc) = incident {
        for (i, q) in ExpertsDetails::from_incident(inc)
            .hunting_queries
            .iter()
            .enumerate()
        {
            let text = crate::ui::sanitize::sanitize_multiline(q).into_owned();
            push(&mut out, format!("Defender Experts query {}", i + 1), text);
        }
    }
    for a in alerts {
        push(
            &mut out,
            format!("Evidence of alert {}", sanitize(&a.id)),
            format!("AlertEvidence\n| where AlertId == {}", kql_string(&a.id)),
        );
        for e in &a.evidence {
            evidence_starters(&e.kind, &mut out);
        }
    }
    out.extend(general());
    out
}

fn evidence_starters(kind: &EvidenceKind, out: &mut Vec<Starter>) {
    match kind {
        EvidenceKind::Device {
            device_dns_name,
            host_name,
            ..
        } => {
            if let Some(d) = device_dns_name.as_deref().or(host_name.as_deref()) {
                let lit = kql_string(d);
                push(
                    out,
                    format!("Processes on {}", sanitize(d)),
                    format!(
                        "DeviceProcessEvents\n| where DeviceName == {lit} and Timestamp > ago(7d)\n| project Timestamp, FileName, ProcessCommandLine, AccountName, InitiatingProcessFileName\n| order by Timestamp desc"
                    ),
                );
                push(
                    out,
                    format!("Connections from {}", sanitize(d)),
                    format!(
                        "DeviceNetworkEvents\n| where DeviceName == {lit}\n| project Timestamp, RemoteIP, RemoteUrl, InitiatingProcessFileName\n| order by Timestamp desc"
                    ),
                );
            }
        }
        EvidenceKind::User { account } => {
            if let Some(n) = account.account_name.as_deref() {
                push(
                    out,
                    format!("Sign-ins of {}", sanitize(n)),
                    format!(
                        "IdentityLogonEvents\n| where AccountName == {}\n| order by Timestamp desc",
                        kql_string(n)
                    ),
                );
            }
        }
        EvidenceKind::Ip {
            address: Some(ip), ..
        } => push(
            out,
            format!("Devices talking to {}", sanitize(ip)),
            format!(
                "DeviceNetworkEvents\n| where RemoteIP == {}\n| summarize count() by DeviceName",
                kql_string(ip)
            ),
        ),
        EvidenceKind::Url { url: Some(u) } => push(
            out,
            format!("Connections to {}", sanitize(u)),
            format!(
                "DeviceNetworkEvents\n| where RemoteUrl == {}\n| project Timestamp, DeviceName, RemoteIP, InitiatingProcessFileName",
                kql_string(u)
            ),
        ),
        EvidenceKind::AnalyzedMessage {
            sender: Some(s), ..
        } => push(
            out,
            format!("Mail from {}", sanitize(s)),
            format!(
                "EmailEvents\n| where SenderFromAddress == {}\n| project Timestamp, RecipientEmailAddress, Subject, DeliveryAction",
                kql_string(s)
            ),
        ),
        EvidenceKind::Process { image, .. } | EvidenceKind::File { details: image, .. } => {
            if let Some(f) = image.file_name.as_deref() {
                push(
                    out,
                    format!("Where {} ran", sanitize(f)),
                    format!(
                        "DeviceProcessEvents\n| where FileName == {}\n| summarize count() by DeviceName",
                        kql_string(f)
                    ),
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_quoted_and_sanitised() {
        assert_eq!(kql_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        let s = kql_string("x\u{1b}]0;evil\u{7}y");
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "{s:?}");
    }

    #[test]
    fn without_an_incident_the_general_queries_remain() {
        let s = for_incident(None, &[]);
        assert_eq!(s, general());
        assert!(s.iter().all(|s| !s.query.is_empty()));
    }
}
