//! report.html in a real browser: headless Chromium (Debian's `chromium`)
//! opens each scenario's report, must log nothing to its console, and its
//! screenshot must show the chart.
//!
//! Without Chromium the test says so and passes, unless
//! `CNASIM_REQUIRE_BROWSER=1` (set by `.ci/run`, which installs it). Set
//! `CNASIM_CHROMIUM` to use another binary.

use cnasim::runner::run_to_folder;
use cnasim::scenario::{Overrides, load_with};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

mod common;
use common::scenario_files;

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CNASIM_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// What Chromium made of a page: its console lines and a screenshot.
struct Visit {
    console: Vec<String>,
    pixels: Vec<u8>,
}

const WINDOW: (u32, u32) = (1600, 2400);

fn visit(browser: &Path, page: &Path, work: &Path) -> Visit {
    let profile = tempfile::tempdir_in(work).unwrap();
    let shot = work.join(format!("{}.png", page.file_stem().unwrap().to_string_lossy()));
    let _ = std::fs::remove_file(&shot);
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={},{}", WINDOW.0, WINDOW.1))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    // No page of ours takes long; a hung browser fails the test after 120 s.
    for _ in 0..1_200 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        sleep(Duration::from_millis(100));
    }
    if child.try_wait().unwrap().is_none() {
        let _ = child.kill();
        panic!("{} did not finish loading {}", browser.display(), page.display());
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let console = stderr.lines().filter(|l| l.contains(":CONSOLE")).map(str::to_string).collect();
    let file = std::fs::File::open(&shot)
        .unwrap_or_else(|e| panic!("no screenshot of {}: {e}\n{stderr}", page.display()));
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = buf.chunks(channels).flat_map(|p| p[..3].to_vec()).collect();
    Visit { console, pixels }
}

fn count(pixels: &[u8], c: plotters::style::RGBColor) -> usize {
    pixels.chunks(3).filter(|p| p[0] == c.0 && p[1] == c.1 && p[2] == c.2).count()
}

#[test]
fn reports_load_cleanly_and_show_the_chart_in_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CNASIM_REQUIRE_BROWSER").is_none(),
            "CNASIM_REQUIRE_BROWSER is set but no Chromium was found"
        );
        eprintln!("skipped: no Chromium (install Debian's chromium package to run this test)");
        return;
    };
    let work = tempfile::tempdir().unwrap();

    // The check can fail: a page that logs to its console is caught, and a
    // page without the chart shows none of its colours.
    let bad = work.path().join("bad.html");
    std::fs::write(&bad, "<!DOCTYPE html><p>x</p><script>console.error('broken')</script>")
        .unwrap();
    let visit_bad = visit(&browser, &bad, work.path());
    assert!(
        visit_bad.console.iter().any(|l| l.contains("broken")),
        "the console check sees nothing: {:?}",
        visit_bad.console
    );
    assert_eq!(count(&visit_bad.pixels, cnasim::output::chart::style::ACTIVE), 0);
    assert_eq!(count(&visit_bad.pixels, cnasim::output::chart::style::policy_color(0)), 0);

    for path in scenario_files() {
        let world = load_with(&path, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
        let out = work.path().join("out");
        let folder = run_to_folder(&world, &out).unwrap().folder.unwrap();
        let seen = visit(&browser, &folder.join("report.html"), work.path());
        assert!(seen.console.is_empty(), "{}: console says {:?}", path.display(), seen.console);
        // Lanes show the active band; population panels (above 30
        // mailboxes) a line per policy in its colour.
        let (color, least, what) = if cnasim::output::chart::draws_lanes(&world) {
            (cnasim::output::chart::style::ACTIVE, 1_000, "the active band")
        } else {
            (cnasim::output::chart::style::policy_color(0), 500, "the first policy's line")
        };
        let seen_px = count(&seen.pixels, color);
        assert!(
            seen_px > least,
            "{}: the chart is not on screen ({seen_px} px of {what})",
            path.display()
        );
    }
}
