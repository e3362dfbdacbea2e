//! The terminal's tables line up with real plan wording: every line of a
//! table is as wide as the others, and every column boundary sits at the
//! same display column on every line, Chinese characters counting two
//! (issue 13: the hand-padded table misaligned every Hunan row).

use std::path::Path;

use unicode_width::UnicodeWidthStr;

use crate::common::*;

/// The display columns at which a line has a column boundary.
fn boundaries(line: &str) -> Vec<usize> {
    let mut at = Vec::new();
    let mut col = 0;
    for ch in line.chars() {
        if "│┆┬┼╪┴┌┐└┘├┤╞╡".contains(ch) {
            at.push(col);
        }
        col += UnicodeWidthStr::width(ch.encode_utf8(&mut [0; 4]) as &str);
    }
    at
}

/// The tables (blocks of lines from ┌ to ┘) in `out`.
fn tables(out: &str) -> Vec<Vec<&str>> {
    let mut all = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in out.lines() {
        if line.starts_with('┌') {
            current = Some(Vec::new());
        }
        if let Some(t) = current.as_mut() {
            t.push(line);
        }
        if line.starts_with('└')
            && let Some(t) = current.take()
        {
            all.push(t);
        }
    }
    all
}

fn assert_aligned(what: &str, out: &str) -> usize {
    let found = tables(out);
    for t in &found {
        let first = boundaries(t[0]);
        assert!(first.len() >= 3, "{what}: {}", t[0]);
        for line in t {
            assert_eq!(
                UnicodeWidthStr::width(*line),
                UnicodeWidthStr::width(t[0]),
                "{what}: line of another width:\n{line}\n{}",
                t[0]
            );
            assert_eq!(
                boundaries(line),
                first,
                "{what}: misaligned:\n{line}\n{}",
                t[0]
            );
        }
    }
    found.len()
}

#[test]
fn the_terminal_tables_line_up_for_every_shipped_plan() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for f in [
        "hunan-2012-2020.toml",
        "jinan-2020-2025.toml",
        "province-2019-2022.toml",
        "wuhan-2012.toml",
        "kaifu-2010.toml",
        "template.toml",
    ] {
        let file = scenarios.join(f);
        let out_dir = dir.path().join(f);
        let (code, out, err) = wfsim(
            &[
                "run",
                file.to_str().unwrap(),
                "-n",
                "100",
                "--no-charts",
                "-o",
                out_dir.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert_eq!(code, 0, "{f}: {err}");
        assert!(assert_aligned(f, &out) >= 1, "{f}: no table in\n{out}");
        // Every target's wording is there whole: wrapped, never cut.
        let sc = wfsim::scenario::Scenario::load(&file).unwrap();
        for t in &sc.targets {
            assert!(out.contains(&t.label), "{f}: {} cut", t.id);
        }
        let (code, out, _) = wfsim(&["targets", file.to_str().unwrap()], dir.path());
        assert_eq!(code, 0);
        assert_eq!(assert_aligned(f, &out), 1);
    }
}

#[test]
fn the_comparison_tables_line_up() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/template.toml");
    let (code, out, err) = wfsim(
        &["compare", file.to_str().unwrap(), "-n", "200", "-o", "c"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    // A table per target and for all of them together, and the money.
    let sc = wfsim::scenario::Scenario::load(&file).unwrap();
    assert_eq!(
        assert_aligned("compare", &out),
        sc.targets.len() + 2,
        "{out}"
    );
    for v in &sc.variants {
        assert!(out.contains(&v.name), "{} missing", v.name);
    }
}

#[test]
fn the_sweep_table_lines_up() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/template.toml");
    let (code, out, err) = wfsim(
        &[
            "sweep",
            file.to_str().unwrap(),
            "--set",
            "levers.exam_support.share=0.05,0.13",
            "--set",
            "funding.budget=25000000,30000000",
            "--target",
            "certified-2025",
            "-n",
            "100",
            "-o",
            "s",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(assert_aligned("sweep", &out), 1, "{out}");
    // A column per lever: 2 × 2 points, each a row.
    assert_eq!(
        out.lines()
            .filter(|l| l.contains("25000000") || l.contains("30000000"))
            .count(),
        4
    );
}

#[test]
fn the_sensitivity_tables_line_up() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/template.toml");
    let (code, out, err) = wfsim(
        &[
            "sensitivity",
            file.to_str().unwrap(),
            "-n",
            "300",
            "-o",
            "s",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    // A table per target and for all of them together.
    let sc = wfsim::scenario::Scenario::load(&file).unwrap();
    assert_eq!(
        assert_aligned("sensitivity", &out),
        sc.targets.len() + 1,
        "{out}"
    );
}
