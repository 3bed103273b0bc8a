//! The command line as users type it: exit codes, messages, files.

use std::path::{Path, PathBuf};

mod common;
use common::{cnasim, stderr, stdout};

/// A scenario file in a fresh temporary folder.
fn write_scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const VALID: &str = "name: tiny
description: one mailbox
start: 2016-01-01T00:00:00Z
end: 2016-01-03T00:00:00Z
databases:
  - name: DB01
  - name: DB02
mailboxes:
  - name: u
    database: DB01
    sms: { enable_at: 2016-01-01T08:00:00Z }
    calendar:
      - { subject: Lunch, start: 2016-01-01T12:00:00Z, reminder: 15m, repeat: { every: 1d, count: 2 } }
    move:
      target: DB02
      start: 2016-01-01T20:00:00Z
      sync_duration: 10m
";

#[test]
fn run_prints_the_table_and_writes_the_folder() {
    let out = tempfile::tempdir().unwrap();
    let o = cnasim(&["run", "scenarios/seed-incident.yaml", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.starts_with("seed-incident: seed 42,"), "{table}");
    assert!(table.contains("metric                 legacy  fixed"), "{table}");
    assert!(table.contains("reminders_missed"), "{table}");
    assert!(stderr(&o).contains("seed-incident"), "{}", stderr(&o));
    let folder = out.path().join("seed-incident");
    assert!(folder.join("summary.json").is_file());
    // Nothing else is left in --out: no temporary folders.
    let entries: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    assert_eq!(entries.len(), 1);
}

#[test]
fn json_format_prints_the_summary_and_nothing_else() {
    let out = tempfile::tempdir().unwrap();
    let o = cnasim(&[
        "run",
        "scenarios/seed-incident.yaml",
        "--out",
        out.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = stdout(&o);
    let file = std::fs::read_to_string(out.path().join("seed-incident/summary.json")).unwrap();
    assert_eq!(printed, file);
    let v: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(v["scenario"], "seed-incident");
    assert_eq!(v["seed"], 42);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["policies"]["legacy"]["reminders_missed"].as_u64().unwrap() > 0);
}

#[test]
fn seed_and_policy_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(dir.path(), "tiny.yaml", VALID);
    let out = dir.path().join("out");
    let o = cnasim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
        "--seed",
        "7",
        "--policy",
        "fixed",
        "--policy",
        "legacy",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["seed"], 7);
    let names: Vec<&String> = v["policies"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["fixed", "legacy"], "in the order asked for");

    let o = cnasim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--policy",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--policy: scenario `tiny` has no policy `nope`")
            && stderr(&o).contains("legacy, fixed"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_typo_in_a_key_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(
        dir.path(),
        "typo.yaml",
        &VALID.replace("sync_duration: 10m", "sync_duraton: 10m"),
    );
    let out = dir.path().join("out");
    let run = ["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let validate = ["validate", file.to_str().unwrap()];
    for (command, args) in [("run", &run[..]), ("validate", &validate[..])] {
        let o = cnasim(args);
        assert_eq!(o.status.code(), Some(2), "{command}");
        let e = stderr(&o);
        assert!(e.contains("typo.yaml:17:7: unknown field `sync_duraton`"), "{e}");
        assert!(e.contains("17 |       sync_duraton: 10m"), "{e}");
    }
    assert!(!out.exists(), "nothing written for a bad scenario");
}

#[test]
fn a_bad_duration_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(
        dir.path(),
        "bad.yaml",
        &VALID.replace("sync_duration: 10m", "sync_duration: 10 minutes"),
    );
    let o = cnasim(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("bad.yaml:17:22: expected a duration such as"), "{e}");
    assert!(e.contains("found `10 minutes`"), "{e}");
}

#[test]
fn net_timespans_are_read_unquoted() {
    let dir = tempfile::tempdir().unwrap();
    let text = VALID.replace("sync_duration: 10m", "sync_duration: 00:10:00\n      incremental_sync_interval: 1.00:00:00\n      lock_duration: 00:00:30.500");
    let file = write_scenario(dir.path(), "timespan.yaml", &text);
    let o = cnasim(&["validate", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("ok "), "{}", stdout(&o));
}

#[test]
fn files_and_folders_that_cannot_be_used() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.yaml");
    let o = cnasim(&["run", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.yaml: cannot read the file"), "{}", stderr(&o));

    let file = write_scenario(dir.path(), "tiny.yaml", VALID);
    let not_a_folder = write_scenario(dir.path(), "plain-file", "x");
    let o = cnasim(&["run", file.to_str().unwrap(), "--out", not_a_folder.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a folder"), "{}", stderr(&o));
    // A folder that cannot be created: its parent is a file.
    let under_a_file = not_a_folder.join("out");
    let o = cnasim(&["run", file.to_str().unwrap(), "--out", under_a_file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .starts_with(&format!("error: cannot create the folder {}: ", under_a_file.display())),
        "{}",
        stderr(&o)
    );

    let o = cnasim(&["run"]);
    assert_eq!(o.status.code(), Some(2), "usage errors exit 2");
    let o = cnasim(&["run", file.to_str().unwrap(), "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn two_files_naming_the_same_scenario_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_scenario(dir.path(), "a.yaml", VALID);
    let b = write_scenario(dir.path(), "b.yaml", VALID);
    let o = cnasim(&[
        "run",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("both name their scenario `tiny`"), "{}", stderr(&o));
}

#[test]
fn rerunning_replaces_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(dir.path(), "tiny.yaml", VALID);
    let out = dir.path().join("out");
    let o = cnasim(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cnasim(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A file of the user's in it stops that, until --force.
    std::fs::write(out.join("tiny/stale.txt"), "old").unwrap();
    let o = cnasim(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(out.join("tiny/stale.txt").exists());
    let o = cnasim(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("tiny/stale.txt").exists());
    assert!(out.join("tiny/summary.json").exists());
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1, "no temporary folders left");
}

#[test]
fn the_readme_shows_the_table_the_seed_incident_prints() {
    let out = tempfile::tempdir().unwrap();
    let o = cnasim(&["run", "scenarios/seed-incident.yaml", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(readme.contains(&stdout(&o)), "update README.md with:\n{}", stdout(&o));
}

#[test]
fn the_policies_page_shows_the_table_the_comparison_prints() {
    let out = tempfile::tempdir().unwrap();
    let o =
        cnasim(&["run", "scenarios/policy-comparison.yaml", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/policies.md"))
            .unwrap();
    assert!(page.contains(&stdout(&o)), "update docs/policies.md with:\n{}", stdout(&o));
}

#[test]
fn run_reports_every_bad_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_scenario(dir.path(), "a.yaml", "start: tomorrow\n");
    let b = write_scenario(
        dir.path(),
        "b.yaml",
        &VALID.replace("sync_duration: 10m", "sync_duraton: 10m"),
    );
    let out = dir.path().join("out");
    let o =
        cnasim(&["run", a.to_str().unwrap(), b.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("a.yaml:1:8: expected an RFC 3339 instant"), "{err}");
    assert!(
        err.contains("\nerror: ") && err.contains("b.yaml:17:7: unknown field `sync_duraton`"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written");
}

/// Runs cnasim with a tmpfs mounted at `dir` in a private mount namespace
/// (`unshare`, as an unprivileged user too where user namespaces are
/// allowed): `options` are the mount's (`size=64k`, `ro`), and `fill` fills
/// it up first. `None`, said on stderr, where mounting is not allowed.
fn on_a_tmpfs(
    dir: &Path,
    options: &str,
    fill: bool,
    args: &[&str],
) -> Option<std::process::Output> {
    const SCRIPT: &str = r#"mount -t tmpfs -o "$1" tmpfs "$2" || exit 97
if [ "$3" = fill ]; then head -c 1048576 /dev/zero > "$2/fill" 2>/dev/null; fi
shift 3
exec "$@""#;
    let run = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", SCRIPT, "sh", options])
        .arg(dir)
        .arg(if fill { "fill" } else { "no" })
        .arg(env!("CARGO_BIN_EXE_cnasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match run {
        Ok(o) if o.status.code() == Some(2) => Some(o),
        Ok(o) => {
            eprintln!(
                "SKIPPED: cannot mount a tmpfs in a private namespace here (exit {:?}: {})",
                o.status.code(),
                stderr(&o).trim()
            );
            None
        }
        Err(e) => {
            eprintln!("SKIPPED: cannot run unshare to mount a tmpfs ({e})");
            None
        }
    }
}

#[test]
fn a_full_or_read_only_disk_is_said_in_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path();
    let shown = m.display();
    let plain = |o: &std::process::Output, expected: &str| {
        let e = stderr(o);
        for debug in ["Os {", "Custom {", "kind:", "Error(", " at path ", ".tmp-", ".cnasim-"] {
            assert!(!e.contains(debug), "`{debug}` in: {e}");
        }
        assert!(e.contains(expected), "expected {expected:?} in: {e}");
    };
    let full = "No space left on device (os error 28)\n";
    // 64 KiB hold the logs but not timeline.png (which plotters used to
    // save, reporting `ImageError(IoError(Custom { .. }))`); one policy,
    // so no log parts are joined.
    let run = ["run", "scenarios/seed-incident.yaml", "--policy", "legacy", "--out"];
    let out = format!("{shown}/out");
    let Some(o) = on_a_tmpfs(m, "size=64k", false, &[&run[..], &[&out]].concat()) else { return };
    plain(&o, &format!("error: cannot write the output folder in {out}: {full}"));
    let sweep = ["sweep", "scenarios/seed-incident.yaml", "--seeds", "2", "--out", &out];
    let Some(o) = on_a_tmpfs(m, "size=64k", false, &sweep) else { return };
    plain(&o, &format!("error: cannot write the output folder in {out}: {full}"));
    // The JUnit report's temporary file was named in the message.
    let xml = format!("{shown}/report.xml");
    let check = ["check", "scenarios/seed-incident.yaml", "--junit", &xml];
    let Some(o) = on_a_tmpfs(m, "size=4k", true, &check) else { return };
    plain(&o, &format!("error: cannot write {xml}: {full}"));
    assert!(stdout(&o).contains("1 scenario: 13 assertions"), "{}", stdout(&o));
    // So was the output folder's.
    let Some(o) = on_a_tmpfs(m, "ro", false, &[&run[..], &[&shown.to_string()]].concat()) else {
        return;
    };
    plain(&o, &format!("error: cannot write in {shown}: Read-only file system"));
}

#[test]
fn validate_reads_a_file_with_its_set_values_as_run_does() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kb-workarounds.yaml"),
    )
    .unwrap();
    // Too many mailboxes for the cap as written; --set mends it.
    let file = write_scenario(dir.path(), "kb.yaml", &text);
    let args = ["validate", file.to_str().unwrap(), "--max-events", "20000"];
    assert_eq!(cnasim(&args).status.code(), Some(2));
    let mended = [&args[..], &["--set", "population.mailboxes=20"]].concat();
    let o = cnasim(&mended);
    assert!(o.status.success(), "{}", stderr(&o));
    for command in ["run", "check"] {
        let mut with = mended.clone();
        with[0] = command;
        if command == "run" {
            with.extend(["--out", dir.path().to_str().unwrap()]);
        }
        // check runs it (its expectations are the file's, for 600).
        assert_ne!(cnasim(&with).status.code(), Some(2), "{command}");
    }
}
