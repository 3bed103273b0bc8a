//! `cnasim import` and `cnasim diagnose` end to end: the scenario imported
//! from a ticket gives back the ticket's MailboxMoveStarted times when run,
//! its `expect:` holds under `legacy`, a run's own output folder round-trips,
//! and the user's files are never replaced.

mod common;

use common::{cnasim, cnasim_in, diagnose_json, move_started, stderr, stdout};
use std::path::{Path, PathBuf};

/// The MailboxMoveStarted times tests/evidence/expected.json lists for a
/// corpus file (`2016-01-25T21:32:01Z`).
fn expected_move_started(file: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evidence/expected.json");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    expected["files"][file]["move_started"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

fn corpus(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evidence").join(file).display().to_string()
}

/// Imports `evidence` into DIR/name.yaml and runs it into DIR/out.
fn import_and_run(dir: &Path, name: &str, evidence: &[&str]) -> PathBuf {
    let file = dir.join(format!("{name}.yaml"));
    let mut args = vec!["import"];
    args.extend(evidence);
    let out = file.display().to_string();
    args.extend(["--out", &out]);
    let o = cnasim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("reproduced to the millisecond"), "{}", stdout(&o));
    let run = cnasim_in(dir, &["check", &out]);
    assert!(
        run.status.success(),
        "the imported expect: must hold\n{}\n{}",
        stdout(&run),
        stderr(&run)
    );
    let run = cnasim_in(dir, &["run", &out, "--out", "out"]);
    assert!(run.status.success(), "{}", stderr(&run));
    dir.join("out").join(name)
}

const WRITEUP_TABLE: [(&str, &str); 7] = [
    ("974015558", "2016-01-25T21:32:01.000Z"),
    ("974015559", "2016-01-26T21:41:10.000Z"),
    ("974015560", "2016-01-27T21:44:00.000Z"),
    ("974015561", "2016-01-28T21:52:10.000Z"),
    ("974015562", "2016-01-29T22:02:30.000Z"),
    ("974015563", "2016-01-30T22:03:45.000Z"),
    ("974015564", "2016-01-31T22:15:01.000Z"),
];

#[test]
fn the_write_ups_tables_import_to_a_scenario_giving_back_their_seven_times() {
    for file in [
        "writeup-ticket.txt",
        "writeup-flattened.txt",
        "writeup-events-ft.txt",
        "writeup-events.csv",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let folder = import_and_run(dir.path(), "writeup", &[&corpus(file)]);
        for policy in ["legacy", "fixed"] {
            let got = move_started(&folder, policy);
            let want: Vec<(String, String)> =
                WRITEUP_TABLE.iter().map(|(c, t)| (c.to_string(), t.to_string())).collect();
            // The first counter is the table's; the scenario has no
            // background events, so the others follow it.
            assert_eq!(got, want, "{file} under {policy}");
        }
    }
}

#[test]
fn the_kb_pattern_ticket_reproduces_its_sms_under_legacy_and_none_are_lost_under_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let folder = import_and_run(dir.path(), "kb", &[&corpus("kb-pattern-ticket.txt")]);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("summary.json")).unwrap())
            .unwrap();
    let metric = |p: &str, m: &str| summary["policies"][p][m].as_u64().unwrap();
    // The ticket's message tracking holds 10 SMS; six daily 16:15 ones are missing.
    assert_eq!(metric("legacy", "sms_sent"), 10);
    assert_eq!(metric("legacy", "reminders_missed"), 6);
    assert_eq!(metric("legacy", "user_reconfigurations"), 6);
    assert_eq!(metric("fixed", "reminders_missed"), 0);
    assert_eq!(metric("fixed", "sms_sent"), 16);
    let times: Vec<String> = move_started(&folder, "legacy")
        .into_iter()
        .map(|(_, t)| t[..19].to_string() + "Z")
        .collect();
    let want = expected_move_started("kb-pattern-ticket.txt");
    assert_eq!(times, want);
}

#[test]
fn a_runs_own_output_folder_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-incident.yaml");
    let o = cnasim_in(dir.path(), &["run", &scenario.display().to_string(), "--out", "first"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let first = dir.path().join("first/seed-incident");
    // Its files hold two policies' rows: the user must choose.
    let o = cnasim(&["diagnose", &first.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("choose one with --policy"), "{}", stderr(&o));
    let json = diagnose_json(&[&first.display().to_string(), "--policy", "legacy"]);
    assert_eq!(json["mailboxes"][0]["verdict"], "kb3200823");
    assert_eq!(json["mailboxes"][0]["silences_after_move"], 7);
    let json = diagnose_json(&[&first.display().to_string(), "--policy", "fixed"]);
    assert_eq!(json["mailboxes"][0]["verdict"], "not-kb3200823");

    let file = dir.path().join("again.yaml").display().to_string();
    let o = cnasim(&["import", &first.display().to_string(), "--policy", "legacy", "--out", &file]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cnasim_in(dir.path(), &["run", &file, "--out", "second"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again = dir.path().join("second/again");
    assert_eq!(
        move_started(&again, "legacy"),
        move_started(&first, "legacy"),
        "counters and times"
    );
}

#[test]
fn import_never_replaces_a_file_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("notes.yaml");
    std::fs::write(&mine, "my notes\n").unwrap();
    let o =
        cnasim(&["import", &corpus("writeup-ticket.txt"), "--out", &mine.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did not write it"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my notes\n");
    // Its own earlier file it replaces.
    let ours = dir.path().join("t.yaml").display().to_string();
    for _ in 0..2 {
        let o = cnasim(&["import", &corpus("writeup-ticket.txt"), "--out", &ours]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(common::entries(dir.path()), ["notes.yaml", "t.yaml"]);
}

#[test]
fn bad_evidence_exits_2_naming_file_and_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.yaml").display().to_string();
    for (file, line) in [
        ("bad-events-time.txt", ":7:"),
        ("bad-binary.bin", ":1:"),
        ("bad-csv-ragged.csv", ":4:"),
        ("msgtrk-string-array.csv", ":3:"),
    ] {
        for command in ["diagnose", "import"] {
            let corpus_file = corpus(file);
            let mut args = vec![command, &corpus_file];
            if command == "import" {
                args.extend(["--out", &out]);
            }
            let o = cnasim(&args);
            assert_eq!(o.status.code(), Some(2), "{command} {file}");
            assert!(
                stderr(&o).contains(&format!("{file}{line}")),
                "{command} {file}: {}",
                stderr(&o)
            );
        }
    }
    let o = cnasim(&["diagnose", &corpus("writeup-ticket.txt"), "--time-zone", "Mars/Olympus"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("IANA"), "{}", stderr(&o));
    // Evidence without a move cannot be imported.
    let o = cnasim(&["import", &corpus("writeup-audit.txt"), "--out", &out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no MailboxMoveStarted"), "{}", stderr(&o));
    assert!(common::entries(dir.path()).is_empty());
}

#[test]
fn times_without_a_zone_are_read_in_the_named_zone() {
    let json =
        diagnose_json(&[&corpus("events-local-pacific.txt"), "--time-zone", "America/Los_Angeles"]);
    assert_eq!(json["time_zone"], "America/Los_Angeles");
    // The local 2:30 PM moves, in UTC: PST (UTC-8) before 13 March, PDT after.
    let times: Vec<&str> = json["mailboxes"][0]["move_started"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["time"].as_str().unwrap())
        .collect();
    let want: Vec<String> = expected_move_started("events-local-pacific.txt")
        .iter()
        .map(|t| format!("{}.000Z", &t[..19]))
        .collect();
    assert_eq!(times, want);
    let text = cnasim(&[
        "diagnose",
        &corpus("events-local-pacific.txt"),
        "--time-zone",
        "America/Los_Angeles",
    ]);
    assert!(stdout(&text).contains("read as America/Los_Angeles"), "{}", stdout(&text));
}

#[test]
fn assume_daily_shows_what_the_write_ups_user_lost_as_the_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ticket.yaml").display().to_string();
    let o = cnasim(&["import", &corpus("writeup-ticket.txt"), "--assume-daily", "--out", &file]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cnasim_in(dir.path(), &["run", &file, "--format", "json", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let metric = |p: &str, m: &str| summary["policies"][p][m].as_u64().unwrap();
    // The README's walk-through table.
    assert_eq!(summary["scenario"], "ticket");
    assert_eq!(metric("legacy", "reminders_expected"), 161);
    assert_eq!(metric("legacy", "reminders_on_time"), 133);
    assert_eq!(metric("legacy", "reminders_missed"), 28);
    assert_eq!(metric("fixed", "reminders_missed"), 0);
    assert_eq!(metric("fixed", "move_started_events"), 7);
}

/// Every evidence file with a move imports to a scenario whose own
/// `expect:` holds: later evidence stops the move instead of adding syncs,
/// and a missed SMS counts once, inside the window.
#[test]
fn every_evidence_file_with_a_move_imports_to_a_scenario_that_passes_its_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evidence");
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [root.clone(), root.join("review")] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_file()
                && !p.to_string_lossy().contains("bad-")
                && p.extension().is_some_and(|x| x != "json" && x != "md")
            {
                files.push(p);
            }
        }
    }
    files.sort();
    let must_import = [
        "later-sms.txt",
        "two.txt",
        "stopped-ticket.txt",
        "kb-pattern-ticket.txt",
        "writeup-ticket.txt",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut imported = 0;
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let out = dir.path().join(format!("{}.yaml", imported)).display().to_string();
        let zone = if name.contains("pacific") || name.starts_with("dst") {
            "America/Los_Angeles"
        } else {
            "UTC"
        };
        let o = cnasim(&["import", &f.display().to_string(), "--out", &out, "--time-zone", zone]);
        if !o.status.success() {
            assert!(!must_import.contains(&name.as_str()), "{name}: {}", stderr(&o));
            assert_eq!(o.status.code(), Some(2), "{name}");
            continue;
        }
        let check = cnasim(&["check", &out]);
        assert!(check.status.success(), "{name}: {}", stdout(&check));
        imported += 1;
    }
    assert!(imported >= 12, "only {imported} files imported");
}

/// The README's "From a ticket" shows diagnose's output on the write-up's
/// tables: every line it quotes (not the `...` it leaves out) is printed.
#[test]
fn the_readmes_diagnose_excerpt_is_what_diagnose_prints() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = "$ cnasim diagnose tests/evidence/writeup-ticket.txt\n";
    let from = readme.find(start).expect("the excerpt") + start.len();
    let excerpt = &readme[from..from + readme[from..].find("```").unwrap()];
    let o = cnasim(&["diagnose", "tests/evidence/writeup-ticket.txt"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = stdout(&o);
    let quoted: Vec<&str> = excerpt.lines().filter(|l| l.trim() != "...").collect();
    assert!(quoted.len() >= 10, "{excerpt}");
    for line in quoted {
        assert!(printed.lines().any(|p| p == line), "README line not printed: {line}\n{printed}");
    }
}
