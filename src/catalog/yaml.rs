//! Owns YAML: turns one catalog file into a tree of [`Node`]s that remember
//! where each came from. The only module that knows the YAML crate
//! (serde-saphyr), so swapping it touches this file alone. Does not know what
//! a provider or a profile is.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::fmt;

use crate::diagnostic::{Code, Problem, Snippet};

/// Where a value sits: which catalog file, and 1-based line/column in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub file: usize,
    pub line: usize,
    pub column: usize,
    /// Length of the value's text, for the caret.
    pub width: usize,
}

/// A YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order; the key keeps its own position.
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

impl Value {
    /// How the value is called in an error message ("a string", "a map", ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// Parses one file. `file` is the index that positions will carry; `name` is
/// how the user knows the file, for the error.
pub fn parse(file: usize, name: &str, text: &str) -> Result<Node, Problem> {
    // serde-saphyr's default budgets already refuse alias bombs and runaway nesting.
    match serde_saphyr::from_str::<Option<Spanned<Raw>>>(text) {
        Ok(Some(root)) => Ok(convert(file, root)),
        Ok(None) => Ok(Node {
            value: Value::Null,
            pos: Pos {
                file,
                line: 1,
                column: 1,
                width: 1,
            },
        }),
        Err(err) => {
            let label = clean_message(&err.without_snippet().to_string());
            let code = if label.starts_with("duplicate mapping key") {
                Code::DuplicateKey
            } else {
                Code::YamlSyntax
            };
            let mut problem = Problem::new(format!("{name} is not valid YAML"))
                .code(code)
                .label(label);
            if let Some(at) = err.location() {
                problem = problem.at(Snippet::at(
                    name,
                    text,
                    to_usize(at.line()),
                    to_usize(at.column()),
                    1,
                ));
            }
            Err(problem.help("fix the YAML at that place; nothing was written"))
        }
    }
}

/// serde-saphyr's messages end in "at line N, column M" and may suggest its
/// own options; we show the position ourselves and its options are not ours.
fn clean_message(message: &str) -> String {
    let message = message
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(message);
    let message = message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at]);
    let message = message
        .strip_prefix("error: ")
        .unwrap_or(message)
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
    message
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": ").map(|(_, m)| m))
        .unwrap_or(message)
        .to_owned()
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn pos(file: usize, at: &Location) -> Pos {
    Pos {
        file,
        line: to_usize(at.line()),
        column: to_usize(at.column()),
        width: to_usize(at.span().len()).max(1),
    }
}

fn convert(file: usize, raw: Spanned<Raw>) -> Node {
    let at = pos(file, &raw.referenced);
    let value = match raw.value {
        Raw::Null => Value::Null,
        Raw::Bool(b) => Value::Bool(b),
        Raw::Int(i) => Value::Int(i),
        Raw::Float(x) => Value::Float(x),
        Raw::Str(s) => Value::Str(s),
        Raw::Seq(items) => Value::Seq(items.into_iter().map(|n| convert(file, n)).collect()),
        Raw::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        pos: pos(file, &k.referenced),
                        name: k.value,
                    };
                    (key, convert(file, v))
                })
                .collect(),
        ),
    };
    Node { value, pos: at }
}

/// The tree as serde-saphyr hands it over, before positions get a file index.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<String>, Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Raw, E> {
        i64::try_from(v)
            .map(Raw::Int)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Raw::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let node = parse(3, "c.yaml", "a: 1\nb:\n  c: hi\n").unwrap();
        let Value::Map(entries) = node.value else {
            panic!("expected a map")
        };
        let (key, value) = &entries[1];
        assert_eq!(
            (key.name.as_str(), key.pos.line, key.pos.column),
            ("b", 2, 1)
        );
        let Value::Map(inner) = &value.value else {
            panic!("expected a map")
        };
        assert_eq!(inner[0].1.value, Value::Str("hi".into()));
        assert_eq!(
            (
                inner[0].1.pos.file,
                inner[0].1.pos.line,
                inner[0].1.pos.column
            ),
            (3, 3, 6)
        );
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse(0, "c.yaml", "a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.label.as_deref(), Some("duplicate mapping key: a"));
        assert_eq!(err.code, Some(Code::DuplicateKey));
        assert_eq!(err.snippet.map(|s| s.line), Some(2));
    }

    #[test]
    fn syntax_errors_point_at_the_place() {
        let err = parse(0, "c.yaml", "a: [1,\n").unwrap_err();
        assert!(
            err.to_string().starts_with("c.yaml is not valid YAML"),
            "{err}"
        );
        assert!(err.snippet.is_some());
    }

    #[test]
    fn empty_file_is_null() {
        assert_eq!(parse(0, "c.yaml", "").unwrap().value, Value::Null);
    }
}
