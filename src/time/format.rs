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
    year: u32,
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
        // The reader keeps years within 1900 to 9999.
        year: u32::try_from(d.year()).unwrap_or_default(),
        month: d.month(),
        day: d.day(),
        hour: d.hour(),
        minute: d.minute(),
        second: d.second(),
        milli: d.timestamp_subsec_millis(),
    }
}

/// An instant written out in one of the row formats, held on the stack:
/// the event logs write one or more per row, and a heap string each cost a
/// large run a good share of its time. Read it with [`Stamp::as_str`] or
/// through `Deref<Target = str>`.
#[derive(Clone, Copy)]
pub struct Stamp {
    bytes: [u8; Stamp::CAPACITY],
    len: u8,
}

impl Stamp {
    /// The longest form: `12/31/9999 12:59:59 PM` and the RFC 3339 form are
    /// both shorter.
    const CAPACITY: usize = 32;

    fn new() -> Self {
        Stamp { bytes: [0; Stamp::CAPACITY], len: 0 }
    }

    #[inline]
    fn byte(&mut self, b: u8) -> &mut Self {
        // Every format below is at most 24 bytes; a longer one would be a
        // bug here, and is cut rather than allowed to panic.
        if usize::from(self.len) < Stamp::CAPACITY {
            self.bytes[usize::from(self.len)] = b;
            self.len += 1;
        }
        self
    }

    /// `n` in decimal, zero-padded to `width` digits (years are 1900 to
    /// 9999, so no field is negative or longer than four digits).
    #[inline]
    fn number(&mut self, n: u32, width: u32) -> &mut Self {
        let digits = [n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10];
        // Leading zeros count only up to `width`; the last digit always.
        let significant = match n {
            0..=9 => 1,
            10..=99 => 2,
            100..=999 => 3,
            _ => 4,
        };
        for &d in &digits[4 - significant.max(width.min(4)) as usize..] {
            self.byte(b'0' + d as u8);
        }
        self
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and punctuation are ever written.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// RFC 3339 in UTC with milliseconds: `2016-01-25T21:32:01.000Z`.
    pub fn rfc3339(t: SimTime) -> Self {
        let f = fields(t);
        let mut s = Stamp::new();
        s.number(f.year, 4).byte(b'-').number(f.month, 2).byte(b'-').number(f.day, 2);
        s.byte(b'T').number(f.hour, 2).byte(b':').number(f.minute, 2).byte(b':');
        s.number(f.second, 2).byte(b'.').number(f.milli, 3).byte(b'Z');
        s
    }

    /// The timestamp of an Exchange diagnostic trace line:
    /// `2016/01/13-03:06:05.279`.
    pub fn trace(t: SimTime) -> Self {
        let f = fields(t);
        let mut s = Stamp::new();
        s.number(f.year, 4).byte(b'/').number(f.month, 2).byte(b'/').number(f.day, 2);
        s.byte(b'-').number(f.hour, 2).byte(b':').number(f.minute, 2).byte(b':');
        s.number(f.second, 2).byte(b'.').number(f.milli, 3);
        s
    }

    /// The US short form the dispatcher prints for `Created Time`:
    /// `1/13/2016 11:06:04 AM`.
    pub fn us_stamp(t: SimTime) -> Self {
        let f = fields(t);
        let hour = if f.hour.is_multiple_of(12) { 12 } else { f.hour % 12 };
        let mut s = Stamp::new();
        s.number(f.month, 1).byte(b'/').number(f.day, 1).byte(b'/').number(f.year, 4);
        s.byte(b' ').number(hour, 1).byte(b':').number(f.minute, 2).byte(b':');
        s.number(f.second, 2).byte(b' ').byte(if f.hour < 12 { b'A' } else { b'P' }).byte(b'M');
        s
    }

    /// The form of the reminder fields in the assistant's trace
    /// (`event_t`, `rmd_t`, `s_t`, `e_t`): `01/13/2016 16:15:00`.
    pub fn us_date(t: SimTime) -> Self {
        let f = fields(t);
        let mut s = Stamp::new();
        s.number(f.month, 2).byte(b'/').number(f.day, 2).byte(b'/').number(f.year, 4);
        s.byte(b' ').number(f.hour, 2).byte(b':').number(f.minute, 2).byte(b':');
        s.number(f.second, 2);
        s
    }
}

impl std::ops::Deref for Stamp {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// RFC 3339 in UTC with milliseconds: `2016-01-25T21:32:01.000Z`. Used in
/// every CSV and JSON file.
pub fn format_rfc3339(t: SimTime) -> String {
    Stamp::rfc3339(t).to_string()
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
        assert_eq!(Stamp::trace(t).as_str(), "2016/01/13-11:06:04.279");
        assert_eq!(Stamp::us_stamp(t).as_str(), "1/13/2016 11:06:04 AM");
        assert_eq!(Stamp::us_date(t).as_str(), "01/13/2016 11:06:04");
        let pm = parse_instant("2015-12-22T13:15:17Z").unwrap();
        assert_eq!(Stamp::us_stamp(pm).as_str(), "12/22/2015 1:15:17 PM");
        // Midnight and noon on the 12-hour clock; the first and last years.
        let midnight = parse_instant("1900-01-01T00:00:00Z").unwrap();
        assert_eq!(Stamp::us_stamp(midnight).as_str(), "1/1/1900 12:00:00 AM");
        assert_eq!(format_rfc3339(midnight), "1900-01-01T00:00:00.000Z");
        let noon = parse_instant("9999-12-31T12:59:59.999Z").unwrap();
        assert_eq!(Stamp::us_stamp(noon).as_str(), "12/31/9999 12:59:59 PM");
        assert_eq!(Stamp::trace(noon).as_str(), "9999/12/31-12:59:59.999");
        assert_eq!(Stamp::us_date(noon).as_str(), "12/31/9999 12:59:59");
    }

    #[test]
    fn stamps_agree_with_chrono() {
        // Instants spread over the whole range the reader accepts.
        let first = parse_instant("1900-01-01T00:00:00Z").unwrap().as_millis();
        let last = parse_instant("9999-12-31T23:59:59.999Z").unwrap().as_millis();
        let step = (last - first) / 10_007;
        for k in 0..=10_007 {
            let t = SimTime::from_millis(first + k * step + k % 1000);
            let d = utc(t);
            assert_eq!(Stamp::rfc3339(t).as_str(), d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
            assert_eq!(Stamp::trace(t).as_str(), d.format("%Y/%m/%d-%H:%M:%S%.3f").to_string());
            assert_eq!(Stamp::us_date(t).as_str(), d.format("%m/%d/%Y %H:%M:%S").to_string());
            assert_eq!(
                Stamp::us_stamp(t).as_str(),
                d.format("%-m/%-d/%Y %-I:%M:%S %p").to_string()
            );
        }
    }

    #[test]
    fn timespans_round_trip() {
        for text in ["1.00:00:00", "00:15:00", "00:00:01.5000000", "3.02:01:00", "00:00:00"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(format_timespan(d), text);
        }
    }
}
