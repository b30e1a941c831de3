//! In-memory tenant data of the simulator: incidents, alerts, tasks, timestamps and enum tables.
//! Evidence is not stored: it is derived from `Alert::evidence_seed` when rendered.

use jiff::Timestamp;

/// A timestamp plus the number of fraction digits it is rendered with (7, 3, 1 or 0).
/// The stored instant is truncated to that precision, so what a client reads back and
/// filters on (`gt <value>`) is exactly what the server compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ts {
    pub t: Timestamp,
    pub prec: u8,
}

impl Ts {
    /// Builds a timestamp from Unix seconds/nanos, truncated to `prec` fraction digits.
    pub fn from_parts(secs: i64, nanos: u32, prec: u8) -> Ts {
        let nanos = nanos.min(999_999_999);
        let keep = match prec {
            7 => nanos / 100 * 100,
            3 => nanos / 1_000_000 * 1_000_000,
            1 => nanos / 100_000_000 * 100_000_000,
            _ => 0,
        };
        let t = Timestamp::new(secs, keep as i32).unwrap_or(Timestamp::UNIX_EPOCH);
        Ts { t, prec }
    }

    /// Wall-clock now with 7 fraction digits.
    pub fn now() -> Ts {
        let n = Timestamp::now();
        Ts::from_parts(n.as_second(), n.subsec_nanosecond().max(0) as u32, 7)
    }

    /// Unix seconds.
    pub fn secs(&self) -> i64 {
        self.t.as_second()
    }

    /// Microsoft-style rendering: `2026-01-22T12:09:23.1433333Z`, `...23.1Z`, `...23Z`.
    pub fn render(&self) -> String {
        let mut s = self.t.strftime("%Y-%m-%dT%H:%M:%S").to_string();
        if self.prec > 0 {
            let frac = format!("{:07}", self.t.subsec_nanosecond().max(0) / 100);
            s.push('.');
            s.push_str(&frac[..usize::from(self.prec.min(7))]);
        }
        s.push('Z');
        s
    }
}

impl PartialOrd for Ts {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ts {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.t.cmp(&other.t)
    }
}

/// One entry of an evolvable enum: wire name, CSDL value, and whether it sits after
/// `unknownFutureValue` (only sent with `Prefer: include-unknown-enum-members`).
pub type EnumTable = &'static [(&'static str, i32, bool)];

pub const INCIDENT_STATUS: EnumTable = &[
    ("active", 1, false),
    ("resolved", 2, false),
    ("inProgress", 4, false),
    ("redirected", 64, false),
    ("unknownFutureValue", 127, false),
    ("awaitingAction", 128, true),
];
pub const SEVERITY: EnumTable = &[
    ("unknown", 0, false),
    ("informational", 32, false),
    ("low", 64, false),
    ("medium", 128, false),
    ("high", 256, false),
    ("unknownFutureValue", 511, false),
];
pub const CLASSIFICATION: EnumTable = &[
    ("unknown", 0, false),
    ("falsePositive", 10, false),
    ("truePositive", 20, false),
    ("informationalExpectedActivity", 30, false),
    ("unknownFutureValue", 39, false),
];
pub const DETERMINATION: EnumTable = &[
    ("unknown", 0, false),
    ("apt", 10, false),
    ("malware", 20, false),
    ("securityPersonnel", 30, false),
    ("securityTesting", 40, false),
    ("unwantedSoftware", 50, false),
    ("other", 60, false),
    ("multiStagedAttack", 70, false),
    ("compromisedAccount", 80, false),
    ("phishing", 90, false),
    ("maliciousUserActivity", 100, false),
    ("notMalicious", 110, false),
    ("notEnoughDataToValidate", 120, false),
    ("confirmedActivity", 130, false),
    ("lineOfBusinessApplication", 140, false),
    ("unknownFutureValue", 149, false),
];
pub const ALERT_STATUS: EnumTable = &[
    ("unknown", 0, false),
    ("new", 2, false),
    ("inProgress", 4, false),
    ("resolved", 8, false),
    ("unknownFutureValue", 127, false),
];
pub const SERVICE_SOURCE: EnumTable = &[
    ("unknown", 0, false),
    ("microsoftDefenderForEndpoint", 1, false),
    ("microsoftDefenderForIdentity", 2, false),
    ("microsoftDefenderForCloudApps", 3, false),
    ("microsoftDefenderForOffice365", 4, false),
    ("microsoft365Defender", 5, false),
    ("azureAdIdentityProtection", 6, false),
    ("microsoftAppGovernance", 7, false),
    ("dataLossPrevention", 8, false),
    ("unknownFutureValue", 9, false),
    ("microsoftDefenderForCloud", 10, true),
    ("microsoftSentinel", 11, true),
    ("microsoftInsiderRiskManagement", 12, true),
    ("microsoftThreatIntelligence", 13, true),
    ("microsoftSecurityForAI", 14, true),
];
/// detectionSource members used by the simulator (gated ones flagged).
pub const DETECTION_SOURCE_GATED: &[&str] = &[
    "microsoftDefenderForCloud",
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
pub const REMEDIATION_GATED: &[&str] = &[
    "active",
    "pendingApproval",
    "declined",
    "unremediated",
    "running",
    "partiallyRemediated",
];
pub const TASK_STATUS: EnumTable = &[
    ("open", 0, false),
    ("inProgress", 1, false),
    ("completed", 2, false),
    ("failed", 3, false),
    ("notRelevant", 4, false),
    ("unknownFutureValue", 5, false),
];
pub const TASK_ACTION_STATUS: EnumTable = &[
    ("notStarted", 0, false),
    ("inProgress", 1, false),
    ("partiallyCompleted", 2, false),
    ("completed", 3, false),
    ("failed", 4, false),
    ("unknownFutureValue", 5, false),
];
pub const TASK_ACTION_TYPE: EnumTable = &[
    ("text", 0, false),
    ("isolateDevice", 1, false),
    ("stopAndQuarantineFile", 2, false),
    ("runAntiVirusScan", 3, false),
    ("collectInvestigationPackage", 4, false),
    ("restrictAppExecution", 5, false),
    ("submitIocRule", 6, false),
    ("forceUserPasswordReset", 7, false),
    ("disableUser", 8, false),
    ("markUserAsCompromised", 9, false),
    ("requireSignIn", 10, false),
    ("hardDeleteEmail", 11, false),
    ("softDeleteEmail", 12, false),
    ("unIsolateDevice", 13, false),
    ("unRestrictAppExecution", 14, false),
    ("enableUser", 15, false),
    ("unknownFutureValue", 16, false),
];

/// Canonical (camelCase) member for `name`, matched case-insensitively.
pub fn canon(table: EnumTable, name: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        .map(|(n, _, _)| *n)
}

/// CSDL numeric value of a member (for ordered comparisons in `$filter`).
pub fn ordinal(table: EnumTable, name: &str) -> i32 {
    table
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, v, _)| *v)
        .unwrap_or(-1)
}

/// True when `name` is only visible with `Prefer: include-unknown-enum-members`.
pub fn gated(table: EnumTable, name: &str) -> bool {
    table.iter().any(|(n, _, g)| *g && *n == name)
}

/// `alertComment`.
#[derive(Clone, Debug)]
pub struct Comment {
    pub comment: String,
    pub by: String,
    pub at: Ts,
}

/// Deliberately hostile data planted in a few incidents (terminal-safety tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hostile {
    /// Command line with an OSC title-setting escape sequence.
    EscCmd,
    /// Title with a right-to-left override.
    BidiTitle,
    /// User name containing a zero-width space.
    ZwspUser,
    /// A ~5 KB command line.
    LongCmd,
}

/// Which family of evidence an alert carries (rendered lazily).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvKind {
    ProcChain,
    Credential,
    Ransom,
    Registry,
    C2,
    Mail,
    MailForward,
    Identity,
    CloudApp,
    OAuth,
    Sentinel,
    Den,
}

/// An alert (alerts_v2 entity).
#[derive(Clone, Debug)]
pub struct Alert {
    pub id: String,
    pub title: String,
    pub description: &'static str,
    pub recommended_actions: &'static str,
    pub category: &'static str,
    pub mitre: &'static [&'static str],
    pub service_source: &'static str,
    pub detection_source: &'static str,
    pub product_name: &'static str,
    pub detector_id: String,
    pub severity: &'static str,
    pub status: &'static str,
    pub classification: Option<&'static str>,
    pub determination: Option<&'static str>,
    pub assigned_to: Option<String>,
    pub threat_display_name: Option<&'static str>,
    pub threat_family_name: Option<&'static str>,
    pub actor_display_name: Option<&'static str>,
    pub created: Ts,
    pub last_update: Ts,
    pub resolved: Option<Ts>,
    pub first_activity: Ts,
    pub last_activity: Ts,
    pub comments: Vec<Comment>,
    pub system_tags: Vec<&'static str>,
    pub custom_details: Vec<(String, String)>,
    pub ev_kind: EvKind,
    pub evidence_seed: u64,
    /// Carries an evidence item of a type newer than the v1.0 schema while the `unknown-evidence`
    /// fault is on.
    pub future_evidence: bool,
}

/// Defender Experts notification extras (beta fields).
#[derive(Clone, Debug)]
pub struct Den {
    pub recommended_actions: String,
    pub hunting_queries: Vec<String>,
}

/// An incident.
#[derive(Clone, Debug)]
pub struct Incident {
    pub id: u64,
    pub display_name: String,
    pub status: &'static str,
    pub severity: &'static str,
    pub classification: Option<&'static str>,
    pub determination: Option<&'static str>,
    pub assigned_to: Option<String>,
    pub custom_tags: Vec<String>,
    pub system_tags: Vec<&'static str>,
    pub priority_score: Option<u8>,
    pub created: Ts,
    pub last_update: Ts,
    pub last_modified_by: Option<String>,
    pub resolving_comment: Option<String>,
    pub redirect_incident_id: Option<String>,
    pub description: Option<String>,
    pub summary: Option<String>,
    pub comments: Vec<Comment>,
    pub alerts: Vec<Alert>,
    pub den: Option<Den>,
    pub hostile: Option<Hostile>,
    pub cast_seed: u64,
}

/// A Defender Experts managed-response task (beta `incidentTask`).
#[derive(Clone, Debug)]
pub struct Task {
    pub id: String,
    pub incident_id: u64,
    pub display_name: &'static str,
    pub description: &'static str,
    pub action_type: &'static str,
    pub action_status: &'static str,
    pub status: &'static str,
    pub source: &'static str,
    pub created: Ts,
    pub created_by: &'static str,
    pub last_modified: Ts,
    pub last_modified_by: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_each_precision() {
        let secs = 1_769_083_763; // 2026-01-22T12:09:23Z
        assert_eq!(
            Ts::from_parts(secs, 143_333_399, 7).render(),
            "2026-01-22T12:09:23.1433333Z"
        );
        assert_eq!(
            Ts::from_parts(secs, 116_999_999, 3).render(),
            "2026-01-22T12:09:23.116Z"
        );
        assert_eq!(
            Ts::from_parts(secs, 199_999_999, 1).render(),
            "2026-01-22T12:09:23.1Z"
        );
        assert_eq!(
            Ts::from_parts(secs, 999, 0).render(),
            "2026-01-22T12:09:23Z"
        );
    }

    #[test]
    fn canon_is_case_insensitive() {
        assert_eq!(
            canon(DETERMINATION, "MultiStagedAttack"),
            Some("multiStagedAttack")
        );
        assert_eq!(canon(CLASSIFICATION, "benignPositive"), None);
        assert!(gated(INCIDENT_STATUS, "awaitingAction"));
        assert!(!gated(INCIDENT_STATUS, "active"));
    }
}
