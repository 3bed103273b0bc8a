//! The event queue: a monotone priority queue (a radix heap over instants)
//! with a total, documented order.

use crate::time::SimTime;
use std::collections::VecDeque;

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

/// Bits of a packed key given to the time (milliseconds since
/// [`SimTime::MIN`]: every instant up to [`SimTime::MAX`] fits).
const TIME_BITS: u32 = 48;
/// Bits of the planned index; the owner takes 32 and the kind 1.
const INDEX_BITS: u32 = 128 - TIME_BITS - 3 - 1 - 32;
/// Bits of a scheduled sequence number.
const SEQ_BITS: u32 = 128 - TIME_BITS - 3 - 1;

impl Key {
    /// The key as one integer with the same order: time, phase, then the
    /// tie (planned before scheduled; owner, index; or the sequence).
    ///
    /// Panics on a phase above 7 or a planned index of 2^44 or more: a run
    /// reaches neither before its event cap, and a wrong order must be
    /// loud. Any 64-bit sequence number fits its 76 bits.
    fn pack(self) -> u128 {
        let time = (self.time.as_millis() - SimTime::MIN.as_millis()) as u128;
        assert!(time >> TIME_BITS == 0, "{:?} is outside the instants a run has", self.time);
        assert!(self.phase < 8, "phase {} does not fit", self.phase);
        let tie = match self.tie {
            Tie::Planned { owner, index } => {
                assert!(index >> INDEX_BITS == 0, "planned index {index} does not fit");
                (u128::from(owner) << INDEX_BITS) | u128::from(index)
            }
            Tie::Scheduled(seq) => (1 << SEQ_BITS) | u128::from(seq),
        };
        (time << (128 - TIME_BITS)) | (u128::from(self.phase) << (SEQ_BITS + 1)) | tie
    }

    /// The key [`Key::pack`] packed.
    fn unpack(packed: u128) -> Key {
        let time =
            SimTime::from_millis((packed >> (128 - TIME_BITS)) as i64 + SimTime::MIN.as_millis());
        let phase = ((packed >> (SEQ_BITS + 1)) & 0b111) as u8;
        let tie = if packed >> SEQ_BITS & 1 == 1 {
            Tie::Scheduled((packed & ((1 << SEQ_BITS) - 1)) as u64)
        } else {
            Tie::Planned {
                owner: (packed >> INDEX_BITS) as u32,
                index: (packed & ((1 << INDEX_BITS) - 1)) as u64,
            }
        };
        Key { time, phase, tie }
    }
}

/// An item with its packed key.
struct Entry<T> {
    key: u128,
    item: T,
}

/// The time bits of a packed key.
fn time_of(packed: u128) -> u64 {
    (packed >> (128 - TIME_BITS)) as u64
}

/// A min-priority queue of items by [`Key`], for a run whose keys never go
/// back in time.
///
/// A radix heap over instants, with a sorted deque for the current one.
/// Items of a later instant `t` sit in bucket `b`, where `b - 1` is the
/// highest bit in which `t` differs from the current instant; when the
/// current instant is used up, the first non-empty bucket is emptied: its
/// earliest instant becomes current (its items are sorted by full key) and
/// the rest fall into lower buckets. Push is O(1): at a later instant, into
/// its bucket; at the current one, at the back of the deque when it comes
/// after what is left there, as a later phase does (else in its place,
/// shifting the shorter side). An item moves down at most 48 times, once
/// per time bit (in practice a few), along contiguous vectors, so the cost
/// of a pop does not grow with the number of queued items the way a binary
/// heap's scattered levels do, and only the items of one instant are ever
/// sorted. (The `radix-heap` crate cannot hand over all the items of one
/// instant, which the tie order needs.)
///
/// Keys are unique by construction (planned keys by owner and index,
/// scheduled ones by sequence number), so the pop order is total and does
/// not depend on the internal layout. Popping is monotonic, which a radix
/// heap needs: an item pushed before the last popped key is a model bug and
/// panics, loudly, rather than silently reordering time.
pub struct Queue<T> {
    /// Items of the current instant, sorted by key, smallest first.
    now: VecDeque<Entry<T>>,
    /// The current instant (time bits of a packed key).
    now_time: u64,
    /// Items of later instants, by highest differing bit plus one.
    later: Vec<Vec<Entry<T>>>,
    /// Items in `later`.
    later_len: usize,
    next_seq: u64,
    last: Option<u128>,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue {
            now: VecDeque::new(),
            now_time: 0,
            later: (0..=TIME_BITS).map(|_| Vec::new()).collect(),
            later_len: 0,
            next_seq: 0,
            last: None,
        }
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
        let packed = key.pack();
        if let Some(last) = self.last {
            assert!(
                packed > last,
                "scheduled {key:?} at or before the current {:?}",
                Key::unpack(last)
            );
        }
        self.insert(Entry { key: packed, item });
    }

    fn insert(&mut self, entry: Entry<T>) {
        let t = time_of(entry.key);
        if t == self.now_time {
            // Usually after everything left (a later phase, a later
            // sequence number): then at the back, in O(1); else in its
            // place, shifting the shorter side.
            if self.now.back().is_none_or(|last| last.key < entry.key) {
                self.now.push_back(entry);
            } else {
                let at = self.now.partition_point(|e| e.key < entry.key);
                self.now.insert(at, entry);
            }
        } else {
            // `t` is later than `now_time` (nothing is pushed into the
            // past): its bucket is that of the highest bit they differ in.
            let bucket = (u64::BITS - (t ^ self.now_time).leading_zeros()) as usize;
            self.later[bucket].push(entry);
            self.later_len += 1;
        }
    }

    /// Removes and returns the earliest item.
    pub fn pop(&mut self) -> Option<(Key, T)> {
        if self.now.is_empty() {
            self.advance()?;
        }
        let Entry { key, item } = self.now.pop_front()?;
        self.last = Some(key);
        Some((Key::unpack(key), item))
    }

    /// Makes the earliest later instant current.
    fn advance(&mut self) -> Option<()> {
        if self.later_len == 0 {
            return None;
        }
        let b = self.later.iter().position(|bucket| !bucket.is_empty())?;
        let bucket = std::mem::take(&mut self.later[b]);
        self.later_len -= bucket.len();
        self.now_time = bucket.iter().map(|e| time_of(e.key)).min()?;
        // The current instant's items go into the (empty) deque's buffer.
        let mut current: Vec<Entry<T>> = std::mem::take(&mut self.now).into();
        let mut bucket = bucket;
        for entry in bucket.drain(..) {
            if time_of(entry.key) == self.now_time {
                current.push(entry);
            } else {
                self.insert(entry);
            }
        }
        // The emptied vector keeps its capacity for the next items.
        self.later[b] = bucket;
        // One sort of the instant's items: many share an instant (every
        // reminder of a half hour), and a sorted deque pops them without a
        // heap's scattered sifting.
        current.sort_unstable_by_key(|e| e.key);
        self.now = current.into();
        Some(())
    }

    /// Items queued.
    pub fn len(&self) -> usize {
        self.now.len() + self.later_len
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
    fn packing_keeps_the_order_and_round_trips() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut keys: Vec<Key> = (0..5_000)
            .map(|_| {
                let time = match rng.random_range(0..4) {
                    0 => SimTime::MIN,
                    1 => SimTime::MAX,
                    _ => SimTime::from_millis(rng.random_range(-1_000..1_000)),
                };
                let tie = if rng.random() {
                    Tie::Planned {
                        owner: rng.random_range(0..3u32).wrapping_sub(1),
                        index: rng.random_range(0..(1u64 << 44)),
                    }
                } else {
                    Tie::Scheduled(rng.random_range(0..(1u64 << 62)))
                };
                Key { time, phase: rng.random_range(1..6), tie }
            })
            .collect();
        for k in &keys {
            assert_eq!(Key::unpack(k.pack()), *k);
        }
        let mut packed: Vec<u128> = keys.iter().map(|k| k.pack()).collect();
        keys.sort();
        packed.sort();
        assert_eq!(keys, packed.into_iter().map(Key::unpack).collect::<Vec<_>>());
    }

    /// Against a sorted list: random pushes (never before the last pop)
    /// interleaved with pops, at instants near and far.
    #[test]
    fn pops_in_key_order_whatever_the_pushes() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for case in 0..200 {
            let mut q = Queue::new();
            let mut reference: Vec<Key> = Vec::new();
            let mut now = 0i64;
            let mut popped: Option<Key> = None;
            let spread = [1, 10, 1_000, 86_400_000, 1 << 40][case % 5];
            for _ in 0..300 {
                for _ in 0..rng.random_range(0..4) {
                    let time = now + rng.random_range(0..spread);
                    let key = Key {
                        time: SimTime::from_millis(time),
                        phase: rng.random_range(1..6),
                        tie: Tie::Scheduled(q.next_seq()),
                    };
                    if popped.is_none_or(|last| key > last) {
                        q.push(key, key);
                        reference.push(key);
                    }
                }
                reference.sort();
                if rng.random_range(0..3) > 0 && !reference.is_empty() {
                    let want = reference.remove(0);
                    let (got, item) = q.pop().expect("an item");
                    assert_eq!((got, item), (want, want), "case {case}");
                    now = got.time.as_millis();
                    popped = Some(got);
                }
            }
            while let Some((got, _)) = q.pop() {
                assert_eq!(got, reference.remove(0), "case {case}");
            }
            assert!(reference.is_empty() && q.is_empty());
        }
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
