//! Input bursts become one frame: the event loop handles every event already waiting before it
//! draws (a paste without bracketed paste arrives as one key event per character), and it draws
//! at most once per [`FRAME`] while events keep arriving.

use super::app::App;
use super::term;
use futures::{FutureExt, Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::io::{self, Write};
use std::time::Duration;
use tokio::time::Instant;

/// Minimum spacing between frames.
pub const FRAME: Duration = Duration::from_millis(16);

/// Most events taken in one turn, so updates and signals are still looked at during a flood.
pub const MAX_BATCH: usize = 4096;

/// The events one turn of the loop handles.
#[derive(Debug)]
pub struct Batch<T> {
    /// Events in arrival order.
    pub events: Vec<T>,
    /// The stream ended after these events (the terminal went away).
    pub ended: bool,
}

/// `first` (just received) and every event the stream can give without waiting, up to
/// [`MAX_BATCH`].
pub fn ready_batch<S>(first: Option<S::Item>, events: &mut S) -> Batch<S::Item>
where
    S: Stream + Unpin,
{
    let mut batch = Batch {
        events: Vec::new(),
        ended: false,
    };
    let mut next = first;
    loop {
        match next {
            Some(event) => batch.events.push(event),
            None => {
                batch.ended = true;
                break;
            }
        }
        if batch.events.len() >= MAX_BATCH {
            break;
        }
        match events.next().now_or_never() {
            Some(item) => next = item,
            None => break,
        }
    }
    batch
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
    use futures::stream;
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{TerminalOptions, Viewport};

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
            let batch = ready_batch(first, &mut events);
            assert!(!batch.ended);
            for ev in batch.events {
                if let Ok(Event::Key(k)) = ev {
                    app.handle_key(k);
                    handled += 1;
                }
            }
        }
        assert_eq!(handled, n, "every key is handled");
        assert!(!app.is_dirty(), "the last state was drawn");
        // The first paint, then one frame for the whole burst.
        assert!(draws <= 2, "{draws} frames for {n} queued keys");
    }

    #[test]
    fn a_batch_stops_at_the_end_of_the_stream_and_at_its_limit() {
        let mut ended = stream::iter(vec![key('a'), key('b')]);
        let b = ready_batch(Some(key('x')), &mut ended);
        assert_eq!((b.events.len(), b.ended), (3, true));

        let mut flood = stream::iter((0..MAX_BATCH * 2).map(|_| key('j')));
        let b = ready_batch(Some(key('j')), &mut flood);
        assert_eq!((b.events.len(), b.ended), (MAX_BATCH, false));

        let mut empty = stream::pending::<io::Result<Event>>();
        let b = ready_batch(None, &mut empty);
        assert!(b.events.is_empty() && b.ended);
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
