//! A tornado chart for one target: the parameters whose uncertainty moves
//! P(met) most, largest on top; each bar runs from 0 to the swing between the
//! parameter's lowest and highest deciles (green: higher values help; red:
//! they hurt).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    Figure, HIGH, INK, LOW, fail, house, legend, one_line, text, title_height, titled, tr, widest,
    wrap,
};
use crate::analysis::sensitivity::{Influence, TargetSensitivity, top_drivers};

pub struct Tornado {
    pub title: String,
    bars: Vec<(String, f64)>,
    /// What the bars measure: the swing of P(met), or — when no unknown
    /// swings it (P near 0 or 1) — the rank correlation with the target's
    /// value, which still says what would move it.
    by: Measure,
    p_met: f64,
    zh: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Measure {
    Swing,
    Correlation,
    /// Nothing moves the target within the parameters' ranges.
    Nothing,
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
    pub fn new(
        t: &TargetSensitivity,
        top: usize,
        zh: bool,
        labels: &std::collections::BTreeMap<String, String>,
    ) -> Tornado {
        let by_swing = top_drivers(&t.influences, top, true);
        let (by, chosen) = if !by_swing.is_empty() {
            (Measure::Swing, by_swing)
        } else {
            let by_rho = top_drivers(&t.influences, top, false);
            if by_rho.is_empty() {
                (Measure::Nothing, Vec::new())
            } else {
                (Measure::Correlation, by_rho)
            }
        };
        Tornado {
            title: format!(
                "{} — {}",
                t.label,
                tr(
                    zh,
                    "哪些不确定因素影响最大",
                    "which uncertainty matters most"
                )
            ),
            bars: chosen
                .iter()
                .map(|f| {
                    let v = match by {
                        Measure::Swing => f.swing,
                        _ => f.rank_correlation,
                    };
                    let name = labels.get(&f.parameter).unwrap_or(&f.parameter);
                    (name.clone(), v)
                })
                .collect(),
            by,
            p_met: t.p_met,
            zh,
        }
    }

    /// The note, wrapped to the chart's width.
    fn note_lines(&self) -> Vec<String> {
        self.note()
            .map(|n| wrap(&n, 14, 1100 - 24))
            .unwrap_or_default()
    }

    /// The foot: the colour key (when there are bars) and the note.
    fn foot(&self) -> u32 {
        let key = if self.by == Measure::Nothing { 0 } else { 40 };
        key + 20 * self.note_lines().len() as u32 + 12
    }

    /// Why the bars are what they are, under the chart.
    fn note(&self) -> Option<String> {
        let p = crate::report::format::percent(self.p_met);
        match self.by {
            Measure::Swing => None,
            Measure::Correlation => Some(tr(
                self.zh,
                &format!(
                    "实现概率为 {p}，没有哪个参数在其范围内能单独改变结果；条形为各参数与目标指标数值的秩相关，表示推动方向。"
                ),
                &format!(
                    "P(met) is {p} and no parameter alone changes that within its range; bars show each parameter's rank correlation with the target's value: what pushes it, and which way."
                ),
            )),
            Measure::Nothing => Some(tr(
                self.zh,
                &format!(
                    "实现概率为 {p}，没有任何参数在其不确定范围内与结果相关：结果由固定输入决定，见报告中的可达上限说明。"
                ),
                &format!(
                    "P(met) is {p} and no parameter, across its uncertain range, is related to the outcome: the fixed inputs decide it (see the report's note on the attainable maximum)."
                ),
            )),
        }
    }
}

impl Figure for Tornado {
    fn size(&self) -> (u32, u32) {
        let plot = if self.by == Measure::Nothing {
            title_height(2)
        } else {
            140 + 30 * self.bars.len().max(1) as u32
        };
        (1100, plot + self.foot())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        root.fill(&WHITE).map_err(fail)?;
        let (w, h) = root.dim_in_pixel();
        let (main, foot) = root.split_vertically(h - self.foot());
        // The note says why the bars measure what they do (or why there are none).
        let (keys, notes) = foot.split_vertically(if self.by == Measure::Nothing { 0 } else { 40 });
        for (i, line) in self.note_lines().iter().enumerate() {
            notes
                .draw(&Text::new(
                    line.clone(),
                    (12, 6 + 20 * i as i32),
                    text(14).color(&INK),
                ))
                .map_err(fail)?;
        }
        if self.by == Measure::Nothing {
            titled(&main, &self.title)?;
            return Ok(());
        }
        let by = self.by;
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
        let plot = titled(&main, &self.title)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .margin_right(50)
            .x_label_area_size(44)
            .y_label_area_size(left)
            .build_cartesian_2d(-reach..reach, 0f64..n)
            .map_err(fail)?;
        house(&mut chart.configure_mesh())
            .disable_y_mesh()
            .y_labels(0)
            .x_label_formatter(&|x| match by {
                Measure::Swing => format!("{:+.0}", x * 100.0),
                _ => format!("{x:+.1}"),
            })
            .x_desc(match by {
                Measure::Swing => tr(
                    self.zh,
                    "实现概率之差（百分点）：该参数取高值（前 10%）与取低值（后 10%）相比",
                    "change in P(met), points: parameter in its top decile vs its bottom decile",
                ),
                _ => tr(
                    self.zh,
                    "与目标指标数值的秩相关（Spearman）",
                    "rank correlation with the target's value (Spearman)",
                ),
            })
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
            let label = one_line(label, 13, left.saturating_sub(24));
            main.draw(&Text::new(label, (x0 - 8, yc), label_style.clone()))
                .map_err(fail)?;
            let (tx, _) = chart.backend_coord(&(*swing, y + 0.5));
            let (pos, dx) = if *swing >= 0.0 {
                (HPos::Left, 6)
            } else {
                (HPos::Right, -6)
            };
            main.draw(&Text::new(
                match by {
                    Measure::Swing => format!("{:+.1}", swing * 100.0),
                    _ => format!("{swing:+.2}"),
                },
                (tx + dx, yc),
                text(12).pos(Pos::new(pos, VPos::Center)),
            ))
            .map_err(fail)?;
        }
        legend(
            &keys,
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
