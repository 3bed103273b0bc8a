//! Commands whose stdout or stderr cannot be written: `> /dev/full`, a
//! pipe its reader closed (`| head -1`), `2> /dev/full`. Never a panic;
//! the files are written all the same; a closed pipe keeps the command's
//! own exit code, any other failure of stdout exits 2, and a failure of
//! stderr turns only a success into 2 (see `src/console.rs`).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

mod common;

/// Where a command's stdout (or stderr) goes.
#[derive(Clone, Copy, Debug)]
enum Sink {
    /// `/dev/full`: every write fails with ENOSPC.
    Full,
    /// A pipe whose reader reads the first line and goes away.
    ClosedAfterFirstLine,
    /// A pipe whose reader went away before the command started.
    Closed,
}

/// What a command did.
#[derive(Debug)]
struct Ran {
    code: Option<i32>,
    /// What it printed on stderr (empty when stderr went to a sink).
    stderr: String,
    /// The first line it printed, when the reader read one.
    first_line: String,
}

fn dev_full() -> Option<File> {
    match File::options().write(true).open("/dev/full") {
        Ok(f) => Some(f),
        Err(e) => {
            eprintln!("SKIPPED: /dev/full cannot be opened ({e}); not checked");
            None
        }
    }
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cnasim"));
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR")).stdin(Stdio::null());
    c
}

/// Runs `args` with stdout going to `sink` and stderr captured.
fn stdout_to(sink: Sink, args: &[&str]) -> Option<Ran> {
    let mut c = command(args);
    c.stderr(Stdio::piped());
    let mut first_line = String::new();
    let child = match sink {
        Sink::Full => c.stdout(dev_full()?).spawn(),
        Sink::Closed => {
            let (reader, writer) = std::io::pipe().expect("a pipe");
            drop(reader);
            c.stdout(writer).spawn()
        }
        Sink::ClosedAfterFirstLine => {
            let mut child = c.stdout(Stdio::piped()).spawn().expect("the binary runs");
            let mut reader = BufReader::new(child.stdout.take().expect("piped"));
            reader.read_line(&mut first_line).expect("a line");
            drop(reader);
            Ok(child)
        }
    };
    let o = child.expect("the binary runs").wait_with_output().expect("it ends");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    Some(Ran { code: o.status.code(), stderr, first_line })
}

/// Runs `args` with stderr going to `/dev/full` and stdout captured.
fn stderr_to_full(args: &[&str]) -> Option<Ran> {
    let o = command(args).stderr(dev_full()?).output().expect("the binary runs");
    let first_line = String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or("").to_string();
    Some(Ran { code: o.status.code(), stderr: String::new(), first_line })
}

const FULL: &str =
    "error: cannot write to standard output: No space left on device (os error 28)\n";

/// Stdout went to /dev/full: one message, exit 2, no panic.
fn assert_full(ran: &Ran, what: &str) {
    assert_eq!(ran.code, Some(2), "{what}: {ran:?}");
    assert!(!ran.stderr.contains("panicked"), "{what}: {}", ran.stderr);
    assert_eq!(ran.stderr.matches("cannot write to standard output").count(), 1, "{what}: {ran:?}");
    assert!(ran.stderr.contains(FULL), "{what}: {}", ran.stderr);
}

/// Stdout was a closed pipe: exit `code`, no message, no panic.
fn assert_quiet(ran: &Ran, code: i32, what: &str) {
    assert_eq!(ran.code, Some(code), "{what}: {ran:?}");
    assert!(!ran.stderr.contains("panicked"), "{what}: {}", ran.stderr);
    assert!(!ran.stderr.contains("standard output"), "{what}: {}", ran.stderr);
}

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn run_writes_its_folders_whatever_happens_to_stdout_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    // The second scenario takes a while: the reader is gone before it prints.
    let files = ["scenarios/seed-incident.yaml", "scenarios/policy-comparison.yaml"];
    let written = |out: &Path| {
        ["seed-incident", "policy-comparison"]
            .iter()
            .all(|n| out.join(n).join("summary.json").is_file())
    };
    for (i, sink) in [Sink::Full, Sink::ClosedAfterFirstLine, Sink::Closed].into_iter().enumerate()
    {
        let out = dir.path().join(format!("out-{i}"));
        let Some(ran) = stdout_to(sink, &[&["run", "--out", s(&out)][..], &files].concat()) else {
            return;
        };
        match sink {
            Sink::Full => assert_full(&ran, "run > /dev/full"),
            _ => assert_quiet(&ran, 0, &format!("run, stdout {sink:?}")),
        }
        if let Sink::ClosedAfterFirstLine = sink {
            assert!(ran.first_line.starts_with("seed-incident: seed 42, "), "{ran:?}");
        }
        assert!(written(&out), "run, stdout {sink:?}: the folders are written");
        assert!(ran.stderr.contains("wrote "), "{sink:?}: {}", ran.stderr);
    }
    let out = dir.path().join("out-stderr");
    let json = ["run", "--out", s(&out), "--format", "json", "--stats"];
    let Some(ran) = stderr_to_full(&[&json[..], &files].concat()) else { return };
    assert_eq!(ran.code, Some(2), "the `wrote` and --stats lines were lost: {ran:?}");
    assert!(ran.first_line.starts_with('{'), "stdout is still printed: {ran:?}");
    assert!(written(&out));
}

#[test]
fn check_writes_its_junit_report_whatever_happens_to_stdout_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let files = ["scenarios/seed-incident.yaml", "scenarios/policy-comparison.yaml"];
    let report = |xml: &Path| std::fs::read_to_string(xml).unwrap_or_default();
    for (i, sink) in [Sink::Full, Sink::ClosedAfterFirstLine, Sink::Closed].into_iter().enumerate()
    {
        let xml = dir.path().join(format!("check-{i}.xml"));
        let args = [&["check", "--junit", s(&xml)][..], &files].concat();
        let Some(ran) = stdout_to(sink, &args) else { return };
        match sink {
            Sink::Full => assert_full(&ran, "check > /dev/full"),
            _ => assert_quiet(&ran, 0, &format!("check, stdout {sink:?}")),
        }
        let xml = report(&xml);
        assert!(xml.contains(r#"failures="0" errors="0""#), "{sink:?}: {xml}");
        assert_eq!(xml.matches("<testsuite ").count(), 2, "{sink:?}: both scenarios ran");
    }

    // A closed pipe keeps the command's own exit code: 1 for a failed
    // expectation.
    let text = std::fs::read_to_string("scenarios/seed-incident.yaml").unwrap();
    let false_one = dir.path().join("false.yaml");
    std::fs::write(&false_one, text.replacen("reminders_missed: 7", "reminders_missed: 6", 1))
        .unwrap();
    let xml = dir.path().join("false.xml");
    let Some(ran) = stdout_to(Sink::Closed, &["check", s(&false_one), "--junit", s(&xml)]) else {
        return;
    };
    assert_quiet(&ran, 1, "a failing check, stdout closed");
    assert!(report(&xml).contains(r#"failures="1""#), "{}", report(&xml));

    let xml = dir.path().join("stderr.xml");
    let Some(ran) = stderr_to_full(&[&["check", "--junit", s(&xml)][..], &files].concat()) else {
        return;
    };
    assert_eq!(ran.code, Some(2), "the timing line was lost: {ran:?}");
    assert!(ran.first_line.starts_with("pass  seed-incident"), "{ran:?}");
    assert!(report(&xml).contains(r#"failures="0" errors="0""#));
}

#[test]
fn validate_never_panics_on_its_streams() {
    // Generating the second scenario's population takes a while: the
    // reader is gone before its line is printed.
    let files = ["scenarios/seed-incident.yaml", "scenarios/bench/wave-100k.yaml"];
    for sink in [Sink::Full, Sink::ClosedAfterFirstLine, Sink::Closed] {
        let Some(ran) = stdout_to(sink, &[&["validate"][..], &files].concat()) else { return };
        match sink {
            Sink::Full => assert_full(&ran, "validate > /dev/full"),
            _ => assert_quiet(&ran, 0, &format!("validate, stdout {sink:?}")),
        }
    }
    let Some(ran) = stderr_to_full(&["validate", "scenarios/seed-incident.yaml", "missing.yaml"])
    else {
        return;
    };
    assert_eq!(ran.code, Some(2), "a missing file, which could not be said: {ran:?}");
    assert!(ran.first_line.starts_with("ok scenarios/seed-incident.yaml"), "{ran:?}");
}

#[test]
fn sweep_writes_its_folder_whatever_happens_to_stdout_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let written = |out: &Path| out.join("seed-incident.sweep/results.csv").is_file();
    for (i, sink) in [Sink::Full, Sink::Closed].into_iter().enumerate() {
        let out = dir.path().join(format!("out-{i}"));
        let args = ["sweep", "scenarios/seed-incident.yaml", "--seeds", "2", "--out", s(&out)];
        let Some(ran) = stdout_to(sink, &args) else { return };
        match sink {
            Sink::Full => assert_full(&ran, "sweep > /dev/full"),
            _ => assert_quiet(&ran, 0, &format!("sweep, stdout {sink:?}")),
        }
        assert!(written(&out), "sweep, stdout {sink:?}: the folder is written");
    }
    let out = dir.path().join("out-stderr");
    let args = ["sweep", "scenarios/seed-incident.yaml", "--seeds", "2", "--out", s(&out)];
    let Some(ran) = stderr_to_full(&args) else { return };
    assert_eq!(ran.code, Some(2), "the `wrote` line was lost: {ran:?}");
    assert!(written(&out));
}

#[test]
fn schema_never_panics_on_its_streams() {
    let Some(ran) = stdout_to(Sink::Full, &["schema"]) else { return };
    assert_full(&ran, "schema > /dev/full");
    let Some(ran) = stdout_to(Sink::Closed, &["schema"]) else { return };
    assert_quiet(&ran, 0, "schema | (closed)");
    let Some(ran) = stdout_to(Sink::ClosedAfterFirstLine, &["schema"]) else { return };
    assert_quiet(&ran, 0, "schema | head -1");
    assert_eq!(ran.first_line, "{\n");
    let Some(ran) = stderr_to_full(&["schema"]) else { return };
    assert_eq!(ran.code, Some(0), "nothing to say on stderr: {ran:?}");
}

#[test]
fn help_and_usage_errors_never_panic_on_their_streams() {
    let Some(ran) = stdout_to(Sink::Full, &["--help"]) else { return };
    assert_full(&ran, "--help > /dev/full");
    let Some(ran) = stdout_to(Sink::Closed, &["--help"]) else { return };
    assert_quiet(&ran, 0, "--help | (closed)");
    // A usage error goes to stderr; stdout does not matter.
    let Some(ran) = stdout_to(Sink::Full, &["run"]) else { return };
    assert_eq!(ran.code, Some(2), "{ran:?}");
    assert!(ran.stderr.contains("Usage: cnasim run"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("standard output"), "{}", ran.stderr);
    let Some(ran) = stderr_to_full(&["run"]) else { return };
    assert_eq!(ran.code, Some(2), "{ran:?}");
    let Some(ran) = stderr_to_full(&["run", "--format", "xml", "x.yaml"]) else { return };
    assert_eq!(ran.code, Some(2), "{ran:?}");
}
