//! sweep.png and sweep.svg: one panel per policy; along x the values of
//! the grid's first key (in grid order), along y the chart metric's mean
//! with a bar from its 5th to its 95th percentile; one line per combination
//! of the other keys' values. Panels share the y scale, so policies compare
//! at a glance. Text uses the embedded DejaVu Sans, so the same sweep gives
//! the same bytes.

use super::aggregate::Cell;
use super::manifest::Manifest;
use crate::model::metrics::METRIC_NAMES;
use crate::output::chart::files::{self, DrawResult};
use crate::output::chart::legend;
use crate::output::chart::style::{self, FONT};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io;
use std::path::Path;

/// Chart width in pixels.
pub const WIDTH: u32 = 1200;
/// Height of one policy's panel.
const PANEL_H: u32 = 340;
/// Height of the title.
const TITLE_H: u32 = 56;
/// Width of the legend beside each panel.
const LEGEND_W: u32 = 300;
/// The most panels drawn; more policies are named in the title.
const MAX_PANELS: usize = 12;
/// The most legend entries; the rest are counted.
const MAX_LEGEND: usize = 14;

/// What the chart shows.
pub struct ChartData<'a> {
    /// The sweep.
    pub manifest: &'a Manifest,
    /// Its statistics, by point then policy.
    pub cells: &'a [Cell],
    /// The metric's place in [`METRIC_NAMES`].
    pub metric: usize,
}

/// One line: a combination of the other keys' values.
struct Line {
    label: String,
    color: RGBColor,
    dashed: bool,
}

impl ChartData<'_> {
    fn panels(&self) -> usize {
        self.manifest.policies.len().min(MAX_PANELS)
    }

    fn height(&self) -> u32 {
        TITLE_H + self.panels() as u32 * PANEL_H
    }

    /// The categories along x: the first key's values.
    fn categories(&self) -> Vec<String> {
        match self.manifest.grid.first() {
            Some(axis) => axis.values.clone(),
            None => vec!["every run".into()],
        }
    }

    /// Lines per category: the combinations of the other keys.
    fn lines(&self) -> Vec<Line> {
        let rest = self.manifest.grid.get(1..).unwrap_or_default();
        let counts: Vec<usize> = rest.iter().map(|a| a.values.len()).collect();
        let n = super::grid::points(&counts);
        // The last segment of a path names it, unless two keys share it.
        let short = |key: &str| -> String {
            let last = key.rsplit('.').next().unwrap_or(key);
            let shared = rest.iter().filter(|a| a.key.rsplit('.').next() == Some(last)).count();
            if shared > 1 { key.to_string() } else { last.to_string() }
        };
        (0..n)
            .map(|l| {
                let at = super::grid::coordinates(&counts, l);
                let label = if rest.is_empty() {
                    "mean, p5 to p95".to_string()
                } else {
                    rest.iter()
                        .zip(&at)
                        .map(|(a, &v)| format!("{}={}", short(&a.key), a.values[v]))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let i = l as usize;
                Line { label, color: style::policy_color(i), dashed: i >= 10 }
            })
            .collect()
    }

    /// The statistics of point `point` under policy `policy`.
    fn at(&self, point: u64, policy: usize) -> Option<(f64, f64, f64)> {
        // Cells come by point, then policy.
        let index = point.checked_mul(self.manifest.policies.len() as u64)? + policy as u64;
        let cell = self.cells.get(usize::try_from(index).ok()?)?;
        if cell.point != point || cell.policy != policy {
            return None;
        }
        let s = cell.metrics.get(self.metric)?;
        Some((s.mean, s.p5.as_f64(), s.p95.as_f64()))
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData) -> DrawResult<DB> {
    style::register_fonts();
    root.fill(&WHITE)?;
    let m = data.manifest;
    let metric = METRIC_NAMES.get(data.metric).copied().unwrap_or_default();
    let (title, rest) = root.split_vertically(TITLE_H);
    title.draw(&Text::new(
        format!(
            "{}: {metric}, mean and 5th to 95th percentile over {} seed{}",
            m.scenario,
            m.seeds,
            if m.seeds == 1 { "" } else { "s" }
        ),
        (12, 8),
        (FONT, 19).into_font().style(FontStyle::Bold).color(&style::INK),
    ))?;
    let more = m.policies.len().saturating_sub(MAX_PANELS);
    title.draw(&Text::new(
        format!(
            "{} grid point{}, base seed {}, one panel per policy{}",
            m.points(),
            if m.points() == 1 { "" } else { "s" },
            m.base_seed,
            if more > 0 {
                format!(" (the first {MAX_PANELS}; {more} more in aggregate.csv)")
            } else {
                String::new()
            }
        ),
        (12, 32),
        (FONT, 13).into_font().color(&style::MUTED),
    ))?;
    let categories = data.categories();
    let lines = data.lines();
    let per_category = lines.len() as u64;
    // One scale for every panel.
    let top = (0..data.panels())
        .flat_map(|p| (0..m.points()).filter_map(move |pt| data.at(pt, p)))
        .map(|(mean, _, p95)| mean.max(p95))
        .fold(0.0f64, f64::max);
    let y_max = if top > 0.0 { top * 1.1 } else { 1.0 };
    let panels = rest.split_evenly((data.panels().max(1), 1));
    for (p, area) in panels.iter().enumerate().take(data.panels()) {
        panel(area, data, p, &categories, &lines, per_category, y_max, metric)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    policy: usize,
    categories: &[String],
    lines: &[Line],
    per_category: u64,
    y_max: f64,
    metric: &str,
) -> DrawResult<DB> {
    let m = data.manifest;
    let (width, _) = area.dim_in_pixel();
    let (plot, legend) = area.split_horizontally(width.saturating_sub(LEGEND_W));
    // x in thousandths of a category: category c is centred on c * 1000.
    let n = categories.len().max(1) as i64;
    let x_range = -500i64..(n * 1000 - 500);
    let key_points: Vec<i64> = (0..n).map(|i| i * 1000).collect();
    let x_desc = m.grid.first().map_or(String::new(), |a| a.key.clone());
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!("policy {}", m.policies.get(policy).map_or("", String::as_str)),
            (FONT, 16).into_font().style(FontStyle::Bold).color(&style::INK),
        )
        .margin_left(10)
        .margin_right(20)
        .margin_bottom(6)
        .x_label_area_size(44)
        .y_label_area_size(78)
        .build_cartesian_2d(x_range.with_key_points(key_points), 0f64..y_max)?;
    let x_fmt = |x: &i64| {
        let i = (x + 500).div_euclid(1000);
        usize::try_from(i)
            .ok()
            .and_then(|i| categories.get(i))
            .map_or_else(String::new, |c| style::truncate(c, 28))
    };
    let y_fmt = |y: &f64| {
        if y_max >= 10.0 { format!("{y:.0}") } else { format!("{y:.2}") }
    };
    chart
        .configure_mesh()
        .bold_line_style(style::GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(style::MUTED)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .y_labels(6)
        .x_desc(x_desc)
        .y_desc(metric)
        .label_style((FONT, 12).into_font().color(&style::INK))
        .axis_desc_style((FONT, 12).into_font().color(&style::MUTED))
        .draw()?;
    // Lines side by side within a category, so their bars do not hide
    // each other.
    let count = lines.len().max(1) as i64;
    let dodge = (500 / count).min(120);
    for (l, line) in lines.iter().enumerate() {
        let offset = (2 * l as i64 - (count - 1)) * dodge / 2;
        let points: Vec<(i64, f64, f64, f64)> = (0..categories.len() as u64)
            .filter_map(|c| {
                let point = c * per_category + l as u64;
                data.at(point, policy)
                    .map(|(mean, p5, p95)| (c as i64 * 1000 + offset, mean, p5, p95))
            })
            .collect();
        let stroke = line.color.stroke_width(2);
        let path: Vec<(i64, f64)> = points.iter().map(|&(x, mean, _, _)| (x, mean)).collect();
        if line.dashed {
            chart.draw_series(DashedLineSeries::new(path, 6, 4, stroke))?;
        } else {
            chart.draw_series(LineSeries::new(path, stroke))?;
        }
        let cap = (dodge * 3 / 10).max(20);
        let bar = line.color.stroke_width(1);
        for &(x, mean, p5, p95) in &points {
            chart.draw_series([
                PathElement::new(vec![(x, p5), (x, p95)], bar),
                PathElement::new(vec![(x - cap, p5), (x + cap, p5)], bar),
                PathElement::new(vec![(x - cap, p95), (x + cap, p95)], bar),
            ])?;
            chart.draw_series([Circle::new((x, mean), 3, line.color.filled())])?;
        }
    }
    draw_legend(&legend, lines)
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[Line],
) -> DrawResult<DB> {
    let entries = lines.iter().map(|line| legend::Entry {
        label: &line.label,
        color: line.color,
        dashed: line.dashed,
    });
    let layout = legend::Layout { top: 44, step: 17, most: MAX_LEGEND, label_chars: 40, dot: true };
    let y = legend::draw(area, entries, &layout)?;
    let note = "dot: mean; bar: 5th to 95th percentile";
    area.draw(&Text::new(note, (0, y + 6), (FONT, 11).into_font().color(&style::MUTED)))?;
    Ok(())
}

/// Draws the chart into a PNG file at `path`.
pub fn write_png(path: &Path, data: &ChartData) -> io::Result<()> {
    files::write_png(path, (WIDTH, data.height()), "the sweep chart", |root| draw(root, data))
}

/// Draws the chart as an SVG document.
pub fn render_svg(data: &ChartData) -> io::Result<String> {
    files::render_svg((WIDTH, data.height()), "the sweep chart", |root| draw(root, data))
}
