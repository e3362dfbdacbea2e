//! Outputs of `calibrate`, `calibrate --check` and `backtest`.
//!
//! Each command's folder (`calibrate/`, `check/`, `backtest/`) is built
//! whole in a hidden sibling folder and then swapped in, so it holds one
//! run's files only: a refused calibration leaves no `posterior.csv` from an
//! earlier one beside its diagnostics, and a failed write leaves the old
//! folder as it was.

use serde_json::{Value, json};

use super::chart::{self, calibration as figs};
use super::{Files, OutputError};
use crate::calibration::backtest::Backtest;
use crate::calibration::check::{Marginal, POINTS, Predictive};
use crate::calibration::sbc::Check;
use crate::calibration::{Calibration, Fit};
use crate::scenario::Scenario;

fn encode(name: &'static str, e: impl std::fmt::Display) -> OutputError {
    OutputError::Encode {
        name,
        message: e.to_string(),
    }
}

/// `posterior.csv`: one row per particle — weight, every unknown by path,
/// distance (root mean square of the standardised residuals).
pub fn posterior_csv(cal: &Calibration) -> Result<Vec<u8>, OutputError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["weight".to_string()];
    header.extend(cal.unknowns.parameter_paths());
    header.push("distance".into());
    w.write_record(&header)
        .map_err(|e| encode("posterior.csv", e))?;
    let p = &cal.population;
    let (k, width) = (cal.unknowns.len(), cal.unknowns.width());
    for i in 0..p.len() {
        let mut row = vec![format!("{}", p.weights[i])];
        row.extend(
            p.values[i * width..i * width + k]
                .iter()
                .map(|v| format!("{v}")),
        );
        row.push(format!("{}", p.distance(i, cal.rows)));
        w.write_record(&row)
            .map_err(|e| encode("posterior.csv", e))?;
    }
    super::csv::finish(w, "posterior.csv")
}

/// `prior_posterior.csv`.
pub fn marginals_csv(m: &[Marginal]) -> Result<Vec<u8>, OutputError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "parameter",
        "prior_p05",
        "prior_p50",
        "prior_p95",
        "prior_sd",
        "posterior_p05",
        "posterior_p50",
        "posterior_p95",
        "posterior_sd",
        "sd_ratio",
        "informed",
    ])
    .map_err(|e| encode("prior_posterior.csv", e))?;
    for x in m {
        let mut row = vec![x.path.clone()];
        row.extend(x.prior.iter().map(|v| format!("{v}")));
        row.push(format!("{}", x.prior_sd));
        row.extend(x.posterior.iter().map(|v| format!("{v}")));
        row.push(format!("{}", x.posterior_sd));
        row.push(format!("{}", ratio(x)));
        row.push(
            if x.informed {
                "yes"
            } else {
                "not informed by these data"
            }
            .into(),
        );
        w.write_record(&row)
            .map_err(|e| encode("prior_posterior.csv", e))?;
    }
    super::csv::finish(w, "prior_posterior.csv")
}

fn ratio(m: &Marginal) -> f64 {
    if m.prior_sd > 0.0 {
        m.posterior_sd / m.prior_sd
    } else {
        1.0
    }
}

/// `predictive.csv`: each checked figure, its predictive points, PIT and CRPS.
pub fn predictive_csv(p: &Predictive, name: &'static str) -> Result<Vec<u8>, OutputError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["metric", "scope", "year", "observed"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(
        POINTS
            .iter()
            .map(|q| format!("p{:02}", (q * 100.0).round())),
    );
    header.extend(["pit", "crps", "inside_50", "inside_90"].map(String::from));
    w.write_record(&header).map_err(|e| encode(name, e))?;
    for r in &p.rows {
        let mut row = vec![
            r.metric.name().to_string(),
            r.scope.clone(),
            r.year.to_string(),
            format!("{}", r.observed),
        ];
        row.extend(r.points.iter().map(|v| format!("{v}")));
        row.push(format!("{}", r.pit));
        row.push(format!("{}", r.crps));
        row.push(r.inside(0.5).to_string());
        row.push(r.inside(0.9).to_string());
        w.write_record(&row).map_err(|e| encode(name, e))?;
    }
    super::csv::finish(w, name)
}

fn generations_json(cal: &Calibration) -> Value {
    Value::Array(
        cal.generations
            .iter()
            .enumerate()
            .map(|(t, g)| {
                json!({
                    "generation": t,
                    "tolerance": if g.tolerance.is_finite() { json!(g.tolerance) } else { json!("prior") },
                    "simulations": g.simulations,
                    "accepted": g.accepted,
                    "acceptance_rate": g.acceptance,
                    "effective_sample_size": g.ess,
                })
            })
            .collect(),
    )
}

fn predictive_json(p: &Predictive) -> Value {
    json!({
        "draws": p.draws,
        "observations": p.rows.len(),
        "inside_50": p.inside(0.5),
        "inside_80": p.inside(0.8),
        "inside_90": p.inside(0.9),
        "pit": p.rows.iter().map(|r| r.pit).collect::<Vec<_>>(),
    })
}

/// `diagnostics.json`.
pub fn diagnostics_json(
    sc: &Scenario,
    fit: &Fit,
    cal: &Calibration,
    marginals: &[Marginal],
    predictive: &Predictive,
) -> Result<Vec<u8>, OutputError> {
    let s = &cal.settings;
    let (median, limit) = crate::calibration::abc::misfit(&cal.population, fit.len());
    let v = json!({
        "scenario": sc.meta.name,
        "scenario_file": sc.file.display().to_string(),
        "history_file": fit.history.file.display().to_string(),
        "method": "ABC-SMC with MCMC moves: Gaussian reporting-error kernel exp(-S/2ε²) (exact at ε = 1), adaptive tolerance keeping half the effective sample size, systematic resampling, random-walk Metropolis-Hastings moves; see src/calibration/abc.rs",
        "seed": s.seed,
        "particles": s.particles,
        "observations": fit.len(),
        "simulations": cal.simulations,
        "stopping_reason": cal.stop.name(),
        "posterior": cal.is_posterior(),
        "refusal": cal.refusal,
        "final_tolerance": cal.tolerance(),
        "final_effective_sample_size": cal.population.ess(),
        "fit": {
            "median_sum_of_squared_standardised_residuals": median,
            "limit_chi2_999": limit,
        },
        "settings": {
            "target_tolerance": s.tolerance,
            "min_effective_sample_size": s.min_ess,
            "min_acceptance_rate": s.min_acceptance,
            "max_simulations": s.max_simulations,
            "max_generations": s.max_generations,
        },
        "generations": generations_json(cal),
        "parameters": marginals.iter().map(|m| json!({
            "path": m.path,
            "prior": { "p05": m.prior[0], "p50": m.prior[1], "p95": m.prior[2], "sd": m.prior_sd },
            "posterior": { "p05": m.posterior[0], "p50": m.posterior[1], "p95": m.posterior[2], "sd": m.posterior_sd },
            "sd_ratio": ratio(m),
            "informed": m.informed,
        })).collect::<Vec<_>>(),
        "not_calibrated": cal.unknowns.excluded,
        "predictive_check": predictive_json(predictive),
    });
    serde_json::to_vec_pretty(&v).map_err(|e| encode("diagnostics.json", e))
}

/// Every file of a calibration's folder.
pub fn calibration_files(
    sc: &Scenario,
    fit: &Fit,
    cal: &Calibration,
    marginals: &[Marginal],
    predictive: &Predictive,
    charts: Option<&chart::Look>,
) -> Result<Files, OutputError> {
    let mut files: Files = vec![
        (
            "diagnostics.json".into(),
            diagnostics_json(sc, fit, cal, marginals, predictive)?,
        ),
        ("prior_posterior.csv".into(), marginals_csv(marginals)?),
        (
            "predictive.csv".into(),
            predictive_csv(predictive, "predictive.csv")?,
        ),
    ];
    // A refused population is kept for diagnosis, under a name no run reads.
    let name = if cal.is_posterior() {
        "posterior.csv"
    } else {
        "population-not-a-posterior.csv"
    };
    files.push((name.into(), posterior_csv(cal)?));
    if let Some(look) = charts {
        super::font::register(look.font.as_deref()).map_err(OutputError::Chart)?;
        let zh = sc.meta.language == "zh";
        let fig = figs::PriorPosterior::new(marginals, zh);
        push_chart(look, &mut files, "prior-posterior", fig.title.clone(), &fig)?;
        for (name, fig) in figs::PredictiveFan::all(predictive, zh) {
            let title = fig.title.clone();
            push_chart(look, &mut files, &name, title, &fig)?;
        }
    }
    Ok(files)
}

fn push_chart(
    look: &chart::Look,
    files: &mut Files,
    name: &str,
    title: String,
    fig: &impl chart::Figure,
) -> Result<(), OutputError> {
    let r = chart::render(name.into(), title, fig, look.scale).map_err(OutputError::Chart)?;
    files.push((format!("charts/{name}.svg"), r.svg.into_bytes()));
    files.push((format!("charts/{name}.png"), r.png));
    Ok(())
}

/// Every file of a back-test's folder: `backtest.csv`, `backtest.json` and
/// its charts, with the calibration's diagnostics beside them.
#[allow(clippy::too_many_arguments)]
pub fn backtest_files(
    sc: &Scenario,
    fit: &Fit,
    cal: &Calibration,
    marginals: &[Marginal],
    fitted_check: &Predictive,
    held_out: &Predictive,
    bt: &Backtest,
    charts: Option<&chart::Look>,
) -> Result<Files, OutputError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "metric",
        "scope",
        "year",
        "observed",
        "p05",
        "p50",
        "p95",
        "pit",
        "crps",
        "inside_50",
        "inside_80",
        "inside_90",
        "last_value",
        "last_value_error",
        "trend",
        "trend_error",
    ])
    .map_err(|e| encode("backtest.csv", e))?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
    for r in &bt.rows {
        let c = &r.check;
        w.write_record([
            c.metric.name().to_string(),
            c.scope.clone(),
            c.year.to_string(),
            format!("{}", c.observed),
            format!("{}", c.points[0]),
            format!("{}", c.points[3]),
            format!("{}", c.points[6]),
            format!("{}", c.pit),
            format!("{}", c.crps),
            c.inside(0.5).to_string(),
            c.inside(0.8).to_string(),
            c.inside(0.9).to_string(),
            opt(r.last_value),
            opt(r.last_value.map(|x| (x - c.observed).abs())),
            opt(r.trend),
            opt(r.trend.map(|x| (x - c.observed).abs())),
        ])
        .map_err(|e| encode("backtest.csv", e))?;
    }
    let csv = super::csv::finish(w, "backtest.csv")?;
    let crps = bt.mean_crps();
    let n = bt.rows.len();
    let json = json!({
        "scenario": sc.meta.name,
        "history_file": fit.history.file.display().to_string(),
        "cutoff": bt.cutoff,
        "fitted_observations": fit.len(),
        "held_out_observations": n,
        "calibration": {
            "posterior": cal.is_posterior(),
            "stopping_reason": cal.stop.name(),
            "refusal": cal.refusal,
            "final_tolerance": cal.tolerance(),
            "simulations": cal.simulations,
            "generations": generations_json(cal),
        },
        "coverage": {
            "inside_50": bt.inside(0.5),
            "inside_80": bt.inside(0.8),
            "inside_90": bt.inside(0.9),
            "of": n,
        },
        "pit": bt.rows.iter().map(|r| r.check.pit).collect::<Vec<_>>(),
        "mean_crps": {
            "model": crps.model,
            "compared_with_baselines": {
                "observations": crps.compared,
                "model": crps.model_compared,
                "last_value": crps.last_value,
                "trend": crps.trend,
            },
        },
        "fitted_years_check": predictive_json(fitted_check),
    });
    let mut files: Files = vec![
        ("backtest.csv".into(), csv),
        (
            "backtest.json".into(),
            serde_json::to_vec_pretty(&json).map_err(|e| encode("backtest.json", e))?,
        ),
        ("prior_posterior.csv".into(), marginals_csv(marginals)?),
    ];
    if let Some(look) = charts {
        super::font::register(look.font.as_deref()).map_err(OutputError::Chart)?;
        let zh = sc.meta.language == "zh";
        for (name, mut fig) in figs::PredictiveFan::all(held_out, zh) {
            fig.baselines = bt
                .rows
                .iter()
                .filter(|r| r.check.metric.name() == fig.metric && r.check.scope == fig.scope)
                .map(|r| (r.check.year, r.last_value, r.trend))
                .collect();
            let title = fig.title.clone();
            push_chart(
                look,
                &mut files,
                &name.replace("predictive", "backtest"),
                title,
                &fig,
            )?;
        }
    }
    Ok(files)
}

/// Every file of a check's folder: `check.json`, `check.csv`, the rank histograms.
pub fn check_files(
    sc: &Scenario,
    check: &Check,
    charts: Option<&chart::Look>,
) -> Result<Files, OutputError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["parameter", "cases", "inside_90", "coverage", "low", "high"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend((0..crate::calibration::sbc::BINS).map(|b| format!("rank_bin_{b}")));
    w.write_record(&header)
        .map_err(|e| encode("check.csv", e))?;
    for c in &check.coverage {
        let i = c.interval();
        let mut row = vec![
            c.path.clone(),
            c.cases.to_string(),
            c.inside.to_string(),
            format!("{}", i.p),
            format!("{}", i.low),
            format!("{}", i.high),
        ];
        row.extend(c.ranks.iter().map(|r| r.to_string()));
        w.write_record(&row).map_err(|e| encode("check.csv", e))?;
    }
    let csv = super::csv::finish(w, "check.csv")?;
    let (inside, total) = check.pooled();
    let json = json!({
        "scenario": sc.meta.name,
        "cases": check.cases,
        "refused": check.refused,
        "nominal": 0.9,
        "pooled": { "inside_90": inside, "of": total },
        "parameters": check.coverage.iter().map(|c| {
            let i = c.interval();
            json!({
                "path": c.path, "cases": c.cases, "inside_90": c.inside,
                "coverage": i.p, "interval_95": [i.low, i.high],
                "nominal_inside_interval": i.low <= 0.9 && 0.9 <= i.high,
                "rank_histogram": c.ranks,
            })
        }).collect::<Vec<_>>(),
    });
    let mut files: Files = vec![
        ("check.csv".into(), csv),
        (
            "check.json".into(),
            serde_json::to_vec_pretty(&json).map_err(|e| encode("check.json", e))?,
        ),
    ];
    if let Some(look) = charts {
        super::font::register(look.font.as_deref()).map_err(OutputError::Chart)?;
        let zh = sc.meta.language == "zh";
        let fig = figs::RankHistograms::new(check, zh);
        push_chart(look, &mut files, "ranks", fig.title.clone(), &fig)?;
    }
    Ok(files)
}
