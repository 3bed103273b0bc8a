//! `assistant_trace.log`: one line per event the assistant handled and per
//! decision it took, in the style of the Exchange diagnostic trace quoted in
//! the incident write-up (quoted, comma-separated fields; counters in hex).

use super::csv_files::{CsvFile, Rows};
use crate::model::events::DbEvent;
use crate::model::record::{Decision, Record};
use crate::model::world::MailboxId;
use crate::time::{format_trace_stamp, format_us_date, format_us_stamp};

/// Header of `assistant_trace.log`.
pub const TRACE: [&str; 4] = ["timestamp", "policy", "component", "message"];

impl Rows<'_> {
    /// Writes the trace line of `record`, if it has one.
    pub fn trace(&self, file: &mut CsvFile, policy: &str, record: &Record<'_>) {
        let (at, component, message) = match *record {
            Record::EventHandled { at, event } => (at, "EventDispatcher", self.handled(event)),
            Record::Decision { at, mailbox, event, decision } => {
                let (component, message) = self.decision(mailbox, event, decision);
                (at, component, message)
            }
            Record::SmsSent { at, mailbox, reminder, catch_up } => {
                (at, "CalendarNotification.Assistant", self.sent(mailbox, reminder, catch_up))
            }
            _ => return,
        };
        file.row([format_trace_stamp(at).as_str(), policy, component, &message]);
    }

    fn handled(&self, e: &DbEvent) -> String {
        let (name, guid) =
            (self.labels.mailbox(e.mailbox), &self.labels.mailbox_guid[e.mailbox.index()]);
        let phase =
            e.kind.move_phase().map_or(String::new(), |p| format!("; MovePhase: {}", p.as_str()));
        format!(
            "Dispatcher for {name} ({guid}) and Calendar Notification Assistant: Event handled \
             successfully: Counter: 0x{counter:08X}; MailboxID: {guid}; Mask: {mask}; Flags: {flags}; \
             ExtendedFlags: None; Object Class: {class}; Created Time: {created}; Item Type: {item}; \
             Client Type: {client}; Database: {db}{phase}",
            counter = e.counter,
            mask = e.kind.name(),
            flags = if e.kind.flags().is_empty() { "None" } else { e.kind.flags() },
            class = e.kind.object_class(),
            created = format_us_stamp(e.created),
            item = e.kind.item_type(),
            client = e.kind.client_type(),
            db = self.labels.database(e.db),
        )
    }

    /// `subj: …, usr: …, rmd_t: …, s_t: …, e_t: …` for a reminder.
    fn reminder_fields(&self, m: MailboxId, reminder: Option<u32>) -> String {
        let user = self.labels.mailbox(m);
        match reminder {
            None => format!("subj: , usr: {user}, rmd_t: , s_t: , e_t: "),
            Some(i) => {
                let r = self.plan.reminder(i);
                let subject = &self.world.mailboxes[m.index()].calendar[r.item as usize].subject;
                format!(
                    "subj: {subject}, usr: {user}, rmd_t: {}, s_t: {}, e_t: {}",
                    format_us_date(r.at),
                    format_us_date(r.start),
                    format_us_date(r.end)
                )
            }
        }
    }

    fn decision(&self, m: MailboxId, e: &DbEvent, decision: Decision) -> (&'static str, String) {
        let event_t = format_us_date(e.created);
        // The UserSettings lines of the write-up's trace.
        let settings = |verb: &str, timers: String| {
            format!(
                "Processing {verb} event for mailbox {} on database {}: usr: {}, {timers}",
                self.labels.mailbox_guid[m.index()],
                self.labels.database_guid[e.db.index()],
                self.labels.mailbox(m)
            )
        };
        match decision {
            Decision::StopAll { phase, dropped, next } => (
                "CalendarNotification.Assistant",
                format!(
                    "rmd----- caller: StopAll, {}, event_t: {event_t}, move phase: {}, timers dropped: {dropped}",
                    self.reminder_fields(m, next),
                    phase.as_str()
                ),
            ),
            Decision::Ignored { phase } => (
                "CalendarNotification.Assistant",
                format!(
                    "MailboxMoveStarted ignored by policy: usr: {}, event_t: {event_t}, move phase: {}",
                    self.labels.mailbox(m),
                    phase.as_str()
                ),
            ),
            Decision::Resume { sent, scheduled } => (
                "CalendarNotification.Assistant",
                format!(
                    "Resume on {}: usr: {}, event_t: {event_t}, caught up: {sent}, timers set: {scheduled}",
                    e.kind.name(),
                    self.labels.mailbox(m)
                ),
            ),
            Decision::Enable { scheduled } => (
                "CalendarNotification.UserSettings",
                settings("Enabling", format!("timers set: {scheduled}")),
            ),
            Decision::Disable { dropped } => (
                "CalendarNotification.UserSettings",
                settings("Disabling", format!("timers dropped: {dropped}")),
            ),
        }
    }

    fn sent(&self, m: MailboxId, reminder: u32, catch_up: bool) -> String {
        let caller = if catch_up { "CatchUp" } else { "OnReminder" };
        format!(
            "rmd----- caller: {caller}, {}, SMS to {}",
            self.reminder_fields(m, Some(reminder)),
            self.labels.recipient[m.index()]
        )
    }
}
