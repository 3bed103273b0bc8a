//! The validated world a scenario describes: plain data with indices and
//! milliseconds, no strings to look up on the hot path and no YAML.
//!
//! Architecture invariant: a `World` is only built by `scenario::load` (or by
//! tests), which checks every rule listed on the types below; the engine
//! relies on them and does not check again.

use super::expectation::Expectation;
use super::policy::Policy;
use crate::time::{SimDuration, SimTime};
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
    /// Mean arrivals per hour; finite and above zero.
    pub rate_per_hour: f64,
    /// How arrivals are spread.
    pub arrivals: Arrivals,
}

/// Arrival process of background traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrivals {
    /// Exponential gaps drawn from the database's random stream.
    Poisson,
    /// Arrival k at `start + floor(k * 3600000 / rate_per_hour)` ms.
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

/// The user's intent: SMS reminders wanted from `enable_at` until `disable_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmsIntent {
    /// When the user turns text messaging on; not before the window start.
    pub enable_at: SimTime,
    /// When the user turns it off; after `enable_at`.
    pub disable_at: Option<SimTime>,
}

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
