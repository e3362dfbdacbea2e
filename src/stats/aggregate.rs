//! Everything a run aggregates as it goes, so that nothing about a
//! trajectory need be kept once it is counted: every metric's histogram by
//! `[year, scope, metric]` (an `ndarray::Array3`), each target's counts
//! ([`TargetCounts`]), the joint, and what each programme did. Counts are
//! integers and sums exact, so the aggregates of any split of the
//! trajectories — threads, or machines — merge to the same result in any
//! order ([`Aggregate::merge`]).

use ndarray::{Array3, Zip};
use serde::{Deserialize, Serialize};

use super::Histogram;
use super::programme::ProgrammeCounts;
use super::target::TargetCounts;
use crate::model::{Tally, Trajectory};
use crate::scenario::{Metric, Scenario, Scope, Target};

/// Trajectories aggregated between flushes, and handed to a worker at a
/// time: a block's metric values are added to the histograms together, so
/// the buffer holds a block's value of every histogram. 64 rather than 256:
/// with pages of 32 buckets the larger block was no faster end to end (the
/// benchmark shape at 10,000 trajectories on 2 threads: 3.1–3.3 s either
/// way) and held 4× the buffer — 42 MB per thread on Hunan, 476 MB per
/// thread over a 100-year horizon.
pub const BLOCK: usize = 64;

/// Bytes the histograms of one aggregate may take, shared equally among its
/// cells (`[year, scope, metric]`): a cell whose values spread too widely
/// for its share halves its buckets (see [`Histogram`]), so a run's memory
/// is bounded by its shape and not by its trajectory count. 256 MiB keeps
/// the shipped plans' quantiles within 0.1% at ordinary sizes; a
/// hundred-year horizon on Hunan's 47 regions (242,400 cells) took 2 GB at
/// 500 trajectories on one thread and grew with each one.
pub const HISTOGRAM_BUDGET: usize = 256 << 20;

/// The share of [`HISTOGRAM_BUDGET`] of each of `cells` histograms, within
/// 1 KiB (a metric over ten powers of two at the coarsest buckets) and
/// 64 KiB (more than any cell of a shipped plan takes unhalved).
pub fn cell_limit(cells: usize) -> u32 {
    (HISTOGRAM_BUDGET / cells.max(1)).clamp(1 << 10, 64 << 10) as u32
}

/// Which scopes' metrics a run counts in histograms. A run's own outputs
/// (metrics.csv, the fan charts) need every region's; an analysis that
/// reads only whole-scenario figures (a sweep's or a solve's probes read
/// their targets and the total spend) counts the total alone and skips the
/// regions' histograms, which are most of a run's aggregation time and
/// memory. Targets are counted in full either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetricScopes {
    /// The total and every region.
    #[default]
    Every,
    /// The whole scenario's total only: region cells stay empty (and their
    /// metrics are neither reported nor checked for impossible values,
    /// which a normal run of the same scenario checks).
    Total,
}

impl MetricScopes {
    /// Scopes counted of a scenario with `regions` regions (scope 0 is the
    /// total).
    pub fn counted(self, regions: usize) -> usize {
        match self {
            MetricScopes::Every => regions + 1,
            MetricScopes::Total => 1,
        }
    }
}

/// Everything a run aggregates as it goes: integer counts and exact sums,
/// so the aggregates of any split of the trajectories merge to the same
/// result in any order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// Every metric's histogram, by `[year, scope, metric]` (scope 0 is the
    /// total, then the regions in file order).
    pub cells: Array3<Histogram>,
    /// Each target's tallies.
    pub targets: Vec<TargetCounts>,
    /// Trajectories meeting every target.
    pub joint_met: u64,
    /// What each programme did.
    pub programmes: Vec<ProgrammeCounts>,
    /// The first (lowest-numbered) trajectory with an impossible value:
    /// (trajectory, metric index, scope index, year index, value).
    pub impossible: Option<(u64, usize, usize, usize, f64)>,
    /// The first trajectory in which a count reached the model's limit and
    /// was held there: (trajectory, metric index, scope index, year index).
    pub saturated: Option<(u64, usize, usize, usize)>,
}

impl Aggregate {
    /// An empty aggregate with a histogram for each metric, year and scope
    /// that `metrics` counts: a sweep point's or a solve probe's, which
    /// count the total alone, hold none for the regions (on Hunan, 48 times
    /// fewer: 2.3 MB of histograms and a 10.6 MB pending buffer a worker).
    pub fn new(sc: &Scenario, metrics: MetricScopes) -> Aggregate {
        let years = sc.horizon() + 1;
        let every = sc.regions.len() + 1;
        let shape = (years, metrics.counted(sc.regions.len()), Metric::ALL.len());
        // The memory limit of a cell is that of a run counting every scope,
        // so that counting fewer does not change how finely the total's
        // quantiles are kept.
        let limit = cell_limit(shape.0 * every * shape.2);
        Aggregate {
            cells: Array3::from_elem(shape, Histogram::with_limit(limit)),
            targets: sc
                .targets
                .iter()
                .map(|t| {
                    let tagged = match &t.scope {
                        Scope::Every { regions, .. } => regions.len(),
                        _ => 0,
                    };
                    TargetCounts::new(years, tagged)
                })
                .collect(),
            joint_met: 0,
            programmes: vec![ProgrammeCounts::new(sc.horizon()); sc.programmes.len()],
            impossible: None,
            saturated: None,
        }
    }

    pub fn merge(mut self, other: &Aggregate) -> Aggregate {
        Zip::from(&mut self.cells)
            .and(&other.cells)
            .for_each(|a, b| a.merge(b));
        for (a, b) in self.targets.iter_mut().zip(&other.targets) {
            a.merge(b);
        }
        self.joint_met += other.joint_met;
        for (a, b) in self.programmes.iter_mut().zip(&other.programmes) {
            a.merge(b);
        }
        // The lowest trajectory wins, whatever the merge order.
        self.impossible = lowest(self.impossible, other.impossible, |x| x.0);
        self.saturated = lowest(self.saturated, other.saturated, |x| x.0);
        self
    }
}

/// Of two first sightings, the one in the lower-numbered trajectory.
fn lowest<T>(a: Option<T>, b: Option<T>, trajectory: impl Fn(&T) -> u64) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) if trajectory(&b) < trajectory(&a) => Some(b),
        (a, b) => a.or(b),
    }
}

/// What the check of one metric's values needs, worked out once per run.
#[derive(Debug, Clone, Copy)]
struct MetricCheck {
    scale: f64,
    /// No metric can be negative (beyond rounding).
    floor: f64,
    /// A count at the model's limit was held there (saturated).
    limit: f64,
}

impl MetricCheck {
    fn all() -> Vec<MetricCheck> {
        Metric::ALL
            .iter()
            .map(|m| MetricCheck {
                scale: m.unit().scale(),
                floor: -0.5 / m.unit().scale(),
                limit: if m.unit() == crate::scenario::Unit::Count {
                    crate::model::draw::MAX_COUNT
                } else {
                    f64::INFINITY
                },
            })
            .collect()
    }
}

/// Aggregates trajectories one at a time, on one thread.
///
/// The metric values of a block's trajectories are written to `pending`,
/// each cell's values side by side (`pending[cell * BLOCK + row]`), and
/// added to the histograms when the block is flushed, one histogram and one
/// contiguous run at a time: each histogram is then touched once per block
/// while it is in cache, instead of once per trajectory.
pub struct Aggregator {
    checks: Vec<MetricCheck>,
    /// Each year's tallies summed over the regions.
    totals: Vec<Tally>,
    agg: Aggregate,
    /// The last trajectory's target values.
    values: Vec<f64>,
    /// Room for one value per region (a share-of-regions target's values).
    scratch: Vec<f64>,
    pending: Vec<i64>,
    pending_rows: usize,
}

impl Aggregator {
    pub fn new(sc: &Scenario, metrics: MetricScopes) -> Aggregator {
        Aggregator::onto(sc, Aggregate::new(sc, metrics))
    }

    /// An aggregator that goes on counting onto `agg` (another part's
    /// aggregate of the same scenario): the scopes its histograms are for
    /// are the scopes counted.
    pub fn onto(sc: &Scenario, agg: Aggregate) -> Aggregator {
        Aggregator {
            checks: MetricCheck::all(),
            totals: vec![Tally::default(); sc.horizon() + 1],
            pending: vec![0; BLOCK * agg.cells.len()],
            pending_rows: 0,
            agg,
            values: vec![0.0; sc.targets.len()],
            scratch: Vec::with_capacity(sc.regions.len()),
        }
    }

    /// Aggregates finished trajectory number `trajectory` (its metric
    /// values reach the histograms when [`BLOCK`] are pending, or at
    /// [`Aggregator::finish`]).
    pub fn add(&mut self, sc: &Scenario, traj: &Trajectory, trajectory: u64) {
        if self.pending_rows == BLOCK {
            self.flush();
        }
        record_programmes(sc, traj, &mut self.agg);
        record(sc, self, traj, trajectory);
    }

    /// The target values of the trajectory last added.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Adds the pending metric values to the histograms.
    fn flush(&mut self) {
        let rows = self.pending_rows;
        // A fresh Array3 is in standard layout, so it has a slice.
        if let Some(hs) = self.agg.cells.as_slice_mut() {
            for (h, column) in hs.iter_mut().zip(self.pending.chunks_exact(BLOCK)) {
                h.record_all(&column[..rows]);
            }
        }
        self.pending_rows = 0;
    }

    /// Everything aggregated so far.
    pub fn finish(mut self) -> Aggregate {
        self.flush();
        self.agg
    }
}

/// Records what each programme did in the trajectory just run.
fn record_programmes(sc: &Scenario, traj: &Trajectory, agg: &mut Aggregate) {
    for (k, c) in agg.programmes.iter_mut().enumerate() {
        let d = &traj.params.programmes[k];
        let built: u64 = traj.states.iter().map(|s| s.programme_built[k]).sum();
        let index = (d.start - sc.start_year - 1).max(0) as usize;
        c.record(d.on, index, built);
    }
}

/// A value as an exact integer in its metric's fixed-point unit (see
/// [`crate::scenario::Unit`]); values beyond ±9·10¹⁸ units are held there.
///
/// Rounds half away from zero, as `f64::round`, without its library call
/// (this runs for every metric, scope and year of every trajectory): the
/// truncation is exact, and so is the remainder below 2⁵³, above which
/// every double is a whole number.
#[inline]
fn fixed(scale: f64, v: f64) -> i64 {
    let x = v * scale;
    if !x.is_finite() {
        return 0;
    }
    let x = x.clamp(-9e18, 9e18);
    let t = x as i64;
    let rest = x - t as f64;
    // Without branches: a money value's fraction is as likely either side.
    t + i64::from(rest >= 0.5) - i64::from(rest <= -0.5)
}

/// Aggregates a finished trajectory and leaves its target values in
/// `w.values`.
fn record(sc: &Scenario, w: &mut Aggregator, traj: &Trajectory, trajectory: u64) {
    let years = sc.horizon() + 1;
    let metrics = Metric::ALL.len();
    let Aggregator {
        checks,
        totals,
        agg,
        values,
        scratch,
        pending,
        pending_rows,
    } = w;
    let scopes = agg.cells.dim().1;
    let row_in_block = *pending_rows;
    *pending_rows += 1;
    for (y, total_y) in totals.iter_mut().enumerate() {
        let row = traj.year(y);
        let mut total = Tally::default();
        for t in row {
            total.add(t);
        }
        *total_y = total;
        for s in 0..scopes {
            let tally = if s == 0 { &*total_y } else { &row[s - 1] };
            // Row-major `[year, scope, metric]`, as the aggregate's cells.
            let base = (y * scopes + s) * metrics;
            for (mi, (&v, c)) in tally.metrics().iter().zip(checks.iter()).enumerate() {
                if !(v >= c.floor && v.is_finite()) && agg.impossible.is_none() {
                    agg.impossible = Some((trajectory, mi, s, y, v));
                }
                if v >= c.limit && s > 0 && agg.saturated.is_none() {
                    agg.saturated = Some((trajectory, mi, s, y));
                }
                pending[(base + mi) * BLOCK + row_in_block] = fixed(c.scale, v);
            }
        }
    }
    let mut all_met = true;
    for ((tg, tc), value) in sc
        .targets
        .iter()
        .zip(&mut agg.targets)
        .zip(values.iter_mut())
    {
        let yi = (tg.year - sc.start_year) as usize;
        let scale = tg.metric.unit().scale();
        let mut first = None;
        for y in 0..years {
            let v = row_value(
                tg,
                traj.year(y),
                Some(&totals[y]),
                traj.year(0),
                Some(&totals[0]),
                scratch,
            );
            tc.by_year[y].record(fixed(scale, v));
            if y == yi {
                *value = v;
            }
            if first.is_none() && tg.op.holds(v, tg.threshold) {
                first = Some(y);
            }
        }
        if let Some(f) = first {
            tc.first[f] += 1;
        }
        if tg.op.holds(*value, tg.threshold) {
            tc.met += 1;
        } else {
            all_met = false;
            let gap = if tg.op.wants_more() {
                tg.threshold - *value
            } else {
                *value - tg.threshold
            };
            tc.gap_sum += i128::from(fixed(scale, gap));
        }
        if let Scope::Every { regions, .. } = &tg.scope {
            let (row, start) = (traj.year(yi), traj.year(0));
            for (k, &r) in regions.iter().enumerate() {
                if tg.op.holds(region_value(tg, row, start, r), tg.threshold) {
                    tc.region_met[k] += 1;
                }
            }
        }
    }
    agg.joint_met += u64::from(all_met);
}

/// A target's metric in its year, from a finished trajectory alone.
pub fn target_value(sc: &Scenario, t: &Target, traj: &Trajectory) -> f64 {
    let yi = (t.year - sc.start_year) as usize;
    row_value(t, traj.year(yi), None, traj.year(0), None, &mut Vec::new())
}

/// One region's value of a target's metric: the level, or for a target that
/// counts what was added since the start year, the change from it.
fn region_value(t: &Target, row: &[Tally], start: &[Tally], r: usize) -> f64 {
    let v = row[r].metric(t.metric);
    if t.since_start {
        v - start[r].metric(t.metric)
    } else {
        v
    }
}

/// A target's metric over its scope in one year's row of tallies (`total`:
/// the row's sum, when already made; `start`, `start_total`: the same for
/// the start year, which targets counting what was added subtract). For
/// `every:` scopes, the binding region's value, so that "met" is the
/// comparison of that value.
fn row_value(
    t: &Target,
    row: &[Tally],
    total: Option<&Tally>,
    start: &[Tally],
    start_total: Option<&Tally>,
    scratch: &mut Vec<f64>,
) -> f64 {
    let level = |row: &[Tally], total: Option<&Tally>| match (&t.scope, total) {
        (Scope::Total, Some(x)) => x.metric(t.metric),
        (scope, _) => scope_sum(row, scope, t.metric),
    };
    match &t.scope {
        Scope::Every { regions, .. } if t.share_of_regions < 1.0 => {
            // The value that k of the n regions reach: met exactly when at
            // least k regions meet the threshold. Selected in the worker's
            // own buffer, so the yearly loop allocates nothing.
            scratch.clear();
            scratch.extend(regions.iter().map(|&r| region_value(t, row, start, r)));
            let k = t.regions_needed(scratch.len());
            let at = if t.op.wants_more() {
                scratch.len() - k
            } else {
                k - 1
            };
            *scratch.select_nth_unstable_by(at, f64::total_cmp).1
        }
        Scope::Every { regions, .. } => {
            let vals = regions.iter().map(|&r| region_value(t, row, start, r));
            if t.op.wants_more() {
                vals.fold(f64::INFINITY, f64::min)
            } else {
                vals.fold(f64::NEG_INFINITY, f64::max)
            }
        }
        _ if t.since_start => level(row, total) - level(start, start_total),
        _ => level(row, total),
    }
}

/// A metric over a scope in one year's row of tallies: the metric of the
/// summed tallies (so a ratio over regions is a ratio of sums). An `every:`
/// scope is summed like its tag.
pub fn scope_sum(row: &[Tally], scope: &Scope, metric: Metric) -> f64 {
    match scope {
        Scope::Region(r) => row[*r].metric(metric),
        Scope::Total => {
            let mut s = Tally::default();
            row.iter().for_each(|t| s.add(t));
            s.metric(metric)
        }
        Scope::Tagged { regions, .. } | Scope::Every { regions, .. } => {
            let mut s = Tally::default();
            regions.iter().for_each(|&r| s.add(&row[r]));
            s.metric(metric)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> Scenario {
        Scenario::from_str(std::path::Path::new("t.toml"), crate::scenario::TEMPLATE).unwrap()
    }

    #[test]
    fn fixed_rounds_as_f64_round_does() {
        let cases = [
            0.0,
            0.4999999999999999,
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            -2.4999,
            1e15 + 0.5,
            4503599627370495.5,
            9007199254740993.0,
            1e17,
            -3.7e18,
            8.9e18,
        ];
        for x in cases {
            assert_eq!(fixed(1.0, x), x.round() as i64, "{x}");
        }
        assert_eq!(fixed(1e4, 0.98979605), 9898);
        assert_eq!(fixed(1.0, f64::NAN), 0);
        assert_eq!(fixed(1.0, 1e300), 9_000_000_000_000_000_000);
    }

    #[test]
    fn an_impossible_value_is_caught_not_written_as_zero() {
        let sc = template();
        let mut w = Aggregator::new(&sc, MetricScopes::Every);
        let mut traj = Trajectory::new(&sc);
        traj.run(&sc, 1, 0);
        w.add(&sc, &traj, 7);
        assert_eq!(w.agg.impossible, None, "a sound trajectory flagged");
        // A budget gone NaN in region 1, year 2.
        let regions = sc.regions.len();
        traj.tallies[2 * regions + 1].budget = f64::NAN;
        w.add(&sc, &traj, 7);
        let (t, mi, s, y, v) = w.finish().impossible.unwrap();
        assert_eq!((t, Metric::ALL[mi].name(), y), (7, "budget", 2));
        assert!(v.is_nan() && (s == 0 || s == 2));
    }

    #[test]
    fn the_lowest_trajectory_with_an_impossible_value_is_reported_in_any_merge_order() {
        let sc = template();
        let a = |t: u64| {
            let mut g = Aggregate::new(&sc, MetricScopes::Every);
            g.impossible = Some((t, 0, 0, 1, -5.0));
            g
        };
        assert_eq!(a(9).merge(&a(3)).impossible.unwrap().0, 3);
        assert_eq!(a(3).merge(&a(9)).impossible.unwrap().0, 3);
        assert_eq!(
            Aggregate::new(&sc, MetricScopes::Every)
                .merge(&a(4))
                .impossible
                .unwrap()
                .0,
            4
        );
    }

    #[test]
    fn any_split_of_the_trajectories_merges_to_the_same_aggregate() {
        // 0..600 in one aggregator, or as 0..250, 250..600 merged either way.
        let sc = template();
        let mut traj = Trajectory::new(&sc);
        let mut over = |range: std::ops::Range<u64>| {
            let mut w = Aggregator::new(&sc, MetricScopes::Every);
            for i in range {
                traj.run(&sc, 3, i);
                w.add(&sc, &traj, i);
            }
            w.finish()
        };
        let (whole, a, b) = (over(0..600), over(0..250), over(250..600));
        let ab = a.clone().merge(&b);
        let ba = b.merge(&a);
        for m in [&ab, &ba] {
            assert_eq!(m.cells, whole.cells);
            assert_eq!(m.targets, whole.targets);
            assert_eq!(m.joint_met, whole.joint_met);
        }
    }
}
