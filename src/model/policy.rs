//! Assistant policies: the three rules of MODEL.md section 7, as data.

use super::events::MovePhase;

/// How the Calendar Notification Assistant answers move events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Name used on the command line and in every output.
    pub name: String,
    /// Move phases whose `MailboxMoveStarted` pauses an active mailbox.
    pub pause_on_move_started: PhaseSet,
    /// Whether `MailboxMoveSucceeded` (the copy with flag Destination)
    /// resumes a paused mailbox.
    pub resume_on_move_succeeded: bool,
    /// Whether `MailboxMoveFailed` resumes a paused mailbox.
    pub resume_on_move_failed: bool,
    /// On a resume by a move event: re-schedule every occurrence with a
    /// reminder at or after the pause, sending the overdue ones at once.
    pub catch_up: bool,
}

/// A set of move phases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PhaseSet {
    /// `initial` is in the set.
    pub initial: bool,
    /// `incremental` is in the set.
    pub incremental: bool,
    /// `finalize` is in the set.
    pub finalize: bool,
}

impl PhaseSet {
    /// Every phase.
    pub const ALL: PhaseSet = PhaseSet { initial: true, incremental: true, finalize: true };

    /// True when `phase` is in the set.
    pub fn contains(self, phase: MovePhase) -> bool {
        match phase {
            MovePhase::Initial => self.initial,
            MovePhase::Incremental => self.incremental,
            MovePhase::Finalize => self.finalize,
        }
    }

    /// Adds `phase` to the set.
    pub fn insert(&mut self, phase: MovePhase) {
        match phase {
            MovePhase::Initial => self.initial = true,
            MovePhase::Incremental => self.incremental = true,
            MovePhase::Finalize => self.finalize = true,
        }
    }
}

/// Names of the built-in policies, in the default order.
pub const PRESET_NAMES: [&str; 2] = ["legacy", "fixed"];

impl Policy {
    /// `legacy`: the incident. Every `MailboxMoveStarted` stops the mailbox
    /// (`StopAll`); nothing but the user re-enabling text messaging resumes it.
    pub fn legacy() -> Policy {
        Policy {
            name: "legacy".into(),
            pause_on_move_started: PhaseSet::ALL,
            resume_on_move_succeeded: false,
            resume_on_move_failed: false,
            catch_up: false,
        }
    }

    /// `fixed`: only finalization (which locks the mailbox) pauses; the move's
    /// success or failure resumes, catching up on reminders due meanwhile.
    pub fn fixed() -> Policy {
        Policy {
            name: "fixed".into(),
            pause_on_move_started: PhaseSet { finalize: true, ..PhaseSet::default() },
            resume_on_move_succeeded: true,
            resume_on_move_failed: true,
            catch_up: true,
        }
    }

    /// The built-in policy called `name`, if there is one.
    pub fn preset(name: &str) -> Option<Policy> {
        match name {
            "legacy" => Some(Policy::legacy()),
            "fixed" => Some(Policy::fixed()),
            _ => None,
        }
    }
}
