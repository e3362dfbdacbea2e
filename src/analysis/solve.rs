//! Goal seeking (`wfsim solve`): the least value of a lever for which
//! P(target) reaches a probability.
//!
//! Every evaluation runs the scenario with the lever set, on the same seed:
//! common random numbers make P(lever) a smooth-looking step function of the
//! lever, so bisection does not chase noise. The lever is checked at both
//! ends first (refusing when even the maximum cannot reach the probability),
//! then on a coarse grid for monotonicity (a drop beyond two standard errors
//! is reported), then bisected inside the first bracket where P crosses the
//! probability.
//!
//! The Monte Carlo uncertainty of the answer is a range of lever values:
//! from the least evaluated value whose 95% interval reaches the probability
//! (the answer could be this low) to the least whose whole interval clears
//! it (`recommended`: the value at which the target is met with confidence).

use serde::{Deserialize, Serialize};

use super::sweep::{Outcome, outcomes};
use crate::engine::precision::{Spend, run_until};
use crate::engine::{Keep, MetricScopes, RunError, RunOptions, RunResult, run};
use crate::scenario::{Scenario, ScenarioErrors};

/// What to solve for.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// The lever: a dotted path of the scenario file.
    pub lever: String,
    /// Index of the target (the number of targets means the joint).
    pub target: usize,
    pub probability: f64,
    pub min: f64,
    pub max: f64,
    /// Stop when the bracket is this narrow.
    pub tolerance: f64,
}

/// One evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub value: f64,
    pub p_met: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Trajectories the probe ran.
    #[serde(default)]
    pub trajectories: u64,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    pub lever: String,
    pub target: String,
    pub probability: f64,
    pub seed: u64,
    pub trajectories: u64,
    /// The least value found with P ≥ probability on this seed.
    pub value: f64,
    /// The Monte Carlo range of the answer (see the module doc).
    pub range_low: f64,
    pub recommended: f64,
    /// Whether P rose (within noise) with the lever on the coarse grid.
    pub monotone: bool,
    /// Every evaluation, in order of value.
    pub evaluations: Vec<Evaluation>,
}

/// Why there is no answer.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    #[error("{0}")]
    Scenario(ScenarioErrors),
    #[error("{0}")]
    Run(#[from] RunError),
    #[error(
        "even at its maximum {lever} = {max}, P(met) is {p:.1}% [{low:.1}, {high:.1}], below {want:.1}%: no value in the range reaches it"
    )]
    Unreachable {
        lever: String,
        max: f64,
        p: f64,
        low: f64,
        high: f64,
        want: f64,
    },
    #[error("the range is empty: min {min} must be below max {max}")]
    Range { min: f64, max: f64 },
}

/// Finds the least lever value reaching the goal.
pub fn solve(
    base: &Scenario,
    goal: &Goal,
    opts: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Solution, SolveError> {
    solve_spending(base, goal, opts, Spend::Fixed, progress)
}

/// [`solve`], each probe with the trajectories `spend` allows: with a
/// precision, a probe runs until its interval for the target leaves out the
/// probability sought (the probe is decided: the lever is above or below the
/// answer) or is that narrow, so the trajectories go to the probes near the
/// answer.
pub fn solve_spending(
    base: &Scenario,
    goal: &Goal,
    opts: RunOptions,
    spend: Spend,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Solution, SolveError> {
    if goal.min.partial_cmp(&goal.max) != Some(std::cmp::Ordering::Less) {
        return Err(SolveError::Range {
            min: goal.min,
            max: goal.max,
        });
    }
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut evals: Vec<Evaluation> = Vec::new();
    let eval = |v: f64, evals: &mut Vec<Evaluation>| -> Result<Outcome, SolveError> {
        if let Some(e) = evals.iter().find(|e| e.value == v) {
            return Ok(Outcome {
                p_met: e.p_met,
                ci_low: e.ci_low,
                ci_high: e.ci_high,
            });
        }
        let sc = base
            .with_values(&[(goal.lever.clone(), toml::Value::Float(v))])
            .map_err(SolveError::Scenario)?;
        // A probe reads its targets and the total spend only: keep no
        // records, run no twins and count no region's metrics.
        let opts = RunOptions {
            keep: Keep::Nothing,
            metrics: MetricScopes::Total,
            ..opts
        };
        let r = match spend {
            Spend::Fixed => run(&sc, opts, progress, &cancel)?,
            Spend::UpTo { precision, ceiling } => {
                let undecided = |r: &RunResult| {
                    let o = outcomes(&sc, r).0.swap_remove(goal.target);
                    let decided = o.ci_low > goal.probability || o.ci_high < goal.probability;
                    let half = if decided {
                        0.0
                    } else {
                        (o.ci_high - o.ci_low) / 2.0
                    };
                    (half, None)
                };
                run_until(&sc, opts, precision, ceiling, &undecided, progress, &cancel)?.result
            }
        };
        let o = outcomes(&sc, &r).0.swap_remove(goal.target);
        evals.push(Evaluation {
            value: v,
            p_met: o.p_met,
            ci_low: o.ci_low,
            ci_high: o.ci_high,
            trajectories: r.options.trajectories,
        });
        Ok(o)
    };
    let top = eval(goal.max, &mut evals)?;
    if top.p_met < goal.probability {
        return Err(SolveError::Unreachable {
            lever: goal.lever.clone(),
            max: goal.max,
            p: top.p_met * 100.0,
            low: top.ci_low * 100.0,
            high: top.ci_high * 100.0,
            want: goal.probability * 100.0,
        });
    }
    // A coarse grid, for monotonicity and a first bracket.
    const GRID: usize = 6;
    let grid: Vec<f64> = (0..=GRID)
        .map(|i| goal.min + (goal.max - goal.min) * i as f64 / GRID as f64)
        .collect();
    let mut ps = Vec::with_capacity(grid.len());
    for &v in &grid {
        ps.push(eval(v, &mut evals)?.p_met);
    }
    // Each probe's own count: with a precision they differ.
    let ns: Vec<f64> = grid
        .iter()
        .map(|v| {
            evals
                .iter()
                .find(|e| e.value == *v)
                .map_or(opts.trajectories, |e| e.trajectories) as f64
        })
        .collect();
    let monotone = ps.windows(2).zip(ns.windows(2)).all(|(w, n)| {
        let se = (w[0] * (1.0 - w[0]) / n[0] + w[1] * (1.0 - w[1]) / n[1]).sqrt();
        w[1] >= w[0] - 2.0 * se
    });
    let tol = if goal.tolerance > 0.0 {
        goal.tolerance
    } else {
        (goal.max - goal.min) / 1000.0
    };
    // The least value meeting a criterion, bisecting between the grid points
    // around its first crossing (or at the ends when it holds or never does).
    let least = |holds: &dyn Fn(&Outcome) -> bool,
                 evals: &mut Vec<Evaluation>|
     -> Result<f64, SolveError> {
        let mut first = None;
        for (k, &v) in grid.iter().enumerate() {
            if holds(&eval(v, evals)?) {
                first = Some(k);
                break;
            }
        }
        let Some(k) = first else { return Ok(goal.max) };
        if k == 0 {
            return Ok(goal.min);
        }
        let (mut lo, mut hi) = (grid[k - 1], grid[k]);
        while hi - lo > tol {
            let mid = (lo + hi) / 2.0;
            if holds(&eval(mid, evals)?) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    };
    let p = goal.probability;
    let value = least(&|o| o.p_met >= p, &mut evals)?;
    let range_low = least(&|o| o.ci_high >= p, &mut evals)?.min(value);
    let recommended = least(&|o| o.ci_low >= p, &mut evals)?.max(value);
    evals.sort_by(|a, b| a.value.total_cmp(&b.value));
    let target = if goal.target < base.targets.len() {
        base.targets[goal.target].id.clone()
    } else {
        "joint".into()
    };
    Ok(Solution {
        lever: goal.lever.clone(),
        target,
        probability: goal.probability,
        seed: opts.seed,
        // The most any probe ran (all the same without a precision).
        trajectories: evals
            .iter()
            .map(|e| e.trajectories)
            .max()
            .unwrap_or(opts.trajectories),
        value,
        range_low,
        recommended,
        monotone,
        evaluations: evals,
    })
}
