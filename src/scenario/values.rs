//! Scalar types of the scenario file that check themselves while being
//! read, so their errors carry the YAML location.

use crate::time::{SimDuration, SimTime, parse_duration, parse_instant};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// A duration: `15m`, `1d 2h 30m`, `1.00:00:00`, or a bare `0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationValue(pub SimDuration);

impl<'de> Deserialize<'de> for DurationValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DurationValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `15m`, `1d 2h 30m` or `1.00:00:00`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DurationValue, E> {
                parse_duration(s).map(DurationValue).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<DurationValue, E> {
                if n == 0 {
                    return Ok(DurationValue(SimDuration::ZERO));
                }
                Err(E::custom(format!(
                    "a duration needs a unit: write `{n}s`, `{n}m`, `{n}h` or `{n}d`, not `{n}`"
                )))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<DurationValue, E> {
                if n < 0 {
                    return Err(E::custom(format!("durations cannot be negative; found `{n}`")));
                }
                self.visit_u64(n as u64)
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<DurationValue, E> {
                Err(E::custom(format!(
                    "a duration needs a unit, e.g. `90s` or `1h30m`; found the number `{n}`"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// An RFC 3339 instant such as `2016-01-25T21:32:01Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstantValue(pub SimTime);

impl<'de> Deserialize<'de> for InstantValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = InstantValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 instant such as `2016-01-25T21:32:01Z`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<InstantValue, E> {
                parse_instant(s).map(InstantValue).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// A whole number that is not negative (range checks come later, with the
/// key's own limits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Whole(pub u64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Whole;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number from 0 to 18446744073709551615")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Whole, E> {
                Ok(Whole(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Whole, E> {
                u64::try_from(n).map(Whole).map_err(|_| {
                    E::custom(format!("expected a whole number that is not negative; found `{n}`"))
                })
            }
            fn visit_u128<E: de::Error>(self, n: u128) -> Result<Whole, E> {
                Err(E::custom(format!(
                    "expected a whole number up to 18446744073709551615; found `{n}`"
                )))
            }
            fn visit_i128<E: de::Error>(self, n: i128) -> Result<Whole, E> {
                Err(E::custom(format!(
                    "expected a whole number up to 18446744073709551615; found `{n}`"
                )))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Whole, E> {
                // A whole number past 128 bits arrives as a float, whose
                // digits would not be the ones written.
                if n.is_finite() && n.fract() == 0.0 && n.abs() >= 18_446_744_073_709_551_616.0 {
                    let sign = if n < 0.0 { "a negative number" } else { "a larger number" };
                    return Err(E::custom(format!(
                        "expected a whole number from 0 to 18446744073709551615; found {sign}"
                    )));
                }
                let hint = if n.is_finite() && n.fract() == 0.0 {
                    " (a float: write the digits, without an exponent or a point)"
                } else {
                    ""
                };
                Err(E::custom(format!(
                    "expected a whole number from 0 to 18446744073709551615; found `{n}`{hint}"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// A finite real number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Real(pub f64);

impl<'de> Deserialize<'de> for Real {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Real;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number such as `28800` or `0.5`")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Real, E> {
                Ok(Real(n as f64))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Real, E> {
                Ok(Real(n as f64))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Real, E> {
                if n.is_finite() {
                    Ok(Real(n))
                } else {
                    Err(E::custom(format!("expected a finite number; found `{n}`")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A phone number in E.164 form: `+` and 4 to 15 digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(pub String);

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Phone;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a phone number in E.164 form such as \"+10008675309\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Phone, E> {
                let digits = s.strip_prefix('+').unwrap_or("");
                if (4..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(Phone(s.to_string()))
                } else {
                    Err(E::custom(format!(
                        "expected a phone number in E.164 form: `+` and 4 to 15 digits, \
                         such as \"+10008675309\"; found `{}`",
                        s.escape_debug()
                    )))
                }
            }
        }
        d.deserialize_str(V)
    }
}

/// A name made of `[a-z0-9-]`, for scenarios and policies: it becomes a
/// folder name and a command-line value, so it must be safe as both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(pub String);

impl Slug {
    /// Checks `s` against the rules.
    pub fn check(s: &str) -> Result<(), String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && !s.starts_with('-')
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(())
        } else {
            Err(format!(
                "expected a name of 1 to 64 characters from `a-z`, `0-9` and `-`, \
                 not starting with `-`; found `{}`",
                s.escape_debug()
            ))
        }
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Slug::check(&s).map_err(de::Error::custom)?;
        Ok(Slug(s))
    }
}

/// What kind of character `c` is, when no text of a scenario may hold it
/// as it is: the control characters (Unicode category Cc: C0, DEL and C1;
/// line breaks and tabs included), the bidirectional formatting characters
/// U+202A to U+202E and U+2066 to U+2069 (which make text display in
/// another order than it is stored: "Trojan Source") and the line and
/// paragraph separators U+2028 and U+2029. Text goes into log lines, CSV
/// rows and terminals, where each of these changes what a reader sees.
pub(crate) fn unsafe_char(c: char) -> Option<&'static str> {
    Some(match c {
        '\n' => "a line break",
        '\r' => "a carriage return",
        '\t' => "a tab",
        '\0' => "NUL, a control character",
        '\u{1b}' => "escape, a control character",
        c if c.is_control() => "a control character",
        '\u{202a}' => "left-to-right embedding",
        '\u{202b}' => "right-to-left embedding",
        '\u{202c}' => "pop directional formatting",
        '\u{202d}' => "left-to-right override",
        '\u{202e}' => "right-to-left override",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{2028}' => "a line separator",
        '\u{2029}' => "a paragraph separator",
        _ => return None,
    })
}

/// The first character of `text` that [`unsafe_char`] names, other than
/// tabs and line breaks (`\n`, `\r`), with its byte offset and kind: such
/// a character is refused wherever it is written, comments included (a
/// bidirectional override in a comment can make a key look commented out).
/// A scan of the bytes that decodes only candidates, so a file of 16 MiB
/// costs milliseconds.
pub(crate) fn first_unsafe_written(text: &str) -> Option<(usize, char, &'static str)> {
    let bytes = text.as_bytes();
    let candidate = |i: usize| match bytes[i] {
        b'\t' | b'\n' | b'\r' => false,
        b if b < 0x20 || b == 0x7f => true,
        // C1: U+0080 to U+009F.
        0xc2 => bytes.get(i + 1).is_some_and(|b| (0x80..=0x9f).contains(b)),
        // U+2028 to U+202E, U+2066 to U+2069.
        0xe2 => match (bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(0x80), Some(b)) => (0xa8..=0xae).contains(b),
            (Some(0x81), Some(b)) => (0xa6..=0xa9).contains(b),
            _ => false,
        },
        _ => false,
    };
    let at = (0..bytes.len()).find(|&i| candidate(i))?;
    let c = text[at..].chars().next()?;
    unsafe_char(c).map(|kind| (at, c, kind))
}

/// What a text field of a scenario may hold, for [`check_text`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextRule {
    /// What the text is, with its article: `a subject`.
    pub what: &'static str,
    /// Most characters (Unicode scalar values, as JSON Schema's
    /// `maxLength` counts).
    pub max_chars: usize,
    /// Why that limit, when there is more to say than the figure.
    pub why_max: &'static str,
    /// Prose (Markdown): may hold line breaks and tabs.
    pub prose: bool,
    /// Must hold something besides spaces.
    pub required: bool,
}

/// Names of mailboxes and databases, and the names that refer to them, to
/// policies, metrics and keys: one line of 1 to 256 characters.
pub(crate) const NAME: TextRule =
    TextRule { what: "a name", max_chars: 256, why_max: "", prose: false, required: true };

/// Keys of `expect:` and `sweep.set` (policy and metric names, paths).
pub(crate) const KEY: TextRule =
    TextRule { what: "a key", max_chars: 256, why_max: "", prose: false, required: true };

/// Most characters of a calendar item's subject: Exchange's limit.
pub const MAX_SUBJECT_CHARS: usize = 255;

/// A calendar item's subject: one line, at most [`MAX_SUBJECT_CHARS`].
pub(crate) const SUBJECT: TextRule = TextRule {
    what: "a subject",
    max_chars: MAX_SUBJECT_CHARS,
    why_max: " (Exchange's limit for a subject)",
    prose: false,
    required: false,
};

/// Most characters of a scenario's `description`.
pub const MAX_DESCRIPTION_CHARS: usize = 65_536;

/// A scenario's description: Markdown, so line breaks and tabs are fine.
pub(crate) const DESCRIPTION: TextRule = TextRule {
    what: "a description",
    max_chars: MAX_DESCRIPTION_CHARS,
    why_max: "",
    prose: true,
    required: false,
};

/// Most characters of a domain name, as DNS has it.
pub const MAX_DOMAIN_CHARS: usize = 253;

/// The SMTP domain of the logs' addresses.
pub(crate) const DOMAIN: TextRule = TextRule {
    what: "a domain",
    max_chars: MAX_DOMAIN_CHARS,
    why_max: " (the longest DNS name)",
    prose: false,
    required: true,
};

/// The one rule for text in a scenario: no character that
/// [`unsafe_char`] names (prose may hold line breaks and tabs), at most
/// `rule.max_chars` characters, and, when required, something besides
/// spaces. The message says which character was found and where.
pub(crate) fn check_text(s: &str, rule: &TextRule) -> Result<(), String> {
    let what = rule.what;
    let mut count = 0usize;
    for c in s.chars() {
        count += 1;
        let allowed = rule.prose && matches!(c, '\n' | '\t');
        let Some(kind) = unsafe_char(c).filter(|_| !allowed) else { continue };
        let expected = match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' if !rule.prose => "on one line",
            '\u{2028}' | '\u{2029}' => "without line or paragraph separators (write line breaks)",
            c if c.is_control() && rule.prose => {
                "without control characters other than line breaks and tabs"
            }
            c if c.is_control() => "without control characters",
            _ => {
                "without bidirectional formatting characters (they make text display in \
                 another order than it is stored)"
            }
        };
        return Err(format!(
            "expected {what} {expected}; found U+{:04X} ({kind}) at character {count} of it",
            c as u32
        ));
    }
    if count > rule.max_chars {
        return Err(format!(
            "expected {what} of at most {} characters{}; found {count} characters",
            rule.max_chars, rule.why_max
        ));
    }
    if rule.required && s.trim().is_empty() {
        return Err(format!("expected {what} of 1 to {} characters; found none", rule.max_chars));
    }
    Ok(())
}

/// Text read as a string (a plain `1` or `true` is its text) and checked
/// against `rule`.
fn checked_text<'de, D: Deserializer<'de>>(d: D, rule: &TextRule) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    check_text(&s, rule).map_err(de::Error::custom)?;
    Ok(s)
}

/// A display name, or a name that refers to one: one line of 1 to 256
/// characters ([`NAME`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(pub String);

impl<'de> Deserialize<'de> for DisplayName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_text(d, &NAME).map(DisplayName)
    }
}

/// A key of a mapping read in file order (`expect:`, `sweep.set`): one
/// line of 1 to 256 characters ([`KEY`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyText(pub String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_text(d, &KEY).map(KeyText)
    }
}

/// A calendar item's subject ([`SUBJECT`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject(pub String);

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_text(d, &SUBJECT).map(Subject)
    }
}

/// A scenario's description ([`DESCRIPTION`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description(pub String);

impl<'de> Deserialize<'de> for Description {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_text(d, &DESCRIPTION).map(Description)
    }
}

/// An SMTP domain such as `contoso.com`: letters, digits, `.` and `-`, at
/// most 253 characters ([`DOMAIN`]); kept in lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domain(pub String);

impl<'de> Deserialize<'de> for Domain {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = checked_text(d, &DOMAIN)?;
        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
            return Err(de::Error::custom(format!(
                "expected a domain such as `contoso.com`, of letters, digits, `.` and `-`; \
                 found `{}`",
                s.escape_debug()
            )));
        }
        Ok(Domain(s.to_ascii_lowercase()))
    }
}

/// A GUID such as `957ca0a9-f84f-425e-a263-5b468e90d574`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuidValue(pub uuid::Uuid);

impl<'de> Deserialize<'de> for GuidValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        uuid::Uuid::try_parse(&s).map(GuidValue).map_err(|_| {
            de::Error::custom(format!(
                "expected a GUID such as `957ca0a9-f84f-425e-a263-5b468e90d574`; found `{}`",
                s.escape_debug()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_refuses_control_bidi_and_separator_characters_where_it_finds_them() {
        assert_eq!(
            check_text("Stand\u{1b}[31mup", &SUBJECT).unwrap_err(),
            "expected a subject without control characters; found U+001B (escape, a control \
             character) at character 6 of it"
        );
        assert_eq!(
            check_text("DB\u{202e}10", &NAME).unwrap_err(),
            "expected a name without bidirectional formatting characters (they make text \
             display in another order than it is stored); found U+202E (right-to-left \
             override) at character 3 of it"
        );
        for c in ['\0', '\r', '\u{7f}', '\u{85}', '\u{9f}', '\u{202a}', '\u{2069}', '\u{2028}'] {
            let text = format!("a{c}");
            for rule in [&NAME, &KEY, &SUBJECT, &DOMAIN, &DESCRIPTION] {
                let e = check_text(&text, rule).unwrap_err();
                assert!(e.contains(&format!("U+{:04X}", c as u32)), "{e}");
                assert!(e.ends_with("at character 2 of it"), "{e}");
            }
        }
        // One line, except prose.
        assert!(check_text("a\nb", &SUBJECT).unwrap_err().contains("on one line"));
        assert!(check_text("a\u{2029}b", &NAME).unwrap_err().contains("on one line"));
        assert!(check_text("a\tb", &NAME).unwrap_err().contains("U+0009 (a tab)"));
        check_text("# Title\n\n- a\tb\n", &DESCRIPTION).unwrap();
        assert!(check_text("a\u{2028}b", &DESCRIPTION).unwrap_err().contains("write line breaks"));
        assert!(
            check_text("a\u{7}", &DESCRIPTION)
                .unwrap_err()
                .contains("other than line breaks and tabs")
        );
        // Every other character is text, right-to-left scripts included.
        check_text("Réunion d'équipe: שלום, مرحبا, 会议 🗓", &SUBJECT).unwrap();
    }

    #[test]
    fn unsafe_characters_are_found_wherever_they_are_written() {
        assert_eq!(first_unsafe_written("a: b # \u{2014}\u{2019}\t\r\nc: d\n"), None);
        assert_eq!(
            first_unsafe_written("a: é\u{1b}"),
            Some((5, '\u{1b}', "escape, a control character"))
        );
        assert_eq!(
            first_unsafe_written("# \u{202e}x"),
            Some((2, '\u{202e}', "right-to-left override"))
        );
        // Every character that is not a tab or a line break, as the rule
        // has it, and none other.
        for c in (0..=0x3000).filter_map(char::from_u32) {
            let text = format!("k: v{c}");
            let expected = unsafe_char(c).filter(|_| !matches!(c, '\t' | '\n' | '\r'));
            assert_eq!(first_unsafe_written(&text).map(|f| f.2), expected, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn text_lengths_count_characters() {
        check_text(&"é".repeat(MAX_SUBJECT_CHARS), &SUBJECT).unwrap();
        assert_eq!(
            check_text(&"é".repeat(MAX_SUBJECT_CHARS + 1), &SUBJECT).unwrap_err(),
            "expected a subject of at most 255 characters (Exchange's limit for a subject); \
             found 256 characters"
        );
        check_text("", &SUBJECT).unwrap();
        assert!(check_text(" ", &NAME).unwrap_err().contains("found none"));
        assert!(check_text(&"a".repeat(254), &DOMAIN).unwrap_err().contains("253"));
        assert!(
            check_text(&"a".repeat(MAX_DESCRIPTION_CHARS + 1), &DESCRIPTION)
                .unwrap_err()
                .contains("65536")
        );
    }
}
