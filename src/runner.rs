//! Runs a scenario under each of its policies and writes its output folder.

use crate::model::metrics::Dropout;
use crate::model::plan::{Plan, PlanTooLarge};
use crate::model::record::Discard;
use crate::model::sim::RunError;
use crate::model::{Outcome, Policy, World, simulate};
use crate::output::timeline::{PolicyTimeline, Timeline, TimelineObserver};
use crate::output::{
    FolderError, Labels, LogDetail, LogFormat, Meter, OutputFolder, Replace, Rows, RunFiles,
    Summary, Views, comparison_table, join_logs, write_dropouts,
};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Why a scenario run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The scenario needs more reminders than can be indexed.
    #[error(transparent)]
    PlanTooLarge(#[from] PlanTooLarge),
    /// The simulation stopped.
    #[error(transparent)]
    Run(#[from] RunError),
    /// An output file could not be written.
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

/// One policy's result.
#[derive(Clone, Debug)]
pub struct PolicyResult {
    /// The policy.
    pub policy: Policy,
    /// What it measured.
    pub outcome: Outcome,
}

/// A scenario run under all its policies.
pub struct ScenarioRun {
    /// Ground truth shared by every policy.
    pub plan: Plan,
    /// Results in run order.
    pub results: Vec<PolicyResult>,
    /// The output folder, when one was written.
    pub folder: Option<PathBuf>,
    /// Which mailboxes its event logs cover, when it was written.
    pub logs: Option<LogDetail>,
}

impl ScenarioRun {
    /// The summary of this run of `world`.
    pub fn summary<'a>(&'a self, world: &'a World) -> Summary<'a> {
        let runs: Vec<(&str, &Outcome)> =
            self.results.iter().map(|r| (r.policy.name.as_str(), &r.outcome)).collect();
        Summary::new(world, &runs)
    }

    /// The comparison table of this run of `world`.
    pub fn table(&self, world: &World) -> String {
        comparison_table(&self.summary(world))
    }
}

/// How a scenario's output folder is written.
#[derive(Clone, Debug, Default)]
pub struct FolderOptions {
    /// Which mailboxes the event logs cover; `None` chooses by the world's
    /// size ([`LogDetail::auto`]).
    pub logs: Option<LogDetail>,
    /// Whether the folder also gets each policy's logs in Exchange's own
    /// layouts (`--log-format exchange`).
    pub log_format: LogFormat,
    /// Counts the bytes written against `--max-output` (shared by every
    /// folder of a command).
    pub meter: Meter,
}

/// Runs `world` under each of its policies without writing anything.
/// Nothing needs a mailbox's records here, so every mailbox that never
/// wants SMS is quiet (see [`Plan`]). Policies run at once, on rayon's
/// threads; the results are in policy order.
pub fn run_in_memory(world: &World) -> Result<ScenarioRun, RunnerError> {
    let plan = Plan::build_quiet(world, &|_| true)?;
    let results = world
        .policies
        .par_iter()
        .map(|policy| {
            let (outcome, _) = simulate(world, &plan, policy, Discard)?;
            Ok(PolicyResult { policy: policy.clone(), outcome })
        })
        .collect::<Result<Vec<_>, RunError>>()?;
    Ok(ScenarioRun { plan, results, folder: None, logs: None })
}

/// Runs `world` under each of its policies and writes `out_dir/<name>/`
/// atomically, with the default [`FolderOptions`] (replacing only a folder
/// that cnasim wrote).
pub fn run_to_folder(world: &World, out_dir: &Path) -> Result<ScenarioRun, RunnerError> {
    let folder = OutputFolder::create(out_dir, &world.name, &Replace::default())?;
    run_to_folder_with(world, folder, &FolderOptions::default())
}

/// Runs `world` under each of its policies (at once, on rayon's threads),
/// writes its files into `folder` (created with [`OutputFolder::create`]
/// before the run, so that a folder that cannot be written is found before
/// any work) and puts it in place. The files do not depend on the number
/// of threads: each policy writes its own parts of the event logs, joined
/// in policy order at the end.
pub fn run_to_folder_with(
    world: &World,
    folder: OutputFolder,
    options: &FolderOptions,
) -> Result<ScenarioRun, RunnerError> {
    let out_dir = folder.path().parent().unwrap_or(Path::new(".")).to_path_buf();
    let io_error = |source| RunnerError::Output { dir: out_dir.clone(), source };
    let logs = options.logs.unwrap_or_else(|| LogDetail::auto(world));
    let logged = logs.logged(world);
    // A mailbox whose rows are not logged is not followed either (the
    // followed ones are always logged), so nothing needs its records.
    let plan = Plan::build_quiet(world, &|m| !logged[m.index()])?;
    let labels = Labels::new(world);
    let timeline = Timeline::new(world, &plan);
    // The first policy writes the event logs themselves, the others parts
    // that are appended in policy order.
    let dirs: Vec<PathBuf> = (0..world.policies.len())
        .map(|i| match i {
            0 => folder.path().to_path_buf(),
            _ => folder.path().join(format!(".policy-{i}")),
        })
        .collect();
    let runs = world
        .policies
        .par_iter()
        .zip(&dirs)
        .enumerate()
        .map(|(i, (policy, dir))| {
            if i > 0 {
                std::fs::create_dir(dir).map_err(io_error)?;
            }
            let rows = Rows { labels: &labels, world, plan: &plan };
            let exchange = (options.log_format == LogFormat::Exchange).then_some(folder.path());
            let files = RunFiles::create(
                dir,
                i == 0,
                &policy.name,
                &logged,
                rows,
                &options.meter,
                exchange,
            )
            .map_err(io_error)?;
            let observer = TimelineObserver::new(&timeline, world, &policy.name);
            let (outcome, (files, observer)) = simulate(world, &plan, policy, (files, observer))?;
            files.finish().map_err(io_error)?;
            let lanes = observer.finish(&plan, &outcome);
            Ok((PolicyResult { policy: policy.clone(), outcome }, lanes))
        })
        .collect::<Result<Vec<_>, RunnerError>>()?;
    let (results, lanes): (Vec<PolicyResult>, Vec<PolicyTimeline>) = runs.into_iter().unzip();
    let timeline = Timeline { policies: lanes, ..timeline };
    let mut run = ScenarioRun { plan, results, folder: None, logs: Some(logs) };
    let dropouts: Vec<(&str, &[Dropout])> = run
        .results
        .iter()
        .map(|r| (r.policy.name.as_str(), r.outcome.dropouts.as_slice()))
        .collect();
    let summary = run.summary(world);
    // Joining the other policies' log parts is disk work that nothing
    // below reads: it runs beside the files drawn from the timeline.
    let (joined, written) = rayon::join(
        || join_logs(folder.path(), dirs.get(1..).unwrap_or_default()),
        || -> std::io::Result<()> {
            let meter = &options.meter;
            write_dropouts(folder.path(), meter, &labels, dropouts.iter().copied())?;
            meter.write_file(&folder.path().join("summary.json"), summary.to_json())?;
            let views = Views {
                world,
                labels: &labels,
                plan: &run.plan,
                timeline: &timeline,
                summary: &summary,
                dropouts: dropouts.clone(),
            };
            views.write(folder.path(), meter)
        },
    );
    joined.and(written).map_err(io_error)?;
    run.folder = Some(folder.commit()?);
    Ok(run)
}
