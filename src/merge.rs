//! Owns ownership: lays a rendered file over the file on disk with `toml_edit` so
//! that codexgen changes only what its templates emit, removes what it emitted
//! last time but no longer does, and notices hand edits to managed values
//! (drift). Everything else (comments, order, blank lines, other tables such
//! as `[projects]` or `[mcp_servers]`) is kept byte for byte. Pure: text in,
//! text out; does not touch the filesystem.
//!
//! The unit of ownership is a leaf: a key whose value is not a table, at its
//! path (`model`, `model_providers.groq.base_url`). A table that ends up empty
//! because codexgen removed its last managed key is removed with it; a table
//! that holds anything else stays.

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::diagnostic::{Problem, Snippet};

/// Lines of the header codexgen puts at the top of each file it writes start
/// with this marker; they are replaced on every run and nothing else is.
pub const HEADER_MARKER: &str = "# codexgen:";

/// A managed leaf as recorded after a write: where, and the value written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Managed {
    pub path: Vec<String>,
    /// The value as TOML text, e.g. `"groq"` or `{ api-version = "v1" }`.
    pub value: String,
}

/// Something the reader of a diff should know beyond the diff itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A managed value was edited by hand since codexgen wrote it.
    Drift {
        path: String,
        written: String,
        found: Option<String>,
        /// What codexgen will do about it.
        action: &'static str,
    },
    /// A value codexgen never wrote is replaced by the catalog's.
    TakeOver { path: String, found: String },
    /// A table in the layout this Codex no longer reads is removed; the
    /// catalog's version of it is written where this Codex looks.
    Migrated { path: String },
}

/// The outcome for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The new text, or `None` when the file should be deleted.
    pub text: Option<String>,
    /// What codexgen manages in the new text.
    pub managed: Vec<Managed>,
    pub notes: Vec<Note>,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{0}")]
    Unparsable(Problem),
    #[error("{file}: `{path}` is {found} on disk, but codexgen needs a table there")]
    NotATable {
        file: String,
        path: String,
        found: &'static str,
    },
}

/// Merges `desired` (rendered TOML, `None` when the file is no longer
/// generated) over `current` (the file's text, `None` when absent).
/// `previous` is what codexgen managed in this file after its last write.
/// Tables at the `adopt` paths are taken over whoever wrote them: what they
/// hold on disk and the catalog no longer renders there is removed. This is
/// how a profile moves between `[profiles.NAME]` and `NAME.config.toml`.
pub fn merge(
    file: &str,
    current: Option<&str>,
    desired: Option<&str>,
    header: &str,
    previous: &[Managed],
    adopt: &[Vec<String>],
) -> Result<Merged, MergeError> {
    let (old_header_len, body) = current.map_or((0, ""), split_header);
    let mut doc: DocumentMut = body.parse().map_err(|err: toml_edit::TomlError| {
        let span = err.span().unwrap_or(0..0);
        let text = current.unwrap_or_default();
        let snippet = Snippet::at_offset(file, text, old_header_len + span.start, span.len());
        MergeError::Unparsable(
            Problem::new(format!(
                "{file} is not valid TOML, so codexgen will not touch it"
            ))
            .at(snippet)
            .label(err.message().to_owned())
            .help(format!(
                "fix {file} by hand (or move it away), then run codexgen again"
            )),
        )
    })?;
    let wanted = match desired {
        Some(text) => {
            let rendered: DocumentMut = text.parse().expect("rendered text was checked to be TOML");
            leaves(&rendered)
        }
        None => Vec::new(),
    };

    let mut notes = Vec::new();
    let mut changed = false;
    let mut managed = Vec::with_capacity(wanted.len());
    for leaf in &wanted {
        let found = lookup(doc.as_table(), &leaf.path);
        if !found.is_some_and(|item| same_item(item, &leaf.item)) {
            let recorded = previous.iter().find(|m| m.path == leaf.path);
            notes.extend(classify(&leaf.path, found, recorded));
            set(&mut doc, file, leaf)?;
            changed = true;
        }
        managed.push(Managed {
            path: leaf.path.clone(),
            value: canonical(&leaf.item),
        });
    }

    let adopted = adopt_stale(&doc, adopt, &wanted, previous, &mut notes);
    for rec in previous.iter().chain(&adopted) {
        if wanted.iter().any(|l| l.path == rec.path) {
            continue;
        }
        let Some(item) = lookup(doc.as_table(), &rec.path) else {
            continue;
        };
        if !matches_recorded(item, rec) {
            notes.push(Note::Drift {
                path: rec.path.join("."),
                written: rec.value.clone(),
                found: Some(canonical(item)),
                action: "removed, because the catalog no longer has it",
            });
        }
        remove(doc.as_table_mut(), &rec.path);
        changed = true;
    }

    let body = if changed {
        let mut text = doc.to_string();
        // Removing the first table leaves the blank line that separated the
        // next one: do not let it open the file.
        if !body.starts_with('\n') {
            text = text.trim_start_matches('\n').to_owned();
        }
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text
    } else {
        body.to_owned()
    };
    let text = if desired.is_none() && body.trim().is_empty() {
        None
    } else if desired.is_none() {
        // Codexgen no longer generates this file but something else lives in
        // it: keep that, without codexgen's header.
        Some(body)
    } else {
        Some(format!("{header}{body}"))
    };
    Ok(Merged {
        text,
        managed,
        notes,
    })
}

/// Leaves on disk under the `adopt` tables that the catalog does not render
/// there: codexgen treats them as its own so that they are removed.
fn adopt_stale(
    doc: &DocumentMut,
    adopt: &[Vec<String>],
    wanted: &[Leaf],
    previous: &[Managed],
    notes: &mut Vec<Note>,
) -> Vec<Managed> {
    let mut adopted = Vec::new();
    for prefix in adopt {
        let on_disk = lookup(doc.as_table(), prefix).and_then(Item::as_table);
        let stale: Vec<Managed> = on_disk
            .map(|t| table_leaves(t, prefix))
            .unwrap_or_default()
            .into_iter()
            .filter(|l| !wanted.iter().any(|w| w.path == l.path))
            .filter(|l| !previous.iter().any(|p| p.path == l.path))
            .map(|l| Managed {
                path: l.path,
                value: canonical(&l.item),
            })
            .collect();
        if !stale.is_empty() {
            notes.push(Note::Migrated {
                path: prefix.join("."),
            });
            adopted.extend(stale);
        }
    }
    adopted
}

/// What the reader should know when a wanted leaf differs from the disk.
fn classify(path: &[String], found: Option<&Item>, recorded: Option<&Managed>) -> Option<Note> {
    let path = path.join(".");
    match (found, recorded) {
        (Some(item), Some(rec)) if !matches_recorded(item, rec) => Some(Note::Drift {
            path,
            written: rec.value.clone(),
            found: Some(canonical(item)),
            action: "overwritten with the catalog's value",
        }),
        // The catalog changed since the last write: an ordinary update.
        (Some(_), Some(_)) | (None, None) => None,
        (Some(item), None) => Some(Note::TakeOver {
            path,
            found: canonical(item),
        }),
        (None, Some(rec)) => Some(Note::Drift {
            path,
            written: rec.value.clone(),
            found: None,
            action: "restored",
        }),
    }
}

/// What in a config.toml selects or defines profiles the old way.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LegacyProfiles {
    /// Names of `[profiles.NAME]` tables.
    pub tables: Vec<String>,
    /// A top-level `profile = "NAME"`.
    pub selector: Option<String>,
}

/// Finds legacy profile tables and the profile selector in config.toml text.
pub fn legacy_profiles(text: &str) -> LegacyProfiles {
    let Ok(doc) = split_header(text).1.parse::<DocumentMut>() else {
        return LegacyProfiles::default();
    };
    LegacyProfiles {
        tables: doc
            .get("profiles")
            .and_then(Item::as_table_like)
            .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
            .unwrap_or_default(),
        selector: doc.get("profile").and_then(Item::as_str).map(str::to_owned),
    }
}

/// Splits codexgen's header lines off the top of a file: (header length, rest).
fn split_header(text: &str) -> (usize, &str) {
    let mut at = 0;
    while text[at..].starts_with(HEADER_MARKER) {
        at += text[at..].find('\n').map_or(text.len() - at, |i| i + 1);
    }
    (at, &text[at..])
}

/// The header for a file generated from a catalog of this version.
pub fn header(catalog_version: &str) -> String {
    let version = catalog_version.replace(['\n', '\r'], " ");
    format!(
        "{HEADER_MARKER} generated from catalog version {version}; codexgen rewrites only the\n\
         {HEADER_MARKER} keys it manages (see `codexgen gen --diff`) and keeps everything else.\n"
    )
}

struct Leaf {
    path: Vec<String>,
    item: Item,
    /// The rendered tables along the path, to copy their shape when missing.
    tables: Vec<Table>,
}

/// Every non-table item of a rendered document, with its path, in order.
fn leaves(doc: &DocumentMut) -> Vec<Leaf> {
    table_leaves(doc.as_table(), &[])
}

/// Every non-table item under `table`, whose own path is `prefix`.
fn table_leaves(table: &Table, prefix: &[String]) -> Vec<Leaf> {
    fn walk(table: &Table, path: &mut Vec<String>, tables: &mut Vec<Table>, out: &mut Vec<Leaf>) {
        for (key, item) in table {
            path.push(key.to_owned());
            if let Item::Table(t) = item {
                let mut shape = t.clone();
                shape.clear();
                tables.push(shape);
                walk(t, path, tables, out);
                tables.pop();
            } else {
                out.push(Leaf {
                    path: path.clone(),
                    item: item.clone(),
                    tables: tables.clone(),
                });
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(table, &mut prefix.to_vec(), &mut Vec::new(), &mut out);
    out
}

fn lookup<'d>(root: &'d Table, path: &[String]) -> Option<&'d Item> {
    let (last, parents) = path.split_last()?;
    let mut table = root;
    for key in parents {
        table = table.get(key)?.as_table()?;
    }
    table.get(last).filter(|i| !i.is_none())
}

/// Writes a leaf into the document, creating missing tables in the shape the
/// template gave them and keeping the decor (comments) of a replaced value.
fn set(doc: &mut DocumentMut, file: &str, leaf: &Leaf) -> Result<(), MergeError> {
    let (last, parents) = leaf.path.split_last().expect("a leaf has a key");
    let mut fresh_position = next_position(doc.as_table());
    let mut table = doc.as_table_mut();
    for (depth, key) in parents.iter().enumerate() {
        if !table.contains_key(key) {
            let mut shape = leaf.tables[depth].clone();
            // Place new explicit tables after everything else in the file,
            // unless their parent already exists (then they follow their siblings).
            if depth == 0 || shape.position().is_some() {
                shape.set_position(Some(fresh_position));
                fresh_position += 1;
            }
            table.insert(key, Item::Table(shape));
        }
        let item = table.get_mut(key).expect("just ensured");
        let found = item.type_name();
        table = item.as_table_mut().ok_or_else(|| MergeError::NotATable {
            file: file.to_owned(),
            path: leaf.path[..=depth].join("."),
            found,
        })?;
    }
    match (table.get_mut(last), &leaf.item) {
        (Some(Item::Value(old)), Item::Value(new)) => {
            let decor = old.decor().clone();
            let mut new = new.clone();
            *new.decor_mut() = decor;
            *old = new;
        }
        (Some(old), new) => *old = new.clone(),
        (None, new) => {
            let mut new = new.clone();
            if let Item::Value(v) = &mut new {
                v.decor_mut().clear();
            }
            table.insert(last, new);
        }
    }
    Ok(())
}

/// One past the largest table position in the document.
fn next_position(root: &Table) -> isize {
    fn max(table: &Table) -> isize {
        let own = table.position().unwrap_or(0);
        table
            .iter()
            .filter_map(|(_, item)| item.as_table())
            .map(max)
            .fold(own, isize::max)
    }
    max(root) + 1
}

/// Removes a leaf, then any table on its path that this left empty.
fn remove(table: &mut Table, path: &[String]) {
    match path {
        [] => {}
        [last] => {
            table.remove(last);
        }
        [first, rest @ ..] => {
            let Some(child) = table.get_mut(first).and_then(Item::as_table_mut) else {
                return;
            };
            remove(child, rest);
            if child.is_empty() {
                table.remove(first);
            }
        }
    }
}

fn matches_recorded(item: &Item, recorded: &Managed) -> bool {
    recorded
        .value
        .parse::<Value>()
        .is_ok_and(|v| same_item(item, &Item::Value(v)))
}

/// The value as one line of TOML, without comments or surrounding space.
pub fn canonical(item: &Item) -> String {
    match item {
        Item::Value(v) => {
            let mut v = v.clone();
            strip(&mut v);
            v.to_string()
        }
        other => other.to_string().trim().to_owned(),
    }
}

fn strip(value: &mut Value) {
    value.decor_mut().clear();
    match value {
        Value::Array(a) => {
            a.iter_mut().for_each(strip);
            a.fmt();
        }
        Value::InlineTable(t) => {
            t.iter_mut().for_each(|(_, v)| strip(v));
            t.fmt();
        }
        _ => {}
    }
}

/// Whether two items hold the same data, however they are written.
fn same_item(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (Item::Value(a), Item::Value(b)) => same_value(a, b),
        (a, b) => a.to_string() == b.to_string(),
    }
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.value() == b.value(),
        (Value::Integer(a), Value::Integer(b)) => a.value() == b.value(),
        (Value::Float(a), Value::Float(b)) => a.value().to_bits() == b.value().to_bits(),
        (Value::Boolean(a), Value::Boolean(b)) => a.value() == b.value(),
        (Value::Datetime(a), Value::Datetime(b)) => a.value() == b.value(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| same_value(a, b))
        }
        (Value::InlineTable(a), Value::InlineTable(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "# codexgen: test header\n";

    fn run(current: Option<&str>, desired: Option<&str>, previous: &[Managed]) -> Merged {
        merge("config.toml", current, desired, HEADER, previous, &[]).unwrap()
    }

    fn managed(path: &str, value: &str) -> Managed {
        Managed {
            path: path.split('.').map(str::to_owned).collect(),
            value: value.to_owned(),
        }
    }

    #[test]
    fn new_file_is_header_plus_rendered_text() {
        let out = run(None, Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some("# codexgen: test header\nmodel = \"m\"\n")
        );
        assert_eq!(out.managed, vec![managed("model", "\"m\"")]);
        assert!(out.notes.is_empty());
    }

    #[test]
    fn unmanaged_content_is_kept_byte_for_byte() {
        let current = "# my settings\nmodel = \"old\"  # picked by hand\n\n[projects.\"/home/me/x\"]\ntrust_level = \"trusted\" # keep\n\n[mcp_servers.docs]\ncommand = 'npx'\nargs = [ \"-y\",   \"docs\" ]\n";
        let desired = "model = \"new\"\n\n[model_providers.groq]\nname = \"Groq\"\n";
        let out = run(Some(current), Some(desired), &[managed("model", "\"old\"")]);
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: test header\n# my settings\nmodel = \"new\"  # picked by hand\n\n[projects.\"/home/me/x\"]\ntrust_level = \"trusted\" # keep\n\n[mcp_servers.docs]\ncommand = 'npx'\nargs = [ \"-y\",   \"docs\" ]\n\n[model_providers.groq]\nname = \"Groq\"\n"
            )
        );
        assert!(out.notes.is_empty(), "{:?}", out.notes);
    }

    #[test]
    fn merging_twice_changes_nothing() {
        let current = "[tui]\nx = 1\n";
        let desired = "model = \"m\"\n\n[model_providers.a]\nname = \"A\"\nq = { k = \"v\" }\n";
        let once = run(Some(current), Some(desired), &[]);
        let twice = run(once.text.as_deref(), Some(desired), &once.managed);
        assert_eq!(once.text, twice.text);
        assert!(twice.notes.is_empty());
    }

    #[test]
    fn equal_values_written_differently_are_left_alone() {
        let current = "model = 'm'  # mine\n";
        let out = run(Some(current), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some("# codexgen: test header\nmodel = 'm'  # mine\n")
        );
    }

    #[test]
    fn stale_entries_are_removed_with_their_table() {
        let current = "model = \"m\"\n\n[model_providers.a]\nname = \"A\"\n\n[model_providers.b]\nname = \"B\"\n\n[tui]\nx = 1\n";
        let previous = [
            managed("model", "\"m\""),
            managed("model_providers.a.name", "\"A\""),
            managed("model_providers.b.name", "\"B\""),
        ];
        let out = run(
            Some(current),
            Some("model = \"m\"\n\n[model_providers.a]\nname = \"A\"\n"),
            &previous,
        );
        assert_eq!(
            out.text.as_deref(),
            Some(
                "# codexgen: test header\nmodel = \"m\"\n\n[model_providers.a]\nname = \"A\"\n\n[tui]\nx = 1\n"
            )
        );
    }

    #[test]
    fn a_hand_added_key_keeps_its_table_alive() {
        let current = "[model_providers.b]\nname = \"B\"\nmine = true\n";
        let out = run(
            Some(current),
            Some(""),
            &[managed("model_providers.b.name", "\"B\"")],
        );
        assert_eq!(
            out.text.as_deref(),
            Some("# codexgen: test header\n[model_providers.b]\nmine = true\n")
        );
    }

    #[test]
    fn drift_is_reported() {
        let current = "model = \"hand-picked\"\n";
        let out = run(
            Some(current),
            Some("model = \"m\"\n"),
            &[managed("model", "\"m\"")],
        );
        assert_eq!(
            out.notes,
            vec![Note::Drift {
                path: "model".into(),
                written: "\"m\"".into(),
                found: Some("\"hand-picked\"".into()),
                action: "overwritten with the catalog's value",
            }]
        );
    }

    #[test]
    fn a_value_never_written_is_taken_over_with_a_note() {
        let out = run(Some("model = \"x\"\n"), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.notes,
            vec![Note::TakeOver {
                path: "model".into(),
                found: "\"x\"".into()
            }]
        );
    }

    #[test]
    fn a_file_no_longer_generated_is_deleted_when_only_ours() {
        let current = "# codexgen: old header\nmodel = \"m\"\n";
        assert_eq!(
            run(Some(current), None, &[managed("model", "\"m\"")]).text,
            None
        );
        let current = "# codexgen: old header\nmodel = \"m\"\nmine = 1\n";
        assert_eq!(
            run(Some(current), None, &[managed("model", "\"m\"")])
                .text
                .as_deref(),
            Some("mine = 1\n")
        );
    }

    #[test]
    fn header_is_replaced_not_stacked() {
        let current = "# codexgen: old\n# codexgen: old 2\nmodel = \"m\"\n";
        let out = run(Some(current), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some("# codexgen: test header\nmodel = \"m\"\n")
        );
    }

    #[test]
    fn missing_final_newline_is_handled() {
        let out = run(Some("[tui]\nx = 1"), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some("# codexgen: test header\nmodel = \"m\"\n[tui]\nx = 1\n")
        );
        let out = run(Some("model = \"m\""), Some("model = \"m\"\n"), &[]);
        assert_eq!(
            out.text.as_deref(),
            Some("# codexgen: test header\nmodel = \"m\"")
        );
    }

    #[test]
    fn adopted_tables_are_emptied_of_what_is_not_rendered_there() {
        let current = "[profiles.a]\nmodel = \"m\"\nmodel_provider = \"p\"\n\n[profiles.keep]\nmodel = \"x\"\n\n[tui]\nx = 1\n";
        let adopt = vec![vec!["profiles".to_owned(), "a".to_owned()]];
        let out = merge("config.toml", Some(current), Some(""), HEADER, &[], &adopt).unwrap();
        assert_eq!(
            out.text.as_deref(),
            Some("# codexgen: test header\n[profiles.keep]\nmodel = \"x\"\n\n[tui]\nx = 1\n")
        );
        assert_eq!(
            out.notes,
            vec![Note::Migrated {
                path: "profiles.a".into()
            }]
        );
        assert!(out.managed.is_empty());
    }

    #[test]
    fn legacy_profiles_are_found() {
        let found = legacy_profiles(
            "# codexgen: h\nprofile = \"a\"\n[profiles.a]\nmodel = \"m\"\n[profiles.\"b c\"]\n",
        );
        assert_eq!(found.tables, vec!["a".to_owned(), "b c".to_owned()]);
        assert_eq!(found.selector.as_deref(), Some("a"));
    }

    #[test]
    fn broken_toml_is_refused_with_its_position() {
        let err = merge(
            "config.toml",
            Some("[tui\nx = 1\n"),
            Some(""),
            HEADER,
            &[],
            &[],
        )
        .unwrap_err();
        let MergeError::Unparsable(p) = err else {
            panic!()
        };
        assert_eq!(
            p.snippet.map(|s| (s.line, s.file)),
            Some((1, "config.toml".into()))
        );
    }

    #[test]
    fn a_value_where_a_table_is_needed_is_an_error() {
        let err = merge(
            "config.toml",
            Some("model_providers = 1\n"),
            Some("[model_providers.a]\nx = 1\n"),
            HEADER,
            &[],
            &[],
        );
        assert!(matches!(err, Err(MergeError::NotATable { .. })));
    }
}
