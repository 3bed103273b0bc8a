//! The files people look at rather than read: timeline.png, timeline.svg,
//! trace.json and report.html, all drawn from one [`Timeline`].

use super::Labels;
use super::chart::{self, ChartData};
use super::meter::Meter;
use super::report_html::{self, ReportInput};
use super::summary::Summary;
use super::timeline::Timeline;
use super::trace_json::{self, TraceInput};
use crate::model::metrics::Dropout;
use crate::model::{Plan, World};
use std::io;
use std::path::Path;

/// A finished run, seen through its timeline.
pub struct Views<'a> {
    /// The world that ran.
    pub world: &'a World,
    /// Its names.
    pub labels: &'a Labels,
    /// Its ground truth.
    pub plan: &'a Plan,
    /// Each policy's timeline.
    pub timeline: &'a Timeline,
    /// The summary: each policy's metrics, in run order, and the report's
    /// figures.
    pub summary: &'a Summary<'a>,
    /// Each policy's dropouts, in run order.
    pub dropouts: Vec<(&'a str, &'a [Dropout])>,
}

impl Views<'_> {
    /// Writes timeline.png, timeline.svg, trace.json and report.html into
    /// `dir`.
    pub fn write(&self, dir: &Path, meter: &Meter) -> io::Result<()> {
        let chart = ChartData {
            world: self.world,
            labels: self.labels,
            timeline: self.timeline,
            metrics: self.summary.policies.0.iter().map(|&(_, m)| m).collect(),
        };
        let trace = TraceInput {
            world: self.world,
            labels: self.labels,
            plan: self.plan,
            timeline: self.timeline,
        };
        // Four files, three independent tasks (the report embeds the
        // SVG): rayon spreads them, and whatever else is running, over its
        // threads.
        let ((png, trace), svg_and_report) = rayon::join(
            || {
                rayon::join(
                    || {
                        let path = dir.join("timeline.png");
                        chart::write_png(&path, &chart)?;
                        meter.charge_file(&path)
                    },
                    || trace_json::write(&dir.join("trace.json"), &trace, meter),
                )
            },
            || {
                let svg = chart::render_svg(&chart)?;
                meter.write_file(&dir.join("timeline.svg"), &svg)?;
                let report = ReportInput {
                    summary: self.summary,
                    description: &self.world.description,
                    labels: self.labels,
                    svg: &svg,
                    dropouts: self.dropouts.clone(),
                };
                meter.write_file(&dir.join("report.html"), report_html::render(&report))
            },
        );
        png.and(trace).and(svg_and_report)
    }
}
