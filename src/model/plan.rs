//! Before the money: what each lever's plan asks for this region-year.
//!
//! Posts, stations and planned services follow a path: `planned_per_year`
//! each year plus `planned_total` reached in a straight line by
//! `planned_by`, split over regions by budget share and rounded with the
//! expectation kept. The demand is the path to date minus what was already
//! built, so a year short of plan is caught up when money allows; stations
//! never exceed the townships. Training and supervision ask for the seats
//! their capacity and eligible pool allow; exam support for the candidates it
//! expects to support at this year's pass rate (see `exam`).
//!
//! Programmes that have started in the trajectory ask for their own path:
//! a stations programme `size` × the region's townships, posts and services
//! `size` places split over their regions by budget share, each reached in a
//! straight line over `years` and caught up afterwards; a training programme
//! trains `size` of the uncertified over its years (each year the share of
//! those left that the remaining years need); an exam drive brings `size` of
//! the eligible who would not have sat to the exam in its years.

use super::context::Ctx;
use super::draw::{MAX_COUNT, round_count, round_quota};
use super::exam;
use super::funding::{Demand, unit_costs};
use super::state::{Lever, RegionState};
use crate::model::streams::Step;
use crate::scenario::{ProgrammeKind, Stock};

/// This year's step of a planned path (whole scenario, before the region's share).
pub(crate) fn path_step(per_year: f64, total: f64, start_year: i32, by: i32, year: u32) -> f64 {
    let span = f64::from((by - start_year).max(1));
    let f = |y: u32| (f64::from(y) / span).min(1.0);
    per_year + total * (f(year) - f(year.saturating_sub(1)))
}

/// Advances the region's planned paths by one year and returns the demands.
pub fn demand(st: &mut RegionState, cx: &Ctx) -> Demand {
    let lv = &cx.sc.levers;
    let cost = unit_costs(cx);
    let mut d = Demand {
        cost,
        ..Demand::default()
    };
    let start = cx.sc.start_year;

    let quota =
        |l: Lever, x: f64| round_quota(&mut cx.rng(Step::Quota, l as usize, 0), x * cx.share);

    // Yearly programmes: capacity and pool.
    let seats = quota(Lever::Training, cx.p.training_lever.capacity);
    d.units[Lever::Training as usize] = seats.min(st.count(Stock::Uncertified));
    let sup = quota(Lever::Supervision, cx.p.supervision_lever.capacity);
    let experienced = st.count(Stock::Intermediate) + st.count(Stock::Senior);
    let eligible = ((experienced as f64 * cx.p.promotion.supervisor_eligible_share) as u64)
        .saturating_sub(st.supervisors);
    d.units[Lever::Supervision as usize] = sup.min(eligible);
    (d.candidates, d.money[Lever::ExamSupport as usize]) = exam::support_demand(st, cx);
    d.money[Lever::Orgs as usize] = f64::INFINITY;

    // Places: the path to date minus what was built.
    let paths = [
        (
            Lever::Posts,
            cx.p.posts_lever.planned_per_year,
            cx.p.posts_lever.planned_total,
            lv.posts.planned_by,
            true,
        ),
        (
            Lever::Services,
            cx.p.services_lever.planned_per_year,
            cx.p.services_lever.planned_total,
            lv.services.planned_by,
            lv.services.planned,
        ),
        (
            Lever::Stations,
            cx.p.stations_lever.planned_per_year,
            cx.p.stations_lever.planned_total,
            lv.stations.planned_by,
            true,
        ),
    ];
    for (l, per_year, total, by, planned) in paths {
        let li = l as usize;
        if !planned {
            d.units[li] = u64::MAX;
            d.money[li] = f64::INFINITY;
            continue;
        }
        st.planned[li] =
            st.planned[li].saturating_add(quota(l, path_step(per_year, total, start, by, cx.year)));
        d.units[li] = st.planned[li].saturating_sub(st.created[li]);
    }
    let room = round_count(cx.r.facts.townships).saturating_sub(st.stations);
    let s = Lever::Stations as usize;
    d.units[s] = d.units[s].min(room);

    for l in [
        Lever::Training,
        Lever::Supervision,
        Lever::Posts,
        Lever::Services,
        Lever::Stations,
    ] {
        let li = l as usize;
        if d.money[li].is_finite() {
            d.money[li] = d.units[li] as f64 * cost[li];
        }
    }
    programmes(st, cx, &cost, &mut d);
    d
}

/// What the programmes that have started ask for here this year.
fn programmes(st: &RegionState, cx: &Ctx, cost: &[f64], d: &mut Demand) {
    let calendar = cx.sc.start_year + cx.year as i32;
    for (k, prog) in cx.sc.programmes.iter().enumerate() {
        let draw = &cx.p.programmes[k];
        let Some(py) = draw.year_of(calendar) else {
            continue;
        };
        let Some(pos) = prog.regions.iter().position(|&r| r == cx.region as usize) else {
            continue;
        };
        let years = draw.years.max(1);
        let frac = (f64::from(py) / f64::from(years)).min(1.0);
        let built = st.programme_built[k];
        let (lever, wanted) = match prog.kind {
            ProgrammeKind::Stations => {
                let goal = (draw.size * cx.r.facts.townships).round();
                (
                    Lever::Stations,
                    ((goal * frac).ceil().min(MAX_COUNT) as u64).saturating_sub(built),
                )
            }
            ProgrammeKind::Posts | ProgrammeKind::Services => {
                let goal = draw.size * prog.weights[pos];
                let l = if prog.kind == ProgrammeKind::Posts {
                    Lever::Posts
                } else {
                    Lever::Services
                };
                (
                    l,
                    ((goal * frac).round().min(MAX_COUNT) as u64).saturating_sub(built),
                )
            }
            ProgrammeKind::Training => {
                if py > years {
                    continue;
                }
                let left = f64::from(years - py + 1);
                let pool = st.count(Stock::Uncertified) as f64;
                (
                    Lever::Training,
                    (draw.size * pool / left).ceil().min(MAX_COUNT) as u64,
                )
            }
            ProgrammeKind::ExamDrive => {
                if py <= years {
                    d.drive = d.drive.max(draw.size);
                }
                continue;
            }
        };
        let li = lever as usize;
        let f = draw.funder_share;
        d.programme_wanted[k] = wanted;
        d.programme_lever[k] = li as u8;
        d.programme_funder[k] = f;
        d.programme_earmark[li] += wanted as f64 * f * cost[li];
        d.programme_budget[li] += wanted as f64 * (1.0 - f) * cost[li];
    }
}

#[cfg(test)]
mod tests {
    use super::path_step;

    #[test]
    fn a_total_is_spread_evenly_to_its_year_then_stops() {
        let steps: Vec<f64> = (1..=6)
            .map(|y| path_step(0.0, 100.0, 2020, 2024, y))
            .collect();
        assert_eq!(steps, vec![25.0, 25.0, 25.0, 25.0, 0.0, 0.0]);
        assert_eq!(path_step(10.0, 0.0, 2020, 2024, 3), 10.0);
    }
}
