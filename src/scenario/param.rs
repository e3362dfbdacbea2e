//! Uncertain numbers: every number a planner may be unsure of is a [`Param`],
//! written in the scenario file either as a plain number or as a distribution
//! table such as `{ dist = "pert", min = 0.1, mode = 0.17, max = 0.3 }`.
//!
//! A distribution is drawn once per trajectory (`per = "trajectory"`, the
//! default: "we do not know the true value") or afresh every year
//! (`per = "year"`: "it varies from year to year").
//!
//! Deserialisation is hand-written rather than `#[serde(untagged)]` so that a
//! typo inside a distribution table is reported as an unknown field, not as
//! the useless "did not match any variant".

use std::fmt;

use rand::Rng;
use rand_distr::{Beta, Distribution, LogNormal, Normal, Pert, Triangular, Uniform};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// When a distribution is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// Once per trajectory: epistemic uncertainty about a fixed true value.
    #[default]
    Trajectory,
    /// Every year: year-to-year variation.
    Year,
}

/// A distribution as written in the file, checked for completeness by
/// [`Dist::from_raw`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDist {
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
}

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
}

/// A number that may be uncertain.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Param {
    /// A known value.
    Fixed(f64),
    /// A distribution, drawn per trajectory or per year.
    Random { dist: Dist, per: Per },
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
            ("alpha", r.alpha),
            ("beta", r.beta),
            ("mean", r.mean),
            ("sd", r.sd),
            ("mu", r.mu),
            ("sigma", r.sigma),
            ("min", r.min),
            ("max", r.max),
            ("mode", r.mode),
        ];
        let allowed: &[&str] = match r.dist.as_str() {
            "beta" => &["alpha", "beta"],
            "normal" => &["mean", "sd", "min", "max"],
            "lognormal" => &["mu", "sigma"],
            "uniform" => &["min", "max"],
            "triangular" | "pert" => &["min", "mode", "max"],
            other => {
                return Err(DistProblem {
                    expected: "dist = one of beta, normal, lognormal, uniform, triangular, pert"
                        .into(),
                    found: format!("dist = {other:?}"),
                });
            }
        };
        if let Some((name, _)) = fields
            .iter()
            .find(|(n, v)| v.is_some() && !allowed.contains(n))
        {
            return Err(DistProblem {
                expected: format!("only {} for a {} distribution", allowed.join(", "), r.dist),
                found: format!("`{name}`"),
            });
        }
        let d = match r.dist.as_str() {
            "beta" => Dist::Beta {
                alpha: need(r.alpha, "alpha")?,
                beta: need(r.beta, "beta")?,
            },
            "normal" => Dist::Normal {
                mean: need(r.mean, "mean")?,
                sd: need(r.sd, "sd")?,
                min: r.min,
                max: r.max,
            },
            "lognormal" => Dist::Lognormal {
                mu: need(r.mu, "mu")?,
                sigma: need(r.sigma, "sigma")?,
            },
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
        }
        Ok(())
    }

    /// The smallest and largest values the distribution can produce.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Dist::Beta { .. } => (0.0, 1.0),
            Dist::Normal { min, max, .. } => (
                min.unwrap_or(f64::NEG_INFINITY),
                max.unwrap_or(f64::INFINITY),
            ),
            Dist::Lognormal { .. } => (0.0, f64::INFINITY),
            Dist::Uniform { min, max }
            | Dist::Triangular { min, max, .. }
            | Dist::Pert { min, max, .. } => (min, max),
        }
    }

    /// The distribution's mean (of the untruncated normal when truncated).
    pub fn mean(&self) -> f64 {
        match *self {
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
                Ok(Param::Random { dist, per: raw.per })
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
