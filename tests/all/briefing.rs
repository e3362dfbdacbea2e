//! The briefing outputs: charts, report.html and summary.xlsx, as far as a
//! test can see them (the PNGs were also looked at by eye).

use std::path::Path;
use std::process::Command;

use wfsim::report::chart::Look;
use wfsim::report::results::Results;
use wfsim::report::{OutputDir, write_briefing};

use crate::common::*;

/// Runs a scenario and writes its whole output into a fresh folder.
fn brief(text: &str, trajectories: u64, seed: u64) -> (tempfile::TempDir, Results) {
    let sc = parse(text);
    let r = run(&sc, trajectories, seed, 1);
    let dir = tempfile::tempdir().unwrap();
    let out = OutputDir::prepare(dir.path()).unwrap();
    out.write_all(&sc, &r).unwrap();
    let results = Results::from_run(&sc, &r).unwrap();
    write_briefing(&out, &results, &Look::default()).unwrap();
    (dir, results)
}

fn template_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/template.toml"
    ))
    .unwrap()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn charts_exist_and_decode() {
    let (dir, r) = brief(&template_text(), 300, 5);
    let charts = dir.path().join("charts");
    let mut pngs = 0;
    for e in std::fs::read_dir(&charts).unwrap() {
        let p = e.unwrap().path();
        match p.extension().and_then(|e| e.to_str()) {
            Some("png") => {
                let img = image::load_from_memory(&std::fs::read(&p).unwrap())
                    .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                assert!(img.width() >= 800 && img.height() >= 200, "{}", p.display());
                assert!(p.with_extension("svg").is_file(), "every PNG has its SVG");
                pngs += 1;
            }
            Some("svg") => {
                let s = std::fs::read_to_string(&p).unwrap();
                assert!(
                    s.starts_with("<svg") && s.trim_end().ends_with("</svg>"),
                    "{}",
                    p.display()
                );
            }
            other => panic!("unexpected file {other:?}"),
        }
    }
    // probability, reached, one region chart, a fan per (metric, scope) of
    // the 4 targets, and an exceedance chart per target.
    assert_eq!(
        pngs,
        3 + 4 + 4,
        "charts: {:?}",
        std::fs::read_dir(&charts).unwrap().count()
    );
    assert_eq!(r.targets.len(), 4);
}

/// Band colours as plotters writes them into SVG.
const BANDS: [&str; 3] = ["#D7302", "#F4A52", "#1A985"];

#[test]
fn probability_svg_holds_every_label_and_one_bar_per_target_plus_joint() {
    let (dir, r) = brief(&template_text(), 300, 5);
    let svg = read(dir.path(), "charts/probability.svg");
    for t in &r.targets {
        assert!(svg.contains(&t.label), "label {:?} missing", t.label);
    }
    assert!(
        svg.contains("全部目标同时实现"),
        "the joint bar is labelled"
    );
    assert!(
        svg.contains("低于 50%") && svg.contains("80% 及以上"),
        "the legend states the bands"
    );
    let bars = svg
        .lines()
        .filter(|l| l.contains("<rect") && BANDS.iter().any(|c| l.to_uppercase().contains(c)))
        .count();
    // One bar per target and the joint, plus the three legend swatches.
    assert_eq!(bars, r.targets.len() + 1 + 3, "{svg}");
    assert!(
        svg.contains("font-family=\"wfsim-sans, Noto Sans CJK SC"),
        "SVG names fallback fonts"
    );
}

#[test]
fn the_exceedance_chart_marks_the_threshold_where_the_curve_gives_p_met() {
    let (dir, r) = brief(&template_text(), 400, 5);
    for t in &r.targets {
        // 101 percentiles, ascending, the 0th and 100th the least and most seen.
        assert_eq!(t.percentiles.len(), 101, "{}", t.id);
        assert!(t.percentiles.windows(2).all(|w| w[0] <= w[1]), "{}", t.id);
        assert!(t.percentiles[0] <= t.quantiles.p05 && t.quantiles.p95 <= t.percentiles[100]);
        assert_eq!(t.percentiles[50], t.quantiles.p50, "{}", t.id);
        // The curve's own reading at the threshold is P(met), to within a
        // percentile step (the curve is read from 101 percentiles).
        let reaching = t.percentiles.iter().filter(|&&v| v >= t.threshold).count();
        let curve_p = reaching as f64 / 101.0;
        assert!(
            (curve_p - t.p_met).abs() <= 0.02,
            "{}: {curve_p} vs {}",
            t.id,
            t.p_met
        );
        let svg = read(dir.path(), &format!("charts/exceedance-{}.svg", t.id));
        let pct = wfsim::report::format::percent(t.p_met);
        assert!(
            svg.contains(&format!("P = {pct}")),
            "{}: P(met) marked",
            t.id
        );
        assert!(svg.contains("的把握"), "titled in the scenario's language");
    }
}

#[test]
fn the_interval_note_is_in_the_scenarios_language() {
    let (dir, _) = brief(&template_text(), 200, 5);
    let html = read(dir.path(), "report.html");
    assert!(html.contains("Wilson 得分区间，95%"), "translated");
    assert!(
        !html.contains("wilson score interval"),
        "no English note in a Chinese briefing"
    );
    // summary.json keeps the method's name, for scripts.
    let summary = read(dir.path(), "summary.json");
    assert!(summary.contains("wilson score interval, 95%"));
}

#[test]
fn fan_svg_has_two_bands_a_median_and_the_target() {
    let (dir, _) = brief(&template_text(), 300, 5);
    let svg = read(dir.path(), "charts/fan-talent-total.svg");
    assert_eq!(svg.matches("<polygon").count(), 2, "25–75% and 5–95% bands");
    assert!(
        svg.contains("社会工作专业人才 3,000 人: 3,000"),
        "the target marker is captioned"
    );
    assert!(svg.contains("中位数") && svg.contains("起点"), "legend");
    let regions = read(dir.path(), "charts/regions-stations-every-2025.svg");
    assert!(regions.contains("郊区"), "region labels");
}

#[test]
fn svg_snapshot_for_a_fixed_seed() {
    // Any change to what the probability chart shows for this run shows up
    // here; review it, then rewrite the snapshot with WFSIM_UPDATE_SNAPSHOTS=1.
    let (dir, _) = brief(&template_text(), 300, 5);
    let got = read(dir.path(), "charts/probability.svg");
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/template-probability.svg");
    if std::env::var_os("WFSIM_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .expect("snapshot exists (WFSIM_UPDATE_SNAPSHOTS=1 writes it)");
    assert!(
        got == want,
        "probability.svg differs from {}",
        path.display()
    );
}

#[test]
fn html_is_self_contained_and_holds_every_target() {
    let (dir, r) = brief(&template_text(), 300, 5);
    let html = read(dir.path(), "report.html");
    for t in &r.targets {
        assert!(html.contains(&t.label), "{}", t.label);
    }
    assert!(html.contains(&r.scenario.label) && html.contains(&r.scenario.description));
    for a in &r.scenario.assumptions {
        assert!(html.contains(a), "assumption {a:?}");
    }
    assert!(
        html.contains("随机种子: 5") || html.contains("seed: 5"),
        "the seed is stated"
    );
    assert_eq!(html.matches("<img").count(), 11, "every chart embedded");
    assert!(html.matches("data:image/png;base64,").count() == 11);
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("<script"),
        "nothing loaded from outside"
    );
}

#[test]
fn the_workbook_reads_back_with_headers_numbers_and_formats() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let (dir, results) = brief(&template_text(), 300, 5);
    let path = dir.path().join("summary.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "目标",
            "人才队伍",
            "岗位机构站点",
            "覆盖率与比例",
            "年度流量",
            "资金",
            "运行设置"
        ]
    );
    // Targets: Chinese headers, the probability a number.
    let targets = wb.worksheet_range("目标").unwrap();
    assert_eq!(targets.get((0, 7)), Some(&Data::String("实现概率".into())));
    for (i, t) in results.targets.iter().enumerate() {
        assert_eq!(targets.get((i + 1, 0)), Some(&Data::String(t.id.clone())));
        assert_eq!(targets.get((i + 1, 7)), Some(&Data::Float(t.p_met)));
    }
    // A wide sheet: a row per metric, scope and statistic, a column per year.
    let people = wb.worksheet_range("人才队伍").unwrap();
    let header: Vec<String> = people
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[..4], ["指标", "范围", "统计量", "2020"]);
    assert_eq!(header.len(), 3 + 6, "2020–2025");
    assert_eq!(
        people.get((1, 0)),
        Some(&Data::String("未持证从业人员".into()))
    );
    assert_eq!(people.get((1, 1)), Some(&Data::String("合计".into())));
    assert_eq!(people.get((1, 2)), Some(&Data::String("中位数".into())));
    let median_2025 = results
        .metrics
        .iter()
        .find(|m| m.metric == "uncertified" && m.scope == "total" && m.year == 2025)
        .unwrap()
        .p50;
    assert_eq!(people.get((1, 8)), Some(&Data::Float(median_2025)));
    // Regions by their labels, as the plan names them, never by id.
    let labels = &results.scenario.region_labels;
    assert!(!labels.is_empty());
    let scopes: Vec<String> = people.rows().skip(1).map(|r| r[1].to_string()).collect();
    for (id, label) in labels {
        assert!(scopes.contains(label), "{label} has no rows");
        assert!(id == label || !scopes.contains(id), "{id} shown as an id");
    }
    // Settings: numbers as numbers.
    let settings = wb.worksheet_range("运行设置").unwrap();
    let row = |key: &str| {
        settings
            .rows()
            .find(|r| r[0] == Data::String(key.into()))
            .unwrap_or_else(|| panic!("{key}"))[1]
            .clone()
    };
    assert_eq!(row("模拟次数"), Data::Float(300.0));
    assert_eq!(row("随机种子"), Data::Float(5.0));
    assert!(matches!(row("耗时（秒）"), Data::Float(_)));
    assert_eq!(row("运行编号"), Data::String(results.run.id.clone()));

    // Formats, frozen labels and a filter, as the parts say them.
    let part = |name: &str| {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let styles = part("xl/styles.xml");
    assert!(styles.contains("formatCode=\"0.0%\"") && styles.contains("formatCode=\"#,##0\""));
    let sheet = part("xl/worksheets/sheet2.xml");
    assert!(
        sheet.contains("<autoFilter ref=\"A1:I"),
        "{}",
        &sheet[..400]
    );
    assert!(
        sheet.contains("xSplit=\"3\" ySplit=\"1\""),
        "labels and header frozen"
    );
}

#[test]
fn degenerate_results_still_draw() {
    // One region, one year; one target every trajectory meets, one none
    // meets, a metric that never moves, a share stuck at 0, an every: scope
    // of a single region.
    let text = quiet_scenario(
        1,
        "tags = [\"only\"]\nurban_communities = 10\ntownships = 4\n[region.stocks]\nuncertified = 100",
        &[],
        "[[target]]\nid = \"all\"\nmetric = \"uncertified\"\nyear = 2021\nthreshold = 100\n\
         [[target]]\nid = \"none\"\nmetric = \"certified\"\nyear = 2021\nthreshold = 1000000\n\
         [[target]]\nid = \"share\"\nmetric = \"urban_coverage\"\nscope = \"every:only\"\nyear = 2021\nthreshold = 0.5",
    );
    let (dir, r) = brief(&text, 50, 1);
    assert_eq!(r.targets[0].p_met, 1.0);
    assert_eq!(r.targets[1].p_met, 0.0);
    assert!(dir.path().join("charts/probability.png").is_file());
    assert!(
        dir.path()
            .join("charts/fan-uncertified-total.png")
            .is_file()
    );
    assert!(dir.path().join("charts/regions-share.png").is_file());
    // A scenario without targets draws no charts but still writes the report.
    let (dir, _) = brief(&quiet_scenario(1, "", &[], ""), 10, 1);
    assert!(dir.path().join("report.html").is_file());
}

fn wfsim(args: &[&str], dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wfsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn report_redraws_a_run_without_running_and_no_charts_skips_them() {
    let dir = tempfile::tempdir().unwrap();
    let t = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/template.toml");
    let (code, err) = wfsim(
        &["run", t, "-n", "200", "-s", "4", "--out", "a", "-q"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let (code, err) = wfsim(
        &[
            "run",
            t,
            "-n",
            "200",
            "-s",
            "4",
            "--out",
            "b",
            "-q",
            "--no-charts",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(!dir.path().join("b/charts").exists() && !dir.path().join("b/report.html").exists());
    let (code, err) = wfsim(&["report", "b"], dir.path());
    assert_eq!(code, 0, "{err}");
    for f in [
        "charts/probability.svg",
        "charts/fan-talent-total.svg",
        "charts/reached.svg",
    ] {
        assert_eq!(
            read(&dir.path().join("a"), f),
            read(&dir.path().join("b"), f),
            "{f}: report draws what run drew"
        );
    }
    // A folder without results, and a font that is not a font.
    let (code, err) = wfsim(&["report", "nowhere"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("summary.json"), "{err}");
    std::fs::write(dir.path().join("bad.ttf"), "not a font").unwrap();
    let (code, err) = wfsim(&["report", "b", "--font", "bad.ttf"], dir.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.ttf is not a TrueType/OpenType font"),
        "{err}"
    );
    let font = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/wqy-microhei.ttc");
    let (code, err) = wfsim(&["report", "b", "--font", font], dir.path());
    assert_eq!(code, 0, "{err}");
}

#[test]
fn the_report_says_what_the_probabilities_rest_on() {
    // The template with its commented programme switched on.
    let t = template_text();
    let start = t.find("# [[programme]]").expect("a programme example");
    let block: String = t[start..]
        .lines()
        .take_while(|l| l.starts_with("# ") && !l.starts_with("# Uncertain"))
        .map(|l| l.trim_start_matches("# ").to_string() + "\n")
        .collect();
    let (dir, r) = brief(&format!("{t}\n{block}"), 300, 5);
    assert_eq!(r.programmes.len(), 1);
    let html = read(dir.path(), "report.html");
    assert!(
        html.contains("可能实施的专项工程") && html.contains("乡镇社工站全覆盖工程"),
        "programme table"
    );
    assert!(
        html.contains("不确定性来源") && html.contains("未知参数"),
        "spread table"
    );
    // And `wfsim report` reads both back from summary.json.
    let back = Results::read(dir.path()).unwrap();
    assert_eq!(back.programmes, r.programmes);
    assert!(back.targets.iter().all(|t| t.spread.is_some()));
}

#[test]
fn the_reached_chart_is_a_table_of_every_target_and_year_and_the_bars_keep_readings_apart() {
    // Hunan: 26 targets, several the same sentence in two readings.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/hunan-2012-2020.toml"
    ))
    .unwrap();
    let (dir, r) = brief(&text, 100, 3);
    let reached = read(dir.path(), "charts/reached.svg");
    for y in r.scenario.start_year..=r.scenario.end_year {
        assert!(reached.contains(&format!(">\n{y}\n</text>")), "year {y}");
    }
    let probability = read(dir.path(), "charts/probability.svg");
    for t in &r.targets {
        // The first line of each label, and the reading beneath it: two
        // readings of one sentence are told apart in both charts.
        let first: String = t.label.chars().take(8).collect();
        for svg in [&reached, &probability] {
            assert!(svg.contains(&first), "{}", t.label);
            if let Some(reading) = &t.reading {
                let head: String = reading.chars().take(6).collect();
                assert!(svg.contains(&head), "{reading}");
            }
        }
    }
    // One shaded cell per target and year, no line per target.
    let cells = r.targets.len() * (r.scenario.end_year - r.scenario.start_year + 1) as usize;
    assert!(reached.matches("<rect").count() >= cells);
    assert_eq!(reached.matches("<polyline").count(), 0);
    // No bar is labelled with a bare 0%, only the axis's first tick: a
    // target no trajectory met shows the bound its interval gives.
    assert_eq!(probability.matches(">\n0%\n<").count(), 1, "a bare 0%");
    assert!(probability.contains("&lt; ") || probability.contains("< "));
}

#[test]
fn a_briefing_is_in_one_language_and_cites_documents_a_reader_can_find() {
    let (dir, _) = brief(&template_text(), 100, 5);
    let html = read(dir.path(), "report.html");
    // The Chinese plan: its Chinese description and assumptions, the
    // documents' titles; none of the English twins or the file's own notes.
    for zh in [
        "两个区，一个持证人数目标",
        "所有数字均为示例",
        "wfsim 示例情景",
    ] {
        assert!(html.contains(zh), "{zh}");
    }
    for en in [
        "A template: two districts",
        "All numbers are invented",
        "wfsim template (invented numbers)",
    ] {
        assert!(!html.contains(en), "{en}");
    }
    assert!(
        html.contains("≥") && !html.contains("&gt;="),
        "thresholds as ≥"
    );

    // The same plan briefed in English: the English texts.
    let en = template_text().replace("language = \"zh\"", "language = \"en\"");
    let (dir, _) = brief(&en, 100, 5);
    let html = read(dir.path(), "report.html");
    assert!(html.contains("All numbers are invented") && !html.contains("所有数字均为示例"));
}
