//! Alerts held compressed: the compact JSON of an alert, LZ4-compressed against a fixed
//! dictionary of the schema (field names, evidence shapes, enum names — no tenant data). An
//! alert with its evidence is mostly JSON keys and repeated enum names, so this holds it in
//! about a third of its wire size; the console unpacks the few alerts it is showing.

use crate::graph::model::{
    Alert, AlertStatus, Classification, DetectionSource, Determination, ServiceSource, Severity,
};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::LazyLock;

/// Evidence skeletons of the common types, one JSON object per line, values blanked.
const EVIDENCE_SHAPES: &str = include_str!("alert_dict.jsonl");

/// The dictionary every alert is compressed against (built once, never changes while the
/// process runs; packed alerts are never written to disk).
static DICTIONARY: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut d = Vec::with_capacity(8 * 1024);
    d.extend_from_slice(EVIDENCE_SHAPES.as_bytes());
    let names = |v: Vec<&str>| v.join("\",\"");
    let enums = [
        names(ServiceSource::KNOWN.iter().map(|v| v.as_str()).collect()),
        names(DetectionSource::KNOWN.iter().map(|v| v.as_str()).collect()),
        names(Classification::KNOWN.iter().map(|v| v.as_str()).collect()),
        names(Determination::KNOWN.iter().map(|v| v.as_str()).collect()),
        names(AlertStatus::KNOWN.iter().map(|v| v.as_str()).collect()),
        names(Severity::KNOWN.iter().map(|v| v.as_str()).collect()),
    ];
    for e in enums {
        d.extend_from_slice(b"[\"");
        d.extend_from_slice(e.as_bytes());
        d.extend_from_slice(b"\"]\n");
    }
    d.extend_from_slice(
        b"\"https://security.microsoft.com/alerts/\",\"https://security.microsoft.com/incidents/\
          \",\"?tid=\"\n",
    );
    // Last, so the most common text (every key of an alert, in order) is nearest.
    if let Ok(keys) = serde_json::to_vec(&Alert::default()) {
        d.extend_from_slice(&keys);
    }
    d
});

/// One alert, compressed; or kept as is when its JSON would not read back (an empty id, which
/// only code can build: the model rejects it on input).
#[derive(Clone, Debug)]
pub(super) enum Packed {
    /// The compressed JSON, and a hash of the JSON so an incoming alert is compared without
    /// unpacking or compressing anything.
    Lz4 {
        bytes: Box<[u8]>,
        sum: u64,
    },
    Plain(Box<Alert>),
}

/// The hash key, random per process so alert content cannot be crafted to collide.
static HASH_KEY: LazyLock<RandomState> = LazyLock::new(RandomState::new);

/// A 64-bit keyed hash of an alert's JSON (an accidental match is a 1 in 2^64 chance).
fn checksum(json: &[u8]) -> u64 {
    let mut h = HASH_KEY.build_hasher();
    h.write(json);
    h.finish()
}

impl Packed {
    /// Compresses `alert`.
    pub(super) fn pack(alert: &Alert) -> Packed {
        if alert.id.is_empty() {
            return Packed::Plain(Box::new(alert.clone()));
        }
        match serde_json::to_vec(alert) {
            Ok(json) => Packed::Lz4 {
                bytes: lz4_flex::block::compress_prepend_size_with_dict(&json, &DICTIONARY)
                    .into_boxed_slice(),
                sum: checksum(&json),
            },
            Err(_) => Packed::Plain(Box::new(alert.clone())),
        }
    }

    /// The alert again. Decompressing what [`pack`](Self::pack) wrote does not fail; if it
    /// somehow did, the result is a visible placeholder rather than a panic.
    pub(super) fn unpack(&self) -> Alert {
        match self {
            Packed::Plain(a) => Alert::clone(a),
            Packed::Lz4 { bytes, .. } => {
                lz4_flex::block::decompress_size_prepended_with_dict(bytes, &DICTIONARY)
                    .ok()
                    .and_then(|json| serde_json::from_slice(&json).ok())
                    .unwrap_or_else(|| Alert {
                        title: Some("(vigil could not read this alert from memory)".into()),
                        ..Alert::default()
                    })
            }
        }
    }

    /// Whether this holds exactly `alert` (compares the JSON's hash, without unpacking).
    pub(super) fn holds(&self, alert: &Alert) -> bool {
        match self {
            Packed::Lz4 { sum, .. } => {
                !alert.id.is_empty()
                    && serde_json::to_vec(alert).is_ok_and(|json| checksum(&json) == *sum)
            }
            Packed::Plain(a) => **a == *alert,
        }
    }

    /// Heap bytes held.
    #[cfg(test)]
    pub(super) fn heap_bytes(&self) -> usize {
        match self {
            Packed::Lz4 { bytes, .. } => bytes.len(),
            Packed::Plain(_) => std::mem::size_of::<Alert>(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::{Comment, Evidence, Timestamp};

    fn rich() -> Alert {
        Alert {
            id: "da638000000000000000_-1".into(),
            incident_id: Some("42".into()),
            title: Some("Suspicious PowerShell \u{1b}[31m\u{202e} 한국어".into()),
            description: Some("x".repeat(5000)),
            severity: Severity::High,
            service_source: ServiceSource::Other("brandNewSource".into()),
            classification: Some(Classification::TruePositive),
            created_date_time: Timestamp::parse("2026-01-01T00:00:00.1234567Z"),
            comments: vec![Comment {
                comment: "looked at it".into(),
                created_by_display_name: Some("Alice".into()),
                created_date_time: Timestamp::parse("2026-01-02T00:00:00Z"),
            }],
            evidence: vec![
                Evidence::from_value(serde_json::json!({
                    "@odata.type": "#microsoft.graph.security.processEvidence",
                    "processCommandLine": "powershell -enc AAAA",
                    "imageFile": {"fileName": "powershell.exe", "sha256": "ab".repeat(32)},
                    "verdict": "malicious",
                    "newField": {"nested": [1, 2.5, null, true]}
                })),
                Evidence::from_value(serde_json::json!({"@odata.type": "#x.y.futureEvidence"})),
            ],
            additional_data: Some(Box::new(serde_json::json!({"k": [1e300, -0.1, "v"]}))),
            ..Alert::default()
        }
    }

    #[test]
    fn round_trips_exactly() {
        let bare = Alert {
            id: "1".into(),
            ..Alert::default()
        };
        for a in [bare, rich()] {
            let p = Packed::pack(&a);
            assert!(matches!(p, Packed::Lz4 { .. }));
            assert_eq!(p.unpack(), a);
            assert!(p.holds(&a));
        }
    }

    #[test]
    fn holds_tells_a_changed_alert_apart() {
        let a = rich();
        let p = Packed::pack(&a);
        let mut b = a.clone();
        b.evidence[0] = Evidence::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.security.processEvidence",
            "processCommandLine": "powershell -enc AAAB"
        }));
        assert!(!p.holds(&b));
        let mut c = a.clone();
        c.assigned_to = Some("bob@contoso.com".into());
        assert!(!p.holds(&c));
    }

    #[test]
    fn compresses_well_below_the_json() {
        let a = rich();
        let json = serde_json::to_vec(&a).map(|v| v.len()).unwrap_or(0);
        let p = Packed::pack(&a);
        assert!(
            p.heap_bytes() * 2 < json,
            "{} packed vs {json} JSON",
            p.heap_bytes()
        );
        // An alert of nulls is almost nothing once the dictionary holds its keys.
        let bare = Alert {
            id: "da1".into(),
            ..Alert::default()
        };
        let empty = Packed::pack(&bare).heap_bytes();
        assert!(empty < 64, "{empty}");
    }

    #[test]
    fn an_alert_without_id_is_kept_as_is() {
        let p = Packed::pack(&Alert::default());
        assert!(matches!(p, Packed::Plain(_)));
        assert_eq!(p.unpack(), Alert::default());
        assert!(p.holds(&Alert::default()));
    }

    #[test]
    fn garbage_unpacks_to_a_placeholder() {
        let p = Packed::Lz4 {
            bytes: vec![9, 0, 0, 0, 0xff, 1, 2].into_boxed_slice(),
            sum: 0,
        };
        assert!(
            p.unpack()
                .title
                .unwrap_or_default()
                .contains("could not read")
        );
    }
}
