//! A chart's legend: a swatch and a label per line, the same in the
//! timeline's population panels and the sweep chart.

use super::style::{self, FONT};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One entry of a legend.
pub struct Entry<'a> {
    /// Its text.
    pub label: &'a str,
    /// The line's colour.
    pub color: RGBColor,
    /// Whether the line is dashed.
    pub dashed: bool,
}

/// Where a legend's entries go and how many it shows.
pub struct Layout {
    /// The first entry's baseline, in pixels from the area's top.
    pub top: i32,
    /// Pixels from one entry to the next.
    pub step: i32,
    /// Entries shown; the rest are counted in an `and N more` line.
    pub most: usize,
    /// Characters of a label kept (see [`style::truncate`]).
    pub label_chars: usize,
    /// Whether the swatch carries a dot, as the sweep chart's means do.
    pub dot: bool,
}

/// Draws `entries` into `area` and returns the baseline below the last
/// line drawn.
pub fn draw<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: impl ExactSizeIterator<Item = Entry<'a>>,
    layout: &Layout,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let text = (FONT, 12).into_font().color(&style::INK);
    let total = entries.len();
    let mut y = layout.top;
    for entry in entries.take(layout.most) {
        let stroke = entry.color.stroke_width(2);
        if entry.dashed {
            area.draw(&PathElement::new(vec![(0, y), (7, y)], stroke))?;
            area.draw(&PathElement::new(vec![(11, y), (18, y)], stroke))?;
        } else {
            area.draw(&PathElement::new(vec![(0, y), (18, y)], stroke))?;
        }
        if layout.dot {
            area.draw(&Circle::new((9, y), 3, entry.color.filled()))?;
        }
        let label = style::truncate(entry.label, layout.label_chars);
        area.draw(&Text::new(label, (26, y - 7), text.clone()))?;
        y += layout.step;
    }
    if total > layout.most {
        let more = format!("and {} more", total - layout.most);
        area.draw(&Text::new(more, (26, y - 7), text.color(&style::MUTED)))?;
        y += layout.step;
    }
    Ok(y)
}
