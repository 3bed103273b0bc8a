//! Running a sweep's runs on the current rayon pool: every grid point is
//! checked first, then the runs go in parallel and are collected by index,
//! so the rows come out in run order whatever the number of threads.

use super::grid::Plan;
use super::manifest::Manifest;
use super::results::Row;
use super::{RunFailure, Source, SweepError, SweepOptions};
use crate::model::World;
use crate::model::budget::Estimate;
use crate::runner::run_in_memory;
use crate::scenario::{self, DEFAULT_MAX_EVENTS, Overrides};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

/// One sweep's runs.
pub(super) struct Job<'a> {
    pub source: &'a Source,
    pub plan: &'a Plan,
    pub manifest: &'a Manifest,
    pub options: &'a SweepOptions,
    /// Per grid point, the events a run of it may handle over its
    /// policies: its share of `--max-events` ([`super::budget::shares`]);
    /// empty while the points are checked.
    pub shares: &'a [u64],
}

impl Job<'_> {
    /// The world of `point` under `seed`.
    fn world(&self, point: u64, seed: u64) -> Result<World, SweepError> {
        let overrides = Overrides {
            seed: Some(seed),
            max_events: Some(self.options.max_events),
            policies: scenario::PolicyChoice::only(&self.manifest.policies),
            sets: self.plan.sets(point),
            ..Overrides::default()
        };
        let s = self.source;
        scenario::parse_point(&s.text, &s.shown, &s.stem, &overrides).map_err(|source| {
            SweepError::Point { point: self.manifest.describe(point), source: Box::new(source) }
        })
    }

    /// Checks that every grid point gives a valid scenario (under the base
    /// seed) before anything runs, and returns what a run of each costs;
    /// the first bad point, in grid order, is reported.
    pub fn check_points(&self) -> Result<Vec<Estimate>, SweepError> {
        let points: Vec<u64> = (0..self.plan.points()).collect();
        let checked: Vec<Result<Estimate, SweepError>> = points
            .par_iter()
            .map(|&p| self.world(p, self.plan.base_seed).map(|w| w.estimate))
            .collect();
        checked.into_iter().collect()
    }

    /// The command that runs `run` alone.
    fn reproduce(&self, run: u64) -> String {
        let path = crate::check::path_argument(std::path::Path::new(&self.source.shown));
        let mut words = vec!["cnasim".to_string(), "run".into(), path];
        words.extend(["--seed".to_string(), self.plan.seed(run).to_string()]);
        for set in self.plan.sets(run / self.plan.seeds) {
            words.extend(["--set".to_string(), set.argument()]);
        }
        for policy in &self.options.policies {
            words.extend(["--policy".to_string(), policy.clone()]);
        }
        let cap = self.cap(run / self.plan.seeds);
        if cap != DEFAULT_MAX_EVENTS {
            words.extend(["--max-events".to_string(), cap.to_string()]);
        }
        crate::check::shell_command(&words)
    }

    /// The events a run of `point` may handle.
    fn cap(&self, point: u64) -> u64 {
        self.shares.get(point as usize).copied().unwrap_or(self.options.max_events)
    }

    /// The rows of run `run`, one per policy.
    fn run(&self, run: u64) -> Result<Vec<Row>, SweepError> {
        let point = run / self.plan.seeds;
        let seed = self.plan.seed(run);
        let mut world = self.world(point, seed)?;
        // Each run holds to its share, so that the sweep's total holds
        // whatever the seeds draw (a population's draws change its runs'
        // events) and which run stops never depends on the threads.
        world.max_events = self.cap(point);
        let done = run_in_memory(&world).map_err(|source| {
            SweepError::Run(Box::new(RunFailure {
                run,
                point: self.manifest.describe(point),
                seed,
                reproduce: self.reproduce(run),
                source,
            }))
        })?;
        Ok(done
            .results
            .iter()
            .enumerate()
            .map(|(j, r)| Row::new(run, j, &r.outcome.metrics, r.outcome.events_handled))
            .collect())
    }

    /// Runs every run of the shard (or of the sweep) in parallel, and
    /// returns their rows in run order. A run that fails stops the later
    /// runs from starting; the first failure in run order is reported.
    pub fn run_all(&self) -> Result<Vec<Row>, SweepError> {
        let shard = self.options.shard;
        let runs: Vec<u64> =
            (0..self.plan.runs()).filter(|&r| shard.is_none_or(|s| s.has(r))).collect();
        let bar = progress_bar(runs.len() as u64, self.options.progress);
        // The lowest run that has failed: later runs need not start, but
        // earlier ones must, so the failure reported (the first in run
        // order) is the same whatever `--jobs` is.
        let first_failure = AtomicU64::new(u64::MAX);
        let outcomes: Vec<Option<Result<Vec<Row>, SweepError>>> = runs
            .par_iter()
            .map(|&run| {
                if run > first_failure.load(Ordering::Relaxed) {
                    return None;
                }
                let rows = self.run(run);
                if rows.is_err() {
                    first_failure.fetch_min(run, Ordering::Relaxed);
                }
                bar.inc(1);
                Some(rows)
            })
            .collect();
        bar.finish_and_clear();
        let mut rows = Vec::with_capacity(runs.len() * self.manifest.policies.len());
        for outcome in outcomes.into_iter().flatten() {
            rows.extend(outcome?);
        }
        Ok(rows)
    }
}

/// A progress bar on stderr, drawn only when it is a terminal and `show`.
fn progress_bar(total: u64, show: bool) -> ProgressBar {
    if !show || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs, ETA {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
