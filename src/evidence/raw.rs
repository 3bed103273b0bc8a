//! What a block of evidence holds before its kind is known: records of
//! named fields, each with its line and column, whatever layout it came in
//! (a Format-Table, a Format-List, a CSV export, a message tracking log).

use std::rc::Rc;

/// The layout a block was printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `Format-Table` (`FT`), aligned columns under a line of dashes.
    Table,
    /// `Format-List` (`FL`), one `Name : Value` per line.
    List,
    /// `Export-Csv` or one of cnasim's own CSV files.
    Csv,
    /// A raw message tracking log (`MSGTRK*.LOG`).
    Msgtrk,
    /// Diagnostic trace lines.
    Trace,
    /// A single line of its own shape (the event watermark).
    Line,
}

impl Format {
    /// The name used in reports: `table`, `list`, `csv`, `msgtrk`, `trace`, `line`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::List => "list",
            Format::Csv => "csv",
            Format::Msgtrk => "msgtrk",
            Format::Trace => "trace",
            Format::Line => "line",
        }
    }
}

/// One field of a record: its name folded for matching (`Event-Id`,
/// `event_id` and `EventId` all become `eventid`), its text and where the
/// text starts.
#[derive(Clone, Debug)]
pub struct Field {
    /// The folded name, shared by the fields of one column: a log of
    /// 200,000 rows of 30 fields holds 30 names, not six million.
    pub name: Rc<str>,
    /// The text, trimmed.
    pub value: String,
    /// 1-based line of the value.
    pub line: u64,
    /// 1-based column of the value (in characters).
    pub column: u64,
}

/// One row of a table, one record of a list.
#[derive(Clone, Debug, Default)]
pub struct Record {
    /// 1-based line where the record starts.
    pub line: u64,
    /// The fields in the order printed. A table's or a CSV file's row
    /// holds its cells that are not blank: a blank cell says nothing, and
    /// a short row under a header of thousands of columns must not cost
    /// thousands of fields (the block's `columns` name them all).
    pub fields: Vec<Field>,
}

impl Record {
    /// The first field with any of these folded names.
    pub fn get(&self, names: &[&str]) -> Option<&Field> {
        names.iter().find_map(|n| self.fields.iter().find(|f| &*f.name == *n))
    }

    /// The text of the first non-empty field with any of these names.
    pub fn text(&self, names: &[&str]) -> Option<&str> {
        names
            .iter()
            .filter_map(|n| self.fields.iter().find(|f| &*f.name == *n))
            .map(|f| f.value.as_str())
            .find(|v| !v.is_empty())
    }
}

/// A block of records in one layout, from one place in one file.
#[derive(Clone, Debug)]
pub struct RawBlock {
    /// 1-based line where the block starts (its header).
    pub line: u64,
    /// The layout.
    pub format: Format,
    /// The command printed above or in front of the block, if any.
    pub command: Option<String>,
    /// A table's or a CSV file's column names, folded; empty for a list.
    pub columns: Vec<Rc<str>>,
    /// The records.
    pub records: Vec<Record>,
}

/// The character columns (0-based) of byte offsets in one line, counted
/// from the offset asked for last: offsets that move through a long line
/// (a table flattened onto one line of megabytes) cost the distance moved,
/// not the length of the line before them.
#[derive(Debug)]
pub struct Columns<'a> {
    line: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> Columns<'a> {
    /// A cursor at the start of `line`.
    pub fn new(line: &'a str) -> Self {
        Columns { line, byte: 0, chars: 0 }
    }

    /// The characters before the byte offset `byte` (a char boundary).
    pub fn before(&mut self, byte: usize) -> usize {
        if byte >= self.byte {
            self.chars += self.line[self.byte..byte].chars().count();
        } else {
            self.chars -= self.line[byte..self.byte].chars().count();
        }
        self.byte = byte;
        self.chars
    }
}

/// Folds a column or property name for matching: ASCII letters and digits
/// only, lower case.
pub fn fold(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_both_ways() {
        let line = "é1 ü2 x";
        let mut c = Columns::new(line);
        assert_eq!(c.before(line.find('x').unwrap()), 6);
        assert_eq!(c.before(line.find('ü').unwrap()), 3);
        assert_eq!(c.before(0), 0);
        assert_eq!(c.before(line.len()), 7);
    }

    #[test]
    fn folds_the_spellings_of_one_name_together() {
        for name in ["EventId", "event-id", "event_id", "\"EventId\""] {
            assert_eq!(fold(name), "eventid");
        }
    }
}
