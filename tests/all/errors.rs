//! The messages a planner sees for bad input: file, line, column, the
//! field's path, what was expected and what was found. Never a panic.

use std::path::Path;

use wfsim::scenario::Scenario;

const TEMPLATE: &str = include_str!("../../scenarios/template.toml");

/// The template with `from` replaced by `to` (which must occur).
fn with(from: &str, to: &str) -> String {
    assert!(TEMPLATE.contains(from), "template lacks {from:?}");
    TEMPLATE.replacen(from, to, 1)
}

/// The rendered errors of a scenario text that must not validate.
fn errors(text: &str) -> String {
    match Scenario::from_str(Path::new("plan.toml"), text) {
        Ok(_) => panic!("should not validate"),
        Err(e) => e.to_string(),
    }
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle")
        + 1
}

fn assert_has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message lacks {p:?}:\n{msg}");
    }
}

#[test]
fn the_template_validates() {
    assert!(Scenario::from_str(Path::new("t.toml"), TEMPLATE).is_ok());
}

#[test]
fn unknown_key_is_an_error_not_a_default() {
    let text = with("completion_rate = 0.9", "completion_rat = 0.9");
    let msg = errors(&text);
    let line = line_of(&text, "completion_rat =");
    assert_has(
        &msg,
        &[
            &format!("plan.toml:{line}:1"),
            "parameters.training.completion_rat",
            "unknown field `completion_rat`",
            "completion_rate",
        ],
    );
}

#[test]
fn unknown_key_in_a_distribution() {
    let text = with(
        "{ dist = \"uniform\", min = 0.10, max = 0.25 }",
        "{ dist = \"uniform\", min = 0.10, maxx = 0.25 }",
    );
    let msg = errors(&text);
    assert_has(&msg, &["parameters.attrition.graduates", "maxx"]);
}

#[test]
fn wrong_type() {
    let text = with("budget = 30_000_000", "budget = \"thirty million\"");
    let msg = errors(&text);
    let line = line_of(&text, "thirty million");
    assert_has(
        &msg,
        &[
            &format!("plan.toml:{line}:10"),
            "funding.budget",
            "expected a number or a distribution",
            "found the text \"thirty million\"",
        ],
    );
}

#[test]
fn probability_outside_zero_one() {
    let text = with("completion_rate = 0.9", "completion_rate = 1.5");
    let msg = errors(&text);
    let line = line_of(&text, "completion_rate = 1.5");
    assert_has(
        &msg,
        &[
            &format!("plan.toml:{line}:19"),
            "`parameters.training.completion_rate`",
            "expected a probability between 0 and 1",
            "found 1.5",
        ],
    );
}

#[test]
fn unbounded_distribution_for_a_probability() {
    let text = with(
        "completion_rate = 0.9",
        "completion_rate = { dist = \"normal\", mean = 0.9, sd = 0.05 }",
    );
    let msg = errors(&text);
    assert_has(
        &msg,
        &[
            "parameters.training.completion_rate",
            "give min/max bounds",
            "normal distribution ranging over [-inf, inf]",
        ],
    );
}

#[test]
fn negative_count_and_money() {
    let text = with("junior = 300\n", "junior = -300\n");
    let msg = errors(&text);
    let line = line_of(&text, "junior = -300");
    assert_has(
        &msg,
        &[
            &format!("plan.toml:{line}:10"),
            "`region[1].stocks.junior`",
            "expected a count ≥ 0",
            "found -300",
            "junior = -300",
            "^^^^",
        ],
    );
    let msg = errors(&with("cost_per_seat = 2000", "cost_per_seat = -2000"));
    assert_has(
        &msg,
        &[
            "levers.training.cost_per_seat",
            "an amount of money ≥ 0",
            "found -2000",
        ],
    );
}

#[test]
fn end_year_before_start_year() {
    let text = with("end_year = 2025", "end_year = 2019");
    let msg = errors(&text);
    let line = line_of(&text, "end_year = 2019");
    assert_has(
        &msg,
        &[
            &format!("plan.toml:{line}:12"),
            "time.end_year",
            "expected end_year ≥ start_year (2020)",
            "found 2019",
        ],
    );
}

#[test]
fn target_year_outside_the_horizon() {
    let text = TEMPLATE.replacen(
        "year = 2025\nthreshold = 3400",
        "year = 2030\nthreshold = 3400",
        1,
    );
    let msg = errors(&text);
    assert_has(
        &msg,
        &[
            "target[0].year",
            "a year within the projection, 2021 to 2025",
            "found 2030",
        ],
    );
    let text = TEMPLATE.replacen(
        "year = 2025\nthreshold = 3400",
        "year = 2020\nthreshold = 3400",
        1,
    );
    assert_has(&errors(&text), &["target[0].year", "found 2020"]);
}

#[test]
fn unknown_metric() {
    let text = with("metric = \"talent\"", "metric = \"talents\"");
    let msg = errors(&text);
    let line = line_of(&text, "\"talents\"");
    assert_has(
        &msg,
        &[
            &format!("plan.toml:{line}:10"),
            "target[1].metric",
            "found \"talents\" (did you mean \"talent\"?)",
        ],
    );
    // With a likely slip, the one name rather than all of them; without
    // one, all of them.
    assert!(!msg.contains("uncertified, trained"), "{msg}");
    let msg = errors(&with("metric = \"talent\"", "metric = \"people\""));
    assert_has(
        &msg,
        &["a metric: uncertified, trained", "found \"people\"\n"],
    );
}

#[test]
fn certifed_suggests_certified_wherever_a_name_is_misspelt() {
    let cases = [
        // A metric.
        (
            "metric = \"talent\"",
            "metric = \"certifed\"",
            "(did you mean \"certified\"?)",
        ),
        // A key of the file's structure.
        ("seed = 2020", "sede = 2020", "(did you mean `seed`?)"),
        // A tag in a target's scope.
        (
            "scope = \"every:rural\"",
            "scope = \"every:rurl\"",
            "(did you mean \"every:rural\"?)",
        ),
    ];
    for (from, to, want) in cases {
        assert_has(&errors(&with(from, to)), &[want]);
    }
    // Nothing is suggested when nothing is close.
    let e = errors(&with("seed = 2020", "zzzzzz = 2020"));
    assert!(!e.contains("did you mean"), "{e}");
}

#[test]
fn one_file_with_three_different_mistakes_gives_three_messages() {
    // A misspelt key, a number written as text (both structural: the file
    // cannot be read as a scenario) and an unknown metric (found when it is).
    let text = with("seed = 2020", "sede = 2020");
    let text = text.replacen("orgs = 60", "orgs = \"60\"", 1);
    let text = text.replacen("metric = \"talent\"", "metric = \"talnet\"", 1);
    let msg = errors(&text);
    let lines: Vec<&str> = msg.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(lines.len(), 3, "{msg}");
    // In the order of the file, each at its place.
    assert!(lines[0].contains(&format!(
        "plan.toml:{}:1: `run.sede`",
        line_of(&text, "sede")
    )));
    assert!(
        lines[1].contains("`region[0].stocks.orgs`") && lines[1].contains("found the text \"60\"")
    );
    assert!(
        lines[2].contains("`target[1].metric`") && lines[2].contains("(did you mean \"talent\"?)")
    );
}

#[test]
fn share_threshold_written_as_a_percentage() {
    let text = with("threshold = 0.9", "threshold = 90");
    let msg = errors(&text);
    assert_has(
        &msg,
        &[
            "target[2].threshold",
            "a share between 0 and 1 (urban_coverage is a share)",
            "found 90",
        ],
    );
}

#[test]
fn one_mistake_one_message() {
    // A stock from which a default is copied is reported once, not twice.
    let msg = errors(&with("junior = 300\n", "junior = -300\n"));
    assert_eq!(msg.matches("error: ").count(), 1, "{msg}");
}

#[test]
fn unknown_region_and_tag() {
    let msg = errors(&with("from = \"centre\"", "from = \"center\""));
    assert_has(
        &msg,
        &[
            "transfer[0].from",
            "a region id (centre, outer) or tag:NAME",
            "found \"center\"",
        ],
    );
    let msg = errors(&with(
        "scope = \"every:rural\"",
        "scope = \"every:poverty\"",
    ));
    assert_has(
        &msg,
        &[
            "target[3].scope",
            "a tag some region carries (rural, urban)",
            "tag \"poverty\", which no region has",
        ],
    );
    let msg = errors(&with("scope = \"every:rural\"", "scope = \"downtown\""));
    assert_has(
        &msg,
        &[
            "target[3].scope",
            "\"total\", a region id (centre, outer)",
            "found \"downtown\"",
        ],
    );
}

#[test]
fn invalid_distribution_parameters() {
    let msg = errors(&with(
        "junior_pass_rate = { dist = \"beta\", alpha = 487",
        "junior_pass_rate = { dist = \"beta\", alpha = 0",
    ));
    assert_has(
        &msg,
        &[
            "parameters.exam.junior_pass_rate",
            "alpha > 0 and beta > 0",
            "alpha = 0",
        ],
    );
    let msg = errors(&with(
        "{ dist = \"uniform\", min = 0.10, max = 0.25 }",
        "{ dist = \"uniform\", min = 0.30, max = 0.25 }",
    ));
    assert_has(
        &msg,
        &[
            "parameters.attrition.graduates",
            "min ≤ max",
            "min = 0.3, max = 0.25",
        ],
    );
    let msg = errors(&with(
        "{ dist = \"pert\", min = 0.04, mode = 0.08, max = 0.15 }",
        "{ dist = \"pert\", min = 0.04, mode = 0.2, max = 0.15 }",
    ));
    assert_has(&msg, &["junior_registration_rate", "min ≤ mode ≤ max"]);
}

#[test]
fn money_shares_over_one_hundred_percent() {
    let text = with(
        "[levers.posts]\nshare = 0.30",
        "[levers.posts]\nshare = 0.50",
    );
    let msg = errors(&text);
    assert_has(&msg, &["`levers`", "at most 100%", "117.0%", "posts 50%"]);
    let text = with("budget_share = 0.4", "budget_share = 0.5");
    assert_has(
        &errors(&text),
        &[
            "`region`",
            "budget shares of all regions adding up to at most 100%",
            "110.0%",
        ],
    );
}

#[test]
fn other_schema_versions_are_refused() {
    let msg = errors(&with("schema_version = 1", "schema_version = 2"));
    assert_has(
        &msg,
        &[
            "plan.toml:1:18",
            "schema_version = 1",
            "found schema_version = 2",
        ],
    );
    let msg = errors(&TEMPLATE.replacen("schema_version = 1", "", 1));
    assert_has(
        &msg,
        &[
            "`schema_version = 1` as the first line",
            "no schema_version",
        ],
    );
}

#[test]
fn toml_syntax_errors_have_a_place() {
    let text = with("budget = 30_000_000", "budget = 30_000_000 000");
    let msg = errors(&text);
    let line = line_of(&text, "30_000_000 000");
    assert_has(&msg, &[&format!("plan.toml:{line}:"), "valid TOML"]);
}

#[test]
fn all_problems_are_reported_at_once() {
    let text = with("completion_rate = 0.9", "completion_rate = 2").replacen(
        "senior_rate = 0.01",
        "senior_rate = -1",
        1,
    );
    let msg = errors(&text);
    assert_eq!(msg.matches("error: ").count(), 2, "{msg}");
}

#[test]
fn mangled_files_never_panic() {
    // Every line of the template deleted, or its value replaced by
    // something of another type: validation answers, never panics.
    let lines: Vec<&str> = TEMPLATE.lines().collect();
    for i in 0..lines.len() {
        let mut v = lines.clone();
        v.remove(i);
        let _ = Scenario::from_str(Path::new("x.toml"), &v.join("\n"));
        for junk in [
            "\"x\"",
            "-1",
            "1e308",
            "nan",
            "[]",
            "{}",
            "{ dist = \"pert\" }",
        ] {
            if let Some((k, _)) = lines[i].split_once('=') {
                let mut v = lines.clone();
                let replaced = format!("{k}= {junk}");
                v[i] = &replaced;
                let _ = Scenario::from_str(Path::new("x.toml"), &v.join("\n"));
            }
        }
    }
}

#[test]
fn money_rules_are_checked_where_they_are_written() {
    let text = with(
        "carry_over = false\n",
        "carry_over = false\nleftover = \"spend\"\npriorities = [\"stations\", \"parks\", \"stations\"]\n",
    );
    let msg = errors(&text);
    let line = line_of(&text, "leftover = \"spend\"");
    assert_has(
        &msg,
        &[
            &format!("plan.toml:{line}:12"),
            "`funding.leftover`",
            "\"reallocate\"",
            "found \"spend\"",
            "`funding.priorities[1]`",
            "a lever name: training, exam_support",
            "found \"parks\"",
            "`funding.priorities[2]`",
            "each lever once",
        ],
    );
    let text = with(
        "planned_per_year = 120",
        "planned_per_year = 120\nplanned_by = 2019",
    );
    let msg = errors(&text);
    let line = line_of(&text, "planned_by = 2019");
    assert_has(
        &msg,
        &[
            &format!("plan.toml:{line}:14"),
            "`levers.posts.planned_by`",
            "a year after start_year (2020)",
            "found 2019",
        ],
    );
}

#[test]
fn malformed_uncertainty_forms_are_refused_where_they_are_written() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "completion_rate = 0.9",
            "completion_rate = { dist = \"bernoulli\", p = 2 }",
            &[
                "parameters.training.completion_rate",
                "p between 0 and 1",
                "p = 2",
            ],
        ),
        (
            "completion_rate = 0.9",
            "completion_rate = { dist = \"discrete\", values = [0.5, 0.9], weights = [1] }",
            &[
                "parameters.training.completion_rate",
                "one weight per value (2)",
                "1 weights",
            ],
        ),
        (
            "completion_rate = 0.9",
            "completion_rate = { dist = \"mixture\", components = [{ dist = \"uniform\", min = 0.5, max = 0.9, per = \"year\" }] }",
            &[
                "parameters.training.completion_rate",
                "per, shared, year_sd and persistence belong to the mixture",
            ],
        ),
        (
            "completion_rate = 0.9",
            "completion_rate = { dist = \"normal\", p10 = 0.9, p90 = 0.5, min = 0, max = 1 }",
            &["parameters.training.completion_rate", "p10 < p90"],
        ),
        (
            "completion_rate = 0.9",
            "completion_rate = { dist = \"uniform\", min = 0.8, max = 0.95, year_sd = 0.02 }",
            &[
                "parameters.training.completion_rate.year_sd",
                "per = \"year\" beside `year_sd`",
            ],
        ),
        (
            "completion_rate = 0.9",
            "completion_rate = { dist = \"uniform\", min = 0.8, max = 0.95, per = \"year\", year_sd = 0.02, persistence = 1.2 }",
            &[
                "parameters.training.completion_rate.persistence",
                "0 ≤ ρ < 1",
                "found 1.2",
            ],
        ),
        (
            "completion_rate = 0.9",
            "completion_rate = { dist = \"uniform\", min = 0.8, max = 0.95, shared = 0.5 }",
            &[
                "parameters.training.completion_rate.shared",
                "only on a region's numbers",
            ],
        ),
        (
            "completion_rate = 0.9",
            "completion_rate = { dist = \"uniform\", min = 0.8, max = 0.95, persistence = 0.5 }",
            &[
                "parameters.training.completion_rate",
                "`year_sd` beside `persistence`",
            ],
        ),
    ];
    for (from, to, parts) in cases {
        let text = with(from, to);
        let msg = errors(&text);
        let line = line_of(&text, to);
        let mut want = vec![format!("plan.toml:{line}:")];
        want.extend(parts.iter().map(|p| p.to_string()));
        let want: Vec<&str> = want.iter().map(String::as_str).collect();
        assert_has(&msg, &want);
    }
}

#[test]
fn correlations_name_real_uncertain_numbers_and_hold_together() {
    let add = |body: &str| format!("{TEMPLATE}\n{body}");
    let msg = errors(&add(
        "[[correlation]]\nbetween = [\"parameters.exam.junior_pass_rate\", \"parameters.exam.no_such\"]\nrank = 0.5\n",
    ));
    assert_has(
        &msg,
        &[
            "`correlation[0].between[1]`",
            "dotted path of a scenario-wide number",
            "\"parameters.exam.no_such\"",
        ],
    );
    let msg = errors(&add(
        "[[correlation]]\nbetween = [\"parameters.exam.junior_pass_rate\", \"funding.budget\"]\nrank = 1.5\n",
    ));
    assert_has(
        &msg,
        &[
            "`correlation[0].rank`",
            "strictly between -1 and 1",
            "found 1.5",
        ],
    );
    let msg = errors(&add(
        "[[correlation]]\nbetween = [\"parameters.exam.junior_pass_rate\", \"funding.budget\"]\nrank = 0.5\n",
    ));
    assert_has(
        &msg,
        &[
            "`correlation[0].between[1]`",
            "a number given as a distribution",
            "funding.budget = 30000000",
        ],
    );
}

#[test]
fn every_form_the_template_shows_in_its_comments_validates() {
    // Each commented example `#   { dist = … }` as a parameter of the template.
    // The table is the line up to its balanced closing brace.
    let table_of = |l: &str| {
        let mut depth = 0;
        for (i, ch) in l.char_indices() {
            depth += match ch {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            if depth == 0 && ch == '}' {
                return l[..=i].to_string();
            }
        }
        l.to_string()
    };
    let forms: Vec<String> = TEMPLATE
        .lines()
        .filter_map(|l| l.strip_prefix("#   "))
        .filter(|l| l.starts_with('{'))
        .map(table_of)
        .collect();
    assert!(
        forms.len() >= 14,
        "the template shows the forms: {}",
        forms.len()
    );
    for table in forms {
        // A stock takes any of them (counts ≥ 0) but the likely range of a rate;
        // try it as a region stock when it is regional, else as a growth rate.
        let text = if table.contains("shared") {
            with("trained = 300", &format!("trained = {table}"))
        } else if table.contains("per = \"year\"") {
            with(
                "completion_rate = 0.9",
                &format!("completion_rate = {table}"),
            )
        } else {
            with("graduates = 200", &format!("graduates = {table}"))
        };
        if let Err(e) = Scenario::from_str(Path::new("t.toml"), &text) {
            panic!("the template's example {table} does not validate:\n{e}");
        }
    }
    // The commented programme, uncommented.
    let start = TEMPLATE
        .find("# [[programme]]")
        .expect("a programme example");
    let block: String = TEMPLATE[start..]
        .lines()
        .take_while(|l| l.starts_with("# ") && !l.starts_with("# Uncertain"))
        .map(|l| l.trim_start_matches("# ").to_string() + "\n")
        .collect();
    let text = format!("{TEMPLATE}\n{block}");
    if let Err(e) = Scenario::from_str(Path::new("t.toml"), &text) {
        panic!("the template's programme example does not validate:\n{e}\n{block}");
    }
    // The commented correlation, uncommented.
    let start = TEMPLATE
        .find("# [[correlation]]")
        .expect("a correlation example");
    let block: String = TEMPLATE[start..]
        .lines()
        .take(3)
        .map(|l| l.trim_start_matches("# ").to_string() + "\n")
        .collect();
    let text = format!("{TEMPLATE}\n{block}");
    if let Err(e) = Scenario::from_str(Path::new("t.toml"), &text) {
        panic!("the template's correlation example does not validate:\n{e}");
    }
    // The commented targets (two readings, 基本实现 as a share of the
    // regions) and the target not modelled, uncommented: each block runs
    // from its table header to the first line that is not `# key = …`.
    let mut added = 0;
    for header in ["# [[target]]", "# [[not_modelled]]"] {
        for (at, _) in TEMPLATE.match_indices(header) {
            let block: String = TEMPLATE[at..]
                .lines()
                .enumerate()
                .take_while(|(i, l)| *i == 0 || (l.starts_with("# ") && l.contains(" = ")))
                .map(|(_, l)| l.trim_start_matches("# ").to_string() + "\n")
                .collect();
            let text = format!("{TEMPLATE}\n{block}");
            match Scenario::from_str(Path::new("t.toml"), &text) {
                Ok(sc) => assert!(
                    sc.targets.len() + sc.not_modelled.len() > 4,
                    "the example added nothing:\n{block}"
                ),
                Err(e) => panic!("the template's example does not validate:\n{e}\n{block}"),
            }
            added += 1;
        }
    }
    assert_eq!(added, 3, "two commented targets and one not modelled");
}

#[test]
fn programmes_are_checked_like_the_rest() {
    let add = |body: &str| format!("{TEMPLATE}\n[[programme]]\n{body}\n");
    let text = add("name = \"p\"\nkind = \"parks\"\nstart = 2022");
    let msg = errors(&text);
    assert_has(
        &msg,
        &[
            &format!("plan.toml:{}:8", line_of(&text, "kind = \"parks\"")),
            "`programme[0].kind`",
            "one of stations, posts, services, training, exam_drive",
            "found \"parks\"",
        ],
    );
    let msg = errors(&add(
        "name = \"p\"\nkind = \"stations\"\nsize = 2\nstart = 2022",
    ));
    assert_has(&msg, &["`programme[0].size`", "a share between 0 and 1"]);
    let msg = errors(&add("name = \"p\"\nkind = \"posts\""));
    assert_has(
        &msg,
        &[
            "`programme[0].start`",
            "the year it starts",
            "`programme[0].size`",
            "the number of places",
        ],
    );
    let msg = errors(&add(
        "name = \"p\"\nkind = \"stations\"\nstart = 2019\nchance = 1.5",
    ));
    assert_has(
        &msg,
        &[
            "`programme[0].start`",
            "years after start_year (2020)",
            "`programme[0].chance`",
            "a probability",
        ],
    );
    let msg = errors(&add(
        "name = \"p\"\nkind = \"stations\"\nstart = 2022\nscope = \"tag:nowhere\"\nbudgett = 1",
    ));
    assert_has(&msg, &["budgett"]);
}

#[test]
fn variants_are_validated_with_the_file_each_error_at_its_line() {
    // A share of 7 and an unknown path: errors of `validate`, at the value's line.
    let text = with(
        "\"levers.exam_support.share\" = 0.13",
        "\"levers.exam_support.share\" = 7",
    )
    .replacen(
        "\"funding.budget\" = 36_000_000",
        "\"funding.budgt\" = 36_000_000",
        1,
    );
    let e = errors(&text);
    let share = line_of(&text, "\"levers.exam_support.share\" = 7");
    let budget = line_of(&text, "\"funding.budgt\"");
    assert_has(
        &e,
        &[
            &format!(
                "plan.toml:{share}:31: `variant[0].set.levers.exam_support.share`: expected a share between 0 and 1, found 7"
            ),
            &format!(
                "plan.toml:{budget}:19: `variant[1].set.funding.budgt`: expected a known field"
            ),
        ],
    );
    // A combination that breaks a rule of the whole file points at the variant's table.
    assert_has(
        &e,
        &["`variant[0].set`: expected lever shares that add up to at most 100%"],
    );
}

#[test]
fn an_error_on_a_long_line_shows_a_window_around_its_column() {
    // A 60,000-character line with the error near its end.
    let long = format!("{}\"x\"]", "1, ".repeat(20_000));
    let text = with("trajectories = 10000", &format!("trajectories = [{long}"));
    let e = errors(&text);
    assert!(e.len() < 2_000, "an error echoes {} bytes", e.len());
    let lines: Vec<&str> = e.lines().collect();
    let shown = lines
        .iter()
        .find(|l| l.contains("trajectories = [") || l.contains('…'));
    assert!(shown.is_some_and(|l| l.contains('…')), "{e}");
    // The caret still points at the offending value inside the window.
    let caret = lines
        .iter()
        .position(|l| l.trim_start().starts_with("| ") && l.contains('^'));
    let caret = caret.expect("a caret line");
    let src = lines[caret - 1];
    let col = lines[caret].find('^').unwrap();
    assert!(src[..].chars().count() >= col, "{e}");
}

#[cfg(target_os = "linux")]
#[test]
fn an_endless_input_is_refused_before_it_is_read() {
    let err = match Scenario::load(Path::new("/dev/zero")) {
        Ok(_) => panic!("/dev/zero validated"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("larger than 32 MB"), "{err}");
}

#[test]
fn counts_beyond_a_trillion_are_refused_not_wrapped() {
    for (from, to, path) in [
        ("orgs = 60", "orgs = 1e20", "region[0].stocks.orgs"),
        (
            "graduates_per_year = 150 ",
            "graduates_per_year = 1e300 ",
            "region[0].graduates_per_year",
        ),
        (
            "births_per_grant = 0.9",
            "births_per_grant = 1e300",
            "parameters.orgs.births_per_grant",
        ),
    ] {
        let text = with(from, to);
        let e = errors(&text);
        let line = line_of(&text, to.trim());
        assert_has(
            &e,
            &[
                &format!("plan.toml:{line}:"),
                &format!("`{path}`: expected"),
                "at most 10¹²",
            ],
        );
        assert!(
            !e.contains("000000000000000000000"),
            "a number in three hundred digits: {e}"
        );
    }
}

#[test]
fn growth_of_minus_100_percent_or_less_and_absurd_spreads_are_refused() {
    let e = errors(&with("wage_growth = 0.05", "wage_growth = -2"));
    assert_has(
        &e,
        &[
            "`parameters.pay.wage_growth`: expected a yearly growth rate above −1 (−100%)",
            "found -2",
        ],
    );
    let e = errors(&with("growth_year_sd = 0.02", "growth_year_sd = 1e300"));
    assert_has(
        &e,
        &[
            "`funding.growth_year_sd`: expected a spread of a yearly rate between 0 and 1",
            "found 1e300",
        ],
    );
    // A growth distribution that can reach −100% is refused too.
    let e = errors(&with(
        "wage_growth = 0.05",
        "wage_growth = { dist = \"uniform\", min = -1.5, max = 0.1 }",
    ));
    assert_has(
        &e,
        &["`parameters.pay.wage_growth`", "ranging over [-1.5, 0.1]"],
    );
}

#[test]
fn a_file_without_regions_is_told_where_and_what_is_missing() {
    let e = errors(
        "schema_version = 1\n[scenario]\nname = \"x\"\n[time]\nstart_year = 2020\nend_year = 2022\n",
    );
    assert_has(
        &e,
        &[
            "plan.toml:6:16: `region`: expected at least one [[region]]",
            "found no [[region]] in the file",
        ],
    );
}

#[test]
fn messages_use_the_planners_words_not_rust_type_names() {
    for (from, to, want) in [
        (
            "seed = 2020",
            "seed = [1, 2]",
            "expected a whole number ≥ 0, found a list [ … ]",
        ),
        (
            "tags = [\"urban\"]",
            "tags = \"urban\"",
            "expected a list [ … ], found the text \"urban\"",
        ),
        (
            "label = \"中心区\"",
            "label = 5",
            "expected text in quotes, found the number 5",
        ),
    ] {
        let e = errors(&with(from, to));
        assert_has(&e, &[want]);
        for rust in ["u64", "sequence", "struct ", "a map"] {
            assert!(!e.contains(rust), "{rust:?} in: {e}");
        }
    }
}

#[test]
fn a_byte_order_mark_does_not_shift_the_caret() {
    let e = errors(&format!(
        "\u{feff}{}",
        with("schema_version = 1", "schema_version = \"x\"")
    ));
    assert_has(&e, &["plan.toml:1:18: `schema_version`"]);
    assert!(!e.contains('\u{feff}'), "{e}");
    // And a file with a BOM is otherwise read as without.
    assert!(Scenario::from_str(Path::new("plan.toml"), &format!("\u{feff}{TEMPLATE}")).is_ok());
}
