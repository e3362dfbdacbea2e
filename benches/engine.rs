//! A 14-region, 10,000-trajectory run over eight years (the shape of the
//! Hunan 2012–2020 plan: 14 prefectures), with every step switched on: the
//! template's parameters, its two districts repeated seven times.
//!
//! `cargo bench --bench engine` — per-core throughput is
//! trajectories × regions × years / (time × threads).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use criterion::{Criterion, criterion_group, criterion_main};
use wfsim::engine::{RunOptions, run};
use wfsim::model::Trajectory;
use wfsim::scenario::Scenario;

/// The scenario shape, shared with the test that keeps it valid.
mod shape;
use shape::fourteen_regions_text;

/// The template with 14 regions and an eight-year horizon.
fn fourteen_regions() -> Scenario {
    let text = fourteen_regions_text(include_str!("../scenarios/template.toml"));
    match Scenario::from_str(Path::new("bench.toml"), &text) {
        Ok(sc) => sc,
        Err(e) => panic!("{e}"),
    }
}

fn bench(c: &mut Criterion) {
    let sc = fourteen_regions();
    assert_eq!(sc.regions.len(), 14);
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.bench_function("run 14 regions × 8 years × 10,000 trajectories", |b| {
        b.iter(|| {
            let opts = RunOptions {
                trajectories: 10_000,
                seed: 1,
                threads: 0,
                keep: wfsim::engine::Keep::All,
            };
            run(&sc, opts, &|_| {}, &AtomicBool::new(false)).expect("runs")
        })
    });
    // The hot path alone: one trajectory, no aggregation, one thread.
    let mut traj = Trajectory::new(&sc);
    let mut i = 0;
    g.sample_size(50);
    g.bench_function(
        "one trajectory (14 regions × 8 years), no aggregation",
        |b| {
            b.iter(|| {
                i += 1;
                traj.run(&sc, 1, i);
            })
        },
    );
    // The same, with the money and pay rules of the previous release
    // (shares kept, rates read at the benchmark wage): the model then does
    // the same work as before, so the ratio to the previous release's
    // figure is the cost of the code, not of different dynamics.
    let like_before = {
        let t = include_str!("../scenarios/template.toml");
        let text = fourteen_regions_text(
            &t.replace(
                "carry_over = false",
                "carry_over = false\nleftover = \"keep\"",
            )
            .replace(
                "pay_elasticity = 1.0\n",
                "pay_elasticity = 1.0\nrates_observed_at = \"benchmark\"\n",
            ),
        );
        match Scenario::from_str(Path::new("bench.toml"), &text) {
            Ok(sc) => sc,
            Err(e) => panic!("{e}"),
        }
    };
    let mut traj = Trajectory::new(&like_before);
    g.bench_function(
        "one trajectory (14 regions × 8 years), no aggregation, former money and pay rules",
        |b| {
            b.iter(|| {
                i += 1;
                traj.run(&like_before, 1, i);
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
