//! Synthetic tenant data for benchmarks: deterministic incidents with alerts and evidence,
//! varied enough to exercise filters and sorting without a RNG.

#![allow(dead_code)]

use vigil::graph::model::{
    Alert, DetectionSource, Evidence, Incident, IncidentStatus, ServiceSource, Severity, Timestamp,
};
use vigil::store::{Identity, Store};
use vigil::sync::{Update, UpsertSource};

pub const INCIDENTS: u64 = 100_000;
pub const ALERTS_PER_INCIDENT: u64 = 3;

/// A cheap deterministic mix so the data looks varied without a RNG.
pub fn mix(n: u64) -> u64 {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 29)
}

pub fn evidence(n: u64, k: u64) -> Evidence {
    let h = mix(n * 7 + k);
    let v = match (n + k) % 5 {
        0 => serde_json::json!({"@odata.type": "#microsoft.graph.security.deviceEvidence",
            "deviceDnsName": format!("ws-{:05}.corp.contoso.com", h % 20_000),
            "ipInterfaces": [format!("10.{}.{}.{}", h % 200, (h >> 8) % 250, (h >> 16) % 250)]}),
        1 => serde_json::json!({"@odata.type": "#microsoft.graph.security.processEvidence",
            "processCommandLine": format!("powershell.exe -nop -w hidden -enc {h:016x}"),
            "imageFile": {"fileName": "powershell.exe", "sha256": format!("{h:016x}{:016x}", mix(h))}}),
        2 => serde_json::json!({"@odata.type": "#microsoft.graph.security.userEvidence",
            "userAccount": {"userPrincipalName": format!("user{}@contoso.com", h % 5_000)}}),
        3 => serde_json::json!({"@odata.type": "#microsoft.graph.security.mailboxEvidence",
            "primaryAddress": format!("mbx{}@contoso.com", h % 5_000)}),
        _ => serde_json::json!({"@odata.type": "#microsoft.graph.security.ipEvidence",
            "ipAddress": format!("203.0.{}.{}", h % 250, (h >> 8) % 250)}),
    };
    Evidence::from_value(v)
}

const SOURCES: [ServiceSource; 4] = [
    ServiceSource::MicrosoftDefenderForEndpoint,
    ServiceSource::MicrosoftDefenderForOffice365,
    ServiceSource::MicrosoftDefenderForIdentity,
    ServiceSource::MicrosoftSentinel,
];

pub fn alert(n: u64, k: u64, base: i64) -> Alert {
    Alert {
        id: format!("da{n}_{k}"),
        incident_id: Some(n.to_string()),
        title: Some(format!("Suspicious activity {}", mix(n + k) % 300)),
        severity: Severity::Medium,
        service_source: SOURCES[((n + k) % 4) as usize].clone(),
        detection_source: if n.is_multiple_of(997) {
            DetectionSource::MicrosoftThreatExperts
        } else {
            DetectionSource::MicrosoftDefenderForEndpoint
        },
        first_activity_date_time: Some(
            Timestamp::parse("2026-01-01T00:00:00Z")
                .unwrap()
                .plus_seconds(base + k as i64),
        ),
        evidence: if k == 0 {
            vec![evidence(n, k), evidence(n, k + 1)]
        } else {
            vec![evidence(n, k)]
        },
        ..Default::default()
    }
}

pub fn incident(n: u64, version: i64) -> Incident {
    let t0 = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    let h = mix(n);
    Incident {
        id: n.to_string(),
        display_name: Some(format!(
            "Multi-stage incident involving host-{} ({})",
            h % 20_000,
            n
        )),
        severity: [
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Informational,
        ][(h % 4) as usize]
            .clone(),
        status: [
            IncidentStatus::Active,
            IncidentStatus::InProgress,
            IncidentStatus::Resolved,
        ][(h % 3) as usize]
            .clone(),
        assigned_to: (!h.is_multiple_of(5)).then(|| format!("analyst{}@contoso.com", h % 40)),
        custom_tags: if h.is_multiple_of(7) {
            vec!["noise".into()]
        } else {
            vec!["Crown Jewels".into()]
        },
        priority_score: Some((h % 101) as i64),
        created_date_time: Some(t0.plus_seconds((n * 60) as i64)),
        last_update_date_time: Some(t0.plus_seconds((n * 60) as i64 + version)),
        alerts: Some(
            (0..ALERTS_PER_INCIDENT)
                .map(|k| alert(n, k, (n * 60) as i64))
                .collect(),
        ),
        ..Default::default()
    }
}

pub fn loaded(items: Vec<Incident>) -> Store {
    let mut s = Store::new(Identity::new(["analyst7@contoso.com"]));
    s.apply(Update::Incidents {
        items,
        source: UpsertSource::Initial,
    });
    s
}
