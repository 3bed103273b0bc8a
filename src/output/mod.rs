//! Every file cnasim writes, and the output folder that holds them.
//!
//! Architecture invariant: a scenario's folder appears complete or not at
//! all. Files are written into a hidden temporary folder next to it, which
//! is renamed into place only when every file is written; a failed or
//! interrupted run leaves the previous folder (if any) untouched.

pub mod chart;
mod csv_files;
mod labels;
pub mod report_html;
pub mod summary;
pub mod timeline;
pub mod trace_json;
mod trace_log;
pub mod unfinished;
mod views;

pub use csv_files::{CsvFile, Rows, write_dropouts};
pub use labels::Labels;
pub use summary::{Summary, comparison_table};
pub use views::Views;

use crate::model::World;
use crate::model::plan::Plan;
use crate::model::record::{Observer, Record};
use std::io;
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use unfinished::Unfinished;

/// Writes `bytes` to the file `path` through a temporary file in the same
/// folder (created if missing), so that the file is either the old one or
/// the complete new one. The file is readable by all (mode 0644 before the
/// umask), like the files of an output folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".cnasim-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let (mut temp, unfinished) = Unfinished::create(|| builder.tempfile_in(dir), |t| t.path())?;
    temp.write_all(bytes)?;
    unfinished.finish(|_| temp.persist(path)).map_err(|e| e.error)?;
    Ok(())
}

/// A scenario's output folder being written.
pub struct OutputFolder {
    // Dropped in this order: the folder is removed, then forgotten.
    temp: TempDir,
    unfinished: Unfinished,
    out_dir: PathBuf,
    name: String,
}

impl OutputFolder {
    /// Starts writing `out_dir/name/`. `out_dir` is created if missing; it
    /// must be a folder.
    pub fn create(out_dir: &Path, name: &str) -> io::Result<OutputFolder> {
        if out_dir.exists() && !out_dir.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} exists and is not a folder", out_dir.display()),
            ));
        }
        std::fs::create_dir_all(out_dir)?;
        let (temp, unfinished) = Unfinished::create(
            || tempfile::Builder::new().prefix(&format!(".{name}.tmp-")).tempdir_in(out_dir),
            |t| t.path(),
        )?;
        Ok(OutputFolder {
            temp,
            unfinished,
            out_dir: out_dir.to_path_buf(),
            name: name.to_string(),
        })
    }

    /// Where to write the files for now.
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// Moves the finished folder into place, replacing an older one, and
    /// returns its path.
    pub fn commit(self) -> io::Result<PathBuf> {
        let OutputFolder { temp, unfinished, out_dir, name } = self;
        // An interruption waits until the folder is in place.
        let trash = unfinished.finish(|registry| {
            let target = out_dir.join(&name);
            // The old folder goes into a temporary folder of its own: no
            // window where a half-old, half-new folder exists.
            let trash = if target.exists() {
                let trash = tempfile::Builder::new()
                    .prefix(&format!(".{name}.old-"))
                    .tempdir_in(&out_dir)?;
                std::fs::rename(&target, trash.path().join("old"))?;
                Some(trash)
            } else {
                None
            };
            let written = temp.keep();
            if let Err(e) = std::fs::rename(&written, &target) {
                let _ = std::fs::remove_dir_all(&written);
                // The previous folder goes back where it was.
                if let Some(trash) = &trash {
                    let _ = std::fs::rename(trash.path().join("old"), &target);
                }
                return Err(e);
            }
            // Registered (only now: nothing registered may drop while the
            // handler is held off), so an interrupt while it is deleted
            // below finishes the deletion.
            let trash = trash.map(|t| {
                let registered = registry.register(t.path());
                (t, registered)
            });
            Ok((target, trash))
        })?;
        // The old folder is deleted (its temporary folder drops) after the
        // handler is free again: a large one must not delay an interrupt.
        let (target, trash) = trash;
        drop(trash);
        Ok(target)
    }
}

/// The files written while policies run, as one observer: each record
/// becomes a row of the file it belongs to, prefixed with the policy.
pub struct RunFiles<'w> {
    rows: Rows<'w>,
    policy: String,
    database_events: CsvFile,
    message_tracking: CsvFile,
    admin_audit: CsvFile,
    trace: CsvFile,
}

impl<'w> RunFiles<'w> {
    /// Creates the files in `dir`.
    pub fn create(
        dir: &Path,
        labels: &'w Labels,
        world: &'w World,
        plan: &'w Plan,
    ) -> io::Result<Self> {
        Ok(RunFiles {
            rows: Rows { labels, world, plan },
            policy: String::new(),
            database_events: CsvFile::create(
                &dir.join("database_events.csv"),
                &csv_files::DATABASE_EVENTS,
            )?,
            message_tracking: CsvFile::create(
                &dir.join("message_tracking.csv"),
                &csv_files::MESSAGE_TRACKING,
            )?,
            admin_audit: CsvFile::create(&dir.join("admin_audit.csv"), &csv_files::ADMIN_AUDIT)?,
            trace: CsvFile::create_quoted(&dir.join("assistant_trace.log"), &trace_log::TRACE)?,
        })
    }

    /// Sets the policy written in the rows that follow.
    pub fn set_policy(&mut self, policy: &str) {
        self.policy = policy.to_string();
    }

    /// Flushes every file.
    pub fn finish(self) -> io::Result<()> {
        self.database_events.finish()?;
        self.message_tracking.finish()?;
        self.admin_audit.finish()?;
        self.trace.finish()
    }
}

impl Observer for RunFiles<'_> {
    fn record(&mut self, record: &Record<'_>) {
        let (rows, policy) = (&self.rows, self.policy.as_str());
        match *record {
            Record::EventCreated(e) => rows.database_event(&mut self.database_events, policy, e),
            Record::SmsSent { at, mailbox, reminder, .. } => {
                rows.sms_tracking(&mut self.message_tracking, policy, at, mailbox, reminder);
            }
            Record::User { at, mailbox, action } => {
                rows.user_action(&mut self.admin_audit, policy, at, mailbox, action);
            }
            _ => {}
        }
        rows.trace(&mut self.trace, policy, record);
    }
}
