//! Confidence intervals for a probability estimated from Monte Carlo draws.
//!
//! The Wilson score interval (Wilson 1927; recommended over the Wald
//! interval by Brown, Cai & DasGupta 2001, "Interval Estimation for a
//! Binomial Proportion"): it stays inside [0, 1], is not degenerate when
//! every or no trajectory meets a target, and covers close to its nominal
//! rate even for probabilities near 0 or 1. z = 1.959964 for 95%.

use serde::Serialize;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The name written into outputs beside every interval.
pub const METHOD: &str = "wilson score interval, 95%";

/// A probability with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub p: f64,
    pub low: f64,
    pub high: f64,
}

/// The Wilson 95% interval for `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> Interval {
    if n == 0 {
        return Interval {
            p: f64::NAN,
            low: 0.0,
            high: 1.0,
        };
    }
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    // At k = 0 (k = n) the bound is exactly 0 (1) in exact arithmetic;
    // rounding would otherwise leave a 1e-19 that reads as "possible".
    Interval {
        p,
        low: if k == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        high: if k == n {
            1.0
        } else {
            (centre + half).min(1.0)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Brown, Cai & DasGupta's worked case scale: 0 of 10 gives [0, 0.2775].
        let i = wilson(0, 10);
        assert_eq!(i.low, 0.0);
        assert!((i.high - 0.277_532).abs() < 1e-5, "{}", i.high);
        let i = wilson(50, 100);
        assert!((i.low - 0.403_832).abs() < 1e-5 && (i.high - 0.596_168).abs() < 1e-5);
        let i = wilson(10, 10);
        assert_eq!(i.high, 1.0);
        assert!(i.low > 0.69 && i.low < 0.73);
    }
}
