//! Checking a sweep's grid costs a read of the file per diagonal point
//! (as many as the longest list of values), not one per value: a file
//! whose `sweep.set` has a thousand keys validated in 11 s when each value
//! was checked on its own. Counted, not timed: the reads go through a
//! counter of the library's, which only this test (alone in its binary)
//! moves.

use cnasim::scenario::{Overrides, parse, text_reads};

/// A scenario with `n` moved mailboxes, and `sweep` after it.
fn scenario(n: usize, sweep: &str) -> String {
    let mut text = String::from(
        "name: cost\nstart: 2016-01-24T00:00:00Z\nduration: 2d\n\
         databases: [{ name: DB01 }, { name: DB02 }]\nmailboxes:\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "  - {{ name: u{i}, database: DB01, move: {{ target: DB02, start: \
             2016-01-24T21:20:00Z, incremental_sync_interval: 1d, sync_duration: 10m }} }}\n"
        ));
    }
    text.push_str(sweep);
    text
}

/// The reads that validating `text` takes.
fn reads(text: &str) -> u64 {
    let before = text_reads();
    parse(text, "cost.yaml", "cost", &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
    text_reads() - before
}

#[test]
fn a_sweep_grid_costs_one_read_per_diagonal_point() {
    // The file alone.
    assert_eq!(reads(&scenario(3, "")), 1);
    // 300 keys of one value each: the file, then one point with them all.
    let keys: String =
        (0..300).map(|i| format!("    mailboxes.{i}.move.sync_duration: [11m]\n")).collect();
    assert_eq!(reads(&scenario(300, &format!("sweep:\n  set:\n{keys}"))), 2);
    // Lists of 3, 1 and 2 values: three points.
    let grid = "sweep:\n  set:\n    mailboxes.0.move.sync_duration: [1m, 2m, 3m]\n    \
                mailboxes.1.move.lock_duration: [5m]\n    \
                mailboxes.2.move.incremental_sync_interval: [12h, 2d]\n";
    assert_eq!(reads(&scenario(3, grid)), 1 + 3);
    // A value refused in the last point is still found, at its place.
    let bad = grid.replace("[12h, 2d]", "[12h, 200d]");
    let e = parse(&scenario(3, &bad), "cost.yaml", "cost", &Overrides::default()).unwrap_err();
    assert!(
        e.message.starts_with(
            "sweep value `200d` of `mailboxes.2.move.incremental_sync_interval`: \
             incremental_sync_interval must be from 0 to 120 days"
        ),
        "{e}"
    );
    assert_eq!((e.line, e.column), (13, 55), "{e}");
}
