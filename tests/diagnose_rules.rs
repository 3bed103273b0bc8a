//! The diagnosis rules on the cases a review found wrong, each a small
//! evidence file in tests/evidence/review/: a second user's SMS, weekday
//! meetings, daylight saving, disjoint searches, unreadable search bounds,
//! truncated tables, pastes without blank lines, RECEIVE/SEND pairs split
//! across a second, and a folder without evidence.

mod common;

use common::{cnasim, diagnose_json, stderr};
use serde_json::Value;
use std::path::Path;

fn file(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/evidence/review")
        .join(name)
        .display()
        .to_string()
}

fn diagnose(name: &str, extra: &[&str]) -> Value {
    let path = file(name);
    let mut args = vec![path.as_str()];
    args.extend(extra);
    diagnose_json(&args)
}

#[test]
fn another_users_sms_do_not_turn_the_verdict() {
    let m = &diagnose("kb-plus-other.txt", &[])["mailboxes"][0];
    assert_eq!(m["verdict"], "kb3200823", "{m}");
    assert_eq!(m["phone"], "+14255550123");
    assert!(m["other_phone_sms"].as_u64().unwrap() > 0);
}

#[test]
fn a_meeting_that_skips_weekends_is_not_the_pattern() {
    let m = &diagnose("weekday.txt", &[])["mailboxes"][0];
    assert_eq!(m["verdict"], "not-kb3200823", "{m}");
    assert_eq!(m["silences_after_move"], 0);
    let gaps = m["move_started"].as_array().unwrap().iter().filter(|s| s["after"] == "gap").count();
    assert_eq!(gaps, 2);
}

#[test]
fn daily_meetings_keep_their_local_time_across_daylight_saving() {
    let m = &diagnose("dst2.txt", &["--time-zone", "America/Los_Angeles"])["mailboxes"][0];
    assert_eq!(m["verdict"], "not-kb3200823", "{m}");
    assert_eq!(m["daily_series"].as_array().unwrap().len(), 2, "{m}");
}

#[test]
fn days_between_two_searches_are_not_covered() {
    let m = &diagnose("disjoint.txt", &[])["mailboxes"][0];
    assert_eq!(m["message_tracking"].as_array().unwrap().len(), 2, "{m}");
    assert_eq!(m["silences_after_move"], 0, "{m}");
}

#[test]
fn a_search_bound_that_is_an_expression_is_a_note() {
    let d = diagnose("search-expr.txt", &[]);
    assert!(d["notes"][0].as_str().unwrap().contains("(Get-Date).AddDays(-7)"), "{d}");
}

#[test]
fn a_truncated_table_is_refused_with_advice_and_a_paste_without_blank_lines_is_read() {
    let o = cnasim(&["diagnose", &file("ft-trunc.txt")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("ft-trunc.txt:5:22: `MailboxMov...` was cut short"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("-AutoSize"));
    let d = diagnose("noblank.txt", &[]);
    assert_eq!(d["mailboxes"][0]["move_started"].as_array().unwrap().len(), 2, "{d}");
}

#[test]
fn the_rows_of_one_sms_a_moment_apart_count_once() {
    let m = &diagnose("msgtrk-boundary.log", &[])["mailboxes"][0];
    assert_eq!(m["sms"].as_array().unwrap().len(), 2, "{m}");
}

#[test]
fn a_folder_without_evidence_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "nothing here\n").unwrap();
    let o = cnasim(&["diagnose", &dir.path().display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no evidence block"), "{}", stderr(&o));
}
