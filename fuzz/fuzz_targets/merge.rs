//! Feeds shard folders to `cnasim sweep --merge`'s reader: the bytes of
//! one or two shards' sweep.json and results.csv are written into a
//! temporary folder and read back by `sweep::merge::read_shards`; the
//! rows of a merge it accepts are aggregated and tabled as the merged
//! folder's aggregate.csv and table are. Nothing may panic, hang or
//! allocate without bound, whatever the files hold.
//!
//! The input is split on NUL bytes into at most four parts: shard 1's
//! sweep.json, its results.csv, shard 2's sweep.json, its results.csv.
//! One or two parts make one shard, three or four two; a file whose part
//! is missing is not written (a NUL inside a file is refused by both
//! readers long before it matters, so nothing that could merge is lost).
//! In a sweep.json, every `@ROWS_HASH@` is replaced by the hash of its
//! shard's results.csv as a sweep writes it (`fnv1a64:` and 16 hex
//! digits), so that edited rows can pass the hash check as a deliberate
//! edit can, and the row checks behind it are reached.
//!
//! Seeds: `fuzz/seeds/merge/`, the shards of the scenario of
//! `tests/merge_inputs.rs` (`cnasim sweep FILE --shard 1/2`, `2/2` and
//! `1/1`) as written, with `@ROWS_HASH@`, and put together wrongly (one
//! missing, one twice, another shard's rows). A manifest names the cnasim
//! version that wrote it, which `--merge` requires: when the version
//! changes, make them again.

#![no_main]

use cnasim::sweep::aggregate;
use cnasim::sweep::manifest::hash;
use cnasim::sweep::merge::read_shards;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

/// The placeholder replaced by the results' hash.
const ROWS_HASH: &[u8] = b"@ROWS_HASH@";

/// `json` with every [`ROWS_HASH`] replaced by the hash of `csv`.
fn with_rows_hash(json: &[u8], csv: &[u8]) -> Vec<u8> {
    let hash = hash(csv);
    let mut out = Vec::with_capacity(json.len());
    let mut rest = json;
    while let Some(at) = rest.windows(ROWS_HASH.len()).position(|w| w == ROWS_HASH) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(hash.as_bytes());
        rest = &rest[at + ROWS_HASH.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Writes the shard folders under `root` and merges them.
fn merge(root: &Path, parts: &[&[u8]]) -> Result<(), String> {
    let shards = parts.len().div_ceil(2);
    let mut dirs: Vec<PathBuf> = Vec::with_capacity(shards);
    for shard in 0..shards {
        let dir = root.join(format!("shard-{}", shard + 1));
        std::fs::create_dir_all(&dir).expect("the fuzzer's temporary folder");
        let json = parts[2 * shard];
        let csv = parts.get(2 * shard + 1).copied();
        let json = with_rows_hash(json, csv.unwrap_or_default());
        std::fs::write(dir.join("sweep.json"), json).expect("the fuzzer's temporary folder");
        if let Some(csv) = csv {
            std::fs::write(dir.join("results.csv"), csv).expect("the fuzzer's temporary folder");
        }
        dirs.push(dir);
    }
    let (manifest, rows) = read_shards(&dirs)?;
    // What the merged folder is made of, but the files and the chart.
    let cells = aggregate::aggregate(&manifest, &rows);
    let metric = cnasim::model::metrics::METRIC_NAMES
        .iter()
        .position(|m| *m == manifest.metric)
        .unwrap_or(0);
    let _ = aggregate::table(&manifest, &cells, metric);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.splitn(4, |&b| b == 0).collect();
    // One folder per process, emptied after each input.
    let root = std::env::temp_dir().join(format!("cnasim-fuzz-merge-{}", std::process::id()));
    let result = merge(&root, &parts);
    std::fs::remove_dir_all(&root).expect("the fuzzer's temporary folder");
    if let Err(why) = result {
        drop(why);
    }
});
