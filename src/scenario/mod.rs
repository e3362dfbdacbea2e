//! Scenario files: read in two stages, as ripgrep reads its arguments.
//!
//! 1. [`schema`]: the TOML text → raw serde structs (types, unknown keys);
//! 2. [`validate`]: raw structs → a [`Scenario`] whose every number is in range,
//!    every name resolves and every share adds up — or every problem at once,
//!    each with file, line, column and field path ([`error`]).
//!
//! Nothing downstream re-checks what a `Scenario` guarantees.

pub mod error;
pub mod group;
pub mod history;
mod labels;
pub use labels::is_money;
pub mod metric;
pub mod param;
pub mod posterior;
pub mod quantile;
pub mod schema;
pub mod table;
mod template;
mod validate;
mod variant;

use std::path::{Path, PathBuf};

pub use error::{FieldPath, ScenarioError, ScenarioErrors};
pub use history::{History, HistoryErrors, Observation};
pub use metric::{Metric, Unit};
pub use param::{Dist, Param, Per};
pub use posterior::{Posterior, PosteriorError};
pub use schema::json_schema;
pub use schema::{
    Attrition, Coverage, Entry, Equivalence, Exam, ExamSupport, Funding, Orgs, OrgsLever, Pay,
    PayLever, PostsLever, ProgrammeNumbers, Promotion, RegionFacts, SCHEMA_VERSION, ServicesLever,
    StationsLever, Stocks, SupervisionLever, Training, TrainingLever,
};
pub use template::TEMPLATE;
pub(crate) use validate::fmt_num;
pub use variant::Setting;

/// What the scenario is.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub name: String,
    pub label: String,
    pub label_en: Option<String>,
    /// In the scenario's language where the file gives it (`description_zh`).
    pub description: String,
    /// `zh` or `en`.
    pub language: String,
    pub sources: Vec<String>,
    /// For readers: the documents' titles, issuers and dates.
    pub references: Vec<String>,
    /// In the scenario's language where the file gives them (`assumptions_zh`).
    pub assumptions: Vec<String>,
}

/// A region: its facts, its starting stocks and its share of money and quotas.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub id: String,
    pub label: String,
    pub tags: Vec<String>,
    pub budget_share: f64,
    pub facts: RegionFacts<Param>,
    pub stocks: Stocks<Param>,
}

/// The behavioural parameters, one group per step of the year.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    pub exam: Exam<Param>,
    pub training: Training<Param>,
    pub promotion: Promotion<Param>,
    pub attrition: Attrition<Param>,
    pub pay: Pay<Param>,
    pub entry: Entry<Param>,
    pub orgs: Orgs<Param>,
    pub coverage: Coverage<Param>,
    pub equivalence: Equivalence<Param>,
    /// Whether leaving rates were observed at the start year's pay (so the
    /// pay effect is relative to it) rather than at the benchmark wage.
    pub rates_at_start_pay: bool,
    /// Whether leaving rates are averages over all the certified (split
    /// between the placed and the unplaced) rather than rates of the placed.
    pub rates_among_all: bool,
}

/// The money.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingPlan {
    pub params: Funding<Param>,
    pub carry_over: bool,
    /// Budgets fixed by year (year, yuan), sorted by year.
    pub schedule: Vec<(i32, f64)>,
    /// Levers (indices into [`LEVER_NAMES`]) in the order they receive money
    /// that no other lever can use.
    pub priorities: [usize; LEVER_NAMES.len()],
    /// Whether a lever's unused share goes to levers short of their plan.
    pub reallocate: bool,
}

/// The money levers, in the order the model funds and runs them
/// (`model::Lever` uses the same order).
pub const LEVER_NAMES: [&str; 7] = [
    "training",
    "exam_support",
    "supervision",
    "posts",
    "orgs",
    "services",
    "stations",
];

/// The default priority order: the commitment levers that build the plan's
/// places first, then the yearly programmes.
pub const DEFAULT_PRIORITIES: [usize; 7] = [3, 6, 5, 0, 1, 2, 4];

/// A lever: the share of free money it receives and what it buys.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever<G> {
    pub share: f64,
    pub params: G,
    /// Whether the lever follows a planned path (posts and stations always
    /// do; services when the file gives one). A lever without a plan buys
    /// what its share pays and takes no money other levers leave.
    pub planned: bool,
    /// The year by which a `planned_total` is reached.
    pub planned_by: i32,
}

impl<G> Lever<G> {
    /// A lever that follows no planned path.
    pub fn unplanned(share: f64, params: G, end_year: i32) -> Lever<G> {
        Lever {
            share,
            params,
            planned: false,
            planned_by: end_year,
        }
    }
}

/// The policy levers.
#[derive(Debug, Clone, PartialEq)]
pub struct Levers {
    pub training: Lever<TrainingLever<Param>>,
    pub exam_support: Lever<ExamSupport<Param>>,
    pub posts: Lever<PostsLever<Param>>,
    pub posts_allow_uncertified: bool,
    pub orgs: Lever<OrgsLever<Param>>,
    pub services: Lever<ServicesLever<Param>>,
    pub services_allow_uncertified: bool,
    pub stations: Lever<StationsLever<Param>>,
    pub stations_allow_uncertified: bool,
    pub supervision: Lever<SupervisionLever<Param>>,
    pub pay: PayLever<Param>,
}

/// The people stocks of MODEL.md, in the order the model keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stock {
    Uncertified = 0,
    Trained = 1,
    Graduates = 2,
    Junior = 3,
    Intermediate = 4,
    Senior = 5,
}

impl Stock {
    pub const ALL: [Stock; 6] = [
        Stock::Uncertified,
        Stock::Trained,
        Stock::Graduates,
        Stock::Junior,
        Stock::Intermediate,
        Stock::Senior,
    ];

    pub fn name(self) -> &'static str {
        [
            "uncertified",
            "trained",
            "graduates",
            "junior",
            "intermediate",
            "senior",
        ][self as usize]
    }

    pub fn from_name(s: &str) -> Option<Stock> {
        Stock::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Holds a certificate.
    pub fn certified(self) -> bool {
        self as usize >= Stock::Junior as usize
    }
}

/// People sent each year from some regions to others.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    /// Sending and receiving regions (indices), in file order.
    pub from: Vec<usize>,
    pub to: Vec<usize>,
    pub stock: Stock,
    pub per_year: Param,
}

/// A comparison of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
}

impl Op {
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Op::Ge => value >= threshold,
            Op::Gt => value > threshold,
            Op::Le => value <= threshold,
            Op::Lt => value < threshold,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
        }
    }

    /// Whether more is better (the shortfall is threshold − value).
    pub fn wants_more(self) -> bool {
        matches!(self, Op::Ge | Op::Gt)
    }
}

/// Where a target is measured.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// The sum over all regions.
    Total,
    /// One region (index).
    Region(usize),
    /// The sum over regions with a tag.
    Tagged { tag: String, regions: Vec<usize> },
    /// Each region with a tag must meet the target on its own.
    Every { tag: String, regions: Vec<usize> },
}

impl Scope {
    /// The scope as written in files and outputs.
    pub fn describe(&self, regions: &[Region]) -> String {
        match self {
            Scope::Total => "total".into(),
            Scope::Region(i) => regions[*i].id.clone(),
            Scope::Tagged { tag, .. } => format!("tag:{tag}"),
            Scope::Every { tag, .. } => format!("every:{tag}"),
        }
    }
}

/// A target of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: String,
    pub label: String,
    pub label_en: Option<String>,
    pub metric: Metric,
    pub scope: Scope,
    pub year: i32,
    pub op: Op,
    pub threshold: f64,
    /// How the document's wording is read, when it could be read more
    /// than one way (e.g. "certified only" beside "certified or trained").
    pub reading: Option<String>,
    /// The target counts what was added since the start year (带动培养,
    /// 新增), not the level: the metric minus its start-year value.
    pub since_start: bool,
    /// For `every:` scopes, the share of the tagged regions that must meet
    /// it (1: all of them).
    pub share_of_regions: f64,
}

impl Target {
    /// How many of `n` tagged regions must meet an `every:` target:
    /// ⌈share·n⌉, at least one (a tolerance keeps 0.9 × 20 at 18).
    pub fn regions_needed(&self, n: usize) -> usize {
        ((self.share_of_regions * n as f64 - 1e-9).ceil() as usize).clamp(1, n.max(1))
    }
}

/// A dated, numbered target of the document that the model has no
/// mechanism for: listed and reported, so that it is not silently dropped.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NotModelled {
    pub id: String,
    /// The document's wording.
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Why the model cannot answer it, in the planner's words.
    pub reason: String,
}

/// A validated scenario: everything the engine needs, all of it checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The file it was read from.
    pub file: PathBuf,
    pub meta: Meta,
    pub default_trajectories: Option<u64>,
    pub default_seed: Option<u64>,
    pub start_year: i32,
    pub end_year: i32,
    pub regions: Vec<Region>,
    pub parameters: Parameters,
    pub funding: FundingPlan,
    pub levers: Levers,
    pub transfers: Vec<Transfer>,
    pub targets: Vec<Target>,
    /// Targets of the document that the model cannot answer, with why.
    pub not_modelled: Vec<NotModelled>,
    /// Labels of the tags (`[tags]`), by tag.
    pub tag_labels: std::collections::BTreeMap<String, String>,
    /// Labels of numbers by path (`[labels]`); see [`Scenario::parameter_label`].
    pub parameter_labels: std::collections::BTreeMap<String, String>,
    /// Variants declared in the file, for paired comparison.
    pub variants: Vec<VariantSpec>,
    /// Uncertain numbers drawn together by rank correlation.
    pub correlations: Correlations,
    /// Programmes that may come.
    pub programmes: Vec<Programme>,
    /// The file's text, from which variants are built.
    pub source: String,
    /// Joint draws from `wfsim calibrate` that replace the priors of the
    /// parameters they name (`run --posterior`), kept by variants.
    pub posterior: Option<std::sync::Arc<Posterior>>,
    /// The posterior the file's `[posterior]` names: the path resolved
    /// against the file's folder, and the parameters to take. Read and
    /// attached by the caller (`wfsim::model::params::attach_posterior`).
    pub posterior_from: Option<(PathBuf, Vec<String>)>,
}

/// Correlated uncertain numbers: a Gaussian copula over the named
/// parameters. A rank correlation r becomes the normal correlation
/// 2·sin(πr/6), which gives exactly Spearman's r between the draws
/// (Kruskal 1958) — the rank correlation Iman & Conover (1982) induce by
/// reordering a sample, here drawn per trajectory so that trajectory i's
/// numbers still depend only on (seed, i).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Correlations {
    /// Dotted paths of the correlated parameters.
    pub paths: Vec<String>,
    /// Their distributions.
    pub dists: Vec<Dist>,
    /// Lower Cholesky factor of the normal correlation matrix, row-major n×n.
    pub cholesky: Vec<f64>,
}

/// What a programme buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgrammeKind {
    /// A staffed station in a share of the townships of its regions.
    Stations,
    /// A number of social-work posts.
    Posts,
    /// A number of bought-service positions.
    Services,
    /// A share of the uncertified practitioners trained to the required hours.
    Training,
    /// A share of the eligible mobilised to sit the exam.
    ExamDrive,
}

impl ProgrammeKind {
    pub const NAMES: [&str; 5] = ["stations", "posts", "services", "training", "exam_drive"];

    pub fn from_name(s: &str) -> Option<ProgrammeKind> {
        Some(match s {
            "stations" => ProgrammeKind::Stations,
            "posts" => ProgrammeKind::Posts,
            "services" => ProgrammeKind::Services,
            "training" => ProgrammeKind::Training,
            "exam_drive" => ProgrammeKind::ExamDrive,
            _ => return None,
        })
    }
}

/// The most programmes a scenario may have (each region keeps a count per programme).
pub const MAX_PROGRAMMES: usize = 8;

/// A programme: an earmarked effort with an uncertain chance, start and size.
#[derive(Debug, Clone, PartialEq)]
pub struct Programme {
    pub name: String,
    pub label: String,
    pub kind: ProgrammeKind,
    /// Regions it covers, and each one's weight for posts and services
    /// (budget shares normalised over the scope).
    pub regions: Vec<usize>,
    pub weights: Vec<f64>,
    pub numbers: ProgrammeNumbers<Param>,
}

/// A variant as declared: its name, label and the values it sets.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantSpec {
    pub name: String,
    pub label: String,
    /// How likely the variant is (its weight in the weighted probability).
    pub weight: Option<f64>,
    /// (dotted path, new value), in file order.
    pub set: Vec<(String, toml::Value)>,
}

impl Scenario {
    /// Years projected: `start_year + 1 ..= end_year`.
    pub fn horizon(&self) -> usize {
        (self.end_year - self.start_year) as usize
    }

    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, LoadError> {
        let text = read_limited(path, MAX_SCENARIO_BYTES).map_err(|e| LoadError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Scenario::from_str(path, &text).map_err(LoadError::Invalid)
    }

    /// Validates scenario text; `path` is used in messages only.
    pub fn from_str(path: &Path, text: &str) -> Result<Scenario, ScenarioErrors> {
        validate::validate(path, text)
    }
}

/// The largest scenario file read: a national plan of 31 provinces and
/// ~2,800 counties, each with its facts and stocks, is about 5 MB.
pub const MAX_SCENARIO_BYTES: u64 = 32 << 20;

/// Reads a text file of at most `max` bytes; a larger one (or an endless
/// device) is refused before it is read into memory.
pub fn read_limited(path: &Path, max: u64) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "the file is larger than {} MB, more than any plan needs: is it the right file?",
            max >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (byte {} is not): save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file was read and has problems.
    #[error("{0}")]
    Invalid(ScenarioErrors),
}
