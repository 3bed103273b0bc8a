//! Simulated time: instants and durations in whole milliseconds.
//!
//! Architecture invariant: nothing in this module reads a clock. Simulated
//! time only moves when the engine pops an event; the wall clock never leaks
//! into a run.

mod format;
mod grid;
mod parse;

pub use format::{
    Stamp, format_axis_date, format_axis_day, format_axis_hour, format_axis_year, format_rfc3339,
    format_short, format_timespan,
};
pub use grid::Grid;
pub use parse::{TimeParseError, parse_duration, parse_instant};

use std::fmt;
use std::ops::Sub;

/// Milliseconds in one second, minute, hour and day.
pub const SECOND_MS: i64 = 1_000;
/// Milliseconds in one minute.
pub const MINUTE_MS: i64 = 60 * SECOND_MS;
/// Milliseconds in one hour.
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
/// Milliseconds in one day.
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// An instant of simulated time: milliseconds since 1970-01-01T00:00:00Z.
///
/// The supported range is the years 1900 to 9999 (see [`SimTime::MIN`] and
/// [`SimTime::MAX`]); the scenario reader refuses anything outside it.
/// Durations are added with [`SimTime::checked_add`] or
/// [`SimTime::saturating_add`] (there is no `+`), so a sum past the range is
/// either refused or pinned to [`SimTime::MAX`], never wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(i64);

impl SimTime {
    /// 1900-01-01T00:00:00Z, the earliest instant a scenario may name.
    pub const MIN: SimTime = SimTime(-2_208_988_800_000);
    /// 9999-12-31T23:59:59.999Z, the latest instant a scenario may name.
    pub const MAX: SimTime = SimTime(253_402_300_799_999);

    /// The instant `ms` milliseconds after the Unix epoch.
    pub const fn from_millis(ms: i64) -> SimTime {
        SimTime(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// `self + d`, or `None` past the supported range.
    pub fn checked_add(self, d: SimDuration) -> Option<SimTime> {
        let t = self.0.checked_add(d.0)?;
        (t <= SimTime::MAX.0).then_some(SimTime(t))
    }

    /// `self + d`, saturating at [`SimTime::MAX`]. Used where a schedule
    /// runs past the window end anyway, so the exact far-future value does
    /// not matter.
    pub fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0).min(SimTime::MAX.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Stamp::rfc3339(*self))
    }
}

/// A non-negative span of simulated time in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(i64);

impl SimDuration {
    /// The empty duration.
    pub const ZERO: SimDuration = SimDuration(0);
    /// The longest duration a scenario may name: 10,000 years, longer than
    /// any window between [`SimTime::MIN`] and [`SimTime::MAX`].
    pub const MAX: SimDuration = SimDuration(10_000 * 366 * DAY_MS);

    /// A duration of `ms` milliseconds. Negative values are a logic error.
    pub const fn from_millis(ms: i64) -> SimDuration {
        assert!(ms >= 0, "durations are never negative");
        SimDuration(ms)
    }

    /// A duration of whole minutes.
    pub const fn from_minutes(m: i64) -> SimDuration {
        SimDuration::from_millis(m * MINUTE_MS)
    }

    /// A duration of whole hours.
    pub const fn from_hours(h: i64) -> SimDuration {
        SimDuration::from_millis(h * HOUR_MS)
    }

    /// A duration of whole days.
    pub const fn from_days(d: i64) -> SimDuration {
        SimDuration::from_millis(d * DAY_MS)
    }

    /// Length in milliseconds.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Length in hours, for reports.
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / HOUR_MS as f64
    }

    /// True for the empty duration.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_timespan(*self))
    }
}

impl Sub<SimDuration> for SimTime {
    type Output = SimTime;
    fn sub(self, d: SimDuration) -> SimTime {
        SimTime(self.0 - d.0)
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    /// The span from `rhs` to `self`; `self` must not be earlier.
    fn sub(self, rhs: SimTime) -> SimDuration {
        SimDuration::from_millis(self.0 - rhs.0)
    }
}
