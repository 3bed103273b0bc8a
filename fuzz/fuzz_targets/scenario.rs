//! Feeds arbitrary bytes to the scenario reader, as `cnasim validate` and
//! `cnasim check` do, and runs every scenario it accepts under a small
//! event cap, evaluating its expectations: nothing may panic, hang or
//! allocate without bound, whatever the input.

#![no_main]

use cnasim::check::{CheckOptions, check_scenario};
use cnasim::scenario::{Overrides, parse_bytes};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// Small enough that each accepted input runs in milliseconds.
const MAX_EVENTS: u64 = 20_000;

fuzz_target!(|data: &[u8]| {
    let overrides = Overrides { max_events: Some(MAX_EVENTS), ..Overrides::default() };
    match parse_bytes(data, "fuzz.yaml", "fuzz", &overrides) {
        Ok(world) => {
            let checked = check_scenario(Path::new("fuzz.yaml"), &world, &CheckOptions::default());
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
