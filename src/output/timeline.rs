//! What the chart, trace.json and report.html show, collected from the
//! record stream of each policy's run.
//!
//! Two levels of detail, both always collected:
//! - **lanes**: every interval and mark of a few mailboxes (all of them up
//!   to [`DETAILED_MAILBOXES`], otherwise the first users who want SMS);
//! - **aggregates** over the whole population on a [`Grid`]: mailboxes
//!   active and paused, cumulative missed reminders, backlog per database.
//!
//! Memory: the followed mailboxes' own events (at most 100 mailboxes), one
//! state per mailbox and the buckets; never the background traffic or the
//! events of the mailboxes not followed.

use crate::model::database::BacklogSeries;
use crate::model::events::{DbEvent, EventKind, MovePhase};
use crate::model::metrics::Delivery;
use crate::model::move_request::MoveStep;
use crate::model::record::{AssistantState, Decision, Observer, Record, UserAction};
use crate::model::world::{DbId, MailboxId};
use crate::model::{Outcome, Plan, World};
use crate::time::{Grid, SimTime};

/// The most mailboxes followed in detail (lanes of trace.json).
pub const DETAILED_MAILBOXES: usize = 100;

/// The assistant's state without its pause instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Not processing the mailbox.
    Off,
    /// Timers set, SMS sent.
    Active,
    /// Stopped by `MailboxMoveStarted`.
    Paused,
}

impl State {
    fn of(state: AssistantState) -> State {
        match state {
            AssistantState::Off => State::Off,
            AssistantState::Active => State::Active,
            AssistantState::Paused { .. } => State::Paused,
        }
    }

    /// `off`, `active` or `paused`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Off => "off",
            State::Active => "active",
            State::Paused => "paused",
        }
    }
}

/// A state held over `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateSpan {
    /// From.
    pub start: SimTime,
    /// Until (exclusive).
    pub end: SimTime,
    /// Which state.
    pub state: State,
}

/// What a move window is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncKind {
    /// Sync 0.
    Initial,
    /// A later sync.
    Incremental,
    /// Finalization: the mailbox is locked.
    Finalization,
}

impl SyncKind {
    /// A short label.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncKind::Initial => "initial sync",
            SyncKind::Incremental => "incremental sync",
            SyncKind::Finalization => "finalization (locked)",
        }
    }
}

/// A sync or finalization window, cut at the window end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncSpan {
    /// Start.
    pub start: SimTime,
    /// End (exclusive).
    pub end: SimTime,
    /// Which.
    pub kind: SyncKind,
    /// Sync number k (finalization: the number of syncs before it).
    pub number: u32,
}

/// What the assistant made of a move event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveReaction {
    /// Not (yet) processed within the window, or no effect (mailbox not active).
    None,
    /// `StopAll`: the mailbox was paused.
    StopAll,
    /// Ignored by the policy.
    Ignored,
    /// A paused mailbox was resumed.
    Resume,
}

/// A move event of a followed mailbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoveMark {
    /// Create time.
    pub created: SimTime,
    /// When the assistant processed it, if within the window.
    pub handled: Option<SimTime>,
    /// Its database.
    pub db: DbId,
    /// Its counter.
    pub counter: u64,
    /// What it was.
    pub kind: EventKind,
    /// What the assistant did.
    pub reaction: MoveReaction,
}

/// An SMS sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmsMark {
    /// When.
    pub at: SimTime,
    /// Which reminder (global index).
    pub reminder: u32,
    /// Sent by catch-up on a resume.
    pub catch_up: bool,
}

/// An expected reminder and how it fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReminderMark {
    /// Which reminder (global index).
    pub reminder: u32,
    /// Reminder time.
    pub at: SimTime,
    /// Occurrence start.
    pub start: SimTime,
    /// On time, late or missed.
    pub delivery: Delivery,
}

/// Everything about one followed mailbox under one policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// Whose.
    pub mailbox: MailboxId,
    /// The assistant's state, contiguous from the window start to its end.
    pub states: Vec<StateSpan>,
    /// Syncs and finalization.
    pub syncs: Vec<SyncSpan>,
    /// Move events (started, succeeded, failed).
    pub moves: Vec<MoveMark>,
    /// User actions.
    pub user: Vec<(SimTime, UserAction)>,
    /// SMS sent.
    pub sms: Vec<SmsMark>,
    /// Expected reminders, by reminder time.
    pub reminders: Vec<ReminderMark>,
}

/// The timeline of one policy's run.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyTimeline {
    /// The policy's name.
    pub policy: String,
    /// One lane per followed mailbox, in [`Timeline::followed`] order.
    pub lanes: Vec<Lane>,
    /// Mean number of mailboxes active in each bucket.
    pub active: Vec<f64>,
    /// Mean number of mailboxes paused in each bucket.
    pub paused: Vec<f64>,
    /// Missed reminders with reminder time before each bucket's end.
    pub missed: Vec<u64>,
    /// Backlog per database, in file order.
    pub backlog: Vec<BacklogSeries>,
}

/// The timelines of every policy of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// The buckets of the aggregate series.
    pub grid: Grid,
    /// The mailboxes followed in detail, in file order.
    pub followed: Vec<MailboxId>,
    /// Expected reminders with reminder time before each bucket's end.
    pub expected: Vec<u64>,
    /// One per policy, in run order.
    pub policies: Vec<PolicyTimeline>,
}

impl Timeline {
    /// An empty timeline for `world`: chooses the followed mailboxes and
    /// counts the expected reminders per bucket.
    pub fn new(world: &World, plan: &Plan) -> Timeline {
        let grid = Grid::for_window(world.start, world.end);
        let followed = followed(world);
        let expected =
            cumulative(&grid, plan.reminders().iter().filter(|r| r.expected).map(|r| r.at));
        Timeline { grid, followed, expected, policies: Vec::new() }
    }
}

/// The mailboxes a timeline of `world` follows in detail, in file order:
/// all of them up to [`DETAILED_MAILBOXES`], else the first users who want
/// SMS.
pub fn followed(world: &World) -> Vec<MailboxId> {
    let all = (0..world.mailboxes.len() as u32).map(MailboxId);
    if world.mailboxes.len() <= DETAILED_MAILBOXES {
        all.collect()
    } else {
        all.filter(|m| world.mailboxes[m.index()].sms.is_some()).take(DETAILED_MAILBOXES).collect()
    }
}

/// Counts of `times` per bucket of `grid`, accumulated.
fn cumulative(grid: &Grid, times: impl Iterator<Item = SimTime>) -> Vec<u64> {
    let mut counts = vec![0u64; grid.len()];
    for t in times {
        counts[grid.bucket(t)] += 1;
    }
    let mut total = 0;
    for c in &mut counts {
        total += *c;
        *c = total;
    }
    counts
}

/// Time-weighted mean of a count that changes at instants, per bucket.
struct Level {
    grid: Grid,
    count: i64,
    since: SimTime,
    /// Sum of count x milliseconds per bucket.
    area: Vec<i128>,
}

impl Level {
    fn new(grid: Grid) -> Level {
        Level { grid, count: 0, since: grid.start(), area: vec![0; grid.len()] }
    }

    /// Adds `delta` to the count from `at` on.
    fn change(&mut self, at: SimTime, delta: i64) {
        self.advance(at);
        self.count += delta;
    }

    fn advance(&mut self, to: SimTime) {
        let to = to.min(self.grid.end());
        while self.since < to {
            let b = self.grid.bucket(self.since);
            let bucket_end = self.grid.bucket_start(b + 1).min(to);
            let ms = (bucket_end - self.since).as_millis();
            self.area[b] += i128::from(self.count) * i128::from(ms);
            self.since = bucket_end;
        }
    }

    fn means(mut self) -> Vec<f64> {
        self.advance(self.grid.end());
        (0..self.area.len())
            .map(|b| {
                let ms = (self.grid.bucket_start(b + 1) - self.grid.bucket_start(b)).as_millis();
                self.area[b] as f64 / ms.max(1) as f64
            })
            .collect()
    }
}

const NOT_FOLLOWED: u32 = u32::MAX;

/// Collects a [`PolicyTimeline`] from one run's records.
pub struct TimelineObserver<'t> {
    timeline: &'t Timeline,
    lane_of: Vec<u32>,
    lanes: Vec<Lane>,
    open_sync: Vec<Option<SyncSpan>>,
    /// Per lane, the marks whose event is not handled yet, oldest first.
    /// The dispatcher handles each database's events in counter order, so
    /// the one handled next is at the front but for a few on another
    /// database: finding it costs O(1), whatever the backlog.
    unhandled: Vec<std::collections::VecDeque<u32>>,
    /// Per lane, the mark of the event handled last (its decision follows).
    last_handled: Vec<Option<u32>>,
    states: Vec<State>,
    active: Level,
    paused: Level,
    backlog: Vec<BacklogSeries>,
    policy: String,
    ended: bool,
}

impl<'t> TimelineObserver<'t> {
    /// An observer for one run of `policy` in `world`.
    pub fn new(timeline: &'t Timeline, world: &World, policy: &str) -> Self {
        let mut lane_of = vec![NOT_FOLLOWED; world.mailboxes.len()];
        for (i, m) in timeline.followed.iter().enumerate() {
            lane_of[m.index()] = i as u32;
        }
        let lane = |&mailbox: &MailboxId| Lane {
            mailbox,
            states: vec![StateSpan { start: world.start, end: world.end, state: State::Off }],
            syncs: Vec::new(),
            moves: Vec::new(),
            user: Vec::new(),
            sms: Vec::new(),
            reminders: Vec::new(),
        };
        TimelineObserver {
            timeline,
            lane_of,
            lanes: timeline.followed.iter().map(lane).collect(),
            open_sync: vec![None; timeline.followed.len()],
            unhandled: vec![std::collections::VecDeque::new(); timeline.followed.len()],
            last_handled: vec![None; timeline.followed.len()],
            states: vec![State::Off; world.mailboxes.len()],
            active: Level::new(timeline.grid),
            paused: Level::new(timeline.grid),
            backlog: Vec::with_capacity(world.databases.len()),
            policy: policy.to_string(),
            ended: false,
        }
    }

    fn lane(&mut self, m: MailboxId) -> Option<(usize, &mut Lane)> {
        let i = self.lane_of[m.index()];
        (i != NOT_FOLLOWED).then(|| (i as usize, &mut self.lanes[i as usize]))
    }

    fn set_state(&mut self, at: SimTime, m: MailboxId, new: State) {
        let old = std::mem::replace(&mut self.states[m.index()], new);
        let delta = |s: State| i64::from(new == s) - i64::from(old == s);
        self.active.change(at, delta(State::Active));
        self.paused.change(at, delta(State::Paused));
        if let Some((_, lane)) = self.lane(m) {
            let last = lane.states.last_mut().expect("a lane starts with a span");
            if last.start == at {
                last.state = new;
            } else if last.state != new {
                let end = last.end;
                last.end = at;
                lane.states.push(StateSpan { start: at, end, state: new });
            }
            // Same-instant changes can leave two equal neighbours.
            if let [.., a, b] = lane.states.as_mut_slice()
                && a.state == b.state
            {
                a.end = b.end;
                lane.states.pop();
            }
        }
    }

    fn move_step(&mut self, at: SimTime, m: MailboxId, step: MoveStep) {
        let Some((i, _)) = self.lane(m) else { return };
        let opened = match step {
            MoveStep::SyncStarted { sync, phase: MovePhase::Initial } => {
                Some((SyncKind::Initial, sync))
            }
            MoveStep::SyncStarted { sync, .. } => Some((SyncKind::Incremental, sync)),
            MoveStep::FinalizationStarted => {
                Some((SyncKind::Finalization, self.lanes[i].syncs.len() as u32))
            }
            MoveStep::SyncEnded { .. } | MoveStep::Completed | MoveStep::Failed => None,
        };
        // Every transition ends the window before it.
        if let Some(mut span) = self.open_sync[i].take() {
            span.end = at;
            self.lanes[i].syncs.push(span);
        }
        self.open_sync[i] = opened.map(|(kind, number)| SyncSpan {
            start: at,
            end: self.timeline.grid.end(),
            kind,
            number,
        });
    }

    /// Marks the move event `event` of a followed mailbox handled at `at`.
    fn handled(&mut self, at: SimTime, event: &DbEvent) {
        let Some((i, _)) = self.lane(event.mailbox) else { return };
        let lanes = &mut self.lanes;
        let queue = &mut self.unhandled[i];
        let found = queue.iter().position(|&k| {
            let mark = &lanes[i].moves[k as usize];
            mark.db == event.db && mark.counter == event.counter
        });
        self.last_handled[i] = found.and_then(|p| queue.remove(p));
        if let Some(k) = self.last_handled[i] {
            lanes[i].moves[k as usize].handled = Some(at);
        }
    }

    /// The mark of the move event just handled, if it is `event`'s.
    fn decided(&mut self, event: &DbEvent) -> Option<&mut MoveMark> {
        let (i, _) = self.lane(event.mailbox)?;
        let mark = &mut self.lanes[i].moves[self.last_handled[i]? as usize];
        (mark.db == event.db && mark.counter == event.counter).then_some(mark)
    }

    /// The collected timeline, with each expected reminder of the followed
    /// mailboxes classified from the run's `outcome`.
    pub fn finish(mut self, plan: &Plan, outcome: &Outcome) -> PolicyTimeline {
        assert!(self.ended, "the run did not reach its end");
        for lane in &mut self.lanes {
            for g in plan.reminder_range(lane.mailbox) {
                if let Some(delivery) = outcome.delivery(plan, g) {
                    let r = plan.reminder(g);
                    lane.reminders.push(ReminderMark {
                        reminder: g,
                        at: r.at,
                        start: r.start,
                        delivery,
                    });
                }
            }
        }
        let grid = self.timeline.grid;
        let missed = cumulative(
            &grid,
            (0..plan.reminders().len() as u32)
                .filter(|&g| outcome.delivery(plan, g) == Some(Delivery::Missed))
                .map(|g| plan.reminder(g).at),
        );
        PolicyTimeline {
            policy: self.policy,
            lanes: self.lanes,
            active: self.active.means(),
            paused: self.paused.means(),
            missed,
            backlog: self.backlog,
        }
    }
}

impl Observer for TimelineObserver<'_> {
    fn record(&mut self, record: &Record<'_>) {
        match *record {
            Record::StateChanged { at, mailbox, state } => {
                self.set_state(at, mailbox, State::of(state));
            }
            Record::Move { at, mailbox, step } => self.move_step(at, mailbox, step),
            Record::EventCreated(event) => {
                let is_move = !matches!(event.kind, EventKind::TextMessaging { .. });
                if let Some((i, _)) = self.lane(event.mailbox)
                    && is_move
                {
                    let lane = &mut self.lanes[i];
                    self.unhandled[i].push_back(lane.moves.len() as u32);
                    lane.moves.push(MoveMark {
                        created: event.created,
                        handled: None,
                        db: event.db,
                        counter: event.counter,
                        kind: event.kind,
                        reaction: MoveReaction::None,
                    });
                }
            }
            Record::EventHandled { at, event }
                if !matches!(event.kind, EventKind::TextMessaging { .. }) =>
            {
                self.handled(at, event);
            }
            Record::Decision { event, decision, .. } => {
                let reaction = match decision {
                    Decision::StopAll { .. } => MoveReaction::StopAll,
                    Decision::Ignored { .. } => MoveReaction::Ignored,
                    Decision::Resume { .. } => MoveReaction::Resume,
                    Decision::Enable { .. } | Decision::Disable { .. } => return,
                };
                if let Some(mark) = self.decided(event) {
                    mark.reaction = reaction;
                }
            }
            Record::User { at, mailbox, action } => {
                if let Some((_, lane)) = self.lane(mailbox) {
                    lane.user.push((at, action));
                }
            }
            Record::SmsSent { at, mailbox, reminder, catch_up } => {
                if let Some((_, lane)) = self.lane(mailbox) {
                    lane.sms.push(SmsMark { at, reminder, catch_up });
                }
            }
            Record::Backlog { series, .. } => self.backlog.push(series.clone()),
            Record::End { .. } => {
                for i in 0..self.lanes.len() {
                    if let Some(span) = self.open_sync[i].take() {
                        self.lanes[i].syncs.push(span);
                    }
                }
                self.ended = true;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::HOUR_MS;

    fn grid() -> Grid {
        // One day: 5-minute buckets.
        Grid::for_window(SimTime::from_millis(0), SimTime::from_millis(24 * HOUR_MS))
    }

    #[test]
    fn levels_are_time_weighted_means_per_bucket() {
        let g = grid();
        let w = g.width_ms();
        let mut level = Level::new(g);
        level.change(SimTime::from_millis(w / 2), 1); // from the middle of bucket 0
        level.change(SimTime::from_millis(2 * w + w / 2), 1); // two from the middle of bucket 2
        level.change(SimTime::from_millis(3 * w), -2); // none from bucket 3
        let means = level.means();
        assert_eq!(means.len(), g.len());
        assert_eq!(&means[..5], &[0.5, 1.0, 1.5, 0.0, 0.0]);
    }

    #[test]
    fn cumulative_counts_include_their_bucket() {
        let g = grid();
        let w = g.width_ms();
        let times = [0, w - 1, w, 5 * w].map(SimTime::from_millis);
        let counts = cumulative(&g, times.into_iter());
        assert_eq!(&counts[..6], &[2, 3, 3, 3, 3, 4]);
        assert_eq!(*counts.last().unwrap(), 4);
    }
}
