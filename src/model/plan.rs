//! Ground truth derived once per world and shared by every policy: the
//! reminders of each mailbox, which of them the user expects, and the
//! transitions of each move request.

use super::calendar::{Reminder, occurrences_with_reminder_in};
use super::database::QuietEvent;
use super::move_request::{MoveStep, MoveTimeline, move_stream};
use super::world::{DbId, Mailbox, MailboxId, World};
use crate::time::SimTime;
use rayon::prelude::*;
use std::ops::Range;

/// Ground truth of a world: reminders and move schedules, in one index
/// space each.
///
/// Reminder indices (`u32`) are global: mailbox `m` owns
/// `reminder_range(m)`, sorted by (reminder time, item, occurrence), which
/// is the order the assistant schedules its timers in. A mailbox's move
/// transitions are `move_steps(m)`, in time order: they do not depend on
/// the policy, so they are drawn once (from each move's own stream) and
/// every policy's run reads the same contiguous list.
///
/// A **quiet** mailbox is one that never wants SMS (so the assistant never
/// acts for it) and whose records no observer of the run needs (the caller
/// says which: see [`Plan::build_quiet`]). Its move events still take
/// counters and dispatcher time, so they are kept per database, in order
/// ([`Plan::quiet_events`]), and issued by the database like background
/// traffic instead of going through the event queue: the same numbers, at
/// a fraction of the cost, for the bulk of a migration wave.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    reminders: Vec<Reminder>,
    ranges: Vec<Range<u32>>,
    observations: Vec<u32>,
    observation_ranges: Vec<Range<u32>>,
    steps: Vec<(SimTime, MoveStep)>,
    step_ranges: Vec<Range<usize>>,
    quiet: Vec<Vec<QuietEvent>>,
    quiet_move_started: u64,
    quiet_trailing_steps: u64,
}

/// The plan would need more reminders than a `u32` can index.
#[derive(Debug, thiserror::Error)]
#[error("the scenario has more than {max} reminders inside its window", max = u32::MAX)]
pub struct PlanTooLarge;

/// Which mailboxes' records no observer needs (see [`Plan`]).
pub type Quiet<'a> = dyn Fn(MailboxId) -> bool + Sync + 'a;

/// Mailboxes planned together by one task: large enough that a task's
/// vectors are few, small enough to spread a population over the threads.
const CHUNK: usize = 1_024;

/// The plan of a run of consecutive mailboxes, with indices local to it.
#[derive(Default)]
struct Part {
    reminders: Vec<Reminder>,
    ends: Vec<u32>,
    observations: Vec<u32>,
    observation_ends: Vec<u32>,
    steps: Vec<(SimTime, MoveStep)>,
    step_ends: Vec<usize>,
    quiet: Vec<(DbId, QuietEvent)>,
    quiet_move_started: u64,
    quiet_trailing_steps: u64,
}

impl Part {
    fn build(world: &World, first: usize, mailboxes: &[Mailbox], quiet: &Quiet<'_>) -> Part {
        let mut part = Part::default();
        for (i, mailbox) in mailboxes.iter().enumerate() {
            let m = MailboxId((first + i) as u32);
            part.add_reminders(world, mailbox);
            if let Some(request) = &mailbox.move_request {
                let steps =
                    MoveTimeline::new(request, move_stream(world.seed, &mailbox.name), world.end);
                if mailbox.sms.is_none() && quiet(m) {
                    part.add_quiet(m, mailbox.database, request.target, steps);
                } else {
                    part.steps.extend(steps);
                }
            }
            part.step_ends.push(part.steps.len());
        }
        part
    }

    /// The database events of a quiet mailbox's move, on the database
    /// where the mailbox lives at each step (MODEL.md section 3).
    fn add_quiet(
        &mut self,
        m: MailboxId,
        source: DbId,
        target: DbId,
        steps: impl Iterator<Item = (SimTime, MoveStep)>,
    ) {
        // What the queue would have charged the event cap: each step, and
        // each event's processing (charged by the database when the event
        // takes effect within the window). A step is charged with the next
        // event the mailbox fires; steps after its last event at the end.
        let mut steps_due = 0u32;
        let mut push = |db: DbId, at: SimTime, steps_due: &mut u32| {
            self.quiet.push((db, QuietEvent { at, owner: m.0, steps: *steps_due }));
            *steps_due = 0;
        };
        for (at, step) in steps {
            steps_due += 1;
            match step {
                MoveStep::SyncStarted { .. } | MoveStep::FinalizationStarted => {
                    push(source, at, &mut steps_due);
                    self.quiet_move_started += 1;
                }
                MoveStep::SyncEnded { .. } => {}
                MoveStep::Completed => {
                    push(source, at, &mut steps_due);
                    push(target, at, &mut steps_due);
                }
                MoveStep::Failed => push(source, at, &mut steps_due),
            }
        }
        self.quiet_trailing_steps += u64::from(steps_due);
    }

    fn add_reminders(&mut self, world: &World, mailbox: &Mailbox) {
        let first = self.reminders.len();
        // Without an SMS intent nothing ever enables the assistant for the
        // mailbox, so its reminders can neither be expected nor sent.
        let items = if mailbox.sms.is_some() { mailbox.calendar.as_slice() } else { &[] };
        for (i, item) in items.iter().enumerate() {
            for (k, start) in occurrences_with_reminder_in(item, world.start, world.end) {
                let at = start - item.reminder.unwrap_or_default();
                self.reminders.push(Reminder {
                    at,
                    start,
                    end: start.saturating_add(item.duration),
                    item: i as u32,
                    occurrence: k,
                    expected: mailbox.sms.as_ref().is_some_and(|s| s.is_on(at)),
                });
            }
        }
        let mine = &mut self.reminders[first..];
        mine.sort_by_key(|r| (r.at, r.item, r.occurrence));
        let mut observed: Vec<u32> = (0..mine.len() as u32)
            .filter(|&j| {
                let r = &mine[j as usize];
                r.expected && r.start < world.end
            })
            .collect();
        observed.sort_by_key(|&j| {
            let r = &mine[j as usize];
            (r.start, r.item, r.occurrence)
        });
        // Local to the part for now; made global when the parts are joined.
        self.observations.extend(observed.into_iter().map(|j| first as u32 + j));
        self.ends.push(self.reminders.len() as u32);
        self.observation_ends.push(self.observations.len() as u32);
    }
}

impl Plan {
    /// Derives the plan: every occurrence with a reminder in the window (of
    /// users who ever want SMS),
    /// whether it is expected (the user's intent is on at its reminder time),
    /// the order in which the user looks at expected reminders
    /// (occurrence start, then item, then occurrence; only those starting
    /// before the window end), and every move's transitions inside the
    /// window. Mailboxes are planned in parallel; the plan does not depend
    /// on the number of threads.
    pub fn build(world: &World) -> Result<Plan, PlanTooLarge> {
        Plan::build_quiet(world, &|_| false)
    }

    /// [`Plan::build`], with the mailboxes for which `quiet` is true made
    /// quiet if they never want SMS (see [`Plan`]): their records are not
    /// needed, and their events are issued by their databases.
    pub fn build_quiet(world: &World, quiet: &Quiet<'_>) -> Result<Plan, PlanTooLarge> {
        let parts: Vec<Part> = world
            .mailboxes
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| Part::build(world, c * CHUNK, chunk, quiet))
            .collect();
        let total: usize = parts.iter().map(|p| p.reminders.len()).sum();
        if total > u32::MAX as usize {
            return Err(PlanTooLarge);
        }
        let n = world.mailboxes.len();
        let mut plan = Plan {
            reminders: Vec::with_capacity(total),
            ranges: Vec::with_capacity(n),
            observations: Vec::with_capacity(parts.iter().map(|p| p.observations.len()).sum()),
            observation_ranges: Vec::with_capacity(n),
            steps: Vec::with_capacity(parts.iter().map(|p| p.steps.len()).sum()),
            step_ranges: Vec::with_capacity(n),
            quiet: vec![Vec::new(); world.databases.len()],
            quiet_move_started: 0,
            quiet_trailing_steps: 0,
        };
        for part in parts {
            let (base, obs_base, step_base) =
                (plan.reminders.len() as u32, plan.observations.len() as u32, plan.steps.len());
            push_ranges(&mut plan.ranges, base, &part.ends);
            push_ranges(&mut plan.observation_ranges, obs_base, &part.observation_ends);
            push_ranges(&mut plan.step_ranges, step_base, &part.step_ends);
            plan.reminders.extend(part.reminders);
            plan.observations.extend(part.observations.into_iter().map(|j| base + j));
            plan.steps.extend(part.steps);
            for (db, event) in part.quiet {
                plan.quiet[db.index()].push(event);
            }
            plan.quiet_move_started += part.quiet_move_started;
            plan.quiet_trailing_steps += part.quiet_trailing_steps;
        }
        // Stable: one mailbox's events at one instant keep their order.
        plan.quiet.par_iter_mut().for_each(|events| events.sort_by_key(|e| (e.at, e.owner)));
        Ok(plan)
    }

    /// The quiet mailboxes' events on database `db`, by time, then mailbox.
    pub fn quiet_events(&self, db: DbId) -> &[QuietEvent] {
        &self.quiet[db.index()]
    }

    /// Move steps of quiet mailboxes after their last event (sync ends),
    /// which the event cap counts at the end of a run.
    pub fn quiet_trailing_steps(&self) -> u64 {
        self.quiet_trailing_steps
    }

    /// `MailboxMoveStarted` events of quiet mailboxes inside the window.
    pub fn quiet_move_started(&self) -> u64 {
        self.quiet_move_started
    }

    /// The transitions of mailbox `m`'s move inside the window, in time
    /// order (empty without a move).
    pub fn move_steps(&self, m: MailboxId) -> &[(SimTime, MoveStep)] {
        &self.steps[self.step_ranges[m.index()].clone()]
    }

    /// Every reminder, by global index.
    pub fn reminders(&self) -> &[Reminder] {
        &self.reminders
    }

    /// One reminder by global index.
    pub fn reminder(&self, index: u32) -> &Reminder {
        &self.reminders[index as usize]
    }

    /// The global indices of mailbox `m`'s reminders.
    pub fn reminder_range(&self, m: MailboxId) -> Range<u32> {
        self.ranges[m.index()].clone()
    }

    /// The first reminder of mailbox `m` whose time satisfies `after`
    /// (`|t| t >= now`, say), or the end of its range. Reminders are sorted
    /// by time, so this is a binary search.
    pub fn first_reminder_where(&self, m: MailboxId, pred: impl Fn(SimTime) -> bool) -> u32 {
        let range = self.reminder_range(m);
        let slice = &self.reminders[range.start as usize..range.end as usize];
        range.start + slice.partition_point(|r| !pred(r.at)) as u32
    }

    /// Expected reminders of mailbox `m` that the user looks at, in the
    /// order the user looks at them.
    pub fn observations(&self, m: MailboxId) -> &[u32] {
        let r = &self.observation_ranges[m.index()];
        &self.observations[r.start as usize..r.end as usize]
    }
}

/// Appends to `ranges` the consecutive ranges a part's `ends` (counted
/// from the part's first item) cut, placed at `base` in the joined list.
fn push_ranges<T: Copy + std::ops::Add<Output = T>>(
    ranges: &mut Vec<Range<T>>,
    base: T,
    ends: &[T],
) {
    let mut from = base;
    for &end in ends {
        ranges.push(from..base + end);
        from = base + end;
    }
}
