//! The Beta quantile for a shape drawn from again and again: a region's
//! PERT number drawn through a copula (its shape fixed by the file, its
//! cumulative probability new in every trajectory).
//!
//! statrs's `inv_beta_reg` (AS 64 with AS 109's Newton steps) starts each
//! call from a closed-form guess and evaluates the regularised incomplete
//! beta function Iₓ(a, b), three log-gamma calls each time, four to eight
//! times: ~4,800 instructions a quantile, a tenth of a Hunan run. Here the
//! log-beta and the continued fraction's coefficients are computed once per
//! shape, each quantile starts from a cubic (Hermite) interpolation of a
//! table of the quantile function and its slope, and a safeguarded Newton
//! step or two on Iₓ(a, b) finish it (usually one: the start is within
//! ~10⁻¹⁰). Iₓ is the continued fraction of Numerical Recipes (3rd ed.,
//! §6.4, eq. 6.4.5–6), the one statrs evaluates, summed by the forward
//! recurrence of its convergents instead of Lentz's divisions. Above u = ½
//! the quantile is taken from the mirrored shape, as statrs takes it, so a
//! probability close to 1 keeps its precision. The two agree to ~10⁻¹³ (a
//! test checks; statrs stops its own steps near 10⁻¹⁴).

use std::sync::{Arc, Mutex, PoisonError};

use statrs::function::beta::ln_beta;

/// Intervals of the table over u ∈ [0, 1].
const NODES: usize = 256;

/// The quantile of Beta(a, b), set up once per process for each shape
/// (at most [`SHAPES_KEPT`] of them kept; set up again beyond that):
/// every worker of every run, sweep point and solve probe shares it.
pub fn for_shape(a: f64, b: f64) -> Option<Arc<BetaQuantile>> {
    static KEPT: Mutex<Vec<Arc<BetaQuantile>>> = Mutex::new(Vec::new());
    let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(q) = kept.iter().find(|q| q.is(a, b)) {
        return Some(Arc::clone(q));
    }
    let q = Arc::new(BetaQuantile::new(a, b)?);
    if kept.len() < SHAPES_KEPT {
        kept.push(Arc::clone(&q));
    }
    Some(q)
}

/// Shapes [`for_shape`] keeps (~17 KB each).
const SHAPES_KEPT: usize = 256;

/// Terms of the continued fraction tabulated per shape (beyond, each is
/// computed as it is needed): the shapes of a PERT settle in well under 20.
const TERMS: usize = 32;

/// The quantile function of one Beta(a, b) with a, b ≥ 1 (every PERT's).
#[derive(Debug, Clone)]
pub struct BetaQuantile {
    /// The shape, and the mirrored one for u > ½.
    shape: Shape,
    mirrored: Shape,
    /// The quantile at u = i / NODES.
    x: [f64; NODES + 1],
    /// dx/du there: 1 / density (infinite at an end where the density is 0).
    slope: [f64; NODES + 1],
}

/// Beta(a, b) with what its CDF needs computed once: the log-beta and the
/// coefficients of the continued fraction's terms (divided by x) for both
/// orientations, (a, b) below the fraction's switch and (b, a) above it.
#[derive(Debug, Clone)]
struct Shape {
    a: f64,
    b: f64,
    ln_beta: f64,
    below: [f64; 2 * TERMS],
    above: [f64; 2 * TERMS],
}

impl Shape {
    fn new(a: f64, b: f64) -> Shape {
        Shape {
            a,
            b,
            ln_beta: ln_beta(a, b),
            below: std::array::from_fn(|j| term(a, b, j)),
            above: std::array::from_fn(|j| term(b, a, j)),
        }
    }

    fn mirror(&self) -> Shape {
        Shape {
            a: self.b,
            b: self.a,
            ln_beta: self.ln_beta,
            below: self.above,
            above: self.below,
        }
    }

    /// The density at x.
    fn density(&self, x: f64) -> f64 {
        let (a, b) = (self.a, self.b);
        if x <= 0.0 || x >= 1.0 {
            let flat = (x <= 0.0 && a == 1.0) || (x >= 1.0 && b == 1.0);
            return if flat { (-self.ln_beta).exp() } else { 0.0 };
        }
        ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - self.ln_beta).exp()
    }

    /// Iₓ(a, b) and the density at x, from one pair of logarithms.
    fn cdf_and_density(&self, x: f64) -> (f64, f64) {
        let (a, b) = (self.a, self.b);
        if x <= 0.0 {
            return (0.0, self.density(0.0));
        }
        if x >= 1.0 {
            return (1.0, self.density(1.0));
        }
        let (lx, l1x) = (x.ln(), (-x).ln_1p());
        // xᵃ (1 − x)ᵇ / B(a, b)
        let front = (a * lx + b * l1x - self.ln_beta).exp();
        let d = front / (x * (1.0 - x));
        let f = if x < (a + 1.0) / (a + b + 2.0) {
            front * fraction(&self.below, a, b, x) / a
        } else {
            1.0 - front * fraction(&self.above, b, a, 1.0 - x) / b
        };
        (f.clamp(0.0, 1.0), d)
    }
}

/// The j-th term of Iₓ(a, b)'s continued fraction, over x (Numerical
/// Recipes eq. 6.4.6): d₂ₘ₊₁ = −(a+m)(a+b+m) / ((a+2m)(a+2m+1)) for even j
/// = 2m, d₂ₘ = m(b−m) / ((a+2m−1)(a+2m)) for odd j = 2m − 1.
fn term(a: f64, b: f64, j: usize) -> f64 {
    let m = (j / 2 + j % 2) as f64;
    if j.is_multiple_of(2) {
        -(a + m) * (a + b + m) / ((a + 2.0 * m) * (a + 2.0 * m + 1.0))
    } else {
        m * (b - m) / ((a + 2.0 * m - 1.0) * (a + 2.0 * m))
    }
}

impl BetaQuantile {
    /// Set up for Beta(a, b); `None` unless both are finite and ≥ 1.
    pub fn new(a: f64, b: f64) -> Option<BetaQuantile> {
        if !(a.is_finite() && b.is_finite() && a >= 1.0 && b >= 1.0) {
            return None;
        }
        let shape = Shape::new(a, b);
        let mut q = BetaQuantile {
            mirrored: shape.mirror(),
            shape,
            x: [0.0; NODES + 1],
            slope: [0.0; NODES + 1],
        };
        q.x[NODES] = 1.0;
        q.slope[0] = q.inverse_density(0.0);
        q.slope[NODES] = q.inverse_density(1.0);
        let h = 1.0 / NODES as f64;
        // Node by node from the last one along its slope (the tails from
        // their leading terms), each solved in [last node, 1].
        for i in 1..NODES {
            let u = i as f64 * h;
            let last = q.x[i - 1];
            let guess = match i {
                1 => q.lower_tail(u),
                _ if i == NODES - 1 => q.upper_tail(u),
                _ => last + h * q.slope[i - 1],
            };
            let guess = if guess > last && guess < 1.0 {
                guess
            } else {
                0.5 * (last + 1.0)
            };
            q.x[i] = q.solve(u, guess, last, 1.0);
            q.slope[i] = q.inverse_density(q.x[i]);
        }
        Some(q)
    }

    /// dx/du at x.
    fn inverse_density(&self, x: f64) -> f64 {
        let d = self.shape.density(x);
        if d > 0.0 { 1.0 / d } else { f64::INFINITY }
    }

    /// The lower tail's leading term, Iₓ ≈ xᵃ / (a B(a, b)), solved for x.
    fn lower_tail(&self, u: f64) -> f64 {
        let Shape { a, ln_beta, .. } = self.shape;
        ((u.ln() + a.ln() + ln_beta) / a).exp()
    }

    /// The upper tail's, 1 − Iₓ ≈ (1 − x)ᵇ / (b B(a, b)).
    fn upper_tail(&self, u: f64) -> f64 {
        let Shape { b, ln_beta, .. } = self.shape;
        1.0 - (((1.0 - u).ln() + b.ln() + ln_beta) / b).exp()
    }

    /// Whether this is the quantile of Beta(a, b).
    pub fn is(&self, a: f64, b: f64) -> bool {
        self.shape.a == a && self.shape.b == b
    }

    /// The quantile at `u` (clamped to [0, 1]).
    pub fn at(&self, u: f64) -> f64 {
        if u.is_nan() || u <= 0.0 {
            return 0.0;
        }
        if u >= 1.0 {
            return 1.0;
        }
        let t = u * NODES as f64;
        let i = (t as usize).min(NODES - 1);
        let (lo, hi) = (self.x[i], self.x[i + 1]);
        // The end intervals, where the slope runs to infinity, start from
        // the tails' leading terms.
        let guess = if i == 0 {
            self.lower_tail(u)
        } else if i == NODES - 1 {
            self.upper_tail(u)
        } else {
            // Cubic Hermite on [lo, hi] in s ∈ [0, 1].
            let s = t - i as f64;
            let h = 1.0 / NODES as f64;
            let (m0, m1) = (self.slope[i] * h, self.slope[i + 1] * h);
            let (s2, s3) = (s * s, s * s * s);
            (2.0 * s3 - 3.0 * s2 + 1.0) * lo
                + (s3 - 2.0 * s2 + s) * m0
                + (-2.0 * s3 + 3.0 * s2) * hi
                + (s3 - s2) * m1
        };
        let guess = if guess.is_nan() {
            0.5 * (lo + hi)
        } else {
            guess.clamp(lo, hi)
        };
        self.solve(u, guess, lo, hi)
    }

    /// The root x of Iₓ(a, b) = u in [lo, hi], from `x`. Above u = ½ on
    /// the mirrored shape, where 1 − u is exact.
    fn solve(&self, u: f64, x: f64, lo: f64, hi: f64) -> f64 {
        if u > 0.5 {
            1.0 - newton(&self.mirrored, 1.0 - u, 1.0 - x, 1.0 - hi, 1.0 - lo)
        } else {
            newton(&self.shape, u, x, lo, hi)
        }
    }
}

/// Steps stop once one moves x by less than this relative amount: the
/// error left is then about its square, below a double's precision.
const SETTLED: f64 = 1e-9;

/// Newton's steps for Iₓ(a, b) = u on [lo, hi], halving the bracket
/// whenever a step would leave it.
fn newton(shape: &Shape, u: f64, mut x: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..100 {
        let (f, d) = shape.cdf_and_density(x);
        let g = f - u;
        if g == 0.0 {
            return x;
        }
        if g < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let mut next = if d > 0.0 { x - g / d } else { f64::NAN };
        if next == x {
            // A step below the last bit: x is the root as far as a double can say.
            return x;
        }
        // A Newton step settles the root; halving the bracket only narrows it.
        let newton = next >= lo && next <= hi;
        if !newton {
            next = 0.5 * (lo + hi);
        }
        let step = (next - x).abs();
        x = next;
        if (newton && step <= SETTLED * x.min(1.0 - x)) || hi - lo <= f64::EPSILON * hi {
            return x;
        }
    }
    x
}

/// The continued fraction 1 / (1 + d₁ / (1 + d₂ / (1 + …))) of Iₓ(a, b),
/// converging fast for x < (a + 1) / (a + b + 2), by the forward recurrence
/// of its convergents Aₖ / Bₖ: multiplications only (Lentz's method, which
/// Numerical Recipes' `betacf` uses, takes four divisions a term, in one
/// dependent chain), the two rescaled by 1/B when B grows large. `terms`
/// holds the first terms over x.
fn fraction(terms: &[f64; 2 * TERMS], a: f64, b: f64, x: f64) -> f64 {
    // (A, B) of the last two convergents: k = 0 and k = 1.
    let (mut a0, mut b0, mut a1, mut b1) = (0.0, 1.0, 1.0, 1.0);
    for j in 0..600 {
        let d = x * terms.get(j).copied().unwrap_or_else(|| term(a, b, j));
        let (a2, b2) = (a1 + d * a0, b1 + d * b0);
        // Converged when the convergent moves by a rounding error.
        let settled = j % 2 == 1 && (a2 * b1 - a1 * b2).abs() <= f64::EPSILON * (a2 * b1).abs();
        (a0, b0, a1, b1) = (a1, b1, a2, b2);
        if settled {
            break;
        }
        if b1.abs() > 1e100 {
            let s = 1.0 / b1;
            (a0, b0, a1, b1) = (a0 * s, b0 * s, a1 * s, 1.0);
        }
    }
    a1 / b1
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Beta, ContinuousCDF};

    #[test]
    fn agrees_with_statrs_everywhere_and_inverts_the_cdf() {
        let shapes = [
            (1.0, 1.0),
            (1.0, 5.0),
            (5.0, 1.0),
            (3.0, 3.0),
            (1.8, 4.2),
            (4.6, 1.4),
            (2.333_333_333_333_333, 3.666_666_666_666_667),
            (1.000_001, 4.999_999),
        ];
        let mut us: Vec<f64> = (1..2000).map(|i| i as f64 / 2000.0).collect();
        us.extend([
            1e-12,
            1e-9,
            1e-6,
            1e-3,
            0.5,
            1.0 - 1e-3,
            1.0 - 1e-6,
            1.0 - 1e-12,
        ]);
        us.extend((0..=64).map(|i| i as f64 / 64.0));
        for &(a, b) in &shapes {
            let q = BetaQuantile::new(a, b).expect("a valid shape");
            let s = Beta::new(a, b).expect("a valid shape");
            for &u in &us {
                let x = q.at(u);
                let want = s.inverse_cdf(u);
                assert!(
                    (x - want).abs() <= 2e-13 + 1e-10 * want.min(1.0 - want),
                    "Beta({a}, {b}) at {u}: {x} against statrs's {want}"
                );
                assert!((0.0..=1.0).contains(&x));
                if u > 1e-9 && u < 1.0 - 1e-9 {
                    let back = s.cdf(x);
                    assert!(
                        (back - u).abs() <= 1e-14 + 1e-12 * u.min(1.0 - u),
                        "Beta({a}, {b}): I at the quantile of {u} is {back}"
                    );
                }
            }
            // Rises with u.
            let mut last = 0.0;
            for i in 0..=10_000 {
                let x = q.at(i as f64 / 10_000.0);
                assert!(x >= last, "Beta({a}, {b}) falls at {i}");
                last = x;
            }
        }
    }

    #[test]
    fn refuses_shapes_it_does_not_handle() {
        assert!(BetaQuantile::new(0.5, 2.0).is_none());
        assert!(BetaQuantile::new(2.0, f64::NAN).is_none());
        assert!(BetaQuantile::new(2.0, f64::INFINITY).is_none());
        let q = BetaQuantile::new(2.0, 3.0).expect("a valid shape");
        assert!(q.is(2.0, 3.0) && !q.is(3.0, 2.0));
        assert_eq!(q.at(0.0), 0.0);
        assert_eq!(q.at(1.0), 1.0);
        assert_eq!(q.at(f64::NAN), 0.0);
    }
}
