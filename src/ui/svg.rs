//! Screenshots: a ratatui [`Buffer`] rendered as a standalone SVG (no browser needed).
//!
//! Deterministic output for README images produced by tests from synthetic data. Background
//! colours become one `<rect>` per run, text one `<text>` per run of equally styled cells.
//! Box-drawing and block characters are drawn as lines and rectangles that meet at the cell
//! edges, so borders have no gaps whatever the font's line height. Wide characters get their
//! own `<text>` at their cell, so a fallback font cannot shift the rest of the row.

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

use super::color::{ansi16_index, indexed_to_rgb};

/// Geometry and palette of a screenshot.
#[derive(Debug, Clone, PartialEq)]
pub struct SvgOptions {
    /// CSS font family list (monospace).
    pub font_family: String,
    /// Font size in px.
    pub font_size: f32,
    /// Cell width in px (0.6 em suits common monospace fonts).
    pub cell_width: f32,
    /// Cell height in px; also the line height.
    pub cell_height: f32,
    /// Colour for `Color::Reset` foreground.
    pub foreground: (u8, u8, u8),
    /// Colour for `Color::Reset` background.
    pub background: (u8, u8, u8),
    /// RGB for ANSI colours 0–15 as shown in the screenshot.
    pub palette: [(u8, u8, u8); 16],
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            font_family: "'DejaVu Sans Mono', 'Menlo', 'Consolas', 'Liberation Mono', monospace"
                .into(),
            font_size: 15.0,
            cell_width: 9.0,
            cell_height: 18.0,
            foreground: (0xd4, 0xd4, 0xd4),
            background: (0x1e, 0x1e, 0x1e),
            palette: [
                (0x00, 0x00, 0x00),
                (0xcd, 0x31, 0x31),
                (0x0d, 0xbc, 0x79),
                (0xe5, 0xe5, 0x10),
                (0x24, 0x72, 0xc8),
                (0xbc, 0x3f, 0xbc),
                (0x11, 0xa8, 0xcd),
                (0xe5, 0xe5, 0xe5),
                (0x66, 0x66, 0x66),
                (0xf1, 0x4c, 0x4c),
                (0x23, 0xd1, 0x8b),
                (0xf5, 0xf5, 0x43),
                (0x3b, 0x8e, 0xea),
                (0xd6, 0x70, 0xd6),
                (0x29, 0xb8, 0xdb),
                (0xff, 0xff, 0xff),
            ],
        }
    }
}

/// Renders `buf` as SVG with the default options; `title` becomes the `<title>`.
pub fn buffer_to_svg(buf: &Buffer, title: &str) -> String {
    buffer_to_svg_with(buf, title, &SvgOptions::default())
}

type Rgb = (u8, u8, u8);

fn hex((r, g, b): Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn rgb_of(c: Color, reset: Rgb, o: &SvgOptions) -> Rgb {
    match c {
        Color::Reset => reset,
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) if i < 16 => o.palette[i as usize],
        Color::Indexed(i) => indexed_to_rgb(i),
        named => ansi16_index(named).map_or(reset, |i| o.palette[i as usize]),
    }
}

/// Escapes text for XML content and attributes; characters XML cannot hold become U+FFFD.
fn xml_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Fully resolved look of one cell.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Look {
    fg: Rgb,
    bg: Rgb,
    bold: bool,
    italic: bool,
    dim: bool,
    underline: bool,
    strike: bool,
    hidden: bool,
}

fn look(cell: &ratatui::buffer::Cell, o: &SvgOptions) -> Look {
    let m = cell.modifier;
    let mut fg = rgb_of(cell.fg, o.foreground, o);
    let mut bg = rgb_of(cell.bg, o.background, o);
    if m.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    Look {
        fg,
        bg,
        bold: m.contains(Modifier::BOLD),
        italic: m.contains(Modifier::ITALIC),
        dim: m.contains(Modifier::DIM),
        underline: m.contains(Modifier::UNDERLINED),
        strike: m.contains(Modifier::CROSSED_OUT),
        hidden: m.contains(Modifier::HIDDEN),
    }
}

/// Arms of a box-drawing character: (up, right, down, left), 0 none, 1 light, 2 heavy,
/// 3 double; `round` for the rounded corners.
fn box_arms(c: char) -> Option<([u8; 4], bool)> {
    let a = |u, r, d, l| Some(([u, r, d, l], false));
    match c {
        '─' | '┄' | '┈' | '╌' => a(0, 1, 0, 1),
        '━' | '┅' | '┉' | '╍' => a(0, 2, 0, 2),
        '│' | '┆' | '┊' | '╎' => a(1, 0, 1, 0),
        '┃' | '┇' | '┋' | '╏' => a(2, 0, 2, 0),
        '┌' => a(0, 1, 1, 0),
        '┐' => a(0, 0, 1, 1),
        '└' => a(1, 1, 0, 0),
        '┘' => a(1, 0, 0, 1),
        '├' => a(1, 1, 1, 0),
        '┤' => a(1, 0, 1, 1),
        '┬' => a(0, 1, 1, 1),
        '┴' => a(1, 1, 0, 1),
        '┼' => a(1, 1, 1, 1),
        '┏' => a(0, 2, 2, 0),
        '┓' => a(0, 0, 2, 2),
        '┗' => a(2, 2, 0, 0),
        '┛' => a(2, 0, 0, 2),
        '┣' => a(2, 2, 2, 0),
        '┫' => a(2, 0, 2, 2),
        '┳' => a(0, 2, 2, 2),
        '┻' => a(2, 2, 0, 2),
        '╋' => a(2, 2, 2, 2),
        '═' => a(0, 3, 0, 3),
        '║' => a(3, 0, 3, 0),
        '╔' => a(0, 3, 3, 0),
        '╗' => a(0, 0, 3, 3),
        '╚' => a(3, 3, 0, 0),
        '╝' => a(3, 0, 0, 3),
        '╠' => a(3, 3, 3, 0),
        '╣' => a(3, 0, 3, 3),
        '╦' => a(0, 3, 3, 3),
        '╩' => a(3, 3, 0, 3),
        '╬' => a(3, 3, 3, 3),
        '╴' => a(0, 0, 0, 1),
        '╵' => a(1, 0, 0, 0),
        '╶' => a(0, 1, 0, 0),
        '╷' => a(0, 0, 1, 0),
        '╭' => Some(([0, 1, 1, 0], true)),
        '╮' => Some(([0, 0, 1, 1], true)),
        '╯' => Some(([1, 0, 0, 1], true)),
        '╰' => Some(([1, 1, 0, 0], true)),
        _ => None,
    }
}

/// Block elements as (x0, y0, x1, y1) fractions of the cell and an opacity.
fn block_rect(c: char) -> Option<(f32, f32, f32, f32, f32)> {
    Some(match c {
        '█' => (0.0, 0.0, 1.0, 1.0, 1.0),
        '▀' => (0.0, 0.0, 1.0, 0.5, 1.0),
        '▄' => (0.0, 0.5, 1.0, 1.0, 1.0),
        '▌' => (0.0, 0.0, 0.5, 1.0, 1.0),
        '▐' => (0.5, 0.0, 1.0, 1.0, 1.0),
        '░' => (0.0, 0.0, 1.0, 1.0, 0.25),
        '▒' => (0.0, 0.0, 1.0, 1.0, 0.5),
        '▓' => (0.0, 0.0, 1.0, 1.0, 0.75),
        '▁' => (0.0, 0.875, 1.0, 1.0, 1.0),
        '▂' => (0.0, 0.75, 1.0, 1.0, 1.0),
        '▃' => (0.0, 0.625, 1.0, 1.0, 1.0),
        '▅' => (0.0, 0.375, 1.0, 1.0, 1.0),
        '▆' => (0.0, 0.25, 1.0, 1.0, 1.0),
        '▇' => (0.0, 0.125, 1.0, 1.0, 1.0),
        _ => return None,
    })
}

/// Draws a box character into `out` as lines from the cell centre to its edges.
fn draw_box(out: &mut String, arms: [u8; 4], round: bool, x: f32, y: f32, o: &SvgOptions, fg: Rgb) {
    let (w, h) = (o.cell_width, o.cell_height);
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let color = hex(fg);
    if round {
        // Quarter arc joining the two arms.
        let r = w.min(h) / 2.0;
        let (hx, hdir) = if arms[1] > 0 { (x + w, 1.0) } else { (x, -1.0) };
        let (vy, vdir) = if arms[2] > 0 { (y + h, 1.0) } else { (y, -1.0) };
        let _ = writeln!(
            out,
            r#"<path d="M{hx:.2} {cy:.2}L{:.2} {cy:.2}Q{cx:.2} {cy:.2} {cx:.2} {:.2}L{cx:.2} {vy:.2}" fill="none" stroke="{color}" stroke-width="1"/>"#,
            cx + hdir * r,
            cy + vdir * r,
        );
        return;
    }
    if let [0, k, 0, l] = arms
        && k == l
    {
        hline(out, x, x + w, cy, k, &color);
        return;
    }
    if let [k, 0, l, 0] = arms
        && k == l
    {
        vline(out, cx, y, y + h, k, &color);
        return;
    }
    // Ends of each arm: up, right, down, left.
    let ends = [(cx, y), (x + w, cy), (cx, y + h), (x, cy)];
    for (i, &weight) in arms.iter().enumerate() {
        if weight == 0 {
            continue;
        }
        let (ex, ey) = ends[i];
        let vertical = i % 2 == 0;
        let offsets: &[f32] = if weight == 3 { &[-1.5, 1.5] } else { &[0.0] };
        let width = if weight == 2 { 2.5 } else { 1.0 };
        for &d in offsets {
            // Extend through the centre by the double-line offset so corners close.
            let (x1, y1, x2, y2) = if vertical {
                let sy = if ey < cy { cy + 1.5 } else { cy - 1.5 };
                (cx + d, if weight == 3 { sy } else { cy }, ex + d, ey)
            } else {
                let sx = if ex < cx { cx + 1.5 } else { cx - 1.5 };
                (if weight == 3 { sx } else { cx }, cy + d, ex, ey + d)
            };
            let _ = writeln!(
                out,
                r#"<line x1="{x1:.2}" y1="{y1:.2}" x2="{x2:.2}" y2="{y2:.2}" stroke="{color}" stroke-width="{width}" stroke-linecap="square"/>"#
            );
        }
    }
}

fn weight_style(weight: u8) -> (&'static [f32], f32) {
    match weight {
        3 => (&[-1.5, 1.5], 1.0),
        2 => (&[0.0], 2.5),
        _ => (&[0.0], 1.0),
    }
}

/// A full-width horizontal line (light, heavy or double).
fn hline(out: &mut String, x1: f32, x2: f32, y: f32, weight: u8, color: &str) {
    let (offsets, width) = weight_style(weight);
    for d in offsets {
        let yy = y + d;
        let _ = writeln!(
            out,
            r#"<line x1="{x1:.2}" y1="{yy:.2}" x2="{x2:.2}" y2="{yy:.2}" stroke="{color}" stroke-width="{width}"/>"#
        );
    }
}

/// A full-height vertical line (light, heavy or double).
fn vline(out: &mut String, x: f32, y1: f32, y2: f32, weight: u8, color: &str) {
    let (offsets, width) = weight_style(weight);
    for d in offsets {
        let xx = x + d;
        let _ = writeln!(
            out,
            r#"<line x1="{xx:.2}" y1="{y1:.2}" x2="{xx:.2}" y2="{y2:.2}" stroke="{color}" stroke-width="{width}"/>"#
        );
    }
}

/// A horizontal line being extended across cells: start x, end x, weight, colour.
type PendingLine = Option<(f32, f32, u8, Rgb)>;

fn flush_hline(out: &mut String, pending: &mut PendingLine, y: f32, o: &SvgOptions) {
    if let Some((x1, x2, weight, fg)) = pending.take() {
        hline(out, x1, x2, y + o.cell_height / 2.0, weight, &hex(fg));
    }
}

/// Renders `buf` as SVG with the given options.
pub fn buffer_to_svg_with(buf: &Buffer, title: &str, o: &SvgOptions) -> String {
    let area = buf.area;
    let (cw, ch) = (o.cell_width, o.cell_height);
    let (width, height) = (f32::from(area.width) * cw, f32::from(area.height) * ch);
    let mut svg = String::new();
    let mut font = String::new();
    xml_escape(&o.font_family, &mut font);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.2} {height:.2}" font-family="{font}" font-size="{}">"#,
        o.font_size
    );
    svg.push_str("<title>");
    xml_escape(title, &mut svg);
    svg.push_str("</title>\n");
    let _ = writeln!(
        svg,
        r#"<rect x="0" y="0" width="{width:.2}" height="{height:.2}" fill="{}"/>"#,
        hex(o.background)
    );

    let mut rects = String::new();
    let mut shapes = String::new();
    let mut texts = String::new();
    let baseline = ch * 0.5 + o.font_size * 0.36;

    for row in 0..area.height {
        let y = f32::from(row) * ch;
        let yy = area.y + row;
        // Background runs.
        let mut col = 0;
        while col < area.width {
            let bg = look(&buf[(area.x + col, yy)], o).bg;
            let start = col;
            while col < area.width && look(&buf[(area.x + col, yy)], o).bg == bg {
                col += 1;
            }
            if bg != o.background {
                let _ = writeln!(
                    rects,
                    r#"<rect x="{:.2}" y="{y:.2}" width="{:.2}" height="{ch:.2}" fill="{}"/>"#,
                    f32::from(start) * cw,
                    f32::from(col - start) * cw,
                    hex(bg)
                );
            }
        }
        // Text runs, box drawing and blocks.
        let mut run: Option<(u16, Look, String)> = None;
        let mut pending: PendingLine = None;
        let mut col = 0;
        while col < area.width {
            let cell = &buf[(area.x + col, yy)];
            let l = look(cell, o);
            let sym = cell.symbol();
            let x = f32::from(col) * cw;
            let w = UnicodeWidthStr::width(sym).max(1) as u16;
            let single = sym.chars().count() == 1;
            let c = sym.chars().next().unwrap_or(' ');
            let special = single && !l.hidden && (box_arms(c).is_some() || block_rect(c).is_some());
            let simple = w == 1 && single && !special;
            let continues = matches!(&run, Some((_, rl, _)) if *rl == l);
            if !(simple && continues) {
                flush_run(&mut texts, run.take(), y + baseline, o);
            }
            let straight = match box_arms(c) {
                Some(([0, k, 0, l], false)) if special && k == l => Some(k),
                _ => None,
            };
            match (straight, &mut pending) {
                (Some(k), Some((_, x2, pk, pfg))) if *pk == k && *pfg == l.fg && *x2 == x => {
                    *x2 = x + cw;
                }
                (Some(k), _) => {
                    flush_hline(&mut shapes, &mut pending, y, o);
                    pending = Some((x, x + cw, k, l.fg));
                }
                (None, _) => flush_hline(&mut shapes, &mut pending, y, o),
            }
            if straight.is_some() {
                // Drawn when the pending line ends.
            } else if special {
                if let Some((arms, round)) = box_arms(c) {
                    draw_box(&mut shapes, arms, round, x, y, o, l.fg);
                } else if let Some((x0, y0, x1, y1, op)) = block_rect(c) {
                    let _ = writeln!(
                        shapes,
                        r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="{}" fill-opacity="{op}"/>"#,
                        x + x0 * cw,
                        y + y0 * ch,
                        (x1 - x0) * cw,
                        (y1 - y0) * ch,
                        hex(l.fg)
                    );
                }
            } else if simple {
                match &mut run {
                    Some((_, _, text)) => text.push_str(sym),
                    None => run = Some((col, l, sym.to_string())),
                }
            } else {
                // Wide or multi-codepoint cluster: its own element at its cell.
                flush_run(&mut texts, Some((col, l, sym.to_string())), y + baseline, o);
            }
            col += if special || simple { 1 } else { w };
        }
        flush_run(&mut texts, run.take(), y + baseline, o);
        flush_hline(&mut shapes, &mut pending, y, o);
    }

    svg.push_str(&rects);
    svg.push_str(&shapes);
    svg.push_str(&texts);
    svg.push_str("</svg>\n");
    svg
}

/// Emits one `<text>` for a run (leading and trailing blanks are skipped).
fn flush_run(out: &mut String, run: Option<(u16, Look, String)>, baseline: f32, o: &SvgOptions) {
    let Some((col, l, text)) = run else { return };
    if l.hidden {
        return;
    }
    let trimmed_start = text.trim_start_matches(' ');
    let lead = text.len() - trimmed_start.len();
    let body = trimmed_start.trim_end_matches(' ');
    if body.is_empty() {
        return;
    }
    let x = (f32::from(col) + lead as f32) * o.cell_width;
    let cells = UnicodeWidthStr::width(body).max(1) as f32;
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{baseline:.2}" fill="{}" xml:space="preserve""#,
        hex(l.fg)
    );
    if body.chars().count() > 1 && body.is_ascii() {
        let _ = write!(
            out,
            r#" textLength="{:.2}" lengthAdjust="spacing""#,
            cells * o.cell_width
        );
    }
    if l.bold {
        out.push_str(r#" font-weight="bold""#);
    }
    if l.italic {
        out.push_str(r#" font-style="italic""#);
    }
    if l.dim {
        out.push_str(r#" fill-opacity="0.6""#);
    }
    match (l.underline, l.strike) {
        (true, true) => out.push_str(r#" text-decoration="underline line-through""#),
        (true, false) => out.push_str(r#" text-decoration="underline""#),
        (false, true) => out.push_str(r#" text-decoration="line-through""#),
        (false, false) => {}
    }
    out.push('>');
    xml_escape(body, out);
    out.push_str("</text>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;
    use ratatui::widgets::{Block, Borders, Widget};

    /// Minimal well-formedness check: balanced tags, quoted attributes, no raw `<` or stray
    /// `&` in text.
    fn check_xml(s: &str) -> Result<usize, String> {
        let mut stack: Vec<String> = Vec::new();
        let mut elements = 0;
        let mut rest = s;
        while let Some(i) = rest.find(['<', '&']) {
            let (text, tail) = rest.split_at(i);
            if text.contains('>') {
                return Err(format!("raw > in text {text:?}"));
            }
            if tail.starts_with('&') {
                let end = tail.find(';').ok_or("unterminated entity")?;
                let ent = &tail[1..end];
                if !["amp", "lt", "gt", "quot", "apos"].contains(&ent) {
                    return Err(format!("bad entity {ent}"));
                }
                rest = &tail[end + 1..];
                continue;
            }
            let end = tail.find('>').ok_or("unterminated tag")?;
            let tag = &tail[1..end];
            if tag.contains('<') {
                return Err(format!("raw < inside tag {tag:?}"));
            }
            if tag.matches('"').count() % 2 != 0 {
                return Err(format!("unbalanced quotes in {tag:?}"));
            }
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or("close without open")?;
                if open != name {
                    return Err(format!("</{name}> closes <{open}>"));
                }
            } else if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().unwrap_or("").to_string();
                stack.push(name);
                elements += 1;
            } else {
                elements += 1;
            }
            rest = &tail[end + 1..];
        }
        if stack.is_empty() {
            Ok(elements)
        } else {
            Err(format!("unclosed {stack:?}"))
        }
    }

    fn small_buffer() -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 4));
        Block::default()
            .borders(Borders::ALL)
            .title("<&\"'>")
            .render(buf.area, &mut buf);
        buf.set_string(1, 1, "a<b&c", Style::new().fg(Color::Red));
        buf.set_string(
            1,
            2,
            "sel",
            Style::new().fg(Color::Indexed(15)).bg(Color::Indexed(24)),
        );
        buf.set_string(
            6,
            2,
            "rev",
            Style::new()
                .fg(Color::Rgb(1, 2, 3))
                .add_modifier(Modifier::REVERSED | Modifier::BOLD),
        );
        buf.set_string(11, 1, "한국", Style::new());
        buf
    }

    #[test]
    fn well_formed_and_escaped() {
        let svg = buffer_to_svg(&small_buffer(), "Title <x> & \"y\"");
        check_xml(&svg).unwrap();
        assert!(svg.contains("<title>Title &lt;x&gt; &amp; &quot;y&quot;</title>"));
        assert!(svg.contains(">a&lt;b&amp;c</text>"), "{svg}");
        assert!(svg.contains("&lt;&amp;&quot;&apos;&gt;"));
    }

    #[test]
    fn colours_and_reverse() {
        let o = SvgOptions::default();
        let svg = buffer_to_svg(&small_buffer(), "t");
        // Red text uses the palette's red.
        assert!(svg.contains(&format!(
            r#"fill="{}" xml:space="preserve""#,
            hex(o.palette[1])
        )));
        // Indexed 24 background rect (#005f87) spans exactly the three "sel" cells.
        assert!(
            svg.contains(
                r##"<rect x="9.00" y="36.00" width="27.00" height="18.00" fill="#005f87"/>"##
            ),
            "{svg}"
        );
        // REVERSED: background is the RGB fg, text is the default background; bold kept.
        assert!(
            svg.contains(
                r##"<rect x="54.00" y="36.00" width="27.00" height="18.00" fill="#010203"/>"##
            ),
            "{svg}"
        );
        assert!(svg.contains(r##"fill="#1e1e1e" xml:space="preserve" textLength="27.00" lengthAdjust="spacing" font-weight="bold">rev<"##), "{svg}");
    }

    #[test]
    fn borders_are_lines_not_text() {
        let svg = buffer_to_svg(&small_buffer(), "t");
        assert!(!svg.contains('┌') && !svg.contains('─') && !svg.contains('│'));
        // Top-left corner: a line from the cell centre to the right edge.
        assert!(
            svg.contains(r#"<line x1="4.50" y1="9.00" x2="9.00" y2="9.00""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<line x1="4.50" y1="9.00" x2="4.50" y2="18.00""#),
            "{svg}"
        );
        // Vertical sides span each cell from top to bottom edge: no gaps.
        assert!(
            svg.contains(r#"<line x1="4.50" y1="18.00" x2="4.50" y2="36.00""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<line x1="4.50" y1="36.00" x2="4.50" y2="54.00""#),
            "{svg}"
        );
        // The bottom edge between the corners is one merged line (cells 1..19).
        assert!(
            svg.contains(r#"<line x1="9.00" y1="63.00" x2="171.00" y2="63.00""#),
            "{svg}"
        );
    }

    #[test]
    fn wide_characters_get_their_own_cell() {
        let svg = buffer_to_svg(&small_buffer(), "t");
        assert!(svg.contains(r#"<text x="99.00" y="32.40""#), "{svg}");
        assert!(svg.contains(">한</text>") && svg.contains(">국</text>"));
        assert!(svg.contains(r#"<text x="117.00" y="32.40""#), "{svg}");
    }

    #[test]
    fn control_symbols_cannot_break_xml() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        buf[(0, 0)].set_symbol("\x1b");
        buf[(1, 0)].set_symbol("<");
        let svg = buffer_to_svg(&buf, "\u{7}");
        check_xml(&svg).unwrap();
        assert!(!svg.contains('\x1b') && !svg.contains('\u{7}'));
    }

    #[test]
    fn checker_rejects_bad_xml() {
        assert!(check_xml("<a><b></a></b>").is_err());
        assert!(check_xml("<a>x < y</a>").is_err());
        assert!(check_xml("<a>&bogus;</a>").is_err());
        assert!(check_xml("<a>").is_err());
    }
}
