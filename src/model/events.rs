//! Mailbox database events (MODEL.md section 3).

use super::world::{DbId, MailboxId};
use crate::time::SimTime;

/// The phase of a move that a `MailboxMoveStarted` belongs to. An extended
/// property: the real event carries no such distinction, so a policy that
/// models the old logic must not read it (policies only see it through
/// [`crate::model::policy::PhaseSet`], which `legacy` fills completely).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MovePhase {
    /// The first sync of a move request.
    Initial,
    /// Every later sync.
    Incremental,
    /// Finalization, which locks the mailbox.
    Finalize,
}

impl MovePhase {
    /// The name used in scenario files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            MovePhase::Initial => "initial",
            MovePhase::Incremental => "incremental",
            MovePhase::Finalize => "finalize",
        }
    }
}

/// What a mailbox's database event is, with the payload the assistant
/// reads. (Background traffic, ObjectCreated events of class IPM.Note from
/// Transport, is only counted: see [`crate::model::database`].)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A sync or finalization started.
    MoveStarted(MovePhase),
    /// The move completed; fired on the source (`destination: false`) and
    /// then on the target database (`destination: true`).
    MoveSucceeded {
        /// True for the copy with flag Destination.
        destination: bool,
    },
    /// The move failed.
    MoveFailed,
    /// The user changed text messaging (`Set-TextMessagingAccount`).
    TextMessaging {
        /// True when the change enables SMS notifications.
        enabled: bool,
    },
}

impl EventKind {
    /// Event name as `Get-MailboxDatabaseEvent` prints it.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::MoveStarted(_) => "MailboxMoveStarted",
            EventKind::MoveSucceeded { .. } => "MailboxMoveSucceeded",
            EventKind::MoveFailed => "MailboxMoveFailed",
            EventKind::TextMessaging { .. } => "ObjectModified",
        }
    }

    /// Event mask bit.
    pub fn mask(self) -> u32 {
        match self {
            EventKind::MoveStarted(_) => 32_768,
            EventKind::MoveSucceeded { .. } => 65_536,
            EventKind::MoveFailed => 131_072,
            EventKind::TextMessaging { .. } => 16,
        }
    }

    /// Item type.
    pub fn item_type(self) -> &'static str {
        match self {
            EventKind::MoveStarted(_) | EventKind::MoveSucceeded { .. } | EventKind::MoveFailed => {
                "MAPI_STORE"
            }
            EventKind::TextMessaging { .. } => "MAPI_MESSAGE",
        }
    }

    /// Object class (empty for store events).
    pub fn object_class(self) -> &'static str {
        match self {
            EventKind::TextMessaging { .. } => "IPM.Configuration.TextMessaging",
            _ => "",
        }
    }

    /// Event flags.
    pub fn flags(self) -> &'static str {
        match self {
            EventKind::MoveStarted(_) | EventKind::MoveFailed => "Source",
            EventKind::MoveSucceeded { destination: false } => "Source",
            EventKind::MoveSucceeded { destination: true } => "Destination",
            EventKind::TextMessaging { .. } => "",
        }
    }

    /// The client that caused the event.
    pub fn client_type(self) -> &'static str {
        match self {
            EventKind::MoveStarted(_) | EventKind::MoveSucceeded { .. } | EventKind::MoveFailed => {
                "Migration"
            }
            EventKind::TextMessaging { .. } => "OWA",
        }
    }

    /// The move phase, for `MailboxMoveStarted`.
    pub fn move_phase(self) -> Option<MovePhase> {
        match self {
            EventKind::MoveStarted(phase) => Some(phase),
            _ => None,
        }
    }
}

/// One event on a database's event stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DbEvent {
    /// The database's counter for this event.
    pub counter: u64,
    /// Create time.
    pub created: SimTime,
    /// Database it was fired on.
    pub db: DbId,
    /// The mailbox it belongs to.
    pub mailbox: MailboxId,
    /// What happened.
    pub kind: EventKind,
}
