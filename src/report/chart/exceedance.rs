//! How sure is the target: the exceedance ("certainty", S-) curve of a
//! target's metric in its year — the probability of reaching at least each
//! value (at most, for a `<=` target) — with the threshold and P(met)
//! marked where they meet. What @RISK and Crystal Ball call the certainty
//! chart: it shows how far a threshold sits from where the plan is likely
//! to land, and how much a lower or higher one would change the answer.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Figure, HIGH, INK, LOW, fail, house, slug, text, titled, tr};
use crate::report::format::percent;
use crate::report::results::Results;
use crate::stats::target::TargetSummary;

pub struct Exceedance {
    pub title: String,
    /// (value, probability of reaching it), by value.
    curve: Vec<(f64, f64)>,
    threshold: f64,
    p_met: f64,
    at_most: bool,
    share: bool,
    /// Money: values in 万元 (yuan).
    money: bool,
    zh: bool,
    x_desc: String,
}

impl Exceedance {
    /// One chart per target whose distribution the run recorded.
    pub fn all(r: &Results) -> Vec<(String, Exceedance)> {
        let zh = r.chinese();
        r.targets
            .iter()
            .filter(|t| t.percentiles.len() > 1)
            .map(|t| {
                (
                    format!("exceedance-{}", slug(&t.id)),
                    Exceedance::new(t, zh),
                )
            })
            .collect()
    }

    fn new(t: &TargetSummary, zh: bool) -> Exceedance {
        let at_most = t.op.starts_with('<');
        let n = (t.percentiles.len() - 1) as f64;
        // The k-th percentile q: P(X ≥ q) ≈ 1 − k/n; for "at most", P(X ≤ q) ≈ k/n.
        let curve = t
            .percentiles
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                (
                    v,
                    if at_most {
                        k as f64 / n
                    } else {
                        1.0 - k as f64 / n
                    },
                )
            })
            .collect();
        let share = crate::report::format::is_share(&t.metric);
        let money = crate::report::format::is_money(&t.metric);
        Exceedance {
            title: format!("{} — {} {}", t.label, t.year, tr(zh, "的把握", "certainty")),
            curve,
            threshold: t.threshold,
            p_met: t.p_met,
            at_most,
            share,
            money,
            zh,
            x_desc: format!(
                "{} {}",
                crate::report::format::metric_label(&t.metric, zh),
                t.year
            ),
        }
    }
}

impl Figure for Exceedance {
    fn size(&self) -> (u32, u32) {
        (1000, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let lo = self
            .curve
            .iter()
            .map(|c| c.0)
            .fold(self.threshold, f64::min);
        let hi = self
            .curve
            .iter()
            .map(|c| c.0)
            .fold(self.threshold, f64::max);
        let pad = ((hi - lo) * 0.06).max(if self.share { 0.01 } else { 1.0 });
        let (x0, x1) = (lo - pad, hi + pad);
        let (x0, x1) = if self.share {
            (x0.max(0.0), x1.min(1.0).max(x0 + 0.01))
        } else {
            (x0.max(0.0), x1)
        };
        let plot = titled(root, &self.title)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(14)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, 0f64..1.02f64)
            .map_err(fail)?;
        let (share, zh, money) = (self.share, self.zh, self.money);
        let value =
            |v: f64, share: bool, zh: bool| crate::report::format::amount(v, share, money, zh);
        house(&mut chart.configure_mesh())
            .x_labels(10)
            .x_label_formatter(&|v| value(*v, share, zh))
            .y_labels(6)
            .y_label_formatter(&|p| percent(*p))
            .x_desc(self.x_desc.clone())
            .y_desc(if self.at_most {
                tr(zh, "不超过该值的概率", "probability of at most this value")
            } else {
                tr(zh, "达到该值的概率", "probability of reaching this value")
            })
            .draw()
            .map_err(fail)?;
        // The curve, a step at each percentile.
        let mut steps = Vec::new();
        for w in self.curve.windows(2) {
            steps.push(w[0]);
            steps.push((w[1].0, w[0].1));
        }
        if let Some(&last) = self.curve.last() {
            steps.push(last);
        }
        chart
            .draw_series(LineSeries::new(steps, INK.stroke_width(3)))
            .map_err(fail)?;
        // The threshold, and P(met) where the curve meets it.
        let colour = if self.p_met >= 0.5 { HIGH } else { LOW };
        chart
            .draw_series(DashedLineSeries::new(
                [(self.threshold, 0.0), (self.threshold, 1.02)],
                8,
                6,
                colour.stroke_width(2),
            ))
            .map_err(fail)?;
        chart
            .draw_series(DashedLineSeries::new(
                [(x0, self.p_met), (self.threshold, self.p_met)],
                8,
                6,
                colour.stroke_width(2),
            ))
            .map_err(fail)?;
        chart
            .draw_series([Circle::new(
                (self.threshold, self.p_met),
                6,
                colour.filled(),
            )])
            .map_err(fail)?;
        let label = format!(
            "{} {}: P = {}",
            tr(zh, "目标", "target"),
            value(self.threshold, share, zh),
            percent(self.p_met)
        );
        // On the side of the marker with room for it.
        let right = (self.threshold - x0) < (x1 - x0) * 0.6;
        let dx = (x1 - x0) * 0.01;
        let y = (self.p_met + 0.05).min(0.97);
        let pos = if right {
            (self.threshold + dx, y)
        } else {
            (x0 + dx, y)
        };
        chart
            .draw_series([Text::new(label, pos, text(15).color(&colour))])
            .map_err(fail)?;
        Ok(())
    }
}
