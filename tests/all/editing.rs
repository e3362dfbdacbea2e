//! The planner's editing loop: listing a file's targets and levers, and the
//! JSON Schema an editor completes and checks a file with (issue 13).

use std::path::Path;

use serde_json::Value;
use wfsim::scenario::{Scenario, json_schema};

use crate::common::*;

const SHIPPED: [&str; 6] = [
    "template.toml",
    "hunan-2012-2020.toml",
    "jinan-2020-2025.toml",
    "province-2019-2022.toml",
    "wuhan-2012.toml",
    "kaifu-2010.toml",
];

fn scenarios() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

#[test]
fn targets_lists_every_target_of_each_shipped_plan() {
    for f in SHIPPED {
        let path = scenarios().join(f);
        let sc = Scenario::load(&path).unwrap();
        let (code, out, err) = wfsim(&["targets", path.to_str().unwrap(), "--json"], &scenarios());
        assert_eq!(code, 0, "{err}");
        let listed: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(listed.len(), sc.targets.len(), "{f}");
        for (l, t) in listed.iter().zip(&sc.targets) {
            assert_eq!(l["id"], t.id.as_str());
            assert_eq!(l["year"], t.year);
            assert_eq!(l["threshold"], t.threshold);
        }
        // The table names each target by id and label.
        let (_, table, _) = wfsim(&["targets", path.to_str().unwrap()], &scenarios());
        for t in &sc.targets {
            assert!(
                table.contains(&t.id) && table.contains(&t.label),
                "{f}: {}",
                t.id
            );
        }
    }
}

#[test]
fn every_listed_lever_can_be_set_by_its_path() {
    let sc = template();
    let settings = sc.lever_paths(true);
    assert!(settings.len() > 40, "{}", settings.len());
    for want in [
        "funding.budget",
        "levers.posts.share",
        "region.centre.stocks.junior",
    ] {
        assert!(settings.iter().any(|s| s.path == want), "{want} missing");
    }
    assert!(
        settings
            .iter()
            .any(|s| s.uncertain && s.path == "funding.growth")
    );
    assert!(
        !settings
            .iter()
            .any(|s| s.path.starts_with("target") || s.path.starts_with("run."))
    );
    // Every path is one `sweep`/`solve`/`[[variant]]` accept: setting a
    // number to a value near its own gives a valid scenario that differs.
    for s in settings.iter().filter(|s| !s.uncertain) {
        let v: f64 = s.value.parse().unwrap();
        let changed = sc
            .with_values(&[(s.path.clone(), toml::Value::Float(v))])
            .unwrap_or_else(|e| panic!("{}: {e}", s.path));
        assert_eq!(changed.targets.len(), sc.targets.len());
    }
    // Without --regions, no region's own numbers.
    assert!(
        sc.lever_paths(false)
            .iter()
            .all(|s| !s.path.starts_with("region."))
    );
}

/// The schema of the value at `key` of an object schema, following `$ref`.
fn property<'a>(root: &'a Value, schema: &'a Value, key: &str) -> Option<&'a Value> {
    let schema = resolve(root, schema);
    if let Some(p) = schema.get("properties").and_then(|p| p.get(key)) {
        return Some(resolve(root, p));
    }
    // A map of names (`[tags]`): any key, values of one schema.
    if let Some(p) = schema.get("additionalProperties").filter(|p| p.is_object()) {
        return Some(resolve(root, p));
    }
    for alt in ["anyOf", "oneOf", "allOf"] {
        for s in schema
            .get(alt)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(p) = property(root, s, key) {
                return Some(p);
            }
        }
    }
    None
}

fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => root.pointer(r.trim_start_matches('#')).unwrap_or(s),
        None => s,
    }
}

/// Every key of `v` is in `schema`: what an editor would flag as unknown.
fn keys_known(
    root: &Value,
    schema: &Value,
    v: &toml::Value,
    path: &str,
    unknown: &mut Vec<String>,
) {
    match v {
        toml::Value::Table(t) => {
            // A `set` table of a variant holds paths, not fields.
            if path.ends_with(".set") {
                return;
            }
            for (k, v) in t {
                match property(root, schema, k) {
                    Some(s) => keys_known(root, s, v, &format!("{path}.{k}"), unknown),
                    None => unknown.push(format!("{path}.{k}")),
                }
            }
        }
        toml::Value::Array(items) => {
            let s = resolve(root, schema);
            let item = s
                .get("items")
                .or_else(|| {
                    s.get("anyOf")?
                        .as_array()?
                        .iter()
                        .find_map(|a| resolve(root, a).get("items"))
                })
                .unwrap_or(schema);
            for (i, it) in items.iter().enumerate() {
                keys_known(root, item, it, &format!("{path}[{i}]"), unknown);
            }
        }
        _ => {}
    }
}

#[test]
fn the_schema_knows_every_key_of_the_shipped_plans_and_refuses_others() {
    let schema = json_schema();
    assert_eq!(schema["additionalProperties"], false);
    assert!(
        schema["required"]
            .as_array()
            .unwrap()
            .contains(&"schema_version".into())
    );
    for f in SHIPPED {
        let text = std::fs::read_to_string(scenarios().join(f)).unwrap();
        let doc: toml::Value = toml::from_str(&text).unwrap();
        let mut unknown = Vec::new();
        keys_known(&schema, &schema, &doc, "", &mut unknown);
        assert!(unknown.is_empty(), "{f}: {unknown:?}");
    }
    // A misspelt key is unknown to it, as to the validator.
    let doc: toml::Value = toml::from_str("[run]\nsede = 1\n[funding]\nbudget = 1\n").unwrap();
    let mut unknown = Vec::new();
    keys_known(&schema, &schema, &doc, "", &mut unknown);
    assert_eq!(unknown, vec![".run.sede".to_string()]);
    // Field documentation becomes the description an editor shows.
    let budget = property(
        &schema,
        property(&schema, &schema, "funding").unwrap(),
        "budget",
    )
    .unwrap();
    assert!(
        budget["description"].as_str().unwrap().contains("budget"),
        "{budget}"
    );
    assert_eq!(budget["x-wfsim-kind"], "Money");
    // A number may be written as a distribution, whose family an editor
    // completes.
    let number = &schema["$defs"]["Number"];
    assert!(
        number["description"]
            .as_str()
            .unwrap()
            .contains("distribution")
    );
    let dists = schema["$defs"]["Distribution"]["properties"]["dist"]["enum"].clone();
    assert!(
        dists.as_array().unwrap().contains(&"pert".into()),
        "{dists}"
    );
}

#[test]
fn init_points_the_new_file_at_a_schema_written_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = wfsim(&["init", "plan.toml"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(dir.path().join("plan.toml")).unwrap();
    assert!(
        text.starts_with("#:schema ./wfsim.schema.json\n"),
        "{}",
        &text[..80]
    );
    let written: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("wfsim.schema.json")).unwrap())
            .unwrap();
    assert_eq!(written, json_schema());
    // `wfsim schema` prints the same.
    let (code, printed, _) = wfsim(&["schema"], dir.path());
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Value>(&printed).unwrap(), written);
}
