//! From the file as read to a validated [`World`]: defaults, references,
//! and every rule the engine relies on, each refused with its location.

use super::error::ScenarioError;
use super::file::{
    ArrivalsName, BackgroundFile, DatabaseFile, ItemFile, MailboxFile, MoveFile, PhaseName,
    PolicyEntry, ResumeOn, ScenarioFile, SyncDurationFile,
};
use super::values::{DisplayName, InstantValue, Real, Slug, Whole};
use crate::engine::rng;
use crate::model::events::MovePhase;
use crate::model::policy::{PRESET_NAMES, PhaseSet, Policy};
use crate::model::population;
use crate::model::world::{
    Arrivals, Background, CalendarItem, Database, DbId, MAX_LISTED_RECONFIGURATIONS, Mailbox,
    MoveRequest, Reaction, Repeat, RepeatEnd, SmsIntent, SyncDurations, World,
};
use crate::time::{SimDuration, SimTime};
use rand::Rng;
use serde_saphyr::{Location, Spanned};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Default SMTP domain.
pub const DEFAULT_DOMAIN: &str = "contoso.com";
/// Largest `IncrementalSyncInterval` that `New-MoveRequest` accepts.
pub const MAX_SYNC_INTERVAL: SimDuration = SimDuration::from_days(120);
/// Highest background rate accepted, per hour (about 28,000 per second).
pub const MAX_RATE_PER_HOUR: f64 = 100_000_000.0;

/// Where the file came from, for error messages.
pub struct Source<'a> {
    /// The path as the user gave it.
    pub path: &'a str,
    /// The file's text.
    pub text: &'a str,
}

impl Source<'_> {
    /// An error at `at` in this file.
    pub(crate) fn err(&self, at: Location, message: impl Into<String>) -> ScenarioError {
        ScenarioError::at(self.path, self.text, at, message)
    }
}

type Result<T> = std::result::Result<T, ScenarioError>;

/// Validates `file` and builds its world. `fallback_name` names a scenario
/// that has no `name` key (the file stem).
pub fn validate(
    file: &ScenarioFile,
    src: &Source<'_>,
    fallback_name: &str,
    overrides: &super::Overrides,
) -> Result<World> {
    validate_with(file, src, fallback_name, overrides, true)
}

/// [`validate`]; without `generate`, a population is checked but its
/// mailboxes are not built (for checking a sweep value, which is not run).
pub(crate) fn validate_with(
    file: &ScenarioFile,
    src: &Source<'_>,
    fallback_name: &str,
    overrides: &super::Overrides,
    generate: bool,
) -> Result<World> {
    let name = match &file.name {
        Some(n) => n.value.0.clone(),
        None => {
            Slug::check(fallback_name).map_err(|why| {
                ScenarioError::file(
                    src.path,
                    format!("the scenario has no `name:` and its file name cannot stand in: {why}"),
                )
            })?;
            fallback_name.to_string()
        }
    };
    let seed = overrides.seed.unwrap_or(file.seed.as_ref().map_or(0, |s| s.value.0));
    let start = file.start.value.0;
    let end = match (&file.end, &file.duration) {
        (Some(_), Some(d)) => {
            return Err(src.err(d.referenced, "give `end` or `duration`, not both"));
        }
        (Some(e), None) => e.value.0,
        (None, Some(d)) => {
            if d.value.0.is_zero() {
                return Err(src.err(d.referenced, "`duration` must be longer than 0"));
            }
            start
                .checked_add(d.value.0)
                .ok_or_else(|| src.err(d.referenced, "the window would end after the year 9999"))?
        }
        (None, None) => {
            return Err(src.err(
                file.start.referenced,
                "the scenario needs `end` or `duration` to close its window",
            ));
        }
    };
    if end <= start {
        let at = file.end.as_ref().map_or(file.start.referenced, |e| e.referenced);
        return Err(src.err(at, format!("`end` must be after `start` ({start})")));
    }
    let domain = file.domain.as_ref().map_or(DEFAULT_DOMAIN.to_string(), |d| d.value.0.clone());
    let policies = policies(file, src)?;
    let expectations = match &file.expect {
        Some(expect) => super::expect::expectations(expect, &policies, src)?,
        None => Vec::new(),
    };
    let mut databases = match (&file.databases, &file.population) {
        (Some(list), population) => databases(list, population.is_some(), src, seed)?,
        (None, Some(_)) => Vec::new(),
        (None, None) => {
            // At the top-level `start:` key, which every scenario has.
            return Err(ScenarioError::at_line_column(
                src.path,
                src.text,
                file.start.referenced.line(),
                1,
                "missing field `databases`: a scenario needs at least one database, or a \
                 `population:` that generates them",
            ));
        }
    };
    let db_index: BTreeMap<&str, DbId> =
        databases.iter().enumerate().map(|(i, d)| (d.name.as_str(), DbId(i as u32))).collect();
    let mut mailboxes = Vec::with_capacity(file.mailboxes.len());
    let mut names: BTreeMap<String, Location> = BTreeMap::new();
    let mut guids: BTreeMap<Uuid, Location> = BTreeMap::new();
    for (i, mb) in file.mailboxes.iter().enumerate() {
        let mailbox = mailbox(&mb.value, i, src, seed, (start, end), &db_index)?;
        let at = mb.value.name.referenced;
        if let Some(first) = names.insert(mailbox.name.clone(), at) {
            return Err(src.err(
                at,
                format!("mailbox `{}` is already defined on line {}", mailbox.name, first.line()),
            ));
        }
        let guid_at = mb.value.guid.as_ref().map_or(at, |g| g.referenced);
        if let Some(first) = guids.insert(mailbox.guid, guid_at) {
            return Err(src.err(
                guid_at,
                format!(
                    "GUID {} is already used by the mailbox on line {}",
                    mailbox.guid,
                    first.line()
                ),
            ));
        }
        mailboxes.push(mailbox);
    }
    let population = match &file.population {
        None => None,
        Some(pop) => {
            let explicit_dbs = databases.len();
            let taken = |name: &str| db_index.contains_key(name);
            let valid = super::population::validate(
                pop,
                src,
                seed,
                end - start,
                explicit_dbs,
                policies.len(),
                &taken,
            )?;
            let spec = valid.spec;
            // An explicit mailbox may not take a generated one's name.
            if let Some((name, at)) =
                names.iter().find(|(n, _)| is_generated_name(n, spec.mailboxes))
            {
                return Err(src.err(
                    *at,
                    format!(
                        "`{name}` is the name of a generated mailbox (the population's are named \
                         `{}` and so on); rename this one",
                        population::mailbox_name(0, spec.mailboxes)
                    ),
                ));
            }
            // A population that would pass --max-events is refused before
            // it is generated (building a million mailboxes takes
            // seconds), by a floor of its events that no seed goes below.
            let max_events = overrides.max_events.unwrap_or(super::DEFAULT_MAX_EVENTS);
            if valid.events_floor > max_events as f64 {
                return Err(src.err(
                    pop.value.mailboxes.referenced,
                    format!(
                        "this population would handle more than {:.0} events per policy, more \
                         than --max-events {max_events} allows: fewer mailboxes, lower SMS or \
                         move shares, a shorter window, or raise --max-events",
                        valid.events_floor
                    ),
                ));
            }
            databases.extend(valid.databases);
            if generate {
                let (generated, counts) = population::generate(&spec, seed, start, end);
                mailboxes.extend(generated);
                Some(counts)
            } else {
                Some(population::PopulationCounts {
                    mailboxes: spec.mailboxes,
                    ..Default::default()
                })
            }
        }
    };
    Ok(World {
        name,
        description: file.description.as_ref().map_or("", |d| d.0.as_str()).trim().to_string(),
        seed,
        start,
        end,
        domain,
        policies,
        databases,
        mailboxes,
        expectations,
        population,
        max_events: overrides.max_events.unwrap_or(super::DEFAULT_MAX_EVENTS),
        estimate: Default::default(),
    })
}

fn policies(file: &ScenarioFile, src: &Source<'_>) -> Result<Vec<Policy>> {
    let Some(list) = &file.policies else {
        return Ok(PRESET_NAMES.iter().filter_map(|n| Policy::preset(n)).collect());
    };
    let entries = &list.value;
    let mut out: Vec<Policy> = Vec::with_capacity(entries.len());
    let mut seen: BTreeMap<String, Location> = BTreeMap::new();
    for entry in entries {
        let (policy, at) = match &entry.value {
            PolicyEntry::Named(name) => {
                let policy = Policy::preset(name).ok_or_else(|| {
                    src.err(
                        entry.referenced,
                        format!(
                            "unknown policy `{}`; the built-in policies are {}, and a policy of \
                             your own is a mapping with name, pause_on_move_started, resume_on \
                             and catch_up",
                            name.escape_debug(),
                            PRESET_NAMES.join(", ")
                        ),
                    )
                })?;
                (policy, entry.referenced)
            }
            PolicyEntry::Defined(def) => {
                let name = &def.name.value.0;
                if PRESET_NAMES.contains(&name.as_str()) {
                    return Err(src.err(
                        def.name.referenced,
                        format!("`{name}` is a built-in policy; give yours another name"),
                    ));
                }
                let mut pause = PhaseSet::default();
                for phase in &def.pause_on_move_started {
                    pause.insert(move_phase(*phase));
                }
                let policy = Policy {
                    name: name.clone(),
                    pause_on_move_started: pause,
                    resume_on_move_succeeded: def.resume_on.contains(&ResumeOn::MoveSucceeded),
                    resume_on_move_failed: def.resume_on.contains(&ResumeOn::MoveFailed),
                    catch_up: def.catch_up,
                };
                (policy, def.name.referenced)
            }
        };
        if let Some(first) = seen.insert(policy.name.clone(), at) {
            return Err(src.err(
                at,
                format!("policy `{}` is already listed on line {}", policy.name, first.line()),
            ));
        }
        out.push(policy);
    }
    if out.is_empty() {
        return Err(src.err(
            list.referenced,
            "`policies` is empty; list at least one, or leave the key out for [legacy, fixed]",
        ));
    }
    Ok(out)
}

fn move_phase(p: PhaseName) -> MovePhase {
    match p {
        PhaseName::Initial => MovePhase::Initial,
        PhaseName::Incremental => MovePhase::Incremental,
        PhaseName::Finalize => MovePhase::Finalize,
    }
}

/// A database's first counter: 1 by default, at most the Int64 maximum.
pub(crate) fn counter_start(value: Option<&Spanned<Whole>>, src: &Source<'_>) -> Result<u64> {
    match value {
        None => Ok(1),
        Some(c) if c.value.0 > i64::MAX as u64 => Err(src.err(
            c.referenced,
            format!(
                "counter_start must be at most {} (Exchange event counters are 64-bit signed)",
                i64::MAX
            ),
        )),
        Some(c) => Ok(c.value.0),
    }
}

/// Background traffic as given: `None` when the rate is 0.
pub(crate) fn background(bg: &BackgroundFile, src: &Source<'_>) -> Result<Option<Background>> {
    let checked = |value: &Spanned<Real>, key: &str| {
        let rate = value.value.0;
        if (0.0..=MAX_RATE_PER_HOUR).contains(&rate) {
            Ok(rate)
        } else {
            Err(src.err(
                value.referenced,
                format!("{key} must be from 0 to {MAX_RATE_PER_HOUR}; found {rate}"),
            ))
        }
    };
    let rate = checked(&bg.rate_per_hour, "rate_per_hour")?;
    let weekend = match &bg.weekend_rate_per_hour {
        Some(w) => checked(w, "weekend_rate_per_hour")?,
        None => rate,
    };
    let arrivals = match bg.arrivals {
        ArrivalsName::Poisson => Arrivals::Poisson,
        ArrivalsName::Uniform => Arrivals::Uniform,
    };
    Ok((rate > 0.0 || weekend > 0.0).then_some(Background {
        rate_per_hour: rate,
        weekend_rate_per_hour: weekend,
        arrivals,
    }))
}

/// A GUID drawn from the component's own stream: stable for a seed and name.
pub(crate) fn derived_guid(seed: u64, component: &str) -> Uuid {
    let mut bytes = [0u8; 16];
    rng::stream(seed, component).fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// True when `name` is one that the population of `n` mailboxes generates.
fn is_generated_name(name: &str, n: u64) -> bool {
    name.strip_prefix(population::MAILBOX_PREFIX).is_some_and(|digits| {
        digits.bytes().all(|b| b.is_ascii_digit())
            && digits.parse::<u64>().is_ok_and(|i| (1..=n).contains(&i))
            && population::mailbox_name(digits.parse::<u64>().unwrap_or(0) - 1, n) == name
    })
}

fn databases(
    list: &Spanned<Vec<Spanned<DatabaseFile>>>,
    population: bool,
    src: &Source<'_>,
    seed: u64,
) -> Result<Vec<Database>> {
    if list.value.is_empty() && !population {
        return Err(src.err(list.referenced, "a scenario needs at least one database"));
    }
    let mut out: Vec<Database> = Vec::with_capacity(list.value.len());
    let mut seen: BTreeMap<String, Location> = BTreeMap::new();
    for entry in &list.value {
        let db = &entry.value;
        let name = db.name.value.0.clone();
        if let Some(first) = seen.insert(name.clone(), db.name.referenced) {
            return Err(src.err(
                db.name.referenced,
                format!("database `{name}` is already defined on line {}", first.line()),
            ));
        }
        let counter_start = counter_start(db.counter_start.as_ref(), src)?;
        let background = match &db.background {
            None => None,
            Some(bg) => background(bg, src)?,
        };
        let guid = match &db.guid {
            Some(g) => g.value.0,
            None => derived_guid(seed, &format!("guid/database/{name}")),
        };
        out.push(Database {
            name,
            guid,
            counter_start,
            service_time: db.service_time.map_or(SimDuration::ZERO, |d| d.0),
            background,
        });
    }
    Ok(out)
}

/// The local part of an SMTP address for a display name: lowercase
/// letters and digits, other runs of characters become one dot.
pub fn alias_for(name: &str, index: usize) -> String {
    let mut alias = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            alias.push(c);
        } else if !alias.is_empty() && !alias.ends_with('.') {
            alias.push('.');
        }
    }
    let alias = alias.trim_end_matches('.').to_string();
    if alias.is_empty() { format!("user{}", index + 1) } else { alias }
}

fn mailbox(
    mb: &MailboxFile,
    index: usize,
    src: &Source<'_>,
    seed: u64,
    (window_start, window_end): (SimTime, SimTime),
    dbs: &BTreeMap<&str, DbId>,
) -> Result<Mailbox> {
    let name = mb.name.value.0.clone();
    let lookup = |db: &Spanned<DisplayName>, what: &str| -> Result<DbId> {
        dbs.get(db.value.0.as_str()).copied().ok_or_else(|| {
            let known: Vec<&str> = dbs.keys().copied().collect();
            src.err(
                db.referenced,
                format!(
                    "unknown {what} `{}`; the databases are {}",
                    db.value.0.escape_debug(),
                    known.join(", ")
                ),
            )
        })
    };
    let database = lookup(&mb.database, "database")?;
    let sms = match &mb.sms {
        None => None,
        Some(s) => {
            let enable_at = s.enable_at.value.0;
            if enable_at < window_start {
                return Err(src.err(
                    s.enable_at.referenced,
                    format!(
                        "enable_at is before the window starts ({}); enabling is a user action the \
                         simulation must run, so move `start` earlier",
                        window_start
                    ),
                ));
            }
            let disable_at = s.disable_at.as_ref().map(|d| d.value.0);
            if let (Some(d), Some(off)) = (&s.disable_at, disable_at)
                && off <= enable_at
            {
                return Err(src.err(d.referenced, "disable_at must be after enable_at"));
            }
            let reconfigure_at = match &s.reconfigure_at {
                None => Vec::new(),
                Some(list) => {
                    listed_reconfigurations(list, enable_at, window_start, window_end, src)?
                }
            };
            Some(SmsIntent { enable_at, disable_at, reconfigure_at })
        }
    };
    let reaction = match &mb.user {
        Some(user) => match &user.reconfigure_after_missed {
            None => {
                if let Some(d) = &user.reaction {
                    return Err(src.err(
                        d.referenced,
                        "`reaction` has no effect without `reconfigure_after_missed`: say after \
                         how many consecutive missed reminders the user reconfigures",
                    ));
                }
                None
            }
            Some(n) => {
                if n.value.0 == 0 || n.value.0 > u64::from(u32::MAX) {
                    return Err(src.err(
                        n.referenced,
                        format!("reconfigure_after_missed must be from 1 to {}", u32::MAX),
                    ));
                }
                let delay = match &user.reaction {
                    None => SimDuration::from_hours(1),
                    Some(d) if d.value.0.is_zero() => {
                        return Err(src.err(
                            d.referenced,
                            "reaction must be longer than 0: the user notices a missed reminder \
                             at the occurrence start, after the instant's user actions have run",
                        ));
                    }
                    Some(d) => d.value.0,
                };
                Some(Reaction { after_missed: n.value.0 as u32, delay })
            }
        },
        None => None,
    };
    let calendar = mb
        .calendar
        .iter()
        .map(|item| calendar_item(&item.value, src))
        .collect::<Result<Vec<_>>>()?;
    let move_request = match &mb.move_request {
        None => None,
        Some(m) => {
            Some(move_request(&m.value, m.referenced, src, window_start, database, &lookup)?)
        }
    };
    let guid = match &mb.guid {
        Some(g) => g.value.0,
        None => derived_guid(seed, &format!("guid/mailbox/{name}")),
    };
    Ok(Mailbox {
        alias: alias_for(&name, index),
        phone: mb.phone.as_ref().map_or_else(|| format!("+1555{:07}", index + 1), |p| p.0.clone()),
        name,
        guid,
        database,
        sms,
        reaction,
        calendar,
        move_request,
    })
}

/// `sms.reconfigure_at`: each instant inside the window and after
/// `enable_at`, the list strictly increasing (so the order of same-instant
/// actions never depends on how the list is written) and at most
/// [`MAX_LISTED_RECONFIGURATIONS`] long.
fn listed_reconfigurations(
    list: &Spanned<Vec<Spanned<InstantValue>>>,
    enable_at: SimTime,
    window_start: SimTime,
    window_end: SimTime,
    src: &Source<'_>,
) -> Result<Vec<SimTime>> {
    if list.value.len() > MAX_LISTED_RECONFIGURATIONS {
        return Err(src.err(
            list.referenced,
            format!(
                "reconfigure_at lists {} instants; a mailbox may list at most \
                 {MAX_LISTED_RECONFIGURATIONS}",
                list.value.len()
            ),
        ));
    }
    let mut out: Vec<SimTime> = Vec::with_capacity(list.value.len());
    for entry in &list.value {
        let at = entry.value.0;
        if at < window_start {
            return Err(src.err(
                entry.referenced,
                format!(
                    "reconfigure_at {at} is before the window starts ({window_start}); a \
                     reconfiguration is a user action the simulation must run, so move `start` \
                     earlier"
                ),
            ));
        }
        if at >= window_end {
            return Err(src.err(
                entry.referenced,
                format!(
                    "reconfigure_at {at} is not before the window ends ({window_end}); nothing \
                     at or after `end` runs, so leave it out or move `end` later"
                ),
            ));
        }
        if at <= enable_at {
            return Err(src.err(
                entry.referenced,
                format!(
                    "reconfigure_at {at} is not after enable_at ({enable_at}); the user \
                     reconfigures text messaging once it is on"
                ),
            ));
        }
        if let Some(&before) = out.last()
            && at <= before
        {
            return Err(src.err(
                entry.referenced,
                format!(
                    "reconfigure_at must be strictly increasing: {at} is not after the instant \
                     before it, {before}"
                ),
            ));
        }
        out.push(at);
    }
    Ok(out)
}

fn calendar_item(item: &ItemFile, src: &Source<'_>) -> Result<CalendarItem> {
    let start = item.start.value.0;
    let repeat = match &item.repeat {
        None => None,
        Some(rep) => {
            let every = rep.value.every.value.0;
            if every.is_zero() {
                return Err(src.err(rep.value.every.referenced, "`every` must be longer than 0"));
            }
            let end = match (&rep.value.count, &rep.value.until) {
                (Some(_), Some(u)) => {
                    return Err(src.err(u.referenced, "give `count` or `until`, not both"));
                }
                (None, None) => {
                    return Err(src.err(
                        rep.referenced,
                        "a repeat needs `count` (occurrences) or `until` (last start)",
                    ));
                }
                (Some(c), None) => {
                    if c.value.0 == 0 {
                        return Err(src.err(c.referenced, "`count` must be at least 1"));
                    }
                    RepeatEnd::Count(c.value.0)
                }
                (None, Some(u)) => {
                    if u.value.0 < start {
                        return Err(src.err(u.referenced, "`until` is before the item's start"));
                    }
                    RepeatEnd::Until(u.value.0)
                }
            };
            Some(Repeat { every, end })
        }
    };
    Ok(CalendarItem {
        subject: item.subject.0.clone(),
        start,
        duration: item.duration.map_or(SimDuration::from_minutes(30), |d| d.0),
        reminder: item.reminder.map(|d| d.0),
        repeat,
    })
}

fn move_request(
    mv: &MoveFile,
    at: Location,
    src: &Source<'_>,
    window_start: SimTime,
    source_db: DbId,
    lookup: &dyn Fn(&Spanned<DisplayName>, &str) -> Result<DbId>,
) -> Result<MoveRequest> {
    let target = lookup(&mv.target, "target database")?;
    if target == source_db {
        return Err(src.err(
            mv.target.referenced,
            "the move's target is the mailbox's own database; name another one",
        ));
    }
    let start = mv.start.value.0;
    if start < window_start {
        return Err(src.err(
            mv.start.referenced,
            format!(
                "the move starts before the window does ({}); move `start` earlier",
                window_start
            ),
        ));
    }
    let interval = match &mv.incremental_sync_interval {
        None => SimDuration::from_days(1),
        Some(i) if i.value.0 > MAX_SYNC_INTERVAL => {
            return Err(src.err(
                i.referenced,
                "incremental_sync_interval must be from 0 to 120 days (New-MoveRequest's range)",
            ));
        }
        Some(i) => i.value.0,
    };
    let durations = match (&mv.sync_duration, &mv.sync_durations) {
        (Some(_), Some(list)) => {
            return Err(
                src.err(list.referenced, "give `sync_duration` or `sync_durations`, not both")
            );
        }
        (None, None) => SyncDurations::Fixed(SimDuration::from_minutes(10)),
        (None, Some(list)) => {
            if list.value.is_empty() {
                return Err(
                    src.err(list.referenced, "`sync_durations` needs at least one duration")
                );
            }
            SyncDurations::List(list.value.iter().map(|d| d.0).collect())
        }
        (Some(d), None) => match &d.value {
            SyncDurationFile::Fixed(f) => SyncDurations::Fixed(f.0),
            SyncDurationFile::Distribution(dist) => {
                let [lo, hi] = dist.uniform;
                if hi.0 < lo.0 {
                    return Err(src.err(
                        d.referenced,
                        "a uniform distribution needs its smaller bound first",
                    ));
                }
                SyncDurations::Uniform { lo: lo.0, hi: hi.0 }
            }
        },
    };
    // Only the duration that repeats (the fixed one, the last listed, the
    // smallest drawn) can make syncs loop forever at one instant.
    let repeating = match &durations {
        SyncDurations::Fixed(d) => *d,
        SyncDurations::List(list) => list.last().copied().unwrap_or_default(),
        SyncDurations::Uniform { lo, .. } => *lo,
    };
    if interval.is_zero() && repeating.is_zero() {
        let at = mv
            .sync_durations
            .as_ref()
            .map(|l| l.referenced)
            .or(mv.sync_duration.as_ref().map(|d| d.referenced))
            .or(mv.incremental_sync_interval.as_ref().map(|i| i.referenced))
            .unwrap_or(at);
        return Err(src.err(
            at,
            "with incremental_sync_interval 0, a sync that takes 0 would repeat forever at one \
             instant; give syncs (or the last listed one) a duration, or the interval a length",
        ));
    }
    let after_start =
        |t: &Option<Spanned<super::values::InstantValue>>, key: &str| -> Result<Option<SimTime>> {
            match t {
                Some(v) if v.value.0 < start => {
                    Err(src.err(v.referenced, format!("{key} is before the move starts ({start})")))
                }
                Some(v) => Ok(Some(v.value.0)),
                None => Ok(None),
            }
        };
    Ok(MoveRequest {
        target,
        start,
        interval,
        durations,
        complete_at: after_start(&mv.complete_at, "complete_at")?,
        lock_duration: mv.lock_duration.map_or(SimDuration::from_minutes(1), |d| d.0),
        fail_at: after_start(&mv.fail_at, "fail_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::alias_for;

    #[test]
    fn aliases() {
        assert_eq!(alias_for("user1", 0), "user1");
        assert_eq!(alias_for("John Bai", 0), "john.bai");
        assert_eq!(alias_for("  Ünïcode -- Name  ", 0), "n.code.name");
        assert_eq!(alias_for("!!!", 4), "user5");
    }
}
