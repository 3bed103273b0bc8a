//! Feeds arbitrary bytes to the evidence reader as `cnasim diagnose FILE`
//! and `cnasim import FILE` read one file: decoded as text, read into
//! evidence (times without a zone in UTC), diagnosed, and the diagnosis
//! rendered as text and as JSON; when the diagnosis found a
//! MailboxMoveStarted, the scenario `cnasim import` would write is built
//! (which reads itself back and plans its move). Nothing may panic, hang
//! or allocate without bound, whatever the file holds; and a file that is
//! refused is refused with a located message: this file's name, a line
//! within it (0 for the whole file) and words saying what is wrong.
//!
//! Seeds: `fuzz/seeds/evidence/`, the files of the evidence corpus
//! (`tests/evidence/`, written for the project in the real layouts),
//! the refused ones included.

#![no_main]

use cnasim::diagnosis::{self, render};
use cnasim::evidence::{self, Evidence, ReadOptions};
use cnasim::import::{self, ImportOptions};
use cnasim::scenario::ScenarioError;
use libfuzzer_sys::fuzz_target;

/// The file's name in messages.
const NAME: &str = "fuzz.txt";

/// Checks that a refusal says where and what.
fn located(e: &ScenarioError, lines: usize) {
    assert_eq!(e.path, NAME, "{e}");
    assert!(e.line <= lines as u64 + 1, "line {} of {lines}: {e}", e.line);
    assert!(!e.message.trim().is_empty(), "an empty message at line {}", e.line);
    let _ = e.to_string();
}

fuzz_target!(|data: &[u8]| {
    let text = match evidence::decode(NAME, data) {
        Ok(text) => text,
        Err(e) => {
            let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
            return located(&e, lines);
        }
    };
    let options = ReadOptions::default();
    let mut read = Evidence::default();
    if let Err(e) = evidence::read_text(NAME, &text, &options, &mut read) {
        return located(&e, text.lines().count());
    }
    read.files.push(NAME.into());
    let d = diagnosis::diagnose(read);
    let _ = render::text(&d);
    let _ = render::json(&d);
    if d.mailboxes.iter().any(|m| !m.move_starts.is_empty()) {
        let options =
            ImportOptions { name: "fuzz".into(), seed: 1, assume_daily: data.len() % 2 == 0 };
        match import::scenario(&d, &options) {
            Ok(imported) => drop(imported.yaml),
            // The scenario is read back before it is returned: one it
            // cannot read or whose plan misses the evidence's times is a bug.
            Err(why) => {
                assert!(!why.trim().is_empty(), "an empty message");
                assert!(!why.contains("bug in cnasim"), "{why}");
            }
        }
    }
});
