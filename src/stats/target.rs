//! The summary of one target over a run's trajectories (MODEL.md, "Targets"):
//! the probability it is met with its interval, the distribution of the
//! metric in the target year, the expected shortfall when missed, and when
//! the threshold is first reached.

use serde::{Deserialize, Serialize};

use super::interval::wilson;
use super::{Histogram, QUANTILES};
use crate::model::bounds::Attainable;
use crate::scenario::{Region, Scope, Target};

/// Quantiles of a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl Quantiles {
    /// The reported quantiles of a histogram of fixed-point values, in the
    /// metric's own unit (`scale`: fixed-point units per unit).
    pub fn of(h: &Histogram, scale: f64) -> Quantiles {
        let q: Vec<f64> = h.quantiles(&QUANTILES).iter().map(|v| v / scale).collect();
        Quantiles::from_slice(&q)
    }

    pub fn from_slice(q: &[f64]) -> Quantiles {
        let g = |i: usize| q.get(i).copied().unwrap_or(f64::NAN);
        Quantiles {
            p05: g(0),
            p25: g(1),
            p50: g(2),
            p75: g(3),
            p95: g(4),
        }
    }
}

/// The probability that the threshold has been reached by a year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReachedBy {
    pub year: i32,
    pub p: f64,
}

/// When the threshold is first reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstYear {
    /// Cumulative probability of having reached it, start year to end year.
    pub by_year: Vec<ReachedBy>,
    /// The first year by which at least half the trajectories reached it; null if none.
    pub median_year: Option<i32>,
    /// Share of trajectories that never reach it within the horizon.
    pub p_never: f64,
}

/// The distribution of a target's metric over its scope in one year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct YearStats {
    pub year: i32,
    pub mean: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

/// One region's probability for a target set for every region with a tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionOutcome {
    pub region: String,
    pub label: String,
    pub p_met: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Everything reported about one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSummary {
    pub id: String,
    pub label: String,
    pub label_en: Option<String>,
    pub metric: String,
    pub scope: String,
    pub year: i32,
    pub op: String,
    pub threshold: f64,
    /// How the document's wording is read (when it could be read two ways).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    /// The values are what was added since the start year, not levels.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub since_start: bool,
    /// For `every:` scopes met by a share of the regions: that share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_of_regions: Option<f64>,
    pub p_met: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Mean of the metric in the target year (exact to the metric's unit;
    /// for `every:` scopes, of the
    /// binding region's value: the lowest, or the highest for `<=`/`<`).
    pub mean: f64,
    /// From the histogram of the target year: exact below 1,024 units,
    /// within 0.1% above (the same figures as `by_year`).
    pub quantiles: Quantiles,
    /// The metric in the target year at every percentile, 0th (the least
    /// seen) to 100th (the most): the distribution the exceedance chart
    /// draws, with the threshold and P(met) on it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub percentiles: Vec<f64>,
    /// Mean gap to the threshold in the trajectories that miss; null if none miss.
    pub expected_shortfall: Option<f64>,
    pub first_year_reached: FirstYear,
    /// The metric over the target's scope in every year, start year first
    /// (histogram quantiles, within 0.1%; for `every:` scopes the binding region).
    #[serde(default)]
    pub by_year: Vec<YearStats>,
    /// For `every:` scopes: each tagged region's own probability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<RegionOutcome>>,
    /// The most the metric can reach under the file's fixed inputs, and the
    /// limit that sets it (for metrics a quota caps; null for the others).
    #[serde(default)]
    pub attainable: Option<Attainable>,
    /// How much of the metric's spread in the target year the per-trajectory
    /// unknowns make, and how much year-to-year chance (null when the metric
    /// does not vary).
    #[serde(default)]
    pub spread: Option<SpreadSplit>,
}

/// The spread of a result split between ignorance and chance: from pairs of
/// trajectories sharing every per-trajectory draw (the unknowns) but not the
/// year-to-year draws, Cov(Y, Y′) estimates Var(E[Y | unknowns]) — the part of
/// Var(Y) that knowing the unknowns would remove (the law of total variance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpreadSplit {
    /// Share of the variance from the unknowns, in [0, 1].
    pub unknowns: f64,
    /// Share from year-to-year chance (1 − unknowns).
    pub chance: f64,
    /// Pairs the estimate rests on.
    pub pairs: u64,
}

/// Splits the variance of `y` (first trajectories of a run) using their
/// twins `twin`; `None` when the values do not vary.
pub fn split_spread(y: &[f64], twin: &[f64]) -> Option<SpreadSplit> {
    let m = y.len().min(twin.len());
    if m < 2 {
        return None;
    }
    let mean = |v: &[f64]| v[..m].iter().sum::<f64>() / m as f64;
    let (a, b) = (mean(y), mean(twin));
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for i in 0..m {
        let (dy, dt) = (y[i] - a, twin[i] - b);
        cov += dy * dt;
        va += dy * dy;
        vb += dt * dt;
    }
    let var = (va + vb) / 2.0;
    if var <= 0.0 || !var.is_finite() {
        return None;
    }
    let unknowns = (cov / var).clamp(0.0, 1.0);
    Some(SpreadSplit {
        unknowns,
        chance: 1.0 - unknowns,
        pairs: m as u64,
    })
}

/// A target's tallies over trajectories: integers (and exact fixed-point
/// sums), so tallies of any split of the trajectories merge to the same
/// summary in any order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetCounts {
    /// Trajectories that met it.
    pub met: u64,
    /// Trajectories that first reached the threshold in each year (index
    /// from the start year).
    pub first: Vec<u64>,
    /// Sum of the gaps to the threshold in the trajectories that missed
    /// (fixed-point, the metric's scale).
    pub gap_sum: i128,
    /// For `every:` scopes: trajectories in which each tagged region met it.
    pub region_met: Vec<u64>,
    /// The metric over the target's scope in every year (fixed-point).
    pub by_year: Vec<Histogram>,
}

impl TargetCounts {
    /// Empty tallies for a target over `years` years and `regions` tagged regions.
    pub fn new(years: usize, regions: usize) -> TargetCounts {
        TargetCounts {
            met: 0,
            first: vec![0; years],
            gap_sum: 0,
            region_met: vec![0; regions],
            by_year: vec![Histogram::default(); years],
        }
    }

    pub fn merge(&mut self, o: &TargetCounts) {
        self.met += o.met;
        self.gap_sum += o.gap_sum;
        for (a, b) in self.first.iter_mut().zip(&o.first) {
            *a += b;
        }
        for (a, b) in self.region_met.iter_mut().zip(&o.region_met) {
            *a += b;
        }
        for (a, b) in self.by_year.iter_mut().zip(&o.by_year) {
            a.merge(b);
        }
    }
}

/// Summarises a target from its tallies over `n` trajectories. Quantiles
/// and the mean come from the histogram of its year (exact below 1,024 in
/// the metric's fixed-point unit, within 0.1% above); the probability, the
/// first years and the shortfall from exact counts.
pub fn summarise(
    t: &Target,
    regions: &[Region],
    start_year: i32,
    n: u64,
    c: &TargetCounts,
) -> TargetSummary {
    let scale = t.metric.unit().scale();
    let ci = wilson(c.met, n);
    let yi = (t.year - start_year) as usize;
    let missed = n - c.met;
    let expected_shortfall = (missed > 0).then(|| (c.gap_sum as f64 / scale) / missed as f64);

    let mut by_year = Vec::with_capacity(c.first.len());
    let mut cum = 0;
    let mut median_year = None;
    for (i, r) in c.first.iter().enumerate() {
        cum += r;
        let year = start_year + i as i32;
        let p = cum as f64 / n.max(1) as f64;
        if median_year.is_none() && 2 * cum >= n && n > 0 {
            median_year = Some(year);
        }
        by_year.push(ReachedBy { year, p });
    }
    let p_never = (n - cum) as f64 / n.max(1) as f64;

    let regions_out = match &t.scope {
        Scope::Every { regions: idx, .. } => Some(
            idx.iter()
                .zip(&c.region_met)
                .map(|(&i, &k)| {
                    let ci = wilson(k, n);
                    RegionOutcome {
                        region: regions[i].id.clone(),
                        label: regions[i].label.clone(),
                        p_met: ci.p,
                        ci_low: ci.low,
                        ci_high: ci.high,
                    }
                })
                .collect(),
        ),
        _ => None,
    };
    let years = c
        .by_year
        .iter()
        .enumerate()
        .map(|(y, h)| {
            let q = Quantiles::of(h, scale);
            YearStats {
                year: start_year + y as i32,
                mean: h.mean() / scale,
                p05: q.p05,
                p25: q.p25,
                p50: q.p50,
                p75: q.p75,
                p95: q.p95,
            }
        })
        .collect::<Vec<_>>();
    // The target's year is one of them.
    let at = years[yi];

    TargetSummary {
        id: t.id.clone(),
        label: t.label.clone(),
        label_en: t.label_en.clone(),
        metric: t.metric.name().to_string(),
        scope: t.scope.describe(regions),
        year: t.year,
        op: t.op.symbol().to_string(),
        threshold: t.threshold,
        reading: t.reading.clone(),
        since_start: t.since_start,
        share_of_regions: (t.share_of_regions < 1.0).then_some(t.share_of_regions),
        p_met: ci.p,
        ci_low: ci.low,
        ci_high: ci.high,
        mean: at.mean,
        quantiles: Quantiles {
            p05: at.p05,
            p25: at.p25,
            p50: at.p50,
            p75: at.p75,
            p95: at.p95,
        },
        percentiles: {
            let ps: Vec<f64> = (0..=100).map(|k| f64::from(k) / 100.0).collect();
            c.by_year[yi]
                .quantiles(&ps)
                .into_iter()
                .map(|v| v / scale)
                .collect()
        },
        expected_shortfall,
        first_year_reached: FirstYear {
            by_year,
            median_year,
            p_never,
        },
        by_year: years,
        regions: regions_out,
        attainable: None,
        spread: None,
    }
}
