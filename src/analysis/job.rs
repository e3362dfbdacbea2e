//! What a shard of each command that can be sharded produces — a run's
//! partial, a comparison's (every arm's partial and their pairs), a sweep's
//! (a partial per grid point) — as one type for the partial-result file
//! ([`crate::engine::shard`]) and the merge.

use serde::{Deserialize, Serialize};

use super::compare::ComparisonPart;
use super::sensitivity::SensitivityPart;
use crate::engine::Partial;
use crate::engine::partial::MergeError;
use crate::engine::shard::Part;

/// A shard's work, by command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Job {
    Run(Box<Partial>),
    Compare(ComparisonPart),
    /// A partial per grid point, in the sweep's order.
    Sweep(Vec<Partial>),
    Sensitivity(Box<SensitivityPart>),
}

impl Job {
    /// The command's name.
    pub fn command(&self) -> &'static str {
        match self {
            Job::Run(_) => "run",
            Job::Compare(_) => "compare",
            Job::Sweep(_) => "sweep",
            Job::Sensitivity(_) => "sensitivity",
        }
    }
}

impl Part for Job {
    fn merge(self, other: Job) -> Result<Job, MergeError> {
        let differ = |a: &Job, b: &Job, what| MergeError::DifferentRuns {
            what,
            a: a.to_string(),
            b: b.to_string(),
        };
        match (self, other) {
            (Job::Run(a), Job::Run(b)) => Ok(Job::Run(Box::new(a.merge(*b)?))),
            (Job::Compare(a), Job::Compare(b)) => {
                if a.arms.len() != b.arms.len() {
                    return Err(MergeError::DifferentRuns {
                        what: "the number of arms",
                        a: a.arms.len().to_string(),
                        b: b.arms.len().to_string(),
                    });
                }
                Ok(Job::Compare(a.merge(b)?))
            }
            (Job::Sweep(a), Job::Sweep(b)) => {
                if a.len() != b.len() {
                    return Err(MergeError::DifferentRuns {
                        what: "the number of grid points",
                        a: a.len().to_string(),
                        b: b.len().to_string(),
                    });
                }
                Ok(Job::Sweep(
                    a.into_iter()
                        .zip(b)
                        .map(|(x, y)| x.merge(y))
                        .collect::<Result<_, _>>()?,
                ))
            }
            (Job::Sensitivity(a), Job::Sensitivity(b)) => {
                Ok(Job::Sensitivity(Box::new(a.merge(*b)?)))
            }
            (a, b) => Err(differ(&a, &b, "the command")),
        }
    }

    fn first(&self) -> Option<&Partial> {
        match self {
            Job::Run(p) => Some(p),
            Job::Compare(c) => c.arms.first(),
            Job::Sweep(points) => points.first(),
            Job::Sensitivity(s) => Some(&s.run),
        }
    }
}

impl std::fmt::Display for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.command())
    }
}
