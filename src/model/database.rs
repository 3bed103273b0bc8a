//! A database during a run: its event counter, the assistant's dispatcher
//! (a FIFO server with an optional service time), background traffic and
//! the events of quiet mailboxes.
//!
//! Neither background traffic nor quiet mailboxes' events enter the event
//! queue. They can only matter through counters, dispatcher delay and the
//! backlog figures (background belongs to no mailbox; a quiet mailbox never
//! wants SMS, so the assistant does nothing for it, and no observer asks
//! for its records: see [`Plan`](super::Plan)); the database therefore issues them
//! lazily, in order, whenever another event needs a counter (and once at
//! the end of the run). Cost: O(1) per event, no allocation, no heap
//! traffic.

use super::budget::{EventBudget, RunError};
use super::world::{self, Arrivals, Database};
use crate::engine::rng;
use crate::time::{Grid, SimTime};
use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;

/// Counter and effect time of a newly issued event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Issued {
    /// The event's counter.
    pub counter: u64,
    /// When the assistant processes it: `f_i = max(create_i, f_{i-1}) + T`.
    pub effect: SimTime,
}

/// Where a new event falls among the same instant's background arrivals
/// and quiet events. Move transitions (phase 1) come before the background
/// arrivals of the same instant and among quiet move events by mailbox
/// order; user actions (phase 2) come after both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// A move transition of the mailbox with this index: after quiet move
    /// events of earlier mailboxes at the same instant, before background
    /// arrivals.
    Move {
        /// The mailbox's index (its [`MailboxId`](super::world::MailboxId)).
        owner: u32,
    },
    /// A user action: after every background arrival and quiet event at
    /// the same instant.
    User,
}

/// An event of a quiet mailbox: where it falls in its database's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietEvent {
    /// Create time.
    pub at: SimTime,
    /// The mailbox's index: same-instant move events go in mailbox order.
    pub owner: u32,
    /// Move steps this event stands for in the event cap (the step that
    /// fired it and the steps without an event before it), so a quiet
    /// mailbox costs the cap what a queued one would.
    pub steps: u32,
}

/// How far [`DatabaseRun::catch_up`] issues the events that are not queued.
#[derive(Clone, Copy, Debug)]
enum Upto {
    /// Everything before this arrival.
    Arrival(SimTime, Arrival),
    /// Everything before the window end.
    End,
}

/// Exchange event counters are 64-bit signed: the largest counter issued.
pub const MAX_COUNTER: u64 = i64::MAX as u64;

/// The event counter would pass [`MAX_COUNTER`].
#[derive(Debug, thiserror::Error)]
#[error(
    "the event counter of database `{0}` passed {MAX_COUNTER} (Exchange counters are 64-bit \
     signed); lower its counter_start"
)]
pub struct CounterOverflow(pub String);

/// Totals of one database at the end of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DatabaseTotals {
    /// Events fired within the window.
    pub issued: u64,
    /// Events the assistant processed within the window.
    pub processed: u64,
    /// Largest backlog seen by a processed event (MODEL.md section 7).
    pub max_backlog: u64,
    /// Counter of the last event fired, if any.
    pub last_counter: Option<u64>,
    /// Counter of the last event processed, if any (the watermark).
    pub watermark: Option<u64>,
}

impl DatabaseTotals {
    /// Events fired but not processed by the window end.
    pub fn backlog_at_end(&self) -> u64 {
        self.issued - self.processed
    }
}

/// Issued events whose effect times form an arithmetic sequence: the
/// unprocessed part of the dispatcher's current busy period (step `T`) or,
/// with unlimited throughput, the events of one instant (step 0).
#[derive(Clone, Copy, Debug)]
struct Segment {
    first_counter: u64,
    count: u64,
    first_effect: i64,
    step: i64,
}

impl Segment {
    /// The first event still unprocessed at `t` (effects at `t` count as
    /// processed) as (its counter, its effect), if any.
    fn front_at(&self, t: i64) -> Option<(u64, i64)> {
        let done = if self.first_effect > t {
            0
        } else if self.step == 0 {
            self.count
        } else {
            (((t - self.first_effect) / self.step) as u64 + 1).min(self.count)
        };
        (done < self.count)
            .then(|| (self.first_counter + done, self.first_effect + done as i64 * self.step))
    }
}

/// The backlog of one database over a run, per bucket of a [`Grid`]: the
/// largest backlog (MODEL.md section 7) that any event processed inside the
/// window sees, attributed to the bucket where the events ahead of it
/// stood in the queue. Its maximum over all buckets is
/// [`DatabaseTotals::max_backlog`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BacklogSeries {
    /// The buckets.
    pub grid: Grid,
    /// The peak backlog in each bucket of `grid`.
    pub peaks: Vec<u64>,
}

/// Background traffic being drawn. Offsets are milliseconds from the
/// window start; a rate holds from `from` until `until` (a weekday or a
/// weekend, or the whole window when the two rates are equal).
enum Background {
    None,
    Uniform(Box<UniformArrivals>),
    Poisson(Box<PoissonArrivals>),
}

/// Evenly spaced arrivals at one rate, from `from` (an offset) until
/// `until`: arrival k at `from + floor(k * 3600000 / rate)`.
struct UniformArrivals {
    rates: world::Background,
    rate: f64,
    from: i64,
    until: i64,
    k: u64,
    /// For a whole rate, `floor(k * 3600000 / rate)` kept as quotient and
    /// remainder and stepped by `3600000 / rate` and `3600000 % rate`: the
    /// exact value, without a division per arrival.
    whole: Option<Stepped>,
}

#[derive(Clone, Copy)]
struct Stepped {
    rate: u64,
    step: u64,
    step_rest: u64,
    quotient: u64,
    rest: u64,
}

impl UniformArrivals {
    fn new(rates: world::Background, rate: f64, from: i64, until: i64) -> Self {
        // Rates are at most 10^8 an hour, so a whole one fits a u64.
        let whole = (rate > 0.0 && rate.fract() == 0.0).then(|| {
            let rate = rate as u64;
            Stepped {
                rate,
                step: 3_600_000 / rate,
                step_rest: 3_600_000 % rate,
                quotient: 0,
                rest: 0,
            }
        });
        UniformArrivals { rates, rate, from, until, k: 0, whole }
    }

    /// The next arrival's gap from `from`, or `None` at a zero rate.
    fn next_gap(&mut self, window: i64) -> Option<i64> {
        if self.rate <= 0.0 {
            return None;
        }
        self.k += 1;
        Some(match &mut self.whole {
            Some(s) => {
                s.quotient += s.step;
                s.rest += s.step_rest;
                if s.rest >= s.rate {
                    s.rest -= s.rate;
                    s.quotient += 1;
                }
                i64::try_from(s.quotient).unwrap_or(i64::MAX)
            }
            // One correctly rounded division.
            None => {
                let gap = (self.k as f64 * 3_600_000.0 / self.rate).floor();
                if gap < window as f64 { gap as i64 } else { i64::MAX }
            }
        })
    }
}

/// A Poisson process at millisecond resolution, drawn slot by slot: the
/// window is cut into slots (at most one rate each) of about
/// [`PoissonArrivals::PER_SLOT`] expected arrivals; a slot's count is
/// Poisson (by inversion of one uniform draw) and its arrivals are that
/// many uniform milliseconds of the slot, sorted. That is the distribution
/// of a Poisson process's arrival times rounded down to the millisecond,
/// and it costs about one 64-bit draw per arrival, with no logarithm per
/// arrival; every operation is IEEE arithmetic or `libm`, so the draws are
/// the same on every machine.
struct PoissonArrivals {
    rates: world::Background,
    rng: ChaCha8Rng,
    /// The current rate, per millisecond, and where it ends (offset).
    rate_ms: f64,
    rate_until: i64,
    /// Where the current slot ends (offset).
    slot_end: i64,
    /// The current slot's arrivals not yet issued, latest first.
    pending: Vec<i64>,
}

impl PoissonArrivals {
    /// Expected arrivals in a full slot.
    const PER_SLOT: f64 = 16.0;

    /// The next arrival's offset before `window`, if any. `start` is the
    /// window start, for the rate's weekday.
    fn next(&mut self, start: SimTime, window: i64) -> Option<i64> {
        loop {
            if let Some(offset) = self.pending.pop() {
                return Some(offset);
            }
            let from = self.slot_end;
            if from >= window {
                return None;
            }
            if from >= self.rate_until {
                let (rate, change) =
                    self.rates.rate_at(SimTime::from_millis(start.as_millis() + from));
                self.rate_ms = rate / 3_600_000.0;
                self.rate_until = change.as_millis().saturating_sub(start.as_millis());
            }
            let limit = self.rate_until.min(window);
            if self.rate_ms <= 0.0 {
                self.slot_end = limit;
                continue;
            }
            // A float too large for an i64 saturates, and the slot then
            // ends at the limit.
            let length = ((Self::PER_SLOT / self.rate_ms) as i64).max(1);
            self.slot_end = from.saturating_add(length).min(limit);
            let length = self.slot_end - from;
            let count = self.poisson(self.rate_ms * length as f64);
            // A uniform millisecond of the slot: the high half of a 64-bit
            // draw times the length (off uniform by at most length / 2^64).
            let rng = &mut self.rng;
            self.pending.extend(
                (0..count)
                    .map(|_| from + ((u128::from(rng.next_u64()) * length as u128) >> 64) as i64),
            );
            self.pending.sort_unstable_by(|a, b| b.cmp(a));
        }
    }

    /// A Poisson draw of mean `mean` (at most a few dozen here), by
    /// inversion: the first count whose cumulative probability passes one
    /// uniform draw.
    fn poisson(&mut self, mean: f64) -> u64 {
        let u: f64 = self.rng.random();
        let mut p = libm::exp(-mean);
        let mut cumulative = p;
        let mut count = 0;
        // Rounding can keep the sum just below a draw close to 1; the terms
        // then vanish and the count stops where the distribution does.
        while u >= cumulative && p > 0.0 {
            count += 1;
            p *= mean / count as f64;
            cumulative += p;
        }
        count
    }
}

/// One database's counter, dispatcher, background traffic and quiet events
/// during a run.
pub struct DatabaseRun<'p> {
    name: String,
    next_counter: u64,
    service_ms: i64,
    busy_until: i64,
    /// The events issued but not yet processed as of the latest arrival.
    /// They always form one segment: if any of them takes effect after the
    /// latest arrival, the dispatcher is busy through all later ones.
    pending: Option<Segment>,
    start: SimTime,
    end: SimTime,
    background: Background,
    next_background: Option<SimTime>,
    /// The quiet mailboxes' events on this database, in order, and the
    /// index of the next one to issue.
    quiet: &'p [QuietEvent],
    next_quiet: usize,
    totals: DatabaseTotals,
    backlog: BacklogSeries,
    /// The bucket of the latest arrival.
    bucket: usize,
    /// Where the bucket after `bucket` starts (ms).
    next_bucket_ms: i64,
}

impl<'p> DatabaseRun<'p> {
    /// A database at the start of the window `[start, end)` under `seed`,
    /// with the quiet events `quiet` (sorted by time, then mailbox).
    pub fn new(
        db: &Database,
        seed: u64,
        start: SimTime,
        end: SimTime,
        quiet: &'p [QuietEvent],
    ) -> Self {
        let grid = Grid::for_window(start, end);
        let background = match db.background {
            None => Background::None,
            Some(rates) => match rates.arrivals {
                Arrivals::Uniform => {
                    let (rate, change) = rates.rate_at(start);
                    let until = change.as_millis().saturating_sub(start.as_millis());
                    Background::Uniform(Box::new(UniformArrivals::new(rates, rate, 0, until)))
                }
                Arrivals::Poisson => Background::Poisson(Box::new(PoissonArrivals {
                    rates,
                    rng: rng::stream(seed, &format!("database/{}", db.name)),
                    rate_ms: 0.0,
                    rate_until: 0,
                    slot_end: 0,
                    pending: Vec::new(),
                })),
            },
        };
        let mut run = DatabaseRun {
            name: db.name.clone(),
            next_counter: db.counter_start,
            service_ms: db.service_time.as_millis(),
            busy_until: i64::MIN,
            pending: None,
            start,
            end,
            background,
            next_background: None,
            quiet,
            next_quiet: 0,
            totals: DatabaseTotals::default(),
            backlog: BacklogSeries { grid, peaks: vec![0; grid.len()] },
            bucket: 0,
            next_bucket_ms: grid.bucket_start(1).as_millis(),
        };
        run.next_background = run.draw_background();
        run
    }

    /// The next background arrival before the window end, if any. Offsets
    /// are checked against the window before they become instants, so no
    /// rate, however small, can overflow.
    #[inline]
    fn draw_background(&mut self) -> Option<SimTime> {
        let window = (self.end - self.start).as_millis();
        let start = self.start;
        // When the rate changes at `change` (an instant), as an offset.
        let offset_of = |change: SimTime| change.as_millis().saturating_sub(start.as_millis());
        let offset = match &mut self.background {
            Background::None => return None,
            Background::Uniform(arrivals) => loop {
                if arrivals.from >= window {
                    return None;
                }
                if let Some(gap) = arrivals.next_gap(window) {
                    let offset = arrivals.from.saturating_add(gap);
                    if offset < arrivals.until {
                        break offset;
                    }
                }
                // The next rate, counted afresh from its start.
                let from = arrivals.until;
                let (rate, change) =
                    arrivals.rates.rate_at(SimTime::from_millis(start.as_millis() + from));
                **arrivals = UniformArrivals::new(arrivals.rates, rate, from, offset_of(change));
            },
            Background::Poisson(arrivals) => arrivals.next(start, window)?,
        };
        (offset < window).then(|| SimTime::from_millis(self.start.as_millis() + offset))
    }

    /// Issues the background arrivals and quiet events that come before
    /// `upto`, in order, each spending one event of `budget`. At one
    /// instant quiet move events come before background arrivals.
    fn catch_up(&mut self, upto: Upto, budget: &mut EventBudget) -> Result<(), RunError> {
        // The latest background arrival due (inclusive).
        let background_until = match upto {
            Upto::Arrival(at, Arrival::Move { .. }) => at.as_millis() - 1,
            Upto::Arrival(at, Arrival::User) => at.as_millis(),
            Upto::End => i64::MAX,
        };
        loop {
            let quiet = self.quiet.get(self.next_quiet).copied().filter(|q| match upto {
                Upto::Arrival(at, Arrival::Move { owner }) => (q.at, q.owner) < (at, owner),
                Upto::Arrival(at, Arrival::User) => q.at <= at,
                Upto::End => true,
            });
            // The background arrivals due before that quiet event (which
            // comes first at one instant), or all those due: the bulk of
            // a busy database's events, in a tight loop.
            let quiet_at = quiet.map_or(i64::MAX, |q| q.at.as_millis() - 1);
            let until = background_until.min(quiet_at);
            while let Some(bg) = self.next_background.filter(|bg| bg.as_millis() <= until) {
                self.next_background = self.draw_background();
                budget.spend(bg)?;
                self.issue_now(bg)?;
            }
            let Some(q) = quiet else { return Ok(()) };
            self.next_quiet += 1;
            budget.spend_many(q.at, u64::from(q.steps))?;
            let issued = self.issue_now(q.at)?;
            // Its processing, as the queue would have counted it.
            if issued.effect < self.end {
                budget.spend(q.at)?;
            }
        }
    }

    /// Issues a mailbox event created at `at`: first every background
    /// arrival and quiet event that precedes it, then the event itself.
    pub fn issue(
        &mut self,
        at: SimTime,
        arrival: Arrival,
        budget: &mut EventBudget,
    ) -> Result<Issued, RunError> {
        self.catch_up(Upto::Arrival(at, arrival), budget)?;
        Ok(self.issue_now(at)?)
    }

    /// Issues the remaining background traffic and quiet events of the
    /// window and returns the database's totals.
    pub fn finish(&mut self, budget: &mut EventBudget) -> Result<DatabaseTotals, RunError> {
        self.catch_up(Upto::End, budget)?;
        let last = self.backlog.grid.len() - 1;
        self.carry_backlog_to(last);
        Ok(self.totals)
    }

    /// The backlog per bucket; complete after [`DatabaseRun::finish`].
    pub fn backlog(&self) -> &BacklogSeries {
        &self.backlog
    }

    /// Fills the buckets after the latest arrival's, up to `bucket`, where
    /// no event arrives: the queue only drains there, so each bucket's peak
    /// is the backlog that the first event processed after its start sees,
    /// the number of events behind it.
    fn carry_backlog_to(&mut self, bucket: usize) {
        for j in self.bucket + 1..=bucket {
            let t = self.backlog.grid.bucket_start(j).as_millis();
            let behind = self.pending.and_then(|s| {
                let (counter, effect) = s.front_at(t)?;
                (effect < self.end.as_millis()).then(|| s.first_counter + s.count - 1 - counter)
            });
            self.backlog.peaks[j] = behind.unwrap_or(0);
        }
        self.bucket = self.bucket.max(bucket);
        self.next_bucket_ms = self.backlog.grid.bucket_start(self.bucket + 1).as_millis();
    }

    /// Gives the next counter to an event created at `at`, computes its
    /// effect time and updates the backlog figures.
    ///
    /// Backlog: for each processed event i, MODEL.md asks for (last counter
    /// issued when i takes effect) - counter_i. The maximum of that over i
    /// equals the maximum, over arrivals j, of counter_j - counter_i(j)
    /// where i(j) is the first event not yet processed when j arrives
    /// (processing at the same instant comes later, in phase 3). So the
    /// figure is updated here, at arrival, from the front of `pending`.
    #[inline]
    fn issue_now(&mut self, at: SimTime) -> Result<Issued, CounterOverflow> {
        let a = at.as_millis();
        if a >= self.next_bucket_ms {
            let bucket = self.backlog.grid.bucket(at);
            self.carry_backlog_to(bucket);
        }
        let counter = self.next_counter;
        if counter > MAX_COUNTER {
            return Err(CounterOverflow(self.name.clone()));
        }
        self.next_counter = counter + 1;
        // The last pending event takes effect at `busy_until` (with T = 0,
        // every pending event is of that instant).
        let before = self.busy_until;
        let effect =
            if self.service_ms == 0 { a } else { a.max(before).saturating_add(self.service_ms) };
        self.busy_until = effect;

        // Forget the events processed before this arrival.
        if before < a {
            self.pending = None;
        }
        if let Some(front) = self.pending.as_mut()
            && front.first_effect < a
        {
            // step > 0 here: a step-0 segment is all before `a` or none of it.
            // Usually one event was processed since the last arrival:
            // spare the division then.
            let behind = a - front.first_effect;
            let skip =
                if behind <= front.step { 1 } else { (behind + front.step - 1) / front.step };
            front.first_counter += skip as u64;
            front.first_effect += skip * front.step;
            front.count -= skip as u64;
        }
        let (oldest, oldest_effect) =
            self.pending.map_or((counter, effect), |s| (s.first_counter, s.first_effect));
        if oldest_effect < self.end.as_millis() {
            let backlog = counter - oldest;
            self.totals.max_backlog = self.totals.max_backlog.max(backlog);
            let peak = &mut self.backlog.peaks[self.bucket];
            *peak = (*peak).max(backlog);
        }
        match self.pending.as_mut() {
            // Anything still pending takes effect at or after `a`, so the
            // dispatcher is busy (or, with T = 0, this is the same instant):
            // this event extends the segment.
            Some(segment) => segment.count += 1,
            None => {
                self.pending = Some(Segment {
                    first_counter: counter,
                    count: 1,
                    first_effect: effect,
                    step: self.service_ms,
                });
            }
        }

        self.totals.issued += 1;
        self.totals.last_counter = Some(counter);
        if effect < self.end.as_millis() {
            self.totals.processed += 1;
            self.totals.watermark = Some(counter);
        }
        Ok(Issued { counter, effect: SimTime::from_millis(effect) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::world::Background as Bg;
    use crate::time::SimDuration;
    use uuid::Uuid;

    fn budget() -> EventBudget {
        EventBudget::new(u64::MAX)
    }

    fn db(service_ms: i64, background: Option<Bg>) -> Database {
        Database {
            name: "DB01".into(),
            guid: Uuid::nil(),
            counter_start: 100,
            service_time: SimDuration::from_millis(service_ms),
            background,
        }
    }

    fn at(ms: i64) -> SimTime {
        SimTime::from_millis(ms)
    }

    #[test]
    fn counters_are_consecutive_and_unlimited_throughput_is_immediate() {
        let mut run = DatabaseRun::new(&db(0, None), 1, at(0), at(1_000), &[]);
        let a = run.issue(at(10), Arrival::User, &mut budget()).unwrap();
        let b = run.issue(at(20), Arrival::User, &mut budget()).unwrap();
        assert_eq!((a.counter, a.effect), (100, at(10)));
        assert_eq!((b.counter, b.effect), (101, at(20)));
        let totals = run.finish(&mut budget()).unwrap();
        assert_eq!(totals.max_backlog, 0);
        assert_eq!(totals.processed, 2);
    }

    #[test]
    fn same_instant_events_wait_for_each_other() {
        // Two events at one instant: when the first takes effect the second
        // has already been issued, so its backlog is 1.
        let mut run = DatabaseRun::new(&db(0, None), 1, at(0), at(1_000), &[]);
        run.issue(at(10), Arrival::User, &mut budget()).unwrap();
        run.issue(at(10), Arrival::User, &mut budget()).unwrap();
        run.issue(at(11), Arrival::User, &mut budget()).unwrap();
        assert_eq!(run.finish(&mut budget()).unwrap().max_backlog, 1);
    }

    #[test]
    fn service_time_makes_a_fifo_server() {
        let mut run = DatabaseRun::new(&db(100, None), 1, at(0), at(10_000), &[]);
        let effects: Vec<i64> = [0, 10, 20, 500]
            .iter()
            .map(|&t| run.issue(at(t), Arrival::User, &mut budget()).unwrap().effect.as_millis())
            .collect();
        // f_i = max(create_i, f_{i-1}) + T
        assert_eq!(effects, [100, 200, 300, 600]);
        // At f_0 = 100 the last issued is counter 102 (created at 20): backlog 2.
        assert_eq!(run.finish(&mut budget()).unwrap().max_backlog, 2);
    }

    #[test]
    fn events_after_the_window_are_not_processed() {
        let mut run = DatabaseRun::new(&db(100, None), 1, at(0), at(250), &[]);
        for t in [0, 10, 20] {
            run.issue(at(t), Arrival::User, &mut budget()).unwrap();
        }
        let totals = run.finish(&mut budget()).unwrap();
        assert_eq!(totals.issued, 3);
        assert_eq!(totals.processed, 2); // effects 100, 200; 300 is past the end
        assert_eq!(totals.watermark, Some(101));
        assert_eq!(totals.last_counter, Some(102));
    }

    #[test]
    fn uniform_background_fills_counters_in_order() {
        let bg = Bg::constant(3_600.0, Arrivals::Uniform); // one per second
        let mut run = DatabaseRun::new(&db(0, Some(bg)), 1, at(0), at(10_000), &[]);
        // Background arrivals at 1000, 2000, 3000; a move event at 3000 comes first.
        let mv = run.issue(at(3_000), Arrival::Move { owner: 0 }, &mut budget()).unwrap();
        assert_eq!(mv.counter, 102);
        let user = run.issue(at(3_000), Arrival::User, &mut budget()).unwrap();
        assert_eq!(user.counter, 104);
        let totals = run.finish(&mut budget()).unwrap();
        assert_eq!(totals.issued, 11); // 9 background (1s..9s) + 2
        assert_eq!(totals.last_counter, Some(110));
    }

    #[test]
    fn quiet_events_take_their_place_among_same_instant_events() {
        // One background arrival a second; quiet move events of mailboxes
        // 0 and 2 at 3 s; a quiet event at 1 s comes before that second's
        // background arrival.
        let bg = Bg::constant(3_600.0, Arrivals::Uniform);
        let quiet = [
            QuietEvent { at: at(1_000), owner: 5, steps: 1 },
            QuietEvent { at: at(3_000), owner: 0, steps: 1 },
            QuietEvent { at: at(3_000), owner: 2, steps: 1 },
        ];
        let mut run = DatabaseRun::new(&db(0, Some(bg)), 1, at(0), at(10_000), &quiet);
        // Counters from 100: quiet 1 s (100), background 1 s (101), 2 s
        // (102), quiet mailbox 0 at 3 s (103), then mailbox 1's move event.
        let mv = run.issue(at(3_000), Arrival::Move { owner: 1 }, &mut budget()).unwrap();
        assert_eq!(mv.counter, 104);
        // Then quiet mailbox 2 (105) and the 3 s background arrival (106)
        // before a user action at the same instant.
        let user = run.issue(at(3_000), Arrival::User, &mut budget()).unwrap();
        assert_eq!(user.counter, 107);
        let totals = run.finish(&mut budget()).unwrap();
        assert_eq!(totals.issued, 3 + 9 + 2);
    }

    #[test]
    fn uniform_arrivals_are_the_model_formula() {
        // Arrival k at floor(k * 3600000 / rate), for whole rates (stepped
        // without division) and others.
        for rate in [1.0, 7.0, 1_800.0, 3_599.0, 28_800.0, 1e8, 0.5, 2.75, 1_234.5] {
            let bg = Bg::constant(rate, Arrivals::Uniform);
            let mut run = DatabaseRun::new(&db(0, Some(bg)), 1, at(0), at(36_000_000), &[]);
            let mut k = 0u64;
            while let Some(t) = run.next_background {
                k += 1;
                let want = (u128::from(k) * 3_600_000 * 1_000 / (rate * 1_000.0) as u128) as i64;
                assert_eq!(t.as_millis(), want, "rate {rate}, arrival {k}");
                run.next_background = run.draw_background();
                if k == 20_000 {
                    break;
                }
            }
            assert!(k > 0);
        }
    }

    /// Friday 2016-01-22 23:00 to Saturday 01:00 UTC.
    fn friday_night() -> (SimTime, SimTime) {
        let t = |s| crate::time::parse_instant(s).unwrap();
        (t("2016-01-22T23:00:00Z"), t("2016-01-23T01:00:00Z"))
    }

    #[test]
    fn uniform_arrivals_start_afresh_when_the_weekend_begins() {
        let (start, end) = friday_night();
        let bg = Bg {
            rate_per_hour: 3_600.0,
            weekend_rate_per_hour: 7_200.0,
            arrivals: Arrivals::Uniform,
        };
        let mut run = DatabaseRun::new(&db(0, Some(bg)), 1, start, end, &[]);
        // Friday: 23:00:01 to 23:59:59, one a second (3,599); Saturday:
        // 00:00:00.500 to 00:59:59.500, two a second (7,199).
        let totals = run.finish(&mut budget()).unwrap();
        assert_eq!(totals.issued, 3_599 + 7_199);
        let mut run = DatabaseRun::new(&db(0, Some(bg)), 1, start, end, &[]);
        let midnight = start.as_millis() + 3_600_000;
        let first_saturday = run.issue(at(midnight + 500), Arrival::User, &mut budget()).unwrap();
        assert_eq!(first_saturday.counter, 100 + 3_599 + 1);
    }

    #[test]
    fn poisson_arrivals_follow_the_weekday_and_weekend_rates() {
        // Monday 2016-01-18 to Monday 2016-01-25: five weekdays at 10,000
        // an hour, a weekend at 1,000.
        let t = |s| crate::time::parse_instant(s).unwrap();
        let (start, end) = (t("2016-01-18T00:00:00Z"), t("2016-01-25T00:00:00Z"));
        let bg = Bg {
            rate_per_hour: 10_000.0,
            weekend_rate_per_hour: 1_000.0,
            arrivals: Arrivals::Poisson,
        };
        assert_eq!(bg.mean_arrivals(start, end), 1_248_000.0);
        let mut run = DatabaseRun::new(&db(0, Some(bg)), 3, start, end, &[]);
        let saturday = t("2016-01-23T00:00:00Z");
        let before = run.issue(saturday, Arrival::Move { owner: 0 }, &mut budget()).unwrap();
        let weekend = run.finish(&mut budget()).unwrap().issued - before.counter + 100 - 1;
        let weekdays = before.counter - 100;
        // Within six standard deviations (the square root of the mean).
        let near = |n: u64, mean: f64| (n as f64 - mean).abs() < 6.0 * mean.sqrt();
        assert!(near(weekdays, 1_200_000.0), "{weekdays}");
        assert!(near(weekend, 48_000.0), "{weekend}");
    }

    #[test]
    fn overloaded_dispatcher_backlog_grows() {
        // 10 arrivals per second, 150 ms each: the queue grows by 1/3 event per second.
        let bg = Bg::constant(36_000.0, Arrivals::Uniform);
        let mut run = DatabaseRun::new(&db(150, Some(bg)), 1, at(0), at(60_000), &[]);
        let totals = run.finish(&mut budget()).unwrap();
        assert_eq!(totals.issued, 599);
        assert_eq!(totals.processed, 399); // (60000 - 100 - 150) / 150 + 1, rounded down
        // When event 399 takes effect (59950 ms), 599 have been issued.
        assert_eq!(totals.max_backlog, 200);
        assert_eq!(totals.backlog_at_end(), 200);
        // The series peaks where the totals do, at the end, and grows.
        let peaks = &run.backlog().peaks;
        assert_eq!(peaks.iter().max(), Some(&200));
        assert!(peaks.windows(2).all(|w| w[0] <= w[1]), "{peaks:?}");
    }

    #[test]
    fn backlog_series_drains_between_arrivals() {
        // Ten events at once, one hour each: the queue drains for ten hours
        // with no arrival, one event an hour.
        let mut run = DatabaseRun::new(&db(3_600_000, None), 1, at(0), at(86_400_000), &[]);
        for _ in 0..10 {
            run.issue(at(0), Arrival::User, &mut budget()).unwrap();
        }
        let totals = run.finish(&mut budget()).unwrap();
        let series = run.backlog();
        assert_eq!(series.grid.width_ms(), 300_000); // 5-minute buckets
        let at_hour = |h: i64| series.peaks[(h * 12) as usize];
        assert_eq!(series.peaks[0], 9);
        assert_eq!(series.peaks[1], 9); // event 0 still in service
        assert_eq!(at_hour(1), 8); // event 0 done at 1h: event 1 has 8 behind it
        assert_eq!(at_hour(9), 0); // the last one has nothing behind it
        assert_eq!(at_hour(10), 0);
        assert_eq!(series.peaks.iter().max(), Some(&totals.max_backlog));
    }

    #[test]
    fn backlog_series_agrees_with_a_brute_force_queue() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2016);
        for case in 0..2_000 {
            let service = [0, 1, 7, 1_000, 3_600_000][case % 5];
            let window = [1, 999, 60_000, 86_400_000][case / 5 % 4];
            let mut run = DatabaseRun::new(&db(service, None), 1, at(0), at(window), &[]);
            let mut arrivals: Vec<i64> =
                (0..rng.random_range(0..40)).map(|_| rng.random_range(0..window)).collect();
            arrivals.sort();
            let effects: Vec<i64> = arrivals
                .iter()
                .map(|&a| {
                    run.issue(at(a), Arrival::User, &mut budget()).unwrap().effect.as_millis()
                })
                .collect();
            let totals = run.finish(&mut budget()).unwrap();
            let series = run.backlog();
            let grid = series.grid;
            // Brute force, per MODEL.md: an event processed in the window
            // sees (last counter issued by then) - its counter.
            let seen = |i: usize| arrivals.iter().filter(|&&a| a <= effects[i]).count() - 1 - i;
            let processed = (0..arrivals.len()).filter(|&i| effects[i] < window);
            assert_eq!(processed.map(seen).max().unwrap_or(0) as u64, totals.max_backlog);
            assert_eq!(series.peaks.iter().copied().max().unwrap_or(0), totals.max_backlog);
            // At each bucket start, the next event to be processed already
            // has the queue behind it: the bucket's peak is at least that.
            for (b, &peak) in series.peaks.iter().enumerate() {
                let t = grid.bucket_start(b).as_millis();
                let issued = arrivals.iter().filter(|&&a| a < t).count();
                let front = (0..issued).find(|&i| effects[i] > t);
                if let Some(i) = front.filter(|&i| effects[i] < window) {
                    assert!(peak >= (issued - 1 - i) as u64, "case {case}, bucket {b}");
                }
            }
        }
    }

    #[test]
    fn poisson_background_is_reproducible_and_near_its_rate() {
        let bg = Bg::constant(28_800.0, Arrivals::Poisson);
        let count = |seed| {
            let mut run = DatabaseRun::new(&db(0, Some(bg)), seed, at(0), at(3_600_000), &[]);
            run.finish(&mut budget()).unwrap().issued
        };
        assert_eq!(count(5), count(5));
        assert_ne!(count(5), count(6));
        assert!((28_000..29_600).contains(&count(5)), "{}", count(5));
    }

    #[test]
    fn extreme_values_stay_finite() {
        // A rate so small that the first arrival lies beyond any window.
        for arrivals in [Arrivals::Uniform, Arrivals::Poisson] {
            let bg = Bg::constant(1e-300, arrivals);
            let mut run = DatabaseRun::new(&db(0, Some(bg)), 1, at(0), at(3_600_000), &[]);
            assert_eq!(run.finish(&mut budget()).unwrap().issued, 0);
        }
        // A service time of years: effects saturate instead of wrapping.
        let mut run = DatabaseRun::new(&db(i64::MAX / 4, None), 1, at(0), at(1_000), &[]);
        for t in 0..10 {
            let issued = run.issue(at(t), Arrival::User, &mut budget()).unwrap();
            assert!(issued.effect >= at(t));
        }
        assert_eq!(run.finish(&mut budget()).unwrap().processed, 0);
    }

    #[test]
    fn counters_stop_at_the_int64_maximum() {
        let mut high = db(0, None);
        high.counter_start = MAX_COUNTER;
        let mut run = DatabaseRun::new(&high, 1, at(0), at(1_000), &[]);
        assert_eq!(run.issue(at(1), Arrival::User, &mut budget()).unwrap().counter, MAX_COUNTER);
        let err = run.issue(at(2), Arrival::User, &mut budget()).unwrap_err();
        assert!(err.to_string().contains("lower its counter_start"), "{err}");
    }

    #[test]
    fn background_arrivals_spend_the_budget() {
        let bg = Bg::constant(3_600.0, Arrivals::Uniform);
        let mut run = DatabaseRun::new(&db(0, Some(bg)), 1, at(0), at(3_600_000), &[]);
        let mut budget = EventBudget::new(100);
        let err = run.finish(&mut budget).unwrap_err();
        assert!(matches!(err, RunError::EventCap(ref e) if e.cap == 100), "{err}");
        // The 101st arrival, one per second from the first second on.
        assert_eq!(budget.used(), 101);
    }
}
