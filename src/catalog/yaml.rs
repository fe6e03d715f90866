//! Owns YAML: turns one catalog file into a tree of [`Node`]s that remember
//! where each came from. The only module that knows the YAML crate
//! (serde-saphyr), so swapping it touches this file alone; it also words
//! every error the crate can give in YAML's terms (never the crate's API or
//! type names), at the offending place (a tab at the tab, a second document
//! at its `---`), with what to do, and sets the size budgets. Does not know
//! what a provider or a profile is.

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

/// The most YAML values (nodes: every key, scalar, list and map) one catalog
/// file may hold. serde-saphyr's default (250,000) stopped near 10,000
/// providers with as many profiles, the size docs/performance.md measures; this
/// still bounds the parsed tree (a few hundred MB at most) well inside what
/// a 16 MiB file could ask for.
const MAX_NODES: usize = 1_000_000;

/// [`MAX_NODES`]; debug builds let the tests lower it through
/// `CODEXGEN_YAML_MAX_NODES`, so that a test of the limit need not parse a
/// million values (as fail points, only in debug builds).
fn max_nodes() -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("CODEXGEN_YAML_MAX_NODES")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return n;
    }
    MAX_NODES
}

/// Parses one file. `file` is the index that positions will carry; `name` is
/// how the user knows the file, for the error.
pub fn parse(file: usize, name: &str, text: &str) -> Result<Node, Problem> {
    // serde-saphyr's budgets refuse alias bombs and runaway nesting.
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: max_nodes(),
            // A node, or the end of a list or a map: four per node is more
            // than any catalog needs.
            max_events: max_nodes().saturating_mul(4),
        },
    };
    match serde_saphyr::from_str_with_options::<Option<Spanned<Raw>>>(text, options) {
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
        Err(err) => Err(refusal(name, text, &err)),
    }
}

/// The problem for a YAML error: what is wrong in YAML's terms (never the
/// crate's API or its type names), at the place that is wrong, and what to do.
fn refusal(name: &str, text: &str, err: &serde_saphyr::Error) -> Problem {
    // Every place below is a line the parser counted.
    let text = &*as_yaml_counts(text);
    let err = innermost(err);
    let mut said = describe(err);
    let reported = err
        .location()
        .map(|at| (to_usize(at.line()), to_usize(at.column())));
    if said.label.contains("mapping values are not allowed")
        && let Some(help) = reported.and_then(|(l, c)| colon_in_value(text, l, c))
    {
        said.help = help;
    }
    let place = match said.place {
        Place::Reported => reported.map(|(l, c)| (l, c, 1)),
        Place::Tab => reported
            .and_then(|(l, _)| tab_from(text, l))
            .map(|(l, c)| (l, c, 1))
            .or(reported.map(|(l, c)| (l, c, 1))),
        Place::Control => reported
            .and_then(|(l, _)| control_from(text, l))
            .map(|(l, c)| (l, c, 1))
            .or(reported.map(|(l, c)| (l, c, 1))),
        Place::DocumentStart => reported
            .and_then(|(l, _)| document_start_before(text, l))
            .map(|l| (l, 1, 3))
            .or(reported.map(|(l, c)| (l, c, 1))),
    };
    let mut problem = Problem::new(format!("{name} is not valid YAML"))
        .code(said.code)
        .label(said.label);
    if let Some((line, column, width)) = place {
        problem = problem.at(Snippet::at(name, text, line, column, width));
    }
    problem.help(format!("{}; nothing was written", said.help))
}

/// When the `: ` the parser refused stands in the value of a line that
/// already has its key (`version: Groq: fast`), rather than on a line
/// indented under a value: the help, with the value quoted.
fn colon_in_value(text: &str, line: usize, column: usize) -> Option<String> {
    let full = text.lines().nth(line.checked_sub(1)?)?;
    let before: String = full.chars().take(column.checked_sub(1)?).collect();
    let entry = before.trim_start().trim_start_matches("- ").trim_start();
    let (key, _) = entry.split_once(": ")?;
    let value = full
        .trim_start()
        .trim_start_matches("- ")
        .trim_start()
        .get(key.len() + 2..)?
        .split(" #")
        .next()?
        .trim();
    let generic =
        format!("a `: ` inside a value starts a key: quote the whole value after `{key}:`");
    let quoted = if !value.contains('"') {
        format!("\"{value}\"")
    } else if !value.contains('\'') {
        format!("'{value}'")
    } else {
        return Some(generic);
    };
    // The value is the user's: shown only when it holds no credential.
    let sample = format!("{key}: {quoted}");
    if crate::secrets::redact(&sample) != sample {
        return Some(generic);
    }
    Some(format!(
        "a `: ` inside a value starts a key: quote the whole value: {sample}"
    ))
}

/// `text` with its lines as YAML counts them: a lone `\r` (an old Mac
/// file, a paste) is a line break to YAML, and the snippet must show the
/// line the parser's numbers name. Borrowed when there is none.
pub fn as_yaml_counts(text: &str) -> std::borrow::Cow<'_, str> {
    let lone = |(i, _): (usize, &u8)| text.as_bytes().get(i + 1) != Some(&b'\n');
    if !text
        .as_bytes()
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\r')
        .any(lone)
    {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The error itself, without the snippet and alias wrappers around it.
fn innermost(err: &serde_saphyr::Error) -> &serde_saphyr::Error {
    match err {
        serde_saphyr::Error::WithSnippet { error, .. }
        | serde_saphyr::Error::AliasError { error, .. } => innermost(error),
        other => other,
    }
}

/// An error in the user's words.
struct Said {
    label: String,
    help: String,
    code: Code,
    place: Place,
}

/// Which place the caret goes to.
enum Place {
    /// Where the parser says.
    Reported,
    /// The first tab in the indentation at or after the reported line: the
    /// parser may report the end of the line before it.
    Tab,
    /// The `---` line that starts the second document.
    DocumentStart,
    /// The first control character at or after the reported line: the
    /// parser may report the start of the value that holds it.
    Control,
}

const FIX: &str = "fix the YAML at that place";
const ALIASES: &str = "write the values out instead of repeating aliases (`*name`)";
const TOO_LARGE: &str = "a catalog this large is past what codexgen is built for (docs/performance.md, \"At scale\"): move the providers and profiles nobody uses out of it";

fn said(label: impl Into<String>, help: impl Into<String>) -> Said {
    Said {
        label: label.into(),
        help: help.into(),
        code: Code::YamlSyntax,
        place: Place::Reported,
    }
}

/// Every error serde-saphyr can give, in the user's words. The arms that a
/// catalog cannot reach (options codexgen does not set, typed targets it
/// does not use) share the last, plain words.
#[allow(clippy::too_many_lines)] // one arm per error, on purpose
fn describe(err: &serde_saphyr::Error) -> Said {
    use serde_saphyr::Error as E;
    match err {
        E::ExternalMessage { msg, .. } => parser_message(msg),
        E::Eof { .. } => said(
            "the file ends in the middle of a value",
            "finish or remove the last entry",
        ),
        E::MultipleDocuments { .. } => Said {
            place: Place::DocumentStart,
            ..said(
                "a second YAML document starts here; a catalog is one document",
                "remove this `---` line (and any later one), or move what follows into its own file: the personal overlay (providers.local.yaml) is read after the catalog",
            )
        },
        E::DuplicateMappingKey { key, .. } => Said {
            code: Code::DuplicateKey,
            ..said(
                match key {
                    Some(key) => {
                        format!("duplicate key `{key}`: it is already set above, in this map")
                    }
                    None => "duplicate key: it is already set above, in this map".to_owned(),
                },
                "keep one of the two (a key may appear once in a map)",
            )
        },
        E::UnknownAnchor { .. } => said(
            "this alias (`*name`) names no anchor (`&name`) set before it",
            "set `&name` on a value earlier in the file, or write the value out here",
        ),
        E::RecursiveReferencesRequireWeakTypes { .. } => said(
            "this alias (`*name`) refers to a value that contains it, which never ends",
            "write the value out instead of the alias",
        ),
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => said(
            "the aliases (`*name`) in this file repeat their values past what codexgen expands (as an alias bomb does)",
            ALIASES,
        ),
        E::Budget { breach, .. } => budget(breach),
        E::NonFiniteFloat { value, .. } => said(
            format!("`{value}` is not a finite number"),
            "write a number in range, or quote it (\"...\") if it is text",
        ),
        E::InvalidBinaryBase64 { .. }
        | E::BinaryNotUtf8 { .. }
        | E::BytesNotSupportedMissingBinaryTag { .. }
        | E::TaggedScalarCannotDeserializeIntoString { .. }
        | E::UnsupportedTag { .. }
        | E::TaggedStructFieldName { .. }
        | E::TaggedEnumMismatch { .. } => said(
            "a tag (`!!binary`, `!name`) that codexgen does not read",
            "remove the tag: catalog values are plain text, numbers, lists and maps",
        ),
        E::InvalidScalar { .. } | E::InvalidBooleanStrict { .. } => said(
            "this value is not of the kind its tag (`!!int`, `!!float`, `!!bool`) says",
            "remove the tag, or write a value of that kind",
        ),
        E::MergeValueNotMapOrSeqOfMaps { .. } => said(
            "a merge (`<<`) takes a map or a list of maps",
            "merge an anchored map (`<<: *name`), or write the keys out",
        ),
        E::MergeKeyNotAllowed { .. } => {
            said("a merge key (`<<`) is not read here", "write the keys out")
        }
        E::FoldedBlockScalarMustIndentContent { .. } => said(
            "the lines of a `>` or `|` block must be indented more than its key",
            "indent the block's lines with spaces",
        ),
        E::IndentationError { actual, .. } => said(
            format!(
                "indented by {actual} space(s), which does not line up with the keys around it"
            ),
            "indent keys of one map to the same column, with spaces",
        ),
        E::InvalidUtf8Input => said("the file is not UTF-8 text", "save it as UTF-8"),
        E::IOError { cause } => said(
            format!("cannot read it: {cause}"),
            "check the file, then run again",
        ),
        E::SerdeInvalidType { unexpected, .. } => said(
            format!("a key must be text, not {unexpected}"),
            "write the key as plain text (`name:`)",
        ),
        E::Message { msg, .. } if let Some(said) = control_character(msg) => said,
        E::Message { msg, .. } if is_plain(msg) => said(msg.clone(), FIX),
        // A key that is a list or a map (`[a, b]: x`, `? {a: 1}`).
        E::Unexpected { expected, .. } if expected.contains("string") => said(
            "a key must be plain text, not a list or a map",
            "write the key as text (`name:`)",
        ),
        E::Unexpected { expected, .. } if is_plain(expected) => {
            said(format!("expected {expected} here"), FIX)
        }
        _ => said(
            "codexgen cannot read the YAML here",
            "write this entry as plain YAML (maps, lists, text, numbers)",
        ),
    }
}

/// The parser's "unexpected character" for a control character (a NUL, a
/// bell, a terminal escape pasted with colours): named, with how to delete
/// or write it, pointed at (the parser may point at its value's start).
fn control_character(msg: &str) -> Option<Said> {
    // The parser writes the character escaped (`\u{7}`), or as it is.
    let rest = msg.strip_prefix("unexpected character: `")?;
    let c = match rest.strip_prefix("\\u{") {
        Some(hex) => char::from_u32(u32::from_str_radix(hex.split('}').next()?, 16).ok()?)?,
        None => rest.chars().next()?,
    };
    if !c.is_control() {
        return None;
    }
    let code = u32::from(c);
    Some(Said {
        place: Place::Control,
        ..said(
            format!("YAML does not allow the control character U+{code:04X} in a file"),
            format!(
                "delete it (an editor may show it as ^{} or not at all); to put one in a value, write it as an escape in double quotes: \"\\x{code:02X}\"",
                char::from_u32(code ^ 0x40)
                    .filter(char::is_ascii_graphic)
                    .unwrap_or('?')
            ),
        )
    })
}

/// The parser's own messages are YAML's terms already (`unclosed quote`,
/// `did not find expected key`); a few get a better place or a better help.
fn parser_message(msg: &str) -> Said {
    if msg.contains("tab") {
        return Said {
            place: Place::Tab,
            ..said(
                "YAML does not allow tabs for indentation: use spaces",
                "replace the tab(s) at the start of this line with spaces",
            )
        };
    }
    if let Some(said) = control_character(msg) {
        return said;
    }
    if msg.contains("recursion limit") || msg.contains("nesting limit") {
        return said(
            "lists and maps here are nested deeper than codexgen reads",
            "a catalog is a few levels deep: close the lists and maps opened by mistake",
        );
    }
    if !is_plain(msg) {
        return said(
            "codexgen cannot read the YAML here",
            "write this entry as plain YAML (maps, lists, text, numbers)",
        );
    }
    let help = if msg.contains("quote") || msg.contains("quoted") {
        "close the quote that starts here (with the same \" or ')"
    } else if msg.contains("bracket")
        || msg.contains("expected ',' or ']'")
        || msg.contains("expected ',' or '}'")
    {
        "close the `[` or `{` that opens here, with a comma between its items"
    } else if msg.contains("expected key")
        || msg.contains("mapping values are not allowed")
        || msg.contains("block")
    {
        "check this line's indentation: the keys of one map start in the same column (indent with spaces)"
    } else {
        FIX
    };
    said(msg, help)
}

fn budget(breach: &serde_saphyr::budget::BudgetBreach) -> Said {
    use serde_saphyr::budget::BudgetBreach as B;
    let defaults = serde_saphyr::Budget::default();
    match breach {
        B::Nodes { .. } | B::Events { .. } => said(
            format!(
                "the catalog holds more than {} values (YAML nodes: each key, value, list and map); codexgen reads at most {} in one file",
                thousands(max_nodes()),
                thousands(max_nodes())
            ),
            TOO_LARGE,
        ),
        B::ScalarBytes { .. } | B::InputBytes { .. } => said(
            format!(
                "the text of the catalog's values is longer than {} MiB in all, which codexgen does not read",
                defaults.max_total_scalar_bytes / (1024 * 1024)
            ),
            TOO_LARGE,
        ),
        B::Depth { .. } => said(
            format!(
                "lists and maps here are nested more than {} levels deep",
                defaults.max_depth
            ),
            "a catalog is a few levels deep: close the lists and maps opened by mistake",
        ),
        B::Documents { .. } => Said {
            place: Place::DocumentStart,
            ..said(
                "too many YAML documents (`---`); a catalog is one document",
                "remove the `---` lines after the first document",
            )
        },
        B::Aliases { .. }
        | B::AliasAnchorRatio { .. }
        | B::RecordedAnchorEvents { .. }
        | B::RecordedAnchorBytes { .. } => said(
            format!(
                "the aliases (`*name`) in this file repeat values far more than a catalog needs (as an alias bomb does); codexgen expands at most {} aliases, about ten per anchor",
                thousands(defaults.max_aliases)
            ),
            ALIASES,
        ),
        B::Anchors { .. } => said(
            format!(
                "the catalog sets more than {} anchors (`&name`)",
                thousands(defaults.max_anchors)
            ),
            "remove the anchors nothing refers to",
        ),
        B::MergeKeys { .. } => said(
            format!(
                "the catalog has more than {} merge keys (`<<`)",
                thousands(defaults.max_merge_keys)
            ),
            "write the keys out instead of merging",
        ),
        B::SequenceUnbalanced => said(
            "a list or map closes here that was never opened",
            "remove the stray `]` or `}`",
        ),
        _ => said(
            "the catalog is larger or more deeply built than codexgen reads",
            TOO_LARGE,
        ),
    }
}

/// Whether a message is in YAML's terms: none of the crate's API or type
/// names (`from_str_multiple`, `Nodes { nodes: 1 }`, `a::b`, `Error(`).
fn is_plain(msg: &str) -> bool {
    !msg.contains("::")
        && !msg.contains("{ ")
        && !msg.contains("Error")
        && !msg.contains("internal")
        && !msg
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w.contains('_') && w.starts_with(|c: char| c.is_ascii_lowercase()))
}

/// `n` with thousands separators: 1,000,000.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// The line and column of the first tab in a line's indentation, from line
/// `from` on (1-based); else of the first tab at all from there.
fn tab_from(text: &str, from: usize) -> Option<(usize, usize)> {
    let lines = || text.lines().enumerate().skip(from.saturating_sub(1));
    let in_indent = lines().find_map(|(i, line)| {
        let indent: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        indent.find('\t').map(|c| (i + 1, c + 1))
    });
    in_indent.or_else(|| {
        lines().find_map(|(i, line)| line.chars().position(|c| c == '\t').map(|c| (i + 1, c + 1)))
    })
}

/// The line and column of the first control character (but a tab or a
/// line break) from line `from` (1-based) on.
fn control_from(text: &str, from: usize) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find_map(|(i, line)| {
            line.chars()
                .position(|c| c.is_control() && !matches!(c, '\t' | '\r'))
                .map(|c| (i + 1, c + 1))
        })
}

/// The last `---` line at or before line `line` (1-based).
fn document_start_before(text: &str, line: usize) -> Option<usize> {
    text.lines()
        .take(line)
        .enumerate()
        .filter(|(_, l)| {
            l.strip_prefix("---")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        })
        .map(|(i, _)| i + 1)
        .last()
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
        i64::try_from(v).map(Raw::Int).map_err(|_| {
            E::custom(format!(
                "the number {v} is too large (at most {})",
                i64::MAX
            ))
        })
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
        assert_eq!(
            err.label.as_deref(),
            Some("duplicate key `a`: it is already set above, in this map")
        );
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
    fn no_message_names_the_crates_api() {
        assert!(is_plain("unclosed bracket '{'"));
        assert!(is_plain("did not find expected key"));
        for internal in [
            "multiple YAML documents detected; use from_str_multiple",
            "budget breached: Nodes { nodes: 250001 }",
            "serde_saphyr::Error",
            "Error(Eof)",
            "internal error: seed reused for map key",
        ] {
            assert!(!is_plain(internal), "{internal}");
        }
    }

    #[test]
    fn every_budget_is_said_with_its_limit() {
        use serde_saphyr::budget::BudgetBreach as B;
        for breach in [
            B::Nodes { nodes: 1 },
            B::Events { events: 1 },
            B::Aliases { aliases: 1 },
            B::Anchors { anchors: 1 },
            B::Depth { depth: 1 },
            B::Documents { documents: 1 },
            B::ScalarBytes {
                total_scalar_bytes: 1,
            },
            B::MergeKeys { merge_keys: 1 },
            B::AliasAnchorRatio {
                aliases: 1,
                anchors: 1,
            },
            B::SequenceUnbalanced,
            B::InputBytes { input_bytes: 1 },
        ] {
            let said = budget(&breach);
            assert!(is_plain(&said.label), "{breach:?}: {}", said.label);
            assert!(!said.label.contains("breach"), "{}", said.label);
        }
    }

    #[test]
    fn tabs_are_found_on_their_own_line() {
        assert_eq!(tab_from("a:\n  b: 1\n\tc: 2\n", 2), Some((3, 1)));
        assert_eq!(tab_from("a:\n  \tb: 1\n", 1), Some((2, 3)));
        assert_eq!(tab_from("a: \"x\ty\"\n", 1), Some((1, 6)));
        assert_eq!(document_start_before("---\na: 1\n---\nb: 2\n", 4), Some(3));
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn empty_file_is_null() {
        assert_eq!(parse(0, "c.yaml", "").unwrap().value, Value::Null);
    }

    #[test]
    fn lines_are_counted_as_yaml_counts_them() {
        assert!(matches!(
            as_yaml_counts("a\r\nb\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(as_yaml_counts("a\rb\r\nc\r"), "a\nb\nc\n");
    }
}
