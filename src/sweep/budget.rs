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
/// vector and in the sweep's, and the allocator's slack. Measured: about
/// 500 bytes.
const BYTES_PER_ROW_IN_MEMORY: u64 = 512;
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

/// Refuses the sweep of `manifest` whose runs (each as `estimates` says
/// for its point) would pass a limit, saying what to change.
pub fn check(manifest: &Manifest, estimates: &[Estimate], limits: &Limits) -> Result<(), String> {
    let policies = manifest.policies.len() as u64;
    let seeds = manifest.seeds.max(1);
    // The runs of the sweep, or of its shard, by point.
    let mut events = 0u64;
    let mut runs = 0u64;
    let mut biggest: Option<(u64, u64)> = None;
    for run in (0..manifest.runs).filter(|&r| manifest.shard.is_none_or(|s| s.has(r))) {
        let point = run / seeds;
        let Some(estimate) = estimates.get(point as usize) else { continue };
        let total = estimate.total_events();
        events = events.saturating_add(total);
        runs += 1;
        if biggest.is_none_or(|(most, _)| total > most) {
            biggest = Some((total, point));
        }
    }
    if events > limits.max_events {
        let (most, point) = biggest.unwrap_or_default();
        return Err(format!(
            "this sweep needs about {events} events over its {runs} runs, more than \
             --max-events {} allows; a run at grid point {} alone needs about {most}: fewer \
             seeds or grid values, a shorter window, or raise --max-events",
            limits.max_events,
            manifest.describe(point),
        ));
    }
    let rows = runs.saturating_mul(policies);
    let largest_run = estimates.iter().map(|e| e.memory_bytes).max().unwrap_or(0);
    let memory = rows
        .saturating_mul(BYTES_PER_ROW_IN_MEMORY)
        .saturating_add(largest_run.saturating_mul(limits.jobs.max(1) as u64));
    if memory > MAX_MEMORY_BYTES {
        return Err(format!(
            "this sweep would keep about {} in memory ({rows} rows of results, and {} runs at \
             once of up to {} each), more than the limit of {}: fewer seeds, grid values or \
             policies, fewer --jobs, or split it with --shard I/N",
            bytes_text(memory),
            limits.jobs,
            bytes_text(largest_run),
            bytes_text(MAX_MEMORY_BYTES),
        ));
    }
    check_output(manifest, limits.max_output)
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
