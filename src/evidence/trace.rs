//! The Calendar Notification Assistant's diagnostic trace: the dispatcher's
//! "Event handled successfully" lines, the assistant's `rmd-----` reminder
//! lines (`caller: StopAll` among them) and the user settings' Enabling and
//! Disabling lines, as tickets quote them and as cnasim's
//! `assistant_trace.log` writes them. Several entries pasted onto one line
//! are told apart by their timestamps.

use super::clock::Clock;
use crate::time::SimTime;
use regex::Regex;
use std::sync::LazyLock;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|_| unreachable!("a fixed pattern"))
}

static STAMP: LazyLock<Regex> =
    LazyLock::new(|| re(r"\d{4}/\d{2}/\d{2}-\d{2}:\d{2}:\d{2}(?:\.\d+)?"));
static HANDLED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"Dispatcher for (.*?) \(([0-9A-Fa-f-]{36})\) and Calendar Notification Assistant: Event handled successfully: Counter: 0x([0-9A-Fa-f]+); MailboxID: ([^;]*); Mask: ([^;]*);",
    )
});
static CREATED: LazyLock<Regex> = LazyLock::new(|| re(r"Created Time: ([^;]*?)\s*;"));
static REMINDER: LazyLock<Regex> =
    LazyLock::new(|| re(r"rmd-+ caller: ([^,]*), subj: (.*?), usr: ([^,]*)"));
static REMINDER_TIME: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(event_t|rmd_t|s_t|e_t): (\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2})"));
static SETTINGS: LazyLock<Regex> =
    LazyLock::new(|| re(r"Processing (Enabling|Disabling) event for mailbox (\S+)"));

/// What one trace entry says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceEntry {
    /// The dispatcher handed an event to the assistant.
    EventHandled {
        /// The event counter (printed in hex).
        counter: u64,
        /// The mailbox GUID.
        mailbox: String,
        /// The display name the dispatcher prints.
        display: String,
        /// The event mask: `MailboxMoveStarted`, `ObjectModified`, ...
        mask: String,
        /// The event's create time, when printed.
        created: Option<SimTime>,
    },
    /// A reminder decision: `caller: StopAll`, `OnReminder`, ...
    Reminder {
        /// The caller: `StopAll` for the stop, `OnReminder` for an SMS sent.
        caller: String,
        /// The subject.
        subject: String,
        /// The user.
        user: String,
        /// `rmd_t`: when the reminder is due.
        reminder: Option<SimTime>,
        /// `s_t`: the occurrence start.
        start: Option<SimTime>,
        /// `e_t`: the occurrence end.
        end: Option<SimTime>,
    },
    /// Text messaging turned on (`Enabling`) or off (`Disabling`).
    Settings {
        /// True for Enabling.
        enabling: bool,
        /// The mailbox as printed.
        mailbox: String,
    },
}

/// True when a line holds trace entries.
pub fn is_trace(line: &str) -> bool {
    STAMP.is_match(line)
        && (line.contains("Event handled successfully")
            || line.contains("rmd-----")
            || line.contains("UserSettings Processing"))
}

/// The entries of one line: each timestamp starts an entry that runs to the
/// next. `Err` is a 1-based column and what was expected there.
pub fn entries(line: &str, clock: &Clock) -> Result<Vec<(SimTime, TraceEntry)>, (u64, String)> {
    let stamps: Vec<_> = STAMP.find_iter(line).collect();
    let mut out = Vec::new();
    for (k, stamp) in stamps.iter().enumerate() {
        let end = stamps.get(k + 1).map_or(line.len(), |next| next.start());
        let text = &line[stamp.end()..end];
        let column = |byte: usize| line[..byte].chars().count() as u64 + 1;
        let time = clock.parse(stamp.as_str()).map_err(|e| (column(stamp.start()), e))?;
        if let Some(entry) = entry(text, clock).map_err(|e| (column(stamp.end()), e))? {
            out.push((time, entry));
        }
    }
    Ok(out)
}

/// One entry's text after its timestamp, as cnasim's own trace file holds
/// it in its `message` column.
pub fn entry(text: &str, clock: &Clock) -> Result<Option<TraceEntry>, String> {
    if let Some(c) = HANDLED.captures(text) {
        let counter = u64::from_str_radix(&c[3], 16)
            .map_err(|_| format!("`0x{}` is not a counter", &c[3]))?;
        let created = match CREATED.captures(text) {
            Some(t) => Some(clock.parse(&t[1])?),
            None => None,
        };
        return Ok(Some(TraceEntry::EventHandled {
            counter,
            mailbox: c[4].trim().to_string(),
            display: c[1].trim().to_string(),
            mask: c[5].trim().to_string(),
            created,
        }));
    }
    if let Some(c) = REMINDER.captures(text) {
        let mut times = [None; 3];
        for t in REMINDER_TIME.captures_iter(text) {
            let slot = match &t[1] {
                "rmd_t" => 0,
                "s_t" => 1,
                "e_t" => 2,
                _ => continue,
            };
            times[slot] = Some(clock.parse(&t[2])?);
        }
        return Ok(Some(TraceEntry::Reminder {
            caller: c[1].trim().to_string(),
            subject: c[2].trim().to_string(),
            user: c[3].trim().to_string(),
            reminder: times[0],
            start: times[1],
            end: times[2],
        }));
    }
    if let Some(c) = SETTINGS.captures(text) {
        return Ok(Some(TraceEntry::Settings {
            enabling: &c[1] == "Enabling",
            mailbox: c[2].trim_end_matches(':').to_string(),
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339;

    #[test]
    fn reads_entries_pasted_onto_one_line() {
        let line = "\"2016/01/13-03:06:05.279\",\"9444\",\"EventDispatcher\",\"Dispatcher for Pat (957ca0a9-f84f-425e-a263-5b468e90d574) and Calendar Notification Assistant: Event handled successfully: Counter: 0x3B331E14; MailboxID: 957ca0a9-f84f-425e-a263-5b468e90d574; Mask: MailboxMoveStarted; Flags: Source; ExtendedFlags: None;Object Class: ; Created Time: 1/13/2016 11:06:04 AM;Item Type: MAPI_STORE\" \"8\" 020B Debug 2016/01/13-02:01:49.777 9444 Assistant rmd----- caller: StopAll, subj: Lunch, usr: x, calItemOccId: , event_t: 01/13/2016 16:15:00, rmd_t: 01/13/2016 19:45:00, s_t: 01/13/2016 20:00:00, e_t: 01/13/2016 21:30:00 \"83\" 006B Debug 2016/01/13-03:06:05.277 9444 UserSettings Processing Disabling event for mailbox abc on database x";
        assert!(is_trace(line));
        let got = entries(line, &Clock::default()).unwrap();
        assert_eq!(got.len(), 3);
        let TraceEntry::EventHandled { counter, mask, created, .. } = &got[0].1 else { panic!() };
        assert_eq!((*counter, mask.as_str()), (0x3B33_1E14, "MailboxMoveStarted"));
        assert_eq!(format_rfc3339(created.unwrap()), "2016-01-13T11:06:04.000Z");
        let TraceEntry::Reminder { caller, start, .. } = &got[1].1 else { panic!() };
        assert_eq!(caller, "StopAll");
        assert_eq!(format_rfc3339(start.unwrap()), "2016-01-13T20:00:00.000Z");
        assert_eq!(format_rfc3339(got[1].0), "2016-01-13T02:01:49.777Z");
        assert_eq!(got[2].1, TraceEntry::Settings { enabling: false, mailbox: "abc".into() });
    }
}
