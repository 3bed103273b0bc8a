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
                ".cnasim-output",
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

#[test]
fn the_estimate_made_before_each_run_is_close_to_what_it_handles() {
    for path in scenario_files() {
        let world = scenario::load(&path).unwrap();
        let run = cnasim::runner::run_in_memory(&world).unwrap();
        for r in &run.results {
            let (handled, estimate) = (r.outcome.events_handled, world.estimate.events);
            // An upper estimate, user reconfigurations included, but not
            // a wild one.
            let name = format!(
                "{} {}: handled {handled}, estimated {estimate}",
                world.name, r.policy.name
            );
            assert!(handled <= estimate, "{name}");
            assert!(estimate <= 3 * handled + 50, "{name}");
        }
    }
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
    let m: BTreeMap<&str, &cnasim::model::Metrics> =
        run.results.iter().map(|r| (r.policy.name.as_str(), &r.outcome.metrics)).collect();
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
