//! What the evidence says, typed: database events, move request
//! statistics, admin audit runs, tracked messages, trace entries and event
//! watermarks, each with the file and line it came from.
//!
//! A block's kind is told by the names of its columns, whatever its layout:
//! `EventName` and `CreateTime` make database events, `EventId` and
//! `Timestamp` (or `event-id` and `date-time`) message tracking, and so on;
//! cnasim's own CSV files are read by the same names.

use super::clock::Clock;
use super::raw::{Field, RawBlock, Record};
use super::trace::TraceEntry;
use crate::time::{SimDuration, SimTime, parse_duration};
use serde::Serialize;
use std::collections::BTreeSet;

/// Where a fact was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The file, as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: u64,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The kinds of evidence cnasim reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Mailbox database events (`Get-MailboxDatabase... events`, database_events.csv).
    DatabaseEvents,
    /// `Get-MoveRequestStatistics`.
    MoveStatistics,
    /// `Search-AdminAuditLog`, admin_audit.csv.
    AdminAudit,
    /// `Get-MessageTrackingLog`, MSGTRK logs, message_tracking.csv.
    MessageTracking,
    /// The assistant's diagnostic trace, assistant_trace.log.
    AssistantTrace,
    /// The database event watermark line.
    Watermark,
}

impl Kind {
    /// The kind's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::DatabaseEvents => "database-events",
            Kind::MoveStatistics => "move-statistics",
            Kind::AdminAudit => "admin-audit",
            Kind::MessageTracking => "message-tracking",
            Kind::AssistantTrace => "assistant-trace",
            Kind::Watermark => "watermark",
        }
    }
}

/// One mailbox database event.
#[derive(Clone, Debug)]
pub struct DbEvent {
    /// Where it was read.
    pub origin: Origin,
    /// The event counter, when printed.
    pub counter: Option<u64>,
    /// The event name: `MailboxMoveStarted`, `ObjectModified`, ...
    pub name: String,
    /// The create time.
    pub created: SimTime,
    /// How the row names the mailbox (display name, GUID), if at all.
    pub mailbox: Vec<String>,
    /// The database, when printed.
    pub database: Option<String>,
}

/// One `Get-MoveRequestStatistics` record.
#[derive(Clone, Debug)]
pub struct MoveStats {
    /// Where it was read.
    pub origin: Origin,
    /// How it names the mailbox.
    pub mailbox: Vec<String>,
    /// The display name, when printed.
    pub display: Option<String>,
    /// The incremental sync interval and the property it came from.
    pub interval: Option<(SimDuration, String)>,
    /// `Status`, when printed.
    pub status: Option<String>,
    /// `CompletionTimestamp`, when printed and not blank.
    pub completion: Option<SimTime>,
    /// `SourceDatabase`, when printed.
    pub source_database: Option<String>,
    /// `TargetDatabase`, when printed.
    pub target_database: Option<String>,
}

/// One admin audit log record.
#[derive(Clone, Debug)]
pub struct AuditRun {
    /// Where it was read.
    pub origin: Origin,
    /// `RunDate`.
    pub run_date: SimTime,
    /// `CmdletName`.
    pub cmdlet: String,
    /// How it names the mailbox (`ObjectModified`, cnasim's `mailbox`).
    pub mailbox: Vec<String>,
    /// `Succeeded`.
    pub succeeded: bool,
}

/// One message tracking record.
#[derive(Clone, Debug)]
pub struct Message {
    /// Where it was read.
    pub origin: Origin,
    /// `Timestamp` / `date-time`.
    pub time: SimTime,
    /// `EventId`: RECEIVE, SEND, DELIVER, ...
    pub event_id: String,
    /// `Source`: STOREDRIVER, AGENT, ...
    pub source: String,
    /// `Sender`.
    pub sender: String,
    /// `Recipients`.
    pub recipients: Vec<String>,
    /// `MessageSubject`.
    pub subject: String,
    /// How it names the mailbox (sender, cnasim's `mailbox`).
    pub mailbox: Vec<String>,
}

impl Message {
    /// The SMS recipient (`IMCEAMOBILE-...`), if this message went to a phone.
    pub fn sms_recipient(&self) -> Option<&str> {
        self.recipients
            .iter()
            .map(String::as_str)
            .find(|r| r.to_ascii_uppercase().starts_with("IMCEAMOBILE-"))
    }
}

/// One trace entry.
#[derive(Clone, Debug)]
pub struct TraceRow {
    /// Where it was read.
    pub origin: Origin,
    /// The entry's timestamp.
    pub time: SimTime,
    /// What it says.
    pub entry: TraceEntry,
}

/// The event watermark line: how far the assistant is behind a database.
#[derive(Clone, Debug)]
pub struct Watermark {
    /// Where it was read.
    pub origin: Origin,
    /// The database (and server) as printed.
    pub database: String,
    /// The assistant's watermark.
    pub watermark: u64,
    /// The database's last event counter.
    pub last: u64,
    /// Events not yet processed.
    pub backlog: u64,
}

/// A recognised block.
#[derive(Clone, Debug, Serialize)]
pub struct BlockInfo {
    /// Where it starts.
    pub origin: Origin,
    /// What it holds.
    pub kind: Kind,
    /// Its layout.
    pub format: super::raw::Format,
    /// How many records it holds.
    pub records: usize,
}

/// An error inside a block: 1-based line and column, and the message.
pub type At = (u64, u64, String);

/// Tells a block's kind from its column names (a table's columns, blank
/// or not; a list's names); a block without records has none.
pub fn kind_of(block: &RawBlock) -> Option<Kind> {
    // Each name once: a log's rows repeat the same names (inserted one by
    // one, as collecting would sort them all first).
    let mut names: BTreeSet<&str> = BTreeSet::new();
    if !block.records.is_empty() {
        names.extend(block.columns.iter().map(|c| &**c));
    }
    for f in block.records.iter().flat_map(|r| &r.fields) {
        names.insert(&f.name);
    }
    let has = |n: &str| names.contains(n);
    if has("message") && has("timestamp") && has("component") {
        Some(Kind::AssistantTrace)
    } else if has("eventname") && (has("createtime") || has("createdtime")) {
        Some(Kind::DatabaseEvents)
    } else if has("eventid") && (has("timestamp") || has("datetime")) {
        Some(Kind::MessageTracking)
    } else if has("cmdletname") && has("rundate") {
        Some(Kind::AdminAudit)
    } else if names.iter().any(|n| n.ends_with("incrementalsyncinterval"))
        || (has("status") && (has("syncstage") || has("statusdetail") || has("percentcomplete")))
    {
        Some(Kind::MoveStatistics)
    } else {
        None
    }
}

fn time(record: &Record, names: &[&str], clock: &Clock) -> Result<Option<SimTime>, At> {
    match record.get(names) {
        Some(f) if !f.value.is_empty() => clock.parse(&f.value).map(Some).map_err(|e| at(f, e)),
        _ => Ok(None),
    }
}

fn required_time(record: &Record, names: &[&str], clock: &Clock) -> Result<SimTime, At> {
    time(record, names, clock)?.ok_or_else(|| {
        (record.line, 1, format!("this record has no `{}`: expected a time", names[0]))
    })
}

fn at(f: &Field, message: String) -> At {
    (f.line, f.column, message)
}

fn text(record: &Record, names: &[&str]) -> String {
    record.text(names).unwrap_or("").to_string()
}

/// The ways a row names a mailbox: redaction placeholders (`<objectId>`),
/// blanks and `None` say nothing; an Active Directory path also names its
/// last part.
pub fn names_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    values
        .into_iter()
        .map(|v| v.trim().trim_matches(|c| c == '{' || c == '}').trim())
        .filter(|v| !(v.is_empty() || *v == "None" || (v.contains('<') && v.contains('>'))))
        .flat_map(|v| {
            // `contoso.com/Users/Pat Doe` also names `Pat Doe`.
            let last =
                v.rsplit_once('/').map(|(_, l)| l.trim().to_string()).filter(|l| !l.is_empty());
            std::iter::once(v.to_string()).chain(last)
        })
        .collect()
}

/// A list value: `{a, b}` as FT/FL print it, `a;b` as a log writes it, or
/// one value.
pub fn list(value: &str) -> Vec<String> {
    let inner = value.trim().trim_start_matches('{').trim_end_matches('}');
    inner.split([',', ';']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Reads a database events record.
pub fn db_event(record: &Record, origin: Origin, clock: &Clock) -> Result<DbEvent, At> {
    let counter = match record.get(&["counter"]) {
        Some(f) if !f.value.is_empty() => Some(f.value.parse::<u64>().map_err(|_| {
            at(f, format!("`{}` is not an event counter: expected a whole number", f.value))
        })?),
        _ => None,
    };
    Ok(DbEvent {
        origin,
        counter,
        name: text(record, &["eventname"]),
        created: required_time(record, &["createtime", "createdtime"], clock)?,
        mailbox: names_of(["mailbox", "mailboxguid"].iter().filter_map(|n| record.text(&[n]))),
        database: record.text(&["database"]).map(str::to_string),
    })
}

/// Reads a move request statistics record; `identity` is the one the
/// command line named, if any.
pub fn move_stats(
    record: &Record,
    origin: Origin,
    clock: &Clock,
    identity: Option<&str>,
) -> Result<MoveStats, At> {
    let mut interval = None;
    for name in [
        "effectiveincrementalsyncinterval",
        "incrementalsyncinterval",
        "configuredincrementalsyncinterval",
    ] {
        if let Some(f) = record.get(&[name]).filter(|f| !f.value.is_empty()) {
            let d = parse_duration(&f.value).map_err(|e| at(f, e.to_string()))?;
            interval = Some((d, name.to_string()));
            break;
        }
    }
    let ids = ["identity", "mailboxidentity", "exchangeguid", "displayname", "alias"];
    let mut mailbox = names_of(ids.iter().filter_map(|n| record.text(&[n])));
    mailbox.extend(names_of(identity));
    Ok(MoveStats {
        origin,
        mailbox,
        display: record.text(&["displayname"]).map(str::to_string),
        interval,
        status: record.text(&["status"]).map(str::to_string),
        completion: time(record, &["completiontimestamp"], clock)?,
        source_database: record.text(&["sourcedatabase"]).map(str::to_string),
        target_database: record.text(&["targetdatabase"]).map(str::to_string),
    })
}

/// Reads an admin audit record.
pub fn audit(record: &Record, origin: Origin, clock: &Clock) -> Result<AuditRun, At> {
    Ok(AuditRun {
        origin,
        run_date: required_time(record, &["rundate"], clock)?,
        cmdlet: text(record, &["cmdletname"]),
        mailbox: names_of(["objectmodified", "mailbox"].iter().filter_map(|n| record.text(&[n]))),
        succeeded: !record.text(&["succeeded"]).is_some_and(|s| s.eq_ignore_ascii_case("false")),
    })
}

/// Reads a message tracking record.
pub fn message(record: &Record, origin: Origin, clock: &Clock) -> Result<Message, At> {
    let recipients_field = record.get(&["recipients", "recipientaddress"]);
    if let Some(f) = recipients_field
        && f.value.starts_with("System.")
        && f.value.ends_with("[]")
    {
        return Err(at(
            f,
            format!(
                "the recipients read `{}`: Export-Csv wrote the list's type, not its addresses; \
                 export with @{{n='Recipients';e={{$_.Recipients -join ';'}}}} in the Select-Object",
                f.value
            ),
        ));
    }
    let sender = text(record, &["sender", "senderaddress"]);
    let mut mailbox = names_of(record.text(&["mailbox"]));
    mailbox.extend(names_of([sender.as_str()]));
    Ok(Message {
        origin,
        time: required_time(record, &["timestamp", "datetime"], clock)?,
        event_id: text(record, &["eventid"]).to_ascii_uppercase(),
        source: text(record, &["source"]),
        recipients: recipients_field.map(|f| list(&f.value)).unwrap_or_default(),
        subject: text(record, &["messagesubject", "subject"]),
        sender,
        mailbox,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_blanks_name_no_mailbox() {
        assert_eq!(
            names_of(["<objectId>", "", "None", " Pat Doe ", "{957CA0A9}"]),
            ["Pat Doe", "957CA0A9"]
        );
        assert_eq!(list("{IMCEAMOBILE-+2B1@x.com, b@y}"), ["IMCEAMOBILE-+2B1@x.com", "b@y"]);
        assert_eq!(list("a@x;b@y"), ["a@x", "b@y"]);
    }
}
