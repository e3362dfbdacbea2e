//! Runs that stop at a stated precision: the interval they promise, the
//! same count and numbers at any thread count, and exactly the one-shot run
//! of the count they stop at.

use std::sync::atomic::AtomicBool;

use wfsim::engine::precision::{BLOCK, run_to_precision};

use crate::common::{run, template};

#[test]
fn a_run_to_a_precision_meets_it_and_is_the_one_shot_run_of_its_count() {
    let sc = template();
    let go = |threads: usize| {
        run_to_precision(
            &sc,
            0.005,
            100_000,
            42,
            threads,
            &|_| {},
            &AtomicBool::new(false),
        )
        .unwrap()
    };
    let one = go(1);
    assert!(!one.stopped_at_ceiling);
    let n = one.result.options.trajectories;
    assert_eq!(n % BLOCK, 0);
    assert_eq!(one.counts.last(), Some(&n));
    assert!(
        one.counts.len() >= 2,
        "one block does not give ± 2 points: {:?}",
        one.counts
    );
    for t in &one.result.targets {
        assert!(
            (t.ci_high - t.ci_low) / 2.0 <= 0.005,
            "{}: {:?}",
            t.id,
            (t.ci_low, t.ci_high)
        );
    }
    // Reproducible at any thread count, and the same as asking for n at once.
    let two = go(2);
    assert_eq!(two.counts, one.counts);
    assert_eq!(two.result.targets, one.result.targets);
    let direct = run(&sc, n, 42, 2);
    assert_eq!(direct.targets, one.result.targets);
    assert_eq!(direct.metrics, one.result.metrics);
    assert_eq!(direct.programmes, one.result.programmes);
}

#[test]
fn a_run_to_a_precision_simulates_each_trajectory_once() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let sc = template();
    let done = AtomicU64::new(0);
    let r = run_to_precision(
        &sc,
        0.005,
        100_000,
        42,
        2,
        &|k| {
            done.fetch_add(k, Ordering::Relaxed);
        },
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(r.counts.len() >= 3, "{:?}", r.counts);
    // Each check extends the run before it instead of starting again.
    assert_eq!(done.load(Ordering::Relaxed), r.result.options.trajectories);
    let said = r.describe();
    assert!(said.contains("checked after"), "{said}");
}

#[test]
fn a_ceiling_stops_the_run_and_says_so() {
    let sc = template();
    let r = run_to_precision(&sc, 0.0005, 2_500, 42, 2, &|_| {}, &AtomicBool::new(false)).unwrap();
    assert!(r.stopped_at_ceiling);
    assert_eq!(
        r.result.options.trajectories, 3_000,
        "the ceiling in whole blocks"
    );
    assert!(r.widest > 0.0005);
    assert!(
        r.result
            .warnings
            .iter()
            .any(|w| w.contains("not reached") && w.contains("3000")),
        "{:?}",
        r.result.warnings
    );
}

#[test]
fn a_sweep_to_a_precision_spends_where_the_answer_is_close_to_even() {
    use wfsim::analysis::sweep::{Axis, Grid, sweep_spending};
    use wfsim::engine::precision::Spend;
    use wfsim::engine::{Keep, RunOptions};
    let sc = template();
    let axes = vec![Axis::parse("funding.budget=10e6,25e6,40e6").unwrap()];
    let grid = Grid::new(&sc, &axes).unwrap();
    let spend = Spend::UpTo {
        precision: 0.02,
        ceiling: 20_000,
    };
    let go = |threads| {
        let opts = RunOptions {
            trajectories: 0,
            seed: 5,
            threads,
            keep: Keep::First(0),
            metrics: wfsim::engine::MetricScopes::Every,
        };
        sweep_spending(&sc, &grid, opts, spend, &|_| {}).unwrap()
    };
    let s = go(1);
    assert_eq!(s, go(2), "the same points and counts at two threads");
    for p in &s.points {
        assert_eq!(p.trajectories % BLOCK, 0);
        for o in &p.outcomes {
            assert!((o.ci_high - o.ci_low) / 2.0 <= 0.02, "{p:?}");
        }
        // Each point is the plain run of its own count.
        let point = sc
            .with_values(&[("funding.budget".into(), toml::Value::Float(p.values[0]))])
            .unwrap();
        let plain = run(&point, p.trajectories, 5, 2);
        let t: Vec<f64> = plain.targets.iter().map(|t| t.p_met).collect();
        let got: Vec<f64> = p.outcomes[..t.len()].iter().map(|o| o.p_met).collect();
        assert_eq!(got, t);
    }
    // The middle point, where the certificates target is near even, needs
    // more trajectories than the richest, where every target is near 0 or 1.
    let counts: Vec<u64> = s.points.iter().map(|p| p.trajectories).collect();
    assert!(counts[1] > counts[2], "{counts:?}");
}

#[test]
fn a_solve_to_a_precision_spends_its_trajectories_near_the_answer() {
    use wfsim::analysis::solve::{Goal, solve_spending};
    use wfsim::engine::precision::Spend;
    use wfsim::engine::{Keep, RunOptions};
    let sc = template();
    let goal = Goal {
        lever: "funding.budget".into(),
        target: 0,
        probability: 0.8,
        min: 10e6,
        max: 40e6,
        tolerance: 1e6,
    };
    let opts = RunOptions {
        trajectories: 0,
        seed: 3,
        threads: 2,
        keep: Keep::First(0),
        metrics: wfsim::engine::MetricScopes::Every,
    };
    let spend = Spend::UpTo {
        precision: 0.01,
        ceiling: 30_000,
    };
    let s = solve_spending(&sc, &goal, opts, spend, &|_| {}).unwrap();
    for e in &s.evaluations {
        // Each probe is decided (its interval leaves out 80%) or that precise.
        let decided = e.ci_low > 0.8 || e.ci_high < 0.8;
        assert!(decided || (e.ci_high - e.ci_low) / 2.0 <= 0.01, "{e:?}");
    }
    let far = s.evaluations.iter().find(|e| e.value == 10e6).unwrap();
    let near = s
        .evaluations
        .iter()
        .min_by(|a, b| (a.p_met - 0.8).abs().total_cmp(&(b.p_met - 0.8).abs()))
        .unwrap();
    assert_eq!(
        far.trajectories, BLOCK,
        "a probe far below the answer: one block"
    );
    assert!(near.trajectories > BLOCK, "{near:?}");
    assert!(s.value > 10e6 && s.value < 40e6);
}
