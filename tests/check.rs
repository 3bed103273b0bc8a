//! `cnasim check`: the shipped scenarios pass, a false expectation or a
//! broken policy fails with a command that reproduces it, and the JUnit
//! report says the same.

use std::path::{Path, PathBuf};

mod common;
use common::{cnasim, cnasim_in, scenario_files, shipped_scenarios_folder, stderr, stdout};

fn shipped(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    std::fs::read_to_string(path).unwrap()
}

/// `text` with `from` replaced by `to`, which must occur exactly once.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs the command a `reproduce:` line gives.
fn rerun(command: &str) -> std::process::Output {
    let words = shlex::split(command).expect("a shell command");
    assert_eq!(words[0], "cnasim");
    cnasim(&words[1..].iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn every_shipped_scenario_passes_its_expectations() {
    let mut expected_lines = Vec::new();
    for path in scenario_files() {
        let world = cnasim::scenario::load(&path).unwrap();
        for policy in &world.policies {
            assert!(
                world.expectations.iter().any(|e| e.policy == policy.name),
                "{}: pin what policy `{}` shows with `expect:`",
                path.display(),
                policy.name
            );
        }
        for e in &world.expectations {
            expected_lines.push(format!("{} {} {}", world.name, e.policy, e.metric));
        }
    }
    let shipped_folder = shipped_scenarios_folder();
    let o = cnasim_in(shipped_folder.path(), &["check", "scenarios/"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    let lines: Vec<String> = out
        .lines()
        .filter(|l| l.starts_with("pass "))
        .map(|l| l.split_whitespace().skip(1).take(3).collect::<Vec<_>>().join(" "))
        .collect();
    // One line per assertion, files in sorted order, assertions in file order.
    assert_eq!(lines, expected_lines, "{out}");
    let n = expected_lines.len();
    let files = scenario_files().len();
    assert!(
        out.ends_with(&format!("{files} scenarios: {n} assertions, {n} passed, 0 failed\n")),
        "{out}"
    );
}

#[test]
fn a_false_expectation_fails_with_a_command_that_reproduces_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(&shipped("seed-incident.yaml"), "reminders_missed: 7", "reminders_missed: 6");
    // A path with a space, which the reproducing command must quote.
    let file = write(dir.path(), "my cases/seed.yaml", &text);
    let line = text.lines().position(|l| l.contains("reminders_missed: 6")).unwrap() + 1;
    let o = cnasim(&["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    let fail: Vec<&str> = out.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(fail.len(), 1, "{out}");
    assert!(fail[0].contains("seed-incident  legacy  reminders_missed"), "{out}");
    assert!(fail[0].contains("= 6") && fail[0].contains("actual 7"), "{out}");
    assert!(fail[0].ends_with(&format!("({}:{line}:5)", file.display())), "{out}");
    let reproduce = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("reproduce: "))
        .expect("a reproduce line under the failure");
    assert_eq!(
        shlex::split(reproduce).unwrap()[1..],
        ["check", file.to_str().unwrap(), "--seed", "42", "--policy", "legacy"]
    );
    assert!(out.contains("1 scenario: 13 assertions, 12 passed, 1 failed\n"), "{out}");

    // The command fails the same way, and checks only that policy.
    let again = rerun(reproduce);
    assert_eq!(again.status.code(), Some(1));
    let again = stdout(&again);
    assert!(again.contains(fail[0]), "{again}");
    let checked = again.lines().filter(|l| l.starts_with("pass") || l.starts_with("FAIL"));
    assert!(checked.clone().count() == 6 && checked.clone().all(|l| l.contains(" legacy ")));

    // With --seed, the command carries that seed.
    let o = cnasim(&["check", file.to_str().unwrap(), "--seed", "3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("--seed 3 --policy legacy\n"), "{}", stdout(&o));
}

/// A developer's change to a policy that brings back a lost reminder is
/// caught by the expectations already in the scenario.
#[test]
fn a_broken_policy_fails_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(
        &shipped("policy-comparison.yaml"),
        "  - name: pause-on-finalize-only\n    pause_on_move_started: [finalize]",
        "  - name: pause-on-finalize-only\n    pause_on_move_started: [incremental, finalize]",
    );
    let file = write(dir.path(), "comparison.yaml", &text);
    let o = cnasim(&["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    let fail: Vec<&str> = out.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(!fail.is_empty());
    assert!(fail.iter().all(|l| l.contains(" pause-on-finalize-only ")), "{out}");
    assert!(out.contains("--policy pause-on-finalize-only\n"), "{out}");
}

#[test]
fn junit_reports_every_assertion_reproducibly() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(&shipped("completing-move.yaml"), "reminders_late: 1", "reminders_late: 0");
    let file = write(dir.path(), "completing.yaml", &text);
    let xml_at = |name: &str| dir.path().join("reports").join(name);
    let args = |xml: &Path| {
        ["check", file.to_str().unwrap(), "scenarios/seed-incident.yaml", "--junit"]
            .iter()
            .map(|s| s.to_string())
            .chain([xml.to_str().unwrap().to_string()])
            .collect::<Vec<_>>()
    };
    let run = |xml: &Path| {
        let a = args(xml);
        cnasim(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let o = run(&xml_at("a.xml"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let xml = std::fs::read_to_string(xml_at("a.xml")).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"), "{xml}");
    assert!(xml.contains(r#"tests="23" skipped="0" failures="1" errors="0""#), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 23);
    assert_eq!(xml.matches("<testsuite ").count(), 2);
    assert!(
        xml.contains(r#"<testcase name="reminders_late = 0" classname="completing-move.fixed">"#)
    );
    assert!(xml.contains(
        r#"<failure message="expected reminders_late = 0, actual 1" type="expectation">"#
    ));
    assert!(xml.contains("--seed 7 --policy fixed</failure>"), "{xml}");
    run(&xml_at("b.xml"));
    assert_eq!(xml, std::fs::read_to_string(xml_at("b.xml")).unwrap(), "same input, same bytes");
}

#[test]
fn a_bad_file_is_an_error_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(&shipped("seed-incident.yaml"), "dropouts: 8", "dropout: 8");
    let bad = write(dir.path(), "bad.yaml", &text);
    let line = text.lines().position(|l| l.contains("dropout: 8")).unwrap() + 1;
    let o = cnasim(&["check", "scenarios/completing-move.yaml", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().filter(|l| l.starts_with("pass  completing-move")).count(), 10, "{out}");
    let located = format!("{}:{line}:5: unknown metric `dropout`", bad.display());
    let error = out.lines().find(|l| l.starts_with("error ")).expect("an error line");
    assert!(error.starts_with(&format!("error {located}; did you mean `dropouts`?")), "{out}");
    assert!(out.ends_with("1 scenario: 10 assertions, 10 passed, 0 failed; 1 file not valid\n"));
    // stderr has it as `run` and `validate` say it, with the source line.
    let err = stderr(&o);
    assert!(err.starts_with(&format!("error: {located}")), "{err}");
    assert!(err.contains(&format!("{line} |     dropout: 8\n")), "{err}");
}

/// Two good files and a bad one between them: both good ones run and are
/// reported, in order, in the text and in the JUnit report, which has the
/// bad file as an errored case; the same bytes every time.
#[test]
fn good_files_around_a_bad_one_are_checked_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &shipped("completing-move.yaml"));
    let bad = write(dir.path(), "b.yaml", "name: broken\nstart: tomorrow\n");
    write(dir.path(), "c.yaml", &shipped("seed-incident.yaml"));
    let check = |xml: &Path| {
        cnasim(&["check", dir.path().to_str().unwrap(), "--junit", xml.to_str().unwrap()])
    };
    let xml_at = |name: &str| dir.path().join("reports").join(name);
    let o = check(&xml_at("first.xml"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let out = stdout(&o);
    let mut order: Vec<&str> = out.lines().filter_map(|l| l.split_whitespace().nth(1)).collect();
    order.dedup();
    let bad_line = format!("{}:2:8:", bad.display());
    assert_eq!(order[..3], ["completing-move", bad_line.as_str(), "seed-incident"], "{out}");
    assert!(out.contains(&format!("error {bad_line} expected an RFC 3339 instant")), "{out}");
    assert!(
        out.contains("\n2 scenarios: 23 assertions, 23 passed, 0 failed; 1 file not valid\n"),
        "{out}"
    );
    assert!(stderr(&o).starts_with(&format!("error: {bad_line} expected an RFC 3339")));

    let xml = std::fs::read_to_string(xml_at("first.xml")).unwrap();
    assert!(xml.contains(r#"tests="24" skipped="0" failures="0" errors="1""#), "{xml}");
    let suites: Vec<&str> = xml
        .match_indices("<testsuite name=\"")
        .map(|(i, m)| {
            let rest = &xml[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    let bad_path = bad.to_str().unwrap();
    assert_eq!(suites, ["completing-move", bad_path, "seed-incident"], "{xml}");
    assert!(
        xml.contains(&format!(
            r#"<testcase name="load" classname="{bad_path}">
            <error message="{bad_line} expected an RFC 3339 instant"#
        )),
        "{xml}"
    );
    assert!(xml.contains("2 | start: tomorrow\n  |        ^</error>"), "the caret: {xml}");
    assert_eq!(xml.matches("<testcase ").count(), 24);

    let again = check(&xml_at("second.xml"));
    assert_eq!(stdout(&again), out, "the same lines");
    assert_eq!(std::fs::read_to_string(xml_at("second.xml")).unwrap(), xml, "the same bytes");
}

/// What concerns the whole check stops it before anything runs, and says
/// which files are not valid, since one of them may be why.
#[test]
fn a_policy_no_valid_scenario_runs_stops_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(&shipped("custom-policy.yaml"), "\nstart: ", "\nstart: tomorrow # ");
    let bad = write(dir.path(), "custom.yaml", &text);
    let xml = dir.path().join("report.xml");
    let o = cnasim(&[
        "check",
        "scenarios/completing-move.yaml",
        bad.to_str().unwrap(),
        "--policy",
        "resume-after-move",
        "--junit",
        xml.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "", "nothing ran");
    let err = stderr(&o);
    assert!(err.starts_with(&format!("error: {}:", bad.display())), "{err}");
    assert!(
        err.ends_with(
            "error: --policy resume-after-move: no scenario checked runs a policy of that name \
             (1 file not valid, and not looked at)\n"
        ),
        "{err}"
    );
    let report = std::fs::read_to_string(&xml).unwrap();
    assert!(report.contains(r#"errors="2""#) && report.contains("--policy resume-after-move"));
}

#[test]
fn folders_are_searched_in_a_stable_order() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = |name: &str| {
        edit(&shipped("seed-incident.yaml"), "name: seed-incident", &format!("name: {name}"))
    };
    write(dir.path(), "b.yaml", &scenario("b"));
    write(dir.path(), "a/x.yml", &scenario("a-x"));
    write(dir.path(), "a/notes.txt", "not a scenario");
    write(dir.path(), "sub/c.yaml", &scenario("sub-c"));
    write(dir.path(), ".hidden/h.yaml", "not: even valid");
    write(dir.path(), "sub/.draft.yaml", "not: even valid");
    let root = dir.path().to_str().unwrap();
    let c = dir.path().join("sub/c.yaml");
    let o = cnasim(&["check", root, c.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut names: Vec<String> =
        stdout(&o).lines().filter_map(|l| l.split_whitespace().nth(1)).map(String::from).collect();
    names.dedup();
    assert_eq!(names, ["a-x", "b", "sub-c", "scenarios:"], "{}", stdout(&o));

    let empty = tempfile::tempdir().unwrap();
    let o = cnasim(&["check", empty.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no scenario files (*.yaml, *.yml)"), "{}", stderr(&o));
    let o = cnasim(&["check", "no/such/place"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/place: cannot read"), "{}", stderr(&o));
}

#[test]
fn scenarios_without_expectations_and_policy_filters() {
    let dir = tempfile::tempdir().unwrap();
    let text = shipped("seed-incident.yaml");
    let plain = write(dir.path(), "plain.yaml", &text[..text.find("expect:").unwrap()]);
    let o = cnasim(&["check", plain.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("skip  seed-incident  no expectations"), "{}", stdout(&o));
    assert!(stdout(&o).contains("0 assertions, 0 passed, 0 failed; 1 without expectations"));

    let shipped_folder = shipped_scenarios_folder();
    let o =
        cnasim_in(shipped_folder.path(), &["check", "scenarios/", "--policy", "resume-after-move"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().filter(|l| l.starts_with("pass")).count(), 4, "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("skip")).count(), scenario_files().len() - 1);

    let o = cnasim_in(shipped_folder.path(), &["check", "scenarios/", "--policy", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--policy nope: no scenario checked runs"), "{}", stderr(&o));
}

/// The README's walkthrough "Testing a policy change", step by step: the
/// edit it shows, and the output it quotes.
#[test]
fn the_readme_walkthrough_prints_what_the_readme_shows() {
    let dir = tempfile::tempdir().unwrap();
    let text = shipped("policy-comparison.yaml");
    let text = edit(
        &text,
        "databases:\n",
        "  - name: catch-up-after-move\n    pause_on_move_started: [initial, incremental, finalize]\n    \
         resume_on: [move_succeeded, move_failed]\n    catch_up: true\ndatabases:\n",
    );
    let text = format!(
        "{}\n  catch-up-after-move:\n    reminders_missed: 0\n    reminders_late: 0\n",
        text.trim_end()
    );
    write(dir.path(), "scenarios/policy-comparison.yaml", &text);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cnasim"))
        .args(["check", "scenarios/"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let from = out.find("pass  policy-comparison  catch-up-after-move").expect("its first line");
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains(&out[from..]),
        "update the README's walkthrough with:\n{}",
        &out[from..]
    );
}

#[test]
fn overlapping_paths_check_each_scenario_once() {
    let files = scenario_files().len();
    let shipped_folder = shipped_scenarios_folder();
    let o = cnasim_in(
        shipped_folder.path(),
        &["check", "scenarios", "scenarios/", "./scenarios/seed-incident.yaml"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(&format!("\n{files} scenarios: ")), "{}", stdout(&o));

    let dir = tempfile::tempdir().unwrap();
    let only = write(dir.path(), "only.yaml", &shipped("completing-move.yaml"));
    let o = cnasim(&["check", only.to_str().unwrap(), dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("\n1 scenario: "), "{}", stdout(&o));
}

#[test]
fn a_scenario_that_cannot_run_is_an_error_in_the_report_too() {
    use cnasim::check::{CheckOptions, FileCheck, check_scenario, junit, report};
    // Validation refuses a scenario whose estimate passes the cap, so no
    // valid file reaches it; the run still stops at its share of the cap
    // should an estimate ever fall short, as here, where the cap is
    // lowered past validation.
    let path = Path::new("scenarios/seed-incident.yaml");
    let mut capped = cnasim::scenario::load(path).unwrap();
    capped.max_events = 63;
    let other = Path::new("scenarios/completing-move.yaml");
    let fine = cnasim::scenario::load(other).unwrap();
    let options = CheckOptions::default();
    let checks = vec![
        FileCheck::Scenario(check_scenario(path, &capped, &options)),
        FileCheck::Scenario(check_scenario(other, &fine, &options)),
    ];
    let out: String = checks
        .iter()
        .map(|c| match c {
            FileCheck::Scenario(s) => report::scenario_lines(s),
            FileCheck::Invalid(_) => unreachable!(),
        })
        .collect::<String>()
        + &report::summary(&checks);
    assert!(out.starts_with("error seed-incident  "), "{out}");
    assert!(out.contains("policy `legacy` reached its share of --max-events (31 events)"), "{out}");
    assert!(out.contains("pass  completing-move"), "the other scenario still runs: {out}");
    assert!(out.ends_with("1 scenario could not run\n"), "{out}");
    let xml = junit::render(&checks).unwrap();
    assert!(xml.contains(r#"failures="0" errors="1""#), "{xml}");
    assert!(xml.contains(r#"type="run-error""#), "{xml}");
}

#[test]
fn junit_never_replaces_what_it_should_not_and_never_goes_stale() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", &shipped("completing-move.yaml"));
    let named = write(dir.path(), "s.txt", &shipped("completing-move.yaml"));
    // A file of the user's, named like a report.
    let notes = write(dir.path(), "notes.xml", "<?xml version=\"1.0\"?><notes/>\n");
    let s = scenario.to_str().unwrap();
    for (target, words) in [
        (s, "names a scenario file"),
        (named.to_str().unwrap(), "one of the scenarios to check"),
        (dir.path().to_str().unwrap(), "exists and is not a regular file"),
        (&format!("{}/report.xml", named.display()), "s.txt is not a folder"),
        (notes.to_str().unwrap(), "is not a JUnit report of cnasim check"),
    ] {
        let o = cnasim(&["check", s, named.to_str().unwrap(), "--junit", target]);
        assert_eq!(o.status.code(), Some(2), "{target}");
        assert!(stderr(&o).contains(words), "{}", stderr(&o));
        assert_eq!(stdout(&o), "", "refused before anything runs");
    }
    assert_eq!(std::fs::read_to_string(&scenario).unwrap(), shipped("completing-move.yaml"));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "<?xml version=\"1.0\"?><notes/>\n");

    // A passing report, then a check that cannot start: the report says so.
    let xml = dir.path().join("r.xml");
    let o = cnasim(&["check", s, "--junit", xml.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(std::fs::read_to_string(&xml).unwrap().contains(r#"failures="0" errors="0""#));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&xml).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "readable by others, like the output folder: {mode:o}");
    }
    let bad = write(dir.path(), "bad.yaml", "start: tomorrow\n");
    let o = cnasim(&["check", s, bad.to_str().unwrap(), "--junit", xml.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let report = std::fs::read_to_string(&xml).unwrap();
    assert!(report.contains(r#"errors="1""#) && report.contains("bad.yaml:1:8"), "{report}");
}

#[test]
fn awkward_paths_are_reproduced_safely() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(&shipped("seed-incident.yaml"), "reminders_missed: 7", "reminders_missed: 6");
    write(dir.path(), "-dash.yaml", &text);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cnasim"))
        .args(["check", "--", "-dash.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let reproduce = stdout(&o)
        .lines()
        .find_map(|l| l.trim().strip_prefix("reproduce: ").map(String::from))
        .unwrap();
    assert_eq!(reproduce, "cnasim check ./-dash.yaml --seed 42 --policy legacy");

    // A FIFO named like a scenario is refused, not waited on.
    #[cfg(unix)]
    {
        let fifo = dir.path().join("sub/pipe.yaml");
        std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let o = cnasim(&["check", fifo.parent().unwrap().to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(2));
            assert!(stderr(&o).contains("pipe.yaml: is not a regular file"), "{}", stderr(&o));
        }
    }
}

#[test]
fn a_failure_under_set_reproduces_with_its_set() {
    let o = cnasim(&[
        "check",
        "scenarios/seed-incident.yaml",
        "--set",
        "mailboxes.0.move.incremental_sync_interval=2d",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let command = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("reproduce: cnasim "))
        .unwrap_or_else(|| panic!("no reproducing command:\n{out}"));
    assert!(
        command.ends_with("--set 'mailboxes.0.move.incremental_sync_interval=2d'"),
        "{command}"
    );
    // The command, run as printed, fails the same way.
    let args = shlex::split(command).expect("a shell command");
    let again = cnasim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(again.status.code(), Some(1));
    assert!(stdout(&again).contains("FAIL  seed-incident  legacy  move_started_events"));
}
