//! Owns writing a catalog back out as text: YAML scalars that read back as
//! exactly the string they stand for ([`yaml_string`]), a catalog built in
//! code ([`Mapping`], the one `import` prints), and the layered tree as
//! YAML or JSON for `show`, optionally with the
//! file and line each leaf value came from. Does not parse (that is
//! `yaml`'s) and does not check (that is `build`'s).
//!
//! The tree is written as the files say it, after overlays: keys in file
//! order, an overlay's value where it replaced one, `~` removals applied;
//! codexgen's defaults (a provider's `name` from its id, `wire_api:
//! responses`) are not filled in. A leaf is a scalar, an empty map or list,
//! or a null; its origin is the position of its value in the file it came
//! from (an overlay's, when the overlay set it).

use std::fmt::Write as _;

use serde::ser::{Serialize, SerializeMap as _, SerializeSeq as _, Serializer};

use super::Source;
use super::yaml::{Key, Node, Pos, Value};
use crate::diagnostic::{is_unprintable, printable};

/// A YAML scalar that reads back as exactly `s`, a string: plain when that
/// is unambiguous (ids, URLs, model names), else double-quoted with escapes.
pub fn yaml_string(s: &str) -> String {
    if is_plain(s) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control()
                || is_unprintable(c)
                || matches!(c, '\u{85}' | '\u{feff}' | '\u{2028}' | '\u{2029}') =>
            {
                let n = u32::from(c);
                if n <= 0xffff {
                    let _ = write!(out, "\\u{n:04x}");
                } else {
                    let _ = write!(out, "\\U{n:08x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `s` may be written as a plain YAML scalar and still be read as
/// this string: a letter or `_` first, then only `A-Za-z0-9_.-/:+@`, no
/// `:` at the end, and no word YAML reads as something else.
fn is_plain(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ];
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-/:+@".contains(c))
        && !s.ends_with(':')
        && !WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

/// A YAML mapping built in code (the catalog `import` prints), written by
/// the same writer as [`yaml`]: entries in the order given, each with the
/// comment lines above it and, when asked, a blank line before it.
#[derive(Debug, Default)]
pub struct Mapping {
    entries: Vec<Entry>,
    /// Comment lines and a blank line for the next entry.
    comments: Vec<String>,
    gap: bool,
}

#[derive(Debug)]
struct Entry {
    gap: bool,
    comments: Vec<String>,
    key: String,
    value: Built,
}

#[derive(Debug)]
enum Built {
    Node(Node),
    Mapping(Mapping),
}

/// A value of a [`Mapping`] entry that is not itself a mapping with comments.
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    Text(String),
    Int(i64),
    /// A number of seconds, whole or not (`startup_timeout_sec`).
    Seconds(f64),
    Bool(bool),
    /// A list of text.
    List(Vec<String>),
    /// A map of names to text.
    Pairs(Vec<(String, String)>),
    /// A map of names to switches (`features`).
    Switches(Vec<(String, bool)>),
}

/// The position of a value built in code (no file: never shown).
const NOWHERE: Pos = Pos {
    file: 0,
    line: 0,
    column: 0,
    width: 0,
};

impl Plain {
    fn node(&self) -> Node {
        let text = |s: &str| Node {
            value: Value::Str(s.to_owned()),
            pos: NOWHERE,
        };
        let value = match self {
            Plain::Text(s) => Value::Str(s.clone()),
            Plain::Int(n) => Value::Int(*n),
            Plain::Seconds(x) => Value::Float(*x),
            Plain::Bool(b) => Value::Bool(*b),
            Plain::List(items) => Value::Seq(items.iter().map(|s| text(s)).collect()),
            Plain::Pairs(pairs) => Value::Map(
                pairs
                    .iter()
                    .map(|(k, v)| {
                        let key = Key {
                            name: k.clone(),
                            pos: NOWHERE,
                        };
                        (key, text(v))
                    })
                    .collect(),
            ),
            Plain::Switches(pairs) => Value::Map(
                pairs
                    .iter()
                    .map(|(k, b)| {
                        let key = Key {
                            name: k.clone(),
                            pos: NOWHERE,
                        };
                        let value = Node {
                            value: Value::Bool(*b),
                            pos: NOWHERE,
                        };
                        (key, value)
                    })
                    .collect(),
            ),
        };
        Node {
            value,
            pos: NOWHERE,
        }
    }
}

impl Mapping {
    /// A comment line above the next entry (made printable: one line).
    pub fn comment(&mut self, line: &str) -> &mut Self {
        self.comments.push(printable(line).into_owned());
        self
    }

    /// A blank line before the next entry.
    pub fn gap(&mut self) -> &mut Self {
        self.gap = true;
        self
    }

    fn push(&mut self, key: &str, value: Built) -> &mut Self {
        self.entries.push(Entry {
            gap: std::mem::take(&mut self.gap),
            comments: std::mem::take(&mut self.comments),
            key: key.to_owned(),
            value,
        });
        self
    }

    /// `key: value`.
    pub fn plain(&mut self, key: &str, value: &Plain) -> &mut Self {
        self.push(key, Built::Node(value.node()))
    }

    /// `key: text`.
    pub fn text(&mut self, key: &str, text: &str) -> &mut Self {
        self.plain(key, &Plain::Text(text.to_owned()))
    }

    /// Moves the entries of `other` to the end of this mapping.
    pub fn append(&mut self, other: &mut Mapping) -> &mut Self {
        self.entries.append(&mut other.entries);
        self
    }

    /// `key:` and the mapping below it (`key: {}` when it is empty).
    pub fn mapping(&mut self, key: &str, value: Mapping) -> &mut Self {
        self.push(key, Built::Mapping(value))
    }

    /// The mapping as YAML that the catalog loader reads back.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, indent: usize) {
        for entry in &self.entries {
            if entry.gap {
                out.push('\n');
            }
            for line in &entry.comments {
                let _ = writeln!(out, "{:indent$}# {line}", "");
            }
            let _ = write!(out, "{:indent$}{}:", "", yaml_string(&entry.key));
            match &entry.value {
                Built::Node(node) => yaml_value(out, node, indent, &[], false),
                Built::Mapping(m) if m.entries.is_empty() => out.push_str(" {}\n"),
                Built::Mapping(m) => {
                    out.push('\n');
                    m.write(out, indent + 2);
                }
            }
        }
    }
}

/// Where a leaf came from, for `--origin`.
fn origin(sources: &[Source], node: &Node) -> (String, usize, usize) {
    let file = sources
        .get(node.pos.file)
        .map_or_else(String::new, |s| s.name.clone());
    (file, node.pos.line, node.pos.column)
}

/// The tree as YAML that the loader reads back to the same tree; with
/// `origins`, each leaf ends in a `# FILE:LINE` comment.
pub fn yaml(root: &Node, sources: &[Source], origins: bool) -> String {
    let mut out = String::new();
    if !block(&mut out, root, 0, sources, origins) {
        out.push_str(&yaml_leaf(&root.value));
        comment(&mut out, root, sources, origins);
        out.push('\n');
    }
    out
}

fn comment(out: &mut String, node: &Node, sources: &[Source], origins: bool) {
    if origins {
        let (file, line, _) = origin(sources, node);
        // A comment ends at the line's end: the name is escaped to one line.
        let _ = write!(out, "  # {}:{line}", printable(&file));
    }
}

/// A map or list that is not empty, as lines at `indent`; false for a leaf.
fn block(out: &mut String, node: &Node, indent: usize, sources: &[Source], origins: bool) -> bool {
    match &node.value {
        Value::Map(entries) if !entries.is_empty() => {
            for (key, node) in entries {
                let _ = write!(out, "{:indent$}{}:", "", yaml_string(&key.name));
                yaml_value(out, node, indent, sources, origins);
            }
            true
        }
        Value::Seq(items) if !items.is_empty() => {
            for item in items {
                let _ = write!(out, "{:indent$}-", "");
                yaml_value(out, item, indent, sources, origins);
            }
            true
        }
        _ => false,
    }
}

/// A value after `key:` or `-` at `indent`: on the same line when a leaf,
/// else indented below.
fn yaml_value(out: &mut String, node: &Node, indent: usize, sources: &[Source], origins: bool) {
    let mut nested = String::new();
    if block(&mut nested, node, indent + 2, sources, origins) {
        out.push('\n');
        out.push_str(&nested);
    } else {
        out.push(' ');
        out.push_str(&yaml_leaf(&node.value));
        comment(out, node, sources, origins);
        out.push('\n');
    }
}

fn yaml_leaf(value: &Value) -> String {
    match value {
        Value::Null => "~".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Float(x) if x.is_nan() => ".nan".to_owned(),
        Value::Float(x) if x.is_infinite() => if *x > 0.0 { ".inf" } else { "-.inf" }.to_owned(),
        Value::Float(x) => format!("{x:?}"),
        Value::Str(s) => yaml_string(s),
        Value::Map(_) => "{}".to_owned(),
        Value::Seq(_) => "[]".to_owned(),
    }
}

/// The tree as JSON: maps as objects in file order; with `origins`, each
/// leaf as `{"value": ..., "origin": {"file", "line", "column"}}`.
pub fn json(root: &Node, sources: &[Source], origins: bool) -> String {
    let shown = Json {
        node: root,
        sources,
        origins,
    };
    serde_json::to_string_pretty(&shown).expect("a catalog tree serializes")
}

struct Json<'a> {
    node: &'a Node,
    sources: &'a [Source],
    origins: bool,
}

impl Json<'_> {
    fn child<'b>(&'b self, node: &'b Node) -> Json<'b> {
        Json {
            node,
            sources: self.sources,
            origins: self.origins,
        }
    }
}

/// A leaf's value alone.
struct Leaf<'a>(&'a Value);

impl Serialize for Leaf<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(n) => s.serialize_i64(*n),
            Value::Float(x) => s.serialize_f64(*x),
            Value::Str(text) => s.serialize_str(text),
            Value::Map(_) => s.serialize_map(Some(0))?.end(),
            Value::Seq(_) => s.serialize_seq(Some(0))?.end(),
        }
    }
}

#[derive(serde::Serialize)]
struct Origin<'a> {
    file: &'a str,
    line: usize,
    column: usize,
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.node.value {
            Value::Map(entries) if !entries.is_empty() => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (key, node) in entries {
                    map.serialize_entry(&key.name, &self.child(node))?;
                }
                map.end()
            }
            Value::Seq(items) if !items.is_empty() => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for node in items {
                    seq.serialize_element(&self.child(node))?;
                }
                seq.end()
            }
            leaf if self.origins => {
                let (file, line, column) = origin(self.sources, self.node);
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("value", &Leaf(leaf))?;
                map.serialize_entry(
                    "origin",
                    &Origin {
                        file: &file,
                        line,
                        column,
                    },
                )?;
                map.end()
            }
            leaf => Leaf(leaf).serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{self, yaml};
    use crate::codex::{self, Target};
    use proptest::prelude::*;

    #[test]
    fn plain_only_when_unambiguous() {
        for s in [
            "groq",
            "https://api.groq.com/openai/v1",
            "gpt-oss:20b",
            "openai/gpt-oss-20b",
        ] {
            assert_eq!(yaml_string(s), s);
        }
        for s in [
            "yes", "No", "null", "~", "1.5", "12:30", "-x", "*a", "&a", "a: b", "a #b", "", " a",
            "a:", "0x1f", ".inf",
        ] {
            assert!(yaml_string(s).starts_with('"'), "{s}");
        }
    }

    /// The catalog `s` stands in: its version, a profile's model, a query
    /// parameter's value.
    fn catalog_with(s: &str) -> String {
        let q = yaml_string(s);
        format!(
            "schema: 1\nversion: {q}\ndefault: p\nproviders:\n  x:\n    base_url: https://x.example/v1\n    query_params:\n      q: {q}\nprofiles:\n  p:\n    provider: x\n    model: {}\n",
            yaml_string(&format!("m{s}"))
        )
    }

    fn strings() -> impl Strategy<Value = String> {
        let special = prop::sample::select(vec![
            "\"", "'", "#", ": ", " #", "-", "*", "&", "!", "|", ">", "%", "@", "`", "yes", "no",
            "null", "~", "true", "1", "0x1f", "1e3", "12:30", ".inf", "\\", " ", "\t", "é", "😀",
            "{", "}", "[", "]", ",", "?", ":", "\u{a0}", "日本",
        ]);
        prop::collection::vec(
            prop_oneof![special.prop_map(str::to_owned), "\\PC{0,3}"],
            1..6,
        )
        .prop_map(|parts| parts.concat())
        .prop_filter("the catalog refuses these anyway", |s| {
            !s.trim().is_empty()
                && !s.contains(is_unprintable)
                && !crate::secrets::contains_credential(s)
        })
    }

    /// A tree's values without positions, to compare what was read back.
    fn plain(node: &Node) -> String {
        match &node.value {
            Value::Map(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{:?}={}", k.name, plain(v)))
                    .collect();
                format!("{{{}}}", inner.join(","))
            }
            Value::Seq(items) => format!(
                "[{}]",
                items.iter().map(plain).collect::<Vec<_>>().join(",")
            ),
            other => format!("{other:?}"),
        }
    }

    fn trees() -> impl Strategy<Value = Node> {
        let at = yaml::Pos {
            file: 0,
            line: 1,
            column: 1,
            width: 1,
        };
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            strings().prop_map(Value::Str),
            Just(Value::Map(Vec::new())),
            Just(Value::Seq(Vec::new())),
        ]
        .prop_map(move |value| Node { value, pos: at });
        leaf.prop_recursive(3, 24, 4, move |inner| {
            prop_oneof![
                prop::collection::vec((strings(), inner.clone()), 1..4).prop_map(move |entries| {
                    let mut seen = std::collections::HashSet::new();
                    let entries = entries
                        .into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .map(|(name, node)| (yaml::Key { name, pos: at }, node))
                        .collect();
                    Node {
                        value: Value::Map(entries),
                        pos: at,
                    }
                }),
                prop::collection::vec(inner, 1..3).prop_map(move |items| Node {
                    value: Value::Seq(items),
                    pos: at
                }),
            ]
        })
    }

    fn sources() -> Vec<Source> {
        vec![Source {
            name: "team \u{1b}.yaml".into(),
            text: String::new(),
        }]
    }

    /// A mapping built in code is written as the tree writer writes one,
    /// with its comment lines (one line each, however they are given) and
    /// blank lines, and reads back as the values given.
    #[test]
    fn a_built_mapping_reads_back_with_its_comments() {
        let mut inner = Mapping::default();
        inner
            .plain("num", &Plain::Int(-3))
            .plain("b", &Plain::Bool(true))
            .plain("list", &Plain::List(vec!["a".into(), "yes".into()]))
            .plain("map", &Plain::Pairs(vec![("k: v".into(), "#x".into())]));
        let mut root = Mapping::default();
        root.comment("a comment\nwith a line break")
            .text("s", "a: b")
            .gap()
            .mapping("empty", Mapping::default())
            .comment("inner")
            .mapping("inner", inner);
        let text = root.to_yaml();
        assert_eq!(
            text,
            "# a comment\\u{a}with a line break\ns: \"a: b\"\n\nempty: {}\n# inner\ninner:\n  num: -3\n  b: true\n  list:\n    - a\n    - \"yes\"\n  map:\n    \"k: v\": \"#x\"\n"
        );
        let read = yaml::parse(0, "t", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(
            plain(&read),
            r##"{"s"=Str("a: b"),"empty"={},"inner"={"num"=Int(-3),"b"=Bool(true),"list"=[Str("a"),Str("yes")],"map"={"k: v"=Str("#x")}}}"##
        );
    }

    proptest! {
        #[test]
        fn any_tree_reads_back_from_its_yaml(tree in trees(), origins in any::<bool>()) {
            let text = yaml(&tree, &sources(), origins);
            let read = yaml::parse(0, "t", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            prop_assert_eq!(plain(&read), plain(&tree), "{}", text);
        }

        #[test]
        fn any_tree_reads_back_from_its_json(tree in trees()) {
            // JSON is YAML: the same loader reads it.
            let text = json(&tree, &sources(), false);
            let read = yaml::parse(0, "t", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            prop_assert_eq!(plain(&read), plain(&tree), "{}", text);
        }

        #[test]
        fn any_string_reads_back_through_the_catalog_loader(s in strings()) {
            let text = catalog_with(&s);
            let layered = catalog::layer(vec![Source { name: "t".into(), text: text.clone() }])
                .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
            let built = layered.build(&Target::at(codex::NEWEST_KNOWN));
            let built = match built {
                Ok(c) => c,
                Err(e) => panic!("{e:?}\n{text}"),
            };
            prop_assert_eq!(&built.version, &s);
            prop_assert_eq!(&built.profiles[0].model, &format!("m{s}"));
            prop_assert_eq!(&built.providers[0].query_params.0, &vec![("q".to_owned(), s.clone())]);
        }
    }
}
