//! report.html: one self-contained page per run. No script, no network,
//! nothing to install: styles are inline and the timeline is the same SVG
//! as timeline.svg, embedded. Links point only at files in the same folder.

use super::Labels;
use super::summary::{Summary, table_rows};
use crate::model::metrics::Dropout;
use crate::time::format_short;
use std::fmt::Write;

/// The most dropouts listed on the page; dropouts.csv has them all.
pub const MAX_DROPOUT_ROWS: usize = 500;

/// What the page shows.
pub struct ReportInput<'a> {
    /// The scenario's summary (figures and table).
    pub summary: &'a Summary<'a>,
    /// The scenario's description.
    pub description: &'a str,
    /// Names.
    pub labels: &'a Labels,
    /// The timeline, as an SVG document.
    pub svg: &'a str,
    /// Dropouts per policy, in run order.
    pub dropouts: Vec<(&'a str, &'a [Dropout])>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; color: #212121; margin: 24px auto;
       max-width: 1640px; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #e0e0e0; padding-bottom: 4px; }
p.facts { color: #616161; margin: 0 0 12px; }
p.description { max-width: 960px; }
table { border-collapse: collapse; font-size: 14px; }
th, td { padding: 3px 12px; border-bottom: 1px solid #eeeeee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.text { text-align: left; }
thead th { background: #f5f5f5; }
figure { margin: 0; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
code { background: #f5f5f5; padding: 1px 4px; }
footer { color: #757575; font-size: 13px; margin-top: 32px; }
";

/// The whole page.
pub fn render(input: &ReportInput) -> String {
    let s = input.summary;
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>cnasim: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{name}</h1>\n<p class=\"facts\">seed {seed}, {start} to {end} (UTC), {mailboxes} \
         mailbox{mb_s}, {databases} database{db_s}; cnasim {version}</p>\n\
         <p class=\"description\">{description}</p>\n",
        name = escape(s.scenario),
        seed = s.seed,
        start = escape(&s.start),
        end = escape(&s.end),
        mailboxes = s.mailboxes,
        mb_s = if s.mailboxes == 1 { "" } else { "es" },
        databases = s.databases,
        db_s = if s.databases == 1 { "" } else { "s" },
        version = s.version,
        description = escape(input.description.trim()),
    );
    comparison(&mut html, s);
    html.push_str("<h2>Timeline</h2>\n<figure id=\"timeline\">\n");
    html.push_str(strip_xml_declaration(input.svg));
    html.push_str("\n</figure>\n");
    dropouts(&mut html, input);
    html.push_str(
        "<footer>Files in this folder: <a href=\"summary.json\">summary.json</a>, \
         <a href=\"dropouts.csv\">dropouts.csv</a>, <a href=\"database_events.csv\">database_events.csv</a>, \
         <a href=\"message_tracking.csv\">message_tracking.csv</a>, <a href=\"admin_audit.csv\">admin_audit.csv</a>, \
         <a href=\"assistant_trace.log\">assistant_trace.log</a>, <a href=\"timeline.png\">timeline.png</a>, \
         <a href=\"timeline.svg\">timeline.svg</a>, <a href=\"trace.json\">trace.json</a> \
         (open it at ui.perfetto.dev with <i>Open trace file</i>, or in chrome://tracing). \
         Every figure on this page was computed by the simulation.</footer>\n</body>\n</html>\n",
    );
    html
}

fn comparison(html: &mut String, summary: &Summary) {
    let rows = table_rows(summary);
    html.push_str("<h2>Policies compared</h2>\n<table id=\"comparison\">\n<thead><tr>");
    for cell in &rows[0] {
        let _ = write!(html, "<th>{}</th>", escape(cell));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &rows[1..] {
        html.push_str("<tr>");
        for cell in row {
            let _ = write!(html, "<td>{}</td>", escape(cell));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
}

fn dropouts(html: &mut String, input: &ReportInput) {
    let total: usize = input.dropouts.iter().map(|(_, d)| d.len()).sum();
    let _ = writeln!(html, "<h2>Dropouts ({total})</h2>");
    if total == 0 {
        html.push_str("<p>No user lost SMS reminders while wanting them, under any policy.</p>\n");
        return;
    }
    html.push_str(
        "<p>Episodes in which a user wanted SMS reminders and the assistant was not serving \
         the mailbox.</p>\n<table id=\"dropouts\">\n<thead><tr><th>policy</th><th>mailbox</th>\
         <th>start</th><th>end</th><th>hours</th><th>reminders missed</th></tr></thead>\n<tbody>\n",
    );
    let rows = input.dropouts.iter().flat_map(|(p, ds)| ds.iter().map(move |d| (*p, d)));
    for (policy, d) in rows.take(MAX_DROPOUT_ROWS) {
        let _ = writeln!(
            html,
            "<tr><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td>\
             <td class=\"text\">{}</td><td>{:.2}</td><td>{}</td></tr>",
            escape(policy),
            escape(input.labels.mailbox(d.mailbox)),
            format_short(d.start),
            format_short(d.end),
            (d.end - d.start).as_hours_f64(),
            d.reminders_missed,
        );
    }
    html.push_str("</tbody>\n</table>\n");
    if total > MAX_DROPOUT_ROWS {
        let _ = writeln!(
            html,
            "<p>The first {MAX_DROPOUT_ROWS} of {total}; <a href=\"dropouts.csv\">dropouts.csv</a> \
             lists them all.</p>"
        );
    }
}

/// An SVG document without its `<?xml ...?>` line, for inline use.
fn strip_xml_declaration(svg: &str) -> &str {
    let svg = svg.trim_start();
    if svg.starts_with("<?xml")
        && let Some(end) = svg.find("?>")
    {
        return svg[end + 2..].trim_start();
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
    }

    #[test]
    fn strips_the_xml_declaration() {
        assert_eq!(strip_xml_declaration("<?xml version=\"1.0\"?>\n<svg/>"), "<svg/>");
        assert_eq!(strip_xml_declaration("<svg/>"), "<svg/>");
    }
}
