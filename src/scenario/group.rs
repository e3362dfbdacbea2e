//! Parameter groups: one macro defines, for a table of the scenario file,
//! the raw serde struct (every field optional, unknown keys refused) and the
//! typed group `G<T>` used twice: `G<Param>` as written, `G<f64>` as drawn
//! for one trajectory. The field list also drives validation (each field has
//! a [`Kind`]) and the random-stream key of each parameter (its path).

use super::param::Param;

/// What values a parameter may take; validation checks a parameter's whole
/// support against it, so a Normal without bounds is refused for a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A probability or share, in [0, 1].
    Probability,
    /// A count of people, places or things per year (≥ 0); rounded when used.
    Count,
    /// Money in yuan (≥ 0).
    Money,
    /// Any non-negative quantity.
    NonNegative,
    /// A strictly positive quantity (odds ratios, unit costs).
    Positive,
    /// Any finite number.
    Real,
    /// A yearly growth rate: above −100% (a rate of −1 or less would make
    /// costs and counts negative), at most +1000%.
    Growth,
    /// A calendar year.
    Year,
    /// The spread (sd) of a yearly growth rate: at most 100 points.
    Spread,
}

/// The largest count a file may give or the model may hold: 10¹² people,
/// places or organisations — a thousand times China's population, so no
/// real plan comes near it, and far below where a u64 or an f64's integers
/// lose exactness (2⁵³ ≈ 9·10¹⁵).
pub const MAX_COUNT: f64 = 1e12;
/// The largest amount of money, in yuan: 10¹⁵ (about ten times China's
/// yearly GDP), exact in an f64 to the yuan.
pub const MAX_MONEY: f64 = 1e15;
/// Share of a distribution beyond which an unbounded upper tail is not
/// held to a kind's maximum (the model saturates such draws).
const TAIL: f64 = 1e-6;

impl Kind {
    /// Says what is expected, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            Kind::Probability => "a probability between 0 and 1",
            Kind::Count => "a count ≥ 0 and at most 10¹² (a trillion: more than any plan holds)",
            Kind::Money => "an amount of money ≥ 0 (yuan) and at most 10¹⁵",
            Kind::NonNegative => "a number ≥ 0 and at most 10¹²",
            Kind::Positive => "a number > 0 and at most 10¹⁵",
            Kind::Real => "a finite number",
            Kind::Growth => "a yearly growth rate above −1 (−100%) and at most 10 (+1000%)",
            Kind::Year => "a calendar year between 1900 and 2200",
            Kind::Spread => "a spread of a yearly rate between 0 and 1 (100 points)",
        }
    }

    /// The part of a distribution held to the kind's maximum: its whole
    /// support, except that an unbounded upper tail of a count, an amount or
    /// a factor is cut at its 1 − 10⁻⁶ quantile (the model saturates the rest).
    pub fn checked_range(self, dist: &crate::scenario::Dist) -> (f64, f64) {
        let (lo, hi) = dist.support();
        let open_above = matches!(
            self,
            Kind::Count | Kind::Money | Kind::NonNegative | Kind::Positive
        );
        if hi.is_infinite() && open_above {
            (lo, dist.quantile(1.0 - TAIL).unwrap_or(hi))
        } else {
            (lo, hi)
        }
    }

    /// Whether every value in [lo, hi] is allowed.
    pub fn admits(self, lo: f64, hi: f64) -> bool {
        if lo.is_nan() || hi.is_nan() {
            return false;
        }
        match self {
            Kind::Probability => lo >= 0.0 && hi <= 1.0,
            Kind::Count | Kind::NonNegative => lo >= 0.0 && hi <= MAX_COUNT,
            Kind::Money => lo >= 0.0 && hi <= MAX_MONEY,
            Kind::Positive => lo > 0.0 && hi <= MAX_MONEY,
            Kind::Real => lo > f64::NEG_INFINITY && hi < f64::INFINITY,
            Kind::Growth => lo > -1.0 && hi <= 10.0,
            Kind::Year => lo >= 1900.0 && hi <= 2200.0,
            Kind::Spread => lo >= 0.0 && hi <= 1.0,
        }
    }
}

/// Defines a parameter group. Fields listed before `;` are [`Param`]s with a
/// default; fields after it are plain serde fields of the raw table.
macro_rules! param_group {
    (
        $(#[$meta:meta])*
        $name:ident, $raw:ident {
            $( $(#[$fmeta:meta])* $field:ident : $kind:ident = $default:expr ),* $(,)?
        }
        $( extra { $( $(#[$xmeta:meta])* $xfield:ident : $xty:ty ),* $(,)? } )?
    ) => {
        #[doc = concat!("The `", stringify!($name), "` table as written in the file.")]
        #[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $raw {
            $(
                $(#[$fmeta])*
                #[serde(default)]
                #[schemars(extend("default" = $default, "x-wfsim-kind" = stringify!($kind)))]
                pub $field: Option<$crate::scenario::param::Param>,
            )*
            $( $( $(#[$xmeta])* #[serde(default)] pub $xfield: $xty, )* )?
        }

        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        pub struct $name<T> {
            $( $(#[$fmeta])* pub $field: T, )*
        }

        impl $raw {
            /// The group with defaults filled in for absent fields.
            pub fn resolve(&self) -> $name<$crate::scenario::param::Param> {
                $name {
                    $( $field: self.$field.clone()
                        .unwrap_or($crate::scenario::param::Param::Fixed($default as f64)), )*
                }
            }
        }

        impl<T> $name<T> {
            /// Field names and kinds, in file order.
            pub const FIELDS: &'static [(&'static str, $crate::scenario::group::Kind)] =
                &[ $( (stringify!($field), $crate::scenario::group::Kind::$kind), )* ];

            /// Builds a group from this one field by field.
            pub fn map<U>(
                &self,
                mut f: impl FnMut(&'static str, $crate::scenario::group::Kind, &T) -> U,
            ) -> $name<U> {
                $name { $( $field: f(stringify!($field), $crate::scenario::group::Kind::$kind, &self.$field), )* }
            }

            /// Visits the fields of `self` mutably beside those of `other`.
            pub fn update_from<U>(
                &mut self,
                other: &$name<U>,
                mut f: impl FnMut(&'static str, &U, &mut T),
            ) {
                $( f(stringify!($field), &other.$field, &mut self.$field); )*
            }

            /// Visits each field with its name.
            pub fn each(&self, mut f: impl FnMut(&'static str, $crate::scenario::group::Kind, &T)) {
                $( f(stringify!($field), $crate::scenario::group::Kind::$kind, &self.$field); )*
            }
        }
    };
}

pub(crate) use param_group;

/// A group whose fields are all `Param`s, seen uniformly by validation and sampling.
pub trait ParamFields {
    /// Visits each parameter with its field name and kind.
    fn each_param(&self, f: &mut dyn FnMut(&'static str, Kind, &Param));
}

/// Implements [`ParamFields`] for groups of `Param`.
macro_rules! impl_param_fields {
    ($($name:ident),* $(,)?) => {
        $( impl $crate::scenario::group::ParamFields for $name<$crate::scenario::param::Param> {
            fn each_param(&self, f: &mut dyn FnMut(&'static str, $crate::scenario::group::Kind, &$crate::scenario::param::Param)) {
                self.each(|n, k, p| f(n, k, p));
            }
        } )*
    };
}

pub(crate) use impl_param_fields;
