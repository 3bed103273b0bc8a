//! Limits that keep the run of any accepted scenario bounded in time and
//! memory: the work is estimated from the file before anything runs, and a
//! scenario over a limit is refused at the key that costs the most.
//!
//! The estimate counts what the run loop counts against `--max-events`
//! (see [`crate::model::budget`]): each background arrival, each reminder
//! timer and user observation, and each move transition and the event it
//! fires. It covers only what falls inside the window, so a recurrence
//! with a huge `count` or a far `until` costs nothing outside it.

use super::error::ScenarioError;
use super::file::ScenarioFile;
use super::validate::Source;
use crate::model::budget::Estimate;
use crate::model::calendar::reminders_in;
use crate::model::database::MAX_COUNTER;
use crate::model::world::{Arrivals, SyncDurations, World};
use crate::time::Grid;
use serde_saphyr::Location;

/// Most reminders (occurrences with a reminder inside the window, of users
/// who want SMS) a scenario may have: the plan keeps each in memory.
pub const MAX_REMINDERS: u64 = 10_000_000;

/// Most databases a scenario may have: each keeps its counter, dispatcher
/// and backlog series per run, and the views draw each one's backlog.
pub const MAX_DATABASES: usize = 10_000;

/// Most policies a scenario may compare: each runs the whole world again.
pub const MAX_POLICIES: usize = 100;

/// Most memory a run may be estimated to keep.
pub const MAX_MEMORY_BYTES: u64 = 4 << 30;

/// Default of `--max-events`: the most events one policy's run may handle,
/// about 7 seconds of background arrivals (mailbox events, each written
/// to the output files, cost more).
pub const DEFAULT_MAX_EVENTS: u64 = 500_000_000;

/// Memory a run keeps per reminder: the plan's entry (40 bytes, twice while
/// the plan's parts are joined), its observation index and delivery flag,
/// and its first-sent time in each policy's outcome (counted once per
/// policy below).
const BYTES_PER_REMINDER: u64 = 80;
const BYTES_PER_REMINDER_AND_POLICY: u64 = 16;
/// Per mailbox: the world's entry and its labels.
const BYTES_PER_MAILBOX: u64 = 512;
/// Per mailbox and policy (policies run at once): its run state, its
/// metrics and timeline state, its queue entries, and the allocator's
/// slack around them. Calibrated on the wave benchmarks, whose peak
/// resident memory this estimate covers: 111 MiB measured for 28,146 built
/// mailboxes (`wave-100k`, estimate 122 MiB), 1,188 MiB for 280,372
/// (`wave-1m`, estimate 1,213 MiB).
const BYTES_PER_MAILBOX_AND_POLICY: u64 = 448;
/// Per move cycle: its transitions in the plan (or its events, for a quiet
/// mailbox), twice while the plan's parts are joined, shared by the
/// policies; the timeline keeps the sync windows of at most 100 mailboxes.
const BYTES_PER_CYCLE: u64 = 64;

/// What a run keeps in memory, in bytes, by part: the estimate's formula,
/// shared by the check of a population before it is built.
pub(crate) struct Memory {
    reminders: u64,
    mailboxes: u64,
    cycles: u64,
    databases: u64,
}

/// A part of [`Memory`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemoryPart {
    Reminders,
    Mailboxes,
    Cycles,
    Databases,
}

impl Memory {
    /// The memory of a run with these counts (mailboxes built, reminders
    /// and move cycles inside the window) under `policies` at once.
    pub(crate) fn of(
        reminders: u64,
        mailboxes: u64,
        cycles: u64,
        databases: u64,
        policies: u64,
    ) -> Memory {
        let buckets = Grid::MAX_BUCKETS as u64;
        Memory {
            reminders: reminders
                .saturating_mul(BYTES_PER_REMINDER + BYTES_PER_REMINDER_AND_POLICY * policies),
            mailboxes: mailboxes
                .saturating_mul(BYTES_PER_MAILBOX + BYTES_PER_MAILBOX_AND_POLICY * policies),
            cycles: cycles.saturating_mul(BYTES_PER_CYCLE),
            databases: databases.saturating_mul(buckets * 8 * (policies + 1) + 512),
        }
    }

    /// All parts.
    pub(crate) fn total(&self) -> u64 {
        [self.reminders, self.mailboxes, self.cycles, self.databases]
            .iter()
            .fold(0u64, |sum, &b| sum.saturating_add(b))
    }

    /// The part that costs the most (the first of equals, in the order
    /// cycles, databases, reminders, mailboxes).
    pub(crate) fn largest(&self) -> MemoryPart {
        [
            (self.cycles, MemoryPart::Cycles),
            (self.databases, MemoryPart::Databases),
            (self.reminders, MemoryPart::Reminders),
            (self.mailboxes, MemoryPart::Mailboxes),
        ]
        .iter()
        .fold((0, MemoryPart::Cycles), |best, &(b, part)| if b > best.0 { (b, part) } else { best })
        .1
    }
}

/// One part of the estimate and where it comes from.
struct Part {
    events: u64,
    at: Location,
    what: &'static str,
    advice: &'static str,
}

/// Estimates the run of `world` (read from `file`) and refuses it if it
/// would pass a limit.
pub fn check(
    file: &ScenarioFile,
    world: &World,
    src: &Source<'_>,
) -> Result<Estimate, ScenarioError> {
    // Where the databases are given: their list, else the population.
    let databases_at = file
        .databases
        .as_ref()
        .map(|d| d.referenced)
        .or(file.population.as_ref().map(|p| p.referenced))
        .unwrap_or(Location::UNKNOWN);
    if world.databases.len() > MAX_DATABASES {
        return Err(src.err(
            databases_at,
            format!(
                "{} databases; a scenario may have at most {MAX_DATABASES}",
                world.databases.len()
            ),
        ));
    }
    if let Some(list) = &file.policies
        && list.value.len() > MAX_POLICIES
    {
        return Err(src.err(
            list.referenced,
            format!(
                "{} policies; a scenario may compare at most {MAX_POLICIES} (each runs the \
                 whole world again)",
                list.value.len()
            ),
        ));
    }
    let policies = world.policies.len() as u64;
    let mut parts: Vec<Part> = Vec::new();
    // Events fired on each database, for its counter.
    let mut fired = vec![0u64; world.databases.len()];

    // Where a mailbox's parts are reported: its own entry, or for a
    // generated mailbox the population's key.
    let population_at = file.population.as_ref().map_or(Location::UNKNOWN, |p| p.referenced);
    let entry = |i: usize| file.mailboxes.get(i);
    let mailbox_at = |i: usize| entry(i).map_or(population_at, |e| e.referenced);
    let item_at = |i: usize, j: usize| {
        entry(i).and_then(|e| e.value.calendar.get(j)).map_or(population_at, |c| c.referenced)
    };
    let move_at = |i: usize| {
        entry(i).and_then(|e| e.value.move_request.as_ref()).map_or(population_at, |m| m.referenced)
    };

    let mut reminders = 0u64;
    let mut biggest_item: Option<(u64, Location)> = None;
    for (i, mailbox) in world.mailboxes.iter().enumerate() {
        let Some(sms) = mailbox.sms else {
            continue; // the assistant never processes this mailbox
        };
        // Enable and disable: the action and its event.
        let actions = 1 + u64::from(sms.disable_at.is_some());
        fired[mailbox.database.index()] += actions;
        // After a move, the user's actions fire on the target database.
        if let Some(request) = &mailbox.move_request {
            fired[request.target.index()] += actions;
        }
        parts.push(Part {
            events: actions * 2,
            at: mailbox_at(i),
            what: "this mailbox's own actions",
            advice: "shorten the window",
        });
        for (j, item) in mailbox.calendar.iter().enumerate() {
            let n = reminders_in(item, world.start, world.end);
            reminders = reminders.saturating_add(n);
            if biggest_item.is_none_or(|(most, _)| n > most) {
                biggest_item = Some((n, item_at(i, j)));
            }
            // A timer and an observation for each.
            parts.push(Part {
                events: n.saturating_mul(2),
                at: item_at(i, j),
                what: "this calendar item",
                advice: "shorten the window or space the occurrences out",
            });
        }
    }
    if reminders > MAX_REMINDERS {
        let (n, at) = biggest_item.unwrap_or((reminders, Location::UNKNOWN));
        return Err(src.err(
            at,
            format!(
                "the calendars have {reminders} reminders inside the window, more than the \
                 {MAX_REMINDERS} a run keeps in memory; this item alone has {n}: shorten the \
                 window or the recurrence"
            ),
        ));
    }

    // Where a database's keys are: its own entry, or for a generated one
    // the population's `database:` settings.
    let settings = file.population.as_ref().and_then(|p| p.value.database.as_ref());
    let db_entry =
        |i: usize| file.databases.as_ref().and_then(|d| d.value.get(i)).map(|e| &e.value);
    let rate_at = |i: usize| {
        db_entry(i)
            .map_or(settings.and_then(|s| s.background.as_ref()), |e| e.background.as_ref())
            .map_or(population_at, |b| b.rate_per_hour.referenced)
    };
    let counter_at = |i: usize| {
        db_entry(i)
            .map_or(settings.and_then(|s| s.counter_start.as_ref()), |e| e.counter_start.as_ref())
            .map(|c| c.referenced)
    };
    for (i, db) in world.databases.iter().enumerate() {
        if let Some(bg) = db.background {
            let mean = bg.mean_arrivals(world.start, world.end);
            // Poisson arrivals pass their mean by more than six standard
            // deviations about once in a billion runs.
            let events = match bg.arrivals {
                Arrivals::Poisson => mean + 6.0 * mean.sqrt(),
                Arrivals::Uniform => mean,
            }
            .ceil();
            let events = if events >= u64::MAX as f64 { u64::MAX } else { events as u64 };
            fired[i] = fired[i].saturating_add(events);
            parts.push(Part {
                events,
                at: rate_at(i),
                what: "this background traffic",
                advice: "shorten the window or lower the rate",
            });
        }
    }

    let mut cycles_total = 0u64;
    let mut biggest_move: Option<(u64, Location)> = None;
    for (i, mailbox) in world.mailboxes.iter().enumerate() {
        let Some(request) = &mailbox.move_request else {
            continue;
        };
        let cycles = sync_cycles(request, world);
        cycles_total = cycles_total.saturating_add(cycles);
        if biggest_move.is_none_or(|(most, _)| cycles > most) {
            biggest_move = Some((cycles, move_at(i)));
        }
        // One MailboxMoveStarted per sync; finalization and completion
        // fire two more on the source database and one on the target.
        fired[mailbox.database.index()] =
            fired[mailbox.database.index()].saturating_add(cycles.saturating_add(2));
        fired[request.target.index()] = fired[request.target.index()].saturating_add(1);
        // Sync start, sync end, and the event's processing; then
        // finalization and completion with their three events.
        parts.push(Part {
            events: cycles.saturating_mul(3).saturating_add(5),
            at: move_at(i),
            what: "this move request",
            advice: "shorten the window or lengthen the sync interval",
        });
    }

    for (i, db) in world.databases.iter().enumerate() {
        let Some(given) = counter_at(i) else { continue };
        let room = MAX_COUNTER - db.counter_start + 1;
        if fired[i] > room {
            return Err(src.err(
                given,
                format!(
                    "counter_start {} leaves room for {room} events below the largest counter \
                     ({MAX_COUNTER}; Exchange event counters are 64-bit signed), but database \
                     `{}` fires about {} in the window: lower counter_start",
                    db.counter_start, db.name, fired[i]
                ),
            ));
        }
    }

    let events = parts.iter().fold(0u64, |sum, p| sum.saturating_add(p.events));
    let memory = Memory::of(
        reminders,
        world.mailboxes.len() as u64,
        cycles_total,
        world.databases.len() as u64,
        policies,
    );
    let memory_bytes = memory.total();
    let estimate = Estimate { events, memory_bytes };

    if events > world.max_events {
        let worst = parts.iter().max_by_key(|p| p.events).expect("a total above 0 has parts");
        return Err(src.err(
            worst.at,
            format!(
                "this scenario needs about {events} events per policy ({}), more than \
                 --max-events {}; {} alone needs about {}: {}, or raise --max-events",
                estimate.memory_text(),
                world.max_events,
                worst.what,
                worst.events,
                worst.advice,
            ),
        ));
    }
    if memory_bytes > MAX_MEMORY_BYTES {
        let at = |biggest: Option<(u64, Location)>| biggest.map_or(Location::UNKNOWN, |b| b.1);
        let (at, what) = match memory.largest() {
            MemoryPart::Cycles => {
                (at(biggest_move), "a shorter window, longer sync intervals or fewer policies")
            }
            MemoryPart::Databases => (databases_at, "fewer databases or policies"),
            MemoryPart::Reminders => {
                (at(biggest_item), "a shorter window, fewer reminders or fewer policies")
            }
            MemoryPart::Mailboxes => (
                if file.population.is_some() { population_at } else { mailbox_at(0) },
                "fewer mailboxes (or, in a population, lower SMS and move shares) or fewer \
                 policies",
            ),
        };
        return Err(src.err(
            at,
            format!(
                "a run of this scenario would keep about {} MiB in memory, more than the limit \
                 of {} MiB: {what}",
                memory_bytes >> 20,
                MAX_MEMORY_BYTES >> 20
            ),
        ));
    }
    Ok(estimate)
}

/// Syncs of `request` that start inside the window, at most (the shortest
/// durations, so the estimate never falls short).
fn sync_cycles(request: &crate::model::world::MoveRequest, world: &World) -> u64 {
    let span = (world.end.as_millis() - request.start.as_millis()).max(0) as u64;
    let interval = request.interval.as_millis() as u64;
    let (shortest, repeating, listed) = match &request.durations {
        SyncDurations::Fixed(d) => (d.as_millis(), d.as_millis(), 0),
        SyncDurations::List(list) => (
            list.iter().map(|d| d.as_millis()).min().unwrap_or(0),
            list.last().map_or(0, |d| d.as_millis()),
            list.len() as u64,
        ),
        SyncDurations::Uniform { lo, .. } => (lo.as_millis(), lo.as_millis(), 0),
    };
    // Validation guarantees interval + repeating > 0.
    match interval + shortest as u64 {
        0 => listed + span / (interval + repeating as u64).max(1),
        cycle => span / cycle,
    }
    .saturating_add(1)
}
