//! The engine: keyed random streams ([`streams`]) and the parallel runner
//! that drives the model over thousands of trajectories ([`runner`]).

pub mod runner;
pub mod streams;

pub use runner::{MetricRow, Records, RunError, RunOptions, RunResult, run};
