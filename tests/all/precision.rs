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
