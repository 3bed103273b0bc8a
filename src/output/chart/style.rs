//! Colours, fonts and the time axis shared by every panel.

use crate::time::{
    DAY_MS, HOUR_MS, SimTime, format_axis_date, format_axis_day, format_axis_hour, format_axis_year,
};
use plotters::style::{FontStyle, RGBColor, register_font};
use std::sync::Once;

/// The font family every text element asks for; [`register_fonts`] binds
/// it to the embedded DejaVu Sans, so no system font is ever looked up.
pub const FONT: &str = "sans-serif";

/// Binds [`FONT`] to the DejaVu Sans that is compiled into the binary.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Both faces are valid TrueType files shipped inside the `dejavu`
        // crate; a failure here would be a build defect, and plotters then
        // reports a missing font on the first text, as an error, not a panic.
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Assistant state `active`.
pub const ACTIVE: RGBColor = RGBColor(116, 196, 118);
/// Assistant state `paused`.
pub const PAUSED: RGBColor = RGBColor(239, 83, 80);
/// Assistant state `off`.
pub const OFF: RGBColor = RGBColor(224, 224, 224);
/// Sync windows.
pub const SYNC: RGBColor = RGBColor(100, 149, 237);
/// Finalization (mailbox locked).
pub const LOCK: RGBColor = RGBColor(123, 82, 171);
/// A `MailboxMoveStarted` the assistant answered with `StopAll`.
pub const STOP_ALL: RGBColor = RGBColor(183, 28, 28);
/// A move event without effect (ignored, or the mailbox was not active).
pub const NO_EFFECT: RGBColor = RGBColor(117, 117, 117);
/// A move event that resumed the mailbox.
pub const RESUME: RGBColor = RGBColor(27, 94, 32);
/// Reminder SMS on time.
pub const ON_TIME: RGBColor = RGBColor(27, 94, 32);
/// Reminder SMS late.
pub const LATE: RGBColor = RGBColor(255, 152, 0);
/// Reminder missed.
pub const MISSED: RGBColor = RGBColor(33, 33, 33);
/// User actions (enable, reconfigure).
pub const USER: RGBColor = RGBColor(21, 101, 192);
/// Text and axes.
pub const INK: RGBColor = RGBColor(33, 33, 33);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(236, 236, 236);
/// Secondary text.
pub const MUTED: RGBColor = RGBColor(97, 97, 97);

/// One colour per policy, in run order (repeats after ten).
pub fn policy_color(i: usize) -> RGBColor {
    const PALETTE: [RGBColor; 10] = [
        RGBColor(214, 39, 40),
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(255, 127, 14),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    PALETTE[i % PALETTE.len()]
}

/// How tick labels read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TickStyle {
    /// `25 Jan 06:00`, for ticks less than a day apart.
    Hour,
    /// `Mon 25 Jan`, for a window within one calendar year.
    Day,
    /// `25 Jan 2016`, for a window across years.
    Year,
}

/// Tick instants for a time axis over `[start, end)`: whole days (UTC
/// midnight) or whole hours, at most about 12 of them, and how to label
/// them.
pub fn time_ticks(start: SimTime, end: SimTime) -> (Vec<i64>, TickStyle) {
    const STEPS: [i64; 12] = [
        HOUR_MS,
        2 * HOUR_MS,
        3 * HOUR_MS,
        6 * HOUR_MS,
        12 * HOUR_MS,
        DAY_MS,
        2 * DAY_MS,
        7 * DAY_MS,
        14 * DAY_MS,
        28 * DAY_MS,
        91 * DAY_MS,
        364 * DAY_MS,
    ];
    let (a, b) = (start.as_millis(), end.as_millis());
    let step = STEPS
        .iter()
        .copied()
        .find(|s| (b - a) / s <= 12)
        .unwrap_or_else(|| ((b - a) / 12 / DAY_MS + 1) * DAY_MS);
    let first = a.div_euclid(step) * step;
    let first = if first < a { first + step } else { first };
    let ticks = (0..).map(|k| first + k * step).take_while(|&t| t <= b).collect();
    let last = SimTime::from_millis((b - 1).max(a));
    let style = if format_axis_year(start) != format_axis_year(last) || step > 14 * DAY_MS {
        TickStyle::Year
    } else if step < DAY_MS {
        TickStyle::Hour
    } else {
        TickStyle::Day
    };
    (ticks, style)
}

/// The label of a time tick.
pub fn tick_label(ms: i64, style: TickStyle) -> String {
    let t = SimTime::from_millis(ms);
    match style {
        TickStyle::Hour => format_axis_hour(t),
        TickStyle::Day => format_axis_day(t),
        TickStyle::Year => format_axis_date(t),
    }
}

/// `name` cut to `max` characters, with an ellipsis when cut.
pub fn truncate(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let mut out: String = name.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
