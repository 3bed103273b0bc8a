//! Every file cnasim writes, and the output folder that holds them.
//!
//! Architecture invariant: a scenario's folder appears complete or not at
//! all. Files are written into a hidden temporary folder next to it, which
//! is renamed into place only when every file is written; a failed or
//! interrupted run leaves the previous folder (if any) untouched.

mod csv_files;
mod labels;
pub mod summary;
mod trace_log;

pub use csv_files::{AdminAuditCsv, DatabaseEventsCsv, MessageTrackingCsv, write_dropouts};
pub use labels::Labels;
pub use summary::{Summary, comparison_table};
pub use trace_log::TraceLog;

use crate::model::World;
use crate::model::plan::Plan;
use crate::model::record::{Observer, Record};
use std::io;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A scenario's output folder being written.
pub struct OutputFolder {
    temp: TempDir,
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
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}.tmp-"))
            .tempdir_in(out_dir)?;
        Ok(OutputFolder {
            temp,
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
        let target = self.out_dir.join(&self.name);
        // The old folder goes into a temporary folder of its own, which is
        // deleted when it drops: no window where a half-old, half-new
        // folder exists.
        let trash = if target.exists() {
            let trash = tempfile::Builder::new()
                .prefix(&format!(".{}.old-", self.name))
                .tempdir_in(&self.out_dir)?;
            std::fs::rename(&target, trash.path().join("old"))?;
            Some(trash)
        } else {
            None
        };
        let written = self.temp.keep();
        if let Err(e) = std::fs::rename(&written, &target) {
            let _ = std::fs::remove_dir_all(&written);
            return Err(e);
        }
        drop(trash);
        Ok(target)
    }
}

/// The files written while policies run, as one observer.
pub struct RunFiles<'w> {
    database_events: DatabaseEventsCsv<'w>,
    message_tracking: MessageTrackingCsv<'w>,
    admin_audit: AdminAuditCsv<'w>,
    trace: TraceLog<'w>,
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
            database_events: DatabaseEventsCsv::create(dir, labels)?,
            message_tracking: MessageTrackingCsv::create(dir, labels, world, plan)?,
            admin_audit: AdminAuditCsv::create(dir, labels)?,
            trace: TraceLog::create(dir, labels, world, plan)?,
        })
    }

    /// Sets the policy written in the rows that follow.
    pub fn set_policy(&mut self, policy: &str) {
        self.database_events.set_policy(policy);
        self.message_tracking.set_policy(policy);
        self.admin_audit.set_policy(policy);
        self.trace.set_policy(policy);
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
        self.database_events.record(record);
        self.message_tracking.record(record);
        self.admin_audit.record(record);
        self.trace.record(record);
    }
}
