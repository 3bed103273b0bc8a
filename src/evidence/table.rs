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

use super::raw::{Columns, Field, Format, RawBlock, Record, fold};
use regex::Regex;
use std::rc::Rc;

/// True for a line of dash runs separated by spaces, as under FT labels.
pub fn is_dash_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.split_whitespace().all(|w| w.bytes().all(|b| b == b'-'))
}

/// The words of a line with their character columns (0-based start, end).
fn words(line: &str) -> Vec<(usize, usize, &str)> {
    word_iter(line).collect()
}

/// True for a PowerShell prompt line (`PS C:\>`, `[PS] C:\>`).
pub fn is_prompt(line: &str) -> bool {
    let t = line.trim_start();
    let t = t.strip_prefix("[PS]").unwrap_or(t).trim_start();
    let t = t.strip_prefix("PS ").unwrap_or(t);
    let b = t.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' && t.contains('>')
}

/// [`words`] one at a time, for a line that may be megabytes long.
fn word_iter(line: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut chars = line.char_indices().enumerate().peekable();
    std::iter::from_fn(move || {
        while chars.next_if(|&(_, (_, c))| c.is_whitespace()).is_some() {}
        let (start, (byte_start, _)) = chars.next()?;
        let mut end = start + 1;
        while let Some((i, _)) = chars.next_if(|&(_, (_, c))| !c.is_whitespace()) {
            end = i + 1;
        }
        let byte_end = chars.peek().map_or(line.len(), |&(_, (b, _))| b);
        Some((start, end, &line[byte_start..byte_end]))
    })
}

/// The most columns of a table flattened onto one line: a console's
/// Format-Table fits 60.
const MAX_FLAT_COLUMNS: usize = 1_000;

/// Reads the table whose header is `lines[at]` and dashes `lines[at + 1]`;
/// returns it and the index of the first line after it. Rows run to the
/// first blank line.
pub fn aligned(lines: &[&str], at: usize, command: Option<String>) -> (RawBlock, usize) {
    let header = lines[at];
    let spans: Vec<(usize, usize)> = words(lines[at + 1]).iter().map(|w| (w.0, w.1)).collect();
    let header_chars: Vec<char> = header.chars().collect();
    let names: Vec<Rc<str>> = spans
        .iter()
        .map(|&(s, e)| {
            let label: String = header_chars
                .get(s.min(header_chars.len())..e.min(header_chars.len()))
                .unwrap_or(&[])
                .iter()
                .collect();
            fold(&label).into()
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
    (RawBlock { line: at as u64 + 1, format: Format::Table, command, columns: names, records }, i)
}

/// One row: each word goes to the column whose dashes it overlaps; the
/// row's fields are its columns that got a word, in column order. The
/// spans are in order, so each word's column is a binary search.
fn row(line: &str, line_no: u64, spans: &[(usize, usize)], names: &[Rc<str>]) -> Record {
    let ws = words(line);
    // The first span ending after `s`: the only one `s..e` can overlap
    // first, and the nearest after a gap.
    let after = |s: usize| spans.partition_point(|&(_, b)| b <= s);
    let overlap =
        |s: usize, e: usize| Some(after(s)).filter(|&k| spans.get(k).is_some_and(|sp| sp.0 < e));
    let mut owner: Vec<Option<usize>> = ws.iter().map(|w| overlap(w.0, w.1)).collect();
    // A word that overlaps no dashes joins its neighbour one space away:
    // the one before first, else the one after; else the nearest column.
    for k in 0..ws.len() {
        if owner[k].is_some() {
            continue;
        }
        let before = k.checked_sub(1).filter(|&j| ws[j].1 + 1 == ws[k].0).and_then(|j| owner[j]);
        let after_word =
            (k + 1 < ws.len() && ws[k].1 + 1 == ws[k + 1].0).then(|| owner[k + 1]).flatten();
        // The nearest column: the one ending before the word or the one
        // starting after it (the one before on a tie).
        let (s, e) = (ws[k].0, ws[k].1);
        let next = after(s);
        let nearest = match (next.checked_sub(1), spans.get(next)) {
            (Some(p), Some(&(a, _))) if a.saturating_sub(e) < s - spans[p].1 => Some(next),
            (Some(p), _) => Some(p),
            (None, Some(_)) => Some(next),
            (None, None) => None,
        };
        owner[k] = before.or(after_word).or(nearest);
    }
    // Columns in order, each with its words in order (a stable sort: a
    // word that overlaps none may join a column after its neighbours).
    let mut placed: Vec<(usize, &(usize, usize, &str))> =
        ws.iter().zip(owner).filter_map(|(w, o)| o.map(|c| (c, w))).collect();
    placed.sort_by_key(|&(c, _)| c);
    let mut fields: Vec<Field> = Vec::new();
    let mut last = None;
    for (c, w) in placed {
        match fields.last_mut() {
            Some(f) if last == Some(c) => {
                f.value.push(' ');
                f.value.push_str(w.2);
            }
            _ => fields.push(Field {
                name: names[c].clone(),
                value: w.2.to_string(),
                line: line_no,
                column: w.0 as u64 + 1,
            }),
        }
        last = Some(c);
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
    let is_dashes = |w: &str| w.bytes().all(|b| b == b'-');
    // The first run of dash words, found without keeping the words: a line
    // can be megabytes of prose.
    let (mut first_dash, mut n) = (None, 0);
    for (k, w) in word_iter(line).enumerate() {
        if is_dashes(w.2) {
            first_dash.get_or_insert(k);
            n += 1;
        } else if first_dash.is_some() {
            break;
        }
    }
    let first_dash = first_dash?;
    if n < 2 || first_dash < n || n > MAX_FLAT_COLUMNS {
        return None;
    }
    // The labels, their dashes and the first word after them.
    let ws: Vec<_> = word_iter(line).skip(first_dash - n).take(2 * n + 1).collect();
    let labels = &ws[..n];
    if labels.iter().zip(&ws[n..2 * n]).any(|(l, d)| l.2.chars().count() != d.2.len()) {
        return None;
    }
    let names: Vec<Rc<str>> = labels.iter().map(|l| fold(l.2).into()).collect();
    if !names.iter().any(|n| pattern(n).1) {
        return None;
    }
    let labels_at = labels[0].2.as_ptr() as usize - line.as_ptr() as usize;
    let command = line[..labels_at]
        .split_whitespace()
        .fold(None, |c: Option<String>, w| Some(c.map_or_else(|| w.to_string(), |c| c + " " + w)));
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
    let mut columns = Columns::new(line);
    let body_start = ws.get(2 * n).map(|w| w.0);
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
            if records.len() == super::MAX_FLATTENED {
                let col = columns.before(at) as u64 + 1;
                return Some(Err((
                    col,
                    format!("at most {} rows on one line", super::MAX_FLATTENED),
                )));
            }
            let Some(caps) = re.captures(&line[at..]) else {
                let col = columns.before(at) as u64 + 1;
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
            // Blank cells are left out, as in an aligned table.
            let fields = names
                .iter()
                .enumerate()
                .filter_map(|(i, name)| {
                    let m =
                        caps.name(&format!("c{i}")).filter(|m| !m.as_str().trim().is_empty())?;
                    Some(Field {
                        name: name.clone(),
                        value: m.as_str().trim().to_string(),
                        line: line_no,
                        column: columns.before(at + m.start()) as u64 + 1,
                    })
                })
                .collect();
            records.push(Record { line: line_no, fields });
            at += whole;
        }
    }
    Some(Ok(RawBlock { line: line_no, format: Format::Table, command, columns: names, records }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(r: &Record) -> Vec<(&str, &str)> {
        r.fields.iter().map(|f| (&*f.name, f.value.as_str())).collect()
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
                ("createtime", "1/25/2016 21:32:01")
            ]
        );
        assert_eq!(
            block.columns.iter().map(|c| &**c).collect::<Vec<_>>(),
            ["counter", "itemtype", "eventname", "objectclass", "mailbox", "createtime"]
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
