//! Properties that hold for every scenario, checked on generated ones
//! (proptest): the counts add up, the presets never send an SMS twice,
//! `fixed` misses only what a move's lock covers, and a seed decides
//! everything. A failing case is shrunk to a small scenario and printed as
//! YAML; proptest keeps its seed in `tests/properties.proptest-regressions`.

use cnasim::model::move_request::MoveStep;
use cnasim::model::record::{Observer, Record};
use cnasim::model::world::MailboxId;
use cnasim::model::{Plan, World, simulate};
use cnasim::runner::run_in_memory;
use cnasim::scenario::{Overrides, parse};
use cnasim::time::SimTime;
use proptest::prelude::*;
use std::fmt::Write;

const START: &str = "2016-01-04T00:00:00Z";
const MINUTE: i64 = 60_000;

/// A calendar item: minutes after the window start, and so on.
#[derive(Clone, Debug)]
struct Item {
    start_min: i64,
    duration_min: i64,
    reminder_min: Option<i64>,
    every_min: i64,
    count: u32,
}

#[derive(Clone, Debug)]
struct Move {
    target: usize,
    start_min: i64,
    interval_min: i64,
    durations_min: Vec<i64>,
    complete_min: Option<i64>,
    lock_min: Option<i64>,
    fail_min: Option<i64>,
}

#[derive(Clone, Debug)]
struct MailboxSpec {
    database: usize,
    /// Without SMS the mailbox is one a run may make quiet.
    wants_sms: bool,
    enable_min: i64,
    disable_min: Option<i64>,
    /// Gaps between `enable_at` and each listed reconfiguration, in
    /// minutes (those past the window end are left out).
    reconfigure_gaps_min: Vec<i64>,
    reaction: Option<(u32, i64)>,
    calendar: Vec<Item>,
    move_request: Option<Move>,
}

#[derive(Clone, Debug)]
struct Spec {
    seed: u64,
    days: i64,
    /// Service time (ms) and background rate per hour, per database.
    databases: Vec<(i64, u32, bool)>,
    mailboxes: Vec<MailboxSpec>,
}

fn instant(minutes: i64) -> String {
    let t = cnasim::time::parse_instant(START).unwrap().as_millis() + minutes * MINUTE;
    SimTime::from_millis(t).to_string()
}

impl Spec {
    fn yaml(&self) -> String {
        let mut y = String::new();
        let _ = writeln!(y, "seed: {}\nstart: {START}\nduration: {}d", self.seed, self.days);
        y.push_str("databases:\n");
        for (i, (service_ms, rate, poisson)) in self.databases.iter().enumerate() {
            let _ = writeln!(y, "  - name: DB{i}\n    service_time: {service_ms}ms");
            if *rate > 0 {
                let arrivals = if *poisson { "poisson" } else { "uniform" };
                let _ = writeln!(
                    y,
                    "    background: {{ rate_per_hour: {rate}, arrivals: {arrivals} }}"
                );
            }
        }
        y.push_str("mailboxes:\n");
        for (i, m) in self.mailboxes.iter().enumerate() {
            let _ = writeln!(y, "  - name: user{i}\n    database: DB{}", m.database);
            if m.wants_sms {
                let _ = write!(y, "    sms: {{ enable_at: {}", instant(m.enable_min));
                if let Some(off) = m.disable_min {
                    let _ = write!(y, ", disable_at: {}", instant(m.enable_min + off));
                }
                let listed: Vec<String> = m
                    .reconfigure_gaps_min
                    .iter()
                    .scan(m.enable_min, |at, gap| {
                        *at += gap;
                        Some(*at)
                    })
                    .take_while(|&at| at < self.days * DAY_MIN)
                    .map(instant)
                    .collect();
                if !listed.is_empty() {
                    let _ = write!(y, ", reconfigure_at: [{}]", listed.join(", "));
                }
                y.push_str(" }\n");
            }
            if let Some((n, reaction)) = m.reaction {
                let _ = writeln!(
                    y,
                    "    user: {{ reconfigure_after_missed: {n}, reaction: {reaction}m }}"
                );
            }
            y.push_str("    calendar:\n");
            for (k, item) in m.calendar.iter().enumerate() {
                let _ = writeln!(
                    y,
                    "      - subject: item{k}\n        start: {}\n        duration: {}m",
                    instant(item.start_min),
                    item.duration_min
                );
                if let Some(r) = item.reminder_min {
                    let _ = writeln!(y, "        reminder: {r}m");
                }
                let _ = writeln!(
                    y,
                    "        repeat: {{ every: {}m, count: {} }}",
                    item.every_min, item.count
                );
            }
            if let Some(mv) = &m.move_request {
                let n = self.databases.len();
                let target = (m.database + 1 + mv.target % (n - 1)) % n;
                let durations: Vec<String> =
                    mv.durations_min.iter().map(|d| format!("{d}m")).collect();
                let _ = writeln!(
                    y,
                    "    move:\n      target: DB{target}\n      start: {}\n      \
                     incremental_sync_interval: {}m\n      sync_durations: [{}]",
                    instant(mv.start_min),
                    mv.interval_min,
                    durations.join(", ")
                );
                if let Some(c) = mv.complete_min {
                    let _ = writeln!(y, "      complete_at: {}", instant(c));
                }
                if let Some(l) = mv.lock_min {
                    let _ = writeln!(y, "      lock_duration: {l}m");
                }
                if let Some(f) = mv.fail_min {
                    let _ = writeln!(y, "      fail_at: {}", instant(f));
                }
            }
        }
        y
    }

    fn world(&self) -> World {
        let yaml = self.yaml();
        parse(&yaml, "generated.yaml", "generated", &Overrides::default())
            .unwrap_or_else(|e| panic!("a generated scenario is refused: {e}\n{yaml}"))
    }
}

const DAY_MIN: i64 = 24 * 60;

fn item() -> impl Strategy<Value = Item> {
    (
        0..3 * DAY_MIN,
        1..180i64,
        proptest::option::weighted(0.9, 0..90i64),
        30..2 * DAY_MIN,
        1..40u32,
    )
        .prop_map(|(start_min, duration_min, reminder_min, every_min, count)| Item {
            start_min,
            duration_min,
            reminder_min,
            every_min,
            count,
        })
}

fn move_request() -> impl Strategy<Value = Move> {
    (
        0..3usize,
        0..2 * DAY_MIN,
        // Syncs every few hours to every few days.
        1..3 * DAY_MIN,
        proptest::collection::vec(0..90i64, 1..4),
        proptest::option::of(0..6 * DAY_MIN),
        proptest::option::of(0..180i64),
        proptest::option::weighted(0.2, 0..6 * DAY_MIN),
    )
        .prop_map(|(target, start_min, interval_min, durations_min, complete, lock, fail)| {
            Move {
                target,
                start_min,
                interval_min,
                durations_min,
                complete_min: complete.map(|c| start_min + c),
                lock_min: lock,
                fail_min: fail.map(|f| start_min + f),
            }
        })
}

fn mailbox(databases: usize) -> impl Strategy<Value = MailboxSpec> {
    (
        (0..databases, proptest::bool::weighted(0.7)),
        0..DAY_MIN,
        proptest::option::weighted(0.2, 1..5 * DAY_MIN),
        proptest::collection::vec(1..2 * DAY_MIN, 0..4),
        proptest::option::of((1..4u32, 1..600i64)),
        proptest::collection::vec(item(), 1..4),
        proptest::option::weighted(0.8, move_request()),
    )
        .prop_map(
            |(
                (database, wants_sms),
                enable_min,
                disable_min,
                reconfigure_gaps_min,
                reaction,
                calendar,
                move_request,
            )| {
                MailboxSpec {
                    database,
                    wants_sms,
                    enable_min,
                    disable_min,
                    reconfigure_gaps_min,
                    reaction,
                    calendar,
                    move_request,
                }
            },
        )
}

/// Scenarios of 2 or 3 databases and 1 to 4 mailboxes over 1 to 8 days;
/// with `instant_dispatch` every database processes each event at once.
fn spec(instant_dispatch: bool) -> impl Strategy<Value = Spec> {
    let service = if instant_dispatch { 0..1i64 } else { 0..120_000i64 };
    (2..4usize)
        .prop_flat_map(move |n| {
            (
                any::<u64>(),
                1..9i64,
                proptest::collection::vec((service.clone(), 0..400u32, any::<bool>()), n),
                proptest::collection::vec(mailbox(n), 1..5),
            )
        })
        .prop_map(|(seed, days, databases, mailboxes)| Spec { seed, days, databases, mailboxes })
}

/// Scenarios where many move events share instants on one database: up to
/// 16 mailboxes, moves starting on whole hours with intervals of whole
/// hours and syncs of whole half hours, background traffic on whole
/// seconds. Where mailboxes are quiet, their events must still fall in
/// their places among the others'.
fn crowded_spec() -> impl Strategy<Value = Spec> {
    (2..4usize)
        .prop_flat_map(|n| {
            (
                any::<u64>(),
                1..5i64,
                proptest::collection::vec((0..2i64, 0..2u32, Just(false)), n),
                proptest::collection::vec(mailbox(n), 4..17),
            )
        })
        .prop_map(|(seed, days, databases, mut mailboxes)| {
            for m in &mut mailboxes {
                if let Some(mv) = &mut m.move_request {
                    mv.start_min = mv.start_min / 60 * 60;
                    mv.interval_min = (mv.interval_min / 60).max(1) * 60;
                    for d in &mut mv.durations_min {
                        *d = *d / 30 * 30;
                    }
                    mv.complete_min = mv.complete_min.map(|c| c / 60 * 60);
                    mv.fail_min = mv.fail_min.map(|f| f / 60 * 60);
                }
            }
            // 0 or 1 ms of service; 0 or 3,600 uniform arrivals an hour.
            let databases = databases
                .into_iter()
                .map(|(service, bg, poisson)| (service, bg * 3_600, poisson))
                .collect();
            Spec { seed, days, databases, mailboxes }
        })
}

/// Each mailbox's move locks: from finalization's start to completion, or
/// to the window end.
#[derive(Default)]
struct Locks {
    windows: Vec<(MailboxId, SimTime, Option<SimTime>)>,
}

impl Observer for Locks {
    fn record(&mut self, record: &Record<'_>) {
        match *record {
            Record::Move { at, mailbox, step: MoveStep::FinalizationStarted } => {
                self.windows.push((mailbox, at, None));
            }
            Record::Move { at, mailbox, step: MoveStep::Completed } => {
                if let Some(w) = self.windows.iter_mut().rev().find(|w| w.0 == mailbox) {
                    w.2 = Some(at);
                }
            }
            _ => {}
        }
    }
}

/// The counter and mailbox of every database event fired.
#[derive(Default)]
struct Counters(Vec<(u64, u32)>);

impl Observer for Counters {
    fn record(&mut self, record: &Record<'_>) {
        if let Record::EventCreated(e) = record {
            self.0.push((e.counter, e.mailbox.0));
        }
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 96,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(
            "tests/properties.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn counts_add_up_and_presets_never_duplicate(spec in spec(false)) {
        let world = spec.world();
        let run = run_in_memory(&world).unwrap();
        for result in &run.results {
            let m = &result.outcome.metrics;
            prop_assert_eq!(
                m.reminders_on_time + m.reminders_late + m.reminders_missed,
                m.reminders_expected,
                "{}:\n{}", result.policy.name, spec.yaml()
            );
            prop_assert_eq!(m.duplicate_sms, 0, "{}:\n{}", result.policy.name, spec.yaml());
            prop_assert!(m.sms_sent >= m.reminders_on_time + m.reminders_late);
            // The estimate made before the run covers what it handled,
            // user reconfigurations included.
            prop_assert!(
                result.outcome.events_handled <= world.estimate.events,
                "{}: handled {}, estimated {}:\n{}",
                result.policy.name, result.outcome.events_handled, world.estimate.events,
                spec.yaml()
            );
        }
    }

    #[test]
    fn fixed_misses_only_what_a_lock_covers(spec in spec(true)) {
        let world = spec.world();
        let plan = Plan::build(&world).unwrap();
        let fixed = world.policies.iter().find(|p| p.name == "fixed").unwrap();
        let (outcome, locks) = simulate(&world, &plan, fixed, Locks::default()).unwrap();
        for m in 0..world.mailboxes.len() {
            let id = MailboxId(m as u32);
            for index in plan.reminder_range(id) {
                let reminder = plan.reminder(index);
                if !reminder.expected || outcome.first_sent[index as usize].is_some() {
                    continue;
                }
                let covered = locks.windows.iter().any(|&(who, from, to)| {
                    who == id && from <= reminder.at && to.is_none_or(|to| reminder.at <= to)
                });
                prop_assert!(
                    covered,
                    "user{m} misses the reminder at {} outside any lock:\n{}",
                    reminder.at,
                    spec.yaml()
                );
            }
        }
    }

    /// Quiet mailboxes (no SMS, records not needed) have their events
    /// issued by their databases instead of the queue: every metric and
    /// every database's counters stay the same.
    #[test]
    fn quiet_mailboxes_change_no_number(spec in prop_oneof![spec(false), crowded_spec()]) {
        let world = spec.world();
        let loud = Plan::build(&world).unwrap();
        let quiet = Plan::build_quiet(&world, &|_| true).unwrap();
        for policy in &world.policies {
            let (a, a_events) = simulate(&world, &loud, policy, Counters::default()).unwrap();
            let (b, b_events) = simulate(&world, &quiet, policy, Counters::default()).unwrap();
            // The counters of SMS users' events, which stay loud.
            let loud_only = |c: &Counters| -> Vec<(u64, u32)> {
                c.0.iter().copied().filter(|&(_, m)| world.mailboxes[m as usize].sms.is_some()).collect()
            };
            prop_assert_eq!(loud_only(&a_events), loud_only(&b_events), "{}:\n{}", policy.name, spec.yaml());
            prop_assert_eq!(&a.metrics, &b.metrics, "{}:\n{}", policy.name, spec.yaml());
            prop_assert_eq!(&a.databases, &b.databases, "{}:\n{}", policy.name, spec.yaml());
            prop_assert_eq!(&a.dropouts, &b.dropouts, "{}:\n{}", policy.name, spec.yaml());
            // And cost the event cap the same.
            prop_assert_eq!(a.events_handled, b.events_handled, "{}:\n{}", policy.name, spec.yaml());
        }
    }

    #[test]
    fn a_seed_decides_everything(spec in spec(false)) {
        let world = spec.world();
        let summary = |w: &World| run_in_memory(w).unwrap().summary(w).to_json();
        prop_assert_eq!(summary(&world), summary(&spec.world()));
    }
}
