//! The files people look at: timeline.png, timeline.svg, trace.json and
//! report.html, for every scenario in `scenarios/`. (Byte-identity across
//! two runs is checked with the whole folder in `scenarios.rs`.)

use cnasim::runner::run_to_folder;
use cnasim::scenario::{Overrides, load_with};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod common;
use common::scenario_files;

struct Written {
    folder: PathBuf,
    world: cnasim::model::World,
    run: cnasim::runner::ScenarioRun,
}

/// Every scenario, run once for all the tests here (the overloaded
/// dispatcher's millions of events are slow in a debug build).
fn written() -> &'static [(PathBuf, Written)] {
    static ALL: OnceLock<Vec<(PathBuf, Written)>> = OnceLock::new();
    ALL.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("views");
        scenario_files()
            .into_iter()
            .map(|path| {
                let world =
                    load_with(&path, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
                let run = run_to_folder(&world, &out).unwrap_or_else(|e| panic!("{e}"));
                let folder = run.folder.clone().unwrap();
                (path, Written { folder, world, run })
            })
            .collect()
    })
}

/// Whether the timeline draws a lane per mailbox (else population panels).
fn drawn_as_lanes(w: &Written) -> bool {
    cnasim::output::chart::draws_lanes(&w.world)
}

/// The mailboxes followed in detail: all of them, or in a large world the
/// first SMS users.
fn followed(w: &Written) -> Vec<&cnasim::model::world::Mailbox> {
    cnasim::output::timeline::followed(&w.world)
        .into_iter()
        .map(|m| &w.world.mailboxes[m.index()])
        .collect()
}

fn policy_names(w: &Written) -> Vec<String> {
    w.world.policies.iter().map(|p| p.name.clone()).collect()
}

#[test]
fn every_scenario_draws_a_png_and_an_svg_naming_each_policy() {
    for (path, w) in written() {
        let png = std::fs::File::open(w.folder.join("timeline.png")).unwrap();
        let mut reader = png::Decoder::new(png).read_info().expect("a valid PNG");
        let mut pixels = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut pixels).expect("PNG pixels decode");
        assert_eq!(frame.width, cnasim::output::chart::WIDTH, "{}", path.display());
        assert!(frame.height >= 200, "{}: {} px high", path.display(), frame.height);
        // Not a blank image: the state band's colours are there (or, for
        // a population drawn as panels, the first policy's lines).
        let rgb = |c: plotters::style::RGBColor| [c.0, c.1, c.2];
        let count = |c: [u8; 3]| pixels.chunks(3).filter(|p| *p == c).count();
        let lanes = drawn_as_lanes(w);
        let ink = if lanes {
            cnasim::output::chart::style::ACTIVE
        } else {
            cnasim::output::chart::style::policy_color(0)
        };
        let inked = count(rgb(ink));
        assert!(inked > 1_000, "{}: {inked} pixels of the state or line colour", path.display());

        let svg = std::fs::read_to_string(w.folder.join("timeline.svg")).unwrap();
        assert!(svg.trim_start().starts_with("<svg") || svg.starts_with("<?xml"));
        assert!(svg.trim_end().ends_with("</svg>"), "{}", path.display());
        for policy in policy_names(w) {
            let named = if lanes { format!("{policy}: ") } else { format!("\n{policy}\n</text>") };
            assert!(svg.contains(&named), "{}: SVG lacks {policy}", path.display());
        }
        if lanes {
            for m in &w.world.mailboxes {
                assert!(svg.contains(&m.name), "{}: SVG lacks lane {}", path.display(), m.name);
            }
        } else {
            assert!(svg.contains("Missed reminders, cumulative"), "{}", path.display());
        }
    }
}

/// A parsed trace.json with its events grouped.
struct Trace {
    events: Vec<Value>,
}

impl Trace {
    fn load(folder: &Path) -> Trace {
        let text = std::fs::read_to_string(folder.join("trace.json")).unwrap();
        let doc: Value = serde_json::from_str(&text).expect("trace.json is JSON");
        let events = doc["traceEvents"].as_array().expect("a traceEvents array").clone();
        Trace { events }
    }

    fn of(&self, ph: &str) -> impl Iterator<Item = &Value> {
        self.events.iter().filter(move |e| e["ph"] == ph)
    }
}

#[test]
fn every_trace_is_well_formed_chrome_trace_json() {
    for (path, w) in written() {
        let trace = Trace::load(&w.folder);
        let start_us = 0;
        let end_us = (w.world.end - w.world.start).as_millis() * 1_000;
        let mut named_threads = BTreeMap::new();
        let mut processes = BTreeMap::new();
        for e in &trace.events {
            let ph = e["ph"].as_str().expect("every event has ph");
            assert!(["M", "X", "i", "C"].contains(&ph), "{}: unexpected ph {ph}", path.display());
            assert!(e["name"].is_string() && e["pid"].is_u64() && e["tid"].is_u64(), "{e}");
            let key = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
            match ph {
                "M" if e["name"] == "thread_name" => {
                    named_threads.insert(key, e["args"]["name"].as_str().unwrap().to_string());
                }
                "M" if e["name"] == "process_name" => {
                    processes.insert(key.0, e["args"]["name"].as_str().unwrap().to_string());
                }
                "M" => assert!(e["args"]["sort_index"].is_u64(), "{e}"),
                _ => {
                    let ts = e["ts"].as_i64().expect("ts in whole microseconds");
                    assert!((start_us..=end_us).contains(&ts), "{}: {e}", path.display());
                }
            }
            match ph {
                "X" => {
                    let dur = e["dur"].as_i64().expect("dur");
                    assert!(dur >= 0 && e["ts"].as_i64().unwrap() + dur <= end_us, "{e}");
                }
                "i" => assert_eq!(e["s"], "t", "{e}"),
                "C" => {
                    let args = e["args"].as_object().expect("counter args");
                    assert!(!args.is_empty() && args.values().all(Value::is_number), "{e}");
                }
                _ => {}
            }
        }
        // A process per policy, named after it.
        let names: Vec<String> = processes.values().cloned().collect();
        let wanted: Vec<String> = policy_names(w).iter().map(|p| format!("policy {p}")).collect();
        assert_eq!(names, wanted, "{}", path.display());
        // Every thread that carries events is named, and per thread the
        // complete events nest (Perfetto draws overlapping ones wrongly).
        let mut spans: BTreeMap<(u64, u64), Vec<(i64, i64)>> = BTreeMap::new();
        for e in trace.of("X").chain(trace.of("i")) {
            let key = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
            assert!(named_threads.contains_key(&key), "{}: unnamed thread {key:?}", path.display());
            if e["ph"] == "X" {
                let ts = e["ts"].as_i64().unwrap();
                spans.entry(key).or_default().push((ts, ts + e["dur"].as_i64().unwrap()));
            }
        }
        for (key, mut list) in spans {
            list.sort();
            for pair in list.windows(2) {
                assert!(pair[0].1 <= pair[1].0, "{}: overlap on {key:?}: {pair:?}", path.display());
            }
        }
        // Each followed mailbox's assistant thread covers the window with
        // states.
        for m in followed(w) {
            let thread = format!("{}: assistant", m.name);
            let tids: Vec<_> = named_threads.iter().filter(|(_, n)| **n == thread).collect();
            assert_eq!(tids.len(), w.world.policies.len(), "{}: {thread}", path.display());
            for (key, _) in tids {
                let covered: i64 = trace
                    .of("X")
                    .filter(|e| (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap()) == *key)
                    .map(|e| e["dur"].as_i64().unwrap())
                    .sum();
                assert_eq!(covered, end_us - start_us, "{}: {thread}", path.display());
            }
        }
    }
}

#[test]
fn the_seed_incident_trace_agrees_with_its_metrics() {
    let (_, w) = written().iter().find(|(p, _)| p.ends_with("seed-incident.yaml")).unwrap();
    let trace = Trace::load(&w.folder);
    for (pid, result) in w.run.results.iter().enumerate() {
        let pid = pid as u64 + 1;
        let mine = |name: &str| {
            trace
                .events
                .iter()
                .filter(move |e| e["pid"] == pid && e["name"] == name)
                .collect::<Vec<_>>()
        };
        let m = &result.outcome.metrics;
        assert_eq!(mine("SMS sent").len() as u64, m.sms_sent, "{}", result.policy.name);
        assert_eq!(mine("reminder missed").len() as u64, m.reminders_missed);
        assert_eq!(mine("reminder late").len() as u64, m.reminders_late);
        assert_eq!(mine("MailboxMoveStarted").len() as u64, m.move_started_events);
        // The user always wants SMS after enabling, so paused time is the
        // dropout time.
        let paused_us: i64 = mine("paused").iter().map(|e| e["dur"].as_i64().unwrap()).sum();
        let hours = paused_us as f64 / 3.6e9;
        assert!((hours - m.dropout_hours).abs() < 1e-9, "{hours} vs {}", m.dropout_hours);
        // The population counters say the same per bucket: the mean number
        // of mailboxes paused, integrated over the window.
        let grid = cnasim::time::Grid::for_window(w.world.start, w.world.end);
        let samples: Vec<(i64, f64)> = trace
            .events
            .iter()
            .filter(|e| e["pid"] == pid && e["name"] == "mailboxes (mean per bucket)")
            .map(|e| (e["ts"].as_i64().unwrap(), e["args"]["paused"].as_f64().unwrap()))
            .collect();
        let mut integral = 0.0;
        for (k, &(ts, v)) in samples.iter().enumerate() {
            let end_us = (w.world.end - w.world.start).as_millis() * 1_000;
            let next = samples.get(k + 1).map_or(end_us, |s| s.0);
            integral += v * (next - ts) as f64;
        }
        let hours = integral / 3.6e9;
        // Means are rounded to 0.01 per bucket in the trace.
        let tolerance = 0.005 * grid.len() as f64 * grid.width_ms() as f64 / 3.6e6;
        assert!((hours - m.dropout_hours).abs() <= tolerance, "{hours} vs {}", m.dropout_hours);
    }
    // The chart's header lines give the same figures.
    let svg = std::fs::read_to_string(w.folder.join("timeline.svg")).unwrap();
    for (pid, result) in w.run.results.iter().enumerate() {
        let stops = trace
            .events
            .iter()
            .filter(|e| e["pid"] == pid as u64 + 1 && e["name"] == "StopAll")
            .count();
        let m = &result.outcome.metrics;
        let header = format!(
            "{}: {stops} of {} MailboxMoveStarted answered with StopAll",
            result.policy.name, m.move_started_events
        );
        assert!(svg.contains(&header), "no header {header:?}");
        let figures = format!(
            "reminders: {} on time, {} late, {} missed of {}; {} dropouts, {:.1} h without SMS",
            m.reminders_on_time,
            m.reminders_late,
            m.reminders_missed,
            m.reminders_expected,
            m.dropouts,
            m.dropout_hours
        );
        assert!(svg.contains(&figures), "no figures {figures:?}");
    }
    // legacy stops SMS; fixed never pauses.
    assert!(trace.events.iter().any(|e| e["pid"] == 1 && e["name"] == "StopAll"));
    assert!(!trace.events.iter().any(|e| e["pid"] == 2 && e["name"] == "StopAll"));
}

#[test]
fn every_report_is_one_self_contained_page() {
    for (path, w) in written() {
        let html = std::fs::read_to_string(w.folder.join("report.html")).unwrap();
        let lower = html.to_ascii_lowercase();
        for forbidden in
            ["<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url("]
        {
            assert!(!lower.contains(forbidden), "{}: report has {forbidden}", path.display());
        }
        for attr in ["src=", "href=\"http", "href=\"//", "xlink:href=\"http"] {
            assert!(!lower.contains(attr), "{}: report refers outside: {attr}", path.display());
        }
        // Links only to files in the same folder, each of which exists.
        for part in html.split("href=\"").skip(1) {
            let target = &part[..part.find('"').unwrap()];
            assert!(w.folder.join(target).is_file(), "{}: link to {target}", path.display());
        }
        assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
        assert_eq!(html.matches("<svg").count(), 1, "{}: one inline chart", path.display());
        let first_words: String =
            w.world.description.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
        let escaped = cnasim::output::report_html::escape(&first_words);
        assert!(html.contains(&escaped), "{}: description", path.display());
        for metric in cnasim::model::metrics::METRIC_NAMES {
            assert!(html.contains(&format!("<td>{metric}</td>")), "{}: {metric}", path.display());
        }
        let dropouts: usize = w.run.results.iter().map(|r| r.outcome.dropouts.len()).sum();
        assert!(html.contains(&format!("<h2>Dropouts ({dropouts})</h2>")), "{}", path.display());
        let rows = html
            .split("<table id=\"dropouts\">")
            .nth(1)
            .map_or(0, |t| t[..t.find("</table>").unwrap()].matches("<tr><td").count());
        assert_eq!(rows, dropouts.min(cnasim::output::report_html::MAX_DROPOUT_ROWS));
    }
}

#[test]
fn the_readme_picture_is_what_the_tool_draws() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_, w) = written().iter().find(|(p, _)| p.ends_with("seed-incident.yaml")).unwrap();
    let drawn = std::fs::read(w.folder.join("timeline.png")).unwrap();
    let committed = root.join("docs/seed-incident-timeline.png");
    if std::env::var_os("CNASIM_UPDATE_GOLDEN").is_some() {
        std::fs::write(&committed, &drawn).unwrap();
    }
    let stored = std::fs::read(&committed).expect("docs/seed-incident-timeline.png");
    assert!(
        stored == drawn,
        "docs/seed-incident-timeline.png is stale: rerun with CNASIM_UPDATE_GOLDEN=1"
    );
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("docs/seed-incident-timeline.png"), "the README shows the picture");
}

/// A world of `n` mailboxes: every third without SMS, every other moving
/// nightly, DB01 loaded with background traffic and a service time.
fn crowd_yaml(n: usize) -> String {
    let mut y = String::from(
        "name: crowd\nseed: 5\nstart: 2016-01-24T00:00:00Z\nduration: 10d\ndatabases:\n  \
         - { name: DB01, service_time: 100ms, background: { rate_per_hour: 3600 } }\n  \
         - { name: DB02 }\n  - { name: DB03 }\nmailboxes:\n",
    );
    for i in 0..n {
        y += &format!("  - name: user{i}\n    database: DB0{}\n", i % 2 + 1);
        if i % 3 != 0 {
            y += &format!("    sms: {{ enable_at: 2016-01-24T0{}:00:00Z }}\n", i % 9);
        }
        if i % 3 == 1 {
            y += "    user: { reconfigure_after_missed: 1, reaction: 2h }\n";
        }
        y += &format!(
            "    calendar:\n      - {{ subject: Standup, start: 2016-01-24T{:02}:30:00Z, \
             duration: 15m, reminder: 15m, repeat: {{ every: 1d, count: 30 }} }}\n",
            9 + i % 8
        );
        if i % 2 == 0 {
            y += &format!(
                "    move: {{ target: DB03, start: 2016-01-25T{:02}:10:00Z, \
                 incremental_sync_interval: 1d, sync_duration: 20m }}\n",
                18 + i % 5
            );
        }
    }
    y
}

#[test]
fn large_worlds_get_population_panels_and_follow_a_hundred_mailboxes() {
    let yaml = crowd_yaml(150);
    let world = cnasim::scenario::parse(&yaml, "crowd.yaml", "crowd", &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let run = run_to_folder(&world, dir.path()).unwrap();
    let folder = run.folder.unwrap();
    let svg = std::fs::read_to_string(folder.join("timeline.svg")).unwrap();
    for title in [
        "Mailboxes the assistant is serving",
        "Mailboxes paused by StopAll",
        "Missed reminders",
        "Backlog",
    ] {
        assert!(svg.contains(title), "no panel {title}");
    }
    assert!(!svg.contains("user0\n"), "no lanes for a crowd");
    let png = std::fs::File::open(folder.join("timeline.png")).unwrap();
    png::Decoder::new(png).read_info().expect("a valid PNG");

    let trace = Trace::load(&folder);
    let assistant_threads: Vec<String> = trace
        .of("M")
        .filter(|e| e["name"] == "thread_name" && e["pid"] == 1)
        .map(|e| e["args"]["name"].as_str().unwrap().to_string())
        .filter(|n| n.ends_with(": assistant"))
        .collect();
    assert_eq!(assistant_threads.len(), cnasim::output::timeline::DETAILED_MAILBOXES);
    // The followed ones are SMS users (user0, user3, ... have none).
    assert!(!assistant_threads.contains(&"user0: assistant".to_string()));
    assert!(assistant_threads.contains(&"user1: assistant".to_string()));
    // The population counters cover everyone: the last cumulative missed
    // count is the metric.
    for (pid, result) in run.results.iter().enumerate() {
        let last = trace
            .of("C")
            .filter(|e| e["pid"] == pid as u64 + 1 && e["name"] == "missed reminders (cumulative)")
            .last()
            .map_or(0, |e| e["args"]["missed"].as_u64().unwrap());
        assert_eq!(last, result.outcome.metrics.reminders_missed, "{}", result.policy.name);
        let backlog = trace
            .of("C")
            .filter(|e| e["pid"] == pid as u64 + 1 && e["name"] == "backlog DB01")
            .map(|e| e["args"]["backlog"].as_u64().unwrap())
            .max();
        assert_eq!(backlog, Some(result.outcome.metrics.max_backlog));
    }
    // legacy loses reminders in this crowd, fixed does not.
    assert!(run.results[0].outcome.metrics.reminders_missed > 0);
    assert_eq!(run.results[1].outcome.metrics.reminders_missed, 0);
}

/// Runs an inline scenario to a folder and returns the folder's files.
fn views_of(yaml: &str) -> BTreeMap<String, Vec<u8>> {
    let world = cnasim::scenario::parse(yaml, "edge.yaml", "edge", &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let folder = run_to_folder(&world, dir.path()).unwrap().folder.unwrap();
    ["timeline.png", "timeline.svg", "trace.json", "report.html"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(folder.join(f)).unwrap()))
        .collect()
}

fn png_height(bytes: &[u8]) -> u32 {
    png::Decoder::new(bytes).read_info().expect("a valid PNG").info().height
}

#[test]
fn edge_worlds_still_draw_bounded_charts() {
    // No mailboxes at all.
    let files = views_of(
        "name: none\nstart: 2016-01-24T00:00:00Z\nduration: 1d\ndatabases: [{ name: DB01 }]\n",
    );
    assert!(png_height(&files["timeline.png"]) > 0);
    // A one-millisecond window with everything at its first instant.
    views_of(
        "name: blink\nstart: 2016-01-24T00:00:00Z\nduration: 1ms\n\
         databases: [{ name: DB01, service_time: 1ms }, { name: DB02 }]\nmailboxes:\n  \
         - name: u\n    database: DB01\n    sms: { enable_at: 2016-01-24T00:00:00Z }\n    \
         calendar: [{ subject: X, start: 2016-01-24T00:00:00Z, reminder: 0 }]\n    \
         move: { target: DB02, start: 2016-01-24T00:00:00Z, sync_duration: 0, \
         incremental_sync_interval: 1ms }\n",
    );
    // The last year there is: trace timestamps count from the window start.
    let files = views_of(
        "name: far\nstart: 9999-01-01T00:00:00Z\nduration: 300d\n\
         databases: [{ name: DB01 }, { name: DB02 }]\nmailboxes:\n  - name: u\n    \
         database: DB01\n    sms: { enable_at: 9999-01-01T00:00:00Z }\n    \
         calendar: [{ subject: X, start: 9999-01-01T08:00:00Z, reminder: 15m, \
         repeat: { every: 1d, count: 400 } }]\n    \
         move: { target: DB02, start: 9999-01-02T00:00:00Z }\n",
    );
    let trace: Value = serde_json::from_slice(&files["trace.json"]).unwrap();
    let last =
        trace["traceEvents"].as_array().unwrap().iter().filter_map(|e| e["ts"].as_i64()).max();
    assert!(last.unwrap() <= 300 * 86_400_000_000, "{last:?}");
    // An hourly reminder for 60 days: marks are thinned to a few pixels
    // apart, so the SVG stays small however dense the lane.
    let files = views_of(
        "name: dense\nstart: 2016-01-01T00:00:00Z\nduration: 60d\n\
         databases: [{ name: DB01 }]\nmailboxes:\n  - name: u\n    database: DB01\n    \
         sms: { enable_at: 2016-01-01T00:00:00Z }\n    calendar: [{ subject: X, \
         start: 2016-01-01T01:00:00Z, reminder: 15m, repeat: { every: 1h, count: 100000 } }]\n",
    );
    let svg = String::from_utf8(files["timeline.svg"].clone()).unwrap();
    let dots = svg.matches("<circle").count();
    assert!(dots < 2 * 2 * 400, "{dots} circles for 1,440 reminders a lane");
    // Thirty mailboxes under twenty policies would be 600 lanes: panels.
    let mut yaml = String::from(
        "name: many\nstart: 2016-01-24T00:00:00Z\nduration: 1d\ndatabases: [{ name: DB01 }]\npolicies:\n",
    );
    for p in 0..20 {
        yaml += &format!(
            "  - {{ name: p{p}, pause_on_move_started: [initial], resume_on: [], catch_up: false }}\n"
        );
    }
    yaml += "mailboxes:\n";
    for m in 0..30 {
        yaml += &format!("  - {{ name: u{m}, database: DB01 }}\n");
    }
    let files = views_of(&yaml);
    assert!(png_height(&files["timeline.png"]) < 1_500);
    let svg = String::from_utf8(files["timeline.svg"].clone()).unwrap();
    assert!(svg.contains("and 8 more"), "the legend is capped");
}
