//! Grouped bars for a comparison: a group per target (and the joint), a bar
//! per arm with its 95% interval, the baseline first.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::reached::PALETTE;
use super::{Figure, INK, fail, house, label_lines, legend, legend_rows, text, titled, tr, widest};
use crate::analysis::compare::Comparison;
use crate::report::format::percent;

/// A target's group of bars: its label, its reading and, per arm, (p, low, high).
type Group = (String, Option<String>, Vec<(f64, f64, f64)>);

pub struct CompareBars {
    pub title: String,
    /// Per target: label and, per arm, (p, low, high).
    groups: Vec<Group>,
    arms: Vec<String>,
    zh: bool,
}

impl CompareBars {
    pub fn new(c: &Comparison, zh: bool) -> CompareBars {
        CompareBars {
            title: format!(
                "{} — {}",
                c.label,
                tr(zh, "政策方案比较", "policy variants compared")
            ),
            groups: c
                .targets
                .iter()
                .map(|t| {
                    let mut bars = vec![(t.baseline, t.baseline_low, t.baseline_high)];
                    bars.extend(t.variants.iter().map(|v| (v.p_met, v.ci_low, v.ci_high)));
                    (t.label.clone(), t.reading.clone(), bars)
                })
                .collect(),
            arms: c.arms.iter().map(|a| a.label.clone()).collect(),
            zh,
        }
    }

    /// The legend's height: a row of arms per line it needs.
    fn foot(&self) -> u32 {
        legend_rows(&self.arms, 1100) * 22 + 18
    }

    fn arms_n(&self) -> usize {
        self.arms.len().max(1)
    }
}

impl Figure for CompareBars {
    fn size(&self) -> (u32, u32) {
        let rows = self.groups.len() * self.arms_n();
        (
            1100,
            150 + 16 * rows as u32 + 14 * self.groups.len() as u32 + self.foot(),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        root.fill(&WHITE).map_err(fail)?;
        let (w, h) = root.dim_in_pixel();
        let (main, foot) = root.split_vertically(h - self.foot());
        let labels: Vec<String> = self
            .groups
            .iter()
            .flat_map(|g| std::iter::once(g.0.clone()).chain(g.1.clone()))
            .collect();
        let left = (widest(&main, &labels, 14) + 24).clamp(80, w * 45 / 100);
        let k = self.arms_n() as f64;
        let n = self.groups.len().max(1) as f64;
        let plot = titled(&main, &self.title)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .margin_right(60)
            .x_label_area_size(44)
            .y_label_area_size(left)
            .build_cartesian_2d(0f64..1f64, 0f64..n)
            .map_err(fail)?;
        house(&mut chart.configure_mesh())
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&|x| percent(*x))
            .x_desc(tr(
                self.zh,
                "实现概率（须线为 95% 置信区间）",
                "probability met (whisker: 95% interval)",
            ))
            .draw()
            .map_err(fail)?;
        let label_style = text(14).pos(Pos::new(HPos::Right, VPos::Center));
        for (g, (label, note, bars)) in self.groups.iter().enumerate() {
            let top = n - g as f64;
            let slot = 0.8 / k;
            for (a, (p, lo, hi)) in bars.iter().enumerate() {
                let y1 = top - 0.1 - slot * a as f64;
                let y0 = y1 - slot * 0.85;
                let color = PALETTE[a % PALETTE.len()];
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y0), (*p, y1)],
                        color.filled(),
                    )))
                    .map_err(fail)?;
                let c = (y0 + y1) / 2.0;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(*lo, c), (*hi, c)],
                        INK.stroke_width(1),
                    )))
                    .map_err(fail)?;
                // The number beside each bar: a group of empty bars reads
                // "< 1%" for every arm, not as a gap.
                let (tx, ty) = chart.backend_coord(&(hi.max(*p), c));
                main.draw(&Text::new(
                    crate::report::format::probability_point(*p, *lo, *hi),
                    (tx + 5, ty),
                    text(11).pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(fail)?;
            }
            let (x0, yc) = chart.backend_coord(&(0.0, top - 0.5));
            let lines = label_lines(label, note.as_deref(), left);
            let k = lines.len() as i32;
            for (j, (line, grey)) in lines.into_iter().enumerate() {
                let dy = (2 * j as i32 - (k - 1)) * 9;
                let style = if grey {
                    text(12)
                        .color(&INK)
                        .pos(Pos::new(HPos::Right, VPos::Center))
                } else {
                    label_style.clone()
                };
                main.draw(&Text::new(line, (x0 - 8, yc + dy), style))
                    .map_err(fail)?;
            }
        }
        let entries: Vec<(RGBColor, String, bool)> = self
            .arms
            .iter()
            .enumerate()
            .map(|(a, l)| (PALETTE[a % PALETTE.len()], l.clone(), false))
            .collect();
        legend(&foot, &entries)
    }
}
