//! Uncertain numbers: every number a planner may be unsure of is a [`Param`],
//! written in the scenario file either as a plain number or as a distribution
//! table such as `{ dist = "pert", min = 0.1, mode = 0.17, max = 0.3 }`.
//!
//! A distribution is drawn once per trajectory (`per = "trajectory"`, the
//! default: "we do not know the true value") or afresh every year
//! (`per = "year"`: "it varies from year to year"). A per-year number with a
//! `year_sd` is a trajectory-level draw plus a year effect that persists
//! (AR(1) with `persistence` ρ, itself possibly uncertain): good and bad years
//! cluster instead of averaging away. A region's number with `shared = s`
//! shares one province-wide draw with every other region's (a Gaussian
//! copula with correlation s between regions; 1 = the same quantile
//! everywhere).
//!
//! Forms a planner can write besides the classic distributions: `bernoulli`
//! (a programme that may or may not come), `discrete` (values with weights:
//! "2021, 2022 or 2023"), `mixture` (either of two stories), and an elicited
//! likely range (`p10`/`p90`) for a `normal` or `lognormal` — the 10th and
//! 90th percentiles, 1.2816 standard deviations either side of the centre.
//!
//! Deserialisation is hand-written rather than `#[serde(untagged)]` so that a
//! typo inside a distribution table is reported as an unknown field, not as
//! the useless "did not match any variant".

use std::fmt;

use rand::{Rng, RngExt as _};
use rand_distr::{Beta, Distribution, LogNormal, Normal, Pert, Triangular, Uniform};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// When a distribution is drawn.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// Once per trajectory: epistemic uncertainty about a fixed true value.
    #[default]
    Trajectory,
    /// Every year: year-to-year variation.
    Year,
}

/// The distributions a file may name.
pub const DIST_NAMES: [&str; 9] = [
    "beta",
    "normal",
    "lognormal",
    "uniform",
    "triangular",
    "pert",
    "bernoulli",
    "discrete",
    "mixture",
];

/// An uncertain number: a distribution table such as { dist = "beta",
/// alpha = 2, beta = 8 }, drawn once per trajectory or (per = "year") every
/// year.
// (As written in the file; checked for completeness by `Dist::from_raw`.)
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Distribution")]
struct RawDist {
    /// The distribution's family; the fields it needs are those of
    /// MODEL.md's table of distributions (e.g. beta: alpha, beta).
    #[schemars(extend("enum" = DIST_NAMES))]
    dist: String,
    #[serde(default)]
    per: Per,
    alpha: Option<f64>,
    beta: Option<f64>,
    mean: Option<f64>,
    sd: Option<f64>,
    mu: Option<f64>,
    sigma: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    mode: Option<f64>,
    p: Option<f64>,
    p10: Option<f64>,
    p90: Option<f64>,
    values: Option<Vec<f64>>,
    weights: Option<Vec<f64>>,
    components: Option<Vec<RawDist>>,
    shared: Option<f64>,
    year_sd: Option<f64>,
    persistence: Option<Param>,
    /// What the number is, in the briefing's words: names it on tornado
    /// bars, sweep axes and solve's answer instead of its path.
    #[allow(dead_code)] // read from the file's text, by `lever_paths`
    label: Option<String>,
}

/// z of the 90th percentile of the standard normal.
pub const Z90: f64 = 1.281_551_565_544_600_5;

/// A probability distribution over one number.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum Dist {
    /// Beta(α, β), on [0, 1]: the natural prior for a rate observed as
    /// successes and failures (a pass rate from Wuhan 2012 is Beta(1+486, 1+2456)).
    Beta { alpha: f64, beta: f64 },
    /// Normal(mean, sd), truncated to [min, max] when bounds are given.
    Normal {
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// exp(Normal(mu, sigma)): a positive quantity known up to a factor.
    Lognormal { mu: f64, sigma: f64 },
    /// Uniform on [min, max].
    Uniform { min: f64, max: f64 },
    /// Triangular(min, mode, max).
    Triangular { min: f64, mode: f64, max: f64 },
    /// PERT(min, mode, max): how planners think ("at least, most likely, at most").
    Pert { min: f64, mode: f64, max: f64 },
    /// 1 with probability p, else 0: "the programme comes or it does not".
    Bernoulli { p: f64 },
    /// One of `values`, with probability proportional to its weight.
    Discrete { values: Vec<f64>, weights: Vec<f64> },
    /// One of `components`, chosen with probability proportional to its weight.
    Mixture {
        components: Vec<Dist>,
        weights: Vec<f64>,
    },
}

/// A year effect around a trajectory's draw: AR(1) with standard deviation
/// `sd` and persistence ρ (drawn per trajectory when uncertain).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearEffect {
    pub sd: f64,
    pub persistence: Box<Param>,
}

/// A number that may be uncertain.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Param {
    /// A known value.
    Fixed(f64),
    /// A distribution, drawn per trajectory or per year.
    Random {
        dist: Dist,
        per: Per,
        /// For a region's number: correlation with the same number of the
        /// other regions through one shared draw (`None`: the field's default).
        shared: Option<f64>,
        /// For a per-year number: a persistent year effect around a
        /// trajectory-level draw, instead of independent yearly draws.
        year: Option<YearEffect>,
    },
}

/// Why a distribution table is unusable; the caller adds the file position.
#[derive(Debug, Clone, PartialEq)]
pub struct DistProblem {
    pub expected: String,
    pub found: String,
}

impl Dist {
    fn from_raw(r: &RawDist) -> Result<Dist, DistProblem> {
        let need = |v: Option<f64>, name: &str| {
            v.ok_or_else(|| DistProblem {
                expected: format!("a `{name}` for a {} distribution", r.dist),
                found: format!("no `{name}`"),
            })
        };
        let fields = [
            ("alpha", r.alpha.is_some()),
            ("beta", r.beta.is_some()),
            ("mean", r.mean.is_some()),
            ("sd", r.sd.is_some()),
            ("mu", r.mu.is_some()),
            ("sigma", r.sigma.is_some()),
            ("min", r.min.is_some()),
            ("max", r.max.is_some()),
            ("mode", r.mode.is_some()),
            ("p", r.p.is_some()),
            ("p10", r.p10.is_some()),
            ("p90", r.p90.is_some()),
            ("values", r.values.is_some()),
            ("weights", r.weights.is_some()),
            ("components", r.components.is_some()),
        ];
        let elicited = r.p10.is_some() || r.p90.is_some();
        let allowed: &[&str] = match r.dist.as_str() {
            "beta" => &["alpha", "beta"],
            "normal" if elicited => &["p10", "p90", "min", "max"],
            "normal" => &["mean", "sd", "min", "max"],
            "lognormal" if elicited => &["p10", "p90"],
            "lognormal" => &["mu", "sigma"],
            "uniform" => &["min", "max"],
            "triangular" | "pert" => &["min", "mode", "max"],
            "bernoulli" => &["p"],
            "discrete" => &["values", "weights"],
            "mixture" => &["components", "weights"],
            other => {
                let hint = super::error::did_you_mean(other, DIST_NAMES)
                    .map(|d| format!(" (did you mean \"{d}\"?)"))
                    .unwrap_or_default();
                return Err(DistProblem {
                    expected: format!("dist = one of {}", DIST_NAMES.join(", ")),
                    found: format!("dist = {other:?}{hint}"),
                });
            }
        };
        if let Some((name, _)) = fields.iter().find(|(n, v)| *v && !allowed.contains(n)) {
            return Err(DistProblem {
                expected: format!("only {} for a {} distribution", allowed.join(", "), r.dist),
                found: format!("`{name}`"),
            });
        }
        let need_vec = |v: &Option<Vec<f64>>, name: &str| {
            v.clone().ok_or_else(|| DistProblem {
                expected: format!("`{name}` for a {} distribution", r.dist),
                found: format!("no `{name}`"),
            })
        };
        let range = || -> Result<(f64, f64), DistProblem> {
            let (lo, hi) = (need(r.p10, "p10")?, need(r.p90, "p90")?);
            if !(lo < hi && lo.is_finite() && hi.is_finite()) {
                return Err(DistProblem {
                    expected: "p10 < p90 (the likely range, low end first)".into(),
                    found: format!("p10 = {lo}, p90 = {hi}"),
                });
            }
            Ok((lo, hi))
        };
        let d = match r.dist.as_str() {
            "beta" => Dist::Beta {
                alpha: need(r.alpha, "alpha")?,
                beta: need(r.beta, "beta")?,
            },
            "normal" if elicited => {
                let (lo, hi) = range()?;
                Dist::Normal {
                    mean: (lo + hi) / 2.0,
                    sd: (hi - lo) / (2.0 * Z90),
                    min: r.min,
                    max: r.max,
                }
            }
            "normal" => Dist::Normal {
                mean: need(r.mean, "mean")?,
                sd: need(r.sd, "sd")?,
                min: r.min,
                max: r.max,
            },
            "lognormal" if elicited => {
                let (lo, hi) = range()?;
                if lo <= 0.0 {
                    return Err(DistProblem {
                        expected: "p10 > 0 for a lognormal".into(),
                        found: format!("p10 = {lo}"),
                    });
                }
                Dist::Lognormal {
                    mu: (lo.ln() + hi.ln()) / 2.0,
                    sigma: (hi.ln() - lo.ln()) / (2.0 * Z90),
                }
            }
            "lognormal" => Dist::Lognormal {
                mu: need(r.mu, "mu")?,
                sigma: need(r.sigma, "sigma")?,
            },
            "bernoulli" => Dist::Bernoulli { p: need(r.p, "p")? },
            "discrete" => {
                let values = need_vec(&r.values, "values")?;
                let weights = r.weights.clone().unwrap_or_else(|| vec![1.0; values.len()]);
                // Ascending values, so that the quantile function is monotone.
                let same_length = weights.len() == values.len();
                let mut pairs: Vec<(f64, f64)> = values.into_iter().zip(weights.clone()).collect();
                if same_length {
                    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                    Dist::Discrete {
                        values: pairs.iter().map(|p| p.0).collect(),
                        weights: pairs.iter().map(|p| p.1).collect(),
                    }
                } else {
                    // A length mismatch is reported by `check`, with both lengths.
                    Dist::Discrete {
                        values: r.values.clone().unwrap_or_default(),
                        weights,
                    }
                }
            }
            "mixture" => {
                let raw = r.components.as_ref().ok_or_else(|| DistProblem {
                    expected: "`components` for a mixture distribution".into(),
                    found: "no `components`".into(),
                })?;
                let mut components = Vec::with_capacity(raw.len());
                for c in raw {
                    if c.per != Per::Trajectory
                        || c.shared.is_some()
                        || c.year_sd.is_some()
                        || c.persistence.is_some()
                    {
                        return Err(DistProblem {
                            expected: "components with only their distribution's numbers (per, shared, year_sd and persistence belong to the mixture)".into(),
                            found: format!("a {} component with them", c.dist),
                        });
                    }
                    components.push(Dist::from_raw(c)?);
                }
                let weights = r
                    .weights
                    .clone()
                    .unwrap_or_else(|| vec![1.0; components.len()]);
                Dist::Mixture {
                    components,
                    weights,
                }
            }
            "uniform" => Dist::Uniform {
                min: need(r.min, "min")?,
                max: need(r.max, "max")?,
            },
            "triangular" => Dist::Triangular {
                min: need(r.min, "min")?,
                mode: need(r.mode, "mode")?,
                max: need(r.max, "max")?,
            },
            _ => Dist::Pert {
                min: need(r.min, "min")?,
                mode: need(r.mode, "mode")?,
                max: need(r.max, "max")?,
            },
        };
        Ok(d)
    }

    /// Checks the parameters themselves (α > 0, min ≤ mode ≤ max, …); done
    /// at validation, so that every problem of a file is reported at once.
    pub fn check(&self) -> Result<(), DistProblem> {
        let bad = |expected: &str, found: String| {
            Err(DistProblem {
                expected: expected.into(),
                found,
            })
        };
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        match *self {
            Dist::Beta { alpha, beta } => {
                if !(alpha > 0.0 && beta > 0.0 && finite(&[alpha, beta])) {
                    return bad(
                        "alpha > 0 and beta > 0",
                        format!("alpha = {alpha}, beta = {beta}"),
                    );
                }
            }
            Dist::Normal { mean, sd, min, max } => {
                if !(sd >= 0.0 && finite(&[mean, sd])) {
                    return bad("sd ≥ 0", format!("sd = {sd}"));
                }
                if let (Some(lo), Some(hi)) = (min, max)
                    && lo > hi
                {
                    return bad("min ≤ max", format!("min = {lo}, max = {hi}"));
                }
                // Truncation by rejection must terminate: the interval has to
                // hold a fair share of the mass.
                let lo = min.unwrap_or(f64::NEG_INFINITY);
                let hi = max.unwrap_or(f64::INFINITY);
                if sd > 0.0 && (lo > mean + 3.0 * sd || hi < mean - 3.0 * sd) {
                    return bad(
                        "bounds that keep the mean within 3 sd",
                        format!("mean = {mean}, sd = {sd}, bounds [{lo}, {hi}]"),
                    );
                }
                if sd == 0.0 && (mean < lo || mean > hi) {
                    return bad(
                        "the mean inside [min, max]",
                        format!("mean = {mean}, bounds [{lo}, {hi}]"),
                    );
                }
            }
            Dist::Lognormal { mu, sigma } => {
                if !(sigma >= 0.0 && finite(&[mu, sigma])) {
                    return bad("sigma ≥ 0", format!("sigma = {sigma}"));
                }
            }
            Dist::Uniform { min, max } => {
                if !(min <= max && finite(&[min, max])) {
                    return bad("min ≤ max", format!("min = {min}, max = {max}"));
                }
            }
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                if !(min <= mode && mode <= max && min < max && finite(&[min, mode, max])) {
                    return bad(
                        "min ≤ mode ≤ max with min < max",
                        format!("min = {min}, mode = {mode}, max = {max}"),
                    );
                }
            }
            Dist::Bernoulli { p } => {
                if !(0.0..=1.0).contains(&p) {
                    return bad("p between 0 and 1", format!("p = {p}"));
                }
            }
            Dist::Discrete {
                ref values,
                ref weights,
            } => {
                if values.is_empty() || !finite(values) {
                    return bad(
                        "at least one value, every one a finite number",
                        format!("values = {values:?}"),
                    );
                }
                check_weights(weights, values.len())?;
            }
            Dist::Mixture {
                ref components,
                ref weights,
            } => {
                if components.is_empty() {
                    return bad("at least one component", "components = []".into());
                }
                for c in components {
                    c.check()?;
                }
                check_weights(weights, components.len())?;
            }
        }
        Ok(())
    }

    /// The smallest and largest values the distribution can produce.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Dist::Bernoulli { .. } => (0.0, 1.0),
            Dist::Discrete { ref values, .. } => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                }),
            Dist::Mixture { ref components, .. } => components
                .iter()
                .map(Dist::support)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (a, b)| {
                    (lo.min(a), hi.max(b))
                }),
            Dist::Beta { .. } => (0.0, 1.0),
            Dist::Normal { min, max, .. } => (
                min.unwrap_or(f64::NEG_INFINITY),
                max.unwrap_or(f64::INFINITY),
            ),
            // Open at 0: every draw is positive.
            Dist::Lognormal { .. } => (f64::MIN_POSITIVE, f64::INFINITY),
            Dist::Uniform { min, max }
            | Dist::Triangular { min, max, .. }
            | Dist::Pert { min, max, .. } => (min, max),
        }
    }

    /// The distribution's mean (of the untruncated normal when truncated).
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Bernoulli { p } => p,
            Dist::Discrete {
                ref values,
                ref weights,
            } => weighted(weights, values.iter().copied()),
            Dist::Mixture {
                ref components,
                ref weights,
            } => weighted(weights, components.iter().map(Dist::mean)),
            Dist::Beta { alpha, beta } => alpha / (alpha + beta),
            Dist::Normal { mean, .. } => mean,
            Dist::Lognormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
        }
    }

    /// Draws one value. Parameters were checked at validation, so the
    /// constructors cannot fail here; should one ever do, the mean is used
    /// rather than a panic.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Dist::Bernoulli { p } => f64::from(u8::from(rng.random::<f64>() < p)),
            Dist::Discrete {
                ref values,
                ref weights,
            } => values[pick(weights, rng.random::<f64>())],
            Dist::Mixture {
                ref components,
                ref weights,
            } => components[pick(weights, rng.random::<f64>())].sample(rng),
            Dist::Beta { alpha, beta } => Beta::new(alpha, beta)
                .map(|d| d.sample(rng))
                .unwrap_or(self.mean()),
            Dist::Normal { mean, sd, min, max } => {
                if sd == 0.0 {
                    return mean;
                }
                let lo = min.unwrap_or(f64::NEG_INFINITY);
                let hi = max.unwrap_or(f64::INFINITY);
                let Ok(d) = Normal::new(mean, sd) else {
                    return mean.clamp(lo, hi);
                };
                // Rejection: validation keeps at least ~0.1% of the mass
                // inside, so 10,000 tries fail with probability < e^-10.
                for _ in 0..10_000 {
                    let x = d.sample(rng);
                    if (lo..=hi).contains(&x) {
                        return x;
                    }
                }
                mean.clamp(lo, hi)
            }
            Dist::Lognormal { mu, sigma } => LogNormal::new(mu, sigma)
                .map(|d| d.sample(rng))
                .unwrap_or(self.mean()),
            Dist::Uniform { min, max } => {
                if min == max {
                    return min;
                }
                Uniform::new_inclusive(min, max)
                    .map(|d| d.sample(rng))
                    .unwrap_or(min)
            }
            Dist::Triangular { min, mode, max } => Triangular::new(min, max, mode)
                .map(|d| d.sample(rng))
                .unwrap_or(mode),
            Dist::Pert { min, mode, max } => Pert::new(min, max)
                .with_mode(mode)
                .map(|d| d.sample(rng))
                .unwrap_or(mode),
        }
    }
}

impl Dist {
    /// The value at cumulative probability `u` (the inverse CDF), for
    /// draws tied together through a copula; `None` for a mixture, whose
    /// quantile has no closed form.
    pub fn quantile(&self, u: f64) -> Option<f64> {
        use statrs::distribution::{Beta as SBeta, ContinuousCDF, Normal as SNormal};
        let u = u.clamp(1e-12, 1.0 - 1e-12);
        let std_normal = SNormal::standard();
        let x = match *self {
            Dist::Beta { alpha, beta } => SBeta::new(alpha, beta).ok()?.inverse_cdf(u),
            Dist::Normal { mean, sd, min, max } => {
                if sd == 0.0 {
                    return Some(mean);
                }
                // Truncation: the quantile of the normal restricted to [min, max].
                let a = min.map_or(0.0, |lo| std_normal.cdf((lo - mean) / sd));
                let b = max.map_or(1.0, |hi| std_normal.cdf((hi - mean) / sd));
                let z = std_normal.inverse_cdf(a + u * (b - a));
                let (lo, hi) = self.support();
                (mean + sd * z).clamp(lo, hi)
            }
            Dist::Lognormal { mu, sigma } => (mu + sigma * std_normal.inverse_cdf(u)).exp(),
            Dist::Uniform { min, max } => min + u * (max - min),
            Dist::Triangular { min, mode, max } => {
                let f = (mode - min) / (max - min);
                if u < f {
                    min + (u * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
                }
            }
            Dist::Pert { min, mode, max } => {
                let (a, b) = pert_shape(min, mode, max);
                min + (max - min) * SBeta::new(a, b).ok()?.inverse_cdf(u)
            }
            Dist::Bernoulli { p } => f64::from(u8::from(u > 1.0 - p)),
            Dist::Discrete {
                ref values,
                ref weights,
            } => {
                // Values are kept in ascending order (`from_raw`), so the
                // quantile rises with u.
                values[pick(weights, u)]
            }
            Dist::Mixture { .. } => return None,
        };
        Some(x)
    }
}

/// The standard Beta shape of PERT(min, mode, max), rand_distr's:
/// Beta(1 + 4(mode−min)/r, 1 + 4(max−mode)/r) on [min, max], r = max − min.
pub fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let r = max - min;
    (1.0 + 4.0 * (mode - min) / r, 1.0 + 4.0 * (max - mode) / r)
}

/// Φ, the standard normal CDF.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// Weights: one per value, none negative, not all zero.
fn check_weights(weights: &[f64], n: usize) -> Result<(), DistProblem> {
    if weights.len() != n {
        return Err(DistProblem {
            expected: format!("one weight per value ({n})"),
            found: format!("{} weights", weights.len()),
        });
    }
    if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) || weights.iter().sum::<f64>() <= 0.0 {
        return Err(DistProblem {
            expected: "weights ≥ 0, not all 0".into(),
            found: format!("weights = {weights:?}"),
        });
    }
    Ok(())
}

/// The weighted mean of `xs`.
fn weighted(weights: &[f64], xs: impl Iterator<Item = f64>) -> f64 {
    let total: f64 = weights.iter().sum();
    xs.zip(weights).map(|(x, w)| x * w).sum::<f64>() / total
}

/// The index whose cumulative weight first exceeds `u` × the total.
fn pick(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    let target = u * total;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if target < acc {
            return i;
        }
    }
    // Rounding left `target` at the total: the last value with weight.
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

impl Param {
    /// The value range the parameter can take.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Param::Fixed(v) => (*v, *v),
            Param::Random { dist, .. } => dist.support(),
        }
    }

    /// Whether the parameter is redrawn every year.
    pub fn per_year(&self) -> bool {
        matches!(self, Param::Random { per: Per::Year, .. })
    }

    /// The value a planner would quote: the fixed value, or the mean.
    pub fn central(&self) -> f64 {
        match self {
            Param::Fixed(v) => *v,
            Param::Random { dist, .. } => dist.mean(),
        }
    }

    /// Draws a value (a fixed value is returned as is, consuming nothing).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Param::Fixed(v) => *v,
            Param::Random { dist, .. } => dist.sample(rng),
        }
    }
}

impl From<f64> for Param {
    fn from(v: f64) -> Self {
        Param::Fixed(v)
    }
}

/// A number of the file is written as a number or as a distribution table.
impl schemars::JsonSchema for Param {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let dist = generator.subschema_for::<RawDist>();
        schemars::json_schema!({
            "description": "A known value, or a distribution table such as { dist = \"beta\", alpha = 2, beta = 8 }",
            "anyOf": [{ "type": "number" }, dist]
        })
    }
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Param;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a distribution table such as { dist = \"beta\", alpha = 2, beta = 8 }")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
                Ok(Param::Fixed(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
                Ok(Param::Fixed(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
                Ok(Param::Fixed(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Param, A::Error> {
                let raw = RawDist::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let dist = Dist::from_raw(&raw).map_err(|p| {
                    de::Error::custom(format!("expected {}, found {}", p.expected, p.found))
                })?;
                let year = match (raw.year_sd, raw.persistence) {
                    (Some(sd), persistence) => Some(YearEffect {
                        sd,
                        persistence: Box::new(persistence.unwrap_or(Param::Fixed(0.0))),
                    }),
                    (None, Some(_)) => {
                        return Err(de::Error::custom(
                            "expected `year_sd` beside `persistence` (the size of the year effect), found `persistence` alone",
                        ));
                    }
                    (None, None) => None,
                };
                Ok(Param::Random {
                    dist,
                    per: raw.per,
                    shared: raw.shared,
                    year,
                })
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Param, String> {
        #[derive(Deserialize)]
        struct W {
            x: Param,
        }
        let p = toml::from_str::<W>(&format!("x = {s}"))
            .map(|w| w.x)
            .map_err(|e| e.message().to_string())?;
        if let Param::Random { dist, .. } = &p {
            dist.check()
                .map_err(|e| format!("expected {}, found {}", e.expected, e.found))?;
        }
        Ok(p)
    }

    #[test]
    fn numbers_and_tables() {
        assert_eq!(parse("3").unwrap(), Param::Fixed(3.0));
        assert_eq!(parse("0.25").unwrap(), Param::Fixed(0.25));
        let p = parse(r#"{ dist = "beta", alpha = 2, beta = 8, per = "year" }"#).unwrap();
        assert!(p.per_year());
        assert!((p.central() - 0.2).abs() < 1e-12);
    }

    #[test]
    fn bad_tables_are_explained() {
        let e = parse(r#"{ dist = "beta", alpha = 0, beta = 8 }"#).unwrap_err();
        assert!(e.contains("alpha > 0"), "{e}");
        let e = parse(r#"{ dist = "pert", min = 3, mode = 2, max = 4 }"#).unwrap_err();
        assert!(e.contains("min ≤ mode ≤ max"), "{e}");
        let e = parse(r#"{ dist = "beta", alpha = 1, betta = 8 }"#).unwrap_err();
        assert!(e.contains("betta"), "{e}");
        let e = parse(r#"{ dist = "gamma", alpha = 1 }"#).unwrap_err();
        assert!(e.contains("gamma"), "{e}");
        let e = parse(r#"{ dist = "uniform", min = 1 }"#).unwrap_err();
        assert!(e.contains("`max`"), "{e}");
        let e = parse(r#"{ dist = "uniform", min = 1, max = 2, mode = 1 }"#).unwrap_err();
        assert!(e.contains("`mode`"), "{e}");
    }
}
