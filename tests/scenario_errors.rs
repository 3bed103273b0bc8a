//! Scenario files that must be refused, each with the exact location and
//! the words that say what was expected.

mod common;
use cnasim::scenario::Overrides;
use common::error;

const HEAD: &str = "start: 2016-01-01T00:00:00Z
end: 2016-01-22T00:00:00Z
databases: [{ name: A }, { name: B }]
";

/// Asserts that `body` (after the three-line HEAD) is refused at
/// `inline.yaml:line:column` with a message containing `words`.
fn refused(body: &str, line: u32, column: u32, words: &str) {
    let e = error(&format!("{HEAD}{body}"));
    let at = format!("inline.yaml:{line}:{column}: ");
    assert!(e.starts_with(&at), "expected {at}\n{e}");
    assert!(e.contains(words), "expected `{words}`\n{e}");
}

#[test]
fn structure() {
    refused("mailboxs: []\n", 4, 1, "unknown field `mailboxs`, expected one of");
    refused("seed: -1\n", 4, 7, "whole number that is not negative");
    refused("policies: [legacy, legacy]\n", 4, 20, "policy `legacy` is already listed");
    refused("policies: []\n", 4, 11, "`policies` is empty");
    refused("population: { mailboxes: 0 }\n", 4, 26, "a population has 1 to 10000000 mailboxes");
    refused(
        "population: { mailboxes: 10, sms: { share: 1.5 } }\n",
        4,
        44,
        "`sms.share` is a fraction, from 0 to 1; found 1.5",
    );
    refused(
        "population: { mailboxes: 10, calendar: { working_hours: [23h59m, 24h] } }\n",
        4,
        57,
        "with a half hour (where meetings start) between them",
    );
    refused("sweep: { seeds: 0 }\n", 4, 17, "`seeds` must be from 1 to 100000; found 0");
    refused("sweep: { set: { seed: [1, 2] } }\n", 4, 17, "`seed` cannot be set this way");
}

#[test]
fn expectations() {
    let x = |body: &str| format!("expect:\n  {body}\n");
    refused(
        &x("lgacy: { sms_sent: 1 }"),
        5,
        3,
        "policy `lgacy`, which this scenario does not run; did you mean `legacy`? its policies are legacy, fixed",
    );
    refused(
        &x("legacy: { reminders_mised: 1 }"),
        5,
        13,
        "unknown metric `reminders_mised`; did you mean `reminders_missed`?",
    );
    refused(
        &x("legacy: { throughput: 1 }"),
        5,
        13,
        "unknown metric `throughput`; the metrics are reminders_expected,",
    );
    refused(
        &x("legacy: { reminders_missed: 0.5 }"),
        5,
        31,
        "`reminders_missed` is a count, so it never equals `0.5`",
    );
    refused(&x("legacy: { reminders_missed: -1 }"), 5, 31, "metrics are never negative");
    refused(
        &x("legacy: { delivery_ratio: { min: 1.5 } }"),
        5,
        36,
        "`delivery_ratio` lies in [0, 1]",
    );
    refused(&x("legacy: { sms_sent: { min: 3, max: 1 } }"), 5, 23, "`min` (3) is above `max` (1)");
    refused(&x("legacy: { sms_sent: {} }"), 5, 23, "give `min`, `max` or both");
    refused(
        &x("legacy: { sms_sent: { mn: 1 } }"),
        5,
        25,
        "unknown field `mn`, expected one of min, max",
    );
    refused(
        &x("legacy: { sms_sent: \"1\" }"),
        5,
        13,
        "expected a number (the metric must equal it) or `{ min: A, max: B }`",
    );
    refused(&x("legacy: { sms_sent: .inf }"), 5, 23, "finite");
    refused(&x("legacy: {}"), 5, 11, "expected at least one metric for `legacy`");
    refused("expect: {}\n", 4, 9, "`expect` is empty");
    refused("expect:\n", 4, 7, "`expect` is empty");
    refused(&x("legacy: { sms_sent: 9007199254740993 }"), 5, 23, "up to 9007199254740992 (2^53)");
    refused(&x("legacy: { sms_sent: 1e300 }"), 5, 23, "found `1e300`");
    refused("expect: [legacy]\n", 4, 1, "expected a mapping");
    refused(&x("legacy: { sms_sent: 1, sms_sent: 2 }"), 5, 26, "duplicate mapping key `sms_sent`");
    refused(
        "policies: [fixed]\nexpect: { legacy: { sms_sent: 1 } }\n",
        5,
        11,
        "its policies are fixed",
    );
    // A policy of the scenario's own can be expected on.
    let w = common::world(&format!(
        "{HEAD}policies: [legacy, {{ name: mine, pause_on_move_started: [], resume_on: [], \
         catch_up: false }}]\nexpect: {{ mine: {{ dropouts: 0, delivery_ratio: {{ min: 0.9 }} }} }}\n"
    ));
    assert_eq!(w.expectations.len(), 2);
    let zero = common::world(&format!("{HEAD}expect: {{ legacy: {{ dropout_hours: -0.0 }} }}\n"));
    assert_eq!(zero.expectations[0].bound.to_string(), "= 0", "negative zero reads as 0");
    assert_eq!((w.expectations[1].metric, w.expectations[1].line), ("delivery_ratio", 5));
}

#[test]
fn window() {
    let e =
        error("start: 2016-01-02T00:00:00Z\nend: 2016-01-01T00:00:00Z\ndatabases: [{ name: A }]\n");
    assert!(e.starts_with("inline.yaml:2:6: `end` must be after `start`"), "{e}");
    let e = error("start: 2016-01-02T00:00:00Z\ndatabases: [{ name: A }]\n");
    assert!(e.contains("needs `end` or `duration`"), "{e}");
    let e = error(
        "start: 2016-01-02T00:00:00Z\nend: 2016-01-03T00:00:00Z\nduration: 1d\ndatabases: [{ name: A }]\n",
    );
    assert!(e.starts_with("inline.yaml:3:11: give `end` or `duration`, not both"), "{e}");
    let e = error("start: 2016-01-02T00:00:00\nduration: 1d\ndatabases: [{ name: A }]\n");
    assert!(e.starts_with("inline.yaml:1:8: expected an RFC 3339 instant"), "{e}");
}

#[test]
fn references_and_names() {
    refused(
        "mailboxes: [{ name: u, database: C }]\n",
        4,
        34,
        "unknown database `C`; the databases are A, B",
    );
    refused(
        "mailboxes: [{ name: u, database: A }, { name: u, database: B }]\n",
        4,
        47,
        "mailbox `u` is already defined on line 4",
    );
    refused(
        "mailboxes: [{ name: u, database: A, move: { target: A, start: 2016-01-01T00:00:00Z } }]\n",
        4,
        53,
        "the move's target is the mailbox's own database",
    );
    refused("mailboxes: [{ name: u, database: A, phone: '555' }]\n", 4, 44, "E.164");
}

#[test]
fn text() {
    // Every text field: one rule, the character named and where it is.
    let esc = "found U+001B (escape, a control character) at character 2 of it";
    let rlo = "found U+202E (right-to-left override) at character 2 of it";
    refused("domain: \"c\\e.com\"\n", 4, 9, esc);
    refused("description: \"a\\u202Eb\"\n", 4, 14, rlo);
    refused("mailboxes: [{ name: \"u\\u202E\", database: A }]\n", 4, 21, rlo);
    refused("mailboxes: [{ name: u, database: \"A\\e\" }]\n", 4, 34, esc);
    refused(
        "mailboxes: [{ name: u, database: A, move: { target: \"B\\u202E\", start: 2016-01-01T00:00:00Z } }]\n",
        4,
        53,
        rlo,
    );
    refused(
        "mailboxes: [{ name: u, database: A, calendar: [{ subject: \"s\\e\", start: 2016-01-01T00:00:00Z }] }]\n",
        4,
        59,
        esc,
    );
    refused("policies: [\"l\\e\"]\n", 4, 12, esc);
    refused("expect: { \"l\\u202E\": { sms_sent: 1 } }\n", 4, 11, rlo);
    refused("expect: { legacy: { \"s\\e\": 1 } }\n", 4, 21, esc);
    refused("sweep: { metric: \"r\\e\" }\n", 4, 18, esc);
    refused("sweep: { set: { \"d\\u202E\": [1] } }\n", 4, 17, rlo);
    // Raw, the character itself is located, even in a comment.
    refused("domain: c.com # \u{202e}x\n", 4, 17, "found U+202E (right-to-left override)");
    refused("domain: c\u{7}.com\n", 4, 10, "found U+0007 (a control character)");
    // One line, but a description is prose.
    refused(
        "mailboxes: [{ name: u, database: A, calendar: [{ subject: \"a\\nb\", start: 2016-01-01T00:00:00Z }] }]\n",
        4,
        59,
        "expected a subject on one line; found U+000A (a line break) at character 2 of it",
    );
    let w = common::world(&format!("{HEAD}description: \"# Title\\n\\n- a\\tb\"\n"));
    assert_eq!(w.description, "# Title\n\n- a\tb");
    // Lengths.
    refused(
        &format!(
            "mailboxes: [{{ name: u, database: A, calendar: [{{ subject: {}, start: 2016-01-01T00:00:00Z }}] }}]\n",
            "é".repeat(256)
        ),
        4,
        59,
        "expected a subject of at most 255 characters (Exchange's limit for a subject); found 256",
    );
    refused(&format!("domain: {}.com\n", "a".repeat(250)), 4, 9, "at most 253 characters");
    refused("domain: contoso_com\n", 4, 9, "expected a domain such as `contoso.com`");
    refused(
        &format!("description: {}\n", "a".repeat(65_537)),
        4,
        14,
        "expected a description of at most 65536 characters; found 65537",
    );
}

#[test]
fn tags() {
    let found = |tag: &str| format!("YAML tags are not used in scenarios; found `{tag}`");
    refused("domain: !!str contoso.com\n", 4, 9, &found("!!str"));
    refused("sweep: { set: { domain: [a.com, !!binary YS5jb20=] } }\n", 4, 33, &found("!!binary"));
    refused("expect: !checks { legacy: { sms_sent: 1 } }\n", 4, 9, &found("!checks"));
    refused("seed: !<tag:yaml.org,2002:int> 5\n", 4, 7, &found("!<tag:yaml.org,2002:int>"));
    // On the first tag, even after an anchor and before a syntax error.
    refused("seed: &s !!int 5\nx: [\n", 4, 10, &found("!!int"));
    // A `!` elsewhere is text.
    common::world(&format!(
        "{HEAD}domain: 'x.com' # !!binary\nmailboxes: [{{ name: Hi!, database: A }}]\n"
    ));
    // A --set value is refused too: its text would be spliced without the tag.
    let set = cnasim::scenario::Set::flag("domain=!!str x.com").unwrap_err();
    assert!(set.starts_with(&found("!!str")), "{set}");
}

#[test]
fn values() {
    refused(
        "mailboxes: [{ name: u, database: A, sms: { enable_at: 2015-12-31T00:00:00Z } }]\n",
        4,
        55,
        "enable_at is before the window starts",
    );
    refused(
        "mailboxes: [{ name: u, database: A, user: { reaction: 1h } }]\n",
        4,
        55,
        "`reaction` has no effect without `reconfigure_after_missed`",
    );
    refused(
        "mailboxes: [{ name: u, database: A, user: { reconfigure_after_missed: 1, reaction: 0s } }]\n",
        4,
        84,
        "reaction must be longer than 0",
    );
    refused(
        "mailboxes: [{ name: u, database: A, calendar: [{ subject: s, start: 2016-01-01T00:00:00Z, repeat: { every: 1d } }] }]\n",
        4,
        99,
        "a repeat needs `count`",
    );
    refused(
        "mailboxes: [{ name: u, database: A, move: { target: B, start: 2016-01-01T00:00:00Z, sync_duration: 10 } }]\n",
        4,
        100,
        "a duration needs a unit: write `10s`, `10m`",
    );
    refused(
        "mailboxes: [{ name: u, database: A, move: { target: B, start: 2016-01-01T00:00:00Z, incremental_sync_interval: 121d } }]\n",
        4,
        112,
        "0 to 120 days",
    );
    refused(
        "mailboxes: [{ name: u, database: A, move: { target: B, start: 2016-01-01T00:00:00Z, incremental_sync_interval: 0s, sync_duration: 0s } }]\n",
        4,
        131,
        "would repeat forever at one instant",
    );
}

#[test]
fn listed_reconfigurations() {
    // `reconfigure_at` on line 9, its list from column 23: the first
    // instant at column 24, the second at 46.
    let listed = |list: &str| {
        format!(
            "mailboxes:\n  - name: u\n    database: A\n    sms:\n      enable_at: \
             2016-01-02T00:00:00Z\n      reconfigure_at: {list}\n"
        )
    };
    refused(
        &listed("[2015-12-31T23:59:59Z]"),
        9,
        24,
        "reconfigure_at 2015-12-31T23:59:59.000Z is before the window starts \
         (2016-01-01T00:00:00.000Z)",
    );
    refused(
        &listed("[2016-01-03T00:00:00Z, 2016-01-22T00:00:00Z]"),
        9,
        46,
        "reconfigure_at 2016-01-22T00:00:00.000Z is not before the window ends \
         (2016-01-22T00:00:00.000Z)",
    );
    let not_after_enable = "is not after enable_at (2016-01-02T00:00:00.000Z)";
    refused(&listed("[2016-01-02T00:00:00Z]"), 9, 24, not_after_enable);
    refused(&listed("[2016-01-01T12:00:00Z]"), 9, 24, not_after_enable);
    refused(
        &listed("[2016-01-03T00:00:00Z, 2016-01-03T00:00:00Z]"),
        9,
        46,
        "reconfigure_at must be strictly increasing: 2016-01-03T00:00:00.000Z is not after the \
         instant before it, 2016-01-03T00:00:00.000Z",
    );
    refused(
        &listed("\n        - 2016-01-04T00:00:00Z\n        - 2016-01-03T00:00:00Z"),
        11,
        11,
        "2016-01-03T00:00:00.000Z is not after the instant before it, 2016-01-04T00:00:00.000Z",
    );
    refused(&listed("[2016-01-03]"), 9, 24, "expected an RFC 3339 instant");
    refused(&listed("2016-01-03T00:00:00Z"), 9, 23, "expected a list");
    // At most 100,000, refused at the key before any is looked at.
    let many = vec!["2016-01-03T00:00:00Z"; 100_001].join(", ");
    refused(
        &listed(&format!("[{many}]")),
        9,
        23,
        "reconfigure_at lists 100001 instants; a mailbox may list at most 100000",
    );
    // An empty list, or none, is fine; so is an instant after disable_at
    // (the run drops it).
    for list in ["[]", "", "[2016-01-05T00:00:00Z]"] {
        common::world(&format!("{HEAD}{}      disable_at: 2016-01-04T00:00:00Z\n", listed(list)));
    }
}

#[test]
fn work_limits() {
    refused(
        "mailboxes:\n  - name: u\n    database: A\n    sms: { enable_at: 2016-01-01T00:00:00Z }\n    calendar:\n      - { subject: s, start: 2016-01-01T00:00:00Z, reminder: 1m, repeat: { every: 1ms, count: 1000000000000 } }\n",
        9,
        9,
        "reminders inside the window, more than the 10000000 a run keeps in memory",
    );
    refused(
        "mailboxes: [{ name: u, database: A, move: { target: B, start: 2016-01-01T00:00:00Z, incremental_sync_interval: 0s, sync_duration: 1ms } }]\n",
        4,
        43,
        "come from this move request",
    );
    let e = error(
        "start: 2016-01-01T00:00:00Z\nduration: 100d\ndatabases: [{ name: A, background: { rate_per_hour: 1000000 } }]\n",
    );
    assert!(
        e.starts_with("inline.yaml:3:53:") && e.contains("come from this background traffic"),
        "{e}"
    );
    let many: String =
        (0..=cnasim::scenario::MAX_DATABASES).map(|i| format!("  - name: D{i}\n")).collect();
    let e = error(&format!("start: 2016-01-01T00:00:00Z\nduration: 1d\ndatabases:\n{many}"));
    assert!(
        e.starts_with("inline.yaml:4:3: 10001 databases; a scenario may have at most 10000"),
        "{}",
        &e[..200]
    );
    let policies = |n: usize| -> String {
        (0..n)
            .map(|i| {
                format!(
                    "  - {{ name: p{i}, pause_on_move_started: [finalize], resume_on: [], catch_up: false }}\n"
                )
            })
            .collect()
    };
    let e = error(&format!("policies:\n{}{HEAD}", policies(101)));
    assert!(
        e.starts_with("inline.yaml:2:3: 101 policies; a scenario may compare at most 100"),
        "{e}"
    );
    // 3 million reminders kept once per each of 100 policies (and work
    // allowed for them all).
    let e = common::error_with(
        &format!(
            "policies:\n{}start: 2016-01-01T00:00:00Z\nduration: 2100d\ndatabases: [{{ name: A }}]\nmailboxes:\n  - name: u\n    database: A\n    sms: {{ enable_at: 2016-01-01T00:00:00Z }}\n    calendar:\n      - {{ subject: s, start: 2016-01-01T00:00:00Z, reminder: 1m, repeat: {{ every: 1m, count: 3000000 }} }}\n",
            policies(100)
        ),
        &Overrides { max_events: Some(u64::MAX), ..Overrides::default() },
    );
    assert!(
        e.starts_with("inline.yaml:110:9: a run of this scenario would keep about 4")
            && e.contains("GiB in memory, more than the limit of 4.0 GiB"),
        "{e}"
    );
    // A huge count that falls mostly outside the window is fine.
    common::world(&format!(
        "{HEAD}mailboxes:\n  - name: u\n    database: A\n    sms: {{ enable_at: 2016-01-01T00:00:00Z }}\n    calendar:\n      - {{ subject: s, start: 2016-01-01T00:00:00Z, reminder: 1m, repeat: {{ every: 1d, count: 18446744073709551615 }} }}\n"
    ));
}

#[test]
fn sweep_values_are_checked_in_grid_points() {
    let mailbox = "mailboxes:\n  - name: u\n    database: A\n    move: { target: B, start: \
                   2016-01-02T00:00:00Z, incremental_sync_interval: 1d, sync_duration: 0 }\n";
    // A value refused where it is written.
    refused(
        &format!(
            "{mailbox}sweep:\n  set:\n    mailboxes.0.move.lock_duration: [1m, 2m, 3m]\n    \
             mailboxes.0.move.incremental_sync_interval: [12h, 121d]\n"
        ),
        11,
        55,
        "sweep value `121d` of `mailboxes.0.move.incremental_sync_interval`: \
         incremental_sync_interval must be from 0 to 120 days",
    );
    // A value that makes the file wrong elsewhere: the error is where it is
    // seen, with the values of the grid point that showed it.
    refused(
        &format!(
            "{mailbox}sweep:\n  set:\n    mailboxes.0.move.lock_duration: [1m, 2m, 3m]\n    \
             mailboxes.0.move.incremental_sync_interval: [12h, 0]\n"
        ),
        7,
        99,
        "would repeat forever at one instant; give syncs (or the last listed one) a duration, or \
         the interval a length (with the sweep values mailboxes.0.move.lock_duration=2m, \
         mailboxes.0.move.incremental_sync_interval=0)",
    );
}

#[test]
fn yaml_budget_messages_say_what_the_file_does() {
    // One anchor used by 100 merge keys is an honest file, not a bomb.
    let merged: String =
        (0..100).map(|i| format!("  - {{ <<: *user, name: user{i} }}\n")).collect();
    let w = common::world(&format!(
        "{HEAD}mailboxes:\n  - &user {{ name: first, database: A, sms: {{ enable_at: 2016-01-01T00:00:00Z }} }}\n{merged}"
    ));
    assert_eq!(w.mailboxes.len(), 101);
    assert!(w.mailboxes[100].sms.is_some());
    // Replaying too much says so, and what to do, without calling names.
    let list: String = (0..1_000).map(|i| format!("{i},")).collect();
    let uses = vec!["*a"; 101].join(", ");
    let e = error(&format!("{HEAD}sweep:\n  set:\n    a: &a [{list}]\n    b: [{uses}]\n"));
    assert!(
        e.starts_with("inline.yaml:7:")
            && e.contains(
                "the YAML's aliases and merge keys (`*name`, `<<: *name`) replay more than 100000 \
             nodes in all; write the values out, or use fewer references"
            ),
        "{e}"
    );
    assert!(!e.contains("bomb"), "{e}");
    let uses = vec!["*a"; 10_001].join(", ");
    let e = error(&format!("{HEAD}sweep:\n  set:\n    a: &a [1]\n    b: [{uses}]\n"));
    assert!(
        e.contains("more than 10000 aliases (`*name`, `<<: *name`); write the values out"),
        "{e}"
    );
}

#[test]
fn whole_files() {
    for (text, words) in [
        ("", "the file is empty"),
        ("# nothing but a comment\n", "the file is empty"),
        ("- a list\n", "inline.yaml:1:1:"),
        (&format!("{HEAD}---\n{HEAD}"), "inline.yaml:4:1: only one YAML document is expected"),
        ("a: &a [1, 2]\nb: *a\n", "unknown field `a`"),
        (
            "start: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
            "inline.yaml:1:",
        ),
    ] {
        let e = error(text);
        assert!(e.contains(words), "{text:?}: {e}");
    }
    let e = cnasim::scenario::parse_bytes(
        b"start: 2016-01-01T00:00:00Z\nname: caf\xe9\n",
        "latin1.yaml",
        "latin1",
        &Default::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("latin1.yaml:2:10: expected UTF-8 text; found the byte 0xE9"), "{e}");
}
