//! wfsim's integration tests: one binary, a module per concern.

mod analytic;
mod briefing;
mod browser;
mod calibration;
mod cli;
mod common;
mod compare;
mod conservation;
mod deploy;
mod determinism;
mod editing;
mod errors;
mod funding;
mod fuzz;
mod interval;
mod labels;
mod memory;
mod precision;
mod programmes;
mod raster;
mod readings;
mod region_tables;
mod samplers;
mod scenarios;
mod sensitivity;
/// The benchmarks' scenario shape, kept valid by a test here.
#[path = "../../benches/shape/mod.rs"]
mod shape;
mod shard;
mod solve;
mod sweep;
mod terminal;
mod uncertainty;
mod workbooks;
