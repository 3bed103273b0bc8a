//! Names and addresses for output rows, computed once per world.

use crate::model::addresses::{sms_recipient, smtp_address};
use crate::model::world::{DbId, MailboxId, World};

/// Precomputed display strings for every mailbox and database.
pub struct Labels {
    /// Mailbox display names.
    pub mailbox: Vec<String>,
    /// Mailbox GUIDs, formatted.
    pub mailbox_guid: Vec<String>,
    /// Primary SMTP addresses.
    pub address: Vec<String>,
    /// IMCEA addresses of the users' phones.
    pub recipient: Vec<String>,
    /// Database names.
    pub database: Vec<String>,
    /// Database GUIDs, formatted.
    pub database_guid: Vec<String>,
}

impl Labels {
    /// Labels for `world`.
    pub fn new(world: &World) -> Self {
        Labels {
            mailbox: world.mailboxes.iter().map(|m| m.name.clone()).collect(),
            mailbox_guid: world.mailboxes.iter().map(|m| m.guid.to_string()).collect(),
            address: world
                .mailboxes
                .iter()
                .map(|m| smtp_address(&m.alias, &world.domain))
                .collect(),
            recipient: world
                .mailboxes
                .iter()
                .map(|m| sms_recipient(&m.phone, &world.domain))
                .collect(),
            database: world.databases.iter().map(|d| d.name.clone()).collect(),
            database_guid: world.databases.iter().map(|d| d.guid.to_string()).collect(),
        }
    }

    /// Display name of mailbox `m`.
    pub fn mailbox(&self, m: MailboxId) -> &str {
        &self.mailbox[m.index()]
    }

    /// Name of database `db`.
    pub fn database(&self, db: DbId) -> &str {
        &self.database[db.index()]
    }
}
