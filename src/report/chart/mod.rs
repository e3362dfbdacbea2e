//! Charts for the briefing, one file per figure type (as criterion's plots):
//! [`probability`] of each target, a [`fan`] chart per target metric, when a
//! target is [`reached`], and [`regions`] for targets set for every tagged
//! region. Each figure draws on any plotters backend and is rendered twice,
//! to SVG and to PNG, in memory: files are written whole by the caller.

pub mod calibration;
pub mod compare;
pub mod exceedance;
pub mod fan;
pub mod probability;
pub mod reached;
pub mod regions;
pub mod sweep;
pub mod tornado;

use std::path::PathBuf;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::font::FAMILY;
use super::results::Results;

/// A rendered chart.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// File stem, e.g. `probability` or `fan-talent-total`.
    pub name: String,
    /// What it shows, for the HTML briefing.
    pub title: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// A figure that can draw itself on any backend.
pub trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Turns any drawing error into text.
pub(crate) fn fail<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// How charts are drawn: the font, and the PNG's scale (2 for slides and
/// high-density screens: a 1000×600 chart becomes 2000×1200 pixels).
#[derive(Debug, Clone)]
pub struct Look {
    pub font: Option<PathBuf>,
    pub scale: f32,
}

impl Default for Look {
    fn default() -> Self {
        Look {
            font: None,
            scale: 1.0,
        }
    }
}

impl Look {
    /// The smallest and largest PNG scale: below ½ text is unreadable, above
    /// 4 a chart passes 100 MB of pixels.
    pub const SCALES: std::ops::RangeInclusive<f32> = 0.5..=4.0;

    /// Registers the font; call before drawing, so a bad font fails first.
    pub fn prepare(&self) -> Result<(), String> {
        super::font::register(self.font.as_deref())
    }
}

/// Renders a figure: drawn once as SVG, then rasterised from that SVG by
/// resvg, whose text is shaped with the chart font (rustybuzz), so the PNG
/// sets Chinese text as a browser sets the SVG — even advances, brackets in
/// their cells, one baseline — at `scale` times the figure's size.
pub fn render(
    name: String,
    title: String,
    fig: &impl Figure,
    scale: f32,
) -> Result<Rendered, String> {
    // The bundled font, unless the caller registered another first.
    super::font::register(None)?;
    let (w, h) = fig.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        fig.draw(&root)?;
        root.present().map_err(fail)?;
    }
    let png = rasterise(&svg, scale)?;
    Ok(Rendered {
        name,
        title,
        svg,
        png,
    })
}

/// A PNG of an SVG at `scale`, on white, with the chart font.
pub fn rasterise(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    if !Look::SCALES.contains(&scale) {
        return Err(format!(
            "a chart scale of {scale} is outside {}–{}",
            Look::SCALES.start(),
            Look::SCALES.end()
        ));
    }
    let options = usvg::Options {
        fontdb: super::font::chart_database()?,
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(fail)?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).round() as u32,
        (size.height() * scale).round() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or("a chart of no pixels")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(fail)
}

/// Every chart of a run.
pub fn render_all(r: &Results, scale: f32) -> Result<Vec<Rendered>, String> {
    let zh = r.chinese();
    let mut out = Vec::new();
    if !r.targets.is_empty() {
        out.push(render(
            "probability".into(),
            tr(
                zh,
                "各目标实现的概率",
                "Probability that each target is met",
            ),
            &probability::Probability::new(r),
            scale,
        )?);
        for (name, fig) in fan::Fan::all(r) {
            let title = fig.title.clone();
            out.push(render(name, title, &fig, scale)?);
        }
        for (name, fig) in exceedance::Exceedance::all(r) {
            let title = fig.title.clone();
            out.push(render(name, title, &fig, scale)?);
        }
        out.push(render(
            "reached".into(),
            tr(
                zh,
                "到各年为止已达到目标的概率",
                "Probability that the target has been reached, by year",
            ),
            &reached::Reached::new(r),
            scale,
        )?);
        for (name, fig) in regions::Regions::all(r) {
            let title = fig.title.clone();
            out.push(render(name, title, &fig, scale)?);
        }
    }
    Ok(out)
}

/// Chinese or English text.
pub(crate) fn tr(zh: bool, chinese: &str, english: &str) -> String {
    if zh {
        chinese.to_string()
    } else {
        english.to_string()
    }
}

/// A text style of the chart font.
pub(crate) fn text(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&BLACK)
}

/// Colour bands of a probability, as the legend states them.
pub(crate) const LOW: RGBColor = RGBColor(215, 48, 39);
pub(crate) const MID: RGBColor = RGBColor(244, 165, 40);
pub(crate) const HIGH: RGBColor = RGBColor(26, 152, 80);
pub(crate) const INK: RGBColor = RGBColor(60, 60, 60);

/// The band colour of a probability: < 50% red, 50–80% amber, ≥ 80% green.
pub(crate) fn band(p: f64) -> RGBColor {
    if p >= 0.8 {
        HIGH
    } else if p >= 0.5 {
        MID
    } else {
        LOW
    }
}

/// The width in pixels of `s` set at `size` in the chart font, as plotters
/// measures it for layout (the font's own advances, not a character count).
pub(crate) fn measure(s: &str, size: u32) -> u32 {
    text(size)
        .font
        .box_size(s)
        .map(|(w, _)| w)
        .unwrap_or_else(|_| {
            // Only when the font cannot be read: a wide guess, never a cut.
            s.chars()
                .map(|c| if c.is_ascii() { size * 6 / 10 } else { size })
                .sum()
        })
}

/// The width in pixels of the widest of `labels` at `size`.
pub(crate) fn widest<DB: DrawingBackend>(
    _area: &DrawingArea<DB, Shift>,
    labels: &[String],
    size: u32,
) -> u32 {
    labels.iter().map(|l| measure(l, size)).max().unwrap_or(0)
}

/// Whether a line may break before `c`: anywhere between Chinese characters
/// except before closing punctuation, and in Latin text at spaces.
fn may_break_before(prev: char, c: char) -> bool {
    const CLOSING: &str = "，。、；：？！）》」』】〉”’%％)]}.,;:!?…—";
    const OPENING: &str = "（《「『【〈“‘([{";
    if CLOSING.contains(c) || OPENING.contains(prev) {
        return false;
    }
    let wide = |x: char| !x.is_ascii();
    prev == ' ' || wide(c) || wide(prev)
}

/// `s` broken into lines no wider than `max` pixels at `size`, measured
/// with the font: Chinese may break between any two characters (not before
/// closing punctuation), Latin text at spaces; a word wider than a line is
/// broken where it must.
pub(crate) fn wrap(s: &str, size: u32, max: u32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    // Byte index in `line` after which it may break, and the char before.
    let mut last_break: Option<usize> = None;
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if let Some(p) = prev
            && may_break_before(p, c)
        {
            last_break = Some(line.len());
        }
        line.push(c);
        prev = Some(c);
        if measure(&line, size) > max && line.chars().count() > 1 {
            let at = last_break
                .filter(|&b| b > 0)
                .unwrap_or(line.len() - c.len_utf8());
            let rest = line.split_off(at);
            lines.push(line.trim_end().to_string());
            line = rest.trim_start().to_string();
            last_break = None;
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// `s` in at most `max_lines` lines of `max` pixels: wrapped, and only when
/// it cannot fit, the last line cut with an ellipsis (measured, so the
/// ellipsis fits too).
pub(crate) fn fit(s: &str, size: u32, max: u32, max_lines: usize) -> Vec<String> {
    let mut lines = wrap(s, size, max);
    if lines.len() > max_lines {
        lines.truncate(max_lines.max(1));
        if let Some(last) = lines.last_mut() {
            let mut cut: String = last.clone();
            while !cut.is_empty() && measure(&format!("{cut}…"), size) > max {
                cut.pop();
            }
            *last = format!("{}…", cut.trim_end());
        }
    }
    lines
}

/// `s` on one line of `max` pixels, cut with an ellipsis only if it must be.
pub(crate) fn one_line(s: &str, size: u32, max: u32) -> String {
    fit(s, size, max, 1).remove(0)
}

/// The size of chart titles.
pub(crate) const TITLE_SIZE: u32 = 20;

/// Draws a title, wrapped to two lines of the area's width, centred at the
/// top, and returns the area below it for the plot.
pub(crate) fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let (w, _) = area.dim_in_pixel();
    let lines = fit(title, TITLE_SIZE, w.saturating_sub(40), 2);
    let style = text(TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, l) in lines.iter().enumerate() {
        area.draw(&Text::new(
            l.clone(),
            (w as i32 / 2, 12 + i as i32 * (TITLE_SIZE as i32 + 6)),
            style.clone(),
        ))
        .map_err(fail)?;
    }
    let height = title_height(lines.len());
    Ok(area.split_vertically(height).1)
}

/// The height a title of `lines` lines takes.
pub(crate) fn title_height(lines: usize) -> u32 {
    12 + lines as u32 * (TITLE_SIZE + 6) + 6
}

/// A file-name-safe version of a string.
pub(crate) fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Draws a legend of (colour, label) entries in rows across `area`,
/// which lies outside the plot so it never covers data.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(RGBColor, String, bool)],
) -> Result<(), String> {
    let (w, _) = area.dim_in_pixel();
    let style = text(13);
    let (mut x, mut y) = (12i32, 8i32);
    for (color, label, line) in entries {
        let tw = measure(label, 13) as i32;
        if x + 30 + tw > w as i32 - 8 && x > 12 {
            x = 12;
            y += 22;
        }
        if *line {
            area.draw(&PathElement::new(
                vec![(x, y + 8), (x + 20, y + 8)],
                color.stroke_width(3),
            ))
            .map_err(fail)?;
        } else {
            area.draw(&Rectangle::new(
                [(x, y + 2), (x + 20, y + 14)],
                color.filled(),
            ))
            .map_err(fail)?;
        }
        area.draw(&Text::new(label.clone(), (x + 26, y), style.clone()))
            .map_err(fail)?;
        x += 26 + tw + 22;
    }
    Ok(())
}

/// Rows a legend of these labels needs at a width (as [`legend`] lays
/// them out).
pub(crate) fn legend_rows(labels: &[String], width: u32) -> u32 {
    let (mut rows, mut x) = (1, 12);
    for l in labels {
        let tw = measure(l, 13);
        if x + 30 + tw > width.saturating_sub(8) && x > 12 {
            rows += 1;
            x = 12;
        }
        x += 26 + tw + 22;
    }
    rows
}

/// One horizontal bar: label, probability and its interval. `note` is a
/// second, grey line under the label — a target's reading, which tells two
/// readings of one sentence apart.
pub(crate) struct HBar {
    pub label: String,
    pub note: Option<String>,
    pub p: f64,
    pub low: f64,
    pub high: f64,
}

/// The label column of a bar chart `width` wide: as wide as its widest
/// label needs, at most 55% of the chart.
fn label_column(bars: &[HBar], width: u32) -> u32 {
    let need = bars
        .iter()
        .map(|b| measure(&b.label, 14).max(b.note.as_ref().map_or(0, |n| measure(n, 12))))
        .max()
        .unwrap_or(0);
    (need + 24).clamp(80, width * 55 / 100)
}

/// A row's label lines in a label column: the label and its note on a
/// line each (the note grey: `true`), or a label alone wrapped to two
/// lines; cut with an ellipsis only where even that does not fit.
pub(crate) fn label_lines(label: &str, note: Option<&str>, column: u32) -> Vec<(String, bool)> {
    let room = column.saturating_sub(24);
    match note {
        Some(n) => vec![
            (one_line(label, 14, room), false),
            (one_line(n, 12, room), true),
        ],
        None => fit(label, 14, room, 2)
            .into_iter()
            .map(|l| (l, false))
            .collect(),
    }
}

fn bar_lines(b: &HBar, column: u32) -> Vec<(String, bool)> {
    label_lines(&b.label, b.note.as_deref(), column)
}

/// Pixels per bar: room for two lines of label when any bar needs them.
fn bar_pitch(bars: &[HBar], width: u32) -> u32 {
    let column = label_column(bars, width);
    if bars.iter().any(|b| bar_lines(b, column).len() > 1) {
        44
    } else {
        34
    }
}

/// Height of a horizontal bar chart of these bars, `width` wide, under a
/// title.
pub(crate) fn hbars_height(bars: &[HBar], width: u32, title: &str) -> u32 {
    let title_lines = fit(title, TITLE_SIZE, width.saturating_sub(40), 2).len();
    title_height(title_lines) + 100 + bar_pitch(bars, width) * bars.len().max(1) as u32 + 40
}

/// Horizontal probability bars, top to bottom in the given order, coloured by
/// band, with the interval as a whisker and the band legend below the plot.
pub(crate) fn draw_hbars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    bars: &[HBar],
    x_desc: &str,
    zh: bool,
) -> Result<(), String> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    root.fill(&WHITE).map_err(fail)?;
    let (w, h) = root.dim_in_pixel();
    let (main, foot) = root.split_vertically(h - 40);
    // Labels are placed at the chart's backend coordinates, which count
    // from `main`'s corner, not from the plot's below the title.
    let plot = titled(&main, title)?;
    let left = label_column(bars, w);
    let n = bars.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .margin_right(70)
        .x_label_area_size(44)
        .y_label_area_size(left)
        .build_cartesian_2d(0f64..1f64, 0f64..n)
        .map_err(fail)?;
    house(&mut chart.configure_mesh())
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(11)
        .x_label_formatter(&|x| super::format::percent(*x))
        .x_desc(x_desc)
        .draw()
        .map_err(fail)?;
    for (i, b) in bars.iter().enumerate() {
        let y = n - 1.0 - i as f64;
        let p = if b.p.is_finite() { b.p } else { 0.0 };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.2), (p, y + 0.8)],
                band(p).filled(),
            )))
            .map_err(fail)?;
        let c = y + 0.5;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(b.low, c), (b.high, c)],
                INK.stroke_width(2),
            )))
            .map_err(fail)?;
        for x in [b.low, b.high] {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, y + 0.3), (x, y + 0.7)],
                    INK.stroke_width(2),
                )))
                .map_err(fail)?;
        }
        let (x0, yc) = chart.backend_coord(&(0.0, c));
        let lines = bar_lines(b, left);
        let k = lines.len() as i32;
        for (j, (line, grey)) in lines.into_iter().enumerate() {
            let dy = (2 * j as i32 - (k - 1)) * 9;
            let style = if grey { text(12).color(&INK) } else { text(14) };
            main.draw(&Text::new(
                line,
                (x0 - 8, yc + dy),
                style.pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(fail)?;
        }
        let (tx, _) = chart.backend_coord(&(b.high.max(p), c));
        main.draw(&Text::new(
            super::format::probability_point(p, b.low, b.high),
            (tx + 6, yc),
            text(13).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(fail)?;
    }
    legend(
        &foot,
        &[
            (LOW, tr(zh, "低于 50%", "below 50%"), false),
            (MID, tr(zh, "50%–80%", "50%–80%"), false),
            (HIGH, tr(zh, "80% 及以上", "80% or more"), false),
        ],
    )
}

/// The charts' house style for axes: label sizes, no minor grid lines, a
/// light major grid.
pub(crate) fn house<
    'm,
    'a,
    'b,
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
    DB: DrawingBackend,
>(
    m: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB> {
    m.label_style(text(14))
        .axis_desc_style(text(14))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_measures_with_the_font_and_keeps_every_character() {
        super::super::font::register(None).unwrap();
        let s = "到2015年在全省扶贫开发工作重点县乡镇通过依托社区服务中心或新建等方式培育发展15个农村社会工作服务站";
        for max in [120, 200, 333, 500] {
            let lines = wrap(s, 14, max);
            assert_eq!(lines.concat(), s, "nothing lost at {max}");
            for l in &lines {
                assert!(measure(l, 14) <= max, "{l} is wider than {max}");
                assert!(!l.starts_with('，') && !l.starts_with('）'), "{l}");
            }
        }
        // Latin text breaks at spaces.
        let lines = wrap(
            "Social work talent 60,000 by 2020 (certified only)",
            14,
            160,
        );
        assert!(lines.len() > 1 && lines.iter().all(|l| !l.starts_with(' ')));
        assert!(lines.iter().all(|l| !l.contains("tal ent")));
        assert_eq!(
            lines.join(" "),
            "Social work talent 60,000 by 2020 (certified only)"
        );
    }

    #[test]
    fn a_cut_happens_only_when_the_lines_run_out_and_shows_an_ellipsis() {
        super::super::font::register(None).unwrap();
        let s = "到2020年基本实现每个扶贫开发工作重点县有一家社会工作服务站";
        assert_eq!(fit(s, 14, 2000, 1), vec![s.to_string()], "fits: no cut");
        assert!(
            !fit(s, 14, 200, 2).concat().contains('…'),
            "two lines hold it"
        );
        let two = fit(s, 14, 120, 2);
        assert_eq!(two.len(), 2);
        assert!(
            two[1].ends_with('…') && measure(&two[1], 14) <= 120,
            "{two:?}"
        );
        assert!(!two[0].ends_with('…'));
        assert!(one_line(s, 14, 150).ends_with('…'));
    }
}
