//! Owns Codex's own config schema: the JSON Schema of `config.toml` that
//! openai/codex generates from its config types
//! (`codex-rs/core/config.schema.json`, one per release tag `rust-vX.Y.Z`),
//! which versions codexgen has one for, and one cheap walk of a planned or
//! on-disk TOML file against the nearest one at or below the target. The
//! walk reports keys the schema does not know and values of the wrong basic
//! type, each with its byte offset, and words each once as a warning
//! (`findings::Finding`, never a refusal: Codex writes keys its schema may
//! lag behind), which `gen` and `doctor` render alike. It is not a full
//! validator: `$ref`, `allOf`, `oneOf`/`anyOf`, `properties`,
//! `additionalProperties`, `items` and `type` are followed, everything else
//! (enums, patterns, ranges, required keys) is left to Codex.
//!
//! Where the schemas come from: a folder of `X.Y.Z.json` files named by
//! `CODEXGEN_CODEX_SCHEMAS` (read through `input`, bounded). None is built
//! into the binary yet (see `docs/codex-versions.md` for why), so without
//! that folder nothing is checked. Reads nothing else and writes nothing.
//!
//! Codex 0.131.0 and newer can judge unknown keys itself (`codex
//! --strict-config`): `verify` runs that under `gen --verify` and `doctor`,
//! with no schema needed. This walk stays for whoever has the schemas (it
//! also sees wrong basic types, and needs no Codex installed); the two are
//! independent, and a key may be reported by both.

use std::path::{Path, PathBuf};

use serde_json::Value;
use toml_edit::{Item, TableLike};

use crate::codex::Version;
use crate::diagnostic::{Problem, Snippet};
use crate::findings::{Finding, Severity, Subject};
use crate::input::{self, Limit};

/// A Codex config schema is about 150 KB; a folder file past this is not one.
pub const SCHEMA_FILE: Limit = Limit {
    what: "a Codex config schema",
    bytes: 4 * 1024 * 1024,
};

/// The environment variable naming a folder of `X.Y.Z.json` schemas.
pub const DIR_VAR: &str = "CODEXGEN_CODEX_SCHEMAS";

/// Where the schemas are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schemas {
    /// No folder named: no schema to check against.
    None,
    Dir(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("cannot list the Codex schemas in {}", .0.display())]
    List(PathBuf, #[source] std::io::Error),
    #[error(transparent)]
    Read(#[from] input::ReadError),
    #[error("the Codex {version} config schema ({origin}) is not JSON")]
    Json {
        version: Version,
        origin: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("no Codex {0} config schema is at hand")]
    Missing(Version),
}

/// One Codex release's config schema.
#[derive(Debug)]
pub struct ConfigSchema {
    /// The release it belongs to (at or below the target).
    pub version: Version,
    /// The file it was read from.
    pub origin: String,
    root: Value,
}

/// What the walk found at one key (a [`Finding`] once worded:
/// [`Mismatch::finding`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The dotted key path, e.g. `model_providers.groq.base_ulr`.
    pub path: String,
    /// Byte offset of the key (or value) in the checked text.
    pub offset: usize,
    /// Its length in bytes, for the caret.
    pub width: usize,
    pub kind: MismatchKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MismatchKind {
    /// The schema has no such key here.
    UnknownKey,
    /// The schema wants another type here (`expected` lists them).
    WrongType {
        expected: String,
        found: &'static str,
    },
}

impl Schemas {
    /// The folder in `CODEXGEN_CODEX_SCHEMAS`, if one is named.
    pub fn from_env() -> Self {
        std::env::var_os(DIR_VAR)
            .filter(|d| !d.is_empty())
            .map_or(Schemas::None, |d| Schemas::Dir(PathBuf::from(d)))
    }

    /// The versions that have a schema, oldest first.
    pub fn versions(&self) -> Result<Vec<Version>, SchemaError> {
        let mut versions = match self {
            Schemas::None => Vec::new(),
            Schemas::Dir(dir) => dir_versions(dir)?,
        };
        versions.sort();
        Ok(versions)
    }

    /// The schema of the newest version at or below `target`, if any.
    pub fn for_target(&self, target: Version) -> Result<Option<ConfigSchema>, SchemaError> {
        let Some(version) = self.versions()?.into_iter().rfind(|v| *v <= target) else {
            return Ok(None);
        };
        self.load(version).map(Some)
    }

    /// The schema of exactly `version`.
    pub fn load(&self, version: Version) -> Result<ConfigSchema, SchemaError> {
        let Schemas::Dir(dir) = self else {
            return Err(SchemaError::Missing(version));
        };
        let path = dir.join(format!("{version}.json"));
        let (text, origin) = (input::read(&path, SCHEMA_FILE)?, path.display().to_string());
        let root = serde_json::from_str(&text).map_err(|source| SchemaError::Json {
            version,
            origin: origin.clone(),
            source,
        })?;
        Ok(ConfigSchema {
            version,
            origin,
            root,
        })
    }
}

fn dir_versions(dir: &Path) -> Result<Vec<Version>, SchemaError> {
    let entries = fs_err::read_dir(dir).map_err(|e| SchemaError::List(dir.to_path_buf(), e))?;
    Ok(entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let stem = name.to_str()?.strip_suffix(".json")?;
            // Only `X.Y.Z.json`: `0.169.json` or `notes.json` are not schemas.
            (stem.split('.').count() == 3)
                .then(|| stem.parse().ok())
                .flatten()
        })
        .collect())
}

/// How a message names the schema used for `target`.
pub fn whose(schema: &ConfigSchema, target: Version) -> String {
    let from = format!(", from {}", schema.origin);
    if schema.version == target {
        format!("Codex {target}'s config schema{from}")
    } else {
        format!(
            "the config schema of Codex {} (the nearest known at or below {target}{from})",
            schema.version
        )
    }
}

/// What to do about a finding.
pub const UNKNOWN_HELP: &str = "Codex ignores keys it does not know (0.169 warns only when a session starts): check the spelling; a key newer than the schema can stay";
pub const TYPE_HELP: &str = "Codex may refuse to load this file or ignore the value: check it";

impl Mismatch {
    /// One sentence; `whose` from [`whose`].
    pub fn message(&self, whose: &str) -> String {
        match &self.kind {
            MismatchKind::UnknownKey => format!("`{}` is not a key {whose} knows", self.path),
            MismatchKind::WrongType { expected, found } => {
                format!(
                    "`{}` is {found} here, but {whose} expects {expected}",
                    self.path
                )
            }
        }
    }

    pub fn help(&self) -> &'static str {
        match self.kind {
            MismatchKind::UnknownKey => UNKNOWN_HELP,
            MismatchKind::WrongType { .. } => TYPE_HELP,
        }
    }

    /// Where it is in `text`, the text of `file` (the name shown).
    fn snippet(&self, file: &str, text: &str) -> Snippet {
        Snippet::at_offset(file, text, self.offset, self.width.max(1))
    }

    /// The mismatch as every command words it: a warning (Codex loads the
    /// file; it ignores an unknown key, and may refuse or ignore a value of
    /// the wrong type) at its place in `file`, with the fix. `whose` from
    /// [`whose`].
    pub fn finding(&self, whose: &str, file: &str, text: &str) -> Finding {
        let at = self.snippet(file, text);
        let mut finding =
            Finding::new(Severity::Warning, Subject::Files, self.message(whose)).fix(self.help());
        finding.place = Some((file.to_owned(), at.line, at.column));
        finding
    }
}

/// When the schema cannot be read: nothing is checked, which is a warning.
pub fn unreadable(e: &SchemaError) -> Finding {
    Finding::new(
        Severity::Warning,
        Subject::Files,
        format!("cannot check the files against Codex's schema: {e}"),
    )
}

/// Each mismatch of `text` (named `file`, the name shown to the user) with
/// the schema for `target`, as a finding and as a problem that shows its
/// line with a caret (`gen`'s stderr); `planned` when `text` is what `gen`
/// would write, not what is on disk.
pub fn findings(
    schema: &ConfigSchema,
    target: Version,
    file: &str,
    text: &str,
    planned: bool,
) -> Vec<(Finding, Problem)> {
    let whose = whose(schema, target);
    schema
        .check(text)
        .into_iter()
        .map(|m| {
            let mut label = match &m.kind {
                MismatchKind::UnknownKey => "unknown to Codex's schema".to_owned(),
                MismatchKind::WrongType { expected, .. } => format!("expected {expected}"),
            };
            if planned {
                label.push_str(" (line of the file as gen writes it)");
            }
            let finding = m.finding(&whose, file, text);
            let problem = finding.problem_at(m.snippet(file, text), label);
            (finding, problem)
        })
        .collect()
}

/// Nesting past this is not a config file; the walk stops there.
const MAX_DEPTH: usize = 64;

impl ConfigSchema {
    /// Walks `text` (a config.toml or NAME.config.toml, which Codex reads as
    /// the same kind of layer) against the schema. A text that does not
    /// parse yields nothing: the stages that read it report that.
    pub fn check(&self, text: &str) -> Vec<Mismatch> {
        let Ok(doc) = toml_edit::Document::parse(text) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let mut path = Vec::new();
        self.table(doc.as_table(), &self.root, &mut path, &mut found);
        found.sort_by_key(|f| f.offset);
        found
    }

    fn table<'t>(
        &self,
        table: &'t dyn TableLike,
        schema: &Value,
        path: &mut Vec<&'t str>,
        found: &mut Vec<Mismatch>,
    ) {
        if path.len() > MAX_DEPTH {
            return;
        }
        let branches = self.branches(schema);
        for (name, item) in table.iter() {
            let Some((key, _)) = table.get_key_value(name) else {
                continue;
            };
            path.push(name);
            match property(&branches, name) {
                Lookup::Schema(sub) => self.item(item, sub, key.span(), path, found),
                Lookup::Anything => {}
                Lookup::Unknown => {
                    let span = key.span().unwrap_or(0..0);
                    found.push(Mismatch {
                        path: path.join("."),
                        offset: span.start,
                        width: span.len(),
                        kind: MismatchKind::UnknownKey,
                    });
                }
            }
            path.pop();
        }
    }

    fn item<'t>(
        &self,
        item: &'t Item,
        schema: &Value,
        key_span: Option<std::ops::Range<usize>>,
        path: &mut Vec<&'t str>,
        found: &mut Vec<Mismatch>,
    ) {
        let (kind, span) = match item {
            Item::None => return,
            Item::Value(v) => (toml_type(v), v.span().or(key_span)),
            Item::Table(t) => ("object", t.span().or(key_span)),
            Item::ArrayOfTables(a) => ("array", a.span().or(key_span)),
        };
        let branches = self.branches(schema);
        if !allows(&branches, kind) {
            let span = span.unwrap_or(0..0);
            found.push(Mismatch {
                path: path.join("."),
                offset: span.start,
                width: span.len(),
                kind: MismatchKind::WrongType {
                    expected: expected(&branches),
                    found: kind,
                },
            });
            return;
        }
        match item {
            Item::Table(t) => self.table(t, schema, path, found),
            Item::Value(toml_edit::Value::InlineTable(t)) => self.table(t, schema, path, found),
            Item::Value(toml_edit::Value::Array(a)) => {
                if let Some(items) = items(&branches) {
                    for v in a {
                        self.value(v, items, path, found);
                    }
                }
            }
            Item::ArrayOfTables(a) => {
                if let Some(items) = items(&branches) {
                    for t in a {
                        self.table(t, items, path, found);
                    }
                }
            }
            _ => {}
        }
    }

    /// An array element: checked like an item, at the element's own span.
    fn value<'t>(
        &self,
        value: &'t toml_edit::Value,
        schema: &Value,
        path: &mut Vec<&'t str>,
        found: &mut Vec<Mismatch>,
    ) {
        let branches = self.branches(schema);
        let kind = toml_type(value);
        if !allows(&branches, kind) {
            let span = value.span().unwrap_or(0..0);
            found.push(Mismatch {
                path: path.join("."),
                offset: span.start,
                width: span.len(),
                kind: MismatchKind::WrongType {
                    expected: expected(&branches),
                    found: kind,
                },
            });
        } else if let toml_edit::Value::InlineTable(t) = value {
            self.table(t, schema, path, found);
        }
    }

    /// `schema` with `$ref` and single-element `allOf` followed, split into
    /// its `oneOf`/`anyOf` alternatives (themselves resolved).
    fn branches<'s>(&'s self, schema: &'s Value) -> Vec<&'s Value> {
        let schema = self.resolve(schema);
        let alternatives = ["oneOf", "anyOf"]
            .iter()
            .find_map(|k| schema.get(*k).and_then(Value::as_array));
        match alternatives {
            Some(list) => list.iter().map(|b| self.resolve(b)).collect(),
            None => vec![schema],
        }
    }

    fn resolve<'s>(&'s self, mut schema: &'s Value) -> &'s Value {
        // Bounded: a schema whose references loop is not followed forever.
        for _ in 0..32 {
            if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
                let found = ["#/definitions/", "#/$defs/"].iter().find_map(|prefix| {
                    let name = target.strip_prefix(prefix)?;
                    let defs = prefix.trim_start_matches("#/").trim_end_matches('/');
                    self.root.get(defs)?.get(name)
                });
                match found {
                    Some(next) => schema = next,
                    None => return &Value::Bool(true),
                }
            } else if let Some([only]) = schema
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                schema = only;
            } else {
                break;
            }
        }
        schema
    }
}

enum Lookup<'s> {
    Schema(&'s Value),
    Anything,
    Unknown,
}

/// What the object alternatives among `branches` say about key `name`.
fn property<'s>(branches: &[&'s Value], name: &str) -> Lookup<'s> {
    let objects: Vec<&Value> = branches
        .iter()
        .copied()
        .filter(|b| allows(&[b], "object"))
        .collect();
    if let Some(sub) = objects.iter().find_map(|b| b.get("properties")?.get(name)) {
        return Lookup::Schema(sub);
    }
    let mut open = objects.is_empty();
    for b in &objects {
        match b.get("additionalProperties") {
            Some(Value::Bool(false)) if b.get("patternProperties").is_none() => {}
            Some(sub @ Value::Object(_)) => return Lookup::Schema(sub),
            _ => open = true,
        }
    }
    if open {
        Lookup::Anything
    } else {
        Lookup::Unknown
    }
}

/// Whether one of `branches` admits a TOML value of JSON type `kind`.
fn allows(branches: &[&Value], kind: &str) -> bool {
    branches.iter().any(|b| match b {
        Value::Bool(ok) => *ok,
        // No `type` (or an odd one) constrains nothing here.
        Value::Object(o) => match o.get("type") {
            Some(Value::String(t)) => type_matches(t, kind),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .any(|t| type_matches(t, kind)),
            _ => true,
        },
        _ => true,
    })
}

fn type_matches(schema_type: &str, kind: &str) -> bool {
    schema_type == kind || (schema_type == "number" && kind == "integer")
}

/// The types `branches` name, for a message.
fn expected(branches: &[&Value]) -> String {
    let mut names: Vec<&str> = branches
        .iter()
        .flat_map(|b| match b.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        })
        .filter(|t| *t != "null")
        .collect();
    names.dedup();
    names.join(" or ")
}

/// The element schema of the first array alternative.
fn items<'s>(branches: &[&'s Value]) -> Option<&'s Value> {
    branches
        .iter()
        .filter(|b| allows(&[b], "array"))
        .find_map(|b| b.get("items").filter(|i| i.is_object()))
}

fn toml_type(value: &toml_edit::Value) -> &'static str {
    match value {
        toml_edit::Value::String(_) | toml_edit::Value::Datetime(_) => "string",
        toml_edit::Value::Integer(_) => "integer",
        toml_edit::Value::Float(_) => "number",
        toml_edit::Value::Boolean(_) => "boolean",
        toml_edit::Value::Array(_) => "array",
        toml_edit::Value::InlineTable(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small schema of the shape Codex generates (draft-07, schemars).
    fn schema() -> ConfigSchema {
        let root = serde_json::json!({
            "additionalProperties": false,
            "definitions": {
                "Provider": {
                    "additionalProperties": false,
                    "properties": {
                        "name": { "type": "string" },
                        "base_url": { "type": "string" },
                        "request_max_retries": { "type": "integer", "format": "uint64" },
                        "http_headers": { "additionalProperties": { "type": "string" }, "type": "object" }
                    },
                    "type": "object"
                },
                "Mode": { "oneOf": [ { "enum": ["a"], "type": "string" }, { "enum": ["b"], "type": "string" } ] }
            },
            "properties": {
                "model": { "type": "string" },
                "mode": { "allOf": [ { "$ref": "#/definitions/Mode" } ], "default": null },
                "model_providers": {
                    "additionalProperties": { "$ref": "#/definitions/Provider" },
                    "type": "object"
                },
                "projects": { "additionalProperties": true, "type": "object" },
                "notify": { "items": { "type": "string" }, "type": "array" }
            },
            "type": "object"
        });
        ConfigSchema {
            version: Version::new(0, 1, 0),
            origin: "test".into(),
            root,
        }
    }

    fn paths(text: &str) -> Vec<(String, MismatchKind)> {
        schema()
            .check(text)
            .into_iter()
            .map(|f| (f.path, f.kind))
            .collect()
    }

    #[test]
    fn known_keys_pass() {
        let text = "model = \"m\"\nmode = \"b\"\nnotify = [\"x\"]\n[model_providers.g]\nname = \"G\"\nbase_url = \"u\"\nrequest_max_retries = 3\nhttp_headers = { X-A = \"1\" }\n[projects.\"/p\"]\ntrust_level = \"trusted\"\n";
        assert_eq!(paths(text), Vec::new());
    }

    #[test]
    fn unknown_keys_are_found_at_their_line() {
        let text = "model = \"m\"\nmodle = \"x\"\n[model_providers.g]\nbase_ulr = \"u\"\n";
        let s = schema();
        let found = s.check(text);
        assert_eq!(
            found.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            ["modle", "model_providers.g.base_ulr"]
        );
        assert_eq!(&text[found[1].offset..][..found[1].width], "base_ulr");
        assert!(found.iter().all(|f| f.kind == MismatchKind::UnknownKey));
    }

    #[test]
    fn wrong_basic_types_are_found() {
        let text = "model = 3\nnotify = [1]\n[model_providers.g]\nrequest_max_retries = \"3\"\nhttp_headers = { X = 1 }\n";
        let found = paths(text);
        assert_eq!(
            found.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            [
                "model",
                "notify",
                "model_providers.g.request_max_retries",
                "model_providers.g.http_headers.X"
            ]
        );
        assert_eq!(
            found[0].1,
            MismatchKind::WrongType {
                expected: "string".into(),
                found: "integer"
            }
        );
    }

    #[test]
    fn a_broken_text_or_a_looping_reference_yields_nothing() {
        assert_eq!(paths("model = \n"), Vec::new());
        let mut s = schema();
        s.root["definitions"]["Loop"] = serde_json::json!({ "$ref": "#/definitions/Loop" });
        s.root["properties"]["model"] = serde_json::json!({ "$ref": "#/definitions/Loop" });
        assert_eq!(s.check("model = 1\n"), Vec::new());
    }
}
