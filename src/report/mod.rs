//! Outputs of a run, one file per format, behind one trait as in hyperfine's
//! exporters. Every file is written whole or not at all: bytes go to a
//! temporary file in the output folder, which is then renamed over the old
//! one, so a failed or interrupted run leaves earlier outputs intact.
//!
//! The output folder is checked before the run starts ([`OutputDir::prepare`]),
//! so a bad path fails in the first second, not after the run.

pub mod calibration;
pub mod chart;
pub mod csv;
pub mod font;
pub mod format;
pub mod html;
pub mod json;
pub mod results;
pub mod table;
pub mod terminal;
pub mod xlsx;
pub mod xlsx_analysis;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::engine::RunResult;
use crate::scenario::Scenario;
use results::Results;

/// Why outputs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot use output folder {}: {source}", path.display())]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode {name}: {message}")]
    Encode { name: &'static str, message: String },
    #[error("cannot read {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("cannot draw the charts: {0}")]
    Chart(String),
}

/// One output file.
pub trait Exporter {
    /// The file's name in the output folder.
    fn file_name(&self) -> &'static str;
    /// The file's bytes.
    fn render(&self, sc: &Scenario, run: &RunResult) -> Result<Vec<u8>, OutputError>;
}

/// The exporters every run writes.
pub fn exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(json::SummaryJson),
        Box::new(csv::MetricsCsv),
        Box::new(csv::TargetsCsv),
    ]
}

/// A checked, writable output folder.
#[derive(Debug, Clone)]
pub struct OutputDir {
    path: PathBuf,
}

/// Writes `bytes` to `target` whole or not at all: a temporary file beside
/// it, synced, then renamed over it.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let err = |e| OutputError::Write {
        path: target.to_path_buf(),
        source: e,
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    // Temporary files are private (0600); outputs are for colleagues too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(target).map_err(|e| err(e.error))?;
    Ok(())
}

impl OutputDir {
    /// Creates the folder if needed and proves it writable.
    pub fn prepare(path: &Path) -> Result<OutputDir, OutputError> {
        let dir_err = |e| OutputError::Dir {
            path: path.to_path_buf(),
            source: e,
        };
        fs::create_dir_all(path).map_err(dir_err)?;
        let probe = tempfile::NamedTempFile::new_in(path).map_err(dir_err)?;
        drop(probe);
        Ok(OutputDir {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `bytes` to `name` atomically (temporary file, then rename).
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, OutputError> {
        let target = self.path.join(name);
        write_atomic(&target, bytes)?;
        Ok(target)
    }

    /// Starts writing a run: the old manifest goes first, so that a run
    /// killed half way leaves a folder `wfsim report` refuses, not a mix.
    pub fn begin_run(&self) -> Result<(), OutputError> {
        let m = self.path.join(MANIFEST);
        match fs::remove_file(&m) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(OutputError::Write { path: m, source: e })
            }
            _ => Ok(()),
        }
    }

    /// Writes `manifest.json`, last: the size and digest of each of the
    /// run's files present in the folder.
    pub fn write_manifest(&self) -> Result<PathBuf, OutputError> {
        let mut files = serde_json::Map::new();
        for name in RUN_FILES {
            if let Ok(bytes) = fs::read(self.path.join(name)) {
                files.insert(
                    name.to_string(),
                    serde_json::json!({ "bytes": bytes.len(), "fnv1a64": digest(&bytes) }),
                );
            }
        }
        let run = run_id_of(&self.path);
        let v = serde_json::json!({
            "wfsim_version": env!("CARGO_PKG_VERSION"),
            "run": run,
            "files": files,
        });
        let bytes = serde_json::to_vec_pretty(&v).map_err(|e| OutputError::Encode {
            name: "manifest.json",
            message: e.to_string(),
        })?;
        self.write(MANIFEST, &bytes)
    }

    /// Checks that the folder is one finished run: a manifest, and every
    /// file it lists as it was written.
    pub fn check_manifest(&self) -> Result<(), OutputError> {
        let m = self.path.join(MANIFEST);
        let bad = |message: String| OutputError::Read {
            path: self.path.clone(),
            message,
        };
        let text = fs::read(&m).map_err(|_| {
            bad("no manifest.json: the folder is not one finished run (an interrupted run, or one written by a wfsim before 0.1 kept no manifest); run the scenario again".into())
        })?;
        let v: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| bad(format!("manifest.json: {e}")))?;
        let files = v["files"]
            .as_object()
            .ok_or_else(|| bad("manifest.json lists no files".into()))?;
        for need in ["summary.json", "metrics.csv"] {
            if !files.contains_key(need) {
                return Err(bad(format!("manifest.json does not list {need}")));
            }
        }
        for (name, want) in files {
            let got = fs::read(self.path.join(name)).map(|b| digest(&b)).ok();
            if got.as_deref() != want["fnv1a64"].as_str() {
                return Err(bad(format!(
                    "{name} is not the file this run wrote (changed or from another run): the folder mixes two runs; run the scenario again"
                )));
            }
        }
        // The manifest's run was read from the summary it vouches for, so
        // with the digests above every file is of that run; a manifest
        // without one is an older wfsim's.
        if v["run"].as_str().unwrap_or_default().is_empty() {
            return Err(bad(
                "manifest.json names no run (written by an older wfsim); run the scenario again"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Removes what an interrupted write left behind: hidden temporary
    /// files (`.NAME.XXXX.tmp`) and staged folders (`.NAME.XXXX`) in this
    /// folder. Called when a run starts writing here.
    pub fn clean_stale(&self) {
        let Ok(entries) = fs::read_dir(&self.path) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let staged = name.starts_with('.') && name.contains(STAGED);
            if name.starts_with('.') && name.ends_with(".tmp") {
                let _ = fs::remove_file(e.path());
            } else if staged && e.path().is_dir() {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }

    /// Removes the briefing (charts, report.html, summary.xlsx) of an
    /// earlier run, which a run without charts would otherwise leave beside
    /// its own numbers. Returns what it removed.
    pub fn remove_briefing(&self) -> Vec<PathBuf> {
        let mut removed = Vec::new();
        for name in ["report.html", "summary.xlsx"] {
            let p = self.path.join(name);
            if p.is_file() && fs::remove_file(&p).is_ok() {
                removed.push(p);
            }
        }
        let charts = self.path.join("charts");
        if charts.is_dir() && fs::remove_dir_all(&charts).is_ok() {
            removed.push(charts);
        }
        removed
    }

    /// Renders every exporter first, then writes them, so an encoding error
    /// leaves every earlier file as it was.
    pub fn write_all(&self, sc: &Scenario, run: &RunResult) -> Result<Vec<PathBuf>, OutputError> {
        let rendered = exporters()
            .iter()
            .map(|e| Ok((e.file_name(), e.render(sc, run)?)))
            .collect::<Result<Vec<_>, OutputError>>()?;
        rendered
            .iter()
            .map(|(name, bytes)| self.write(name, bytes))
            .collect()
    }
}

/// Files of one folder, rendered in memory.
pub type Files = Vec<(String, Vec<u8>)>;

/// Replaces the folder `path` by one holding exactly `files`.
pub fn replace_folder(path: &Path, files: &Files) -> Result<Vec<PathBuf>, OutputError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir_err = |p: &Path| {
        let p = p.to_path_buf();
        move |e| OutputError::Dir { path: p, source: e }
    };
    fs::create_dir_all(&parent).map_err(dir_err(&parent))?;
    let stem = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let staged = tempfile::Builder::new()
        .prefix(&format!(".{stem}{STAGED}"))
        .tempdir_in(&parent)
        .map_err(dir_err(&parent))?;
    let mut written = Vec::new();
    for (name, bytes) in files {
        let target = staged.path().join(name);
        if let Some(sub) = target.parent() {
            fs::create_dir_all(sub).map_err(dir_err(sub))?;
        }
        fs::write(&target, bytes).map_err(|e| OutputError::Write {
            path: path.join(name),
            source: e,
        })?;
        written.push(path.join(name));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(staged.path(), fs::Permissions::from_mode(0o755))
            .map_err(dir_err(staged.path()))?;
    }
    let staged = staged.keep();
    if path.exists() {
        let old = tempfile::Builder::new()
            .prefix(&format!(".{stem}{STAGED}old."))
            .tempdir_in(&parent)
            .map_err(dir_err(&parent))?
            .keep();
        // Into the empty placeholder: rename replaces an empty directory.
        fs::rename(path, &old).map_err(dir_err(path))?;
        fs::rename(&staged, path).map_err(dir_err(path))?;
        let _ = fs::remove_dir_all(&old);
    } else {
        fs::rename(&staged, path).map_err(dir_err(path))?;
    }
    Ok(written)
}

/// Marks a folder staged by [`replace_folder`] (or the old one it set
/// aside): a killed run may leave one, which [`OutputDir::clean_stale`] removes.
const STAGED: &str = ".staged.";

/// The manifest of a run's folder, written last.
pub const MANIFEST: &str = "manifest.json";
/// The files of a run that its manifest vouches for.
const RUN_FILES: [&str; 5] = [
    "summary.json",
    "metrics.csv",
    "targets.csv",
    "report.html",
    "summary.xlsx",
];

/// The run id that the folder's `summary.json` names ("" if none).
fn run_id_of(dir: &Path) -> String {
    fs::read(dir.join("summary.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v["run"]["id"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// FNV-1a, 64 bits, in hex: enough to tell one run's file from another's.
fn digest(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    format!("{h:016x}")
}

/// The default output folder of a scenario: `outputs/<name>/`.
pub fn default_dir(sc: &Scenario) -> PathBuf {
    Path::new("outputs").join(&sc.meta.name)
}

/// Writes the briefing of a run into its output folder: `charts/*.svg` and
/// `charts/*.png`, `report.html` and `summary.xlsx`. Everything is drawn
/// before anything is written, so a drawing error leaves earlier files as
/// they were. `look` chooses the font and the PNGs' scale.
pub fn write_briefing(
    dir: &OutputDir,
    r: &Results,
    look: &chart::Look,
) -> Result<Vec<PathBuf>, OutputError> {
    look.prepare().map_err(OutputError::Chart)?;
    let charts = chart::render_all(r, look.scale).map_err(OutputError::Chart)?;
    let page = html::render(r, &charts).map_err(OutputError::Chart)?;
    let book = xlsx::render(r).map_err(|e| OutputError::Encode {
        name: "summary.xlsx",
        message: e.to_string(),
    })?;
    // The charts folder is replaced whole: a chart of a target the file no
    // longer has does not linger beside the new ones.
    let files: Files = charts
        .iter()
        .flat_map(|c| {
            [
                (format!("{}.svg", c.name), c.svg.clone().into_bytes()),
                (format!("{}.png", c.name), c.png.clone()),
            ]
        })
        .collect();
    let mut written = replace_folder(&dir.path().join("charts"), &files)?;
    written.push(dir.write("report.html", page.as_bytes())?);
    written.push(dir.write("summary.xlsx", &book)?);
    Ok(written)
}

/// Writes a comparison: `compare.json`, `compare.csv`, `compare.svg`/`.png`
/// (grouped bars) and `compare.html`, all drawn before any is written.
pub fn write_comparison(
    dir: &OutputDir,
    c: &crate::analysis::compare::Comparison,
    zh: bool,
    look: &chart::Look,
) -> Result<Vec<PathBuf>, OutputError> {
    look.prepare().map_err(OutputError::Chart)?;
    let json = serde_json::to_vec_pretty(c).map_err(|e| OutputError::Encode {
        name: "compare.json",
        message: e.to_string(),
    })?;
    let csv = crate::analysis::compare::to_csv(c).map_err(|e| OutputError::Encode {
        name: "compare.csv",
        message: e.to_string(),
    })?;
    let fig = chart::compare::CompareBars::new(c, zh);
    let title = fig.title.clone();
    let rendered =
        chart::render("compare".into(), title, &fig, look.scale).map_err(OutputError::Chart)?;
    let page = html::render_comparison(c, &rendered, zh).map_err(OutputError::Chart)?;
    let book = xlsx_analysis::comparison(c, zh).map_err(|e| OutputError::Encode {
        name: "compare.xlsx",
        message: e.to_string(),
    })?;
    Ok(vec![
        dir.write("compare.xlsx", &book)?,
        dir.write("compare.json", &json)?,
        dir.write("compare.csv", &[self::csv::BOM, &csv].concat())?,
        dir.write("compare.svg", rendered.svg.as_bytes())?,
        dir.write("compare.png", &rendered.png)?,
        dir.write("compare.html", page.as_bytes())?,
    ])
}

/// Writes a sweep: `sweep.json`, `sweep.csv`, and `sweep.svg`/`.png` for the
/// chosen target (index into the sweep's targets; the last is the joint).
pub fn write_sweep(
    dir: &OutputDir,
    s: &crate::analysis::sweep::Sweep,
    target: usize,
    zh: bool,
    look: &chart::Look,
) -> Result<Vec<PathBuf>, OutputError> {
    look.prepare().map_err(OutputError::Chart)?;
    let json = serde_json::to_vec_pretty(s).map_err(|e| OutputError::Encode {
        name: "sweep.json",
        message: e.to_string(),
    })?;
    let csv = crate::analysis::sweep::to_csv(s).map_err(|e| OutputError::Encode {
        name: "sweep.csv",
        message: e.to_string(),
    })?;
    let fig = chart::sweep::SweepChart::new(s, target, zh);
    let title = fig.title.clone();
    let rendered =
        chart::render("sweep".into(), title, &fig, look.scale).map_err(OutputError::Chart)?;
    let book = xlsx_analysis::sweep(s, zh).map_err(|e| OutputError::Encode {
        name: "sweep.xlsx",
        message: e.to_string(),
    })?;
    Ok(vec![
        dir.write("sweep.xlsx", &book)?,
        dir.write("sweep.json", &json)?,
        dir.write("sweep.csv", &[self::csv::BOM, &csv].concat())?,
        dir.write("sweep.svg", rendered.svg.as_bytes())?,
        dir.write("sweep.png", &rendered.png)?,
    ])
}

/// Writes a solve's answer: `solve.json` and `solve.xlsx` (the answer and
/// every evaluation), `lever` naming the lever in the briefing's words.
pub fn write_solve(
    dir: &OutputDir,
    s: &crate::analysis::solve::Solution,
    lever: &str,
    zh: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    let json = serde_json::to_vec_pretty(s).map_err(|e| OutputError::Encode {
        name: "solve.json",
        message: e.to_string(),
    })?;
    let book = xlsx_analysis::solve(s, lever, zh).map_err(|e| OutputError::Encode {
        name: "solve.xlsx",
        message: e.to_string(),
    })?;
    Ok(vec![
        dir.write("solve.json", &json)?,
        dir.write("solve.xlsx", &book)?,
    ])
}

/// Writes a sensitivity analysis: `sensitivity.json`, `sensitivity.csv` and
/// a tornado chart per target (`tornado-<id>.svg`/`.png`, the `top` most
/// influential parameters).
pub fn write_sensitivity(
    dir: &OutputDir,
    s: &crate::analysis::sensitivity::Sensitivity,
    top: usize,
    zh: bool,
    look: &chart::Look,
) -> Result<Vec<PathBuf>, OutputError> {
    look.prepare().map_err(OutputError::Chart)?;
    let json = serde_json::to_vec_pretty(s).map_err(|e| OutputError::Encode {
        name: "sensitivity.json",
        message: e.to_string(),
    })?;
    let csv = crate::analysis::sensitivity::to_csv(s).map_err(|e| OutputError::Encode {
        name: "sensitivity.csv",
        message: e.to_string(),
    })?;
    let mut charts = Vec::new();
    for t in &s.targets {
        let fig = chart::tornado::Tornado::new(t, top, zh, &s.labels);
        let title = fig.title.clone();
        charts.push(
            chart::render(
                format!("tornado-{}", chart::slug(&t.id)),
                title,
                &fig,
                look.scale,
            )
            .map_err(OutputError::Chart)?,
        );
    }
    let book = xlsx_analysis::sensitivity(s, zh).map_err(|e| OutputError::Encode {
        name: "sensitivity.xlsx",
        message: e.to_string(),
    })?;
    let mut written = vec![
        dir.write("sensitivity.json", &json)?,
        dir.write("sensitivity.csv", &[self::csv::BOM, &csv].concat())?,
        dir.write("sensitivity.xlsx", &book)?,
    ];
    for c in &charts {
        written.push(dir.write(&format!("{}.svg", c.name), c.svg.as_bytes())?);
        written.push(dir.write(&format!("{}.png", c.name), &c.png)?);
    }
    Ok(written)
}
