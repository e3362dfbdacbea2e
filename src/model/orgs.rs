//! Step 6, organisations and bought services.
//!
//! Births ~ Poisson(base rate + births per grant × start-up grants the money
//! pays, e.g. Wuhan's 35,000 CNY); closures ~ Binomial(orgs, closure rate).
//! Bought-service money pays staff positions in organisations, kept under
//! contract in later years; the certified or degree-holding share of their
//! staff is `qualified_share`.

use super::context::Ctx;
use super::draw::{affordable, poisson, round_count};
use super::funding::Pots;
use super::state::{FILL_CERTIFIED, Lever, RegionState, Status, Tally};
use crate::model::streams::Step;
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
    pots.release(Lever::Orgs);
    let closed = cx.binomial(Step::OrgClosures, 0, 0, st.orgs, cx.p.orgs.closure_rate);
    st.orgs = st.orgs - closed + born;
    t.org_births += born;
    t.org_closures += closed;
}

pub fn buy_services(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let by_programmes = pots.buy_programmes(st, t, Lever::Services, u64::MAX);
    let new = pots.buy(
        t,
        Lever::Services,
        pots.plan.units[Lever::Services as usize],
    );
    pots.release(Lever::Services);
    st.project_positions += new + by_programmes;
    st.created[Lever::Services as usize] += new;
    fill(st, cx);
}

/// Fills vacant bought-service positions: a `qualified_hiring` share of them
/// from the qualified (certified, then SW graduates), the rest from the
/// trained and uncertified if allowed; whatever one side cannot fill, the
/// other does.
pub fn fill(st: &mut RegionState, cx: &Ctx) {
    let vacant = st
        .project_positions
        .saturating_sub(st.holding(Status::Project));
    if vacant == 0 {
        return;
    }
    if !cx.sc.levers.services_allow_uncertified {
        st.fill(Status::Project, vacant, &FILL_CERTIFIED);
        return;
    }
    let want = round_count(vacant as f64 * cx.p.services_lever.qualified_hiring);
    fill_with(st, vacant, want);
}

const QUALIFIED: [Stock; 4] = [
    Stock::Senior,
    Stock::Intermediate,
    Stock::Junior,
    Stock::Graduates,
];
const UNQUALIFIED: [Stock; 2] = [Stock::Trained, Stock::Uncertified];

/// Fills `vacant` positions, `qualified` of them from the qualified when
/// there are enough; either side makes up what the other cannot.
pub fn fill_with(st: &mut RegionState, vacant: u64, qualified: u64) {
    let q = st.fill(Status::Project, qualified.min(vacant), &QUALIFIED);
    let u = st.fill(Status::Project, vacant - q, &UNQUALIFIED);
    st.fill(Status::Project, vacant - q - u, &QUALIFIED);
}
