//! Sweeps (`wfsim sweep`): one or two levers over a grid. Every grid point is
//! the scenario with those values set (validated as a whole, as variants
//! are), run with the same seed — common random numbers, so neighbouring
//! points differ by the lever, not by noise.

use serde::{Deserialize, Serialize};

use crate::engine::precision::{Spend, run_until, widest};
use std::ops::Range;

use crate::engine::{
    Keep, MetricScopes, Partial, RunError, RunOptions, RunResult, assemble, simulate,
};
use crate::scenario::{Scenario, ScenarioErrors};

/// A lever and the values it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// A dotted path of the scenario file, e.g. `levers.exam_support.reward`.
    pub path: String,
    pub values: Vec<f64>,
    /// What the lever is called in the briefing ([`Scenario::parameter_label`]).
    #[serde(default)]
    pub label: String,
}

impl Axis {
    /// Parses `PATH=v1,v2,v3` or `PATH=from..to:points`.
    pub fn parse(s: &str) -> Result<Axis, String> {
        let (path, spec) = s
            .split_once('=')
            .ok_or_else(|| format!("expected PATH=VALUES, found {s:?}"))?;
        let num = |x: &str| {
            x.trim()
                .replace('_', "")
                .parse::<f64>()
                .map_err(|_| format!("expected a number, found {x:?} in {s:?}"))
        };
        let values = if let Some((range, k)) = spec.split_once(':') {
            let (a, b) = range
                .split_once("..")
                .ok_or_else(|| format!("expected FROM..TO:POINTS, found {spec:?}"))?;
            let (a, b) = (num(a)?, num(b)?);
            let k: usize = k
                .trim()
                .parse()
                .map_err(|_| format!("expected a number of points, found {k:?}"))?;
            if !(2..=101).contains(&k) {
                return Err(format!("expected 2 to 101 points, found {k}"));
            }
            (0..k)
                .map(|i| a + (b - a) * i as f64 / (k - 1) as f64)
                .collect()
        } else {
            spec.split(',').map(num).collect::<Result<Vec<_>, _>>()?
        };
        if values.is_empty() {
            return Err(format!("no values in {s:?}"));
        }
        Ok(Axis {
            path: path.trim().to_string(),
            values,
            label: String::new(),
        })
    }
}

/// One target's (or the joint's) probability at a grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub p_met: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// A grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The value of each axis.
    pub values: Vec<f64>,
    /// Each target in file order, then the joint.
    pub outcomes: Vec<Outcome>,
    /// Mean money spent over the projected years (yuan).
    pub spend: f64,
    /// Trajectories run at this point (with `--precision`, more where the
    /// answer is close to even, fewer where it is near 0 or 1).
    #[serde(default)]
    pub trajectories: u64,
}

/// A sweep's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    pub scenario: String,
    pub label: String,
    pub seed: u64,
    pub trajectories: u64,
    pub axes: Vec<Axis>,
    /// Target ids in file order, then "joint".
    pub targets: Vec<String>,
    pub target_labels: Vec<String>,
    /// Points in row-major order of the axes (the last axis varies fastest).
    pub points: Vec<Point>,
}

/// What a run of a scenario yields for the analyses: each target's and the
/// joint's probability, and the spend.
pub(crate) fn outcomes(sc: &Scenario, r: &RunResult) -> (Vec<Outcome>, f64) {
    let mut out: Vec<Outcome> = r
        .targets
        .iter()
        .map(|t| Outcome {
            p_met: t.p_met,
            ci_low: t.ci_low,
            ci_high: t.ci_high,
        })
        .collect();
    out.push(Outcome {
        p_met: r.joint.p,
        ci_low: r.joint.low,
        ci_high: r.joint.high,
    });
    let spend = r
        .metrics
        .iter()
        .filter(|m| m.metric == "spend" && m.scope == "total" && m.year > sc.start_year)
        .map(|m| m.mean)
        .sum();
    (out, spend)
}

/// Why a sweep cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Scenario(ScenarioErrors),
    #[error("{0}")]
    Run(#[from] RunError),
    #[error("a sweep takes one or two levers, not {0}")]
    Axes(usize),
    #[error("the partial results hold {parts} points where the sweep has {points}")]
    Parts { points: usize, parts: usize },
}

/// Runs every grid point with the options' trajectory count.
pub fn sweep(
    base: &Scenario,
    axes: &[Axis],
    opts: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Sweep, SweepError> {
    let grid = Grid::new(base, axes)?;
    sweep_spending(base, &grid, opts, Spend::Fixed, progress)
}

/// A sweep's grid: each point's lever values (row-major, the last axis
/// fastest) and its scenario, all built and validated before any is run,
/// so that a bad value fails first — and built once, from one parse of
/// the file, whatever runs the points (a whole sweep, a shard, a merge).
#[derive(Debug, Clone)]
pub struct Grid {
    axes: Vec<Axis>,
    values: Vec<Vec<f64>>,
    scenarios: Vec<Scenario>,
}

impl Grid {
    pub fn new(base: &Scenario, axes: &[Axis]) -> Result<Grid, SweepError> {
        if axes.is_empty() || axes.len() > 2 {
            return Err(SweepError::Axes(axes.len()));
        }
        let values: Vec<Vec<f64>> = match axes.get(1) {
            None => axes[0].values.iter().map(|&v| vec![v]).collect(),
            Some(b) => axes[0]
                .values
                .iter()
                .flat_map(|&x| b.values.iter().map(move |&y| vec![x, y]))
                .collect(),
        };
        let sets: Vec<Vec<(String, toml::Value)>> = values
            .iter()
            .map(|vals| {
                axes.iter()
                    .zip(vals)
                    .map(|(a, &v)| (a.path.clone(), toml::Value::Float(v)))
                    .collect()
            })
            .collect();
        let scenarios = base.with_each_values(&sets).map_err(SweepError::Scenario)?;
        Ok(Grid {
            axes: axes.to_vec(),
            values,
            scenarios,
        })
    }

    /// The scenario of each point, in the grid's order.
    pub fn scenarios(&self) -> &[Scenario] {
        &self.scenarios
    }
}

/// A point reads its targets and the total spend only: it keeps no records,
/// runs no twins and counts no region's metrics.
fn point_options(opts: RunOptions) -> RunOptions {
    RunOptions {
        keep: Keep::Nothing,
        metrics: MetricScopes::Total,
        ..opts
    }
}

/// Runs every grid point, each with the trajectories `spend` allows: with
/// a precision, a point runs until every target's interval there is that
/// narrow, so points whose answers are near 0 or 1 stop early and the
/// trajectories go where the probabilities (and their contours) change.
pub fn sweep_spending(
    base: &Scenario,
    grid: &Grid,
    opts: RunOptions,
    spend: Spend,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Sweep, SweepError> {
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let opts = point_options(opts);
    let mut points = Vec::with_capacity(grid.values.len());
    // Each point is summed up as soon as it has run, so that one point's
    // aggregate is held at a time, not the whole grid's.
    let mut ran = None;
    for (vals, sc) in grid.values.iter().zip(&grid.scenarios) {
        let r = match spend {
            Spend::Fixed => assemble(
                sc,
                &simulate(sc, opts, 0..opts.trajectories, progress, &cancel)?,
            )?,
            Spend::UpTo { precision, ceiling } => {
                run_until(sc, opts, precision, ceiling, &widest, progress, &cancel)?.result
            }
        };
        ran = Some(r.options);
        points.push(point(vals.clone(), sc, &r));
    }
    // A fixed count reports the options its points ran with, as
    // `sweep_merged` does (the same sweep whether run whole or in shards).
    let opts = match spend {
        Spend::Fixed => ran.ok_or(SweepError::Axes(0))?,
        Spend::UpTo { .. } => opts,
    };
    Ok(finish(base, &grid.axes, opts, points))
}

/// Runs trajectories `range` of every grid point: the part of a sweep one
/// machine (or shard) does, a [`Partial`] per point.
pub fn sweep_part(
    grid: &Grid,
    opts: RunOptions,
    range: Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Partial>, SweepError> {
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let opts = point_options(opts);
    grid.scenarios
        .iter()
        .map(|sc| Ok(simulate(sc, opts, range.clone(), progress, &cancel)?))
        .collect()
}

/// The sweep from every point's part over all trajectories (one machine's,
/// or the merge of its shards').
pub fn sweep_merged(
    base: &Scenario,
    grid: &Grid,
    parts: Vec<Partial>,
) -> Result<Sweep, SweepError> {
    if parts.len() != grid.values.len() {
        return Err(SweepError::Parts {
            points: grid.values.len(),
            parts: parts.len(),
        });
    }
    let mut opts = None;
    let mut out = Vec::with_capacity(parts.len());
    for ((vals, sc), part) in grid.values.iter().zip(&grid.scenarios).zip(parts) {
        let r = assemble(sc, &part)?;
        opts = Some(r.options);
        out.push(point(vals.clone(), sc, &r));
    }
    let opts = opts.ok_or(SweepError::Axes(0))?;
    Ok(finish(base, &grid.axes, opts, out))
}

fn point(values: Vec<f64>, sc: &Scenario, r: &RunResult) -> Point {
    let (outcomes, spend) = outcomes(sc, r);
    Point {
        values,
        outcomes,
        spend,
        trajectories: r.options.trajectories,
    }
}

fn finish(base: &Scenario, axes: &[Axis], opts: RunOptions, points: Vec<Point>) -> Sweep {
    let zh = base.meta.language == "zh";
    Sweep {
        scenario: base.meta.name.clone(),
        label: base.meta.label.clone(),
        seed: opts.seed,
        trajectories: opts.trajectories,
        axes: axes
            .iter()
            .map(|a| Axis {
                label: base.parameter_label(&a.path),
                ..a.clone()
            })
            .collect(),
        targets: base
            .targets
            .iter()
            .map(|t| t.id.clone())
            .chain(std::iter::once("joint".into()))
            .collect(),
        target_labels: base
            .targets
            .iter()
            .map(|t| t.label.clone())
            .chain(std::iter::once(if zh {
                "全部目标同时实现".into()
            } else {
                "All targets together".into()
            }))
            .collect(),
        points,
    }
}

/// `sweep.csv`: a row per grid point: the lever values, then each target's
/// probability and interval, then the spend.
pub fn to_csv(s: &Sweep) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = s.axes.iter().map(|a| a.path.clone()).collect();
    for t in &s.targets {
        head.extend([
            format!("{t}.p_met"),
            format!("{t}.ci_low"),
            format!("{t}.ci_high"),
        ]);
    }
    head.extend(["spend".into(), "trajectories".into()]);
    w.write_record(&head)?;
    for p in &s.points {
        let mut row: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
        for o in &p.outcomes {
            row.extend([
                o.p_met.to_string(),
                o.ci_low.to_string(),
                o.ci_high.to_string(),
            ]);
        }
        row.extend([p.spend.to_string(), p.trajectories.to_string()]);
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_parse_lists_and_ranges() {
        assert_eq!(
            Axis::parse("a.b=1,2,3").unwrap().values,
            vec![1.0, 2.0, 3.0]
        );
        assert_eq!(
            Axis::parse("a.b=0..1:5").unwrap().values,
            vec![0.0, 0.25, 0.5, 0.75, 1.0]
        );
        assert_eq!(
            Axis::parse("a.b=1_000,2_000").unwrap().values,
            vec![1000.0, 2000.0]
        );
        assert!(Axis::parse("a.b").unwrap_err().contains("PATH=VALUES"));
        assert!(Axis::parse("a.b=1,x").unwrap_err().contains("\"x\""));
        assert!(Axis::parse("a.b=0..1:1").unwrap_err().contains("2 to 101"));
    }
}
