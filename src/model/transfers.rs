//! Step 10, transfers between regions ("send 30 a year from developed areas
//! to the three areas"): after every region's year, people without a post
//! are sent from the sending regions, split evenly, and arrive without a
//! post in the receiving regions, split evenly. A region cannot send people
//! it does not have; what it cannot send is not sent.

use super::draw::round_quota;
use super::params::Sampled;
use super::state::{RegionState, Status, Tally};
use crate::model::streams::{ALL_REGIONS, Step, Streams, purpose};
use crate::scenario::Scenario;

pub fn send(
    sc: &Scenario,
    p: &Sampled,
    streams: &Streams,
    year: u32,
    states: &mut [RegionState],
    tallies: &mut [Tally],
) {
    for (i, tr) in sc.transfers.iter().enumerate() {
        let mut rng = streams.rng(ALL_REGIONS, year, purpose(Step::Transfer, i, 0));
        let total = round_quota(&mut rng, p.transfers[i]);
        let senders = tr.from.len() as u64;
        let mut sent = 0;
        for (j, &r) in tr.from.iter().enumerate() {
            let quota = total / senders + u64::from((j as u64) < total % senders);
            let n = quota.min(states[r].people[tr.stock as usize][Status::Free as usize]);
            states[r].leave(&mut tallies[r], tr.stock, Status::Free, n);
            states[r].clamp_supervisors(&mut tallies[r]);
            sent += n;
        }
        let receivers = tr.to.len() as u64;
        for (j, &r) in tr.to.iter().enumerate() {
            let n = sent / receivers + u64::from((j as u64) < sent % receivers);
            states[r].enter(&mut tallies[r], tr.stock, Status::Free, n);
        }
    }
}
