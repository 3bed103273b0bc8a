//! Calendar occurrences and their reminders (MODEL.md section 6).

use super::world::{CalendarItem, RepeatEnd};
use crate::time::SimTime;
use std::ops::Range;

/// One occurrence of a calendar item that has a reminder inside the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reminder {
    /// Reminder time `r = occurrence start - reminder`.
    pub at: SimTime,
    /// Occurrence start.
    pub start: SimTime,
    /// Occurrence end.
    pub end: SimTime,
    /// Index of the item in the mailbox's calendar (file order).
    pub item: u32,
    /// Occurrence number k (0 for the first).
    pub occurrence: u64,
    /// Ground truth: the user wanted SMS reminders at `at`.
    pub expected: bool,
}

/// The range of occurrence numbers `k` of `item` that may have their
/// reminder time in `[from, until)`, with the bounds of their starts: a
/// recurrence with a huge `count` or a far `until` costs only what falls
/// inside the window.
fn candidates(item: &CalendarItem, from: SimTime, until: SimTime) -> (Range<u64>, Range<i64>) {
    let lead = item.reminder.map_or(0, |r| r.as_millis());
    let first_start = item.start.as_millis();
    // r = s - lead in [from, until)  <=>  s in [from + lead, until + lead).
    let starts = from.as_millis() + lead..until.as_millis() + lead;
    let (k_lo, k_hi) = match (item.reminder, item.repeat) {
        (None, _) => (0, 0),
        (Some(_), None) => (0, 1),
        (Some(_), Some(rep)) => {
            let every = rep.every.as_millis();
            let first_at_or_after = |t: i64| {
                if t <= first_start { 0 } else { ((t - first_start + every - 1) / every) as u64 }
            };
            let k_end = match rep.end {
                RepeatEnd::Count(n) => n,
                RepeatEnd::Until(u) if u.as_millis() < first_start => 0,
                RepeatEnd::Until(u) => ((u.as_millis() - first_start) / every + 1) as u64,
            };
            (first_at_or_after(starts.start), first_at_or_after(starts.end).min(k_end))
        }
    };
    (k_lo..k_hi.max(k_lo), starts)
}

/// How many occurrences of `item` have their reminder time in
/// `[from, until)`, without enumerating them.
pub fn reminders_in(item: &CalendarItem, from: SimTime, until: SimTime) -> u64 {
    let (ks, starts) = candidates(item, from, until);
    match item.repeat {
        Some(_) => ks.end - ks.start,
        None => u64::from(starts.contains(&item.start.as_millis()) && !ks.is_empty()),
    }
}

/// The occurrences `k` of `item` whose reminder time lies in `[from, until)`,
/// with their start times.
pub fn occurrences_with_reminder_in(
    item: &CalendarItem,
    from: SimTime,
    until: SimTime,
) -> impl Iterator<Item = (u64, SimTime)> + '_ {
    let (ks, starts) = candidates(item, from, until);
    let first_start = item.start.as_millis();
    let every = item.repeat.map_or(0, |r| r.every.as_millis());
    ks.filter_map(move |k| {
        let s = first_start + k as i64 * every;
        starts.contains(&s).then_some((k, SimTime::from_millis(s)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::world::Repeat;
    use crate::time::{SimDuration, parse_instant};

    fn t(s: &str) -> SimTime {
        parse_instant(s).unwrap()
    }

    fn item(repeat: Option<Repeat>) -> CalendarItem {
        CalendarItem {
            subject: "Lunch".into(),
            start: t("2016-01-11T20:00:00Z"),
            duration: SimDuration::from_minutes(90),
            reminder: Some(SimDuration::from_minutes(15)),
            repeat,
        }
    }

    fn starts(item: &CalendarItem, from: &str, until: &str) -> Vec<(u64, String)> {
        occurrences_with_reminder_in(item, t(from), t(until))
            .map(|(k, s)| (k, s.to_string()))
            .collect()
    }

    #[test]
    fn single_occurrence() {
        let once = item(None);
        assert_eq!(starts(&once, "2016-01-11T00:00:00Z", "2016-01-12T00:00:00Z").len(), 1);
        // Reminder at 19:45 is outside a window that starts at 19:50.
        assert!(starts(&once, "2016-01-11T19:50:00Z", "2016-01-12T00:00:00Z").is_empty());
        // Window end is exclusive for the reminder time.
        assert!(starts(&once, "2016-01-11T00:00:00Z", "2016-01-11T19:45:00Z").is_empty());
        let mut silent = item(None);
        silent.reminder = None;
        assert!(starts(&silent, "2016-01-01T00:00:00Z", "2017-01-01T00:00:00Z").is_empty());
    }

    #[test]
    fn count_and_until() {
        let daily = |end| item(Some(Repeat { every: SimDuration::from_days(1), end }));
        let by_count = daily(RepeatEnd::Count(3));
        assert_eq!(
            starts(&by_count, "2016-01-01T00:00:00Z", "2017-01-01T00:00:00Z"),
            [
                (0, "2016-01-11T20:00:00.000Z".to_string()),
                (1, "2016-01-12T20:00:00.000Z".to_string()),
                (2, "2016-01-13T20:00:00.000Z".to_string()),
            ]
        );
        // `until` includes an occurrence that starts exactly then.
        let by_until = daily(RepeatEnd::Until(t("2016-01-13T20:00:00Z")));
        assert_eq!(starts(&by_until, "2016-01-01T00:00:00Z", "2017-01-01T00:00:00Z").len(), 3);
        let before_first = daily(RepeatEnd::Until(t("2016-01-10T00:00:00Z")));
        assert!(starts(&before_first, "2016-01-01T00:00:00Z", "2017-01-01T00:00:00Z").is_empty());
    }

    #[test]
    fn huge_recurrences_cost_only_the_window() {
        let endless = item(Some(Repeat {
            every: SimDuration::from_millis(1),
            end: RepeatEnd::Count(u64::MAX),
        }));
        let got = starts(&endless, "2016-01-12T00:00:00Z", "2016-01-12T00:00:00.005Z");
        assert_eq!(got.len(), 5);
        assert_eq!(got[0].1, "2016-01-12T00:15:00.000Z");
        let far = item(Some(Repeat {
            every: SimDuration::from_days(1),
            end: RepeatEnd::Until(t("9999-01-01T00:00:00Z")),
        }));
        let got = starts(&far, "2016-02-01T00:00:00Z", "2016-02-03T00:00:00Z");
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [21, 22]);
    }

    #[test]
    fn counting_agrees_with_enumerating() {
        let windows = [
            ("2016-01-01T00:00:00Z", "2016-02-01T00:00:00Z"),
            ("2016-01-12T19:45:00Z", "2016-01-14T19:45:00Z"),
            ("2016-01-12T19:45:00.001Z", "2016-01-14T19:45:00.001Z"),
            ("2015-01-01T00:00:00Z", "2016-01-11T19:45:00Z"),
        ];
        let repeats = [
            None,
            Some(Repeat { every: SimDuration::from_days(1), end: RepeatEnd::Count(21) }),
            Some(Repeat { every: SimDuration::from_hours(7), end: RepeatEnd::Count(100) }),
            Some(Repeat {
                every: SimDuration::from_days(1),
                end: RepeatEnd::Until(t("2016-01-20T20:00:00Z")),
            }),
        ];
        for repeat in repeats {
            let it = item(repeat);
            for (from, until) in windows {
                let (from, until) = (t(from), t(until));
                let listed = occurrences_with_reminder_in(&it, from, until).count() as u64;
                assert_eq!(reminders_in(&it, from, until), listed, "{repeat:?} {from} {until}");
            }
        }
    }
}
