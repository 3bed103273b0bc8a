//! Splices values into a scenario's text at dotted paths: each existing
//! node's bytes are replaced by the new value (flow style, one line), and a
//! missing key is inserted, with any missing mappings on its way written
//! as flow mappings (`moves: { share: 0.5 }`). The result keeps a map from
//! each of its bytes back to where it came from: the original text, or the
//! key or value of one splice.

use super::walk::{self, Insertion, Place, Refusal};
use std::collections::BTreeMap;
use std::ops::Range;

/// One value to splice.
pub struct Request<'a> {
    /// The path, split into segments.
    pub path: &'a [String],
    /// The value, as flow YAML on one line.
    pub value: &'a str,
}

/// Why the values could not be spliced.
#[derive(Debug, PartialEq, Eq)]
pub enum SpliceError {
    /// The text could not be walked; the reader says why.
    Unwalkable,
    /// Request `index` cannot be applied, for this reason.
    Refused {
        /// Which request.
        index: usize,
        /// What is wrong with its path here.
        message: String,
    },
}

/// Where a byte of the spliced text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The original text, from this byte offset on.
    Original(usize),
    /// Keys and punctuation written for request `n`.
    Key(usize),
    /// The value of request `n`.
    Value(usize),
}

/// Spliced text and where each part came from.
#[derive(Debug)]
pub struct Spliced {
    /// The text, every value in place.
    pub text: String,
    /// Parts of `text` by start offset, in order, covering it all.
    pieces: Vec<(usize, Origin)>,
}

impl Spliced {
    /// Where byte `offset` of the spliced text came from, and how far into
    /// that part it lies.
    pub fn origin(&self, offset: usize) -> (Origin, usize) {
        let i = self.pieces.partition_point(|&(at, _)| at <= offset).saturating_sub(1);
        match self.pieces.get(i) {
            Some(&(at, Origin::Original(from))) => (Origin::Original(from + (offset - at)), 0),
            Some(&(at, origin)) => (origin, offset.saturating_sub(at)),
            None => (Origin::Original(offset), 0),
        }
    }
}

/// Text to write, part by part.
type Parts = Vec<(String, Origin)>;

/// The keys still to create under one place, in request order.
#[derive(Default)]
struct Tree<'a> {
    entries: Vec<(&'a str, Branch<'a>)>,
    /// Where each key is in `entries`.
    index: BTreeMap<&'a str, usize>,
}

enum Branch<'a> {
    /// A value: request `n`'s.
    Leaf(usize),
    /// A mapping to create, first asked for by request `n`.
    Inner(usize, Tree<'a>),
}

impl<'a> Tree<'a> {
    fn add(&mut self, rest: &'a [String], request: usize) {
        let Some((first, more)) = rest.split_first() else { return };
        let existing = match self.index.get(first.as_str()) {
            Some(&i) => Some(&mut self.entries[i]),
            None => None,
        };
        match (existing, more.is_empty()) {
            (None, true) => {
                self.index.insert(first, self.entries.len());
                self.entries.push((first, Branch::Leaf(request)));
            }
            (None, false) => {
                let mut tree = Tree::default();
                tree.add(more, request);
                self.index.insert(first, self.entries.len());
                self.entries.push((first, Branch::Inner(request, tree)));
            }
            (Some((_, Branch::Inner(_, tree))), false) => tree.add(more, request),
            // Prefixes are refused before: a path never ends where another
            // goes on.
            (Some(_), _) => {}
        }
    }

    fn first(&self) -> usize {
        match self.entries.first() {
            Some((_, Branch::Leaf(n) | Branch::Inner(n, _))) => *n,
            None => 0,
        }
    }
}

impl Branch<'_> {
    fn owner(&self) -> usize {
        match self {
            Branch::Leaf(n) | Branch::Inner(n, _) => *n,
        }
    }

    /// The branch as one flow value.
    fn flow(&self, values: &[Request<'_>], out: &mut Parts) {
        match self {
            Branch::Leaf(n) => out.push((values[*n].value.to_string(), Origin::Value(*n))),
            Branch::Inner(n, tree) => {
                out.push(("{ ".into(), Origin::Key(*n)));
                for (i, (key, branch)) in tree.entries.iter().enumerate() {
                    let owner = Origin::Key(branch.owner());
                    let sep = if i > 0 { ", " } else { "" };
                    out.push((format!("{sep}{key}: "), owner));
                    branch.flow(values, out);
                }
                out.push((" }".into(), Origin::Key(*n)));
            }
        }
    }
}

/// A replacement of `range` (empty for an insertion) by `parts`.
struct Edit {
    range: Range<usize>,
    parts: Parts,
}

/// Whether a segment indexes a list.
fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())
}

fn dotted(path: &[String]) -> String {
    path.join(".")
}

fn refusal(path: &[String], matched: usize, why: &Refusal) -> String {
    let here = dotted(&path[..matched]);
    let next = path.get(matched).map_or("", String::as_str);
    match why {
        Refusal::Scalar(value) => {
            let shown: String = value.chars().take(40).collect();
            format!(
                "`{here}` is the value `{}`, not a mapping or a list, so `{}` cannot be set",
                shown.escape_debug(),
                dotted(path)
            )
        }
        Refusal::Alias => format!(
            "`{here}` is an alias (`*name`), which a path cannot go through; set the \
             anchored value instead"
        ),
        Refusal::NameOnList => {
            format!("`{here}` is a list: index it with a number (`{here}.0`), not `{next}`")
        }
        Refusal::OutOfRange { len: 0 } => format!("`{here}` is an empty list; it has no `{next}`"),
        Refusal::OutOfRange { len: 1 } => {
            format!("`{here}` has 1 entry, numbered 0; it has no entry {next}")
        }
        Refusal::OutOfRange { len } => {
            format!("`{here}` has {len} entries, numbered 0 to {}; it has no entry {next}", len - 1)
        }
    }
}

/// Refuses a path that is a prefix of another's (or the same): the two
/// would write over each other.
fn check_overlaps(paths: &[Vec<String>]) -> Result<(), SpliceError> {
    let mut given = super::PathSet::default();
    for (j, b) in paths.iter().enumerate() {
        if let Some(i) = given.add(b) {
            let a = &paths[i];
            let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
            let message = if a == b {
                format!("`{}` is given twice", dotted(b))
            } else {
                format!("`{}` lies inside `{}`: give one or the other", dotted(long), dotted(short))
            };
            return Err(SpliceError::Refused { index: j, message });
        }
    }
    Ok(())
}

/// Missing parts of a path may not index a list that is not there.
fn check_creatable(request: &Request<'_>, matched: usize, index: usize) -> Result<(), SpliceError> {
    let path = request.path;
    for (i, segment) in path.iter().enumerate().skip(matched + 1) {
        if is_index(segment) {
            return Err(SpliceError::Refused {
                index,
                message: format!(
                    "`{}` is not in the file, so it has no entry {segment} to set",
                    dotted(&path[..i])
                ),
            });
        }
    }
    Ok(())
}

/// Where each of some paths leads in a text: the walk that splicing
/// needs, done once for any values spliced at those paths.
#[derive(Debug)]
pub struct Places(Vec<Place>);

/// Walks `text` for `paths`, refusing two that overlap.
pub fn places(text: &str, paths: &[Vec<String>]) -> Result<Places, SpliceError> {
    check_overlaps(paths)?;
    let found = walk::walk(text, paths, None).map_err(|_| SpliceError::Unwalkable)?;
    Ok(Places(found.places))
}

/// Splices every request into `text`.
#[cfg(test)]
pub fn splice(text: &str, requests: &[Request<'_>]) -> Result<Spliced, SpliceError> {
    let paths: Vec<Vec<String>> = requests.iter().map(|r| r.path.to_vec()).collect();
    splice_at(text, requests, &places(text, &paths)?)
}

/// Splices every request into `text`, at the `places` found for their
/// paths (in the same order).
pub fn splice_at(
    text: &str,
    requests: &[Request<'_>],
    found: &Places,
) -> Result<Spliced, SpliceError> {
    let mut edits: Vec<Edit> = Vec::new();
    // Insertions and null replacements grouped by place, in request order,
    // with where each place's group is.
    let mut inserts: Vec<(Insertion, Tree<'_>)> = Vec::new();
    let mut insert_at: BTreeMap<usize, usize> = BTreeMap::new();
    let mut nulls: Vec<(Range<usize>, Option<Range<usize>>, Tree<'_>)> = Vec::new();
    let mut null_at: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (n, (request, place)) in requests.iter().zip(found.0.iter().cloned()).enumerate() {
        match place {
            Place::Found { range, key } => {
                let mut parts = Vec::new();
                if let Some(key) = key {
                    parts.push((format!("{}: ", &text[key]), Origin::Key(n)));
                } else if text[range.clone()].starts_with(':') {
                    parts.push((": ".to_string(), Origin::Key(n)));
                }
                parts.push((request.value.to_string(), Origin::Value(n)));
                edits.push(Edit { range, parts });
            }
            Place::Null { range, key, matched } => {
                check_creatable(request, matched, n)?;
                let rest = &request.path[matched..];
                match null_at.get(&(range.start, range.end)) {
                    Some(&i) => nulls[i].2.add(rest, n),
                    None => {
                        let mut tree = Tree::default();
                        tree.add(rest, n);
                        null_at.insert((range.start, range.end), nulls.len());
                        nulls.push((range, key, tree));
                    }
                }
            }
            Place::Missing { matched, at } => {
                check_creatable(request, matched, n)?;
                let rest = &request.path[matched..];
                match insert_at.get(&at.offset()) {
                    Some(&i) => inserts[i].1.add(rest, n),
                    None => {
                        let mut tree = Tree::default();
                        tree.add(rest, n);
                        insert_at.insert(at.offset(), inserts.len());
                        inserts.push((at, tree));
                    }
                }
            }
            Place::Refused { matched, why } => {
                return Err(SpliceError::Refused {
                    index: n,
                    message: refusal(request.path, matched, &why),
                });
            }
        }
    }
    for (range, key, tree) in nulls {
        let mut parts = Vec::new();
        if let Some(key) = key {
            parts.push((format!("{}: ", &text[key]), Origin::Key(tree.first())));
        } else if text[range.clone()].starts_with(':') {
            parts.push((": ".to_string(), Origin::Key(tree.first())));
        }
        Branch::Inner(tree.first(), tree).flow(requests, &mut parts);
        edits.push(Edit { range, parts });
    }
    for (at, tree) in inserts {
        let mut parts = Vec::new();
        match at {
            Insertion::Block { at, indent } => {
                for (key, branch) in &tree.entries {
                    let owner = Origin::Key(branch.owner());
                    parts.push((format!("{key}: "), owner));
                    branch.flow(requests, &mut parts);
                    parts.push((format!("\n{}", " ".repeat(indent)), owner));
                }
                edits.push(Edit { range: at..at, parts });
            }
            Insertion::Flow { at, empty } => {
                for (i, (key, branch)) in tree.entries.iter().enumerate() {
                    let owner = Origin::Key(branch.owner());
                    let sep = if i > 0 && empty { "," } else { "" };
                    parts.push((format!("{sep} {key}: "), owner));
                    branch.flow(requests, &mut parts);
                    if !empty {
                        parts.push((",".into(), owner));
                    } else if i + 1 == tree.entries.len() {
                        parts.push((" ".into(), owner));
                    }
                }
                edits.push(Edit { range: at..at, parts });
            }
        }
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    apply(text, edits)
}

fn apply(text: &str, edits: Vec<Edit>) -> Result<Spliced, SpliceError> {
    let mut out = String::with_capacity(text.len() + 256);
    let mut pieces = Vec::with_capacity(2 * edits.len() + 1);
    let mut copied = 0;
    for edit in edits {
        if edit.range.start < copied
            || !text.is_char_boundary(edit.range.start)
            || !text.is_char_boundary(edit.range.end)
        {
            // Two edits over the same bytes: the walk found nested places,
            // which the prefix check rules out.
            return Err(SpliceError::Unwalkable);
        }
        if edit.range.start > copied {
            pieces.push((out.len(), Origin::Original(copied)));
            out.push_str(&text[copied..edit.range.start]);
        }
        for (part, origin) in edit.parts {
            if part.is_empty() {
                continue;
            }
            if pieces.last().is_none_or(|&(_, o)| o != origin) {
                pieces.push((out.len(), origin));
            }
            out.push_str(&part);
        }
        copied = edit.range.end;
    }
    pieces.push((out.len(), Origin::Original(copied)));
    out.push_str(&text[copied..]);
    Ok(Spliced { text: out, pieces })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splices `sets` (`path=value`) into `text`.
    fn spliced(text: &str, sets: &[(&str, &str)]) -> Result<String, SpliceError> {
        let paths: Vec<Vec<String>> =
            sets.iter().map(|(p, _)| p.split('.').map(String::from).collect()).collect();
        let requests: Vec<Request<'_>> =
            sets.iter().zip(&paths).map(|((_, v), path)| Request { path, value: v }).collect();
        splice(text, &requests).map(|s| s.text)
    }

    fn check(text: &str, sets: &[(&str, &str)], expected: &str) {
        assert_eq!(spliced(text, sets).unwrap_or_else(|e| panic!("{e:?}")), expected);
    }

    fn refused(text: &str, sets: &[(&str, &str)]) -> String {
        match spliced(text, sets) {
            Err(SpliceError::Refused { message, .. }) => message,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn replaces_block_and_flow_values() {
        let text = "a: 1\nb:\n  c: 2 # why\n  d: { e: 3, f: [1, 2] }\n";
        check(text, &[("a", "7")], "a: 7\nb:\n  c: 2 # why\n  d: { e: 3, f: [1, 2] }\n");
        check(text, &[("b.c", "12h")], "a: 1\nb:\n  c: 12h # why\n  d: { e: 3, f: [1, 2] }\n");
        check(
            text,
            &[("b.d.e", "{ u: [1m, 5m] }")],
            "a: 1\nb:\n  c: 2 # why\n  d: { e: { u: [1m, 5m] }, f: [1, 2] }\n",
        );
        check(text, &[("b.d.f.1", "9")], "a: 1\nb:\n  c: 2 # why\n  d: { e: 3, f: [1, 9] }\n");
        check(text, &[("b", "{ c: 1 }")], "a: 1\nb: { c: 1 }\n");
        check(
            text,
            &[("a", "2"), ("b.d.e", "4")],
            "a: 2\nb:\n  c: 2 # why\n  d: { e: 4, f: [1, 2] }\n",
        );
    }

    #[test]
    fn replaces_list_entries_and_block_scalars() {
        let text = "l:\n  - a\n  - name: x\n    y: 1\n  - |\n    text\nm: >\n  folded\nn: 1\n";
        check(
            text,
            &[("l.0", "b")],
            "l:\n  - b\n  - name: x\n    y: 1\n  - |\n    text\nm: >\n  folded\nn: 1\n",
        );
        check(
            text,
            &[("l.1", "{ name: z }")],
            "l:\n  - a\n  - { name: z }\n  - |\n    text\nm: >\n  folded\nn: 1\n",
        );
        check(
            text,
            &[("l.2", "t")],
            "l:\n  - a\n  - name: x\n    y: 1\n  - t\nm: >\n  folded\nn: 1\n",
        );
        check(
            text,
            &[("m", "f")],
            "l:\n  - a\n  - name: x\n    y: 1\n  - |\n    text\nm: f\nn: 1\n",
        );
        check(
            text,
            &[("l.1.y", "2")],
            "l:\n  - a\n  - name: x\n    y: 2\n  - |\n    text\nm: >\n  folded\nn: 1\n",
        );
    }

    #[test]
    fn inserts_missing_keys() {
        // Into a block mapping, before its first key, at its indentation.
        check("a:\n  b: 1\n", &[("a.c", "2")], "a:\n  c: 2\n  b: 1\n");
        check("# top\nname: x\n", &[("seed", "3")], "# top\nseed: 3\nname: x\n");
        check("l:\n  - name: x\n", &[("l.0.z", "1")], "l:\n  - z: 1\n    name: x\n");
        // Into a flow mapping, after its brace.
        check("a: { b: 1 }\n", &[("a.c", "2")], "a: { c: 2, b: 1 }\n");
        check("a: {}\n", &[("a.c", "2")], "a: { c: 2 }\n");
        check("a: {}\n", &[("a.c", "2"), ("a.d", "3")], "a: { c: 2, d: 3 }\n");
        // Missing mappings on the way are created as flow mappings, shared
        // between paths.
        check(
            "p:\n  n: 1\n",
            &[("p.moves.share", "0.5"), ("p.moves.every", "1d"), ("p.user.x", "1")],
            "p:\n  moves: { share: 0.5, every: 1d }\n  user: { x: 1 }\n  n: 1\n",
        );
        check("a: 1\n", &[("p.m.s", "0.5")], "p: { m: { s: 0.5 } }\na: 1\n");
        // A null becomes a mapping.
        check("a:\nb: 1\n", &[("a.c", "2")], "a: { c: 2 }\nb: 1\n");
        check("a: ~\n", &[("a.c.d", "2")], "a: { c: { d: 2 } }\n");
    }

    #[test]
    fn refuses_what_cannot_be_set() {
        let text = "a: 1\nl: [1, 2]\nm: {}\n";
        assert_eq!(
            refused(text, &[("a.b", "1")]),
            "`a` is the value `1`, not a mapping or a list, so `a.b` cannot be set"
        );
        assert_eq!(
            refused(text, &[("l.5", "1")]),
            "`l` has 2 entries, numbered 0 to 1; it has no entry 5"
        );
        assert_eq!(
            refused(text, &[("l.x", "1")]),
            "`l` is a list: index it with a number (`l.0`), not `x`"
        );
        assert_eq!(
            refused(text, &[("m.x.0", "1")]),
            "`m.x` is not in the file, so it has no entry 0 to set"
        );
        assert_eq!(refused(text, &[("a", "1"), ("a", "2")]), "`a` is given twice");
        assert_eq!(
            refused(text, &[("m", "1"), ("m.x", "2")]),
            "`m.x` lies inside `m`: give one or the other"
        );
        assert_eq!(spliced("a: [", &[("a", "1")]), Err(SpliceError::Unwalkable));
        // A pair in a flow list has no braces: inserting would make a new
        // entry, so the set is refused; replacing its value is fine.
        assert_eq!(spliced("a: [ x: 1 ]\n", &[("a.0.y", "2")]), Err(SpliceError::Unwalkable));
        check("a: [ x: 1 ]\n", &[("a.0.x", "2")], "a: [ x: 2 ]\n");
    }

    #[test]
    fn every_byte_maps_back() {
        let text = "a: 1\nb: { c: 2 }\nd: x\n";
        let path_b: Vec<String> = vec!["b".into(), "e".into()];
        let path_a: Vec<String> = vec!["a".into()];
        let requests =
            [Request { path: &path_a, value: "[10, 20]" }, Request { path: &path_b, value: "5" }];
        let s = splice(text, &requests).unwrap();
        assert_eq!(s.text, "a: [10, 20]\nb: { e: 5, c: 2 }\nd: x\n");
        let at = |needle: &str| s.text.find(needle).unwrap();
        assert_eq!(s.origin(at("20")), (Origin::Value(0), 5));
        assert_eq!(s.origin(at("a: [")), (Origin::Key(0), 0));
        assert_eq!(s.origin(at("e:")), (Origin::Key(1), 1));
        assert_eq!(s.origin(at("5")), (Origin::Value(1), 0));
        assert_eq!(s.origin(at("c:")), (Origin::Original(text.find("c:").unwrap()), 0));
        assert_eq!(s.origin(at("d:")), (Origin::Original(text.find("d:").unwrap()), 0));
        assert_eq!(s.origin(0), (Origin::Key(0), 0));
    }
}
