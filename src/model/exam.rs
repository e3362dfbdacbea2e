//! Step 3, the national exam at two levels.
//!
//! Registrants = Binomial(eligible, registration rate), drawn per sub-stock;
//! passes = Binomial(registrants, pass rate). The intermediate exam is drawn
//! first (juniors with enough years, eligible graduates), then the junior
//! exam among those who did not sit the intermediate one, so nobody sits
//! both in a year and this year's new juniors cannot also pass intermediate.
//!
//! Exam support (fee paid, preparation class, reward on passing; Kaifu's
//! 800–1,200 CNY) raises registration: a supported non-registrant registers
//! with probability `registration_uplift`, and supported candidates pass at
//! `prep_pass_odds` times the odds. The money limits how many are supported:
//! the share of the eligible offered support is what the pot buys at the
//! expected take-up. Candidates from outside the field (students, community
//! workers) sit too; their passes count in `certificates_issued`, and a share
//! of them enter the field as certified practitioners.

use super::context::Ctx;
use super::draw::{affordable, binomial, round_quota, with_odds};
use super::funding::Pots;
use super::state::{Lever, RegionState, STATUSES, Status, Tally};
use crate::model::streams::Step;
use crate::scenario::Stock;

/// Stocks that may sit the junior exam.
const JUNIOR_POOLS: [Stock; 3] = [Stock::Uncertified, Stock::Trained, Stock::Graduates];

/// The cost of supporting one candidate (fee and preparation) and the
/// reward paid on passing, in this region-year.
fn support_costs(cx: &Ctx) -> (f64, f64) {
    let sup = &cx.p.exam_support;
    (cx.cost(sup.fee + sup.prep_cost), cx.cost(sup.reward))
}

/// Candidates expected if every eligible person were offered support.
fn expected_candidates(st: &RegionState, cx: &Ctx) -> f64 {
    let e = &cx.p.exam;
    let u = cx.p.exam_support.registration_uplift;
    let up = |r: f64| r + u * (1.0 - r);
    let trend = cx.y.registration_index;
    let (rj, ri) = (
        (e.junior_registration_rate * trend).min(1.0),
        (e.intermediate_registration_rate * trend).min(1.0),
    );
    let pool_junior: u64 = JUNIOR_POOLS.iter().map(|&s| st.count(s)).sum();
    st.count(Stock::Junior) as f64 * up(ri * e.intermediate_eligible_share)
        + st.count(Stock::Graduates) as f64 * up(ri * e.graduate_intermediate_share)
        + pool_junior as f64 * up(rj)
}

/// The candidates exam support would have if offered to every eligible
/// person, and the money that takes: each supported, and the reward for
/// those expected to pass. Computed before the year's steps, and still
/// exact when the exam runs: training moves people between pools that both sit.
pub fn support_demand(st: &RegionState, cx: &Ctx) -> (f64, f64) {
    let candidates = expected_candidates(st, cx);
    if cx.sc.levers.exam_support.share <= 0.0 {
        return (candidates, 0.0);
    }
    let (unit, reward) = support_costs(cx);
    (candidates, candidates * (unit + reward * cx.y.junior_pass))
}

pub fn sit(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let e = &cx.p.exam;
    let sup = &cx.p.exam_support;
    let (pj, pi) = (cx.y.junior_pass, cx.y.intermediate_pass);

    // The trend in exam demand scales the rates (never above 1).
    let trend = cx.y.registration_index;
    let r_junior = (e.junior_registration_rate * trend).min(1.0);
    let r_int_junior =
        (e.intermediate_registration_rate * trend).min(1.0) * e.intermediate_eligible_share;
    let r_int_grad =
        (e.intermediate_registration_rate * trend).min(1.0) * e.graduate_intermediate_share;

    // How many candidates the support money covers, and so the share of the
    // eligible it can be offered to.
    let u = sup.registration_uplift;
    let (unit, reward) = support_costs(cx);
    let supported_max = if cx.sc.levers.exam_support.share > 0.0 {
        affordable(pots.money[Lever::ExamSupport as usize], unit + reward * pj)
    } else {
        0
    };
    let expected = pots.plan.candidates;
    let offered = if expected > 0.0 {
        (supported_max as f64 / expected).min(1.0)
    } else {
        0.0
    };
    // An exam drive, or a surge year, brings a share of those who would not have sat.
    let drive = 1.0 - (1.0 - pots.plan.drive) * (1.0 - cx.y.surge);
    let reg = |r: f64| {
        let r = r + drive * (1.0 - r);
        r + offered * u * (1.0 - r)
    };

    // Registrants, per sub-stock: intermediate first.
    let mut int_from_junior = [0u64; STATUSES];
    let mut int_from_grad = [0u64; STATUSES];
    let mut junior_from = [[0u64; STATUSES]; 3];
    let mut total = 0;
    for k in 0..STATUSES {
        let n = st.people[Stock::Junior as usize][k];
        int_from_junior[k] = cx.binomial(
            Step::IntermediateRegistration,
            Stock::Junior as usize,
            k,
            n,
            reg(r_int_junior),
        );
        let g = st.people[Stock::Graduates as usize][k];
        int_from_grad[k] = cx.binomial(
            Step::IntermediateRegistration,
            Stock::Graduates as usize,
            k,
            g,
            reg(r_int_grad),
        );
        total += int_from_junior[k] + int_from_grad[k];
        for (i, &s) in JUNIOR_POOLS.iter().enumerate() {
            let mut n = st.people[s as usize][k];
            if s == Stock::Graduates {
                n -= int_from_grad[k];
            }
            junior_from[i][k] =
                cx.binomial(Step::JuniorRegistration, s as usize, k, n, reg(r_junior));
            total += junior_from[i][k];
        }
    }
    let supported = supported_max.min(total);
    let s_share = if total > 0 {
        supported as f64 / total as f64
    } else {
        0.0
    };
    let with_prep = |p: f64| s_share * with_odds(p, sup.prep_pass_odds) + (1.0 - s_share) * p;

    // Passes.
    let mut passes = 0;
    for k in Status::ALL {
        let ki = k as usize;
        let n = cx.binomial(
            Step::IntermediatePasses,
            Stock::Junior as usize,
            ki,
            int_from_junior[ki],
            with_prep(pi),
        );
        st.convert(t, Stock::Junior, Stock::Intermediate, k, n);
        st.issued[1] += n;
        passes += n;
        let p_grad = with_prep(with_odds(pi, e.graduate_pass_odds));
        let n = cx.binomial(
            Step::IntermediatePasses,
            Stock::Graduates as usize,
            ki,
            int_from_grad[ki],
            p_grad,
        );
        st.convert(t, Stock::Graduates, Stock::Intermediate, k, n);
        st.issued[1] += n;
        passes += n;
        for (i, &s) in JUNIOR_POOLS.iter().enumerate() {
            let base = match s {
                Stock::Trained => with_odds(pj, e.trained_pass_odds),
                Stock::Graduates => with_odds(pj, e.graduate_pass_odds),
                _ => pj,
            };
            let n = cx.binomial(
                Step::JuniorPasses,
                s as usize,
                ki,
                junior_from[i][ki],
                with_prep(base),
            );
            st.convert(t, s, Stock::Junior, k, n);
            st.issued[0] += n;
            passes += n;
        }
    }
    t.registrants += total;
    t.passes += passes;
    if drive > 0.0 {
        // The drive's funder pays the fee of those it brings (expected count).
        let extra = st.count(Stock::Junior) as f64 * drive * (1.0 - r_int_junior)
            + JUNIOR_POOLS
                .iter()
                .map(|&s| st.count(s) as f64)
                .sum::<f64>()
                * drive
                * (1.0 - r_junior);
        t.programme_spend += extra * cx.cost(sup.fee);
    }
    let supported_passes = (passes as f64 * s_share).round();
    pots.spend(
        t,
        Lever::ExamSupport,
        supported as f64 * unit + supported_passes * reward,
    );
    pots.release(Lever::ExamSupport);

    // Candidates from outside the field.
    let mut rng = cx.rng(Step::Outside, 0, 0);
    let n = round_quota(&mut rng, cx.r.facts.outside_candidates * cx.y.outside_index);
    if n > 0 {
        let n_int = binomial(&mut rng, n, e.outside_intermediate_share);
        let pass_j = binomial(&mut rng, n - n_int, pj);
        let pass_i = binomial(&mut rng, n_int, pi);
        st.issued[0] += pass_j;
        st.issued[1] += pass_i;
        // Those already in a community job are in the field once certified.
        let c = e.outside_community_share;
        let enter = c + (1.0 - c) * e.outside_entry_share;
        let enter_j = binomial(&mut rng, pass_j, enter);
        let enter_i = binomial(&mut rng, pass_i, enter);
        st.enter(t, Stock::Junior, Status::Free, enter_j);
        st.enter(t, Stock::Intermediate, Status::Free, enter_i);
        t.entrants += enter_j + enter_i;
        t.registrants += n;
        t.passes += pass_j + pass_i;
    }
}
