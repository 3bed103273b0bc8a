//! Generated mailboxes: a population described by shares and
//! distributions (the scenario's `population:` key) becomes plain
//! [`Mailbox`]es.
//!
//! Architecture invariants:
//! - Mailbox `i` of the population draws only from its own random stream,
//!   `population/mailbox/<i>`, so the generated world depends on the seed
//!   and the population's keys alone: not on the number of threads that
//!   generate it, and not on other mailboxes.
//! - Only mailboxes that can change a metric are materialized: a user who
//!   never turns SMS on and whose mailbox is not moved fires no event and
//!   expects no reminder, so it is counted but not built. Calendars are
//!   built only for SMS users (the plan ignores the others' calendars).

use super::world::{
    CalendarItem, DbId, Mailbox, MoveRequest, Reaction, Repeat, RepeatEnd, SmsIntent, SyncDurations,
};
use crate::engine::rng;
use crate::time::{SimDuration, SimTime};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// A whole number drawn uniformly from `lo..=hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountRange {
    /// Smallest value.
    pub lo: u32,
    /// Largest value; not below `lo`.
    pub hi: u32,
}

/// A duration drawn uniformly (whole milliseconds) from `lo..=hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationRange {
    /// Shortest.
    pub lo: SimDuration,
    /// Longest; not below `lo`.
    pub hi: SimDuration,
}

impl DurationRange {
    /// Always `d`.
    pub const fn fixed(d: SimDuration) -> Self {
        DurationRange { lo: d, hi: d }
    }

    fn draw(&self, rng: &mut impl Rng) -> SimDuration {
        let (lo, hi) = (self.lo.as_millis(), self.hi.as_millis());
        SimDuration::from_millis(if lo == hi { lo } else { rng.random_range(lo..=hi) })
    }
}

/// Calendars of SMS users: recurring meetings inside working hours.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarSpec {
    /// Recurring items per user.
    pub items: CountRange,
    /// Working hours (UTC offsets from midnight): a meeting starts on a
    /// half hour at or after the first and ends by the second.
    pub working_hours: (SimDuration, SimDuration),
    /// Meeting lengths, one picked per item.
    pub durations: Vec<SimDuration>,
    /// Reminder lead times, one picked per item.
    pub reminders: Vec<SimDuration>,
    /// Recurrence gaps, one picked per item.
    pub every: Vec<SimDuration>,
}

/// The move wave.
#[derive(Clone, Debug, PartialEq)]
pub struct MovesSpec {
    /// Share of mailboxes under a move request.
    pub share: f64,
    /// Each move starts at window start plus a draw from this.
    pub start_after: DurationRange,
    /// `IncrementalSyncInterval`.
    pub interval: SimDuration,
    /// Sync durations, drawn from each move's own stream.
    pub sync_duration: DurationRange,
    /// Share of moves that are completed (given a `CompleteAfter`).
    pub complete_share: f64,
    /// `CompleteAfter` of a completed move: its start plus a draw from this.
    pub complete_after: DurationRange,
    /// How long finalization locks the mailbox.
    pub lock_duration: SimDuration,
    /// Share of moves that fail.
    pub fail_share: f64,
    /// A failing move fails at its start plus a draw from this.
    pub fail_after: DurationRange,
}

/// The reaction rule of the users who have one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UserSpec {
    /// Share of SMS users who reconfigure after missing reminders.
    pub reaction_share: f64,
    /// Consecutive misses before they do.
    pub after_missed: u32,
    /// Delay from noticing to reconfiguring.
    pub reaction: DurationRange,
}

/// A validated population.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationSpec {
    /// Mailboxes in the population, materialized or not.
    pub mailboxes: u64,
    /// The generated databases, as indices into the world's databases:
    /// mailbox `i` lives on `databases[i % len]`, and a moved mailbox goes
    /// to the next one.
    pub databases: std::ops::Range<u32>,
    /// Share of users who turn SMS reminders on.
    pub sms_share: f64,
    /// An SMS user enables at window start plus a draw from this.
    pub enable_after: DurationRange,
    /// Calendars of SMS users.
    pub calendar: CalendarSpec,
    /// The move wave.
    pub moves: MovesSpec,
    /// Reaction of SMS users.
    pub user: UserSpec,
}

/// What the generator built, for reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PopulationCounts {
    /// Mailboxes in the population.
    pub mailboxes: u64,
    /// Of those, users who turn SMS on.
    pub sms_users: u64,
    /// Of those, mailboxes under a move request.
    pub moved: u64,
    /// Mailboxes built (SMS users or moved); the rest cannot change a metric.
    pub materialized: u64,
}

/// Prefix of generated mailbox names: `pop0000001` and so on.
pub const MAILBOX_PREFIX: &str = "pop";

/// The name of population mailbox `i` (0-based) in a population of `n`.
pub fn mailbox_name(i: u64, n: u64) -> String {
    format!("{MAILBOX_PREFIX}{:0width$}", i + 1, width = digits(n))
}

/// The name of generated database `j` (0-based) of `n`.
pub fn database_name(j: u64, n: u64) -> String {
    format!("PDB{:0width$}", j + 1, width = digits(n).max(2))
}

fn digits(n: u64) -> usize {
    n.max(1).ilog10() as usize + 1
}

/// Builds the population's mailboxes (only those that can change a metric,
/// in index order) and counts what it drew. Runs in parallel; the result
/// does not depend on the number of threads.
pub fn generate(
    spec: &PopulationSpec,
    seed: u64,
    start: SimTime,
    end: SimTime,
) -> (Vec<Mailbox>, PopulationCounts) {
    let base = ChaCha8Rng::seed_from_u64(seed);
    // Each task keeps only the mailboxes it builds, with its counts: a
    // mailbox that is not built costs nothing, not even a slot.
    let parts: Vec<(Vec<Mailbox>, PopulationCounts)> = (0..spec.mailboxes as usize)
        .into_par_iter()
        .with_min_len(4_096)
        .fold(
            || (Vec::new(), PopulationCounts::default()),
            |(mut built, mut counts), i| {
                let (mailbox, sms, moved) = generate_one(spec, &base, i as u64, start, end);
                counts.sms_users += u64::from(sms);
                counts.moved += u64::from(moved);
                if let Some(m) = mailbox {
                    counts.materialized += 1;
                    built.push(m);
                }
                (built, counts)
            },
        )
        .collect();
    let mut counts = PopulationCounts { mailboxes: spec.mailboxes, ..Default::default() };
    let mut out = Vec::with_capacity(parts.iter().map(|(b, _)| b.len()).sum());
    // Folds come back in index order, so the mailboxes do too.
    for (built, part) in parts {
        counts.sms_users += part.sms_users;
        counts.moved += part.moved;
        counts.materialized += part.materialized;
        out.extend(built);
    }
    (out, counts)
}

/// The stream of population mailbox `i`: `population/mailbox/<i>`.
fn stream_of(base: &ChaCha8Rng, i: u64) -> ChaCha8Rng {
    let mut rng = base.clone();
    rng.set_stream(rng::stream_id(&format!("population/mailbox/{i}")));
    rng
}

fn share(rng: &mut impl Rng, p: f64) -> bool {
    // Always one draw, so later draws do not depend on the share.
    let u: f64 = rng.random();
    u < p
}

fn pick<T: Copy>(rng: &mut impl Rng, options: &[T]) -> T {
    options[rng.random_range(0..options.len())]
}

fn generate_one(
    spec: &PopulationSpec,
    base: &ChaCha8Rng,
    i: u64,
    start: SimTime,
    end: SimTime,
) -> (Option<Mailbox>, bool, bool) {
    let mut rng = stream_of(base, i);
    let wants_sms = share(&mut rng, spec.sms_share);
    let moved = share(&mut rng, spec.moves.share);
    if !wants_sms && !moved {
        return (None, false, false);
    }
    let mut guid = [0u8; 16];
    rng.fill_bytes(&mut guid);
    let dbs = spec.databases.end - spec.databases.start;
    let home = (i % u64::from(dbs)) as u32;
    let database = DbId(spec.databases.start + home);
    let (sms, reaction, calendar) = if wants_sms {
        let enable_at = start.saturating_add(spec.enable_after.draw(&mut rng));
        let reaction = share(&mut rng, spec.user.reaction_share).then(|| Reaction {
            after_missed: spec.user.after_missed,
            delay: spec.user.reaction.draw(&mut rng),
        });
        let calendar = calendar(&spec.calendar, &mut rng, start, end);
        // A draw past the window end means the user never enables within it.
        let sms = (enable_at < end).then_some(SmsIntent {
            enable_at,
            disable_at: None,
            reconfigure_at: Vec::new(),
        });
        (sms, reaction, calendar)
    } else {
        (None, None, Vec::new())
    };
    let move_request = moved.then(|| {
        let m = &spec.moves;
        let begins = start.saturating_add(m.start_after.draw(&mut rng));
        let complete_at = share(&mut rng, m.complete_share)
            .then(|| begins.saturating_add(m.complete_after.draw(&mut rng)));
        let fail_at = share(&mut rng, m.fail_share)
            .then(|| begins.saturating_add(m.fail_after.draw(&mut rng)));
        MoveRequest {
            target: DbId(spec.databases.start + (home + 1) % dbs),
            start: begins,
            interval: m.interval,
            durations: if m.sync_duration.lo == m.sync_duration.hi {
                SyncDurations::Fixed(m.sync_duration.lo)
            } else {
                SyncDurations::Uniform { lo: m.sync_duration.lo, hi: m.sync_duration.hi }
            },
            complete_at,
            lock_duration: m.lock_duration,
            fail_at,
        }
    });
    let name = mailbox_name(i, spec.mailboxes);
    let mailbox = Mailbox {
        alias: name.clone(),
        phone: format!("+1555{:07}", i % 10_000_000),
        guid: uuid::Builder::from_random_bytes(guid).into_uuid(),
        name,
        database,
        sms,
        reaction,
        calendar,
        move_request,
    };
    (Some(mailbox), wants_sms, moved)
}

const HALF_HOUR: i64 = 30 * 60 * 1000;
const DAY: i64 = 24 * 60 * 60 * 1000;

/// Recurring meetings: each starts on a half hour inside working hours, on
/// a day within its first recurrence gap, and repeats to the window end.
fn calendar(
    spec: &CalendarSpec,
    rng: &mut impl Rng,
    start: SimTime,
    end: SimTime,
) -> Vec<CalendarItem> {
    let n = if spec.items.lo == spec.items.hi {
        spec.items.lo
    } else {
        rng.random_range(spec.items.lo..=spec.items.hi)
    };
    let midnight = start.as_millis().div_euclid(DAY) * DAY;
    (0..n)
        .map(|k| {
            let every = pick(rng, &spec.every);
            let duration = pick(rng, &spec.durations);
            let reminder = pick(rng, &spec.reminders);
            let (from, to) = (spec.working_hours.0.as_millis(), spec.working_hours.1.as_millis());
            // Half-hour slots that start at or after `from` and end by `to`
            // (the first, when no slot ends by `to`).
            let first_slot = (from + HALF_HOUR - 1) / HALF_HOUR;
            let last_slot = ((to - duration.as_millis()) / HALF_HOUR).max(first_slot);
            let slot = rng.random_range(first_slot..=last_slot);
            let days = (every.as_millis() / DAY).max(1);
            let day = rng.random_range(0..days);
            let mut first = midnight + day * DAY + slot * HALF_HOUR;
            if first < start.as_millis() {
                first += DAY;
            }
            CalendarItem {
                subject: format!("Meeting {}", k + 1),
                start: SimTime::from_millis(first),
                duration,
                reminder: Some(reminder),
                repeat: Some(Repeat { every, end: RepeatEnd::Until(end) }),
            }
        })
        .collect()
}
