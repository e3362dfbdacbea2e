//! Analyses that drive the engine to answer "what should we change?":
//! paired comparison of variants ([`compare`]) and grids of lever values
//! ([`sweep`]), the least lever value that reaches a probability ([`solve`]),
//! and which uncertainty matters most ([`sensitivity`]). They use the engine's common
//! random numbers: every arm runs with the same seed.

pub mod compare;
pub mod explain;
pub mod job;
pub mod sensitivity;
pub mod solve;
pub mod sweep;
