//! `Format-Table` output: aligned columns under a line of dashes, and the
//! same table flattened onto one line (a paste that lost its line breaks).
//!
//! PowerShell underlines each column label with as many dashes as the label
//! has characters: over a left-aligned column the dashes start where its
//! values start, over a right-aligned (numeric) column they end where its
//! values end. So a value belongs to the column whose dashes it overlaps; a
//! word that overlaps none continues the value before it (a date and its
//! time, a subject longer than its label). A blank cell overlaps nothing.
//!
//! A flattened table keeps only the order of the words. Its rows are found
//! by what each column can hold (a counter is digits, a time is a time, a
//! subject is anything), with every column but the times allowed to be
//! blank.

use super::raw::{Field, Format, RawBlock, Record, fold};
use regex::Regex;

/// True for a line of dash runs separated by spaces, as under FT labels.
pub fn is_dash_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.split_whitespace().all(|w| w.bytes().all(|b| b == b'-'))
}

/// The words of a line with their character columns (0-based start, end).
fn words(line: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut byte_start = 0;
    let mut col = 0;
    for (i, (b, c)) in line.char_indices().enumerate() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, i, &line[byte_start..b]));
            }
        } else if start.is_none() {
            start = Some(i);
            byte_start = b;
        }
        col = i + 1;
    }
    if let Some(s) = start {
        out.push((s, col, &line[byte_start..]));
    }
    out
}

/// True for a PowerShell prompt line (`PS C:\>`, `[PS] C:\>`).
pub fn is_prompt(line: &str) -> bool {
    let t = line.trim_start();
    let t = t.strip_prefix("[PS]").unwrap_or(t).trim_start();
    let t = t.strip_prefix("PS ").unwrap_or(t);
    let b = t.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' && t.contains('>')
}

/// Reads the table whose header is `lines[at]` and dashes `lines[at + 1]`;
/// returns it and the index of the first line after it. Rows run to the
/// first blank line.
pub fn aligned(lines: &[&str], at: usize, command: Option<String>) -> (RawBlock, usize) {
    let header = lines[at];
    let spans: Vec<(usize, usize)> = words(lines[at + 1]).iter().map(|w| (w.0, w.1)).collect();
    let header_chars: Vec<char> = header.chars().collect();
    let names: Vec<String> = spans
        .iter()
        .map(|&(s, e)| {
            let label: String = header_chars
                .get(s.min(header_chars.len())..e.min(header_chars.len()))
                .unwrap_or(&[])
                .iter()
                .collect();
            fold(&label)
        })
        .collect();
    let mut records = Vec::new();
    let mut i = at + 2;
    // Rows run to a blank line, or to a prompt when a paste lost its blank lines.
    while i < lines.len()
        && !lines[i].trim().is_empty()
        && !is_dash_line(lines[i])
        && !is_prompt(lines[i])
    {
        records.push(row(lines[i], i as u64 + 1, &spans, &names));
        i += 1;
    }
    (RawBlock { line: at as u64 + 1, format: Format::Table, command, records }, i)
}

fn row(line: &str, line_no: u64, spans: &[(usize, usize)], names: &[String]) -> Record {
    let ws = words(line);
    let overlap = |s: usize, e: usize| spans.iter().position(|&(a, b)| s < b && e > a);
    let mut owner: Vec<Option<usize>> = ws.iter().map(|w| overlap(w.0, w.1)).collect();
    // A word that overlaps no dashes joins its neighbour one space away:
    // the one before first, else the one after; else the nearest column.
    for k in 0..ws.len() {
        if owner[k].is_some() {
            continue;
        }
        let before = k.checked_sub(1).filter(|&j| ws[j].1 + 1 == ws[k].0).and_then(|j| owner[j]);
        let after =
            (k + 1 < ws.len() && ws[k].1 + 1 == ws[k + 1].0).then(|| owner[k + 1]).flatten();
        owner[k] = before.or(after).or_else(|| {
            spans
                .iter()
                .enumerate()
                .min_by_key(
                    |&(_, &(a, b))| {
                        if ws[k].0 >= b { ws[k].0 - b } else { a.saturating_sub(ws[k].1) }
                    },
                )
                .map(|(c, _)| c)
        });
    }
    let mut fields: Vec<Field> = names
        .iter()
        .zip(spans)
        .map(|(n, &(s, _))| Field {
            name: n.clone(),
            value: String::new(),
            line: line_no,
            column: s as u64 + 1,
        })
        .collect();
    let mut first = vec![true; fields.len()];
    for (w, o) in ws.iter().zip(owner) {
        let Some(c) = o else { continue };
        let f = &mut fields[c];
        if first[c] {
            f.column = w.0 as u64 + 1;
            first[c] = false;
        } else {
            f.value.push(' ');
        }
        f.value.push_str(w.2);
    }
    Record { line: line_no, fields }
}

/// A time as tickets print it, for finding rows in a flattened table.
const TIME: &str = r"(?:\d{1,4}[/-]\d{1,2}[/-]\d{1,4}[ T-]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)";

/// A column of free text (a subject).
const FREE_TEXT: &str = r".*?";

/// What a column of this folded name can hold, and whether every row has it.
fn pattern(name: &str) -> (&'static str, bool) {
    match name {
        "counter" | "totalbytes" | "recipientcount" | "internalmessageid" => (r"\d+", false),
        "itemtype" => (r"MAPI_[A-Z_]+", false),
        "eventname" => (r"[A-Za-z]+", false),
        "objectclass" => (r"IPM[\w.]*", false),
        "createtime" | "timestamp" | "rundate" | "datetime" | "createdtime" => (TIME, true),
        "eventid" => (r"[A-Z][A-Z_]*", false),
        "source" => (r"[A-Z][A-Z_]*", false),
        "sender" | "senderaddress" | "returnpath" => (r"<[^>\s]*>|\S+@\S+", false),
        "recipients" | "recipientaddress" => (r"\{[^}]*\}|\S+@\S+", false),
        "messagesubject" | "subject" => (FREE_TEXT, false),
        _ => (r"\S+", false),
    }
}

/// Reads a table flattened onto one line: labels, as many dash runs of the
/// same lengths, then the rows' words. `None` when the line holds no such
/// table. `Err` carries the 1-based column of a word no row can start with.
pub fn flattened(line: &str, line_no: u64) -> Option<Result<RawBlock, (u64, String)>> {
    let ws = words(line);
    let is_dashes = |w: &str| w.bytes().all(|b| b == b'-');
    let first_dash = ws.iter().position(|w| is_dashes(w.2))?;
    let n = ws[first_dash..].iter().take_while(|w| is_dashes(w.2)).count();
    if n < 2 || first_dash < n {
        return None;
    }
    let labels = &ws[first_dash - n..first_dash];
    if labels
        .iter()
        .zip(&ws[first_dash..first_dash + n])
        .any(|(l, d)| l.2.chars().count() != d.2.len())
    {
        return None;
    }
    let names: Vec<String> = labels.iter().map(|l| fold(l.2)).collect();
    if !names.iter().any(|n| pattern(n).1) {
        return None;
    }
    let prefix: Vec<&str> = ws[..first_dash - n].iter().map(|w| w.2).collect();
    let command = (!prefix.is_empty()).then(|| prefix.join(" "));
    let mut re = String::from("^");
    for (i, name) in names.iter().enumerate() {
        let (pat, required) = pattern(name);
        let sep = if i == 0 { "" } else { r"\s+" };
        if required {
            re.push_str(&format!("{sep}(?P<c{i}>{pat})"));
        } else {
            // Free text prefers to be blank, so that a blank subject never
            // takes in the next row's words up to its time.
            let lazy = if pat == FREE_TEXT { "??" } else { "?" };
            re.push_str(&format!("(?:{sep}(?P<c{i}>{pat})){lazy}"));
        }
    }
    re.push_str(r"(?:\s|$)");
    let Ok(re) = Regex::new(&re) else { return None };
    // Columns are counted from the last place counted: a long flattened line
    // is read in one pass.
    let mut counted = (0usize, 0usize);
    let mut chars_before = |byte: usize| {
        if byte < counted.0 {
            counted = (0, 0);
        }
        counted.1 += line[counted.0..byte].chars().count();
        counted.0 = byte;
        counted.1
    };
    let body_start = ws.get(first_dash + n).map(|w| w.0);
    let mut records = Vec::new();
    if let Some(start_char) = body_start {
        let mut at = line.char_indices().nth(start_char).map_or(line.len(), |(b, _)| b);
        while at < line.len() {
            let rest = &line[at..];
            let skip = rest.len() - rest.trim_start().len();
            at += skip;
            if at >= line.len() {
                break;
            }
            let Some(caps) = re.captures(&line[at..]) else {
                let col = chars_before(at) as u64 + 1;
                let want: Vec<&str> = labels.iter().map(|l| l.2).collect();
                return Some(Err((
                    col,
                    format!("a row of the table's columns ({})", want.join(", ")),
                )));
            };
            let whole = caps.get(0).map_or(0, |m| m.end());
            if whole == 0 {
                break;
            }
            let record_column = chars_before(at);
            let fields = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let m = caps.name(&format!("c{i}"));
                    Field {
                        name: name.clone(),
                        value: m.map_or(String::new(), |m| m.as_str().trim().to_string()),
                        line: line_no,
                        column: (record_column
                            + m.map_or(0, |m| line[at..at + m.start()].chars().count()))
                            as u64
                            + 1,
                    }
                })
                .collect();
            records.push(Record { line: line_no, fields });
            at += whole;
        }
    }
    Some(Ok(RawBlock { line: line_no, format: Format::Table, command, records }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(r: &Record) -> Vec<(&str, &str)> {
        r.fields.iter().map(|f| (f.name.as_str(), f.value.as_str())).collect()
    }

    #[test]
    fn reads_aligned_columns_with_blank_cells_and_right_aligned_numbers() {
        let text = [
            "  Counter ItemType   EventName          ObjectClass Mailbox CreateTime",
            "  ------- --------   ---------          ----------- ------- ----------",
            "974015558 MAPI_STORE MailboxMoveStarted                     1/25/2016 21:32:01",
            "974683553 MAPI_STORE MailboxMoveStarted IPM.Note    Pat Doe 1/26/2016 9:41:10 PM",
            "",
            "after",
        ]
        .join("\n");
        let lines: Vec<&str> = text.lines().collect();
        let (block, next) = aligned(&lines, 0, None);
        assert_eq!(next, 4);
        assert_eq!(block.records.len(), 2);
        assert_eq!(
            cells(&block.records[0]),
            [
                ("counter", "974015558"),
                ("itemtype", "MAPI_STORE"),
                ("eventname", "MailboxMoveStarted"),
                ("objectclass", ""),
                ("mailbox", ""),
                ("createtime", "1/25/2016 21:32:01")
            ]
        );
        assert_eq!(
            cells(&block.records[1])[3..],
            [
                ("objectclass", "IPM.Note"),
                ("mailbox", "Pat Doe"),
                ("createtime", "1/26/2016 9:41:10 PM")
            ]
        );
        assert_eq!(block.records[1].fields[5].column, 61);
    }

    #[test]
    fn reads_a_flattened_table() {
        let line = "$e | FT Counter,EventName,Mailbox,CreateTime Counter EventName Mailbox CreateTime \
                    ------- --------- ------- ---------- 5 MailboxMoveStarted 1/25/2016 21:32:01 \
                    6 MailboxMoveStarted 1/26/2016 9:41:10 PM";
        let block = flattened(line, 3).unwrap().unwrap();
        assert_eq!(block.command.as_deref(), Some("$e | FT Counter,EventName,Mailbox,CreateTime"));
        assert_eq!(block.records.len(), 2);
        assert_eq!(
            cells(&block.records[1]),
            [
                ("counter", "6"),
                ("eventname", "MailboxMoveStarted"),
                ("mailbox", ""),
                ("createtime", "1/26/2016 9:41:10 PM")
            ]
        );
    }

    #[test]
    fn a_flattened_row_that_fits_no_column_is_an_error_at_its_word() {
        let line = "Counter CreateTime ------- ---------- 5 1/25/2016 21:32:01 oops";
        let (col, want) = flattened(line, 1).unwrap().unwrap_err();
        assert_eq!(col, 60);
        assert!(want.contains("Counter, CreateTime"), "{want}");
        assert!(flattened("no table here -- at all", 1).is_none());
    }
}

#[cfg(test)]
mod flattened_rows {
    use super::*;

    #[test]
    fn a_blank_subject_never_takes_in_the_next_row() {
        let line = "EventId Source Recipients MessageSubject Timestamp ------- ------ ---------- -------------- --------- \
                    RECEIVE STOREDRIVER {IMCEAMOBILE-+2B1@x.com} 12/17/2015 13:18:34 \
                    SEND AGENT {IMCEAMOBILE-+2B1@x.com} 12/17/2015 13:18:35 \
                    SEND AGENT {IMCEAMOBILE-+2B1@x.com} Standup 1:1 12/17/2015 16:15:00";
        let block = flattened(line, 1).unwrap().unwrap();
        let rows: Vec<(String, String)> = block
            .records
            .iter()
            .map(|r| {
                (
                    r.text(&["messagesubject"]).unwrap_or("").to_string(),
                    r.text(&["timestamp"]).unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("".to_string(), "12/17/2015 13:18:34".to_string()),
                ("".to_string(), "12/17/2015 13:18:35".to_string()),
                ("Standup 1:1".to_string(), "12/17/2015 16:15:00".to_string()),
            ]
        );
    }
}
