//! What one step of one region-year reads: the scenario, the trajectory's
//! parameters, the year's scenario-wide values and the region's facts.

use super::params::{RegionSample, Sampled};
use crate::model::streams::{ModelRng, RegionYear, Step, purpose};
use crate::scenario::Scenario;

/// Values of one projection year shared by all regions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct YearValues {
    /// Whole-scenario budget of the year (yuan).
    pub budget: f64,
    /// Unit costs relative to the start year (wage growth compounded).
    pub cost_index: f64,
    /// Multiplier on leaving from pay relative to the benchmark wage.
    pub pay_factor: f64,
    /// Staff unit costs (posts, positions, stations) relative to what the
    /// salary alone makes them: above 1 when a pay floor lifts pay.
    pub staff_cost: f64,
    /// The year's pass rates (around the trajectory's rates).
    pub junior_pass: f64,
    pub intermediate_pass: f64,
    /// Graduates and outside candidates relative to the start year.
    pub graduates_index: f64,
    pub outside_index: f64,
    /// Registration rates relative to the start year (the trend compounded).
    pub registration_index: f64,
    /// Extra share of non-sitters who sit the exam this year (a surge).
    pub surge: f64,
}

/// The read-only context of a region-year.
pub struct Ctx<'a> {
    pub sc: &'a Scenario,
    pub p: &'a Sampled,
    pub r: &'a RegionSample,
    pub y: &'a YearValues,
    /// Region index.
    pub region: u32,
    /// Projection year, 1-based.
    pub year: u32,
    /// The region's share of money and quotas.
    pub share: f64,
    /// The trajectory's streams of this region and year
    /// (`Streams::region_year`), from which every draw here comes.
    pub draws: RegionYear,
}

impl Ctx<'_> {
    /// The generator for one draw of this region-year.
    #[inline]
    pub fn rng(&self, step: Step, stock: usize, status: usize) -> ModelRng {
        self.draws.rng(purpose(step, stock, status))
    }

    /// Binomial(n, p) from the stream of (step, stock, status), made only
    /// when there is something to draw: n = 0, p ≤ 0 and p ≥ 1 draw no
    /// number (see [`super::draw::binomial`]), so skipping the generator
    /// changes nothing but the time.
    #[inline]
    pub fn binomial(&self, step: Step, stock: usize, status: usize, n: u64, p: f64) -> u64 {
        if n == 0 || p.is_nan() || p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        super::draw::binomial(&mut self.rng(step, stock, status), n, p)
    }

    /// A start-year unit cost in this region and year.
    #[inline]
    pub fn cost(&self, base: f64) -> f64 {
        base * self.r.facts.wage_index * self.y.cost_index
    }
}
