//! The metrics a target or an output can name (MODEL.md, "Derived metrics").
//! Each is computed from a region-year tally summed over the target's scope,
//! so ratios over several regions are ratios of sums, never means of ratios.

use std::fmt;

/// How a metric's values are stored exactly as integers for aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// People, posts, places: whole numbers.
    Count,
    /// Yuan, rounded to the yuan.
    Yuan,
    /// A share in [0, 1], kept to ten-thousandths (0.01 percentage point).
    Share,
}

impl Unit {
    /// Fixed-point scale: stored integer = round(value × scale).
    pub fn scale(self) -> f64 {
        match self {
            Unit::Count | Unit::Yuan => 1.0,
            Unit::Share => 1e4,
        }
    }
}

macro_rules! metrics {
    ($( $(#[$m:meta])* $v:ident = $name:literal, $unit:ident; )*) => {
        /// A named quantity of the model.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Metric { $( $(#[$m])* $v, )* }

        impl Metric {
            /// Every metric, in output order.
            pub const ALL: &'static [Metric] = &[ $( Metric::$v, )* ];

            /// How many metrics there are.
            pub const COUNT: usize = Metric::ALL.len();

            /// `f` of every metric, in output order, each call with its
            /// metric written out: inlined, a `match` on the metric folds
            /// away, so one pass computes all of them without a dispatch per
            /// metric (the aggregation does this for every scope and year).
            #[inline(always)]
            pub fn each(f: impl Fn(Metric) -> f64) -> [f64; Metric::COUNT] {
                [ $( f(Metric::$v), )* ]
            }

            /// The name used in scenario files and outputs.
            pub fn name(self) -> &'static str {
                match self { $( Metric::$v => $name, )* }
            }

            /// How values are stored.
            pub fn unit(self) -> Unit {
                match self { $( Metric::$v => Unit::$unit, )* }
            }

            /// The metric with this name.
            pub fn from_name(s: &str) -> Option<Metric> {
                match s { $( $name => Some(Metric::$v), )* _ => None }
            }
        }
    };
}

metrics! {
    /// Practitioners without certificate or training.
    Uncertified = "uncertified", Count;
    Trained = "trained", Count;
    /// Uncertified SW graduates working in the field.
    Graduates = "graduates", Count;
    Junior = "junior", Count;
    Intermediate = "intermediate", Count;
    Senior = "senior", Count;
    Supervisors = "supervisors", Count;
    /// junior + intermediate + senior working in the field.
    Certified = "certified", Count;
    /// certified + trained + graduates (社会工作专业人才总量).
    Talent = "talent", Count;
    /// Every person in the field.
    Practitioners = "practitioners", Count;
    /// talent ÷ practitioners: the share of the field certified, trained or
    /// holding an SW degree ("all grassroots staff trained").
    TalentShare = "talent_share", Share;
    /// Intermediate plus those the scenario's equivalence rule counts.
    IntermediateOrEquivalent = "intermediate_or_equivalent", Count;
    SeniorOrEquivalent = "senior_or_equivalent", Count;
    /// Certificates ever issued to people of the place, all levels.
    CertificatesIssued = "certificates_issued", Count;
    CertificatesIssuedJunior = "certificates_issued_junior", Count;
    CertificatesIssuedIntermediate = "certificates_issued_intermediate", Count;
    CertificatesIssuedSenior = "certificates_issued_senior", Count;
    Posts = "posts", Count;
    PostsFilled = "posts_filled", Count;
    Vacancies = "vacancies", Count;
    /// Staff positions in bought-service projects.
    ProjectPositions = "project_positions", Count;
    /// Certified or SW-degree share of staff in bought-service projects.
    QualifiedShare = "qualified_share", Share;
    Orgs = "orgs", Count;
    Stations = "stations", Count;
    StationsStaffed = "stations_staffed", Count;
    /// Share of townships/streets with a staffed station.
    TownshipCoverage = "township_coverage", Share;
    /// Share of urban communities with at least `urban_min` certified workers.
    UrbanCoverage = "urban_coverage", Share;
    RuralCoverage = "rural_coverage", Share;
    Registrants = "registrants", Count;
    Passes = "passes", Count;
    Trainees = "trainees", Count;
    Leavers = "leavers", Count;
    Entrants = "entrants", Count;
    Promotions = "promotions", Count;
    SupervisorsTrained = "supervisors_trained", Count;
    OrgBirths = "org_births", Count;
    PostsCreated = "posts_created", Count;
    Budget = "budget", Yuan;
    Committed = "committed", Yuan;
    SpendTraining = "spend_training", Yuan;
    SpendExamSupport = "spend_exam_support", Yuan;
    SpendPosts = "spend_posts", Yuan;
    SpendOrgs = "spend_orgs", Yuan;
    SpendServices = "spend_services", Yuan;
    SpendStations = "spend_stations", Yuan;
    SpendSupervision = "spend_supervision", Yuan;
    /// Everything paid: commitments and levers.
    Spend = "spend", Yuan;
    Unspent = "unspent", Yuan;
    /// Money programmes brought from outside the budget (their funder's share).
    ProgrammeSpend = "programme_spend", Yuan;
    /// Stations, posts and positions programmes have built since the start.
    ProgrammePlaces = "programme_places", Count;
}

impl Metric {
    /// A flow of the year (or money of the year) rather than a stock: it has
    /// no observed value in the start year.
    pub fn is_flow(self) -> bool {
        use Metric::*;
        matches!(
            self,
            Registrants
                | Passes
                | Trainees
                | Leavers
                | Entrants
                | Promotions
                | SupervisorsTrained
                | OrgBirths
                | PostsCreated
                | Committed
                | SpendTraining
                | SpendExamSupport
                | SpendPosts
                | SpendOrgs
                | SpendServices
                | SpendStations
                | SpendSupervision
                | Spend
                | Unspent
                | ProgrammeSpend
        )
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
