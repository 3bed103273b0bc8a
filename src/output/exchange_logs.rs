//! The event logs in Exchange's own layouts (`cnasim run --log-format
//! exchange`), beside the CSV files, one file of each per policy:
//!
//! - `MSGTRK-<policy>.LOG`: a message tracking log as Exchange 2016 writes
//!   it (`#Software`, `#Version`, `#Log-type`, `#Date` and `#Fields:` lines,
//!   then a row per event in the 30 fields of the `#Fields:` line): per SMS,
//!   RECEIVE by STOREDRIVER then SEND by AGENT, the rows of
//!   `message_tracking.csv`;
//! - `admin_audit-<policy>.csv`: the admin audit log as
//!   `Search-AdminAuditLog | Export-Csv` writes it (`#TYPE` line, every field
//!   quoted), the rows of `admin_audit.csv`.
//!
//! The policy is in the file name because these layouts have no column for
//! it. Every value comes from the simulation: fields that only a real
//! server knows (IP addresses, host names, sizes, network message ids,
//! runspace ids) are left empty, and the ids cnasim does fill are counted
//! (`internal-message-id` is the SMS's number in its policy's run, from 1),
//! so a run writes the same bytes every time. `RunDate` is in the US form
//! PowerShell prints, which carries no zone: it is UTC, as is every time
//! cnasim writes (`cnasim diagnose` and `cnasim import` read zone-less
//! times as UTC unless told `--time-zone`).

use super::csv_files::{CsvFile, Rows};
use super::meter::Meter;
use crate::model::world::MailboxId;
use crate::time::{SimTime, Stamp};
use std::path::{Path, PathBuf};

/// The Exchange build the logs claim: Exchange Server 2016 RTM, whose
/// message tracking logs have the 30 fields of [`TRACKING_FIELDS`].
pub const EXCHANGE_VERSION: &str = "15.01.0225.042";

/// The fields of an Exchange 2016 message tracking log, in order.
pub const TRACKING_FIELDS: [&str; 30] = [
    "date-time",
    "client-ip",
    "client-hostname",
    "server-ip",
    "server-hostname",
    "source-context",
    "connector-id",
    "source",
    "event-id",
    "internal-message-id",
    "message-id",
    "network-message-id",
    "recipient-address",
    "recipient-status",
    "total-bytes",
    "recipient-count",
    "related-recipient-address",
    "reference",
    "message-subject",
    "sender-address",
    "return-path",
    "message-info",
    "directionality",
    "tenant-id",
    "original-client-ip",
    "original-server-ip",
    "custom-data",
    "transport-traffic-type",
    "log-id",
    "schema-version",
];

/// The `#TYPE` line Export-Csv writes for the admin audit log's records
/// (as the remote Exchange Management Shell returns them).
pub const AUDIT_TYPE: &str =
    "#TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.AdminAuditLogEvent";

/// The properties of an admin audit log record, in the order
/// `Search-AdminAuditLog` prints them (and Export-Csv writes them).
pub const AUDIT_COLUMNS: [&str; 14] = [
    "RunspaceId",
    "ObjectModified",
    "CmdletName",
    "CmdletParameters",
    "ModifiedProperties",
    "Caller",
    "ExternalAccess",
    "Succeeded",
    "Error",
    "RunDate",
    "OriginatingServer",
    "Identity",
    "IsValid",
    "ObjectState",
];

/// What Export-Csv writes for a multi-valued property (`CmdletParameters`,
/// `ModifiedProperties`): the collection's type, not its items.
const COLLECTION: &str = "System.Collections.ArrayList";

/// The bytes the headers of one policy's two files take at most (the
/// estimate before a run counts them; a unit test holds them to it).
pub const HEADER_BYTES: u64 = 1024;

/// The message tracking log of `policy`: `MSGTRK-<policy>.LOG`. Exchange
/// names its own `MSGTRK<yyyymmddhh>-<n>.LOG`; the policy takes the place
/// of the date, since one file holds a policy's whole run.
pub fn tracking_file(policy: &str) -> String {
    format!("MSGTRK-{policy}.LOG")
}

/// The admin audit export of `policy`: `admin_audit-<policy>.csv`, beside
/// `admin_audit.csv`, which holds every policy's rows in cnasim's columns.
pub fn audit_file(policy: &str) -> String {
    format!("admin_audit-{policy}.csv")
}

/// Whether `name` is exactly the name of one of these files for some
/// policy (a valid policy name between the fixed parts): an output folder
/// holding it is still cnasim's to replace.
pub fn is_file_name(name: &str) -> bool {
    let policy = name
        .strip_prefix("MSGTRK-")
        .and_then(|rest| rest.strip_suffix(".LOG"))
        .or_else(|| name.strip_prefix("admin_audit-").and_then(|rest| rest.strip_suffix(".csv")));
    policy.is_some_and(|p| crate::scenario::Slug::check(p).is_ok())
}

/// One policy's Exchange-format logs, written as its records arrive.
pub struct ExchangeLogs {
    /// The tracking log, created with its first row (its `#Date` line
    /// gives that row's time), or at the end when it has none.
    tracking: Option<CsvFile>,
    tracking_path: PathBuf,
    audit: CsvFile,
    meter: Meter,
    /// The first error, reported by [`ExchangeLogs::finish`].
    error: Option<std::io::Error>,
    /// SMS written so far (the next one's internal-message-id, less one).
    messages: u64,
    /// The window's start: the `#Date` of a log without rows.
    start: SimTime,
}

impl ExchangeLogs {
    /// Creates `policy`'s two files in `dir` (the output folder); `start`
    /// is the window's start.
    pub fn create(
        dir: &Path,
        policy: &str,
        start: SimTime,
        meter: &Meter,
    ) -> std::io::Result<Self> {
        let audit = CsvFile::create_after(
            &dir.join(audit_file(policy)),
            &[AUDIT_TYPE],
            &AUDIT_COLUMNS,
            true,
            meter,
        )?;
        Ok(ExchangeLogs {
            tracking: None,
            tracking_path: dir.join(tracking_file(policy)),
            audit,
            meter: meter.clone(),
            error: None,
            messages: 0,
            start,
        })
    }

    /// The tracking log, created with its header dated `at` if it is not
    /// yet; `None` once creating it failed.
    fn tracking(&mut self, at: SimTime) -> Option<&mut CsvFile> {
        if self.tracking.is_none() && self.error.is_none() {
            let date = format!("#Date: {}", Stamp::rfc3339(at));
            let version = format!("#Version: {EXCHANGE_VERSION}");
            let fields = format!("#Fields: {}", TRACKING_FIELDS.join(","));
            let preamble = [
                "#Software: Microsoft Exchange Server",
                &version,
                "#Log-type: Message Tracking Log",
                &date,
                &fields,
            ];
            match CsvFile::create_after(&self.tracking_path, &preamble, &[], false, &self.meter) {
                Ok(file) => self.tracking = Some(file),
                Err(e) => self.error = Some(e),
            }
        }
        self.tracking.as_mut()
    }

    /// The tracking rows of one SMS: RECEIVE by STOREDRIVER, then SEND by
    /// AGENT, in the same millisecond, as `message_tracking.csv` has them.
    pub fn sms(&mut self, rows: &Rows<'_>, at: SimTime, mailbox: MailboxId, reminder: u32) {
        self.messages += 1;
        let number = self.messages;
        let Some(tracking) = self.tracking(at) else { return };
        let labels = rows.labels;
        let m = mailbox.index();
        let r = rows.plan.reminder(reminder);
        let subject = &rows.world.mailboxes[m].calendar[r.item as usize].subject;
        let stamp = Stamp::rfc3339(at);
        let mut digits = itoa::Buffer::new();
        let number = digits.format(number);
        let mut message_id = tracking.take_scratch();
        message_id.push_str("<sms-");
        message_id.push_str(number);
        message_id.push('-');
        message_id.push_str(&labels.mailbox_guid[m]);
        message_id.push('@');
        message_id.push_str(&rows.world.domain);
        message_id.push('>');
        let (sender, recipient) = (&labels.address[m], &labels.recipient[m]);
        // What the log of each event has in its own fields: the recipient
        // status (the recipient's type on RECEIVE) and the message info
        // (the original arrival time on SEND).
        for (source, event, status, info) in
            [("STOREDRIVER", "RECEIVE", "To", ""), ("AGENT", "SEND", "", stamp.as_str())]
        {
            tracking.row([
                stamp.as_str(),
                "",
                "",
                "",
                "",
                "",
                "",
                source,
                event,
                number,
                &message_id,
                "",
                recipient,
                status,
                "",
                "1",
                "",
                "",
                subject,
                sender,
                sender,
                info,
                "Originating",
                "",
                "",
                "",
                "",
                "Email",
                "",
                EXCHANGE_VERSION,
            ]);
        }
        tracking.put_scratch(message_id);
    }

    /// The audit record of a user action: `Set-TextMessagingAccount` run by
    /// the user on their own mailbox (from Outlook Web App), named by its
    /// Active Directory path `domain/Users/<display name>`. Enabling,
    /// reconfiguring and disabling differ only in their parameters, which
    /// Export-Csv writes as the collection's type (`admin_audit.csv` names
    /// the action).
    pub fn user_action(&mut self, rows: &Rows<'_>, at: SimTime, mailbox: MailboxId) {
        let mut path = self.audit.take_scratch();
        path.push_str(&rows.world.domain);
        path.push_str("/Users/");
        path.push_str(rows.labels.mailbox(mailbox));
        self.audit.row([
            "",
            path.as_str(),
            "Set-TextMessagingAccount",
            COLLECTION,
            COLLECTION,
            path.as_str(),
            "False",
            "True",
            "None",
            &Stamp::us_stamp(at),
            "",
            "",
            "True",
            "New",
        ]);
        self.audit.put_scratch(path);
    }

    /// Creates the tracking log if no row did (with its header only,
    /// dated the window's start), and flushes both files.
    pub fn finish(mut self) -> std::io::Result<()> {
        let start = self.start;
        self.tracking(start);
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(tracking) = self.tracking.take() {
            tracking.finish()?;
        }
        self.audit.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_exactly_the_shapes_written() {
        for policy in ["legacy", "fixed", "catch-up-after-move", "p2"] {
            assert!(is_file_name(&tracking_file(policy)), "{policy}");
            assert!(is_file_name(&audit_file(policy)), "{policy}");
        }
        for other in [
            "MSGTRK-.LOG",
            "MSGTRK-Legacy.LOG",
            "MSGTRK-legacy.log",
            "msgtrk-legacy.LOG",
            "MSGTRK2016012400-1.LOG",
            "MSGTRK--x.LOG",
            "MSGTRK-a/b.LOG",
            "MSGTRK-a.b.LOG",
            "admin_audit.csv",
            "admin_audit-.csv",
            "admin_audit-x.CSV",
            "admin_audit-x y.csv",
            "admin_audit-x.csv.bak",
        ] {
            assert!(!is_file_name(other), "{other}");
        }
    }

    #[test]
    fn headers_fit_their_estimate() {
        let tracking = format!(
            "#Software: Microsoft Exchange Server\r\n#Version: {EXCHANGE_VERSION}\r\n#Log-type: \
             Message Tracking Log\r\n#Date: 2016-01-24T16:15:00.000Z\r\n#Fields: {}\r\n",
            TRACKING_FIELDS.join(",")
        );
        let audit = format!("{AUDIT_TYPE}\r\n\"{}\"\r\n", AUDIT_COLUMNS.join("\",\""));
        assert!((tracking.len() + audit.len()) as u64 <= HEADER_BYTES);
    }
}
