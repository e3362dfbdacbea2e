//! What the data did to each parameter, and whether the fitted model
//! reproduces the history it was fitted to (or held out from it).
//!
//! - Prior vs posterior: each unknown's 5/50/95% points and sd before and
//!   after. A posterior sd above 0.9 × the prior's is flagged "not informed
//!   by these data": history cannot tell the planner that number.
//! - Posterior predictive check (Gelman, Meng & Stern 1996, Stat Sinica
//!   6:733; Gneiting, Balabdaoui & Raftery 2007, JRSS-B 69:243): trajectories
//!   drawn with parameters from the posterior, each figure with its
//!   reporting error added, give every observation a predictive
//!   distribution: its PIT (the share of predictions below it; uniform if
//!   the model is calibrated), whether it falls in the central 50/80/90%
//!   bands, and its CRPS (in the metric's units; lower is better), estimated
//!   from the sample as E|X − y| − ½E|X − X′|.

use rand::RngExt as _;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use super::observe::{Fit, value};
use super::unknowns::Unknowns;
use crate::model::Trajectory;
use crate::model::streams::{ALL_REGIONS, Streams};
use crate::scenario::{Metric, Scenario, Scope};

/// The probabilities of the predictive points reported.
pub const POINTS: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

/// One unknown before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Marginal {
    pub path: String,
    /// 5%, 50%, 95% points of the prior.
    pub prior: [f64; 3],
    pub prior_sd: f64,
    pub posterior: [f64; 3],
    pub posterior_sd: f64,
    /// Whether the posterior is narrower than 0.9 × the prior.
    pub informed: bool,
}

impl super::Calibration {
    /// Each unknown's prior and posterior.
    pub fn marginals(&self) -> Vec<Marginal> {
        marginals(
            &self.unknowns,
            &self.population.values,
            &self.population.weights,
            self.settings.seed,
        )
    }
}

/// Prior draws used to describe each prior.
const PRIOR_DRAWS: usize = 4000;

/// Each unknown's prior and posterior, from the population's values.
pub fn marginals(unknowns: &Unknowns, values: &[f64], weights: &[f64], seed: u64) -> Vec<Marginal> {
    let k = unknowns.width();
    let d = unknowns.latents;
    let mut prior = vec![0.0; PRIOR_DRAWS * k];
    let s = Streams::new(seed ^ 0x5052_494F_5244_5257, 0);
    let mut rng = s.rng(ALL_REGIONS, 0, 1);
    let mut z = vec![0.0; d];
    for i in 0..PRIOR_DRAWS {
        for x in z.iter_mut() {
            *x = StandardNormal.sample(&mut rng);
        }
        unknowns.values(&z, &mut prior[i * k..(i + 1) * k]);
    }
    let equal = vec![1.0; PRIOR_DRAWS];
    let n = weights.len();
    (0..unknowns.len())
        .map(|c| {
            let pr: Vec<f64> = (0..PRIOR_DRAWS).map(|i| prior[i * k + c]).collect();
            let po: Vec<f64> = (0..n).map(|i| values[i * k + c]).collect();
            let (prior_q, prior_sd) = describe(&pr, &equal);
            let (post_q, post_sd) = describe(&po, weights);
            Marginal {
                path: unknowns.specs[c].path.clone(),
                prior: prior_q,
                prior_sd,
                posterior: post_q,
                posterior_sd: post_sd,
                informed: post_sd <= 0.9 * prior_sd,
            }
        })
        .collect()
}

/// Weighted 5/50/95% points and sd.
fn describe(x: &[f64], w: &[f64]) -> ([f64; 3], f64) {
    let q = weighted_quantiles(x, w, &[0.05, 0.5, 0.95]);
    let sw: f64 = w.iter().sum();
    let mean = x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / sw;
    let var = x
        .iter()
        .zip(w)
        .map(|(a, b)| b * (a - mean).powi(2))
        .sum::<f64>()
        / sw;
    ([q[0], q[1], q[2]], var.max(0.0).sqrt())
}

/// The p-quantiles of weighted values: the smallest value whose cumulative
/// weight reaches p.
pub fn weighted_quantiles(x: &[f64], w: &[f64], ps: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let total: f64 = w.iter().sum();
    ps.iter()
        .map(|&p| {
            let mut acc = 0.0;
            for &i in &idx {
                acc += w[i];
                if acc >= p * total * (1.0 - 1e-12) {
                    return x[i];
                }
            }
            idx.last().map_or(f64::NAN, |&i| x[i])
        })
        .collect()
}

/// The predictive distribution of one observed figure, and how the figure fell in it.
#[derive(Debug, Clone, PartialEq)]
pub struct RowCheck {
    pub metric: Metric,
    pub scope: String,
    pub year: i32,
    pub observed: f64,
    /// Predictive points at [`POINTS`].
    pub points: [f64; 7],
    pub pit: f64,
    pub crps: f64,
}

impl RowCheck {
    /// Whether the observation is inside the central band of `level` (0.5, 0.8 or 0.9).
    pub fn inside(&self, level: f64) -> bool {
        let (lo, hi) = match level {
            l if l <= 0.5 => (self.points[2], self.points[4]),
            l if l <= 0.8 => (self.points[1], self.points[5]),
            _ => (self.points[0], self.points[6]),
        };
        self.observed >= lo && self.observed <= hi
    }
}

/// A fan of one observed series over every year of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFan {
    pub metric: Metric,
    pub scope: String,
    /// (year, points at [`POINTS`]) for each year of the run.
    pub years: Vec<(i32, [f64; 7])>,
    /// (year, observed) of the rows fitted, and of the rows held out.
    pub fitted: Vec<(i32, f64)>,
    pub held_out: Vec<(i32, f64)>,
}

/// A posterior predictive check.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictive {
    pub draws: usize,
    /// The rows checked, in file order.
    pub rows: Vec<RowCheck>,
    pub series: Vec<SeriesFan>,
}

impl Predictive {
    /// Rows inside the central band of `level`.
    pub fn inside(&self, level: f64) -> usize {
        self.rows.iter().filter(|r| r.inside(level)).count()
    }
}

/// Simulates `draws` trajectories with parameters picked from the
/// population by weight, and checks `check`'s rows against them; `fitted`
/// are the rows the population was fitted to (shown on the fans).
#[allow(clippy::too_many_arguments)]
pub fn predictive(
    sc: &Scenario,
    unknowns: &Unknowns,
    values: &[f64],
    weights: &[f64],
    fitted: &Fit,
    check: &Fit,
    draws: usize,
    seed: u64,
) -> Predictive {
    let k = unknowns.width();
    let cumulative: Vec<f64> = weights
        .iter()
        .scan(0.0, |a, w| {
            *a += w;
            Some(*a)
        })
        .collect();
    let total = cumulative.last().copied().unwrap_or(1.0);
    // The series: every (metric, scope) either fit names.
    let mut keys: Vec<(Metric, String, Scope, f64)> = Vec::new();
    for f in [fitted, check] {
        for (o, r) in f.history.rows.iter().zip(&f.rel_error) {
            if !keys
                .iter()
                .any(|(m, s, _, _)| *m == o.metric && *s == o.scope_name)
            {
                keys.push((o.metric, o.scope_name.clone(), o.scope.clone(), *r));
            }
        }
    }
    let years = sc.horizon() + 1;
    let rows = check.len();
    // Each draw: the checked rows, then every series' every year.
    let width = rows + keys.len() * years;
    let sims: Vec<f64> = (0..draws)
        .into_par_iter()
        .map_init(
            || Trajectory::new(sc),
            |traj, i| {
                let s = Streams::new(seed ^ 0x5052_4544_4943_5456, i as u64);
                let u: f64 = s.rng(ALL_REGIONS, 0, 1).random::<f64>() * total;
                let p = cumulative
                    .partition_point(|&c| c <= u)
                    .min(weights.len() - 1);
                traj.run_pinned(sc, &s, &unknowns.pinned, &values[p * k..(p + 1) * k]);
                let mut noise = s.rng(ALL_REGIONS, 0, 2);
                let mut out = Vec::with_capacity(width);
                for (o, r) in check.history.rows.iter().zip(&check.rel_error) {
                    let x = value(traj, &o.scope, o.metric, (o.year - sc.start_year) as usize);
                    let e: f64 = StandardNormal.sample(&mut noise);
                    out.push((x + r * x.abs().max(1e-9) * e).max(0.0));
                }
                for (m, _, scope, r) in &keys {
                    for y in 0..years {
                        let x = value(traj, scope, *m, y);
                        let e: f64 = StandardNormal.sample(&mut noise);
                        out.push((x + r * x.abs() * e).max(0.0));
                    }
                }
                out
            },
        )
        .flatten()
        .collect();
    let column = |c: usize| -> Vec<f64> {
        let mut v: Vec<f64> = (0..draws).map(|i| sims[i * width + c]).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let points = |sorted: &[f64]| -> [f64; 7] {
        let mut p = [0.0; 7];
        for (slot, q) in p.iter_mut().zip(POINTS) {
            *slot = crate::stats::quantile_sorted(sorted, q);
        }
        p
    };
    let row_checks = check
        .history
        .rows
        .iter()
        .enumerate()
        .map(|(c, o)| {
            let sorted = column(c);
            let below = sorted.iter().filter(|&&x| x < o.observed).count();
            let ties = sorted.iter().filter(|&&x| x == o.observed).count();
            RowCheck {
                metric: o.metric,
                scope: o.scope_name.clone(),
                year: o.year,
                observed: o.observed,
                points: points(&sorted),
                pit: (below as f64 + 0.5 * ties as f64) / draws as f64,
                crps: crps(&sorted, o.observed),
            }
        })
        .collect();
    let series = keys
        .iter()
        .enumerate()
        .map(|(s, (m, name, _, _))| {
            let pick = |f: &Fit| -> Vec<(i32, f64)> {
                f.history
                    .rows
                    .iter()
                    .filter(|o| o.metric == *m && o.scope_name == *name)
                    .map(|o| (o.year, o.observed))
                    .collect()
            };
            let (fit_pts, check_pts) = (pick(fitted), pick(check));
            SeriesFan {
                metric: *m,
                scope: name.clone(),
                years: (0..years)
                    .map(|y| {
                        (
                            sc.start_year + y as i32,
                            points(&column(rows + s * years + y)),
                        )
                    })
                    .collect(),
                held_out: check_pts
                    .into_iter()
                    .filter(|p| !fit_pts.contains(p))
                    .collect(),
                fitted: fit_pts,
            }
        })
        .collect();
    Predictive {
        draws,
        rows: row_checks,
        series,
    }
}

/// The continuous ranked probability score of a sample (sorted) for `y`.
pub fn crps(sorted: &[f64], y: f64) -> f64 {
    let m = sorted.len() as f64;
    if sorted.is_empty() {
        return f64::NAN;
    }
    let e1 = sorted.iter().map(|x| (x - y).abs()).sum::<f64>() / m;
    // E|X − X′| = (2/m²) Σ (2i − m − 1) x₍ᵢ₎, i from 1.
    let e2 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - m - 1.0) * x)
        .sum::<f64>()
        * 2.0
        / (m * m);
    e1 - 0.5 * e2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crps_of_a_point_is_the_absolute_error() {
        assert!((crps(&[3.0], 5.0) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn crps_of_a_uniform_sample_matches_the_closed_form() {
        // For U(0,1) and y in [0,1]: CRPS = y² − y + 1/3.
        let m = 20_000;
        let s: Vec<f64> = (0..m).map(|i| (i as f64 + 0.5) / m as f64).collect();
        for y in [0.1, 0.5, 0.8] {
            let exact = y * y - y + 1.0 / 3.0;
            assert!((crps(&s, y) - exact).abs() < 1e-4, "{y}");
        }
    }

    #[test]
    fn weighted_quantiles_follow_the_weights() {
        let q = weighted_quantiles(&[1.0, 2.0, 3.0], &[0.1, 0.1, 0.8], &[0.05, 0.5, 0.95]);
        assert_eq!(q, vec![1.0, 3.0, 3.0]);
    }
}
