//! results.csv: one row per run and policy, in run order then policy
//! order: `run,seed,<a column per grid key>,policy,<every metric>,
//! events_handled`. Reals are written in the shortest form that reads back
//! as the same value, so a merge rebuilds the same bytes from them.

use super::grid::Shard;
use super::manifest::{self, Manifest};
use crate::model::metrics::{METRIC_NAMES, MetricValue, Metrics};
use crate::output::CsvFile;
use crate::output::restore;
use std::path::Path;

/// Number of metrics in a row.
pub const METRICS: usize = METRIC_NAMES.len();

/// One run under one policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The run's index.
    pub run: u64,
    /// The policy's place in the manifest's list.
    pub policy: usize,
    /// Every metric, in [`METRIC_NAMES`] order.
    pub values: [MetricValue; METRICS],
    /// Events the run handled, as counted against `--max-events`.
    pub events_handled: u64,
}

impl Row {
    /// The row of run `run` under policy `policy`, which measured `metrics`.
    pub fn new(run: u64, policy: usize, metrics: &Metrics, events_handled: u64) -> Row {
        let values =
            std::array::from_fn(|i| metrics.get(METRIC_NAMES[i]).unwrap_or(MetricValue::Count(0)));
        Row { run, policy, values, events_handled }
    }
}

/// The column names.
pub fn header(manifest: &Manifest) -> Vec<String> {
    let mut header = vec!["run".to_string(), "seed".to_string()];
    header.extend(manifest.grid.iter().map(|a| a.key.clone()));
    header.push("policy".into());
    header.extend(METRIC_NAMES.iter().map(|m| m.to_string()));
    header.push("events_handled".into());
    header
}

/// Writes `rows` (in run order, then policy order) to `path`.
pub fn write(path: &Path, manifest: &Manifest, rows: &[Row]) -> std::io::Result<()> {
    let header = header(manifest);
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut file = CsvFile::create(path, &names)?;
    let seeds = manifest.seeds.max(1);
    for row in rows {
        let mut fields: Vec<String> = Vec::with_capacity(header.len());
        fields.push(row.run.to_string());
        fields.push(manifest.seed(row.run).to_string());
        fields.extend(manifest.labels(row.run / seeds).into_iter().map(str::to_string));
        fields.push(manifest.policies.get(row.policy).cloned().unwrap_or_default());
        fields.extend(row.values.iter().map(ToString::to_string));
        fields.push(row.events_handled.to_string());
        file.row(&fields);
    }
    file.finish()
}

/// Reads the rows of `path`, the results.csv of `shard` of the sweep
/// `manifest` (the shard's own manifest), checking each against it,
/// after checking that the file is the one the shard wrote: its bytes
/// hash to the manifest's `rows_hash`.
pub fn read(path: &Path, manifest: &Manifest, shard: Shard) -> Result<Vec<Row>, String> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let (hash, _) = manifest::hash_reader(file).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if hash != manifest.rows_hash {
        return Err(format!(
            "{shown} is not the results.csv shard {shard} wrote: its bytes hash to {hash}, and \
             the shard's sweep.json says {} (`rows_hash`); it was edited, truncated or swapped \
             with another file since. Put the shard's own file back, or run the shard again",
            manifest.rows_hash
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    let expected = header(manifest);
    let found = reader.headers().map_err(|e| format!("cannot read {shown}: {e}"))?;
    if found.iter().ne(expected.iter().map(String::as_str)) {
        return Err(format!(
            "{shown}: the columns are not those of this sweep (expected {})",
            expected.join(",")
        ));
    }
    let keys = manifest.grid.len();
    let seeds = manifest.seeds.max(1);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let bad = |what: String| format!("{shown} line {line}: {what}");
        let record = record.map_err(|e| bad(e.to_string()))?;
        if record.len() != expected.len() {
            return Err(bad(format!("{} fields, expected {}", record.len(), expected.len())));
        }
        let whole = |column: usize| -> Result<u64, String> {
            record[column].parse::<u64>().map_err(|_| {
                bad(format!("`{}` is not a whole number ({})", &record[column], expected[column]))
            })
        };
        let run = whole(0)?;
        if run >= manifest.runs {
            return Err(bad(format!("run {run} is not one of the sweep's {} runs", manifest.runs)));
        }
        if whole(1)? != manifest.seed(run) {
            return Err(bad(format!(
                "run {run} has seed {}, not {}",
                &record[1],
                manifest.seed(run)
            )));
        }
        // Text fields were neutralized against spreadsheet formulas.
        let text = |column: usize| restore(&record[column]);
        let labels = manifest.labels(run / seeds);
        if let Some(k) = (0..keys).find(|&k| text(2 + k) != labels[k]) {
            return Err(bad(format!(
                "run {run} has {}={}, not {}",
                manifest.grid[k].key,
                text(2 + k),
                labels[k]
            )));
        }
        let policy =
            manifest.policies.iter().position(|p| p == text(2 + keys)).ok_or_else(|| {
                bad(format!("`{}` is not one of the sweep's policies", text(2 + keys)))
            })?;
        let mut values = [MetricValue::Count(0); METRICS];
        for (m, name) in METRIC_NAMES.iter().enumerate() {
            let column = 3 + keys + m;
            values[m] = if crate::model::metrics::is_count(name) {
                MetricValue::Count(whole(column)?)
            } else {
                MetricValue::Real(
                    record[column].parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(
                        || bad(format!("`{}` is not a number ({name})", &record[column])),
                    )?,
                )
            };
        }
        let events_handled = whole(expected.len() - 1)?;
        rows.push(Row { run, policy, values, events_handled });
    }
    Ok(rows)
}
