//! The stated performance targets of the benchmarks (README "Benchmarks"): each bench checks
//! its figures against them and exits non-zero when one is missed, so a run can tell.

#![allow(dead_code)] // each bench uses a part

use std::fmt::Debug;
use std::time::{Duration, Instant};

/// Figures checked so far and the targets they missed.
#[derive(Default)]
pub struct Targets {
    checked: usize,
    missed: Vec<String>,
}

impl Targets {
    /// Checks that `figure` is at most `target`, printing the verdict.
    pub fn at_most<T: PartialOrd + Debug>(&mut self, what: &str, figure: T, target: T) {
        self.checked += 1;
        let ok = figure <= target;
        println!(
            "target {}: {what}: {figure:?} (target ≤ {target:?})",
            if ok { "met" } else { "MISSED" }
        );
        if !ok {
            self.missed.push(format!("{what}: {figure:?} > {target:?}"));
        }
    }

    /// Checks that `figure` equals `target`, printing the verdict.
    pub fn equal<T: PartialEq + Debug>(&mut self, what: &str, figure: T, target: T) {
        self.checked += 1;
        let ok = figure == target;
        println!(
            "target {}: {what}: {figure:?} (target {target:?})",
            if ok { "met" } else { "MISSED" }
        );
        if !ok {
            self.missed
                .push(format!("{what}: {figure:?} != {target:?}"));
        }
    }

    /// Prints the summary and exits with status 1 when a target was missed.
    pub fn finish(self) {
        if self.missed.is_empty() {
            println!("all {} targets met", self.checked);
            return;
        }
        eprintln!(
            "{} of {} targets missed:\n  {}",
            self.missed.len(),
            self.checked,
            self.missed.join("\n  ")
        );
        std::process::exit(1);
    }
}

/// The median wall time of `runs` calls of `f` (after one warm-up call).
pub fn median_time(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2]
}
