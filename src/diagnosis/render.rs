//! The diagnosis as text for a person and as JSON for scripts.

use super::{After, Diagnosis, MailboxDiagnosis};
use crate::time::{SimDuration, SimTime, format_rfc3339, format_timespan};
use serde::Serialize;
use std::fmt::Write;

/// `2016-01-25 21:32:01`, always UTC.
fn at(t: SimTime) -> String {
    let s = format_rfc3339(t);
    format!("{} {}", &s[..10], &s[11..19])
}

/// A duration as a scenario writes it: `9m9s`, `19h28m`, `1d2h`, `0s`;
/// negative with a leading `-`.
pub fn compact(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let mut left = ms.unsigned_abs();
    let mut out = String::from(sign);
    for (unit, size) in
        [("d", 86_400_000u64), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)]
    {
        if left >= size {
            let _ = write!(out, "{}{unit}", left / size);
            left %= size;
        }
    }
    if out.len() == sign.len() {
        out.push_str("0s");
    }
    out
}

/// The text report.
pub fn text(d: &Diagnosis) -> String {
    let mut o = String::new();
    let ev = &d.evidence;
    let _ = writeln!(
        o,
        "Evidence: {} file{}, {} block{}; times without a zone read as {} (--time-zone); times below are UTC",
        ev.files.len(),
        if ev.files.len() == 1 { "" } else { "s" },
        ev.blocks.len(),
        if ev.blocks.len() == 1 { "" } else { "s" },
        ev.clock.zone_name()
    );
    let width = ev.blocks.iter().map(|b| b.origin.to_string().chars().count()).max().unwrap_or(0);
    for b in &ev.blocks {
        let _ = writeln!(
            o,
            "  {:<width$}  {:<17} {:<7} {} record{}",
            b.origin.to_string(),
            b.kind.as_str(),
            b.format.as_str(),
            b.records,
            if b.records == 1 { "" } else { "s" }
        );
    }
    for note in &ev.notes {
        let _ = writeln!(o, "  note: {note}");
    }
    for w in &ev.watermarks {
        let _ = writeln!(
            o,
            "  backlog: the assistant is {} events behind on {} (watermark {}, last event {})",
            w.backlog, w.database, w.watermark, w.last
        );
    }
    for m in &d.mailboxes {
        o.push('\n');
        mailbox(&mut o, m, ev.clock.zone_name());
    }
    o
}

fn mailbox(o: &mut String, m: &MailboxDiagnosis, zone: &str) {
    let _ = write!(o, "Mailbox {}", m.label());
    if let Some(g) = m.guid.as_ref().filter(|g| m.display.as_ref().is_some_and(|d| d != *g)) {
        let _ = write!(o, " ({g})");
    }
    o.push('\n');
    if let Some(i) = &m.interval {
        let _ =
            writeln!(o, "  Incremental sync interval: {} ({})", format_timespan(i.value), i.source);
    }
    if m.status.is_some() || m.completion.is_some() {
        let _ = writeln!(
            o,
            "  Move status: {}{}",
            m.status.as_deref().unwrap_or("not printed"),
            m.completion.map_or(String::new(), |c| format!(", completed {}", at(c)))
        );
    }
    let _ = writeln!(o, "  MailboxMoveStarted: {}", m.move_starts.len());
    if !m.move_starts.is_empty() {
        let _ = writeln!(
            o,
            "    {:>3}  {:<19}  {:>10}  {:>12}  {:>12}  from",
            "#", "created", "counter", "gap", "implied sync"
        );
        for (k, s) in m.move_starts.iter().enumerate() {
            let gap =
                k.checked_sub(1).map(|p| s.time.as_millis() - m.move_starts[p].time.as_millis());
            let implied = k.checked_sub(1).and_then(|p| m.implied(p));
            let _ = writeln!(
                o,
                "    {:>3}  {}  {:>10}  {:>12}  {:>12}  {}",
                k + 1,
                at(s.time),
                s.counter.map_or(String::new(), |c| c.to_string()),
                gap.map_or(String::new(), |g| if g >= 0 {
                    format_timespan(SimDuration::from_millis(g))
                } else {
                    compact(g)
                }),
                implied.map_or(String::new(), compact),
                s.origin
            );
        }
        let drifts: Vec<i64> =
            (0..m.move_starts.len().saturating_sub(1)).filter_map(|k| m.implied(k)).collect();
        if !drifts.is_empty() {
            let total: i64 = drifts.iter().sum();
            let _ = writeln!(
                o,
                "  Drift: each start comes {} to {} after the interval, {} in all over {} syncs: the time each sync took",
                compact(*drifts.iter().min().unwrap_or(&0)),
                compact(*drifts.iter().max().unwrap_or(&0)),
                compact(total),
                drifts.len()
            );
        }
    }
    if m.tracking.is_empty() {
        let _ = writeln!(o, "  SMS sent: no message tracking in the evidence");
    } else {
        let spans: Vec<String> =
            m.tracking.iter().map(|(a, b)| format!("{} to {}", at(*a), at(*b))).collect();
        let _ = writeln!(
            o,
            "  SMS sent: {} (message tracking {}){}",
            m.sms.len(),
            spans.join(", "),
            m.phone.as_ref().map_or(String::new(), |p| format!(" to {p}"))
        );
    }
    if m.other_phone_sms > 0 {
        let _ = writeln!(
            o,
            "    {} SMS to other phones left out: this mailbox's phone is the one most SMS go to",
            m.other_phone_sms
        );
    }
    for s in &m.series {
        let _ = writeln!(
            o,
            "    daily: {} at {} local time ({}), seen on {} days from {}",
            if s.subject.is_empty() { "(no subject)" } else { &s.subject },
            &at(SimTime::from_millis(s.time_of_day))[11..],
            zone,
            s.days_seen,
            &at(s.first)[..10]
        );
    }
    let _ = writeln!(o, "  Set-TextMessagingAccount: {}", m.text_messaging_runs.len());
    for (t, origin) in &m.text_messaging_runs {
        let _ = writeln!(o, "    {}  {origin}", at(*t));
    }
    if !m.stops.is_empty() {
        let _ = writeln!(
            o,
            "  Trace: the assistant stopped {} time{}",
            m.stops.len(),
            if m.stops.len() == 1 { "" } else { "s" }
        );
        for (t, what, origin) in &m.stops {
            let _ = writeln!(o, "    {}  {what}  {origin}", at(*t));
        }
    }
    if !m.move_starts.is_empty() {
        let _ = writeln!(o, "  After each MailboxMoveStarted:");
        for (s, a) in m.move_starts.iter().zip(&m.after) {
            let _ = writeln!(o, "    {}  {}", at(s.time), after(s.time, a));
        }
    }
    let _ = writeln!(o, "Verdict: {}", headline(m));
    for r in &m.reasons {
        let _ = writeln!(o, "  - {r}");
    }
}

fn after(t: SimTime, a: &After) -> String {
    match a {
        After::NotCovered => "not covered by message tracking".into(),
        After::Continued { next } => format!("SMS went on: next at {}", at(*next)),
        After::Gap { next, missing } => {
            format!(
                "SMS missing ({}), back at {} without a reconfiguration",
                listed(missing),
                at(*next)
            )
        }
        After::Silence { next, ended_by, missing } => {
            let mut s = match next {
                Some(n) => format!(
                    "silence of {} until the next SMS at {}",
                    compact((n.as_millis() - t.as_millis()) / 1000 * 1000),
                    at(*n)
                ),
                None => "silence to the end of message tracking".into(),
            };
            if let Some(r) = ended_by {
                let _ = write!(s, ", after Set-TextMessagingAccount at {}", at(*r));
            }
            if !missing.is_empty() {
                let _ = write!(s, "; missing {}", listed(missing));
            }
            s
        }
    }
}

/// The first three missing SMS and how many more.
fn listed(missing: &[(SimTime, String)]) -> String {
    let list: Vec<String> = missing
        .iter()
        .take(3)
        .map(|(t, subj)| {
            format!("{} {}", if subj.is_empty() { "SMS" } else { subj }, &at(*t)[5..16])
        })
        .collect();
    let more =
        if missing.len() > 3 { format!(" and {} more", missing.len() - 3) } else { String::new() };
    format!("{}{more}", list.join(", "))
}

fn headline(m: &MailboxDiagnosis) -> String {
    use super::Verdict::*;
    let (silences, _) = m.silence_counts();
    match m.verdict {
        Shown => format!(
            "the KB3200823 pattern: {silences} of {} MailboxMoveStarted events followed by a silence",
            m.move_starts.len()
        ),
        Likely => {
            "likely the KB3200823 pattern, but the evidence does not show the silences".into()
        }
        NotShown => "not the KB3200823 pattern".into(),
        Undetermined => "undetermined: the evidence is not enough to tell".into(),
    }
}

#[derive(Serialize)]
struct Json<'a> {
    time_zone: &'a str,
    files: &'a [String],
    blocks: &'a [crate::evidence::facts::BlockInfo],
    notes: &'a [String],
    watermarks: Vec<JsonWatermark<'a>>,
    mailboxes: Vec<JsonMailbox>,
}

#[derive(Serialize)]
struct JsonWatermark<'a> {
    database: &'a str,
    watermark: u64,
    last: u64,
    backlog: u64,
}

#[derive(Serialize)]
struct JsonMailbox {
    label: String,
    guid: Option<String>,
    display_name: Option<String>,
    phone: Option<String>,
    incremental_sync_interval: Option<String>,
    interval_source: Option<String>,
    move_started: Vec<JsonMove>,
    sync_durations_implied: Vec<Option<String>>,
    sms: Vec<String>,
    message_tracking: Vec<[String; 2]>,
    other_phone_sms: usize,
    text_messaging_runs: Vec<String>,
    daily_series: Vec<JsonSeries>,
    stops: Vec<[String; 2]>,
    verdict: &'static str,
    silences_after_move: usize,
    covered_moves: usize,
    reasons: Vec<String>,
}

#[derive(Serialize)]
struct JsonMove {
    time: String,
    counter: Option<u64>,
    after: &'static str,
    next_sms: Option<String>,
    ended_by: Option<String>,
    missing_sms: Vec<String>,
    from: String,
}

#[derive(Serialize)]
struct JsonSeries {
    subject: String,
    time_of_day: String,
    first: String,
    days_seen: usize,
}

/// The JSON report (one object; times RFC 3339 UTC).
pub fn json(d: &Diagnosis) -> String {
    let ev = &d.evidence;
    let mailboxes = d
        .mailboxes
        .iter()
        .map(|m| {
            let (silences, covered) = m.silence_counts();
            JsonMailbox {
                label: m.label(),
                guid: m.guid.clone(),
                display_name: m.display.clone(),
                phone: m.phone.clone(),
                incremental_sync_interval: m.interval.as_ref().map(|i| format_timespan(i.value)),
                interval_source: m.interval.as_ref().map(|i| i.source.clone()),
                move_started: m
                    .move_starts
                    .iter()
                    .zip(&m.after)
                    .map(|(s, a)| {
                        let (code, next, ended, missing) = match a {
                            After::NotCovered => ("not-covered", None, None, Vec::new()),
                            After::Continued { next } => {
                                ("continued", Some(*next), None, Vec::new())
                            }
                            After::Gap { next, missing } => {
                                ("gap", Some(*next), None, missing.clone())
                            }
                            After::Silence { next, ended_by, missing } => {
                                ("silence", *next, *ended_by, missing.clone())
                            }
                        };
                        JsonMove {
                            time: format_rfc3339(s.time),
                            counter: s.counter,
                            after: code,
                            next_sms: next.map(format_rfc3339),
                            ended_by: ended.map(format_rfc3339),
                            missing_sms: missing.iter().map(|(t, _)| format_rfc3339(*t)).collect(),
                            from: s.origin.to_string(),
                        }
                    })
                    .collect(),
                sync_durations_implied: (0..m.move_starts.len().saturating_sub(1))
                    .map(|k| m.implied(k).map(compact))
                    .collect(),
                sms: m.sms.iter().map(|s| format_rfc3339(s.time)).collect(),
                other_phone_sms: m.other_phone_sms,
                message_tracking: m
                    .tracking
                    .iter()
                    .map(|(a, b)| [format_rfc3339(*a), format_rfc3339(*b)])
                    .collect(),
                text_messaging_runs: m
                    .text_messaging_runs
                    .iter()
                    .map(|r| format_rfc3339(r.0))
                    .collect(),
                daily_series: m
                    .series
                    .iter()
                    .map(|s| JsonSeries {
                        subject: s.subject.clone(),
                        time_of_day: at(SimTime::from_millis(s.time_of_day))[11..].to_string(),
                        first: format_rfc3339(s.first),
                        days_seen: s.days_seen,
                    })
                    .collect(),
                stops: m
                    .stops
                    .iter()
                    .map(|(t, what, _)| [format_rfc3339(*t), what.clone()])
                    .collect(),
                verdict: m.verdict.code(),
                silences_after_move: silences,
                covered_moves: covered,
                reasons: m.reasons.clone(),
            }
        })
        .collect();
    let json = Json {
        time_zone: ev.clock.zone_name(),
        files: &ev.files,
        blocks: &ev.blocks,
        notes: &ev.notes,
        watermarks: ev
            .watermarks
            .iter()
            .map(|w| JsonWatermark {
                database: &w.database,
                watermark: w.watermark,
                last: w.last,
                backlog: w.backlog,
            })
            .collect(),
        mailboxes,
    };
    serde_json::to_string_pretty(&json).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn durations_read_back_as_the_scenario_writes_them() {
        assert_eq!(compact(549_000), "9m9s");
        assert_eq!(compact(0), "0s");
        assert_eq!(compact(-61_000), "-1m1s");
        assert_eq!(compact(90_061_001), "1d1h1m1s1ms");
    }
}
