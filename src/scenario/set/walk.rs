//! Finds dotted paths in a scenario's YAML text by walking its parser
//! events (granit-parser, the parser serde-saphyr reads with), with byte
//! offsets: where each path's node lies, or where a missing key would go.
//!
//! Only the wanted paths are followed; the rest of the document is walked
//! past without being kept, so memory does not grow with the file. One
//! path may be captured whole (the `sweep.set` grid, whose values are
//! copied elsewhere).

use granit_parser::{Event, Options, Parser, ScalarStyle, StrInput, StructureStyle};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

/// Deepest nesting walked; deeper text is left to the reader, whose budget
/// (16 levels) refuses it with its own message.
const MAX_NESTING: usize = 64;

/// Where a path leads in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The node exists. For a mapping's value, `range` starts at its key
    /// (whose bytes are `key`), so that the reader's errors about the value,
    /// which it places at the key, fall inside the replaced text; the text
    /// that replaces it starts with the key and `: `.
    Found {
        /// Bytes to replace.
        range: Range<usize>,
        /// The key's bytes, for a mapping's value.
        key: Option<Range<usize>>,
    },
    /// The first `matched` segments lead to a null (`key:`, `~`), which is
    /// replaced by a mapping holding the rest of the path.
    Null {
        /// Bytes to replace.
        range: Range<usize>,
        /// The key's bytes, for a mapping's value.
        key: Option<Range<usize>>,
        /// Segments found.
        matched: usize,
    },
    /// The first `matched` segments lead to a mapping that lacks the next
    /// one: the rest of the path is inserted there.
    Missing {
        /// Segments found.
        matched: usize,
        /// Where the new key goes.
        at: Insertion,
    },
    /// The path cannot be followed past `matched` segments.
    Refused {
        /// Segments found.
        matched: usize,
        /// Why.
        why: Refusal,
    },
}

/// Where a new key goes in an existing mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Insertion {
    /// A block mapping: a new line before its first key, indented as it is.
    Block {
        /// Byte offset of the first key.
        at: usize,
        /// Its column, in characters.
        indent: usize,
    },
    /// A flow mapping: just after its `{`.
    Flow {
        /// Byte offset just after `{`.
        at: usize,
        /// It has no entries yet.
        empty: bool,
    },
}

impl Insertion {
    /// The byte offset of the insertion.
    pub fn offset(&self) -> usize {
        match *self {
            Insertion::Block { at, .. } | Insertion::Flow { at, .. } => at,
        }
    }
}

/// Why a path cannot be followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Through a value that is neither a mapping nor a list; its text.
    Scalar(String),
    /// Through an alias (`*name`).
    Alias,
    /// A name used on a list.
    NameOnList,
    /// An index past the end of a list of `len` entries.
    OutOfRange {
        /// Entries in the list.
        len: usize,
    },
}

/// A node of the text, with its byte range. Children are kept only for a
/// captured node.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'t> {
    /// First byte (for a block scalar, its `|` or `>` indicator).
    pub start: usize,
    /// One past the last byte of its content (trailing spaces and line
    /// breaks of a block scalar left out).
    pub end: usize,
    /// What it is.
    pub kind: Kind<'t>,
}

/// What a node is.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind<'t> {
    /// A scalar: its value and how it was written.
    Scalar(Cow<'t, str>, ScalarStyle),
    /// An alias.
    Alias,
    /// A list (items kept only when captured).
    Seq {
        /// Written `[...]`.
        flow: bool,
        /// The items.
        items: Vec<Node<'t>>,
    },
    /// A mapping (entries kept only when captured).
    Map {
        /// Written `{...}`.
        flow: bool,
        /// The entries: key, value, and where the value's replacement
        /// starts (the colon).
        entries: Vec<(Node<'t>, Node<'t>)>,
    },
}

impl Node<'_> {
    /// A null: an empty plain value, `~` or `null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(v, ScalarStyle::Plain)
            if matches!(v.as_ref(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

/// The text could not be walked (a YAML syntax error, nesting past
/// [`MAX_NESTING`], a root that is not a mapping): the reader, given the
/// same text, says what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct Unwalkable;

/// What a walk found.
pub struct Walk<'t> {
    /// One place per path, in the order given.
    pub places: Vec<Place>,
    /// The captured node, when the captured path exists.
    pub captured: Option<Node<'t>>,
}

/// The paths wanted below one node.
#[derive(Default)]
struct Want<'p> {
    /// Paths that end here.
    ends: Vec<usize>,
    /// Paths that go on, by next segment (a map: a sweep may want
    /// thousands of list entries, each looked up as the walk passes it).
    children: BTreeMap<&'p str, Want<'p>>,
    /// Keep this node whole.
    capture: bool,
}

impl<'p> Want<'p> {
    fn add(&mut self, id: usize, path: &'p [String], capture: bool) {
        match path.split_first() {
            None => {
                self.ends.push(id);
                self.capture |= capture;
            }
            Some((first, rest)) => {
                self.children.entry(first.as_str()).or_default().add(id, rest, capture);
            }
        }
    }

    fn child(&self, segment: &str) -> Option<&Want<'p>> {
        self.children.get(segment)
    }

    /// Every path that ends here or below.
    fn ids(&self, out: &mut Vec<usize>) {
        out.extend(&self.ends);
        for w in self.children.values() {
            w.ids(out);
        }
    }
}

/// Finds each of `paths` (dotted paths split into segments; a number
/// indexes a list) in `text`. `capture` names one of them to keep whole.
pub fn walk<'t>(
    text: &'t str,
    paths: &[Vec<String>],
    capture: Option<usize>,
) -> Result<Walk<'t>, Unwalkable> {
    let mut want = Want::default();
    for (id, path) in paths.iter().enumerate() {
        want.add(id, path, capture == Some(id));
    }
    let mut walker = Walker::new(text);
    walker.places = vec![None; paths.len()];
    // The stream and document starts, then the root.
    loop {
        let (event, range) = walker.next()?;
        match event {
            Event::StreamStart | Event::DocumentStart(..) => continue,
            Event::MappingStart(..) => {
                let root = walker.node(event, range, Some(&want), 0, false, 0)?;
                if !matches!(root.kind, Kind::Map { .. }) {
                    return Err(Unwalkable);
                }
                break;
            }
            _ => return Err(Unwalkable),
        }
    }
    let places =
        walker.places.into_iter().map(|p| p.ok_or(Unwalkable)).collect::<Result<_, _>>()?;
    Ok(Walk { places, captured: walker.captured })
}

/// Reads `text` as one YAML value (a scalar, `[...]`, `{...}`, or a block
/// collection), kept whole. The error says what is wrong with it.
pub fn value(text: &str) -> Result<Node<'_>, String> {
    let mut walker = Walker::new(text);
    let mut root = None;
    loop {
        let (event, range) = walker.next().map_err(|_| walker.why())?;
        match event {
            Event::StreamStart | Event::DocumentStart(..) | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            _ if root.is_some() => return Err("more than one YAML document".into()),
            event => {
                let node = walker.node(event, range, None, 0, true, 0).map_err(|_| walker.why())?;
                root = Some(node);
            }
        }
    }
    root.ok_or_else(|| "no value".to_string())
}

/// The first explicit tag in `text` (`!!binary`, `!!str`, `!local`,
/// `!<tag:...>`, a lone `!`), as written (at most 64 characters shown), and
/// the byte offset of its `!`; none when the text has none, or stops
/// parsing before one (the reader then says why). One pass over the
/// parser's events, which do not replay aliases.
pub fn first_tag(text: &str) -> Option<(String, usize)> {
    let mut parser = Parser::new_from_str_with_options(text, parser_options());
    loop {
        let (event, span) = parser.next_event()?.ok()?;
        if matches!(event, Event::StreamEnd) {
            return None;
        }
        let Some(tag) = event.tag() else { continue };
        let written = span.tag_span().and_then(|t| t.byte_range()).and_then(|r| text.get(r));
        let shown = written.map_or_else(|| tag.original(), str::to_string);
        let mut shown: String = shown.escape_debug().collect();
        if shown.chars().count() > 64 {
            shown = shown.chars().take(61).chain("...".chars()).collect();
        }
        let at = span
            .tag_start()
            .and_then(|m| m.byte_offset())
            .or_else(|| span.byte_range().map(|r| r.start))
            .unwrap_or(0);
        return Some((shown, at));
    }
}

/// `node` of `text` as flow YAML on one line: its own text when it is
/// written so already, else rebuilt (`[a, b]`, `{ k: v }`, and scalars
/// that cannot stand in a flow collection as they are double-quoted).
/// It never holds a control character: a tab or a NEL that YAML lets a
/// scalar hold as it is comes out escaped in a double-quoted scalar (the
/// same string), so a value shows on one line in a terminal, a CSV file
/// and sweep.json, and `cnasim sweep --merge` can refuse any other.
pub fn flow_text(text: &str, node: &Node<'_>) -> String {
    let own = &text[node.start..node.end];
    let one_line = !own.chars().any(char::is_control);
    match &node.kind {
        Kind::Scalar(value, style) => {
            let fits = one_line
                && match style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => true,
                    ScalarStyle::Plain => plain_fits_flow(own),
                    _ => false,
                };
            if fits { own.to_string() } else { double_quoted(value) }
        }
        Kind::Alias => own.to_string(),
        Kind::Seq { flow: true, .. } | Kind::Map { flow: true, .. }
            if one_line && !own.contains('#') =>
        {
            own.to_string()
        }
        Kind::Seq { items, .. } => {
            let items: Vec<String> = items.iter().map(|n| flow_text(text, n)).collect();
            format!("[{}]", items.join(", "))
        }
        Kind::Map { entries, .. } if entries.is_empty() => "{}".into(),
        Kind::Map { entries, .. } => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", flow_text(text, k), flow_text(text, v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
    }
}

/// Whether a plain scalar means the same inside a flow collection.
fn plain_fits_flow(own: &str) -> bool {
    !own.is_empty()
        && !own.contains([',', '[', ']', '{', '}'])
        && !own.contains(": ")
        && !own.contains(" #")
        && !own.ends_with(':')
}

/// `value` as a YAML double-quoted scalar.
fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The parser's options: nesting past [`MAX_NESTING`] stops it.
fn parser_options() -> Options {
    let mut options = Options::default();
    options.flow_nesting_limit = MAX_NESTING;
    options.block_nesting_limit = MAX_NESTING;
    options
}

struct Walker<'t> {
    text: &'t str,
    parser: Parser<'t, StrInput<'t>>,
    places: Vec<Option<Place>>,
    captured: Option<Node<'t>>,
    /// What the parser said when it stopped.
    error: Option<String>,
}

impl<'t> Walker<'t> {
    fn new(text: &'t str) -> Self {
        Walker {
            text,
            parser: Parser::new_from_str_with_options(text, parser_options()),
            places: Vec::new(),
            captured: None,
            error: None,
        }
    }

    /// Why the walk stopped, for a person.
    fn why(&self) -> String {
        self.error.clone().unwrap_or_else(|| "not one YAML value".into())
    }

    /// The next structural event and its byte range.
    fn next(&mut self) -> Result<(Event<'t>, Range<usize>), Unwalkable> {
        loop {
            let (event, span) = match self.parser.next_event() {
                Some(Ok(e)) => e,
                Some(Err(e)) => {
                    self.error = Some(e.info());
                    return Err(Unwalkable);
                }
                None => return Err(Unwalkable),
            };
            let range = span.byte_range().ok_or(Unwalkable)?;
            if range.start > range.end || range.end > self.text.len() {
                return Err(Unwalkable);
            }
            let structural = matches!(
                event,
                Event::StreamStart
                    | Event::StreamEnd
                    | Event::DocumentStart(..)
                    | Event::DocumentEnd
                    | Event::Alias(_)
                    | Event::Scalar(..)
                    | Event::SequenceStart(..)
                    | Event::SequenceEnd
                    | Event::MappingStart(..)
                    | Event::MappingEnd
            );
            if structural {
                return Ok((event, range));
            }
        }
    }

    fn record(&mut self, ids: &[usize], place: &Place) {
        for &id in ids {
            if self.places[id].is_none() {
                self.places[id] = Some(place.clone());
            }
        }
    }

    fn record_below(&mut self, want: &Want<'_>, place: &Place) {
        let mut ids = Vec::new();
        want.ids(&mut ids);
        self.record(&ids, place);
    }

    /// Reads the node that `event` starts. `want`: paths through it, which
    /// have matched `matched` segments; `keep`: keep its children.
    fn node(
        &mut self,
        event: Event<'t>,
        range: Range<usize>,
        want: Option<&Want<'_>>,
        matched: usize,
        keep: bool,
        depth: usize,
    ) -> Result<Node<'t>, Unwalkable> {
        if depth > MAX_NESTING {
            return Err(Unwalkable);
        }
        let keep = keep || want.is_some_and(|w| w.capture);
        let node = match event {
            Event::Scalar(value, style, ..) => {
                let (start, end) = match style {
                    ScalarStyle::Literal | ScalarStyle::Folded => self.block_scalar(range.clone()),
                    _ => (range.start, range.end),
                };
                Node { start, end, kind: Kind::Scalar(value, style) }
            }
            Event::Alias(_) => Node { start: range.start, end: range.end, kind: Kind::Alias },
            Event::SequenceStart(style, ..) => {
                self.sequence(style, range, want, matched, keep, depth)?
            }
            Event::MappingStart(style, ..) => {
                self.mapping(style, range, want, matched, keep, depth)?
            }
            _ => return Err(Unwalkable),
        };
        if keep && want.is_some_and(|w| w.capture) {
            self.captured = Some(node.clone());
        }
        Ok(node)
    }

    fn sequence(
        &mut self,
        style: StructureStyle,
        open: Range<usize>,
        want: Option<&Want<'_>>,
        matched: usize,
        keep: bool,
        depth: usize,
    ) -> Result<Node<'t>, Unwalkable> {
        let flow = style == StructureStyle::Flow;
        let mut items = Vec::new();
        let mut end = open.end;
        let mut len = 0usize;
        loop {
            let (event, range) = self.next()?;
            if matches!(event, Event::SequenceEnd) {
                if flow {
                    end = range.end;
                }
                break;
            }
            let child = want.and_then(|w| w.child(&len.to_string()));
            let item = self.node(event, range, child, matched + 1, keep, depth + 1)?;
            if let Some(child) = child {
                self.settle(child, &item, item.start..item.end, None, matched + 1);
            }
            end = end.max(item.end);
            len += 1;
            if keep {
                items.push(item);
            }
        }
        if let Some(want) = want {
            for (segment, child) in &want.children {
                let why = match segment.parse::<usize>() {
                    Ok(i) if i < len => continue,
                    Ok(_) => Refusal::OutOfRange { len },
                    Err(_) => Refusal::NameOnList,
                };
                self.record_below(child, &Place::Refused { matched, why });
            }
        }
        Ok(Node { start: open.start, end, kind: Kind::Seq { flow, items } })
    }

    fn mapping(
        &mut self,
        style: StructureStyle,
        open: Range<usize>,
        want: Option<&Want<'_>>,
        matched: usize,
        keep: bool,
        depth: usize,
    ) -> Result<Node<'t>, Unwalkable> {
        let flow = style == StructureStyle::Flow;
        let mut entries = Vec::new();
        let mut end = open.end;
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut any = false;
        loop {
            let (event, range) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                if flow {
                    end = range.end;
                }
                break;
            }
            any = true;
            let key = self.node(event, range, None, matched, keep, depth + 1)?;
            let colon = self.colon_after(key.end);
            let child = match (&key.kind, want) {
                (Kind::Scalar(name, _), Some(w)) => {
                    w.children.get_key_value(name.as_ref()).map(|(s, w)| (*s, w))
                }
                _ => None,
            };
            // A key given twice is refused by the reader; the first counts.
            let child = child.filter(|(s, _)| !seen.contains(s));
            let (event, range) = self.next()?;
            let value =
                self.node(event, range, child.map(|(_, w)| w), matched + 1, keep, depth + 1)?;
            // From the key, unless the colon is on a later line (`? key`).
            let from = match colon {
                Some(c) if self.text[key.end..c].contains('\n') => c,
                _ => key.start,
            };
            let replace = from..value.end.max(colon.map_or(key.end, |c| c + 1));
            let key_bytes = (from == key.start).then_some(key.start..key.end);
            if let Some((segment, child)) = child {
                seen.insert(segment);
                self.settle(child, &value, replace.clone(), key_bytes, matched + 1);
            }
            end = end.max(replace.end).max(key.end);
            if keep {
                entries.push((key, value));
            }
        }
        if let Some(want) = want {
            let at = if flow {
                Insertion::Flow { at: open.end, empty: !any }
            } else {
                let line_start = self.text[..open.start].rfind('\n').map_or(0, |i| i + 1);
                // A byte-order mark opens the text but indents nothing.
                let indent = self.text[line_start..open.start]
                    .trim_start_matches('\u{feff}')
                    .chars()
                    .count();
                Insertion::Block { at: open.start, indent }
            };
            // A single pair in a flow list (`[ a: 1 ]`) has no braces to
            // insert into: its path is left unsettled, so the set is refused.
            let braced = !flow || self.text[open.start..].starts_with('{');
            for (segment, child) in &want.children {
                if braced && !seen.contains(segment) {
                    self.record_below(child, &Place::Missing { matched, at: at.clone() });
                }
            }
        }
        Ok(Node { start: open.start, end, kind: Kind::Map { flow, entries } })
    }

    /// Records what became of the paths through `node` (reached with
    /// `matched` segments), which it could not settle itself.
    fn settle(
        &mut self,
        want: &Want<'_>,
        node: &Node<'_>,
        range: Range<usize>,
        key: Option<Range<usize>>,
        matched: usize,
    ) {
        self.record(&want.ends, &Place::Found { range: range.clone(), key: key.clone() });
        let deeper = !want.children.is_empty();
        if !deeper {
            return;
        }
        let place = match &node.kind {
            Kind::Map { .. } | Kind::Seq { .. } => return,
            Kind::Alias => Place::Refused { matched, why: Refusal::Alias },
            Kind::Scalar(..) if node.is_null() => Place::Null { range, key, matched },
            Kind::Scalar(value, _) => {
                Place::Refused { matched, why: Refusal::Scalar(value.to_string()) }
            }
        };
        for child in want.children.values() {
            self.record_below(child, &place);
        }
    }

    /// The `:` after a key ending at `from`, past spaces, line breaks and
    /// comments; none for a flow entry without a value (`{ a }`).
    fn colon_after(&self, from: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut i = from;
        while i < bytes.len() {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b':' => return Some(i),
                _ => return None,
            }
        }
        None
    }

    /// The header of a block scalar whose content starts at `content`: the
    /// `|` or `>` indicator on the last non-blank line before it, and where
    /// the indicator's modifiers (`-`, `+`, a digit) end.
    fn block_header(&self, content: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let mut i = content.min(bytes.len());
        while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\r' | b'\n') {
            i -= 1;
        }
        let line_end = i;
        while i > 0 && bytes[i - 1] != b'\n' {
            i -= 1;
        }
        // The first `|` or `>` followed only by modifiers, spaces and a
        // comment: a key may hold one too (`a|b: |`).
        for p in i..line_end {
            if !matches!(bytes[p], b'|' | b'>') {
                continue;
            }
            let mut q = p + 1;
            while q < line_end && matches!(bytes[q], b'+' | b'-' | b'0'..=b'9') {
                q += 1;
            }
            let rest = self.text[q..line_end].trim_start_matches([' ', '\t']);
            if rest.is_empty() || rest.starts_with('#') {
                return (p, q);
            }
        }
        (content, content)
    }

    /// The bytes of a block scalar whose event covers `range`: from its
    /// indicator to the end of its content without trailing spaces and
    /// line breaks (or to the end of its header when it has none).
    fn block_scalar(&self, range: Range<usize>) -> (usize, usize) {
        let (start, header_end) = self.block_header(range.start);
        let content = self.text[range.clone()].trim_end_matches([' ', '\t', '\r', '\n']);
        let end = if content.is_empty() { header_end } else { range.start + content.len() };
        (start, end.max(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<Vec<String>> {
        list.iter().map(|p| p.split('.').map(String::from).collect()).collect()
    }

    fn places(text: &str, list: &[&str]) -> Vec<Place> {
        walk(text, &paths(list), None).expect("walkable").places
    }

    fn found<'a>(text: &'a str, path: &str) -> &'a str {
        match places(text, &[path]).remove(0) {
            Place::Found { range, .. } => &text[range],
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn finds_block_flow_and_list_values() {
        let text = "a: 1\nb:\n  c: x # note\n  d: { e: [1, 2] }\nl:\n  - p\n  - q: 3\n";
        assert_eq!(found(text, "a"), "a: 1");
        assert_eq!(found(text, "b.c"), "c: x");
        assert_eq!(found(text, "b.d.e"), "e: [1, 2]");
        assert_eq!(found(text, "b.d.e.1"), "2");
        assert_eq!(found(text, "l.1.q"), "q: 3");
        assert_eq!(found(text, "l.0"), "p");
        assert_eq!(found(text, "b.d"), "d: { e: [1, 2] }");
        assert_eq!(found(text, "b"), "b:\n  c: x # note\n  d: { e: [1, 2] }");
        // An explicit key keeps its `?`: the range starts at the colon.
        assert_eq!(found("? k\n: 1\n", "k"), ": 1");
    }

    #[test]
    fn block_scalars_include_their_indicator() {
        let text = "a: |\n  one\n  two\n\nb: >-\n  x\nc:\n  - |\n    y\n";
        assert_eq!(found(text, "a"), "a: |\n  one\n  two");
        assert_eq!(found(text, "b"), "b: >-\n  x");
        assert_eq!(found(text, "c.0"), "|\n    y");
        // An empty block scalar ends with its header; a key may hold a `|`.
        assert_eq!(found("a: |-\nb: 1\n", "a"), "a: |-");
        assert_eq!(found("a|b: | # c\n  x\n", "a|b"), "a|b: | # c\n  x");
    }

    #[test]
    fn nulls_missing_keys_and_refusals() {
        let text = "a:\nb: 1\nc: { }\nd: [1]\ne: &x 2\nf: *x\n";
        let got = places(text, &["a.x", "z", "c.y", "b.q", "d.3", "d.k", "f.g"]);
        assert_eq!(got[0], Place::Null { range: 0..2, key: Some(0..1), matched: 1 });
        assert_eq!(
            got[1],
            Place::Missing { matched: 0, at: Insertion::Block { at: 0, indent: 0 } }
        );
        assert_eq!(
            got[2],
            Place::Missing { matched: 1, at: Insertion::Flow { at: 12, empty: true } }
        );
        assert_eq!(got[3], Place::Refused { matched: 1, why: Refusal::Scalar("1".into()) });
        assert_eq!(got[4], Place::Refused { matched: 1, why: Refusal::OutOfRange { len: 1 } });
        assert_eq!(got[5], Place::Refused { matched: 1, why: Refusal::NameOnList });
        assert_eq!(got[6], Place::Refused { matched: 1, why: Refusal::Alias });
    }

    #[test]
    fn indentation_of_a_mapping_in_a_list() {
        let text = "l:\n  - name: x\n    y: 1\n";
        let got = places(text, &["l.0.z"]);
        assert_eq!(
            got[0],
            Place::Missing { matched: 2, at: Insertion::Block { at: 7, indent: 4 } }
        );
    }

    #[test]
    fn captures_a_node_whole() {
        let text = "s:\n  set:\n    k: [1d, { u: [1, 2] }]\n    j:\n      - x\n";
        let w = walk(text, &paths(&["s.set"]), Some(0)).unwrap();
        let Some(Node { kind: Kind::Map { entries, .. }, .. }) = w.captured else {
            panic!("not captured")
        };
        assert_eq!(entries.len(), 2);
        let Kind::Seq { items, .. } = &entries[0].1.kind else { panic!() };
        let texts: Vec<&str> = items.iter().map(|n| &text[n.start..n.end]).collect();
        assert_eq!(texts, ["1d", "{ u: [1, 2] }"]);
    }

    #[test]
    fn finds_the_first_tag_as_written() {
        fn tag(text: &str) -> Option<(String, &str)> {
            first_tag(text).map(|(t, at)| (t, &text[at..]))
        }
        assert_eq!(tag("a: 1\nb: [x, 'y!', \"!z\"] # !no\nc: Hi!\n"), None);
        assert_eq!(
            tag("a: 1\nb: !!binary aGk=\nc: !x 2\n"),
            Some(("!!binary".into(), "!!binary aGk=\nc: !x 2\n"))
        );
        assert_eq!(tag("a: !!python/name:os.system ''\n").unwrap().0, "!!python/name:os.system");
        assert_eq!(tag("a: !local\n  b: 1\n").unwrap().0, "!local");
        assert_eq!(tag("a: !<tag:example.com,2000:x> y\n").unwrap().0, "!<tag:example.com,2000:x>");
        assert_eq!(tag("a: ! y\n").unwrap().0, "!");
        assert_eq!(tag("- !!str 5\n").unwrap().0, "!!str");
        assert_eq!(tag("!!map\na: 1\n").unwrap(), ("!!map".into(), "!!map\na: 1\n"));
        assert_eq!(tag(&format!("a: !{} 1\n", "x".repeat(100))).unwrap().0.len(), 64);
        // A syntax error before any tag is left to the reader.
        assert_eq!(tag("a: [1\nb: !!str 2\n"), None);
    }

    #[test]
    fn syntax_errors_and_non_mappings_are_left_to_the_reader() {
        assert!(walk("a: [1", &paths(&["a"]), None).is_err());
        assert!(walk("- 1\n", &paths(&["a"]), None).is_err());
        assert!(walk("", &paths(&["a"]), None).is_err());
        let deep = format!("a: {}{}", "[".repeat(100), "]".repeat(100));
        assert!(walk(&deep, &paths(&["a"]), None).is_err());
    }
}
