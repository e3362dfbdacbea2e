//! Runs that stop at a stated precision (`wfsim run --precision 0.01`).
//!
//! A planner asks for P(met) to ± a point, not for a trajectory count. The
//! run is made in whole blocks of [`BLOCK`] trajectories: after a run of n,
//! the widest 95% interval among the targets (Wilson, half its width) is
//! compared with the precision; if it is wider, the count the interval's
//! 1/√n law asks for is rounded up to whole blocks (at least one more) and
//! the run is made again with that many. Trajectory i depends only on
//! (seed, i), so a larger run extends a smaller one and the final result is
//! exactly the one-shot run of the final count; the sequence of counts
//! depends only on the results, so the same seed and precision give the same
//! count and numbers at any thread count. Each larger run extends the one
//! before ([`super::runner::extend`]: only the new trajectories are run and
//! the partials merge), so the work is that of the final run alone.

use std::sync::atomic::AtomicBool;

use std::time::Instant;

use super::partial::Partial;
use super::runner::{
    KEPT_BY_DEFAULT, Keep, MetricScopes, RunError, RunOptions, RunResult, assemble, extend,
    simulate,
};
use crate::scenario::Scenario;

/// Trajectories per block: counts are whole multiples of it.
pub const BLOCK: u64 = 1_000;

/// How a run to a precision ended.
#[derive(Debug, Clone)]
pub struct PrecisionRun {
    pub result: RunResult,
    /// The half-width asked for (a probability, e.g. 0.01 for ± 1 point).
    pub precision: f64,
    /// The widest half-width reached, and the target it belongs to.
    pub widest: f64,
    pub widest_target: Option<String>,
    /// The trajectory counts at which the precision was checked, in order
    /// (the last is the result's; each run extended the one before).
    pub counts: Vec<u64>,
    /// Whether the ceiling stopped the run before the precision was met.
    pub stopped_at_ceiling: bool,
}

impl PrecisionRun {
    /// How the run ended, in one sentence: the precision, whether it was
    /// reached, the widest interval and whose, and the counts run.
    pub fn describe(&self) -> String {
        let counts: Vec<String> = self.counts.iter().map(|c| c.to_string()).collect();
        let widest = format!(
            "± {:.2} points{}",
            self.widest * 100.0,
            self.widest_target
                .as_ref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default()
        );
        let n = self.result.options.trajectories;
        if self.stopped_at_ceiling {
            format!(
                "the precision asked for (± {:.2} points) was not reached: the run stopped at its ceiling of {n} trajectories with the widest interval {widest} (checked after {} trajectories)",
                self.precision * 100.0,
                counts.join(", ")
            )
        } else {
            format!(
                "precision ± {:.2} points reached with {n} trajectories: the widest interval is {widest} (checked after {} trajectories)",
                self.precision * 100.0,
                counts.join(", ")
            )
        }
    }
}

/// The widest half-width of the targets' intervals, and whose.
pub fn widest(r: &RunResult) -> (f64, Option<String>) {
    r.targets
        .iter()
        .map(|t| ((t.ci_high - t.ci_low) / 2.0, Some(t.id.clone())))
        .fold((0.0, None), |a, b| if b.0 > a.0 { b } else { a })
}

/// How many trajectories an analysis spends on each run it makes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spend {
    /// The options' trajectory count, for every run.
    Fixed,
    /// Blocks until the run's question is settled to ± `precision` (a
    /// probability), at most `ceiling` trajectories.
    UpTo { precision: f64, ceiling: u64 },
}

/// Runs `sc` with `seed` until every target's interval half-width is at most
/// `precision`, or `ceiling` trajectories have run (rounded up to a block).
pub fn run_to_precision(
    sc: &Scenario,
    precision: f64,
    ceiling: u64,
    seed: u64,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<PrecisionRun, RunError> {
    let opts = RunOptions {
        trajectories: BLOCK,
        seed,
        threads,
        keep: Keep::First(KEPT_BY_DEFAULT),
        metrics: MetricScopes::Every,
    };
    run_until(sc, opts, precision, ceiling, &widest, progress, cancel)
}

/// Runs `sc` with `opts` (its trajectory count aside) in growing whole
/// blocks until `unsettled` — the half-width that still matters to the
/// question asked, and whose — is at most `precision`, or `ceiling`
/// trajectories have run. A question already settled answers 0.
pub fn run_until(
    sc: &Scenario,
    opts: RunOptions,
    precision: f64,
    ceiling: u64,
    unsettled: &dyn Fn(&RunResult) -> (f64, Option<String>),
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<PrecisionRun, RunError> {
    let ceiling = ceiling.max(BLOCK).div_ceil(BLOCK) * BLOCK;
    let started = Instant::now();
    let mut n = BLOCK;
    let mut counts = Vec::new();
    let mut part: Option<Partial> = None;
    loop {
        let opts = RunOptions {
            trajectories: n,
            ..opts
        };
        // Each larger run extends the last: every trajectory is simulated once.
        let grown = match part.take() {
            None => simulate(sc, opts, 0..n, progress, cancel)?,
            Some(p) => extend(sc, p, opts, progress, cancel)?,
        };
        let mut result = assemble(sc, &grown)?;
        result.elapsed_seconds = started.elapsed().as_secs_f64();
        part = Some(grown);
        counts.push(n);
        let (w, who) = unsettled(&result);
        let done = w <= precision || result.targets.is_empty();
        if done || n >= ceiling {
            let mut pr = PrecisionRun {
                result,
                precision,
                widest: w,
                widest_target: who,
                counts,
                stopped_at_ceiling: !done,
            };
            if pr.stopped_at_ceiling {
                // The reader of summary.json and the report must see it too.
                let why = pr.describe();
                pr.result.warnings.push(why);
            }
            return Ok(pr);
        }
        // The half-width shrinks as 1/√n: ask for (w / precision)² times as
        // many, in whole blocks, at least one block more, at most the ceiling.
        let wanted = (n as f64 * (w / precision).powi(2)).ceil() as u64;
        n = wanted
            .div_ceil(BLOCK)
            .max(n / BLOCK + 1)
            .saturating_mul(BLOCK)
            .min(ceiling);
    }
}
