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
//! Parameters are ranked by the absolute swing (ties by |ρ|). A parameter
//! that ranks high is where better data, or a policy that moves it, would
//! change the answer most. Both measures are marginal: correlated inputs
//! share credit, which the report says.

use serde::{Deserialize, Serialize};

use crate::engine::RunResult;
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

/// Ranks the parameters' influence on every target of a finished run.
pub fn analyse(sc: &Scenario, r: &RunResult) -> Sensitivity {
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
                let o = &orders[k];
                let (lo, hi) = (share(&o[..decile]), share(&o[n - decile..]));
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
    Sensitivity {
        scenario: sc.meta.name.clone(),
        label: sc.meta.label.clone(),
        seed: r.options.seed,
        trajectories: n as u64,
        method: "swing: P(met) in the parameter's top decile minus its bottom decile; rank_correlation: Spearman's rho with the target's metric in its year; marginal measures (correlated inputs share credit)".into(),
        targets,
    }
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
