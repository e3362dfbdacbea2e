//! Raw scenario file → validated [`Scenario`]. Every check a planner could
//! trip over is here, and all problems of a file are reported together.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use super::error::{FieldPath, Locator, ScenarioError, ScenarioErrors, did_you_mean};
use super::group::{Kind, ParamFields};
use super::metric::{Metric, Unit};
use super::param::Param;
use super::schema::{SCHEMA_VERSION, ScenarioFile};
use super::{
    Correlations, FundingPlan, Lever, Levers, MAX_PROGRAMMES, Meta, NotModelled, Op, Parameters,
    Programme, ProgrammeKind, Region, Scenario, Scope, Stock, Target, Transfer,
};

/// Collects problems with their positions.
struct Checker<'a> {
    loc: Locator<'a>,
    errors: Vec<ScenarioError>,
    /// Whether the parameters being checked are a region's (where `shared` applies).
    regional: bool,
}

impl Checker<'_> {
    fn err(&mut self, path: &FieldPath, expected: impl Into<String>, found: impl Into<String>) {
        let e = self.loc.at(path, expected, found);
        self.errors.push(e);
    }

    /// Checks one parameter against its kind; `yearly` says whether it may vary by year.
    fn param(&mut self, path: &FieldPath, kind: Kind, p: &Param, yearly: bool) {
        match p {
            Param::Fixed(v) => {
                if !v.is_finite() || !kind.admits(*v, *v) {
                    self.err(path, kind.expected(), fmt_num(*v));
                }
            }
            Param::Random { dist, .. } => {
                if let Err(problem) = dist.check() {
                    self.err(path, problem.expected, problem.found);
                    return;
                }
                let (lo, hi) = kind.checked_range(dist);
                if !kind.admits(lo, hi) {
                    self.err(
                        path,
                        format!(
                            "{} (a distribution whose every value is allowed; give min/max bounds)",
                            kind.expected()
                        ),
                        format!(
                            "a {} distribution ranging over {}{}, {}]",
                            dist_name(dist),
                            // A lognormal's support is open at 0.
                            if lo == f64::MIN_POSITIVE { "(" } else { "[" },
                            if lo == f64::MIN_POSITIVE {
                                "0".to_string()
                            } else {
                                fmt_num(lo)
                            },
                            fmt_num(hi)
                        ),
                    );
                }
                if p.per_year() && !yearly {
                    self.err(
                        &path.key("per"),
                        "per = \"trajectory\" (this number cannot change from year to year)",
                        "per = \"year\"",
                    );
                }
                self.random_extras(path, p);
            }
        }
    }

    /// `shared`, `year_sd` and `persistence`: each where it means something.
    fn random_extras(&mut self, path: &FieldPath, p: &Param) {
        let Param::Random {
            dist, shared, year, ..
        } = p
        else {
            return;
        };
        if let Some(s) = shared {
            if !self.regional {
                self.err(
                    &path.key("shared"),
                    "`shared` only on a region's numbers (facts and stocks), where it ties the regions' draws together",
                    format!("shared = {}", fmt_num(*s)),
                );
            } else if !(0.0..=1.0).contains(s) {
                self.err(
                    &path.key("shared"),
                    "a correlation between regions from 0 (each region its own) to 1 (one province-wide draw)",
                    fmt_num(*s),
                );
            } else if *s > 0.0 && dist.quantile(0.5).is_none() {
                self.err(
                    &path.key("shared"),
                    "a distribution with a quantile function (not a mixture) for a shared draw",
                    "a mixture",
                );
            }
        }
        if let Some(y) = year {
            if !p.per_year() {
                self.err(
                    &path.key("year_sd"),
                    "per = \"year\" beside `year_sd` (a year effect needs yearly draws)",
                    "per = \"trajectory\"",
                );
            }
            if !(y.sd.is_finite() && y.sd >= 0.0) {
                self.err(
                    &path.key("year_sd"),
                    "a standard deviation ≥ 0",
                    fmt_num(y.sd),
                );
            }
            let (lo, hi) = y.persistence.support();
            let ok = match y.persistence.as_ref() {
                Param::Random { dist, .. } => dist.check().is_ok(),
                Param::Fixed(v) => v.is_finite(),
            };
            if !ok || lo < 0.0 || hi >= 1.0 || y.persistence.per_year() {
                self.err(
                    &path.key("persistence"),
                    "a persistence ρ with 0 ≤ ρ < 1, fixed or drawn per trajectory",
                    match y.persistence.as_ref() {
                        Param::Fixed(v) => fmt_num(*v),
                        _ => format!("a distribution over [{}, {}]", fmt_num(lo), fmt_num(hi)),
                    },
                );
            }
        }
    }

    fn group(&mut self, base: &FieldPath, g: &dyn ParamFields, yearly: bool) {
        g.each_param(&mut |name, kind, p| self.param(&base.key(name), kind, p, yearly));
    }

    fn share(&mut self, path: &FieldPath, v: f64) {
        if !(0.0..=1.0).contains(&v) {
            self.err(path, "a share between 0 and 1", fmt_num(v));
        }
    }
}

fn dist_name(d: &super::param::Dist) -> &'static str {
    use super::param::Dist::*;
    match d {
        Beta { .. } => "beta",
        Normal { .. } => "normal",
        Lognormal { .. } => "lognormal",
        Uniform { .. } => "uniform",
        Triangular { .. } => "triangular",
        Pert { .. } => "pert",
        Bernoulli { .. } => "bernoulli",
        Discrete { .. } => "discrete",
        Mixture { .. } => "mixture",
    }
}

/// Formats a number as a planner wrote it (no trailing `.0` on whole numbers).
pub(crate) fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.is_finite() && v.abs() >= 1e15 {
        // 1e300, not three hundred digits.
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Turns a serde error into a positioned error, splitting its message into
/// what was expected and what was found.
fn from_serde(loc: &Locator, err: serde_path_to_error::Error<toml::de::Error>) -> ScenarioError {
    let path = err.path().to_string();
    let inner = err.inner();
    let msg = inner.message().trim().to_string();
    let (expected, found) = split_message(&msg);
    let path = if path == "." { String::new() } else { path };
    // serde_path_to_error's path already ends with an unknown field's name.
    let path = match unknown_field(&msg) {
        Some(f) if path.is_empty() => f,
        Some(f) if !path.ends_with(&f) => format!("{path}.{f}"),
        _ => path,
    };
    loc.at_span(inner.span(), path, expected, found)
}

fn unknown_field(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_string())
}

fn split_message(msg: &str) -> (String, String) {
    for (prefix, what) in [("unknown field ", "field"), ("unknown variant ", "kind")] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            let (name, expected) = rest
                .split_once(", expected ")
                .unwrap_or((rest, "a known one"));
            let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let hint = did_you_mean(name.trim_matches('`'), known)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return (
                format!("a known {what} ({expected})"),
                format!("unknown {what} {name}{hint}"),
            );
        }
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        return (format!("the field {rest}"), "nothing".into());
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return (planner_words(expected), planner_words(found));
    }
    if let Some((e, f)) = msg
        .strip_prefix("expected ")
        .and_then(|r| r.split_once(", found "))
    {
        return (planner_words(e), planner_words(f));
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return (planner_words(expected), planner_words(found));
    }
    ("valid TOML for this field".into(), msg.to_string())
}

/// serde's Rust words ("u64", "sequence") in a planner's words.
fn planner_words(s: &str) -> String {
    let s = s.trim();
    let words: &[(&str, &str)] = &[
        ("u64", "a whole number ≥ 0"),
        ("u32", "a whole number ≥ 0"),
        ("usize", "a whole number ≥ 0"),
        ("i64", "a whole number"),
        ("i32", "a whole number"),
        ("f64", "a number"),
        ("a sequence", "a list [ … ]"),
        ("sequence", "a list [ … ]"),
        ("a map", "a table { … }"),
        ("map", "a table { … }"),
        ("a string", "text in quotes"),
        ("a boolean", "true or false"),
        ("struct Param", "a number or a distribution { dist = … }"),
    ];
    for (rust, planner) in words {
        if s == *rust {
            return planner.to_string();
        }
    }
    // "string \"3000\"", "integer `3`", "sequence of …": keep the value,
    // name the kind.
    if let Some(text) = s.strip_prefix("string ") {
        return format!("the text {text}");
    }
    if let Some(n) = s
        .strip_prefix("integer ")
        .or(s.strip_prefix("floating point "))
    {
        return format!("the number {}", n.trim_matches('`'));
    }
    if let Some(b) = s.strip_prefix("boolean ") {
        return b.trim_matches('`').to_string();
    }
    s.replacen("sequence", "list", 1)
        .replacen("a map", "a table", 1)
        .replacen("struct ", "", 1)
}

pub(super) fn validate(path: &Path, text: &str) -> Result<Scenario, ScenarioErrors> {
    // A byte-order mark (Windows editors write one) is not part of line 1:
    // columns and carets count from after it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let loc = Locator::new(path, text);

    // Syntax first: a file that is not TOML has nothing else to check.
    let doc = match toml::de::DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let (expected, found) = split_message(e.message().trim());
            return Err(ScenarioErrors(vec![loc.at_span(
                e.span(),
                String::new(),
                format!("valid TOML ({expected})"),
                found,
            )]));
        }
    };

    // The version before anything else: a file of another version may use
    // fields this build does not know, and those errors would mislead.
    // A plain `schema_version = 1` is read from the document parsed above;
    // anything else is parsed again as values, to be quoted as written.
    let root = FieldPath::default();
    let plain = doc
        .get_ref()
        .get("schema_version")
        .and_then(|v| v.get_ref().as_integer())
        .is_some_and(|i| i.radix() == 10 && i.as_str() == SCHEMA_VERSION.to_string());
    let version = if plain {
        Some(toml::Value::Integer(SCHEMA_VERSION))
    } else {
        toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|t| t.get("schema_version").cloned())
    };
    match version {
        Some(toml::Value::Integer(SCHEMA_VERSION)) => {}
        Some(v) => {
            return Err(ScenarioErrors(vec![loc.at(
                &root.key("schema_version"),
                format!("schema_version = {SCHEMA_VERSION} (this is wfsim {}, which reads version {SCHEMA_VERSION} files)", env!("CARGO_PKG_VERSION")),
                format!("schema_version = {v}"),
            )]));
        }
        None => {
            return Err(ScenarioErrors(vec![loc.at_span(
                Some(0..0),
                "schema_version".into(),
                format!("`schema_version = {SCHEMA_VERSION}` as the first line of the file"),
                "no schema_version",
            )]));
        }
    }

    let (raw, structural) = read_structure(&loc, doc);
    let Some(raw) = raw else {
        let mut errors = structural;
        in_file_order(&mut errors);
        return Err(ScenarioErrors(errors));
    };

    let mut errors = structural;
    let before = errors.len();
    let (raw, origins) = expand_region_tables(&loc, path, text, raw, &mut errors);
    // A table that cannot be read leaves regions missing, and every target
    // and transfer naming them would be reported too: its own mistakes
    // first, one mistake one message.
    if errors.len() > before {
        in_file_order(&mut errors);
        return Err(ScenarioErrors(errors));
    }
    let mut c = Checker {
        loc,
        errors,
        regional: false,
    };
    let mut scenario = check(&mut c, path, raw);
    scenario.source = text.to_string();
    if c.errors.is_empty() {
        check_variants(&mut c, &scenario);
        check_parameter_labels(&mut c, &scenario);
    }
    for e in &mut c.errors {
        place_in_table(e, &origins);
    }
    if c.errors.is_empty() {
        Ok(scenario)
    } else {
        // In the order of the file, as an editor goes through them.
        in_file_order(&mut c.errors);
        Err(ScenarioErrors(c.errors))
    }
}

/// Replaces each `[[region]]` that names a `table` by the table's regions,
/// and says where each region of the result came from (`None`: the file).
fn expand_region_tables(
    loc: &Locator,
    path: &Path,
    text: &str,
    mut raw: ScenarioFile,
    errors: &mut Vec<ScenarioError>,
) -> (ScenarioFile, Vec<Option<super::table::Origin>>) {
    if raw.region.iter().all(|r| r.table.is_none()) {
        let n = raw.region.len();
        return (raw, vec![None; n]);
    }
    let doc: Option<toml::Table> = toml::from_str(text).ok();
    let mut regions = Vec::new();
    let mut origins = Vec::new();
    for (i, r) in std::mem::take(&mut raw.region).into_iter().enumerate() {
        let rp = FieldPath::default().key("region").index(i);
        let Some(file) = r.table.clone() else {
            if r.sheet.is_some() {
                errors.push(loc.at(
                    &rp.key("sheet"),
                    "`sheet` only beside `table`",
                    "`sheet` alone",
                ));
            }
            regions.push(r);
            origins.push(None);
            continue;
        };
        // A table region is the table's: nothing else may be set beside it.
        let keys: Vec<String> = doc
            .as_ref()
            .and_then(|d| d.get("region")?.as_array()?.get(i)?.as_table().cloned())
            .map(|t| {
                t.keys()
                    .filter(|k| *k != "table" && *k != "sheet")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        for k in keys {
            errors.push(loc.at(
                &rp.key(&k),
                "only `table` (and `sheet`) in a [[region]] that takes its regions from a table: set the rest in the table's columns",
                format!("`{k}` beside `table`"),
            ));
        }
        match super::table::regions_from_table(path, &file, r.sheet.as_deref()) {
            Ok(rows) => {
                for (region, origin) in rows {
                    regions.push(region);
                    origins.push(Some(origin));
                }
            }
            Err(errs) => {
                for e in errs {
                    let mut err = loc.at(&rp.key("table"), e.expected, e.found);
                    err.file = e.file;
                    (err.line, err.column, err.snippet) = (None, None, None);
                    err.place = (!e.place.is_empty()).then_some(e.place);
                    errors.push(err);
                }
            }
        }
    }
    raw.region = regions;
    (raw, origins)
}

/// A mistake in a region read from a table, put where it is in the table.
fn place_in_table(e: &mut ScenarioError, origins: &[Option<super::table::Origin>]) {
    use super::error::Seg;
    let p = FieldPath::parse(&e.path);
    let (Some(Seg::Key(k)), Some(Seg::Index(i))) = (p.0.first(), p.0.get(1)) else {
        return;
    };
    let Some(Some(origin)) = origins.get(*i).filter(|_| k == "region") else {
        return;
    };
    let field = p.0.iter().rev().find_map(|s| match s {
        Seg::Key(k) => Some(k.as_str()),
        Seg::Index(_) => None,
    });
    e.place = Some(origin.place(field));
    e.file = origin.file.clone();
    (e.line, e.column, e.snippet) = (None, None, None);
}

/// Errors in the order of the file, as an editor goes through them (those
/// with no place last).
fn in_file_order(errors: &mut [ScenarioError]) {
    errors.sort_by_key(|e| (e.line.unwrap_or(usize::MAX), e.column.unwrap_or(0)));
}

/// Structural errors reported at once, at most this many.
const MAX_STRUCTURAL: usize = 30;

/// Reads the file's structure, with every structural error at once: an
/// unknown key or a value of the wrong kind is reported, taken out of the
/// document and the rest read again, so that a file with a misspelt key and
/// a wrong value elsewhere gets both messages in one go (and, when what was
/// taken out was optional, the file's other checks too). Stops when what
/// was taken out is then missing (one mistake, one message).
fn read_structure(
    loc: &Locator,
    mut doc: toml::Spanned<toml::de::DeTable>,
) -> (Option<ScenarioFile>, Vec<ScenarioError>) {
    let mut errors: Vec<ScenarioError> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    loop {
        let de = toml::Deserializer::from(doc.clone());
        let e = match serde_path_to_error::deserialize::<_, ScenarioFile>(de) {
            Ok(raw) => return (Some(raw), errors),
            Err(e) => e,
        };
        let missing = missing_field(e.inner().message()).map(|f| {
            let parent = e.path().to_string();
            if parent == "." {
                f
            } else {
                format!("{parent}.{f}")
            }
        });
        if missing.is_some_and(|m| removed.contains(&m)) {
            return (None, errors);
        }
        let err = from_serde(loc, e);
        let path = FieldPath::parse(&err.path);
        let again = errors.iter().any(|x| x.path == err.path);
        if !again {
            errors.push(err);
        }
        if again || errors.len() >= MAX_STRUCTURAL || !remove_at(doc.get_mut(), &path.0) {
            return (None, errors);
        }
        removed.push(path.to_string());
    }
}

fn missing_field(msg: &str) -> Option<String> {
    let rest = msg.trim().strip_prefix("missing field `")?;
    Some(rest[..rest.find('`')?].to_string())
}

/// Takes the value at `path` out of a parsed document (not an element of
/// a list, which would renumber the rest).
fn remove_at(table: &mut toml::de::DeTable, path: &[super::error::Seg]) -> bool {
    use super::error::Seg;
    match path {
        [Seg::Key(k)] => table.remove(k.as_str()).is_some(),
        [Seg::Key(k), rest @ ..] => table
            .get_mut(k.as_str())
            .is_some_and(|v| remove_in(v.get_mut(), rest)),
        _ => false,
    }
}

fn remove_in(value: &mut toml::de::DeValue, path: &[super::error::Seg]) -> bool {
    use super::error::Seg;
    use toml::de::DeValue;
    match (value, path) {
        (DeValue::Table(t), [Seg::Key(_), ..]) => remove_at(t, path),
        (DeValue::Array(a), [Seg::Index(i), rest @ ..]) if !rest.is_empty() => {
            a.get_mut(*i).is_some_and(|v| remove_in(v.get_mut(), rest))
        }
        _ => false,
    }
}

/// Builds every `[[variant]]` now, so that a variant which does not make a
/// valid scenario (an unknown path, a share of 7) is an error of the file,
/// at the line of the value it sets, not a surprise when `compare` runs.
/// `[labels]`: each key a path of a number of the file (as `wfsim levers
/// --regions` lists them, or `region.*.…` for every region's), each label
/// not empty.
fn check_parameter_labels(c: &mut Checker, sc: &Scenario) {
    // The paths come from parsing the file again: only when there are labels.
    if sc.parameter_labels.is_empty() {
        return;
    }
    let root = FieldPath::default().key("labels");
    let known = sc.labelled_paths();
    for (path, label) in &sc.parameter_labels {
        if !known.contains(path) {
            let hint = did_you_mean(path, known.iter().map(String::as_str))
                .map(|m| format!(" (did you mean \"{m}\"?)"))
                .unwrap_or_default();
            c.err(
                &root.key(path),
                "the path of a number of the file, as `wfsim levers FILE --regions` lists it",
                format!("{path:?}, which the file has no number at{hint}"),
            );
        } else if label.trim().is_empty() {
            c.err(&root.key(path), "the number's label", "an empty text");
        }
    }
}

fn check_variants(c: &mut Checker, sc: &Scenario) {
    for (i, v) in sc.variants.iter().enumerate() {
        let Err(errs) = sc.variant(v) else { continue };
        let at = FieldPath::default().key("variant").index(i).key("set");
        for e in errs.0 {
            // The set key the error is about: the one its path starts with,
            // else the only one under the table it names, else the table.
            let inner = e.path.split(" (with").next().unwrap_or("").to_string();
            let under: Vec<&String> = v
                .set
                .iter()
                .map(|(k, _)| k)
                .filter(|k| k.starts_with(&format!("{inner}.")))
                .collect();
            let key = v
                .set
                .iter()
                .map(|(k, _)| k)
                .find(|k| e.path.starts_with(k.as_str()))
                .or(if under.len() == 1 {
                    Some(under[0])
                } else {
                    None
                });
            let found = if key.is_some_and(|k| *k == inner) || inner.is_empty() {
                e.found
            } else {
                format!("{} (at {inner})", e.found)
            };
            match key {
                Some(k) => c.err(&at.key(k), e.expected, found),
                None => c.err(&at, e.expected, found),
            }
        }
    }
}

fn check(c: &mut Checker, path: &Path, raw: ScenarioFile) -> Scenario {
    let root = FieldPath::default();

    // What the scenario is.
    let m = &raw.scenario;
    let mp = root.key("scenario");
    if m.name.trim().is_empty() || m.name.contains(['/', '\\']) || m.name.starts_with('.') {
        c.err(
            &mp.key("name"),
            "a short name usable as a folder name (no slashes, not starting with '.')",
            format!("{:?}", m.name),
        );
    }
    let label = m.label.clone().unwrap_or_else(|| m.name.clone());
    let language = match m.language.as_deref() {
        Some(l @ ("zh" | "en")) => l.to_string(),
        Some(other) => {
            c.err(
                &mp.key("language"),
                "\"zh\" or \"en\"",
                format!("{other:?}"),
            );
            "en".into()
        }
        None if label.chars().any(is_cjk) => "zh".into(),
        None => "en".into(),
    };
    // One language per briefing: a Chinese plan's Chinese texts where the
    // file has them.
    let zh = language == "zh";
    let description = match &m.description_zh {
        Some(d) if zh && !d.trim().is_empty() => d.clone(),
        _ => m.description.clone(),
    };
    let assumptions = if zh && !m.assumptions_zh.is_empty() {
        m.assumptions_zh.clone()
    } else {
        m.assumptions.clone()
    };
    let meta = Meta {
        name: m.name.clone(),
        label,
        label_en: m.label_en.clone(),
        description,
        language,
        sources: m.sources.clone(),
        references: m.references.clone(),
        assumptions,
    };
    if raw.run.trajectories == Some(0) {
        c.err(
            &root.key("run").key("trajectories"),
            "at least 1 trajectory",
            "0",
        );
    }

    // Time.
    let tp = root.key("time");
    let (start, end) = (raw.time.start_year, raw.time.end_year);
    for (k, y) in [("start_year", start), ("end_year", end)] {
        if !(1900..=2200).contains(&y) {
            c.err(&tp.key(k), "a year between 1900 and 2200", y.to_string());
        }
    }
    if end < start {
        c.err(
            &tp.key("end_year"),
            format!("end_year ≥ start_year ({start})"),
            end.to_string(),
        );
    } else if end == start {
        c.err(&tp.key("end_year"), format!("end_year after start_year ({start}): stocks are as of the end of start_year, the run projects the years after it"), end.to_string());
    } else if end - start > 100 {
        c.err(
            &tp.key("end_year"),
            "a horizon of at most 100 years",
            format!("{} years", end - start),
        );
    }
    let (start, end) = (start.clamp(1900, 2200) as i32, end.clamp(1900, 2200) as i32);

    // Regions.
    let regions = check_regions(c, &raw);

    // Parameters: all may vary by year.
    let pp = root.key("parameters");
    let p = &raw.parameters;
    let parameters = Parameters {
        exam: p.exam.resolve(),
        training: p.training.resolve(),
        promotion: p.promotion.resolve(),
        attrition: p.attrition.resolve(),
        pay: p.pay.resolve(),
        entry: p.entry.resolve(),
        orgs: p.orgs.resolve(),
        coverage: p.coverage.resolve(),
        equivalence: p.equivalence.resolve(),
        rates_at_start_pay: match p.attrition.rates_observed_at.as_deref() {
            None | Some("start") => true,
            Some("benchmark") => false,
            Some(other) => {
                c.err(
                    &pp.key("attrition").key("rates_observed_at"),
                    "\"start\" (rates as observed today, with today's pay) or \"benchmark\" (rates for staff paid the benchmark wage)",
                    format!("{other:?}"),
                );
                true
            }
        },
        rates_among_all: match p.attrition.rates_observed_among.as_deref() {
            None | Some("placed") => false,
            Some("all") => true,
            Some(other) => {
                c.err(
                    &pp.key("attrition").key("rates_observed_among"),
                    "\"placed\" (rates of people holding a place) or \"all\" (averages over everyone certified)",
                    format!("{other:?}"),
                );
                false
            }
        },
    };
    c.group(&pp.key("exam"), &parameters.exam, true);
    c.group(&pp.key("training"), &parameters.training, true);
    c.group(&pp.key("promotion"), &parameters.promotion, true);
    c.group(&pp.key("attrition"), &parameters.attrition, true);
    c.group(&pp.key("pay"), &parameters.pay, false);
    c.group(&pp.key("entry"), &parameters.entry, true);
    c.group(&pp.key("orgs"), &parameters.orgs, true);
    c.group(&pp.key("coverage"), &parameters.coverage, true);
    c.group(&pp.key("equivalence"), &parameters.equivalence, false);
    for k in ["urban_min", "rural_min"] {
        let v = if k == "urban_min" {
            &parameters.coverage.urban_min
        } else {
            &parameters.coverage.rural_min
        };
        match v {
            Param::Fixed(x) if *x >= 1.0 && *x <= 50.0 && x.fract() == 0.0 => {}
            other => c.err(
                &pp.key("coverage").key(k),
                "a whole number of workers from 1 to 50",
                format!("{other:?}"),
            ),
        }
    }

    // Funding.
    let fp = root.key("funding");
    let fparams = raw.funding.resolve();
    c.group(&fp, &fparams, false);
    let mut schedule = Vec::new();
    for (k, v) in &raw.funding.schedule {
        let sp = fp.key("schedule").key(k);
        match k.parse::<i32>() {
            Ok(y) if y > start && y <= end => schedule.push((y, *v)),
            _ => c.err(
                &sp,
                format!("a year from {} to {}", start + 1, end),
                k.clone(),
            ),
        }
        if !(v.is_finite() && *v >= 0.0) {
            c.err(&sp, "an amount of money ≥ 0 (yuan)", fmt_num(*v));
        }
    }
    schedule.sort_by_key(|(y, _)| *y);
    let mut priorities = Vec::new();
    for (i, name) in raw.funding.priorities.iter().flatten().enumerate() {
        match super::LEVER_NAMES.iter().position(|n| n == name) {
            Some(k) if priorities.contains(&k) => c.err(
                &fp.key("priorities").index(i),
                "each lever once",
                format!("{name:?} again"),
            ),
            Some(k) => priorities.push(k),
            None => c.err(
                &fp.key("priorities").index(i),
                format!("a lever name: {}", super::LEVER_NAMES.join(", ")),
                format!(
                    "{name:?}{}",
                    did_you_mean(name, super::LEVER_NAMES.iter().copied())
                        .map(|l| format!(" (did you mean \"{l}\"?)"))
                        .unwrap_or_default()
                ),
            ),
        }
    }
    for k in super::DEFAULT_PRIORITIES {
        if !priorities.contains(&k) {
            priorities.push(k);
        }
    }
    let reallocate = match raw.funding.leftover.as_deref() {
        None | Some("reallocate") => true,
        Some("keep") => false,
        Some(other) => {
            c.err(
                &fp.key("leftover"),
                "\"reallocate\" (to levers short of their plan) or \"keep\" (left unspent)",
                format!("{other:?}"),
            );
            true
        }
    };
    let funding = FundingPlan {
        params: fparams,
        carry_over: raw.funding.carry_over,
        schedule,
        priorities: std::array::from_fn(|i| priorities[i]),
        reallocate,
    };
    let mut planned_by = |key: &str, by: Option<i64>| -> i32 {
        match by {
            None => end,
            Some(y) if y > i64::from(start) && y <= 2200 => y as i32,
            Some(y) => {
                c.err(
                    &root.key("levers").key(key).key("planned_by"),
                    format!("a year after start_year ({start})"),
                    y.to_string(),
                );
                end
            }
        }
    };
    let by_posts = planned_by("posts", raw.levers.posts.planned_by);
    let by_services = planned_by("services", raw.levers.services.planned_by);
    let by_stations = planned_by("stations", raw.levers.stations.planned_by);
    let services_planned = raw.levers.services.planned_per_year.is_some()
        || raw.levers.services.planned_total.is_some();

    // Levers: lever parameters are policy or prices, fixed per trajectory.
    let lp = root.key("levers");
    let l = &raw.levers;
    let levers = Levers {
        training: Lever::unplanned(l.training.share, l.training.resolve(), end),
        exam_support: Lever::unplanned(l.exam_support.share, l.exam_support.resolve(), end),
        posts: Lever {
            share: l.posts.share,
            params: l.posts.resolve(),
            planned: true,
            planned_by: by_posts,
        },
        posts_allow_uncertified: l.posts.allow_uncertified,
        orgs: Lever::unplanned(l.orgs.share, l.orgs.resolve(), end),
        services: Lever {
            share: l.services.share,
            params: l.services.resolve(),
            planned: services_planned,
            planned_by: by_services,
        },
        services_allow_uncertified: l.services.allow_uncertified.unwrap_or(true),
        stations: Lever {
            share: l.stations.share,
            params: l.stations.resolve(),
            planned: true,
            planned_by: by_stations,
        },
        stations_allow_uncertified: l.stations.allow_uncertified.unwrap_or(true),
        supervision: Lever::unplanned(l.supervision.share, l.supervision.resolve(), end),
        pay: l.pay.resolve(),
    };
    let shares = [
        ("training", levers.training.share),
        ("exam_support", levers.exam_support.share),
        ("posts", levers.posts.share),
        ("orgs", levers.orgs.share),
        ("services", levers.services.share),
        ("stations", levers.stations.share),
        ("supervision", levers.supervision.share),
    ];
    for (k, s) in shares {
        c.share(&lp.key(k).key("share"), s);
    }
    let total: f64 = shares.iter().map(|(_, s)| s).sum();
    if total > 1.0 + 1e-9 {
        c.err(
            &lp,
            "lever shares that add up to at most 100% of the money left after commitments",
            format!(
                "{:.1}% ({})",
                total * 100.0,
                shares
                    .iter()
                    .filter(|(_, s)| *s > 0.0)
                    .map(|(k, s)| format!("{k} {}%", fmt_num(s * 100.0)))
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
        );
    }
    c.group(&lp.key("training"), &levers.training.params, false);
    c.group(&lp.key("exam_support"), &levers.exam_support.params, false);
    c.group(&lp.key("posts"), &levers.posts.params, false);
    c.group(&lp.key("orgs"), &levers.orgs.params, false);
    c.group(&lp.key("services"), &levers.services.params, false);
    c.group(&lp.key("stations"), &levers.stations.params, false);
    c.group(&lp.key("supervision"), &levers.supervision.params, false);
    c.group(&lp.key("pay"), &levers.pay, false);
    if let Param::Fixed(s) = levers.stations.params.min_staff
        && s < 1.0
    {
        c.err(
            &lp.key("stations").key("min_staff"),
            "at least 1 staff member per station",
            fmt_num(s),
        );
    }

    // Transfers.
    let mut transfers = Vec::new();
    for (i, t) in raw.transfer.iter().enumerate() {
        let tp = root.key("transfer").index(i);
        let from = resolve_regions(c, &tp.key("from"), &t.from, &regions);
        let to = resolve_regions(c, &tp.key("to"), &t.to, &regions);
        let stock = Stock::from_name(&t.stock);
        if stock.is_none() {
            c.err(
                &tp.key("stock"),
                "one of uncertified, trained, graduates, junior, intermediate, senior",
                format!("{:?}", t.stock),
            );
        }
        c.param(&tp.key("per_year"), Kind::Count, &t.per_year, true);
        if let (Some(from), Some(to), Some(stock)) = (from, to, stock) {
            if from.iter().any(|r| to.contains(r)) {
                c.err(
                    &tp.key("to"),
                    "receiving regions different from the sending ones",
                    t.to.clone(),
                );
            }
            transfers.push(Transfer {
                from,
                to,
                stock,
                per_year: t.per_year.clone(),
            });
        }
    }

    // Targets.
    let targets = check_targets(c, &raw, &regions, start, end);
    let not_modelled = check_not_modelled(c, &raw, &targets, start, end);
    let tag_labels = check_tag_labels(c, &raw, &regions);
    let correlations = check_correlations(c, &raw, &parameters, &funding, &levers);
    let programmes = check_programmes(c, &raw, &regions, start, end);

    // Variants: names here; their values are checked when a variant is built.
    let mut names = HashSet::new();
    let mut variants = Vec::new();
    for (i, v) in raw.variant.iter().enumerate() {
        let vp = root.key("variant").index(i);
        if v.name.trim().is_empty() || v.name.contains(['/', '\\', ',']) || v.name == "baseline" {
            c.err(
                &vp.key("name"),
                "a variant name (not empty, not \"baseline\", no slashes or commas)",
                format!("{:?}", v.name),
            );
        } else if !names.insert(v.name.clone()) {
            c.err(
                &vp.key("name"),
                "a name no other variant has",
                format!("{:?} again", v.name),
            );
        }
        if v.set.is_empty() {
            c.err(
                &vp.key("set"),
                "at least one value to change",
                "an empty table",
            );
        }
        if let Some(w) = v.weight
            && !(0.0..=1.0).contains(&w)
        {
            c.err(&vp.key("weight"), "a weight between 0 and 1", fmt_num(w));
        }
        variants.push(super::VariantSpec {
            name: v.name.clone(),
            label: v.label.clone().unwrap_or_else(|| v.name.clone()),
            weight: v.weight,
            set: v.set.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        });
    }

    let weights: f64 = raw.variant.iter().filter_map(|v| v.weight).sum();
    if weights > 1.0 + 1e-9 {
        c.err(
            &root.key("variant"),
            "variant weights adding up to at most 1 (the baseline takes the rest)",
            fmt_num((weights * 1e9).round() / 1e9),
        );
    }
    let posterior_from = raw.posterior.as_ref().and_then(|p| {
        let at = root.key("posterior");
        if p.from.trim().is_empty() {
            c.err(
                &at.key("from"),
                "a folder written by `wfsim calibrate` (or its posterior.csv), relative to this file",
                "an empty path",
            );
            return None;
        }
        if let Some((i, bad)) = p.take.iter().enumerate().find(|(_, t)| t.trim().is_empty()) {
            c.err(
                &at.key("take").index(i),
                "a parameter path, or a prefix ending in *",
                format!("{bad:?}"),
            );
            return None;
        }
        let dir = path.parent().unwrap_or(Path::new(""));
        Some((dir.join(&p.from), p.take.clone()))
    });
    Scenario {
        file: path.to_path_buf(),
        meta,
        default_trajectories: raw.run.trajectories,
        default_seed: raw.run.seed,
        start_year: start,
        end_year: end.max(start + 1),
        regions,
        parameters,
        funding,
        levers,
        transfers,
        targets,
        not_modelled,
        tag_labels,
        parameter_labels: raw.labels.clone(),
        variants,
        correlations,
        programmes,
        source: String::new(),
        posterior: None,
        posterior_from,
    }
}

/// `[[programme]]`: names, kinds, scopes and numbers.
fn check_programmes(
    c: &mut Checker,
    raw: &ScenarioFile,
    regions: &[Region],
    start: i32,
    end: i32,
) -> Vec<Programme> {
    let root = FieldPath::default();
    let mut out = Vec::new();
    if raw.programme.len() > MAX_PROGRAMMES {
        c.err(
            &root.key("programme").index(MAX_PROGRAMMES),
            format!("at most {MAX_PROGRAMMES} programmes"),
            format!("{}", raw.programme.len()),
        );
    }
    let mut names = HashSet::new();
    for (i, p) in raw.programme.iter().enumerate().take(MAX_PROGRAMMES) {
        let pp = root.key("programme").index(i);
        if p.name.trim().is_empty() || !names.insert(p.name.clone()) {
            c.err(
                &pp.key("name"),
                "a name no other programme has",
                format!("{:?}", p.name),
            );
        }
        let kind = ProgrammeKind::from_name(&p.kind);
        if kind.is_none() {
            c.err(
                &pp.key("kind"),
                format!("one of {}", ProgrammeKind::NAMES.join(", ")),
                format!("{:?}", p.kind),
            );
        }
        let scope = p.scope.as_deref().unwrap_or("total");
        let members = if scope == "total" {
            Some((0..regions.len()).collect())
        } else {
            resolve_regions(c, &pp.key("scope"), scope, regions)
        };
        let numbers = p.resolve();
        c.group(&pp, &numbers, false);
        if p.start.is_none() {
            c.err(
                &pp.key("start"),
                format!(
                    "the year it starts ({}–{}), or a distribution over years",
                    start + 1,
                    end
                ),
                "no `start`",
            );
        } else {
            let (lo, hi) = numbers.start.support();
            if lo < f64::from(start + 1) || hi > 2200.0 {
                c.err(
                    &pp.key("start"),
                    format!("years after start_year ({start})"),
                    format!("{} to {}", fmt_num(lo), fmt_num(hi)),
                );
            }
        }
        if numbers.years.support().0 < 1.0 {
            c.err(
                &pp.key("years"),
                "at least 1 year",
                fmt_num(numbers.years.support().0),
            );
        }
        if matches!(
            kind,
            Some(ProgrammeKind::Stations | ProgrammeKind::Training | ProgrammeKind::ExamDrive)
        ) && numbers.size.support().1 > 1.0
        {
            c.err(
                &pp.key("size"),
                "a share between 0 and 1 for a stations, training or exam_drive programme",
                fmt_num(numbers.size.support().1),
            );
        }
        if matches!(kind, Some(ProgrammeKind::Posts | ProgrammeKind::Services)) && p.size.is_none()
        {
            c.err(
                &pp.key("size"),
                "the number of places the programme creates",
                "no `size`",
            );
        }
        if let (Some(kind), Some(members)) = (kind, members) {
            let total: f64 = members.iter().map(|&r| regions[r].budget_share).sum();
            let weights = members
                .iter()
                .map(|&r| {
                    if total > 0.0 {
                        regions[r].budget_share / total
                    } else {
                        1.0 / members.len() as f64
                    }
                })
                .collect();
            out.push(Programme {
                name: p.name.clone(),
                label: p.label.clone().unwrap_or_else(|| p.name.clone()),
                kind,
                regions: members,
                weights,
                numbers,
            });
        }
    }
    out
}

/// The scenario-wide parameter at a dotted path (`parameters.exam.junior_pass_rate`).
fn find_param(path: &str, p: &Parameters, f: &FundingPlan, l: &Levers) -> Option<Param> {
    let groups: [(&str, &dyn ParamFields); 18] = [
        ("parameters.exam", &p.exam),
        ("parameters.training", &p.training),
        ("parameters.promotion", &p.promotion),
        ("parameters.attrition", &p.attrition),
        ("parameters.pay", &p.pay),
        ("parameters.entry", &p.entry),
        ("parameters.orgs", &p.orgs),
        ("parameters.coverage", &p.coverage),
        ("parameters.equivalence", &p.equivalence),
        ("funding", &f.params),
        ("levers.training", &l.training.params),
        ("levers.exam_support", &l.exam_support.params),
        ("levers.posts", &l.posts.params),
        ("levers.orgs", &l.orgs.params),
        ("levers.services", &l.services.params),
        ("levers.stations", &l.stations.params),
        ("levers.supervision", &l.supervision.params),
        ("levers.pay", &l.pay),
    ];
    let (prefix, name) = path.rsplit_once('.')?;
    let (_, g) = groups.iter().find(|(pre, _)| *pre == prefix)?;
    let mut found = None;
    g.each_param(&mut |n, _, param| {
        if n == name {
            found = Some(param.clone());
        }
    });
    found
}

/// `[[correlation]]`: each pair names two per-trajectory distributions of
/// the scenario; together the pairs must form a valid correlation matrix.
fn check_correlations(
    c: &mut Checker,
    raw: &ScenarioFile,
    p: &Parameters,
    f: &FundingPlan,
    l: &Levers,
) -> Correlations {
    let root = FieldPath::default();
    let mut out = Correlations::default();
    let mut pairs = Vec::new();
    for (i, cr) in raw.correlation.iter().enumerate() {
        let cp = root.key("correlation").index(i);
        if !(cr.rank.is_finite() && cr.rank > -1.0 && cr.rank < 1.0) {
            c.err(
                &cp.key("rank"),
                "a rank correlation strictly between -1 and 1",
                fmt_num(cr.rank),
            );
            continue;
        }
        if cr.between.len() != 2 || cr.between[0] == cr.between[1] {
            c.err(
                &cp.key("between"),
                "two different parameter paths",
                format!("{:?}", cr.between),
            );
            continue;
        }
        let mut idx = [0usize; 2];
        let mut ok = true;
        for (k, path) in cr.between.iter().enumerate() {
            let bp = cp.key("between").index(k);
            match find_param(path, p, f, l) {
                None => {
                    c.err(
                        &bp,
                        "the dotted path of a scenario-wide number (parameters.*, funding.*, levers.*)",
                        format!("{path:?}"),
                    );
                    ok = false;
                }
                Some(Param::Fixed(v)) => {
                    c.err(
                        &bp,
                        "a number given as a distribution (a fixed number cannot vary with another)",
                        format!("{path} = {}", fmt_num(v)),
                    );
                    ok = false;
                }
                Some(Param::Random {
                    dist, per, year, ..
                }) => {
                    if per != super::Per::Trajectory
                        || year.is_some()
                        || dist.quantile(0.5).is_none()
                    {
                        c.err(
                            &bp,
                            "a distribution drawn once per trajectory, not a mixture",
                            format!("{path} (per = \"year\" or a mixture)"),
                        );
                        ok = false;
                        continue;
                    }
                    idx[k] = match out.paths.iter().position(|q| q == path) {
                        Some(j) => j,
                        None => {
                            out.paths.push(path.clone());
                            out.dists.push(dist);
                            out.paths.len() - 1
                        }
                    };
                }
            }
        }
        if ok {
            let (a, b) = (idx[0].min(idx[1]), idx[0].max(idx[1]));
            if pairs.iter().any(|&(x, y, _, _)| (x, y) == (a, b)) {
                c.err(&cp, "each pair once", format!("{:?} again", cr.between));
                continue;
            }
            pairs.push((a, b, cr.rank, i));
        }
    }
    let n = out.paths.len();
    if n == 0 {
        return out;
    }
    // Normal correlation from the rank correlation: ρ = 2 sin(πr/6).
    let mut m = vec![0.0; n * n];
    for k in 0..n {
        m[k * n + k] = 1.0;
    }
    for &(a, b, r, _) in &pairs {
        let rho = 2.0 * (std::f64::consts::PI * r / 6.0).sin();
        m[a * n + b] = rho;
        m[b * n + a] = rho;
    }
    match cholesky(&m, n) {
        Some(ch) => out.cholesky = ch,
        None => {
            let i = pairs.last().map_or(0, |p| p.3);
            c.err(
                &root.key("correlation").index(i),
                "correlations that can hold together (a positive-definite matrix: e.g. a with b and b with c strongly, a with c not opposite)",
                format!("{} pairs among {} numbers that contradict each other", pairs.len(), n),
            );
            out = Correlations::default();
        }
    }
    out
}

/// The lower Cholesky factor of a symmetric n×n matrix, or `None` when it
/// is not positive definite.
fn cholesky(m: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let d = m[i * n + i] - s;
                if d <= 1e-10 {
                    return None;
                }
                l[i * n + j] = d.sqrt();
            } else {
                l[i * n + j] = (m[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    Some(l)
}

fn is_cjk(ch: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&ch)
}

fn check_regions(c: &mut Checker, raw: &ScenarioFile) -> Vec<Region> {
    let root = FieldPath::default();
    if raw.region.is_empty() {
        let e = c.loc.at_end(
            "region".into(),
            "at least one [[region]] with its id, facts and stocks",
            "no [[region]] in the file",
        );
        c.errors.push(e);
    }
    let any_share = raw.region.iter().any(|r| r.budget_share.is_some());
    let n = raw.region.len().max(1) as f64;
    let mut seen = HashSet::new();
    let mut regions = Vec::new();
    let mut share_total = 0.0;
    for (i, r) in raw.region.iter().enumerate() {
        let rp = root.key("region").index(i);
        if r.id.trim().is_empty() || r.id.contains(':') || r.id == "total" {
            c.err(
                &rp.key("id"),
                "a region id (not empty, not \"total\", no ':')",
                format!("{:?}", r.id),
            );
        } else if !seen.insert(r.id.clone()) {
            c.err(
                &rp.key("id"),
                "an id no other region has",
                format!("{:?} again", r.id),
            );
        }
        let budget_share = match (r.budget_share, any_share) {
            (Some(s), _) => s,
            (None, false) => 1.0 / n,
            (None, true) => {
                c.err(
                    &rp.key("budget_share"),
                    "a budget_share (other regions have one; give every region one)",
                    "none",
                );
                0.0
            }
        };
        c.share(&rp.key("budget_share"), budget_share);
        share_total += budget_share;
        let facts = r.resolve();
        c.regional = true;
        c.group(&rp, &facts, false);
        let mut stocks = r.stocks.resolve();
        // Certificates issued default to the stock of that level.
        if r.stocks.certificates_junior.is_none() {
            stocks.certificates_junior = stocks.junior.clone();
        }
        if r.stocks.certificates_intermediate.is_none() {
            stocks.certificates_intermediate = stocks.intermediate.clone();
        }
        if r.stocks.certificates_senior.is_none() {
            stocks.certificates_senior = stocks.senior.clone();
        }
        let sp = rp.key("stocks");
        // A certificate count copied from its stock was checked as the stock.
        let derived = |name: &str| match name {
            "certificates_junior" => r.stocks.certificates_junior.is_none(),
            "certificates_intermediate" => r.stocks.certificates_intermediate.is_none(),
            "certificates_senior" => r.stocks.certificates_senior.is_none(),
            "project_qualified" => r.stocks.project_qualified.is_none(),
            _ => false,
        };
        stocks.each(|name, kind, p| {
            if !derived(name) {
                c.param(&sp.key(name), kind, p, false);
            }
        });
        c.regional = false;
        if let (Param::Fixed(s), Param::Fixed(a), Param::Fixed(b)) = (
            stocks.supervisors.clone(),
            stocks.intermediate.clone(),
            stocks.senior.clone(),
        ) && s > a + b
        {
            c.err(
                &sp.key("supervisors"),
                format!("at most intermediate + senior ({})", fmt_num(a + b)),
                fmt_num(s),
            );
        }
        let mut tags: Vec<String> = r.tags.clone();
        for (j, t) in tags.iter().enumerate() {
            if t.trim().is_empty() || t.contains(':') {
                c.err(
                    &rp.key("tags").index(j),
                    "a tag (not empty, no ':')",
                    format!("{t:?}"),
                );
            }
        }
        tags.dedup();
        regions.push(Region {
            id: r.id.clone(),
            label: r.label.clone().unwrap_or_else(|| r.id.clone()),
            tags,
            budget_share,
            facts,
            stocks,
        });
    }
    if share_total > 1.0 + 1e-9 {
        c.err(
            &root.key("region"),
            "budget shares of all regions adding up to at most 100%",
            format!("{:.1}%", share_total * 100.0),
        );
    }
    regions
}

/// A region id or `tag:NAME` → region indices.
fn resolve_regions(
    c: &mut Checker,
    path: &FieldPath,
    s: &str,
    regions: &[Region],
) -> Option<Vec<usize>> {
    if let Some(tag) = s.strip_prefix("tag:") {
        let v: Vec<usize> = (0..regions.len())
            .filter(|&i| regions[i].tags.iter().any(|t| t == tag))
            .collect();
        if v.is_empty() {
            c.err(
                path,
                format!("a tag some region carries ({})", known_tags(regions)),
                format!("tag {tag:?}, which no region has"),
            );
            return None;
        }
        return Some(v);
    }
    match regions.iter().position(|r| r.id == s) {
        Some(i) => Some(vec![i]),
        None => {
            c.err(
                path,
                format!(
                    "a region id ({}) or tag:NAME",
                    regions
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "{s:?}{}",
                    did_you_mean(s, regions.iter().map(|r| r.id.as_str()))
                        .map(|r| format!(" (did you mean \"{r}\"?)"))
                        .unwrap_or_default()
                ),
            );
            None
        }
    }
}

fn known_tags(regions: &[Region]) -> String {
    let tags: BTreeSet<&str> = regions
        .iter()
        .flat_map(|r| r.tags.iter().map(|t| t.as_str()))
        .collect();
    if tags.is_empty() {
        "no region has a tag".into()
    } else {
        tags.into_iter().collect::<Vec<_>>().join(", ")
    }
}

/// `[tags]`: each key a tag some region carries, each label not empty.
fn check_tag_labels(
    c: &mut Checker,
    raw: &ScenarioFile,
    regions: &[Region],
) -> std::collections::BTreeMap<String, String> {
    let root = FieldPath::default().key("tags");
    for (tag, label) in &raw.tags {
        if !regions.iter().any(|r| r.tags.iter().any(|t| t == tag)) {
            c.err(
                &root.key(tag),
                format!("a tag some region carries ({})", known_tags(regions)),
                format!("{tag:?}, which no region has"),
            );
        } else if label.trim().is_empty() {
            c.err(&root.key(tag), "the tag's label", "an empty text");
        }
    }
    raw.tags.clone()
}

fn check_targets(
    c: &mut Checker,
    raw: &ScenarioFile,
    regions: &[Region],
    start: i32,
    end: i32,
) -> Vec<Target> {
    let root = FieldPath::default();
    let mut seen = HashSet::new();
    let mut targets = Vec::new();
    for (i, t) in raw.target.iter().enumerate() {
        let tp = root.key("target").index(i);
        check_id(c, &tp.key("id"), &t.id, &mut seen);
        let metric = Metric::from_name(&t.metric);
        if metric.is_none() {
            let names = || Metric::ALL.iter().map(|m| m.name());
            let hint = did_you_mean(&t.metric, names())
                .map(|m| format!(" (did you mean \"{m}\"?)"))
                .unwrap_or_default();
            // With a likely slip, the one name, not all 48.
            let expected = if hint.is_empty() {
                format!("a metric: {}", names().collect::<Vec<_>>().join(", "))
            } else {
                "a metric (`wfsim schema` lists them)".to_string()
            };
            c.err(&tp.key("metric"), expected, format!("{:?}{hint}", t.metric));
        }
        let scope = parse_scope(c, &tp.key("scope"), &t.scope, regions);
        if !(i64::from(start) < t.year && t.year <= i64::from(end)) {
            c.err(
                &tp.key("year"),
                format!("a year within the projection, {} to {}", start + 1, end),
                t.year.to_string(),
            );
        }
        let op = match t.op.as_str() {
            ">=" => Some(Op::Ge),
            ">" => Some(Op::Gt),
            "<=" => Some(Op::Le),
            "<" => Some(Op::Lt),
            other => {
                c.err(
                    &tp.key("op"),
                    "one of \">=\", \">\", \"<=\", \"<\"",
                    format!("{other:?}"),
                );
                None
            }
        };
        if !t.threshold.is_finite() {
            c.err(
                &tp.key("threshold"),
                "a finite number",
                fmt_num(t.threshold),
            );
        } else if let Some(m) = metric {
            if m.unit() == Unit::Share && !(0.0..=1.0).contains(&t.threshold) {
                c.err(
                    &tp.key("threshold"),
                    format!("a share between 0 and 1 ({} is a share)", m.name()),
                    fmt_num(t.threshold),
                );
            } else if t.threshold < 0.0 {
                c.err(
                    &tp.key("threshold"),
                    format!("a threshold ≥ 0 ({} is never negative)", m.name()),
                    fmt_num(t.threshold),
                );
            }
        }
        if let Some(share) = t.share_of_regions {
            if !matches!(scope, Some(Scope::Every { .. }) | None) {
                c.err(
                    &tp.key("share_of_regions"),
                    "no share_of_regions unless the scope is \"every:TAG\" (a share of which regions?)",
                    fmt_num(share),
                );
            } else if !(share > 0.0 && share <= 1.0) {
                c.err(
                    &tp.key("share_of_regions"),
                    "a share of the tagged regions above 0 and at most 1",
                    fmt_num(share),
                );
            }
        }
        if let (Some(metric), Some(scope), Some(op)) = (metric, scope, op) {
            targets.push(Target {
                id: t.id.clone(),
                label: t.label.clone().unwrap_or_else(|| t.id.clone()),
                label_en: t.label_en.clone(),
                metric,
                scope,
                year: t.year as i32,
                op,
                threshold: t.threshold,
                reading: t.reading.clone(),
                since_start: t.since_start,
                share_of_regions: t.share_of_regions.unwrap_or(1.0),
            });
        }
    }
    targets
}

/// A target's id: not empty, no commas (it is a CSV column), and unique
/// among the targets and the targets not modelled.
fn check_id(c: &mut Checker, path: &FieldPath, id: &str, seen: &mut HashSet<String>) {
    if id.trim().is_empty() || id.contains(',') {
        c.err(
            path,
            "a target id (not empty, no commas)",
            format!("{id:?}"),
        );
    } else if !seen.insert(id.to_string()) {
        c.err(
            path,
            "an id no other target (modelled or not) has",
            format!("{id:?} again"),
        );
    }
}

/// `[[not_modelled]]`: the document's targets the model has no mechanism
/// for; each needs an id of its own, its wording and a reason.
fn check_not_modelled(
    c: &mut Checker,
    raw: &ScenarioFile,
    targets: &[Target],
    start: i32,
    end: i32,
) -> Vec<NotModelled> {
    let root = FieldPath::default();
    let mut seen: HashSet<String> = targets.iter().map(|t| t.id.clone()).collect();
    let mut out = Vec::new();
    for (i, t) in raw.not_modelled.iter().enumerate() {
        let tp = root.key("not_modelled").index(i);
        check_id(c, &tp.key("id"), &t.id, &mut seen);
        for (key, text) in [("label", &t.label), ("reason", &t.reason)] {
            if text.trim().is_empty() {
                c.err(
                    &tp.key(key),
                    match key {
                        "label" => "the document's wording",
                        _ => "why the model cannot answer it",
                    },
                    "an empty text",
                );
            }
        }
        if let Some(y) = t.year
            && !(i64::from(start) < y && y <= i64::from(end))
        {
            c.err(
                &tp.key("year"),
                format!("a year within the projection, {} to {}", start + 1, end),
                y.to_string(),
            );
        }
        out.push(NotModelled {
            id: t.id.clone(),
            label: t.label.clone(),
            year: t.year.map(|y| y as i32),
            reason: t.reason.clone(),
        });
    }
    out
}

fn parse_scope(c: &mut Checker, path: &FieldPath, s: &str, regions: &[Region]) -> Option<Scope> {
    if s == "total" {
        return Some(Scope::Total);
    }
    for (prefix, every) in [("every:", true), ("tag:", false)] {
        if let Some(tag) = s.strip_prefix(prefix) {
            let v: Vec<usize> = (0..regions.len())
                .filter(|&i| regions[i].tags.iter().any(|t| t == tag))
                .collect();
            if v.is_empty() {
                let tags: BTreeSet<&str> = regions
                    .iter()
                    .flat_map(|r| r.tags.iter().map(String::as_str))
                    .collect();
                let hint = did_you_mean(tag, tags)
                    .map(|t| format!(" (did you mean \"{prefix}{t}\"?)"))
                    .unwrap_or_default();
                c.err(
                    path,
                    format!("a tag some region carries ({})", known_tags(regions)),
                    format!("tag {tag:?}, which no region has{hint}"),
                );
                return None;
            }
            let tag = tag.to_string();
            return Some(if every {
                Scope::Every { tag, regions: v }
            } else {
                Scope::Tagged { tag, regions: v }
            });
        }
    }
    match regions.iter().position(|r| r.id == s) {
        Some(i) => Some(Scope::Region(i)),
        None => {
            c.err(
                path,
                format!(
                    "\"total\", a region id ({}), \"every:TAG\" or \"tag:TAG\"",
                    regions
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "{s:?}{}",
                    did_you_mean(s, regions.iter().map(|r| r.id.as_str()))
                        .map(|r| format!(" (did you mean \"{r}\"?)"))
                        .unwrap_or_default()
                ),
            );
            None
        }
    }
}
