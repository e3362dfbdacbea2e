//! Step 6, organisations and bought services.
//!
//! Births ~ Poisson(base rate + births per grant × start-up grants the money
//! pays, e.g. Wuhan's 35,000 CNY); closures ~ Binomial(orgs, closure rate).
//! Bought-service money pays staff positions in organisations, kept under
//! contract in later years; the certified or degree-holding share of their
//! staff is `qualified_share`.

use super::context::Ctx;
use super::draw::{affordable, binomial, poisson};
use super::funding::Pots;
use super::state::{FILL_ANYONE, FILL_CERTIFIED, Lever, RegionState, Status, Tally};
use crate::engine::streams::Step;
use crate::scenario::Stock;

pub fn found_and_close(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let grant = cx.cost(cx.p.orgs_lever.startup_grant);
    let grants = if cx.sc.levers.orgs.share > 0.0 {
        affordable(pots.money[Lever::Orgs as usize], grant)
    } else {
        0
    };
    let expected = cx.p.orgs.base_births * cx.share + cx.p.orgs.births_per_grant * grants as f64;
    let born = poisson(&mut cx.rng(Step::OrgBirths, 0, 0), expected);
    // Grants go to organisations actually founded.
    pots.spend(t, Lever::Orgs, grants.min(born) as f64 * grant);
    let closed = binomial(
        &mut cx.rng(Step::OrgClosures, 0, 0),
        st.orgs,
        cx.p.orgs.closure_rate,
    );
    st.orgs = st.orgs - closed + born;
    t.org_births += born;
    t.org_closures += closed;
}

pub fn buy_services(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let cost = pots.position_cost;
    let new =
        affordable(pots.money[Lever::Services as usize], cost).min(affordable(pots.headroom, cost));
    st.project_positions += new;
    pots.spend(t, Lever::Services, new as f64 * cost);
    pots.commit(new as f64 * cost);
    fill(st, cx);
}

/// Fills vacant bought-service positions.
pub fn fill(st: &mut RegionState, cx: &Ctx) {
    let vacant = st
        .project_positions
        .saturating_sub(st.holding(Status::Project));
    let order: &[Stock] = if cx.sc.levers.services_allow_uncertified {
        &FILL_ANYONE
    } else {
        &FILL_CERTIFIED
    };
    st.fill(Status::Project, vacant, order);
}
