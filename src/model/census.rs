//! A census of the model's random draws: what each region-year draws, for
//! the benchmark that splits a region-year's cost into its draws
//! (`cargo bench --bench draws --features census`).
//!
//! Compiled in only with the `census` feature. Without it every hook is an
//! empty inline function and the hot path is unchanged; with it, each
//! binomial draw's (n, p) and each keyed stream's step are noted on the
//! thread that makes them (a thread-local buffer: no locks), between
//! [`start`] and [`take`] around a single-threaded run. The recorded draws
//! can then be replayed through the same sampler, so that the cost of a
//! draw is measured on the model's own mix of sizes and probabilities
//! rather than on a guess at it; outside a census nothing is noted, so the
//! replay times the sampler alone.

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

    use crate::model::streams::Step;

    /// What one thread drew between [`start`] and [`take`].
    #[derive(Debug, Clone, Default)]
    pub struct Census {
        /// Every binomial draw that consumed random numbers, in order.
        pub binomials: Vec<(u64, f64)>,
        /// Streams made for the parameters (drawn once a trajectory, or
        /// once a year for per-year numbers).
        pub parameter_streams: u64,
        /// Streams made by each step of the year, in [`Step::ALL`]'s order.
        pub step_streams: [u64; Step::ALL.len()],
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
        CENSUS.with_borrow_mut(|c| {
            if let Some(c) = c {
                match Step::of(purpose) {
                    Some(step) => c.step_streams[step as usize - 1] += 1,
                    None => c.parameter_streams += 1,
                }
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
        assert_eq!(c.step_streams[Step::Attrition as usize - 1], 1);
        assert_eq!(c.step_streams.iter().sum::<u64>(), 1);
        assert_eq!(c.parameter_streams, 0);
        draw(&mut rng, 10, 0.5);
        assert!(take().binomials.is_empty(), "noted after the census ended");
    }
}
