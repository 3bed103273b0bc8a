//! Limits that keep the run of any accepted scenario bounded in time and
//! memory: the work is estimated from the file before anything runs, and a
//! scenario over a limit is refused at the key that costs the most.

use super::error::ScenarioError;
use super::file::ScenarioFile;
use super::validate::Source;
use crate::model::calendar::reminders_in;
use crate::model::world::{SyncDurations, World};
use serde_saphyr::Location;

/// Most reminders (occurrences with a reminder inside the window, of users
/// who want SMS) a scenario may have: the plan keeps each in memory
/// (48 bytes).
pub const MAX_REMINDERS: u64 = 10_000_000;

/// Most events one policy's run may need (background arrivals, move
/// transitions and their events, reminder timers and observations), about
/// ten to twenty seconds of work.
pub const MAX_EVENTS: u64 = 500_000_000;

/// One part of the estimate and where it comes from.
struct Part {
    events: u64,
    at: Location,
    what: &'static str,
    advice: &'static str,
}

/// Refuses `world` (read from `file`) if its run would exceed the limits.
pub fn check(file: &ScenarioFile, world: &World, src: &Source<'_>) -> Result<(), ScenarioError> {
    let window = (world.end - world.start).as_millis() as f64;
    let mut parts: Vec<Part> = Vec::new();

    let mut reminders = 0u64;
    let mut biggest_item: Option<(u64, Location)> = None;
    for (mailbox, entry) in world.mailboxes.iter().zip(&file.mailboxes) {
        if mailbox.sms.is_none() {
            continue; // the assistant never processes this mailbox
        }
        for (item, spanned) in mailbox.calendar.iter().zip(&entry.value.calendar) {
            let n = reminders_in(item, world.start, world.end);
            reminders = reminders.saturating_add(n);
            if biggest_item.is_none_or(|(most, _)| n > most) {
                biggest_item = Some((n, spanned.referenced));
            }
            // A timer and an observation for each.
            parts.push(Part {
                events: n.saturating_mul(2),
                at: spanned.referenced,
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

    for (db, entry) in world.databases.iter().zip(&file.databases.value) {
        if let (Some(bg), Some(spanned)) = (db.background, &entry.value.background) {
            let events = (bg.rate_per_hour * window / 3_600_000.0).ceil();
            let events = if events >= u64::MAX as f64 { u64::MAX } else { events as u64 };
            parts.push(Part {
                events,
                at: spanned.rate_per_hour.referenced,
                what: "this background traffic",
                advice: "shorten the window or lower the rate",
            });
        }
    }

    for (mailbox, entry) in world.mailboxes.iter().zip(&file.mailboxes) {
        let (Some(request), Some(spanned)) = (&mailbox.move_request, &entry.value.move_request)
        else {
            continue;
        };
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
        let cycles = match interval + shortest as u64 {
            0 => listed + span / (interval + repeating as u64).max(1),
            cycle => span / cycle,
        } + 1;
        // Sync start, sync end, and the MailboxMoveStarted event.
        parts.push(Part {
            events: cycles.saturating_mul(3),
            at: spanned.referenced,
            what: "this move request",
            advice: "shorten the window or lengthen the sync interval",
        });
    }

    let total = parts.iter().fold(0u64, |sum, p| sum.saturating_add(p.events));
    if total > MAX_EVENTS {
        let worst = parts.iter().max_by_key(|p| p.events).expect("a total above 0 has parts");
        return Err(src.err(
            worst.at,
            format!(
                "this scenario needs about {total} events per policy, more than the limit of \
                 {MAX_EVENTS}; {} alone needs about {}: {}",
                worst.what, worst.events, worst.advice
            ),
        ));
    }
    Ok(())
}
