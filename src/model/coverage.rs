//! Step 9, coverage: community-facing certified workers are placed over the
//! region's urban and rural communities, and coverage(k) is the share of
//! communities with at least k of them. Never assume n workers cover n
//! communities.
//!
//! A `targeting` share τ of the workers is placed deliberately, k to a
//! community that has none ("one community, one social worker"), covering
//! min(C, ⌊τn/k⌋) communities. The rest land at random: each remaining
//! community receives Poisson((1−τ)n / C) of them (the occupancy law for many
//! workers over many communities), and is covered when that reaches k. With
//! τ = 1 coverage is min(1, n/(kC)); with τ = 0 it is P(Poisson(n/C) ≥ k).

use rand::Rng;

use super::context::Ctx;
use super::draw::binomial;
use super::state::{RegionState, Tally};
use crate::engine::streams::Step;

/// P(Poisson(λ) ≥ k).
pub fn poisson_at_least(lambda: f64, k: u64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    let mut term = (-lambda).exp();
    let mut below = term;
    for j in 1..k {
        term *= lambda / j as f64;
        below += term;
    }
    (1.0 - below).clamp(0.0, 1.0)
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
    let aimed = (n as f64 * targeting).round() as u64;
    let perfect = communities.min(aimed / k);
    let scattered = n - aimed.min(n);
    let p = poisson_at_least(scattered as f64 / communities as f64, k);
    perfect + binomial(rng, communities - perfect, p)
}

pub fn cover(st: &RegionState, cx: &Ctx, t: &mut Tally) {
    let c = &cx.p.coverage;
    let n = binomial(
        &mut cx.rng(Step::Coverage, 0, 0),
        st.certified(),
        c.community_facing_share,
    );
    let urban = binomial(&mut cx.rng(Step::Coverage, 1, 0), n, c.urban_share);
    let (cu, cr) = (
        cx.r.facts.urban_communities.round() as u64,
        cx.r.facts.rural_communities.round() as u64,
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
    fn poisson_tail() {
        assert!((poisson_at_least(1.0, 1) - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
        assert!((poisson_at_least(2.0, 2) - (1.0 - 3.0 * (-2.0f64).exp())).abs() < 1e-15);
        assert_eq!(poisson_at_least(0.0, 1), 0.0);
    }
}
