//! The cap on the events one run may handle (`--max-events`), and why a
//! run can stop early.
//!
//! Scenario validation estimates a run's events and refuses one over the
//! cap before anything runs; the cap is also enforced here, during the
//! run, so that no estimate error can turn into a runaway run.

use super::database::CounterOverflow;
use crate::time::{SimTime, format_rfc3339};

/// The events a run may still handle: every happening the run loop applies
/// and every background arrival counts as one.
#[derive(Clone, Copy, Debug)]
pub struct EventBudget {
    cap: u64,
    used: u64,
}

impl EventBudget {
    /// A budget of `cap` events.
    pub fn new(cap: u64) -> Self {
        EventBudget { cap, used: 0 }
    }

    /// Counts one event handled at `at`; fails once the cap is passed.
    #[inline]
    pub fn spend(&mut self, at: SimTime) -> Result<(), EventCapReached> {
        self.spend_many(at, 1)
    }

    /// Counts `n` events handled at `at`; fails once the cap is passed.
    #[inline]
    pub fn spend_many(&mut self, at: SimTime, n: u64) -> Result<(), EventCapReached> {
        self.used = self.used.saturating_add(n);
        if self.used > self.cap {
            return Err(EventCapReached {
                cap: self.cap,
                at,
                scenario: String::new(),
                policy: String::new(),
                estimate: 0,
            });
        }
        Ok(())
    }

    /// Events counted so far.
    pub fn used(&self) -> u64 {
        self.used
    }
}

/// A run needed more events than its cap.
#[derive(Debug, thiserror::Error)]
#[error(
    "the run of `{scenario}` under policy `{policy}` reached the cap of {cap} events \
     (--max-events) at simulated time {} (the estimate before the run was {estimate}); raise \
     --max-events, or shorten the window",
    format_rfc3339(*at)
)]
pub struct EventCapReached {
    /// The cap.
    pub cap: u64,
    /// When the run passed it (simulated time).
    pub at: SimTime,
    /// The scenario being run.
    pub scenario: String,
    /// The policy being run.
    pub policy: String,
    /// The events estimated before the run.
    pub estimate: u64,
}

/// Why a run could not finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A database counter overflowed.
    #[error(transparent)]
    CounterOverflow(#[from] CounterOverflow),
    /// The run passed its event cap.
    #[error(transparent)]
    EventCap(#[from] EventCapReached),
}

/// What one policy's run of a scenario is expected to cost, estimated from
/// the scenario before it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Events counted against the cap (an upper estimate).
    pub events: u64,
    /// Memory the run keeps, in bytes (a rough figure: files are
    /// streamed, so only per-reminder, per-mailbox and per-database state
    /// counts).
    pub memory_bytes: u64,
}

impl Estimate {
    /// The memory as people read it: "about 3 MiB".
    pub fn memory_text(&self) -> String {
        const MIB: u64 = 1 << 20;
        format!("about {} MiB of memory", self.memory_bytes.div_ceil(MIB).max(1))
    }
}
