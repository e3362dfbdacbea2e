//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC).
//!
//! The method, so that it can be defended:
//!
//! - **Likelihood.** A history row is the model's figure plus reporting
//!   error: observed = simulated + N(0, σ²), σ = rel_error × |observed|.
//!   A simulated trajectory is accepted with probability exp(−½ S/ε²),
//!   S = Σ ((simulated − observed)/σ)². At ε = 1 this is the Gaussian
//!   likelihood of the history given the trajectory, so the accepted
//!   parameters are draws from the exact posterior under that error model
//!   (Wilkinson 2013, "Approximate Bayesian computation gives exact results
//!   under the assumption of model error", SAGMB 12:129). ε > 1 is the same
//!   posterior with every reporting error inflated ε-fold: wider, never
//!   narrower. The run stops at ε = 1 (or `--tolerance`).
//! - **Single trajectories.** Each proposal is simulated once, as one
//!   trajectory with its own chance: the model's noise is in the
//!   likelihood, not averaged away (a trajectory mean would be too smooth).
//! - **Sequence** (ABC-SMC with MCMC moves: Del Moral, Doucet & Jasra 2012,
//!   Stat Comput 22:1009; Drovandi & Pettitt 2011, Biometrics 67:225).
//!   Generation 0 draws N particles from the prior. Each later generation
//!   picks ε_t so that reweighting the population by exp(−½S(1/ε_t² −
//!   1/ε_{t−1}²)) keeps an effective sample size of N/2, resamples
//!   (systematic), then moves every particle by Metropolis–Hastings steps
//!   that leave π(θ)·exp(−½S/ε_t²) invariant: a Gaussian random walk with
//!   (2.38²/d) times the population's covariance (Roberts, Gelman & Gilks
//!   1997), a fresh trajectory for the proposal, acceptance
//!   min(1, π(θ′)/π(θ) · exp(−½(S′ − S)/ε_t²)). Each particle gets as many
//!   steps as give it a 99.9% chance of having moved at the first step's
//!   acceptance rate. Unlike importance weights against a mixture proposal
//!   (Beaumont et al. 2009), this does not degenerate as the number of
//!   unknowns grows.
//! - **Latent space.** Parameters move in the latent normal space of
//!   [`super::unknowns`], where the prior is N(0, I). The chance of the
//!   observed years (year effects, yearly pass rates) is part of the latent
//!   vector: it is what happened, and history informs it; the stochastic
//!   flows (binomial draws) stay in the simulation.
//! - **Stopping and refusing.** The run stops when ε reaches its target, when
//!   ε no longer falls (< 2% a generation: the model cannot get closer to the
//!   history), when the moves' acceptance falls below its floor (particles no
//!   longer move: the population is copies of a few), or when the simulation
//!   budget or generation limit is spent. Only the first of these, with an
//!   effective sample size and a count of distinct particles above their
//!   floor, is called a posterior; the others are refused with their numbers.
//!   Tempering reaches ε = 1 even for a history the model cannot come near
//!   (the posterior of a misfit exists), so the fit is also refused when
//!   the posterior's median Σ r² is above the 99.9% point of χ² with one
//!   degree of freedom per figure: the residuals are not reporting error.
//! - **Determinism.** Step r of particle i in generation t draws only from
//!   streams keyed by (seed, t, r, i); the resampling uniform from (seed, t);
//!   every step of a round runs in parallel and is applied in index order.
//!   One file and seed give the same posterior at any thread count.

use std::sync::atomic::{AtomicBool, Ordering};

use rand::RngExt as _;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use super::observe::{Fit, observe};
use super::unknowns::Unknowns;
use crate::model::Trajectory;
use crate::model::streams::{ALL_REGIONS, Streams};
use crate::scenario::Scenario;

/// How to calibrate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Particles per generation.
    pub particles: usize,
    pub seed: u64,
    /// Worker threads; 0 means one per core. Results do not depend on it.
    pub threads: usize,
    /// The ε to reach: 1 is the stated reporting errors.
    pub tolerance: f64,
    /// Smallest effective sample size of a posterior.
    pub min_ess: f64,
    /// Smallest share of a generation's proposals accepted.
    pub min_acceptance: f64,
    /// Most trajectories simulated in all.
    pub max_simulations: u64,
    pub max_generations: usize,
}

impl Settings {
    pub fn new(particles: usize, seed: u64) -> Settings {
        Settings {
            particles,
            seed,
            threads: 0,
            tolerance: 1.0,
            min_ess: (particles as f64 / 10.0).max(20.0),
            min_acceptance: 0.005,
            max_simulations: 2_000_000,
            max_generations: 30,
        }
    }
}

/// Why the sequence stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// ε reached its target.
    Target,
    /// ε fell by less than 2% in a generation.
    Stalled,
    /// A generation accepted too few of its proposals.
    AcceptanceFloor,
    /// The simulation budget was spent.
    Budget,
    /// The generation limit was reached.
    Generations,
}

impl Stop {
    pub fn name(self) -> &'static str {
        match self {
            Stop::Target => "target tolerance reached",
            Stop::Stalled => "tolerance no longer falling",
            Stop::AcceptanceFloor => "acceptance below its floor",
            Stop::Budget => "simulation budget spent",
            Stop::Generations => "generation limit reached",
        }
    }
}

/// One generation of the sequence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Generation {
    /// ε (∞ for the prior generation).
    pub tolerance: f64,
    /// Trajectories simulated for it.
    pub simulations: u64,
    pub accepted: usize,
    pub acceptance: f64,
    /// Effective sample size of the reweighted population, before resampling.
    pub ess: f64,
    /// Distinct particles after the moves.
    pub distinct: usize,
}

/// A weighted population of particles.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Latent normals, `z[i * latents + d]`.
    pub z: Vec<f64>,
    /// Parameter values, `values[i * unknowns + k]`.
    pub values: Vec<f64>,
    /// Normalised weights.
    pub weights: Vec<f64>,
    /// Σ ((simulated − observed)/σ)² of each particle's trajectory.
    pub sum_sq: Vec<f64>,
}

impl Population {
    pub fn len(&self) -> usize {
        self.sum_sq.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sum_sq.is_empty()
    }

    /// Effective sample size, (Σw)²/Σw².
    pub fn ess(&self) -> f64 {
        let s: f64 = self.weights.iter().sum();
        let s2: f64 = self.weights.iter().map(|w| w * w).sum();
        if s2 > 0.0 { s * s / s2 } else { 0.0 }
    }

    /// Each particle's distance: the root mean square of its standardised
    /// residuals (1 = off by one reporting error on average).
    pub fn distance(&self, i: usize, rows: usize) -> f64 {
        (self.sum_sq[i] / rows.max(1) as f64).sqrt()
    }
}

/// The result of a calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub unknowns: Unknowns,
    pub settings: Settings,
    pub population: Population,
    pub generations: Vec<Generation>,
    pub stop: Stop,
    pub simulations: u64,
    /// Why the population is not a posterior; empty if it is.
    pub refusal: Vec<String>,
    /// Rows of history fitted.
    pub rows: usize,
}

impl Calibration {
    /// Whether the population may be called a posterior.
    pub fn is_posterior(&self) -> bool {
        self.refusal.is_empty()
    }

    /// The final tolerance.
    pub fn tolerance(&self) -> f64 {
        self.generations
            .last()
            .map_or(f64::INFINITY, |g| g.tolerance)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    #[error("cannot start {threads} worker threads: {source}")]
    Pool {
        threads: usize,
        source: rayon::ThreadPoolBuildError,
    },
    #[error(
        "the scenario has no number uncertain for a whole trajectory: there is nothing to calibrate (give a prior, e.g. {{ dist = \"pert\", ... }}, to the numbers history should inform)"
    )]
    NothingToCalibrate,
    #[error("calibration needs at least 20 particles, not {0}")]
    TooFewParticles(usize),
    #[error("the calibration was interrupted")]
    Interrupted,
    #[error(
        "two uncertain numbers share the path `{0}`, so a posterior could not tell them apart: give regions ids without dots"
    )]
    AmbiguousPath(String),
}

const PICK: u64 = 0x4341_4C49_4250_4943;
const KERNEL: u64 = 0x4341_4C49_424B_524E;
const ACCEPT: u64 = 0x4341_4C49_4241_4343;
const PRIOR: u64 = 0x4341_4C49_4250_5249;
/// Share of the previous population's weight the next tolerance accepts.
const ALPHA: f64 = 0.5;

/// The streams of proposal `j` of generation `t`.
fn streams(seed: u64, t: usize, j: usize) -> Streams {
    Streams::new(
        seed.wrapping_add((t as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        j as u64,
    )
}

/// Calibrates the scenario's unknowns to `fit`. `report` is told of each
/// finished generation.
pub fn calibrate(
    sc: &Scenario,
    fit: &Fit,
    settings: Settings,
    report: &(dyn Fn(&Generation) + Sync),
    cancel: &AtomicBool,
) -> Result<Calibration, CalibrationError> {
    let unknowns = Unknowns::of(sc, fit.last_year(sc))?;
    if unknowns.is_empty() {
        return Err(CalibrationError::NothingToCalibrate);
    }
    if settings.particles < 20 {
        return Err(CalibrationError::TooFewParticles(settings.particles));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .map_err(|e| CalibrationError::Pool {
            threads: settings.threads,
            source: e,
        })?;
    pool.install(|| run(sc, fit, unknowns, settings, report, cancel))
}

fn run(
    sc: &Scenario,
    fit: &Fit,
    unknowns: Unknowns,
    settings: Settings,
    report: &(dyn Fn(&Generation) + Sync),
    cancel: &AtomicBool,
) -> Result<Calibration, CalibrationError> {
    let n = settings.particles;
    let d = unknowns.latents;
    let width = unknowns.width();
    // One trajectory for the latent vector z: its parameter values and Σ r².
    let simulate = |z: &[f64], traj: &mut Trajectory, obs: &mut Vec<f64>, s: &Streams| {
        let mut values = vec![0.0; width];
        unknowns.values(z, &mut values);
        traj.run_pinned(sc, s, &unknowns.pinned, &values);
        observe(sc, &fit.history, traj, obs);
        (values, fit.sum_sq(obs))
    };
    let buffers = || (Trajectory::new(sc), vec![0.0; fit.len()]);

    // Generation 0: the prior.
    let prior: Vec<(Vec<f64>, Vec<f64>, f64)> = (0..n)
        .into_par_iter()
        .map_init(buffers, |(traj, obs), i| {
            let s = streams(settings.seed, 0, i);
            let mut rng = s.rng(ALL_REGIONS, 0, PRIOR);
            let z: Vec<f64> = (0..d).map(|_| StandardNormal.sample(&mut rng)).collect();
            let (values, sum_sq) = simulate(&z, traj, obs, &s);
            (z, values, sum_sq)
        })
        .collect();
    let mut pop = Population {
        z: prior.iter().flat_map(|p| p.0.iter().copied()).collect(),
        values: prior.iter().flat_map(|p| p.1.iter().copied()).collect(),
        weights: vec![1.0 / n as f64; n],
        sum_sq: prior.iter().map(|p| p.2).collect(),
    };
    let mut simulations = n as u64;
    let first = Generation {
        tolerance: f64::INFINITY,
        simulations: n as u64,
        accepted: n,
        acceptance: 1.0,
        ess: n as f64,
        distinct: n,
    };
    report(&first);
    let mut generations = vec![first];
    let mut stop = Stop::Generations;

    for t in 1..=settings.max_generations {
        if cancel.load(Ordering::Relaxed) {
            return Err(CalibrationError::Interrupted);
        }
        if simulations >= settings.max_simulations {
            stop = Stop::Budget;
            break;
        }
        let previous = generations[generations.len() - 1].tolerance;
        let eps = next_tolerance(&pop, settings.tolerance, previous);
        // Reaching the target is never a stall, however small the last step.
        if eps > 0.98 * previous && eps > settings.tolerance {
            stop = Stop::Stalled;
            break;
        }
        // Reweight to the new tolerance, then resample (systematic).
        let inv = |e: f64| if e.is_finite() { 1.0 / (e * e) } else { 0.0 };
        let (a, b) = (inv(eps), inv(previous));
        let mut w: Vec<f64> = pop
            .weights
            .iter()
            .zip(&pop.sum_sq)
            .map(|(w, s)| w * (-0.5 * s * (a - b)).exp())
            .collect();
        let total: f64 = w.iter().sum();
        if total.is_nan() || total <= 0.0 {
            stop = Stop::Stalled;
            break;
        }
        w.iter_mut().for_each(|x| *x /= total);
        let ess = 1.0 / w.iter().map(|x| x * x).sum::<f64>();
        let u0: f64 = streams(settings.seed, t, usize::MAX)
            .rng(ALL_REGIONS, 0, PICK)
            .random();
        let picks = systematic(&w, u0);
        let mut z: Vec<f64> = picks
            .iter()
            .flat_map(|&j| pop.z[j * d..(j + 1) * d].iter().copied())
            .collect();
        let mut values: Vec<f64> = picks
            .iter()
            .flat_map(|&j| pop.values[j * width..(j + 1) * width].iter().copied())
            .collect();
        let mut sum_sq: Vec<f64> = picks.iter().map(|&j| pop.sum_sq[j]).collect();
        let mut origin: Vec<usize> = picks.clone();

        // Move every particle by Metropolis–Hastings steps that keep
        // π(z)·exp(−½S/ε²) invariant, as many rounds as give each particle
        // a 99.9% chance of having moved (Drovandi & Pettitt 2011 use 99%).
        let chol = proposal(&pop.z, &w, d);
        let mut moved = vec![false; n];
        let (mut tried, mut accepted, mut rounds, mut needed) = (0u64, 0u64, 0usize, 1usize);
        let mut last_rate = 1.0;
        while rounds < needed {
            if cancel.load(Ordering::Relaxed) {
                return Err(CalibrationError::Interrupted);
            }
            if simulations + n as u64 > settings.max_simulations {
                break;
            }
            let r = rounds;
            let steps: Vec<Option<Particle>> = (0..n)
                .into_par_iter()
                .map_init(buffers, |(traj, obs), i| {
                    let s = streams(settings.seed, t, (r + 1) * n + i);
                    let mut rng = s.rng(ALL_REGIONS, 0, KERNEL);
                    let eta: Vec<f64> = (0..d).map(|_| StandardNormal.sample(&mut rng)).collect();
                    let zi = &z[i * d..(i + 1) * d];
                    let zp: Vec<f64> = (0..d)
                        .map(|a| zi[a] + (0..=a).map(|b| chol[a * d + b] * eta[b]).sum::<f64>())
                        .collect();
                    let (vp, sp) = simulate(&zp, traj, obs, &s);
                    let log_ratio = -0.5 * zp.iter().map(|x| x * x).sum::<f64>()
                        + 0.5 * zi.iter().map(|x| x * x).sum::<f64>()
                        - 0.5 * (sp - sum_sq[i]) / (eps * eps);
                    let u: f64 = s.rng(ALL_REGIONS, 0, ACCEPT).random();
                    (sp.is_finite() && u.ln() < log_ratio).then_some((zp, vp, sp))
                })
                .collect();
            simulations += n as u64;
            tried += n as u64;
            let mut round_accepted = 0;
            for (i, step) in steps.into_iter().enumerate() {
                if let Some((zp, vp, sp)) = step {
                    z[i * d..(i + 1) * d].copy_from_slice(&zp);
                    values[i * width..(i + 1) * width].copy_from_slice(&vp);
                    sum_sq[i] = sp;
                    moved[i] = true;
                    origin[i] = usize::MAX - i;
                    round_accepted += 1;
                }
            }
            accepted += round_accepted;
            rounds += 1;
            last_rate = round_accepted as f64 / n as f64;
            if rounds == 1 {
                needed = if last_rate <= 0.0 || last_rate >= 1.0 {
                    1
                } else {
                    ((0.001f64.ln() / (1.0 - last_rate).ln()).ceil() as usize).clamp(1, MAX_ROUNDS)
                };
            }
        }
        pop = Population {
            z,
            values,
            weights: vec![1.0 / n as f64; n],
            sum_sq,
        };
        let mut distinct = origin.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let g = Generation {
            tolerance: eps,
            simulations: tried,
            accepted: accepted as usize,
            acceptance: accepted as f64 / tried.max(1) as f64,
            ess,
            distinct: distinct.len(),
        };
        report(&g);
        generations.push(g);
        if g.acceptance < settings.min_acceptance || last_rate <= 0.0 {
            stop = Stop::AcceptanceFloor;
            break;
        }
        if rounds < needed {
            stop = Stop::Budget;
            break;
        }
        if eps <= settings.tolerance {
            stop = Stop::Target;
            break;
        }
    }
    Ok(finish(
        unknowns,
        settings,
        pop,
        generations,
        stop,
        simulations,
        fit,
    ))
}

/// A particle's latent vector, values and Σ r².
type Particle = (Vec<f64>, Vec<f64>, f64);

/// Most rounds of moves in one generation.
const MAX_ROUNDS: usize = 100;

fn finish(
    unknowns: Unknowns,
    settings: Settings,
    population: Population,
    generations: Vec<Generation>,
    stop: Stop,
    simulations: u64,
    fit: &Fit,
) -> Calibration {
    let mut refusal = Vec::new();
    let last = generations[generations.len() - 1];
    if stop != Stop::Target {
        refusal.push(format!(
            "stopped because the {} before the tolerance reached {}: the last generation has ε = {:.3}, move acceptance {:.2}% (floor {:.2}%)",
            stop.name(),
            settings.tolerance,
            last.tolerance,
            100.0 * last.acceptance,
            100.0 * settings.min_acceptance
        ));
    }
    let (median, limit) = misfit(&population, fit.len());
    if median > limit {
        refusal.push(format!(
            "the history is out of the model's reach: the fitted trajectories' Σ((simulated − observed)/σ)² has median {median:.1}, above {limit:.1}, the 99.9% point of what reporting errors alone give over {} figures (χ²); observed figures sit {:.1} reporting errors from the model's on average",
            fit.len(),
            (median / fit.len().max(1) as f64).sqrt()
        ));
    }
    if (last.distinct as f64) < settings.min_ess || last.ess < settings.min_ess {
        refusal.push(format!(
            "effective sample size {:.1} (distinct particles {}) is below its floor {:.1}",
            last.ess, last.distinct, settings.min_ess
        ));
    }
    Calibration {
        unknowns,
        settings,
        population,
        generations,
        stop,
        simulations,
        refusal,
        rows: fit.len(),
    }
}

/// The posterior's median Σ r², and the 99.9% point of χ² with one degree
/// of freedom per figure: what the residuals of a model that reproduces the
/// history would stay below (Gelman, Meng & Stern 1996 read a discrepancy
/// against its reference distribution the same way).
pub fn misfit(pop: &Population, rows: usize) -> (f64, f64) {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    let mut s: Vec<f64> = pop.sum_sq.clone();
    s.sort_by(f64::total_cmp);
    let median = s.get(s.len() / 2).copied().unwrap_or(f64::NAN);
    let limit = ChiSquared::new(rows.max(1) as f64)
        .map(|c| c.inverse_cdf(0.999))
        .unwrap_or(f64::INFINITY);
    (median, limit)
}

/// Systematic resampling (Kitagawa 1996): n picks with one uniform.
fn systematic(w: &[f64], u0: f64) -> Vec<usize> {
    let n = w.len();
    let mut picks = Vec::with_capacity(n);
    let (mut acc, mut j) = (w[0], 0);
    for i in 0..n {
        let u = (i as f64 + u0) / n as f64;
        while u > acc && j + 1 < n {
            j += 1;
            acc += w[j];
        }
        picks.push(j);
    }
    picks
}

/// The next tolerance: the ε at which reweighting keeps an effective
/// sample size of ALPHA·N (Del Moral, Doucet & Jasra 2012), but not below
/// `target` nor above `previous`.
fn next_tolerance(pop: &Population, target: f64, previous: f64) -> f64 {
    let inv = |e: f64| if e.is_finite() { 1.0 / (e * e) } else { 0.0 };
    let b = inv(previous);
    let n = pop.len() as f64;
    let ess = |eps: f64| -> f64 {
        let a = inv(eps);
        // Relative weights, scaled by the largest exponent to avoid underflow.
        let logs: Vec<f64> = pop
            .weights
            .iter()
            .zip(&pop.sum_sq)
            .map(|(w, s)| w.ln() - 0.5 * s * (a - b))
            .collect();
        let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !max.is_finite() {
            return 0.0;
        }
        let w: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
        let s: f64 = w.iter().sum();
        s * s / w.iter().map(|x| x * x).sum::<f64>()
    };
    if ess(target) >= ALPHA * n {
        return target;
    }
    let mut hi = if previous.is_finite() {
        previous
    } else {
        let max = pop
            .sum_sq
            .iter()
            .copied()
            .filter(|s| s.is_finite())
            .fold(1.0, f64::max);
        max.sqrt() * 10.0
    };
    if ess(hi) < ALPHA * n {
        return hi;
    }
    let mut lo = target;
    for _ in 0..200 {
        let mid = (lo * hi).sqrt();
        if ess(mid) >= ALPHA * n {
            hi = mid;
        } else {
            lo = mid;
        }
        if hi / lo < 1.0 + 1e-9 {
            break;
        }
    }
    hi
}

/// Lower Cholesky factor of the random-walk proposal: (2.38²/d) times the
/// population's weighted covariance (Roberts, Gelman & Gilks 1997).
fn proposal(z: &[f64], w: &[f64], d: usize) -> Vec<f64> {
    let n = w.len();
    let mut mean = vec![0.0; d];
    for i in 0..n {
        for a in 0..d {
            mean[a] += w[i] * z[i * d + a];
        }
    }
    let mut cov = vec![0.0; d * d];
    for i in 0..n {
        for a in 0..d {
            let da = z[i * d + a] - mean[a];
            for b in 0..=a {
                cov[a * d + b] += w[i] * da * (z[i * d + b] - mean[b]);
            }
        }
    }
    let scale = 2.38 * 2.38 / d.max(1) as f64;
    for a in 0..d {
        for b in 0..=a {
            cov[a * d + b] *= scale;
        }
        // A dimension the population has collapsed on still moves a little.
        cov[a * d + a] += 1e-8;
    }
    cholesky(&cov, d)
}

/// Lower Cholesky factor of a symmetric positive-definite matrix given by
/// its lower triangle; a pivot that is not positive is floored.
fn cholesky(a: &[f64], d: usize) -> Vec<f64> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum();
            if i == j {
                l[i * d + i] = (a[i * d + i] - s).max(1e-12).sqrt();
            } else {
                l[i * d + j] = (a[i * d + j] - s) / l[j * d + j];
            }
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_reproduces_the_matrix() {
        let a = [4.0, 0.0, 2.0, 3.0];
        let l = cholesky(&a, 2);
        assert!((l[0] - 2.0).abs() < 1e-12);
        assert!((l[2] - 1.0).abs() < 1e-12);
        assert!((l[3] - 2f64.sqrt()).abs() < 1e-12);
    }
}
