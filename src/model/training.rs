//! Step 2, training: seats = min(capacity of the training bases, money /
//! cost per seat); trainees come from `uncertified`, and those who complete
//! (a completion rate) move to `trained`, keeping whatever post they hold.

use super::context::Ctx;
use super::draw::{affordable, binomial, round_quota};
use super::funding::Pots;
use super::state::{Lever, RegionState, STATUSES, Status, Tally};
use crate::engine::streams::Step;
use crate::scenario::Stock;

pub fn train(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let lever = &cx.p.training_lever;
    let cost = cx.cost(lever.cost_per_seat);
    let capacity = round_quota(
        &mut cx.rng(Step::Quota, Lever::Training as usize, 0),
        lever.capacity * cx.share,
    );
    let pool = st.count(Stock::Uncertified);
    let seats = capacity
        .min(affordable(pots.money[Lever::Training as usize], cost))
        .min(pool);
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
        let done = binomial(
            &mut cx.rng(Step::Training, 0, k as usize),
            taken[k as usize],
            completion,
        );
        st.convert(t, Stock::Uncertified, Stock::Trained, k, done);
    }
    t.trainees += seats;
    pots.spend(t, Lever::Training, seats as f64 * cost);
}
