//! Paired comparison of policy variants (`wfsim compare`).
//!
//! Every arm — the baseline and each variant — runs with the same seed and
//! number of trajectories, so trajectory `i` of every arm draws the same
//! random numbers wherever the variant does not change what is drawn
//! (engine/streams.rs). For each target the difference from the baseline is
//! then estimated from the paired outcomes d_i = met_variant(i) − met_base(i):
//! mean d̄ and a 95% interval d̄ ± z·s_d/√n (the normal interval of a paired
//! mean; n is in the thousands, and s_d is small exactly because the pairs
//! agree in most trajectories). The unpaired interval, as if the arms had
//! been run on independent numbers, is reported beside it to show what the
//! pairing buys.

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::engine::{RunError, RunOptions, RunResult, run};
use crate::scenario::Scenario;
use crate::stats::interval::{Z95, wilson};

/// One arm of a comparison.
pub struct Arm {
    pub name: String,
    pub label: String,
    pub scenario: Scenario,
    /// How likely this arm is to be the future, if the file says.
    pub weight: Option<f64>,
}

/// A variant's outcome on one target, against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersusBaseline {
    pub variant: String,
    pub p_met: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// P(met) under the variant minus under the baseline.
    pub difference: f64,
    /// 95% interval of the difference from the paired outcomes.
    pub diff_low: f64,
    pub diff_high: f64,
    /// The interval the difference would have without pairing.
    pub unpaired_low: f64,
    pub unpaired_high: f64,
}

/// One target (or the joint "all targets") across the arms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetComparison {
    pub id: String,
    pub label: String,
    pub baseline: f64,
    pub baseline_low: f64,
    pub baseline_high: f64,
    pub variants: Vec<VersusBaseline>,
    /// When the variants have weights: P(met) weighted over the arms (the
    /// baseline taking what the weights leave), with a 95% interval from the
    /// per-trajectory weighted outcomes (the arms share random numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<Weighted>,
}

/// A probability weighted over the arms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weighted {
    pub p_met: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// The baseline's weight.
    pub baseline_weight: f64,
}

/// Σ wₐ·P(met in arm a), with a normal interval of the per-trajectory
/// weighted outcome Σ wₐ·1[met in a] (paired across arms).
pub fn weighted(base: &[bool], base_weight: f64, arms: &[(&[bool], f64)]) -> Weighted {
    let n = base.len();
    let mut sum = 0.0;
    let mut sq = 0.0;
    for i in 0..n {
        let mut x = base_weight * f64::from(u8::from(base[i]));
        for (m, w) in arms {
            x += w * f64::from(u8::from(m[i]));
        }
        sum += x;
        sq += x * x;
    }
    let nf = n.max(1) as f64;
    let p = sum / nf;
    let var = if n > 1 {
        ((sq - nf * p * p) / (nf - 1.0)).max(0.0)
    } else {
        0.0
    };
    let half = Z95 * (var / nf).sqrt();
    // The paired normal interval collapses to a point when every trajectory's
    // weighted outcome is the same (all arms 0, say), although each arm's
    // probability is only known to its own Wilson interval. The weighted sum
    // of those intervals (the arms moving together, as paired arms do) bounds
    // the answer from outside; the interval printed is the union of the two.
    let wilson =
        |m: &[bool]| crate::stats::wilson(m.iter().filter(|&&x| x).count() as u64, n as u64);
    let b = wilson(base);
    let (mut lo, mut hi) = (base_weight * b.low, base_weight * b.high);
    for (m, w) in arms {
        let a = wilson(m);
        lo += w * a.low;
        hi += w * a.high;
    }
    Weighted {
        p_met: p,
        ci_low: (p - half).min(lo).max(0.0),
        ci_high: (p + half).max(hi).min(1.0),
        baseline_weight: base_weight,
    }
}

/// What an arm costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmCost {
    pub name: String,
    pub label: String,
    /// Mean money spent over the projected years (commitments and levers), yuan.
    pub spend: f64,
    /// That minus the baseline's.
    pub extra_cost: f64,
}

/// The comparison's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub scenario: String,
    pub label: String,
    pub seed: u64,
    pub trajectories: u64,
    pub interval: String,
    pub arms: Vec<ArmCost>,
    /// Each target, then "joint" (all targets met together).
    pub targets: Vec<TargetComparison>,
}

/// Why a comparison cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("{0}")]
    Run(#[from] RunError),
    #[error("{arm} does not share the baseline's {what}: {detail}")]
    Mismatch {
        arm: String,
        what: &'static str,
        detail: String,
    },
}

/// Checks that an arm can be paired with the baseline.
fn check_pairable(base: &Scenario, arm: &Arm) -> Result<(), CompareError> {
    let mismatch = |what, detail: String| {
        Err(CompareError::Mismatch {
            arm: arm.name.clone(),
            what,
            detail,
        })
    };
    let ids = |s: &Scenario| s.regions.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    if ids(base) != ids(&arm.scenario) {
        return mismatch(
            "regions",
            format!("{:?} vs {:?}", ids(base), ids(&arm.scenario)),
        );
    }
    let tids = |s: &Scenario| s.targets.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    if tids(base) != tids(&arm.scenario) {
        return mismatch(
            "targets",
            format!("{:?} vs {:?}", tids(base), tids(&arm.scenario)),
        );
    }
    if (base.start_year, base.end_year) != (arm.scenario.start_year, arm.scenario.end_year) {
        return mismatch(
            "years",
            format!(
                "{}–{} vs {}–{}",
                base.start_year, base.end_year, arm.scenario.start_year, arm.scenario.end_year
            ),
        );
    }
    Ok(())
}

/// Mean spend over the projected years.
fn spend(r: &RunResult, start_year: i32) -> f64 {
    r.metrics
        .iter()
        .filter(|m| m.metric == "spend" && m.scope == "total" && m.year > start_year)
        .map(|m| m.mean)
        .sum()
}

/// Per-trajectory met flags of target `t` (or all targets when `t` is None).
fn met(sc: &Scenario, r: &RunResult, t: Option<usize>) -> Vec<bool> {
    let n = r.options.trajectories as usize;
    (0..n)
        .map(|i| match t {
            Some(t) => r.records.met(sc, i, t),
            None => (0..sc.targets.len()).all(|t| r.records.met(sc, i, t)),
        })
        .collect()
}

/// The paired difference of two sets of outcomes and its interval, and the
/// unpaired interval for comparison.
pub fn paired_difference(base: &[bool], variant: &[bool]) -> (f64, (f64, f64), (f64, f64)) {
    let n = base.len().min(variant.len());
    if n == 0 {
        return (f64::NAN, (f64::NAN, f64::NAN), (f64::NAN, f64::NAN));
    }
    let nf = n as f64;
    let d: Vec<f64> = (0..n)
        .map(|i| f64::from(u8::from(variant[i])) - f64::from(u8::from(base[i])))
        .collect();
    let mean = d.iter().sum::<f64>() / nf;
    let var = if n > 1 {
        d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0)
    } else {
        0.0
    };
    let half = Z95 * (var / nf).sqrt();
    let pb = base[..n].iter().filter(|&&m| m).count() as f64 / nf;
    let pv = variant[..n].iter().filter(|&&m| m).count() as f64 / nf;
    let half_u = Z95 * (pb * (1.0 - pb) / nf + pv * (1.0 - pv) / nf).sqrt();
    let clamp = |x: f64| x.clamp(-1.0, 1.0);
    (
        mean,
        (clamp(mean - half), clamp(mean + half)),
        (clamp(pv - pb - half_u), clamp(pv - pb + half_u)),
    )
}

/// Runs every arm on the same random numbers and compares them with the first.
pub fn compare(
    base: &Arm,
    variants: &[Arm],
    opts: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Comparison, CompareError> {
    for v in variants {
        check_pairable(&base.scenario, v)?;
    }
    let cancel = AtomicBool::new(false);
    // The arms are compared trajectory by trajectory.
    let opts = opts.keeping_all();
    let rb = run(&base.scenario, opts, progress, &cancel)?;
    let mut rv = Vec::with_capacity(variants.len());
    for v in variants {
        rv.push(run(&v.scenario, opts, progress, &cancel)?);
    }
    let n = opts.trajectories;
    let sc = &base.scenario;
    let base_spend = spend(&rb, sc.start_year);
    let mut arms = vec![ArmCost {
        name: base.name.clone(),
        label: base.label.clone(),
        spend: base_spend,
        extra_cost: 0.0,
    }];
    for (v, r) in variants.iter().zip(&rv) {
        let s = spend(r, sc.start_year);
        arms.push(ArmCost {
            name: v.name.clone(),
            label: v.label.clone(),
            spend: s,
            extra_cost: s - base_spend,
        });
    }

    let mut targets = Vec::new();
    let slots: Vec<(String, String, Option<usize>)> = sc
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.clone(), t.label.clone(), Some(i)))
        .chain(std::iter::once((
            "joint".to_string(),
            if sc.meta.language == "zh" {
                "全部目标同时实现".to_string()
            } else {
                "All targets together".to_string()
            },
            None,
        )))
        .collect();
    for (id, label, t) in slots {
        let mb = met(sc, &rb, t);
        let kb = mb.iter().filter(|&&m| m).count() as u64;
        let cb = wilson(kb, n);
        let mut vs = Vec::new();
        for (v, r) in variants.iter().zip(&rv) {
            let mv = met(&v.scenario, r, t);
            let kv = mv.iter().filter(|&&m| m).count() as u64;
            let cv = wilson(kv, n);
            let (diff, (lo, hi), (ulo, uhi)) = paired_difference(&mb, &mv);
            vs.push(VersusBaseline {
                variant: v.name.clone(),
                p_met: cv.p,
                ci_low: cv.low,
                ci_high: cv.high,
                difference: diff,
                diff_low: lo,
                diff_high: hi,
                unpaired_low: ulo,
                unpaired_high: uhi,
            });
        }
        let weighted_p = if variants.iter().any(|v| v.weight.is_some()) {
            let outcomes: Vec<Vec<bool>> = variants
                .iter()
                .zip(&rv)
                .map(|(v, r)| met(&v.scenario, r, t))
                .collect();
            let arms_w: Vec<(&[bool], f64)> = outcomes
                .iter()
                .zip(variants)
                .map(|(m, v)| (m.as_slice(), v.weight.unwrap_or(0.0)))
                .collect();
            let rest = 1.0 - arms_w.iter().map(|a| a.1).sum::<f64>();
            Some(weighted(&mb, rest.max(0.0), &arms_w))
        } else {
            None
        };
        targets.push(TargetComparison {
            id,
            label,
            baseline: cb.p,
            baseline_low: cb.low,
            baseline_high: cb.high,
            variants: vs,
            weighted: weighted_p,
        });
    }
    Ok(Comparison {
        scenario: sc.meta.name.clone(),
        label: sc.meta.label.clone(),
        seed: opts.seed,
        trajectories: n,
        interval: "difference: normal interval of the paired per-trajectory differences, 95%; P(met): wilson score interval, 95%".into(),
        arms,
        targets,
    })
}

/// `compare.csv`: one row per target and variant.
pub fn to_csv(c: &Comparison) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "target",
        "label",
        "variant",
        "baseline_p_met",
        "p_met",
        "ci_low",
        "ci_high",
        "difference",
        "diff_low",
        "diff_high",
        "unpaired_low",
        "unpaired_high",
        "extra_cost",
    ])?;
    for t in &c.targets {
        for v in &t.variants {
            let cost = c
                .arms
                .iter()
                .find(|a| a.name == v.variant)
                .map_or(f64::NAN, |a| a.extra_cost);
            w.write_record([
                t.id.clone(),
                t.label.clone(),
                v.variant.clone(),
                t.baseline.to_string(),
                v.p_met.to_string(),
                v.ci_low.to_string(),
                v.ci_high.to_string(),
                v.difference.to_string(),
                v.diff_low.to_string(),
                v.diff_high.to_string(),
                v.unpaired_low.to_string(),
                v.unpaired_high.to_string(),
                cost.to_string(),
            ])?;
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_outcomes_differ_by_exactly_zero() {
        let a = vec![true, false, true, true];
        let (d, (lo, hi), _) = paired_difference(&a, &a);
        assert_eq!((d, lo, hi), (0.0, 0.0, 0.0));
    }

    #[test]
    fn pairing_narrows_the_interval_when_outcomes_agree() {
        // 1,000 trajectories; the variant meets the target in the same ones
        // as the baseline plus 50 more.
        let base: Vec<bool> = (0..1000).map(|i| i % 2 == 0).collect();
        let var: Vec<bool> = (0..1000).map(|i| i % 2 == 0 || i % 20 == 1).collect();
        let (d, (lo, hi), (ulo, uhi)) = paired_difference(&base, &var);
        assert!((d - 0.05).abs() < 1e-12);
        assert!(lo > 0.0, "the paired interval excludes 0");
        assert!(
            ulo < 0.01 && (hi - lo) * 3.0 < uhi - ulo,
            "paired {lo}..{hi} vs unpaired {ulo}..{uhi}"
        );
    }
}
