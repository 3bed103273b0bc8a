//! Every file of the evidence corpus (tests/evidence/, written by hand in
//! the real layouts) is read and diagnosed, and what cnasim finds is
//! compared with the facts tests/evidence/expected.json lists for it.

use cnasim::diagnosis::{self, render};
use cnasim::evidence::{self, ReadOptions, clock::Clock};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evidence")
}

fn expected() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(corpus().join("expected.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["files"].as_object().unwrap().clone()
}

fn seconds(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// `2016-01-25T21:32:01.000Z` as the corpus writes it: `2016-01-25T21:32:01Z`.
fn short(t: &str) -> String {
    format!("{}Z", &t[..19])
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map_or(Vec::new(), |a| {
        a.iter().map(|s| s.as_str().unwrap_or_default().to_string()).collect()
    })
}

#[test]
fn every_corpus_file_reads_as_expected() {
    let mut failures = Vec::new();
    for (file, want) in expected() {
        let options = ReadOptions {
            clock: Clock::for_zone(want["time_zone"].as_str().unwrap()).unwrap(),
            policy: None,
        };
        let path = corpus().join(&file);
        let read = evidence::read(std::slice::from_ref(&path), &options);
        let mut check = |what: &str, got: String, expected: String| {
            if got != expected {
                failures.push(format!("{file}: {what}:\n     got {got}\n    want {expected}"));
            }
        };
        match (&want["error"], read) {
            (Value::Null, Err(e)) => check("error", format!("{e:?}"), "no error".into()),
            (error, Err(e)) => {
                let e = &e[0];
                check("error line", e.line.to_string(), error["line"].to_string());
                let contains = error["contains"].as_str().unwrap();
                let says = if e.message.contains(contains) { contains } else { &e.message };
                check("error message", says.to_string(), contains.to_string());
                check("error file", e.path.ends_with(&file).to_string(), "true".into());
            }
            (Value::Object(error), Ok(_)) => {
                check("error", "read without error".into(), format!("{error:?}"))
            }
            (_, Ok(ev)) => {
                let blocks: Vec<String> = ev
                    .blocks
                    .iter()
                    .map(|b| format!("{}:{}", b.kind.as_str(), b.format.as_str()))
                    .collect();
                check("blocks", format!("{blocks:?}"), format!("{:?}", strings(&want["blocks"])));
                let d = diagnosis::diagnose(ev);
                let json: Value = serde_json::from_str(&render::json(&d)).unwrap();
                let mailboxes = json["mailboxes"].as_array().unwrap();
                let all = |key: &str, field: Option<&str>| -> Vec<Value> {
                    mailboxes
                        .iter()
                        .flat_map(|m| m[key].as_array().cloned().unwrap_or_default())
                        .map(|v| field.map_or(v.clone(), |f| v[f].clone()))
                        .collect()
                };
                let mut moves: Vec<String> = all("move_started", Some("time"))
                    .iter()
                    .map(|t| short(t.as_str().unwrap()))
                    .collect();
                moves.sort();
                check(
                    "move_started",
                    format!("{moves:?}"),
                    format!("{:?}", seconds(&want["move_started"])),
                );
                let counters: Vec<Value> = all("move_started", Some("counter"));
                check(
                    "counters",
                    format!("{counters:?}"),
                    format!("{:?}", want["move_started_counters"].as_array().unwrap()),
                );
                let mut sms: Vec<String> =
                    all("sms", None).iter().map(|t| short(t.as_str().unwrap())).collect();
                sms.sort();
                check("sms", format!("{sms:?}"), format!("{:?}", seconds(&want["sms"])));
                let runs: Vec<String> = all("text_messaging_runs", None)
                    .iter()
                    .map(|t| short(t.as_str().unwrap()))
                    .collect();
                check(
                    "text_messaging_runs",
                    format!("{runs:?}"),
                    format!("{:?}", seconds(&want["text_messaging_runs"])),
                );
                let stops: Vec<String> = all("stops", None)
                    .iter()
                    .filter(|s| s[1] == "StopAll")
                    .map(|s| short(s[0].as_str().unwrap()))
                    .collect();
                check(
                    "stop_all",
                    format!("{stops:?}"),
                    format!("{:?}", seconds(&want["stop_all"])),
                );
                let interval = mailboxes
                    .iter()
                    .find_map(|m| m["incremental_sync_interval"].as_str().map(str::to_string));
                let stated = mailboxes.iter().any(|m| {
                    m["interval_source"]
                        .as_str()
                        .is_some_and(|s| s.contains("IncrementalSyncInterval"))
                });
                check(
                    "interval",
                    format!("{:?}", interval.filter(|_| stated)),
                    format!("{:?}", want["incremental_sync_interval"].as_str()),
                );
                let implied: Vec<String> = all("sync_durations_implied", None)
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                check(
                    "sync_durations_implied",
                    format!("{implied:?}"),
                    format!("{:?}", strings(&want["sync_durations_implied"])),
                );
                if let Some(verdict) = want.get("verdict") {
                    check(
                        "verdict",
                        format!(
                            "{:?}",
                            mailboxes.iter().map(|m| m["verdict"].clone()).collect::<Vec<_>>()
                        ),
                        format!("{:?}", vec![verdict.clone()]),
                    );
                    let silences: u64 =
                        mailboxes.iter().map(|m| m["silences_after_move"].as_u64().unwrap()).sum();
                    check(
                        "silences_after_move",
                        silences.to_string(),
                        want["silences_after_move"].to_string(),
                    );
                    let mut missing: Vec<String> = mailboxes
                        .iter()
                        .flat_map(|m| {
                            m["move_started"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .flat_map(|s| strings(&s["missing_sms"]))
                        })
                        .map(|t| short(&t))
                        .collect();
                    missing.sort();
                    check(
                        "missing_sms",
                        format!("{missing:?}"),
                        format!("{:?}", seconds(&want["missing_sms"])),
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// SMS that stop after a move and never come back: message tracking has
/// no row after the move, but the search the ticket states reaches days
/// beyond it, so the silence is evidence.
#[test]
fn a_stated_search_range_covers_the_days_without_sms() {
    let path = corpus().join("stopped-ticket.txt");
    let ev = evidence::read(std::slice::from_ref(&path), &ReadOptions::default()).unwrap();
    assert_eq!(ev.tracking_searched.len(), 1);
    let d = diagnosis::diagnose(ev);
    let json: Value = serde_json::from_str(&render::json(&d)).unwrap();
    let m = &json["mailboxes"][0];
    assert_eq!(m["verdict"], "kb3200823", "{m}");
    assert_eq!(m["silences_after_move"], 2);
    let missing: Vec<Vec<String>> =
        m["move_started"].as_array().unwrap().iter().map(|s| strings(&s["missing_sms"])).collect();
    assert_eq!(
        missing[0],
        ["2016-02-03T16:15:00.000Z", "2016-02-04T16:15:00.000Z", "2016-02-05T16:15:00.000Z"]
    );
    assert_eq!(missing[1], ["2016-02-04T16:15:00.000Z", "2016-02-05T16:15:00.000Z"]);
    // Without the search, the move events are not covered.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(" -Start \"2/1/2016 00:00\" -End \"2/6/2016 00:00\"", "");
    let mut ev = evidence::Evidence::default();
    evidence::read_text("t.txt", &text, &ReadOptions::default(), &mut ev).unwrap();
    let json: Value = serde_json::from_str(&render::json(&diagnosis::diagnose(ev))).unwrap();
    assert_eq!(json["mailboxes"][0]["covered_moves"], 0);
}
