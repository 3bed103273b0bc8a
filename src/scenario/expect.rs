//! The `expect:` key: per policy, per metric, a bare value (equal) or
//! `{ min, max }` (inclusive). Read with every key's location, validated
//! against the scenario's policies and MODEL.md section 8's metrics.

use super::error::ScenarioError;
use super::validate::Source;
use super::values::KeyText;
use crate::model::Policy;
use crate::model::expectation::{Bound, Expectation, Number};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::fmt;
use std::marker::PhantomData;

/// A mapping read in file order, each key with its location (a key is
/// one line of 1 to 256 characters, checked as every text of a scenario).
#[derive(Debug)]
pub struct KeyedMap<V>(pub Vec<(Spanned<String>, Spanned<V>)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for KeyedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = KeyedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyedMap<V>, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<KeyText>>()? {
                    let key = Spanned::new(key.value.0, key.referenced, key.defined);
                    entries.push((key, map.next_value()?));
                }
                Ok(KeyedMap(entries))
            }
        }
        d.deserialize_any(Entries(PhantomData))
    }
}

/// `expect:`: policy name to that policy's metrics.
pub type ExpectFile = KeyedMap<KeyedMap<BoundFile>>;

/// Reads `expect:` when the key is there, even as `expect:` with no value,
/// which is then refused as empty rather than taken as no expectations.
pub fn present<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Spanned<Option<ExpectFile>>>, D::Error> {
    Spanned::<Option<ExpectFile>>::deserialize(d).map(Some)
}

/// A metric's expectation as written.
#[derive(Debug)]
pub enum BoundFile {
    /// A bare number: the metric must equal it.
    Equal(Number),
    /// `{ min, max }`.
    Range(RangeFile),
}

/// `{ min, max }`, both inclusive, at least one given.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Range", extend("minProperties" = 1))]
pub struct RangeFile {
    /// Lowest value allowed (inclusive).
    #[schemars(with = "Option<NumberFile>")]
    pub min: Option<Spanned<NumberFile>>,
    /// Highest value allowed (inclusive).
    #[schemars(with = "Option<NumberFile>")]
    pub max: Option<Spanned<NumberFile>>,
}

/// A finite number, not negative.
#[derive(Clone, Copy, Debug)]
pub struct NumberFile(pub Number);

/// Largest value an expectation may name: 2^53, up to which every whole
/// number is exact as a float, so counts and reals compare exactly.
pub const MAX_EXPECTED: u64 = 1 << 53;

fn too_large<E: de::Error>(n: impl fmt::Display) -> E {
    E::custom(format!("expected a number up to {MAX_EXPECTED} (2^53); found `{n}`"))
}

fn number_from_u64<E: de::Error>(n: u64) -> Result<Number, E> {
    if n > MAX_EXPECTED {
        return Err(too_large(n));
    }
    Ok(Number::Whole(n))
}

fn number_from_i64<E: de::Error>(n: i64) -> Result<Number, E> {
    let n = u64::try_from(n)
        .map_err(|_| E::custom(format!("metrics are never negative; found `{n}`")))?;
    number_from_u64(n)
}

fn number_from_f64<E: de::Error>(x: f64) -> Result<Number, E> {
    if !x.is_finite() {
        return Err(E::custom(format!("expected a finite number; found `{x}`")));
    }
    if x < 0.0 {
        return Err(E::custom(format!("metrics are never negative; found `{x}`")));
    }
    if x > MAX_EXPECTED as f64 {
        return Err(too_large(format_args!("{x:e}")));
    }
    // `-0.0` reads as `0`.
    Ok(Number::Real(x + 0.0))
}

fn number_from_u128<E: de::Error>(n: u128) -> Result<Number, E> {
    Err(too_large(n))
}

impl<'de> Deserialize<'de> for NumberFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumberFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number such as `0`, `3` or `0.99`")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<NumberFile, E> {
                number_from_u64(n).map(NumberFile)
            }
            fn visit_u128<E: de::Error>(self, n: u128) -> Result<NumberFile, E> {
                number_from_u128(n).map(NumberFile)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<NumberFile, E> {
                number_from_i64(n).map(NumberFile)
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<NumberFile, E> {
                number_from_f64(x).map(NumberFile)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for BoundFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BoundFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number (the metric must equal it) or `{ min: A, max: B }`")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<BoundFile, E> {
                number_from_u64(n).map(BoundFile::Equal)
            }
            fn visit_u128<E: de::Error>(self, n: u128) -> Result<BoundFile, E> {
                number_from_u128(n).map(BoundFile::Equal)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<BoundFile, E> {
                number_from_i64(n).map(BoundFile::Equal)
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<BoundFile, E> {
                number_from_f64(x).map(BoundFile::Equal)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<BoundFile, A::Error> {
                RangeFile::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(BoundFile::Range)
            }
        }
        d.deserialize_any(V)
    }
}

/// The closest of `candidates` to `given`, when it is a plausible typo.
pub(crate) fn suggestion<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(given, c), c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 4))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// `did you mean `x`? ` before a list of choices, or nothing.
pub(crate) fn did_you_mean(s: Option<&str>) -> String {
    s.map(|s| format!("did you mean `{s}`? ")).unwrap_or_default()
}

/// Validates `expect:` against the scenario's `policies`.
pub fn expectations(
    file: &Spanned<Option<ExpectFile>>,
    policies: &[Policy],
    src: &Source<'_>,
) -> Result<Vec<Expectation>, ScenarioError> {
    let Some(expect) = file.value.as_ref().filter(|e| !e.0.is_empty()) else {
        return Err(src.err(
            file.referenced,
            "`expect` is empty; give per policy the metrics to check, \
             e.g. `expect: { fixed: { reminders_missed: 0 } }`",
        ));
    };
    // The reader refuses a key given twice, in either mapping.
    let mut out = Vec::new();
    for (policy, metrics) in &expect.0 {
        let name = policy.value.as_str();
        if !policies.iter().any(|p| p.name == name) {
            let names = || policies.iter().map(|p| p.name.as_str());
            return Err(src.err(
                policy.referenced,
                format!(
                    "`expect` names the policy `{}`, which this scenario does not run; \
                     {}its policies are {}",
                    name.escape_debug(),
                    did_you_mean(suggestion(name, names())),
                    names().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        if metrics.value.0.is_empty() {
            return Err(src.err(
                metrics.referenced,
                format!("expected at least one metric for `{name}`, e.g. `reminders_missed: 0`"),
            ));
        }
        for (metric, bound) in &metrics.value.0 {
            let given = metric.value.as_str();
            let known = super::set::sweep_key::metric_named(given)
                .map_err(|why| src.err(metric.referenced, why))?;
            out.push(Expectation {
                policy: name.to_string(),
                metric: known,
                bound: bound_of(known, bound, src)?,
                line: metric.referenced.line(),
                column: metric.referenced.column(),
            });
        }
    }
    Ok(out)
}

/// Checks that a metric's bound can hold at all.
fn bound_of(
    metric: &str,
    bound: &Spanned<BoundFile>,
    src: &Source<'_>,
) -> Result<Bound, ScenarioError> {
    let in_range = |n: Number, at: Location| {
        if metric == "delivery_ratio" && n.as_f64() > 1.0 {
            return Err(src.err(at, format!("`delivery_ratio` lies in [0, 1]; found `{n}`")));
        }
        Ok(n)
    };
    match &bound.value {
        BoundFile::Equal(n) => {
            let n = in_range(*n, bound.referenced)?;
            if crate::model::metrics::is_count(metric)
                && matches!(n, Number::Real(x) if x.fract() != 0.0)
            {
                return Err(src.err(
                    bound.referenced,
                    format!(
                        "`{metric}` is a count, so it never equals `{n}`; \
                         give a whole number or `{{ min, max }}`"
                    ),
                ));
            }
            Ok(Bound::Equal(n))
        }
        BoundFile::Range(r) => {
            let min = r.min.as_ref().map(|m| in_range(m.value.0, m.referenced)).transpose()?;
            let max = r.max.as_ref().map(|m| in_range(m.value.0, m.referenced)).transpose()?;
            match (min, max) {
                (None, None) => Err(src.err(
                    bound.referenced,
                    format!("give `min`, `max` or both for `{metric}`, e.g. `{{ min: 1 }}`"),
                )),
                (Some(lo), Some(hi)) if lo_above_hi(lo, hi) => Err(src.err(
                    bound.referenced,
                    format!(
                        "`min` ({lo}) is above `max` ({hi}), so no value of `{metric}` can hold"
                    ),
                )),
                _ => Ok(Bound::Range { min, max }),
            }
        }
    }
}

/// Exact: values are at most 2^53.
fn lo_above_hi(lo: Number, hi: Number) -> bool {
    lo.as_f64() > hi.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::metrics::METRIC_NAMES;

    #[test]
    fn keys_keep_their_order_and_location() {
        let yaml =
            "legacy:\n  reminders_missed: { min: 1 }\nfixed:\n  sms_sent: 3\n  dropouts: 0\n";
        let file: ExpectFile = serde_saphyr::from_str(yaml).unwrap();
        let keys: Vec<(&str, u64, u64)> = file
            .0
            .iter()
            .map(|(k, _)| (k.value.as_str(), k.referenced.line(), k.referenced.column()))
            .collect();
        assert_eq!(keys, [("legacy", 1, 1), ("fixed", 3, 1)]);
        let fixed: Vec<(&str, u64, u64)> = file.0[1]
            .1
            .value
            .0
            .iter()
            .map(|(k, _)| (k.value.as_str(), k.referenced.line(), k.referenced.column()))
            .collect();
        assert_eq!(fixed, [("sms_sent", 4, 3), ("dropouts", 5, 3)]);
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggestion("reminders_mised", METRIC_NAMES), Some("reminders_missed"));
        assert_eq!(suggestion("fixd", ["legacy", "fixed"]), Some("fixed"));
        assert_eq!(suggestion("throughput", METRIC_NAMES), None);
    }
}
