//! Golden outputs: each scenario's summary.json and database_events.csv
//! as insta snapshots in `tests/snapshots/`, so that any change of
//! behaviour (a rule, a random draw, a float's formatting) shows up as a
//! diff to review. After a deliberate change, run
//! `INSTA_UPDATE=always cargo test --test golden_outputs` (or
//! `cargo insta review`) and commit the new snapshots with the change.

use cnasim::output::summary::VERSION;
use cnasim::runner::run_to_folder;
use cnasim::scenario;

mod common;
use common::scenario_files;

#[test]
fn summaries_and_database_events_match_the_snapshots() {
    let out = tempfile::tempdir().unwrap();
    for path in scenario_files() {
        let world = scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let run = run_to_folder(&world, out.path()).unwrap();
        let folder = run.folder.unwrap();
        let read = |file: &str| std::fs::read_to_string(folder.join(file)).unwrap();
        // The file as written, but for the tool's version, so that a
        // release does not touch every snapshot.
        let version = format!("\"version\": \"{VERSION}\"");
        let summary = read("summary.json");
        assert_eq!(summary.matches(&version).count(), 1, "{summary}");
        let summary = summary.replace(&version, "\"version\": \"[version]\"");
        insta::with_settings!({ input_file => &path, omit_expression => true }, {
            insta::assert_snapshot!(format!("{}.summary.json", world.name), summary);
            insta::assert_snapshot!(
                format!("{}.database_events.csv", world.name),
                events_snapshot(&world, read("database_events.csv"))
            );
        });
    }
}

/// A generated population's events run to megabytes: its snapshot holds
/// their number and a hash of the file, which any changed row changes.
fn events_snapshot(world: &cnasim::model::World, events: String) -> String {
    if world.population.is_none() {
        return events;
    }
    let rows = events.lines().count().saturating_sub(1);
    format!("{rows} rows, {}\n", cnasim::sweep::manifest::hash(events.as_bytes()))
}
