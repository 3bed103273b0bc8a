//! A grid of equal time buckets over a window, for series that charts and
//! traces sample (backlog, mailboxes paused, missed reminders).

use super::{DAY_MS, HOUR_MS, MINUTE_MS, SimTime};

/// Equal buckets covering `[start, end)`: bucket `i` is
/// `[start + i * width, start + (i + 1) * width)`, the last one cut at `end`.
///
/// The width is the smallest "round" duration (1 minute, 5, 10, 15, 30
/// minutes, 1, 2, 3, 6, 12 hours, or a whole number of days) that needs at
/// most [`Grid::MAX_BUCKETS`] buckets, so a chart's points fall on times a
/// reader can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    start: SimTime,
    end: SimTime,
    width_ms: i64,
}

impl Grid {
    /// The most buckets a window is split into.
    pub const MAX_BUCKETS: i64 = 500;

    /// The grid for the window `[start, end)`; `end` must not be before
    /// `start`.
    pub fn for_window(start: SimTime, end: SimTime) -> Grid {
        const ROUND: [i64; 10] = [
            MINUTE_MS,
            5 * MINUTE_MS,
            10 * MINUTE_MS,
            15 * MINUTE_MS,
            30 * MINUTE_MS,
            HOUR_MS,
            2 * HOUR_MS,
            3 * HOUR_MS,
            6 * HOUR_MS,
            12 * HOUR_MS,
        ];
        let span = (end.as_millis() - start.as_millis()).max(1);
        let needed = ceil_div(span, Self::MAX_BUCKETS);
        let width_ms = ROUND
            .iter()
            .copied()
            .find(|&w| w >= needed)
            .unwrap_or_else(|| ceil_div(needed, DAY_MS).saturating_mul(DAY_MS));
        Grid { start, end, width_ms }
    }

    /// First instant of the window.
    pub fn start(&self) -> SimTime {
        self.start
    }

    /// End of the window (exclusive).
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// Bucket width in milliseconds.
    pub fn width_ms(&self) -> i64 {
        self.width_ms
    }

    /// Number of buckets (at least one).
    pub fn len(&self) -> usize {
        let span = (self.end.as_millis() - self.start.as_millis()).max(1);
        ceil_div(span, self.width_ms) as usize
    }

    /// Always false: a grid has at least one bucket.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The bucket holding `t`, clamped to the grid.
    pub fn bucket(&self, t: SimTime) -> usize {
        let offset = (t.as_millis() - self.start.as_millis()).max(0) / self.width_ms;
        (offset as usize).min(self.len() - 1)
    }

    /// First instant of bucket `i` (the window end for `i == len()`).
    pub fn bucket_start(&self, i: usize) -> SimTime {
        let t = self.start.as_millis().saturating_add((i as i64).saturating_mul(self.width_ms));
        SimTime::from_millis(t.min(self.end.as_millis()))
    }
}

/// `a / b` rounded up, for positive `a` and `b`.
fn ceil_div(a: i64, b: i64) -> i64 {
    (a as u64).div_ceil(b as u64) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(days: i64, extra_ms: i64) -> Grid {
        Grid::for_window(SimTime::from_millis(0), SimTime::from_millis(days * DAY_MS + extra_ms))
    }

    #[test]
    fn widths_are_round_and_buckets_few() {
        assert_eq!(grid(8, 0).width_ms(), 30 * MINUTE_MS);
        assert_eq!(grid(8, 0).len(), 384);
        assert_eq!(grid(30, 0).width_ms(), 2 * HOUR_MS);
        assert_eq!(grid(3650, 0).width_ms(), 8 * DAY_MS);
        assert_eq!(grid(0, 1).len(), 1);
        for days in [0, 1, 7, 30, 365, 3650, 3_000_000] {
            assert!(grid(days, 17).len() as i64 <= Grid::MAX_BUCKETS, "{days}");
        }
    }

    #[test]
    fn buckets_cover_the_window() {
        let g = grid(1, 1);
        assert_eq!(g.len(), 289); // 5-minute buckets, the last one 1 ms long
        assert_eq!(g.bucket(SimTime::from_millis(0)), 0);
        assert_eq!(g.bucket(SimTime::from_millis(5 * MINUTE_MS)), 1);
        assert_eq!(g.bucket(SimTime::from_millis(DAY_MS)), 288);
        assert_eq!(g.bucket(SimTime::from_millis(10 * DAY_MS)), 288);
        assert_eq!(g.bucket_start(289), g.end());
    }
}
