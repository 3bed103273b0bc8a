//! The JSON Schema of the scenario format (`cnasim schema`), for editors'
//! completion and validation as you type.
//!
//! The structure is derived from the types in [`super::file`], with their
//! doc comments as descriptions. The scalars that check themselves while
//! being read (durations, instants, names) get hand-written schemas here,
//! as close to what they accept as JSON Schema can say; the schema can be
//! looser than cnasim (cross-references such as a mailbox's database are
//! only checked by cnasim) but never stricter.

use super::expect::{BoundFile, KeyedMap, MAX_EXPECTED, NumberFile};
use super::file::{PolicyEntry, ScenarioFile, SyncDurationFile};
use super::values::{
    Description, DisplayName, Domain, DurationValue, GuidValue, InstantValue,
    MAX_DESCRIPTION_CHARS, MAX_DOMAIN_CHARS, MAX_SUBJECT_CHARS, NAME, Phone, Real, Slug, Subject,
    Whole,
};
use crate::model::metrics::{METRIC_NAMES, Metrics};
use crate::model::policy::PRESET_NAMES;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

/// The schema as pretty-printed JSON (JSON Schema draft 7, which editors'
/// YAML language servers support best), ending in a newline.
pub fn json_schema() -> String {
    let mut generator = SchemaSettings::draft07().into_generator();
    let mut schema = generator.root_schema_for::<ScenarioFile>();
    schema.insert("title".into(), "cnasim scenario".into());
    schema.insert(
        "description".into(),
        "A cnasim scenario: a virtual clock's window, mailbox databases, mailboxes with their \
         calendars, SMS intent and move requests, the policies to compare and what each must \
         measure (MODEL.md and INTERFACE.md)."
            .into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
    text.push('\n');
    text
}

/// The JSON types of a plain scalar cnasim reads as text: a YAML 1.2
/// reader (an editor's language server) types plain scalars such as `1`,
/// `2016` or `true` as numbers and booleans, where cnasim reads text; the
/// schema allows them so as not to be stricter.
const TEXT_TYPES: [&str; 3] = ["string", "number", "boolean"];

/// Numbers written the YAML 1.1 way (`1_000`, `0b101`), which cnasim reads
/// as numbers and a YAML 1.2 reader as text.
const NUMBER_TEXT: &str = "^[-+]?(0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?|\\.[0-9][0-9_]*([eE][-+]?[0-9]+)?)$";

/// A schema named `name` built from `schema`.
macro_rules! scalar_schema {
    ($ty:ty, $name:literal, $schema:tt) => {
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

scalar_schema!(DurationValue, "Duration", {
    "description": "A duration: units largest first (`w`, `d`, `h`, `m`, `s`, `ms`) as in \
                    `90s`, `15m`, `1d 2h 30m` or `500ms`; the .NET form `1.00:00:00`; or a bare `0`.",
    "anyOf": [
        { "type": "string", "pattern": "^\\s*([0-9]+(ms|w|d|h|m|s)\\s*)+$" },
        { "type": "string", "pattern": "^\\s*([0-9]+\\.)?[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]+)?\\s*$" },
        { "const": 0 }
    ]
});

scalar_schema!(InstantValue, "Instant", {
    "description": "An RFC 3339 instant with a time zone, such as `2016-01-25T21:32:01Z`.",
    "type": "string",
    "pattern": "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})\\s*$"
});

scalar_schema!(Whole, "Whole", {
    "description": "A whole number from 0 to 18446744073709551615.",
    "anyOf": [
        { "type": "integer", "minimum": 0, "maximum": 18446744073709551615u64 },
        { "type": "string", "pattern": NUMBER_TEXT }
    ]
});

scalar_schema!(Real, "Real", {
    "description": "A finite number.",
    "anyOf": [
        { "type": "number" },
        { "type": "string", "pattern": NUMBER_TEXT }
    ]
});

scalar_schema!(Slug, "Slug", {
    "description": "1 to 64 characters from `a-z`, `0-9` and `-`, not starting with `-`.",
    "type": TEXT_TYPES,
    "pattern": "^[a-z0-9][a-z0-9-]{0,63}$"
});

/// Text on one line: no control characters (C0, DEL, C1), bidirectional
/// formatting characters or line and paragraph separators
/// (`values::unsafe_char`).
const LINE_TEXT: &str =
    "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]*$";

/// Prose: as [`LINE_TEXT`], but tabs and line breaks are allowed.
const PROSE_TEXT: &str = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]*$";

scalar_schema!(DisplayName, "DisplayName", {
    "description": "A name: one line of 1 to 256 characters, without control characters, \
                    bidirectional formatting characters or line separators.",
    "type": TEXT_TYPES,
    "minLength": 1,
    "maxLength": NAME.max_chars,
    "pattern": LINE_TEXT
});

scalar_schema!(Subject, "Subject", {
    "description": "One line of at most 255 characters (Exchange's limit for a subject), \
                    without control characters, bidirectional formatting characters or line \
                    separators.",
    "type": TEXT_TYPES,
    "maxLength": MAX_SUBJECT_CHARS,
    "pattern": LINE_TEXT
});

scalar_schema!(Description, "Description", {
    "description": "Markdown of at most 65,536 characters: line breaks and tabs, but no other \
                    control characters, bidirectional formatting characters or line separators.",
    "type": TEXT_TYPES,
    "maxLength": MAX_DESCRIPTION_CHARS,
    "pattern": PROSE_TEXT
});

scalar_schema!(Domain, "Domain", {
    "description": "An SMTP domain such as `contoso.com`: letters, digits, `.` and `-`, at most \
                    253 characters.",
    "type": TEXT_TYPES,
    "minLength": 1,
    "maxLength": MAX_DOMAIN_CHARS,
    "pattern": "^[A-Za-z0-9.-]+$"
});

scalar_schema!(GuidValue, "Guid", {
    "description": "A GUID such as `957ca0a9-f84f-425e-a263-5b468e90d574`.",
    "type": TEXT_TYPES,
    "pattern": "^([uU][rR][nN]:[uU][uU][iI][dD]:)?\\{?[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}\\}?$"
});

scalar_schema!(Phone, "Phone", {
    "description": "A phone number in E.164 form: `+` and 4 to 15 digits, such as \"+10008675309\".",
    "type": TEXT_TYPES,
    "pattern": "^\\+[0-9]{4,15}$"
});

scalar_schema!(NumberFile, "ExpectedNumber", {
    "description": "A value a metric is compared with: metrics are never negative, and values \
                    are at most 2^53.",
    "anyOf": [
        { "type": "number", "minimum": 0, "maximum": MAX_EXPECTED },
        { "type": "string", "pattern": NUMBER_TEXT }
    ]
});

impl JsonSchema for PolicyEntry {
    fn schema_name() -> Cow<'static, str> {
        "PolicyEntry".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let defined = generator.subschema_for::<super::file::PolicyFile>();
        json_schema!({
            "description": "A built-in policy by name, or a policy of the scenario's own \
                            (docs/policies.md).",
            "anyOf": [
                { "description": "A built-in policy.", "enum": PRESET_NAMES },
                defined
            ]
        })
    }
}

impl JsonSchema for SyncDurationFile {
    fn schema_name() -> Cow<'static, str> {
        "SyncDuration".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let fixed = generator.subschema_for::<DurationValue>();
        let drawn = generator.subschema_for::<super::file::DistributionFile>();
        json_schema!({
            "description": "How long each sync takes: one duration, or a distribution drawn \
                            from the mailbox's random stream.",
            "anyOf": [fixed, drawn]
        })
    }
}

impl JsonSchema for BoundFile {
    fn schema_name() -> Cow<'static, str> {
        "Expectation".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let number = generator.subschema_for::<NumberFile>();
        let range = generator.subschema_for::<super::expect::RangeFile>();
        json_schema!({
            "description": "A bare number: the metric must equal it. `{ min, max }`: it must \
                            lie between them, both inclusive.",
            "anyOf": [number, range]
        })
    }
}

/// One policy's expectations: a key per metric of MODEL.md section 8, with
/// the description from [`Metrics`]' doc comments.
impl JsonSchema for KeyedMap<BoundFile> {
    fn schema_name() -> Cow<'static, str> {
        "PolicyExpectations".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let metrics = SchemaSettings::draft07().into_generator().into_root_schema_for::<Metrics>();
        let describe = |name: &str| {
            metrics
                .get("properties")
                .and_then(|p| p.get(name))
                .and_then(|p| p.get("description"))
                .cloned()
                .unwrap_or_default()
        };
        let bound = generator.subschema_for::<BoundFile>();
        let mut properties = serde_json::Map::new();
        for name in METRIC_NAMES {
            let mut schema = bound.clone();
            schema.insert("description".into(), describe(name));
            properties.insert(name.into(), schema.to_value());
        }
        json_schema!({
            "description": "What this policy's metrics must be (MODEL.md section 8).",
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
            "minProperties": 1
        })
    }
}

impl JsonSchema for KeyedMap<KeyedMap<BoundFile>> {
    fn schema_name() -> Cow<'static, str> {
        "Expect".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let policy = generator.subschema_for::<KeyedMap<BoundFile>>();
        json_schema!({
            "description": "Regression assertions, per policy (one the scenario runs) and \
                            metric. `cnasim check` evaluates them.",
            "type": "object",
            "propertyNames": { "pattern": "^[a-z0-9][a-z0-9-]{0,63}$" },
            "additionalProperties": policy,
            "minProperties": 1
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_every_metric_and_refuses_unknown_keys() {
        let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(schema["additionalProperties"], false);
        let expectations = &schema["definitions"]["PolicyExpectations"]["properties"];
        for name in METRIC_NAMES {
            let description = expectations[name]["description"].as_str().unwrap_or_default();
            assert!(!description.is_empty(), "{name} has no description");
        }
        let start = schema["properties"]["start"]["description"].as_str().unwrap();
        assert_eq!(start, "First instant of the window.");
    }
}
