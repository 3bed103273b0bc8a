//! The bytes a command writes, counted against `--max-output` while they
//! are written: the estimate made before a run refuses a scenario whose
//! output would pass the limit, and the meter stops one that passes it
//! anyway (an estimate is not a proof), before the disk fills.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A shared count of bytes written, with its limit. Clones share the
/// count, so every file of a command (and every policy's parts, written
/// at once) draws on one budget.
#[derive(Clone, Debug)]
pub struct Meter {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    used: AtomicU64,
    limit: u64,
}

/// The files passed `--max-output` while being written.
#[derive(Debug, thiserror::Error)]
#[error(
    "the files written passed --max-output ({}) although the estimate before the run fitted \
     (please report it); raise --max-output",
    crate::scenario::bytes_text(*limit)
)]
pub struct OutputLimitReached {
    /// The limit.
    pub limit: u64,
}

impl Meter {
    /// A meter allowing `limit` bytes in all.
    pub fn new(limit: u64) -> Meter {
        Meter { shared: Arc::new(Shared { used: AtomicU64::new(0), limit }) }
    }

    /// A meter without a limit, for files that callers bound themselves.
    pub fn unlimited() -> Meter {
        Meter::new(u64::MAX)
    }

    /// Counts `bytes` about to be written; fails if they would pass the
    /// limit.
    pub fn charge(&self, bytes: u64) -> io::Result<()> {
        let before = self.shared.used.fetch_add(bytes, Ordering::Relaxed);
        if before.saturating_add(bytes) > self.shared.limit {
            return Err(io::Error::other(OutputLimitReached { limit: self.shared.limit }));
        }
        Ok(())
    }

    /// Writes `bytes` to the new file `path`, counted.
    pub fn write_file(&self, path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
        self.charge(bytes.as_ref().len() as u64)?;
        std::fs::write(path, bytes)
    }

    /// Counts the bytes of a file written by other means (a chart drawn
    /// by its library), after the fact.
    pub fn charge_file(&self, path: &Path) -> io::Result<()> {
        self.charge(std::fs::metadata(path)?.len())
    }

    /// `writer`, with every byte written counted.
    pub fn wrap<W: Write>(&self, writer: W) -> Metered<W> {
        Metered { inner: writer, meter: self.clone() }
    }
}

impl Default for Meter {
    fn default() -> Self {
        Meter::unlimited()
    }
}

/// A writer whose bytes a [`Meter`] counts.
#[derive(Debug)]
pub struct Metered<W> {
    inner: W,
    meter: Meter,
}

impl<W: Write> Write for Metered<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Counted before it is written, so the limit is never passed.
        self.meter.charge(buf.len() as u64)?;
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_budget() {
        let meter = Meter::new(10);
        let other = meter.clone();
        assert!(meter.charge(6).is_ok());
        let refused = other.charge(5).unwrap_err();
        assert!(refused.to_string().contains("passed --max-output (10 bytes)"), "{refused}");
        let mut out = Meter::new(4).wrap(Vec::new());
        assert!(out.write_all(b"abcd").is_ok());
        assert!(out.write_all(b"e").is_err());
    }
}
