//! `cnasim schema`: the published copy is current, every scenario in the
//! repository validates against it, and it refuses what cnasim refuses
//! where JSON Schema can say so, without ever refusing what cnasim accepts.

use std::path::{Path, PathBuf};

mod common;
use common::{cnasim, stdout};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&cnasim::scenario::schema::json_schema()).unwrap();
    jsonschema::draft7::new(&schema).expect("the schema is valid draft 7")
}

/// The YAML text as the JSON value an editor's language server checks:
/// read by YAML 1.2's core schema, where a plain `1`, `+1555` or `true` is a
/// number or a boolean, not text.
fn as_json(yaml: &str) -> serde_json::Value {
    use saphyr::{LoadableYamlNode, Scalar, Yaml};
    fn convert(node: &Yaml) -> serde_json::Value {
        match node {
            Yaml::Value(Scalar::Null) => serde_json::Value::Null,
            Yaml::Value(Scalar::Boolean(b)) => (*b).into(),
            Yaml::Value(Scalar::Integer(i)) => (*i).into(),
            Yaml::Value(Scalar::FloatingPoint(f)) => f.into_inner().into(),
            Yaml::Value(Scalar::String(s)) => s.as_ref().into(),
            Yaml::Sequence(items) => items.iter().map(convert).collect(),
            Yaml::Mapping(map) => map
                .iter()
                .map(|(k, v)| {
                    let key = match convert(k) {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, convert(v))
                })
                .collect::<serde_json::Map<_, _>>()
                .into(),
            Yaml::Tagged(_, inner) => convert(inner),
            other => panic!("unexpected YAML node {other:?}"),
        }
    }
    let docs = Yaml::load_from_str(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    assert_eq!(docs.len(), 1, "one document");
    convert(&docs[0])
}

/// Every scenario file in the repository: the shipped ones and the
/// reference model's.
fn every_scenario() -> Vec<PathBuf> {
    let mut files = common::scenario_files();
    let reference = root().join("tools/reference-model/scenarios");
    let mut more: Vec<PathBuf> = std::fs::read_dir(reference)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    more.sort();
    assert!(!more.is_empty());
    files.extend(more);
    files
}

#[test]
fn the_published_schema_is_current() {
    let o = cnasim(&["schema"]);
    assert!(o.status.success());
    let file = root().join("docs/scenario.schema.json");
    if std::env::var_os("CNASIM_UPDATE_GOLDEN").is_some() {
        std::fs::write(&file, stdout(&o)).unwrap();
    }
    let published = std::fs::read_to_string(&file).unwrap();
    assert!(
        published == stdout(&o),
        "docs/scenario.schema.json is stale: run `cargo run -- schema > docs/scenario.schema.json`"
    );
}

#[test]
fn every_scenario_in_the_repository_validates() {
    let validator = validator();
    for path in every_scenario() {
        let text = std::fs::read_to_string(&path).unwrap();
        cnasim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let errors: Vec<String> = validator
            .iter_errors(&as_json(&text))
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

/// Edits of a valid scenario: the ones cnasim refuses that the schema can
/// catch as well, and the ones cnasim accepts, which the schema must too.
#[test]
fn refuses_what_cnasim_refuses_and_accepts_what_it_accepts() {
    let validator = validator();
    assert!(!validator.is_valid(&serde_json::json!({})), "start and databases are required");
    let base = std::fs::read_to_string(root().join("scenarios/policy-comparison.yaml")).unwrap();
    let edit = |from: &str, to: &str| {
        assert_eq!(base.matches(from).count(), 1, "`{from}`");
        base.replacen(from, to, 1)
    };
    let refused = [
        edit("seed: 5", "sed: 5"),
        edit("seed: 5", "seed: -5"),
        edit("  - legacy\n", "  - legcy\n"),
        edit("    catch_up: false\n  - name: resume", "    catch_up: maybe\n  - name: resume"),
        edit(
            "pause_on_move_started: [finalize]\n    resume_on: []",
            "pause_on_move_started: [finalise]\n    resume_on: []",
        ),
        edit("    reminders_missed: 12", "    reminders_mised: 12"),
        edit("    reminders_missed: 12", "    reminders_missed: { mn: 1 }"),
        edit("    reminders_missed: 12", "    reminders_missed: -1"),
        edit("    reminders_missed: 12", "    reminders_missed: twelve"),
        edit("      sync_duration: 30m", "      sync_duration: { normal: [1m, 2m] }"),
        edit("  - name: DB03", "  - name: DB03\n    colour: blue"),
        edit("name: policy-comparison", "name: Policy Comparison"),
        edit("start: 2016-05-02T00:00:00Z", "start: 2016-05-02"),
        edit("      sync_duration: 30m", "      sync_duration: 30 minutes"),
        edit("      sync_duration: 30m", "      sync_duration: 30"),
        // (`databases: []` is refused only without a `population:`, which
        // the schema cannot tell, so it accepts it.)
        edit("seed: 5", "seed: 5\npopulation: { mailboxes: 10, moves: { shares: 0.5 } }"),
        edit("seed: 5", "seed: 5\nsweep: { set: { databases.0.service_time: [] } }"),
        edit("seed: 5", "seed: 5\nsweep: { metric: reminders_mised }"),
        // Text: control, bidirectional formatting and separator characters,
        // and lengths.
        edit("subject: Team sync", "subject: \"Team\\e[31msync\""),
        edit("subject: Team sync", "subject: \"Team\\u202Esync\""),
        edit("subject: Team sync", "subject: \"Team\\nsync\""),
        edit("subject: Team sync", &format!("subject: {}", "x".repeat(256))),
        edit("  - name: DB03", "  - name: \"DB\\u2066 03\""),
        edit("description: >", "domain: con\u{202e}toso.com\ndescription: >"),
        edit("description: >", "domain: contoso_com\ndescription: >"),
        edit("  Five policies", "  Five\u{2028}policies"),
        // A list of instants, not one.
        edit(
            "sms: { enable_at: 2016-05-02T07:00:00Z }\n    calendar:\n      - subject: Team sync",
            "sms: { enable_at: 2016-05-02T07:00:00Z, reconfigure_at: 2016-05-03T07:00:00Z }\n    \
             calendar:\n      - subject: Team sync",
        ),
        edit(
            "sms: { enable_at: 2016-05-02T07:00:00Z }\n    calendar:\n      - subject: Team sync",
            "sms: { enable_at: 2016-05-02T07:00:00Z, reconfigure_at: [2016-05-03] }\n    \
             calendar:\n      - subject: Team sync",
        ),
    ];
    for text in &refused {
        assert!(
            cnasim::scenario::parse(text, "edit.yaml", "edit", &Default::default()).is_err(),
            "cnasim accepts this edit:\n{text}"
        );
        assert!(!validator.is_valid(&as_json(text)), "the schema accepts:\n{text}");
    }
    let accepted = [
        edit("      sync_duration: 30m", "      sync_duration: { uniform: [10m, 30m] }"),
        edit("      sync_duration: 30m", "      sync_durations: [30m, 00:20:00]"),
        edit("    reminders_missed: 12", "    reminders_missed: { min: 10, max: 12 }"),
        edit("    reminders_missed: 12", "    reminders_missed: 12\n    delivery_ratio: 0.2"),
        edit(
            "  - name: DB03",
            "  - name: DB03\n    service_time: 0\n    background: { rate_per_hour: 0 }",
        ),
        edit(
            "  - name: Blake Martin\n",
            "  - name: Blake Martin\n    guid: 957ca0a9-f84f-425e-a263-5b468e90d574\n    phone: \"+10008675309\"\n",
        ),
        edit("start: 2016-05-02T00:00:00Z", "start: 2016-05-02T02:00:00+02:00"),
        edit("end: 2016-05-07T00:00:00Z", "duration: 5d"),
        edit(
            "seed: 5",
            "seed: 5\nsweep:\n  seeds: 3\n  metric: reminders_late\n  set:\n    \
             databases.0.service_time: [0, 1s]\n    mailboxes.0.move.lock_duration: [10m, 1h]",
        ),
        // Plain scalars that YAML 1.2 types as numbers or booleans, which
        // cnasim reads as text.
        edit("name: policy-comparison", "name: 2016"),
        edit("description: >", "domain: 42\ndescription: >"),
        edit("  - name: Blake Martin\n", "  - name: 2016\n    phone: +10008675309\n"),
        edit("  - name: DB03", "  - name: DB03\n  - name: true"),
        edit(
            "    database: DB01\n    sms: { enable_at: 2016-05-02T07:00:00Z }\n    calendar:\n      - subject: Team sync",
            "    database: DB01\n    sms: { enable_at: 2016-05-02T07:00:00Z }\n    calendar:\n      - subject: 1",
        ),
        edit(
            "  - name: Alex Wilber\n",
            "  - name: Alex Wilber\n    guid: 957ca0a9f84f425ea2635b468e90d574\n",
        ),
        edit(
            "  - name: Alex Wilber\n",
            "  - name: Alex Wilber\n    guid: URN:UUID:957ca0a9-f84f-425e-a263-5b468e90d574\n",
        ),
        // Numbers written the YAML 1.1 way, which YAML 1.2 reads as text.
        edit("subject: Team sync", &format!("subject: {}", "é".repeat(255))),
        edit("subject: Team sync", "subject: \"Réunion: שלום\""),
        edit("description: >", "description: |"),
        edit("seed: 5", "seed: 1_000"),
        edit("seed: 5", "seed: 0b101"),
        edit("  - name: DB03", "  - name: DB03\n    background: { rate_per_hour: 1_000 }"),
        edit("    reminders_missed: 12", "    reminders_missed: 1_2"),
        // An empty population key, and a population with its defaults.
        edit("seed: 5", "seed: 5\npopulation:"),
        edit("seed: 5", "seed: 5\npopulation: { mailboxes: 10 }"),
        edit(
            "seed: 5",
            "seed: 5\npopulation:\n  mailboxes: 10\n  calendar: { items: { uniform: [0, 3] } }\n  \
             moves: { sync_duration: { uniform: [1m, 2m] }, complete_share: 1 }",
        ),
        edit("    sync_duration: 20m", "    sync_duration: 1d 2h 30m 15s 500ms"),
        edit("    sync_duration: 20m", "    sync_duration: \" 1.00:20:00.5 \""),
        // Listed reconfigurations, none, or an empty key.
        edit(
            "sms: { enable_at: 2016-05-02T07:00:00Z }\n    calendar:\n      - subject: Team sync",
            "sms:\n      enable_at: 2016-05-02T07:00:00Z\n      reconfigure_at:\n        - \
             2016-05-03T07:00:00Z\n        - 2016-05-04T07:00:00.5Z\n    calendar:\n      - \
             subject: Team sync",
        ),
        edit(
            "sms: { enable_at: 2016-05-02T07:00:00Z }\n    calendar:\n      - subject: Team sync",
            "sms: { enable_at: 2016-05-02T07:00:00Z, reconfigure_at: [] }\n    calendar:\n      \
             - subject: Team sync",
        ),
        edit(
            "sms: { enable_at: 2016-05-02T07:00:00Z }\n    calendar:\n      - subject: Team sync",
            "sms: { enable_at: 2016-05-02T07:00:00Z, reconfigure_at: }\n    calendar:\n      - \
             subject: Team sync",
        ),
    ];
    for text in &accepted {
        cnasim::scenario::parse(text, "edit.yaml", "edit", &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let errors: Vec<String> =
            validator.iter_errors(&as_json(text)).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "the schema refuses what cnasim accepts: {errors:?}\n{text}");
    }
}
