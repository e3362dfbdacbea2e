//! What a simulated trajectory would have shown in a history file: each
//! observed (metric, scope, year) read from one trajectory's tallies, and
//! the standardised distance of those figures from the observed ones.

use crate::model::Trajectory;
use crate::scenario::{History, Scenario, Scope};

/// Reporting error (one sd, as a share) of rows that do not give one.
/// assumption: official workforce figures are rounded, revised and
/// defined loosely ("more than 80,000"); ±5% is the usual size of those
/// revisions. A planner with better knowledge writes `rel_error` per row.
pub const DEFAULT_REL_ERROR: f64 = 0.05;

/// The history a calibration fits, with each row's error scale.
#[derive(Debug, Clone)]
pub struct Fit {
    pub history: History,
    /// Reporting error of each row as a share (the row's, else the default).
    pub rel_error: Vec<f64>,
    /// One sd of each row's reporting error, in the metric's units.
    pub sigma: Vec<f64>,
}

impl Fit {
    pub fn new(history: History, default_rel_error: f64) -> Fit {
        let rel_error: Vec<f64> = history
            .rows
            .iter()
            .map(|o| o.rel_error.unwrap_or(default_rel_error))
            .collect();
        let sigma = history
            .rows
            .iter()
            .zip(&rel_error)
            // A share or a count near zero still has an error of a unit's worth.
            .map(|(o, r)| r * o.observed.abs().max(floor(o)))
            .collect();
        Fit {
            history,
            rel_error,
            sigma,
        }
    }

    pub fn len(&self) -> usize {
        self.history.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.history.rows.is_empty()
    }

    /// The last year observed (the scenario's start year if none).
    pub fn last_year(&self, sc: &Scenario) -> i32 {
        self.history
            .rows
            .iter()
            .map(|o| o.year)
            .max()
            .unwrap_or(sc.start_year)
    }

    /// Σ ((simulated − observed) / σ)² over the rows: −2 log of the Gaussian
    /// reporting-error likelihood, up to a constant.
    pub fn sum_sq(&self, simulated: &[f64]) -> f64 {
        self.history
            .rows
            .iter()
            .zip(simulated)
            .zip(&self.sigma)
            .map(|((o, x), s)| ((x - o.observed) / s).powi(2))
            .sum()
    }
}

/// The smallest value an error scale is taken on: one person, or 0.01 of a share.
fn floor(o: &crate::scenario::Observation) -> f64 {
    match o.metric.unit() {
        crate::scenario::Unit::Share => 0.01,
        _ => 1.0,
    }
}

/// The value of `metric` over `scope` in year index `y` of a finished trajectory.
pub fn value(traj: &Trajectory, scope: &Scope, metric: crate::scenario::Metric, y: usize) -> f64 {
    crate::stats::aggregate::scope_sum(traj.year(y), scope, metric)
}

/// Each history row's figure in a finished trajectory.
pub fn observe(sc: &Scenario, history: &History, traj: &Trajectory, out: &mut [f64]) {
    for (k, o) in history.rows.iter().enumerate() {
        out[k] = value(traj, &o.scope, o.metric, (o.year - sc.start_year) as usize);
    }
}
