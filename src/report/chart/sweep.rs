//! A sweep's chart for one target (or the joint): for one lever, P(met)
//! against the lever's value with its 95% band; for two levers, a heat map of
//! P(met) with the 50% and 80% contours drawn along the cell edges where the
//! probability crosses them (the grid is coarse; the contour does not
//! pretend to know more than the grid points).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Figure, fail, house, legend, text, titled, tr};
use crate::analysis::sweep::Sweep;
use crate::report::format::{count, percent};

const BAND: RGBColor = RGBColor(209, 229, 240);
const LINE: RGBColor = RGBColor(33, 102, 172);
const C50: RGBColor = RGBColor(90, 90, 90);
const C80: RGBColor = RGBColor(0, 0, 0);

pub struct SweepChart<'a> {
    pub title: String,
    sweep: &'a Sweep,
    target: usize,
    zh: bool,
}

impl<'a> SweepChart<'a> {
    pub fn new(s: &'a Sweep, target: usize, zh: bool) -> SweepChart<'a> {
        SweepChart {
            title: format!(
                "{} — {}",
                s.target_labels[target],
                tr(
                    zh,
                    "实现概率随政策变量的变化",
                    "probability met across the levers"
                )
            ),
            sweep: s,
            target,
            zh,
        }
    }

    fn p(&self, i: usize) -> f64 {
        self.sweep.points[i].outcomes[self.target].p_met
    }
}

/// Red (0) through amber (0.5) to green (1).
fn heat(p: f64) -> RGBColor {
    let p = if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: (f64, f64, f64), b: (f64, f64, f64), t: f64| {
        RGBColor(
            (a.0 + (b.0 - a.0) * t) as u8,
            (a.1 + (b.1 - a.1) * t) as u8,
            (a.2 + (b.2 - a.2) * t) as u8,
        )
    };
    let (red, amber, green) = (
        (215.0, 48.0, 39.0),
        (254.0, 224.0, 139.0),
        (26.0, 152.0, 80.0),
    );
    if p < 0.5 {
        mix(red, amber, p / 0.5)
    } else {
        mix(amber, green, (p - 0.5) / 0.5)
    }
}

fn label(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() >= 1000.0 {
        count(v, false)
    } else {
        format!("{}", (v * 1e6).round() / 1e6)
    }
}

impl Figure for SweepChart<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 640)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        root.fill(&WHITE).map_err(fail)?;
        let (_, h) = self.size();
        let (main, foot) = root.split_vertically(h - 40);
        let zh = self.zh;
        let axes = &self.sweep.axes;
        if axes.len() == 1 {
            let xs: Vec<f64> = axes[0].values.clone();
            let (lo, hi) = xs
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            let pad = if hi > lo { (hi - lo) * 0.04 } else { 1.0 };
            let plot = titled(&main, &self.title)?;
            let mut chart = ChartBuilder::on(&plot)
                .margin(14)
                .margin_right(30)
                .x_label_area_size(44)
                .y_label_area_size(70)
                .build_cartesian_2d(lo - pad..hi + pad, 0f64..1.02f64)
                .map_err(fail)?;
            house(&mut chart.configure_mesh())
                .x_desc(axis_name(&axes[0]))
                .x_label_formatter(&|v| label(*v))
                .y_label_formatter(&|v| percent(*v))
                .y_desc(tr(zh, "实现概率", "probability met"))
                .draw()
                .map_err(fail)?;
            let o = |i: usize| &self.sweep.points[i].outcomes[self.target];
            let mut band: Vec<(f64, f64)> = (0..xs.len()).map(|i| (xs[i], o(i).ci_high)).collect();
            band.extend((0..xs.len()).rev().map(|i| (xs[i], o(i).ci_low)));
            chart
                .draw_series(std::iter::once(Polygon::new(band, BAND.filled())))
                .map_err(fail)?;
            chart
                .draw_series(
                    LineSeries::new(
                        (0..xs.len()).map(|i| (xs[i], self.p(i))),
                        LINE.stroke_width(3),
                    )
                    .point_size(4),
                )
                .map_err(fail)?;
            for (lvl, c) in [(0.5, C50), (0.8, C80)] {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(lo - pad, lvl), (hi + pad, lvl)],
                        c.stroke_width(1),
                    )))
                    .map_err(fail)?;
            }
            return legend(
                &foot,
                &[
                    (LINE, tr(zh, "实现概率", "probability met"), true),
                    (BAND, tr(zh, "95% 置信区间", "95% interval"), false),
                    (C50, tr(zh, "50% 参考线", "50% line"), true),
                    (C80, tr(zh, "80% 参考线", "80% line"), true),
                ],
            );
        }
        // Two levers: rows are the first axis (bottom to top), columns the second.
        let (ny, nx) = (axes[0].values.len(), axes[1].values.len());
        let plot = titled(&main, &self.title)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(14)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(100)
            .build_cartesian_2d(0f64..nx as f64, 0f64..ny as f64)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .x_desc(axis_name(&axes[1]))
            .y_desc(axis_name(&axes[0]))
            .axis_desc_style(text(14))
            .draw()
            .map_err(fail)?;
        let at = |r: usize, c: usize| self.p(r * nx + c);
        let centre = text(13).pos(Pos::new(HPos::Center, VPos::Center));
        for r in 0..ny {
            for c in 0..nx {
                let (x, y) = (c as f64, r as f64);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x, y), (x + 1.0, y + 1.0)],
                        heat(at(r, c)).filled(),
                    )))
                    .map_err(fail)?;
                let (px, py) = chart.backend_coord(&(x + 0.5, y + 0.5));
                main.draw(&Text::new(percent(at(r, c)), (px, py), centre.clone()))
                    .map_err(fail)?;
            }
        }
        for (lvl, color, width) in [(0.5, C50, 2), (0.8, C80, 4)] {
            let above = |r: usize, c: usize| at(r, c) >= lvl;
            let mut edges = Vec::new();
            for r in 0..ny {
                for c in 0..nx {
                    if c + 1 < nx && above(r, c) != above(r, c + 1) {
                        edges.push(vec![
                            ((c + 1) as f64, r as f64),
                            ((c + 1) as f64, (r + 1) as f64),
                        ]);
                    }
                    if r + 1 < ny && above(r, c) != above(r + 1, c) {
                        edges.push(vec![
                            (c as f64, (r + 1) as f64),
                            ((c + 1) as f64, (r + 1) as f64),
                        ]);
                    }
                }
            }
            chart
                .draw_series(
                    edges
                        .into_iter()
                        .map(|e| PathElement::new(e, color.stroke_width(width))),
                )
                .map_err(fail)?;
        }
        let below = text(13).pos(Pos::new(HPos::Center, VPos::Top));
        for (c, v) in axes[1].values.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(c as f64 + 0.5, 0.0));
            main.draw(&Text::new(label(*v), (px, py + 6), below.clone()))
                .map_err(fail)?;
        }
        let left = text(13).pos(Pos::new(HPos::Right, VPos::Center));
        for (r, v) in axes[0].values.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, r as f64 + 0.5));
            main.draw(&Text::new(label(*v), (px - 6, py), left.clone()))
                .map_err(fail)?;
        }
        legend(
            &foot,
            &[
                (heat(0.0), tr(zh, "0%", "0%"), false),
                (heat(0.5), tr(zh, "50%", "50%"), false),
                (heat(1.0), tr(zh, "100%", "100%"), false),
                (C50, tr(zh, "50% 等值线", "50% contour"), true),
                (C80, tr(zh, "80% 等值线", "80% contour"), true),
            ],
        )
    }
}

/// An axis's name: its label, and the path it sets (what `--set` took).
fn axis_name(a: &crate::analysis::sweep::Axis) -> String {
    if a.label.is_empty() || a.label == a.path {
        a.path.clone()
    } else {
        format!("{} ({})", a.label, a.path)
    }
}
