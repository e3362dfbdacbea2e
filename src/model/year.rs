//! One year, in order (MODEL.md): the only place that calls the steps, and
//! so the place to read the model's sequence.
//!
//! A [`Trajectory`] owns every buffer one trajectory needs — the drawn
//! parameters, each region's state and the tallies of every region-year —
//! and is reused for trajectory after trajectory: the yearly loop allocates
//! nothing.

use rand::RngExt as _;
use rand_distr::{Beta, Distribution, Normal};

use super::context::{Ctx, YearValues};
use super::draw::round_count;
use super::params::{Pinned, Sampled};
use super::state::{RegionState, STOCKS, Status, Tally};
use super::{
    attrition, coverage, exam, funding, orgs, plan, posts, promotion, stations, training, transfers,
};
use crate::model::streams::{ALL_REGIONS, Step, Streams, purpose};
use crate::scenario::{Scenario, Stock};

/// Purpose of the draw that picks a trajectory's posterior particle.
const POSTERIOR: u64 = 0x504F_5354_4552_494F;

/// The buffers of one trajectory.
#[derive(Debug, Clone)]
pub struct Trajectory {
    /// Parameters drawn for the current trajectory.
    pub params: Sampled,
    /// Each region's state (at the end of the last simulated year).
    pub states: Vec<RegionState>,
    /// Tallies by year (0 = start year, observed) then region:
    /// `tallies[year * regions + region]`.
    pub tallies: Vec<Tally>,
    regions: usize,
    yearly: bool,
    /// Where the scenario's posterior (if any) lands among its numbers.
    posterior: Option<Pinned>,
}

impl Trajectory {
    /// Buffers sized for a scenario.
    pub fn new(sc: &Scenario) -> Trajectory {
        let regions = sc.regions.len();
        Trajectory {
            params: Sampled::central(sc),
            states: vec![RegionState::default(); regions],
            tallies: vec![Tally::default(); (sc.horizon() + 1) * regions],
            regions,
            yearly: sc.has_yearly_params(),
            // `attach_posterior` checked every path, so this resolves.
            posterior: sc
                .posterior
                .as_ref()
                .and_then(|p| Pinned::resolve(sc, &p.paths).ok()),
        }
    }

    /// The tallies of one year (0 = start year).
    pub fn year(&self, y: usize) -> &[Tally] {
        &self.tallies[y * self.regions..(y + 1) * self.regions]
    }

    /// Simulates trajectory `index` of a run with `seed`.
    pub fn run(&mut self, sc: &Scenario, seed: u64, index: u64) {
        self.run_with(sc, &Streams::new(seed, index));
    }

    /// Simulates a trajectory from the given streams (a twin's, say).
    pub fn run_with(&mut self, sc: &Scenario, streams: &Streams) {
        self.draw_unknowns(sc, streams);
        self.years(sc, streams);
    }

    /// Draws the trajectory's unknowns (every number drawn once per
    /// trajectory, from the file's priors or its posterior) and nothing else.
    pub fn draw_unknowns(&mut self, sc: &Scenario, streams: &Streams) {
        self.params.set_chance(None);
        self.params.draw_trajectory(sc, streams);
        if let (Some(post), Some(pinned)) = (&sc.posterior, &self.posterior) {
            // One particle per trajectory, by weight, from its own stream.
            let u: f64 = streams.rng(ALL_REGIONS, 0, POSTERIOR).random();
            self.params.pin(sc, pinned, post.row(post.pick(u)));
        }
    }

    /// Simulates a trajectory whose numbers named by `pinned` take `row`'s
    /// values (a calibration's proposal); every other draw is the stream's.
    pub fn run_pinned(&mut self, sc: &Scenario, streams: &Streams, pinned: &Pinned, row: &[f64]) {
        self.params.set_chance(Some((pinned, row)));
        self.params.draw_trajectory(sc, streams);
        self.params.pin(sc, pinned, row);
        self.years(sc, streams);
    }

    /// The start and every projected year, from the drawn parameters.
    fn years(&mut self, sc: &Scenario, streams: &Streams) {
        let streams = *streams;
        let mut yv = self.start(sc, &streams);
        for year in 1..=sc.horizon() as u32 {
            if self.yearly {
                self.params.draw_year(sc, &streams, year);
            }
            yv = next_year(sc, &self.params, &streams, year, &yv);
            self.step(sc, &streams, year, &yv);
        }
    }

    /// Start state from the drawn stocks; places filled by the same rules as later years.
    fn start(&mut self, sc: &Scenario, streams: &Streams) -> YearValues {
        let p = &self.params;
        let yv = YearValues {
            budget: p.funding.budget.min(super::draw::MAX_MONEY),
            cost_index: 1.0,
            pay_factor: pay_factor(sc, p, p.pay.salary, p.pay.benchmark),
            staff_cost: staff_cost(p, p.pay.salary, p.pay.benchmark),
            junior_pass: p.exam.junior_pass_rate,
            intermediate_pass: p.exam.intermediate_pass_rate,
            graduates_index: 1.0,
            outside_index: 1.0,
            registration_index: 1.0,
            surge: 0.0,
        };
        for (i, st) in self.states.iter_mut().enumerate() {
            let r = &p.regions[i];
            let s = &r.stocks;
            let c = |x: f64| round_count(x.max(0.0));
            *st = RegionState::default();
            let counts = [
                s.uncertified,
                s.trained,
                s.graduates,
                s.junior,
                s.intermediate,
                s.senior,
            ];
            for (k, &n) in counts.iter().enumerate() {
                st.people[k][Status::Free as usize] = c(n);
            }
            st.supervisors = c(s.supervisors).min(c(s.intermediate) + c(s.senior));
            st.posts = c(s.posts);
            st.project_positions = c(s.project_positions);
            st.orgs = c(s.orgs);
            st.stations = c(s.stations);
            st.issued = [
                c(s.certificates_junior),
                c(s.certificates_intermediate),
                c(s.certificates_senior),
            ];
            let cx = Ctx {
                sc,
                p,
                r,
                y: &yv,
                region: i as u32,
                year: 0,
                share: sc.regions[i].budget_share,
                draws: streams.region_year(i as u32, 0),
            };
            posts::fill(st, &cx);
            if s.project_qualified >= 0.0 && cx.sc.levers.services_allow_uncertified {
                // The staff as they were, not as today's hiring rule would make them.
                orgs::fill_with(st, st.project_positions, c(s.project_qualified));
            }
            orgs::fill(st, &cx);
            stations::fill(st, &cx);
            st.leave_scale = attrition::average_scale(st, &cx);
            let t = &mut self.tallies[i];
            *t = Tally::default();
            t.start = std::array::from_fn(|k| st.people[k].iter().sum());
            t.supervisors_start = st.supervisors;
            t.budget = p.funding.budget * sc.regions[i].budget_share;
            // Year 0 draws only the placement of the starting workers.
            coverage::cover(st, &cx, t);
            snapshot(st, &cx, t);
        }
        yv
    }

    /// Steps 1–9 for every region, then transfers, then the year's records.
    fn step(&mut self, sc: &Scenario, streams: &Streams, year: u32, yv: &YearValues) {
        let n = self.regions;
        let p = &self.params;
        let row = &mut self.tallies[year as usize * n..(year as usize + 1) * n];
        for (i, (st, t)) in self.states.iter_mut().zip(row.iter_mut()).enumerate() {
            let cx = Ctx {
                sc,
                p,
                r: &p.regions[i],
                y: yv,
                region: i as u32,
                year,
                share: sc.regions[i].budget_share,
                draws: streams.region_year(i as u32, year),
            };
            *t = Tally::default();
            t.start = std::array::from_fn(|k| st.people[k].iter().sum());
            t.supervisors_start = st.supervisors;
            let demand = plan::demand(st, &cx);
            let mut pots = funding::fund(st, &cx, t, &demand);
            training::train(st, &cx, &mut pots, t);
            exam::sit(st, &cx, &mut pots, t);
            promotion::promote(st, &cx, &mut pots, t);
            posts::create(st, &cx, &mut pots, t);
            orgs::found_and_close(st, &cx, &mut pots, t);
            orgs::buy_services(st, &cx, &mut pots, t);
            stations::open(st, &cx, &mut pots, t);
            attrition::leave_and_enter(st, &cx, t);
            funding::close(st, &cx, t);
        }
        transfers::send(sc, p, streams, year, &mut self.states, row);
        for (i, (st, t)) in self.states.iter_mut().zip(row.iter_mut()).enumerate() {
            let cx = Ctx {
                sc,
                p,
                r: &p.regions[i],
                y: yv,
                region: i as u32,
                year,
                share: sc.regions[i].budget_share,
                draws: streams.region_year(i as u32, year),
            };
            coverage::cover(st, &cx, t);
            snapshot(st, &cx, t);
        }
    }
}

/// The step of the year (MODEL.md's order) that adds to a count, for
/// messages that must say where a number grew out of bounds.
pub fn step_that_adds(m: crate::scenario::Metric) -> &'static str {
    use crate::scenario::Metric::*;
    match m {
        Trainees | Trained => "step 2, training",
        Registrants
        | Passes
        | CertificatesIssued
        | CertificatesIssuedJunior
        | CertificatesIssuedIntermediate
        | Junior
        | Intermediate
        | Certified => "step 3, the exam (and its outside candidates)",
        Senior | CertificatesIssuedSenior | Promotions => "step 4, the senior review",
        Supervisors | SupervisorsTrained => "step 4, supervisor training",
        Posts | PostsCreated | PostsFilled | Vacancies => "step 5, posts",
        Orgs | OrgBirths => "step 6, organisations",
        ProjectPositions => "step 6, bought services",
        Stations | StationsStaffed => "step 7, stations",
        ProgrammePlaces => "the programmes",
        _ => "step 8, entry (graduates, replacements, new roles) and transfers",
    }
}

/// The scenario-wide values of projection year `year`, from the year before.
fn next_year(
    sc: &Scenario,
    p: &Sampled,
    streams: &Streams,
    year: u32,
    prev: &YearValues,
) -> YearValues {
    let calendar = sc.start_year + year as i32;
    let budget = match sc.funding.schedule.iter().find(|(y, _)| *y == calendar) {
        Some((_, b)) => *b,
        None => {
            let sd = p.funding.growth_year_sd;
            let noise = if sd > 0.0 {
                Normal::new(0.0, sd)
                    .map(|d| {
                        d.sample(&mut streams.rng(ALL_REGIONS, year, purpose(Step::Funding, 0, 0)))
                    })
                    .unwrap_or(0.0)
            } else {
                0.0
            };
            (prev.budget * (1.0 + p.funding.growth + noise)).clamp(0.0, super::draw::MAX_MONEY)
        }
    };
    let t = year as i32;
    let salary = p.pay.salary * (1.0 + p.pay.wage_growth).powi(t);
    let benchmark = p.pay.benchmark * (1.0 + p.pay.benchmark_growth).powi(t);
    let concentration = p.exam.pass_rate_concentration;
    let yearly_rate = |m: f64, which: usize| {
        if concentration <= 0.0 || m <= 0.0 || m >= 1.0 {
            return m;
        }
        if let Some(z) = p.pass_rate_z(which, year) {
            // A past year's draw inferred by calibration: the same Beta, at Φ(z).
            use statrs::distribution::{Beta as SBeta, ContinuousCDF};
            return SBeta::new(concentration * m, concentration * (1.0 - m))
                .map(|b| {
                    b.inverse_cdf(crate::scenario::param::normal_cdf(z).clamp(1e-12, 1.0 - 1e-12))
                })
                .unwrap_or(m);
        }
        Beta::new(concentration * m, concentration * (1.0 - m))
            .map(|d| {
                d.sample(&mut streams.rng(ALL_REGIONS, year, purpose(Step::PassRates, which, 0)))
            })
            .unwrap_or(m)
    };
    YearValues {
        budget,
        cost_index: prev.cost_index * (1.0 + p.pay.wage_growth),
        pay_factor: pay_factor(sc, p, salary, benchmark),
        staff_cost: staff_cost(p, salary, benchmark),
        junior_pass: yearly_rate(p.exam.junior_pass_rate, 0),
        intermediate_pass: yearly_rate(p.exam.intermediate_pass_rate, 1),
        graduates_index: prev.graduates_index * (1.0 + p.entry.graduates_growth),
        outside_index: prev.outside_index * (1.0 + p.exam.outside_growth),
        registration_index: (prev.registration_index * (1.0 + p.exam.registration_growth)).max(0.0),
        surge: {
            let chance = p.exam.surge_chance;
            if chance > 0.0
                && streams
                    .rng(ALL_REGIONS, year, purpose(Step::ExamDemand, 0, 0))
                    .random::<f64>()
                    < chance
            {
                p.exam.surge_size
            } else {
                0.0
            }
        },
    }
}

/// (benchmark / pay)^elasticity, with the pay floor lever applied, relative
/// to the pay at which the leaving rates were observed: the start year's
/// (so today's turnover is not multiplied by today's pay gap a second time)
/// or the benchmark's. Capped at 10 so that a pay of nothing does not make
/// leaving certain by arithmetic.
fn pay_factor(sc: &Scenario, p: &Sampled, salary: f64, benchmark: f64) -> f64 {
    let pay = salary.max(p.pay_lever.floor_ratio * benchmark);
    if pay <= 0.0 {
        return 10.0;
    }
    let e = p.attrition.pay_elasticity;
    let observed = if sc.parameters.rates_at_start_pay && p.pay.salary > 0.0 {
        (p.pay.benchmark / p.pay.salary).powf(e)
    } else {
        1.0
    };
    ((benchmark / pay).powf(e) / observed).min(10.0)
}

/// Paid pay over salary: what a pay floor adds to staff costs.
fn staff_cost(p: &Sampled, salary: f64, benchmark: f64) -> f64 {
    let pay = salary.max(p.pay_lever.floor_ratio * benchmark);
    if salary <= 0.0 { 1.0 } else { pay / salary }
}

/// Records the year-end stocks of a region.
fn snapshot(st: &RegionState, cx: &Ctx, t: &mut Tally) {
    for k in 0..STOCKS {
        t.people[k] = st.people[k].iter().sum();
    }
    t.supervisors = st.supervisors;
    t.posts = st.posts;
    t.posts_filled = st.holding(Status::Post);
    t.project_positions = st.project_positions;
    t.project_staff = st.holding(Status::Project);
    t.project_qualified = [
        Stock::Junior,
        Stock::Intermediate,
        Stock::Senior,
        Stock::Graduates,
    ]
    .iter()
    .map(|&s| st.people[s as usize][Status::Project as usize])
    .sum();
    t.orgs = st.orgs;
    t.stations = st.stations;
    t.stations_staffed = stations::staffed(st, cx);
    t.townships = round_count(cx.r.facts.townships);
    t.townships_covered = t.stations_staffed.min(t.townships);
    t.issued = st.issued;
    let eq = &cx.p.equivalence;
    let part = |share: f64, s: Stock| (share * st.count(s) as f64) as u64;
    t.intermediate_equivalent = st.count(Stock::Intermediate)
        + part(eq.graduates_as_intermediate, Stock::Graduates)
        + part(eq.trained_as_intermediate, Stock::Trained);
    t.senior_equivalent =
        st.count(Stock::Senior) + part(eq.intermediate_as_senior, Stock::Intermediate);
}
