//! The 95% interval of `p_met` covers the true probability about 95% of the
//! time. A target whose probability is known exactly: one uncertified
//! practitioner sits the junior exam for sure and passes with probability
//! 0.3, so "certified ≥ 1 next year" holds with probability exactly 0.3.

use crate::common::*;

#[test]
fn p_met_interval_covers_a_known_probability_at_the_nominal_rate() {
    let p = 0.3;
    let sc = parse(&quiet_scenario(
        1,
        "[region.stocks]\nuncertified = 1",
        &[(
            "parameters.exam",
            "junior_registration_rate = 1\njunior_pass_rate = 0.3",
        )],
        "[[target]]\nid = \"one\"\nmetric = \"certified\"\nyear = 2021\nthreshold = 1",
    ));
    let (runs, n) = (400u64, 150u64);
    let mut covered = 0;
    let mut sum = 0.0;
    for seed in 0..runs {
        let r = run(&sc, n, 1000 + seed, 1);
        let t = &r.targets[0];
        sum += t.p_met;
        if t.ci_low <= p && p <= t.ci_high {
            covered += 1;
        }
    }
    // The estimate is unbiased: the mean of 400 estimates is within 4 standard errors.
    assert_close(
        "mean p_met",
        sum / runs as f64,
        p,
        (p * (1.0 - p) / (runs * n) as f64).sqrt(),
        4.0,
    );
    // Coverage: Wilson's actual coverage at n = 150, p = 0.3 is close to 0.95;
    // over 400 runs the observed rate has a standard error of 0.011.
    let rate = covered as f64 / runs as f64;
    assert_close(
        "coverage",
        rate,
        0.95,
        (0.95f64 * 0.05 / runs as f64).sqrt(),
        4.0,
    );
}
