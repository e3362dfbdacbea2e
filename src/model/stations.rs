//! Step 7, township/street stations: opened as the plan and the money allow
//! (`plan`, `funding`),
//! never more than there are townships; a station counts as covering its
//! township only when it has its minimum staff.

use super::context::Ctx;
use super::draw::round_count;
use super::funding::{Pots, station_staff};
use super::state::{FILL_ANYONE, FILL_CERTIFIED, Lever, RegionState, Status, Tally};
use crate::scenario::Stock;

pub fn open(st: &mut RegionState, cx: &Ctx, pots: &mut Pots, t: &mut Tally) {
    let room = round_count(cx.r.facts.townships).saturating_sub(st.stations);
    let by_programmes = pots.buy_programmes(st, t, Lever::Stations, room);
    let wanted = pots.plan.units[Lever::Stations as usize].min(room - by_programmes);
    let new = pots.buy(t, Lever::Stations, wanted);
    pots.release(Lever::Stations);
    st.stations += new + by_programmes;
    st.created[Lever::Stations as usize] += new;
    fill(st, cx);
}

/// Fills vacant station places.
pub fn fill(st: &mut RegionState, cx: &Ctx) {
    let places = st.stations * station_staff(cx);
    let vacant = places.saturating_sub(st.holding(Status::Station));
    let order: &[Stock] = if cx.sc.levers.stations_allow_uncertified {
        &FILL_ANYONE
    } else {
        &FILL_CERTIFIED
    };
    st.fill(Status::Station, vacant, order);
}

/// Stations with their minimum staff.
pub fn staffed(st: &RegionState, cx: &Ctx) -> u64 {
    (st.holding(Status::Station) / station_staff(cx)).min(st.stations)
}
