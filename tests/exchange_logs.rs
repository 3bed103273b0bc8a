//! `cnasim run --log-format exchange`: each policy's message tracking log
//! (`MSGTRK-<policy>.LOG`) and admin audit log (`admin_audit-<policy>.csv`)
//! in Exchange's own layouts, beside the CSV files. `cnasim diagnose` and
//! `cnasim import` read them back to the run's own MailboxMoveStarted
//! counters and times; the default writes what it always wrote; the files
//! are the same bytes every run, metered, counted in the estimate, and
//! cnasim's to replace.

mod common;

use common::{cnasim, cnasim_in, diagnose_json, entries, move_started, stderr, stdout};
use std::path::{Path, PathBuf};

fn seed_incident() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-incident.yaml").display().to_string()
}

/// Runs the seed incident in `dir` into `dir/out`, with `extra` arguments.
fn run_seed(dir: &Path, out: &str, extra: &[&str]) -> PathBuf {
    let scenario = seed_incident();
    let mut args = vec!["run", &scenario, "--out", out];
    args.extend(extra);
    let o = cnasim_in(dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join(out).join("seed-incident")
}

/// Every file of `folder` with its bytes, the marker left out.
fn files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    entries(folder)
        .into_iter()
        .filter(|n| n != ".cnasim-output")
        .map(|n| {
            let bytes = std::fs::read(folder.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// What a run of the seed incident writes without the flag.
const CSV_FOLDER: [&str; 11] = [
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
];

#[test]
fn the_exchange_logs_of_legacy_diagnose_and_import_back_to_the_runs_move_events() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_seed(dir.path(), "first", &["--log-format", "exchange"]);
    let evidence: Vec<String> =
        ["MSGTRK-legacy.LOG", "admin_audit-legacy.csv", "database_events.csv"]
            .iter()
            .map(|f| first.join(f).display().to_string())
            .collect();
    let mut args: Vec<&str> = evidence.iter().map(String::as_str).collect();
    args.extend(["--policy", "legacy"]);
    let json = diagnose_json(&args);
    // Each file was read as what it is: a raw tracking log, an Export-Csv
    // audit, cnasim's database events.
    let blocks: Vec<(String, String)> = json["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["kind"].as_str().unwrap().into(), b["format"].as_str().unwrap().into()))
        .collect();
    let pair = |k: &str, f: &str| (k.to_string(), f.to_string());
    assert_eq!(
        blocks,
        [
            pair("message-tracking", "msgtrk"),
            pair("admin-audit", "csv"),
            pair("database-events", "csv")
        ],
        "{json:#}"
    );
    let mailbox = &json["mailboxes"][0];
    assert_eq!(mailbox["verdict"], "kb3200823", "{json:#}");
    assert_eq!(mailbox["silences_after_move"], 7, "{json:#}");

    let file = dir.path().join("again.yaml").display().to_string();
    let mut args: Vec<&str> = vec!["import"];
    args.extend(evidence.iter().map(String::as_str));
    args.extend(["--policy", "legacy", "--out", &file]);
    let o = cnasim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("8 MailboxMoveStarted events reproduced"), "{}", stdout(&o));
    let o = cnasim_in(dir.path(), &["run", &file, "--out", "second"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again = dir.path().join("second/again");
    let want = move_started(&first, "legacy");
    assert_eq!(want.len(), 8);
    assert_eq!(move_started(&again, "legacy"), want, "counters and times");
    // It sends the SMS the log tracked and replays the audited
    // reconfigurations (the reminders that never became an SMS are not in
    // the logs, so the misses are not reproduced).
    let summary = |folder: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(folder.join("summary.json")).unwrap())
            .unwrap()
    };
    for metric in ["sms_sent", "user_reconfigurations"] {
        assert_eq!(
            summary(&again)["policies"]["legacy"][metric],
            summary(&first)["policies"]["legacy"][metric],
            "{metric}"
        );
    }
}

#[test]
fn the_files_are_exchange_s_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let folder = run_seed(dir.path(), "out", &["--log-format", "exchange"]);
    let tracking = std::fs::read_to_string(folder.join("MSGTRK-legacy.LOG")).unwrap();
    let lines: Vec<&str> = tracking.split("\r\n").collect();
    assert_eq!(
        lines[..4],
        [
            "#Software: Microsoft Exchange Server",
            "#Version: 15.01.0225.042",
            "#Log-type: Message Tracking Log",
            "#Date: 2016-01-24T16:15:00.000Z",
        ]
    );
    let fields: Vec<&str> = lines[4].strip_prefix("#Fields: ").unwrap().split(',').collect();
    assert_eq!(fields.len(), 30);
    assert_eq!((fields[0], fields[29]), ("date-time", "schema-version"));
    let rows: Vec<Vec<&str>> =
        lines[5..].iter().filter(|l| !l.is_empty()).map(|l| l.split(',').collect()).collect();
    // Nine SMS under legacy, each RECEIVE by STOREDRIVER then SEND by
    // AGENT, as message_tracking.csv has them.
    assert_eq!(rows.len(), 18);
    let csv = std::fs::read_to_string(folder.join("message_tracking.csv")).unwrap();
    let csv_rows: Vec<Vec<&str>> =
        csv.lines().filter(|l| l.starts_with("legacy,")).map(|l| l.split(',').collect()).collect();
    for (k, (row, theirs)) in rows.iter().zip(&csv_rows).enumerate() {
        assert_eq!(row.len(), 30, "{row:?}");
        // date-time, source, event-id, internal-message-id, recipients,
        // subject, sender.
        assert_eq!(row[0], theirs[1]);
        assert_eq!((row[7], row[8]), (theirs[3], theirs[2]));
        assert_eq!(row[9], (k / 2 + 1).to_string());
        assert_eq!((row[12], row[18], row[19]), (theirs[5], theirs[6], theirs[4]));
    }
    assert_eq!(rows[0][12], "IMCEAMOBILE-+2B10008675309@contoso.com");

    let audit = std::fs::read_to_string(folder.join("admin_audit-legacy.csv")).unwrap();
    let lines: Vec<&str> = audit.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "#TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.AdminAuditLogEvent"
    );
    assert_eq!(
        lines[1],
        "\"RunspaceId\",\"ObjectModified\",\"CmdletName\",\"CmdletParameters\",\
         \"ModifiedProperties\",\"Caller\",\"ExternalAccess\",\"Succeeded\",\"Error\",\"RunDate\",\
         \"OriginatingServer\",\"Identity\",\"IsValid\",\"ObjectState\""
    );
    // The enable, then seven reconfigurations; RunDate in the US form, UTC.
    assert_eq!(lines.iter().filter(|l| l.starts_with("\"\",")).count(), 8);
    assert!(lines[2].contains(",\"1/24/2016 1:15:17 PM\","), "{}", lines[2]);
    assert!(lines[3].contains(",\"1/25/2016 5:00:00 PM\","), "{}", lines[3]);
    assert!(lines[2].contains("\"contoso.com/Users/user1\""), "{}", lines[2]);
    // Under fixed the user never reconfigures: the enable only.
    let fixed = std::fs::read_to_string(folder.join("admin_audit-fixed.csv")).unwrap();
    assert_eq!(fixed.lines().count(), 3);
}

#[test]
fn a_log_without_rows_is_dated_the_window_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("quiet.yaml"),
        "name: quiet\nstart: 2016-01-24T00:00:00Z\nduration: 1d\ndatabases: [{ name: DB01 }]\n\
         mailboxes: [{ name: user1, database: DB01 }]\n",
    )
    .unwrap();
    let o = cnasim_in(dir.path(), &["run", "quiet.yaml", "--log-format", "exchange"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = dir.path().join("output/quiet");
    for policy in ["legacy", "fixed"] {
        let tracking =
            std::fs::read_to_string(folder.join(format!("MSGTRK-{policy}.LOG"))).unwrap();
        assert_eq!(tracking.lines().count(), 5, "{tracking}");
        assert!(tracking.contains("\r\n#Date: 2016-01-24T00:00:00.000Z\r\n"), "{tracking}");
        let audit =
            std::fs::read_to_string(folder.join(format!("admin_audit-{policy}.csv"))).unwrap();
        assert_eq!(audit.lines().count(), 2, "{audit}");
    }
}

#[test]
fn the_default_writes_what_it_always_wrote_and_the_flag_only_adds() {
    let dir = tempfile::tempdir().unwrap();
    let plain = run_seed(dir.path(), "plain", &[]);
    let csv = run_seed(dir.path(), "csv", &["--log-format", "csv"]);
    let exchange = run_seed(dir.path(), "exchange", &["--log-format", "exchange"]);
    let mut expected: Vec<String> = CSV_FOLDER.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(entries(&plain), expected);
    assert_eq!(files(&plain), files(&csv), "--log-format csv is the default");
    let added = [
        "MSGTRK-fixed.LOG",
        "MSGTRK-legacy.LOG",
        "admin_audit-fixed.csv",
        "admin_audit-legacy.csv",
    ];
    let mut with: Vec<String> = expected.iter().cloned().chain(added.map(String::from)).collect();
    with.sort();
    assert_eq!(entries(&exchange), with);
    // Every file the default writes is the same bytes with the flag.
    let exchange_files = files(&exchange);
    for (name, bytes) in files(&plain) {
        let theirs = exchange_files.iter().find(|(n, _)| *n == name).unwrap();
        assert!(theirs.1 == bytes, "{name} differs with --log-format exchange");
    }
    // Each name is one cnasim may replace.
    for name in &with {
        assert!(cnasim::output::folder::is_output_file(name), "{name}");
    }
}

#[test]
fn two_runs_with_the_flag_write_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let a = run_seed(dir.path(), "a", &["--log-format", "exchange"]);
    let b = run_seed(dir.path(), "b", &["--log-format", "exchange"]);
    let (a, b) = (files(&a), files(&b));
    assert_eq!(a.len(), 14);
    for ((name, x), (other, y)) in a.iter().zip(&b) {
        assert_eq!(name, other);
        assert!(x == y, "{name} differs between two runs");
    }
}

#[test]
fn a_folder_with_exchange_logs_is_cnasim_s_to_replace_and_reads_as_one_policy() {
    let dir = tempfile::tempdir().unwrap();
    let folder = run_seed(dir.path(), "out", &["--log-format", "exchange"]);
    // Read as a folder, the Exchange-format copies are passed over, so one
    // policy's rows are read, as from a folder without them.
    let json = diagnose_json(&[&folder.display().to_string(), "--policy", "legacy"]);
    assert_eq!(json["mailboxes"][0]["verdict"], "kb3200823");
    assert_eq!(json["mailboxes"][0]["silences_after_move"], 7);
    let notes = json["notes"].to_string();
    assert!(notes.contains("MSGTRK-fixed.LOG: passed over"), "{notes}");
    // Written again without the flag, the folder loses them.
    let again = run_seed(dir.path(), "out", &[]);
    assert_eq!(again, folder);
    assert!(!folder.join("MSGTRK-legacy.LOG").exists());
    // A file that only looks like one is the user's: the folder is kept.
    run_seed(dir.path(), "out", &["--log-format", "exchange"]);
    std::fs::write(folder.join("MSGTRK-legacy.LOG.orig"), "mine").unwrap();
    let o = cnasim_in(dir.path(), &["run", &seed_incident(), "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds `MSGTRK-legacy.LOG.orig`"), "{}", stderr(&o));
    assert!(folder.join("MSGTRK-legacy.LOG").exists());
}

/// The output estimate `validate` prints: "writes about X".
fn estimate(args: &[&str]) -> String {
    let o = cnasim(args);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let after = text.split("writes about ").nth(1).unwrap();
    after.split([';', '\n']).next().unwrap().to_string()
}

fn mib(text: &str) -> f64 {
    let (number, unit) = text.split_once(' ').unwrap();
    let scale = match unit {
        "MiB" => 1.0,
        "GiB" => 1024.0,
        other => panic!("{other}"),
    };
    number.parse::<f64>().unwrap() * scale
}

#[test]
fn the_estimate_counts_them_and_max_output_refuses_before_writing() {
    let kb = "scenarios/kb-workarounds.yaml";
    let csv = estimate(&["validate", kb]);
    let exchange = estimate(&["validate", kb, "--log-format", "exchange"]);
    assert!(mib(&exchange) > mib(&csv) + 20.0, "{csv} then {exchange}");
    // Between the two: the CSV files fit, the Exchange logs push it over.
    let limit = format!("{}M", (mib(&csv) + mib(&exchange)) as u64 / 2);
    let o = cnasim(&["validate", kb, "--max-output", &limit]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(kb).display().to_string();
    let flag = ["--log-format", "exchange", "--max-output", &limit];
    let validate: Vec<&str> = ["validate", &file].into_iter().chain(flag).collect();
    let run: Vec<&str> = ["run", &file, "--out", "out"].into_iter().chain(flag).collect();
    for args in [validate, run] {
        let o = cnasim_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        assert!(stderr(&o).contains("more than --max-output"), "{args:?}: {}", stderr(&o));
    }
    assert!(entries(dir.path()).is_empty(), "nothing written");
}

#[test]
fn the_meter_counts_them_while_they_are_written() {
    use cnasim::output::{LogFormat, Meter, OutputFolder, Replace};
    use cnasim::runner::{FolderOptions, run_to_folder_with};
    let world = cnasim::scenario::load(Path::new(&seed_incident())).unwrap();
    let out = tempfile::tempdir().unwrap();
    // What the CSV files and the views take, metered.
    let folder = OutputFolder::create(out.path(), &world.name, &Replace::default()).unwrap();
    let options = FolderOptions::default();
    let run = run_to_folder_with(&world, folder, &options).unwrap();
    let written: u64 =
        files(run.folder.as_ref().unwrap()).iter().map(|(_, bytes)| bytes.len() as u64).sum();
    // Room for those and a little more: the Exchange logs stop the run.
    let out = tempfile::tempdir().unwrap();
    let folder = OutputFolder::create(out.path(), &world.name, &Replace::default()).unwrap();
    let options = FolderOptions {
        log_format: LogFormat::Exchange,
        meter: Meter::new(written + 1000),
        ..FolderOptions::default()
    };
    let error = run_to_folder_with(&world, folder, &options).err().expect("the run stops");
    assert!(error.to_string().contains("passed --max-output"), "{error}");
    assert!(entries(out.path()).is_empty());
}
