//! One test per rule of MODEL.md, each on a small inline scenario whose
//! numbers are worked out by hand in the comments.

mod common;
use common::{check, error, metrics, outcomes};

/// Four days, two databases; each test adds policies and mailboxes.
const HEAD: &str = "
start: 2016-01-01T00:00:00Z
end: 2016-01-05T00:00:00Z
databases:
  - name: DB01
  - name: DB02
";

fn scenario(rest: &str) -> String {
    format!("{HEAD}{rest}")
}

/// A daily item at 12:00 with a 15-minute reminder, 1/1 to 1/4.
const DAILY_NOON: &str = "
      - subject: Lunch
        start: 2016-01-01T12:00:00Z
        reminder: 15m
        repeat: { every: 1d, count: 4 }";

#[test]
fn legacy_stops_on_every_sync_and_fixed_ignores_incremental_ones() {
    let m = metrics(&scenario(&format!(
        "
mailboxes:
  - name: u
    database: DB01
    sms: {{ enable_at: 2016-01-01T08:00:00Z }}
    calendar:{DAILY_NOON}
    move: {{ target: DB02, start: 2016-01-01T20:00:00Z, sync_duration: 10m }}
"
    )));
    // Syncs start 1/1 20:00, 1/2 20:10, 1/3 20:20, 1/4 20:30 (drift of 10m a day).
    // legacy: 1/1 on time, then paused from 1/1 20:00 to the end: 76 hours.
    check(
        &m,
        "legacy",
        &[
            ("reminders_expected", 4),
            ("reminders_on_time", 1),
            ("reminders_missed", 3),
            ("sms_sent", 1),
            ("dropouts", 1),
            ("move_started_events", 4),
            ("events_processed", 5),
        ],
    );
    assert_eq!(m["legacy"].dropout_hours, 76.0);
    assert_eq!(m["legacy"].longest_dropout_hours, 76.0);
    assert_eq!(m["legacy"].delivery_ratio, 0.25);
    check(&m, "fixed", &[("reminders_on_time", 4), ("dropouts", 0), ("move_started_events", 4)]);
    assert_eq!(m["fixed"].delivery_ratio, 1.0);
}

#[test]
fn phase_order_move_transitions_before_user_actions() {
    // The initial sync and the enable at the same instant: MailboxMoveStarted
    // (phase 1) is created first and processed while the mailbox is still
    // off, so even legacy ignores it; the next sync (1/2 08:10) stops it.
    let same_instant = |enable: &str| {
        metrics(&scenario(&format!(
            "
policies: [legacy]
mailboxes:
  - name: u
    database: DB01
    sms: {{ enable_at: {enable} }}
    calendar:{DAILY_NOON}
    move: {{ target: DB02, start: 2016-01-01T08:00:00Z, sync_duration: 10m }}
"
        )))
    };
    check(&same_instant("2016-01-01T08:00:00Z"), "legacy", &[("reminders_on_time", 1)]);
    // One millisecond earlier, the sync stops the mailbox at once.
    check(&same_instant("2016-01-01T07:59:59.999Z"), "legacy", &[("reminders_on_time", 0)]);
}

#[test]
fn phase_order_assistant_before_timers_before_observations() {
    // A sync starting exactly at a reminder time: the StopAll (phase 3)
    // comes before the timer (phase 4), so the reminder is missed.
    let m = metrics(&scenario(&format!(
        "
policies: [legacy]
mailboxes:
  - name: u
    database: DB01
    sms: {{ enable_at: 2016-01-01T08:00:00Z }}
    calendar:{DAILY_NOON}
    move: {{ target: DB02, start: 2016-01-01T11:45:00Z, sync_duration: 10m }}
"
    )));
    check(&m, "legacy", &[("reminders_on_time", 0), ("reminders_missed", 4)]);

    // A reminder at the occurrence start (0m): the timer (phase 4) fires
    // before the user looks (phase 5), so it counts as delivered and a user
    // who reacts to the first miss never reconfigures.
    let m = metrics(&scenario(
        "
policies: [fixed]
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-01T08:00:00Z }
    user: { reconfigure_after_missed: 1, reaction: 1h }
    calendar:
      - { subject: Now, start: 2016-01-01T12:00:00Z, reminder: 0m, repeat: { every: 1d, count: 4 } }
",
    ));
    check(&m, "fixed", &[("reminders_on_time", 4), ("user_reconfigurations", 0)]);
}

#[test]
fn fixed_pauses_for_finalization_and_resumes_on_the_destination_copy() {
    // Finalization at 11:00 locks for 1m. MailboxMoveSucceeded fires at 11:01
    // on DB01 (Source) and DB02 (Destination). DB02's assistant needs 30m per
    // event, so the Destination copy takes effect at 11:31. Only that copy
    // resumes: catch-up then sends the 11:15 reminder of the 11:30 meeting
    // at 11:31, late. Had the Source copy resumed, it would be on time.
    let m = metrics(
        "
start: 2016-01-01T00:00:00Z
end: 2016-01-02T00:00:00Z
policies: [fixed]
databases:
  - name: DB01
  - name: DB02
    service_time: 30m
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-01T08:00:00Z }
    calendar:
      - { subject: Sync, start: 2016-01-01T11:30:00Z, reminder: 15m }
      - { subject: Later, start: 2016-01-01T15:00:00Z, reminder: 15m }
    move:
      target: DB02
      start: 2016-01-01T09:00:00Z
      sync_duration: 10m
      complete_at: 2016-01-01T11:00:00Z
",
    );
    check(
        &m,
        "fixed",
        &[
            ("reminders_on_time", 1),
            ("reminders_late", 1),
            ("reminders_missed", 0),
            ("dropouts", 1),
            ("move_started_events", 2),
        ],
    );
    // Paused from 11:00 to 11:31.
    assert!((m["fixed"].dropout_hours - 31.0 / 60.0).abs() < 1e-12);
}

/// A policy that pauses on initial and incremental syncs and resumes when
/// the move fails, with or without catch-up; the move fails on 1/2 at 13:00.
fn failing_move(catch_up: bool) -> String {
    scenario(&format!(
        "
policies:
  - name: resume-on-failure
    pause_on_move_started: [initial, incremental]
    resume_on: [move_failed]
    catch_up: {catch_up}
mailboxes:
  - name: u
    database: DB01
    sms: {{ enable_at: 2016-01-01T08:00:00Z }}
    calendar:{DAILY_NOON}
    move: {{ target: DB02, start: 2016-01-01T20:00:00Z, sync_duration: 10m, fail_at: 2016-01-02T13:00:00Z }}
"
    ))
}

#[test]
fn failure_resumes_and_catch_up_sends_overdue_reminders_late() {
    // Paused 1/1 20:00. The 1/2 reminder (11:45) falls in the pause. The
    // failure at 13:00 resumes: with catch-up it is sent at 13:00, late;
    // without, it is missed. 1/3 and 1/4 are on time either way.
    let with = metrics(&failing_move(true));
    check(
        &with,
        "resume-on-failure",
        &[
            ("reminders_on_time", 3),
            ("reminders_late", 1),
            ("reminders_missed", 0),
            ("sms_sent", 4),
        ],
    );
    let without = metrics(&failing_move(false));
    check(
        &without,
        "resume-on-failure",
        &[
            ("reminders_on_time", 3),
            ("reminders_late", 0),
            ("reminders_missed", 1),
            ("sms_sent", 3),
        ],
    );
    // Paused from 1/1 20:00 to 1/2 13:00: 17 hours.
    assert_eq!(with["resume-on-failure"].dropout_hours, 17.0);
}

#[test]
fn reaction_rule_counts_consecutive_misses() {
    // legacy, paused by the initial sync 1/1 20:00 and by each nightly sync.
    // Daily: 09:00 and 10:00 reminders missed (2 in a row) -> the user
    // reconfigures at 11:00 -> the 12:00 reminder arrives (count back to 0).
    let m = metrics(&scenario(
        "
policies: [legacy]
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-01T08:00:00Z }
    user: { reconfigure_after_missed: 2, reaction: 1h }
    calendar:
      - { subject: A, start: 2016-01-01T09:00:00Z, reminder: 5m, repeat: { every: 1d, count: 4 } }
      - { subject: B, start: 2016-01-01T10:00:00Z, reminder: 5m, repeat: { every: 1d, count: 4 } }
      - { subject: C, start: 2016-01-01T12:00:00Z, reminder: 5m, repeat: { every: 1d, count: 4 } }
    move: { target: DB02, start: 2016-01-01T20:00:00Z, sync_duration: 10m }
",
    ));
    // 1/1: A, B and C on time (enabled at 08:00). Then 3 days of A and B
    // missed, C on time.
    check(
        &m,
        "legacy",
        &[
            ("reminders_expected", 12),
            ("reminders_on_time", 6),
            ("reminders_missed", 6),
            ("user_reconfigurations", 3),
        ],
    );
}

#[test]
fn reaction_rule_schedules_nothing_while_a_reconfiguration_is_pending() {
    // Misses at 09:00 and 10:00 with N = 1 and a 3-hour reaction: the first
    // schedules a reconfiguration for 12:00; the second finds it pending.
    let m = metrics(&scenario(
        "
policies: [legacy]
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-01T06:00:00Z }
    user: { reconfigure_after_missed: 1, reaction: 3h }
    calendar:
      - { subject: A, start: 2016-01-01T09:00:00Z, reminder: 5m }
      - { subject: B, start: 2016-01-01T10:00:00Z, reminder: 5m }
      - { subject: C, start: 2016-01-01T12:30:00Z, reminder: 5m }
    move: { target: DB02, start: 2016-01-01T07:00:00Z, sync_duration: 10m }
",
    ));
    check(
        &m,
        "legacy",
        &[("user_reconfigurations", 1), ("reminders_missed", 2), ("reminders_on_time", 1)],
    );
}

#[test]
fn a_reconfiguration_due_after_the_user_disabled_sms_is_dropped() {
    let m = metrics(&scenario(
        "
policies: [legacy]
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-01T06:00:00Z, disable_at: 2016-01-01T10:00:00Z }
    user: { reconfigure_after_missed: 1, reaction: 3h }
    calendar:
      - { subject: A, start: 2016-01-01T09:00:00Z, reminder: 5m }
    move: { target: DB02, start: 2016-01-01T07:00:00Z, sync_duration: 10m }
",
    ));
    // Missed at 09:00, reconfiguration due at 12:00, but SMS is off since 10:00.
    check(&m, "legacy", &[("user_reconfigurations", 0), ("reminders_missed", 1), ("dropouts", 1)]);
    // The dropout ends when the intent does.
    assert_eq!(m["legacy"].dropout_hours, 3.0);
}

#[test]
fn recurrence_is_clipped_to_the_window() {
    // Daily from 12/28, 10 occurrences (to 1/6); the window 1/1..1/5 holds
    // the reminders of 1/1 to 1/4. With `until` 1/2 12:00 (inclusive): 2.
    let expected = |repeat: &str| {
        let m = metrics(&scenario(&format!(
            "
policies: [fixed]
mailboxes:
  - name: u
    database: DB01
    sms: {{ enable_at: 2016-01-01T00:00:00Z }}
    calendar:
      - {{ subject: L, start: 2015-12-28T12:00:00Z, reminder: 15m, repeat: {repeat} }}
"
        )));
        m["fixed"].reminders_expected
    };
    assert_eq!(expected("{ every: 1d, count: 10 }"), 4);
    assert_eq!(expected("{ every: 1d, until: 2016-01-02T12:00:00Z }"), 2);
    assert_eq!(expected("{ every: 1d, count: 18446744073709551615 }"), 4);
    // Every 12h, 9 occurrences: the last starts 12/28 12:00 + 8 x 12h = 1/1 12:00.
    assert_eq!(expected("{ every: 12h, count: 9 }"), 1);
}

#[test]
fn expected_reminders_follow_intent_not_the_assistant() {
    // disable_at 1/3 00:00: only 1/1 and 1/2 are expected, whatever happens.
    let m = metrics(&scenario(&format!(
        "
mailboxes:
  - name: u
    database: DB01
    sms: {{ enable_at: 2016-01-01T08:00:00Z, disable_at: 2016-01-03T00:00:00Z }}
    calendar:{DAILY_NOON}
    move: {{ target: DB02, start: 2016-01-01T20:00:00Z, sync_duration: 10m }}
"
    )));
    check(&m, "legacy", &[("reminders_expected", 2), ("reminders_missed", 1)]);
    check(&m, "fixed", &[("reminders_expected", 2), ("reminders_on_time", 2), ("sms_sent", 2)]);
}

#[test]
fn sms_sent_counts_messages_nobody_expected() {
    // The disable at 11:50 takes effect at 12:00 (10-minute service time), so
    // the 11:55 reminder goes out although the user no longer wants it.
    let m = metrics(
        "
start: 2016-01-01T00:00:00Z
end: 2016-01-02T00:00:00Z
policies: [fixed]
databases:
  - name: DB01
    service_time: 10m
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-01T08:00:00Z, disable_at: 2016-01-01T11:50:00Z }
    calendar:
      - { subject: Late, start: 2016-01-01T12:00:00Z, reminder: 5m }
",
    );
    check(&m, "fixed", &[("reminders_expected", 0), ("sms_sent", 1), ("duplicate_sms", 0)]);
    assert_eq!(m["fixed"].delivery_ratio, 1.0, "no expected reminders means a ratio of 1");
    // The enable took effect 10 minutes late: a dropout of 10 minutes.
    check(&m, "fixed", &[("dropouts", 1)]);
}

#[test]
fn duplicate_sms_when_catch_up_and_a_reconfiguration_meet() {
    // Paused at 09:00 (initial sync). The 10:45 reminder of A is not sent;
    // the user (N = 1, 1h) reconfigures at 12:00, the very instant the move
    // fails. Phase 3 at 12:00: MailboxMoveFailed resumes with catch-up and
    // sends every reminder from 09:00 to 12:00 at once: A's (late) and B's
    // (12:00); then the enable re-arms every reminder with r >= 12:00, so
    // B's timer sends it again in phase 4.
    let m = metrics(&scenario(
        "
policies:
  - name: catch-up-on-failure
    pause_on_move_started: [initial, incremental]
    resume_on: [move_failed]
    catch_up: true
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-01T08:00:00Z }
    user: { reconfigure_after_missed: 1, reaction: 1h }
    calendar:
      - { subject: A, start: 2016-01-01T11:00:00Z, reminder: 15m }
      - { subject: B, start: 2016-01-01T12:15:00Z, reminder: 15m }
    move: { target: DB02, start: 2016-01-01T09:00:00Z, sync_duration: 10m, fail_at: 2016-01-01T12:00:00Z }
",
    ));
    check(
        &m,
        "catch-up-on-failure",
        &[
            ("sms_sent", 3),
            ("duplicate_sms", 1),
            ("reminders_on_time", 1),
            ("reminders_late", 1),
            ("reminders_missed", 0),
            ("user_reconfigurations", 1),
        ],
    );
}

#[test]
fn backlog_of_same_instant_events() {
    // Three mailboxes enable at one instant on DB01: when the first event
    // takes effect the other two are already issued, so max_backlog = 2.
    let m = metrics(
        "
start: 2016-01-01T00:00:00Z
duration: 1d
policies: [fixed]
databases: [{ name: DB01 }]
mailboxes:
  - { name: a, database: DB01, sms: { enable_at: 2016-01-01T08:00:00Z } }
  - { name: b, database: DB01, sms: { enable_at: 2016-01-01T08:00:00Z } }
  - { name: c, database: DB01, sms: { enable_at: 2016-01-01T08:00:00Z } }
",
    );
    check(&m, "fixed", &[("max_backlog", 2), ("events_processed", 3)]);
}

#[test]
fn background_traffic_and_service_time() {
    // Uniform arrivals once a minute (k x 60 s, k = 1..59 in one hour); 90 s
    // each: f_k = 150 s + 90 s x (k - 1). Processed while f_k < 3600 s:
    // k <= 39. At f_39 = 3570 s, 59 events are issued: backlog 59 - 39 = 20.
    let m = metrics(
        "
start: 2016-01-01T00:00:00Z
duration: 1h
policies: [legacy]
databases:
  - name: DB01
    service_time: 90s
    background: { rate_per_hour: 60, arrivals: uniform }
",
    );
    check(&m, "legacy", &[("events_processed", 39), ("max_backlog", 20)]);
    // Unlimited throughput: everything is processed, nothing waits.
    let m = metrics(
        "
start: 2016-01-01T00:00:00Z
duration: 1h
policies: [legacy]
databases:
  - name: DB01
    background: { rate_per_hour: 60, arrivals: uniform }
",
    );
    check(&m, "legacy", &[("events_processed", 59), ("max_backlog", 0)]);
}

#[test]
fn nothing_runs_at_or_after_the_window_end() {
    // Syncs at 1/1 23:30, 1/2 23:40, 1/3 23:50; the next is due exactly at
    // the end, 1/5 00:00, and does not happen.
    let m = metrics(&scenario(
        "
policies: [legacy]
mailboxes:
  - name: u
    database: DB01
    move: { target: DB02, start: 2016-01-01T23:30:00Z, sync_duration: 10m }
",
    ));
    check(&m, "legacy", &[("move_started_events", 3), ("events_processed", 3)]);
}

#[test]
fn after_completion_the_mailbox_lives_on_the_target() {
    let o = outcomes(&scenario(
        "
policies: [legacy]
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-01T08:00:00Z, disable_at: 2016-01-03T08:00:00Z }
    move: { target: DB02, start: 2016-01-01T09:00:00Z, sync_duration: 10m, complete_at: 2016-01-02T12:00:00Z }
",
    ));
    let dbs = &o["legacy"].databases;
    // DB01: enable, sync 1/1 09:00, sync 1/2 09:10, finalization 12:00,
    // MoveSucceeded (Source). DB02: MoveSucceeded (Destination), the disable.
    assert_eq!((dbs[0].issued, dbs[1].issued), (5, 2));
}

#[test]
fn policies_refuse_bad_definitions() {
    let e = error(&scenario("policies: [legacy, legacyy]\n"));
    assert!(e.contains("inline.yaml:7:20: unknown policy `legacyy`"), "{e}");
    let e = error(&scenario(
        "policies:\n  - name: fixed\n    pause_on_move_started: []\n    resume_on: []\n    catch_up: false\n",
    ));
    assert!(e.contains("built-in policy"), "{e}");
    let e = error(&scenario(
        "policies:\n  - name: p\n    pause_on_move_started: [sync]\n    resume_on: []\n    catch_up: false\n",
    ));
    assert!(e.contains("unknown variant `sync`"), "{e}");
}
