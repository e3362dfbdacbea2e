//! Step 1, funding: the region's money for the year, commitments paid first,
//! the rest split between levers by their shares.
//!
//! Commitments are what earlier years started and must keep paying: posts
//! created by the posts lever, bought-service contracts, station running
//! costs. When the money cannot pay them all (a budget cut, costs growing
//! faster than the budget), contracts are cut first, then stations, then
//! posts, and the people in them lose their places. A lever never spends
//! money that is not there.

use super::context::Ctx;
use super::state::{LEVERS, Lever, RegionState, Status, Tally};

/// The money of a region-year, by lever.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pots {
    /// Money available to each lever this year.
    pub money: [f64; LEVERS],
    /// New commitments that future budgets can still carry.
    pub headroom: f64,
    /// Yearly costs of one post, one contract position, one station.
    pub post_cost: f64,
    pub position_cost: f64,
    pub station_cost: f64,
}

impl Pots {
    /// Records spending on a lever (never more than its pot).
    pub fn spend(&mut self, t: &mut Tally, l: Lever, amount: f64) {
        let a = amount.min(self.money[l as usize]).max(0.0);
        self.money[l as usize] -= a;
        t.spend[l as usize] += a;
    }

    /// Takes a new yearly commitment out of the headroom.
    pub fn commit(&mut self, amount: f64) {
        self.headroom = (self.headroom - amount).max(0.0);
    }
}

pub fn fund(st: &mut RegionState, cx: &Ctx, t: &mut Tally) -> Pots {
    let lv = &cx.sc.levers;
    let post_cost = cx.cost(cx.p.posts_lever.cost_per_post);
    let position_cost = cx.cost(cx.p.services_lever.cost_per_position);
    let station_cost = cx.cost(cx.p.stations_lever.cost_per_station);
    let budget = cx.y.budget * cx.share + st.carry;
    st.carry = 0.0;

    let committed = |st: &RegionState| {
        st.funded_posts as f64 * post_cost
            + st.project_positions as f64 * position_cost
            + st.stations as f64 * station_cost
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
    t.budget = budget;
    t.committed = owed;

    let free = (budget - owed).max(0.0);
    let mut pots = Pots {
        headroom: (budget * cx.p.funding.max_committed_share - owed).max(0.0),
        post_cost,
        position_cost,
        station_cost,
        ..Pots::default()
    };
    pots.money[Lever::Training as usize] = free * lv.training.share;
    pots.money[Lever::ExamSupport as usize] = free * lv.exam_support.share;
    pots.money[Lever::Supervision as usize] = free * lv.supervision.share;
    pots.money[Lever::Posts as usize] = free * lv.posts.share;
    pots.money[Lever::Orgs as usize] = free * lv.orgs.share;
    pots.money[Lever::Services as usize] = free * lv.services.share;
    pots.money[Lever::Stations as usize] = free * lv.stations.share;
    pots
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
