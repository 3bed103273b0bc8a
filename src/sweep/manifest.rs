//! sweep.json: what a sweep ran, so that shards can be checked against
//! each other and a sweep told apart from another. Nothing in it depends
//! on the machine, the time or (but for `shard`) how the runs were split.

use super::grid::{self, Shard};
use crate::output::summary::VERSION;
use crate::scenario::set::sweep_key::{MAX_POINTS, MAX_RUNS, MAX_SEEDS, MAX_VALUES, metric_named};
use crate::scenario::set::{flow_value, overlaps, path_segments};
use crate::scenario::{MAX_FILE_BYTES, MAX_POLICIES, Slug};
use serde::{Deserialize, Serialize};
use std::hash::Hasher;
use std::io::Read;

/// Largest sweep.json a sweep writes, and so the largest `--merge` reads:
/// its grid's values are most of it. A sweep whose manifest would be
/// larger is refused before it runs.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Length of a hash as [`hash`] writes it: `fnv1a64:` and 16 hex digits.
pub const HASH_TEXT_LEN: usize = "fnv1a64:".len() + 16;

/// One key of the grid as the outputs name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// FNV-1a 64 of the folder's results.csv, as `fnv1a64:` and 16 hex
    /// digits, so that `--merge` can tell a results.csv edited, truncated
    /// or swapped with another shard's after it was written. It detects
    /// accidents and mix-ups, not a forgery: anyone can compute it. Empty
    /// (and refused by [`Manifest::check_rows_hash`]) when the file has
    /// none.
    #[serde(default)]
    pub rows_hash: String,
    /// The slice of the runs this folder holds, for a shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
}

/// FNV-1a 64 of `bytes`, as `fnv1a64:` and 16 hex digits.
pub fn hash(bytes: &[u8]) -> String {
    let mut h = fnv::FnvHasher::default();
    h.write(bytes);
    hash_text(&h)
}

/// A hash as [`hash`] and [`hash_reader`] write it.
fn hash_text(h: &fnv::FnvHasher) -> String {
    format!("fnv1a64:{:016x}", h.finish())
}

/// FNV-1a 64 of every byte `reader` gives, as [`hash`] writes it, and how
/// many bytes there were; read in blocks, so a large file costs no memory.
pub fn hash_reader(mut reader: impl Read) -> std::io::Result<(String, u64)> {
    let mut h = fnv::FnvHasher::default();
    let mut block = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let bytes = block.get(..n).unwrap_or_default();
        h.write(bytes);
        total += bytes.len() as u64;
    }
    Ok((hash_text(&h), total))
}

/// Whether `text` is a hash as [`hash`] writes it.
fn is_hash(text: &str) -> bool {
    text.len() == HASH_TEXT_LEN
        && text.strip_prefix("fnv1a64:").is_some_and(|hex| {
            hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// `text` as a message shows it: control characters escaped, and cut
/// after 80 characters.
fn shown(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect::<String>().escape_debug().to_string();
    if text.chars().nth(80).is_some() {
        out.push_str("...");
    }
    out
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

    /// Checks every field by the rules the sweep that writes a manifest
    /// applies, so that a manifest read back (by `--merge`, from a folder
    /// anyone could have edited) is one a sweep of this cnasim could have
    /// written: the scenario and policy names are names as a scenario
    /// gives them (`[a-z0-9-]`, which makes them safe as folder names),
    /// the grid's keys are `--set` paths that do not overlap and its values
    /// one-line YAML as the sweep keeps them, the numbers are within the
    /// sweep's limits and agree (the runs are the points times the seeds),
    /// and the shard is one of its count. `rows_hash` is checked apart
    /// ([`Manifest::check_rows_hash`]): a sweep checks its manifest before
    /// the rows exist. A sweep checks the manifest it will write, so every
    /// folder it writes passes.
    pub fn check(&self) -> Result<(), String> {
        Slug::check(&self.scenario).map_err(|why| format!("`scenario`: {why}"))?;
        if self.version != VERSION {
            return Err(format!(
                "`version`: written by cnasim {}, and this is cnasim {VERSION}; merge shards \
                 with the cnasim that ran them",
                shown(&self.version)
            ));
        }
        if !is_hash(&self.scenario_hash) {
            return Err(format!(
                "`scenario_hash`: expected `fnv1a64:` and 16 hex digits; found `{}`",
                shown(&self.scenario_hash)
            ));
        }
        if !(1..=MAX_SEEDS).contains(&self.seeds) {
            return Err(format!("`seeds`: {}; a sweep runs 1 to {MAX_SEEDS}", self.seeds));
        }
        self.check_grid()?;
        let points = self.checked_points().filter(|&p| p <= MAX_POINTS);
        let Some(points) = points else {
            return Err(format!("`grid`: more than {MAX_POINTS} points; a sweep has at most that"));
        };
        if self.runs > MAX_RUNS || points.checked_mul(self.seeds) != Some(self.runs) {
            return Err(format!(
                "`runs`: {} is not {points} grid points times {} seeds, or more than {MAX_RUNS}",
                self.runs, self.seeds
            ));
        }
        self.check_policies()?;
        metric_named(&self.metric).map_err(|why| format!("`metric`: {why}"))?;
        if let Some(s) = self.shard
            && (s.count == 0 || s.count > MAX_RUNS || s.index == 0 || s.index > s.count)
        {
            return Err(format!(
                "`shard`: {} of {}; a shard is I of N with 1 <= I <= N <= {MAX_RUNS}",
                s.index, s.count
            ));
        }
        Ok(())
    }

    /// The grid: each key a `--set` path (as [`path_segments`] reads it),
    /// no key overlapping another (one the same as or inside another), 1
    /// to [`MAX_VALUES`] values each, and each value one line of YAML as
    /// the sweep keeps it: its own flow text ([`flow_value`], which holds
    /// no control character), at most [`MAX_FILE_BYTES`] long (a longer
    /// value would make a scenario text longer than the reader takes).
    fn check_grid(&self) -> Result<(), String> {
        let mut paths: Vec<(Vec<String>, &str)> = Vec::with_capacity(self.grid.len());
        for axis in &self.grid {
            let key = &axis.key;
            let path = path_segments(key).map_err(|why| format!("grid key: {why}"))?;
            paths.push((path, key));
            if axis.values.is_empty() || axis.values.len() > MAX_VALUES {
                return Err(format!(
                    "grid key `{key}`: {} values; a key takes 1 to {MAX_VALUES}",
                    axis.values.len()
                ));
            }
            for value in &axis.values {
                if value.len() as u64 > MAX_FILE_BYTES {
                    return Err(format!(
                        "a value of grid key `{key}` is {} bytes; a scenario (and so a value \
                         spliced into it) is at most {MAX_FILE_BYTES} bytes",
                        value.len()
                    ));
                }
                if flow_value(value).as_deref() != Ok(value.as_str()) {
                    return Err(format!(
                        "grid key `{key}`: `{}` is not a value as a sweep writes it (one YAML \
                         value in flow style on one line, without control characters)",
                        shown(value)
                    ));
                }
            }
        }
        // In path order, a key that another lies inside comes just before
        // it, or before keys that lie inside it too: neighbours suffice.
        paths.sort();
        if let Some(pair) = paths.windows(2).find(|w| overlaps(&w[0].0, &w[1].0)) {
            return Err(format!(
                "grid keys `{}` and `{}` overlap (one is or lies inside the other); a sweep \
                 refuses such a grid",
                pair[0].1, pair[1].1
            ));
        }
        Ok(())
    }

    /// The policies: 1 to [`MAX_POLICIES`], each named as a scenario names
    /// one (a built-in name or a defined one: [`Slug`]), each once.
    fn check_policies(&self) -> Result<(), String> {
        let n = self.policies.len();
        if n == 0 || n > MAX_POLICIES {
            return Err(format!("`policies`: {n}; a sweep runs 1 to {MAX_POLICIES}"));
        }
        for (i, name) in self.policies.iter().enumerate() {
            Slug::check(name).map_err(|why| format!("`policies`: {why}"))?;
            if self.policies[..i].contains(name) {
                return Err(format!("`policies`: `{name}` is listed twice"));
            }
        }
        Ok(())
    }

    /// `rows_hash` is a hash as [`hash`] writes it; a manifest without one
    /// was written by an older cnasim, or edited.
    pub fn check_rows_hash(&self) -> Result<(), String> {
        if self.rows_hash.is_empty() {
            return Err("`rows_hash` is missing: it holds the hash of results.csv, which is \
                        checked against it; run the shard again with this cnasim"
                .into());
        }
        if !is_hash(&self.rows_hash) {
            return Err(format!(
                "`rows_hash`: expected `fnv1a64:` and 16 hex digits; found `{}`",
                shown(&self.rows_hash)
            ));
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
        let long: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let (streamed, n) = hash_reader(long.as_slice()).unwrap();
        assert_eq!((streamed, n), (hash(&long), 200_000));
        assert!(is_hash(&hash(b"a")) && !is_hash("fnv1a64:AF63DC4C8601EC8C"));
    }

    /// A manifest as a sweep of the tiny test scenario writes it.
    fn manifest() -> Manifest {
        Manifest {
            scenario: "tiny-sweep".into(),
            version: VERSION.into(),
            scenario_hash: hash(b"x"),
            base_seed: 7,
            seeds: 3,
            grid: vec![
                Axis {
                    key: "a.0.b".into(),
                    values: vec!["12h".into(), "{ uniform: [1m, 5m] }".into()],
                },
                Axis { key: "c".into(), values: vec!["\"x, y\"".into(), "1".into()] },
            ],
            policies: vec!["legacy".into(), "fixed".into()],
            metric: "sms_sent".into(),
            runs: 12,
            rows_hash: hash(b"rows"),
            shard: Some(Shard { index: 2, count: 3 }),
        }
    }

    #[test]
    fn every_field_is_checked() {
        manifest().check().unwrap();
        manifest().check_rows_hash().unwrap();
        type Edit = fn(&mut Manifest);
        let cases: &[(Edit, &str)] = &[
            (|m| m.scenario = "/../../x/important".into(), "`scenario`: expected a name"),
            (|m| m.scenario = "../x".into(), "`scenario`: expected a name"),
            (|m| m.scenario = "-x".into(), "`scenario`: expected a name"),
            (|m| m.version = "0.0.1\u{1b}[2J".into(), "written by cnasim 0.0.1\\u{1b}[2J"),
            (|m| m.scenario_hash = "fnv1a64:1".into(), "`scenario_hash`"),
            (|m| m.seeds = 0, "`seeds`: 0"),
            (|m| m.seeds = MAX_SEEDS + 1, "`seeds`"),
            (|m| m.grid[0].key = "a..b".into(), "an empty part"),
            (|m| m.grid[0].key = "seed".into(), "--seed"),
            (|m| m.grid[0].key = "../x".into(), "an empty part"),
            (|m| m.grid[0].key = "a/x".into(), "not a key or a list index"),
            (|m| m.grid[1].key = "a".into(), "grid keys `a` and `a.0.b` overlap"),
            (|m| m.grid[1].key = "a.0.b".into(), "grid keys `a.0.b` and `a.0.b` overlap"),
            (|m| m.grid[0].values.clear(), "0 values"),
            (|m| m.grid[0].values[0] = "1\n2".into(), "`1\\n2` is not a value as a sweep"),
            (|m| m.grid[0].values[0] = "a\tb".into(), "`a\\tb` is not a value"),
            (|m| m.grid[0].values[0] = " 12h".into(), "is not a value"),
            (|m| m.grid[0].values[0] = "[1m".into(), "is not a value"),
            (
                |m| m.grid[0].values[0] = "x".repeat(MAX_FILE_BYTES as usize + 1),
                "bytes; a scenario",
            ),
            (|m| m.runs = 13, "`runs`: 13 is not 4 grid points times 3 seeds"),
            (|m| m.policies.clear(), "`policies`: 0"),
            (|m| m.policies[1] = "Fixed".into(), "`policies`: expected a name"),
            (|m| m.policies[1] = "../p".into(), "`policies`: expected a name"),
            (|m| m.policies[1] = "legacy".into(), "`legacy` is listed twice"),
            (|m| m.metric = "sms_snt".into(), "did you mean `sms_sent`"),
            (|m| m.shard = Some(Shard { index: 4, count: 3 }), "`shard`: 4 of 3"),
            (|m| m.shard = Some(Shard { index: 0, count: 0 }), "`shard`: 0 of 0"),
        ];
        for (edit, expected) in cases {
            let mut m = manifest();
            edit(&mut m);
            let why = m.check().expect_err(expected);
            assert!(why.contains(expected), "{why}\n(expected {expected})");
        }
        // A grid too large to count.
        let mut m = manifest();
        m.grid = (0..64)
            .map(|i| Axis { key: format!("k{i}"), values: vec!["1".into(), "2".into()] })
            .collect();
        assert!(m.check().unwrap_err().contains("more than 10000 points"));
        let mut m = manifest();
        m.rows_hash = String::new();
        assert!(m.check_rows_hash().unwrap_err().contains("`rows_hash` is missing"));
        m.rows_hash = "md5:x".into();
        assert!(m.check_rows_hash().unwrap_err().contains("`rows_hash`: expected"));
    }
}
