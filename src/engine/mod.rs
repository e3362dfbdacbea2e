//! The engine: keyed random streams ([`streams`]) and the parallel runner
//! that drives the model over thousands of trajectories ([`runner`]), and
//! runs that stop at a stated precision ([`precision`]).

pub mod precision;
pub mod runner;
pub mod streams;

pub use runner::{KEPT_BY_DEFAULT, Keep, MetricRow, Records, RunError, RunOptions, RunResult, run};
