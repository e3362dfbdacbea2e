//! One seed, one answer: identical results at any thread count; common
//! random numbers between scenarios that differ only in a lever; and pinned
//! values, so a change that alters published results is noticed.

use wfsim::report::json::Summary;

use crate::common::*;

#[test]
fn same_seed_same_results_at_one_and_two_threads() {
    let sc = template();
    let one = run(&sc, 700, 99, 1);
    let two = run(&sc, 700, 99, 2);
    assert_eq!(one.threads, 1);
    assert_eq!(two.threads, 2);
    let a = serde_json::to_value(Summary::new(&sc, &one)).unwrap();
    let b = serde_json::to_value(Summary::new(&sc, &two)).unwrap();
    assert_eq!(a["targets"], b["targets"]);
    assert_eq!(a["joint"], b["joint"]);
    assert_eq!(a["scenario"], b["scenario"]);
    assert_eq!(one.metrics, two.metrics);
    assert_eq!(one.records, two.records);
    // Another seed gives other numbers.
    let other = run(&sc, 700, 100, 2);
    assert_ne!(one.records, other.records);
}

#[test]
fn a_lever_change_keeps_the_random_numbers_of_what_it_does_not_touch() {
    let base = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/template.toml"
    ))
    .unwrap();
    let with_orgs_target = format!(
        "{base}\n[[target]]\nid = \"orgs\"\nmetric = \"orgs\"\nyear = 2025\nthreshold = 80\n"
    );
    // More exam support: more registrants and passes, but organisations are
    // born and closed from their own streams, so they are identical trajectory by trajectory.
    // (The template leaves 3% of the free money unallocated, so no other lever changes.)
    let variant = with_orgs_target.replace(
        "[levers.exam_support]\nshare = 0.10",
        "[levers.exam_support]\nshare = 0.13",
    );
    assert_ne!(variant, with_orgs_target);
    let a = run(&parse(&with_orgs_target), 300, 5, 2);
    let b = run(&parse(&variant), 300, 5, 2);
    let orgs = a.targets.len() - 1;
    let col = |r: &wfsim::RunResult, t: usize| {
        (0..300)
            .map(|i| r.records.values[i * r.records.targets + t])
            .collect::<Vec<_>>()
    };
    assert_eq!(
        col(&a, orgs),
        col(&b, orgs),
        "organisations share their random numbers"
    );
    // The certificates target did move.
    assert_ne!(col(&a, 0), col(&b, 0));
}

#[test]
fn value_stability() {
    // These numbers are what seed 42 gives for the shipped template. If a
    // change alters them on purpose, update them and say so in the commit.
    let sc = template();
    let r = run(&sc, 400, 42, 2);
    let got: Vec<(String, f64, f64)> = r
        .targets
        .iter()
        .map(|t| (t.id.clone(), t.p_met, t.mean))
        .collect();
    let want: Vec<(String, f64, f64)> = PINNED
        .iter()
        .map(|(id, p, m)| (id.to_string(), *p, *m))
        .collect();
    assert_eq!(got, want, "pinned results changed");
    assert_eq!(r.joint.p, PINNED_JOINT);
}

const PINNED: &[(&str, f64, f64)] = &[
    ("certified-2025", 0.9425, 3756.6475),
    ("talent-2025", 1.0, 4391.4175),
    ("urban-coverage-2025", 1.0, 0.9897960526315791),
    ("stations-every-2025", 0.4325, 0.13861111111111155),
];
const PINNED_JOINT: f64 = 0.41;

#[test]
fn every_analysis_gives_the_same_answer_at_one_and_two_threads() {
    use wfsim::analysis::{sensitivity, solve, sweep};
    use wfsim::engine::RunOptions;
    let sc = template();
    let opts = |threads| RunOptions {
        trajectories: 300,
        seed: 8,
        threads,
    };
    let axes = vec![sweep::Axis::parse("funding.budget=25e6,35e6").unwrap()];
    let s1 = sweep::sweep(&sc, &axes, opts(1), &|_| {}).unwrap();
    let s2 = sweep::sweep(&sc, &axes, opts(2), &|_| {}).unwrap();
    assert_eq!(s1, s2);
    let goal = solve::Goal {
        lever: "funding.budget".into(),
        target: 0,
        probability: 0.5,
        min: 20e6,
        max: 60e6,
        tolerance: 1e6,
    };
    let g1 = solve::solve(&sc, &goal, opts(1), &|_| {}).unwrap();
    let g2 = solve::solve(&sc, &goal, opts(2), &|_| {}).unwrap();
    assert_eq!(g1, g2);
    let a1 = sensitivity::analyse(&sc, &run(&sc, 300, 8, 1));
    let a2 = sensitivity::analyse(&sc, &run(&sc, 300, 8, 2));
    assert_eq!(a1, a2);
}
