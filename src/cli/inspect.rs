//! What a scenario file holds, for a planner editing it: its targets, the
//! numbers a variant, `sweep` or `solve` can set, and the JSON Schema that
//! lets an editor complete and check the file.

use std::path::Path;

use wfsim::report::format;
use wfsim::report::terminal::table;
use wfsim::scenario::{Scenario, Unit, json_schema};

use super::Failure;

/// `wfsim targets FILE`: each target's id (what `solve --target` and
/// `sweep --target` take), label, year and condition.
pub fn targets(sc: &Scenario, json: bool) -> Result<(), Failure> {
    let zh = sc.meta.language == "zh";
    let rows: Vec<[String; 5]> = sc
        .targets
        .iter()
        .map(|t| {
            let share = t.metric.unit() == Unit::Share;
            let threshold = format::value(t.threshold, share, zh);
            let added = if t.since_start { " (added)" } else { "" };
            [
                t.id.clone(),
                t.label.clone(),
                t.year.to_string(),
                format!("{}{added} {} {threshold}", t.metric.name(), t.op.symbol()),
                t.scope.describe(&sc.regions),
            ]
        })
        .collect();
    if json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .zip(&sc.targets)
            .map(|(r, t)| {
                serde_json::json!({
                    "id": r[0], "label": r[1], "year": t.year, "metric": t.metric.name(),
                    "op": t.op.symbol(), "threshold": t.threshold, "scope": r[4],
                    "since_start": t.since_start,
                })
            })
            .collect();
        return print_json(&v);
    }
    let mut t = table(&["id", "target", "year", "condition", "scope"], &[2]);
    for r in rows {
        t.add_row(r.to_vec());
    }
    println!("{t}");
    Ok(())
}

/// `wfsim levers FILE`: the paths of the file's numbers, with their value.
pub fn levers(sc: &Scenario, regions: bool, json: bool) -> Result<(), Failure> {
    let settings = sc.lever_paths(regions);
    if json {
        return print_json(&settings);
    }
    let mut t = table(&["path", "value"], &[]);
    for s in &settings {
        t.add_row(vec![s.path.clone(), s.value.clone()]);
    }
    println!("{t}");
    if !regions {
        println!("Each region's own numbers: add --regions (paths region.<id>.…).");
    }
    println!(
        "Set one with `wfsim sweep {f} --set PATH=v1,v2`, `wfsim solve {f} --lever PATH …` or a [[variant]]'s `set`.",
        f = sc.file.display()
    );
    Ok(())
}

/// `wfsim schema`: the JSON Schema of scenario files, to stdout or a file.
pub fn schema(out: Option<&Path>) -> Result<(), Failure> {
    let text = schema_text()?;
    match out {
        None => {
            println!("{text}");
            Ok(())
        }
        Some(path) => write_whole(path, &text),
    }
}

pub fn schema_text() -> Result<String, Failure> {
    serde_json::to_string_pretty(&json_schema())
        .map_err(|e| Failure::Other(format!("cannot write the schema: {e}")))
}

/// Writes a file whole or not at all (the outputs' own atomic write).
pub fn write_whole(path: &Path, text: &str) -> Result<(), Failure> {
    wfsim::report::write_atomic(path, text.as_bytes())
        .map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())))
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| Failure::Other(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}
