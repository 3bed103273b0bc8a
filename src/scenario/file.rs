//! The scenario file as serde reads it: plain data with source locations.
//! These types are the YAML boundary; nothing past `validate` sees them.

use super::expect::ExpectFile;
use super::values::{
    DisplayName, DurationValue, GuidValue, InstantValue, Phone, Real, Slug, Whole,
};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A scenario file. Unknown keys are errors everywhere.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// `[a-z0-9-]+`; names the output folder. Default: the file name.
    pub name: Option<Spanned<Slug>>,
    /// What the scenario shows.
    pub description: Option<String>,
    /// Root seed of every random stream. Default 0; `--seed` overrides.
    pub seed: Option<Spanned<Whole>>,
    /// First instant of the window.
    pub start: Spanned<InstantValue>,
    /// End of the window (exclusive). Give `end` or `duration`.
    pub end: Option<Spanned<InstantValue>>,
    /// Length of the window. Give `end` or `duration`.
    pub duration: Option<Spanned<DurationValue>>,
    /// Policies to compare. Default: `[legacy, fixed]`.
    pub policies: Option<Spanned<Vec<Spanned<PolicyEntry>>>>,
    /// SMTP domain for addresses in logs. Default `contoso.com`.
    pub domain: Option<Spanned<String>>,
    /// Mailbox databases.
    pub databases: Spanned<Vec<Spanned<DatabaseFile>>>,
    /// Mailboxes.
    #[serde(default)]
    pub mailboxes: Vec<Spanned<MailboxFile>>,
    /// Regression expectations, per policy and metric.
    pub expect: Option<Spanned<ExpectFile>>,
    /// Generated mailboxes: in the interface, not supported yet.
    pub population: Option<Spanned<serde::de::IgnoredAny>>,
}

/// A policy list entry: a name, or a definition.
#[derive(Debug)]
pub enum PolicyEntry {
    /// `legacy`, `fixed`, or a policy defined elsewhere in the list.
    Named(String),
    /// A policy of the scenario's own.
    Defined(PolicyFile),
}

impl<'de> Deserialize<'de> for PolicyEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PolicyEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a policy name (`legacy`, `fixed`) or a definition with name, \
                     pause_on_move_started, resume_on and catch_up",
                )
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<PolicyEntry, E> {
                Ok(PolicyEntry::Named(s.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PolicyEntry, A::Error> {
                PolicyFile::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(PolicyEntry::Defined)
            }
        }
        d.deserialize_any(V)
    }
}

/// A policy definition (MODEL.md section 7).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// `[a-z0-9-]+`, not a preset's name.
    pub name: Spanned<Slug>,
    /// Move phases whose MailboxMoveStarted pauses an active mailbox.
    pub pause_on_move_started: Vec<PhaseName>,
    /// Move events that resume a paused mailbox.
    pub resume_on: Vec<ResumeOn>,
    /// Catch up on reminders due while paused, on a resume by a move event.
    pub catch_up: bool,
}

/// A move phase.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PhaseName {
    /// The first sync.
    Initial,
    /// Later syncs.
    Incremental,
    /// Finalization.
    Finalize,
}

/// A move event that can resume a paused mailbox.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ResumeOn {
    /// MailboxMoveSucceeded (the copy with flag Destination).
    MoveSucceeded,
    /// MailboxMoveFailed.
    MoveFailed,
}

/// A mailbox database.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseFile {
    /// Display name, unique.
    pub name: Spanned<DisplayName>,
    /// Optional GUID; else derived from the seed and the name.
    pub guid: Option<Spanned<GuidValue>>,
    /// Counter of the first event. Default 1.
    pub counter_start: Option<Spanned<Whole>>,
    /// Assistant time per event. Default 0 (unlimited throughput).
    pub service_time: Option<DurationValue>,
    /// Background mail traffic.
    pub background: Option<BackgroundFile>,
}

/// Background traffic of a database.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundFile {
    /// Mean events per hour; 0 for none.
    pub rate_per_hour: Spanned<Real>,
    /// `poisson` (default) or `uniform`.
    #[serde(default)]
    pub arrivals: ArrivalsName,
}

/// Arrival process of background traffic.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalsName {
    /// Exponential gaps from the database's random stream.
    #[default]
    Poisson,
    /// Evenly spaced.
    Uniform,
}

/// A mailbox.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxFile {
    /// Display name, unique.
    pub name: Spanned<DisplayName>,
    /// Optional GUID; else derived from the seed and the name.
    pub guid: Option<Spanned<GuidValue>>,
    /// Database the mailbox lives on.
    pub database: Spanned<String>,
    /// Notification phone number. Default: a fictional +1555 number.
    pub phone: Option<Phone>,
    /// When the user wants SMS reminders.
    pub sms: Option<SmsFile>,
    /// How the user reacts to missed reminders.
    pub user: Option<UserFile>,
    /// Calendar items.
    #[serde(default)]
    pub calendar: Vec<Spanned<ItemFile>>,
    /// Move request.
    #[serde(rename = "move")]
    pub move_request: Option<Spanned<MoveFile>>,
}

/// The user's SMS intent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsFile {
    /// When the user enables text messaging.
    pub enable_at: Spanned<InstantValue>,
    /// When the user disables it.
    pub disable_at: Option<Spanned<InstantValue>>,
}

/// The user reaction rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFile {
    /// Consecutive misses before the user reconfigures text messaging.
    pub reconfigure_after_missed: Option<Spanned<Whole>>,
    /// Delay before reconfiguring. Default 1h.
    pub reaction: Option<Spanned<DurationValue>>,
}

/// A calendar item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemFile {
    /// Subject.
    pub subject: String,
    /// Start of the first occurrence.
    pub start: Spanned<InstantValue>,
    /// Length. Default 30m.
    pub duration: Option<DurationValue>,
    /// Reminder lead time; no reminder when absent.
    pub reminder: Option<DurationValue>,
    /// Recurrence.
    pub repeat: Option<Spanned<RepeatFile>>,
}

/// Recurrence of a calendar item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatFile {
    /// Gap between occurrence starts.
    pub every: Spanned<DurationValue>,
    /// Number of occurrences.
    pub count: Option<Spanned<Whole>>,
    /// Last possible occurrence start (inclusive).
    pub until: Option<Spanned<InstantValue>>,
}

/// A move request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveFile {
    /// Target database.
    pub target: Spanned<String>,
    /// Start of the initial sync.
    pub start: Spanned<InstantValue>,
    /// Default 1 day; 0 to 120 days.
    pub incremental_sync_interval: Option<Spanned<DurationValue>>,
    /// One duration for every sync, or a distribution.
    pub sync_duration: Option<Spanned<SyncDurationFile>>,
    /// Durations in order; the last repeats.
    pub sync_durations: Option<Spanned<Vec<DurationValue>>>,
    /// When to complete.
    pub complete_at: Option<Spanned<InstantValue>>,
    /// How long finalization locks the mailbox. Default 1m.
    pub lock_duration: Option<DurationValue>,
    /// When the move fails.
    pub fail_at: Option<Spanned<InstantValue>>,
}

/// `sync_duration`: a duration, or `{ uniform: [lo, hi] }`.
#[derive(Debug)]
pub enum SyncDurationFile {
    /// Every sync takes this long.
    Fixed(DurationValue),
    /// A distribution.
    Distribution(DistributionFile),
}

/// A duration distribution.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionFile {
    /// Uniform between two durations, both included.
    pub uniform: [DurationValue; 2],
}

impl<'de> Deserialize<'de> for SyncDurationFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SyncDurationFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `10m`, or `{ uniform: [1m, 15m] }`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<SyncDurationFile, E> {
                DurationValue::deserialize(de::value::StrDeserializer::<E>::new(s))
                    .map(SyncDurationFile::Fixed)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<SyncDurationFile, E> {
                DurationValue::deserialize(de::value::U64Deserializer::<E>::new(n))
                    .map(SyncDurationFile::Fixed)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SyncDurationFile, A::Error> {
                DistributionFile::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(SyncDurationFile::Distribution)
            }
        }
        d.deserialize_any(V)
    }
}
