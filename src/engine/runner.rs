//! The Monte Carlo runner: trajectories in parallel on a rayon pool of the
//! requested size, aggregated as they finish.
//!
//! Determinism: trajectory `i` draws only from its own keyed streams, its
//! record (if kept) is written at row `i`, and everything else is aggregated
//! as integer counts and exact sums by [`crate::stats::aggregate`], which
//! merge to the same result in any order. So a seed gives the same results
//! at any thread count and any scheduling. This file is the parallel loop
//! and the assembly of the results; what is counted is the aggregate's.
//!
//! Memory: per worker thread, one [`Trajectory`] buffer and one aggregate (a
//! histogram per `[year, scope, metric]` and per target-year, and each
//! target's counts); plus the records of the first trajectories
//! ([`Keep`]), or of all of them for the analyses that pair or rank
//! trajectories. Nothing else grows with the trajectory count.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::partial::{Partial, Piece};
use super::schedule;
use crate::model::streams::Streams;
use crate::model::{Sampled, Trajectory};
use crate::scenario::{Metric, ProgrammeKind, Scenario};
pub use crate::stats::aggregate::MetricScopes;
use crate::stats::aggregate::{Aggregate, Aggregator, BLOCK, target_value};
use crate::stats::programme::ProgrammeSummary;
use crate::stats::target::{Quantiles, TargetSummary, split_spread, summarise};
use crate::stats::{Interval, wilson};

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
    /// Which scopes' metrics to count (every region's, or the total's).
    pub metrics: MetricScopes,
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
    /// No records and no twins: a probe read for its targets' probabilities
    /// alone (a sweep's points, a solve's probes), which has no use for the
    /// split of a target's spread and so runs a tenth fewer trajectories.
    Nothing,
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
            Keep::Nothing => 0,
        }
    }

    /// Twins run with a run of `n` ([`twins`]; none for a probe).
    pub fn twins(self, n: u64) -> u64 {
        match self {
            Keep::Nothing => 0,
            _ => twins(n),
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
            metrics: MetricScopes::Every,
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
    /// A merged run lacks some of its trajectories.
    #[error(
        "trajectories {start}..{end} of the run are missing: a shard has not finished, or was not given"
    )]
    Missing { start: u64, end: u64 },
    /// A partial result whose rows do not fit its own counts.
    #[error(
        "a partial result holds the wrong number of {0} for its trajectories: it is damaged; run its shard again"
    )]
    Malformed(&'static str),
    #[error("the run was interrupted")]
    Interrupted,
    /// A grown run's parts did not fit together (a defect, not a mistake
    /// of the file).
    #[error("the parts of a growing run do not fit together: {0}")]
    Parts(#[from] super::partial::MergeError),
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
    /// The most by which these quantiles can be off, as a share of their
    /// value above the metric's exact range (0.001; more where the cell's
    /// histogram was coarsened to keep the run's memory bounded).
    #[serde(default)]
    pub quantiles_within: f64,
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

/// The records of one block of kept trajectories: target values and
/// unknowns, `BLOCK` rows each.
type KeptBlock<'a> = Mutex<(&'a mut [f64], &'a mut [f64])>;

/// Runs a scenario. `progress` is called with the number of trajectories
/// just finished (from worker threads); `cancel` stops the run early.
///
/// The same as [`simulate`] over every trajectory, then [`assemble`].
pub fn run(
    sc: &Scenario,
    opts: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<RunResult, RunError> {
    let started = Instant::now();
    let part = simulate(sc, opts, 0..opts.trajectories, progress, cancel)?;
    let mut r = assemble(sc, &part)?;
    r.elapsed_seconds = started.elapsed().as_secs_f64();
    Ok(r)
}

/// Trajectories an analysis that reads every trajectory's record (a
/// comparison's pairs, a sensitivity analysis's deciles) holds at once: it
/// runs a longer range in slices of this many, reading each slice's records
/// before the next, so its memory does not grow with the run. The partials
/// of the slices merge exactly, so slicing changes no number.
pub const SLICE: u64 = 16_384;

/// `range` in slices of [`SLICE`] trajectories; one empty slice for an
/// empty range (a shard of more shards than trajectories still has a part).
pub fn slices(range: Range<u64>) -> Vec<Range<u64>> {
    let mut out: Vec<Range<u64>> = (range.start..range.end)
        .step_by(SLICE as usize)
        .map(|a| a..(a + SLICE).min(range.end))
        .collect();
    if out.is_empty() {
        out.push(range);
    }
    out
}

/// A pool of `threads` worker threads (0: one per core).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Pool { threads, source: e })
}

/// A warning when some metric's quantiles are coarser than 1% of their
/// value: histograms halve their buckets to keep a run's memory within
/// [`crate::stats::aggregate::HISTOGRAM_BUDGET`] per thread, and a
/// briefing's fan chart should not be read closer than that. Finer
/// coarsening is only stated, per row, in `metrics.csv`.
fn coarse_warning(agg: &Aggregate) -> Option<String> {
    let coarse = agg
        .cells
        .iter()
        .filter(|h| h.relative_precision() > 0.01)
        .count();
    let widest = agg
        .cells
        .iter()
        .map(|h| h.relative_precision())
        .fold(0.0, f64::max);
    (coarse > 0).then(|| {
        format!(
            "the quantiles of {coarse} of {} metric cells (metric × region × year) are within {:.1}% of their value rather than 0.1%: their values spread over so many powers of two that finer counts would not fit the run's memory (metrics.csv, column quantiles_within); probabilities of targets are exact",
            agg.cells.len(),
            widest * 100.0
        )
    })
}

/// Twin trajectories run to split each target's spread in a run of `n`: a
/// tenth of the run, at least 100, at most [`MAX_TWINS`].
pub fn twins(n: u64) -> u64 {
    n.min((n / 10).max(100)).min(MAX_TWINS as u64)
}

/// Runs trajectories `range` of a run of `opts.trajectories` (a shard, or
/// all of them) into a [`Partial`]: what [`assemble`] summarises once the
/// partials of every trajectory are merged.
///
/// Each worker thread takes blocks of [`BLOCK`] trajectories in turn from a
/// shared counter and aggregates them into its own [`Aggregate`]; the
/// aggregates are merged at the end. Which thread ran which block changes
/// nothing: trajectory `i` draws from its own streams and the aggregates
/// are integers.
pub fn simulate(
    sc: &Scenario,
    opts: RunOptions,
    range: Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Partial, RunError> {
    simulate_onto(sc, opts, range, None, progress, cancel)
}

/// [`simulate`], counting onto `earlier` (another part's aggregate) if
/// given: one worker starts from it instead of from nothing, so a growing
/// run holds no copy of its aggregate beside the workers'. Which worker
/// takes it changes nothing, as the aggregates are integers.
fn simulate_onto(
    sc: &Scenario,
    opts: RunOptions,
    range: Range<u64>,
    earlier: Option<Aggregate>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Partial, RunError> {
    if opts.trajectories == 0 {
        return Err(RunError::NoTrajectories);
    }
    // The histograms count in 32 bits.
    if opts.trajectories > u64::from(u32::MAX) {
        return Err(RunError::TooManyTrajectories(opts.trajectories));
    }
    let range = range.start.min(opts.trajectories)..range.end.min(opts.trajectories);
    let started = Instant::now();
    let pool = pool(opts.threads)?;

    let mut part = Partial {
        seed: opts.seed,
        trajectories: opts.trajectories,
        kept: opts.keep.of(opts.trajectories),
        twins: opts.keep.twins(opts.trajectories),
        targets: sc.targets.len(),
        params: Sampled::uncertain_names(sc).len(),
        metrics: opts.metrics,
        threads: pool.current_num_threads(),
        elapsed_seconds: 0.0,
        aggregate: Aggregate::new(sc, opts.metrics),
        pieces: vec![],
    };
    let mut piece = Piece::empty(range.clone(), &part);
    let (nt, np) = (part.targets, part.params);
    let lo = range.start as usize;
    let n = (range.end - range.start) as usize;
    let kept = (part.kept as usize).saturating_sub(lo).min(n);
    let kept_blocks: Vec<KeptBlock> = rows_by_block(&mut piece.values, nt, kept)
        .into_iter()
        .zip(rows_by_block(&mut piece.params, np, kept))
        .map(Mutex::new)
        .collect();
    let earlier = Mutex::new(earlier);
    let aggregates = schedule::in_blocks(
        &pool,
        n,
        BLOCK,
        cancel,
        || {
            let taken = earlier
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            let agg = match taken {
                Some(a) => Aggregator::onto(sc, a),
                None => Aggregator::new(sc, opts.metrics),
            };
            (Trajectory::new(sc), agg)
        },
        |(traj, agg), b, items| {
            // Blocks are taken once each, so this lock is never contended.
            let mut rec = kept_blocks
                .get(b)
                .map(|m| m.lock().unwrap_or_else(PoisonError::into_inner));
            let (first, count) = (items.start, items.len());
            for j in items {
                let i = (lo + j) as u64;
                traj.run(sc, opts.seed, i);
                agg.add(sc, traj, i);
                if let Some((vals, pars)) = rec.as_deref_mut().filter(|_| j < kept) {
                    let r = j - first;
                    vals[r * nt..(r + 1) * nt].copy_from_slice(agg.values());
                    traj.params
                        .uncertain_values(sc, &mut pars[r * np..(r + 1) * np]);
                }
            }
            progress(count as u64);
        },
        |(_, agg)| agg.finish(),
    );
    drop(kept_blocks);
    if cancel.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted);
    }
    // Merged in thread order; any order gives the same integers. Into the
    // first thread's, so that no third copy of the histograms is built.
    let mut threads = aggregates.into_iter();
    if let Some(first) = threads.next() {
        part.aggregate = threads.fold(first, |a, b| a.merge(&b));
    }
    // Every worker starts once, so one took the earlier counts; if none
    // did, they are added here.
    if let Some(a) = earlier.into_inner().unwrap_or_else(PoisonError::into_inner) {
        let empty = Aggregate::new(sc, part.metrics);
        part.aggregate = std::mem::replace(&mut part.aggregate, empty).merge(&a);
    }

    // Twins of the first trajectories, for the split of each target's
    // spread between the unknowns and chance.
    let twin_range = range.start..range.end.min(part.twins).max(range.start);
    piece.twin_values = twin_rows(sc, &pool, opts.seed, twin_range);
    part.pieces.push(piece);
    part.elapsed_seconds = started.elapsed().as_secs_f64();
    Ok(part)
}

/// The target values of the twins of trajectories `range`, row by row.
fn twin_rows(sc: &Scenario, pool: &rayon::ThreadPool, seed: u64, range: Range<u64>) -> Vec<f64> {
    pool.install(|| {
        range
            .into_par_iter()
            .map_init(
                || Trajectory::new(sc),
                |traj, i| {
                    traj.run_with(sc, &Streams::twin(seed, i));
                    sc.targets
                        .iter()
                        .map(|tg| target_value(sc, tg, traj))
                        .collect::<Vec<f64>>()
                },
            )
            .flatten()
            .collect()
    })
}

/// The partial of a run of `opts.trajectories` from `part`, the whole of a
/// smaller run with the same seed: only the trajectories after it are run
/// (and the twins the larger run has beyond the smaller one's), so a run
/// that grows until it is precise enough simulates each trajectory once.
/// Exactly [`simulate`] of the larger run: trajectory `i` is the same in
/// both, its record and twin are placed by `i`, and aggregates add.
pub fn extend(
    sc: &Scenario,
    part: Partial,
    opts: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Partial, RunError> {
    let (n1, n2) = (part.trajectories, opts.trajectories);
    let (kept, twins) = (opts.keep.of(n2), opts.keep.twins(n2));
    // A part of another run, or one whose records a larger run would need
    // more of than it kept, is not extended but run again (whole).
    let whole = part.missing().is_empty() && part.pieces.len() == 1;
    let same = part.seed == opts.seed && part.metrics == opts.metrics;
    if !whole || !same || n2 < n1 || kept.min(n1) > part.kept.min(n1) {
        return simulate(sc, opts, 0..n2, progress, cancel);
    }
    let started = Instant::now();
    let (earlier, old_twins) = (part.elapsed_seconds, part.twins);
    let mut grown = Partial {
        trajectories: n2,
        kept,
        twins,
        ..part
    };
    // The earlier trajectories' twins that the larger run adds.
    let more_twins = old_twins.min(n1)..twins.min(n1);
    let first = &mut grown.pieces[0];
    first.values.truncate(kept.min(n1) as usize * grown.targets);
    first.params.truncate(kept.min(n1) as usize * grown.params);
    if !more_twins.is_empty() {
        let pool = pool(opts.threads)?;
        first
            .twin_values
            .extend(twin_rows(sc, &pool, opts.seed, more_twins));
    }
    // The earlier trajectories' counts go on in a worker of the new range.
    let empty = Aggregate::new(sc, grown.metrics);
    let counted = std::mem::replace(&mut grown.aggregate, empty);
    let rest = simulate_onto(sc, opts, n1..n2, Some(counted), progress, cancel)?;
    // Into `rest`, which holds every count: `grown`'s aggregate is empty, so
    // merging it costs nothing (the other way would copy every histogram).
    let mut merged = rest.merge(grown)?;
    merged.elapsed_seconds = earlier + started.elapsed().as_secs_f64();
    Ok(merged)
}

/// The results of a run from the partial of all its trajectories (one
/// run's, or the merge of its shards'). Refused if a trajectory is missing.
pub fn assemble(sc: &Scenario, part: &Partial) -> Result<RunResult, RunError> {
    if let Some(gap) = part.missing().first() {
        return Err(RunError::Missing {
            start: gap.start,
            end: gap.end,
        });
    }
    let agg = &part.aggregate;
    let n = part.trajectories as usize;
    let nt = sc.targets.len();
    let years = sc.horizon() + 1;
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
    let kept = part.kept as usize;
    let twins = part.twins as usize;
    let (mut values, mut params, mut twin_values) = (vec![], vec![], vec![]);
    for p in &part.pieces {
        values.extend_from_slice(&p.values);
        params.extend_from_slice(&p.params);
        twin_values.extend_from_slice(&p.twin_values);
    }
    let bad_rows = |what: &'static str| RunError::Malformed(what);
    let values = Array2::from_shape_vec((kept, nt), values).map_err(|_| bad_rows("records"))?;
    let params = Array2::from_shape_vec((kept, part.params), params)
        .map_err(|_| bad_rows("parameter records"))?;
    if twin_values.len() != twins * nt {
        return Err(bad_rows("twins"));
    }

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

    // Metrics, from the histograms (the scopes counted, which are the
    // scopes the aggregate holds).
    let scopes = part
        .metrics
        .counted(sc.regions.len())
        .min(agg.cells.dim().1);
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
                let q = Quantiles::of(h, scale);
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
                    quantiles_within: h.relative_precision(),
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
        .chain(coarse_warning(agg))
        .collect();
    Ok(RunResult {
        warnings,
        programmes,
        options: RunOptions {
            trajectories: part.trajectories,
            seed: part.seed,
            threads: part.threads,
            keep: if part.kept == part.trajectories {
                Keep::All
            } else if part.kept == 0 && part.twins == 0 {
                Keep::Nothing
            } else {
                Keep::First(part.kept)
            },
            metrics: part.metrics,
        },
        threads: part.threads,
        elapsed_seconds: part.elapsed_seconds,
        targets,
        joint,
        metrics: rows,
        records: Records {
            values,
            param_names: Sampled::uncertain_names(sc),
            params,
        },
    })
}

/// The first `kept` rows of `v` (`per` values a row) cut into one slice per
/// block of trajectories; empty slices when there is nothing per trajectory.
fn rows_by_block(v: &mut [f64], per: usize, kept: usize) -> Vec<&mut [f64]> {
    let blocks = kept.div_ceil(BLOCK);
    if per == 0 {
        return (0..blocks).map(|_| &mut [][..]).collect();
    }
    v.chunks_mut(BLOCK * per).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_too_large_to_count_is_refused_before_any_work() {
        let sc =
            Scenario::from_str(std::path::Path::new("t.toml"), crate::scenario::TEMPLATE).unwrap();
        let opts = RunOptions {
            trajectories: u64::from(u32::MAX) + 1,
            seed: 1,
            threads: 1,
            keep: Keep::First(0),
            metrics: MetricScopes::Every,
        };
        let e = run(&sc, opts, &|_| {}, &AtomicBool::new(false)).unwrap_err();
        assert!(matches!(e, RunError::TooManyTrajectories(4_294_967_296)));
        assert!(e.to_string().contains("at most 4,294,967,295"), "{e}");
    }
}
