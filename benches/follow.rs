//! `vigil export --follow` figures (issue 16): records per second and memory while following a
//! 10,000-incident simulated tenant whose "other analyst" makes 100 activity rounds a minute
//! (each changes one incident or more).
//!
//! `cargo bench --bench follow [-- SECONDS]` (default 60): the first full pull (records/s),
//! then the steady state for SECONDS (records written, polls, records/s), with VmRSS/VmHWM
//! before and after. Prints figures only; there is no target to miss.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use vigil::export::{Checkpoint, ExportOptions, FollowEvent, FollowOptions, run_follow};
use vigil::sim::SimConfig;
use vigil::start::connect;

const INCIDENTS: usize = 10_000;
/// 100 activity rounds per minute.
const ACTIVITY_EVERY: Duration = Duration::from_millis(600);
const INTERVAL: Duration = Duration::from_secs(5);

/// Counts lines and bytes; keeps nothing.
#[derive(Default)]
struct Counter {
    lines: Arc<AtomicUsize>,
    bytes: usize,
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.iter().filter(|b| **b == b'\n').count();
        self.lines.fetch_add(n, Ordering::Relaxed);
        self.bytes += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl vigil::export::FollowOutput for Counter {}

/// A `/proc/self/status` field in kB (`VmHWM`, `VmRSS`); 0 when unavailable.
fn proc_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn main() {
    let seconds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(60);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(follow(Duration::from_secs(seconds)));
}

async fn follow(steady: Duration) {
    println!(
        "== export --follow: {INCIDENTS} incidents, an activity round every {ACTIVITY_EVERY:?}, \
         polls every {INTERVAL:?}, {steady:?} steady state =="
    );
    let demo = connect::demo(SimConfig {
        incidents: INCIDENTS,
        live: true,
        activity_every: ACTIVITY_EVERY,
        max_page: 100,
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let api = Arc::new(demo.client);
    let (rss0, hwm0) = (proc_kb("VmRSS"), proc_kb("VmHWM"));
    let mut out = Counter::default();
    let lines = out.lines.clone();
    let started = Instant::now();
    let mut first_pull: Option<(Duration, usize)> = None;
    let mut polls = 0usize;
    let mut events = |e: FollowEvent| {
        if let FollowEvent::Polled { .. } = e {
            polls += 1;
            if first_pull.is_none() {
                first_pull = Some((started.elapsed(), lines.load(Ordering::Relaxed)));
            }
        }
    };
    let opts = FollowOptions {
        export: ExportOptions {
            include_alerts: true,
            page_size: Some(100),
            ..ExportOptions::default()
        },
        alerts_feed: false,
        interval: INTERVAL,
        overlap: Duration::from_secs(300),
        checkpoint: None,
    };
    let total = out.lines.clone();
    let stop = {
        let total = total.clone();
        async move {
            // The steady state starts once the first pull is written.
            while total.load(Ordering::Relaxed) < INCIDENTS {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            tokio::time::sleep(steady).await;
        }
    };
    let end = run_follow(
        api,
        opts,
        Checkpoint::default(),
        &mut out,
        &mut events,
        stop,
    )
    .await;
    let elapsed = started.elapsed();
    println!("ended: {end:?}");
    let written = total.load(Ordering::Relaxed);
    if let Some((t, n)) = first_pull {
        println!(
            "first full pull: {n} records in {:.2} s = {:.0} records/s",
            t.as_secs_f64(),
            n as f64 / t.as_secs_f64()
        );
        let rest = written.saturating_sub(n);
        let steady_secs = elapsed.saturating_sub(t).as_secs_f64();
        println!(
            "steady state: {rest} records in {steady_secs:.1} s over {} polls = {:.2} records/s \
             ({:.0} per minute)",
            polls.saturating_sub(1),
            rest as f64 / steady_secs,
            rest as f64 / steady_secs * 60.0
        );
    }
    println!(
        "output {:.1} MB; memory: VmRSS {:.1} MB before, {:.1} MB after; VmHWM {:.1} MB before, \
         {:.1} MB peak",
        out.bytes as f64 / 1e6,
        mb(rss0),
        mb(proc_kb("VmRSS")),
        mb(hwm0),
        mb(proc_kb("VmHWM"))
    );
    demo.sim.shutdown().await;
}
