//! What is at an output folder's place is the user's until cnasim knows
//! it wrote it: only a folder with cnasim's marker is replaced, never one
//! holding an input; the swap is atomic, so a process killed at any point
//! of the commit leaves the old or the new folder complete in place, and
//! the next run cleans up what it left.
#![cfg(unix)]

mod common;

use common::{LONG_RUN, cnasim_in, entries, stderr};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const SCENARIO: &str = include_str!("../scenarios/seed-incident.yaml");

/// A folder with the seed incident as `s.yaml`, named `name`.
fn project(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = SCENARIO.replace("name: seed-incident", &format!("name: {name}"));
    std::fs::write(dir.path().join("s.yaml"), text).unwrap();
    dir
}

/// Every file of `dir` (recursively, relative paths) and its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                all.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    all
}

#[test]
fn a_folder_cnasim_did_not_write_is_not_replaced() {
    let dir = project("src");
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), "fn main() {}").unwrap();
    let out = cnasim_in(dir.path(), &["run", "s.yaml", "--out", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("./src is a folder that cnasim did not write"), "{message}");
    assert!(message.contains("--force"), "{message}");
    assert_eq!(entries(&dir.path().join("src")), ["main.rs"]);
    // Nothing of the run is left beside it.
    assert_eq!(entries(dir.path()), ["s.yaml", "src"]);
    // --force is the user saying so.
    let out = cnasim_in(dir.path(), &["run", "s.yaml", "--out", ".", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join("src/summary.json").exists());
    assert!(!dir.path().join("src/main.rs").exists());
}

#[test]
fn a_file_or_a_link_at_the_place_is_not_replaced() {
    let dir = project("x");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("x"), "the user's notes").unwrap();
    let out = cnasim_in(dir.path(), &["run", "s.yaml", "--out", "out"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("out/x is a file;"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(out_dir.join("x")).unwrap(), "the user's notes");
    std::fs::remove_file(out_dir.join("x")).unwrap();
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), out_dir.join("x")).unwrap();
    let out = cnasim_in(dir.path(), &["run", "s.yaml", "--out", "out"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("out/x is a symbolic link"), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(out_dir.join("x")).unwrap().file_type().is_symlink());
    assert_eq!(entries(&out_dir), ["x"]);
}

#[test]
fn a_folder_holding_an_input_is_never_replaced() {
    let dir = project("x");
    assert!(cnasim_in(dir.path(), &["run", "s.yaml", "--out", "out"]).status.success());
    std::fs::rename(dir.path().join("s.yaml"), dir.path().join("out/x/s.yaml")).unwrap();
    for force in [false, true] {
        let mut args = vec!["run", "out/x/s.yaml", "--out", "out"];
        if force {
            args.push("--force");
        }
        let out = cnasim_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("an input of this run"), "{}", stderr(&out));
        assert!(dir.path().join("out/x/s.yaml").exists());
    }
}

#[test]
fn sweep_and_merge_do_not_replace_a_folder_of_the_user_s() {
    let dir = project("x");
    let user = dir.path().join("out/x.sweep");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(user.join("notes.txt"), "mine").unwrap();
    let out = cnasim_in(dir.path(), &["sweep", "s.yaml", "--out", "out"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cnasim did not write"), "{}", stderr(&out));
    for i in ["1", "2"] {
        let shard = format!("{i}/2");
        let out = cnasim_in(dir.path(), &["sweep", "s.yaml", "--shard", &shard, "--out", "shards"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = cnasim_in(
        dir.path(),
        &[
            "sweep",
            "--merge",
            "shards/x.sweep-shard-1-of-2",
            "shards/x.sweep-shard-2-of-2",
            "--out",
            "out",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(entries(&user), ["notes.txt"]);
    // A merge into the folder that holds a shard is refused, --force or not.
    std::fs::remove_dir_all(&user).unwrap();
    assert!(cnasim_in(dir.path(), &["sweep", "s.yaml", "--out", "out"]).status.success());
    let copied = Command::new("cp")
        .args(["-r", "shards/x.sweep-shard-1-of-2", "out/x.sweep/shard-1"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(copied.success());
    let out = cnasim_in(
        dir.path(),
        &[
            "sweep",
            "--merge",
            "out/x.sweep/shard-1",
            "shards/x.sweep-shard-2-of-2",
            "--out",
            "out",
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("an input of this run"), "{}", stderr(&out));
    assert!(user.join("shard-1/results.csv").exists());
}

/// Waits up to 60 s for `child`; kills it and fails if it is still going.
fn finishes(mut child: std::process::Child) -> std::process::Output {
    for _ in 0..6_000 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    panic!("the command was still running after 60 s: it did not stop before the run");
}

#[test]
fn an_output_that_cannot_be_written_stops_the_command_before_any_run() {
    let dir = project("x");
    std::fs::write(dir.path().join("long-run.yaml"), LONG_RUN).unwrap();
    std::fs::write(dir.path().join("a-file"), "").unwrap();
    let spawn = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cnasim"))
            .args(args)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    for command in ["run", "sweep"] {
        let out = finishes(spawn(&[
            command,
            "long-run.yaml",
            "--max-events",
            "100000000000",
            "--out",
            "a-file/out",
        ]));
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
    }
    // The second scenario's place is taken: the first does not run either.
    std::fs::create_dir_all(dir.path().join("out/x")).unwrap();
    let out = finishes(spawn(&[
        "run",
        "long-run.yaml",
        "s.yaml",
        "--max-events",
        "100000000000",
        "--out",
        "out",
    ]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(entries(&dir.path().join("out")), ["x"]);
}

/// Starts `cnasim ARGS` in `dir` with its commit held at `stage`, and
/// returns once it says it is holding there.
fn held_at(dir: &Path, args: &[&str], stage: &str, by_renames: bool) -> std::process::Child {
    use std::io::BufRead;
    let mut command = Command::new(env!("CARGO_BIN_EXE_cnasim"));
    command
        .args(args)
        .current_dir(dir)
        .env("CNASIM_TEST_HOLD_COMMIT", stage)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if by_renames {
        command.env("CNASIM_TEST_COMMIT_BY_RENAMES", "1");
    }
    let mut child = command.spawn().unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let expected = format!("cnasim: holding the commit at {stage}");
    let held = stderr.lines().map_while(Result::ok).any(|line| line == expected);
    assert!(held, "the run never reached {stage}");
    child
}

/// Runs `cnasim run s.yaml --seed SEED --out out` in `dir` with the commit
/// held at `stage`, kills it (SIGKILL) there, and returns.
fn killed_at(dir: &Path, seed: &str, stage: &str, by_renames: bool) {
    let args = ["run", "s.yaml", "--seed", seed, "--out", "out"];
    let mut child = held_at(dir, &args, stage, by_renames);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The folder `cnasim run s.yaml --seed SEED` writes, file by file.
fn reference(dir: &Path, seed: &str) -> BTreeMap<PathBuf, Vec<u8>> {
    let out = dir.join(format!("reference-{seed}"));
    let done = cnasim_in(dir, &["run", "s.yaml", "--seed", seed, "--out", out.to_str().unwrap()]);
    assert!(done.status.success(), "{}", stderr(&done));
    files(&out.join("x"))
}

#[test]
fn a_kill_at_the_commit_leaves_the_old_or_the_new_folder_complete() {
    let cases = [
        ("before-swap", false, "old"),
        ("after-swap", false, "new"),
        ("between-renames", true, "aside"),
        ("before-swap", true, "old"),
    ];
    for (stage, by_renames, expected) in cases {
        let dir = project("x");
        let (old, new) = (reference(dir.path(), "1"), reference(dir.path(), "2"));
        assert_ne!(old, new);
        let first = cnasim_in(dir.path(), &["run", "s.yaml", "--seed", "1", "--out", "out"]);
        assert!(first.status.success());
        killed_at(dir.path(), "2", stage, by_renames);
        let out = dir.path().join("out");
        match expected {
            "old" => assert!(files(&out.join("x")) == old, "{stage}: not the old folder"),
            "new" => assert!(files(&out.join("x")) == new, "{stage}: not the new folder"),
            _ => {
                // Between the renames the old folder is aside, complete.
                assert!(!out.join("x").exists());
                let aside: Vec<String> =
                    entries(&out).into_iter().filter(|n| n.starts_with(".x.old-")).collect();
                assert_eq!(aside.len(), 1, "{:?}", entries(&out));
                assert!(files(&out.join(&aside[0])) == old);
            }
        }
        // The next run puts things right and leaves nothing behind.
        let next = cnasim_in(dir.path(), &["run", "s.yaml", "--seed", "3", "--out", "out"]);
        assert!(next.status.success(), "{}", stderr(&next));
        if expected == "aside" {
            assert!(
                stderr(&next).contains("back in place: an interrupted run"),
                "{}",
                stderr(&next)
            );
        }
        assert_eq!(entries(&out), ["x"], "{stage}");
        assert!(files(&out.join("x")) == reference(dir.path(), "3"), "{stage}");
    }
}

#[test]
fn a_run_does_not_touch_another_run_s_temporary_folder() {
    let dir = project("x");
    let args = ["run", "s.yaml", "--out", "out"];
    let mut writer = held_at(dir.path(), &args, "before-swap", false);
    let live: Vec<String> =
        entries(&dir.path().join("out")).into_iter().filter(|n| n.starts_with(".x.tmp-")).collect();
    assert_eq!(live.len(), 1);
    // Another run of the same scenario meanwhile: the live folder stays.
    let other = cnasim_in(dir.path(), &["run", "s.yaml", "--out", "out"]);
    assert!(other.status.success(), "{}", stderr(&other));
    assert!(dir.path().join("out").join(&live[0]).join("summary.json").exists());
    writer.kill().unwrap();
    writer.wait().unwrap();
}

#[test]
fn files_that_grow_past_max_output_stop_the_run_and_leave_nothing() {
    use cnasim::output::{Meter, OutputFolder, Replace};
    use cnasim::runner::{FolderOptions, run_to_folder_with};
    // The estimate refuses any valid scenario that would pass the limit;
    // the meter stops one that passes it anyway, as here, where the limit
    // is set below what the seed incident writes, past validation.
    let out = tempfile::tempdir().unwrap();
    let world = cnasim::scenario::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/seed-incident.yaml"
    )))
    .unwrap();
    let folder = OutputFolder::create(out.path(), &world.name, &Replace::default()).unwrap();
    let options = FolderOptions { meter: Meter::new(20_000), ..FolderOptions::default() };
    let error = run_to_folder_with(&world, folder, &options).err().expect("the run stops");
    assert!(error.to_string().contains("passed --max-output (19.5 KiB)"), "{error}");
    assert_eq!(entries(out.path()), Vec::<String>::new());
}

#[test]
fn a_file_added_to_a_folder_of_cnasim_s_is_kept() {
    let dir = project("x");
    assert!(cnasim_in(dir.path(), &["run", "s.yaml", "--out", "out"]).status.success());
    std::fs::write(dir.path().join("out/x/analysis.md"), "my notes").unwrap();
    let o = cnasim_in(dir.path(), &["run", "s.yaml", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("holds `analysis.md`, which cnasim did not write"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("out/x/analysis.md")).unwrap(), "my notes");
}

#[test]
fn a_marker_that_links_elsewhere_is_never_written_through() {
    let dir = project("x");
    let precious = dir.path().join("precious.txt");
    std::fs::write(&precious, "precious").unwrap();
    std::fs::create_dir_all(dir.path().join("out/x")).unwrap();
    std::os::unix::fs::symlink(&precious, dir.path().join("out/x/.cnasim-output")).unwrap();
    let o = cnasim_in(dir.path(), &["run", "s.yaml", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no valid .cnasim-output file"), "{}", stderr(&o));
    for command in [
        &["run", "s.yaml", "--out", "out", "--force"][..],
        &["sweep", "s.yaml", "--out", "out", "--force"],
    ] {
        let o = cnasim_in(dir.path(), command);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "precious");
}

#[test]
fn only_the_folders_cnasim_made_for_out_go_when_nothing_is_written() {
    let dir = project("x");
    std::fs::create_dir(dir.path().join("keep")).unwrap();
    // Refused after --out is made: `nope/../keep` makes `nope`, not `keep`.
    let o =
        cnasim_in(dir.path(), &["sweep", "s.yaml", "--out", "nope/../keep", "--max-events", "10"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(dir.path().join("keep").is_dir(), "the user's folder is kept");
    let o = cnasim_in(dir.path(), &["run", "s.yaml", "--out", "new/deeper", "--max-output", "1K"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!dir.path().join("new").exists(), "the folders made for --out go again");
}

#[test]
fn every_folder_holds_only_the_files_cnasim_writes() {
    use cnasim::output::folder::OUTPUT_FILES;
    let dir = project("x");
    let commands: [&[&str]; 3] = [
        &["run", "s.yaml", "--out", "out"],
        &["sweep", "s.yaml", "--seeds", "2", "--out", "out"],
        &["sweep", "s.yaml", "--seeds", "2", "--shard", "1/2", "--out", "out"],
    ];
    for args in commands {
        assert!(cnasim_in(dir.path(), args).status.success());
    }
    for folder in ["x", "x.sweep", "x.sweep-shard-1-of-2"] {
        for name in entries(&dir.path().join("out").join(folder)) {
            assert!(OUTPUT_FILES.contains(&name.as_str()), "{folder}/{name} is not listed");
        }
    }
    // Each is cnasim's to replace: writing them again works.
    for args in commands {
        assert!(cnasim_in(dir.path(), args).status.success());
    }
}
