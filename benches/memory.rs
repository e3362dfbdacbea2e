//! Peak memory of a run against its trajectory count: the check that a
//! run's memory is flat in the number of trajectories (issue 11).
//!
//! `cargo bench --bench memory` runs the benchmark shape (14 regions × 8
//! years) and the Hunan plan (47 regions × 8 years) at 10,000, 100,000 and
//! 1,000,000 trajectories, each in a fresh process on every core, and
//! prints each run's peak resident memory (VmHWM, Linux) and its ratio to
//! the smallest run. `WFSIM_MEMORY_SIZES=10000,100000` and
//! `WFSIM_MEMORY_SHAPES=bench` choose fewer (Hunan at a million
//! trajectories takes about half an hour on two cores).

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use wfsim::engine::{KEPT_BY_DEFAULT, Keep, RunOptions, run};
use wfsim::scenario::Scenario;

/// The scenario shape, shared with the test that keeps it valid.
mod shape;

fn scenario(name: &str) -> Scenario {
    let loaded = match name {
        "bench" => Scenario::from_str(
            Path::new("bench.toml"),
            &shape::fourteen_regions_text(include_str!("../scenarios/template.toml")),
        )
        .map_err(|e| e.to_string()),
        "hunan" => {
            Scenario::load(Path::new("scenarios/hunan-2012-2020.toml")).map_err(|e| e.to_string())
        }
        other => Err(format!("unknown shape {other} (bench, hunan)")),
    };
    match loaded {
        Ok(sc) => sc,
        Err(e) => panic!("{e}"),
    }
}

/// This process's peak resident memory in KiB (Linux's VmHWM).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One measured run, in this (child) process.
fn child(shape: &str, n: u64) {
    let sc = scenario(shape);
    let opts = RunOptions {
        trajectories: n,
        seed: 1,
        threads: 0,
        keep: Keep::First(KEPT_BY_DEFAULT),
        metrics: wfsim::engine::MetricScopes::Every,
    };
    let started = Instant::now();
    let r = match run(&sc, opts, &|_| {}, &AtomicBool::new(false)) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    println!(
        "peak_rss_kib={} seconds={:.1} threads={}",
        peak_rss_kib().unwrap_or(0),
        started.elapsed().as_secs_f64(),
        r.threads
    );
}

fn list(var: &str, default: &str) -> Vec<String> {
    std::env::var(var)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let n = args
            .get(i + 2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(10_000);
        child(&args[i + 1], n);
        return;
    }
    let exe = std::env::current_exe().expect("the benchmark knows its own path");
    let sizes: Vec<u64> = list("WFSIM_MEMORY_SIZES", "10000,100000,1000000")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    println!("shape  trajectories  peak RSS (MiB)  vs first  seconds");
    for shape in list("WFSIM_MEMORY_SHAPES", "bench,hunan") {
        let mut first = None;
        for &n in &sizes {
            let out = Command::new(&exe)
                .args(["--child", &shape, &n.to_string()])
                .output()
                .expect("the benchmark can run itself");
            let text = String::from_utf8_lossy(&out.stdout);
            let field = |k: &str| {
                text.split_whitespace()
                    .find_map(|w| w.strip_prefix(k))
                    .and_then(|v| v.parse::<f64>().ok())
            };
            let (Some(kib), Some(secs)) = (field("peak_rss_kib="), field("seconds=")) else {
                eprintln!("{shape} at {n}: {}", String::from_utf8_lossy(&out.stderr));
                continue;
            };
            let base = *first.get_or_insert(kib);
            println!(
                "{shape:<6} {n:>12}  {:>14.1}  {:>+7.1}%  {secs:>7.1}",
                kib / 1024.0,
                (kib / base - 1.0) * 100.0
            );
        }
    }
}
