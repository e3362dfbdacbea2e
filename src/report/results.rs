//! A run's results as the briefing outputs read them: `summary.json` and
//! `metrics.csv`, parsed back. Charts, the HTML briefing and the workbook are
//! drawn from this alone, so `wfsim report DIR` re-renders exactly what
//! `wfsim run` rendered, without running anything.

use std::path::Path;

use serde::Deserialize;

use super::OutputError;
use super::json::{Joint, RunInfo, ScenarioInfo};
use crate::engine::{MetricRow, RunResult};
use crate::scenario::NotModelled;
use crate::scenario::Scenario;
use crate::stats::programme::ProgrammeSummary;
use crate::stats::target::TargetSummary;

/// `summary.json` as read back.
#[derive(Debug, Clone, Deserialize)]
struct SummaryFile {
    scenario: ScenarioInfo,
    run: RunInfo,
    interval: String,
    targets: Vec<TargetSummary>,
    joint: Joint,
    #[serde(default)]
    programmes: Vec<ProgrammeSummary>,
    #[serde(default)]
    not_modelled: Vec<NotModelled>,
    #[serde(default)]
    warnings: Vec<String>,
}

/// Everything the briefing outputs show.
#[derive(Debug, Clone)]
pub struct Results {
    pub scenario: ScenarioInfo,
    pub run: RunInfo,
    /// How the intervals were computed.
    pub interval: String,
    pub targets: Vec<TargetSummary>,
    pub joint: Joint,
    pub programmes: Vec<ProgrammeSummary>,
    /// Targets of the document the model cannot answer, and why.
    pub not_modelled: Vec<NotModelled>,
    /// What the reader must know about how the numbers were made.
    pub warnings: Vec<String>,
    pub metrics: Vec<MetricRow>,
}

impl Results {
    /// Parses the two files' contents.
    pub fn parse(summary_json: &[u8], metrics_csv: &[u8]) -> Result<Results, String> {
        let s: SummaryFile =
            serde_json::from_slice(summary_json).map_err(|e| format!("summary.json: {e}"))?;
        let mut metrics = Vec::new();
        let mut rd = csv::Reader::from_reader(metrics_csv);
        for row in rd.deserialize() {
            metrics.push(row.map_err(|e| format!("metrics.csv: {e}"))?);
        }
        Ok(Results {
            scenario: s.scenario,
            run: s.run,
            interval: s.interval,
            targets: s.targets,
            joint: s.joint,
            programmes: s.programmes,
            not_modelled: s.not_modelled,
            warnings: s.warnings,
            metrics,
        })
    }

    /// Reads the results a run wrote into `dir`.
    pub fn read(dir: &Path) -> Result<Results, OutputError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| OutputError::Read {
                path,
                message: e.to_string(),
            })
        };
        let (summary, metrics) = (read("summary.json")?, read("metrics.csv")?);
        Results::parse(&summary, &metrics).map_err(|message| OutputError::Read {
            path: dir.to_path_buf(),
            message,
        })
    }

    /// The results of a run in memory, by way of the same files' bytes, so
    /// that `run` and `report` draw from identical data.
    pub fn from_run(sc: &Scenario, run: &RunResult) -> Result<Results, OutputError> {
        use super::Exporter;
        let summary = super::json::SummaryJson.render(sc, run)?;
        let metrics = super::csv::MetricsCsv.render(sc, run)?;
        Results::parse(&summary, &metrics).map_err(|message| OutputError::Encode {
            name: "results",
            message,
        })
    }

    /// Whether labels are Chinese.
    pub fn chinese(&self) -> bool {
        self.scenario.language == "zh"
    }

    /// The rows of one metric and scope, by year.
    pub fn series(&self, metric: &str, scope: &str) -> Vec<&MetricRow> {
        self.metrics
            .iter()
            .filter(|m| m.metric == metric && m.scope == scope)
            .collect()
    }
}
