//! Statistics of a run: intervals for probabilities, quantiles, histograms
//! and the per-target summary. Separate from reporting, as in criterion.

pub mod aggregate;
pub mod histogram;
pub mod interval;
pub mod programme;
pub mod target;

pub use histogram::Histogram;
pub use interval::{Interval, wilson};

/// The probabilities at which quantiles are reported.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

/// The 1-based rank of the p-quantile among n sorted values: ⌈p·n⌉, at least 1.
pub fn rank(p: f64, n: u64) -> u64 {
    ((p * n as f64).ceil() as u64).clamp(1, n.max(1))
}

/// The p-quantile of sorted values (the ⌈p·n⌉-th smallest), NaN if empty.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[rank(p, sorted.len() as u64) as usize - 1]
}
