//! Every file cnasim writes, and the output folder that holds them
//! ([`folder`]: replaced only if cnasim wrote it, swapped into place
//! atomically).

pub mod chart;
mod csv_files;
pub mod exchange_logs;
pub mod folder;
mod labels;
pub mod meter;
pub mod report_html;
pub mod summary;
pub mod text_table;
pub mod timeline;
pub mod trace_json;
mod trace_log;
pub mod unfinished;
mod views;

pub use csv_files::{CsvFile, Rows, neutralize, restore, write_dropouts};
pub use folder::{FolderError, OutputFolder, Replace};
pub use labels::Labels;
pub use meter::Meter;
pub use summary::{Summary, comparison_table};
pub use views::Views;

use crate::model::World;
use crate::model::record::{Observer, Record};
use exchange_logs::ExchangeLogs;
use std::io;
use std::path::{Path, PathBuf};
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

/// Which mailboxes' rows the event logs (`database_events.csv`,
/// `message_tracking.csv`, `admin_audit.csv`, `assistant_trace.log`) hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogDetail {
    /// Every mailbox's.
    All,
    /// Only the mailboxes the timeline follows (at most
    /// [`timeline::DETAILED_MAILBOXES`]): a population's logs would
    /// otherwise run to gigabytes that nobody reads row by row.
    Followed,
}

impl LogDetail {
    /// Mailboxes in a world above which `auto` logs only the followed ones.
    pub const AUTO_LIMIT: usize = 1_000;

    /// `all` up to [`LogDetail::AUTO_LIMIT`] mailboxes, `followed` above.
    pub fn auto(world: &World) -> LogDetail {
        if world.mailboxes.len() <= Self::AUTO_LIMIT { LogDetail::All } else { LogDetail::Followed }
    }

    /// `all` or `followed`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogDetail::All => "all",
            LogDetail::Followed => "followed",
        }
    }

    /// Per mailbox of `world`, whether the logs hold its rows.
    pub fn logged(self, world: &World) -> Vec<bool> {
        match self {
            LogDetail::All => vec![true; world.mailboxes.len()],
            LogDetail::Followed => {
                let mut logged = vec![false; world.mailboxes.len()];
                for m in timeline::followed(world) {
                    logged[m.index()] = true;
                }
                logged
            }
        }
    }
}

/// The layout of the event logs (`--log-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// cnasim's CSV files only, every policy's rows in each.
    #[default]
    Csv,
    /// The CSV files, and for each policy its message tracking log and
    /// admin audit log in Exchange's own layouts ([`exchange_logs`]).
    Exchange,
}

/// The event logs: file name, header, and whether every field is quoted.
const LOGS: [(&str, &[&str], bool); 4] = [
    ("database_events.csv", &csv_files::DATABASE_EVENTS, false),
    ("message_tracking.csv", &csv_files::MESSAGE_TRACKING, false),
    ("admin_audit.csv", &csv_files::ADMIN_AUDIT, false),
    ("assistant_trace.log", &trace_log::TRACE, true),
];

/// One policy's rows of the event logs, as an observer: each record of a
/// logged mailbox becomes a row of the file it belongs to, prefixed with
/// the policy, streamed so memory does not grow with the run. Each policy
/// writes its own parts (so policies can run at once); [`join_logs`]
/// makes the files.
pub struct RunFiles<'w> {
    rows: Rows<'w>,
    logged: &'w [bool],
    policy: String,
    files: [CsvFile; 4],
    /// The policy's Exchange-format logs, with `--log-format exchange`.
    exchange: Option<ExchangeLogs>,
}

impl<'w> RunFiles<'w> {
    /// Creates the files of policy `policy` in `dir` (which must exist),
    /// for the mailboxes `logged` marks: with their headers for the first
    /// policy (`dir` is then the output folder), as parts for the others.
    /// With `exchange` (the output folder), the policy's Exchange-format
    /// logs are written there too, whole: they hold one policy each.
    pub fn create(
        dir: &Path,
        first: bool,
        policy: &str,
        logged: &'w [bool],
        rows: Rows<'w>,
        meter: &Meter,
        exchange: Option<&Path>,
    ) -> io::Result<Self> {
        let part = |(name, header, quoted): (&str, &[&str], bool)| {
            let path = dir.join(name);
            match (first, quoted) {
                (true, true) => CsvFile::create_quoted(&path, header, meter),
                (true, false) => CsvFile::create(&path, header, meter),
                (false, _) => CsvFile::create_part(&path, quoted, meter),
            }
        };
        Ok(RunFiles {
            logged,
            policy: policy.to_string(),
            files: [part(LOGS[0])?, part(LOGS[1])?, part(LOGS[2])?, part(LOGS[3])?],
            exchange: exchange
                .map(|folder| ExchangeLogs::create(folder, policy, rows.world.start, meter))
                .transpose()?,
            rows,
        })
    }

    /// Flushes every part.
    pub fn finish(self) -> io::Result<()> {
        self.files.into_iter().try_for_each(CsvFile::finish)?;
        self.exchange.map_or(Ok(()), ExchangeLogs::finish)
    }
}

/// Appends to the event logs in `folder` (which the first policy wrote)
/// the parts of the other policies (each a folder that
/// [`RunFiles::create`] wrote into, in policy order), and removes them.
pub fn join_logs(folder: &Path, parts: &[PathBuf]) -> io::Result<()> {
    for (name, _, _) in LOGS {
        let files: Vec<PathBuf> = parts.iter().map(|p| p.join(name)).collect();
        csv_files::append_parts(&folder.join(name), &files)?;
    }
    parts.iter().try_for_each(std::fs::remove_dir)
}

impl Observer for RunFiles<'_> {
    fn record(&mut self, record: &Record<'_>) {
        if record.mailbox().is_some_and(|m| !self.logged[m.index()]) {
            return;
        }
        let (rows, policy) = (&self.rows, self.policy.as_str());
        let [database_events, message_tracking, admin_audit, trace] = &mut self.files;
        match *record {
            Record::EventCreated(e) => rows.database_event(database_events, policy, e),
            Record::SmsSent { at, mailbox, reminder, .. } => {
                rows.sms_tracking(message_tracking, policy, at, mailbox, reminder);
                if let Some(exchange) = &mut self.exchange {
                    exchange.sms(rows, at, mailbox, reminder);
                }
            }
            Record::User { at, mailbox, action } => {
                rows.user_action(admin_audit, policy, at, mailbox, action);
                if let Some(exchange) = &mut self.exchange {
                    exchange.user_action(rows, at, mailbox);
                }
            }
            _ => {}
        }
        rows.trace(trace, policy, record);
    }
}
