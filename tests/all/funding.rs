//! Money that follows the plan (`model::funding`, `model::plan`): no lever
//! ratchets shut while money sits unspent, a year short of plan is caught
//! up, priorities decide who gets what others leave, and pay has a price.
//! The money here is deterministic (fixed budget, no growth noise, whole
//! quotas), so every trajectory spends the same and the checks are exact.

use super::common::{parse, quiet_scenario, row, run};

const STATION: f64 = 100_000.0;

/// One region with 1,000 townships; `money` is the [funding] and [levers] TOML.
fn scenario(years: i64, money: &str) -> wfsim::Scenario {
    parse(&quiet_scenario(
        years,
        "townships = 1000\n[region.stocks]\nuncertified = 50",
        &[("parameters.pay", "wage_growth = 0")],
        money,
    ))
}

#[test]
fn stations_keep_opening_every_year_while_money_is_left() {
    // Unplanned services with a large share commit most of year 1's money;
    // stations (planned, first in priority) must still open every year as
    // the budget grows, instead of stopping after year 1.
    let sc = scenario(
        6,
        "[funding]\nbudget = 10000000\ngrowth = 0.1\nmax_committed_share = 0.8\n\
         [levers.services]\nshare = 0.5\ncost_per_position = 100000\n\
         [levers.stations]\nshare = 0.2\nplanned_per_year = 20\ncost_per_station = 100000\nmin_staff = 1",
    );
    let r = run(&sc, 4, 1, 1);
    let mut before = 0.0;
    for y in 2021..=2026 {
        let s = row(&r, "stations", "total", y);
        assert_eq!(s.p05, s.p95, "money is deterministic");
        assert!(s.mean > before, "{y}: stations {} after {before}", s.mean);
        before = s.mean;
    }
}

#[test]
fn no_money_is_left_unspent_while_a_lever_is_short_of_its_plan() {
    // Stations plan 100 a year (10 M) on a 5 M budget with a 10% share; the
    // training share (90%) can use only 10 seats. The old rule left 4.5 M a
    // year unspent; now all but less than one station's price goes to stations.
    let sc = scenario(
        4,
        "[funding]\nbudget = 5000000\nmax_committed_share = 1\n\
         [levers.training]\nshare = 0.9\ncapacity = 10\ncost_per_seat = 2000\n\
         [levers.stations]\nshare = 0.1\nplanned_per_year = 100\ncost_per_station = 100000\nmin_staff = 1",
    );
    let r = run(&sc, 4, 2, 1);
    for y in 2021..=2024 {
        let unspent = row(&r, "unspent", "total", y).p95;
        assert!(
            unspent < STATION,
            "{y}: {unspent} unspent while stations are short"
        );
        let spent = row(&r, "spend", "total", y).mean;
        assert!(
            (spent + unspent - 5_000_000.0).abs() < 1e-3,
            "{y}: books balance"
        );
    }
    // Year 1: 5 M − 20,000 for training buys 49 stations; later years pay them.
    assert_eq!(row(&r, "stations", "total", 2021).mean, 49.0);
    assert_eq!(row(&r, "trainees", "total", 2021).mean, 10.0);
}

#[test]
fn keep_leaves_a_levers_unused_share_unspent() {
    let sc = scenario(
        1,
        "[funding]\nbudget = 5000000\nmax_committed_share = 1\nleftover = \"keep\"\n\
         [levers.training]\nshare = 0.9\ncapacity = 10\ncost_per_seat = 2000\n\
         [levers.stations]\nshare = 0.1\nplanned_per_year = 100\ncost_per_station = 100000\nmin_staff = 1",
    );
    let r = run(&sc, 2, 3, 1);
    assert_eq!(row(&r, "stations", "total", 2021).mean, 5.0);
    assert_eq!(
        row(&r, "unspent", "total", 2021).mean,
        5_000_000.0 - 500_000.0 - 20_000.0
    );
}

#[test]
fn a_year_short_of_plan_is_caught_up_when_money_comes() {
    // Plan 10 posts a year; year 1 pays for 4; year 2's budget pays the
    // 6 missing and the year's own 10.
    let sc = scenario(
        2,
        "[funding]\nbudget = 400000\nmax_committed_share = 1\nschedule = { 2022 = 2000000 }\n\
         [levers.posts]\nshare = 1\nplanned_per_year = 10\ncost_per_post = 100000",
    );
    let r = run(&sc, 2, 4, 1);
    assert_eq!(row(&r, "posts", "total", 2021).mean, 4.0);
    assert_eq!(row(&r, "posts", "total", 2022).mean, 20.0);
}

#[test]
fn a_planned_total_is_built_in_a_straight_line_by_its_year() {
    let sc = scenario(
        6,
        "[funding]\nbudget = 100000000\nmax_committed_share = 1\n\
         [levers.stations]\nshare = 0.5\nplanned_total = 100\nplanned_by = 2024\ncost_per_station = 100000\nmin_staff = 1",
    );
    let r = run(&sc, 2, 5, 1);
    let got: Vec<f64> = (2021..=2026)
        .map(|y| row(&r, "stations", "total", y).mean)
        .collect();
    assert_eq!(got, vec![25.0, 50.0, 75.0, 100.0, 100.0, 100.0]);
}

#[test]
fn priorities_decide_which_short_lever_is_served_first() {
    // Posts and stations both want 10 M; 3 M is free beyond their shares (0).
    for (order, posts, stations) in [
        ("[\"posts\", \"stations\"]", 30.0, 0.0),
        ("[\"stations\", \"posts\"]", 0.0, 30.0),
    ] {
        let sc = scenario(
            1,
            &format!(
                "[funding]\nbudget = 3000000\nmax_committed_share = 1\npriorities = {order}\n\
                 [levers.posts]\nplanned_per_year = 100\ncost_per_post = 100000\n\
                 [levers.stations]\nplanned_per_year = 100\ncost_per_station = 100000\nmin_staff = 1"
            ),
        );
        let r = run(&sc, 2, 6, 1);
        assert_eq!(row(&r, "posts", "total", 2021).mean, posts, "{order}");
        assert_eq!(row(&r, "stations", "total", 2021).mean, stations, "{order}");
    }
}

#[test]
fn the_commitment_room_still_caps_recurring_costs() {
    // At most half of the budget may be committed: 25 of the 100 planned stations.
    let sc = scenario(
        1,
        "[funding]\nbudget = 5000000\nmax_committed_share = 0.5\n\
         [levers.stations]\nshare = 1\nplanned_per_year = 100\ncost_per_station = 100000\nmin_staff = 1",
    );
    let r = run(&sc, 2, 7, 1);
    assert_eq!(row(&r, "stations", "total", 2021).mean, 25.0);
    assert_eq!(row(&r, "unspent", "total", 2021).mean, 2_500_000.0);
}

#[test]
fn a_pay_floor_has_a_price() {
    // Salary 40,000 against a benchmark of 60,000: a floor at the benchmark
    // pays staff 1.5 times as much, and posts cost 1.5 times as much.
    let spend = |floor: f64| {
        let sc = parse(&quiet_scenario(
            1,
            "[region.stocks]\nintermediate = 100",
            &[(
                "parameters.pay",
                "wage_growth = 0\nbenchmark_growth = 0\nsalary = 40000\nbenchmark = 60000",
            )],
            &format!(
                "[funding]\nbudget = 100000000\nmax_committed_share = 1\n\
                 [levers.posts]\nshare = 1\nplanned_per_year = 10\ncost_per_post = 50000\n\
                 [levers.pay]\nfloor_ratio = {floor}"
            ),
        ));
        let r = run(&sc, 2, 8, 1);
        assert_eq!(row(&r, "posts", "total", 2021).mean, 10.0);
        row(&r, "spend_posts", "total", 2021).mean
    };
    assert_eq!(spend(0.0), 500_000.0);
    assert!((spend(1.0) - 750_000.0).abs() < 1e-6);
    // A floor below the salary costs nothing.
    assert_eq!(spend(0.5), 500_000.0);
}

#[test]
fn a_threshold_above_what_the_quotas_allow_is_called_unreachable_and_its_limit_named() {
    // 10 stations a year for 5 years against 100 townships: at most 50.
    let targets = "[[target]]\nid = \"sixty\"\nmetric = \"stations\"\nyear = 2025\nthreshold = 60\n\
                   [[target]]\nid = \"forty\"\nmetric = \"stations\"\nyear = 2025\nthreshold = 40\n\
                   [[target]]\nid = \"all\"\nmetric = \"township_coverage\"\nyear = 2025\nthreshold = 1\n";
    let sc = parse(&quiet_scenario(
        5,
        "townships = 100",
        &[("parameters.pay", "wage_growth = 0")],
        &format!(
            "[funding]\nbudget = 100000000\nmax_committed_share = 1\n\
             [levers.stations]\nshare = 1\nplanned_per_year = 10\ncost_per_station = 100000\n{targets}"
        ),
    ));
    let r = run(&sc, 20, 9, 1);
    let a = |id: &str| {
        r.targets
            .iter()
            .find(|t| t.id == id)
            .and_then(|t| t.attainable.clone())
            .expect("stations have a bound")
    };
    assert_eq!(a("sixty").max, 50.0);
    assert!(a("sixty").unreachable);
    assert!(
        a("sixty").limit.contains("levers.stations"),
        "{}",
        a("sixty").limit
    );
    assert!(!a("forty").unreachable);
    assert_eq!(a("all").max, 0.5);
    assert!(a("all").unreachable);
    // And the model never beats its own bound.
    assert_eq!(row(&r, "stations", "total", 2025).p95, 50.0);
    // A programme for every township lifts the bound to the townships.
    let sc = parse(&quiet_scenario(
        5,
        "townships = 100",
        &[],
        &format!(
            "[levers.stations]\nplanned_per_year = 10\n[[programme]]\nname = \"all\"\nkind = \"stations\"\nstart = 2023\n{targets}"
        ),
    ));
    let r = run(&sc, 4, 9, 1);
    let t = r.targets.iter().find(|t| t.id == "all").unwrap();
    let b = t.attainable.as_ref().unwrap();
    assert_eq!((b.max, b.unreachable), (1.0, false));
}
