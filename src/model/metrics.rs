//! The measurements of MODEL.md section 8, computed by an observer from the
//! record stream and the plan's ground truth.

use super::database::DatabaseTotals;
use super::events::EventKind;
use super::plan::Plan;
use super::record::{AssistantState, Observer, Record, UserAction};
use super::world::{MailboxId, World};
use crate::time::SimTime;
use serde::Serialize;

/// Section 8 of MODEL.md, for one policy. Field order is the order of the
/// model's table, which is also the order of summary.json and the
/// comparison table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Metrics {
    /// Expected reminders (ground truth, section 6).
    pub reminders_expected: u64,
    /// Expected reminders whose first SMS was sent at or before occurrence start.
    pub reminders_on_time: u64,
    /// Expected reminders whose first SMS was sent after occurrence start.
    pub reminders_late: u64,
    /// Expected reminders with no SMS within the window.
    pub reminders_missed: u64,
    /// on_time / expected (1.0 when none expected).
    pub delivery_ratio: f64,
    /// All SMS sent.
    pub sms_sent: u64,
    /// SMS beyond the first for the same occurrence.
    pub duplicate_sms: u64,
    /// Episodes of positive length with intent on and the state not active.
    pub dropouts: u64,
    /// Their total length in hours.
    pub dropout_hours: f64,
    /// The longest one, in hours.
    pub longest_dropout_hours: f64,
    /// Reconfigurations carried out within the window: the reaction rule's
    /// and those listed in `sms.reconfigure_at`.
    pub user_reconfigurations: u64,
    /// `MailboxMoveStarted` events fired.
    pub move_started_events: u64,
    /// Database events the assistant processed (background included).
    pub events_processed: u64,
    /// Largest backlog seen on any database.
    pub max_backlog: u64,
}

/// The names of the metrics, in table order.
pub const METRIC_NAMES: [&str; 14] = [
    "reminders_expected",
    "reminders_on_time",
    "reminders_late",
    "reminders_missed",
    "delivery_ratio",
    "sms_sent",
    "duplicate_sms",
    "dropouts",
    "dropout_hours",
    "longest_dropout_hours",
    "user_reconfigurations",
    "move_started_events",
    "events_processed",
    "max_backlog",
];

/// A metric's value, integral or not.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MetricValue {
    /// A count.
    Count(u64),
    /// A ratio or a length in hours.
    Real(f64),
}

/// Whether the metric `name` is a count (else a ratio or a length).
pub fn is_count(name: &str) -> bool {
    matches!(Metrics::default().get(name), Some(MetricValue::Count(_)))
}

impl MetricValue {
    /// The value as a float (a count converts exactly up to 2^53).
    pub fn as_f64(self) -> f64 {
        match self {
            MetricValue::Count(n) => n as f64,
            MetricValue::Real(x) => x,
        }
    }
}

impl std::fmt::Display for MetricValue {
    /// A count as a whole number; a real in the shortest form that reads
    /// back as the same value, so it can be pasted into an expectation.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MetricValue::Count(n) => write!(f, "{n}"),
            MetricValue::Real(x) => write!(f, "{x}"),
        }
    }
}

impl Metrics {
    /// The value of the metric called `name` (one of [`METRIC_NAMES`]).
    pub fn get(&self, name: &str) -> Option<MetricValue> {
        use MetricValue::{Count, Real};
        Some(match name {
            "reminders_expected" => Count(self.reminders_expected),
            "reminders_on_time" => Count(self.reminders_on_time),
            "reminders_late" => Count(self.reminders_late),
            "reminders_missed" => Count(self.reminders_missed),
            "delivery_ratio" => Real(self.delivery_ratio),
            "sms_sent" => Count(self.sms_sent),
            "duplicate_sms" => Count(self.duplicate_sms),
            "dropouts" => Count(self.dropouts),
            "dropout_hours" => Real(self.dropout_hours),
            "longest_dropout_hours" => Real(self.longest_dropout_hours),
            "user_reconfigurations" => Count(self.user_reconfigurations),
            "move_started_events" => Count(self.move_started_events),
            "events_processed" => Count(self.events_processed),
            "max_backlog" => Count(self.max_backlog),
            _ => return None,
        })
    }
}

/// What became of an expected reminder (MODEL.md section 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// First SMS sent at or before the occurrence start.
    OnTime,
    /// First SMS sent after the occurrence start.
    Late,
    /// No SMS within the window.
    Missed,
}

impl Delivery {
    /// How an expected reminder of an occurrence starting at `start` fared,
    /// given when its first SMS was sent.
    pub fn of(start: SimTime, first_sent: Option<SimTime>) -> Delivery {
        match first_sent {
            Some(t) if t <= start => Delivery::OnTime,
            Some(_) => Delivery::Late,
            None => Delivery::Missed,
        }
    }
}

impl Outcome {
    /// How expected reminder `index` fared; `None` for a reminder the user
    /// did not expect.
    pub fn delivery(&self, plan: &Plan, index: u32) -> Option<Delivery> {
        let r = plan.reminder(index);
        r.expected.then(|| Delivery::of(r.start, self.first_sent[index as usize]))
    }
}

/// A dropout episode of one mailbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dropout {
    /// Whose.
    pub mailbox: MailboxId,
    /// When it began.
    pub start: SimTime,
    /// When it ended (the window end if still open).
    pub end: SimTime,
    /// Missed expected reminders whose reminder time lies in `[start, end)`.
    pub reminders_missed: u32,
}

/// Everything measured in one run.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Section 8.
    pub metrics: Metrics,
    /// Every dropout, by mailbox then start.
    pub dropouts: Vec<Dropout>,
    /// Totals per database, in file order.
    pub databases: Vec<DatabaseTotals>,
    /// When each reminder was first sent, by global index.
    pub first_sent: Vec<Option<SimTime>>,
    /// Events the run handled, as counted against `--max-events`.
    pub events_handled: u64,
}

struct Tracked {
    intent: bool,
    state: AssistantState,
    open: Option<SimTime>,
}

/// Observer that computes an [`Outcome`].
pub struct MetricsObserver<'w> {
    plan: &'w Plan,
    outcome: Outcome,
    sent: Vec<u32>,
    mailboxes: Vec<Tracked>,
    finished: bool,
}

impl<'w> MetricsObserver<'w> {
    /// A fresh observer for a run of `world` with `plan`.
    pub fn new(world: &World, plan: &'w Plan) -> Self {
        let n = plan.reminders().len();
        MetricsObserver {
            plan,
            outcome: Outcome {
                first_sent: vec![None; n],
                databases: vec![DatabaseTotals::default(); world.databases.len()],
                ..Outcome::default()
            },
            sent: vec![0; n],
            mailboxes: world
                .mailboxes
                .iter()
                .map(|_| Tracked { intent: false, state: AssistantState::Off, open: None })
                .collect(),
            finished: false,
        }
    }

    /// The outcome; complete once the run's [`Record::End`] was seen.
    pub fn into_outcome(self) -> Outcome {
        assert!(self.finished, "the run did not reach its end");
        self.outcome
    }

    fn update_episode(&mut self, m: MailboxId, at: SimTime) {
        let t = &mut self.mailboxes[m.index()];
        let out = t.intent && t.state != AssistantState::Active;
        match (out, t.open) {
            (true, None) => t.open = Some(at),
            (false, Some(start)) => {
                t.open = None;
                self.close(m, start, at);
            }
            _ => {}
        }
    }

    fn close(&mut self, mailbox: MailboxId, start: SimTime, end: SimTime) {
        if end > start {
            self.outcome.dropouts.push(Dropout { mailbox, start, end, reminders_missed: 0 });
        }
    }

    fn finish(&mut self, end: SimTime) {
        for i in 0..self.mailboxes.len() {
            if let Some(start) = self.mailboxes[i].open.take() {
                self.close(MailboxId(i as u32), start, end);
            }
        }
        let plan = self.plan;
        let o = &mut self.outcome;
        let m = &mut o.metrics;
        for (i, r) in plan.reminders().iter().enumerate() {
            if !r.expected {
                continue;
            }
            m.reminders_expected += 1;
            match Delivery::of(r.start, o.first_sent[i]) {
                Delivery::OnTime => m.reminders_on_time += 1,
                Delivery::Late => m.reminders_late += 1,
                Delivery::Missed => m.reminders_missed += 1,
            }
        }
        m.delivery_ratio = if m.reminders_expected == 0 {
            1.0
        } else {
            m.reminders_on_time as f64 / m.reminders_expected as f64
        };
        o.dropouts.sort_by_key(|d| (d.mailbox, d.start));
        let mut total_ms = 0i64;
        let mut longest_ms = 0i64;
        for d in &mut o.dropouts {
            let len = (d.end - d.start).as_millis();
            total_ms += len;
            longest_ms = longest_ms.max(len);
            // A mailbox's reminders are sorted by time: only those inside
            // the dropout are looked at, so the whole loop costs about one
            // pass over the reminders, however many dropouts there are.
            let range = plan.reminder_range(d.mailbox);
            let range = range.start as usize..range.end as usize;
            let reminders = &plan.reminders()[range.clone()];
            let from = reminders.partition_point(|r| r.at < d.start);
            let to = reminders.partition_point(|r| r.at < d.end);
            d.reminders_missed = reminders[from..to]
                .iter()
                .zip(&o.first_sent[range][from..to])
                .filter(|(r, sent)| r.expected && sent.is_none())
                .count() as u32;
        }
        m.dropouts = o.dropouts.len() as u64;
        m.dropout_hours = total_ms as f64 / 3_600_000.0;
        m.longest_dropout_hours = longest_ms as f64 / 3_600_000.0;
        m.move_started_events += plan.quiet_move_started();
        m.events_processed = o.databases.iter().map(|d| d.processed).sum();
        m.max_backlog = o.databases.iter().map(|d| d.max_backlog).max().unwrap_or(0);
        self.finished = true;
    }
}

impl Observer for MetricsObserver<'_> {
    fn record(&mut self, record: &Record<'_>) {
        match *record {
            Record::User { at, mailbox, action } => {
                match action {
                    UserAction::Enable => self.mailboxes[mailbox.index()].intent = true,
                    UserAction::Disable => self.mailboxes[mailbox.index()].intent = false,
                    UserAction::Reconfigure => self.outcome.metrics.user_reconfigurations += 1,
                }
                self.update_episode(mailbox, at);
            }
            Record::StateChanged { at, mailbox, state } => {
                self.mailboxes[mailbox.index()].state = state;
                self.update_episode(mailbox, at);
            }
            Record::SmsSent { at, reminder, .. } => {
                let i = reminder as usize;
                self.outcome.metrics.sms_sent += 1;
                self.sent[i] += 1;
                if self.sent[i] > 1 {
                    self.outcome.metrics.duplicate_sms += 1;
                }
                self.outcome.first_sent[i].get_or_insert(at);
            }
            Record::EventCreated(event) => {
                if matches!(event.kind, EventKind::MoveStarted(_)) {
                    self.outcome.metrics.move_started_events += 1;
                }
            }
            Record::DatabaseTotals { db, totals } => self.outcome.databases[db.index()] = totals,
            Record::End { at, events } => {
                self.outcome.events_handled = events;
                self.finish(at);
            }
            _ => {}
        }
    }
}
