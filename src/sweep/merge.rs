//! `cnasim sweep --merge DIR...`: shard folders back into one sweep. Every
//! shard must describe the same sweep, each shard of the count must be
//! there exactly once, and the rows must be exactly the sweep's runs, each
//! in its own shard; then the rows, sorted by run, are those of the sweep
//! run whole.
//!
//! Everything read from a shard folder is checked before it is used: the
//! manifest by the rules a sweep applies ([`Manifest::check`]; its
//! scenario names the folder written), results.csv against the
//! manifest's `rows_hash`, its size, its order and each row's metrics
//! ([`results::read`]). Nothing is written until every shard passes.

use super::manifest::{self, Manifest};
use super::results::{self, Row};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Most missing shards a refusal names; it counts the others.
const MISSING_NAMED: usize = 10;

/// Reads one shard folder's manifest, refusing one that a sweep of this
/// cnasim could not have written ([`Manifest::check`]) before any of it
/// is used: its scenario names the folder the merge writes.
fn read_manifest(dir: &Path) -> Result<Manifest, String> {
    let shown = dir.display();
    let path = dir.join("sweep.json");
    let not_shard = |e: std::io::Error| {
        format!("{shown}: not a sweep shard folder (cannot read sweep.json: {e})")
    };
    let file = std::fs::File::open(&path).map_err(not_shard)?;
    let meta = file.metadata().map_err(not_shard)?;
    let too_large = |size: String| {
        format!(
            "{}: {size} bytes; a sweep.json that cnasim writes is at most {} bytes",
            path.display(),
            manifest::MAX_BYTES
        )
    };
    if !meta.is_file() {
        return Err(format!("{}: not a regular file", path.display()));
    }
    if meta.len() > manifest::MAX_BYTES {
        return Err(too_large(meta.len().to_string()));
    }
    // At most one byte past the limit: the file may grow after the check.
    let mut bytes = Vec::new();
    file.take(manifest::MAX_BYTES + 1).read_to_end(&mut bytes).map_err(not_shard)?;
    if bytes.len() as u64 > manifest::MAX_BYTES {
        return Err(too_large(format!("more than {}", manifest::MAX_BYTES)));
    }
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: not a sweep manifest: {e}", path.display()))?;
    manifest.check().map_err(|why| format!("{}: {why}", path.display()))?;
    if manifest.shard.is_none() {
        return Err(format!(
            "{shown} holds a whole sweep, not a shard; only shard folders \
             (NAME.sweep-shard-I-of-N) are merged"
        ));
    }
    manifest.check_rows_hash().map_err(|why| format!("{}: {why}", path.display()))?;
    Ok(manifest)
}

/// The sweep that the shard folders `dirs` make up, and its rows in run
/// order then policy order; or why they do not make one.
pub fn read_shards(dirs: &[PathBuf]) -> Result<(Manifest, Vec<Row>), String> {
    let Some(first_dir) = dirs.first() else {
        return Err("give the shard folders to merge".into());
    };
    let manifests: Vec<Manifest> =
        dirs.iter().map(|d| read_manifest(d)).collect::<Result<_, _>>()?;
    let first = &manifests[0];
    let count = first.shard.map_or(0, |s| s.count);
    let mut by_index: Vec<Option<&PathBuf>> = vec![None; count as usize];
    for (dir, m) in dirs.iter().zip(&manifests) {
        if let Some(what) = first.difference(m) {
            return Err(format!(
                "{} and {} are shards of different sweeps: {what} differs",
                first_dir.display(),
                dir.display()
            ));
        }
        let Some(shard) = m.shard else { continue };
        if shard.count != count {
            return Err(format!(
                "{} is a shard of {count} and {} of {}: the sweep was split differently",
                first_dir.display(),
                dir.display(),
                shard.count
            ));
        }
        let slot = &mut by_index[(shard.index - 1) as usize];
        if let Some(other) = slot {
            return Err(format!(
                "shard {shard} is given twice: {} and {}",
                other.display(),
                dir.display()
            ));
        }
        *slot = Some(dir);
    }
    // The count is a claim of the manifests (up to a million shards): the
    // first few missing are named, the others counted.
    let missing = by_index.iter().filter(|d| d.is_none()).count();
    if missing > 0 {
        let mut named: Vec<String> = by_index
            .iter()
            .enumerate()
            .filter(|(_, d)| d.is_none())
            .take(MISSING_NAMED)
            .map(|(i, _)| format!("{}/{count}", i + 1))
            .collect();
        if missing > named.len() {
            let more = format!("and {} more", missing - named.len());
            named.push(more);
        }
        return Err(format!(
            "shard{} {} {} missing",
            if missing == 1 { "" } else { "s" },
            named.join(", "),
            if missing == 1 { "is" } else { "are" }
        ));
    }
    let policies = first.policies.len();
    // Not reserved from the manifests' counts, which are only claims: the
    // rows grow with what the files hold.
    let mut rows: Vec<Row> = Vec::new();
    for (dir, m) in dirs.iter().zip(&manifests) {
        let Some(shard) = m.shard else { continue };
        rows.extend(results::read(&dir.join("results.csv"), m, shard)?);
    }
    // Exactly one row per run and policy.
    rows.sort_by_key(|r| (r.run, r.policy));
    let expected = first.runs as usize * policies;
    for (i, row) in rows.iter().enumerate() {
        let (run, policy) = ((i / policies) as u64, i % policies);
        if (row.run, row.policy) != (run, policy) {
            let what = if (row.run, row.policy) < (run, policy) { "twice" } else { "missing" };
            let (run, policy) = if what == "twice" { (row.run, row.policy) } else { (run, policy) };
            return Err(format!(
                "the shards' results are not the sweep's runs: run {run} under {} is {what}",
                first.policies[policy]
            ));
        }
    }
    if rows.len() != expected {
        let run = rows.len() / policies;
        return Err(format!(
            "the shards' results are not the sweep's runs: run {run} under {} is missing",
            first.policies[rows.len() % policies]
        ));
    }
    // The sweep's manifest: writing the complete folder drops the shard.
    Ok((first.clone(), rows))
}
