//! `--set KEY=VALUE`: a value spliced into the scenario's text at a dotted
//! path (`population.moves.incremental_sync_interval`, `mailboxes.0.move.
//! complete_at`; a number indexes a list) before the text is read, so every
//! rule and limit applies to it as if it had been written in the file. The
//! `sweep:` key ([`sweep_key`]) lists such values for `cnasim sweep`.
//!
//! Errors keep pointing at the file: one outside the spliced values at its
//! original line and column (insertions shift nothing), one inside a value
//! at the `--set` that gave it, or at the `sweep:` value in the file. The
//! exception: an error the reader places at a whole block mapping into
//! which a key was inserted (before its first key) names that `--set`.

mod splice;
pub mod sweep_key;
mod walk;

pub use sweep_key::{GridKey, SweepFile, SweepKey};
pub(super) use walk::first_tag;

/// Why a tag is refused, and what to write instead.
pub(super) fn tag_refusal(tag: &str) -> String {
    format!(
        "YAML tags are not used in scenarios; found `{tag}`: write the value without it \
         (quoted, if it must be read as text)"
    )
}

use super::error::ScenarioError;
use splice::{Origin as Part, Request, SpliceError, Spliced};
use std::collections::BTreeMap;
use std::ops::Bound;

/// A value that replaces, or adds, one key of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Set {
    /// The dotted path, as given.
    pub key: String,
    /// The value as flow YAML on one line, as it is spliced.
    pub value: String,
    /// Where it was given.
    pub origin: Origin,
}

/// Where a [`Set`] was given, for its errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `--set KEY=VALUE` on the command line; the value as typed.
    Flag {
        /// The value as typed.
        given: String,
    },
    /// A value of the scenario's `sweep.set`, at these byte offsets of the
    /// text it is spliced into.
    Sweep {
        /// Where its key is.
        key_at: usize,
        /// Where the value is.
        value_at: usize,
        /// The value is spliced exactly as written, so a position inside
        /// it maps to the file.
        verbatim: bool,
    },
}

/// Keys that `--set` and `sweep.set` refuse, and why.
const REFUSED_KEYS: [(&str, &str); 4] = [
    (
        "seed",
        "`seed` cannot be set this way: use --seed for the seed, and --seeds (or `sweep.seeds`) \
         for the number of seeds of a sweep",
    ),
    (
        "sweep",
        "`sweep` cannot be set: it describes the sweep itself; give `cnasim sweep` its grid with \
         --set KEY=V1,V2, its seeds with --seeds and its metric with --metric",
    ),
    ("expect", "`expect` cannot be set: expectations pin what the file as written shows"),
    ("name", "`name` cannot be set: it names the output folder, which every run of a sweep shares"),
];

/// The segments of a dotted path, or why it cannot be set.
pub fn path_segments(key: &str) -> Result<Vec<String>, String> {
    if key.trim().is_empty() {
        return Err("the path is empty; give a dotted path such as \
                    `population.moves.incremental_sync_interval`"
            .into());
    }
    let segments: Vec<String> = key.split('.').map(str::to_string).collect();
    if let Some(i) = segments.iter().position(|s| s.is_empty() || s.trim() != s) {
        let why = if segments[i].is_empty() { "an empty part" } else { "spaces around a part" };
        return Err(format!(
            "`{}` has {why}; give a dotted path such as `population.moves.share`",
            key.escape_debug()
        ));
    }
    // Keys are written into the YAML as they are: only names and list
    // indexes in plain decimal, so that no part can bring its own syntax.
    let plain = |part: &str| {
        part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !(part.len() > 1
                && part.starts_with('0')
                && part.bytes().all(|b| b.is_ascii_digit()))
    };
    if let Some(part) = segments.iter().find(|s| !plain(s)) {
        return Err(format!(
            "`{}` is not a key or a list index; a path's parts are names of letters, digits \
             and `_`, or indexes such as `0` (without leading zeros)",
            part.escape_debug()
        ));
    }
    if let Some((_, why)) = REFUSED_KEYS.iter().find(|(k, _)| *k == segments[0]) {
        return Err((*why).to_string());
    }
    Ok(segments)
}

/// Whether two paths overlap: one is the other or lies inside it, so the
/// two would write over each other.
pub fn overlaps(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Paths given one after another, each checked against the earlier ones
/// for [`overlaps`] in O(log n) (a sweep may have thousands of keys, and
/// checking every pair was quadratic).
#[derive(Debug, Default)]
pub struct PathSet {
    /// Each path given, with the position it was first given at.
    first: BTreeMap<Vec<String>, usize>,
    /// Paths given so far.
    len: usize,
}

impl PathSet {
    /// Adds `path`, the next one (numbered from 0 in the order given), and
    /// returns the first earlier path that overlaps it, if any.
    pub fn add(&mut self, path: &[String]) -> Option<usize> {
        let n = self.len;
        self.len += 1;
        // Earlier paths that `path` lies inside, or equals.
        let mut found =
            (1..=path.len()).filter_map(|end| self.first.get(&path[..end]).copied()).min();
        // Earlier paths inside `path`: they sort right after it.
        let after = (Bound::Excluded(path), Bound::Unbounded);
        for (other, &i) in self.first.range::<[String], _>(after) {
            if !other.starts_with(path) {
                break;
            }
            found = Some(found.map_or(i, |f| f.min(i)));
        }
        self.first.entry(path.to_vec()).or_insert(n);
        found
    }
}

/// `value` as flow YAML on one line, or why it is not one YAML value.
pub fn flow_value(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        return Err("give a value after `=` (`~` for none)".into());
    }
    let node = walk::value(value)
        .map_err(|why| format!("`{}` is not a YAML value: {why}", value.escape_debug()))?;
    // The value's text is spliced without its tag (a node's bytes start
    // after it), so a tag would be lost, not refused, by the reader.
    if let Some((tag, _)) = value.contains('!').then(|| walk::first_tag(value)).flatten() {
        return Err(tag_refusal(&tag));
    }
    if matches!(node.kind, walk::Kind::Alias) {
        return Err("an alias (`*name`) is not a value here: write the value out".into());
    }
    Ok(walk::flow_text(value, &node))
}

impl Set {
    /// A `--set KEY=VALUE` argument, or why it cannot be one.
    pub fn flag(arg: &str) -> Result<Set, String> {
        let (key, value) = arg.split_once('=').ok_or_else(|| {
            "expected KEY=VALUE, such as population.moves.incremental_sync_interval=2d".to_string()
        })?;
        Set::flag_value(key, value)
    }

    /// A `--set` value for `key`, or why it cannot be one.
    pub fn flag_value(key: &str, value: &str) -> Result<Set, String> {
        path_segments(key)?;
        Ok(Set {
            key: key.to_string(),
            value: flow_value(value)?,
            origin: Origin::Flag { given: value.trim().to_string() },
        })
    }

    /// How the set reads on a command line: `KEY=VALUE`.
    pub fn argument(&self) -> String {
        match &self.origin {
            Origin::Flag { given } => format!("{}={given}", self.key),
            Origin::Sweep { .. } => format!("{}={}", self.key, self.value),
        }
    }
}

/// The text with every set spliced in, and where each part came from.
pub(super) struct Applied {
    spliced: Spliced,
}

/// Why the sets could not be spliced.
pub(super) enum ApplyError {
    /// The text could not be walked: reading it says what is wrong.
    Unreadable,
    /// A set's path cannot be followed.
    Refused(ScenarioError),
}

/// Where the keys of some sets lead in a text: the one walk of the text
/// that splicing needs, shared by every list of sets with the same keys in
/// the same order (the points of a sweep's grid).
pub(super) struct Prepared {
    /// The keys, in order.
    keys: Vec<String>,
    /// Their paths.
    paths: Vec<Vec<String>>,
    /// Where each leads.
    places: splice::Places,
}

/// Walks `text` (the file `path`) for the keys of `sets`.
pub(super) fn prepare(text: &str, path: &str, sets: &[Set]) -> Result<Prepared, ApplyError> {
    let mut paths = Vec::with_capacity(sets.len());
    for set in sets {
        paths.push(
            path_segments(&set.key)
                .map_err(|why| ApplyError::Refused(refused(text, path, set, why)))?,
        );
    }
    let places = splice::places(text, &paths).map_err(|e| splice_error(e, text, path, sets))?;
    Ok(Prepared { keys: sets.iter().map(|s| s.key.clone()).collect(), paths, places })
}

/// What a splice error means for `sets`.
fn splice_error(e: SpliceError, text: &str, path: &str, sets: &[Set]) -> ApplyError {
    match e {
        SpliceError::Unwalkable => ApplyError::Unreadable,
        SpliceError::Refused { index, message } => {
            ApplyError::Refused(refused(text, path, &sets[index], message))
        }
    }
}

impl Prepared {
    /// Splices `sets` into `text` (the file `path`, which this walked).
    pub(super) fn apply(
        &self,
        text: &str,
        path: &str,
        sets: &[Set],
    ) -> Result<Applied, ApplyError> {
        if sets.len() != self.keys.len() || sets.iter().zip(&self.keys).any(|(s, k)| s.key != *k) {
            // Other keys: their own walk.
            return apply(text, path, sets);
        }
        let requests: Vec<Request<'_>> = sets
            .iter()
            .zip(&self.paths)
            .map(|(s, p)| Request { path: p, value: &s.value })
            .collect();
        match splice::splice_at(text, &requests, &self.places) {
            Ok(spliced) => Ok(Applied { spliced }),
            Err(e) => Err(splice_error(e, text, path, sets)),
        }
    }
}

/// Splices `sets` into `text` (the file `path`).
pub(super) fn apply(text: &str, path: &str, sets: &[Set]) -> Result<Applied, ApplyError> {
    prepare(text, path, sets)?.apply(text, path, sets)
}

/// A set whose path cannot be followed: at the `--set`, or at its key in
/// the `sweep:` block.
fn refused(text: &str, path: &str, set: &Set, why: String) -> ScenarioError {
    match &set.origin {
        Origin::Flag { given } => {
            ScenarioError::file(path, format!("--set {}={}: {why}", set.key, given.escape_debug()))
        }
        Origin::Sweep { key_at, .. } => at_offset(path, text, *key_at, why),
    }
}

impl Applied {
    /// The text to read.
    pub(super) fn text(&self) -> &str {
        &self.spliced.text
    }

    /// `e`, found in the spliced text, as it concerns the original `text`:
    /// at its place in the file, or at the set that brought its text in;
    /// and whether it lies in text a set brought in.
    pub(super) fn relocate(
        &self,
        e: ScenarioError,
        text: &str,
        sets: &[Set],
    ) -> (ScenarioError, bool) {
        if e.line == 0 {
            return (e, false);
        }
        let Some(offset) = offset_of(&self.spliced.text, e.line, e.column) else {
            return (ScenarioError::file(&e.path, e.message), false);
        };
        let (part, inner) = self.spliced.origin(offset);
        let (n, in_value) = match part {
            Part::Original(at) => return (at_offset(&e.path, text, at, e.message), false),
            Part::Key(n) => (n, false),
            Part::Value(n) => (n, true),
        };
        let Some(set) = sets.get(n) else {
            return (ScenarioError::file(&e.path, e.message), false);
        };
        (Self::at_set(e, text, set, in_value, inner), true)
    }

    /// `e`, which lies in text `set` brought in (its value when `in_value`,
    /// `inner` bytes in), at the set.
    fn at_set(
        e: ScenarioError,
        text: &str,
        set: &Set,
        in_value: bool,
        inner: usize,
    ) -> ScenarioError {
        match &set.origin {
            Origin::Flag { given } => {
                // Escaped, so that a value with a newline keeps the
                // message on one line; the caret counts escaped characters.
                let escaped = |t: &str| t.escape_debug().to_string();
                let shown = format!("--set {}={}", set.key, escaped(given));
                let caret = if in_value && *given == set.value {
                    let before = given.get(..inner).map_or(0, |b| escaped(b).chars().count());
                    shown.chars().count() - escaped(given).chars().count() + before
                } else {
                    "--set ".len()
                };
                let line = &shown;
                ScenarioError {
                    path: e.path,
                    line: 0,
                    column: 0,
                    message: format!("{shown}: {}", e.message),
                    snippet: Some(format!("  |\n  | {line}\n  | {}^", " ".repeat(caret))),
                }
            }
            Origin::Sweep { key_at, value_at, verbatim } => {
                if in_value {
                    let at = if *verbatim { value_at + inner } else { *value_at };
                    let message =
                        format!("sweep value `{}` of `{}`: {}", set.value, set.key, e.message);
                    at_offset(&e.path, text, at, message)
                } else {
                    at_offset(
                        &e.path,
                        text,
                        *key_at,
                        format!("sweep key `{}`: {}", set.key, e.message),
                    )
                }
            }
        }
    }
}

/// The byte offset of a 1-based line and column (in characters) of `text`.
fn offset_of(text: &str, line: u64, column: u64) -> Option<usize> {
    let line = usize::try_from(line).ok()?.checked_sub(1)?;
    let start =
        if line == 0 { 0 } else { text.match_indices('\n').nth(line - 1).map(|(i, _)| i + 1)? };
    let rest = &text[start..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    let skip = usize::try_from(column.saturating_sub(1)).ok()?;
    let within: usize = rest[..line_len].chars().take(skip).map(char::len_utf8).sum();
    Some(start + within)
}

/// An error at byte `offset` of `text`.
pub(super) fn at_offset(
    path: &str,
    text: &str,
    offset: usize,
    message: impl Into<String>,
) -> ScenarioError {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u64 + 1;
    ScenarioError::at_line_column(path, text, line, column, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_their_refusals() {
        assert_eq!(path_segments("a.0.b").unwrap(), ["a", "0", "b"]);
        assert!(path_segments("").unwrap_err().contains("empty"));
        assert!(path_segments("a..b").unwrap_err().contains("an empty part"));
        assert!(path_segments("a. b").unwrap_err().contains("spaces"));
        assert!(path_segments("seed").unwrap_err().contains("--seed"));
        assert!(path_segments("sweep.seeds").unwrap_err().contains("--seeds"));
        assert!(path_segments("expect.fixed").unwrap_err().contains("expect"));
        assert!(path_segments("name").unwrap_err().contains("output folder"));
        // Parts bring no syntax of their own, and indexes read one way.
        assert_eq!(path_segments("mailboxes.10.move_x").unwrap(), ["mailboxes", "10", "move_x"]);
        for bad in ["mailboxes.00.move", "mailboxes.+0.move", "a.b #c", "x: 1\nseed", "a.b-c"] {
            assert!(path_segments(bad).unwrap_err().contains("not a key or a list index"), "{bad}");
        }
    }

    #[test]
    fn a_path_set_finds_the_first_overlap_as_checking_every_pair_does() {
        let paths: Vec<Vec<String>> =
            ["a.b", "c", "a.c.d", "a.bb", "c.x", "a", "a.b", "e.f.g", "e"]
                .iter()
                .map(|p| p.split('.').map(String::from).collect())
                .collect();
        // Every ordering of a few of them.
        for start in 0..paths.len() {
            let order: Vec<&Vec<String>> = paths.iter().cycle().skip(start).take(6).collect();
            let mut set = PathSet::default();
            for (j, path) in order.iter().enumerate() {
                let expected = order[..j].iter().position(|earlier| overlaps(earlier, path));
                assert_eq!(set.add(path), expected, "{order:?} at {j}");
            }
        }
    }

    #[test]
    fn values_become_flow_text() {
        assert_eq!(flow_value("12h").unwrap(), "12h");
        assert_eq!(flow_value(" { uniform: [1m, 5m] } ").unwrap(), "{ uniform: [1m, 5m] }");
        assert_eq!(flow_value("[15m, 30m]").unwrap(), "[15m, 30m]");
        assert_eq!(flow_value("a: 1").unwrap(), "{ a: 1 }");
        assert_eq!(flow_value("x, y").unwrap(), "\"x, y\"");
        assert_eq!(flow_value("'q'").unwrap(), "'q'");
        assert_eq!(flow_value("1d # why").unwrap(), "1d");
        assert!(flow_value("").unwrap_err().contains("give a value"));
        assert!(flow_value("[1m, 5m").unwrap_err().contains("not a YAML value"));
        assert!(flow_value("a\n---\nb").unwrap_err().contains("more than one"));
        assert!(flow_value("*x").is_err());
        // YAML lets a scalar or a flow collection hold a tab or a NEL as it
        // is; the flow text escapes them, and means the same.
        assert_eq!(flow_value("a\tb").unwrap(), "\"a\\tb\"");
        assert_eq!(flow_value("'a\tb'").unwrap(), "\"a\\tb\"");
        assert_eq!(flow_value("a\u{85}b").unwrap(), "\"a\\u0085b\"");
        assert_eq!(flow_value("[a,\tb]").unwrap(), "[a, b]");
        for value in ["a\tb", "'a\tb'", "a\u{85}b", "[a,\tb]", "{ a: 1 }", "x, y", "- a\n- b"] {
            let flow = flow_value(value).unwrap();
            assert!(!flow.chars().any(char::is_control), "{value:?} gives {flow:?}");
            assert_eq!(flow_value(&flow).unwrap(), flow, "the flow text of {value:?} is its own");
        }
        assert_eq!(
            flow_value("!!binary aGk=").unwrap_err(),
            "YAML tags are not used in scenarios; found `!!binary`: write the value without it \
             (quoted, if it must be read as text)"
        );
        assert!(flow_value("[1m, !x 2m]").unwrap_err().contains("found `!x`"));
        assert_eq!(flow_value("'Hi!'").unwrap(), "'Hi!'");
    }

    #[test]
    fn flags_read_key_and_value() {
        let s = Set::flag("population.moves.share=0.5").unwrap();
        assert_eq!((s.key.as_str(), s.value.as_str()), ("population.moves.share", "0.5"));
        assert_eq!(s.argument(), "population.moves.share=0.5");
        assert!(Set::flag("population").unwrap_err().contains("KEY=VALUE"));
        assert!(Set::flag("seed=3").unwrap_err().contains("--seed"));
    }

    #[test]
    fn offsets_and_positions_agree() {
        let text = "a: 1\nbé: 2\n";
        assert_eq!(offset_of(text, 2, 5), Some(text.find('2').unwrap()));
        assert_eq!(offset_of(text, 1, 1), Some(0));
        assert_eq!(offset_of(text, 9, 1), None);
        let e = at_offset("f.yaml", text, text.find('2').unwrap(), "m");
        assert_eq!((e.line, e.column), (2, 5));
    }
}
