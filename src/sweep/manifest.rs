//! sweep.json: what a sweep ran, so that shards can be checked against
//! each other and a sweep told apart from another. Nothing in it depends
//! on the machine, the time or (but for `shard`) how the runs were split.

use super::grid::{self, Shard};
use crate::model::metrics::METRIC_NAMES;
use crate::scenario::MAX_POLICIES;
use crate::scenario::set::sweep_key::MAX_RUNS;
use serde::{Deserialize, Serialize};
use std::hash::Hasher;

/// One key of the grid as the outputs name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Axis {
    /// The dotted path.
    pub key: String,
    /// Its values, as spliced, in order.
    pub values: Vec<String>,
}

/// What a sweep ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The scenario's name.
    pub scenario: String,
    /// cnasim's version.
    pub version: String,
    /// FNV-1a 64 of the scenario file's bytes, as `fnv1a64:` and 16 hex
    /// digits.
    pub scenario_hash: String,
    /// The first seed.
    pub base_seed: u64,
    /// Seeds per grid point.
    pub seeds: u64,
    /// The grid, keys in order (the first changes slowest).
    pub grid: Vec<Axis>,
    /// The policies, in run order.
    pub policies: Vec<String>,
    /// The metric of the chart and the table.
    pub metric: String,
    /// Runs in the whole sweep (points times seeds).
    pub runs: u64,
    /// The slice of the runs this folder holds, for a shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
}

/// FNV-1a 64 of `bytes`, as `fnv1a64:` and 16 hex digits.
pub fn hash(bytes: &[u8]) -> String {
    let mut h = fnv::FnvHasher::default();
    h.write(bytes);
    format!("fnv1a64:{:016x}", h.finish())
}

impl Manifest {
    /// The value count of each key.
    pub fn counts(&self) -> Vec<usize> {
        self.grid.iter().map(|a| a.values.len()).collect()
    }

    /// Number of grid points.
    pub fn points(&self) -> u64 {
        grid::points(&self.counts())
    }

    /// Number of grid points, or none past 2^64.
    fn checked_points(&self) -> Option<u64> {
        self.grid.iter().try_fold(1u64, |n, a| n.checked_mul(a.values.len() as u64))
    }

    /// The value of each key at `point`.
    pub fn labels(&self, point: u64) -> Vec<&str> {
        grid::coordinates(&self.counts(), point)
            .iter()
            .zip(&self.grid)
            .map(|(&v, a)| a.values[v].as_str())
            .collect()
    }

    /// The seed of run `run`.
    pub fn seed(&self, run: u64) -> u64 {
        grid::seed_of(self.base_seed, self.seeds, run)
    }

    /// `key=value` for each key at `point`, for messages.
    pub fn describe(&self, point: u64) -> String {
        if self.grid.is_empty() {
            return "(no grid)".into();
        }
        let labels = self.labels(point);
        self.grid
            .iter()
            .zip(labels)
            .map(|(a, v)| format!("{}={v}", a.key))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The manifest as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest always serializes");
        text.push('\n');
        text
    }

    /// The first field in which `other` describes another sweep than this
    /// one (the shard aside), if any.
    pub fn difference(&self, other: &Manifest) -> Option<&'static str> {
        let checks: [(&'static str, bool); 9] = [
            ("the scenario", self.scenario == other.scenario),
            ("cnasim's version", self.version == other.version),
            ("the scenario file (its hash)", self.scenario_hash == other.scenario_hash),
            ("the base seed", self.base_seed == other.base_seed),
            ("the number of seeds", self.seeds == other.seeds),
            ("the grid", self.grid == other.grid),
            ("the policies", self.policies == other.policies),
            ("the metric", self.metric == other.metric),
            ("the number of runs", self.runs == other.runs),
        ];
        checks.iter().find(|(_, same)| !same).map(|(what, _)| *what)
    }

    /// The manifest's fields hold together: the runs are the points times
    /// the seeds, and the shard is within its count.
    pub fn consistent(&self) -> Result<(), String> {
        if self.runs > MAX_RUNS || self.shard.is_some_and(|s| s.count > MAX_RUNS) {
            return Err(format!("a sweep has at most {MAX_RUNS} runs and as many shards"));
        }
        let points = self.checked_points();
        if self.seeds == 0 || points.and_then(|p| p.checked_mul(self.seeds)) != Some(self.runs) {
            return Err(format!(
                "{} runs is not {} grid points times {} seeds",
                self.runs,
                self.points(),
                self.seeds
            ));
        }
        if self.policies.is_empty() || self.policies.len() > MAX_POLICIES {
            return Err(format!(
                "{} policies; a sweep runs 1 to {MAX_POLICIES}",
                self.policies.len()
            ));
        }
        if let Some(axis) = self.grid.iter().find(|a| a.values.is_empty()) {
            return Err(format!("the grid key `{}` has no values", axis.key));
        }
        if !METRIC_NAMES.contains(&self.metric.as_str()) {
            return Err(format!("`{}` is not a metric", self.metric));
        }
        if let Some(s) = self.shard
            && (s.index == 0 || s.index > s.count)
        {
            return Err(format!("shard {s} is not one of 1 to {}", s.count));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_of_known_inputs() {
        // The reference values of FNV-1a 64.
        assert_eq!(hash(b""), "fnv1a64:cbf29ce484222325");
        assert_eq!(hash(b"a"), "fnv1a64:af63dc4c8601ec8c");
        assert_eq!(hash(b"foobar"), "fnv1a64:85944171f73967e8");
    }
}
