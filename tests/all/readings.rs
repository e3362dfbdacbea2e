//! How a document's target is read: targets that count what was added since
//! the start year, targets the model cannot answer (listed, not dropped),
//! and the explanation every near-certain answer carries.

use std::path::Path;

use wfsim::analysis::explain::{Why, explain};
use wfsim::model::Trajectory;
use wfsim::scenario::{Metric, Scenario, Scope};
use wfsim::stats::aggregate::scope_sum;

use crate::common::{parse, run};

const TEMPLATE: &str = include_str!("../../scenarios/template.toml");

fn template_with(extra: &str) -> Scenario {
    parse(&format!("{TEMPLATE}\n{extra}"))
}

#[test]
fn a_target_counting_what_was_added_subtracts_each_trajectorys_start() {
    let sc = template_with(
        "[[target]]\nid = \"added\"\nlabel = \"新增持证社工 1,000 人\"\nmetric = \"certificates_issued\"\nyear = 2024\nthreshold = 1000\nsince_start = true\nreading = \"新增（较 2020 年）\"\n",
    );
    let ti = sc.targets.iter().position(|t| t.id == "added").unwrap();
    let r = run(&sc, 200, 11, 2);
    let mut traj = Trajectory::new(&sc);
    let years = (2024 - sc.start_year) as usize;
    let mut met = 0;
    for i in 0..200u64 {
        traj.run(&sc, 11, i);
        let level = |y| scope_sum(traj.year(y), &Scope::Total, Metric::CertificatesIssued);
        let added = level(years) - level(0);
        assert_eq!(r.records.values[[i as usize, ti]], added, "trajectory {i}");
        met += u64::from(added >= 1000.0);
    }
    let t = &r.targets[ti];
    assert_eq!(t.p_met, met as f64 / 200.0);
    assert!(t.since_start);
    assert_eq!(t.reading.as_deref(), Some("新增（较 2020 年）"));
    // The level target beside it is not the same question.
    let level = r.targets.iter().find(|t| t.id == "certified-2025").unwrap();
    assert!(level.quantiles.p50 > t.quantiles.p50);
}

#[test]
fn every_scope_added_since_start_is_judged_in_the_region_that_added_least() {
    let sc = template_with(
        "[[target]]\nid = \"every-added\"\nlabel = \"每区新增\"\nmetric = \"certified\"\nscope = \"every:rural\"\nyear = 2023\nthreshold = 5\nsince_start = true\n",
    );
    let ti = sc
        .targets
        .iter()
        .position(|t| t.id == "every-added")
        .unwrap();
    let Scope::Every { regions, .. } = &sc.targets[ti].scope else {
        panic!("every scope")
    };
    let r = run(&sc, 50, 3, 1);
    let mut traj = Trajectory::new(&sc);
    for i in 0..50u64 {
        traj.run(&sc, 3, i);
        let least = regions
            .iter()
            .map(|&g| {
                traj.year(3)[g].metric(Metric::Certified)
                    - traj.year(0)[g].metric(Metric::Certified)
            })
            .fold(f64::INFINITY, f64::min);
        assert_eq!(r.records.values[[i as usize, ti]], least);
    }
}

#[test]
fn targets_not_modelled_are_listed_with_their_reason_in_summary_json() {
    let sc = template_with(
        "[[not_modelled]]\nid = \"training-bases\"\nlabel = \"建设 5 个社会工作教育培训基地\"\nyear = 2022\nreason = \"the model has no training bases\"\n",
    );
    assert_eq!(sc.not_modelled.len(), 1);
    let r = run(&sc, 20, 1, 1);
    let json = serde_json::to_value(wfsim::report::json::Summary::new(&sc, &r)).unwrap();
    let nm = &json["not_modelled"][0];
    assert_eq!(nm["id"], "training-bases");
    assert_eq!(nm["year"], 2022);
    assert_eq!(nm["reason"], "the model has no training bases");
    // Not a target: no probability is made up for it.
    assert!(r.targets.iter().all(|t| t.id != "training-bases"));
}

#[test]
fn a_not_modelled_target_needs_its_own_id_a_reason_and_a_year_in_the_run() {
    let text = format!(
        "{TEMPLATE}\n[[not_modelled]]\nid = \"talent-2025\"\nlabel = \"x\"\nyear = 2040\nreason = \" \"\n"
    );
    let err = match Scenario::from_str(Path::new("plan.toml"), &text) {
        Ok(_) => panic!("should not validate"),
        Err(e) => e.to_string(),
    };
    let line = |needle: &str| {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(i, _)| i + 1)
            .last()
            .unwrap()
    };
    for (field, needle, expected) in [
        (
            "not_modelled[0].id",
            "id = \"talent-2025\"",
            "an id no other target",
        ),
        (
            "not_modelled[0].year",
            "year = 2040",
            "a year within the projection",
        ),
        (
            "not_modelled[0].reason",
            "reason = \" \"",
            "why the model cannot answer it",
        ),
    ] {
        let at = format!("plan.toml:{}:", line(needle));
        assert!(
            err.lines()
                .any(|l| l.contains(&at) && l.contains(field) && l.contains(expected)),
            "no {field} error at {at} saying {expected:?}:\n{err}"
        );
    }
}

#[test]
fn every_near_certain_answer_says_what_decided_it() {
    let sc = template_with(
        "[[target]]\nid = \"far\"\nlabel = \"持证社工 100 万人\"\nmetric = \"certified\"\nyear = 2025\nthreshold = 1000000\n\n[[target]]\nid = \"at-start\"\nlabel = \"有社工机构\"\nmetric = \"orgs\"\nyear = 2022\nthreshold = 1\n\n[[target]]\nid = \"capped\"\nlabel = \"乡镇社工站 10,000 个\"\nmetric = \"stations\"\nyear = 2025\nthreshold = 10000\n",
    );
    let r = run(&sc, 400, 5, 2);
    let why = explain(&sc, &r);
    let of = |id: &str| {
        why.iter()
            .find(|e| e.id == id)
            .unwrap_or_else(|| panic!("{id} not explained: {why:?}"))
    };
    match &of("far").why {
        Why::FarFromThreshold { edge, drivers } => {
            assert!(*edge < 1_000_000.0);
            assert!(!drivers.is_empty(), "the unknowns behind it are named");
            assert!(drivers.iter().all(|(_, rho)| rho.abs() >= 0.05));
        }
        w => panic!("far: {w:?}"),
    }
    assert!(matches!(of("at-start").why, Why::MetAtStart { .. }));
    match &of("capped").why {
        Why::FixedLimit { max, limit } => {
            assert!(*max < 10_000.0);
            assert!(limit.contains("stations"), "{limit}");
        }
        w => panic!("capped: {w:?}"),
    }
    // Every answer within 0.5% of 0 or 1 is explained, and no other.
    for t in &r.targets {
        let near = t.p_met < 0.005 || t.p_met > 0.995;
        assert_eq!(near, why.iter().any(|e| e.id == t.id), "{}", t.id);
    }
}

#[test]
fn a_share_of_regions_is_met_when_that_many_regions_meet_it() {
    // Both districts carry the tag "all": half of them is either district.
    let text = format!(
        "{}\n[[target]]\nid = \"half\"\nlabel = \"半数区县持证 1,000 人\"\nmetric = \"certified\"\nscope = \"every:all\"\nshare_of_regions = 0.5\nyear = 2024\nthreshold = 1000\n\n[[target]]\nid = \"both\"\nlabel = \"每个区县持证 590 人\"\nmetric = \"certified\"\nscope = \"every:all\"\nyear = 2024\nthreshold = 590\n",
        TEMPLATE
            .replace("tags = [\"urban\"]", "tags = [\"urban\", \"all\"]")
            .replace("tags = [\"rural\"]", "tags = [\"rural\", \"all\"]")
    );
    let sc = parse(&text);
    let (half, both) = (
        sc.targets.iter().position(|t| t.id == "half").unwrap(),
        sc.targets.iter().position(|t| t.id == "both").unwrap(),
    );
    let r = run(&sc, 300, 9, 2);
    let mut traj = Trajectory::new(&sc);
    let (mut met_half, mut met_both) = (0, 0);
    for i in 0..300u64 {
        traj.run(&sc, 9, i);
        let v: Vec<f64> = traj
            .year(4)
            .iter()
            .map(|t| t.metric(Metric::Certified))
            .collect();
        let value = |k: usize| r.records.values[[i as usize, k]];
        assert_eq!(value(half), v[0].max(v[1]), "the better district decides");
        assert_eq!(value(both), v[0].min(v[1]), "the worse district decides");
        met_half += u64::from(v.iter().any(|&x| x >= 1000.0));
        met_both += u64::from(v.iter().all(|&x| x >= 590.0));
    }
    assert_eq!(r.targets[half].p_met, met_half as f64 / 300.0);
    assert_eq!(r.targets[both].p_met, met_both as f64 / 300.0);
    assert!(
        met_half > 250 && (30..270).contains(&met_both),
        "{met_half}, {met_both}: the test says nothing"
    );
}

#[test]
fn a_share_of_regions_needs_an_every_scope_and_a_share() {
    for (scope, share, expected) in [
        ("total", "0.9", "unless the scope is \"every:TAG\""),
        ("every:rural", "0", "above 0 and at most 1"),
        ("every:rural", "1.5", "above 0 and at most 1"),
    ] {
        let text = format!(
            "{TEMPLATE}\n[[target]]\nid = \"x\"\nmetric = \"stations\"\nscope = \"{scope}\"\nshare_of_regions = {share}\nyear = 2024\nthreshold = 1\n"
        );
        let err = match Scenario::from_str(Path::new("plan.toml"), &text) {
            Ok(_) => panic!("{scope} {share} should not validate"),
            Err(e) => e.to_string(),
        };
        let line = text.lines().count() - 2;
        assert!(
            err.contains(&format!("plan.toml:{line}:")) && err.contains(expected),
            "{scope} {share}:\n{err}"
        );
    }
    // Nine of every ten of twenty regions is eighteen, not nineteen.
    let sc = template_with("");
    let mut t = sc.targets[0].clone();
    t.share_of_regions = 0.9;
    assert_eq!(t.regions_needed(20), 18);
    t.share_of_regions = 0.01;
    assert_eq!(t.regions_needed(20), 1);
}

#[test]
fn tags_carry_the_planners_labels_and_unknown_tags_are_refused() {
    let sc = template_with("[tags]\nrural = \"郊区各区县\"\n");
    assert_eq!(
        sc.tag_labels.get("rural").map(String::as_str),
        Some("郊区各区县")
    );
    let r = run(&sc, 20, 1, 1);
    let json = serde_json::to_value(wfsim::report::json::Summary::new(&sc, &r)).unwrap();
    assert_eq!(json["scenario"]["tag_labels"]["rural"], "郊区各区县");
    let text = format!("{TEMPLATE}\n[tags]\nsuburbs = \"郊区\"\n");
    let err = match Scenario::from_str(Path::new("plan.toml"), &text) {
        Ok(_) => panic!("a label for a tag no region has validated"),
        Err(e) => e.to_string(),
    };
    let line = text.lines().count();
    assert!(
        err.contains(&format!("plan.toml:{line}:"))
            && err.contains("tags.suburbs")
            && err.contains("a tag some region carries (rural, urban)"),
        "{err}"
    );
}
