//! End-to-end figures (issue: speed and resilience, measured).
//!
//! `cargo bench --bench e2e`: an in-process simulated tenant with 10,000 incidents; the
//! export over the real Graph client (wall time, requests against the pages needed, peak
//! memory); start-to-first-paint from the database (the simulated tenant, then
//! `VIGIL_BENCH_DB_INCIDENTS` synthetic ones, 100,000 by default) and from an empty start through the
//! sync engine; the memory an incident with 3 alerts takes in the Store next to its JSON; how
//! soon a colleague's change is seen by polling. The figures with a stated target (README
//! "Benchmarks") are checked last: the run exits non-zero when one is missed.

#[path = "common/synth.rs"]
mod synth;
#[path = "common/targets.rs"]
mod targets;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vigil::export::{ExportOptions, run_export};
use vigil::graph::model::{Incident, Timestamp};
use vigil::sim::SimConfig;
use vigil::start::connect;
use vigil::store::{Identity, Store};
use vigil::sync::{EngineConfig, Update};
use vigil::ui::App;
use vigil::ui::app::AppConfig;

/// Counts live heap bytes so the Store's memory is measured exactly (VmRSS alone hides
/// allocator reuse).
struct Counting;

static LIVE: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);
/// The highest `LIVE` since it was last reset.
static PEAK: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts sizes.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        let now = LIVE.fetch_add(l.size() as isize, std::sync::atomic::Ordering::Relaxed);
        PEAK.fetch_max(
            now + l.size() as isize,
            std::sync::atomic::Ordering::Relaxed,
        );
        // SAFETY: same layout contract as the caller's.
        unsafe { std::alloc::System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: std::alloc::Layout) {
        LIVE.fetch_sub(l.size() as isize, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: `p` was allocated by `alloc` above with this layout.
        unsafe { std::alloc::System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: std::alloc::Layout, new: usize) -> *mut u8 {
        let now = LIVE.fetch_add(
            new as isize - l.size() as isize,
            std::sync::atomic::Ordering::Relaxed,
        );
        PEAK.fetch_max(
            now + new as isize - l.size() as isize,
            std::sync::atomic::Ordering::Relaxed,
        );
        // SAFETY: `p`/`l` come from this allocator; `new` is the caller's requested size.
        unsafe { std::alloc::System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live_bytes() -> isize {
    LIVE.load(std::sync::atomic::Ordering::Relaxed)
}

const INCIDENTS: usize = 10_000;
/// `$top` the export asks for (src/export.rs) and the simulator's largest page.
const EXPORT_PAGE: usize = 50;
const SIM_MAX_PAGE: usize = 100;

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

fn render_once(app: &mut App) -> Duration {
    let t = Instant::now();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    t.elapsed()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut targets = targets::Targets::default();
    // `cargo bench --bench e2e -- fullload` measures only a full load from the database, in a
    // fresh process (VmRSS means something only there).
    if std::env::args().any(|a| a == "fullload") {
        memory_after_full_load(&mut targets);
        targets.finish();
        return;
    }
    // Memory first, in a fresh heap. `cargo bench --bench e2e -- memory` stops after it.
    memory_per_incident(&mut targets);
    let exported = rt.block_on(export(&mut targets));
    memory_of_exported(&exported, &mut targets);
    if std::env::args().any(|a| a == "memory") {
        targets.finish();
        return;
    }
    rt.block_on(first_paint_without_cache());
    first_paint_from_db("simulated tenant", &exported, &mut targets);
    drop(exported);
    let scale: u64 = std::env::var("VIGIL_BENCH_DB_INCIDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(synth::INCIDENTS);
    let synthetic: Vec<Incident> = (0..scale).map(|n| synth::incident(n, 0)).collect();
    first_paint_from_db("synthetic", &synthetic, &mut targets);
    rt.block_on(poll_latency(&mut targets));
    targets.finish();
}

/// A colleague's change (the simulator's live activity) reaches the store by polling alone:
/// target one poll interval plus the request (≤ poll + 700 ms).
async fn poll_latency(targets: &mut targets::Targets) {
    let poll = Duration::from_millis(500);
    println!("== a colleague's change seen by polling every {poll:?} ==");
    let demo = connect::demo(SimConfig {
        incidents: 300,
        live: false,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let cfg = EngineConfig {
        window_days: 3650,
        poll_interval: poll,
        ..EngineConfig::default()
    };
    let mut engine = vigil::sync::spawn(Arc::new(demo.client), cfg);
    let limit = Duration::from_secs(30);
    let loaded = tokio::time::timeout(limit, async {
        while let Some(u) = engine.updates.recv().await {
            if matches!(u, Update::LoadComplete { .. }) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(
        matches!(loaded, Ok(true)),
        "the initial load never completed"
    );
    demo.sim.tick_activity();
    let t = Instant::now();
    let seen = tokio::time::timeout(limit, async {
        while let Some(u) = engine.updates.recv().await {
            if let Update::Incidents { items, source } = &u
                && *source == vigil::sync::UpsertSource::Delta
                && !items.is_empty()
            {
                return true;
            }
        }
        false
    })
    .await;
    let took = t.elapsed();
    println!("changed incidents seen after {took:?} (seen: {seen:?})");
    targets.equal(
        "the change arrives by polling",
        matches!(seen, Ok(true)),
        true,
    );
    targets.at_most(
        "a colleague's change seen after",
        took,
        poll + Duration::from_millis(700),
    );
    engine.task.abort();
    demo.sim.shutdown().await;
}

/// Export of the whole tenant; returns the incidents written (for the cache figures).
async fn export(targets: &mut targets::Targets) -> Vec<Incident> {
    println!("== export: {INCIDENTS} incidents from the simulated tenant ==");
    let t = Instant::now();
    let demo = connect::demo(SimConfig {
        incidents: INCIDENTS,
        live: false,
        max_page: SIM_MAX_PAGE,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    println!("simulator start (generate tenant): {:?}", t.elapsed());
    let client = Arc::new(demo.client);
    let hwm_before = proc_kb("VmHWM");
    let rss_before = proc_kb("VmRSS");
    let mut out: Vec<u8> = Vec::new();
    let t = Instant::now();
    let summary = run_export(
        client.clone(),
        ExportOptions {
            include_alerts: true,
            ..ExportOptions::default()
        },
        &mut out,
        &mut |_| {},
    )
    .await
    .unwrap();
    let wall = t.elapsed();
    let hwm_after = proc_kb("VmHWM");
    let stats = client.stats();
    let sim = demo.sim.stats();
    let page = EXPORT_PAGE.min(SIM_MAX_PAGE);
    let pages = INCIDENTS.div_ceil(page) as u64;
    println!("wall time: {wall:?}");
    println!(
        "written: {} incidents, {} alerts, {} incomplete, {:.1} MB NDJSON",
        summary.incidents,
        summary.alerts,
        summary.incomplete.len(),
        out.len() as f64 / 1e6
    );
    println!(
        "client: {} requests ({} retries, {} throttled, {:.1} MB received); export summary: {} requests",
        stats.requests,
        stats.retries,
        stats.throttled,
        stats.bytes_received as f64 / 1e6,
        summary.requests
    );
    println!(
        "simulator: {} requests, {} token requests, by route: {:?}",
        sim.requests, sim.token_requests, sim.by_route
    );
    println!(
        "expected pages: ceil({INCIDENTS}/{page}) = {pages}; client requests == pages: {}; \
         simulator requests == pages + token requests: {}",
        stats.requests == pages,
        sim.requests == pages + sim.token_requests
    );
    println!(
        "throughput: {:.0} incidents/s",
        summary.incidents as f64 / wall.as_secs_f64()
    );
    targets.equal(
        "export requests (pages needed, no more)",
        stats.requests,
        pages,
    );
    println!(
        "memory: VmHWM {:.1} MB before, {:.1} MB after (peak); VmRSS before {:.1} MB, after {:.1} MB",
        mb(hwm_before),
        mb(hwm_after),
        mb(rss_before),
        mb(proc_kb("VmRSS"))
    );
    let incidents: Vec<Incident> = out
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    demo.sim.shutdown().await;
    incidents
}

/// From an empty start: engine spawn → first incidents page applied → one frame.
async fn first_paint_without_cache() {
    println!("== first paint without cache ({INCIDENTS} incidents on the tenant) ==");
    let demo = connect::demo(SimConfig {
        incidents: INCIDENTS,
        live: false,
        max_page: SIM_MAX_PAGE,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let cfg = EngineConfig {
        window_days: 3650,
        ..EngineConfig::default()
    };
    let page_size = cfg.page_size;
    let t = Instant::now();
    let mut engine = vigil::sync::spawn(Arc::new(demo.client), cfg);
    let mut store = Store::new(Identity::new(["analyst@contoso.com"]));
    let first_page = loop {
        match engine.updates.recv().await {
            Some(u @ Update::Incidents { .. }) => {
                store.apply(u);
                break t.elapsed();
            }
            Some(u) => {
                store.apply(u);
            }
            None => panic!("engine stopped"),
        }
    };
    let mut app = App::new(store, AppConfig::default(), Timestamp::now());
    let frame = render_once(&mut app);
    println!(
        "engine spawn → first page ({page_size} incidents, sign-in included) applied: {first_page:?}; \
         + App::new and one 200x50 frame: {:?} (frame {frame:?})",
        t.elapsed()
    );
    let total = loop {
        match engine.updates.recv().await {
            Some(Update::LoadComplete { total, .. }) => break total,
            Some(_) => {}
            None => panic!("engine stopped"),
        }
    };
    println!(
        "initial load of {total} incidents complete after {:?}",
        t.elapsed()
    );
    engine.task.abort();
    demo.sim.shutdown().await;
}

/// From the database, as `vigil` starts (issue 14): each page written in one transaction as
/// the engine does, then the start (rows → Store → App → first frame) with the live heap's peak
/// next to what it holds afterwards, opening an incident (its alerts read back), the file's
/// size next to the JSON, and quitting (dropping the App; nothing is written).
fn first_paint_from_db(label: &str, incidents: &[Incident], targets: &mut targets::Targets) {
    println!(
        "== start from the database ({} incidents, {label}) ==",
        incidents.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let json_bytes: usize = incidents
        .iter()
        .map(|i| serde_json::to_vec(i).map(|v| v.len()).unwrap_or(0))
        .sum();
    let db = vigil::db::Db::open(dir.path()).unwrap().db;
    let t = Instant::now();
    let mut slowest = Duration::ZERO;
    for page in incidents.chunks(EXPORT_PAGE) {
        let p = Instant::now();
        vigil::db::incidents::write_incidents(&db, page).unwrap();
        slowest = slowest.max(p.elapsed());
    }
    let write = t.elapsed();
    db.with(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)"))
        .unwrap();
    let size: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "written page by page ({EXPORT_PAGE} a transaction) in {write:?}, slowest page {slowest:?}; \
         on disk {:.1} MB for {:.1} MB of JSON ({:.2}x)",
        size as f64 / 1e6,
        json_bytes as f64 / 1e6,
        size as f64 / json_bytes.max(1) as f64
    );
    targets.at_most(
        &format!("on disk vs JSON, x1000 ({label})"),
        size * 1000 / json_bytes.max(1) as u64,
        500,
    );

    PEAK.store(live_bytes(), std::sync::atomic::Ordering::Relaxed);
    let live0 = live_bytes();
    let t = Instant::now();
    let mut store = Store::new(Identity::new(["analyst@contoso.com"]));
    let notices = vigil::start::from_db::paint_from_db(&mut store, &db, dir.path(), "bench");
    let to_store = t.elapsed();
    let mut app = App::new(store, AppConfig::default(), Timestamp::now());
    let frame = render_once(&mut app);
    let first_paint = t.elapsed();
    let peak = (PEAK.load(std::sync::atomic::Ordering::Relaxed) - live0).max(0) as u64;
    let held = (live_bytes() - live0).max(0) as u64;
    println!(
        "first paint {first_paint:?} (rows → Store {to_store:?}, one 200x50 frame {frame:?}); \
         live heap peak {:.1} MB, held after {:.1} MB ({:.2}x); {notices:?}",
        peak as f64 / 1e6,
        held as f64 / 1e6,
        peak as f64 / held.max(1) as f64
    );
    targets.at_most(
        &format!("first paint from the database ({label})"),
        first_paint,
        Duration::from_millis(100),
    );
    targets.at_most(
        &format!("start peak vs held after, x100 ({label})"),
        peak * 100 / held.max(1),
        120,
    );
    let ids: Vec<String> = incidents.iter().step_by(97).map(|i| i.id.clone()).collect();
    let mut k = 0;
    let open = targets::median_time(50, || {
        let id = &ids[k % ids.len()];
        k += 1;
        std::hint::black_box(vigil::db::incidents::load_alerts(&db, id).unwrap());
    });
    println!("opening an incident (its alerts read from the database): {open:?}");
    targets.at_most(
        &format!("opening an incident ({label})"),
        open,
        Duration::from_millis(16),
    );
    let t = Instant::now();
    drop(app);
    drop(db);
    let quit = t.elapsed();
    println!("quit (App and database closed, nothing written): {quit:?}");
    targets.at_most(&format!("quit ({label})"), quit, Duration::from_millis(200));
}

/// JSON bytes of N incidents with 3 alerts each next to the RSS growth of holding them.
fn memory_per_incident(targets: &mut targets::Targets) {
    const N: u64 = 20_000;
    println!(
        "== memory: {N} incidents with {} alerts each ==",
        synth::ALERTS_PER_INCIDENT
    );
    let json_bytes: usize = (0..N)
        .map(|n| serde_json::to_vec(&synth::incident(n, 0)).unwrap().len())
        .sum();
    let rss0 = proc_kb("VmRSS");
    let live0 = live_bytes();
    let mut store = Store::new(Identity::new(["analyst@contoso.com"]));
    for chunk in (0..N).collect::<Vec<_>>().chunks(500) {
        store.apply(Update::Incidents {
            items: chunk.iter().map(|&n| synth::incident(n, 0)).collect(),
            source: vigil::sync::UpsertSource::Initial,
        });
    }
    let rss1 = proc_kb("VmRSS");
    let live = (live_bytes() - live0).max(0) as u64;
    println!(
        "Store live heap: {:.1} MB = {} bytes per incident ({:.2}x its JSON)",
        live as f64 / 1e6,
        live / N,
        live as f64 / json_bytes as f64
    );
    let delta = rss1.saturating_sub(rss0) * 1024;
    println!(
        "JSON: {:.1} MB ({} bytes per incident); Store: VmRSS +{:.1} MB ({} bytes per incident, \
         approximate: allocator reuse and fragmentation included); {} incidents held",
        json_bytes as f64 / 1e6,
        json_bytes as u64 / N,
        delta as f64 / 1e6,
        delta / N,
        store.len()
    );
    targets.at_most(
        "Store live heap per synthetic incident vs its JSON (bytes)",
        live / N,
        json_bytes as u64 / N,
    );
}

/// The same measure on the simulated tenant's incidents (rich evidence, as a real tenant's).
fn memory_of_exported(incidents: &[Incident], targets: &mut targets::Targets) {
    let json_bytes: usize = incidents
        .iter()
        .map(|i| serde_json::to_vec(i).map(|v| v.len()).unwrap_or(0))
        .sum();
    // Everything allocated from here on is either moved into the Store or freed by `apply`,
    // so the live-heap growth is what the Store holds.
    let live0 = live_bytes();
    let copies: Vec<Incident> = incidents.to_vec();
    let mut store = Store::new(Identity::new(["analyst@contoso.com"]));
    store.apply(Update::Incidents {
        items: copies,
        source: vigil::sync::UpsertSource::Initial,
    });
    let live = (live_bytes() - live0).max(0) as u64;
    let n = incidents.len().max(1) as u64;
    println!(
        "memory of the simulated tenant's {} incidents: JSON {:.1} MB ({} bytes each); Store live \
         heap {:.1} MB ({} bytes each, {:.2}x its JSON)",
        incidents.len(),
        json_bytes as f64 / 1e6,
        json_bytes as u64 / n,
        live as f64 / 1e6,
        live / n,
        live as f64 / json_bytes.max(1) as f64
    );
    targets.at_most(
        "Store live heap per simulated-tenant incident vs its JSON (bytes)",
        live / n,
        json_bytes as u64 / n,
    );
    drop(store);
}

/// RSS after a full load from the database, as `vigil` starts (issue 14): the first screens
/// painted from it, then every stored incident with its alerts applied 200 at a time as the
/// engine's replay sends them. `VIGIL_BENCH_FULL_LOAD` incidents (50,000 by default) of synthetic
/// data; the live heap's peak during the start next to what the Store holds after.
fn memory_after_full_load(targets: &mut targets::Targets) {
    let n: u64 = std::env::var("VIGIL_BENCH_FULL_LOAD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    println!("== memory after a full load from the database ({n} synthetic incidents) ==");
    let dir = tempfile::tempdir().unwrap();
    let db = vigil::db::Db::open(dir.path()).unwrap().db;
    for first in (0..n).step_by(EXPORT_PAGE) {
        let page: Vec<Incident> = (first..(first + EXPORT_PAGE as u64).min(n))
            .map(|i| synth::incident(i, 0))
            .collect();
        vigil::db::incidents::write_incidents(&db, &page).unwrap();
    }
    let rss0 = proc_kb("VmRSS");
    PEAK.store(live_bytes(), std::sync::atomic::Ordering::Relaxed);
    let live0 = live_bytes();
    let mut store = Store::new(Identity::new(["analyst@contoso.com"]));
    vigil::start::from_db::paint_from_db(&mut store, &db, dir.path(), "bench");
    let ids = vigil::db::incidents::ids_by_update(&db).unwrap();
    for chunk in ids.chunks(200) {
        let items = db
            .with(|c| {
                let mut items = Vec::with_capacity(chunk.len());
                for id in chunk {
                    if let Some(mut inc) = vigil::db::incidents::read_incident(c, id)? {
                        inc.alerts = vigil::db::incidents::read_alerts(c, id)?;
                        items.push(inc);
                    }
                }
                Ok(items)
            })
            .unwrap();
        store.apply(Update::Incidents {
            items,
            source: vigil::sync::UpsertSource::Initial,
        });
    }
    let peak = (PEAK.load(std::sync::atomic::Ordering::Relaxed) - live0).max(0) as u64;
    let held = (live_bytes() - live0).max(0) as u64;
    let rss = proc_kb("VmRSS");
    println!(
        "{} incidents held; VmRSS {:.1} MB after the full load ({:.1} MB before the start, \
         VmHWM {:.1} MB); Store live heap held {:.1} MB, peak during the start {:.1} MB ({:.2}x)",
        store.len(),
        mb(rss),
        mb(rss0),
        mb(proc_kb("VmHWM")),
        held as f64 / 1e6,
        peak as f64 / 1e6,
        peak as f64 / held.max(1) as f64
    );
    if n == 50_000 {
        targets.at_most(
            "VmRSS after a full load of 50,000 incidents (MB)",
            rss / 1024,
            150,
        );
    }
    targets.at_most(
        "live heap peak during a start from the database vs held after, x100",
        peak * 100 / held.max(1),
        120,
    );
}
