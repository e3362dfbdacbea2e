//! A census of the model's random draws: what each region-year draws, for
//! the benchmark that splits a region-year's cost into its draws
//! (`cargo bench --bench draws --features census`).
//!
//! Compiled in only with the `census` feature. Without it every hook is an
//! empty inline function and the hot path is unchanged; with it, each
//! binomial draw's (n, p) and each keyed stream's step are noted on the
//! thread that makes them (a thread-local buffer: no locks), to be taken
//! with [`take`] after a single-threaded run. The draws can then be
//! replayed through the same sampler, so that the cost of a draw is
//! measured on the model's own mix of sizes and probabilities rather than
//! on a guess at it.

/// Notes a binomial draw that consumes random numbers (n > 0, 0 < p < 1).
#[inline(always)]
pub fn binomial(n: u64, p: f64) {
    #[cfg(feature = "census")]
    active::binomial(n, p);
    #[cfg(not(feature = "census"))]
    let _ = (n, p);
}

/// Notes a keyed stream made for `purpose` (`streams::RegionYear::rng`).
#[inline(always)]
pub fn stream(purpose: u64) {
    #[cfg(feature = "census")]
    active::stream(purpose);
    #[cfg(not(feature = "census"))]
    let _ = purpose;
}

#[cfg(feature = "census")]
pub use active::{Census, take};

#[cfg(feature = "census")]
mod active {
    use std::cell::RefCell;

    /// What one thread drew since the last [`take`].
    #[derive(Debug, Clone, Default)]
    pub struct Census {
        /// Every binomial draw that consumed random numbers, in order.
        pub binomials: Vec<(u64, f64)>,
        /// Streams made, by the step of the year that made them
        /// (`streams::Step` as an index; 0 for a parameter's stream).
        pub streams: [u64; 32],
    }

    thread_local! {
        static CENSUS: RefCell<Census> = RefCell::new(Census::default());
    }

    pub fn binomial(n: u64, p: f64) {
        CENSUS.with_borrow_mut(|c| c.binomials.push((n, p)));
    }

    pub fn stream(purpose: u64) {
        // Parameter purposes have the top bit set (`streams::param_purpose`);
        // a step's purpose is (step << 16) | (stock << 8) | status.
        let step = if purpose >> 63 == 1 {
            0
        } else {
            ((purpose >> 16) as usize).min(31)
        };
        CENSUS.with_borrow_mut(|c| c.streams[step] += 1);
    }

    /// This thread's census since the last call, which starts a new one.
    pub fn take() -> Census {
        CENSUS.with_borrow_mut(std::mem::take)
    }
}
