//! Ground truth derived once per world and shared by every policy: the
//! reminders of each mailbox and which of them the user expects.

use super::calendar::{Reminder, occurrences_with_reminder_in};
use super::world::{MailboxId, World};
use std::ops::Range;

/// Reminders of every mailbox, in one index space.
///
/// Reminder indices (`u32`) are global: mailbox `m` owns
/// `reminder_range(m)`, sorted by (reminder time, item, occurrence), which
/// is the order the assistant schedules its timers in.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    reminders: Vec<Reminder>,
    ranges: Vec<Range<u32>>,
    observations: Vec<u32>,
    observation_ranges: Vec<Range<u32>>,
}

/// The plan would need more reminders than a `u32` can index.
#[derive(Debug, thiserror::Error)]
#[error("the scenario has more than {max} reminders inside its window", max = u32::MAX)]
pub struct PlanTooLarge;

impl Plan {
    /// Derives the plan: every occurrence with a reminder in the window (of
    /// users who ever want SMS),
    /// whether it is expected (the user's intent is on at its reminder time),
    /// and the order in which the user looks at expected reminders
    /// (occurrence start, then item, then occurrence; only those starting
    /// before the window end).
    pub fn build(world: &World) -> Result<Plan, PlanTooLarge> {
        let mut plan = Plan::default();
        for mailbox in &world.mailboxes {
            let first = plan.reminders.len();
            // Without an SMS intent nothing ever enables the assistant for
            // the mailbox, so its reminders can neither be expected nor sent.
            let items = if mailbox.sms.is_some() { mailbox.calendar.as_slice() } else { &[] };
            for (i, item) in items.iter().enumerate() {
                for (k, start) in occurrences_with_reminder_in(item, world.start, world.end) {
                    let at = start - item.reminder.unwrap_or_default();
                    plan.reminders.push(Reminder {
                        at,
                        start,
                        end: start.saturating_add(item.duration),
                        item: i as u32,
                        occurrence: k,
                        expected: mailbox.sms.is_some_and(|s| s.is_on(at)),
                    });
                }
            }
            let end = plan.reminders.len();
            if end > u32::MAX as usize {
                return Err(PlanTooLarge);
            }
            let mine = &mut plan.reminders[first..end];
            mine.sort_by_key(|r| (r.at, r.item, r.occurrence));
            plan.ranges.push(first as u32..end as u32);

            let obs_first = plan.observations.len();
            let mut observed: Vec<u32> = (first as u32..end as u32)
                .filter(|&g| {
                    let r = &plan.reminders[g as usize];
                    r.expected && r.start < world.end
                })
                .collect();
            observed.sort_by_key(|&g| {
                let r = &plan.reminders[g as usize];
                (r.start, r.item, r.occurrence)
            });
            plan.observations.extend(observed);
            plan.observation_ranges.push(obs_first as u32..plan.observations.len() as u32);
        }
        Ok(plan)
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
    pub fn first_reminder_where(
        &self,
        m: MailboxId,
        pred: impl Fn(crate::time::SimTime) -> bool,
    ) -> u32 {
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
