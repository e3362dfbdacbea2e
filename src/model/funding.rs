//! Step 1, funding: money that follows the plan.
//!
//! The rule, in the order a finance department would apply it:
//!
//! 1. **Commitments first.** Posts created by the posts lever, bought-service
//!    contracts and station running costs are paid before anything else. When
//!    the year's money cannot pay them all (a budget cut, costs growing faster
//!    than the budget), contracts are cut first, then stations, then posts,
//!    and the people in them lose their places.
//! 2. **Room for new commitments.** New recurring costs may bring the total
//!    committed to at most `max_committed_share` of the year's budget, so
//!    that what is started can be kept paying.
//! 3. **Each lever's demand.** What its plan asks for this year: posts,
//!    stations and planned services the plan's path to date minus what was
//!    already built (a year short of plan is caught up later); training and
//!    supervision the seats their capacity and pool allow; exam support the
//!    candidates it expects to support. A lever without a plan (orgs,
//!    services without `planned_per_year`/`planned_total`) asks for its share.
//! 4. **Shares first, then priorities.** Each lever receives its share of the
//!    money left after commitments, but never more than its demand; what is
//!    left goes, in `priorities` order, to levers still short of their demand
//!    (`leftover = "reallocate"`, the default); with `leftover = "keep"` it
//!    stays unspent. Money that a lever still cannot use when it runs (fewer
//!    candidates than expected, a township with no room) passes on to the
//!    levers that run after it the same year.
//! 5. **What nobody can use** is reported as `unspent` and, with
//!    `carry_over`, carried into next year.
//!
//! So no lever stops while money sits unspent and its plan is unmet, unless
//! the commitment room is full. Worked example (README, "How the money
//! follows the plan"): budget 10 M, 4 M committed, room 8 M − 4 M = 4 M;
//! stations (share 30%, 0.2 M each) plan 20 a year, 5 short from last year:
//! demand 25 × 0.2 = 5 M; share 30% × 6 M = 1.8 M → 9 stations; training
//! (share 70%) needs only 3 M of its 4.2 M; the 1.2 M left buys 6 more
//! stations (room 4 M − 1.8 M allows it): 15 stations, nothing unspent.
//!
//! Staff cost what their pay says: the unit costs of posts, positions and
//! stations follow the paid salary, so a pay floor above the salary raises
//! them (`YearValues::staff_cost`).

use super::context::Ctx;
use super::draw::affordable;
use super::state::{LEVERS, Lever, RegionState, Status, Tally};
use crate::scenario::MAX_PROGRAMMES;

/// No lever: a programme slot that asks for nothing.
pub const NO_LEVER: u8 = u8::MAX;

/// Levers whose units are paid again every year once bought.
#[inline]
pub fn commitment(l: usize) -> bool {
    l == Lever::Posts as usize || l == Lever::Services as usize || l == Lever::Stations as usize
}

/// What each lever's plan asks for in one region-year, before the money.
#[derive(Debug, Clone, Copy)]
pub struct Demand {
    /// Units the plan asks for (seats, supervisors, posts, positions, stations).
    pub units: [u64; LEVERS],
    /// Money the lever could use (yuan); infinite for a lever without a plan,
    /// which asks for its share.
    pub money: [f64; LEVERS],
    /// The budget's part of what programmes ask for (yuan), paid before shares.
    pub programme_budget: [f64; LEVERS],
    /// Programmes' own money for what they ask for this year (yuan).
    pub programme_earmark: [f64; LEVERS],
    /// Units each programme asks for in this region-year, the lever it buys
    /// them through and its funder's share of their cost.
    pub programme_wanted: [u64; MAX_PROGRAMMES],
    pub programme_lever: [u8; MAX_PROGRAMMES],
    pub programme_funder: [f64; MAX_PROGRAMMES],
    /// Extra share of the eligible that an exam drive brings to the exam.
    pub drive: f64,
    /// Unit costs of the region-year (see [`unit_costs`]).
    pub cost: [f64; LEVERS],
    /// Exam candidates expected if every eligible person were offered
    /// support (sizes exam support's demand and its offer).
    pub candidates: f64,
}

impl Default for Demand {
    fn default() -> Demand {
        Demand {
            cost: [0.0; LEVERS],
            units: [0; LEVERS],
            money: [0.0; LEVERS],
            programme_budget: [0.0; LEVERS],
            programme_earmark: [0.0; LEVERS],
            programme_wanted: [0; MAX_PROGRAMMES],
            programme_lever: [NO_LEVER; MAX_PROGRAMMES],
            programme_funder: [0.0; MAX_PROGRAMMES],
            drive: 0.0,
            candidates: 0.0,
        }
    }
}

/// The money of a region-year, by lever.
#[derive(Debug, Clone, Copy)]
pub struct Pots {
    /// What the plan asked for this year (units, unit costs, programmes).
    pub plan: Demand,
    /// Money allocated to each lever this year.
    pub money: [f64; LEVERS],
    /// Whether a lever may take money other levers could not use.
    pub follows_plan: [bool; LEVERS],
    /// Money passed on by levers that ran earlier this year.
    pub spill: f64,
    /// New yearly commitments that future budgets can still carry, beyond
    /// what the allocation already reserved.
    pub room: f64,
    /// The budget's money for programmes' units, and what is left of their
    /// own money, by lever.
    pub programme_money: [f64; LEVERS],
    pub programme_earmark: [f64; LEVERS],
}

impl Pots {
    /// Records spending on a lever (never more than its pot).
    pub fn spend(&mut self, t: &mut Tally, l: Lever, amount: f64) {
        let a = amount.min(self.money[l as usize]).max(0.0);
        self.money[l as usize] -= a;
        t.spend[l as usize] += a;
    }

    /// Buys up to `wanted` units of lever `l`: from its own money, then —
    /// for a lever that follows a plan — from money earlier levers passed on,
    /// within the commitment room. Returns the units bought.
    pub fn buy(&mut self, t: &mut Tally, l: Lever, wanted: u64) -> u64 {
        let li = l as usize;
        let cost = self.plan.cost[li];
        if wanted == 0 {
            return 0;
        }
        if cost <= 0.0 {
            return wanted;
        }
        let own = wanted.min(affordable(self.money[li], cost));
        let mut extra = 0;
        if own < wanted && self.follows_plan[li] {
            extra = (wanted - own).min(affordable(self.spill, cost));
            if commitment(li) {
                extra = extra.min(affordable(self.room, cost));
                self.room = (self.room - extra as f64 * cost).max(0.0);
            }
            self.spill = (self.spill - extra as f64 * cost).max(0.0);
        }
        self.money[li] = (self.money[li] - own as f64 * cost).max(0.0);
        t.spend[li] += (own + extra) as f64 * cost;
        own + extra
    }

    /// Buys what the programmes running through lever `l` ask for, at most
    /// `limit` units, programme by programme: each unit paid by the
    /// programme's funder for its share and by the budget for the rest.
    /// Places a funder helps pay keep that help in later years. Returns the
    /// units bought.
    pub fn buy_programmes(
        &mut self,
        st: &mut RegionState,
        t: &mut Tally,
        l: Lever,
        mut limit: u64,
    ) -> u64 {
        let li = l as usize;
        let cost = self.plan.cost[li];
        let mut total = 0;
        for p in 0..MAX_PROGRAMMES {
            if self.plan.programme_lever[p] != li as u8 || self.plan.programme_wanted[p] == 0 {
                continue;
            }
            let f = self.plan.programme_funder[p];
            let mut n = self.plan.programme_wanted[p].min(limit);
            if f > 0.0 {
                n = n.min(affordable(self.programme_earmark[li], f * cost));
            }
            if f < 1.0 {
                n = n.min(affordable(self.programme_money[li], (1.0 - f) * cost));
            }
            let (own, budget) = (n as f64 * f * cost, n as f64 * (1.0 - f) * cost);
            self.programme_earmark[li] = (self.programme_earmark[li] - own).max(0.0);
            self.programme_money[li] = (self.programme_money[li] - budget).max(0.0);
            t.spend[li] += budget;
            t.programme_spend += own;
            st.programme_built[p] += n;
            if commitment(li) {
                st.earmarked[li] += n as f64 * f;
                t.programme_places += n;
            }
            limit -= n;
            total += n;
        }
        total
    }

    /// The lever has run: what it did not use of the budget passes on to
    /// later levers; what is left of a programme's own money lapses.
    pub fn release(&mut self, l: Lever) {
        let li = l as usize;
        self.spill += self.money[li] + self.programme_money[li];
        self.money[li] = 0.0;
        self.programme_money[li] = 0.0;
        self.programme_earmark[li] = 0.0;
    }
}

/// The yearly cost of one unit of each lever in this region-year.
pub fn unit_costs(cx: &Ctx) -> [f64; LEVERS] {
    let staff = cx.y.staff_cost;
    let mut c = [0.0; LEVERS];
    c[Lever::Training as usize] = cx.cost(cx.p.training_lever.cost_per_seat);
    c[Lever::Supervision as usize] = cx.cost(cx.p.supervision_lever.cost_per_supervisor);
    c[Lever::Posts as usize] = cx.cost(cx.p.posts_lever.cost_per_post) * staff;
    c[Lever::Services as usize] = cx.cost(cx.p.services_lever.cost_per_position) * staff;
    c[Lever::Stations as usize] = cx.cost(cx.p.stations_lever.cost_per_station) * staff;
    c
}

/// Pays commitments, then allocates the rest by shares, demands and priorities.
pub fn fund(st: &mut RegionState, cx: &Ctx, t: &mut Tally, demand: &Demand) -> Pots {
    let lv = &cx.sc.levers;
    let cost = demand.cost;
    let (post_cost, position_cost, station_cost) = (
        cost[Lever::Posts as usize],
        cost[Lever::Services as usize],
        cost[Lever::Stations as usize],
    );
    let budget = cx.y.budget * cx.share + st.carry;
    st.carry = 0.0;

    // Funders pay their share of the running costs of what they helped build.
    let held = |st: &RegionState| {
        [
            (Lever::Posts as usize, st.funded_posts),
            (Lever::Services as usize, st.project_positions),
            (Lever::Stations as usize, st.stations),
        ]
    };
    let earmarked = |st: &RegionState| {
        held(st)
            .iter()
            .map(|&(l, n)| st.earmarked[l].min(n as f64) * cost[l])
            .sum::<f64>()
    };
    let committed = |st: &RegionState| {
        st.funded_posts as f64 * post_cost
            + st.project_positions as f64 * position_cost
            + st.stations as f64 * station_cost
            - earmarked(st)
    };
    let mut owed = committed(st);
    if owed > budget {
        let cut = |have: u64, excess: f64, cost: f64| -> u64 {
            if cost <= 0.0 {
                0
            } else {
                have.min((excess / cost).ceil() as u64)
            }
        };
        let k = cut(st.project_positions, owed - budget, position_cost);
        st.project_positions -= k;
        owed = committed(st);
        if owed > budget {
            let k = cut(st.stations, owed - budget, station_cost);
            st.stations -= k;
            owed = committed(st);
        }
        if owed > budget {
            let k = cut(st.funded_posts, owed - budget, post_cost);
            st.funded_posts -= k;
            st.posts -= k;
            owed = committed(st);
        }
        shed_excess(st, cx);
    }
    for (l, n) in held(st) {
        st.earmarked[l] = st.earmarked[l].min(n as f64);
    }
    t.programme_spend += earmarked(st);
    t.budget = budget;
    t.committed = owed;

    let free = (budget - owed).max(0.0);
    let shares = [
        lv.training.share,
        lv.exam_support.share,
        lv.supervision.share,
        lv.posts.share,
        lv.orgs.share,
        lv.services.share,
        lv.stations.share,
    ];
    let mut pots = Pots {
        plan: *demand,
        money: [0.0; LEVERS],
        follows_plan: [false; LEVERS],
        spill: 0.0,
        room: (budget * cx.p.funding.max_committed_share - owed).max(0.0),
        programme_money: [0.0; LEVERS],
        programme_earmark: demand.programme_earmark,
    };
    // A lever takes part when it has a share, or when its plan asks for
    // something (the plan's places are built with whatever money is left).
    let active = |l: usize| shares[l] > 0.0 || (demand.money[l].is_finite() && demand.units[l] > 0);
    let mut left = free;
    // Programmes' budget part first: a programme the province has decided on
    // is co-funded before the levers' shares.
    for &l in &cx.sc.funding.priorities {
        let a = take(&mut pots, l, demand.programme_budget[l], left, false);
        pots.programme_money[l] = a;
        left -= a;
    }
    let free = left;
    for &l in &cx.sc.funding.priorities {
        if !active(l) {
            continue;
        }
        pots.follows_plan[l] = demand.money[l].is_finite();
        let a = take(
            &mut pots,
            l,
            demand.money[l].min(shares[l] * free),
            left,
            true,
        );
        pots.money[l] = a;
        left -= a;
    }
    if cx.sc.funding.reallocate {
        for &l in &cx.sc.funding.priorities {
            if !active(l) || !pots.follows_plan[l] {
                continue;
            }
            let short = demand.money[l] - pots.money[l];
            let a = take(&mut pots, l, short, left, true);
            pots.money[l] += a;
            left -= a;
        }
        pots.spill = left.max(0.0);
    } else {
        pots.follows_plan = [false; LEVERS];
    }
    pots
}

/// How much of `want` lever `l` can take out of `left`: for a commitment
/// lever within the room for new commitments (reserved here), and in whole
/// units when `whole` (a programme's budget part is a share of each unit).
fn take(pots: &mut Pots, l: usize, want: f64, left: f64, whole: bool) -> f64 {
    let mut a = want.min(left).max(0.0);
    if commitment(l) {
        a = a.min(pots.room);
    }
    let c = pots.plan.cost[l];
    if whole && c > 0.0 {
        a = affordable(a, c) as f64 * c;
    }
    if commitment(l) {
        pots.room = (pots.room - a).max(0.0);
    }
    a
}

/// Frees people whose places no longer exist.
pub fn shed_excess(st: &mut RegionState, cx: &Ctx) {
    let staff = st.holding(Status::Post);
    if staff > st.posts {
        st.release(Status::Post, staff - st.posts);
    }
    let staff = st.holding(Status::Project);
    if staff > st.project_positions {
        st.release(Status::Project, staff - st.project_positions);
    }
    let places = st.stations * station_staff(cx);
    let staff = st.holding(Status::Station);
    if staff > places {
        st.release(Status::Station, staff - places);
    }
}

/// Staff a station needs.
#[inline]
pub fn station_staff(cx: &Ctx) -> u64 {
    cx.p.stations_lever.min_staff.round().max(1.0) as u64
}

/// Closes the year's books: what no lever spent is reported and, if the
/// scenario says so, carried over.
pub fn close(st: &mut RegionState, cx: &Ctx, t: &mut Tally) {
    let spent: f64 = t.spend.iter().sum();
    t.unspent = (t.budget - t.committed - spent).max(0.0);
    if cx.sc.funding.carry_over {
        st.carry = t.unspent;
    }
}
