//! Worlds at scale: generated populations, the event logs' detail, and
//! outputs that do not depend on the number of threads.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

mod common;
use common::{stderr, stdout};

/// A population of 2,000 mailboxes (above the 1,000 up to which every
/// mailbox is logged), with background traffic and a service time.
const POPULATION: &str = "\
name: scale-test
seed: 9
start: 2016-01-11T00:00:00Z
duration: 5d
databases: [{ name: EXPLICIT-A }, { name: EXPLICIT-B }]
mailboxes:
  - name: Explicit User
    database: EXPLICIT-A
    sms: { enable_at: 2016-01-11T06:00:00Z }
    user: { reconfigure_after_missed: 1, reaction: 2h }
    calendar:
      - { subject: Standup, start: 2016-01-11T09:00:00Z, reminder: 15m, repeat: { every: 1d, count: 5 } }
    move: { target: EXPLICIT-B, start: 2016-01-11T21:00:00Z, incremental_sync_interval: 1d, sync_duration: 10m }
population:
  mailboxes: 2000
  databases: 4
  database: { service_time: 50ms, background: { rate_per_hour: 3600, arrivals: poisson } }
  sms: { share: 0.2 }
  moves: { share: 0.5, complete_share: 0.3, complete_after: { uniform: [1d, 4d] } }
";

/// Runs cnasim with `threads` rayon threads in the project folder.
fn cnasim_threads(threads: usize, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cnasim"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// Every file of a folder, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

fn write_population(dir: &Path) -> String {
    let path = dir.join("scale-test.yaml");
    std::fs::write(&path, POPULATION).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn outputs_do_not_depend_on_the_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_population(dir.path());
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/policy-comparison.yaml");
    let mut seen: Vec<Vec<(String, Vec<u8>)>> = Vec::new();
    for threads in [1, 2, 4] {
        let out = dir.path().join(format!("out-{threads}"));
        let out = out.to_str().unwrap();
        for file in [scenario.as_str(), shipped.to_str().unwrap()] {
            let o = cnasim_threads(threads, &["run", file, "--out", out]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        }
        let mut all = files(&Path::new(out).join("scale-test"));
        all.extend(files(&Path::new(out).join("policy-comparison")));
        seen.push(all);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "outputs differ between thread counts");
}

#[test]
fn a_population_is_the_same_whatever_generates_it() {
    let world = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| common::world(POPULATION))
    };
    let (one, four) = (world(1), world(4));
    assert_eq!(format!("{:?}", one.mailboxes), format!("{:?}", four.mailboxes));
    assert_eq!(format!("{:?}", one.databases), format!("{:?}", four.databases));
    // 1 explicit mailbox, then the generated ones that can change a metric.
    let counts = one.population.expect("a population");
    assert_eq!(counts.mailboxes, 2_000);
    assert_eq!(one.mailboxes.len() as u64, 1 + counts.materialized);
    assert_eq!(one.databases.len(), 2 + 4);
}

/// The mailbox column of each row of a CSV file.
fn mailboxes_in(csv: &Path, column: &str) -> BTreeSet<String> {
    let mut reader = csv::Reader::from_path(csv).unwrap();
    let index = reader.headers().unwrap().iter().position(|h| h == column).unwrap();
    reader.records().map(|r| r.unwrap()[index].to_string()).collect()
}

#[test]
fn large_worlds_log_the_followed_mailboxes_and_count_everyone() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_population(dir.path());
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let auto = cnasim_threads(2, &["run", &scenario, "--out", &out("auto"), "--stats"]);
    assert_eq!(auto.status.code(), Some(0), "{}", stderr(&auto));
    let all = cnasim_threads(2, &["run", &scenario, "--out", &out("all"), "--logs", "all"]);
    assert_eq!(all.status.code(), Some(0), "{}", stderr(&all));
    // The same numbers either way: only the logs' rows differ.
    assert_eq!(stdout(&auto), stdout(&all));
    let folder = |name: &str| dir.path().join(name).join("scale-test");
    // Every file but the four event logs is the same byte for byte:
    // dropouts, summary, charts, trace and report cover everyone either way.
    let logs =
        ["database_events.csv", "message_tracking.csv", "admin_audit.csv", "assistant_trace.log"];
    let (auto_files, all_files) = (files(&folder("auto")), files(&folder("all")));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&auto_files), names(&all_files));
    for ((name, a), (_, b)) in auto_files.iter().zip(&all_files) {
        if !logs.contains(&name.as_str()) {
            assert!(a == b, "{name} differs between --logs auto and --logs all");
        }
    }

    let world = common::world(POPULATION);
    let followed: BTreeSet<String> = cnasim::output::timeline::followed(&world)
        .iter()
        .map(|m| world.mailboxes[m.index()].name.clone())
        .collect();
    assert_eq!(followed.len(), 100);
    let logged = mailboxes_in(&folder("auto").join("database_events.csv"), "mailbox");
    assert!(!logged.is_empty() && logged.is_subset(&followed), "{logged:?}");
    // With every mailbox logged, the events of mailboxes without SMS (moved
    // only) are there too.
    let everyone = mailboxes_in(&folder("all").join("database_events.csv"), "mailbox");
    assert!(everyone.len() > followed.len() * 5, "{}", everyone.len());
    assert!(everyone.is_superset(&logged));

    // Everyone is counted, built or not: 1 explicit and 2,000 generated.
    let built = world.mailboxes.len();
    assert!(built < 2_001, "{built}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder("auto").join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["mailboxes"], 2_001);
    assert_eq!(summary["population"]["built"], built as u64 - 1);
    assert_eq!(summary["population"]["explicit"], 1);
    let svg = std::fs::read_to_string(folder("auto").join("timeline.svg")).unwrap();
    assert!(svg.contains("scale-test: 2001 mailboxes, "), "the chart's title counts everyone");

    // --stats says what the run cost.
    let err = stderr(&auto);
    let line = err.lines().find(|l| l.starts_with("stats scale-test: ")).expect(&err);
    assert!(line.contains("million events/s") && line.contains("logs: followed"), "{line}");
    assert!(line.contains(&format!(": 2001 mailboxes ({built} built), 6 databases;")), "{line}");
}
