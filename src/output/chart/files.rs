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
///
/// plotters draws into memory and cnasim writes the file itself: plotters'
/// own saving reports a failed write (a full disk) as the debug form of its
/// error, `ImageError(IoError(Custom { .. }))`; here the file's IO errors
/// reach the user as they are.
pub fn write_png(
    path: &Path,
    size: (u32, u32),
    what: &str,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Drawn<BitMapError>,
) -> io::Result<()> {
    let (width, height) = size;
    let bytes = usize::try_from(u64::from(width) * u64::from(height) * 3)
        .map_err(|_| error(what, format!("{width} x {height} pixels is too large")))?;
    // Black, as plotters starts a file's bitmap.
    let mut pixels = vec![0u8; bytes];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        draw(&root).map_err(|e| error(what, e))?;
        root.present().map_err(|e| error(what, e))?;
    }
    encode_png(path, size, &pixels)
}

/// Writes RGB `pixels` as a PNG file, encoded as plotters (through the
/// `image` crate's defaults) encodes it, so the bytes are the same.
fn encode_png(path: &Path, (width, height): (u32, u32), pixels: &[u8]) -> io::Result<()> {
    let io_error = |e: png::EncodingError| match e {
        png::EncodingError::IoError(e) => e,
        other => io::Error::other(format!("cannot encode {}: {other}", path.display())),
    };
    let mut file = io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(&mut file, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::FilterType::Sub);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let mut writer = encoder.write_header().map_err(io_error)?;
    writer.write_image_data(pixels).map_err(io_error)?;
    // Writes the end chunk and flushes: an error is not lost in a drop.
    writer.finish().map_err(io_error)?;
    io::Write::flush(&mut file)
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
