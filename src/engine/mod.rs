//! The engine: the parallel loop ([`schedule`]), the runner that drives the
//! model over thousands of trajectories with it ([`runner`]: a slice of
//! trajectories into a mergeable [`partial`] result, then the summary of a
//! whole one), shards of a run for a cluster and their files ([`shard`]),
//! and runs that stop at a stated precision ([`precision`]). The random
//! streams the model draws from are the model's own
//! ([`crate::model::streams`]): nothing below the engine imports it.

pub mod partial;
pub mod precision;
pub mod runner;
pub mod schedule;
pub mod shard;

pub use partial::Partial;
pub use runner::{
    KEPT_BY_DEFAULT, Keep, MetricRow, MetricScopes, Records, RunError, RunOptions, RunResult,
    assemble, run, simulate,
};
