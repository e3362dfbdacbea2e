//! Which uncertainty matters (`wfsim sensitivity`).
//!
//! For every parameter drawn once per trajectory (the epistemic unknowns:
//! "we do not know the true pass rate"), and every target, two measures from
//! one run:
//!
//! - the **swing**: P(met) among trajectories whose draw of the parameter is
//!   in its top decile, minus P(met) among those in its bottom decile — in
//!   probability points, the way a planner reads it ("if the pass rate is at
//!   the high end of what we believe, the target is 40 points more likely");
//! - **Spearman's rank correlation** between the parameter and the target's
//!   metric in its year: the direction and strength of the association over
//!   the whole range.
//!
//! `wfsim sensitivity` reads every trajectory once and keeps only integer
//! sums, so its memory does not grow with the run and the sums of shards
//! add up exactly:
//!
//! - the swing is counted into deciles fixed before the run ([`Deciles`]:
//!   from reference draws of the unknowns);
//! - ρ ([`RankSums`]) pairs each draw's rank among those reference draws
//!   (its value of the declared distribution's CDF, known in advance) with
//!   the metric's rank among all trajectories, which is known only at the
//!   end: so the metric is counted into bins fixed before the run (the
//!   quantiles of a pilot run on streams of its own), and each bin keeps
//!   the sum of its trajectories' CDF ranks. Pearson's correlation of the
//!   two ranks then follows from sums alone, with the trajectories of one
//!   bin tied (average ranks). Forty bins cost a continuous metric's ρ
//!   about 1/(2·40²) of itself.
//!
//! The explanation of a run's near-certain answers ranks on the records
//! of the first trajectories alone, with their own deciles ([`analyse`]).
//!
//! Parameters are ranked by the absolute swing (ties by |ρ|). A parameter
//! that ranks high is where better data, or a policy that moves it, would
//! change the answer most. Both measures are marginal: correlated inputs
//! share credit, which the report says.

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::engine::partial::MergeError;
use crate::engine::runner::slices;
use crate::engine::{Partial, RunError, RunOptions, RunResult, assemble, simulate};
use crate::model::streams::Streams;
use crate::model::{Sampled, Trajectory};
use crate::scenario::Scenario;

/// One parameter's influence on one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Influence {
    pub parameter: String,
    /// P(met | top decile) − P(met | bottom decile).
    pub swing: f64,
    pub p_low_decile: f64,
    pub p_high_decile: f64,
    /// Spearman's rank correlation with the target's metric.
    pub rank_correlation: f64,
}

/// The ranking for one target (or the joint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSensitivity {
    pub id: String,
    pub label: String,
    pub p_met: f64,
    /// Most influential first.
    pub influences: Vec<Influence>,
}

/// All targets' rankings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    pub scenario: String,
    pub label: String,
    pub seed: u64,
    /// Trajectories ranked: the run's, or its first ones when it kept only those.
    pub trajectories: u64,
    pub method: String,
    pub targets: Vec<TargetSensitivity>,
    /// What each parameter (and `region.*.…`, every region's copy of one
    /// number) is called in the briefing: [`Scenario::parameter_label`].
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
}

/// Ranks (1-based, ties averaged) of `x`.
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson's correlation (of ranks, here); 0 when either side is constant.
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Ranks the parameters' influence on every target of a finished run, from
/// its kept records alone (the deciles are the records' own): what the
/// explanation of a run's near-certain answers reads.
pub fn analyse(sc: &Scenario, r: &RunResult) -> Sensitivity {
    rank(sc, r, None)
}

/// Ranks from the records, or, when given, from the sums of every
/// trajectory of a [`SensitivityPart`] (swing from its decile counts, ρ
/// from its rank sums).
fn rank(sc: &Scenario, r: &RunResult, sums: Option<(&DecileCounts, &RankSums)>) -> Sensitivity {
    let counts = sums.map(|s| s.0);
    let rec = &r.records;
    // The kept trajectories: all of them when the run kept them all; none
    // are read when the sums give both measures.
    let n = if sums.is_some() { 0 } else { rec.len() };
    let np = rec.param_names.len();
    let nt = sc.targets.len();
    let zh = sc.meta.language == "zh";
    let decile = (n / 10).max(1);
    // Each parameter's trajectories sorted by its draw, and its ranks.
    let columns: Vec<Vec<f64>> = (0..np).map(|k| rec.params.column(k).to_vec()).collect();
    let orders: Vec<Vec<usize>> = columns
        .iter()
        .map(|c| {
            let mut o: Vec<usize> = (0..n).collect();
            // Ties broken by trajectory index, so the deciles are reproducible.
            o.sort_by(|&a, &b| c[a].total_cmp(&c[b]).then(a.cmp(&b)));
            o
        })
        .collect();
    let param_ranks: Vec<Vec<f64>> = columns.iter().map(|c| ranks(c)).collect();

    let mut targets = Vec::new();
    for t in 0..=nt {
        let met: Vec<bool> = (0..n)
            .map(|i| {
                if t < nt {
                    rec.met(sc, i, t)
                } else {
                    (0..nt).all(|u| rec.met(sc, i, u))
                }
            })
            .collect();
        let metric: Vec<f64> = (0..n)
            .map(|i| {
                if t < nt {
                    rec.values[[i, t]]
                } else {
                    f64::from(u8::from(met[i]))
                }
            })
            .collect();
        let metric_ranks = ranks(&metric);
        let share = |idx: &[usize]| {
            idx.iter().filter(|&&i| met[i]).count() as f64 / idx.len().max(1) as f64
        };
        let mut influences: Vec<Influence> = (0..np)
            .map(|k| {
                let (lo, hi) = match counts {
                    Some(c) => c.shares(t, k),
                    None => {
                        let o = &orders[k];
                        (share(&o[..decile]), share(&o[n - decile..]))
                    }
                };
                Influence {
                    parameter: rec.param_names[k].clone(),
                    swing: hi - lo,
                    p_low_decile: lo,
                    p_high_decile: hi,
                    rank_correlation: match sums {
                        Some((_, rs)) => rs.rho(t, k),
                        None => correlation(&param_ranks[k], &metric_ranks),
                    },
                }
            })
            .collect();
        influences.sort_by(|a, b| {
            b.swing
                .abs()
                .total_cmp(&a.swing.abs())
                .then(
                    b.rank_correlation
                        .abs()
                        .total_cmp(&a.rank_correlation.abs()),
                )
                .then(a.parameter.cmp(&b.parameter))
        });
        let (id, label, p) = if t < nt {
            (
                sc.targets[t].id.clone(),
                sc.targets[t].label.clone(),
                r.targets[t].p_met,
            )
        } else {
            (
                "joint".into(),
                if zh {
                    "全部目标同时实现".into()
                } else {
                    "All targets together".into()
                },
                r.joint.p,
            )
        };
        targets.push(TargetSensitivity {
            id,
            label,
            p_met: p,
            influences,
        });
    }
    let method = match counts {
        Some(_) => format!(
            "swing: P(met) among all trajectories whose draw of the parameter is in its top decile minus its bottom decile (deciles of {REFERENCE_DRAWS} reference draws of the unknowns, fixed before the run); rank_correlation: Spearman's rho over all trajectories between the draw's rank among the reference draws and the rank of the target's metric in its year (tied within {METRIC_BINS} bins fixed by a {PILOT_TRAJECTORIES}-trajectory pilot run); marginal measures (correlated inputs share credit)"
        ),
        None => "swing: P(met) in the parameter's top decile minus its bottom decile; rank_correlation: Spearman's rho with the target's metric in its year; marginal measures (correlated inputs share credit)".into(),
    };
    let mut labels = std::collections::BTreeMap::new();
    for p in &rec.param_names {
        labels.insert(p.clone(), sc.parameter_label(p));
        if let Some((_, tail)) = p.strip_prefix("region.").and_then(|r| r.split_once('.')) {
            let every = format!("region.*.{tail}");
            let label = sc.parameter_label(&every);
            labels.insert(every, label);
        }
    }
    Sensitivity {
        scenario: sc.meta.name.clone(),
        label: sc.meta.label.clone(),
        seed: r.options.seed,
        trajectories: counts.map_or(n as u64, |_| r.options.trajectories),
        method,
        targets,
        labels,
    }
}

/// Reference draws of the unknowns that fix each one's deciles.
pub const REFERENCE_DRAWS: u64 = 10_000;

/// Each unknown's bottom-decile and top-decile bounds: the 1,000th smallest
/// and 1,000th largest of [`REFERENCE_DRAWS`] draws of the run's unknowns
/// (priors or posterior, correlations and shared draws included) on streams
/// of their own. Known before the run, the same on every machine, so that
/// the trajectories in each decile are counted as they go and the counts of
/// shards add up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deciles {
    pub low: Vec<f64>,
    pub high: Vec<f64>,
}

impl Deciles {
    pub fn of(sc: &Scenario, seed: u64, pool: &rayon::ThreadPool) -> Deciles {
        Reference::of(sc, seed, pool).deciles()
    }
}

/// Each unknown's [`REFERENCE_DRAWS`] reference draws, sorted: its declared
/// distribution (with correlations and shared draws) as the run draws it,
/// known before the run.
struct Reference {
    sorted: Vec<Vec<f64>>,
}

impl Reference {
    fn of(sc: &Scenario, seed: u64, pool: &rayon::ThreadPool) -> Reference {
        use rayon::prelude::*;
        let np = Sampled::uncertain_names(sc).len();
        let m = REFERENCE_DRAWS as usize;
        let draws: Vec<f64> = pool.install(|| {
            (0..m)
                .into_par_iter()
                .map_init(
                    || Trajectory::new(sc),
                    |traj, i| {
                        traj.draw_unknowns(sc, &Streams::reference(seed, i as u64));
                        let mut row = vec![0.0; np];
                        traj.params.uncertain_values(sc, &mut row);
                        row
                    },
                )
                .flatten()
                .collect()
        });
        let sorted = (0..np)
            .map(|k| {
                let mut col: Vec<f64> = draws.iter().skip(k).step_by(np).copied().collect();
                col.sort_by(f64::total_cmp);
                col
            })
            .collect();
        Reference { sorted }
    }

    fn deciles(&self) -> Deciles {
        let m = REFERENCE_DRAWS as usize;
        let tenth = m / 10;
        Deciles {
            low: self.sorted.iter().map(|c| c[tenth - 1]).collect(),
            high: self.sorted.iter().map(|c| c[m - tenth]).collect(),
        }
    }

    /// Twice the mid-rank of `x` among unknown `k`'s reference draws (the
    /// draws below it, plus half those equal): its CDF value times
    /// 2·[`REFERENCE_DRAWS`], an integer.
    fn rank2(&self, k: usize, x: f64) -> u64 {
        let c = &self.sorted[k];
        let below = c.partition_point(|v| v.total_cmp(&x).is_lt());
        let not_above = c.partition_point(|v| v.total_cmp(&x).is_le());
        (below + not_above) as u64
    }
}

/// Trajectories of the pilot run that fixes the metric bins of ρ.
pub const PILOT_TRAJECTORIES: u64 = 400;
/// Bins of each target's metric for ρ (ties within a bin).
pub const METRIC_BINS: usize = 40;

/// The integer sums from which Spearman's ρ of every (target, unknown)
/// follows, over all trajectories (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankSums {
    pub params: usize,
    /// Per slot (targets, then the joint): the metric's bin bounds, from
    /// the pilot run (a value equal to a bound is in the bin above it).
    pub bounds: Vec<Vec<f64>>,
    /// Per slot, per bin: trajectories.
    pub counts: Vec<Vec<u64>>,
    /// Per slot, `[bin * params + k]`: the sum of the trajectories' doubled
    /// CDF ranks of unknown `k` ([`Reference::rank2`]).
    pub sums: Vec<Vec<u64>>,
    /// Per unknown: the sum of the squares of the doubled CDF ranks (their
    /// sum is any slot's bin sums added up).
    pub rank_sq_sum: Vec<u128>,
}

impl RankSums {
    /// Empty sums over bins from the pilot's values: `pilot[i * slots + t]`.
    fn new(params: usize, slots: usize, pilot: &[f64]) -> RankSums {
        let bounds: Vec<Vec<f64>> = (0..slots)
            .map(|t| {
                let mut v: Vec<f64> = pilot.iter().skip(t).step_by(slots).copied().collect();
                v.sort_by(f64::total_cmp);
                let mut b: Vec<f64> = (1..METRIC_BINS)
                    .filter_map(|j| v.get(j * v.len() / METRIC_BINS).copied())
                    .collect();
                b.dedup();
                b
            })
            .collect();
        RankSums {
            params,
            counts: bounds.iter().map(|b| vec![0; b.len() + 1]).collect(),
            sums: bounds
                .iter()
                .map(|b| vec![0; (b.len() + 1) * params])
                .collect(),
            bounds,
            rank_sq_sum: vec![0; params],
        }
    }

    /// Adds one trajectory: its slots' metric values and its unknowns'
    /// doubled CDF ranks.
    fn add(&mut self, metric: &[f64], ranks2: &[u64]) {
        for (t, &y) in metric.iter().enumerate() {
            let bin = self.bounds[t].partition_point(|b| b.total_cmp(&y).is_le());
            self.counts[t][bin] += 1;
            let row = &mut self.sums[t][bin * self.params..(bin + 1) * self.params];
            for (s, &c) in row.iter_mut().zip(ranks2) {
                *s += c;
            }
        }
        for (s, &c) in self.rank_sq_sum.iter_mut().zip(ranks2) {
            *s += u128::from(c) * u128::from(c);
        }
    }

    fn merge(mut self, o: &RankSums) -> Result<RankSums, MergeError> {
        if self.bounds != o.bounds || self.params != o.params {
            return Err(MergeError::DifferentRuns {
                what: "the metric bins of the pilot run",
                a: format!("{:?}", self.bounds.iter().map(Vec::len).collect::<Vec<_>>()),
                b: format!("{:?}", o.bounds.iter().map(Vec::len).collect::<Vec<_>>()),
            });
        }
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            add(a, b);
        }
        for (a, b) in self.sums.iter_mut().zip(&o.sums) {
            add(a, b);
        }
        for (a, b) in self.rank_sq_sum.iter_mut().zip(&o.rank_sq_sum) {
            *a += b;
        }
        Ok(self)
    }

    /// Spearman's ρ of unknown `k` with slot `t`'s metric: Pearson's
    /// correlation of the CDF rank with the metric's (average) rank, its
    /// numerator and variances exact in 128-bit integers; 0 when either
    /// side is constant.
    pub fn rho(&self, t: usize, k: usize) -> f64 {
        let counts = &self.counts[t];
        let n: i128 = counts.iter().map(|&c| i128::from(c)).sum();
        if n == 0 {
            return 0.0;
        }
        // Doubled average ranks of each bin: 2·(before) + count + 1.
        let (mut before, mut r2_sq, mut cross, mut u) = (0i128, 0i128, 0i128, 0i128);
        for (b, &c) in counts.iter().enumerate() {
            let c = i128::from(c);
            let r2 = 2 * before + c + 1;
            let s = i128::from(self.sums[t][b * self.params + k]);
            r2_sq += c * r2 * r2;
            cross += r2 * s;
            u += s;
            before += c;
        }
        let r2_sum = n * (n + 1);
        let uu = i128::try_from(self.rank_sq_sum[k]).unwrap_or(i128::MAX);
        let s_ur = n * cross - u * r2_sum;
        let s_uu = n * uu - u * u;
        let s_rr = n * r2_sq - r2_sum * r2_sum;
        if s_uu <= 0 || s_rr <= 0 {
            return 0.0;
        }
        (s_ur as f64 / ((s_uu as f64).sqrt() * (s_rr as f64).sqrt())).clamp(-1.0, 1.0)
    }
}

/// For each target (then the joint) and unknown, the trajectories whose
/// draw is in its bottom decile and in its top decile, and how many of
/// each met the target: integers, so shards add up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecileCounts {
    pub params: usize,
    /// `[slot * params + k]`: (bottom, bottom met, top, top met).
    pub counts: Vec<[u64; 4]>,
}

impl DecileCounts {
    /// P(met) in the bottom and the top decile of unknown `k`, for slot `t`.
    fn shares(&self, t: usize, k: usize) -> (f64, f64) {
        let [n0, m0, n1, m1] = self.counts[t * self.params + k];
        let share = |m: u64, n: u64| m as f64 / n.max(1) as f64;
        (share(m0, n0), share(m1, n1))
    }
}

/// One shard of a sensitivity analysis: the run's partial and the decile
/// counts of its trajectories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityPart {
    pub run: Partial,
    pub deciles: Deciles,
    pub counts: DecileCounts,
    pub ranks: RankSums,
}

impl SensitivityPart {
    pub fn merge(self, o: SensitivityPart) -> Result<SensitivityPart, MergeError> {
        if self.deciles != o.deciles {
            return Err(MergeError::DifferentRuns {
                what: "the unknowns' reference deciles",
                a: format!("{} bounds", self.deciles.low.len()),
                b: format!("{} bounds", o.deciles.low.len()),
            });
        }
        let mut counts = self.counts;
        for (a, b) in counts.counts.iter_mut().zip(&o.counts.counts) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        Ok(SensitivityPart {
            run: self.run.merge(o.run)?,
            deciles: self.deciles,
            counts,
            ranks: self.ranks.merge(&o.ranks)?,
        })
    }
}

/// Runs trajectories `range` and counts, for every unknown, the trajectories
/// in its bottom and top decile and how many met each target.
pub fn sensitivity_part(
    sc: &Scenario,
    opts: RunOptions,
    range: Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<SensitivityPart, RunError> {
    let reference = Reference::of(sc, opts.seed, &crate::engine::runner::pool(opts.threads)?);
    let deciles = reference.deciles();
    // The pilot that fixes the metric bins: a run of its own seed, the same
    // on every shard.
    let pilot_opts = RunOptions {
        trajectories: PILOT_TRAJECTORIES,
        seed: opts.seed ^ 0x7069_6C6F_742D_7268, // "pilot-rh"
        ..opts.keeping_all()
    };
    let pilot = simulate(sc, pilot_opts, 0..PILOT_TRAJECTORIES, &|_| {}, cancel)?;
    let pilot_values = slot_values(sc, &pilot);
    let empty = RankSums::new(pilot.params, pilot.targets + 1, &pilot_values);
    // Every trajectory's draws and values until they are counted, a slice
    // at a time; then only the records a run keeps.
    let kept = opts.keep.of(opts.trajectories);
    let mut acc: Option<SensitivityPart> = None;
    for slice in slices(range) {
        let run = simulate(sc, opts.keeping_all(), slice, progress, cancel)?;
        let (counts, ranks) = count(sc, &run, &deciles, &reference, empty.clone());
        let part = SensitivityPart {
            run: run.keep_first(kept),
            deciles: deciles.clone(),
            counts,
            ranks,
        };
        acc = Some(match acc {
            None => part,
            Some(a) => a.merge(part).map_err(|_| RunError::Malformed("slices"))?,
        });
    }
    acc.ok_or(RunError::Malformed("slices"))
}

/// One trajectory's slots (its targets, then the joint) from its target
/// `values`: whether it met each, and the metric ρ ranks (the target's
/// value; for the joint, 1 when it met them all, else 0).
fn slots(sc: &Scenario, values: &[f64], met: &mut [bool], metric: &mut [f64]) {
    let nt = values.len();
    for (t, tg) in sc.targets.iter().enumerate() {
        met[t] = tg.op.holds(values[t], tg.threshold);
    }
    met[nt] = met[..nt].iter().all(|&m| m);
    metric[..nt].copy_from_slice(values);
    metric[nt] = f64::from(u8::from(met[nt]));
}

/// Each trajectory's metric per slot: `[i * (targets + 1) + t]`.
fn slot_values(sc: &Scenario, run: &Partial) -> Vec<f64> {
    let nt = run.targets;
    let (mut met, mut metric) = (vec![false; nt + 1], vec![0.0; nt + 1]);
    let mut out = Vec::new();
    for piece in &run.pieces {
        for i in 0..(piece.end - piece.start) as usize {
            slots(
                sc,
                &piece.values[i * nt..(i + 1) * nt],
                &mut met,
                &mut metric,
            );
            out.extend_from_slice(&metric);
        }
    }
    out
}

/// The decile counts and rank sums of the trajectories of `run` (which
/// keeps them all), added to `ranks`.
fn count(
    sc: &Scenario,
    run: &Partial,
    deciles: &Deciles,
    reference: &Reference,
    mut ranks: RankSums,
) -> (DecileCounts, RankSums) {
    let (nt, np) = (run.targets, run.params);
    let mut counts = vec![[0u64; 4]; (nt + 1) * np];
    let mut met = vec![false; nt + 1];
    let mut metric = vec![0.0; nt + 1];
    let mut ranks2 = vec![0u64; np];
    for piece in &run.pieces {
        let rows = (piece.end - piece.start) as usize;
        for i in 0..rows {
            slots(
                sc,
                &piece.values[i * nt..(i + 1) * nt],
                &mut met,
                &mut metric,
            );
            let draws = &piece.params[i * np..(i + 1) * np];
            for (k, &x) in draws.iter().enumerate() {
                ranks2[k] = reference.rank2(k, x);
            }
            ranks.add(&metric, &ranks2);
            for (k, &x) in draws.iter().enumerate() {
                let side = if x <= deciles.low[k] {
                    0
                } else if x >= deciles.high[k] {
                    2
                } else {
                    continue;
                };
                for (t, &m) in met.iter().enumerate() {
                    let c = &mut counts[t * np + k];
                    c[side] += 1;
                    c[side + 1] += u64::from(m);
                }
            }
        }
    }
    (DecileCounts { params: np, counts }, ranks)
}

/// The analysis from the part of every trajectory (one machine's, or the
/// merge of its shards'): the swing over all of them, ρ over the records
/// kept. Also returns the run's results.
pub fn sensitivity_of(
    sc: &Scenario,
    part: SensitivityPart,
) -> Result<(Sensitivity, RunResult), RunError> {
    let r = assemble(sc, &part.run)?;
    Ok((rank(sc, &r, Some((&part.counts, &part.ranks))), r))
}

/// Runs a scenario and ranks its unknowns' influence on every target.
pub fn sensitivity(
    sc: &Scenario,
    opts: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<(Sensitivity, RunResult), RunError> {
    let part = sensitivity_part(sc, opts, 0..opts.trajectories, progress, cancel)?;
    sensitivity_of(sc, part)
}

/// The `k` unknowns that move a target most: by |swing| (then |ρ|) when
/// `by_swing`, else by |Spearman's ρ| (at least 0.05, for answers so near 0
/// or 1 that no decile swings them). The regions' copies of one number
/// (`region.<id>.stocks.uncertified`, …) move a target alike when the
/// regions share its draw, and are one line of the ranking either way:
/// `region.*.stocks.uncertified`, with the strongest copy's figures.
pub fn top_drivers(influences: &[Influence], k: usize, by_swing: bool) -> Vec<Influence> {
    let mut sorted: Vec<&Influence> = influences
        .iter()
        .filter(|x| {
            if by_swing {
                x.swing.abs() >= 0.005
            } else {
                x.rank_correlation.abs() >= 0.05
            }
        })
        .collect();
    sorted.sort_by(|a, b| {
        let (ka, kb) = if by_swing {
            (a.swing.abs(), b.swing.abs())
        } else {
            (0.0, 0.0)
        };
        kb.total_cmp(&ka)
            .then(
                b.rank_correlation
                    .abs()
                    .total_cmp(&a.rank_correlation.abs()),
            )
            .then(a.parameter.cmp(&b.parameter))
    });
    let key = |p: &str| match p.strip_prefix("region.").and_then(|r| r.split_once('.')) {
        Some((_, tail)) => format!("region.*.{tail}"),
        None => p.to_string(),
    };
    let mut out: Vec<(String, Influence, usize)> = Vec::new();
    for x in sorted {
        let name = key(&x.parameter);
        if let Some(e) = out.iter_mut().find(|e| e.0 == name) {
            e.2 += 1;
            continue;
        }
        if out.len() == k {
            continue;
        }
        out.push((name, x.clone(), 1));
    }
    out.into_iter()
        .map(|(name, mut x, copies)| {
            if copies > 1 {
                x.parameter = name;
            }
            x
        })
        .collect()
}

/// `sensitivity.csv`: one row per target and parameter, most influential first.
pub fn to_csv(s: &Sensitivity) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "target",
        "rank",
        "parameter",
        "label",
        "swing",
        "p_low_decile",
        "p_high_decile",
        "rank_correlation",
    ])?;
    for t in &s.targets {
        for (i, f) in t.influences.iter().enumerate() {
            w.write_record([
                t.id.clone(),
                (i + 1).to_string(),
                f.parameter.clone(),
                s.labels.get(&f.parameter).cloned().unwrap_or_default(),
                f.swing.to_string(),
                f.p_low_decile.to_string(),
                f.p_high_decile.to_string(),
                f.rank_correlation.to_string(),
            ])?;
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties_and_correlation_is_bounded() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
        let a = [1.0, 2.0, 3.0, 4.0];
        assert!((correlation(&a, &a) - 1.0).abs() < 1e-12);
        assert!((correlation(&a, &[4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert_eq!(correlation(&a, &[1.0; 4]), 0.0);
    }

    /// When the reference draws are the sample itself and every distinct
    /// metric value has a bin of its own, ρ from the sums is Spearman's ρ
    /// of the sample, ties and all: the algebra of [`RankSums::rho`].
    #[test]
    fn rho_from_sums_is_spearman_when_nothing_is_binned() {
        let n = 500;
        // A draw, and a metric with 12 distinct values that rises with it
        // through noise (a fixed pseudo-random sequence).
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as f64 / (1u64 << 31) as f64
        };
        let x: Vec<f64> = (0..n).map(|_| next()).collect();
        let y: Vec<f64> = x.iter().map(|&v| ((v + next()) * 6.0).floor()).collect();
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        let reference = Reference {
            sorted: vec![sorted],
        };
        let mut distinct = y.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        assert!(distinct.len() > 5 && distinct.len() < METRIC_BINS);
        let mut sums = RankSums::new(1, 1, &[]);
        sums.bounds = vec![distinct[1..].to_vec()];
        sums.counts = vec![vec![0; distinct.len()]];
        sums.sums = vec![vec![0; distinct.len()]];
        // Two halves merged, as shards would be.
        let mut halves = [sums.clone(), sums];
        for i in 0..n {
            halves[i % 2].add(&[y[i]], &[reference.rank2(0, x[i])]);
        }
        let [a, b] = halves;
        let merged = a.merge(&b).unwrap();
        let exact = correlation(&ranks(&x), &ranks(&y));
        assert!(exact > 0.3, "{exact}");
        assert!(
            (merged.rho(0, 0) - exact).abs() < 1e-12,
            "{} vs {exact}",
            merged.rho(0, 0)
        );
        // A constant metric has no correlation.
        let mut flat = RankSums::new(1, 1, &[1.0; 10]);
        flat.add(&[1.0], &[3]);
        flat.add(&[1.0], &[9]);
        assert_eq!(flat.rho(0, 0), 0.0);
    }
}
