//! The yearly model of MODEL.md: one file per step of the year, called in
//! order by [`year`]. Stocks are integers and every flow a random draw;
//! `state` keeps the ledger that proves each stock balances.
//!
//! Where is X decided? What the plan asks for this year: `plan`; money and
//! commitments: `funding`; training seats:
//! `training`; registrants and passes: `exam`; senior review and supervisors:
//! `promotion`; posts: `posts`; organisations and bought services: `orgs`;
//! stations: `stations`; leaving and entering: `attrition`; community
//! coverage: `coverage`; moves between regions: `transfers`. Where the
//! random numbers come from: `streams` (keyed per trajectory, region, year
//! and purpose) and `draw` (the counts drawn from them).

pub mod attrition;
pub mod bounds;
pub mod census;
pub mod context;
pub mod coverage;
pub mod draw;
pub mod exam;
pub mod funding;
pub mod orgs;
pub mod params;
pub mod plan;
pub mod posts;
pub mod promotion;
pub mod state;
pub mod stations;
pub mod streams;
pub mod training;
pub mod transfers;
pub mod year;

pub use params::Sampled;
pub use state::{LEVERS, Lever, RegionState, STATUSES, STOCKS, Status, Tally};
pub use year::Trajectory;

use crate::scenario::{Metric, Stock};

impl Tally {
    /// Every metric of this tally, in [`Metric::ALL`]'s order: the same
    /// values as [`Tally::metric`] of each, in one pass.
    #[inline]
    pub fn metrics(&self) -> [f64; Metric::COUNT] {
        Metric::each(|m| self.metric(m))
    }

    /// The value of a metric for this tally (one region, or a sum of regions).
    #[inline(always)]
    pub fn metric(&self, m: Metric) -> f64 {
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let s = |k: Stock| self.people[k as usize] as f64;
        let certified = s(Stock::Junior) + s(Stock::Intermediate) + s(Stock::Senior);
        match m {
            Metric::Uncertified => s(Stock::Uncertified),
            Metric::Trained => s(Stock::Trained),
            Metric::Graduates => s(Stock::Graduates),
            Metric::Junior => s(Stock::Junior),
            Metric::Intermediate => s(Stock::Intermediate),
            Metric::Senior => s(Stock::Senior),
            Metric::Supervisors => self.supervisors as f64,
            Metric::Certified => certified,
            Metric::Talent => certified + s(Stock::Trained) + s(Stock::Graduates),
            Metric::Practitioners => self.people.iter().sum::<u64>() as f64,
            Metric::TalentShare => {
                let all = self.people.iter().sum::<u64>();
                let talent = all - self.people[Stock::Uncertified as usize];
                ratio(talent, all)
            }
            Metric::IntermediateOrEquivalent => self.intermediate_equivalent as f64,
            Metric::SeniorOrEquivalent => self.senior_equivalent as f64,
            Metric::CertificatesIssued => self.issued.iter().sum::<u64>() as f64,
            Metric::CertificatesIssuedJunior => self.issued[0] as f64,
            Metric::CertificatesIssuedIntermediate => self.issued[1] as f64,
            Metric::CertificatesIssuedSenior => self.issued[2] as f64,
            Metric::Posts => self.posts as f64,
            Metric::PostsFilled => self.posts_filled as f64,
            Metric::Vacancies => self.posts.saturating_sub(self.posts_filled) as f64,
            Metric::ProjectPositions => self.project_positions as f64,
            Metric::QualifiedShare => ratio(self.project_qualified, self.project_staff),
            Metric::Orgs => self.orgs as f64,
            Metric::Stations => self.stations as f64,
            Metric::StationsStaffed => self.stations_staffed as f64,
            Metric::TownshipCoverage => ratio(self.townships_covered, self.townships),
            Metric::UrbanCoverage => ratio(self.urban_covered, self.urban_communities),
            Metric::RuralCoverage => ratio(self.rural_covered, self.rural_communities),
            Metric::Registrants => self.registrants as f64,
            Metric::Passes => self.passes as f64,
            Metric::Trainees => self.trainees as f64,
            Metric::Leavers => self.leavers as f64,
            Metric::Entrants => self.entrants as f64,
            Metric::Promotions => self.promotions as f64,
            Metric::SupervisorsTrained => self.supervisors_trained as f64,
            Metric::OrgBirths => self.org_births as f64,
            Metric::PostsCreated => self.posts_created as f64,
            Metric::Budget => self.budget,
            Metric::Committed => self.committed,
            Metric::SpendTraining => self.spend[Lever::Training as usize],
            Metric::SpendExamSupport => self.spend[Lever::ExamSupport as usize],
            Metric::SpendPosts => self.spend[Lever::Posts as usize],
            Metric::SpendOrgs => self.spend[Lever::Orgs as usize],
            Metric::SpendServices => self.spend[Lever::Services as usize],
            Metric::SpendStations => self.spend[Lever::Stations as usize],
            Metric::SpendSupervision => self.spend[Lever::Supervision as usize],
            Metric::Spend => self.committed + self.spend.iter().sum::<f64>(),
            Metric::Unspent => self.unspent,
            Metric::ProgrammeSpend => self.programme_spend,
            Metric::ProgrammePlaces => self.programme_places as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_metrics_at_once_are_each_metric_in_output_order() {
        let t = Tally {
            people: [5, 7, 11, 13, 17, 19],
            posts: 40,
            posts_filled: 23,
            project_staff: 9,
            project_qualified: 4,
            townships: 6,
            townships_covered: 5,
            urban_communities: 12,
            urban_covered: 7,
            issued: [3, 2, 1],
            budget: 1.5e6,
            spend: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            ..Tally::default()
        };
        let all = t.metrics();
        for (i, &m) in Metric::ALL.iter().enumerate() {
            assert_eq!(all[i].to_bits(), t.metric(m).to_bits(), "{}", m.name());
        }
    }
}
