//! `summary.json`: the contract other tools and later commands read.
//!
//! Only `run` may differ between two runs of the same file and seed (threads,
//! elapsed time, version); `scenario`, `targets` and `joint` are identical.
//! `run.id` names the run: the same file, seed, trajectory count and
//! version give the same id.

use serde::{Deserialize, Serialize};

use super::{Exporter, OutputError};
use crate::engine::RunResult;
use crate::scenario::{NotModelled, Scenario};
use crate::stats::interval::METHOD;
use crate::stats::programme::ProgrammeSummary;
use crate::stats::target::TargetSummary;

/// What the scenario is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub label: String,
    pub label_en: Option<String>,
    pub file: String,
    pub language: String,
    pub start_year: i32,
    pub end_year: i32,
    pub description: String,
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    pub assumptions: Vec<String>,
    pub regions: Vec<String>,
    /// Labels of the regions, by id (absent in summaries written before
    /// they were kept).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub region_labels: std::collections::BTreeMap<String, String>,
    /// Labels of the tags, by tag (absent when the file gives none).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub tag_labels: std::collections::BTreeMap<String, String>,
    /// The posterior the run drew the parameters it holds from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorInfo>,
}

impl ScenarioInfo {
    /// A scope as the reader says it: `total` is the whole area, `every:x`
    /// and `tag:x` name the tag by its label, a region by its label.
    pub fn scope_label(&self, scope: &str, zh: bool) -> String {
        let tr = |a: &str, b: &str| if zh { a.to_string() } else { b.to_string() };
        let tag = |s: &str| {
            self.tag_labels
                .get(s)
                .cloned()
                .unwrap_or_else(|| s.to_string())
        };
        match scope {
            "total" => tr("全域", "total"),
            s => match (s.strip_prefix("every:"), s.strip_prefix("tag:")) {
                (Some(x), _) => format!("{}{}", tr("每个", "every "), tag(x)),
                (_, Some(x)) => format!("{}{}", tr("合计：", "all "), tag(x)),
                _ => self
                    .region_labels
                    .get(s)
                    .cloned()
                    .unwrap_or_else(|| s.to_string()),
            },
        }
    }

    /// The sources a briefing cites: the documents as readers can find them
    /// (`references`), or the file's own `sources` when it names none.
    pub fn cited(&self) -> &[String] {
        if self.references.is_empty() {
            &self.sources
        } else {
            &self.references
        }
    }
}

/// Where a run's posterior came from and what it replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PosteriorInfo {
    pub file: String,
    pub particles: usize,
    /// The parameters drawn from it instead of from the file's priors.
    pub parameters: Vec<String>,
}

/// How the run was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The run's id ([`crate::engine::shard::run_id`]); empty in files of
    /// a wfsim that wrote none.
    #[serde(default)]
    pub id: String,
    pub seed: u64,
    pub trajectories: u64,
    pub threads: usize,
    pub elapsed_seconds: f64,
    pub wfsim_version: String,
}

/// All targets met in the same trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Joint {
    pub p_met: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// The whole file.
#[derive(Debug, Clone, Serialize)]
pub struct Summary<'a> {
    pub scenario: ScenarioInfo,
    pub run: RunInfo,
    /// How `ci_low`/`ci_high` are computed.
    pub interval: &'static str,
    pub targets: &'a [TargetSummary],
    pub joint: Joint,
    /// Targets of the document the model cannot answer, and why.
    #[serde(skip_serializing_if = "<[NotModelled]>::is_empty")]
    pub not_modelled: &'a [NotModelled],
    /// What each programme did: how often it came, when, what it built.
    pub programmes: &'a [ProgrammeSummary],
    /// How the numbers were made that a reader must know (absent if none).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub warnings: &'a [String],
}

impl<'a> Summary<'a> {
    pub fn new(sc: &'a Scenario, run: &'a RunResult) -> Summary<'a> {
        Summary {
            scenario: ScenarioInfo {
                name: sc.meta.name.clone(),
                label: sc.meta.label.clone(),
                label_en: sc.meta.label_en.clone(),
                file: sc.file.display().to_string(),
                language: sc.meta.language.clone(),
                start_year: sc.start_year,
                end_year: sc.end_year,
                description: sc.meta.description.clone(),
                sources: sc.meta.sources.clone(),
                references: sc.meta.references.clone(),
                assumptions: sc.meta.assumptions.clone(),
                regions: sc.regions.iter().map(|r| r.id.clone()).collect(),
                region_labels: sc
                    .regions
                    .iter()
                    .map(|r| (r.id.clone(), r.label.clone()))
                    .collect(),
                tag_labels: sc.tag_labels.clone(),
                posterior: sc.posterior.as_ref().map(|p| PosteriorInfo {
                    file: p.source.display().to_string(),
                    particles: p.len(),
                    parameters: p.paths.clone(),
                }),
            },
            run: RunInfo {
                id: crate::engine::shard::run_id(sc, run.options.seed, run.options.trajectories),
                seed: run.options.seed,
                trajectories: run.options.trajectories,
                threads: run.threads,
                elapsed_seconds: run.elapsed_seconds,
                wfsim_version: env!("CARGO_PKG_VERSION").to_string(),
            },
            interval: METHOD,
            targets: &run.targets,
            joint: Joint {
                p_met: run.joint.p,
                ci_low: run.joint.low,
                ci_high: run.joint.high,
            },
            not_modelled: &sc.not_modelled,
            programmes: &run.programmes,
            warnings: &run.warnings,
        }
    }
}

/// Writes `summary.json`.
pub struct SummaryJson;

impl Exporter for SummaryJson {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }

    fn render(&self, sc: &Scenario, run: &RunResult) -> Result<Vec<u8>, OutputError> {
        let mut v =
            serde_json::to_vec_pretty(&Summary::new(sc, run)).map_err(|e| OutputError::Encode {
                name: "summary.json",
                message: e.to_string(),
            })?;
        v.push(b'\n');
        Ok(v)
    }
}
