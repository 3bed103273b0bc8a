//! What a sweep will cost, from the estimate of a run at each grid point,
//! checked before any run: its events summed over the runs of the sweep
//! (or the shard) and their policies against `--max-events`, the memory
//! its rows and its parallel runs keep against the memory limit, and the
//! bytes of its folder against `--max-output`.

use super::manifest::Manifest;
use super::results::METRICS;
use crate::model::budget::Estimate;
use crate::scenario::{MAX_MEMORY_BYTES, bytes_text};

/// Memory a sweep keeps per row (a run under a policy) until the folder
/// is written: the row itself (its metrics, 248 bytes) in the run's
/// vector and in the sweep's, and the allocator's slack. Measured: 1
/// million runs of one policy kept 1,030 MiB.
const BYTES_PER_ROW_IN_MEMORY: u64 = 600;
/// results.csv bytes per row besides its grid values and policy name: the
/// run, the seed, every metric (at most 20 characters each) and the
/// events handled, with separators.
const RESULT_ROW_BYTES: u64 = 48 + 21 * (METRICS as u64 + 1);
/// aggregate.csv bytes per point, policy and metric besides the grid
/// values: the metric's name and seven statistics.
const AGGREGATE_ROW_BYTES: u64 = 32 + 7 * 24;
/// The chart (PNG and SVG, bounded by their pixels) and sweep.json's
/// fixed part.
const CHART_BYTES: u64 = 8 << 20;

/// The limits a sweep is held to.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `--max-events`: events summed over the runs and their policies.
    pub max_events: u64,
    /// `--max-output`: bytes written.
    pub max_output: u64,
    /// Runs at once, each keeping its own world in memory.
    pub jobs: usize,
}

/// What a sweep (or its shard) will cost, at most.
#[derive(Clone, Debug)]
pub struct Cost {
    /// Runs.
    pub runs: u64,
    /// Events summed over the runs and their policies.
    pub events: u64,
    /// The events of the run that needs the most, and its grid point.
    pub costliest_run: (u64, u64),
    /// Rows of results kept in memory.
    pub rows: u64,
    /// Memory of the run that keeps the most.
    pub largest_run_memory: u64,
    /// Memory: the rows, and `jobs` runs at once.
    pub memory: u64,
    /// Bytes of the folder.
    pub output: u64,
}

impl Cost {
    /// The cost of the sweep of `manifest` (or of its shard) whose runs
    /// each cost what `estimates` says for their point, `jobs` at once.
    pub fn of(manifest: &Manifest, estimates: &[Estimate], jobs: usize) -> Cost {
        let seeds = manifest.seeds.max(1);
        let (mut events, mut runs, mut costliest_run) = (0u64, 0u64, (0u64, 0u64));
        for run in (0..manifest.runs).filter(|&r| manifest.shard.is_none_or(|s| s.has(r))) {
            let point = run / seeds;
            let Some(estimate) = estimates.get(point as usize) else { continue };
            let total = estimate.total_events();
            events = events.saturating_add(total);
            runs += 1;
            if total > costliest_run.0 {
                costliest_run = (total, point);
            }
        }
        let rows = runs.saturating_mul(manifest.policies.len() as u64);
        let largest_run_memory = estimates.iter().map(|e| e.memory_bytes).max().unwrap_or(0);
        let memory = rows
            .saturating_mul(BYTES_PER_ROW_IN_MEMORY)
            .saturating_add(largest_run_memory.saturating_mul(jobs.max(1) as u64));
        Cost {
            runs,
            events,
            costliest_run,
            rows,
            largest_run_memory,
            memory,
            output: output_bytes(manifest),
        }
    }

    /// Refuses a sweep over `limits` (the sweep of `manifest`), saying
    /// what to change.
    pub fn check(&self, manifest: &Manifest, limits: &Limits) -> Result<(), String> {
        if self.events > limits.max_events {
            let (most, point) = self.costliest_run;
            return Err(format!(
                "this sweep needs about {} events over its {} runs, more than --max-events {} \
                 allows; a run at grid point {} alone needs about {most}: fewer seeds or grid \
                 values, a shorter window, or raise --max-events",
                self.events,
                self.runs,
                limits.max_events,
                manifest.describe(point),
            ));
        }
        if self.memory > MAX_MEMORY_BYTES {
            return Err(format!(
                "this sweep would keep about {} in memory ({} rows of results, and {} runs at \
                 once of up to {} each), more than the limit of {}: fewer seeds, grid values \
                 or policies, fewer --jobs, or split it with --shard I/N",
                bytes_text(self.memory),
                self.rows,
                limits.jobs,
                bytes_text(self.largest_run_memory),
                bytes_text(MAX_MEMORY_BYTES),
            ));
        }
        check_output(manifest, limits.max_output)
    }
}

/// Per grid point, the events a run of it may handle over its policies:
/// `max_events` shared among the runs of `cost` in proportion to their
/// points' estimates (never below a point's own estimate, which `cost`
/// fitting `max_events` guarantees), so that the runs together stay
/// within it whatever their seeds draw.
pub fn shares(estimates: &[Estimate], cost: &Cost, max_events: u64) -> Vec<u64> {
    estimates
        .iter()
        .map(|e| {
            let own = e.total_events();
            if cost.events == 0 {
                return max_events;
            }
            let share = u128::from(max_events) * u128::from(own) / u128::from(cost.events);
            u64::try_from(share).unwrap_or(u64::MAX).max(own)
        })
        .collect()
}

/// Refuses a sweep (or a merge) whose folder would take more than
/// `max_output` bytes.
pub fn check_output(manifest: &Manifest, max_output: u64) -> Result<(), String> {
    let written = output_bytes(manifest);
    if written > max_output {
        return Err(format!(
            "this sweep would write about {} ({} runs under {} policies), more than \
             --max-output {} allows: fewer seeds or grid values, split it with --shard I/N, or \
             raise --max-output",
            bytes_text(written),
            manifest.runs,
            manifest.policies.len(),
            bytes_text(max_output),
        ));
    }
    Ok(())
}

/// The bytes of the sweep's folder, at most (a shard's: its rows and its
/// manifest).
fn output_bytes(manifest: &Manifest) -> u64 {
    let policy = manifest.policies.iter().map(String::len).max().unwrap_or(0) as u64;
    // Each value may be quoted and its quotes doubled.
    let values: u64 = manifest
        .grid
        .iter()
        .map(|a| a.values.iter().map(|v| 2 * v.len() as u64 + 3).max().unwrap_or(0))
        .sum();
    let keys: u64 = manifest.grid.iter().map(|a| a.key.len() as u64 + 1).sum();
    let row = RESULT_ROW_BYTES + values + policy;
    let runs = match manifest.shard {
        Some(s) => manifest.runs.div_ceil(s.count),
        None => manifest.runs,
    };
    let results = runs.saturating_mul(manifest.policies.len() as u64).saturating_mul(row);
    let manifest_bytes = manifest.to_json().len() as u64;
    if manifest.shard.is_some() {
        return results.saturating_add(manifest_bytes).saturating_add(keys);
    }
    let aggregate = manifest
        .points()
        .saturating_mul(manifest.policies.len() as u64)
        .saturating_mul(METRICS as u64)
        .saturating_mul(AGGREGATE_ROW_BYTES + values + policy);
    results
        .saturating_add(aggregate)
        .saturating_add(manifest_bytes)
        .saturating_add(keys * 2)
        .saturating_add(CHART_BYTES)
}
