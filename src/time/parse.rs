//! Reading durations and instants as scenario files write them.

use super::{DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, SimDuration, SimTime};
use chrono::DateTime;

/// Why a duration or instant could not be read. The message says what was
/// expected, for the scenario reader to put next to a file location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TimeParseError(String);

const DURATION_FORMS: &str =
    "a duration such as `90s`, `15m`, `1d 2h 30m`, `500ms` or the .NET form `1.00:00:00`";

fn fail<T>(text: &str, why: &str) -> Result<T, TimeParseError> {
    Err(TimeParseError(format!(
        "expected {DURATION_FORMS}; found `{}` ({why})",
        text.escape_debug()
    )))
}

/// Parses a duration: unit groups (`90s`, `15m`, `24h`, `1d`, `500ms`,
/// `1w`, combined largest unit first as in `1d 2h 30m` or `9m9s`) or the
/// .NET TimeSpan form `[d.]hh:mm:ss[.fffffff]` that Exchange cmdlets print
/// (`1.00:00:00`, `00:15:00`, `00:00:01.500`).
///
/// Durations are never negative and have millisecond resolution: digits
/// finer than a millisecond must be zero.
pub fn parse_duration(text: &str) -> Result<SimDuration, TimeParseError> {
    let t = text.trim();
    if t.is_empty() {
        return fail(text, "it is empty");
    }
    if t.starts_with('-') {
        return fail(text, "durations cannot be negative");
    }
    let ms = if t.contains(':') { parse_timespan(text, t)? } else { parse_units(text, t)? };
    if ms > SimDuration::MAX.as_millis() {
        return fail(text, "it is longer than 10,000 years");
    }
    Ok(SimDuration::from_millis(ms))
}

/// `1d 2h 30m`, `9m9s`, `500ms`: each unit at most once, largest first.
fn parse_units(text: &str, t: &str) -> Result<i64, TimeParseError> {
    const UNITS: [(&str, i64); 6] = [
        ("w", 7 * DAY_MS),
        ("d", DAY_MS),
        ("h", HOUR_MS),
        ("ms", 1),
        ("m", MINUTE_MS),
        ("s", SECOND_MS),
    ];
    // Rank of each unit from largest to smallest, for the ordering check.
    fn rank(unit: &str) -> u8 {
        match unit {
            "w" => 0,
            "d" => 1,
            "h" => 2,
            "m" => 3,
            "s" => 4,
            _ => 5,
        }
    }
    let mut rest = t;
    let mut total: i64 = 0;
    let mut last_rank: Option<u8> = None;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            let why = "a number must come before each unit";
            return fail(text, why);
        }
        let number: i64 = match rest[..digits].parse() {
            Ok(n) if digits <= 15 => n,
            _ => return fail(text, "the number is too large"),
        };
        rest = &rest[digits..];
        let Some(&(unit, scale)) = UNITS.iter().find(|(u, _)| rest.starts_with(u)) else {
            let why = if rest.starts_with('.') || rest.starts_with(',') {
                "write fractions with a smaller unit, e.g. `1h30m` instead of `1.5h`"
            } else if rest.is_empty() {
                "a unit must follow the number: ms, s, m, h, d or w"
            } else {
                "unknown unit; use ms, s, m, h, d or w"
            };
            return fail(text, why);
        };
        rest = rest[unit.len()..].trim_start();
        let r = rank(unit);
        if last_rank.is_some_and(|last| r <= last) {
            return fail(text, "each unit may appear once, largest first");
        }
        last_rank = Some(r);
        total = match number.checked_mul(scale).and_then(|v| total.checked_add(v)) {
            Some(v) => v,
            None => return fail(text, "it is too long"),
        };
    }
    Ok(total)
}

/// The .NET TimeSpan "c" form `[d.]hh:mm:ss[.fffffff]`.
fn parse_timespan(text: &str, t: &str) -> Result<i64, TimeParseError> {
    let (days, clock) = match t.split_once('.') {
        Some((d, rest)) if rest.contains(':') => (Some(d), rest),
        _ => (None, t),
    };
    let (clock, fraction) = match clock.rsplit_once('.') {
        Some((c, f)) => (c, Some(f)),
        None => (clock, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.len() != 3 {
        return fail(text, "the .NET form needs hh:mm:ss");
    }
    let field = |s: &str, max: i64, name: &str| -> Result<i64, TimeParseError> {
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return fail(text, &format!("{name} must be one or two digits"));
        }
        let v: i64 = s.parse().unwrap_or(i64::MAX);
        if v > max {
            return fail(text, &format!("{name} must be at most {max}"));
        }
        Ok(v)
    };
    let hours = field(parts[0], 23, "hours")?;
    let minutes = field(parts[1], 59, "minutes")?;
    let seconds = field(parts[2], 59, "seconds")?;
    let days = match days {
        None => 0,
        Some(d) if !d.is_empty() && d.len() <= 7 && d.bytes().all(|b| b.is_ascii_digit()) => {
            d.parse::<i64>().unwrap_or(0)
        }
        Some(_) => return fail(text, "days must be digits before the `.`"),
    };
    let millis = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 7 && f.bytes().all(|b| b.is_ascii_digit()) => {
            if f.len() > 3 && f[3..].bytes().any(|b| b != b'0') {
                return fail(text, "durations have millisecond resolution");
            }
            let padded = format!("{:0<3}", &f[..f.len().min(3)]);
            padded.parse::<i64>().unwrap_or(0)
        }
        Some(_) => return fail(text, "the fraction of a second must be 1 to 7 digits"),
    };
    Ok(days * DAY_MS + hours * HOUR_MS + minutes * MINUTE_MS + seconds * SECOND_MS + millis)
}

/// Parses an RFC 3339 instant (`2016-01-25T21:32:01Z`, `2016-01-25T13:32:01-08:00`,
/// `2016-01-25T21:32:01.250Z`) into UTC milliseconds. Fractions finer than a
/// millisecond must be zero; years must lie in 1900 to 9999.
pub fn parse_instant(text: &str) -> Result<SimTime, TimeParseError> {
    let t = text.trim();
    let expected = "expected an RFC 3339 instant such as `2016-01-25T21:32:01Z` or \
                    `2016-01-25T13:32:01-08:00`";
    let parsed = DateTime::parse_from_rfc3339(t).map_err(|e| {
        let year_digits = t.bytes().take_while(u8::is_ascii_digit).count();
        let dated = t.trim_start_matches(['-', '+']);
        let dated = dated[dated.bytes().take_while(u8::is_ascii_digit).count()..].starts_with('-');
        let why = if year_digits != 4 && dated {
            "the year must have four digits; supported years are 1900 to 9999".to_string()
        } else {
            e.to_string()
        };
        TimeParseError(format!("{expected}; found `{}` ({why})", text.escape_debug()))
    })?;
    if parsed.timestamp_subsec_nanos() % 1_000_000 != 0 {
        return Err(TimeParseError(format!(
            "{expected}; found `{}` (instants have millisecond resolution)",
            text.escape_debug()
        )));
    }
    let ms = parsed.timestamp_millis();
    if !(SimTime::MIN.as_millis()..=SimTime::MAX.as_millis()).contains(&ms) {
        return Err(TimeParseError(format!(
            "{expected}; found `{}` (supported years are 1900 to 9999)",
            text.escape_debug()
        )));
    }
    Ok(SimTime::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        parse_duration(text).unwrap_or_else(|e| panic!("{text}: {e}")).as_millis()
    }

    fn refused(text: &str, why: &str) {
        let err = parse_duration(text).expect_err(text).to_string();
        assert!(err.contains(why), "{text}: {err}");
    }

    #[test]
    fn unit_forms() {
        for (text, expected) in [
            ("90s", 90_000),
            ("15m", 900_000),
            ("24h", 86_400_000),
            ("1d", 86_400_000),
            ("1w", 604_800_000),
            ("500ms", 500),
            ("0ms", 0),
            ("0s", 0),
            ("1d 2h 30m", 95_400_000),
            ("9m9s", 549_000),
            ("1h30m", 5_400_000),
            ("2m 50s 250ms", 170_250),
            (" 15m ", 900_000),
        ] {
            assert_eq!(ms(text), expected, "{text}");
        }
    }

    #[test]
    fn timespan_forms() {
        for (text, expected) in [
            ("1.00:00:00", 86_400_000),
            ("00:15:00", 900_000),
            ("12:00:00", 43_200_000),
            ("00:00:01.500", 1_500),
            ("00:00:30.5", 30_500),
            ("00:00:01.5000000", 1_500),
            ("2.03:04:05.006", 2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_006),
            ("120.00:00:00", 120 * 86_400_000),
        ] {
            assert_eq!(ms(text), expected, "{text}");
        }
    }

    #[test]
    fn bad_durations_say_why() {
        refused("", "empty");
        refused("-5m", "negative");
        refused("-1.00:00:00", "negative");
        refused("15", "a unit must follow");
        refused("15x", "unknown unit");
        refused("1.5h", "smaller unit");
        refused("m", "a number must come before");
        refused("30m 1h", "largest first");
        refused("1h1h", "largest first");
        refused("00:00:00.0001", "millisecond resolution");
        refused("24:00:00", "hours must be at most 23");
        refused("00:60:00", "minutes must be at most 59");
        refused("1:2", "hh:mm:ss");
        refused("99999999999999999999d", "too large");
        refused("999999999999999d", "too long");
        refused("3660001d", "10,000 years");
    }

    #[test]
    fn instants() {
        let t = parse_instant("2016-01-25T21:32:01Z").unwrap();
        assert_eq!(t.as_millis(), 1_453_757_521_000);
        let offset = parse_instant("2016-01-25T13:32:01-08:00").unwrap();
        assert_eq!(offset, t);
        let frac = parse_instant("2016-01-25T21:32:01.250Z").unwrap();
        assert_eq!(frac.as_millis(), 1_453_757_521_250);
        for bad in [
            "2016-01-25",
            "yesterday",
            "2016-13-01T00:00:00Z",
            "2016-01-25T21:32:01.0001Z",
            "1800-01-01T00:00:00Z",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
    }
}
