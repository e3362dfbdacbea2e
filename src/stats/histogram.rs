//! A histogram of non-negative integers with log-linear buckets, for the
//! quantiles of every metric, region and year of a run without keeping the
//! trajectories.
//!
//! Values below 16,384 have a bucket each (exact; shares are stored in
//! ten-thousandths, so they are always exact). Above, each power of two is
//! split into 1,024 buckets, so a bucket spans at most 1/1,024 of its value:
//! a quantile is reported to within 0.1% (the scheme of HdrHistogram with
//! three significant digits), and never outside the observed minimum and
//! maximum. Memory depends on the spread of a metric, never on the number of
//! trajectories.
//!
//! Counts are integers and the sum of values is an exact 128-bit integer, so
//! merging histograms in any order gives the same result: aggregation does
//! not depend on how rayon scheduled the trajectories.

use rustc_hash::FxHashMap;

const EXACT_BITS: u32 = 14; // values < 2^14 are exact
const SUB_BITS: u32 = 10; // 2^10 buckets per power of two above

/// The bucket of a value.
#[inline]
fn bucket(v: u64) -> u32 {
    if v < (1 << EXACT_BITS) {
        return v as u32;
    }
    let e = 63 - v.leading_zeros(); // ≥ EXACT_BITS
    let sub = ((v >> (e - SUB_BITS)) & ((1 << SUB_BITS) - 1)) as u32;
    (1 << EXACT_BITS) + (e - EXACT_BITS) * (1 << SUB_BITS) + sub
}

/// The smallest value in a bucket and the bucket's width.
#[inline]
fn bucket_range(b: u32) -> (u64, u64) {
    if b < (1 << EXACT_BITS) {
        return (u64::from(b), 1);
    }
    let rest = b - (1 << EXACT_BITS);
    let e = rest / (1 << SUB_BITS) + EXACT_BITS;
    let sub = u64::from(rest % (1 << SUB_BITS));
    let width = 1u64 << (e - SUB_BITS);
    (((1 << SUB_BITS) + sub) * width, width)
}

/// A histogram of fixed-point values.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    counts: FxHashMap<u32, u64>,
    n: u64,
    sum: u128,
    /// Sum of squares, for the standard deviation (saturating: a bound no
    /// metric of a real plan comes near).
    sum_sq: u128,
    min: u64,
    max: u64,
}

impl Histogram {
    /// Records a value.
    #[inline]
    pub fn record(&mut self, v: u64) {
        *self.counts.entry(bucket(v)).or_insert(0) += 1;
        self.min = if self.n == 0 { v } else { self.min.min(v) };
        self.max = self.max.max(v);
        self.n += 1;
        self.sum += u128::from(v);
        self.sum_sq = self.sum_sq.saturating_add(u128::from(v) * u128::from(v));
    }

    /// Records values given in ascending order, one map update per bucket
    /// run: the fast path for a block of trajectories.
    pub fn record_sorted(&mut self, sorted: &[u64]) {
        let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
            return;
        };
        self.min = if self.n == 0 { lo } else { self.min.min(lo) };
        self.max = self.max.max(hi);
        self.n += sorted.len() as u64;
        let mut i = 0;
        while i < sorted.len() {
            let b = bucket(sorted[i]);
            let mut j = i;
            while j < sorted.len() && bucket(sorted[j]) == b {
                self.sum += u128::from(sorted[j]);
                let x = u128::from(sorted[j]);
                self.sum_sq = self.sum_sq.saturating_add(x * x);
                j += 1;
            }
            *self.counts.entry(b).or_insert(0) += (j - i) as u64;
            i = j;
        }
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Histogram) {
        for (&b, &c) in &other.counts {
            *self.counts.entry(b).or_insert(0) += c;
        }
        if other.n > 0 {
            self.min = if self.n == 0 {
                other.min
            } else {
                self.min.min(other.min)
            };
            self.max = self.max.max(other.max);
        }
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq = self.sum_sq.saturating_add(other.sum_sq);
    }

    /// Values recorded.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The exact mean of the recorded values.
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        self.sum as f64 / self.n as f64
    }

    /// The sample standard deviation of the recorded values (exact sums;
    /// 0 for fewer than two values).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        let mean = self.sum as f64 / n;
        let var = (self.sum_sq as f64 - mean * self.sum as f64) / (n - 1.0);
        var.max(0.0).sqrt()
    }

    /// Quantiles at probabilities `ps` (ascending), with the same definition
    /// as [`super::quantile_sorted`] (the lower of the two middle values, i.e.
    /// the ⌈p·n⌉-th smallest), read at the bucket's middle.
    pub fn quantiles(&self, ps: &[f64]) -> Vec<f64> {
        if self.n == 0 {
            return vec![f64::NAN; ps.len()];
        }
        let mut buckets: Vec<(u32, u64)> = self.counts.iter().map(|(&b, &c)| (b, c)).collect();
        buckets.sort_unstable_by_key(|&(b, _)| b);
        ps.iter()
            .map(|&p| {
                let rank = super::rank(p, self.n);
                let mut seen = 0;
                for &(b, c) in &buckets {
                    seen += c;
                    if seen >= rank {
                        let (lo, w) = bucket_range(b);
                        let mid = lo as f64 + (w - 1) as f64 / 2.0;
                        return mid.clamp(self.min as f64, self.max as f64);
                    }
                }
                f64::NAN
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_once() {
        for v in (0..20000u64).chain([1 << 20, (1 << 20) + 1023, u64::MAX / 3]) {
            let (lo, w) = bucket_range(bucket(v));
            assert!(lo <= v && v < lo + w, "{v}: [{lo}, {})", lo + w);
            assert!(w == 1 || (w as f64) / (lo as f64) <= 1.0 / 1024.0);
        }
        assert!(bucket(16383) < bucket(16384));
    }

    #[test]
    fn exact_for_small_values_and_order_free() {
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        for v in 0..100u64 {
            if v % 2 == 0 { a.record(v) } else { b.record(v) }
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab.quantiles(&[0.05, 0.5, 0.95]), vec![4.0, 49.0, 94.0]);
        assert_eq!(ab.quantiles(&[0.5]), ba.quantiles(&[0.5]));
        assert_eq!(ab.mean(), 49.5);
        // The sample sd of 0..99 is √(100·101/12) = 29.0115…, exactly, merged or not.
        assert!((ab.sd() - (100.0f64 * 101.0 / 12.0).sqrt()).abs() < 1e-9);
        assert_eq!(ab.sd(), ba.sd());
    }

    #[test]
    fn sorted_blocks_equal_single_records() {
        let mut vals: Vec<u64> = (0..500u64)
            .map(|i| (i * 7919) % 40_000 + (i % 3) * 1_000_000)
            .collect();
        let mut one = Histogram::default();
        for &v in &vals {
            one.record(v);
        }
        vals.sort_unstable();
        let mut block = Histogram::default();
        block.record_sorted(&vals[..200]);
        block.record_sorted(&vals[200..]);
        let ps = [0.0, 0.05, 0.5, 0.95, 1.0];
        assert_eq!(one.quantiles(&ps), block.quantiles(&ps));
        assert_eq!(
            (one.n, one.sum, one.sum_sq, one.min, one.max),
            (block.n, block.sum, block.sum_sq, block.min, block.max)
        );
    }

    #[test]
    fn large_values_within_a_thousandth() {
        let mut h = Histogram::default();
        for v in 0..1001u64 {
            h.record(1_000_000 + v * 37);
        }
        let q = h.quantiles(&[0.5])[0];
        assert_eq!(h.quantiles(&[1.0])[0], 1_000_000.0 + 1000.0 * 37.0);
        let exact = 1_000_000.0 + 500.0 * 37.0;
        assert!((q - exact).abs() / exact < 1e-3, "{q} vs {exact}");
    }
}
