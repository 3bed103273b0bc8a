//! What reaches the user's terminal: every line cnasim prints goes through
//! here, so that a stream that cannot be written never makes it panic,
//! and IO errors are shown as plain text.
//!
//! Rust ignores SIGPIPE, so a write to a closed pipe fails with EPIPE
//! instead of ending the process, and `print!` and `eprintln!` panic on
//! that (and on ENOSPC, EIO...). The rule instead, in one place:
//!
//! - **stdout is a closed pipe** (`cnasim ... | head -1`): printing stops
//!   quietly, the command still finishes the work that writes files (run
//!   folders, the JUnit report, a sweep folder), and exits with the code
//!   it would have had. Closing the pipe is what the reader meant to do,
//!   so it is not an error, and the exit code keeps its meaning under
//!   `set -o pipefail`.
//! - **stdout fails otherwise** (`> /dev/full`, a full disk, EIO): one
//!   message on stderr, printing stops, the files are still written, and
//!   the command exits 2: what it printed is lost.
//! - **stderr fails**: nothing can be said about it. A closed pipe is
//!   quiet; any other failure makes a command that would have exited 0
//!   exit 2 (the lines it lost, `--stats` or where a folder was written,
//!   were asked for), and leaves any other exit code as it was.
//!
//! Commands print with [`out`] and [`err_line`], and return their exit
//! code through [`exit_code`], which applies the rule.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU8, Ordering};

/// Exit code when stdout (or, with nothing else wrong, stderr) cannot be
/// written: the one for bad input or usage, which a command that could not
/// complete also exits with.
const EXIT_WRITE_FAILED: u8 = 2;

/// What became of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum State {
    /// Every write so far went through.
    Open = 0,
    /// The reader went away (EPIPE): not an error, nothing more is written.
    Closed = 1,
    /// A write failed otherwise: nothing more is written.
    Failed = 2,
}

/// One of the process's output streams and what became of it.
struct Channel(AtomicU8);

impl Channel {
    const fn new() -> Self {
        Channel(AtomicU8::new(State::Open as u8))
    }

    fn state(&self) -> State {
        match self.0.load(Ordering::Relaxed) {
            0 => State::Open,
            1 => State::Closed,
            _ => State::Failed,
        }
    }

    /// Records how a write ended; returns the error when it is news, that
    /// is the first failure that is not a closed pipe.
    fn record(&self, written: io::Result<()>) -> Option<io::Error> {
        let e = written.err()?;
        let state =
            if e.kind() == io::ErrorKind::BrokenPipe { State::Closed } else { State::Failed };
        let before = self.0.swap(state as u8, Ordering::Relaxed);
        (state == State::Failed && before == State::Open as u8).then_some(e)
    }

    /// Writes `text` to `w` and flushes it, unless an earlier write failed;
    /// returns the error when this write is the first to fail (other than
    /// on a closed pipe).
    fn write(&self, w: &mut impl Write, text: &str) -> Option<io::Error> {
        if self.state() != State::Open {
            return None;
        }
        self.record(w.write_all(text.as_bytes()).and_then(|()| w.flush()))
    }
}

static STDOUT: Channel = Channel::new();
static STDERR: Channel = Channel::new();

/// A standard stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output: tables, reports, JSON.
    Out,
    /// Standard error: errors, progress, timings.
    Err,
}

/// Prints `text` as it is on stdout. After a failed write nothing more is
/// printed there; see the module's rule.
pub fn out(text: &str) {
    let failed = STDOUT.write(&mut io::stdout().lock(), text);
    stdout_failed(failed);
}

/// Prints `line` and a newline on stderr, never panicking.
pub fn err_line(line: &str) {
    let mut text = String::with_capacity(line.len() + 1);
    text.push_str(line);
    text.push('\n');
    // Nothing can be said about a stderr that fails; exit_code knows.
    let _ = STDERR.write(&mut io::stderr().lock(), &text);
}

/// Records the result of a write to `stream` that something else did (clap
/// printing help or a usage error), as if it had gone through [`out`] or
/// [`err_line`].
pub fn record(stream: Stream, written: io::Result<()>) {
    match stream {
        Stream::Out => stdout_failed(STDOUT.record(written)),
        Stream::Err => {
            let _ = STDERR.record(written);
        }
    }
}

/// Says once, on stderr, that stdout failed.
fn stdout_failed(failed: Option<io::Error>) {
    if let Some(e) = failed {
        err_line(&format!("error: cannot write to standard output: {}", os_reason(&e)));
    }
}

/// The exit code of a command whose own result is `code`, given what
/// happened to stdout and stderr: 2 if stdout failed other than by a
/// closed pipe; 2 instead of 0 if stderr did; else `code`.
pub fn exit_code(code: ExitCode) -> ExitCode {
    combine(code, STDOUT.state(), STDERR.state())
}

fn combine(code: ExitCode, stdout: State, stderr: State) -> ExitCode {
    if stdout == State::Failed || (stderr == State::Failed && code == ExitCode::SUCCESS) {
        ExitCode::from(EXIT_WRITE_FAILED)
    } else {
        code
    }
}

/// Why an IO operation failed, as plain text: the operating system's
/// reason (`No space left on device (os error 28)`), without the context
/// that libraries add around it in their own format (tempfile's
/// `at path ".cnasim-x1y2.tmp"`, naming a temporary file the user never
/// sees) and never Rust's debug form (`Os { code: 28, .. }`).
pub fn os_reason(e: &io::Error) -> String {
    // The innermost io::Error is the OS's own; io::Error's source() skips
    // the wrapper it holds and gives that wrapper's source.
    let mut innermost = e;
    let mut next = std::error::Error::source(e);
    while let Some(source) = next {
        if let Some(io) = source.downcast_ref::<io::Error>() {
            innermost = io;
        }
        next = source.source();
    }
    if let Some(code) = innermost.raw_os_error() {
        return io::Error::from_raw_os_error(code).to_string();
    }
    let text = innermost.to_string();
    // tempfile keeps the OS error in a private wrapper whose source() does
    // not give it back; its text is `{os error} at path {path:?}`.
    match text.find(TEMPFILE_CONTEXT) {
        Some(at) if innermost.get_ref().is_some() => text[..at].to_string(),
        _ => text,
    }
}

/// What tempfile puts between an error and the temporary path it concerns.
const TEMPFILE_CONTEXT: &str = " at path \"";

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose every write fails with this OS error code.
    struct Failing(i32);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from_raw_os_error(self.0))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    const EPIPE: i32 = 32;
    const ENOSPC: i32 = 28;

    #[test]
    fn a_closed_pipe_stops_printing_quietly() {
        let channel = Channel::new();
        let mut pipe = Failing(EPIPE);
        assert!(channel.write(&mut pipe, "first\n").is_none());
        assert_eq!(channel.state(), State::Closed);
        assert!(channel.write(&mut Vec::new(), "never written\n").is_none());
        assert_eq!(combine(ExitCode::SUCCESS, State::Closed, State::Open), ExitCode::SUCCESS);
        assert_eq!(combine(ExitCode::from(1), State::Closed, State::Closed), ExitCode::from(1));
    }

    #[test]
    fn another_failure_is_reported_once_and_exits_2() {
        let channel = Channel::new();
        let mut full = Failing(ENOSPC);
        let e = channel.write(&mut full, "lost\n").expect("the first failure is news");
        assert_eq!(os_reason(&e), io::Error::from_raw_os_error(ENOSPC).to_string());
        assert!(channel.write(&mut full, "lost too\n").is_none(), "said once");
        let mut written = Vec::new();
        assert!(channel.write(&mut written, "after\n").is_none());
        assert!(written.is_empty(), "nothing printed after a failure");
        for code in [0, 1, 2] {
            let exit = combine(ExitCode::from(code), State::Failed, State::Open);
            assert_eq!(exit, ExitCode::from(2));
        }
    }

    #[test]
    fn a_failed_stderr_turns_only_success_into_2() {
        assert_eq!(combine(ExitCode::SUCCESS, State::Open, State::Failed), ExitCode::from(2));
        assert_eq!(combine(ExitCode::from(1), State::Open, State::Failed), ExitCode::from(1));
        assert_eq!(combine(ExitCode::SUCCESS, State::Open, State::Closed), ExitCode::SUCCESS);
    }

    #[test]
    fn os_reasons_are_plain_text() {
        let os = io::Error::from_raw_os_error(ENOSPC);
        let plain = os.to_string();
        assert!(!plain.contains("Os {"), "{plain}");
        assert_eq!(os_reason(&os), plain);
        // tempfile's way of naming the temporary file.
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/folder");
        let e = tempfile::Builder::new().tempfile_in(&missing).unwrap_err();
        assert!(e.to_string().contains(" at path "), "tempfile still adds its context: {e}");
        let reason = os_reason(&e);
        assert_eq!(reason, io::Error::from_raw_os_error(2).to_string());
        // A message of our own stays as it is.
        let mine = io::Error::other("cannot draw the timeline: bad layout");
        assert_eq!(os_reason(&mine), "cannot draw the timeline: bad layout");
    }
}
