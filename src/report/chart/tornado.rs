//! A tornado chart for one target: the parameters whose uncertainty moves
//! P(met) most, largest on top; each bar runs from 0 to the swing between the
//! parameter's lowest and highest deciles (green: higher values help; red:
//! they hurt).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Figure, HIGH, LOW, fail, house, legend, shorten, text, tr, widest};
use crate::analysis::sensitivity::{Influence, TargetSensitivity, top_drivers};

pub struct Tornado {
    pub title: String,
    bars: Vec<(String, f64)>,
    zh: bool,
}

/// The bars: the regions' copies of one number as one bar (a shared draw
/// would otherwise fill the chart with the same bar); when no unknown swings
/// the answer (P near 0 or 1), those most correlated with the target's value.
pub fn ranked(t: &TargetSensitivity, top: usize) -> Vec<Influence> {
    let by_swing = top_drivers(&t.influences, top, true);
    if !by_swing.is_empty() {
        return by_swing;
    }
    let by_rho = top_drivers(&t.influences, top, false);
    if !by_rho.is_empty() {
        return by_rho;
    }
    t.influences.iter().take(top).cloned().collect()
}

impl Tornado {
    pub fn new(t: &TargetSensitivity, top: usize, zh: bool) -> Tornado {
        Tornado {
            title: format!(
                "{} — {}",
                shorten(&t.label, 36),
                tr(
                    zh,
                    "哪些不确定因素影响最大",
                    "which uncertainty matters most"
                )
            ),
            bars: ranked(t, top)
                .iter()
                .map(|f| (shorten(&f.parameter, 48), f.swing))
                .collect(),
            zh,
        }
    }
}

impl Figure for Tornado {
    fn size(&self) -> (u32, u32) {
        (1100, 140 + 30 * self.bars.len().max(1) as u32 + 40)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        root.fill(&WHITE).map_err(fail)?;
        let (w, h) = root.dim_in_pixel();
        let (main, foot) = root.split_vertically(h - 40);
        let labels: Vec<String> = self.bars.iter().map(|b| b.0.clone()).collect();
        let left = (widest(&main, &labels, 13) + 20).clamp(80, w / 2);
        let n = self.bars.len().max(1) as f64;
        let reach = self
            .bars
            .iter()
            .map(|b| b.1.abs())
            .fold(0.05, f64::max)
            .min(1.0)
            * 1.15;
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, text(20))
            .margin(12)
            .margin_right(50)
            .x_label_area_size(44)
            .y_label_area_size(left)
            .build_cartesian_2d(-reach..reach, 0f64..n)
            .map_err(fail)?;
        house(&mut chart.configure_mesh())
            .disable_y_mesh()
            .y_labels(0)
            .x_label_formatter(&|x| format!("{:+.0}", x * 100.0))
            .x_desc(tr(
                self.zh,
                "实现概率之差（百分点）：该参数取高值（前 10%）与取低值（后 10%）相比",
                "change in P(met), points: parameter in its top decile vs its bottom decile",
            ))
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n)],
                BLACK.stroke_width(1),
            )))
            .map_err(fail)?;
        let label_style = text(13).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, (label, swing)) in self.bars.iter().enumerate() {
            let y = n - 1.0 - i as f64;
            let color = if *swing >= 0.0 { HIGH } else { LOW };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.2), (*swing, y + 0.8)],
                    color.filled(),
                )))
                .map_err(fail)?;
            let (x0, yc) = chart.backend_coord(&(-reach, y + 0.5));
            main.draw(&Text::new(label.clone(), (x0 - 8, yc), label_style.clone()))
                .map_err(fail)?;
            let (tx, _) = chart.backend_coord(&(*swing, y + 0.5));
            let (pos, dx) = if *swing >= 0.0 {
                (HPos::Left, 6)
            } else {
                (HPos::Right, -6)
            };
            main.draw(&Text::new(
                format!("{:+.1}", swing * 100.0),
                (tx + dx, yc),
                text(12).pos(Pos::new(pos, VPos::Center)),
            ))
            .map_err(fail)?;
        }
        legend(
            &foot,
            &[
                (
                    HIGH,
                    tr(self.zh, "取值越高越有利", "higher values help"),
                    false,
                ),
                (
                    LOW,
                    tr(self.zh, "取值越高越不利", "higher values hurt"),
                    false,
                ),
            ],
        )
    }
}
