//! `cnasim sweep --merge` takes everything in a shard folder as hostile:
//! real shards of a small sweep are tampered with, one way each, and the
//! merge must exit 2, say which file, where and what, and write nothing
//! (nor delete anything, where a bad name points outside `--out`).

use cnasim::sweep::manifest::hash;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{cnasim, stderr};

/// One mailbox whose syncs take a random time, under a grid of two
/// intervals and two completions, 3 seeds: 12 runs, 2 policies (the
/// scenario of tests/sweep.rs).
const TINY: &str = common::TINY_SWEEP;

const SHARDS: u32 = 3;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The folder name of shard `i`.
fn shard_name(i: u32) -> String {
    format!("tiny-sweep.sweep-shard-{i}-of-{SHARDS}")
}

/// The three shards of TINY, made once per test and copied for each case.
struct Template(tempfile::TempDir);

impl Template {
    fn new() -> Template {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tiny.yaml");
        std::fs::write(&file, TINY).unwrap();
        for i in 1..=SHARDS {
            let shard = format!("{i}/{SHARDS}");
            let out = dir.path().join("shards");
            let o = cnasim(&["sweep", s(&file), "--shard", &shard, "--out", s(&out)]);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        Template(dir)
    }
}

/// A copy of the shards to tamper with, and where the merge writes.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(template: &Template) -> Case {
        let dir = tempfile::tempdir().unwrap();
        for i in 1..=SHARDS {
            let from = template.0.path().join("shards").join(shard_name(i));
            let to = dir.path().join("shards").join(shard_name(i));
            std::fs::create_dir_all(&to).unwrap();
            for name in ["sweep.json", "results.csv"] {
                std::fs::copy(from.join(name), to.join(name)).unwrap();
            }
        }
        Case { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn shard(&self, i: u32) -> PathBuf {
        self.root().join("shards").join(shard_name(i))
    }

    /// Where the merged folder goes: two levels down, so that `..` in a
    /// name stays inside the test's folder.
    fn out(&self) -> PathBuf {
        self.root().join("a").join("out")
    }

    fn manifest(&self, i: u32) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.shard(i).join("sweep.json")).unwrap()).unwrap()
    }

    /// Edits shard `i`'s sweep.json.
    fn edit_manifest(&self, i: u32, edit: impl FnOnce(&mut serde_json::Value)) {
        let mut json = self.manifest(i);
        edit(&mut json);
        let text = serde_json::to_string_pretty(&json).unwrap() + "\n";
        std::fs::write(self.shard(i).join("sweep.json"), text).unwrap();
    }

    /// Edits every shard's sweep.json the same way, so that they still
    /// agree with each other.
    fn edit_manifests(&self, edit: impl Fn(&mut serde_json::Value)) {
        for i in 1..=SHARDS {
            self.edit_manifest(i, &edit);
        }
    }

    /// Shard `i`'s results.csv as lines, without their CRLF.
    fn lines(&self, i: u32) -> Vec<String> {
        let text = std::fs::read_to_string(self.shard(i).join("results.csv")).unwrap();
        text.split_terminator("\r\n").map(String::from).collect()
    }

    /// Writes shard `i`'s results.csv; with `rehash`, its sweep.json's
    /// `rows_hash` too, as one who changed the rows on purpose would (or a
    /// writer with a bug): then only the rows' own checks stand.
    fn write_lines(&self, i: u32, lines: &[String], rehash: bool) {
        let text: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
        std::fs::write(self.shard(i).join("results.csv"), &text).unwrap();
        if rehash {
            self.edit_manifest(i, |m| m["rows_hash"] = hash(text.as_bytes()).into());
        }
    }

    /// Sets the field `column` of line `line` (1 is the header) of shard
    /// `i`'s results.csv to `value`.
    fn set_field(&self, i: u32, line: usize, column: &str, value: &str, rehash: bool) {
        let mut lines = self.lines(i);
        let at = lines[0].split(',').position(|c| c == column).unwrap();
        let mut fields: Vec<String> = lines[line - 1].split(',').map(String::from).collect();
        fields[at] = value.to_string();
        lines[line - 1] = fields.join(",");
        self.write_lines(i, &lines, rehash);
    }

    fn merge(&self) -> Output {
        let shards: Vec<PathBuf> = (1..=SHARDS).map(|i| self.shard(i)).collect();
        let mut args = vec!["sweep", "--merge"];
        args.extend(shards.iter().map(|p| s(p)));
        let out = self.out();
        args.extend(["--out", s(&out)]);
        cnasim(&args)
    }

    /// Merges, and asserts that the merge exits 2 with a message holding
    /// each of `expected`, and wrote nothing.
    fn refused(&self, expected: &[&str]) -> String {
        let o = self.merge();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        for part in expected {
            assert!(err.contains(part), "expected {part:?} in:\n{err}");
        }
        assert!(!self.root().join("a").exists(), "the merge wrote something:\n{err}");
        err
    }
}

/// Shard `i`'s results.csv as messages name it.
fn results_of(case: &Case, i: u32) -> String {
    format!("{}", case.shard(i).join("results.csv").display())
}

/// Shard `i`'s sweep.json as messages name it.
fn manifest_of(case: &Case, i: u32) -> String {
    format!("{}", case.shard(i).join("sweep.json").display())
}

#[test]
fn untampered_shards_merge_and_the_folder_holds_its_rows_hash() {
    let template = Template::new();
    let case = Case::new(&template);
    let o = case.merge();
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = case.out().join("tiny-sweep.sweep");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("sweep.json")).unwrap()).unwrap();
    let results = std::fs::read(folder.join("results.csv")).unwrap();
    assert_eq!(manifest["rows_hash"], hash(&results).as_str());
    assert!(manifest.get("shard").is_none());
    for i in 1..=SHARDS {
        let shard = case.manifest(i);
        let rows = std::fs::read(case.shard(i).join("results.csv")).unwrap();
        assert_eq!(shard["rows_hash"], hash(&rows).as_str(), "shard {i}");
    }
}

#[test]
fn a_scenario_name_that_is_a_path_is_refused_before_any_folder_is_touched() {
    let template = Template::new();
    // The folder each name would have the merge write, read relative to
    // the out folder, holds something of the user's.
    for (name, target) in [("../x", "a/x.sweep"), ("/../../x/important", "x/important.sweep")] {
        let case = Case::new(&template);
        let target = case.root().join(target);
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("mine.txt"), "the user's").unwrap();
        let absolute = Path::new("/x/important.sweep");
        let was_there = absolute.exists();
        case.edit_manifests(|m| m["scenario"] = name.into());
        let o = case.merge();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(&format!(
                "{}: `scenario`: expected a name of 1 to 64 characters from `a-z`, `0-9` and \
                 `-`, not starting with `-`; found `{name}`",
                manifest_of(&case, 1)
            )),
            "{name}: {err}"
        );
        // Nothing written, nothing deleted: the user's folder as it was,
        // alone beside the out folder.
        assert_eq!(std::fs::read_to_string(target.join("mine.txt")).unwrap(), "the user's");
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 1, "{name}");
        let parent = target.parent().unwrap();
        let beside: Vec<_> =
            std::fs::read_dir(parent).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(beside, [target.file_name().unwrap()], "{name}: {}", parent.display());
        assert!(!case.out().exists(), "{name}");
        assert_eq!(absolute.exists(), was_there, "{name}");
    }
}

#[test]
fn every_field_of_the_manifests_is_checked() {
    let template = Template::new();
    type Edit = fn(&mut serde_json::Value);
    let cases: &[(Edit, &str)] = &[
        (|m| m["policies"][1] = "../p".into(), "`policies`: expected a name of 1 to 64"),
        (|m| m["policies"][1] = "Fixed".into(), "found `Fixed`"),
        (|m| m["policies"][1] = "legacy".into(), "`policies`: `legacy` is listed twice"),
        (|m| m["metric"] = "reminders_mised".into(), "did you mean `reminders_missed`"),
        (
            |m| m["grid"][1]["key"] = "mailboxes.0.move..x".into(),
            "grid key: `mailboxes.0.move..x` has an empty part",
        ),
        (|m| m["grid"][1]["key"] = "seed".into(), "grid key: `seed` cannot be set"),
        (
            |m| m["grid"][1]["key"] = "mailboxes.0".into(),
            "grid keys `mailboxes.0` and `mailboxes.0.move.incremental_sync_interval` overlap",
        ),
        (
            |m| m["grid"][0]["values"][0] = "12h\n---\nx".into(),
            "grid key `mailboxes.0.move.incremental_sync_interval`: `12h\\n---\\nx` is not a \
             value as a sweep writes it",
        ),
        (|m| m["grid"][0]["values"][0] = "1\u{1b}[2J".into(), "`1\\u{1b}[2J` is not a value"),
        (|m| m["grid"][0]["values"][0] = "a\tb".into(), "`a\\tb` is not a value"),
        (|m| m["grid"][0]["values"] = serde_json::json!([]), "0 values; a key takes 1 to 1000"),
        (|m| m["grid"][0]["unknown"] = 1.into(), "not a sweep manifest: unknown field `unknown`"),
        (|m| m["shard"]["of"] = 1.into(), "not a sweep manifest: unknown field `of`"),
        (|m| m["version"] = "9.9.9".into(), "`version`: written by cnasim 9.9.9"),
        (|m| m["scenario_hash"] = "fnv1a64:x".into(), "`scenario_hash`: expected `fnv1a64:`"),
        (|m| m["seeds"] = 100_001.into(), "`seeds`: 100001; a sweep runs 1 to 100000"),
        (|m| m["runs"] = 13.into(), "`runs`: 13 is not 4 grid points times 3 seeds"),
        (|m| m["rows_hash"] = "fnv1a64:12".into(), "`rows_hash`: expected `fnv1a64:`"),
    ];
    for (edit, expected) in cases {
        let case = Case::new(&template);
        case.edit_manifests(edit);
        case.refused(&[&format!("{}: ", manifest_of(&case, 1)), expected]);
    }
    // A shard that is not one of its count.
    let case = Case::new(&template);
    case.edit_manifest(2, |m| m["shard"]["index"] = 4.into());
    case.refused(&[&format!("{}: `shard`: 4 of 3", manifest_of(&case, 2))]);
}

#[test]
fn a_million_missing_shards_are_counted_not_listed() {
    // Three shards that claim a split into a million (as a sweep may be
    // split, however few its runs): the refusal names the first missing
    // shards and counts the rest, where it listed all 999,997 (16 MB).
    let template = Template::new();
    let case = Case::new(&template);
    case.edit_manifests(|m| m["shard"]["count"] = 1_000_000.into());
    let err = case.refused(&[
        "shards 4/1000000, 5/1000000, 6/1000000, 7/1000000, 8/1000000, 9/1000000, 10/1000000, \
         11/1000000, 12/1000000, 13/1000000, and 999987 more are missing",
    ]);
    assert!(err.len() < 500, "{} bytes: {err}", err.len());
    // One missing of three is named alone.
    let case = Case::new(&template);
    let o = {
        let shards = [case.shard(1), case.shard(3)];
        let out = case.out();
        cnasim(&["sweep", "--merge", s(&shards[0]), s(&shards[1]), "--out", s(&out)])
    };
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("shard 2/3 is missing\n"), "{}", stderr(&o));
}

#[test]
fn files_larger_than_a_sweep_writes_are_refused_unread() {
    let template = Template::new();
    // Sparse files: nothing is written to disk, or read.
    let case = Case::new(&template);
    let file = std::fs::File::create(case.shard(2).join("sweep.json")).unwrap();
    file.set_len(64 * 1024 * 1024 + 1).unwrap();
    case.refused(&[&format!(
        "{}: 67108865 bytes; a sweep.json that cnasim writes is at most 67108864 bytes",
        manifest_of(&case, 2)
    )]);

    let case = Case::new(&template);
    let file = std::fs::File::create(case.shard(2).join("results.csv")).unwrap();
    file.set_len(1 << 20).unwrap();
    case.refused(&[
        &results_of(&case, 2),
        " is 1048576 bytes; the 8 rows of shard 2/3 take at most ",
        "it is not the file the shard wrote",
    ]);

    // A line longer than any row (the file no larger than the shard's
    // rows may be, and its hash right): refused as it is read, not kept.
    let case = Case::new(&template);
    let mut lines = case.lines(2);
    lines[1] = "x".repeat(6000);
    case.write_lines(2, &lines, true);
    case.refused(&[&results_of(&case, 2), "line 2: longer than any line this sweep writes ("]);
}

#[test]
fn impossible_rows_are_refused_with_their_file_line_and_rule() {
    let template = Template::new();
    // Line 3 of shard 2 is run 1 under fixed: 38 reminders expected, all on
    // time, 38 SMS, one dropout of a minute. A value that is no number of
    // its kind is refused as it is read; metrics that could not have been
    // measured together, with the rule they break.
    let unreadable: &[(&str, &str, &str)] = &[
        ("reminders_late", "-1", "`-1` is not a whole number (reminders_late), which counts are"),
        ("dropout_hours", "-0.5", "`-0.5` is negative (dropout_hours)"),
        ("dropout_hours", "NaN", "`NaN` is not a number (dropout_hours)"),
        ("longest_dropout_hours", "inf", "`inf` is not a number (longest_dropout_hours)"),
    ];
    let impossible: &[(&str, &str, &str)] = &[
        (
            "reminders_on_time",
            "39",
            "reminders_on_time + reminders_late + reminders_missed = 39 + 0 + 0 is not \
             reminders_expected 38",
        ),
        ("reminders_missed", "1", "= 38 + 0 + 1 is not reminders_expected 38"),
        (
            "delivery_ratio",
            "1.5",
            "delivery_ratio 1.5 is not reminders_on_time / reminders_expected = 38 / 38 = 1",
        ),
        ("delivery_ratio", "0.5", "delivery_ratio 0.5 is not reminders_on_time"),
        (
            "longest_dropout_hours",
            "1",
            "longest_dropout_hours 1 is more than dropout_hours 0.016666666666666666",
        ),
        ("dropouts", "0", "no dropouts, yet dropout_hours 0.016666666666666666"),
        (
            "duplicate_sms",
            "1",
            "reminders_on_time + reminders_late + duplicate_sms = 38 + 0 + 1 is more than \
             sms_sent 38",
        ),
    ];
    for (cases, prefix) in
        [(unreadable, ""), (impossible, "run 1 under fixed: impossible metrics: ")]
    {
        for (column, value, expected) in cases {
            let case = Case::new(&template);
            case.set_field(2, 3, column, value, true);
            case.refused(&[&format!("{} line 3: {prefix}", results_of(&case, 2)), expected]);
        }
    }
}

#[test]
fn rows_out_of_order_twice_missing_or_foreign_are_refused() {
    let template = Template::new();
    type Edit = fn(&mut Vec<String>, &[String]);
    // Shard 2 holds runs 1, 4, 7 and 10 (lines 2 to 9), each under legacy
    // then fixed; `other` is shard 1's lines.
    let cases: &[(Edit, &str)] = &[
        (
            |l, _| l.swap(1, 2),
            "line 2: run 1 under fixed, where run 1 under legacy belongs: the rows are out of \
             order or one is missing",
        ),
        (
            |l, _| {
                l.swap(1, 3);
                l.swap(2, 4);
            },
            "line 2: run 4 under legacy, where run 1 under legacy belongs",
        ),
        (
            |l, _| {
                let row = l[1].clone();
                l.insert(2, row);
                l.pop();
            },
            "line 3: run 1 under legacy, where run 1 under fixed belongs: this row is listed \
             twice (first on line 2)",
        ),
        (
            |l, _| {
                let row = l[3].clone();
                l.push(row);
            },
            "line 10: one row too many: shard 2/3 has 8 rows",
        ),
        (
            |l, _| l.truncate(8),
            "the rows end before run 10 under fixed: shard 2/3 has 8 rows, the file 7",
        ),
        (|l, other| l[1] = other[1].clone(), "line 2: run 0 does not belong to shard 2/3"),
        (|l, _| l[1] = l[1].replacen("1,8,", "1,9,", 1), "line 2: run 1 has seed 9, not 8"),
        (
            |l, _| l[1] = l[1].replacen(",12h,", ",1d,", 1),
            "line 2: run 1 has mailboxes.0.move.incremental_sync_interval=1d, not 12h",
        ),
    ];
    for (edit, expected) in cases {
        let case = Case::new(&template);
        let mut lines = case.lines(2);
        edit(&mut lines, &case.lines(1));
        case.write_lines(2, &lines, true);
        case.refused(&[&results_of(&case, 2), expected]);
    }
}

#[test]
fn the_rows_hash_tells_a_results_file_changed_since_it_was_written() {
    let template = Template::new();
    let changed = |case: &Case| {
        format!(
            "{} is not the results.csv shard 2/3 wrote: its bytes hash to fnv1a64:",
            results_of(case, 2)
        )
    };
    let tail = "it was edited, truncated or swapped with another file since";
    // A possible value changed.
    let case = Case::new(&template);
    case.set_field(2, 3, "events_handled", "90", false);
    case.refused(&[&changed(&case), tail]);
    // Truncated: the last row gone.
    let case = Case::new(&template);
    let mut lines = case.lines(2);
    lines.pop();
    case.write_lines(2, &lines, false);
    case.refused(&[&changed(&case), tail]);
    // Swapped with shard 3's.
    let case = Case::new(&template);
    std::fs::copy(case.shard(3).join("results.csv"), case.shard(2).join("results.csv")).unwrap();
    case.refused(&[&changed(&case), tail]);
    // The hash removed: it cannot be checked.
    let case = Case::new(&template);
    case.edit_manifest(2, |m| {
        m.as_object_mut().unwrap().remove("rows_hash");
    });
    case.refused(&[&format!(
        "{}: `rows_hash` is missing: it holds the hash of results.csv",
        manifest_of(&case, 2)
    )]);
}
