//! Charts of a calibration: prior vs posterior of each unknown, the
//! predictive fan of each observed series with the observations on it
//! (fitted ones as dots, held-out ones as diamonds, baselines as crosses),
//! and the rank histograms of `calibrate --check`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Figure, INK, fail, house, legend, slug, text, titled, tr, widest};
use crate::calibration::check::{Marginal, Predictive};
use crate::calibration::sbc::{BINS, Check};
use crate::report::format::{metric_label, value};

const PRIOR: RGBColor = RGBColor(190, 190, 190);
use super::fan::{INNER, MEDIAN as POSTERIOR, OUTER};
const FLAG: RGBColor = super::LOW;
const OBSERVED: RGBColor = RGBColor(20, 20, 20);
const HELD_OUT: RGBColor = RGBColor(215, 48, 39);
const LAST: RGBColor = RGBColor(120, 120, 120);
const TREND: RGBColor = RGBColor(244, 165, 40);

/// Each unknown's 90% prior and posterior intervals, on a scale where the
/// prior's interval runs from 0 to 1, so that parameters of any unit share
/// one axis.
pub struct PriorPosterior {
    pub title: String,
    rows: Vec<(String, f64, f64, f64, bool)>,
    zh: bool,
}

impl PriorPosterior {
    pub fn new(m: &[Marginal], zh: bool) -> PriorPosterior {
        let rows = m
            .iter()
            .map(|x| {
                let (lo, hi) = (x.prior[0], x.prior[2]);
                let w = if hi > lo { hi - lo } else { 1.0 };
                let f = |v: f64| ((v - lo) / w).clamp(-0.5, 1.5);
                (
                    x.path.clone(),
                    f(x.posterior[0]),
                    f(x.posterior[1]),
                    f(x.posterior[2]),
                    x.informed,
                )
            })
            .collect();
        PriorPosterior {
            title: tr(
                zh,
                "先验与后验：各参数 90% 区间（按先验区间归一）",
                "Prior and posterior: 90% interval of each parameter (prior interval = 0–1)",
            ),
            rows,
            zh,
        }
    }
}

impl Figure for PriorPosterior {
    fn size(&self) -> (u32, u32) {
        (1000, 130 + 34 * self.rows.len().max(1) as u32 + 40)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let (w, h) = root.dim_in_pixel();
        let (main, foot) = root.split_vertically(h - 40);
        let labels: Vec<String> = self.rows.iter().map(|r| r.0.clone()).collect();
        let left = (widest(&main, &labels, 13) + 20).clamp(80, w * 55 / 100);
        let n = self.rows.len().max(1) as f64;
        let plot = titled(&main, &self.title)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .margin_right(30)
            .x_label_area_size(44)
            .y_label_area_size(left)
            .build_cartesian_2d(-0.5f64..1.5f64, 0f64..n)
            .map_err(fail)?;
        house(&mut chart.configure_mesh())
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(5)
            .x_desc(tr(
                self.zh,
                "0 = 先验 5% 分位，1 = 先验 95% 分位",
                "0 = prior 5th percentile, 1 = prior 95th percentile",
            ))
            .draw()
            .map_err(fail)?;
        let label = text(13).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, (name, lo, mid, hi, informed)) in self.rows.iter().enumerate() {
            let y = n - 1.0 - i as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.3), (1.0, y + 0.7)],
                    PRIOR.filled(),
                )))
                .map_err(fail)?;
            let colour = if *informed { POSTERIOR } else { FLAG };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*lo, y + 0.5), (*hi, y + 0.5)],
                    colour.stroke_width(5),
                )))
                .map_err(fail)?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (*mid, y + 0.5),
                    5,
                    colour.filled(),
                )))
                .map_err(fail)?;
            let (x0, yc) = chart.backend_coord(&(-0.5, y + 0.5));
            main.draw(&Text::new(name.clone(), (x0 - 8, yc), label.clone()))
                .map_err(fail)?;
        }
        legend(
            &foot,
            &[
                (PRIOR, tr(self.zh, "先验 90% 区间", "prior 90%"), false),
                (
                    POSTERIOR,
                    tr(self.zh, "后验 90% 区间与中位数", "posterior 90% and median"),
                    true,
                ),
                (
                    FLAG,
                    tr(
                        self.zh,
                        "历史数据无法约束（后验标准差 > 0.9 × 先验）",
                        "not informed by these data (sd > 0.9 × prior's)",
                    ),
                    true,
                ),
            ],
        )
    }
}

/// The predictive fan of one observed series.
pub struct PredictiveFan {
    pub title: String,
    pub metric: String,
    pub scope: String,
    years: Vec<(i32, [f64; 7])>,
    fitted: Vec<(i32, f64)>,
    held_out: Vec<(i32, f64)>,
    /// (year, last value carried forward, trend) at each held-out year.
    pub baselines: Vec<(i32, Option<f64>, Option<f64>)>,
    share: bool,
    zh: bool,
}

impl PredictiveFan {
    /// One fan per series, named `predictive-<metric>-<scope>`.
    pub fn all(p: &Predictive, zh: bool) -> Vec<(String, PredictiveFan)> {
        p.series
            .iter()
            .map(|s| {
                let name = format!("predictive-{}-{}", s.metric.name(), slug(&s.scope));
                let fig = PredictiveFan {
                    title: format!(
                        "{} ({}) — {}",
                        metric_label(s.metric.name(), zh),
                        s.scope,
                        tr(
                            zh,
                            "后验预测与观测值",
                            "posterior prediction and observations"
                        )
                    ),
                    metric: s.metric.name().to_string(),
                    scope: s.scope.clone(),
                    // A flow has nothing in the start year: begin with the first projected one.
                    years: if s.metric.is_flow() {
                        s.years.iter().skip(1).copied().collect()
                    } else {
                        s.years.clone()
                    },
                    fitted: s.fitted.clone(),
                    held_out: s.held_out.clone(),
                    baselines: Vec::new(),
                    share: s.metric.unit() == crate::scenario::Unit::Share,
                    zh,
                };
                (name, fig)
            })
            .collect()
    }
}

impl Figure for PredictiveFan {
    fn size(&self) -> (u32, u32) {
        (1000, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let (_, h) = self.size();
        let (main, foot) = root.split_vertically(h - 40);
        let (Some(first), Some(last)) = (self.years.first(), self.years.last()) else {
            return Ok(());
        };
        let (x0, x1) = (f64::from(first.0) - 0.4, f64::from(last.0) + 0.4);
        let values = self
            .years
            .iter()
            .flat_map(|(_, p)| [p[0], p[6]])
            .chain(self.fitted.iter().chain(&self.held_out).map(|p| p.1))
            .chain(self.baselines.iter().flat_map(|b| [b.1, b.2]).flatten())
            .filter(|v| v.is_finite());
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let pad = if hi > lo {
            (hi - lo) * 0.08
        } else {
            hi.abs().max(1.0) * 0.1
        };
        let (share, zh) = (self.share, self.zh);
        let plot = titled(&main, &self.title)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(14)
            .margin_right(30)
            .x_label_area_size(40)
            .y_label_area_size(90)
            .build_cartesian_2d(x0..x1, (lo - pad).max(0.0)..hi + pad)
            .map_err(fail)?;
        house(&mut chart.configure_mesh())
            .x_labels(((x1 - x0) as usize + 1).min(14))
            .x_label_formatter(&|y| {
                if (y - y.round()).abs() < 1e-6 {
                    format!("{}", y.round() as i64)
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| value(*v, share, zh))
            .y_desc(metric_label(&self.metric, zh))
            .draw()
            .map_err(fail)?;
        let band = |a: usize, b: usize| {
            let mut pts: Vec<(f64, f64)> = self
                .years
                .iter()
                .map(|(y, p)| (f64::from(*y), p[b]))
                .collect();
            pts.extend(self.years.iter().rev().map(|(y, p)| (f64::from(*y), p[a])));
            pts
        };
        chart
            .draw_series(std::iter::once(Polygon::new(band(0, 6), OUTER.filled())))
            .map_err(fail)?;
        chart
            .draw_series(std::iter::once(Polygon::new(band(2, 4), INNER.filled())))
            .map_err(fail)?;
        chart
            .draw_series(LineSeries::new(
                self.years.iter().map(|(y, p)| (f64::from(*y), p[3])),
                POSTERIOR.stroke_width(3),
            ))
            .map_err(fail)?;
        chart
            .draw_series(
                self.fitted
                    .iter()
                    .map(|(y, v)| Circle::new((f64::from(*y), *v), 6, OBSERVED.filled())),
            )
            .map_err(fail)?;
        chart
            .draw_series(
                self.held_out
                    .iter()
                    .map(|(y, v)| TriangleMarker::new((f64::from(*y), *v), 8, HELD_OUT.filled())),
            )
            .map_err(fail)?;
        for (y, last, trend) in &self.baselines {
            for (v, c) in [(last, LAST), (trend, TREND)] {
                if let Some(v) = v {
                    chart
                        .draw_series(std::iter::once(Cross::new(
                            (f64::from(*y), *v),
                            7,
                            c.stroke_width(3),
                        )))
                        .map_err(fail)?;
                }
            }
        }
        let mut entries = vec![
            (POSTERIOR, tr(zh, "预测中位数", "predicted median"), true),
            (INNER, tr(zh, "25%–75%", "25–75%"), false),
            (
                OUTER,
                tr(
                    zh,
                    "5%–95%（含统计报告误差）",
                    "5–95% (with reporting error)",
                ),
                false,
            ),
            (
                OBSERVED,
                tr(zh, "观测值（●，用于拟合）", "observed (●, fitted)"),
                false,
            ),
        ];
        if !self.held_out.is_empty() {
            entries.push((HELD_OUT, tr(zh, "留出检验（▲）", "held out (▲)"), false));
        }
        if !self.baselines.is_empty() {
            entries.push((LAST, tr(zh, "末值延续（×）", "last value (×)"), false));
            entries.push((TREND, tr(zh, "线性趋势（×）", "linear trend (×)"), false));
        }
        legend(&foot, &entries)
    }
}

/// Rank histograms of a check, one row of bars per unknown: flat if the
/// procedure is calibrated.
pub struct RankHistograms {
    pub title: String,
    rows: Vec<(String, [u64; BINS], u64, u64)>,
    zh: bool,
}

impl RankHistograms {
    pub fn new(c: &Check, zh: bool) -> RankHistograms {
        RankHistograms {
            title: tr(
                zh,
                "模拟校准检验：真值在后验中的秩（应均匀）",
                "Simulation-based check: posterior rank of the truth (flat if honest)",
            ),
            rows: c
                .coverage
                .iter()
                .map(|x| (x.path.clone(), x.ranks, x.inside, x.cases))
                .collect(),
            zh,
        }
    }
}

impl Figure for RankHistograms {
    fn size(&self) -> (u32, u32) {
        (1000, 110 + 60 * self.rows.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let (w, _) = root.dim_in_pixel();
        let title_h = 50;
        root.draw(&Text::new(self.title.clone(), (14, 14), text(18)))
            .map_err(fail)?;
        let labels: Vec<String> = self
            .rows
            .iter()
            .map(|r| {
                format!(
                    "{}  {}/{} {}",
                    r.0,
                    r.2,
                    r.3,
                    tr(self.zh, "在 90% 区间内", "inside 90%")
                )
            })
            .collect();
        let left = (widest(root, &labels, 13) + 30).clamp(100, w * 60 / 100) as i32;
        for (i, (label, (_, ranks, _, cases))) in labels.iter().zip(&self.rows).enumerate() {
            let top = title_h + 60 * i as i32;
            root.draw(&Text::new(
                label.clone(),
                (left - 10, top + 25),
                text(13).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(fail)?;
            let max = ranks.iter().copied().max().unwrap_or(1).max(1) as f64;
            let bw = (w as i32 - left - 30) / BINS as i32;
            for (b, &r) in ranks.iter().enumerate() {
                let x = left + b as i32 * bw;
                let hgt = (45.0 * r as f64 / max) as i32;
                root.draw(&Rectangle::new(
                    [(x + 2, top + 48 - hgt), (x + bw - 2, top + 48)],
                    POSTERIOR.filled(),
                ))
                .map_err(fail)?;
            }
            // The flat line a calibrated procedure's bars scatter around.
            let flat = (45.0 * (*cases as f64 / BINS as f64) / max) as i32;
            root.draw(&PathElement::new(
                vec![
                    (left, top + 48 - flat),
                    (left + bw * BINS as i32, top + 48 - flat),
                ],
                INK.stroke_width(1),
            ))
            .map_err(fail)?;
        }
        Ok(())
    }
}
