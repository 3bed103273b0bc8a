//! Comma-separated evidence: `Export-Csv` output (with or without its
//! `#TYPE` line), cnasim's own CSV files, and raw message tracking logs
//! (`#Software`, `#Version`, `#Log-type`, `#Date`, `#Fields:` then rows).

use super::raw::{Field, Format, RawBlock, Record, fold};
use std::rc::Rc;

/// The delimiter of a header line: `;` when it has no comma but a
/// semicolon (`Export-Csv -UseCulture` in much of Europe), else `,`.
pub fn delimiter_of(line: &str) -> u8 {
    if !line.contains(',') && line.contains(';') { b';' } else { b',' }
}

/// Splits one line as CSV with the line's own delimiter; `None` when it is
/// not a well-formed CSV line.
pub fn split(line: &str) -> Option<Vec<String>> {
    split_with(line, delimiter_of(line))
}

/// Splits one line as CSV with `delimiter`.
pub fn split_with(line: &str, delimiter: u8) -> Option<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(line.as_bytes());
    let record = reader.records().next()?.ok()?;
    Some(record.iter().map(str::to_string).collect())
}

/// The rows under a header of these (folded) names: lines from
/// `lines[from]` to the first blank line, line starting with `#` or line
/// without the delimiter (prose after a pasted export). A row with more fields
/// than the header is an error `(line, message)`; a shorter row has its
/// last fields blank. Blank fields are left out of the records.
pub fn rows(
    lines: &[&str],
    from: usize,
    names: &[Rc<str>],
    header_line: u64,
    delimiter: u8,
) -> Result<(Vec<Record>, usize), (u64, String)> {
    let mut end = from;
    while end < lines.len()
        && !lines[end].trim().is_empty()
        && !lines[end].starts_with('#')
        && lines[end].contains(char::from(delimiter))
    {
        end += 1;
    }
    let body = lines[from..end].join("\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body.as_bytes());
    let mut records = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|e| {
            let line = e.position().map_or(from as u64 + 1, |p| from as u64 + p.line());
            (line, format!("not a CSV row: {e}"))
        })?;
        let line = from as u64 + record.position().map_or(1, |p| p.line());
        if record.len() > names.len() {
            return Err((
                line,
                format!(
                    "this row has {} fields; the header on line {header_line} names {}",
                    record.len(),
                    names.len()
                ),
            ));
        }
        let fields = names
            .iter()
            .zip(&record)
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| Field {
                name: name.clone(),
                value: value.trim().to_string(),
                line,
                column: 1,
            })
            .collect();
        records.push(Record { line, fields });
    }
    Ok((records, end))
}

/// A header's names, folded.
fn folded(header: &[String]) -> Vec<Rc<str>> {
    header.iter().map(|h| fold(h).into()).collect()
}

/// Reads an Export-Csv block whose header is `lines[at]`, in that line's
/// delimiter.
pub fn export(
    lines: &[&str],
    at: usize,
    command: Option<String>,
) -> Result<Option<(RawBlock, usize)>, (u64, String)> {
    let delimiter = delimiter_of(lines[at]);
    let Some(header) = split_with(lines[at], delimiter) else { return Ok(None) };
    let columns = folded(&header);
    let (records, end) = rows(lines, at + 1, &columns, at as u64 + 1, delimiter)?;
    let block = RawBlock { line: at as u64 + 1, format: Format::Csv, command, columns, records };
    Ok(Some((block, end)))
}

/// Reads a message tracking log whose `#` header starts at `lines[at]`.
pub fn msgtrk(lines: &[&str], at: usize) -> Result<(RawBlock, usize), (u64, String)> {
    let mut i = at;
    let mut fields = None;
    let mut fields_line = 0;
    while i < lines.len() && lines[i].starts_with('#') {
        if let Some(list) = lines[i].strip_prefix("#Fields:") {
            fields = split_with(list.trim(), b',');
            fields_line = i as u64 + 1;
        }
        i += 1;
    }
    let Some(header) = fields else {
        return Err((
            at as u64 + 1,
            "a message tracking log header without its `#Fields:` line".into(),
        ));
    };
    let columns = folded(&header);
    let (records, end) = rows(lines, i, &columns, fields_line, b',')?;
    let block =
        RawBlock { line: at as u64 + 1, format: Format::Msgtrk, command: None, columns, records };
    Ok((block, end))
}
