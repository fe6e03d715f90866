//! Owns editing a `toml_edit` tree by path: taking a document apart into
//! its leaves (each with the shape of the tables above it), finding the item
//! at a path, writing a leaf (making missing tables in the template's shape,
//! keeping a replaced value's comments), putting a value back, and removing
//! leaves with the tables they leave empty. Does not decide what to write or
//! remove, or whether two values are equal (that is [`super`] and
//! [`super::value`]); does not touch text outside the tree.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use toml_edit::{DocumentMut, Item, Table, Value};

use super::MergeError;

/// A leaf at its path: a key whose value is not a table.
pub(super) struct Leaf {
    pub(super) path: Vec<String>,
    pub(super) item: Item,
    /// The rendered tables along the path, to copy their shape when
    /// missing: shared by every leaf of the same table.
    pub(super) tables: Arc<[Table]>,
}

/// A table's shape only (header, comments, position): copying its entries
/// would cost the whole subtree.
fn shape_of(table: &Table) -> Table {
    let mut shape = Table::new();
    shape.set_implicit(table.is_implicit());
    shape.set_dotted(table.is_dotted());
    shape.set_position(table.position());
    *shape.decor_mut() = table.decor().clone();
    shape
}

/// Every non-table item of a rendered document, with its path, in order,
/// taken out of the document (which is gone once they are all out).
/// Inline tables are values here (`query_params = { ... }` is one leaf).
pub(super) fn leaves(doc: DocumentMut) -> Vec<Leaf> {
    fn walk(table: Table, path: &mut Vec<String>, tables: &mut Vec<Table>, out: &mut Vec<Leaf>) {
        let shared: Arc<[Table]> = Arc::from(tables.as_slice());
        for (key, item) in table {
            path.push(key);
            match item {
                Item::Table(t) => {
                    tables.push(shape_of(&t));
                    walk(t, path, tables, out);
                    tables.pop();
                }
                item => out.push(Leaf {
                    path: path.clone(),
                    item,
                    tables: Arc::clone(&shared),
                }),
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(doc.into_table(), &mut Vec::new(), &mut Vec::new(), &mut out);
    out
}

/// Every leaf under a table or inline table whose own path is `prefix`,
/// recording the shape of each table passed on the way; with `into_inline`,
/// inline tables are opened up too (what an adopted table holds on disk).
pub(super) fn collect_leaves(
    table: &dyn toml_edit::TableLike,
    prefix: &[String],
    into_inline: bool,
) -> Vec<Leaf> {
    fn walk(
        table: &dyn toml_edit::TableLike,
        path: &mut Vec<String>,
        tables: &mut Vec<Table>,
        into_inline: bool,
        out: &mut Vec<Leaf>,
    ) {
        let shared: Arc<[Table]> = Arc::from(tables.as_slice());
        for (key, item) in table.iter() {
            path.push(key.to_owned());
            match item {
                Item::Table(t) => {
                    tables.push(shape_of(t));
                    walk(t, path, tables, into_inline, out);
                    tables.pop();
                }
                Item::Value(Value::InlineTable(t)) if into_inline => {
                    walk(t, path, tables, into_inline, out);
                }
                other => out.push(Leaf {
                    path: path.clone(),
                    item: other.clone(),
                    tables: Arc::clone(&shared),
                }),
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(
        table,
        &mut prefix.to_vec(),
        &mut Vec::new(),
        into_inline,
        &mut out,
    );
    out
}

/// The item at `path`, through tables and inline tables.
pub(super) fn lookup<'d>(root: &'d Table, path: &[String]) -> Option<&'d Item> {
    let (last, parents) = path.split_last()?;
    let mut table: &dyn toml_edit::TableLike = root;
    for key in parents {
        table = table.get(key)?.as_table_like()?;
    }
    table.get(last).filter(|i| !i.is_none())
}

/// Puts the user's value (`yours`, as [`as_written`](super::value::as_written) keeps it) back at
/// `path`, keeping the decor (comments) of the value there.
pub(super) fn put_value_back(root: &mut Table, path: &[String], yours: &str) {
    let Ok(mut value) = yours.parse::<Value>() else {
        return;
    };
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut table: &mut dyn toml_edit::TableLike = root;
    for key in parents {
        let Some(next) = table.get_mut(key).and_then(Item::as_table_like_mut) else {
            return;
        };
        table = next;
    }
    if let Some(Item::Value(old)) = table.get_mut(last) {
        *value.decor_mut() = old.decor().clone();
        *old = value;
    }
}

/// Writes a leaf into the document, creating missing tables in the shape the
/// template gave them and keeping the decor (comments) of a replaced value.
/// `next_table` is the position the next new table takes (one past every
/// table in the document); it advances as tables are added.
pub(super) fn set(
    doc: &mut DocumentMut,
    file: &str,
    leaf: Leaf,
    next_table: &mut isize,
) -> Result<(), MergeError> {
    let (last, parents) = leaf.path.split_last().expect("a leaf has a key");
    let has_content = !doc.as_table().is_empty();
    let mut table = doc.as_table_mut();
    for (depth, key) in parents.iter().enumerate() {
        if !table.contains_key(key) {
            let mut shape = leaf.tables[depth].clone();
            // Place new explicit tables after everything else in the file,
            // unless their parent already exists (then they follow their siblings).
            if depth == 0 || shape.position().is_some() {
                shape.set_position(Some(*next_table));
                *next_table += 1;
            }
            // A section added to a file with content gets a blank line before it.
            let bare = shape
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .is_none_or(str::is_empty);
            if !shape.is_implicit() && bare && has_content {
                shape.decor_mut().set_prefix("\n");
            }
            table.insert(key, Item::Table(shape));
        }
        let item = table.get_mut(key).expect("just ensured");
        let found = item.type_name();
        // A map on disk inline (as an earlier codexgen wrote
        // `shell_environment_policy.set`, or the user did) that the
        // catalog writes entry by entry: the entry goes into it.
        if let (Some(inline), Item::Value(value)) = (item.as_inline_table_mut(), &leaf.item) {
            return set_inline(inline, &parents[depth + 1..], last, value.clone()).map_err(|at| {
                MergeError::NotATable {
                    file: file.to_owned(),
                    path: leaf.path[..=depth + 1 + at].join("."),
                    found: "a value",
                }
            });
        }
        table = item.as_table_mut().ok_or_else(|| MergeError::NotATable {
            file: file.to_owned(),
            path: leaf.path[..=depth].join("."),
            found,
        })?;
    }
    match (table.get_mut(last), leaf.item) {
        (Some(Item::Value(old)), Item::Value(mut new)) => {
            *new.decor_mut() = old.decor().clone();
            *old = new;
        }
        (Some(old), new) => *old = new,
        (None, mut new) => {
            if let Item::Value(v) = &mut new {
                v.decor_mut().clear();
            }
            table.insert(last, new);
        }
    }
    Ok(())
}

/// Sets `last` under `parents` inside an inline table to `new`, making the
/// inline tables on the way; `Err(n)`: `parents[n]` holds a value that is
/// not a table.
fn set_inline(
    table: &mut toml_edit::InlineTable,
    parents: &[String],
    last: &str,
    mut new: Value,
) -> Result<(), usize> {
    let mut table = table;
    for (n, key) in parents.iter().enumerate() {
        if !table.contains_key(key) {
            table.insert(key, Value::InlineTable(toml_edit::InlineTable::new()));
        }
        table = table
            .get_mut(key)
            .and_then(Value::as_inline_table_mut)
            .ok_or(n)?;
    }
    if let Some(old) = table.get_mut(last) {
        *new.decor_mut() = old.decor().clone();
        *old = new;
    } else {
        new.decor_mut().clear();
        table.insert(last, new);
    }
    Ok(())
}

/// One past the largest table position in the document.
pub(crate) fn next_position(root: &Table) -> isize {
    fn max(table: &Table) -> isize {
        let own = table.position().unwrap_or(0);
        table
            .iter()
            .flat_map(|(_, item)| match item {
                Item::Table(t) => vec![t],
                Item::ArrayOfTables(a) => a.iter().collect(),
                _ => Vec::new(),
            })
            .map(max)
            .fold(own, isize::max)
    }
    max(root) + 1
}

/// Removes the leaves at `paths`, and a table its removals leave empty (then
/// its parent, if that is left empty, and so on), each table's keys in one pass:
/// removing keys one at a time from a table of 10,000 providers shifts the
/// rest each time (`toml_edit` keeps the order).
pub(super) fn remove_all(root: &mut Table, paths: &[&[String]]) {
    // Table path -> keys to remove from it, deepest tables first, so that
    // a table emptied here is removed from its parent after.
    let mut queue: BTreeMap<(std::cmp::Reverse<usize>, Vec<String>), HashSet<String>> =
        BTreeMap::new();
    for path in paths {
        if let Some((last, table)) = path.split_last() {
            queue
                .entry((std::cmp::Reverse(table.len()), table.to_vec()))
                .or_default()
                .insert(last.clone());
        }
    }
    while let Some(((_, table), gone)) = queue.pop_first() {
        let emptied = retain_at(root, &table, &gone);
        if emptied == Some(true)
            && let Some((last, parent)) = table.split_last()
        {
            queue
                .entry((std::cmp::Reverse(parent.len()), parent.to_vec()))
                .or_default()
                .insert(last.clone());
        }
    }
}

/// Removes the keys in `gone` from the table (or inline table) at `path`;
/// whether it is empty then, or `None` when there is no table there.
fn retain_at(root: &mut Table, path: &[String], gone: &HashSet<String>) -> Option<bool> {
    let Some((last, parents)) = path.split_last() else {
        root.retain(|key, _| !gone.contains(key));
        return Some(root.is_empty());
    };
    let mut table: &mut dyn toml_edit::TableLike = root;
    for key in parents {
        table = table.get_mut(key)?.as_table_like_mut()?;
    }
    match table.get_mut(last)? {
        Item::Table(t) => {
            t.retain(|key, _| !gone.contains(key));
            Some(t.is_empty())
        }
        Item::Value(Value::InlineTable(t)) => {
            t.retain(|key, _| !gone.contains(key));
            Some(t.is_empty())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One leaf removed at a time, a table left empty with it: what
    /// [`remove_all`] does in one pass per table.
    fn remove_like(table: &mut dyn toml_edit::TableLike, path: &[String]) {
        match path {
            [] => {}
            [last] => {
                table.remove(last);
            }
            [first, rest @ ..] => {
                let Some(child) = table.get_mut(first).and_then(Item::as_table_like_mut) else {
                    return;
                };
                remove_like(child, rest);
                if child.is_empty() {
                    table.remove(first);
                }
            }
        }
    }

    #[test]
    fn removing_in_one_pass_is_removing_one_at_a_time() {
        let text =
            "top = 1\n[a]\nx = 1\ny = 2\n[a.b]\nz = 3\n[c]\nk = { p = 1, q = 2 }\n[d.e]\nf = 1\n";
        let leaves = [
            vec!["top"],
            vec!["a", "x"],
            vec!["a", "y"],
            vec!["a", "b", "z"],
            vec!["c", "k", "p"],
            vec!["c", "k", "q"],
            vec!["d", "e", "f"],
            vec!["missing", "x"],
        ];
        // Every subset of the leaves.
        for mask in 0..(1u32 << leaves.len()) {
            let paths: Vec<Vec<String>> = (0..leaves.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| leaves[i].iter().map(|s| (*s).to_owned()).collect())
                .collect();
            let mut one: DocumentMut = text.parse().unwrap();
            for path in &paths {
                remove_like(one.as_table_mut(), path);
            }
            let mut all: DocumentMut = text.parse().unwrap();
            let slices: Vec<&[String]> = paths.iter().map(Vec::as_slice).collect();
            remove_all(all.as_table_mut(), &slices);
            assert_eq!(all.to_string(), one.to_string(), "{paths:?}");
        }
    }

    #[test]
    fn an_entry_goes_into_a_map_on_disk_inline() {
        let mut table: toml_edit::InlineTable = "{ A = \"1\", MINE = \"x\" }"
            .parse::<toml_edit::Value>()
            .unwrap()
            .as_inline_table()
            .unwrap()
            .clone();
        super::set_inline(&mut table, &[], "A", "2".into()).unwrap();
        super::set_inline(&mut table, &["in".to_owned()], "B", 3.into()).unwrap();
        let text = table.to_string();
        assert!(text.contains("A = \"2\""), "{text}");
        assert!(text.contains("MINE = \"x\""), "{text}");
        assert!(text.contains("B = 3"), "{text}");
        assert_eq!(
            super::set_inline(&mut table, &["MINE".to_owned()], "C", 1.into()),
            Err(0)
        );
    }
}
