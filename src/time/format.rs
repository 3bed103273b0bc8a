//! Printing instants and durations the way Exchange and our files do.

use super::{DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, SimDuration, SimTime};
use chrono::{DateTime, Utc};

fn utc(t: SimTime) -> DateTime<Utc> {
    // Every SimTime the engine produces lies within chrono's range (years
    // 1900 to 9999 are enforced by the reader); the epoch fallback only
    // exists so that formatting can never panic.
    DateTime::from_timestamp_millis(t.as_millis()).unwrap_or_default()
}

/// The calendar fields of an instant in UTC. The formats written once per
/// row are built from these with integer formatting: chrono's format
/// strings are parsed anew on every call, which cost a run with a million
/// rows a third of its time.
struct Fields {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    milli: u32,
}

fn fields(t: SimTime) -> Fields {
    use chrono::{Datelike, Timelike};
    let d = utc(t);
    Fields {
        year: d.year(),
        month: d.month(),
        day: d.day(),
        hour: d.hour(),
        minute: d.minute(),
        second: d.second(),
        milli: d.timestamp_subsec_millis(),
    }
}

/// RFC 3339 in UTC with milliseconds: `2016-01-25T21:32:01.000Z`. Used in
/// every CSV and JSON file.
pub fn format_rfc3339(t: SimTime) -> String {
    let f = fields(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        f.year, f.month, f.day, f.hour, f.minute, f.second, f.milli
    )
}

/// The timestamp of an Exchange diagnostic trace line: `2016/01/13-03:06:05.279`.
pub fn format_trace_stamp(t: SimTime) -> String {
    let f = fields(t);
    format!(
        "{:04}/{:02}/{:02}-{:02}:{:02}:{:02}.{:03}",
        f.year, f.month, f.day, f.hour, f.minute, f.second, f.milli
    )
}

/// The US short form the dispatcher prints for `Created Time`:
/// `1/13/2016 11:06:04 AM`.
pub fn format_us_stamp(t: SimTime) -> String {
    let f = fields(t);
    let hour = if f.hour.is_multiple_of(12) { 12 } else { f.hour % 12 };
    let half = if f.hour < 12 { "AM" } else { "PM" };
    format!("{}/{}/{:04} {hour}:{:02}:{:02} {half}", f.month, f.day, f.year, f.minute, f.second)
}

/// The form of the reminder fields in the assistant's trace
/// (`event_t`, `rmd_t`, `s_t`, `e_t`): `01/13/2016 16:15:00`.
pub fn format_us_date(t: SimTime) -> String {
    let f = fields(t);
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}:{:02}",
        f.month, f.day, f.year, f.hour, f.minute, f.second
    )
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
        // Midnight and noon on the 12-hour clock; the first and last years.
        let midnight = parse_instant("1900-01-01T00:00:00Z").unwrap();
        assert_eq!(format_us_stamp(midnight), "1/1/1900 12:00:00 AM");
        assert_eq!(format_rfc3339(midnight), "1900-01-01T00:00:00.000Z");
        let noon = parse_instant("9999-12-31T12:59:59.999Z").unwrap();
        assert_eq!(format_us_stamp(noon), "12/31/9999 12:59:59 PM");
        assert_eq!(format_trace_stamp(noon), "9999/12/31-12:59:59.999");
        assert_eq!(format_us_date(noon), "12/31/9999 12:59:59");
    }

    #[test]
    fn timespans_round_trip() {
        for text in ["1.00:00:00", "00:15:00", "00:00:01.5000000", "3.02:01:00", "00:00:00"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(format_timespan(d), text);
        }
    }
}
