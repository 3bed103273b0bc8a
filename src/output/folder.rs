//! An output folder (a scenario's run, a sweep, a shard): written beside
//! its place under a temporary name, then swapped into place in one step.
//!
//! Architecture invariants:
//! - cnasim replaces only what it wrote: a folder holding the marker file
//!   [`MARKER`]. Anything else at the target (a folder of the user's, a
//!   file, a link) is refused, before anything runs, with a message that
//!   says what is there and how to proceed, unless [`Replace::force`]; a
//!   folder that holds an input of the run (a scenario, a shard being
//!   merged) is refused even then.
//! - The folder appears complete or not at all, even if the process is
//!   killed: every file and the folder are flushed to disk (fsync), then
//!   the new folder and the old one are exchanged in one system call
//!   (`renameat2(RENAME_EXCHANGE)` on Linux, `renameatx_np(RENAME_SWAP)` on
//!   macOS), then the parent folder is flushed. Elsewhere, or on a file
//!   system that refuses the exchange, the old folder is renamed aside to
//!   `.NAME.old-*` and the new one into place; a crash between the two
//!   leaves the old folder there, and the next run that writes NAME puts it
//!   back before anything else.
//! - Each temporary folder holds the marker, locked (an advisory lock) by
//!   the process that writes it for as long as it lives. A later run that
//!   writes NAME removes the `.NAME.tmp-*` and `.NAME.old-*` folders that a
//!   killed run left (marker present, lock free), and never one that
//!   another process is writing.

use super::unfinished::Unfinished;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The file that marks a folder as cnasim's own: cnasim replaces a folder
/// only if it holds this file.
pub const MARKER: &str = ".cnasim-output";

/// What the marker says (its first bytes identify it).
const MARKER_TEXT: &str = "cnasim wrote this folder: `cnasim run` and `cnasim sweep` replace it \
                           when they write it again.\nDelete this file to keep cnasim from \
                           replacing the folder.\n";

/// How a marker starts: a file named [`MARKER`] that does not start so is
/// not cnasim's.
const MARKER_START: &[u8] = b"cnasim wrote this folder";

/// Test hook: `STAGE:FILE` makes a commit write FILE and wait (up to a
/// minute) at STAGE (`before-swap`, `between-renames`, `after-swap`), so a
/// test can kill the process there.
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

/// An output folder being written.
pub struct OutputFolder {
    // Dropped in this order: the lock, then the folder is removed, then
    // forgotten by the interrupt handler.
    lock: Option<File>,
    temp: TempDir,
    unfinished: Unfinished,
    created: Created,
    out_dir: PathBuf,
    name: String,
    replace: Replace,
    restored: bool,
}

impl OutputFolder {
    /// Starts writing `out_dir/name/`: creates `out_dir` if missing, puts
    /// back or removes what an interrupted run left there for `name`,
    /// checks that the target may be replaced (see [`Replace`]), and
    /// creates the temporary folder with its marker. Call it before the
    /// run, so that a folder that cannot be written is found at once.
    pub fn create(
        out_dir: &Path,
        name: &str,
        replace: &Replace,
    ) -> Result<OutputFolder, FolderError> {
        // A name is one plain path component: never a way out of --out.
        let mut parts = Path::new(name).components();
        if !matches!((parts.next(), parts.next()), (Some(std::path::Component::Normal(n)), None) if n == name)
            || name.starts_with('.')
        {
            return Err(FolderError::Refused(format!(
                "`{}` cannot name a folder in --out: it must be one plain name",
                name.escape_debug()
            )));
        }
        if fs::metadata(out_dir).is_ok_and(|m| !m.is_dir()) {
            return Err(FolderError::Refused(format!(
                "--out {} exists and is not a folder",
                out_dir.display()
            )));
        }
        // The folders created for --out go again if nothing is committed.
        let created: Vec<PathBuf> = out_dir
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && fs::symlink_metadata(a).is_err())
            .map(Path::to_path_buf)
            .collect();
        fs::create_dir_all(out_dir).map_err(FolderError::io("create the folder", out_dir))?;
        let restored = recover(out_dir, name)?;
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
            created: Created(created),
            out_dir: out_dir.to_path_buf(),
            name: name.to_string(),
            replace: replace.clone(),
            restored,
        })
    }

    /// Where to write the files for now.
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// Whether [`OutputFolder::create`] put back a folder that an
    /// interrupted run had moved aside.
    pub fn restored(&self) -> bool {
        self.restored
    }

    /// Flushes the files to disk and swaps the finished folder into place,
    /// replacing an older one; returns its path.
    pub fn commit(self) -> Result<PathBuf, FolderError> {
        let OutputFolder { lock, temp, unfinished, mut created, out_dir, name, replace, .. } = self;
        // The folder is committed (or fails to be) in --out: it stays.
        created.0.clear();
        let target = out_dir.join(&name);
        sync_folder(temp.path()).map_err(FolderError::io("flush", temp.path()))?;
        // An interruption waits until the folder is in place.
        let trash = unfinished.finish(|registry| {
            // What is there may have changed while the run went.
            check_target(&out_dir, &name, &replace)?;
            hold("before-swap");
            let written = temp.keep();
            let swapped = swap(&written, &target, &out_dir, &name);
            let old = match swapped {
                Ok(old) => old,
                Err(e) => {
                    let _ = remove_any(&written);
                    return Err(FolderError::io("move the new folder into place at", &target)(e));
                }
            };
            sync_dir(&out_dir).map_err(FolderError::io("flush", &out_dir))?;
            // Registered (only now: nothing registered may drop while the
            // handler is held off), so an interrupt while the old folder
            // is deleted below finishes the deletion.
            Ok(old.map(|old| {
                let registered = registry.register(&old);
                (old, registered)
            }))
        })?;
        drop(lock);
        // The old folder is deleted after the handler is free again: a
        // large one must not delay an interrupt. Should this process die
        // meanwhile, the next run removes it (it holds a marker).
        if let Some((old, registered)) = trash {
            let _ = remove_any(&old);
            drop(registered);
        }
        Ok(target)
    }
}

/// The folders [`OutputFolder::create`] made for `--out`, deepest first:
/// removed (if still empty) when the folder is dropped uncommitted, so a
/// refused or failed command leaves no empty `output/` behind.
struct Created(Vec<PathBuf>);

impl Drop for Created {
    fn drop(&mut self) {
        for dir in &self.0 {
            // Only an empty folder is removed: what is in it stays.
            if fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
}

/// Writes the marker at `path` and locks it for this process; the lock is
/// `None` where the file system has no locks.
fn write_marker(path: &Path) -> io::Result<Option<File>> {
    let mut file = OpenOptions::new().read(true).write(true).create_new(true).open(path)?;
    io::Write::write_all(&mut file, MARKER_TEXT.as_bytes())?;
    Ok(file.try_lock().ok().map(|()| file))
}

/// Whether `folder` holds cnasim's marker (a regular file that starts as
/// markers do).
fn has_marker(folder: &Path) -> bool {
    let path = folder.join(MARKER);
    if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut start = Vec::with_capacity(MARKER_START.len());
    File::open(&path)
        .and_then(|f| f.take(MARKER_START.len() as u64).read_to_end(&mut start))
        .is_ok_and(|_| start == MARKER_START)
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

/// Puts back or removes what an interrupted run left in `out_dir` for
/// `name`; returns whether a moved-aside folder was put back.
fn recover(out_dir: &Path, name: &str) -> Result<bool, FolderError> {
    let (temporary, aside) = (format!(".{name}.tmp-"), format!(".{name}.old-"));
    let target = out_dir.join(name);
    let mut leftovers: Vec<(PathBuf, bool)> = Vec::new();
    for entry in fs::read_dir(out_dir).map_err(FolderError::io("read the folder", out_dir))? {
        let Ok(entry) = entry else { continue };
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else { continue };
        let moved_aside = file_name.starts_with(&aside);
        if (moved_aside || file_name.starts_with(&temporary))
            && entry.file_type().is_ok_and(|t| t.is_dir())
        {
            leftovers.push((entry.path(), moved_aside));
        }
    }
    // Sorted, so that which of several moved-aside folders is put back
    // does not depend on the order the system lists them in.
    leftovers.sort();
    let mut restored = false;
    for (path, moved_aside) in leftovers {
        let Some(lock) = claim(&path) else { continue };
        if moved_aside
            && matches!(fs::symlink_metadata(&target), Err(e) if e.kind() == io::ErrorKind::NotFound)
        {
            fs::rename(&path, &target).map_err(FolderError::io(
                "put back the folder an interrupted run left at",
                &path,
            ))?;
            restored = true;
        } else {
            let _ = remove_any(&path);
        }
        drop(lock);
    }
    Ok(restored)
}

/// Refuses a target that may not be replaced.
fn check_target(out_dir: &Path, name: &str, replace: &Replace) -> Result<(), FolderError> {
    let target = out_dir.join(name);
    let shown = target.display();
    if let Some(input) = held_input(out_dir, name, &replace.inputs) {
        return Err(FolderError::Refused(format!(
            "{shown} holds {}, an input of this run; cnasim would replace it with its output: \
             give another --out (even --force does not replace a folder that holds an input)",
            input.display()
        )));
    }
    let meta = match fs::symlink_metadata(&target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(FolderError::io("look at", &target)(e)),
    };
    let what = if meta.file_type().is_symlink() {
        "a symbolic link"
    } else if meta.is_dir() {
        if has_marker(&target) {
            return Ok(());
        }
        "a folder that cnasim did not write (it has no .cnasim-output file)"
    } else if meta.is_file() {
        "a file"
    } else {
        "a special file"
    };
    if replace.force {
        return Ok(());
    }
    Err(FolderError::Refused(format!(
        "{shown} is {what}; cnasim replaces only the folders it wrote: give another --out, \
         rename or move it, or pass --force to replace it"
    )))
}

/// The first input that lies in `out_dir/name` (links resolved), if any.
fn held_input<'a>(out_dir: &Path, name: &str, inputs: &'a [PathBuf]) -> Option<&'a PathBuf> {
    let resolve = |p: &Path| fs::canonicalize(p).or_else(|_| std::path::absolute(p)).ok();
    let target = resolve(out_dir)?.join(name);
    inputs.iter().find(|input| resolve(input).is_some_and(|p| p.starts_with(&target)))
}

/// Swaps the folder `written` into place at `target` (in `out_dir`, named
/// `name`); returns where the old content now is, if there was any.
fn swap(written: &Path, target: &Path, out_dir: &Path, name: &str) -> io::Result<Option<PathBuf>> {
    let by_renames = std::env::var_os(RENAMES_VARIABLE).is_some();
    let exists = match fs::symlink_metadata(target) {
        Ok(_) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    };
    if !exists {
        if !by_renames && let Some(done) = system::rename_noreplace(written, target) {
            return done.map(|()| None);
        }
        return fs::rename(written, target).map(|()| None);
    }
    if !by_renames && let Some(done) = system::exchange(written, target) {
        done?;
        hold("after-swap");
        // A forced replacement held no marker: one goes in, so that a
        // crash while it is deleted leaves a folder the next run removes.
        if fs::symlink_metadata(written).is_ok_and(|m| m.is_dir()) && !has_marker(written) {
            let _ = fs::write(written.join(MARKER), MARKER_TEXT);
        }
        return Ok(Some(written.to_path_buf()));
    }
    // Two renames: the old folder goes aside, its marker locked so that
    // no other run puts it back meanwhile.
    let aside = (0u32..)
        .map(|n| out_dir.join(format!(".{name}.old-{}-{n}", std::process::id())))
        .find(|p| fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| out_dir.join(format!(".{name}.old")));
    let lock = claim(target);
    fs::rename(target, &aside)?;
    hold("between-renames");
    if let Err(e) = fs::rename(written, target) {
        let _ = fs::rename(&aside, target);
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
    let Some(spec) = std::env::var_os(HOLD_VARIABLE) else { return };
    let Some((wanted, file)) = spec.to_str().and_then(|s| s.split_once(':')) else { return };
    if wanted != stage {
        return;
    }
    let _ = fs::write(file, stage);
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
        folder_with_marker(&out.path().join(".x.tmp-abc"), "new, never committed");
        // Not cnasim's: kept.
        fs::create_dir(out.path().join(".x.tmp-user")).unwrap();
        // Another scenario's leftovers: kept.
        folder_with_marker(&out.path().join(".y.tmp-abc"), "y");
        assert!(recover(out.path(), "x").unwrap());
        let summary = fs::read_to_string(out.path().join("x/summary.json")).unwrap();
        assert_eq!(summary, "old");
        let mut left: Vec<String> = fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".x.tmp-user", ".y.tmp-abc", "x"]);
    }

    #[test]
    fn a_locked_leftover_is_another_process_s_and_stays() {
        let out = tempfile::tempdir().unwrap();
        let live = out.path().join(".x.tmp-live");
        fs::create_dir(&live).unwrap();
        let _lock = write_marker(&live.join(MARKER)).unwrap().expect("locks work here");
        assert!(!recover(out.path(), "x").unwrap());
        assert!(live.join(MARKER).exists());
    }

    #[test]
    fn only_folders_with_the_marker_are_replaced() {
        let out = tempfile::tempdir().unwrap();
        let replace = Replace::default();
        fs::create_dir(out.path().join("mine")).unwrap();
        let refused = check_target(out.path(), "mine", &replace).unwrap_err().to_string();
        assert!(refused.contains("a folder that cnasim did not write"), "{refused}");
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
        assert!(refused.contains("an input of this run"), "{refused}");
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
