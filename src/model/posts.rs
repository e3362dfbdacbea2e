//! Step 5, posts: new posts = min(what the plan asks for this year, catch-up
//! included, and what the money pays within the room for new commitments;
//! `funding`). Vacant posts are
//! filled from certified people without a post, intermediate and senior
//! before junior, then — if the scenario allows — from the uncertified.

use super::context::Ctx;
use super::funding::Pots;
use super::state::{FILL_ANYONE, FILL_CERTIFIED, Lever, RegionState, Status, Tally};

pub fn create(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let by_programmes = pots.buy_programmes(st, t, Lever::Posts, u64::MAX);
    let new = pots.buy(t, Lever::Posts, pots.plan.units[Lever::Posts as usize]);
    pots.release(Lever::Posts);
    st.posts += new + by_programmes;
    st.funded_posts += new + by_programmes;
    st.created[Lever::Posts as usize] += new;
    t.posts_created += new + by_programmes;
    fill(st, cx);
}

/// Fills vacant posts.
pub fn fill(st: &mut RegionState, cx: &Ctx) {
    let vacant = st.posts.saturating_sub(st.holding(Status::Post));
    let order: &[_] = if cx.sc.levers.posts_allow_uncertified {
        &FILL_ANYONE
    } else {
        &FILL_CERTIFIED
    };
    st.fill(Status::Post, vacant, order);
}
