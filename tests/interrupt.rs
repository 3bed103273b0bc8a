//! An interrupted command leaves nothing behind: Ctrl-C (SIGINT), `kill`
//! (SIGTERM) and a closed terminal (SIGHUP) remove the unfinished output
//! folder, keep the previous one, and exit with code 130.
#![cfg(unix)]

mod common;

use common::{LONG_RUN, entries};

use std::process::{Command, Stdio};
use std::time::Duration;

fn interrupted_by(signal: &str, terminal_gone: bool) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("long-run.yaml");
    let out = dir.path().join("out");
    // The folder of an earlier, shorter run survives.
    std::fs::write(&scenario, LONG_RUN.replace("duration: 60d", "duration: 1h")).unwrap();
    let earlier = Command::new(env!("CARGO_BIN_EXE_cnasim"))
        .args(["run", "--out"])
        .arg(&out)
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(earlier.status.success(), "{}", String::from_utf8_lossy(&earlier.stderr));
    let summary = std::fs::read_to_string(out.join("long-run/summary.json")).unwrap();
    std::fs::write(&scenario, LONG_RUN).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cnasim"))
        .args(["run", "--max-events", "100000000000"])
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the temporary folder: the run has started writing.
    let started = (0..2_000).any(|_| {
        std::thread::sleep(Duration::from_millis(5));
        out.is_dir() && entries(&out).iter().any(|n| n.starts_with(".long-run.tmp-"))
    });
    assert!(started, "no temporary output folder appeared");
    if terminal_gone {
        // Nothing reads stderr any more: the handler's message fails.
        drop(child.stderr.take());
    }
    let pid = child.id().to_string();
    let sent = Command::new("kill").args([signal, &pid]).status().unwrap();
    assert!(sent.success());
    let status = (0..2_000).find_map(|_| {
        std::thread::sleep(Duration::from_millis(5));
        child.try_wait().unwrap()
    });
    let Some(status) = status else {
        child.kill().unwrap();
        panic!("{signal}: the run did not stop");
    };
    let mut stderr = String::new();
    if let Some(pipe) = child.stderr.as_mut() {
        std::io::Read::read_to_string(pipe, &mut stderr).unwrap();
        assert_eq!(stderr, "interrupted: unfinished output removed\n");
    }
    assert_eq!(status.code(), Some(130), "{signal}: {stderr}");
    assert_eq!(entries(&out), ["long-run"], "{signal}: output left behind");
    assert_eq!(std::fs::read_to_string(out.join("long-run/summary.json")).unwrap(), summary);
}

#[test]
fn ctrl_c_removes_the_unfinished_folder() {
    interrupted_by("-INT", false);
}

#[test]
fn kill_removes_the_unfinished_folder() {
    interrupted_by("-TERM", false);
}

#[test]
fn a_closed_terminal_removes_the_unfinished_folder() {
    interrupted_by("-HUP", false);
}

#[test]
fn an_interrupt_with_nowhere_to_report_still_exits_cleanly() {
    interrupted_by("-HUP", true);
}
