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

/// The width in pixels of the widest of `labels` at `size`.
pub(crate) fn widest<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[String],
    size: u32,
) -> u32 {
    let style = text(size);
    labels
        .iter()
        .map(|l| {
            area.estimate_text_size(l, &style)
                .map(|(w, _)| w)
                .unwrap_or(8 * l.chars().count() as u32)
        })
        .max()
        .unwrap_or(0)
}

/// A label cut to `max` characters with an ellipsis.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
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
        let tw = area
            .estimate_text_size(label, &style)
            .map(|(w, _)| w as i32)
            .unwrap_or(100);
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

/// Rows a legend of these labels needs at a width.
pub(crate) fn legend_rows(labels: &[String], width: u32) -> u32 {
    // ~8 px per Latin character and ~14 per Chinese one at size 13.
    let px = |s: &String| {
        s.chars()
            .map(|c| if c.is_ascii() { 8 } else { 14 })
            .sum::<u32>()
            + 48
    };
    let (mut rows, mut x) = (1, 12);
    for l in labels {
        let w = px(l);
        if x + w > width.saturating_sub(8) && x > 12 {
            rows += 1;
            x = 12;
        }
        x += w;
    }
    rows
}

/// One horizontal bar: label, probability and its interval.
pub(crate) struct HBar {
    pub label: String,
    pub p: f64,
    pub low: f64,
    pub high: f64,
}

/// Height of a horizontal bar chart of `n` bars.
pub(crate) fn hbars_height(n: usize) -> u32 {
    130 + 34 * n.max(1) as u32 + 40
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
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let left = (widest(&main, &labels, 14) + 20).clamp(80, w * 55 / 100);
    let n = bars.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&main)
        .caption(title, text(20))
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
    let label_style = text(14).pos(Pos::new(HPos::Right, VPos::Center));
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
        main.draw(&Text::new(
            b.label.clone(),
            (x0 - 8, yc),
            label_style.clone(),
        ))
        .map_err(fail)?;
        let (tx, _) = chart.backend_coord(&(b.high.max(p), c));
        main.draw(&Text::new(
            super::format::percent(p),
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
