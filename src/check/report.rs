//! What `cnasim check` prints: one line per assertion, a reproducing
//! command under each failure, and a summary.

use super::ScenarioCheck;
use std::fmt::Write;

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

/// Counts over every scenario checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Scenarios checked.
    pub scenarios: usize,
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
    pub fn of(checks: &[ScenarioCheck]) -> Totals {
        let mut t = Totals { scenarios: checks.len(), ..Totals::default() };
        for c in checks {
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
pub fn summary(checks: &[ScenarioCheck]) -> String {
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
    out.push('\n');
    let mut commands: Vec<String> = Vec::new();
    for c in checks {
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
