//! A census of the model's random draws: what each region-year draws, for
//! the benchmark that splits a region-year's cost into its draws
//! (`cargo bench --bench draws --features census`).
//!
//! Compiled in only with the `census` feature. Without it every hook is an
//! empty inline function and the hot path is unchanged; with it, each
//! binomial draw's (n, p) and each keyed stream's step are noted on the
//! thread that makes them (a thread-local buffer: no locks), between
//! [`start`] and [`take`] around a single-threaded run. Outside those the
//! census notes nothing, so that replaying the recorded draws through the
//! sampler times the sampler alone. The draws can then be
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
pub use active::{Census, start, take};

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
        /// This thread's census, while one is being taken.
        static CENSUS: RefCell<Option<Census>> = const { RefCell::new(None) };
    }

    pub fn binomial(n: u64, p: f64) {
        CENSUS.with_borrow_mut(|c| {
            if let Some(c) = c {
                c.binomials.push((n, p));
            }
        });
    }

    pub fn stream(purpose: u64) {
        // Parameter purposes have the top bit set (`streams::param_purpose`);
        // a step's purpose is (step << 16) | (stock << 8) | status.
        let step = if purpose >> 63 == 1 {
            0
        } else {
            ((purpose >> 16) as usize).min(31)
        };
        CENSUS.with_borrow_mut(|c| {
            if let Some(c) = c {
                c.streams[step] += 1;
            }
        });
    }

    /// Starts a census of this thread's draws (dropping any under way).
    pub fn start() {
        CENSUS.with_borrow_mut(|c| *c = Some(Census::default()));
    }

    /// This thread's census since [`start`], which ends it (empty if none
    /// was started).
    pub fn take() -> Census {
        CENSUS.with_borrow_mut(Option::take).unwrap_or_default()
    }
}

#[cfg(all(test, feature = "census"))]
mod tests {
    use super::*;
    use crate::model::draw::binomial as draw;
    use crate::model::streams::{Step, Streams, purpose};

    #[test]
    fn notes_the_draws_that_use_random_numbers_and_only_while_started() {
        let year = Streams::new(1, 2).region_year(0, 1);
        let mut rng = year.rng(purpose(Step::Attrition, 0, 0));
        draw(&mut rng, 10, 0.5);
        start();
        let mut rng = year.rng(purpose(Step::Attrition, 1, 0));
        draw(&mut rng, 10, 0.5);
        draw(&mut rng, 0, 0.5);
        draw(&mut rng, 10, 1.0);
        draw(&mut rng, 40, 0.25);
        let c = take();
        assert_eq!(c.binomials, vec![(10, 0.5), (40, 0.25)]);
        assert_eq!(c.streams[Step::Attrition as usize], 1);
        assert_eq!(c.streams.iter().sum::<u64>(), 1);
        draw(&mut rng, 10, 0.5);
        assert!(take().binomials.is_empty(), "noted after the census ended");
    }
}
