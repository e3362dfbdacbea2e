//! Probability of each target: a horizontal bar per target (the plan's
//! wording as label), its 95% interval as a whisker, coloured by band, and
//! the joint probability last.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Figure, HBar, draw_hbars, hbars_height, tr};
use crate::report::results::Results;

pub struct Probability {
    bars: Vec<HBar>,
    title: String,
    zh: bool,
}

impl Probability {
    pub fn new(r: &Results) -> Probability {
        let zh = r.chinese();
        let mut bars: Vec<HBar> = r
            .targets
            .iter()
            .map(|t| HBar {
                label: t.label.clone(),
                note: t.reading.clone(),
                p: t.p_met,
                low: t.ci_low,
                high: t.ci_high,
            })
            .collect();
        bars.push(HBar {
            label: tr(zh, "全部目标同时实现", "All targets together"),
            note: None,
            p: r.joint.p_met,
            low: r.joint.ci_low,
            high: r.joint.ci_high,
        });
        Probability {
            bars,
            title: format!(
                "{} — {}",
                r.scenario.label,
                tr(zh, "各目标实现的概率", "probability each target is met")
            ),
            zh,
        }
    }
}

impl Figure for Probability {
    fn size(&self) -> (u32, u32) {
        (1100, hbars_height(&self.bars, 1100, &self.title))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let desc = tr(
            self.zh,
            "实现概率（须线为 95% 置信区间）",
            "probability met (whisker: 95% interval)",
        );
        draw_hbars(root, &self.title, &self.bars, &desc, self.zh)
    }
}
