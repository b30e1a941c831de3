//! Store benchmarks: an initial load of 100,000 incidents with 300,000 alerts, a delta of 1,000,
//! and per-keystroke views (parse + filter + sort) over 100,000 incidents.
//!
//! `cargo bench --bench store` (sample counts are kept small so the run takes about a minute).
//! Last, the per-keystroke views with a stated target (≤ 10 ms, README "Benchmarks") are timed
//! again: the run exits non-zero when one misses it.

use criterion::{BatchSize, Criterion, SamplingMode};
use std::hint::black_box;
use std::time::Duration;
#[path = "common/synth.rs"]
mod synth;
#[path = "common/targets.rs"]
mod targets;

use synth::{INCIDENTS, incident, loaded};
use vigil::graph::model::Incident;
use vigil::store::{Query, Sort, SortKey};
use vigil::sync::{Update, UpsertSource};

/// The filters a keystroke may run, with a stated target.
const KEYSTROKE_FILTERS: &[(&str, &str)] = &[
    ("free_text_ip", "10.42.17"),
    ("free_text_cmdline", "\"-enc 00\""),
    (
        "structured",
        "sev:high,medium status:open -owner:none -tag:noise prio:>50",
    ),
    ("owner_me_age", "owner:me age:<30d"),
];

/// Median time of each keystroke filter over 100,000 incidents against its 10 ms target.
fn check_keystroke_targets(store: &vigil::store::Store, targets: &mut targets::Targets) {
    let sort = Sort::default();
    for (name, text) in KEYSTROKE_FILTERS {
        let median = targets::median_time(21, || {
            let q = Query::parse(black_box(text)).unwrap_or_default();
            black_box(store.view(&q, sort));
        });
        targets.at_most(
            &format!("filter over 100,000 incidents, {name} (median)"),
            median,
            Duration::from_millis(10),
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let store = benches(&mut c);
    c.final_summary();
    let mut targets = targets::Targets::default();
    check_keystroke_targets(&store, &mut targets);
    targets.finish();
}

/// Runs the criterion benchmarks; returns the 100,000-incident store for the target checks.
fn benches(c: &mut Criterion) -> vigil::store::Store {
    let initial: Vec<Incident> = (0..INCIDENTS).map(|n| incident(n, 0)).collect();

    let mut g = c.benchmark_group("store_load");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    g.bench_function("initial_100k_incidents_300k_alerts", |b| {
        b.iter_batched(
            || initial.clone(),
            |items| black_box(loaded(items)),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut store = loaded(initial);
    let mut g = c.benchmark_group("store_delta");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    let mut version = 0;
    g.bench_function("delta_1000_changed", |b| {
        b.iter_batched(
            || {
                version += 1;
                let items = (0..1000)
                    .map(|k| incident(k * 97 % INCIDENTS, version))
                    .collect();
                Update::Incidents {
                    items,
                    source: UpsertSource::Delta,
                }
            },
            |u| black_box(store.apply(u)),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("store_view_100k");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let sort = Sort::default();
    for (name, text) in [
        ("free_text_ip", "10.42.17"),
        ("free_text_cmdline", "\"-enc 00\""),
        ("free_text_common", "multi-stage"),
        (
            "structured",
            "sev:high,medium status:open -owner:none -tag:noise prio:>50",
        ),
        ("owner_me_age", "owner:me age:<30d"),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let q = Query::parse(black_box(text)).unwrap_or_default();
                black_box(store.view(&q, sort))
            })
        });
    }
    let everything = Query::default();
    g.bench_function("all_sorted_by_title", |b| {
        b.iter(|| {
            black_box(store.view(
                &everything,
                Sort {
                    key: SortKey::Title,
                    descending: false,
                },
            ))
        })
    });
    g.finish();
    println!(
        "matches: ip={} cmdline={} common={} structured={}",
        store
            .view(&Query::parse("10.42.17").unwrap_or_default(), sort)
            .len(),
        store
            .view(&Query::parse("\"-enc 00\"").unwrap_or_default(), sort)
            .len(),
        store
            .view(&Query::parse("multi-stage").unwrap_or_default(), sort)
            .len(),
        store
            .view(
                &Query::parse("sev:high,medium status:open -owner:none -tag:noise prio:>50")
                    .unwrap_or_default(),
                sort
            )
            .len(),
    );
    store
}
