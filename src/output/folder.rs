//! An output folder (a scenario's run, a sweep, a shard): written beside
//! its place under a temporary name, then swapped into place in one step.
//!
//! Architecture invariants:
//! - cnasim replaces only what it wrote: a folder holding the marker file
//!   [`MARKER`] and nothing but the files cnasim writes ([`is_output_file`]:
//!   [`OUTPUT_FILES`], and each policy's Exchange-format logs).
//!   Anything else at the target (a folder of the user's, a file added to
//!   a folder of cnasim's, a file, a link) is refused, before anything
//!   runs, with a message that says what is there and how to proceed,
//!   unless [`Replace::force`]; a folder that holds an input of the run (a
//!   scenario, a shard being merged) is refused even then.
//! - The folder appears complete or not at all, even if the process is
//!   killed: every file and the folder are flushed to disk, then the new
//!   folder and the old one are exchanged in one system call
//!   (`renameat2(RENAME_EXCHANGE)` on Linux, `renameatx_np(RENAME_SWAP)` on
//!   macOS), then the parent folder is flushed. Elsewhere, or on a file
//!   system that refuses the exchange, the old folder is renamed aside to
//!   `.NAME.old-PID-N` and the new one into place; a crash between the two
//!   leaves the old folder there, and the next run that writes NAME puts
//!   it back before anything else.
//! - Each temporary folder holds the marker, locked (an advisory lock) by
//!   the process that writes it for as long as it lives. A later run that
//!   writes NAME removes the `.NAME.tmp-XXXXXX` and `.NAME.old-PID-N`
//!   folders that a killed run left (names of exactly those shapes, marker
//!   present, lock free), and never one that another process is writing.
//!   What a forced replacement moved out of the way is never removed by a
//!   later run: it holds no marker, so it is not cnasim's.

use super::unfinished::Unfinished;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The file that marks a folder as cnasim's own: cnasim replaces a folder
/// only if it holds this file.
pub const MARKER: &str = ".cnasim-output";

/// Every fixed name cnasim writes in its folders (a run's, a sweep's, a
/// shard's); with [`is_output_file`]'s per-policy names, a folder with
/// its marker and nothing else is cnasim's to replace. A test checks that
/// every folder written holds only these.
pub const OUTPUT_FILES: [&str; 16] = [
    MARKER,
    "summary.json",
    "dropouts.csv",
    "database_events.csv",
    "message_tracking.csv",
    "admin_audit.csv",
    "assistant_trace.log",
    "timeline.png",
    "timeline.svg",
    "trace.json",
    "report.html",
    "results.csv",
    "aggregate.csv",
    "sweep.json",
    "sweep.png",
    "sweep.svg",
];

/// Whether cnasim writes a file of this name in its folders: one of
/// [`OUTPUT_FILES`], or a policy's Exchange-format log (`run --log-format
/// exchange`), exactly `MSGTRK-<policy>.LOG` or `admin_audit-<policy>.csv`
/// with a valid policy name (`[a-z0-9-]`, at most 64, not starting with
/// `-`), so no other name passes for one of them.
pub fn is_output_file(name: &str) -> bool {
    OUTPUT_FILES.contains(&name) || super::exchange_logs::is_file_name(name)
}

/// What the marker says (its first bytes identify it).
const MARKER_TEXT: &str = "cnasim wrote this folder: `cnasim run` and `cnasim sweep` replace it \
                           when they write it again.\nDelete this file to keep cnasim from \
                           replacing the folder.\n";

/// How a marker starts: a file named [`MARKER`] that does not start so is
/// not cnasim's.
const MARKER_START: &[u8] = b"cnasim wrote this folder";

/// Length of the random part of a temporary folder's name (tempfile's).
const RANDOM_CHARS: usize = 6;

/// Test hook: a commit that reaches the stage this names (`before-swap`,
/// `between-renames`, `after-swap`) says so on stderr and waits (up to a
/// minute), so a test can kill the process there.
const HOLD_VARIABLE: &str = "CNASIM_TEST_HOLD_COMMIT";

/// Test hook: when set, a commit uses two renames instead of an exchange,
/// as on a system without one.
const RENAMES_VARIABLE: &str = "CNASIM_TEST_COMMIT_BY_RENAMES";

/// What an output folder may replace.
#[derive(Clone, Debug, Default)]
pub struct Replace {
    /// Replace whatever is at the target (`--force`), except a folder that
    /// holds an input.
    pub force: bool,
    /// The run's inputs (scenario files, shard folders): a folder that
    /// holds one is never replaced.
    pub inputs: Vec<PathBuf>,
}

/// Why an output folder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// What is at the target may not be replaced.
    #[error("{0}")]
    Refused(String),
    /// The file system said no.
    #[error("cannot {what} {}: {}", path.display(), crate::console::os_reason(source))]
    Io {
        /// What was being done.
        what: &'static str,
        /// Where.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
}

impl FolderError {
    fn io(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> FolderError {
        let path = path.to_path_buf();
        move |source| FolderError::Io { what, path, source }
    }
}

/// `--out` checked before any run ([`prepare`]): what was done there, and
/// the folders made for it, removed (if still empty) when this is dropped
/// without anything written, so a refused or failed command leaves no
/// empty `output/` behind.
#[derive(Debug)]
pub struct Prepared {
    /// What was put back or removed, one line each, for the user.
    pub notes: Vec<String>,
    created: Vec<PathBuf>,
}

impl Prepared {
    /// Keeps the folders made for `--out`: something was written there.
    pub fn keep_folders(&mut self) {
        self.created.clear();
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        // Deepest first; only an empty folder is removed.
        for dir in &self.created {
            if fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
}

/// Checks, before any run, that `out_dir` can take the folders `names`:
/// creates it if missing, puts back or removes what interrupted runs left
/// for each name, checks that each target may be replaced (see
/// [`Replace`]), and creates and removes a temporary folder there, so that
/// an `--out` that cannot be written is found before any work.
pub fn prepare(out_dir: &Path, names: &[&str], replace: &Replace) -> Result<Prepared, FolderError> {
    let mut prepared = Prepared { notes: Vec::new(), created: make_out_dir(out_dir)? };
    for name in names {
        check_name(name)?;
        prepared.notes.extend(recover(out_dir, name)?);
        check_target(out_dir, name, replace)?;
    }
    tempfile::Builder::new()
        .prefix(".cnasim-probe-")
        .tempdir_in(out_dir)
        .and_then(TempDir::close)
        .map_err(FolderError::io("write in", out_dir))?;
    Ok(prepared)
}

/// Creates `out_dir` one folder at a time and returns those it created,
/// deepest first.
fn make_out_dir(out_dir: &Path) -> Result<Vec<PathBuf>, FolderError> {
    if fs::metadata(out_dir).is_ok_and(|m| !m.is_dir()) {
        return Err(FolderError::Refused(format!(
            "--out {} exists and is not a folder",
            out_dir.display()
        )));
    }
    let mut created = Vec::new();
    let mut missing: Vec<&Path> = out_dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && fs::metadata(a).is_err())
        .collect();
    while let Some(dir) = missing.pop() {
        match fs::create_dir(dir) {
            Ok(()) => created.push(dir.to_path_buf()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(e) => {
                drop(Prepared { notes: Vec::new(), created: reversed(created) });
                return Err(FolderError::io("create the folder", dir)(e));
            }
        }
    }
    Ok(reversed(created))
}

fn reversed(mut v: Vec<PathBuf>) -> Vec<PathBuf> {
    v.reverse();
    v
}

/// A name is one plain path component: never a way out of `--out`.
fn check_name(name: &str) -> Result<(), FolderError> {
    let mut parts = Path::new(name).components();
    let plain = matches!(
        (parts.next(), parts.next()),
        (Some(std::path::Component::Normal(n)), None) if n == name
    );
    if !plain || name.starts_with('.') {
        return Err(FolderError::Refused(format!(
            "`{}` cannot name a folder in --out: it must be one plain name",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// An output folder being written.
pub struct OutputFolder {
    // Dropped in this order: the lock, then the folder is removed, then
    // forgotten by the interrupt handler.
    lock: Option<File>,
    temp: TempDir,
    unfinished: Unfinished,
    out_dir: PathBuf,
    name: String,
    replace: Replace,
}

impl OutputFolder {
    /// Starts writing `out_dir/name/` (creating `out_dir` if missing):
    /// removes what an interrupted run left there for `name`, checks that
    /// the target may be replaced (see [`Replace`]) and creates the
    /// temporary folder with its marker. A command calls [`prepare`] for
    /// all its folders before its first run, then this before each.
    pub fn create(
        out_dir: &Path,
        name: &str,
        replace: &Replace,
    ) -> Result<OutputFolder, FolderError> {
        check_name(name)?;
        make_out_dir(out_dir)?;
        recover(out_dir, name)?;
        check_target(out_dir, name, replace)?;
        let (temp, unfinished) = Unfinished::create(
            || tempfile::Builder::new().prefix(&format!(".{name}.tmp-")).tempdir_in(out_dir),
            |t| t.path(),
        )
        .map_err(FolderError::io("create a temporary folder in", out_dir))?;
        let marker = temp.path().join(MARKER);
        let lock = write_marker(&marker).map_err(FolderError::io("write", &marker))?;
        Ok(OutputFolder {
            lock,
            temp,
            unfinished,
            out_dir: out_dir.to_path_buf(),
            name: name.to_string(),
            replace: replace.clone(),
        })
    }

    /// Where to write the files for now.
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// Flushes the files to disk and swaps the finished folder into place,
    /// replacing an older one; returns its path.
    pub fn commit(self) -> Result<PathBuf, FolderError> {
        let OutputFolder { lock, temp, unfinished, out_dir, name, replace } = self;
        let target = out_dir.join(&name);
        sync_folder(temp.path()).map_err(FolderError::io("flush", temp.path()))?;
        // An interruption waits until the folder is in place.
        let trash = unfinished.finish(|registry| {
            // What is there may have changed while the run went.
            check_target(&out_dir, &name, &replace)?;
            hold("before-swap");
            let written = temp.keep();
            let old = match swap(&written, &out_dir, &name) {
                Ok(old) => old,
                Err(e) => {
                    let _ = remove_any(&written);
                    return Err(FolderError::io("move the new folder into place at", &target)(e));
                }
            };
            // Registered (only now: nothing registered may drop while the
            // handler is held off), so an interrupt while the old folder
            // is deleted below finishes the deletion.
            let old = old.map(|old| {
                let registered = registry.register(&old);
                (old, registered)
            });
            sync_dir(&out_dir).map_err(FolderError::io("flush", &out_dir))?;
            Ok(old)
        })?;
        drop(lock);
        // The old folder is deleted after the handler is free again: a
        // large one must not delay an interrupt. Should this process die
        // meanwhile, the next run removes it (it holds a marker), unless
        // it was a forced replacement's, which is left for the user.
        if let Some((old, registered)) = trash {
            let _ = remove_any(&old);
            drop(registered);
        }
        Ok(target)
    }
}

/// Creates the marker at `path`, locks it for this process and writes it:
/// locked before it says anything, so no other run ever takes the folder
/// for a leftover. The lock is `None` where the file system has none.
fn write_marker(path: &Path) -> io::Result<Option<File>> {
    let mut file = OpenOptions::new().read(true).write(true).create_new(true).open(path)?;
    let lock = file.try_lock().ok();
    io::Write::write_all(&mut file, MARKER_TEXT.as_bytes())?;
    Ok(lock.map(|()| file))
}

/// Whether `folder` holds cnasim's marker (a regular file, not a link,
/// that starts as markers do).
pub fn has_marker(folder: &Path) -> bool {
    let path = folder.join(MARKER);
    if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut start = Vec::with_capacity(MARKER_START.len());
    File::open(&path)
        .and_then(|f| f.take(MARKER_START.len() as u64).read_to_end(&mut start))
        .is_ok_and(|_| start == MARKER_START)
}

/// The first entry of `folder` (in name order) that cnasim does not write.
fn foreign_entry(folder: &Path) -> io::Result<Option<String>> {
    let mut foreign: Vec<String> = Vec::new();
    for entry in fs::read_dir(folder)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !is_output_file(&name) {
            foreign.push(name);
        }
    }
    foreign.sort();
    Ok(foreign.into_iter().next())
}

/// Locks the marker of `folder` if it is cnasim's and no live process
/// holds it: the folder is then a leftover this process may act on.
fn claim(folder: &Path) -> Option<File> {
    if !has_marker(folder) {
        return None;
    }
    let file = File::open(folder.join(MARKER)).ok()?;
    file.try_lock().ok().map(|()| file)
}

/// Whether `file_name` is exactly a temporary folder's name for `name`
/// (`.NAME.tmp-` and six letters or digits), or a moved-aside folder's
/// (`.NAME.old-PID-N`); which, or `None`.
fn leftover_kind(file_name: &str, name: &str) -> Option<Leftover> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(name)?;
    if let Some(random) = rest.strip_prefix(".tmp-") {
        let random_ok =
            random.len() == RANDOM_CHARS && random.bytes().all(|b| b.is_ascii_alphanumeric());
        return random_ok.then_some(Leftover::Temporary);
    }
    let numbers = rest.strip_prefix(".old-")?;
    let (pid, n) = numbers.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    (digits(pid) && digits(n)).then_some(Leftover::MovedAside)
}

/// What an interrupted run can leave behind.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Leftover {
    /// A folder being written (or, after an exchange, the old folder).
    Temporary,
    /// The old folder, renamed aside between two renames.
    MovedAside,
}

/// Puts back or removes what interrupted runs left in `out_dir` for
/// `name`; returns a note for each.
fn recover(out_dir: &Path, name: &str) -> Result<Vec<String>, FolderError> {
    let target = out_dir.join(name);
    let mut leftovers: Vec<(PathBuf, Leftover)> = Vec::new();
    for entry in fs::read_dir(out_dir).map_err(FolderError::io("read the folder", out_dir))? {
        let Ok(entry) = entry else { continue };
        let file_name = entry.file_name();
        let Some(kind) = file_name.to_str().and_then(|f| leftover_kind(f, name)) else {
            continue;
        };
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            leftovers.push((entry.path(), kind));
        }
    }
    // Sorted, so that which of several moved-aside folders is put back
    // does not depend on the order the system lists them in.
    leftovers.sort_by(|a, b| a.0.cmp(&b.0));
    let mut notes = Vec::new();
    for (path, kind) in leftovers {
        let Some(lock) = claim(&path) else { continue };
        let missing =
            matches!(fs::symlink_metadata(&target), Err(e) if e.kind() == io::ErrorKind::NotFound);
        if kind == Leftover::MovedAside && missing {
            let put_back = match system::rename_noreplace(&path, &target) {
                Some(done) => done,
                None => fs::rename(&path, &target),
            };
            put_back.map_err(FolderError::io(
                "put back the folder an interrupted run left at",
                &path,
            ))?;
            sync_dir(out_dir).map_err(FolderError::io("flush", out_dir))?;
            notes.push(format!(
                "put {} back in place: an interrupted run had moved it aside to {}",
                target.display(),
                path.display()
            ));
        } else if remove_any(&path).is_ok() {
            notes.push(format!("removed {}, left by an interrupted run", path.display()));
        }
        drop(lock);
    }
    Ok(notes)
}

/// Refuses a target that may not be replaced.
fn check_target(out_dir: &Path, name: &str, replace: &Replace) -> Result<(), FolderError> {
    let target = out_dir.join(name);
    let shown = target.display();
    if let Some((input, inside)) = held_input(out_dir, name, &replace.inputs) {
        let what = if inside {
            format!("holds {}, an input of this run", input.display())
        } else {
            "is an input of this run".to_string()
        };
        return Err(FolderError::Refused(format!(
            "{shown} {what}; cnasim would replace it with its output: give another --out (even \
             --force does not replace an input)"
        )));
    }
    let meta = match fs::symlink_metadata(&target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(FolderError::io("look at", &target)(e)),
    };
    let what = if meta.file_type().is_symlink() {
        "a symbolic link".to_string()
    } else if meta.is_dir() {
        if !has_marker(&target) {
            "a folder that cnasim did not write (it has no valid .cnasim-output file; a folder \
             written by an older cnasim has none either: replace it once with --force)"
                .to_string()
        } else {
            match foreign_entry(&target).map_err(FolderError::io("read the folder", &target))? {
                None => return Ok(()),
                Some(entry) => format!(
                    "a folder of cnasim's that holds `{}`, which cnasim did not write (move it \
                     out first)",
                    entry.escape_debug()
                ),
            }
        }
    } else if meta.is_file() {
        "a file".to_string()
    } else {
        "a special file".to_string()
    };
    if replace.force {
        return Ok(());
    }
    Err(FolderError::Refused(format!(
        "{shown} is {what}; cnasim replaces only the folders it wrote: give another --out, \
         rename or move it, or pass --force to replace it"
    )))
}

/// The first input that is `out_dir/name` or lies in it (as given, made
/// absolute, and with links resolved), and whether it lies in it.
fn held_input<'a>(
    out_dir: &Path,
    name: &str,
    inputs: &'a [PathBuf],
) -> Option<(&'a PathBuf, bool)> {
    let absolute = |p: &Path| std::path::absolute(p).ok();
    let resolved = |p: &Path| fs::canonicalize(p).ok().or_else(|| absolute(p));
    let targets: Vec<PathBuf> = [absolute(out_dir), resolved(out_dir)]
        .into_iter()
        .flatten()
        .map(|d| d.join(name))
        .collect();
    inputs.iter().find_map(|input| {
        let paths = [absolute(input), resolved(input)];
        paths
            .iter()
            .flatten()
            .find_map(|p| targets.iter().find(|t| p.starts_with(t)).map(|t| (input, p != t)))
    })
}

/// Swaps the folder `written` into place at `out_dir/name`; returns where
/// the old content now is, if there was any.
fn swap(written: &Path, out_dir: &Path, name: &str) -> io::Result<Option<PathBuf>> {
    let target = out_dir.join(name);
    let by_renames = std::env::var_os(RENAMES_VARIABLE).is_some();
    let exists = match fs::symlink_metadata(&target) {
        Ok(_) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    };
    if !exists {
        if !by_renames && let Some(done) = system::rename_noreplace(written, &target) {
            return done.map(|()| None);
        }
        return fs::rename(written, &target).map(|()| None);
    }
    if !by_renames && let Some(done) = system::exchange(written, &target) {
        done?;
        hold("after-swap");
        return Ok(Some(written.to_path_buf()));
    }
    // Two renames: the old folder goes aside, its marker locked so that
    // no other run puts it back meanwhile.
    let pid = std::process::id();
    let aside = (0u32..=u32::MAX)
        .map(|n| out_dir.join(format!(".{name}.old-{pid}-{n}")))
        .find(|p| fs::symlink_metadata(p).is_err())
        .ok_or_else(|| io::Error::other("no free name to move the old folder aside to"))?;
    let lock = claim(&target);
    fs::rename(&target, &aside)?;
    hold("between-renames");
    if let Err(e) = fs::rename(written, &target) {
        let _ = fs::rename(&aside, &target);
        return Err(e);
    }
    drop(lock);
    Ok(Some(aside))
}

/// The exchange and the no-replace rename where the system has them.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
mod system {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    use std::io;
    use std::path::Path;

    /// `None` when the system or the file system cannot do it.
    fn rename_with(from: &Path, to: &Path, flags: RenameFlags) -> Option<io::Result<()>> {
        match renameat_with(CWD, from, CWD, to, flags) {
            Ok(()) => Some(Ok(())),
            Err(e) if [Errno::INVAL, Errno::NOSYS, Errno::NOTSUP].contains(&e) => None,
            Err(e) => Some(Err(e.into())),
        }
    }

    /// Exchanges `a` and `b` in one step.
    pub fn exchange(a: &Path, b: &Path) -> Option<io::Result<()>> {
        rename_with(a, b, RenameFlags::EXCHANGE)
    }

    /// Renames `from` to `to`, failing if `to` exists.
    pub fn rename_noreplace(from: &Path, to: &Path) -> Option<io::Result<()>> {
        rename_with(from, to, RenameFlags::NOREPLACE)
    }
}

/// Systems without an exchange: the commit uses two renames.
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos")))]
mod system {
    use std::io;
    use std::path::Path;

    /// Not available here.
    pub fn exchange(_: &Path, _: &Path) -> Option<io::Result<()>> {
        None
    }

    /// Not available here.
    pub fn rename_noreplace(_: &Path, _: &Path) -> Option<io::Result<()>> {
        None
    }
}

/// Flushes every file of `dir` (the folder is flat by the time it is
/// committed) and the folder itself to disk. On Linux one `syncfs` does
/// it: one journal commit for the whole folder, where a flush per file
/// took the seed incident's run from 11 ms to 60 ms on a virtual disk.
fn sync_folder(dir: &Path) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        rustix::fs::syncfs(File::open(dir)?)?;
        Ok(())
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                OpenOptions::new().write(true).open(entry.path())?.sync_all()?;
            }
        }
        sync_dir(dir)
    }
}

/// Flushes a folder's entries (where the system can).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes `path`, a folder (its content; a link is not followed) or a file.
pub(crate) fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// The test hook of [`HOLD_VARIABLE`].
fn hold(stage: &str) {
    if std::env::var_os(HOLD_VARIABLE).is_none_or(|wanted| wanted != stage) {
        return;
    }
    crate::console::err_line(&format!("cnasim: holding the commit at {stage}"));
    for _ in 0..6_000 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with_marker(path: &Path, content: &str) {
        fs::create_dir_all(path).unwrap();
        fs::write(path.join(MARKER), MARKER_TEXT).unwrap();
        fs::write(path.join("summary.json"), content).unwrap();
    }

    #[test]
    fn a_folder_moved_aside_is_put_back_and_leftovers_go() {
        let out = tempfile::tempdir().unwrap();
        folder_with_marker(&out.path().join(".x.old-7-0"), "old");
        folder_with_marker(&out.path().join(".x.tmp-abc123"), "new, never committed");
        // Not cnasim's: kept.
        fs::create_dir(out.path().join(".x.tmp-user00")).unwrap();
        // Names of other shapes, even with a marker (a user's copies): kept.
        folder_with_marker(&out.path().join(".x.old-before-upgrade"), "a copy");
        folder_with_marker(&out.path().join(".x.tmp-copy"), "a copy");
        // Another scenario's leftovers: kept.
        folder_with_marker(&out.path().join(".y.tmp-abc123"), "y");
        let notes = recover(out.path(), "x").unwrap();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("back in place") && notes[1].contains("removed"), "{notes:?}");
        let summary = fs::read_to_string(out.path().join("x/summary.json")).unwrap();
        assert_eq!(summary, "old");
        let mut left: Vec<String> = fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [".x.old-before-upgrade", ".x.tmp-copy", ".x.tmp-user00", ".y.tmp-abc123", "x"]
        );
    }

    #[test]
    fn a_locked_leftover_is_another_process_s_and_stays() {
        let out = tempfile::tempdir().unwrap();
        let live = out.path().join(".x.tmp-live00");
        fs::create_dir(&live).unwrap();
        let _lock = write_marker(&live.join(MARKER)).unwrap().expect("locks work here");
        assert!(recover(out.path(), "x").unwrap().is_empty());
        assert!(live.join(MARKER).exists());
    }

    #[test]
    fn a_folder_of_cnasim_s_with_a_file_of_the_user_s_is_not_replaced() {
        let out = tempfile::tempdir().unwrap();
        folder_with_marker(&out.path().join("x"), "old");
        assert!(check_target(out.path(), "x", &Replace::default()).is_ok());
        // A policy's Exchange-format logs are cnasim's; a file that only
        // looks like one is not.
        fs::write(out.path().join("x/MSGTRK-legacy.LOG"), "#Software").unwrap();
        fs::write(out.path().join("x/admin_audit-legacy.csv"), "#TYPE").unwrap();
        assert!(check_target(out.path(), "x", &Replace::default()).is_ok());
        fs::write(out.path().join("x/MSGTRK-legacy.LOG.bak"), "#Software").unwrap();
        let refused = check_target(out.path(), "x", &Replace::default()).unwrap_err().to_string();
        assert!(refused.contains("holds `MSGTRK-legacy.LOG.bak`"), "{refused}");
        fs::remove_file(out.path().join("x/MSGTRK-legacy.LOG.bak")).unwrap();
        fs::write(out.path().join("x/analysis.md"), "notes").unwrap();
        let refused = check_target(out.path(), "x", &Replace::default()).unwrap_err().to_string();
        assert!(refused.contains("holds `analysis.md`, which cnasim did not write"), "{refused}");
    }

    #[test]
    fn a_marker_that_is_a_link_is_no_marker() {
        let out = tempfile::tempdir().unwrap();
        fs::create_dir(out.path().join("x")).unwrap();
        let elsewhere = out.path().join("elsewhere");
        fs::write(&elsewhere, MARKER_TEXT).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&elsewhere, out.path().join("x").join(MARKER)).unwrap();
            assert!(!has_marker(&out.path().join("x")));
        }
    }

    #[test]
    fn leftover_names_have_exactly_the_shapes_cnasim_gives() {
        assert!(leftover_kind(".x.tmp-aB3dE9", "x") == Some(Leftover::Temporary));
        assert!(leftover_kind(".x.old-123-0", "x") == Some(Leftover::MovedAside));
        for other in [
            ".x.tmp-abc",
            ".x.tmp-abcdefg",
            ".x.tmp-abc-12",
            ".x.old-1",
            ".x.old-a-1",
            ".xy.tmp-abcdef",
            "x",
            ".x.old--1",
        ] {
            assert!(leftover_kind(other, "x").is_none(), "{other}");
        }
    }

    #[test]
    fn only_folders_with_the_marker_are_replaced() {
        let out = tempfile::tempdir().unwrap();
        let replace = Replace::default();
        fs::create_dir(out.path().join("mine")).unwrap();
        let refused = check_target(out.path(), "mine", &replace).unwrap_err().to_string();
        assert!(refused.contains("a folder that cnasim did not write"), "{refused}");
        assert!(refused.contains("older cnasim has none either"), "{refused}");
        fs::write(out.path().join("mine").join(MARKER), "something else").unwrap();
        assert!(check_target(out.path(), "mine", &replace).is_err());
        fs::write(out.path().join("mine").join(MARKER), MARKER_TEXT).unwrap();
        assert!(check_target(out.path(), "mine", &replace).is_ok());
        fs::write(out.path().join("file"), "x").unwrap();
        let refused = check_target(out.path(), "file", &replace).unwrap_err().to_string();
        assert!(refused.contains("is a file"), "{refused}");
        let forced = Replace { force: true, inputs: Vec::new() };
        assert!(check_target(out.path(), "file", &forced).is_ok());
    }

    #[test]
    fn a_name_never_leads_out_of_the_output_folder() {
        let out = tempfile::tempdir().unwrap();
        for name in ["../x", "/x", "a/b", "..", ".", ".hidden", ""] {
            let refused = OutputFolder::create(out.path(), name, &Replace::default());
            assert!(matches!(refused, Err(FolderError::Refused(_))), "{name:?}");
        }
        assert_eq!(fs::read_dir(out.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_folder_holding_an_input_is_never_replaced() {
        let out = tempfile::tempdir().unwrap();
        folder_with_marker(&out.path().join("x"), "old");
        let input = out.path().join("x/scenario.yaml");
        fs::write(&input, "name: x").unwrap();
        let forced = Replace { force: true, inputs: vec![input] };
        let refused = check_target(out.path(), "x", &forced).unwrap_err().to_string();
        assert!(refused.contains("holds") && refused.contains("an input of this run"), "{refused}");
        // A file named as the target is the input itself.
        fs::write(out.path().join("y"), "name: y").unwrap();
        let forced = Replace { force: true, inputs: vec![out.path().join("y")] };
        let refused = check_target(out.path(), "y", &forced).unwrap_err().to_string();
        assert!(refused.contains("y is an input of this run"), "{refused}");
    }

    #[test]
    fn commit_replaces_an_older_folder_and_leaves_nothing_behind() {
        let out = tempfile::tempdir().unwrap();
        for content in ["first", "second"] {
            let folder = OutputFolder::create(out.path(), "x", &Replace::default()).unwrap();
            fs::write(folder.path().join("summary.json"), content).unwrap();
            folder.commit().unwrap();
            assert_eq!(fs::read_to_string(out.path().join("x/summary.json")).unwrap(), content);
            let entries: Vec<_> = fs::read_dir(out.path()).unwrap().collect();
            assert_eq!(entries.len(), 1);
        }
    }
}
