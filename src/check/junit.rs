//! `cnasim check --junit FILE`: the results as JUnit XML, which CI systems
//! (GitLab, Jenkins, GitHub test reporters, Azure Pipelines) show natively.
//!
//! One test suite per scenario, one test case per assertion: the class
//! name is `scenario.policy`, the test name the metric and its bound. A
//! failure carries expected, actual, the assertion's location and the
//! reproducing command; a scenario that could not run is one errored case.
//! No timings or timestamps are written, so the file is reproducible.

use super::ScenarioCheck;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

/// The JUnit XML report of `checks`.
pub fn render(checks: &[ScenarioCheck]) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("cnasim check");
    for check in checks {
        let mut suite = TestSuite::new(check.name.as_str());
        suite.add_property(Property::new("path", check.path.display().to_string()));
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
                        check.path.display(),
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
        report.add_test_suite(suite);
    }
    report.to_string()
}
