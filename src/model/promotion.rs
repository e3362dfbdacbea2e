//! Step 4, senior review and supervisors: intermediates become senior with a
//! yearly probability (a senior certificate is issued by review); supervisors
//! are trained from experienced intermediate and senior workers, up to the
//! capacity and the money of the supervision lever.

use super::context::Ctx;
use super::draw::{affordable, binomial, round_quota};
use super::funding::Pots;
use super::state::{Lever, RegionState, Status, Tally};
use crate::engine::streams::Step;
use crate::scenario::Stock;

pub fn promote(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let rate = cx.p.promotion.senior_rate;
    for k in Status::ALL {
        let n = st.people[Stock::Intermediate as usize][k as usize];
        let up = binomial(
            &mut cx.rng(Step::Promotion, Stock::Intermediate as usize, k as usize),
            n,
            rate,
        );
        st.convert(t, Stock::Intermediate, Stock::Senior, k, up);
        st.issued[2] += up;
        t.promotions += up;
    }

    let lever = &cx.p.supervision_lever;
    let cost = cx.cost(lever.cost_per_supervisor);
    let capacity = round_quota(
        &mut cx.rng(Step::Quota, Lever::Supervision as usize, 0),
        lever.capacity * cx.share,
    );
    let experienced = st.count(Stock::Intermediate) + st.count(Stock::Senior);
    let eligible = ((experienced as f64 * cx.p.promotion.supervisor_eligible_share).floor() as u64)
        .saturating_sub(st.supervisors);
    let n = capacity
        .min(eligible)
        .min(affordable(pots.money[Lever::Supervision as usize], cost));
    st.supervisors += n;
    t.supervisors_trained += n;
    pots.spend(t, Lever::Supervision, n as f64 * cost);
}
