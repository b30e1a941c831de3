//! Static text pools for the simulated tenant: people, hosts and alert templates.

use super::model::EvKind;

/// Analysts who own incidents.
pub const ANALYSTS: &[&str] = &[
    "ana.silva@contoso.com",
    "kim.minji@contoso.com",
    "li.wei@contoso.com",
    "omar.haddad@contoso.com",
    "sam.taylor@contoso.com",
];
/// The "other analyst" whose portal edits show up during live activity.
pub const OTHER_ANALYSTS: &[&str] = &[
    "portal:jordan.lee@contoso.com",
    "portal:kim.minji@contoso.com",
    "portal:ana.silva@contoso.com",
];
/// People affected by incidents: (display name, account name, department).
pub const USERS: &[(&str, &str)] = &[
    ("Adele Vance", "adelev"),
    ("Alex Wilber", "alexw"),
    ("Diego Siciliani", "diegos"),
    ("Grady Archie", "gradya"),
    ("Isaiah Langer", "isaiahl"),
    ("Johanna Lorenz", "johannal"),
    ("Lee Gu", "leeg"),
    ("Lidia Holloway", "lidiah"),
    ("Megan Bowen", "meganb"),
    ("Nestor Wilke", "nestorw"),
    ("Patti Fernandez", "pattif"),
    ("Pradeep Gupta", "pradeepg"),
    ("Camille Dubois", "camilled"),
    ("박지훈", "jihoon.park"),
];
/// Departments of the generated workstation fleet (`wks-{dept}-{nnn}`, `lt-{dept}-{nnn}`).
pub const DEPARTMENTS: &[&str] = &["fin", "hr", "sales", "dev", "ops", "legal", "mkt", "it"];
/// Workstation OS platforms and builds of the generated fleet.
pub const FLEET_OS: &[(&str, i64)] = &[
    ("Windows11", 22631),
    ("Windows11", 26100),
    ("Windows10", 19045),
];
/// Shared mailboxes a phishing mail may be addressed to instead of a person.
pub const SHARED_MAILBOXES: &[&str] = &[
    "finance@contoso.com",
    "payroll@contoso.com",
    "hr@contoso.com",
    "info@contoso.com",
    "sales@contoso.com",
];
/// Device host names with OS platform and build.
pub const DEVICES: &[(&str, &str, i64)] = &[
    ("wks-fin-014", "Windows11", 22631),
    ("wks-fin-022", "Windows11", 22631),
    ("lt-hr-203", "Windows10", 19045),
    ("lt-sales-117", "Windows11", 26100),
    ("lt-dev-042", "Windows11", 26100),
    ("srv-sql-02", "WindowsServer2022", 20348),
    ("srv-web-07", "WindowsServer2019", 17763),
    ("dc01", "WindowsServer2022", 20348),
    ("mac-design-03", "macOS", 0),
    ("lnx-build-01", "Linux", 0),
];
/// External addresses (documentation ranges) with country codes.
pub const EXT_IPS: &[(&str, &str, &str)] = &[
    ("203.0.113.45", "NL", "Amsterdam"),
    ("198.51.100.23", "RU", "Moscow"),
    ("192.0.2.77", "US", "Ashburn"),
    ("203.0.113.201", "KR", "Seoul"),
    ("198.51.100.190", "BR", "São Paulo"),
    ("185.220.101.4", "DE", "Frankfurt am Main"),
];
/// Malicious-looking domains.
pub const DOMAINS: &[&str] = &[
    "login-microsoftonline.contoso-secure.net",
    "cdn.update-check.info",
    "docs-share.sharepoint-files.co",
    "invoice-portal.biz",
    "tracking.parcel-delivery.io",
];
/// Phishing senders: (display name, address). The header sender (`p2Sender`) is one of these;
/// the envelope sender (`p1Sender`) is either the same or a bulk mailer's bounce address.
pub const MAIL_SENDERS: &[(&str, &str)] = &[
    ("Billing", "billing@invoice-portal.biz"),
    (
        "Microsoft 365",
        "no-reply@login-microsoftonline.contoso-secure.net",
    ),
    ("DocuSign", "dse@docs-share.sharepoint-files.co"),
    ("DHL Express", "notification@tracking.parcel-delivery.io"),
    ("IT Helpdesk", "helpdesk@contoso-support.com"),
    ("Payroll", "payroll@hr-benefits-portal.net"),
    ("Jon Ruiz (CEO)", "jon.ruiz@contoso-corp.co"),
    (
        "SharePoint Online",
        "sharepoint@docs-share.sharepoint-files.co",
    ),
];
/// Bulk-mail envelope domains a spoofed message may be sent through.
pub const MAIL_RELAYS: &[&str] = &["mailer-eu.sendgridder.net", "bounce.mc-sendout.com"];
/// Phishing subjects.
pub const MAIL_SUBJECTS: &[&str] = &[
    "Action required: overdue invoice #44821",
    "Your password expires today",
    "Please review and sign: Q3 contract",
    "Your parcel could not be delivered",
    "Urgent wire transfer needed before 5pm",
    "Updated payroll details for this month",
    "You have 3 pending voice messages",
    "Shared with you: Salary review 2026.xlsx",
];
/// Custom tags analysts use.
pub const TAGS: &[&str] = &[
    "Demo",
    "VIP",
    "PCI",
    "Phishing campaign Q3",
    "Ransomware",
    "Escalated",
    "Tier2",
    "Red team exercise",
];

/// Where an alert comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    Endpoint,
    Office,
    Identity,
    CloudApps,
    Sentinel,
}

impl Src {
    /// (serviceSource, productName).
    pub fn service(self) -> (&'static str, &'static str) {
        match self {
            Src::Endpoint => (
                "microsoftDefenderForEndpoint",
                "Microsoft Defender for Endpoint",
            ),
            Src::Office => (
                "microsoftDefenderForOffice365",
                "Microsoft Defender for Office 365",
            ),
            Src::Identity => (
                "microsoftDefenderForIdentity",
                "Microsoft Defender for Identity",
            ),
            Src::CloudApps => (
                "microsoftDefenderForCloudApps",
                "Microsoft Defender for Cloud Apps",
            ),
            Src::Sentinel => ("microsoftSentinel", "Microsoft Sentinel"),
        }
    }

    /// Alert id prefix used by the originating product.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Src::Endpoint => "da",
            Src::Office => "fa",
            Src::Identity => "aa",
            Src::CloudApps => "ca",
            Src::Sentinel => "sn",
        }
    }
}

/// An alert template.
pub struct Tpl {
    pub title: &'static str,
    pub title_fr: Option<&'static str>,
    pub title_ko: Option<&'static str>,
    pub category: &'static str,
    pub mitre: &'static [&'static str],
    pub src: Src,
    pub detection: &'static str,
    pub severity: &'static str,
    pub ev: EvKind,
    pub description: &'static str,
    pub recommended: &'static str,
    pub threat: Option<&'static str>,
}

const REC_ENDPOINT: &str = "A. Validate the alert.\n\t1. Check the process tree and command line.\n\t2. Review the machine timeline for related activity.\nB. Scope the incident.\n\t• Find related devices and users.\nC. Contain and mitigate the breach.\n\t• Isolate the device if the activity is malicious.";
const REC_MAIL: &str = "Review the message in Explorer, check who clicked the URL, and soft-delete remaining copies.\n• Reset credentials of users who entered them on the page.";
const REC_IDENTITY: &str = "Confirm with the user whether the sign-ins are expected.\nIf not, revoke sessions, reset the password and require MFA re-registration.";

/// Alert templates by scenario.
pub const TEMPLATES: &[Tpl] = &[
    Tpl {
        title: "Suspicious PowerShell command line",
        title_fr: Some("Ligne de commande PowerShell suspecte"),
        title_ko: None,
        category: "Execution",
        mitre: &["T1059.001", "T1027"],
        src: Src::Endpoint,
        detection: "microsoftDefenderForEndpoint",
        severity: "medium",
        ev: EvKind::ProcChain,
        description: "A suspicious PowerShell command line was observed. The command was launched by an Office application and used an encoded payload, which attackers use to hide downloaded code.",
        recommended: REC_ENDPOINT,
        threat: None,
    },
    Tpl {
        title: "Suspicious process injection observed",
        title_fr: None,
        title_ko: None,
        category: "DefenseEvasion",
        mitre: &["T1055"],
        src: Src::Endpoint,
        detection: "microsoftDefenderForEndpoint",
        severity: "medium",
        ev: EvKind::ProcChain,
        description: "A process injected code into another process, a technique used to evade defences and run code under the identity of a trusted process.",
        recommended: REC_ENDPOINT,
        threat: None,
    },
    Tpl {
        title: "Possible credential theft via LSASS memory access",
        title_fr: Some(
            "Vol d'informations d'identification possible via l'accès à la mémoire LSASS",
        ),
        title_ko: None,
        category: "CredentialAccess",
        mitre: &["T1003.001"],
        src: Src::Endpoint,
        detection: "microsoftDefenderForEndpoint",
        severity: "high",
        ev: EvKind::Credential,
        description: "A process accessed the memory of the Local Security Authority Subsystem Service (LSASS), which may indicate an attempt to dump credentials.",
        recommended: REC_ENDPOINT,
        threat: None,
    },
    Tpl {
        title: "Ransomware behavior detected in the file system",
        title_fr: None,
        title_ko: None,
        category: "Impact",
        mitre: &["T1486", "T1490"],
        src: Src::Endpoint,
        detection: "antivirus",
        severity: "high",
        ev: EvKind::Ransom,
        description: "Files were rapidly renamed with an unusual extension and shadow copies were deleted, a pattern typical of ransomware.",
        recommended: REC_ENDPOINT,
        threat: Some("Ransom:Win32/LockBit"),
    },
    Tpl {
        title: "Suspicious execution of hidden file",
        title_fr: None,
        title_ko: None,
        category: "DefenseEvasion",
        mitre: &["T1564.001"],
        src: Src::Endpoint,
        detection: "antivirus",
        severity: "low",
        ev: EvKind::ProcChain,
        description: "A hidden file has been launched. This activity could indicate a compromised host. Attackers often hide files associated with malicious tools to evade file system inspection and defenses.",
        recommended: REC_ENDPOINT,
        threat: None,
    },
    Tpl {
        title: "'Mimikatz' credential theft tool was detected",
        title_fr: None,
        title_ko: None,
        category: "CredentialAccess",
        mitre: &["T1003"],
        src: Src::Endpoint,
        detection: "antivirus",
        severity: "high",
        ev: EvKind::Credential,
        description: "A known credential theft tool was detected on the device.",
        recommended: REC_ENDPOINT,
        threat: Some("HackTool:Win32/Mimikatz"),
    },
    Tpl {
        title: "Suspicious Run key registry modification",
        title_fr: None,
        title_ko: None,
        category: "Persistence",
        mitre: &["T1547.001"],
        src: Src::Endpoint,
        detection: "microsoftDefenderForEndpoint",
        severity: "medium",
        ev: EvKind::Registry,
        description: "A process added an entry to a Run key so that a payload starts at every sign-in.",
        recommended: REC_ENDPOINT,
        threat: None,
    },
    Tpl {
        title: "An active 'CobaltStrike' malware was detected",
        title_fr: None,
        title_ko: None,
        category: "CommandAndControl",
        mitre: &["T1071.001", "T1105"],
        src: Src::Endpoint,
        detection: "antivirus",
        severity: "high",
        ev: EvKind::C2,
        description: "An active Cobalt Strike beacon was detected communicating with an external server.",
        recommended: REC_ENDPOINT,
        threat: Some("Backdoor:Win64/CobaltStrike"),
    },
    Tpl {
        title: "Connection to a known command-and-control address",
        title_fr: None,
        title_ko: None,
        category: "CommandAndControl",
        mitre: &["T1071"],
        src: Src::Endpoint,
        detection: "customTi",
        severity: "medium",
        ev: EvKind::C2,
        description: "The device connected to an address listed in a custom threat-intelligence indicator.",
        recommended: REC_ENDPOINT,
        threat: None,
    },
    Tpl {
        title: "Email messages containing malicious URL removed after delivery",
        title_fr: None,
        title_ko: None,
        category: "InitialAccess",
        mitre: &["T1566.002"],
        src: Src::Office,
        detection: "microsoftDefenderForOffice365",
        severity: "informational",
        ev: EvKind::Mail,
        description: "Emails containing a malicious URL were delivered and later removed by zero-hour auto purge.",
        recommended: REC_MAIL,
        threat: None,
    },
    Tpl {
        title: "A potentially malicious URL click was detected",
        title_fr: None,
        title_ko: Some("잠재적으로 악의적인 URL 클릭이 감지됨"),
        category: "InitialAccess",
        mitre: &["T1204.001", "T1566.002"],
        src: Src::Office,
        detection: "microsoftDefenderForOffice365",
        severity: "high",
        ev: EvKind::Mail,
        description: "A user clicked a URL that was later identified as malicious by Safe Links.",
        recommended: REC_MAIL,
        threat: None,
    },
    Tpl {
        title: "Email reported by user as malware or phish",
        title_fr: None,
        title_ko: None,
        category: "InitialAccess",
        mitre: &["T1566"],
        src: Src::Office,
        detection: "microsoftDefenderForOffice365",
        severity: "informational",
        ev: EvKind::Mail,
        description: "A user reported an email message as phishing or malware.",
        recommended: REC_MAIL,
        threat: None,
    },
    Tpl {
        title: "Suspicious email forwarding activity",
        title_fr: None,
        title_ko: None,
        category: "Exfiltration",
        mitre: &["T1114.003"],
        src: Src::Office,
        detection: "microsoftDefenderForOffice365",
        severity: "medium",
        ev: EvKind::MailForward,
        description: "A mailbox rule forwards messages to an external address.",
        recommended: REC_MAIL,
        threat: None,
    },
    Tpl {
        title: "Suspected brute-force attack (Kerberos, NTLM)",
        title_fr: None,
        title_ko: Some("의심스러운 로그인 활동: 무차별 대입 공격 의심"),
        category: "CredentialAccess",
        mitre: &["T1110"],
        src: Src::Identity,
        detection: "microsoftDefenderForIdentity",
        severity: "medium",
        ev: EvKind::Identity,
        description: "Many authentication failures were followed by a successful sign-in from the same source.",
        recommended: REC_IDENTITY,
        threat: None,
    },
    Tpl {
        title: "Atypical travel",
        title_fr: None,
        title_ko: Some("의심스러운 로그인 활동"),
        category: "InitialAccess",
        mitre: &["T1078"],
        src: Src::Identity,
        detection: "azureAdIdentityProtection",
        severity: "medium",
        ev: EvKind::Identity,
        description: "Two sign-ins from geographically distant locations happened within a time shorter than the travel time between them.",
        recommended: REC_IDENTITY,
        threat: None,
    },
    Tpl {
        title: "Suspected DCSync attack (replication of directory services)",
        title_fr: None,
        title_ko: None,
        category: "CredentialAccess",
        mitre: &["T1003.006"],
        src: Src::Identity,
        detection: "microsoftDefenderForIdentity",
        severity: "high",
        ev: EvKind::Identity,
        description: "A replication request was sent from a computer that is not a domain controller.",
        recommended: REC_IDENTITY,
        threat: None,
    },
    Tpl {
        title: "Impossible travel activity",
        title_fr: None,
        title_ko: None,
        category: "InitialAccess",
        mitre: &["T1078"],
        src: Src::CloudApps,
        detection: "cloudAppSecurity",
        severity: "medium",
        ev: EvKind::CloudApp,
        description: "The same user was active from two distant countries within a short time.",
        recommended: REC_IDENTITY,
        threat: None,
    },
    Tpl {
        title: "Mass download by a single user",
        title_fr: Some("Téléchargement massif par un seul utilisateur"),
        title_ko: None,
        category: "Exfiltration",
        mitre: &["T1530"],
        src: Src::CloudApps,
        detection: "cloudAppSecurity",
        severity: "medium",
        ev: EvKind::CloudApp,
        description: "A user downloaded an unusually large number of files from SharePoint Online.",
        recommended: REC_IDENTITY,
        threat: None,
    },
    Tpl {
        title: "Suspicious OAuth app file download activities",
        title_fr: None,
        title_ko: None,
        category: "Collection",
        mitre: &["T1213", "T1528"],
        src: Src::CloudApps,
        detection: "appGovernanceDetection",
        severity: "low",
        ev: EvKind::OAuth,
        description: "An OAuth application with broad file permissions downloaded many files.",
        recommended: REC_IDENTITY,
        threat: None,
    },
    Tpl {
        title: "Multiple failed sign-ins followed by success",
        title_fr: None,
        title_ko: None,
        category: "CredentialAccess",
        mitre: &["T1110.003"],
        src: Src::Sentinel,
        detection: "scheduledAlerts",
        severity: "medium",
        ev: EvKind::Sentinel,
        description: "Sentinel analytics rule: more than 20 failed sign-ins followed by a success for the same account within 10 minutes.",
        recommended: "",
        threat: None,
    },
    Tpl {
        title: "Rare outbound connection to TOR exit node",
        title_fr: None,
        title_ko: None,
        category: "CommandAndControl",
        mitre: &["T1090.003"],
        src: Src::Sentinel,
        detection: "scheduledAlerts",
        severity: "low",
        ev: EvKind::Sentinel,
        description: "Sentinel analytics rule: a host connected to a known TOR exit node.",
        recommended: "",
        threat: None,
    },
];

/// Defender Experts notification scenarios: (title, executive summary, recommendations).
pub const DEN_SCENARIOS: &[(&str, &str, &str)] = &[
    (
        "Defender Experts: Hands-on-keyboard activity following a malicious macro",
        "Defender Experts observed an attacker using a compromised account to run discovery commands and stage tooling after a user opened a weaponised Word document. The activity is ongoing.",
        "1. Isolate the affected device.\n2. Reset the credentials of the affected user and revoke sessions.\n3. Block the command-and-control domain at the proxy.\n4. Hunt for the same document hash across the estate.",
    ),
    (
        "Defender Experts: Credential theft on a domain controller",
        "Defender Experts identified LSASS memory access on a domain controller followed by DCSync-style replication requests from a workstation.",
        "1. Reset the KRBTGT password twice.\n2. Review privileged group membership changes in the last 7 days.\n3. Isolate the workstation that issued the replication requests.",
    ),
    (
        "Defender Experts: Raspberry Robin worm activity spreading through USB devices",
        "Microsoft observed Raspberry Robin worm activity spreading through infected USB devices on multiple endpoints in your environment. From available intel, these infections could be a potential precursor activity to ransomware deployment.",
        "1. Block execution of msiexec from removable media.\n2. Run a full antivirus scan on the affected devices.\n3. Review outbound connections to the listed domains.",
    ),
    (
        "Defender Experts: Test Notification from Microsoft Defender Experts",
        "This is a sample notification. Defender Experts has identified malicious activity. This incident has been raised for your awareness and should be investigated as usual.",
        "This is a sample recommendation. No action is required.",
    ),
];

/// KQL hunting queries attached to Defender Experts notifications.
pub const DEN_QUERIES: &[&str] = &[
    "DeviceProcessEvents\n| where Timestamp > ago(7d)\n| where InitiatingProcessFileName =~ \"winword.exe\" and FileName in~ (\"cmd.exe\", \"powershell.exe\")\n| project Timestamp, DeviceName, AccountName, ProcessCommandLine",
    "DeviceNetworkEvents\n| where Timestamp > ago(7d)\n| where RemoteUrl has \"update-check.info\"\n| summarize count() by DeviceName, RemoteIP",
    "IdentityDirectoryEvents\n| where ActionType == \"Directory Services replication\"\n| where DestinationDeviceName !startswith \"dc\"",
    "DeviceFileEvents\n| where FolderPath startswith \"E:\\\\\" and FileName endswith \".lnk\"\n| summarize Devices=dcount(DeviceName) by SHA1",
];

/// Managed-response task templates: (displayName, description, actionType).
pub const TASKS: &[(&str, &str, &str)] = &[
    (
        "Isolate device",
        "Isolate the device from the network to stop lateral movement.",
        "isolateDevice",
    ),
    (
        "Stop and quarantine file",
        "Stop the malicious process and quarantine the dropped file.",
        "stopAndQuarantineFile",
    ),
    (
        "Force password reset",
        "Force the compromised user to reset their password at next sign-in.",
        "forceUserPasswordReset",
    ),
    (
        "Disable user",
        "Disable the account until the investigation completes.",
        "disableUser",
    ),
    (
        "Run antivirus scan",
        "Run a full Microsoft Defender Antivirus scan.",
        "runAntiVirusScan",
    ),
    (
        "Review inbox rules",
        "Review and remove the forwarding rule created by the attacker.",
        "text",
    ),
];

/// Human-readable names of categories for incident titles.
pub fn category_label(cat: &str) -> &'static str {
    match cat {
        "InitialAccess" => "Initial access",
        "Execution" => "Execution",
        "Persistence" => "Persistence",
        "DefenseEvasion" => "Defense evasion",
        "CredentialAccess" => "Credential access",
        "CommandAndControl" => "Command and control",
        "Exfiltration" => "Exfiltration",
        "Impact" => "Impact",
        "Collection" => "Collection",
        _ => "Discovery",
    }
}
