//! Owns the migration from Codex's legacy profile layout (before 0.134):
//! a `[profiles.NAME]` table in config.toml that codexgen adopts is emptied
//! of what the catalog no longer renders there, the keys it did not write
//! move with the profile into `NAME.config.toml` ([`adopt_stale`],
//! [`insert_carried`]), its comments stay behind ([`comments_left_behind`]),
//! and the legacy top-level `profile = "NAME"` goes when asked
//! ([`drop_selector`]). Does not decide which profiles are adopted (that is
//! `plan`'s) or what else a removal takes (that is [`super`]).

use std::collections::{HashMap, HashSet};

use toml_edit::{DocumentMut, Item, Table, Value};

use super::comments::comments_in;
use super::tree::{Leaf, collect_leaves, lookup, set};
use super::value::canonical;
use super::{Managed, MergeError, Moved, Note, Ownership};
use crate::home::ProfileName;

/// The table that holds the profiles in the layout before Codex 0.134.
const PROFILES: &str = "profiles";

/// The path of a profile's table in the layout before Codex 0.134.
pub(super) fn legacy_table(profile: &ProfileName) -> Vec<String> {
    vec![PROFILES.to_owned(), profile.to_string()]
}

/// Whether a text of config.toml (on disk or rendered; `None`: none) can hold a legacy
/// `[profiles.NAME]` table: only then can adopting one move keys into a
/// profile file. Read from the text, without parsing: a key spelt
/// `profiles` holds the word, bare or quoted, unless a quoted key spells
/// a letter with an escape (`"pro\x66iles"`), which takes a backslash.
pub(super) fn may_hold_legacy_tables(current: Option<&str>) -> bool {
    current.is_some_and(|text| text.contains(PROFILES) || text.contains('\\'))
}

/// Removes a top-level `profile = "NAME"` and notes it; whether there was one.
pub(super) fn drop_selector(doc: &mut DocumentMut, notes: &mut Vec<Note>) -> bool {
    let Some(profile) = doc.get("profile").and_then(Item::as_str).map(str::to_owned) else {
        return false;
    };
    doc.as_table_mut().remove("profile");
    notes.push(Note::SelectorRemoved { profile });
    true
}

/// Leaves on disk under the `adopt` tables that the catalog does not render
/// there: codexgen treats them as its own so that they are removed. Returns
/// them, and per adopted table the keys codexgen did not write, which move
/// with the profile (relative to the table).
pub(super) fn adopt_stale(
    doc: &DocumentMut,
    own: &Ownership<'_>,
    wanted: &HashSet<&[String]>,
    previous: &HashMap<&[String], &Managed>,
    notes: &mut Vec<Note>,
) -> (Vec<Managed>, Vec<Moved>) {
    let mut adopted = Vec::new();
    let mut moved = Vec::new();
    for profile in own.adopt {
        let prefix = &legacy_table(profile);
        let on_disk = lookup(doc.as_table(), prefix).and_then(Item::as_table_like);
        let stale: Vec<Leaf> = on_disk
            .map(|t| collect_leaves(t, prefix, true))
            .unwrap_or_default()
            .into_iter()
            .filter(|l| !wanted.contains(l.path.as_slice()))
            .collect();
        if stale.is_empty() {
            continue;
        }
        // Arrays of tables cannot be carried as values: leave such a table
        // alone (gen warns that it breaks `codex -p`).
        if stale.iter().any(|l| !l.item.is_value()) {
            continue;
        }
        let mut carried = Vec::new();
        for leaf in &stale {
            let value = canonical(&leaf.item);
            if !previous.contains_key(leaf.path.as_slice()) {
                carried.push(Managed {
                    path: leaf.path[prefix.len()..].to_vec(),
                    value: value.clone(),
                    before: None,
                });
            }
            adopted.push(Managed {
                path: leaf.path.clone(),
                value,
                before: None,
            });
        }
        notes.push(Note::Migrated {
            profile: profile.clone(),
            carried: carried.iter().map(|c| c.path.join(".")).collect(),
        });
        moved.push(Moved {
            profile: profile.clone(),
            keys: carried,
        });
    }
    (adopted, moved)
}

/// Adds keys carried from an adopted table where this file lacks them.
pub(super) fn insert_carried(
    doc: &mut DocumentMut,
    file: &str,
    carry_in: &[Managed],
    wanted: &HashSet<&[String]>,
    next_table: &mut isize,
) -> Result<bool, MergeError> {
    let mut changed = false;
    for carried in carry_in {
        let wanted_here = wanted.contains(carried.path.as_slice());
        if wanted_here || lookup(doc.as_table(), &carried.path).is_some() {
            continue;
        }
        let Ok(value) = carried.value.parse::<Value>() else {
            continue;
        };
        let leaf = Leaf {
            path: carried.path.clone(),
            item: Item::Value(value),
            tables: vec![Table::new(); carried.path.len().saturating_sub(1)].into(),
        };
        set(doc, file, leaf, next_table)?;
        changed = true;
    }
    Ok(changed)
}

/// Where the comments of each table in `moved` stay behind in this file:
/// the table's position (or that of `[profiles]`), and its comment lines;
/// tables without comments are left out.
pub(super) fn comments_left_behind(
    doc: &DocumentMut,
    moved: &[Moved],
) -> Vec<(Option<isize>, Vec<String>)> {
    moved
        .iter()
        .filter_map(|m| {
            let table = lookup(doc.as_table(), &legacy_table(&m.profile))?;
            let position = doc
                .get("profiles")
                .and_then(Item::as_table)
                .and_then(Table::position);
            let position = table.as_table().and_then(Table::position).or(position);
            Some((position, comments_in(table)))
        })
        .filter(|(_, comments)| !comments.is_empty())
        .collect()
}
