//! What a run reports: a stream of records pushed to an [`Observer`].
//!
//! The simulation never prints or writes. Metrics, CSV files, logs and
//! charts are observers, or read what observers collected.

use super::database::{BacklogSeries, DatabaseTotals};
use super::events::{DbEvent, MovePhase};
use super::move_request::MoveStep;
use super::world::{DbId, MailboxId};
use crate::time::SimTime;

/// The assistant's state for one mailbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssistantState {
    /// Not processing the mailbox (text messaging never enabled, or disabled).
    Off,
    /// Processing: reminder timers are set and fire SMS.
    Active,
    /// Stopped by a `MailboxMoveStarted` at `since` (the trace's `StopAll`).
    Paused {
        /// When the pause took effect.
        since: SimTime,
    },
}

impl AssistantState {
    /// `off`, `active` or `paused`.
    pub fn as_str(self) -> &'static str {
        match self {
            AssistantState::Off => "off",
            AssistantState::Active => "active",
            AssistantState::Paused { .. } => "paused",
        }
    }
}

/// A user action (`Set-TextMessagingAccount`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserAction {
    /// The user turns SMS reminders on (`sms.enable_at`).
    Enable,
    /// The user turns them off (`sms.disable_at`).
    Disable,
    /// The user reconfigures text messaging, which enables it again: by
    /// the reaction rule, or at an instant of `sms.reconfigure_at`.
    Reconfigure,
}

impl UserAction {
    /// `enable`, `disable` or `reconfigure`.
    pub fn as_str(self) -> &'static str {
        match self {
            UserAction::Enable => "enable",
            UserAction::Disable => "disable",
            UserAction::Reconfigure => "reconfigure",
        }
    }
}

/// What the assistant decided about an event for a mailbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Text messaging enabled: active, timers for every reminder from now on.
    Enable {
        /// Reminder timers now set.
        scheduled: u32,
    },
    /// Text messaging disabled: off, timers dropped.
    Disable {
        /// Reminder timers dropped.
        dropped: u32,
    },
    /// `MailboxMoveStarted` paused an active mailbox.
    StopAll {
        /// Phase of the move event.
        phase: MovePhase,
        /// Reminder timers dropped.
        dropped: u32,
        /// The earliest dropped reminder (global index), if any.
        next: Option<u32>,
    },
    /// `MailboxMoveStarted` on an active mailbox that the policy ignores.
    Ignored {
        /// Phase of the move event.
        phase: MovePhase,
    },
    /// A move event resumed a paused mailbox.
    Resume {
        /// Reminders sent at once by catch-up.
        sent: u32,
        /// Reminder timers now set.
        scheduled: u32,
    },
}

/// One thing that happened in a run. Indices refer to the run's
/// [`World`](super::World) and [`Plan`](super::Plan).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Record<'a> {
    /// A move request transition.
    Move {
        /// When.
        at: SimTime,
        /// Whose move.
        mailbox: MailboxId,
        /// Which transition.
        step: MoveStep,
    },
    /// A user action was carried out.
    User {
        /// When.
        at: SimTime,
        /// Whose.
        mailbox: MailboxId,
        /// Which.
        action: UserAction,
    },
    /// A reconfiguration (the reaction rule's or a listed one) came due
    /// after the user stopped wanting SMS, so the user did not carry it out.
    ReconfigurationDropped {
        /// When it was due.
        at: SimTime,
        /// Whose.
        mailbox: MailboxId,
    },
    /// A database event was fired (mailbox events only; background traffic
    /// is summarized in [`Record::DatabaseTotals`]).
    EventCreated(&'a DbEvent),
    /// The assistant processed a mailbox event.
    EventHandled {
        /// When it took effect.
        at: SimTime,
        /// The event.
        event: &'a DbEvent,
    },
    /// The assistant decided something about a mailbox.
    Decision {
        /// When.
        at: SimTime,
        /// Whose.
        mailbox: MailboxId,
        /// The event that caused it.
        event: &'a DbEvent,
        /// What.
        decision: Decision,
    },
    /// The assistant state of a mailbox changed.
    StateChanged {
        /// When.
        at: SimTime,
        /// Whose.
        mailbox: MailboxId,
        /// The new state.
        state: AssistantState,
    },
    /// The assistant sent an SMS for a reminder.
    SmsSent {
        /// When.
        at: SimTime,
        /// Whose.
        mailbox: MailboxId,
        /// Which reminder (global index).
        reminder: u32,
        /// Sent by catch-up on a resume, not by the reminder's timer.
        catch_up: bool,
    },
    /// The user looked for an expected reminder at its occurrence start.
    Observed {
        /// When.
        at: SimTime,
        /// Whose.
        mailbox: MailboxId,
        /// Which reminder (global index).
        reminder: u32,
        /// Whether an SMS had arrived.
        delivered: bool,
        /// Consecutive misses after this observation.
        misses: u32,
    },
    /// The reaction rule scheduled a reconfiguration.
    ReconfigurationScheduled {
        /// When the user decided.
        at: SimTime,
        /// Whose.
        mailbox: MailboxId,
        /// When the user will reconfigure.
        due: SimTime,
    },
    /// A database's backlog over the run, sent at the end just before its
    /// [`Record::DatabaseTotals`].
    Backlog {
        /// Which database.
        db: DbId,
        /// Peak backlog per bucket.
        series: &'a BacklogSeries,
    },
    /// End-of-run totals of a database.
    DatabaseTotals {
        /// Which database.
        db: DbId,
        /// Its totals.
        totals: DatabaseTotals,
    },
    /// The run reached the window end; nothing follows.
    End {
        /// The window end.
        at: SimTime,
        /// Events the run handled (what `--max-events` caps): happenings
        /// applied by the run loop and background arrivals.
        events: u64,
    },
}

impl Record<'_> {
    /// The mailbox the record is about, if it is about one.
    pub fn mailbox(&self) -> Option<MailboxId> {
        match *self {
            Record::Move { mailbox, .. }
            | Record::User { mailbox, .. }
            | Record::ReconfigurationDropped { mailbox, .. }
            | Record::Decision { mailbox, .. }
            | Record::StateChanged { mailbox, .. }
            | Record::SmsSent { mailbox, .. }
            | Record::Observed { mailbox, .. }
            | Record::ReconfigurationScheduled { mailbox, .. } => Some(mailbox),
            Record::EventCreated(event) | Record::EventHandled { event, .. } => Some(event.mailbox),
            Record::Backlog { .. } | Record::DatabaseTotals { .. } | Record::End { .. } => None,
        }
    }
}

/// Receives the records of a run, in order.
pub trait Observer {
    /// Called once per record.
    fn record(&mut self, record: &Record<'_>);
}

impl<O: Observer + ?Sized> Observer for &mut O {
    fn record(&mut self, record: &Record<'_>) {
        (**self).record(record);
    }
}

impl<A: Observer, B: Observer> Observer for (A, B) {
    fn record(&mut self, record: &Record<'_>) {
        self.0.record(record);
        self.1.record(record);
    }
}

/// An observer that keeps nothing.
pub struct Discard;

impl Observer for Discard {
    fn record(&mut self, _: &Record<'_>) {}
}
