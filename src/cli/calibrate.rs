//! `wfsim calibrate` and `wfsim backtest`: arguments, the printed tables
//! and exit codes. The method is in `wfsim::calibration`, the files in
//! `wfsim::report::calibration`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use wfsim::calibration::backtest::{self, Backtest};
use wfsim::calibration::check::{Marginal, Predictive, predictive};
use wfsim::calibration::{Calibration, DEFAULT_REL_ERROR, Fit, Generation, Settings, calibrate};
use wfsim::report::calibration::{backtest_files, calibration_files, check_files};
use wfsim::report::default_dir;
use wfsim::report::replace_folder;
use wfsim::scenario::{History, Scenario};

use super::{Failure, load, other};

/// The flags `calibrate` and `backtest` share.
#[derive(clap::Args)]
pub struct CalibrateArgs {
    /// History file: CSV `metric,scope,year,observed[,rel_error]` in wfsim's metric and scope names.
    #[arg(long, value_name = "CSV")]
    history: PathBuf,
    /// Particles per generation.
    #[arg(long, default_value_t = 1000)]
    particles: usize,
    /// Random seed (default: the file's [run], else 1).
    #[arg(short, long)]
    seed: Option<u64>,
    /// The tolerance to reach, in reporting errors: 1 fits the history within
    /// its stated errors; 2 treats every error as twice as large.
    #[arg(long, default_value_t = 1.0)]
    tolerance: f64,
    /// Reporting error (one sd, share of the value) of rows without `rel_error`.
    #[arg(long, default_value_t = DEFAULT_REL_ERROR)]
    rel_error: f64,
    /// Smallest effective sample size of a posterior (default: particles / 10, at least 20).
    #[arg(long)]
    min_ess: Option<f64>,
    /// Smallest share of a generation's proposals accepted before the run gives up.
    #[arg(long, default_value_t = 0.005)]
    min_acceptance: f64,
    /// Most trajectories simulated in all.
    #[arg(long, default_value_t = 2_000_000)]
    max_simulations: u64,
    /// Trajectories of the posterior predictive check.
    #[arg(long, default_value_t = 2000)]
    predictive_draws: usize,
    /// Output folder (default: outputs/<scenario name>/calibrate, or backtest, or check).
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Worker threads (default: one per core; more than the cores only with
    /// --force-threads). Results do not depend on it.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Allow more threads than cores (at most 1,024).
    #[arg(long)]
    force_threads: bool,
    /// No progress and no printed table.
    #[arg(short, long)]
    quiet: bool,
    /// No charts.
    #[arg(long)]
    no_charts: bool,
    #[command(flatten)]
    chart: super::ChartArgs,
}

impl CalibrateArgs {
    /// The charts' font and scale, or None under `--no-charts`.
    fn look(&self) -> Option<wfsim::report::chart::Look> {
        (!self.no_charts).then(|| self.chart.look())
    }

    fn settings(&self, sc: &Scenario) -> Result<Settings, Failure> {
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(Failure::Other(format!(
                "--tolerance must be a positive number of reporting errors, not {}",
                self.tolerance
            )));
        }
        if !(self.rel_error > 0.0 && self.rel_error <= 1.0) {
            return Err(Failure::Other(format!(
                "--rel-error must be a share above 0 and at most 1 (0.05 = ±5%), not {}",
                self.rel_error
            )));
        }
        if !(self.min_acceptance > 0.0 && self.min_acceptance < 1.0) {
            return Err(Failure::Other(format!(
                "--min-acceptance must be a share between 0 and 1, not {}",
                self.min_acceptance
            )));
        }
        if self.particles < 20 || self.particles > 1_000_000 {
            return Err(Failure::Other(format!(
                "--particles must be between 20 and 1,000,000, not {}",
                self.particles
            )));
        }
        let mut s = Settings::new(self.particles, self.seed.or(sc.default_seed).unwrap_or(1));
        s.threads =
            super::worker_threads(self.threads, self.force_threads, self.quiet)?.unwrap_or(0);
        s.tolerance = self.tolerance;
        s.min_acceptance = self.min_acceptance;
        s.max_simulations = self.max_simulations;
        if let Some(m) = self.min_ess {
            s.min_ess = m;
        }
        Ok(s)
    }

    fn history(&self, sc: &Scenario) -> Result<History, Failure> {
        History::read(&self.history, sc).map_err(|e| Failure::Scenario(e.to_string()))
    }

    fn folder(&self, sc: &Scenario, sub: &str) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| default_dir(sc).join(sub))
    }

    /// Calibrates, reporting each generation.
    fn fit(&self, sc: &Scenario, fit: &Fit, settings: Settings) -> Result<Calibration, Failure> {
        calibrate(sc, fit, settings, &self.reporter(), &AtomicBool::new(false)).map_err(other)
    }

    /// Reports each finished generation on stderr.
    fn reporter(&self) -> impl Fn(&Generation) + Sync + use<> {
        let quiet = self.quiet;
        move |g: &Generation| {
            if quiet {
                return;
            }
            let eps = if g.tolerance.is_finite() {
                format!("{:>10.3}", g.tolerance)
            } else {
                format!("{:>10}", "prior")
            };
            eprintln!(
                "  generation: tolerance {eps}  simulations {:>9}  acceptance {:>7.3}%  ESS {:>7.1}  distinct {:>7}",
                g.simulations,
                100.0 * g.acceptance,
                g.ess,
                g.distinct
            );
        }
    }
}

/// Lists the files written, the PNG of each chart standing for its SVG twin.
fn wrote(o: &mut io::StdoutLock, written: &[PathBuf]) -> io::Result<()> {
    let shown: Vec<PathBuf> = written
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "svg"))
        .cloned()
        .collect();
    super::wrote(o, &shown)
}

/// Prints, unless quiet; a closed pipe is not an error.
fn print(
    quiet: bool,
    f: impl FnOnce(&mut io::StdoutLock) -> io::Result<()>,
) -> Result<(), Failure> {
    if quiet {
        return Ok(());
    }
    match f(&mut io::stdout().lock()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(other(e)),
        _ => Ok(()),
    }
}

/// `wfsim calibrate FILE --history H` (and `--check R`).
pub fn run_calibrate(
    file: &Path,
    args: &CalibrateArgs,
    check: Option<usize>,
) -> Result<(), Failure> {
    let sc = load(file)?;
    let history = args.history(&sc)?;
    let settings = args.settings(&sc)?;
    let fit = Fit::new(history, args.rel_error);
    if let Some(cases) = check {
        return run_check(&sc, &fit, settings, cases, args);
    }
    let folder = args.folder(&sc, "calibrate");
    // A folder that cannot be made fails now, not after the run.
    prepare_parent(&folder)?;
    if !args.quiet {
        eprintln!(
            "calibrating {} to {} ({} observations, {} particles, seed {})",
            sc.meta.name,
            fit.history.file.display(),
            fit.len(),
            settings.particles,
            settings.seed
        );
    }
    let cal = args.fit(&sc, &fit, settings)?;
    let m = cal.marginals();
    let pred = predictive(
        &sc,
        &cal.unknowns,
        &cal.population.values,
        &cal.population.weights,
        &fit,
        &fit,
        args.predictive_draws.max(100),
        settings.seed,
    );
    let files =
        calibration_files(&sc, &fit, &cal, &m, &pred, args.look().as_ref()).map_err(other)?;
    let written = replace_folder(&folder, &files).map_err(other)?;
    print(args.quiet, |o| {
        print_calibration(o, &cal, &m, &pred)?;
        wrote(o, &written)
    })?;
    refusal(&cal)
}

/// Non-zero exit, with the numbers, when the population is not a posterior.
fn refusal(cal: &Calibration) -> Result<(), Failure> {
    if cal.is_posterior() {
        return Ok(());
    }
    Err(Failure::Other(format!(
        "not a posterior — {}. The last population is in population-not-a-posterior.csv, the numbers in diagnostics.json. If the history is right, the model (or its priors) cannot reproduce it: look at the predictive charts for the series it misses.",
        cal.refusal.join("; ")
    )))
}

fn prepare_parent(folder: &Path) -> Result<(), Failure> {
    let parent = match folder.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    wfsim::report::OutputDir::prepare(&parent)
        .map(|_| ())
        .map_err(other)
}

fn print_calibration(
    o: &mut io::StdoutLock,
    cal: &Calibration,
    m: &[Marginal],
    pred: &Predictive,
) -> io::Result<()> {
    writeln!(o)?;
    writeln!(
        o,
        "{}: {} after {} generations and {} simulations; tolerance {:.3}, effective sample size {:.0} of {}",
        if cal.is_posterior() {
            "posterior"
        } else {
            "NOT a posterior"
        },
        cal.stop.name(),
        cal.generations.len() - 1,
        cal.simulations,
        cal.tolerance(),
        cal.population.ess(),
        cal.population.len()
    )?;
    writeln!(o)?;
    print_marginals(o, m)?;
    if !cal.unknowns.excluded.is_empty() {
        writeln!(
            o,
            "left to their prior (mixtures): {}",
            cal.unknowns.excluded.join(", ")
        )?;
    }
    writeln!(o)?;
    print_predictive(o, pred, "posterior predictive check")
}

/// A short number for tables: 4 significant digits.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a >= 1e4 {
        format!("{:.0}", v)
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.4}")
    }
}

pub fn print_marginals(o: &mut io::StdoutLock, m: &[Marginal]) -> io::Result<()> {
    let w = m.iter().map(|x| x.path.len()).max().unwrap_or(9).max(9);
    writeln!(
        o,
        "{:<w$}  {:>30}  {:>30}  {:>6}",
        "parameter", "prior 5% / 50% / 95%", "posterior 5% / 50% / 95%", "sd ÷"
    )?;
    for x in m {
        let r = if x.prior_sd > 0.0 {
            x.posterior_sd / x.prior_sd
        } else {
            1.0
        };
        let tri = |q: &[f64; 3]| format!("{} / {} / {}", num(q[0]), num(q[1]), num(q[2]));
        writeln!(
            o,
            "{:<w$}  {:>30}  {:>30}  {:>6.2}{}",
            x.path,
            tri(&x.prior),
            tri(&x.posterior),
            r,
            if x.informed {
                ""
            } else {
                "  not informed by these data"
            }
        )?;
    }
    Ok(())
}

fn print_predictive(o: &mut io::StdoutLock, p: &Predictive, what: &str) -> io::Result<()> {
    let n = p.rows.len();
    writeln!(
        o,
        "{what} ({} draws): observed inside the 50% band in {} of {n}, the 90% band in {} of {n}",
        p.draws,
        p.inside(0.5),
        p.inside(0.9)
    )?;
    writeln!(
        o,
        "{:<34} {:>6} {:>12} {:>12} {:>25} {:>6}",
        "metric (scope)", "year", "observed", "median", "5–95%", "PIT"
    )?;
    for r in &p.rows {
        writeln!(
            o,
            "{:<34} {:>6} {:>12} {:>12} {:>25} {:>6.3}{}",
            format!("{} ({})", r.metric.name(), r.scope),
            r.year,
            num(r.observed),
            num(r.points[3]),
            format!("{} – {}", num(r.points[0]), num(r.points[6])),
            r.pit,
            if r.inside(0.9) { "" } else { "  outside 90%" }
        )?;
    }
    Ok(())
}

fn run_check(
    sc: &Scenario,
    fit: &Fit,
    settings: Settings,
    cases: usize,
    args: &CalibrateArgs,
) -> Result<(), Failure> {
    if cases < 2 {
        return Err(Failure::Other(format!(
            "--check needs at least 2 cases, not {cases}"
        )));
    }
    let folder = args.folder(sc, "check");
    prepare_parent(&folder)?;
    let quiet = args.quiet;
    let result = wfsim::calibration::sbc::check(
        sc,
        fit,
        settings,
        cases,
        &|k| {
            if !quiet {
                eprint!("\r  check: {k} of {cases} synthetic histories calibrated");
            }
        },
        &AtomicBool::new(false),
    )
    .map_err(other)?;
    if !quiet {
        eprintln!();
    }
    let files = check_files(sc, &result, args.look().as_ref()).map_err(other)?;
    let written = replace_folder(&folder, &files).map_err(other)?;
    print(args.quiet, |o| {
        writeln!(
            o,
            "simulation-based check: {} synthetic histories shaped like {}, {} refused",
            result.cases,
            fit.history.file.display(),
            result.refused
        )?;
        writeln!(
            o,
            "{:<44} {:>8} {:>22}  rank histogram (flat if honest)",
            "parameter", "cases", "90% interval held it"
        )?;
        for c in &result.coverage {
            let i = c.interval();
            writeln!(
                o,
                "{:<44} {:>8} {:>22}  {:?}{}",
                c.path,
                c.cases,
                format!(
                    "{:.0}% [{:.0}%, {:.0}%]",
                    100.0 * i.p,
                    100.0 * i.low,
                    100.0 * i.high
                ),
                c.ranks,
                if i.low <= 0.9 && 0.9 <= i.high {
                    ""
                } else {
                    "  90% outside its interval"
                }
            )?;
        }
        let (a, b) = result.pooled();
        writeln!(
            o,
            "pooled: {a} of {b} ({:.1}%; nominal 90%)",
            100.0 * a as f64 / b.max(1) as f64
        )?;
        wrote(o, &written)
    })
}

/// `wfsim backtest FILE --history H --cutoff YEAR`.
pub fn run_backtest(file: &Path, args: &CalibrateArgs, cutoff: i32) -> Result<(), Failure> {
    let sc = load(file)?;
    let history = args.history(&sc)?;
    let settings = args.settings(&sc)?;
    let fitted = history.until(cutoff);
    let held = history.after(cutoff);
    if fitted.rows.is_empty() || held.rows.is_empty() {
        return Err(Failure::Other(format!(
            "--cutoff {cutoff} leaves {} observed figures to fit and {} to hold out; both need at least one (the history runs {}–{})",
            fitted.rows.len(),
            held.rows.len(),
            history.rows.iter().map(|o| o.year).min().unwrap_or(0),
            history.rows.iter().map(|o| o.year).max().unwrap_or(0),
        )));
    }
    let fit = Fit::new(fitted, args.rel_error);
    let check = Fit::new(held, args.rel_error);
    let folder = args.folder(&sc, "backtest");
    prepare_parent(&folder)?;
    if !args.quiet {
        eprintln!(
            "back-test of {}: fitting {} figures up to {cutoff}, holding out {} after it",
            sc.meta.name,
            fit.len(),
            check.len()
        );
    }
    let cal = args.fit(&sc, &fit, settings)?;
    let m = cal.marginals();
    let draws = args.predictive_draws.max(100);
    let (v, w) = (&cal.population.values, &cal.population.weights);
    let in_sample = predictive(&sc, &cal.unknowns, v, w, &fit, &fit, draws, settings.seed);
    let out = predictive(&sc, &cal.unknowns, v, w, &fit, &check, draws, settings.seed);
    let bt = backtest::score(cutoff, &fit, &out);
    let files = backtest_files(
        &sc,
        &fit,
        &cal,
        &m,
        &in_sample,
        &out,
        &bt,
        args.look().as_ref(),
    )
    .map_err(other)?;
    let written = replace_folder(&folder, &files).map_err(other)?;
    print(args.quiet, |o| {
        print_backtest(o, &cal, &bt)?;
        wrote(o, &written)
    })?;
    // Scores are information, not pass/fail; a refused fit still says so.
    refusal(&cal)
}

fn print_backtest(o: &mut io::StdoutLock, cal: &Calibration, bt: &Backtest) -> io::Result<()> {
    writeln!(o)?;
    writeln!(
        o,
        "fit to {}: {} ({}), tolerance {:.3}, effective sample size {:.0}",
        bt.cutoff,
        if cal.is_posterior() {
            "posterior"
        } else {
            "NOT a posterior"
        },
        cal.stop.name(),
        cal.tolerance(),
        cal.population.ess()
    )?;
    writeln!(o)?;
    writeln!(
        o,
        "{:<34} {:>6} {:>10} {:>10} {:>21} {:>6} {:>10} {:>10} {:>10}",
        "held out (scope)",
        "year",
        "observed",
        "median",
        "5–95%",
        "PIT",
        "CRPS",
        "last err",
        "trend err"
    )?;
    let opt = |v: Option<f64>, y: f64| v.map_or("–".into(), |x| num((x - y).abs()));
    for r in &bt.rows {
        let c = &r.check;
        writeln!(
            o,
            "{:<34} {:>6} {:>10} {:>10} {:>21} {:>6.3} {:>10} {:>10} {:>10}",
            format!("{} ({})", c.metric.name(), c.scope),
            c.year,
            num(c.observed),
            num(c.points[3]),
            format!("{} – {}", num(c.points[0]), num(c.points[6])),
            c.pit,
            num(c.crps),
            opt(r.last_value, c.observed),
            opt(r.trend, c.observed),
        )?;
    }
    let n = bt.rows.len();
    writeln!(o)?;
    writeln!(
        o,
        "band coverage: 50% band held {} of {n}, 80% held {} of {n}, 90% held {} of {n}",
        bt.inside(0.5),
        bt.inside(0.8),
        bt.inside(0.9)
    )?;
    let c = bt.mean_crps();
    let f = |v: Option<f64>| v.map_or("–".into(), num);
    writeln!(
        o,
        "mean CRPS (lower is better; a point forecast's is its absolute error), on the {} figures with a fitted year of their series: model {}, last value carried forward {}, linear trend {}; model on all {n}: {}",
        c.compared,
        f(c.model_compared),
        f(c.last_value),
        f(c.trend),
        num(c.model)
    )
}
