//! Cases with a known answer. Tolerances are 4 standard errors of the mean
//! for the sample size used (a false alarm about once in 16,000 runs; the
//! seeds are fixed, so a run either passes or fails for good).

use crate::common::*;

#[test]
fn pure_attrition_follows_n_times_one_minus_p_to_the_t() {
    let (n, p) = (1000.0, 0.1);
    let sc = parse(&quiet_scenario(
        5,
        "[region.stocks]\njunior = 1000",
        &[("parameters.attrition", "junior = 0.1")],
        "",
    ));
    let trajectories = 4000;
    let r = run(&sc, trajectories, 11, 0);
    for t in 1..=5 {
        let q: f64 = (1.0f64 - p).powi(t);
        let sd = (n * q * (1.0 - q) / trajectories as f64).sqrt();
        let got = row(&r, "junior", "total", 2020 + t).mean;
        assert_close(&format!("junior after {t} years"), got, n * q, sd, 4.0);
        // metrics.csv's sd is the spread over trajectories, √(n q (1 − q));
        // the sample variance has sd ≈ σ²·√(2 / trajectories) (normal theory).
        let sigma = (n * q * (1.0 - q)).sqrt();
        let got_sd = row(&r, "junior", "total", 2020 + t).sd;
        let se_var = sigma * sigma * (2.0 / trajectories as f64).sqrt();
        assert_close(
            &format!("variance of junior after {t} years"),
            got_sd * got_sd,
            sigma * sigma,
            se_var,
            4.0,
        );
    }
}

#[test]
fn posts_slow_leaving_by_the_no_post_multiplier() {
    // 500 juniors hold posts, 500 do not; those without leave twice as often.
    let sc = parse(&quiet_scenario(
        1,
        "[region.stocks]\njunior = 1000\nposts = 500",
        &[(
            "parameters.attrition",
            "junior = 0.1\nno_post_multiplier = 2",
        )],
        "",
    ));
    let trajectories = 4000;
    let r = run(&sc, trajectories, 12, 0);
    let expected_leavers = 500.0 * 0.1 + 500.0 * 0.2;
    let var = 500.0 * 0.1 * 0.9 + 500.0 * 0.2 * 0.8;
    let got = row(&r, "leavers", "total", 2021).mean;
    assert_close(
        "leavers",
        got,
        expected_leavers,
        (var / trajectories as f64).sqrt(),
        4.0,
    );
}

#[test]
fn exam_passes_alone_have_mean_registrants_times_pass_rate() {
    let (n, reg, pass) = (5000.0, 0.2, 0.17);
    let sc = parse(&quiet_scenario(
        1,
        "[region.stocks]\nuncertified = 5000",
        &[(
            "parameters.exam",
            "junior_registration_rate = 0.2\njunior_pass_rate = 0.17",
        )],
        "",
    ));
    let trajectories = 4000;
    let r = run(&sc, trajectories, 13, 0);
    let registrants = row(&r, "registrants", "total", 2021).mean;
    let passes = row(&r, "passes", "total", 2021).mean;
    let sd_reg = (n * reg * (1.0 - reg) / trajectories as f64).sqrt();
    assert_close("registrants", registrants, n * reg, sd_reg, 4.0);
    // Passes | registrants ~ Binomial(registrants, p): passes − p·registrants
    // has mean 0 and variance E[registrants]·p·(1 − p).
    let sd = (n * reg * pass * (1.0 - pass) / trajectories as f64).sqrt();
    assert_close(
        "passes − registrants·p",
        passes - registrants * pass,
        0.0,
        sd,
        4.0,
    );
    // And the new juniors are exactly the passes (nothing else moves).
    assert_eq!(row(&r, "junior", "total", 2021).mean, passes);
    assert_eq!(row(&r, "certificates_issued", "total", 2021).mean, passes);
}

#[test]
fn perfect_targeting_gives_min_one_and_n_over_k_c() {
    for (workers, k, communities) in [
        (300u64, 2u64, 200u64),
        (500, 2, 200),
        (90, 1, 100),
        (0, 1, 50),
    ] {
        let sc = parse(&quiet_scenario(
            1,
            &format!("urban_communities = {communities}\n[region.stocks]\njunior = {workers}"),
            &[(
                "parameters.coverage",
                &format!(
                    "community_facing_share = 1\nurban_share = 1\ntargeting = 1\nurban_min = {k}"
                ),
            )],
            "",
        ));
        let r = run(&sc, 200, 14, 0);
        let want = (workers as f64 / (k * communities) as f64).min(1.0);
        let m = row(&r, "urban_coverage", "total", 2021);
        // Every trajectory gives exactly this.
        assert_eq!(
            (m.p05, m.p95),
            (want, want),
            "{workers} workers, k = {k}, {communities} communities"
        );
        assert!((m.mean - want).abs() < 1e-12);
        // The starting workers are placed in the start year too.
        let m0 = row(&r, "urban_coverage", "total", 2020);
        assert_eq!((m0.p05, m0.p95), (want, want), "start year");
    }
}

#[test]
fn random_placement_follows_the_occupancy_law() {
    // n workers placed at random over C communities, k = 1: the number
    // covered has mean C·p₁ and variance C·p₁(1−p₁) + C(C−1)(p₂ − p₁²), with
    // p₁ = 1 − (1 − 1/C)ⁿ and p₂ = 1 − 2(1 − 1/C)ⁿ + (1 − 2/C)ⁿ (Feller 1968).
    // Checked for small places (drawn community by community) and large
    // ones (drawn with these moments).
    use rand_pcg::Pcg64Mcg;
    use wfsim::model::coverage::covered;
    for (n, c) in [(30u64, 20u64), (60, 50), (1500, 1000)] {
        let (nf, cf) = (n as f64, c as f64);
        let a = (1.0 - 1.0 / cf).powf(nf);
        let b = (1.0 - 2.0 / cf).powf(nf);
        let p1 = 1.0 - a;
        let p2 = 1.0 - 2.0 * a + b;
        let mean = cf * p1;
        let var = cf * p1 * (1.0 - p1) + cf * (cf - 1.0) * (p2 - p1 * p1);
        let draws = 20_000;
        let mut rng = Pcg64Mcg::new(u128::from(n * 7919 + c));
        let xs: Vec<f64> = (0..draws)
            .map(|_| covered(&mut rng, n, c, 1, 0.0) as f64)
            .collect();
        assert_mean_and_variance(&format!("covered, {n} over {c}"), &xs, mean, var);
        // Independent communities (the old Poisson shortcut) would give a wider spread.
        let poisson_p = 1.0 - (-nf / cf).exp();
        assert!(var < cf * poisson_p * (1.0 - poisson_p));
    }
}

#[test]
fn random_placement_through_the_model_matches_the_occupancy_mean() {
    for (workers, k, communities) in [(300u64, 1u64, 200u64), (600, 2, 400), (40, 1, 30)] {
        let sc = parse(&quiet_scenario(
            1,
            &format!("urban_communities = {communities}\n[region.stocks]\njunior = {workers}"),
            &[(
                "parameters.coverage",
                &format!(
                    "community_facing_share = 1\nurban_share = 1\ntargeting = 0\nurban_min = {k}"
                ),
            )],
            "",
        ));
        let trajectories = 2000;
        let r = run(&sc, trajectories, 15, 0);
        // P(Binomial(n, 1/C) ≥ k), summed directly.
        let q = 1.0 / communities as f64;
        let mut below = 0.0;
        let mut choose = 1.0f64;
        for j in 0..k {
            if j > 0 {
                choose *= (workers - j + 1) as f64 / j as f64;
            }
            below += choose * q.powi(j as i32) * (1.0 - q).powi((workers - j) as i32);
        }
        let p = 1.0 - below;
        let sd = (p * (1.0 - p) / communities as f64 / trajectories as f64).sqrt();
        let got = row(&r, "urban_coverage", "total", 2021).mean;
        assert_close(
            &format!("coverage with {workers} workers over {communities}, k = {k}"),
            got,
            p,
            sd,
            4.0,
        );
        // Never the naive n/C.
        assert!(got < (workers as f64 / (k * communities) as f64).min(1.0));
    }
}

#[test]
fn training_moves_exactly_the_completers() {
    let sc = parse(&quiet_scenario(
        1,
        "[region.stocks]\nuncertified = 1000",
        &[
            ("parameters.training", "completion_rate = 0.8"),
            ("parameters.pay", "wage_growth = 0"),
        ],
        "[funding]\nbudget = 1000000\n[levers.training]\nshare = 1\ncost_per_seat = 2000\ncapacity = 300",
    ));
    let trajectories = 2000;
    let r = run(&sc, trajectories, 16, 0);
    // 300 seats (money pays 500, capacity 300).
    assert_eq!(row(&r, "trainees", "total", 2021).mean, 300.0);
    assert_eq!(row(&r, "spend_training", "total", 2021).mean, 600_000.0);
    let sd = (300.0 * 0.8 * 0.2 / trajectories as f64).sqrt();
    assert_close(
        "trained",
        row(&r, "trained", "total", 2021).mean,
        240.0,
        sd,
        4.0,
    );
    assert_eq!(
        row(&r, "talent", "total", 2021).mean,
        row(&r, "trained", "total", 2021).mean
    );
}

#[test]
fn posts_are_limited_by_plan_money_and_commitments() {
    // Money for 10 posts a year at 100,000, plan of 8: 8 a year, then the
    // commitments eat the free money and fewer can be created.
    let sc = parse(&quiet_scenario(
        3,
        "[region.stocks]\nintermediate = 100",
        &[("parameters.pay", "wage_growth = 0")],
        "[funding]\nbudget = 1000000\nmax_committed_share = 1\n[levers.posts]\nshare = 1\nplanned_per_year = 8\ncost_per_post = 100000",
    ));
    let r = run(&sc, 10, 17, 0);
    assert_eq!(row(&r, "posts", "total", 2021).mean, 8.0);
    // Year 2: 800,000 committed, 200,000 free → 2 posts.
    assert_eq!(row(&r, "posts", "total", 2022).mean, 10.0);
    assert_eq!(row(&r, "committed", "total", 2022).mean, 800_000.0);
    // Year 3: budget fully committed.
    assert_eq!(row(&r, "posts", "total", 2023).mean, 10.0);
    assert_eq!(row(&r, "posts_filled", "total", 2023).mean, 10.0);
    assert_eq!(row(&r, "unspent", "total", 2023).mean, 0.0);
}

#[test]
fn qualified_hiring_sets_the_qualified_share_of_new_project_staff() {
    // 100 positions at the start, 1,000 uncertified and 1,000 juniors free:
    // 30% hired from the qualified, so qualified_share is exactly 0.3.
    for (share, want) in [(0.3, 0.3), (1.0, 1.0), (0.0, 0.0)] {
        let sc = parse(&quiet_scenario(
            1,
            "[region.stocks]\nuncertified = 1000\njunior = 1000\nproject_positions = 100",
            &[],
            &format!("[levers.services]\nqualified_hiring = {share}"),
        ));
        let r = run(&sc, 5, 18, 0);
        let m = row(&r, "qualified_share", "total", 2020);
        assert_eq!((m.p05, m.p95), (want, want), "qualified_hiring = {share}");
    }
}

#[test]
fn starting_project_staff_keep_their_own_qualified_share() {
    // 100 positions, 25 of their staff qualified at the start; new hires follow qualified_hiring.
    let sc = parse(&quiet_scenario(
        1,
        "[region.stocks]\nuncertified = 1000\njunior = 1000\nproject_positions = 100\nproject_qualified = 25",
        &[],
        "[levers.services]\nqualified_hiring = 0.9",
    ));
    let r = run(&sc, 5, 19, 0);
    let m = row(&r, "qualified_share", "total", 2020);
    assert_eq!((m.p05, m.p95), (0.25, 0.25));
}

#[test]
fn pay_moves_leaving_relative_to_the_pay_the_rates_were_observed_at() {
    // Juniors paid 40,000 against a benchmark of 60,000, elasticity 1, base
    // rate 10%. Rates observed today already contain today's gap: 10%.
    // Rates for staff at the benchmark: 10% × 1.5. A floor at the benchmark
    // with today's rates: 10% ÷ 1.5.
    let n = 10_000.0;
    for (reading, floor, want) in [
        ("", 0.0, 0.1),
        ("rates_observed_at = \"benchmark\"", 0.0, 0.15),
        ("", 1.0, 0.1 / 1.5),
    ] {
        let sc = parse(&quiet_scenario(
            1,
            "[region.stocks]\njunior = 10000\nposts = 10000",
            &[
                (
                    "parameters.attrition",
                    &format!("junior = 0.1\npay_elasticity = 1\n{reading}"),
                ),
                (
                    "parameters.pay",
                    "salary = 40000\nbenchmark = 60000\nwage_growth = 0\nbenchmark_growth = 0",
                ),
            ],
            &format!("[levers.pay]\nfloor_ratio = {floor}"),
        ));
        let trajectories = 400;
        let r = run(&sc, trajectories, 41, 2);
        let got = row(&r, "leavers", "total", 2021).mean;
        let sd = (n * want * (1.0 - want) / trajectories as f64).sqrt();
        assert_close(
            &format!("leavers ({reading}, floor {floor})"),
            got,
            n * want,
            sd,
            4.0,
        );
    }
}

#[test]
fn exam_demand_follows_its_trend_and_surges() {
    // 10,000 uncertified, nobody passes: registrants are n·r·1.1ᵗ with a
    // 10% trend; with surges (chance 0.3, half of the non-sitters) the
    // mean is n·(r + 0.3·0.5·(1 − r)).
    let n = 10_000.0;
    let text = |exam: &str| {
        parse(&quiet_scenario(
            3,
            "[region.stocks]\nuncertified = 10000",
            &[(
                "parameters.exam",
                &format!("junior_registration_rate = 0.1\njunior_pass_rate = 0\n{exam}"),
            )],
            "",
        ))
    };
    let trajectories = 400;
    let r = run(&text("registration_growth = 0.1"), trajectories, 42, 2);
    for t in 1..=3 {
        let p = 0.1 * 1.1f64.powi(t);
        let got = row(&r, "registrants", "total", 2020 + t).mean;
        let sd = (n * p * (1.0 - p) / trajectories as f64).sqrt();
        assert_close(&format!("registrants in year {t}"), got, n * p, sd, 4.0);
    }
    let r = run(&text("surge_chance = 0.3\nsurge_size = 0.5"), 4000, 43, 2);
    let got = row(&r, "registrants", "total", 2021).mean;
    let want = n * (0.1 + 0.3 * 0.5 * 0.9);
    // Between-trajectory spread: the surge is all or nothing.
    let sd = (0.3f64 * 0.7).sqrt() * n * 0.5 * 0.9 / 4000f64.sqrt();
    assert_close("registrants with surges", got, want, sd, 4.0);
}

#[test]
fn rates_observed_among_all_the_certified_average_to_the_observed_rate() {
    // 1,000 juniors, 500 in posts, no_post_multiplier 2, rate 10%: read as a
    // rate of the placed, 500·0.1 + 500·0.2 = 150 leave; read as an average
    // over all, 100 do (placed 0.1/1.5, unplaced twice that).
    for (reading, want) in [("", 150.0), ("rates_observed_among = \"all\"", 100.0)] {
        let sc = parse(&quiet_scenario(
            1,
            "[region.stocks]\njunior = 1000\nposts = 500",
            &[(
                "parameters.attrition",
                &format!("junior = 0.1\nno_post_multiplier = 2\n{reading}"),
            )],
            "",
        ));
        let trajectories = 2000;
        let r = run(&sc, trajectories, 46, 2);
        let got = row(&r, "leavers", "total", 2021).mean;
        let var = 500.0 * 0.1 * 0.9 + 500.0 * 0.2 * 0.8;
        assert_close(
            &format!("leavers ({reading})"),
            got,
            want,
            (var / trajectories as f64).sqrt(),
            4.0,
        );
    }
}

#[test]
fn outside_candidates_in_community_jobs_count_in_the_field_when_they_pass() {
    // 10,000 outside candidates, all junior level, 20% pass; 30% already work
    // in community jobs and 10% of the rest enter: 37% of passers join.
    let sc = parse(&quiet_scenario(
        1,
        "outside_candidates = 10000",
        &[(
            "parameters.exam",
            "outside_intermediate_share = 0\njunior_pass_rate = 0.2\noutside_entry_share = 0.1\noutside_community_share = 0.3",
        )],
        "",
    ));
    let trajectories = 400;
    let r = run(&sc, trajectories, 47, 2);
    let p = 0.2 * 0.37;
    let got = row(&r, "junior", "total", 2021).mean;
    assert_close(
        "certified from outside",
        got,
        10_000.0 * p,
        (10_000.0 * p * (1.0 - p) / trajectories as f64).sqrt(),
        4.0,
    );
}

#[test]
fn both_exact_occupancy_draws_follow_the_law() {
    // A small place is drawn worker by worker when there are at most 16
    // workers per community, community by community beyond: both exact,
    // so both must have the occupancy law's mean and variance (p₁ and p₂
    // of the module, which a test counts against every placement).
    use rand_pcg::Pcg64Mcg;
    use wfsim::model::coverage::{occupied, p_at_least, p_both_at_least};
    // Worker by worker: the first three; community by community: the last two.
    for (m, u, k) in [
        (40u64, 20u64, 2u64),
        (200, 20, 2),
        (90, 60, 2),
        (340, 20, 17),
        (600, 30, 20),
    ] {
        let (p1, p2) = (p_at_least(m, u, k), p_both_at_least(m, u, k));
        let uf = u as f64;
        let mean = uf * p1;
        let var = uf * p1 * (1.0 - p1) + uf * (uf - 1.0) * (p2 - p1 * p1);
        let draws = 20_000;
        let mut rng = Pcg64Mcg::new(u128::from(m * 31 + u));
        let xs: Vec<f64> = (0..draws)
            .map(|_| occupied(&mut rng, m, u, k) as f64)
            .collect();
        assert_mean_and_variance(&format!("occupied by {k}, {m} over {u}"), &xs, mean, var);
    }
}

/// Draws of a near-normal count against their law's mean and variance, each
/// within four standard errors (the sample variance's is var·√(2/(N−1)),
/// widened by a fifth for the count's tails).
fn assert_mean_and_variance(what: &str, xs: &[f64], mean: f64, var: f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    assert_close(&format!("mean {what}"), m, mean, (var / n).sqrt(), 4.0);
    assert_close(
        &format!("variance {what}"),
        v,
        var,
        var * (2.0 / (n - 1.0)).sqrt() * 1.2,
        4.0,
    );
}
