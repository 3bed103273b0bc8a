//! Limits that keep the run of any accepted scenario bounded in work,
//! memory and output: all three are estimated from the file before
//! anything runs, and a scenario over a limit is refused at the key that
//! costs the most, with the estimate in the message.
//!
//! The event estimate counts what the run loop counts against
//! `--max-events` (see [`crate::model::budget`]): each background arrival,
//! each reminder timer and user observation, each user action (enabling,
//! disabling, every reconfiguration `sms.reconfigure_at` lists and every
//! one the reaction rule could make) and the event it fires, and each move transition and the event it fires. It
//! covers only what falls inside the window, so a recurrence with a huge
//! `count` or a far `until` costs nothing outside it. It is an upper
//! bound for every policy (Poisson background aside, which it covers to
//! six standard deviations and 36 arrivals more, for small means), and
//! `--max-events` caps its total over the policies.
//!
//! The output estimate bounds the bytes a run folder takes: per event of a
//! mailbox whose rows the logs hold, the rows it can write (with that
//! mailbox's names, addresses and subjects, quoted; with `--log-format
//! exchange`, per reminder and user action also its rows of the
//! Exchange-format logs, and per policy their headers); per event of a
//! mailbox the timeline follows, its trace.json entries; the dropouts
//! each SMS user can have; per database its trace.json counters and
//! summary figures; and the charts and report.

use super::error::ScenarioError;
use super::file::ScenarioFile;
use super::validate::Source;
use crate::model::budget::Estimate;
use crate::model::calendar::reminders_in;
use crate::model::database::MAX_COUNTER;
use crate::model::world::{Arrivals, MoveRequest, SyncDurations, World};
use crate::output::exchange_logs::HEADER_BYTES as EXCHANGE_HEADER_BYTES;
use crate::output::{LogDetail, LogFormat};
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

/// Default of `--max-events`: the most events a run may handle, summed
/// over its policies; about 7 seconds of background arrivals (mailbox
/// events, each written to the output files, cost more).
pub const DEFAULT_MAX_EVENTS: u64 = 500_000_000;

/// Default of `--max-output`: the most bytes a command may write, 1 GiB.
/// The shipped scenarios write at most 40 MB each; `--logs all` on a
/// population of 100,000 mailboxes writes about 1.2 GB and needs more.
pub const DEFAULT_MAX_OUTPUT: u64 = 1 << 30;

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
/// resident memory the estimate covers (with reconfigurations and the
/// base): 111 MiB measured for 28,146 built mailboxes (`wave-100k`,
/// estimate 159 MiB), 1,189 MiB for 280,372 (`wave-1m`, estimate 1,437
/// MiB).
const BYTES_PER_MAILBOX_AND_POLICY: u64 = 448;
/// Per move cycle: its transitions in the plan (or its events, for a quiet
/// mailbox), twice while the plan's parts are joined, shared by the
/// policies.
const BYTES_PER_CYCLE: u64 = 64;
/// Per move cycle of a mailbox the timeline follows, per policy: its sync
/// window, its move event and the assistant's answer, and a state span,
/// kept until the views are drawn. Calibrated on 100 followed mailboxes
/// with 6,480 syncs each under 10 policies: 482 MiB measured, 553 MiB
/// estimated.
const BYTES_PER_FOLLOWED_CYCLE_AND_POLICY: u64 = 80;
/// Per user reconfiguration, per policy: the dropout it ends, kept in the
/// policy's outcome.
const BYTES_PER_RECONFIGURATION_AND_POLICY: u64 = 64;
/// Per instant of `sms.reconfigure_at`, kept once: the file's entry while
/// the world is built from it (the instant and its two locations, 64
/// bytes, up to twice that in a list still growing) and the world's
/// instant (8 bytes).
const BYTES_PER_LISTED_RECONFIGURATION: u64 = 136;

/// Output bytes per event of a mailbox whose rows the logs hold, besides
/// its names (see [`RowText`]): the fixed text of the rows one event can
/// write (a database event row and two trace lines, or two message
/// tracking rows and a trace line, or an audit row). Measured: 609 bytes
/// per move cycle (three events) and policy, for one mailbox syncing
/// every second under 10 policies.
const LOG_BYTES_PER_EVENT: u64 = 300;
/// With `--log-format exchange`, output bytes per event of a mailbox whose
/// rows the logs hold, besides its names: the fixed text of the
/// Exchange-format rows one event can write (two message tracking rows of
/// 30 fields, about 230 bytes each with 20-digit ids, or an audit row of
/// about 180). Its names count [`EXCHANGE_TEXT_TIMES`] times over: a
/// tracking row names the domain four times (sender, return path,
/// recipient, message id), the alias twice and the subject once, and a
/// subject may double when quoted.
const EXCHANGE_BYTES_PER_EVENT: u64 = 600;
/// How many times a mailbox's names count in its Exchange-format rows of
/// one event (see [`EXCHANGE_BYTES_PER_EVENT`]).
const EXCHANGE_TEXT_TIMES: u64 = 8;
/// trace.json bytes per event of a mailbox the timeline follows: a slice
/// or an instant with its arguments. Measured: 318 bytes per move cycle.
const TRACE_BYTES_PER_EVENT: u64 = 150;
/// trace.json bytes per counter sample (a bucket of one series).
const TRACE_BYTES_PER_SAMPLE: u64 = 96;
/// summary.json bytes per database and policy.
const SUMMARY_BYTES_PER_DATABASE_AND_POLICY: u64 = 256;
/// dropouts.csv bytes per dropout, besides the names.
const DROPOUT_BYTES: u64 = 100;
/// The charts (bounded by their pixels and thinned marks) and report.html
/// with the SVG it embeds: the largest measured take 1.4 MB.
const VIEW_BYTES: u64 = 2 << 20;
/// report.html's table of dropouts: at most 500 rows.
const REPORT_DROPOUT_BYTES: u64 = 500 * 400;

/// Memory any run takes: the program, its threads' stacks, the
/// allocator's arenas (measured: 7 to 12 MiB for the smallest scenarios).
const BASE_BYTES: u64 = 16 << 20;

/// What a run keeps in memory, in bytes, by part: the estimate's formula,
/// shared by the check of a population before it is built.
pub(crate) struct Memory {
    reminders: u64,
    mailboxes: u64,
    cycles: u64,
    databases: u64,
    listed: u64,
}

/// A part of [`Memory`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemoryPart {
    Reminders,
    Mailboxes,
    Cycles,
    Databases,
    /// The reconfigurations of `sms.reconfigure_at`.
    Listed,
}

/// The counts memory depends on.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct MemoryCounts {
    /// Reminders inside the window.
    pub reminders: u64,
    /// Reconfigurations the reaction rule could make.
    pub reconfigurations: u64,
    /// Reconfigurations listed in `sms.reconfigure_at`.
    pub listed_reconfigurations: u64,
    /// Mailboxes built.
    pub mailboxes: u64,
    /// Move cycles inside the window.
    pub cycles: u64,
    /// Move cycles of the mailboxes the timeline follows.
    pub followed_cycles: u64,
    /// Databases.
    pub databases: u64,
    /// Policies run at once.
    pub policies: u64,
}

impl Memory {
    /// The memory of a run with these counts.
    pub(crate) fn of(c: MemoryCounts) -> Memory {
        let buckets = Grid::MAX_BUCKETS as u64;
        let per_policy =
            |base: u64, each: u64| base.saturating_add(each.saturating_mul(c.policies));
        Memory {
            reminders: c
                .reminders
                .saturating_mul(per_policy(BYTES_PER_REMINDER, BYTES_PER_REMINDER_AND_POLICY))
                .saturating_add(
                    c.reconfigurations
                        .saturating_mul(per_policy(0, BYTES_PER_RECONFIGURATION_AND_POLICY)),
                ),
            mailboxes: c
                .mailboxes
                .saturating_mul(per_policy(BYTES_PER_MAILBOX, BYTES_PER_MAILBOX_AND_POLICY)),
            cycles: c.cycles.saturating_mul(BYTES_PER_CYCLE).saturating_add(
                c.followed_cycles
                    .saturating_mul(per_policy(0, BYTES_PER_FOLLOWED_CYCLE_AND_POLICY)),
            ),
            databases: c.databases.saturating_mul(per_policy(buckets * 8 + 512, buckets * 8)),
            listed: c.listed_reconfigurations.saturating_mul(per_policy(
                BYTES_PER_LISTED_RECONFIGURATION,
                BYTES_PER_RECONFIGURATION_AND_POLICY,
            )),
        }
    }

    /// All parts, and what any run takes.
    pub(crate) fn total(&self) -> u64 {
        [self.reminders, self.mailboxes, self.cycles, self.databases, self.listed]
            .iter()
            .fold(BASE_BYTES, |sum, &b| sum.saturating_add(b))
    }

    /// The part that costs the most (the first of equals, in the order
    /// cycles, databases, reminders, mailboxes, listed reconfigurations).
    pub(crate) fn largest(&self) -> MemoryPart {
        [
            (self.cycles, MemoryPart::Cycles),
            (self.databases, MemoryPart::Databases),
            (self.reminders, MemoryPart::Reminders),
            (self.mailboxes, MemoryPart::Mailboxes),
            (self.listed, MemoryPart::Listed),
        ]
        .iter()
        .fold((0, MemoryPart::Cycles), |best, &(b, part)| if b > best.0 { (b, part) } else { best })
        .1
    }
}

/// What a command writes for each run, for the output estimate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Writes {
    /// Nothing per run (`check`, a sweep's runs): only the events and the
    /// memory are estimated.
    #[default]
    Nothing,
    /// A run folder whose event logs hold these mailboxes' rows (`None`:
    /// chosen by the world's size, as `--logs auto`), in this layout
    /// (`--log-format`).
    Folder(Option<LogDetail>, LogFormat),
}

/// What a calendar item's, a mailbox's own and a move's parts are called,
/// and what would make them smaller.
const ITEM: (&str, &str) =
    ("this calendar item", "shorten the window or space the occurrences out");
const ACTIONS: (&str, &str) =
    ("this mailbox's own actions (enabling, disabling, reconfiguring)", "shorten the window");
const LISTED_ACTIONS: (&str, &str) = (
    "this mailbox's own actions (enabling, disabling, reconfiguring)",
    "shorten the window or list fewer instants in `reconfigure_at`",
);
const MOVE: (&str, &str) =
    ("this move request", "shorten the window or lengthen the sync interval");

/// One part of the estimate and where it comes from.
struct Part {
    /// Events per policy.
    events: u64,
    /// Output bytes over all policies.
    bytes: u64,
    at: Location,
    what: &'static str,
    advice: &'static str,
}

/// The text of one mailbox's log rows, in bytes: what [`LOG_BYTES_PER_EVENT`]
/// leaves out. Each name may appear in a row twice over (a trace line
/// names the mailbox in its message and its own field) and double its
/// length when quoted, so each counts four times.
struct RowText {
    followed: bool,
    bytes_per_event: u64,
    /// What the Exchange-format logs add per event of an SMS or a user
    /// action (move events write no row there).
    exchange_per_event: u64,
}

/// Estimates the run of `world` (read from `file`), with `writes` what the
/// command will write, and refuses it if it would pass a limit: the events
/// over its policies above `world.max_events`, memory above
/// [`MAX_MEMORY_BYTES`], output above `max_output`.
pub fn check(
    file: &ScenarioFile,
    world: &World,
    src: &Source<'_>,
    writes: Writes,
    max_output: u64,
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
    let policies_at = file.policies.as_ref().map_or(Location::UNKNOWN, |p| p.referenced);
    if world.policies.len() > MAX_POLICIES {
        return Err(src.err(
            policies_at,
            format!(
                "{} policies; a scenario may compare at most {MAX_POLICIES} (each runs the \
                 whole world again)",
                world.policies.len()
            ),
        ));
    }
    let policies = world.policies.len() as u64;
    let policy_bytes = world.policies.iter().map(|p| p.name.len()).max().unwrap_or(0) as u64;
    let rows = row_text(world, writes);
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
    let listed_at = |i: usize| {
        entry(i)
            .and_then(|e| e.value.sms.as_ref())
            .and_then(|s| s.reconfigure_at.as_ref())
            .map_or(population_at, |l| l.referenced)
    };
    let move_at = |i: usize| {
        entry(i).and_then(|e| e.value.move_request.as_ref()).map_or(population_at, |m| m.referenced)
    };
    // A part of mailbox `i`, named with what would make it smaller: a
    // generated mailbox's parts are the population's.
    let part_of =
        |i: usize, events: u64, bytes: u64, at: Location, kind: (&'static str, &'static str)| {
            let (what, advice) = if entry(i).is_some() {
                kind
            } else {
                (
                    "the population's mailboxes (their reminders, actions and syncs)",
                    "fewer mailboxes, lower SMS or move shares, or a shorter window",
                )
            };
            Part { events, bytes, at, what, advice }
        };
    // The bytes all policies write for `events` events of mailbox `i`:
    // events of reminders and user actions (`sms`), or of moves.
    let bytes_of = |i: usize, events: u64, sms: bool| {
        let exchange = if sms { rows[i].exchange_per_event } else { 0 };
        events.saturating_mul(rows[i].bytes_per_event + exchange).saturating_mul(policies)
    };

    let mut reminders = 0u64;
    let mut reconfigurations = 0u64;
    let mut listed_total = 0u64;
    let mut biggest_listed: Option<(u64, Location)> = None;
    // Each mailbox's own actions: enabling, disabling, reconfiguring.
    let mut actions_of = vec![0u64; world.mailboxes.len()];
    let mut biggest_item: Option<(u64, Location)> = None;
    for (i, mailbox) in world.mailboxes.iter().enumerate() {
        let Some(sms) = &mailbox.sms else {
            continue; // the assistant never processes this mailbox
        };
        let mut own = 0u64;
        for (j, item) in mailbox.calendar.iter().enumerate() {
            let n = reminders_in(item, world.start, world.end);
            own = own.saturating_add(n);
            if biggest_item.is_none_or(|(most, _)| n > most) {
                biggest_item = Some((n, item_at(i, j)));
            }
            // A timer and an observation for each.
            let events = n.saturating_mul(2);
            parts.push(part_of(i, events, bytes_of(i, events, true), item_at(i, j), ITEM));
        }
        reminders = reminders.saturating_add(own);
        // Each reconfiguration follows `after_missed` missed reminders.
        let reconfigures = mailbox.reaction.map_or(0, |r| own / u64::from(r.after_missed.max(1)));
        reconfigurations = reconfigurations.saturating_add(reconfigures);
        // And those the file lists, each carried out (or dropped) once.
        let listed = sms.reconfigure_at.len() as u64;
        listed_total = listed_total.saturating_add(listed);
        if listed > 0 && biggest_listed.is_none_or(|(most, _)| listed > most) {
            biggest_listed = Some((listed, listed_at(i)));
        }
        // Enable, disable and reconfigurations: the action and its event.
        let actions = (1 + u64::from(sms.disable_at.is_some()))
            .saturating_add(reconfigures)
            .saturating_add(listed);
        actions_of[i] = actions;
        fired[mailbox.database.index()] = fired[mailbox.database.index()].saturating_add(actions);
        // After a move, the user's actions fire on the target database.
        if let Some(request) = &mailbox.move_request {
            fired[request.target.index()] = fired[request.target.index()].saturating_add(actions);
        }
        let events = actions.saturating_mul(2);
        let kind = if listed > 0 { LISTED_ACTIONS } else { ACTIONS };
        parts.push(part_of(i, events, bytes_of(i, events, true), mailbox_at(i), kind));
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
            // Poisson arrivals pass this about once in a billion runs,
            // small means included (six standard deviations, and room for
            // a few dozen arrivals where the mean is below one).
            let events = match bg.arrivals {
                Arrivals::Poisson => mean + 6.0 * mean.sqrt() + 36.0,
                Arrivals::Uniform => mean,
            }
            .ceil();
            let events = if events >= u64::MAX as f64 { u64::MAX } else { events as u64 };
            fired[i] = fired[i].saturating_add(events);
            // Background events are counted, never written row by row.
            parts.push(Part {
                events,
                bytes: 0,
                at: rate_at(i),
                what: "this background traffic",
                advice: "shorten the window or lower the rate",
            });
        }
    }

    let mut cycles_total = 0u64;
    let mut followed_cycles = 0u64;
    let mut biggest_move: Option<(u64, Location)> = None;
    for (i, mailbox) in world.mailboxes.iter().enumerate() {
        let Some(request) = &mailbox.move_request else {
            continue;
        };
        let cycles = sync_cycles(request, world);
        cycles_total = cycles_total.saturating_add(cycles);
        if rows[i].followed {
            followed_cycles = followed_cycles.saturating_add(cycles);
        }
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
        let events = cycles.saturating_mul(3).saturating_add(5);
        // A dropout (a row of dropouts.csv, which lists everyone's, logged
        // or not) starts with a MailboxMoveStarted, and all but the last
        // end with a user action or the move's end.
        let dropouts = if mailbox.sms.is_some() && matches!(writes, Writes::Folder(..)) {
            let count = cycles.saturating_add(3).min(actions_of[i].saturating_add(2));
            count.saturating_mul(DROPOUT_BYTES + policy_bytes + 2 * mailbox.name.len() as u64)
        } else {
            0
        };
        let bytes = bytes_of(i, events, false).saturating_add(dropouts.saturating_mul(policies));
        parts.push(part_of(i, events, bytes, move_at(i), MOVE));
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
                     `{}` may fire up to {} in the window (user reconfigurations included): \
                     lower counter_start",
                    db.counter_start, db.name, fired[i]
                ),
            ));
        }
    }

    let events = parts.iter().fold(0u64, |sum, p| sum.saturating_add(p.events));
    let total_events = events.saturating_mul(policies);
    let memory = Memory::of(MemoryCounts {
        reminders,
        reconfigurations,
        listed_reconfigurations: listed_total,
        mailboxes: world.mailboxes.len() as u64,
        cycles: cycles_total,
        followed_cycles: if matches!(writes, Writes::Folder(..)) { followed_cycles } else { 0 },
        databases: world.databases.len() as u64,
        policies,
    });
    let memory_bytes = memory.total();
    let output_bytes = match writes {
        Writes::Nothing => 0,
        Writes::Folder(_, format) => {
            // trace.json's counters: per database a backlog series (each
            // sample naming it), and three population series, per policy;
            // summary.json's figures per database and policy. Names may
            // double when escaped.
            let buckets = Grid::MAX_BUCKETS as u64;
            let series = world.databases.iter().fold(0u64, |sum, db| {
                let name = 2 * db.name.len() as u64;
                sum.saturating_add(buckets * (TRACE_BYTES_PER_SAMPLE + name))
                    .saturating_add(SUMMARY_BYTES_PER_DATABASE_AND_POLICY + name)
            });
            parts.push(Part {
                events: 0,
                bytes: series
                    .saturating_add(3 * buckets * TRACE_BYTES_PER_SAMPLE)
                    .saturating_mul(policies),
                at: databases_at,
                what: "the databases' series in trace.json and summary.json",
                advice: "fewer databases or policies",
            });
            // The charts and the report, which embeds the SVG, lists at
            // most a few hundred dropouts and renders the description.
            let views = VIEW_BYTES
                .saturating_add(2 * world.description.len() as u64)
                .saturating_add(REPORT_DROPOUT_BYTES);
            if format == LogFormat::Exchange {
                parts.push(Part {
                    events: 0,
                    bytes: EXCHANGE_HEADER_BYTES.saturating_mul(policies),
                    at: policies_at,
                    what: "the headers of each policy's Exchange-format logs",
                    advice: "fewer policies, or --log-format csv",
                });
            }
            parts.push(Part {
                events: 0,
                bytes: views,
                at: Location::UNKNOWN,
                what: "the charts and the report",
                advice: "they take the same room whatever the scenario",
            });
            parts.iter().fold(0u64, |sum, p| sum.saturating_add(p.bytes))
        }
    };
    let estimate = Estimate { events, policies, memory_bytes, output_bytes };

    if total_events > world.max_events {
        let (most, worst) = costliest(&parts, |p| p.events);
        return Err(src.err(
            worst.at,
            format!(
                "this scenario needs about {total_events} events ({} per policy, {}), more \
                 than --max-events {} allows; the most, about {} ({} per policy), come from {}: \
                 {}, or raise --max-events",
                events,
                policy_count(policies),
                world.max_events,
                most.saturating_mul(policies),
                most,
                worst.what,
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
            MemoryPart::Listed => (
                at(biggest_listed),
                "list fewer instants in `reconfigure_at` or compare fewer policies",
            ),
        };
        return Err(src.err(
            at,
            format!(
                "a run of this scenario would keep about {} in memory, more than the limit of \
                 {}: {what}",
                bytes_text(memory_bytes),
                bytes_text(MAX_MEMORY_BYTES)
            ),
        ));
    }
    if output_bytes > max_output {
        let (most, worst) = costliest(&parts, |p| p.bytes);
        let logs = match writes {
            Writes::Folder(Some(LogDetail::Followed), _) => "",
            _ if worst.events > 0 => ", --logs followed",
            _ => "",
        };
        return Err(src.err(
            worst.at,
            format!(
                "a run of this scenario would write about {} to its folder ({}), more than \
                 --max-output {} allows; the most, about {}, comes from {}: {}{logs}, or raise \
                 --max-output",
                bytes_text(output_bytes),
                policy_count(policies),
                bytes_text(max_output),
                bytes_text(most),
                worst.what,
                worst.advice,
            ),
        ));
    }
    Ok(estimate)
}

/// The place in the file that costs the most by `cost` (parts at one
/// place summed: a population's mailboxes all sit at its key), that cost,
/// and its largest part, which says what it is.
fn costliest(parts: &[Part], cost: impl Fn(&Part) -> u64) -> (u64, &Part) {
    let mut places: std::collections::BTreeMap<(u64, u64), (u64, usize)> = Default::default();
    for (i, part) in parts.iter().enumerate() {
        let place = places.entry((part.at.line(), part.at.column())).or_insert((0, i));
        place.0 = place.0.saturating_add(cost(part));
        if cost(part) > cost(&parts[place.1]) {
            place.1 = i;
        }
    }
    // The first place in file order among equals.
    let (total, i) = places.values().fold(
        (0, 0),
        |best, &(total, i)| {
            if total > best.0 { (total, i) } else { best }
        },
    );
    (total, &parts[i])
}

/// "1 policy", "3 policies".
fn policy_count(n: u64) -> String {
    format!("{n} {}", if n == 1 { "policy" } else { "policies" })
}

/// A byte count as people read it: "512 bytes", "3.2 MiB", "1.5 GiB".
pub fn bytes_text(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    let units = [("TiB", KIB.pow(4)), ("GiB", KIB.pow(3)), ("MiB", KIB.pow(2)), ("KiB", KIB)];
    for (name, size) in units {
        if bytes >= size {
            return format!("{:.1} {name}", bytes as f64 / size as f64);
        }
    }
    format!("{bytes} bytes")
}

/// Per mailbox, whether its rows are logged and followed, and the bytes
/// one of its events may write in all the files (one policy).
fn row_text(world: &World, writes: Writes) -> Vec<RowText> {
    let Writes::Folder(logs, format) = writes else {
        return world
            .mailboxes
            .iter()
            .map(|_| RowText { followed: false, bytes_per_event: 0, exchange_per_event: 0 })
            .collect();
    };
    let logs = logs.unwrap_or_else(|| LogDetail::auto(world));
    let logged = logs.logged(world);
    let mut followed = vec![false; world.mailboxes.len()];
    for m in crate::output::timeline::followed(world) {
        followed[m.index()] = true;
    }
    let policy = world.policies.iter().map(|p| p.name.len()).max().unwrap_or(0) as u64;
    let domain = world.domain.len() as u64;
    world
        .mailboxes
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let db = |id: crate::model::world::DbId| world.databases[id.index()].name.len();
            let databases = m
                .move_request
                .as_ref()
                .map_or(db(m.database), |r| db(m.database).max(db(r.target)))
                as u64;
            let subject = m.calendar.iter().map(|c| c.subject.len()).max().unwrap_or(0) as u64;
            let text = policy
                + m.name.len() as u64
                + m.alias.len() as u64
                + domain
                + databases
                + subject
                + m.phone.len() as u64;
            let log = if logged[i] { LOG_BYTES_PER_EVENT + 4 * text } else { 0 };
            let exchange = match format {
                LogFormat::Exchange if logged[i] => {
                    EXCHANGE_BYTES_PER_EVENT + EXCHANGE_TEXT_TIMES * text
                }
                _ => 0,
            };
            let trace = if followed[i] {
                TRACE_BYTES_PER_EVENT + 2 * (m.name.len() as u64 + subject)
            } else {
                0
            };
            RowText {
                followed: followed[i],
                bytes_per_event: log + trace,
                exchange_per_event: exchange,
            }
        })
        .collect()
}

/// Syncs of `request` that start inside the window, at most: syncs start
/// at the move's start, and each next one an interval after the end of
/// the one before; listed durations are taken in order, the last
/// repeating, and drawn ones at their shortest.
pub(crate) fn sync_cycles(request: &MoveRequest, world: &World) -> u64 {
    let span = (world.end.as_millis() - request.start.as_millis()).max(0) as u64;
    let interval = request.interval.as_millis() as u64;
    // Syncs that start in `[from, span)` when each cycle takes `cycle`.
    let repeated = |from: u64, cycle: u64| (span.saturating_sub(from)).div_ceil(cycle.max(1));
    match &request.durations {
        SyncDurations::Fixed(d) => repeated(0, interval + d.as_millis() as u64),
        SyncDurations::Uniform { lo, .. } => repeated(0, interval + lo.as_millis() as u64),
        SyncDurations::List(list) => {
            let (mut t, mut listed) = (0u64, 0u64);
            let (last, before) =
                list.split_last().map_or((0, &[][..]), |(l, b)| (l.as_millis(), b));
            for d in before {
                if t >= span {
                    return listed;
                }
                listed += 1;
                t = t.saturating_add(interval + d.as_millis() as u64);
            }
            // Validation guarantees that the repeating cycle takes time.
            listed + repeated(t, interval + last as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_MEMORY_BYTES, Memory, MemoryCounts, MemoryPart};

    #[test]
    fn listed_reconfigurations_are_their_own_part_of_memory() {
        // 700,000 listed instants (seven mailboxes listing 100,000 each,
        // which a 16 MiB file can hold) under 100 policies: over the
        // limit, and they are what costs the most.
        let counts = MemoryCounts {
            listed_reconfigurations: 700_000,
            mailboxes: 7,
            databases: 1,
            policies: 100,
            ..MemoryCounts::default()
        };
        let memory = Memory::of(counts);
        assert!(memory.total() > MAX_MEMORY_BYTES);
        assert!(memory.largest() == MemoryPart::Listed);
        // None listed, none counted.
        let none = Memory::of(MemoryCounts { listed_reconfigurations: 0, ..counts });
        assert_eq!(memory.total() - none.total(), 700_000 * (136 + 100 * 64));
    }
}
