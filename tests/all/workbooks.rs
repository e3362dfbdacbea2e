//! The analysis commands' workbooks, read back as Excel would: sheet names
//! and headers in the plan's language, every number a number, and each
//! figure equal to the command's JSON.

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::common::*;

const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/template.toml");
const JINAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/jinan-2020-2025.toml"
);

/// Runs `wfsim args…` in a fresh folder and returns it.
fn command(args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = wfsim(args, dir.path());
    assert_eq!(code, 0, "{args:?}: {err}");
    dir
}

fn sheet(path: &Path, name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    wb.worksheet_range(name).unwrap_or_else(|e| {
        panic!(
            "{name} in {}: {e} (sheets {:?})",
            path.display(),
            wb.sheet_names()
        )
    })
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn header(r: &calamine::Range<Data>) -> Vec<String> {
    r.rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

fn float(r: &calamine::Range<Data>, row: usize, col: usize) -> f64 {
    match r.get((row, col)) {
        Some(Data::Float(v)) => *v,
        other => panic!("({row}, {col}) is {other:?}, not a number"),
    }
}

#[test]
fn compare_writes_a_workbook_of_every_target_and_arm() {
    let dir = command(&["compare", TEMPLATE, "-n", "200", "-q", "-o", "c"]);
    let c = json(&dir.path().join("c/compare.json"));
    let r = sheet(&dir.path().join("c/compare.xlsx"), "方案比较");
    let h = header(&r);
    assert_eq!(h[..4], ["目标编号", "目标", "方案", "实现概率"]);
    assert!(
        h.last().unwrap().ends_with("（万元）"),
        "money in 万元: {h:?}"
    );
    let arms = c["arms"].as_array().unwrap().len();
    let targets = c["targets"].as_array().unwrap();
    assert_eq!(r.height(), 1 + targets.len() * arms);
    // The first variant of the first target, as compare.json has it.
    let v = &targets[0]["variants"][0];
    assert_eq!(float(&r, 2, 3), v["p_met"].as_f64().unwrap());
    assert!((float(&r, 2, 6) - 100.0 * v["difference"].as_f64().unwrap()).abs() < 1e-9);
    let extra = c["arms"][1]["extra_cost"].as_f64().unwrap();
    assert!((float(&r, 2, 12) - extra / 1e4).abs() < 1e-9);
}

#[test]
fn compare_chart_tells_readings_apart_and_labels_every_bar() {
    // Jinan reads two of its sentences two ways each; the chart must show
    // which bar is which reading, and a number beside every bar, so a group
    // no arm meets reads "< 2%" rather than as a gap.
    let dir = command(&["compare", JINAN, "-n", "100", "-q", "-o", "c"]);
    let c = json(&dir.path().join("c/compare.json"));
    let arms = c["arms"].as_array().unwrap().len();
    let targets = c["targets"].as_array().unwrap();
    let svg = std::fs::read_to_string(dir.path().join("c/compare.svg")).unwrap();
    let readings: Vec<&str> = targets
        .iter()
        .filter_map(|t| t["reading"].as_str())
        .collect();
    assert!(readings.len() >= 4, "Jinan's readings reach compare.json");
    let html = std::fs::read_to_string(dir.path().join("c/compare.html")).unwrap();
    for reading in readings {
        let head: String = reading.chars().take(6).collect();
        assert!(svg.contains(&head), "{reading} is not on the chart");
        assert!(html.contains(reading), "{reading} is not in compare.html");
    }
    // Every probability in the page carries its interval: no bare "0.0%".
    assert!(!html.contains(">0.0%<") && !html.contains(">0%<"), "{html}");
    assert!(svg.matches("%\n</text>").count() >= targets.len() * arms);
}

#[test]
fn sweep_sensitivity_and_solve_write_workbooks() {
    let dir = command(&[
        "sweep",
        TEMPLATE,
        "--set",
        "levers.training.capacity=200,800",
        "-n",
        "150",
        "-q",
        "-o",
        "s",
    ]);
    let s = json(&dir.path().join("s/sweep.json"));
    let r = sheet(&dir.path().join("s/sweep.xlsx"), "政策变量扫描");
    assert_eq!(header(&r)[..3], ["每年培训名额", "目标", "实现概率"]);
    let per_point = s["targets"].as_array().unwrap().len();
    assert_eq!(r.height(), 1 + 2 * per_point, "a row per point and target");
    assert_eq!(float(&r, 1, 0), 200.0);
    // The same number to the last bit (0.9666666666666667 here, which
    // serde_json's default parser read as …668).
    let p = s["points"][0]["outcomes"][0]["p_met"].as_f64().unwrap();
    assert_eq!(float(&r, 1, 2), p);

    let dir = command(&["sensitivity", TEMPLATE, "-n", "300", "-q", "-o", "x"]);
    let r = sheet(&dir.path().join("x/sensitivity.xlsx"), "敏感性");
    assert_eq!(
        header(&r)[..5],
        ["目标编号", "目标", "排序", "参数", "参数路径"]
    );
    let names: Vec<String> = (1..r.height())
        .map(|i| r.get((i, 3)).unwrap().to_string())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.starts_with("parameters.") && !n.starts_with("levers.")),
        "{names:?}"
    );
    assert_eq!(float(&r, 1, 2), 1.0, "ranks are numbers");

    let dir = command(&[
        "solve",
        TEMPLATE,
        "--lever",
        "funding.budget",
        "--min",
        "1e7",
        "--max",
        "6e7",
        "-n",
        "150",
        "-q",
        "-o",
        "v",
    ]);
    let s = json(&dir.path().join("v/solve.json"));
    let answer = sheet(&dir.path().join("v/solve.xlsx"), "答案");
    assert_eq!(
        answer.get((1, 1)),
        Some(&Data::String("起始年度资金".into()))
    );
    let recommended = (1..answer.height())
        .find(|&i| {
            answer
                .get((i, 0))
                .unwrap()
                .to_string()
                .starts_with("建议值")
        })
        .unwrap();
    assert_eq!(
        float(&answer, recommended, 1),
        s["recommended"].as_f64().unwrap()
    );
    let evaluations = sheet(&dir.path().join("v/solve.xlsx"), "各次评估");
    assert_eq!(
        evaluations.height(),
        1 + s["evaluations"].as_array().unwrap().len()
    );
}
