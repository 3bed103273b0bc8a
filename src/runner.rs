//! Runs a scenario under each of its policies and writes its output folder.

use crate::model::metrics::Dropout;
use crate::model::plan::{Plan, PlanTooLarge};
use crate::model::record::{Discard, Observer};
use crate::model::sim::RunError;
use crate::model::{Outcome, Policy, World, simulate};
use crate::output::timeline::{Timeline, TimelineObserver};
use crate::output::{
    Labels, OutputFolder, RunFiles, Summary, Views, comparison_table, write_dropouts,
};
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
    #[error("cannot write the output folder in {dir}: {source}")]
    Output {
        /// The `--out` folder.
        dir: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
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

/// Runs `world` under each of its policies without writing anything.
/// Nothing needs a mailbox's records here, so every mailbox that never
/// wants SMS is quiet (see [`Plan`]).
pub fn run_in_memory(world: &World) -> Result<ScenarioRun, RunnerError> {
    let plan = Plan::build_quiet(world, &|_| true)?;
    let results = run_policies(world, &plan, &mut Discard, |_, _| {}, |_| Discard, |_, _| {})?;
    Ok(ScenarioRun { plan, results, folder: None })
}

/// Runs `world` under each of its policies in order. `shared` sees every
/// run (`set_policy` tells it which policy the records that follow belong
/// to); `start` makes an observer for one run, which `done` receives with
/// that run's outcome.
fn run_policies<S: Observer, P: Observer>(
    world: &World,
    plan: &Plan,
    shared: &mut S,
    set_policy: fn(&mut S, &str),
    mut start: impl FnMut(&Policy) -> P,
    mut done: impl FnMut(P, &Outcome),
) -> Result<Vec<PolicyResult>, RunError> {
    let mut results = Vec::with_capacity(world.policies.len());
    for policy in &world.policies {
        set_policy(shared, &policy.name);
        let (outcome, (_, own)) = simulate(world, plan, policy, (&mut *shared, start(policy)))?;
        done(own, &outcome);
        results.push(PolicyResult { policy: policy.clone(), outcome });
    }
    Ok(results)
}

/// Runs `world` under each of its policies and writes `out_dir/<name>/`
/// atomically.
pub fn run_to_folder(world: &World, out_dir: &Path) -> Result<ScenarioRun, RunnerError> {
    let io_error = |source| RunnerError::Output { dir: out_dir.to_path_buf(), source };
    let plan = Plan::build(world)?;
    let labels = Labels::new(world);
    let folder = OutputFolder::create(out_dir, &world.name).map_err(io_error)?;
    let mut files = RunFiles::create(folder.path(), &labels, world, &plan).map_err(io_error)?;
    let mut timeline = Timeline::new(world, &plan);
    let mut policies = Vec::with_capacity(world.policies.len());
    let results = run_policies(
        world,
        &plan,
        &mut files,
        RunFiles::set_policy,
        |policy| TimelineObserver::new(&timeline, world, &policy.name),
        |observer, outcome| policies.push(observer.finish(&plan, outcome)),
    )?;
    timeline.policies = policies;
    files.finish().map_err(io_error)?;
    let mut run = ScenarioRun { plan, results, folder: None };
    let dropouts: Vec<(&str, &[Dropout])> = run
        .results
        .iter()
        .map(|r| (r.policy.name.as_str(), r.outcome.dropouts.as_slice()))
        .collect();
    write_dropouts(folder.path(), &labels, dropouts.iter().copied()).map_err(io_error)?;
    let summary = run.summary(world);
    std::fs::write(folder.path().join("summary.json"), summary.to_json()).map_err(io_error)?;
    let views = Views {
        world,
        labels: &labels,
        plan: &run.plan,
        timeline: &timeline,
        summary: &summary,
        dropouts,
    };
    views.write(folder.path()).map_err(io_error)?;
    run.folder = Some(folder.commit().map_err(io_error)?);
    Ok(run)
}
