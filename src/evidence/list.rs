//! `Format-List` output: one `Name : Value` per line, the colons aligned,
//! long values wrapped onto indented lines, records separated by a blank
//! line; and the same flattened onto one line.

use super::raw::{Columns, Field, Format, RawBlock, Record, fold};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

static KEY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\s*)([A-Za-z][A-Za-z0-9_.\-]*)\s*:(?:\s(.*))?$")
        .unwrap_or_else(|_| unreachable!())
});
static FLAT_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z][A-Za-z0-9]* :").unwrap_or_else(|_| unreachable!()));

/// The name and value of a `Name : Value` line, with the value's 0-based
/// character column.
pub fn key_line(line: &str) -> Option<(&str, &str, usize)> {
    let caps = KEY_LINE.captures(line)?;
    let name = caps.get(2)?.as_str();
    let value = caps.get(3).map_or("", |m| m.as_str());
    let column = caps.get(3).map_or(line.chars().count(), |m| line[..m.start()].chars().count());
    Some((name, value, column))
}

/// True when `lines[at]` starts a list: a key line followed by another key
/// line or a continuation.
pub fn starts_list(lines: &[&str], at: usize) -> bool {
    key_line(lines[at]).is_some() && lines.get(at + 1).is_some_and(|l| key_line(l).is_some())
}

/// Reads the list starting at `lines[at]`; returns it and the index of the
/// first line after it.
pub fn aligned(lines: &[&str], at: usize, command: Option<String>) -> (RawBlock, usize) {
    let mut records = Vec::new();
    let mut current = Record { line: at as u64 + 1, fields: Vec::new() };
    let mut i = at;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            // A blank line ends a record; the list goes on if a key line follows.
            let next = (i + 1..lines.len()).find(|&j| !lines[j].trim().is_empty());
            if !current.fields.is_empty() {
                records.push(std::mem::take(&mut current));
            }
            match next {
                Some(j) if key_line(lines[j]).is_some() && j == i + 1 => {
                    current.line = j as u64 + 1;
                    i = j;
                    continue;
                }
                _ => break,
            }
        }
        if let Some((name, value, column)) = key_line(line)
            && !(line.starts_with(char::is_whitespace)
                && !current.fields.is_empty()
                && continuation(&current, line))
        {
            if current.fields.is_empty() {
                current.line = i as u64 + 1;
            }
            current.fields.push(Field {
                name: fold(name).into(),
                value: value.trim().to_string(),
                line: i as u64 + 1,
                column: column as u64 + 1,
            });
        } else if line.starts_with(char::is_whitespace) && !current.fields.is_empty() {
            if let Some(last) = current.fields.last_mut() {
                // Format-List wraps at spaces: the space comes back.
                if !last.value.is_empty() {
                    last.value.push(' ');
                }
                last.value.push_str(line.trim());
            }
        } else {
            break;
        }
        i += 1;
    }
    if !current.fields.is_empty() {
        records.push(current);
    }
    (
        RawBlock {
            line: at as u64 + 1,
            format: Format::List,
            command,
            columns: Vec::new(),
            records,
        },
        i,
    )
}

/// True when an indented line continues the last value rather than naming
/// a field: it starts at the value column, past where the names end.
fn continuation(record: &Record, line: &str) -> bool {
    let indent = line.chars().take_while(|c| c.is_whitespace()).count() as u64;
    record.fields.last().is_some_and(|f| indent + 1 >= f.column)
}

/// Reads a list flattened onto one line (`Name : Value Name : Value ...`);
/// a name seen twice starts a new record. `None` unless the line holds two
/// names at least. `Err` carries the 1-based column of the pair past
/// [`MAX_FLATTENED`](super::MAX_FLATTENED) and what was expected.
pub fn flattened(line: &str, line_no: u64) -> Option<Result<RawBlock, (u64, String)>> {
    // A name stands alone: after a space (or the line's start) and before
    // ` :` and a space (or the line's end).
    let keys: Vec<(usize, usize, &str)> = FLAT_KEY
        .find_iter(line)
        .filter(|m| {
            let before = line[..m.start()].chars().next_back();
            let after = line[m.end()..].chars().next();
            before.is_none_or(char::is_whitespace) && after.is_none_or(char::is_whitespace)
        })
        .map(|m| (m.start(), m.end(), &line[m.start()..m.end() - 2]))
        .take(super::MAX_FLATTENED + 1)
        .collect();
    if keys.len() < 2 {
        return None;
    }
    if let Some(past) = keys.get(super::MAX_FLATTENED) {
        return Some(Err((
            line[..past.0].chars().count() as u64 + 1,
            format!(
                "at most {} `Name : Value` pairs on one line, as a list flattened onto it",
                super::MAX_FLATTENED
            ),
        )));
    }
    let command = line[..keys[0].0].trim();
    let mut records = Vec::new();
    let mut current = Record { line: line_no, fields: Vec::new() };
    // The current record's names, for a look-up that does not grow with it.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut columns = Columns::new(line);
    for (k, &(_, value_start, name)) in keys.iter().enumerate() {
        let value_end = keys.get(k + 1).map_or(line.len(), |next| next.0);
        let folded = fold(name);
        if seen.contains(&folded) {
            records.push(std::mem::take(&mut current));
            current.line = line_no;
            seen.clear();
        }
        let value_start = value_start.min(value_end);
        current.fields.push(Field {
            name: folded.as_str().into(),
            value: line[value_start..value_end].trim().to_string(),
            line: line_no,
            column: columns.before(value_start) as u64 + 1,
        });
        seen.insert(folded);
    }
    records.push(current);
    Some(Ok(RawBlock {
        line: line_no,
        format: Format::List,
        columns: Vec::new(),
        command: (!command.is_empty()).then(|| command.to_string()),
        records,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_records_wrapped_values_and_blank_values() {
        let text = "\
RunspaceId  : c7683058-b25c-4557-818d-546cf5f178c6
ConnectorId :
EventData   : {[MailboxDatabaseGuid, 347a971c],
              [ItemEntryId, 00-00]}
Source      : STOREDRIVER

RunspaceId  : 2
Source      : AGENT


Prose";
        let lines: Vec<&str> = text.lines().collect();
        assert!(starts_list(&lines, 0));
        let (block, next) = aligned(&lines, 0, None);
        assert_eq!(next, 8);
        assert_eq!(block.records.len(), 2);
        let r = &block.records[0];
        assert_eq!(r.text(&["connectorid"]), None);
        assert_eq!(
            r.text(&["eventdata"]),
            Some("{[MailboxDatabaseGuid, 347a971c], [ItemEntryId, 00-00]}")
        );
        assert_eq!(r.text(&["source"]), Some("STOREDRIVER"));
        assert_eq!(block.records[1].line, 7);
        assert_eq!(block.records[1].text(&["source"]), Some("AGENT"));
    }

    #[test]
    fn reads_a_flattened_list_with_empty_values_and_repeated_records() {
        let line = "$x | FL ConnectorId : Source : STOREDRIVER MessageInfo : 04I: EventId : RECEIVE \
                    ConnectorId : Source : AGENT";
        let block = flattened(line, 2).unwrap().unwrap();
        assert_eq!(block.command.as_deref(), Some("$x | FL"));
        assert_eq!(block.records.len(), 2);
        assert_eq!(block.records[0].text(&["source"]), Some("STOREDRIVER"));
        assert_eq!(block.records[0].text(&["messageinfo"]), Some("04I:"));
        assert_eq!(block.records[1].text(&["source"]), Some("AGENT"));
        assert!(flattened("Note : only one", 1).is_none());
    }
}
