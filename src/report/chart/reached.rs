//! When is a target reached: the cumulative probability that its threshold
//! has been reached by each year, one line per target.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Figure, fail, house, legend, legend_rows, shorten, text, tr};
use crate::report::format::percent;
use crate::report::results::Results;

/// Twenty distinct line colours (ColorBrewer Dark2 and Set1, then others),
/// so that a plan with many targets never repeats one.
pub(crate) const PALETTE: [RGBColor; 20] = [
    RGBColor(27, 158, 119),
    RGBColor(217, 95, 2),
    RGBColor(117, 112, 179),
    RGBColor(231, 41, 138),
    RGBColor(102, 166, 30),
    RGBColor(230, 171, 2),
    RGBColor(166, 118, 29),
    RGBColor(102, 102, 102),
    RGBColor(228, 26, 28),
    RGBColor(55, 126, 184),
    RGBColor(77, 175, 74),
    RGBColor(152, 78, 163),
    RGBColor(255, 127, 0),
    RGBColor(0, 0, 0),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
];

pub struct Reached {
    lines: Vec<(String, Vec<(i32, f64)>)>,
    title: String,
    zh: bool,
    years: (i32, i32),
}

impl Reached {
    pub fn new(r: &Results) -> Reached {
        let zh = r.chinese();
        Reached {
            lines: r
                .targets
                .iter()
                .map(|t| {
                    (
                        shorten(&t.label, 30),
                        t.first_year_reached
                            .by_year
                            .iter()
                            .map(|b| (b.year, b.p))
                            .collect(),
                    )
                })
                .collect(),
            title: format!(
                "{} — {}",
                shorten(&r.scenario.label, 36),
                tr(zh, "何时达到目标", "when is each target reached")
            ),
            zh,
            years: (r.scenario.start_year, r.scenario.end_year),
        }
    }

    fn legend_height(&self) -> u32 {
        let labels: Vec<String> = self.lines.iter().map(|(l, _)| l.clone()).collect();
        legend_rows(&labels, 1000) * 22 + 16
    }
}

impl Figure for Reached {
    fn size(&self) -> (u32, u32) {
        (1000, 560 + self.legend_height())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let (_, h) = self.size();
        let (main, foot) = root.split_vertically(h - self.legend_height());
        let (x0, x1) = (self.years.0, self.years.1.max(self.years.0 + 1));
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, text(20))
            .margin(14)
            .margin_right(30)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, 0f64..1.02f64)
            .map_err(fail)?;
        house(&mut chart.configure_mesh())
            .x_labels(((x1 - x0 + 1) as usize).min(12))
            .x_label_formatter(&|y| y.to_string())
            .y_labels(6)
            .y_label_formatter(&|v| percent(*v))
            .y_desc(tr(
                self.zh,
                "到该年为止已达到的概率",
                "probability reached by the year",
            ))
            .draw()
            .map_err(fail)?;
        let mut entries = Vec::new();
        for (i, (label, pts)) in self.lines.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(
                    LineSeries::new(pts.iter().copied(), color.stroke_width(3)).point_size(3),
                )
                .map_err(fail)?;
            entries.push((color, label.clone(), true));
        }
        legend(&foot, &entries)
    }
}
