//! Step 5, posts: new posts = min(what the plan asks for this year, catch-up
//! included, and what the money pays within the room for new commitments;
//! `funding`). Vacant posts are
//! filled from certified people without a post, intermediate and senior
//! before junior, then — if the scenario allows — from the uncertified.

use super::context::Ctx;
use super::funding::Pots;
use super::state::{FILL_ANYONE, FILL_CERTIFIED, Lever, RegionState, Status, Tally};

pub fn create(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let new = pots.buy(t, Lever::Posts, pots.units[Lever::Posts as usize]);
    pots.release(Lever::Posts);
    st.posts += new;
    st.funded_posts += new;
    st.created[Lever::Posts as usize] += new;
    t.posts_created += new;
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
