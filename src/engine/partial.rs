//! What a run of some of a scenario's trajectories produces, before it is
//! summarised: the aggregate of those trajectories (integer counts and exact
//! sums, [`crate::stats::aggregate`]) and the per-trajectory rows that the
//! summary reads (the records of the first trajectories, and their twins'
//! target values), by range of trajectory numbers.
//!
//! Trajectory `i`'s numbers depend only on `(seed, i)`, so the partials of
//! any cut of `0..n` merge into exactly the partial of one run over all of
//! them, in any order and any grouping: counts add, and rows are placed by
//! trajectory number. A merged partial is held in one canonical form
//! (ranges ascending, adjacent ranges joined), so a tree of merges gives the
//! same bytes as a chain.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::stats::aggregate::{Aggregate, MetricScopes};

/// A run's statistics over some of its trajectories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    pub seed: u64,
    /// Trajectories in the whole run (not in this part).
    pub trajectories: u64,
    /// The first this many trajectories of the run keep their records.
    pub kept: u64,
    /// The first this many trajectories have a twin (for the split of each
    /// target's spread).
    pub twins: u64,
    /// Targets, and uncertain parameters recorded per kept trajectory.
    pub targets: usize,
    pub params: usize,
    /// Which scopes' metrics were counted (older partial files: every one).
    #[serde(default)]
    pub metrics: MetricScopes,
    /// Most worker threads any part used.
    pub threads: usize,
    /// The longest any part took.
    pub elapsed_seconds: f64,
    pub aggregate: Aggregate,
    /// The trajectories counted, ascending and disjoint, with their rows.
    pub pieces: Vec<Piece>,
}

/// The rows of a contiguous range of trajectories: for each `i` in the range
/// below `kept`, its target values and parameter draws; below `twins`, its
/// twin's target values. Row-major, trajectory by trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Piece {
    pub start: u64,
    pub end: u64,
    pub values: Vec<f64>,
    pub params: Vec<f64>,
    pub twin_values: Vec<f64>,
}

/// Why two partials cannot be merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("they are parts of different runs: {what} is {a} in one and {b} in the other")]
    DifferentRuns {
        what: &'static str,
        a: String,
        b: String,
    },
    #[error("both hold trajectories {start}..{end}: a shard was counted twice")]
    Overlap { start: u64, end: u64 },
}

impl Piece {
    /// Rows of trajectories `range`, a piece of a run keeping `kept`
    /// records and `twins` twins: empty vectors of the right length.
    pub fn empty(range: Range<u64>, p: &Partial) -> Piece {
        let rows = |limit: u64| (range.end.min(limit)).saturating_sub(range.start) as usize;
        Piece {
            start: range.start,
            end: range.end,
            values: vec![0.0; rows(p.kept) * p.targets],
            params: vec![0.0; rows(p.kept) * p.params],
            twin_values: vec![0.0; rows(p.twins) * p.targets],
        }
    }

    fn join(&mut self, next: Piece) {
        debug_assert_eq!(self.end, next.start);
        self.end = next.end;
        self.values.extend(next.values);
        self.params.extend(next.params);
        self.twin_values.extend(next.twin_values);
    }
}

impl Partial {
    /// Trajectories counted.
    pub fn counted(&self) -> u64 {
        self.pieces.iter().map(|p| p.end - p.start).sum()
    }

    /// The ranges of the run's trajectories that no piece holds.
    pub fn missing(&self) -> Vec<Range<u64>> {
        let mut gaps = Vec::new();
        let mut at = 0;
        for p in &self.pieces {
            if p.start > at {
                gaps.push(at..p.start);
            }
            at = at.max(p.end);
        }
        if at < self.trajectories {
            gaps.push(at..self.trajectories);
        }
        gaps
    }

    /// The same part keeping the records of only the run's first `kept`
    /// trajectories (an analysis that needed every record has read them).
    pub fn keep_first(mut self, kept: u64) -> Partial {
        let kept = kept.min(self.kept);
        for p in &mut self.pieces {
            let rows = (kept.min(p.end)).saturating_sub(p.start) as usize;
            p.values.truncate(rows * self.targets);
            p.params.truncate(rows * self.params);
        }
        self.kept = kept;
        self
    }

    /// This part and `other` as one: refused if they are parts of different
    /// runs or hold a trajectory twice.
    pub fn merge(mut self, other: Partial) -> Result<Partial, MergeError> {
        let same = |what: &'static str, a: u64, b: u64| {
            if a == b {
                Ok(())
            } else {
                Err(MergeError::DifferentRuns {
                    what,
                    a: a.to_string(),
                    b: b.to_string(),
                })
            }
        };
        same("the seed", self.seed, other.seed)?;
        same(
            "the number of trajectories",
            self.trajectories,
            other.trajectories,
        )?;
        same("the number of kept records", self.kept, other.kept)?;
        same("the number of twins", self.twins, other.twins)?;
        same(
            "the number of targets",
            self.targets as u64,
            other.targets as u64,
        )?;
        same(
            "the number of uncertain parameters",
            self.params as u64,
            other.params as u64,
        )?;
        if self.metrics != other.metrics {
            return Err(MergeError::DifferentRuns {
                what: "which metrics were counted",
                a: format!("{:?}", self.metrics),
                b: format!("{:?}", other.metrics),
            });
        }
        if self.aggregate.cells.dim() != other.aggregate.cells.dim() {
            return Err(MergeError::DifferentRuns {
                what: "the shape of the aggregate (years × regions × metrics)",
                a: format!("{:?}", self.aggregate.cells.dim()),
                b: format!("{:?}", other.aggregate.cells.dim()),
            });
        }
        let mut pieces: Vec<Piece> = self.pieces.drain(..).chain(other.pieces).collect();
        pieces.sort_by_key(|p| p.start);
        let mut joined: Vec<Piece> = Vec::with_capacity(pieces.len());
        for p in pieces {
            match joined.last_mut() {
                Some(last) if p.start < last.end && p.end > p.start => {
                    return Err(MergeError::Overlap {
                        start: p.start,
                        end: p.end.min(last.end),
                    });
                }
                Some(last) if last.end == p.start => last.join(p),
                _ => joined.push(p),
            }
        }
        // Empty pieces (a shard of more shards than trajectories) hold nothing.
        joined.retain(|p| p.end > p.start);
        Ok(Partial {
            threads: self.threads.max(other.threads),
            elapsed_seconds: self.elapsed_seconds.max(other.elapsed_seconds),
            aggregate: self.aggregate.merge(&other.aggregate),
            pieces: joined,
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(ranges: &[(u64, u64)]) -> Partial {
        let sc = crate::scenario::Scenario::from_str(
            std::path::Path::new("t.toml"),
            crate::scenario::TEMPLATE,
        )
        .unwrap();
        let mut p = Partial {
            seed: 1,
            trajectories: 100,
            kept: 50,
            twins: 10,
            targets: 2,
            params: 1,
            metrics: MetricScopes::Every,
            threads: 1,
            elapsed_seconds: 0.0,
            aggregate: Aggregate::new(&sc, MetricScopes::Every),
            pieces: vec![],
        };
        p.pieces = ranges
            .iter()
            .map(|&(a, b)| {
                let mut piece = Piece::empty(a..b, &p);
                // Each row says which trajectory it is.
                for (k, v) in piece.values.iter_mut().enumerate() {
                    *v = (a + k as u64 / 2) as f64;
                }
                piece
            })
            .collect();
        p
    }

    #[test]
    fn rows_are_placed_by_trajectory_whatever_the_merge_order() {
        let a = part(&[(0, 30)]);
        let b = part(&[(30, 45)]);
        let c = part(&[(45, 100)]);
        let chain = a
            .clone()
            .merge(b.clone())
            .unwrap()
            .merge(c.clone())
            .unwrap();
        let tree = c.merge(a.merge(b).unwrap()).unwrap();
        assert_eq!(chain, tree);
        assert_eq!(chain.pieces.len(), 1);
        assert!(chain.missing().is_empty());
        let p = &chain.pieces[0];
        assert_eq!(p.values.len(), 50 * 2);
        assert_eq!(p.twin_values.len(), 10 * 2);
        for (k, v) in p.values.iter().enumerate() {
            assert_eq!(*v, (k / 2) as f64);
        }
    }

    #[test]
    fn gaps_and_overlaps_are_named() {
        let p = part(&[(0, 10)]).merge(part(&[(40, 60)])).unwrap();
        assert_eq!(p.missing(), vec![10..40, 60..100]);
        assert_eq!(p.counted(), 30);
        let e = p.merge(part(&[(55, 70)])).unwrap_err();
        assert_eq!(e, MergeError::Overlap { start: 55, end: 60 });
        let mut other = part(&[(10, 20)]);
        other.seed = 2;
        let e = part(&[(0, 10)]).merge(other).unwrap_err();
        assert!(e.to_string().contains("the seed is 1 in one and 2"), "{e}");
    }
}
