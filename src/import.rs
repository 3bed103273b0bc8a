//! `cnasim import`: a scenario that reproduces a ticket's evidence.
//!
//! Each mailbox the diagnosis found becomes a mailbox of the scenario: its
//! move (started at the first MailboxMoveStarted of the longest run of
//! syncs, with the evidence's interval and the sync durations the drift
//! implies), the user's Set-TextMessagingAccount runs (the first before any
//! SMS turns text messaging on, the others are replayed as
//! reconfigurations), and calendar items inferred from the SMS times (a
//! daily series where they repeat) and from the trace's reminder lines.
//! Every inferred value carries a comment saying where it came from. The
//! scenario pins what the evidence showed under `legacy` in `expect:`.
//!
//! Before writing, the scenario is read back and its move plan checked to
//! give the evidence's MailboxMoveStarted times to the millisecond.

use crate::diagnosis::render::compact;
use crate::diagnosis::{After, Diagnosis, MailboxDiagnosis};
use crate::model::move_request::MoveStep;
use crate::model::plan::Plan;
use crate::model::world::MailboxId;
use crate::scenario::validate::MAX_SYNC_INTERVAL;
use crate::scenario::{
    self, DOMAIN, MAX_FILE_BYTES, MAX_REMINDERS, NAME, Overrides, SUBJECT, TextRule, check_text,
};
use crate::time::{DAY_MS, MINUTE_MS, SimTime, format_rfc3339, format_timespan};
use std::collections::BTreeSet;
use std::fmt::Write;

/// The reminder lead assumed when the evidence does not give one:
/// Outlook's default.
const DEFAULT_REMINDER_MS: i64 = 15 * MINUTE_MS;

/// Options of `cnasim import`.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The scenario's `name:`.
    pub name: String,
    /// The seed.
    pub seed: u64,
    /// Treat each meeting seen once (a lone SMS, a trace reminder line) as
    /// a daily meeting to the window's end.
    pub assume_daily: bool,
}

/// What `import` wrote, for its summary line.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The scenario text.
    pub yaml: String,
    /// MailboxMoveStarted times the scenario reproduces, over all mailboxes.
    pub move_started: usize,
    /// Mailboxes.
    pub mailboxes: usize,
}

/// True when `text` passes the scenario's rule for such text: evidence
/// may hold line breaks (in a quoted CSV field), control characters and
/// lengths no scenario accepts.
fn fits(text: &str, rule: &TextRule) -> bool {
    check_text(text, rule).is_ok()
}

/// A calendar item's subject: the evidence's, or `Meeting` when it is
/// blank or no subject can be it.
fn subject(text: &str) -> &str {
    if text.trim().is_empty() || !fits(text, &SUBJECT) { "Meeting" } else { text }
}

/// The first ten of a list, then how many more: a description holds at
/// most 65,536 characters, and evidence can name thousands of mailboxes.
fn first_few(list: &[String], separator: &str) -> String {
    let mut out = list.iter().take(10).cloned().collect::<Vec<_>>().join(separator);
    if list.len() > 10 {
        let _ = write!(out, "{separator}and {} more", list.len() - 10);
    }
    out
}

fn q(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

fn z(t: SimTime) -> String {
    let s = format_rfc3339(t);
    if s.ends_with(".000Z") { format!("{}Z", &s[..19]) } else { s }
}

fn midnight(t: SimTime) -> SimTime {
    SimTime::from_millis(t.as_millis().div_euclid(DAY_MS) * DAY_MS)
}

/// One mailbox's part of the scenario, and the facts the whole needs.
struct Part {
    yaml: String,
    /// The mailbox's `name:` in the scenario.
    name: String,
    /// How many reminders its calendar makes, at most.
    reminders: u64,
    /// The mailbox's name in messages.
    label: String,
    first: SimTime,
    last: SimTime,
    /// What puts `last` where it is, with its place in the evidence.
    last_why: String,
    /// The move's completion, when the evidence prints it.
    completion: Option<SimTime>,
    /// When the sync after the evidence's last would start.
    next_start: SimTime,
    starts: Vec<SimTime>,
    reconfigurations: usize,
    missing: usize,
    counter: Option<(u64, String)>,
    domain: Option<String>,
}

/// Builds the scenario; errors say what the evidence lacks.
pub fn scenario(d: &Diagnosis, options: &ImportOptions) -> Result<Imported, String> {
    let usable: Vec<&MailboxDiagnosis> =
        d.mailboxes.iter().filter(|m| !m.move_starts.is_empty()).collect();
    if usable.is_empty() {
        return Err(
            "the evidence holds no MailboxMoveStarted event, so there is no move to reproduce; \
                    `cnasim diagnose` shows what it does hold"
                .into(),
        );
    }
    for m in &usable {
        if let Some(i) = m.interval.as_ref().filter(|i| i.value > MAX_SYNC_INTERVAL) {
            return Err(format!(
                "{}: the incremental sync interval is {} ({}), more than a move can have (0 to 120 \
                 days, New-MoveRequest's range); check the evidence",
                m.label(),
                format_timespan(i.value),
                i.source
            ));
        }
    }
    // The databases: the first the evidence names, as a scenario can name
    // them. Two databases of one name would be one: the target's name goes
    // when the evidence gives the source's, and a made-up name is another.
    let database = |of: fn(&MailboxDiagnosis) -> &Option<String>| {
        usable
            .iter()
            .find_map(|m| of(m).clone().filter(|d| !d.contains(['\\', '/', '<']) && fits(d, &NAME)))
    };
    let source = database(|m| &m.databases.0);
    let target = database(|m| &m.databases.1).filter(|t| Some(t) != source.as_ref());
    let source_name = source
        .clone()
        .unwrap_or_else(|| if target.as_deref() == Some("DB01") { "DB00" } else { "DB01" }.into());
    let target_name = target
        .clone()
        .unwrap_or_else(|| if source_name == "DB02" { "DB03" } else { "DB02" }.into());
    let mut parts: Vec<Part> = Vec::with_capacity(usable.len());
    let mut taken = BTreeSet::new();
    for (i, m) in usable.iter().enumerate() {
        let p = part(m, i, &taken, (&source_name, &target_name), options.assume_daily);
        taken.insert(p.name.clone());
        parts.push(p);
    }
    // What a scenario may hold: a ticket's evidence never comes near, but
    // a log of thousands of mailboxes, or dates a century apart, can.
    let reminders: u64 = parts.iter().map(|p| p.reminders).sum();
    if reminders > MAX_REMINDERS {
        return Err(format!(
            "the scenario would hold up to {reminders} reminders (the SMS the evidence shows, \
             daily series repeated to the window's end, over {} mailbox{}), more than the \
             {MAX_REMINDERS} a run keeps in memory; import evidence that spans less time",
            parts.len(),
            if parts.len() == 1 { "" } else { "es" }
        ));
    }
    let start = midnight(parts.iter().map(|p| p.first).min().unwrap_or(SimTime::MIN));
    let latest = parts.iter().max_by_key(|p| p.last);
    let end = latest.map_or(start, |p| p.last);
    let move_started: usize = parts.iter().map(|p| p.starts.len()).sum();
    let mut y = String::new();
    let _ = writeln!(y, "# Written by cnasim import from {}.", d.evidence.files.join(", "));
    let _ = writeln!(
        y,
        "# Times are UTC; times the evidence printed without a zone were read as {}.",
        d.evidence.clock.zone_name()
    );
    let _ = writeln!(y, "# Each inferred value says where it came from. Run: cnasim run THIS-FILE");
    let _ = writeln!(y, "name: {}", options.name);
    let verdicts: Vec<String> = usable
        .iter()
        .zip(&parts)
        .map(|(m, p)| format!("{}: {}", p.name, m.verdict.code()))
        .collect();
    let _ = writeln!(
        y,
        "description: {}",
        q(&format!(
            "Imported from {} by cnasim import. It replays the move syncs, text messaging runs and meetings the evidence shows \
         under legacy (the old assistant) and fixed. Verdict: {}.",
            first_few(&d.evidence.files, ", "),
            first_few(&verdicts, "; ")
        ))
    );
    let _ = writeln!(y, "seed: {}", options.seed);
    let _ = writeln!(y, "start: {}   # midnight before the first evidence", z(start));
    let _ = writeln!(
        y,
        "end: {}   # one sync interval after the last MailboxMoveStarted (or the last evidence, if later): the next sync could not start sooner",
        z(end)
    );
    let _ = writeln!(y, "policies: [legacy, fixed]");
    if let Some(domain) = parts.iter().find_map(|p| p.domain.clone()) {
        let _ = writeln!(y, "domain: {domain}   # from the SMS recipients");
    }
    let _ = writeln!(y, "databases:");
    let _ = writeln!(
        y,
        "  - name: {}   # {}",
        q(&source_name),
        if source.is_some() {
            "the move's SourceDatabase"
        } else {
            "the move's source; not named in the evidence"
        }
    );
    if let Some((counter, origin)) = parts.iter().find_map(|p| p.counter.clone()) {
        let _ = writeln!(
            y,
            "    counter_start: {counter}   # so that the first MailboxMoveStarted gets its counter in the evidence ({origin})"
        );
    }
    let _ = writeln!(
        y,
        "  - name: {}   # {}",
        q(&target_name),
        if target.is_some() {
            "the move's TargetDatabase"
        } else {
            "the move's target; not named in the evidence"
        }
    );
    let _ = writeln!(y, "mailboxes:");
    for p in &parts {
        // A window that runs on past the next sync stops the move there:
        // the evidence shows no more syncs.
        let stop = if p.completion.is_none() && end > p.next_start {
            format!(
                "      fail_at: {}   # not in the evidence: the move stops before the sync after the last one the evidence shows, as the window runs on to later evidence\n",
                z(p.next_start)
            )
        } else {
            String::new()
        };
        y.push_str(&p.yaml.replace(STOP_MARK, &stop).replace(UNTIL_MARK, &z(end)));
    }
    let _ = writeln!(y, "expect:");
    let _ = writeln!(y, "  legacy:   # what the evidence shows");
    let _ = writeln!(
        y,
        "    move_started_events: {move_started}   # the MailboxMoveStarted events in the evidence's run of syncs"
    );
    let reconfigurations: usize = parts.iter().map(|p| p.reconfigurations).sum();
    if reconfigurations > 0 {
        let _ = writeln!(
            y,
            "    user_reconfigurations: {reconfigurations}   # Set-TextMessagingAccount runs after the first"
        );
    }
    let missing: usize = parts.iter().map(|p| p.missing).sum();
    if missing > 0 {
        let _ = writeln!(
            y,
            "    reminders_missed: {{ min: {missing} }}   # daily SMS missing after MailboxMoveStarted events"
        );
    }
    if y.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the scenario would be {} bytes long ({} mailboxes with a move), more than the \
             {MAX_FILE_BYTES} bytes cnasim reads; import the evidence of fewer mailboxes",
            y.len(),
            parts.len()
        ));
    }
    verify(&y, &parts, latest.map_or("", |p| p.last_why.as_str()))?;
    Ok(Imported { yaml: y, move_started, mailboxes: parts.len() })
}

/// Reads the scenario back and checks its move plan against the evidence;
/// `end_why` says what sets the window's end. A scenario's move syncs
/// until it completes, so evidence that stops showing syncs before the
/// window ends, or shows one after the completion, cannot be imported.
fn verify(yaml: &str, parts: &[Part], end_why: &str) -> Result<(), String> {
    let world = scenario::parse(yaml, "the imported scenario", "imported", &Overrides::default())
        .map_err(|e| {
        format!("the scenario cnasim import made is not valid, which is a bug in cnasim: {e}")
    })?;
    let plan = Plan::build(&world)
        .map_err(|e| format!("the imported scenario is too large to plan: {e}"))?;
    for (i, p) in parts.iter().enumerate() {
        let planned: Vec<SimTime> = plan
            .move_steps(MailboxId(i as u32))
            .iter()
            .filter(|(t, s)| matches!(s, MoveStep::SyncStarted { .. }) && *t < world.end)
            .map(|(t, _)| *t)
            .collect();
        let (n, last) = (p.starts.len(), p.starts.last().copied());
        if planned.len() > n && planned.starts_with(&p.starts) {
            return Err(format!(
                "{}: the move's next sync would start at {} (the last MailboxMoveStarted, {}, plus its \
                 sync's duration and the interval), yet the evidence shows none then although it \
                 runs to {} ({end_why}); a move that stops syncing without completing cannot be \
                 imported: add the database events up to then, or the move's CompletionTimestamp",
                p.label,
                z(planned[n]),
                last.map_or_else(String::new, z),
                z(world.end)
            ));
        }
        if let Some(c) = p.completion
            && planned.len() < n
            && p.starts.starts_with(&planned)
        {
            return Err(format!(
                "{}: the evidence shows a MailboxMoveStarted at {}, after the move completed ({}, \
                 its CompletionTimestamp): a completed move starts no sync; check that the \
                 evidence is of one move",
                p.label,
                z(p.starts[planned.len()]),
                z(c)
            ));
        }
        if planned != p.starts {
            return Err(format!(
                "the imported scenario plans MailboxMoveStarted at {:?}, not at the evidence's {:?}; this is a bug in cnasim",
                planned.iter().map(|t| z(*t)).collect::<Vec<_>>(),
                p.starts.iter().map(|t| z(*t)).collect::<Vec<_>>()
            ));
        }
    }
    Ok(())
}

/// Where a part's daily meetings end: the window's end, known once every
/// part is made.
const UNTIL_MARK: &str = "#UNTIL#";

/// Where a part's move may get a `fail_at` line.
const STOP_MARK: &str = "      #STOP#\n";

/// One mailbox's part; `taken` are the names of the mailboxes before it,
/// which it must not take; the move goes from the first database to the
/// second.
fn part(
    m: &MailboxDiagnosis,
    index: usize,
    taken: &BTreeSet<String>,
    (source, target): (&str, &str),
    assume_daily: bool,
) -> Part {
    let mut y = String::new();
    let run = m
        .runs
        .iter()
        .max_by_key(|r| (r.len(), std::cmp::Reverse(r.start)))
        .cloned()
        .unwrap_or(0..1);
    let starts: Vec<SimTime> = m.move_starts[run.clone()].iter().map(|s| s.time).collect();
    let first_move = &m.move_starts[run.start];
    let interval = m.interval.as_ref().map_or(DAY_MS, |i| i.value.as_millis());
    let last_start = *starts.last().unwrap_or(&first_move.time);
    let taken = |n: &str| taken.contains(n);
    let name = m
        .display
        .clone()
        .filter(|d| !d.is_empty() && d.len() <= 64 && fits(d, &NAME) && !taken(d))
        .unwrap_or_else(|| {
            (index + 1..).map(|k| format!("user{k}")).find(|n| !taken(n)).unwrap_or_default()
        });
    let _ = writeln!(y, "  - name: {}", q(&name));
    if let Some(g) = &m.guid {
        let _ = writeln!(y, "    guid: {g}");
    }
    let _ = writeln!(y, "    database: {}", q(source));
    // E.164, as a scenario's phone: `+` and 4 to 15 digits.
    let e164 = |p: &str| {
        p.strip_prefix('+')
            .is_some_and(|d| (4..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
    };
    match &m.phone {
        Some(p) if e164(p) => {
            let _ = writeln!(y, "    phone: {}   # from the SMS recipients", q(p));
        }
        _ => {
            let _ = writeln!(y, "    phone: \"+10000000000\"   # not in the evidence");
        }
    }
    // Text messaging: the first run before any SMS turns it on; else it was
    // on before the evidence starts.
    let first_sms = m.sms.first().map(|s| s.time);
    let runs = &m.text_messaging_runs;
    let enable_from_audit =
        runs.first().filter(|r| first_sms.is_none_or(|s| r.0 <= s) && r.0 <= first_move.time);
    let mut earliest = vec![first_move.time];
    earliest.extend(first_sms);
    earliest.extend(runs.first().map(|r| r.0));
    earliest.extend(m.trace_items.iter().map(|i| i.3.unwrap_or(i.1)));
    let first = *earliest.iter().min().unwrap_or(&first_move.time);
    let window_start = midnight(first);
    let reconfigure: Vec<&(SimTime, crate::evidence::facts::Origin)> =
        runs.iter().skip(usize::from(enable_from_audit.is_some())).collect();
    let _ = writeln!(y, "    sms:");
    match enable_from_audit {
        Some((t, origin)) => {
            let _ =
                writeln!(y, "      enable_at: {}   # Set-TextMessagingAccount ({origin})", z(*t));
        }
        None => {
            let _ = writeln!(
                y,
                "      enable_at: {}   # text messaging was on before the evidence starts",
                z(window_start)
            );
        }
    }
    // Counters: the events this mailbox's database issues before the first
    // MailboxMoveStarted are the user's own actions.
    let actions_before = 1 + reconfigure.iter().filter(|r| r.0 < first_move.time).count() as u64;
    // The window ends before the next sync could start, and after the last
    // one did (an interval of 0 would end it at that start).
    let mut last =
        last_start.saturating_add(crate::time::SimDuration::from_millis(interval.max(1)));
    let mut last_why = format!(
        "one sync interval after {}'s last MailboxMoveStarted, {}",
        m.label(),
        m.move_starts[run.end - 1].origin
    );
    if !reconfigure.is_empty() {
        let _ = writeln!(
            y,
            "      reconfigure_at:   # the Set-TextMessagingAccount runs the audit log shows"
        );
        for (t, origin) in &reconfigure {
            let _ = writeln!(y, "        - {}   # {origin}", z(*t));
        }
    }
    // Calendar: daily series, then single SMS, then the trace's items.
    let mut items = String::new();
    let until = last;
    // The reminders they make, at most: one a day for a series, one each
    // for the others.
    let mut reminders = (m.sms.len() + m.trace_items.len()) as u64;
    for s in &m.series {
        let reminder_at =
            SimTime::from_millis(s.first.as_millis() - s.first.as_millis().rem_euclid(MINUTE_MS));
        let start = SimTime::from_millis(reminder_at.as_millis() + DEFAULT_REMINDER_MS);
        reminders += ((until.as_millis() - start.as_millis()).max(0) / DAY_MS + 1) as u64;
        let _ = writeln!(
            items,
            "      - subject: {}   # a daily SMS at {} UTC, seen on {} days",
            q(subject(&s.subject)),
            &z(reminder_at)[11..19],
            s.days_seen
        );
        let _ = writeln!(
            items,
            "        start: {}   # the first SMS, down to the minute, plus the reminder lead",
            z(start)
        );
        let _ = writeln!(items, "        duration: 30m   # not in the evidence");
        let _ = writeln!(items, "        reminder: 15m   # not in the evidence: Outlook's default");
        let _ = writeln!(
            items,
            "        repeat: {{ every: 1d, until: {UNTIL_MARK} }}   # to the window's end"
        );
    }
    let daily = |items: &mut String, start: SimTime| {
        if assume_daily && start < until {
            let _ = writeln!(
                items,
                "        repeat: {{ every: 1d, until: {UNTIL_MARK} }}   # seen once; daily by --assume-daily"
            );
        }
    };
    let in_series = |t: SimTime, subject: &str| {
        m.series.iter().any(|s| {
            s.subject == subject
                && (t.as_millis().rem_euclid(DAY_MS) - s.time_of_day).abs() <= 2 * MINUTE_MS
        })
    };
    for s in m.sms.iter().filter(|s| !in_series(s.time, &s.subject)) {
        let start = SimTime::from_millis(s.time.as_millis() + DEFAULT_REMINDER_MS);
        let _ = writeln!(
            items,
            "      - subject: {}   # one SMS at {} ({})",
            q(subject(&s.subject)),
            z(s.time),
            s.origin
        );
        let _ = writeln!(items, "        start: {}   # the SMS plus the reminder lead", z(start));
        let _ = writeln!(items, "        duration: 30m   # not in the evidence");
        let _ = writeln!(items, "        reminder: 15m   # not in the evidence: Outlook's default");
        daily(&mut items, start);
    }
    for (subject, start, end, reminder) in &m.trace_items {
        if reminder.is_some_and(|r| m.sms.iter().any(|s| s.time == r)) {
            continue;
        }
        let lead =
            reminder.map_or(DEFAULT_REMINDER_MS, |r| start.as_millis() - r.as_millis()).max(0);
        let _ = writeln!(
            items,
            "      - subject: {}   # from a trace reminder line (s_t, e_t, rmd_t)",
            q(if subject.starts_with('<') { "Meeting" } else { self::subject(subject) })
        );
        let _ = writeln!(items, "        start: {}", z(*start));
        let _ = writeln!(
            items,
            "        duration: {}",
            compact((end.as_millis() - start.as_millis()).max(MINUTE_MS))
        );
        let _ = writeln!(items, "        reminder: {}", compact(lead));
        daily(&mut items, *start);
    }
    if !items.is_empty() {
        let _ = writeln!(y, "    calendar:");
        y.push_str(&items);
    }
    let _ = writeln!(y, "    move:");
    let _ = writeln!(y, "      target: {}", q(target));
    let _ = writeln!(
        y,
        "      start: {}   # the first MailboxMoveStarted of the run ({})",
        z(first_move.time),
        first_move.origin
    );
    let _ = writeln!(
        y,
        "      incremental_sync_interval: {}   # {}",
        format_timespan(crate::time::SimDuration::from_millis(interval)),
        m.interval
            .as_ref()
            .map_or("not in the evidence: one day".to_string(), |i| i.source.clone())
    );
    let durations: Vec<String> =
        (run.start..run.end.saturating_sub(1)).filter_map(|k| m.implied(k)).map(compact).collect();
    if durations.is_empty() {
        let _ = writeln!(
            y,
            "      sync_duration: 10m   # one sync in the evidence: its duration is not known"
        );
    } else {
        let _ = writeln!(
            y,
            "      # The durations the drift implies: start(k+1) - start(k) - interval; the last repeats."
        );
        let _ = writeln!(y, "      sync_durations: [{}]", durations.join(", "));
    }
    let last_duration = (run.start..run.end.saturating_sub(1))
        .rev()
        .find_map(|k| m.implied(k))
        .unwrap_or(10 * MINUTE_MS);
    let next_start = SimTime::from_millis(
        last_start.as_millis().saturating_add(last_duration).saturating_add(interval),
    );
    y.push_str(STOP_MARK);
    if let Some(c) = m.completion {
        let _ = writeln!(y, "      complete_at: {}   # CompletionTimestamp", z(c));
        if c > last {
            last = c;
            last_why = format!("{}'s CompletionTimestamp", m.label());
        }
    }
    let skipped = m.move_starts.len() - starts.len();
    if skipped > 0 {
        let _ = writeln!(
            y,
            "      # {skipped} other MailboxMoveStarted event(s) in the evidence are not part of this run of daily syncs."
        );
    }
    // Later evidence stretches the window: SMS, runs, and the end of a
    // message tracking search that found no more SMS.
    let later = m.sms.iter().map(|s| (s.time, "an SMS", s.origin.to_string()));
    let searched = m.tracking.last().map(|(_, b)| {
        (
            SimTime::from_millis(b.as_millis() - MINUTE_MS),
            "the end of message tracking",
            String::from("the search"),
        )
    });
    for (t, what, origin) in later
        .chain(runs.iter().map(|r| (r.0, "Set-TextMessagingAccount", r.1.to_string())))
        .chain(searched)
    {
        if t >= last {
            last = SimTime::from_millis(t.as_millis() + MINUTE_MS);
            last_why = format!("{what} at {}, {origin}", z(t));
        }
    }
    // Each missing SMS once, inside the window.
    let missing: std::collections::BTreeSet<SimTime> = m
        .after
        .iter()
        .filter_map(|a| if let After::Silence { missing, .. } = a { Some(missing) } else { None })
        .flatten()
        .map(|(t, _)| *t)
        .filter(|t| *t < last)
        .collect();
    let missing = missing.len();
    Part {
        yaml: y,
        name,
        reminders,
        label: m.label(),
        first,
        last,
        last_why,
        completion: m.completion,
        next_start,
        starts,
        reconfigurations: reconfigure.len(),
        missing,
        counter: first_move
            .counter
            .and_then(|c| c.checked_sub(actions_before))
            .map(|c| (c, first_move.origin.to_string())),
        domain: m
            .sms
            .first()
            .and_then(|s| s.recipient.split('@').nth(1))
            .map(str::to_string)
            .filter(|d| {
                fits(d, &DOMAIN)
                    && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            }),
    }
}
