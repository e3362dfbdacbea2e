//! Programmes that may come (`[[programme]]`): their chance, start, size and
//! money, each checked where the answer is known.

use super::common::{assert_close, parse, quiet_scenario, row, run};

/// Ten townships and 100 uncertified people to staff stations; no money of
/// the scenario's own unless `money` gives some.
fn with_programme(programme: &str, money: &str, target: &str) -> wfsim::Scenario {
    parse(&quiet_scenario(
        3,
        "townships = 10\n[region.stocks]\nuncertified = 100",
        &[],
        &format!("[levers.stations]\nmin_staff = 1\n{money}\n[[programme]]\n{programme}\n{target}"),
    ))
}

const COVERAGE: &str = "[[target]]\nid = \"all-townships\"\nmetric = \"township_coverage\"\nyear = 2022\nthreshold = 1\n";

#[test]
fn a_programme_that_alone_decides_a_target_moves_its_probability_by_its_chance() {
    for q in [0.0, 0.35, 1.0] {
        let sc = with_programme(
            &format!(
                "name = \"stations\"\nkind = \"stations\"\nchance = {{ dist = \"bernoulli\", p = {q} }}\nstart = 2021\nyears = 2"
            ),
            "",
            COVERAGE,
        );
        let n = 4000;
        let r = run(&sc, n, 31, 2);
        let se = (q * (1.0 - q) / n as f64).sqrt().max(1e-9);
        assert_close(
            &format!("P(met), chance {q}"),
            r.targets[0].p_met,
            q,
            se,
            4.0,
        );
        let p = &r.programmes[0];
        assert_eq!(
            p.p_happened, r.targets[0].p_met,
            "it meets the target exactly when it comes"
        );
        // Over two years: 5 stations in 2021, 10 by 2022, paid by its funder.
        if q > 0.0 {
            assert_eq!(p.built.p95, 10.0);
            assert_eq!(row(&r, "spend_stations", "total", 2021).mean, 0.0);
            assert!(row(&r, "programme_spend", "total", 2021).mean > 0.0);
        }
    }
}

#[test]
fn the_start_year_is_drawn_and_reported() {
    let sc = with_programme(
        "name = \"late\"\nkind = \"stations\"\nstart = { dist = \"discrete\", values = [2021, 2022, 2030], weights = [0.5, 0.3, 0.2] }",
        "",
        COVERAGE,
    );
    let n = 4000;
    let r = run(&sc, n, 32, 2);
    let p = &r.programmes[0];
    let share = |y: i32| {
        p.start_years
            .iter()
            .find(|s| s.year == y)
            .map_or(0.0, |s| s.share)
    };
    let se = |q: f64| (q * (1.0 - q) / n as f64).sqrt();
    assert_close("started 2021", share(2021), 0.5, se(0.5), 4.0);
    assert_close("started 2022", share(2022), 0.3, se(0.3), 4.0);
    assert_close("after the end", p.starts_after_end, 0.2, se(0.2), 4.0);
    // One-year build: met by 2022 if started in 2021 or 2022.
    assert_close("P(met)", r.targets[0].p_met, 0.8, se(0.8), 4.0);
}

#[test]
fn a_funder_share_splits_the_cost_with_the_budget() {
    // 10 stations at 100,000, half paid by the funder: the budget pays
    // 500,000 in the year they open and 500,000 a year after.
    let sc = with_programme(
        "name = \"half\"\nkind = \"stations\"\nstart = 2021\nfunder_share = 0.5",
        "cost_per_station = 100000\n[funding]\nbudget = 2000000\nmax_committed_share = 1\n[parameters.pay]\nwage_growth = 0",
        COVERAGE,
    );
    let r = run(&sc, 4, 33, 1);
    assert_eq!(row(&r, "stations", "total", 2021).mean, 10.0);
    assert_eq!(row(&r, "spend_stations", "total", 2021).mean, 500_000.0);
    assert_eq!(row(&r, "programme_spend", "total", 2021).mean, 500_000.0);
    assert_eq!(row(&r, "committed", "total", 2022).mean, 500_000.0);
    assert_eq!(row(&r, "programme_spend", "total", 2022).mean, 500_000.0);
    assert_eq!(row(&r, "programme_places", "total", 2021).mean, 10.0);
}

#[test]
fn a_training_programme_trains_its_share_over_its_years() {
    let sc = parse(&quiet_scenario(
        2,
        "[region.stocks]\nuncertified = 1000",
        &[("parameters.training", "completion_rate = 1")],
        "[[programme]]\nname = \"everyone\"\nkind = \"training\"\nstart = 2021\nyears = 2\nsize = 1",
    ));
    let r = run(&sc, 4, 34, 1);
    assert_eq!(row(&r, "trained", "total", 2021).mean, 500.0);
    assert_eq!(row(&r, "trained", "total", 2022).mean, 1000.0);
    assert_eq!(r.programmes[0].built.p50, 1000.0);
}

#[test]
fn an_exam_drive_brings_its_share_of_those_who_would_not_have_sat() {
    // 10,000 uncertified, 10% register: a drive of 0.5 makes it 55%.
    let text = |drive: &str| {
        quiet_scenario(
            1,
            "[region.stocks]\nuncertified = 10000",
            &[(
                "parameters.exam",
                "junior_registration_rate = 0.1\njunior_pass_rate = 0.2",
            )],
            drive,
        )
    };
    let n = 400;
    let with = run(
        &parse(&text(
            "[[programme]]\nname = \"drive\"\nkind = \"exam_drive\"\nstart = 2021\nsize = 0.5",
        )),
        n,
        35,
        2,
    );
    let got = row(&with, "registrants", "total", 2021).mean;
    let sd = (10_000.0f64 * 0.55 * 0.45 / n as f64).sqrt();
    assert_close("registrants with the drive", got, 5500.0, sd, 4.0);
}

#[test]
fn a_programme_that_never_comes_changes_no_other_draw() {
    // Common random numbers: the programme's draws come from its own streams.
    let text = |programme: &str| {
        quiet_scenario(
            3,
            "townships = 10\n[region.stocks]\nuncertified = 1000\njunior = 200",
            &[
                ("parameters.exam", "junior_registration_rate = 0.1"),
                ("parameters.attrition", "junior = 0.1\nuncertified = 0.1"),
                ("parameters.entry", "replacement_rate = 1"),
            ],
            programme,
        )
    };
    let base = parse(&text(""));
    let with = parse(&text(
        "[[programme]]\nname = \"never\"\nkind = \"stations\"\nchance = 0\nstart = 2021",
    ));
    let a = run(&base, 200, 36, 2);
    let b = run(&with, 200, 36, 2);
    for m in ["junior", "uncertified", "registrants", "leavers"] {
        for y in 2021..=2023 {
            assert_eq!(row(&a, m, "total", y), row(&b, m, "total", y), "{m} {y}");
        }
    }
    assert_eq!(b.programmes[0].p_happened, 0.0);
}
