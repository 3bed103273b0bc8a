//! The event queue: a binary heap with a total, documented order.

use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// How two happenings at the same instant and phase are ordered.
///
/// Everything known before a run starts is [`Tie::Planned`] and comes
/// first, ordered by the owning component's position in the scenario file
/// and then by the component's own sequence. Everything scheduled while the
/// run is going is [`Tie::Scheduled`] and comes after, first scheduled first
/// (the number comes from [`Queue::next_seq`]). This is exactly the order a
/// FIFO queue gives when the plan is pushed first, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tie {
    /// Known at setup: `owner` is the component's index in the file,
    /// `index` its own running number.
    Planned {
        /// Index of the owning component in file order.
        owner: u32,
        /// The component's own sequence number for this happening.
        index: u64,
    },
    /// Scheduled during the run: a number from [`Queue::next_seq`].
    Scheduled(u64),
}

/// The position of one happening in the total order of a run: time, then
/// phase, then [`Tie`]. Derived `Ord` compares the fields in that order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// When it happens.
    pub time: SimTime,
    /// The phase within the instant; lower runs first.
    pub phase: u8,
    /// Order within the instant and phase.
    pub tie: Tie,
}

struct Entry<T> {
    key: Key,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    /// Reversed, so that the max-heap pops the smallest key.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// A min-priority queue of items by [`Key`].
///
/// Push and pop are O(log n) in the number of queued items. Keys are unique
/// by construction (planned keys by owner and index, scheduled ones by
/// sequence number), so the pop order is total and does not depend on the
/// heap's internal layout. Popping is checked to be monotonic: an item
/// scheduled before the last popped key is a model bug and panics, loudly,
/// rather than silently reordering time.
pub struct Queue<T> {
    heap: BinaryHeap<Entry<T>>,
    next_seq: u64,
    last: Option<Key>,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue { heap: BinaryHeap::new(), next_seq: 0, last: None }
    }
}

impl<T> Queue<T> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next [`Tie::Scheduled`] number: later calls order after earlier ones.
    pub fn next_seq(&mut self) -> u64 {
        self.reserve_seq(1)
    }

    /// Reserves `n` consecutive scheduled numbers and returns the first. A
    /// component that conceptually schedules `n` happenings at once but only
    /// keeps the earliest in the queue gives the k-th one `first + k`, which
    /// orders it exactly as if all `n` had been pushed now.
    pub fn reserve_seq(&mut self, n: u64) -> u64 {
        let first = self.next_seq;
        self.next_seq += n;
        first
    }

    /// Schedules `item` at `key`.
    pub fn push(&mut self, key: Key, item: T) {
        if let Some(last) = self.last {
            assert!(key > last, "scheduled {key:?} at or before the current {last:?}");
        }
        self.heap.push(Entry { key, item });
    }

    /// Removes and returns the earliest item.
    pub fn pop(&mut self) -> Option<(Key, T)> {
        let Entry { key, item } = self.heap.pop()?;
        self.last = Some(key);
        Some((key, item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ms: i64, phase: u8, tie: Tie) -> Key {
        Key { time: SimTime::from_millis(ms), phase, tie }
    }

    #[test]
    fn orders_by_time_then_phase_then_plan_then_fifo() {
        let mut q = Queue::new();
        let a = q.next_seq();
        let b = q.next_seq();
        q.push(key(10, 3, Tie::Scheduled(b)), "t10 p3 second-scheduled");
        q.push(key(10, 3, Tie::Scheduled(a)), "t10 p3 first-scheduled");
        let c = q.next_seq();
        q.push(key(10, 1, Tie::Scheduled(c)), "t10 p1");
        q.push(key(10, 3, Tie::Planned { owner: 1, index: 0 }), "t10 p3 planned owner 1");
        q.push(key(10, 3, Tie::Planned { owner: 0, index: 7 }), "t10 p3 planned owner 0");
        let d = q.next_seq();
        q.push(key(5, 5, Tie::Scheduled(d)), "t5 p5");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, s)| s)).collect();
        assert_eq!(
            order,
            [
                "t5 p5",
                "t10 p1",
                "t10 p3 planned owner 0",
                "t10 p3 planned owner 1",
                "t10 p3 first-scheduled",
                "t10 p3 second-scheduled",
            ]
        );
    }

    #[test]
    fn reserved_blocks_order_like_individual_pushes() {
        let mut q = Queue::new();
        let block = q.reserve_seq(3);
        let later = q.next_seq();
        q.push(key(10, 4, Tie::Scheduled(later)), "later");
        q.push(key(10, 4, Tie::Scheduled(block + 2)), "block third");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, s)| s)).collect();
        assert_eq!(order, ["block third", "later"]);
    }

    #[test]
    fn refuses_to_go_back_in_time() {
        let mut q = Queue::new();
        q.push(key(10, 2, Tie::Scheduled(0)), ());
        q.pop();
        let result = std::panic::catch_unwind(move || {
            q.push(key(10, 1, Tie::Scheduled(1)), ());
        });
        assert!(result.is_err());
    }
}
