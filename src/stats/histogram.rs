//! A histogram of whole numbers with log-linear buckets, for the quantiles
//! of every metric, region and year of a run without keeping the
//! trajectories.
//!
//! Magnitudes below 1,024 have a bucket each (exact). Above, each power of
//! two is split into 1,024 buckets, so a bucket spans at most 1/1,024 of its
//! value: a quantile is reported to within 0.1% (the scheme of HdrHistogram
//! with three significant digits), and never outside the observed minimum
//! and maximum. (Until 0.1.0's issue 11/14 round, magnitudes below 16,384
//! were exact too; a bucket per unit there made a metric that spreads over
//! 5,000–15,000 people hold 10,000 buckets instead of 1,600, and the memory
//! of a run grow as a larger run filled them in.) Negative values (what was
//! *added* since the start can be a loss) are bucketed by magnitude on their
//! own side.
//!
//! The buckets are held densely, in pages of 32 allocated as values land in
//! them: recording is two indexes and an add, with no hashing and no
//! sorting.
//!
//! A histogram may be given a memory limit. When its pages would take more,
//! it halves its buckets above 1,024 (0.1% → 0.2% → … → 3.1% wide, at
//! most five times), so that a run's memory is bounded by the number of its
//! cells and not by how many trajectories spread a metric over many powers
//! of two (a hundred-year horizon took 2 GB at 500 trajectories and grew
//! with every one). The coarsening is a function of the values recorded,
//! not of their order: the footprint that triggers it can only grow as
//! values are added and only shrink as buckets are halved, so a histogram
//! ends at the fewest halvings at which all its values fit, whichever
//! thread or machine counted which values (see
//! `coarsening_does_not_depend_on_the_order_or_split`).
//!
//! Counts are integers and the sum of values is an exact 128-bit integer, so
//! merging histograms in any order gives the same result: aggregation does
//! not depend on how the trajectories were scheduled or sharded.

use serde::{Deserialize, Serialize};

const EXACT_BITS: u32 = 10; // magnitudes < 2^10 are exact
const SUB_BITS: u32 = 10; // 2^10 buckets per power of two above

/// Halvings a histogram may make to fit its limit: at five, a power of two
/// has 32 buckets (3.1% wide), exactly one page, so that every halving
/// maps each page into one page and the footprint can only shrink.
pub const MAX_SHIFT: u32 = SUB_BITS - PAGE_BITS;

/// The bucket of a magnitude, with the buckets above 1,024 halved `shift`
/// times.
#[inline]
fn bucket(v: u64, shift: u32) -> u32 {
    if v < (1 << EXACT_BITS) {
        return v as u32;
    }
    let e = 63 - v.leading_zeros(); // ≥ EXACT_BITS
    let sub = ((v >> (e - SUB_BITS)) & ((1 << SUB_BITS) - 1)) as u32;
    (1 << EXACT_BITS) + (e - EXACT_BITS) * (1 << (SUB_BITS - shift)) + (sub >> shift)
}

/// The smallest magnitude in a bucket and the bucket's width.
#[inline]
fn bucket_range(b: u32, shift: u32) -> (u64, u64) {
    if b < (1 << EXACT_BITS) {
        return (u64::from(b), 1);
    }
    let per = 1u32 << (SUB_BITS - shift);
    let rest = b - (1 << EXACT_BITS);
    let e = rest / per + EXACT_BITS;
    let sub = u64::from(rest % per);
    let width = 1u64 << (e - SUB_BITS + shift);
    ((u64::from(per) + sub) * width, width)
}

/// The bucket that bucket `b` (at `shift`) falls in once halved again.
#[inline]
fn halved(b: u32, shift: u32) -> u32 {
    if b < (1 << EXACT_BITS) {
        return b;
    }
    let per = 1u32 << (SUB_BITS - shift);
    let rest = b - (1 << EXACT_BITS);
    (1 << EXACT_BITS) + (rest / per) * (per / 2) + (rest % per) / 2
}

/// Buckets a page holds.
const PAGE_BITS: u32 = 5;
const PAGE: usize = 1 << PAGE_BITS;

/// Bucket counts in pages of [`PAGE`] consecutive buckets, allocated when
/// first used, over the run of pages from `lo` to the highest seen: a metric
/// that is 0 in some trajectories and 10⁸ in others holds two or three pages,
/// not every bucket between.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Vec<(u32, u64)>", from = "Vec<(u32, u64)>")]
struct Dense {
    lo: u32,
    /// 32-bit counters: a run holds at most `u32::MAX` trajectories (the
    /// runner refuses more), so no bucket can count past it; half the
    /// memory of 64-bit ones.
    pages: Vec<Option<Box<[u32; PAGE]>>>,
    /// Pages allocated.
    used: u32,
}

impl Dense {
    /// Adds `c` to bucket `b`.
    #[inline]
    fn add(&mut self, b: u32, c: u64) {
        let page = b >> PAGE_BITS;
        let slot = (b as usize) & (PAGE - 1);
        if let Some(Some(p)) = page
            .checked_sub(self.lo)
            .and_then(|i| self.pages.get_mut(i as usize))
        {
            p[slot] = p[slot].saturating_add(c as u32);
        } else {
            let p = self.page_for(page);
            p[slot] = p[slot].saturating_add(c as u32);
        }
    }

    /// The page `page`, allocated (and the run widened) if need be.
    #[cold]
    fn page_for(&mut self, page: u32) -> &mut [u32; PAGE] {
        if self.pages.is_empty() {
            self.lo = page;
        } else if page < self.lo {
            let more = (self.lo - page) as usize;
            self.pages.splice(0..0, std::iter::repeat_n(None, more));
            self.lo = page;
        }
        let i = (page - self.lo) as usize;
        if i >= self.pages.len() {
            self.pages.resize(i + 1, None);
        }
        let slot = &mut self.pages[i];
        if slot.is_none() {
            self.used += 1;
        }
        slot.get_or_insert_with(|| Box::new([0; PAGE]))
    }

    /// What the limit is checked against: the pages held and the run of
    /// page slots between the lowest and the highest. Both depend only on
    /// which buckets are non-empty (not on the order they filled in, as the
    /// vector's capacity would), never fall as buckets fill, and never rise
    /// as buckets are halved.
    fn footprint(&self) -> usize {
        self.pages.len() * std::mem::size_of::<Option<Box<[u32; PAGE]>>>()
            + self.used as usize * PAGE * std::mem::size_of::<u32>()
    }

    /// The same counts with the buckets above 1,024 halved once more.
    fn halve(&self, shift: u32) -> Dense {
        let mut d = Dense::default();
        for (b, c) in self.iter() {
            d.add(halved(b, shift), c);
        }
        d
    }

    /// (bucket, count) of the non-empty buckets, ascending.
    fn iter(&self) -> impl DoubleEndedIterator<Item = (u32, u64)> + '_ {
        self.pages
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.as_ref().map(|p| (i, p)))
            .flat_map(move |(i, p)| {
                let first = (self.lo + i as u32) << PAGE_BITS;
                p.iter()
                    .enumerate()
                    .filter(|&(_, &c)| c > 0)
                    .map(move |(k, &c)| (first + k as u32, u64::from(c)))
            })
    }

    /// Adds `other`'s counts, its buckets halved from `from` to `to`.
    fn merge(&mut self, other: &Dense, from: u32, to: u32) {
        for (mut b, c) in other.iter() {
            for s in from..to {
                b = halved(b, s);
            }
            self.add(b, c);
        }
    }

    /// Bytes held.
    fn bytes(&self) -> usize {
        self.pages.capacity() * std::mem::size_of::<Option<Box<[u32; PAGE]>>>()
            + self.pages.iter().flatten().count() * PAGE * std::mem::size_of::<u32>()
    }
}

/// A partial result stores a histogram as its non-empty (bucket, count)
/// pairs: the pages are a layout for counting, not for keeping.
impl From<Dense> for Vec<(u32, u64)> {
    fn from(d: Dense) -> Self {
        d.iter().collect()
    }
}

impl From<Vec<(u32, u64)>> for Dense {
    fn from(v: Vec<(u32, u64)>) -> Self {
        let mut d = Dense::default();
        for (b, c) in v {
            d.add(b, c);
        }
        d
    }
}

/// A histogram of fixed-point values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Values ≥ 0, by bucket of the value.
    pos: Dense,
    /// Values < 0, by bucket of the magnitude.
    neg: Dense,
    n: u64,
    sum: i128,
    /// Sum of squares, for the standard deviation (saturating: a bound no
    /// metric of a real plan comes near).
    sum_sq: u128,
    min: i64,
    max: i64,
    /// Times the buckets above 1,024 have been halved to keep within
    /// `limit`.
    #[serde(default)]
    shift: u32,
    /// Bytes the bucket counts may take before they are halved (0: no
    /// limit).
    #[serde(default)]
    limit: u32,
}

impl Histogram {
    /// An empty histogram whose counts are kept within about `bytes` (see
    /// the module doc); 0 for no limit.
    pub fn with_limit(bytes: u32) -> Histogram {
        Histogram {
            limit: bytes,
            ..Histogram::default()
        }
    }

    /// Times the buckets above 1,024 were halved to fit the limit.
    pub fn shift(&self) -> u32 {
        self.shift
    }

    /// The widest bucket above 1,024 relative to its value: the most by
    /// which a quantile read from this histogram can be off (0.1%, doubled
    /// with each halving).
    pub fn relative_precision(&self) -> f64 {
        f64::from(1u32 << self.shift) / f64::from(1u32 << SUB_BITS)
    }

    /// Bytes the limit is checked against (the pages held and the page
    /// slots between the lowest and highest; [`Histogram::bytes`] adds the
    /// vectors' spare capacity).
    pub fn footprint(&self) -> usize {
        self.pos.footprint() + self.neg.footprint()
    }

    /// The limit the counts are kept within, in bytes (0: none).
    pub fn limit(&self) -> usize {
        self.limit as usize
    }

    /// Halves the buckets until the counts fit the limit (or may be halved
    /// no more).
    fn fit(&mut self) {
        while self.limit > 0 && self.shift < MAX_SHIFT && self.footprint() > self.limit as usize {
            self.halve();
        }
    }

    /// Halves the buckets above 1,024 once more.
    fn halve(&mut self) {
        self.pos = self.pos.halve(self.shift);
        self.neg = self.neg.halve(self.shift);
        self.shift += 1;
    }

    /// Records a value.
    #[inline]
    pub fn record(&mut self, v: i64) {
        self.record_all(std::slice::from_ref(&v));
    }

    /// Adds `k` to the bucket of `v` (at `shift`), on its sign's side.
    #[inline]
    fn tally(&mut self, v: i64, k: u64, shift: u32) {
        if v >= 0 {
            self.pos.add(bucket(v as u64, shift), k);
        } else {
            self.neg.add(bucket(v.unsigned_abs(), shift), k);
        }
    }

    /// Records several values, with the running totals kept in registers
    /// (the runner adds a block's values of a cell at once).
    pub fn record_all(&mut self, vs: &[i64]) {
        let Some(&v0) = vs.first() else {
            return;
        };
        let (mut lo, mut hi) = if self.n == 0 {
            (v0, v0)
        } else {
            (self.min, self.max)
        };
        let (mut sum, mut sum_sq) = (0i128, 0u128);
        let shift = self.shift;
        // Many cells hold one value in every trajectory (a metric a region
        // does not use, a fixed count): one bucket update for the block.
        if vs.iter().all(|&v| v == v0) {
            let k = vs.len() as u64;
            self.tally(v0, k, shift);
            (lo, hi) = (lo.min(v0), hi.max(v0));
            sum = i128::from(v0) * i128::from(k);
            let m = u128::from(v0.unsigned_abs());
            sum_sq = (m * m).saturating_mul(u128::from(k));
        } else {
            for &v in vs {
                self.tally(v, 1, shift);
                lo = lo.min(v);
                hi = hi.max(v);
                sum += i128::from(v);
                let m = u128::from(v.unsigned_abs());
                sum_sq = sum_sq.saturating_add(m * m);
            }
        }
        (self.min, self.max) = (lo, hi);
        self.n += vs.len() as u64;
        self.sum += sum;
        self.sum_sq = self.sum_sq.saturating_add(sum_sq);
        self.fit();
    }

    /// Adds another histogram's counts (the two have the same limit: the
    /// same cell of the same scenario).
    pub fn merge(&mut self, other: &Histogram) {
        while self.shift < other.shift {
            self.halve();
        }
        self.pos.merge(&other.pos, other.shift, self.shift);
        self.neg.merge(&other.neg, other.shift, self.shift);
        if other.n > 0 {
            if self.n == 0 {
                (self.min, self.max) = (other.min, other.max);
            } else {
                self.min = self.min.min(other.min);
                self.max = self.max.max(other.max);
            }
        }
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq = self.sum_sq.saturating_add(other.sum_sq);
        self.fit();
    }

    /// Values recorded.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The exact sum of the recorded values.
    pub fn sum(&self) -> i128 {
        self.sum
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

    /// Memory held by the bucket counts, in bytes (for the memory benchmark).
    pub fn bytes(&self) -> usize {
        self.pos.bytes() + self.neg.bytes()
    }

    /// Quantiles at probabilities `ps` (ascending), with the same definition
    /// as [`super::quantile_sorted`] (the lower of the two middle values, i.e.
    /// the ⌈p·n⌉-th smallest), read at the bucket's middle.
    pub fn quantiles(&self, ps: &[f64]) -> Vec<f64> {
        if self.n == 0 {
            return vec![f64::NAN; ps.len()];
        }
        // Buckets in ascending order of value: the negatives from the
        // largest magnitude down, then the rest.
        let ascending = self
            .neg
            .iter()
            .rev()
            .map(|(b, c)| {
                let (lo, w) = bucket_range(b, self.shift);
                (-((lo + (w - 1)) as f64) + (w - 1) as f64 / 2.0, c)
            })
            .chain(self.pos.iter().map(|(b, c)| {
                let (lo, w) = bucket_range(b, self.shift);
                (lo as f64 + (w - 1) as f64 / 2.0, c)
            }));
        let mut out = Vec::with_capacity(ps.len());
        let mut seen = 0;
        let mut it = ascending;
        let mut current: Option<(f64, u64)> = None;
        for &p in ps {
            let rank = super::rank(p, self.n);
            let value = loop {
                if let Some((mid, _)) = current.filter(|_| seen >= rank) {
                    break mid;
                }
                match it.next() {
                    Some((mid, c)) => {
                        seen += c;
                        current = Some((mid, c));
                    }
                    None => break f64::NAN,
                }
            };
            out.push(value.clamp(self.min as f64, self.max as f64));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_once() {
        for shift in 0..=MAX_SHIFT {
            let values = (0..20000u64).chain([1 << 20, (1 << 20) + 1023, u64::MAX / 3, u64::MAX]);
            for v in values {
                let b = bucket(v, shift);
                let (lo, w) = bucket_range(b, shift);
                assert!(lo <= v && v - lo < w, "{v} at {shift}: [{lo}, +{w})");
                let precision = f64::from(1u32 << shift) / 1024.0;
                assert!(w == 1 || (w as f64) / (lo as f64) <= precision);
                // Halving a bucket gives the bucket of its values one level up.
                if shift < MAX_SHIFT {
                    assert_eq!(halved(b, shift), bucket(v, shift + 1), "{v} at {shift}");
                }
            }
            assert!(bucket(1023, shift) < bucket(1024, shift));
        }
        assert!(bucket(1024, 0) < bucket(1025, 0));
        assert_eq!(bucket(16_384, 0), bucket(16_385, 0), "two units wide there");
    }

    /// A metric spread over many powers of two, as over a long horizon.
    fn spread(i: i64) -> i64 {
        let x = (i * 7919) % 10_007;
        (1000 + x * x * x / 10) * if i % 5 == 0 { -1 } else { 1 }
    }

    #[test]
    fn a_limited_histogram_keeps_within_its_limit_and_its_precision() {
        let vals: Vec<i64> = (0..4000).map(spread).collect();
        let mut free = Histogram::default();
        let mut held = Histogram::with_limit(4096);
        free.record_all(&vals);
        held.record_all(&vals);
        assert_eq!(free.shift(), 0);
        assert!(free.bytes() > 40_000, "the case must need halving");
        assert!(held.shift() > 0 && held.shift() <= MAX_SHIFT);
        let footprint = held.footprint();
        assert!(
            footprint <= 4096 || held.shift() == MAX_SHIFT,
            "{footprint}"
        );
        let mut sorted: Vec<f64> = vals.iter().map(|&v| v as f64).collect();
        sorted.sort_by(f64::total_cmp);
        let ps = [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0];
        for (&p, q) in ps.iter().zip(held.quantiles(&ps)) {
            let exact = crate::stats::quantile_sorted(&sorted, p);
            let tol = exact.abs() * held.relative_precision() / 2.0 + 0.5;
            assert!((q - exact).abs() <= tol, "p {p}: {q} vs {exact} ± {tol}");
        }
        assert_eq!(
            (held.mean(), held.sd()),
            (free.mean(), free.sd()),
            "sums stay exact"
        );
    }

    #[test]
    fn a_block_of_one_value_records_as_its_values_one_by_one() {
        // The one-bucket path for a block of equal values: the same
        // histogram as recording each value, negative, zero, large and on
        // top of earlier values alike.
        for v in [0i64, 7, -3, 5_000_000, i64::MIN + 1] {
            let mut block = Histogram::with_limit(16_000);
            let mut one_by_one = Histogram::with_limit(16_000);
            block.record_all(&[11, -2]);
            one_by_one.record_all(&[11, -2]);
            block.record_all(&[v; 64]);
            (0..64).for_each(|_| one_by_one.record(v));
            assert_eq!(block, one_by_one, "{v}");
        }
    }

    #[test]
    fn coarsening_does_not_depend_on_the_order_or_split() {
        let vals: Vec<i64> = (0..3000).map(spread).collect();
        let mut whole = Histogram::with_limit(16_000);
        whole.record_all(&vals);
        assert!(
            whole.shift() > 0 && whole.shift() < MAX_SHIFT,
            "{}",
            whole.shift()
        );
        // In blocks of 64, one value at a time, reversed, and split in
        // three uneven parts merged in two orders: the same histogram.
        let mut blocks = Histogram::with_limit(16_000);
        vals.chunks(64).for_each(|c| blocks.record_all(c));
        let mut reversed = Histogram::with_limit(16_000);
        vals.iter().rev().for_each(|&v| reversed.record(v));
        let parts: Vec<Histogram> = [&vals[..12], &vals[12..2500], &vals[2500..]]
            .iter()
            .map(|p| {
                let mut h = Histogram::with_limit(16_000);
                h.record_all(p);
                h
            })
            .collect();
        assert_ne!(
            parts[0].shift(),
            parts[1].shift(),
            "parts halved differently"
        );
        let mut a = parts[0].clone();
        a.merge(&parts[1]);
        a.merge(&parts[2]);
        let mut b = parts[2].clone();
        b.merge(&parts[0]);
        b.merge(&parts[1]);
        for h in [&blocks, &reversed, &a, &b] {
            assert_eq!(h, &whole);
        }
    }

    #[test]
    fn exact_for_small_values_and_order_free() {
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        for v in 0..100i64 {
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
    fn negative_values_sort_below_the_rest() {
        // −500..=499: quantiles as of the sorted values, merged in any order.
        let vals: Vec<i64> = (0..1000i64).map(|i| (i * 7919) % 1000 - 500).collect();
        let (mut a, mut b) = (Histogram::default(), Histogram::default());
        for (i, &v) in vals.iter().enumerate() {
            if i % 3 == 0 { a.record(v) } else { b.record(v) }
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        let mut sorted: Vec<f64> = vals.iter().map(|&v| v as f64).collect();
        sorted.sort_by(f64::total_cmp);
        let ps = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0];
        let exact: Vec<f64> = ps
            .iter()
            .map(|&p| crate::stats::quantile_sorted(&sorted, p))
            .collect();
        assert_eq!(ab.quantiles(&ps), exact);
        assert_eq!(ab.mean(), -0.5);
    }

    #[test]
    fn large_negative_values_within_a_thousandth() {
        let mut h = Histogram::default();
        for v in 0..1001i64 {
            h.record(-1_000_000 - v * 37);
        }
        let exact = -(1_000_000.0 + 500.0 * 37.0);
        let q = h.quantiles(&[0.5])[0];
        assert!((q - exact).abs() / -exact < 1e-3, "{q} vs {exact}");
        assert_eq!(h.quantiles(&[0.0])[0], -1_000_000.0 - 1000.0 * 37.0);
    }

    #[test]
    fn recording_all_at_once_equals_one_by_one() {
        let vals: Vec<i64> = (0..700i64).map(|i| (i * 7919) % 90_000 - 3_000).collect();
        let mut one = Histogram::default();
        vals.iter().for_each(|&v| one.record(v));
        let mut all = Histogram::default();
        all.record_all(&vals[..300]);
        all.record_all(&[]);
        all.record_all(&vals[300..]);
        assert_eq!(one, all);
    }

    #[test]
    fn large_values_within_a_thousandth() {
        let mut h = Histogram::default();
        for v in 0..1001i64 {
            h.record(1_000_000 + v * 37);
        }
        let q = h.quantiles(&[0.5])[0];
        assert_eq!(h.quantiles(&[1.0])[0], 1_000_000.0 + 1000.0 * 37.0);
        let exact = 1_000_000.0 + 500.0 * 37.0;
        assert!((q - exact).abs() / exact < 1e-3, "{q} vs {exact}");
    }
}
