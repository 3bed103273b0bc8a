//! Output that is still being written, and its removal when the process
//! is interrupted (Ctrl-C, `kill`, a closed terminal).
//!
//! Every temporary file and folder that cnasim writes registers here while
//! it exists. On SIGINT, SIGTERM or SIGHUP the handler removes each of
//! them and exits with code 130, so an interrupted run leaves nothing
//! behind: neither a half-written output folder (those are only ever
//! temporary) nor the hidden temporary it was written in. Moving a
//! finished file or folder into place happens with the handler held off,
//! so an interruption finds each output either complete or not there.
//! Only a kill that cannot be caught (SIGKILL, a power cut) can leave a
//! hidden `.NAME.tmp-*` folder or `.cnasim-*.tmp` file behind.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Exit code of an interrupted command (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere never makes the list unusable.
    PENDING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the handler; call once, early in `main`.
pub fn remove_on_interrupt() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        // Held until the process exits: nothing is committed meanwhile.
        let list = pending();
        for path in list.iter() {
            remove(path);
        }
        // stderr may be gone (a closed terminal): never panic before exiting.
        let _ = writeln!(std::io::stderr(), "interrupted: unfinished output removed");
        std::process::exit(EXIT_INTERRUPTED);
    })
}

/// Removes `path`, retrying while a writer adds files to it.
fn remove(path: &Path) {
    for _ in 0..10 {
        match super::folder::remove_any(path) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(_) => continue,
        }
    }
}

/// A temporary file or folder being written; removed by the interrupt
/// handler until it is finished or dropped.
#[derive(Debug)]
pub struct Unfinished {
    path: PathBuf,
    registered: bool,
}

impl Unfinished {
    /// Creates a temporary file or folder with `make` and registers it
    /// (`path_of` says where it is), with the handler held off, so that an
    /// interruption never finds it created but not registered.
    pub fn create<T>(
        make: impl FnOnce() -> std::io::Result<T>,
        path_of: impl FnOnce(&T) -> &Path,
    ) -> std::io::Result<(T, Unfinished)> {
        let mut list = pending();
        let made = make()?;
        let unfinished = Registry(&mut list).register(path_of(&made));
        Ok((made, unfinished))
    }

    /// Runs `finish` (which moves the output into place) with the handler
    /// held off, then forgets the path. `finish` may register what it
    /// leaves to delete (a replaced folder) through the [`Registry`], but
    /// must not drop an [`Unfinished`] (that would wait for the handler's
    /// lock, which `finish` holds).
    pub fn finish<T>(mut self, finish: impl FnOnce(&mut Registry<'_>) -> T) -> T {
        let mut list = pending();
        let result = finish(&mut Registry(&mut list));
        forget(&mut list, &self.path);
        self.registered = false;
        result
    }
}

/// The list of unfinished paths, while the handler is held off.
pub struct Registry<'a>(&'a mut Vec<PathBuf>);

impl Registry<'_> {
    /// Registers `path`, to be removed on an interrupt until the returned
    /// value is finished or dropped.
    pub fn register(&mut self, path: &Path) -> Unfinished {
        self.0.push(path.to_path_buf());
        Unfinished { path: path.to_path_buf(), registered: true }
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if self.registered {
            forget(&mut pending(), &self.path);
        }
    }
}

fn forget(list: &mut Vec<PathBuf>, path: &Path) {
    if let Some(i) = list.iter().rposition(|p| p == path) {
        list.swap_remove(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registered(path: &Path) -> bool {
        pending().iter().any(|p| p == path)
    }

    #[test]
    fn registered_until_finished_or_dropped() {
        let a = Path::new("/nonexistent/a");
        let b = Path::new("/nonexistent/b");
        let c = Path::new("/nonexistent/c");
        let (_, first) = Unfinished::create(|| Ok(()), |_| a).unwrap();
        let (_, second) = Unfinished::create(|| Ok(()), |_| b).unwrap();
        assert!(registered(a) && registered(b));
        let third = first.finish(|registry| registry.register(c));
        assert!(!registered(a) && registered(b) && registered(c));
        drop(second);
        drop(third);
        assert!(!registered(b) && !registered(c));
    }
}
