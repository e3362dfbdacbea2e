//! A run's memory is bounded by its shape, not its trajectory count: each
//! metric cell's histogram keeps within its share of the budget by
//! coarsening its buckets (issue 14: Hunan over a hundred years took 2 GB
//! at 500 trajectories on one thread and grew with every one).

use std::sync::atomic::AtomicBool;

use wfsim::engine::runner::simulate;
use wfsim::engine::{Keep, RunOptions, assemble};
use wfsim::stats::aggregate::{HISTOGRAM_BUDGET, cell_limit};
use wfsim::stats::histogram::MAX_SHIFT;

use crate::common::*;

fn hunan_over_a_century() -> wfsim::scenario::Scenario {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/hunan-2012-2020.toml"
    ))
    .unwrap();
    assert!(text.contains("\nend_year = 2020\n"));
    parse(&text.replace("\nend_year = 2020\n", "\nend_year = 2112\n"))
}

#[test]
fn memory_on_a_long_horizon_is_bounded_and_the_coarsening_is_said() {
    let sc = hunan_over_a_century();
    let n = 48;
    let part = |threads| {
        let opts = RunOptions {
            trajectories: n,
            seed: 5,
            threads,
            keep: Keep::First(0),
            metrics: wfsim::engine::MetricScopes::Every,
        };
        simulate(&sc, opts, 0..n, &|_| {}, &AtomicBool::new(false)).unwrap()
    };
    let one = part(1);
    let cells = &one.aggregate.cells;
    let limit = cell_limit(cells.len()) as usize;
    // The budget is shared equally.
    assert!(cells.len() > 200_000);
    assert_eq!(limit, HISTOGRAM_BUDGET / cells.len());
    let mut halved = 0;
    for h in cells {
        assert_eq!(h.limit(), limit);
        assert!(h.footprint() <= limit || h.shift() == MAX_SHIFT);
        halved += usize::from(h.shift() > 0);
    }
    assert!(halved > cells.len() / 4, "{halved}: the case must need it");
    // At the coarsest, a histogram holds one page per power of two it
    // spans (and the exact range): the whole run within a few hundred MB,
    // where unhalved pages took gigabytes.
    let total: usize = cells.iter().map(|h| h.footprint()).sum();
    assert!(total < 400 << 20, "{} MiB", total >> 20);

    // The same aggregate whichever thread counted which trajectory.
    let two = part(2);
    assert_eq!(one.aggregate, two.aggregate);

    // The run says so, and each row of metrics.csv carries its precision.
    let r = assemble(&sc, &one).unwrap();
    let coarse = r
        .metrics
        .iter()
        .filter(|m| m.quantiles_within > 0.01)
        .count();
    assert!(coarse > 0);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains(&format!("the quantiles of {coarse} of "))),
        "{:?}",
        r.warnings
    );
    assert!(r.metrics.iter().all(|m| {
        [1, 2, 4, 8, 16, 32]
            .map(|k| f64::from(k) / 1024.0)
            .contains(&m.quantiles_within)
    }));
}

#[test]
fn a_shipped_plan_at_an_ordinary_size_is_not_coarsened_past_a_percent() {
    let sc = template();
    let r = run(&sc, 2000, 3, 2);
    assert!(r.metrics.iter().all(|m| m.quantiles_within == 1.0 / 1024.0));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}
