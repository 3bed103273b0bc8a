//! `cnasim check`: finds scenarios, runs them, and evaluates their `expect:`
//! assertions. Printing is in [`report`], JUnit XML in [`junit`].
//!
//! A file that cannot be read or is not a valid scenario is one error in
//! the report ([`InvalidFile`]), and every other file is still checked.
//! What concerns the whole check stops it before anything runs: a path
//! that does not exist, a folder without scenarios or that cannot be
//! searched (the set of files to check is unknown, so a report would miss
//! an unknown number of them), and a `--policy` that no valid scenario
//! runs (a usage error: every scenario would be skipped). Two files naming
//! the same scenario are both checked: a check writes no folder, and each
//! line and reproducing command names the file.
//!
//! Architecture invariant: the result of a check depends only on the
//! scenario files and the options (seed, policies), never on the wall clock
//! or the file system's listing order; scenarios are checked in a stable
//! order (arguments in order, each folder's files sorted by path).

pub mod junit;
pub mod report;

use crate::model::World;
use crate::model::expectation::Bound;
use crate::model::metrics::MetricValue;
use crate::runner::run_in_memory;
use crate::scenario::{self, Overrides, ScenarioError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Extensions of the scenario files searched for in folders.
pub const SCENARIO_EXTENSIONS: [&str; 2] = ["yaml", "yml"];

/// The scenario files under `paths`: a file is taken as given; a folder is
/// searched recursively for `*.yaml` and `*.yml`, skipping hidden entries
/// (names starting with `.`) and not following symbolic links to folders.
/// Files come in argument order, each folder's sorted by path; a file
/// reached twice (by two paths, or through a link) is kept once, under the
/// first path that reached it.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut found: Vec<PathBuf> = Vec::new();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut keep = |path: PathBuf, found: &mut Vec<PathBuf>| {
        // Identity is the canonical path; one that cannot be resolved is
        // kept as given, and loading it reports why.
        let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(identity) {
            found.push(path);
        }
    };
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| format!("{}: cannot read: {e}", printable(path)))?;
        if !meta.is_dir() {
            keep(path.clone(), &mut found);
            continue;
        }
        let mut in_folder = 0;
        let walk = walkdir::WalkDir::new(path)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            let entry = entry.map_err(|e| format!("{}: cannot search: {e}", printable(path)))?;
            let named_like_a_scenario = entry
                .path()
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| SCENARIO_EXTENSIONS.contains(&x));
            if !named_like_a_scenario || entry.file_type().is_dir() {
                continue;
            }
            // A link to a file counts (a link to a folder is not followed);
            // a dangling link, a FIFO or a device is refused when loaded.
            in_folder += 1;
            keep(entry.into_path(), &mut found);
        }
        if in_folder == 0 {
            return Err(format!(
                "{}: no scenario files (*.yaml, *.yml) in this folder",
                printable(path)
            ));
        }
    }
    Ok(found)
}

/// A path as it can safely be shown on a terminal: control, bidirectional
/// formatting and separator characters escaped (the rule of a scenario's
/// text).
pub fn printable(path: &Path) -> String {
    let mut shown = String::new();
    for c in path.to_string_lossy().chars() {
        if crate::scenario::unsafe_char(c).is_some() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}

/// One assertion's result.
#[derive(Clone, Debug)]
pub struct Assertion {
    /// The policy it concerns.
    pub policy: String,
    /// The metric.
    pub metric: &'static str,
    /// What the metric must be.
    pub bound: Bound,
    /// What the run measured.
    pub actual: MetricValue,
    /// Whether `actual` meets `bound`.
    pub passed: bool,
    /// Line of the assertion in the scenario file.
    pub line: u64,
    /// Column of the assertion.
    pub column: u64,
}

/// A scenario path as the argument of a command to paste: printable, and
/// with `./` before one that would read as an option.
pub fn path_argument(path: &Path) -> String {
    let path = printable(path);
    if path.starts_with('-') { format!("./{path}") } else { path }
}

/// The command line a shell reads back as `words`, each quoted where it
/// needs to be.
pub fn shell_command(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| shlex::try_quote(w).map_or_else(|_| w.clone(), |q| q.into_owned()))
        .collect();
    quoted.join(" ")
}

/// A checked scenario.
#[derive(Debug)]
pub struct ScenarioCheck {
    /// The file, as found.
    pub path: PathBuf,
    /// The scenario's name.
    pub name: String,
    /// The seed it ran with.
    pub seed: u64,
    /// The event cap it ran with (`--max-events`).
    pub max_events: u64,
    /// The `--set KEY=VALUE` it ran with, as typed.
    pub sets: Vec<String>,
    /// The assertions, in file order; empty when the scenario has none (for
    /// the policies checked).
    pub assertions: Vec<Assertion>,
    /// Why the run failed, if it did.
    pub error: Option<String>,
}

impl ScenarioCheck {
    /// The command that checks one policy of this scenario again, with the
    /// same seed.
    pub fn reproduce(&self, policy: &str) -> String {
        let mut words = vec!["cnasim".to_string(), "check".into(), path_argument(&self.path)];
        words.extend(["--seed".to_string(), self.seed.to_string()]);
        words.extend(["--policy".to_string(), policy.to_string()]);
        if self.max_events != crate::scenario::DEFAULT_MAX_EVENTS {
            words.extend(["--max-events".to_string(), self.max_events.to_string()]);
        }
        for set in &self.sets {
            words.extend(["--set".to_string(), set.clone()]);
        }
        shell_command(&words)
    }

    /// How many assertions failed.
    pub fn failures(&self) -> usize {
        self.assertions.iter().filter(|a| !a.passed).count()
    }
}

/// What to check.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Replaces every scenario's seed.
    pub seed: Option<u64>,
    /// Only these policies (and their assertions); empty for all.
    pub policies: Vec<String>,
    /// Replaces the default event cap of each run.
    pub max_events: Option<u64>,
    /// `--set KEY=VALUE` as typed, in order, for reproducing commands.
    pub sets: Vec<String>,
}

/// A file to check that could not be read or is not a valid scenario:
/// nothing of it runs, and it is reported as an error.
#[derive(Clone, Debug)]
pub struct InvalidFile {
    /// The file, as found.
    pub path: PathBuf,
    /// Why, located in the file (as `cnasim validate` says it).
    pub error: ScenarioError,
}

/// A file to check, read and validated, or why not.
pub type Loaded = Result<(PathBuf, World), InvalidFile>;

/// What checking one file gave.
#[derive(Debug)]
pub enum FileCheck {
    /// A valid scenario: its assertions, or why its run stopped.
    Scenario(ScenarioCheck),
    /// A file that could not be read or is not a valid scenario.
    Invalid(InvalidFile),
}

/// Reads and validates each of `files` with `overrides`, in order; one
/// that is not valid does not stop the others.
pub fn load(files: Vec<PathBuf>, overrides: &Overrides) -> Vec<Loaded> {
    files
        .into_iter()
        .map(|path| match scenario::load_with(&path, overrides) {
            Ok(world) => Ok((path, world)),
            Err(error) => Err(InvalidFile { path, error }),
        })
        .collect()
}

/// Checks that every policy asked for exists in at least one valid
/// scenario.
pub fn check_policy_names(files: &[Loaded], names: &[String]) -> Result<(), String> {
    let invalid = files.iter().filter(|f| f.is_err()).count();
    for name in names {
        if !files.iter().flatten().any(|(_, w)| w.policies.iter().any(|p| &p.name == name)) {
            let mut message =
                format!("--policy {name}: no scenario checked runs a policy of that name");
            if invalid > 0 {
                let files = report::plural(invalid, "file", "files");
                message.push_str(&format!(" ({files} not valid, and not looked at)"));
            }
            return Err(message);
        }
    }
    Ok(())
}

/// Checks one loaded file: runs a valid scenario (see [`check_scenario`]);
/// an invalid file is its own result.
pub fn check_file(file: Loaded, options: &CheckOptions) -> FileCheck {
    match file {
        Ok((path, world)) => FileCheck::Scenario(check_scenario(&path, &world, options)),
        Err(invalid) => FileCheck::Invalid(invalid),
    }
}

/// Runs `world` (loaded from `path`) under the policies that `options`
/// selects and evaluates its assertions.
pub fn check_scenario(path: &Path, world: &World, options: &CheckOptions) -> ScenarioCheck {
    let chosen =
        |name: &str| options.policies.is_empty() || options.policies.iter().any(|p| p == name);
    let mut world = world.clone();
    world.policies.retain(|p| chosen(&p.name));
    world.expectations.retain(|e| chosen(&e.policy));
    let mut check = ScenarioCheck {
        path: path.to_path_buf(),
        name: world.name.clone(),
        seed: world.seed,
        max_events: world.max_events,
        sets: options.sets.clone(),
        assertions: Vec::new(),
        error: None,
    };
    if world.policies.is_empty() {
        return check;
    }
    let run = match run_in_memory(&world) {
        Ok(run) => run,
        Err(e) => {
            check.error = Some(e.to_string());
            return check;
        }
    };
    for expectation in &world.expectations {
        let result = run.results.iter().find(|r| r.policy.name == expectation.policy);
        let Some(result) = result else { continue };
        let (actual, passed) = expectation.evaluate(&result.outcome.metrics);
        check.assertions.push(Assertion {
            policy: expectation.policy.clone(),
            metric: expectation.metric,
            bound: expectation.bound,
            actual,
            passed,
            line: expectation.line,
            column: expectation.column,
        });
    }
    check
}
