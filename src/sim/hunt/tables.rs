//! The hunting tables the simulator serves, derived from its own incidents, alerts and the
//! evidence each alert renders (so a hunt finds what the incident pages show).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::super::evidence::{Cast, evidence};
use super::super::model::{Alert, EvKind, Incident};

/// A column type as the service names it in `schema`.
pub type ColType = &'static str;

/// A table: named, typed columns and rows of JSON values in column order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<(String, ColType)>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// The index of a column (names are case-sensitive, as in KQL).
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|(c, _)| c == name)
    }
}

const DT: ColType = "DateTime";
const S: ColType = "String";
const I: ColType = "Int64";

const ALERT_INFO: &[(&str, ColType)] = &[
    ("Timestamp", DT),
    ("AlertId", S),
    ("Title", S),
    ("Category", S),
    ("Severity", S),
    ("ServiceSource", S),
    ("DetectionSource", S),
    ("AttackTechniques", S),
];

const ALERT_EVIDENCE: &[(&str, ColType)] = &[
    ("Timestamp", DT),
    ("AlertId", S),
    ("Title", S),
    ("Categories", S),
    ("AttackTechniques", S),
    ("ServiceSource", S),
    ("DetectionSource", S),
    ("EntityType", S),
    ("EvidenceRole", S),
    ("FileName", S),
    ("FolderPath", S),
    ("SHA1", S),
    ("RemoteIP", S),
    ("RemoteUrl", S),
    ("AccountName", S),
    ("AccountDomain", S),
    ("AccountSid", S),
    ("AccountUpn", S),
    ("DeviceId", S),
    ("DeviceName", S),
    ("NetworkMessageId", S),
    ("EmailSubject", S),
    ("ProcessCommandLine", S),
    ("Severity", S),
];

const DEVICE_PROCESS: &[(&str, ColType)] = &[
    ("Timestamp", DT),
    ("DeviceId", S),
    ("DeviceName", S),
    ("ActionType", S),
    ("FileName", S),
    ("FolderPath", S),
    ("SHA1", S),
    ("ProcessId", I),
    ("ProcessCommandLine", S),
    ("AccountDomain", S),
    ("AccountName", S),
    ("AccountSid", S),
    ("InitiatingProcessFileName", S),
    ("InitiatingProcessFolderPath", S),
    ("InitiatingProcessId", I),
    ("ReportId", I),
];

const DEVICE_NETWORK: &[(&str, ColType)] = &[
    ("Timestamp", DT),
    ("DeviceId", S),
    ("DeviceName", S),
    ("ActionType", S),
    ("RemoteIP", S),
    ("RemotePort", I),
    ("RemoteUrl", S),
    ("LocalIP", S),
    ("Protocol", S),
    ("InitiatingProcessFileName", S),
    ("InitiatingProcessAccountName", S),
    ("ReportId", I),
];

const EMAIL_EVENTS: &[(&str, ColType)] = &[
    ("Timestamp", DT),
    ("NetworkMessageId", S),
    ("InternetMessageId", S),
    ("SenderFromAddress", S),
    ("SenderMailFromAddress", S),
    ("SenderDisplayName", S),
    ("SenderIPv4", S),
    ("RecipientEmailAddress", S),
    ("Subject", S),
    ("EmailDirection", S),
    ("DeliveryAction", S),
    ("DeliveryLocation", S),
    ("ThreatTypes", S),
    ("UrlCount", I),
    ("AttachmentCount", I),
];

const IDENTITY_LOGON: &[(&str, ColType)] = &[
    ("Timestamp", DT),
    ("ActionType", S),
    ("Application", S),
    ("LogonType", S),
    ("Protocol", S),
    ("AccountName", S),
    ("AccountDomain", S),
    ("AccountUpn", S),
    ("AccountSid", S),
    ("DeviceName", S),
    ("IPAddress", S),
    ("Location", S),
];

/// Every table the simulator knows, with its columns.
pub const TABLES: &[(&str, &[(&str, ColType)])] = &[
    ("AlertInfo", ALERT_INFO),
    ("AlertEvidence", ALERT_EVIDENCE),
    ("DeviceProcessEvents", DEVICE_PROCESS),
    ("DeviceNetworkEvents", DEVICE_NETWORK),
    ("EmailEvents", EMAIL_EVENTS),
    ("IdentityLogonEvents", IDENTITY_LOGON),
];

type Row = HashMap<&'static str, Value>;

/// `v[path…]` as a string value (`Null` when absent).
fn at(v: &Value, path: &[&str]) -> Value {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(n) => cur = n,
            None => return Value::Null,
        }
    }
    cur.clone()
}

fn kind(ev: &Value) -> &str {
    ev.get("@odata.type")
        .and_then(Value::as_str)
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("")
}

fn entity_type(k: &str) -> &'static str {
    match k {
        "deviceEvidence" => "Machine",
        "userEvidence" => "User",
        "processEvidence" => "Process",
        "fileEvidence" => "File",
        "ipEvidence" => "Ip",
        "urlEvidence" => "Url",
        "mailboxEvidence" => "Mailbox",
        "analyzedMessageEvidence" => "MailMessage",
        "registryKeyEvidence" | "registryValueEvidence" => "RegistryValue",
        "cloudApplicationEvidence" => "CloudApplication",
        "oauthApplicationEvidence" => "OAuthApplication",
        _ => "Other",
    }
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// What one alert contributes, gathered once from its evidence.
struct AlertFacts<'a> {
    alert: &'a Alert,
    ts: String,
    ev: Vec<Value>,
    device: Option<Value>,
    user: Option<Value>,
    ip: Option<String>,
}

impl<'a> AlertFacts<'a> {
    fn of(cast: &Cast, alert: &'a Alert) -> Self {
        let ev = evidence(cast, alert, true, false);
        let find = |k: &str| ev.iter().find(|e| kind(e) == k).cloned();
        let device = find("deviceEvidence");
        let user = find("userEvidence");
        let ip = find("ipEvidence").and_then(|v| {
            v.get("ipAddress")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        AlertFacts {
            alert,
            ts: alert.first_activity.render(),
            ev,
            device,
            user,
            ip,
        }
    }
    fn device_name(&self) -> Value {
        self.device
            .as_ref()
            .map(|d| at(d, &["deviceDnsName"]))
            .unwrap_or(Value::Null)
    }
}

fn alert_info(a: &Alert) -> Row {
    HashMap::from([
        ("Timestamp", json!(a.first_activity.render())),
        ("AlertId", json!(a.id)),
        ("Title", json!(a.title)),
        ("Category", json!(a.category)),
        ("Severity", json!(title_case(a.severity))),
        ("ServiceSource", json!(a.service_source)),
        ("DetectionSource", json!(a.detection_source)),
        ("AttackTechniques", json!(a.mitre.join(", "))),
    ])
}

fn alert_evidence(f: &AlertFacts<'_>, out: &mut Vec<Row>) {
    let a = f.alert;
    for e in &f.ev {
        let k = kind(e);
        let roles = e.get("roles").and_then(Value::as_array);
        let impacted = roles.is_some_and(|r| !r.is_empty())
            || matches!(k, "deviceEvidence" | "userEvidence" | "mailboxEvidence");
        let account = e.get("userAccount").cloned().unwrap_or(Value::Null);
        let mut r: Row = HashMap::from([
            ("Timestamp", json!(f.ts)),
            ("AlertId", json!(a.id)),
            ("Title", json!(a.title)),
            ("Categories", json!(format!("[\"{}\"]", a.category))),
            ("AttackTechniques", json!(a.mitre.join(", "))),
            ("ServiceSource", json!(a.service_source)),
            ("DetectionSource", json!(a.detection_source)),
            ("EntityType", json!(entity_type(k))),
            (
                "EvidenceRole",
                json!(if impacted { "Impacted" } else { "Related" }),
            ),
            ("Severity", json!(title_case(a.severity))),
            ("AccountName", at(&account, &["accountName"])),
            ("AccountDomain", at(&account, &["domainName"])),
            ("AccountSid", at(&account, &["userSid"])),
            ("AccountUpn", at(&account, &["userPrincipalName"])),
        ]);
        match k {
            "deviceEvidence" => {
                r.insert("DeviceName", at(e, &["deviceDnsName"]));
                r.insert("DeviceId", at(e, &["mdeDeviceId"]));
            }
            "processEvidence" => {
                r.insert("FileName", at(e, &["imageFile", "fileName"]));
                r.insert("FolderPath", at(e, &["imageFile", "filePath"]));
                r.insert("SHA1", at(e, &["imageFile", "sha1"]));
                r.insert("ProcessCommandLine", at(e, &["processCommandLine"]));
                r.insert("DeviceId", at(e, &["mdeDeviceId"]));
                r.insert("DeviceName", f.device_name());
            }
            "fileEvidence" => {
                r.insert("FileName", at(e, &["fileDetails", "fileName"]));
                r.insert("FolderPath", at(e, &["fileDetails", "filePath"]));
                r.insert("SHA1", at(e, &["fileDetails", "sha1"]));
                r.insert("DeviceName", f.device_name());
            }
            "ipEvidence" => {
                r.insert("RemoteIP", at(e, &["ipAddress"]));
            }
            "urlEvidence" => {
                r.insert("RemoteUrl", at(e, &["url"]));
            }
            "analyzedMessageEvidence" => {
                r.insert("NetworkMessageId", at(e, &["networkMessageId"]));
                r.insert("EmailSubject", at(e, &["subject"]));
                r.insert("AccountUpn", at(e, &["recipientEmailAddress"]));
            }
            "mailboxEvidence" => {
                r.insert("AccountUpn", at(e, &["primaryAddress"]));
            }
            _ => {}
        }
        out.push(r);
    }
}

fn device_process(f: &AlertFacts<'_>, out: &mut Vec<Row>) {
    for e in f.ev.iter().filter(|e| kind(e) == "processEvidence") {
        let ts = match at(e, &["processCreationDateTime"]) {
            Value::String(s) => json!(s),
            _ => json!(f.ts),
        };
        let account = e.get("userAccount").cloned().unwrap_or(Value::Null);
        out.push(HashMap::from([
            ("Timestamp", ts),
            ("DeviceId", at(e, &["mdeDeviceId"])),
            ("DeviceName", f.device_name()),
            ("ActionType", json!("ProcessCreated")),
            ("FileName", at(e, &["imageFile", "fileName"])),
            ("FolderPath", at(e, &["imageFile", "filePath"])),
            ("SHA1", at(e, &["imageFile", "sha1"])),
            ("ProcessId", at(e, &["processId"])),
            ("ProcessCommandLine", at(e, &["processCommandLine"])),
            ("AccountDomain", at(&account, &["domainName"])),
            ("AccountName", at(&account, &["accountName"])),
            ("AccountSid", at(&account, &["userSid"])),
            (
                "InitiatingProcessFileName",
                at(e, &["parentProcessImageFile", "fileName"]),
            ),
            (
                "InitiatingProcessFolderPath",
                at(e, &["parentProcessImageFile", "filePath"]),
            ),
            ("InitiatingProcessId", at(e, &["parentProcessId"])),
            ("ReportId", json!(out.len() + 1)),
        ]));
    }
}

fn device_network(f: &AlertFacts<'_>, out: &mut Vec<Row>) {
    let Some(device) = &f.device else { return };
    let proc = f.ev.iter().find(|e| kind(e) == "processEvidence");
    let proc_name = proc
        .map(|p| at(p, &["imageFile", "fileName"]))
        .unwrap_or(Value::Null);
    let account = f
        .user
        .as_ref()
        .map(|u| at(u, &["userAccount", "accountName"]))
        .unwrap_or(Value::Null);
    for e in &f.ev {
        let (ip, url) = match kind(e) {
            "ipEvidence" => (at(e, &["ipAddress"]), Value::Null),
            "urlEvidence" => (
                f.ip.clone().map(Value::String).unwrap_or(Value::Null),
                at(e, &["url"]),
            ),
            _ => continue,
        };
        out.push(HashMap::from([
            ("Timestamp", json!(f.ts)),
            ("DeviceId", at(device, &["mdeDeviceId"])),
            ("DeviceName", at(device, &["deviceDnsName"])),
            ("ActionType", json!("ConnectionSuccess")),
            ("RemoteIP", ip),
            ("RemotePort", json!(443)),
            ("RemoteUrl", url),
            ("LocalIP", at(device, &["lastIpAddress"])),
            ("Protocol", json!("Tcp")),
            ("InitiatingProcessFileName", proc_name.clone()),
            ("InitiatingProcessAccountName", account.clone()),
            ("ReportId", json!(out.len() + 1)),
        ]));
    }
}

fn email_events(f: &AlertFacts<'_>, out: &mut Vec<Row>) {
    for e in f.ev.iter().filter(|e| kind(e) == "analyzedMessageEvidence") {
        let threats = e
            .get("threats")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        out.push(HashMap::from([
            ("Timestamp", at(e, &["receivedDateTime"])),
            ("NetworkMessageId", at(e, &["networkMessageId"])),
            ("InternetMessageId", at(e, &["internetMessageId"])),
            ("SenderFromAddress", at(e, &["p2Sender", "emailAddress"])),
            (
                "SenderMailFromAddress",
                at(e, &["p1Sender", "emailAddress"]),
            ),
            ("SenderDisplayName", at(e, &["p2Sender", "displayName"])),
            ("SenderIPv4", at(e, &["senderIp"])),
            ("RecipientEmailAddress", at(e, &["recipientEmailAddress"])),
            ("Subject", at(e, &["subject"])),
            ("EmailDirection", json!("Inbound")),
            ("DeliveryAction", at(e, &["deliveryAction"])),
            ("DeliveryLocation", at(e, &["deliveryLocation"])),
            ("ThreatTypes", json!(threats)),
            ("UrlCount", at(e, &["urlCount"])),
            ("AttachmentCount", at(e, &["attachmentsCount"])),
        ]));
    }
}

fn identity_logon(f: &AlertFacts<'_>, out: &mut Vec<Row>) {
    let Some(user) = &f.user else { return };
    let failed = matches!(f.alert.ev_kind, EvKind::Credential | EvKind::Identity);
    let ip =
        f.ip.clone()
            .map(Value::String)
            .or_else(|| f.device.as_ref().map(|d| at(d, &["lastExternalIpAddress"])))
            .unwrap_or(Value::Null);
    out.push(HashMap::from([
        ("Timestamp", json!(f.ts)),
        (
            "ActionType",
            json!(if failed {
                "LogonFailed"
            } else {
                "LogonSuccess"
            }),
        ),
        (
            "Application",
            json!(if f.device.is_some() {
                "Active Directory"
            } else {
                "Microsoft 365"
            }),
        ),
        (
            "LogonType",
            json!(if f.device.is_some() {
                "Interactive"
            } else {
                "OAuth2:Authorize"
            }),
        ),
        (
            "Protocol",
            json!(if f.device.is_some() { "Kerberos" } else { "" }),
        ),
        ("AccountName", at(user, &["userAccount", "accountName"])),
        ("AccountDomain", at(user, &["userAccount", "domainName"])),
        (
            "AccountUpn",
            at(user, &["userAccount", "userPrincipalName"]),
        ),
        ("AccountSid", at(user, &["userAccount", "userSid"])),
        ("DeviceName", f.device_name()),
        ("IPAddress", ip),
        ("Location", Value::Null),
    ]));
}

/// Builds `name` from the tenant's incidents, keeping rows at or after `since` (Unix seconds).
/// `None` for a table the simulator does not have.
pub fn build(name: &str, incidents: &[Incident], since: i64) -> Option<Table> {
    let (_, cols) = TABLES.iter().find(|(n, _)| *n == name)?;
    let mut rows: Vec<Row> = Vec::new();
    for inc in incidents {
        let cast = (name != "AlertInfo").then(|| Cast::of(inc));
        for a in &inc.alerts {
            if a.first_activity.secs() < since - 86_400 {
                continue;
            }
            let Some(cast) = &cast else {
                rows.push(alert_info(a));
                continue;
            };
            let f = AlertFacts::of(cast, a);
            match name {
                "AlertEvidence" => alert_evidence(&f, &mut rows),
                "DeviceProcessEvents" => device_process(&f, &mut rows),
                "DeviceNetworkEvents" => device_network(&f, &mut rows),
                "EmailEvents" => email_events(&f, &mut rows),
                _ => identity_logon(&f, &mut rows),
            }
        }
    }
    let in_window = |r: &Row| {
        r.get("Timestamp")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .is_some_and(|t| t.as_second() >= since)
    };
    Some(Table {
        columns: cols.iter().map(|(n, t)| ((*n).to_string(), *t)).collect(),
        rows: rows
            .into_iter()
            .filter(in_window)
            .map(|mut r| {
                cols.iter()
                    .map(|(n, _)| r.remove(n).unwrap_or(Value::Null))
                    .collect()
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::super::state::Tenant;
    use super::*;

    #[test]
    fn every_table_is_built_from_the_tenant_within_the_window() {
        let now = jiff::Timestamp::now().as_second();
        let t = Tenant::new(7, 120, now);
        for (name, cols) in TABLES {
            let table = build(name, &t.incidents, now - 30 * 86_400).unwrap();
            assert_eq!(table.columns.len(), cols.len());
            assert!(!table.rows.is_empty(), "{name} has rows");
            let ts = table.col("Timestamp").unwrap();
            for r in &table.rows {
                assert_eq!(r.len(), cols.len());
                let secs = r[ts]
                    .as_str()
                    .unwrap()
                    .parse::<jiff::Timestamp>()
                    .unwrap()
                    .as_second();
                assert!(secs >= now - 30 * 86_400, "{name}: {r:?}");
            }
        }
        assert!(build("NoSuchTable", &t.incidents, 0).is_none());
        let week = build("AlertInfo", &t.incidents, now - 7 * 86_400).unwrap();
        let month = build("AlertInfo", &t.incidents, now - 30 * 86_400).unwrap();
        assert!(week.rows.len() < month.rows.len());
    }
}
