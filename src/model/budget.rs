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
    "the run of `{scenario}` under policy `{policy}` reached its share of --max-events ({cap} \
     events) at simulated time {} (the estimate before the run was {estimate} events per \
     policy); raise --max-events, or shorten the window",
    format_rfc3339(*at)
)]
pub struct EventCapReached {
    /// The cap of this policy's run: `--max-events` shared among the
    /// policies.
    pub cap: u64,
    /// When the run passed it (simulated time).
    pub at: SimTime,
    /// The scenario being run.
    pub scenario: String,
    /// The policy being run.
    pub policy: String,
    /// The events per policy estimated before the run.
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

/// What a run of a scenario is expected to cost, estimated from the
/// scenario before it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Events one policy's run handles at most (an upper estimate).
    pub events: u64,
    /// Policies the run compares.
    pub policies: u64,
    /// Memory the run keeps, in bytes (a rough figure: files are
    /// streamed, so only per-reminder, per-mailbox, per-cycle and
    /// per-database state counts).
    pub memory_bytes: u64,
    /// Bytes the run's folder takes at most; 0 when nothing is written.
    pub output_bytes: u64,
}

impl Estimate {
    /// Events over all policies.
    pub fn total_events(&self) -> u64 {
        self.events.saturating_mul(self.policies)
    }
}

/// The share of a run's event cap that one of its `policies` policies may
/// handle: the cap is on their total, and each policy's run stops past its
/// share, so that which one stops never depends on which runs first.
pub fn share_of(cap: u64, policies: usize) -> u64 {
    (cap / policies.max(1) as u64).max(1)
}
