//! The lane chart: one lane per mailbox and policy, policies stacked.
//!
//! Inside a lane, from top to bottom: move events (triangles), sync and
//! finalization windows (bars), the assistant's state (band) with each
//! expected reminder on it, and user actions (triangles below).

use super::panels::{self, backlog_series};
use super::style::{self, FONT};
use super::{ChartData, DrawResult};
use crate::model::events::EventKind;
use crate::model::metrics::Delivery;
use crate::model::record::UserAction;
use crate::output::timeline::{MoveReaction, PolicyTimeline, State, SyncKind};
use crate::time::{SimTime, format_short};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

const TITLE_H: u32 = 34;
/// Height of one row of the legend.
const LEGEND_ROW_H: u32 = 22;
const HEADER_H: u32 = 24;
const X_AXIS_H: u32 = 26;
const GAP_H: u32 = 14;
const LABEL_W: u32 = 150;
const RIGHT_MARGIN: u32 = 44;
/// Height of a lane in chart units; positions inside a lane are percentages.
const LANE: i32 = 100;

fn lane_height(lanes: usize) -> u32 {
    match lanes {
        0..=4 => 64,
        5..=12 => 44,
        _ => 30,
    }
}

fn panel_height(lanes: usize) -> u32 {
    HEADER_H + lanes.max(1) as u32 * lane_height(lanes) + X_AXIS_H + GAP_H
}

/// The chart's height for `data`.
pub fn height(data: &ChartData) -> u32 {
    let lanes = data.timeline.followed.len();
    let backlog = if backlog_series(data).is_empty() { 0 } else { panels::PANEL_H };
    TITLE_H
        + legend_height(data)
        + data.timeline.policies.len() as u32 * panel_height(lanes)
        + backlog
}

/// Draws the lane chart.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &ChartData) -> DrawResult<DB> {
    let (title, rest) = root.split_vertically(TITLE_H);
    title.draw(&Text::new(
        format!(
            "{}: the assistant's state per mailbox under each policy (times UTC)",
            data.world.name
        ),
        (12, 10),
        (FONT, 19).into_font().style(FontStyle::Bold).color(&style::INK),
    ))?;
    let (legend, mut rest) = rest.split_vertically(legend_height(data));
    let disables = has_disables(data);
    draw_legend(&legend, disables)?;
    let lanes = data.timeline.followed.len();
    for (i, policy) in data.timeline.policies.iter().enumerate() {
        let (panel, below) = rest.split_vertically(panel_height(lanes));
        draw_policy(&panel, data, i, policy)?;
        rest = below;
    }
    let backlog = backlog_series(data);
    if !backlog.is_empty() {
        panels::line_panel(
            &rest,
            "Backlog: events queued ahead of the assistant on each database (peak per bucket)",
            "events",
            &data.timeline.grid,
            &backlog,
        )?;
    }
    Ok(())
}

/// The plot's pixel columns over the window `[t0, t1)`.
struct Columns {
    t0: i64,
    t1: i64,
    n: i64,
}

/// Width of a marker slot in pixels: close marks overlap but stay countable.
const SLOT_PX: i64 = 4;

impl Columns {
    fn of(&self, t: i64) -> i64 {
        let span = i128::from((self.t1 - self.t0).max(1));
        let c = i128::from(t - self.t0) * i128::from(self.n) / span;
        c.clamp(0, i128::from(self.n)) as i64
    }

    fn time(&self, c: i64) -> i64 {
        let span = i128::from(self.t1 - self.t0);
        self.t0 + (i128::from(c) * span / i128::from(self.n.max(1))) as i64
    }

    fn slot(&self, t: SimTime) -> i64 {
        self.of(t.as_millis()) / SLOT_PX
    }

    /// Paints spans `(start, end, rank, min_columns)` into columns, the
    /// highest rank winning, and returns the runs as `(from, to, rank)` in
    /// time units.
    fn paint(
        &self,
        spans: impl Iterator<Item = (SimTime, SimTime, u8, i64)>,
    ) -> Vec<(i64, i64, u8)> {
        let mut columns = vec![0u8; self.n.max(1) as usize];
        for (start, end, rank, min) in spans {
            let first = self.of(start.as_millis()).min(self.n - 1).max(0);
            let last = (self.of(end.as_millis() - 1) + 1).max(first + min).min(self.n);
            for c in &mut columns[first as usize..last as usize] {
                *c = (*c).max(rank);
            }
        }
        let mut runs = Vec::new();
        let mut c = 0;
        while c < columns.len() {
            let rank = columns[c];
            let from = c;
            while c < columns.len() && columns[c] == rank {
                c += 1;
            }
            if rank > 0 {
                runs.push((self.time(from as i64), self.time(c as i64), rank));
            }
        }
        runs
    }
}

/// A point of a lane: (time, height in lane units).
type LanePoint = (i64, i32);

/// The marks of a lane, thinned to one per (slot, row): the chosen mark's
/// rank, shape and point.
#[derive(Default)]
struct Marks {
    chosen: BTreeMap<(i64, u8), (u8, Marker, LanePoint)>,
}

impl Marks {
    /// Offers a mark; a higher rank replaces what the slot's row holds.
    fn add(&mut self, slot: i64, row: u8, rank: u8, shape: Marker, at: LanePoint) {
        let entry = self.chosen.entry((slot, row)).or_insert((rank, shape, at));
        if rank > entry.0 {
            *entry = (rank, shape, at);
        }
    }

    /// The chosen marks grouped by shape, in a fixed order.
    fn by_shape(self) -> Vec<(Marker, Vec<LanePoint>)> {
        let mut groups: Vec<(Marker, Vec<LanePoint>)> = Vec::new();
        for (_, shape, at) in self.chosen.into_values() {
            match groups.iter_mut().find(|(m, _)| *m == shape) {
                Some((_, points)) => points.push(at),
                None => groups.push((shape, vec![at])),
            }
        }
        groups
    }
}

/// A point symbol, drawn the same in the legend and on the lanes.
#[derive(Clone, Copy, PartialEq)]
enum Marker {
    /// A move event (triangle pointing down onto the sync bar).
    Down(RGBColor),
    /// A user action (triangle pointing up at the band).
    Up(RGBColor),
    /// An SMS (filled dot with a white rim).
    Dot(RGBColor),
    /// A missed reminder (a cross on white).
    Missed,
}

/// Draws `m` at each of `points`.
fn draw_markers<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    points: Vec<(X::ValueType, Y::ValueType)>,
    m: Marker,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    X: Ranged,
    Y: Ranged,
    X::ValueType: Clone + 'static,
    Y::ValueType: Clone + 'static,
{
    let rim = || Circle::new((0, 0), 5, WHITE.filled());
    let at = |p| EmptyElement::at(p);
    match m {
        Marker::Down(c) => chart.draw_series(
            points
                .into_iter()
                .map(|p| at(p) + Polygon::new(vec![(-5, -9), (5, -9), (0, 0)], c.filled())),
        )?,
        Marker::Up(c) => chart.draw_series(
            points
                .into_iter()
                .map(|p| at(p) + Polygon::new(vec![(-5, 9), (5, 9), (0, 0)], c.filled())),
        )?,
        Marker::Dot(c) => chart.draw_series(
            points.into_iter().map(|p| at(p) + rim() + Circle::new((0, 0), 4, c.filled())),
        )?,
        Marker::Missed => chart.draw_series(
            points
                .into_iter()
                .map(|p| at(p) + rim() + Cross::new((0, 0), 3, style::MISSED.stroke_width(2))),
        )?,
    };
    Ok(())
}

/// A legend entry's symbol.
enum Symbol {
    Band(RGBColor),
    Bar(RGBColor),
    Point(Marker),
}

/// Whether any user turns SMS off (the legend then names that mark).
fn has_disables(data: &ChartData) -> bool {
    data.timeline
        .policies
        .iter()
        .flat_map(|p| &p.lanes)
        .any(|l| l.user.iter().any(|&(_, a)| a == UserAction::Disable))
}

/// One legend row, or two when the extra entry needs them.
fn legend_height(data: &ChartData) -> u32 {
    let rows = if has_disables(data) { 2 } else { 1 };
    rows * LEGEND_ROW_H + 8
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    disables: bool,
) -> DrawResult<DB> {
    use Symbol::*;
    let mut entries = vec![
        (Band(style::ACTIVE), "active"),
        (Band(style::PAUSED), "paused (after StopAll)"),
        (Band(style::OFF), "off"),
        (Bar(style::SYNC), "sync window"),
        (Bar(style::LOCK), "finalization (locked)"),
        (Point(Marker::Down(style::STOP_ALL)), "MailboxMoveStarted: StopAll"),
        (Point(Marker::Down(style::NO_EFFECT)), "move event, no effect"),
        (Point(Marker::Up(style::RESUME)), "move ends: resume"),
        (Point(Marker::Dot(style::ON_TIME)), "SMS on time"),
        (Point(Marker::Dot(style::LATE)), "SMS late"),
        (Point(Marker::Missed), "reminder missed"),
        (Point(Marker::Up(style::USER)), "user enables / reconfigures"),
    ];
    if disables {
        entries.push((Point(Marker::Up(style::NO_EFFECT)), "user disables"));
    }
    let text = (FONT, 13).into_font().color(&style::INK);
    let (w, h) = area.dim_in_pixel();
    // A chart in pixel units (y up), so markers draw as they do on lanes.
    let mut pixels = ChartBuilder::on(area).build_cartesian_2d(0..w as i32, 0..h as i32)?;
    let (mut x, mut y) = (12i32, 14i32);
    for (symbol, label) in entries {
        let (text_w, _) = area.estimate_text_size(label, &text)?;
        if x + 24 + text_w as i32 > w as i32 - 8 {
            (x, y) = (12, y + LEGEND_ROW_H as i32);
        }
        let flip = h as i32 - y;
        match symbol {
            Band(c) => area.draw(&Rectangle::new([(x, y - 6), (x + 18, y + 6)], c.filled()))?,
            Bar(c) => area.draw(&Rectangle::new([(x, y - 3), (x + 18, y + 3)], c.filled()))?,
            Point(m) => {
                let dy = match m {
                    Marker::Down(_) => -4,
                    Marker::Up(_) => 4,
                    _ => 0,
                };
                draw_markers(&mut pixels, vec![(x + 9, flip + dy)], m)?
            }
        }
        x += 24;
        area.draw(&Text::new(label, (x, y - 7), text.clone()))?;
        x += text_w as i32 + 16;
    }
    Ok(())
}

/// The panel's one-line explanation, every figure computed by the run.
fn header(data: &ChartData, i: usize, policy: &PolicyTimeline) -> String {
    let m = data.metrics[i];
    let stops: Vec<SimTime> = policy
        .lanes
        .iter()
        .flat_map(|l| &l.moves)
        .filter(|k| k.reaction == MoveReaction::StopAll)
        .filter_map(|k| k.handled)
        .collect();
    let first_stop =
        stops.iter().min().map_or(String::new(), |t| format!(" (first at {})", format_short(*t)));
    format!(
        "{}: {} of {} MailboxMoveStarted answered with StopAll{}; reminders: {} on time, {} late, \
         {} missed of {}; {} dropouts, {:.1} h without SMS",
        policy.policy,
        stops.len(),
        m.move_started_events,
        first_stop,
        m.reminders_on_time,
        m.reminders_late,
        m.reminders_missed,
        m.reminders_expected,
        m.dropouts,
        m.dropout_hours,
    )
}

fn draw_policy<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    i: usize,
    policy: &PolicyTimeline,
) -> DrawResult<DB> {
    let (head, body) = area.split_vertically(HEADER_H);
    head.draw(&Text::new(
        header(data, i, policy),
        (LABEL_W as i32 + 10, 5),
        (FONT, 14, FontStyle::Bold).into_font().color(&style::policy_color(i)),
    ))?;
    let (body, _) = body.split_vertically(body.dim_in_pixel().1 - GAP_H);

    let n = policy.lanes.len().max(1);
    let (t0, t1) = (data.world.start.as_millis(), data.world.end.as_millis());
    let (ticks, tick_style) = style::time_ticks(data.world.start, data.world.end);
    // Lane k spans [(n - k - 1) * LANE, (n - k) * LANE) in integer units.
    let centers: Vec<i32> = (0..n as i32).map(|k| (n as i32 - k) * LANE - LANE / 2).collect();
    let mut chart = ChartBuilder::on(&body)
        .margin_right(RIGHT_MARGIN)
        .x_label_area_size(X_AXIS_H)
        .y_label_area_size(LABEL_W)
        .build_cartesian_2d(
            (t0..t1).with_key_points(ticks),
            (0..n as i32 * LANE).with_key_points(centers),
        )?;
    let names = |y: &i32| {
        let k = (n as i32 - 1 - y / LANE) as usize;
        policy
            .lanes
            .get(k)
            .map_or(String::new(), |l| style::truncate(data.labels.mailbox(l.mailbox), 20))
    };
    let ticks_fmt = |x: &i64| style::tick_label(*x, tick_style);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .bold_line_style(style::GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(style::MUTED)
        .x_label_formatter(&ticks_fmt)
        .y_label_formatter(&names)
        .label_style((FONT, 13).into_font().color(&style::INK))
        .draw()?;

    let cols = Columns { t0, t1, n: i64::from(super::WIDTH - LABEL_W - RIGHT_MARGIN) };
    for (k, lane) in policy.lanes.iter().enumerate() {
        let base = (n - k - 1) as i32 * LANE;
        if k > 0 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(t0, base + LANE), (t1, base + LANE)],
                style::GRID.stroke_width(1),
            )))?;
        }
        // Bands and bars per pixel column, the most telling state winning a
        // shared column: a short pause stays visible, and a lane costs at
        // most one rectangle per column however many spans it has.
        let states = cols.paint(lane.states.iter().map(|s| {
            let (rank, min) = match s.state {
                State::Off => (1, 1),
                State::Active => (2, 1),
                State::Paused => (3, 2),
            };
            (s.start, s.end, rank, min)
        }));
        chart.draw_series(states.into_iter().map(|(a, b, rank)| {
            let color = [style::OFF, style::ACTIVE, style::PAUSED][usize::from(rank) - 1];
            Rectangle::new([(a, base + 34), (b, base + 66)], color.filled())
        }))?;
        let syncs = cols.paint(lane.syncs.iter().map(|s| {
            let rank = if s.kind == SyncKind::Finalization { 2 } else { 1 };
            (s.start, s.end, rank, 3)
        }));
        chart.draw_series(syncs.into_iter().map(|(a, b, rank)| {
            let color = if rank == 2 { style::LOCK } else { style::SYNC };
            Rectangle::new([(a, base + 72), (b, base + 82)], color.filled())
        }))?;

        // Marks: at most one of each row per slot of a few pixels, the most
        // telling one (missed over late over on time, StopAll over resume
        // over no effect), so dense lanes stay readable.
        let mut marks = Marks::default();
        for mv in &lane.moves {
            let (rank, color) = match mv.reaction {
                MoveReaction::StopAll => (3, style::STOP_ALL),
                MoveReaction::Resume => (2, style::RESUME),
                MoveReaction::Ignored | MoveReaction::None => (1, style::NO_EFFECT),
            };
            let (row, shape) = if matches!(mv.kind, EventKind::MoveStarted(_)) {
                (0, Marker::Down(color))
            } else {
                (1, Marker::Up(color))
            };
            marks.add(cols.slot(mv.created), row, rank, shape, (mv.created.as_millis(), base + 84));
        }
        for r in &lane.reminders {
            let (rank, shape) = match r.delivery {
                Delivery::OnTime => (1, Marker::Dot(style::ON_TIME)),
                Delivery::Late => (2, Marker::Dot(style::LATE)),
                Delivery::Missed => (3, Marker::Missed),
            };
            marks.add(cols.slot(r.at), 2, rank, shape, (r.at.as_millis(), base + 50));
        }
        for &(at, action) in &lane.user {
            let (rank, color) = match action {
                UserAction::Enable | UserAction::Reconfigure => (2, style::USER),
                UserAction::Disable => (1, style::NO_EFFECT),
            };
            marks.add(cols.slot(at), 3, rank, Marker::Up(color), (at.as_millis(), base + 30));
        }
        for (shape, points) in marks.by_shape() {
            draw_markers(&mut chart, points, shape)?;
        }
    }
    Ok(())
}
