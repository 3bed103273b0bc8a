//! Printing instants and durations the way Exchange and our files do.

use super::{DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, SimDuration, SimTime};
use chrono::{DateTime, Utc};

fn utc(t: SimTime) -> DateTime<Utc> {
    // Every SimTime the engine produces lies within chrono's range (years
    // 1900 to 9999 are enforced by the reader); the epoch fallback only
    // exists so that formatting can never panic.
    DateTime::from_timestamp_millis(t.as_millis()).unwrap_or_default()
}

/// RFC 3339 in UTC with milliseconds: `2016-01-25T21:32:01.000Z`. Used in
/// every CSV and JSON file.
pub fn format_rfc3339(t: SimTime) -> String {
    utc(t).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The timestamp of an Exchange diagnostic trace line: `2016/01/13-03:06:05.279`.
pub fn format_trace_stamp(t: SimTime) -> String {
    utc(t).format("%Y/%m/%d-%H:%M:%S%.3f").to_string()
}

/// The US short form the dispatcher prints for `Created Time`:
/// `1/13/2016 11:06:04 AM`.
pub fn format_us_stamp(t: SimTime) -> String {
    utc(t).format("%-m/%-d/%Y %-I:%M:%S %p").to_string()
}

/// The form of the reminder fields in the assistant's trace
/// (`event_t`, `rmd_t`, `s_t`, `e_t`): `01/13/2016 16:15:00`.
pub fn format_us_date(t: SimTime) -> String {
    utc(t).format("%m/%d/%Y %H:%M:%S").to_string()
}

/// A day on a chart axis: `Mon 25 Jan`.
pub fn format_axis_day(t: SimTime) -> String {
    utc(t).format("%a %-d %b").to_string()
}

/// An hour on a chart axis: `25 Jan 06:00`.
pub fn format_axis_hour(t: SimTime) -> String {
    utc(t).format("%-d %b %H:%M").to_string()
}

/// A date with its year on a chart axis: `25 Jan 2016`.
pub fn format_axis_date(t: SimTime) -> String {
    utc(t).format("%-d %b %Y").to_string()
}

/// The year of an instant: `2016`.
pub fn format_axis_year(t: SimTime) -> String {
    utc(t).format("%Y").to_string()
}

/// A short instant for captions and tables: `2016-01-25 21:32`.
pub fn format_short(t: SimTime) -> String {
    utc(t).format("%Y-%m-%d %H:%M").to_string()
}

/// The .NET TimeSpan "c" format that Exchange cmdlets print:
/// `[d.]hh:mm:ss[.fffffff]`, the day left out when it is zero.
pub fn format_timespan(d: SimDuration) -> String {
    let ms = d.as_millis();
    let days = ms / DAY_MS;
    let hours = ms % DAY_MS / HOUR_MS;
    let minutes = ms % HOUR_MS / MINUTE_MS;
    let seconds = ms % MINUTE_MS / SECOND_MS;
    let millis = ms % SECOND_MS;
    let mut out = String::new();
    if days > 0 {
        out.push_str(&format!("{days}."));
    }
    out.push_str(&format!("{hours:02}:{minutes:02}:{seconds:02}"));
    if millis > 0 {
        out.push_str(&format!(".{millis:03}0000"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_duration, parse_instant};

    #[test]
    fn instants_in_every_style() {
        let t = parse_instant("2016-01-13T11:06:04.279Z").unwrap();
        assert_eq!(format_rfc3339(t), "2016-01-13T11:06:04.279Z");
        assert_eq!(format_trace_stamp(t), "2016/01/13-11:06:04.279");
        assert_eq!(format_us_stamp(t), "1/13/2016 11:06:04 AM");
        assert_eq!(format_us_date(t), "01/13/2016 11:06:04");
        let pm = parse_instant("2015-12-22T13:15:17Z").unwrap();
        assert_eq!(format_us_stamp(pm), "12/22/2015 1:15:17 PM");
    }

    #[test]
    fn timespans_round_trip() {
        for text in ["1.00:00:00", "00:15:00", "00:00:01.5000000", "3.02:01:00", "00:00:00"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(format_timespan(d), text);
        }
    }
}
