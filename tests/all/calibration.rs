//! Calibration and back-testing, checked where the truth is known: a history
//! simulated from fixed parameters is fitted, the procedure's coverage is
//! checked on synthetic histories, an unreachable history is refused, and
//! a seed gives the same posterior at any thread count.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use wfsim::calibration::check::{marginals, weighted_quantiles};
use wfsim::calibration::observe::value;
use wfsim::calibration::{Fit, Settings, calibrate};
use wfsim::model::Trajectory;
use wfsim::model::params::Pinned;
use wfsim::model::streams::Streams;
use wfsim::scenario::{History, Scenario};

use crate::common::{parse, quiet_scenario, wfsim};

/// An exam-only place: 2,000 outside candidates a year, growing at an
/// unknown rate, passing at an unknown rate.
fn exam_scenario() -> String {
    quiet_scenario(
        6,
        "outside_candidates = 2000\n[region.stocks]\njunior = 500",
        &[(
            "parameters.exam",
            "junior_pass_rate = { dist = \"uniform\", min = 0.1, max = 0.4 }\noutside_growth = { dist = \"uniform\", min = 0.0, max = 0.3 }\noutside_intermediate_share = 0",
        )],
        "",
    )
}

const TRUTH: [(&str, f64); 2] = [
    ("parameters.exam.junior_pass_rate", 0.25),
    ("parameters.exam.outside_growth", 0.12),
];

/// A history CSV of registrants and certificates issued, 2021–2026,
/// simulated from the truth with trajectory `seed`'s chance.
fn simulated_history(sc: &Scenario, seed: u64, scale: f64) -> String {
    let paths: Vec<String> = TRUTH.iter().map(|t| t.0.to_string()).collect();
    let row: Vec<f64> = TRUTH.iter().map(|t| t.1).collect();
    let pinned = Pinned::resolve(sc, &paths).unwrap();
    let mut traj = Trajectory::new(sc);
    traj.run_pinned(sc, &Streams::new(seed, 0), &pinned, &row);
    let mut csv = String::from("metric,scope,year,observed,rel_error\n");
    for y in 1..=6 {
        for m in ["registrants", "certificates_issued"] {
            let metric = wfsim::scenario::Metric::from_name(m).unwrap();
            let v = value(&traj, &wfsim::scenario::Scope::Total, metric, y);
            csv.push_str(&format!("{m},total,{},{},0.03\n", 2020 + y, v * scale));
        }
    }
    csv
}

fn fit_of(sc: &Scenario, csv: &str) -> Fit {
    let h = History::parse(Path::new("history.csv"), csv, sc).unwrap();
    Fit::new(h, 0.05)
}

#[test]
fn the_posterior_holds_the_truth_it_was_simulated_from() {
    let sc = parse(&exam_scenario());
    let fit = fit_of(&sc, &simulated_history(&sc, 11, 1.0));
    let cal = calibrate(
        &sc,
        &fit,
        Settings::new(300, 5),
        &|_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(cal.is_posterior(), "{:?}", cal.refusal);
    let k = cal.unknowns.width();
    for (c, (path, truth)) in TRUTH.iter().enumerate() {
        assert_eq!(cal.unknowns.specs[c].path, *path);
        let x: Vec<f64> = (0..cal.population.len())
            .map(|i| cal.population.values[i * k + c])
            .collect();
        let q = weighted_quantiles(&x, &cal.population.weights, &[0.05, 0.95]);
        assert!(
            q[0] <= *truth && *truth <= q[1],
            "{path}: 90% interval [{}, {}] misses the truth {truth}",
            q[0],
            q[1]
        );
    }
    // The data inform both numbers: each posterior is far narrower than its prior.
    for m in marginals(
        &cal.unknowns,
        &cal.population.values,
        &cal.population.weights,
        5,
    ) {
        assert!(m.informed && m.posterior_sd < 0.5 * m.prior_sd, "{m:?}");
    }
}

#[test]
fn ninety_percent_intervals_hold_the_truth_about_ninety_percent_of_the_time() {
    // Simulation-based calibration on 40 synthetic histories: each
    // parameter's coverage must hold 0.9 inside its 95% Wilson interval.
    let sc = parse(&exam_scenario());
    let fit = fit_of(&sc, &simulated_history(&sc, 11, 1.0));
    let check = wfsim::calibration::sbc::check(
        &sc,
        &fit,
        Settings::new(150, 9),
        40,
        &|_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(check.refused, 0);
    for c in &check.coverage {
        let i = c.interval();
        assert_eq!(c.cases, 40);
        assert!(
            i.low <= 0.9 && 0.9 <= i.high,
            "{}: {} of {} inside, interval [{:.2}, {:.2}]",
            c.path,
            c.inside,
            c.cases,
            i.low,
            i.high
        );
    }
}

/// A folder holding the exam scenario and a history `scale` times the simulated one.
fn workdir(scale: f64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = exam_scenario();
    std::fs::write(dir.path().join("exam.toml"), &text).unwrap();
    let csv = simulated_history(&parse(&text), 11, scale);
    std::fs::write(dir.path().join("history.csv"), csv).unwrap();
    dir
}

const FAST: [&str; 6] = [
    "--particles",
    "200",
    "--predictive-draws",
    "200",
    "--no-charts",
    "-q",
];

#[test]
fn a_history_out_of_the_models_reach_is_refused_with_its_numbers() {
    let dir = workdir(10.0);
    let mut args = vec!["calibrate", "exam.toml", "--history", "history.csv"];
    args.extend(FAST);
    let (code, out, err) = wfsim(&args, dir.path());
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("not a posterior"), "{err}");
    let folder = dir.path().join("outputs/test/calibrate");
    assert!(!folder.join("posterior.csv").exists());
    assert!(folder.join("population-not-a-posterior.csv").exists());
    let d: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("diagnostics.json")).unwrap()).unwrap();
    assert_eq!(d["posterior"], false);
    let refusal = d["refusal"].to_string();
    assert!(refusal.contains("out of the model's reach"), "{refusal}");
    assert!(
        d["fit"]["median_sum_of_squared_standardised_residuals"]
            .as_f64()
            .unwrap()
            > d["fit"]["limit_chi2_999"].as_f64().unwrap()
    );
    assert!(!d["generations"].as_array().unwrap().is_empty());
}

#[test]
fn one_seed_gives_the_same_posterior_at_one_and_two_threads() {
    let dir = workdir(1.0);
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = format!("cal-{threads}");
        let mut args = vec![
            "calibrate",
            "exam.toml",
            "--history",
            "history.csv",
            "-s",
            "3",
            "-j",
            threads,
            "--force-threads",
            "-o",
            &out,
        ];
        // The second run draws its charts at 2×: charts never touch the fit.
        if threads == "2" {
            args.extend(FAST.iter().filter(|a| **a != "--no-charts"));
            args.extend(["--scale", "2"]);
        } else {
            args.extend(FAST);
        }
        let (code, o, e) = wfsim(&args, dir.path());
        assert_eq!(code, 0, "{o}{e}");
        files.push(std::fs::read(dir.path().join(&out).join("posterior.csv")).unwrap());
    }
    assert_eq!(files[0], files[1]);
    // A BOM for Excel, which the posterior's own reader skips.
    assert!(files[0].starts_with("\u{feff}weight,parameters.exam.junior_pass_rate".as_bytes()));
    let p = wfsim::scenario::Posterior::read(&dir.path().join("cal-1/posterior.csv")).unwrap();
    assert_eq!(p.paths[0], "parameters.exam.junior_pass_rate");
    let png = std::fs::read(dir.path().join("cal-2/charts/prior-posterior.png")).unwrap();
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(
        width, 2000,
        "--scale 2 draws the calibration's charts at 2×"
    );
}

#[test]
fn a_run_draws_the_parameters_a_posterior_holds_from_it() {
    let dir = workdir(1.0);
    std::fs::write(
        dir.path().join("posterior.csv"),
        "weight,parameters.exam.junior_pass_rate,distance\n1,0.3,0.5\n0,0.9,0.5\n",
    )
    .unwrap();
    let sc = parse(&exam_scenario());
    let mut with = sc.clone();
    let p = wfsim::scenario::Posterior::read(&dir.path().join("posterior.csv")).unwrap();
    wfsim::model::params::attach_posterior(&mut with, p).unwrap();
    let r = crate::common::run(&with, 300, 4, 2);
    let k = r
        .records
        .param_names
        .iter()
        .position(|n| n == "parameters.exam.junior_pass_rate")
        .unwrap();
    // Every trajectory took the one particle of positive weight.
    assert!((0..300).all(|i| r.records.params[[i, k]] == 0.3));
    // The other unknown is still drawn from its prior, as without a posterior.
    let g = r
        .records
        .param_names
        .iter()
        .position(|n| n == "parameters.exam.outside_growth")
        .unwrap();
    let plain = crate::common::run(&sc, 300, 4, 2);
    assert!((0..300).all(|i| r.records.params[[i, g]] == plain.records.params[[i, g]]));

    // A path the scenario does not have is an error that says how to carry less.
    std::fs::write(
        dir.path().join("other.csv"),
        "weight,region.elsewhere.stocks.junior,distance\n1,5,0.5\n",
    )
    .unwrap();
    let (code, _, err) = wfsim(
        &[
            "run",
            "exam.toml",
            "--posterior",
            "other.csv",
            "-n",
            "10",
            "-q",
        ],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("region.elsewhere.stocks.junior") && err.contains("--take"),
        "{err}"
    );
}

#[test]
fn bad_history_rows_are_reported_with_file_line_and_column() {
    let sc = parse(&exam_scenario());
    let csv = "metric,scope,year,observed\nregistrnts,total,2022,10\ncertified,nowhere,2022,10\ncertified,total,2031,10\ncertified,total,2022,-4\n";
    let e = History::parse(Path::new("h.csv"), csv, &sc)
        .unwrap_err()
        .to_string();
    for want in [
        "h.csv:2:1: `metric`: expected one of wfsim's metric names",
        "found `registrnts`",
        "h.csv:3:11: `scope`: expected \"total\", a region id (r) or \"tag:TAG\", found `nowhere`",
        "h.csv:4:17: `year`: expected a year the scenario simulates, 2020–2026",
        "h.csv:5:22: `observed`: expected a non-negative number",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
    let e = History::parse(Path::new("h.csv"), "metric,scope,year,value\n", &sc)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown column `value`"), "{e}");
}

#[test]
fn backtest_scores_held_out_years_against_both_baselines() {
    let dir = workdir(1.0);
    let mut args = vec![
        "backtest",
        "exam.toml",
        "--history",
        "history.csv",
        "--cutoff",
        "2024",
    ];
    args.extend(&FAST[..5]);
    let (code, out, err) = wfsim(&args, dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("band coverage: 50% band held"), "{out}");
    assert!(out.contains("last value carried forward") && out.contains("linear trend"));
    let j: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("outputs/test/backtest/backtest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(j["held_out_observations"], 4);
    let crps = &j["mean_crps"]["compared_with_baselines"];
    assert_eq!(crps["observations"], 4);
    assert!(crps["model"].as_f64().unwrap() > 0.0);
    assert!(crps["last_value"].as_f64().is_some() && crps["trend"].as_f64().is_some());
    // The simulated truth grows, so carrying the last value forward does worst.
    assert!(crps["model"].as_f64().unwrap() < crps["last_value"].as_f64().unwrap());
}

#[test]
fn a_file_names_its_posterior_and_the_parameters_it_takes() {
    let dir = workdir(1.0);
    std::fs::create_dir(dir.path().join("fit")).unwrap();
    std::fs::write(
        dir.path().join("fit/posterior.csv"),
        "weight,parameters.exam.junior_pass_rate,parameters.exam.outside_growth,distance\n1,0.3,0.2,0.5\n",
    )
    .unwrap();
    let text = format!(
        "{}\n[posterior]\nfrom = \"fit\"\ntake = [\"parameters.exam.junior_pass_rate\"]\n",
        exam_scenario()
    );
    let file = dir.path().join("plan.toml");
    std::fs::write(&file, &text).unwrap();
    let mut sc = Scenario::load(&file).unwrap();
    wfsim::model::params::attach_declared_posterior(&mut sc).unwrap();
    let p = sc.posterior.as_ref().unwrap();
    assert_eq!(p.paths, vec!["parameters.exam.junior_pass_rate"]);
    let (code, out, err) = wfsim(&["run", "plan.toml", "-n", "50", "--no-charts"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("parameters from the posterior") && out.contains("junior_pass_rate"));

    // A name the posterior does not hold is the file's error (exit 1).
    std::fs::write(&file, text.replace("junior_pass_rate\"]", "junior_pass\"]")).unwrap();
    let (code, _, err) = wfsim(&["validate", "plan.toml"], dir.path());
    assert_eq!(code, 1);
    assert!(
        err.contains("plan.toml: [posterior]")
            && err.contains("take `parameters.exam.junior_pass`"),
        "{err}"
    );
    // An empty path is caught with its line.
    std::fs::write(&file, text.replace("from = \"fit\"", "from = \"\"")).unwrap();
    let (code, _, err) = wfsim(&["validate", "plan.toml"], dir.path());
    assert_eq!(code, 1);
    assert!(
        err.contains("posterior.from") && err.contains("an empty path"),
        "{err}"
    );
}
