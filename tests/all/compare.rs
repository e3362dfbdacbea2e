//! Paired comparison of variants on common random numbers.

use wfsim::analysis::compare::{Arm, Comparison, compare};
use wfsim::engine::RunOptions;
use wfsim::scenario::Scenario;

use crate::common::*;

fn arm(name: &str, sc: Scenario) -> Arm {
    Arm {
        name: name.into(),
        label: name.into(),
        scenario: sc,
        weight: None,
    }
}

fn with(base: &Scenario, set: &[(&str, toml::Value)]) -> Scenario {
    let set: Vec<(String, toml::Value)> = set
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    match base.with_values(&set) {
        Ok(sc) => sc,
        Err(e) => panic!("{e}"),
    }
}

fn run_compare(base: &Scenario, variants: Vec<Arm>, n: u64, threads: usize) -> Comparison {
    let opts = RunOptions {
        trajectories: n,
        seed: 77,
        threads,
        keep: wfsim::engine::Keep::All,
        metrics: wfsim::engine::MetricScopes::Every,
    };
    compare(&arm("baseline", base.clone()), &variants, opts, &|_| {})
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_variant_identical_to_the_baseline_differs_by_exactly_zero() {
    let base = template();
    // The same budget the file already has.
    let same = with(
        &base,
        &[("funding.budget", toml::Value::Integer(30_000_000))],
    );
    let c = run_compare(&base, vec![arm("same", same)], 1000, 2);
    for t in &c.targets {
        let v = &t.variants[0];
        assert_eq!(
            (v.difference, v.diff_low, v.diff_high),
            (0.0, 0.0, 0.0),
            "{}",
            t.id
        );
        assert_eq!(v.p_met, t.baseline);
    }
    assert_eq!(c.arms[1].extra_cost, 0.0);
}

#[test]
fn a_lever_that_helps_gives_a_positive_difference_excluding_zero_and_pairing_narrows_it() {
    let base = template();
    // Exam support that brings a few more to the exam: more passes, nothing
    // else drawn differently. (More share alone would not help: the lever
    // already receives all it can use.)
    let more = with(
        &base,
        &[(
            "levers.exam_support.registration_uplift",
            toml::Value::Float(0.12),
        )],
    );
    let c = run_compare(&base, vec![arm("more", more)], 3000, 2);
    let t = c.targets.iter().find(|t| t.id == "certified-2025").unwrap();
    let v = &t.variants[0];
    assert!(
        v.difference > 0.0 && v.diff_low > 0.0,
        "difference {} [{}, {}]",
        v.difference,
        v.diff_low,
        v.diff_high
    );
    let paired = v.diff_high - v.diff_low;
    let unpaired = v.unpaired_high - v.unpaired_low;
    // Money that one lever does not use goes to the others, so a change in
    // exam support moves the places built too: pairing narrows the interval
    // less than when each lever kept its own pot, but still clearly.
    assert!(
        paired < 0.75 * unpaired,
        "paired width {paired} vs unpaired {unpaired}"
    );
    assert!(c.arms[1].extra_cost > 0.0, "more support costs more");
}

#[test]
fn comparisons_are_identical_at_any_thread_count() {
    let base = template();
    let v: Vec<Arm> = base
        .variants
        .iter()
        .map(|s| arm(&s.name, base.variant(s).unwrap()))
        .collect();
    let one = run_compare(&base, v, 400, 1);
    let v: Vec<Arm> = base
        .variants
        .iter()
        .map(|s| arm(&s.name, base.variant(s).unwrap()))
        .collect();
    let two = run_compare(&base, v, 400, 2);
    assert_eq!(one, two);
    assert_eq!(
        one.targets.len(),
        base.targets.len() + 1,
        "every target and the joint"
    );
}

#[test]
fn variants_of_a_file_are_checked_like_the_file() {
    let base = template();
    let bad = base
        .with_values(&[("levers.exam_support.shar".into(), toml::Value::Float(0.2))])
        .unwrap_err()
        .to_string();
    assert!(
        bad.contains("unknown field `shar`") && bad.contains("with levers.exam_support.shar = 0.2"),
        "{bad}"
    );
    let bad = base
        .with_values(&[("levers.posts.share".into(), toml::Value::Float(0.9))])
        .unwrap_err()
        .to_string();
    assert!(bad.contains("at most 100%"), "{bad}");
    let bad = base
        .with_values(&[(
            "region.nowhere.budget_share".into(),
            toml::Value::Float(0.1),
        )])
        .unwrap_err()
        .to_string();
    assert!(bad.contains("centre, outer"), "{bad}");
    // Declared variants all build.
    for v in &base.variants {
        assert!(base.variant(v).is_ok(), "{}", v.name);
    }
}

#[test]
fn the_compare_command_writes_its_table_chart_and_page() {
    let dir = tempfile::tempdir().unwrap();
    let t = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/template.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wfsim"))
        .args([
            "compare",
            t,
            "-n",
            "300",
            "--out",
            "cmp",
            "--variant",
            "bigger-budget",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("bigger-budget")
            && stdout.contains("difference")
            && !stdout.contains("outer-stations"),
        "{stdout}"
    );
    let cmp = dir.path().join("cmp");
    for f in [
        "compare.json",
        "compare.csv",
        "compare.svg",
        "compare.png",
        "compare.html",
    ] {
        assert!(cmp.join(f).is_file(), "{f}");
    }
    let html = std::fs::read_to_string(cmp.join("compare.html")).unwrap();
    assert!(html.contains("预算增加 20%") && html.contains("data:image/png;base64,"));
    let c: Comparison =
        serde_json::from_slice(&std::fs::read(cmp.join("compare.json")).unwrap()).unwrap();
    assert_eq!(c.arms.len(), 2);
    let csv = std::fs::read_to_string(cmp.join("compare.csv")).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a UTF-8 BOM for Excel");
    assert_eq!(csv.lines().count(), 1 + 5, "a row per target and the joint");
    // An unknown variant name is refused.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wfsim"))
        .args(["compare", t, "-n", "10", "--variant", "nope"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("more-exam-support, bigger-budget, outer-stations")
    );
}

#[test]
fn weighted_variants_give_the_weighted_probability_with_a_paired_interval() {
    // A variant that meets a target in every trajectory and a baseline that
    // never does: weighted 0.3, the probability is exactly 0.3. Every
    // trajectory's weighted outcome is 0.3, so the paired interval is a
    // point; but 0 of 200 and 200 of 200 only bound each arm's probability
    // to its Wilson interval, and the interval says so.
    let base = parse(&quiet_scenario(
        1,
        "[region.stocks]\njunior = 100",
        &[],
        "[[target]]\nid = \"j\"\nmetric = \"junior\"\nyear = 2021\nthreshold = 150\n",
    ));
    let more = with(
        &base,
        &[("region.r.stocks.junior", toml::Value::Integer(200))],
    );
    let mut v = arm("more", more);
    v.weight = Some(0.3);
    let c = run_compare(&base, vec![v], 200, 2);
    let w = c.targets[0].weighted.clone().expect("weights given");
    assert!((w.p_met - 0.3).abs() < 1e-12, "{w:?}");
    let (none, all) = (wfsim::stats::wilson(0, 200), wfsim::stats::wilson(200, 200));
    assert!(
        (w.ci_low - (0.7 * none.low + 0.3 * all.low)).abs() < 1e-12,
        "{w:?}"
    );
    assert!(
        (w.ci_high - (0.7 * none.high + 0.3 * all.high)).abs() < 1e-12,
        "{w:?}"
    );
    assert!(w.ci_low < 0.3 && 0.3 < w.ci_high && w.ci_high - w.ci_low < 0.03);
    assert!((w.baseline_weight - 0.7).abs() < 1e-12);
    // No weights, no weighted probability.
    let c = run_compare(
        &base,
        vec![arm(
            "more",
            with(
                &base,
                &[("region.r.stocks.junior", toml::Value::Integer(200))],
            ),
        )],
        50,
        1,
    );
    assert!(c.targets[0].weighted.is_none());
}

#[test]
fn variant_weights_are_checked() {
    let text = |w1: &str, w2: &str| {
        format!(
            "{}\n[[variant]]\nname = \"a\"\nweight = {w1}\n[variant.set]\n\"funding.budget\" = 1\n[[variant]]\nname = \"b\"\nweight = {w2}\n[variant.set]\n\"funding.budget\" = 2\n",
            quiet_scenario(1, "", &[], "")
        )
    };
    let e = Scenario::from_str(std::path::Path::new("w.toml"), &text("0.7", "0.6"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("variant weights adding up to at most 1") && e.contains("1.3"),
        "{e}"
    );
    let e = Scenario::from_str(std::path::Path::new("w.toml"), &text("1.5", "0"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`variant[0].weight`") && e.contains("a weight between 0 and 1"),
        "{e}"
    );
}
