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
//! `wfsim sensitivity` counts the swing over every trajectory into deciles
//! fixed before the run ([`Deciles`]: from reference draws of the
//! unknowns), so its memory does not grow with the run and the counts of
//! shards add up; ρ is over the first trajectories, whose records every run
//! keeps. The explanation of a run's near-certain answers ranks on those
//! records alone, with their own deciles ([`analyse`]).
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

/// Ranks from the records, with the swing from `counts` when given (the
/// decile counts of every trajectory of a [`SensitivityPart`]).
fn rank(sc: &Scenario, r: &RunResult, counts: Option<&DecileCounts>) -> Sensitivity {
    let rec = &r.records;
    // The kept trajectories: all of them when the run kept them all.
    let n = rec.len();
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
                    rank_correlation: correlation(&param_ranks[k], &metric_ranks),
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
            "swing: P(met) among all trajectories whose draw of the parameter is in its top decile minus its bottom decile (deciles of {REFERENCE_DRAWS} reference draws of the unknowns, fixed before the run); rank_correlation: Spearman's rho with the target's metric in its year, over the first {n} trajectories; marginal measures (correlated inputs share credit)"
        ),
        None => "swing: P(met) in the parameter's top decile minus its bottom decile; rank_correlation: Spearman's rho with the target's metric in its year; marginal measures (correlated inputs share credit)".into(),
    };
    Sensitivity {
        scenario: sc.meta.name.clone(),
        label: sc.meta.label.clone(),
        seed: r.options.seed,
        trajectories: counts.map_or(n as u64, |_| r.options.trajectories),
        method,
        targets,
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
        let tenth = m / 10;
        let (mut low, mut high) = (vec![0.0; np], vec![0.0; np]);
        for k in 0..np {
            let mut col: Vec<f64> = draws.iter().skip(k).step_by(np).copied().collect();
            col.sort_by(f64::total_cmp);
            low[k] = col[tenth - 1];
            high[k] = col[m - tenth];
        }
        Deciles { low, high }
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
    let deciles = Deciles::of(sc, opts.seed, &crate::engine::runner::pool(opts.threads)?);
    // Every trajectory's draws and values until they are counted, a slice
    // at a time; then only the records a run keeps.
    let kept = opts.keep.of(opts.trajectories);
    let mut acc: Option<SensitivityPart> = None;
    for slice in slices(range) {
        let run = simulate(sc, opts.keeping_all(), slice, progress, cancel)?;
        let counts = count_deciles(sc, &run, &deciles);
        let part = SensitivityPart {
            run: run.keep_first(kept),
            deciles: deciles.clone(),
            counts,
        };
        acc = Some(match acc {
            None => part,
            Some(a) => a.merge(part).map_err(|_| RunError::Malformed("slices"))?,
        });
    }
    acc.ok_or(RunError::Malformed("slices"))
}

/// The decile counts of the trajectories of `run` (which keeps them all).
fn count_deciles(sc: &Scenario, run: &Partial, deciles: &Deciles) -> DecileCounts {
    let (nt, np) = (run.targets, run.params);
    let mut counts = vec![[0u64; 4]; (nt + 1) * np];
    let mut met = vec![false; nt + 1];
    for piece in &run.pieces {
        let rows = (piece.end - piece.start) as usize;
        for i in 0..rows {
            let values = &piece.values[i * nt..(i + 1) * nt];
            for (t, tg) in sc.targets.iter().enumerate() {
                met[t] = tg.op.holds(values[t], tg.threshold);
            }
            met[nt] = met[..nt].iter().all(|&m| m);
            for (k, &x) in piece.params[i * np..(i + 1) * np].iter().enumerate() {
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
    DecileCounts { params: np, counts }
}

/// The analysis from the part of every trajectory (one machine's, or the
/// merge of its shards'): the swing over all of them, ρ over the records
/// kept. Also returns the run's results.
pub fn sensitivity_of(
    sc: &Scenario,
    part: SensitivityPart,
) -> Result<(Sensitivity, RunResult), RunError> {
    let r = assemble(sc, part.run)?;
    Ok((rank(sc, &r, Some(&part.counts)), r))
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
}
