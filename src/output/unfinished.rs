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
        eprintln!("interrupted: unfinished output removed");
        std::process::exit(EXIT_INTERRUPTED);
    })
}

/// Removes `path`, retrying while a writer adds files to it.
fn remove(path: &Path) {
    for _ in 0..10 {
        let gone =
            if path.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
        match gone {
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
    /// Registers `path`.
    pub fn new(path: &Path) -> Self {
        pending().push(path.to_path_buf());
        Unfinished { path: path.to_path_buf(), registered: true }
    }

    /// Runs `finish` (which moves the output into place) with the handler
    /// held off, then forgets the path.
    pub fn finish<T>(mut self, finish: impl FnOnce() -> T) -> T {
        let mut list = pending();
        let result = finish();
        forget(&mut list, &self.path);
        self.registered = false;
        result
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
        let first = Unfinished::new(a);
        let second = Unfinished::new(b);
        assert!(registered(a) && registered(b));
        assert_eq!(first.finish(|| 7), 7);
        assert!(!registered(a) && registered(b));
        drop(second);
        assert!(!registered(b));
    }
}
