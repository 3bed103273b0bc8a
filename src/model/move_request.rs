//! The schedule of a move request (MODEL.md section 4): syncs that drift
//! later by their own duration, finalization with its lock, failure.

use super::events::MovePhase;
use super::world::{MoveRequest, SyncDurations};
use crate::engine::rng;
use crate::time::{SimDuration, SimTime};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// One transition of a move request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveStep {
    /// Sync `sync` starts (fires `MailboxMoveStarted`).
    SyncStarted {
        /// Sync number k, from 0.
        sync: u32,
        /// `initial` for sync 0, `incremental` after.
        phase: MovePhase,
    },
    /// Sync `sync` ends (no event), or is cut short by a failure.
    SyncEnded {
        /// Sync number k.
        sync: u32,
    },
    /// Finalization starts (fires `MailboxMoveStarted`, phase finalize) and
    /// locks the mailbox.
    FinalizationStarted,
    /// The lock ends: `MailboxMoveSucceeded` on the source, then on the
    /// target database, and the mailbox now lives on the target.
    Completed,
    /// The move fails (`MailboxMoveFailed`); no more syncs.
    Failed,
}

#[derive(Clone, Copy, Debug)]
enum State {
    /// Sync `k` would start at `at`; the previous sync ended at `prev_end`.
    Next {
        k: u32,
        at: SimTime,
        prev_end: SimTime,
    },
    /// Sync `k` is running until `ends`.
    Syncing {
        k: u32,
        ends: SimTime,
    },
    /// A failure cut sync short; `Failed` comes next, at the same instant.
    FailNow(SimTime),
    /// Finalization has started; the lock ends at `at`.
    Locked(SimTime),
    Done,
}

/// The transitions of one move request in time order, generated lazily
/// (memory does not grow with the number of syncs) and only before `until`.
///
/// Rules (the reference model's, with its silent cases decided):
/// - sync k starts at `s_k` only if `s_k` is before `complete_at` and
///   before `fail_at`; `s_{k+1} = s_k + d_k + interval`;
/// - finalization starts at the end of the sync running at `complete_at`
///   (one with `s_k < complete_at < s_k + d_k`), otherwise at `complete_at`;
/// - `fail_at` takes effect only before finalization starts; it cuts a
///   running sync short at that instant.
pub struct MoveTimeline<'a> {
    request: &'a MoveRequest,
    rng: ChaCha8Rng,
    state: State,
    until: SimTime,
}

impl<'a> MoveTimeline<'a> {
    /// The timeline of `request`, drawing sync durations from `rng` (the
    /// move's own stream), stopping before `until`.
    pub fn new(request: &'a MoveRequest, rng: ChaCha8Rng, until: SimTime) -> Self {
        MoveTimeline {
            request,
            rng,
            state: State::Next { k: 0, at: request.start, prev_end: request.start },
            until,
        }
    }

    fn duration(&mut self, k: u32) -> SimDuration {
        match &self.request.durations {
            SyncDurations::Fixed(d) => *d,
            SyncDurations::List(list) => list[(k as usize).min(list.len() - 1)],
            SyncDurations::Uniform { lo, hi } => {
                SimDuration::from_millis(self.rng.random_range(lo.as_millis()..=hi.as_millis()))
            }
        }
    }

    fn step(&mut self) -> Option<(SimTime, MoveStep)> {
        let req = self.request;
        match self.state {
            State::Next { k, at, prev_end } => {
                let before = |limit: Option<SimTime>| limit.is_none_or(|l| at < l);
                if before(req.complete_at) && before(req.fail_at) {
                    let d = self.duration(k);
                    self.state = State::Syncing { k, ends: at.saturating_add(d) };
                    let phase = if k == 0 { MovePhase::Initial } else { MovePhase::Incremental };
                    return Some((at, MoveStep::SyncStarted { sync: k, phase }));
                }
                let finalize_at = req.complete_at.map(|c| c.max(prev_end));
                if let Some(f) = req.fail_at.filter(|&f| finalize_at.is_none_or(|fin| f < fin)) {
                    self.state = State::Done;
                    return Some((f, MoveStep::Failed));
                }
                // Without complete_at and fail_at every sync starts, so
                // `finalize_at` is set here.
                let fin = finalize_at?;
                self.state = State::Locked(fin.saturating_add(req.lock_duration));
                Some((fin, MoveStep::FinalizationStarted))
            }
            State::Syncing { k, ends } => {
                if let Some(f) = req.fail_at.filter(|&f| f < ends) {
                    self.state = State::FailNow(f);
                    return Some((f, MoveStep::SyncEnded { sync: k }));
                }
                let k1 = k.checked_add(1)?;
                self.state =
                    State::Next { k: k1, at: ends.saturating_add(req.interval), prev_end: ends };
                Some((ends, MoveStep::SyncEnded { sync: k }))
            }
            State::FailNow(f) => {
                self.state = State::Done;
                Some((f, MoveStep::Failed))
            }
            State::Locked(at) => {
                self.state = State::Done;
                Some((at, MoveStep::Completed))
            }
            State::Done => None,
        }
    }
}

impl Iterator for MoveTimeline<'_> {
    type Item = (SimTime, MoveStep);

    fn next(&mut self) -> Option<Self::Item> {
        let (at, step) = self.step()?;
        if at >= self.until {
            self.state = State::Done;
            return None;
        }
        Some((at, step))
    }
}

/// The random stream of the move of the mailbox called `mailbox`.
pub fn move_stream(seed: u64, mailbox: &str) -> ChaCha8Rng {
    rng::stream(seed, &format!("move/{mailbox}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::world::DbId;
    use crate::time::{parse_duration, parse_instant};

    fn t(s: &str) -> SimTime {
        parse_instant(s).unwrap()
    }
    fn d(s: &str) -> SimDuration {
        parse_duration(s).unwrap()
    }

    fn request(start: &str, durations: SyncDurations) -> MoveRequest {
        MoveRequest {
            target: DbId(1),
            start: t(start),
            interval: d("1d"),
            durations,
            complete_at: None,
            lock_duration: d("1m"),
            fail_at: None,
        }
    }

    fn steps(req: &MoveRequest, until: &str) -> Vec<(String, MoveStep)> {
        MoveTimeline::new(req, move_stream(1, "x"), t(until))
            .map(|(at, s)| (at.to_string(), s))
            .collect()
    }

    fn starts(req: &MoveRequest, until: &str) -> Vec<String> {
        steps(req, until)
            .into_iter()
            .filter(|(_, s)| matches!(s, MoveStep::SyncStarted { .. }))
            .map(|(at, _)| at)
            .collect()
    }

    #[test]
    fn syncs_drift_by_their_duration() {
        // The seed's seven MailboxMoveStarted times follow from these durations.
        let list = ["9m9s", "2m50s", "8m10s", "10m20s", "1m15s", "11m16s", "10m"];
        let req = request(
            "2016-01-25T21:32:01Z",
            SyncDurations::List(list.iter().map(|s| d(s)).collect()),
        );
        assert_eq!(
            starts(&req, "2016-02-01T00:00:00Z"),
            [
                "2016-01-25T21:32:01.000Z",
                "2016-01-26T21:41:10.000Z",
                "2016-01-27T21:44:00.000Z",
                "2016-01-28T21:52:10.000Z",
                "2016-01-29T22:02:30.000Z",
                "2016-01-30T22:03:45.000Z",
                "2016-01-31T22:15:01.000Z",
            ]
        );
        let all = steps(&req, "2016-01-27T00:00:00Z");
        assert_eq!(all[0].1, MoveStep::SyncStarted { sync: 0, phase: MovePhase::Initial });
        assert_eq!(all[1], ("2016-01-25T21:41:10.000Z".into(), MoveStep::SyncEnded { sync: 0 }));
        assert_eq!(all[2].1, MoveStep::SyncStarted { sync: 1, phase: MovePhase::Incremental });
    }

    #[test]
    fn the_last_listed_duration_repeats() {
        let req = request("2016-01-01T00:00:00Z", SyncDurations::List(vec![d("1h"), d("10m")]));
        assert_eq!(
            starts(&req, "2016-01-04T00:00:00Z"),
            ["2016-01-01T00:00:00.000Z", "2016-01-02T01:00:00.000Z", "2016-01-03T01:10:00.000Z",]
        );
    }

    #[test]
    fn completion_during_a_sync_waits_for_its_end() {
        let mut req = request("2016-01-01T00:00:00Z", SyncDurations::Fixed(d("10m")));
        // Sync 1 runs 01-02 00:10 to 00:20.
        req.complete_at = Some(t("2016-01-02T00:15:00Z"));
        req.lock_duration = d("30m");
        let got = steps(&req, "2016-02-01T00:00:00Z");
        let tail: Vec<_> = got[got.len() - 3..].to_vec();
        assert_eq!(
            tail,
            [
                ("2016-01-02T00:20:00.000Z".into(), MoveStep::SyncEnded { sync: 1 }),
                ("2016-01-02T00:20:00.000Z".into(), MoveStep::FinalizationStarted),
                ("2016-01-02T00:50:00.000Z".into(), MoveStep::Completed),
            ]
        );
    }

    #[test]
    fn completion_between_syncs_starts_at_complete_at() {
        let mut req = request("2016-01-01T00:00:00Z", SyncDurations::Fixed(d("10m")));
        req.complete_at = Some(t("2016-01-01T12:00:00Z"));
        let got = steps(&req, "2016-02-01T00:00:00Z");
        assert_eq!(got.len(), 4);
        assert_eq!(got[2], ("2016-01-01T12:00:00.000Z".into(), MoveStep::FinalizationStarted));
        assert_eq!(got[3], ("2016-01-01T12:01:00.000Z".into(), MoveStep::Completed));
    }

    #[test]
    fn a_sync_due_at_complete_at_does_not_start() {
        let mut req = request("2016-01-01T00:00:00Z", SyncDurations::Fixed(d("10m")));
        req.complete_at = Some(t("2016-01-02T00:10:00Z"));
        let got = steps(&req, "2016-02-01T00:00:00Z");
        assert_eq!(starts(&req, "2016-02-01T00:00:00Z").len(), 1);
        assert_eq!(got[2], ("2016-01-02T00:10:00.000Z".into(), MoveStep::FinalizationStarted));
    }

    #[test]
    fn failure_cuts_a_running_sync_and_wins_before_finalization() {
        let mut req = request("2016-01-01T00:00:00Z", SyncDurations::Fixed(d("10m")));
        req.fail_at = Some(t("2016-01-02T00:15:00Z"));
        req.complete_at = Some(t("2016-01-02T00:12:00Z"));
        let got = steps(&req, "2016-02-01T00:00:00Z");
        assert_eq!(
            got[2..].to_vec(),
            [
                (
                    "2016-01-02T00:10:00.000Z".into(),
                    MoveStep::SyncStarted { sync: 1, phase: MovePhase::Incremental }
                ),
                ("2016-01-02T00:15:00.000Z".into(), MoveStep::SyncEnded { sync: 1 }),
                ("2016-01-02T00:15:00.000Z".into(), MoveStep::Failed),
            ]
        );
    }

    #[test]
    fn failure_after_finalization_began_has_no_effect() {
        let mut req = request("2016-01-01T00:00:00Z", SyncDurations::Fixed(d("10m")));
        req.complete_at = Some(t("2016-01-01T12:00:00Z"));
        req.fail_at = Some(t("2016-01-01T12:00:00Z"));
        let got = steps(&req, "2016-02-01T00:00:00Z");
        assert!(got.iter().all(|(_, s)| *s != MoveStep::Failed));
        assert_eq!(got.last().unwrap().1, MoveStep::Completed);
        // And a failure between syncs, before complete_at, wins.
        req.fail_at = Some(t("2016-01-01T06:00:00Z"));
        let got = steps(&req, "2016-02-01T00:00:00Z");
        assert_eq!(got.last().unwrap(), &("2016-01-01T06:00:00.000Z".into(), MoveStep::Failed));
        assert!(got.iter().all(|(_, s)| *s != MoveStep::FinalizationStarted));
    }

    #[test]
    fn nothing_at_or_after_the_window_end() {
        let req = request("2016-01-01T00:00:00Z", SyncDurations::Fixed(d("10m")));
        // Syncs start at 01-01 00:00, 01-02 00:10, 01-03 00:20, ...
        assert_eq!(starts(&req, "2016-01-03T00:20:00Z").len(), 2);
        assert_eq!(starts(&req, "2016-01-03T00:20:00.001Z").len(), 3);
    }

    #[test]
    fn drawn_durations_are_in_range_and_reproducible() {
        let req =
            request("2016-01-01T00:00:00Z", SyncDurations::Uniform { lo: d("1m"), hi: d("15m") });
        let a = steps(&req, "2016-03-01T00:00:00Z");
        let b = steps(&req, "2016-03-01T00:00:00Z");
        assert_eq!(a, b);
        let mut start = None;
        for (at, s) in &a {
            match s {
                MoveStep::SyncStarted { .. } => start = Some(parse_instant(at).unwrap()),
                MoveStep::SyncEnded { .. } => {
                    let len = parse_instant(at).unwrap() - start.unwrap();
                    assert!((60_000..=900_000).contains(&len.as_millis()), "{len:?}");
                }
                _ => {}
            }
        }
    }
}
