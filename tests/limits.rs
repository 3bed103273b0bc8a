//! Small files that describe enormous runs are refused before anything
//! runs, by `validate` as by `run`, `check` and `sweep`, at the key that
//! costs the most, with the estimate: work (events summed over the
//! policies), memory (what the plan, the outcomes and the timeline keep)
//! and output (what the run folder would take).

mod common;

use common::{cnasim_in, stderr, stdout};
use std::path::Path;

/// Syncs of 1 ms back to back for 18 hours: 64.8 million of them.
const MOVE_1MS: &str = "\
name: move-1ms
start: 2016-01-24T00:00:00Z
duration: 18h
databases: [{ name: DB01 }, { name: DB02 }]
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-24T00:00:00Z }
    calendar: [{ subject: s, start: 2016-01-24T08:00:00Z, reminder: 15m }]
    move: { target: DB02, start: 2016-01-24T00:00:00Z, incremental_sync_interval: 0, sync_duration: 1ms }
";

/// From the year 1900 to 9999: a daily reminder and a daily sync.
const WINDOW_1900_9999: &str = "\
name: window-1900-9999
start: 1900-01-01T00:00:00Z
end: 9999-01-01T00:00:00Z
databases: [{ name: DB01 }, { name: DB02 }]
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 1900-01-01T00:00:00Z }
    user: { reconfigure_after_missed: 1, reaction: 1m }
    calendar: [{ subject: s, start: 1900-01-01T08:00:00Z, reminder: 15m, repeat: { every: 1d, count: 3000000 } }]
    move: { target: DB02, start: 1900-01-01T00:00:00Z, incremental_sync_interval: 1d, sync_duration: 1m }
";

/// `n` policies that each pause on finalization only.
fn policies(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "  - {{ name: p{i}, pause_on_move_started: [finalize], resume_on: [], catch_up: \
                 false }}\n"
            )
        })
        .collect()
}

/// 100 policies, each within the cap alone, 58 times over it together.
fn policies_100() -> String {
    format!(
        "name: policies-100\nstart: 2016-01-01T00:00:00Z\nduration: 30d\npolicies:\n{}\
         databases:\n  - name: DB01\n    background: {{ rate_per_hour: 400000, arrivals: uniform }}\n",
        policies(100)
    )
}

/// 10 grid points times 100,000 seeds under 100 policies: 100 million
/// rows of results.
fn sweep_rows() -> String {
    format!(
        "name: sweep-rows\nstart: 2016-01-24T00:00:00Z\nduration: 1h\npolicies:\n{}\
         databases: [{{ name: DB01 }}, {{ name: DB02 }}]\nmailboxes:\n  - {{ name: u, database: \
         DB01, move: {{ target: DB02, start: 2016-01-24T00:10:00Z, incremental_sync_interval: \
         1d }} }}\nsweep:\n  seeds: 100000\n  set:\n    mailboxes.0.move.lock_duration: [1m, \
         2m, 3m, 4m, 5m, 6m, 7m, 8m, 9m, 10m]\n",
        policies(100)
    )
}

/// A user who reconfigures after every missed reminder, on a database
/// whose counter has room for the events of everything but those
/// reconfigurations.
const RECONFIGURATIONS_OVERFLOW: &str = "\
name: reconfigurations
start: 2016-01-24T00:00:00Z
duration: 8d
databases:
  - { name: DB01, counter_start: 9223372036854775794 }
  - { name: DB02 }
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-24T00:00:00Z }
    user: { reconfigure_after_missed: 1, reaction: 30m }
    calendar: [{ subject: s, start: 2016-01-24T16:30:00Z, reminder: 15m, repeat: { every: 1d, count: 8 } }]
    move: { target: DB02, start: 2016-01-24T21:20:00Z, incremental_sync_interval: 1d, sync_duration: 10m }
";

/// A user who reconfigures at ten listed instants, on a database whose
/// counter has room for three events: the enable and two of them.
const LISTED_RECONFIGURATIONS: &str = "\
name: listed-reconfigurations
start: 2016-01-24T00:00:00Z
duration: 2d
databases:
  - { name: DB01, counter_start: 9223372036854775805 }
mailboxes:
  - name: u
    database: DB01
    sms:
      enable_at: 2016-01-24T08:00:00Z
      reconfigure_at: [2016-01-24T09:00:00Z, 2016-01-24T10:00:00Z, 2016-01-24T11:00:00Z,
        2016-01-24T12:00:00Z, 2016-01-24T13:00:00Z, 2016-01-24T14:00:00Z, 2016-01-24T15:00:00Z,
        2016-01-24T16:00:00Z, 2016-01-24T17:00:00Z, 2016-01-24T18:00:00Z]
";

/// Listed durations are taken in order, the last repeating: after one
/// sync of 1 ms, syncs of 25 minutes.
const LISTED_DURATIONS: &str = "\
name: listed
start: 2016-01-24T00:00:00Z
duration: 14d
databases: [{ name: DB01 }, { name: DB02 }]
mailboxes:
  - { name: u, database: DB01, move: { target: DB02, start: 2016-01-24T00:00:00Z, incremental_sync_interval: 0, sync_durations: [1ms, 25m] } }
";

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).unwrap();
    name.to_string()
}

/// `validate`, `run` and `check` refuse `file` in `dir` with exit 2, with
/// each of `expected` in the message, and write nothing.
fn refused_everywhere(dir: &Path, file: &str, expected: &[&str]) {
    refused_by(
        dir,
        &[&["validate", file], &["run", file, "--out", "out"], &["check", file]],
        expected,
    );
}

/// Each of `commands` in `dir` exits 2 with each of `expected` in its
/// message, and writes nothing.
fn refused_by(dir: &Path, commands: &[&[&str]], expected: &[&str]) {
    for &args in commands {
        let o = cnasim_in(dir, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        for e in expected {
            assert!(stderr(&o).contains(e), "{args:?}: {}", stderr(&o));
        }
        assert!(!dir.join("out").exists(), "{args:?} wrote output");
    }
}

#[test]
fn syncs_of_a_millisecond_are_refused_for_their_memory() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "move-1ms.yaml", MOVE_1MS);
    // What a run folder keeps of each sync (the timeline's marks, per
    // policy) does not fit; `check`, which keeps only the plan's, may run
    // it (389 million events, within --max-events).
    refused_by(
        dir.path(),
        &[&["validate", &file], &["run", &file, "--out", "out"]],
        &["move-1ms.yaml:10:11: a run of this scenario would keep about", "longer sync intervals"],
    );
}

#[test]
fn a_window_of_eight_thousand_years_is_refused_for_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "window.yaml", WINDOW_1900_9999);
    let o = cnasim_in(dir.path(), &["validate", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("window.yaml:11:11: a run of this scenario would write about")
            && stderr(&o).contains("more than --max-output 1.0 GiB allows"),
        "{}",
        stderr(&o)
    );
    // More room for output is the user's call; the work is still bounded.
    let o = cnasim_in(dir.path(), &["validate", &file, "--max-output", "100G"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cnasim_in(dir.path(), &["run", &file, "--max-output", "10M", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn the_event_cap_is_on_the_total_over_the_policies() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "policies.yaml", &policies_100());
    refused_everywhere(
        dir.path(),
        &file,
        &["this scenario needs about 28800000000 events (288000000 per policy, 100 policies)"],
    );
    // One policy of them fits.
    let o = cnasim_in(dir.path(), &["validate", &file, "--max-events", "28800000000"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_sweep_whose_rows_would_not_fit_in_memory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "sweep-rows.yaml", &sweep_rows());
    for command in ["validate", "sweep"] {
        let o = cnasim_in(dir.path(), &[command, &file, "--max-events", "100000000000"]);
        assert_eq!(o.status.code(), Some(2), "{command}: {}", stdout(&o));
        assert!(
            stderr(&o).contains("this sweep would keep about 55.9 GiB in memory (100000000 rows"),
            "{command}: {}",
            stderr(&o)
        );
        let o = cnasim_in(dir.path(), &[command, &file]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("over its 1000000 runs"), "{}", stderr(&o));
    }
    // Not even the `output/` folder the sweep would have written into.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing written");
}

#[test]
fn user_reconfigurations_count_against_the_counter() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "reconfigurations.yaml", RECONFIGURATIONS_OVERFLOW);
    refused_everywhere(
        dir.path(),
        &file,
        &["leaves room for 14 events", "may fire up to 19", "(user reconfigurations included)"],
    );
}

#[test]
fn listed_reconfigurations_count_against_the_counter_and_the_event_cap() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "listed.yaml", LISTED_RECONFIGURATIONS);
    refused_everywhere(
        dir.path(),
        &file,
        &["listed.yaml:5:34: counter_start", "leaves room for 3 events", "may fire up to 11"],
    );
    // With room for them: each is an action and its event, per policy.
    let roomy =
        LISTED_RECONFIGURATIONS.replace("counter_start: 9223372036854775805", "counter_start: 1");
    let file = write(dir.path(), "roomy.yaml", &roomy);
    let o = cnasim_in(dir.path(), &["validate", &file]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("(22 per policy)"), "{}", stdout(&o));
    // Over the cap, they are the mailbox's own actions, and listing fewer
    // is the advice.
    refused_by(
        dir.path(),
        &[&["validate", &file, "--max-events", "43"], &["check", &file, "--max-events", "43"]],
        &[
            "roomy.yaml:7:5: this scenario needs about 44 events (22 per policy, 2 policies)",
            "come from this mailbox's own actions (enabling, disabling, reconfiguring): shorten \
             the window or list fewer instants in `reconfigure_at`, or raise --max-events",
        ],
    );
}

#[test]
fn listed_sync_durations_are_estimated_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "listed.yaml", LISTED_DURATIONS);
    let o = cnasim_in(dir.path(), &["validate", &file]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 1 sync of 1 ms, then one every 25 minutes for 14 days: 808 syncs,
    // three events each and five for the move's end, per policy.
    assert!(stdout(&o).contains("(2429 per policy)"), "{}", stdout(&o));
}

/// A rare Poisson arrival: a mean of 0.02 in the window.
const RARE_ARRIVALS: &str = "\
name: pois
start: 2016-01-25T00:00:00Z
duration: 1h
policies: [fixed]
databases:
  - name: DB01
    background: { rate_per_hour: 0.02 }
";

#[test]
fn poisson_arrivals_with_a_small_mean_stay_within_the_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "pois.yaml", RARE_ARRIVALS);
    // Six standard deviations above a mean of 0.02 is one arrival, which
    // about one seed in 5,000 passes (2,340 does): the estimate leaves
    // room for 36 more.
    let o = cnasim_in(dir.path(), &["validate", &file, "--max-events", "36"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    for seed in ["2340", "12220", "12653"] {
        let o = cnasim_in(dir.path(), &["check", &file, "--seed", seed, "--max-events", "37"]);
        assert_eq!(o.status.code(), Some(0), "seed {seed}: {}", stdout(&o));
    }
}

/// One generated SMS user with 1 to 100 daily items: the seed decides how
/// many reminders there are.
const ONE_GENERATED_USER: &str = "\
name: pop1
seed: 32
start: 2016-01-11T00:00:00Z
duration: 10d
policies: [fixed]
population:
  mailboxes: 1
  databases: 1
  sms: { share: 1, enable_after: 0 }
  calendar: { items: { uniform: [1, 100] }, every: [1d] }
  moves: { share: 0 }
";

#[test]
fn a_population_is_refused_before_it_is_built_only_when_no_seed_could_fit() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "pop1.yaml", ONE_GENERATED_USER);
    // One mailbox averages nothing: its exact estimate (122) decides.
    let o = cnasim_in(dir.path(), &["validate", &file, "--max-events", "200"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A million do: refused at once, before a million are generated.
    let o = cnasim_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["validate", "scenarios/bench/wave-1m.yaml", "--max-events", "20000"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("wave-1m.yaml:14:14: this population would handle more than"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn each_run_of_a_sweep_holds_to_its_share_of_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "pop1.yaml", ONE_GENERATED_USER);
    // 100 runs of an estimated 122 events fit 13,000; a seed that draws
    // more items than the base seed passes its share (130), and the sweep
    // stops, naming the command that shows why.
    let args = ["sweep", &file, "--seeds", "100", "--max-events", "13000", "--out", "out"];
    let o = cnasim_in(dir.path(), &args);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let message = stderr(&o);
    assert!(message.contains("reached its share of --max-events (130 events)"), "{message}");
    let line = message.lines().find_map(|l| l.trim().strip_prefix("reproduce it with: ")).unwrap();
    assert!(line.ends_with("--max-events 130"), "{line}");
    assert!(!dir.path().join("out").exists());
    // With room for what the seeds draw, it runs.
    let args = ["sweep", &file, "--seeds", "100", "--out", "out"];
    assert!(cnasim_in(dir.path(), &args).status.success());
}

#[test]
fn check_counts_only_the_policies_it_keeps() {
    // policy-comparison runs five policies; checking one needs a fifth of
    // the work, and the cap is on that.
    let o = cnasim_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["check", "scenarios/policy-comparison.yaml", "--policy", "legacy", "--max-events", "100"],
    );
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
}
