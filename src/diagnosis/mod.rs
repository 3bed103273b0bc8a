//! What a ticket's evidence shows, per mailbox: the MailboxMoveStarted
//! times and the sync durations their drift implies, the SMS sent and the
//! silences after each move event, the Set-TextMessagingAccount runs that
//! end them, and a verdict on the KB3200823 pattern.
//!
//! The rules (docs/diagnose.md says the same for users):
//! - Move events are the database events and dispatcher trace entries named
//!   `MailboxMoveStarted`, one per counter (or create time). Consecutive
//!   ones whose gap lies between the interval and the interval plus a day
//!   are one run of syncs; sync k's implied duration is
//!   `start(k+1) - start(k) - interval`.
//! - The interval is the move statistics' `EffectiveIncrementalSyncInterval`
//!   (else `IncrementalSyncInterval`, else `ConfiguredIncrementalSyncInterval`);
//!   without them, the smallest gap under two days, down to whole hours.
//! - One SMS is one message to an `IMCEAMOBILE-` recipient, whatever event
//!   ids it was logged under (RECEIVE and SEND up to two seconds apart are
//!   one); the mailbox's phone is the one most of its SMS go to, and SMS to
//!   other phones are left out.
//! - A daily series is a subject whose SMS come at the same minute of the
//!   local day (in `--time-zone`) on two days or more; it is expected every
//!   local day from its first SMS, within two minutes.
//! - After a MailboxMoveStarted comes a *silence* (the pattern's) when the
//!   SMS come back only after a Set-TextMessagingAccount run, or not at all
//!   for a day or more to the end of message tracking; a *gap* when series
//!   SMS are missing but the SMS come back by themselves; else they *went
//!   on*. Message tracking covers the searches the ticket states
//!   (`Get-MessageTrackingLog -Start ... -End ...`), each range apart, or
//!   else its rows' first to last time; a move event outside is not
//!   covered.

pub mod mailboxes;
pub mod render;

use crate::evidence::Evidence;
use crate::evidence::clock::Clock;
use crate::evidence::facts::{AuditRun, DbEvent, Message, MoveStats, Origin, TraceRow};
use crate::evidence::trace::TraceEntry;
use crate::time::{DAY_MS, HOUR_MS, MINUTE_MS, SimDuration, SimTime};
use mailboxes::Mailboxes;

/// How far apart the rows of one SMS (RECEIVE, SEND) may be logged.
const PAIR_WINDOW_MS: i64 = 2_000;

/// How far an SMS may be from its series' time and still be it.
const SERIES_SLACK_MS: i64 = 2 * MINUTE_MS;

/// One MailboxMoveStarted.
#[derive(Clone, Debug)]
pub struct MoveStart {
    /// The event's create time.
    pub time: SimTime,
    /// Its counter, when known.
    pub counter: Option<u64>,
    /// Where it was read.
    pub origin: Origin,
}

/// The incremental sync interval and where it came from.
#[derive(Clone, Debug)]
pub struct Interval {
    /// The interval.
    pub value: SimDuration,
    /// `EffectiveIncrementalSyncInterval at FILE:LINE`, or how it was inferred.
    pub source: String,
}

/// One SMS.
#[derive(Clone, Debug)]
pub struct Sms {
    /// When it was sent.
    pub time: SimTime,
    /// Its subject (often blank in tickets).
    pub subject: String,
    /// The `IMCEAMOBILE-` recipient.
    pub recipient: String,
    /// Where it was read.
    pub origin: Origin,
}

/// A meeting whose reminder SMS come at the same time every day.
#[derive(Clone, Debug)]
pub struct Series {
    /// The subject.
    pub subject: String,
    /// The first SMS.
    pub first: SimTime,
    /// Milliseconds after local midnight, in the `--time-zone`.
    pub time_of_day: i64,
    /// Days an SMS of it was seen.
    pub days_seen: usize,
}

/// What followed one MailboxMoveStarted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum After {
    /// Message tracking does not reach both sides of it.
    NotCovered,
    /// The SMS kept coming: the next one came as expected.
    Continued {
        /// The next SMS.
        next: SimTime,
    },
    /// Series SMS missing, but the SMS came back without the user doing
    /// anything: not the pattern's stop (a meeting that skips days, say).
    Gap {
        /// The next SMS.
        next: SimTime,
        /// The series SMS expected in it and not sent (at most
        /// [`MAX_LISTED_MISSING`]).
        missing: Vec<(SimTime, String)>,
    },
    /// The pattern's silence: the SMS back only after the user ran
    /// Set-TextMessagingAccount, or not back at all to the end of message
    /// tracking a day or more later.
    Silence {
        /// The next SMS, if message tracking shows one.
        next: Option<SimTime>,
        /// The Set-TextMessagingAccount run that ended it, if any.
        ended_by: Option<SimTime>,
        /// The series SMS expected in it and not sent (at most
        /// [`MAX_LISTED_MISSING`]).
        missing: Vec<(SimTime, String)>,
    },
}

/// The most missing SMS listed after one move event.
pub const MAX_LISTED_MISSING: usize = 100;

/// The verdict on the KB3200823 pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The evidence shows it: move events followed by silences.
    Shown,
    /// The evidence points to it but does not show the silences.
    Likely,
    /// The evidence shows the SMS going on after the move events.
    NotShown,
    /// Not enough evidence either way.
    Undetermined,
}

impl Verdict {
    /// The code in JSON output.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Shown => "kb3200823",
            Verdict::Likely => "likely-kb3200823",
            Verdict::NotShown => "not-kb3200823",
            Verdict::Undetermined => "undetermined",
        }
    }
}

/// What the evidence shows about one mailbox.
#[derive(Clone, Debug)]
pub struct MailboxDiagnosis {
    /// The names the evidence gives it.
    pub names: Vec<String>,
    /// Its GUID, if named.
    pub guid: Option<String>,
    /// Its display name, if named.
    pub display: Option<String>,
    /// Its phone, from the SMS recipients.
    pub phone: Option<String>,
    /// MailboxMoveStarted events, in time order.
    pub move_starts: Vec<MoveStart>,
    /// The incremental sync interval.
    pub interval: Option<Interval>,
    /// Index ranges of `move_starts` that are runs of daily syncs.
    pub runs: Vec<std::ops::Range<usize>>,
    /// The move's status, when printed.
    pub status: Option<String>,
    /// The move's completion, when printed.
    pub completion: Option<SimTime>,
    /// The move's source and target databases, when printed.
    pub databases: (Option<String>, Option<String>),
    /// SMS sent, in time order.
    pub sms: Vec<Sms>,
    /// What message tracking covers: the searches the ticket states, or
    /// else the first to the last record for this mailbox; in time order.
    pub tracking: Vec<(SimTime, SimTime)>,
    /// SMS to other phones than this mailbox's, left out.
    pub other_phone_sms: usize,
    /// Set-TextMessagingAccount runs, in time order.
    pub text_messaging_runs: Vec<(SimTime, Origin)>,
    /// Daily series inferred from the SMS.
    pub series: Vec<Series>,
    /// What followed each move event (same order as `move_starts`).
    pub after: Vec<After>,
    /// Trace entries where the assistant stopped: StopAll and Disabling.
    pub stops: Vec<(SimTime, String, Origin)>,
    /// Calendar occurrences the trace names (subject, start, end, reminder).
    pub trace_items: Vec<(String, SimTime, SimTime, Option<SimTime>)>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, one sentence each.
    pub reasons: Vec<String>,
}

impl MailboxDiagnosis {
    /// The name to show: display name, else GUID, else the first name.
    pub fn label(&self) -> String {
        self.display
            .clone()
            .or_else(|| self.guid.clone())
            .or_else(|| self.names.first().cloned())
            .unwrap_or_else(|| "(mailbox not named)".into())
    }

    /// The implied duration of sync k (k and k+1 in one run), if known.
    pub fn implied(&self, k: usize) -> Option<i64> {
        let interval = self.interval.as_ref()?.value.as_millis();
        self.runs.iter().find(|r| r.contains(&k) && r.contains(&(k + 1)))?;
        Some(
            self.move_starts[k + 1].time.as_millis()
                - self.move_starts[k].time.as_millis()
                - interval,
        )
    }

    /// Move events followed by a silence, and those covered at all.
    pub fn silence_counts(&self) -> (usize, usize) {
        let silences = self.after.iter().filter(|a| matches!(a, After::Silence { .. })).count();
        // A gap counts as covered: the SMS came back by themselves.
        let covered = self.after.iter().filter(|a| !matches!(a, After::NotCovered)).count();
        (silences, covered)
    }
}

/// What the evidence shows, per mailbox.
#[derive(Clone, Debug)]
pub struct Diagnosis {
    /// The evidence read.
    pub evidence: Evidence,
    /// One entry per mailbox.
    pub mailboxes: Vec<MailboxDiagnosis>,
}

/// Diagnoses the evidence.
pub fn diagnose(evidence: Evidence) -> Diagnosis {
    let mut ids = Mailboxes::default();
    for names in evidence
        .events
        .iter()
        .map(|e| &e.mailbox)
        .chain(evidence.moves.iter().map(|m| &m.mailbox))
        .chain(evidence.audit.iter().map(|a| &a.mailbox))
        .chain(evidence.messages.iter().map(|m| &m.mailbox))
    {
        ids.join(names);
    }
    for row in &evidence.trace {
        ids.join(&trace_names(&row.entry));
    }
    let main: Vec<String> = evidence.moves.iter().flat_map(|m| m.mailbox.clone()).collect();
    let mut groups = ids.groups(&main);
    if groups.is_empty() {
        groups.push(Vec::new());
    }
    // Each row goes to its mailbox once: a mailbox then reads its own rows,
    // not every row (a log can name thousands of mailboxes).
    let index = mailboxes::index(&groups);
    let mut rows: Vec<Rows<'_>> = groups.iter().map(|_| Rows::default()).collect();
    let of = |names: &[String]| mailboxes::group_of(&index, names);
    for e in &evidence.events {
        of(&e.mailbox).into_iter().for_each(|g| rows[g].events.push(e));
    }
    for m in &evidence.moves {
        of(&m.mailbox).into_iter().for_each(|g| rows[g].moves.push(m));
    }
    for a in &evidence.audit {
        of(&a.mailbox).into_iter().for_each(|g| rows[g].audit.push(a));
    }
    for m in &evidence.messages {
        of(&m.mailbox).into_iter().for_each(|g| rows[g].messages.push(m));
    }
    for t in &evidence.trace {
        of(&trace_names(&t.entry)).into_iter().for_each(|g| rows[g].trace.push(t));
    }
    let mut mailboxes = Vec::new();
    for (names, rows) in groups.iter().zip(&rows) {
        let d = one(rows, names, &evidence);
        if !d.move_starts.is_empty()
            || !d.sms.is_empty()
            || !d.text_messaging_runs.is_empty()
            || groups.len() == 1
        {
            mailboxes.push(d);
        }
    }
    drop(rows);
    Diagnosis { evidence, mailboxes }
}

/// One mailbox's rows of each kind, in evidence order.
#[derive(Default)]
struct Rows<'a> {
    events: Vec<&'a DbEvent>,
    moves: Vec<&'a MoveStats>,
    audit: Vec<&'a AuditRun>,
    messages: Vec<&'a Message>,
    trace: Vec<&'a TraceRow>,
}

fn trace_names(entry: &TraceEntry) -> Vec<String> {
    let keep = |v: &str| crate::evidence::facts::names_of([v]);
    match entry {
        TraceEntry::EventHandled { mailbox, display, .. } => {
            let mut n = keep(mailbox);
            n.extend(keep(display));
            n
        }
        TraceEntry::Reminder { user, .. } => keep(user),
        TraceEntry::Settings { mailbox, .. } => keep(mailbox),
    }
}

fn one(ev: &Rows<'_>, names: &[String], evidence: &Evidence) -> MailboxDiagnosis {
    // MailboxMoveStarted from the events and the trace, one per counter or time.
    let mut move_starts: Vec<MoveStart> = ev
        .events
        .iter()
        .filter(|e| e.name == "MailboxMoveStarted")
        .map(|e| MoveStart { time: e.created, counter: e.counter, origin: e.origin.clone() })
        .collect();
    let mut seen_counters: std::collections::BTreeSet<u64> =
        move_starts.iter().filter_map(|m| m.counter).collect();
    let mut seen_times: std::collections::BTreeSet<SimTime> =
        move_starts.iter().map(|m| m.time).collect();
    for row in &ev.trace {
        if let TraceEntry::EventHandled { counter, mask, created, .. } = &row.entry
            && mask == "MailboxMoveStarted"
        {
            let time = created.unwrap_or(row.time);
            if seen_counters.insert(*counter) && seen_times.insert(time) {
                move_starts.push(MoveStart {
                    time,
                    counter: Some(*counter),
                    origin: row.origin.clone(),
                });
            }
        }
    }
    move_starts.sort_by_key(|m| (m.time, m.counter));
    move_starts.dedup_by_key(|m| m.time);

    let stats = &ev.moves;
    let interval = stats
        .iter()
        .find_map(|m| {
            m.interval.as_ref().map(|(d, name)| Interval {
                value: *d,
                source: format!("{} at {}", property(name), m.origin),
            })
        })
        .or_else(|| infer_interval(&move_starts));
    let runs = runs(&move_starts, interval.as_ref().map(|i| i.value.as_millis()));

    let messages = &ev.messages;
    // What message tracking covers: the searches the ticket states (a
    // search that found nothing still says nothing was sent), else its rows.
    let mut tracking: Vec<(SimTime, SimTime)> =
        evidence.tracking_searched.iter().map(|s| (s.0, s.1)).collect();
    if tracking.is_empty()
        && let (Some(a), Some(b)) =
            (messages.iter().map(|m| m.time).min(), messages.iter().map(|m| m.time).max())
    {
        tracking.push((a, b));
    }
    tracking.sort();
    let mut merged: Vec<(SimTime, SimTime)> = Vec::new();
    for (a, b) in tracking {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let tracking = merged;
    let mut sms: Vec<Sms> = messages
        .iter()
        .filter(|m| !matches!(m.event_id.as_str(), "FAIL" | "DSN" | "DEFER"))
        .filter_map(|m| {
            Some(Sms {
                time: m.time,
                subject: m.subject.clone(),
                recipient: m.sms_recipient()?.to_string(),
                origin: m.origin.clone(),
            })
        })
        .collect();
    // The mailbox's phone is the one most of its SMS go to; SMS to others
    // (another user's, sent from a shared address) are left out.
    let mut phones: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for s in &sms {
        *phones.entry(phone(&s.recipient)).or_default() += 1;
    }
    let main_phone = phones
        .iter()
        .max_by_key(|(p, n)| (**n, std::cmp::Reverse((*p).clone())))
        .map(|(p, _)| p.clone());
    let before = sms.len();
    sms.retain(|s| main_phone.as_ref().is_none_or(|p| phone(&s.recipient) == *p));
    let other_phone_sms = before - sms.len();
    sms.sort_by(|a, b| (&a.recipient, &a.subject, a.time).cmp(&(&b.recipient, &b.subject, b.time)));
    // One SMS is logged as a RECEIVE and a SEND a moment apart.
    sms.dedup_by(|a, b| {
        a.recipient == b.recipient
            && a.subject == b.subject
            && a.time.as_millis() - b.time.as_millis() <= PAIR_WINDOW_MS
    });
    sms.sort_by(|a, b| (a.time, &a.recipient, &a.subject).cmp(&(b.time, &b.recipient, &b.subject)));

    let mut text_messaging_runs: Vec<(SimTime, Origin)> = ev
        .audit
        .iter()
        .filter(|a| a.cmdlet.eq_ignore_ascii_case("Set-TextMessagingAccount") && a.succeeded)
        .map(|a| (a.run_date, a.origin.clone()))
        .collect();
    text_messaging_runs.sort_by_key(|r| r.0);
    text_messaging_runs.dedup_by_key(|r| r.0);

    let clock = &evidence.clock;
    let series = series(&sms, clock);
    let after = move_starts
        .iter()
        .map(|m| after(m.time, &sms, &tracking, &series, &text_messaging_runs, clock))
        .collect();

    let mut stops = Vec::new();
    let mut trace_items = Vec::new();
    for row in &ev.trace {
        match &row.entry {
            TraceEntry::Reminder { caller, subject, start, end, reminder, .. } => {
                if caller == "StopAll" {
                    stops.push((row.time, "StopAll".to_string(), row.origin.clone()));
                }
                if let (Some(s), Some(e)) = (start, end) {
                    trace_items.push((subject.clone(), *s, *e, *reminder));
                }
            }
            TraceEntry::Settings { enabling: false, .. } => {
                stops.push((row.time, "Disabling".to_string(), row.origin.clone()))
            }
            _ => {}
        }
    }
    trace_items.sort_by_key(|i| (i.1, i.0.clone()));
    trace_items.dedup();

    let pick = |f: &dyn Fn(&str) -> bool| names.iter().find(|n| f(n)).cloned();
    let mut d = MailboxDiagnosis {
        names: names.to_vec(),
        guid: pick(&|n| mailboxes::is_guid(n)),
        display: stats
            .iter()
            .find_map(|m| m.display.clone())
            .or_else(|| pick(&|n| !mailboxes::is_guid(n) && !n.contains(['@', '/', '\\']))),
        phone: main_phone,
        move_starts,
        interval,
        runs,
        status: stats.iter().find_map(|m| m.status.clone()),
        completion: stats.iter().find_map(|m| m.completion),
        databases: (
            stats.iter().find_map(|m| m.source_database.clone()),
            stats.iter().find_map(|m| m.target_database.clone()),
        ),
        sms,
        tracking,
        other_phone_sms,
        text_messaging_runs,
        series,
        after,
        stops,
        trace_items,
        verdict: Verdict::Undetermined,
        reasons: Vec::new(),
    };
    verdict(&mut d);
    d
}

fn property(folded: &str) -> &'static str {
    match folded {
        "effectiveincrementalsyncinterval" => "EffectiveIncrementalSyncInterval",
        "incrementalsyncinterval" => "IncrementalSyncInterval",
        _ => "ConfiguredIncrementalSyncInterval",
    }
}

/// The phone number in an `IMCEAMOBILE-+2B10008675309@domain` recipient.
pub fn phone(recipient: &str) -> String {
    let local = recipient.split('@').next().unwrap_or("");
    let encoded = local.get("IMCEAMOBILE-".len()..).unwrap_or("");
    let number = encoded.replace("+2B", "+");
    number.chars().filter(|c| *c == '+' || c.is_ascii_digit()).collect()
}

fn infer_interval(starts: &[MoveStart]) -> Option<Interval> {
    let gap = starts
        .windows(2)
        .map(|w| w[1].time.as_millis() - w[0].time.as_millis())
        .filter(|g| (HOUR_MS..2 * DAY_MS).contains(g))
        .min()?;
    Some(Interval {
        value: SimDuration::from_millis(gap / HOUR_MS * HOUR_MS),
        source: "not in the evidence: the smallest gap between move events, down to whole hours"
            .into(),
    })
}

fn runs(starts: &[MoveStart], interval: Option<i64>) -> Vec<std::ops::Range<usize>> {
    let Some(interval) = interval else {
        return (0..starts.len()).map(|i| i..i + 1).collect();
    };
    let mut out = Vec::new();
    let mut from = 0;
    for k in 1..=starts.len() {
        let joined = k < starts.len() && {
            let gap = starts[k].time.as_millis() - starts[k - 1].time.as_millis();
            (interval..=interval + DAY_MS).contains(&gap)
        };
        if !joined {
            out.push(from..k);
            from = k;
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn series(sms: &[Sms], clock: &Clock) -> Vec<Series> {
    let mut groups: std::collections::BTreeMap<(&str, i64), Vec<&Sms>> =
        std::collections::BTreeMap::new();
    for s in sms {
        let (_, ms) = clock.local_day_and_time(s.time);
        groups.entry((s.subject.as_str(), ms / MINUTE_MS)).or_default().push(s);
    }
    let mut out: Vec<Series> = groups
        .into_iter()
        .filter_map(|((subject, _), hits)| {
            let mut days: Vec<i64> =
                hits.iter().map(|s| clock.local_day_and_time(s.time).0).collect();
            days.dedup();
            (days.len() >= 2).then(|| Series {
                subject: subject.to_string(),
                first: hits[0].time,
                time_of_day: clock.local_day_and_time(hits[0].time).1,
                days_seen: days.len(),
            })
        })
        .collect();
    out.sort_by_key(|s| (s.time_of_day, s.subject.clone()));
    out
}

/// True when an SMS of `subject` lies within the slack of `due`; `sms` is
/// in time order.
fn sent_near(sms: &[Sms], subject: &str, due: i64) -> bool {
    let from = sms.partition_point(|m| m.time.as_millis() < due - SERIES_SLACK_MS);
    sms[from..]
        .iter()
        .take_while(|m| m.time.as_millis() <= due + SERIES_SLACK_MS)
        .any(|m| m.subject == subject)
}

/// The most days of one silence searched for missing SMS: about a year.
const MAX_SILENCE_DAYS: i64 = 400;

/// The series' expected SMS in `(from, to)` that message tracking lacks, at
/// most [`MAX_LISTED_MISSING`].
fn missing(
    series: &[Series],
    sms: &[Sms],
    from: SimTime,
    to: SimTime,
    clock: &Clock,
) -> Vec<(SimTime, String)> {
    let mut out = Vec::new();
    let (from_day, _) = clock.local_day_and_time(from);
    let (to_day, _) = clock.local_day_and_time(to);
    for s in series {
        let first_day = clock.local_day_and_time(s.first).0;
        let start = from_day.max(first_day);
        for day in start..=to_day.min(start + MAX_SILENCE_DAYS) {
            let Some(due) = clock.at_local(day, s.time_of_day) else { continue };
            if due > from
                && due < to
                && due >= s.first
                && !sent_near(sms, &s.subject, due.as_millis())
            {
                out.push((due, s.subject.clone()));
            }
        }
        if out.len() > MAX_LISTED_MISSING * 4 {
            break;
        }
    }
    out.sort();
    out.truncate(MAX_LISTED_MISSING);
    out
}

fn after(
    t: SimTime,
    sms: &[Sms],
    tracking: &[(SimTime, SimTime)],
    series: &[Series],
    runs: &[(SimTime, Origin)],
    clock: &Clock,
) -> After {
    let Some(&(_, last)) = tracking.iter().find(|(a, b)| *a <= t && t < *b) else {
        return After::NotCovered;
    };
    let next = sms.get(sms.partition_point(|s| s.time <= t)).map(|s| s.time).filter(|&n| n <= last);
    let to = next.unwrap_or(last);
    let missing = missing(series, sms, t, to, clock);
    let ended_by = next.and_then(|n| runs.iter().map(|r| r.0).rev().find(|&r| r > t && r <= n));
    match (next, ended_by) {
        (Some(_), Some(_)) => After::Silence { next, ended_by, missing },
        (Some(next), None) if missing.is_empty() => After::Continued { next },
        (Some(next), None) => After::Gap { next, missing },
        // No SMS to the end of message tracking, a day or more later.
        (None, _)
            if last.as_millis() - t.as_millis() >= DAY_MS
                && (!sms.is_empty() || !missing.is_empty()) =>
        {
            After::Silence { next: None, ended_by: None, missing }
        }
        (None, _) => After::NotCovered,
    }
}

fn verdict(d: &mut MailboxDiagnosis) {
    let n = d.move_starts.len();
    if n == 0 {
        d.verdict = if d.sms.is_empty() && d.stops.is_empty() {
            Verdict::Undetermined
        } else {
            Verdict::NotShown
        };
        d.reasons.push("the evidence holds no MailboxMoveStarted event for this mailbox; the KB3200823 pattern starts with one".into());
        return;
    }
    let (silences, covered) = d.silence_counts();
    let ended =
        d.after.iter().filter(|a| matches!(a, After::Silence { ended_by: Some(_), .. })).count();
    let recurring = d.runs.iter().map(|r| r.len()).max().unwrap_or(0);
    if recurring >= 2 {
        let interval =
            d.interval.as_ref().map_or(String::new(), |i| crate::time::format_timespan(i.value));
        d.reasons.push(format!(
            "MailboxMoveStarted recurs {recurring} times at the incremental sync interval ({interval}) plus a drift: \
             a move request syncing incrementally, each sync counted from the end of the last"
        ));
    }
    let gaps = d.after.iter().filter(|a| matches!(a, After::Gap { .. })).count();
    if silences > 0 {
        d.verdict = Verdict::Shown;
        d.reasons.push(format!(
            "{silences} of {covered} MailboxMoveStarted events that message tracking covers were followed by a silence in the SMS{}",
            if ended > 0 { format!(", {ended} of them ended by a Set-TextMessagingAccount run") } else { String::new() }
        ));
        if silences < covered {
            d.reasons.push(format!(
                "after the other {} the SMS went on{}",
                covered - silences,
                if gaps > 0 {
                    format!(" ({gaps} with SMS missing that came back without a reconfiguration)")
                } else {
                    String::new()
                }
            ));
        }
    } else if gaps > 0 {
        d.verdict = Verdict::NotShown;
        d.reasons.push(format!(
            "after {gaps} of {covered} covered MailboxMoveStarted events some daily SMS are missing, but the SMS came back \
             without a Set-TextMessagingAccount run: a meeting that skips days (weekends?), not the assistant stopping"
        ));
    } else if covered > 0 {
        d.verdict = Verdict::NotShown;
        d.reasons.push(format!(
            "the SMS kept coming after all {covered} MailboxMoveStarted events that message tracking covers: \
             the assistant did not stop on them"
        ));
    } else {
        let stop_all = d.stops.iter().filter(|s| s.1 == "StopAll").count();
        if stop_all > 0 {
            d.reasons.push(format!(
                "the trace shows the assistant answering with StopAll {stop_all} time{}",
                if stop_all == 1 { "" } else { "s" }
            ));
        }
        d.reasons.push(match (d.tracking.first(), d.tracking.last()) {
            (Some((a, _)), Some((_, b))) => format!(
                "message tracking ({} to {}) does not cover the move events, so the silences after them cannot be counted",
                crate::time::format_short(*a),
                crate::time::format_short(*b)
            ),
            _ => "there is no message tracking for this mailbox, so the silences after the move events cannot be counted".into(),
        });
        d.verdict =
            if stop_all > 0 || recurring >= 2 { Verdict::Likely } else { Verdict::Undetermined };
    }
}
