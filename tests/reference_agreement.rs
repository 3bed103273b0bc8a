//! cnasim against an independent implementation of the reference model.
//!
//! `tools/reference-model/cnasim_ref.py` was written from MODEL.md and
//! docs/model-decisions.md alone, without reading cnasim's code. Its outputs
//! for deterministic scenarios are stored in `tools/reference-model/expected/`;
//! this test runs cnasim on the same scenarios and compares every metric,
//! every SMS, every dropout and every MailboxMoveStarted.

use cnasim::runner::run_to_folder;
use cnasim::scenario;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scenario_for(name: &str) -> PathBuf {
    let own = root().join("scenarios").join(format!("{name}.yaml"));
    if own.exists() {
        own
    } else {
        root().join("tools/reference-model/scenarios").join(format!("{name}.yaml"))
    }
}

/// Rows of a CSV file as maps from column to value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| header.iter().map(String::from).zip(r.unwrap().iter().map(String::from)).collect())
        .collect()
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn cnasim_agrees_with_the_reference_implementation() {
    let expected_dir = root().join("tools/reference-model/expected");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&expected_dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 9);
    let out = tempfile::tempdir().unwrap();
    for file in files {
        let name = file.file_stem().unwrap().to_str().unwrap().to_string();
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let world = scenario::load(&scenario_for(&name)).unwrap_or_else(|e| panic!("{e}"));
        let run = run_to_folder(&world, out.path()).unwrap();
        let folder = run.folder.as_ref().unwrap();

        for result in &run.results {
            let policy = &result.policy.name;
            let want = &expected["policies"][policy];
            let got = serde_json::to_value(&result.outcome.metrics).unwrap();
            for (metric, value) in want.as_object().unwrap() {
                let same = match (value.as_f64(), got[metric].as_f64()) {
                    (Some(a), Some(b)) if value.is_f64() => (a - b).abs() < 1e-9,
                    _ => got[metric] == *value,
                };
                assert!(same, "{name} {policy} {metric}: cnasim {} reference {value}", got[metric]);
            }
        }

        let sms: Vec<Vec<String>> = rows(&folder.join("message_tracking.csv"))
            .into_iter()
            .filter(|r| r["event_id"] == "SEND")
            .map(|r| {
                vec![
                    r["policy"].clone(),
                    r["mailbox"].clone(),
                    r["message_subject"].clone(),
                    r["occurrence_start"].clone(),
                    r["timestamp"].clone(),
                ]
            })
            .collect();
        let mut want_sms = Vec::new();
        for (policy, list) in expected["sms"].as_object().unwrap() {
            for s in list.as_array().unwrap() {
                let f: Vec<String> =
                    s.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
                want_sms.push(vec![
                    policy.clone(),
                    f[0].clone(),
                    f[1].clone(),
                    f[2].clone(),
                    f[3].clone(),
                ]);
            }
        }
        assert_eq!(sorted(sms), sorted(want_sms), "{name}: SMS");

        let drops: Vec<(String, String, String, String, i64, String)> =
            rows(&folder.join("dropouts.csv"))
                .into_iter()
                .map(|r| {
                    let hours: f64 = r["hours"].parse().unwrap();
                    (
                        r["policy"].clone(),
                        r["mailbox"].clone(),
                        r["start"].clone(),
                        r["end"].clone(),
                        (hours * 1e5).round() as i64,
                        r["reminders_missed"].clone(),
                    )
                })
                .collect();
        let mut want_drops = Vec::new();
        for (policy, list) in expected["dropouts"].as_object().unwrap() {
            for d in list.as_array().unwrap() {
                let d = d.as_array().unwrap();
                want_drops.push((
                    policy.clone(),
                    d[0].as_str().unwrap().to_string(),
                    d[1].as_str().unwrap().to_string(),
                    d[2].as_str().unwrap().to_string(),
                    (d[3].as_f64().unwrap() * 1e5).round() as i64,
                    d[4].to_string(),
                ));
            }
        }
        assert_eq!(sorted(drops), sorted(want_drops), "{name}: dropouts");

        let starts: Vec<(String, String)> = rows(&folder.join("database_events.csv"))
            .into_iter()
            .filter(|r| r["event_name"] == "MailboxMoveStarted")
            .map(|r| (r["policy"].clone(), r["create_time"].clone()))
            .collect();
        let mut want_starts = Vec::new();
        for (policy, list) in expected["move_started"].as_object().unwrap() {
            for t in list.as_array().unwrap() {
                want_starts.push((policy.clone(), t.as_str().unwrap().to_string()));
            }
        }
        assert_eq!(sorted(starts), sorted(want_starts), "{name}: MailboxMoveStarted");
    }
}
