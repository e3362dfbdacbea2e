//! A region's stocks, and the tally of one region-year.
//!
//! People are kept by stock (MODEL.md's six people stocks) and by what they
//! hold: no post, a social-work post, a bought-service position or a station
//! place. Every flow is drawn per (stock, status) sub-stock, so attrition can
//! depend on holding a post and every stock balances exactly.
//!
//! People move only through [`RegionState::enter`], [`RegionState::leave`],
//! [`RegionState::convert`] and [`RegionState::assign`]; the first three write
//! the ledger of the region-year's [`Tally`], which the conservation tests
//! compare with the stocks counted afresh.

use crate::scenario::{MAX_PROGRAMMES, Stock};

/// Number of people stocks.
pub const STOCKS: usize = 6;
/// Number of post statuses.
pub const STATUSES: usize = 4;

/// What a person holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No post: certified people here leave faster.
    Free = 0,
    /// A social-work post (社工岗位).
    Post = 1,
    /// A staff position in a bought-service project.
    Project = 2,
    /// A place in a township/street station.
    Station = 3,
}

impl Status {
    pub const ALL: [Status; STATUSES] =
        [Status::Free, Status::Post, Status::Project, Status::Station];
}

/// The money levers, in the order they are funded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lever {
    Training = 0,
    ExamSupport = 1,
    Supervision = 2,
    Posts = 3,
    Orgs = 4,
    Services = 5,
    Stations = 6,
}

/// Number of money levers.
pub const LEVERS: usize = 7;

/// The state of one region at the end of a year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegionState {
    /// People by stock and status.
    pub people: [[u64; STATUSES]; STOCKS],
    /// Supervisors among intermediate + senior (never more than them).
    pub supervisors: u64,
    /// All social-work posts.
    pub posts: u64,
    /// Posts created by the posts lever, paid from the budget every year.
    pub funded_posts: u64,
    /// Bought-service staff positions under contract.
    pub project_positions: u64,
    pub orgs: u64,
    pub stations: u64,
    /// Certificates ever issued, by level (junior, intermediate, senior).
    pub issued: [u64; 3],
    /// Money carried into next year.
    pub carry: f64,
    /// Units each lever's planned path has asked for since the start year.
    pub planned: [u64; LEVERS],
    /// Units each lever has bought since the start year.
    pub created: [u64; LEVERS],
    /// Units each programme has built (or seats trained) here.
    pub programme_built: [u64; MAX_PROGRAMMES],
    /// Places of each lever whose running costs a programme's funder pays,
    /// weighted by its funder share.
    pub earmarked: [f64; LEVERS],
    /// Multiplier on the certified's leaving rates that makes the start
    /// year's average the observed rate, when rates are averages over all
    /// the certified (1 otherwise).
    pub leave_scale: f64,
}

/// Everything of one region-year that the outputs need; summable over regions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    // Stocks at the end of the year.
    pub people: [u64; STOCKS],
    pub supervisors: u64,
    pub posts: u64,
    pub posts_filled: u64,
    pub project_positions: u64,
    pub project_staff: u64,
    pub project_qualified: u64,
    pub orgs: u64,
    pub stations: u64,
    pub stations_staffed: u64,
    pub townships: u64,
    pub townships_covered: u64,
    pub urban_communities: u64,
    pub urban_covered: u64,
    pub rural_communities: u64,
    pub rural_covered: u64,
    pub issued: [u64; 3],
    pub intermediate_equivalent: u64,
    pub senior_equivalent: u64,
    // Flows of the year.
    pub registrants: u64,
    pub passes: u64,
    pub trainees: u64,
    pub leavers: u64,
    pub entrants: u64,
    pub promotions: u64,
    pub supervisors_trained: u64,
    pub org_births: u64,
    pub org_closures: u64,
    pub posts_created: u64,
    // The ledger: stocks at the start of the year and what flowed in and out.
    pub start: [u64; STOCKS],
    pub inflow: [u64; STOCKS],
    pub outflow: [u64; STOCKS],
    pub supervisors_start: u64,
    pub supervisors_out: u64,
    // Money (yuan).
    pub budget: f64,
    pub committed: f64,
    pub spend: [f64; LEVERS],
    pub unspent: f64,
    pub programme_spend: f64,
    pub programme_places: u64,
}

impl Tally {
    /// Adds another region's tally (the order of regions is fixed, so sums
    /// of money are reproducible).
    pub fn add(&mut self, o: &Tally) {
        for s in 0..STOCKS {
            self.people[s] += o.people[s];
            self.start[s] += o.start[s];
            self.inflow[s] += o.inflow[s];
            self.outflow[s] += o.outflow[s];
        }
        for l in 0..3 {
            self.issued[l] += o.issued[l];
        }
        for l in 0..LEVERS {
            self.spend[l] += o.spend[l];
        }
        macro_rules! add {
            ($($f:ident),*) => { $( self.$f += o.$f; )* };
        }
        add!(
            supervisors,
            posts,
            posts_filled,
            project_positions,
            project_staff,
            project_qualified,
            orgs,
            stations,
            stations_staffed,
            townships,
            townships_covered,
            urban_communities,
            urban_covered,
            rural_communities,
            rural_covered,
            intermediate_equivalent,
            senior_equivalent,
            registrants,
            passes,
            trainees,
            leavers,
            entrants,
            promotions,
            supervisors_trained,
            org_births,
            org_closures,
            posts_created,
            supervisors_start,
            supervisors_out,
            budget,
            committed,
            unspent,
            programme_spend,
            programme_places
        );
    }
}

impl RegionState {
    /// People of a stock, whatever they hold.
    pub fn count(&self, s: Stock) -> u64 {
        self.people[s as usize].iter().sum()
    }

    /// People holding a status, over all stocks.
    pub fn holding(&self, k: Status) -> u64 {
        self.people.iter().map(|row| row[k as usize]).sum()
    }

    /// Certified people (junior + intermediate + senior).
    pub fn certified(&self) -> u64 {
        self.count(Stock::Junior) + self.count(Stock::Intermediate) + self.count(Stock::Senior)
    }

    /// Every person in the field.
    pub fn practitioners(&self) -> u64 {
        Stock::ALL.iter().map(|&s| self.count(s)).sum()
    }

    /// `n` people enter stock `s` with status `k`.
    #[inline]
    pub fn enter(&mut self, t: &mut Tally, s: Stock, k: Status, n: u64) {
        self.people[s as usize][k as usize] += n;
        t.inflow[s as usize] += n;
    }

    /// `n` people of stock `s` with status `k` leave the region's field.
    #[inline]
    pub fn leave(&mut self, t: &mut Tally, s: Stock, k: Status, n: u64) {
        let n = n.min(self.people[s as usize][k as usize]);
        self.people[s as usize][k as usize] -= n;
        t.outflow[s as usize] += n;
    }

    /// `n` people move from stock `from` to stock `to` keeping what they hold
    /// (a pass, a promotion, completed training).
    #[inline]
    pub fn convert(&mut self, t: &mut Tally, from: Stock, to: Stock, k: Status, n: u64) {
        let n = n.min(self.people[from as usize][k as usize]);
        self.people[from as usize][k as usize] -= n;
        self.people[to as usize][k as usize] += n;
        t.outflow[from as usize] += n;
        t.inflow[to as usize] += n;
    }

    /// `n` people of stock `s` change what they hold (not a flow of the stock).
    #[inline]
    pub fn assign(&mut self, s: Stock, from: Status, to: Status, n: u64) -> u64 {
        let n = n.min(self.people[s as usize][from as usize]);
        self.people[s as usize][from as usize] -= n;
        self.people[s as usize][to as usize] += n;
        n
    }

    /// Fills up to `vacancies` places of status `k` with people who hold
    /// nothing, taking stocks in `order`. Returns how many were placed.
    pub fn fill(&mut self, k: Status, mut vacancies: u64, order: &[Stock]) -> u64 {
        let mut placed = 0;
        for &s in order {
            if vacancies == 0 {
                break;
            }
            let n = self.assign(s, Status::Free, k, vacancies);
            vacancies -= n;
            placed += n;
        }
        placed
    }

    /// Frees `n` people holding status `k` (their places were cut), the
    /// least qualified first, so that cuts keep the qualified in post.
    pub fn release(&mut self, k: Status, mut n: u64) {
        for s in Stock::ALL {
            if n == 0 {
                break;
            }
            n -= self.assign(s, k, Status::Free, n);
        }
    }

    /// Keeps supervisors a sub-count of intermediate + senior after people left.
    pub fn clamp_supervisors(&mut self, t: &mut Tally) {
        let cap = self.count(Stock::Intermediate) + self.count(Stock::Senior);
        if self.supervisors > cap {
            t.supervisors_out += self.supervisors - cap;
            self.supervisors = cap;
        }
    }
}

/// Fill orders: certified first (intermediate and senior before junior),
/// then the degree holders, then trained, then the rest.
pub const FILL_CERTIFIED: [Stock; 3] = [Stock::Senior, Stock::Intermediate, Stock::Junior];
pub const FILL_ANYONE: [Stock; 6] = [
    Stock::Senior,
    Stock::Intermediate,
    Stock::Junior,
    Stock::Graduates,
    Stock::Trained,
    Stock::Uncertified,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_prefers_the_qualified_and_release_the_unqualified() {
        let mut st = RegionState::default();
        st.people[Stock::Junior as usize][0] = 2;
        st.people[Stock::Senior as usize][0] = 1;
        st.people[Stock::Uncertified as usize][0] = 5;
        assert_eq!(st.fill(Status::Post, 2, &FILL_CERTIFIED), 2);
        assert_eq!(st.people[Stock::Senior as usize][1], 1);
        assert_eq!(st.people[Stock::Junior as usize][1], 1);
        assert_eq!(st.fill(Status::Project, 10, &FILL_ANYONE), 6);
        st.release(Status::Project, 5);
        assert_eq!(st.people[Stock::Uncertified as usize][2], 0);
        assert_eq!(st.people[Stock::Junior as usize][2], 1);
    }
}
