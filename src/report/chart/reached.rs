//! When is a target reached: for each target (a row) and year (a column),
//! the probability that its threshold has been reached by that year, as a
//! shaded table with the number in each cell and the target's own year
//! framed. A line per target stopped being readable past a handful of
//! targets (Hunan has 26, in two readings of several sentences).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::fan::MEDIAN;
use super::{Figure, TITLE_SIZE, fail, fit, label_lines, measure, text, title_height, titled, tr};
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

struct Row {
    label: String,
    note: Option<String>,
    year: i32,
    /// (year, P(reached by then)).
    cells: Vec<(i32, f64)>,
}

pub struct Reached {
    rows: Vec<Row>,
    years: Vec<i32>,
    title: String,
    zh: bool,
}

const WIDTH: u32 = 1100;
const FOOT: u32 = 48;

impl Reached {
    pub fn new(r: &Results) -> Reached {
        let zh = r.chinese();
        let rows: Vec<Row> = r
            .targets
            .iter()
            .map(|t| Row {
                label: t.label.clone(),
                note: t.reading.clone(),
                year: t.year,
                cells: t
                    .first_year_reached
                    .by_year
                    .iter()
                    .map(|b| (b.year, b.p))
                    .collect(),
            })
            .collect();
        let mut years: Vec<i32> = rows
            .iter()
            .flat_map(|r| r.cells.iter().map(|c| c.0))
            .collect();
        years.sort_unstable();
        years.dedup();
        Reached {
            rows,
            years,
            title: format!(
                "{} — {}",
                r.scenario.label,
                tr(
                    zh,
                    "到各年为止已达到目标的概率",
                    "probability each target has been reached, by year"
                )
            ),
            zh,
        }
    }

    /// The label column: as wide as the labels need, at most 45%.
    fn column(&self) -> u32 {
        let need = self
            .rows
            .iter()
            .map(|r| measure(&r.label, 14).max(r.note.as_ref().map_or(0, |n| measure(n, 12))))
            .max()
            .unwrap_or(0);
        (need + 24).clamp(120, WIDTH * 45 / 100)
    }

    fn pitch(&self) -> u32 {
        let c = self.column();
        if self
            .rows
            .iter()
            .any(|r| label_lines(&r.label, r.note.as_deref(), c).len() > 1)
        {
            40
        } else {
            28
        }
    }

    fn title_lines(&self) -> usize {
        fit(&self.title, TITLE_SIZE, WIDTH - 40, 2).len()
    }
}

/// A cell's shade: white at 0 to the fan charts' median blue at 1.
fn shade(p: f64) -> RGBColor {
    let p = if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: u8| (255.0 + (a as f64 - 255.0) * p).round() as u8;
    RGBColor(mix(MEDIAN.0), mix(MEDIAN.1), mix(MEDIAN.2))
}

impl Figure for Reached {
    fn size(&self) -> (u32, u32) {
        let rows = self.rows.len().max(1) as u32;
        (
            WIDTH,
            title_height(self.title_lines()) + 36 + rows * self.pitch() + FOOT,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        root.fill(&WHITE).map_err(fail)?;
        let (_, h) = self.size();
        let (main, foot) = root.split_vertically(h - FOOT);
        let main = titled(&main, &self.title)?;
        let column = self.column() as i32;
        let pitch = self.pitch() as i32;
        let n = self.years.len().max(1) as i32;
        let cell = ((WIDTH as i32 - column - 24) / n).max(30);
        let centre = Pos::new(HPos::Center, VPos::Center);
        // The header: a column per year.
        for (j, y) in self.years.iter().enumerate() {
            let x = column + cell * j as i32 + cell / 2;
            main.draw(&Text::new(y.to_string(), (x, 14), text(14).pos(centre)))
                .map_err(fail)?;
        }
        for (i, row) in self.rows.iter().enumerate() {
            let top = 30 + pitch * i as i32;
            let mid = top + pitch / 2;
            let lines = label_lines(&row.label, row.note.as_deref(), column as u32);
            let k = lines.len() as i32;
            for (j, (line, grey)) in lines.into_iter().enumerate() {
                let style = if grey {
                    text(12).color(&super::INK)
                } else {
                    text(14)
                };
                main.draw(&Text::new(
                    line,
                    (column - 10, mid + (2 * j as i32 - (k - 1)) * 9),
                    style.pos(Pos::new(HPos::Right, VPos::Center)),
                ))
                .map_err(fail)?;
            }
            for (j, y) in self.years.iter().enumerate() {
                let x = column + cell * j as i32;
                let p = row.cells.iter().find(|c| c.0 == *y).map(|c| c.1);
                let Some(p) = p else { continue };
                main.draw(&Rectangle::new(
                    [(x + 1, top + 1), (x + cell - 1, top + pitch - 1)],
                    shade(p).filled(),
                ))
                .map_err(fail)?;
                if *y == row.year {
                    main.draw(&Rectangle::new(
                        [(x + 2, top + 2), (x + cell - 2, top + pitch - 2)],
                        super::MID.stroke_width(3),
                    ))
                    .map_err(fail)?;
                }
                let ink = if p > 0.55 { WHITE } else { BLACK };
                // No trajectory at all: a dot, so the eye goes to the numbers.
                let figure = if p == 0.0 {
                    "·".to_string()
                } else {
                    percent(p)
                };
                main.draw(&Text::new(
                    figure,
                    (x + cell / 2, mid),
                    text(13).color(&ink).pos(centre),
                ))
                .map_err(fail)?;
            }
        }
        // The key: what the shade and the frame mean.
        let key = tr(
            self.zh,
            "颜色越深，到该年为止已达到目标的概率越高；橙框为目标年份；· 为没有一次模拟达到。",
            "The darker the cell, the likelier the target has been reached by that year; the orange frame marks the target's year; · no trajectory had reached it.",
        );
        let mut x = 12;
        for p in [0.0, 0.25, 0.5, 0.75, 1.0] {
            foot.draw(&Rectangle::new([(x, 14), (x + 28, 32)], shade(p).filled()))
                .map_err(fail)?;
            foot.draw(&Rectangle::new(
                [(x, 14), (x + 28, 32)],
                super::INK.stroke_width(1),
            ))
            .map_err(fail)?;
            x += 30;
        }
        foot.draw(&Text::new(
            key,
            (x + 10, 23),
            text(13).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(fail)?;
        Ok(())
    }
}
