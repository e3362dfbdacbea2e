//! The Monte Carlo runner: trajectories in parallel on a rayon pool of the
//! requested size, aggregated as they finish.
//!
//! Determinism: trajectory `i` draws only from its own keyed streams, its
//! record (if kept) is written at row `i`, and everything else is aggregated
//! as integer counts and exact sums (see [`crate::stats::histogram`] and
//! [`TargetCounts`]), which merge to the same result in any order. So a seed
//! gives the same results at any thread count and any scheduling.
//!
//! Memory: per worker thread, one [`Trajectory`] buffer and one aggregate (a
//! histogram per `[year, scope, metric]` and per target-year, and each
//! target's counts); plus the records of the first trajectories
//! ([`Keep`]), or of all of them for the analyses that pair or rank
//! trajectories. Nothing else grows with the trajectory count.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use ndarray::{Array2, Array3, Zip};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::streams::Streams;
use crate::model::{Sampled, Tally, Trajectory};
use crate::scenario::{Metric, ProgrammeKind, Scenario, Scope, Target};
use crate::stats::programme::{ProgrammeCounts, ProgrammeSummary};
use crate::stats::target::{Quantiles, TargetCounts, TargetSummary, split_spread, summarise};
use crate::stats::{Histogram, Interval, QUANTILES, wilson};

/// Trajectories handed to a worker at a time (and the progress granularity):
/// their metric values are added to the histograms together, so a block of
/// 256 touches each histogram page about four times as often per visit as
/// one of 64 (10% faster on the benchmark shape, 10 MB more per thread).
const BLOCK: usize = 256;
/// Most twin trajectories run to split each target's spread (a tenth of
/// the run, at least 100).
pub const MAX_TWINS: usize = 1000;

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    pub trajectories: u64,
    pub seed: u64,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Which trajectories' records to keep (see [`Records`]).
    pub keep: Keep,
}

/// Which trajectories a run keeps a record of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Every trajectory: for analyses that pair or rank trajectories
    /// (`compare`, `sensitivity`). Memory grows with the trajectory count.
    All,
    /// The first this many (at least the twins' count, [`MAX_TWINS`]):
    /// enough to say what drives an answer, with memory that does not
    /// grow with the run.
    First(u64),
}

/// Trajectories a run keeps by default: what the explanation of near-certain
/// answers ranks the unknowns on.
pub const KEPT_BY_DEFAULT: u64 = 10_000;

impl Keep {
    /// Trajectories kept of a run of `n`.
    pub fn of(self, n: u64) -> u64 {
        match self {
            Keep::All => n,
            Keep::First(k) => n.min(k.max(MAX_TWINS as u64)),
        }
    }
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
            keep: Keep::First(KEPT_BY_DEFAULT),
        }
    }

    /// The same options, keeping every trajectory's record.
    pub fn keeping_all(self) -> RunOptions {
        RunOptions {
            keep: Keep::All,
            ..self
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
    #[error(
        "{0} trajectories is more than one run holds (at most 4,294,967,295): ask for fewer, or for a precision"
    )]
    TooManyTrajectories(u64),
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

/// Per-trajectory outcomes of the first trajectories of a run (all of them
/// when the run was asked to keep them all): `values[[i, t]]` is target
/// `t`'s metric in its year in trajectory `i`, `params[[i, k]]` trajectory
/// `i`'s draw of the `k`-th parameter that is uncertain per trajectory (for
/// sensitivity). Everything else a run reports is aggregated as it goes, so
/// a run's memory does not grow with its trajectories unless it keeps them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records {
    pub values: Array2<f64>,
    pub param_names: Vec<String>,
    pub params: Array2<f64>,
}

impl Records {
    /// Trajectories kept (the first ones of the run).
    pub fn len(&self) -> usize {
        self.values.nrows()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether target `t` is met in kept trajectory `i`.
    pub fn met(&self, sc: &Scenario, i: usize, t: usize) -> bool {
        let tg = &sc.targets[t];
        tg.op.holds(self.values[[i, t]], tg.threshold)
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

/// Everything a run aggregates as it goes: integer counts and exact sums,
/// so the aggregates of any split of the trajectories merge to the same
/// result in any order.
#[derive(Debug, Clone)]
struct Aggregate {
    /// Every metric's histogram, by `[year, scope, metric]` (scope 0 is the
    /// total, then the regions in file order).
    cells: Array3<Histogram>,
    /// Each target's tallies.
    targets: Vec<TargetCounts>,
    /// Trajectories meeting every target.
    joint_met: u64,
    /// What each programme did.
    programmes: Vec<ProgrammeCounts>,
    /// The first (lowest-numbered) trajectory with an impossible value:
    /// (trajectory, metric index, scope index, year index, value).
    impossible: Option<(u64, usize, usize, usize, f64)>,
    /// The first trajectory in which a count reached the model's limit and
    /// was held there: (trajectory, metric index, scope index, year index).
    saturated: Option<(u64, usize, usize, usize)>,
}

impl Aggregate {
    fn new(sc: &Scenario) -> Aggregate {
        let years = sc.horizon() + 1;
        Aggregate {
            cells: Array3::from_elem(
                (years, sc.regions.len() + 1, Metric::ALL.len()),
                Histogram::default(),
            ),
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

    fn merge(mut self, other: &Aggregate) -> Aggregate {
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

/// A worker thread: buffers for one trajectory and its own aggregate.
///
/// The metric values of a block's trajectories are written to `pending`,
/// each cell's values side by side (`pending[cell * BLOCK + row]`), and
/// added to the histograms at the end of the block, one histogram and one
/// contiguous run at a time: each histogram is then touched once per block
/// while it is in cache, instead of once per trajectory.
struct Worker {
    traj: Trajectory,
    /// Each year's tallies summed over the regions.
    totals: Vec<Tally>,
    agg: Aggregate,
    /// The trajectory's target values.
    values: Vec<f64>,
    /// Room for one value per region (a share-of-regions target's values).
    scratch: Vec<f64>,
    pending: Vec<i64>,
    pending_rows: usize,
}

impl Worker {
    fn new(sc: &Scenario) -> Worker {
        let agg = Aggregate::new(sc);
        Worker {
            traj: Trajectory::new(sc),
            totals: vec![Tally::default(); sc.horizon() + 1],
            pending: vec![0; BLOCK * agg.cells.len()],
            pending_rows: 0,
            agg,
            values: vec![0.0; sc.targets.len()],
            scratch: Vec::with_capacity(sc.regions.len()),
        }
    }

    /// Adds the block's pending metric values to the histograms.
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
}

/// The records of one block of kept trajectories: target values and
/// unknowns, `BLOCK` rows each.
type KeptBlock<'a> = Mutex<(&'a mut [f64], &'a mut [f64])>;

/// Runs a scenario. `progress` is called with the number of trajectories
/// just finished (from worker threads); `cancel` stops the run early.
///
/// Each worker thread takes blocks of [`BLOCK`] trajectories in turn from a
/// shared counter and aggregates them into its own [`Aggregate`]; the
/// aggregates are merged at the end. Which thread ran which block changes
/// nothing: trajectory `i` draws from its own streams and the aggregates
/// are integers.
pub fn run(
    sc: &Scenario,
    opts: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<RunResult, RunError> {
    if opts.trajectories == 0 {
        return Err(RunError::NoTrajectories);
    }
    // The histograms count in 32 bits.
    if opts.trajectories > u64::from(u32::MAX) {
        return Err(RunError::TooManyTrajectories(opts.trajectories));
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
    let checks = MetricCheck::all();

    let param_names = Sampled::uncertain_names(sc);
    let np = param_names.len();
    let kept = opts.keep.of(opts.trajectories) as usize;
    let mut values = Array2::<f64>::zeros((kept, nt));
    let mut params = Array2::<f64>::zeros((kept, np));
    let blocks = n.div_ceil(BLOCK);
    let kept_blocks: Vec<KeptBlock> = in_blocks(values.as_slice_mut(), nt, kept)
        .into_iter()
        .zip(in_blocks(params.as_slice_mut(), np, kept))
        .map(Mutex::new)
        .collect();
    let next = AtomicUsize::new(0);

    let aggregates = pool.broadcast(|_| {
        let mut w = Worker::new(sc);
        loop {
            let b = next.fetch_add(1, Ordering::Relaxed);
            if b >= blocks || cancel.load(Ordering::Relaxed) {
                break;
            }
            let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
            // Blocks are taken once each, so this lock is never contended.
            let mut rec = kept_blocks.get(b).map(|m| match m.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            });
            for i in lo..hi {
                w.traj.run(sc, opts.seed, i as u64);
                record_programmes(sc, &mut w);
                record(sc, &checks, &mut w, i as u64);
                if let Some((vals, pars)) = rec.as_deref_mut().filter(|_| i < kept) {
                    let j = i - lo;
                    vals[j * nt..(j + 1) * nt].copy_from_slice(&w.values);
                    w.traj
                        .params
                        .uncertain_values(sc, &mut pars[j * np..(j + 1) * np]);
                }
            }
            w.flush();
            progress((hi - lo) as u64);
        }
        w.agg
    });
    drop(kept_blocks);
    if cancel.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted);
    }
    // Merged in thread order; any order gives the same integers.
    let mut parts = aggregates.into_iter();
    let first = parts.next().unwrap_or_else(|| Aggregate::new(sc));
    let agg = parts.fold(first, |a, b| a.merge(&b));
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

    let targets = sc
        .targets
        .iter()
        .zip(&agg.targets)
        .enumerate()
        .map(|(t, (tg, counts))| {
            let mut summary = summarise(tg, &sc.regions, sc.start_year, n as u64, counts);
            summary.attainable = crate::model::bounds::attainable(sc, tg);
            let own: Vec<f64> = (0..twins).map(|i| values[[i, t]]).collect();
            let twin: Vec<f64> = (0..twins).map(|i| twin_values[i * nt + t]).collect();
            summary.spread = split_spread(&own, &twin);
            summary
        })
        .collect();
    let joint = wilson(agg.joint_met, n as u64);

    // Metrics, from the histograms.
    let mut rows = Vec::with_capacity(years * scopes * Metric::ALL.len());
    for (mi, &m) in Metric::ALL.iter().enumerate() {
        for s in 0..scopes {
            let scope = if s == 0 {
                "total".to_string()
            } else {
                sc.regions[s - 1].id.clone()
            };
            for y in 0..years {
                let h = &agg.cells[[y, s, mi]];
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
            values,
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

/// The first `kept` rows of `v` (`per` values a row) cut into one slice per
/// block of trajectories; empty slices when there is nothing per trajectory.
fn in_blocks(v: Option<&mut [f64]>, per: usize, kept: usize) -> Vec<&mut [f64]> {
    let blocks = kept.div_ceil(BLOCK);
    match v {
        Some(v) if per > 0 => v.chunks_mut(BLOCK * per).collect(),
        _ => (0..blocks).map(|_| &mut [][..]).collect(),
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
    if rest >= 0.5 {
        t + 1
    } else if rest <= -0.5 {
        t - 1
    } else {
        t
    }
}

/// Aggregates a finished trajectory and leaves its target values in
/// `w.values`.
fn record(sc: &Scenario, checks: &[MetricCheck], w: &mut Worker, trajectory: u64) {
    let years = sc.horizon() + 1;
    let metrics = Metric::ALL.len();
    let Worker {
        traj,
        totals,
        agg,
        values,
        scratch,
        pending,
        pending_rows,
    } = w;
    let row_in_block = *pending_rows;
    *pending_rows += 1;
    for (y, total_y) in totals.iter_mut().enumerate() {
        let row = traj.year(y);
        let mut total = Tally::default();
        for t in row {
            total.add(t);
        }
        *total_y = total;
        for s in 0..=row.len() {
            let tally = if s == 0 { &*total_y } else { &row[s - 1] };
            // Row-major `[year, scope, metric]`, as the aggregate's cells.
            let base = (y * (row.len() + 1) + s) * metrics;
            for (mi, (&m, c)) in Metric::ALL.iter().zip(checks).enumerate() {
                let v = tally.metric(m);
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
fn target_value(sc: &Scenario, t: &Target, traj: &Trajectory) -> f64 {
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
    fn a_run_too_large_to_count_is_refused_before_any_work() {
        let sc = template();
        let opts = RunOptions {
            trajectories: u64::from(u32::MAX) + 1,
            seed: 1,
            threads: 1,
            keep: Keep::First(0),
        };
        let e = run(&sc, opts, &|_| {}, &AtomicBool::new(false)).unwrap_err();
        assert!(matches!(e, RunError::TooManyTrajectories(4_294_967_296)));
        assert!(e.to_string().contains("at most 4,294,967,295"), "{e}");
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
        let checks = MetricCheck::all();
        let mut w = Worker::new(&sc);
        w.traj.run(&sc, 1, 0);
        record(&sc, &checks, &mut w, 7);
        assert_eq!(w.agg.impossible, None, "a sound trajectory flagged");
        // A budget gone NaN in region 1, year 2.
        let regions = sc.regions.len();
        w.traj.tallies[2 * regions + 1].budget = f64::NAN;
        record(&sc, &checks, &mut w, 7);
        let (t, mi, s, y, v) = w.agg.impossible.unwrap();
        assert_eq!((t, Metric::ALL[mi].name(), y), (7, "budget", 2));
        assert!(v.is_nan() && (s == 0 || s == 2));
    }

    #[test]
    fn the_lowest_trajectory_with_an_impossible_value_is_reported_in_any_merge_order() {
        let sc = template();
        let a = |t: u64| {
            let mut g = Aggregate::new(&sc);
            g.impossible = Some((t, 0, 0, 1, -5.0));
            g
        };
        assert_eq!(a(9).merge(&a(3)).impossible.unwrap().0, 3);
        assert_eq!(a(3).merge(&a(9)).impossible.unwrap().0, 3);
        assert_eq!(Aggregate::new(&sc).merge(&a(4)).impossible.unwrap().0, 4);
    }
}
