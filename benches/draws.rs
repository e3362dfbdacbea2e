//! What a region-year's random draws cost, measured on the model's own
//! draws: the floor under the engine's throughput that no tuning of the
//! rest of the code can lower (issue 11).
//!
//! `cargo bench --bench draws --features census` runs the benchmark shape
//! (`benches/shape/`) and the Hunan plan on one thread with the draw census
//! on (`wfsim::model::census`), then
//!
//! 1. counts the binomial draws and the keyed streams of a region-year, by
//!    the size of the draw's mean (which decides the sampler: inversion
//!    below 10, BTRS above) and by the step of the year;
//! 2. replays the recorded draws, in the order the model made them, each
//!    from a fresh keyed stream as the model makes it, through
//!    `model::draw::binomial`, and times them (criterion's timing of a
//!    slice, then the median of seven passes over all of them);
//! 3. multiplies the two: the time a region-year spends in its binomial
//!    draws alone, and so the most trajectory-region-years a core can do
//!    with the model's draws as they are, however fast everything else.
//!
//! The units are those of `cargo bench --bench engine`: a region-year is
//! one region in one projected year, and the start year's draws (the
//! placement of the starting workers) count toward the trajectory's cost.

use std::path::Path;
use std::time::Instant;

use criterion::Criterion;
use wfsim::model::Trajectory;
use wfsim::model::census::{self, Census};
use wfsim::model::draw::binomial;
use wfsim::model::streams::{Step, Streams};
use wfsim::scenario::Scenario;

mod shape;

/// Classes of draws by their mean n·min(p, 1 − p), the sampler's switch.
const CLASSES: [(&str, f64); 8] = [
    ("mean < 1, n < 8", 1.0),
    ("mean < 1, n ≥ 8", 1.0),
    ("mean 1–3", 3.0),
    ("mean 3–10", 10.0),
    ("mean 10–30 (BTRS)", 30.0),
    ("mean 30–100", 100.0),
    ("mean 100–1,000", 1_000.0),
    ("mean ≥ 1,000", f64::INFINITY),
];

fn class(n: u64, p: f64) -> usize {
    let mean = n as f64 * p.min(1.0 - p);
    if mean < 1.0 {
        return usize::from(n >= 8);
    }
    1 + CLASSES[1..]
        .iter()
        .position(|&(_, upper)| mean < upper)
        .unwrap_or(CLASSES.len() - 2)
}

struct Shape {
    name: &'static str,
    census: Census,
    region_years: f64,
}

fn shape(name: &'static str, sc: &Scenario, trajectories: u64) -> Shape {
    let mut traj = Trajectory::new(sc);
    census::start();
    for i in 0..trajectories {
        traj.run(sc, 1, i);
    }
    Shape {
        name,
        census: census::take(),
        region_years: (trajectories * (sc.regions.len() * sc.horizon()) as u64) as f64,
    }
}

/// Replays draws through the sampler: each from a fresh keyed stream as
/// the model makes them, or (`keyed` false) all from one generator reused,
/// so that what the streams cost is the difference.
fn replay(draws: &[(u64, f64)], keyed: bool) -> u64 {
    let year = Streams::new(1, 0).region_year(0, 1);
    let mut reused = year.rng(0);
    let mut sum = 0u64;
    for (i, &(n, p)) in draws.iter().enumerate() {
        let x = if keyed {
            binomial(&mut year.rng(i as u64), n, p)
        } else {
            binomial(&mut reused, n, p)
        };
        sum = sum.wrapping_add(x);
    }
    sum
}

/// Nanoseconds a draw of [`replay`], the median of seven passes.
fn ns_per_draw(draws: &[(u64, f64)], keyed: bool) -> f64 {
    if draws.is_empty() {
        return 0.0;
    }
    let mut passes: Vec<f64> = (0..7)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(replay(std::hint::black_box(draws), keyed));
            started.elapsed().as_secs_f64() * 1e9 / draws.len() as f64
        })
        .collect();
    passes.sort_by(f64::total_cmp);
    passes[3]
}

fn report(s: &Shape) {
    let draws = &s.census.binomials;
    let per_ry = draws.len() as f64 / s.region_years;
    println!(
        "\n{}: {} binomial draws in {} region-years = {per_ry:.1} a region-year",
        s.name,
        draws.len(),
        s.region_years
    );
    let mut by_class = vec![Vec::new(); CLASSES.len()];
    for &(n, p) in draws {
        by_class[class(n, p)].push((n, p));
    }
    println!(
        "  {:<20} {:>12} {:>9} {:>12}",
        "draws of", "a region-yr", "ns each", "ns a reg-yr"
    );
    for ((label, _), v) in CLASSES.iter().zip(&by_class) {
        if v.is_empty() {
            continue;
        }
        let each = ns_per_draw(v, true);
        let count = v.len() as f64 / s.region_years;
        println!(
            "  {label:<20} {count:>12.1} {each:>9.1} {:>12.0}",
            count * each
        );
    }
    let each = ns_per_draw(draws, true);
    let floor = per_ry * each;
    println!(
        "  all, in the model's order: {each:.1} ns a draw, {floor:.0} ns a region-year in binomial draws alone,"
    );
    println!(
        "  ({:.1} ns a draw from one generator reused instead of a keyed stream each)",
        ns_per_draw(draws, false)
    );
    println!(
        "  so at most {:.0} trajectory-region-years per second per core with these draws",
        1e9 / floor
    );
    let c = &s.census;
    let streams = c.parameter_streams + c.step_streams.iter().sum::<u64>();
    println!(
        "  keyed streams: {:.1} a region-year; by step:",
        streams as f64 / s.region_years
    );
    let mut steps: Vec<(String, u64)> = Step::ALL
        .iter()
        .zip(c.step_streams)
        .map(|(step, k)| (format!("{step:?}"), k))
        .chain([("parameters".to_string(), c.parameter_streams)])
        .filter(|&(_, k)| k > 0)
        .collect();
    steps.sort_by_key(|&(_, k)| std::cmp::Reverse(k));
    for (step, k) in steps {
        println!("    {step:<28} {:>6.2}", k as f64 / s.region_years);
    }
}

fn main() {
    let bench = match Scenario::from_str(
        Path::new("bench.toml"),
        &shape::fourteen_regions_text(include_str!("../scenarios/template.toml")),
    ) {
        Ok(sc) => sc,
        Err(e) => panic!("{e}"),
    };
    let hunan = match Scenario::load(Path::new("scenarios/hunan-2012-2020.toml")) {
        Ok(sc) => sc,
        Err(e) => panic!("{e}"),
    };
    let shapes = [
        shape("benchmark shape (14 regions × 8 years)", &bench, 300),
        shape("Hunan 2012–2020 (47 regions × 8 years)", &hunan, 100),
    ];

    let slice: Vec<(u64, f64)> = shapes[0]
        .census
        .binomials
        .iter()
        .take(100_000)
        .copied()
        .collect();
    let mut c = Criterion::default().without_plots().configure_from_args();
    c.bench_function(
        "binomial draws: 100,000 of the benchmark shape's, a keyed stream each",
        |b| b.iter(|| replay(&slice, true)),
    );
    c.final_summary();

    for s in &shapes {
        report(s);
    }
}
