//! Simulation-based calibration of the calibration itself (Talts, Betancourt,
//! Simpson, Vehtari & Gelman 2018, arXiv:1804.06788; Cook, Gelman & Rubin
//! 2006, JCGS 15:675).
//!
//! If the procedure is honest, then for truths drawn from the prior and
//! histories simulated from them (with the same rows and reporting errors
//! as the real history), the posterior rank of each truth is uniform, and a
//! 90% central posterior interval holds the truth in 90% of the cases. Each
//! case draws its truth, its synthetic history and its calibration from its
//! own streams, so the check is reproducible and independent of threads.

use std::sync::atomic::AtomicBool;

use rand_distr::{Distribution, StandardNormal};

use super::abc::{CalibrationError, Settings, calibrate};
use super::observe::{Fit, observe};
use super::unknowns::Unknowns;
use crate::model::Trajectory;
use crate::model::streams::{ALL_REGIONS, Streams};
use crate::scenario::{History, Scenario};
use crate::stats::{Interval, wilson};

/// Bins of the rank histogram.
pub const BINS: usize = 10;

/// One unknown's record over the cases.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub path: String,
    /// Cases whose 90% central posterior interval held the truth.
    pub inside: u64,
    /// Cases with a posterior.
    pub cases: u64,
    /// Posterior ranks of the truth, in [`BINS`] equal bins of [0, 1].
    pub ranks: [u64; BINS],
}

impl Coverage {
    /// The share of cases covered, with its 95% Wilson interval.
    pub fn interval(&self) -> Interval {
        wilson(self.inside, self.cases)
    }
}

/// The result of a check.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub cases: usize,
    /// Cases whose calibration refused to give a posterior.
    pub refused: usize,
    pub coverage: Vec<Coverage>,
}

impl Check {
    /// Coverage pooled over the unknowns (cases within an unknown are
    /// independent; unknowns within a case are not, so read this with the
    /// per-unknown intervals).
    pub fn pooled(&self) -> (u64, u64) {
        self.coverage
            .iter()
            .fold((0, 0), |(a, b), c| (a + c.inside, b + c.cases))
    }
}

/// Runs `cases` calibrations on synthetic histories shaped like `fit`.
pub fn check(
    sc: &Scenario,
    fit: &Fit,
    settings: Settings,
    cases: usize,
    progress: &(dyn Fn(usize) + Sync),
    cancel: &AtomicBool,
) -> Result<Check, CalibrationError> {
    let unknowns = Unknowns::of(sc, fit.last_year(sc))?;
    let k = unknowns.width();
    let mut coverage: Vec<Coverage> = unknowns
        .specs
        .iter()
        .map(|s| Coverage {
            path: s.path.clone(),
            inside: 0,
            cases: 0,
            ranks: [0; BINS],
        })
        .collect();
    let mut refused = 0;
    let mut traj = Trajectory::new(sc);
    let mut sim = vec![0.0; fit.len()];
    for case in 0..cases {
        let s = Streams::new(settings.seed ^ 0x5342_4354_5255_5448, case as u64);
        let mut rng = s.rng(ALL_REGIONS, 0, 1);
        let z: Vec<f64> = (0..unknowns.latents)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let mut truth = vec![0.0; k];
        unknowns.values(&z, &mut truth);
        traj.run_pinned(sc, &s, &unknowns.pinned, &truth);
        observe(sc, &fit.history, &traj, &mut sim);
        let mut noise = s.rng(ALL_REGIONS, 0, 2);
        let rows = fit
            .history
            .rows
            .iter()
            .zip(&sim)
            .zip(&fit.rel_error)
            .map(|((o, x), r)| {
                let e: f64 = StandardNormal.sample(&mut noise);
                let mut o = o.clone();
                o.observed = (x + r * x.abs() * e).max(0.0);
                o.rel_error = Some(*r);
                o
            })
            .collect();
        let synthetic = Fit::new(
            History {
                file: fit.history.file.clone(),
                rows,
            },
            super::observe::DEFAULT_REL_ERROR,
        );
        let case_settings = Settings {
            seed: settings.seed.wrapping_add(case as u64 + 1),
            ..settings
        };
        let cal = calibrate(sc, &synthetic, case_settings, &|_| {}, cancel)?;
        progress(case + 1);
        if !cal.is_posterior() {
            refused += 1;
            continue;
        }
        let p = &cal.population;
        for (c, cov) in coverage.iter_mut().enumerate() {
            let (mut below, mut ties) = (0.0, 0.0);
            for i in 0..p.len() {
                let v = p.values[i * k + c];
                if v < truth[c] {
                    below += p.weights[i];
                } else if v == truth[c] {
                    ties += p.weights[i];
                }
            }
            let u = (below + 0.5 * ties).clamp(0.0, 1.0);
            cov.cases += 1;
            if (0.05..=0.95).contains(&u) {
                cov.inside += 1;
            }
            cov.ranks[((u * BINS as f64) as usize).min(BINS - 1)] += 1;
        }
    }
    Ok(Check {
        cases,
        refused,
        coverage,
    })
}
