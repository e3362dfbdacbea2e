//! The scenario's unknowns as a vector of independent standard normals.
//!
//! Every number a trajectory draws once is, in the model, a quantile of its
//! prior at Φ(z) for a standard normal z made of independent parts: its own,
//! a province-wide part shared by the regions (`shared = s`: z = √s·Z +
//! √(1−s)·εᵣ), or the Cholesky mixture of a `[[correlation]]` group. So the
//! prior of the latent vector is N(0, I) whatever the priors of the numbers
//! are, and calibration moves in that space: the perturbation kernel is
//! Gaussian, the prior density is φ, and a value is mapped back only to be
//! simulated and reported. Discrete priors map through their step quantile;
//! mixtures have no quantile function here, so they are left to the prior
//! (listed as not calibrated).

use super::abc::CalibrationError;
use crate::model::Sampled;
use crate::model::params::{Pinned, UnknownSpec};
use crate::scenario::Scenario;
use crate::scenario::param::normal_cdf;

/// The unknowns calibration moves, and how each is made of latent normals.
#[derive(Debug, Clone)]
pub struct Unknowns {
    pub specs: Vec<UnknownSpec>,
    /// For each unknown, its latent parts: (latent index, weight).
    parts: Vec<Vec<(usize, f64)>>,
    /// Number of independent latent normals.
    pub latents: usize,
    /// Paths of uncertain numbers left to their prior (mixtures).
    pub excluded: Vec<String>,
    /// The chance of past years inferred with them (nuisance: not reported
    /// as parameters, never carried into a posterior): names and latents.
    pub chance: Vec<(String, usize)>,
    /// Where a row of values lands among the scenario's numbers.
    pub pinned: Pinned,
}

impl Unknowns {
    /// The unknowns of `sc`, with the chance of every year up to `last`
    /// (the last observed year) as latents too: a trajectory's year effects
    /// and yearly pass rates are what happened in those years, and history
    /// informs them; left as noise, a single trajectory would almost never
    /// match a long series within its reporting errors.
    pub fn of(sc: &Scenario, last: i32) -> Result<Unknowns, CalibrationError> {
        let mut specs = Vec::new();
        let mut excluded = Vec::new();
        let mut parts = Vec::new();
        let mut latents = 0;
        let mut fresh = || {
            latents += 1;
            latents - 1
        };
        let corr = &sc.correlations;
        let corr_latents: Vec<usize> = (0..corr.paths.len()).map(|_| fresh()).collect();
        // Province-wide latent of each regional field, made on first use.
        let mut common: Vec<Option<usize>> = Vec::new();
        for spec in Sampled::unknowns(sc) {
            if spec.dist.quantile(0.5).is_none() {
                excluded.push(spec.path.clone());
                continue;
            }
            let p = match spec.regional {
                None => match corr.paths.iter().position(|q| *q == spec.path) {
                    Some(i) => {
                        let n = corr.paths.len();
                        (0..=i)
                            .map(|j| (corr_latents[j], corr.cholesky[i * n + j]))
                            .collect()
                    }
                    None => vec![(fresh(), 1.0)],
                },
                Some((_, field, s)) => {
                    let mut v = Vec::new();
                    if s > 0.0 {
                        if common.len() <= field {
                            common.resize(field + 1, None);
                        }
                        let c = *common[field].get_or_insert_with(&mut fresh);
                        v.push((c, s.sqrt()));
                    }
                    if s < 1.0 {
                        v.push((fresh(), (1.0 - s).sqrt()));
                    }
                    v
                }
            };
            parts.push(p);
            specs.push(spec);
        }
        let chance = crate::model::params::chance_slots(sc, last)
            .into_iter()
            .map(|(name, _, _)| (name, fresh()))
            .collect();
        let mut u = Unknowns {
            specs,
            parts,
            latents,
            excluded,
            chance,
            pinned: Pinned::default(),
        };
        // Two numbers whose paths coincide (a region id with a dot, say)
        // could not be told apart in a posterior: an error, not a guess.
        u.pinned = Pinned::resolve(sc, &u.paths())
            .map_err(|k| CalibrationError::AmbiguousPath(u.paths()[k].clone()))?;
        Ok(u)
    }

    /// Paths of the parameters, then of the chance latents: the columns
    /// of a row of values.
    pub fn paths(&self) -> Vec<String> {
        self.specs
            .iter()
            .map(|s| s.path.clone())
            .chain(self.chance.iter().map(|c| c.0.clone()))
            .collect()
    }

    /// Parameter paths only: the columns of a posterior.
    pub fn parameter_paths(&self) -> Vec<String> {
        self.specs.iter().map(|s| s.path.clone()).collect()
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Values per row: parameters, then chance latents.
    pub fn width(&self) -> usize {
        self.specs.len() + self.chance.len()
    }

    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// The values the latent vector `z` stands for.
    pub fn values(&self, z: &[f64], out: &mut [f64]) {
        for (k, (spec, parts)) in self.specs.iter().zip(&self.parts).enumerate() {
            let zk: f64 = parts.iter().map(|&(i, w)| w * z[i]).sum();
            let x = spec.dist.quantile(normal_cdf(zk)).unwrap_or(f64::NAN);
            out[k] = if spec.count { x.max(0.0).round() } else { x };
        }
        let k = self.specs.len();
        for (j, (_, latent)) in self.chance.iter().enumerate() {
            out[k + j] = z[*latent];
        }
    }
}
