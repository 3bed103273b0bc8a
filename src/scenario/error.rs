//! Scenario errors: the file, line and column, what was expected, and the
//! offending line with a caret under the column.

use serde_saphyr::Location;
use std::fmt;

/// A scenario that could not be read or is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file, as the user named it.
    pub path: String,
    /// 1-based line, or 0 when the error concerns the whole file.
    pub line: u64,
    /// 1-based column, or 0 when the error concerns the whole file.
    pub column: u64,
    /// What is wrong and what was expected.
    pub message: String,
    /// The source line with a caret, when there is one.
    pub snippet: Option<String>,
}

impl ScenarioError {
    /// An error about the whole file (it cannot be read, say).
    pub fn file(path: &str, message: impl Into<String>) -> Self {
        ScenarioError {
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
            snippet: None,
        }
    }

    /// An error at `location` in `source`.
    pub fn at(path: &str, source: &str, location: Location, message: impl Into<String>) -> Self {
        Self::at_line_column(path, source, location.line(), location.column(), message)
    }

    /// An error at a 1-based line and column of `source`.
    pub fn at_line_column(
        path: &str,
        source: &str,
        line: u64,
        column: u64,
        message: impl Into<String>,
    ) -> Self {
        ScenarioError {
            path: path.into(),
            line,
            column,
            message: message.into(),
            snippet: snippet(source, line, column),
        }
    }
}

/// The source line with a caret under `column` (both 1-based), with
/// control characters escaped so that garbage input cannot garble the
/// terminal.
fn snippet(source: &str, line: u64, column: u64) -> Option<String> {
    const WIDTH: usize = 200;
    if line == 0 {
        return None;
    }
    let text = source.lines().nth(usize::try_from(line - 1).ok()?)?;
    let shown: Vec<String> = text.chars().take(WIDTH).map(printable).collect();
    let before = usize::try_from(column.saturating_sub(1)).unwrap_or(WIDTH).min(shown.len());
    let caret_at: usize = shown[..before].iter().map(|s| s.chars().count()).sum();
    let gutter = line.to_string();
    let pad = " ".repeat(gutter.len());
    Some(format!("{pad} |\n{gutter} | {}\n{pad} | {}^", shown.concat(), " ".repeat(caret_at)))
}

/// A character as it can safely be shown on a terminal: a tab as a space,
/// and what no text of a scenario may hold (`values::unsafe_char`: control,
/// bidirectional formatting and separator characters) escaped.
fn printable(c: char) -> String {
    match c {
        '\t' => " ".into(),
        c if super::unsafe_char(c).is_some() => c.escape_default().to_string(),
        c => c.into(),
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)?;
        } else {
            write!(f, "{}:{}:{}: {}", self.path, self.line, self.column, self.message)?;
        }
        if let Some(snippet) = &self.snippet {
            write!(f, "\n{snippet}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_line_and_a_caret() {
        let src = "name: x\ndatabases:\n  - nmae: DB01\n";
        let e = ScenarioError::at_line_column("s.yaml", src, 3, 5, "unknown field `nmae`");
        assert_eq!(
            e.to_string(),
            "s.yaml:3:5: unknown field `nmae`\n  |\n3 |   - nmae: DB01\n  |     ^"
        );
    }

    #[test]
    fn escapes_control_characters() {
        let src = "a: \u{1b}[31mred\n";
        let e = ScenarioError::at_line_column("s.yaml", src, 1, 5, "bad");
        let shown = e.to_string();
        assert!(!shown.contains('\u{1b}'), "{shown}");
        assert!(shown.contains("\\u{1b}"), "{shown}");
    }

    #[test]
    fn whole_file_errors_have_no_location() {
        let e = ScenarioError::file("s.yaml", "the file is empty");
        assert_eq!(e.to_string(), "s.yaml: the file is empty");
    }
}
