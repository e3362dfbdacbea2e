//! The Monte Carlo runner: trajectories in parallel on a rayon pool of the
//! requested size, aggregated as they finish.
//!
//! Determinism: trajectory `i` draws only from its own keyed streams, its
//! target values are written at index `i`, and every metric is aggregated as
//! integer counts and sums (see [`crate::stats::histogram`]), which merge to
//! the same result in any order. So a seed gives the same results at any
//! thread count and any scheduling.
//!
//! Memory: one [`Trajectory`] buffer per worker, one histogram per (metric,
//! scope, year), and a small per-trajectory record (each target's value and
//! first year reached) kept for exact target quantiles and for the paired
//! comparisons that later tools make.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::streams::Streams;
use crate::model::{Sampled, Tally, Trajectory};
use crate::scenario::{Metric, ProgrammeKind, Scenario, Scope, Target};
use crate::stats::programme::{ProgrammeCounts, ProgrammeSummary};
use crate::stats::target::{Quantiles, TargetSummary, YearStats, split_spread, summarise};
use crate::stats::{Histogram, Interval, QUANTILES, wilson};

/// Trajectories handed to a worker at a time (and the progress granularity).
const BLOCK: usize = 64;
/// Most twin trajectories run to split each target's spread (a tenth of
/// the run, at least 100).
const MAX_TWINS: usize = 1000;

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    pub trajectories: u64,
    pub seed: u64,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

/// Default number of trajectories when neither the file nor the command sets one.
pub const DEFAULT_TRAJECTORIES: u64 = 10_000;
/// Default seed when neither the file nor the command sets one.
pub const DEFAULT_SEED: u64 = 1;

impl RunOptions {
    /// Options from a scenario's `[run]` table, overridden by explicit values.
    pub fn for_scenario(
        sc: &Scenario,
        trajectories: Option<u64>,
        seed: Option<u64>,
        threads: Option<usize>,
    ) -> RunOptions {
        RunOptions {
            trajectories: trajectories
                .or(sc.default_trajectories)
                .unwrap_or(DEFAULT_TRAJECTORIES),
            seed: seed.or(sc.default_seed).unwrap_or(DEFAULT_SEED),
            threads: threads.unwrap_or(0),
        }
    }
}

/// Errors of the runner itself (not of the scenario).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start {threads} worker threads: {source}")]
    Pool {
        threads: usize,
        source: rayon::ThreadPoolBuildError,
    },
    #[error("a run needs at least one trajectory")]
    NoTrajectories,
    #[error("the run was interrupted")]
    Interrupted,
    /// A metric took a value no real place can have: a model error, never
    /// written to the outputs as if it were a plausible 0.
    #[error(
        "trajectory {} produced an impossible value: {} = {} for {} in {} — a model error, not a result; please report it with the scenario file and seed",
        .0.trajectory, .0.metric, .0.value, .0.scope, .0.year
    )]
    Impossible(Impossible),
}

/// Where a metric first took an impossible (negative or non-finite) value.
#[derive(Debug, Clone, PartialEq)]
pub struct Impossible {
    pub trajectory: u64,
    pub metric: &'static str,
    pub scope: String,
    pub year: i32,
    pub value: f64,
}

/// One row of `metrics.csv`, written by a run and read back by `wfsim report`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    pub metric: String,
    pub scope: String,
    pub year: i32,
    pub mean: f64,
    /// Standard deviation over trajectories: the spread of the metric, not
    /// the Monte Carlo error of the mean (that is sd / √n).
    pub sd: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

/// Per-trajectory outcomes: `values[i * targets + t]` is target `t`'s metric
/// in its year in trajectory `i`; `first[...]` the index of the first year
/// (from the start year) in which it held, `u16::MAX` if never.
/// `params[i * param_names.len() + k]` is trajectory `i`'s draw of the
/// `k`-th parameter that is uncertain per trajectory (for sensitivity).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records {
    pub targets: usize,
    pub values: Vec<f64>,
    pub first: Vec<u16>,
    pub param_names: Vec<String>,
    pub params: Vec<f64>,
}

impl Records {
    /// Whether target `t` is met in trajectory `i`.
    pub fn met(&self, sc: &Scenario, i: usize, t: usize) -> bool {
        let tg = &sc.targets[t];
        tg.op.holds(self.values[i * self.targets + t], tg.threshold)
    }
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub options: RunOptions,
    /// Threads actually used.
    pub threads: usize,
    pub elapsed_seconds: f64,
    pub targets: Vec<TargetSummary>,
    /// All targets met in the same trajectory.
    pub joint: Interval,
    pub metrics: Vec<MetricRow>,
    pub records: Records,
    /// What each programme did.
    pub programmes: Vec<ProgrammeSummary>,
    /// What the reader must know about how the numbers were made: e.g. a
    /// count that reached the model's limit (10¹²) and was held there.
    pub warnings: Vec<String>,
}

/// The metrics aggregated over trajectories, by (year, scope, metric).
#[derive(Debug, Clone)]
struct Aggregate {
    cells: Vec<Histogram>,
    /// What each programme did.
    programmes: Vec<ProgrammeCounts>,
    /// For each target with an `every:` scope, trajectories in which each
    /// tagged region met it (flattened in target order).
    region_met: Vec<u64>,
    /// The first (lowest-numbered) trajectory with an impossible value:
    /// (trajectory, metric index, scope index, year index, value).
    impossible: Option<(u64, usize, usize, usize, f64)>,
    /// The first trajectory in which a count reached the model's limit and
    /// was held there: (trajectory, metric index, scope index, year index).
    saturated: Option<(u64, usize, usize, usize)>,
}

impl Aggregate {
    fn new(cells: usize, region_slots: usize, programmes: usize, horizon: usize) -> Aggregate {
        Aggregate {
            cells: vec![Histogram::default(); cells],
            programmes: vec![ProgrammeCounts::new(horizon); programmes],
            region_met: vec![0; region_slots],
            impossible: None,
            saturated: None,
        }
    }

    fn merge(mut self, other: Aggregate) -> Aggregate {
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            a.merge(b);
        }
        for (a, b) in self.programmes.iter_mut().zip(&other.programmes) {
            a.merge(b);
        }
        for (a, b) in self.region_met.iter_mut().zip(&other.region_met) {
            *a += b;
        }
        // The lowest trajectory wins, whatever the merge order.
        self.impossible = match (self.impossible, other.impossible) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        self.saturated = match (self.saturated, other.saturated) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        self
    }
}

/// A worker: buffers for one trajectory and its share of the aggregate.
///
/// Metric values of a block's trajectories are written to `pending`
/// (trajectory-major, so writing is sequential) and added to the histograms
/// at the end of the block, one cell at a time, sorted: each histogram is
/// then touched once per block while it is in cache, instead of once per
/// trajectory. Counts are integers, so the result is the same.
struct Worker {
    traj: Trajectory,
    totals: Vec<Tally>,
    agg: Aggregate,
    pending: Vec<u64>,
    pending_rows: usize,
    column: Vec<u64>,
}

impl Worker {
    fn flush(&mut self) {
        let cells = self.agg.cells.len();
        let rows = self.pending_rows;
        for (c, h) in self.agg.cells.iter_mut().enumerate() {
            self.column.clear();
            self.column
                .extend((0..rows).map(|r| self.pending[r * cells + c]));
            self.column.sort_unstable();
            h.record_sorted(&self.column);
        }
        self.pending_rows = 0;
    }
}

/// Runs a scenario. `progress` is called with the number of trajectories
/// just finished (from worker threads); `cancel` stops the run early.
pub fn run(
    sc: &Scenario,
    opts: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<RunResult, RunError> {
    if opts.trajectories == 0 {
        return Err(RunError::NoTrajectories);
    }
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| RunError::Pool {
            threads: opts.threads,
            source: e,
        })?;
    let threads = pool.current_num_threads();

    let n = opts.trajectories as usize;
    let nt = sc.targets.len();
    let years = sc.horizon() + 1;
    let scopes = sc.regions.len() + 1;
    let metrics = Metric::ALL.len();
    // Histograms: every metric for every scope and year, then each target's
    // metric over its own scope for every year (fan charts of `tag:` and
    // `every:` scopes need them; metrics.csv holds only total and regions).
    let metric_cells = years * scopes * metrics;
    let cells = metric_cells + nt * years;
    let region_offsets: Vec<usize> = sc
        .targets
        .iter()
        .scan(0, |acc, t| {
            let here = *acc;
            if let Scope::Every { regions, .. } = &t.scope {
                *acc += regions.len();
            }
            Some(here)
        })
        .collect();
    let region_slots = sc
        .targets
        .iter()
        .map(|t| match &t.scope {
            Scope::Every { regions, .. } => regions.len(),
            _ => 0,
        })
        .sum();

    let param_names = Sampled::uncertain_names(sc);
    let np = param_names.len();
    let mut values = vec![0.0f64; n * nt];
    let mut first = vec![u16::MAX; n * nt];
    let mut params = vec![0.0f64; n * np];
    let blocks = n.div_ceil(BLOCK);
    let mut value_blocks = in_blocks(&mut values, nt, blocks);
    let mut first_blocks = in_blocks(&mut first, nt, blocks);
    let mut param_blocks = in_blocks(&mut params, np, blocks);

    let agg = pool.install(|| {
        value_blocks
            .par_iter_mut()
            .zip(first_blocks.par_iter_mut())
            .zip(param_blocks.par_iter_mut())
            .enumerate()
            .fold(
                || Worker {
                    traj: Trajectory::new(sc),
                    totals: vec![Tally::default(); years],
                    agg: Aggregate::new(cells, region_slots, sc.programmes.len(), sc.horizon()),
                    pending: vec![0; BLOCK * cells],
                    pending_rows: 0,
                    column: Vec::with_capacity(BLOCK),
                },
                |mut w, (b, ((vals, firsts), pars))| {
                    if cancel.load(Ordering::Relaxed) {
                        return w;
                    }
                    let lo = b * BLOCK;
                    let hi = ((b + 1) * BLOCK).min(n);
                    for i in lo..hi {
                        w.traj.run(sc, opts.seed, i as u64);
                        record_programmes(sc, &mut w);
                        let j = i - lo;
                        record(
                            sc,
                            &mut w,
                            i as u64,
                            &region_offsets,
                            &mut vals[j * nt..(j + 1) * nt],
                            &mut firsts[j * nt..(j + 1) * nt],
                        );
                        w.traj
                            .params
                            .uncertain_values(sc, &mut pars[j * np..(j + 1) * np]);
                    }
                    w.flush();
                    progress((hi - lo) as u64);
                    w
                },
            )
            .map(|w| w.agg)
            .reduce(
                || Aggregate::new(cells, region_slots, sc.programmes.len(), sc.horizon()),
                Aggregate::merge,
            )
    });
    if cancel.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted);
    }
    if let Some((trajectory, mi, s, y, value)) = agg.impossible {
        return Err(RunError::Impossible(Impossible {
            trajectory,
            metric: Metric::ALL[mi].name(),
            scope: if s == 0 {
                "total".into()
            } else {
                sc.regions[s - 1].id.clone()
            },
            year: sc.start_year + y as i32,
            value,
        }));
    }

    // Twins of the first trajectories, for the split of each target's
    // spread between the unknowns and chance.
    let twins = n.min((n / 10).max(100)).min(MAX_TWINS);
    let twin_values: Vec<f64> = pool.install(|| {
        (0..twins)
            .into_par_iter()
            .map_init(
                || Trajectory::new(sc),
                |traj, i| {
                    traj.run_with(sc, &Streams::twin(opts.seed, i as u64));
                    sc.targets
                        .iter()
                        .map(|tg| target_value(sc, tg, traj))
                        .collect::<Vec<f64>>()
                },
            )
            .flatten()
            .collect()
    });

    // Targets, from the per-trajectory records.
    let mut targets = Vec::with_capacity(nt);
    let mut column = vec![0.0; n];
    let mut first_col = vec![0u16; n];
    for (t, tg) in sc.targets.iter().enumerate() {
        for i in 0..n {
            column[i] = values[i * nt + t];
            first_col[i] = first[i * nt + t];
        }
        let slots = match &tg.scope {
            Scope::Every { regions, .. } => {
                &agg.region_met[region_offsets[t]..region_offsets[t] + regions.len()]
            }
            _ => &[][..],
        };
        let mut summary = summarise(
            tg,
            &sc.regions,
            sc.start_year,
            sc.end_year,
            &column,
            &first_col,
            slots,
        );
        summary.attainable = crate::model::bounds::attainable(sc, tg);
        let twin: Vec<f64> = (0..twins).map(|i| twin_values[i * nt + t]).collect();
        summary.spread = split_spread(&column[..twins], &twin);
        let scale = tg.metric.unit().scale();
        summary.by_year = (0..years)
            .map(|y| {
                let h = &agg.cells[metric_cells + t * years + y];
                let q: Vec<f64> = h.quantiles(&QUANTILES).iter().map(|v| v / scale).collect();
                YearStats {
                    year: sc.start_year + y as i32,
                    mean: h.mean() / scale,
                    p05: q[0],
                    p25: q[1],
                    p50: q[2],
                    p75: q[3],
                    p95: q[4],
                }
            })
            .collect();
        targets.push(summary);
    }
    let joint_met = (0..n)
        .filter(|&i| {
            sc.targets
                .iter()
                .enumerate()
                .all(|(t, tg)| tg.op.holds(values[i * nt + t], tg.threshold))
        })
        .count() as u64;
    let joint = wilson(joint_met, n as u64);

    // Metrics, from the histograms.
    let mut rows = Vec::with_capacity(cells);
    for (mi, &m) in Metric::ALL.iter().enumerate() {
        for s in 0..scopes {
            let scope = if s == 0 {
                "total".to_string()
            } else {
                sc.regions[s - 1].id.clone()
            };
            for y in 0..years {
                let h = &agg.cells[cell(y, s, mi, scopes, metrics)];
                let scale = m.unit().scale();
                let q = h.quantiles(&QUANTILES);
                let q = Quantiles::from_slice(&q.iter().map(|v| v / scale).collect::<Vec<_>>());
                rows.push(MetricRow {
                    metric: m.name().to_string(),
                    scope: scope.clone(),
                    year: sc.start_year + y as i32,
                    mean: h.mean() / scale,
                    sd: h.sd() / scale,
                    p05: q.p05,
                    p25: q.p25,
                    p50: q.p50,
                    p75: q.p75,
                    p95: q.p95,
                });
            }
        }
    }

    let programmes = sc
        .programmes
        .iter()
        .zip(&agg.programmes)
        .map(|(p, c)| {
            c.summarise(
                &p.name,
                &p.label,
                ProgrammeKind::NAMES[p.kind as usize],
                n as u64,
                sc.start_year + 1,
            )
        })
        .collect();
    let warnings = agg
        .saturated
        .map(|(t, mi, s, y)| {
            format!(
                "a count reached the model's limit of 10¹² and was held there (first in trajectory {t}: {} in {} in {}, grown by {}); figures at that size are not meaningful — check the file's growth rates and sizes",
                Metric::ALL[mi].name(),
                sc.regions[s - 1].id,
                sc.start_year + y as i32,
                crate::model::year::step_that_adds(Metric::ALL[mi])
            )
        })
        .into_iter()
        .collect();
    Ok(RunResult {
        warnings,
        programmes,
        options: opts,
        threads,
        elapsed_seconds: started.elapsed().as_secs_f64(),
        targets,
        joint,
        metrics: rows,
        records: Records {
            targets: nt,
            values,
            first,
            param_names,
            params,
        },
    })
}

/// Records what each programme did in the trajectory just run.
fn record_programmes(sc: &Scenario, w: &mut Worker) {
    for (k, c) in w.agg.programmes.iter_mut().enumerate() {
        let d = &w.traj.params.programmes[k];
        let built: u64 = w.traj.states.iter().map(|s| s.programme_built[k]).sum();
        let index = (d.start - sc.start_year - 1).max(0) as usize;
        c.record(d.on, index, built);
    }
}

/// `v` cut into one slice per block of trajectories, `per` values each;
/// empty slices when there is nothing per trajectory.
fn in_blocks<T>(v: &mut [T], per: usize, blocks: usize) -> Vec<&mut [T]> {
    if per == 0 {
        (0..blocks).map(|_| &mut [][..]).collect()
    } else {
        v.chunks_mut(BLOCK * per).collect()
    }
}

#[inline]
fn cell(year: usize, scope: usize, metric: usize, scopes: usize, metrics: usize) -> usize {
    (year * scopes + scope) * metrics + metric
}

/// Stores a metric value as an exact integer (see [`crate::scenario::Unit`]).
#[inline]
fn fixed(m: Metric, v: f64) -> u64 {
    let x = (v * m.unit().scale()).round();
    if x.is_finite() && x > 0.0 {
        x as u64
    } else {
        0
    }
}

/// Aggregates a finished trajectory and writes its target record.
fn record(
    sc: &Scenario,
    w: &mut Worker,
    trajectory: u64,
    region_offsets: &[usize],
    vals: &mut [f64],
    firsts: &mut [u16],
) {
    let years = sc.horizon() + 1;
    let scopes = sc.regions.len() + 1;
    let metrics = Metric::ALL.len();
    let metric_cells = years * scopes * metrics;
    let cells = w.agg.cells.len();
    let base = w.pending_rows * cells;
    for y in 0..years {
        let row = w.traj.year(y);
        let mut total = Tally::default();
        for t in row {
            total.add(t);
        }
        w.totals[y] = total;
        let out = &mut w.pending[base..base + metric_cells];
        for (mi, &m) in Metric::ALL.iter().enumerate() {
            // No metric can be negative (beyond rounding) or non-finite.
            let floor = -0.5 / m.unit().scale();
            // A count at the model's limit was held there (saturated).
            let limit = if m.unit() == crate::scenario::Unit::Count {
                crate::model::draw::MAX_COUNT
            } else {
                f64::INFINITY
            };
            let mut note = |s: usize, v: f64| {
                if !(v >= floor && v.is_finite()) && w.agg.impossible.is_none() {
                    w.agg.impossible = Some((trajectory, mi, s, y, v));
                }
                if v >= limit && s > 0 && w.agg.saturated.is_none() {
                    w.agg.saturated = Some((trajectory, mi, s, y));
                }
            };
            let v = total.metric(m);
            note(0, v);
            out[cell(y, 0, mi, scopes, metrics)] = fixed(m, v);
            for (r, t) in row.iter().enumerate() {
                let v = t.metric(m);
                note(r + 1, v);
                out[cell(y, r + 1, mi, scopes, metrics)] = fixed(m, v);
            }
        }
    }
    for (ti, tg) in sc.targets.iter().enumerate() {
        let yi = (tg.year - sc.start_year) as usize;
        firsts[ti] = u16::MAX;
        for y in 0..years {
            let v = scope_value(tg, w, y);
            w.pending[base + metric_cells + ti * years + y] = fixed(tg.metric, v);
            if y == yi {
                vals[ti] = v;
            }
            if firsts[ti] == u16::MAX && tg.op.holds(v, tg.threshold) {
                firsts[ti] = y as u16;
            }
        }
        if let Scope::Every { regions, .. } = &tg.scope {
            let (row, start) = (w.traj.year(yi), w.traj.year(0));
            for (k, &r) in regions.iter().enumerate() {
                if tg.op.holds(region_value(tg, row, start, r), tg.threshold) {
                    w.agg.region_met[region_offsets[ti] + k] += 1;
                }
            }
        }
    }
    w.pending_rows += 1;
}

/// A target's metric in its year, from a finished trajectory alone.
fn target_value(sc: &Scenario, t: &Target, traj: &Trajectory) -> f64 {
    let yi = (t.year - sc.start_year) as usize;
    row_value(t, traj.year(yi), None, traj.year(0), None)
}

/// A target's metric in year index `y` over its scope.
fn scope_value(t: &Target, w: &Worker, y: usize) -> f64 {
    row_value(
        t,
        w.traj.year(y),
        Some(&w.totals[y]),
        w.traj.year(0),
        Some(&w.totals[0]),
    )
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
) -> f64 {
    let level = |row: &[Tally], total: Option<&Tally>| match (&t.scope, total) {
        (Scope::Total, Some(x)) => x.metric(t.metric),
        (scope, _) => scope_sum(row, scope, t.metric),
    };
    match &t.scope {
        Scope::Every { regions, .. } if t.share_of_regions < 1.0 => {
            // The value that k of the n regions reach: met exactly when at
            // least k regions meet the threshold. Sorting allocates, but once
            // per trajectory and target-year, outside the region-year loop.
            let mut vals: Vec<f64> = regions
                .iter()
                .map(|&r| region_value(t, row, start, r))
                .collect();
            vals.sort_by(f64::total_cmp);
            let k = t.regions_needed(vals.len());
            if t.op.wants_more() {
                vals[vals.len() - k]
            } else {
                vals[k - 1]
            }
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

    /// A worker for `sc` that has just run trajectory 0.
    fn worker(sc: &Scenario) -> Worker {
        let years = sc.horizon() + 1;
        let cells = years * (sc.regions.len() + 1) * Metric::ALL.len() + sc.targets.len() * years;
        let mut w = Worker {
            traj: Trajectory::new(sc),
            totals: vec![Tally::default(); years],
            agg: Aggregate::new(cells, 0, 0, sc.horizon()),
            pending: vec![0; BLOCK * cells],
            pending_rows: 0,
            column: Vec::new(),
        };
        w.traj.run(sc, 1, 0);
        w
    }

    #[test]
    fn an_impossible_value_is_caught_not_written_as_zero() {
        let sc = crate::scenario::Scenario::from_str(
            std::path::Path::new("t.toml"),
            crate::scenario::TEMPLATE,
        )
        .unwrap();
        let offsets = vec![0; sc.targets.len()];
        let nt = sc.targets.len();
        let (mut vals, mut firsts) = (vec![0.0; nt], vec![0u16; nt]);
        let mut w = worker(&sc);
        record(&sc, &mut w, 7, &offsets, &mut vals, &mut firsts);
        assert_eq!(w.agg.impossible, None, "a sound trajectory flagged");
        // A budget gone NaN in region 1, year 2.
        let regions = sc.regions.len();
        w.traj.tallies[2 * regions + 1].budget = f64::NAN;
        record(&sc, &mut w, 7, &offsets, &mut vals, &mut firsts);
        let (t, mi, s, y, v) = w.agg.impossible.unwrap();
        assert_eq!((t, Metric::ALL[mi].name(), y), (7, "budget", 2));
        assert!(v.is_nan() && (s == 0 || s == 2));
    }

    #[test]
    fn the_lowest_trajectory_with_an_impossible_value_is_reported_in_any_merge_order() {
        let a = |t: u64| {
            let mut g = Aggregate::new(0, 0, 0, 1);
            g.impossible = Some((t, 0, 0, 1, -5.0));
            g
        };
        assert_eq!(a(9).merge(a(3)).impossible.unwrap().0, 3);
        assert_eq!(a(3).merge(a(9)).impossible.unwrap().0, 3);
        assert_eq!(
            Aggregate::new(0, 0, 0, 1).merge(a(4)).impossible.unwrap().0,
            4
        );
    }
}
