//! The corpus of bad scenario files in `tests/bad_inputs/`: one file per
//! class of bad input, each refused with exit code 2 and a message that
//! names the file, the line and column where there is one, and what was
//! expected. The exact message of each is an insta snapshot in
//! `tests/snapshots/bad_inputs/`; after a deliberate change of wording, run
//! `INSTA_UPDATE=always cargo test --test bad_inputs` and review the diff.

use cnasim::output::summary::VERSION;
use std::path::{Path, PathBuf};

mod common;
use common::{cnasim, stderr, stdout};

const CORPUS: &str = "tests/bad_inputs";

/// Every class the corpus must hold, by file stem.
const CLASSES: &[&str] = &[
    // Whole files.
    "empty",
    "comments-only",
    "garbage-bytes",
    "invalid-utf8",
    "not-a-mapping",
    "two-documents",
    // YAML syntax.
    "syntax-unclosed-flow",
    "syntax-bad-indentation",
    "syntax-tab-indentation",
    "duplicate-key",
    // Keys and types.
    "unknown-key",
    "unknown-nested-key",
    "wrong-type-seed",
    "wrong-type-databases",
    "wrong-type-calendar",
    "missing-start",
    "missing-databases",
    "missing-mailbox-database",
    "boolean-yes",
    "number-too-large",
    "infinite-rate",
    // Durations and instants.
    "bad-duration",
    "negative-duration",
    "negative-sync-interval",
    "bad-instant",
    "instant-without-zone",
    "negative-instant",
    "five-digit-year",
    "instant-out-of-range",
    "window-too-long",
    "end-before-start",
    // References and names.
    "unknown-database",
    "unknown-move-target",
    "unknown-policy",
    "unknown-expect-policy",
    "unknown-expect-metric",
    "duplicate-database",
    "duplicate-policy",
    "scenario-name-path",
    "scenario-name-upper",
    "bad-phone",
    "bad-guid",
    // The model's rules.
    "move-to-own-database",
    "zero-time-sync-cycle",
    "counter-start-too-large",
    "counter-overflow",
    // Limits.
    "too-many-events",
    "too-many-reminders",
    "alias-bomb",
    "deep-nesting",
    "deep-nesting-block",
    "population-trillion",
    "population-too-large-to-build",
    // Text.
    "subject-control-character",
    "subject-too-long",
    "description-escape",
    "domain-bidi-override",
    // YAML tags.
    "tag-binary",
    "tag-python-name",
    "tag-local",
    // The sweep key.
    "sweep-unknown-metric",
    "sweep-empty-values",
    "sweep-bad-path",
    "sweep-invalid-value",
    "sweep-seed-key",
];

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn the_corpus_has_every_class_and_nothing_unlisted() {
    let stems: Vec<String> = corpus().iter().map(|p| stem(p)).collect();
    for class in CLASSES {
        assert!(stems.iter().any(|s| s == class), "no {CORPUS}/{class}.yaml");
    }
    for s in &stems {
        assert!(CLASSES.contains(&s.as_str()), "{s}.yaml is not listed in CLASSES");
    }
}

#[test]
fn every_bad_input_is_refused_with_its_snapshot_message() {
    for path in corpus() {
        let shown = path.to_str().unwrap();
        let o = cnasim(&["validate", shown]);
        assert_eq!(o.status.code(), Some(2), "{shown}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{shown}");
        let message = stderr(&o);
        assert!(message.starts_with(&format!("error: {shown}")), "{message}");
        let message = message.replace(VERSION, "[version]");
        insta::with_settings!({
            snapshot_path => "snapshots/bad_inputs",
            prepend_module_to_snapshot => false,
            input_file => &path,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(stem(&path), format!("exit code: 2\n{message}"));
        });
    }
}

#[test]
fn run_and_check_refuse_them_the_same_way_and_write_nothing() {
    let out = tempfile::tempdir().unwrap();
    let junit = out.path().join("junit.xml");
    for path in corpus() {
        let shown = path.to_str().unwrap();
        let validate = stderr(&cnasim(&["validate", shown]));
        let o = cnasim(&["run", shown, "--out", out.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{shown}");
        assert_eq!(stderr(&o), validate, "{shown}");
        let o = cnasim(&["check", shown, "--junit", junit.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{shown}");
        assert_eq!(stderr(&o), validate, "{shown}");
    }
    // Only the JUnit report (which says why nothing ran) was written.
    let left: Vec<_> =
        std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["junit.xml"]);
}

#[test]
fn a_file_far_over_the_size_limit_is_refused_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    // 100 MB, sparse: nothing is written to disk.
    std::fs::File::create(&path).unwrap().set_len(100_000_000).unwrap();
    let o = cnasim(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "error: {}: is 100000000 bytes; scenario files are limited to 16777216 bytes\n",
            path.display()
        )
    );
}
