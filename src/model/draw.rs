//! The random counts the model draws, with their edge cases handled here once
//! (rand_distr refuses `Poisson::new(0.0)`; a probability of exactly 0 or 1,
//! or an empty stock, needs no draw at all and consumes no random number).

use rand::{Rng, RngExt as _};
use rand_distr::{Binomial, Distribution, Poisson};

/// The largest count a quota or a drawn stock may take (the limit the
/// scenario's validation holds counts to): far above any plan, far below
/// where sums of counts could wrap.
pub const MAX_COUNT: f64 = crate::scenario::group::MAX_COUNT;

/// The largest budget a year may have (yuan): an unbounded distribution's
/// tail is cut here rather than becoming infinite.
pub const MAX_MONEY: f64 = crate::scenario::group::MAX_MONEY;

/// Binomial(n, p). `p` outside [0, 1] is clamped; NaN counts as 0.
///
/// For a mean below 10 this is rand_distr's own inversion (BINV,
/// Kachitvichyanukul & Schmeiser 1988) with the same uniform draws, but
/// with qⁿ by repeated multiplication (`powi`) instead of `powf`, which took
/// a tenth of a run: the two agree to a few units in the last place, so a
/// draw differs only when its uniform falls within ~10⁻¹⁴ of a boundary.
/// Larger means go to Hörmann's transformed rejection with squeeze (BTRS,
/// see [`btrs`]), whose set-up is a square root and a few divisions where
/// BTPE's is a dozen logarithms: the model draws a new (n, p) almost every
/// time, so the set-up is most of the cost.
#[inline]
pub fn binomial<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    if n == 0 || p.is_nan() || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    super::census::binomial(n, p);
    // As rand_distr: the distribution is symmetric under p → 1 − p.
    let flipped = p > 0.5;
    let small = if flipped { 1.0 - p } else { p };
    let q = 1.0 - small;
    if (small * n as f64) < BINV_THRESHOLD && q < 1.0 && n <= i32::MAX as u64 {
        let x = binv(rng, n, small, q);
        return if flipped { n - x } else { x };
    }
    if q < 1.0 && n as f64 <= MAX_COUNT {
        let x = btrs(rng, n, small);
        return if flipped { n - x } else { x };
    }
    // Beyond any count the model holds: rand_distr's BTPE.
    match Binomial::new(n, p) {
        Ok(d) => d.sample(rng),
        Err(_) => 0,
    }
}

/// Binomial(n, p) for p ≤ ½ and np ≥ 10 by transformed rejection with
/// squeeze: W. Hörmann (1993), "The generation of binomial random
/// variates", J. Statist. Comput. Simul. 46, 101–110, algorithm BTRS, with
/// the acceptance test written with Stirling's series as TensorFlow's
/// `random_binomial_op` writes it. Exact: a candidate the squeeze does not
/// settle is accepted by the ratio of the binomial's own probabilities.
/// Hörmann counts about 1.15 pairs of uniforms per draw; the squeeze
/// settles about 40% of candidates at a mean of 10, 65% at 100 and 75% at
/// 1,000. The rest need f(k) / f(m): within 16 values of the mode (most
/// of them up to a mean of a few hundred) as the product of the successive
/// ratios of the probabilities, which is exact arithmetic on the same
/// quantity and needs no logarithm; beyond, by Stirling's series.
fn btrs<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    btrs_within(rng, n, p, PRODUCT_WINDOW)
}

/// [`btrs`], with f(k) / f(m) taken as a product within `window` of the
/// mode (a test compares it with the series everywhere, `window` < 0).
#[inline]
fn btrs_within<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64, window: f64) -> u64 {
    let nf = n as f64;
    let product_window = if nf <= PRODUCT_MAX_N { window } else { -1.0 };
    let q = 1.0 - p;
    let spq = (nf * p * q).sqrt();
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = nf * p + 0.5;
    let v_r = 0.92 - 4.2 / b;
    // Only the candidates the squeeze leaves need these.
    let r = p / q;
    let alpha = (2.83 + 5.1 / b) * spq;
    let m = floor_non_negative((nf + 1.0) * p);
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v = rng.random::<f64>();
        let us = 0.5 - u.abs();
        let x = (2.0 * a / us + b) * u + c;
        // Also rejects the infinite candidate of u = −½ (and a NaN).
        if x.is_nan() || x < 0.0 {
            continue;
        }
        let k = floor_non_negative(x);
        if k > nf {
            continue;
        }
        if us >= 0.07 && v <= v_r {
            return k as u64;
        }
        let v = v * alpha / (a / (us * us) + b);
        // Accept k with probability f(k) / f(m), f the binomial's
        // probabilities and m its mode.
        if (k - m).abs() <= product_window {
            let (below, above) = ratio_to_mode(nf, r, m, k);
            if v * below <= above {
                return k as u64;
            }
            continue;
        }
        if v.ln() <= ln_ratio_to_mode(nf, r, m, k) {
            return k as u64;
        }
    }
}

/// ln(f(k) / f(m)) for Binomial(n, p), r = p / q, by Stirling's series.
#[inline]
fn ln_ratio_to_mode(nf: f64, r: f64, m: f64, k: f64) -> f64 {
    (m + 0.5) * ((m + 1.0) / (r * (nf - m + 1.0))).ln()
        + (nf + 1.0) * ((nf - m + 1.0) / (nf - k + 1.0)).ln()
        + (k + 0.5) * (r * (nf - k + 1.0) / (k + 1.0)).ln()
        + stirling_tail(m)
        + stirling_tail(nf - m)
        - stirling_tail(k)
        - stirling_tail(nf - k)
}

/// How far from the mode (in values) [`btrs`] takes f(k) / f(m) as a
/// product of successive ratios rather than by Stirling's series: 16
/// multiplications of each kind cost less than the series' five
/// logarithms, and in counts below 2⁴⁰ the products stay far inside a
/// double's range (at most 2⁶⁴⁰).
const PRODUCT_WINDOW: f64 = 16.0;

/// Counts up to this use the product; larger ones always use the series.
const PRODUCT_MAX_N: f64 = 1_099_511_627_776.0;

/// f(k) / f(m) for Binomial(n, p), r = p / q, as `above / below`:
/// the product of the ratios of successive probabilities,
/// f(j) / f(j − 1) = (n − j + 1) r / j, from m to k. Both parts are kept
/// so that no division is needed and the comparison with the candidate's
/// height is one multiplication.
#[inline]
fn ratio_to_mode(nf: f64, r: f64, m: f64, k: f64) -> (f64, f64) {
    let (mut below, mut above) = (1.0, 1.0);
    if k > m {
        let mut j = m + 1.0;
        while j <= k {
            above *= (nf - j + 1.0) * r;
            below *= j;
            j += 1.0;
        }
    } else {
        let mut j = k + 1.0;
        while j <= m {
            above *= j;
            below *= (nf - j + 1.0) * r;
            j += 1.0;
        }
    }
    (below, above)
}

/// ⌊x⌋ for x ≥ 0 by truncation, which is ⌊x⌋ there: `f64::floor` is a
/// call into libm on the baseline x86-64 target (2% of a run from this
/// loop alone). Through `i64`, whose conversions are one instruction each
/// way (`u64`'s are a dozen with a branch); from 2⁵² up every double is a
/// whole number already.
#[inline]
fn floor_non_negative(x: f64) -> f64 {
    debug_assert!(x >= 0.0);
    if x < TWO_POW_52 { (x as i64) as f64 } else { x }
}

/// 2⁵²: from here up every double is a whole number.
const TWO_POW_52: f64 = 4_503_599_627_370_496.0;

/// ln k! − [(k + ½) ln(k + 1) − (k + 1) + ½ ln 2π]: the remainder of
/// Stirling's formula, tabulated to 9 and from its series beyond (the
/// series' next term is below 10⁻¹⁰ there).
fn stirling_tail(k: f64) -> f64 {
    const SMALL: [f64; 10] = [
        0.081_061_466_795_327_2,
        0.041_340_695_955_409_2,
        0.027_677_925_684_998_3,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_1,
        0.013_876_128_823_070_7,
        0.011_896_709_945_891_7,
        0.010_411_265_261_972_0,
        0.009_255_462_182_712_73,
        0.008_330_563_433_362_87,
    ];
    if k <= 9.0 {
        return SMALL[k as usize];
    }
    let k1 = k + 1.0;
    let k1sq = k1 * k1;
    (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / k1sq) / k1sq) / k1
}

/// Below this mean, inversion (rand_distr's threshold).
const BINV_THRESHOLD: f64 = 10.0;

/// Inversion for Binomial(n, p) with p ≤ ½ and np < 10: rand_distr's BINV
/// step for step, restarting (as it does) past 110, which is ~31 standard
/// deviations out.
#[inline]
fn binv<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64, q: f64) -> u64 {
    const MAX_X: u64 = 110;
    let s = p / q;
    let a = (n as f64 + 1.0) * s;
    let start = powi(q, n as u32);
    'outer: loop {
        let mut r = start;
        let mut u: f64 = rng.random();
        let mut x = 0;
        while u > r {
            u -= r;
            x += 1;
            if x > MAX_X {
                continue 'outer;
            }
            r *= a / (x as f64) - s;
        }
        return x;
    }
}

/// aⁿ by squaring, multiplied in the order of compiler-rt's `__powidf2`
/// (what `f64::powi` calls), so the same number to the bit; but inlined,
/// and with each bit of n selecting a factor of a or 1 (exact) instead of
/// branching on it. The bits of a stock's size are as good as random, so
/// the library's branches mispredicted about every other bit: `powi` was
/// 6–7% of a run, and replayed on the benchmark shape's draws
/// (`benches/draws.rs`) a draw takes ~3% less.
#[inline]
fn powi(mut a: f64, mut n: u32) -> f64 {
    let mut r = 1.0;
    loop {
        r *= if n & 1 == 1 { a } else { 1.0 };
        n >>= 1;
        if n == 0 {
            return r;
        }
        a *= a;
    }
}

/// x rounded half away from zero, as a count (`f64::round` then `as u64`,
/// to the bit, with no libm call: below 2⁵² truncation and the remainder
/// are exact, above every double is whole; negatives and NaN give 0 both
/// ways).
#[inline]
pub fn round_count(x: f64) -> u64 {
    if x < 0.5 || x.is_nan() {
        0
    } else if x < TWO_POW_52 {
        // Through `i64`, as in [`floor_non_negative`].
        let t = x as i64;
        (t + i64::from(x - t as f64 >= 0.5)) as u64
    } else {
        // A whole number already (saturating above 2⁶⁴, as `as` does).
        x as u64
    }
}

/// Poisson(λ) as a count; λ ≤ 0 (or NaN) gives 0.
#[inline]
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    match Poisson::new(lambda) {
        // Poisson draws are whole numbers held in a float.
        Ok(d) => {
            let x: f64 = d.sample(rng);
            x.max(0.0) as u64
        }
        Err(_) => lambda.round() as u64,
    }
}

/// Rounds a non-negative quota to a whole number, up with probability equal
/// to its fractional part, so quotas split over regions keep their expectation.
#[inline]
pub fn round_quota<R: Rng + ?Sized>(rng: &mut R, x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    // An unbounded distribution's far tail must not make a count wrap.
    let x = x.min(MAX_COUNT);
    let whole = floor_non_negative(x);
    let frac = x - whole;
    let up = frac > 0.0 && rng.random::<f64>() < frac;
    whole as u64 + u64::from(up)
}

/// How many units of `cost` the money buys (all of them when the cost is 0).
#[inline]
pub fn affordable(money: f64, cost: f64) -> u64 {
    if cost <= 0.0 {
        return u64::MAX;
    }
    if money.is_nan() || money <= 0.0 {
        return 0;
    }
    // `as` truncates, which is ⌊·⌋ for a non-negative number (no libm call).
    (money / cost).min(MAX_COUNT) as u64
}

/// A probability with its odds multiplied by `ratio`.
#[inline]
pub fn with_odds(p: f64, ratio: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 || ratio == 1.0 {
        return p;
    }
    let odds = p / (1.0 - p) * ratio;
    odds / (1.0 + odds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_pcg::Pcg64Mcg;

    #[test]
    fn edge_cases_need_no_draw() {
        let mut r = Pcg64Mcg::new(1);
        assert_eq!(binomial(&mut r, 0, 0.5), 0);
        assert_eq!(binomial(&mut r, 10, 0.0), 0);
        assert_eq!(binomial(&mut r, 10, 1.0), 10);
        assert_eq!(binomial(&mut r, 10, f64::NAN), 0);
        assert_eq!(poisson(&mut r, 0.0), 0);
        assert_eq!(round_quota(&mut r, 3.0), 3);
        assert_eq!(affordable(100.0, 0.0), u64::MAX);
        assert_eq!(affordable(99.0, 10.0), 9);
        assert!((with_odds(0.5, 3.0) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn rounding_and_flooring_without_libm_agree_with_it_to_the_bit() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            -0.5,
            -0.7,
            -3.2,
            1e300,
            9.007199254740993e15,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let mut r = Pcg64Mcg::new(9);
        xs.extend((0..100_000).map(|i| r.random::<f64>() * 10f64.powi(i % 12)));
        for &x in &xs {
            assert_eq!(round_count(x), x.round() as u64, "round {x}");
            if x >= 0.0 {
                // Equal as numbers (−0 comes out as 0, which no caller tells apart).
                assert_eq!(floor_non_negative(x), x.floor(), "floor {x}");
            }
        }
    }

    #[test]
    fn inlined_powers_are_the_library_powers_to_the_bit() {
        // Inversion starts from qⁿ: the same bits as `f64::powi` keep every
        // draw (and so every published result) the same.
        let mut r = Pcg64Mcg::new(3);
        for _ in 0..200_000 {
            let q = 1.0 - r.random::<f64>() * r.random::<f64>();
            let n = (r.random::<f64>() * 2f64.powi(r.random_range(0..31))) as u32;
            assert_eq!(powi(q, n).to_bits(), q.powi(n as i32).to_bits(), "{q}^{n}");
        }
        assert_eq!(powi(0.5, 0), 1.0);
        assert_eq!(powi(0.0, 3), 0.0);
    }

    #[test]
    fn the_product_and_the_series_give_the_same_ratio_to_the_mode() {
        // Both are f(k) / f(m); the series is Stirling's, whose remainder
        // past the tabulated terms is below 1e-10 in the log. (Its terms
        // are of the size of n, so in counts of billions its own rounding
        // is the larger error; the product's is a few ulps whatever n.)
        let mut worst: f64 = 0.0;
        for &n in &[20u64, 45, 100, 1_000, 33_333, 1_000_000] {
            for &p in &[0.5f64, 0.3, 0.11, 0.011, 1e-4] {
                let nf = n as f64;
                if nf * p < 10.0 {
                    continue;
                }
                let r = p / (1.0 - p);
                let m = ((nf + 1.0) * p).floor();
                for d in -16i64..=16 {
                    let k = m + d as f64;
                    if k < 0.0 || k > nf {
                        continue;
                    }
                    let (below, above) = ratio_to_mode(nf, r, m, k);
                    let product = (above / below).ln();
                    let series = ln_ratio_to_mode(nf, r, m, k);
                    worst = worst.max((product - series).abs());
                    assert!(
                        (product - series).abs() < 1e-9,
                        "n {n} p {p} k {k}: product {product}, series {series}"
                    );
                }
            }
        }
        assert!(worst > 0.0, "the two are computed differently");
    }

    #[test]
    fn the_product_draws_what_the_series_draws() {
        // The two acceptance tests differ only in rounding, so from the same
        // uniforms they accept the same candidates: a draw can differ only
        // when its uniform falls within ~1e-12 of f(k) / f(m).
        let mut drawn = 0;
        let mut differ = 0;
        for (i, &(n, p)) in [
            (20u64, 0.5),
            (100, 0.1),
            (1_000, 0.3),
            (2_000, 0.05),
            (1 << 30, 1e-7),
        ]
        .iter()
        .enumerate()
        {
            let mut a = Pcg64Mcg::new(77 + i as u128);
            let mut b = a.clone();
            for _ in 0..100_000 {
                drawn += 1;
                let x = btrs_within(&mut a, n, p, PRODUCT_WINDOW);
                let y = btrs_within(&mut b, n, p, -1.0);
                differ += usize::from(x != y);
            }
        }
        assert_eq!(differ, 0, "{differ} of {drawn} draws differ");
    }
}
