//! Polymorphic alert evidence (`alertEvidence`). Dispatches on `@odata.type`; the common
//! fields are always parsed, the type-specific ones for the types a console reads closely, and
//! the full original JSON is kept (compact text, see [`Evidence::raw`]) so unknown or new types are shown
//! generically rather than dropped. Evidence parsing never fails: a malformed item degrades to
//! [`EvidenceKind::Generic`].

use super::enums::{DetectionStatus, EvidenceRole, RemediationStatus, Verdict};
use super::time::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// Every derived evidence type in the v1.0 CSDL, short names.
pub const KNOWN_TYPES: &[&str] = &[
    "activeDirectoryDomainEvidence",
    "aiAgentEvidence",
    "amazonResourceEvidence",
    "analyzedMessageEvidence",
    "azureResourceEvidence",
    "blobContainerEvidence",
    "blobEvidence",
    "cloudApplicationEvidence",
    "cloudLogonRequestEvidence",
    "cloudLogonSessionEvidence",
    "containerEvidence",
    "containerImageEvidence",
    "containerRegistryEvidence",
    "deviceEvidence",
    "dnsEvidence",
    "fileEvidence",
    "fileHashEvidence",
    "gitHubOrganizationEvidence",
    "gitHubRepoEvidence",
    "gitHubUserEvidence",
    "googleCloudResourceEvidence",
    "hostLogonSessionEvidence",
    "ioTDeviceEvidence",
    "ipEvidence",
    "kubernetesClusterEvidence",
    "kubernetesControllerEvidence",
    "kubernetesNamespaceEvidence",
    "kubernetesPodEvidence",
    "kubernetesSecretEvidence",
    "kubernetesServiceAccountEvidence",
    "kubernetesServiceEvidence",
    "mailboxConfigurationEvidence",
    "mailboxEvidence",
    "mailClusterEvidence",
    "malwareEvidence",
    "networkConnectionEvidence",
    "nicEvidence",
    "oauthApplicationEvidence",
    "processEvidence",
    "registryKeyEvidence",
    "registryValueEvidence",
    "sasTokenEvidence",
    "securityGroupEvidence",
    "servicePrincipalEvidence",
    "submissionMailEvidence",
    "teamsMessageEvidence",
    "urlEvidence",
    "userEvidence",
];

/// `fileDetails`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FileDetails {
    pub file_name: Option<String>,
    pub file_path: Option<String>,
    pub file_publisher: Option<String>,
    #[serde(deserialize_with = "lenient_i64")]
    pub file_size: Option<i64>,
    pub issuer: Option<String>,
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    pub signer: Option<String>,
}

/// `userAccount`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserAccount {
    pub account_name: Option<String>,
    pub domain_name: Option<String>,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub user_sid: Option<String>,
    pub azure_ad_user_id: Option<String>,
}

impl UserAccount {
    /// Best single name: UPN, else DOMAIN\account, else display name.
    pub fn best_name(&self) -> Option<String> {
        if let Some(u) = self
            .user_principal_name
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            return Some(u.to_string());
        }
        match (self.domain_name.as_deref(), self.account_name.as_deref()) {
            (Some(d), Some(a)) if !d.is_empty() => Some(format!("{d}\\{a}")),
            (_, Some(a)) => Some(a.to_string()),
            _ => self.display_name.clone(),
        }
    }
}

/// Type-specific evidence fields for the types vigil reads closely.
#[allow(clippy::large_enum_variant)] // built once per evidence item, never moved in hot loops
#[derive(Clone, Debug, PartialEq)]
pub enum EvidenceKind {
    Device {
        device_dns_name: Option<String>,
        host_name: Option<String>,
        mde_device_id: Option<String>,
        os_platform: Option<String>,
        os_build: Option<i64>,
        health_status: Option<String>,
        risk_score: Option<String>,
        ip_interfaces: Vec<String>,
        logged_on_users: Vec<String>,
    },
    File {
        details: Box<FileDetails>,
        detection_status: Option<DetectionStatus>,
        mde_device_id: Option<String>,
    },
    Process {
        process_id: Option<i64>,
        parent_process_id: Option<i64>,
        command_line: Option<String>,
        image: Box<FileDetails>,
        parent_image: Box<FileDetails>,
        created: Option<Timestamp>,
        parent_created: Option<Timestamp>,
        user: Option<Box<UserAccount>>,
        mde_device_id: Option<String>,
        detection_status: Option<DetectionStatus>,
    },
    User {
        account: Box<UserAccount>,
    },
    Mailbox {
        display_name: Option<String>,
        primary_address: Option<String>,
        upn: Option<String>,
    },
    Ip {
        address: Option<String>,
        country: Option<String>,
    },
    Url {
        url: Option<String>,
    },
    CloudApplication {
        display_name: Option<String>,
        app_id: Option<i64>,
        instance_name: Option<String>,
    },
    RegistryKey {
        hive: Option<String>,
        key: Option<String>,
    },
    RegistryValue {
        hive: Option<String>,
        key: Option<String>,
        value_name: Option<String>,
        value: Option<String>,
        value_type: Option<String>,
    },
    AnalyzedMessage {
        subject: Option<String>,
        sender: Option<String>,
        recipient: Option<String>,
        network_message_id: Option<String>,
        delivery_action: Option<String>,
        urls: Vec<String>,
    },
    MailCluster {
        cluster_by: Option<String>,
        cluster_by_value: Option<String>,
        email_count: Option<i64>,
    },
    OauthApplication {
        app_id: Option<String>,
        display_name: Option<String>,
        publisher: Option<String>,
    },
    SecurityGroup {
        display_name: Option<String>,
        sid: Option<String>,
    },
    /// Any other type (known to the schema or not): common fields plus [`Evidence::raw`].
    Generic,
}

/// One evidence item of an alert.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// The `@odata.type` without the `#microsoft.graph.security.` prefix (e.g. `deviceEvidence`).
    pub odata_type: String,
    pub created: Option<Timestamp>,
    pub verdict: Verdict,
    pub remediation_status: RemediationStatus,
    pub remediation_status_details: Option<String>,
    pub roles: Vec<EvidenceRole>,
    pub detailed_roles: Vec<String>,
    pub tags: Vec<String>,
    pub kind: EvidenceKind,
    /// The complete JSON object as received, as compact text (a parsed tree is several times
    /// larger); read it with [`raw`](Self::raw).
    raw: RawJson,
}

/// A JSON value kept as its compact serialized text. Compares by text.
#[derive(Clone, Debug)]
struct RawJson(Box<RawValue>);

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl RawJson {
    fn new(v: &Value) -> Self {
        match serde_json::value::to_raw_value(v) {
            Ok(r) => RawJson(r),
            // A `Value` always serializes; keep `null` rather than fail.
            Err(_) => RawJson(Self::null()),
        }
    }

    fn null() -> Box<RawValue> {
        RawValue::from_string("null".to_string()).unwrap_or_else(|_| unreachable!())
    }
}

/// The kinds of entity the free-text search and context blocks look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Device,
    User,
    Mailbox,
    Ip,
    File,
    Hash,
    Url,
    Process,
    App,
    Registry,
    Other,
}

impl Evidence {
    /// The complete JSON object as received (parsed on demand, for the generic view).
    pub fn raw(&self) -> Value {
        serde_json::from_str(self.raw.0.get()).unwrap_or(Value::Null)
    }

    /// The complete JSON object as received, as compact JSON text.
    pub fn raw_json(&self) -> &str {
        self.raw.0.get()
    }

    /// True when `@odata.type` is one of the 48 schema types.
    pub fn is_known_type(&self) -> bool {
        KNOWN_TYPES.contains(&self.odata_type.as_str())
    }

    /// Short display name of the type: `deviceEvidence` → `device`.
    pub fn type_label(&self) -> &str {
        self.odata_type
            .strip_suffix("Evidence")
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.odata_type)
    }

    /// Searchable entity values carried by this item.
    pub fn entities(&self) -> Vec<(EntityKind, String)> {
        let mut out = Vec::new();
        let mut push = |k: EntityKind, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|s| !s.is_empty()) {
                out.push((k, v.to_string()));
            }
        };
        match &self.kind {
            EvidenceKind::Device {
                device_dns_name,
                host_name,
                ip_interfaces,
                ..
            } => {
                push(EntityKind::Device, device_dns_name);
                push(EntityKind::Device, host_name);
                for ip in ip_interfaces {
                    out.push((EntityKind::Ip, ip.clone()));
                }
            }
            EvidenceKind::File { details, .. } => file_entities(details, &mut out),
            EvidenceKind::Process {
                command_line,
                image,
                user,
                ..
            } => {
                push(EntityKind::Process, command_line);
                file_entities(image, &mut out);
                if let Some(n) = user.as_ref().and_then(|u| u.best_name()) {
                    out.push((EntityKind::User, n));
                }
            }
            EvidenceKind::User { account } => {
                if let Some(n) = account.best_name() {
                    out.push((EntityKind::User, n));
                }
                if let Some(d) = &account.display_name {
                    out.push((EntityKind::User, d.clone()));
                }
            }
            EvidenceKind::Mailbox {
                primary_address,
                upn,
                display_name,
            } => {
                push(EntityKind::Mailbox, primary_address);
                push(EntityKind::Mailbox, upn);
                push(EntityKind::Mailbox, display_name);
            }
            EvidenceKind::Ip { address, .. } => push(EntityKind::Ip, address),
            EvidenceKind::Url { url } => push(EntityKind::Url, url),
            EvidenceKind::CloudApplication { display_name, .. } => {
                push(EntityKind::App, display_name)
            }
            EvidenceKind::OauthApplication { display_name, .. } => {
                push(EntityKind::App, display_name)
            }
            EvidenceKind::RegistryKey { key, .. } => push(EntityKind::Registry, key),
            EvidenceKind::RegistryValue { key, .. } => push(EntityKind::Registry, key),
            EvidenceKind::AnalyzedMessage {
                sender,
                recipient,
                subject,
                urls,
                ..
            } => {
                push(EntityKind::Mailbox, sender);
                push(EntityKind::Mailbox, recipient);
                push(EntityKind::Other, subject);
                for u in urls {
                    out.push((EntityKind::Url, u.clone()));
                }
            }
            EvidenceKind::MailCluster {
                cluster_by_value, ..
            } => push(EntityKind::Other, cluster_by_value),
            EvidenceKind::SecurityGroup { display_name, .. } => {
                push(EntityKind::Other, display_name)
            }
            EvidenceKind::Generic => {}
        }
        out
    }

    /// One-line summary for lists (untrusted text: sanitise before display).
    pub fn summary(&self) -> String {
        let first = |k: EntityKind| {
            self.entities()
                .into_iter()
                .find(|(ek, _)| *ek == k)
                .map(|(_, v)| v)
        };
        match &self.kind {
            EvidenceKind::Device {
                device_dns_name,
                host_name,
                os_platform,
                ..
            } => format!(
                "{} ({})",
                device_dns_name
                    .as_deref()
                    .or(host_name.as_deref())
                    .unwrap_or("?"),
                os_platform.as_deref().unwrap_or("?")
            ),
            EvidenceKind::File { details, .. } => format!(
                "{} {}",
                details.file_name.as_deref().unwrap_or("?"),
                details
                    .sha256
                    .as_deref()
                    .or(details.sha1.as_deref())
                    .unwrap_or("")
            ),
            EvidenceKind::Process {
                process_id,
                image,
                command_line,
                ..
            } => format!(
                "[{}] {} {}",
                process_id
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "?".into()),
                image.file_name.as_deref().unwrap_or("?"),
                command_line.as_deref().unwrap_or("")
            ),
            EvidenceKind::RegistryValue {
                hive,
                key,
                value_name,
                value,
                ..
            } => format!(
                "{}\\{} {} = {}",
                hive.as_deref().unwrap_or(""),
                key.as_deref().unwrap_or(""),
                value_name.as_deref().unwrap_or(""),
                value.as_deref().unwrap_or("")
            ),
            EvidenceKind::RegistryKey { hive, key } => format!(
                "{}\\{}",
                hive.as_deref().unwrap_or(""),
                key.as_deref().unwrap_or("")
            ),
            EvidenceKind::AnalyzedMessage {
                subject, sender, ..
            } => format!(
                "\"{}\" from {}",
                subject.as_deref().unwrap_or(""),
                sender.as_deref().unwrap_or("?")
            ),
            EvidenceKind::MailCluster {
                cluster_by,
                cluster_by_value,
                email_count,
            } => format!(
                "{} = {} ({} emails)",
                cluster_by.as_deref().unwrap_or("?"),
                cluster_by_value.as_deref().unwrap_or("?"),
                email_count.unwrap_or(0)
            ),
            EvidenceKind::Generic => generic_summary(&self.raw()),
            _ => first(EntityKind::User)
                .or_else(|| self.entities().into_iter().next().map(|(_, v)| v))
                .unwrap_or_default(),
        }
    }
}

fn file_entities(d: &FileDetails, out: &mut Vec<(EntityKind, String)>) {
    for (k, v) in [
        (EntityKind::File, &d.file_name),
        (EntityKind::File, &d.file_path),
        (EntityKind::Hash, &d.sha256),
        (EntityKind::Hash, &d.sha1),
        (EntityKind::Hash, &d.md5),
    ] {
        if let Some(v) = v.as_deref().filter(|s| !s.is_empty()) {
            out.push((k, v.to_string()));
        }
    }
}

/// First few scalar fields of an unknown evidence object, for a summary line.
fn generic_summary(raw: &Value) -> String {
    const COMMON: &[&str] = &[
        "@odata.type",
        "createdDateTime",
        "verdict",
        "remediationStatus",
        "remediationStatusDetails",
        "roles",
        "detailedRoles",
        "tags",
    ];
    let Some(obj) = raw.as_object() else {
        return String::new();
    };
    obj.iter()
        .filter(|(k, v)| !COMMON.contains(&k.as_str()) && (v.is_string() || v.is_number()))
        .take(3)
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn int_field(v: &Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn str_list(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Object(_) => i
                    .get("accountName")
                    .and_then(|a| a.as_str())
                    .map(|s| s.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn sub<T: for<'a> Deserialize<'a> + Default>(v: &Value, key: &str) -> T {
    v.get(key)
        .filter(|x| x.is_object())
        .and_then(|x| serde_json::from_value(x.clone()).ok())
        .unwrap_or_default()
}

fn ts_field(v: &Value, key: &str) -> Option<Timestamp> {
    v.get(key)
        .and_then(|x| x.as_str())
        .and_then(Timestamp::parse)
}

fn enum_field<T: for<'a> Deserialize<'a>>(v: &Value, key: &str) -> Option<T> {
    v.get(key)
        .filter(|x| !x.is_null())
        .and_then(|x| serde_json::from_value(x.clone()).ok())
}

impl Evidence {
    /// Builds an evidence item from any JSON value. Never fails.
    pub fn from_value(raw: Value) -> Evidence {
        let odata = raw
            .get("@odata.type")
            .and_then(|t| t.as_str())
            .unwrap_or("")
            .trim_start_matches('#')
            .trim_start_matches("microsoft.graph.security.")
            .to_string();
        let v = &raw;
        let kind = match odata.as_str() {
            "deviceEvidence" => EvidenceKind::Device {
                device_dns_name: str_field(v, "deviceDnsName"),
                host_name: str_field(v, "hostName"),
                mde_device_id: str_field(v, "mdeDeviceId"),
                os_platform: str_field(v, "osPlatform"),
                os_build: int_field(v, "osBuild"),
                health_status: str_field(v, "healthStatus"),
                risk_score: str_field(v, "riskScore"),
                ip_interfaces: str_list(v, "ipInterfaces"),
                logged_on_users: str_list(v, "loggedOnUsers"),
            },
            "fileEvidence" => EvidenceKind::File {
                details: sub(v, "fileDetails"),
                detection_status: enum_field(v, "detectionStatus"),
                mde_device_id: str_field(v, "mdeDeviceId"),
            },
            "processEvidence" => EvidenceKind::Process {
                process_id: int_field(v, "processId"),
                parent_process_id: int_field(v, "parentProcessId"),
                command_line: str_field(v, "processCommandLine"),
                image: sub(v, "imageFile"),
                parent_image: sub(v, "parentProcessImageFile"),
                created: ts_field(v, "processCreationDateTime"),
                parent_created: ts_field(v, "parentProcessCreationDateTime"),
                user: v
                    .get("userAccount")
                    .filter(|x| x.is_object())
                    .and_then(|x| serde_json::from_value(x.clone()).ok())
                    .map(Box::new),
                mde_device_id: str_field(v, "mdeDeviceId"),
                detection_status: enum_field(v, "detectionStatus"),
            },
            "userEvidence" => EvidenceKind::User {
                account: sub(v, "userAccount"),
            },
            "mailboxEvidence" => EvidenceKind::Mailbox {
                display_name: str_field(v, "displayName"),
                primary_address: str_field(v, "primaryAddress"),
                upn: str_field(v, "upn"),
            },
            "ipEvidence" => EvidenceKind::Ip {
                address: str_field(v, "ipAddress"),
                country: str_field(v, "countryLetterCode"),
            },
            "urlEvidence" => EvidenceKind::Url {
                url: str_field(v, "url"),
            },
            "cloudApplicationEvidence" => EvidenceKind::CloudApplication {
                display_name: str_field(v, "displayName"),
                app_id: int_field(v, "appId"),
                instance_name: str_field(v, "instanceName"),
            },
            "registryKeyEvidence" => EvidenceKind::RegistryKey {
                hive: str_field(v, "registryHive"),
                key: str_field(v, "registryKey"),
            },
            "registryValueEvidence" => EvidenceKind::RegistryValue {
                hive: str_field(v, "registryHive"),
                key: str_field(v, "registryKey"),
                value_name: str_field(v, "registryValueName"),
                value: str_field(v, "registryValue"),
                value_type: str_field(v, "registryValueType"),
            },
            "analyzedMessageEvidence" => EvidenceKind::AnalyzedMessage {
                subject: str_field(v, "subject"),
                sender: sender_address(v, "p1Sender").or_else(|| sender_address(v, "p2Sender")),
                recipient: str_field(v, "recipientEmailAddress"),
                network_message_id: str_field(v, "networkMessageId"),
                delivery_action: str_field(v, "deliveryAction"),
                urls: str_list(v, "urls"),
            },
            "mailClusterEvidence" => EvidenceKind::MailCluster {
                cluster_by: str_field(v, "clusterBy"),
                cluster_by_value: str_field(v, "clusterByValue"),
                email_count: int_field(v, "emailCount"),
            },
            "oauthApplicationEvidence" => EvidenceKind::OauthApplication {
                app_id: str_field(v, "appId"),
                display_name: str_field(v, "displayName"),
                publisher: str_field(v, "publisher"),
            },
            "securityGroupEvidence" => EvidenceKind::SecurityGroup {
                display_name: str_field(v, "displayName"),
                sid: str_field(v, "sid"),
            },
            _ => EvidenceKind::Generic,
        };
        Evidence {
            odata_type: if odata.is_empty() {
                "unknownEvidence".into()
            } else {
                odata
            },
            created: ts_field(v, "createdDateTime"),
            verdict: enum_field(v, "verdict").unwrap_or_default(),
            remediation_status: enum_field(v, "remediationStatus").unwrap_or_default(),
            remediation_status_details: str_field(v, "remediationStatusDetails"),
            roles: match v.get("roles") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|r| serde_json::from_value(r.clone()).ok())
                    .collect(),
                _ => Vec::new(),
            },
            detailed_roles: str_list(v, "detailedRoles"),
            tags: str_list(v, "tags"),
            kind,
            raw: RawJson::new(v),
        }
    }
}

impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Evidence::from_value(Value::deserialize(d)?))
    }
}

impl Serialize for Evidence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.0.serialize(s)
    }
}

/// `emailAddress` of the `emailSender` under `key` (`p1Sender`: envelope, `p2Sender`: header).
fn sender_address(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(|s| s.get("emailAddress"))
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Evidence> {
        let v: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/alert_docs_sample.json"
        ))
        .unwrap();
        serde_json::from_value(v["evidence"].clone()).unwrap()
    }

    #[test]
    fn dispatches_on_odata_type() {
        let ev = sample();
        assert!(matches!(
            ev[0].kind,
            EvidenceKind::Device {
                os_build: Some(22424),
                ..
            }
        ));
        assert_eq!(ev[0].roles, vec![EvidenceRole::Compromised]);
        match &ev[1].kind {
            EvidenceKind::File { details, .. } => {
                assert_eq!(details.file_name.as_deref(), Some("MsSense.exe"));
                assert_eq!(details.file_size, Some(6136392));
            }
            other => panic!("expected file, got {other:?}"),
        }
        match &ev[2].kind {
            EvidenceKind::Process {
                process_id,
                parent_process_id,
                parent_image,
                user,
                ..
            } => {
                assert_eq!((*process_id, *parent_process_id), (Some(4780), Some(668)));
                assert_eq!(parent_image.file_name.as_deref(), Some("services.exe"));
                assert_eq!(
                    user.as_ref().and_then(|u| u.best_name()).as_deref(),
                    Some("NT AUTHORITY\\SYSTEM")
                );
            }
            other => panic!("expected process, got {other:?}"),
        }
        assert_eq!(ev[3].type_label(), "registryKey");
    }

    #[test]
    fn unknown_type_is_kept_with_raw_json() {
        let ev = sample();
        let q = &ev[4];
        assert_eq!(q.odata_type, "quantumWidgetEvidence");
        assert!(!q.is_known_type());
        assert_eq!(q.kind, EvidenceKind::Generic);
        assert_eq!(q.verdict, Verdict::Other("5".into()));
        assert_eq!(q.remediation_status, RemediationStatus::Running);
        assert_eq!(q.raw()["depth"]["a"]["b"][2], 3);
        assert!(q.summary().contains("widgetName=qw-1"));
        // Serialising gives back the original object.
        assert_eq!(serde_json::to_value(q).unwrap(), q.raw());
        let original: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/alert_docs_sample.json"
        ))
        .unwrap();
        assert_eq!(serde_json::to_value(q).unwrap(), original["evidence"][4]);
        assert_eq!(
            serde_json::to_string(q).unwrap(),
            serde_json::to_string(&original["evidence"][4]).unwrap()
        );
    }

    #[test]
    fn entities_cover_device_file_and_user() {
        let ev = sample();
        let all: Vec<(EntityKind, String)> = ev.iter().flat_map(|e| e.entities()).collect();
        assert!(all.contains(&(EntityKind::Device, "yonif-lap3".into())));
        assert!(all.contains(&(EntityKind::Ip, "1.1.1.1".into())));
        assert!(
            all.iter()
                .any(|(k, v)| *k == EntityKind::Hash && v.starts_with("8963a19f"))
        );
    }

    #[test]
    fn wrong_shapes_degrade_instead_of_failing() {
        let e = Evidence::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.security.processEvidence",
            "processId": "not a number", "imageFile": 7, "roles": "compromised", "verdict": null
        }));
        assert!(matches!(
            e.kind,
            EvidenceKind::Process {
                process_id: None,
                ..
            }
        ));
        assert!(e.roles.is_empty());
        let e = Evidence::from_value(Value::String("garbage".into()));
        assert_eq!(e.kind, EvidenceKind::Generic);
    }
    #[test]
    fn email_sender_is_p1_then_p2_sender_address() {
        let msg = |extra: Value| {
            let mut v = serde_json::json!({
                "@odata.type": "#microsoft.graph.security.analyzedMessageEvidence",
                "subject": "Invoice 7", "recipientEmailAddress": "kai@contoso.com",
            });
            if let (Value::Object(m), Value::Object(x)) = (&mut v, extra) {
                m.extend(x);
            }
            Evidence::from_value(v)
        };
        let both = msg(serde_json::json!({
            "p1Sender": {"emailAddress": "bounce@mailer.example", "displayName": "Mailer"},
            "p2Sender": {"emailAddress": "ceo@lookalike.example", "displayName": "CEO"},
        }));
        assert_eq!(both.summary(), "\"Invoice 7\" from bounce@mailer.example");
        assert!(
            both.entities()
                .contains(&(EntityKind::Mailbox, "bounce@mailer.example".into()))
        );
        let p2_only = msg(serde_json::json!({
            "p1Sender": {"emailAddress": null},
            "p2Sender": {"emailAddress": "ceo@lookalike.example"},
        }));
        assert_eq!(
            p2_only.summary(),
            "\"Invoice 7\" from ceo@lookalike.example"
        );
        let neither = msg(serde_json::json!({ "p1Sender": "not an object" }));
        assert_eq!(neither.summary(), "\"Invoice 7\" from ?");
    }
}
