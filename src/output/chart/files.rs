//! Writing a chart as PNG and SVG: the same drawing function on either
//! backend, with errors that say which chart failed.

use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind};
use plotters::prelude::{BitMapBackend, DrawingBackend, IntoDrawingArea, SVGBackend};
use std::io;
use std::path::Path;

/// What a drawing function returns on a backend whose errors are `E`.
pub type Drawn<E> = Result<(), DrawingAreaErrorKind<E>>;

/// What a drawing function returns on the backend `DB`.
pub type DrawResult<DB> = Drawn<<DB as DrawingBackend>::ErrorType>;

/// The bitmap backend's error type (not exported by plotters by name).
type BitMapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

fn error(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("cannot draw {what}: {e}"))
}

/// Draws with `draw` into a PNG file at `path` of `size` pixels; `what`
/// names the chart in errors ("the timeline").
pub fn write_png(
    path: &Path,
    size: (u32, u32),
    what: &str,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Drawn<BitMapError>,
) -> io::Result<()> {
    let root = BitMapBackend::new(path, size).into_drawing_area();
    draw(&root).map_err(|e| error(what, e))?;
    root.present().map_err(|e| error(what, e))
}

/// Draws with `draw` into an SVG document of `size` pixels.
pub fn render_svg(
    size: (u32, u32),
    what: &str,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Drawn<io::Error>,
) -> io::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(&root).map_err(|e| error(what, e))?;
        root.present().map_err(|e| error(what, e))?;
    }
    Ok(svg)
}
