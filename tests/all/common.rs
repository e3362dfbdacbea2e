//! Small scenarios built for tests: a base in which nothing happens (no
//! exams, no leaving, no entry, no money), to which a test adds exactly the
//! flows it studies.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use wfsim::engine::{MetricRow, RunOptions, RunResult};
use wfsim::scenario::Scenario;

/// A one-region scenario over `years` where every flow is off except what
/// `over` switches on (pairs of table name and lines); `region` is TOML
/// added to the region table, `extra` TOML added at the end of the file.
pub fn quiet_scenario(years: i64, region: &str, over: &[(&str, &str)], extra: &str) -> String {
    format!(
        "schema_version = 1\n[scenario]\nname = \"test\"\n[time]\nstart_year = 2020\nend_year = {}\n[[region]]\nid = \"r\"\n{region}\n{}\n{extra}\n",
        2020 + years,
        quiet_parameters(over),
    )
}

/// Builds parameter tables with every flow off, overridden by `over`
/// (pairs of table name and extra lines).
pub fn quiet_parameters(over: &[(&str, &str)]) -> String {
    let base: &[(&str, &str)] = &[
        (
            "parameters.exam",
            "junior_registration_rate = 0\nintermediate_registration_rate = 0\noutside_entry_share = 0",
        ),
        ("parameters.promotion", "senior_rate = 0"),
        (
            "parameters.attrition",
            "uncertified = 0\ntrained = 0\ngraduates = 0\njunior = 0\nintermediate = 0\nsenior = 0\nno_post_multiplier = 1\npay_elasticity = 0",
        ),
        (
            "parameters.entry",
            "graduate_entry_share = 0\nreplacement_rate = 0\nrole_growth = 0",
        ),
        ("parameters.orgs", "closure_rate = 0"),
    ];
    let mut out = String::new();
    let mut tables: Vec<&str> = base.iter().map(|(t, _)| *t).collect();
    for (t, _) in over {
        if !tables.contains(t) {
            tables.push(t);
        }
    }
    for t in tables {
        out.push_str(&format!("[{t}]\n"));
        // Keys given by the test replace the base's.
        let given: Vec<(&str, &str)> = over
            .iter()
            .filter(|(n, _)| *n == t)
            .flat_map(|(_, body)| body.lines())
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        if let Some((_, body)) = base.iter().find(|(n, _)| *n == t) {
            for line in body.lines() {
                let key = line.split('=').next().unwrap_or("").trim();
                if !given.iter().any(|(k, _)| *k == key) {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        for (k, v) in given {
            out.push_str(&format!("{k} = {v}\n"));
        }
    }
    out
}

pub fn parse(text: &str) -> Scenario {
    match Scenario::from_str(Path::new("test.toml"), text) {
        Ok(sc) => sc,
        Err(e) => panic!("test scenario does not validate:\n{e}\n---\n{text}"),
    }
}

pub fn run(sc: &Scenario, trajectories: u64, seed: u64, threads: usize) -> RunResult {
    let opts = RunOptions {
        trajectories,
        seed,
        threads,
        keep: wfsim::engine::Keep::All,
        metrics: wfsim::engine::MetricScopes::Every,
    };
    match wfsim::engine::run(sc, opts, &|_| {}, &AtomicBool::new(false)) {
        Ok(r) => r,
        Err(e) => panic!("run failed: {e}"),
    }
}

/// The metrics.csv row of a metric, scope and year.
pub fn row<'a>(r: &'a RunResult, metric: &str, scope: &str, year: i32) -> &'a MetricRow {
    r.metrics
        .iter()
        .find(|m| m.metric == metric && m.scope == scope && m.year == year)
        .unwrap_or_else(|| panic!("no row {metric}/{scope}/{year}"))
}

/// Asserts |got − want| ≤ z·sd, saying both.
pub fn assert_close(what: &str, got: f64, want: f64, sd: f64, z: f64) {
    assert!(
        (got - want).abs() <= z * sd,
        "{what}: got {got}, expected {want} ± {z}·{sd:.4} (off by {:.2} sd)",
        (got - want).abs() / sd
    );
}

/// The shipped template scenario.
pub fn template() -> Scenario {
    match Scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/template.toml")) {
        Ok(sc) => sc,
        Err(e) => panic!("{e}"),
    }
}

/// Runs the wfsim binary in `dir`: exit code, stdout, stderr.
pub fn wfsim(args: &[&str], dir: &Path) -> (i32, String, String) {
    wfsim_with(args, dir, &[])
}

/// Runs the wfsim binary in `dir` with `env` added to its environment.
pub fn wfsim_with(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wfsim"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("wfsim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
