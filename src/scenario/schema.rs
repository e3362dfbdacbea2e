//! The scenario file, version 1, as serde reads it: plain nested tables that
//! a planner reads top to bottom — what the scenario is, time, regions,
//! parameters, funding, levers, transfers, targets. Nothing here is checked
//! beyond types and unknown keys; `validate` turns it into a [`super::Scenario`].

use std::collections::BTreeMap;

use serde::Deserialize;

use super::group::{impl_param_fields, param_group};
use super::param::Param;

/// The version of the file format this build reads.
pub const SCHEMA_VERSION: i64 = 1;

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Must be [`SCHEMA_VERSION`]; checked before anything else.
    pub schema_version: i64,
    pub scenario: MetaRaw,
    #[serde(default)]
    pub run: RunRaw,
    pub time: TimeRaw,
    #[serde(default)]
    pub region: Vec<RegionFactsRaw>,
    #[serde(default)]
    pub parameters: ParametersRaw,
    #[serde(default)]
    pub funding: FundingRaw,
    #[serde(default)]
    pub levers: LeversRaw,
    #[serde(default)]
    pub transfer: Vec<TransferRaw>,
    #[serde(default)]
    pub target: Vec<TargetRaw>,
    #[serde(default)]
    pub not_modelled: Vec<NotModelledRaw>,
    /// `[tags]`: a label for each tag, in the planner's words, for charts and reports.
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
    /// `[labels]`: a label for any number of the file, by the dotted path
    /// `wfsim levers` lists (`"levers.services.cost_per_position" =
    /// "购买服务岗位单价"`; `region.*.…` for every region's), naming it on
    /// tornado bars, sweep axes and solve's answer instead of the path.
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub variant: Vec<VariantRaw>,
    #[serde(default)]
    pub correlation: Vec<CorrelationRaw>,
    #[serde(default)]
    pub programme: Vec<ProgrammeRaw>,
    #[serde(default)]
    pub posterior: Option<PosteriorRaw>,
}

/// `[posterior]`: parameters drawn from a `wfsim calibrate` posterior
/// instead of from this file's priors.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PosteriorRaw {
    /// A `calibrate` folder or its `posterior.csv`, relative to this file.
    pub from: String,
    /// The parameters to take (paths, or prefixes ending in `*`); all if absent.
    #[serde(default)]
    pub take: Vec<String>,
}

param_group! {
    /// `[[programme]]`: an earmarked, target-driven effort that may or may
    /// not come — "a staffed station in every township within two years",
    /// "every grassroots worker trained by 2020", "an exam drive". Its
    /// numbers are drawn once per trajectory.
    ProgrammeNumbers, ProgrammeRaw {
        /// Probability that the programme happens at all.
        chance: Probability = 1,
        /// The year it starts (a calendar year; often `discrete`).
        start: Year = 2000,
        /// Years over which it builds or trains (at least 1).
        years: Count = 1,
        /// How much: stations and training a share (of the townships, of the
        /// uncertified practitioners); posts and services a number of places;
        /// an exam drive the extra share of the eligible who sit the exam.
        size: NonNegative = 1,
        /// Share of the programme's costs paid by its own money (a provincial
        /// or central earmark); the rest comes from the scenario's budget,
        /// ahead of the levers' shares.
        funder_share: Probability = 1,
    }
    extra {
        name: String,
        label: Option<String>,
        /// `stations`, `posts`, `services`, `training` or `exam_drive`.
        kind: String,
        /// `total` (default), a region id or `tag:NAME`.
        scope: Option<String>,
    }
}

/// `[[correlation]]`: two uncertain numbers that move together, by rank
/// correlation (Spearman's ρ between their draws over trajectories).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrelationRaw {
    /// Two dotted paths of per-trajectory distributions, e.g.
    /// `["parameters.exam.junior_pass_rate", "parameters.exam.intermediate_pass_rate"]`.
    pub between: Vec<String>,
    /// The rank correlation, strictly between −1 and 1.
    pub rank: f64,
}

/// `[[variant]]`: the same scenario with some values changed, for paired
/// comparison (`wfsim compare`).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantRaw {
    pub name: String,
    pub label: Option<String>,
    /// How likely this variant is to be the future (0–1). When variants have
    /// weights, `wfsim compare` also gives the probability weighted over
    /// them, the baseline taking what the weights leave.
    pub weight: Option<f64>,
    /// Dotted paths of the file and their new values:
    /// `"levers.exam_support.share" = 0.2`, `"region.centre.stocks.junior" = 1000`.
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub set: toml::Table,
}

/// `[scenario]`: what the scenario is.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetaRaw {
    /// Short machine name; the default output folder is `outputs/<name>/`.
    pub name: String,
    /// Title in the planners' language (Chinese for a Chinese plan).
    pub label: Option<String>,
    /// English title.
    pub label_en: Option<String>,
    /// What the plan sets out and how the file reads it, in English (or in
    /// the plan's language when there is no `description_zh`).
    #[serde(default)]
    pub description: String,
    /// The description in Chinese: a Chinese briefing shows it instead.
    pub description_zh: Option<String>,
    /// `zh` or `en`: the language of labels in charts and reports.
    pub language: Option<String>,
    /// Where the file's numbers come from, for whoever checks the file
    /// (seed documents, tables, sections).
    #[serde(default)]
    pub sources: Vec<String>,
    /// The documents behind the numbers as a reader of the briefing can
    /// find them: title, issuer and date. The report lists these (and
    /// `sources` only when there are none).
    #[serde(default)]
    pub references: Vec<String>,
    /// The main assumptions, in words, for the report (in English, or in the
    /// plan's language when there is no `assumptions_zh`).
    #[serde(default)]
    pub assumptions: Vec<String>,
    /// The main assumptions in Chinese: a Chinese briefing shows them instead.
    #[serde(default)]
    pub assumptions_zh: Vec<String>,
}

/// `[run]`: defaults for `wfsim run`, overridden by its flags.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRaw {
    pub trajectories: Option<u64>,
    pub seed: Option<u64>,
}

/// `[time]`: stocks are as of the end of `start_year`; the run projects
/// `start_year + 1 ..= end_year`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeRaw {
    pub start_year: i64,
    pub end_year: i64,
}

param_group! {
    /// Facts about a region: its communities, townships and inflows.
    RegionFacts, RegionFactsRaw {
        /// Urban communities (社区).
        urban_communities: Count = 0,
        /// Rural communities / administrative villages (村).
        rural_communities: Count = 0,
        /// Townships and streets (乡镇/街道) a station could serve.
        townships: Count = 0,
        /// Resident population (information; used by nothing but reports).
        population: Count = 0,
        /// Social-work graduates a year in the start year (all, before the entry share).
        graduates_per_year: Count = 0,
        /// Exam candidates a year from outside the field in the start year.
        outside_candidates: Count = 0,
        /// Local wages relative to the scenario's figures: scales unit costs.
        wage_index: Positive = 1,
    }
    extra {
        id: String,
        label: Option<String>,
        label_en: Option<String>,
        tags: Vec<String>,
        /// Share of the scenario's money and of its yearly quotas (posts,
        /// stations, training capacity) that falls to this region.
        budget_share: Option<f64>,
        stocks: StocksRaw,
        /// Regions from a table instead: a `.csv` or `.xlsx` file (beside
        /// the scenario) with a row per region and a column per field (id,
        /// label, tags, budget_share, facts, stocks). Nothing else may be
        /// set beside it.
        table: Option<String>,
        /// The workbook's sheet (default: the first).
        sheet: Option<String>,
    }
}

param_group! {
    /// Stocks at the end of `start_year`. May be uncertain (drawn per trajectory).
    Stocks, StocksRaw {
        uncertified: Count = 0,
        trained: Count = 0,
        graduates: Count = 0,
        junior: Count = 0,
        intermediate: Count = 0,
        senior: Count = 0,
        /// Qualified supervisors among intermediate + senior.
        supervisors: Count = 0,
        /// Social-work posts already established (paid outside the scenario's budget).
        posts: Count = 0,
        /// Staff positions in bought-service projects under contract.
        project_positions: Count = 0,
        /// Of their staff, how many are certified or SW graduates (absent:
        /// staffed by the services lever's hiring rule).
        project_qualified: Count = -1,
        /// Social-work service organisations.
        orgs: Count = 0,
        /// Township/street stations open.
        stations: Count = 0,
        /// Certificates ever issued to people of the place, by level
        /// (defaults to the stock of that level when absent).
        certificates_junior: Count = -1,
        certificates_intermediate: Count = -1,
        certificates_senior: Count = -1,
    }
}

/// `[parameters]`: rates and behaviour, one table per step of the year.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParametersRaw {
    #[serde(default)]
    pub exam: ExamRaw,
    #[serde(default)]
    pub training: TrainingRaw,
    #[serde(default)]
    pub promotion: PromotionRaw,
    #[serde(default)]
    pub attrition: AttritionRaw,
    #[serde(default)]
    pub pay: PayRaw,
    #[serde(default)]
    pub entry: EntryRaw,
    #[serde(default)]
    pub orgs: OrgsRaw,
    #[serde(default)]
    pub coverage: CoverageRaw,
    #[serde(default)]
    pub equivalence: EquivalenceRaw,
}

param_group! {
    /// The national exam, two levels.
    Exam, ExamRaw {
        /// Share of eligible uncertified practitioners (incl. trained, graduates) who sit the junior exam a year.
        junior_registration_rate: Probability = 0.05,
        /// Share of eligible juniors who sit the intermediate exam a year.
        intermediate_registration_rate: Probability = 0.10,
        /// Share of juniors with the years of practice the intermediate exam requires.
        intermediate_eligible_share: Probability = 0.3,
        /// Share of SW graduates eligible to sit the intermediate exam directly.
        graduate_intermediate_share: Probability = 0.0,
        junior_pass_rate: Probability = 0.2,
        intermediate_pass_rate: Probability = 0.15,
        /// Year-to-year variation of pass rates: each year's rate is
        /// Beta(c·m, c·(1−m)) around the trajectory's rate m; 0 means none.
        pass_rate_concentration: NonNegative = 0,
        /// Odds ratio of passing for trained candidates.
        trained_pass_odds: Positive = 1.5,
        /// Odds ratio of passing for SW graduates.
        graduate_pass_odds: Positive = 1.5,
        /// Yearly growth of outside candidates.
        outside_growth: Growth = 0,
        /// Yearly growth of the registration rates (a trend in exam demand:
        /// national registrations grew 10–52% a year in 2015–2019); the
        /// rates compound and never exceed 1.
        registration_growth: Growth = 0,
        /// Chance each year of a surge in exam demand (a new rule, a
        /// campaign): that year `surge_size` of those who would not have
        /// sat the exam sit it.
        surge_chance: Probability = 0,
        surge_size: Probability = 0,
        /// Share of outside candidates sitting the intermediate level.
        outside_intermediate_share: Probability = 0.1,
        /// Share of outside passers who enter the field as practitioners.
        outside_entry_share: Probability = 0.2,
        /// Share of outside candidates who already work in a community job
        /// (residents' committee staff, say) without being counted among the
        /// practitioners: when they pass they are certified workers in the
        /// field, whatever `outside_entry_share` says of the others.
        outside_community_share: Probability = 0,
    }
}

param_group! {
    /// Training of uncertified practitioners to the required hours.
    Training, TrainingRaw {
        completion_rate: Probability = 0.9,
    }
}

param_group! {
    /// Senior review and supervisors.
    Promotion, PromotionRaw {
        /// Yearly probability an intermediate is promoted to senior.
        senior_rate: Probability = 0.01,
        /// The first calendar year in which anyone is promoted to senior (the
        /// senior review may open years after a plan starts; often uncertain).
        senior_review_from: Year = 1900,
        /// Share of intermediate + senior experienced enough to train as supervisors.
        supervisor_eligible_share: Probability = 0.3,
    }
}

param_group! {
    /// Yearly probability of leaving the field, by stock, for people holding a post
    /// (uncertified stocks: whatever their position).
    Attrition, AttritionRaw {
        uncertified: Probability = 0.10,
        trained: Probability = 0.08,
        graduates: Probability = 0.12,
        junior: Probability = 0.06,
        intermediate: Probability = 0.05,
        senior: Probability = 0.03,
        /// Multiplier on leaving for certified people without a post.
        no_post_multiplier: Positive = 1.5,
        /// Leaving scales with (benchmark wage / pay) to this power.
        pay_elasticity: NonNegative = 1.0,
    }
    extra {
        /// What pay the leaving rates above were observed at: `"start"`
        /// (default: today's turnover, which already contains today's pay
        /// gap — only changes in pay relative to the benchmark move it) or
        /// `"benchmark"` (rates for staff paid the benchmark wage; the pay
        /// gap multiplies them from the first year).
        rates_observed_at: Option<String>,
        /// Whom the rates were observed among: `"placed"` (default: people
        /// holding a post, position or station place; certified people
        /// without one leave `no_post_multiplier` times as often) or `"all"`
        /// (an average over everyone certified at the start: the model splits
        /// it so that the start year's average is the rate, instead of
        /// multiplying an average a second time).
        rates_observed_among: Option<String>,
    }
}

param_group! {
    /// Pay of social-work staff against a benchmark wage.
    Pay, PayRaw {
        /// Average yearly pay of SW staff in the start year (yuan).
        salary: Money = 40000,
        /// Benchmark wage in the start year (e.g. the local average wage).
        benchmark: Positive = 40000,
        /// Yearly growth of SW pay and of unit costs.
        wage_growth: Growth = 0.05,
        /// Yearly growth of the benchmark wage.
        benchmark_growth: Growth = 0.05,
    }
}

param_group! {
    /// People entering the field.
    Entry, EntryRaw {
        /// Share of SW graduates who enter the field.
        graduate_entry_share: Probability = 0.3,
        /// Yearly growth of graduates.
        graduates_growth: Growth = 0,
        /// Share of leavers replaced by uncertified hires (roles kept filled).
        replacement_rate: Probability = 1.0,
        /// Yearly growth of social-service roles, filled by uncertified hires.
        role_growth: Probability = 0,
    }
}

param_group! {
    /// Social-work service organisations.
    Orgs, OrgsRaw {
        /// Births a year without grants, whole scenario (split by budget share).
        base_births: NonNegative = 0,
        /// Expected births per start-up grant.
        births_per_grant: NonNegative = 1.0,
        /// Yearly probability an organisation closes.
        closure_rate: Probability = 0.05,
    }
}

param_group! {
    /// How certified workers cover communities.
    Coverage, CoverageRaw {
        /// Share of certified practitioners who work facing communities.
        community_facing_share: Probability = 0.5,
        /// Share of community-facing workers placed in urban communities.
        urban_share: Probability = 0.7,
        /// 1 = placed one by one where none is yet ("one community, one
        /// social worker"); 0 = placed at random (the occupancy law).
        targeting: Probability = 0.5,
        /// A community counts as covered with at least this many workers.
        urban_min: Count = 1,
        rural_min: Count = 1,
    }
}

param_group! {
    /// The scenario's rule for "certificate or equivalent competence".
    Equivalence, EquivalenceRaw {
        /// Share of SW graduates counted as intermediate-equivalent.
        graduates_as_intermediate: Probability = 0,
        /// Share of trained practitioners counted as intermediate-equivalent.
        trained_as_intermediate: Probability = 0,
        /// Share of intermediates counted as senior-equivalent.
        intermediate_as_senior: Probability = 0,
    }
}

param_group! {
    /// The money: `budget` in the start year, growing each year.
    Funding, FundingRaw {
        /// Whole-scenario budget in the start year (yuan).
        budget: Money = 0,
        /// Mean yearly growth of the budget for a trajectory.
        growth: Growth = 0,
        /// Year-to-year standard deviation of growth around that mean.
        growth_year_sd: Spread = 0,
        /// Commitments (posts, contracts, stations) may take at most this
        /// share of a year's budget, so that what is started can be kept paying.
        max_committed_share: Probability = 0.8,
    }
    extra {
        /// Carry unspent money into next year.
        carry_over: bool,
        /// The order in which levers short of their plan receive money no
        /// other lever can use (lever names; those not listed follow in the
        /// default order posts, stations, services, training, exam_support,
        /// supervision, orgs).
        priorities: Option<Vec<String>>,
        /// What happens to a lever's share that it cannot use this year:
        /// `"reallocate"` (default: to levers still short of their plan, by
        /// priority) or `"keep"` (it stays unspent, or carried over).
        leftover: Option<String>,
        /// Budgets fixed by year, overriding growth: { 2015 = 3.0e7 }.
        schedule: BTreeMap<String, f64>,
    }
}

/// `[levers]`: how the money left after commitments is split, and what each lever buys.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeversRaw {
    #[serde(default)]
    pub training: TrainingLeverRaw,
    #[serde(default)]
    pub exam_support: ExamSupportRaw,
    #[serde(default)]
    pub posts: PostsLeverRaw,
    #[serde(default)]
    pub orgs: OrgsLeverRaw,
    #[serde(default)]
    pub services: ServicesLeverRaw,
    #[serde(default)]
    pub stations: StationsLeverRaw,
    #[serde(default)]
    pub supervision: SupervisionLeverRaw,
    #[serde(default)]
    pub pay: PayLeverRaw,
}

param_group! {
    /// Training uncertified practitioners to the required hours.
    TrainingLever, TrainingLeverRaw {
        cost_per_seat: Money = 2000,
        /// Seats a year the training bases can offer, whole scenario.
        capacity: Count = 0,
    }
    extra { share: f64 }
}

param_group! {
    /// Exam support: fee paid, preparation class, reward on passing.
    ExamSupport, ExamSupportRaw {
        fee: Money = 0,
        prep_cost: Money = 0,
        reward: Money = 0,
        /// Share of eligible non-registrants who register when fully supported.
        registration_uplift: Probability = 0,
        /// Odds ratio of passing for supported candidates (preparation class).
        prep_pass_odds: Positive = 1,
    }
    extra { share: f64 }
}

param_group! {
    /// New social-work posts paid from the budget, kept paying once created.
    PostsLever, PostsLeverRaw {
        /// New posts the plan creates a year, whole scenario.
        planned_per_year: Count = 0,
        /// New posts the plan creates in all, whole scenario, reached in a
        /// straight line by `planned_by` (added to `planned_per_year`).
        planned_total: Count = 0,
        /// Yearly cost of a post in the start year (salary and overheads).
        cost_per_post: Positive = 60000,
    }
    extra {
        share: f64,
        /// The year by which `planned_total` is reached (default: end_year).
        planned_by: Option<i64>,
        /// Fill posts with uncertified people when no certified one is free.
        allow_uncertified: bool,
    }
}

param_group! {
    /// Start-up grants for new organisations.
    OrgsLever, OrgsLeverRaw {
        startup_grant: Positive = 35000,
    }
    extra { share: f64 }
}

param_group! {
    /// Bought services: contracts paying staff positions in organisations.
    ServicesLever, ServicesLeverRaw {
        /// Yearly contract cost of one staff position in the start year.
        cost_per_position: Positive = 72000,
        /// Share of vacancies filled from the qualified (certified or SW
        /// degree) when any is free; the rest go to the uncertified first.
        /// 1 = qualified first (a rule that bought projects hire qualified staff).
        qualified_hiring: Probability = 1,
        /// New positions the plan contracts a year, whole scenario. Without
        /// `planned_per_year` or `planned_total`, services have no plan and
        /// buy what their share pays.
        planned_per_year: Count = 0,
        /// New positions in all by `planned_by`, in a straight line.
        planned_total: Count = 0,
    }
    extra {
        share: f64,
        /// The year by which `planned_total` is reached (default: end_year).
        planned_by: Option<i64>,
        /// Organisations may staff positions with uncertified people (default: yes).
        allow_uncertified: Option<bool>,
    }
}

param_group! {
    /// Township/street stations.
    StationsLever, StationsLeverRaw {
        /// Stations the plan opens a year, whole scenario.
        planned_per_year: Count = 0,
        /// Stations the plan opens in all by `planned_by`, in a straight line.
        planned_total: Count = 0,
        /// Yearly running cost of one station, staff included.
        cost_per_station: Positive = 146000,
        /// Staff a station needs to count as staffed.
        min_staff: Count = 3,
    }
    extra {
        share: f64,
        /// The year by which `planned_total` is reached (default: end_year).
        planned_by: Option<i64>,
        /// Stations may be staffed with uncertified people (default: yes).
        allow_uncertified: Option<bool>,
    }
}

param_group! {
    /// Supervisor training.
    SupervisionLever, SupervisionLeverRaw {
        cost_per_supervisor: Positive = 5000,
        /// Supervisors that can be trained a year, whole scenario.
        capacity: Count = 0,
    }
    extra { share: f64 }
}

param_group! {
    /// A pay floor: SW pay at least this share of the benchmark wage (0: none).
    PayLever, PayLeverRaw {
        floor_ratio: NonNegative = 0,
    }
}

/// `[[transfer]]`: people sent each year from some regions to others.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRaw {
    /// A region id, or `tag:NAME` for every region with that tag.
    pub from: String,
    pub to: String,
    /// Which stock is sent: junior, intermediate, senior, graduates, trained, uncertified.
    pub stock: String,
    /// People a year, whole transfer (split evenly over senders and receivers).
    pub per_year: Param,
}

/// `[[target]]`: what the plan promises.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRaw {
    pub id: String,
    /// The document's wording.
    pub label: Option<String>,
    pub label_en: Option<String>,
    pub metric: String,
    /// `total`, a region id, `every:TAG` (each tagged region must meet it),
    /// or `tag:TAG` (the sum over tagged regions).
    #[serde(default = "default_scope")]
    pub scope: String,
    pub year: i64,
    /// `>=` (default), `>`, `<=` or `<`.
    #[serde(default = "default_op")]
    pub op: String,
    pub threshold: f64,
    /// How the wording is read, when it could be read more than one way.
    pub reading: Option<String>,
    /// Count what was added since the start year, not the level.
    #[serde(default)]
    pub since_start: bool,
    /// With an `every:` scope: the share of the tagged regions that must
    /// meet it (基本实现 read as, say, 0.9); 1 if absent.
    pub share_of_regions: Option<f64>,
}

/// A target of the document the model has no mechanism for.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotModelledRaw {
    pub id: String,
    pub label: String,
    pub year: Option<i64>,
    pub reason: String,
}

fn default_scope() -> String {
    "total".into()
}

fn default_op() -> String {
    ">=".into()
}

impl_param_fields!(
    ProgrammeNumbers,
    RegionFacts,
    Stocks,
    Exam,
    Training,
    Promotion,
    Attrition,
    Pay,
    Entry,
    Orgs,
    Coverage,
    Equivalence,
    Funding,
    TrainingLever,
    ExamSupport,
    PostsLever,
    OrgsLever,
    ServicesLever,
    StationsLever,
    SupervisionLever,
    PayLever,
);

/// The JSON Schema of a scenario file, generated from the same definitions
/// the file is read with (unknown keys refused, defaults optional, each
/// field's documentation as its description): `wfsim schema` writes it for
/// editors' completion and checking of scenario files.
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(ScenarioFile);
    schema.insert(
        "title".into(),
        format!("wfsim scenario file, schema_version {SCHEMA_VERSION}").into(),
    );
    schema.to_value()
}
