//! A fan chart per target metric and scope: the median over the years, the
//! 25–75% and 5–95% bands, each target on it as a marker at its year and
//! threshold, and the starting (observed) value.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Figure, fail, house, legend, measure, one_line, slug, text, titled, tr};
use crate::report::format::metric_label;
use crate::report::results::Results;
use crate::stats::target::YearStats;

pub(crate) const MEDIAN: RGBColor = RGBColor(33, 102, 172);
pub(crate) const INNER: RGBColor = RGBColor(103, 169, 207);
pub(crate) const OUTER: RGBColor = RGBColor(209, 229, 240);
const TARGET: RGBColor = RGBColor(215, 48, 39);
const START: RGBColor = RGBColor(40, 40, 40);

pub struct Fan {
    pub title: String,
    series: Vec<YearStats>,
    /// (year, threshold, label) of each target on this metric and scope.
    targets: Vec<(i32, f64, String)>,
    share: bool,
    /// Money: values in 万元 (yuan).
    money: bool,
    zh: bool,
    y_desc: String,
    /// Whether the first point is the observed start (stocks) or not (flows).
    observed_start: bool,
}

impl Fan {
    /// One chart per (metric, scope) that some target uses, named
    /// `fan-<metric>-<scope>`.
    pub fn all(r: &Results) -> Vec<(String, Fan)> {
        let zh = r.chinese();
        let mut out: Vec<(String, Fan)> = Vec::new();
        for t in &r.targets {
            // What was added, or the value a share of the regions reach, is
            // another quantity than the level: a chart of its own.
            let mut name = format!("fan-{}-{}", t.metric, slug(&t.scope));
            if t.since_start {
                name.push_str("-added");
            }
            if let Some(q) = t.share_of_regions {
                name.push_str(&format!("-{:.0}pct", q * 100.0));
            }
            let marker = (t.year, t.threshold, one_line(&t.label, 13, 360));
            if let Some((_, f)) = out.iter_mut().find(|(n, _)| *n == name) {
                f.targets.push(marker);
                continue;
            }
            let share = crate::report::format::is_share(&t.metric);
            let money = crate::report::format::is_money(&t.metric);
            let flow = crate::scenario::Metric::from_name(&t.metric).is_some_and(|m| m.is_flow());
            let scope = r.scenario.scope_label(&t.scope, zh);
            let mut binding = match t.share_of_regions {
                Some(q) if t.scope.starts_with("every:") => {
                    let pct = format!("{:.0}%", q * 100.0);
                    tr(
                        zh,
                        &format!("（{pct} 的地区达到的值）"),
                        &format!(" (the value {pct} of the regions reach)"),
                    )
                }
                None if t.scope.starts_with("every:") => {
                    tr(zh, "（最低的地区）", " (the lowest region)")
                }
                _ => String::new(),
            };
            if t.since_start {
                binding.push_str(&tr(zh, "，较起始年新增", ", added since the start"));
            }
            out.push((
                name,
                Fan {
                    title: format!(
                        "{} — {} ({scope}){binding}",
                        r.scenario.label,
                        metric_label(&t.metric, zh)
                    ),
                    // A flow has nothing observed in the start year: begin with the first projected one.
                    series: if flow {
                        t.by_year.iter().skip(1).copied().collect()
                    } else {
                        t.by_year.clone()
                    },
                    observed_start: !flow,
                    targets: vec![marker],
                    share,
                    money,
                    zh,
                    y_desc: format!("{}{binding}", metric_label(&t.metric, zh)),
                },
            ));
        }
        out
    }
}

impl Figure for Fan {
    fn size(&self) -> (u32, u32) {
        (1000, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let (_, h) = self.size();
        let (main, foot) = root.split_vertically(h - 40);
        let (Some(first), Some(last)) = (self.series.first(), self.series.last()) else {
            return Ok(());
        };
        // Half a year of room either side, so markers at the ends are whole.
        let (x0, x1) = if self.series.len() == 1 {
            (first.year as f64 - 0.6, first.year as f64 + 0.6)
        } else {
            (first.year as f64 - 0.3, last.year as f64 + 0.45)
        };
        let finite = |v: f64| if v.is_finite() { Some(v) } else { None };
        let values = self
            .series
            .iter()
            .flat_map(|s| [s.p05, s.p95])
            .chain(self.targets.iter().map(|t| t.1))
            .filter_map(finite);
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        // A constant metric still gets a readable axis.
        let pad = if hi > lo {
            (hi - lo) * 0.08
        } else {
            hi.abs().max(1.0) * 0.1
        };
        let y0 = if lo >= 0.0 {
            (lo - pad).max(0.0)
        } else {
            lo - pad
        };
        let y1 = if self.share {
            (hi + pad).min(1.05).max(y0 + 0.01)
        } else {
            hi + pad
        };
        let (share, zh, money) = (self.share, self.zh, self.money);
        let value =
            |v: f64, share: bool, zh: bool| crate::report::format::amount(v, share, money, zh);
        let small_count = !share && y1 - y0 < 12.0;
        let plot = titled(&main, &self.title)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(14)
            .margin_right(30)
            .x_label_area_size(40)
            .y_label_area_size(90)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(fail)?;
        house(&mut chart.configure_mesh())
            .x_labels(((x1 - x0) as usize + 1).min(12))
            .x_label_formatter(&|y| {
                if (y - y.round()).abs() < 1e-6 {
                    format!("{}", y.round() as i64)
                } else {
                    String::new()
                }
            })
            // A count over a small range (a station in each county: 0, 1, 2)
            // is labelled at whole numbers only, not 0, 0, 0, 1, 1.
            .y_labels(if small_count {
                ((y1 - y0).floor() as usize + 1).max(2)
            } else {
                10
            })
            .y_label_formatter(&|v| {
                if small_count && (v - v.round()).abs() > 1e-6 {
                    String::new()
                } else {
                    value(*v, share, zh)
                }
            })
            .y_desc(self.y_desc.clone())
            .draw()
            .map_err(fail)?;
        let band = |lo: fn(&YearStats) -> f64, hi: fn(&YearStats) -> f64| {
            let mut pts: Vec<(f64, f64)> =
                self.series.iter().map(|s| (s.year as f64, hi(s))).collect();
            pts.extend(self.series.iter().rev().map(|s| (s.year as f64, lo(s))));
            pts
        };
        if self.series.len() == 1 {
            // One year has no band to draw: a box (25–75%) and whiskers (5–95%).
            let (x, s) = (first.year as f64, first);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.12, s.p05), (x + 0.12, s.p95)],
                    OUTER.filled(),
                )))
                .map_err(fail)?;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.12, s.p25), (x + 0.12, s.p75)],
                    INNER.filled(),
                )))
                .map_err(fail)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x - 0.12, s.p50), (x + 0.12, s.p50)],
                    MEDIAN.stroke_width(3),
                )))
                .map_err(fail)?;
        } else {
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band(|s| s.p05, |s| s.p95),
                    OUTER.filled(),
                )))
                .map_err(fail)?;
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band(|s| s.p25, |s| s.p75),
                    INNER.filled(),
                )))
                .map_err(fail)?;
            chart
                .draw_series(LineSeries::new(
                    self.series.iter().map(|s| (s.year as f64, s.p50)),
                    MEDIAN.stroke_width(3),
                ))
                .map_err(fail)?;
        }
        if self.observed_start {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (first.year as f64, first.p50),
                    6,
                    START.filled(),
                )))
                .map_err(fail)?;
            let (sx, sy) = chart.backend_coord(&(first.year as f64, first.p50));
            main.draw(&Text::new(
                value(first.p50, share, zh),
                (sx + 8, sy - 20),
                text(13),
            ))
            .map_err(fail)?;
        }
        for (year, threshold, label) in &self.targets {
            chart
                .draw_series(std::iter::once(Cross::new(
                    (*year as f64, *threshold),
                    9,
                    TARGET.stroke_width(3),
                )))
                .map_err(fail)?;
            let (tx, ty) = chart.backend_coord(&(*year as f64, *threshold));
            let caption = format!("{label}: {}", value(*threshold, share, zh));
            let tw = measure(&caption, 13) as i32;
            // Keep the caption inside the chart: to the left of markers near the right edge.
            let x = if tx + 12 + tw > main.dim_in_pixel().0 as i32 - 10 {
                tx - 12 - tw
            } else {
                tx + 12
            };
            // On a white box, so it stays readable over the bands.
            main.draw(&Rectangle::new(
                [(x - 3, ty - 25), (x + tw + 3, ty - 6)],
                WHITE.mix(0.85).filled(),
            ))
            .map_err(fail)?;
            main.draw(&Text::new(caption, (x, ty - 22), text(13).color(&TARGET)))
                .map_err(fail)?;
        }
        let mut entries = vec![
            (MEDIAN, tr(zh, "中位数", "median"), true),
            (INNER, tr(zh, "25%–75% 区间", "25–75% range"), false),
            (OUTER, tr(zh, "5%–95% 区间", "5–95% range"), false),
            (TARGET, tr(zh, "目标（×）", "target (×)"), false),
        ];
        if self.observed_start {
            entries.push((
                START,
                tr(zh, "起点（●，观测值）", "start (●, observed)"),
                false,
            ));
        }
        legend(&foot, &entries)
    }
}
