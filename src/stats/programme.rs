//! What the programmes did over a run: how often each came, when it started
//! and what it built or trained — so that a probability that rests on a
//! programme says so.

use serde::{Deserialize, Serialize};

use super::interval::{Interval, wilson};
use super::target::Quantiles;
use super::{Histogram, QUANTILES};
use crate::scenario::ProgrammeKind;

/// One programme's outcome over the trajectories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeSummary {
    pub name: String,
    pub label: String,
    pub kind: String,
    /// Share of trajectories in which it happened, with its 95% interval.
    pub p_happened: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Share of all trajectories in which it started in each year of the
    /// projection (years with none left out).
    pub start_years: Vec<StartYear>,
    /// Share of trajectories in which it started after the projection's end.
    pub starts_after_end: f64,
    /// Units it built (stations, posts, positions) or seats it trained by
    /// the end, over all trajectories (0 where it did not come).
    pub built_mean: f64,
    pub built: Quantiles,
}

impl ProgrammeSummary {
    /// Whether the programme builds nothing countable: an exam drive brings
    /// candidates, whose effect is in registrants and passes.
    pub fn builds_nothing(&self) -> bool {
        ProgrammeKind::from_name(&self.kind) == Some(ProgrammeKind::ExamDrive)
    }
}

/// A year and the share of trajectories in which the programme started then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartYear {
    pub year: i32,
    pub share: f64,
}

/// Mergeable counts of one programme: integers, so any merge order gives
/// the same summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeCounts {
    pub happened: u64,
    /// Trajectories starting in each projection year, then "after the end".
    pub starts: Vec<u64>,
    pub built: Histogram,
}

impl ProgrammeCounts {
    pub fn new(horizon: usize) -> ProgrammeCounts {
        ProgrammeCounts {
            happened: 0,
            starts: vec![0; horizon + 1],
            built: Histogram::default(),
        }
    }

    /// Records one trajectory: whether it came, its start year's index
    /// (0 = first projected year; past the end = the last slot), units built.
    pub fn record(&mut self, on: bool, start_index: usize, built: u64) {
        if on {
            self.happened += 1;
            let k = start_index.min(self.starts.len() - 1);
            self.starts[k] += 1;
        }
        self.built.record(i64::try_from(built).unwrap_or(i64::MAX));
    }

    pub fn merge(&mut self, o: &ProgrammeCounts) {
        self.happened += o.happened;
        for (a, b) in self.starts.iter_mut().zip(&o.starts) {
            *a += b;
        }
        self.built.merge(&o.built);
    }

    /// The summary over `n` trajectories; `first_year` is the first projected year.
    pub fn summarise(
        &self,
        name: &str,
        label: &str,
        kind: &str,
        n: u64,
        first_year: i32,
    ) -> ProgrammeSummary {
        let Interval { p, low, high } = wilson(self.happened, n);
        let share = |c: u64| if n == 0 { 0.0 } else { c as f64 / n as f64 };
        let last = self.starts.len() - 1;
        ProgrammeSummary {
            name: name.into(),
            label: label.into(),
            kind: kind.into(),
            p_happened: p,
            ci_low: low,
            ci_high: high,
            start_years: self.starts[..last]
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, &c)| StartYear {
                    year: first_year + i as i32,
                    share: share(c),
                })
                .collect(),
            starts_after_end: share(self.starts[last]),
            built_mean: self.built.mean(),
            built: Quantiles::from_slice(&self.built.quantiles(&QUANTILES)),
        }
    }
}
