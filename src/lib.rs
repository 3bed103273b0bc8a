//! cnasim: a deterministic discrete-event simulator of the Exchange Calendar
//! Notification Assistant under mailbox move requests.
//!
//! The pipeline: a scenario file ([`scenario`]) becomes a validated
//! [`model::World`]; the [`engine`] runs it under each policy
//! ([`model::sim`]), pushing records to observers; [`output`] turns what
//! they collected into files and tables. See ARCHITECTURE.md.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Printing goes through `console`, which never panics on a stream that
// cannot be written.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod check;
pub mod cli;
pub mod console;
pub mod diagnosis;
pub mod engine;
pub mod evidence;
pub mod import;
pub mod model;
pub mod output;
pub mod runner;
pub mod scenario;
pub mod sweep;
pub mod time;
