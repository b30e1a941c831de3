//! Evolvable Graph enums. Every enum keeps unknown members as [`Other`](IncidentStatus::Other)
//! with the raw wire string, compares case-insensitively on input (PascalCase appears in
//! Microsoft's samples and legacy APIs), accepts documented-but-wrong aliases, and always sends
//! the schema (CSDL) name.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! graph_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, $label:literal $(, aliases [$($alias:literal),*])? ; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this build does not know, kept verbatim from the wire.
            Other(String),
        }

        impl $name {
            /// Every member this build knows, in schema order.
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant, )* ];

            /// The schema name sent on the wire (or the raw unknown value).
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Other(s) => s.as_str(),
                }
            }

            /// A short human label for display.
            pub fn label(&self) -> &str {
                match self {
                    $( $name::$variant => $label, )*
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Parses case-insensitively, accepting known aliases; unknown values are kept.
            pub fn parse(s: &str) -> Self {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($wire) $($( || t.eq_ignore_ascii_case($alias) )*)? {
                        return $name::$variant;
                    }
                )*
                $name::Other(t.to_string())
            }

            /// True when the value is one of the schema members this build knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(match serde_json::Value::deserialize(d)? {
                    serde_json::Value::String(s) => $name::parse(&s),
                    serde_json::Value::Null => $name::Other(String::new()),
                    other => $name::Other(other.to_string()),
                })
            }
        }
    };
}

graph_enum! {
    /// `incidentStatus`.
    IncidentStatus {
        Active = "active", "Active";
        Resolved = "resolved", "Resolved";
        InProgress = "inProgress", "In progress";
        Redirected = "redirected", "Redirected";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
        /// Set only by Defender Experts: "Awaiting customer action".
        AwaitingAction = "awaitingAction", "Awaiting action";
    }
}

graph_enum! {
    /// `alertSeverity`.
    Severity {
        Unknown = "unknown", "Unknown";
        Informational = "informational", "Info";
        Low = "low", "Low";
        Medium = "medium", "Medium";
        High = "high", "High";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
    }
}

impl Severity {
    /// Sort rank: higher is more severe; unknown values rank lowest.
    pub fn rank(&self) -> u8 {
        match self {
            Severity::High => 4,
            Severity::Medium => 3,
            Severity::Low => 2,
            Severity::Informational => 1,
            _ => 0,
        }
    }
}

graph_enum! {
    /// `alertClassification`. The portal's "benign positive" is `informationalExpectedActivity`.
    Classification {
        Unknown = "unknown", "Not set";
        FalsePositive = "falsePositive", "False positive";
        TruePositive = "truePositive", "True positive";
        InformationalExpectedActivity = "informationalExpectedActivity", "Informational, expected activity", aliases ["benignPositive"];
        UnknownFutureValue = "unknownFutureValue", "Unknown";
    }
}

graph_enum! {
    /// `alertDetermination`. The older documented names are accepted on input only
    /// (`confirmedUserActivity`, `compromisedUser`, `clean`, `insufficientData`: the service
    /// rejects them, so only the schema names are sent).
    Determination {
        Unknown = "unknown", "Not set";
        Apt = "apt", "APT";
        Malware = "malware", "Malware";
        SecurityPersonnel = "securityPersonnel", "Security personnel";
        SecurityTesting = "securityTesting", "Security testing";
        UnwantedSoftware = "unwantedSoftware", "Unwanted software";
        OtherDetermination = "other", "Other";
        MultiStagedAttack = "multiStagedAttack", "Multi-staged attack";
        CompromisedAccount = "compromisedAccount", "Compromised account", aliases ["compromisedUser"];
        Phishing = "phishing", "Phishing";
        MaliciousUserActivity = "maliciousUserActivity", "Malicious user activity";
        NotMalicious = "notMalicious", "Not malicious", aliases ["clean"];
        NotEnoughDataToValidate = "notEnoughDataToValidate", "Not enough data to validate", aliases ["insufficientData", "noEnoughDataToValidate"];
        ConfirmedActivity = "confirmedActivity", "Confirmed activity", aliases ["confirmedUserActivity"];
        LineOfBusinessApplication = "lineOfBusinessApplication", "Line-of-business application";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
    }
}

impl Classification {
    /// The determinations the portal offers under this classification (the two-level picker).
    pub fn determinations(&self) -> &'static [Determination] {
        use Determination as D;
        match self {
            Classification::TruePositive => &[
                D::MultiStagedAttack,
                D::Malware,
                D::Phishing,
                D::CompromisedAccount,
                D::MaliciousUserActivity,
                D::UnwantedSoftware,
                D::OtherDetermination,
            ],
            Classification::InformationalExpectedActivity => &[
                D::SecurityTesting,
                D::LineOfBusinessApplication,
                D::ConfirmedActivity,
                D::OtherDetermination,
            ],
            Classification::FalsePositive => &[
                D::NotMalicious,
                D::NotEnoughDataToValidate,
                D::OtherDetermination,
            ],
            _ => &[],
        }
    }

    /// The classifications an analyst can choose.
    pub const CHOOSABLE: &'static [Classification] = &[
        Classification::TruePositive,
        Classification::InformationalExpectedActivity,
        Classification::FalsePositive,
    ];
}

graph_enum! {
    /// `alertStatus`.
    AlertStatus {
        Unknown = "unknown", "Unknown";
        New = "new", "New";
        InProgress = "inProgress", "In progress";
        Resolved = "resolved", "Resolved";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
    }
}

graph_enum! {
    /// `serviceSource`: the product that produced an alert.
    ServiceSource {
        Unknown = "unknown", "Unknown";
        MicrosoftDefenderForEndpoint = "microsoftDefenderForEndpoint", "Endpoint";
        MicrosoftDefenderForIdentity = "microsoftDefenderForIdentity", "Identity";
        MicrosoftDefenderForCloudApps = "microsoftDefenderForCloudApps", "Cloud Apps";
        MicrosoftDefenderForOffice365 = "microsoftDefenderForOffice365", "Office 365";
        Microsoft365Defender = "microsoft365Defender", "Defender XDR";
        AzureAdIdentityProtection = "azureAdIdentityProtection", "Entra ID Protection";
        MicrosoftAppGovernance = "microsoftAppGovernance", "App Governance";
        DataLossPrevention = "dataLossPrevention", "DLP";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
        MicrosoftDefenderForCloud = "microsoftDefenderForCloud", "Defender for Cloud";
        MicrosoftSentinel = "microsoftSentinel", "Sentinel";
        MicrosoftInsiderRiskManagement = "microsoftInsiderRiskManagement", "Insider Risk";
        MicrosoftThreatIntelligence = "microsoftThreatIntelligence", "Threat Intelligence";
        MicrosoftSecurityForAI = "microsoftSecurityForAI", "Security for AI";
    }
}

impl ServiceSource {
    /// Short token used by the query language (`source:office365`).
    pub fn short(&self) -> &str {
        match self {
            ServiceSource::MicrosoftDefenderForEndpoint => "endpoint",
            ServiceSource::MicrosoftDefenderForIdentity => "identity",
            ServiceSource::MicrosoftDefenderForCloudApps => "cloudapps",
            ServiceSource::MicrosoftDefenderForOffice365 => "office365",
            ServiceSource::Microsoft365Defender => "xdr",
            ServiceSource::AzureAdIdentityProtection => "entra",
            ServiceSource::MicrosoftAppGovernance => "appgovernance",
            ServiceSource::DataLossPrevention => "dlp",
            ServiceSource::MicrosoftDefenderForCloud => "cloud",
            ServiceSource::MicrosoftSentinel => "sentinel",
            ServiceSource::MicrosoftInsiderRiskManagement => "insiderrisk",
            ServiceSource::MicrosoftThreatIntelligence => "ti",
            ServiceSource::MicrosoftSecurityForAI => "ai",
            other => other.as_str(),
        }
    }
}

graph_enum! {
    /// `detectionSource`: the detection technology. `microsoftThreatExperts` marks Defender
    /// Experts notifications.
    DetectionSource {
        Unknown = "unknown", "Unknown";
        MicrosoftDefenderForEndpoint = "microsoftDefenderForEndpoint", "EDR";
        Antivirus = "antivirus", "Antivirus";
        SmartScreen = "smartScreen", "SmartScreen";
        CustomTi = "customTi", "Custom TI";
        MicrosoftDefenderForOffice365 = "microsoftDefenderForOffice365", "MDO";
        AutomatedInvestigation = "automatedInvestigation", "AIR";
        MicrosoftThreatExperts = "microsoftThreatExperts", "Defender Experts";
        CustomDetection = "customDetection", "Custom detection";
        MicrosoftDefenderForIdentity = "microsoftDefenderForIdentity", "MDI";
        CloudAppSecurity = "cloudAppSecurity", "MDA";
        Microsoft365Defender = "microsoft365Defender", "Defender XDR";
        AzureAdIdentityProtection = "azureAdIdentityProtection", "Entra ID Protection";
        Manual = "manual", "Manual";
        MicrosoftDataLossPrevention = "microsoftDataLossPrevention", "DLP";
        AppGovernancePolicy = "appGovernancePolicy", "App governance policy";
        AppGovernanceDetection = "appGovernanceDetection", "App governance detection";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
        MicrosoftDefenderForCloud = "microsoftDefenderForCloud", "Defender for Cloud";
        MicrosoftDefenderForIoT = "microsoftDefenderForIoT", "Defender for IoT";
        MicrosoftDefenderForServers = "microsoftDefenderForServers", "Defender for Servers";
        MicrosoftDefenderForStorage = "microsoftDefenderForStorage", "Defender for Storage";
        MicrosoftDefenderForDns = "microsoftDefenderForDNS", "Defender for DNS";
        MicrosoftDefenderForDatabases = "microsoftDefenderForDatabases", "Defender for Databases";
        MicrosoftDefenderForContainers = "microsoftDefenderForContainers", "Defender for Containers";
        MicrosoftDefenderForNetwork = "microsoftDefenderForNetwork", "Defender for Network";
        MicrosoftDefenderForAppService = "microsoftDefenderForAppService", "Defender for App Service";
        MicrosoftDefenderForKeyVault = "microsoftDefenderForKeyVault", "Defender for Key Vault";
        MicrosoftDefenderForResourceManager = "microsoftDefenderForResourceManager", "Defender for Resource Manager";
        MicrosoftDefenderForApiManagement = "microsoftDefenderForApiManagement", "Defender for API Management";
        NrtAlerts = "nrtAlerts", "NRT rule";
        ScheduledAlerts = "scheduledAlerts", "Scheduled rule";
        MicrosoftDefenderThreatIntelligenceAnalytics = "microsoftDefenderThreatIntelligenceAnalytics", "Threat Intelligence Analytics";
        BuiltInMl = "builtInMl", "Built-in ML";
        MicrosoftInsiderRiskManagement = "microsoftInsiderRiskManagement", "Insider Risk";
        MicrosoftThreatIntelligence = "microsoftThreatIntelligence", "Threat Intelligence";
        MicrosoftDefenderForAiServices = "microsoftDefenderForAIServices", "Defender for AI Services";
        SecurityCopilot = "securityCopilot", "Security Copilot";
        MicrosoftSentinel = "microsoftSentinel", "Sentinel";
    }
}

graph_enum! {
    /// `investigationState` (automated investigation and response).
    InvestigationState {
        Unknown = "unknown", "Unknown";
        Terminated = "terminated", "Terminated";
        SuccessfullyRemediated = "successfullyRemediated", "Remediated";
        Benign = "benign", "Benign";
        Failed = "failed", "Failed";
        PartiallyRemediated = "partiallyRemediated", "Partially remediated";
        Running = "running", "Running";
        PendingApproval = "pendingApproval", "Pending approval";
        PendingResource = "pendingResource", "Pending resource";
        Queued = "queued", "Queued";
        InnerFailure = "innerFailure", "Inner failure";
        PreexistingAlert = "preexistingAlert", "Pre-existing alert";
        UnsupportedOs = "unsupportedOs", "Unsupported OS";
        UnsupportedAlertType = "unsupportedAlertType", "Unsupported alert type";
        SuppressedAlert = "suppressedAlert", "Suppressed";
        PartiallyInvestigated = "partiallyInvestigated", "Partially investigated";
        TerminatedByUser = "terminatedByUser", "Terminated by user";
        TerminatedBySystem = "terminatedBySystem", "Terminated by system";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
    }
}

graph_enum! {
    /// `evidenceVerdict`.
    Verdict {
        Unknown = "unknown", "Unknown";
        Suspicious = "suspicious", "Suspicious";
        Malicious = "malicious", "Malicious";
        NoThreatsFound = "noThreatsFound", "No threats found";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
    }
}

graph_enum! {
    /// `evidenceRemediationStatus`.
    RemediationStatus {
        None = "none", "None";
        Remediated = "remediated", "Remediated";
        Prevented = "prevented", "Prevented";
        Blocked = "blocked", "Blocked";
        NotFound = "notFound", "Not found";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
        Active = "active", "Active";
        PendingApproval = "pendingApproval", "Pending approval";
        Declined = "declined", "Declined";
        Unremediated = "unremediated", "Unremediated";
        Running = "running", "Running";
        PartiallyRemediated = "partiallyRemediated", "Partially remediated";
    }
}

graph_enum! {
    /// `evidenceRole`.
    EvidenceRole {
        Unknown = "unknown", "Unknown";
        Contextual = "contextual", "Contextual";
        Scanned = "scanned", "Scanned";
        Source = "source", "Source";
        Destination = "destination", "Destination";
        Created = "created", "Created";
        Added = "added", "Added";
        Compromised = "compromised", "Compromised";
        Edited = "edited", "Edited";
        Attacked = "attacked", "Attacked";
        Attacker = "attacker", "Attacker";
        CommandAndControl = "commandAndControl", "Command and control";
        Loaded = "loaded", "Loaded";
        Suspicious = "suspicious", "Suspicious";
        PolicyViolator = "policyViolator", "Policy violator";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
    }
}

graph_enum! {
    /// `detectionStatus` on file and process evidence.
    DetectionStatus {
        Detected = "detected", "Detected";
        Blocked = "blocked", "Blocked";
        Prevented = "prevented", "Prevented";
        UnknownFutureValue = "unknownFutureValue", "Unknown";
    }
}

macro_rules! default_unknown {
    ($($t:ident => $v:expr),* $(,)?) => {
        $( impl Default for $t { fn default() -> Self { $v } } )*
    };
}

default_unknown! {
    IncidentStatus => IncidentStatus::Active,
    Severity => Severity::Unknown,
    Classification => Classification::Unknown,
    Determination => Determination::Unknown,
    AlertStatus => AlertStatus::Unknown,
    ServiceSource => ServiceSource::Unknown,
    DetectionSource => DetectionSource::Unknown,
    InvestigationState => InvestigationState::Unknown,
    Verdict => Verdict::Unknown,
    RemediationStatus => RemediationStatus::None,
    EvidenceRole => EvidenceRole::Unknown,
    DetectionStatus => DetectionStatus::UnknownFutureValue,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_and_aliases_map_to_schema_names() {
        assert_eq!(
            Classification::parse("TruePositive"),
            Classification::TruePositive
        );
        assert_eq!(
            Determination::parse("MultiStagedAttack").as_str(),
            "multiStagedAttack"
        );
        assert_eq!(
            Determination::parse("compromisedUser"),
            Determination::CompromisedAccount
        );
        assert_eq!(Determination::parse("clean").as_str(), "notMalicious");
        assert_eq!(
            Determination::parse("insufficientData").as_str(),
            "notEnoughDataToValidate"
        );
        assert_eq!(
            Determination::parse("confirmedUserActivity").as_str(),
            "confirmedActivity"
        );
        assert_eq!(
            Classification::parse("benignPositive").as_str(),
            "informationalExpectedActivity"
        );
    }

    #[test]
    fn unknown_values_are_kept_not_rejected() {
        let s: IncidentStatus = serde_json::from_str("\"underReview\"").unwrap();
        assert_eq!(s, IncidentStatus::Other("underReview".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"underReview\"");
        let v: Verdict = serde_json::from_str("5").unwrap();
        assert_eq!(v, Verdict::Other("5".into()));
        assert!(!v.is_known());
    }

    #[test]
    fn serialises_schema_names() {
        assert_eq!(
            serde_json::to_string(&IncidentStatus::parse("AwaitingAction")).unwrap(),
            "\"awaitingAction\""
        );
        assert_eq!(serde_json::to_string(&Severity::High).unwrap(), "\"high\"");
    }

    #[test]
    fn determination_picker_matches_portal() {
        let tp = Classification::TruePositive.determinations();
        assert_eq!(tp.len(), 7);
        assert!(tp.contains(&Determination::Phishing));
        let fp: Vec<&str> = Classification::FalsePositive
            .determinations()
            .iter()
            .map(|d| d.as_str())
            .collect();
        assert_eq!(fp, ["notMalicious", "notEnoughDataToValidate", "other"]);
    }
    /// `detectionSource` in schema (CSDL) order, 39 members.
    const DETECTION_SOURCE_SCHEMA: [&str; 39] = [
        "unknown",
        "microsoftDefenderForEndpoint",
        "antivirus",
        "smartScreen",
        "customTi",
        "microsoftDefenderForOffice365",
        "automatedInvestigation",
        "microsoftThreatExperts",
        "customDetection",
        "microsoftDefenderForIdentity",
        "cloudAppSecurity",
        "microsoft365Defender",
        "azureAdIdentityProtection",
        "manual",
        "microsoftDataLossPrevention",
        "appGovernancePolicy",
        "appGovernanceDetection",
        "unknownFutureValue",
        "microsoftDefenderForCloud",
        "microsoftDefenderForIoT",
        "microsoftDefenderForServers",
        "microsoftDefenderForStorage",
        "microsoftDefenderForDNS",
        "microsoftDefenderForDatabases",
        "microsoftDefenderForContainers",
        "microsoftDefenderForNetwork",
        "microsoftDefenderForAppService",
        "microsoftDefenderForKeyVault",
        "microsoftDefenderForResourceManager",
        "microsoftDefenderForApiManagement",
        "nrtAlerts",
        "scheduledAlerts",
        "microsoftDefenderThreatIntelligenceAnalytics",
        "builtInMl",
        "microsoftInsiderRiskManagement",
        "microsoftThreatIntelligence",
        "microsoftDefenderForAIServices",
        "securityCopilot",
        "microsoftSentinel",
    ];

    #[test]
    fn detection_source_knows_every_schema_member_in_order_with_a_readable_label() {
        let known: Vec<&str> = DetectionSource::KNOWN.iter().map(|d| d.as_str()).collect();
        assert_eq!(known, DETECTION_SOURCE_SCHEMA);
        let mut labels = std::collections::HashSet::new();
        for wire in DETECTION_SOURCE_SCHEMA {
            let d = DetectionSource::parse(wire);
            assert!(d.is_known(), "{wire} is not known");
            let label = d.label();
            assert_ne!(label, wire, "{wire} has no readable label");
            assert!(!label.is_empty());
            // Every member but the two "unknown" ones reads differently from the others.
            if !matches!(
                d,
                DetectionSource::Unknown | DetectionSource::UnknownFutureValue
            ) {
                assert!(
                    labels.insert(label.to_string()),
                    "label {label} is used twice"
                );
            }
        }
        assert_eq!(
            DetectionSource::parse("microsoftDefenderForServers").label(),
            "Defender for Servers"
        );
        assert_eq!(DetectionSource::parse("builtInMl").label(), "Built-in ML");
    }
}
