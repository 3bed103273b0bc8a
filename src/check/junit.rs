//! `cnasim check --junit FILE`: the results as JUnit XML, which CI systems
//! (GitLab, Jenkins, GitHub test reporters, Azure Pipelines) show natively.
//!
//! One test suite per scenario, one test case per assertion: the class
//! name is `scenario.policy`, the test name the metric and its bound. A
//! failure carries expected, actual, the assertion's location and the
//! reproducing command; a scenario that could not run is one errored case,
//! and so is a file that is not a valid scenario (in a suite named by its
//! path). No timings or timestamps are written, so the file is
//! reproducible.

use super::{FileCheck, InvalidFile, SCENARIO_EXTENSIONS, ScenarioCheck, printable};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::path::{Path, PathBuf};

/// Refuses a report file that would replace something it should not: a
/// scenario (by its extension, or one of the `paths` given), or anything
/// that exists and is not a regular file (a folder, a device, a link).
pub fn check_target(file: &Path, paths: &[PathBuf]) -> Result<(), String> {
    let shown = printable(file);
    let is_scenario =
        file.extension().and_then(|x| x.to_str()).is_some_and(|x| SCENARIO_EXTENSIONS.contains(&x));
    if is_scenario {
        return Err(format!(
            "--junit {shown}: that names a scenario file; write the report to .xml"
        ));
    }
    // A folder on the way that is a file: say so before anything runs.
    let mut ancestor = file.parent();
    while let Some(dir) = ancestor.filter(|d| !d.as_os_str().is_empty()) {
        if dir.exists() {
            if !dir.is_dir() {
                return Err(format!("--junit {shown}: {} is not a folder", printable(dir)));
            }
            break;
        }
        ancestor = dir.parent();
    }
    if let Ok(meta) = std::fs::symlink_metadata(file) {
        if !meta.file_type().is_file() {
            return Err(format!(
                "--junit {shown}: exists and is not a regular file; give a new file or a report \
                 to replace"
            ));
        }
        let target = std::fs::canonicalize(file).ok();
        if paths.iter().any(|p| std::fs::canonicalize(p).ok() == target) {
            return Err(format!("--junit {shown}: that is one of the scenarios to check"));
        }
        if !written_by_check(file) {
            return Err(format!(
                "--junit {shown}: exists and is not a JUnit report of cnasim check; cnasim \
                 replaces only its own reports: give another file, or move this one away"
            ));
        }
    }
    Ok(())
}

/// Whether the file at `path` starts as the reports [`render`] writes do
/// (only its first bytes are read).
fn written_by_check(path: &Path) -> bool {
    use std::io::Read;
    const START: &str =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cnasim check\"";
    let mut start = Vec::with_capacity(START.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(START.len() as u64).read_to_end(&mut start))
        .is_ok_and(|_| start == START.as_bytes())
}

/// A report of a check that could not start: each reason an errored case.
pub fn render_input_errors(errors: &[String]) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("cnasim check");
    let mut suite = TestSuite::new("input");
    for (i, error) in errors.iter().enumerate() {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(error.lines().next().unwrap_or_default()).set_type("bad-input");
        status.set_description(error.as_str());
        let mut case = TestCase::new(format!("input {}", i + 1), status);
        case.set_classname("cnasim.input");
        suite.add_test_case(case);
    }
    report.add_test_suite(suite);
    report.to_string()
}

/// The JUnit XML report of `checks`, one test suite per file, in order.
pub fn render(checks: &[FileCheck]) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("cnasim check");
    for check in checks {
        report.add_test_suite(match check {
            FileCheck::Scenario(check) => scenario_suite(check),
            FileCheck::Invalid(file) => invalid_suite(file),
        });
    }
    report.to_string()
}

/// A file that is not a valid scenario: a suite named by its path with
/// one errored case, whose message is the located error (its first line)
/// and whose text is the whole error with the source line and a caret.
fn invalid_suite(file: &InvalidFile) -> TestSuite {
    let path = printable(&file.path);
    let mut suite = TestSuite::new(path.as_str());
    suite.add_property(Property::new("path", path.as_str()));
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
    let located = super::report::located(file);
    status.set_message(located.lines().next().unwrap_or_default()).set_type("bad-input");
    status.set_description(file.error.to_string());
    let mut case = TestCase::new("load", status);
    case.set_classname(path);
    suite.add_test_case(case);
    suite
}

/// A valid scenario: one case per assertion, or one errored case when its
/// run stopped.
fn scenario_suite(check: &ScenarioCheck) -> TestSuite {
    let mut suite = TestSuite::new(check.name.as_str());
    suite.add_property(Property::new("path", printable(&check.path)));
    suite.add_property(Property::new("seed", check.seed.to_string()));
    if let Some(error) = &check.error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(error.as_str()).set_type("run-error");
        let mut case = TestCase::new("run", status);
        case.set_classname(check.name.as_str());
        suite.add_test_case(case);
    }
    for a in &check.assertions {
        let status = if a.passed {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(format!("expected {} {}, actual {}", a.metric, a.bound, a.actual))
                .set_type("expectation")
                .set_description(format!(
                    "{}:{}:{}\nreproduce: {}",
                    printable(&check.path),
                    a.line,
                    a.column,
                    check.reproduce(&a.policy)
                ));
            status
        };
        let mut case = TestCase::new(format!("{} {}", a.metric, a.bound), status);
        case.set_classname(format!("{}.{}", check.name, a.policy));
        suite.add_test_case(case);
    }
    suite
}
