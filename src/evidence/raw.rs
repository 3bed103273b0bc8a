//! What a block of evidence holds before its kind is known: records of
//! named fields, each with its line and column, whatever layout it came in
//! (a Format-Table, a Format-List, a CSV export, a message tracking log).

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
    /// The folded name.
    pub name: String,
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
    /// The fields in the order printed.
    pub fields: Vec<Field>,
}

impl Record {
    /// The first field with any of these folded names.
    pub fn get(&self, names: &[&str]) -> Option<&Field> {
        names.iter().find_map(|n| self.fields.iter().find(|f| f.name == *n))
    }

    /// The text of the first non-empty field with any of these names.
    pub fn text(&self, names: &[&str]) -> Option<&str> {
        names
            .iter()
            .filter_map(|n| self.fields.iter().find(|f| f.name == *n))
            .map(|f| f.value.as_str())
            .find(|v| !v.is_empty())
    }

    /// True when a field of this name is present, empty or not.
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f.name == name)
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
    /// The records.
    pub records: Vec<Record>,
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
    fn folds_the_spellings_of_one_name_together() {
        for name in ["EventId", "event-id", "event_id", "\"EventId\""] {
            assert_eq!(fold(name), "eventid");
        }
    }
}
