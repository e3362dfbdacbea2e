//! Every shipped scenario validates and runs, and answers every target its
//! document sets, with the document's threshold and year — so a schema change
//! cannot break them silently.

use std::path::Path;

use wfsim::scenario::Scenario;

use crate::common::run;

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    match Scenario::load(&path) {
        Ok(sc) => sc,
        Err(e) => panic!("{name}: {e}"),
    }
}

/// (target id, metric, scope, year, threshold) as the documents set them.
fn expect(name: &str, targets: &[(&str, &str, &str, i32, f64)]) {
    let sc = load(name);
    let r = run(&sc, 40, 1, 0);
    assert_eq!(r.targets.len(), targets.len(), "{name}: targets");
    for &(id, metric, scope, year, threshold) in targets {
        let t = r
            .targets
            .iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("{name}: no target {id}"));
        assert_eq!(
            (t.metric.as_str(), t.scope.as_str(), t.year, t.threshold),
            (metric, scope, year, threshold),
            "{name}: {id}"
        );
        // P(met) is the share of trajectories whose record meets it, with
        // the Wilson interval of that count.
        let ti = sc.targets.iter().position(|x| x.id == id).unwrap();
        let n = r.records.len();
        let met = (0..n).filter(|&i| r.records.met(&sc, i, ti)).count() as u64;
        assert_eq!(t.p_met, met as f64 / n as f64, "{name}: {id}");
        let w = wfsim::stats::wilson(met, n as u64);
        assert_eq!((t.ci_low, t.ci_high), (w.low, w.high), "{name}: {id}");
        assert!(
            !t.label.is_empty() && t.label != t.id,
            "{name}: {id} carries the document's wording"
        );
    }
}

#[test]
fn every_shipped_scenario_validates_and_runs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let sc = load(path.file_name().unwrap().to_str().unwrap());
            let r = run(&sc, 20, 2, 0);
            assert_eq!(r.targets.len(), sc.targets.len());
            for v in &sc.variants {
                assert!(
                    sc.variant(v).is_ok(),
                    "{}: variant {} does not build",
                    path.display(),
                    v.name
                );
            }
            n += 1;
        }
    }
    assert!(n >= 6, "found {n} scenarios");
}

#[test]
fn hunan_answers_every_target_of_the_plan() {
    expect(
        "hunan-2012-2020.toml",
        &[
            ("talent-2015", "talent", "total", 2015, 20000.0),
            ("talent-certified-2015", "certified", "total", 2015, 20000.0),
            ("talent-2020", "talent", "total", 2020, 60000.0),
            ("talent-certified-2020", "certified", "total", 2020, 60000.0),
            (
                "intermediate-2015",
                "intermediate_or_equivalent",
                "total",
                2015,
                2000.0,
            ),
            (
                "intermediate-certified-2015",
                "intermediate",
                "total",
                2015,
                2000.0,
            ),
            (
                "intermediate-2020",
                "intermediate_or_equivalent",
                "total",
                2020,
                8000.0,
            ),
            (
                "intermediate-certified-2020",
                "intermediate",
                "total",
                2020,
                8000.0,
            ),
            ("senior-2015", "senior_or_equivalent", "total", 2015, 400.0),
            ("senior-certified-2015", "senior", "total", 2015, 400.0),
            ("senior-2020", "senior_or_equivalent", "total", 2020, 1200.0),
            ("senior-certified-2020", "senior", "total", 2020, 1200.0),
            (
                "urban-communities-2015",
                "urban_coverage",
                "total",
                2015,
                0.3,
            ),
            (
                "urban-communities-2017",
                "urban_coverage",
                "total",
                2017,
                0.7,
            ),
            (
                "urban-communities-2020",
                "urban_coverage",
                "total",
                2020,
                0.9,
            ),
            ("orgs-2020", "orgs", "total", 2020, 2000.0),
            (
                "poverty-stations-2015",
                "stations_staffed",
                "tag:poverty_county",
                2015,
                15.0,
            ),
            (
                "poverty-stations-2020",
                "stations_staffed",
                "every:poverty_county",
                2020,
                1.0,
            ),
            (
                "poverty-stations-2020-basic",
                "stations_staffed",
                "every:poverty_county",
                2020,
                1.0,
            ),
            (
                "rural-talent-added-2020",
                "talent",
                "tag:rural",
                2020,
                4000.0,
            ),
            (
                "rural-certified-added-2020",
                "certified",
                "tag:poverty_county",
                2020,
                4000.0,
            ),
            ("rural-talent-2020", "talent", "tag:rural", 2020, 4000.0),
            (
                "township-centres-2020",
                "township_coverage",
                "total",
                2020,
                1.0,
            ),
            (
                "township-centres-2020-basic",
                "township_coverage",
                "total",
                2020,
                0.9,
            ),
            ("all-trained-2020", "talent_share", "total", 2020, 1.0),
            ("all-trained-2020-basic", "talent_share", "total", 2020, 0.9),
        ],
    );
    let sc = load("hunan-2012-2020.toml");
    assert!(sc.regions.len() >= 14);
    assert_eq!(
        sc.regions
            .iter()
            .filter(|r| r.tags.iter().any(|t| t == "poverty_county"))
            .count(),
        20
    );
    // 基本实现 is read as 18 of the 20 counties, beside the literal 20.
    let basic = sc
        .targets
        .iter()
        .find(|t| t.id == "poverty-stations-2020-basic")
        .unwrap();
    assert_eq!(basic.regions_needed(20), 18);
    // The 2020 coverage target is read against the townships after the merger.
    let townships: f64 = sc.regions.iter().map(|r| r.facts.townships.central()).sum();
    assert!((1930.0..=1950.0).contains(&townships), "{townships}");
    // Every target of the plan is either answered or listed with a reason.
    for id in [
        "services-bought-2015",
        "standard-demonstration-2020",
        "training-bases-2020",
        "msw-teachers-2020",
    ] {
        assert!(sc.not_modelled.iter().any(|t| t.id == id), "{id}");
    }
}

#[test]
fn jinan_answers_every_target_of_the_measures() {
    expect(
        "jinan-2020-2025.toml",
        &[
            (
                "certified-2022",
                "certificates_issued",
                "total",
                2022,
                10000.0,
            ),
            (
                "certified-2025",
                "certificates_issued",
                "total",
                2025,
                15000.0,
            ),
            ("supervisors-2022", "supervisors", "total", 2022, 100.0),
            ("supervisors-2025", "supervisors", "total", 2025, 200.0),
            (
                "qualified-share-2022",
                "qualified_share",
                "total",
                2022,
                0.6,
            ),
            (
                "qualified-share-2025",
                "qualified_share",
                "total",
                2025,
                0.8,
            ),
            (
                "street-coverage-2021",
                "township_coverage",
                "total",
                2021,
                1.0,
            ),
            (
                "street-coverage-2022",
                "township_coverage",
                "total",
                2022,
                1.0,
            ),
            (
                "certified-working-2022",
                "certified",
                "total",
                2022,
                10000.0,
            ),
            (
                "certified-working-2025",
                "certified",
                "total",
                2025,
                15000.0,
            ),
        ],
    );
    // The targets the model cannot answer are listed, not dropped.
    let sc = load("jinan-2020-2025.toml");
    let ids: Vec<&str> = sc.not_modelled.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["bases-2022", "bases-2025", "villages-2025"]);
}

#[test]
fn province_answers_every_target_of_the_draft() {
    expect(
        "province-2019-2022.toml",
        &[
            (
                "certified-2022",
                "certificates_issued",
                "total",
                2022,
                100000.0,
            ),
            ("posts-2022", "posts", "total", 2022, 60000.0),
            ("orgs-2022", "orgs", "total", 2022, 1600.0),
            ("supervisors-2022", "supervisors", "total", 2022, 800.0),
            (
                "urban-communities-2022",
                "urban_coverage",
                "total",
                2022,
                1.0,
            ),
            (
                "rural-communities-2022",
                "rural_coverage",
                "total",
                2022,
                1.0,
            ),
            (
                "certified-working-2022",
                "certified",
                "total",
                2022,
                100000.0,
            ),
            ("all-trained-2022", "talent_share", "total", 2022, 1.0),
            ("all-trained-2022-basic", "talent_share", "total", 2022, 0.9),
        ],
    );
    let sc = load("province-2019-2022.toml");
    // The province is not named: each candidate is a weighted variant.
    let zj = sc.variants.iter().find(|v| v.name == "zhejiang").unwrap();
    assert_eq!(zj.weight, Some(0.5));
    assert!(sc.variant(zj).is_ok());
    assert!(sc.not_modelled.iter().any(|t| t.id == "national-orgs-2022"));
    assert_eq!(
        sc.parameters.coverage.urban_min.central(),
        2.0,
        "every urban community ≥ 2"
    );
    assert_eq!(
        sc.parameters.coverage.rural_min.central(),
        1.0,
        "every rural community ≥ 1"
    );
}

#[test]
fn pilots_reproduce_their_observed_year() {
    expect(
        "wuhan-2012.toml",
        &[
            ("registrants-2012", "registrants", "total", 2012, 2942.0),
            ("passes-2012", "passes", "total", 2012, 486.0),
            (
                "certified-2013",
                "certificates_issued",
                "total",
                2012,
                1438.0,
            ),
            ("posts-2012", "posts_created", "total", 2012, 100.0),
        ],
    );
    expect(
        "kaifu-2010.toml",
        &[
            ("registrants-2010", "registrants", "total", 2010, 312.0),
            ("posts-2010", "posts_created", "total", 2010, 10.0),
        ],
    );
    // Calibration: the observed registrants and passes sit inside the 5–95% range.
    let sc = load("wuhan-2012.toml");
    let r = run(&sc, 2000, 7, 0);
    for id in ["registrants-2012", "passes-2012", "certified-2013"] {
        let t = r.targets.iter().find(|t| t.id == id).unwrap();
        assert!(
            t.quantiles.p05 < t.threshold && t.threshold < t.quantiles.p95,
            "{id}: observed {} outside {}–{}",
            t.threshold,
            t.quantiles.p05,
            t.quantiles.p95
        );
    }
}

#[test]
fn every_number_in_a_shipped_plan_has_a_reason() {
    // A number's line carries a comment: a seed row, a cited source or an
    // "assumption:". Only the file's mechanics and target years (which the
    // threshold's comment cites) are exempt.
    let exempt = [
        "schema_version",
        "trajectories",
        "seed",
        "start_year",
        "end_year",
        "year",
    ];
    for name in [
        "hunan-2012-2020.toml",
        "jinan-2020-2025.toml",
        "province-2019-2022.toml",
        "wuhan-2012.toml",
        "kaifu-2010.toml",
    ] {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios")
                .join(name),
        )
        .unwrap();
        let bare: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| {
                let Some((key, value)) = l.split_once('=') else {
                    return false;
                };
                let key = key.trim();
                let value = value.trim_start();
                !key.starts_with('#')
                    && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && value.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '{')
                    && !exempt.contains(&key)
                    && !l.contains('#')
            })
            .collect();
        assert!(
            bare.is_empty(),
            "{name}: numbers without a reason at lines {:?}",
            bare.iter().map(|(i, _)| i + 1).collect::<Vec<_>>()
        );
    }
}

#[test]
fn no_shipped_answer_is_decided_by_a_cap_the_document_does_not_state() {
    // A threshold above the most the file's fixed inputs allow makes the
    // answer "no" whatever the evidence: a quota of our own (200 stations a
    // year against 2,443 townships), a pool or a date set without
    // uncertainty. A document's own numbers never do that to its targets,
    // so a shipped plan must not either.
    for name in [
        "hunan-2012-2020.toml",
        "jinan-2020-2025.toml",
        "province-2019-2022.toml",
        "wuhan-2012.toml",
        "kaifu-2010.toml",
    ] {
        let sc = load(name);
        for t in &sc.targets {
            if let Some(a) = wfsim::model::bounds::attainable(&sc, t) {
                assert!(
                    !a.unreachable,
                    "{name}: {} is decided by {} (at most {})",
                    t.id, a.limit, a.max
                );
            }
        }
    }
}
