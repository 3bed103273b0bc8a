//! Helpers shared by the integration tests.
#![allow(dead_code)]

use cnasim::model::{Metrics, Outcome, World};
use cnasim::runner::run_in_memory;
use cnasim::scenario::{Overrides, parse};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One mailbox whose syncs take a random time (so seeds matter), under a
/// grid of two intervals and two completions, 3 seeds: 12 runs under 2
/// policies, small enough for a debug build.
pub const TINY_SWEEP: &str = include_str!("tiny-sweep.yaml");

/// A run of minutes (billions of background arrivals, within a raised
/// `--max-events`): whatever stops it, stops it mid-run.
pub const LONG_RUN: &str = "\
name: long-run
start: 2016-01-01T00:00:00Z
duration: 60d
databases:
  - name: DB01
    background: { rate_per_hour: 10000000, arrivals: uniform }
";

/// The names in `dir`, sorted; none when it does not exist.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// Runs the `cnasim` binary in the project folder.
pub fn cnasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cnasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// What a command printed on standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What a command printed on standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Parses a scenario given inline, panicking with the located error.
pub fn world(yaml: &str) -> World {
    parse(yaml, "inline.yaml", "inline", &Overrides::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The located error of an invalid inline scenario.
pub fn error(yaml: &str) -> String {
    error_with(yaml, &Overrides::default())
}

/// The located error of an invalid inline scenario read with `overrides`.
pub fn error_with(yaml: &str, overrides: &Overrides) -> String {
    match parse(yaml, "inline.yaml", "inline", overrides) {
        Ok(_) => panic!("the scenario was accepted:\n{yaml}"),
        Err(e) => e.to_string(),
    }
}

/// Runs an inline scenario under its policies.
pub fn outcomes(yaml: &str) -> BTreeMap<String, Outcome> {
    let world = world(yaml);
    let run = run_in_memory(&world).unwrap_or_else(|e| panic!("{e}"));
    run.results.into_iter().map(|r| (r.policy.name, r.outcome)).collect()
}

/// The metrics of each policy of an inline scenario.
pub fn metrics(yaml: &str) -> BTreeMap<String, Metrics> {
    outcomes(yaml).into_iter().map(|(k, v)| (k, v.metrics)).collect()
}

/// Asserts named integer metrics of one policy: `check(&m, "legacy", &[("reminders_missed", 3)])`.
pub fn check(all: &BTreeMap<String, Metrics>, policy: &str, expected: &[(&str, u64)]) {
    let m = all.get(policy).unwrap_or_else(|| panic!("no policy {policy}"));
    for (name, want) in expected {
        let got = match m.get(name) {
            Some(cnasim::model::metrics::MetricValue::Count(n)) => n,
            other => panic!("{name} is not a count: {other:?}"),
        };
        assert_eq!(got, *want, "{policy}.{name}\nall metrics: {m:#?}");
    }
}

/// Runs the `cnasim` binary in `dir`.
pub fn cnasim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cnasim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// A temporary folder holding a `scenarios/` copy of the shipped scenarios
/// (the top level of `scenarios/`, without the benchmarks in
/// `scenarios/bench/`, which a debug build would take minutes over), for
/// commands that walk the folder.
pub fn shipped_scenarios_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("scenarios")).expect("a scenarios folder");
    for file in scenario_files() {
        let name = file.file_name().expect("a file name");
        std::fs::copy(&file, dir.path().join("scenarios").join(name)).expect("copied");
    }
    dir
}

/// Every scenario file in `scenarios/`, sorted by name.
pub fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "expected at least the five shipped scenarios");
    files
}

/// `(counter, create time)` of the MailboxMoveStarted rows of one policy
/// in an output folder's database_events.csv.
pub fn move_started(folder: &Path, policy: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(folder.join("database_events.csv")).unwrap();
    text.lines()
        .filter(|l| l.starts_with(&format!("{policy},")) && l.contains(",MailboxMoveStarted,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2].to_string(), f[3].to_string())
        })
        .collect()
}

/// `cnasim diagnose ARGS --format json`, which must succeed, as JSON.
pub fn diagnose_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["diagnose"];
    all.extend(args);
    all.extend(["--format", "json"]);
    let o = cnasim(&all);
    assert!(o.status.success(), "diagnose {args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}
