//! Fixed sample data (a small tenant with fixed timestamps) for snapshot tests, key tests,
//! screenshots and benches. Includes hostile and wide-character titles on purpose.

use crate::graph::model::{Incident, Timestamp};
use crate::store::{Identity, Store};
use crate::sync::{Update, UpsertSource};
use serde_json::{Value, json};

/// The "now" the fixture's timestamps are relative to: 2026-03-01 12:00:00 UTC.
pub fn now() -> Timestamp {
    Timestamp::parse("2026-03-01T12:00:00Z").unwrap_or_else(Timestamp::now)
}

/// The analyst's UPN in the fixture.
pub const ME: &str = "analyst@contoso.com";

fn ago(mins: i64) -> String {
    now().plus_seconds(-mins * 60).to_graph()
}

fn process(
    pid: i64,
    ppid: i64,
    name: &str,
    parent: &str,
    cmd: &str,
    created_min: i64,
    parent_min: i64,
) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.security.processEvidence",
        "createdDateTime": ago(created_min),
        "verdict": "suspicious", "remediationStatus": "none", "roles": [],
        "processId": pid, "parentProcessId": ppid,
        "processCommandLine": cmd,
        "processCreationDateTime": ago(created_min),
        "parentProcessCreationDateTime": ago(parent_min),
        "imageFile": {"fileName": name, "filePath": "C:\\Windows\\System32"},
        "parentProcessImageFile": {"fileName": parent},
        "userAccount": {"accountName": "jdoe", "domainName": "CONTOSO"},
        "mdeDeviceId": "dev-1"
    })
}

fn alerts_101() -> Value {
    json!([
        {
            "id": "da638001_1", "incidentId": "101", "title": "Suspicious PowerShell command line",
            "severity": "high", "status": "new", "serviceSource": "microsoftDefenderForEndpoint",
            "detectionSource": "microsoftDefenderForEndpoint", "category": "Execution",
            "mitreTechniques": ["T1059.001"], "productName": "Microsoft Defender for Endpoint",
            "detectorId": "det-42", "actorDisplayName": null, "threatDisplayName": "Raspberry Robin",
            "assignedTo": ME, "investigationState": "running",
            "alertWebUrl": "https://security.microsoft.com/alerts/da638001_1",
            "createdDateTime": ago(300), "firstActivityDateTime": ago(310), "lastActivityDateTime": ago(200),
            "lastUpdateDateTime": ago(60),
            "description": "A PowerShell command line with an encoded payload ran.\nIt contacted a rare domain.",
            "recommendedActions": "1. Isolate the device.\n2. Reset the user's password.\n3. Review the command line.",
            "comments": [{"comment": "Looking at this now", "createdByDisplayName": ME, "createdDateTime": ago(50)}],
            "evidence": [
                {"@odata.type": "#microsoft.graph.security.deviceEvidence", "verdict": "suspicious",
                 "remediationStatus": "none", "roles": ["compromised"], "deviceDnsName": "ws-fin-07.contoso.com",
                 "osPlatform": "Windows11", "ipInterfaces": ["10.0.0.7"]},
                {"@odata.type": "#microsoft.graph.security.userEvidence", "verdict": "suspicious",
                 "remediationStatus": "none", "userAccount": {"accountName": "jdoe", "domainName": "CONTOSO",
                 "userPrincipalName": "jdoe@contoso.com"}},
                process(4000, 3000, "powershell.exe", "cmd.exe", "powershell.exe -enc SQBFAFgA", 305, 306),
                process(3000, 1000, "cmd.exe", "explorer.exe", "cmd.exe /c run.bat", 306, 400),
                process(4100, 4000, "rundll32.exe", "powershell.exe", "rundll32.exe evil.dll,Start", 304, 305),
                {"@odata.type": "#microsoft.graph.security.quantumWidgetEvidence", "verdict": "malicious",
                 "remediationStatus": "running", "widgetName": "qw-1", "depth": {"a": {"b": [1, 2, 3]}},
                 "note": "line one\nline two \u{1b}[31mred"}
            ]
        },
        {
            "id": "fa638001_2", "incidentId": "101", "title": "Phishing email delivered: 송금 요청",
            "severity": "medium", "status": "inProgress", "serviceSource": "microsoftDefenderForOffice365",
            "detectionSource": "microsoftDefenderForOffice365", "category": "InitialAccess",
            "mitreTechniques": ["T1566.001"], "createdDateTime": ago(400), "firstActivityDateTime": ago(420),
            "lastActivityDateTime": ago(400), "lastUpdateDateTime": ago(90),
            "evidence": [
                {"@odata.type": "#microsoft.graph.security.mailboxEvidence", "verdict": "unknown",
                 "remediationStatus": "none", "primaryAddress": "jdoe@contoso.com", "displayName": "J Doe"},
                {"@odata.type": "#microsoft.graph.security.ipEvidence", "verdict": "malicious",
                 "remediationStatus": "blocked", "ipAddress": "203.0.113.9", "countryLetterCode": "NL"},
                {"@odata.type": "#microsoft.graph.security.userEvidence", "verdict": "suspicious",
                 "remediationStatus": "none", "userAccount": {"accountName": "jdoe", "domainName": "CONTOSO",
                 "userPrincipalName": "jdoe@contoso.com"}}
            ]
        }
    ])
}

/// The fixture's incidents (initial load).
pub fn incidents() -> Vec<Incident> {
    let docs = vec![
        json!({
            "id": "101", "status": "active", "severity": "high",
            "displayName": "한국어 피싱 캠페인 — 재무팀 계정 침해 (multi-stage)",
            "assignedTo": ME, "classification": "truePositive", "determination": "phishing",
            "customTags": ["Finance", "VIP"], "systemTags": [], "priorityScore": 92,
            "createdDateTime": ago(500), "lastUpdateDateTime": ago(5),
            "incidentWebUrl": "https://security.microsoft.com/incidents/101?tid=t1",
            "summary": "Credential phishing followed by PowerShell execution on a finance workstation.",
            "description": "Multi-stage incident involving Initial access & Execution.",
            "comments": [
                {"comment": "Escalated to tier 2", "createdByDisplayName": "lead@contoso.com", "createdDateTime": ago(30)},
                {"comment": "User confirmed clicking the link.\nPassword reset requested.", "createdByDisplayName": ME, "createdDateTime": ago(20)}
            ],
            "alerts": alerts_101()
        }),
        json!({
            "id": "102", "status": "inProgress", "severity": "medium",
            "displayName": "evil \u{1b}]0;pwned\u{7} \u{1b}[31mred\u{1b}[0m \u{202e}gpj.exe title",
            "assignedTo": "bob@contoso.com", "customTags": ["tag\u{1b}[7m"], "priorityScore": 40,
            "createdDateTime": ago(2000), "lastUpdateDateTime": ago(45),
            "incidentWebUrl": "https://security.microsoft.com/incidents/102\u{1b}]52;c;AAAA\u{7}",
            "alerts": []
        }),
        json!({
            "id": "103", "status": "redirected", "severity": "high", "redirectIncidentId": "101",
            "displayName": "Merged: suspicious sign-in", "createdDateTime": ago(600), "lastUpdateDateTime": ago(100)
        }),
        json!({
            "id": "104", "status": "active", "severity": "low",
            "displayName": "Defender Experts: 🔥 Ransomware 👩‍💻 precursor activity",
            "systemTags": ["Defender Experts"], "customTags": [], "priorityScore": 10,
            "createdDateTime": ago(3000), "lastUpdateDateTime": ago(60 * 26)
        }),
        json!({
            "id": "105", "status": "awaitingAction", "severity": "high",
            "displayName": "Awaiting your confirmation: isolate device", "assignedTo": "Defender Experts",
            "createdDateTime": ago(900), "lastUpdateDateTime": ago(180), "priorityScore": 88
        }),
        json!({
            "id": "106", "status": "active", "severity": "informational",
            "displayName": "Informational: test alert", "createdDateTime": ago(50), "lastUpdateDateTime": ago(2)
        }),
    ];
    docs.into_iter()
        .filter_map(|d| serde_json::from_value(d).ok())
        .collect()
}

/// A delta after the initial load: one new High incident and a change to incident 102.
pub fn delta() -> Vec<Incident> {
    let docs = vec![
        json!({
            "id": "107", "status": "active", "severity": "high", "displayName": "New: credential dumping (lsass)",
            "createdDateTime": ago(1), "lastUpdateDateTime": ago(1), "priorityScore": 95
        }),
        json!({
            "id": "102", "status": "inProgress", "severity": "medium",
            "displayName": "evil \u{1b}]0;pwned\u{7} \u{1b}[31mred\u{1b}[0m \u{202e}gpj.exe title",
            "assignedTo": "carol@contoso.com", "customTags": ["tag\u{1b}[7m"], "priorityScore": 40,
            "createdDateTime": ago(2000), "lastUpdateDateTime": ago(3),
            "incidentWebUrl": "https://security.microsoft.com/incidents/102\u{1b}]52;c;AAAA\u{7}"
        }),
    ];
    docs.into_iter()
        .filter_map(|d| serde_json::from_value(d).ok())
        .collect()
}

/// A store holding [`incidents`] (initial load) and, when `with_delta`, [`delta`] applied as a
/// delta poll (new and changed rows highlighted).
pub fn store(with_delta: bool) -> Store {
    let mut s = Store::new(Identity {
        aliases: vec![ME.to_string()],
    });
    s.apply(Update::Incidents {
        items: incidents(),
        source: UpsertSource::Initial,
    });
    if with_delta {
        s.apply(Update::Incidents {
            items: delta(),
            source: UpsertSource::Delta,
        });
    }
    s
}
