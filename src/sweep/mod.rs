//! `cnasim sweep`: a scenario run under many seeds at every point of a
//! grid of values ([`grid`]), each run an ordinary `cnasim run` of the file
//! with `--seed` and `--set` (so every row can be reproduced alone), in
//! parallel; then one folder with every run's metrics ([`results`]), their
//! statistics per point ([`aggregate`]), a manifest ([`manifest`]) and a
//! chart ([`chart`]). A sweep can be split into shards that run apart (on
//! a batch scheduler) and are merged afterwards ([`mod@merge`]).
//!
//! Architecture invariant: a sweep's files depend only on the scenario
//! file and the options, never on `--jobs`, the shards or the machine:
//! runs are collected by index and every statistic is computed from the
//! rows in run order.

pub mod aggregate;
pub mod budget;
pub mod chart;
pub mod grid;
pub mod manifest;
pub mod merge;
pub mod results;
mod runs;

use crate::model::metrics::METRIC_NAMES;
use crate::output::summary::VERSION;
use crate::output::{FolderError, Meter, OutputFolder, Replace, folder};
use crate::runner::RunnerError;
use crate::scenario::set::GridKey;
use crate::scenario::set::sweep_key::{DEFAULT_METRIC, MAX_RUNS, MAX_SEEDS, metric_named};
use crate::scenario::{self, Overrides, ScenarioError};
use grid::{Plan, Shard};
use manifest::{Axis, Manifest};
use results::Row;
use std::path::{Path, PathBuf};

/// What `cnasim sweep FILE` was asked to do.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    /// The scenario file.
    pub file: PathBuf,
    /// Seeds per point (`--seeds`); else the file's `sweep.seeds`, else 1.
    pub seeds: Option<u64>,
    /// The first seed (`--seed`); else the file's `seed`.
    pub seed: Option<u64>,
    /// `--set KEY=V1,V2,...`: each replaces the file's list for its key, or
    /// adds the key at the end of the grid.
    pub sets: Vec<GridKey>,
    /// Runs at once.
    pub jobs: usize,
    /// Run only this slice of the runs.
    pub shard: Option<Shard>,
    /// Run only these policies, in this order; else the scenario's.
    pub policies: Vec<String>,
    /// The chart's metric (`--metric`); else the file's, else
    /// `reminders_missed`.
    pub metric: Option<String>,
    /// Where the folder goes.
    pub out: PathBuf,
    /// Most events the sweep may handle, summed over its runs and their
    /// policies (`--max-events`); each run holds to its share of it
    /// ([`budget::shares`]).
    pub max_events: u64,
    /// Most bytes the sweep may write (`--max-output`).
    pub max_output: u64,
    /// Show a progress bar on stderr (when it is a terminal).
    pub progress: bool,
    /// Replace whatever is at the output folder's place (`--force`), but a
    /// folder that holds the scenario.
    pub force: bool,
}

impl SweepOptions {
    /// A sweep of `file` as `cnasim sweep FILE` runs it by default: the
    /// file's seeds, grid, policies and metric, one run at a time, into
    /// `output/`, within the default limits.
    pub fn new(file: PathBuf) -> SweepOptions {
        SweepOptions {
            file,
            seeds: None,
            seed: None,
            sets: Vec::new(),
            jobs: 1,
            shard: None,
            policies: Vec::new(),
            metric: None,
            out: PathBuf::from("output"),
            max_events: scenario::DEFAULT_MAX_EVENTS,
            max_output: scenario::DEFAULT_MAX_OUTPUT,
            progress: false,
            force: false,
        }
    }
}

/// Why a sweep or a merge did not write its folder.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario file, or one of the values given, is not valid.
    #[error("{0}")]
    Scenario(Box<ScenarioError>),
    /// One grid point does not give a valid scenario.
    #[error("{source}\n  at grid point {point}")]
    Point {
        /// The point's values.
        point: String,
        /// What is wrong.
        source: Box<ScenarioError>,
    },
    /// A run stopped before its end.
    #[error("{0}")]
    Run(Box<RunFailure>),
    /// The options do not make a sweep.
    #[error("{0}")]
    Usage(String),
    /// Shards that do not merge.
    #[error("{0}")]
    Merge(String),
    /// The worker threads could not start.
    #[error("cannot start {jobs} worker threads: {message}")]
    Threads {
        /// How many were asked for.
        jobs: usize,
        /// Why not.
        message: String,
    },
    /// The output folder could not be written.
    #[error(
        "cannot write the output folder in {}: {}",
        dir.display(),
        crate::console::os_reason(source)
    )]
    Output {
        /// The `--out` folder.
        dir: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The output folder could not be created, or put in place.
    #[error(transparent)]
    Folder(#[from] FolderError),
}

impl From<ScenarioError> for SweepError {
    fn from(e: ScenarioError) -> Self {
        SweepError::Scenario(Box::new(e))
    }
}

/// A run that stopped before its end.
#[derive(Debug, thiserror::Error)]
#[error(
    "run {run} (grid point {point}, seed {seed}) could not complete: {source}\n  \
     reproduce it with: {reproduce}"
)]
pub struct RunFailure {
    /// The run's index.
    pub run: u64,
    /// Its point's values.
    pub point: String,
    /// Its seed.
    pub seed: u64,
    /// The command that runs it alone.
    pub reproduce: String,
    /// Why it stopped.
    pub source: RunnerError,
}

/// What a sweep or a merge wrote.
pub struct Written {
    /// The folder.
    pub folder: PathBuf,
    /// The sweep it holds.
    pub manifest: Manifest,
    /// Runs whose rows it holds.
    pub runs: u64,
    /// The table of the chart's metric (a complete sweep only).
    pub table: Option<String>,
    /// What was put back or removed in `--out` before it was written, for
    /// the user.
    pub notes: Vec<String>,
}

/// The folder name of a complete sweep of `scenario`.
pub fn folder_name(scenario: &str) -> String {
    format!("{scenario}.sweep")
}

/// The folder name of one shard of a sweep of `scenario`.
pub fn shard_folder_name(scenario: &str, shard: Shard) -> String {
    format!("{scenario}.sweep-shard-{}-of-{}", shard.index, shard.count)
}

/// The scenario file as text, with the name it goes by in messages and the
/// name a scenario without `name:` takes.
struct Source {
    text: String,
    shown: String,
    stem: String,
}

fn read_source(path: &Path) -> Result<Source, SweepError> {
    let bytes = scenario::read_file(path)?;
    let shown = path.display().to_string();
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            // The reader locates the bad byte.
            let bytes = e.into_bytes();
            scenario::parse_bytes(&bytes, &shown, &stem, &Overrides::default())?;
            return Err(SweepError::Usage(format!("{shown}: expected UTF-8 text")));
        }
    };
    Ok(Source { text, shown, stem })
}

/// A sweep read and planned; nothing checked point by point or run yet.
struct Planned {
    source: Source,
    plan: Plan,
    manifest: Manifest,
    /// The file has a `sweep:` key.
    keyed: bool,
}

/// Reads the file of `options`, plans its grid and writes its manifest.
fn plan(options: &SweepOptions) -> Result<Planned, SweepError> {
    let source = read_source(&options.file)?;
    let base = Overrides {
        seed: options.seed,
        max_events: Some(options.max_events),
        policies: scenario::PolicyChoice::only(&options.policies),
        ..Overrides::default()
    };
    let (world, key) = scenario::parse_sweep(&source.text, &source.shown, &source.stem, &base)?;
    let keyed = key.is_some();
    let key = key.unwrap_or_default();
    if let Some(shard) = options.shard
        && shard.count > MAX_RUNS
    {
        return Err(SweepError::Usage(format!("--shard: at most {MAX_RUNS} shards")));
    }
    let seeds = options.seeds.or(key.seeds).unwrap_or(1);
    if !(1..=MAX_SEEDS).contains(&seeds) {
        return Err(SweepError::Usage(format!(
            "--seeds must be from 1 to {MAX_SEEDS}; found {seeds}"
        )));
    }
    let metric = match &options.metric {
        Some(name) => {
            metric_named(name).map_err(|why| SweepError::Usage(format!("--metric: {why}")))?
        }
        None => key.metric.unwrap_or(DEFAULT_METRIC),
    };
    let grid = grid::combine(&key.grid, &options.sets).map_err(SweepError::Usage)?;
    let plan = Plan::new(grid, seeds, world.seed).map_err(SweepError::Usage)?;
    // `--policy` was applied as the file was read.
    let names: Vec<String> = world.policies.iter().map(|p| p.name.clone()).collect();
    let manifest = Manifest {
        scenario: world.name.clone(),
        version: VERSION.to_string(),
        scenario_hash: manifest::hash(source.text.as_bytes()),
        base_seed: plan.base_seed,
        seeds,
        grid: plan
            .grid
            .iter()
            .map(|k| Axis {
                key: k.key.clone(),
                values: k.values.iter().map(|s| s.value.clone()).collect(),
            })
            .collect(),
        policies: names,
        metric: metric.to_string(),
        runs: plan.runs(),
        rows_hash: String::new(),
        shard: options.shard,
    };
    // What a merge will check the shards' manifests against, checked
    // before anything runs: every folder a sweep writes merges.
    manifest
        .check()
        .map_err(|why| SweepError::Usage(format!("sweep.json would be refused: {why}")))?;
    let size = manifest.to_json().len() + manifest::HASH_TEXT_LEN;
    if size as u64 > manifest::MAX_BYTES {
        return Err(SweepError::Usage(format!(
            "sweep.json would be {size} bytes, most of them the grid's values; a sweep writes \
             at most {} bytes",
            manifest::MAX_BYTES
        )));
    }
    Ok(Planned { source, plan, manifest, keyed })
}

/// Checks every grid point and what the sweep will cost on `pool`;
/// returns the cost and each point's share of `--max-events`.
fn checked(
    planned: &Planned,
    options: &SweepOptions,
    pool: &rayon::ThreadPool,
) -> Result<(budget::Cost, Vec<u64>), SweepError> {
    let Planned { source, plan, manifest, .. } = planned;
    let job = runs::Job { source, plan, manifest, options, shares: &[] };
    let estimates = pool.install(|| job.check_points())?;
    let cost = budget::Cost::of(manifest, &estimates, options.jobs);
    let limits = budget::Limits {
        max_events: options.max_events,
        max_output: options.max_output,
        jobs: options.jobs,
    };
    cost.check(manifest, &limits).map_err(SweepError::Usage)?;
    let shares = budget::shares(&estimates, &cost, options.max_events);
    Ok((cost, shares))
}

/// The rayon pool of `options.jobs` threads.
fn pool(options: &SweepOptions) -> Result<rayon::ThreadPool, SweepError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
        .map_err(|e| SweepError::Threads { jobs: options.jobs, message: e.to_string() })
}

/// What the sweep of a file with a `sweep:` key would cost, checked as
/// `cnasim sweep` checks it (every grid point, the limits) without running
/// it, for `cnasim validate`; `None` for a file without the key.
pub fn cost(options: &SweepOptions) -> Result<Option<budget::Cost>, SweepError> {
    let planned = plan(options)?;
    if !planned.keyed {
        return Ok(None);
    }
    checked(&planned, options, &pool(options)?).map(|(cost, _)| Some(cost))
}

/// Runs the sweep `options` describes and writes its folder.
pub fn sweep(options: &SweepOptions) -> Result<Written, SweepError> {
    let planned = plan(options)?;
    // The folder is created (and what is at its place checked) before any
    // work, so that an --out that cannot be written is found at once.
    let replace = Replace { force: options.force, inputs: vec![options.file.clone()] };
    let name = match options.shard {
        Some(shard) => shard_folder_name(&planned.manifest.scenario, shard),
        None => folder_name(&planned.manifest.scenario),
    };
    let mut prepared = folder::prepare(&options.out, &[name.as_str()], &replace)?;
    let folder = OutputFolder::create(&options.out, &name, &replace)?;
    let pool = pool(options)?;
    let (_, shares) = checked(&planned, options, &pool)?;
    let Planned { source, plan, manifest, .. } = planned;
    let job =
        runs::Job { source: &source, plan: &plan, manifest: &manifest, options, shares: &shares };
    let rows = pool.install(|| job.run_all())?;
    let meter = Meter::new(options.max_output);
    let runs = rows.len() as u64 / manifest.policies.len().max(1) as u64;
    let mut written = match options.shard {
        Some(_) => {
            let mut manifest = manifest;
            let folder =
                fill(folder, &options.out, |dir| write_rows(dir, &mut manifest, &rows, &meter))?;
            Written { folder, manifest, runs, table: None, notes: Vec::new() }
        }
        None => write_complete(folder, &options.out, manifest, &rows, &meter)?,
    };
    prepared.keep_folders();
    written.notes = std::mem::take(&mut prepared.notes);
    Ok(written)
}

/// Writes the files of `folder` with `fill` and puts it in place.
fn fill(
    folder: OutputFolder,
    out: &Path,
    fill: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<PathBuf, SweepError> {
    fill(folder.path()).map_err(|source| SweepError::Output { dir: out.to_path_buf(), source })?;
    Ok(folder.commit()?)
}

/// Writes `rows` to `dir`'s results.csv, then `manifest`, with the hash
/// of the file's bytes as its `rows_hash`, to `dir`'s sweep.json.
fn write_rows(
    dir: &Path,
    manifest: &mut Manifest,
    rows: &[Row],
    meter: &Meter,
) -> std::io::Result<()> {
    let path = dir.join("results.csv");
    results::write(&path, manifest, rows, meter)?;
    manifest.rows_hash = manifest::hash_reader(std::fs::File::open(&path)?)?.0;
    meter.write_file(&dir.join("sweep.json"), manifest.to_json())
}

/// Writes the folder of a complete sweep: results.csv, aggregate.csv,
/// sweep.json, sweep.png and sweep.svg. `rows` hold every run, in run
/// order then policy order. Its sweep.json carries the hash of its
/// results.csv too, the same whether the sweep ran whole or was merged.
fn write_complete(
    folder: OutputFolder,
    out: &Path,
    manifest: Manifest,
    rows: &[Row],
    meter: &Meter,
) -> Result<Written, SweepError> {
    // A merge passes a shard's manifest; the folder is the whole sweep's.
    let mut manifest = Manifest { shard: None, rows_hash: String::new(), ..manifest };
    let cells = aggregate::aggregate(&manifest, rows);
    let metric = METRIC_NAMES.iter().position(|m| *m == manifest.metric).unwrap_or(0);
    let folder = fill(folder, out, |dir| {
        write_rows(dir, &mut manifest, rows, meter)?;
        aggregate::write(&dir.join("aggregate.csv"), &manifest, &cells, meter)?;
        let data = chart::ChartData { manifest: &manifest, cells: &cells, metric };
        chart::write_png(&dir.join("sweep.png"), &data)?;
        meter.charge_file(&dir.join("sweep.png"))?;
        meter.write_file(&dir.join("sweep.svg"), chart::render_svg(&data)?)
    })?;
    let table = aggregate::table(&manifest, &cells, metric);
    Ok(Written { folder, runs: manifest.runs, manifest, table: Some(table), notes: Vec::new() })
}

/// Merges the shard folders `dirs` into `out/<scenario>.sweep/`, the same
/// folder, byte for byte, as the sweep run whole. `force` replaces
/// whatever is at that place, but a folder that holds a shard.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    force: bool,
    max_output: u64,
) -> Result<Written, SweepError> {
    let (manifest, rows) = merge::read_shards(dirs).map_err(SweepError::Merge)?;
    let whole = Manifest { shard: None, ..manifest.clone() };
    budget::check_output(&whole, max_output).map_err(SweepError::Usage)?;
    let replace = Replace { force, inputs: dirs.to_vec() };
    let name = folder_name(&manifest.scenario);
    let mut prepared = folder::prepare(out, &[name.as_str()], &replace)?;
    let folder = OutputFolder::create(out, &name, &replace)?;
    let mut written = write_complete(folder, out, manifest, &rows, &Meter::new(max_output))?;
    prepared.keep_folders();
    written.notes = std::mem::take(&mut prepared.notes);
    Ok(written)
}
