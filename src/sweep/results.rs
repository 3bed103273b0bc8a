//! results.csv: one row per run and policy, in run order then policy
//! order: `run,seed,<a column per grid key>,policy,<every metric>,
//! events_handled`. Reals are written in the shortest form that reads back
//! as the same value, so a merge rebuilds the same bytes from them.
//!
//! A results.csv read back (by `--merge`) is refused unless it is the file
//! its manifest's `rows_hash` names, no larger than its shard's rows can
//! be, with exactly the shard's rows in order and every row possible
//! ([`check_values`]).

use super::grid::Shard;
use super::manifest::{self, Manifest};
use crate::model::metrics::{METRIC_NAMES, MetricValue, Metrics, is_count};
use crate::output::restore;
use crate::output::{CsvFile, Meter};
use std::io::Read;
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
pub fn write(path: &Path, manifest: &Manifest, rows: &[Row], meter: &Meter) -> std::io::Result<()> {
    let header = header(manifest);
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut file = CsvFile::create(path, &names, meter)?;
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

/// Longest text of a whole number (`u64::MAX`).
const MAX_WHOLE_TEXT: u64 = 20;

/// Longest text a finite `f64` can have in Rust's shortest round-trip
/// form, which never uses an exponent: `0.` and up to 323 zeros before
/// at most 17 significant digits (subnormals), or 309 digits (`f64::MAX`).
const MAX_REAL_TEXT: u64 = 2 + 323 + 17;

/// Most bytes a field whose text has `len` bytes takes in a CSV file: a
/// `'` in front against formulas, every `"` doubled, and quotes around.
fn field_bytes(len: u64) -> u64 {
    (len + 1).saturating_mul(2).saturating_add(2)
}

/// How many rows a shard's results.csv holds: one per policy for each of
/// the sweep's runs that belongs to the shard.
pub fn shard_rows(manifest: &Manifest, shard: Shard) -> u64 {
    let first = shard.index.saturating_sub(1);
    let runs = if first >= manifest.runs || shard.count == 0 {
        0
    } else {
        (manifest.runs - 1 - first) / shard.count + 1
    };
    runs.saturating_mul(manifest.policies.len() as u64)
}

/// The most bytes a line of results.csv for `manifest` can take (the
/// header or a row), and the most bytes the file can take with `rows`
/// rows: longer ones were not written by a sweep.
pub fn max_bytes(manifest: &Manifest, rows: u64) -> (u64, u64) {
    let line_end = 2;
    let header: u64 = header(manifest)
        .iter()
        .map(|name| field_bytes(name.len() as u64) + 1)
        .fold(line_end, u64::saturating_add);
    let longest = |texts: &[String]| texts.iter().map(|t| t.len() as u64).max().unwrap_or(0);
    let reals = METRIC_NAMES.iter().filter(|m| !is_count(m)).count() as u64;
    let wholes = 3 + METRIC_NAMES.len() as u64 - reals; // run, seed, events_handled
    let row = manifest
        .grid
        .iter()
        .map(|a| field_bytes(longest(&a.values)) + 1)
        .fold(line_end, u64::saturating_add)
        .saturating_add(field_bytes(longest(&manifest.policies)) + 1)
        .saturating_add(wholes * (MAX_WHOLE_TEXT + 1))
        .saturating_add(reals * (MAX_REAL_TEXT + 1));
    (header.max(row), header.saturating_add(row.saturating_mul(rows)))
}

/// A reader that fails on a line longer than `max` bytes, so that a CSV
/// record never grows past what a sweep writes; it keeps the line's
/// number for the message.
struct LineLimit<R> {
    inner: R,
    max: u64,
    /// The line being read, from 1.
    line: u64,
    since_newline: u64,
    /// The line found too long.
    overlong: Option<u64>,
}

impl<R> LineLimit<R> {
    fn new(inner: R, max: u64) -> Self {
        LineLimit { inner, max, line: 1, since_newline: 0, overlong: None }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in buf.get(..n).unwrap_or_default() {
            if b == b'\n' {
                self.line += 1;
                self.since_newline = 0;
            } else {
                self.since_newline += 1;
                if self.since_newline > self.max {
                    self.overlong = Some(self.line);
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("line {} is longer than any this sweep writes", self.line),
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// Why the metrics of a row could not have been measured together, if
/// they could not. Each rule follows from how a run computes them
/// (`MetricsObserver::finish` in `model/metrics.rs`): every expected
/// reminder is on time, late or missed; `delivery_ratio` is on time /
/// expected (1 when none is expected), computed the same way; each
/// reminder on time or late had a first SMS and each duplicate another
/// (`sms_sent` counts them all); a dropout has a positive length, the
/// longest is one of them and the hours are their total. Reals are finite
/// and not negative (checked as they are read).
pub fn check_values(values: &[MetricValue; METRICS]) -> Result<(), String> {
    #[derive(Default)]
    struct Measured {
        expected: u64,
        on_time: u64,
        late: u64,
        missed: u64,
        ratio: f64,
        sms: u64,
        duplicates: u64,
        dropouts: u64,
        hours: f64,
        longest: f64,
    }
    let mut m = Measured::default();
    for (name, value) in METRIC_NAMES.iter().zip(values) {
        let (count, real) = match *value {
            MetricValue::Count(n) => (n, n as f64),
            MetricValue::Real(x) => (0, x),
        };
        match *name {
            "reminders_expected" => m.expected = count,
            "reminders_on_time" => m.on_time = count,
            "reminders_late" => m.late = count,
            "reminders_missed" => m.missed = count,
            "delivery_ratio" => m.ratio = real,
            "sms_sent" => m.sms = count,
            "duplicate_sms" => m.duplicates = count,
            "dropouts" => m.dropouts = count,
            "dropout_hours" => m.hours = real,
            "longest_dropout_hours" => m.longest = real,
            _ => {}
        }
    }
    let sum = |parts: &[u64]| parts.iter().map(|&n| u128::from(n)).sum::<u128>();
    if sum(&[m.on_time, m.late, m.missed]) != u128::from(m.expected) {
        return Err(format!(
            "reminders_on_time + reminders_late + reminders_missed = {} + {} + {} is not \
             reminders_expected {} (each expected reminder is on time, late or missed)",
            m.on_time, m.late, m.missed, m.expected
        ));
    }
    let ratio = if m.expected == 0 { 1.0 } else { m.on_time as f64 / m.expected as f64 };
    if m.ratio != ratio {
        return Err(format!(
            "delivery_ratio {} is not reminders_on_time / reminders_expected = {} / {} = {ratio} \
             (1 when none is expected)",
            m.ratio, m.on_time, m.expected
        ));
    }
    if sum(&[m.on_time, m.late, m.duplicates]) > u128::from(m.sms) {
        return Err(format!(
            "reminders_on_time + reminders_late + duplicate_sms = {} + {} + {} is more than \
             sms_sent {} (each reminder on time or late had a first SMS, each duplicate one \
             more)",
            m.on_time, m.late, m.duplicates, m.sms
        ));
    }
    if m.dropouts == 0 && (m.hours != 0.0 || m.longest != 0.0) {
        return Err(format!(
            "no dropouts, yet dropout_hours {} and longest_dropout_hours {}",
            m.hours, m.longest
        ));
    }
    if m.dropouts > 0 && m.longest <= 0.0 {
        return Err(format!(
            "{} dropouts, yet longest_dropout_hours {} (a dropout has a positive length)",
            m.dropouts, m.longest
        ));
    }
    if m.longest > m.hours {
        return Err(format!(
            "longest_dropout_hours {} is more than dropout_hours {} (their total)",
            m.longest, m.hours
        ));
    }
    Ok(())
}

/// Reads the rows of `path`, the results.csv of `shard` of the sweep
/// `manifest` (the shard's own manifest, whose `rows_hash` is checked),
/// refusing a file that is not the one the shard wrote, larger than its
/// rows can be, or whose rows are not exactly the shard's, in run order
/// then policy order, each possible.
pub fn read(path: &Path, manifest: &Manifest, shard: Shard) -> Result<Vec<Row>, String> {
    let shown = path.display();
    let expected_rows = shard_rows(manifest, shard);
    let (max_line, max_file) = max_bytes(manifest, expected_rows);
    let open = || {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let meta = file.metadata().map_err(|e| format!("cannot read {shown}: {e}"))?;
        if !meta.is_file() {
            return Err(format!("{shown} is not a regular file"));
        }
        if meta.len() > max_file {
            return Err(format!(
                "{shown} is {} bytes; the {expected_rows} rows of shard {shard} take at most \
                 {max_file}: it is not the file the shard wrote",
                meta.len()
            ));
        }
        Ok(file.take(max_file.saturating_add(1)))
    };
    // First the bytes: their size, then their hash.
    let (hash, size) =
        manifest::hash_reader(open()?).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if size > max_file {
        return Err(format!(
            "{shown} is more than {max_file} bytes, the most the {expected_rows} rows of shard \
             {shard} take: it is not the file the shard wrote"
        ));
    }
    if hash != manifest.rows_hash {
        return Err(format!(
            "{shown} is not the results.csv shard {shard} wrote: its bytes hash to {hash}, and \
             the shard's sweep.json says {} (`rows_hash`); it was edited, truncated or swapped \
             with another file since. Put the shard's own file back, or run the shard again",
            manifest.rows_hash
        ));
    }
    // Then the rows.
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).from_reader(LineLimit::new(open()?, max_line));
    // A CSV error, or the line found too long (read ahead of the record).
    let failed = |reader: &csv::Reader<LineLimit<_>>, line: u64, e: csv::Error| match reader
        .get_ref()
        .overlong
    {
        Some(line) => format!(
            "{shown} line {line}: longer than any line this sweep writes ({max_line} bytes)"
        ),
        None => format!("{shown} line {line}: {e}"),
    };
    let expected = header(manifest);
    let found = match reader.headers() {
        Ok(found) => found.clone(),
        Err(e) => return Err(failed(&reader, 1, e)),
    };
    if found.iter().ne(expected.iter().map(String::as_str)) {
        return Err(format!(
            "{shown}: the columns are not those of this sweep (expected {})",
            expected.join(",")
        ));
    }
    let keys = manifest.grid.len();
    let seeds = manifest.seeds.max(1);
    let policies = manifest.policies.len().max(1) as u64;
    // Row `k` of the shard is run `index - 1 + (k / policies) * count`
    // under policy `k % policies`.
    let nth = |k: u64| {
        let first = shard.index.saturating_sub(1);
        let run = (k / policies).saturating_mul(shard.count).saturating_add(first);
        (run, (k % policies) as usize)
    };
    let policy_name = |p: usize| manifest.policies.get(p).map_or("?", String::as_str);
    // Not reserved from `expected_rows`, a claim of the manifest.
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    for k in 0u64.. {
        // No field holds a line break (values are on one line): row `k` is
        // on line `k + 2`.
        let line = k + 2;
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(failed(&reader, line, e)),
        }
        let bad = |what: String| format!("{shown} line {line}: {what}");
        if k >= expected_rows {
            return Err(bad(format!(
                "one row too many: shard {shard} has {expected_rows} rows (one per policy for \
                 each of its runs)"
            )));
        }
        if record.len() != expected.len() {
            return Err(bad(format!("{} fields, expected {}", record.len(), expected.len())));
        }
        let field = |column: usize| record.get(column).unwrap_or_default();
        let whole = |column: usize| -> Result<u64, String> {
            field(column).parse::<u64>().map_err(|_| {
                bad(format!(
                    "`{}` is not a whole number ({}), which counts are, never negative",
                    field(column).escape_debug(),
                    expected.get(column).map_or("?", String::as_str)
                ))
            })
        };
        let run = whole(0)?;
        if run >= manifest.runs {
            return Err(bad(format!("run {run} is not one of the sweep's {} runs", manifest.runs)));
        }
        if !shard.has(run) {
            return Err(bad(format!("run {run} does not belong to shard {shard}")));
        }
        if whole(1)? != manifest.seed(run) {
            return Err(bad(format!(
                "run {run} has seed {}, not {}",
                field(1).escape_debug(),
                manifest.seed(run)
            )));
        }
        // Text fields were neutralized against spreadsheet formulas.
        let text = |column: usize| restore(field(column));
        let labels = manifest.labels(run / seeds);
        if let Some((k, label)) =
            labels.iter().enumerate().find(|&(k, label)| text(2 + k) != *label)
        {
            return Err(bad(format!(
                "run {run} has {}={}, not {label}",
                manifest.grid.get(k).map_or("?", |a| a.key.as_str()),
                text(2 + k).escape_debug()
            )));
        }
        let policy =
            manifest.policies.iter().position(|p| p == text(2 + keys)).ok_or_else(|| {
                bad(format!(
                    "`{}` is not one of the sweep's policies",
                    text(2 + keys).escape_debug()
                ))
            })?;
        let (want_run, want_policy) = nth(k);
        if (run, policy) != (want_run, want_policy) {
            let what = if (run, policy) < (want_run, want_policy) {
                // Rows so far were exactly the shard's first ones.
                let earlier = (run - run % shard.count) / shard.count * policies + policy as u64;
                format!("this row is listed twice (first on line {})", earlier + 2)
            } else {
                "the rows are out of order or one is missing".to_string()
            };
            return Err(bad(format!(
                "run {run} under {}, where run {want_run} under {} belongs: {what}; rows go \
                 in run order then policy order, each once",
                policy_name(policy),
                policy_name(want_policy)
            )));
        }
        let mut values = [MetricValue::Count(0); METRICS];
        for (m, (name, value)) in METRIC_NAMES.iter().zip(values.iter_mut()).enumerate() {
            let column = 3 + keys + m;
            *value = if is_count(name) {
                MetricValue::Count(whole(column)?)
            } else {
                let real = field(column).parse::<f64>().ok().filter(|x| x.is_finite());
                let x = real.ok_or_else(|| {
                    bad(format!("`{}` is not a number ({name})", field(column).escape_debug()))
                })?;
                if x.is_sign_negative() {
                    return Err(bad(format!(
                        "`{}` is negative ({name}), which a ratio or a length never is",
                        field(column).escape_debug()
                    )));
                }
                MetricValue::Real(x)
            };
        }
        check_values(&values).map_err(|why| {
            bad(format!("run {run} under {}: impossible metrics: {why}", policy_name(policy)))
        })?;
        let events_handled = whole(expected.len() - 1)?;
        rows.push(Row { run, policy, values, events_handled });
    }
    if (rows.len() as u64) < expected_rows {
        let (run, policy) = nth(rows.len() as u64);
        return Err(format!(
            "{shown}: the rows end before run {run} under {}: shard {shard} has {expected_rows} \
             rows, the file {}",
            policy_name(policy),
            rows.len()
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::metrics::MetricValue::{Count, Real};

    /// A possible row: 10 expected reminders (6 on time, 1 late, 3 missed),
    /// 9 SMS (2 of them duplicates), 2 dropouts of 2.5 hours in all.
    fn possible() -> [MetricValue; METRICS] {
        let m = Metrics {
            reminders_expected: 10,
            reminders_on_time: 6,
            reminders_late: 1,
            reminders_missed: 3,
            delivery_ratio: 0.6,
            sms_sent: 9,
            duplicate_sms: 2,
            dropouts: 2,
            dropout_hours: 2.5,
            longest_dropout_hours: 2.0,
            user_reconfigurations: 1,
            ..Metrics::default()
        };
        Row::new(0, 0, &m, 100).values
    }

    fn with(edits: &[(&str, MetricValue)]) -> [MetricValue; METRICS] {
        let mut values = possible();
        for (name, value) in edits {
            let i = METRIC_NAMES.iter().position(|m| m == name).unwrap();
            values[i] = *value;
        }
        values
    }

    #[test]
    fn possible_rows_pass() {
        check_values(&possible()).unwrap();
        // Nothing expected: the ratio is 1; no dropout: no hours.
        let none = Row::new(0, 0, &Metrics { delivery_ratio: 1.0, ..Metrics::default() }, 0);
        check_values(&none.values).unwrap();
        // A ratio that is not a short decimal is the same division.
        let third = with(&[
            ("reminders_expected", Count(3)),
            ("reminders_on_time", Count(1)),
            ("reminders_late", Count(0)),
            ("reminders_missed", Count(2)),
            ("delivery_ratio", Real(1.0 / 3.0)),
        ]);
        check_values(&third).unwrap();
    }

    #[test]
    fn impossible_rows_are_refused_with_the_rule_they_break() {
        let cases: &[(&[(&str, MetricValue)], &str)] = &[
            (
                &[("reminders_on_time", Count(11))],
                "reminders_on_time + reminders_late + reminders_missed = 11 + 1 + 3 is not \
                 reminders_expected 10",
            ),
            (&[("reminders_missed", Count(2))], "is not reminders_expected 10"),
            (
                &[("reminders_expected", Count(u64::MAX)), ("reminders_missed", Count(u64::MAX))],
                "is not reminders_expected 18446744073709551615",
            ),
            (
                &[("delivery_ratio", Real(1.5))],
                "delivery_ratio 1.5 is not reminders_on_time / reminders_expected = 6 / 10 = 0.6",
            ),
            (&[("delivery_ratio", Real(0.6000000000000001))], "delivery_ratio 0.6000000000000001"),
            (
                &[
                    ("reminders_expected", Count(0)),
                    ("reminders_on_time", Count(0)),
                    ("reminders_late", Count(0)),
                    ("reminders_missed", Count(0)),
                    ("delivery_ratio", Real(0.0)),
                ],
                "delivery_ratio 0 is not reminders_on_time / reminders_expected = 0 / 0 = 1",
            ),
            (
                &[("sms_sent", Count(6))],
                "reminders_on_time + reminders_late + duplicate_sms = 6 + 1 + 2 is more than \
                 sms_sent 6",
            ),
            (&[("duplicate_sms", Count(10))], "is more than sms_sent 9"),
            (
                &[("dropouts", Count(0))],
                "no dropouts, yet dropout_hours 2.5 and longest_dropout_hours 2",
            ),
            (
                &[("dropouts", Count(0)), ("dropout_hours", Real(0.0))],
                "no dropouts, yet dropout_hours 0 and longest_dropout_hours 2",
            ),
            (&[("longest_dropout_hours", Real(0.0))], "2 dropouts, yet longest_dropout_hours 0"),
            (
                &[("longest_dropout_hours", Real(3.0))],
                "longest_dropout_hours 3 is more than dropout_hours 2.5",
            ),
        ];
        for (edits, expected) in cases {
            let why = check_values(&with(edits)).expect_err(expected);
            assert!(why.contains(expected), "{why}\n(expected {expected})");
        }
    }

    /// The rules hold for what runs measure: every shipped scenario's
    /// policies.
    #[test]
    fn measured_rows_pass() {
        for name in ["seed-incident", "custom-policy", "completing-move"] {
            let path = format!("scenarios/{name}.yaml");
            let world = crate::scenario::load(Path::new(&path)).unwrap();
            let run = crate::runner::run_in_memory(&world).unwrap();
            for r in &run.results {
                let row = Row::new(0, 0, &r.outcome.metrics, r.outcome.events_handled);
                check_values(&row.values).unwrap_or_else(|why| panic!("{name}: {why}"));
            }
        }
    }

    #[test]
    fn size_bounds_cover_what_is_written() {
        for x in [f64::MAX, f64::MIN_POSITIVE, 5e-324, 2.225073858507201e-308, 1.0 / 3.0] {
            assert!(x.to_string().len() as u64 <= MAX_REAL_TEXT, "{x}");
        }
        assert_eq!(u64::MAX.to_string().len() as u64, MAX_WHOLE_TEXT);
        // 3 bytes, a ' in front, each of the 4 doubled (all quotes), and
        // the quotes around.
        assert_eq!(field_bytes(3), 10);
    }
}
