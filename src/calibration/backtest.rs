//! Back-testing: fit on the years up to a cutoff, forecast the rest, and
//! score the forecast of each held-out figure against two naive forecasts
//! a planner would otherwise use — the last observed value carried forward,
//! and the straight line through the fitted years of the same series.
//!
//! Scores (Gneiting & Raftery 2007, JASA 102:359): coverage of the central
//! 50/80/90% bands, the PIT of each held-out figure, and the CRPS. A point
//! forecast's CRPS is its absolute error, so the three are on one scale:
//! the model earns its keep where its CRPS is below the baselines'.

use super::check::{Predictive, RowCheck};
use super::observe::Fit;

/// One held-out figure, scored.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub check: RowCheck,
    /// The last value of the series at or before the cutoff, if any.
    pub last_value: Option<f64>,
    /// The least-squares line through the series' fitted years, at this year.
    pub trend: Option<f64>,
}

/// A back-test's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    pub cutoff: i32,
    pub rows: Vec<Scored>,
}

impl Backtest {
    /// Held-out figures inside the model's central band of `level`.
    pub fn inside(&self, level: f64) -> usize {
        self.rows.iter().filter(|r| r.check.inside(level)).count()
    }

    /// Mean CRPS of the model over every held-out figure, and of the model
    /// and each baseline over the figures the baselines can forecast (a
    /// series with a fitted year): the comparison is on the same figures.
    pub fn mean_crps(&self) -> Crps {
        let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        let all: Vec<f64> = self.rows.iter().map(|r| r.check.crps).collect();
        let shared: Vec<&Scored> = self
            .rows
            .iter()
            .filter(|r| r.last_value.is_some())
            .collect();
        let err = |f: fn(&Scored) -> Option<f64>| -> Vec<f64> {
            shared
                .iter()
                .filter_map(|r| f(r).map(|x| (x - r.check.observed).abs()))
                .collect()
        };
        Crps {
            model: mean(&all).unwrap_or(f64::NAN),
            compared: shared.len(),
            model_compared: mean(&shared.iter().map(|r| r.check.crps).collect::<Vec<_>>()),
            last_value: mean(&err(|r| r.last_value)),
            trend: mean(&err(|r| r.trend)),
        }
    }
}

/// Mean CRPS of a back-test (in the metrics' units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crps {
    /// The model over every held-out figure.
    pub model: f64,
    /// Held-out figures the baselines can forecast.
    pub compared: usize,
    /// The model, the last value carried forward and the linear trend over those.
    pub model_compared: Option<f64>,
    pub last_value: Option<f64>,
    pub trend: Option<f64>,
}

/// Scores the predictive check of the held-out rows against the baselines
/// built from the fitted rows.
pub fn score(cutoff: i32, fitted: &Fit, predictive: &Predictive) -> Backtest {
    let rows = predictive
        .rows
        .iter()
        .map(|c| {
            let mut past: Vec<(f64, f64)> = fitted
                .history
                .rows
                .iter()
                .filter(|o| o.metric == c.metric && o.scope_name == c.scope && o.year <= cutoff)
                .map(|o| (f64::from(o.year), o.observed))
                .collect();
            past.sort_by(|a, b| a.0.total_cmp(&b.0));
            let last_value = past.last().map(|p| p.1);
            let trend = line(&past)
                .map(|(a, b)| a + b * f64::from(c.year))
                .or(last_value);
            Scored {
                check: c.clone(),
                last_value,
                trend,
            }
        })
        .collect();
    Backtest { cutoff, rows }
}

/// Least-squares (intercept, slope) through at least two points of distinct x.
fn line(p: &[(f64, f64)]) -> Option<(f64, f64)> {
    if p.len() < 2 {
        return None;
    }
    let n = p.len() as f64;
    let mx = p.iter().map(|q| q.0).sum::<f64>() / n;
    let my = p.iter().map(|q| q.1).sum::<f64>() / n;
    let sxx: f64 = p.iter().map(|q| (q.0 - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = p.iter().map(|q| (q.0 - mx) * (q.1 - my)).sum();
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_through_points_on_a_line() {
        let (a, b) = line(&[(2015.0, 10.0), (2016.0, 12.0), (2017.0, 14.0)]).unwrap();
        assert!((a + b * 2019.0 - 18.0).abs() < 1e-9);
        assert!(line(&[(2015.0, 1.0)]).is_none());
    }
}
