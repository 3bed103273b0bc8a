//! trace.json: the run in the Chrome trace event format, for Perfetto
//! (<https://ui.perfetto.dev>) and `chrome://tracing`.
//!
//! One process per policy. In each, per followed mailbox, a thread for the
//! assistant's state (complete events `X` for active, paused and off;
//! instants for SMS sent, reminders missed or late, StopAll and user
//! actions) and a thread for its move request (`X` for syncs and
//! finalization); per database, a thread with an instant for each move
//! event of a followed mailbox. Counters (`C`) per process: backlog per
//! database, mailboxes active and paused, missed reminders (whole
//! population, one sample per bucket where the value changes). Metadata
//! (`M`) names and orders processes and threads. Timestamps are
//! microseconds of simulated time since the window start (`otherData.start`
//! says when that is): Perfetto converts them to 64-bit nanoseconds, which
//! absolute times after 2262 would overflow, and it shows times relative to
//! the start anyway. Windows longer than 292 years are beyond what Perfetto
//! can show.

use super::Labels;
use super::meter::Meter;
use super::timeline::{Lane, MoveReaction, PolicyTimeline, Timeline};
use crate::model::metrics::Delivery;
use crate::model::{Plan, World};
use crate::time::{SimTime, format_rfc3339};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// One trace event.
#[derive(Serialize)]
struct Event<'a> {
    name: &'a str,
    ph: &'static str,
    pid: u32,
    tid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    cat: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<i64>,
    /// Scope of an instant: `t` (thread).
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<&'static str>,
    args: Value,
}

/// A thread of a process.
#[derive(Clone, Copy)]
struct Thread {
    pid: u32,
    tid: u32,
}

/// Writes events as a JSON array body, one per line.
struct Sink<W: Write> {
    out: W,
    first: bool,
    /// The window start: timestamp zero.
    origin: SimTime,
}

impl<W: Write> Sink<W> {
    /// Microseconds since the window start.
    fn micros(&self, t: SimTime) -> i64 {
        (t - self.origin).as_millis().saturating_mul(1_000)
    }

    fn push(&mut self, event: &Event) -> io::Result<()> {
        self.out.write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        serde_json::to_writer(&mut self.out, event).map_err(io::Error::from)
    }

    fn meta(&mut self, pid: u32, tid: u32, name: &str, args: Value) -> io::Result<()> {
        self.push(&Event { name, ph: "M", pid, tid, cat: None, ts: None, dur: None, s: None, args })
    }

    fn span(
        &mut self,
        Thread { pid, tid }: Thread,
        name: &str,
        cat: &'static str,
        from: SimTime,
        to: SimTime,
        args: Value,
    ) -> io::Result<()> {
        let (ts, end) = (self.micros(from), self.micros(to));
        self.push(&Event {
            name,
            ph: "X",
            pid,
            tid,
            cat: Some(cat),
            ts: Some(ts),
            dur: Some(end - ts),
            s: None,
            args,
        })
    }

    fn instant(
        &mut self,
        Thread { pid, tid }: Thread,
        name: &str,
        cat: &'static str,
        at: SimTime,
        args: Value,
    ) -> io::Result<()> {
        self.push(&Event {
            name,
            ph: "i",
            pid,
            tid,
            cat: Some(cat),
            ts: Some(self.micros(at)),
            dur: None,
            s: Some("t"),
            args,
        })
    }

    fn counter(&mut self, pid: u32, name: &str, at: SimTime, args: Value) -> io::Result<()> {
        self.push(&Event {
            name,
            ph: "C",
            pid,
            tid: 0,
            cat: Some("counter"),
            ts: Some(self.micros(at)),
            dur: None,
            s: None,
            args,
        })
    }
}

/// What trace.json is written from.
pub struct TraceInput<'a> {
    /// The world that ran.
    pub world: &'a World,
    /// Its names.
    pub labels: &'a Labels,
    /// Its ground truth.
    pub plan: &'a Plan,
    /// Each policy's timeline.
    pub timeline: &'a Timeline,
}

/// Thread ids inside a policy's process: per lane an assistant thread and
/// a move thread, then one per database.
fn assistant_tid(lane: usize) -> u32 {
    2 * lane as u32 + 1
}

fn move_tid(lane: usize) -> u32 {
    2 * lane as u32 + 2
}

fn database_tid(lanes: usize, db: usize) -> u32 {
    2 * lanes as u32 + 1 + db as u32
}

/// Writes trace.json at `path`.
pub fn write(path: &Path, input: &TraceInput, meter: &Meter) -> io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut out = BufWriter::new(meter.wrap(file));
    let w = input.world;
    let other = json!({
        "scenario": w.name,
        "seed": w.seed,
        "start": format_rfc3339(w.start),
        "end": format_rfc3339(w.end),
        "mailboxes": w.mailboxes.len(),
        "mailboxes_in_detail": input.timeline.followed.len(),
        "timestamps": "microseconds of simulated time since the window start",
        "generator": format!("cnasim {}", super::summary::VERSION),
    });
    write!(out, "{{\"displayTimeUnit\":\"ms\",\"otherData\":{other},\"traceEvents\":[")?;
    let mut sink = Sink { out, first: true, origin: w.start };
    for (p, policy) in input.timeline.policies.iter().enumerate() {
        write_policy(&mut sink, input, p as u32 + 1, policy)?;
    }
    let mut out = sink.out;
    out.write_all(b"\n]}\n")?;
    out.flush()
}

fn write_policy<W: Write>(
    sink: &mut Sink<W>,
    input: &TraceInput,
    pid: u32,
    policy: &PolicyTimeline,
) -> io::Result<()> {
    let labels = input.labels;
    sink.meta(pid, 0, "process_name", json!({ "name": format!("policy {}", policy.policy) }))?;
    sink.meta(pid, 0, "process_sort_index", json!({ "sort_index": pid }))?;
    let lanes = policy.lanes.len();
    for (k, lane) in policy.lanes.iter().enumerate() {
        let name = labels.mailbox(lane.mailbox);
        for (tid, what) in [(assistant_tid(k), "assistant"), (move_tid(k), "move request")] {
            sink.meta(pid, tid, "thread_name", json!({ "name": format!("{name}: {what}") }))?;
            sink.meta(pid, tid, "thread_sort_index", json!({ "sort_index": tid }))?;
        }
    }
    for (d, name) in labels.database.iter().enumerate() {
        let tid = database_tid(lanes, d);
        sink.meta(pid, tid, "thread_name", json!({ "name": format!("database {name}") }))?;
        sink.meta(pid, tid, "thread_sort_index", json!({ "sort_index": tid }))?;
    }
    for (k, lane) in policy.lanes.iter().enumerate() {
        write_lane(sink, input, pid, k, lanes, lane)?;
    }
    write_counters(sink, input, pid, policy)
}

fn write_lane<W: Write>(
    sink: &mut Sink<W>,
    input: &TraceInput,
    pid: u32,
    k: usize,
    lanes: usize,
    lane: &Lane,
) -> io::Result<()> {
    let (plan, world) = (input.plan, input.world);
    let mailbox = &world.mailboxes[lane.mailbox.index()];
    let tid = assistant_tid(k);
    for s in &lane.states {
        sink.span(Thread { pid, tid }, s.state.as_str(), "assistant", s.start, s.end, json!({}))?;
    }
    for s in &lane.syncs {
        let args = json!({ "sync": s.number });
        sink.span(Thread { pid, tid: move_tid(k) }, s.kind.as_str(), "move", s.start, s.end, args)?;
    }
    let subject = |g: u32| mailbox.calendar[plan.reminder(g).item as usize].subject.as_str();
    for sms in &lane.sms {
        let r = plan.reminder(sms.reminder);
        let args = json!({
            "subject": subject(sms.reminder),
            "reminder_time": format_rfc3339(r.at),
            "occurrence_start": format_rfc3339(r.start),
            "catch_up": sms.catch_up,
        });
        sink.instant(Thread { pid, tid }, "SMS sent", "sms", sms.at, args)?;
    }
    for r in &lane.reminders {
        let name = match r.delivery {
            Delivery::OnTime => continue,
            Delivery::Late => "reminder late",
            Delivery::Missed => "reminder missed",
        };
        let args =
            json!({ "subject": subject(r.reminder), "occurrence_start": format_rfc3339(r.start) });
        sink.instant(Thread { pid, tid }, name, "reminder", r.at, args)?;
    }
    for mv in &lane.moves {
        let reaction = match mv.reaction {
            MoveReaction::None => "no effect",
            MoveReaction::StopAll => "StopAll",
            MoveReaction::Ignored => "ignored",
            MoveReaction::Resume => "resume",
        };
        let args = json!({
            "mailbox": input.labels.mailbox(lane.mailbox),
            "counter": mv.counter,
            "handled": mv.handled.map(format_rfc3339),
            "assistant": reaction,
        });
        let tid = database_tid(lanes, mv.db.index());
        sink.instant(Thread { pid, tid }, mv.kind.name(), "database", mv.created, args)?;
        if let (MoveReaction::StopAll | MoveReaction::Resume, Some(at)) = (mv.reaction, mv.handled)
        {
            let args = json!({ "event": mv.kind.name(), "counter": mv.counter });
            sink.instant(Thread { pid, tid: assistant_tid(k) }, reaction, "decision", at, args)?;
        }
    }
    for &(at, action) in &lane.user {
        sink.instant(
            Thread { pid, tid },
            &format!("user: {}", action.as_str()),
            "user",
            at,
            json!({}),
        )?;
    }
    Ok(())
}

fn write_counters<W: Write>(
    sink: &mut Sink<W>,
    input: &TraceInput,
    pid: u32,
    policy: &PolicyTimeline,
) -> io::Result<()> {
    let grid = input.timeline.grid;
    let mut last: Vec<Option<Value>> = vec![None; 2 + policy.backlog.len()];
    for b in 0..grid.len() {
        let at = grid.bucket_start(b);
        let mut samples = vec![
            (
                "mailboxes (mean per bucket)".to_string(),
                json!({ "active": round2(policy.active[b]), "paused": round2(policy.paused[b]) }),
            ),
            ("missed reminders (cumulative)".to_string(), json!({ "missed": policy.missed[b] })),
        ];
        for (d, series) in policy.backlog.iter().enumerate() {
            samples.push((
                format!("backlog {}", input.labels.database[d]),
                json!({ "backlog": series.peaks[b] }),
            ));
        }
        for (i, (name, value)) in samples.into_iter().enumerate() {
            if last[i].as_ref() != Some(&value) {
                sink.counter(pid, &name, at, value.clone())?;
                last[i] = Some(value);
            }
        }
    }
    Ok(())
}

/// Two decimals, so counter values stay short and exact in JSON.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
