//! wfsim: a Monte Carlo projection of a social-work workforce plan.
//!
//! The pipeline reads top to bottom, and data flows one way through it:
//!
//! 1. [`scenario`]: a scenario file (TOML) → a validated [`Scenario`], or
//!    every problem with its file, line, column and field path;
//! 2. [`model`]: the trajectory's parameters drawn ([`model::Sampled`]) and
//!    one year of MODEL.md stepped, in order, for every region;
//! 3. [`engine`]: keyed random streams and the parallel runner, which turns
//!    thousands of trajectories into per-target records and histograms;
//! 4. [`stats`]: probabilities with intervals, quantiles, target summaries;
//! 5. [`report`]: `summary.json`, `metrics.csv`, `targets.csv`, the charts,
//!    `report.html` and `summary.xlsx`, each written whole or not at all.
//!
//! [`analysis`] drives the engine for comparisons of policy variants;
//! [`calibration`] drives it to fit the unknowns to history and to back-test.
//!
//! The `wfsim` binary is a thin command line over these.

pub mod analysis;
pub mod calibration;
pub mod engine;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;

pub use engine::{RunOptions, RunResult, run};
pub use scenario::Scenario;
