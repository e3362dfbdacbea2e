//! Step 9, coverage: community-facing certified workers are placed over the
//! region's urban and rural communities, and coverage(k) is the share of
//! communities with at least k of them. Never assume n workers cover n
//! communities.
//!
//! A `targeting` share τ of the workers is placed deliberately, k to a
//! community that has none ("one community, one social worker"), covering
//! min(C, ⌊τn/k⌋) communities. The rest land at random, each in one of the C
//! communities with equal chance: the classical occupancy problem (Feller
//! 1968, ch. II.5; Johnson & Kotz 1977, "Urn Models", ch. 3). Of the M that
//! land among the U communities not yet covered, the number of communities
//! reaching k is drawn exactly for U ≤ [`EXACT_UP_TO`] — worker by worker
//! (each one's community a uniform draw) when there are few per community,
//! else community by community (each community's count given those before
//! it is Binomial(left, 1/(communities left))), whichever is cheaper; for
//! more communities it is drawn from a normal with the occupancy law's exact
//! mean U·p₁ and variance U·p₁(1−p₁) + U(U−1)(p₂ − p₁²), where p₁ = P(a
//! community gets ≥ k) and p₂ = P(two given ones both do). (The former
//! Poisson shortcut treated communities as independent: for C = 20 its mean
//! was 1.5% low and its spread half as wide again as the truth.)

use rand::Rng;
use rand_distr::{Distribution, StandardNormal, Uniform};

use super::context::Ctx;
use super::draw::{binomial, round_count};
use super::state::{RegionState, Tally};
use crate::model::streams::Step;

/// Communities up to which occupancy is drawn community by community.
pub const EXACT_UP_TO: u64 = 64;

/// P(one of `u` communities receives at least `k` of `m` workers placed at random).
pub fn p_at_least(m: u64, u: u64, k: u64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if u == 0 || m < k {
        return 0.0;
    }
    if u == 1 {
        return 1.0;
    }
    let q = 1.0 / u as f64;
    // Binomial(m, q) probabilities by recursion from P(0) = (1 − q)^m.
    let mut term = (m as f64 * (-q).ln_1p()).exp();
    let mut below = term;
    for i in 0..k - 1 {
        term *= (m - i) as f64 / (i + 1) as f64 * q / (1.0 - q);
        below += term;
    }
    (1.0 - below).clamp(0.0, 1.0)
}

/// P(two given communities of `u` both receive at least `k` of `m`).
pub fn p_both_at_least(m: u64, u: u64, k: u64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if u < 2 || m < 2 * k {
        return 0.0;
    }
    let q = 1.0 / u as f64;
    let rest = 1.0 - 2.0 * q;
    let one_below = 1.0 - p_at_least(m, u, k);
    if rest <= 0.0 {
        // Two communities hold all m ≥ 2k workers: both below k is impossible.
        return (1.0 - 2.0 * one_below).clamp(0.0, 1.0);
    }
    // P(n₁ < k and n₂ < k) from the trinomial, term by term from
    // T(0, 0) = rest^m: T(i, j+1) = T(i, j)·(m−i−j)/(j+1)·q/rest.
    let ratio = q / rest;
    let mut row = (m as f64 * (-2.0 * q).ln_1p()).exp();
    let mut both_below = 0.0;
    for i in 0..k {
        let mut t = row;
        for j in 0..k {
            both_below += t;
            if m < i + j + 1 {
                break;
            }
            t *= (m - i - j) as f64 / (j + 1) as f64 * ratio;
        }
        if m < i + 1 {
            break;
        }
        row *= (m - i) as f64 / (i + 1) as f64 * ratio;
    }
    (1.0 - 2.0 * one_below + both_below).clamp(0.0, 1.0)
}

/// Up to this many workers per community, a small place's occupancy is
/// drawn worker by worker (a uniform integer each, ~15 instructions), past
/// it community by community (a binomial each, ~250).
const WORKERS_PER_COMMUNITY: u64 = 16;

/// Of `u` ≤ [`EXACT_UP_TO`] communities, how many receive at least `k` of
/// `m` workers, each placed in a community drawn uniformly (rand's
/// `Uniform`, exact by rejection): the occupancy problem as it is stated.
fn worker_by_worker<R: Rng + ?Sized>(rng: &mut R, m: u64, u: u64, k: u64) -> u64 {
    debug_assert!(u <= EXACT_UP_TO && m <= WORKERS_PER_COMMUNITY * u);
    let Ok(pick) = Uniform::new(0, u as usize) else {
        return 0;
    };
    // At most 16 × 64 workers, so a count cannot pass u16::MAX.
    let mut counts = [0u16; EXACT_UP_TO as usize];
    let mut hit = 0;
    for _ in 0..m {
        let c = &mut counts[pick.sample(rng)];
        *c += 1;
        hit += u64::from(u64::from(*c) == k);
    }
    hit
}

/// Of `u` communities, how many receive at least `k` of `m` workers placed
/// uniformly at random: exact for small `u`, the exact mean and variance
/// beyond.
pub fn occupied<R: Rng + ?Sized>(rng: &mut R, m: u64, u: u64, k: u64) -> u64 {
    if u == 0 || m < k {
        return 0;
    }
    if k == 0 {
        return u;
    }
    if u <= EXACT_UP_TO {
        if m <= WORKERS_PER_COMMUNITY * u {
            return worker_by_worker(rng, m, u, k);
        }
        let mut left = m;
        let mut hit = 0;
        for j in 0..u {
            let x = binomial(rng, left, 1.0 / (u - j) as f64);
            hit += u64::from(x >= k);
            left -= x;
            if left < k {
                break;
            }
        }
        return hit;
    }
    let p1 = p_at_least(m, u, k);
    let p2 = p_both_at_least(m, u, k);
    let uf = u as f64;
    let mean = uf * p1;
    let var = (uf * p1 * (1.0 - p1) + uf * (uf - 1.0) * (p2 - p1 * p1)).max(0.0);
    let z: f64 = StandardNormal.sample(rng);
    (mean + var.sqrt() * z).round().clamp(0.0, uf) as u64
}

/// Communities (of `communities`) with at least `k` of `n` workers, placed
/// with targeting share `targeting`.
pub fn covered<R: Rng + ?Sized>(
    rng: &mut R,
    n: u64,
    communities: u64,
    k: u64,
    targeting: f64,
) -> u64 {
    if communities == 0 || k == 0 {
        return communities;
    }
    let aimed = round_count(n as f64 * targeting);
    let perfect = communities.min(aimed / k);
    let scattered = n - aimed.min(n);
    let open = communities - perfect;
    // Scattered workers land anywhere; those landing on covered communities change nothing.
    let m = binomial(rng, scattered, open as f64 / communities as f64);
    perfect + occupied(rng, m, open, k)
}

pub fn cover(st: &RegionState, cx: &Ctx, t: &mut Tally) {
    let c = &cx.p.coverage;
    let n = cx.binomial(
        Step::Coverage,
        0,
        0,
        st.certified(),
        c.community_facing_share,
    );
    let urban = cx.binomial(Step::Coverage, 1, 0, n, c.urban_share);
    let (cu, cr) = (
        round_count(cx.r.facts.urban_communities),
        round_count(cx.r.facts.rural_communities),
    );
    t.urban_communities = cu;
    t.rural_communities = cr;
    t.urban_covered = covered(
        &mut cx.rng(Step::Coverage, 2, 0),
        urban,
        cu,
        c.urban_min as u64,
        c.targeting,
    );
    t.rural_covered = covered(
        &mut cx.rng(Step::Coverage, 3, 0),
        n - urban,
        cr,
        c.rural_min as u64,
        c.targeting,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occupancy_probabilities() {
        // One ball: a given cell of 4 is hit with 1/4; two given cells never both.
        assert!((p_at_least(1, 4, 1) - 0.25).abs() < 1e-12);
        assert_eq!(p_both_at_least(1, 4, 1), 0.0);
        // Two balls in two cells: both hit with probability 1/2.
        assert!((p_both_at_least(2, 2, 1) - 0.5).abs() < 1e-12);
        // k = 1: 1 − (1 − 1/u)^m.
        let want = 1.0 - (1.0f64 - 1.0 / 20.0).powi(30);
        assert!((p_at_least(30, 20, 1) - want).abs() < 1e-12);
        // Every placement of 6 workers over 5 communities, counted.
        for k in 1..=3u64 {
            let (mut one, mut both) = (0u64, 0u64);
            for code in 0..5u64.pow(6) {
                let mut counts = [0u64; 5];
                let mut c = code;
                for _ in 0..6 {
                    counts[(c % 5) as usize] += 1;
                    c /= 5;
                }
                one += u64::from(counts[0] >= k);
                both += u64::from(counts[0] >= k && counts[1] >= k);
            }
            let all = 5f64.powi(6);
            assert!(
                (p_at_least(6, 5, k) - one as f64 / all).abs() < 1e-12,
                "k = {k}"
            );
            assert!(
                (p_both_at_least(6, 5, k) - both as f64 / all).abs() < 1e-12,
                "k = {k}"
            );
        }
    }
}
