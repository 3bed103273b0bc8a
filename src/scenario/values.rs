//! Scalar types of the scenario file that check themselves while being
//! read, so their errors carry the YAML location.

use crate::time::{SimDuration, SimTime, parse_duration, parse_instant};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// A duration: `15m`, `1d 2h 30m`, `1.00:00:00`, or a bare `0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationValue(pub SimDuration);

impl<'de> Deserialize<'de> for DurationValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DurationValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `15m`, `1d 2h 30m` or `1.00:00:00`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DurationValue, E> {
                parse_duration(s).map(DurationValue).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<DurationValue, E> {
                if n == 0 {
                    return Ok(DurationValue(SimDuration::ZERO));
                }
                Err(E::custom(format!(
                    "a duration needs a unit: write `{n}s`, `{n}m`, `{n}h` or `{n}d`, not `{n}`"
                )))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<DurationValue, E> {
                if n < 0 {
                    return Err(E::custom(format!("durations cannot be negative; found `{n}`")));
                }
                self.visit_u64(n as u64)
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<DurationValue, E> {
                Err(E::custom(format!(
                    "a duration needs a unit, e.g. `90s` or `1h30m`; found the number `{n}`"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// An RFC 3339 instant such as `2016-01-25T21:32:01Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstantValue(pub SimTime);

impl<'de> Deserialize<'de> for InstantValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = InstantValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 instant such as `2016-01-25T21:32:01Z`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<InstantValue, E> {
                parse_instant(s).map(InstantValue).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// A whole number that is not negative (range checks come later, with the
/// key's own limits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Whole(pub u64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Whole;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number from 0 to 18446744073709551615")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Whole, E> {
                Ok(Whole(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Whole, E> {
                u64::try_from(n).map(Whole).map_err(|_| {
                    E::custom(format!("expected a whole number that is not negative; found `{n}`"))
                })
            }
            fn visit_u128<E: de::Error>(self, n: u128) -> Result<Whole, E> {
                Err(E::custom(format!(
                    "expected a whole number up to 18446744073709551615; found `{n}`"
                )))
            }
            fn visit_i128<E: de::Error>(self, n: i128) -> Result<Whole, E> {
                Err(E::custom(format!(
                    "expected a whole number up to 18446744073709551615; found `{n}`"
                )))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Whole, E> {
                // A whole number past 128 bits arrives as a float, whose
                // digits would not be the ones written.
                if n.is_finite() && n.fract() == 0.0 && n.abs() >= 18_446_744_073_709_551_616.0 {
                    let sign = if n < 0.0 { "a negative number" } else { "a larger number" };
                    return Err(E::custom(format!(
                        "expected a whole number from 0 to 18446744073709551615; found {sign}"
                    )));
                }
                let hint = if n.is_finite() && n.fract() == 0.0 {
                    " (a float: write the digits, without an exponent or a point)"
                } else {
                    ""
                };
                Err(E::custom(format!(
                    "expected a whole number from 0 to 18446744073709551615; found `{n}`{hint}"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// A finite real number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Real(pub f64);

impl<'de> Deserialize<'de> for Real {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Real;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number such as `28800` or `0.5`")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Real, E> {
                Ok(Real(n as f64))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Real, E> {
                Ok(Real(n as f64))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Real, E> {
                if n.is_finite() {
                    Ok(Real(n))
                } else {
                    Err(E::custom(format!("expected a finite number; found `{n}`")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A phone number in E.164 form: `+` and 4 to 15 digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(pub String);

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Phone;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a phone number in E.164 form such as \"+10008675309\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Phone, E> {
                let digits = s.strip_prefix('+').unwrap_or("");
                if (4..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(Phone(s.to_string()))
                } else {
                    Err(E::custom(format!(
                        "expected a phone number in E.164 form: `+` and 4 to 15 digits, \
                         such as \"+10008675309\"; found `{}`",
                        s.escape_debug()
                    )))
                }
            }
        }
        d.deserialize_str(V)
    }
}

/// A name made of `[a-z0-9-]`, for scenarios and policies: it becomes a
/// folder name and a command-line value, so it must be safe as both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(pub String);

impl Slug {
    /// Checks `s` against the rules.
    pub fn check(s: &str) -> Result<(), String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && !s.starts_with('-')
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(())
        } else {
            Err(format!(
                "expected a name of 1 to 64 characters from `a-z`, `0-9` and `-`, \
                 not starting with `-`; found `{}`",
                s.escape_debug()
            ))
        }
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Slug::check(&s).map_err(de::Error::custom)?;
        Ok(Slug(s))
    }
}

/// A display name: any text of 1 to 256 characters without control
/// characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(pub String);

impl<'de> Deserialize<'de> for DisplayName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let n = s.chars().count();
        if n == 0 || n > 256 || s.trim().is_empty() || s.chars().any(char::is_control) {
            return Err(de::Error::custom(format!(
                "expected a name of 1 to 256 characters without control characters; found `{}`",
                s.escape_debug()
            )));
        }
        Ok(DisplayName(s))
    }
}

/// A GUID such as `957ca0a9-f84f-425e-a263-5b468e90d574`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuidValue(pub uuid::Uuid);

impl<'de> Deserialize<'de> for GuidValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        uuid::Uuid::try_parse(&s).map(GuidValue).map_err(|_| {
            de::Error::custom(format!(
                "expected a GUID such as `957ca0a9-f84f-425e-a263-5b468e90d574`; found `{}`",
                s.escape_debug()
            ))
        })
    }
}
