//! `sms.reconfigure_at`: reconfigurations at the instants a ticket's admin
//! audit log shows, carried out like the reaction rule's. Each scenario's
//! numbers are worked out by hand in the comments.

mod common;
use cnasim::model::record::{Observer, Record};
use cnasim::model::{Plan, simulate};
use cnasim::runner::run_to_folder;
use cnasim::scenario::{Overrides, Set, parse};
use common::{check, cnasim_in, metrics, stderr, world};
use std::collections::BTreeMap;
use std::path::Path;

/// The incident's user under `legacy`: enabled on 1/24, a nightly sync
/// from 1/24 21:00 (each a day after the end of the one before: 21:00,
/// 1/25 21:10, 1/26 21:20, 1/27 21:30), a Standup at 18:00 with its
/// reminder at 17:45, and two reconfigurations from the audit log.
const REPLAY: &str = "\
name: replay
start: 2016-01-24T00:00:00Z
end: 2016-01-28T00:00:00Z
policies: [legacy]
databases: [{ name: DB01 }, { name: DB02 }]
mailboxes:
  - name: Alex Wilber
    database: DB01
    sms:
      enable_at: 2016-01-24T13:15:17Z
      reconfigure_at: [2016-01-25T17:00:00Z, 2016-01-26T17:05:00Z]
    calendar:
      - { subject: Standup, start: 2016-01-24T18:00:00Z, reminder: 15m, repeat: { every: 1d, count: 4 } }
    move: { target: DB02, start: 2016-01-24T21:00:00Z, incremental_sync_interval: 1d, sync_duration: 10m }
";

/// [`REPLAY`] without its reconfigurations.
fn without_reconfigurations() -> String {
    let line = "      reconfigure_at: [2016-01-25T17:00:00Z, 2016-01-26T17:05:00Z]\n";
    assert_eq!(REPLAY.matches(line).count(), 1);
    REPLAY.replace(line, "")
}

/// Every file of a folder, by name.
fn folder_contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect()
}

/// The rows of a CSV file of `files` (header left out) whose fields, split
/// on every comma (quoted ones included), satisfy `keep`.
fn rows(
    files: &BTreeMap<String, Vec<u8>>,
    name: &str,
    keep: impl Fn(&[&str]) -> bool,
) -> Vec<String> {
    let text = std::str::from_utf8(&files[name]).unwrap();
    text.lines()
        .skip(1)
        .filter(|line| keep(&line.split(',').collect::<Vec<_>>()))
        .map(str::to_string)
        .collect()
}

#[test]
fn listed_reconfigurations_resume_what_a_sync_stopped() {
    // 1/24 17:45 on time (enabled at 13:15:17). The 21:00 sync stops the
    // SMS; the user reconfigures at 1/25 17:00, so 17:45 arrives; the 1/25
    // 21:10 sync stops them again until 1/26 17:05, so 1/26 17:45 arrives;
    // after the 1/26 21:20 sync nothing resumes them: 1/27 17:45 is missed.
    // Dropouts: 20h, 19h55m, and 26h40m to the window end.
    let m = metrics(REPLAY);
    check(
        &m,
        "legacy",
        &[
            ("reminders_expected", 4),
            ("reminders_on_time", 3),
            ("reminders_missed", 1),
            ("sms_sent", 3),
            ("user_reconfigurations", 2),
            ("dropouts", 3),
            ("move_started_events", 4),
            // Enable, two reconfigurations, four syncs.
            ("events_processed", 7),
        ],
    );
    assert_eq!(
        m["legacy"].dropout_hours,
        (20.0 * 60.0 + 19.0 * 60.0 + 55.0 + 26.0 * 60.0 + 40.0) / 60.0
    );
    // Without them, only the first reminder arrives.
    check(
        &metrics(&without_reconfigurations()),
        "legacy",
        &[("reminders_on_time", 1), ("reminders_missed", 3), ("user_reconfigurations", 0)],
    );

    let out = tempfile::tempdir().unwrap();
    let run = run_to_folder(&world(REPLAY), out.path()).unwrap();
    let files = folder_contents(&run.folder.unwrap());
    // The audit log has the user's actions at the exact instants.
    let audit: Vec<(String, String)> = rows(&files, "admin_audit.csv", |_| true)
        .iter()
        .map(|row| {
            let fields: Vec<&str> = row.split(',').collect();
            (fields[1].to_string(), fields.last().unwrap().to_string())
        })
        .collect();
    let at = |t: &str, action: &str| (t.to_string(), action.to_string());
    assert_eq!(
        audit,
        [
            at("2016-01-24T13:15:17.000Z", "enable"),
            at("2016-01-25T17:00:00.000Z", "reconfigure"),
            at("2016-01-26T17:05:00.000Z", "reconfigure"),
        ]
    );
    // Each fires the TextMessaging configuration's ObjectModified on the
    // mailbox's database, counters in order among the syncs' events.
    let modified = rows(&files, "database_events.csv", |f| f[4] == "ObjectModified");
    assert_eq!(
        modified
            .iter()
            .map(|r| r.split(',').take(7).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>(),
        [
            "legacy,DB01,1,2016-01-24T13:15:17.000Z,ObjectModified,MAPI_MESSAGE,IPM.Configuration.TextMessaging",
            "legacy,DB01,3,2016-01-25T17:00:00.000Z,ObjectModified,MAPI_MESSAGE,IPM.Configuration.TextMessaging",
            "legacy,DB01,5,2016-01-26T17:05:00.000Z,ObjectModified,MAPI_MESSAGE,IPM.Configuration.TextMessaging",
        ]
    );
    // The reminders sent: the first day's, and one after each reconfiguration.
    let sent: Vec<String> = rows(&files, "message_tracking.csv", |f| f[2] == "SEND")
        .iter()
        .map(|r| r.split(',').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        sent,
        ["2016-01-24T17:45:00.000Z", "2016-01-25T17:45:00.000Z", "2016-01-26T17:45:00.000Z"]
    );
    // Each dropout ends at the reconfiguration that resumed the SMS.
    let dropouts = rows(&files, "dropouts.csv", |_| true);
    assert_eq!(
        dropouts,
        [
            "legacy,Alex Wilber,2016-01-24T21:00:00.000Z,2016-01-25T17:00:00.000Z,20.000000,0",
            "legacy,Alex Wilber,2016-01-25T21:10:00.000Z,2016-01-26T17:05:00.000Z,19.916667,0",
            "legacy,Alex Wilber,2016-01-26T21:20:00.000Z,2016-01-28T00:00:00.000Z,26.666667,1",
        ]
    );

    // A second run writes the same bytes.
    let again = tempfile::tempdir().unwrap();
    let second = run_to_folder(&world(REPLAY), again.path()).unwrap();
    let second = folder_contents(&second.folder.unwrap());
    assert_eq!(files.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    for (name, bytes) in &files {
        assert!(second[name] == *bytes, "{name} differs between two runs");
    }
}

#[test]
fn a_listed_reconfiguration_leaves_the_reaction_rules_pending_one_alone() {
    // N = 1, a 3-hour reaction. Syncs start 07:00, 09:35, 12:10 (10
    // minutes each, 2h25m apart). A (08:55) is missed: at 09:00 the rule
    // schedules a reconfiguration for 12:00. The user reconfigures of
    // their own accord at 09:30; the 09:35 sync stops the SMS again, and
    // B (09:55) is missed. At 10:00 the rule's reconfiguration is still
    // pending, so nothing more is scheduled (had the listed one cleared
    // it, a third would come at 13:00). At 12:00 the rule's is carried
    // out and C (12:04) arrives.
    let yaml = |listed: &str| {
        format!(
            "
start: 2016-01-01T00:00:00Z
end: 2016-01-02T00:00:00Z
policies: [legacy]
databases: [{{ name: DB01 }}, {{ name: DB02 }}]
mailboxes:
  - name: u
    database: DB01
    sms: {{ enable_at: 2016-01-01T06:00:00Z{listed} }}
    user: {{ reconfigure_after_missed: 1, reaction: 3h }}
    calendar:
      - {{ subject: A, start: 2016-01-01T09:00:00Z, reminder: 5m }}
      - {{ subject: B, start: 2016-01-01T10:00:00Z, reminder: 5m }}
      - {{ subject: C, start: 2016-01-01T12:05:00Z, reminder: 1m }}
    move: {{ target: DB02, start: 2016-01-01T07:00:00Z, incremental_sync_interval: 2h25m, sync_duration: 10m }}
"
        )
    };
    let with = yaml(", reconfigure_at: [2016-01-01T09:30:00Z]");
    check(
        &metrics(&with),
        "legacy",
        &[("reminders_on_time", 1), ("reminders_missed", 2), ("user_reconfigurations", 2)],
    );
    // The rule alone: the same misses, one reconfiguration.
    check(
        &metrics(&yaml("")),
        "legacy",
        &[("reminders_on_time", 1), ("reminders_missed", 2), ("user_reconfigurations", 1)],
    );
    // The listed one at 09:30, the rule's at 12:00.
    let out = tempfile::tempdir().unwrap();
    let run = run_to_folder(&world(&with), out.path()).unwrap();
    let files = folder_contents(&run.folder.unwrap());
    let reconfigured: Vec<String> =
        rows(&files, "admin_audit.csv", |f| f.last() == Some(&"reconfigure"))
            .iter()
            .map(|r| r.split(',').nth(1).unwrap().to_string())
            .collect();
    assert_eq!(reconfigured, ["2016-01-01T09:30:00.000Z", "2016-01-01T12:00:00.000Z"]);
}

/// Counts the reconfigurations dropped.
#[derive(Default)]
struct Dropped(Vec<String>);

impl Observer for Dropped {
    fn record(&mut self, record: &Record<'_>) {
        if let Record::ReconfigurationDropped { at, .. } = record {
            self.0.push(at.to_string());
        }
    }
}

#[test]
fn a_listed_reconfiguration_when_the_user_no_longer_wants_sms_is_dropped() {
    // Disabled at 10:00. The listed reconfiguration at 10:00 comes after
    // the disable of the same instant (file order: enable, disable, the
    // list), so the user no longer wants SMS; so does the one at 11:00.
    // The one at 09:00 is carried out.
    let world = world(
        "
start: 2016-01-01T00:00:00Z
end: 2016-01-02T00:00:00Z
policies: [legacy]
databases: [{ name: DB01 }]
mailboxes:
  - name: u
    database: DB01
    sms:
      enable_at: 2016-01-01T06:00:00Z
      disable_at: 2016-01-01T10:00:00Z
      reconfigure_at: [2016-01-01T09:00:00Z, 2016-01-01T10:00:00Z, 2016-01-01T11:00:00Z]
",
    );
    let plan = Plan::build(&world).unwrap();
    let (outcome, dropped) =
        simulate(&world, &plan, &world.policies[0], Dropped::default()).unwrap();
    assert_eq!(outcome.metrics.user_reconfigurations, 1);
    assert_eq!(dropped.0, ["2016-01-01T10:00:00.000Z", "2016-01-01T11:00:00.000Z"]);
    // Enable, one reconfiguration, disable.
    assert_eq!(outcome.metrics.events_processed, 3);
}

#[test]
fn reconfigure_at_can_be_set_from_the_command_line() {
    let value = "[2016-01-25T17:00:00Z, 2016-01-26T17:05:00Z]";
    let flag = format!("mailboxes.0.sms.reconfigure_at={value}");
    let with_set = |text: &str, flag: &str| {
        let overrides = Overrides { sets: vec![Set::flag(flag).unwrap()], ..Overrides::default() };
        parse(text, "s.yaml", "s", &overrides)
    };
    // Added to a block mapping and to a flow one that lack the key, as if
    // written in the file.
    let expected = world(REPLAY).mailboxes[0].sms.clone();
    assert!(expected.as_ref().is_some_and(|s| s.reconfigure_at.len() == 2));
    let block = without_reconfigurations();
    let flow = block.replace(
        "    sms:\n      enable_at: 2016-01-24T13:15:17Z\n",
        "    sms: { enable_at: 2016-01-24T13:15:17Z }\n",
    );
    assert_ne!(flow, block);
    for text in [&block, &flow, &REPLAY.to_string()] {
        let set = with_set(text, &flag).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.mailboxes[0].sms, expected, "{text}");
    }
    // A value that breaks a rule is refused at the --set.
    let Err(e) = with_set(&block, "mailboxes.0.sms.reconfigure_at=[2016-01-24T13:15:17Z]") else {
        panic!("a reconfiguration at enable_at is accepted");
    };
    let e = e.to_string();
    assert!(
        e.starts_with("s.yaml: --set mailboxes.0.sms.reconfigure_at=[2016-01-24T13:15:17Z]: ")
            && e.contains("is not after enable_at"),
        "{e}"
    );
    // And from the command line, with the commas inside the brackets.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("replay.yaml"), &block).unwrap();
    let o = cnasim_in(dir.path(), &["run", "replay.yaml", "--set", &flag, "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let audit = std::fs::read_to_string(dir.path().join("out/replay/admin_audit.csv")).unwrap();
    assert_eq!(audit.lines().filter(|l| l.ends_with(",reconfigure")).count(), 2, "{audit}");
}

#[test]
fn the_estimate_counts_each_listed_reconfiguration() {
    // Each is an action and the event it fires, per policy.
    let with = world(REPLAY).estimate.events;
    let without = world(&without_reconfigurations()).estimate.events;
    assert_eq!(with, without + 4);
    // An empty list costs nothing.
    let empty = REPLAY.replace(
        "reconfigure_at: [2016-01-25T17:00:00Z, 2016-01-26T17:05:00Z]",
        "reconfigure_at: []",
    );
    assert_eq!(world(&empty).estimate.events, without);
    assert!(world(&empty).mailboxes[0].sms.as_ref().unwrap().reconfigure_at.is_empty());
}
