//! Step 5, posts: new posts = min(planned new posts, what the post money pays
//! for this year, what future budgets can keep paying). Vacant posts are
//! filled from certified people without a post, intermediate and senior
//! before junior, then — if the scenario allows — from the uncertified.

use super::context::Ctx;
use super::draw::{affordable, round_quota};
use super::funding::Pots;
use super::state::{FILL_ANYONE, FILL_CERTIFIED, Lever, RegionState, Status, Tally};
use crate::engine::streams::Step;

pub fn create(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let planned = round_quota(
        &mut cx.rng(Step::Quota, Lever::Posts as usize, 0),
        cx.p.posts_lever.planned_per_year * cx.share,
    );
    let cost = pots.post_cost;
    let new = planned
        .min(affordable(pots.money[Lever::Posts as usize], cost))
        .min(affordable(pots.headroom, cost));
    st.posts += new;
    st.funded_posts += new;
    t.posts_created += new;
    pots.spend(t, Lever::Posts, new as f64 * cost);
    pots.commit(new as f64 * cost);
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
