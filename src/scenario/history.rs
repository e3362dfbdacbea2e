//! History files: what was observed, in wfsim's own metric and scope names,
//! so that the observation model is explicit (official "certificates issued"
//! are `certificates_issued`, which counts holders who left the field).
//!
//! A CSV with a header: `metric,scope,year,observed`, and optionally
//! `rel_error` (the reporting error as a share of the value: 0.05 means a
//! published figure is within about ±5% of the truth, one standard
//! deviation). `grade`, `source` and `note` columns are kept as information.
//! Each bad row is reported with its file, line and column, like a scenario.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{Metric, Scenario, Scope};

/// One observed figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub metric: Metric,
    pub scope: Scope,
    /// The scope as written.
    pub scope_name: String,
    pub year: i32,
    pub observed: f64,
    /// Reporting error (one sd, as a share of the value), if the row gives it.
    pub rel_error: Option<f64>,
    /// Line in the file.
    pub line: u64,
}

/// Observed figures, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub file: PathBuf,
    pub rows: Vec<Observation>,
}

/// A problem with one row or the header.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryError {
    pub file: PathBuf,
    pub line: u64,
    pub column: Option<u64>,
    pub field: String,
    pub expected: String,
    pub found: String,
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)?;
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        write!(
            f,
            ": `{}`: expected {}, found {}",
            self.field, self.expected, self.found
        )
    }
}

/// Every problem found in a history file.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryErrors(pub Vec<HistoryError>);

impl fmt::Display for HistoryErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for HistoryErrors {}

const REQUIRED: [&str; 4] = ["metric", "scope", "year", "observed"];
const OPTIONAL: [&str; 4] = ["rel_error", "grade", "source", "note"];

impl History {
    /// Reads a history file and checks it against the scenario it will
    /// calibrate: metrics it computes, scopes it has, years it simulates.
    pub fn read(path: &Path, sc: &Scenario) -> Result<History, HistoryErrors> {
        let text = super::read_limited(path, super::MAX_SCENARIO_BYTES).map_err(|e| {
            HistoryErrors(vec![HistoryError {
                file: path.to_path_buf(),
                line: 0,
                column: None,
                field: "(file)".into(),
                expected: "a readable CSV file".into(),
                found: e.to_string(),
            }])
        })?;
        History::parse(path, &text, sc)
    }

    /// Parses history text; `path` is used in messages only.
    pub fn parse(path: &Path, text: &str, sc: &Scenario) -> Result<History, HistoryErrors> {
        let mut errs = Vec::new();
        let err = |line: u64, column: Option<u64>, field: &str, expected: String, found: String| {
            HistoryError {
                file: path.to_path_buf(),
                line,
                column,
                field: field.to_string(),
                expected,
                found,
            }
        };
        // A byte-order mark from Excel is not part of the first column's name.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                return Err(HistoryErrors(vec![err(
                    1,
                    None,
                    "(header)",
                    "a CSV header".into(),
                    e.to_string(),
                )]));
            }
        };
        let cols: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
        for (i, c) in cols.iter().enumerate() {
            if !REQUIRED.contains(&c.as_str()) && !OPTIONAL.contains(&c.as_str()) {
                errs.push(err(
                    1,
                    headers.range(i).map(|r| (r.start + i) as u64 + 1),
                    c,
                    format!(
                        "one of the columns {}, {}",
                        REQUIRED.join(", "),
                        OPTIONAL.join(", ")
                    ),
                    format!("an unknown column `{c}`"),
                ));
            }
        }
        let index = |name: &str| cols.iter().position(|c| c == name);
        for name in REQUIRED {
            if index(name).is_none() {
                errs.push(err(
                    1,
                    None,
                    name,
                    format!(
                        "a `{name}` column (the header must name {})",
                        REQUIRED.join(", ")
                    ),
                    format!("the header `{}`", cols.join(",")),
                ));
            }
        }
        if !errs.is_empty() {
            return Err(HistoryErrors(errs));
        }
        let at = |name: &str| index(name).unwrap_or(0);
        let (im, is, iy, io) = (at("metric"), at("scope"), at("year"), at("observed"));
        let ie = index("rel_error");
        let mut rows = Vec::new();
        for rec in reader.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    errs.push(err(line, None, "(row)", "a CSV row".into(), e.to_string()));
                    continue;
                }
            };
            let line = rec.position().map_or(0, |p| p.line());
            // A record's fields are stored without their delimiters: add one
            // per field before (exact for unquoted fields).
            let col = |i: usize| rec.range(i).map(|r| (r.start + i) as u64 + 1);
            let field = |i: usize| rec.get(i).unwrap_or("").trim();
            if rec.len() != cols.len() {
                errs.push(err(
                    line,
                    None,
                    "(row)",
                    format!("{} fields, as in the header", cols.len()),
                    format!("{}", rec.len()),
                ));
                continue;
            }
            let mut ok = true;
            let metric = Metric::from_name(field(im));
            if metric.is_none() {
                errs.push(err(
                    line,
                    col(im),
                    "metric",
                    "one of wfsim's metric names (as in metrics.csv, e.g. certificates_issued, registrants, certified)".into(),
                    format!("`{}`", field(im)),
                ));
                ok = false;
            }
            let scope = scope(sc, field(is));
            if let Err(expected) = &scope {
                errs.push(err(
                    line,
                    col(is),
                    "scope",
                    expected.clone(),
                    format!("`{}`", field(is)),
                ));
                ok = false;
            }
            let year = field(iy).parse::<i32>();
            match year {
                Ok(y) if (sc.start_year..=sc.end_year).contains(&y) => {}
                _ => {
                    errs.push(err(
                        line,
                        col(iy),
                        "year",
                        format!(
                            "a year the scenario simulates, {}–{} ({} is its start: the drawn start stocks)",
                            sc.start_year, sc.end_year, sc.start_year
                        ),
                        format!("`{}`", field(iy)),
                    ));
                    ok = false;
                }
            }
            let observed = field(io).parse::<f64>();
            match observed {
                Ok(x) if x.is_finite() && x >= 0.0 => {}
                _ => {
                    errs.push(err(
                        line,
                        col(io),
                        "observed",
                        "a non-negative number (a share as 0.25, not 25%)".into(),
                        format!("`{}`", field(io)),
                    ));
                    ok = false;
                }
            }
            let rel_error = match ie.map(field) {
                None | Some("") => None,
                Some(s) => match s.parse::<f64>() {
                    Ok(x) if x > 0.0 && x <= 1.0 => Some(x),
                    _ => {
                        errs.push(err(
                            line,
                            ie.and_then(col),
                            "rel_error",
                            "a reporting error as a share of the value, above 0 and at most 1 (0.05 = ±5%), or empty".into(),
                            format!("`{s}`"),
                        ));
                        ok = false;
                        None
                    }
                },
            };
            if let (true, Some(metric), Ok(scope), Ok(year), Ok(observed)) =
                (ok, metric, scope, year, observed)
            {
                if rows.iter().any(|o: &Observation| {
                    o.metric == metric && o.scope_name == field(is) && o.year == year
                }) {
                    errs.push(err(
                        line,
                        None,
                        "(row)",
                        "one figure per metric, scope and year".into(),
                        format!("a second {} for {} in {year}", field(im), field(is)),
                    ));
                    continue;
                }
                rows.push(Observation {
                    metric,
                    scope,
                    scope_name: field(is).to_string(),
                    year,
                    observed,
                    rel_error,
                    line,
                });
            }
        }
        if rows.is_empty() && errs.is_empty() {
            errs.push(err(
                2,
                None,
                "(rows)",
                "at least one observed figure".into(),
                "none".into(),
            ));
        }
        if errs.is_empty() {
            Ok(History {
                file: path.to_path_buf(),
                rows,
            })
        } else {
            Err(HistoryErrors(errs))
        }
    }

    /// The rows observed in or before `year` (the fitting years of a back-test).
    pub fn until(&self, year: i32) -> History {
        History {
            file: self.file.clone(),
            rows: self
                .rows
                .iter()
                .filter(|o| o.year <= year)
                .cloned()
                .collect(),
        }
    }

    /// The rows observed after `year` (the held-out years of a back-test).
    pub fn after(&self, year: i32) -> History {
        History {
            file: self.file.clone(),
            rows: self
                .rows
                .iter()
                .filter(|o| o.year > year)
                .cloned()
                .collect(),
        }
    }
}

/// A scope a history row can name: the total, a region, or a tag's sum.
fn scope(sc: &Scenario, s: &str) -> Result<Scope, String> {
    let expected = || {
        format!(
            "\"total\", a region id ({}) or \"tag:TAG\"",
            sc.regions
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if s == "total" {
        return Ok(Scope::Total);
    }
    if let Some(tag) = s.strip_prefix("tag:") {
        let v: Vec<usize> = (0..sc.regions.len())
            .filter(|&i| sc.regions[i].tags.iter().any(|t| t == tag))
            .collect();
        if v.is_empty() {
            return Err(format!("a tag some region carries ({})", expected()));
        }
        return Ok(Scope::Tagged {
            tag: tag.to_string(),
            regions: v,
        });
    }
    sc.regions
        .iter()
        .position(|r| r.id == s)
        .map(Scope::Region)
        .ok_or_else(expected)
}
