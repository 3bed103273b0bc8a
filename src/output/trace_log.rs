//! `assistant_trace.log`: one line per event the assistant handled and per
//! decision it took, in the style of the Exchange diagnostic trace quoted in
//! the incident write-up (quoted, comma-separated fields; counters in hex).

use super::csv_files::{CsvFile, Rows};
use crate::model::events::DbEvent;
use crate::model::record::{Decision, Record};
use crate::model::world::MailboxId;
use crate::time::Stamp;
use std::fmt::Write;

/// Header of `assistant_trace.log`.
pub const TRACE: [&str; 4] = ["timestamp", "policy", "component", "message"];

/// The component of the assistant's own lines.
const ASSISTANT: &str = "CalendarNotification.Assistant";
/// The component of the lines about text-messaging settings.
const USER_SETTINGS: &str = "CalendarNotification.UserSettings";

impl Rows<'_> {
    /// Writes the trace line of `record`, if it has one. The message is
    /// built in the file's scratch buffer: a trace has a line per event
    /// handled, so nothing here allocates per line.
    pub fn trace(&self, file: &mut CsvFile, policy: &str, record: &Record<'_>) {
        let mut message = file.take_scratch();
        let (at, component) = match *record {
            Record::EventHandled { at, event } => {
                self.handled(&mut message, event);
                (at, "EventDispatcher")
            }
            Record::Decision { at, mailbox, event, decision } => {
                (at, self.decision(&mut message, mailbox, event, decision))
            }
            Record::SmsSent { at, mailbox, reminder, catch_up } => {
                self.sent(&mut message, mailbox, reminder, catch_up);
                (at, ASSISTANT)
            }
            _ => return file.put_scratch(message),
        };
        file.row([Stamp::trace(at).as_str(), policy, component, &message]);
        file.put_scratch(message);
    }

    fn handled(&self, out: &mut String, e: &DbEvent) {
        let (name, guid) =
            (self.labels.mailbox(e.mailbox), &self.labels.mailbox_guid[e.mailbox.index()]);
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            "Dispatcher for {name} ({guid}) and Calendar Notification Assistant: Event handled \
             successfully: Counter: 0x{counter:08X}; MailboxID: {guid}; Mask: {mask}; Flags: {flags}; \
             ExtendedFlags: None; Object Class: {class}; Created Time: {created}; Item Type: {item}; \
             Client Type: {client}; Database: {db}",
            counter = e.counter,
            mask = e.kind.name(),
            flags = if e.kind.flags().is_empty() { "None" } else { e.kind.flags() },
            class = e.kind.object_class(),
            created = Stamp::us_stamp(e.created),
            item = e.kind.item_type(),
            client = e.kind.client_type(),
            db = self.labels.database(e.db),
        );
        if let Some(phase) = e.kind.move_phase() {
            out.push_str("; MovePhase: ");
            out.push_str(phase.as_str());
        }
    }

    /// `subj: …, usr: …, rmd_t: …, s_t: …, e_t: …` for a reminder.
    fn reminder_fields(&self, out: &mut String, m: MailboxId, reminder: Option<u32>) {
        let user = self.labels.mailbox(m);
        let _ = match reminder {
            None => write!(out, "subj: , usr: {user}, rmd_t: , s_t: , e_t: "),
            Some(i) => {
                let r = self.plan.reminder(i);
                let subject = &self.world.mailboxes[m.index()].calendar[r.item as usize].subject;
                write!(
                    out,
                    "subj: {subject}, usr: {user}, rmd_t: {}, s_t: {}, e_t: {}",
                    Stamp::us_date(r.at),
                    Stamp::us_date(r.start),
                    Stamp::us_date(r.end)
                )
            }
        };
    }

    /// Writes the line of a decision into `out` and returns its component.
    fn decision(
        &self,
        out: &mut String,
        m: MailboxId,
        e: &DbEvent,
        decision: Decision,
    ) -> &'static str {
        let event_t = Stamp::us_date(e.created);
        let user = self.labels.mailbox(m);
        // The UserSettings lines of the write-up's trace.
        let settings = |out: &mut String, verb: &str| {
            let _ = write!(
                out,
                "Processing {verb} event for mailbox {} on database {}: usr: {user}, ",
                self.labels.mailbox_guid[m.index()],
                self.labels.database_guid[e.db.index()],
            );
        };
        // Writing into a String cannot fail.
        match decision {
            Decision::StopAll { phase, dropped, next } => {
                out.push_str("rmd----- caller: StopAll, ");
                self.reminder_fields(out, m, next);
                let _ = write!(
                    out,
                    ", event_t: {event_t}, move phase: {}, timers dropped: {dropped}",
                    phase.as_str()
                );
                ASSISTANT
            }
            Decision::Ignored { phase } => {
                let _ = write!(
                    out,
                    "MailboxMoveStarted ignored by policy: usr: {user}, event_t: {event_t}, move phase: {}",
                    phase.as_str()
                );
                ASSISTANT
            }
            Decision::Resume { sent, scheduled } => {
                let _ = write!(
                    out,
                    "Resume on {}: usr: {user}, event_t: {event_t}, caught up: {sent}, timers set: {scheduled}",
                    e.kind.name(),
                );
                ASSISTANT
            }
            Decision::Enable { scheduled } => {
                settings(out, "Enabling");
                let _ = write!(out, "timers set: {scheduled}");
                USER_SETTINGS
            }
            Decision::Disable { dropped } => {
                settings(out, "Disabling");
                let _ = write!(out, "timers dropped: {dropped}");
                USER_SETTINGS
            }
        }
    }

    fn sent(&self, out: &mut String, m: MailboxId, reminder: u32, catch_up: bool) {
        let caller = if catch_up { "CatchUp" } else { "OnReminder" };
        let _ = write!(out, "rmd----- caller: {caller}, ");
        self.reminder_fields(out, m, Some(reminder));
        let _ = write!(out, ", SMS to {}", self.labels.recipient[m.index()]);
    }
}
