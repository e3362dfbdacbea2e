//! Parameters as drawn for one trajectory: the same groups as the scenario,
//! holding numbers instead of distributions.
//!
//! [`Sampled::draw_trajectory`] draws the per-trajectory values (and fixes
//! the per-year ones at their first year's draw); [`Sampled::draw_year`]
//! redraws the per-year values. Both refill the struct in place, so a worker
//! reuses one `Sampled` for all its trajectories.

use crate::engine::streams::{ALL_REGIONS, Streams, param_purpose};
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
        Sampled {
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
        }
    }

    /// Draws every parameter for a trajectory (per-year ones for year 1).
    pub fn draw_trajectory(&mut self, sc: &Scenario, streams: &Streams) {
        let mut path = String::with_capacity(64);
        for_groups!(self, sc, |g, d, prefix| {
            g.update_from(d, |name, p, v| {
                path.clear();
                path.push_str(prefix);
                path.push('.');
                path.push_str(name);
                *v = draw(
                    p,
                    streams,
                    ALL_REGIONS,
                    if p.per_year() { 1 } else { 0 },
                    &path,
                );
            });
        });
        for (i, t) in sc.transfers.iter().enumerate() {
            self.transfers[i] = draw(
                &t.per_year,
                streams,
                ALL_REGIONS,
                u32::from(t.per_year.per_year()),
                &format!("transfer[{i}].per_year"),
            );
        }
        for (i, (r, rs)) in sc.regions.iter().zip(self.regions.iter_mut()).enumerate() {
            let ri = i as u32;
            rs.facts
                .update_from(&r.facts, |name, p, v| *v = draw(p, streams, ri, 0, name));
            rs.stocks.update_from(&r.stocks, |name, p, v| {
                path.clear();
                path.push_str("stocks.");
                path.push_str(name);
                // −1 marks "absent" (certificates, project_qualified); keep it.
                let x = draw(p, streams, ri, 0, &path);
                *v = if x < 0.0 { -1.0 } else { x.round() };
            });
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
        for_groups!(self, sc, |g, d, prefix| {
            g.update_from(d, |name, p, v| {
                if p.per_year() {
                    path.clear();
                    path.push_str(prefix);
                    path.push('.');
                    path.push_str(name);
                    *v = draw(p, streams, ALL_REGIONS, year, &path);
                }
            });
        });
        for (i, t) in sc.transfers.iter().enumerate() {
            if t.per_year.per_year() {
                self.transfers[i] = draw(
                    &t.per_year,
                    streams,
                    ALL_REGIONS,
                    year,
                    &format!("transfer[{i}].per_year"),
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
