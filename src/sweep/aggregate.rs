//! aggregate.csv and the table printed after a sweep: per grid point,
//! policy and metric, the mean, the 5th, 50th and 95th percentiles, the
//! smallest and largest value and their number, over the point's seeds.
//!
//! Percentiles use the nearest-rank method: the p-th percentile of n sorted
//! values is the value of rank ceil(p * n / 100) (at least 1), so it is
//! always one of the values measured. Everything is computed from the rows
//! in run order, so a merge of shards gives the same bytes as one sweep.

use super::manifest::Manifest;
use super::results::{METRICS, Row};
use crate::model::metrics::{METRIC_NAMES, MetricValue};
use crate::output::{CsvFile, Meter};
use std::path::Path;

/// One metric over a point's seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    /// The mean (sums in run order).
    pub mean: f64,
    /// 5th percentile (nearest rank).
    pub p5: MetricValue,
    /// Median (nearest rank).
    pub p50: MetricValue,
    /// 95th percentile (nearest rank).
    pub p95: MetricValue,
    /// Smallest value.
    pub min: MetricValue,
    /// Largest value.
    pub max: MetricValue,
    /// Number of values.
    pub n: usize,
}

/// The value of rank ceil(p * n / 100) (at least 1) of `sorted`.
pub fn nearest_rank(sorted: &[MetricValue], p: usize) -> Option<MetricValue> {
    let n = sorted.len();
    let rank = (p * n).div_ceil(100).clamp(1, n.max(1));
    sorted.get(rank - 1).copied()
}

/// The statistics of `values` (in run order); none for no values.
pub fn stats(values: &[MetricValue]) -> Option<Stats> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let counts: Option<Vec<u64>> = values
        .iter()
        .map(|v| match v {
            MetricValue::Count(c) => Some(*c),
            MetricValue::Real(_) => None,
        })
        .collect();
    let mean = match &counts {
        // Exact sums of counts; reals summed in run order.
        Some(c) => (c.iter().map(|&x| u128::from(x)).sum::<u128>() as f64) / n as f64,
        None => values.iter().map(|v| v.as_f64()).sum::<f64>() / n as f64,
    };
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| match (a, b) {
        (MetricValue::Count(x), MetricValue::Count(y)) => x.cmp(y),
        _ => a.as_f64().total_cmp(&b.as_f64()),
    });
    Some(Stats {
        mean,
        p5: nearest_rank(&sorted, 5)?,
        p50: nearest_rank(&sorted, 50)?,
        p95: nearest_rank(&sorted, 95)?,
        min: sorted[0],
        max: sorted[n - 1],
        n,
    })
}

/// Per point and policy, the statistics of every metric.
pub struct Cell {
    /// The grid point.
    pub point: u64,
    /// The policy's place in the manifest's list.
    pub policy: usize,
    /// Each metric's statistics, in [`METRIC_NAMES`] order.
    pub metrics: Vec<Stats>,
}

/// The statistics of `rows` (every run of the sweep, in run order then
/// policy order), by point then policy.
pub fn aggregate(manifest: &Manifest, rows: &[Row]) -> Vec<Cell> {
    let seeds = manifest.seeds.max(1);
    let policies = manifest.policies.len();
    let points = manifest.points();
    let mut groups: Vec<Vec<&Row>> = vec![Vec::new(); (points as usize) * policies];
    for row in rows {
        let point = row.run / seeds;
        if point < points && row.policy < policies {
            groups[point as usize * policies + row.policy].push(row);
        }
    }
    let mut cells = Vec::with_capacity(groups.len());
    for (g, group) in groups.iter().enumerate() {
        let metrics: Vec<Stats> = (0..METRICS)
            .filter_map(|m| stats(&group.iter().map(|r| r.values[m]).collect::<Vec<_>>()))
            .collect();
        if metrics.len() == METRICS {
            cells.push(Cell { point: (g / policies) as u64, policy: g % policies, metrics });
        }
    }
    cells
}

/// Writes aggregate.csv: `<a column per grid key>,policy,metric,mean,p5,
/// p50,p95,min,max,n`, by point, policy and metric.
pub fn write(
    path: &Path,
    manifest: &Manifest,
    cells: &[Cell],
    meter: &Meter,
) -> std::io::Result<()> {
    let mut header: Vec<&str> = manifest.grid.iter().map(|a| a.key.as_str()).collect();
    header.extend(["policy", "metric", "mean", "p5", "p50", "p95", "min", "max", "n"]);
    let mut file = CsvFile::create(path, &header, meter)?;
    for cell in cells {
        let labels = manifest.labels(cell.point);
        let policy = manifest.policies.get(cell.policy).map_or("", String::as_str);
        for (name, s) in METRIC_NAMES.iter().zip(&cell.metrics) {
            let mut fields: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
            fields.push(policy.to_string());
            fields.push(name.to_string());
            fields.push(s.mean.to_string());
            for v in [s.p5, s.p50, s.p95, s.min, s.max] {
                fields.push(v.to_string());
            }
            fields.push(s.n.to_string());
            file.row(&fields);
        }
    }
    file.finish()
}

/// A value as the table shows it.
fn shown(value: f64, metric: &str, is_count: bool) -> String {
    match metric {
        "delivery_ratio" => format!("{value:.3}"),
        _ if is_count => {
            if value.fract() == 0.0 {
                format!("{value:.0}")
            } else {
                format!("{value:.1}")
            }
        }
        _ => format!("{value:.2}"),
    }
}

/// The table of `metric` printed after a sweep: a row per point and
/// policy with the point's values, the mean and the percentiles.
pub fn table(manifest: &Manifest, cells: &[Cell], metric: usize) -> String {
    let name = METRIC_NAMES.get(metric).copied().unwrap_or_default();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(cells.len() + 1);
    let mut head: Vec<String> = manifest.grid.iter().map(|a| a.key.clone()).collect();
    head.extend(["policy", "mean", "p5", "p50", "p95"].map(String::from));
    rows.push(head);
    for cell in cells {
        let Some(s) = cell.metrics.get(metric) else { continue };
        let is_count = matches!(s.min, MetricValue::Count(_));
        let mut row: Vec<String> =
            manifest.labels(cell.point).into_iter().map(str::to_string).collect();
        row.push(manifest.policies.get(cell.policy).cloned().unwrap_or_default());
        row.push(shown(s.mean, name, is_count));
        for v in [s.p5, s.p50, s.p95] {
            row.push(shown(v.as_f64(), name, is_count));
        }
        rows.push(row);
    }
    // Point values and policies to the left, figures to the right.
    let left = manifest.grid.len() + 1;
    let mut out = format!(
        "{}: {} over {} seed{} (from {}) at {} grid point{}, {} polic{}\n\n",
        manifest.scenario,
        name,
        manifest.seeds,
        if manifest.seeds == 1 { "" } else { "s" },
        manifest.base_seed,
        manifest.points(),
        if manifest.points() == 1 { "" } else { "s" },
        manifest.policies.len(),
        if manifest.policies.len() == 1 { "y" } else { "ies" },
    );
    out.push_str(&crate::output::text_table::render(&rows, left));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use MetricValue::{Count, Real};

    const TWENTY: [u64; 20] =
        [20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const TWENTY_ONE: [u64; 21] =
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

    #[test]
    fn nearest_rank_percentiles_of_small_lists() {
        let counts = |v: &[u64]| v.iter().map(|&n| Count(n)).collect::<Vec<_>>();
        /// Values in run order, mean, then p5, p50, p95, min and max.
        type Case = (&'static [u64], f64, [u64; 5]);
        let cases: &[Case] = &[
            (&[7], 7.0, [7, 7, 7, 7, 7]),
            (&[3, 1, 2], 2.0, [1, 2, 3, 1, 3]),
            (&[4, 1, 3, 2], 2.5, [1, 2, 4, 1, 4]),
            // 20 values 1..=20: ranks 1, 10 and 19.
            (&TWENTY, 10.5, [1, 10, 19, 1, 20]),
            // 21 values 0..=20: ranks 2, 11 and 20.
            (&TWENTY_ONE, 10.0, [1, 10, 19, 0, 20]),
        ];
        for &(values, mean, expected) in cases {
            let s = stats(&counts(values)).unwrap();
            assert_eq!(s.mean, mean, "{values:?}");
            assert_eq!([s.p5, s.p50, s.p95, s.min, s.max], counts(&expected)[..], "{values:?}");
            assert_eq!(s.n, values.len());
        }
        assert_eq!(stats(&[]), None);
    }

    #[test]
    fn reals_sort_and_average() {
        let s = stats(&[Real(0.5), Real(0.25), Real(1.0), Real(0.0)]).unwrap();
        assert_eq!(s.mean, 0.4375);
        assert_eq!((s.min, s.p50, s.max), (Real(0.0), Real(0.25), Real(1.0)));
    }

    #[test]
    fn large_counts_average_exactly() {
        // Summed as floats, 2^53 + 1 + 1 would round to 2^53.
        let big = 1u64 << 53;
        let s = stats(&[Count(big), Count(1), Count(1)]).unwrap();
        assert_eq!(s.mean, (big + 2) as f64 / 3.0);
        assert_ne!(s.mean, big as f64 / 3.0);
        // No overflow past u64.
        let s = stats(&[Count(u64::MAX), Count(u64::MAX)]).unwrap();
        assert_eq!(s.mean, u64::MAX as f64);
    }
}
