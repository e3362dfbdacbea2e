//! A 14-region, 10,000-trajectory run over eight years (the shape of the
//! Hunan 2012–2020 plan: 14 prefectures), with every step switched on: the
//! template's parameters, its two districts repeated seven times.
//!
//! `cargo bench --bench engine` — criterion's timings, then the throughput
//! summary the README quotes: trajectory-region-years per second per core at
//! one thread, the same at two threads, and the ratio to the NumPy reference
//! (`benches/numpy_reference.py`, needs python3 with numpy) measured in the
//! same run.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use criterion::{Criterion, criterion_group};
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
                metrics: wfsim::engine::MetricScopes::Every,
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

// No plots: criterion's plotting needs a system font, which a bare machine
// lacks; the figures are in its text output and in the summary below.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}

/// Throughput at one and two threads on the benchmark shape, alternating
/// with the NumPy reference (A B A B A B) so that both see the same machine
/// load, and each figure is a median of three.
fn throughput() {
    let sc = fourteen_regions();
    let n = 10_000u64;
    let units = (n * 14 * 8) as f64;
    let wfsim = |threads: usize| {
        let opts = RunOptions {
            trajectories: n,
            seed: 1,
            threads,
            keep: wfsim::engine::Keep::First(wfsim::engine::KEPT_BY_DEFAULT),
            metrics: wfsim::engine::MetricScopes::Every,
        };
        let started = Instant::now();
        run(&sc, opts, &|_| {}, &AtomicBool::new(false)).expect("runs");
        started.elapsed().as_secs_f64()
    };
    let numpy = || -> Result<f64, String> {
        let out = Command::new("python3")
            .args(["benches/numpy_reference.py", &n.to_string()])
            .env("OMP_NUM_THREADS", "1")
            .env("OPENBLAS_NUM_THREADS", "1")
            .output()
            .map_err(|e| format!("python3: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        text.split_whitespace()
            .find_map(|w| w.strip_prefix("seconds="))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| String::from_utf8_lossy(&out.stderr).trim().to_string())
    };
    let (mut one, mut two, mut py) = (Vec::new(), Vec::new(), Vec::new());
    let mut py_error = None;
    for _ in 0..3 {
        one.push(wfsim(1));
        match numpy() {
            Ok(s) => py.push(s),
            Err(e) => py_error = Some(e),
        }
        two.push(wfsim(2));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (one, two) = (median(&mut one), median(&mut two));
    println!(
        "\nthroughput, benchmark shape (14 regions × 8 years × {n} trajectories), median of 3:"
    );
    println!(
        "  wfsim, 1 thread:   {one:.2} s = {:.0} trajectory-region-years per second per core",
        units / one
    );
    println!(
        "  wfsim, 2 threads:  {two:.2} s = {:.0} per second ({:.2}× one thread)",
        units / two,
        one / two
    );
    match py_error {
        None => {
            let py = median(&mut py);
            println!(
                "  NumPy reference (benches/numpy_reference.py, 1 core): {py:.2} CPU-s = {:.0} per second per core; wfsim per core is {:.2}× NumPy's",
                units / py,
                py / one
            );
        }
        Some(e) => println!("  NumPy reference not run: {e}"),
    }
}

fn main() {
    benches();
    Criterion::default()
        .without_plots()
        .configure_from_args()
        .final_summary();
    throughput();
}
