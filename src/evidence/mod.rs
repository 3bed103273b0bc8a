//! Reading a support ticket's evidence: the PowerShell output and exported
//! logs that `cnasim diagnose` and `cnasim import` take.
//!
//! Each file is text (UTF-8, or UTF-16 with its byte order mark as Windows
//! PowerShell's `Out-File` writes it) that may hold several blocks pasted
//! one after the other, with prose between them. Each block is recognised by
//! its content, never by the file's name:
//!
//! - `Format-Table` output ([`table`]), aligned or flattened onto one line;
//! - `Format-List` output ([`list`]), aligned or flattened;
//! - `Export-Csv` output, cnasim's own CSV files and raw message tracking
//!   logs ([`delimited`]);
//! - the assistant's trace lines ([`trace`]);
//! - the database event watermark line.
//!
//! A block's kind (database events, move statistics, audit, message
//! tracking, trace) then comes from its column names ([`facts::kind_of`]).
//! Anything that cannot be read is an error naming the file, line and
//! column and what was expected; prose and tables of other kinds are passed
//! over, with a note for the tables.

pub mod clock;
pub mod delimited;
pub mod facts;
pub mod list;
pub mod raw;
pub mod table;
pub mod trace;

use crate::scenario::ScenarioError;
use crate::time::SimTime;
use clock::Clock;
use facts::{AuditRun, BlockInfo, DbEvent, Kind, Message, MoveStats, Origin, TraceRow, Watermark};
use raw::{Format, RawBlock, fold};
use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The largest evidence file read: tickets are kilobytes to megabytes.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The most lines of a file read: a ticket runs to thousands, a day's
/// message tracking log of a busy server to a few hundred thousand. A row
/// costs a few hundred bytes however short its line, so this bounds the
/// memory a file of short lines can take.
pub const MAX_LINES: usize = 2_000_000;

/// The most rows of a table, or `Name : Value` pairs of a list, flattened
/// onto one line: a web form's paste of a ticket holds tens.
pub const MAX_FLATTENED: usize = 100_000;

/// How the error for a file without evidence starts.
const NO_EVIDENCE: &str = "no evidence block cnasim can read";

/// How to read the evidence.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The zone of times printed without one.
    pub clock: Clock,
    /// For cnasim's own output files: the policy whose rows to read.
    pub policy: Option<String>,
}

/// Everything read from the evidence files.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// The zone zone-less times were read in, for local days and times of
    /// day.
    pub clock: Clock,
    /// The files, as named.
    pub files: Vec<String>,
    /// The blocks recognised, in file order.
    pub blocks: Vec<BlockInfo>,
    /// Database events.
    pub events: Vec<DbEvent>,
    /// Move request statistics.
    pub moves: Vec<MoveStats>,
    /// Admin audit runs.
    pub audit: Vec<AuditRun>,
    /// Tracked messages.
    pub messages: Vec<Message>,
    /// Trace entries.
    pub trace: Vec<TraceRow>,
    /// Event watermarks.
    pub watermarks: Vec<Watermark>,
    /// The times message tracking was searched over, as the commands above
    /// the blocks state them (`Get-MessageTrackingLog -Start ... -End ...`):
    /// no SMS in them is evidence of none sent.
    pub tracking_searched: Vec<(SimTime, SimTime, Origin)>,
    /// What was passed over, for the user to know.
    pub notes: Vec<String>,
}

/// Reads every file; reports every file that cannot be read. A folder
/// (cnasim's own output folder, a folder of logs) stands for the files in
/// it, in name order, hidden ones left out; of those, a file holding no
/// evidence is passed over with a note. In cnasim's own output folder (it
/// holds the marker file), the Exchange-format logs of `run --log-format
/// exchange` are passed over with a note too: they repeat the rows of
/// message_tracking.csv and admin_audit.csv, one file per policy with no
/// policy column, so reading them would mix the policies; named as files,
/// they are read.
pub fn read(paths: &[PathBuf], options: &ReadOptions) -> Result<Evidence, Vec<ScenarioError>> {
    let mut evidence = Evidence { clock: options.clock, ..Evidence::default() };
    let mut errors = Vec::new();
    for path in paths {
        let (files, in_folder) = if path.is_dir() {
            match folder_files(path, &mut evidence.notes) {
                Ok(files) => (files, true),
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            }
        } else {
            (vec![path.clone()], false)
        };
        let folder_before = evidence.blocks.len();
        for file in files {
            let name = file.display().to_string();
            let before = evidence.blocks.len();
            match load(&file).and_then(|text| read_text(&name, &text, options, &mut evidence)) {
                Ok(()) => evidence.files.push(name),
                Err(e)
                    if in_folder
                        && evidence.blocks.len() == before
                        && e.message.starts_with(NO_EVIDENCE) =>
                {
                    evidence.notes.push(format!("{name}: passed over: no evidence in it"));
                }
                Err(e) => errors.push(e),
            }
        }
        if in_folder && errors.is_empty() && evidence.blocks.len() == folder_before {
            errors.push(ScenarioError::file(
                &path.display().to_string(),
                format!("{NO_EVIDENCE} in this folder's .csv, .log and .txt files"),
            ));
        }
    }
    if errors.is_empty() { Ok(evidence) } else { Err(errors) }
}

fn folder_files(dir: &Path, notes: &mut Vec<String>) -> Result<Vec<PathBuf>, ScenarioError> {
    let name = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| {
        ScenarioError::file(&name, format!("cannot list it: {}", crate::console::os_reason(&e)))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| {
                ["csv", "log", "txt"].contains(&x.to_string_lossy().to_lowercase().as_str())
            })
        })
        .collect();
    files.sort();
    if crate::output::folder::has_marker(dir) {
        files.retain(|f| {
            let copy = f
                .file_name()
                .is_some_and(|n| crate::output::exchange_logs::is_file_name(&n.to_string_lossy()));
            if copy {
                notes.push(format!(
                    "{}: passed over: an Exchange-format copy of a policy's rows of cnasim's own \
                     CSV files (name it to read it)",
                    f.display()
                ));
            }
            !copy
        });
    }
    Ok(files)
}

/// Reads a file as text, refusing what is too large or not text.
fn load(path: &Path) -> Result<String, ScenarioError> {
    let name = path.display().to_string();
    let file_error = |m: String| ScenarioError::file(&name, m);
    let meta = std::fs::metadata(path)
        .map_err(|e| file_error(format!("cannot read it: {}", crate::console::os_reason(&e))))?;
    if meta.is_dir() {
        return Err(file_error("is a folder: name the evidence files themselves".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(file_error(format!(
            "is {} bytes; evidence files are read up to {MAX_FILE_BYTES} bytes",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| file_error(format!("cannot read it: {}", crate::console::os_reason(&e))))?;
    decode(&name, &bytes)
}

/// UTF-8 (with or without its byte order mark) or UTF-16 with one.
pub fn decode(name: &str, bytes: &[u8]) -> Result<String, ScenarioError> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        utf8(name, rest)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(name, rest, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(name, rest, u16::from_be_bytes)?
    } else {
        utf8(name, bytes)?
    };
    if let Some((i, c)) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'))
    {
        let (line, column) = line_column(&text, i);
        return Err(ScenarioError::at_line_column(
            name,
            &text,
            line,
            column,
            format!("holds the control character {}: expected text", c.escape_default()),
        ));
    }
    Ok(text)
}

fn utf8(name: &str, bytes: &[u8]) -> Result<String, ScenarioError> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let good = &bytes[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let column = good.iter().rev().take_while(|&&b| b != b'\n').count() as u64 + 1;
        ScenarioError {
            path: name.into(),
            line,
            column,
            message: format!(
                "byte 0x{:02X} is not UTF-8 text: expected a text file (UTF-8, or UTF-16 with its byte order mark)",
                bytes[good.len()]
            ),
            snippet: None,
        }
    })
}

fn utf16(name: &str, bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, ScenarioError> {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]])).collect();
    String::from_utf16(&units).map_err(|_| {
        ScenarioError::file(name, "is not valid UTF-16 text despite its byte order mark")
    })
}

fn line_column(text: &str, byte: usize) -> (u64, u64) {
    let before = &text[..byte];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, column)
}

static PROMPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\[PS\]\s*)?(?:PS\s+)?[A-Za-z]:\\[^>]*>\s?(.*)$")
        .unwrap_or_else(|_| unreachable!())
});
static COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\$\w+(?:\[\d+\])?\s*\||(?:Get|Search|Set|New|Export)-\w+)")
        .unwrap_or_else(|_| unreachable!())
});
static WATERMARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\S+)\s+CalendarNotificationAssistant\s+(\d+)\s+(\d+)\s+(\d+)\s*$")
        .unwrap_or_else(|_| unreachable!())
});
static SEARCH_BOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"-(Start|End)\s+(?:"([^"]*)"|'([^']*)'|(\S+))"#).unwrap_or_else(|_| unreachable!())
});
static MOVE_IDENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"Get-MoveRequestStatistics\s+(?:-Identity\s+)?['"]?([^\s|'"]+)"#)
        .unwrap_or_else(|_| unreachable!())
});

/// Column names that make a comma-separated line a header cnasim reads.
const KNOWN_COLUMNS: [&str; 16] = [
    "counter",
    "eventname",
    "createtime",
    "eventid",
    "timestamp",
    "datetime",
    "recipients",
    "recipientaddress",
    "messagesubject",
    "cmdletname",
    "rundate",
    "objectmodified",
    "policy",
    "component",
    "message",
    "itemtype",
];

/// True for a CSV header cnasim reads: property names only, separated by
/// commas (or semicolons), two of them names cnasim uses.
fn csv_header(line: &str) -> bool {
    if !line.contains([',', ';']) {
        return false;
    }
    let Some(fields) = delimited::split(line) else { return false };
    let name_like = |f: &String| {
        let f = f.trim();
        f.len() <= 64
            && f.starts_with(|c: char| c.is_ascii_alphabetic())
            && f.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    if !fields.iter().all(name_like) {
        return false;
    }
    fields.iter().filter(|f| KNOWN_COLUMNS.contains(&fold(f).as_str())).count() >= 2
}

/// Reads one file's text into `evidence`.
pub fn read_text(
    name: &str,
    text: &str,
    options: &ReadOptions,
    evidence: &mut Evidence,
) -> Result<(), ScenarioError> {
    evidence.clock = options.clock;
    let err = |line: u64, column: u64, message: String| {
        ScenarioError::at_line_column(name, text, line, column, message)
    };
    let lines: Vec<&str> = text.lines().take(MAX_LINES + 1).collect();
    if lines.len() > MAX_LINES {
        return Err(err(
            MAX_LINES as u64 + 1,
            1,
            format!(
                "the file goes on past line {MAX_LINES}; evidence files are read up to \
                 {MAX_LINES} lines: split it"
            ),
        ));
    }
    let before = evidence.blocks.len();
    let mut command: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        let line_no = i as u64 + 1;
        if t.is_empty() {
            i += 1;
            continue;
        }
        let block = if t.starts_with("#Software:")
            || t.starts_with("#Fields:")
            || t.starts_with("#Log-type:")
        {
            let (block, next) = delimited::msgtrk(&lines, i).map_err(|(l, m)| err(l, 1, m))?;
            i = next;
            Some(block)
        } else if t.starts_with("#TYPE ") || csv_header(t) {
            let at = if t.starts_with("#TYPE ") { i + 1 } else { i };
            let read = if at < lines.len() {
                delimited::export(&lines, at, command.take()).map_err(|(l, m)| err(l, 1, m))?
            } else {
                None
            };
            let Some((block, next)) = read else {
                return Err(err(
                    at as u64 + 1,
                    1,
                    "an Export-Csv header line after `#TYPE`".into(),
                ));
            };
            i = next;
            Some(block)
        } else if i + 1 < lines.len()
            && table::is_dash_line(lines[i + 1])
            && !table::is_dash_line(line)
        {
            let (block, next) = table::aligned(&lines, i, command.take());
            i = next;
            Some(block)
        } else if trace::is_trace(t) {
            let entries =
                trace::entries(line, &options.clock).map_err(|(c, m)| err(line_no, c, m))?;
            let origin = Origin { file: name.into(), line: line_no };
            let count = entries.len();
            evidence.trace.extend(entries.into_iter().map(|(time, entry)| TraceRow {
                origin: origin.clone(),
                time,
                entry,
            }));
            // Consecutive trace lines make one block in the report.
            let continues = evidence.blocks.len() > before
                && evidence.blocks.last().is_some_and(|b| {
                    b.kind == Kind::AssistantTrace
                        && b.origin.file == name
                        && b.format == Format::Trace
                });
            if continues && i > 0 && trace::is_trace(lines[i - 1].trim()) {
                if let Some(b) = evidence.blocks.last_mut() {
                    b.records += count;
                }
            } else {
                evidence.blocks.push(BlockInfo {
                    origin,
                    kind: Kind::AssistantTrace,
                    format: Format::Trace,
                    records: count,
                });
            }
            command = None;
            i += 1;
            None
        } else if let Some(c) = WATERMARK.captures(t) {
            let number = |k: usize| c[k].parse::<u64>().unwrap_or(u64::MAX);
            let origin = Origin { file: name.into(), line: line_no };
            evidence.watermarks.push(Watermark {
                origin: origin.clone(),
                database: c[1].to_string(),
                watermark: number(2),
                last: number(3),
                backlog: number(4),
            });
            evidence.blocks.push(BlockInfo {
                origin,
                kind: Kind::Watermark,
                format: Format::Line,
                records: 1,
            });
            i += 1;
            None
        } else if let Some(flat) = table::flattened(line, line_no) {
            i += 1;
            Some(flat.map_err(|(c, m)| {
                err(
                    line_no,
                    c,
                    format!("cannot read the table flattened onto this line here: expected {m}"),
                )
            })?)
        } else if let Some(flat) = list::flattened(line, line_no)
            .filter(|b| b.as_ref().map_or(true, |b| facts::kind_of(b).is_some()))
        {
            i += 1;
            Some(flat.map_err(|(c, m)| err(line_no, c, m))?)
        } else if list::starts_list(&lines, i) {
            let (block, next) = list::aligned(&lines, i, command.take());
            i = next;
            Some(block)
        } else {
            // Commands since the last block describe the next one (`$t =
            // Get-MessageTrackingLog -Start ...`, then `$t | FT ...`).
            let stripped = PROMPT.captures(line).and_then(|c| c.get(1)).map(|m| m.as_str().trim());
            let new = match stripped {
                Some(c) if !c.is_empty() => Some(c),
                _ if COMMAND.is_match(line) => Some(t),
                _ => None,
            };
            if let Some(new) = new {
                command = Some(match command.take() {
                    Some(before) if before.len() < 64 * 1024 => format!("{before}\n{new}"),
                    _ => new.to_string(),
                });
            }
            i += 1;
            None
        };
        if let Some(block) = block {
            take(name, text, block, options, evidence)?;
        }
    }
    if evidence.blocks.len() == before {
        return Err(err(
            1,
            1,
            format!(
                "{NO_EVIDENCE}: expected database events, Get-MoveRequestStatistics, \
                 Search-AdminAuditLog or message tracking output (Format-Table, Format-List or \
                 Export-Csv), a message tracking log, or assistant trace lines"
            ),
        ));
    }
    Ok(())
}

/// Turns one block into facts.
fn take(
    name: &str,
    text: &str,
    block: RawBlock,
    options: &ReadOptions,
    evidence: &mut Evidence,
) -> Result<(), ScenarioError> {
    let err = |(line, column, message): facts::At| {
        ScenarioError::at_line_column(name, text, line, column, message)
    };
    let Some(kind) = facts::kind_of(&block) else {
        if matches!(block.format, Format::Table | Format::Csv | Format::Msgtrk)
            && !block.records.is_empty()
        {
            let columns: Vec<&str> = block.columns.iter().map(|c| &**c).collect();
            evidence.notes.push(format!(
                "{name}:{}: passed over a table of columns cnasim does not use ({})",
                block.line,
                columns.join(", ")
            ));
        }
        return Ok(());
    };
    if block.format == Format::Table
        && let Some(f) = block
            .records
            .iter()
            .flat_map(|r| &r.fields)
            .find(|f| f.value.ends_with("...") || f.value.ends_with('\u{2026}'))
    {
        return Err(err((
            f.line,
            f.column,
            format!(
                "`{}` was cut short by Format-Table: run the command again with -AutoSize, \
                 or export it with Export-Csv",
                f.value
            ),
        )));
    }
    let identity =
        block.command.as_deref().and_then(|c| MOVE_IDENTITY.captures(c)).map(|c| c[1].to_string());
    if kind == Kind::MessageTracking
        && let Some(command) = &block.command
    {
        searched(name, block.line, command, options, evidence);
    }
    let (line, format) = (block.line, block.format);
    let records = policy_rows(name, text, block, options)?;
    for record in &records {
        let origin = Origin { file: name.into(), line: record.line };
        match kind {
            Kind::DatabaseEvents => {
                evidence.events.push(facts::db_event(record, origin, &options.clock).map_err(err)?)
            }
            Kind::MoveStatistics => evidence.moves.push(
                facts::move_stats(record, origin, &options.clock, identity.as_deref())
                    .map_err(err)?,
            ),
            Kind::AdminAudit => {
                evidence.audit.push(facts::audit(record, origin, &options.clock).map_err(err)?)
            }
            Kind::MessageTracking => {
                evidence.messages.push(facts::message(record, origin, &options.clock).map_err(err)?)
            }
            Kind::AssistantTrace => {
                let stamp = record
                    .get(&["timestamp"])
                    .ok_or_else(|| err((record.line, 1, "a timestamp".into())))?;
                let time = options
                    .clock
                    .parse(&stamp.value)
                    .map_err(|m| err((stamp.line, stamp.column, m)))?;
                let message = record.text(&["message"]).unwrap_or("");
                if let Some(entry) =
                    trace::entry(message, &options.clock).map_err(|m| err((record.line, 1, m)))?
                {
                    evidence.trace.push(TraceRow { origin, time, entry });
                }
            }
            Kind::Watermark => {}
        }
    }
    evidence.blocks.push(BlockInfo {
        origin: Origin { file: name.into(), line },
        kind,
        format,
        records: records.len(),
    });
    Ok(())
}

/// Notes the range a `Get-MessageTrackingLog -Start ... -End ...` command
/// searched.
fn searched(name: &str, line: u64, command: &str, options: &ReadOptions, evidence: &mut Evidence) {
    let mut bounds = (None, None);
    for c in SEARCH_BOUND.captures_iter(command) {
        let value = c.get(2).or(c.get(3)).or(c.get(4)).map_or("", |m| m.as_str());
        // A bound cnasim cannot read (`(Get-Date).AddDays(-7)`, `$start`)
        // only loses the range: a note, not an error.
        let Ok(at) = options.clock.parse(value) else {
            evidence.notes.push(format!(
                "{name}:{line}: the message tracking search's -{} `{value}` is not a time cnasim \
                 can read; only the rows found say what message tracking covers",
                &c[1]
            ));
            return;
        };
        if &c[1] == "Start" {
            bounds.0 = Some(at);
        } else {
            bounds.1 = Some(at);
        }
    }
    if let (Some(from), Some(to)) = bounds
        && from < to
    {
        evidence.tracking_searched.push((from, to, Origin { file: name.into(), line }));
    }
}

/// The block's records of the chosen policy, for cnasim's own files that
/// hold several. The records are moved, not copied: a block can hold a
/// log of hundreds of thousands of rows.
fn policy_rows(
    name: &str,
    text: &str,
    block: RawBlock,
    options: &ReadOptions,
) -> Result<Vec<raw::Record>, ScenarioError> {
    let policy_of = |r: &raw::Record| r.text(&["policy"]).map(str::to_string);
    let mut policies: Vec<String> = block.records.iter().filter_map(policy_of).collect();
    policies.sort();
    policies.dedup();
    match &options.policy {
        Some(p) if !policies.is_empty() => {
            if !policies.contains(p) {
                return Err(ScenarioError::at_line_column(
                    name,
                    text,
                    block.line,
                    1,
                    format!("holds no rows of policy `{p}`; it holds {}", policies.join(", ")),
                ));
            }
            Ok(block.records.into_iter().filter(|r| policy_of(r).as_ref() == Some(p)).collect())
        }
        None if policies.len() > 1 => Err(ScenarioError::at_line_column(
            name,
            text,
            block.line,
            1,
            format!(
                "holds the rows of {} policies ({}): choose one with --policy, e.g. --policy {}",
                policies.len(),
                policies.join(", "),
                policies[0]
            ),
        )),
        _ => Ok(block.records),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf16_as_windows_powershell_writes_it() {
        let text = "Counter CreateTime\r\n------- ----------\r\n      5 1/25/2016 21:32:01\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode("t.txt", &bytes).unwrap(), text);
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode("t.txt", &be).unwrap(), text);
    }

    #[test]
    fn refuses_bytes_that_are_not_text_at_their_place() {
        let e = decode("t.txt", b"ok line\nbad \xFF here").unwrap_err();
        assert_eq!((e.line, e.column), (2, 5));
        assert!(e.message.contains("0xFF"), "{}", e.message);
        let e = decode("t.txt", b"a\x00b").unwrap_err();
        assert!(e.message.contains("control character"), "{}", e.message);
    }

    #[test]
    fn reads_semicolon_separated_exports() {
        let text = "#TYPE Microsoft.Exchange.Management.Powershell.Support.DatabaseEvent\r\n\
                    \"Counter\";\"EventName\";\"CreateTime\"\r\n\
                    \"974015558\";\"MailboxMoveStarted\";\"25.01.2016 21:32:01\"\r\n";
        let mut ev = Evidence::default();
        read_text("e.csv", text, &ReadOptions::default(), &mut ev).unwrap();
        assert_eq!(ev.events.len(), 1);
        assert_eq!(ev.events[0].counter, Some(974_015_558));
    }

    #[test]
    fn a_file_of_cnasims_own_rows_needs_a_policy_when_it_holds_several() {
        let text = "policy,timestamp,event_id,source,sender,recipients,message_subject\n\
                    legacy,2016-01-24T16:15:00.000Z,SEND,AGENT,a@x.com,IMCEAMOBILE-+2B1@x.com,S\n\
                    fixed,2016-01-24T16:15:00.000Z,SEND,AGENT,a@x.com,IMCEAMOBILE-+2B1@x.com,S\n";
        let mut ev = Evidence::default();
        let e = read_text("m.csv", text, &ReadOptions::default(), &mut ev).unwrap_err();
        assert!(e.message.contains("--policy"), "{}", e.message);
        let options = ReadOptions { policy: Some("fixed".into()), ..ReadOptions::default() };
        read_text("m.csv", text, &options, &mut ev).unwrap();
        assert_eq!(ev.messages.len(), 1);
    }
}
