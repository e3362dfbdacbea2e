//! Step 2, training: seats = min(capacity of the training bases, the pool,
//! what the money buys); trainees come from `uncertified`, and those who complete
//! (a completion rate) move to `trained`, keeping whatever post they hold.

use super::context::Ctx;
use super::funding::Pots;
use super::state::{Lever, RegionState, STATUSES, Status, Tally};
use crate::model::streams::Step;
use crate::scenario::Stock;

pub fn train(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let pool = st.count(Stock::Uncertified);
    let by_programmes = pots.buy_programmes(st, t, Lever::Training, pool);
    let wanted = pots.plan.units[Lever::Training as usize].min(pool - by_programmes);
    let seats = pots.buy(t, Lever::Training, wanted) + by_programmes;
    pots.release(Lever::Training);
    if seats == 0 {
        return;
    }
    // Seats go to the statuses in proportion to their numbers: whole shares
    // first, the remainder in status order.
    let row = st.people[Stock::Uncertified as usize];
    let mut taken = [0u64; STATUSES];
    let mut given = 0;
    for k in 0..STATUSES {
        taken[k] = ((seats as u128 * row[k] as u128) / pool as u128) as u64;
        given += taken[k];
    }
    for k in 0..STATUSES {
        let extra = (seats - given).min(row[k] - taken[k]);
        taken[k] += extra;
        given += extra;
    }
    let completion = cx.p.training.completion_rate;
    for k in Status::ALL {
        let done = cx.binomial(Step::Training, 0, k as usize, taken[k as usize], completion);
        st.convert(t, Stock::Uncertified, Stock::Trained, k, done);
    }
    t.trainees += seats;
}
