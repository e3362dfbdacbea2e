//! What a number of the file is called in a briefing: `[labels]`, a
//! distribution's own `label`, the built-in names, the path last.

use crate::common::*;

fn template_with(extra: &str) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/template.toml"
    ))
    .unwrap();
    format!("{text}\n{extra}")
}

/// The first region's junior holders are called "<region>：<label>".
fn assert_first_region_named(sc: &wfsim::scenario::Scenario, label: &str) {
    let first = &sc.regions[0];
    assert_eq!(
        sc.parameter_label(&format!("region.{}.stocks.junior", first.id)),
        format!("{}：{label}", first.label)
    );
}

#[test]
fn a_number_is_named_by_the_file_then_its_distribution_then_the_built_in_name() {
    let sc = template();
    // Built-in names, in the plan's language.
    assert_eq!(
        sc.parameter_label("levers.training.capacity"),
        "每年培训名额"
    );
    assert_eq!(
        sc.parameter_label("region.*.stocks.junior"),
        "各地区起点：助理社工师"
    );
    assert_first_region_named(&sc, "起点：助理社工师");
    assert_eq!(sc.parameter_label("not.a.path"), "not.a.path");

    // The file's [labels] come first, for one region or every region.
    let sc = parse(&template_with(
        "[labels]\n\"levers.training.capacity\" = \"社工培训年度计划名额\"\n\"region.*.stocks.junior\" = \"助理社工师存量\"\n",
    ));
    assert_eq!(
        sc.parameter_label("levers.training.capacity"),
        "社工培训年度计划名额"
    );
    // A label is the planner's words as written; one region's copy of an
    // every-region label is named with the region.
    assert_eq!(
        sc.parameter_label("region.*.stocks.junior"),
        "助理社工师存量"
    );
    assert_first_region_named(&sc, "助理社工师存量");

    // A distribution's own label comes before the built-in name.
    let text = template_with("").replace(
        "{ dist = \"pert\", min = 0.15, mode = 0.3, max = 0.5 }",
        "{ dist = \"pert\", min = 0.15, mode = 0.3, max = 0.5, label = \"毕业生进入本行业的比例\" }",
    );
    assert!(
        text.contains("毕业生进入本行业的比例"),
        "the template's prior moved"
    );
    let sc = parse(&text);
    assert_eq!(
        sc.parameter_label("parameters.entry.graduate_entry_share"),
        "毕业生进入本行业的比例"
    );
}

#[test]
fn an_english_plan_gets_english_names() {
    let sc = parse(&template_with("").replace("language = \"zh\"", "language = \"en\""));
    assert_eq!(
        sc.parameter_label("levers.training.capacity"),
        "training places per year"
    );
    assert_eq!(
        sc.parameter_label("region.*.stocks.junior"),
        "start: junior holders, every region"
    );
}

#[test]
fn a_label_for_a_number_the_file_does_not_have_is_an_error_with_a_suggestion() {
    let text = template_with(
        "[labels]\n\"levers.training.capacty\" = \"名额\"\n\"funding.budget\" = \" \"\n",
    );
    let e = wfsim::scenario::Scenario::from_str(std::path::Path::new("x.toml"), &text)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("labels.levers.training.capacty") || e.contains("levers.training.capacty"),
        "{e}"
    );
    assert!(
        e.contains("did you mean \"levers.training.capacity\""),
        "{e}"
    );
    assert!(e.contains("an empty text"), "{e}");
}

#[test]
fn a_sweep_names_its_axes() {
    use wfsim::analysis::sweep::Axis;
    let sc = template();
    let axis = Axis::parse("levers.training.capacity=200,800").unwrap();
    let opts = wfsim::engine::RunOptions {
        trajectories: 200,
        seed: 3,
        threads: 1,
        keep: wfsim::engine::Keep::All,
        metrics: wfsim::engine::MetricScopes::Every,
    };
    let s = wfsim::analysis::sweep::sweep(&sc, &[axis], opts, &|_| {}).unwrap();
    assert_eq!(s.axes[0].label, "每年培训名额");
}
