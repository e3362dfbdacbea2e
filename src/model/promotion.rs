//! Step 4, senior review and supervisors: intermediates become senior with a
//! yearly probability (a senior certificate is issued by review); supervisors
//! are trained from experienced intermediate and senior workers, up to the
//! capacity and the money of the supervision lever.

use super::context::Ctx;
use super::funding::Pots;
use super::state::{Lever, RegionState, Status, Tally};
use crate::model::streams::Step;
use crate::scenario::Stock;

pub fn promote(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let calendar = f64::from(cx.sc.start_year) + f64::from(cx.year);
    let rate = if calendar < cx.p.promotion.senior_review_from.round() {
        0.0
    } else {
        cx.p.promotion.senior_rate
    };
    for k in Status::ALL {
        let n = st.people[Stock::Intermediate as usize][k as usize];
        let up = cx.binomial(
            Step::Promotion,
            Stock::Intermediate as usize,
            k as usize,
            n,
            rate,
        );
        st.convert(t, Stock::Intermediate, Stock::Senior, k, up);
        st.issued[2] += up;
        t.promotions += up;
    }

    let experienced = st.count(Stock::Intermediate) + st.count(Stock::Senior);
    let eligible = ((experienced as f64 * cx.p.promotion.supervisor_eligible_share) as u64)
        .saturating_sub(st.supervisors);
    let wanted = pots.plan.units[Lever::Supervision as usize].min(eligible);
    let n = pots.buy(t, Lever::Supervision, wanted);
    pots.release(Lever::Supervision);
    st.supervisors += n;
    t.supervisors_trained += n;
}
