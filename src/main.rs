//! The `wfsim` command line: arguments, progress bar, error rendering and
//! exit codes. Everything else is in the library.
//!
//! Exit codes, for people and for schedulers (a Kubernetes
//! `podFailurePolicy`, a Slurm requeue) alike — see [`Failure`]:
//!
//! - 0 success;
//! - 1 a scenario file has errors (do not retry: fix the file);
//! - 2 any other mistake: arguments, files of different runs (do not retry);
//! - 3 a file could not be read or written (may be transient: retry);
//! - 4 a merge found shards missing (retry when they have finished);
//! - 130 interrupted (SIGINT, or SIGTERM from a scheduler's pre-emption or
//!   time limit) while running: nothing was written; run it again.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{Parser, Subcommand};

#[path = "cli/calibrate.rs"]
mod calibrate;
#[path = "cli/inspect.rs"]
mod inspect;
#[path = "cli/shard.rs"]
mod shard;
use indicatif::{ProgressBar, ProgressStyle};

use wfsim::analysis::job::Job;
use wfsim::engine::precision::Spend;
use wfsim::engine::{RunOptions, RunResult};
use wfsim::report::format::{probability, value};
use wfsim::report::results::Results;
use wfsim::report::{OutputDir, default_dir, write_briefing, write_comparison, write_sweep};
use wfsim::scenario::{LoadError, Scenario, TEMPLATE};

#[derive(Parser)]
#[command(
    name = "wfsim",
    version,
    about = "Will the plan's targets be met? Monte Carlo projection of a social-work workforce plan."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The flags every command that runs the engine takes.
#[derive(clap::Args)]
struct RunArgs {
    /// Number of trajectories (default: the file's [run], else 10,000).
    #[arg(short = 'n', long)]
    trajectories: Option<u64>,
    /// Random seed (default: the file's [run], else 1).
    #[arg(short, long)]
    seed: Option<u64>,
    /// Output folder (default: outputs/<scenario name>/, and a subfolder per analysis).
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Worker threads (default: one per core; more than the cores only with
    /// --force-threads). Results do not depend on it.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Allow more threads than cores (at most 1,024).
    #[arg(long)]
    force_threads: bool,
    /// No progress bar and no printed table.
    #[arg(short, long)]
    quiet: bool,
    /// Print the result as JSON on stdout instead of the table, for scripts:
    /// the JSON file the command writes (summary.json, compare.json,
    /// sweep.json, solve.json or sensitivity.json).
    #[arg(long)]
    json: bool,
    /// Draw the parameters a `wfsim calibrate` posterior holds from it (a
    /// `calibrate` folder or its posterior.csv), jointly, instead of from the file's priors.
    #[arg(long, value_name = "DIR")]
    posterior: Option<PathBuf>,
    /// Carry only these parameters of the posterior: a path, or a prefix
    /// ending in * (e.g. 'parameters.exam.*'). Repeatable.
    #[arg(long = "take", value_name = "PATH", requires = "posterior")]
    take: Vec<String>,
}

/// The flag of commands that draw charts.
#[derive(clap::Args)]
struct ChartArgs {
    /// A TrueType/OpenType font for the charts instead of the bundled one.
    #[arg(long, value_name = "PATH")]
    font: Option<PathBuf>,
    /// The PNG charts' scale: 2 draws a 1000×600 chart at 2000×1200 pixels,
    /// for a 1920-wide slide (the SVGs are the same at any scale).
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0, value_parser = chart_scale)]
    scale: f32,
}

impl ChartArgs {
    fn look(&self) -> wfsim::report::chart::Look {
        wfsim::report::chart::Look {
            font: self.font.clone(),
            scale: self.scale,
        }
    }
}

/// A `--scale` within the charts' range.
fn chart_scale(s: &str) -> Result<f32, String> {
    let range = wfsim::report::chart::Look::SCALES;
    match s.parse::<f32>() {
        Ok(x) if range.contains(&x) => Ok(x),
        _ => Err(format!(
            "expected a number from {} to {}, e.g. 2 for slides; found \"{s}\"",
            range.start(),
            range.end()
        )),
    }
}

impl RunArgs {
    /// The scenario in `file`, with the posterior of `--posterior` attached.
    fn load(&self, file: &Path) -> Result<Scenario, Failure> {
        let mut sc = load(file)?;
        // The command line's posterior replaces the file's.
        if let Some(dir) = &self.posterior {
            sc.posterior = None;
            let p = wfsim::scenario::Posterior::read(dir)
                .and_then(|p| p.take(&self.take))
                .map_err(other)?;
            wfsim::model::params::attach_posterior(&mut sc, p).map_err(other)?;
        }
        Ok(sc)
    }

    /// Run options for a scenario; at least one trajectory.
    fn options(&self, sc: &Scenario) -> Result<RunOptions, Failure> {
        let threads = worker_threads(self.threads, self.force_threads, self.quiet)?;
        let opts = RunOptions::for_scenario(sc, self.trajectories, self.seed, threads);
        if opts.trajectories == 0 {
            return Err(Failure::Other("--trajectories must be at least 1".into()));
        }
        Ok(opts)
    }

    /// The output folder (`--out`, else `outputs/<name>/<sub>`), checked now
    /// so that a bad path fails before the run, not after it.
    fn output(&self, sc: &Scenario, sub: &str) -> Result<OutputDir, Failure> {
        let default = default_dir(sc).join(sub);
        OutputDir::prepare(self.out.as_deref().unwrap_or(&default)).map_err(other)
    }

    /// A progress bar on a terminal, nothing otherwise.
    fn progress(
        &self,
        len: u64,
        message: impl Into<std::borrow::Cow<'static, str>>,
    ) -> ProgressBar {
        if self.quiet || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let b = ProgressBar::new(len);
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{bar:30}] {human_pos}/{human_len} trajectories, {eta} left",
        ) {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_message(message);
        b
    }

    /// Prints the table, or with `--json` the file `name` among `written`.
    fn show(
        &self,
        written: &[PathBuf],
        name: &str,
        f: impl FnOnce(&mut io::StdoutLock) -> io::Result<()>,
    ) -> Result<(), Failure> {
        if !self.json {
            return self.print(f);
        }
        let Some(path) = written
            .iter()
            .find(|p| p.file_name() == Some(name.as_ref()))
        else {
            return Err(Failure::Other(format!("no {name} was written")));
        };
        let bytes = std::fs::read(path)
            .map_err(|e| Failure::Io(format!("cannot read {}: {e}", path.display())))?;
        to_stdout(|o| o.write_all(&bytes).and_then(|_| writeln!(o)))
    }

    /// Prints a table unless `--quiet`.
    fn print(&self, f: impl FnOnce(&mut io::StdoutLock) -> io::Result<()>) -> Result<(), Failure> {
        if self.quiet {
            return Ok(());
        }
        to_stdout(f)
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn to_stdout(f: impl FnOnce(&mut io::StdoutLock) -> io::Result<()>) -> Result<(), Failure> {
    match f(&mut io::stdout().lock()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(other(e)),
        _ => Ok(()),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check scenario files without running them.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List a scenario's targets: id, label, year, condition and scope.
    Targets {
        /// Scenario file (TOML).
        file: PathBuf,
        /// As JSON on stdout, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// List the numbers of a scenario that a [[variant]], `sweep --set` or
    /// `solve --lever` can set, by path, with their values.
    Levers {
        /// Scenario file (TOML).
        file: PathBuf,
        /// Each region's own numbers too.
        #[arg(long)]
        regions: bool,
        /// As JSON on stdout, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Write the JSON Schema of scenario files (for an editor's completion
    /// and checking: `wfsim init` points its template at it).
    Schema {
        /// Write it to this file instead of stdout.
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Write a commented template scenario that validates and runs as is.
    Init {
        /// Where to write it.
        #[arg(default_value = "scenario.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Run a scenario: summary.json, metrics.csv, targets.csv, the charts, report.html and summary.xlsx.
    Run {
        /// Scenario file (TOML).
        file: PathBuf,
        #[command(flatten)]
        run: RunArgs,
        /// Skip the charts, report.html and summary.xlsx.
        #[arg(long)]
        no_charts: bool,
        #[command(flatten)]
        precision: PrecisionArgs,
        #[command(flatten)]
        chart: ChartArgs,
        #[command(flatten)]
        shard: shard::ShardArgs,
    },
    /// Merge the partial results of a sharded run (`run --shard`) into the run's
    /// outputs: the same files, byte for byte, as one machine's run.
    Merge {
        /// Partial-result files, or folders holding them (a run's output folder:
        /// its shards/ subfolder is searched).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output folder (default: outputs/<scenario name>/).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Write the merge as one partial-result FILE instead (a step of a tree
        /// of merges; shards may still be missing).
        #[arg(long, value_name = "FILE", conflicts_with = "out")]
        partial: Option<PathBuf>,
        /// Skip the charts, report.html and summary.xlsx.
        #[arg(long)]
        no_charts: bool,
        /// No printed table.
        #[arg(short, long)]
        quiet: bool,
        #[command(flatten)]
        chart: ChartArgs,
    },
    /// Compare policy variants on the same random numbers: the [[variant]]s of FILE,
    /// or other scenario files that share its regions and targets.
    Compare {
        /// The baseline scenario.
        file: PathBuf,
        /// Scenario files to compare with it (default: FILE's [[variant]]s).
        others: Vec<PathBuf>,
        /// Only these declared variants (repeatable).
        #[arg(long = "variant", value_name = "NAME")]
        only: Vec<String>,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        chart: ChartArgs,
        #[command(flatten)]
        shard: shard::ShardArgs,
    },
    /// Run one or two levers over a grid: P(target) and cost at every point.
    Sweep {
        /// The scenario.
        file: PathBuf,
        /// A lever and its values: PATH=v1,v2,v3 or PATH=from..to:points (once or twice).
        #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
        axes: Vec<String>,
        /// The target the chart shows (an id, or "joint" for all targets together).
        #[arg(long, default_value = "joint")]
        target: String,
        #[command(flatten)]
        run: RunArgs,
        /// Each point runs until every target's interval there is this narrow.
        #[command(flatten)]
        precision: PrecisionArgs,
        #[command(flatten)]
        chart: ChartArgs,
        #[command(flatten)]
        shard: shard::ShardArgs,
    },
    /// The least value of a lever (e.g. the yearly budget) for which P(target) reaches a probability.
    Solve {
        /// The scenario.
        file: PathBuf,
        /// The lever: a dotted path of the file, e.g. funding.budget.
        #[arg(long)]
        lever: String,
        /// The target (an id, or "joint" for all targets together).
        #[arg(long, default_value = "joint")]
        target: String,
        /// The probability to reach.
        #[arg(short, long, default_value_t = 0.8)]
        probability: f64,
        /// The range to search.
        #[arg(long)]
        min: f64,
        #[arg(long)]
        max: f64,
        /// Stop when the answer is known to this precision (default: range / 1,000).
        #[arg(long, default_value_t = 0.0)]
        tolerance: f64,
        #[command(flatten)]
        run: RunArgs,
        /// Each probe runs until its interval leaves out the probability sought or is this narrow.
        #[command(flatten)]
        precision: PrecisionArgs,
    },
    /// Which uncertain parameter moves each target's probability most (a tornado chart per target).
    Sensitivity {
        /// The scenario.
        file: PathBuf,
        /// How many parameters each tornado chart shows.
        #[arg(long, default_value_t = 15)]
        top: usize,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        chart: ChartArgs,
        #[command(flatten)]
        shard: shard::ShardArgs,
    },
    /// The answers table of scenarios/README.md: every target of each plan with its
    /// reading, P(met), binding limit and the unknowns that move it most.
    Table {
        /// Scenario files (TOML), in the order the table lists them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Trajectories per plan (the same for every plan, whatever its file says).
        #[arg(short = 'n', long, default_value_t = 4000)]
        trajectories: u64,
        /// Worker threads (default: all cores).
        #[arg(short = 'j', long)]
        threads: Option<usize>,
        /// Rewrite the generated part of this markdown file (between its
        /// `wfsim table` markers) instead of printing the table.
        #[arg(long, value_name = "README")]
        into: Option<PathBuf>,
    },
    /// Fit the file's uncertain numbers to history by ABC-SMC: outputs/<name>/calibrate/
    /// (posterior.csv, diagnostics.json, prior vs posterior, predictive check).
    /// Exits non-zero when the result cannot be called a posterior.
    Calibrate {
        /// The scenario whose unknowns to fit.
        file: PathBuf,
        #[command(flatten)]
        args: calibrate::CalibrateArgs,
        /// Instead: check the method on R synthetic histories drawn from the priors
        /// (does a 90% posterior interval hold the truth 90% of the time?).
        #[arg(long, value_name = "R")]
        check: Option<usize>,
    },
    /// Fit on the years up to --cutoff, forecast the rest, and score the forecast
    /// against the last value carried forward and a linear trend.
    Backtest {
        /// The scenario.
        file: PathBuf,
        #[command(flatten)]
        args: calibrate::CalibrateArgs,
        /// The last year fitted; later years are held out.
        #[arg(long)]
        cutoff: i32,
    },
    /// Draw the charts, report.html and summary.xlsx again from a run's folder, without running.
    Report {
        /// A folder written by `wfsim run` (holding summary.json and metrics.csv).
        dir: PathBuf,
        #[command(flatten)]
        chart: ChartArgs,
    },
}

/// A failure and its exit code.
enum Failure {
    /// The scenario has errors (exit 1): retrying will not help.
    Scenario(String),
    /// Anything else (exit 2): a mistake that retrying will not mend.
    Other(String),
    /// A file could not be read or written (exit 3): perhaps transient.
    Io(String),
    /// A merge lacks shards (exit 4): retry when they have finished.
    Incomplete(String),
    /// Stopped by a signal while running (exit 130): nothing was written.
    Interrupted,
}

/// Set by the first SIGINT or SIGTERM, for the runs that watch it
/// ([`watch_signals`]): they stop between blocks of trajectories and
/// write nothing.
static STOP: AtomicBool = AtomicBool::new(false);
/// Whether a run is watching [`STOP`]; if not, a signal ends the process.
static WATCHED: AtomicBool = AtomicBool::new(false);

/// Lets a signal stop the run in hand cleanly (a second one, or one when no
/// run watches, exits at once), and returns the flag the run watches.
fn watch_signals() -> &'static AtomicBool {
    WATCHED.store(true, std::sync::atomic::Ordering::SeqCst);
    &STOP
}

/// A runner error: an interruption has its own exit code.
fn run_failure(e: wfsim::engine::RunError) -> Failure {
    match e {
        wfsim::engine::RunError::Interrupted => Failure::Interrupted,
        e => other(e),
    }
}

/// `--precision` and its ceiling, shared by run, sweep and solve.
#[derive(Debug, Clone, clap::Args)]
struct PrecisionArgs {
    /// Run in blocks of 1,000 trajectories until P(met) is known to ± this (a
    /// probability: 0.01 is ± 1 point, at 95%), instead of a fixed count.
    #[arg(long, value_name = "HALF-WIDTH", conflicts_with = "trajectories")]
    precision: Option<f64>,
    /// With --precision: stop at this many trajectories even if the precision is not met.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1_000_000,
        requires = "precision"
    )]
    max_trajectories: u64,
}

impl PrecisionArgs {
    /// How many trajectories each run may spend; a precision outside (0, ½) is refused.
    fn spend(&self) -> Result<Spend, Failure> {
        match self.precision {
            None => Ok(Spend::Fixed),
            Some(p) if p > 0.0 && p < 0.5 => Ok(Spend::UpTo {
                precision: p,
                ceiling: self.max_trajectories,
            }),
            Some(p) => Err(Failure::Other(format!(
                "--precision is the half-width of a probability's interval, above 0 and below 0.5 (0.01 is ± 1 point); found {p}"
            ))),
        }
    }
}

/// Any other error, for exit code 2.
fn other(e: impl std::fmt::Display) -> Failure {
    Failure::Other(e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Without a handler a signal would kill the process mid-write; the
    // outputs are written whole or not at all either way, but a watched
    // run stops between blocks and says so. Best effort: if the handler
    // cannot be installed, signals keep their default action.
    let _ = ctrlc::set_handler(|| {
        use std::sync::atomic::Ordering::SeqCst;
        if WATCHED.load(SeqCst) && !STOP.swap(true, SeqCst) {
            eprintln!(
                "\ninterrupted: stopping (nothing will be written; a second signal exits at once)"
            );
        } else {
            std::process::exit(130);
        }
    });
    let result = match cli.command {
        Command::Validate { files } => validate(&files),
        Command::Init { path, force } => init(&path, force),
        Command::Targets { file, json } => load(&file).and_then(|sc| inspect::targets(&sc, json)),
        Command::Levers {
            file,
            regions,
            json,
        } => load(&file).and_then(|sc| inspect::levers(&sc, regions, json)),
        Command::Schema { out } => inspect::schema(out.as_deref()),
        Command::Run {
            file,
            run: args,
            no_charts,
            precision,
            chart,
            shard,
        } => match shard.mode(Some(&precision)) {
            Ok(shard::Mode::Shard { shard, force }) => shard::run_shard(&file, &args, shard, force),
            Ok(_) => precision
                .spend()
                .and_then(|spend| run(&file, &args, spend, (!no_charts).then_some(&chart))),
            Err(e) => Err(e),
        },
        Command::Merge {
            paths,
            out,
            partial,
            no_charts,
            quiet,
            chart,
        } => shard::merge(
            &paths,
            out.as_deref(),
            partial.as_deref(),
            (!no_charts).then_some(&chart),
            quiet,
            |command, mode, out| replay(command, mode, out, quiet),
        ),
        Command::Report { dir, chart } => report(&dir, &chart),
        Command::Compare {
            file,
            others,
            only,
            run,
            chart,
            shard,
        } => shard
            .mode(None)
            .and_then(|mode| compare(&file, &others, &only, &run, &chart, mode)),
        Command::Sweep {
            file,
            axes,
            target,
            run,
            precision,
            chart,
            shard,
        } => shard.mode(Some(&precision)).and_then(|mode| {
            precision
                .spend()
                .and_then(|spend| sweep(&file, &axes, &target, &run, spend, &chart, mode))
        }),
        Command::Solve {
            file,
            lever,
            target,
            probability,
            min,
            max,
            tolerance,
            run,
            precision,
        } => precision.spend().and_then(|spend| {
            solve(
                &file,
                lever,
                &target,
                probability,
                (min, max, tolerance),
                &run,
                spend,
            )
        }),
        Command::Sensitivity {
            file,
            top,
            run,
            chart,
            shard,
        } => shard
            .mode(None)
            .and_then(|mode| sensitivity(&file, top, &run, &chart, mode)),
        Command::Table {
            files,
            trajectories,
            threads,
            into,
        } => table(&files, trajectories, threads, into.as_deref()),
        Command::Calibrate { file, args, check } => calibrate::run_calibrate(&file, &args, check),
        Command::Backtest { file, args, cutoff } => calibrate::run_backtest(&file, &args, cutoff),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Scenario(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(1)
        }
        Err(Failure::Other(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Io(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(3)
        }
        Err(Failure::Incomplete(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(4)
        }
        Err(Failure::Interrupted) => {
            eprintln!("error: interrupted; nothing was written");
            ExitCode::from(130)
        }
    }
}

/// Redoes the summary of a sharded `compare` or `sweep` from its merged
/// parts: the shards' own command line, read again, with the merged parts
/// in place of its runs, writing into `out` (if given) with `quiet`.
fn replay(
    command: &[String],
    mode: shard::Mode,
    out: Option<PathBuf>,
    quiet: bool,
) -> Result<(), Failure> {
    let cli = Cli::try_parse_from(command).map_err(|e| {
        Failure::Other(format!(
            "the shards' command line ({}) cannot be read by this wfsim: {e}",
            command.join(" ")
        ))
    })?;
    let set = |mut run: RunArgs| {
        run.out = out.clone().or(run.out);
        run.quiet = quiet;
        run
    };
    match cli.command {
        Command::Compare {
            file,
            others,
            only,
            run,
            chart,
            ..
        } => compare(&file, &others, &only, &set(run), &chart, mode),
        Command::Sweep {
            file,
            axes,
            target,
            run,
            chart,
            ..
        } => sweep(&file, &axes, &target, &set(run), Spend::Fixed, &chart, mode),
        Command::Sensitivity {
            file,
            top,
            run,
            chart,
            ..
        } => sensitivity(&file, top, &set(run), &chart, mode),
        _ => Err(Failure::Other(format!(
            "the shards' command ({}) is not one a merge can finish",
            command.join(" ")
        ))),
    }
}

fn load(file: &Path) -> Result<Scenario, Failure> {
    let mut sc = Scenario::load(file).map_err(|e| match e {
        LoadError::Invalid(errs) => Failure::Scenario(errs.to_string()),
        io @ LoadError::Io { .. } => Failure::Other(io.to_string()),
    })?;
    wfsim::model::params::attach_declared_posterior(&mut sc)
        .map_err(|e| Failure::Scenario(format!("error: {}: [posterior]: {e}", file.display())))?;
    Ok(sc)
}

fn validate(files: &[PathBuf]) -> Result<(), Failure> {
    let mut scenario_errors = Vec::new();
    let mut other = Vec::new();
    for f in files {
        match load(f) {
            Ok(sc) => println!(
                "ok: {} ({}, {} region{}, {} target{}, {}–{})",
                f.display(),
                sc.meta.name,
                sc.regions.len(),
                if sc.regions.len() == 1 { "" } else { "s" },
                sc.targets.len(),
                if sc.targets.len() == 1 { "" } else { "s" },
                sc.start_year,
                sc.end_year
            ),
            Err(Failure::Scenario(m)) => scenario_errors.push(m),
            Err(Failure::Other(m) | Failure::Io(m) | Failure::Incomplete(m)) => other.push(m),
            Err(Failure::Interrupted) => return Err(Failure::Interrupted),
        }
    }
    if !other.is_empty() {
        for m in &scenario_errors {
            eprintln!("{m}");
        }
        return Err(Failure::Other(other.join("\nerror: ")));
    }
    if !scenario_errors.is_empty() {
        return Err(Failure::Scenario(scenario_errors.join("\n")));
    }
    Ok(())
}

/// The schema file `init` writes beside a new scenario.
const SCHEMA_FILE: &str = "wfsim.schema.json";

fn init(path: &Path, force: bool) -> Result<(), Failure> {
    if path.exists() && !force {
        return Err(Failure::Other(format!(
            "{} exists; use --force to overwrite it",
            path.display()
        )));
    }
    // Named after the file, so that each new plan has its own outputs folder.
    let stem: String = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = stem.trim_start_matches(['.', '-']);
    let text = if name.is_empty() {
        TEMPLATE.to_string()
    } else {
        TEMPLATE.replacen("name = \"template-city\"", &format!("name = \"{name}\""), 1)
    };
    // The schema beside it, named by a first line that editors with a TOML
    // language server (Taplo, "Even Better TOML") read: completion and
    // checking as the planner types.
    let schema = path.with_file_name(SCHEMA_FILE);
    let text = format!("#:schema ./{SCHEMA_FILE}\n{text}");
    inspect::write_whole(&schema, &inspect::schema_text()?)?;
    inspect::write_whole(path, &text)?;
    println!(
        "wrote {} (and {}, for an editor's completion); run it with: wfsim run {}",
        path.display(),
        schema.display(),
        path.display()
    );
    Ok(())
}

fn run(
    file: &Path,
    args: &RunArgs,
    spend: Spend,
    briefing: Option<&ChartArgs>,
) -> Result<(), Failure> {
    let sc = args.load(file)?;
    // A font that cannot be read fails now, not after the run.
    if let Some(chart) = briefing {
        chart.look().prepare().map_err(Failure::Other)?;
    }
    let opts = args.options(&sc)?;
    let dir = args.output(&sc, "")?;
    let (result, note) = match spend {
        Spend::Fixed => {
            let bar = args.progress(opts.trajectories, sc.meta.name.clone());
            let r = wfsim::engine::run(&sc, opts, &|k| bar.inc(k), watch_signals())
                .map_err(run_failure)?;
            bar.finish_and_clear();
            (r, None)
        }
        Spend::UpTo {
            precision: p,
            ceiling,
        } => {
            let bar = args.progress(ceiling, sc.meta.name.clone());
            let pr = wfsim::engine::precision::run_to_precision(
                &sc,
                p,
                ceiling,
                opts.seed,
                opts.threads,
                &|k| bar.inc(k),
                watch_signals(),
            )
            .map_err(run_failure)?;
            bar.finish_and_clear();
            let note = pr.describe();
            (pr.result, Some(note))
        }
    };
    let written = write_run(&sc, &result, &dir, briefing, args.quiet)?;
    if let Some(n) = &note {
        // Said on stderr too, so that a --quiet run under a scheduler logs it.
        eprintln!("{n}");
    }
    args.show(&written, "summary.json", |o| {
        print_summary(o, &sc, &result, &written)
    })
}

/// Writes a run's outputs into `dir` (a run's, or a merge's): the numbers,
/// then the briefing (or the removal of an earlier one), then the manifest.
fn write_run(
    sc: &Scenario,
    result: &RunResult,
    dir: &OutputDir,
    briefing: Option<&ChartArgs>,
    quiet: bool,
) -> Result<Vec<PathBuf>, Failure> {
    dir.clean_stale();
    dir.begin_run().map_err(output)?;
    let mut written = dir.write_all(sc, result).map_err(output)?;
    if briefing.is_none() {
        for p in dir.remove_briefing() {
            if !quiet {
                eprintln!("removed {} (the previous run's briefing)", p.display());
            }
        }
    }
    if let Some(chart) = briefing {
        let results = Results::from_run(sc, result).map_err(other)?;
        let charts = write_briefing(dir, &results, &chart.look()).map_err(output)?;
        written.extend(
            charts
                .into_iter()
                .filter(|p| p.extension().is_none_or(|e| e != "svg")),
        );
    }
    written.push(dir.write_manifest().map_err(output)?);
    Ok(written)
}

/// An output error: a folder or file that could not be written is perhaps
/// transient (exit 3); anything else is not.
fn output(e: wfsim::report::OutputError) -> Failure {
    use wfsim::report::OutputError as E;
    match e {
        E::Dir { .. } | E::Write { .. } => Failure::Io(e.to_string()),
        _ => Failure::Other(e.to_string()),
    }
}

/// Lists written files, as the last lines of a command's output.
fn wrote(o: &mut io::StdoutLock, written: &[PathBuf]) -> io::Result<()> {
    for w in written {
        writeln!(o, "wrote {}", w.display())?;
    }
    Ok(())
}

/// Formats a number for a table: thousands separators, shares as percentages.
fn print_summary(
    o: &mut io::StdoutLock,
    sc: &Scenario,
    r: &RunResult,
    written: &[PathBuf],
) -> io::Result<()> {
    let zh = sc.meta.language == "zh";
    writeln!(
        o,
        "{} — {} trajectories, seed {}, {} threads, {:.2} s",
        sc.meta.label, r.options.trajectories, r.options.seed, r.threads, r.elapsed_seconds
    )?;
    for w in &r.warnings {
        writeln!(o, "warning: {w}")?;
    }
    if let Some(p) = &sc.posterior {
        writeln!(
            o,
            "parameters from the posterior {} ({} particles): {}",
            p.source.display(),
            p.len(),
            p.paths.join(", ")
        )?;
    }
    writeln!(o)?;
    // The document's wording comes last, whole, with its reading: wrapped
    // to the terminal when there is one, never cut.
    let mut t = wfsim::report::terminal::table(
        &[
            "target",
            "year",
            "threshold",
            "P(met) [95% CI]",
            "median",
            "5–95%",
            "as the document says it",
        ],
        &[1, 2, 3, 4, 5],
    );
    for (t_, tg) in r.targets.iter().zip(&sc.targets) {
        let shown = |v: f64| wfsim::report::format::metric_value(tg.metric.name(), v, zh);
        t.add_row(vec![
            t_.id.clone(),
            t_.year.to_string(),
            format!("{} {}", t_.op, shown(t_.threshold)),
            probability(t_.p_met, t_.ci_low, t_.ci_high),
            shown(t_.quantiles.p50),
            format!("{} – {}", shown(t_.quantiles.p05), shown(t_.quantiles.p95)),
            format!(
                "{}{}",
                t_.label,
                t_.reading
                    .as_ref()
                    .map(|x| format!(" [{x}]"))
                    .unwrap_or_default()
            ),
        ]);
    }
    if !r.targets.is_empty() {
        t.add_row(vec![
            "all targets together".to_string(),
            String::new(),
            String::new(),
            probability(r.joint.p, r.joint.low, r.joint.high),
        ]);
    }
    writeln!(o, "{t}")?;
    if r.targets.iter().any(|t| t.spread.is_some()) {
        writeln!(
            o,
            "\nwhere the spread comes from (share of each target's variance):"
        )?;
        let mut t = wfsim::report::terminal::table(&["target", "unknowns", "chance"], &[1, 2]);
        for tr in &r.targets {
            if let Some(s) = &tr.spread {
                t.add_row(vec![
                    tr.id.clone(),
                    format!("{:.0}%", s.unknowns * 100.0),
                    format!("{:.0}%", s.chance * 100.0),
                ]);
            }
        }
        writeln!(o, "{t}")?;
    }
    let why = wfsim::analysis::explain::explain(sc, r);
    if !why.is_empty() {
        writeln!(o, "\nwhat decides the near-certain answers:")?;
    }
    for e in &why {
        use wfsim::analysis::explain::Why;
        let Some((t, tg)) = r
            .targets
            .iter()
            .zip(&sc.targets)
            .find(|(t, _)| t.id == e.id)
        else {
            continue;
        };
        let shown = |v: f64| wfsim::report::format::metric_value(tg.metric.name(), v, zh);
        let text = match &e.why {
            Why::FixedLimit { max, limit } => format!(
                "the threshold {} is above the most the file's fixed inputs allow ({}), set by {}. No trajectory can meet it: the limit decides, not chance.",
                shown(t.threshold),
                shown(*max),
                limit
            ),
            Why::MetAtStart { start_median } => format!(
                "already met in the start year {} (median {}): the target asks nothing of the plan as counted here.",
                sc.start_year,
                shown(*start_median)
            ),
            Why::FarFromThreshold { edge, drivers } => {
                let side = if t.p_met < 0.5 { "highest" } else { "lowest" };
                let mut s = format!(
                    "no fixed limit; the {side} 5% of trajectories reach {} against {}",
                    shown(*edge),
                    shown(t.threshold)
                );
                if drivers.is_empty() {
                    s.push_str(": no single unknown moves it much.");
                } else {
                    s.push_str(". Moved most by ");
                    s.push_str(
                        &drivers
                            .iter()
                            .map(|(p, rho)| format!("{p} (ρ {rho:+.2})"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    );
                    s.push_str(": the answer rests on these.");
                }
                s
            }
        };
        writeln!(
            o,
            "  {} {}: {text}",
            t.id,
            probability(t.p_met, t.ci_low, t.ci_high)
        )?;
    }
    if !r.programmes.is_empty() {
        writeln!(
            o,
            "\nprogrammes (each may come or not, drawn per trajectory):"
        )?;
    }
    for p in &r.programmes {
        let starts: Vec<String> = p
            .start_years
            .iter()
            .map(|s| format!("{} {:.0}%", s.year, s.share * 100.0))
            .collect();
        // An exam drive brings candidates to the exam: it builds nothing,
        // and its effect shows in registrants and passes, not here.
        let built = if p.builds_nothing() {
            "its candidates are in registrants and passes".to_string()
        } else {
            format!(
                "built by the end: mean {}, 5–95% {} – {}",
                value(p.built_mean, false, zh),
                value(p.built.p05, false, zh),
                value(p.built.p95, false, zh)
            )
        };
        writeln!(
            o,
            "  {:<30} came in {} of trajectories; started {}{}; {built}",
            p.label,
            probability(p.p_happened, p.ci_low, p.ci_high),
            if starts.is_empty() {
                "never within the run".to_string()
            } else {
                starts.join(", ")
            },
            if p.starts_after_end > 0.0 {
                format!(", after the end {:.0}%", p.starts_after_end * 100.0)
            } else {
                String::new()
            },
        )?;
    }
    if !sc.not_modelled.is_empty() {
        writeln!(
            o,
            "\nnot modelled (targets of the document with no mechanism here, so no probability):"
        )?;
    }
    for t in &sc.not_modelled {
        writeln!(
            o,
            "  {}{}: {} — {}",
            t.id,
            t.year.map(|y| format!(" ({y})")).unwrap_or_default(),
            t.label,
            t.reason
        )?;
    }
    writeln!(o)?;
    wrote(o, written)
}

fn report(dir: &Path, chart: &ChartArgs) -> Result<(), Failure> {
    let results = Results::read(dir).map_err(other)?;
    let out = OutputDir::prepare(dir).map_err(other)?;
    out.check_manifest().map_err(other)?;
    let written = write_briefing(&out, &results, &chart.look()).map_err(other)?;
    out.write_manifest().map_err(other)?;
    let charts = written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .count();
    println!(
        "drew {charts} charts (PNG and SVG) in {}",
        dir.join("charts").display()
    );
    for w in written.iter().filter(|p| p.parent() == Some(dir)) {
        println!("wrote {}", w.display());
    }
    Ok(())
}

fn compare(
    file: &Path,
    others: &[PathBuf],
    only: &[String],
    args: &RunArgs,
    chart: &ChartArgs,
    mode: shard::Mode,
) -> Result<(), Failure> {
    use wfsim::analysis::compare::{Arm, compare, compare_part, comparison};
    let base = args.load(file)?;
    let opts = args.options(&base)?;
    let mut arms = Vec::new();
    if others.is_empty() {
        for name in only {
            if !base.variants.iter().any(|v| &v.name == name) {
                let known: Vec<&str> = base.variants.iter().map(|v| v.name.as_str()).collect();
                return Err(Failure::Other(format!(
                    "{} declares no variant {name:?} (it has: {})",
                    file.display(),
                    known.join(", ")
                )));
            }
        }
        for v in base
            .variants
            .iter()
            .filter(|v| only.is_empty() || only.contains(&v.name))
        {
            let sc = base
                .variant(v)
                .map_err(|e| Failure::Scenario(format!("in variant {:?}:\n{e}", v.name)))?;
            arms.push(Arm {
                name: v.name.clone(),
                label: v.label.clone(),
                scenario: sc,
                weight: v.weight,
            });
        }
    } else {
        for f in others {
            let sc = args.load(f)?;
            arms.push(Arm {
                name: sc.meta.name.clone(),
                label: sc.meta.label.clone(),
                scenario: sc,
                weight: None,
            });
        }
    }
    if arms.is_empty() {
        return Err(Failure::Other(format!(
            "nothing to compare: {} declares no [[variant]] and no other file was given",
            file.display()
        )));
    }
    let dir = args.output(&base, "compare")?;
    let zh = base.meta.language == "zh";
    let base_arm = Arm {
        name: "baseline".into(),
        label: if zh {
            "基准".into()
        } else {
            "baseline".into()
        },
        scenario: base,
        weight: None,
    };
    let scenarios: Vec<&Scenario> = std::iter::once(&base_arm.scenario)
        .chain(arms.iter().map(|a| &a.scenario))
        .collect();
    let c = match mode {
        shard::Mode::Whole => {
            let bar = args.progress(opts.trajectories * (arms.len() as u64 + 1), "compare");
            let c = compare(&base_arm, &arms, opts, &|k| bar.inc(k)).map_err(other)?;
            bar.finish_and_clear();
            c
        }
        shard::Mode::Shard { shard: s, force } => {
            let of = shard::ShardOf {
                dir: dir.path(),
                shard: s,
                force,
                scenarios: &scenarios,
                what: "compare".into(),
            };
            return shard::write_shard(of, args, opts, |range, progress| {
                let part = compare_part(&base_arm, &arms, opts, range, progress).map_err(other)?;
                Ok(Job::Compare(part))
            });
        }
        shard::Mode::Merged { job, fingerprint } => {
            shard::check_same(&scenarios, &fingerprint)?;
            let Job::Compare(part) = job else {
                return Err(Failure::Other(
                    "the partial results are not of a comparison".into(),
                ));
            };
            comparison(&base_arm, &arms, part).map_err(other)?
        }
    };
    let written = write_comparison(&dir, &c, zh, &chart.look()).map_err(other)?;
    args.show(&written, "compare.json", |o| {
        writeln!(
            o,
            "{} — {} trajectories per arm, seed {}, same random numbers in every arm",
            c.label, c.trajectories, c.seed
        )?;
        writeln!(o)?;
        let table = wfsim::report::terminal::table;
        for t in &c.targets {
            writeln!(o, "{}", t.label)?;
            let mut tb = table(
                &[
                    "arm",
                    "P(met) [95% CI]",
                    "difference, points [95% paired]",
                    "unpaired would be",
                ],
                &[1, 2, 3],
            );
            tb.add_row(vec![
                "baseline".to_string(),
                probability(t.baseline, t.baseline_low, t.baseline_high),
                String::new(),
                String::new(),
            ]);
            for v in &t.variants {
                let w = wfsim::stats::wilson(
                    (v.p_met * c.trajectories as f64).round() as u64,
                    c.trajectories,
                );
                tb.add_row(vec![
                    v.variant.clone(),
                    probability(v.p_met, w.low, w.high),
                    format!(
                        "{:+.1} [{:+.1}, {:+.1}]",
                        v.difference * 100.0,
                        v.diff_low * 100.0,
                        v.diff_high * 100.0
                    ),
                    format!(
                        "[{:+.1}, {:+.1}]",
                        v.unpaired_low * 100.0,
                        v.unpaired_high * 100.0
                    ),
                ]);
            }
            if let Some(w) = &t.weighted {
                tb.add_row(vec![
                    "weighted over the arms".to_string(),
                    probability(w.p_met, w.ci_low, w.ci_high),
                    format!("baseline weight {:.2}", w.baseline_weight),
                    String::new(),
                ]);
            }
            writeln!(o, "{tb}")?;
        }
        // Money as a Chinese briefing writes it (4,706万元), else in yuan.
        let money = |v: f64| wfsim::report::format::money(v.abs(), zh);
        let mut tb = table(
            &["arm", "spends over the projection", "vs baseline"],
            &[1, 2],
        );
        for a in &c.arms {
            let sign = if a.extra_cost > 0.0 {
                "+"
            } else if a.extra_cost < 0.0 {
                "-"
            } else {
                ""
            };
            tb.add_row(vec![
                a.name.clone(),
                money(a.spend),
                format!("{sign}{}", money(a.extra_cost)),
            ]);
        }
        writeln!(o, "{tb}")?;
        wrote(o, &written)
    })
}

fn sweep(
    file: &Path,
    axes: &[String],
    target: &str,
    args: &RunArgs,
    spend: Spend,
    chart: &ChartArgs,
    mode: shard::Mode,
) -> Result<(), Failure> {
    use wfsim::analysis::sweep::{
        Axis, Grid, SweepError, sweep_merged, sweep_part, sweep_spending,
    };
    let sc = args.load(file)?;
    let axes: Vec<Axis> = axes
        .iter()
        .map(|a| Axis::parse(a))
        .collect::<Result<_, _>>()
        .map_err(Failure::Other)?;
    if axes.len() == 2 && axes[0].path == axes[1].path {
        return Err(Failure::Other(format!(
            "--set names {} twice; a sweep's two axes must be two different levers",
            axes[0].path
        )));
    }
    let failure = |e| match e {
        SweepError::Scenario(errs) => Failure::Scenario(errs.to_string()),
        e => other(e),
    };
    // Every point's scenario, built and validated before anything runs or
    // is written: a value the file cannot take fails here.
    let grid = Grid::new(&sc, &axes).map_err(failure)?;
    let ti = target_index(&sc, target)?;
    let opts = args.options(&sc)?;
    let dir = args.output(&sc, "sweep")?;
    let points: u64 = axes.iter().map(|a| a.values.len() as u64).product();
    let per_point = match spend {
        Spend::Fixed => opts.trajectories,
        Spend::UpTo { ceiling, .. } => ceiling,
    };
    let s = match mode {
        shard::Mode::Whole => {
            let bar = args.progress(per_point * points, format!("sweep, {points} points"));
            let s = sweep_spending(&sc, &grid, opts, spend, &|k| bar.inc(k)).map_err(failure)?;
            bar.finish_and_clear();
            s
        }
        shard::Mode::Shard { shard: s, force } => {
            let scenarios: Vec<&Scenario> = grid.scenarios().iter().collect();
            let of = shard::ShardOf {
                dir: dir.path(),
                shard: s,
                force,
                scenarios: &scenarios,
                what: format!("sweep, {points} points"),
            };
            return shard::write_shard(of, args, opts, |range, progress| {
                let parts = sweep_part(&grid, opts, range, progress).map_err(failure)?;
                Ok(Job::Sweep(parts))
            });
        }
        shard::Mode::Merged { job, fingerprint } => {
            let scenarios: Vec<&Scenario> = grid.scenarios().iter().collect();
            shard::check_same(&scenarios, &fingerprint)?;
            let Job::Sweep(parts) = job else {
                return Err(Failure::Other(
                    "the partial results are not of a sweep".into(),
                ));
            };
            sweep_merged(&sc, &grid, parts).map_err(failure)?
        }
    };
    let written =
        write_sweep(&dir, &s, ti, sc.meta.language == "zh", &chart.look()).map_err(other)?;
    args.show(&written, "sweep.json", |o| {
        let counts = match spend {
            Spend::Fixed => format!("{} trajectories per point", s.trajectories),
            Spend::UpTo { precision, .. } => {
                let (lo, hi) = s.points.iter().fold((u64::MAX, 0), |(lo, hi), p| {
                    (lo.min(p.trajectories), hi.max(p.trajectories))
                });
                format!(
                    "{lo}–{hi} trajectories per point (each run to ± {:.2} points)",
                    precision * 100.0
                )
            }
        };
        writeln!(
            o,
            "{} — {counts}, seed {}, same random numbers at every point",
            s.target_labels[ti], s.seed
        )?;
        // A column per lever, then the answer and the money.
        let mut head: Vec<&str> = s.axes.iter().map(|a| a.path.as_str()).collect();
        let k = head.len();
        head.extend(["P(met) [95% CI]", "spend a year"]);
        let mut tb = wfsim::report::terminal::table(&head, &(0..k + 2).collect::<Vec<_>>());
        for p in &s.points {
            let x = &p.outcomes[ti];
            let mut row: Vec<String> = p.values.iter().map(|v| format!("{v}")).collect();
            row.push(probability(x.p_met, x.ci_low, x.ci_high));
            row.push(wfsim::report::format::money(
                p.spend,
                sc.meta.language == "zh",
            ));
            tb.add_row(row);
        }
        writeln!(o, "{tb}")?;
        wrote(o, &written)
    })
}

fn solve(
    file: &Path,
    lever: String,
    target: &str,
    probability: f64,
    (min, max, tolerance): (f64, f64, f64),
    args: &RunArgs,
    spend: Spend,
) -> Result<(), Failure> {
    use wfsim::analysis::solve::{Goal, SolveError, solve_spending};
    let sc = args.load(file)?;
    if !(0.0..=1.0).contains(&probability) {
        return Err(Failure::Other(format!(
            "--probability must be between 0 and 1, found {probability}"
        )));
    }
    let goal = Goal {
        lever,
        target: target_index(&sc, target)?,
        probability,
        min,
        max,
        tolerance,
    };
    check_lever(&sc, &goal.lever, &[goal.min, goal.max])?;
    let opts = args.options(&sc)?;
    let dir = args.output(&sc, "solve")?;
    // How many evaluations it takes is not known in advance: a spinner, not a bar.
    let bar = if args.quiet || !io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_message("solving");
    let s = solve_spending(&sc, &goal, opts, spend, &|k| bar.inc(k)).map_err(|e| match e {
        SolveError::Scenario(errs) => Failure::Scenario(errs.to_string()),
        e => other(e),
    })?;
    bar.finish_and_clear();
    let zh = sc.meta.language == "zh";
    let lever_label = sc.parameter_label(&s.lever);
    let written = wfsim::report::write_solve(&dir, &s, &lever_label, zh).map_err(other)?;
    args.show(&written, "solve.json", |o| {
        let fewest = s.evaluations.iter().map(|e| e.trajectories).min();
        let per = match fewest {
            Some(lo) if lo < s.trajectories => format!("{lo}–{}", s.trajectories),
            _ => s.trajectories.to_string(),
        };
        let target = sc.targets.get(goal.target).map_or_else(
            || if zh { "全部目标同时实现".to_string() } else { "all targets together".to_string() },
            |t| t.label.clone(),
        );
        writeln!(
            o,
            "{lever_label} ({}) for P({target}) ≥ {:.0}%  ({per} trajectories per evaluation, seed {}, {} evaluations)",
            s.lever,
            s.probability * 100.0,
            s.seed,
            s.evaluations.len()
        )?;
        let shown = |v: f64| {
            if wfsim::scenario::is_money(&s.lever) {
                wfsim::report::format::money(v, zh)
            } else {
                value(v, false, zh)
            }
        };
        let mut t = wfsim::report::terminal::table(&["", "value"], &[1]);
        t.add_row(vec!["least value on this seed".to_string(), shown(s.value)]);
        t.add_row(vec![
            "Monte Carlo range of the answer".to_string(),
            format!("{} – {}", shown(s.range_low), shown(s.recommended)),
        ]);
        t.add_row(vec![
            "recommended (met with confidence)".to_string(),
            shown(s.recommended),
        ]);
        writeln!(o, "{t}")?;
        if !s.monotone {
            writeln!(o, "  warning: P(met) did not rise steadily with the lever on the search grid; the answer is the first crossing. See solve.json.")?;
        }
        wrote(o, &written)
    })
}

fn sensitivity(
    file: &Path,
    top: usize,
    args: &RunArgs,
    chart: &ChartArgs,
    mode: shard::Mode,
) -> Result<(), Failure> {
    use wfsim::analysis::sensitivity::{sensitivity_of, sensitivity_part};
    let sc = args.load(file)?;
    // Nothing uncertain, nothing to rank: say so before running anything.
    if wfsim::model::Sampled::uncertain_names(&sc).is_empty() {
        return Err(Failure::Other(format!(
            "{} has no parameter drawn from a distribution once per trajectory: nothing is uncertain to rank",
            file.display()
        )));
    }
    let opts = args.options(&sc)?;
    let dir = args.output(&sc, "sensitivity")?;
    let part = match mode {
        shard::Mode::Whole => {
            let bar = args.progress(opts.trajectories, "sensitivity");
            let part = sensitivity_part(
                &sc,
                opts,
                0..opts.trajectories,
                &|k| bar.inc(k),
                watch_signals(),
            )
            .map_err(run_failure)?;
            bar.finish_and_clear();
            part
        }
        shard::Mode::Shard { shard: s, force } => {
            let of = shard::ShardOf {
                dir: dir.path(),
                shard: s,
                force,
                scenarios: &[&sc],
                what: "sensitivity".into(),
            };
            return shard::write_shard(of, args, opts, |range, progress| {
                let part = sensitivity_part(&sc, opts, range, progress, watch_signals())
                    .map_err(run_failure)?;
                Ok(Job::Sensitivity(Box::new(part)))
            });
        }
        shard::Mode::Merged { job, fingerprint } => {
            shard::check_same(&[&sc], &fingerprint)?;
            let Job::Sensitivity(part) = job else {
                return Err(Failure::Other(
                    "the partial results are not of a sensitivity analysis".into(),
                ));
            };
            *part
        }
    };
    let (s, _) = sensitivity_of(&sc, part).map_err(run_failure)?;
    let written = wfsim::report::write_sensitivity(
        &dir,
        &s,
        top.max(1),
        sc.meta.language == "zh",
        &chart.look(),
    )
    .map_err(other)?;
    let shown = written.clone();
    args.show(&shown, "sensitivity.json", |o| {
        writeln!(o, "{} — {} trajectories, seed {}; swing = P(met) in a parameter's top decile minus its bottom decile", s.label, s.trajectories, s.seed)?;
        for t in &s.targets {
            let w = wfsim::stats::wilson((t.p_met * s.trajectories as f64).round() as u64, s.trajectories);
            writeln!(o, "\n{} (P = {})", t.label, probability(t.p_met, w.low, w.high))?;
            let mut tb = wfsim::report::terminal::table(&["unknown", "swing (points)", "ρ"], &[1, 2]);
            for f in wfsim::report::chart::tornado::ranked(t, 5).iter() {
                tb.add_row(vec![
                    f.parameter.clone(),
                    format!("{:+.1}", f.swing * 100.0),
                    format!("{:+.2}", f.rank_correlation),
                ]);
            }
            writeln!(o, "{tb}")?;
        }
        writeln!(o)?;
        let listed: Vec<PathBuf> = written.into_iter().filter(|p| p.extension().is_some_and(|e| e != "svg")).collect();
        wrote(o, &listed)
    })
}

fn table(
    files: &[PathBuf],
    trajectories: u64,
    threads: Option<usize>,
    into: Option<&Path>,
) -> Result<(), Failure> {
    use wfsim::report::table;
    if trajectories == 0 {
        return Err(Failure::Other("--trajectories must be at least 1".into()));
    }
    // Read the README first: a missing marker fails before hours of runs.
    let readme = match into {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?;
            if table::splice(&text, "").is_none() {
                return Err(Failure::Other(format!(
                    "{}: expected the two lines\n{}\n{}\nin that order, around the part to generate",
                    path.display(),
                    table::BEGIN,
                    table::END
                )));
            }
            Some((path, text))
        }
        None => None,
    };
    let threads = worker_threads(threads, false, true)?;
    let mut body = String::new();
    for file in files {
        let sc = load(file)?;
        let opts = RunOptions::for_scenario(&sc, Some(trajectories), None, threads);
        let r = wfsim::engine::run(&sc, opts, &|_| {}, &AtomicBool::new(false)).map_err(other)?;
        let sens = wfsim::analysis::sensitivity::analyse(&sc, &r);
        let why = wfsim::analysis::explain::explain(&sc, &r);
        body.push_str(&table::plan_section(&sc, &r, &sens, &why));
        eprintln!("{}: {} targets", file.display(), sc.targets.len());
    }
    match readme {
        Some((path, text)) => {
            let out = table::splice(&text, &body).unwrap_or(text);
            wfsim::report::write_atomic(path, out.as_bytes()).map_err(other)?;
            println!("wrote {}", path.display());
        }
        None => print!("{body}"),
    }
    Ok(())
}

/// The index of a target by id, the joint ("joint") being one past the last.
/// Most worker threads, even when forced.
const MAX_THREADS: usize = 1024;

/// The worker threads to use: at most one per core unless forced (results
/// do not depend on it, and thousands of threads only cost memory and time).
fn worker_threads(
    requested: Option<usize>,
    force: bool,
    quiet: bool,
) -> Result<Option<usize>, Failure> {
    let Some(n) = requested else { return Ok(None) };
    if n > MAX_THREADS {
        return Err(Failure::Other(format!(
            "--threads {n} is more than wfsim starts ({MAX_THREADS}); this machine has {} cores",
            cores()
        )));
    }
    let cores = cores();
    if n > cores && !force {
        if !quiet {
            eprintln!(
                "note: --threads {n} is more than this machine's {cores} cores: using {cores} (results do not depend on it; --force-threads to use {n})"
            );
        }
        return Ok(Some(cores));
    }
    Ok(Some(n))
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Each value of a lever makes a valid scenario: checked before any output
/// folder is made, so a mistyped path leaves nothing behind.
fn check_lever(sc: &Scenario, path: &str, values: &[f64]) -> Result<(), Failure> {
    for &v in values {
        sc.with_values(&[(path.to_string(), toml::Value::Float(v))])
            .map_err(|e| Failure::Scenario(e.to_string()))?;
    }
    Ok(())
}

fn target_index(sc: &Scenario, id: &str) -> Result<usize, Failure> {
    let ids: Vec<&str> = sc
        .targets
        .iter()
        .map(|t| t.id.as_str())
        .chain(std::iter::once("joint"))
        .collect();
    ids.iter()
        .position(|&i| i == id)
        .ok_or_else(|| Failure::Other(format!("no target {id:?} (targets: {})", ids.join(", "))))
}
