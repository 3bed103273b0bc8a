//! summary.json and the comparison table printed by `cnasim run`.

use crate::model::database::DatabaseTotals;
use crate::model::metrics::{METRIC_NAMES, MetricValue, Metrics};
use crate::model::{Outcome, World};
use crate::time::format_rfc3339;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// The tool's version, written into every summary.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What summary.json holds: the scenario, its seed and window, the tool's
/// version, the metrics of each policy (MODEL.md section 8) in run order,
/// and each policy's dispatcher figures per database.
#[derive(Serialize)]
pub struct Summary<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Root seed.
    pub seed: u64,
    /// cnasim version.
    pub version: &'static str,
    /// Window start (RFC 3339).
    pub start: String,
    /// Window end (RFC 3339).
    pub end: String,
    /// Number of mailboxes: the explicit ones and the population's.
    pub mailboxes: u64,
    /// Number of databases.
    pub databases: usize,
    /// What the scenario's `population:` generated, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<PopulationSummary>,
    /// Metrics per policy, in run order.
    pub policies: Ordered<&'a str, &'a Metrics>,
    /// Per policy, per database (file order): counters and watermark.
    pub dispatchers: Ordered<&'a str, Ordered<&'a str, Dispatcher>>,
}

/// The generated part of a world.
#[derive(Serialize)]
pub struct PopulationSummary {
    /// Mailboxes the population has.
    pub mailboxes: u64,
    /// Of those, users who turn SMS reminders on.
    pub sms_users: u64,
    /// Of those, mailboxes under a move request.
    pub moved: u64,
    /// Mailboxes built and simulated (SMS users or moved); the others fire
    /// no event and expect no reminder, so they are only counted.
    pub built: u64,
    /// Mailboxes written in the file.
    pub explicit: u64,
}

/// One database's dispatcher at the end of a run.
#[derive(Serialize)]
pub struct Dispatcher {
    /// Events fired in the window, background traffic included.
    pub events: u64,
    /// Events the assistant processed.
    pub processed: u64,
    /// Counter of the last event fired.
    pub last_counter: Option<u64>,
    /// Counter of the last event processed.
    pub watermark: Option<u64>,
    /// Events fired but not processed at the window end.
    pub backlog_at_end: u64,
    /// Largest backlog seen by a processed event.
    pub max_backlog: u64,
}

impl From<&DatabaseTotals> for Dispatcher {
    fn from(t: &DatabaseTotals) -> Self {
        Dispatcher {
            events: t.issued,
            processed: t.processed,
            last_counter: t.last_counter,
            watermark: t.watermark,
            backlog_at_end: t.backlog_at_end(),
            max_backlog: t.max_backlog,
        }
    }
}

/// Pairs serialized as a JSON object in their order.
pub struct Ordered<K, V>(pub Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Ordered<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'a> Summary<'a> {
    /// The summary of `world` run under the given policies.
    pub fn new(world: &'a World, runs: &[(&'a str, &'a Outcome)]) -> Self {
        let dispatchers = runs
            .iter()
            .map(|(policy, outcome)| {
                let per_db = world
                    .databases
                    .iter()
                    .zip(&outcome.databases)
                    .map(|(db, totals)| (db.name.as_str(), Dispatcher::from(totals)))
                    .collect();
                (*policy, Ordered(per_db))
            })
            .collect();
        let population = world.population.map(|p| PopulationSummary {
            mailboxes: p.mailboxes,
            sms_users: p.sms_users,
            moved: p.moved,
            built: p.materialized,
            explicit: world.mailboxes.len() as u64 - p.materialized,
        });
        Summary {
            scenario: &world.name,
            seed: world.seed,
            version: VERSION,
            start: format_rfc3339(world.start),
            end: format_rfc3339(world.end),
            mailboxes: world.mailbox_count(),
            databases: world.databases.len(),
            population,
            policies: Ordered(runs.iter().map(|(p, o)| (*p, &o.metrics)).collect()),
            dispatchers: Ordered(dispatchers),
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a summary always serializes");
        text.push('\n');
        text
    }
}

/// A metric as the comparison table shows it.
fn cell(value: MetricValue, name: &str) -> String {
    match value {
        MetricValue::Count(n) => n.to_string(),
        MetricValue::Real(x) if name == "delivery_ratio" => format!("{x:.3}"),
        MetricValue::Real(x) => format!("{x:.2}"),
    }
}

/// The comparison table's cells: a header row (`metric` and the policy
/// names), then one row per metric in table order, values formatted as the
/// table prints them.
pub fn table_rows(summary: &Summary<'_>) -> Vec<Vec<String>> {
    let policies = &summary.policies.0;
    let mut rows: Vec<Vec<String>> = vec![
        std::iter::once("metric".to_string())
            .chain(policies.iter().map(|(n, _)| n.to_string()))
            .collect(),
    ];
    for name in METRIC_NAMES {
        let mut row = vec![name.to_string()];
        for (_, metrics) in policies {
            row.push(metrics.get(name).map_or_else(String::new, |v| cell(v, name)));
        }
        rows.push(row);
    }
    rows
}

/// The side-by-side comparison of the policies: one row per metric, one
/// column per policy, right-aligned, ready to paste into a ticket.
pub fn comparison_table(summary: &Summary<'_>) -> String {
    let rows = table_rows(summary);
    let generated = summary.population.as_ref().map_or(String::new(), |p| {
        format!(
            " ({} generated: {} SMS users, {} moved, {} built)",
            p.mailboxes, p.sms_users, p.moved, p.built
        )
    });
    let mut out = format!(
        "{}: seed {}, {} to {}, {} mailbox{}{generated}, {} database{}\n\n",
        summary.scenario,
        summary.seed,
        summary.start,
        summary.end,
        summary.mailboxes,
        if summary.mailboxes == 1 { "" } else { "es" },
        summary.databases,
        if summary.databases == 1 { "" } else { "s" },
    );
    out.push_str(&super::text_table::render(&rows, 1));
    out
}
