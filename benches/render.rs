//! Rendering benchmarks and terminal byte counts (issue: speed, measured).
//!
//! `cargo bench --bench render` first prints the bytes written through the real crossterm
//! backend (with synchronized output) for the first paint, one `j` move, one page down and an
//! idle second, at 200x50 with 100,000 incidents, next to the number of cells that actually
//! changed and the byte floor for sending them. Then criterion times one queue frame at 200x50
//! with 100,000 incidents and one incident page with 200 alerts. Last, the figures with a stated
//! target (README "Benchmarks") are checked: the run exits non-zero when one is missed.

#[path = "common/synth.rs"]
mod synth;
#[path = "common/targets.rs"]
mod targets;

use criterion::Criterion;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use vigil::graph::model::{Incident, Timestamp};
use vigil::ui::App;
use vigil::ui::app::AppConfig;
use vigil::ui::term::draw_synchronized;

/// Counts bytes into a shared counter (ratatui keeps the backend writer private).
#[derive(Clone, Default)]
struct Meter(Arc<AtomicU64>);

impl std::io::Write for Meter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(b.len() as u64, Ordering::Relaxed);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Meter {
    fn take(&self) -> u64 {
        self.0.swap(0, Ordering::Relaxed)
    }
}

const W: u16 = 200;
const H: u16 = 50;

fn now() -> Timestamp {
    Timestamp::parse("2026-03-01T00:00:00Z").unwrap()
}

fn app_with(n: u64) -> App {
    let items: Vec<Incident> = (0..n).map(|i| synth::incident(i, 0)).collect();
    App::new(synth::loaded(items), AppConfig::default(), now())
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

/// Draws one frame through the real backend; returns (bytes written, cells changed).
fn frame(
    term: &mut Terminal<CrosstermBackend<Meter>>,
    meter: &Meter,
    app: &mut App,
    last: &mut Buffer,
) -> (u64, usize) {
    meter.take();
    draw_synchronized(term, |f| app.render(f)).expect("draw");
    let after = render_to_buffer(app);
    let diff = last.diff(&after);
    let changed = diff.len();
    // The floor for any diffing renderer: every changed symbol's bytes, plus one cursor
    // position (`ESC[row;colH`) per run of adjacent changed cells. Styles are not counted, so
    // the real minimum is higher and the ratio below is conservative.
    let mut floor = 0usize;
    let mut prev: Option<(u16, u16)> = None;
    for (x, y, cell) in &diff {
        floor += cell.symbol().len();
        if prev != Some((x.wrapping_sub(1), *y)) {
            floor += format!("\x1b[{};{}H", y + 1, x + 1).len();
        }
        prev = Some((*x, *y));
    }
    *last = after;
    FLOOR.store(floor as u64, Ordering::Relaxed);
    (meter.take(), changed)
}

static FLOOR: AtomicU64 = AtomicU64::new(0);

fn floor() -> u64 {
    FLOOR.load(Ordering::Relaxed)
}

fn render_to_buffer(app: &mut App) -> Buffer {
    let area = Rect::new(0, 0, W, H);
    let mut buf = Buffer::empty(area);
    app.render_buffer(area, &mut buf);
    buf
}

fn print_bytes(targets: &mut targets::Targets) {
    let mut app = app_with(synth::INCIDENTS);
    let meter = Meter::default();
    let backend = CrosstermBackend::new(meter.clone());
    let mut term = Terminal::with_options(
        backend,
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(Rect::new(0, 0, W, H)),
        },
    )
    .expect("terminal");
    println!("terminal bytes at {W}x{H}, {} incidents:", synth::INCIDENTS);
    let mut last = Buffer::empty(Rect::new(0, 0, W, H));
    let (b, c) = frame(&mut term, &meter, &mut app, &mut last);
    println!(
        "  first paint      {b:>7} B   cells changed {c:>5}   floor {:>6} B   ratio {:.2}",
        floor(),
        b as f64 / floor().max(1) as f64
    );
    app.take_dirty();
    app.handle_key(key(KeyCode::Char('j')));
    let (b, c) = frame(&mut term, &meter, &mut app, &mut last);
    println!(
        "  one `j` move     {b:>7} B   cells changed {c:>5}   floor {:>6} B   ratio {:.2}",
        floor(),
        b as f64 / floor().max(1) as f64
    );
    let j_ratio = b as f64 / floor().max(1) as f64;
    app.take_dirty();
    app.handle_key(key(KeyCode::PageDown));
    let (b, c) = frame(&mut term, &meter, &mut app, &mut last);
    println!(
        "  page down        {b:>7} B   cells changed {c:>5}   floor {:>6} B   ratio {:.2}",
        floor(),
        b as f64 / floor().max(1) as f64
    );
    app.take_dirty();
    // Idle: the loop draws only when dirty; nothing happened, so nothing is drawn.
    meter.take();
    let idle_dirty = app.tick(now());
    if idle_dirty {
        draw_synchronized(&mut term, |f| app.render(f)).expect("draw");
    }
    let idle = meter.take();
    println!(
        "  idle second      {idle:>7} B   (dirty after a tick with an unchanged clock: {idle_dirty})"
    );
    targets.at_most("bytes of one `j` move / floor", j_ratio, 1.5);
    targets.at_most("bytes in an idle second", idle, 0);
}

/// The median time of one queue frame at 200x50 with 100,000 incidents (target ≤ 1 ms).
fn check_frame_time(targets: &mut targets::Targets) {
    let mut big = app_with(synth::INCIDENTS);
    let area = Rect::new(0, 0, W, H);
    let mut buf = Buffer::empty(area);
    let median = targets::median_time(101, || {
        buf.reset();
        big.render_buffer(area, &mut buf);
        black_box(&buf);
    });
    targets.at_most(
        "queue frame at 200x50, 100,000 incidents (median)",
        median,
        Duration::from_millis(1),
    );
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("render");
    g.sample_size(30).measurement_time(Duration::from_secs(3));

    let mut big = app_with(synth::INCIDENTS);
    let area = Rect::new(0, 0, W, H);
    let mut buf = Buffer::empty(area);
    big.render_buffer(area, &mut buf);
    g.bench_function("queue_frame_200x50_100k", |b| {
        b.iter(|| {
            buf.reset();
            black_box(big.render_buffer(area, &mut buf));
        })
    });

    // One incident with 200 alerts.
    let mut inc = synth::incident(1, 0);
    inc.alerts = Some((0..200).map(|k| synth::alert(1, k, 60)).collect());
    let mut page = App::new(synth::loaded(vec![inc]), AppConfig::default(), now());
    page.open_incident_page("1");
    let mut buf2 = Buffer::empty(area);
    g.bench_function("incident_page_200_alerts", |b| {
        b.iter(|| {
            buf2.reset();
            black_box(page.render_buffer(area, &mut buf2));
        })
    });
    g.finish();

    // The same frame through TestBackend's full Terminal path (diff + flush) for reference.
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    let mut small = app_with(10_000);
    c.bench_function("terminal_draw_200x50_10k", |b| {
        b.iter(|| {
            small.mark_dirty();
            term.draw(|f| small.render(f)).expect("draw");
        })
    });
}

fn main() {
    let mut targets = targets::Targets::default();
    print_bytes(&mut targets);
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
    check_frame_time(&mut targets);
    targets.finish();
}
