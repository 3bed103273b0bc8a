//! Every scenario in `scenarios/`: it runs, its numbers hold together, it
//! shows what its description says, and two runs write identical folders.

use cnasim::runner::run_to_folder;
use cnasim::scenario;
use std::collections::BTreeMap;
use std::path::Path;

mod common;
use common::scenario_files;

/// Every file of a folder, by name.
fn folder_contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("output folder")
        .map(|e| {
            let p = e.expect("entry").path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).expect("file"),
            )
        })
        .collect()
}

#[test]
fn every_scenario_runs_twice_to_identical_folders() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    for path in scenario_files() {
        let world = scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!world.description.is_empty(), "{}: say what it shows", path.display());
        let a = run_to_folder(&world, first.path()).unwrap();
        let b = run_to_folder(&scenario::load(&path).unwrap(), second.path()).unwrap();
        let (a, b) = (folder_contents(&a.folder.unwrap()), folder_contents(&b.folder.unwrap()));
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            [
                "admin_audit.csv",
                "assistant_trace.log",
                "database_events.csv",
                "dropouts.csv",
                "message_tracking.csv",
                "report.html",
                "summary.json",
                "timeline.png",
                "timeline.svg",
                "trace.json",
            ]
        );
        for (name, bytes) in &a {
            assert!(b[name] == *bytes, "{}: {name} differs between two runs", path.display());
        }
    }
}

#[test]
fn every_scenario_accounts_for_each_expected_reminder() {
    for path in scenario_files() {
        let world = scenario::load(&path).unwrap();
        let run = cnasim::runner::run_in_memory(&world).unwrap();
        for r in &run.results {
            let m = &r.outcome.metrics;
            assert_eq!(
                m.reminders_on_time + m.reminders_late + m.reminders_missed,
                m.reminders_expected,
                "{} {}",
                path.display(),
                r.policy.name
            );
            assert!(m.sms_sent >= m.reminders_on_time + m.reminders_late + m.duplicate_sms);
            assert!(m.longest_dropout_hours <= m.dropout_hours);
        }
    }
}

fn metrics(file: &str) -> BTreeMap<String, cnasim::model::Metrics> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
    let world = scenario::load(&path).unwrap();
    let run = cnasim::runner::run_in_memory(&world).unwrap();
    run.results.into_iter().map(|r| (r.policy.name, r.outcome.metrics)).collect()
}

#[test]
fn seed_incident_reproduces_the_write_up() {
    let out = tempfile::tempdir().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-incident.yaml");
    let world = scenario::load(&path).unwrap();
    let run = run_to_folder(&world, out.path()).unwrap();
    let events = std::fs::read_to_string(run.folder.unwrap().join("database_events.csv")).unwrap();
    let starts: Vec<&str> = events
        .lines()
        .filter(|l| l.starts_with("legacy,") && l.contains(",MailboxMoveStarted,"))
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    // The seven MailboxMoveStarted rows of the write-up, after the initial sync.
    assert_eq!(
        starts[1..],
        [
            "2016-01-25T21:32:01.000Z",
            "2016-01-26T21:41:10.000Z",
            "2016-01-27T21:44:00.000Z",
            "2016-01-28T21:52:10.000Z",
            "2016-01-29T22:02:30.000Z",
            "2016-01-30T22:03:45.000Z",
            "2016-01-31T22:15:01.000Z",
        ]
    );
    let m = metrics("seed-incident.yaml");
    // A dropout every day under legacy, none under fixed.
    assert_eq!(m["legacy"].dropouts, 8);
    assert!(m["legacy"].reminders_missed >= 7);
    assert!(m["legacy"].longest_dropout_hours > 19.0);
    assert_eq!(m["fixed"].dropouts, 0);
    assert_eq!(m["fixed"].reminders_missed, 0);
    assert_eq!(m["fixed"].delivery_ratio, 1.0);
}

#[test]
fn completing_move_shows_the_lock_and_catch_up() {
    let m = metrics("completing-move.yaml");
    assert_eq!((m["fixed"].reminders_late, m["fixed"].reminders_missed), (1, 0));
    assert_eq!(m["fixed"].longest_dropout_hours, 0.75, "the 45-minute lock");
    assert!(m["legacy"].reminders_missed > 0);
}

#[test]
fn overloaded_dispatcher_falls_behind() {
    let m = metrics("overloaded-dispatcher.yaml");
    for policy in ["legacy", "fixed"] {
        assert!(m[policy].max_backlog > 10_000, "{policy}: {}", m[policy].max_backlog);
        assert!(m[policy].events_processed > 1_000_000);
    }
    // Even `fixed` loses reminders: the late finalization pause outlives the resume.
    assert!(m["fixed"].reminders_missed > 0);
    assert!(m["legacy"].reminders_missed > m["fixed"].reminders_missed);
}

#[test]
fn custom_policy_sits_between_legacy_and_fixed() {
    let m = metrics("custom-policy.yaml");
    let missed = |p: &str| m[p].reminders_missed;
    assert_eq!(missed("fixed"), 0);
    assert!(missed("resume-after-move") > 0);
    assert!(missed("resume-after-move") < missed("legacy"));
}

/// The summary of every scenario, minus the tool's version, against the
/// copy stored in `tests/golden/`. Random draws (Poisson arrivals, drawn
/// sync durations) and float formatting must not drift between machines,
/// Rust versions or dependency updates. After a deliberate change, rerun
/// with `CNASIM_UPDATE_GOLDEN=1` and review the diff.
#[test]
fn summaries_match_the_stored_ones() {
    let update = std::env::var_os("CNASIM_UPDATE_GOLDEN").is_some();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for path in scenario_files() {
        let world = scenario::load(&path).unwrap();
        let run = cnasim::runner::run_in_memory(&world).unwrap();
        let mut summary: serde_json::Value =
            serde_json::from_str(&run.summary(&world).to_json()).unwrap();
        summary.as_object_mut().unwrap().remove("version");
        let text = serde_json::to_string_pretty(&summary).unwrap() + "\n";
        let file = golden.join(format!("{}.summary.json", world.name));
        if update {
            std::fs::write(&file, &text).unwrap();
            continue;
        }
        let stored = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{}: {e}; run with CNASIM_UPDATE_GOLDEN=1", file.display()));
        assert!(stored == text, "{} changed:\n{text}", file.display());
    }
}

/// The files agree with the metrics and show the incident's decisions, so a
/// writer that drops, doubles or garbles rows fails here.
#[test]
fn seed_incident_files_agree_with_its_metrics() {
    let out = tempfile::tempdir().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-incident.yaml");
    let world = scenario::load(&path).unwrap();
    let run = run_to_folder(&world, out.path()).unwrap();
    let folder = run.folder.clone().unwrap();
    let read = |name: &str| std::fs::read_to_string(folder.join(name)).unwrap();
    let rows = |text: &str, policy: &str, needle: &str| {
        text.lines().filter(|l| l.starts_with(policy) && l.contains(needle)).count() as u64
    };
    let m = metrics("seed-incident.yaml");
    let tracking = read("message_tracking.csv");
    let audit = read("admin_audit.csv");
    let trace = read("assistant_trace.log");
    let dropouts = read("dropouts.csv");
    for policy in ["legacy", "fixed"] {
        let quoted = format!("\"{}\"", &policy);
        let p = &m[policy];
        assert_eq!(
            rows(
                &tracking,
                policy,
                ",SEND,AGENT,user1@contoso.com,IMCEAMOBILE-+2B10008675309@contoso.com,"
            ),
            p.sms_sent
        );
        assert_eq!(rows(&tracking, policy, ",RECEIVE,STOREDRIVER,"), p.sms_sent);
        assert_eq!(rows(&audit, policy, ",reconfigure"), p.user_reconfigurations);
        assert_eq!(rows(&audit, policy, ",enable"), 1);
        assert_eq!(rows(&dropouts, policy, ",user1,"), p.dropouts);
        let trace_rows = |needle: &str| {
            trace.lines().filter(|l| l.contains(&quoted) && l.contains(needle)).count() as u64
        };
        assert_eq!(trace_rows("caller: OnReminder"), p.sms_sent);
        assert_eq!(trace_rows("Mask: MailboxMoveStarted"), p.move_started_events);
    }
    let stop_all = trace
        .lines()
        .find(|l| {
            l.starts_with("\"2016/01/25-21:32:01.000\",\"legacy\"") && l.contains("caller: StopAll")
        })
        .expect("the first incremental sync's StopAll under legacy");
    assert!(stop_all.contains("move phase: incremental"), "{stop_all}");
    assert!(trace.contains("Counter: 0x3A0E4C41; MailboxID: 957ca0a9-f84f-425e-a263-5b468e90d574; Mask: MailboxMoveStarted"));
    let ignored = trace
        .lines()
        .filter(|l| l.contains("\"fixed\"") && l.contains("MailboxMoveStarted ignored by policy"))
        .count();
    assert_eq!(ignored, 8, "fixed ignores every sync");
}
