//! Value-stability pins for each sampler code path and each distribution,
//! as rand pins its own: a change to a random-number path (a new rand or
//! rand_distr, a reordered draw) is noticed here, in the smallest place,
//! before it moves a published result. Update a pin only on purpose, and
//! say why in CHANGELOG.md.

use wfsim::model::draw::{binomial, poisson, round_quota};
use wfsim::model::streams::Streams;
use wfsim::scenario::Dist;

fn rng(purpose: u64) -> wfsim::model::streams::ModelRng {
    Streams::new(2026, 7).rng(3, 2, purpose)
}

/// Five draws of each sampler path from its own stream.
fn draws(f: impl Fn(&mut wfsim::model::streams::ModelRng) -> f64, purpose: u64) -> Vec<f64> {
    let mut r = rng(purpose);
    (0..5).map(|_| f(&mut r)).collect()
}

#[test]
fn binomial_poisson_and_quota_paths_are_pinned() {
    let got: Vec<Vec<f64>> = vec![
        // n = 0, p = 0 and p = 1 draw nothing.
        draws(|r| binomial(r, 0, 0.3) as f64, 1),
        draws(|r| binomial(r, 50, 0.0) as f64, 2),
        draws(|r| binomial(r, 50, 1.0) as f64, 3),
        // Small mean (inversion) and large (BTRS); p above one half.
        draws(|r| binomial(r, 20, 0.1) as f64, 4),
        draws(|r| binomial(r, 100_000, 0.17) as f64, 5),
        draws(|r| binomial(r, 1_000, 0.93) as f64, 6),
        draws(|r| poisson(r, 0.0) as f64, 7),
        draws(|r| poisson(r, 3.5) as f64, 8),
        draws(|r| poisson(r, 5_000.0) as f64, 9),
        draws(|r| round_quota(r, 12.0) as f64, 10),
        draws(|r| round_quota(r, 12.25) as f64, 11),
    ];
    let want: Vec<Vec<f64>> = PINNED_COUNTS.iter().map(|v| v.to_vec()).collect();
    assert_eq!(got, want, "a sampler path changed:\n{got:?}");
}

#[test]
fn the_inversion_path_draws_what_rand_distr_draws() {
    // Our inversion differs from rand_distr's only in how qⁿ is computed;
    // over small and large n, tiny and flipped p, every draw agrees.
    use rand_distr::{Binomial, Distribution};
    let mut differ = 0;
    let mut drawn = 0;
    for (k, &n) in [1u64, 2, 3, 7, 20, 64, 300, 5_000, 1_000_000]
        .iter()
        .enumerate()
    {
        for (j, &p) in [1e-7f64, 1e-3, 0.01, 0.2, 0.45, 0.5, 0.55, 0.9, 0.999]
            .iter()
            .enumerate()
        {
            let mean = n as f64 * p.min(1.0 - p);
            if mean >= 10.0 {
                continue;
            }
            let purpose = 1000 + (k * 10 + j) as u64;
            let (mut a, mut b) = (rng(purpose), rng(purpose));
            let d = Binomial::new(n, p).unwrap();
            for _ in 0..2_000 {
                drawn += 1;
                differ += usize::from(binomial(&mut a, n, p) != d.sample(&mut b));
            }
        }
    }
    assert!(drawn > 50_000, "{drawn}");
    assert_eq!(
        differ, 0,
        "{differ} of {drawn} draws differ from rand_distr"
    );
}

#[test]
fn the_large_mean_path_draws_the_binomial_distribution() {
    // BTRS is exact: its draws follow Binomial(n, p) itself. Pearson's χ²
    // over cells of at least 20 expected draws, against the 1 − 10⁻⁶
    // quantile (a million draws per case, from fixed streams), and the mean
    // and variance within 5 standard errors. A wrong constant in the
    // squeeze or the acceptance bound moves the χ² far past its limit.
    use statrs::distribution::{Binomial, ChiSquared, ContinuousCDF, Discrete, DiscreteCDF};
    let cases = [
        (20u64, 0.5),
        (40, 0.3),
        (1_000, 0.011),
        (200, 0.45),
        (10_000, 0.1),
        (1_000_000, 0.3),
        (100, 0.9),
        (3_000, 0.6),
        (100_000, 0.17),
    ];
    let draws = 1_000_000usize;
    for (i, &(n, p)) in cases.iter().enumerate() {
        let mut r = rng(2000 + i as u64);
        let xs: Vec<u64> = (0..draws).map(|_| binomial(&mut r, n, p)).collect();
        let exact = Binomial::new(p, n).unwrap();
        // Cells: consecutive values merged until each expects ≥ 20 draws;
        // the tails go to the first and last cells.
        let mean = n as f64 * p;
        let sd = (mean * (1.0 - p)).sqrt();
        let lo = (mean - 8.0 * sd).max(0.0) as u64;
        let hi = ((mean + 8.0 * sd) as u64).min(n);
        let mut edges = vec![lo];
        let mut mass = exact.cdf(lo);
        for k in lo + 1..=hi {
            if mass * draws as f64 >= 20.0 {
                edges.push(k);
                mass = 0.0;
            }
            mass += exact.pmf(k);
        }
        let cell = |x: u64| edges.partition_point(|&e| e <= x).saturating_sub(1);
        let mut seen = vec![0f64; edges.len()];
        for &x in &xs {
            seen[cell(x)] += 1.0;
        }
        let mut chi2 = 0.0;
        for (c, &start) in edges.iter().enumerate() {
            let below = if c == 0 { 0.0 } else { exact.cdf(start - 1) };
            let upto = match edges.get(c + 1) {
                Some(&next) => exact.cdf(next - 1),
                None => 1.0,
            };
            let expected = (upto - below) * draws as f64;
            chi2 += (seen[c] - expected).powi(2) / expected;
        }
        let dof = (edges.len() - 1) as f64;
        let limit = ChiSquared::new(dof).unwrap().inverse_cdf(1.0 - 1e-6);
        assert!(
            chi2 < limit,
            "Binomial({n}, {p}): χ² {chi2:.1} on {dof} degrees of freedom, limit {limit:.1}"
        );
        let m = xs.iter().sum::<u64>() as f64 / draws as f64;
        let var = xs.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / (draws - 1) as f64;
        let se_mean = sd / (draws as f64).sqrt();
        assert!(
            (m - mean).abs() < 5.0 * se_mean,
            "Binomial({n}, {p}) mean {m}"
        );
        // The variance's standard error, from the fourth central moment.
        let mu4 = 3.0 * sd.powi(4) + sd.powi(2) * (1.0 - 6.0 * p * (1.0 - p));
        let se_var = ((mu4 - sd.powi(4)) / draws as f64).sqrt();
        assert!(
            (var - sd * sd).abs() < 5.0 * se_var,
            "Binomial({n}, {p}) variance {var}, want {}",
            sd * sd
        );
    }
}

#[test]
fn each_distribution_is_pinned() {
    let dists = [
        Dist::Beta {
            alpha: 487.0,
            beta: 2457.0,
        },
        Dist::Pert {
            min: 0.1,
            mode: 0.17,
            max: 0.3,
        },
        Dist::Uniform {
            min: 1000.0,
            max: 3000.0,
        },
        Dist::Triangular {
            min: 1.0,
            mode: 2.0,
            max: 4.0,
        },
        Dist::Bernoulli { p: 0.4 },
        Dist::Normal {
            mean: 0.08,
            sd: 0.03,
            min: Some(0.0),
            max: Some(0.2),
        },
        Dist::Normal {
            mean: 0.08,
            sd: 0.03,
            min: None,
            max: None,
        },
        Dist::Lognormal {
            mu: 10.0,
            sigma: 0.3,
        },
        Dist::Discrete {
            values: vec![2021.0, 2022.0, 2023.0],
            weights: vec![0.5, 0.3, 0.2],
        },
    ];
    let got: Vec<Vec<f64>> = dists
        .iter()
        .enumerate()
        .map(|(k, d)| draws(|r| d.sample(r), 100 + k as u64))
        .collect();
    let want: Vec<Vec<f64>> = PINNED_DISTS.iter().map(|v| v.to_vec()).collect();
    assert_eq!(got, want, "a distribution's draws changed:\n{got:?}");
}

const PINNED_COUNTS: &[[f64; 5]] = &[
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [50.0, 50.0, 50.0, 50.0, 50.0],
    [1.0, 1.0, 0.0, 3.0, 3.0],
    [17208.0, 16955.0, 17014.0, 17216.0, 16610.0],
    [935.0, 925.0, 924.0, 927.0, 933.0],
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [2.0, 5.0, 3.0, 2.0, 4.0],
    [4902.0, 4945.0, 4922.0, 5099.0, 5091.0],
    [12.0, 12.0, 12.0, 12.0, 12.0],
    [12.0, 12.0, 12.0, 12.0, 12.0],
];
const PINNED_DISTS: &[[f64; 5]] = &[
    [
        0.1749067050114842,
        0.17107707955406773,
        0.15971228204745308,
        0.16341658549919905,
        0.16571494254178837,
    ],
    [
        0.1762899081253424,
        0.1769632146927041,
        0.15971136587148715,
        0.2270921296591203,
        0.24945519691721987,
    ],
    [
        2238.5160708910817,
        1070.325959676408,
        2520.7037926443386,
        2774.1781412367154,
        1391.1223432110958,
    ],
    [
        2.307468801582347,
        2.029289443175491,
        2.3968890410673596,
        1.6963745192327575,
        2.88684003525692,
    ],
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [
        0.10567841877815742,
        0.06610157439824793,
        0.10387994804941844,
        0.057692335933452146,
        0.08757756129175912,
    ],
    [
        0.07422532193287518,
        0.07961908621949725,
        0.07951140387654983,
        0.1891686870613814,
        0.11981527939983494,
    ],
    [
        24281.32922408843,
        48301.64664543553,
        22182.783150092077,
        25064.959140813306,
        14619.000540569976,
    ],
    [2021.0, 2021.0, 2023.0, 2021.0, 2022.0],
];
