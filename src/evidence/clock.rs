//! Times as tickets print them: the US forms PowerShell uses
//! (`1/25/2016 21:32:01`, `12/22/2015 1:15:17 PM`), the dotted
//! day-first form of other cultures (`25.01.2016 21:32:01`), ISO 8601
//! (`2016-01-25T21:32:01.123Z`), the diagnostic trace's
//! `2016/01/13-03:06:05.279` and the dump's `2015/12/23 16:15:00.000`.
//!
//! A time printed without a zone is read in the zone the user names with
//! `--time-zone` (an IANA name; UTC by default); a time with `Z` or an
//! offset is read as written.

use crate::time::SimTime;
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// The forms a time without a zone may take, tried in order.
const FORMS: [&str; 14] = [
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d-%H:%M:%S%.f",
    "%Y/%m/%d %H:%M:%S%.f",
    "%m/%d/%Y %H:%M:%S%.f",
    "%Y/%m/%d %H:%M",
    // German and other cultures' `Export-Csv -UseCulture`: day.month.year.
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
];

/// What a time should look like, for error messages.
pub const TIME_FORMS: &str = "a time such as `1/25/2016 21:32:01`, `12/22/2015 1:15:17 PM` \
                              or `2016-01-25T21:32:01Z`";

/// Reads the times of one evidence set in one zone.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    zone: Tz,
}

impl Default for Clock {
    fn default() -> Self {
        Clock { zone: Tz::UTC }
    }
}

impl Clock {
    /// A clock for the IANA zone `name` (`UTC`, `America/Los_Angeles`).
    pub fn for_zone(name: &str) -> Result<Clock, String> {
        name.parse::<Tz>().map(|zone| Clock { zone }).map_err(|_| {
            format!(
                "`{}` is not a time zone: expected an IANA name such as `UTC`, \
                 `America/Los_Angeles` or `Europe/Berlin`",
                name.escape_debug()
            )
        })
    }

    /// The zone's IANA name.
    pub fn zone_name(&self) -> &'static str {
        self.zone.name()
    }

    /// The local day (days since 1970-01-01 in this zone) and the
    /// milliseconds since local midnight of an instant.
    pub fn local_day_and_time(&self, t: SimTime) -> (i64, i64) {
        use chrono::{Datelike, Timelike};
        let Some(utc) = DateTime::from_timestamp_millis(t.as_millis()) else { return (0, 0) };
        let local = utc.with_timezone(&self.zone).naive_local();
        let day = i64::from(local.date().num_days_from_ce()) - 719_163;
        let ms = i64::from(local.time().num_seconds_from_midnight()) * 1000
            + i64::from(local.time().nanosecond() / 1_000_000);
        (day, ms)
    }

    /// The instant of a local day and time of day (see
    /// [`Clock::local_day_and_time`]); a time the clocks skip moves forward
    /// by the gap, one they pass twice is the first.
    pub fn at_local(&self, day: i64, ms: i64) -> Option<SimTime> {
        let date =
            chrono::NaiveDate::from_num_days_from_ce_opt(i32::try_from(day + 719_163).ok()?)?;
        let naive = date.and_hms_opt(0, 0, 0)? + chrono::Duration::milliseconds(ms);
        let resolve = |n: NaiveDateTime| match self.zone.from_local_datetime(&n) {
            LocalResult::Single(d) | LocalResult::Ambiguous(d, _) => Some(d.timestamp_millis()),
            LocalResult::None => None,
        };
        let ms = resolve(naive).or_else(|| resolve(naive + chrono::Duration::hours(1)))?;
        within(ms)
    }

    /// Reads one time; the error says what was expected.
    pub fn parse(&self, text: &str) -> Result<SimTime, String> {
        let t = text.trim();
        let bad = || format!("`{}` is not a time: expected {TIME_FORMS}", t.escape_debug());
        if t.is_empty() || t.len() > 64 {
            return Err(bad());
        }
        if let Ok(d) = DateTime::parse_from_rfc3339(t) {
            return within(d.timestamp_millis()).ok_or_else(bad);
        }
        if let Some(local) = t.strip_suffix('Z').or_else(|| t.strip_suffix(" UTC")) {
            let naive = naive(local).ok_or_else(bad)?;
            return within(naive.and_utc().timestamp_millis()).ok_or_else(bad);
        }
        let naive = naive(t).ok_or_else(bad)?;
        let utc = match self.zone.from_local_datetime(&naive) {
            LocalResult::Single(d) => d.timestamp_millis(),
            // A time the clocks pass twice: the first of the two.
            LocalResult::Ambiguous(first, _) => first.timestamp_millis(),
            // A time the clocks skip: moved forward by the gap, as a clock
            // that was not yet changed would have read it.
            LocalResult::None => {
                let later = naive + chrono::Duration::hours(1);
                match self.zone.from_local_datetime(&later) {
                    LocalResult::Single(d) | LocalResult::Ambiguous(d, _) => d.timestamp_millis(),
                    LocalResult::None => return Err(bad()),
                }
            }
        };
        within(utc).ok_or_else(bad)
    }
}

fn naive(text: &str) -> Option<NaiveDateTime> {
    let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    FORMS.iter().find_map(|form| NaiveDateTime::parse_from_str(&squeezed, form).ok()).or_else(
        || {
            // A date alone (`-Start 1/20/2016`) is its midnight.
            ["%m/%d/%Y", "%Y-%m-%d", "%d.%m.%Y"]
                .iter()
                .find_map(|form| chrono::NaiveDate::parse_from_str(&squeezed, form).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        },
    )
}

fn within(ms: i64) -> Option<SimTime> {
    (SimTime::MIN.as_millis()..=SimTime::MAX.as_millis())
        .contains(&ms)
        .then(|| SimTime::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339;

    fn utc(text: &str) -> String {
        format_rfc3339(Clock::default().parse(text).unwrap())
    }

    #[test]
    fn reads_the_forms_tickets_print() {
        assert_eq!(utc("1/25/2016 21:32:01"), "2016-01-25T21:32:01.000Z");
        assert_eq!(utc("12/22/2015 1:15:17 PM"), "2015-12-22T13:15:17.000Z");
        assert_eq!(utc("1/13/2016 11:06:04 AM"), "2016-01-13T11:06:04.000Z");
        assert_eq!(utc("12/22/2015 12:05:00 AM"), "2015-12-22T00:05:00.000Z");
        assert_eq!(utc("01/13/2016 16:15:00"), "2016-01-13T16:15:00.000Z");
        assert_eq!(utc("2016/01/13-03:06:05.279"), "2016-01-13T03:06:05.279Z");
        assert_eq!(utc("2015/12/23 16:15:00.000"), "2015-12-23T16:15:00.000Z");
        assert_eq!(utc("2016-01-25T16:15:00.123Z"), "2016-01-25T16:15:00.123Z");
        assert_eq!(utc("2016-01-25T08:15:00-08:00"), "2016-01-25T16:15:00.000Z");
        assert_eq!(utc("2016-01-25 16:15:00"), "2016-01-25T16:15:00.000Z");
        assert_eq!(utc("25.01.2016 21:32:01"), "2016-01-25T21:32:01.000Z");
    }

    #[test]
    fn reads_zoneless_times_in_the_named_zone_across_dst() {
        let la = Clock::for_zone("America/Los_Angeles").unwrap();
        let at = |t: &str| format_rfc3339(la.parse(t).unwrap());
        assert_eq!(at("3/12/2016 14:30:00"), "2016-03-12T22:30:00.000Z");
        assert_eq!(at("3/14/2016 14:30:00"), "2016-03-14T21:30:00.000Z");
        // 02:30 does not exist on 13 March; read as 03:30 PDT.
        assert_eq!(at("3/13/2016 2:30:00 AM"), "2016-03-13T10:30:00.000Z");
        // 01:30 on 6 November happens twice; the first is PDT.
        assert_eq!(at("11/6/2016 1:30:00 AM"), "2016-11-06T08:30:00.000Z");
        // A time with a zone is read as written.
        assert_eq!(at("2016-03-14T14:30:00Z"), "2016-03-14T14:30:00.000Z");
    }

    #[test]
    fn local_days_and_times_round_trip_across_dst() {
        let la = Clock::for_zone("America/Los_Angeles").unwrap();
        for text in ["3/12/2016 9:00:00", "3/14/2016 9:00:00", "1/1/1970 0:00:00"] {
            let t = la.parse(text).unwrap();
            let (day, ms) = la.local_day_and_time(t);
            assert_eq!(ms, if text.starts_with("1/1/1970") { 0 } else { 9 * 3_600_000 });
            assert_eq!(la.at_local(day, ms), Some(t));
        }
        let (d12, _) = la.local_day_and_time(la.parse("3/12/2016 9:00:00").unwrap());
        assert_eq!(
            la.at_local(d12 + 2, 9 * 3_600_000).map(format_rfc3339).as_deref(),
            Some("2016-03-14T16:00:00.000Z")
        );
        assert_eq!(utc("1/20/2016"), "2016-01-20T00:00:00.000Z");
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in ["13/45/2016 25:61:00", "", "yesterday", "2/30/2016 10:00:00", "1/1/99999 1:00"]
        {
            let e = Clock::default().parse(bad).unwrap_err();
            assert!(e.contains("is not a time"), "{e}");
        }
        assert!(Clock::for_zone("Mars/Olympus").unwrap_err().contains("IANA"));
    }
}
