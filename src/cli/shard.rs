//! `wfsim run --shard I/N` and `wfsim merge`: a run cut into shards for a
//! cluster's scheduler, and the merge of their partial results into the
//! outputs one machine would have written. The shard arithmetic and the
//! file format are the library's (`wfsim::engine::shard`).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use wfsim::engine::shard::{self, PartialFile, PosteriorArg, Shard, ShardError};
use wfsim::report::{OutputDir, default_dir, write_atomic};
use wfsim::scenario::Scenario;

use super::{ChartArgs, Failure, PrecisionArgs, RunArgs, other, output, write_run};

/// The flags of a sharded run.
#[derive(clap::Args)]
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

impl ShardArgs {
    /// The shard asked for, if any.
    pub fn shard(&self) -> Result<Option<Shard>, Failure> {
        if let Some(s) = &self.shard {
            return Shard::parse(s).map(Some).map_err(other);
        }
        if self.shard_from_env {
            return Shard::from_env(|k| std::env::var(k).ok(), self.shards)
                .map(Some)
                .map_err(other);
        }
        Ok(None)
    }
}

/// A shard error's exit code: a file that cannot be read may be transient.
fn failure(e: ShardError) -> Failure {
    match e {
        ShardError::Io { .. } => Failure::Io(e.to_string()),
        _ => Failure::Other(e.to_string()),
    }
}

/// Runs one shard and writes its partial result; a shard already written
/// for the same run is not run again (unless `--force`).
pub fn run_shard(
    file: &Path,
    args: &RunArgs,
    s: Shard,
    flags: &ShardArgs,
    precision: &PrecisionArgs,
) -> Result<(), Failure> {
    if precision.precision.is_some() {
        return Err(Failure::Other(
            "--precision cannot be sharded: each shard must know the run's trajectory count; give -n".into(),
        ));
    }
    let sc = args.load(file)?;
    let opts = args.options(&sc)?;
    let dir = args.output(&sc, "")?;
    let target = dir.path().join("shards").join(s.file_name());
    let range = s.range(opts.trajectories);
    let posterior = args.posterior.as_ref().map(|d| PosteriorArg {
        dir: d.clone(),
        take: args.take.clone(),
    });
    if !flags.force
        && let Ok(m) = PartialFile::read_manifest(&target)
        && m.scenario_sha256 == shard::fingerprint(&sc)
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
        range.end - range.start,
        format!("{} shard {s}", sc.meta.name),
    );
    let part = wfsim::engine::simulate(
        &sc,
        opts,
        range.clone(),
        &|k| bar.inc(k),
        &AtomicBool::new(false),
    )
    .map_err(other)?;
    bar.finish_and_clear();
    let bytes = PartialFile::new(&sc, Some(s), posterior, part)
        .encode()
        .map_err(Failure::Other)?;
    let folder = dir.path().join("shards");
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
            dir.path().display()
        );
    }
    Ok(())
}

/// Merges partial results: into one partial file (`--partial`), or, when
/// every trajectory is there, into the run's outputs.
pub fn merge(
    paths: &[PathBuf],
    out: Option<&Path>,
    partial: Option<&Path>,
    briefing: Option<&ChartArgs>,
    quiet: bool,
) -> Result<(), Failure> {
    let files = shard::find(paths).map_err(failure)?;
    let shard::Merged {
        file: merged,
        warnings,
        shards,
    } = shard::merge_files(&files).map_err(failure)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if let Some(target) = partial {
        let bytes = merged.encode().map_err(Failure::Other)?;
        write_atomic(target, &bytes).map_err(output)?;
        if !quiet {
            println!(
                "wrote {} ({} of {} trajectories, from {} files)",
                target.display(),
                merged.partial.counted(),
                merged.partial.trajectories,
                files.len()
            );
        }
        return Ok(());
    }
    let missing = merged.partial.missing();
    if !missing.is_empty() {
        return Err(Failure::Incomplete(describe_missing(
            &merged, shards, &missing,
        )));
    }
    let sc = rebuild(&merged)?;
    if let Some(chart) = briefing {
        wfsim::report::font::register(chart.font.as_deref()).map_err(Failure::Other)?;
    }
    let dir = OutputDir::prepare(&out.map_or_else(|| default_dir(&sc), Path::to_path_buf))
        .map_err(output)?;
    let result = wfsim::engine::assemble(&sc, merged.partial).map_err(other)?;
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
    merged: &PartialFile,
    shards: Option<u64>,
    missing: &[std::ops::Range<u64>],
) -> String {
    let ranges: Vec<String> = missing
        .iter()
        .map(|r| format!("{}..{}", r.start, r.end))
        .collect();
    let n = merged.partial.trajectories;
    let mut msg = format!(
        "the partial results hold {} of the run's {n} trajectories; missing: {}",
        merged.partial.counted(),
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

/// The scenario the shards ran, from the text they carry (and the posterior
/// they name), checked against their fingerprint.
fn rebuild(merged: &PartialFile) -> Result<Scenario, Failure> {
    let m = &merged.manifest;
    let mut sc = Scenario::from_str(&m.scenario_file, &merged.source)
        .map_err(|e| Failure::Scenario(e.to_string()))?;
    wfsim::model::params::attach_declared_posterior(&mut sc).map_err(other)?;
    if let Some(p) = &m.posterior {
        sc.posterior = None;
        let post = wfsim::scenario::Posterior::read(&p.dir)
            .and_then(|x| x.take(&p.take))
            .map_err(other)?;
        wfsim::model::params::attach_posterior(&mut sc, post).map_err(other)?;
    }
    if shard::fingerprint(&sc) != m.scenario_sha256 {
        return Err(Failure::Other(format!(
            "the scenario rebuilt from the partial results is not the one the shards ran (a posterior file it names has changed since?): {} ",
            m.scenario_file.display()
        )));
    }
    Ok(sc)
}
