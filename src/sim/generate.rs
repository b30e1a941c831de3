//! Deterministic generation of the simulated tenant's incidents, alerts and tasks.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::model::{Alert, Comment, Den, EvKind, Hostile, Incident, Task, Ts};
use super::pools::{self, Src, Tpl};

/// Id of the first generated incident.
pub const BASE_ID: u64 = 1000;
const DAY: i64 = 86_400;

/// Everything generated for a tenant.
pub struct Generated {
    pub incidents: Vec<Incident>,
    pub tasks: Vec<Task>,
}

/// Generates `n` incidents deterministically from `seed`, timed relative to `anchor_secs`.
pub fn generate(seed: u64, n: usize, anchor_secs: i64) -> Generated {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut incidents = Vec::with_capacity(n);
    let mut tasks = Vec::new();
    for idx in 0..n {
        let age = if rng.random::<f64>() < 0.9 {
            rng.random_range(60..30 * DAY)
        } else {
            rng.random_range(30 * DAY..180 * DAY)
        };
        let created = anchor_secs - age;
        let span = if rng.random::<f64>() < 0.5 {
            rng.random_range(0..DAY.min(age))
        } else {
            rng.random_range(0..age)
        };
        let hostile = match idx {
            2 => Some(Hostile::EscCmd),
            5 => Some(Hostile::BidiTitle),
            8 => Some(Hostile::ZwspUser),
            13 => Some(Hostile::LongCmd),
            _ => None,
        };
        let den = matches!(idx, 1 | 4 | 9) || rng.random::<f64>() < 0.015;
        let opts = Opts {
            den,
            hostile,
            live: false,
            force_high: false,
            future_evidence: idx == 3,
            total: n,
        };
        let id = BASE_ID + idx as u64;
        let (inc, t) = build_incident(&mut rng, id, created, created + span, &opts);
        incidents.push(inc);
        tasks.extend(t);
    }
    Generated { incidents, tasks }
}

/// Options for building one incident.
pub struct Opts {
    pub den: bool,
    pub hostile: Option<Hostile>,
    /// Built by live activity: fresh, active, unassigned.
    pub live: bool,
    pub force_high: bool,
    pub future_evidence: bool,
    /// Number of incidents in the tenant (for redirect targets).
    pub total: usize,
}

/// A timestamp at `secs` with random sub-second part and Microsoft-like precision mix.
pub fn ts(rng: &mut ChaCha8Rng, secs: i64) -> Ts {
    let roll = rng.random::<f64>();
    let prec = if roll < 0.8 {
        7
    } else if roll < 0.9 {
        3
    } else if roll < 0.95 {
        1
    } else {
        0
    };
    Ts::from_parts(secs, rng.random_range(0..1_000_000_000), prec)
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if r < *w {
            return *item;
        }
        r -= w;
    }
    items[0].0
}

fn sev_rank(s: &str) -> u8 {
    match s {
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        "informational" => 1,
        _ => 0,
    }
}

fn uuid_from(rng: &mut ChaCha8Rng) -> String {
    uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string()
}

fn alert_id(rng: &mut ChaCha8Rng, src: Src) -> String {
    if src == Src::Sentinel {
        return uuid_from(rng);
    }
    format!(
        "{}{}_{}",
        src.id_prefix(),
        rng.random_range(638_000_000_000_000_000u64..639_000_000_000_000_000),
        -rng.random_range(100_000_000i64..2_147_483_647)
    )
}

const COMMENTS: &[&str] = &[
    "Looking into this now.",
    "Device isolated pending triage.",
    "User confirmed they did not initiate the sign-ins; password reset done.",
    "Matches the phishing campaign from last week, linking.",
    "Escalated to tier 2.",
    "False positive: IT admin script. Adding exclusion request.",
    "Waiting for the user's manager to confirm travel.",
];
const RESOLVING: &[&str] = &[
    "Confirmed malicious; device reimaged and credentials rotated.",
    "Benign admin activity, confirmed with the owner.",
    "Red team exercise, see ticket SEC-4411.",
    "Duplicate of an earlier incident.",
    "Not enough data to validate; closing after 14 days with no recurrence.",
];

/// Builds one incident (with alerts and, for some DENs, managed-response tasks).
pub fn build_incident(
    rng: &mut ChaCha8Rng,
    id: u64,
    created_secs: i64,
    last_update_secs: i64,
    o: &Opts,
) -> (Incident, Vec<Task>) {
    let n_alerts = weighted(
        rng,
        &[(1usize, 20), (2, 25), (3, 22), (4, 15), (5, 10), (6, 8)],
    );
    let forced_proc = matches!(
        o.hostile,
        Some(Hostile::EscCmd | Hostile::LongCmd | Hostile::ZwspUser)
    );
    let primary: &Tpl = if forced_proc {
        &pools::TEMPLATES[0]
    } else {
        pools::TEMPLATES.choose(rng).unwrap_or(&pools::TEMPLATES[0])
    };
    let lang = if o.den || o.hostile.is_some() {
        0
    } else {
        let r = rng.random::<f64>();
        if r < 0.06 {
            1
        } else if r < 0.11 {
            2
        } else {
            0
        }
    };
    let den_scn = if o.den {
        Some(
            *pools::DEN_SCENARIOS
                .choose(rng)
                .unwrap_or(&pools::DEN_SCENARIOS[0]),
        )
    } else {
        None
    };

    // Status and ownership.
    let status: &'static str = if o.live {
        "active"
    } else if o.den {
        weighted(
            rng,
            &[("awaitingAction", 50), ("inProgress", 30), ("active", 20)],
        )
    } else {
        weighted(
            rng,
            &[
                ("active", 35),
                ("inProgress", 15),
                ("resolved", 45),
                ("redirected", 5),
            ],
        )
    };
    let created = ts(rng, created_secs);
    let last_update = ts(rng, last_update_secs.max(created_secs));

    // Alerts.
    let mut alerts = Vec::with_capacity(n_alerts + 1);
    let mut tpls: Vec<&Tpl> = vec![primary];
    for _ in 1..n_alerts {
        let t = if rng.random::<f64>() < 0.7 {
            let same: Vec<&Tpl> = pools::TEMPLATES
                .iter()
                .filter(|t| t.src == primary.src)
                .collect();
            *same.choose(rng).unwrap_or(&primary)
        } else {
            pools::TEMPLATES.choose(rng).unwrap_or(primary)
        };
        tpls.push(t);
    }
    if let Some((title, _, _)) = den_scn {
        alerts.push(den_alert(rng, title, created, last_update, status));
    }
    let span = (last_update.secs() - created.secs()).max(0);
    for (k, tpl) in tpls.iter().enumerate() {
        let at = if k == 0 {
            created.secs()
        } else {
            created.secs() + rng.random_range(0..=span)
        };
        let mut a = alert_from(rng, tpl, at, last_update, status, lang);
        if k == 0 && o.hostile == Some(Hostile::BidiTitle) {
            a.title = "Suspicious execution of invoice\u{202E}fdp.exe".into();
        }
        if o.future_evidence && k == 0 || rng.random::<f64>() < 0.02 {
            a.future_evidence = true;
        }
        alerts.push(a);
    }
    let severity = alerts
        .iter()
        .map(|a| a.severity)
        .max_by_key(|s| sev_rank(s))
        .unwrap_or("medium");
    let severity = if o.force_high { "high" } else { severity };

    let display_name = incident_title(rng, &tpls, den_scn.map(|d| d.0), o.hostile, lang);
    let assigned_to = match status {
        "inProgress" | "awaitingAction" if o.den => Some("Defender Experts".to_string()),
        "inProgress" => pools::ANALYSTS.choose(rng).map(|s| s.to_string()),
        "resolved" if rng.random::<f64>() < 0.8 => {
            pools::ANALYSTS.choose(rng).map(|s| s.to_string())
        }
        "active" if !o.live && rng.random::<f64>() < 0.5 => {
            pools::ANALYSTS.choose(rng).map(|s| s.to_string())
        }
        _ => None,
    };
    let (classification, determination, resolving_comment) = if status == "resolved" {
        let (c, d) = weighted(
            rng,
            &[
                (("truePositive", "multiStagedAttack"), 12),
                (("truePositive", "malware"), 10),
                (("truePositive", "phishing"), 8),
                (("truePositive", "compromisedAccount"), 6),
                (("falsePositive", "notMalicious"), 14),
                (("falsePositive", "notEnoughDataToValidate"), 8),
                (("informationalExpectedActivity", "securityTesting"), 8),
                (("informationalExpectedActivity", "confirmedActivity"), 8),
                (
                    ("informationalExpectedActivity", "lineOfBusinessApplication"),
                    6,
                ),
            ],
        );
        let rc = if rng.random::<f64>() < 0.6 {
            RESOLVING.choose(rng).map(|s| s.to_string())
        } else {
            None
        };
        (Some(c), Some(d), rc)
    } else if rng.random::<f64>() < 0.1 {
        (None, None, None)
    } else {
        (Some("unknown"), Some("unknown"), None)
    };
    for a in alerts.iter_mut() {
        a.assigned_to.clone_from(&assigned_to);
        if status == "resolved" {
            a.classification = classification;
            a.determination = determination;
        }
    }
    let redirect_incident_id = if status == "redirected" && o.total > 1 {
        let mut target = BASE_ID + rng.random_range(0..o.total as u64);
        if target == id {
            target = if id > BASE_ID { id - 1 } else { id + 1 };
        }
        Some(target.to_string())
    } else {
        None
    };
    let priority_score = if rng.random::<f64>() < 0.8 {
        Some(match severity {
            "high" => rng.random_range(70..=100),
            "medium" => rng.random_range(30..=85),
            "low" => rng.random_range(5..=40),
            _ => rng.random_range(0..=15),
        })
    } else {
        None
    };
    let mut custom_tags = Vec::new();
    if !o.live && rng.random::<f64>() < 0.3 {
        for _ in 0..rng.random_range(1..=2) {
            if let Some(t) = pools::TAGS.choose(rng)
                && !custom_tags.iter().any(|x: &String| x == t)
            {
                custom_tags.push(t.to_string());
            }
        }
    }
    let mut comments = Vec::new();
    if !o.live && rng.random::<f64>() < 0.25 {
        for _ in 0..rng.random_range(1..=3) {
            let at = created.secs() + rng.random_range(0..=span);
            comments.push(Comment {
                comment: COMMENTS.choose(rng).unwrap_or(&COMMENTS[0]).to_string(),
                by: pools::ANALYSTS
                    .choose(rng)
                    .unwrap_or(&pools::ANALYSTS[0])
                    .to_string(),
                at: ts(rng, at),
            });
        }
        comments.sort_by_key(|c| c.at);
    }
    let last_modified_by = if o.live || (status == "active" && assigned_to.is_none()) {
        None
    } else if o.den {
        Some("Defender Experts".to_string())
    } else {
        let who = pools::ANALYSTS.choose(rng).unwrap_or(&pools::ANALYSTS[0]);
        Some(if rng.random::<f64>() < 0.5 {
            format!("API-App:{who}")
        } else {
            who.to_string()
        })
    };
    let (description, summary, den) = match den_scn {
        Some((_, exec, rec)) => {
            let nq = rng.random_range(1..=3);
            let mut qs: Vec<String> = Vec::new();
            for _ in 0..nq {
                if let Some(q) = pools::DEN_QUERIES.choose(rng)
                    && !qs.iter().any(|x| x == q)
                {
                    qs.push(q.to_string());
                }
            }
            (
                Some(exec.to_string()),
                Some("Defender Experts has identified malicious activity. This incident has been raised for your awareness and should be investigated as usual.".to_string()),
                Some(Den { recommended_actions: rec.to_string(), hunting_queries: qs }),
            )
        }
        None if rng.random::<f64>() < 0.3 => (Some(primary.description.to_string()), None, None),
        None => (None, None, None),
    };
    let system_tags = if o.den {
        vec!["Defender Experts"]
    } else {
        vec![]
    };

    let mut tasks = Vec::new();
    if o.den && matches!(status, "awaitingAction" | "inProgress") {
        let managed = status == "inProgress";
        for _ in 0..rng.random_range(1..=3) {
            let (name, desc, action) = *pools::TASKS.choose(rng).unwrap_or(&pools::TASKS[0]);
            let off = rng.random_range(0..=span);
            let at = ts(rng, created.secs() + off);
            tasks.push(Task {
                id: uuid_from(rng),
                incident_id: id,
                display_name: name,
                description: desc,
                action_type: action,
                action_status: if managed { "completed" } else { "notStarted" },
                status: if managed { "completed" } else { "open" },
                source: if managed {
                    "defenderExpertsManagedResponse"
                } else {
                    "defenderExpertsGuidedResponse"
                },
                created: at,
                created_by: "Defender Experts",
                last_modified: at,
                last_modified_by: "Defender Experts".into(),
            });
        }
    }

    let inc = Incident {
        id,
        display_name,
        status,
        severity,
        classification,
        determination,
        assigned_to,
        custom_tags,
        system_tags,
        priority_score,
        created,
        last_update,
        last_modified_by,
        resolving_comment,
        redirect_incident_id,
        description,
        summary,
        comments,
        alerts,
        den,
        hostile: o.hostile,
        cast_seed: rng.random(),
    };
    (inc, tasks)
}

fn incident_title(
    rng: &mut ChaCha8Rng,
    tpls: &[&Tpl],
    den_title: Option<&str>,
    hostile: Option<Hostile>,
    lang: u8,
) -> String {
    if let Some(t) = den_title {
        return t.to_string();
    }
    if hostile == Some(Hostile::BidiTitle) {
        return "Suspicious execution of invoice\u{202E}fdp.exe on one endpoint".into();
    }
    let primary = tpls[0];
    let endpoint = primary.src == Src::Endpoint;
    match lang {
        1 => {
            return match primary.title_fr {
                Some(t) => format!("{t} sur un point de terminaison"),
                None => "Activité suspecte de PowerShell sur un point de terminaison".into(),
            };
        }
        2 => {
            return match primary.title_ko {
                Some(t) => format!("{t} - 사용자 1명 관련"),
                None => "의심스러운 로그인 활동 - 여러 사용자 관련".into(),
            };
        }
        _ => {}
    }
    let mut cats: Vec<&str> = Vec::new();
    for t in tpls {
        let l = pools::category_label(t.category);
        if !cats.contains(&l) {
            cats.push(l);
        }
    }
    let multi_src = tpls.iter().any(|t| t.src != primary.src);
    let many = rng.random::<f64>() < 0.3;
    let scope = match (endpoint, many) {
        (true, false) => "on one endpoint",
        (true, true) => "on multiple endpoints",
        (false, false) => "involving one user",
        (false, true) => "involving multiple users",
    };
    let mut s = if cats.len() >= 2 && rng.random::<f64>() < 0.6 {
        format!(
            "Multi-stage incident involving {} & {} {scope}",
            cats[0], cats[1]
        )
    } else {
        format!("{} {scope}", primary.title)
    };
    if multi_src {
        s.push_str(" reported by multiple sources");
    }
    s
}

fn alert_status(rng: &mut ChaCha8Rng, incident_status: &str) -> &'static str {
    match incident_status {
        "resolved" | "redirected" => "resolved",
        "inProgress" | "awaitingAction" => {
            weighted(rng, &[("inProgress", 5), ("new", 3), ("resolved", 2)])
        }
        _ => weighted(rng, &[("new", 8), ("inProgress", 2)]),
    }
}

/// Builds one alert from a template at `at_secs` (not later than `cap`).
pub fn alert_from(
    rng: &mut ChaCha8Rng,
    tpl: &Tpl,
    at_secs: i64,
    cap: Ts,
    incident_status: &str,
    lang: u8,
) -> Alert {
    let (service, product) = tpl.src.service();
    let created = ts(rng, at_secs);
    let upd = if cap.secs() > at_secs {
        rng.random_range(at_secs..=cap.secs())
    } else {
        at_secs
    };
    let last_update = ts(rng, upd);
    let first = at_secs - rng.random_range(60..7200);
    let last = rng.random_range(first..=at_secs);
    let status = alert_status(rng, incident_status);
    let title = match lang {
        1 => tpl.title_fr.unwrap_or(tpl.title),
        2 => tpl.title_ko.unwrap_or(tpl.title),
        _ => tpl.title,
    };
    let mut custom_details = Vec::new();
    if rng.random::<f64>() < 0.1 {
        custom_details.push(("threatIntelligenceVerdict".into(), "KnownMalicious".into()));
        custom_details.push(("matchedThreatActor".into(), "DEV-0537".into()));
    }
    let mut comments = Vec::new();
    if rng.random::<f64>() < 0.05 {
        comments.push(Comment {
            comment: COMMENTS.choose(rng).unwrap_or(&COMMENTS[0]).to_string(),
            by: pools::ANALYSTS
                .choose(rng)
                .unwrap_or(&pools::ANALYSTS[0])
                .to_string(),
            at: ts(rng, upd),
        });
    }
    let id = alert_id(rng, tpl.src);
    Alert {
        id,
        title: title.to_string(),
        description: tpl.description,
        recommended_actions: tpl.recommended,
        category: tpl.category,
        mitre: tpl.mitre,
        service_source: service,
        detection_source: tpl.detection,
        product_name: product,
        detector_id: uuid_from(rng),
        severity: tpl.severity,
        status,
        classification: Some("unknown"),
        determination: Some("unknown"),
        assigned_to: None,
        threat_display_name: tpl.threat,
        threat_family_name: tpl.threat.and_then(|t| t.split('/').nth(1)),
        actor_display_name: if tpl.severity == "high" && rng.random::<f64>() < 0.2 {
            Some("Storm-0501")
        } else {
            None
        },
        created,
        last_update,
        resolved: (status == "resolved").then_some(last_update),
        first_activity: ts(rng, first),
        last_activity: ts(rng, last),
        comments,
        system_tags: vec![],
        custom_details,
        ev_kind: tpl.ev,
        evidence_seed: rng.random(),
        future_evidence: false,
    }
}

fn den_alert(
    rng: &mut ChaCha8Rng,
    title: &str,
    created: Ts,
    cap: Ts,
    incident_status: &str,
) -> Alert {
    let tpl = &pools::TEMPLATES[0];
    let mut a = alert_from(rng, tpl, created.secs(), cap, incident_status, 0);
    a.title = title.to_string();
    a.description = "Defender Experts identified suspicious activity that requires your attention. Review the executive summary on the incident for details.";
    a.recommended_actions = "Review the recommendations in the Defender Experts notification.";
    a.detection_source = "microsoftThreatExperts";
    a.service_source = "microsoftDefenderForEndpoint";
    a.product_name = "Microsoft Defender Experts";
    a.severity = "high";
    a.system_tags = vec!["Defender Experts"];
    a.ev_kind = EvKind::Den;
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data_and_hostiles_present() {
        let a = generate(7, 50, 1_780_000_000);
        let b = generate(7, 50, 1_780_000_000);
        let c = generate(8, 50, 1_780_000_000);
        let names = |g: &Generated| {
            g.incidents
                .iter()
                .map(|i| i.display_name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert_ne!(names(&a), names(&c));
        assert_eq!(a.incidents[5].hostile, Some(Hostile::BidiTitle));
        assert!(a.incidents[5].display_name.contains('\u{202E}'));
        assert!(a.incidents[1].display_name.starts_with("Defender Experts"));
        assert!(
            a.incidents
                .iter()
                .all(|i| (1..=7).contains(&i.alerts.len()))
        );
    }

    #[test]
    fn covers_all_statuses_and_severities() {
        let g = generate(7, 300, 1_780_000_000);
        for s in [
            "active",
            "inProgress",
            "resolved",
            "redirected",
            "awaitingAction",
        ] {
            assert!(
                g.incidents.iter().any(|i| i.status == s),
                "missing status {s}"
            );
        }
        for s in ["high", "medium", "low", "informational"] {
            assert!(
                g.incidents.iter().any(|i| i.severity == s),
                "missing severity {s}"
            );
        }
        assert!(g.incidents.iter().any(|i| i.display_name.contains("sur")));
        assert!(
            g.incidents
                .iter()
                .any(|i| i.display_name.contains("로그인") || i.display_name.contains("URL"))
        );
        assert!(!g.tasks.is_empty());
        let avg = g.incidents.iter().map(|i| i.alerts.len()).sum::<usize>() as f64 / 300.0;
        assert!((2.0..4.5).contains(&avg), "avg alerts {avg}");
    }
}
