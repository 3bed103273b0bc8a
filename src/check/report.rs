//! What `cnasim check` prints: one line per assertion, a reproducing
//! command under each failure, an `error` line per file that is not valid,
//! and a summary.

use super::{FileCheck, InvalidFile, ScenarioCheck};
use std::fmt::Write;

/// The lines of one checked file: [`scenario_lines`] or [`invalid_line`].
pub fn file_lines(check: &FileCheck) -> String {
    match check {
        FileCheck::Scenario(check) => scenario_lines(check),
        FileCheck::Invalid(file) => invalid_line(file),
    }
}

/// The line of a file that is not a valid scenario: `error`, then the
/// file, line and column and what is wrong (the source line with a caret
/// is on stderr, and in the JUnit report); a message of several lines
/// continues indented.
pub fn invalid_line(file: &InvalidFile) -> String {
    format!("error {}\n", located(file).replace('\n', "\n      "))
}

/// `path:line:column: message` of an invalid file (`path: message` when
/// the error concerns the whole file), the path printable.
pub fn located(file: &InvalidFile) -> String {
    let e = &file.error;
    let path = super::printable(&file.path);
    if e.line == 0 {
        format!("{path}: {}", e.message)
    } else {
        format!("{path}:{}:{}: {}", e.line, e.column, e.message)
    }
}

/// The lines of one checked scenario, each ending in a newline: one per
/// assertion (`pass` or `FAIL`, scenario, policy, metric, expected,
/// actual), a `reproduce:` line under each failure, or a single `skip` or
/// `error` line.
pub fn scenario_lines(check: &ScenarioCheck) -> String {
    let mut out = String::new();
    let path = super::printable(&check.path);
    if let Some(error) = &check.error {
        let _ = writeln!(out, "error {}  {path}: {error}", check.name);
        return out;
    }
    if check.assertions.is_empty() {
        let _ = writeln!(
            out,
            "skip  {}  no expectations for the policies checked ({path})",
            check.name
        );
        return out;
    }
    let width =
        |f: fn(&super::Assertion) -> usize| check.assertions.iter().map(f).max().unwrap_or(0);
    let policy_w = width(|a| a.policy.len());
    let metric_w = width(|a| a.metric.len());
    let bound_w = width(|a| a.bound.to_string().len());
    for a in &check.assertions {
        let status = if a.passed { "pass" } else { "FAIL" };
        let mut line = format!(
            "{status}  {}  {:policy_w$}  {:metric_w$}  {:bound_w$}  actual {}",
            check.name,
            a.policy,
            a.metric,
            a.bound.to_string(),
            a.actual
        );
        if !a.passed {
            let _ = write!(line, "  ({path}:{}:{})", a.line, a.column);
        }
        let _ = writeln!(out, "{}", line.trim_end());
        if !a.passed {
            let _ = writeln!(out, "      reproduce: {}", check.reproduce(&a.policy));
        }
    }
    out
}

/// Counts over every file checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Valid scenarios checked.
    pub scenarios: usize,
    /// Files that could not be read or are not valid scenarios.
    pub invalid: usize,
    /// Assertions evaluated.
    pub assertions: usize,
    /// Assertions that failed.
    pub failed: usize,
    /// Scenarios with no assertion for the policies checked.
    pub without_expectations: usize,
    /// Scenarios whose run stopped with an error.
    pub errors: usize,
}

impl Totals {
    /// The totals of `checks`.
    pub fn of(checks: &[FileCheck]) -> Totals {
        let mut t = Totals::default();
        for c in checks {
            let c = match c {
                FileCheck::Scenario(c) => c,
                FileCheck::Invalid(_) => {
                    t.invalid += 1;
                    continue;
                }
            };
            t.scenarios += 1;
            t.assertions += c.assertions.len();
            t.failed += c.failures();
            t.errors += usize::from(c.error.is_some());
            t.without_expectations += usize::from(c.error.is_none() && c.assertions.is_empty());
        }
        t
    }
}

/// `1 policy`, `2 policies`: a count with its noun.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The summary printed after every scenario: counts, then the command
/// that reproduces each failing scenario and policy.
pub fn summary(checks: &[FileCheck]) -> String {
    let t = Totals::of(checks);
    let mut out = format!(
        "{}: {}, {} passed, {} failed",
        plural(t.scenarios, "scenario", "scenarios"),
        plural(t.assertions, "assertion", "assertions"),
        t.assertions - t.failed,
        t.failed
    );
    if t.without_expectations > 0 {
        let _ = write!(out, "; {} without expectations", t.without_expectations);
    }
    if t.errors > 0 {
        let _ = write!(out, "; {} could not run", plural(t.errors, "scenario", "scenarios"));
    }
    if t.invalid > 0 {
        let _ = write!(out, "; {} not valid", plural(t.invalid, "file", "files"));
    }
    out.push('\n');
    let mut commands: Vec<String> = Vec::new();
    let scenarios = checks.iter().filter_map(|c| match c {
        FileCheck::Scenario(c) => Some(c),
        FileCheck::Invalid(_) => None,
    });
    for c in scenarios {
        for a in c.assertions.iter().filter(|a| !a.passed) {
            let command = c.reproduce(&a.policy);
            if !commands.contains(&command) {
                commands.push(command);
            }
        }
    }
    if !commands.is_empty() {
        out.push_str("to reproduce a failure:\n");
        for command in commands {
            let _ = writeln!(out, "  {command}");
        }
    }
    out
}
