//! `cnasim sweep` and `--set`: the folder does not depend on `--jobs` or on
//! sharding, every row is what `cnasim run` with the same seed and values
//! gives, values are spliced where they belong with errors located where
//! they came from, and bad input writes nothing.

use cnasim::scenario::{Overrides, Set, parse};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;
use common::{cnasim, entries, stderr, stdout};

/// One mailbox whose syncs take a random time (so seeds matter), under a
/// grid of two intervals and two completions.
const TINY: &str = common::TINY_SWEEP;

/// A temporary folder holding `tiny.yaml` with `text`.
fn scenario(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.yaml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Every file of a folder, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect()
}

/// Runs `cnasim sweep` with `args` and asserts success.
fn sweep(args: &[&str]) -> std::process::Output {
    let mut all = vec!["sweep"];
    all.extend(args);
    let o = cnasim(&all);
    assert!(o.status.success(), "cnasim {all:?}: {}", stderr(&o));
    o
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_folder_is_the_same_whatever_the_number_of_jobs() {
    let (dir, file) = scenario(TINY);
    let mut folders = Vec::new();
    for jobs in ["1", "2", "3"] {
        let out = dir.path().join(format!("jobs-{jobs}"));
        sweep(&[s(&file), "--jobs", jobs, "--out", s(&out)]);
        folders.push(files(&out.join("tiny-sweep.sweep")));
    }
    let names: Vec<&String> = folders[0].keys().collect();
    assert_eq!(
        names,
        [".cnasim-output", "aggregate.csv", "results.csv", "sweep.json", "sweep.png", "sweep.svg"]
    );
    for other in &folders[1..] {
        assert_eq!(
            other.keys().collect::<Vec<_>>(),
            names,
            "the files differ between --jobs values"
        );
        for (name, bytes) in &folders[0] {
            assert!(other.get(name) == Some(bytes), "{name} differs between --jobs values");
        }
    }
    // 4 points x 3 seeds x 2 policies.
    let results = String::from_utf8(folders[0]["results.csv"].clone()).unwrap();
    assert_eq!(results.lines().count(), 1 + 4 * 3 * 2);
}

#[test]
fn shards_merge_into_the_unsharded_folder() {
    let (dir, file) = scenario(TINY);
    let whole = dir.path().join("whole");
    sweep(&[s(&file), "--out", s(&whole)]);
    let shards = dir.path().join("shards");
    let shard_dirs: Vec<PathBuf> = ["1/3", "2/3", "3/3"]
        .iter()
        .map(|shard| {
            let o = sweep(&[s(&file), "--shard", shard, "--out", s(&shards)]);
            assert_eq!(stdout(&o), "", "a shard prints no table");
            shards.join(format!("tiny-sweep.sweep-shard-{}-of-3", &shard[..1]))
        })
        .collect();
    for d in &shard_dirs {
        assert_eq!(entries(d), [".cnasim-output", "results.csv", "sweep.json"], "{}", d.display());
    }
    let merged = dir.path().join("merged");
    let mut args = vec!["--merge"];
    args.extend(shard_dirs.iter().rev().map(|d| s(d)));
    args.extend(["--out", s(&merged)]);
    let o = sweep(&args);
    assert_eq!(files(&merged.join("tiny-sweep.sweep")), files(&whole.join("tiny-sweep.sweep")));
    let o_whole = sweep(&[s(&file), "--out", s(&whole)]);
    assert_eq!(stdout(&o), stdout(&o_whole), "the same table");
}

#[test]
fn merge_refuses_shards_that_do_not_make_the_sweep() {
    let (dir, file) = scenario(TINY);
    let out = dir.path().join("shards");
    for shard in ["1/3", "2/3", "3/3"] {
        sweep(&[s(&file), "--shard", shard, "--out", s(&out)]);
    }
    let shard = |i: u32| out.join(format!("tiny-sweep.sweep-shard-{i}-of-3"));
    // A copy of shard 1, and shards of other sweeps.
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    for (name, bytes) in files(&shard(1)) {
        std::fs::write(copy.join(name), bytes).unwrap();
    }
    let other_grid = dir.path().join("other-grid");
    sweep(&[
        s(&file),
        "--shard",
        "3/3",
        "--set",
        "mailboxes.0.move.complete_at=2016-01-27T00:00:00Z",
        "--out",
        s(&other_grid),
    ]);
    let (other_dir, other_file) = scenario(&TINY.replace("small enough", "little enough"));
    let other_text = other_dir.path().join("out");
    sweep(&[s(&other_file), "--shard", "3/3", "--out", s(&other_text)]);
    let other_seeds = dir.path().join("other-seeds");
    sweep(&[s(&file), "--shard", "3/3", "--seeds", "2", "--out", s(&other_seeds)]);
    let three = |d: &Path| d.join("tiny-sweep.sweep-shard-3-of-3");

    let cases: Vec<(Vec<PathBuf>, &str)> = vec![
        (vec![shard(1), shard(2)], "shard 3/3 is missing"),
        (vec![shard(1), copy.clone(), shard(2), shard(3)], "shard 1/3 is given twice"),
        (vec![shard(1), shard(2), three(&other_grid)], "different sweeps: the grid differs"),
        (
            vec![shard(1), shard(2), three(&other_text)],
            "different sweeps: the scenario file (its hash) differs",
        ),
        (
            vec![shard(1), shard(2), three(&other_seeds)],
            "different sweeps: the number of seeds differs",
        ),
        (vec![shard(1), dir.path().to_path_buf()], "not a sweep shard folder"),
    ];
    for (dirs, expected) in cases {
        let merged = dir.path().join("merged");
        let mut args = vec!["sweep", "--merge"];
        args.extend(dirs.iter().map(|d| s(d)));
        args.extend(["--out", s(&merged)]);
        let o = cnasim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
        assert!(!merged.exists(), "{args:?} wrote something");
    }
    // Rows that are not the shard's own: its sweep.json's hash of them
    // tells.
    let tampered = dir.path().join("tampered");
    std::fs::create_dir(&tampered).unwrap();
    std::fs::write(
        tampered.join("sweep.json"),
        std::fs::read(shard(1).join("sweep.json")).unwrap(),
    )
    .unwrap();
    std::fs::write(
        tampered.join("results.csv"),
        std::fs::read(shard(2).join("results.csv")).unwrap(),
    )
    .unwrap();
    let o = cnasim(&["sweep", "--merge", s(&tampered), s(&shard(2)), s(&shard(3))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not the results.csv shard 1/3 wrote"), "{}", stderr(&o));
}

/// The rows of a results.csv: header names to values.
fn rows(csv: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect())
        .collect()
}

#[test]
fn every_sampled_row_is_what_cnasim_run_gives() {
    let (dir, file) = scenario(TINY);
    let out = dir.path().join("out");
    sweep(&[s(&file), "--out", s(&out)]);
    let results = std::fs::read_to_string(out.join("tiny-sweep.sweep/results.csv")).unwrap();
    let all = rows(&results);
    let keys = ["mailboxes.0.move.incremental_sync_interval", "mailboxes.0.move.complete_at"];
    for run in ["0", "5", "11"] {
        let row = all.iter().find(|r| r["run"] == run).unwrap();
        let mut args =
            vec!["run".to_string(), s(&file).into(), "--seed".into(), row["seed"].clone()];
        for key in keys {
            args.extend(["--set".to_string(), format!("{key}={}", row[key])]);
        }
        args.extend(["--format", "json", "--out"].map(String::from));
        args.push(s(&dir.path().join("runs")).into());
        let o = cnasim(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{}", stderr(&o));
        let summary: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        for row in all.iter().filter(|r| r["run"] == run) {
            let measured = &summary["policies"][&row["policy"]];
            for name in cnasim::model::metrics::METRIC_NAMES {
                let from_run = measured[name].as_f64().unwrap();
                let from_sweep: f64 = row[name].parse().unwrap();
                assert_eq!(from_sweep, from_run, "run {run}, {}, {name}", row["policy"]);
            }
        }
    }
}

#[test]
fn the_table_is_all_that_goes_to_stdout() {
    let (dir, file) = scenario(TINY);
    let out = dir.path().join("out");
    let o = sweep(&[s(&file), "--out", s(&out), "--metric", "sms_sent"]);
    let table = stdout(&o);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "tiny-sweep: sms_sent over 3 seeds (from 7) at 4 grid points, 2 policies");
    assert_eq!(lines[1], "");
    let header: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(
        header,
        [
            "mailboxes.0.move.incremental_sync_interval",
            "mailboxes.0.move.complete_at",
            "policy",
            "mean",
            "p5",
            "p50",
            "p95"
        ]
    );
    assert_eq!(lines.len(), 3 + 4 * 2, "{table}");
    assert!(!table.contains('\r') && !table.contains('\u{1b}'), "{table:?}");
    // stderr is not a terminal here: no progress bar, only the summary line.
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            "wrote {}/ (12 runs, 2 policies) in ",
            out.join("tiny-sweep.sweep").display()
        )),
        "{err:?}"
    );
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
    // The chart names the metric and each policy.
    let svg = std::fs::read_to_string(out.join("tiny-sweep.sweep/sweep.svg")).unwrap();
    for text in ["sms_sent", "policy legacy", "policy fixed", "complete_at=2016-01-26T00:00:00Z"] {
        assert!(svg.contains(text), "the chart lacks {text}");
    }
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let (dir, file) = scenario(TINY);
    let zero_cycle = TINY.replace("sync_duration: { uniform: [1m, 3h] }", "sync_duration: 0");
    let (_zero_dir, zero_file) = scenario(&zero_cycle);
    // The file's own grid has a bad value, which a --set replaces: `cnasim
    // run` reads the file whole, so the sweep refuses it too.
    let bad_value = TINY.replace("interval: [12h, 1d]", "interval: [12h, 200d]");
    let (_bad_value_dir, bad_value_file) = scenario(&bad_value);
    // A grid too large to count (2^64 points) is refused as too large.
    let keys: String = (0..64).map(|i| format!("    k{i}: [1, 2]\n")).collect();
    let huge = TINY.replace("  set:\n", &format!("  set:\n{keys}"));
    let (_huge_dir, huge_file) = scenario(&huge);
    let out = dir.path().join("out");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![s(&file), "--set", "seed=1,2"], "--seed"),
        (vec![s(&file), "--set", "mailboxes.0.move.lock_duration=1m,,2m"], "give a value"),
        (vec![s(&file), "--set", "mailboxes.4.move.lock_duration=1m"], "it has no entry 4"),
        (
            vec![s(&file), "--set", "mailboxes.0.move.lock_duration=1x"],
            "--set mailboxes.0.move.lock_duration=1x: expected a duration",
        ),
        (vec![s(&file), "--set", "mailboxes.0.move={ target: DB02 }"], "overlaps the sweep key"),
        (vec![s(&file), "--shard", "4/3"], "expected I/N"),
        (vec![s(&file), "--metric", "reminders_mised"], "did you mean `reminders_missed`"),
        (vec![s(&file), "--policy", "nope"], "has no policy `nope`"),
        (vec![s(&file), "--jobs", "0"], "--jobs"),
        (vec![s(&file), "--max-events", "10"], "more than --max-events 10"),
        // Each value is valid alone; one combination is not.
        (
            vec![s(&zero_file), "--set", "mailboxes.0.move.incremental_sync_interval=0,1d"],
            "at grid point mailboxes.0.move.incremental_sync_interval=0, mailboxes.0.move.complete_at=2016-01-26T00:00:00Z",
        ),
        (vec!["--merge"], "--merge"),
        (vec!["--merge", s(&file), "--max-events", "5"], "cannot be used with '--max-events"),
        (
            vec![
                s(&file),
                "--set",
                "mailboxes.0.move.lock_duration=1m",
                "--set",
                "mailboxes.0.move.lock_duration=2m",
            ],
            "is given twice",
        ),
        (
            vec![s(&bad_value_file), "--set", "mailboxes.0.move.incremental_sync_interval=12h,1d"],
            "sweep value `200d`",
        ),
        (vec![s(&huge_file)], "this grid has more than 18446744073709551614 points"),
        // Work over the cap is refused before any run.
        (vec![s(&file), "--max-events", "120"], "more than --max-events 120 allows"),
        (vec![s(&file), "--seeds", "1000", "--max-events", "100000"], "over its 4000 runs"),
        (
            vec![s(&file), "--seeds", "100000", "--max-output", "1M"],
            "more than --max-output 1.0 MiB",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["sweep"];
        all.extend(args);
        all.extend(["--out", s(&out)]);
        let o = cnasim(&all);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{all:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{all:?}");
        assert!(entries(&out).is_empty(), "{all:?} wrote {:?}", entries(&out));
    }
}

#[test]
fn run_check_and_validate_accept_set() {
    let (dir, file) = scenario(TINY);
    let set = [
        "--set",
        "mailboxes.0.move.incremental_sync_interval=2d",
        "--set",
        "mailboxes.0.move.lock_duration=1h",
    ];
    let o = cnasim(&[&["validate", s(&file)][..], &set].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("ok "), "{}", stdout(&o));
    let out = dir.path().join("out");
    let o = cnasim(&[&["run", s(&file), "--format", "json", "--out", s(&out)][..], &set].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let with: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let o = cnasim(&["run", s(&file), "--format", "json", "--out", s(&out)]);
    let without: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let moves =
        |v: &serde_json::Value| v["policies"]["legacy"]["move_started_events"].as_u64().unwrap();
    assert!(moves(&with) < moves(&without), "a 2-day interval syncs less often");
    let o = cnasim(&[&["check", s(&file)][..], &set].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A refused path is a usage error for every command.
    for command in ["run", "check", "validate"] {
        let o = cnasim(&[command, s(&file), "--set", "sweep.seeds=3"]);
        assert_eq!(o.status.code(), Some(2), "{command}");
        assert!(stderr(&o).contains("`sweep` cannot be set"), "{command}: {}", stderr(&o));
    }
}

/// The located error of `text` with `sets`.
fn located(text: &str, sets: &[&str]) -> String {
    let sets: Vec<Set> = sets.iter().map(|a| Set::flag(a).unwrap()).collect();
    let overrides = Overrides { sets, ..Overrides::default() };
    match parse(text, "s.yaml", "s", &overrides) {
        Ok(_) => panic!("accepted with {:?}", overrides.sets),
        Err(e) => e.to_string(),
    }
}

#[test]
fn errors_are_located_where_their_text_came_from() {
    // An error inside a spliced value names the --set, with a caret under
    // the bad part.
    let flag = "--set mailboxes.0.move.sync_duration={ uniform: [1m, 5x] }";
    let caret = flag.find("5x").unwrap();
    assert_eq!(
        located(TINY, &[&flag["--set ".len()..]]),
        format!(
            "s.yaml: {flag}: expected a duration such as `90s`, `15m`, `1d 2h 30m`, `500ms` or \
             the .NET form `1.00:00:00`; found `5x` (unknown unit; use ms, s, m, h, d or w)\n  \
             |\n  | {flag}\n  | {}^",
            " ".repeat(caret)
        )
    );
    // A misspelt key is the reader's unknown field, at the --set.
    let typo = located(TINY, &["mailboxes.0.move.lock_duraton=1m"]);
    assert!(typo.starts_with("s.yaml: --set mailboxes.0.move.lock_duraton=1m: unknown field `lock_duraton`, expected one of"), "{typo}");
    // An error elsewhere keeps its line and column, though an inserted key
    // (lock_duration, on a new line before the move's first key) moved it
    // a line down in the text that was read.
    let bad = TINY.replace("  seeds: 3", "  seeds: 0");
    let line = bad.lines().position(|l| l == "  seeds: 0").unwrap() + 1;
    let shown = located(&bad, &["mailboxes.0.move.lock_duration=2m"]);
    assert!(shown.starts_with(&format!("s.yaml:{line}:10: `seeds` must be from 1 to")), "{shown}");
    assert!(shown.contains(&format!("\n{line} |   seeds: 0\n")), "{shown}");
    // Several sets, inserted and replaced, and a new mapping on the way.
    let ok = parse(
        TINY,
        "s.yaml",
        "s",
        &Overrides {
            sets: [
                "mailboxes.0.move.lock_duration=2m",
                "mailboxes.0.user.reaction=3h",
                "mailboxes.0.guid=957ca0a9-f84f-425e-a263-5b468e90d574",
                "databases.1.background.rate_per_hour=10",
            ]
            .iter()
            .map(|a| Set::flag(a).unwrap())
            .collect(),
            ..Overrides::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.mailboxes[0].guid.to_string(), "957ca0a9-f84f-425e-a263-5b468e90d574");
    assert!(ok.databases[1].background.is_some());
    // A text that opens with a byte-order mark takes a new top-level key at
    // the right indent.
    let bom = format!("\u{feff}{TINY}");
    let with_bom = |sets: &[&str]| {
        let sets = sets.iter().map(|a| Set::flag(a).unwrap()).collect();
        parse(&bom, "s.yaml", "s", &Overrides { sets, ..Overrides::default() })
    };
    with_bom(&[]).unwrap_or_else(|e| panic!("{e}"));
    let pop = with_bom(&["population.mailboxes=10"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pop.population.unwrap().mailboxes, 10);
    // A value with a newline keeps the message on one line.
    let two_lines = located(TINY, &["mailboxes.0.move.lock_duration=1x\n2"]);
    assert!(
        two_lines.starts_with("s.yaml: --set mailboxes.0.move.lock_duration=1x\\n2: "),
        "{two_lines}"
    );
}

/// The shipped what-if, on 100 mailboxes and two seeds: under `legacy`,
/// missed reminders fall as the sync interval grows and rise with a later
/// completion; under `fixed`, none is missed anywhere.
#[test]
fn kb_workarounds_shows_the_kb_s_trends() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    sweep(&[
        "scenarios/kb-workarounds.yaml",
        "--seeds",
        "2",
        "--set",
        "population.mailboxes=100",
        "--out",
        s(&out),
    ]);
    let aggregate =
        std::fs::read_to_string(out.join("kb-workarounds.sweep/aggregate.csv")).unwrap();
    let mean = |interval: &str, complete: &str, policy: &str| -> f64 {
        rows(&aggregate)
            .into_iter()
            .find(|r| {
                r["population.moves.incremental_sync_interval"] == interval
                    && r["population.moves.complete_after"] == complete
                    && r["policy"] == policy
                    && r["metric"] == "reminders_missed"
            })
            .unwrap_or_else(|| panic!("no row for {interval} {complete} {policy}"))["mean"]
            .parse()
            .unwrap()
    };
    let intervals = ["12h", "1d", "2d", "7d"];
    let completions = ["7d", "14d", "28d"];
    for c in completions {
        for pair in intervals.windows(2) {
            assert!(mean(pair[1], c, "legacy") < mean(pair[0], c, "legacy"), "{pair:?} at {c}");
        }
        for i in intervals {
            assert_eq!(mean(i, c, "fixed"), 0.0, "{i} {c}");
        }
    }
    for i in intervals {
        for pair in completions.windows(2) {
            assert!(mean(i, pair[0], "legacy") < mean(i, pair[1], "legacy"), "{pair:?} at {i}");
        }
    }
}
