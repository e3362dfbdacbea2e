//! Where: for a target set for every region with a tag ("a station in every
//! key poverty county"), each region's own probability, sorted, lowest first
//! — the regions that hold the target back are on top.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Figure, HBar, draw_hbars, hbars_height, slug, tr};
use crate::report::results::Results;

pub struct Regions {
    pub title: String,
    bars: Vec<HBar>,
    zh: bool,
}

impl Regions {
    /// One chart per `every:` target, named `regions-<target id>`.
    pub fn all(r: &Results) -> Vec<(String, Regions)> {
        let zh = r.chinese();
        r.targets
            .iter()
            .filter_map(|t| {
                let regions = t.regions.as_ref()?;
                let mut bars: Vec<HBar> = regions
                    .iter()
                    .map(|g| HBar {
                        label: g.label.clone(),
                        note: None,
                        p: g.p_met,
                        low: g.ci_low,
                        high: g.ci_high,
                    })
                    .collect();
                bars.sort_by(|a, b| a.p.total_cmp(&b.p).then_with(|| a.label.cmp(&b.label)));
                Some((
                    format!("regions-{}", slug(&t.id)),
                    Regions {
                        title: format!(
                            "{} — {}",
                            t.label,
                            tr(zh, "各地区实现的概率", "probability by region")
                        ),
                        bars,
                        zh,
                    },
                ))
            })
            .collect()
    }
}

impl Figure for Regions {
    fn size(&self) -> (u32, u32) {
        (1000, hbars_height(&self.bars, 1000, &self.title))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let desc = tr(
            self.zh,
            "该地区实现的概率（须线为 95% 置信区间）",
            "probability the region meets it (whisker: 95% interval)",
        );
        draw_hbars(root, &self.title, &self.bars, &desc, self.zh)
    }
}
