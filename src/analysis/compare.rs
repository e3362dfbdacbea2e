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

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::engine::partial::MergeError;
use crate::engine::runner::slices;
use crate::engine::{Partial, RunError, RunOptions, RunResult, assemble, simulate};
use crate::scenario::Scenario;
use crate::stats::interval::{Z95, wilson};

/// How a comparison's intervals are made, as its JSON states it.
pub const METHOD: &str = "difference: normal interval of the paired per-trajectory differences, 95%; P(met): wilson score interval, 95%";

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
    /// How the target's wording is read, when the file says (it tells two
    /// readings of one sentence apart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
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
/// weighted outcome Σ wₐ·1[met in a] (paired across arms), from the counts
/// of trajectories by which arms met the target (`weights[0]` is the
/// baseline's).
pub fn weighted(counts: &BTreeMap<u64, u64>, n: u64, weights: &[f64]) -> Weighted {
    let outcome = |pattern: u64| -> f64 {
        weights
            .iter()
            .enumerate()
            .filter(|(a, _)| pattern >> a & 1 == 1)
            .map(|(_, w)| w)
            .sum()
    };
    let mut sum = 0.0;
    let mut sq = 0.0;
    for (&pattern, &c) in counts {
        let x = outcome(pattern);
        sum += c as f64 * x;
        sq += c as f64 * x * x;
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
    let (mut lo, mut hi) = (0.0, 0.0);
    for (a, w) in weights.iter().enumerate() {
        let i = crate::stats::wilson(met_by(counts, a), n);
        lo += w * i.low;
        hi += w * i.high;
    }
    Weighted {
        p_met: p,
        ci_low: (p - half).min(lo).max(0.0),
        ci_high: (p + half).max(hi).min(1.0),
        baseline_weight: weights[0],
    }
}

/// Trajectories in which arm `a` met the target.
fn met_by(counts: &BTreeMap<u64, u64>, a: usize) -> u64 {
    counts
        .iter()
        .filter(|(p, _)| *p >> a & 1 == 1)
        .map(|(_, c)| c)
        .sum()
}

/// For each target (then the joint), how many trajectories met it in which
/// arms: `slots[t][pattern]`, bit `a` of the pattern set when arm `a` (0 the
/// baseline, then the variants) met it. Everything the paired comparison
/// needs, as integer counts: the comparisons of shards merge exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pairs {
    pub arms: usize,
    pub slots: Vec<BTreeMap<u64, u64>>,
}

/// Most arms a comparison pairs (a pattern is a 64-bit set).
pub const MAX_ARMS: usize = 64;

impl Pairs {
    /// The counts of trajectories `rows` of each arm's kept records (every
    /// trajectory of the part, kept by [`Keep::All`]).
    fn of(arms: &[&Scenario], parts: &[Partial]) -> Pairs {
        let nt = arms[0].targets.len();
        let mut slots = vec![BTreeMap::new(); nt + 1];
        let rows: Vec<Vec<&[f64]>> = parts
            .iter()
            .map(|p| {
                p.pieces
                    .iter()
                    .flat_map(|x| x.values.chunks(nt.max(1)))
                    .collect()
            })
            .collect();
        let n = parts.first().map_or(0, |p| p.counted() as usize);
        // Which arms met each target in each trajectory, then the counts.
        let mut met = vec![0u64; n * nt];
        for (a, (sc, arm_rows)) in arms.iter().zip(&rows).enumerate() {
            for (row, m) in arm_rows.iter().zip(met.chunks_mut(nt.max(1))) {
                for ((tg, v), m) in sc.targets.iter().zip(row.iter()).zip(m) {
                    if tg.op.holds(*v, tg.threshold) {
                        *m |= 1 << a;
                    }
                }
            }
        }
        let all = if arms.len() == 64 {
            u64::MAX
        } else {
            (1 << arms.len()) - 1
        };
        // Every trajectory has a row, if an empty one (a file with no targets).
        for m in (0..n).map(|i| &met[i * nt..(i + 1) * nt]) {
            let mut joint = all;
            for (slot, &pattern) in slots.iter_mut().zip(m) {
                joint &= pattern;
                *slot.entry(pattern).or_insert(0) += 1;
            }
            *slots[nt].entry(joint).or_insert(0) += 1;
        }
        Pairs {
            arms: arms.len(),
            slots,
        }
    }

    pub fn merge(&mut self, o: &Pairs) {
        for (a, b) in self.slots.iter_mut().zip(&o.slots) {
            for (&k, &c) in b {
                *a.entry(k).or_insert(0) += c;
            }
        }
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
    #[error("a comparison pairs at most {MAX_ARMS} arms (the baseline and 63 variants); found {0}")]
    TooMany(usize),
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

/// The paired difference of two sets of outcomes and its interval, and the
/// unpaired interval for comparison.
pub fn paired_difference(base: &[bool], variant: &[bool]) -> (f64, (f64, f64), (f64, f64)) {
    let n = base.len().min(variant.len());
    let mut counts = BTreeMap::new();
    for i in 0..n {
        *counts
            .entry(u64::from(base[i]) | u64::from(variant[i]) << 1)
            .or_insert(0) += 1;
    }
    paired_counts(&counts, n as u64, 1)
}

/// The paired difference of arm `a` from the baseline (arm 0), from the
/// counts of trajectories by pattern: d = 1[a met] − 1[baseline met] is +1,
/// −1 or 0, so its mean and variance follow from two counts.
fn paired_counts(counts: &BTreeMap<u64, u64>, n: u64, a: usize) -> (f64, (f64, f64), (f64, f64)) {
    if n == 0 {
        return (f64::NAN, (f64::NAN, f64::NAN), (f64::NAN, f64::NAN));
    }
    let (mut up, mut down) = (0u64, 0u64);
    for (&p, &c) in counts {
        match (p & 1 == 1, p >> a & 1 == 1) {
            (false, true) => up += c,
            (true, false) => down += c,
            _ => {}
        }
    }
    let nf = n as f64;
    let mean = (up as f64 - down as f64) / nf;
    let var = if n > 1 {
        let same = (n - up - down) as f64;
        (up as f64 * (1.0 - mean).powi(2)
            + down as f64 * (-1.0 - mean).powi(2)
            + same * mean * mean)
            / (nf - 1.0)
    } else {
        0.0
    };
    let half = Z95 * (var / nf).sqrt();
    let pb = met_by(counts, 0) as f64 / nf;
    let pv = met_by(counts, a) as f64 / nf;
    let half_u = Z95 * (pb * (1.0 - pb) / nf + pv * (1.0 - pv) / nf).sqrt();
    let clamp = |x: f64| x.clamp(-1.0, 1.0);
    (
        mean,
        (clamp(mean - half), clamp(mean + half)),
        (clamp(pv - pb - half_u), clamp(pv - pb + half_u)),
    )
}

/// One shard of a comparison: every arm's partial over trajectories
/// `range`, and their pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonPart {
    /// The baseline's, then each variant's.
    pub arms: Vec<Partial>,
    pub pairs: Pairs,
}

impl ComparisonPart {
    /// Both as one; refused (as [`Partial::merge`]) if they are not parts of one run.
    pub fn merge(self, o: ComparisonPart) -> Result<ComparisonPart, MergeError> {
        let arms = self
            .arms
            .into_iter()
            .zip(o.arms)
            .map(|(a, b)| a.merge(b))
            .collect::<Result<Vec<_>, _>>()?;
        let mut pairs = self.pairs;
        pairs.merge(&o.pairs);
        Ok(ComparisonPart { arms, pairs })
    }
}

/// Runs trajectories `range` of every arm on the same random numbers: the
/// part of a comparison one machine (or shard) does.
pub fn compare_part(
    base: &Arm,
    variants: &[Arm],
    opts: RunOptions,
    range: Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ComparisonPart, CompareError> {
    for v in variants {
        check_pairable(&base.scenario, v)?;
    }
    if variants.len() + 1 > MAX_ARMS {
        return Err(CompareError::TooMany(variants.len() + 1));
    }
    let cancel = AtomicBool::new(false);
    // The arms are paired trajectory by trajectory: each keeps every
    // trajectory's values until the pairs are counted, then only the
    // records a run keeps.
    let all = opts.keeping_all();
    let scenarios: Vec<&Scenario> = std::iter::once(&base.scenario)
        .chain(variants.iter().map(|v| &v.scenario))
        .collect();
    let kept = opts.keep.of(opts.trajectories);
    let mut acc: Option<ComparisonPart> = None;
    // A slice at a time, so that memory does not grow with the run.
    for slice in slices(range) {
        let mut arms = Vec::with_capacity(scenarios.len());
        for sc in &scenarios {
            arms.push(simulate(sc, all, slice.clone(), progress, &cancel)?);
        }
        let pairs = Pairs::of(&scenarios, &arms);
        let arms = arms.into_iter().map(|p| p.keep_first(kept)).collect();
        let part = ComparisonPart { arms, pairs };
        acc = Some(match acc {
            None => part,
            Some(a) => a.merge(part).map_err(|_| RunError::Malformed("slices"))?,
        });
    }
    Ok(acc.ok_or(RunError::Malformed("slices"))?)
}

/// Runs every arm on the same random numbers and compares them with the first.
pub fn compare(
    base: &Arm,
    variants: &[Arm],
    opts: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Comparison, CompareError> {
    let part = compare_part(base, variants, opts, 0..opts.trajectories, progress)?;
    comparison(base, variants, part)
}

/// The comparison from the part of every trajectory (one machine's, or the
/// merge of its shards'). Refused if a trajectory is missing.
pub fn comparison(
    base: &Arm,
    variants: &[Arm],
    part: ComparisonPart,
) -> Result<Comparison, CompareError> {
    let mut results = Vec::with_capacity(part.arms.len());
    let scenarios = std::iter::once(&base.scenario).chain(variants.iter().map(|v| &v.scenario));
    for (sc, p) in scenarios.zip(part.arms) {
        results.push(assemble(sc, &p)?);
    }
    let rb = results.remove(0);
    let rv = results;
    let n = rb.options.trajectories;
    let seed = rb.options.seed;
    let pairs = &part.pairs;
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
    for (slot, (id, label, index)) in slots.into_iter().enumerate() {
        let reading = index.and_then(|i| sc.targets[i].reading.clone());
        let counts = &pairs.slots[slot];
        let cb = wilson(met_by(counts, 0), n);
        let mut vs = Vec::new();
        for (a, v) in variants.iter().enumerate().map(|(i, v)| (i + 1, v)) {
            let cv = wilson(met_by(counts, a), n);
            let (diff, (lo, hi), (ulo, uhi)) = paired_counts(counts, n, a);
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
            let ws: Vec<f64> = variants.iter().map(|v| v.weight.unwrap_or(0.0)).collect();
            let rest = (1.0 - ws.iter().sum::<f64>()).max(0.0);
            let weights: Vec<f64> = std::iter::once(rest).chain(ws).collect();
            Some(weighted(counts, n, &weights))
        } else {
            None
        };
        targets.push(TargetComparison {
            id,
            label,
            reading,
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
        seed,
        trajectories: n,
        interval: METHOD.into(),
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
