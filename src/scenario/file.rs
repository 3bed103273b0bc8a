//! The scenario file as serde reads it: plain data with source locations.
//! These types are the YAML boundary; nothing past `validate` sees them.

use super::expect::ExpectFile;
use super::values::{
    Description, DisplayName, Domain, DurationValue, GuidValue, InstantValue, Phone, Real, Slug,
    Subject, Whole,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A scenario file. Unknown keys are errors everywhere.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Scenario")]
pub struct ScenarioFile {
    /// `[a-z0-9-]+`; names the output folder. Default: the file name.
    #[schemars(with = "Option<Slug>")]
    pub name: Option<Spanned<Slug>>,
    /// What the scenario shows (Markdown; at most 65,536 characters).
    #[schemars(with = "Option<Description>")]
    pub description: Option<Description>,
    /// Root seed of every random stream. Default 0; `--seed` overrides.
    #[schemars(with = "Option<Whole>")]
    pub seed: Option<Spanned<Whole>>,
    /// First instant of the window.
    #[schemars(with = "InstantValue")]
    pub start: Spanned<InstantValue>,
    /// End of the window (exclusive). Give `end` or `duration`.
    #[schemars(with = "Option<InstantValue>")]
    pub end: Option<Spanned<InstantValue>>,
    /// Length of the window. Give `end` or `duration`.
    #[schemars(with = "Option<DurationValue>")]
    pub duration: Option<Spanned<DurationValue>>,
    /// Policies to compare. Default: `[legacy, fixed]`.
    #[schemars(with = "Option<Vec<PolicyEntry>>", length(min = 1))]
    pub policies: Option<Spanned<Vec<Spanned<PolicyEntry>>>>,
    /// SMTP domain for addresses in logs. Default `contoso.com`.
    #[schemars(with = "Option<Domain>")]
    pub domain: Option<Spanned<Domain>>,
    /// Mailbox databases. At least one, unless a `population:` generates
    /// them.
    #[schemars(with = "Option<Vec<DatabaseFile>>")]
    pub databases: Option<Spanned<Vec<Spanned<DatabaseFile>>>>,
    /// Mailboxes.
    #[serde(default)]
    #[schemars(with = "Vec<MailboxFile>")]
    pub mailboxes: Vec<Spanned<MailboxFile>>,
    /// Regression expectations, per policy and metric.
    #[serde(default, deserialize_with = "super::expect::present")]
    #[schemars(with = "ExpectFile")]
    pub expect: Option<Spanned<Option<ExpectFile>>>,
    /// Generated mailboxes, for scale: shares and distributions, each with
    /// a default (docs/scenarios.md).
    #[schemars(with = "Option<super::population::PopulationFile>")]
    pub population: Option<Spanned<super::population::PopulationFile>>,
    /// What `cnasim sweep` runs: seeds, the chart's metric and a grid of
    /// values (docs/sweep.md). Other commands check it and run the file as
    /// written.
    #[serde(default, deserialize_with = "super::set::sweep_key::present")]
    #[schemars(with = "Option<super::set::SweepFile>")]
    pub sweep: Option<Spanned<Option<super::set::SweepFile>>>,
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
                super::values::check_text(s, &super::values::NAME).map_err(E::custom)?;
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
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Policy")]
pub struct PolicyFile {
    /// `[a-z0-9-]+`, not a preset's name.
    #[schemars(with = "Slug")]
    pub name: Spanned<Slug>,
    /// Move phases whose MailboxMoveStarted pauses an active mailbox.
    pub pause_on_move_started: Vec<PhaseName>,
    /// Move events that resume a paused mailbox.
    pub resume_on: Vec<ResumeOn>,
    /// Catch up on reminders due while paused, on a resume by a move event.
    pub catch_up: bool,
}

/// A move phase.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Phase")]
pub enum PhaseName {
    /// The first sync.
    Initial,
    /// Later syncs.
    Incremental,
    /// Finalization.
    Finalize,
}

/// A move event that can resume a paused mailbox.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "ResumeOn")]
pub enum ResumeOn {
    /// MailboxMoveSucceeded (the copy with flag Destination).
    MoveSucceeded,
    /// MailboxMoveFailed.
    MoveFailed,
}

/// A mailbox database.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Database")]
pub struct DatabaseFile {
    /// Display name, unique.
    #[schemars(with = "DisplayName")]
    pub name: Spanned<DisplayName>,
    /// Optional GUID; else derived from the seed and the name.
    #[schemars(with = "Option<GuidValue>")]
    pub guid: Option<Spanned<GuidValue>>,
    /// Counter of the first event. Default 1.
    #[schemars(with = "Option<Whole>")]
    pub counter_start: Option<Spanned<Whole>>,
    /// Assistant time per event. Default 0 (unlimited throughput).
    pub service_time: Option<DurationValue>,
    /// Background mail traffic.
    pub background: Option<BackgroundFile>,
}

/// Background traffic of a database.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Background")]
pub struct BackgroundFile {
    /// Mean events per hour (on weekdays, when `weekend_rate_per_hour` is
    /// given); 0 for none.
    #[schemars(with = "Real")]
    pub rate_per_hour: Spanned<Real>,
    /// Mean events per hour on Saturdays and Sundays (UTC). Default: the
    /// same as `rate_per_hour`.
    #[schemars(with = "Option<Real>")]
    pub weekend_rate_per_hour: Option<Spanned<Real>>,
    /// `poisson` (default) or `uniform`.
    #[serde(default)]
    pub arrivals: ArrivalsName,
}

/// Arrival process of background traffic.
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Arrivals")]
pub enum ArrivalsName {
    /// A Poisson process drawn from the database's random stream, slot by
    /// slot (docs/model-decisions.md).
    #[default]
    Poisson,
    /// Evenly spaced.
    Uniform,
}

/// A mailbox.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Mailbox")]
pub struct MailboxFile {
    /// Display name, unique.
    #[schemars(with = "DisplayName")]
    pub name: Spanned<DisplayName>,
    /// Optional GUID; else derived from the seed and the name.
    #[schemars(with = "Option<GuidValue>")]
    pub guid: Option<Spanned<GuidValue>>,
    /// Database the mailbox lives on.
    #[schemars(with = "DisplayName")]
    pub database: Spanned<DisplayName>,
    /// Notification phone number. Default: a fictional +1555 number.
    pub phone: Option<Phone>,
    /// When the user wants SMS reminders.
    pub sms: Option<SmsFile>,
    /// How the user reacts to missed reminders.
    pub user: Option<UserFile>,
    /// Calendar items.
    #[serde(default)]
    #[schemars(with = "Vec<ItemFile>")]
    pub calendar: Vec<Spanned<ItemFile>>,
    /// Move request.
    #[serde(rename = "move")]
    #[schemars(with = "Option<MoveFile>")]
    pub move_request: Option<Spanned<MoveFile>>,
}

/// The user's SMS intent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Sms")]
pub struct SmsFile {
    /// When the user enables text messaging.
    #[schemars(with = "InstantValue")]
    pub enable_at: Spanned<InstantValue>,
    /// When the user disables it.
    #[schemars(with = "Option<InstantValue>")]
    pub disable_at: Option<Spanned<InstantValue>>,
    /// When the user reconfigures text messaging (Set-TextMessagingAccount)
    /// of their own accord, as an admin audit log shows it: instants
    /// inside the window, after `enable_at`, strictly increasing, at most
    /// 100,000. Each is carried out like a reconfiguration of the
    /// reaction rule (and counted in `user_reconfigurations`), or dropped
    /// if it comes after `disable_at`. Default: none.
    #[schemars(
        with = "Option<Vec<InstantValue>>",
        length(max = crate::model::world::MAX_LISTED_RECONFIGURATIONS)
    )]
    pub reconfigure_at: Option<Spanned<Vec<Spanned<InstantValue>>>>,
}

/// The user reaction rule.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "User")]
pub struct UserFile {
    /// Consecutive misses before the user reconfigures text messaging.
    #[schemars(with = "Option<Whole>")]
    pub reconfigure_after_missed: Option<Spanned<Whole>>,
    /// Delay before reconfiguring. Default 1h.
    #[schemars(with = "Option<DurationValue>")]
    pub reaction: Option<Spanned<DurationValue>>,
}

/// A calendar item.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CalendarItem")]
pub struct ItemFile {
    /// Subject: one line of at most 255 characters (Exchange's limit).
    #[schemars(with = "Subject")]
    pub subject: Subject,
    /// Start of the first occurrence.
    #[schemars(with = "InstantValue")]
    pub start: Spanned<InstantValue>,
    /// Length. Default 30m.
    pub duration: Option<DurationValue>,
    /// Reminder lead time; no reminder when absent.
    pub reminder: Option<DurationValue>,
    /// Recurrence.
    #[schemars(with = "Option<RepeatFile>")]
    pub repeat: Option<Spanned<RepeatFile>>,
}

/// Recurrence of a calendar item.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Repeat")]
pub struct RepeatFile {
    /// Gap between occurrence starts.
    #[schemars(with = "DurationValue")]
    pub every: Spanned<DurationValue>,
    /// Number of occurrences.
    #[schemars(with = "Option<Whole>")]
    pub count: Option<Spanned<Whole>>,
    /// Last possible occurrence start (inclusive).
    #[schemars(with = "Option<InstantValue>")]
    pub until: Option<Spanned<InstantValue>>,
}

/// A move request.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Move")]
pub struct MoveFile {
    /// Target database.
    #[schemars(with = "DisplayName")]
    pub target: Spanned<DisplayName>,
    /// Start of the initial sync.
    #[schemars(with = "InstantValue")]
    pub start: Spanned<InstantValue>,
    /// Default 1 day; 0 to 120 days.
    #[schemars(with = "Option<DurationValue>")]
    pub incremental_sync_interval: Option<Spanned<DurationValue>>,
    /// One duration for every sync, or a distribution.
    #[schemars(with = "Option<SyncDurationFile>")]
    pub sync_duration: Option<Spanned<SyncDurationFile>>,
    /// Durations in order; the last repeats.
    #[schemars(with = "Option<Vec<DurationValue>>")]
    pub sync_durations: Option<Spanned<Vec<DurationValue>>>,
    /// When to complete.
    #[schemars(with = "Option<InstantValue>")]
    pub complete_at: Option<Spanned<InstantValue>>,
    /// How long finalization locks the mailbox. Default 1m.
    pub lock_duration: Option<DurationValue>,
    /// When the move fails.
    #[schemars(with = "Option<InstantValue>")]
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
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Distribution")]
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
