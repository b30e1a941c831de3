//! Live "other analyst" activity: new incidents and alerts, portal edits, reopenings.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::generate::{self, Opts};
use super::model::Ts;
use super::pools;
use super::state::Tenant;

/// Applies one round of activity; always changes at least one incident.
pub fn tick(t: &mut Tenant) {
    t.rounds += 1;
    let mut rng = t.live_rng.clone();
    let mut changed = false;
    if rng.random::<f64>() < 0.35 || t.incidents.is_empty() {
        new_incident(t, &mut rng);
        changed = true;
    }
    if rng.random::<f64>() < 0.4 && new_alert(t, &mut rng) {
        changed = true;
    }
    if rng.random::<f64>() < 0.1 && reopen(t, &mut rng) {
        changed = true;
    }
    if rng.random::<f64>() < 0.6 || !changed {
        analyst_edit(t, &mut rng);
    }
    t.live_rng = rng;
}

fn new_incident(t: &mut Tenant, rng: &mut rand_chacha::ChaCha8Rng) {
    let now = Ts::now();
    let o = Opts {
        den: rng.random::<f64>() < 0.1,
        hostile: None,
        live: true,
        force_high: rng.random::<f64>() < 0.25,
        future_evidence: false,
        total: t.incidents.len(),
    };
    let id = t.next_id();
    let (mut inc, tasks) = generate::build_incident(rng, id, now.secs(), now.secs(), &o);
    inc.created = now;
    inc.last_update = now;
    for a in inc.alerts.iter_mut() {
        a.created = now;
        a.last_update = now;
    }
    let i = t.incidents.len();
    for (j, a) in inc.alerts.iter().enumerate() {
        t.alert_idx.insert(a.id.clone(), (i, j));
    }
    t.incidents.push(inc);
    t.tasks.extend(tasks);
}

fn pick_open(t: &Tenant, rng: &mut rand_chacha::ChaCha8Rng, statuses: &[&str]) -> Option<usize> {
    let n = t.incidents.len();
    for _ in 0..50 {
        let i = rng.random_range(0..n.max(1));
        if t.incidents
            .get(i)
            .is_some_and(|x| statuses.contains(&x.status))
        {
            return Some(i);
        }
    }
    None
}

fn new_alert(t: &mut Tenant, rng: &mut rand_chacha::ChaCha8Rng) -> bool {
    let Some(i) = pick_open(t, rng, &["active", "inProgress"]) else {
        return false;
    };
    let now = Ts::now();
    let tpl = pools::TEMPLATES.choose(rng).unwrap_or(&pools::TEMPLATES[0]);
    let inc = &mut t.incidents[i];
    let mut a = generate::alert_from(rng, tpl, now.secs(), now, "active", 0);
    a.created = now;
    a.last_update = now;
    a.assigned_to.clone_from(&inc.assigned_to);
    if sev(a.severity) > sev(inc.severity) {
        inc.severity = a.severity;
    }
    let j = inc.alerts.len();
    t.alert_idx.insert(a.id.clone(), (i, j));
    inc.alerts.push(a);
    inc.last_update = now;
    true
}

fn sev(s: &str) -> u8 {
    match s {
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        "informational" => 1,
        _ => 0,
    }
}

fn reopen(t: &mut Tenant, rng: &mut rand_chacha::ChaCha8Rng) -> bool {
    let Some(i) = pick_open(t, rng, &["resolved"]) else {
        return false;
    };
    let inc = &mut t.incidents[i];
    inc.status = "active";
    inc.last_update = Ts::now();
    inc.last_modified_by = Some("Automation".into());
    for a in inc.alerts.iter_mut().take(1) {
        a.status = "new";
        a.resolved = None;
        a.last_update = inc.last_update;
    }
    true
}

fn analyst_edit(t: &mut Tenant, rng: &mut rand_chacha::ChaCha8Rng) {
    let Some(i) = pick_open(t, rng, &["active", "inProgress", "resolved"]) else {
        return;
    };
    let who = *pools::OTHER_ANALYSTS
        .choose(rng)
        .unwrap_or(&pools::OTHER_ANALYSTS[0]);
    let inc = &mut t.incidents[i];
    match rng.random_range(0..3) {
        0 => match inc.status {
            "active" => inc.status = "inProgress",
            "inProgress" => {
                inc.status = "resolved";
                inc.classification = Some("truePositive");
                inc.determination = Some("malware");
                for a in inc.alerts.iter_mut() {
                    a.status = "resolved";
                    a.resolved = Some(Ts::now());
                }
            }
            _ => inc.status = "active",
        },
        1 => {
            inc.assigned_to = Some(who.trim_start_matches("portal:").to_string());
            for a in inc.alerts.iter_mut() {
                a.assigned_to.clone_from(&inc.assigned_to);
            }
        }
        _ => {
            let tag = pools::TAGS
                .choose(rng)
                .unwrap_or(&pools::TAGS[0])
                .to_string();
            if !inc.custom_tags.contains(&tag) {
                inc.custom_tags.push(tag);
            }
        }
    }
    inc.last_update = Ts::now();
    inc.last_modified_by = Some(who.to_string());
}
