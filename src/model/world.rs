//! The validated world a scenario describes: plain data with indices and
//! milliseconds, no strings to look up on the hot path and no YAML.
//!
//! Architecture invariant: a `World` is only built by `scenario::load` (or by
//! tests), which checks every rule listed on the types below; the engine
//! relies on them and does not check again.

use super::expectation::Expectation;
use super::policy::Policy;
use crate::time::{DAY_MS, SimDuration, SimTime};
use uuid::Uuid;

/// Index of a database in [`World::databases`] (file order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DbId(pub u32);

/// Index of a mailbox in [`World::mailboxes`] (file order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MailboxId(pub u32);

impl DbId {
    /// The index as `usize`, for slices.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl MailboxId {
    /// The index as `usize`, for slices.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Everything one scenario run needs, validated.
#[derive(Clone, Debug)]
pub struct World {
    /// Scenario name (`[a-z0-9-]+`); names the output folder.
    pub name: String,
    /// Free text saying what the scenario shows.
    pub description: String,
    /// Root seed of every random stream.
    pub seed: u64,
    /// First instant of the window.
    pub start: SimTime,
    /// End of the window (exclusive): nothing at or after it runs.
    pub end: SimTime,
    /// SMTP domain for addresses in logs.
    pub domain: String,
    /// The policies to compare, in the order they are run and reported.
    pub policies: Vec<Policy>,
    /// Mailbox databases, in file order. At least one.
    pub databases: Vec<Database>,
    /// Mailboxes, in file order.
    pub mailboxes: Vec<Mailbox>,
    /// The scenario's regression assertions, in file order; each names one
    /// of `policies`. They do not affect the run.
    pub expectations: Vec<Expectation>,
    /// What the scenario's `population:` generated, if it has one; its
    /// materialized mailboxes follow the explicit ones in `mailboxes`.
    pub population: Option<crate::model::population::PopulationCounts>,
    /// Most events one policy's run may handle (`--max-events`); a run
    /// that needs more stops with an error.
    pub max_events: u64,
    /// What one policy's run is expected to cost (set by validation).
    pub estimate: crate::model::budget::Estimate,
}

impl World {
    /// The policies `names` picks, in order and each once, from this
    /// world's and the built-in ones; an unknown name is an error that lists
    /// the choices.
    pub fn select_policies(&self, names: &[String]) -> Result<Vec<Policy>, String> {
        let mut chosen: Vec<Policy> = Vec::with_capacity(names.len());
        for name in names {
            let policy = self
                .policies
                .iter()
                .find(|p| &p.name == name)
                .cloned()
                .or_else(|| Policy::preset(name))
                .ok_or_else(|| {
                    let mut known: Vec<String> =
                        self.policies.iter().map(|p| p.name.clone()).collect();
                    for preset in crate::model::policy::PRESET_NAMES {
                        if !known.iter().any(|k| k == preset) {
                            known.push(preset.to_string());
                        }
                    }
                    format!(
                        "scenario `{}` has no policy `{name}`; choose from {}",
                        self.name,
                        known.join(", ")
                    )
                })?;
            if !chosen.iter().any(|p| p.name == policy.name) {
                chosen.push(policy);
            }
        }
        Ok(chosen)
    }

    /// How many mailboxes the scenario has: the explicit ones and every one
    /// its population generated, built or not (`mailboxes` holds only the
    /// built ones).
    pub fn mailbox_count(&self) -> u64 {
        let listed = self.mailboxes.len() as u64;
        self.population.map_or(listed, |p| listed - p.materialized + p.mailboxes)
    }
}

/// A mailbox database with its event counter and its assistant dispatcher.
#[derive(Clone, Debug)]
pub struct Database {
    /// Display name, unique in the world.
    pub name: String,
    /// Database GUID, for traces.
    pub guid: Uuid,
    /// Counter of the first event (default 1).
    pub counter_start: u64,
    /// Time the assistant spends on each event; zero means unlimited throughput.
    pub service_time: SimDuration,
    /// Background mail traffic, if any (rate above zero).
    pub background: Option<Background>,
}

/// Background mail traffic on a database: `ObjectCreated` events that belong
/// to no simulated mailbox but take counters and dispatcher time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Background {
    /// Mean arrivals per hour on weekdays (Monday to Friday, UTC); finite,
    /// not negative.
    pub rate_per_hour: f64,
    /// Mean arrivals per hour on Saturdays and Sundays (UTC); equal to
    /// `rate_per_hour` unless the scenario says otherwise. At least one of
    /// the two is above zero.
    pub weekend_rate_per_hour: f64,
    /// How arrivals are spread.
    pub arrivals: Arrivals,
}

impl Background {
    /// The same rate every day.
    pub fn constant(rate_per_hour: f64, arrivals: Arrivals) -> Background {
        Background { rate_per_hour, weekend_rate_per_hour: rate_per_hour, arrivals }
    }

    /// The rate at instant `t` and the instant when it next changes
    /// (`SimTime::MAX` when it never does): weekdays and weekends split at
    /// midnight UTC.
    pub fn rate_at(&self, t: SimTime) -> (f64, SimTime) {
        if self.rate_per_hour == self.weekend_rate_per_hour {
            return (self.rate_per_hour, SimTime::MAX);
        }
        let day = t.as_millis().div_euclid(DAY_MS);
        // 1970-01-01, day 0, was a Thursday: 0 is Monday here.
        let weekday = (day + 3).rem_euclid(7);
        if weekday >= 5 {
            (self.weekend_rate_per_hour, SimTime::from_millis((day + 7 - weekday) * DAY_MS))
        } else {
            (self.rate_per_hour, SimTime::from_millis((day + 5 - weekday) * DAY_MS))
        }
    }

    /// Mean arrivals in `[start, end)`.
    pub fn mean_arrivals(&self, start: SimTime, end: SimTime) -> f64 {
        let mut total = 0.0;
        let mut t = start;
        while t < end {
            let (rate, change) = self.rate_at(t);
            let until = change.min(end);
            total += rate * (until - t).as_millis() as f64 / 3_600_000.0;
            t = until;
        }
        total
    }
}

/// Arrival process of background traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrivals {
    /// A Poisson process drawn from the database's random stream, slot by
    /// slot (docs/model-decisions.md).
    Poisson,
    /// Arrival k at `start + floor(k * 3600000 / rate_per_hour)` ms; with
    /// a weekend rate, counted afresh from each change of rate.
    Uniform,
}

/// A user's mailbox.
#[derive(Clone, Debug)]
pub struct Mailbox {
    /// Display name, unique in the world.
    pub name: String,
    /// Mailbox GUID, unique in the world.
    pub guid: Uuid,
    /// Local part of the SMTP address, derived from the name.
    pub alias: String,
    /// Database the mailbox lives on at the start.
    pub database: DbId,
    /// Notification phone number in E.164 form (`+` and digits).
    pub phone: String,
    /// When the user wants SMS reminders, if ever.
    pub sms: Option<SmsIntent>,
    /// How the user reacts to missing reminders, if at all.
    pub reaction: Option<Reaction>,
    /// Calendar items, in file order.
    pub calendar: Vec<CalendarItem>,
    /// The move request, if the mailbox is being moved.
    pub move_request: Option<MoveRequest>,
}

/// The user's intent: SMS reminders wanted from `enable_at` until
/// `disable_at`, and the reconfigurations the user makes at given instants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmsIntent {
    /// When the user turns text messaging on; not before the window start.
    pub enable_at: SimTime,
    /// When the user turns it off; after `enable_at`.
    pub disable_at: Option<SimTime>,
    /// When the user reconfigures text messaging of their own accord
    /// (`sms.reconfigure_at`, as an admin audit log shows it): strictly
    /// increasing, after `enable_at`, inside the window, at most
    /// [`MAX_LISTED_RECONFIGURATIONS`]. Each is carried out like a
    /// reconfiguration of the reaction rule, and dropped in the same way
    /// when the user no longer wants SMS then.
    pub reconfigure_at: Vec<SimTime>,
}

/// Most instants `sms.reconfigure_at` may list for one mailbox: far more
/// than a ticket's audit log holds (one a minute for over two months), and
/// few enough that one mailbox listing them all stays far below a run's
/// limits (400,000 events and about 25 MiB under two policies).
pub const MAX_LISTED_RECONFIGURATIONS: usize = 100_000;

impl SmsIntent {
    /// True when the user wants SMS reminders at `t`.
    pub fn is_on(&self, t: SimTime) -> bool {
        self.enable_at <= t && self.disable_at.is_none_or(|d| t < d)
    }
}

/// The user reaction rule (MODEL.md section 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reaction {
    /// Consecutive missed reminders that make the user reconfigure; at least 1.
    pub after_missed: u32,
    /// Delay from noticing to reconfiguring; above zero.
    pub delay: SimDuration,
}

/// A calendar item, possibly recurring.
#[derive(Clone, Debug)]
pub struct CalendarItem {
    /// Subject, for message tracking and traces.
    pub subject: String,
    /// Start of the first occurrence.
    pub start: SimTime,
    /// Length of each occurrence.
    pub duration: SimDuration,
    /// Reminder lead time before each occurrence's start, if set.
    pub reminder: Option<SimDuration>,
    /// Recurrence, if any.
    pub repeat: Option<Repeat>,
}

/// Recurrence: occurrence k starts at `start + k * every`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repeat {
    /// Gap between occurrence starts; above zero.
    pub every: SimDuration,
    /// How many occurrences there are.
    pub end: RepeatEnd,
}

/// The end of a recurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepeatEnd {
    /// Exactly this many occurrences (at least 1).
    Count(u64),
    /// Every occurrence that starts at or before this instant.
    Until(SimTime),
}

/// A move request with incremental sync (MODEL.md section 4).
#[derive(Clone, Debug)]
pub struct MoveRequest {
    /// Target database; not the mailbox's own.
    pub target: DbId,
    /// Start of the initial sync; not before the window start.
    pub start: SimTime,
    /// `IncrementalSyncInterval`, counted from the end of the previous sync.
    pub interval: SimDuration,
    /// How long each sync takes.
    pub durations: SyncDurations,
    /// `CompleteAfter`: finalization time, if the move is completed.
    pub complete_at: Option<SimTime>,
    /// How long finalization locks the mailbox.
    pub lock_duration: SimDuration,
    /// When the move fails, if it does.
    pub fail_at: Option<SimTime>,
}

/// Sync durations of a move. Validation guarantees that a sync cycle
/// (duration plus interval) always takes time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncDurations {
    /// Every sync takes this long.
    Fixed(SimDuration),
    /// Sync k takes entry k; the last entry repeats. Never empty.
    List(Vec<SimDuration>),
    /// Drawn uniformly (whole milliseconds, both ends included) from the
    /// move's random stream.
    Uniform {
        /// Shortest sync.
        lo: SimDuration,
        /// Longest sync; not below `lo`.
        hi: SimDuration,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    #[test]
    fn weekends_are_saturday_and_sunday_utc() {
        let bg = Background {
            rate_per_hour: 8.0,
            weekend_rate_per_hour: 2.0,
            arrivals: Arrivals::Poisson,
        };
        let t = |s| parse_instant(s).unwrap();
        // 2016-01-25 was a Monday (the write-up's first MailboxMoveStarted).
        assert_eq!(bg.rate_at(t("2016-01-25T21:32:01Z")), (8.0, t("2016-01-30T00:00:00Z")));
        assert_eq!(bg.rate_at(t("2016-01-29T23:59:59.999Z")), (8.0, t("2016-01-30T00:00:00Z")));
        assert_eq!(bg.rate_at(t("2016-01-30T00:00:00Z")), (2.0, t("2016-02-01T00:00:00Z")));
        assert_eq!(bg.rate_at(t("2016-01-31T12:00:00Z")), (2.0, t("2016-02-01T00:00:00Z")));
        // Before 1970 too.
        assert_eq!(bg.rate_at(t("1969-12-27T00:00:00Z")).0, 2.0);
        assert_eq!(bg.rate_at(t("1969-12-29T00:00:00Z")).0, 8.0);
        // A week: five weekdays and a weekend, in hours.
        let week = bg.mean_arrivals(t("2016-01-25T00:00:00Z"), t("2016-02-01T00:00:00Z"));
        assert_eq!(week, (5.0 * 8.0 + 2.0 * 2.0) * 24.0);
        let constant = Background::constant(3.0, Arrivals::Uniform);
        assert_eq!(constant.rate_at(t("2016-01-30T00:00:00Z")), (3.0, SimTime::MAX));
    }
}
