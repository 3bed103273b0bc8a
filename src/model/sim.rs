//! One run: a world under one policy, from the window start to its end.
//!
//! The loop pops the earliest happening from the [`Queue`] and applies the
//! rules of MODEL.md; everything it learns goes to the [`Observer`].

use super::budget::EventBudget;
pub use super::budget::RunError;
use super::database::{Arrival, DatabaseRun};
use super::events::{DbEvent, EventKind, MovePhase};
use super::move_request::MoveStep;
use super::plan::Plan;
use super::policy::Policy;
use super::record::{AssistantState, Decision, Observer, Record, UserAction};
use super::world::{DbId, MailboxId, World};
use crate::engine::{Key, Queue, Tie};
use crate::time::SimTime;

/// Phase of move-request transitions (MODEL.md section 2, first).
pub const PHASE_MOVE: u8 = 1;
/// Phase of user actions.
pub const PHASE_USER: u8 = 2;
/// Phase of the assistant processing database events.
pub const PHASE_ASSISTANT: u8 = 3;
/// Phase of reminder timers.
pub const PHASE_TIMER: u8 = 4;
/// Phase of user observations.
pub const PHASE_OBSERVE: u8 = 5;

enum Action {
    /// The pending step of this mailbox's move.
    Move(MailboxId),
    /// A user action: enabling, disabling, or the reaction rule's
    /// reconfiguration.
    User(MailboxId, UserAction),
    /// The user's reconfiguration at `sms.reconfigure_at[index]`. Only
    /// the earliest not carried out sits in the queue: each queues the
    /// next under its planned key, which orders them exactly as if all
    /// had been queued at the start.
    Listed { mailbox: MailboxId, index: u32 },
    /// The assistant handles a database event.
    Process(DbEvent),
    /// A reminder timer; stale unless `epoch` matches the mailbox's timers.
    Timer { mailbox: MailboxId, epoch: u32, reminder: u32 },
    /// The user looks at the `position`-th expected reminder.
    Observe { mailbox: MailboxId, position: u32 },
}

/// The mailbox's reminder timers. They are always a suffix of its
/// reminders (sorted by time), so only the earliest sits in the queue; the
/// rest have reserved sequence numbers, which orders them exactly as if
/// every timer had been pushed when the suffix was scheduled.
#[derive(Default)]
struct Timers {
    epoch: u32,
    next: Option<u32>,
    seq_base: u64,
    base: u32,
}

/// A mailbox during a run. Small on purpose: a run touches the mailboxes
/// in no particular order, so the fewer cache lines each takes, the fewer
/// misses.
struct MailboxRun {
    db: DbId,
    state: AssistantState,
    timers: Timers,
    misses: u32,
    /// A reconfiguration of the reaction rule is queued. Listed ones
    /// (`sms.reconfigure_at`) neither set nor clear it.
    reconfiguration_pending: bool,
    /// Index, in the plan's [`Plan::move_steps`], of the move step queued.
    next_step: usize,
}

struct Sim<'w, O: Observer> {
    world: &'w World,
    plan: &'w Plan,
    policy: &'w Policy,
    queue: Queue<Action>,
    dbs: Vec<DatabaseRun<'w>>,
    boxes: Vec<MailboxRun>,
    delivered: Vec<bool>,
    budget: EventBudget,
    observer: O,
}

/// Runs `world` under `policy` and pushes every record to `observer`,
/// ending with one [`Record::Backlog`] and [`Record::DatabaseTotals`] per
/// database and
/// [`Record::End`].
pub fn run<O: Observer>(
    world: &World,
    plan: &Plan,
    policy: &Policy,
    observer: O,
) -> Result<O, RunError> {
    let mut sim = Sim {
        world,
        plan,
        policy,
        queue: Queue::new(),
        dbs: world
            .databases
            .iter()
            .enumerate()
            .map(|(i, db)| {
                let quiet = plan.quiet_events(DbId(i as u32));
                DatabaseRun::new(db, world.seed, world.start, world.end, quiet)
            })
            .collect(),
        boxes: Vec::with_capacity(world.mailboxes.len()),
        delivered: vec![false; plan.reminders().len()],
        budget: EventBudget::new(super::budget::share_of(world.max_events, world.policies.len())),
        observer,
    };
    let named = |e: RunError| match e {
        RunError::EventCap(mut cap) => {
            cap.scenario = world.name.clone();
            cap.policy = policy.name.clone();
            cap.estimate = world.estimate.events;
            RunError::EventCap(cap)
        }
        other => other,
    };
    sim.plan_everything_known();
    while let Some((key, action)) = sim.queue.pop() {
        sim.budget.spend(key.time).map_err(|e| named(e.into()))?;
        sim.apply(key.time, action).map_err(named)?;
    }
    // Quiet mailboxes' sync ends after their last event, as the queue
    // would have counted them.
    sim.budget.spend_many(world.end, plan.quiet_trailing_steps()).map_err(|e| named(e.into()))?;
    for (i, db) in sim.dbs.iter_mut().enumerate() {
        let totals = db.finish(&mut sim.budget).map_err(named)?;
        let db_id = DbId(i as u32);
        sim.observer.record(&Record::Backlog { db: db_id, series: db.backlog() });
        sim.observer.record(&Record::DatabaseTotals { db: db_id, totals });
    }
    sim.observer.record(&Record::End { at: world.end, events: sim.budget.used() });
    Ok(sim.observer)
}

impl<'w, O: Observer> Sim<'w, O> {
    /// Queues what is known before the run: move transitions, the user's
    /// own enable, disable and listed reconfigurations, and the
    /// observations of reacting users.
    fn plan_everything_known(&mut self) {
        let world = self.world;
        for (i, mailbox) in world.mailboxes.iter().enumerate() {
            let m = MailboxId(i as u32);
            self.boxes.push(MailboxRun {
                db: mailbox.database,
                state: AssistantState::Off,
                timers: Timers::default(),
                misses: 0,
                reconfiguration_pending: false,
                next_step: 0,
            });
            if let Some(&(at, _)) = self.plan.move_steps(m).first() {
                self.queue.push(planned(at, PHASE_MOVE, m, 0), Action::Move(m));
            }
            if let Some(sms) = &mailbox.sms {
                self.push(
                    planned(sms.enable_at, PHASE_USER, m, 0),
                    Action::User(m, UserAction::Enable),
                );
                if let Some(off) = sms.disable_at {
                    self.push(planned(off, PHASE_USER, m, 1), Action::User(m, UserAction::Disable));
                }
                self.queue_listed(m, 0);
            }
            // Only a user who reacts needs to look: observations change nothing else.
            if mailbox.reaction.is_some()
                && let Some(&first) = self.plan.observations(m).first()
            {
                let at = self.plan.reminder(first).start;
                let observe = Action::Observe { mailbox: m, position: 0 };
                self.push(planned(at, PHASE_OBSERVE, m, 0), observe);
            }
        }
    }

    /// Queues the mailbox's listed reconfiguration `index`, if there is
    /// one, under the planned tie `2 + index`: after the same instant's
    /// enable (0) and disable (1), in list order, and before any
    /// reconfiguration the reaction rule scheduled for that instant.
    fn queue_listed(&mut self, m: MailboxId, index: u32) {
        let listed = self.world.mailboxes[m.index()].sms.as_ref().map(|s| &s.reconfigure_at[..]);
        if let Some(&at) = listed.and_then(|l| l.get(index as usize)) {
            let key = planned(at, PHASE_USER, m, 2 + u64::from(index));
            self.push(key, Action::Listed { mailbox: m, index });
        }
    }

    /// Queues `action` unless it falls at or after the window end.
    fn push(&mut self, key: Key, action: Action) {
        if key.time < self.world.end {
            self.queue.push(key, action);
        }
    }

    fn scheduled(&mut self, time: SimTime, phase: u8) -> Key {
        Key { time, phase, tie: Tie::Scheduled(self.queue.next_seq()) }
    }

    fn apply(&mut self, now: SimTime, action: Action) -> Result<(), RunError> {
        match action {
            Action::Move(m) => self.move_step(m, now)?,
            Action::User(m, action) => self.user_action(m, now, action)?,
            Action::Listed { mailbox, index } => {
                self.queue_listed(mailbox, index + 1);
                self.carry_out(mailbox, now, UserAction::Reconfigure)?;
            }
            Action::Process(event) => self.process(now, &event),
            Action::Timer { mailbox, epoch, reminder } => self.timer(mailbox, now, epoch, reminder),
            Action::Observe { mailbox, position } => self.observe(mailbox, now, position),
        }
        Ok(())
    }

    // ---- phase 1: move requests -------------------------------------------

    fn move_step(&mut self, m: MailboxId, now: SimTime) -> Result<(), RunError> {
        let steps = self.plan.move_steps(m);
        let ordinal = self.boxes[m.index()].next_step;
        let (_, step) = steps[ordinal];
        self.observer.record(&Record::Move { at: now, mailbox: m, step });
        let source = self.boxes[m.index()].db;
        match step {
            MoveStep::SyncStarted { phase, .. } => {
                self.fire(
                    m,
                    source,
                    now,
                    EventKind::MoveStarted(phase),
                    Arrival::Move { owner: m.0 },
                )?;
            }
            MoveStep::SyncEnded { .. } => {}
            MoveStep::FinalizationStarted => {
                let kind = EventKind::MoveStarted(MovePhase::Finalize);
                self.fire(m, source, now, kind, Arrival::Move { owner: m.0 })?;
            }
            MoveStep::Completed => {
                let target = self.world.mailboxes[m.index()]
                    .move_request
                    .as_ref()
                    .expect("only a mailbox with a move request has move steps")
                    .target;
                let kind = EventKind::MoveSucceeded { destination: false };
                self.fire(m, source, now, kind, Arrival::Move { owner: m.0 })?;
                let kind = EventKind::MoveSucceeded { destination: true };
                self.fire(m, target, now, kind, Arrival::Move { owner: m.0 })?;
                self.boxes[m.index()].db = target;
            }
            MoveStep::Failed => {
                self.fire(m, source, now, EventKind::MoveFailed, Arrival::Move { owner: m.0 })?;
            }
        }
        if let Some(&(at, _)) = steps.get(ordinal + 1) {
            self.boxes[m.index()].next_step = ordinal + 1;
            self.queue.push(planned(at, PHASE_MOVE, m, ordinal as u64 + 1), Action::Move(m));
        }
        Ok(())
    }

    /// Fires a mailbox event on `db` and queues its processing.
    fn fire(
        &mut self,
        m: MailboxId,
        db: DbId,
        now: SimTime,
        kind: EventKind,
        arrival: Arrival,
    ) -> Result<(), RunError> {
        let issued = self.dbs[db.index()].issue(now, arrival, &mut self.budget)?;
        let event = DbEvent { counter: issued.counter, created: now, db, mailbox: m, kind };
        self.observer.record(&Record::EventCreated(&event));
        if issued.effect < self.world.end {
            let key = self.scheduled(issued.effect, PHASE_ASSISTANT);
            self.queue.push(key, Action::Process(event));
        }
        Ok(())
    }

    // ---- phase 2: user actions --------------------------------------------

    /// A queued user action; a reconfiguration here is the reaction
    /// rule's, which is pending no more once it comes due.
    fn user_action(
        &mut self,
        m: MailboxId,
        now: SimTime,
        action: UserAction,
    ) -> Result<(), RunError> {
        if action == UserAction::Reconfigure {
            self.boxes[m.index()].reconfiguration_pending = false;
        }
        self.carry_out(m, now, action)
    }

    /// The user carries out `action`; a reconfiguration, the reaction
    /// rule's or a listed one, is dropped when the user does not want SMS
    /// at `now`.
    fn carry_out(
        &mut self,
        m: MailboxId,
        now: SimTime,
        action: UserAction,
    ) -> Result<(), RunError> {
        let enabled = match action {
            UserAction::Enable => true,
            UserAction::Disable => false,
            UserAction::Reconfigure => {
                let wants =
                    self.world.mailboxes[m.index()].sms.as_ref().is_some_and(|s| s.is_on(now));
                if !wants {
                    self.observer.record(&Record::ReconfigurationDropped { at: now, mailbox: m });
                    return Ok(());
                }
                true
            }
        };
        self.observer.record(&Record::User { at: now, mailbox: m, action });
        let db = self.boxes[m.index()].db;
        self.fire(m, db, now, EventKind::TextMessaging { enabled }, Arrival::User)
    }

    // ---- phase 3: the assistant -------------------------------------------

    fn process(&mut self, now: SimTime, event: &DbEvent) {
        self.observer.record(&Record::EventHandled { at: now, event });
        let m = event.mailbox;
        let state = self.boxes[m.index()].state;
        let decision = match (event.kind, state) {
            (EventKind::TextMessaging { enabled: true }, _) => {
                let from = self.plan.first_reminder_where(m, |r| r >= now);
                let scheduled = self.schedule_timers(m, from);
                self.set_state(m, now, AssistantState::Active);
                Decision::Enable { scheduled }
            }
            (EventKind::TextMessaging { enabled: false }, _) => {
                let (dropped, _) = self.drop_timers(m);
                self.set_state(m, now, AssistantState::Off);
                Decision::Disable { dropped }
            }
            (EventKind::MoveStarted(phase), AssistantState::Active) => {
                if self.policy.pause_on_move_started.contains(phase) {
                    let (dropped, next) = self.drop_timers(m);
                    self.set_state(m, now, AssistantState::Paused { since: now });
                    Decision::StopAll { phase, dropped, next }
                } else {
                    Decision::Ignored { phase }
                }
            }
            (EventKind::MoveSucceeded { destination: true }, AssistantState::Paused { since })
                if self.policy.resume_on_move_succeeded =>
            {
                self.resume(m, now, since, event)
            }
            (EventKind::MoveFailed, AssistantState::Paused { since })
                if self.policy.resume_on_move_failed =>
            {
                self.resume(m, now, since, event)
            }
            _ => return,
        };
        // A resume reports its decision itself, before the catch-up sends.
        if !matches!(decision, Decision::Resume { .. }) {
            self.observer.record(&Record::Decision { at: now, mailbox: m, event, decision });
        }
    }

    fn resume(&mut self, m: MailboxId, now: SimTime, since: SimTime, event: &DbEvent) -> Decision {
        let (overdue, from) = if self.policy.catch_up {
            let first = self.plan.first_reminder_where(m, |r| r >= since);
            let from = self.plan.first_reminder_where(m, |r| r > now);
            (first..from, from)
        } else {
            (0..0, self.plan.first_reminder_where(m, |r| r >= now))
        };
        let scheduled = self.plan.reminder_range(m).end - from;
        let decision = Decision::Resume { sent: overdue.len() as u32, scheduled };
        self.observer.record(&Record::Decision { at: now, mailbox: m, event, decision });
        self.set_state(m, now, AssistantState::Active);
        for reminder in overdue {
            self.send(m, now, reminder, true);
        }
        self.schedule_timers(m, from);
        decision
    }

    fn set_state(&mut self, m: MailboxId, now: SimTime, state: AssistantState) {
        let run = &mut self.boxes[m.index()];
        if run.state != state {
            run.state = state;
            self.observer.record(&Record::StateChanged { at: now, mailbox: m, state });
        }
    }

    /// Drops every timer of the mailbox: returns how many and the earliest.
    fn drop_timers(&mut self, m: MailboxId) -> (u32, Option<u32>) {
        let end = self.plan.reminder_range(m).end;
        let timers = &mut self.boxes[m.index()].timers;
        timers.epoch = timers.epoch.wrapping_add(1);
        match timers.next.take() {
            Some(next) => (end - next, Some(next)),
            None => (0, None),
        }
    }

    /// Replaces the mailbox's timers by one for each of its reminders from
    /// `from` (a global index) on; returns how many.
    fn schedule_timers(&mut self, m: MailboxId, from: u32) -> u32 {
        self.drop_timers(m);
        let end = self.plan.reminder_range(m).end;
        let count = end - from;
        if count == 0 {
            return 0;
        }
        let seq_base = self.queue.reserve_seq(u64::from(count));
        let timers = &mut self.boxes[m.index()].timers;
        timers.next = Some(from);
        timers.seq_base = seq_base;
        timers.base = from;
        let epoch = timers.epoch;
        let key = Key {
            time: self.plan.reminder(from).at,
            phase: PHASE_TIMER,
            tie: Tie::Scheduled(seq_base),
        };
        self.queue.push(key, Action::Timer { mailbox: m, epoch, reminder: from });
        count
    }

    fn send(&mut self, m: MailboxId, now: SimTime, reminder: u32, catch_up: bool) {
        self.delivered[reminder as usize] = true;
        self.observer.record(&Record::SmsSent { at: now, mailbox: m, reminder, catch_up });
    }

    // ---- phase 4: reminder timers -----------------------------------------

    fn timer(&mut self, m: MailboxId, now: SimTime, epoch: u32, reminder: u32) {
        if self.boxes[m.index()].timers.epoch != epoch {
            return; // dropped
        }
        if self.boxes[m.index()].state == AssistantState::Active {
            self.send(m, now, reminder, false);
        }
        let end = self.plan.reminder_range(m).end;
        let next = reminder + 1;
        let timers = &mut self.boxes[m.index()].timers;
        if next >= end {
            timers.next = None;
            return;
        }
        timers.next = Some(next);
        let key = Key {
            time: self.plan.reminder(next).at,
            phase: PHASE_TIMER,
            tie: Tie::Scheduled(timers.seq_base + u64::from(next - timers.base)),
        };
        self.queue.push(key, Action::Timer { mailbox: m, epoch, reminder: next });
    }

    // ---- phase 5: user observations ---------------------------------------

    fn observe(&mut self, m: MailboxId, now: SimTime, position: u32) {
        let plan = self.plan;
        let observations = plan.observations(m);
        let reminder = observations[position as usize];
        let delivered = self.delivered[reminder as usize];
        let Some(reaction) = self.world.mailboxes[m.index()].reaction else {
            return;
        };
        let run = &mut self.boxes[m.index()];
        run.misses = if delivered { 0 } else { run.misses + 1 };
        let misses = run.misses;
        self.observer.record(&Record::Observed {
            at: now,
            mailbox: m,
            reminder,
            delivered,
            misses,
        });
        if misses >= reaction.after_missed && !run.reconfiguration_pending {
            run.reconfiguration_pending = true;
            run.misses = 0;
            let due = now.saturating_add(reaction.delay);
            self.observer.record(&Record::ReconfigurationScheduled { at: now, mailbox: m, due });
            let key = self.scheduled(due, PHASE_USER);
            self.push(key, Action::User(m, UserAction::Reconfigure));
        }
        if let Some(&next) = observations.get(position as usize + 1) {
            let key = planned(plan.reminder(next).start, PHASE_OBSERVE, m, u64::from(position) + 1);
            self.push(key, Action::Observe { mailbox: m, position: position + 1 });
        }
    }
}

fn planned(time: SimTime, phase: u8, owner: MailboxId, index: u64) -> Key {
    Key { time, phase, tie: Tie::Planned { owner: owner.0, index } }
}
