//! `metrics.csv` (every metric, for the total and each region, every year)
//! and `targets.csv` (the targets of `summary.json`, one row each).

use super::{Exporter, OutputError};
use crate::engine::RunResult;
use crate::scenario::Scenario;

/// UTF-8's byte-order mark: Excel on Chinese Windows reads a CSV without it
/// as GBK and shows the labels as mojibake. CSV readers (the csv crate,
/// pandas with `utf-8-sig`) skip it.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// The CSV's bytes behind the BOM.
pub(crate) fn finish(w: csv::Writer<Vec<u8>>, name: &'static str) -> Result<Vec<u8>, OutputError> {
    let body = w.into_inner().map_err(|e| OutputError::Encode {
        name,
        message: e.to_string(),
    })?;
    Ok([BOM, &body].concat())
}

fn enc(name: &'static str) -> impl Fn(csv::Error) -> OutputError {
    move |e| OutputError::Encode {
        name,
        message: e.to_string(),
    }
}

/// Writes `metrics.csv`: `metric,scope,year,mean,sd,p05,p25,p50,p75,p95,quantiles_within`.
pub struct MetricsCsv;

impl Exporter for MetricsCsv {
    fn file_name(&self) -> &'static str {
        "metrics.csv"
    }

    fn render(&self, _sc: &Scenario, run: &RunResult) -> Result<Vec<u8>, OutputError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for row in &run.metrics {
            w.serialize(row).map_err(enc("metrics.csv"))?;
        }
        finish(w, "metrics.csv")
    }
}

/// Writes `targets.csv`.
pub struct TargetsCsv;

impl Exporter for TargetsCsv {
    fn file_name(&self) -> &'static str {
        "targets.csv"
    }

    fn render(&self, _sc: &Scenario, run: &RunResult) -> Result<Vec<u8>, OutputError> {
        let e = enc("targets.csv");
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "id",
            "label",
            "metric",
            "scope",
            "year",
            "op",
            "threshold",
            "p_met",
            "ci_low",
            "ci_high",
            "mean",
            "p05",
            "p25",
            "p50",
            "p75",
            "p95",
            "expected_shortfall",
            "median_year_reached",
            "p_never_reached",
        ])
        .map_err(&e)?;
        let opt = |v: Option<String>| v.unwrap_or_default();
        for t in &run.targets {
            w.write_record([
                t.id.clone(),
                t.label.clone(),
                t.metric.clone(),
                t.scope.clone(),
                t.year.to_string(),
                t.op.clone(),
                t.threshold.to_string(),
                t.p_met.to_string(),
                t.ci_low.to_string(),
                t.ci_high.to_string(),
                t.mean.to_string(),
                t.quantiles.p05.to_string(),
                t.quantiles.p25.to_string(),
                t.quantiles.p50.to_string(),
                t.quantiles.p75.to_string(),
                t.quantiles.p95.to_string(),
                opt(t.expected_shortfall.map(|v| v.to_string())),
                opt(t.first_year_reached.median_year.map(|v| v.to_string())),
                t.first_year_reached.p_never.to_string(),
            ])
            .map_err(&e)?;
        }
        finish(w, "targets.csv")
    }
}
