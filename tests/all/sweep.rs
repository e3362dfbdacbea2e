//! Sweeps over lever grids.

use wfsim::analysis::sweep::{Axis, sweep};
use wfsim::engine::RunOptions;

use crate::common::*;

#[test]
fn a_budget_sweep_rises_point_by_point_on_common_random_numbers() {
    let sc = template();
    let axes = vec![Axis::parse("funding.budget=24e6,30e6,36e6,42e6").unwrap()];
    let opts = RunOptions {
        trajectories: 600,
        seed: 3,
        threads: 0,
        keep: wfsim::engine::Keep::All,
        metrics: wfsim::engine::MetricScopes::Every,
    };
    let s = sweep(&sc, &axes, opts, &|_| {}).unwrap();
    assert_eq!(s.points.len(), 4);
    assert_eq!(s.targets.last().map(String::as_str), Some("joint"));
    let t = s
        .targets
        .iter()
        .position(|t| t == "certified-2025")
        .unwrap();
    let p: Vec<f64> = s.points.iter().map(|q| q.outcomes[t].p_met).collect();
    assert!(
        p.windows(2).all(|w| w[1] >= w[0]),
        "more money, more certificates: {p:?}"
    );
    assert!(s.points.windows(2).all(|w| w[1].spend > w[0].spend));
    // The baseline's own value reproduces a plain run exactly.
    let plain = run(&sc, 600, 3, 0);
    assert_eq!(s.points[1].outcomes[t].p_met, plain.targets[t].p_met);
}

#[test]
fn the_sweep_command_writes_a_table_and_a_heat_map_and_refuses_bad_points() {
    let dir = tempfile::tempdir().unwrap();
    let t = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/template.toml");
    let wfsim = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_wfsim"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = wfsim(&[
        "sweep",
        t,
        "--set",
        "levers.exam_support.share=0.05,0.1",
        "--set",
        "funding.budget=25e6..35e6:3",
        "-n",
        "200",
        "--out",
        "sw",
        "--target",
        "talent-2025",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("sw/sweep.csv")).unwrap();
    // With a byte-order mark, so Excel on Chinese Windows reads it as UTF-8.
    let csv = csv.strip_prefix('\u{feff}').expect("a UTF-8 BOM");
    assert_eq!(csv.lines().count(), 1 + 6, "a row per grid point");
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .starts_with("levers.exam_support.share,funding.budget,certified-2025.p_met")
    );
    let svg = std::fs::read_to_string(dir.path().join("sw/sweep.svg")).unwrap();
    assert!(svg.contains("50% 等值线") && svg.contains("80% 等值线"));
    assert!(
        dir.path().join("sw/sweep.png").is_file() && dir.path().join("sw/sweep.json").is_file()
    );
    // A grid point that breaks the scenario is refused before anything runs.
    let out = wfsim(&[
        "sweep",
        t,
        "--set",
        "levers.posts.share=0.3,0.9",
        "-n",
        "10",
        "--out",
        "bad",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most 100%"));
    let out = wfsim(&[
        "sweep",
        t,
        "--set",
        "funding.budget=1,2",
        "--target",
        "nope",
        "-n",
        "10",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("certified-2025"));
}

#[test]
fn the_same_lever_twice_is_refused_not_silently_merged() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = crate::common::wfsim(
        &[
            "sweep",
            concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/template.toml"),
            "--set",
            "funding.budget=1e7,2e7",
            "--set",
            "funding.budget=3e7,4e7",
            "-n",
            "10",
        ],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("names funding.budget twice"), "{err}");
    assert!(
        !dir.path().join("outputs").exists(),
        "a refused sweep wrote a folder"
    );
}

#[test]
fn a_run_counting_only_the_total_has_the_same_targets_totals_and_shards() {
    use std::sync::atomic::AtomicBool;
    use wfsim::engine::{Keep, MetricScopes, assemble, simulate};
    let sc = template();
    let opts = |metrics| RunOptions {
        trajectories: 500,
        seed: 11,
        threads: 2,
        keep: Keep::First(0),
        metrics,
    };
    let go = |metrics| wfsim::engine::run(&sc, opts(metrics), &|_| {}, &AtomicBool::new(false));
    let every = go(MetricScopes::Every).unwrap();
    let total = go(MetricScopes::Total).unwrap();
    assert_eq!(total.targets, every.targets);
    assert_eq!(total.joint, every.joint);
    // The total's rows, to the bit, and no region's.
    let totals: Vec<_> = every
        .metrics
        .iter()
        .filter(|m| m.scope == "total")
        .cloned()
        .collect();
    assert!(!totals.is_empty());
    assert_eq!(total.metrics, totals);
    assert_eq!(total.options.metrics, MetricScopes::Total);
    // Shards of such a run merge to it; they do not merge with a full one.
    let cancel = AtomicBool::new(false);
    let part = |metrics, r: std::ops::Range<u64>| {
        simulate(&sc, opts(metrics), r, &|_| {}, &cancel).unwrap()
    };
    let merged = part(MetricScopes::Total, 0..200)
        .merge(part(MetricScopes::Total, 200..500))
        .unwrap();
    assert_eq!(assemble(&sc, &merged).unwrap().metrics, total.metrics);
    let e = part(MetricScopes::Total, 0..200)
        .merge(part(MetricScopes::Every, 200..500))
        .unwrap_err();
    assert!(e.to_string().contains("which metrics were counted"), "{e}");
    // A probe keeps nothing and runs no twins: the same probabilities, no
    // split of the spread.
    let probe = wfsim::engine::run(
        &sc,
        RunOptions {
            keep: Keep::Nothing,
            ..opts(MetricScopes::Total)
        },
        &|_| {},
        &cancel,
    )
    .unwrap();
    assert_eq!(probe.options.keep, Keep::Nothing);
    assert_eq!(probe.records.values.nrows(), 0);
    for (a, b) in probe.targets.iter().zip(&every.targets) {
        assert_eq!(
            (a.p_met, a.ci_low, a.ci_high),
            (b.p_met, b.ci_low, b.ci_high)
        );
        assert!(a.spread.is_none() && b.spread.is_some(), "{}", a.id);
    }
}

#[test]
fn a_grid_built_from_one_parse_is_each_point_set_on_its_own() {
    // The grid parses the file once and sets each point's values in a copy;
    // every point must be the scenario `with_values` makes from the file,
    // in row-major order (the last axis fastest).
    use wfsim::analysis::sweep::Grid;
    let sc = template();
    let axes = vec![
        Axis::parse("funding.budget=24e6,36e6").unwrap(),
        Axis::parse("levers.exam_support.reward=0,1500,3000").unwrap(),
    ];
    let grid = Grid::new(&sc, &axes).unwrap();
    assert_eq!(grid.scenarios().len(), 6);
    let mut k = 0;
    for &budget in &[24e6, 36e6] {
        for &reward in &[0.0, 1500.0, 3000.0] {
            let one = sc
                .with_values(&[
                    ("funding.budget".into(), toml::Value::Float(budget)),
                    (
                        "levers.exam_support.reward".into(),
                        toml::Value::Float(reward),
                    ),
                ])
                .unwrap();
            assert_eq!(
                format!("{:?}", grid.scenarios()[k]),
                format!("{one:?}"),
                "point {k}"
            );
            k += 1;
        }
    }
    assert_ne!(
        format!("{:?}", grid.scenarios()[0]),
        format!("{:?}", grid.scenarios()[1]),
        "the points differ"
    );
}
