//! timeline.png and timeline.svg, drawn with plotters from a [`Timeline`].
//!
//! Up to [`LANE_LIMIT`] mailboxes (and [`MAX_LANES`] lanes), one lane per
//! mailbox and policy (state band, sync windows, move events, reminders,
//! user actions), the policies stacked; beyond that, aggregate panels over
//! the whole population. Text
//! uses the embedded DejaVu Sans ([`style::register_fonts`]): nothing is
//! read from the system, and the same timeline gives the same bytes.

pub mod files;
mod lanes;
pub mod legend;
mod panels;
pub mod style;

use super::Labels;
use super::timeline::Timeline;
use crate::model::{Metrics, World};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io;
use std::path::Path;

/// The most mailboxes drawn as lanes; larger worlds get aggregate panels.
pub const LANE_LIMIT: usize = 30;

/// The most lanes (mailboxes x policies) in one chart, so that it stays a
/// picture a browser shows; beyond, aggregate panels again.
pub const MAX_LANES: usize = 120;

/// Chart width in pixels.
pub const WIDTH: u32 = 1600;

/// Everything a chart shows.
pub struct ChartData<'a> {
    /// The world that ran.
    pub world: &'a World,
    /// Its names.
    pub labels: &'a Labels,
    /// What each policy's run looked like.
    pub timeline: &'a Timeline,
    /// Each policy's metrics, in run order.
    pub metrics: Vec<&'a Metrics>,
}

/// Whether the chart of `world` draws a lane per mailbox and policy; if
/// not, it draws population panels.
pub fn draws_lanes(world: &World) -> bool {
    let mailboxes = world.mailboxes.len();
    super::timeline::followed(world).len() == mailboxes
        && mailboxes <= LANE_LIMIT
        && mailboxes * world.policies.len() <= MAX_LANES
}

impl ChartData<'_> {
    fn lanes(&self) -> bool {
        draws_lanes(self.world)
    }

    fn height(&self) -> u32 {
        if self.lanes() { lanes::height(self) } else { panels::aggregate_height(self) }
    }
}

use files::DrawResult;

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData) -> DrawResult<DB> {
    style::register_fonts();
    root.fill(&WHITE)?;
    if data.lanes() { lanes::draw(root, data) } else { panels::draw_aggregate(root, data) }
}

/// Draws the chart into a PNG file at `path`.
pub fn write_png(path: &Path, data: &ChartData) -> io::Result<()> {
    files::write_png(path, (WIDTH, data.height()), "the timeline", |root| draw(root, data))
}

/// Draws the chart as an SVG document.
pub fn render_svg(data: &ChartData) -> io::Result<String> {
    files::render_svg((WIDTH, data.height()), "the timeline", |root| draw(root, data))
}
