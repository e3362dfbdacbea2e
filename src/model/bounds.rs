//! The most a target's metric can reach under the file's fixed inputs,
//! whatever the random draws: when a threshold is above it, no amount of
//! luck meets the target, and the tool says so and names the limit — a
//! quota, a plan's path, the townships there are — instead of printing the
//! same "< 0.1%" as for a merely unlikely target.
//!
//! Bounds are structural and use each uncertain number's largest possible
//! value, so they are never below what a trajectory can reach. They exist
//! for the metrics a plan's quotas cap: stations (and staffed stations and
//! township coverage, which cannot exceed them) and posts. Other metrics
//! have no bound here (`None`): pools and flows have no fixed ceiling that
//! is both cheap to compute and tight.

use serde::{Deserialize, Serialize};

use super::plan::path_step;
use crate::scenario::{Metric, Op, Param, ProgrammeKind, Scenario, Scope, Stock, Target, fmt_num};

/// The attainable maximum of a target's metric and what sets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attainable {
    /// The largest value the metric can take in the target year (for
    /// `every:` scopes, in the region where it is smallest).
    pub max: f64,
    /// What sets it, in the planner's words (the binding limit).
    pub limit: String,
    /// Whether the threshold is beyond it: no trajectory can meet the target.
    pub unreachable: bool,
}

fn hi(p: &Param) -> f64 {
    p.support().1
}

/// One region's most stations by `t` projection years, and what sets it.
fn stations(sc: &Scenario, r: usize, t: u32) -> (f64, String) {
    let region = &sc.regions[r];
    let townships = hi(&region.facts.townships).round();
    let start = hi(&region.stocks.stations).round();
    let lv = &sc.levers.stations;
    let plan = planned_by_now(
        sc,
        r,
        &lv.params.planned_per_year,
        &lv.params.planned_total,
        lv.planned_by,
        t,
    );
    let calendar = sc.start_year + t as i32;
    let mut programmes = 0.0;
    let mut names = Vec::new();
    for p in &sc.programmes {
        let started = p.numbers.start.support().0 <= f64::from(calendar);
        if p.kind == ProgrammeKind::Stations && p.regions.contains(&r) && started {
            programmes += (hi(&p.numbers.size) * townships).round();
            names.push(p.label.clone());
        }
    }
    let built = start + plan + programmes;
    if built >= townships {
        return (
            townships,
            format!("the townships of {} ({townships})", region.id),
        );
    }
    let mut limit = format!(
        "the stations plan (levers.stations: {} a year{}, {} in {} by {calendar})",
        fmt_num(hi(&lv.params.planned_per_year)),
        if hi(&lv.params.planned_total) > 0.0 {
            format!(
                " + {} in all by {}",
                fmt_num(hi(&lv.params.planned_total)),
                lv.planned_by
            )
        } else {
            String::new()
        },
        fmt_num(plan),
        region.id
    );
    if start > 0.0 {
        limit.push_str(&format!(" + {} open at the start", fmt_num(start)));
    }
    if !names.is_empty() {
        limit.push_str(&format!(" + programmes {}", names.join(", ")));
    }
    (built, limit)
}

/// One region's most posts by `t` projection years.
fn posts(sc: &Scenario, r: usize, t: u32) -> (f64, String) {
    let region = &sc.regions[r];
    let start = hi(&region.stocks.posts).round();
    let lv = &sc.levers.posts;
    let plan = planned_by_now(
        sc,
        r,
        &lv.params.planned_per_year,
        &lv.params.planned_total,
        lv.planned_by,
        t,
    );
    let calendar = sc.start_year + t as i32;
    let mut programmes = 0.0;
    for p in &sc.programmes {
        if p.kind == ProgrammeKind::Posts
            && p.numbers.start.support().0 <= f64::from(calendar)
            && let Some(k) = p.regions.iter().position(|&x| x == r)
        {
            programmes += (hi(&p.numbers.size) * p.weights[k]).ceil();
        }
    }
    (
        start + plan + programmes,
        format!(
            "the posts plan (levers.posts: {} a year) and the {} posts at the start",
            fmt_num(hi(&lv.params.planned_per_year)),
            fmt_num(start)
        ),
    )
}

/// One region's most senior-level holders (or senior certificates) by `t`
/// years: while the senior review is not yet open, only those there at the
/// start. Unbounded (infinite) once it may be open.
fn seniors(sc: &Scenario, r: usize, t: u32, certificates: bool) -> (f64, String) {
    let calendar = f64::from(sc.start_year + t as i32);
    let opens = sc
        .parameters
        .promotion
        .senior_review_from
        .support()
        .0
        .round();
    if calendar >= opens {
        return (f64::INFINITY, String::new());
    }
    let stocks = &sc.regions[r].stocks;
    let start = if certificates {
        hi(&stocks.certificates_senior).max(0.0)
    } else {
        hi(&stocks.senior)
    };
    (
        start.round(),
        format!(
            "the senior review, which opens in {} at the earliest (parameters.promotion.senior_review_from): only the holders there at the start",
            fmt_num(opens)
        ),
    )
}

/// The most a lever's planned path can have asked of region `r` by `t`
/// years: `plan`'s yearly steps at their largest, each rounded up (its
/// quotas round up at most).
fn planned_by_now(
    sc: &Scenario,
    r: usize,
    per_year: &Param,
    total: &Param,
    by: i32,
    t: u32,
) -> f64 {
    let share = sc.regions[r].budget_share;
    (1..=t)
        .map(|y| (share * path_step(hi(per_year), hi(total), sc.start_year, by, y)).ceil())
        .sum()
}

/// The attainable maximum of a target, if its metric has a structural bound.
pub fn attainable(sc: &Scenario, target: &Target) -> Option<Attainable> {
    // What a target adds since the start has no structural bound here.
    if !target.op.wants_more() || target.since_start {
        return None;
    }
    let t = (target.year - sc.start_year).max(0) as u32;
    let per_region: fn(&Scenario, usize, u32) -> (f64, String) = match target.metric {
        Metric::Stations | Metric::StationsStaffed | Metric::TownshipCoverage => stations,
        Metric::Posts => posts,
        Metric::Senior if sc.transfers.iter().all(|x| x.stock != Stock::Senior) => {
            |sc, r, t| seniors(sc, r, t, false)
        }
        Metric::CertificatesIssuedSenior => |sc, r, t| seniors(sc, r, t, true),
        _ => return None,
    };
    let share = target.metric == Metric::TownshipCoverage;
    let regions: Vec<usize> = match &target.scope {
        Scope::Total => (0..sc.regions.len()).collect(),
        Scope::Region(r) => vec![*r],
        Scope::Tagged { regions, .. } | Scope::Every { regions, .. } => regions.clone(),
    };
    let bound = |rs: &[usize]| {
        let mut sum = 0.0;
        let mut townships = 0.0;
        let mut limits: Vec<(f64, String)> = Vec::new();
        for &r in rs {
            let (b, why) = per_region(sc, r, t);
            sum += b;
            townships += hi(&sc.regions[r].facts.townships).round();
            limits.push((b, why));
        }
        let value = if share {
            if townships > 0.0 {
                sum / townships
            } else {
                0.0
            }
        } else {
            sum
        };
        (value, limits)
    };
    let (max, limit) = match &target.scope {
        Scope::Every { regions, .. } => {
            // The k-th lowest bound decides (k = 1: the lowest), k being how
            // many regions may miss: n − needed + 1.
            let mut all: Vec<(f64, String)> = regions
                .iter()
                .map(|&r| {
                    let (v, mut why) = bound(&[r]);
                    (v, why.pop().map(|w| w.1).unwrap_or_default())
                })
                .collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0));
            let needed = target.regions_needed(all.len());
            let k = all.len().checked_sub(needed)?;
            all.into_iter().nth(k)?
        }
        _ => {
            let (v, why) = bound(&regions);
            // Name the plan when it binds anywhere, else the townships.
            let planned: Vec<&String> = why
                .iter()
                .map(|w| &w.1)
                .filter(|w| !w.starts_with("the townships"))
                .collect();
            let one_reason = planned.windows(2).all(|w| w[0] == w[1]);
            let limit = if planned.is_empty() {
                why.first().map(|w| w.1.clone()).unwrap_or_default()
            } else if one_reason {
                planned[0].clone()
            } else {
                format!(
                    "the plan's quotas in {} of {} regions, e.g. {}",
                    planned.len(),
                    why.len(),
                    planned[0]
                )
            };
            (v, limit)
        }
    };
    if !max.is_finite() {
        return None;
    }
    let unreachable = if target.op == Op::Ge {
        max < target.threshold - 1e-9
    } else {
        max <= target.threshold
    };
    Some(Attainable {
        max,
        limit,
        unreachable,
    })
}
