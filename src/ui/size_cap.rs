//! A backend wrapper that caps the size ratatui sees, so a huge window (an SSH client may
//! announce 9999x9999) costs the memory of [`MAX_COLS`] x [`MAX_ROWS`] cells at most: ratatui
//! keeps two buffers of the whole area, about 190 bytes per cell with the rendering around
//! them. Beyond the cap only the top-left area is drawn; the rest of the window stays blank.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// Widest area drawn, in columns.
pub const MAX_COLS: u16 = 1000;
/// Tallest area drawn, in rows.
pub const MAX_ROWS: u16 = 500;

/// The area drawn for a window of `size`: the window itself, capped per dimension.
pub fn capped(size: Size) -> Size {
    Size {
        width: size.width.min(MAX_COLS),
        height: size.height.min(MAX_ROWS),
    }
}

/// Wraps a [`Backend`] and reports its size capped by [`capped`]; everything else is passed on.
#[derive(Debug)]
pub struct SizeCap<B> {
    inner: B,
}

impl<B> SizeCap<B> {
    /// Wraps `inner`.
    pub fn new(inner: B) -> Self {
        SizeCap { inner }
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &B {
        &self.inner
    }

    /// The wrapped backend, mutably.
    pub fn inner_mut(&mut self) -> &mut B {
        &mut self.inner
    }
}

impl<B: Backend> Backend for SizeCap<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size().map(capped)
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        let mut w = self.inner.window_size()?;
        let full = w.columns_rows;
        w.columns_rows = capped(full);
        // Keep the pixel size consistent with the cells reported.
        if full.width > 0 {
            w.pixels.width = (u32::from(w.pixels.width) * u32::from(w.columns_rows.width)
                / u32::from(full.width)) as u16;
        }
        if full.height > 0 {
            w.pixels.height = (u32::from(w.pixels.height) * u32::from(w.columns_rows.height)
                / u32::from(full.height)) as u16;
        }
        Ok(w)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Backend::flush(&mut self.inner)
    }
}

impl<B: Write> Write for SizeCap<B> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;

    #[test]
    fn sizes_within_the_cap_pass_and_larger_ones_are_capped_per_dimension() {
        let s = |width, height| Size { width, height };
        assert_eq!(capped(s(80, 24)), s(80, 24));
        assert_eq!(capped(s(MAX_COLS, MAX_ROWS)), s(MAX_COLS, MAX_ROWS));
        assert_eq!(capped(s(3000, 3000)), s(MAX_COLS, MAX_ROWS));
        assert_eq!(capped(s(9999, 9999)), s(MAX_COLS, MAX_ROWS));
        assert_eq!(capped(s(200, 9999)), s(200, MAX_ROWS));
        assert_eq!(capped(s(9999, 50)), s(MAX_COLS, 50));
        assert_eq!(capped(s(0, 0)), s(0, 0));
    }

    #[test]
    fn a_terminal_on_a_larger_backend_draws_only_the_capped_area() {
        let mut t = Terminal::new(SizeCap::new(TestBackend::new(1200, 600))).unwrap();
        let frame = t
            .draw(|f| f.render_widget(Paragraph::new("x"), f.area()))
            .unwrap();
        assert_eq!(frame.area.as_size(), Size::new(MAX_COLS, MAX_ROWS));
        assert_eq!(
            t.current_buffer_mut().area.as_size(),
            Size::new(MAX_COLS, MAX_ROWS)
        );
        let ws = t.backend_mut().window_size().unwrap();
        assert_eq!(ws.columns_rows, Size::new(MAX_COLS, MAX_ROWS));
    }
}
