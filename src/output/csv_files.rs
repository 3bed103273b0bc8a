//! The CSV files of the output folder: the file type and the row of each
//! file. Rows are written as records arrive, so memory does not grow with
//! the run.

use super::labels::Labels;
use super::meter::{Meter, Metered};
use crate::model::events::DbEvent;
use crate::model::metrics::Dropout;
use crate::model::plan::Plan;
use crate::model::record::UserAction;
use crate::model::world::{MailboxId, World};
use crate::time::{SimTime, Stamp};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// A CSV file being written; keeps the first error for [`CsvFile::finish`].
pub struct CsvFile {
    writer: csv::Writer<BufWriter<Metered<File>>>,
    error: Option<csv::Error>,
    /// A buffer that row writers build long fields in, kept between rows.
    scratch: String,
}

impl CsvFile {
    /// Creates `path` and writes the header row; fields are quoted only
    /// where they need it.
    pub fn create(path: &Path, header: &[&str], meter: &Meter) -> std::io::Result<Self> {
        Self::create_with(path, header, csv::QuoteStyle::Necessary, meter)
    }

    /// Like [`CsvFile::create`], with every field quoted, as Exchange
    /// diagnostic traces are.
    pub fn create_quoted(path: &Path, header: &[&str], meter: &Meter) -> std::io::Result<Self> {
        Self::create_with(path, header, csv::QuoteStyle::Always, meter)
    }

    /// Creates `path` for rows that will follow a header written
    /// elsewhere (a part of a file that `append_parts` appends).
    pub fn create_part(path: &Path, quoted: bool, meter: &Meter) -> std::io::Result<Self> {
        let quote = if quoted { csv::QuoteStyle::Always } else { csv::QuoteStyle::Necessary };
        Self::create_with(path, &[], quote, meter)
    }

    /// Creates `path` and writes `preamble` (lines written as they are,
    /// outside the CSV quoting, each ended by CRLF: the `#` lines that open
    /// an Exchange log or an Export-Csv file), then the header row if any;
    /// fields are quoted everywhere (`quoted`) or only where they need it.
    pub fn create_after(
        path: &Path,
        preamble: &[&str],
        header: &[&str],
        quoted: bool,
        meter: &Meter,
    ) -> std::io::Result<Self> {
        let quote = if quoted { csv::QuoteStyle::Always } else { csv::QuoteStyle::Necessary };
        Self::create_with_preamble(path, preamble, header, quote, meter)
    }

    fn create_with(
        path: &Path,
        header: &[&str],
        quote: csv::QuoteStyle,
        meter: &Meter,
    ) -> std::io::Result<Self> {
        Self::create_with_preamble(path, &[], header, quote, meter)
    }

    fn create_with_preamble(
        path: &Path,
        preamble: &[&str],
        header: &[&str],
        quote: csv::QuoteStyle,
        meter: &Meter,
    ) -> std::io::Result<Self> {
        let mut file = BufWriter::with_capacity(1 << 16, meter.wrap(File::create(path)?));
        for line in preamble {
            file.write_all(line.as_bytes())?;
            file.write_all(b"\r\n")?;
        }
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(quote)
            .from_writer(file);
        if !header.is_empty() {
            writer.write_record(header).map_err(std::io::Error::other)?;
        }
        Ok(CsvFile { writer, error: None, scratch: String::new() })
    }

    /// Writes one row; a field that a spreadsheet would take for a formula
    /// is neutralized ([`neutralize`]).
    pub fn row<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        if self.error.is_some() {
            return;
        }
        for field in fields {
            if let Err(e) = self.writer.write_field(neutralize(field.as_ref())) {
                self.error = Some(e);
                return;
            }
        }
        if let Err(e) = self.writer.write_record(None::<&[u8]>) {
            self.error = Some(e);
        }
    }

    /// The scratch buffer, empty; give it back with [`CsvFile::put_scratch`]
    /// so that its capacity serves the next row.
    pub fn take_scratch(&mut self) -> String {
        std::mem::take(&mut self.scratch)
    }

    /// Returns the buffer [`CsvFile::take_scratch`] gave, emptied.
    pub fn put_scratch(&mut self, mut scratch: String) {
        scratch.clear();
        self.scratch = scratch;
    }

    /// Flushes the file and reports the first error.
    pub fn finish(mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(std::io::Error::other(e));
        }
        self.writer.flush()?;
        let mut inner =
            self.writer.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
        inner.flush()
    }
}

/// The first characters that make a spreadsheet read a cell as a formula
/// (`=`, `+`, `-`, `@`) or that hide one (tab, carriage return), and the
/// quote that [`neutralize`] itself puts in front.
const FORMULA_STARTS: [u8; 7] = [b'=', b'+', b'-', b'@', b'\t', b'\r', b'\''];

/// A field as it is written to a CSV file: one that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a `'` in front, as OWASP
/// recommends against CSV injection, so that Excel, LibreOffice and Google
/// Sheets show it as text instead of evaluating it. A field that starts
/// with `'` gets one too, so that [`restore`] gives back every field
/// exactly. No number or instant that cnasim writes starts with any of
/// these; a subject, a name or a sweep's value may.
pub fn neutralize(field: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    match field.first() {
        Some(b) if FORMULA_STARTS.contains(b) => {
            let mut quoted = Vec::with_capacity(field.len() + 1);
            quoted.push(b'\'');
            quoted.extend_from_slice(field);
            std::borrow::Cow::Owned(quoted)
        }
        _ => std::borrow::Cow::Borrowed(field),
    }
}

/// A field read back from a CSV file that cnasim wrote: [`neutralize`]
/// undone.
pub fn restore(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if rest.bytes().next().is_some_and(|b| FORMULA_STARTS.contains(&b)) => rest,
        _ => field,
    }
}

/// Appends to the file `path` the bytes of each of `parts` in order, and
/// removes the parts: the result is the file that one writer would have
/// written row by row.
pub fn append_parts(path: &Path, parts: &[std::path::PathBuf]) -> std::io::Result<()> {
    let mut out = std::fs::OpenOptions::new().append(true).open(path)?;
    for part in parts {
        std::io::copy(&mut File::open(part)?, &mut out)?;
        std::fs::remove_file(part)?;
    }
    out.flush()
}

/// What rows are made of: the world, its plan and their labels. The rows of
/// each file are methods of this type (the trace's in `trace_log.rs`).
pub struct Rows<'w> {
    /// Names and addresses.
    pub labels: &'w Labels,
    /// The world being run.
    pub world: &'w World,
    /// Its ground truth.
    pub plan: &'w Plan,
}

/// Header of `database_events.csv`.
pub const DATABASE_EVENTS: [&str; 13] = [
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

impl Rows<'_> {
    /// A row of `database_events.csv`: a mailbox event as fired.
    pub fn database_event(&self, file: &mut CsvFile, policy: &str, e: &DbEvent) {
        let labels = self.labels;
        let (mailbox, guid) = (labels.mailbox(e.mailbox), &labels.mailbox_guid[e.mailbox.index()]);
        file.row([
            policy,
            labels.database(e.db),
            itoa::Buffer::new().format(e.counter),
            &Stamp::rfc3339(e.created),
            e.kind.name(),
            e.kind.item_type(),
            e.kind.object_class(),
            mailbox,
            e.kind.flags(),
            e.kind.client_type(),
            guid,
            itoa::Buffer::new().format(e.kind.mask()),
            e.kind.move_phase().map_or("", |p| p.as_str()),
        ]);
    }
}

/// Header of `message_tracking.csv`.
pub const MESSAGE_TRACKING: [&str; 10] = [
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

impl Rows<'_> {
    /// The rows of `message_tracking.csv` for one SMS: RECEIVE by STOREDRIVER
    /// then SEND by AGENT, as the log shows mail the assistants originate.
    pub fn sms_tracking(
        &self,
        file: &mut CsvFile,
        policy: &str,
        at: SimTime,
        mailbox: MailboxId,
        reminder: u32,
    ) {
        let labels = self.labels;
        let r = self.plan.reminder(reminder);
        let subject = &self.world.mailboxes[mailbox.index()].calendar[r.item as usize].subject;
        let stamp = Stamp::rfc3339(at);
        let (reminder_time, occurrence_start) = (Stamp::rfc3339(r.at), Stamp::rfc3339(r.start));
        for (event_id, source) in [("RECEIVE", "STOREDRIVER"), ("SEND", "AGENT")] {
            file.row([
                policy,
                &stamp,
                event_id,
                source,
                &labels.address[mailbox.index()],
                &labels.recipient[mailbox.index()],
                subject,
                labels.mailbox(mailbox),
                &reminder_time,
                &occurrence_start,
            ]);
        }
    }
}

/// Header of `admin_audit.csv`.
pub const ADMIN_AUDIT: [&str; 9] = [
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

impl Rows<'_> {
    /// A row of `admin_audit.csv`: a user action (`Set-TextMessagingAccount`).
    pub fn user_action(
        &self,
        file: &mut CsvFile,
        policy: &str,
        at: SimTime,
        mailbox: MailboxId,
        action: UserAction,
    ) {
        let labels = self.labels;
        let parameters = match action {
            UserAction::Enable | UserAction::Reconfigure => {
                "{CountryRegionId, MobileOperatorId, NotificationPhoneNumber, Identity}"
            }
            UserAction::Disable => "{NotificationPhoneNumber, Identity}",
        };
        let m = mailbox.index();
        file.row([
            policy,
            &Stamp::rfc3339(at),
            &labels.address[m],
            "Set-TextMessagingAccount",
            parameters,
            &labels.mailbox_guid[m],
            "True",
            labels.mailbox(mailbox),
            action.as_str(),
        ]);
    }
}

/// Writes `dropouts.csv` from every policy's dropouts.
pub fn write_dropouts<'a>(
    dir: &Path,
    meter: &Meter,
    labels: &Labels,
    policies: impl IntoIterator<Item = (&'a str, &'a [Dropout])>,
) -> std::io::Result<()> {
    let header = ["policy", "mailbox", "start", "end", "hours", "reminders_missed"];
    let mut file = CsvFile::create(&dir.join("dropouts.csv"), &header, meter)?;
    for (policy, dropouts) in policies {
        for d in dropouts {
            file.row([
                policy,
                labels.mailbox(d.mailbox),
                &Stamp::rfc3339(d.start),
                &Stamp::rfc3339(d.end),
                &format!("{:.6}", (d.end - d.start).as_hours_f64()),
                &d.reminders_missed.to_string(),
            ]);
        }
    }
    file.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_restored() {
        let cases: [(&str, &str); 9] = [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("'quoted", "''quoted"),
            ("Standup", "Standup"),
            ("", ""),
        ];
        for (field, written) in cases {
            let out = neutralize(field.as_bytes());
            assert_eq!(std::str::from_utf8(&out).unwrap(), written, "{field:?}");
            assert_eq!(restore(written), field, "{written:?}");
        }
    }

    #[test]
    fn rows_are_written_neutralized() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut file = CsvFile::create(&path, &["a", "b"], &Meter::unlimited()).unwrap();
        file.row(["=1+1", "x,y"]);
        file.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\r\n'=1+1,\"x,y\"\r\n");
    }
}
