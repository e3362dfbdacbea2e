//! Keyed random streams: where a run's seed turns into random numbers.
//!
//! Every draw of the model comes from a generator seeded by the key
//! (seed, trajectory, region, year, purpose), as in rand's
//! `rayon-monte-carlo` example: no generator is shared between trajectories
//! or threads, so results are identical at any thread count and any chunking.
//!
//! Purposes are fine-grained — a step of the year, a stock and a post status
//! — so that two scenarios differing only in a lever draw the *same* numbers
//! for everything the lever does not touch (common random numbers): a
//! different number of registrants this year does not shift the stream from
//! which attrition is drawn. Parameters get a purpose from their field path,
//! so adding a parameter to a file does not shift the others.
//!
//! The generator is PCG64-MCG (rand_pcg), whose output is fixed by its
//! definition; the key is mixed with SplitMix64's finaliser (Steele, Lea &
//! Flood 2014), which turns nearby keys into unrelated states.

use rand_pcg::Pcg64Mcg;

/// The generator type used throughout the model.
pub type ModelRng = Pcg64Mcg;

/// Region index used for draws that concern the whole scenario.
pub const ALL_REGIONS: u32 = u32::MAX;

/// SplitMix64's output function: a bijective 64-bit mixer.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The streams of one trajectory.
#[derive(Debug, Clone, Copy)]
pub struct Streams {
    key: u64,
    /// The key of every draw after the start (year ≥ 1): year-to-year
    /// chance. The same as `key` in a run; different in a twin.
    chance: u64,
}

impl Streams {
    /// Streams of trajectory `trajectory` of a run with `seed`.
    pub fn new(seed: u64, trajectory: u64) -> Streams {
        let key = mix(mix(seed) ^ trajectory.wrapping_mul(0xD1B5_4A32_D192_ED03));
        Streams { key, chance: key }
    }

    /// The twin of trajectory `trajectory`: the same per-trajectory draws
    /// (every unknown, drawn at year 0) and fresh year-to-year chance. Pairs
    /// of a trajectory and its twin split a result's spread into what the
    /// unknowns make and what chance makes (`engine::runner`).
    pub fn twin(seed: u64, trajectory: u64) -> Streams {
        let s = Streams::new(seed, trajectory);
        Streams {
            key: s.key,
            chance: mix(s.key ^ 0x7477_696E_7477_696E),
        }
    }

    /// Streams of the `i`-th reference draw of a run's unknowns: a family
    /// apart from every trajectory's, so that a statistic fixed before the
    /// run (a sensitivity analysis's deciles of each unknown) is the same on
    /// every machine that runs part of it.
    pub fn reference(seed: u64, i: u64) -> Streams {
        Streams::new(mix(seed ^ 0x7265_6665_7265_6E63), i)
    }

    /// A fresh generator for one (region, year, purpose). `year` is the
    /// index in the projection (0 for per-trajectory draws).
    #[inline]
    pub fn rng(&self, region: u32, year: u32, purpose: u64) -> ModelRng {
        self.region_year(region, year).rng(purpose)
    }

    /// The streams of one (region, year): the first of the key's three
    /// mixes, done once for the region-year's fifty-odd draws.
    #[inline]
    pub fn region_year(&self, region: u32, year: u32) -> RegionYear {
        let key = if year == 0 { self.key } else { self.chance };
        RegionYear(mix(key ^ ((u64::from(region) << 32) | u64::from(year))))
    }
}

/// The streams of one (region, year) of a trajectory ([`Streams::region_year`]).
#[derive(Debug, Clone, Copy)]
pub struct RegionYear(u64);

impl RegionYear {
    /// A fresh generator for one purpose: the same as [`Streams::rng`]'s.
    #[inline]
    pub fn rng(self, purpose: u64) -> ModelRng {
        super::census::stream(purpose);
        let b = mix(self.0 ^ purpose.wrapping_mul(0xA24B_AED4_963E_E407));
        let c = mix(b ^ 0x6A09_E667_F3BC_C909);
        ModelRng::new((u128::from(b) << 64) | u128::from(c))
    }
}

/// The purpose of a parameter's stream, from its field path (FNV-1a).
pub fn param_purpose(path: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    // Parameter purposes live above the model's step purposes.
    h | (1 << 63)
}

/// A step of the year that draws random numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Step {
    Funding = 1,
    Training = 2,
    JuniorRegistration = 3,
    JuniorPasses = 4,
    IntermediateRegistration = 5,
    IntermediatePasses = 6,
    Outside = 7,
    Promotion = 8,
    Quota = 9,
    OrgBirths = 10,
    OrgClosures = 11,
    Attrition = 12,
    Supervisors = 13,
    Entry = 14,
    Coverage = 15,
    Transfer = 16,
    PassRates = 17,
    ExamDemand = 18,
}

impl Step {
    /// Every step, in the order of their numbers.
    pub const ALL: [Step; 18] = [
        Step::Funding,
        Step::Training,
        Step::JuniorRegistration,
        Step::JuniorPasses,
        Step::IntermediateRegistration,
        Step::IntermediatePasses,
        Step::Outside,
        Step::Promotion,
        Step::Quota,
        Step::OrgBirths,
        Step::OrgClosures,
        Step::Attrition,
        Step::Supervisors,
        Step::Entry,
        Step::Coverage,
        Step::Transfer,
        Step::PassRates,
        Step::ExamDemand,
    ];

    /// The step a stream's purpose was made for by [`purpose`]; `None` for
    /// a parameter's ([`param_purpose`]). The inverse of the two encodings,
    /// kept beside them (for the draw census).
    pub fn of(purpose: u64) -> Option<Step> {
        if purpose >> 63 == 1 {
            return None;
        }
        let number = purpose >> 16;
        Step::ALL.into_iter().find(|&s| s as u64 == number)
    }
}

/// The purpose of a step's draw for one stock (index) and post status.
#[inline]
pub fn purpose(step: Step, stock: usize, status: usize) -> u64 {
    ((step as u64) << 16) | ((stock as u64) << 8) | status as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn keys_give_distinct_streams() {
        let s = Streams::new(7, 0);
        let mut seen = std::collections::HashSet::new();
        for r in 0..4 {
            for y in 0..4 {
                for p in 0..4 {
                    assert!(seen.insert(s.rng(r, y, p).next_u64()));
                }
            }
        }
        assert_ne!(
            Streams::new(7, 1).rng(0, 0, 0).next_u64(),
            s.rng(0, 0, 0).next_u64()
        );
        assert_ne!(
            Streams::new(8, 0).rng(0, 0, 0).next_u64(),
            s.rng(0, 0, 0).next_u64()
        );
    }

    #[test]
    fn value_stability_of_streams() {
        // Pins the derivation: changing it changes every published result.
        let v = Streams::new(2012, 3)
            .rng(1, 2, purpose(Step::Attrition, 4, 1))
            .next_u64();
        assert_eq!(v, PINNED_DRAW);
        assert_eq!(
            param_purpose("parameters.exam.junior_pass_rate"),
            PINNED_PURPOSE
        );
    }

    #[test]
    fn a_purpose_tells_its_step() {
        for (i, &step) in Step::ALL.iter().enumerate() {
            assert_eq!(step as usize, i + 1, "Step::ALL is in the steps' order");
            assert_eq!(Step::of(purpose(step, 5, 3)), Some(step));
        }
        assert_eq!(
            Step::of(param_purpose("parameters.exam.junior_pass_rate")),
            None
        );
    }

    const PINNED_DRAW: u64 = 3758120435992125624;
    const PINNED_PURPOSE: u64 = 9805239904295131914;
}
