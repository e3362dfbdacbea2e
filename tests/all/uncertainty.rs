//! The forms of uncertainty a planner can write, checked against their
//! closed forms: year effects that persist (AR(1)), draws shared across
//! regions, rank correlation, and the discrete forms. Tolerances are four
//! standard errors of the statistic at the sample size used.

use wfsim::model::Sampled;
use wfsim::model::streams::Streams;

use super::common::{assert_close, parse, quiet_scenario, row, run};

/// Draws `n` trajectories' parameters and returns `f` of each, year by year.
fn draws(sc: &wfsim::Scenario, n: u64, years: u32, f: impl Fn(&Sampled) -> f64) -> Vec<Vec<f64>> {
    let mut s = Sampled::central(sc);
    (0..n)
        .map(|i| {
            let streams = Streams::new(99, i);
            s.draw_trajectory(sc, &streams);
            let mut out = vec![f(&s)];
            for y in 2..=years {
                s.draw_year(sc, &streams, y);
                out.push(f(&s));
            }
            out
        })
        .collect()
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn cov(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (a.len() - 1) as f64
}

#[test]
fn a_year_effect_is_a_stationary_ar1_around_the_trajectory_draw() {
    // m ~ Normal(0.2, 0.02), year effect σ = 0.03, ρ = 0.6:
    // Var(xₜ) = 0.02² + 0.03², Cov(x₁, x₃) = 0.02² + ρ²·0.03².
    let sc = parse(&quiet_scenario(
        3,
        "",
        &[(
            "parameters.exam",
            "junior_pass_rate = { dist = \"normal\", mean = 0.2, sd = 0.02, min = 0, max = 1, per = \"year\", year_sd = 0.03, persistence = 0.6 }",
        )],
        "",
    ));
    let n = 20_000;
    let d = draws(&sc, n, 3, |s| s.exam.junior_pass_rate);
    let col = |t: usize| d.iter().map(|r| r[t]).collect::<Vec<f64>>();
    let var = 0.02f64.powi(2) + 0.03f64.powi(2);
    let cov13 = 0.02f64.powi(2) + 0.36 * 0.03f64.powi(2);
    for t in 0..3 {
        let x = col(t);
        assert_close("mean", mean(&x), 0.2, (var / n as f64).sqrt(), 4.0);
        let se_var = var * (2.0 / n as f64).sqrt();
        assert_close(
            &format!("variance in year {}", t + 1),
            cov(&x, &x),
            var,
            se_var,
            4.0,
        );
    }
    let se_cov = ((var * var + cov13 * cov13) / n as f64).sqrt();
    assert_close(
        "covariance of years 1 and 3",
        cov(&col(0), &col(2)),
        cov13,
        se_cov,
        4.0,
    );
    // Independent yearly draws would give 0.02² + 0 there: the effect persists.
    assert!(cov(&col(0), &col(2)) > 0.02f64.powi(2) + 4.0 * se_cov);
}

#[test]
fn a_shared_regional_draw_gives_the_province_total_its_stated_spread() {
    // Ten regions, each junior ~ Uniform(60, 150) (sd 25.98). One
    // province-wide draw (the default for stocks): the total's sd is 10 × 25.98;
    // each region on its own (shared = 0): √10 × 25.98.
    let regions = |shared: &str| {
        let mut text = quiet_scenario(1, "", &[], "");
        let one = format!(
            "[region.stocks]\njunior = {{ dist = \"uniform\", min = 60, max = 150{shared} }}\n"
        );
        text = text.replacen("id = \"r\"\n", &format!("id = \"r\"\n\n{one}"), 1);
        for i in 1..10 {
            text.push_str(&format!("[[region]]\nid = \"r{i}\"\n{one}"));
        }
        parse(&text)
    };
    let n = 4000;
    let sd_one = 90.0 / 12f64.sqrt();
    // Rounding each region to whole people adds 1/12 per region.
    for (shared, want) in [
        ("", (100.0 * sd_one * sd_one + 10.0 / 12.0).sqrt()),
        (
            ", shared = 0",
            (10.0 * sd_one * sd_one + 10.0 / 12.0).sqrt(),
        ),
    ] {
        let r = run(&regions(shared), n, 21, 2);
        let got = row(&r, "junior", "total", 2020).sd;
        let se = want / (2.0 * n as f64).sqrt() * 1.2; // uniform sums: a little heavier than normal theory
        assert_close(&format!("sd of the total{shared}"), got, want, se, 4.0);
        assert_close(
            "mean of the total",
            row(&r, "junior", "total", 2020).mean,
            1050.0,
            want / (n as f64).sqrt(),
            4.0,
        );
    }
}

/// Spearman's rank correlation.
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let rank = |x: &[f64]| {
        let mut idx: Vec<usize> = (0..x.len()).collect();
        idx.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
        let mut r = vec![0.0; x.len()];
        for (k, &i) in idx.iter().enumerate() {
            r[i] = k as f64;
        }
        r
    };
    let (ra, rb) = (rank(a), rank(b));
    cov(&ra, &rb) / (cov(&ra, &ra) * cov(&rb, &rb)).sqrt()
}

#[test]
fn correlated_inputs_have_the_requested_rank_correlation_and_keep_their_marginals() {
    for want in [0.7, -0.4] {
        let sc = parse(&quiet_scenario(
            1,
            "",
            &[(
                "parameters.exam",
                "junior_pass_rate = { dist = \"beta\", alpha = 20, beta = 80 }\nintermediate_pass_rate = { dist = \"pert\", min = 0.1, mode = 0.15, max = 0.3 }",
            )],
            &format!(
                "[[correlation]]\nbetween = [\"parameters.exam.junior_pass_rate\", \"parameters.exam.intermediate_pass_rate\"]\nrank = {want}\n"
            ),
        ));
        let n = 5000;
        let d = draws(&sc, n, 1, |s| s.exam.junior_pass_rate);
        let e = draws(&sc, n, 1, |s| s.exam.intermediate_pass_rate);
        let a: Vec<f64> = d.iter().map(|r| r[0]).collect();
        let b: Vec<f64> = e.iter().map(|r| r[0]).collect();
        // Fisher's z of Spearman's ρ has se √(1.06 / (n − 3)) (Fieller, Hartley & Pearson 1957).
        let se = (1.06 / (n as f64 - 3.0)).sqrt();
        let got = spearman(&a, &b);
        assert_close(
            &format!("atanh(rank correlation {want})"),
            got.atanh(),
            f64::atanh(want),
            se,
            4.0,
        );
        // Marginals: beta mean 0.2 (sd 0.04), PERT mean (0.1 + 0.6 + 0.3)/6.
        assert_close("beta mean", mean(&a), 0.2, 0.04 / (n as f64).sqrt(), 4.0);
        assert_close(
            "pert mean",
            mean(&b),
            1.0 / 6.0,
            0.04 / (n as f64).sqrt(),
            4.0,
        );
    }
}

#[test]
fn a_bernoulli_that_alone_decides_a_target_gives_its_probability() {
    // 10 posts are planned with probability q (and money for them): P(posts ≥ 10) = q.
    for q in [0.3, 0.85] {
        let sc = parse(&quiet_scenario(
            1,
            "[region.stocks]\njunior = 100",
            &[],
            &format!(
                "[funding]\nbudget = 10000000\nmax_committed_share = 1\n\
                 [levers.posts]\nshare = 1\ncost_per_post = 50000\n\
                 planned_per_year = {{ dist = \"discrete\", values = [0, 10], weights = [{}, {q}] }}\n\
                 [[target]]\nid = \"posts\"\nmetric = \"posts\"\nyear = 2021\nthreshold = 10\n",
                1.0 - q
            ),
        ));
        let n = 4000;
        let r = run(&sc, n, 23, 2);
        let p = r.targets[0].p_met;
        assert_close(
            &format!("P(met) with q = {q}"),
            p,
            q,
            (q * (1.0 - q) / n as f64).sqrt(),
            4.0,
        );
    }
    let sc = parse(&quiet_scenario(
        1,
        "[region.stocks]\njunior = { dist = \"bernoulli\", p = 0.25 }",
        &[],
        "[[target]]\nid = \"one\"\nmetric = \"junior\"\nyear = 2021\nthreshold = 1\n",
    ));
    let r = run(&sc, 4000, 24, 2);
    assert_close(
        "bernoulli stock",
        r.targets[0].p_met,
        0.25,
        (0.25 * 0.75 / 4000f64).sqrt(),
        4.0,
    );
}

#[test]
fn a_likely_range_sets_the_10th_and_90th_percentiles() {
    let sc = parse(&quiet_scenario(
        1,
        "",
        &[(
            "parameters.exam",
            "junior_pass_rate = { dist = \"normal\", p10 = 0.12, p90 = 0.27, min = 0, max = 1 }\nintermediate_pass_rate = { dist = \"mixture\", components = [{ dist = \"uniform\", min = 0.1, max = 0.2 }, { dist = \"uniform\", min = 0.3, max = 0.4 }], weights = [3, 1] }",
        )],
        "",
    ));
    let n = 20_000;
    let a: Vec<f64> = draws(&sc, n, 1, |s| s.exam.junior_pass_rate)
        .iter()
        .map(|r| r[0])
        .collect();
    let below = |x: f64| a.iter().filter(|&&v| v < x).count() as f64 / n as f64;
    let se = (0.09f64 / n as f64).sqrt();
    assert_close("share below p10", below(0.12), 0.1, se, 4.0);
    assert_close("share below p90", below(0.27), 0.9, se, 4.0);
    let b: Vec<f64> = draws(&sc, n, 1, |s| s.exam.intermediate_pass_rate)
        .iter()
        .map(|r| r[0])
        .collect();
    let high = b.iter().filter(|&&v| v >= 0.3).count() as f64 / n as f64;
    assert_close(
        "mixture weight",
        high,
        0.25,
        (0.1875 / n as f64).sqrt(),
        4.0,
    );
    assert!(
        b.iter()
            .all(|&v| (0.1..=0.2).contains(&v) || (0.3..=0.4).contains(&v))
    );
}

#[test]
fn the_spread_splits_into_unknowns_and_chance_by_the_law_of_total_variance() {
    // junior ~ Normal(1000, 20) once per trajectory; each leaves with 0.5
    // in the year: Var(E[Y | N]) = 0.25 · 400 = 100, E[Var(Y | N)] = 250, so
    // the unknowns make 100 / 350 of the spread.
    let sc = parse(&quiet_scenario(
        1,
        "[region.stocks]\njunior = { dist = \"normal\", mean = 1000, sd = 20, min = 900, max = 1100, shared = 0 }",
        &[("parameters.attrition", "junior = 0.5")],
        "[[target]]\nid = \"j\"\nmetric = \"junior\"\nyear = 2021\nthreshold = 500\n",
    ));
    let r = run(&sc, 10_000, 44, 2);
    let s = r.targets[0].spread.clone().expect("it varies");
    assert_eq!(s.pairs, 1000);
    // A correlation from 1,000 pairs: se ≈ (1 − ρ²)/√1000.
    let rho: f64 = 100.0 / 350.0;
    assert_close(
        "share from unknowns",
        s.unknowns,
        rho,
        (1.0 - rho * rho) / 1000f64.sqrt(),
        4.0,
    );
    assert!((s.unknowns + s.chance - 1.0).abs() < 1e-12);
    // Nothing uncertain but the draws of the year: all chance.
    let sc = parse(&quiet_scenario(
        1,
        "[region.stocks]\njunior = 1000",
        &[("parameters.attrition", "junior = 0.5")],
        "[[target]]\nid = \"j\"\nmetric = \"junior\"\nyear = 2021\nthreshold = 500\n",
    ));
    let r = run(&sc, 10_000, 45, 2);
    let s = r.targets[0].spread.clone().expect("it varies");
    assert!(s.unknowns < 4.0 / 1000f64.sqrt(), "{}", s.unknowns);
}

#[test]
fn an_unbounded_tail_never_makes_a_count_wrap() {
    // Absurd spreads are refused when the file is read, with the limit.
    let absurd = quiet_scenario(
        3,
        "[region.stocks]\nuncertified = { dist = \"lognormal\", mu = 10, sigma = 30 }",
        &[],
        "",
    );
    let e = match wfsim::scenario::Scenario::from_str(std::path::Path::new("t.toml"), &absurd) {
        Ok(_) => panic!("a lognormal reaching e^152 people validated"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("at most 10¹²"), "{e}");
    // At the limit, with unbounded tails: stocks near 10¹², a budget near
    // 10¹⁵, quotas and a programme drawn from lognormals. Counts saturate,
    // never wrap, go negative or stop being finite.
    let sc = parse(&quiet_scenario(
        3,
        "townships = 50\n[region.stocks]\nuncertified = 999999999999\njunior = { dist = \"lognormal\", mu = 22, sigma = 1 }",
        &[
            ("parameters.attrition", "junior = 0.1\nuncertified = 0.1"),
            ("parameters.exam", "junior_registration_rate = 0.1"),
            (
                "parameters.entry",
                "replacement_rate = 1\nrole_growth = 0.5",
            ),
        ],
        "[funding]\nbudget = { dist = \"lognormal\", mu = 29, sigma = 1 }\nmax_committed_share = 1\n\
         [levers.posts]\nshare = 0.5\ncost_per_post = 1000\nplanned_per_year = { dist = \"lognormal\", mu = 20, sigma = 1 }\n\
         [levers.training]\nshare = 0.5\ncapacity = { dist = \"lognormal\", mu = 20, sigma = 1 }\n\
         [[programme]]\nname = \"p\"\nkind = \"posts\"\nstart = 2021\nsize = { dist = \"lognormal\", mu = 20, sigma = 1 }\n",
    ));
    let r = run(&sc, 200, 48, 2);
    // The start stock of 999,999,999,999 grows past 10¹²: held there, and
    // said, with the trajectory, region, year and the step that grew it.
    assert!(
        r.warnings.iter().any(|w| w.contains("limit of 10¹²")
            && w.contains("trajectory")
            && w.contains(" in r in 202")
            && w.contains("grown by step")),
        "{:?}",
        r.warnings
    );
    for m in &r.metrics {
        assert!(
            m.mean.is_finite() && m.mean >= 0.0 && m.p95 < 1e17,
            "{} {} {}: mean {}, p95 {}",
            m.metric,
            m.scope,
            m.year,
            m.mean,
            m.p95
        );
    }
}
