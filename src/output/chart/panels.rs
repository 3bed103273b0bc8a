//! Line panels over the time grid: the aggregate chart for large
//! populations, and the backlog panel under the lanes.

use super::legend;
use super::style::{self, FONT};
use super::{ChartData, DrawResult};
use crate::time::Grid;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Height of one line panel.
pub const PANEL_H: u32 = 230;
const TITLE_H: u32 = 34;
const MAX_LINES: usize = 8;

/// One line: a value per bucket of the grid.
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// Drawn dashed (a reference line).
    pub dashed: bool,
    /// One value per bucket.
    pub values: Vec<f64>,
}

/// The backlog lines worth drawing: one per database and policy when they
/// are few, otherwise the largest over the databases per policy. None when
/// no database models load (no service time, no background traffic): the
/// only backlog there comes from events sharing an instant.
pub fn backlog_series(data: &ChartData) -> Vec<Series> {
    let policies = &data.timeline.policies;
    let loaded =
        data.world.databases.iter().any(|d| !d.service_time.is_zero() || d.background.is_some());
    if !loaded {
        return Vec::new();
    }
    let dbs = data.world.databases.len();
    let mut out = Vec::new();
    for (i, p) in policies.iter().enumerate() {
        let color = style::policy_color(i);
        if dbs * policies.len() <= MAX_LINES {
            for (d, series) in p.backlog.iter().enumerate() {
                out.push(Series {
                    label: format!("{} ({})", data.labels.database[d], p.policy),
                    color,
                    dashed: d > 0,
                    values: series.peaks.iter().map(|&v| v as f64).collect(),
                });
            }
        } else {
            let len = data.timeline.grid.len();
            let values = (0..len)
                .map(|b| p.backlog.iter().map(|s| s.peaks[b]).max().unwrap_or(0) as f64)
                .collect();
            out.push(Series {
                label: format!("largest of {dbs} databases ({})", p.policy),
                color,
                dashed: false,
                values,
            });
        }
    }
    out
}

/// Height of the aggregate chart.
pub fn aggregate_height(data: &ChartData) -> u32 {
    let panels = if backlog_series(data).is_empty() { 3 } else { 4 };
    TITLE_H + panels * PANEL_H
}

/// Draws the aggregate chart: active, paused, missed and backlog panels.
pub fn draw_aggregate<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> DrawResult<DB> {
    let t = data.timeline;
    let hours = t.grid.width_ms() as f64 / 3_600_000.0;
    let (title, rest) = root.split_vertically(TITLE_H);
    title.draw(&Text::new(
        format!(
            "{}: {} mailboxes, {} of them SMS users; each policy over time (UTC, {} buckets)",
            data.world.name,
            data.world.mailbox_count(),
            // Every SMS user is built.
            data.world.mailboxes.iter().filter(|m| m.sms.is_some()).count(),
            bucket_label(hours),
        ),
        (12, 10),
        (FONT, 19).into_font().style(FontStyle::Bold).color(&style::INK),
    ))?;
    let per_policy = |f: &dyn Fn(usize) -> Vec<f64>| -> Vec<Series> {
        t.policies
            .iter()
            .enumerate()
            .map(|(i, p)| Series {
                label: p.policy.clone(),
                color: style::policy_color(i),
                dashed: false,
                values: f(i),
            })
            .collect()
    };
    let (active, rest) = rest.split_vertically(PANEL_H);
    line_panel(
        &active,
        "Mailboxes the assistant is serving (active), mean per bucket",
        "mailboxes",
        &t.grid,
        &per_policy(&|i| t.policies[i].active.clone()),
    )?;
    let (paused, rest) = rest.split_vertically(PANEL_H);
    line_panel(
        &paused,
        "Mailboxes paused by StopAll, mean per bucket",
        "mailboxes",
        &t.grid,
        &per_policy(&|i| t.policies[i].paused.clone()),
    )?;
    let (missed, rest) = rest.split_vertically(PANEL_H);
    let mut lines = per_policy(&|i| t.policies[i].missed.iter().map(|&v| v as f64).collect());
    lines.push(Series {
        label: "expected".into(),
        color: style::MUTED,
        dashed: true,
        values: t.expected.iter().map(|&v| v as f64).collect(),
    });
    line_panel(
        &missed,
        "Missed reminders, cumulative (by reminder time)",
        "reminders",
        &t.grid,
        &lines,
    )?;
    let backlog = backlog_series(data);
    if !backlog.is_empty() {
        line_panel(
            &rest,
            "Backlog: events queued ahead of the assistant (peak per bucket)",
            "events",
            &t.grid,
            &backlog,
        )?;
    }
    Ok(())
}

fn bucket_label(hours: f64) -> String {
    if hours >= 24.0 {
        format!("{}-day", hours / 24.0)
    } else if hours >= 1.0 {
        format!("{hours}-hour")
    } else {
        format!("{}-minute", hours * 60.0)
    }
}

/// Width of the legend beside each line panel.
const LEGEND_W: u32 = 250;
/// The most legend entries; the rest are counted.
const MAX_LEGEND: usize = 12;

/// Draws one panel of step lines over `grid`, with its title and, beside
/// the plot where it hides nothing, its legend.
pub fn line_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    grid: &Grid,
    lines: &[Series],
) -> DrawResult<DB> {
    let (width, _) = area.dim_in_pixel();
    let (plot, legend) = area.split_horizontally(width.saturating_sub(LEGEND_W));
    let (t0, t1) = (grid.start().as_millis(), grid.end().as_millis());
    let (ticks, tick_style) = style::time_ticks(grid.start(), grid.end());
    let top = lines.iter().flat_map(|s| &s.values).fold(0.0f64, |a, &b| a.max(b));
    let y_max = if top > 0.0 { top * 1.12 } else { 1.0 };
    let mut chart = ChartBuilder::on(&plot)
        .caption(title, (FONT, 15).into_font().color(&style::INK))
        .margin_left(10)
        .margin_right(30)
        .margin_bottom(8)
        .x_label_area_size(26)
        .y_label_area_size(70)
        .build_cartesian_2d((t0..t1).with_key_points(ticks), 0f64..y_max)?;
    let ticks_fmt = |x: &i64| style::tick_label(*x, tick_style);
    let y_fmt = |y: &f64| {
        if y_max >= 10.0 { format!("{y:.0}") } else { format!("{y:.1}") }
    };
    chart
        .configure_mesh()
        .bold_line_style(style::GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(style::MUTED)
        .x_label_formatter(&ticks_fmt)
        .y_label_formatter(&y_fmt)
        .y_labels(5)
        .y_desc(y_desc)
        .label_style((FONT, 12).into_font().color(&style::INK))
        .axis_desc_style((FONT, 12).into_font().color(&style::MUTED))
        .draw()?;
    for line in lines {
        // Steps: each bucket's value held from its start to its end.
        let points: Vec<(i64, f64)> = line
            .values
            .iter()
            .enumerate()
            .flat_map(|(b, &v)| {
                [(grid.bucket_start(b).as_millis(), v), (grid.bucket_start(b + 1).as_millis(), v)]
            })
            .collect();
        let stroke = line.color.stroke_width(2);
        if line.dashed {
            chart.draw_series(DashedLineSeries::new(points, 6, 4, stroke))?;
        } else {
            chart.draw_series(LineSeries::new(points, stroke))?;
        }
    }
    draw_legend(&legend, lines)
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[Series],
) -> DrawResult<DB> {
    let entries = lines.iter().map(|line| legend::Entry {
        label: &line.label,
        color: line.color,
        dashed: line.dashed,
    });
    let layout =
        legend::Layout { top: 40, step: 16, most: MAX_LEGEND, label_chars: 34, dot: false };
    legend::draw(area, entries, &layout).map(|_| ())
}
