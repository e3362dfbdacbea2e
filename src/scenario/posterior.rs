//! A posterior from `wfsim calibrate`, read back to drive a run: weighted
//! joint draws of named parameters (`posterior.csv`).
//!
//! A run with a posterior draws, for each trajectory, one particle by its
//! weight (from the trajectory's own stream) and uses that particle's values
//! for every parameter the posterior holds, so the correlations the data
//! induced between parameters are kept. Every other number is drawn as the
//! file says. Parameters are matched by path, so a posterior fitted on one
//! file (the national exam series) can be carried into another (a province's
//! plan); `take` names the paths to carry, and a path the scenario does not
//! have is an error, not a silent skip.

use std::path::{Path, PathBuf};

/// Weighted joint draws of named parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// Where it was read from (for messages and the run's record).
    pub source: PathBuf,
    /// Parameter paths, one per column.
    pub paths: Vec<String>,
    /// Particle values, row-major: `values[row * paths.len() + column]`.
    pub values: Vec<f64>,
    /// Normalised cumulative weights, one per row, the last 1.
    cumulative: Vec<f64>,
}

/// Why a posterior cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PosteriorError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    Format {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error(
        "{}: the posterior holds `{path}`, which this scenario does not have{hint}",
        file.display()
    )]
    UnknownPath {
        file: PathBuf,
        path: String,
        hint: String,
    },
    #[error("{}: take `{pattern}` names no parameter the posterior holds (it holds: {held})", file.display())]
    NotHeld {
        file: PathBuf,
        pattern: String,
        held: String,
    },
}

impl Posterior {
    /// A posterior from rows of values and their (unnormalised) weights.
    /// Rows of zero weight are kept but never drawn.
    pub fn new(source: PathBuf, paths: Vec<String>, values: Vec<f64>, weights: &[f64]) -> Self {
        let total: f64 = weights.iter().filter(|w| w.is_finite()).sum();
        let mut acc = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                acc += if w.is_finite() { *w } else { 0.0 };
                if total > 0.0 { acc / total } else { 1.0 }
            })
            .collect();
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        Posterior {
            source,
            paths,
            values,
            cumulative,
        }
    }

    /// Particles held.
    pub fn len(&self) -> usize {
        self.cumulative.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cumulative.is_empty()
    }

    /// The row a uniform draw `u` in [0, 1) picks, by weight.
    #[inline]
    pub fn pick(&self, u: f64) -> usize {
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(self.len() - 1)
    }

    /// Row `i`'s values, in `paths` order.
    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        let k = self.paths.len();
        &self.values[i * k..(i + 1) * k]
    }

    /// Reads `posterior.csv` (or the `calibrate` folder holding it):
    /// a `weight` column, one column per parameter path, and `distance`.
    pub fn read(path: &Path) -> Result<Posterior, PosteriorError> {
        let file = if path.is_dir() {
            path.join("posterior.csv")
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|e| PosteriorError::Io {
            path: file.clone(),
            source: e,
        })?;
        let fmt = |line: u64, message: String| PosteriorError::Format {
            path: file.clone(),
            line,
            message,
        };
        // Written with a BOM (for Excel); one saved by hand may lack it.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| fmt(1, e.to_string()))?.clone();
        let cols: Vec<&str> = headers.iter().collect();
        if cols.first() != Some(&"weight") || cols.last() != Some(&"distance") || cols.len() < 3 {
            return Err(fmt(
                1,
                format!(
                    "expected the header `weight,<parameter paths>,distance` that `wfsim calibrate` writes, found `{}`",
                    cols.join(",")
                ),
            ));
        }
        let paths: Vec<String> = cols[1..cols.len() - 1]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut values = Vec::new();
        let mut weights = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| fmt(line, e.to_string()))?;
            if rec.len() != cols.len() {
                return Err(fmt(
                    line,
                    format!("expected {} fields, found {}", cols.len(), rec.len()),
                ));
            }
            for (k, field) in rec.iter().enumerate().take(cols.len() - 1) {
                let x: f64 = field.trim().parse().map_err(|_| {
                    fmt(
                        line,
                        format!("`{}`: expected a number, found `{field}`", cols[k]),
                    )
                })?;
                if !x.is_finite() || (k == 0 && x < 0.0) {
                    return Err(fmt(
                        line,
                        format!(
                            "`{}`: expected a finite{} number, found `{field}`",
                            cols[k],
                            if k == 0 { " non-negative" } else { "" }
                        ),
                    ));
                }
                if k == 0 {
                    weights.push(x);
                } else {
                    values.push(x);
                }
            }
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err(fmt(
                2,
                "expected particles with positive weight, found none".into(),
            ));
        }
        Ok(Posterior::new(file, paths, values, &weights))
    }

    /// Only the columns whose paths match `patterns` (a path, or a prefix
    /// ending in `*`). Each pattern must match something.
    pub fn take(self, patterns: &[String]) -> Result<Posterior, PosteriorError> {
        if patterns.is_empty() {
            return Ok(self);
        }
        let matches = |pat: &str, p: &str| match pat.strip_suffix('*') {
            Some(prefix) => p.starts_with(prefix),
            None => p == pat,
        };
        for pat in patterns {
            if !self.paths.iter().any(|p| matches(pat, p)) {
                return Err(PosteriorError::NotHeld {
                    file: self.source.clone(),
                    pattern: pat.clone(),
                    held: self.paths.join(", "),
                });
            }
        }
        let keep: Vec<usize> = (0..self.paths.len())
            .filter(|&k| patterns.iter().any(|pat| matches(pat, &self.paths[k])))
            .collect();
        let k = self.paths.len();
        let values = (0..self.len())
            .flat_map(|r| keep.iter().map(move |&c| r * k + c))
            .map(|i| self.values[i])
            .collect();
        Ok(Posterior {
            source: self.source,
            paths: keep.iter().map(|&c| self.paths[c].clone()).collect(),
            values,
            cumulative: self.cumulative,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_rows_by_weight() {
        let p = Posterior::new(
            PathBuf::from("x"),
            vec!["a".into()],
            vec![1.0, 2.0, 3.0],
            &[1.0, 0.0, 3.0],
        );
        assert_eq!(p.pick(0.0), 0);
        assert_eq!(p.pick(0.2499), 0);
        // A zero-weight row is never picked.
        assert_eq!(p.pick(0.25), 2);
        assert_eq!(p.pick(0.999_999), 2);
        assert_eq!(p.row(2), &[3.0]);
    }

    #[test]
    fn take_keeps_named_columns() {
        let p = Posterior::new(
            PathBuf::from("x"),
            vec!["parameters.exam.a".into(), "region.x.stocks.junior".into()],
            vec![1.0, 10.0, 2.0, 20.0],
            &[1.0, 1.0],
        );
        let t = p.clone().take(&["parameters.exam.*".into()]).unwrap();
        assert_eq!(t.paths, vec!["parameters.exam.a"]);
        assert_eq!(t.values, vec![1.0, 2.0]);
        assert!(p.take(&["levers.*".into()]).is_err());
    }
}
