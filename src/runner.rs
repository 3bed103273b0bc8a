//! Runs a scenario under each of its policies and writes its output folder.

use crate::model::plan::{Plan, PlanTooLarge};
use crate::model::record::{Discard, Observer};
use crate::model::sim::RunError;
use crate::model::{Outcome, Policy, World, simulate};
use crate::output::{Labels, OutputFolder, RunFiles, Summary, comparison_table, write_dropouts};
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
pub fn run_in_memory(world: &World) -> Result<ScenarioRun, RunnerError> {
    let plan = Plan::build(world)?;
    let results = run_policies(world, &plan, &mut Discard, |_, _| {})?;
    Ok(ScenarioRun { plan, results, folder: None })
}

/// Runs `world` under each of its policies in order, feeding `observer`;
/// `set_policy` tells it which policy the records that follow belong to.
fn run_policies<O: Observer>(
    world: &World,
    plan: &Plan,
    observer: &mut O,
    set_policy: fn(&mut O, &str),
) -> Result<Vec<PolicyResult>, RunError> {
    let mut results = Vec::with_capacity(world.policies.len());
    for policy in &world.policies {
        set_policy(observer, &policy.name);
        let (outcome, _) = simulate(world, plan, policy, &mut *observer)?;
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
    let results = run_policies(world, &plan, &mut files, RunFiles::set_policy)?;
    files.finish().map_err(io_error)?;
    write_dropouts(
        folder.path(),
        &labels,
        results.iter().map(|r| (r.policy.name.as_str(), r.outcome.dropouts.as_slice())),
    )
    .map_err(io_error)?;
    let mut run = ScenarioRun { plan, results, folder: None };
    let summary = run.summary(world).to_json();
    std::fs::write(folder.path().join("summary.json"), summary).map_err(io_error)?;
    run.folder = Some(folder.commit().map_err(io_error)?);
    Ok(run)
}
