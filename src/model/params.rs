//! Parameters as drawn for one trajectory: the same groups as the scenario,
//! holding numbers instead of distributions.
//!
//! [`Sampled::draw_trajectory`] draws the per-trajectory values (and fixes
//! the per-year ones at their first year's draw); [`Sampled::draw_year`]
//! redraws the per-year values. Both refill the struct in place, so a worker
//! reuses one `Sampled` for all its trajectories.
//!
//! Three ways draws are tied together, each from its own keyed stream so
//! that common random numbers still hold:
//! - a per-year number with a year effect is m + eₜ, with m drawn once and
//!   eₜ = ρ·eₜ₋₁ + σ√(1−ρ²)·zₜ, e₁ = σ·z₁ (a stationary AR(1): variance σ²,
//!   correlation ρᵏ between years k apart), kept within the distribution's range;
//! - a region's number with `shared = s` is F⁻¹(Φ(√s·Z + √(1−s)·εᵣ)), with Z
//!   one province-wide draw per trajectory and εᵣ the region's own: regions
//!   share a quantile (s = 1) or part of it. Start stocks default to s = 1:
//!   a file that gives each region a range split from a province-wide one
//!   means the province total is that uncertain, not ±a few percent;
//! - `[[correlation]]` pairs are drawn by a Gaussian copula (see
//!   [`crate::scenario::Correlations`]).

use std::sync::Arc;

use rand_distr::{Distribution, StandardNormal};

use crate::model::streams::{ALL_REGIONS, Streams, param_purpose};
use crate::scenario::param::{normal_cdf, pert_shape};
use crate::scenario::quantile::{self, BetaQuantile};
use crate::scenario::{
    Attrition, Coverage, Dist, Entry, Equivalence, Exam, ExamSupport, Funding, Orgs, OrgsLever,
    Param, Pay, PayLever, PostsLever, Promotion, RegionFacts, Scenario, ServicesLever,
    StationsLever, Stocks, SupervisionLever, Training, TrainingLever,
};

/// A region's drawn facts and starting stocks.
#[derive(Debug, Clone)]
pub struct RegionSample {
    pub facts: RegionFacts<f64>,
    pub stocks: Stocks<f64>,
}

/// Every parameter of a scenario, drawn for one trajectory.
#[derive(Debug, Clone)]
pub struct Sampled {
    pub exam: Exam<f64>,
    pub training: Training<f64>,
    pub promotion: Promotion<f64>,
    pub attrition: Attrition<f64>,
    pub pay: Pay<f64>,
    pub entry: Entry<f64>,
    pub orgs: Orgs<f64>,
    pub coverage: Coverage<f64>,
    pub equivalence: Equivalence<f64>,
    pub funding: Funding<f64>,
    pub training_lever: TrainingLever<f64>,
    pub exam_support: ExamSupport<f64>,
    pub posts_lever: PostsLever<f64>,
    pub orgs_lever: OrgsLever<f64>,
    pub services_lever: ServicesLever<f64>,
    pub stations_lever: StationsLever<f64>,
    pub supervision_lever: SupervisionLever<f64>,
    pub pay_lever: PayLever<f64>,
    pub transfers: Vec<f64>,
    pub regions: Vec<RegionSample>,
    /// State of each per-year number with a year effect, in draw order.
    year_effects: Vec<YearState>,
    /// Standard normals of past years set by calibration, NaN where drawn:
    /// `year_z[slot * stride + year]`, slots the year effects in draw order
    /// then the junior and intermediate pass rates' yearly draws.
    year_z: Vec<f64>,
    stride: usize,
    /// For each scenario-wide number in draw order, its slot among the
    /// correlated ones (`NONE` if not correlated).
    corr_slot: Vec<u16>,
    /// Stream purposes and this trajectory's values of the correlated numbers.
    corr_purpose: Vec<u64>,
    corr_values: Vec<f64>,
    /// Each programme as it falls in this trajectory.
    pub programmes: Vec<ProgrammeDraw>,
    /// The last standard Beta quantile a shared PERT draw computed: regions
    /// whose ranges are one province-wide range scaled share its shape and
    /// its quantile, so each is computed once per trajectory.
    beta_cache: std::cell::Cell<(f64, f64, f64, f64)>,
    /// The Beta quantile of each region's PERT numbers, set up once:
    /// `pert_tables[region * REGIONAL_FIELDS + field]`, facts then stocks.
    pert_tables: Vec<Option<Arc<BetaQuantile>>>,
    /// Stream purposes of each programme's numbers (happens, then each field).
    programme_purpose: Vec<[u64; 6]>,
}

/// A programme as drawn for one trajectory.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProgrammeDraw {
    /// Whether it happens in this trajectory.
    pub on: bool,
    /// Calendar year it starts.
    pub start: i32,
    /// Years it builds or trains.
    pub years: u32,
    pub size: f64,
    pub funder_share: f64,
}

impl ProgrammeDraw {
    /// The year of the programme (1-based) that `calendar` is, if it has
    /// started in this trajectory.
    #[inline]
    pub fn year_of(&self, calendar: i32) -> Option<u32> {
        (self.on && calendar >= self.start).then(|| (calendar - self.start + 1) as u32)
    }
}

const NONE: u16 = u16::MAX;
/// Marks the stream of a year effect's persistence and of a shared regional draw.
const PERSISTENCE: u64 = 0x5045_5253_4953_5400;
const SHARED: u64 = 0x5348_4152_4544_0000;

/// A year effect's trajectory-level mean, current effect, persistence and size.
#[derive(Debug, Clone, Copy)]
struct YearState {
    mean: f64,
    effect: f64,
    rho: f64,
    sd: f64,
    /// Its index among the year-effect numbers (`NO_SLOT` for a scratch state).
    slot: usize,
}

const NO_SLOT: usize = usize::MAX;

impl Default for YearState {
    fn default() -> YearState {
        YearState {
            mean: 0.0,
            effect: 0.0,
            rho: 0.0,
            sd: 0.0,
            slot: NO_SLOT,
        }
    }
}

/// A year's pinned standard normal of a year effect, if calibration set one.
#[inline]
fn pinned_z(year_z: &[f64], stride: usize, slot: usize, year: u32) -> Option<f64> {
    if slot == NO_SLOT || year_z.is_empty() {
        return None;
    }
    let z = year_z[slot * stride + year as usize];
    (!z.is_nan()).then_some(z)
}

fn std_normal(streams: &Streams, region: u32, year: u32, purpose: u64) -> f64 {
    StandardNormal.sample(&mut streams.rng(region, year, purpose))
}

/// Draws a per-trajectory or per-year number for the trajectory; a year
/// effect starts here (year 1).
fn draw_first(
    p: &Param,
    streams: &Streams,
    path: &str,
    state: &mut YearState,
    year_z: (&[f64], usize),
) -> f64 {
    match p {
        Param::Random {
            dist,
            year: Some(y),
            ..
        } => {
            let purpose = param_purpose(path);
            state.mean = dist.sample(&mut streams.rng(ALL_REGIONS, 0, purpose));
            state.rho =
                y.persistence
                    .sample(&mut streams.rng(ALL_REGIONS, 0, purpose ^ PERSISTENCE));
            state.sd = y.sd;
            let z = pinned_z(year_z.0, year_z.1, state.slot, 1)
                .unwrap_or_else(|| std_normal(streams, ALL_REGIONS, 1, purpose));
            state.effect = y.sd * z;
            within(dist, state.mean + state.effect)
        }
        _ => draw(
            p,
            streams,
            ALL_REGIONS,
            if p.per_year() { 1 } else { 0 },
            path,
        ),
    }
}

/// Advances a per-year number to `year` (≥ 2).
fn draw_next(
    p: &Param,
    streams: &Streams,
    path: &str,
    year: u32,
    state: &mut YearState,
    year_z: (&[f64], usize),
) -> f64 {
    match p {
        Param::Random {
            dist,
            year: Some(_),
            ..
        } => {
            let z = pinned_z(year_z.0, year_z.1, state.slot, year)
                .unwrap_or_else(|| std_normal(streams, ALL_REGIONS, year, param_purpose(path)));
            let rho = state.rho;
            state.effect = rho * state.effect + state.sd * (1.0 - rho * rho).max(0.0).sqrt() * z;
            within(dist, state.mean + state.effect)
        }
        _ => draw(p, streams, ALL_REGIONS, year, path),
    }
}

/// A value kept within what the distribution can produce.
fn within(dist: &crate::scenario::Dist, x: f64) -> f64 {
    let (lo, hi) = dist.support();
    x.clamp(lo, hi)
}

/// The Beta quantile of each region's PERT numbers (`None` for others),
/// each shape set up once per process ([`quantile::for_shape`]).
fn pert_tables(sc: &Scenario) -> Vec<Option<Arc<BetaQuantile>>> {
    let mut tables = Vec::with_capacity(sc.regions.len() * REGIONAL_FIELDS);
    let mut add = |_: &'static str, _, p: &Param| {
        tables.push(match *p {
            Param::Random {
                dist: Dist::Pert { min, mode, max },
                ..
            } => {
                let (a, b) = pert_shape(min, mode, max);
                quantile::for_shape(a, b)
            }
            _ => None,
        });
    };
    for r in &sc.regions {
        r.facts.each(&mut add);
        r.stocks.each(&mut add);
    }
    tables
}

/// How a region's number finds its quantile: the last one computed (shared
/// by every region with the same shape and u) and its shape's table.
#[derive(Clone, Copy)]
struct Quantile<'a> {
    cache: &'a std::cell::Cell<(f64, f64, f64, f64)>,
    table: Option<&'a BetaQuantile>,
}

/// The quantile of `dist` at `u`: a PERT's from its shape's table set up
/// once, reusing the standard Beta quantile of the previous draw if it had
/// the same shape and u (regions drawn from one shared normal).
fn quantile_cached(dist: &Dist, u: f64, q: Quantile) -> Option<f64> {
    use statrs::distribution::{Beta, ContinuousCDF};
    let Quantile { cache, table } = q;
    if let Dist::Pert { min, mode, max } = *dist {
        let r = max - min;
        let (a, b) = pert_shape(min, mode, max);
        let uc = u.clamp(1e-12, 1.0 - 1e-12);
        let (ca, cb, cu, cq) = cache.get();
        let q = if (ca, cb, cu) == (a, b, uc) {
            cq
        } else {
            let q = match table.filter(|t| t.is(a, b)) {
                Some(t) => t.at(uc),
                None => Beta::new(a, b).ok()?.inverse_cdf(uc),
            };
            cache.set((a, b, uc, q));
            q
        };
        return Some(min + r * q);
    }
    dist.quantile(u)
}

/// A region's numbers, facts then stocks: one province-wide draw each.
const REGIONAL_FIELDS: usize = RegionFacts::<f64>::FIELDS.len() + Stocks::<f64>::FIELDS.len();

/// Draws a region's number, shared with the other regions' by `shared`.
/// `common` is the number's province-wide normal for this trajectory: drawn
/// by the first region that needs it (NaN until then), reused by the others.
fn draw_regional(
    p: &Param,
    default_shared: f64,
    streams: &Streams,
    region: u32,
    path: &str,
    quantile: Quantile,
    common: &mut f64,
) -> f64 {
    let Param::Random { dist, shared, .. } = p else {
        return draw(p, streams, region, 0, path);
    };
    let s = shared.unwrap_or(default_shared);
    if s <= 0.0 {
        return draw(p, streams, region, 0, path);
    }
    let purpose = param_purpose(path);
    if common.is_nan() {
        *common = std_normal(streams, ALL_REGIONS, 0, purpose ^ SHARED);
    }
    let own = if s < 1.0 {
        std_normal(streams, region, 0, purpose)
    } else {
        0.0
    };
    let z = s.sqrt() * *common + (1.0 - s).sqrt() * own;
    match quantile_cached(dist, normal_cdf(z), quantile) {
        Some(x) => x,
        // A mixture has no quantile function: drawn on its own.
        None => draw(p, streams, region, 0, path),
    }
}

/// Draws `p` from its own stream; `year` 0 is the trajectory-level draw.
fn draw(p: &Param, streams: &Streams, region: u32, year: u32, path: &str) -> f64 {
    match p {
        Param::Fixed(v) => *v,
        Param::Random { .. } => {
            let mut rng = streams.rng(region, year, param_purpose(path));
            p.sample(&mut rng)
        }
    }
}

/// Walks the year-effect states in draw order: each number with a year
/// effect gets the next one; the others a scratch state nothing keeps.
struct EffectCursor<'a> {
    states: &'a mut [YearState],
    next: usize,
    spare: YearState,
}

impl<'a> EffectCursor<'a> {
    fn new(states: &'a mut [YearState]) -> EffectCursor<'a> {
        EffectCursor {
            states,
            next: 0,
            spare: YearState::default(),
        }
    }

    fn state(&mut self, p: &Param) -> &mut YearState {
        if has_year_effect(p) {
            self.next += 1;
            &mut self.states[self.next - 1]
        } else {
            self.spare = YearState::default();
            &mut self.spare
        }
    }
}

fn has_year_effect(p: &Param) -> bool {
    matches!(p, Param::Random { year: Some(_), .. })
}

/// Applies `$body` to each (sampled group, scenario group, path prefix).
macro_rules! for_groups {
    ($s:expr, $sc:expr, |$g:ident, $d:ident, $prefix:ident| $body:block) => {{
        let p = &$sc.parameters;
        let l = &$sc.levers;
        {
            let $g = &mut $s.exam;
            let $d = &p.exam;
            let $prefix = "parameters.exam";
            $body
        }
        {
            let $g = &mut $s.training;
            let $d = &p.training;
            let $prefix = "parameters.training";
            $body
        }
        {
            let $g = &mut $s.promotion;
            let $d = &p.promotion;
            let $prefix = "parameters.promotion";
            $body
        }
        {
            let $g = &mut $s.attrition;
            let $d = &p.attrition;
            let $prefix = "parameters.attrition";
            $body
        }
        {
            let $g = &mut $s.pay;
            let $d = &p.pay;
            let $prefix = "parameters.pay";
            $body
        }
        {
            let $g = &mut $s.entry;
            let $d = &p.entry;
            let $prefix = "parameters.entry";
            $body
        }
        {
            let $g = &mut $s.orgs;
            let $d = &p.orgs;
            let $prefix = "parameters.orgs";
            $body
        }
        {
            let $g = &mut $s.coverage;
            let $d = &p.coverage;
            let $prefix = "parameters.coverage";
            $body
        }
        {
            let $g = &mut $s.equivalence;
            let $d = &p.equivalence;
            let $prefix = "parameters.equivalence";
            $body
        }
        {
            let $g = &mut $s.funding;
            let $d = &$sc.funding.params;
            let $prefix = "funding";
            $body
        }
        {
            let $g = &mut $s.training_lever;
            let $d = &l.training.params;
            let $prefix = "levers.training";
            $body
        }
        {
            let $g = &mut $s.exam_support;
            let $d = &l.exam_support.params;
            let $prefix = "levers.exam_support";
            $body
        }
        {
            let $g = &mut $s.posts_lever;
            let $d = &l.posts.params;
            let $prefix = "levers.posts";
            $body
        }
        {
            let $g = &mut $s.orgs_lever;
            let $d = &l.orgs.params;
            let $prefix = "levers.orgs";
            $body
        }
        {
            let $g = &mut $s.services_lever;
            let $d = &l.services.params;
            let $prefix = "levers.services";
            $body
        }
        {
            let $g = &mut $s.stations_lever;
            let $d = &l.stations.params;
            let $prefix = "levers.stations";
            $body
        }
        {
            let $g = &mut $s.supervision_lever;
            let $d = &l.supervision.params;
            let $prefix = "levers.supervision";
            $body
        }
        {
            let $g = &mut $s.pay_lever;
            let $d = &l.pay;
            let $prefix = "levers.pay";
            $body
        }
    }};
}

impl Sampled {
    /// A `Sampled` holding each parameter's central value (fixed value or mean).
    pub fn central(sc: &Scenario) -> Sampled {
        let c = |_: &str, _, p: &Param| p.central();
        let p = &sc.parameters;
        let l = &sc.levers;
        let mut s = Sampled {
            exam: p.exam.map(c),
            training: p.training.map(c),
            promotion: p.promotion.map(c),
            attrition: p.attrition.map(c),
            pay: p.pay.map(c),
            entry: p.entry.map(c),
            orgs: p.orgs.map(c),
            coverage: p.coverage.map(c),
            equivalence: p.equivalence.map(c),
            funding: sc.funding.params.map(c),
            training_lever: l.training.params.map(c),
            exam_support: l.exam_support.params.map(c),
            posts_lever: l.posts.params.map(c),
            orgs_lever: l.orgs.params.map(c),
            services_lever: l.services.params.map(c),
            stations_lever: l.stations.params.map(c),
            supervision_lever: l.supervision.params.map(c),
            pay_lever: l.pay.map(c),
            transfers: sc.transfers.iter().map(|t| t.per_year.central()).collect(),
            regions: sc
                .regions
                .iter()
                .map(|r| RegionSample {
                    facts: r.facts.map(c),
                    stocks: r.stocks.map(c),
                })
                .collect(),
            year_effects: Vec::new(),
            year_z: Vec::new(),
            stride: sc.horizon() + 1,
            corr_slot: Vec::new(),
            corr_purpose: sc
                .correlations
                .paths
                .iter()
                .map(|p| param_purpose(p))
                .collect(),
            corr_values: vec![0.0; sc.correlations.paths.len()],
            programmes: vec![ProgrammeDraw::default(); sc.programmes.len()],
            beta_cache: std::cell::Cell::new((f64::NAN, f64::NAN, f64::NAN, f64::NAN)),
            pert_tables: pert_tables(sc),
            programme_purpose: sc
                .programmes
                .iter()
                .map(|p| {
                    let f = |field: &str| param_purpose(&format!("programme.{}.{field}", p.name));
                    [
                        f("happens"),
                        f("chance"),
                        f("start"),
                        f("years"),
                        f("size"),
                        f("funder_share"),
                    ]
                })
                .collect(),
        };
        // Slots, in the order draw_trajectory visits the numbers.
        let mut slots = Vec::new();
        let mut effects = 0;
        let mut probe = s.clone();
        for_groups!(probe, sc, |g, d, prefix| {
            g.update_from(d, |name, p, _| {
                let path = format!("{prefix}.{name}");
                let slot = sc.correlations.paths.iter().position(|q| *q == path);
                slots.push(slot.map_or(NONE, |k| k as u16));
                effects += usize::from(has_year_effect(p));
            });
        });
        effects += sc
            .transfers
            .iter()
            .filter(|t| has_year_effect(&t.per_year))
            .count();
        s.corr_slot = slots;
        s.year_effects = (0..effects)
            .map(|slot| YearState {
                slot,
                ..YearState::default()
            })
            .collect();
        s
    }

    /// A pass rate's pinned yearly normal (`which`: 0 junior, 1 intermediate).
    #[inline]
    pub fn pass_rate_z(&self, which: usize, year: u32) -> Option<f64> {
        pinned_z(
            &self.year_z,
            self.stride,
            self.year_effects.len() + which,
            year,
        )
    }

    /// Draws every parameter for a trajectory (per-year ones for year 1).
    pub fn draw_trajectory(&mut self, sc: &Scenario, streams: &Streams) {
        self.draw_correlated(sc, streams);
        self.draw_programmes(sc, streams);
        let mut path = String::with_capacity(64);
        let mut k = 0;
        let (slots, values) = (&self.corr_slot, &self.corr_values);
        let yz = (&self.year_z[..], self.stride);
        let mut effects = EffectCursor::new(&mut self.year_effects);
        for_groups!(self, sc, |g, d, prefix| {
            g.update_from(d, |name, p, v| {
                path.clear();
                path.push_str(prefix);
                path.push('.');
                path.push_str(name);
                let slot = slots[k];
                k += 1;
                *v = if slot != NONE {
                    values[slot as usize]
                } else {
                    draw_first(p, streams, &path, effects.state(p), yz)
                };
            });
        });
        for (i, t) in sc.transfers.iter().enumerate() {
            self.transfers[i] = draw_first(
                &t.per_year,
                streams,
                &format!("transfer[{i}].per_year"),
                effects.state(&t.per_year),
                yz,
            );
        }
        let mut common = [f64::NAN; REGIONAL_FIELDS];
        for (i, (r, rs)) in sc.regions.iter().zip(self.regions.iter_mut()).enumerate() {
            let ri = i as u32;
            let cache = &self.beta_cache;
            let tables = &self.pert_tables[i * REGIONAL_FIELDS..(i + 1) * REGIONAL_FIELDS];
            let q = |k: usize| Quantile {
                cache,
                table: tables[k].as_deref(),
            };
            let mut k = 0;
            rs.facts.update_from(&r.facts, |name, p, v| {
                *v = draw_regional(p, 0.0, streams, ri, name, q(k), &mut common[k]);
                k += 1;
            });
            rs.stocks.update_from(&r.stocks, |name, p, v| {
                path.clear();
                path.push_str("stocks.");
                path.push_str(name);
                // −1 marks "absent" (certificates, project_qualified); keep it.
                let x = draw_regional(p, 1.0, streams, ri, &path, q(k), &mut common[k]);
                k += 1;
                *v = if x < 0.0 {
                    -1.0
                } else {
                    x.round().min(crate::model::draw::MAX_COUNT)
                };
            });
        }
    }

    /// Whether each programme comes, when, how long and how big: each
    /// number from its own stream, so a programme added to a file leaves
    /// every other draw as it was.
    fn draw_programmes(&mut self, sc: &Scenario, streams: &Streams) {
        use rand::RngExt as _;
        for (k, p) in sc.programmes.iter().enumerate() {
            let key = &self.programme_purpose[k];
            let n = &p.numbers;
            let d = |param: &Param, purpose: u64| {
                param.sample(&mut streams.rng(ALL_REGIONS, 0, purpose))
            };
            let chance = d(&n.chance, key[1]);
            let u: f64 = streams.rng(ALL_REGIONS, 0, key[0]).random();
            self.programmes[k] = ProgrammeDraw {
                on: u < chance,
                start: d(&n.start, key[2]).round() as i32,
                years: d(&n.years, key[3]).round().max(1.0) as u32,
                size: d(&n.size, key[4]).clamp(0.0, crate::model::draw::MAX_COUNT),
                funder_share: d(&n.funder_share, key[5]).clamp(0.0, 1.0),
            };
        }
    }

    /// This trajectory's values of the correlated numbers: independent
    /// normals from each number's own stream, tied by the Cholesky factor,
    /// mapped through each number's quantile function.
    fn draw_correlated(&mut self, sc: &Scenario, streams: &Streams) {
        let c = &sc.correlations;
        let n = c.paths.len();
        if n == 0 {
            return;
        }
        // The independent normals go into corr_values first, then are
        // replaced in place from the last row up (row i uses ε₀..εᵢ).
        for k in 0..n {
            self.corr_values[k] = std_normal(streams, ALL_REGIONS, 0, self.corr_purpose[k]);
        }
        for i in (0..n).rev() {
            let z: f64 = (0..=i)
                .map(|j| c.cholesky[i * n + j] * self.corr_values[j])
                .sum();
            self.corr_values[i] = c.dists[i]
                .quantile(normal_cdf(z))
                .unwrap_or_else(|| c.dists[i].mean());
        }
    }

    /// Redraws the per-year parameters for projection year `year` (1-based).
    /// Only parameters marked `per = "year"` are touched; callers skip the
    /// call when [`Scenario::has_yearly_params`] is false.
    pub fn draw_year(&mut self, sc: &Scenario, streams: &Streams, year: u32) {
        if year <= 1 {
            return;
        }
        let mut path = String::new();
        let yz = (&self.year_z[..], self.stride);
        let mut effects = EffectCursor::new(&mut self.year_effects);
        for_groups!(self, sc, |g, d, prefix| {
            g.update_from(d, |name, p, v| {
                if p.per_year() {
                    path.clear();
                    path.push_str(prefix);
                    path.push('.');
                    path.push_str(name);
                    *v = draw_next(p, streams, &path, year, effects.state(p), yz);
                }
            });
        });
        for (i, t) in sc.transfers.iter().enumerate() {
            if t.per_year.per_year() {
                self.transfers[i] = draw_next(
                    &t.per_year,
                    streams,
                    &format!("transfer[{i}].per_year"),
                    year,
                    effects.state(&t.per_year),
                    yz,
                );
            }
        }
    }
}

impl Sampled {
    /// The paths of the parameters drawn once per trajectory from a
    /// distribution, in the order [`Sampled::uncertain_values`] writes them.
    pub fn uncertain_names(sc: &Scenario) -> Vec<String> {
        let mut names = Vec::new();
        let mut probe = Sampled::central(sc);
        for_groups!(probe, sc, |g, d, prefix| {
            g.update_from(d, |name, p, _| {
                if matches!(p, Param::Random { .. }) && !p.per_year() {
                    names.push(format!("{prefix}.{name}"));
                }
            });
        });
        for (i, t) in sc.transfers.iter().enumerate() {
            if matches!(t.per_year, Param::Random { .. }) && !t.per_year.per_year() {
                names.push(format!("transfer.{i}.per_year"));
            }
        }
        for r in &sc.regions {
            r.facts.each(|name, _, p| {
                if matches!(p, Param::Random { .. }) {
                    names.push(format!("region.{}.{name}", r.id));
                }
            });
            r.stocks.each(|name, _, p| {
                if matches!(p, Param::Random { .. }) {
                    names.push(format!("region.{}.stocks.{name}", r.id));
                }
            });
        }
        names
    }

    /// Writes this trajectory's draws of the uncertain parameters into `out`
    /// (as long as [`Sampled::uncertain_names`]). Allocates nothing.
    pub fn uncertain_values(&mut self, sc: &Scenario, out: &mut [f64]) {
        let mut k = 0;
        for_groups!(self, sc, |g, d, _prefix| {
            g.update_from(d, |_, p, v| {
                if matches!(p, Param::Random { .. }) && !p.per_year() {
                    out[k] = *v;
                    k += 1;
                }
            });
        });
        for (i, t) in sc.transfers.iter().enumerate() {
            if matches!(t.per_year, Param::Random { .. }) && !t.per_year.per_year() {
                out[k] = self.transfers[i];
                k += 1;
            }
        }
        for (r, rs) in sc.regions.iter().zip(self.regions.iter_mut()) {
            // `update_from` walks the drawn group beside its definition; nothing is changed.
            rs.facts.update_from(&r.facts, |_, p, v| {
                if matches!(p, Param::Random { .. }) {
                    out[k] = *v;
                    k += 1;
                }
            });
            rs.stocks.update_from(&r.stocks, |_, p, v| {
                if matches!(p, Param::Random { .. }) {
                    out[k] = *v;
                    k += 1;
                }
            });
        }
    }
}

/// A number the scenario leaves uncertain for the whole trajectory: what
/// `wfsim calibrate` can learn from history.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownSpec {
    /// Its path, as `posterior.csv` names it.
    pub path: String,
    /// Its prior (for a number with year effects: of the trajectory's mean).
    pub dist: crate::scenario::Dist,
    /// For a region's number: the region and the number's index among the
    /// region's numbers (facts, then stocks), and how much of its draw the
    /// regions share.
    pub regional: Option<(usize, usize, f64)>,
    /// Whether the value is a count (start stocks are whole people).
    pub count: bool,
}

/// Where each path of a posterior (or of a calibration's proposals) lands
/// among a scenario's numbers: a column of the row, or `NONE`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pinned {
    group: Vec<u16>,
    transfers: Vec<u16>,
    facts: Vec<u16>,
    stocks: Vec<u16>,
    /// (index into `Sampled::year_z`, column) of each pinned year's chance.
    chance: Vec<(usize, u16)>,
}

impl Pinned {
    /// Resolves `paths` against the scenario; `Err(k)` names the first
    /// path (by index) that is not one of its numbers.
    pub fn resolve(sc: &Scenario, paths: &[String]) -> Result<Pinned, usize> {
        let col = |path: &str| -> u16 {
            paths
                .iter()
                .position(|p| p == path)
                .map_or(NONE, |k| k as u16)
        };
        let mut pinned = Pinned::default();
        let mut probe = Sampled::central(sc);
        for_groups!(probe, sc, |g, d, prefix| {
            g.update_from(d, |name, _, _| {
                pinned.group.push(col(&format!("{prefix}.{name}")));
            });
        });
        for i in 0..sc.transfers.len() {
            pinned
                .transfers
                .push(col(&format!("transfer.{i}.per_year")));
        }
        for r in &sc.regions {
            for (name, _) in RegionFacts::<f64>::FIELDS {
                pinned.facts.push(col(&format!("region.{}.{name}", r.id)));
            }
            for (name, _) in Stocks::<f64>::FIELDS {
                pinned
                    .stocks
                    .push(col(&format!("region.{}.stocks.{name}", r.id)));
            }
        }
        let stride = sc.horizon() + 1;
        for (name, slot, year) in chance_slots(sc, sc.end_year) {
            let c = col(&name);
            if c != NONE {
                pinned.chance.push((slot * stride + year as usize, c));
            }
        }
        let mut used = vec![false; paths.len()];
        for &(_, c) in &pinned.chance {
            used[c as usize] = true;
        }
        for &c in pinned
            .group
            .iter()
            .chain(&pinned.transfers)
            .chain(&pinned.facts)
            .chain(&pinned.stocks)
        {
            if c != NONE {
                used[c as usize] = true;
            }
        }
        match used.iter().position(|u| !u) {
            Some(k) => Err(k),
            None => Ok(pinned),
        }
    }
}

/// The chance of past years that calibration can infer, as (name, slot,
/// projection year) for the years up to `last`: each year effect's
/// standard normal (`chance.<path>.<year>`) and, when pass rates vary from
/// year to year, each year's pass-rate draw (`chance.pass_rate.junior.<year>`,
/// `chance.pass_rate.intermediate.<year>`), as a normal mapped through the
/// year's Beta quantile.
pub fn chance_slots(sc: &Scenario, last: i32) -> Vec<(String, usize, u32)> {
    let mut paths = Vec::new();
    let mut probe = Sampled::central(sc);
    for_groups!(probe, sc, |g, d, prefix| {
        g.update_from(d, |name, p, _| {
            if has_year_effect(p) {
                paths.push(format!("{prefix}.{name}"));
            }
        });
    });
    for (i, t) in sc.transfers.iter().enumerate() {
        if has_year_effect(&t.per_year) {
            paths.push(format!("transfer.{i}.per_year"));
        }
    }
    let varying =
        !matches!(sc.parameters.exam.pass_rate_concentration, Param::Fixed(c) if c <= 0.0);
    if varying {
        paths.push("pass_rate.junior".into());
        paths.push("pass_rate.intermediate".into());
    }
    let years = (last.min(sc.end_year) - sc.start_year).max(0) as u32;
    let mut out = Vec::new();
    for (slot, path) in paths.iter().enumerate() {
        for y in 1..=years {
            out.push((
                format!("chance.{path}.{}", sc.start_year + y as i32),
                slot,
                y,
            ));
        }
    }
    out
}

impl Sampled {
    /// Sets (or, with `None`, clears) the pinned chance of past years
    /// before a trajectory is drawn.
    pub fn set_chance(&mut self, pinned: Option<(&Pinned, &[f64])>) {
        match pinned {
            Some((p, row)) if !p.chance.is_empty() => {
                if self.year_z.is_empty() {
                    self.year_z = vec![f64::NAN; (self.year_effects.len() + 2) * self.stride];
                }
                for &(i, c) in &p.chance {
                    self.year_z[i] = row[c as usize];
                }
            }
            _ => self.year_z.clear(),
        }
    }

    /// The numbers uncertain for a whole trajectory, in a fixed order: the
    /// scenario-wide ones (a per-year number with year effects counts by its
    /// trajectory-level mean), transfers, then each region's.
    pub fn unknowns(sc: &Scenario) -> Vec<UnknownSpec> {
        let mut out = Vec::new();
        let mut push = |path: String, p: &Param, regional, count| {
            if let Param::Random { dist, .. } = p
                && (!p.per_year() || has_year_effect(p))
            {
                out.push(UnknownSpec {
                    path,
                    dist: dist.clone(),
                    regional,
                    count,
                });
            }
        };
        let mut probe = Sampled::central(sc);
        for_groups!(probe, sc, |g, d, prefix| {
            g.update_from(d, |name, p, _| {
                push(format!("{prefix}.{name}"), p, None, false)
            });
        });
        for (i, t) in sc.transfers.iter().enumerate() {
            push(format!("transfer.{i}.per_year"), &t.per_year, None, false);
        }
        for (ri, r) in sc.regions.iter().enumerate() {
            let mut k = 0;
            r.facts.each(|name, _, p| {
                let s = match p {
                    Param::Random { shared, .. } => shared.unwrap_or(0.0),
                    _ => 0.0,
                };
                push(
                    format!("region.{}.{name}", r.id),
                    p,
                    Some((ri, k, s)),
                    false,
                );
                k += 1;
            });
            r.stocks.each(|name, _, p| {
                let s = match p {
                    Param::Random { shared, .. } => shared.unwrap_or(1.0),
                    _ => 1.0,
                };
                push(
                    format!("region.{}.stocks.{name}", r.id),
                    p,
                    Some((ri, k, s)),
                    true,
                );
                k += 1;
            });
        }
        out
    }

    /// Replaces the numbers `pinned` names by `row`'s values; a number with
    /// year effects gets the value as its mean, its year effects kept.
    /// Called after [`Sampled::draw_trajectory`], so every other draw is the
    /// one the trajectory would have made anyway (common random numbers).
    pub fn pin(&mut self, sc: &Scenario, pinned: &Pinned, row: &[f64]) {
        let mut k = 0;
        let mut effects = EffectCursor::new(&mut self.year_effects);
        for_groups!(self, sc, |g, d, _prefix| {
            g.update_from(d, |_, p, v| {
                let state = effects.state(p);
                let c = pinned.group[k];
                k += 1;
                if c != NONE {
                    *v = pin_value(p, state, row[c as usize]);
                }
            });
        });
        for (i, t) in sc.transfers.iter().enumerate() {
            let state = effects.state(&t.per_year);
            let c = pinned.transfers[i];
            if c != NONE {
                self.transfers[i] = pin_value(&t.per_year, state, row[c as usize]);
            }
        }
        let nf = RegionFacts::<f64>::FIELDS.len();
        let ns = Stocks::<f64>::FIELDS.len();
        for (i, rs) in self.regions.iter_mut().enumerate() {
            let mut k = 0;
            rs.facts.update_from(&sc.regions[i].facts, |_, _, v| {
                let c = pinned.facts[i * nf + k];
                k += 1;
                if c != NONE {
                    *v = row[c as usize];
                }
            });
            let mut k = 0;
            rs.stocks.update_from(&sc.regions[i].stocks, |_, _, v| {
                let c = pinned.stocks[i * ns + k];
                k += 1;
                if c != NONE {
                    let x = row[c as usize];
                    *v = if x < 0.0 {
                        -1.0
                    } else {
                        x.round().min(crate::model::draw::MAX_COUNT)
                    };
                }
            });
        }
    }
}

/// A pinned value: the number itself, or a year-effect number's mean.
fn pin_value(p: &Param, state: &mut YearState, x: f64) -> f64 {
    match p {
        Param::Random {
            dist,
            year: Some(_),
            ..
        } => {
            state.mean = x;
            within(dist, x + state.effect)
        }
        _ => x,
    }
}

/// Gives the scenario a posterior from `wfsim calibrate`, after checking
/// that every parameter it holds is one of the scenario's numbers.
pub fn attach_posterior(
    sc: &mut Scenario,
    posterior: crate::scenario::Posterior,
) -> Result<(), crate::scenario::PosteriorError> {
    if let Err(k) = Pinned::resolve(sc, &posterior.paths) {
        let path = posterior.paths[k].clone();
        return Err(crate::scenario::PosteriorError::UnknownPath {
            file: posterior.source.clone(),
            hint: " (carry only the parameters both files share: --take PATH, or a prefix like --take 'parameters.exam.*')".into(),
            path,
        });
    }
    sc.posterior = Some(std::sync::Arc::new(posterior));
    Ok(())
}

/// Reads and attaches the posterior the file's `[posterior]` names, if any.
pub fn attach_declared_posterior(sc: &mut Scenario) -> Result<(), crate::scenario::PosteriorError> {
    let Some((path, take)) = sc.posterior_from.clone() else {
        return Ok(());
    };
    let p = crate::scenario::Posterior::read(&path)?.take(&take)?;
    attach_posterior(sc, p)
}

impl Scenario {
    /// Whether any parameter is redrawn each year.
    pub fn has_yearly_params(&self) -> bool {
        let mut any = false;
        let mut probe = Sampled::central(self);
        for_groups!(probe, self, |g, d, _prefix| {
            g.update_from(d, |_, p, _| any |= p.per_year());
        });
        any || self.transfers.iter().any(|t| t.per_year.per_year())
    }
}
