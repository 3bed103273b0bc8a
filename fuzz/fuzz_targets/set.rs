//! Feeds a scenario file and `--set KEY=VALUE` arguments to the reader as
//! `cnasim run FILE --set ...` reads them, and runs every scenario it
//! accepts under a small event cap, evaluating its expectations: nothing
//! may panic, hang or allocate without bound, whatever the input.
//!
//! The input is split on NUL bytes: the first part is the file, each
//! later part one `--set` argument (`KEY=VALUE`). Neither can hold a NUL
//! (the reader refuses control characters anywhere in a file, and a
//! command-line argument ends at one), so every file and every argument
//! list a user can give has an encoding. An argument that is not UTF-8
//! is refused as clap refuses it. Each argument is also read as
//! `cnasim sweep --set KEY=V1,V2` reads one (its values split on commas),
//! without running anything.
//!
//! Seeds: `fuzz/seeds/set/`, shipped scenarios and tiny ones with sets
//! that are accepted and run, and sets refused each one way (a refused
//! key, an alias, a tag, an index past a list, overlapping paths, a bad
//! value).

#![no_main]

use cnasim::check::{CheckOptions, check_scenario};
use cnasim::output::LogFormat;
use cnasim::scenario::{Overrides, Set, Writes, parse_bytes};
use cnasim::sweep::grid::grid_flag;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// Small enough that each accepted input runs in milliseconds.
const MAX_EVENTS: u64 = 20_000;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0);
    let file = parts.next().unwrap_or_default();
    let mut sets = Vec::new();
    for arg in parts {
        let Ok(arg) = std::str::from_utf8(arg) else {
            // clap: "invalid UTF-8 was detected in one or more arguments".
            return;
        };
        // `cnasim sweep` reads the same argument as a grid key.
        match grid_flag(arg) {
            Ok(key) => {
                for value in &key.values {
                    let _ = value.argument();
                }
            }
            Err(why) => drop(why),
        }
        match Set::flag(arg) {
            Ok(set) => sets.push(set),
            // clap stops the command at the first refused argument.
            Err(why) => return drop(why),
        }
    }
    let overrides = Overrides {
        max_events: Some(MAX_EVENTS),
        // As `cnasim run` estimates it: the folder it would write.
        writes: Writes::Folder(None, LogFormat::Csv),
        sets: sets.clone(),
        ..Overrides::default()
    };
    match parse_bytes(file, "fuzz.yaml", "fuzz", &overrides) {
        Ok(world) => {
            let options = CheckOptions {
                sets: sets.iter().map(Set::argument).collect(),
                ..CheckOptions::default()
            };
            let checked = check_scenario(Path::new("fuzz.yaml"), &world, &options);
            for policy in &world.policies {
                let _ = checked.reproduce(&policy.name);
            }
        }
        Err(e) => {
            // The message is built lazily in places: render it.
            let _ = e.to_string();
        }
    }
});
