//! The command line as a user meets it: exit codes, the files a run writes,
//! and earlier outputs surviving a failed run.

use crate::common::wfsim;

const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/template.toml");

#[test]
fn init_writes_a_template_that_validates_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = wfsim(&["init", "plan.toml"], dir.path());
    assert_eq!(code, 0, "{out}");
    let (code, out, err) = wfsim(&["validate", "plan.toml"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok: plan.toml"));
    // Named after its file: a second plan does not overwrite the first's outputs.
    assert!(out.contains("ok: plan.toml (plan,"), "{out}");
    // init refuses to overwrite.
    let (code, _, err) = wfsim(&["init", "plan.toml"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("exists"), "{err}");
    let (code, out, err) = wfsim(
        &["run", "plan.toml", "-n", "200", "--seed", "3"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("P(met)") && out.contains("all targets together"),
        "{out}"
    );
    let folder = dir.path().join("outputs/plan");
    for f in ["summary.json", "metrics.csv", "targets.csv"] {
        assert!(folder.join(f).is_file(), "{f} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["run"]["trajectories"], 200);
    assert_eq!(summary["run"]["seed"], 3);
    assert_eq!(summary["targets"].as_array().unwrap().len(), 4);
    for t in summary["targets"].as_array().unwrap() {
        for k in [
            "id",
            "label",
            "metric",
            "scope",
            "year",
            "op",
            "threshold",
            "p_met",
            "ci_low",
            "ci_high",
            "mean",
            "quantiles",
            "expected_shortfall",
            "first_year_reached",
        ] {
            assert!(t.get(k).is_some(), "target lacks {k}");
        }
        // The interval is the Wilson interval of the count behind p_met.
        let n = summary["run"]["trajectories"].as_u64().unwrap();
        let k = (t["p_met"].as_f64().unwrap() * n as f64).round() as u64;
        let w = wfsim::stats::wilson(k, n);
        // (to the last bit serde_json's reader keeps)
        assert!((t["ci_low"].as_f64().unwrap() - w.low).abs() < 1e-15);
        assert!((t["ci_high"].as_f64().unwrap() - w.high).abs() < 1e-15);
    }
    assert!(summary["joint"]["p_met"].is_number());
    let metrics = std::fs::read_to_string(folder.join("metrics.csv")).unwrap();
    // UTF-8 with a byte-order mark, so that Excel on Chinese Windows reads it.
    assert!(
        metrics.starts_with(
            "\u{feff}metric,scope,year,mean,sd,p05,p25,p50,p75,p95,quantiles_within\n"
        )
    );
    // Every metric × (total + 2 regions) × 6 years, plus the header.
    assert_eq!(
        metrics.lines().count(),
        1 + wfsim::scenario::Metric::ALL.len() * 3 * 6
    );
    let targets = std::fs::read_to_string(folder.join("targets.csv")).unwrap();
    assert_eq!(targets.lines().count(), 5);
    assert!(targets.starts_with('\u{feff}'));
    // The csv reader skips the mark: the first column is named as written.
    let mut rd = csv::Reader::from_reader(targets.as_bytes());
    assert_eq!(rd.headers().unwrap().get(0), Some("id"));
    // No temporary files are left behind.
    for e in std::fs::read_dir(&folder).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(!name.ends_with(".tmp"), "{name}");
    }
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        std::fs::read_to_string(TEMPLATE)
            .unwrap()
            .replace("completion_rate = 0.9", "completion_rate = 9"),
    )
    .unwrap();
    let (code, _, err) = wfsim(&["validate", "bad.toml"], dir.path());
    assert_eq!(code, 1, "a scenario error exits 1");
    assert!(
        err.contains("bad.toml:") && err.contains("completion_rate"),
        "{err}"
    );
    let (code, _, err) = wfsim(&["run", "bad.toml"], dir.path());
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = wfsim(&["validate", "missing.toml"], dir.path());
    assert_eq!(code, 2, "a missing file exits 2");
    assert!(err.contains("cannot read missing.toml"), "{err}");
    let (code, _, _) = wfsim(&["run"], dir.path());
    assert_eq!(code, 2, "bad arguments exit 2");
    let (code, _, err) = wfsim(&["run", TEMPLATE, "-n", "0"], dir.path());
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_failed_run_leaves_earlier_outputs_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = wfsim(
        &[
            "run",
            TEMPLATE,
            "-n",
            "100",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(out.join("summary.json")).unwrap();
    // A scenario that fails validation writes nothing.
    std::fs::write(
        dir.path().join("bad.toml"),
        "schema_version = 1\n[scenario]\nname = \"x\"\n",
    )
    .unwrap();
    let (code, _, _) = wfsim(
        &["run", "bad.toml", "--out", out.to_str().unwrap()],
        dir.path(),
    );
    assert_ne!(code, 0);
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    // An output folder that cannot be made fails at once, before the run.
    std::fs::write(dir.path().join("afile"), "").unwrap();
    let (code, _, err) = wfsim(&["run", TEMPLATE, "--out", "afile/sub"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("cannot use output folder"), "{err}");
}

#[test]
fn same_seed_same_summary_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str| -> serde_json::Value {
        let (code, _, err) = wfsim(
            &[
                "run",
                TEMPLATE,
                "-n",
                "300",
                "-s",
                "9",
                "-j",
                if name == "a" { "1" } else { "2" },
                "--force-threads",
                "--out",
                name,
                "-q",
            ],
            dir.path(),
        );
        assert_eq!(code, 0, "{err}");
        serde_json::from_slice(&std::fs::read(dir.path().join(name).join("summary.json")).unwrap())
            .unwrap()
    };
    let (a, b) = (read("a"), read("b"));
    assert_eq!(a["targets"], b["targets"]);
    assert_eq!(a["joint"], b["joint"]);
    assert_eq!(
        (a["run"]["threads"].as_u64(), b["run"]["threads"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        std::fs::read(dir.path().join("a/metrics.csv")).unwrap(),
        std::fs::read(dir.path().join("b/metrics.csv")).unwrap()
    );
}

#[test]
fn a_target_no_trajectory_meets_prints_its_bound_not_zero() {
    // Certified 3,400 → 340,000: never met in 400 trajectories. The terminal
    // and report say "< 1% [0, 0.96%]", never a bare "0.0%".
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(TEMPLATE).unwrap().replacen(
        "threshold = 3400",
        "threshold = 340000",
        1,
    );
    assert!(text.contains("threshold = 340000"));
    std::fs::write(dir.path().join("plan.toml"), text).unwrap();
    let (code, out, err) = wfsim(
        &[
            "run",
            "plan.toml",
            "-n",
            "400",
            "--seed",
            "3",
            "--no-charts",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("< 1% [0, 0.96%]"), "{out}");
    assert!(!out.contains(" 0.0%"), "{out}");
}

#[test]
fn an_unreachable_target_is_explained_in_the_terminal_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(TEMPLATE).unwrap().replacen(
        "[[target]]\nid = \"talent-2025\"",
        "[[target]]\nid = \"posts-2025\"\nmetric = \"posts\"\nyear = 2025\nthreshold = 100000\n\n[[target]]\nid = \"talent-2025\"",
        1,
    );
    assert!(text.contains("posts-2025"));
    std::fs::write(dir.path().join("plan.toml"), text).unwrap();
    let (code, out, err) = wfsim(
        &[
            "run",
            "plan.toml",
            "-n",
            "200",
            "--seed",
            "3",
            "--no-charts",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("posts-2025 < ")
                && l.contains("the threshold 10万 is above the most")),
        "{out}"
    );
    assert!(out.contains("levers.posts"), "{out}");
    let summary: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("outputs/template-city/summary.json")).unwrap(),
    )
    .unwrap();
    let t = summary["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "posts-2025")
        .unwrap();
    assert_eq!(t["attainable"]["unreachable"], true);
}

#[test]
fn sweep_and_solve_check_their_lever_before_making_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = wfsim(
        &[
            "sweep",
            TEMPLATE,
            "--set",
            "levers.nothing=1,2",
            "-n",
            "10",
            "-o",
            "sw",
        ],
        dir.path(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown field `nothing`"), "{err}");
    let (code, _, err) = wfsim(
        &[
            "solve",
            TEMPLATE,
            "--lever",
            "levers.nothing",
            "--min",
            "0",
            "--max",
            "1",
            "-n",
            "10",
            "-o",
            "sv",
        ],
        dir.path(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(!dir.path().join("sw").exists() && !dir.path().join("sv").exists());
}

#[test]
fn a_hundred_thousand_threads_are_refused_and_more_than_the_cores_capped() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = wfsim(
        &["run", TEMPLATE, "-n", "10", "-j", "100000", "-q"],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--threads 100000 is more than wfsim starts (1024)"),
        "{err}"
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let many = (cores + 1).to_string();
    let (code, _, err) = wfsim(
        &[
            "run",
            TEMPLATE,
            "-n",
            "10",
            "-j",
            &many,
            "--no-charts",
            "-o",
            "out",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("using {cores}")), "{err}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["run"]["threads"].as_u64(), Some(cores as u64));
}

#[test]
fn a_run_folder_never_mixes_two_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = wfsim(
        &["run", TEMPLATE, "-n", "50", "-o", "out", "-q"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.join("report.html").exists() && out.join("charts").is_dir());
    // Leftovers of a killed run, and a chart of a target the file no longer has.
    std::fs::write(out.join(".summary.json.abc123.tmp"), "half").unwrap();
    std::fs::write(out.join("charts/fan-deleted-target.png"), "old").unwrap();
    let (code, _, err) = wfsim(&["run", TEMPLATE, "-n", "50", "-o", "out"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(!out.join(".summary.json.abc123.tmp").exists());
    assert!(!out.join("charts/fan-deleted-target.png").exists());
    assert!(out.join("charts/probability.png").exists());
    // A run without charts does not leave the previous run's briefing beside its numbers.
    let (code, _, err) = wfsim(
        &[
            "run",
            TEMPLATE,
            "-n",
            "60",
            "-s",
            "99",
            "-o",
            "out",
            "--no-charts",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("the previous run's briefing"), "{err}");
    for stale in ["report.html", "summary.xlsx", "charts"] {
        assert!(
            !out.join(stale).exists(),
            "{stale} of the earlier run is still there"
        );
    }
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn report_refuses_a_folder_that_mixes_two_runs() {
    let dir = tempfile::tempdir().unwrap();
    let run = |n: &str, out: &str| {
        let (code, _, err) = wfsim(
            &["run", TEMPLATE, "-n", n, "-o", out, "-q", "--no-charts"],
            dir.path(),
        );
        assert_eq!(code, 0, "{err}");
    };
    run("40", "a");
    run("80", "b");
    let (code, _, err) = wfsim(&["report", "a"], dir.path());
    assert_eq!(code, 0, "{err}");
    // summary.json of one run beside metrics.csv of another: refused, named.
    std::fs::copy(
        dir.path().join("b/summary.json"),
        dir.path().join("a/summary.json"),
    )
    .unwrap();
    let (code, _, err) = wfsim(&["report", "a"], dir.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("summary.json is not the file this run wrote"),
        "{err}"
    );
    // A run killed before its manifest: no manifest, refused.
    std::fs::remove_file(dir.path().join("b/manifest.json")).unwrap();
    let (code, _, err) = wfsim(&["report", "b"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("no manifest.json"), "{err}");
}

/// Every file of a run that has room for it names the run's id, and the
/// manifest names it too: the same file, seed and size give the same id,
/// another seed another.
#[test]
fn every_file_of_a_run_names_its_run() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let run = |seed: &str, out: &str| {
        let (code, _, err) = wfsim(
            &["run", TEMPLATE, "-n", "40", "-s", seed, "-o", out, "-q"],
            dir.path(),
        );
        assert_eq!(code, 0, "{err}");
        let json = |name: &str| -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(dir.path().join(out).join(name)).unwrap())
                .unwrap()
        };
        let id = json("summary.json")["run"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(id.len(), 16, "{id}");
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        assert_eq!(json("manifest.json")["run"], id.as_str());
        let page = std::fs::read_to_string(dir.path().join(out).join("report.html")).unwrap();
        assert!(page.contains(&format!("<meta name=\"wfsim-run\" content=\"{id}\">")));
        assert!(
            page.contains(&format!("运行编号: {id}")),
            "the page shows it"
        );
        let book = std::fs::File::open(dir.path().join(out).join("summary.xlsx")).unwrap();
        let mut strings = String::new();
        zip::ZipArchive::new(book)
            .unwrap()
            .by_name("xl/sharedStrings.xml")
            .unwrap()
            .read_to_string(&mut strings)
            .unwrap();
        assert!(
            strings.contains(&format!("<t>{id}</t>")),
            "the workbook shows it"
        );
        id
    };
    let a = run("1", "a");
    assert_eq!(run("1", "again"), a, "the same run, the same id");
    assert_ne!(run("2", "other"), a, "another seed, another run");
    // A manifest that names no run (an older wfsim's) is refused.
    let m = dir.path().join("a/manifest.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("run");
    std::fs::write(&m, serde_json::to_vec(&v).unwrap()).unwrap();
    let (code, _, err) = wfsim(&["report", "a"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("names no run"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_killed_run_leaves_the_previous_run_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = wfsim(
        &["run", TEMPLATE, "-n", "50", "-o", "out", "-q"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(dir.path().join("out/summary.json")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wfsim"))
        .args(["run", TEMPLATE, "-n", "5000000", "-o", "out", "-q"])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    let _ = child.wait();
    assert_eq!(
        std::fs::read(dir.path().join("out/summary.json")).unwrap(),
        before
    );
    let (code, _, err) = wfsim(&["report", "out"], dir.path());
    assert_eq!(code, 0, "the previous run is no longer whole: {err}");
}

#[test]
fn table_rewrites_only_the_generated_part_of_a_readme() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(TEMPLATE, dir.path().join("plan.toml")).unwrap();
    let readme = dir.path().join("README.md");
    std::fs::write(&readme, "# Plans\n\nhand-written\n").unwrap();
    let (code, _, err) = wfsim(
        &["table", "plan.toml", "-n", "50", "--into", "README.md"],
        dir.path(),
    );
    assert_ne!(code, 0);
    assert!(err.contains("wfsim table: begin"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&readme).unwrap(),
        "# Plans\n\nhand-written\n",
        "a README without markers is left alone"
    );
    std::fs::write(
        &readme,
        format!(
            "# Plans\n\nhand-written\n\n{}\nstale table\n{}\n\nafter\n",
            wfsim::report::table::BEGIN,
            wfsim::report::table::END
        ),
    )
    .unwrap();
    let (code, _, err) = wfsim(
        &["table", "plan.toml", "-n", "50", "--into", "README.md"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&readme).unwrap();
    assert!(text.starts_with("# Plans\n\nhand-written\n"));
    assert!(text.ends_with("\n\nafter\n"));
    assert!(!text.contains("stale table"));
    // Every target of the plan has its row, with an interval.
    let sc = wfsim::Scenario::load(&dir.path().join("plan.toml")).unwrap();
    for t in &sc.targets {
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", t.label)))
            .unwrap_or_else(|| panic!("no row for {}:\n{text}", t.id));
        assert!(row.contains('['), "{row}");
    }
}

#[test]
fn json_on_stdout_is_the_file_the_command_writes() {
    let dir = tempfile::tempdir().unwrap();
    for (args, file) in [
        (
            vec!["run", TEMPLATE, "-n", "200", "--no-charts", "-o", "r"],
            "r/summary.json",
        ),
        (
            vec!["compare", TEMPLATE, "-n", "200", "-o", "c"],
            "c/compare.json",
        ),
    ] {
        let mut args = args.clone();
        args.push("--json");
        let (code, out, err) = wfsim(&args, dir.path());
        assert_eq!(code, 0, "{err}");
        let printed: serde_json::Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{out}"));
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(file)).unwrap()).unwrap();
        assert_eq!(printed, written, "{args:?}");
    }
}
