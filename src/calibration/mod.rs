//! Calibration to history and back-testing.
//!
//! A planner's first question about "P(2025 target) = 63%" is why it should
//! be believed. This module confronts the scenario's uncertain numbers with
//! the history a planner holds and shows how well the model would have
//! forecast years it did not see:
//!
//! - [`unknowns`]: the numbers a trajectory draws once, as independent
//!   standard normals (the space calibration moves in);
//! - [`observe`]: what a trajectory would have shown in a history file, and
//!   the reporting-error likelihood;
//! - [`abc`]: ABC-SMC to a posterior (the method and its references are in
//!   that module's doc), or a refusal with the numbers;
//! - [`check`]: prior vs posterior, and the posterior predictive check;
//! - [`backtest`]: scores of held-out years against naive baselines;
//! - [`sbc`]: simulation-based calibration of the procedure itself.
//!
//! A posterior is used by a run through [`crate::scenario::Posterior`].

pub mod abc;
pub mod backtest;
pub mod check;
pub mod observe;
pub mod sbc;
pub mod unknowns;

pub use abc::{Calibration, CalibrationError, Generation, Settings, Stop, calibrate};
pub use observe::{DEFAULT_REL_ERROR, Fit};
pub use unknowns::Unknowns;
