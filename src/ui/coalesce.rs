//! Input bursts become one frame: the event loop handles every event already waiting before it
//! draws (a paste without bracketed paste arrives as one key event per character), and it draws
//! at most once per [`FRAME`] while events keep arriving (a turn that has handled input for a
//! whole frame interval draws before it goes on).

use super::app::App;
use super::term;
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::time::Duration;
use tokio::time::Instant;

/// Minimum spacing between frames.
pub const FRAME: Duration = Duration::from_millis(16);

/// Most events handled in one turn, so updates and signals are still looked at during a flood.
pub const MAX_BATCH: usize = 4096;

/// What one turn of input handling did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drained {
    /// Events handed to the handler.
    pub handled: usize,
    /// The stream ended (the terminal went away).
    pub ended: bool,
}

/// Hands `first` (just received) and then every event the stream can give without waiting to
/// `handle`, in order, until the stream has nothing ready, `handle` breaks (a quit, or the
/// turn's time is up: the rest stays queued for the next turn, after a frame) or
/// [`MAX_BATCH`] events were handled.
///
/// The stream is polled with this task's own waker: a stream that is not ready keeps that
/// waker (crossterm's event stream wakes it from its reader thread when the next key comes),
/// so the loop wakes for the next key at once, not at its next timer.
pub async fn drain_ready<S, F>(first: Option<S::Item>, events: &mut S, mut handle: F) -> Drained
where
    S: Stream + Unpin,
    F: FnMut(S::Item) -> ControlFlow<()>,
{
    let mut drained = Drained::default();
    let mut next = first;
    loop {
        let Some(event) = next else {
            drained.ended = true;
            break;
        };
        drained.handled += 1;
        if handle(event).is_break() || drained.handled >= MAX_BATCH {
            break;
        }
        match futures::future::poll_immediate(events.next()).await {
            Some(item) => next = item,
            None => break,
        }
    }
    drained
}

/// Paces frames: draws only when the app is dirty and the last frame is at least [`FRAME`] old.
#[derive(Debug, Default)]
pub struct Frames {
    last_draw: Option<Instant>,
    clear_next: bool,
}

impl Frames {
    /// The next frame clears the screen first (a full repaint).
    pub fn clear_next(&mut self) {
        self.clear_next = true;
    }

    /// When the next frame may be drawn, if the app has something to draw.
    pub fn next_due(&self, dirty: bool, now: Instant) -> Option<Instant> {
        dirty.then(|| self.last_draw.map_or(now, |t| t + FRAME))
    }

    /// Draws one frame of `app` if it is dirty and due at `now`; true when it drew.
    pub fn draw_if_due<B>(
        &mut self,
        now: Instant,
        app: &mut App,
        t: &mut Terminal<B>,
    ) -> io::Result<bool>
    where
        B: Backend<Error = io::Error> + Write,
    {
        match self.next_due(app.is_dirty(), now) {
            Some(due) if now >= due => {}
            _ => return Ok(false),
        }
        app.take_dirty();
        if std::mem::take(&mut self.clear_next) {
            term::repaint_all(t)?;
        }
        term::draw_synchronized(t, |f| app.render(f))?;
        self.last_draw = Some(now);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::app::AppConfig;
    use crate::ui::fixture;
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use futures::executor::block_on;
    use futures::{FutureExt, stream};
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{TerminalOptions, Viewport};
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    fn app() -> App {
        App::new(fixture::store(false), AppConfig::default(), fixture::now())
    }

    fn terminal() -> Terminal<CrosstermBackend<Vec<u8>>> {
        let viewport = Viewport::Fixed(Rect::new(0, 0, 80, 24));
        Terminal::with_options(
            CrosstermBackend::new(Vec::new()),
            TerminalOptions { viewport },
        )
        .unwrap()
    }

    fn key(c: char) -> io::Result<Event> {
        Ok(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )))
    }

    /// N keys already queued (a paste without bracketed paste) on a clock where every turn of
    /// the loop takes a whole frame interval (a slow host): drawn once for the burst, not once
    /// per key.
    #[test]
    fn a_burst_of_queued_keys_costs_one_frame_not_one_per_key() {
        let n = 600;
        let mut app = app();
        let mut t = terminal();
        let keys = (0..n).map(|i| key(if i % 2 == 0 { 'j' } else { 'k' }));
        let mut events = stream::iter(keys).chain(stream::pending());
        let mut frames = Frames::default();
        let start = Instant::now();
        app.mark_dirty();
        let (mut draws, mut handled) = (0, 0);
        for turn in 0..=n {
            let now = start + FRAME * turn;
            if frames.draw_if_due(now, &mut app, &mut t).unwrap() {
                draws += 1;
            }
            let Some(first) = events.next().now_or_never() else {
                break;
            };
            let drained = block_on(drain_ready(first, &mut events, |ev| {
                if let Ok(Event::Key(k)) = ev {
                    app.handle_key(k);
                    handled += 1;
                }
                ControlFlow::Continue(())
            }));
            assert!(!drained.ended);
        }
        assert_eq!(handled, n, "every key is handled");
        assert!(!app.is_dirty(), "the last state was drawn");
        // The first paint, then one frame for the whole burst.
        assert!(draws <= 2, "{draws} frames for {n} queued keys");
    }

    #[test]
    fn draining_stops_at_a_break_the_end_of_the_stream_and_the_batch_limit() {
        // A break (quit, or the turn's time is up) leaves the rest queued, in order.
        let mut queued = stream::iter(vec![key('b'), key('c'), key('d')]);
        let mut seen = Vec::new();
        let d = block_on(drain_ready(Some(key('a')), &mut queued, |ev| {
            if let Ok(Event::Key(k)) = ev {
                seen.push(k.code);
            }
            if seen.len() == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }));
        assert_eq!(
            d,
            Drained {
                handled: 2,
                ended: false
            }
        );
        assert_eq!(seen, vec![KeyCode::Char('a'), KeyCode::Char('b')]);
        let rest: Vec<_> = futures::executor::block_on(queued.collect::<Vec<_>>());
        assert_eq!(rest.len(), 2);

        let mut ended = stream::iter(vec![key('a'), key('b')]);
        let d = block_on(drain_ready(Some(key('x')), &mut ended, |_| {
            ControlFlow::Continue(())
        }));
        assert_eq!(
            d,
            Drained {
                handled: 3,
                ended: true
            }
        );

        let mut flood = stream::iter((0..MAX_BATCH * 2).map(|_| key('j')));
        let d = block_on(drain_ready(Some(key('j')), &mut flood, |_| {
            ControlFlow::Continue(())
        }));
        assert_eq!(
            d,
            Drained {
                handled: MAX_BATCH,
                ended: false
            }
        );

        let mut empty = stream::pending::<io::Result<Event>>();
        let d = block_on(drain_ready(None, &mut empty, |_| ControlFlow::Continue(())));
        assert_eq!(
            d,
            Drained {
                handled: 0,
                ended: true
            }
        );
    }

    /// A stream with nothing ready, like the terminal between keys: it keeps the waker it was
    /// polled with and will wake that one when a key comes.
    #[derive(Default)]
    struct Quiet {
        waker: Option<Waker>,
    }

    impl Stream for Quiet {
        type Item = io::Result<Event>;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    /// After the burst, the stream holds the loop task's own waker, so the next key wakes the
    /// loop at once (a no-op waker there left every key waiting for the 1 s timer).
    #[test]
    fn the_next_key_wakes_the_loop_not_a_no_op_waker() {
        let mut quiet = Quiet::default();
        block_on(async {
            let mine = futures::future::poll_fn(|cx| Poll::Ready(cx.waker().clone())).await;
            let d = drain_ready(Some(key('j')), &mut quiet, |_| ControlFlow::Continue(())).await;
            assert_eq!(d.handled, 1);
            let kept = quiet.waker.as_ref().expect("the stream was polled");
            assert!(
                kept.will_wake(&mine),
                "the stream must keep this task's waker"
            );
        });
    }

    #[test]
    fn frames_are_at_least_a_frame_interval_apart() {
        let mut app = app();
        let mut t = terminal();
        let mut frames = Frames::default();
        let start = Instant::now();
        app.mark_dirty();
        assert!(frames.draw_if_due(start, &mut app, &mut t).unwrap());
        app.mark_dirty();
        let almost = start + FRAME - Duration::from_millis(1);
        assert!(!frames.draw_if_due(almost, &mut app, &mut t).unwrap());
        assert_eq!(frames.next_due(true, almost), Some(start + FRAME));
        assert!(frames.draw_if_due(start + FRAME, &mut app, &mut t).unwrap());
        // Nothing to draw: no frame and no deadline.
        assert!(
            !frames
                .draw_if_due(start + FRAME * 9, &mut app, &mut t)
                .unwrap()
        );
        assert_eq!(frames.next_due(app.is_dirty(), start), None);
    }
}
