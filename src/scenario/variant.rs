//! Variants: the same scenario with some values changed. A variant is built
//! by setting values at dotted paths of the base file's TOML and validating
//! the result as a whole scenario, so a variant gets every check the base
//! gets, and a path that names nothing is an error, never ignored.
//!
//! Paths follow the file: `levers.exam_support.share`, `funding.budget`,
//! `parameters.exam.junior_pass_rate`; `region.<id>` and `target.<id>` pick
//! an element of those arrays by its `id`, `transfer.<n>` by position.
//! Because every random stream is keyed by (seed, trajectory, region, year,
//! purpose) and every parameter's stream by its path, a variant run with the
//! base's seed shares its random numbers (common random numbers).

use std::path::Path;

use super::error::{ScenarioError, ScenarioErrors};
use super::{Scenario, VariantSpec};

/// Why a value could not be set.
fn problem(
    file: &Path,
    path: &str,
    expected: impl Into<String>,
    found: impl Into<String>,
) -> ScenarioErrors {
    ScenarioErrors(vec![ScenarioError {
        file: file.to_path_buf(),
        line: None,
        column: None,
        path: path.to_string(),
        expected: expected.into(),
        found: found.into(),
        snippet: None,
        place: None,
    }])
}

/// A number of the file that can be set by its path (a lever, in a
/// planner's words; `Lever` is the levers table's own type).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Setting {
    /// The dotted path `sweep --set`, `solve` and `[[variant]]` take.
    pub path: String,
    /// The value as written (a number, or a distribution table).
    pub value: String,
    /// Whether it is uncertain (a distribution).
    pub uncertain: bool,
    /// The distribution's own `label`, if it has one.
    pub label: Option<String>,
}

fn collect_levers(path: &str, v: &toml::Value, out: &mut Vec<Setting>) {
    match v {
        toml::Value::Integer(_) | toml::Value::Float(_) => out.push(Setting {
            path: path.to_string(),
            value: v.to_string(),
            uncertain: false,
            label: None,
        }),
        toml::Value::Table(t) if t.contains_key("dist") => out.push(Setting {
            path: path.to_string(),
            value: toml::Value::Table(t.clone()).to_string(),
            uncertain: true,
            label: t.get("label").and_then(|l| l.as_str()).map(str::to_string),
        }),
        toml::Value::Table(t) => {
            for (k, v) in t {
                collect_levers(&format!("{path}.{k}"), v, out);
            }
        }
        toml::Value::Array(items) => {
            for (i, it) in items.iter().enumerate() {
                // Elements of a list of tables are named by their id, as
                // paths name them.
                let name = element_name(it).map_or_else(|| i.to_string(), str::to_string);
                if it.is_table() {
                    collect_levers(&format!("{path}.{name}"), it, out);
                }
            }
        }
        _ => {}
    }
}

/// What a path calls an element of a list of tables: its `id` (regions),
/// or its `name` (programmes).
fn element_name(it: &toml::Value) -> Option<&str> {
    it.get("id")
        .or_else(|| it.get("name"))
        .and_then(|v| v.as_str())
}

/// Sets `value` at the dotted `path` of `doc`.
fn set_path(doc: &mut toml::Table, path: &str, value: toml::Value) -> Result<(), (String, String)> {
    let segs: Vec<&str> = path.split('.').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return Err((
            "a dotted path such as levers.exam_support.share".into(),
            format!("{path:?}"),
        ));
    }
    let mut table = doc;
    let mut i = 0;
    while i + 1 < segs.len() {
        let key = segs[i];
        let entry = table
            .entry(key.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = match entry {
            toml::Value::Table(t) => t,
            toml::Value::Array(items) => {
                // An array of tables: the next segment picks an element by id (or position).
                let pick = segs[i + 1];
                let pos = items
                    .iter()
                    .position(|it| element_name(it) == Some(pick))
                    .or_else(|| pick.parse::<usize>().ok().filter(|&n| n < items.len()));
                let Some(pos) = pos else {
                    let ids: Vec<String> = items
                        .iter()
                        .filter_map(|it| element_name(it).map(String::from))
                        .collect();
                    return Err((
                        format!(
                            "an element of `{key}` by id or name ({}) or position",
                            ids.join(", ")
                        ),
                        format!("{pick:?}"),
                    ));
                };
                i += 1;
                match &mut items[pos] {
                    toml::Value::Table(t) => t,
                    _ => {
                        return Err((format!("a table at `{key}.{pick}`"), "another value".into()));
                    }
                }
            }
            other => {
                return Err((
                    format!("a table at `{}`", segs[..=i].join(".")),
                    format!("the value {other}"),
                ));
            }
        };
        i += 1;
    }
    let last = segs[segs.len() - 1];
    table.insert(last.to_string(), value);
    Ok(())
}

impl Scenario {
    /// This scenario with the values at the given dotted paths replaced.
    pub fn with_values(&self, set: &[(String, toml::Value)]) -> Result<Scenario, ScenarioErrors> {
        self.with_values_in(self.editable()?, set)
    }

    /// This scenario with each set of values in turn: the file is parsed
    /// (and its region tables read) once for all of them, as a sweep's grid
    /// needs, rather than once per point.
    pub fn with_each_values(
        &self,
        sets: &[Vec<(String, toml::Value)>],
    ) -> Result<Vec<Scenario>, ScenarioErrors> {
        let doc = self.editable()?;
        sets.iter()
            .map(|set| self.with_values_in(doc.clone(), set))
            .collect()
    }

    /// The scenario's own text as a document to set values in: without its
    /// variants, and with the rows of region tables written out.
    fn editable(&self) -> Result<toml::Table, ScenarioErrors> {
        let mut doc: toml::Table = toml::from_str(&self.source).map_err(|e| {
            problem(
                &self.file,
                "",
                "the scenario's own text to parse",
                e.to_string(),
            )
        })?;
        doc.remove("variant");
        // Regions read from a table are set by id like written ones: the
        // table's rows take the place of its `[[region]]`.
        if let Some(toml::Value::Array(items)) = doc.get_mut("region") {
            let mut regions = Vec::new();
            for it in std::mem::take(items) {
                let Some(file) = it.get("table").and_then(|v| v.as_str()) else {
                    regions.push(it);
                    continue;
                };
                let sheet = it.get("sheet").and_then(|v| v.as_str());
                let rows = super::table::region_rows(&self.file, file, sheet).map_err(|e| {
                    let found = e.first().map(|e| e.found.clone()).unwrap_or_default();
                    problem(&self.file, "region", "the regions' table, readable", found)
                })?;
                regions.extend(rows.into_iter().map(|(t, _)| toml::Value::Table(t)));
            }
            *items = regions;
        }
        Ok(doc)
    }

    /// `doc` (from [`Scenario::editable`]) with the values set, validated.
    fn with_values_in(
        &self,
        mut doc: toml::Table,
        set: &[(String, toml::Value)],
    ) -> Result<Scenario, ScenarioErrors> {
        for (path, value) in set {
            set_path(&mut doc, path, value.clone())
                .map_err(|(exp, found)| problem(&self.file, path, exp, found))?;
        }
        let text = toml::to_string(&doc).map_err(|e| {
            problem(
                &self.file,
                "",
                "a scenario that can be written",
                e.to_string(),
            )
        })?;
        let changed: Vec<String> = set.iter().map(|(p, v)| format!("{p} = {v}")).collect();
        match Scenario::from_str(&self.file, &text) {
            Ok(mut sc) => {
                sc.variants = Vec::new();
                // A posterior carries over, except for the paths the variant
                // sets: there the variant's value is the question asked.
                sc.posterior = self.posterior.as_ref().and_then(|p| {
                    let kept: Vec<String> = p
                        .paths
                        .iter()
                        .filter(|q| !set.iter().any(|(s, _)| s == *q))
                        .cloned()
                        .collect();
                    if kept.is_empty() {
                        return None;
                    }
                    (**p).clone().take(&kept).ok().map(std::sync::Arc::new)
                });
                Ok(sc)
            }
            // Positions in the rebuilt text would mislead: name the change instead.
            Err(ScenarioErrors(errs)) => Err(ScenarioErrors(
                errs.into_iter()
                    .map(|e| ScenarioError {
                        line: None,
                        column: None,
                        snippet: None,
                        path: format!("{} (with {})", e.path, changed.join(", ")),
                        ..e
                    })
                    .collect(),
            )),
        }
    }

    /// The numbers of the file that a variant, `sweep --set` or `solve` can
    /// set, by dotted path (regions and other lists by id), with their value
    /// as written: every number outside `[run]`, `[time]`, `[[target]]`,
    /// `[[variant]]`, `[[not_modelled]]` and `[[correlation]]`, and every
    /// distribution as a whole. Regions' own numbers only with `regions`.
    pub fn lever_paths(&self, regions: bool) -> Vec<Setting> {
        let Ok(doc) = toml::from_str::<toml::Table>(&self.source) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in &doc {
            // Targets, the variants themselves and the run's own settings
            // (horizon, seed) are not levers.
            let skip = [
                "schema_version",
                "run",
                "time",
                "target",
                "variant",
                "not_modelled",
                "correlation",
                "tags",
                "labels",
            ];
            if skip.contains(&k.as_str()) || (k == "region" && !regions) {
                continue;
            }
            collect_levers(k, v, &mut out);
        }
        out
    }

    /// A declared variant as a scenario.
    pub fn variant(&self, spec: &VariantSpec) -> Result<Scenario, ScenarioErrors> {
        let mut sc = self.with_values(&spec.set)?;
        sc.meta.label = format!("{} — {}", self.meta.label, spec.label);
        Ok(sc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_reach_tables_and_arrays_by_id() {
        let mut doc: toml::Table = toml::from_str("[a]\nb = 1\n[[region]]\nid = \"x\"\n[[region]]\nid = \"y\"\n[region.stocks]\njunior = 1").unwrap();
        set_path(&mut doc, "a.b", toml::Value::Integer(2)).unwrap();
        set_path(&mut doc, "region.y.stocks.junior", toml::Value::Integer(5)).unwrap();
        set_path(&mut doc, "levers.posts.share", toml::Value::Float(0.5)).unwrap();
        assert_eq!(doc["a"]["b"].as_integer(), Some(2));
        assert_eq!(doc["region"][1]["stocks"]["junior"].as_integer(), Some(5));
        assert_eq!(doc["levers"]["posts"]["share"].as_float(), Some(0.5));
        let e = set_path(&mut doc, "region.z.budget_share", toml::Value::Float(0.1)).unwrap_err();
        assert!(e.0.contains("x, y"), "{e:?}");
        let e = set_path(&mut doc, "a.b.c", toml::Value::Float(0.1)).unwrap_err();
        assert!(e.0.contains("a table at `a.b`"), "{e:?}");
    }
}
