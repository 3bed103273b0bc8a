//! The CSV files of the output folder. Each is an [`Observer`] that writes
//! rows as records arrive, so memory does not grow with the run.

use super::labels::Labels;
use crate::model::events::DbEvent;
use crate::model::metrics::Dropout;
use crate::model::plan::Plan;
use crate::model::record::{Observer, Record, UserAction};
use crate::model::world::World;
use crate::time::{SimTime, format_rfc3339};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// A CSV file being written; keeps the first error for [`CsvFile::finish`].
pub struct CsvFile {
    writer: csv::Writer<BufWriter<File>>,
    error: Option<csv::Error>,
}

impl CsvFile {
    /// Creates `path` and writes the header row; fields are quoted only
    /// where they need it.
    pub fn create(path: &Path, header: &[&str]) -> std::io::Result<Self> {
        Self::create_with(path, header, csv::QuoteStyle::Necessary)
    }

    /// Like [`CsvFile::create`], with every field quoted, as Exchange
    /// diagnostic traces are.
    pub fn create_quoted(path: &Path, header: &[&str]) -> std::io::Result<Self> {
        Self::create_with(path, header, csv::QuoteStyle::Always)
    }

    fn create_with(path: &Path, header: &[&str], quote: csv::QuoteStyle) -> std::io::Result<Self> {
        let file = BufWriter::with_capacity(1 << 16, File::create(path)?);
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(quote)
            .from_writer(file);
        writer.write_record(header).map_err(std::io::Error::other)?;
        Ok(CsvFile {
            writer,
            error: None,
        })
    }

    /// Writes one row.
    pub fn row<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        if self.error.is_none()
            && let Err(e) = self.writer.write_record(fields)
        {
            self.error = Some(e);
        }
    }

    /// Flushes the file and reports the first error.
    pub fn finish(mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(std::io::Error::other(e));
        }
        self.writer.flush()?;
        let mut inner = self
            .writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        inner.flush()
    }
}

/// `database_events.csv`: every mailbox event fired (background traffic is
/// summarized in summary.json, not listed).
pub struct DatabaseEventsCsv<'w> {
    file: CsvFile,
    labels: &'w Labels,
    policy: String,
}

impl<'w> DatabaseEventsCsv<'w> {
    /// Creates the file in `dir`.
    pub fn create(dir: &Path, labels: &'w Labels) -> std::io::Result<Self> {
        let header = [
            "policy",
            "database",
            "counter",
            "create_time",
            "event_name",
            "item_type",
            "object_class",
            "mailbox",
            "flags",
            "client_type",
            "mailbox_guid",
            "mask",
            "move_phase",
        ];
        Ok(DatabaseEventsCsv {
            file: CsvFile::create(&dir.join("database_events.csv"), &header)?,
            labels,
            policy: String::new(),
        })
    }

    /// Sets the policy written in the rows that follow.
    pub fn set_policy(&mut self, policy: &str) {
        self.policy = policy.to_string();
    }

    /// Flushes the file.
    pub fn finish(self) -> std::io::Result<()> {
        self.file.finish()
    }

    fn event(&mut self, e: &DbEvent) {
        let l = self.labels;
        let (mailbox, guid) = match e.mailbox {
            Some(m) => (l.mailbox(m), l.mailbox_guid[m.index()].as_str()),
            None => ("", ""),
        };
        self.file.row([
            self.policy.as_str(),
            l.database(e.db),
            &e.counter.to_string(),
            &format_rfc3339(e.created),
            e.kind.name(),
            e.kind.item_type(),
            e.kind.object_class(),
            mailbox,
            e.kind.flags(),
            e.kind.client_type(),
            guid,
            &e.kind.mask().to_string(),
            e.kind.move_phase().map_or("", |p| p.as_str()),
        ]);
    }
}

impl Observer for DatabaseEventsCsv<'_> {
    fn record(&mut self, record: &Record<'_>) {
        if let Record::EventCreated(e) = record {
            self.event(e);
        }
    }
}

/// `message_tracking.csv`: for each SMS, RECEIVE by STOREDRIVER then SEND
/// by AGENT, as the message tracking log shows assistant-originated mail.
pub struct MessageTrackingCsv<'w> {
    file: CsvFile,
    labels: &'w Labels,
    world: &'w World,
    plan: &'w Plan,
    policy: String,
}

impl<'w> MessageTrackingCsv<'w> {
    /// Creates the file in `dir`.
    pub fn create(
        dir: &Path,
        labels: &'w Labels,
        world: &'w World,
        plan: &'w Plan,
    ) -> std::io::Result<Self> {
        let header = [
            "policy",
            "timestamp",
            "event_id",
            "source",
            "sender",
            "recipients",
            "message_subject",
            "mailbox",
            "reminder_time",
            "occurrence_start",
        ];
        Ok(MessageTrackingCsv {
            file: CsvFile::create(&dir.join("message_tracking.csv"), &header)?,
            labels,
            world,
            plan,
            policy: String::new(),
        })
    }

    /// Sets the policy written in the rows that follow.
    pub fn set_policy(&mut self, policy: &str) {
        self.policy = policy.to_string();
    }

    /// Flushes the file.
    pub fn finish(self) -> std::io::Result<()> {
        self.file.finish()
    }
}

impl Observer for MessageTrackingCsv<'_> {
    fn record(&mut self, record: &Record<'_>) {
        let &Record::SmsSent {
            at,
            mailbox,
            reminder,
        } = record
        else {
            return;
        };
        let r = self.plan.reminder(reminder);
        let subject = &self.world.mailboxes[mailbox.index()].calendar[r.item as usize].subject;
        let stamp = format_rfc3339(at);
        let (reminder_time, occurrence_start) = (format_rfc3339(r.at), format_rfc3339(r.start));
        for (event_id, source) in [("RECEIVE", "STOREDRIVER"), ("SEND", "AGENT")] {
            self.file.row([
                self.policy.as_str(),
                &stamp,
                event_id,
                source,
                &self.labels.address[mailbox.index()],
                &self.labels.recipient[mailbox.index()],
                subject,
                self.labels.mailbox(mailbox),
                &reminder_time,
                &occurrence_start,
            ]);
        }
    }
}

/// `admin_audit.csv`: the user actions (`Set-TextMessagingAccount`).
pub struct AdminAuditCsv<'w> {
    file: CsvFile,
    labels: &'w Labels,
    policy: String,
}

impl<'w> AdminAuditCsv<'w> {
    /// Creates the file in `dir`.
    pub fn create(dir: &Path, labels: &'w Labels) -> std::io::Result<Self> {
        let header = [
            "policy",
            "run_date",
            "caller",
            "cmdlet_name",
            "cmdlet_parameters",
            "object_modified",
            "succeeded",
            "mailbox",
            "action",
        ];
        Ok(AdminAuditCsv {
            file: CsvFile::create(&dir.join("admin_audit.csv"), &header)?,
            labels,
            policy: String::new(),
        })
    }

    /// Sets the policy written in the rows that follow.
    pub fn set_policy(&mut self, policy: &str) {
        self.policy = policy.to_string();
    }

    /// Flushes the file.
    pub fn finish(self) -> std::io::Result<()> {
        self.file.finish()
    }
}

impl Observer for AdminAuditCsv<'_> {
    fn record(&mut self, record: &Record<'_>) {
        let &Record::User {
            at,
            mailbox,
            action,
        } = record
        else {
            return;
        };
        let parameters = match action {
            UserAction::Enable | UserAction::Reconfigure => {
                "{CountryRegionId, MobileOperatorId, NotificationPhoneNumber, Identity}"
            }
            UserAction::Disable => "{NotificationPhoneNumber, Identity}",
        };
        let m = mailbox.index();
        self.file.row([
            self.policy.as_str(),
            &format_rfc3339(at),
            &self.labels.address[m],
            "Set-TextMessagingAccount",
            parameters,
            &self.labels.mailbox_guid[m],
            "True",
            self.labels.mailbox(mailbox),
            action.as_str(),
        ]);
    }
}

/// Writes `dropouts.csv` from every policy's dropouts.
pub fn write_dropouts<'a>(
    dir: &Path,
    labels: &Labels,
    policies: impl IntoIterator<Item = (&'a str, &'a [Dropout])>,
) -> std::io::Result<()> {
    let header = [
        "policy",
        "mailbox",
        "start",
        "end",
        "hours",
        "reminders_missed",
    ];
    let mut file = CsvFile::create(&dir.join("dropouts.csv"), &header)?;
    for (policy, dropouts) in policies {
        for d in dropouts {
            file.row([
                policy,
                labels.mailbox(d.mailbox),
                &format_rfc3339(d.start),
                &format_rfc3339(d.end),
                &hours(d.end, d.start),
                &d.reminders_missed.to_string(),
            ]);
        }
    }
    file.finish()
}

/// Hours between two instants, to the millisecond.
fn hours(end: SimTime, start: SimTime) -> String {
    format!("{:.6}", (end - start).as_hours_f64())
}
