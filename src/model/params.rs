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

use rand_distr::{Distribution, StandardNormal};

use crate::engine::streams::{ALL_REGIONS, Streams, param_purpose};
use crate::scenario::param::normal_cdf;
use crate::scenario::{
    Attrition, Coverage, Entry, Equivalence, Exam, ExamSupport, Funding, Orgs, OrgsLever, Param,
    Pay, PayLever, PostsLever, Promotion, RegionFacts, Scenario, ServicesLever, StationsLever,
    Stocks, SupervisionLever, Training, TrainingLever,
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
#[derive(Debug, Clone, Copy, Default)]
struct YearState {
    mean: f64,
    effect: f64,
    rho: f64,
    sd: f64,
}

fn std_normal(streams: &Streams, region: u32, year: u32, purpose: u64) -> f64 {
    StandardNormal.sample(&mut streams.rng(region, year, purpose))
}

/// Draws a per-trajectory or per-year number for the trajectory; a year
/// effect starts here (year 1).
fn draw_first(p: &Param, streams: &Streams, path: &str, state: &mut YearState) -> f64 {
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
            state.effect = y.sd * std_normal(streams, ALL_REGIONS, 1, purpose);
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
fn draw_next(p: &Param, streams: &Streams, path: &str, year: u32, state: &mut YearState) -> f64 {
    match p {
        Param::Random {
            dist,
            year: Some(_),
            ..
        } => {
            let z = std_normal(streams, ALL_REGIONS, year, param_purpose(path));
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

/// The quantile of `dist` at `u`, reusing the standard Beta quantile of a
/// PERT whose shape the previous draw had.
fn quantile_cached(
    dist: &crate::scenario::Dist,
    u: f64,
    cache: &std::cell::Cell<(f64, f64, f64, f64)>,
) -> Option<f64> {
    use crate::scenario::Dist;
    use statrs::distribution::{Beta, ContinuousCDF};
    if let Dist::Pert { min, mode, max } = *dist {
        let r = max - min;
        let a = 1.0 + 4.0 * (mode - min) / r;
        let b = 1.0 + 4.0 * (max - mode) / r;
        let uc = u.clamp(1e-12, 1.0 - 1e-12);
        let (ca, cb, cu, cq) = cache.get();
        let q = if (ca, cb, cu) == (a, b, uc) {
            cq
        } else {
            let q = Beta::new(a, b).ok()?.inverse_cdf(uc);
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
    cache: &std::cell::Cell<(f64, f64, f64, f64)>,
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
    match quantile_cached(dist, normal_cdf(z), cache) {
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
        s.year_effects = vec![YearState::default(); effects];
        s
    }

    /// Draws every parameter for a trajectory (per-year ones for year 1).
    pub fn draw_trajectory(&mut self, sc: &Scenario, streams: &Streams) {
        self.draw_correlated(sc, streams);
        self.draw_programmes(sc, streams);
        let mut path = String::with_capacity(64);
        let mut k = 0;
        let (slots, values) = (&self.corr_slot, &self.corr_values);
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
                    draw_first(p, streams, &path, effects.state(p))
                };
            });
        });
        for (i, t) in sc.transfers.iter().enumerate() {
            self.transfers[i] = draw_first(
                &t.per_year,
                streams,
                &format!("transfer[{i}].per_year"),
                effects.state(&t.per_year),
            );
        }
        let mut common = [f64::NAN; REGIONAL_FIELDS];
        for (i, (r, rs)) in sc.regions.iter().zip(self.regions.iter_mut()).enumerate() {
            let ri = i as u32;
            let cache = &self.beta_cache;
            let mut k = 0;
            rs.facts.update_from(&r.facts, |name, p, v| {
                *v = draw_regional(p, 0.0, streams, ri, name, cache, &mut common[k]);
                k += 1;
            });
            rs.stocks.update_from(&r.stocks, |name, p, v| {
                path.clear();
                path.push_str("stocks.");
                path.push_str(name);
                // −1 marks "absent" (certificates, project_qualified); keep it.
                let x = draw_regional(p, 1.0, streams, ri, &path, cache, &mut common[k]);
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
        let mut effects = EffectCursor::new(&mut self.year_effects);
        for_groups!(self, sc, |g, d, prefix| {
            g.update_from(d, |name, p, v| {
                if p.per_year() {
                    path.clear();
                    path.push_str(prefix);
                    path.push('.');
                    path.push_str(name);
                    *v = draw_next(p, streams, &path, year, effects.state(p));
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
