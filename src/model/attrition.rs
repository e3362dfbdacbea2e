//! Step 8, attrition and entry.
//!
//! Each person leaves the field with a yearly probability that depends on the
//! stock, on holding a post (certified people without one leave
//! `no_post_multiplier` times as often) and on pay: the probability is scaled
//! by (benchmark wage / pay)^elasticity, so pay below the benchmark raises
//! leaving. Supervisors leave with the intermediate and senior they are among.
//! Then graduates enter (yearly graduates × the share entering the field),
//! uncertified hires replace leavers and staff new roles, and vacant posts,
//! positions and station places are filled again.

use super::context::Ctx;
use super::draw::round_quota;
use super::state::{RegionState, Status, Tally};
use super::{orgs, posts, stations};
use crate::model::streams::Step;
use crate::scenario::Stock;

/// For rates observed as averages over all the certified: 1 / (s + m(1 − s)),
/// with s the share of the certified holding a place at the start and m the
/// no-post multiplier, so that the placed leave at that and the unplaced at m
/// times it, averaging the observed rate. 1 for rates of the placed.
pub fn average_scale(st: &RegionState, cx: &Ctx) -> f64 {
    if !cx.sc.parameters.rates_among_all {
        return 1.0;
    }
    let certified = st.certified();
    if certified == 0 {
        return 1.0;
    }
    let free: u64 = [Stock::Junior, Stock::Intermediate, Stock::Senior]
        .iter()
        .map(|&s| st.people[s as usize][Status::Free as usize])
        .sum();
    let s = 1.0 - free as f64 / certified as f64;
    let m = cx.p.attrition.no_post_multiplier;
    1.0 / (s + m * (1.0 - s))
}

pub fn leave_and_enter(st: &mut RegionState, cx: &Ctx, t: &mut Tally) {
    let a = &cx.p.attrition;
    let base = [
        a.uncertified,
        a.trained,
        a.graduates,
        a.junior,
        a.intermediate,
        a.senior,
    ];
    let experienced = st.count(Stock::Intermediate) + st.count(Stock::Senior);
    let mut left = 0;
    let mut left_experienced = 0;
    for s in Stock::ALL {
        for k in Status::ALL {
            let mut p = base[s as usize] * cx.y.pay_factor;
            if s.certified() {
                p *= st.leave_scale;
                if k == Status::Free {
                    p *= a.no_post_multiplier;
                }
            }
            let n = st.people[s as usize][k as usize];
            let out = cx.binomial(Step::Attrition, s as usize, k as usize, n, p.min(1.0));
            st.leave(t, s, k, out);
            left += out;
            if matches!(s, Stock::Intermediate | Stock::Senior) {
                left_experienced += out;
            }
        }
    }
    if experienced > 0 && st.supervisors > 0 {
        let share = left_experienced as f64 / experienced as f64;
        let out = cx.binomial(Step::Supervisors, 0, 0, st.supervisors, share);
        st.supervisors -= out;
        t.supervisors_out += out;
    }
    st.clamp_supervisors(t);
    t.leavers += left;

    let e = &cx.p.entry;
    let cohort = round_quota(
        &mut cx.rng(Step::Entry, 0, 0),
        cx.r.facts.graduates_per_year * cx.y.graduates_index,
    );
    let graduates = cx.binomial(Step::Entry, 1, 0, cohort, e.graduate_entry_share);
    let replacements = cx.binomial(Step::Entry, 2, 0, left, e.replacement_rate);
    let new_roles = cx.binomial(Step::Entry, 3, 0, st.practitioners(), e.role_growth);
    st.enter(t, Stock::Graduates, Status::Free, graduates);
    st.enter(
        t,
        Stock::Uncertified,
        Status::Free,
        replacements + new_roles,
    );
    t.entrants += graduates + replacements + new_roles;

    posts::fill(st, cx);
    orgs::fill(st, cx);
    stations::fill(st, cx);
}
