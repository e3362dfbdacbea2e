//! A fixed-seed fuzz of the template: numbers replaced by edge values, one
//! or two at a time. Every mutant either fails validation with a message or
//! runs without a panic, an impossible value (a wrapped count, a negative or
//! non-finite metric) or a share above 1.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use wfsim::engine::RunOptions;
use wfsim::scenario::{Metric, Scenario, Unit};

const TEMPLATE: &str = include_str!("../../scenarios/template.toml");
const EDGES: &[&str] = &[
    "0", "-1", "1", "0.5", "7", "-2", "1e12", "1e13", "1e20", "1e300", "2e15", "0.999999",
    "-0.999", "10", "1e-300", "100000",
];

/// A small deterministic generator (SplitMix64), so the mutants never change.
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Lines of the template of the form `key = <number>` (before any comment).
fn numeric_lines() -> Vec<usize> {
    TEMPLATE
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let code = l.split('#').next().unwrap_or("");
            code.split_once('=').is_some_and(|(k, v)| {
                !k.trim().is_empty()
                    && !k.contains('"')
                    && v.trim().replace('_', "").parse::<f64>().is_ok()
            })
        })
        .map(|(i, _)| i)
        .collect()
}

fn mutate(rng: &mut Mix, lines: &[usize]) -> String {
    let mut out: Vec<String> = TEMPLATE.lines().map(String::from).collect();
    for _ in 0..1 + rng.below(2) {
        let i = lines[rng.below(lines.len())];
        let (key, rest) = out[i].split_once('=').unwrap();
        let comment = rest.find('#').map(|c| &rest[c..]).unwrap_or("");
        out[i] = format!("{key}= {} {comment}", EDGES[rng.below(EDGES.len())]);
    }
    out.join("\n")
}

#[test]
fn three_hundred_mutants_of_the_template_validate_or_run_cleanly() {
    let lines = numeric_lines();
    assert!(lines.len() > 50, "found only {} numeric lines", lines.len());
    let mut rng = Mix(2026);
    let (mut refused, mut ran) = (0, 0);
    for k in 0..300 {
        let text = mutate(&mut rng, &lines);
        let sc = match Scenario::from_str(Path::new("mutant.toml"), &text) {
            Ok(sc) => sc,
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("mutant.toml:"),
                    "mutant {k}: an error without a place: {msg}"
                );
                refused += 1;
                continue;
            }
        };
        let opts = RunOptions {
            trajectories: 20,
            seed: k,
            threads: 1,
            keep: wfsim::engine::Keep::All,
            metrics: wfsim::engine::MetricScopes::Every,
        };
        let r = match wfsim::engine::run(&sc, opts, &|_| {}, &AtomicBool::new(false)) {
            Ok(r) => r,
            Err(e) => panic!("mutant {k} validated but failed to run: {e}\n---\n{text}"),
        };
        for m in &r.metrics {
            let metric = Metric::from_name(&m.metric).unwrap();
            assert!(
                m.p95 < 1e16,
                "mutant {k}: {} {} {} = {}",
                m.metric,
                m.scope,
                m.year,
                m.p95
            );
            if metric.unit() == Unit::Share {
                assert!(
                    m.p95 <= 1.0 + 1e-9,
                    "mutant {k}: share {} = {}",
                    m.metric,
                    m.p95
                );
            }
        }
        ran += 1;
    }
    // Both paths are exercised.
    assert!(refused > 30 && ran > 30, "refused {refused}, ran {ran}");
}
