//! Why a near-certain answer is near-certain.
//!
//! A P(met) of "< 0.5%" or "> 99.5%" is a finding only if the reader can see
//! what decided it. Three cases, checked in this order:
//!
//! - **a fixed limit**: the threshold is above the most the file's fixed
//!   inputs allow ([`crate::model::bounds`]) — a quota, a plan's path, the
//!   townships there are; no luck meets it;
//! - **already met at the start**: the start year's value meets the
//!   threshold in (almost) every trajectory, so the target asks for nothing
//!   the plan must do — often a sign the document counts something else
//!   (what a programme adds, say) than the level;
//! - **far from the threshold**: the spread of the projection does not
//!   reach it. The answer then rests on the unknowns; their ranking by
//!   Spearman's ρ with the target's value (the same measure as
//!   [`super::sensitivity`]) names the three that move it most, which is
//!   where a planner must look before saying "no chance".

use serde::{Deserialize, Serialize};

use super::sensitivity::{Sensitivity, analyse, top_drivers};
use crate::engine::RunResult;
use crate::scenario::Scenario;

/// An answer this close to 0 or 1 is near-certain at the printed precision.
pub const NEAR_CERTAIN: f64 = 0.005;

/// What decided a near-certain answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// The threshold is beyond the attainable maximum.
    FixedLimit { max: f64, limit: String },
    /// The start year's 5th (or 95th) percentile already meets it.
    MetAtStart { start_median: f64 },
    /// The projection's 5–95% range stays on one side of the threshold;
    /// `edge` is the range's end nearest to it, `drivers` the unknowns that
    /// move the value most (parameter, Spearman's ρ).
    FarFromThreshold {
        edge: f64,
        drivers: Vec<(String, f64)>,
    },
}

/// The explanation of one near-certain target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub id: String,
    pub p_met: f64,
    pub why: Why,
}

/// Explains every target whose P(met) is within [`NEAR_CERTAIN`] of 0 or 1.
pub fn explain(sc: &Scenario, r: &RunResult) -> Vec<Explanation> {
    let near: Vec<usize> = (0..r.targets.len())
        .filter(|&i| {
            let p = r.targets[i].p_met;
            !(NEAR_CERTAIN..=1.0 - NEAR_CERTAIN).contains(&p)
        })
        .collect();
    if near.is_empty() {
        return Vec::new();
    }
    let mut ranking: Option<Sensitivity> = None;
    near.into_iter()
        .map(|i| {
            let t = &r.targets[i];
            let tg = &sc.targets[i];
            let met = t.p_met > 0.5;
            let why = if let Some(a) = t.attainable.as_ref().filter(|a| a.unreachable) {
                Why::FixedLimit {
                    max: a.max,
                    limit: a.limit.clone(),
                }
            } else if let Some(start) = t.by_year.first().filter(|s| {
                met && !tg.since_start && {
                    let edge = if tg.op.wants_more() { s.p05 } else { s.p95 };
                    tg.op.holds(edge, tg.threshold)
                }
            }) {
                Why::MetAtStart {
                    start_median: start.p50,
                }
            } else {
                let s = ranking.get_or_insert_with(|| analyse(sc, r));
                let edge = if met == tg.op.wants_more() {
                    t.quantiles.p05
                } else {
                    t.quantiles.p95
                };
                Why::FarFromThreshold {
                    edge,
                    drivers: top_drivers(&s.targets[i].influences, 3, false)
                        .into_iter()
                        .map(|x| (x.parameter, x.rank_correlation))
                        .collect(),
                }
            };
            Explanation {
                id: t.id.clone(),
                p_met: t.p_met,
                why,
            }
        })
        .collect()
}
