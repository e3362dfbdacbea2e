//! Sharded runs: any cut of a run into shards, merged in any order or as a
//! tree, gives the one-machine run's outputs byte for byte; a merge refuses
//! parts of different runs and writes nothing while a shard is missing; a
//! partial file cut short or killed mid-write is never accepted.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use wfsim::analysis::compare::{Arm, ComparisonPart, compare, compare_part, comparison};
use wfsim::analysis::job::Job;
use wfsim::analysis::sweep::{Axis, Grid, sweep, sweep_merged, sweep_part};
use wfsim::engine::shard::{Part, PartialFile, Shard, read_manifest};
use wfsim::engine::{Partial, RunOptions, RunResult, assemble, run, simulate};
use wfsim::scenario::Scenario;

use crate::common::{template, wfsim, wfsim_with};

const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/template.toml");

fn opts(n: u64) -> RunOptions {
    RunOptions {
        trajectories: n,
        seed: 7,
        threads: 2,
        ..RunOptions::for_scenario(&template(), Some(n), Some(7), Some(2))
    }
}

/// What a run writes (summary.json, metrics.csv, targets.csv), the timing
/// fields aside.
fn rendered(sc: &Scenario, mut r: RunResult) -> Vec<Vec<u8>> {
    r.elapsed_seconds = 0.0;
    r.threads = 2;
    wfsim::report::exporters()
        .iter()
        .map(|e| e.render(sc, &r).unwrap())
        .collect()
}

fn shards(sc: &Scenario, o: RunOptions, count: u64) -> Vec<Partial> {
    (0..count)
        .map(|i| {
            let r = Shard::new(i, count).unwrap().range(o.trajectories);
            simulate(sc, o, r, &|_| {}, &AtomicBool::new(false)).unwrap()
        })
        .collect()
}

#[test]
fn shards_merged_in_any_order_or_as_a_tree_are_the_one_machine_run() {
    let sc = template();
    // Not a multiple of the block, so shards cut blocks; more than the
    // kept records' minimum, so some shards hold records and some do not.
    let o = opts(2_345);
    let whole = rendered(&sc, run(&sc, o, &|_| {}, &AtomicBool::new(false)).unwrap());
    let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
    for count in [1, 3, 7] {
        let mut parts = shards(&sc, o, count);
        parts.shuffle(&mut rng);
        let chain = parts
            .iter()
            .cloned()
            .reduce(|a, b| a.merge(b).unwrap())
            .unwrap();
        assert_eq!(
            rendered(&sc, assemble(&sc, &chain).unwrap()),
            whole,
            "{count} shards, shuffled"
        );
        // A tree: pairs, then pairs of pairs.
        let mut level = parts;
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|c| match c {
                    [a, b] => a.clone().merge(b.clone()).unwrap(),
                    [a] => a.clone(),
                    _ => unreachable!(),
                })
                .collect();
        }
        let tree = level.pop().unwrap();
        assert_eq!(
            tree, chain,
            "{count} shards: the tree's merge is the chain's"
        );
        assert_eq!(rendered(&sc, assemble(&sc, &tree).unwrap()), whole);
    }
}

#[test]
fn more_shards_than_trajectories_still_merge_to_the_run() {
    let sc = template();
    let o = opts(5);
    let whole = rendered(&sc, run(&sc, o, &|_| {}, &AtomicBool::new(false)).unwrap());
    let merged = shards(&sc, o, 9)
        .into_iter()
        .reduce(|a, b| a.merge(b).unwrap())
        .unwrap();
    assert_eq!(rendered(&sc, assemble(&sc, &merged).unwrap()), whole);
}

#[test]
fn a_run_missing_a_shard_is_not_assembled() {
    let sc = template();
    let mut parts = shards(&sc, opts(900), 3);
    parts.remove(1);
    let merged = parts
        .into_iter()
        .reduce(|a, b| a.merge(b).unwrap())
        .unwrap();
    assert_eq!(merged.missing(), vec![300..600]);
    let e = assemble(&sc, &merged).unwrap_err();
    assert!(e.to_string().contains("300..600"), "{e}");
}

#[test]
fn a_partial_file_cut_short_or_altered_is_refused() {
    let sc = template();
    let part = shards(&sc, opts(300), 1).pop().unwrap();
    let file = PartialFile::new(&[&sc], vec![], Some(Shard::new(0, 1).unwrap()), None, part);
    let bytes = file.encode().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.partial");
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(PartialFile::read(&path).unwrap(), {
        let mut f = file.clone();
        f.manifest = read_manifest(&path).unwrap();
        f
    });
    // Every cut, at a spread of lengths, is refused.
    for len in (0..bytes.len()).step_by(bytes.len() / 37 + 1) {
        std::fs::write(&path, &bytes[..len]).unwrap();
        assert!(
            PartialFile::<Partial>::read(&path).is_err(),
            "accepted {len} of {} bytes",
            bytes.len()
        );
    }
    // One flipped bit in the body is refused.
    let mut flipped = bytes.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 1;
    std::fs::write(&path, &flipped).unwrap();
    let e = PartialFile::<Partial>::read(&path).unwrap_err();
    assert!(e.to_string().contains("checksum"), "{e}");
}

/// The files of a run folder that a merge must reproduce, the summary's
/// timing fields aside.
fn outputs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = vec![];
    for name in ["metrics.csv", "targets.csv", "report.html"] {
        files.push((name.into(), std::fs::read(dir.join(name)).unwrap()));
    }
    let mut summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    summary["run"]
        .as_object_mut()
        .unwrap()
        .remove("elapsed_seconds");
    files.push(("summary.json".into(), summary.to_string().into_bytes()));
    let mut charts: Vec<PathBuf> = std::fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    charts.sort();
    for c in charts {
        files.push((c.file_name().unwrap().into(), std::fs::read(&c).unwrap()));
    }
    files.extend(workbook(&dir.join("summary.xlsx")));
    files
}

/// The parts of an xlsx, but for its timing: the workbook's creation time
/// (`docProps/core.xml`) is left out, and the sheets are compared by their
/// cells as read back (calamine), without the elapsed seconds' row.
fn workbook(path: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    use calamine::{Reader, Xlsx, open_workbook};
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut parts = vec![];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        if name == "docProps/core.xml"
            || name == "xl/sharedStrings.xml"
            || name.starts_with("xl/worksheets/")
        {
            continue;
        }
        let mut bytes = vec![];
        part.read_to_end(&mut bytes).unwrap();
        parts.push((PathBuf::from("summary.xlsx").join(name), bytes));
    }
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        let cells: Vec<String> = range
            .rows()
            .filter(|r| r.first().is_none_or(|c| *c != "耗时（秒）"))
            .map(|r| format!("{r:?}"))
            .collect();
        parts.push((
            PathBuf::from("summary.xlsx").join(&name),
            cells.join("\n").into_bytes(),
        ));
    }
    parts
}

#[test]
fn the_command_line_merge_writes_the_one_machine_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = ["-n", "1500", "-j", "1", "-q"];
    let ok = |args: &[&str]| {
        let (code, out, err) = wfsim(args, d);
        assert_eq!(code, 0, "{args:?}: {err}");
        (out, err)
    };
    ok(&[&["run", TEMPLATE, "-o", "one"][..], &base].concat());
    for i in ["2/3", "0/3", "1/3"] {
        ok(&[&["run", TEMPLATE, "-o", "sh", "--shard", i][..], &base].concat());
    }
    // Missing a shard: exit 4, the missing shard named, nothing written.
    let (code, _, err) = wfsim(
        &[
            "merge",
            "sh/shards/shard-0000-of-0003.partial",
            "sh/shards/shard-0002-of-0003.partial",
            "-o",
            "part",
        ],
        d,
    );
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("missing: 500..1000 (shards 1/3)"), "{err}");
    assert!(!d.join("part").exists());

    ok(&["merge", "sh", "-o", "merged", "-q"]);
    assert_eq!(outputs(&d.join("merged")), outputs(&d.join("one")));
    // A tree: two shards into one partial file, then that with the third.
    ok(&[
        "merge",
        "--partial",
        "ab.partial",
        "sh/shards/shard-0002-of-0003.partial",
        "sh/shards/shard-0000-of-0003.partial",
        "-q",
    ]);
    ok(&[
        "merge",
        "ab.partial",
        "sh/shards/shard-0001-of-0003.partial",
        "-o",
        "tree",
        "-q",
    ]);
    assert_eq!(outputs(&d.join("tree")), outputs(&d.join("one")));

    // A finished shard is not run again, unless forced.
    let shard = d.join("sh/shards/shard-0001-of-0003.partial");
    let before = std::fs::metadata(&shard).unwrap().modified().unwrap();
    let (code, _, err) = wfsim(
        &[
            &["run", TEMPLATE, "-o", "sh", "--shard", "1/3"][..],
            &base[..4],
        ]
        .concat(),
        d,
    );
    assert_eq!(code, 0);
    assert!(err.contains("already done"), "{err}");
    assert_eq!(
        std::fs::metadata(&shard).unwrap().modified().unwrap(),
        before
    );
    // Another seed is another run: its shard is run and replaces it, and
    // the merge then refuses the mix, naming the seed.
    ok(&[
        &["run", TEMPLATE, "-o", "sh", "--shard", "1/3", "-s", "9"][..],
        &base,
    ]
    .concat());
    let (code, _, err) = wfsim(&["merge", "sh", "-o", "mixed"], d);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the seed differs"), "{err}");
    assert!(!d.join("mixed").exists());
}

#[test]
fn the_shard_comes_from_the_schedulers_environment() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        TEMPLATE,
        "-n",
        "300",
        "-j",
        "1",
        "-q",
        "-o",
        "o",
        "--shard-from-env",
    ];
    let slurm = [
        ("SLURM_ARRAY_TASK_ID", "3"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "4"),
    ];
    let (code, _, err) = wfsim_with(&args, dir.path(), &slurm);
    assert_eq!(code, 0, "{err}");
    let m = read_manifest(&dir.path().join("o/shards/shard-0002-of-0004.partial")).unwrap();
    assert_eq!(m.ranges, vec![[150, 225]]);
    assert_eq!(m.shard.as_deref(), Some("2/4"));
    // Kubernetes says the index but not the count.
    let (code, _, err) = wfsim_with(&args, dir.path(), &[("JOB_COMPLETION_INDEX", "1")]);
    assert_eq!(code, 2);
    assert!(err.contains("--shards N"), "{err}");
    let k8s = [("JOB_COMPLETION_INDEX", "1"), ("WFSIM_SHARDS", "3")];
    let (code, _, err) = wfsim_with(&args, dir.path(), &k8s);
    assert_eq!(code, 0, "{err}");
    assert!(
        dir.path()
            .join("o/shards/shard-0001-of-0003.partial")
            .is_file()
    );
}

#[cfg(unix)]
#[test]
fn a_shard_killed_mid_run_leaves_nothing_a_merge_accepts() {
    let dir = tempfile::tempdir().unwrap();
    for wait in [50, 300, 900] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wfsim"))
            .args([
                "run", TEMPLATE, "-n", "4000000", "-q", "-o", "o", "--shard", "0/2",
            ])
            .current_dir(dir.path())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(wait));
        child.kill().unwrap();
        let _ = child.wait();
        let (code, _, err) = wfsim(&["merge", "o", "-o", "m"], dir.path());
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("no partial results"), "{err}");
    }
}

/// The template's declared variants, as compare's arms.
fn arms(sc: &Scenario) -> (Arm, Vec<Arm>) {
    let variants = sc
        .variants
        .iter()
        .map(|v| Arm {
            name: v.name.clone(),
            label: v.label.clone(),
            scenario: sc.variant(v).unwrap(),
            weight: v.weight,
        })
        .collect();
    let base = Arm {
        name: "baseline".into(),
        label: "baseline".into(),
        scenario: sc.clone(),
        weight: None,
    };
    (base, variants)
}

#[test]
fn a_comparison_in_shards_is_the_one_machine_comparison() {
    let sc = template();
    let (base, variants) = arms(&sc);
    assert!(variants.len() >= 2, "the template declares variants");
    let o = opts(1_234);
    let whole = serde_json::to_string(&compare(&base, &variants, o, &|_| {}).unwrap()).unwrap();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(5);
    for count in [1, 3, 7] {
        let mut parts: Vec<ComparisonPart> = (0..count)
            .map(|i| {
                let r = Shard::new(i, count).unwrap().range(o.trajectories);
                compare_part(&base, &variants, o, r, &|_| {}).unwrap()
            })
            .collect();
        parts.shuffle(&mut rng);
        let merged = parts
            .into_iter()
            .reduce(|a, b| a.merge(b).unwrap())
            .unwrap();
        let c = comparison(&base, &variants, merged).unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), whole, "{count} shards");
    }
}

#[test]
fn a_sweep_in_shards_is_the_one_machine_sweep() {
    let sc = template();
    let axes = vec![Axis::parse("levers.exam_support.reward=0,3000").unwrap()];
    let o = opts(700);
    let whole = serde_json::to_string(&sweep(&sc, &axes, o, &|_| {}).unwrap()).unwrap();
    let grid = Grid::new(&sc, &axes).unwrap();
    for count in [1, 3, 7] {
        let parts: Vec<Job> = (0..count)
            .rev()
            .map(|i| {
                let r = Shard::new(i, count).unwrap().range(o.trajectories);
                Job::Sweep(sweep_part(&grid, o, r, &|_| {}).unwrap())
            })
            .collect();
        let Job::Sweep(points) = parts
            .into_iter()
            .reduce(|a, b| a.merge(b).unwrap())
            .unwrap()
        else {
            unreachable!()
        };
        let s = sweep_merged(&sc, &grid, points).unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), whole, "{count} shards");
    }
}

#[test]
fn shards_of_different_commands_do_not_merge() {
    let sc = template();
    let o = opts(300);
    let run = Job::Run(Box::new(shards(&sc, o, 1).pop().unwrap()));
    let axes = vec![Axis::parse("levers.exam_support.reward=0,3000").unwrap()];
    let grid = Grid::new(&sc, &axes).unwrap();
    let sweep = Job::Sweep(sweep_part(&grid, o, 0..300, &|_| {}).unwrap());
    let e = run.merge(sweep).unwrap_err();
    assert!(
        e.to_string()
            .contains("the command is run in one and sweep"),
        "{e}"
    );
}

/// The files a command wrote into `dir` with these names, as bytes.
fn files(dir: &Path, names: &[&str]) -> Vec<Vec<u8>> {
    names
        .iter()
        .map(|n| std::fs::read(dir.join(n)).unwrap_or_else(|e| panic!("{n}: {e}")))
        .collect()
}

#[test]
fn compare_and_sweep_shard_and_merge_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| {
        let (code, out, err) = wfsim(args, d);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    let base = ["-n", "900", "-j", "1", "-q"];
    let set = ["--set", "levers.exam_support.reward=0,3000"];
    ok(&[&["compare", TEMPLATE, "-o", "c1"][..], &base].concat());
    ok(&[&["sweep", TEMPLATE, "-o", "s1"][..], &set, &base].concat());
    for i in ["1/3", "2/3", "0/3"] {
        ok(&[&["compare", TEMPLATE, "-o", "c3", "--shard", i][..], &base].concat());
        ok(&[
            &["sweep", TEMPLATE, "-o", "s3", "--shard", i][..],
            &set,
            &base,
        ]
        .concat());
    }
    // Merged into the folder the shards were written for.
    ok(&["merge", "c3", "-q"]);
    ok(&["merge", "s3/shards", "-q"]);
    let compared = ["compare.json", "compare.csv", "compare.svg", "compare.html"];
    assert_eq!(
        files(&d.join("c3"), &compared),
        files(&d.join("c1"), &compared)
    );
    let swept = ["sweep.json", "sweep.csv", "sweep.svg"];
    assert_eq!(files(&d.join("s3"), &swept), files(&d.join("s1"), &swept));
    // A comparison's and a sweep's shards are not one run.
    let (code, _, err) = wfsim(
        &[
            "merge",
            "c3/shards/shard-0000-of-0003.partial",
            "s3/shards/shard-0001-of-0003.partial",
        ],
        d,
    );
    assert_eq!(code, 2);
    assert!(err.contains("not parts of one run"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_shard_stopped_by_sigterm_exits_130_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_wfsim"))
        .args([
            "run", TEMPLATE, "-n", "4000000", "-q", "-o", "o", "--shard", "1/2",
        ])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    // What a scheduler's pre-emption or time limit sends.
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted; nothing was written"), "{err}");
    assert!(
        !dir.path()
            .join("o/shards/shard-0001-of-0002.partial")
            .exists()
    );
}

#[test]
fn a_sensitivity_analysis_in_shards_is_the_one_machine_analysis() {
    use wfsim::analysis::sensitivity::{sensitivity, sensitivity_of, sensitivity_part};
    let sc = template();
    let o = opts(1_500);
    let cancel = AtomicBool::new(false);
    let (whole, _) = sensitivity(&sc, o, &|_| {}, &cancel).unwrap();
    let whole = serde_json::to_string(&whole).unwrap();
    for count in [1, 3, 7] {
        let merged = (0..count)
            .map(|i| {
                let r = Shard::new(i, count).unwrap().range(o.trajectories);
                Job::Sensitivity(Box::new(
                    sensitivity_part(&sc, o, r, &|_| {}, &cancel).unwrap(),
                ))
            })
            .rev()
            .reduce(|a, b| a.merge(b).unwrap())
            .unwrap();
        let Job::Sensitivity(part) = merged else {
            unreachable!()
        };
        let (s, _) = sensitivity_of(&sc, *part).unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), whole, "{count} shards");
    }
}

#[test]
fn sensitivity_shards_and_merges_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = ["-n", "600", "-j", "1", "-q"];
    let ok = |args: &[&str]| {
        let (code, _, err) = wfsim(args, d);
        assert_eq!(code, 0, "{args:?}: {err}");
    };
    ok(&[&["sensitivity", TEMPLATE, "-o", "one"][..], &base].concat());
    for i in ["0/2", "1/2"] {
        ok(&[
            &["sensitivity", TEMPLATE, "-o", "two", "--shard", i][..],
            &base,
        ]
        .concat());
    }
    ok(&["merge", "two", "-q"]);
    let out = [
        "sensitivity.json",
        "sensitivity.csv",
        "tornado-certified-2025.svg",
        "tornado-joint.svg",
    ];
    assert_eq!(files(&d.join("two"), &out), files(&d.join("one"), &out));
}

/// Comparisons and sensitivity analyses read every trajectory's record a
/// slice at a time (engine::runner::SLICE); slices cut where shards do not,
/// and merge exactly all the same.
#[test]
fn slices_of_a_long_range_merge_like_shards() {
    use wfsim::analysis::sensitivity::sensitivity_part;
    use wfsim::engine::runner::SLICE;
    let sc = template();
    let n = SLICE + 3_000;
    let o = RunOptions {
        threads: 2,
        ..opts(n)
    };
    let cancel = AtomicBool::new(false);
    // Timings aside.
    let untimed = |mut p: Partial| {
        p.elapsed_seconds = 0.0;
        p
    };
    let whole = sensitivity_part(&sc, o, 0..n, &|_| {}, &cancel).unwrap();
    let cut = 5_001;
    let a = sensitivity_part(&sc, o, cut..n, &|_| {}, &cancel).unwrap();
    let b = sensitivity_part(&sc, o, 0..cut, &|_| {}, &cancel).unwrap();
    let merged = a.merge(b).unwrap();
    assert!(merged.counts == whole.counts, "the decile counts differ");
    assert!(untimed(merged.run) == untimed(whole.run), "the runs differ");
    let (base, variants) = arms(&sc);
    let whole = compare_part(&base, &variants[..1], o, 0..n, &|_| {}).unwrap();
    let a = compare_part(&base, &variants[..1], o, 0..cut, &|_| {}).unwrap();
    let b = compare_part(&base, &variants[..1], o, cut..n, &|_| {}).unwrap();
    let merged = b.merge(a).unwrap();
    assert!(merged.pairs == whole.pairs, "the pairs differ");
    for (x, y) in merged.arms.into_iter().zip(whole.arms) {
        assert!(untimed(x) == untimed(y), "an arm differs");
    }
}

#[test]
fn merged_partial_files_are_the_same_bytes_whatever_the_grouping() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..4 {
        let s = format!("{i}/4");
        let (code, _, err) = wfsim(
            &[
                "run", TEMPLATE, "-n", "800", "-j", "1", "-q", "-o", "o", "--shard", &s,
            ],
            d,
        );
        assert_eq!(code, 0, "{err}");
    }
    let f = |i: usize| format!("o/shards/shard-000{i}-of-0004.partial");
    let merge = |out: &str, inputs: &[String]| {
        let mut args = vec!["merge", "-q", "--partial", out];
        args.extend(inputs.iter().map(String::as_str));
        let (code, _, err) = wfsim(&args, d);
        assert_eq!(code, 0, "{err}");
        std::fs::read(d.join(out)).unwrap()
    };
    let chain = merge("chain.partial", &[f(0), f(1), f(2), f(3)]);
    merge("a.partial", &[f(3), f(0)]);
    merge("b.partial", &[f(2), f(1)]);
    let tree = merge("tree.partial", &["b.partial".into(), "a.partial".into()]);
    assert!(
        chain == tree,
        "a tree of merges wrote other bytes than a chain"
    );
}

#[test]
fn a_merge_of_shards_made_by_different_builds_warns() {
    let sc = template();
    let o = opts(400);
    let dir = tempfile::tempdir().unwrap();
    for (i, part) in shards(&sc, o, 2).into_iter().enumerate() {
        let mut file = PartialFile::new(
            &[&sc],
            vec![],
            Some(Shard::new(i as u64, 2).unwrap()),
            None,
            Job::Run(Box::new(part)),
        );
        if i == 1 {
            file.manifest.commit = "0123456789ab".into();
        }
        let path = dir.path().join(format!("{i}.partial"));
        std::fs::write(path, file.encode().unwrap()).unwrap();
    }
    let (code, _, err) = wfsim(
        &[
            "merge",
            "0.partial",
            "1.partial",
            "-o",
            "out",
            "-q",
            "--no-charts",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning:") && err.contains("0123456789ab"),
        "{err}"
    );
}
