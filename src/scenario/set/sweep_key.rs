//! The `sweep:` key: the seeds, the chart's metric and the grid that
//! `cnasim sweep` runs. `run`, `check` and `validate` check it (each value
//! spliced into the file must give a valid scenario) and otherwise run the
//! file as written.

use super::super::error::ScenarioError;
use super::super::expect::{KeyedMap, did_you_mean, suggestion};
use super::super::validate::Source;
use super::super::values::{DisplayName, Whole};
use super::walk::{self, Kind};
use super::{Origin, Set, at_offset, path_segments};
use crate::model::metrics::METRIC_NAMES;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::borrow::Cow;
use std::fmt;

/// The chart's metric when neither the file nor `--metric` names one.
pub const DEFAULT_METRIC: &str = "reminders_missed";
/// Most seeds per grid point.
pub const MAX_SEEDS: u64 = 100_000;
/// Most values one key of the grid may take.
pub const MAX_VALUES: usize = 1_000;
/// Most grid points (the product of the value counts).
pub const MAX_POINTS: u64 = 10_000;
/// Most runs of one sweep (grid points times seeds).
pub const MAX_RUNS: u64 = 1_000_000;

/// `sweep:` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    /// Seeds per grid point. Default 1; `--seeds` overrides.
    pub seeds: Option<Spanned<Whole>>,
    /// The chart's metric. Default `reminders_missed`; `--metric` overrides.
    pub metric: Option<Spanned<DisplayName>>,
    /// The grid: dotted paths to lists of values, in order.
    pub set: Option<Spanned<KeyedMap<GridValues>>>,
}

/// The values of one grid key, each any YAML value (read here only for
/// their types and the reader's budget; their text is spliced).
#[derive(Debug)]
pub struct GridValues(pub Vec<Spanned<IgnoredAny>>);

impl<'de> Deserialize<'de> for GridValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GridValues;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of the values to sweep, such as `[12h, 1d, 2d]`")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GridValues, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element()? {
                    values.push(v);
                }
                Ok(GridValues(values))
            }
        }
        d.deserialize_seq(V)
    }
}

/// Reads `sweep:` when the key is there, even with no value, which is then
/// refused as empty rather than taken as no sweep.
pub fn present<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Spanned<Option<SweepFile>>>, D::Error> {
    Spanned::<Option<SweepFile>>::deserialize(d).map(Some)
}

/// One key of the grid and its values, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridKey {
    /// The dotted path.
    pub key: String,
    /// Its values, each ready to splice.
    pub values: Vec<Set>,
}

/// A checked `sweep:` key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepKey {
    /// `seeds`, when given.
    pub seeds: Option<u64>,
    /// `metric`, when given (one of [`METRIC_NAMES`]).
    pub metric: Option<&'static str>,
    /// The grid, keys in file order.
    pub grid: Vec<GridKey>,
}

impl SweepKey {
    /// The number of grid points: the product of the value counts.
    pub fn points(&self) -> u64 {
        points(&self.grid.iter().map(|k| k.values.len()).collect::<Vec<_>>())
    }
}

/// The number of points of a grid whose keys have `counts` values: their
/// product (1 for no key), saturating rather than overflowing, so that a
/// grid too large to count is still refused as too large.
pub fn points(counts: &[usize]) -> u64 {
    counts.iter().fold(1u64, |n, &c| n.saturating_mul(c as u64))
}

/// How a count that may have saturated reads: `more than 2^64 - 1`
/// instead of a figure that looks exact.
pub fn count_text(n: u64) -> String {
    if n == u64::MAX { format!("more than {}", u64::MAX - 1) } else { n.to_string() }
}

/// `name` if it is a metric, or why not.
pub fn metric_named(name: &str) -> Result<&'static str, String> {
    METRIC_NAMES.iter().copied().find(|&m| m == name).ok_or_else(|| {
        let hint = did_you_mean(suggestion(name, METRIC_NAMES));
        format!(
            "unknown metric `{}`; {hint}the metrics are {}",
            name.escape_debug(),
            METRIC_NAMES.join(", ")
        )
    })
}

/// Checks `sweep:` (read from `src`) and reads its grid with each value's
/// text and place.
pub fn read(
    file: &Spanned<Option<SweepFile>>,
    src: &Source<'_>,
) -> Result<SweepKey, ScenarioError> {
    let Some(sweep) = &file.value else {
        return Err(src.err(
            file.referenced,
            "`sweep` is empty; give `seeds`, `metric` or `set`, e.g. \
             `sweep: { seeds: 20, set: { population.moves.share: [0.1, 0.5] } }`",
        ));
    };
    let mut key = SweepKey::default();
    if let Some(seeds) = &sweep.seeds {
        if !(1..=MAX_SEEDS).contains(&seeds.value.0) {
            return Err(src.err(
                seeds.referenced,
                format!("`seeds` must be from 1 to {MAX_SEEDS}; found {}", seeds.value.0),
            ));
        }
        key.seeds = Some(seeds.value.0);
    }
    if let Some(metric) = &sweep.metric {
        key.metric =
            Some(metric_named(&metric.value.0).map_err(|why| src.err(metric.referenced, why))?);
    }
    if let Some(set) = &sweep.set {
        key.grid = grid(set, src)?;
        let points = key.points();
        let runs = points.saturating_mul(key.seeds.unwrap_or(1));
        if points > MAX_POINTS || runs > MAX_RUNS {
            return Err(src.err(
                set.referenced,
                format!(
                    "this grid has {} points, {} runs with its seeds; a sweep has at most \
                     {MAX_POINTS} points and {MAX_RUNS} runs",
                    count_text(points),
                    count_text(runs)
                ),
            ));
        }
    }
    Ok(key)
}

/// The grid of `set:`, with the text and place of each value.
fn grid(
    set: &Spanned<KeyedMap<GridValues>>,
    src: &Source<'_>,
) -> Result<Vec<GridKey>, ScenarioError> {
    if set.value.0.is_empty() {
        return Err(src.err(
            set.referenced,
            "`set` is empty; give dotted paths and their values, e.g. \
             `population.moves.incremental_sync_interval: [12h, 1d]`",
        ));
    }
    let text = src.text;
    let captured = walk::walk(text, &[vec!["sweep".into(), "set".into()]], Some(0))
        .ok()
        .and_then(|w| w.captured);
    let entries = match captured {
        Some(walk::Node { kind: Kind::Map { entries, .. }, .. })
            if entries.len() == set.value.0.len() =>
        {
            entries
        }
        _ => return Err(src.err(set.referenced, "`set` could not be read as a mapping")),
    };
    let mut grid: Vec<GridKey> = Vec::with_capacity(entries.len());
    let mut paths = super::PathSet::default();
    for ((key, list), (key_node, list_node)) in set.value.0.iter().zip(&entries) {
        let name = key.value.as_str();
        let path = path_segments(name).map_err(|why| src.err(key.referenced, why))?;
        if let Some(other) = paths.add(&path) {
            return Err(src.err(
                key.referenced,
                format!("`{name}` overlaps `{}`: give one or the other", grid[other].key),
            ));
        }
        let items = match &list_node.kind {
            Kind::Seq { items, .. } => items,
            _ => {
                return Err(src.err(
                    key.referenced,
                    format!(
                        "write the values of `{name}` here as a list; an alias is not followed"
                    ),
                ));
            }
        };
        if items.is_empty() {
            return Err(src.err(
                list.referenced,
                format!("`{name}` has no values; give at least one, e.g. `[1d, 2d]`"),
            ));
        }
        if items.len() > MAX_VALUES {
            return Err(src.err(
                list.referenced,
                format!("`{name}` has {} values; a key takes at most {MAX_VALUES}", items.len()),
            ));
        }
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            if matches!(item.kind, Kind::Alias) {
                return Err(at_offset(
                    src.path,
                    text,
                    item.start,
                    "a sweep value cannot be an alias (`*name`); write the value out",
                ));
            }
            let value = walk::flow_text(text, item);
            let verbatim = text.get(item.start..item.end) == Some(value.as_str());
            values.push(Set {
                key: name.to_string(),
                value,
                origin: Origin::Sweep { key_at: key_node.start, value_at: item.start, verbatim },
            });
        }
        grid.push(GridKey { key: name.to_string(), values });
    }
    Ok(grid)
}

/// The JSON Schema of `sweep:`.
impl JsonSchema for SweepFile {
    fn schema_name() -> Cow<'static, str> {
        "Sweep".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let whole = generator.subschema_for::<Whole>();
        json_schema!({
            "description": "What `cnasim sweep` runs (docs/sweep.md): each point of the grid \
                            under each seed. `run`, `check` and `validate` check it and run the \
                            file as written.",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "seeds": {
                    "description": "Seeds per grid point, from the scenario's seed on. Default 1; \
                                    `--seeds` overrides.",
                    "allOf": [whole]
                },
                "metric": {
                    "description": "The metric the chart and the table show. Default \
                                    `reminders_missed`; `--metric` overrides.",
                    "enum": METRIC_NAMES
                },
                "set": {
                    "description": "The grid: a dotted path into the scenario \
                                    (`population.moves.share`, `mailboxes.0.move.complete_at`; a \
                                    number indexes a list) and the values it takes, each written \
                                    as in the file. Every combination runs, the first key \
                                    changing slowest.",
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": { "type": "array", "minItems": 1 }
                }
            }
        })
    }
}
