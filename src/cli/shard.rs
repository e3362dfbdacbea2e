//! `--shard I/N` on `run`, `compare` and `sweep`, and `wfsim merge`: a
//! command cut into shards for a cluster's scheduler, and the merge of
//! their partial results into the outputs one machine would have written.
//! The shard arithmetic and the file format are the library's
//! (`wfsim::engine::shard`); what each command's shard holds is
//! `wfsim::analysis::job::Job`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use wfsim::analysis::job::Job;
use wfsim::engine::RunOptions;
use wfsim::engine::shard::{self, PartialFile, PosteriorArg, Shard, ShardError};
use wfsim::report::{OutputDir, default_dir, write_atomic};
use wfsim::scenario::Scenario;

use super::{ChartArgs, Failure, PrecisionArgs, RunArgs, other, output, write_run};

/// The flags of a sharded command.
#[derive(clap::Args, Clone)]
pub struct ShardArgs {
    /// Run only shard I of N (trajectories I·n/N to (I+1)·n/N) and write its
    /// partial result to <out>/shards/, for `wfsim merge`.
    #[arg(long, value_name = "I/N", conflicts_with = "shard_from_env")]
    shard: Option<String>,
    /// Take the shard from the scheduler: SLURM_ARRAY_TASK_ID (of
    /// SLURM_ARRAY_TASK_COUNT) in a Slurm job array, JOB_COMPLETION_INDEX (of
    /// --shards) in a Kubernetes Indexed Job.
    #[arg(long)]
    shard_from_env: bool,
    /// The number of shards, with --shard-from-env where the scheduler does
    /// not say it (Kubernetes; default: WFSIM_SHARDS).
    #[arg(long, value_name = "N", requires = "shard_from_env")]
    shards: Option<u64>,
    /// Run a shard again although its partial result is already written.
    #[arg(long)]
    force: bool,
}

/// How a command that can be sharded is to run.
pub enum Mode {
    /// Every trajectory, here.
    Whole,
    /// One shard, written as a partial result.
    Shard { shard: Shard, force: bool },
    /// The summary of merged partial results of every trajectory, made by
    /// a command over scenarios with this fingerprint.
    Merged { job: Job, fingerprint: String },
}

impl ShardArgs {
    /// The mode asked for; `--precision` cannot be sharded.
    pub fn mode(&self, precision: Option<&PrecisionArgs>) -> Result<Mode, Failure> {
        let shard = if let Some(s) = &self.shard {
            Shard::parse(s).map_err(other)?
        } else if self.shard_from_env {
            Shard::from_env(|k| std::env::var(k).ok(), self.shards).map_err(other)?
        } else {
            return Ok(Mode::Whole);
        };
        if precision.is_some_and(|p| p.precision.is_some()) {
            return Err(Failure::Other(
                "--precision cannot be sharded: each shard must know the run's trajectory count; give -n".into(),
            ));
        }
        Ok(Mode::Shard {
            shard,
            force: self.force,
        })
    }
}

/// A shard error's exit code: a file that cannot be read may be transient.
fn failure(e: ShardError) -> Failure {
    match e {
        ShardError::Io { .. } => Failure::Io(e.to_string()),
        _ => Failure::Other(e.to_string()),
    }
}

/// The posterior of the command line, as a shard records it.
fn posterior(args: &RunArgs) -> Option<PosteriorArg> {
    args.posterior.as_ref().map(|d| PosteriorArg {
        dir: d.clone(),
        take: args.take.clone(),
    })
}

/// A shard of a command: where it writes, which it is, over what.
pub struct ShardOf<'a> {
    pub dir: &'a Path,
    pub shard: Shard,
    pub force: bool,
    pub scenarios: &'a [&'a Scenario],
    /// What the progress bar says.
    pub what: String,
}

/// Runs a shard of a command (`work` does the shard's trajectories of each
/// of the command's runs, reporting progress) and writes its partial result
/// into `dir/shards/`; a shard already written for the same command is not
/// run again unless forced.
pub fn write_shard(
    of: ShardOf,
    args: &RunArgs,
    opts: RunOptions,
    work: impl FnOnce(Range<u64>, &(dyn Fn(u64) + Sync)) -> Result<Job, Failure>,
) -> Result<(), Failure> {
    let ShardOf {
        dir,
        shard: s,
        force,
        scenarios,
        what,
    } = of;
    let folder = dir.join("shards");
    let target = folder.join(s.file_name());
    let range = s.range(opts.trajectories);
    if !force
        && let Ok(m) = shard::read_manifest(&target)
        && m.scenario_sha256 == shard::fingerprint(scenarios)
        && m.seed == opts.seed
        && m.trajectories == opts.trajectories
        && m.ranges == [[range.start, range.end]]
    {
        if !args.quiet {
            eprintln!(
                "shard {s} is already done: {} (--force to run it again)",
                target.display()
            );
        }
        return Ok(());
    }
    let bar = args.progress(
        (range.end - range.start) * (scenarios.len() as u64),
        format!("{what}, shard {s}"),
    );
    let job = work(range.clone(), &|k| bar.inc(k))?;
    bar.finish_and_clear();
    let bytes = PartialFile::new(
        scenarios,
        std::env::args().collect(),
        Some(s),
        posterior(args),
        job,
    )
    .encode()
    .map_err(Failure::Other)?;
    std::fs::create_dir_all(&folder)
        .map_err(|e| Failure::Io(format!("cannot create {}: {e}", folder.display())))?;
    write_atomic(&target, &bytes).map_err(output)?;
    if !args.quiet {
        println!(
            "wrote {} (trajectories {}..{} of {}); merge the shards with: wfsim merge {}",
            target.display(),
            range.start,
            range.end,
            opts.trajectories,
            dir.display()
        );
    }
    Ok(())
}

/// Refuses to summarise merged parts unless the scenarios rebuilt now are
/// the ones the shards ran.
pub fn check_same(scenarios: &[&Scenario], fingerprint: &str) -> Result<(), Failure> {
    if shard::fingerprint(scenarios) != fingerprint {
        return Err(Failure::Other(format!(
            "the scenario files are not the ones the shards ran (changed since, or a posterior they name has): {}",
            scenarios
                .iter()
                .map(|s| s.file.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

/// Runs one shard of `run` and writes its partial result.
pub fn run_shard(file: &Path, args: &RunArgs, s: Shard, force: bool) -> Result<(), Failure> {
    let sc = args.load(file)?;
    let opts = args.options(&sc)?;
    let dir = args.output(&sc, "")?;
    let of = ShardOf {
        dir: dir.path(),
        shard: s,
        force,
        scenarios: &[&sc],
        what: sc.meta.name.clone(),
    };
    write_shard(of, args, opts, |range, progress| {
        let part = wfsim::engine::simulate(&sc, opts, range, progress, super::watch_signals())
            .map_err(super::run_failure)?;
        Ok(Job::Run(Box::new(part)))
    })
}

/// Merges partial results: into one partial file (`--partial`), or, when
/// every trajectory is there, into the command's outputs: `out`, else the
/// folder above the `shards/` folder the first file is in, else the
/// command's default folder.
pub fn merge(
    paths: &[PathBuf],
    out: Option<&Path>,
    partial: Option<&Path>,
    briefing: Option<&ChartArgs>,
    quiet: bool,
    replay: impl FnOnce(&[String], Mode, Option<PathBuf>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let files = shard::find(paths).map_err(failure)?;
    let shard::Merged {
        file: merged,
        warnings,
        shards,
    } = shard::merge_files::<Job>(&files).map_err(failure)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let first = shard::Part::first(&merged.partial)
        .ok_or_else(|| Failure::Other("the partial results hold no run".into()))?
        .clone();
    if let Some(target) = partial {
        let bytes = merged.encode().map_err(Failure::Other)?;
        write_atomic(target, &bytes).map_err(output)?;
        if !quiet {
            println!(
                "wrote {} ({} of {} trajectories, from {} files)",
                target.display(),
                first.counted(),
                first.trajectories,
                files.len()
            );
        }
        return Ok(());
    }
    let missing = first.missing();
    if !missing.is_empty() {
        return Err(Failure::Incomplete(describe_missing(
            &first, shards, &missing,
        )));
    }
    // The folder the shards were written for: the one above `shards/`.
    let out = out.map(Path::to_path_buf).or_else(|| {
        let parent = files[0].parent()?;
        (parent.file_name()? == "shards").then(|| parent.parent().map(Path::to_path_buf))?
    });
    let m = merged.manifest.clone();
    let job = match merged.partial {
        Job::Run(p) => *p,
        job => {
            return replay(
                &m.command,
                Mode::Merged {
                    job,
                    fingerprint: m.scenario_sha256.clone(),
                },
                out,
            );
        }
    };
    let sc = rebuild(&m, &merged.source)?;
    if let Some(chart) = briefing {
        chart.look().prepare().map_err(Failure::Other)?;
    }
    let dir = OutputDir::prepare(&out.unwrap_or_else(|| default_dir(&sc))).map_err(output)?;
    let result = wfsim::engine::assemble(&sc, &job).map_err(other)?;
    let written = write_run(&sc, &result, &dir, briefing, quiet)?;
    if quiet {
        return Ok(());
    }
    println!(
        "merged {} partial results: {} trajectories of {}",
        files.len(),
        result.options.trajectories,
        sc.meta.name
    );
    for w in &written {
        println!("wrote {}", w.display());
    }
    Ok(())
}

/// Which trajectories are missing, and which shards those are when the
/// files say how the run was cut.
fn describe_missing(
    first: &wfsim::engine::Partial,
    shards: Option<u64>,
    missing: &[Range<u64>],
) -> String {
    let ranges: Vec<String> = missing
        .iter()
        .map(|r| format!("{}..{}", r.start, r.end))
        .collect();
    let n = first.trajectories;
    let mut msg = format!(
        "the partial results hold {} of the run's {n} trajectories; missing: {}",
        first.counted(),
        ranges.join(", ")
    );
    if let Some(count) = shards {
        let lacking: Vec<String> = (0..count)
            .filter_map(|i| Shard::new(i, count).ok())
            .filter(|s| {
                let r = s.range(n);
                missing.iter().any(|m| m.start < r.end && r.start < m.end)
            })
            .map(|s| s.to_string())
            .collect();
        if !lacking.is_empty() {
            msg.push_str(&format!(" (shards {})", lacking.join(", ")));
        }
    }
    msg.push_str(". Nothing was written; merge again when those shards have finished.");
    msg
}

/// The scenario a run's shards ran, from the text they carry (and the
/// posterior they name), checked against their fingerprint.
fn rebuild(m: &shard::Manifest, source: &str) -> Result<Scenario, Failure> {
    let mut sc = Scenario::from_str(&m.scenario_file, source)
        .map_err(|e| Failure::Scenario(e.to_string()))?;
    wfsim::model::params::attach_declared_posterior(&mut sc).map_err(other)?;
    if let Some(p) = &m.posterior {
        sc.posterior = None;
        let post = wfsim::scenario::Posterior::read(&p.dir)
            .and_then(|x| x.take(&p.take))
            .map_err(other)?;
        wfsim::model::params::attach_posterior(&mut sc, post).map_err(other)?;
    }
    check_same(&[&sc], &m.scenario_sha256)?;
    Ok(sc)
}
