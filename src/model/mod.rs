//! The Exchange model: databases and their event streams, move requests,
//! users, calendars and the Calendar Notification Assistant with its
//! policies (MODEL.md), run on the [`crate::engine`].
//!
//! Architecture invariant: no IO. Everything here takes a validated
//! [`World`] and reports through an [`Observer`]; files are the business of
//! [`crate::output`].

pub mod addresses;
pub mod budget;
pub mod calendar;
pub mod database;
pub mod events;
pub mod expectation;
pub mod metrics;
pub mod move_request;
pub mod plan;
pub mod policy;
pub mod population;
pub mod record;
pub mod sim;
pub mod world;

pub use metrics::{Metrics, MetricsObserver, Outcome};
pub use plan::Plan;
pub use policy::Policy;
pub use record::{Observer, Record};
pub use world::World;

use sim::RunError;

/// Runs `world` under `policy` and measures it, also feeding `extra`.
pub fn simulate<O: Observer>(
    world: &World,
    plan: &Plan,
    policy: &Policy,
    extra: O,
) -> Result<(Outcome, O), RunError> {
    let (metrics, extra) =
        sim::run(world, plan, policy, (MetricsObserver::new(world, plan), extra))?;
    Ok((metrics.into_outcome(), extra))
}
