//! Sharded runs: a slice of a run's trajectories on one machine (a Slurm
//! array task, a Kubernetes Indexed Job pod), its [`Partial`] written to a
//! *partial-result file*, and the merge of such files into the partial of
//! the whole run.
//!
//! Shard `I` of `N` runs trajectories `I·n/N ..< (I+1)·n/N`: contiguous, so
//! trajectory `i` is the same draw on every machine, and the shards of any
//! `N` cover `0..n` once. A partial-result file is
//!
//! ```text
//! WFSIM PARTIAL 1\n
//! {manifest, one line of JSON}\n
//! body: postcard encoding of the scenario text and the Partial
//! ```
//!
//! The manifest says what the file is part of (a SHA-256 of the validated
//! scenario — its text after the posterior is attached — the seed, the total
//! trajectory count), which trajectories it holds, which build made it, and
//! the body's length and SHA-256: a file cut short or damaged is refused, so
//! a shard killed mid-write leaves nothing a merge would accept (and files
//! are written whole or not at all in any case).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::partial::{MergeError, Partial};
use crate::scenario::Scenario;

/// The first line of every partial-result file.
const MAGIC: &[u8] = b"WFSIM PARTIAL 1\n";
/// What a partial holds, for the reader of a manifest.
pub const STATISTICS: [&str; 7] = [
    "metric histograms by year, region and metric",
    "per-target met counts, first years, shortfall sums, per-region met counts and by-year histograms",
    "joint met count",
    "programme counts",
    "impossible and saturated sightings",
    "records of the first trajectories (values and unknowns)",
    "twin values of the first trajectories",
];
/// The file name extension of partial results.
pub const EXTENSION: &str = "partial";

/// Shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Errors of shards and their files, in the words of the person running them.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error("{0}")]
    Spec(String),
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a wfsim partial result{why}", path.display())]
    NotPartial { path: PathBuf, why: String },
    #[error("{} is damaged ({why}): run its shard again", path.display())]
    Damaged { path: PathBuf, why: String },
    #[error(
        "{} and {} are not parts of one run: {what} differs ({a} and {b})",
        a_file.display(),
        b_file.display()
    )]
    Different {
        what: &'static str,
        a_file: PathBuf,
        a: String,
        b_file: PathBuf,
        b: String,
    },
    #[error("{}: {source}", path.display())]
    Merge { path: PathBuf, source: MergeError },
    #[error("no partial results in {}", paths.join(", "))]
    Nothing { paths: Vec<String> },
}

impl Shard {
    /// `I/N`, with `0 ≤ I < N`.
    pub fn parse(s: &str) -> Result<Shard, ShardError> {
        let bad = || {
            ShardError::Spec(format!(
                "--shard takes I/N, the shard's number from 0 and the number of shards (e.g. 0/4 … 3/4); found \"{s}\""
            ))
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        Shard::new(index, count)
    }

    pub fn new(index: u64, count: u64) -> Result<Shard, ShardError> {
        if count == 0 || index >= count {
            return Err(ShardError::Spec(format!(
                "shard {index} of {count} does not exist: shards are numbered 0 to N−1, and N is at least 1"
            )));
        }
        Ok(Shard { index, count })
    }

    /// The shard a scheduler started this process as: a Slurm array task
    /// (`SLURM_ARRAY_TASK_ID` from `SLURM_ARRAY_TASK_MIN`, of
    /// `SLURM_ARRAY_TASK_COUNT`), or a Kubernetes Indexed Job pod
    /// (`JOB_COMPLETION_INDEX`, of `count`, which Kubernetes does not put in
    /// the environment: `--shards N` or `WFSIM_SHARDS`).
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        count: Option<u64>,
    ) -> Result<Shard, ShardError> {
        let num = |name: &str| -> Result<Option<u64>, ShardError> {
            match var(name) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| {
                    ShardError::Spec(format!("{name} should be a whole number; found \"{v}\""))
                }),
            }
        };
        let count = match count {
            Some(c) => Some(c),
            None => num("WFSIM_SHARDS")?,
        };
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let n = match count {
                Some(c) => c,
                None => num("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
                    ShardError::Spec("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: give --shards N".into())
                })?,
            };
            let index = id.checked_sub(min).ok_or_else(|| {
                ShardError::Spec(format!(
                    "SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
                ))
            })?;
            return Shard::new(index, n);
        }
        if let Some(index) = num("JOB_COMPLETION_INDEX")? {
            let n = count.ok_or_else(|| {
                ShardError::Spec(
                    "JOB_COMPLETION_INDEX is set, but not the number of shards: give --shards N (the Job's completions) or set WFSIM_SHARDS".into(),
                )
            })?;
            return Shard::new(index, n);
        }
        Err(ShardError::Spec(
            "--shard-from-env found neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)".into(),
        ))
    }

    /// Trajectories of this shard in a run of `n`.
    pub fn range(self, n: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(k) * u128::from(n) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// The partial file's name: `shard-0003-of-0016.partial`.
    pub fn file_name(self) -> String {
        format!("shard-{:04}-of-{:04}.{EXTENSION}", self.index, self.count)
    }
}

/// What a shard of some command produces: a run's [`Partial`], or the
/// partials of an analysis's runs (each over the same trajectories) with
/// whatever else it counts. Parts of one job merge into one.
pub trait Part: Serialize + DeserializeOwned + Clone {
    fn merge(self, other: Self) -> Result<Self, MergeError>;
    /// One of its runs' partials: all cover the same trajectories (none in
    /// a damaged file).
    fn first(&self) -> Option<&Partial>;
}

impl Part for Partial {
    fn merge(self, other: Self) -> Result<Self, MergeError> {
        Partial::merge(self, other)
    }

    fn first(&self) -> Option<&Partial> {
        Some(self)
    }
}

/// A posterior given on the command line (`--posterior DIR --take …`),
/// re-attached at the merge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PosteriorArg {
    pub dir: PathBuf,
    pub take: Vec<String>,
}

/// What a partial-result file is part of, and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub wfsim_version: String,
    pub commit: String,
    pub scenario: String,
    pub scenario_file: PathBuf,
    /// SHA-256 of the validated scenarios the command runs (with their
    /// posterior attached): the file's, and a comparison's or a sweep's others.
    pub scenario_sha256: String,
    /// The command that ran the shard (`wfsim` and its arguments): the
    /// merge of an analysis redoes its summary from it.
    pub command: Vec<String>,
    pub seed: u64,
    /// Trajectories of the whole run.
    pub trajectories: u64,
    /// The trajectories this file holds, `[start, end)`, ascending.
    pub ranges: Vec<[u64; 2]>,
    /// The shard it was run as (`I/N`); absent for a merge of shards.
    pub shard: Option<String>,
    pub statistics: Vec<String>,
    #[serde(default)]
    pub posterior: Option<PosteriorArg>,
    pub body_bytes: u64,
    pub body_sha256: String,
}

#[derive(Serialize, Deserialize)]
struct Body<P> {
    source: String,
    partial: P,
}

/// A partial-result file, read or about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialFile<P = Partial> {
    pub manifest: Manifest,
    /// The scenario file's text, from which the merge rebuilds the scenario.
    pub source: String,
    pub partial: P,
}

/// SHA-256, in hex.
fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A run's id: the same file (after variants and posterior), seed,
/// trajectory count and wfsim version give the same id — a run repeated or
/// merged from shards is the same run, with byte-identical files — and any
/// other run another. Every file of a run folder that has room for it
/// carries it, and `manifest.json` names it, so a folder mixing two runs is
/// told apart.
pub fn run_id(sc: &Scenario, seed: u64, trajectories: u64) -> String {
    let text = format!(
        "{} {seed} {trajectories} {}",
        fingerprint(&[sc]),
        env!("CARGO_PKG_VERSION")
    );
    sha256(text.as_bytes())[..16].to_string()
}

/// The fingerprint of validated scenarios: what their runs' numbers depend
/// on (every field, the posterior's particles included).
pub fn fingerprint(scenarios: &[&Scenario]) -> String {
    let mut text = String::new();
    for sc in scenarios {
        text.push_str(&format!("{sc:?}\n"));
    }
    sha256(text.as_bytes())
}

impl<P: Part> PartialFile<P> {
    /// The file of shard `shard` (or `None` for a merge) of a command that
    /// runs `scenarios` (the file's first). The command is recorded without
    /// its shard flags, which are all that differ between a run's shards.
    pub fn new(
        scenarios: &[&Scenario],
        command: Vec<String>,
        shard: Option<Shard>,
        posterior: Option<PosteriorArg>,
        partial: P,
    ) -> PartialFile<P> {
        let sc = scenarios[0];
        let first = partial.first();
        let (seed, trajectories) = first.map_or((0, 0), |p| (p.seed, p.trajectories));
        PartialFile {
            manifest: Manifest {
                wfsim_version: env!("CARGO_PKG_VERSION").into(),
                commit: env!("WFSIM_COMMIT").into(),
                scenario: sc.meta.name.clone(),
                scenario_file: sc.file.clone(),
                scenario_sha256: fingerprint(scenarios),
                command: without_shard_flags(command),
                seed,
                trajectories,
                ranges: first.map(ranges).unwrap_or_default(),
                shard: shard.map(|s| s.to_string()),
                statistics: STATISTICS.iter().map(|s| s.to_string()).collect(),
                posterior,
                body_bytes: 0,
                body_sha256: String::new(),
            },
            source: sc.source.clone(),
            partial,
        }
    }

    /// The file's bytes.
    pub fn encode(&self) -> Result<Vec<u8>, String> {
        let body = postcard::to_stdvec(&Body {
            source: self.source.clone(),
            partial: self.partial.clone(),
        })
        .map_err(|e| e.to_string())?;
        let mut m = self.manifest.clone();
        m.ranges = self.partial.first().map(ranges).unwrap_or_default();
        m.body_bytes = body.len() as u64;
        m.body_sha256 = sha256(&body);
        let mut out = MAGIC.to_vec();
        out.extend(serde_json::to_vec(&m).map_err(|e| e.to_string())?);
        out.push(b'\n');
        out.extend(body);
        Ok(out)
    }

    /// Reads and checks a partial-result file.
    pub fn read(path: &Path) -> Result<PartialFile<P>, ShardError> {
        let bytes = read(path)?;
        let (manifest, body) = split(path, &bytes)?;
        let damaged = |why: String| ShardError::Damaged {
            path: path.to_path_buf(),
            why,
        };
        let b: Body<P> = postcard::from_bytes(body).map_err(|e| damaged(e.to_string()))?;
        let first = b
            .partial
            .first()
            .ok_or_else(|| damaged("it holds no run".into()))?;
        if ranges(first) != manifest.ranges
            || first.seed != manifest.seed
            || first.trajectories != manifest.trajectories
        {
            return Err(damaged("its manifest and its contents disagree".into()));
        }
        Ok(PartialFile {
            manifest,
            source: b.source,
            partial: b.partial,
        })
    }

    /// This file and `other` as one, refused (naming both files and what
    /// differs) unless both are parts of the same run.
    pub fn merge(
        self,
        here: &Path,
        other: PartialFile<P>,
        there: &Path,
    ) -> Result<PartialFile<P>, ShardError> {
        let (a, b) = (&self.manifest, &other.manifest);
        let differ = |what, x: String, y: String| ShardError::Different {
            what,
            a_file: here.to_path_buf(),
            a: x,
            b_file: there.to_path_buf(),
            b: y,
        };
        if a.scenario_sha256 != b.scenario_sha256 {
            return Err(differ(
                "the scenario (its text, or the posterior it draws from)",
                format!("{} {}", a.scenario, &a.scenario_sha256[..12]),
                format!("{} {}", b.scenario, &b.scenario_sha256[..12]),
            ));
        }
        if a.seed != b.seed {
            return Err(differ("the seed", a.seed.to_string(), b.seed.to_string()));
        }
        if a.trajectories != b.trajectories {
            return Err(differ(
                "the total number of trajectories",
                a.trajectories.to_string(),
                b.trajectories.to_string(),
            ));
        }
        // Whatever may differ between the files is chosen in a way that
        // does not depend on the order of the merge (the lesser), so that a
        // tree of merges writes the same bytes as a chain.
        let mut manifest = self.manifest.clone();
        manifest.shard = None;
        if manifest.commit != b.commit || manifest.wfsim_version != b.wfsim_version {
            manifest.commit = "mixed".into();
        }
        if (&b.command, &b.posterior) < (&manifest.command, &manifest.posterior) {
            manifest.command = b.command.clone();
            manifest.posterior = b.posterior.clone();
        }
        let partial = self
            .partial
            .merge(other.partial)
            .map_err(|source| ShardError::Merge {
                path: there.to_path_buf(),
                source,
            })?;
        manifest.ranges = partial.first().map(ranges).unwrap_or_default();
        Ok(PartialFile {
            manifest,
            source: self.source,
            partial,
        })
    }
}

/// The manifest of a partial-result file alone (the body is checked, not decoded).
pub fn read_manifest(path: &Path) -> Result<Manifest, ShardError> {
    let bytes = read(path)?;
    let (m, _) = split(path, &bytes)?;
    Ok(m)
}

/// A command line without `--shard I/N`, `--shard-from-env`, `--shards N`
/// and `--force`.
fn without_shard_flags(command: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(command.len());
    let mut skip = false;
    for a in command {
        if skip {
            skip = false;
            continue;
        }
        match a.as_str() {
            "--shard" | "--shards" => skip = true,
            "--shard-from-env" | "--force" => {}
            _ if a.starts_with("--shard=") || a.starts_with("--shards=") => {}
            _ => out.push(a),
        }
    }
    out
}

fn ranges(p: &Partial) -> Vec<[u64; 2]> {
    p.pieces
        .iter()
        .filter(|x| x.end > x.start)
        .map(|x| [x.start, x.end])
        .collect()
}

fn read(path: &Path) -> Result<Vec<u8>, ShardError> {
    std::fs::read(path).map_err(|e| ShardError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

/// The manifest and the checked body of a file's bytes.
fn split<'a>(path: &Path, bytes: &'a [u8]) -> Result<(Manifest, &'a [u8]), ShardError> {
    let not = |why: &str| ShardError::NotPartial {
        path: path.to_path_buf(),
        why: why.into(),
    };
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| not(" (it does not start with the partial-result header)"))?;
    let nl = rest
        .iter()
        .position(|&c| c == b'\n')
        .ok_or_else(|| not(" (its manifest line is cut short)"))?;
    let manifest: Manifest = serde_json::from_slice(&rest[..nl])
        .map_err(|e| not(&format!(" (its manifest cannot be read: {e})")))?;
    let body = &rest[nl + 1..];
    let damaged = |why: String| ShardError::Damaged {
        path: path.to_path_buf(),
        why,
    };
    if body.len() as u64 != manifest.body_bytes {
        return Err(damaged(format!(
            "{} bytes of its {} — cut short while it was written?",
            body.len(),
            manifest.body_bytes
        )));
    }
    if sha256(body) != manifest.body_sha256 {
        return Err(damaged("its contents do not match their checksum".into()));
    }
    Ok((manifest, body))
}

/// The partial-result files under `paths`: a file as given, a folder's
/// `*.partial` files and those of its `shards/` subfolder, sorted by name.
pub fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ShardError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            for dir in [p.clone(), p.join("shards")] {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                let mut found: Vec<PathBuf> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|f| f.is_file() && f.extension().is_some_and(|e| e == EXTENSION))
                    .collect();
                found.sort();
                out.extend(found);
            }
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(ShardError::Nothing {
            paths: paths.iter().map(|p| p.display().to_string()).collect(),
        });
    }
    Ok(out)
}

/// A merge of partial-result files.
#[derive(Debug)]
pub struct Merged<P = Partial> {
    pub file: PartialFile<P>,
    /// Files made by different builds.
    pub warnings: Vec<String>,
    /// The number of shards, when every file is one shard of the same cut:
    /// which shards are missing can then be named.
    pub shards: Option<u64>,
}

/// Merges the partial-result files `files` (in any order).
pub fn merge_files<P: Part>(files: &[PathBuf]) -> Result<Merged<P>, ShardError> {
    let mut warnings = Vec::new();
    let count = |f: &PartialFile<P>| {
        f.manifest
            .shard
            .as_deref()
            .and_then(|s| Shard::parse(s).ok())
            .map(|s| s.count)
    };
    let mut it = files.iter();
    let Some(first) = it.next() else {
        return Err(ShardError::Nothing { paths: vec![] });
    };
    let mut acc = PartialFile::<P>::read(first)?;
    let mut shards = count(&acc);
    for f in it {
        let next = PartialFile::<P>::read(f)?;
        if count(&next) != shards {
            shards = None;
        }
        let (a, b) = (&acc.manifest, &next.manifest);
        if (a.wfsim_version.as_str(), a.commit.as_str())
            != (b.wfsim_version.as_str(), b.commit.as_str())
        {
            warnings.push(format!(
                "{} was made by wfsim {} ({}), {} by {} ({}): the results agree only if the model did not change between them",
                first.display(),
                a.wfsim_version,
                a.commit,
                f.display(),
                b.wfsim_version,
                b.commit
            ));
        }
        acc = acc.merge(first, next, f)?;
    }
    Ok(Merged {
        file: acc,
        warnings,
        shards,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_run_once_in_contiguous_slices() {
        for n in [1u64, 7, 100, 1001] {
            for count in [1u64, 3, 7, 16] {
                let mut at = 0;
                for index in 0..count {
                    let r = Shard::new(index, count).unwrap().range(n);
                    assert_eq!(r.start, at);
                    at = r.end;
                }
                assert_eq!(at, n);
            }
        }
    }

    #[test]
    fn a_recorded_command_leaves_out_the_shard_flags() {
        let cmd = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        for (given, recorded) in [
            (
                "wfsim run p.toml --shard 2/7 -n 10",
                "wfsim run p.toml -n 10",
            ),
            (
                "wfsim run p.toml --shard=2/7 --force -n 10",
                "wfsim run p.toml -n 10",
            ),
            (
                "wfsim sweep p.toml --shard-from-env --shards 4 --set a=1",
                "wfsim sweep p.toml --set a=1",
            ),
        ] {
            assert_eq!(without_shard_flags(cmd(given)), cmd(recorded));
        }
    }

    #[test]
    fn shard_specs_are_checked() {
        assert_eq!(Shard::parse("2/7").unwrap(), Shard { index: 2, count: 7 });
        for bad in ["7/7", "1/0", "a/3", "3", "-1/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_schedulers_environment_names_the_shard() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ]);
        assert_eq!(
            Shard::from_env(slurm, None).unwrap(),
            Shard { index: 4, count: 8 }
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "3")]);
        assert!(Shard::from_env(k8s, None).is_err());
        assert_eq!(
            Shard::from_env(k8s, Some(4)).unwrap(),
            Shard { index: 3, count: 4 }
        );
        let k8s_env = env(&[("JOB_COMPLETION_INDEX", "3"), ("WFSIM_SHARDS", "6")]);
        assert_eq!(
            Shard::from_env(k8s_env, None).unwrap(),
            Shard { index: 3, count: 6 }
        );
        let e = Shard::from_env(env(&[]), None).unwrap_err();
        assert!(e.to_string().contains("SLURM_ARRAY_TASK_ID"), "{e}");
    }
}
