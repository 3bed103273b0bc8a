//! Scenario files: reading, defaults, validation, located errors.
//!
//! Architecture invariant: this is the only module that knows YAML. It turns
//! a file into a validated [`World`] or a [`ScenarioError`] naming the file,
//! line and column; it never panics on any input.

mod error;
pub mod expect;
pub mod file;
pub(crate) mod limits;
pub mod population;
pub mod schema;
pub mod set;
pub mod validate;
mod values;

pub use error::ScenarioError;
pub use limits::{
    DEFAULT_MAX_EVENTS, DEFAULT_MAX_OUTPUT, MAX_DATABASES, MAX_MEMORY_BYTES, MAX_POLICIES,
    MAX_REMINDERS, Writes, bytes_text,
};
pub use set::{Set, SweepKey};
pub use values::Slug;
pub(crate) use values::{DOMAIN, NAME, SUBJECT, TextRule, check_text, unsafe_char};

use crate::model::World;
use serde_saphyr::{MessageFormatter, UserMessageFormatter, alias_limits, budget, options};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Largest scenario file read, in bytes. Explicit scenarios are a few
/// kilobytes; generated populations are described, not listed.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Values given on the command line that replace the file's.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Replaces `seed:`.
    pub seed: Option<u64>,
    /// Most events a run may handle, summed over its policies
    /// (`--max-events`); default [`DEFAULT_MAX_EVENTS`].
    pub max_events: Option<u64>,
    /// Most bytes a run's folder may take (`--max-output`); default
    /// [`DEFAULT_MAX_OUTPUT`]. Checked only when `writes` is a folder.
    pub max_output: Option<u64>,
    /// What the command writes for the run, for the output estimate.
    pub writes: Writes,
    /// `--policy`: which policies run, chosen before the estimate, which
    /// depends on how many do.
    pub policies: PolicyChoice,
    /// `--set KEY=VALUE`: values spliced into the text before it is read
    /// ([`set`]), in order.
    pub sets: Vec<Set>,
}

/// Which of a scenario's policies a command runs (`--policy`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PolicyChoice {
    /// The scenario's own.
    #[default]
    AsWritten,
    /// These, in this order, built-in or defined in the scenario (`run` and
    /// `sweep`): a name the scenario cannot run is an error.
    Only(Vec<String>),
    /// Those of the scenario's that are named (`check`, over many
    /// scenarios): the others are left out, and none may be left.
    Keep(Vec<String>),
}

impl PolicyChoice {
    /// `Only(names)`, or the scenario's own when `names` is empty.
    pub fn only(names: &[String]) -> PolicyChoice {
        if names.is_empty() { PolicyChoice::AsWritten } else { PolicyChoice::Only(names.to_vec()) }
    }

    /// `Keep(names)`, or the scenario's own when `names` is empty.
    pub fn keep(names: &[String]) -> PolicyChoice {
        if names.is_empty() { PolicyChoice::AsWritten } else { PolicyChoice::Keep(names.to_vec()) }
    }
}

/// Reads and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<World, ScenarioError> {
    load_with(path, &Overrides::default())
}

/// Reads and validates the scenario at `path`, with `overrides` applied.
pub fn load_with(path: &Path, overrides: &Overrides) -> Result<World, ScenarioError> {
    let bytes = read_file(path)?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    parse_bytes(&bytes, &path.display().to_string(), stem, overrides)
}

/// The bytes of the scenario file at `path`: a regular file of at most
/// [`MAX_FILE_BYTES`].
pub fn read_file(path: &Path) -> Result<Vec<u8>, ScenarioError> {
    let shown = path.display().to_string();
    let fail = |msg: String| ScenarioError::file(&shown, msg);
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    if meta.is_dir() {
        return Err(fail("is a folder, not a scenario file".into()));
    }
    if !meta.is_file() {
        // A FIFO, a device or a socket could block or never end.
        return Err(fail("is not a regular file".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(format!(
            "is {} bytes; scenario files are limited to {} bytes",
            meta.len(),
            MAX_FILE_BYTES
        )));
    }
    // Read at most one byte past the limit: the file may grow after the
    // size check.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_FILE_BYTES + 1), &mut bytes)
        })
        .map_err(|e| fail(format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(format!("is larger than {MAX_FILE_BYTES} bytes")));
    }
    Ok(bytes)
}

/// Reads and validates every scenario in `paths`, in order; when any is not
/// valid, every error (not just the first).
pub fn load_all(
    paths: &[PathBuf],
    overrides: &Overrides,
) -> Result<Vec<World>, Vec<ScenarioError>> {
    let mut worlds = Vec::with_capacity(paths.len());
    let mut errors = Vec::new();
    for path in paths {
        match load_with(path, overrides) {
            Ok(world) => worlds.push(world),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(worlds) } else { Err(errors) }
}

/// Validates scenario text given as bytes (which must be UTF-8).
pub fn parse_bytes(
    bytes: &[u8],
    path: &str,
    fallback_name: &str,
    overrides: &Overrides,
) -> Result<World, ScenarioError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text, path, fallback_name, overrides),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() as u64 + 1;
            let text = String::from_utf8_lossy(bytes);
            Err(ScenarioError::at_line_column(
                path,
                &text,
                line,
                column,
                format!(
                    "expected UTF-8 text; found the byte 0x{:02X}, which is not valid UTF-8",
                    bytes[e.valid_up_to()]
                ),
            ))
        }
    }
}

/// Validates scenario text. `path` names it in errors; `fallback_name`
/// names a scenario that has no `name:` key.
pub fn parse(
    text: &str,
    path: &str,
    fallback_name: &str,
    overrides: &Overrides,
) -> Result<World, ScenarioError> {
    read(text, path, fallback_name, overrides, Mode::File).map(|(world, _)| world)
}

/// Validates scenario text as [`parse`] does, each value of its `sweep:`
/// grid included (even one a `--set` will replace: every row of a sweep
/// must be reproducible with `cnasim run`, which reads the file so), and
/// returns that key, if any.
pub fn parse_sweep(
    text: &str,
    path: &str,
    fallback_name: &str,
    overrides: &Overrides,
) -> Result<(World, Option<SweepKey>), ScenarioError> {
    read(text, path, fallback_name, overrides, Mode::File)
}

/// Validates one point of a sweep: as [`parse`], but without checking the
/// `sweep:` key's values again (the sweep checked them once).
pub fn parse_point(
    text: &str,
    path: &str,
    fallback_name: &str,
    overrides: &Overrides,
) -> Result<World, ScenarioError> {
    read(text, path, fallback_name, overrides, Mode::Point).map(|(world, _)| world)
}

/// What reading a text checks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A file as given: also each value of its `sweep:` grid.
    File,
    /// A point of a sweep, about to run: not the grid's values again.
    Point,
    /// A point of a sweep's grid, spliced in to check its values, not to
    /// run: a population is checked but not generated.
    Value,
}

/// Splices `overrides.sets` into `text`, then reads it; errors are located
/// in `text` (or at the set that brought the text in).
fn read(
    text: &str,
    path: &str,
    fallback_name: &str,
    overrides: &Overrides,
    mode: Mode,
) -> Result<(World, Option<SweepKey>), ScenarioError> {
    if overrides.sets.is_empty() {
        return read_text(text, path, fallback_name, overrides, mode);
    }
    let prepared = prepare(text, path, fallback_name, overrides)?;
    read_prepared(text, path, fallback_name, overrides, mode, &prepared)
}

/// Walks `text` for the keys of `overrides.sets`, once for any values.
fn prepare(
    text: &str,
    path: &str,
    fallback_name: &str,
    overrides: &Overrides,
) -> Result<set::Prepared, ScenarioError> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(ScenarioError::file(path, format!("is larger than {MAX_FILE_BYTES} bytes")));
    }
    match set::prepare(text, path, &overrides.sets) {
        Ok(prepared) => Ok(prepared),
        Err(set::ApplyError::Refused(e)) => Err(e),
        Err(set::ApplyError::Unreadable) => Err(unreadable(text, path, fallback_name, overrides)),
    }
}

/// Why sets cannot be spliced into `text`: the reader says what is wrong
/// with the text, if anything.
fn unreadable(text: &str, path: &str, fallback_name: &str, overrides: &Overrides) -> ScenarioError {
    match read_text(text, path, fallback_name, overrides, Mode::Value) {
        Err(e) => e,
        Ok(_) => ScenarioError::file(
            path,
            "--set cannot find its way in this file's YAML; write the value in the file",
        ),
    }
}

/// Splices `overrides.sets` into `text` at the places `prepared` found,
/// then reads it; errors are located in `text` (or at the set that brought
/// the text in).
fn read_prepared(
    text: &str,
    path: &str,
    fallback_name: &str,
    overrides: &Overrides,
    mode: Mode,
    prepared: &set::Prepared,
) -> Result<(World, Option<SweepKey>), ScenarioError> {
    let applied = match prepared.apply(text, path, &overrides.sets) {
        Ok(applied) => applied,
        Err(set::ApplyError::Refused(e)) => return Err(e),
        Err(set::ApplyError::Unreadable) => {
            return Err(unreadable(text, path, fallback_name, overrides));
        }
    };
    read_text(applied.text(), path, fallback_name, overrides, mode).map_err(|e| {
        let (e, from_a_set) = applied.relocate(e, text, &overrides.sets);
        if mode == Mode::Value && !from_a_set {
            // An error the values caused elsewhere: say which they were.
            with_point(e, &overrides.sets)
        } else {
            e
        }
    })
}

/// `e`, which a grid point's values caused outside their own text, with
/// those values (the first three).
fn with_point(mut e: ScenarioError, sets: &[Set]) -> ScenarioError {
    let shown: Vec<String> = sets.iter().take(3).map(Set::argument).collect();
    let more = match sets.len().saturating_sub(3) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    e.message = format!("{} (with the sweep values {}{more})", e.message, shown.join(", "));
    e
}

/// How many texts this process has read (parsed and validated), for a
/// test that checking a sweep's grid costs a read per diagonal point, not
/// a read per value.
static TEXT_READS: AtomicU64 = AtomicU64::new(0);

/// How many scenario texts this process has read so far: the file itself
/// and each grid point checked count one each. For tests of the cost of
/// validation; nothing depends on it.
#[doc(hidden)]
pub fn text_reads() -> u64 {
    TEXT_READS.load(Ordering::Relaxed)
}

/// The grid points that check every value of a sweep's grid whose keys
/// have `counts` values: point `j` takes value `min(j, count - 1)` of each
/// key, for `j` below the largest count. Each value is then checked in a
/// real grid point (one `cnasim sweep` runs, so every row it writes can be
/// reproduced with `cnasim run`), and the file is read once per point,
/// not once per value.
fn diagonal(counts: &[usize]) -> impl Iterator<Item = Vec<usize>> + '_ {
    let points = counts.iter().copied().max().unwrap_or(0);
    (0..points).map(move |j| counts.iter().map(|&n| j.min(n.saturating_sub(1))).collect())
}

/// Checks every value of `grid` against `text` (already read): the
/// [`diagonal`] points, in parallel; the first error in point order is
/// the one reported.
fn check_grid(
    text: &str,
    path: &str,
    fallback_name: &str,
    overrides: &Overrides,
    grid: &[set::GridKey],
) -> Result<(), ScenarioError> {
    use rayon::prelude::*;
    let counts: Vec<usize> = grid.iter().map(|k| k.values.len()).collect();
    let points: Vec<Vec<usize>> = diagonal(&counts).collect();
    let with = |point: &[usize]| Overrides {
        sets: grid.iter().zip(point).map(|(k, &i)| k.values[i].clone()).collect(),
        ..overrides.clone()
    };
    let Some(first) = points.first() else { return Ok(()) };
    // Every point sets the same keys: one walk finds where they go.
    let prepared = prepare(text, path, fallback_name, &with(first))?;
    let checked: Vec<Result<(), ScenarioError>> = points
        .par_iter()
        .map(|point| {
            let one = with(point);
            read_prepared(text, path, fallback_name, &one, Mode::Value, &prepared).map(|_| ())
        })
        .collect();
    checked.into_iter().collect()
}

fn read_text(
    text: &str,
    path: &str,
    fallback_name: &str,
    overrides: &Overrides,
    mode: Mode,
) -> Result<(World, Option<SweepKey>), ScenarioError> {
    TEXT_READS.fetch_add(1, Ordering::Relaxed);
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(ScenarioError::file(path, format!("is larger than {MAX_FILE_BYTES} bytes")));
    }
    let blank = |line: &str| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#')
    };
    if text.lines().all(blank) {
        return Err(ScenarioError::file(
            path,
            "the file is empty; a scenario needs at least `start`, `end` and `databases`",
        ));
    }
    if let Some((at, c, kind)) = values::first_unsafe_written(text) {
        return Err(set::at_offset(
            path,
            text,
            at,
            format!(
                "expected text without control characters (but tabs and line breaks), \
                 bidirectional formatting characters or line and paragraph separators, \
                 anywhere in the file; found U+{:04X} ({kind})",
                c as u32
            ),
        ));
    }
    // serde-saphyr would decode `!!binary`, read `!!str 5` as text and drop
    // other tags; no scenario needs one, so each is refused where it is.
    // Only text with a `!` can hold one: other files cost nothing.
    if text.as_bytes().contains(&b'!')
        && let Some((tag, at)) = set::first_tag(text)
    {
        return Err(set::at_offset(path, text, at, set::tag_refusal(&tag)));
    }
    let options = options! {
        budget: budget! {
            max_reader_input_bytes: Some(MAX_FILE_BYTES as usize),
            max_total_scalar_bytes: MAX_FILE_BYTES as usize,
            max_depth: yaml_limits::MAX_DEPTH,
            flow_nesting_limit: yaml_limits::MAX_DEPTH,
            max_documents: 1,
            max_anchors: yaml_limits::MAX_ANCHORS,
            max_aliases: yaml_limits::MAX_ALIASES,
            max_merge_keys: yaml_limits::MAX_ANCHORS,
            max_recorded_anchor_events: yaml_limits::MAX_ALIAS_EXPANSION,
            max_events: 2 * yaml_limits::MAX_NODES,
            max_nodes: yaml_limits::MAX_NODES,
            // The absolute limits above bound the work; the heuristic
            // (more than 10 aliases per anchor) refused an honest file
            // whose one anchor 100 merge keys use.
            enforce_alias_anchor_ratio: false,
        },
        alias_limits: alias_limits! {
            max_total_replayed_events: yaml_limits::MAX_ALIAS_EXPANSION,
            max_replay_stack_depth: yaml_limits::MAX_DEPTH,
        },
        strict_booleans: true,
    };
    let file: file::ScenarioFile = serde_saphyr::from_str_with_options(text, options)
        .map_err(|e| yaml_error(&e, text, path))?;
    let src = validate::Source { path, text };
    let mut world =
        validate::validate_with(&file, &src, fallback_name, overrides, mode != Mode::Value)?;
    match &overrides.policies {
        PolicyChoice::AsWritten => {}
        PolicyChoice::Only(names) => {
            world.policies = world
                .select_policies(names)
                .map_err(|why| ScenarioError::file(path, format!("--policy: {why}")))?;
        }
        PolicyChoice::Keep(names) => world.policies.retain(|p| names.contains(&p.name)),
    }
    let max_output = overrides.max_output.unwrap_or(DEFAULT_MAX_OUTPUT);
    world.estimate = limits::check(&file, &world, &src, overrides.writes, max_output)?;
    if mode != Mode::File {
        // A point or a value: the file's `sweep:` was checked with it.
        return Ok((world, None));
    }
    let sweep = file.sweep.as_ref().map(|s| set::sweep_key::read(s, &src)).transpose()?;
    if let Some(sweep) = &sweep {
        // Every value of the grid, spliced into this text, must give a
        // valid scenario in a grid point (`cnasim sweep` checks every
        // combination).
        check_grid(text, path, fallback_name, overrides, &sweep.grid)?;
    }
    Ok((world, sweep))
}

/// How much YAML a scenario may use: a scenario nests about six levels and
/// has little use for anchors, so alias bombs and deep nesting fail fast.
pub mod yaml_limits {
    /// Deepest nesting of mappings and lists (and of aliases replaying
    /// aliases).
    pub const MAX_DEPTH: usize = 16;
    /// Most anchors (`&name`), and most merge keys (`<<`).
    pub const MAX_ANCHORS: usize = 1_000;
    /// Most aliases (`*name`, merge keys' included).
    pub const MAX_ALIASES: usize = 10_000;
    /// Most nodes that aliases may replay in all (and that anchored values
    /// may record, aliases inside them included).
    pub const MAX_ALIAS_EXPANSION: usize = 100_000;
    /// Most nodes (mappings, lists and scalars): room for about 100,000
    /// explicit mailboxes; larger worlds are described by `population:`.
    pub const MAX_NODES: usize = 2_500_000;
}

/// What a breached YAML budget means for a scenario's author, and what to
/// do about it. A breach is what the file does, not a judgement of intent:
/// an honest file may use one anchor a thousand times.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> Option<String> {
    use serde_saphyr::budget::BudgetBreach as B;
    use yaml_limits::*;
    Some(match breach {
        B::Depth { .. } => {
            format!("the YAML nests deeper than {MAX_DEPTH} levels; a scenario needs about six")
        }
        B::Aliases { .. } => format!(
            "the YAML has more than {MAX_ALIASES} aliases (`*name`, `<<: *name`); write the \
             values out, or use fewer references"
        ),
        B::RecordedAnchorEvents { .. } | B::AliasAnchorRatio { .. } => replay_message(),
        B::RecordedAnchorBytes { .. } => "the YAML's aliases and merge keys (`*name`, \
             `<<: *name`) copy more text than a scenario holds; write the values out, or use \
             fewer references"
            .to_string(),
        B::Anchors { .. } => format!(
            "the YAML has more than {MAX_ANCHORS} anchors (`&name`); write the values out, or \
             share fewer of them"
        ),
        B::MergeKeys { .. } => format!(
            "the YAML has more than {MAX_ANCHORS} merge keys (`<<`); write the values out, or \
             describe many mailboxes with `population:`"
        ),
        B::Nodes { .. } | B::Events { .. } => format!(
            "the YAML has more than {MAX_NODES} values (aliases counting as what they \
             replay); split the scenario into smaller ones, or describe many mailboxes with \
             `population:`"
        ),
        B::ScalarBytes { .. } => format!(
            "the YAML's text, with what its aliases replay, is larger than {MAX_FILE_BYTES} \
             bytes"
        ),
        B::InputBytes { .. } => format!("the YAML is larger than {MAX_FILE_BYTES} bytes"),
        B::Documents { .. } => "only one YAML document is expected per file".to_string(),
        _ => return None,
    })
}

/// When aliases and merge keys replay too much.
fn replay_message() -> String {
    format!(
        "the YAML's aliases and merge keys (`*name`, `<<: *name`) replay more than {} nodes in \
         all; write the values out, or use fewer references",
        yaml_limits::MAX_ALIAS_EXPANSION
    )
}

fn yaml_error(e: &serde_saphyr::Error, text: &str, path: &str) -> ScenarioError {
    // The error itself, without the snippet or alias locations wrapped
    // around it; the location stays the outer one (where an alias is used).
    let mut inner = e;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = inner
    {
        inner = error;
    }
    let message = match inner {
        serde_saphyr::Error::Budget { breach, .. } => budget_message(breach),
        serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. } => Some(replay_message()),
        serde_saphyr::Error::AliasReplayStackDepthExceeded { .. } => Some(format!(
            "the YAML's aliases replay aliases more than {} deep; write the values out",
            yaml_limits::MAX_DEPTH
        )),
        _ => None,
    }
    .unwrap_or_else(|| UserMessageFormatter.format_message(inner).into_owned());
    // The parser's own words, where they are its jargon: flow nesting past
    // `flow_nesting_limit`, and a value of the wrong shape.
    let message = match message.as_str() {
        "recursion limit exceeded" => format!(
            "the YAML nests deeper than {} levels; a scenario needs about six",
            yaml_limits::MAX_DEPTH
        ),
        "expected mapping start" => "expected a mapping of keys and values (`key: value`)".into(),
        "expected sequence start" => {
            "expected a list (lines starting with `- `, or `[a, b]`)".into()
        }
        _ => message,
    };
    let message: String =
        message.chars().map(|c| if unsafe_char(c).is_some() { ' ' } else { c }).collect();
    match e.location().filter(|l| l.line() > 0) {
        Some(at) => ScenarioError::at(path, text, at, message),
        None => ScenarioError::file(path, message),
    }
}

#[cfg(test)]
mod tests {
    use super::diagonal;

    #[test]
    fn the_diagonal_checks_every_value_in_as_many_points_as_the_longest_list() {
        let points: Vec<Vec<usize>> = diagonal(&[3, 1, 2]).collect();
        assert_eq!(points, [vec![0, 0, 0], vec![1, 0, 1], vec![2, 0, 1]]);
        assert_eq!(diagonal(&[1; 1000]).count(), 1);
        assert_eq!(diagonal(&[1000]).count(), 1000);
        assert_eq!(diagonal(&[]).count(), 0);
        // Every value of every key is in some point.
        let counts = [4, 7, 1, 5];
        let points: Vec<Vec<usize>> = diagonal(&counts).collect();
        for (k, &n) in counts.iter().enumerate() {
            for v in 0..n {
                assert!(points.iter().any(|p| p[k] == v), "key {k} value {v}");
            }
        }
    }
}
