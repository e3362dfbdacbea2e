//! Which uncertainty matters: a parameter built to dominate ranks first.

use wfsim::analysis::sensitivity::analyse;

use crate::common::*;

#[test]
fn a_dominant_parameter_ranks_first() {
    // 2,000 uncertified sit the exam; whether 400 pass turns on the pass
    // rate (uncertain between 5% and 45%). Junior attrition barely matters
    // (0–2%), and the number of graduates (who do not sit) not at all.
    let sc = parse(&quiet_scenario(
        1,
        "graduates_per_year = { dist = \"uniform\", min = 0, max = 100 }\n[region.stocks]\nuncertified = 2000",
        &[
            (
                "parameters.exam",
                "junior_registration_rate = 1\njunior_pass_rate = { dist = \"uniform\", min = 0.05, max = 0.45 }",
            ),
            (
                "parameters.attrition",
                "junior = { dist = \"uniform\", min = 0, max = 0.02 }",
            ),
        ],
        "[[target]]\nid = \"four-hundred\"\nmetric = \"certified\"\nyear = 2021\nthreshold = 400",
    ));
    let r = run(&sc, 2000, 21, 0);
    assert_eq!(
        r.records.param_names.len(),
        3,
        "{:?}",
        r.records.param_names
    );
    let s = analyse(&sc, &r);
    let t = &s.targets[0];
    assert_eq!(
        t.influences[0].parameter,
        "parameters.exam.junior_pass_rate"
    );
    assert!(
        t.influences[0].swing > 0.9,
        "the top decile always meets it, the bottom never: {}",
        t.influences[0].swing
    );
    assert!(t.influences[0].rank_correlation > 0.9);
    for f in &t.influences[1..] {
        assert!(f.swing.abs() < 0.15, "{} {}", f.parameter, f.swing);
    }
    // The joint (only one target here) ranks the same way.
    assert_eq!(
        s.targets[1].influences[0].parameter,
        "parameters.exam.junior_pass_rate"
    );
}

#[test]
fn the_sensitivity_command_writes_rankings_and_a_tornado_per_target() {
    let dir = tempfile::tempdir().unwrap();
    let t = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/template.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wfsim"))
        .args(["sensitivity", t, "-n", "400", "--out", "sens", "--top", "5"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = dir.path().join("sens");
    for f in [
        "sensitivity.json",
        "sensitivity.csv",
        "tornado-certified-2025.png",
        "tornado-joint.svg",
    ] {
        assert!(d.join(f).is_file(), "{f}");
    }
    let svg = std::fs::read_to_string(d.join("tornado-certified-2025.svg")).unwrap();
    assert!(svg.contains("哪些不确定因素影响最大"));
}

#[test]
fn the_regions_copies_of_one_number_are_one_line_of_a_ranking() {
    use wfsim::analysis::sensitivity::top_drivers;
    let infl = [
        i("region.a.stocks.uncertified", 0.50, 0.60),
        i("region.b.stocks.uncertified", 0.49, 0.59),
        i("region.c.stocks.uncertified", 0.48, 0.61),
        i("funding.budget", 0.30, 0.40),
        i("region.a.stocks.junior", 0.20, 0.30),
        i("parameters.exam.junior_pass_rate", 0.10, 0.20),
        i("noise", 0.001, 0.01),
    ];
    let by_swing: Vec<String> = top_drivers(&infl, 3, true)
        .into_iter()
        .map(|x| x.parameter)
        .collect();
    assert_eq!(
        by_swing,
        [
            "region.*.stocks.uncertified",
            "funding.budget",
            "region.a.stocks.junior"
        ],
        "a single region's number keeps its name"
    );
    let by_rho = top_drivers(&infl, 10, false);
    assert_eq!(by_rho[0].parameter, "region.*.stocks.uncertified");
    assert_eq!(
        by_rho[0].rank_correlation, 0.61,
        "the strongest copy's figures"
    );
    assert_eq!(by_rho.len(), 4, "below ρ 0.05 is not a driver");
}

#[test]
fn a_tornado_shows_one_bar_per_unknown_and_when_nothing_swings_the_correlated_ones() {
    use wfsim::analysis::sensitivity::TargetSensitivity;
    use wfsim::report::chart::tornado::ranked;
    let t = |influences| TargetSensitivity {
        id: "t".into(),
        label: "t".into(),
        p_met: 0.0,
        influences,
    };
    // P = 0: no decile swings it, so the bars are the unknowns most
    // correlated with its value, a shared draw once.
    let never = t(vec![
        i("region.a.stocks.uncertified", 0.0, 0.6),
        i("region.b.stocks.uncertified", 0.0, 0.6),
        i("funding.growth", 0.0, 0.3),
        i("noise", 0.0, 0.0),
    ]);
    let names: Vec<String> = ranked(&never, 15)
        .into_iter()
        .map(|x| x.parameter)
        .collect();
    assert_eq!(names, ["region.*.stocks.uncertified", "funding.growth"]);
}

/// An influence with only what the rankings read.
fn i(p: &str, swing: f64, rho: f64) -> wfsim::analysis::sensitivity::Influence {
    wfsim::analysis::sensitivity::Influence {
        parameter: p.into(),
        swing,
        p_low_decile: 0.0,
        p_high_decile: 0.0,
        rank_correlation: rho,
    }
}

/// The deciles fixed before the run (from reference draws of the unknowns)
/// hold a tenth of the run's trajectories each, to within the sampling
/// error of both the run and the reference draws.
#[test]
fn the_reference_deciles_hold_a_tenth_of_the_trajectories_each() {
    use wfsim::analysis::sensitivity::REFERENCE_DRAWS;
    let n = 6_000u64;
    let (sc, part) = template_part(n, 3);
    let names = wfsim::model::Sampled::uncertain_names(&sc);
    // 4 standard errors of a tenth, from the run and from the reference.
    let tol = 4.0 * (0.09 / n as f64 + 0.09 / REFERENCE_DRAWS as f64).sqrt();
    let mut checked = 0;
    for path in ["parameters.exam.junior_pass_rate", "funding.growth"] {
        let k = names.iter().position(|p| p == path).unwrap();
        let [low, _, high, _] = part.counts.counts[k];
        for c in [low, high] {
            let share = c as f64 / n as f64;
            assert!(
                (share - 0.1).abs() < tol,
                "{path}: {share} of trajectories in a decile"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 2);
}

/// ρ over every trajectory from mergeable sums (CDF ranks from reference
/// draws, the metric in pilot bins) agrees with Spearman's ρ computed from
/// the kept records of the same trajectories. The two differ by the
/// reference draws' error in each CDF value (about 0.005 at 10,000 draws)
/// and by the ties within bins; 0.02 is several times both.
#[test]
fn rho_from_sums_agrees_with_spearman_on_the_records() {
    use wfsim::analysis::sensitivity::sensitivity_of;
    let n = 4_000u64;
    let (sc, part) = template_part(n, 5);
    let (sums, r) = sensitivity_of(&sc, part).unwrap();
    assert_eq!(r.records.len(), n as usize, "every trajectory kept");
    let records = analyse(&sc, &r);
    let mut compared = 0;
    let mut strong = 0;
    let mut worst = 0.0f64;
    for (a, b) in sums.targets.iter().zip(&records.targets) {
        for f in &a.influences {
            let g = b
                .influences
                .iter()
                .find(|g| g.parameter == f.parameter)
                .unwrap();
            worst = worst.max((f.rank_correlation - g.rank_correlation).abs());
            compared += 1;
            strong += usize::from(g.rank_correlation.abs() > 0.3);
        }
    }
    assert!(worst < 0.02, "largest difference {worst}");
    assert!(
        compared > 20 && strong > 0,
        "{compared} compared, {strong} strong"
    );
}

/// The template's sensitivity part over `n` trajectories, on 2 threads.
fn template_part(
    n: u64,
    seed: u64,
) -> (
    wfsim::scenario::Scenario,
    wfsim::analysis::sensitivity::SensitivityPart,
) {
    let sc = crate::common::template();
    let opts = wfsim::engine::RunOptions::for_scenario(&sc, Some(n), Some(seed), Some(2));
    let part = wfsim::analysis::sensitivity::sensitivity_part(
        &sc,
        opts,
        0..n,
        &|_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    (sc, part)
}

/// Draws a tornado of `t` and returns its SVG.
fn tornado_svg(t: &wfsim::analysis::sensitivity::TargetSensitivity) -> String {
    use wfsim::report::chart::{render, tornado::Tornado};
    let labels = [("funding.growth".to_string(), "资金年增长率".to_string())]
        .into_iter()
        .collect();
    let fig = Tornado::new(t, 15, true, &labels);
    render("t".into(), String::new(), &fig, 1.0).unwrap().svg
}

#[test]
fn a_tornado_of_a_target_nothing_swings_draws_correlations_and_says_why() {
    use wfsim::analysis::sensitivity::TargetSensitivity;
    let t = |influences| TargetSensitivity {
        id: "t".into(),
        label: "到2020年，培育发展2000家民办社会工作服务机构".into(),
        p_met: 0.0,
        influences,
    };
    // P = 0 and no decile swings it: the bars are correlations, on their
    // own axis, named by label, with the reason under the chart — never a
    // row of "+0.0" bars.
    let svg = tornado_svg(&t(vec![
        i("funding.growth", 0.0, 0.3),
        i("parameters.orgs.closure_rate", 0.0, -0.2),
    ]));
    assert!(svg.contains("资金年增长率"), "the label, not the path");
    assert!(!svg.contains("+0.0"), "no bar of nothing");
    assert!(
        svg.contains("+0.30") && svg.contains("-0.20"),
        "the correlations"
    );
    assert!(svg.contains("秩相关"), "the axis says what the bars are");
    assert!(svg.contains("没有哪个参数"), "and the note why");
    // Nothing even correlated: no bars at all, and the reason.
    let svg = tornado_svg(&t(vec![i("funding.growth", 0.0, 0.0)]));
    assert!(
        !svg.contains("<rect x=\"") || !svg.contains("资金年增长率"),
        "no bars"
    );
    assert!(svg.contains("固定输入决定"), "{svg}");
    // A target that does swing keeps its points axis.
    let svg = tornado_svg(&t(vec![i("funding.growth", 0.25, 0.3)]));
    assert!(svg.contains("+25.0") && svg.contains("百分点"));
}

#[test]
fn sensitivity_names_parameters_in_the_plans_words() {
    let sc = template();
    let r = run(&sc, 300, 2, 1);
    let s = analyse(&sc, &r);
    assert_eq!(s.labels["funding.growth"], "资金年增长率");
    assert_eq!(
        s.labels["region.*.stocks.uncertified"],
        "各地区起点：未持证在岗者"
    );
    // Every parameter has a label, and none falls back to its path.
    for p in &r.records.param_names {
        let l = &s.labels[p];
        assert!(!l.is_empty() && l != p, "{p} has no name");
    }
    let csv = String::from_utf8(wfsim::analysis::sensitivity::to_csv(&s).unwrap()).unwrap();
    assert!(
        csv.starts_with("target,rank,parameter,label,swing"),
        "{csv}"
    );
}
