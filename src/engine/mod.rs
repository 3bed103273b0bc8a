//! The discrete-event engine: the ordered queue and the random streams.
//!
//! Architecture invariant: this module knows nothing about Exchange, files or
//! YAML. It does no IO and reads no clock; a run's only sources of change are
//! the keys pushed into its [`Queue`] and the streams made by [`rng::stream`].

mod queue;
pub mod rng;

pub use queue::{Key, Queue, Tie};
